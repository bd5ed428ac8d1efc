import { SandanError } from '../errors.js';
import { describeInput } from '../model/guards.js';
import type { OutgoingReceipt, ReceiptFilter, ReceivedMessage, Scenario } from './types.js';

/*
 * What the emulator remembers: the messages it received, the documents it holds by their keys,
 * the receipt outbox (seq strictly increasing, assigned by the store), the timeline of events
 * that fall due, the scenarios, and counters. Two stores with one contract: memory (tests) and
 * SQLite (./sqlite-state.ts, survives a restart). Every change of one step happens inside
 * `transaction`, so a step is kept whole or not at all.
 *
 * Memory is bounded by design: the lists the admin API and `GET /receipts` serve (messages
 * received, receipts) hold the newest `history` entries only (the SQLite state leaves older rows
 * in its file, but never reads them into memory), and the memory state keeps documents as JSON
 * text, which the engine shrinks once an order is final.
 */

/** The kinds of documents the emulator keeps. */
export type DocKind = 'order' | 'payment' | 'logistics' | 'inventory' | 'cancel' | 'refund' | 'delivery';

/** A document as the emulator keeps it: the parsed document (JSON: amounts as decimal strings) and its progress. */
export interface StoredDoc {
  kind: DocKind;
  /** Order, payment, inventory: `ebpCode|orderNo`; logistics: `logisticsCode|logisticsNo`; cancel, refund: their guid. */
  key: string;
  orderNo?: string | undefined;
  invtNo?: string | undefined;
  copNo?: string | undefined;
  /** The parsed document (toJsonValue). */
  doc: Record<string, unknown>;
  /** The message type it came in (CEB311 …). */
  messageType: string;
  /** The last returnStatus sent for it ('' before any). */
  status: string;
  /** Set when the input was DxpMsg-wrapped: where receipts go back to. */
  dxp?: { senderId: string; copMsgId: string } | undefined;
  /** When it arrived (ISO). */
  at: string;
  /** Inventory: its E-Port pre-entry number and when it was released (ISO). */
  preNo?: string | undefined;
  releasedAt?: string | undefined;
  /** Inventory: a check is waiting for its order, payment and waybill. */
  waiting?: boolean | undefined;
  /** Bumped each time a document replaces an earlier one under its key; events carry the version they are for. */
  version?: number | undefined;
  /**
   * Inventory: the key of its entry in the emulator's quota ledger, once reserved (the first
   * declaration of an order: its orderNo; a later one — a change, or one declared anew after a
   * rejection or a cancel — `preNo#version`, an entry of its own).
   */
  quotaKey?: string | undefined;
  /** Inventory: the key of the cancel (CEB623) under way, which holds its release. */
  cancelling?: string | undefined;
  /**
   * Inventory: when its release fell due while its cancel was under way (ISO): released once the cancel ends refused,
   * never if it is approved. Undefined in a state written before it was kept: the release was asked again then,
   * or (before that) dropped, which the engine finds when it opens the state (`releasesDropped`).
   */
  releaseDue?: string | undefined;
  /**
   * Set once the order is final (released and billed): `doc` then keeps only what later messages
   * are checked against (keys, and an inventory's lines for a return), not the whole message.
   */
  compact?: boolean | undefined;
  /** Inventory: the seq of the received message that declared it (where a missing tax bill is noted). */
  receivedSeq?: number | undefined;
  /** Inventory: the taxNo of its tax bill, once customs made it (also when a scenario dropped the CEB816). */
  taxNo?: string | undefined;
  /** Inventory: the status of its tax bill the last CEB818 sent (2 summarised, 3 void); undefined before any. */
  taxBillStatus?: string | undefined;
  /**
   * Inventory: what its returns (CEB625) took back so far, line by line, kept as each return moves on so that a
   * return is checked without reading the earlier ones. Undefined in a state written before it was kept: worked out
   * from the returns when a return of the inventory first moves.
   */
  returned?: ReturnedQty | undefined;
  /**
   * Cancel, return: customs' refusal (100), decided when it arrived and sent where its 120 would have come (after the
   * E-Port's 2 and 3). Such an application never counts as a return in force nor holds its inventory.
   */
  refusal?: { status: string; info: string } | undefined;
  /**
   * Inventory: the invtNos customs gave the order's earlier inventories, each cancelled before this one was declared
   * anew: customs keeps their records, so a cancel naming one finds it, in a state that allows no cancel.
   */
  formerInvtNos?: string[] | undefined;
}

