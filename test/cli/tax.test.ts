import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, runCli } from '../helpers/cli.js';

const RATES = ['--rates', 'examples/rates.example.json'];

describe('sandan tax', () => {
  it('explains the Guangzhou example: CT 86.47, VAT 74.94, total 161.41 (golden text)', async () => {
    const r = await runCli(['tax', 'examples/guangzhou-9610.json', ...RATES]);
    expect(r.code).toBe(0);
    expectGolden(r.stdout, 'tax-guangzhou.txt');
  });

  it('writes the CEB816-named JSON with amounts as two-place decimal strings', async () => {
    const r = await runCli(['tax', 'examples/hangzhou-1210.json', ...RATES, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // 398.00 × 13% × 0.7 = 36.218 → 36.22; 150.00 × 13% × 0.7 = 13.65; 36.22 + 13.65 = 49.87
    expect(j).toMatchObject({
      regime: 'cbec',
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '49.87',
      taxTotal: '49.87',
    });
    expect(j.lines.map((l: { valueAddedTax: string }) => l.valueAddedTax)).toEqual(['36.22', '13.65']);
    expect(Object.keys(j.lines[0])).toEqual([
      'gnum',
      'gcode',
      'dutiableValue',
      'customsTax',
      'consumptionTax',
      'valueAddedTax',
      'taxTotal',
      'explain',
    ]);
  });

  it('shows the figures of a policy rounding to 0.001 as computed, not rounded again to the fen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-tax-scale-'));
    try {
      const ruleset = join(dir, 'scale3.json');
      writeFileSync(
        ruleset,
        JSON.stringify({
          id: 'mills',
          version: '1',
          extends: 'national',
          sources: [{ id: 'OPS', issuer: 'ops', title: 'rounding to the mill', section: '1', kind: 'secondary' }],
          policy: {
            rounding: [
              { value: { mode: 'half-up', scale: 3, scope: 'line' }, source: 'OPS', effectiveFrom: '2019-01-01' },
            ],
          },
        }),
      );
      const args = ['tax', 'examples/hangzhou-1210.json', ...RATES, '--ruleset', ruleset];
      const json = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
      // 398.00 × 13% × 0.7 = 36.218 (to the mill, as the policy says); + 13.65 = 49.868
      expect([json.lines[0].valueAddedTax, json.valueAddedTax]).toEqual(['36.218', '49.868']);
      const rows = (await runCli(args)).stdout.split('\n').filter((l) => /^(1|total) /.test(l));
      expect(rows.map((l) => l.trim().split(/\s+/).at(-2))).toEqual(['36.218', '49.868']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when a rate is missing, naming the line', async () => {
    const r = await runCli(['tax', 'examples/hangzhou-1210.json', '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.complete).toBe(false);
    expect(j.issues).toContainEqual(
      expect.objectContaining({ code: 'rate-missing', path: 'inventory.items[0].gcode', severity: 'error' }),
    );
    // Without --rates, standard error says how to give a table; with one, the issue alone says it.
    expect(r.stderr).toBe(
      "sandan: note: 1 line without a rate in sandan's seed table; pass your rate table with --rates FILE (its format: https://github.com/sandan-dev/sandan/blob/main/docs/tax.md#rate-tables)\n",
    );
    const d = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    d.inventory.items[1].gcode = '9999999999';
    const withTable = await runCli(['tax', '-', ...RATES, '--format', 'json'], JSON.stringify(d));
    expect([withTable.code, withTable.stderr]).toEqual([1, '']);
  });

  it("shows an omitted line's dutiable value in the text table, the part of the total's it is", async () => {
    // Line 2 (9999999999) has no rate: its taxes are not computed, but its value 150.00 is in the order's
    // 398.00 + 150.00 = 548.00, which the total row shows (it was "—", so the rows did not add up to 548.00).
    const d = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    d.inventory.items[1].gcode = '9999999999';
    const r = await runCli(['tax', '-', ...RATES], JSON.stringify(d));
    expect(r.code).toBe(1);
    const cells = (first: string) =>
      r.stdout
        .split('\n')
        .find((l) => l.startsWith(`${first} `))
        ?.trim()
        .split(/\s+/);
    expect(cells('2')).toEqual(['2', '9999999999', '150.00', '—', '—', '—', '—', '(rate-missing)']);
    expect(cells('total')).toEqual(['total', '548.00', '0.00', '0.00', '36.22', '36.22']);
  });

  it('exits 1 for several items above the single-transaction limit, with the general-trade figures', async () => {
    const d = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    for (const doc of [d.order, d.inventory]) Object.assign(doc.items[0], { price: '2600.00', totalPrice: '5200.00' });
    const r = await runCli(['tax', '-', ...RATES, '--format', 'json'], JSON.stringify(d));
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.regime).toBe('general-trade');
    expect(j.issues).toContainEqual(expect.objectContaining({ code: '-621005' }));
    // general trade: 5200 × 15% duty = 780.00; VAT (5200 + 780) × 13% = 777.40; line 2: 150 × 1% = 1.50, (151.50) × 13% = 19.695 → 19.70
    expect(j.lines[0]).toMatchObject({ customsTax: '780.00', valueAddedTax: '777.40' });
    expect(j.lines[1]).toMatchObject({ customsTax: '1.50', valueAddedTax: '19.70' });
  });

  it('warns of a key given twice (json-duplicate-key), whose last value the figures are of, as validate does', async () => {
    // The inventory's first line says 9398.00, then 398.00. JSON.parse keeps 398.00: 398.00 + 150.00 = 548.00 within
    // the limit, VAT 36.22 + 13.65 = 49.87. The first value would make 9548.00, general trade: the warning says so.
    const text = readFileSync('examples/hangzhou-1210.json', 'utf8');
    const at = text.lastIndexOf('"totalPrice": "398.00"');
    const twice = `${text.slice(0, at)}"totalPrice": "9398.00", ${text.slice(at)}`;
    const r = await runCli(['tax', '-', ...RATES, '--format', 'json'], twice);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ regime: 'cbec', dutiableValue: '548.00', taxTotal: '49.87' });
    expect(j.issues).toEqual([
      expect.objectContaining({
        code: 'json-duplicate-key',
        severity: 'warning',
        path: 'inventory.items[0].totalPrice',
        location: { file: '<stdin>', line: 99, column: expect.any(Number) },
      }),
    ]);
    expect((await runCli(['tax', '-', ...RATES, '--max-warnings', '0'], twice)).code).toBe(1);
  });

  it('streams NDJSON with a summary', async () => {
    const line = JSON.stringify(JSON.parse(readFileSync('examples/guangzhou-9610.json', 'utf8')));
    const r = await runCli(['tax', '-', ...RATES, '--format', 'json'], `${line}\n{oops\n${line}\n`);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.taxTotal ?? o.issues?.[0]?.code ?? 'summary')).toEqual([
      '161.41',
      'json-syntax',
      '161.41',
      'summary',
    ]);
    expect(out[3].summary).toEqual({ declarations: 3, computed: 2, failed: 1 });
    expect(r.code).toBe(1);
  });

  it('uses the 2016 policy for a 2018 date (2,000 limit)', async () => {
    const r = await runCli(['tax', 'examples/guangzhou-9610.json', ...RATES, '--at', '2018-06-01', '--format', 'json']);
    expect(JSON.parse(r.stdout).explain.regime).toContain('2000');
  });

  it('exits 2 for a broken rate table', async () => {
    const r = await runCli(['tax', 'examples/guangzhou-9610.json', '--rates', 'test/fixtures/broken-ruleset.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken-ruleset\.json/);
  });

  it('computes a declaration whose field errors are only where the tax reads nothing, saying so above the figures', async () => {
    const d = JSON.parse(readFileSync('examples/guangzhou-9610.json', 'utf8'));
    d.logistics.weight = 'abc';
    const r = await runCli(['tax', '-', ...RATES], JSON.stringify(d));
    // 700.00 at CT 15 % and VAT 13 %, × 0.7: 86.47 + 74.94 = 161.41 (docs/tax.md's example)
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^figures of a declaration with field errors/);
    expect(r.stdout).toMatch(/^total +700\.00 +0\.00 +86\.47 +74\.94 +161\.41$/m);
    expect(r.stdout).toContain('[tax-declaration-invalid]');
    expect(r.stdout).toContain('logistics.weight');
  });

  it('shows in the text how freight was split over the lines, where its remainder carries a line over a CT threshold', async () => {
    // Three 50 g skin-care lines (3304990039, CT 15 % from 10,000 CNY/kg) at 499.99 and 0.02 freight: lines 1 and 2
    // get 0.02 × 499.99 / 1499.97 = 0.00666… → 0.00 (rounded down), line 3 the remainder 0.02, so its P is 500.01,
    // 500.01 / 0.05 = 10,000.20 per kg ≥ 10,000: CT 500.01 / 0.85 × 0.15 × 0.7 = 61.7659 → 61.77.
    const d = JSON.parse(readFileSync('examples/guangzhou-9610.json', 'utf8'));
    const line = (o: Record<string, unknown>, gnum: number) => ({
      ...o,
      gnum,
      itemNo: `SERUM-${gnum}`,
      price: '499.99',
      totalPrice: '499.99',
    });
    d.order.items = [1, 2, 3].map((g) => line(d.order.items[0], g));
    d.inventory.items = [1, 2, 3].map((g) => ({ ...line(d.inventory.items[0], g), qty1: '0.05' }));
    d.order.freight = d.inventory.freight = d.logistics.freight = '0.02';
    d.order.goodsValue = '1499.97';
    const r = await runCli(['tax', '-'], JSON.stringify(d));
    expect(r.stdout).toMatch(/^3 +3304990039 +500\.01 +0\.00 +61\.77 /m);
    expect(r.stdout).toContain(
      'freightShare    total × totalPrice / Σ totalPrice, rounded down to 0.01  [total = 0.02, totalPrice = 499.99, Σ totalPrice = 1499.97, lines = 3]  = 0.00',
    );
    expect(r.stdout).toContain(
      'freightShare    total − Σ other shares (remainder line, last-line)  [total = 0.02, Σ other shares = 0.00, lines = 3, totalPrice = 499.99, Σ totalPrice = 1499.97, remainder = 0.02]  = 0.02',
    );
  });
});

