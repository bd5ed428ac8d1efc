import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/reconcile/sqlite-store.js';
import { billTuple, MemoryStore, type BillRecord, type ReconcileStore } from '../../src/reconcile/store.js';

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
    ['records', (s: ReconcileStore) => s.addBills(BILLS)],
    ['tuples', (s: ReconcileStore) => s.addBillTuples(JSON.stringify(BILLS.map(billTuple)), BILLS.length)],
  ])('as %s: one duplicate, and only the stored bills link their orders', async (_how, add) => {
    const store = await open();
    try {
      expect(add(store)).toBe(1);
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

// Customs may deliver a bill's CEB816 again with status 3 (void) under the same taxNo: the repeat
// is not stored again, but it voids the bill, as a CEB818 status 3 for the taxNo would, whichever
// copy came first.
describe.each(stores)('a void repeat of a bill in the %s store', (_, open) => {
  const voidCopy = (b: BillRecord): BillRecord => ({ ...b, status: '3', returnTime: '20261205120000000' });
  it.each([
    ['records', (s: ReconcileStore, bills: BillRecord[]) => s.addBills(bills)],
    [
      'tuples',
      (s: ReconcileStore, bills: BillRecord[]) => s.addBillTuples(JSON.stringify(bills.map(billTuple)), bills.length),
    ],
  ])('as %s: the taxNo is void, and a later valid copy does not revive it', async (_how, add) => {
    const store = await open();
    try {
      const first = bill('I1', 'T1', 'O1');
      const other = bill('I2', 'T2', 'O2');
      // T1: valid, then void in a later batch; T2: void, then a valid repeat.
      expect(add(store, [first, voidCopy(other)])).toBe(0);
      expect(add(store, [voidCopy(first), other])).toBe(2);
      const [o1, o2] = store.join([{ orderNo: 'O1' }, { orderNo: 'O2' }]);
      expect(o1?.bills.map((b) => [b.taxNo, b.void])).toEqual([['T1', true]]);
      expect(o2?.bills.map((b) => [b.taxNo, b.void])).toEqual([['T2', true]]);
    } finally {
      store.close();
    }
  });
});
