import { nationalReturnWindow } from '../../quota/return-window.js';
import { beijingIso, beijingMillis } from '../../time/beijing.js';
import { explainReceipt, explainTaxBillStatus } from '../../xml/receipts.js';
import { parseReturnInfo } from '../../xml/return-info.js';
import {
  deliveredBeforeRelease,
  ordersShareKeys,
  latestByDocument,
  lateReturn,
  noDeliveryStatus,
  notAcknowledged,
  refundWithoutRelease,
  refusedResends,
  rejections,
  releasedAfterCancel,
  returnWindowOf,
  stateOf,
  timelineOf,
  unknownStatuses,
  unknownTaxBillStatuses,
  untimedLatest,
  msg,
  type TimelineItem,
} from './detectors.js';
import {
  checkArgument,
  compareCodeUnits,
  describeInput,
  isRecord,
  nonBlankText,
  trimmedText,
  valueIn,
} from '../../model/guards.js';
import { NEAR_MISSES, nearKey } from '../near-key.js';
import { knownOptions, optionNames } from '../../model/options.js';
import { detached } from '../../xml/core/tokenizer.js';
import { SandanError } from '../../errors.js';
import type { Message } from '../../model/issue.js';
import { amountText } from '../records.js';
import { TAX_KINDS } from '../types.js';
import { Dec } from '../../model/primitives.js';
import { refusedByFormatCheck } from './sent.js';
import {
  isSentType,
  isStatusReceiptType,
  ORDER_KEY_NAMES,
  RECEIPT_KIND,
  SENT_KIND,
  type Anomaly,
  type DocumentKind,
  type OrderState,
  type OrderStatus,
  type RelatedGroup,
  type StatusOptions,
  type StatusReceipt,
  type StatusReceiptType,
  type TaxBillFacts,
  type TimelineNode,
} from './types.js';

/*
 * Where is a parcel stuck and why (订单异常查询): receipts grouped by order, each order's
 * timeline in Beijing time, its current state and anomalies with the suggested fix from the
 * receipt catalogue. Pure: "now" is an input.
 */

/** The keys documents are joined by (a platform is not one: it qualifies an orderNo). */
type KeyName = Exclude<keyof OrderStatus['keys'], 'ebpCode'>;
/** Each key's prefix in the join's keys, and the document it is the number of. */
const KEYS: Record<KeyName, { prefix: string; document: DocumentKind }> = {
  orderNo: { prefix: 'o', document: 'order' },
  payTransactionId: { prefix: 'y', document: 'payment' },
  logisticsNo: { prefix: 'l', document: 'logistics' },
  copNo: { prefix: 'c', document: 'inventory' },
  preNo: { prefix: 'p', document: 'inventory' },
  invtNo: { prefix: 'i', document: 'inventory' },
};
const KEY_NAMES = ORDER_KEY_NAMES.filter((n): n is KeyName => n !== 'ebpCode');

/** (a CEB900 names none of its own: its keys are those of the documents it refused) */
const RECEIPT_KEYS: Record<Exclude<StatusReceiptType, 'CEB900'>, KeyName[]> = {
  CEB312: ['orderNo'],
  CEB412: ['payTransactionId'],
  CEB512: ['logisticsNo'],
  CEB514: ['logisticsNo'],
  CEB622: ['copNo', 'preNo', 'invtNo'],
  CEB624: ['copNo', 'preNo', 'invtNo'],
  CEB626: ['copNo', 'preNo', 'invtNo'],
  // (the 2022 CEB816 also names the order and the waybill; CEB818 only the inventory and the bill)
  CEB816: ['invtNo', 'orderNo', 'logisticsNo'],
  CEB818: ['invtNo'],
};

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(k: string): string {
    if (!this.parent.has(k)) {
      this.parent.set(k, k);
      return k;
    }
    let r = k;
    while (this.parent.get(r) !== r) r = this.parent.get(r)!;
    for (let c = k; c !== r; ) {
      const next = this.parent.get(c)!;
      this.parent.set(c, r);
      c = next;
    }
    return r;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    // Keys are strings: the larger root points at the smaller one.
    const [hi, lo] = ra < rb ? [rb, ra] : [ra, rb];
    this.parent.set(hi, lo);
  }
}

