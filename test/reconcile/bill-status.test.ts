import { describe, expect, it } from 'vitest';
import { MemoryStore, openSqliteStore, reconcile, type ReconcileStore } from '../../src/reconcile/index.js';
import { calculate, memoryData } from './helpers.js';

/*
 * A CEB816's status is 1 (已生成), 2 (已汇总) or 3 (作废); the XSD requires it. A bill with another
 * status, or none, was counted as a live bill without a word. Customs did bill it, so it still
 * counts, but its row says so: an unknown status may mean void.
 */

const data = memoryData(20);
const A = data.declarations[10] as Record<string, any>; // generated without a defect: matched
const billOfA = data.documents.find((d) => d.messageType === 'CEB816' && d.fields.invtNo === A.inventory.invtNo)!;

describe('tax bills with a status the specification does not give', () => {
  it.each([
    ['9', true],
    ['', true],
    ['1', false],
    ['2', false],
  ])('status %j: counted, and noted when unknown (%s)', async (status, noted) => {
    const bill = structuredClone(billOfA);
    bill.fields.status = status;
    // The same bill once more under another invtNo, which no declaration reaches.
    const orphan = structuredClone(bill);
    orphan.fields.invtNo = '31052026I000777777';
    orphan.fields.taxNo = '31052026I00077777701';
    const report = await reconcile(
      { declarations: [A], documents: [bill, orphan] },
      { calculate, store: new MemoryStore() },
    );
    const rows = [...report.rows()];
    expect(rows.map((r) => r.status)).toEqual(['matched', 'bill-without-declaration']);
    expect(rows.map((r) => r.notes.filter((n) => n.startsWith('bill-status-unknown:')))).toEqual(
      noted ? [[`bill-status-unknown:${bill.fields.taxNo}`], ['bill-status-unknown:31052026I00077777701']] : [[], []],
    );
    // Counted either way: 15.90 billed for A, and 15.90 without a declaration.
    expect(report.summary.billedTaxTotal.toFixed(2)).toBe('31.80');
  });
});

describe.each([
  ['memory', async (): Promise<ReconcileStore> => new MemoryStore()],
  ['SQLite', () => openSqliteStore()],
])('a void (CEB818 status 3) whose bill is not among the inputs (%s index)', (_name, open) => {
  it("is named in the problems (a bill of another month, whose total it changes), the month's figures unchanged", async () => {
    const store = await open();
    const voids = ['31052026I00099999901', '29242026I00099999801'].map((taxNo) => ({
      messageType: 'CEB818',
      fields: { invtNo: taxNo.slice(0, 18), taxNo, status: '3', returnTime: '20261201090000000' },
    }));
    // A's own bill voided too: its bill is here, so that void is the row's (void-bill), not a problem.
    const ownVoid = {
      messageType: 'CEB818',
      fields: { ...voids[0]!.fields, taxNo: billOfA.fields.taxNo, invtNo: A.inventory.invtNo },
    };
    const report = await reconcile(
      { declarations: [A], documents: [billOfA, ...voids, ownVoid] },
      { calculate, store },
    );
    const rows = [...report.rows()];
    expect(rows.map((r) => [r.status, r.notes.filter((n) => n.startsWith('void-bill:'))])).toEqual([
      ['bill-void', [`void-bill:${billOfA.fields.taxNo}`]],
    ]);
    // In code-unit order: 2924… before 3105….
    expect(report.problems).toEqual(
      ['29242026I00099999801', '31052026I00099999901'].map(
        (t) =>
          `tax bill ${t} is void (a CEB818 status 3), but no CEB816 of that taxNo is among the bills: if it is a bill of another month, take it out of that month's billed total`,
      ),
    );
    expect(report.summary.inputs.billStatuses).toBe(3);
    store.close();
  });
});

