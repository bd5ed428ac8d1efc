import type { Message } from '../model/issue.js';
import { nationalReturnWindow, returnDeadlines, type ReturnWindowPolicy } from '../quota/return-window.js';
import { beijingIso, beijingIsoDate, beijingMillis } from '../time/beijing.js';
import { parseReturnInfo } from '../xml/return-info.js';
import { explainReceipt, explainStatus } from '../xml/receipts.js';

/*
 * Where is a parcel stuck and why (订单异常查询): receipts grouped by order, each order's
 * timeline in Beijing time, its current state and anomalies with the suggested fix from the
 * receipt catalogue. Pure: "now" is an input.
 */

/** Receipt message types {@link status} reads. */
export type StatusReceiptType = 'CEB312' | 'CEB412' | 'CEB512' | 'CEB514' | 'CEB622' | 'CEB624' | 'CEB626';
/** Declaration message types that tell when a document was sent. */
export type SentType = 'CEB311' | 'CEB411' | 'CEB511' | 'CEB513' | 'CEB621' | 'CEB623' | 'CEB625';

/** The document a receipt or sent message is about. */
export type DocumentKind = 'order' | 'payment' | 'logistics' | 'logisticsStatus' | 'inventory' | 'cancel' | 'refund';

const RECEIPT_KIND: Record<StatusReceiptType, DocumentKind> = {
  CEB312: 'order',
  CEB412: 'payment',
  CEB512: 'logistics',
  CEB514: 'logisticsStatus',
  CEB622: 'inventory',
  CEB624: 'cancel',
  CEB626: 'refund',
};
const SENT_KIND: Record<SentType, DocumentKind> = {
  CEB311: 'order',
  CEB411: 'payment',
  CEB511: 'logistics',
  CEB513: 'logisticsStatus',
  CEB621: 'inventory',
  CEB623: 'cancel',
  CEB625: 'refund',
};

/** True for a receipt type {@link status} reads. */
export function isStatusReceiptType(t: string): t is StatusReceiptType {
  return Object.hasOwn(RECEIPT_KIND, t);
}
/** True for a sent (declaration) message type. */
export function isSentType(t: string): t is SentType {
  return Object.hasOwn(SENT_KIND, t);
}

/** A receipt document as the scanner or `parseCebXml` gives it. */
export interface StatusReceipt {
  messageType: StatusReceiptType;
  fields: Record<string, unknown>;
}

/** A document that was sent, with its keys and send time (`appTime`, yyyyMMddHHmmss Beijing time). */
export interface SentDocument {
  messageType: SentType;
  orderNo?: string | undefined;
  payTransactionId?: string | undefined;
  logisticsNo?: string | undefined;
  copNo?: string | undefined;
  preNo?: string | undefined;
  invtNo?: string | undefined;
  appTime?: string | undefined;
}

/** Thresholds and the clock of {@link status}. */
export interface StatusOptions {
  /** The current instant (the CLI passes the real time). */
  now: Date;
  /** Sent documents: link receipts to orders and enable the "never acknowledged" check. */
  sent?: Iterable<SentDocument>;
  /** A sent document without any receipt after this many hours is an anomaly (default 24). */
  ackHours?: number;
  /** A released inventory without a delivery status after this many days is an anomaly (default 7). */
  deliveryDays?: number;
  /**
   * The return window in force for a release on a Beijing date (`YYYY-MM-DD`); default: the
   * bundled national ruleset's `returnWindow`. Return undefined to skip the window.
   */
  returnWindow?: (releaseDate: string) => ReturnWindowPolicy | undefined;
}

/** One event of an order's timeline. */
export interface TimelineNode {
  /** ISO 8601 in Beijing time, e.g. `2026-11-20T10:17:00.001+08:00`; empty when the message had no valid time. */
  time: string;
  event: 'sent' | 'receipt';
  messageType: string;
  document: DocumentKind;
  returnStatus?: string;
  meaning?: Message;
  code?: string;
  desc?: string;
  logisticsStatus?: string;
}