/** The quantity returned of each line of an inventory (by gnum, as decimal strings). */
export interface ReturnedQty {
  /** By the returns declared and not refused: under way or concluded (what a new return may not exceed). */
  inForce: Record<string, string>;
}

/** Something that falls due on the emulator clock. */
export interface TimelineEvent {
  /** What to do: send a status receipt for a document, check a waiting inventory, send the tax bill. */
  action: 'status' | 'check' | 'tax-bill';
  kind: DocKind;
  key: string;
  status?: string;
  /** The version of the document the event is for. */
  v?: number;
  code?: string;
  desc?: string;
}

/** An event with its place on the timeline. */
export interface DueEvent {
  id: number;
  /** Milliseconds since the epoch. */
  due: number;
  event: TimelineEvent;
}

/** A receipt to add to the outbox; the store gives it its seq and name. */
export type NewReceipt = Omit<OutgoingReceipt, 'seq' | 'name'> & { guid: string };

/** The default of `history`: how many received messages and receipts the lists keep. */
const DEFAULT_HISTORY = 10_000;

/**
 * The most message text (characters) the memory state's list of received messages keeps, beside
 * `history`: a stream of large messages (each may be 50 MiB) would otherwise hold `history` times
 * their size in memory and bring the process down. The oldest beyond are dropped, as beyond `history`.
 */
export const RECEIVED_TEXT_LIMIT = 64 * 1024 * 1024;

/**
 * Likewise for the memory state's receipts: a CEB900 repeats up to 1 Mi characters of the message it
 * refuses (oriBizMessage), so a stream of large unreadable messages would otherwise hold `history`
 * times that. Ordinary receipts (about 1,000 characters) reach `history` long before this.
 */
export const RECEIPTS_TEXT_LIMIT = 64 * 1024 * 1024;

/**
 * Likewise for the "179" payment data uploads the engine lists (in memory, whatever the state): each `payExInfoStr`
 * may be as large as a request body (50 MiB), and `history` of them would not fit in memory.
 */
export const UPLOADS_TEXT_LIMIT = 64 * 1024 * 1024;

/** Options of the states. */
export interface StateOptions {
  /** How many of the newest received messages and of the newest receipts the lists keep; default 10 000; 0 keeps none. */
  history?: number;
}

/** Where the kept lists start: the seq of the oldest entry still kept (the next seq when none is). */
export interface HistoryStart {
  received: number;
  receipts: number;
  /** The seq the next receipt will have (one above the newest). */
  nextReceipt: number;
}

/** `n` when it is a whole number ≥ `min`; else INVALID_OPTION naming option `name`. */
export function wholeNumberOption(name: string, n: unknown, min: number): number {
  if (!Number.isSafeInteger(n) || (n as number) < min)
    throw new SandanError('INVALID_OPTION', `${name} must be a whole number ≥ ${min}, got ${describeInput(n)}`);
  return n as number;
}

/** The history limit of `options`, checked. */
export function historyOf(options: StateOptions | undefined): number {
  return wholeNumberOption('history', options?.history ?? DEFAULT_HISTORY, 0);
}

