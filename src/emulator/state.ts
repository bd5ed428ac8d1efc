import type { OutgoingReceipt, ReceivedMessage, Scenario } from './types.js';

/*
 * What the emulator remembers: the messages it received, the documents it holds by their keys,
 * the receipt outbox (seq strictly increasing, assigned by the store), the timeline of events
 * that fall due, the scenarios, and counters. Two stores with one contract: memory (tests) and
 * SQLite (./sqlite-state.ts, survives a restart). Every change of one step happens inside
 * `transaction`, so a step is kept whole or not at all.
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
  /** Inventory: the key of the cancel (CEB623) under way, which holds its release. */
  cancelling?: string | undefined;
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

/** The state of one emulator. */
export interface EmulatorState {
  /** Runs `fn` atomically (nested calls join the outer transaction). */
  transaction<T>(fn: () => T): T;
  addReceived(r: Omit<ReceivedMessage, 'seq'>): number;
  received(): ReceivedMessage[];
  getDoc(kind: DocKind, key: string): StoredDoc | undefined;
  putDoc(doc: StoredDoc): void;
  /** Documents of a kind with this orderNo, invtNo or copNo. */
  findDocs(kind: DocKind, by: { orderNo?: string; invtNo?: string; copNo?: string }): StoredDoc[];
  addReceipt(r: NewReceipt): OutgoingReceipt;
  receipts(after: number, orderNo?: string): OutgoingReceipt[];
  schedule(due: number, event: TimelineEvent): void;
  /** The earliest pending event (by due time, then by the order it was scheduled in). */
  nextDue(): DueEvent | undefined;
  done(id: number): void;
  setScenario(orderNo: string, s: Scenario): void;
  getScenario(orderNo: string): Scenario | undefined;
  /** The next value of a named counter (1, 2, …), kept across restarts. */
  nextSerial(name: string): number;
  close(): void;
}

/** The file name of a receipt in folder mode. */
export function receiptName(seq: number, type: string, guid: string): string {
  return `${String(seq).padStart(6, '0')}-${type}-${guid}.xml`;
}

const clone = <T>(v: T): T => structuredClone(v);

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

/** State in memory: for tests, gone with the process. */
export function memoryState(): EmulatorState {
  const received: ReceivedMessage[] = [];
  const docs = new Map<string, StoredDoc>();
  /** kind + orderNo → keys of docs, so that look-ups by order do not scan every document. */
  const byOrder = new Map<string, Set<string>>();
  const outbox: OutgoingReceipt[] = [];
  const timeline = new EventHeap();
  const finished = new Set<number>();
  let eventId = 0;
  const scenarios = new Map<string, Scenario>();
  const serials = new Map<string, number>();
  const k = (kind: DocKind, key: string) => `${kind}\u0000${key}`;
  const o = (kind: DocKind, orderNo: string) => `${kind}\u0000${orderNo}`;
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
    transaction: (fn) => fn(),
    addReceived(r) {
      const seq = received.length + 1;
      received.push({ ...r, seq });
      return seq;
    },
    received: () => received.map(clone),
    getDoc: (kind, key) => {
      const d = docs.get(k(kind, key));
      return d && clone(d);
    },
    putDoc: (doc) => {
      const id = k(doc.kind, doc.key);
      const old = docs.get(id);
      if (old?.orderNo !== undefined) byOrder.get(o(old.kind, old.orderNo))?.delete(id);
      docs.set(id, clone(doc));
      if (doc.orderNo !== undefined) {
        const set = byOrder.get(o(doc.kind, doc.orderNo)) ?? new Set<string>();
        set.add(id);
        byOrder.set(o(doc.kind, doc.orderNo), set);
      }
    },
    findDocs: (kind, by) => {
      const ids = by.orderNo !== undefined ? [...(byOrder.get(o(kind, by.orderNo)) ?? [])] : undefined;
      const pool = ids ? ids.map((id) => docs.get(id) as StoredDoc) : [...docs.values()].filter((d) => d.kind === kind);
      return pool.filter((d) => matches(d, by)).map(clone);
    },
    addReceipt(r) {
      const seq = outbox.length + 1;
      const { guid, ...rest } = r;
      const out: OutgoingReceipt = { ...rest, seq, name: receiptName(seq, r.type, guid) };
      outbox.push(out);
      return { ...out };
    },
    receipts: (after, orderNo) =>
      outbox
        .slice(Math.max(0, after))
        .filter((r) => orderNo === undefined || r.orderNo === orderNo)
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
    setScenario: (orderNo, s) => void scenarios.set(orderNo, clone(s)),
    getScenario: (orderNo) => {
      const s = scenarios.get(orderNo);
      return s && clone(s);
    },
    nextSerial(name) {
      const n = (serials.get(name) ?? 0) + 1;
      serials.set(name, n);
      return n;
    },
    close() {},
  };
}
