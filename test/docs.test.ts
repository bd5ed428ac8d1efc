import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SandanConfigSchema } from '../src/cli/config.js';
import { createOrderService } from '../examples/order-service/checkout.js';
import { MemoryQuotaStore, QuotaLedger, parseRateTable as parseRateTableOfPackage } from 'sandan';
import { loadGoodsRecords, loadRuleset, parseRateTable, RULES, validate } from '../src/index.js';
import { example, exampleRates } from './helpers/examples.js';

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

describe('docs/rulesets.md', () => {
  const block = /<!-- tested[^>]*-->\s*```json\n([\s\S]*?)```/.exec(doc('rulesets.md'))?.[1];

  it('its worked example loads and does what the text says', () => {
    expect(block).toBeDefined();
    const data = JSON.parse(block!);
    const file = JSON.parse(readFileSync(new URL('../examples/rulesets/acme-bonded.json', import.meta.url), 'utf8'));
    expect({ ...file, $schema: data.$schema }).toEqual(data);
    const ruleset = loadRuleset(data, RULES, 'docs/rulesets.md');
    const rates = parseRateTable(exampleRates());
    const hz = validate(example('hangzhou-1210'), { ruleset, rates });
    expect(hz.ruleset.chain).toEqual(['acme-bonded', 'district/2900', 'national']);
    expect(hz.issues).toEqual([]); // the positive list is off
    const gz = validate(example('guangzhou-9610'), { ruleset, rates });
    expect(gz.issues).toContainEqual(expect.objectContaining({ code: 'trade-mode-not-allowed' }));
    const off = example('hangzhou-1210');
    off.payment.amountPaid = '597.88';
    expect(validate(off, { ruleset, rates, at: '2025-06-01' }).issues.filter((i) => i.code === '1332')).toEqual([]);
    expect(validate(off, { ruleset, rates, at: '2026-06-01' }).issues.filter((i) => i.code === '1332')).toHaveLength(1);
    const freight = example('hangzhou-1210');
    freight.inventory.freight = '5.00';
    expect(validate(freight, { ruleset, rates }).issues).toContainEqual(
      expect.objectContaining({ code: 'freight-mismatch', severity: 'error' }),
    );
  });
});

describe('docs/cli.md: the files options name', () => {
  // A new user met --config and --goods-records with no word anywhere of what the files hold.
  const cli = doc('cli.md');

  it('lists every key of the configuration file', () => {
    const keys = Object.keys(SandanConfigSchema.shape).filter((k) => k !== '$schema');
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(cli, key).toContain(`| \`${key}\` |`);
  });

  it('shows the goods-records format with an example file that fits examples/hangzhou-1210.json', () => {
    const file = readFileSync(new URL('../examples/goods-records.json', import.meta.url), 'utf8');
    expect(cli).toContain(`\`\`\`json\n${file.trimEnd()}\n\`\`\``);
    const goodsRecords = loadGoodsRecords(JSON.parse(file), 'examples/goods-records.json');
    const records = (d: unknown) =>
      validate(d, { goodsRecords })
        .issues.filter((i) => i.ruleId === 'goods/records')
        .map((i) => [i.code, i.path]);
    expect(records(example('hangzhou-1210'))).toEqual([]);
    const changed = example('hangzhou-1210');
    changed.inventory.items[1].unit1 = '096';
    expect(records(changed)).toEqual([['goods-record-mismatch', 'inventory.items[1].unit1']]);
  });
});

