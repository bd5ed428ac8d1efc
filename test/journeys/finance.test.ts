import { pathWithSandan, standInNpx } from '../helpers/npx.js';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseString } from '@fast-csv/parse';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { readXlsxWithPython, type XlsxCell } from '../reconcile/xlsx-reader.js';

function parseCsv(text: string): Promise<string[][]> {
  return new Promise((done, fail) => {
    const rows: string[][] = [];
    parseString(text, { headers: false, ignoreEmpty: false, trim: false })
      .on('error', fail)
      .on('data', (r: string[]) => rows.push(r))
      .on('end', () => done(rows));
  });
}

const fen = (values: Array<string | null | undefined>) =>
  values
    .reduce<Decimal>((a, v) => (v === null || v === undefined || v === '' ? a : a.plus(v)), new Decimal(0))
    .toFixed(2);

describe('journey 3: month-end reconciliation for finance', () => {
  it('writes the CSV and the summary, finds the month’s known defects, and totals add up', () => {
    const out = mkdtempSync(join(tmpdir(), 'sandan-month-'));
    const r = spawnSync('node', ['examples/finance/month-end.mjs', 'examples/finance/2026-11', '--out', out], {
      encoding: 'utf8',
    });
    // The month was generated with one defect of each kind (test/reconcile/generator.ts), so it does not balance.
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('needs a look');
    const summary = readFileSync(join(out, 'summary-2026-11.txt'), 'utf8');
    for (const [label, n] of [
      ['matched', 94],
      ['mismatch', 1],
      ['bill missing', 1],
      ['bill without declaration', 1],
      ['cancelled', 1],
      ['refunded', 1],
      ['bill void', 1],
      ['unlinked', 1],
    ] as const) {
      expect(summary).toMatch(new RegExp(`\\n  ${label} +${n}\\n`));
    }
    expect(summary).toMatch(/withheld tax \(taxTotal\) +5912\.67/);
    expect(summary).toMatch(/billed tax \(CEB816\) +5668\.26/);
    expect(summary).toMatch(/SD000000000073 +31052026I000000073 +VAT +0\.01/);

    const csv = readFileSync(join(out, 'reconcile-2026-11.csv'));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for spreadsheet software
    const [header, ...rows] = csv.toString('utf8').slice(1).trim().split(/\r\n/);
    // Bilingual headers, `中文 / English`.
    const cols = header!.split(',').map((h) => h.split(' / ')[1]);
    expect(header!.startsWith('订单编号 / orderNo,清单编号 / invtNo,')).toBe(true);
    expect(rows).toHaveLength(101);
    // The CSV rows add up exactly to the summary's billed total.
    const billed = rows.reduce(
      (sum, row) => sum.plus(row.split(',')[cols.indexOf('billedTaxTotal')] || '0'),
      new Decimal(0),
    );
    expect(billed.toFixed(2)).toBe('5668.26');
  });

  it('a folder that is not a month: one line on standard error and exit 2, no stack trace', () => {
    const r = spawnSync('node', ['examples/finance/month-end.mjs', 'no-such-month', '--out', tmpdir()], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^month-end: ENOENT: no such file or directory, open 'no-such-month\/rates\.json'\n$/);
  });

  it('month-end.mjs and sandan reconcile give one verdict: a month whose only defect is a void bill needs a look', () => {
    // Three orders of the example month (lines 2, 3 and 93), the bills of two, and the void bill (status 3) of the third.
    const month = join(mkdtempSync(join(tmpdir(), 'sandan-void-')), 'void');
    mkdirSync(join(month, 'receipts'), { recursive: true });
    const lines = readFileSync('examples/finance/2026-11/declarations.ndjson', 'utf8').split('\n');
    writeFileSync(join(month, 'declarations.ndjson'), `${[lines[1], lines[2], lines[92]].join('\n')}\n`);
    cpSync('examples/finance/2026-11/rates.json', join(month, 'rates.json'));
    cpSync('test/fixtures/finance-void/bills', join(month, 'bills'), { recursive: true });

    const cli = spawnSync(
      'node',
      [
        'bin/sandan.js',
        'reconcile',
        '--declarations',
        join(month, 'declarations.ndjson'),
        '--tax-bills',
        join(month, 'bills'),
        '--rates',
        join(month, 'rates.json'),
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    expect(cli.stdout).toMatch(/\n {2}bill void +1\n/);
    expect(cli.status, cli.stderr).toBe(1);

    const mjs = spawnSync('node', ['examples/finance/month-end.mjs', month, '--out', join(month, 'out')], {
      encoding: 'utf8',
    });
    expect(mjs.stdout).toMatch(/\n {2}bill void +1\n/);
    expect(mjs.stdout.trimEnd()).toMatch(/: needs a look$/);
    expect(mjs.status, mjs.stderr).toBe(1);
  }, 90_000);

  it("month-end.sh on a fresh clone, where sandan is not on PATH: it runs the project's own through npx", () => {
    const path = process.env.PATH ?? '';
    expect(spawnSync('sh', ['-c', 'command -v sandan'], { env: { ...process.env, PATH: path } }).status).not.toBe(0);
    const bin = standInNpx();
    const out = mkdtempSync(join(tmpdir(), 'sandan-month-npx-'));
    const r = spawnSync('sh', ['examples/finance/month-end.sh', 'examples/finance/2026-11', out], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${path}` },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('needs a look');
    expect(JSON.parse(readFileSync(join(out, 'reconcile-2026-11.json'), 'utf8')).summary.orders).toBe(101);
    // Four sandan processes in turn, as the test above (90 s): past 60 s under a load of 10.
  }, 120_000);

  // Several sandan processes in turn: 16–20 s alone, past 30 s on a loaded machine (sessions 14 and 15).
  it('month-end.sh: plain sandan calls write JSON, CSV, XLSX and HTML whose totals agree to the fen, and a waterfall that explains the whole difference', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sandan-month-sh-'));
    const r = spawnSync('sh', ['examples/finance/month-end.sh', 'examples/finance/2026-11', out], {
      encoding: 'utf8',
      env: { ...process.env, PATH: pathWithSandan() },
    });
    expect(r.status, r.stderr).toBe(1);
    // Not a terminal: no progress bar.
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('needs a look');

    type Totals = { declaredTaxTotal: string; billedTaxTotal: string; difference: string; waterfall: Waterfall };
    type Waterfall = {
      withheld: string;
      billed: string;
      difference: string;
      causes: Array<{ cause: string; orders: number; amount: string }>;
    };
    const json = JSON.parse(readFileSync(join(out, 'reconcile-2026-11.json'), 'utf8')) as {
      summary: Totals & { byMonth: Record<string, Totals>; byDistrict: Record<string, Totals> };
      orders: Array<{ billed: { taxTotal: string } | null; declaredTaxTotal: string | null }>;
    };
    const s = json.summary;
    // withheld 5912.67, billed 5668.26: difference 5668.26 − 5912.67 = −244.41
    //   = 0.00 (94 matched) + 0.01 (the mismatch) − 69.39 (bill missing, void, unlinked)
    //     + 29.81 (the bill nobody declared) − 204.84 (the cancelled order) + 0.00 (refunded)
    //     + 0.00 (no order customs rejected).
    expect(s.waterfall).toEqual({
      withheld: '5912.67',
      billed: '5668.26',
      difference: '-244.41',
      causes: [
        { cause: 'rounding', orders: 94, amount: '0.00' },
        { cause: 'mismatch', orders: 1, amount: '0.01' },
        { cause: 'bill-missing', orders: 3, amount: '-69.39' },
        { cause: 'bill-without-declaration', orders: 1, amount: '29.81' },
        { cause: 'cancelled', orders: 1, amount: '-204.84' },
        { cause: 'refunded', orders: 1, amount: '0.00' },
        { cause: 'rejected', orders: 0, amount: '0.00' },
        { cause: 'not-computed', orders: 0, amount: '0.00' },
        { cause: 'other', orders: 0, amount: '0.00' },
      ],
    });
    for (const g of [s, ...Object.values(s.byMonth), ...Object.values(s.byDistrict)])
      expect(fen(g.waterfall.causes.map((c) => c.amount))).toBe(g.difference);
    expect(fen(json.orders.map((o) => o.billed?.taxTotal))).toBe(s.billedTaxTotal);

    // CSV (read by fast-csv): its columns add up to the JSON's totals.
    const [header, ...rows] = await parseCsv(readFileSync(join(out, 'reconcile-2026-11.csv'), 'utf8').slice(1));
    const col = (name: string) => rows.map((row) => row[header!.findIndex((h) => h.endsWith(` / ${name}`))]);
    expect(rows).toHaveLength(101);
    expect(fen(col('billedTaxTotal'))).toBe(s.billedTaxTotal);
    expect(fen(col('declaredTaxTotal'))).toBe(s.declaredTaxTotal);

    // XLSX (read by python3): the Rows sheet adds up to the same totals; the Summary sheet holds the waterfall.
    const [summary, sheet] = readXlsxWithPython(join(out, 'reconcile-2026-11.xlsx'));
    const letter = (name: string) => sheet!.rows[0]!.find((c) => c.v?.endsWith(` / ${name}`))!.col;
    const xcol = (name: string) => sheet!.rows.slice(1).map((row) => row.find((c) => c.col === letter(name))?.v);
    expect(sheet!.rows).toHaveLength(102);
    expect(fen(xcol('billedTaxTotal'))).toBe(s.billedTaxTotal);
    expect(fen(xcol('declaredTaxTotal'))).toBe(s.declaredTaxTotal);
    const at = (row: XlsxCell[] | undefined, c: string) => row?.find((x) => x.col === c)?.v;
    const byCause = new Map(summary!.rows.map((row) => [at(row, 'B'), at(row, 'D')]));
    expect(new Decimal(byCause.get('difference')!).toFixed(2)).toBe(s.difference);
    for (const c of s.waterfall.causes) expect(new Decimal(byCause.get(c.cause) ?? 'NaN').toFixed(2)).toBe(c.amount);

    // HTML: the page shows the same totals and waterfall (test/reconcile/html.test.ts checks its charts and every
    // table against the JSON in a browser).
    const html = readFileSync(join(out, 'reconcile-2026-11.html'), 'utf8');
    for (const figure of [
      s.billedTaxTotal,
      s.declaredTaxTotal,
      s.difference,
      ...s.waterfall.causes.map((c) => c.amount),
    ])
      expect(html).toContain(`>${figure}<`);

    // The summary text lists the same waterfall.
    const text = readFileSync(join(out, 'summary-2026-11.txt'), 'utf8');
    expect(text).toMatch(/\n {4}cancelled +1 +-204\.84\n/);
    expect(text).toMatch(/\n {4}bill missing +3 +-69\.39\n/);
  }, 120_000);
});
