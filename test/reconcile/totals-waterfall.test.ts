import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  summaryToJSON,
  type ReconcileTotalsJSON,
  reconcile,
  type StoredBill,
  WATERFALL_CAUSES,
  type ReconcileRow,
  type ReconcileSummary,
  type TaxSplit,
} from '../../src/reconcile/index.js';
import { Dec } from '../../src/model/primitives.js';
import { decideRow, orphanRow } from '../../src/reconcile/facts.js';
import { rowWaterfallAmount, waterfallCause } from '../../src/reconcile/totals.js';
import { calculate, memoryData, totalsOfRows } from './helpers.js';

const INPUTS: ReconcileSummary['inputs'] = {
  declarations: 0,
  bills: 0,
  duplicateBills: 0,
  conflictingBills: 0,
  billStatuses: 0,
  receipts: 0,
  skippedDocuments: 0,
  unreadableDocuments: 0,
};

function summaryOf(rows: ReconcileRow[]) {
  const acc = totalsOfRows(rows);
  return summaryToJSON({
    ...acc.all,
    byMonth: Object.fromEntries(acc.byMonth),
    byDistrict: Object.fromEntries(acc.byDistrict),
    inputs: INPUTS,
  });
}

/** Every group's causes add up to its difference, which is billed − withheld, to the fen and exactly. */
function checkWaterfall(g: ReconcileTotalsJSON): void {
  const w = g.waterfall;
  expect(w.causes.map((c) => c.cause)).toEqual(WATERFALL_CAUSES);
  expect(w.withheld).toBe(g.declaredTaxTotal);
  expect(w.billed).toBe(g.billedTaxTotal);
  expect(w.difference).toBe(g.difference);
  expect(new Dec(w.billed).minus(w.withheld).eq(w.difference)).toBe(true);
  const sum = w.causes.reduce((a, c) => a.plus(c.amount), new Dec(0));
  expect(sum.eq(w.difference), `${sum.toFixed()} ≠ ${w.difference}`).toBe(true);
  expect(w.causes.reduce((a, c) => a + c.orders, 0)).toBe(g.orders);
}

function checkAll(s: ReturnType<typeof summaryToJSON>): void {
  checkWaterfall(s);
  for (const g of [...Object.values(s.byMonth), ...Object.values(s.byDistrict)]) checkWaterfall(g);
}

const cents = fc.integer({ min: 0, max: 5_000_000 }).map((c) => new Dec(c).div(100));
const split = fc
  .tuple(cents, cents, cents)
  .map(([a, b, c]): TaxSplit => ({ customsTax: a, consumptionTax: b, valueAddedTax: c, taxTotal: a.plus(b).plus(c) }));
const bill = fc.record({ ct: cents, vat: cents, cons: cents, void: fc.boolean() }).map(
  (b): StoredBill => ({
    invtNo: 'I',
    taxNo: `T${b.ct.toFixed()}`,
    returnTime: '20261105120000000',
    status: '1',
    void: b.void,
    customsTax: b.ct.toFixed(),
    valueAddedTax: b.vat.toFixed(),
    consumptionTax: b.cons.toFixed(),
  }),
);
const month = fc.constantFrom('2026-09', '2026-10', 'unknown');
const district = fc.constantFrom('2900', '2200', 'unknown');
const orderRow = fc
  .record({
    invtNo: fc.option(fc.constant('29242026I000000001'), { nil: undefined }),
    month,
    district,
    declared: fc.option(cents, { nil: undefined }),
    computed: fc.option(split, { nil: undefined }),
    bills: fc.array(bill, { maxLength: 3 }),
    cancelled: fc.boolean(),
    refunded: fc.boolean(),
    tolerance: fc.constantFrom('0', '0.01', '1'),
  })
  .map(
    (r): ReconcileRow =>
      decideRow(
        {
          orderNo: 'O',
          invtNo: r.invtNo,
          month: r.month,
          district: r.district,
          declaredTaxTotal: r.declared,
          computed: r.computed,
          bills: r.bills,
          cancelled: r.cancelled,
          refunded: r.refunded,
          notes: [],
        },
        new Dec(r.tolerance),
      ),
  );
