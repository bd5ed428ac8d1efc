import type { Message } from '../../model/issue.js';
import type { ReturnWindowPolicy } from '../../quota/return-window.js';

/* The shapes of order status (订单异常查询): what status() reads and what it reports. */

/** The document a receipt or sent message is about. */
export type DocumentKind =
  | 'order'
  | 'payment'
  | 'logistics'
  | 'logisticsStatus'
  | 'inventory'
  | 'cancel'
  | 'refund'
  /** The electronic tax bill of the inventory (CEB816) and its status (CEB818). */
  | 'taxBill';

/** The document each receipt type {@link status} reads is about. */
export const RECEIPT_KIND = {
  CEB312: 'order',
  CEB412: 'payment',
  CEB512: 'logistics',
  CEB514: 'logisticsStatus',
  CEB622: 'inventory',
  CEB624: 'cancel',
  CEB626: 'refund',
  CEB816: 'taxBill',
  CEB818: 'taxBill',
} satisfies Record<string, DocumentKind>;
/**
 * Receipt message types {@link status} reads (tax bills included: they are customs' answer too). A CEB900 (报文格式校验回执)
 * refuses a whole message before customs reads it: it is about the documents of the message it repeats (oriBizMessage).
 */
export type StatusReceiptType = keyof typeof RECEIPT_KIND | 'CEB900';

/** The document each sent (declaration) message type is about. */
export const SENT_KIND = {
  CEB311: 'order',
  CEB411: 'payment',
  CEB511: 'logistics',
  CEB513: 'logisticsStatus',
  CEB621: 'inventory',
  CEB623: 'cancel',
  CEB625: 'refund',
} satisfies Record<string, DocumentKind>;
/** Declaration message types that tell when a document was sent. */
export type SentType = keyof typeof SENT_KIND;

/** True for a receipt type {@link status} reads; false for anything but a string. */
export function isStatusReceiptType(t: unknown): t is StatusReceiptType {
  // (Object.hasOwn converts its key: a null-prototype object threw a TypeError)
  return typeof t === 'string' && (t === 'CEB900' || Object.hasOwn(RECEIPT_KIND, t));
}
/** True for a sent (declaration) message type; false for anything but a string. */
export function isSentType(t: unknown): t is SentType {
  return typeof t === 'string' && Object.hasOwn(SENT_KIND, t);
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
  /** The platform of the order: an orderNo is unique only within one (a waybill names none; a declaration's, its order's). */
  ebpCode?: string | undefined;
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
  /** `tax-bill`: a CEB816 tax bill or CEB818 bill status, whose `status` is no returnStatus. */
  event: 'sent' | 'receipt' | 'tax-bill';
  messageType: string;
  document: DocumentKind;
  returnStatus?: string;
  meaning?: Message;
  code?: string;
  desc?: string;
  logisticsStatus?: string;
  /** A tax bill's number, status and amounts as the bill writes them (a CEB818 carries no amounts). */
  taxBill?: TaxBillFacts;
}

/** What a tax bill node shows: `status` 1 generated, 2 summarised, 3 void; amounts as written, in CNY. */
export interface TaxBillFacts {
  taxNo?: string;
  status: string;
  customsTax?: string;
  valueAddedTax?: string;
  consumptionTax?: string;
}

/** Kinds of anomaly. */
export type AnomalyKind =
  | 'rejected'
  /** A message sent again after its document was answered was refused (duplicate, change not allowed); the declaration stands. */
  | 'resend-refused'
  | 'unknown-status'
  | 'no-delivery-status'
  | 'not-acknowledged'
  | 'inconsistent'
  | 'late-return';

/** Something wrong with an order, with what to do. */
export interface Anomaly {
  kind: AnomalyKind;
  document: DocumentKind;
  /**
   * For `inconsistent` and `late-return`: which rule, e.g. `released-after-cancel`, `applied-after-window`; for
   * `unknown-status`, `other-receipt-status` when the status is one of other receipts only (800 on a CEB312), and
   * `tax-bill-status` for a tax bill whose status is none of 1, 2, 3.
   */
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
  /** The inventory's latest receipt is 700 (退运): the goods are shipped back and will not be delivered. */
  | 'returned'
  | 'held'
  | 'accepted'
  | 'pending'
  | 'sent';

/**
 * The names of an order's keys, as {@link OrderStatus} `keys` lists them: the keys documents are joined by and the
 * platform (ebpCode), which qualifies an orderNo. Status joins by them and reads them of a sent document. (Written as
 * a record: a key added to `OrderStatus['keys']` and not here fails the type check.)
 */
export const ORDER_KEY_NAMES = Object.keys({
  orderNo: true,
  ebpCode: true,
  payTransactionId: true,
  logisticsNo: true,
  copNo: true,
  preNo: true,
  invtNo: true,
} satisfies Record<keyof OrderStatus['keys'], true>) as ReadonlyArray<keyof OrderStatus['keys']>;

/** One order's status. */
export interface OrderStatus {
  /** The orderNo, or `copNo:…`/`logisticsNo:…` etc. when no document names the order. */
  order: string;
  keys: {
    orderNo: string[];
    /**
     * The platforms (ebpCode) its documents name. An orderNo is unique only within one platform:
     * two platforms' orders of one number are two orders, and receipts naming no platform join the
     * one platform that has the number (where several have it, they stay apart).
     */
    ebpCode: string[];
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
  /**
   * Other orders whose copNo is this order's orderNo, or whose orderNo is its copNo (many platforms number an inventory
   * as its order): likely one parcel's documents, which receipts alone do not join (a CEB312 names the orderNo, a
   * CEB622 the copNo; the declarations tie them). Only when there are such orders.
   */
  relatedGroups?: RelatedGroup[];
}

/** An order that shares a number with another as {@link OrderStatus} `relatedGroups` lists it. */
export interface RelatedGroup {
  /** Its name, as its own {@link OrderStatus} `order`. */
  order: string;
  /** Its platforms (ebpCode), which tell apart two orders of one name. */
  ebpCode: string[];
  state: OrderState;
  /** The number the two share, and what it is in each: `{ value, here: 'orderNo', there: 'copNo' }`. */
  shared: { value: string; here: 'orderNo' | 'copNo'; there: 'orderNo' | 'copNo' };
}