/** Kinds of anomaly. */
export type AnomalyKind = 'rejected' | 'no-delivery-status' | 'not-acknowledged' | 'inconsistent' | 'late-return';

/** Something wrong with an order, with what to do. */
export interface Anomaly {
  kind: AnomalyKind;
  document: DocumentKind;
  /** For `inconsistent` and `late-return`: which rule, e.g. `released-after-cancel`, `applied-after-window`. */
  rule?: string;
  code?: string;
  message: Message;
  fix?: Message;
  /** The time the anomaly counts from (Beijing time). */
  since?: string;
}

/** Current state of an order. */
export type OrderState =
  | 'cancelled'
  | 'refunded'
  | 'rejected'
  | 'delivered'
  | 'released'
  | 'held'
  | 'accepted'
  | 'pending'
  | 'sent';

/** One order's status. */
export interface OrderStatus {
  /** The orderNo, or `copNo:…`/`logisticsNo:…` etc. when no document names the order. */
  order: string;
  keys: {
    orderNo: string[];
    payTransactionId: string[];
    logisticsNo: string[];
    copNo: string[];
    preNo: string[];
    invtNo: string[];
  };
  state: OrderState;
  /** The latest receipt status of each document. */
  documents: Partial<Record<DocumentKind, { returnStatus: string; time: string; outcome?: string }>>;
  /**
   * When the order's return window closes, once its inventory is released (Beijing time, like
   * the timeline): a return must be applied for by `applyBy` and be back by `arriveBy`.
   */
  returnWindow?: { releasedAt: string; applyBy: string; arriveBy: string };
  timeline: TimelineNode[];
  anomalies: Anomaly[];
}

// The timeline's readers and writers of Beijing time, where the engine's steps import them.
export { beijingIso, beijingMillis };

type KeyName = keyof OrderStatus['keys'];
const PREFIX: Record<KeyName, string> = {
  orderNo: 'o',
  payTransactionId: 'y',
  logisticsNo: 'l',
  copNo: 'c',
  preNo: 'p',
  invtNo: 'i',
};
const KEY_NAMES = Object.keys(PREFIX) as KeyName[];

