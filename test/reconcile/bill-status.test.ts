import { describe, expect, it } from 'vitest';
import { MemoryStore, reconcile } from '../../src/reconcile/index.js';
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
