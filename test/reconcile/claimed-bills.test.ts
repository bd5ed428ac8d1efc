import { describe, expect, it } from 'vitest';
import { MemoryStore, openSqliteStore, reconcile, type ReconcileStore } from '../../src/reconcile/index.js';
import { runCli } from '../helpers/cli.js';
import { calculate, memoryData } from './helpers.js';

/*
 * One customs tax bill counts once. Two orders that reach one inventory (a reused invtNo, or one
 * order linked by its copNo through a CEB622 and another naming the invtNo) used to share its
 * bills: the bill was counted for each, the billed total overstated by it, both rows `matched`
 * and the month balanced (exit 0). The bills now count for the first declaration that reaches the
 * inventory; a later one has none, and its row says whose they are.
 */

const data = memoryData(20);
const A = data.declarations[10] as Record<string, any>; // generated without a defect: matched
const billOfA = data.documents.filter((d) => d.messageType === 'CEB816' && d.fields.invtNo === A.inventory.invtNo);

const stores: Array<[string, () => Promise<ReconcileStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['SQLite', () => openSqliteStore()],
];

describe.each(stores)('an inventory reached by two orders (%s index)', (_name, open) => {
  it('counts its bill for the first order only; the second is bill-missing and names the bill', async () => {
    const other = structuredClone(A);
    other.order.orderNo = other.inventory.orderNo = 'SD000000099999';
    other.payment.orderNo = other.logistics.orderNo = 'SD000000099999';
    const store = await open();
    const report = await reconcile({ declarations: [A, other], documents: billOfA }, { calculate, store });
    const rows = [...report.rows()];
    const taxNo = billOfA[0]!.fields.taxNo;
    expect(
      rows.map((r) => [r.orderNo, r.invtNo, r.status, r.taxNos, r.notes.filter((n) => !n.startsWith('line:'))]),
    ).toEqual([
      ['SD000000000010', A.inventory.invtNo, 'matched', [taxNo], []],
      ['SD000000099999', A.inventory.invtNo, 'bill-missing', [], [`bill-already-counted:${taxNo}`]],
    ]);
    // The generator's bill for SD000000000010: VAT 2.25 + 13.65 = 15.90, counted once (before: 31.80).
    expect(billOfA).toHaveLength(1);
    expect(report.summary.billedTaxTotal.toFixed(2)).toBe('15.90');
    expect(report.summary.declaredTaxTotal.toFixed(2)).toBe('31.80');
    expect(report.summary.billMissing).toBe(1);
    store.close();
  });
});

describe('sandan reconcile: an inventory reached by a copNo link and by its invtNo', () => {
  // SDM00000000001 names copNo COPA, which the CEB622 links to 29242026I000000001; SDM00000000002
  // names that invtNo itself. One CEB816 of VAT 18.11 for it.
  const dir = 'test/fixtures/reconcile-claimed';
  it.each([
    ['memory', '0'],
    ['sqlite', '0'],
    ['sqlite', '2'],
  ])(
    '%s index, %s workers: billed 18.11 once, the second order bill-missing, exit 1',
    async (index, workers) => {
      const r = await runCli([
        'reconcile',
        '--declarations',
        `${dir}/declarations.ndjson`,
        '--tax-bills',
        `${dir}/bills`,
        '--receipts',
        `${dir}/receipts`,
        '--rates',
        'examples/rates.example.json',
        '--format',
        'json',
        '--index',
        index,
        '--workers',
        workers,
      ]);
      expect(r.stderr).toBe('');
      const j = JSON.parse(r.stdout);
      expect(j.orders.map((o: Record<string, any>) => [o.orderNo, o.linkedBy, o.status, o.notes])).toEqual([
        ['SDM00000000001', 'copNo', 'matched', ['line:1']],
        ['SDM00000000002', 'invtNo', 'bill-missing', ['line:2', 'bill-already-counted:29242026I00000000101']],
      ]);
      // Withheld 18.11 + 18.11 = 36.22; billed 18.11 (before: 36.22, and exit 0).
      expect([j.summary.declaredTaxTotal, j.summary.billedTaxTotal]).toEqual(['36.22', '18.11']);
      expect(r.code).toBe(1);
    },
    30_000,
  );
});
