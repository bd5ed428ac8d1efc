import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { pathWithSandan } from '../helpers/npx.js';
import { readXlsxWithPython } from '../reconcile/xlsx-reader.js';

/*
 * docs/reconcile.md "Month end, step by step": every command the section shows is run here as written, from a
 * folder that sees the repository's examples/ as the repository root does, and the figures it quotes are checked
 * against what the commands print and write.
 */
const doc = readFileSync('docs/reconcile.md', 'utf8');
const section = /\n## Month end, step by step\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? '';
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  (m[1] ?? '').split('\n').filter((l) => l.startsWith('sandan ')),
);
/** The text summary the section quotes (the one unlabelled code block). */
const quoted = /\*\*3\. Read the summary\.\*\*[^`]*```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';

/** A folder with `sandan` on its PATH (the package's bin, as npm links it) and the repository's examples/. */
function workspace(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-month-end-'));
  symlinkSync(resolve('examples'), join(dir, 'examples'));
  return { dir, env: { ...process.env, PATH: pathWithSandan(), CI: 'true' } };
}

const sum = (xs: string[]) => xs.reduce((a, x) => a.plus(x), new Decimal(0)).toFixed(2);

describe('docs/reconcile.md "Month end, step by step"', () => {
  it('shows one reconcile command writing five files and the usage error, and quotes a summary', () => {
    expect(commands).toHaveLength(2);
    expect(commands[0]?.match(/ --out /g)).toHaveLength(5);
    expect(quoted).toContain('billed tax (CEB816)');
  });

  const { dir, env } = workspace();
  const runs = commands.map((c) => spawnSync('sh', ['-c', c], { cwd: dir, env, encoding: 'utf8' }));

  /** The text summary the first command writes. */
  const summary = () => readFileSync(join(dir, 'summary-2026-11.txt'), 'utf8');

  it('each command exits as the section says: 1 for this month, 2 for the workbook without a file', () => {
    expect(runs.map((r) => r.status)).toEqual([1, 2]);
    // Every output went to its file: nothing on standard output, nothing on standard error.
    expect([runs[0]?.stdout, runs[0]?.stderr]).toEqual(['', '']);
    expect(section).toContain('prints nothing on standard output');
    const usage = runs[1]?.stderr.split('\n')[0] ?? '';
    expect(usage).toBe('sandan: --format xlsx writes a workbook: give it a file with --out FILE.xlsx');
    expect(section).toContain(`prints \`${usage}\` and exits 2`);
  });

  it('the quoted summary is what the first command writes, and its causes add up to the difference', () => {
    expect(summary()).toContain(quoted);
    const figure = (label: string) => new RegExp(`${label} +(-?[\\d.]+)`).exec(quoted)?.[1] ?? '';
    const withheld = figure('withheld tax \\(taxTotal\\)');
    const billed = figure('billed tax \\(CEB816\\)');
    const difference = figure('difference \\(billed − withheld\\)');
    expect(new Decimal(billed).minus(withheld).toFixed(2)).toBe(difference);
    const causes = quoted.split('by cause')[1] ?? '';
    const amounts = [...causes.matchAll(/^ {4}\S.*? +\d+ +(-?\d+\.\d\d)$/gm)].map((m) => m[1] ?? '');
    expect(amounts).toEqual(['0.00', '0.01', '-69.39', '29.81', '-204.84', '0.00']);
    expect(sum(amounts)).toBe(difference);
    // The section's own arithmetic.
    expect(section).toContain(
      `0.00 + 0.01 − 69.39 + 29.81 − 204.84 + 0.00 = −244.41 = ${billed} − ${withheld}`.replace(/-/g, '−'),
    );
  });

  it('the CSV rows carry the statuses and amounts the section names, and add up to the billed total', () => {
    const csv = readFileSync(join(dir, 'reconcile-2026-11.csv'), 'utf8').replace(/^\uFEFF/, '');
    const [header = '', ...lines] = csv.trim().split('\r\n');
    const cols = header.split(',').map((h) => h.split(' / ')[1]);
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
    expect(rows).toHaveLength(101);
    expect(sum(rows.map((r) => r.billedTaxTotal || '0'))).toBe('5668.26');
    const byOrder = (no: string) => rows.find((r) => r.orderNo === no);
    for (const [order, status, withheld] of [
      ['SD000000000073', 'mismatch', '31.76'],
      ['SD000000000000', 'bill-missing', '31.76'],
      ['SD000000000092', 'bill-void', '15.90'],
      ['SD000000000084', 'unlinked', '21.73'],
      ['SD000000000019', 'cancelled', '204.84'],
      ['SD000000000046', 'refunded', '14.77'],
    ] as const) {
      expect(byOrder(order), order).toMatchObject({ status, declaredTaxTotal: withheld });
      // The section names each status as the CSV's statusLabel column writes it beside the code.
      expect(section).toContain(`| \`${status}\` (${byOrder(order)?.statusLabel?.split(' / ')[0]})`);
      expect(section).toContain(`| ${order}:`);
    }
    expect(byOrder('SD000000000073')).toMatchObject({ billedValueAddedTax: '31.77', computedValueAddedTax: '31.76' });
    expect(byOrder('SD000000000046')?.billedTaxTotal).toBe('14.77');
    expect(rows.find((r) => r.status === 'bill-without-declaration')).toMatchObject({
      invtNo: '51002026I000000100',
      billedTaxTotal: '29.81',
      // Its bill names no order: the orderNo cell is empty, and the words beside the status say what to search by.
      orderNo: '',
      statusLabel:
        '有税单无申报（税单未载订单编号，请按清单编号查找） / bill without declaration (its bills name no orderNo: search by invtNo)',
    });
    expect(section).toContain('search by invtNo');
    // "bill missing" in the causes: the bill-missing, bill-void and unlinked rows.
    expect(sum(['-31.76', '-15.90', '-21.73'])).toBe('-69.39');
    expect(section).toContain('−31.76 − 15.90 − 21.73 = −69.39');
  });

  it('the JSON, the workbook and the page agree with the summary; months add up', () => {
    const report = JSON.parse(readFileSync(join(dir, 'reconcile-2026-11.json'), 'utf8'));
    expect(report.summary).toMatchObject({ declaredTaxTotal: '5912.67', billedTaxTotal: '5668.26', orders: 101 });
    expect(report.summary.inputs.duplicateBills).toBe(1);
    // The duplicate is named (taxNo, both files and places) in the report's problems, as the section quotes it; the
    // text summary says "1 duplicate", not "1 duplicates".
    const named = (report.summary.problems as string[]).filter((p) => p.includes('came twice'));
    expect(named).toEqual([
      'CEB816 taxNo 22442026I00000006501 came twice: first in examples/finance/2026-11/bills/CEB816-000002.xml, bill 15, again in examples/finance/2026-11/bills/CEB816-000003.xml, bill 1; the copies agree (inventory, order, amounts), counted once',
    ]);
    expect(section).toContain(`\`${named[0]}\``);
    expect(summary()).toContain('100 bills (1 duplicate), 1 bill status, 4 receipts');
    expect(section).toContain('`100 bills (1 duplicate)`');
    const months = Object.entries(report.summary.byMonth as Record<string, { billedTaxTotal: string }>);
    expect(months.map(([month, m]) => [month, m.billedTaxTotal])).toEqual([
      ['2026-11', '5638.45'],
      ['2026-12', '29.81'],
    ]);
    expect(section).toContain("November's billed 5638.45 + December's 29.81 = 5668.26");
    const sheets = readXlsxWithPython(join(dir, 'reconcile-2026-11.xlsx'));
    expect(sheets.map((s) => s.name)).toEqual(['Summary', 'Rows', 'Mismatches']);
    const html = readFileSync(join(dir, 'reconcile-2026-11.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('5668.26');
    expect(html).toContain('100 bills (1 duplicate), 1 bill status, 4 receipts');
  });

  it('--tolerance 0.01 makes the 0.01 VAT difference matched, as the section says', () => {
    // (the first command without its files: one report, to standard output)
    const first = (commands[0] ?? '').replace(/ --out \S+/g, '');
    const r = spawnSync('sh', ['-c', `${first} --tolerance 0.01 --format json`], { cwd: dir, env, encoding: 'utf8' });
    const report = JSON.parse(r.stdout);
    expect(report.summary).toMatchObject({ matched: 95, mismatched: 0 });
    expect(section).toContain(
      '`--tolerance 0.01` shows which mismatches are only that (here the row becomes `matched`)',
    );
  });
});
