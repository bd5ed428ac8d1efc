import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import type { EmulatorState } from '../../src/emulator/state.js';
import type { EmulatorEngine, OutgoingReceipt } from '../../src/emulator/types.js';
import type { QuotaLedger } from '../../src/quota/index.js';
import { signMessage } from '../../src/sign/index.js';
import { buildMessage, parseReturnInfo } from '../../src/xml/index.js';
import { cancelOf, example, makeSigning, messages, read, RATES, SENDER, trail, type Signing } from './helpers.js';

/*
 * An inventory's returns (CEB625) are checked against what its earlier returns took back, line by line, and their
 * share of the quota against what the concluded ones gave. Those totals are kept on the inventory as each return
 * moves, not read from every earlier return: the same returns give the same receipts and quota in memory and in
 * SQLite, in a state written before the totals were kept, and the Nth return reads none of the N − 1 before it.
 */

const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;
const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-returns-'));
beforeAll(() => {
  signing = makeSigning();
}, 120_000);
afterAll(() => {
  signing?.keys.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The example with line 1 as 10 tins at 39.80 (398.00, as before) and line 2 one cream at 150.00: 548.00 counted. */
function tenTins(): Record<string, any> {
  const d = example();
  for (const k of ['order', 'inventory']) Object.assign(d[k].items[0], { qty: 10, price: '39.80' });
  return d;
}

const TIN = { gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit: '122' };
const CREAM = { gnum: 2, gcode: '3304990039', gname: '保湿面霜 50ml', qty: 1, unit: '142' };

/** An engine whose ids count up, so that two engines given the same messages write the same receipts. */
async function engine(store: 'memory' | { sqlite: string }, ids: { n: number }, at = T0): Promise<EmulatorEngine> {
  return createEngine({
    store,
    clock: manualClock(at),
    trust: signing.trust,
    rates: RATES,
    newId: () => `00000000-0000-4000-8000-${String(++ids.n).padStart(12, '0')}`,
  });
}

const inside = (e: EmulatorEngine) => e as unknown as { ledger: QuotaLedger; state: EmulatorState };

/** Counts the returns (refund documents) the engine reads from its state. */
function countReturnReads(e: EmulatorEngine): { n: number } {
  const state = inside(e).state;
  const find = state.findDocs.bind(state);
  const count = { n: 0 };
  state.findDocs = (kind, by) => {
    const found = find(kind, by);
    if (kind === 'refund') count.n += found.length;
    return found;
  };
  return count;
}

/** The four messages of `tenTins()`, built once: every run is given the very same ones. */
let declared: Record<'order' | 'payment' | 'logistics' | 'inventory', string> | undefined;

async function declareOrder(e: EmulatorEngine, d: Record<string, any>): Promise<string> {
  declared ??= await messages(d, signing.trusted);
  const m = declared;
  for (const k of ['order', 'payment', 'logistics', 'inventory'] as const) await e.submit(m[k], { transport: 'api' });
  await e.advance('1d');
  const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
  expect(released).toBeDefined();
  return released!.invtNo!;
}

/** A CEB625 of `items` with its own guid (a temp-save and its declaration share one), signed. */
async function returnOf(
  d: Record<string, any>,
  invtNo: string,
  guid: string,
  items: Array<Record<string, unknown>>,
  appStatus: '1' | '2' = '2',
): Promise<string> {
  const doc = { guid, appStatus, ...cancelOf(d, invtNo, '质量问题'), items };
  const r = buildMessage('CEB625', doc as never, {
    sender: SENDER,
    now: () => new Date(T0),
    newId: () => `10000000-0000-4000-8000-${guid.slice(-12)}`,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return (await signMessage(r.xml, signing.trusted)).xml;
}

const guid = (n: number) => `A0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The quota of the order as the ledger has it: status, counted, given back; and the buyer's year. */
async function quotaOf(e: EmulatorEngine, d: Record<string, any>) {
  const ledger = inside(e).ledger;
  const x = await ledger.find({ ebpCode: d.order.ebpCode, orderNo: d.order.orderNo });
  const year = await ledger.remaining(d.order.buyerIdNumber, 2026, {});
  const history = await ledger.history(d.order.buyerIdNumber, 2026);
  return {
    entry: x && [x.status, x.amount.toFixed(2), x.refunded.toFixed(2)],
    used: year.used.toFixed(2),
    events: history.map((h) => [h.type, h.amount.toFixed(2), h.key ?? '']),
  };
}

const desc = (r: OutgoingReceipt) => parseReturnInfo(String(read(r).documents[0]!.returnInfo)).desc;

/**
 * The returns of the example's order, one step at a time (`between` runs after each step: a restart, a state as the
 * code before the totals left it). Returns the CEB626 receipts, every receipt and the quota.
 */
async function returns(
  open: (at: string) => Promise<EmulatorEngine>,
  between: (e: EmulatorEngine) => Promise<EmulatorEngine> = async (e) => e,
) {
  const d = tenTins();
  let e = await open(T0);
  const invtNo = await declareOrder(e, d);
  const step = async (xml: string, advance = '1h') => {
    const ack = await e.submit(xml, { transport: 'api' });
    await e.advance(advance);
    e = await between(e);
    return ack.accepted;
  };
  const accepted = [
    // 1. three tins back, concluded: 548.00 × 119.40 / 548.00 = 119.40 of the quota back
    await step(await returnOf(d, invtNo, guid(1), [{ ...TIN, qty: 3 }])),
    // 2. eight more: 3 + 8 = 11 > 10, refused
    await step(await returnOf(d, invtNo, guid(2), [{ ...TIN, qty: 8 }])),
    // 3. a line the inventory has not: -625209
    await step(await returnOf(d, invtNo, guid(3), [{ ...TIN, gnum: 3, qty: 1 }])),
    // 4. seven tins kept as a draft (1): not counted
    await step(await returnOf(d, invtNo, guid(4), [{ ...TIN, qty: 7 }], '1')),
    // 5. four tins applied for (2) and, before they conclude, 6. four more: 3 + 4 + 4 = 11 > 10, refused
    await step(await returnOf(d, invtNo, guid(5), [{ ...TIN, qty: 4 }]), '1s'),
    await step(await returnOf(d, invtNo, guid(6), [{ ...TIN, qty: 4 }]), '1s'),
  ];
  // 5 fails at its conclusion (its quota refund throws): answered 100 (3001), it no longer counts
  const ledger = inside(e).ledger;
  const refund = ledger.refund.bind(ledger);
  ledger.refund = async () => {
    throw new Error('the ledger is down');
  };
  await e.advance('1h');
  ledger.refund = refund;
  e = await between(e);
  accepted.push(
    // 7. the draft of 4 declared: 3 + 7 = 10, taken; concluded, 548.00 × 398.00 / 548.00 − 119.40 = 278.60 back
    await step(await returnOf(d, invtNo, guid(4), [{ ...TIN, qty: 7 }])),
    // 8. one tin more: refused (10 returned before)
    await step(await returnOf(d, invtNo, guid(8), [{ ...TIN, qty: 1 }])),
    // 9. the cream: the whole order is back, the 150.00 still counted with it
    await step(await returnOf(d, invtNo, guid(9), [CREAM])),
  );
  const out = {
    accepted,
    ceb626: e.receipts().filter((r) => r.type === 'CEB626'),
    receipts: e.receipts().map((r) => [r.seq, r.type, r.returnStatus ?? '', r.at, r.xml]),
    quota: await quotaOf(e, d),
  };
  await e.close();
  return out;
}

describe('the returns of an inventory (CEB625)', () => {
  it('give the same receipts and quota in memory and in SQLite, figures as computed by hand', async () => {
    const ids = { n: 0 };
    const memory = await returns((at) => engine('memory', ids, at));
    ids.n = 0;
    const file = join(dir, 'same.db');
    const sqlite = await returns((at) => engine({ sqlite: file }, ids, at));
    // customs' refusals (100) are taken in by the E-Port first (2, 3); only the E-Port's own (-625209) refuses at once
    expect(memory.accepted).toEqual([true, true, false, true, true, true, true, true, true]);
    const statuses = memory.ceb626.map((r) => r.returnStatus);
    expect(statuses).toEqual([
      ...['2', '3', '120', '399'], // 1
      ...['2', '3', '100'], // 2
      '-625209', // 3
      '1', // 4 (draft)
      ...['2', '2'], // 5, 6
      ...['3', '3'], // 5, 6
      ...['120', '100'], // 5, 6 refused where its 120 would be
      '100', // 5, failing
      ...['2', '3', '120', '399'], // 7
      ...['2', '3', '100'], // 8
      ...['2', '3', '120', '399'], // 9
    ]);
    expect(memory.ceb626.filter((r) => r.returnStatus === '100').map(desc)).toEqual([
      '退货数量超过原清单数量（项号 1，已退 3）/ more returned than declared on line 1 (3 returned before)',
      '退货数量超过原清单数量（项号 1，已退 7）/ more returned than declared on line 1 (7 returned before)',
      'emulator failure: the ledger is down',
      '退货数量超过原清单数量（项号 1，已退 10）/ more returned than declared on line 1 (10 returned before)',
    ]);
    // 119.40 + 278.60 + 150.00 = 548.00: all the order counted is back, nothing of the year used
    expect(memory.quota.entry).toEqual(['committed', '548.00', '548.00']);
    expect(memory.quota.used).toBe('0.00');
    expect(memory.quota.events.filter((x) => x[0] === 'refund')).toEqual([
      ['refund', '119.40', guid(1)],
      ['refund', '278.60', guid(4)],
      ['refund', '150.00', guid(9)],
    ]);
    expect(sqlite.receipts).toEqual(memory.receipts);
    expect(sqlite.quota).toEqual(memory.quota);
    expect(sqlite.accepted).toEqual(memory.accepted);
  }, 60_000);

  it('a SQLite state written before the totals were kept (none on the inventory) gives the same, after a restart', async () => {
    const ids = { n: 0 };
    const memory = await returns((at) => engine('memory', ids, at));
    ids.n = 0;
    const file = join(dir, 'old.db');
    let stripped = 0;
    // After each step the emulator stops, the inventory loses its totals as the code before them wrote it, and
    // it starts again on the file.
    const restart = async (e: EmulatorEngine) => {
      const at = e.now().toISOString();
      await e.close();
      const db = new Database(file);
      stripped += db
        .prepare(
          "UPDATE emu_doc SET body = json_remove(body, '$.returned') WHERE kind = 'inventory' AND body -> '$.returned' IS NOT NULL",
        )
        .run().changes;
      db.close();
      return engine({ sqlite: file }, ids, at);
    };
    const old = await returns((at) => engine({ sqlite: file }, ids, at), restart);
    expect(stripped).toBeGreaterThan(0);
    expect(old.receipts).toEqual(memory.receipts);
    expect(old.quota).toEqual(memory.quota);
  }, 60_000);

  it.each(['memory', 'sqlite'] as const)(
    'the Nth return reads none of the returns before it (%s state); one of an older state reads them once',
    async (kind) => {
      const ids = { n: 0 };
      const file = join(dir, `reads-${kind}.db`);
      const e = await engine(kind === 'memory' ? 'memory' : { sqlite: file }, ids);
      const d = tenTins();
      const invtNo = await declareOrder(e, d);
      const reads = countReturnReads(e);
      const perReturn: number[] = [];
      for (let i = 1; i <= 6; i++) {
        const before = reads.n;
        expect(
          (await e.submit(await returnOf(d, invtNo, guid(i), [{ ...TIN, qty: 1 }]), { transport: 'api' })).accepted,
        ).toBe(true);
        await e.advance('1h');
        perReturn.push(reads.n - before);
      }
      expect(trail(e.receipts(), 'CEB626').filter((t) => t === 'CEB626:399')).toHaveLength(6);
      // The first works out its inventory's totals (there is none before it: it reads itself, and leaves itself
      // out); the code before read every earlier return twice over for each: 1, 3, 5, … 11.
      expect(perReturn).toEqual([1, 0, 0, 0, 0, 0]);
      if (kind === 'sqlite') {
        // The totals taken off, as a state written before them: the next return reads the six once, then none.
        const at = e.now().toISOString();
        await e.close();
        const db = new Database(file);
        db.prepare("UPDATE emu_doc SET body = json_remove(body, '$.returned') WHERE kind = 'inventory'").run();
        db.close();
        const again = await engine({ sqlite: file }, ids, at);
        const r2 = countReturnReads(again);
        const counts: number[] = [];
        for (let i = 7; i <= 9; i++) {
          const before = r2.n;
          const ack = await again.submit(await returnOf(d, invtNo, guid(i), [{ ...TIN, qty: 1 }]), {
            transport: 'api',
          });
          expect(ack.accepted).toBe(true);
          await again.advance('1h');
          counts.push(r2.n - before);
        }
        // the check of return 7 and its move into force each work the totals out (6, and 6 + itself, left out);
        // then they are kept
        expect(counts).toEqual([13, 0, 0]);
        // 9 tins returned of 10: a tenth and an eleventh, the eleventh refused
        const tenth = await again.submit(await returnOf(d, invtNo, guid(10), [{ ...TIN, qty: 1 }]), {
          transport: 'api',
        });
        const eleventh = await again.submit(await returnOf(d, invtNo, guid(11), [{ ...TIN, qty: 1 }]), {
          transport: 'api',
        });
        expect([tenth.accepted, eleventh.accepted]).toEqual([true, true]);
        await again.advance('1h');
        // the eleventh is refused by customs after the E-Port's 2 and 3, where its 120 would have come
        expect(trail(again.receipts(), 'CEB626').slice(-7)).toEqual([
          ...['CEB626:2', 'CEB626:2', 'CEB626:3', 'CEB626:3'],
          ...['CEB626:120', 'CEB626:100', 'CEB626:399'],
        ]);
        await again.close();
      } else await e.close();
    },
    60_000,
  );
});

describe("a concluded return's quota share (the ledger's, for the return application it records)", () => {
  /** Declares the order, runs `before` on the ledger, then the returns one by one; the refunds the ledger made. */
  async function shares(
    returns: Array<Array<Record<string, unknown>>>,
    before: (ledger: QuotaLedger, d: Record<string, any>) => Promise<unknown> = async () => undefined,
  ) {
    const e = await engine('memory', { n: 0 });
    const d = tenTins();
    const invtNo = await declareOrder(e, d);
    const ledger = inside(e).ledger;
    await before(ledger, d);
    for (const [i, items] of returns.entries()) {
      expect((await e.submit(await returnOf(d, invtNo, guid(i + 1), items), { transport: 'api' })).accepted).toBe(true);
      await e.advance('1h');
    }
    expect(trail(e.receipts(), 'CEB626').filter((t) => t === 'CEB626:399')).toHaveLength(returns.length);
    const q = await quotaOf(e, d);
    // Each return is recorded under its guid and approved with what it gave back.
    const approved = [];
    for (let i = 1; i <= returns.length; i++)
      approved.push((await ledger.findReturn({ copNo: guid(i) }))?.refunded?.toFixed(2));
    await e.close();
    return { entry: q.entry, refunds: q.events.filter((x) => x[0] === 'refund').map((x) => x[1]), approved };
  }

  it('a partial return: 548.00 × 119.40 / 548.00 = 119.40', async () => {
    const r = await shares([[{ ...TIN, qty: 3 }]]);
    expect(r.refunds).toEqual(['119.40']);
    expect(r.approved).toEqual(['119.40']);
    expect(r.entry).toEqual(['committed', '548.00', '119.40']);
  }, 30_000);

  it('a return of the whole order in one application: all 548.00', async () => {
    const r = await shares([[{ ...TIN, qty: 10 }, CREAM]]);
    expect(r.refunds).toEqual(['548.00']);
    expect(r.entry).toEqual(['committed', '548.00', '548.00']);
  }, 30_000);

  it('a second return of the order: the two summed (3 + 7 tins = 398.00) less the first, then the cream as the rest', async () => {
    // 1: 119.40; 2: 548.00 × 398.00 / 548.00 − 119.40 = 278.60; 3: all returned, what still counts: 150.00
    const r = await shares([[{ ...TIN, qty: 3 }], [{ ...TIN, qty: 7 }], [CREAM]]);
    expect(r.refunds).toEqual(['119.40', '278.60', '150.00']);
    expect(r.approved).toEqual(['119.40', '278.60', '150.00']);
    expect(r.entry).toEqual(['committed', '548.00', '548.00']);
  }, 30_000);

  it('a return after a refund by amount alone gives its own share, not that share less the amount', async () => {
    // 100.00 given back without lines (quota.md: such a refund's lines are unknown): three tins then give their
    // 119.40 (at most the 448.00 that still counts), not 119.40 − 100.00 = 19.40; the rest of the order then gives
    // all that still counts: 548.00 − 100.00 − 119.40 = 328.60
    const r = await shares([[{ ...TIN, qty: 3 }], [{ ...TIN, qty: 7 }, CREAM]], (ledger, d) =>
      ledger.refund({ ebpCode: d.order.ebpCode, orderNo: d.order.orderNo }, '100.00', {
        key: 'by-amount',
        outsideReturnWindow: 'allow',
      }),
    );
    expect(r.refunds).toEqual(['100.00', '119.40', '328.60']);
    expect(r.entry).toEqual(['committed', '548.00', '548.00']);
  }, 30_000);
});
