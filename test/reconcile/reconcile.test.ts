import { describe, expect, it } from 'vitest';
import {
  reconcile,
  type ReconcileReport,
  openSqliteStore,
  MemoryStore,
  type ReconcileRowJSON,
} from '../../src/reconcile/index.js';
import { Dec } from '../../src/model/primitives.js';
import { calculate, memoryData } from './helpers.js';

const data = memoryData(1000);

async function run(
  store = new MemoryStore(),
): Promise<{ report: ReconcileReport; rows: ReconcileRowJSON[]; close: () => void }> {
  const report = await reconcile({ declarations: data.declarations, documents: data.documents }, { calculate, store });
  return { report, rows: [...report.rows()], close: () => store.close() };
}

describe('reconcile (1,000 generated orders with counted defects)', () => {
  it('finds exactly the generated defects', async () => {
    const { report, rows, close } = await run();
    const s = report.summary;
    const e = data.expected;
    // 1000 orders, 10 of each defect (slots 0–8 of 100), plus 10 bills without declaration.
    expect(e.billMissing).toBe(10);
    expect(s.orders).toBe(1010);
    expect({
      matched: s.matched,
      mismatched: s.mismatched,
      billMissing: s.billMissing,
      billWithoutDeclaration: s.billWithoutDeclaration,
      cancelled: s.cancelled,
      refunded: s.refunded,
      billVoid: s.billVoid,
      unlinked: s.unlinked,
      notComputed: s.notComputed,
    }).toEqual({
      matched: e.matched,
      mismatched: e.mismatched,
      billMissing: e.billMissing,
      billWithoutDeclaration: e.billWithoutDeclaration,
      cancelled: e.cancelled,
      refunded: e.refunded,
      billVoid: e.billVoid,
      unlinked: e.unlinked,
      notComputed: 0,
    });
    expect(s.inputs.duplicateBills).toBe(e.duplicateBills);
    expect(s.billedTaxTotal.toFixed(2)).toBe(e.billedTaxTotal);
    expect(s.declaredTaxTotal.toFixed(2)).toBe(e.declaredTaxTotal);
    const byOrder = new Map(rows.filter((r) => r.orderNo).map((r) => [r.orderNo!, r]));
    const statusOf = (d: keyof typeof e.byDefect) => new Set(e.byDefect[d].map((o) => byOrder.get(o)?.status));
    expect(statusOf('bill-missing')).toEqual(new Set(['bill-missing']));
    expect(statusOf('diff')).toEqual(new Set(['mismatch']));
    expect(statusOf('refund')).toEqual(new Set(['refunded']));
    expect(statusOf('cancel')).toEqual(new Set(['cancelled']));
    expect(statusOf('void')).toEqual(new Set(['bill-void']));
    expect(statusOf('duplicate-bill')).toEqual(new Set(['matched']));
    expect(statusOf('link-copNo')).toEqual(new Set(['matched']));
    expect(statusOf('unlinked')).toEqual(new Set(['unlinked']));
    expect(new Set(e.byDefect['link-copNo'].map((o) => byOrder.get(o)?.linkedBy))).toEqual(new Set(['copNo']));
    expect(new Set(e.byDefect['link-preNo'].map((o) => byOrder.get(o)?.linkedBy))).toEqual(new Set(['preNo']));
    close();
  });

  it('reports a 0.01 VAT difference as a mismatch of valueAddedTax and of the declared total', async () => {
    const { report, rows, close } = await run();
    const first = rows.find((r) => r.orderNo === data.expected.byDefect.diff[0])!;
    expect(first.mismatches).toEqual([
      { kind: 'valueAddedTax', amount: '0.01' },
      { kind: 'declared', amount: '0.01' },
    ]);
    expect(first.difference).toMatchObject({
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '0.01',
      taxTotal: '0.01',
    });
    expect(new Dec(first.billed!.taxTotal).minus(first.computed!.taxTotal).toFixed(2)).toBe('0.01');
    const list = [...report.mismatches()];
    expect(list).toHaveLength(20);
    expect(list.every((m) => m.amount === '0.01')).toBe(true);
    // Equal amounts sort by orderNo, then kind.
    expect(list.slice(0, 2).map((m) => m.kind)).toEqual(['declared', 'valueAddedTax']);
    close();
  });

  it('bills without declaration carry the bill month and district and count in billed totals', async () => {
    const { rows, close } = await run();
    const orphans = rows.filter((r) => r.status === 'bill-without-declaration');
    expect(orphans).toHaveLength(10);
    expect(orphans[0]).toMatchObject({
      orderNo: null,
      district: '5100',
      month: '2026-12',
      declaredTaxTotal: null,
      computed: null,
    });
    close();
  });

  it('follows customs on approved returns, and flags one approved after the window of its release', async () => {
    const small = memoryData(200);
    const [inWindow, late] = small.expected.byDefect.refund as [string, string];
    const base = await reconcile(
      { declarations: small.declarations, documents: small.documents },
      { calculate, store: new MemoryStore() },
    );
    const invt = new Map([...base.rows()].map((r) => [r.orderNo, r.invtNo]));
    // Both refunds are approved 2026-12-10 10:00. Released 2026-11-21: the goods must be back by the end of
    // day 45 = 2027-01-05 (9 days left in November, 31 in December, 5 in January): in time. Released
    // 2026-10-20: day 45 is 2026-12-04 (11 days left in October, 30 in November, 4 in December): too late.
    const release = (orderNo: string, returnTime: string) => ({
      messageType: 'CEB622' as const,
      fields: { invtNo: invt.get(orderNo)!, returnStatus: '800', returnTime },
      items: [],
    });
    // A second release of the late one at an impossible time (hour 25) sorts first as text: it was kept as the
    // earliest, read as no time, and the late refund went unflagged.
    const documents = [
      ...small.documents,
      release(inWindow, '20261121100000000'),
      release(late, '20261020100000000'),
      release(late, '20261019250000000'),
    ];
    for (const store of [new MemoryStore(), await openSqliteStore()]) {
      const report = await reconcile({ declarations: small.declarations, documents }, { calculate, store });
      const rows = new Map([...report.rows()].map((r) => [r.orderNo, r]));
      expect(rows.get(inWindow)).toMatchObject({ status: 'refunded' });
      expect(rows.get(inWindow)!.notes).not.toContain('refund-outside-window');
      expect(rows.get(late)).toMatchObject({ status: 'refunded', mismatches: [] });
      expect(rows.get(late)!.notes).toContain('refund-outside-window');
      expect(report.summary.refunded).toBe(small.expected.refunded);
      store.close();
    }
  });

  it('takes a return released (CEB626 800 放行) as approved, as a 399, and its 399 and 800 together as one refund', async () => {
    // The E-Port's records give a released return application status 800 and send it as a CEB626 800
    // (rulesets/receipts.json, PEER-REFUND-RELEASE); the old code counted only a 399, so such orders were not refunded.
    const small = memoryData(200);
    const refunds = small.documents.filter(
      (d) => d.messageType === 'CEB626' && (d.fields as { returnStatus?: unknown }).returnStatus === '399',
    );
    expect(refunds.length).toBeGreaterThan(1);
    const released = (d: (typeof refunds)[number]) => ({ ...d, fields: { ...d.fields, returnStatus: '800' } });
    const variants = [
      // each 399 an 800
      small.documents.map((d) => (refunds.includes(d) ? released(d) : d)),
      // each return with both: the first return's 800 before its 399, the others' after
      small.documents.flatMap((d) =>
        d === refunds[0] ? [released(d), d] : refunds.includes(d) ? [d, released(d)] : [d],
      ),
    ];
    for (const documents of variants)
      for (const store of [new MemoryStore(), await openSqliteStore()]) {
        const report = await reconcile({ declarations: small.declarations, documents }, { calculate, store });
        const rows = new Map([...report.rows()].map((r) => [r.orderNo, r.status]));
        expect(new Set(small.expected.byDefect.refund.map((o) => rows.get(o)))).toEqual(new Set(['refunded']));
        expect(report.summary.refunded).toBe(small.expected.refunded);
        store.close();
      }
  });

  it('gives the same rows and summary with the on-disk SQLite index', async () => {
    const mem = await run();
    const store = await openSqliteStore();
    const disk = await run(store as unknown as MemoryStore);
    expect(disk.rows).toEqual(mem.rows);
    expect(disk.report.summary).toEqual(mem.report.summary);
    expect([...disk.report.mismatches()]).toEqual([...mem.report.mismatches()]);
    disk.close();
    mem.close();
  });

  it('reports a declaration that cannot be read, and a second declaration of the same order', async () => {
    const decls = [
      data.declarations[1],
      {
        line: 2,
        issue: { code: 'json-syntax', severity: 'error', path: '', ruleId: 'input', message: { zh: 'x', en: 'x' } },
      },
      data.declarations[1],
    ];
    const report = await reconcile(
      { declarations: decls, documents: data.documents.filter((d) => d.messageType !== 'CEB816') },
      { calculate },
    );
    const rows = [...report.rows()];
    expect(rows.map((r) => r.status)).toEqual(['bill-missing', 'not-computed', 'duplicate-declaration']);
    expect(rows[1]!.notes).toEqual(['line:2', 'issue:json-syntax']);
  });
});