/**
 * Between an orderNo and its platform in an order key (`o:SD1␀3301964J31`): no text of either has
 * it (a NUL is no XML character).
 */
const PLATFORM = '\u0000';

/**
 * A document's keys as written, as customs compares them (an xs:string keeps its white space, and a key is
 * case-sensitive), as reconciliation joins them: a padded or differently spelled key is another order's, and
 * {@link nearMisses} names it.
 */
function keysOf(doc: Record<string, unknown>, names: readonly KeyName[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const v = nonBlankText(doc[n]);
    if (v === undefined) continue;
    // An orderNo is unique only within a platform: the key is its platform's order when the document names one.
    const ebpCode = n === 'orderNo' ? nonBlankText(doc.ebpCode) : undefined;
    out.push(ebpCode === undefined ? `${KEYS[n].prefix}:${v}` : `${KEYS[n].prefix}:${v}${PLATFORM}${ebpCode}`);
  }
  return out;
}

/**
 * The keys to join by, once every document's keys are known. An orderNo named without a platform
 * (a waybill, a tax bill, a receipt without ebpCode) is the order of the one platform that has
 * that number; where several have it, it joins none of them (it would join them to each other),
 * unless it is all the document names; where none has it, it is the plain orderNo, as before.
 */
function platformResolver(all: ReadonlyArray<readonly string[]>): (keys: readonly string[]) => string[] {
  const platforms = new Map<string, Set<string>>();
  for (const keys of all)
    for (const k of keys) {
      const at = k.indexOf(PLATFORM);
      if (at < 0 || !k.startsWith('o:')) continue;
      valueIn(platforms, k.slice(0, at), () => new Set<string>()).add(k.slice(at + 1));
    }
  if (platforms.size === 0) return (keys) => [...keys];
  return (keys) => {
    const out: string[] = [];
    for (const k of keys) {
      const set = k.startsWith('o:') && !k.includes(PLATFORM) ? platforms.get(k) : undefined;
      if (set === undefined) out.push(k);
      else if (set.size === 1) out.push(`${k}${PLATFORM}${[...set][0]}`);
    }
    return out.length > 0 ? out : [...keys];
  };
}

/**
 * The documents a receipt is about, with the keys that place each: its own, or those of each document of the message a
 * CEB900 refused. None when it names no key: it joins no order.
 */
function receiptDocuments(r: StatusReceipt): Array<{ keys: string[]; document: DocumentKind }> {
  if (r.messageType === 'CEB900')
    return (refusedByFormatCheck(r.fields) ?? [])
      .map((d) => ({
        keys: keysOf(d as unknown as Record<string, unknown>, KEY_NAMES),
        document: SENT_KIND[d.messageType],
      }))
      .filter((d) => d.keys.length > 0);
  const keys = keysOf(r.fields, RECEIPT_KEYS[r.messageType]);
  return keys.length > 0 ? [{ keys, document: RECEIPT_KIND[r.messageType] }] : [];
}

/**
 * Every field of a receipt document that {@link status} reads, of any receipt type: its keys and platform, what makes it
 * one receipt, its status, time and reason, a delivery status, a tax bill's figures, and the message a CEB900 refused.
 */
const READ_FIELDS = [
  ...KEY_NAMES,
  'ebpCode',
  'guid',
  'returnStatus',
  'returnTime',
  'returnInfo',
  'logisticsStatus',
  'status',
  'taxNo',
  'customsTax',
  'valueAddedTax',
  'consumptionTax',
  'oriMessageType',
  'oriCopMsgId',
  'oriBizMessage',
] as const;