describe("docs/tax.md's samples run as a reader runs them", () => {
  const doc = readFileSync('docs/tax.md', 'utf8');
  /** The JSON blocks of the page (a list item's indented block too), by a text each holds. */
  const jsonBlock = (holding: string) => {
    const found = [...doc.matchAll(/^( *)```json\n([\s\S]*?)^ *```$/gm)]
      .map((m) => m[2]!.replace(new RegExp(`^ {${m[1]!.length}}`, 'gm'), ''))
      .find((b) => b.includes(holding));
    if (found === undefined) throw new Error(`docs/tax.md has no json block holding ${holding}`);
    return found;
  };

  it('"Explanations": the consumptionTax shown is what `sandan tax --format json` gives the Guangzhou example', async () => {
    const shown = JSON.parse(`{${jsonBlock('"consumptionTax": {')}}`);
    const r = await runCli(['tax', 'examples/guangzhou-9610.json', ...RATES, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).lines[0].explain.consumptionTax).toEqual(shown.consumptionTax);
  });

  it('the ruleset that rounds taxes before the next base is taken by --ruleset (tax, validate) and names its rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-tax-doc-'));
    try {
      const file = join(dir, 'my-rounding.json');
      writeFileSync(file, jsonBlock('"id": "my-rounding"'));
      const tax = await runCli(['tax', 'examples/hangzhou-1210.json', ...RATES, '--ruleset', file]);
      expect([tax.code, tax.stderr]).toEqual([0, '']);
      expect(tax.stdout).toContain('(rules: my-rounding → district/2900 → national, at 2026-11-20)');
      expect(tax.stdout).toContain('before they enter the next tax base');
      const validate = await runCli(['validate', 'examples/hangzhou-1210.json', ...RATES, '--ruleset', file]);
      expect([validate.code, validate.stderr]).toEqual([0, '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('"Rate tables": the table shown is read by --rates; its 3304990099 taxes the Guangzhou serum so relabelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-tax-doc-'));
    try {
      const file = join(dir, 'rates.json');
      writeFileSync(file, jsonBlock('"$validFrom"'));
      const d = JSON.parse(readFileSync('examples/guangzhou-9610.json', 'utf8'));
      d.inventory.items[0].gcode = '3304990099';
      const r = await runCli(['tax', '-', '--rates', file], JSON.stringify(d));
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(r.stdout).toContain(`line 1 (3304990099, rate 3304990099 from ${file}):`);
      expect(r.stdout).toMatch(/^total +700\.00 +0\.00 +86\.47 +74\.94 +161\.41$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
