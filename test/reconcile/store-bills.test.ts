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