/**
 * A parsed receipt document as {@link status} needs it: only the fields it reads, each text a copy of its own (amounts
 * stay Decimal). {@link status} answers the same from it as from the whole document. Pass these, not the documents
 * `parseCebXml` gave, when many receipts are kept until `status` is called: a parsed document's texts are slices of its
 * file, and V8 keeps the whole text of a slice alive, so each receipt held its file and the rest of its document.
 * `sandan status` keeps a folder's receipts so.
 */
export function statusReceipt(messageType: StatusReceiptType, doc: Record<string, unknown>): StatusReceipt {
  if (!isStatusReceiptType(messageType) || !isRecord(doc))
    throw new SandanError(
      'INVALID_OPTION',
      `statusReceipt takes a receipt type (CEB312 … CEB900) and a parsed document of it, got ${describeInput(messageType)} and ${describeInput(doc)}`,
    );
  const fields: Record<string, unknown> = {};
  for (const k of READ_FIELDS) {
    const v = doc[k];
    if (v !== undefined) fields[k] = typeof v === 'string' ? detached(v) : v;
  }
  return { messageType, fields };
}

/**
 * The fields of a receipt its timeline item is made of ({@link receiptItem}, {@link taxBillItem}, {@link timeOf}): what
 * {@link statusPlan} keeps of it until its order is made, once it is placed and known to be one receipt.
 */
const ITEM_FIELDS = [
  'returnTime',
  'returnStatus',
  'returnInfo',
  'logisticsStatus',
  'invtNo',
  'preNo',
  'status',
  'taxNo',
  ...TAX_KINDS,
] as const;

/**
 * A receipt as its order is made of it: its guid and the keys that placed it are not held until then (about 230 bytes
 * of 500 a receipt, once the caller lets go of the receipts it gave).
 */
function itemFacts(r: StatusReceipt): StatusReceipt {
  const fields: Record<string, unknown> = {};
  for (const k of ITEM_FIELDS) {
    const v = r.fields[k];
    if (v !== undefined) fields[k] = v;
  }
  return { messageType: r.messageType, fields };
}

/**
 * Why {@link status} leaves a receipt out (it names no order), or undefined when it places it:
 * {@link statusInputsOfMessage} names such a receipt, which may be a rejection, instead of losing it.
 */
export function unplacedReceipt(r: StatusReceipt): Message | undefined {
  if (receiptDocuments(r).length > 0) return undefined;
  const st = trimmedText(r.fields.returnStatus) ?? trimmedText(r.fields.status);
  const info = trimmedText(r.fields.returnInfo);
  const what = `${r.messageType}${st === undefined ? '' : ` ${st}`}${info === undefined ? '' : ` (${info})`}`;
  if (r.messageType === 'CEB900') {
    const type = trimmedText(r.fields.oriMessageType) ?? '?';
    const id = trimmedText(r.fields.oriCopMsgId) ?? '?';
    return {
      zh: `${what} 退回了一条报文（oriMessageType ${type}，oriCopMsgId ${id}），其 oriBizMessage 不是可读取的申报：无法归入任何订单`,
      en: `${what} refused a message (oriMessageType ${type}, oriCopMsgId ${id}) whose oriBizMessage is no declaration that can be read: it names no order`,
    };
  }
  const keys = RECEIPT_KEYS[r.messageType];
  return {
    zh: `${what} 未填 ${keys.join('、')}：无法归入任何订单`,
    en: `${what} names no ${keys.length > 1 ? `${keys.slice(0, -1).join(', ')} or ${keys.at(-1)}` : keys[0]}: it names no order`,
  };
}

/**
 * What makes two receipt documents the same receipt: type, guid, status and time (and the keys, so
 * that receipts without a guid are merged only when everything that places them agrees), and a
 * tax bill's amounts: two copies of a bill with other figures were one event, the copy read
 * second dropped unseen.
 */
