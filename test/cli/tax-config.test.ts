import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// `sandan tax` with the configuration file, located issues and the output formats it shares with validate.
const HZ = 'examples/hangzhou-1210.json';
const GZ = 'examples/guangzhou-9610.json';
const RATES = resolve('examples/rates.example.json');
const ROOT = process.cwd();

/**
 * Line and column (1-based; UTF-16 units, as JavaScript strings count them) of the last of
 * `needles`, each searched for after the one before it: found by hand, not by sandan's locator.
 */
function at(text: string, ...needles: string[]): { line: number; column: number } {
  let i = -1;
  for (const n of needles) {
    i = text.indexOf(n, i + 1);
    expect(i, n).toBeGreaterThanOrEqual(0);
  }
  const before = text.slice(0, i);
  return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
}

// Hangzhou without a rate table: item 1 (gcode 1901101000) has no rate → rate-missing on
// inventory.items[0].gcode, located (as validate locates a member) at its key "gcode".
const hzText = readFileSync(HZ, 'utf8');
const invGcode = at(hzText, '"inventory"', '"items"', '"gcode": "1901101000"');

const tmp = mkdtempSync(join(tmpdir(), 'sandan-tax-config-'));

/** Runs the CLI with `cwd` as the working directory (config discovery starts there). */
async function inDir(cwd: string, args: string[]) {
  process.chdir(cwd);
  try {
    return await runCli(args);
  } finally {
    process.chdir(ROOT);
  }
}

afterAll(() => process.chdir(ROOT));

