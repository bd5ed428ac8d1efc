import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { compareFound, orderLabel } from './core.js';
import { Mutex } from './mutex.js';
import type { QuotaEntry, QuotaEvent, QuotaOrderKey, QuotaReturnApplication, QuotaStore, QuotaTx } from './types.js';

/**
 * An entry or event as the store keeps it: a copy with the same properties in the same order,
 * its instants as epoch milliseconds. A Date costs ~116 bytes of heap, a number at most 16, and the
 * emulator keeps every order it has seen; reads give fresh Dates of the same instants.
 */
type KeptEntry = Omit<QuotaEntry, 'orderAt' | 'expiresAt' | 'updatedAt'> & {
  orderAt: number;
  expiresAt?: number | undefined;
  updatedAt: number;
};
type KeptEvent = Omit<QuotaEvent, 'at'> & { at: number };

/**
 * The entries under one index key, by their position in the store: one number while a single
 * entry has the key (invtNo and copNo are unique per order in practice, and a Set costs ~160
 * bytes), a Set from the second on, and a number again when it is down to one.
 */
type Slot = number | Set<number>;
/** The events under one key: the event itself while it is the only one, else a list in seq order. */
type EventSlot = KeptEvent | KeptEvent[];

/**
 * A store in process memory, for tests and single-process tools. Transactions run one at a
 * time and apply their writes only when they finish, so a failed one leaves nothing behind.
 */
export class MemoryQuotaStore implements QuotaStore {
  // Its own name in the build, which calls it _MemoryQuotaStore or, in CommonJS, _class (as console.log shows it).
  static {
    Object.defineProperty(MemoryQuotaStore, 'name', { value: 'MemoryQuotaStore' });
  }
  readonly name = 'memory';
  // Entries in the order they were first written; `position` finds those of an orderNo (one per
  // platform that used the number: nearly always one), `at` the one of a platform.
  private readonly kept: KeptEntry[] = [];
  private readonly position = new Map<string, Slot>();
  // Indexes, so that each call costs what it returns rather than the whole store (the emulator
  // keeps one ledger for every order it has seen). The keys are the entries' own strings, so an
  // index adds no string of its own. Entries of a buyer are found for every year and filtered.
  private readonly byBuyer = new Map<string, Slot>();
  private readonly byInvtNo = new Map<string, Slot>();
  private readonly byCopNo = new Map<string, Slot>();
  private eventCount = 0;
  private readonly eventsByBuyer = new Map<string, EventSlot>();
  private readonly eventsByOrder = new Map<string, EventSlot>();
  private readonly meta = new Map<string, string>();
  // Return applications by stagedKey(order) and copNo; few orders have any.
  private readonly returns = new Map<string, Map<string, QuotaReturnApplication>>();
  private readonly returnsByCop = new Map<string, Set<string>>();
  // One zero per Decimal constructor, shared by every entry that has refunded nothing.
  private readonly zeros = new Map<unknown, Decimal>();
  private readonly lock = new Mutex();
  private closed = false;

