import { SandanError } from '../errors.js';
import { Mutex } from './mutex.js';
import type { QuotaEntry, QuotaEvent, QuotaStore, QuotaTx } from './types.js';

/**
 * A store in process memory, for tests and single-process tools. Transactions run one at a
 * time and apply their writes only when they finish, so a failed one leaves nothing behind.
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly name = 'memory';
  private readonly entries = new Map<string, QuotaEntry>();
  private readonly eventsLog: QuotaEvent[] = [];
  // Indexes, so that each call costs what it returns rather than the whole store (the emulator
  // keeps one ledger for every order it has seen). Entries are found by buyer and year, invtNo and
  // copNo; events by buyer and year and by order. Sets and arrays keep insertion order.
  private readonly entryKeys = new Map<string, Set<string>>();
  private readonly entrySeq = new Map<string, number>();
  private readonly eventsByBuyerYear = new Map<string, QuotaEvent[]>();
  private readonly eventsByOrder = new Map<string, QuotaEvent[]>();
  private readonly meta = new Map<string, string>();
  private readonly lock = new Mutex();
  private closed = false;

  /** Runs `work` alone; its writes land together when it resolves, and not at all when it throws. */
  transaction<T>(work: (tx: QuotaTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SandanError('QUOTA_STORE', 'The memory quota store is closed'));
    return this.lock.run(async () => {
      const staged = new Map<string, QuotaEntry>();
      const newEvents: QuotaEvent[] = [];
      const newMeta = new Map<string, string>();
      const read = (orderNo: string) => staged.get(orderNo) ?? this.entries.get(orderNo);
      // The entries under some index keys, as the store plus this transaction's writes, in the
      // order a merged map would give: stored entries in their order, then new ones as staged.
      const lookup = (keys: readonly string[], match: (e: QuotaEntry) => boolean): QuotaEntry[] => {
        const stored = new Set<string>();
        for (const k of keys) for (const orderNo of this.entryKeys.get(k) ?? []) stored.add(orderNo);
        // A stored entry this transaction changed may match under a key it was not indexed by.
        for (const orderNo of staged.keys()) if (this.entries.has(orderNo)) stored.add(orderNo);
        const seq = (orderNo: string) => this.entrySeq.get(orderNo) ?? 0;
        const found: QuotaEntry[] = [];
        for (const orderNo of [...stored].sort((a, b) => seq(a) - seq(b))) {
          const e = read(orderNo);
          if (e && match(e)) found.push(e);
        }
        for (const [orderNo, e] of staged) if (!this.entries.has(orderNo) && match(e)) found.push(e);
        return found;
      };
      const copy = (e: QuotaEntry | undefined) => (e ? { ...e } : undefined);
      const withNew = (kept: readonly QuotaEvent[] | undefined, fresh: (e: QuotaEvent) => boolean) => [
        ...(kept ?? []),
        ...newEvents.filter(fresh),
      ];
      const tx: QuotaTx = {
        lockBuyerYear: async () => {},
        getEntry: async (orderNo) => copy(read(orderNo)),
        findEntry: async (by) => {
          const keys = [
            ...(by.invtNo !== undefined ? [invtKey(by.invtNo)] : []),
            ...(by.copNo !== undefined ? [copKey(by.copNo)] : []),
          ];
          const match = (e: QuotaEntry) =>
            (by.invtNo !== undefined && e.invtNo === by.invtNo) || (by.copNo !== undefined && e.copNo === by.copNo);
          return copy(keys.length === 0 ? undefined : lookup(keys, match)[0]);
        },
        entries: async (buyerKey, year) =>
          lookup([buyerYearKey(buyerKey, year)], (e) => e.buyerKey === buyerKey && e.year === year).map((e) => ({
            ...e,
          })),
        insertEntry: async (e) => {
          if (read(e.orderNo))
            throw new SandanError('QUOTA_STORE', `Order ${e.orderNo} is already in the memory store`);
          staged.set(e.orderNo, { ...e });
        },
        updateEntry: async (e) => {
          if (!read(e.orderNo)) throw new SandanError('QUOTA_STORE', `Order ${e.orderNo} is not in the memory store`);
          staged.set(e.orderNo, { ...e });
        },
        addEvent: async (ev) => void newEvents.push({ ...ev }),
        events: async (buyerKey, year) =>
          withNew(
            this.eventsByBuyerYear.get(buyerYearKey(buyerKey, year)),
            (e) => e.buyerKey === buyerKey && e.year === year,
          ).map((e) => ({ ...e })),
        orderEvents: async (orderNo) =>
          withNew(this.eventsByOrder.get(orderNo), (e) => e.orderNo === orderNo).map((e) => ({ ...e })),
        getMeta: async (key) => newMeta.get(key) ?? this.meta.get(key),
        setMeta: async (key, value) => void newMeta.set(key, value),
      };
      const result = await work(tx);
      for (const [k, v] of staged) {
        const before = this.entries.get(k);
        if (before) for (const key of indexKeys(before)) this.entryKeys.get(key)?.delete(k);
        if (!before) this.entrySeq.set(k, this.entrySeq.size);
        this.entries.set(k, v);
        for (const key of indexKeys(v)) {
          let set = this.entryKeys.get(key);
          if (!set) this.entryKeys.set(key, (set = new Set()));
          set.add(k);
        }
      }
      for (const ev of newEvents) {
        const stored = { ...ev, seq: this.eventsLog.length + 1 };
        this.eventsLog.push(stored);
        append(this.eventsByBuyerYear, buyerYearKey(ev.buyerKey, ev.year), stored);
        append(this.eventsByOrder, ev.orderNo, stored);
      }
      for (const [k, v] of newMeta) this.meta.set(k, v);
      return result;
    });
  }

  /** Forgets nothing, but refuses further transactions. */
  async close(): Promise<void> {
    this.closed = true;
  }
}

const buyerYearKey = (buyerKey: string, year: number) => `b\u0000${buyerKey}\u0000${year}`;
const invtKey = (invtNo: string) => `i\u0000${invtNo}`;
const copKey = (copNo: string) => `c\u0000${copNo}`;

/** The index keys an entry is found under. */
function indexKeys(e: QuotaEntry): string[] {
  const keys = [buyerYearKey(e.buyerKey, e.year)];
  if (e.invtNo !== undefined) keys.push(invtKey(e.invtNo));
  if (e.copNo !== undefined) keys.push(copKey(e.copNo));
  return keys;
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
