import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SandanError } from '../../src/errors.js';
import {
  applyReceipt,
  applyReceipts,
  QuotaLedger,
  type QuotaLedgerOptions,
  type QuotaStore,
} from '../../src/quota/index.js';

/**
 * The contract every quota store fulfils, run against memory, SQLite and PostgreSQL.
 * A harness gives fresh databases; each database can be opened several times (several
 * handles, connections or processes on the same data).
 */

export const SECRET = 'contract-test-secret-0123456789abcdef';
/** Invented ID numbers with valid GB 11643 check characters. */
export const BUYER = '11010519491231002X';
export const OTHER = '440524188001010014';

/** One reservation call made by {@link TestDb.hammer}. */
export interface HammerCall {
  /** The platform; without it the call names the order by orderNo alone. */
  ebpCode?: string;
  orderNo: string;
  amount: string;
}

/** The order a {@link HammerCall} names, as the ledger takes it. */
export const hammerOrder = (c: HammerCall) =>
  c.ebpCode === undefined ? c.orderNo : { ebpCode: c.ebpCode, orderNo: c.orderNo };

/** What a hammer reports per call. */
export interface HammerResult {
  /** The platform of the entry the call reserved (or found): `''` when not stated. */
  ebpCode?: string;
  orderNo: string;
  ok: boolean;
  duplicate?: boolean;
  reason?: string;
}

/** A fresh database of one store kind. */
export interface TestDb {
  open(): Promise<QuotaStore>;
  /** Runs the calls as concurrently as the store kind allows (processes, connections). */
  hammer(calls: HammerCall[], buyer: string, at: string): Promise<HammerResult[]>;
  /** Everything the store holds, as text, to check that no ID number is stored in clear. */
  dump(): Promise<string>;
  drop(): Promise<void>;
}

export interface Harness {
  name: string;
  /** Why the suite is skipped, or undefined to run it. */
  skip?: string | undefined;
  setup(): Promise<TestDb>;
}

/** A clock the test moves by hand. */
export function manualClock(start: string) {
  let now = new Date(start);
  return {
    now: () => now,
    set: (iso: string) => void (now = new Date(iso)),
    advance: (ms: number) => void (now = new Date(now.getTime() + ms)),
  };
}

const s = (d: Decimal | undefined) => d?.toFixed();