function s(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

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

function keysOf(doc: Record<string, unknown>, names: readonly KeyName[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    const v = s(doc[n]);
    if (v !== undefined) out.push(`${PREFIX[n]}:${v}`);
  }
  return out;
}

const RECEIPT_KEYS: Record<StatusReceiptType, KeyName[]> = {
  CEB312: ['orderNo'],
  CEB412: ['payTransactionId'],
  CEB512: ['logisticsNo'],
  CEB514: ['logisticsNo'],
  CEB622: ['copNo', 'preNo', 'invtNo'],
  CEB624: ['copNo', 'preNo', 'invtNo'],
  CEB626: ['copNo', 'preNo', 'invtNo'],
};

/**
 * What makes two receipt documents the same receipt: type, guid, status and time (and the keys, so
 * that receipts without a guid are merged only when everything that places them agrees).
 */
function receiptIdentity(r: StatusReceipt, keys: readonly string[]): string {
  return JSON.stringify([
    r.messageType,
    s(r.fields.guid) ?? '',
    s(r.fields.returnStatus) ?? '',
    s(r.fields.returnTime) ?? '',
    keys,
  ]);
}

interface Item {
  ms: number;
  seq: number;
  node: TimelineNode;
  sent?: SentDocument;
  explanation?: ReturnType<typeof explainReceipt>;
}

const isRelease = (st: string | undefined) => st === '800' || st === '899';
const isFailure = (st: string) => {
  const o = explainStatus(st)?.outcome;
  return o === 'rejected' || o === 'failed';
};

function msg(zh: string, en: string): Message {
  return { zh, en };
}

/**
 * Groups receipts (and sent documents) by order and returns each order's timeline, current
 * state and anomalies: a document whose latest receipt is a rejection (with its `[Code:…]`
 * reason and the catalogue's fix), a released inventory without a delivery status after
 * `deliveryDays`, a sent document without any receipt after `ackHours`, and inconsistent
 * receipts (released after an approved cancel, refunded without release, delivered before
 * release). Receipts link to orders through the keys they share with the sent documents;
 * without them, receipts group by their own keys. Orders come sorted by their name.
 */
export function status(receipts: Iterable<StatusReceipt>, options: StatusOptions): OrderStatus[] {
  const now = options.now.getTime();
  const ackMs = (options.ackHours ?? 24) * 3600_000;
  const deliveryMs = (options.deliveryDays ?? 7) * 86400_000;
  const uf = new UnionFind();
  const items: Array<{ keys: string[]; item: Item }> = [];
  let seq = 0;

  for (const sent of options.sent ?? []) {
    const keys = keysOf(sent as unknown as Record<string, unknown>, KEY_NAMES);
    if (!keys.length) continue;
    for (const k of keys.slice(1)) uf.union(keys[0]!, k);
    const ms = beijingMillis(sent.appTime);
    items.push({
      keys,
      item: {
        ms,
        seq: seq++,
        sent,
        node: {
          time: beijingIso(ms),
          event: 'sent',
          messageType: sent.messageType,
          document: SENT_KIND[sent.messageType],
        },
      },
    });
  }
  // Archives keep a receipt twice (as received in its DxpMsg and unwrapped): one receipt is one event.
  const seen = new Set<string>();
  for (const r of receipts) {
    const keys = keysOf(r.fields, RECEIPT_KEYS[r.messageType]);
    if (!keys.length) continue;
    const identity = receiptIdentity(r, keys);
    if (seen.has(identity)) continue;
    seen.add(identity);
    for (const k of keys.slice(1)) uf.union(keys[0]!, k);
    const ms = beijingMillis(s(r.fields.returnTime));
    const returnStatus = s(r.fields.returnStatus) ?? '';
    const ex = explainReceipt({ returnStatus, returnInfo: r.fields.returnInfo });
    const info = typeof r.fields.returnInfo === 'string' ? parseReturnInfo(r.fields.returnInfo) : undefined;
    const node: TimelineNode = {
      time: beijingIso(ms),
      event: 'receipt',
      messageType: r.messageType,
      document: RECEIPT_KIND[r.messageType],
      returnStatus,
    };
    if (ex.statusMeaning) node.meaning = ex.statusMeaning;
    if (ex.code !== undefined) node.code = ex.code;
    if (info?.desc) node.desc = info.desc;
    const ls = s(r.fields.logisticsStatus);
    if (ls) node.logisticsStatus = ls;
    items.push({ keys, item: { ms, seq: seq++, node, explanation: ex } });
  }

  const groups = new Map<string, { keys: Set<string>; items: Item[] }>();
  for (const { keys, item } of items) {
    const root = uf.find(keys[0]!);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { keys: new Set(), items: [] }));
    for (const k of keys) g.keys.add(k);
    g.items.push(item);
  }

  const windowOf = options.returnWindow ?? nationalReturnWindow();
  const out: OrderStatus[] = [];
  for (const g of groups.values()) out.push(orderStatus(g.keys, g.items, now, ackMs, deliveryMs, windowOf));
  return out.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