  /** Runs `work` alone; its writes land together when it resolves, and not at all when it throws. */
  transaction<T>(work: (tx: QuotaTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SandanError('QUOTA_STORE', 'The memory quota store is closed'));
    return this.lock.run(async () => {
      // This transaction's writes by platform and orderNo (see stagedKey).
      const staged = new Map<string, QuotaEntry>();
      const newEvents: QuotaEvent[] = [];
      const newMeta = new Map<string, string>();
      const newReturns = new Map<string, QuotaReturnApplication>();
      const returnKey = (r: Pick<QuotaReturnApplication, 'ebpCode' | 'orderNo' | 'copNo'>) =>
        `${stagedKey(r)}\u0000${r.copNo}`;
      const stagedReturns = (match: (r: QuotaReturnApplication) => boolean, stored: QuotaReturnApplication[]) => {
        const out = new Map(stored.map((r) => [returnKey(r), r]));
        for (const [k, r] of newReturns) if (match(r)) out.set(k, r);
        return [...out.values()].map(copyReturn);
      };
      const has = (e: QuotaEntry) => staged.has(stagedKey(e)) || this.at(e.ebpCode, e.orderNo) !== undefined;
      // The entries under some index slots, as the store plus this transaction's writes, in the
      // order a merged map would give: stored entries in their order, then new ones as staged.
      // `match` sees the index fields only, which a kept entry has as written.
      type Keys = Pick<QuotaEntry, 'ebpCode' | 'orderNo' | 'buyerKey' | 'year' | 'invtNo' | 'copNo'>;
      const lookup = (slots: readonly (Slot | undefined)[], match: (e: Keys) => boolean) => {
        const stored = new Set<number>();
        for (const slot of slots) {
          if (typeof slot === 'number') stored.add(slot);
          else if (slot) for (const at of slot) stored.add(at);
        }
        // A stored entry this transaction changed may match under a key it was not indexed by.
        for (const e of staged.values()) {
          const at = this.at(e.ebpCode, e.orderNo);
          if (at !== undefined) stored.add(at);
        }
        const found: QuotaEntry[] = [];
        for (const at of [...stored].sort((a, b) => a - b)) {
          const k = this.kept[at] as KeptEntry;
          const s = staged.get(stagedKey(k));
          if (s ? match(s) : match(k)) {
            found.push(s ? { ...s } : entryOf(k));
          }
        }
        for (const e of staged.values())
          if (this.at(e.ebpCode, e.orderNo) === undefined && match(e)) {
            found.push({ ...e });
          }
        return found;
      };
      const withNew = (
        kept: EventSlot | undefined,
        old: (e: KeptEvent) => boolean,
        fresh: (e: QuotaEvent) => boolean,
      ) => [
        ...(kept === undefined ? [] : Array.isArray(kept) ? kept : [kept]).filter(old).map(eventOf),
        ...newEvents.filter(fresh).map((e) => ({ ...e })),
      ];
      const tx: QuotaTx = {
        lockBuyerYear: async () => {},
        getEntry: async (ebpCode, orderNo) => {
          const s = staged.size === 0 ? undefined : staged.get(stagedKey({ ebpCode, orderNo }));
          if (s) return { ...s };
          const at = this.at(ebpCode, orderNo);
          return at === undefined ? undefined : entryOf(this.kept[at] as KeptEntry);
        },
        orderEntries: async (orderNo) => lookup([this.position.get(orderNo)], (e) => e.orderNo === orderNo),
        findEntry: async (by) => {
          const slots = [
            ...(by.invtNo !== undefined ? [this.byInvtNo.get(by.invtNo)] : []),
            ...(by.copNo !== undefined ? [this.byCopNo.get(by.copNo)] : []),
          ];
          const match = (e: Keys) =>
            ((by.invtNo !== undefined && e.invtNo === by.invtNo) || (by.copNo !== undefined && e.copNo === by.copNo)) &&
            (by.ebpCode === undefined || e.ebpCode === by.ebpCode || e.ebpCode === '');
          return slots.length === 0 ? undefined : lookup(slots, match).sort(compareFound)[0];
        },
        entries: async (buyerKey, year) =>
          lookup([this.byBuyer.get(buyerKey)], (e) => e.buyerKey === buyerKey && e.year === year),
        insertEntry: async (e) => {
          if (has(e)) throw new SandanError('QUOTA_STORE', `Order ${orderLabel(e)} is already in the memory store`);
          staged.set(stagedKey(e), { ...e });
        },
        updateEntry: async (e) => {
          if (!has(e)) throw new SandanError('QUOTA_STORE', `Order ${orderLabel(e)} is not in the memory store`);
          staged.set(stagedKey(e), { ...e });
        },
        addEvent: async (ev) => void newEvents.push({ ...ev }),
        events: async (buyerKey, year) =>
          withNew(
            this.eventsByBuyer.get(buyerKey),
            (e) => e.year === year,
            (e) => e.buyerKey === buyerKey && e.year === year,
          ),
        orderEvents: async (ebpCode, orderNo) =>
          withNew(
            this.eventsByOrder.get(orderNo),
            (e) => e.ebpCode === ebpCode,
            (e) => e.orderNo === orderNo && e.ebpCode === ebpCode,
          ),
        getMeta: async (key) => newMeta.get(key) ?? this.meta.get(key),
        setMeta: async (key, value) => void newMeta.set(key, value),
        orderReturns: async (ebpCode, orderNo) =>
          stagedReturns(
            (r) => r.ebpCode === ebpCode && r.orderNo === orderNo,
            [...(this.returns.get(stagedKey({ ebpCode, orderNo }))?.values() ?? [])],
          ),
        returnsByCopNo: async (copNo) =>
          stagedReturns(
            (r) => r.copNo === copNo,
            [...(this.returnsByCop.get(copNo) ?? [])].flatMap((k) => this.returns.get(k)?.get(copNo) ?? []),
          ),
        putReturn: async (r) => void newReturns.set(returnKey(r), copyReturn(r)),
      };
      const result = await work(tx);
      for (const e of staged.values()) {
        let at = this.at(e.ebpCode, e.orderNo);
        const before = at === undefined ? undefined : this.kept[at];
        if (at === undefined) {
          at = this.kept.length;
          reindex(this.position, undefined, e.orderNo, at);
        }
        const k = this.keepEntry(e);
        this.kept[at] = k;
        reindex(this.byBuyer, before?.buyerKey, k.buyerKey, at);
        reindex(this.byInvtNo, before?.invtNo, k.invtNo, at);
        reindex(this.byCopNo, before?.copNo, k.copNo, at);
      }
      for (const ev of newEvents) {
        const k = this.keepEvent(ev);
        appendEvent(this.eventsByBuyer, ev.buyerKey, k);
        appendEvent(this.eventsByOrder, ev.orderNo, k);
      }
      for (const [k, v] of newMeta) this.meta.set(k, v);
      for (const r of newReturns.values()) {
        const order = stagedKey(r);
        let kept = this.returns.get(order);
        if (!kept) this.returns.set(order, (kept = new Map()));
        kept.set(r.copNo, r);
        let orders = this.returnsByCop.get(r.copNo);
        if (!orders) this.returnsByCop.set(r.copNo, (orders = new Set()));
        orders.add(order);
      }
      return result;
    });
  }

