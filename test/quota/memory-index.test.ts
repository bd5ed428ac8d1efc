import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/model/index.js';
import { compareFound } from '../../src/quota/core.js';
import { MemoryQuotaStore } from '../../src/quota/index.js';
import type { QuotaEntry, QuotaEvent, QuotaTx } from '../../src/quota/types.js';

/**
 * The memory store answers from indexes. The reference below answers every query by scanning
 * everything (as the store did before): both must give the same entries and events in the same
 * order, for any sequence of transactions, including reads of a transaction's own writes.
 */
class ScanStore {
  entries = new Map<string, QuotaEntry>();
  log: QuotaEvent[] = [];
  async transaction<T>(work: (tx: QuotaTx) => Promise<T>): Promise<T> {
    const staged = new Map<string, QuotaEntry>();
    const fresh: QuotaEvent[] = [];
    const all = () => [...new Map([...this.entries, ...staged]).values()];
    const evs = () => [...this.log, ...fresh];
    const tx = {
      lockBuyerYear: async () => {},
      getEntry: async (p: string, o: string) => staged.get(keyOf(p, o)) ?? this.entries.get(keyOf(p, o)),
      orderEntries: async (o: string) => all().filter((e) => e.orderNo === o),
      findEntry: async (by: { copNo?: string; invtNo?: string; ebpCode?: string }) =>
        all()
          .filter(
            (e) =>
              ((by.invtNo !== undefined && e.invtNo === by.invtNo) ||
                (by.copNo !== undefined && e.copNo === by.copNo)) &&
              (by.ebpCode === undefined || e.ebpCode === by.ebpCode || e.ebpCode === ''),
          )
          .sort(compareFound)[0],
      entries: async (b: string, y: number) => all().filter((e) => e.buyerKey === b && e.year === y),
      insertEntry: async (e: QuotaEntry) => void staged.set(keyOf(e.ebpCode, e.orderNo), { ...e }),
      updateEntry: async (e: QuotaEntry) => void staged.set(keyOf(e.ebpCode, e.orderNo), { ...e }),
      addEvent: async (e: QuotaEvent) => void fresh.push({ ...e }),
      events: async (b: string, y: number) => evs().filter((e) => e.buyerKey === b && e.year === y),
      orderEvents: async (p: string, o: string) => evs().filter((e) => e.ebpCode === p && e.orderNo === o),
      getMeta: async () => undefined,
      setMeta: async () => {},
    } as QuotaTx;
    const r = await work(tx);
    for (const [k, v] of staged) this.entries.set(k, v);
    for (const e of fresh) this.log.push({ ...e, seq: this.log.length + 1 });
    return r;
  }
}

/** The scan's key of a platform's order. */
const keyOf = (ebpCode: string, orderNo: string) => JSON.stringify([ebpCode, orderNo]);

const at = new Date('2026-11-20T00:00:00Z');
const small = (prefix: string) => fc.constantFrom(...['1', '2', '3'].map((d) => prefix + d));
const step = fc.record({
  // Two platforms (one of them '': not stated) sharing the orderNos.
  ebpCode: fc.constantFrom('', 'P1'),
  orderNo: small('O'),
  buyerKey: small('B'),
  year: fc.constantFrom(2025, 2026),
  invtNo: fc.option(small('I'), { nil: undefined }),
  copNo: fc.option(small('C'), { nil: undefined }),
  askInvt: small('I'),
  askCop: small('C'),
});

