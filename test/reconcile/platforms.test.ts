import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryStore,
  openSqliteStore,
  reconcile,
  type ReconcileStore,
  type ScannedDocument,
} from '../../src/reconcile/index.js';
import { runCli } from '../helpers/cli.js';
import { calculate, memoryData } from './helpers.js';

/*
 * An orderNo is unique only within one platform (ebpCode): a broker or an enterprise selling on two
 * platforms reconciles a month in which both used one number. Those are two orders, each with its
 * own inventory and bill; only the same platform's orderNo again is a second declaration of one order.
 */

const data = memoryData(20);
const A = data.declarations[10] as Record<string, any>; // generated without a defect: matched
const billOf = (invtNo: string) =>
  data.documents.find((d) => d.messageType === 'CEB816' && d.fields.invtNo === invtNo) as ScannedDocument;

/** The same order number on platform 3301964J77, with its own inventory and bill (the same figures). */
function onPlatformB(): { declaration: Record<string, any>; bill: ScannedDocument } {
  const declaration = structuredClone(A);
  declaration.order.ebpCode = declaration.inventory.ebpCode = '3301964J77';
  declaration.inventory.invtNo = '31052026I000009910';
  declaration.inventory.copNo = 'INV000000009910';
  const bill = structuredClone(billOf(A.inventory.invtNo));
  bill.fields.invtNo = '31052026I000009910';
  bill.fields.taxNo = '31052026I00000991001';
  bill.fields.guid = '6F0D2C8E-1B7A-4C1E-0816-000000009910';
  return { declaration, bill };
}

const stores: Array<[string, () => Promise<ReconcileStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['SQLite', () => openSqliteStore()],
];

describe.each(stores)('one orderNo on two platforms (%s index)', (_name, open) => {
  it('two platforms’ orders of one number are two orders, each matched with its own bill', async () => {
    const b = onPlatformB();
    expect([b.declaration.order.orderNo, A.order.orderNo]).toEqual(['SD000000000010', 'SD000000000010']);
    const store = await open();
    const report = await reconcile(
      { declarations: [A, b.declaration, A], documents: [billOf(A.inventory.invtNo), b.bill] },
      { calculate, store },
    );
    const rows = [...report.rows()];
    // A, then B (before: `duplicate-declaration`, and its bill `bill-without-declaration`), then A again.
    expect(rows.map((r) => [r.orderNo, r.invtNo ?? null, r.status])).toEqual([
      ['SD000000000010', '31052026I000000010', 'matched'],
      ['SD000000000010', '31052026I000009910', 'matched'],
      ['SD000000000010', null, 'duplicate-declaration'],
    ]);
    expect(report.summary.billWithoutDeclaration).toBe(0);
    // The generator's bill for SD000000000010: VAT 2.25 + 13.65 = 15.90, billed once on each platform.
    expect(report.summary.billedTaxTotal.toFixed(2)).toBe('31.80');
    store.close();
  });

  it('a declaration naming no platform is an order of its own, but the same one when repeated', async () => {
    const none = structuredClone(A);
    delete none.order.ebpCode;
    delete none.inventory.ebpCode;
    const store = await open();
    const report = await reconcile(
      { declarations: [A, none, none], documents: [billOf(A.inventory.invtNo)] },
      { calculate, store },
    );
    // The order is looked at: not A's duplicate. It names A's inventory, whose bill counted for A, so it
    // has none (bill-missing, before the tax it cannot compute without ebpCode). Its repeat is its own duplicate.
    const rows = [...report.rows()];
    expect(rows.map((r) => r.status)).toEqual(['matched', 'bill-missing', 'duplicate-declaration']);
    expect(rows[1]!.notes).toContain(`bill-already-counted:${billOf(A.inventory.invtNo).fields.taxNo}`);
    store.close();
  });
});

describe('sandan reconcile: one orderNo on two platforms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-platforms-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The Hangzhou example on its platform and on 3301964J77, each with its inventory and the fixture bill's figures.
  const a = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
  a.inventory.invtNo = '29242026I000000001';
  const b = structuredClone(a);
  b.order.ebpCode = b.payment.ebpCode = b.inventory.ebpCode = '3301964J77';
  b.inventory.invtNo = '29242026I000000002';
  writeFileSync(join(dir, 'decl.ndjson'), `${JSON.stringify(a)}\n${JSON.stringify(b)}\n${JSON.stringify(b)}\n`);
  const bill = readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8');
  writeFileSync(join(dir, 'a.xml'), bill);
  writeFileSync(join(dir, 'b.xml'), bill.replaceAll('29242026I000000001', '29242026I000000002'));

  it.each([
    ['memory', '0'],
    ['sqlite', '2'],
  ])(
    '%s index, %s workers: two orders matched, the repeat of the second a duplicate',
    async (index, workers) => {
      const r = await runCli([
        'reconcile',
        '--declarations',
        join(dir, 'decl.ndjson'),
        '--tax-bills',
        dir,
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
      expect(j.orders.map((o: Record<string, unknown>) => [o.orderNo, o.invtNo ?? null, o.status])).toEqual([
        ['SD202611200001', '29242026I000000001', 'matched'],
        ['SD202611200001', '29242026I000000002', 'matched'],
        ['SD202611200001', null, 'duplicate-declaration'],
      ]);
      expect(r.code).toBe(1); // a duplicate declaration is something to look at
    },
    30_000,
  );
});