/** The state of one emulator. */
export interface EmulatorState {
  /** Whether a failed `savepoint` undoes its changes (SQLite) or not (memory). */
  readonly undoes: boolean;
  /** Runs `fn` atomically (nested calls join the outer transaction). */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` as a unit inside the running transaction: when it throws, its changes are undone
   * (SQLite: a savepoint; the memory state cannot undo) and the error is thrown on.
   */
  savepoint<T>(fn: () => T): T;
  addReceived(r: Omit<ReceivedMessage, 'seq'>): number;
  /** The seq the next `addReceived` of this transaction gives (one emulator writes a state at a time). */
  nextReceivedSeq(): number;
  /** Adds a note to the received message `seq` (its `notes`), when it is still kept. */
  noteReceived(seq: number, note: string): void;
  /** The kept messages with a seq above `after`, oldest first; at most `limit` of them (read no further). */
  received(after?: number, limit?: number): ReceivedMessage[];
  /** The message received from the folder transport under this (unique) file name, when it is known. */
  receivedByName(name: string): ReceivedMessage | undefined;
  /** Where the kept lists start. */
  historyStart(): HistoryStart;
  getDoc(kind: DocKind, key: string): StoredDoc | undefined;
  putDoc(doc: StoredDoc): void;
  /** Documents of a kind with this orderNo, invtNo or copNo. */
  findDocs(kind: DocKind, by: { orderNo?: string; invtNo?: string; copNo?: string }): StoredDoc[];
  addReceipt(r: NewReceipt): OutgoingReceipt;
  receipts(after: number, filter?: ReceiptFilter): OutgoingReceipt[];
  /**
   * At most `limit` receipts above seq `after`, oldest first, for a transport that must deliver every one: the SQLite
   * state reads them from its file also beyond `history`; the memory state has only those it keeps.
   */
  receiptsToDeliver(after: number, limit: number): OutgoingReceipt[];
  schedule(due: number, event: TimelineEvent): void;
  /** The earliest pending event (by due time, then by the order it was scheduled in). */
  nextDue(): DueEvent | undefined;
  done(id: number): void;
  /**
   * Inventories held by a cancel (`cancelling`) that keep no `releaseDue`, are not released, and have no status event
   * pending at their version: a state written before `releaseDue` was kept dropped their release as it fell due.
   * (The memory state is never of an older sandan: none.)
   */
  releasesDropped(): StoredDoc[];
  /** The scenario of the orderNo (`ebpCode` undefined: of every platform's order of it) or of one platform's order. */
  setScenario(orderNo: string, ebpCode: string | undefined, s: Scenario | null): void;
  /** The platform's own scenario of the order when one is set, else the one of the orderNo alone. */
  getScenario(orderNo: string, ebpCode: string | undefined): Scenario | undefined;
  /** Whether a scenario is kept under exactly this orderNo (and platform, or none). */
  hasScenario(orderNo: string, ebpCode: string | undefined): boolean;
  /** How many scenarios are kept, of orderNos and of platforms' orders. */
  scenarioCount(): number;
  /** The next value of a named counter (1, 2, …), kept across restarts. */
  nextSerial(name: string): number;
  close(): void;
}

/** Whether a receipt is one a filter asks for (see {@link ReceiptFilter}). */
export function receiptMatches(r: OutgoingReceipt, filter: ReceiptFilter | undefined): boolean {
  if (filter === undefined) return true;
  return (
    (filter.orderNo === undefined || r.orderNo === filter.orderNo) &&
    (filter.ebpCode === undefined || r.ebpCode === undefined || r.ebpCode === filter.ebpCode)
  );
}

/** The file name of a receipt in folder mode. */
export function receiptName(seq: number, type: string, guid: string): string {
  return `${String(seq).padStart(6, '0')}-${type}-${guid}.xml`;
}

const clone = <T>(v: T): T => structuredClone(v);

/** The memory state's key of a scenario: [orderNo] or [orderNo, ebpCode] as JSON (no separator to collide with). */
const scenarioKey = (orderNo: string, ebpCode: string | undefined) =>
  JSON.stringify(ebpCode === undefined ? [orderNo] : [orderNo, ebpCode]);

/** A min-heap of events by (due, id): the memory state's timeline, so that the next event is found in O(log n). */
class EventHeap {
  private readonly items: DueEvent[] = [];
  private static before(a: DueEvent, b: DueEvent): boolean {
    return a.due < b.due || (a.due === b.due && a.id < b.id);
  }
  get size(): number {
    return this.items.length;
  }
  peek(): DueEvent | undefined {
    return this.items[0];
  }
  push(e: DueEvent): void {
    const a = this.items;
    a.push(e);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!EventHeap.before(a[i] as DueEvent, a[p] as DueEvent)) break;
      [a[i], a[p]] = [a[p] as DueEvent, a[i] as DueEvent];
      i = p;
    }
  }
  pop(): DueEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && EventHeap.before(a[l] as DueEvent, a[m] as DueEvent)) m = l;
        if (r < a.length && EventHeap.before(a[r] as DueEvent, a[m] as DueEvent)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as DueEvent, a[i] as DueEvent];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The newest `limit` entries of a list whose seqs are 1, 2, 3 … without gaps, so that the entries
 * above a seq are found by subtraction. Old entries are dropped from the front (in bulk, so a push costs O(1) amortised).
 */
export class Ring<T extends { seq: number }> {
  /** Slots before `head` are emptied at once (so that what they held can go), the array itself shortened in bulk. */
  private items: Array<T | undefined> = [];
  private head = 0;
  private last = 0;
  /** The weight of the entries kept. */
  private weight = 0;
  /** Keeps the newest `limit` entries, and, with `weigh`, no more than `maxWeight` of their weight in all. */
  constructor(
    private readonly limit: number,
    private readonly weigh: (item: T) => number = () => 0,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}
  push(item: T): void {
    this.last = item.seq;
    if (this.limit === 0) return;
    this.items.push(item);
    this.weight += this.weigh(item);
    while (
      this.head < this.items.length &&
      (this.items.length - this.head > this.limit || this.weight > this.maxWeight)
    ) {
      this.weight -= this.weigh(this.items[this.head] as T);
      this.items[this.head++] = undefined;
    }
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  /** The seq of the oldest entry kept (the next seq when none is). */
  get start(): number {
    return this.head < this.items.length ? (this.items[this.head] as T).seq : this.last + 1;
  }
  get next(): number {
    return this.last + 1;
  }
  /** The kept entries above seq `after`, oldest first. */
  after(after: number): T[] {
    const from = this.head + Math.max(0, after + 1 - this.start);
    return this.items.slice(from) as T[];
  }
  /** The entry of this seq, when it is kept. */
  at(seq: number): T | undefined {
    return seq >= this.start && seq <= this.last ? this.items[this.head + seq - this.start] : undefined;
  }
  find(test: (item: T) => boolean): T | undefined {
    for (let i = this.items.length - 1; i >= this.head; i--) if (test(this.items[i] as T)) return this.items[i] as T;
    return undefined;
  }
}

/** State in memory: for tests and load runs, gone with the process. */
export function memoryState(options: StateOptions = {}): EmulatorState {
  const history = historyOf(options);
  const received = new Ring<ReceivedMessage>(history, (m) => m.xml.length, RECEIVED_TEXT_LIMIT);
  /** Documents as JSON text: a third or less of the memory of the object, and each read is a copy. */
  const docs = new Map<string, string>();
  /**
   * kind + orderNo, kind + invtNo → ids of docs (nearly always one; an inventory's returns, many), so that look-ups
   * do not scan every document, and a document is indexed in a time that does not grow with the others.
   */
  const byOrder = new Map<string, Set<string>>();
  const byInvt = new Map<string, Set<string>>();
  const outbox = new Ring<OutgoingReceipt>(history, (r) => r.xml.length, RECEIPTS_TEXT_LIMIT);
  const timeline = new EventHeap();
  const finished = new Set<number>();
  let eventId = 0;
  const scenarios = new Map<string, Scenario>();
  const serials = new Map<string, number>();
  const k = (kind: DocKind, key: string) => `${kind}\u0000${key}`;
  const o = (kind: DocKind, no: string) => `${kind}\u0000${no}`;
  const unindex = (index: Map<string, Set<string>>, oid: string, id: string) => {
    const ids = index.get(oid);
    if (ids?.delete(id) && ids.size === 0) index.delete(oid);
  };
  const reindex = (index: Map<string, Set<string>>, oid: string, id: string) => {
    const ids = index.get(oid);
    if (!ids) index.set(oid, new Set([id]));
    else ids.add(id);
  };
  const read = (id: string): StoredDoc | undefined => {
    const text = docs.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as StoredDoc);
  };
  const settle = () => {
    for (let top = timeline.peek(); top && finished.has(top.id); top = timeline.peek()) {
      finished.delete(top.id);
      timeline.pop();
    }
  };
  const matches = (d: StoredDoc, by: { orderNo?: string; invtNo?: string; copNo?: string }) =>
    (by.orderNo === undefined || d.orderNo === by.orderNo) &&
    (by.invtNo === undefined || d.invtNo === by.invtNo) &&
    (by.copNo === undefined || d.copNo === by.copNo);
  return {
    undoes: false,
    transaction: (fn) => fn(),
    savepoint: (fn) => fn(),
    addReceived(r) {
      const seq = received.next;
      received.push({ ...r, seq });
      return seq;
    },
    nextReceivedSeq: () => received.next,
    noteReceived(seq, note) {
      const m = received.at(seq);
      if (m) m.notes = [...(m.notes ?? []), note];
    },
    received: (after = 0, limit = Number.POSITIVE_INFINITY) => received.after(after).slice(0, limit).map(clone),
    receivedByName: (name) => {
      const m = received.find((r) => r.name === name);
      return m && clone(m);
    },
    historyStart: () => ({ received: received.start, receipts: outbox.start, nextReceipt: outbox.next }),
    getDoc: (kind, key) => read(k(kind, key)),
    putDoc: (doc) => {
      const id = k(doc.kind, doc.key);
      const old = read(id);
      if (old?.orderNo !== undefined) unindex(byOrder, o(old.kind, old.orderNo), id);
      if (old?.invtNo !== undefined) unindex(byInvt, o(old.kind, old.invtNo), id);
      docs.set(id, JSON.stringify(doc));
      if (doc.orderNo !== undefined) reindex(byOrder, o(doc.kind, doc.orderNo), id);
      if (doc.invtNo !== undefined) reindex(byInvt, o(doc.kind, doc.invtNo), id);
    },
    findDocs: (kind, by) => {
      const ids =
        by.invtNo !== undefined
          ? byInvt.get(o(kind, by.invtNo))
          : by.orderNo !== undefined
            ? byOrder.get(o(kind, by.orderNo))
            : undefined;
      if (ids || by.invtNo !== undefined || by.orderNo !== undefined)
        return [...(ids ?? [])].map((id) => read(id) as StoredDoc).filter((d) => matches(d, by));
      const out: StoredDoc[] = [];
      const prefix = `${kind}\u0000`;
      for (const [id, text] of docs)
        if (id.startsWith(prefix)) {
          const d = JSON.parse(text) as StoredDoc;
          if (matches(d, by)) out.push(d);
        }
      return out;
    },
    addReceipt(r) {
      const seq = outbox.next;
      const { guid, ...rest } = r;
      const out: OutgoingReceipt = { ...rest, seq, name: receiptName(seq, r.type, guid) };
      outbox.push(out);
      return { ...out };
    },
    receipts: (after, filter) =>
      outbox
        .after(after)
        .filter((r) => receiptMatches(r, filter))
        .map((r) => ({ ...r })),
    receiptsToDeliver: (after, limit) =>
      outbox
        .after(after)
        .slice(0, limit)
        .map((r) => ({ ...r })),
    schedule(due, event) {
      timeline.push({ id: ++eventId, due, event: clone(event) });
    },
    nextDue() {
      settle();
      const top = timeline.peek();
      return top && clone(top);
    },
    done(id) {
      finished.add(id);
      settle();
    },
    releasesDropped: () => [],
    setScenario: (orderNo, ebpCode, s) =>
      void (s === null
        ? scenarios.delete(scenarioKey(orderNo, ebpCode))
        : scenarios.set(scenarioKey(orderNo, ebpCode), clone(s))),
    getScenario: (orderNo, ebpCode) => {
      const s =
        (ebpCode !== undefined ? scenarios.get(scenarioKey(orderNo, ebpCode)) : undefined) ??
        scenarios.get(scenarioKey(orderNo, undefined));
      return s && clone(s);
    },
    hasScenario: (orderNo, ebpCode) => scenarios.has(scenarioKey(orderNo, ebpCode)),
    scenarioCount: () => scenarios.size,
    nextSerial(name) {
      const n = (serials.get(name) ?? 0) + 1;
      serials.set(name, n);
      return n;
    },
    close() {},
  };
}