function receiptIdentity(r: StatusReceipt, keys: readonly string[]): string {
  return JSON.stringify([
    r.messageType,
    trimmedText(r.fields.guid) ?? '',
    trimmedText(r.fields.returnStatus) ?? trimmedText(r.fields.status) ?? '',
    trimmedText(r.fields.returnTime) ?? '',
    trimmedText(r.fields.taxNo) ?? '',
    keys,
    // (as figures: 31.760 is 31.76)
    ...TAX_KINDS.map((k) => {
      const v = amountText(r.fields, k);
      return v === undefined ? '' : new Dec(v).toFixed();
    }),
  ]);
}

/** A tax bill's (CEB816) or bill status's (CEB818) timeline node: its number, status and amounts. */
function taxBillItem(r: StatusReceipt, seq: number): TimelineItem {
  const ms = beijingMillis(trimmedText(r.fields.returnTime));
  const facts: TaxBillFacts = { status: trimmedText(r.fields.status) ?? '' };
  const taxNo = trimmedText(r.fields.taxNo);
  if (taxNo !== undefined) facts.taxNo = taxNo;
  for (const k of ['customsTax', 'valueAddedTax', 'consumptionTax'] as const) {
    const v = amountText(r.fields, k);
    if (v !== undefined) facts[k] = v;
  }
  const meaning = explainTaxBillStatus(facts.status);
  const node: TimelineNode = {
    time: beijingIso(ms),
    event: 'tax-bill',
    messageType: r.messageType,
    document: 'taxBill',
    ...(meaning && { meaning: { zh: meaning.zh, en: meaning.en } }),
    taxBill: facts,
  };
  return { ms, seq, node };
}

/** A receipt's timeline node, with the catalogue's explanation. */
function receiptItem(r: StatusReceipt, seq: number, document: DocumentKind): TimelineItem {
  const ms = beijingMillis(trimmedText(r.fields.returnTime));
  const returnStatus = trimmedText(r.fields.returnStatus) ?? '';
  const ex = explainReceipt({ returnStatus, returnInfo: r.fields.returnInfo }, r.messageType);
  const info = typeof r.fields.returnInfo === 'string' ? parseReturnInfo(r.fields.returnInfo) : undefined;
  const node: TimelineNode = {
    time: beijingIso(ms),
    event: 'receipt',
    messageType: r.messageType,
    document,
    returnStatus,
  };
  if (ex.statusMeaning) node.meaning = ex.statusMeaning;
  if (ex.code !== undefined) node.code = ex.code;
  if (info?.desc) node.desc = info.desc;
  const ls = trimmedText(r.fields.logisticsStatus);
  if (ls) node.logisticsStatus = ls;
  const item: TimelineItem = { ms, seq, node, explanation: ex };
  const invtNo = nonBlankText(r.fields.invtNo);
  const preNo = nonBlankText(r.fields.preNo);
  if (invtNo !== undefined) item.invtNo = invtNo;
  if (preNo !== undefined) item.preNo = preNo;
  return item;
}

/**
 * Groups receipts (and sent documents) by order and returns each order's timeline, current
 * state and anomalies: a document whose latest receipt is a rejection (with its `[Code:…]`
 * reason and the catalogue's fix) or has a status the catalogue does not know, a released inventory without a delivery status after
 * `deliveryDays`, a sent document without any receipt after `ackHours`, and inconsistent
 * receipts (released after an approved cancel, refunded without release, delivered before
 * release). Receipts link to orders through the keys they share with the sent documents;
 * without them, receipts group by their own keys. A CEB900 is the refusal of the documents of the
 * message it repeats (oriBizMessage). A receipt that names no order (no key of its own, a CEB900 of a
 * message that cannot be read) is left out: {@link unplacedReceipt} says why. Orders come sorted by their name.
 */
export function status(receipts: Iterable<StatusReceipt>, options: StatusOptions): OrderStatus[] {
  const plan = statusPlan(receipts, options);
  return plan.orders.map((o) => plan.build(o));
}

/** An order of a {@link StatusPlan} before it is made: what names, sorts, selects and relates it. */
export interface PlannedOrder {
  order: string;
  keys: OrderStatus['keys'];
}

