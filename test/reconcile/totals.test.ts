import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  summaryToJSON,
  rowToJSON,
  type ReconcileRowJSON,
  type StoredBill,
  type ReconcileRow,
  type TaxSplit,
  reconcile,
} from '../../src/reconcile/index.js';
import { Dec } from '../../src/model/primitives.js';
import { decideRow } from '../../src/reconcile/facts.js';
import { CellTotals } from '../../src/reconcile/totals.js';
import { calculate, memoryData, totalsOfRows } from './helpers.js';

const cents = fc.integer({ min: 0, max: 5_000_000 }).map((c) => new Dec(c).div(100));
const split = fc
  .tuple(cents, cents, cents)
  .map(([a, b, c]): TaxSplit => ({ customsTax: a, consumptionTax: b, valueAddedTax: c, taxTotal: a.plus(b).plus(c) }));
const bill = fc.record({ ct: cents, vat: cents, cons: cents, void: fc.boolean() }).map(
  (b): StoredBill => ({
    invtNo: 'I',
    taxNo: `T${b.ct.toFixed()}${b.vat.toFixed()}`,
    returnTime: '',
    status: '1',
    void: b.void,
    customsTax: b.ct.toFixed(),
    valueAddedTax: b.vat.toFixed(),
    consumptionTax: b.cons.toFixed(),
  }),
);
const row = fc
  .record({
    orderNo: fc.option(fc.string({ minLength: 1, maxLength: 5 }), { nil: undefined }),
    invtNo: fc.option(fc.constant('29242026I000000001'), { nil: undefined }),
    month: fc.constantFrom('2026-09', '2026-10', 'unknown'),
    district: fc.constantFrom('2900', '2200', 'unknown'),
    dutiableValue: fc.option(cents, { nil: undefined }),
    declared: fc.option(cents, { nil: undefined }),
    computed: fc.option(split, { nil: undefined }),
    bills: fc.array(bill, { maxLength: 3 }),
    cancelled: fc.boolean(),
    refunded: fc.boolean(),
  })
  .map(
    (r): ReconcileRow =>
      decideRow({
        orderNo: r.orderNo,
        invtNo: r.invtNo,
        month: r.month,
        district: r.district,
        dutiableValue: r.dutiableValue,
        declaredTaxTotal: r.declared,
        computed: r.computed,
        bills: r.bills,
        cancelled: r.cancelled,
        refunded: r.refunded,
        notes: [],
      }),
  );

/** Sums a field of JSON rows with Decimal. */
function sum(rows: ReconcileRowJSON[], pick: (r: ReconcileRowJSON) => string | null | undefined): string {
  return rows.reduce((a, r) => a.plus(pick(r) ?? 0), new Dec(0)).toFixed(2);
}

function checkTotals(rows: ReconcileRowJSON[], summary: ReturnType<typeof summaryToJSON>): void {
  expect(summary.orders).toBe(rows.length);
  expect(summary.declaredTaxTotal).toBe(sum(rows, (r) => r.declaredTaxTotal));
  expect(summary.computedTaxTotal).toBe(sum(rows, (r) => r.computed?.taxTotal));
  expect(summary.billedTaxTotal).toBe(sum(rows, (r) => r.billed?.taxTotal));
  expect(summary.dutiableValue).toBe(sum(rows, (r) => r.dutiableValue));
  for (const k of ['customsTax', 'consumptionTax', 'valueAddedTax'] as const) {
    expect(summary.billed[k]).toBe(sum(rows, (r) => r.billed?.[k]));
    expect(summary.computed[k]).toBe(sum(rows, (r) => r.computed?.[k]));
  }
  expect(summary.difference).toBe(new Dec(summary.billedTaxTotal).minus(summary.declaredTaxTotal).toFixed(2));
  expect(
    summary.matched +
      summary.mismatched +
      summary.billMissing +
      summary.billWithoutDeclaration +
      summary.cancelled +
      summary.refunded +
      summary.billVoid +
      summary.unlinked +
      summary.notComputed +
      summary.duplicateDeclarations,
  ).toBe(rows.length);
  for (const [groups, key] of [
    [summary.byMonth, 'month'],
    [summary.byDistrict, 'district'],
  ] as const) {
    expect(Object.values(groups).reduce((a, g) => a + g.orders, 0)).toBe(rows.length);
    for (const [k, g] of Object.entries(groups)) {
      const mine = rows.filter((r) => r[key] === k);
      expect(g.orders).toBe(mine.length);
      expect(g.billedTaxTotal).toBe(sum(mine, (r) => r.billed?.taxTotal));
      expect(g.declaredTaxTotal).toBe(sum(mine, (r) => r.declaredTaxTotal));
      expect(g.computedTaxTotal).toBe(sum(mine, (r) => r.computed?.taxTotal));
    }
  }
}