describe('sandan tax: configuration', () => {
  const project = join(tmp, 'shop');
  const nested = join(project, 'orders', 'today');
  mkdirSync(nested, { recursive: true });
  copyFileSync(RATES, join(project, 'rates.json'));
  writeFileSync(
    join(project, 'sandan.config.json'),
    // format and maxWarnings are validate's defaults: tax must not take them (sarif would hide the figures).
    JSON.stringify({ district: '5100', rates: 'rates.json', format: 'sarif', maxWarnings: 0 }),
  );
  const hz = resolve(HZ);

  it('finds sandan.config.json from the working directory up: its district and its rates (relative to it) apply', async () => {
    const r = await inDir(nested, ['tax', hz]);
    expect(r.stderr).toBe('');
    // Hangzhou's customsCode 2924 alone gives district/2900; the configuration's 5100 wins over it.
    expect(r.stdout.split('\n')[0]).toMatch(
      new RegExp(`^${hz.replace(/[.]/g, '\\.')} \\(rules: district/5100 → national, at `),
    );
    // With the configuration's rates every line has a rate: 398.00 × 13% × 0.7 = 36.218 → 36.22; 150.00 × 13% × 0.7 = 13.65
    expect(r.stdout).toMatch(/^total +548\.00 +0\.00 +0\.00 +49\.87 +49\.87$/m);
    expect(r.code).toBe(0);
  });

  it('without the configuration the same run misses a rate (so the rates above came from it)', async () => {
    const r = await inDir(tmp, ['tax', hz, '--format', 'json']);
    expect(JSON.parse(r.stdout).complete).toBe(false);
    expect(r.code).toBe(1);
  });

  it('flags override the configuration', async () => {
    const empty = join(tmp, 'empty-rates.json');
    writeFileSync(empty, '{}');
    const r = await inDir(nested, ['tax', hz, '--district', '2900', '--rates', empty]);
    expect(r.stdout.split('\n')[0]).toMatch(/\(rules: district\/2900 → national, at /);
    // --rates {} replaces the configuration's table: 1901101000 has no rate again (the bundled seed's 33049900 has 3304990039).
    expect(r.stdout).toMatch(/\[rate-missing\]/);
    expect(r.code).toBe(1);
  });

  it('--config FILE names a package.json with a "sandan" key', async () => {
    const pkg = join(tmp, 'other', 'package.json');
    mkdirSync(join(tmp, 'other'), { recursive: true });
    writeFileSync(pkg, JSON.stringify({ name: 'x', sandan: { rates: RATES } }));
    const r = await runCli(['tax', HZ, '--config', pkg, '--format', 'json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ complete: true, taxTotal: '49.87' });
    expect(r.code).toBe(0);
  });

  it('--config FILE whose name only ends in package.json is a configuration file of its own', async () => {
    // (ci-package.json was read as a package.json: "has no \"sandan\" key")
    const file = join(tmp, 'other', 'ci-package.json');
    mkdirSync(join(tmp, 'other'), { recursive: true });
    writeFileSync(file, JSON.stringify({ rates: RATES }));
    const r = await runCli(['tax', HZ, '--config', file, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ complete: true, taxTotal: '49.87' });
    expect(r.code).toBe(0);
  });

  it('a file the found configuration names and that cannot be read: the message names the setting and the file', async () => {
    // (a configuration found by walking up may be one the user forgot: before, only "Cannot read rate table …")
    const dir = join(tmp, 'forgot', 'orders');
    mkdirSync(dir, { recursive: true });
    const pkg = join(tmp, 'forgot', 'package.json');
    writeFileSync(pkg, JSON.stringify({ name: 'x', sandan: { rates: 'gone.json', ruleset: 'gone-ruleset.json' } }));
    for (const command of ['tax', 'validate']) {
      const r = await inDir(dir, [command, resolve(HZ)]);
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toMatch(
        new RegExp(
          `^sandan: Cannot read ruleset ${join(tmp, 'forgot', 'gone-ruleset.json').replace(/[.]/g, '\\.')}: no such file \\(the "ruleset" of ${pkg.replace(/[.]/g, '\\.')}#sandan\\)\nhint: `,
        ),
      );
    }
    // Given as an option, the same file is the user's own: no configuration named.
    const own = await inDir(dir, ['validate', resolve(HZ), '--ruleset', 'nope.json']);
    expect(own.stderr).toMatch(/^sandan: Cannot read ruleset nope\.json: no such file\nhint: /);
  });

  it('a package.json above that is not JSON is passed over with a warning naming it (it failed every run)', async () => {
    // (a folder name's control characters escaped, as in every line sandan writes to stderr)
    const home = join(tmp, 'ho\u001bme');
    const dir = join(home, 'work', 'orders');
    mkdirSync(dir, { recursive: true });
    const pkg = join(home, 'package.json');
    writeFileSync(pkg, '{ "name": "x", }\n');
    const warning = new RegExp(
      `^sandan: warning: ${join(tmp, 'ho\\\\u001bme', 'package\\.json')}: not valid JSON: line 1, column 16: [^\n]+; passed over in the search for a configuration \\(if its "sandan" key is yours, fix it; --config FILE or a sandan\\.config\\.json below it stops the search before it\\)\n$`,
    );
    for (const command of ['validate', 'tax']) {
      const r = await inDir(dir, [command, resolve(HZ), '--rates', RATES]);
      expect([r.code, r.stderr], command).toEqual([0, expect.stringMatching(warning)]);
    }
    // A sandan.config.json below it is found first: no warning, and its settings apply.
    writeFileSync(join(home, 'work', 'sandan.config.json'), JSON.stringify({ district: '5100' }));
    const r = await inDir(dir, ['tax', resolve(HZ), '--rates', RATES]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toMatch(/\(rules: district\/5100 → national, at /);
  });

  it('a package.json whose "sandan" gives a key twice is not passed over: a usage error naming the key', async () => {
    // (it reads: its settings are the user's, and running without them, or with a parent's, passed what they fail)
    const dir = join(tmp, 'twice');
    mkdirSync(dir, { recursive: true });
    const pkg = join(dir, 'package.json');
    writeFileSync(pkg, '{ "name": "x", "sandan": { "district": "3100", "district": "5100" } }\n');
    const r = await inDir(dir, ['tax', resolve(HZ), '--rates', RATES]);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      `sandan: ${pkg}: sandan.district is given 2 times: JSON keeps only the last value of a key, so give each key once`,
    ]);
  });

  it('a bad configuration is a usage error (exit 2) naming the path into it, found or named', async () => {
    const badDir = join(tmp, 'bad');
    mkdirSync(badDir, { recursive: true });
    const bad = join(badDir, 'sandan.config.json');
    writeFileSync(bad, JSON.stringify({ rates: 'rates.json', district: 5100 }));
    const pattern = new RegExp(`^sandan: ${bad.replace(/[.]/g, '\\.')}: \\$\\.district: `);
    const named = await runCli(['tax', HZ, '--config', bad]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(pattern);
    expect(named.stdout).toBe('');
    const found = await inDir(badDir, ['tax', resolve(HZ)]);
    expect(found.code).toBe(2);
    expect(found.stderr).toMatch(pattern);
  });
});

describe('sandan tax: issues carry file:line:column', () => {
  it('in a .json file: the inventory gcode without a rate (line and column found by hand)', async () => {
    const j = await runCli(['tax', HZ, '--format', 'json']);
    expect(j.code).toBe(1);
    const issue = JSON.parse(j.stdout).issues.find((i: { code: string }) => i.code === 'rate-missing');
    expect(issue.location).toEqual({ file: HZ, ...invGcode });
    const t = await runCli(['tax', HZ]);
    expect(t.stdout).toContain(
      `error   inventory.items[0].gcode  [rate-missing] (tax/rates)  ${HZ}:${invGcode.line}:${invGcode.column}`,
    );
  });

  it('in a .ndjson file: the line of the declaration, the column in it; a JSON syntax error where it is', async () => {
    const line = JSON.stringify(JSON.parse(hzText));
    const { column: col } = at(line, '"inventory"', '"items"', '"gcode":"1901101000"');
    const file = join(tmp, 'batch.ndjson');
    writeFileSync(file, `${line}\n\n{"order": oops}\n`);
    const r = await runCli(['tax', file, '--format', 'ndjson']);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ file, line: 1, complete: false });
    expect(out[0].issues[0]).toMatchObject({ code: 'rate-missing', location: { file, line: 1, column: col } });
    // `{"order": oops}`: the parser stops at the `o` of oops, offset 10 → column 11 of line 3.
    expect(out[1]).toEqual({ file, line: 3, issues: [expect.objectContaining({ code: 'json-syntax' })] });
    expect(out[1].issues[0].location).toEqual({ file, line: 3, column: 11 });
    expect(out[2]).toEqual({
      summary: { files: 1, declarations: 2, computed: 0, failed: 2, errors: 2, warnings: 0 },
    });
    expect(r.code).toBe(1);
    const text = await runCli(['tax', file]);
    expect(text.stdout).toContain(`${file}:1:${col}`);
    expect(text.stdout).toContain(`${file}:3:11`);
  });
});

describe('sandan tax: output formats', () => {
  const rates = ['--rates', RATES];

  it('json: the CEB816-named figures with located issues; ndjson: {file, line, …figures} lines and a summary', async () => {
    const j = await runCli(['tax', GZ, ...rates, '--format', 'json']);
    const doc = JSON.parse(j.stdout);
    expect(Object.keys(doc)).toEqual([
      'regime',
      'dutiableValue',
      'lines',
      'omittedLines',
      'customsTax',
      'consumptionTax',
      'valueAddedTax',
      'taxTotal',
      'complete',
      'issues',
      'explain',
    ]);
    expect(doc).toMatchObject({ taxTotal: '161.41', issues: [] });
    const n = await runCli(['tax', GZ, HZ, ...rates, '--format', 'ndjson']);
    const lines = n.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.file, l.line, l.taxTotal])).toEqual([
      [GZ, 1, '161.41'],
      [HZ, 1, '49.87'],
      [undefined, undefined, undefined],
    ]);
    expect(lines[2]).toEqual({
      summary: { files: 2, declarations: 2, computed: 2, failed: 0, errors: 0, warnings: 0 },
    });
    expect(n.code).toBe(0);
  });

  it('github: one annotation per issue at its file, line and column', async () => {
    const r = await runCli(['tax', HZ, '--format', 'github']);
    const [annotation, summary] = r.stdout.trim().split('\n');
    expect(annotation).toBe(
      `::error file=${HZ},line=${invGcode.line},col=${invGcode.column},title=sandan [rate-missing] tax/rates::[rate-missing] inventory.items[0].gcode: No rate for commodity code 1901101000 in the rate tables; the line's taxes are left out of the totals / 商品编码 1901101000 在税率表中找不到税率，该商品未计入税款合计`,
    );
    expect(summary).toBe('1 declaration: 0 valid, 1 invalid (1 error, 0 warnings)');
    expect(r.code).toBe(1);
  });

  it('sarif: a SARIF 2.1.0 log whose result points at the line and column', async () => {
    const r = await runCli(['tax', HZ, '--format', 'sarif']);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(['rate-missing']);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]).toMatchObject({
      ruleId: 'rate-missing',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: HZ },
            region: { startLine: invGcode.line, startColumn: invGcode.column },
          },
          logicalLocations: [{ fullyQualifiedName: 'inventory.items[0].gcode' }],
        },
      ],
    });
    expect(run.properties.summary).toEqual({
      files: 1,
      declarations: 1,
      valid: 0,
      invalid: 1,
      errors: 1,
      warnings: 0,
    });
    expect(r.code).toBe(1);
  });

  it('junit: well-formed XML, a "sandan tax" run, a failing test case per declaration that did not compute', async () => {
    const r = await runCli(['tax', GZ, HZ, '--format', 'junit']);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const x = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(r.stdout);
    expect(x.testsuites).toMatchObject({ name: 'sandan tax', tests: '2', failures: '1' });
    const [gz, hz] = x.testsuites.testsuite;
    // Guangzhou computes with the bundled seed table (33049900 holds its 3304990039); Hangzhou misses 1901101000.
    expect(gz).toMatchObject({ name: GZ, tests: '1', failures: '0' });
    expect(hz).toMatchObject({ name: HZ, tests: '1', failures: '1' });
    expect(hz.testcase.failure).toMatchObject({ type: 'rate-missing' });
    expect(hz.testcase.failure['#text']).toContain(`${HZ}:${invGcode.line}:${invGcode.column}: error [rate-missing]`);
    expect(r.code).toBe(1);
  });

  it('--max-warnings: a single item above the 5,000 limit computes (a warning); 0 allowed → exit 1', async () => {
    const d = JSON.parse(readFileSync(GZ, 'utf8'));
    for (const doc of [d.order, d.inventory]) Object.assign(doc.items[0], { price: '6000.00', totalPrice: '6000.00' });
    const file = join(tmp, 'single-item.json');
    writeFileSync(file, JSON.stringify(d, null, 2));
    const loose = await runCli(['tax', file, ...rates, '--format', 'json']);
    const j = JSON.parse(loose.stdout);
    // 6000.00 + 20.00 freight = 6020.00 > 5000 single-transaction limit, one item, < 26000: full tax, a warning.
    expect(j.issues).toEqual([
      expect.objectContaining({
        code: 'single-item-full-tax',
        severity: 'warning',
        // path inventory.items[0]: the `{` that opens the inventory's first item
        location: { file, ...at(JSON.stringify(d, null, 2), '"inventory"', '"items"', '{') },
      }),
    ]);
    expect(loose.code).toBe(0);
    const strict = await runCli(['tax', file, ...rates, '--format', 'json', '--max-warnings', '0']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('sandan: 1 warnings, more than --max-warnings 0\n');
    expect((await runCli(['tax', file, ...rates, '--max-warnings', '1'])).code).toBe(0);
    expect((await runCli(['tax', file, ...rates, '--max-warnings', '-1'])).code).toBe(0);
    const bad = await runCli(['tax', file, ...rates, '--max-warnings', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-warnings must be a whole number/);
  });
});