function orderStatus(
  keySet: Set<string>,
  items: Item[],
  now: number,
  ackMs: number,
  deliveryMs: number,
  windowOf: (date: string) => ReturnWindowPolicy | undefined,
): OrderStatus {
  const keys: OrderStatus['keys'] = {
    orderNo: [],
    payTransactionId: [],
    logisticsNo: [],
    copNo: [],
    preNo: [],
    invtNo: [],
  };
  for (const k of [...keySet].sort()) {
    const name = KEY_NAMES.find((n) => k.startsWith(`${PREFIX[n]}:`))!;
    keys[name].push(k.slice(2));
  }
  const firstKey = KEY_NAMES.find((n) => keys[n].length > 0)!;
  const order = keys.orderNo[0] ?? `${firstKey}:${keys[firstKey][0]}`;
  // Untimed items go last, in input order.
  items.sort(
    (a, b) => (Number.isNaN(a.ms) ? 1 : 0) - (Number.isNaN(b.ms) ? 1 : 0) || a.ms - b.ms || 0 || a.seq - b.seq,
  );
  const receipts = items.filter((i) => i.node.event === 'receipt');

  const documents: OrderStatus['documents'] = {};
  for (const r of receipts) {
    const st = r.node.returnStatus ?? '';
    const entry: { returnStatus: string; time: string; outcome?: string } = { returnStatus: st, time: r.node.time };
    const o = explainStatus(st)?.outcome;
    if (o) entry.outcome = o;
    documents[r.node.document] = entry;
  }

  const anomalies: Anomaly[] = [];
  // 1. Rejections: the latest receipt of a document says it failed.
  for (const kind of Object.keys(documents) as DocumentKind[]) {
    const latest = [...receipts].reverse().find((r) => r.node.document === kind)!;
    const st = latest.node.returnStatus ?? '';
    if (!isFailure(st)) continue;
    const ex = latest.explanation ?? explainReceipt({ returnStatus: st });
    const reason =
      latest.node.code !== undefined
        ? `[Code:${latest.node.code}] ${latest.node.desc ?? ''}`.trim()
        : (latest.node.desc ?? '');
    const a: Anomaly = {
      kind: 'rejected',
      document: kind,
      message: msg(
        `${latest.node.messageType} 回执状态 ${st}（${ex.statusMeaning?.zh ?? '未知状态'}）：${reason}`,
        `${latest.node.messageType} receipt status ${st} (${ex.statusMeaning?.en ?? 'unknown status'}): ${reason}`,
      ),
      since: latest.node.time,
    };
    if (latest.node.code !== undefined) a.code = latest.node.code;
    if (ex.fix) a.fix = ex.fix;
    anomalies.push(a);
  }

  const inventory = receipts.filter((r) => r.node.document === 'inventory');
  const release = inventory.find((r) => isRelease(r.node.returnStatus));
  const deliveries = receipts.filter(
    (r) => r.node.document === 'logisticsStatus' && !isFailure(r.node.returnStatus ?? ''),
  );
  const cancelApproved = receipts.find((r) => r.node.document === 'cancel' && r.node.returnStatus === '399');
  const refundApproved = receipts.find((r) => r.node.document === 'refund' && r.node.returnStatus === '399');

  // 2. Released but no delivery status.
  if (
    release &&
    deliveries.length === 0 &&
    !cancelApproved &&
    !refundApproved &&
    Number.isFinite(release.ms) &&
    now - release.ms > deliveryMs
  ) {
    const days = Math.floor((now - release.ms) / 86400_000);
    anomalies.push({
      kind: 'no-delivery-status',
      document: 'logisticsStatus',
      message: msg(
        `清单已于 ${release.node.time} 放行，${days} 天后仍无运单签收状态（CEB513/514）`,
        `The inventory was released at ${release.node.time}; ${days} days later there is still no delivery status (CEB513/514)`,
      ),
      fix: msg(
        '向物流企业核实包裹去向；已签收的请物流企业申报运单状态（CEB513）',
        'Ask the logistics company where the parcel is; once delivered, have it declare the waybill status (CEB513)',
      ),
      since: release.node.time,
    });
  }

  // 3. Sent but never acknowledged.
  for (const it of items) {
    if (it.node.event !== 'sent' || !Number.isFinite(it.ms)) continue;
    const kind = it.node.document;
    const answered = receipts.some((r) => r.node.document === kind);
    if (answered || now - it.ms <= ackMs) continue;
    const hours = Math.floor((now - it.ms) / 3600_000);
    anomalies.push({
      kind: 'not-acknowledged',
      document: kind,
      message: msg(
        `${it.node.messageType} 已于 ${it.node.time} 发送，${hours} 小时后仍无任何回执`,
        `${it.node.messageType} was sent at ${it.node.time}; ${hours} hours later there is no receipt at all`,
      ),
      fix: msg(
        '检查报文是否送达（DXP 传输日志、CEB900 格式回执）；未送达的重新发送',
        'Check that the message arrived (DXP transfer log, CEB900 format receipts); resend it if it did not',
      ),
      since: it.node.time,
    });
  }

  // 4. Receipts that contradict each other.
  const inconsistent = (rule: string, zh: string, en: string, since: string) =>
    anomalies.push({
      kind: 'inconsistent',
      document: 'inventory',
      rule,
      message: msg(zh, en),
      fix: msg(
        '向申报地海关核实该清单的实际状态，并核对回执是否属于同一清单',
        'Ask the declaring customs office for the real state of this inventory, and check that the receipts belong to the same inventory',
      ),
      since,
    });
  const lateRelease = cancelApproved
    ? inventory.find((r) => isRelease(r.node.returnStatus) && r.ms > cancelApproved.ms)
    : undefined;
  if (cancelApproved && lateRelease) {
    inconsistent(
      'released-after-cancel',
      `撤销申请已于 ${cancelApproved.node.time} 审核通过，清单却于 ${lateRelease.node.time} 放行`,
      `The cancel was approved at ${cancelApproved.node.time}, yet the inventory was released at ${lateRelease.node.time}`,
      lateRelease.node.time,
    );
  }
  if (refundApproved && !release) {
    inconsistent(
      'refund-without-release',
      `退货申请已于 ${refundApproved.node.time} 审核通过，但没有清单放行回执`,
      `The refund was approved at ${refundApproved.node.time}, but there is no inventory release receipt`,
      refundApproved.node.time,
    );
  }
  const early = release ? deliveries.find((d) => Number.isFinite(d.ms) && d.ms < release.ms) : undefined;
  if (release && early) {
    inconsistent(
      'delivered-before-release',
      `运单签收状态（${early.node.time}）早于清单放行（${release.node.time}）`,
      `The delivery status (${early.node.time}) is earlier than the inventory release (${release.node.time})`,
      early.node.time,
    );
  }

  // 5. Returns after the window of the release: no tax waived, no quota given back.
  let returnWindow: OrderStatus['returnWindow'];
  const window = release && Number.isFinite(release.ms) ? windowOf(beijingIsoDate(new Date(release.ms))) : undefined;
  if (release && window) {
    const d = returnDeadlines(new Date(release.ms), window);
    returnWindow = {
      releasedAt: release.node.time,
      applyBy: beijingIso(d.applyBy.getTime()),
      arriveBy: beijingIso(d.arriveBy.getTime()),
    };
    const late = (rule: string, zh: string, en: string, since: string) =>
      anomalies.push({
        kind: 'late-return',
        document: 'refund',
        rule,
        message: msg(zh, en),
        fix: msg(
          `退货须在清单放行之日起${window.applyDays}日内申请、${window.arriveDays}日内运抵原监管作业场所、特殊监管区域或保税物流中心，超期的退货不免征税款、不调整年度交易额度；向海关核实该退货的审核结果，超期的按已征税处理`,
          `A return must be applied for within ${window.applyDays} days of the release and be back in the original site, zone or centre within ${window.arriveDays} days; a late return neither waives the tax nor gives the annual quota back. Ask customs how the return was decided, and treat a late one as taxed`,
        ),
        since,
      });
    // The application: the CEB625 sent, else the first receipt customs gave it.
    const applied = items.find(
      (i) =>
        i.node.document === 'refund' &&
        Number.isFinite(i.ms) &&
        (i.node.event === 'sent' || !isFailure(i.node.returnStatus ?? '')),
    );
    if (applied && applied.ms > d.applyBy.getTime()) {
      late(
        'applied-after-window',
        `退货申请（${applied.node.messageType}，${applied.node.time}）晚于申请期限 ${returnWindow.applyBy}（清单 ${release.node.time} 放行）`,
        `The return (${applied.node.messageType} at ${applied.node.time}) came after the application deadline ${returnWindow.applyBy} (inventory released ${release.node.time})`,
        applied.node.time,
      );
    } else if (refundApproved && Number.isFinite(refundApproved.ms) && refundApproved.ms > d.arriveBy.getTime()) {
      late(
        'approved-after-arrival-deadline',
        `退货审核通过回执（${refundApproved.node.time}）晚于运抵期限 ${returnWindow.arriveBy}（清单 ${release.node.time} 放行）`,
        `The return was approved (${refundApproved.node.time}) after the arrival deadline ${returnWindow.arriveBy} (inventory released ${release.node.time})`,
        refundApproved.node.time,
      );
    }
  }

  return {
    order,
    keys,
    state: stateOf(documents, release !== undefined, deliveries.length > 0, receipts.length > 0),
    documents,
    ...(returnWindow && { returnWindow }),
    timeline: items.map((i) => i.node),
    anomalies,
  };
}