describe('commands in the docs', () => {
  const files = [
    'README.md',
    ...readdirSync(new URL('../docs/', import.meta.url))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const commands = files.flatMap((file) => {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
      m[1]!
        .split('\n')
        // A path into node_modules/sandan is for a project that installed the package: test/packaging runs those.
        .filter((l) => l.startsWith('npx sandan ') && !l.includes('node_modules/sandan/'))
        .map((l) => ({ file, line: l.replace(/\s+#.*$/, '').trim() })),
    );
  });

  it('there are commands to try', () => {
    expect(commands.length).toBeGreaterThan(5);
  });

  it.each(commands)('$file: $line', ({ line }) => {
    const args = line.replace(/^npx sandan /, '').split(/\s+/);
    const r = spawnSync('node', ['bin/sandan.js', ...args], { encoding: 'utf8' });
    // 0 or 1 are answers about the input; 2 would be a usage error in the docs.
    expect([0, 1], r.stderr).toContain(r.status);
    expect(r.stdout.length).toBeGreaterThan(0);
  });
});

describe("README's CI journey", () => {
  it('says how many of the example declarations fail, as the command finds', () => {
    const r = spawnSync(
      'node',
      [
        'bin/sandan.js',
        'validate',
        'examples/ci/declarations',
        '--config',
        'examples/ci/sandan.config.json',
        '--format',
        'json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(1);
    const { summary, results } = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ declarations: 6, invalid: 3 });
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    // (it said two: the broken line and the freight the shop's ruleset makes an error were not counted)
    expect(readme).toContain('three of the six example declarations fail on purpose');
    const failing = results
      .filter((x: { valid: boolean }) => !x.valid)
      .map(
        (x: { file: string; line: number }) =>
          `${x.file.replace(/^.*\//, '')}${x.file.endsWith('.ndjson') ? `:${x.line}` : ''}`,
      );
    expect(failing.sort()).toEqual(['batch.ndjson:2', 'batch.ndjson:3', 'paid-too-much.json']);
  });
});

describe("README's order service", () => {
  it('names the functions createOrderService gives, and the four messages it builds', () => {
    const service = createOrderService({
      ledger: new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'a secret of sixteen+ chars' }),
      signer: {} as never, // (not used until checkout)
      sender: { copCode: '3301964J31', copName: '示例跨境电商有限公司', dxpId: 'DXPENT0000012345' },
      rates: parseRateTableOfPackage(exampleRates()),
      now: () => new Date(),
      newId: () => 'X',
    });
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const named = [...readme.matchAll(/`(\w+)\((?:declaration|xml|orderNo|body|copNo)(?:, request)?\)`/g)].map(
      (m) => m[1],
    );
    expect(named.sort()).toEqual(Object.keys(service).sort());
    // (it said CEB311 and CEB621: checkout's messages are four)
    expect(readme).toContain('build and sign the four messages (CEB311,');
  });
});

describe('links between the docs', () => {
  /** GitHub's anchor of a heading: lower case, punctuation dropped (letters of any script kept), spaces to '-'. */
  const slug = (heading: string) =>
    heading
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
  const anchorsOf = (text: string): Set<string> => {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    // (headings inside code blocks are none)
    for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
      const base = slug(m[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of text.matchAll(/<a (?:id|name)="([^"]+)"/g)) out.add(m[1]!);
    return out;
  };
  const root = new URL('../', import.meta.url);
  const pages = [
    'README.md',
    ...readdirSync(new URL('../docs/', import.meta.url))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it('every relative link names a file that exists, and its #anchor a heading of that file', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(new URL(page, root), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const path = file === '' ? page : new URL(file, new URL(page, root)).pathname.slice(root.pathname.length);
        let body: string;
        try {
          body = readFileSync(new URL(path, root), 'utf8');
        } catch {
          if (!/\/$/.test(file)) broken.push(`${page}: ${target} (no such file)`);
          continue;
        }
        if (anchor !== undefined && path.endsWith('.md') && !anchorsOf(body).has(anchor))
          broken.push(`${page}: ${target} (no such heading in ${path})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the anchors GitHub makes', () => {
    const a = anchorsOf('# Locks and waits\n## `limits/annual`: the rule\n## API\n## API\n### 三单对碰 (matching)\n');
    expect([...a]).toEqual(['locks-and-waits', 'limitsannual-the-rule', 'api', 'api-1', '三单对碰-matching']);
  });
});

describe('README install', () => {
  // A project with only sandan and typescript resolved the @types/node@14 that exceljs's CSV dependency hoists, which
  // lacks X509Certificate (sandan/sign's declarations use it): under skipLibCheck false tsc failed in sandan's .d.ts.
  // sandan now depends on @types/node 20 or later (npm then hoists that one, checked by hand with the packed
  // tarball: 26.6.11 at the top, 14.18.63 nested under @fast-csv), and the README names the same major.
  it('sandan depends on the @types/node it type-checks against, and the README says which', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const range: string | undefined = manifest.dependencies['@types/node'];
    expect(range).toMatch(/^>=\d+/);
    const major = /\d+/.exec(range!)?.[0];
    expect(manifest.devDependencies['@types/node']).toBeUndefined();
    expect(readme).toContain(`npm install -D @types/node@${major}`);
    expect(readme).toContain(`\`@types/node\` ${major} or later`);
  });
});
