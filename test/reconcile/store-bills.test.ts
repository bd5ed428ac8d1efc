import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { reconcile, reportJsonChunks, type TaxBill } from '../../src/reconcile/index.js';
import { openSqliteStore } from '../../src/reconcile/sqlite-store.js';
import {
  billTuple,
  MemoryStore,
  type BillRecord,
  type BillsAdded,
  type ReconcileStore,
} from '../../src/reconcile/store.js';
import { orphanRow } from '../../src/reconcile/facts.js';
import { calculate } from './helpers.js';

// Worker threads post bills as JSON tuples (addBillTuples), this thread's scanner as records
// (addBills): both must store the same bills and links, in both stores, so that the report does
// not depend on the number of workers.

const bill = (invtNo: string, taxNo: string, orderNo?: string): BillRecord => ({
  invtNo,
  taxNo,
  returnTime: '20261120120000000',
  status: '1',
  customsTax: '0',
  valueAddedTax: '9.10',
  consumptionTax: '0',
  customsCode: '2924',
  ...(orderNo && { orderNo }),
});

// T1 is billed twice: the second bill, for another inventory and order, is a duplicate (first taxNo wins).
const BILLS = [bill('I1', 'T1', 'O1'), bill('I2', 'T1', 'O2'), bill('I3', 'T3', 'O3'), bill('I3', 'T4')];

const stores: Array<[string, () => Promise<ReconcileStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['sqlite', () => openSqliteStore()],
];

describe.each(stores)('bills in the %s store', (_, open) => {
  it.each([
    ['records', (s: ReconcileStore) => s.addBills(BILLS, 1)],
    ['tuples', (s: ReconcileStore) => s.addBillTuples(JSON.stringify(BILLS.map(billTuple)), BILLS.length, 1)],
  ])('as %s: one duplicate, and only the stored bills link their orders', async (_how, add) => {
    const store = await open();
    try {
      // The duplicate names another inventory and order than the stored copy: a conflict (see below).
      expect(add(store).duplicates).toBe(1);
      const [o1, o2, o3] = store.join([{ orderNo: 'O1' }, { orderNo: 'O2' }, { orderNo: 'O3' }]);
      expect([o1?.invtNo, o1?.linkedBy, o1?.bills.map((b) => b.taxNo)]).toEqual(['I1', 'orderNo', ['T1']]);
      // The duplicate bill was not stored, so it does not say which inventory O2 is.
      expect([o2?.invtNo, o2?.linkedBy, o2?.bills]).toEqual([undefined, undefined, []]);
      expect([o3?.invtNo, o3?.bills.map((b) => b.taxNo)]).toEqual(['I3', ['T3', 'T4']]);
      expect([...store.unclaimedBills()]).toEqual([]);
    } finally {
      store.close();
    }
  });
});

/** Both ways of adding bills: as records (this thread's scanner) and as tuples (worker threads). */
const HOW: Array<[string, (s: ReconcileStore, bills: BillRecord[], firstSeq: number) => BillsAdded]> = [
  ['records', (s, bills, firstSeq) => s.addBills(bills, firstSeq)],
  ['tuples', (s, bills, firstSeq) => s.addBillTuples(JSON.stringify(bills.map(billTuple)), bills.length, firstSeq)],
];

// Customs may deliver a bill's CEB816 again with status 3 (void) under the same taxNo: the repeat
// is not stored again, but it voids the bill, as a CEB818 status 3 for the taxNo would, whichever
// copy came first.
describe.each(stores)('a void repeat of a bill in the %s store', (_, open) => {
  const voidCopy = (b: BillRecord): BillRecord => ({ ...b, status: '3', returnTime: '20261205120000000' });
  it.each(HOW)('as %s: the taxNo is void, and a later valid copy does not revive it', async (_how, add) => {
    const store = await open();
    try {
      const first = bill('I1', 'T1', 'O1');
      const other = bill('I2', 'T2', 'O2');
      // T1: valid, then void in a later batch; T2: void, then a valid repeat. A status that differs
      // only by the void is no conflict: the void repeat is handled as such.
      expect(add(store, [first, voidCopy(other)], 1)).toEqual({ duplicates: 0, conflicts: [] });
      // The repeats are named (taxNo, both copies' numbers), so that the report can say where they came from.
      expect(add(store, [voidCopy(first), other], 3)).toEqual({
        duplicates: 2,
        conflicts: [],
        repeats: [
          { taxNo: 'T1', firstSeq: 1, repeatSeq: 3 },
          { taxNo: 'T2', firstSeq: 2, repeatSeq: 4 },
        ],
      });
      const [o1, o2] = store.join([{ orderNo: 'O1' }, { orderNo: 'O2' }]);
      expect(o1?.bills.map((b) => [b.taxNo, b.void])).toEqual([['T1', true]]);
      expect(o2?.bills.map((b) => [b.taxNo, b.void])).toEqual([['T2', true]]);
    } finally {
      store.close();
    }
  });
});