/**
 * The orders {@link status} makes, in its order, each made only when asked ({@link StatusPlan.build}): `sandan status`
 * writes a month's report an order at a time. Holds of each receipt what its timeline node is made of (and its place),
 * not the node and its explanation, until its order is made.
 */
export interface StatusPlan {
  readonly orders: readonly PlannedOrder[];
  /** The order's latest timeline time (as its nodes' `time`; '' when none has one), without making it. */
  latestTime(o: PlannedOrder): string;
  /** The order as {@link status} gives it; its documents are let go (each order is made once). */
  build(o: PlannedOrder): OrderStatus;
  /**
   * Whether the order {@link StatusPlan.build} makes has anomalies, its documents kept: the order is made and dropped
   * (twice the work of `build` alone), for a report that counts them before it writes the first (the HTML page's head).
   */
  hasAnomalies(o: PlannedOrder): boolean;
}

/**
 * A document of {@link statusPlan} until its order is made: a sent document's timeline item (small), or the receipt (its
 * {@link itemFacts}) and the document of it this is (a CEB900 is one for each document of the message it refused), made into its item then.
 */
interface Entry {
  keys: string[];
  seq: number;
  item?: TimelineItem;
  receipt?: StatusReceipt;
  document?: DocumentKind;
}

function itemOf(e: Entry): TimelineItem {
  if (e.item !== undefined) return e.item;
  const r = e.receipt!;
  return e.document === 'taxBill' ? taxBillItem(r, e.seq) : receiptItem(r, e.seq, e.document!);
}

/** The instant of an entry's timeline node, as {@link taxBillItem}, {@link receiptItem} and the sent node read it. */
function timeOf(e: Entry): string {
  return e.item !== undefined ? e.item.node.time : beijingIso(beijingMillis(trimmedText(e.receipt!.fields.returnTime)));
}

/** An order's documents, and the keys that joined them until it is named ({@link nameOf}). */
type Group = { keys: Set<string> | undefined; entries: Entry[] | undefined };

// (any other key is misuse: a misspelt ackHours or deliveryDays left the anomaly thresholds at their defaults)
const STATUS_OPTION_NAMES = optionNames<StatusOptions>({
  now: true,
  sent: true,
  ackHours: true,
  deliveryDays: true,
  returnWindow: true,
});

/** (an entry's keys once its group is known: not kept, each was a text of its own) */
const PLACED: string[] = [];

/**
 * {@link status}'s work up to the point where the orders are made: the inputs checked and read, grouped by order,
 * sorted, related (`relatedGroups`) and near misses found. Misuse throws here, not when an order is made.
 */