function stateOf(
  documents: OrderStatus['documents'],
  released: boolean,
  delivered: boolean,
  anyReceipt: boolean,
): OrderState {
  if (documents.cancel?.returnStatus === '399') return 'cancelled';
  if (documents.refund?.returnStatus === '399') return 'refunded';
  const latest = Object.values(documents);
  if (latest.some((d) => d.outcome === 'rejected' || d.outcome === 'failed')) return 'rejected';
  if (released && delivered) return 'delivered';
  if (released) return 'released';
  if (documents.inventory?.outcome === 'held') return 'held';
  if (!anyReceipt) return 'sent';
  if (latest.every((d) => d.outcome === 'accepted' || d.outcome === 'final')) return 'accepted';
  return 'pending';
}

/** The sent documents of a declaration (sandan's JSON shape), with their appTime. */
export function sentFromDeclaration(input: unknown): SentDocument[] {
  const d =
    typeof input === 'object' && input !== null ? (input as Record<string, Record<string, unknown> | undefined>) : {};
  const out: SentDocument[] = [];
  const o = d.order;
  const p = d.payment;
  const l = d.logistics;
  const i = d.inventory;
  const orderNo = s(o?.orderNo);
  if (o) out.push({ messageType: 'CEB311', orderNo, appTime: s(o.appTime) });
  if (p)
    out.push({
      messageType: 'CEB411',
      orderNo: s(p.orderNo) ?? orderNo,
      payTransactionId: s(p.payTransactionId),
      appTime: s(p.appTime),
    });
  if (l)
    out.push({
      messageType: 'CEB511',
      orderNo: s(l.orderNo) ?? orderNo,
      logisticsNo: s(l.logisticsNo),
      appTime: s(l.appTime),
    });
  if (i)
    out.push({
      messageType: 'CEB621',
      orderNo: s(i.orderNo) ?? orderNo,
      logisticsNo: s(i.logisticsNo),
      copNo: s(i.copNo),
      preNo: s(i.preNo),
      invtNo: s(i.invtNo),
      appTime: s(i.appTime),
    });
  return out;
}

/** The sent documents of a parsed declaration message (CEB311/411/511/513/621/623/625), with their appTime. */
export function sentFromMessage(
  messageType: string,
  documents: ReadonlyArray<Record<string, unknown>>,
): SentDocument[] {
  if (!isSentType(messageType)) return [];
  return documents.map((doc) => ({
    messageType,
    orderNo: s(doc.orderNo),
    payTransactionId: s(doc.payTransactionId),
    logisticsNo: s(doc.logisticsNo),
    copNo: s(doc.copNo),
    preNo: s(doc.preNo),
    invtNo: s(doc.invtNo),
    appTime: s(doc.appTime),
  }));
}
