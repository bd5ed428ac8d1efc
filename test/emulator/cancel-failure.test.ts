import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { LATEST_TIME, manualClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import type { EmulatorEngine, EngineOptions } from '../../src/emulator/types.js';
import type { QuotaLedger } from '../../src/quota/index.js';
import { signMessage } from '../../src/sign/index.js';
import { buildMessage, parseReturnInfo } from '../../src/xml/index.js';
import { cancelOf, example, lastInfo, makeSigning, messages, RATES, SENDER, trail, type Signing } from './helpers.js';

/*
 * A cancel (CEB623) holds its inventory's release while it is under way. One that ends refused — the emulator's own
 * failure at its conclusion answers it 100 with the DXP layer's 3001 — no longer holds it: the inventory goes on to
 * its release, as customs leaves an inventory whose cancel it did not approve, and a new cancel may be applied for.
 * The inventory's release had been dropped for good: it stayed at 120, never released nor cancelled, and every later
 * cancel was refused -623005 (a cancel already under way).
 */

const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;
beforeAll(() => {
  signing = makeSigning();
}, 120_000);
afterAll(() => signing?.keys.cleanup());

async function signedCancel(doc: Record<string, unknown>): Promise<string> {
  const r = buildMessage('CEB623', doc as never, {
    sender: SENDER,
    now: () => new Date(T0),
    newId: () => randomUUID(),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (await signMessage(r.xml, signing.trusted)).xml;
}

/** An engine on the manual clock at T0, trusting the test signer, with `timing` and the state `store` kept in `dir`. */
function engineOf(timing: EngineOptions['timing'], store: 'memory' | 'sqlite' = 'memory', dir?: string) {
  return createEngine({
    store: store === 'memory' ? 'memory' : { sqlite: join(dir!, 'state.db') },
    clock: manualClock(T0),
    trust: signing.trust,
    rates: RATES,
    timing,
  });
}

/**
 * Declares the example's order, payment, waybill and inventory, lets `wait` pass (the inventory at 120) and applies
 * for the inventory's cancel: the declaration, the inventory's invtNo and whether the cancel was taken.
 */
async function cancelApplied(e: EmulatorEngine, wait: string) {
  const d = example();
  const m = await messages(d, signing.trusted);
  for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
  await e.advance(wait);
  const invtNo = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '120')!.invtNo!;
  const { accepted } = await e.submit(await signedCancel(cancelOf(d, invtNo)), { transport: 'api' });
  return { d, invtNo, accepted };
}

/**
 * Makes the quota ledger fail as a cancel concludes, so that the cancel is answered 100 (3001) and not approved; the
 * function given back mends it.
 */
function ledgerDown(e: EmulatorEngine): () => void {
  const ledger = (e as unknown as { ledger: QuotaLedger }).ledger;
  const release = ledger.release.bind(ledger);
  ledger.release = async () => {
    throw new Error('the ledger is down');
  };
  return () => {
    ledger.release = release;
  };
}

describe('a cancel that ends refused', () => {
  for (const store of ['memory', 'sqlite'] as const)
    it(`no longer holds its inventory: released when its release falls due (${store})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-cancel-'));
      // released 10 min after 120; a cancel runs 2 s (3), 5 s (120), 30 s (399)
      const e = await engineOf({ released: '10m' }, store, dir);
      try {
        // the inventory at 120 (10:20:07 Beijing), its release due at 10:30:07
        expect((await cancelApplied(e, '10s')).accepted).toBe(true);
        // the quota store fails as the cancel concludes: the cancel is answered 100 (3001), and not approved
        const mend = ledgerDown(e);
        await e.advance('1m');
        mend();
        expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:100']);
        expect(parseReturnInfo(lastInfo(e.receipts(), 'CEB624') ?? '').code).toBe('3001');
        // the inventory is released when its release falls due (10:30:07), as if no cancel had been applied for
        await e.advance('9m');
        expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
        const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800')!;
        expect(released.at).toBe('2026-11-20T10:30:07.000+08:00');
        await e.advance('1d');
        expect(trail(e.receipts(), 'CEB816')).toEqual(['CEB816']);
      } finally {
        await e.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

  it('releases an inventory whose release fell due while the cancel was under way, as the cancel is refused', async () => {
    // 120 at 10:20:07 Beijing, release due at 10:20:27, while the cancel (applied at 10:20:10) runs to 10:20:47
    const e = await engineOf({ released: '20s' });
    await cancelApplied(e, '10s');
    ledgerDown(e);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB624').at(-1)).toBe('CEB624:100');
    // due at 10:20:27 and held by the cancel; released the instant the cancel is refused, at 10:20:47 (the cancel's
    // 120 at 10:20:17, plus timing.concluded's 30 s), the release being overdue by then. (It was asked again every
    // timing.concluded: at 10:20:57, the first ask past the refusal.)
    const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
    expect(released?.at).toBe('2026-11-20T10:20:47.000+08:00');
    expect(e.receipts().find((r) => r.type === 'CEB624' && r.returnStatus === '100')?.at).toBe(released?.at);
    await e.close();
  });

  it('leaves the inventory free for a new cancel, which is approved (399) and cancels it', async () => {
    const e = await engineOf({ released: '10m' });
    const { d, invtNo } = await cancelApplied(e, '10s');
    const mend = ledgerDown(e);
    await e.advance('1m');
    mend();
    // before the release: the second cancel is taken (it was -623005, 清单状态不允许撤销) and concludes
    const again = await e.submit(await signedCancel(cancelOf(d, invtNo)), { transport: 'api' });
    expect(again.accepted).toBe(true);
    await e.advance('1d');
    expect(trail(e.receipts(), 'CEB624')).toEqual([
      ...['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:100'],
      ...['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:399'],
    ]);
    expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
    expect(trail(e.receipts(), 'CEB816')).toEqual([]);
    await e.close();
  });

  /**
   * Stops a timeline that would run for ever: a hang inside advance() never yields to the event loop, so a vitest
   * timeout alone would not end it.
   */
  function boundTimeline(e: unknown): void {
    const state = (e as { state: { nextDue: () => unknown } }).state;
    const next = state.nextDue.bind(state);
    let calls = 0;
    state.nextDue = () => {
      if (++calls > 10_000) throw new Error('the timeline does not end');
      return next();
    };
  }

  for (const [outcome, store] of [
    ['refused', 'memory'],
    ['refused', 'sqlite'],
    ['approved', 'memory'],
  ] as const)
    it(`ends with a timing.concluded of 0, the release due while the cancel is under way (${outcome}, ${store})`, {
      timeout: 20_000,
    }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-cancel-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      // 120 at 10:20:07 Beijing, release due at 10:20:09; the cancel applied at 10:20:07 runs 3 at 10:20:09, 120 at
      // 10:20:14 and concludes in the same instant. The release was asked again every 0 ms, at 10:20:09 for ever.
      const e = await engineOf({ released: '2s', concluded: 0 }, store, dir);
      boundTimeline(e);
      expect((await cancelApplied(e, '7s')).accepted).toBe(true);
      if (outcome === 'refused') ledgerDown(e);
      await e.advance('1m');
      const at = (type: string, status: string) =>
        e.receipts().find((r) => r.type === type && r.returnStatus === status)?.at;
      if (outcome === 'refused') {
        expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:100']);
        expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
        // released as the cancel is refused, at 10:20:14
        expect(at('CEB624', '100')).toBe('2026-11-20T10:20:14.000+08:00');
        expect(at('CEB622', '800')).toBe('2026-11-20T10:20:14.000+08:00');
      } else {
        expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:399']);
        expect(at('CEB624', '399')).toBe('2026-11-20T10:20:14.000+08:00');
        // the release that fell due meanwhile goes with the approved cancel
        expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120']);
      }
      await e.close();
    });

  it('ends at the end of time, the release and the cancel both due there', { timeout: 20_000 }, async () => {
    // both clamped to 9999-12-31 23:59:59.999 Beijing: the release (taken first) falls due while the cancel is at 120
    const e = await engineOf({ released: '99999999d', concluded: '99999999d' });
    boundTimeline(e);
    await cancelApplied(e, '10s');
    ledgerDown(e);
    // to the last millisecond a CEB message can carry
    await e.advance(LATEST_TIME - e.now().getTime());
    expect(trail(e.receipts(), 'CEB624').at(-1)).toBe('CEB624:100');
    const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
    expect(released?.at).toBe('9999-12-31T23:59:59.999+08:00');
    await e.close();
  });
});

describe('a cancel refused while its release fell due, the release kept as due (releaseDue)', () => {
  /** The engine's state, to make it fail or read it. */
  const stateOf = (e: EmulatorEngine) =>
    (e as unknown as { state: { addReceipt: (r: { type: string; returnStatus?: string }) => unknown } }).state;

  /**
   * Runs `during` with the state refusing the cancel's CEB624 100 (3001) the first `times` times it is asked to write
   * it (the disk full); gives back how many times it was asked.
   */
  async function refusingCancelAnswer(e: EmulatorEngine, times: number, during: () => Promise<unknown>) {
    const state = stateOf(e);
    const add = state.addReceipt.bind(state);
    let asked = 0;
    state.addReceipt = (r) => {
      if (r.type === 'CEB624' && r.returnStatus === '100' && asked++ < times) throw new Error('the disk is full');
      return add(r);
    };
    try {
      await during();
    } finally {
      state.addReceipt = add;
    }
    return asked;
  }

  for (const store of ['memory', 'sqlite'] as const)
    it(`ends refused and the inventory released when the failure's answer cannot be written either (${store})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-cancel-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      // 120 at 10:20:07 Beijing, release due at 10:20:27 (held by the cancel), the cancel failing at 10:20:47
      const e = await engineOf({ released: '20s' }, store, dir);
      try {
        await cancelApplied(e, '10s');
        const mend = ledgerDown(e);
        // the state refuses the CEB624 100 (3001) too: SQLite undoes the failure's whole step
        await refusingCancelAnswer(e, Number.POSITIVE_INFINITY, () => e.advance('1m'));
        mend();
        await e.advance('1d');
        // the cancel's refusal could not be sent; the inventory is released all the same, at 10:20:47, when the cancel
        // ended (it stayed at 120 for ever in SQLite: the step undone, the cancel under way, releaseDue never used)
        expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
        const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
        expect(released?.at).toBe('2026-11-20T10:20:47.000+08:00');
      } finally {
        await e.close();
      }
    });

  for (const store of ['memory', 'sqlite'] as const)
    it(`writes the cancel's 100 (3001) once more, on its own, when the failure's step could not write it (${store})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-cancel-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      // 120 at 10:20:07 Beijing, release due at 10:20:27 (held by the cancel), the cancel failing at 10:20:47
      const e = await engineOf({ released: '20s' }, store, dir);
      try {
        await cancelApplied(e, '10s');
        const mend = ledgerDown(e);
        // the state refuses the CEB624 100 (3001) once: the failure's step is undone, the disk then has room again
        const asked = await refusingCancelAnswer(e, 1, () => e.advance('1m'));
        mend();
        await e.advance('1d');
        expect(asked).toBe(2);
        // the platform hears the cancel refused (it heard 120 last, then the inventory's 800), then the release
        expect(trail(e.receipts()).filter((t) => /^CEB62[24]:(100|800)$/.test(t))).toEqual([
          'CEB624:100',
          'CEB622:800',
        ]);
        expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120', 'CEB624:100']);
        expect(parseReturnInfo(lastInfo(e.receipts(), 'CEB624') ?? '').code).toBe('3001');
        expect(trail(e.receipts(), 'CEB622')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
        const at = (type: string, status: string) =>
          e.receipts().find((r) => r.type === type && r.returnStatus === status)?.at;
        expect(at('CEB624', '100')).toBe('2026-11-20T10:20:47.000+08:00');
        expect(at('CEB622', '800')).toBe('2026-11-20T10:20:47.000+08:00');
      } finally {
        await e.close();
      }
    });

  for (const when of ['still under way', 'refused'] as const)
    it(`a SQLite state written before releaseDue was kept releases the inventory (cancel ${when} at the restart)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-cancel-'));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, 'state.db');
      let e = await engineOf({ released: '20s' }, 'sqlite', dir);
      // the release falls due at 10:20:27 while the cancel (120 at 10:20:17, concluding at 10:20:47) is under way
      await cancelApplied(e, '10s');
      await e.advance('20s');
      expect(trail(e.receipts(), 'CEB624')).toEqual(['CEB624:2', 'CEB624:3', 'CEB624:120']);
      const at = e.now().toISOString();
      await e.close();
      // as the code before releaseDue left it: the release dropped, nothing kept; and, refused, the cancel answered
      // 100 (3001) with nothing left of it on the timeline
      const db = new Database(file);
      expect(
        db.prepare("UPDATE emu_doc SET body = json_remove(body, '$.releaseDue') WHERE kind = 'inventory'").run()
          .changes,
      ).toBe(1);
      if (when === 'refused') {
        db.prepare("UPDATE emu_doc SET body = json_set(body, '$.status', '100') WHERE kind = 'cancel'").run();
        db.prepare("DELETE FROM emu_timeline WHERE event ->> '$.kind' = 'cancel'").run();
      }
      db.close();
      e = await createEngine({
        store: { sqlite: file },
        clock: manualClock(at),
        trust: signing.trust,
        rates: RATES,
        timing: { released: '20s' },
      });
      try {
        if (when === 'still under way') ledgerDown(e);
        await e.advance('1d');
        // released at the restart (10:20:30) when the cancel was refused before it, else as the cancel is refused
        // (10:20:47); it stayed at 120 for ever
        expect(trail(e.receipts(), 'CEB622').at(-1)).toBe('CEB622:800');
        const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
        expect(released?.at).toBe(
          when === 'refused' ? '2026-11-20T10:20:30.000+08:00' : '2026-11-20T10:20:47.000+08:00',
        );
        expect(trail(e.receipts(), 'CEB816')).toEqual(['CEB816']);
      } finally {
        await e.close();
      }
    });
});