describe('MemoryQuotaStore indexes', () => {
  it('answer as a full scan would, in the same order, also within a transaction', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { maxLength: 12 }), async (txs) => {
        const stores = [new MemoryQuotaStore(), new ScanStore()];
        const answers = await Promise.all(
          stores.map(async (store) => {
            const seen: unknown[] = [];
            for (const steps of txs) {
              await store.transaction(async (tx) => {
                for (const s of steps) {
                  const entry: QuotaEntry = {
                    ebpCode: s.ebpCode,
                    orderNo: s.orderNo,
                    buyerKey: s.buyerKey,
                    year: s.year,
                    amount: new Dec('10'),
                    refunded: new Dec('0'),
                    status: 'reserved',
                    orderAt: at,
                    updatedAt: at,
                    invtNo: s.invtNo,
                    copNo: s.copNo,
                  };
                  if (await tx.getEntry(s.ebpCode, s.orderNo)) await tx.updateEntry(entry);
                  else await tx.insertEntry(entry);
                  await tx.addEvent({ ...entry, type: 'reserve', amount: entry.amount, at });
                  const order = (es: QuotaEntry[]) => es.map((e) => `${e.ebpCode}:${e.orderNo}/${e.invtNo}/${e.copNo}`);
                  const name = (e: QuotaEntry | undefined) => e && `${e.ebpCode}:${e.orderNo}`;
                  seen.push(
                    order(await tx.entries(s.buyerKey, s.year)),
                    order(await tx.orderEntries(s.orderNo)),
                    name(await tx.findEntry({ invtNo: s.askInvt })),
                    name(await tx.findEntry({ copNo: s.askCop })),
                    name(await tx.findEntry({ invtNo: s.askInvt, copNo: s.askCop })),
                    name(await tx.findEntry({ invtNo: s.askInvt, ebpCode: 'P1' })),
                    name(await tx.findEntry({ copNo: s.askCop, ebpCode: 'P2' })),
                    name(await tx.findEntry({})),
                    (await tx.events(s.buyerKey, s.year)).map((e) => `${e.ebpCode}:${e.orderNo}:${e.seq}`),
                    (await tx.orderEvents(s.ebpCode, s.orderNo)).map((e) => `${e.buyerKey}:${e.seq}`),
                  );
                }
              });
            }
            return seen;
          }),
        );
        expect(answers[0]).toEqual(answers[1]);
      }),
      { numRuns: 200 },
    );
  });

  it('answer as a full scan would while keys are shared, unshared and dropped, and after rollbacks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(txCase, { maxLength: 10 }), async (txs) => {
        const [indexed, scanned] = await Promise.all([
          replay(new MemoryQuotaStore(), txs),
          replay(new ScanStore(), txs),
        ]);
        expect(indexed).toEqual(scanned);
      }),
      { numRuns: 200, examples: [[sharedKeyWalk], [platformWalk]] },
    );
  });

  it('a key going from 1 entry to 2, back to 1 and to 0, committed and rolled back, reads as a full scan', async () => {
    const [indexed, scanned] = await Promise.all([
      replay(new MemoryQuotaStore(), sharedKeyWalk),
      replay(new ScanStore(), sharedKeyWalk),
    ]);
    expect(indexed).toEqual(scanned);
    // By hand, findEntry by invtNo after each transaction (of entries alike in status and order date, the greatest
    // orderNo wins): I1: O1 alone; O1+O2 (O2); rolled back, still both; O2 left: O1; O1 left: none; the rolled-back
    // return of both changes nothing; none. I2: none until O2 takes it, then O2, then O2+O3 (O3).
    const settled = (key: string) => indexed.filter((r) => r[0] === key && r[2]?.startsWith('after')).map((r) => r[1]);
    expect(settled('find:invtNo=I1')).toEqual(['O1', 'O2', 'O2', 'O1', undefined, undefined, undefined]);
    expect(settled('find:invtNo=I2')).toEqual([undefined, undefined, undefined, 'O2', 'O2', 'O2', 'O3']);
    // Inside the rolled-back transactions, their own writes: O2 gone to I2, then O1 gone: none.
    // Then O1 back on I1: O1; and O2 too: O2.
    const inside = indexed.filter((r) => r[0] === 'find:invtNo=I1' && r[2]?.match(/^tx[25] /)).map((r) => r[1]);
    expect(inside).toEqual(['O1', undefined, 'O1', 'O2']);
  });

  it('one orderNo of three platforms is three entries, each found by its platform, also after a rollback', async () => {
    const [indexed, scanned] = await Promise.all([
      replay(new MemoryQuotaStore(), platformWalk),
      replay(new ScanStore(), platformWalk),
    ]);
    expect(indexed).toEqual(scanned);
    // By hand, after each transaction: O1 of '' (not stated), then of P1 beside it; the rolled-back
    // change of both leaves them; then O1 of P2 joins. Each platform's entry keeps its own invtNo.
    const settled = (key: string) => indexed.filter((r) => r[0] === key && r[2]?.startsWith('after')).map((r) => r[1]);
    const invtOf = (entries: string | undefined) =>
      [...(entries ?? '').matchAll(/ebpCode:"(\w*)".*?invtNo:(\w+|"\w+")/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(settled('orderEntries:O1').map(invtOf)).toEqual([
      ['="I1"'],
      ['="I1"', 'P1="I2"'],
      ['="I1"', 'P1="I2"'],
      ['="I1"', 'P1="I2"', 'P2=undefined'],
    ]);
    expect(settled('get:P2:O1').map((e) => e !== 'undefined')).toEqual([false, false, false, true]);
    // findEntry by invtNo I1 for platform P1 takes the entry of no platform stated; for P2 likewise.
    expect(settled('find:invtNo=I1@P1').map((e) => invtOf(e))).toEqual([['="I1"'], ['="I1"'], ['="I1"'], ['="I1"']]);
    expect(settled('find:invtNo=I2@P2')).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
    expect(settled('orderEvents:P1:O1').map((e) => (e?.match(/type:/g) ?? []).length)).toEqual([0, 1, 1, 1]);
  });

  it('a query costs what it returns, not the whole store: 20,000 buyers, one looked up', async () => {
    const store = new MemoryQuotaStore();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 20_000; i++)
        await tx.insertEntry({
          ebpCode: '',
          orderNo: `O${i}`,
          buyerKey: `B${i}`,
          year: 2026,
          amount: new Dec('1'),
          refunded: new Dec('0'),
          status: 'committed',
          orderAt: at,
          updatedAt: at,
          invtNo: `I${i}`,
        });
    });
    // 2,000 look-ups: a full scan would visit 40 million entries; indexed ones visit 4,000.
    const t0 = process.cpuUsage();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1_000; i++) {
        expect((await tx.entries(`B${i}`, 2026)).length).toBe(1);
        expect((await tx.findEntry({ invtNo: `I${i}` }))?.orderNo).toBe(`O${i}`);
      }
    });
    const { user, system } = process.cpuUsage(t0);
    expect((user + system) / 1000).toBeLessThan(1_000);
  });
});