export function quotaContract(h: Harness): void {
  describe.skipIf(h.skip !== undefined)(`quota store contract: ${h.name}`, () => {
    const open: Array<{ close(): Promise<void> }> = [];
    const dbs: TestDb[] = [];
    afterEach(async () => {
      for (const o of open.splice(0)) await o.close();
      for (const d of dbs.splice(0)) await d.drop();
    });
    async function db(): Promise<TestDb> {
      const d = await h.setup();
      dbs.push(d);
      return d;
    }
    async function ledger(d: TestDb, options: Partial<QuotaLedgerOptions> = {}): Promise<QuotaLedger> {
      const store = await d.open();
      const l = new QuotaLedger({ store, secret: SECRET, clock: () => new Date('2026-06-01T04:00:00Z'), ...options });
      open.push(l);
      return l;
    }

    it('rolls back a transaction whose work throws: nothing it wrote is seen, and the next transaction runs', async () => {
      const store = await (await db()).open();
      open.push(store);
      const boom = new Error('boom');
      for (let i = 0; i < 3; i++) {
        await expect(
          store.transaction(async (tx) => {
            await tx.setMeta(`test-rollback-${i}`, 'written');
            throw boom;
          }),
        ).rejects.toBeDefined();
        // The same connection serves the next transaction (a pool hands back the last one released).
        expect(await store.transaction((tx) => tx.getMeta(`test-rollback-${i}`))).toBeUndefined();
      }
      await store.transaction((tx) => tx.setMeta('test-rollback-after', 'kept'));
      expect(await store.transaction((tx) => tx.getMeta('test-rollback-after'))).toBe('kept');
    });

    describe('return applications: an approved CEB626 gives back the share of the CEB625 the ledger recorded', () => {
      // Order R-1: three lines of 100, 200 and 300 CNY (line 1 is 2 pieces), freight 10, tax 55.25 (not in the
      // dutiable value). What counts: 100 + 200 + 300 + 10 = 610.00 CNY; the inventory's goods value Σ totalPrice = 600.
      const inventory = [
        { gnum: 1, qty: '2', totalPrice: '100' },
        { gnum: 2, qty: '1', totalPrice: '200' },
        { gnum: 3, qty: '1', totalPrice: '300' },
      ];
      const order = { ebpCode: 'EBP-R', orderNo: 'R-1' };
      async function released(l: QuotaLedger) {
        await l.reserve(order, BUYER, { dutiableValue: '610', actualPaid: '665.25' }, '2026-05-01T10:00:00+08:00');
        await applyReceipt(l, {
          kind: 'CEB622',
          ebpCode: 'EBP-R',
          orderNo: 'R-1',
          copNo: 'INV-R-1',
          invtNo: '290020260000000777',
          returnStatus: '800',
          returnTime: '20260502100000000',
        });
      }
      const ceb626 = (copNo: string, returnStatus: string, returnTime: string, invtNo?: string) => ({
        kind: 'CEB626' as const,
        ebpCode: 'EBP-R',
        copNo,
        ...(invtNo !== undefined && { invtNo }),
        returnStatus,
        returnTime,
      });

      it('gives back 203.33, then 355.84, then the 50.83 left (610.00 in all), as computed by hand', async () => {
        const d = await db();
        const l = await ledger(d);
        await released(l);
        // Return RET-1: line 2 whole. Goods back 200 of 600: 610 × 200 / 600 = 203.333… → 203.33.
        const rec = await l.recordReturn(
          order,
          { copNo: 'RET-1', items: [{ gnum: 2, qty: '1' }], inventory, appliedAt: '20260505100000' },
          { now: '2026-05-05T10:00:00+08:00' },
        );
        expect(rec.ok && rec.duplicate).toBe(false);
        expect(rec.ok && s(rec.returnShare?.amount)).toBe('203.33');
        // The approval carries no amount; the ledger gives back the application's share, once for its 399 and 800.
        const [ok399, ok800] = await applyReceipts(l, [
          ceb626('RET-1', '399', '20260506100000000', '290020260000000777'),
          ceb626('RET-1', '800', '20260506110000000'),
        ]);
        expect(ok399).toMatchObject({ action: 'refund', status: 'applied', orderNo: 'R-1', ebpCode: 'EBP-R' });
        expect(ok399?.warning).toBeUndefined();
        expect(ok399?.result?.ok && ok399.result.refundBasis).toBe('application');
        expect(ok399?.result?.ok && s(ok399.result.entry.refunded)).toBe('203.33');
        // (the 800 names no invtNo, so its key differs: the application, approved once, keeps it from giving again)
        expect(ok800).toMatchObject({ status: 'duplicate', orderNo: 'R-1' });
        // Read by another handle: the application is kept, approved with what it gave.
        const again = await ledger(d);
        const kept = await again.findReturn({ copNo: 'RET-1', ebpCode: 'EBP-R' });
        expect(
          kept && { ...kept, refunded: s(kept.refunded), items: kept.items.map((x) => `${x.gnum}×${x.qty}`) },
        ).toMatchObject({ orderNo: 'R-1', ebpCode: 'EBP-R', refunded: '203.33', items: ['2×1'] });
        // Two more applications, approved in the other order than they were sent.
        // RET-2: 1 of line 1's 2 pieces (50 of goods). RET-3: line 1's other piece and line 3 (50 + 300 = 350).
        await again.recordReturn(order, { copNo: 'RET-2', items: [{ gnum: 1, qty: '1' }], inventory });
        await again.recordReturn(order, {
          copNo: 'RET-3',
          items: [
            { gnum: 3, qty: '1' },
            { gnum: 1, qty: '1' },
          ],
          inventory,
        });
        const outs = await applyReceipts(again, [
          ceb626('RET-3', '399', '20260507100000000', '290020260000000777'),
          ceb626('RET-2', '399', '20260508100000000', '290020260000000777'),
        ]);
        // RET-3 first: approved lines so far 200 (RET-1) + 350 = 550 of 600: 610 × 550 / 600 = 559.1666… → 559.17,
        // less the 203.33 given: 355.84 (refunded 559.17).
        // RET-2 then takes back the last piece: all the goods are back, so all that still counts: 610 − 559.17 = 50.83.
        // In all 203.33 + 355.84 + 50.83 = 610.00: not a fen more or less than the order counted.
        expect(outs.map((o) => o.result?.ok && s(o.result.entry.refunded))).toEqual(['559.17', '610']);
        expect(outs.map((o) => o.result?.ok && o.result.refundBasis)).toEqual(['application', 'application']);
        expect((await again.history(BUYER, 2026)).filter((e) => e.type === 'refund').map((e) => s(e.amount))).toEqual([
          '203.33',
          '355.84',
          '50.83',
        ]);
        expect(s((await again.remaining(BUYER, 2026)).used)).toBe('0');
      });

      it('finds the order by the application alone (a CEB626 without invtNo) and says when it gives back everything', async () => {
        const l = await ledger(await db());
        await released(l);
        await l.recordReturn(order, { copNo: 'RET-9', items: [{ gnum: 3, qty: '1' }], inventory });
        // 610 × 300 / 600 = 305.00
        const [byApp] = await applyReceipts(l, [ceb626('RET-9', '399', '20260506100000000')]);
        expect(byApp?.result?.ok && [byApp.orderNo, s(byApp.result.entry.refunded)]).toEqual(['R-1', '305']);
        // A CEB626 of an application the ledger was never told of: all that still counts (today's behaviour), said so.
        const [unknown] = await applyReceipts(l, [
          ceb626('RET-ELSEWHERE', '399', '20260507100000000', '290020260000000777'),
        ]);
        expect(unknown?.status).toBe('applied');
        expect(unknown?.result?.ok && unknown.result.refundBasis).toBe('whole');
        expect(unknown?.result?.ok && s(unknown.result.entry.refunded)).toBe('610');
        expect(unknown?.warning).toMatchObject({ code: 'return-unrecorded' });
        expect(unknown?.warning?.message.en).toContain('RET-ELSEWHERE');
      });

      it('refund naming an application it never recorded, without an amount, warns as applyReceipts does', async () => {
        const l = await ledger(await db());
        await released(l);
        await l.recordReturn(order, { copNo: 'RET-K', items: [{ gnum: 3, qty: '1' }], inventory });
        const at = { now: '2026-05-06T10:00:00+08:00' };
        // Recorded: its share (610 × 300 / 600 = 305.00), nothing to warn of.
        const known = await l.refund(order, undefined, { ...at, returnCopNo: 'RET-K' });
        expect(known.ok && [known.refundBasis, known.warning]).toEqual(['application', undefined]);
        // Never recorded (a copNo mistyped, a record-return that failed): all that still counts, 610 − 305 = 305.
        const unknown = await l.refund(order, undefined, { ...at, returnCopNo: 'RET-TYPO', key: 'k2' });
        expect(unknown.ok && [unknown.refundBasis, s(unknown.entry.refunded), unknown.warning?.code]).toEqual([
          'whole',
          '610',
          'return-unrecorded',
        ]);
        expect(unknown.ok && unknown.warning?.message.en).toBe(
          "The return application RET-TYPO was never recorded in the ledger (recordReturn) and no amount was given: all that order R-1 still counted was given back, more than a partial return's share",
        );
        // The same refund again (its key): a duplicate, nothing given back, nothing to warn of.
        const again = await l.refund(order, undefined, { ...at, returnCopNo: 'RET-TYPO', key: 'k2' });
        expect(again.ok && [again.duplicate, again.warning]).toEqual([true, undefined]);
      });

      it('refund with an amount and an unrecorded application gives the amount, without a warning', async () => {
        const l = await ledger(await db());
        await released(l);
        const r = await l.refund(order, '100', { now: '2026-05-06T10:00:00+08:00', returnCopNo: 'RET-NONE' });
        expect(r.ok && [r.refundBasis, s(r.entry.refunded), r.warning]).toEqual(['amount', '100', undefined]);
      });

      it('keeps an amount the caller gave, and counts the approved lines for the next share', async () => {
        const l = await ledger(await db());
        await released(l);
        await l.recordReturn(order, { copNo: 'RET-A', items: [{ gnum: 2, qty: '1' }], inventory });
        const [given] = await applyReceipts(l, [
          { ...ceb626('RET-A', '399', '20260506100000000', '290020260000000777'), amount: '200' },
        ]);
        expect(given?.result?.ok && [given.result.refundBasis, s(given.result.entry.refunded)]).toEqual([
          'amount',
          '200',
        ]);
        expect(s((await l.findReturn({ copNo: 'RET-A' }))?.refunded)).toBe('200');
        // Line 3 next: 200 + 300 = 500 of 600 → 610 × 500 / 600 = 508.333… → 508.33, less the 200 given: 308.33.
        await l.recordReturn(order, { copNo: 'RET-B', items: [{ gnum: 3, qty: '1' }], inventory });
        const r = await l.refund(order, undefined, { returnCopNo: 'RET-B', key: 'B', now: '2026-05-07' });
        expect(r.ok && [r.refundBasis, s(r.entry.refunded)]).toEqual(['application', '508.33']);
      });

      it('values a recorded return by itself after a refund by amount alone, capped by what still counts', async () => {
        const l = await ledger(await db());
        await released(l);
        // Line 2 came back and was refunded the older way, by amount, with no application recorded:
        // 610 × 200 / 600 = 203.333… → 203.33. The ledger knows the amount, not the lines.
        const byAmount = await l.refund(order, '203.33', { key: 'L2', now: '2026-05-05T10:00:00+08:00' });
        expect(byAmount.ok && s(byAmount.entry.refunded)).toBe('203.33');
        // Line 3 then, recorded: valued by itself, 610 × 300 / 600 = 305.00 (the same as 610 × 500 / 600 = 508.33 less
        // the 203.33 given). Subtracting the 203.33 without its line gave 305.00 − 203.33 = 101.67, 203.33 too little.
        const rec = await l.recordReturn(order, { copNo: 'RET-L3', items: [{ gnum: 3, qty: '1' }], inventory });
        expect(rec.ok && s(rec.returnShare?.amount)).toBe('305');
        const [ok] = await applyReceipts(l, [ceb626('RET-L3', '399', '20260506100000000', '290020260000000777')]);
        expect(ok?.result?.ok && [ok.result.refundBasis, s(ok.result.entry.refunded)]).toEqual([
          'application',
          '508.33',
        ]);
        expect(s((await l.findReturn({ copNo: 'RET-L3' }))?.refunded)).toBe('305');
        // Line 1 (100 of goods) recorded last: with RET-L3's line, 610 × 400 / 600 = 406.666… → 406.67, less the 305
        // RET-L3 gave: 101.67, which is all that still counts (610 − 508.33 = 101.67).
        await l.recordReturn(order, { copNo: 'RET-L1', items: [{ gnum: 1, qty: '2' }], inventory });
        const last = await l.refund(order, undefined, { returnCopNo: 'RET-L1', key: 'L1', now: '2026-05-07' });
        expect(last.ok && [last.refundBasis, s(last.entry.refunded)]).toEqual(['application', '610']);
      });

      it('never gives back more than still counts when a refund by amount took more than its lines', async () => {
        const l = await ledger(await db());
        await released(l);
        // 500 given back by amount (lines unknown to the ledger); 610 − 500 = 110 still counts.
        await l.refund(order, '500', { key: 'BIG', now: '2026-05-05T10:00:00+08:00' });
        // Line 3 by itself is worth 305.00, more than the 110 left: it gives back the 110, not an over-refund.
        const rec = await l.recordReturn(order, { copNo: 'RET-C3', items: [{ gnum: 3, qty: '1' }], inventory });
        expect(rec.ok && s(rec.returnShare?.amount)).toBe('110');
        const [ok] = await applyReceipts(l, [ceb626('RET-C3', '399', '20260506100000000', '290020260000000777')]);
        expect(ok?.result?.ok && [ok.result.refundBasis, s(ok.result.entry.refunded)]).toEqual(['application', '610']);
        expect(s((await l.findReturn({ copNo: 'RET-C3' }))?.refunded)).toBe('110');
      });

      it('refuses what is no return of the order: unknown order, other lines under an approved copNo, bad lines', async () => {
        const l = await ledger(await db());
        expect(await l.recordReturn('NOPE', { copNo: 'X', items: [{ gnum: 1, qty: '1' }], inventory })).toMatchObject({
          ok: false,
          reason: 'unknown-order',
        });
        await released(l);
        await l.recordReturn(order, { copNo: 'RET-C', items: [{ gnum: 2, qty: '1' }], inventory });
        // The same application again (a retry) is a duplicate; changed before approval, it is replaced.
        const same = await l.recordReturn(order, { copNo: 'RET-C', items: [{ gnum: 2, qty: '1' }], inventory });
        expect(same.ok && same.duplicate).toBe(true);
        await applyReceipts(l, [ceb626('RET-C', '399', '20260506100000000', '290020260000000777')]);
        await expect(
          l.recordReturn(order, { copNo: 'RET-C', items: [{ gnum: 3, qty: '1' }], inventory }),
        ).rejects.toMatchObject({ code: 'QUOTA_CONFLICT' });
        await expect(
          l.recordReturn(order, { copNo: 'RET-D', items: [{ gnum: 4, qty: '1' }], inventory }),
        ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
        await expect(
          l.recordReturn(order, { copNo: 'RET-D', items: [{ gnum: 1, qty: '3' }], inventory }),
        ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
        await expect(
          l.recordReturn(order, { copNo: '', items: [{ gnum: 1, qty: '1' }], inventory }),
        ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
        // Nothing of a line returned (qty 0): tryInvtRefundOf's return-qty-not-positive, no line of a CEB625.
        await expect(
          l.recordReturn(order, { copNo: 'RET-F', items: [{ gnum: 1, qty: '0.00' }], inventory }),
        ).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message: expect.stringContaining('items[0].qty must be above 0'),
        });
      });
    });

    it("refuses a refund keyed by a commit stage's name, which would block that commit (or fail) in a database", async () => {
      const l = await ledger(await db());
      await l.reserve('K-1', BUYER, '100', '2026-05-01');
      await l.commit('K-1', { stage: 'concluded', now: '2026-05-02' });
      for (const key of ['released', 'concluded', 'closed'])
        await expect(l.refund('K-1', '10', { key, now: '2026-05-03' })).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message: `The refund key "${key}" is the name of a commit stage, which the ledger keys commits by; choose another key (e.g. the return's copNo)`,
        });
      // The 800 that follows is written (SQLite and PostgreSQL refused it after a refund keyed "released").
      expect(await l.commit('K-1', { stage: 'released', now: '2026-05-04' })).toMatchObject({
        ok: true,
        duplicate: false,
      });
      const r = await l.refund('K-1', '10', { key: 'released-1', now: '2026-05-05' });
      expect(r.ok && s(r.entry.refunded)).toBe('10');
      expect((await l.history(BUYER, 2026)).map((e) => `${e.type} ${e.amount.toFixed()} ${e.key ?? '-'}`)).toEqual([
        'reserve 100 -',
        'commit 100 concluded',
        'commit 0 released',
        'refund 10 released-1',
      ]);
    });

    it('refuses a refund key the databases cannot keep as given: its retry failed, or two keys were one', async () => {
      const l = await ledger(await db());
      await l.reserve('K-2', BUYER, '100', '2026-05-01');
      await l.commit('K-2', { now: '2026-05-02' });
      // The reason is the databases' (the key is never written in XML).
      for (const [key, message] of [
        [
          'R\uD800',
          'The refund key "R\\ud800": a lone surrogate U+D800 is not a character: SQLite and PostgreSQL keep text as UTF-8, where it becomes U+FFFD, another key',
        ],
        [
          'R\u0000',
          'The refund key "R\\u0000": character U+0000 cannot be kept in a PostgreSQL ledger (its text refuses it), so no store takes it',
        ],
      ] as const)
        await expect(l.refund('K-2', '10', { key, now: '2026-05-03' })).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message,
        });
      // A control character XML refuses is kept by every store: the key is the ledger's alone, and its retry is one refund.
      expect(await l.refund('K-2', '1', { key: 'R\u0001', now: '2026-05-03' })).toMatchObject({ duplicate: false });
      expect(await l.refund('K-2', '1', { key: 'R\u0001', now: '2026-05-04' })).toMatchObject({ duplicate: true });
      // A key outside the BMP (a surrogate pair) is text like any other, and its retry is the same refund.
      expect(await l.refund('K-2', '10', { key: 'R-\u{20BB7}', now: '2026-05-03' })).toMatchObject({
        ok: true,
        duplicate: false,
      });
      expect(await l.refund('K-2', '10', { key: 'R-\u{20BB7}', now: '2026-05-04' })).toMatchObject({
        ok: true,
        duplicate: true,
      });
    });

    it('refuses inventory numbers the databases cannot keep as given, before anything is written', async () => {
      const l = await ledger(await db());
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ copNo: 123 }, 'options.copNo must be text, got 123'],
        [{ invtNo: { a: 1 } }, 'options.invtNo must be text, got object'],
        [{ copNo: 'C\u0000' }, 'options.copNo "C\\u0000": character U+0000 is not allowed in XML'],
        [
          { invtNo: 'I\uD800' },
          'options.invtNo "I\\ud800": a lone surrogate U+D800 is not a character (the text is not proper Unicode)',
        ],
      ];
      for (const [ids, message] of bad)
        await expect(l.reserve('N-1', BUYER, '10', '2026-05-01', ids)).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message,
        });
      expect(await l.find({ orderNo: 'N-1' })).toBeUndefined();
      await l.reserve('N-1', BUYER, '10', '2026-05-01', { copNo: 'C-1', invtNo: null as never });
      await expect(l.link('N-1', { invtNo: 'L\u0000' })).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
        message: 'ids.invtNo "L\\u0000": character U+0000 is not allowed in XML',
      });
      expect(await l.find({ orderNo: 'N-1' })).toMatchObject({ copNo: 'C-1', invtNo: undefined });
    });

    it("refuses a receipt's inventory number that is not text naming the receipt's field, before anything is written", async () => {
      const l = await ledger(await db());
      await l.reserve('N-2', BUYER, '10', '2026-05-01');
      const bad: Array<[Record<string, unknown>, string]> = [
        // (matched by orderNo, the link of a CEB622 refused it as `ids.invtNo`; without one it matched nothing)
        [{ kind: 'CEB622', orderNo: 'N-2', invtNo: 123 }, 'receipt.invtNo must be text, got 123'],
        [{ kind: 'CEB622', invtNo: 123 }, 'receipt.invtNo must be text, got 123'],
        [{ kind: 'CEB626', orderNo: 'N-2', copNo: 5 }, 'receipt.copNo must be text, got 5'],
      ];
      for (const [receipt, message] of bad)
        await expect(applyReceipt(l, { returnStatus: '800', ...receipt } as never)).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message,
        });
      expect(await l.find({ orderNo: 'N-2' })).toMatchObject({ status: 'reserved', invtNo: undefined });
    });

    it('finds nothing by a number with U+0000, which no entry can hold (PostgreSQL failed with a store error)', async () => {
      const l = await ledger(await db());
      await l.reserve('Z-1', BUYER, '10', '2026-05-01', { copNo: 'C-Z1', invtNo: 'I-Z1' });
      for (const by of [
        { orderNo: 'Z-1\u0000' },
        { invtNo: 'I-Z1\u0000' },
        { copNo: 'C-Z1\u0000' },
        { orderNo: 'Z-1\u0000', ebpCode: 'E\u0000' },
      ])
        expect(await l.find(by)).toBeUndefined();
      // A platform code with it is no platform's: the entry with none stated is found, as for any other code.
      expect(await l.find({ invtNo: 'I-Z1', ebpCode: 'E\u0000' })).toMatchObject({ orderNo: 'Z-1', ebpCode: '' });
      expect(await l.find({ orderNo: 'Z-1', ebpCode: 'E\u0000' })).toMatchObject({ orderNo: 'Z-1', ebpCode: '' });
      // The other number still finds it.
      expect(await l.find({ orderNo: 'Z-1\u0000', invtNo: 'I-Z1' })).toMatchObject({ orderNo: 'Z-1' });
    });

    it("links an inventory's numbers to an order, keeping the one not given; an unknown order is not linked", async () => {
      const l = await ledger(await db());
      await l.reserve('L-1', BUYER, '10', '2026-03-01', { copNo: 'COP-1' });
      expect(await l.link('NOPE', { invtNo: 'INVT-0' })).toBe(false);
      expect(await l.find({ invtNo: 'INVT-0' })).toBeUndefined();
      expect(await l.link('L-1', { invtNo: 'INVT-1' })).toBe(true);
      expect(await l.find({ invtNo: 'INVT-1' })).toMatchObject({ orderNo: 'L-1', copNo: 'COP-1', invtNo: 'INVT-1' });
      expect(await l.link('L-1', { copNo: 'COP-2' })).toBe(true);
      expect(await l.find({ copNo: 'COP-2' })).toMatchObject({ orderNo: 'L-1', copNo: 'COP-2', invtNo: 'INVT-1' });
      expect(await l.find({ copNo: 'COP-1' })).toBeUndefined();
    });

    it('reserves up to the annual limit and refuses past it with the remaining amount', async () => {
      const l = await ledger(await db());
      const a = await l.reserve('A-1', BUYER, '20000.10', '2026-03-01');
      expect(a).toMatchObject({ ok: true, duplicate: false });
      expect(s(a.remaining)).toBe('5999.9');
      const over = await l.reserve('A-2', BUYER, '6000', '2026-03-02');
      expect(over.ok).toBe(false);
      if (over.ok) return;
      expect(over.reason).toBe('over-limit');
      expect(s(over.remaining)).toBe('5999.9');
      expect(over.message).toContain('1313');
      const exact = await l.reserve('A-3', BUYER, '5999.90', '2026-03-03');
      expect(exact.ok).toBe(true);
      expect(s(exact.remaining)).toBe('0');
      expect((await l.reserve('A-4', BUYER, '0.01', '2026-03-04')).ok).toBe(false);
      // Another buyer is untouched.
      const other = await l.remaining(OTHER, 2026);
      expect([s(other.used), s(other.remaining), s(other.limit)]).toEqual(['0', '26000', '26000']);
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.used), s(b.reserved), s(b.committed), s(b.remaining), b.orders]).toEqual([
        '26000',
        '26000',
        '0',
        '0',
        2,
      ]);
    });

    it('keeps amounts exact (no floating point) and a single item above 5,000 counts in full', async () => {
      const l = await ledger(await db());
      await l.reserve('D-1', BUYER, '0.1', '2026-01-05');
      await l.reserve('D-2', BUYER, new Decimal('0.2'), '2026-01-05');
      await l.reserve('D-3', BUYER, 0.00001, '2026-01-05');
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('0.30001');
      // One indivisible item of 6,800 (above the 5,000 single-transaction limit) still counts.
      const big = await l.reserve('D-4', BUYER, '6800.00', '2026-01-06');
      expect(big.ok).toBe(true);
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('6800.30001');
      await expect(l.reserve('D-5', BUYER, '-1', '2026-01-06')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      await expect(l.reserve('D-6', BUYER, '1.234567', '2026-01-06')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
    });

    it('takes the limit and the basis from the policy in force on the order date', async () => {
      const l = await ledger(await db());
      // 2018: 20,000 (财关税〔2016〕18号).
      expect((await l.reserve('P-1', BUYER, '19000', '2018-12-31')).ok).toBe(true);
      const r = await l.reserve('P-2', BUYER, '1000.01', '2018-12-31');
      expect(r.ok ? undefined : [r.reason, s(r.remaining), s(r.balance?.limit)]).toEqual([
        'over-limit',
        '1000',
        '20000',
      ]);
      expect(s((await l.remaining(BUYER, 2018)).limit)).toBe('20000');
      // The dutiable value counts by default; a policy may count the amount paid.
      await l.reserve('P-3', BUYER, { dutiableValue: '548.00', actualPaid: '597.87' }, '2026-11-20');
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('548');
      const paid = await ledger(await db(), {
        policy: () => ({ annualLimit: new Decimal(1000), quotaBasis: 'actualPaid' }),
      });
      await paid.reserve('P-4', BUYER, { dutiableValue: '548.00', actualPaid: '597.87' }, '2026-11-20');
      const bal = await paid.remaining(BUYER, 2026);
      expect([s(bal.used), s(bal.remaining)]).toEqual(['597.87', '402.13']);
      await expect(l.reserve('P-5', BUYER, '1', '2015-01-01')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
    });

    it('is idempotent by orderNo and refuses to reuse an orderNo for other facts', async () => {
      const l = await ledger(await db());
      const first = await l.reserve('I-1', BUYER, '100', '2026-02-01', { copNo: 'COP-I-1' });
      const again = await l.reserve('I-1', BUYER, '100.00', '2026-02-01');
      expect(again).toMatchObject({ ok: true, duplicate: true });
      expect(s(again.remaining)).toBe(s(first.remaining));
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('100');
      await expect(l.reserve('I-1', BUYER, '101', '2026-02-01')).rejects.toBeInstanceOf(SandanError);
      await expect(l.reserve('I-1', OTHER, '100', '2026-02-01')).rejects.toMatchObject({ code: 'QUOTA_CONFLICT' });
      await l.commit('I-1');
      expect(await l.reserve('I-1', BUYER, '100', '2026-02-01')).toMatchObject({ ok: true, duplicate: true });
      expect((await l.history(BUYER, 2026)).map((e) => e.type)).toEqual(['reserve', 'commit']);
    });

    it('commits, releases and refunds (wholly or in part), each once', async () => {
      const l = await ledger(await db());
      await l.reserve('R-1', BUYER, '1000', '2026-04-01');
      await l.reserve('R-2', BUYER, '500', '2026-04-02');
      expect(await l.commit('R-1')).toMatchObject({ ok: true, duplicate: false, entry: { status: 'committed' } });
      expect(await l.commit('R-1')).toMatchObject({ ok: true, duplicate: true });
      let b = await l.remaining(BUYER, 2026);
      expect([s(b.reserved), s(b.committed), s(b.used)]).toEqual(['500', '1000', '1500']);

      // A cancelled reservation gives its quota back, once; it cannot be committed or reserved again.
      const rel = await l.release('R-2');
      expect(rel.ok && s(rel.remaining)).toBe('25000');
      expect(await l.release('R-2')).toMatchObject({ ok: true, duplicate: true });
      expect(await l.commit('R-2')).toMatchObject({ ok: false, reason: 'released' });
      expect(await l.reserve('R-2', BUYER, '500', '2026-04-02')).toMatchObject({ ok: false, reason: 'released' });

      // Partial refunds with a key apply once; a whole refund takes what is left.
      expect(await l.refund('R-2', '1')).toMatchObject({
        ok: false,
        reason: 'released',
        message:
          'Order R-2 is released (cancelled); only a committed order (its inventory concluded or released by customs) can be refunded',
      });
      const p1 = await l.refund('R-1', '250.50', { key: 'refund-1' });
      expect(p1.ok && s(p1.remaining)).toBe('25250.5');
      expect(await l.refund('R-1', '250.50', { key: 'refund-1' })).toMatchObject({ ok: true, duplicate: true });
      // The same key is the same refund: the same amount in another spelling, or none, repeats it;
      // another amount is another refund under a used key, misuse like reserving an order again with another amount.
      expect(await l.refund('R-1', '250.5000', { key: 'refund-1' })).toMatchObject({ ok: true, duplicate: true });
      expect(await l.refund('R-1', undefined, { key: 'refund-1' })).toMatchObject({ ok: true, duplicate: true });
      await expect(l.refund('R-1', '100', { key: 'refund-1' })).rejects.toMatchObject({
        code: 'QUOTA_CONFLICT',
        message:
          'The refund keyed "refund-1" of order R-1 was applied with 250.5 CNY, not 100; a key is applied once, for one amount',
        details: { orderNo: 'R-1', ebpCode: '', key: 'refund-1' },
      });
      expect(s((await l.find({ orderNo: 'R-1' }))?.refunded)).toBe('250.5');
      expect(await l.refund('R-1', '800')).toMatchObject({ ok: false, reason: 'over-refund' });
      const all = await l.refund('R-1');
      expect(all.ok && [s(all.entry.refunded), s(all.remaining)]).toEqual(['1000', '26000']);
      expect(await l.refund('R-1')).toMatchObject({ ok: true, duplicate: true });

      // A reservation cannot be refunded; an unknown order is refused, not thrown.
      await l.reserve('R-3', BUYER, '10', '2026-04-03');
      expect(await l.refund('R-3')).toMatchObject({ ok: false, reason: 'not-committed' });
      expect(await l.commit('NOPE')).toMatchObject({ ok: false, reason: 'unknown-order', remaining: undefined });

      // A committed inventory is customs' count: a release without customs' approval is refused
      // and changes nothing; a cancel customs approved (CEB624 399) gives back what still counts.
      await l.reserve('R-4', BUYER, '300', '2026-04-04');
      await l.commit('R-4');
      await l.refund('R-4', '100', { key: 'k' });
      const usedBefore = s((await l.remaining(BUYER, 2026)).used);
      expect(await l.release('R-4')).toMatchObject({ ok: false, reason: 'committed', entry: { status: 'committed' } });
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe(usedBefore);
      const back = await l.release('R-4', { ifCommitted: 'release' });
      expect(back.ok).toBe(true);
      b = await l.remaining(BUYER, 2026);
      expect(s(b.used)).toBe('10');
      const h = await l.history(BUYER, 2026);
      expect(h.map((e) => `${e.orderNo} ${e.type} ${e.amount.toFixed()}`)).toEqual([
        'R-1 reserve 1000',
        'R-2 reserve 500',
        'R-1 commit 1000',
        'R-2 release 500',
        'R-1 refund 250.5',
        'R-1 refund 749.5',
        'R-3 reserve 10',
        'R-4 reserve 300',
        'R-4 commit 300',
        'R-4 refund 100',
        'R-4 release 200',
      ]);
      expect(h.every((e, i) => i === 0 || (e.seq ?? 0) > (h[i - 1]!.seq ?? 0))).toBe(true);
    });

    it('lets reservations expire after the configured time', async () => {
      const clock = manualClock('2026-05-01T02:00:00Z');
      const l = await ledger(await db(), { clock: clock.now, reservationTtlMs: 30 * 60_000 });
      await l.reserve('E-1', BUYER, '20000', '2026-05-01');
      expect((await l.reserve('E-2', BUYER, '7000', '2026-05-01')).ok).toBe(false);
      clock.advance(31 * 60_000);
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('0');
      expect((await l.reserve('E-2', BUYER, '7000', '2026-05-01')).ok).toBe(true);
      // The expired order may be reserved again, and it is checked against the limit again.
      expect(await l.reserve('E-1', BUYER, '20000', '2026-05-01')).toMatchObject({ ok: false, reason: 'over-limit' });
      expect(await l.reserve('E-1', BUYER, '20000', '2026-05-01', { ttlMs: 1 })).toMatchObject({ ok: false });
      // An expiry past the range of a Date is misuse, not a reservation that never expires.
      await expect(l.reserve('E-9', BUYER, '1', '2026-05-01', { ttlMs: 1e16 })).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
        message: expect.stringContaining('ttlMs 10000000000000000 puts the expiry past'),
      });
      expect(await l.find({ orderNo: 'E-9' })).toBeUndefined();
      // Customs released it anyway: it counts, past the limit if need be.
      expect(await l.commit('E-1')).toMatchObject({ ok: true, entry: { status: 'committed' } });
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.used), s(b.remaining)]).toEqual(['27000', '0']);
      expect((await l.history(BUYER, 2026)).map((e) => `${e.orderNo} ${e.type}`)).toEqual([
        'E-1 reserve',
        'E-1 expire',
        'E-2 reserve',
        'E-1 commit',
      ]);
      // An explicit expiry releases a reservation.
      await l.reserve('E-3', OTHER, '5', '2026-05-01');
      expect(await l.release('E-3', { reason: 'expired' })).toMatchObject({
        ok: true,
        entry: { status: 'released', releaseReason: 'expired' },
      });
    });

    it('splits years at midnight of 31 December, Beijing time', async () => {
      const l = await ledger(await db());
      // 2026-12-31 23:59:59.999 in Beijing is still 2026; one millisecond later it is 2027.
      expect((await l.reserve('Y-1', BUYER, '26000', '2026-12-31T15:59:59.999Z')).ok).toBe(true);
      expect(await l.reserve('Y-2', BUYER, '1', '20261231235959')).toMatchObject({ ok: false, reason: 'over-limit' });
      expect(await l.reserve('Y-3', BUYER, '1', '2026-12-31T23:59:59+08:00')).toMatchObject({ ok: false });
      const next = await l.reserve('Y-4', BUYER, '26000', '2026-12-31T16:00:00.000Z');
      expect(next.ok && [next.entry.year, s(next.remaining)]).toEqual([2027, '0']);
      expect((await l.reserve('Y-5', BUYER, '1', '2027-01-01T00:00:00+08:00')).ok).toBe(false);
      expect((await l.history(BUYER, 2026)).map((e) => e.orderNo)).toEqual(['Y-1']);
      expect((await l.history(BUYER, 2027)).map((e) => e.orderNo)).toEqual(['Y-4']);
      // An order is reserved only in a year the ledger reads back: 9998 yes, 9999 (or later) no.
      const last = await l.reserve('Y-6', OTHER, '1', '99981231');
      expect(last.ok && [last.entry.year, s((await l.remaining(OTHER, 9998)).used)]).toEqual([9998, '1']);
      for (const [at, year] of [
        ['99991231', 9999],
        [new Date('+010000-06-01T00:00:00Z'), 10000],
      ] as const)
        await expect(l.reserve('Y-7', OTHER, '1', at)).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message: `The order date's year (Beijing) must be a whole calendar year from 1000 to 9998, got ${year}`,
        });
      expect(await l.find({ orderNo: 'Y-7' })).toBeUndefined();
      // Releasing a 2026 order frees 2026 only.
      await l.release('Y-1');
      expect([s((await l.remaining(BUYER, 2026)).remaining), s((await l.remaining(BUYER, 2027)).remaining)]).toEqual([
        '26000',
        '0',
      ]);
    });

    it('of two ledgers with different secrets claiming a fresh store at once, one wins and the other is refused', async () => {
      const d = await db();
      // A claim that has read no fingerprint waits (at most 300 ms) for the other claim to have read
      // too: claims that are not serialised then both read none, and both secrets pass.
      let other: (() => void) | undefined;
      const meet = () =>
        new Promise<void>((resolve) => {
          if (other) {
            other();
            other = undefined;
            return resolve();
          }
          const timer = setTimeout(() => {
            other = undefined;
            resolve();
          }, 300);
          other = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      const meeting = (store: QuotaStore): QuotaStore => ({
        name: store.name,
        close: () => store.close(),
        transaction: (work, options) =>
          store.transaction(
            (tx) =>
              work(
                options?.readOnly
                  ? tx
                  : {
                      ...tx,
                      getMeta: async (key) => {
                        const value = await tx.getMeta(key);
                        if (key === 'secret-fingerprint' && value === undefined) await meet();
                        return value;
                      },
                    },
              ),
            options,
          ),
      });
      const secrets = [SECRET, 'another-secret-0123456789'];
      const ledgers = await Promise.all(
        secrets.map(async (secret) => {
          const l = new QuotaLedger({ store: meeting(await d.open()), secret });
          open.push(l);
          return l;
        }),
      );
      const results = await Promise.allSettled(
        ledgers.map((l, i) => l.reserve(`C-${i}`, BUYER, '1', '2026-03-01', { now: '2026-03-01' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.findIndex((r) => r.status === 'rejected');
      expect((results[lost] as PromiseRejectedResult).reason).toMatchObject({
        code: 'QUOTA_STORE',
        message: expect.stringContaining('was written with another secret'),
      });
      // The winner's secret is the store's; the loser wrote nothing and stays refused.
      expect(s((await ledgers[1 - lost]!.remaining(BUYER, 2026)).used)).toBe('1');
      await expect(ledgers[lost]!.remaining(BUYER, 2026)).rejects.toMatchObject({ code: 'QUOTA_STORE' });
    });

    it('stores a keyed hash, never the ID number, and refuses another secret', async () => {
      const d = await db();
      const l = await ledger(d);
      await l.reserve('H-1', BUYER, '1', '2026-01-01');
      await l.reserve('H-2', BUYER.toLowerCase(), '1', '2026-01-01');
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('2');
      const dump = await d.dump();
      expect(dump).toContain(l.buyerKey(BUYER));
      expect(dump).not.toContain(BUYER);
      expect(dump).not.toContain(BUYER.slice(0, 17));
      expect(l.buyerKey(BUYER)).toMatch(/^[0-9a-f]{64}$/);
      const other = await ledger(d, { secret: 'another-secret-0123456789' });
      await expect(other.remaining(BUYER, 2026)).rejects.toMatchObject({ code: 'QUOTA_STORE' });
    });

    it('applies receipts idempotently: 622 release commits, 624 cancel releases, 626 refund refunds', async () => {
      const l = await ledger(await db());
      await l.reserve('ORD-1', BUYER, '1000', '2026-07-01', { copNo: 'INV-COP-1' });
      await l.reserve('ORD-2', BUYER, '2000', '2026-07-01', { copNo: 'INV-COP-2' });
      await l.reserve('ORD-3', BUYER, '3000', '2026-07-01', { copNo: 'INV-COP-3' });
      const out = await applyReceipts(l, [
        {
          kind: 'CEB622',
          copNo: 'INV-COP-1',
          invtNo: '290020260000000001',
          returnStatus: '120',
          returnTime: '20260701100000000',
        },
        {
          kind: 'CEB622',
          copNo: 'INV-COP-1',
          invtNo: '290020260000000001',
          returnStatus: '800',
          returnTime: '20260701120000000',
        },
        {
          kind: 'CEB622',
          copNo: 'INV-COP-1',
          invtNo: '290020260000000001',
          returnStatus: 800,
          returnTime: '20260701120000000',
        },
        {
          kind: 'CEB622',
          copNo: 'INV-COP-2',
          invtNo: '290020260000000002',
          returnStatus: '399',
          returnTime: '20260701130000000',
        },
        { kind: 'CEB622', copNo: 'INV-COP-3', returnStatus: '100', returnTime: '20260701130000000' },
        {
          kind: 'CEB624',
          copNo: 'CANCEL-1',
          invtNo: '290020260000000002',
          returnStatus: '399',
          returnTime: '20260702090000000',
        },
        {
          kind: 'CEB624',
          copNo: 'CANCEL-1',
          invtNo: '290020260000000002',
          returnStatus: '399',
          returnTime: '20260702090000000',
        },
        {
          kind: 'CEB626',
          copNo: 'REFUND-1',
          invtNo: '290020260000000001',
          returnStatus: '399',
          returnTime: '20260710090000000',
          amount: '400',
        },
        {
          kind: 'CEB626',
          copNo: 'REFUND-1',
          invtNo: '290020260000000001',
          returnStatus: '399',
          returnTime: '20260710090000000',
          amount: '400',
        },
        {
          kind: 'CEB626',
          copNo: 'REFUND-9',
          invtNo: '290020260000009999',
          returnStatus: '399',
          returnTime: '20260710090000000',
        },
        { kind: 'CEB622', orderNo: 'ORD-3', returnStatus: '800', returnTime: '20260703000000000' },
      ]);
      expect(out.map((o) => `${o.action} ${o.status} ${o.orderNo ?? '-'}`)).toEqual([
        'ignore ignored ORD-1',
        'commit applied ORD-1',
        'commit duplicate ORD-1',
        'commit applied ORD-2',
        'ignore ignored ORD-3',
        'release applied ORD-2',
        'release duplicate ORD-2',
        'refund applied ORD-1',
        'refund duplicate ORD-1',
        'refund unmatched -',
        'commit applied ORD-3',
      ]);
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.committed), s(b.reserved), s(b.used)]).toEqual(['3600', '0', '3600']);
      expect((await l.find({ invtNo: '290020260000000002' }))?.orderNo).toBe('ORD-2');
      const h = await l.history(BUYER, 2026);
      // Receipt times (Beijing) become the event times.
      expect(h.find((e) => e.type === 'commit' && e.orderNo === 'ORD-1')?.at.toISOString()).toBe(
        '2026-07-01T04:00:00.000Z',
      );
    });

    it('applies a batch of receipts in returnTime order: a refund approval listed before its release still gives the quota back', async () => {
      const l = await ledger(await db());
      await l.reserve('OOO-1', BUYER, '1000', '2026-07-01', { copNo: 'OOO-COP-1' });
      await l.reserve('OOO-2', BUYER, '500', '2026-07-01', { copNo: 'OOO-COP-2' });
      const refund = {
        kind: 'CEB626',
        copNo: 'OOO-RET-1',
        invtNo: '290020260000000101',
        returnStatus: '399',
        returnTime: '20260710100000000',
      } as const;
      const release = {
        kind: 'CEB622',
        copNo: 'OOO-COP-1',
        invtNo: '290020260000000101',
        returnStatus: '800',
        returnTime: '20260702100000000',
      } as const;
      // Without a returnTime the release of OOO-2 comes after every timed receipt.
      const untimed = { kind: 'CEB622', copNo: 'OOO-COP-2', returnStatus: '800' } as const;
      const out = await applyReceipts(l, [untimed, refund, release]);
      // Outcomes in input order.
      expect(out.map((o) => [o.receipt, o.status])).toEqual([
        [untimed, 'applied'],
        [refund, 'applied'],
        [release, 'applied'],
      ]);
      const b = await l.remaining(BUYER, 2026);
      expect([b.committed.toFixed(), b.used.toFixed()]).toEqual(['500', '500']);
      const h = await l.history(BUYER, 2026);
      expect(h.filter((e) => e.orderNo === 'OOO-1').map((e) => `${e.type} ${e.amount.toFixed()}`)).toEqual([
        'reserve 1000',
        'commit 1000',
        'refund 1000',
      ]);
    });

    it('gives the quota back on a return released (CEB626 800 放行) as on a 399, once for both', async () => {
      // The E-Port's records give a released return application status 800 and send it as a CEB626 800
      // (rulesets/receipts.json, PEER-REFUND-RELEASE); the old code ignored it, and the buyer's quota stayed used.
      const l = await ledger(await db());
      await l.reserve('R8-1', BUYER, '1000', '2026-07-01', { copNo: 'R8-COP-1' });
      await l.reserve('R8-2', BUYER, '500', '2026-07-01', { copNo: 'R8-COP-2' });
      const released = (cop: string, invtNo: string) =>
        ({ kind: 'CEB622', copNo: cop, invtNo, returnStatus: '800', returnTime: '20260702100000000' }) as const;
      const ret = (cop: string, invtNo: string, returnStatus: string, returnTime: string) =>
        ({ kind: 'CEB626', copNo: cop, invtNo, returnStatus, returnTime }) as const;
      const out = await applyReceipts(l, [
        released('R8-COP-1', '290020260000000801'),
        released('R8-COP-2', '290020260000000802'),
        ret('R8-RET-1', '290020260000000801', '800', '20260710100000000'),
        ret('R8-RET-2', '290020260000000802', '399', '20260710100000000'),
        ret('R8-RET-2', '290020260000000802', '800', '20260710110000000'),
      ]);
      expect(out.map((o) => `${o.action} ${o.status} ${o.orderNo ?? '-'}`)).toEqual([
        'commit applied R8-1',
        'commit applied R8-2',
        'refund applied R8-1',
        'refund applied R8-2',
        'refund duplicate R8-2',
      ]);
      const b = await l.remaining(BUYER, 2026);
      expect([b.committed.toFixed(), b.used.toFixed()]).toEqual(['0', '0']);
    });

    it('a return receipt without the copNo of its return application gives its amount back never twice: refused with a reason', async () => {
      // A CEB626 without copNo (the XSD requires it; a hand-made receipt or a platform's export may lack it) was
      // keyed by its returnTime: its 399 and its 800 each gave the amount back, 600 of a 1000 order counted as 1200.
      const l = await ledger(await db());
      await l.reserve('NC-1', BUYER, '1000', '2026-07-01');
      const invtNo = '290020260000000901';
      const ret = (returnStatus: string, returnTime: string, amount?: string) =>
        ({ kind: 'CEB626', orderNo: 'NC-1', invtNo, returnStatus, returnTime, amount }) as const;
      const out = await applyReceipts(l, [
        { kind: 'CEB622', orderNo: 'NC-1', invtNo, returnStatus: '800', returnTime: '20260702100000000' },
        ret('399', '20260710100000000', '600'),
        ret('800', '20260710110000000', '600'),
      ]);
      expect(out.map((o) => `${o.action} ${o.status} ${o.orderNo ?? '-'}`)).toEqual([
        'commit applied NC-1',
        'refund refused NC-1',
        'refund refused NC-1',
      ]);
      expect(out[1]!.result).toMatchObject({
        ok: false,
        reason: 'return-not-identified',
        message: expect.stringContaining('names no copNo'),
      });
      // 1000 committed, nothing given back: the ledger still counts what customs counts until the return is named.
      expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('1000');
      // All that still counts (no amount) needs no name: given back once, the 800 after the 399 a duplicate.
      const all = await applyReceipts(l, [ret('399', '20260710100000000'), ret('800', '20260710110000000')]);
      expect(all.map((o) => o.status)).toEqual(['applied', 'duplicate']);
      expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('0');
      const h = await l.history(BUYER, 2026);
      expect(h.filter((e) => e.type === 'refund').map((e) => e.amount.toFixed())).toEqual(['1000']);
    });

    it('refunds only within the return window of the release (30 days to apply, 45 to arrive), unless told to allow it', async () => {
      const clock = manualClock('2026-01-31T02:00:00Z'); // 2026-01-31 10:00 Beijing
      const l = await ledger(await db(), { clock: clock.now });
      await l.reserve('W-1', BUYER, '1000', '2026-01-30');
      await l.reserve('W-2', BUYER, '2000', '2026-01-30');
      await l.commit('W-1');
      await l.commit('W-2');
      // Released 2026-01-31 10:00; the release day is not counted: day 30 is 2026-03-02 (January 31 + 28 days of
      // February + 2), day 45 is 2026-03-17. Each deadline is the end of that Beijing day.
      const edge = await l.refund('W-1', '100', { now: '2026-03-02T10:00:00+08:00', key: 'exactly-30-days' });
      expect(edge.ok).toBe(true);
      expect([
        edge.returnWindow?.applyBy.toISOString(),
        edge.returnWindow?.arriveBy.toISOString(),
        edge.returnWindow?.within,
      ]).toEqual(['2026-03-02T15:59:59.999Z', '2026-03-17T15:59:59.999Z', true]);
      expect((await l.refund('W-1', '100', { now: '20260302235959999', key: 'last-ms' })).ok).toBe(true);
      const late = await l.refund('W-1', '100', { now: '2026-03-03T00:00:00+08:00', key: 'one-ms-late' });
      expect(late).toMatchObject({ ok: false, reason: 'outside-return-window', returnWindow: { within: false } });
      expect(s(late.remaining)).toBe('23200');
      expect(!late.ok && late.message).toContain(
        'applied for at 2026-03-03 00:00:00 Beijing, after 2026-03-02 23:59:59 Beijing',
      );
      // Applied for in time and approved later: in the window when the application time is given.
      expect(
        (
          await l.refund('W-1', '100', {
            now: '2026-03-10T09:00:00+08:00',
            appliedAt: '20260301120000',
            key: 'approved-late',
          })
        ).ok,
      ).toBe(true);
      // Back after day 45: refused, then applied on purpose.
      // (applied for in the window's last millisecond: what was late is the arrival)
      const slow = {
        now: '2026-03-20',
        appliedAt: '20260302235959999',
        arrivedAt: '2026-03-18T00:00:00+08:00',
        key: 'arrived-late',
      } as const;
      const back = await l.refund('W-1', '100', slow);
      expect(back).toMatchObject({ ok: false, reason: 'outside-return-window' });
      expect(!back.ok && back.message).toContain(
        'was back at 2026-03-18 00:00:00 Beijing, after 2026-03-17 23:59:59 Beijing',
      );
      const allowed = await l.refund('W-1', '100', { ...slow, outsideReturnWindow: 'allow' });
      expect(allowed.ok && [s(allowed.entry.refunded), allowed.returnWindow?.within]).toEqual(['400', false]);
      // A release time given overrides the commit time: released 2026-02-10, applied 2026-03-05 is day 23.
      expect(
        (await l.refund('W-2', undefined, { now: '2026-03-05', releasedAt: '2026-02-10T09:00:00+08:00' })).ok,
      ).toBe(true);
      await expect(l.refund('W-2', '1', { outsideReturnWindow: 'maybe' as never })).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
      });
      expect(
        (await l.history(BUYER, 2026))
          .filter((e) => e.type === 'refund')
          .map((e) => `${e.orderNo} ${e.amount.toFixed()} ${e.key ?? '-'}`),
      ).toEqual([
        'W-1 100 exactly-30-days',
        'W-1 100 last-ms',
        'W-1 100 approved-late',
        'W-1 100 arrived-late',
        'W-2 2000 -',
      ]);
      const b = await l.remaining(BUYER, 2026);
      expect(s(b.used)).toBe('600');
    });

    it('follows customs on CEB626 receipts; audited (refuse), the receipt time stands in for the application unless appliedAt is given', async () => {
      const l = await ledger(await db());
      await l.reserve('RW-1', BUYER, '1000', '2026-07-01', { copNo: 'RW-COP-1' });
      await l.reserve('RW-2', BUYER, '1000', '2026-07-01', { copNo: 'RW-COP-2' });
      await applyReceipts(l, [
        {
          kind: 'CEB622',
          copNo: 'RW-COP-1',
          invtNo: '640020260000000001',
          returnStatus: '800',
          returnTime: '20260701120000000',
        },
        {
          kind: 'CEB622',
          copNo: 'RW-COP-2',
          invtNo: '640020260000000002',
          returnStatus: '800',
          returnTime: '20260701120000000',
        },
      ]);
      // Released 2026-07-01: apply by the end of 2026-07-31, arrive by the end of 2026-08-15.
      const late = {
        kind: 'CEB626',
        copNo: 'RW-REF-1',
        invtNo: '640020260000000001',
        returnStatus: '399',
        returnTime: '20260805090000000',
      } as const;
      const audit = { outsideReturnWindow: 'refuse' } as const;
      const out = await applyReceipts(
        l,
        [late, { ...late, copNo: 'RW-REF-2', invtNo: '640020260000000002', appliedAt: '20260728100000' }],
        audit,
      );
      expect(out.map((o) => `${o.orderNo} ${o.status} ${o.result && !o.result.ok ? o.result.reason : ''}`)).toEqual([
        'RW-1 refused outside-return-window',
        'RW-2 applied ',
      ]);
      // By default the receipt is customs' approval, and the ledger applies it.
      const again = await applyReceipts(l, [late]);
      expect(again.map((o) => o.status)).toEqual(['applied']);
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('0');
    });

    it('dates the return window from the 800 (放行), not from a 399 (审结) that came before it', async () => {
      const l = await ledger(await db());
      await l.reserve('RT-1', BUYER, '1000', '2026-07-01', { copNo: 'RT-COP-1' });
      await l.reserve('RT-2', BUYER, '700', '2026-07-01', { copNo: 'RT-COP-2' });
      await l.reserve('RT-3', BUYER, '300', '2026-07-01', { copNo: 'RT-COP-3' });
      const inventory = (cop: string, invtNo: string, returnStatus: string, returnTime: string) =>
        ({ kind: 'CEB622', copNo: cop, invtNo, returnStatus, returnTime }) as const;
      const out = await applyReceipts(l, [
        // RT-1: concluded 2026-07-01, inspected, released 2026-07-20, closed 2026-07-21.
        inventory('RT-COP-1', '640020260000000011', '399', '20260701100000000'),
        inventory('RT-COP-1', '640020260000000011', '800', '20260720100000000'),
        inventory('RT-COP-1', '640020260000000011', '800', '20260720100000000'),
        inventory('RT-COP-1', '640020260000000011', '899', '20260721100000000'),
        // RT-2: only the 399 came.
        inventory('RT-COP-2', '640020260000000012', '399', '20260701100000000'),
        // RT-3: only the 899 came (the 800 was lost): the order still counts.
        inventory('RT-COP-3', '640020260000000013', '899', '20260702100000000'),
      ]);
      expect(out.map((o) => `${o.orderNo} ${o.receipt.returnStatus} ${o.action} ${o.status}`)).toEqual([
        'RT-1 399 commit applied',
        'RT-1 800 commit applied',
        'RT-1 800 commit duplicate',
        'RT-1 899 commit duplicate',
        'RT-2 399 commit applied',
        'RT-3 899 commit applied',
      ]);
      // The 800 counts nothing again: 1000 + 700 + 300 committed.
      expect(s((await l.remaining(BUYER, 2026)).committed)).toBe('2000');
      expect(
        (await l.history(BUYER, 2026))
          .filter((e) => e.type === 'commit')
          .map((e) => `${e.orderNo} ${e.amount.toFixed()} ${e.key ?? '-'} ${e.at.toISOString()}`),
      ).toEqual([
        'RT-1 1000 concluded 2026-07-01T02:00:00.000Z',
        'RT-2 700 concluded 2026-07-01T02:00:00.000Z',
        'RT-3 300 closed 2026-07-02T02:00:00.000Z',
        'RT-1 0 released 2026-07-20T02:00:00.000Z',
      ]);
      // A return applied for on 2026-08-10: day 21 after the 放行 of RT-1 (in the window), day 40 after its 399.
      const refund = (cop: string, invtNo: string) =>
        ({ kind: 'CEB626', copNo: cop, invtNo, returnStatus: '399', returnTime: '20260810090000000' }) as const;
      const audited = await applyReceipts(
        l,
        [refund('RT-REF-1', '640020260000000011'), refund('RT-REF-2', '640020260000000012')],
        { outsideReturnWindow: 'refuse' },
      );
      expect(
        audited.map((o) => [o.orderNo, o.status, o.result?.returnWindow?.releasedAt.toISOString()].join(' ')),
      ).toEqual([
        'RT-1 applied 2026-07-20T02:00:00.000Z',
        // With no 800, the 399 is the release the ledger knows: day 40, refused.
        'RT-2 refused 2026-07-01T02:00:00.000Z',
      ]);
    });

    it('commits by stage through the API: a released commit after a concluded one dates the release once', async () => {
      const clock = manualClock('2026-03-01T02:00:00Z');
      const l = await ledger(await db(), { clock: clock.now });
      await l.reserve('ST-1', BUYER, '100', '2026-03-01');
      expect(await l.commit('ST-1', { stage: 'concluded' })).toMatchObject({ ok: true, duplicate: false });
      expect(await l.commit('ST-1', { stage: 'concluded', now: '2026-03-02' })).toMatchObject({ duplicate: true });
      expect(await l.commit('ST-1', { now: '2026-03-05T10:00:00+08:00' })).toMatchObject({
        ok: true,
        duplicate: false,
      });
      expect(await l.commit('ST-1', { now: '2026-03-06' })).toMatchObject({ duplicate: true });
      expect(await l.commit('ST-1', { stage: 'closed', now: '2026-03-07' })).toMatchObject({ duplicate: true });
      // Released 2026-03-05 (not the 399 on 2026-03-01): apply by the end of 2026-04-04 Beijing.
      const r = await l.refund('ST-1', undefined, { now: '2026-04-04T12:00:00+08:00' });
      expect(r.ok && r.returnWindow?.applyBy.toISOString()).toBe('2026-04-04T15:59:59.999Z');
      await expect(l.commit('ST-1', { stage: 'approved' as never })).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
    });

    it('keeps line quantities and answers what a buyer bought of a code in a Beijing year', async () => {
      const d = await db();
      const l = await ledger(d);
      const SUGAR = '17019910';
      const RICE = '10063020';
      const kg = (hs8: string, qty: string) => ({ hs8, unit: '035', qty });
      await l.reserve('Q-1', BUYER, '30', '2026-02-01', { quantities: [kg(SUGAR, '1.5'), kg(RICE, '10')] });
      // Two lines of one code add up: 0.25 + 0.25 = 0.5.
      await l.reserve('Q-2', BUYER, '20', '2026-03-01', { quantities: [kg(SUGAR, '0.25'), kg(SUGAR, '0.25')] });
      await l.reserve('Q-3', BUYER, '10', '2026-03-02', { quantities: [] });
      // Cancelled: does not count.
      await l.reserve('Q-4', BUYER, '10', '2026-03-03', { quantities: [kg(SUGAR, '0.3')] });
      await l.release('Q-4');
      // Committed and refunded in full (the goods went back): does not count.
      await l.reserve('Q-5', BUYER, '10', '2026-03-04', { quantities: [kg(SUGAR, '0.2')] });
      await l.commit('Q-5');
      expect(await l.refund('Q-5')).toMatchObject({ ok: true });
      // Committed, refunded in part: the ledger cannot tell which line came back, so it counts in full.
      await l.reserve('Q-6', BUYER, '10', '2026-03-05', { quantities: [kg(SUGAR, '0.1')] });
      await l.commit('Q-6');
      expect(await l.refund('Q-6', '4')).toMatchObject({ ok: true });
      // Expired reservation (reserved 2026-05-01 with a 1 s lifetime; the clock says 2026-06-01): does not count.
      await l.reserve('Q-7', BUYER, '10', '2026-05-01', {
        quantities: [kg(SUGAR, '0.7')],
        now: '2026-05-01T00:00:00Z',
        ttlMs: 1000,
      });
      // Other buyers and other years do not count; 2026-12-31T16:00:00Z is 2027 in Beijing.
      await l.reserve('Q-8', OTHER, '10', '2026-03-01', { quantities: [kg(SUGAR, '5')] });
      await l.reserve('Q-9', BUYER, '10', '2026-12-31T16:00:00Z', { quantities: [kg(SUGAR, '7')] });

      // Sugar: 1.5 (Q-1) + 0.5 (Q-2) + 0.1 (Q-6) = 2.1; rice 10; a code not bought is 0.
      const again = await ledger(d); // another handle on the same data: the quantities were stored
      expect(s(await again.usedQuantity(BUYER, 2026, SUGAR, '035'))).toBe('2.1');
      expect(s(await again.usedQuantity(BUYER, 2026, RICE, '035'))).toBe('10');
      expect(s(await again.usedQuantity(BUYER, 2026, '19011010', '035'))).toBe('0');
      expect(s(await again.usedQuantity(BUYER, 2026, SUGAR, '011'))).toBe('0');
      // Leaving the order being validated out: 2.1 − 1.5 = 0.6.
      expect(s(await again.usedQuantity(BUYER, 2026, SUGAR, '035', { excludeOrderNo: 'Q-1' }))).toBe('0.6');
      expect(s(await again.usedQuantity(BUYER, 2027, SUGAR, '035'))).toBe('7');
      expect(s(await again.usedQuantity(OTHER, 2026, SUGAR, '035'))).toBe('5');
      const use = await again.usedQuantities(BUYER, 2026);
      expect(use.unstated).toBe(0);
      expect(use.lines.map((q) => [q.hs8, q.unit, s(q.qty)])).toEqual([
        [RICE, '035', '10'],
        [SUGAR, '035', '2.1'],
      ]);
      expect((await again.find({ orderNo: 'Q-2' }))?.quantities?.map((q) => s(q.qty))).toEqual(['0.5']);

      // The same quantities (in another order of lines) are a duplicate; others are another order.
      expect(
        await l.reserve('Q-1', BUYER, '30', '2026-02-01', { quantities: [kg(RICE, '10.0'), kg(SUGAR, '1.50')] }),
      ).toMatchObject({ ok: true, duplicate: true });
      await expect(
        l.reserve('Q-1', BUYER, '30', '2026-02-01', { quantities: [kg(SUGAR, '1.4'), kg(RICE, '10')] }),
      ).rejects.toMatchObject({ code: 'QUOTA_CONFLICT' });

      // An order that counts but stated no quantities makes the answer unknown, not zero.
      await l.reserve('Q-10', BUYER, '10', '2026-04-01');
      expect(await l.usedQuantity(BUYER, 2026, SUGAR, '035')).toBeUndefined();
      expect((await l.usedQuantities(BUYER, 2026)).unstated).toBe(1);
      expect(s(await l.usedQuantity(BUYER, 2026, SUGAR, '035', { excludeOrderNo: 'Q-10' }))).toBe('2.1');
      // A retry that states them records them (the money is unchanged): 2.1 + 0.3 = 2.4.
      expect(await l.reserve('Q-10', BUYER, '10', '2026-04-01', { quantities: [kg(SUGAR, '0.3')] })).toMatchObject({
        ok: true,
        duplicate: true,
      });
      expect(s(await l.usedQuantity(BUYER, 2026, SUGAR, '035'))).toBe('2.4');
      // Money: 30 (Q-1) + 20 (Q-2) + 10 (Q-3) + (10 − 4) (Q-6) + 10 (Q-10) = 76.
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('76');

      // Quantities are exact decimal strings (or Decimals) of a known code and unit.
      await expect(
        l.reserve('Q-11', BUYER, '1', '2026-04-02', { quantities: [{ hs8: SUGAR, unit: '035', qty: 1.5 as never }] }),
      ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      await expect(
        l.reserve('Q-11', BUYER, '1', '2026-04-02', { quantities: [kg('1701', '1')] }),
      ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      await expect(
        l.reserve('Q-11', BUYER, '1', '2026-04-02', { quantities: [{ hs8: SUGAR, unit: 'kg', qty: '1' }] }),
      ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      await expect(
        l.reserve('Q-11', BUYER, '1', '2026-04-02', { quantities: [kg(SUGAR, '-1')] }),
      ).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      expect(
        await l.reserve('Q-11', BUYER, '1', '2026-04-02', {
          quantities: [{ hs8: SUGAR, unit: '035', qty: new Decimal('0.1') }],
        }),
      ).toMatchObject({ ok: true });
    });

    it('keys an order by platform and orderNo: one orderNo of two platforms is two orders, each counted and settled on its own', async () => {
      const l = await ledger(await db());
      const A = { ebpCode: 'PLAT-A', orderNo: 'M-1' };
      const B = { ebpCode: 'PLAT-B', orderNo: 'M-1' };
      const a = await l.reserve(A, BUYER, '1000', '2026-03-01', { copNo: 'COP-A' });
      expect(a).toMatchObject({ ok: true, duplicate: false, ebpCode: 'PLAT-A', entry: { ebpCode: 'PLAT-A' } });
      // The other platform's order of the same number, same buyer and amount: a second order, not a duplicate.
      const b = await l.reserve(B, BUYER, '1000', '2026-03-01', { copNo: 'COP-B' });
      expect(b).toMatchObject({ ok: true, duplicate: false, ebpCode: 'PLAT-B' });
      // 26000 − 1000 − 1000 = 24000.
      expect(s(b.remaining)).toBe('24000');
      // The same platform and orderNo again is still one order: a duplicate, or a conflict with other facts.
      expect(await l.reserve(A, BUYER, '1000.00', '2026-03-01')).toMatchObject({ ok: true, duplicate: true });
      await expect(l.reserve(A, OTHER, '1000', '2026-03-01')).rejects.toMatchObject({ code: 'QUOTA_CONFLICT' });
      await expect(l.reserve(B, BUYER, '999', '2026-03-01')).rejects.toMatchObject({ code: 'QUOTA_CONFLICT' });
      // A third platform's M-1 for another buyer is that buyer's order, not "another buyer" of A's.
      expect(await l.reserve({ ebpCode: 'PLAT-C', orderNo: 'M-1' }, OTHER, '700', '2026-03-02')).toMatchObject({
        ok: true,
        duplicate: false,
      });
      let b1 = await l.remaining(BUYER, 2026);
      expect([s(b1.used), s(b1.reserved), b1.orders]).toEqual(['2000', '2000', 2]);
      expect(s((await l.remaining(OTHER, 2026)).used)).toBe('700');

      // Committed, refunded and released each on its own.
      expect(await l.commit(A)).toMatchObject({ ok: true, duplicate: false, ebpCode: 'PLAT-A' });
      b1 = await l.remaining(BUYER, 2026);
      expect([s(b1.reserved), s(b1.committed)]).toEqual(['1000', '1000']);
      // B is still a reservation: not refundable; the same refund key is A's alone.
      expect(s((await l.refund(A, '400', { key: 'RET-1' })).remaining)).toBe('24400');
      expect(await l.refund(B, '400', { key: 'RET-1' })).toMatchObject({ ok: false, reason: 'not-committed' });
      expect(await l.commit(B)).toMatchObject({ ok: true, duplicate: false, ebpCode: 'PLAT-B' });
      // The same key on B's order is B's refund: 26000 − 600 − 600 = 24800.
      const rb = await l.refund(B, '400', { key: 'RET-1' });
      expect([rb.ok, rb.ok && rb.duplicate, s(rb.remaining)]).toEqual([true, false, '24800']);
      expect(await l.refund(A, '400', { key: 'RET-1' })).toMatchObject({ ok: true, duplicate: true });
      // B's cancel approved after release: what still counts of B (600) comes back; A keeps its 600.
      const rel = await l.release(B, { ifCommitted: 'release' });
      expect([rel.ok, s(rel.remaining)]).toEqual([true, '25400']);
      expect((await l.find(A))?.status).toBe('committed');
      expect((await l.find(B))?.status).toBe('released');
      b1 = await l.remaining(BUYER, 2026);
      expect([s(b1.used), s(b1.committed), b1.orders]).toEqual(['600', '600', 1]);

      // Leaving the order being validated out: only that platform's.
      expect(s((await l.remaining(BUYER, 2026, { excludeOrder: A })).used)).toBe('0');
      expect(s((await l.remaining(BUYER, 2026, { excludeOrder: B })).used)).toBe('600');
      // The orderNo alone names orders of two platforms for this buyer: none is left out.
      expect(s((await l.remaining(BUYER, 2026, { excludeOrderNo: 'M-1' })).used)).toBe('600');

      // The orderNo alone names three platforms' orders: misuse, unless copNo or invtNo settle it.
      await expect(l.commit('M-1')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      await expect(l.find({ orderNo: 'M-1' })).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      expect((await l.find({ orderNo: 'M-1', copNo: 'COP-B' }))?.ebpCode).toBe('PLAT-B');
      expect((await l.find({ copNo: 'COP-A', ebpCode: 'PLAT-B' }))?.ebpCode).toBeUndefined();

      expect((await l.history(BUYER, 2026)).map((e) => `${e.ebpCode} ${e.orderNo} ${e.type} ${s(e.amount)}`)).toEqual([
        'PLAT-A M-1 reserve 1000',
        'PLAT-B M-1 reserve 1000',
        'PLAT-A M-1 commit 1000',
        'PLAT-A M-1 refund 400',
        'PLAT-B M-1 commit 1000',
        'PLAT-B M-1 refund 400',
        'PLAT-B M-1 release 600',
      ]);
      expect((await l.history(OTHER, 2026)).map((e) => `${e.ebpCode} ${e.orderNo} ${e.type}`)).toEqual([
        'PLAT-C M-1 reserve',
      ]);
    });

    it('names an order by orderNo alone while one platform has it; an entry of no platform stated answers for any platform', async () => {
      const l = await ledger(await db());
      // A platform's order, named later by orderNo alone (the one order with that number).
      await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'S-1' }, BUYER, '100', '2026-03-01');
      expect(await l.reserve('S-1', BUYER, '100', '2026-03-01')).toMatchObject({
        ok: true,
        duplicate: true,
        ebpCode: 'PLAT-A',
      });
      expect(await l.commit('S-1')).toMatchObject({ ok: true, duplicate: false, ebpCode: 'PLAT-A' });
      // An order reserved without a platform (e.g. before the ledger kept platforms)…
      expect(
        (await l.reserve('L-1', BUYER, '200', '2026-03-02')).ok && (await l.find({ orderNo: 'L-1' }))?.ebpCode,
      ).toBe('');
      // …is found under a platform that has no L-1 of its own, and the same facts are the same order.
      expect(await l.commit({ ebpCode: 'PLAT-A', orderNo: 'L-1' })).toMatchObject({ ok: true, ebpCode: '' });
      expect(await l.reserve({ ebpCode: 'PLAT-B', orderNo: 'L-1' }, BUYER, '200', '2026-03-02')).toMatchObject({
        ok: true,
        duplicate: true,
        ebpCode: '',
      });
      // Other facts under another platform: that platform's own order.
      expect(await l.reserve({ ebpCode: 'PLAT-C', orderNo: 'L-1' }, BUYER, '250', '2026-03-02')).toMatchObject({
        ok: true,
        duplicate: false,
        ebpCode: 'PLAT-C',
      });
      // Now each is found under its own key: the orderNo alone is the entry of no platform stated.
      expect(await l.commit('L-1')).toMatchObject({ ok: true, duplicate: true, ebpCode: '' });
      expect(await l.commit({ ebpCode: 'PLAT-C', orderNo: 'L-1' })).toMatchObject({
        ok: true,
        duplicate: false,
        ebpCode: 'PLAT-C',
      });
      expect(await l.commit({ ebpCode: 'PLAT-D', orderNo: 'S-1' })).toMatchObject({
        ok: false,
        reason: 'unknown-order',
        ebpCode: 'PLAT-D',
        message: 'The ledger has no order S-1 of platform PLAT-D',
      });
      // 100 (S-1 of PLAT-A) + 200 (L-1, no platform) + 250 (L-1 of PLAT-C) = 550, all committed.
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.used), s(b.committed), b.orders]).toEqual(['550', '550', 3]);
      // A platform code is a CEB ebpCode: at most 18 characters, no white space at either end.
      for (const ebpCode of [' PLAT-A', 'P'.repeat(19), 42 as never])
        await expect(l.reserve({ ebpCode, orderNo: 'X-1' }, BUYER, '1', '2026-03-03')).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
        });
      expect(await l.reserve({ ebpCode: 'P'.repeat(18), orderNo: 'X-1' }, BUYER, '1', '2026-03-03')).toMatchObject({
        ok: true,
      });
    });

    it('matches receipts to the platform they name: two platforms, one orderNo and one copNo', async () => {
      const l = await ledger(await db());
      await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'RC-1' }, BUYER, '300', '2026-07-01', { copNo: 'COP-RC' });
      await l.reserve({ ebpCode: 'PLAT-B', orderNo: 'RC-1' }, BUYER, '500', '2026-07-01', { copNo: 'COP-RC' });
      const out = await applyReceipts(l, [
        {
          kind: 'CEB622',
          ebpCode: 'PLAT-B',
          copNo: 'COP-RC',
          invtNo: '290020260000000501',
          returnStatus: '800',
          returnTime: '20260702100000000',
        },
        { kind: 'CEB622', ebpCode: 'PLAT-A', orderNo: 'RC-1', returnStatus: '800', returnTime: '20260702110000000' },
        {
          kind: 'CEB626',
          ebpCode: 'PLAT-B',
          copNo: 'RET-RC',
          invtNo: '290020260000000501',
          returnStatus: '399',
          returnTime: '20260710100000000',
          amount: '200',
        },
        { kind: 'CEB624', ebpCode: 'PLAT-C', orderNo: 'RC-1', returnStatus: '399', returnTime: '20260711100000000' },
      ]);
      expect(out.map((o) => `${o.action} ${o.status} ${o.ebpCode ?? '-'} ${o.orderNo ?? '-'}`)).toEqual([
        'commit applied PLAT-B RC-1',
        'commit applied PLAT-A RC-1',
        'refund applied PLAT-B RC-1',
        // PLAT-C has no RC-1, and no entry of no platform stated stands for it.
        'release unmatched - -',
      ]);
      // The invtNo was recorded on PLAT-B's order only.
      expect((await l.find({ ebpCode: 'PLAT-A', orderNo: 'RC-1' }))?.invtNo).toBeUndefined();
      expect((await l.find({ invtNo: '290020260000000501' }))?.ebpCode).toBe('PLAT-B');
      // 300 + (500 − 200) = 600 committed.
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.committed), s(b.used)]).toEqual(['600', '600']);
    });

    it('finds the same order by a copNo or invtNo that several orders share, in every store: a live one, else the latest', async () => {
      const l = await ledger(await db());
      // A platform that reuses copNos (the specification asks no uniqueness of them): the first order was cancelled.
      await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'RU-1' }, BUYER, '300', '2026-07-01', { copNo: 'COP-RU' });
      await l.release({ ebpCode: 'PLAT-A', orderNo: 'RU-1' }, { now: '2026-07-02' });
      await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'RU-2' }, BUYER, '500', '2026-07-03', { copNo: 'COP-RU' });
      await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'RU-3' }, BUYER, '700', '2026-07-04', { copNo: 'COP-OLD' });
      await l.reserve({ ebpCode: 'PLAT-A', orderNo: 'RU-4' }, BUYER, '900', '2026-07-05', { copNo: 'COP-OLD' });
      // (an update of the earlier order: PostgreSQL's LIMIT 1 without an order then read the rows in another order)
      await l.link({ ebpCode: 'PLAT-A', orderNo: 'RU-3' }, { invtNo: 'I-RU-3' });
      await l.link({ ebpCode: 'PLAT-A', orderNo: 'RU-4' }, { invtNo: 'I-RU-3' });
      expect((await l.find({ copNo: 'COP-RU', ebpCode: 'PLAT-A' }))?.orderNo).toBe('RU-2');
      expect((await l.find({ copNo: 'COP-OLD' }))?.orderNo).toBe('RU-4');
      expect((await l.find({ invtNo: 'I-RU-3' }))?.orderNo).toBe('RU-4');
      const out = await applyReceipts(l, [
        {
          kind: 'CEB622',
          ebpCode: 'PLAT-A',
          copNo: 'COP-RU',
          invtNo: '290020260000000601',
          returnStatus: '800',
          returnTime: '20260704100000000',
        },
      ]);
      // The live order is committed; the cancelled one was taken before (memory, SQLite): refused, and RU-2 never counted.
      expect(out.map((o) => `${o.action} ${o.status} ${o.orderNo ?? '-'}`)).toEqual(['commit applied RU-2']);
    });

    it("counts each platform's order once under 60 concurrent reservations of 20 orderNos on two platforms", async () => {
      const d = await db();
      const l = await ledger(d);
      await l.remaining(BUYER, 2026); // claims the store for SECRET before the crowd arrives
      // 20 orderNos × 2 platforms = 40 distinct orders of 1,000 (40,000 > 26,000), and 20 repeats: 60 calls.
      const calls: HammerCall[] = [];
      for (let i = 0; i < 20; i++)
        for (const ebpCode of ['PLAT-A', 'PLAT-B'])
          calls.push({ ebpCode, orderNo: `MP-${String(i).padStart(2, '0')}`, amount: '1000' });
      for (let i = 0; i < 20; i++)
        calls.push({
          ebpCode: i % 2 ? 'PLAT-B' : 'PLAT-A',
          orderNo: `MP-${String(i).padStart(2, '0')}`,
          amount: '1000.00',
        });
      const results = await d.hammer(calls, BUYER, '2026-08-08T08:08:08+08:00');
      expect(results).toHaveLength(60);
      const accepted = new Set(results.filter((r) => r.ok).map((r) => `${r.ebpCode}/${r.orderNo}`));
      // 26,000 / 1,000 = 26 orders fit, whichever platforms they are of.
      expect(accepted.size).toBe(26);
      expect(results.filter((r) => r.ok && !r.duplicate)).toHaveLength(26);
      expect(results.filter((r) => !r.ok).every((r) => r.reason === 'over-limit')).toBe(true);
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.used), s(b.remaining), b.orders]).toEqual(['26000', '0', 26]);
      const reserves = (await l.history(BUYER, 2026)).filter((e) => e.type === 'reserve');
      expect(new Set(reserves.map((e) => `${e.ebpCode}/${e.orderNo}`))).toEqual(accepted);
      expect(reserves).toHaveLength(26);
    }, 120_000);

    it('never passes the limit under 200 concurrent reservations, counting each orderNo once', async () => {
      const d = await db();
      const l = await ledger(d);
      await l.remaining(BUYER, 2026); // claims the store for SECRET before the crowd arrives
      // 160 distinct orders of 200 CNY (32,000 > 26,000) and 40 repeats: 200 calls.
      const calls: HammerCall[] = [];
      for (let i = 0; i < 160; i++) calls.push({ orderNo: `C-${String(i).padStart(3, '0')}`, amount: '200.00' });
      for (let i = 0; i < 40; i++) calls.push({ orderNo: `C-${String(i * 4).padStart(3, '0')}`, amount: '200' });
      const results = await d.hammer(calls, BUYER, '2026-08-08T08:08:08+08:00');
      expect(results).toHaveLength(200);
      const accepted = new Set(results.filter((r) => r.ok).map((r) => r.orderNo));
      expect(accepted.size).toBe(130);
      expect(results.filter((r) => !r.ok).every((r) => r.reason === 'over-limit')).toBe(true);
      const b = await l.remaining(BUYER, 2026);
      expect([s(b.used), s(b.remaining), b.orders]).toEqual(['26000', '0', 130]);
      const events = await l.history(BUYER, 2026);
      expect(events.filter((e) => e.type === 'reserve')).toHaveLength(130);
      expect(new Set(events.map((e) => e.orderNo))).toEqual(accepted);
      // A repeated orderNo that was accepted reports itself as a duplicate or as the first, never twice.
      const okCalls = results.filter((r) => r.ok);
      expect(okCalls.filter((r) => !r.duplicate)).toHaveLength(130);
      // The reservations take under a second; starting the worker processes on a loaded machine takes the rest.
    }, 120_000);
  });
}