// Two copies of one taxNo that disagree (another inventory, other amounts, a status other than
// void, another office or order) are two contradictory bills: the store keeps the first (its
// figures are the ones used) and says which fields differ and the numbers of both copies. An exact
// repeat, or one whose amounts are written with other zeros, stays a quiet duplicate.
describe.each(stores)('conflicting copies of a taxNo in the %s store', (_, open) => {
  it.each(HOW)('as %s: each differing repeat is a conflict naming both copies and the fields', async (_how, add) => {
    const store = await open();
    try {
      const t1 = bill('I1', 'T1', 'O1');
      const t2 = bill('I2', 'T2');
      // Bills 1 and 2 stored; 3: T1 again with 9.10 written 9.1 and a later returnTime (no conflict);
      // 4: T1 with VAT 9.20 and customsCode 2244; 5: T2 for another inventory, status 2, an order.
      expect(add(store, [t1, t2], 1)).toEqual({ duplicates: 0, conflicts: [] });
      const added = add(
        store,
        [
          { ...t1, valueAddedTax: '9.1', customsTax: '0.00', returnTime: '20261201000000000' },
          { ...t1, valueAddedTax: '9.20', customsCode: '2244' },
          { ...t2, invtNo: 'I9', status: '2', orderNo: 'O9' },
        ],
        3,
      );
      expect(added).toEqual({
        duplicates: 3,
        conflicts: [
          {
            taxNo: 'T1',
            firstSeq: 1,
            repeatSeq: 4,
            differences: [
              { field: 'valueAddedTax', first: '9.10', repeat: '9.20' },
              { field: 'customsCode', first: '2924', repeat: '2244' },
            ],
          },
          // T2's first copy names no order: the repeat's orderNo contradicts nothing.
          {
            taxNo: 'T2',
            firstSeq: 2,
            repeatSeq: 5,
            // Status 1 then 2 is the bill being summarised, not a contradiction.
            differences: [{ field: 'invtNo', first: 'I2', repeat: 'I9' }],
          },
        ],
        // Bill 3, the agreeing copy of T1 (bill 1): a quiet duplicate, named.
        repeats: [{ taxNo: 'T1', firstSeq: 1, repeatSeq: 3 }],
      });
      // First copy wins: its inventory and amounts are what the join gives.
      const [o1] = store.join([{ orderNo: 'O1' }]);
      expect(o1?.bills.map((b) => [b.taxNo, b.invtNo, b.valueAddedTax, b.customsCode])).toEqual([
        ['T1', 'I1', '9.10', '2924'],
      ]);
      const [i9] = store.join([{ orderNo: 'O9', invtNo: 'I9' }]);
      expect(i9?.bills).toEqual([]);
    } finally {
      store.close();
    }
  });

  it.each(HOW)(
    'as %s: a status that moves from 1 to 2 is no conflict; one outside 1, 2 and 3 is',
    async (_how, add) => {
      const store = await open();
      try {
        const t1 = bill('I1', 'T1', 'O1');
        expect(add(store, [t1, { ...t1, status: '2' }, { ...t1, status: '1' }], 1)).toEqual({
          duplicates: 2,
          conflicts: [],
          repeats: [
            { taxNo: 'T1', firstSeq: 1, repeatSeq: 2 },
            { taxNo: 'T1', firstSeq: 1, repeatSeq: 3 },
          ],
        });
        expect(add(store, [{ ...t1, status: '9' }], 4)).toEqual({
          duplicates: 1,
          conflicts: [
            { taxNo: 'T1', firstSeq: 1, repeatSeq: 4, differences: [{ field: 'status', first: '1', repeat: '9' }] },
          ],
        });
      } finally {
        store.close();
      }
    },
  );

  it.each(HOW)('as %s: orders and amounts of a repeat in the same batch', async (_how, add) => {
    const store = await open();
    try {
      const t1 = bill('I1', 'T1', 'O1');
      // Within one batch: the second copy names another order, the third another duty and consumption tax.
      expect(
        add(store, [t1, { ...t1, orderNo: 'O2' }, { ...t1, customsTax: '1.00', consumptionTax: '0.5' }], 7),
      ).toEqual({
        duplicates: 2,
        conflicts: [
          { taxNo: 'T1', firstSeq: 7, repeatSeq: 8, differences: [{ field: 'orderNo', first: 'O1', repeat: 'O2' }] },
          {
            taxNo: 'T1',
            firstSeq: 7,
            repeatSeq: 9,
            differences: [
              { field: 'customsTax', first: '0', repeat: '1.00' },
              { field: 'consumptionTax', first: '0', repeat: '0.5' },
            ],
          },
        ],
      });
    } finally {
      store.close();
    }
  });
});