describe('summary totals equal the sums of their rows (exact, Decimal)', () => {
  it('for any rows (property)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const acc = totalsOfRows(rows);
        const cells = new CellTotals();
        for (const r of rows) cells.add(r);
        // Folding (month, district) cells gives exactly the row-by-row totals.
        const folded = cells.result();
        expect(folded.all).toEqual(acc.all);
        expect(new Map([...folded.byMonth].sort())).toEqual(new Map([...acc.byMonth].sort()));
        expect(new Map([...folded.byDistrict].sort())).toEqual(new Map([...acc.byDistrict].sort()));
        const summary = summaryToJSON({
          ...acc.all,
          byMonth: Object.fromEntries(acc.byMonth),
          byDistrict: Object.fromEntries(acc.byDistrict),
          inputs: {
            declarations: 0,
            bills: 0,
            duplicateBills: 0,
            conflictingBills: 0,
            billStatuses: 0,
            receipts: 0,
            skippedDocuments: 0,
            unreadableDocuments: 0,
          },
        });
        checkTotals(rows.map(rowToJSON), summary);
      }),
      { numRuns: 300 },
    );
  });

  it('for a generated reconciliation of 500 orders', async () => {
    const d = memoryData(500);
    const report = await reconcile({ declarations: d.declarations, documents: d.documents }, { calculate });
    const rows = [...report.rows()];
    checkTotals(rows, summaryToJSON(report.summary));
    // Three months (Sep–Nov 2026 declarations, Dec 2026 for bills without declaration) and four districts.
    expect(Object.keys(report.summary.byMonth)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
    expect(Object.keys(report.summary.byDistrict)).toEqual(['2200', '2900', '3100', '5100']);
  });

  it('decideRow: a cancelled order keeps its figures but is not a mismatch; a tolerance absorbs 0.01', () => {
    const c = new Dec('10.00');
    const computed: TaxSplit = { customsTax: new Dec(0), consumptionTax: new Dec(0), valueAddedTax: c, taxTotal: c };
    const b: StoredBill = {
      invtNo: 'I',
      taxNo: 'T',
      returnTime: '',
      status: '1',
      void: false,
      customsTax: '0',
      valueAddedTax: '10.01',
      consumptionTax: '0',
    };
    const facts = {
      orderNo: 'O',
      invtNo: 'I',
      month: 'm',
      district: 'd',
      declaredTaxTotal: c,
      computed,
      bills: [b],
      cancelled: false,
      refunded: false,
      notes: [],
    };
    expect(decideRow(facts).mismatches.map((m) => `${m.kind}:${m.amount.toFixed(2)}`)).toEqual([
      'valueAddedTax:0.01',
      'declared:0.01',
    ]);
    expect(decideRow(facts, new Dec('0.01')).status).toBe('matched');
    expect(decideRow({ ...facts, cancelled: true })).toMatchObject({ status: 'cancelled', mismatches: [] });
    expect(decideRow({ ...facts, bills: [{ ...b, void: true }] })).toMatchObject({
      status: 'bill-void',
      billed: undefined,
      notes: ['void-bill:T'],
    });
  });
});

describe('money', () => {
  it('writes two places at least and every place the amount has, as toFixed would (property)', async () => {
    const { money } = await import('../../src/reconcile/json.js');
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.integer({ min: 0, max: 12 }),
        (units, places) => {
          const d = new Dec(units.toString()).dividedBy(new Dec(10).pow(places));
          return money(d) === (d.decimalPlaces() <= 2 ? d.toFixed(2) : d.toFixed());
        },
      ),
      { numRuns: 2000 },
    );
    expect([money(new Dec('-0')), money(new Dec('12.3')), money(new Dec('0.00001')), money(new Dec('1e25'))]).toEqual([
      '0.00',
      '12.30',
      '0.00001',
      '10000000000000000000000000.00',
    ]);
  });

  it('writes plain notation for a Decimal of the default configuration too, which switches to exponents at 1e-7 and 1e21', async () => {
    const { money } = await import('../../src/reconcile/json.js');
    // decimal.js by default writes toString() as '1e-7' and '1e+21': money must not.
    expect([new Decimal('1e-7').toString(), new Decimal('1e21').toString()]).toEqual(['1e-7', '1e+21']);
    expect(['1e-7', '-1.5e-7', '1e-6', '1e20', '1e21', '1.25e21'].map((v) => money(new Decimal(v)))).toEqual([
      '0.0000001',
      '-0.00000015',
      '0.000001',
      '100000000000000000000.00',
      '1000000000000000000000.00',
      '1250000000000000000000.00',
    ]);
    // A configuration with narrower bounds than either (toString writes '1e-3' and '1.2345e+4' there).
    const Narrow = Decimal.clone({ toExpNeg: -2, toExpPos: 3 });
    expect([new Narrow('0.001').toString(), new Narrow('12345').toString()]).toEqual(['1e-3', '1.2345e+4']);
    expect(['0.001', '-0.015', '12345', '12345.678'].map((v) => money(new Narrow(v)))).toEqual([
      '0.001',
      '-0.015',
      '12345.00',
      '12345.678',
    ]);
  });
});
