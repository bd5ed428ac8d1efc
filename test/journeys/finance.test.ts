import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';

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
    expect(summary).toMatch(/declared tax \(taxTotal\) +5912\.67/);
    expect(summary).toMatch(/billed tax \(CEB816\) +5668\.26/);
    expect(summary).toMatch(/SD000000000073 +31052026I000000073 +valueAddedTax +0\.01/);

    const csv = readFileSync(join(out, 'reconcile-2026-11.csv'));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for spreadsheet software
    const [header, ...rows] = csv.toString('utf8').slice(1).trim().split(/\r\n/);
    const cols = header!.split(',');
    expect(rows).toHaveLength(101);
    // The CSV rows add up exactly to the summary's billed total.
    const billed = rows.reduce(
      (sum, row) => sum.plus(row.split(',')[cols.indexOf('billedTaxTotal')] || '0'),
      new Decimal(0),
    );
    expect(billed.toFixed(2)).toBe('5668.26');
  });
});