// Bills no declaration claimed are read back at the end, grouped by inventory in invtNo order. The
// SQLite store reads them in pages of 1,000 inventories: 2,501 inventories take three pages and a bit.
describe.each(stores)('bills without a declaration in the %s store', (_, open) => {
  it.each(HOW)(
    'as %s: every unclaimed inventory once, in invtNo order, its bills in taxNo order',
    async (_how, add) => {
      const store = await open();
      try {
        const invtNo = (i: number) => `I${String(i).padStart(4, '0')}`;
        const bills = Array.from({ length: 2501 }, (_, i) => bill(invtNo(i), `T${invtNo(i)}`, `O${i}`));
        // Inventory I0007 has a second bill, given first with the larger taxNo.
        bills.splice(7, 0, bill(invtNo(7), 'TZ'));
        expect(add(store, bills, 1)).toEqual({ duplicates: 0, conflicts: [] });
        // The declaration of order O5 claims inventory I0005.
        expect(store.join([{ orderNo: 'O5' }])[0]?.invtNo).toBe(invtNo(5));
        const groups = [...store.unclaimedBills()];
        const expected = Array.from({ length: 2501 }, (_, i) => invtNo(i)).filter((i) => i !== 'I0005');
        expect(groups.map((g) => g[0]!.invtNo)).toEqual(expected);
        expect(groups.find((g) => g[0]!.invtNo === 'I0007')!.map((b) => b.taxNo)).toEqual(['TI0007', 'TZ']);
        expect(groups.filter((g) => g.length !== 1).map((g) => g[0]!.invtNo)).toEqual(['I0007']);
      } finally {
        store.close();
      }
    },
  );
});

// The memory store listed an unclaimed inventory's bills in the order they came (taxNos T9, T1),
// the SQLite store in taxNo order: the same inputs gave two reports.
it('a bill without a declaration is reported the same from either store: its taxNos in order', async () => {
  const taxBill = (taxNo: string): TaxBill => ({
    invtNo: 'I1',
    taxNo,
    returnTime: '20261120120000000',
    status: '1',
    customsTax: new Decimal(0),
    valueAddedTax: new Decimal('1.50'),
    consumptionTax: new Decimal(0),
    customsCode: '2924',
  });
  const reports = [];
  for (const [, open] of stores) {
    const report = await reconcile(
      { declarations: [], bills: [taxBill('T9'), taxBill('T1')] },
      { calculate, store: await open() },
    );
    reports.push([...reportJsonChunks(report)].join(''));
    expect([...report.rows()][0]).toMatchObject({ status: 'bill-without-declaration', taxNos: ['T1', 'T9'] });
  }
  expect(reports[1]).toBe(reports[0]);
});

// Two live bills of one inventory (a supplementary bill beside the first): the row's billed taxes are their sums,
// kind by kind. 1.10 + 2.20 customs duty, 3.30 + 4.40 consumption tax, 5.50 + 6.60 VAT: 3.30, 7.70, 12.10; total 23.10.
describe.each(stores)('two bills of one inventory in the %s store', (_, open) => {
  it('are summed kind by kind', async () => {
    const store = await open();
    const taxBill = (taxNo: string, customs: string, consumption: string, vat: string): TaxBill => ({
      invtNo: 'I-SUM',
      taxNo,
      returnTime: '20261120120000000',
      status: '1',
      customsTax: new Decimal(customs),
      consumptionTax: new Decimal(consumption),
      valueAddedTax: new Decimal(vat),
      customsCode: '2924',
    });
    try {
      const report = await reconcile(
        { declarations: [], bills: [taxBill('T-A', '1.10', '3.30', '5.50'), taxBill('T-B', '2.20', '4.40', '6.60')] },
        { calculate, store },
      );
      const [row] = [...report.rows()];
      expect([row?.status, row?.taxNos, row?.billed]).toEqual([
        'bill-without-declaration',
        ['T-A', 'T-B'],
        { customsTax: '3.30', consumptionTax: '7.70', valueAddedTax: '12.10', taxTotal: '23.10' },
      ]);
    } finally {
      store.close();
    }
  });
});

// A bill without a declaration names its order in TaxHeadRd (beyond the XSD): its row shows it, from either store and
// however the bills were added, so that finance can look for the declaration. A void bill's orderNo counts only when
// no counted bill names one; a row whose bills name none has no orderNo.
describe.each(stores)('a bill without a declaration in the %s store', (_, open) => {
  it.each(HOW)('added as %s: its row shows the orderNo its bills name', async (_how, add) => {
    const store = await open();
    try {
      const voided = (invtNo: string, taxNo: string, orderNo: string) => ({
        ...bill(invtNo, taxNo, orderNo),
        status: '3',
      });
      add(
        store,
        [
          bill('I1', 'T1', 'O1'),
          voided('I2', 'T2V', 'O2-VOID'),
          bill('I2', 'T2', 'O2'),
          bill('I3', 'T3'),
          voided('I4', 'T4V', 'O4'),
        ],
        1,
      );
      const rows = [...store.unclaimedBills()].map((group) => orphanRow(group));
      expect(rows.map((r) => [r.invtNo, r.orderNo, r.taxNos])).toEqual([
        ['I1', 'O1', ['T1']],
        ['I2', 'O2', ['T2', 'T2V']],
        ['I3', undefined, ['T3']],
        ['I4', 'O4', ['T4V']],
      ]);
    } finally {
      store.close();
    }
  });
});