describe.each([
  ['memory', async (): Promise<ReconcileStore> => new MemoryStore()],
  ['SQLite', () => openSqliteStore()],
])('a taxNo read as written (%s index)', (_name, open) => {
  // Customs compares a taxNo as written, as it compares the other keys. Before, CEB816 and CEB818 taxNos were
  // trimmed: a void of " T " voided the bill T, and a CEB816 copy of " T " was a repeat of T.
  const taxNo = billOfA.fields.taxNo as string;
  const voidOf = (t: string) => ({
    messageType: 'CEB818',
    fields: { invtNo: A.inventory.invtNo, taxNo: t, status: '3', returnTime: '20261201090000000' },
  });
  // (the void's own taxNo quoted when it is not plain printable ASCII, so that its white space shows)
  const problem = (t: string) =>
    `tax bill ${/^[!-~]+$/.test(t) ? t : JSON.stringify(t)} is void (a CEB818 status 3), but no CEB816 of that taxNo is among the bills: if it is a bill of another month, take it out of that month's billed total; near miss: the CEB816 of taxNo ${JSON.stringify(taxNo)} is this one but for case, white space or full-width forms, and is not voided (taxNos are compared as written)`;

  it.each([
    ['white space around it', ` ${taxNo} `],
    ['another case', taxNo.toLowerCase()],
  ])(
    "a CEB818 void whose taxNo is a bill's but for %s voids nothing, and its problem names the bill",
    async (_what, t) => {
      const store = await open();
      try {
        const report = await reconcile({ declarations: [A], documents: [billOfA, voidOf(t)] }, { calculate, store });
        expect([...report.rows()].map((r) => r.status)).toEqual(['matched']);
        expect(report.problems).toEqual([problem(t)]);
        // The padded taxNo is shown quoted: `tax bill " 2924… " is void`, not `tax bill  2924…  is void`.
        if (t !== t.trim()) expect(report.problems[0]).toContain(`tax bill " ${taxNo} " is void`);
      } finally {
        store.close();
      }
    },
  );

  it('a CEB816 whose taxNo has white space around it is another bill, not a repeat', async () => {
    const store = await open();
    try {
      const padded = { ...billOfA, fields: { ...billOfA.fields, taxNo: `${taxNo} ` } };
      const report = await reconcile({ declarations: [A], documents: [billOfA, padded] }, { calculate, store });
      expect([...report.rows()].map((r) => [r.status, r.taxNos])).toEqual([['mismatch', [taxNo, `${taxNo} `]]]);
      expect(report.summary.inputs.duplicateBills).toBe(0);
      // Added up, as written; the row names the spelling that is the other's but for white space, so the doubled
      // bill is seen (it may be a copy whose key was mangled on the way).
      expect([...report.rows()][0]?.notes).toContain(`near-miss:taxNo:${JSON.stringify(`${taxNo} `)}`);
    } finally {
      store.close();
    }
  });
});

describe('voids without their bill beyond the 100 listed', () => {
  it('are counted in one closing line, and nothing is looked up for them', async () => {
    // A store that counts the near-miss lookups a void's problem text makes.
    let lookups = 0;
    class Counting extends MemoryStore {
      override taxNoNearMisses(taxNo: string): string[] {
        lookups++;
        return super.taxNoNearMisses(taxNo);
      }
    }
    const voids = Array.from({ length: 103 }, (_, k) => ({
      messageType: 'CEB818',
      fields: { invtNo: 'I1', taxNo: `T${String(k).padStart(3, '0')}`, status: '3', returnTime: '20261201090000000' },
    }));
    const report = await reconcile(
      { declarations: [A], documents: [billOfA, ...voids] },
      { calculate, store: new Counting() },
    );
    const listed = report.problems.filter((p) => p.startsWith('tax bill T'));
    expect([listed.length, listed[0], listed[99]]).toEqual([
      100,
      expect.stringMatching(/^tax bill T000 /),
      expect.stringMatching(/^tax bill T099 /),
    ]);
    expect(report.problems.at(-1)).toBe('More void tax bills whose CEB816 is not among the bills are not listed');
    // The text of a problem that is not listed is not made: before, the 101st void's was (its lookup included).
    expect(lookups).toBe(100);
  });
});

describe.each([
  ['memory', async (): Promise<ReconcileStore> => new MemoryStore()],
  ['SQLite', () => openSqliteStore()],
])('a CEB818 status 1 or 2 whose bill is not among the inputs (%s index)', (_name, open) => {
  it('is counted, not named in the problems (docs/reconcile.md says why), and changes no figure', async () => {
    const store = await open();
    try {
      const statuses = ['1', '2'].map((status) => ({
        messageType: 'CEB818',
        fields: {
          invtNo: '31052026I000999999',
          taxNo: '31052026I00099999901',
          status,
          returnTime: '20261201090000000',
        },
      }));
      const report = await reconcile({ declarations: [A], documents: [billOfA, ...statuses] }, { calculate, store });
      expect([...report.rows()].map((r) => r.status)).toEqual(['matched']);
      expect(report.problems).toEqual([]);
      expect(report.summary.inputs.billStatuses).toBe(2);
    } finally {
      store.close();
    }
  });
});