const orphan = fc.array(bill, { minLength: 1, maxLength: 2 }).map(orphanRow);
const duplicate = fc.record({ month, district }).map(
  ({ month, district }): ReconcileRow => ({
    orderNo: 'O',
    taxNos: [],
    status: 'duplicate-declaration',
    month,
    district,
    mismatches: [],
    notes: [],
  }),
);
const anyRow = fc.oneof({ arbitrary: orderRow, weight: 6 }, orphan, duplicate);

describe('the waterfall: the difference between tax billed and tax withheld, by cause', () => {
  it('its causes add up to the difference in every group, for any rows (property)', () => {
    fc.assert(
      fc.property(fc.array(anyRow, { maxLength: 40 }), (rows) => {
        const s = summaryOf(rows);
        checkAll(s);
        // Each cause is exactly the sum of its rows' billed − withheld.
        for (const c of s.waterfall.causes) {
          const mine = rows.filter((r) => waterfallCause(r) === c.cause);
          expect(c.orders).toBe(mine.length);
          expect(c.amount).toBe(mine.reduce((a, r) => a.plus(rowWaterfallAmount(r)), new Dec(0)).toFixed(2));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('its causes add up to the difference for generated reconciliations of any size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 400 }), fc.constantFrom('0', '0.01'), async (orders, tolerance) => {
        const d = memoryData(orders);
        const report = await reconcile(
          { declarations: d.declarations, documents: d.documents },
          { calculate, tolerance },
        );
        const s = summaryToJSON(report.summary);
        checkAll(s);
        const rows = [...report.rows()];
        // The generator declares every order's taxTotal and has no duplicate declarations: nothing is "other".
        expect(s.waterfall.causes.find((c) => c.cause === 'other')).toEqual({
          cause: 'other',
          orders: 0,
          amount: '0.00',
        });
        // Bills missing covers bill-missing, bill-void and unlinked orders.
        const missing = rows.filter((r) => ['bill-missing', 'bill-void', 'unlinked'].includes(r.status));
        expect(s.waterfall.causes.find((c) => c.cause === 'bill-missing')?.orders).toBe(missing.length);
      }),
      { numRuns: 8 },
    );
  });

  it('a hand-computed month: eight orders, one of each cause', () => {
    const b = (taxNo: string, vat: string): StoredBill => ({
      invtNo: taxNo,
      taxNo,
      returnTime: '20261110120000000',
      status: '1',
      void: false,
      customsTax: '0',
      consumptionTax: '0',
      valueAddedTax: vat,
    });
    const vat = (v: string): TaxSplit => {
      const d = new Dec(v);
      return { customsTax: new Dec(0), consumptionTax: new Dec(0), valueAddedTax: d, taxTotal: d };
    };
    const order = (
      o: string,
      m: string,
      dist: string,
      declared: string,
      computed: string | undefined,
      bills: StoredBill[],
      extra: { cancelled?: boolean; refunded?: boolean; rejected?: boolean } = {},
    ) =>
      decideRow(
        {
          orderNo: o,
          invtNo: o,
          month: m,
          district: dist,
          declaredTaxTotal: new Dec(declared),
          computed: computed === undefined ? undefined : vat(computed),
          bills,
          cancelled: extra.cancelled ?? false,
          refunded: extra.refunded ?? false,
          rejected: extra.rejected ?? false,
          notes: [],
        },
        new Dec('0.01'),
      );
    const rows = [
      order('A', '2026-10', '2900', '10.00', '10.00', [b('A', '10.01')]), // matched within 0.01: +0.01
      order('B', '2026-10', '2900', '20.00', '20.00', [b('B', '25.50')]), // mismatch: +5.50
      order('C', '2026-10', '2900', '7.30', '7.30', []), // bill missing: −7.30
      orphanRow([b('D', '3.20')]), // bill without declaration (its bill's month 2026-11, district unknown): +3.20
      order('E', '2026-11', '2200', '4.00', '4.00', [], { cancelled: true }), // cancelled, no bill: −4.00
      order('F', '2026-11', '2200', '9.00', '9.00', [b('F', '9.00')], { refunded: true }), // refunded: 0.00
      order('G', '2026-11', '2200', '1.00', undefined, [b('G', '1.10')]), // not computed: +0.10
      order('H', '2026-12', '3100', '6.00', '6.00', [], { rejected: true }), // rejected by customs, no bill: −6.00
    ];
    expect(rows.map((r) => r.status)).toEqual([
      'matched',
      'mismatch',
      'bill-missing',
      'bill-without-declaration',
      'cancelled',
      'refunded',
      'not-computed',
      'rejected',
    ]);
    const s = summaryOf(rows);
    // withheld 10.00 + 20.00 + 7.30 + 4.00 + 9.00 + 1.00 + 6.00 = 57.30
    // billed   10.01 + 25.50 + 3.20 + 9.00 + 1.10 = 48.81
    // difference 48.81 − 57.30 = −8.49 = 0.01 + 5.50 − 7.30 + 3.20 − 4.00 + 0.00 − 6.00 + 0.10
    expect(s.waterfall).toEqual({
      withheld: '57.30',
      billed: '48.81',
      difference: '-8.49',
      causes: [
        { cause: 'rounding', orders: 1, amount: '0.01' },
        { cause: 'mismatch', orders: 1, amount: '5.50' },
        { cause: 'bill-missing', orders: 1, amount: '-7.30' },
        { cause: 'bill-without-declaration', orders: 1, amount: '3.20' },
        { cause: 'cancelled', orders: 1, amount: '-4.00' },
        { cause: 'refunded', orders: 1, amount: '0.00' },
        { cause: 'rejected', orders: 1, amount: '-6.00' },
        { cause: 'not-computed', orders: 1, amount: '0.10' },
        { cause: 'other', orders: 0, amount: '0.00' },
      ],
    });
    // The rejected order's withheld 6.00 is owed back to its buyer, in December and district 3100 only.
    expect([s.rejected, s.rejectedTaxTotal]).toEqual([1, '6.00']);
    expect(s.byMonth['2026-12']!.rejectedTaxTotal).toBe('6.00');
    expect(s.byMonth['2026-11']!.rejectedTaxTotal).toBe('0.00');
    // October 2900: 35.51 − 37.30 = −1.79 = 0.01 + 5.50 − 7.30.
    expect(s.byMonth['2026-10']!.waterfall.difference).toBe('-1.79');
    expect(s.byDistrict['2900']!.waterfall.causes.slice(0, 3).map((c) => c.amount)).toEqual(['0.01', '5.50', '-7.30']);
    // November 2200: 10.10 − 14.00 = −3.90 = −4.00 + 0.00 + 0.10; the orphan bill (returned 2026-11) adds 3.20 to November.
    expect(s.byDistrict['2200']!.waterfall.difference).toBe('-3.90');
    expect(s.byMonth['2026-11']!.waterfall.difference).toBe('-0.70');
    checkAll(s);
  });

  it('an order billed without a declared taxTotal is "other", a duplicate declaration is "other" for 0', () => {
    const row = decideRow({
      orderNo: 'O',
      invtNo: 'I',
      month: 'm',
      district: 'd',
      bills: [
        {
          invtNo: 'I',
          taxNo: 'T',
          returnTime: '',
          status: '1',
          void: false,
          customsTax: '0',
          consumptionTax: '0',
          valueAddedTax: '3.00',
        },
      ],
      cancelled: false,
      refunded: false,
      notes: [],
    });
    expect(row.status).toBe('not-computed');
    expect(waterfallCause(row)).toBe('not-computed');
    expect(waterfallCause({ ...row, status: 'matched' })).toBe('other');
    expect(waterfallCause({ status: 'duplicate-declaration' })).toBe('other');
    expect(rowWaterfallAmount(row).toFixed(2)).toBe('3.00');
  });
});
