import { pathWithSandan, standInNpx } from '../helpers/npx.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { needTool, skipWithout } from '../helpers/tools.js';

/** The official SARIF 2.1.0 schema (draft-04; nothing in it reads differently under draft-07, which ajv speaks). */
function sarifValidator() {
  const schema = JSON.parse(readFileSync('test/fixtures/sarif/sarif-schema-2.1.0.json', 'utf8'));
  delete schema.$schema;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const run = (env: Record<string, string>, out: string) =>
  spawnSync('sh', ['examples/ci/ci.sh', out], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', ...env, PATH: pathWithSandan() },
  });

describe('journey 2: validating declarations in CI with plain sandan calls', () => {
  it('writes SARIF that the SARIF 2.1.0 schema accepts, with rules, levels, locations and customs codes', () => {
    const out = mkdtempSync(join(tmpdir(), 'sandan-ci-'));
    const r = run({ GITHUB_ACTIONS: '' }, out);
    expect(r.status, r.stderr).toBe(1);
    const sarif = JSON.parse(readFileSync(join(out, 'sandan.sarif'), 'utf8'));
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'freight-mismatch',
      'tax-mismatch',
      'json-syntax',
      '1332',
      '13127',
    ]);
    const paid = run0.results.find((x: { ruleId: string }) => x.ruleId === '1332');
    expect(paid).toMatchObject({
      level: 'error',
      ruleIndex: 3,
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'declarations/paid-too-much.json' },
            region: { startLine: 68, startColumn: 5 },
          },
        },
      ],
      properties: { customsCode: '1332', path: 'payment.amountPaid' },
    });
    expect(run0.results).toHaveLength(6);
    // The text run names file:line:column of each issue and ends with one summary.
    expect(r.stdout).toContain(
      '    error   payment.amountPaid  [1332] (payment/amount)  declarations/paid-too-much.json:68:5',
    );
    expect(r.stdout.trim().split('\n').at(-1)).toBe(
      '6 declarations in 3 files: 3 valid, 3 invalid (6 errors, 0 warnings)',
    );
  });

  it.skipIf(skipWithout('xmllint'))(
    'writes JUnit XML that the Jenkins JUnit schema accepts: a test case per declaration',
    () => {
      needTool('xmllint');
      const out = mkdtempSync(join(tmpdir(), 'sandan-ci-'));
      run({ GITHUB_ACTIONS: '' }, out);
      const file = join(out, 'sandan-junit.xml');
      const lint = spawnSync('xmllint', ['--noout', '--schema', 'test/fixtures/junit/junit-10.xsd', file], {
        encoding: 'utf8',
      });
      expect(lint.status, lint.stderr).toBe(0);
      const xml = readFileSync(file, 'utf8');
      expect(xml.match(/<testcase /g)).toHaveLength(6);
      expect(xml).toContain('<testsuites name="sandan validate" tests="6" failures="3" errors="0">');
      expect(xml.match(/<failure /g)).toHaveLength(6);
      expect(xml).toContain(
        '<failure type="1332" message="[1332] payment.amountPaid: payment.amountPaid 597.88 differs from order.acturalPaid 597.87">',
      );
    },
  );

  it('annotates a GitHub pull request with the errors, escaped as GitHub reads them', () => {
    const out = mkdtempSync(join(tmpdir(), 'sandan-ci-'));
    const r = run({ GITHUB_ACTIONS: 'true' }, out);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(6);
    expect(lines).toContain(
      '::error file=declarations/paid-too-much.json,line=68,col=5,title=sandan [1332] payment/amount::[1332] payment.amountPaid: payment.amountPaid 597.88 differs from order.acturalPaid 597.87 / 支付单支付金额 597.88 与订单实际支付金额 597.87 不一致',
    );
    // The 8.00 freight enters the dutiable value: (398 + 5.81) × 9.1% = 36.75 and (150 + 2.19) × 9.1% = 13.85 → 50.60, not 49.87.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::error file=declarations\/batch\.ndjson,line=2,col=\d+,title=sandan \[tax-mismatch\] tax\/total::\[tax-mismatch\] order\.taxTotal: order\.taxTotal 49\.87 differs from the computed tax 50\.60/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^::error file=declarations\/batch\.ndjson,line=3,col=14,/));
    expect(lines.at(-1)).toBe('6 declarations in 3 files: 3 valid, 3 invalid (6 errors, 0 warnings)');
  });

  it("runs on a fresh clone, where sandan is not on PATH: npx finds the project's own", () => {
    const path = process.env.PATH ?? '';
    expect(spawnSync('sh', ['-c', 'command -v sandan'], { env: { ...process.env, PATH: path } }).status).not.toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'sandan-ci-'));
    // A stand-in npx (test/helpers/npx.ts): the real one took over a minute on a fresh CI machine.
    const r = spawnSync('sh', ['examples/ci/ci.sh', out], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', GITHUB_ACTIONS: '', PATH: `${standInNpx()}:${path}` },
    });
    expect(r.stderr).not.toMatch(/not found/);
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'sandan.sarif'), 'utf8')).runs[0].results.length).toBeGreaterThan(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      '6 declarations in 3 files: 3 valid, 3 invalid (6 errors, 0 warnings)',
    );
  }, 60_000);

  it('makes an output folder that does not exist yet (it wrote /sandan.sarif instead)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sandan-ci-')), 'reports', 'ci');
    const r = run({ GITHUB_ACTIONS: '' }, out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'sandan.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(join(out, 'sandan-junit.xml'), 'utf8')).toMatch(/^<\?xml/);
  });

  it('passes the build when everything is valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-ci-'));
    mkdirSync(join(dir, 'declarations'));
    for (const f of ['ci.sh', 'sandan.config.json', 'shop-ruleset.json'])
      copyFileSync(join('examples/ci', f), join(dir, f));
    copyFileSync('examples/ci/declarations/good-order.json', join(dir, 'declarations', 'order.json'));
    // The configuration's paths are relative to it: point the rates at the repository's table.
    const config = JSON.parse(readFileSync(join(dir, 'sandan.config.json'), 'utf8'));
    writeFileSync(
      join(dir, 'sandan.config.json'),
      JSON.stringify({ ...config, rates: resolve('examples/rates.example.json'), $schema: undefined }),
    );
    const r = spawnSync('sh', [join(dir, 'ci.sh'), dir], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', GITHUB_ACTIONS: '', PATH: pathWithSandan() },
    });
    expect(r.stdout).toBe(
      'declarations/order.json: valid: no issues (rules: example-shop → district/2900 → national, at 2026-11-20)\n',
    );
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('docs/getting-started.md "Running sandan in CI": the workflow it shows', () => {
  const doc = readFileSync('docs/getting-started.md', 'utf8');
  const yaml = /## Running sandan in CI[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  const runs = [...yaml.matchAll(/^\s*- run: npx sandan (.*)$/gm)].map((m) => m[1] ?? '');

  it('grants what upload-sarif needs and runs sandan from the repository root', () => {
    expect(yaml).toMatch(/permissions:\n(?:\s+.*\n)*?\s+security-events: write/);
    expect(yaml).toContain('github/codeql-action/upload-sarif');
    expect(runs).toHaveLength(2);
  });

  it('its commands fail the job on the broken example and write SARIF whose uris name files of the repository', () => {
    const out = mkdtempSync(join(tmpdir(), 'sandan-ci-doc-'));
    const results = runs.map((line) => {
      const [args = '', target] = line.split(' > ');
      const r = spawnSync(process.execPath, ['bin/sandan.js', ...args.trim().split(/\s+/)], { encoding: 'utf8' });
      if (target) writeFileSync(join(out, target), r.stdout);
      return r;
    });
    expect(results.map((r) => r.status)).toEqual([1, 1]);
    expect(results[0]?.stdout).toMatch(
      /^::error file=examples\/ci\/declarations\/paid-too-much\.json,line=\d+,col=\d+/m,
    );
    const sarif = JSON.parse(readFileSync(join(out, 'sandan.sarif'), 'utf8'));
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const uris = new Set<string>(
      sarif.runs[0].results.map(
        (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          r.locations[0]?.physicalLocation.artifactLocation.uri,
      ),
    );
    expect([...uris].sort()).toEqual([
      'examples/ci/declarations/batch.ndjson',
      'examples/ci/declarations/paid-too-much.json',
    ]);
  });
});