/**
 * A value as text that tells apart what a caller could: property order and presence, Date
 * instants, Decimal values with their sign of zero and constructor.
 */
function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v instanceof Date) return `Date(${v.getTime()})`;
  if (Decimal.isDecimal(v)) {
    const kind = v.constructor === Dec ? 'Dec' : v.constructor === Decimal ? 'Decimal' : 'other';
    return `${kind}(${v.isNeg() ? '-' : ''}${v.abs().toString()})`;
  }
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}:${show(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** '' (not stated) and two platforms, sharing the orderNos. */
const PLATFORMS = ['', 'P1', 'P2'];
const ORDERS = ['O1', 'O2', 'O3'];
const BUYERS = ['B1', 'B2'];
const YEARS = [2025, 2026];
const INVTS = ['I1', 'I2'];
const COPS = ['C1', 'C2'];

/** One write: an entry's fields (keys from pools of two, so they are often shared) and an event. */
interface Write {
  ebpCode: string;
  orderNo: string;
  buyerKey: string;
  year: number;
  invtNo: string | undefined;
  copNo: string | undefined;
  amount: string;
  refunded: 'Dec0' | 'Decimal0' | 'Dec-0' | 'Dec1.5';
  instant: number;
  expires: 'absent' | 'undefined' | number;
  status: QuotaEntry['status'];
  eventAmount: 'entry' | 'other';
}
interface TxCase {
  writes: Write[];
  rollback: boolean;
}

const write = fc.record({
  ebpCode: fc.constantFrom(...PLATFORMS),
  orderNo: fc.constantFrom(...ORDERS),
  buyerKey: fc.constantFrom(...BUYERS),
  year: fc.constantFrom(...YEARS),
  invtNo: fc.option(fc.constantFrom(...INVTS), { nil: undefined }),
  copNo: fc.option(fc.constantFrom(...COPS), { nil: undefined }),
  amount: fc.constantFrom('10', '10.5', '0'),
  refunded: fc.constantFrom('Dec0' as const, 'Decimal0' as const, 'Dec-0' as const, 'Dec1.5' as const),
  instant: fc.integer({ min: 0, max: 3 }),
  expires: fc.oneof(fc.constantFrom('absent' as const, 'undefined' as const), fc.integer({ min: 0, max: 3 })),
  status: fc.constantFrom('reserved' as const, 'committed' as const, 'released' as const),
  eventAmount: fc.constantFrom('entry' as const, 'other' as const),
});
const txCase: fc.Arbitrary<TxCase> = fc.record({
  writes: fc.array(write, { minLength: 1, maxLength: 4 }),
  rollback: fc.boolean(),
});

const w = (orderNo: string, invtNo: string | undefined, copNo: string | undefined, ebpCode = ''): Write => ({
  ebpCode,
  orderNo,
  buyerKey: 'B1',
  year: 2026,
  invtNo,
  copNo,
  amount: '10',
  refunded: 'Dec0',
  instant: 1,
  expires: 'absent',
  status: 'reserved',
  eventAmount: 'entry',
});
/**
 * Each step its own transaction: I1 goes from 1 entry to 2, back to 1 and to 0; rolled-back
 * transactions make the same moves (2 → 1 → 0, then 0 → 2) and must leave nothing behind.
 */
const sharedKeyWalk: TxCase[] = [
  { writes: [w('O1', 'I1', 'C1')], rollback: false },
  { writes: [w('O2', 'I1', 'C1')], rollback: false },
  { writes: [w('O2', 'I2', 'C1'), w('O1', undefined, undefined)], rollback: true },
  { writes: [w('O2', 'I2', 'C1')], rollback: false },
  { writes: [w('O1', undefined, undefined)], rollback: false },
  { writes: [w('O1', 'I1', 'C2'), w('O2', 'I1', 'C2')], rollback: true },
  { writes: [w('O3', 'I2', 'C1')], rollback: false },
];

/**
 * One orderNo of three platforms: O1 with no platform stated, then of P1 (another invtNo), a
 * rolled-back change of both, then O1 of P2.
 */
const platformWalk: TxCase[] = [
  { writes: [w('O1', 'I1', 'C1')], rollback: false },
  { writes: [w('O1', 'I2', 'C1', 'P1')], rollback: false },
  { writes: [w('O1', 'I2', 'C2', ''), w('O1', 'I1', undefined, 'P1')], rollback: true },
  { writes: [w('O1', undefined, 'C2', 'P2')], rollback: false },
];

const instant = (n: number) => new Date(Date.UTC(2026, 10, 20) + n * 1000);
const decimalOf = (r: Write['refunded']) =>
  r === 'Dec0' ? new Dec(0) : r === 'Decimal0' ? new Decimal(0) : r === 'Dec-0' ? new Dec('-0') : new Dec('1.5');

class RolledBack extends Error {}

/** Runs the transactions on a store, reading everything the pools can name after each write and after each transaction. */
async function replay(
  store: Pick<MemoryQuotaStore, 'transaction'>,
  txs: readonly TxCase[],
): Promise<(string | undefined)[][]> {
  const seen: (string | undefined)[][] = [];
  const readAll = async (tx: QuotaTx, when: string) => {
    for (const invtNo of INVTS) seen.push([`find:invtNo=${invtNo}`, (await tx.findEntry({ invtNo }))?.orderNo, when]);
    for (const copNo of COPS) seen.push([`find:copNo=${copNo}`, show(await tx.findEntry({ copNo })), when]);
    for (const ebpCode of PLATFORMS)
      for (const invtNo of INVTS)
        seen.push([`find:invtNo=${invtNo}@${ebpCode}`, show(await tx.findEntry({ invtNo, ebpCode })), when]);
    for (const invtNo of INVTS)
      for (const copNo of COPS)
        seen.push([`find:${invtNo}|${copNo}`, show(await tx.findEntry({ invtNo, copNo })), when]);
    for (const b of BUYERS)
      for (const y of YEARS) {
        seen.push([`entries:${b}/${y}`, show(await tx.entries(b, y)), when]);
        seen.push([`events:${b}/${y}`, show(await tx.events(b, y)), when]);
      }
    for (const o of ORDERS) {
      seen.push([`orderEntries:${o}`, show(await tx.orderEntries(o)), when]);
      for (const p of PLATFORMS) {
        seen.push([`get:${p}:${o}`, show(await tx.getEntry(p, o)), when]);
        seen.push([`orderEvents:${p}:${o}`, show(await tx.orderEvents(p, o)), when]);
      }
    }
  };
  for (const [i, c] of txs.entries()) {
    try {
      await store.transaction(async (tx) => {
        for (const [j, s] of c.writes.entries()) {
          const entry: QuotaEntry = {
            ebpCode: s.ebpCode,
            orderNo: s.orderNo,
            buyerKey: s.buyerKey,
            year: s.year,
            amount: new Dec(s.amount),
            refunded: decimalOf(s.refunded),
            status: s.status,
            orderAt: instant(s.instant),
            ...(s.expires !== 'absent' && { expiresAt: s.expires === 'undefined' ? undefined : instant(s.expires) }),
            updatedAt: instant(s.instant + 1),
            invtNo: s.invtNo,
            copNo: s.copNo,
          };
          if (await tx.getEntry(s.ebpCode, s.orderNo)) await tx.updateEntry(entry);
          else await tx.insertEntry(entry);
          await tx.addEvent({
            ebpCode: s.ebpCode,
            orderNo: s.orderNo,
            buyerKey: s.buyerKey,
            year: s.year,
            type: 'commit',
            // The entry's amount as a new Decimal of the same value, as planCommit makes it.
            amount: s.eventAmount === 'entry' ? entry.amount.minus(0) : new Dec('3'),
            at: instant(s.instant + 2),
          });
          await readAll(tx, `tx${i} write${j}`);
        }
        if (c.rollback) throw new RolledBack();
      });
    } catch (e) {
      if (!(e instanceof RolledBack)) throw e;
      seen.push(['rolled back', String(i)]);
    }
    await store.transaction((tx) => readAll(tx, `after tx${i}`));
  }
  return seen;
}
