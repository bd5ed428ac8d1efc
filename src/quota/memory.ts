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
      const all = () => {
        const merged = new Map(this.entries);
        for (const [k, v] of staged) merged.set(k, v);
        return [...merged.values()];
      };
      const copy = (e: QuotaEntry | undefined) => (e ? { ...e } : undefined);
      const evs = () => [...this.eventsLog, ...newEvents];
      const tx: QuotaTx = {
        lockBuyerYear: async () => {},
        getEntry: async (orderNo) => copy(read(orderNo)),
        findEntry: async (by) =>
          copy(
            all().find(
              (e) =>
                (by.invtNo !== undefined && e.invtNo === by.invtNo) || (by.copNo !== undefined && e.copNo === by.copNo),
            ),
          ),
        entries: async (buyerKey, year) =>
          all()
            .filter((e) => e.buyerKey === buyerKey && e.year === year)
            .map((e) => ({ ...e })),
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
          evs()
            .filter((e) => e.buyerKey === buyerKey && e.year === year)
            .map((e) => ({ ...e })),
        orderEvents: async (orderNo) =>
          evs()
            .filter((e) => e.orderNo === orderNo)
            .map((e) => ({ ...e })),
        getMeta: async (key) => newMeta.get(key) ?? this.meta.get(key),
        setMeta: async (key, value) => void newMeta.set(key, value),
      };
      const result = await work(tx);
      for (const [k, v] of staged) this.entries.set(k, v);
      for (const ev of newEvents) this.eventsLog.push({ ...ev, seq: this.eventsLog.length + 1 });
      for (const [k, v] of newMeta) this.meta.set(k, v);
      return result;
    });
  }

  /** Forgets nothing, but refuses further transactions. */
  async close(): Promise<void> {
    this.closed = true;
  }
}