  /** Forgets nothing, but refuses further transactions. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /** The position of a platform's order in `kept`, if it is there. */
  private at(ebpCode: string, orderNo: string): number | undefined {
    const slot = this.position.get(orderNo);
    if (typeof slot === 'number') return this.kept[slot]?.ebpCode === ebpCode ? slot : undefined;
    if (slot) for (const at of slot) if (this.kept[at]?.ebpCode === ebpCode) return at;
    return undefined;
  }

  private keepEntry(e: QuotaEntry): KeptEntry {
    const k = { ...e } as unknown as KeptEntry;
    for (const f of INSTANTS) {
      const v = e[f];
      if (v instanceof Date) k[f] = v.getTime();
    }
    if (isZero(e.refunded)) {
      const zero = this.zeros.get(e.refunded.constructor);
      if (zero && sameDecimal(zero, e.refunded)) k.refunded = zero;
      else if (!zero) this.zeros.set(e.refunded.constructor, e.refunded);
    }
    return k;
  }

  private keepEvent(ev: QuotaEvent): KeptEvent {
    const k = { ...ev, seq: ++this.eventCount } as unknown as KeptEvent;
    if (ev.at instanceof Date) k.at = ev.at.getTime();
    // A commit or release moves the entry's whole amount: keep the entry's Decimal, not a copy.
    const at = this.at(ev.ebpCode, ev.orderNo);
    const entry = at === undefined ? undefined : this.kept[at];
    if (entry && sameDecimal(entry.amount, ev.amount)) k.amount = entry.amount;
    return k;
  }
}

/**
 * The Date fields of an entry. Only Dates are kept as numbers and only numbers read back as
 * Dates (assigning a property the copy has keeps its place), so other values pass unchanged
 * except a number given where the types want a Date.
 */
const INSTANTS = ['orderAt', 'updatedAt', 'expiresAt'] as const;

function entryOf(k: KeptEntry): QuotaEntry {
  const e = { ...k } as unknown as QuotaEntry;
  for (const f of INSTANTS) {
    const v = k[f];
    if (typeof v === 'number') e[f] = new Date(v);
  }
  return e;
}

/** A copy of a return application, its lists and Dates its own. */
function copyReturn(r: QuotaReturnApplication): QuotaReturnApplication {
  return {
    ...r,
    items: r.items.map((l) => ({ ...l })),
    inventory: r.inventory.map((l) => ({ ...l })),
    appliedAt: new Date(r.appliedAt.getTime()),
    updatedAt: new Date(r.updatedAt.getTime()),
    ...(r.approvedAt !== undefined && { approvedAt: new Date(r.approvedAt.getTime()) }),
  };
}

function eventOf(k: KeptEvent): QuotaEvent {
  const e = { ...k } as unknown as QuotaEvent;
  if (typeof k.at === 'number') e.at = new Date(k.at);
  return e;
}

/** A transaction's key of a platform's order: the length of ebpCode first, so that no two pairs give one text. */
const stagedKey = (k: QuotaOrderKey) => `${k.ebpCode.length}:${k.ebpCode}${k.orderNo}`;

/** decimal.js writes zero (of either sign) as the digits [0]. */
const isZero = (d: Decimal) => Array.isArray(d?.d) && d.d.length === 1 && d.d[0] === 0;

/**
 * Two decimal.js values with the same constructor, sign, exponent and digits cannot be told
 * apart but by identity (they are immutable), so one can stand for the other.
 */
function sameDecimal(a: Decimal, b: Decimal): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a.constructor !== b.constructor || a.s !== b.s || a.e !== b.e) return false;
  const x = a.d;
  const y = b.d;
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Moves entry `at` from key `from` to key `to` of an index (either may be undefined: no key). */
function reindex(index: Map<string, Slot>, from: string | undefined, to: string | undefined, at: number): void {
  if (from === to) return;
  if (from !== undefined) {
    const slot = index.get(from);
    if (slot === at) index.delete(from);
    else if (slot instanceof Set) {
      slot.delete(at);
      if (slot.size === 1) index.set(from, slot.values().next().value as number);
    }
  }
  if (to !== undefined) {
    const slot = index.get(to);
    if (slot === undefined) index.set(to, at);
    else if (slot instanceof Set) slot.add(at);
    else if (slot !== at) index.set(to, new Set([slot, at]));
  }
}

/** Appends an event; a list is made exactly two long at the second event (a push would make it 17). */
function appendEvent(index: Map<string, EventSlot>, key: string, ev: KeptEvent): void {
  const slot = index.get(key);
  if (slot === undefined) index.set(key, ev);
  else if (Array.isArray(slot)) slot.push(ev);
  else index.set(key, [slot, ev]);
}