export function statusPlan(receipts: Iterable<StatusReceipt>, options: StatusOptions): StatusPlan {
  const opts = knownOptions(options, 'status', STATUS_OPTION_NAMES);
  if (typeof (receipts as Partial<Iterable<StatusReceipt>> | null)?.[Symbol.iterator] !== 'function')
    throw new SandanError(
      'INVALID_OPTION',
      `status takes the receipts as an iterable (e.g. an array), got ${describeInput(receipts)}`,
    );
  if (!(opts.now instanceof Date) || Number.isNaN(opts.now.getTime()))
    throw new SandanError('INVALID_OPTION', 'status needs the current time as a valid Date in options.now');
  const entries: Entry[] = [];
  // Archives keep a receipt twice (as received in its DxpMsg and unwrapped): one receipt is one event.
  const seen = new Set<string>();
  if (opts.sent !== undefined) checkArgument(opts.sent, 'iterable', 'status', 'options.sent');
  for (const sent of opts.sent ?? []) {
    if (!isRecord(sent) || !isSentType(sent.messageType as string))
      throw new SandanError(
        'INVALID_OPTION',
        `status: options.sent holds sent documents { messageType: CEB311 … CEB625, … }, got ${describeInput(sent)}`,
      );
    const keys = keysOf(sent as unknown as Record<string, unknown>, KEY_NAMES);
    if (!keys.length) continue;
    // One document in two inputs (a declaration kept twice) is one message sent.
    const identity = JSON.stringify([sent.messageType, trimmedText(sent.appTime) ?? '', keys]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const ms = beijingMillis(sent.appTime);
    const { messageType } = sent;
    const seq = entries.length;
    entries.push({
      keys,
      seq,
      item: { ms, seq, node: { time: beijingIso(ms), event: 'sent', messageType, document: SENT_KIND[messageType] } },
    });
  }
  for (const r of receipts) {
    // (a receipt type it does not read, or no fields, is the caller's mistake: a document parseCebXml gave of a CEB712, say)
    if (!isRecord(r) || !isStatusReceiptType(r.messageType as string) || !isRecord(r.fields))
      throw new SandanError(
        'INVALID_OPTION',
        `status takes receipts as { messageType: CEB312 … CEB900, fields }, got ${describeInput(r)}${
          isRecord(r) && typeof r.messageType === 'string' ? ` (messageType ${r.messageType})` : ''
        }`,
      );
    // (one for each document a CEB900 refused)
    let facts: StatusReceipt | undefined;
    for (const { keys, document } of receiptDocuments(r)) {
      const identity = receiptIdentity(r, keys);
      if (seen.has(identity)) continue;
      seen.add(identity);
      facts ??= itemFacts(r);
      // (what its node and explanation are made of, not them: those are made with its order, and let go with it)
      entries.push({ keys, seq: entries.length, receipt: facts, document });
    }
  }

  // (what made each receipt one is not held while the orders are made: a text of its fields for each, 241,776 of them
  // for 25,000 parcels)
  seen.clear();
  const groups = groupsOf(entries);
  const clock = {
    now: opts.now.getTime(),
    ackMs: (opts.ackHours ?? 24) * 3600_000,
    deliveryMs: (opts.deliveryDays ?? 7) * 86400_000,
    windowOf: opts.returnWindow ?? nationalReturnWindow(),
  };
  const near = nearMisses(groups);
  const planned: Array<PlannedOrder & { group: Group; root: string }> = [];
  for (const [root, group] of groups) {
    planned.push({ ...nameOf(group.keys!), group, root });
    group.keys = undefined;
  }
  groups.clear();
  planned.sort(
    (a, b) =>
      compareCodeUnits(a.order, b.order) || compareCodeUnits(a.keys.ebpCode.join(','), b.keys.ebpCode.join(',')),
  );
  const make = (p: (typeof planned)[number]): OrderStatus => {
    const items = p.group.entries!.map(itemOf);
    return orderStatus(p, items, clock);
  };
  // An order another names (relatedGroups) is made once for its state first: its state is the same when it is made.
  const related = relateGroups(planned, (p) => make(p).state);
  const byOrder = new Map<PlannedOrder, (typeof planned)[number]>(planned.map((p) => [p, p]));
  const plannedOf = (o: PlannedOrder) => {
    const p = byOrder.get(o);
    if (p?.group.entries === undefined)
      throw new SandanError('INVALID_OPTION', 'status: an order of the plan is made once, and only of its plan');
    return p;
  };
  return {
    orders: planned.map((p) => {
      const { order, keys } = p;
      const o: PlannedOrder = { order, keys };
      byOrder.set(o, p);
      return o;
    }),
    latestTime(o) {
      let latest = '';
      for (const e of byOrder.get(o)?.group.entries ?? []) {
        const t = timeOf(e);
        if (t > latest) latest = t;
      }
      return latest;
    },
    build(o) {
      const p = plannedOf(o);
      const out = make(p);
      out.anomalies.push(...(near.get(p.root) ?? []));
      const rel = related.get(p);
      if (rel !== undefined) out.relatedGroups = rel;
      // (an order's documents let go once it is made: only its report is kept, by whoever asked)
      p.group.entries = undefined;
      byOrder.delete(o);
      return out;
    },
    hasAnomalies(o) {
      const p = plannedOf(o);
      // (a near miss is known from the plan: the order need not be made)
      return near.has(p.root) || make(p).anomalies.length > 0;
    },
  };
}

/**
 * The documents grouped by order: joined once every document's keys are known (which platforms have an orderNo decides
 * how a key without one joins), and by any key two documents share. Empties `entries`; the join's table goes on return.
 */
function groupsOf(entries: Entry[]): Map<string, Group> {
  const uf = new UnionFind();
  const resolve = platformResolver(entries.map((i) => i.keys));
  for (const i of entries) {
    i.keys = resolve(i.keys);
    for (const k of i.keys.slice(1)) uf.union(i.keys[0]!, k);
  }
  const groups = new Map<string, { keys: Set<string>; entries: Entry[] }>();
  for (const e of entries) {
    const g = valueIn(groups, uf.find(e.keys[0]!), () => ({ keys: new Set<string>(), entries: [] as Entry[] }));
    for (const k of e.keys) g.keys.add(k);
    g.entries.push(e);
    e.keys = PLACED;
  }
  entries.length = 0;
  return groups;
}

/**
 * Names, on each order, the other orders whose copNo is its orderNo or whose orderNo is its copNo. Without the
 * declarations a CEB312 (orderNo) and a CEB622 (copNo) of one parcel numbered alike stay two orders: asked about one,
 * a user saw it accepted and not that the other was rejected. Said, not joined: a copNo need not be its order's number.
 * By the orders' keys, in their order; `stateOf` gives an order's state (made only for those another names).
 */
function relateGroups<T extends PlannedOrder>(
  orders: readonly T[],
  stateOf: (o: T) => OrderState,
): Map<T, RelatedGroup[]> {
  const NAMES = ['orderNo', 'copNo'] as const;
  const byValue = new Map<string, Array<{ o: T; name: (typeof NAMES)[number] }>>();
  for (const o of orders)
    for (const name of NAMES) for (const v of o.keys[name]) valueIn(byValue, v, () => []).push({ o, name });
  const states = new Map<T, OrderState>();
  const out = new Map<T, RelatedGroup[]>();
  for (const o of orders) {
    const related: RelatedGroup[] = [];
    for (const here of NAMES)
      for (const value of o.keys[here])
        for (const { o: other, name: there } of byValue.get(value)!) {
          // (one orderNo on two platforms is two orders by design: said by the platform, not here)
          if (other === o || there === here) continue;
          related.push({
            order: other.order,
            ebpCode: [...other.keys.ebpCode],
            state: valueIn(states, other, () => stateOf(other)),
            shared: { value, here, there },
          });
        }
    if (related.length > 0) out.set(o, related);
  }
  return out;
}

/**
 * Each group's keys that equal another group's but for case, white space or full-width forms (reconciliation's
 * {@link nearKey}): customs compares keys as written, so the two stay apart, but they are likely one parcel's
 * documents with a mistyped key. At most NEAR_MISSES per key, the other group's key quoted as a JSON string.
 */
function nearMisses(groups: ReadonlyMap<string, { keys: ReadonlySet<string> | undefined }>): Map<string, Anomaly[]> {
  // (`value`: the key's number, without its name's prefix and its platform)
  const byNear = new Map<string, Array<{ root: string; key: string; value: string }>>();
  for (const [root, g] of groups)
    for (const k of g.keys!) {
      const value = k.slice(2).split(PLATFORM)[0]!;
      valueIn(byNear, `${k.slice(0, 2)}${nearKey(value)}`, () => []).push({ root, key: k, value });
    }
  const out = new Map<string, Anomaly[]>();
  for (const list of byNear.values()) {
    if (new Set(list.map((e) => e.root)).size < 2) continue;
    // Each spelling once, with the groups that have it: a group's near misses are found without going through
    // the whole list again for each of its members (many spellings of one key stay linear, not quadratic).
    const rootsOf = new Map<string, Set<string>>();
    for (const { root, value } of list) valueIn(rootsOf, value, () => new Set<string>()).add(root);
    const spellings = [...rootsOf.keys()].sort(compareCodeUnits);
    for (const { root, key, value } of list) {
      const name = KEY_NAMES.find((n) => key.startsWith(`${KEYS[n].prefix}:`))!;
      // (the same number of another platform is another order, not a near miss)
      const others: string[] = [];
      for (const o of spellings) {
        if (others.length === NEAR_MISSES) break;
        const roots = rootsOf.get(o)!;
        if (o !== value && (roots.size > 1 || !roots.has(root))) others.push(o);
      }
      if (others.length === 0) continue;
      const quoted = others.map((o) => JSON.stringify(o)).join(', ');
      valueIn(out, root, () => []).push({
        kind: 'inconsistent',
        document: KEYS[name].document,
        rule: 'near-miss-key',
        message: msg(
          `${name} ${JSON.stringify(value)} 与另一订单的 ${quoted} 仅大小写、空白或全角字符不同：海关按原文比较，二者不合并`,
          `${name} ${JSON.stringify(value)} equals another order's ${quoted} but for case, white space or full-width forms: customs compares keys as written, so they are not joined`,
        ),
        fix: msg(
          `核对申报与回执中的 ${name}：同一包裹的单据须写法完全相同；写错的一方以正确的编号重新申报`,
          `Check the ${name} in the declarations and receipts: one parcel's documents must spell it exactly alike; declare again with the right number where it is wrong`,
        ),
      });
    }
  }
  return out;
}

/** An order's keys by name and its name, from the keys that joined its documents. */
function nameOf(keySet: ReadonlySet<string>): PlannedOrder {
  const keys = Object.fromEntries(KEY_NAMES.map((n) => [n, []])) as unknown as OrderStatus['keys'];
  keys.ebpCode = [];
  for (const k of [...keySet].sort()) {
    const name = KEY_NAMES.find((n) => k.startsWith(`${KEYS[n].prefix}:`))!;
    const [value, ebpCode] = k.slice(2).split(PLATFORM) as [string, string | undefined];
    if (!keys[name].includes(value)) keys[name].push(value);
    if (ebpCode !== undefined && !keys.ebpCode.includes(ebpCode)) keys.ebpCode.push(ebpCode);
  }
  const firstKey = KEY_NAMES.find((n) => keys[n].length > 0)!;
  return { order: keys.orderNo[0] ?? `${firstKey}:${keys[firstKey][0]}`, keys };
}

function orderStatus(
  { order, keys }: PlannedOrder,
  items: TimelineItem[],
  clock: { now: number; ackMs: number; deliveryMs: number; windowOf: Parameters<typeof returnWindowOf>[1] },
): OrderStatus {
  const t = timelineOf(items);
  const documents = latestByDocument(t);
  const window = returnWindowOf(t, clock.windowOf);
  const anomalies: Anomaly[] = [
    ...rejections(t),
    ...refusedResends(t),
    ...unknownStatuses(t),
    ...unknownTaxBillStatuses(t),
    ...untimedLatest(t),
    noDeliveryStatus(t, clock.now, clock.deliveryMs),
    ...notAcknowledged(t, clock.now, clock.ackMs),
    releasedAfterCancel(t),
    refundWithoutRelease(t),
    deliveredBeforeRelease(t),
    ordersShareKeys(keys.orderNo, t),
    lateReturn(t, window),
  ].filter((a) => a !== undefined);
  return {
    order,
    keys,
    state: stateOf(t, documents),
    documents,
    ...(t.release &&
      window && {
        returnWindow: {
          releasedAt: t.release.node.time,
          applyBy: beijingIso(window.applyBy.getTime()),
          arriveBy: beijingIso(window.arriveBy.getTime()),
        },
      }),
    timeline: t.items.map((i) => i.node),
    anomalies,
  };
}
