import { isApprovedReturn } from '../../model/guards.js';
import type { Message } from '../../model/issue.js';
import { releaseDeadlines, type ReturnWindowPolicy } from '../../quota/return-window.js';
import { beijingIso } from '../../time/beijing.js';
import {
  explainCode,
  explainReceipt,
  explainStatus,
  explainTaxBillStatus,
  type ReceiptExplanation,
} from '../../xml/receipts.js';
import type { Anomaly, DocumentKind, OrderState, OrderStatus, RelatedGroup, TimelineNode } from './types.js';

/*
 * One order's timeline and the anomaly detectors that read it: each a pure function of the
 * timeline (and the clock or the return window), in the order status() reports them.
 */

/** One event: its instant (NaN when untimed), its place in the input, its node. */
export interface TimelineItem {
  ms: number;
  seq: number;
  node: TimelineNode;
  explanation?: ReceiptExplanation;
  /** A receipt's inventory numbers: a cancel names the inventory it cancels by invtNo, its copNo and preNo are its own. */
  invtNo?: string;
  preNo?: string;
}

/** An order's events in time order (untimed last) and the receipts the detectors look for. */
interface OrderTimeline {
  items: readonly TimelineItem[];
  receipts: readonly TimelineItem[];
  /** The first inventory release (CEB622 800/899). */
  release: TimelineItem | undefined;
  /** Delivery statuses: CEB514 receipts that did not fail. */
  deliveries: readonly TimelineItem[];
  /** The last approved cancel (CEB624 399), unless the inventory was declared again after it. */
  cancelApproved: TimelineItem | undefined;
  refundApproved: TimelineItem | undefined;
  /** The inventory's latest receipt when it is 700 (退运: shipped back, nothing to deliver). */
  shippedBack: TimelineItem | undefined;
  /**
   * Each document's latest receipt that tells its state, in the order the documents first answered: not a refusal
   * of a message sent again under a declaration that stands (see {@link refusesOnlyTheMessage}).
   */
  latest: ReadonlyMap<DocumentKind, TimelineItem>;
  /** The refusals of messages sent again under a declaration that stands, in time order. */
  resendRefusals: readonly TimelineItem[];
  /** For each of {@link resendRefusals}, the document's receipt that stood when it came, if any. */
  stoodBefore: ReadonlyMap<TimelineItem, TimelineItem>;
  /** Whether customs billed the order's inventory (a CEB816 or CEB818): its answer on the inventory the bill names. */
  billed: boolean;
}

const isRelease = (st: string | undefined) => st === '800' || st === '899';
/**
 * A receipt's catalogue entry, if its status is one of its receipt type's: a status of another receipt (800 on an order
 * receipt) tells nothing of this one and reads as unknown.
 */
const statusEntry = (node: TimelineNode) => explainStatus(node.returnStatus ?? '', node.messageType);
/**
 * Whether a receipt's code says its message reached customs and only the E-Port's record of it failed (the
 * catalogue's `reachedCustoms`, e.g. -621008): the document was sent, not refused. Such codes are negative statuses.
 */
const reachedCustoms = (node: TimelineNode) => {
  const st = node.returnStatus ?? '';
  return st.startsWith('-') && explainCode(node.code ?? st)?.reachedCustoms === true;
};
/** What a receipt says of its document: its status's outcome, or pending when the message reached customs. */
export const outcomeOf = (node: TimelineNode) => (reachedCustoms(node) ? 'pending' : statusEntry(node)?.outcome);
const isFailure = (node: TimelineNode) => {
  const o = outcomeOf(node);
  return o === 'rejected' || o === 'failed';
};
/**
 * The code a receipt names beside its status, for text: none where it is the status itself (a negative status is its
 * own code, -621017, and was written twice as `-621017 [Code:-621017]`). The node's `code` stays for JSON.
 */
export const codeBesideStatus = (node: TimelineNode) =>
  node.code !== undefined && node.code !== node.returnStatus ? node.code : undefined;
/**
 * Whether a receipt of this type with this status may leave its document refused (its status's outcome is a
 * rejection or failure): a superset of the receipts {@link stateOf} may read as `rejected` (a code saying the message
 * reached customs, or the receipt refusing only a later message, is decided on the timeline). Reconciliation keeps
 * only the keys of such receipts to look their orders up again.
 */
export function mayRefuse(returnStatus: string, messageType: string): boolean {
  const o = explainStatus(returnStatus, messageType)?.outcome;
  return o === 'rejected' || o === 'failed';
}
/** A text in both languages. */
export const msg = (zh: string, en: string): Message => ({ zh, en });

/**
 * E-Port's own steps, before customs reads the message (the XSD's 1 电子口岸已暂存, 2 电子口岸申报中, 3 发送海关成功,
 * 4 发送海关失败), in their order: at one instant they come before any answer of customs, whatever the input order.
 */
const EPORT_STEP: Readonly<Record<string, number>> = { '1': 0, '2': 1, '3': 2, '4': 2 };
const step = (i: TimelineItem) =>
  i.node.event === 'receipt' ? (EPORT_STEP[i.node.returnStatus ?? ''] ?? 3) : i.node.event === 'sent' ? -1 : 3;
/**
 * Then, at one instant, customs' answers by their status number: the specification numbers them in the order of its
 * process (120 taken in, 300 review, 399 concluded, 5xx inspection and holds, 800 release, 899 closed), and a refusal
 * beside a further step is taken for a resend's, read first: 100, and before it a negative E-Port code (a code, not
 * a step: all alike). So the state no longer depends on the order of the files. A status that is no number, and a
 * tax bill, come after them (two such: NaN, equal).
 */
const rank = (i: TimelineItem) => {
  const st = i.node.event === 'receipt' ? (i.node.returnStatus ?? '') : '';
  return /^\d{1,9}$/.test(st) ? Number(st) : /^-\d+$/.test(st) ? -1 : Number.POSITIVE_INFINITY;
};

/**
 * Sorts an order's events (untimed ones last, in input order; one instant's in their steps, then by status number,
 * then in input order) and finds its key receipts.
 */
export function timelineOf(items: TimelineItem[]): OrderTimeline {
  items.sort(
    (a, b) =>
      (Number.isNaN(a.ms) ? 1 : 0) - (Number.isNaN(b.ms) ? 1 : 0) ||
      a.ms - b.ms ||
      (Number.isNaN(a.ms) ? 0 : step(a) - step(b) || rank(a) - rank(b)) ||
      a.seq - b.seq,
  );
  const receipts = items.filter((i) => i.node.event === 'receipt');
  const cancel = receipts.filter((r) => r.node.document === 'cancel' && r.node.returnStatus === '399').at(-1);
  const lastInventory = receipts.filter((r) => r.node.document === 'inventory').at(-1);
  // A refused resend leaves the declaration as it was: a released parcel refused a change is still released.
  const latest = new Map<DocumentKind, TimelineItem>();
  const resendRefusals: TimelineItem[] = [];
  const stoodBefore = new Map<TimelineItem, TimelineItem>();
  // Customs' latest answer (100 or later) to each document: an E-Port step of a later message (a change's 2) does not
  // undo it, so a refusal after that step is still one after customs' answer.
  const answered = new Map<DocumentKind, TimelineItem>();
  // (an approved cancel ends the inventory's declaration: what comes after it answers one declared anew)
  let inventoryCancelled = false;
  // Whether customs released the inventory (800/899; the state reads the first release too), not cancelled since.
  let inventoryReleased = false;
  // The instants of the inventory's releases: one instant reads a 100 before the 800 beside it (by status number),
  // and a refusal in the release's own instant (receipts timed to the second can share one) is as much after it.
  const releasedAt = new Set(
    receipts
      .filter((r) => r.node.document === 'inventory' && isRelease(r.node.returnStatus) && !Number.isNaN(r.ms))
      .map((r) => r.ms),
  );
  for (const r of receipts) {
    const { document } = r.node;
    const fresh = document === 'inventory' && inventoryCancelled;
    const before = fresh ? undefined : latest.get(document);
    const answer = fresh ? undefined : answered.get(document);
    if (refusesOnlyTheMessage(r, before, answer) || refusedAfterRelease(r, inventoryReleased, releasedAt)) {
      resendRefusals.push(r);
      const stood = answer && isCustomsAnswer(answer) ? answer : before;
      if (stood) stoodBefore.set(r, stood);
      // (the E-Port's 1 or 2 after customs' answer was of the refused message, which never reached customs)
      if (
        stood === answer &&
        before !== answer &&
        (before?.node.returnStatus === '1' || before?.node.returnStatus === '2')
      )
        latest.set(document, answer!);
      continue;
    }
    latest.set(document, r);
    if (isCustomsReceipt(r)) answered.set(document, r);
    if (document === 'inventory') {
      inventoryCancelled = false;
      if (isRelease(r.node.returnStatus)) inventoryReleased = true;
    } else if (document === 'cancel' && r.node.returnStatus === '399') {
      inventoryCancelled = true;
      inventoryReleased = false;
      answered.delete('inventory');
    }
  }
  return {
    items,
    receipts,
    release: receipts.find((r) => r.node.document === 'inventory' && isRelease(r.node.returnStatus)),
    deliveries: receipts.filter((r) => r.node.document === 'logisticsStatus' && !isFailure(r.node)),
    cancelApproved: cancel && !declaredAgainAfter(cancel, receipts) ? cancel : undefined,
    refundApproved: receipts.find((r) => r.node.document === 'refund' && isApprovedReturn(r.node.returnStatus)),
    shippedBack: lastInventory?.node.returnStatus === '700' ? lastInventory : undefined,
    latest,
    resendRefusals,
    stoodBefore,
    billed: items.some((i) => i.node.event === 'tax-bill'),
  };
}

/**
 * Whether an inventory receipt after an approved cancel is of an inventory declared again (the cancel's own fix for
 * changing a held declaration): another invtNo than the one cancelled, or, before customs numbers it, another preNo
 * than the cancelled inventory's. Without the cancel's invtNo nothing tells them apart.
 */
function declaredAgainAfter(cancel: TimelineItem, receipts: readonly TimelineItem[]): boolean {
  const { invtNo } = cancel;
  if (invtNo === undefined) return false;
  const inventory = receipts.filter((r) => r.node.document === 'inventory');
  const cancelledPreNos = new Set(inventory.filter((r) => r.invtNo === invtNo).map((r) => r.preNo));
  return inventory.some(
    (r) =>
      r.ms > cancel.ms &&
      (r.invtNo !== undefined
        ? r.invtNo !== invtNo
        : r.preNo !== undefined && cancelledPreNos.size > 0 && !cancelledPreNos.has(r.preNo)),
  );
}

/**
 * Whether a receipt refuses only the message it answers, so that the declaration before it (`before`, the document's
 * receipt that stands, if any) stands:
 * - its code says so (the catalogue's `declarationStands`: a second new declaration under a number in use, a change
 *   its state does not allow), also with no earlier receipt at hand: the code itself says customs holds a declaration;
 * - a CEB900 once the document was answered: its message failed the format check, so it is no message an earlier
 *   receipt answered, and never reached customs;
 * - an E-Port refusal (a negative status, or 4 发送海关失败) once customs answered the declaration with 120 or later, or
 *   once the document's latest message reached customs (the E-Port's 3 发送海关成功, or a code saying so, -621008…).
 *   海关跨境电商统一版系统企业对接报文规范（202205版）, 附件2 XSD, returnStatus of each receipt: 2电子口岸申报中/3发送海关成功/
 *   4发送海关失败 are the E-Port's steps before customs', and 若小于0数字表示处理异常回执 (a negative answers the processing
 *   of a message); 第7章 lists the negative codes as the E-Port's checks. A message customs answered is past them, so a
 *   refusal after customs' answer is of another message (a resend, a change), and customs' decision stands. The spec
 *   says nothing of a refusal after customs' answer, nor whether one can follow the E-Port's own 2 for the same message:
 *   after only the E-Port's 1 or 2 it may be of that very message (2 is 申报中, still at the E-Port), so it counts, as
 *   it does after customs' 100 (the message refused is then the attempt that matters). After a 3 the message has left
 *   the E-Port for customs, past its checks, as a message customs answered is: the refusal is of another, and the
 *   document waits for customs' answer (a resend would earn a duplicate's refusal).
 * `answer` is customs' latest answer to the document (an E-Port step of a later message, a change's 2, may stand
 * after it). An approved cancel ends the inventory's declaration (the caller passes no `before` nor `answer`): a
 * refusal after it is of one declared anew, and counts. A code saying the message reached customs (-621008…) refuses
 * nothing: it is the document's state, like the E-Port's 3.
 */
function refusesOnlyTheMessage(
  r: TimelineItem,
  before: TimelineItem | undefined,
  answer: TimelineItem | undefined,
): boolean {
  const st = r.node.returnStatus ?? '';
  const code = r.node.code ?? (st.startsWith('-') ? st : undefined);
  if (code !== undefined && explainCode(code)?.declarationStands === true) return true;
  if (before === undefined) return false;
  if (r.node.messageType === 'CEB900') return true;
  return (
    (st.startsWith('-') || st === '4') &&
    !reachedCustoms(r.node) &&
    ((answer !== undefined && isCustomsAnswer(answer)) ||
      before.node.returnStatus === '3' ||
      reachedCustoms(before.node))
  );
}

/**
 * Whether a refusal of the inventory, order, payment or waybill comes after customs released the inventory: a
 * released inventory cannot be changed (the catalogue's -621012/-621043: 已放行的清单不能改单; after release only a
 * cancel, CEB623, or a return, CEB625, touches it), and customs releases it only once it matched the other three,
 * none of which can be changed after it (table 7-2's -301011 该订单已申报清单 refuses an order once its inventory is
 * declared; a released inventory's order or payment is refused as 对应清单已放行, the catalogue's 22007). So the
 * refusal, whatever its code, is of a later message, the documents customs released on stand, and the parcel is
 * released, as customs' system keeps showing 放行: it read `rejected`, inviting a new declaration of a parcel that has
 * left. A delivery status (CEB514) is declared after the release and is no such document.
 */
function refusedAfterRelease(r: TimelineItem, releasedBefore: boolean, releasedAt: ReadonlySet<number>): boolean {
  const { document } = r.node;
  if (!isFailure(r.node)) return false;
  // (the inventory's own receipts of one instant are read in their order, a code before customs' steps: a refusal
  // there came before the release)
  if (document === 'inventory') return releasedBefore;
  return (
    (document === 'order' || document === 'payment' || document === 'logistics') &&
    (releasedBefore || releasedAt.has(r.ms))
  );
}

/** Whether a receipt is customs' own (100 退单 or later, a status of its receipt type), not one of the E-Port's steps. */
function isCustomsReceipt(r: TimelineItem): boolean {
  const st = r.node.returnStatus ?? '';
  return /^\d{3}$/.test(st) && Number(st) >= 100 && statusEntry(r.node) !== undefined;
}

/**
 * Whether a receipt is customs' answer to a declaration that stands: a status of its receipt type, 120 海关入库 or
 * later in the specification's numbering (300, 399, 5xx, 700, 800, 899), not a rejection.
 */
function isCustomsAnswer(r: TimelineItem): boolean {
  return isCustomsReceipt(r) && Number(r.node.returnStatus) >= 120 && !isFailure(r.node);
}

/** The latest receipt status of each document, in the order the documents first answered. */
export function latestByDocument(t: OrderTimeline): OrderStatus['documents'] {
  const documents: OrderStatus['documents'] = {};
  for (const [document, r] of t.latest) {
    const st = r.node.returnStatus ?? '';
    const outcome = outcomeOf(r.node);
    documents[document] = { returnStatus: st, time: r.node.time, ...(outcome && { outcome }) };
  }
  return documents;
}

/**
 * Messages resent after their document was answered and refused for it (a duplicate, a change after release or
 * while customs holds the inventory, an E-Port refusal after customs' answer): the latest of each document. The
 * declaration before stands, so the order's state does not change; what was sent did not reach customs. The message
 * names the receipt that stands; after customs' answer, the fix says nothing needs sending to keep it, then gives the
 * refusal's own advice for a message that was meant to change it. A refusal the document's standing receipt came after
 * is past: the document was answered since (a return approved after a duplicate of it was refused).
 */
export function refusedResends(t: OrderTimeline): Anomaly[] {
  const latest = new Map<DocumentKind, TimelineItem>();
  for (const r of t.resendRefusals) latest.set(r.node.document, r);
  for (const [document, r] of latest) if ((t.latest.get(document)?.ms ?? -Infinity) > r.ms) latest.delete(document);
  return [...latest].map(([document, refusal]) => {
    const { node, explanation } = refusal;
    const st = node.returnStatus ?? '';
    const ex = explanation ?? explainReceipt({ returnStatus: st });
    const code = node.code ?? st;
    // (customs' 100 without a code of the catalogue is told by its status's meaning, 海关退单)
    const meaning = ex.codeMeaning ?? explainCode(code) ?? (isCustomsReceipt(refusal) ? ex.statusMeaning : undefined);
    const beside = codeBesideStatus(node);
    const codeText = beside !== undefined ? ` [Code:${beside}]` : '';
    const what = `${node.messageType} 回执 ${st}${codeText}`;
    const whatEn = `${node.messageType} receipt ${st}${codeText}`;
    const stood = t.stoodBefore.get(refusal);
    const stoodMeaning = stood && statusEntry(stood.node);
    const stoodText = stood && {
      zh: `${stood.node.returnStatus}（${stoodMeaning?.zh ?? '未知状态'}，${stood.node.time}）`,
      en: `${stood.node.returnStatus} (${stoodMeaning?.en ?? 'unknown status'}, ${stood.node.time})`,
    };
    const customs = stood !== undefined && isCustomsAnswer(stood) && stoodText;
    // (a 100 海关退单 is customs' own refusal, not the E-Port's)
    const byCustoms = isCustomsReceipt(refusal);
    return {
      kind: 'resend-refused' as const,
      document,
      message: customs
        ? msg(
            `${what}（${meaning?.zh ?? code}）：${byCustoms ? '海关退回' : '电子口岸拒收'}的只是这条较晚的报文；海关此前对该申报的回执 ${customs.zh}不变`,
            `${whatEn} (${meaning?.en ?? code}): ${byCustoms ? 'customs' : 'the E-Port'} refused only this later message; customs' earlier answer to the declaration, ${customs.en}, stands`,
          )
        : msg(
            `${what}（${meaning?.zh ?? code}）：重发的报文被拒，此前的申报不变${stoodText ? `：${stoodText.zh}` : ''}`,
            `${whatEn} (${meaning?.en ?? code}): the message sent again was refused; the declaration before it stands${stoodText ? `: ${stoodText.en}` : ''}`,
          ),
      since: node.time,
      code,
      ...(ex.fix && {
        fix: customs
          ? msg(
              `海关对该申报的决定不变，不必为维持它而重发。若这条报文本是要变更该申报，拒收原因的处理建议：${ex.fix.zh}`,
              `Customs' decision on the declaration stands; nothing needs sending again to keep it. If this message was meant to change the declaration, the refusal's own advice: ${ex.fix.en}`,
            )
          : ex.fix,
      }),
    };
  });
}

/** Documents whose latest receipt says they failed, with the `[Code:…]` reason and the catalogue's fix. */
export function rejections(t: OrderTimeline): Anomaly[] {
  const out: Anomaly[] = [];
  for (const [document, { node, explanation }] of t.latest) {
    const st = node.returnStatus ?? '';
    if (!isFailure(node)) continue;
    const ex = explanation ?? explainReceipt({ returnStatus: st });
    const beside = codeBesideStatus(node);
    const reason = beside !== undefined ? `[Code:${beside}] ${node.desc ?? ''}`.trim() : (node.desc ?? '');
    out.push({
      kind: 'rejected',
      document,
      message: msg(
        `${node.messageType} 回执状态 ${st}（${ex.statusMeaning?.zh ?? '未知状态'}）：${reason}`,
        `${node.messageType} receipt status ${st} (${ex.statusMeaning?.en ?? 'unknown status'}): ${reason}`,
      ),
      since: node.time,
      ...(node.code !== undefined && { code: node.code }),
      ...(ex.fix && { fix: ex.fix }),
    });
  }
  return out;
}

/**
 * Documents whose latest receipt has a status the receipt catalogue does not know, or knows only of other receipts
 * (`other-receipt-status`: 800 放行 on an order receipt; the message specification lists each receipt's statuses): the
 * order's state cannot be read from it (it stays `pending`), and it may hide an earlier rejection, so the anomaly names
 * the last status that is known.
 */
export function unknownStatuses(t: OrderTimeline): Anomaly[] {
  const out: Anomaly[] = [];
  const unknown = (r: TimelineItem) => statusEntry(r.node) === undefined;
  for (const [document, latest] of t.latest) {
    if (!unknown(latest)) continue;
    // The document's last receipt whose status is known, and what that status means.
    let before: TimelineItem | undefined;
    let known: ReturnType<typeof explainStatus>;
    for (const r of t.receipts) {
      if (r.node.document !== document) continue;
      const meaning = statusEntry(r.node);
      if (meaning === undefined) continue;
      before = r;
      known = meaning;
    }
    // Each unknown status of the latest's instant (two at once were one anomaly, of the one read last).
    const atOnce = t.receipts.filter(
      (r) =>
        r === latest ||
        (r.node.document === document && r.ms === latest.ms && unknown(r) && !t.resendRefusals.includes(r)),
    );
    const earlier = msg(
      before && known
        ? `此前已知的状态为 ${before.node.returnStatus}（${known.zh}，${before.node.time}）`
        : '此前没有已知状态的回执',
      before && known
        ? `the last known status was ${before.node.returnStatus} (${known.en}, ${before.node.time})`
        : 'no earlier receipt has a known status',
    );
    for (const { node, explanation } of atOnce) {
      const st = node.returnStatus ?? '';
      const beside = codeBesideStatus(node);
      // (a code that is the status itself is not written again, but the Desc beside it still is: customs' words)
      const reason =
        node.code === undefined
          ? ''
          : `${beside !== undefined ? ` [Code:${beside}]` : ''} ${node.desc ?? ''}`.trimEnd();
      const other = explanation?.otherReceipts;
      const mt = node.messageType;
      out.push({
        kind: 'unknown-status',
        document,
        ...(other && { rule: 'other-receipt-status' }),
        message: other
          ? msg(
              `${mt} 回执状态 ${st}（${other.meaning.zh}）不是 ${mt} 的回执状态：回执状态表只对 ${other.receipts.join('、')} 列出该状态${reason}；${earlier.zh}`,
              `${mt} receipt status ${st} (${other.meaning.en}) is no status of a ${mt}: the receipt catalogue lists it for ${other.receipts.join(', ')} only${reason}; ${earlier.en}`,
            )
          : msg(
              `${mt} 回执状态 ${st || '（空）'} 不在回执状态表中${reason}；${earlier.zh}`,
              `${mt} receipt status ${st || '(empty)'} is not in the receipt catalogue${reason}; ${earlier.en}`,
            ),
        fix:
          other && explanation?.fix
            ? explanation.fix
            : msg(
                '向申报地海关或数据中心询问该状态的含义；在弄清之前，不要把该单据当作已放行或已退回处理',
                'Ask the declaring customs office or the data centre what this status means; until then treat the document as neither released nor rejected',
              ),
        since: node.time,
        ...(node.code !== undefined && { code: node.code }),
      });
    }
  }
  return out;
}

/**
 * Tax bills whose latest status (CEB816 or CEB818, by taxNo) is none the specification gives a bill (1 已生成, 2 已汇总,
 * 3 作废): reconciliation notes such a bill (bill-status-unknown), since it may be void; here it was shown without a word.
 * The order's state does not change (a bill never changes it).
 */
export function unknownTaxBillStatuses(t: OrderTimeline): Anomaly[] {
  const latest = new Map<string, TimelineNode>();
  for (const { node } of t.items) if (node.event === 'tax-bill') latest.set(node.taxBill?.taxNo ?? '', node);
  const out: Anomaly[] = [];
  for (const node of latest.values()) {
    const st = node.taxBill?.status ?? '';
    if (explainTaxBillStatus(st) !== undefined) continue;
    const bill = node.taxBill?.taxNo ?? '';
    out.push({
      kind: 'unknown-status',
      document: 'taxBill',
      rule: 'tax-bill-status',
      message: msg(
        `${node.messageType} 税单${bill && ` ${bill}`} 的状态 ${st || '（空）'} 不在税单状态表中（1 已生成、2 已汇总、3 作废）：该税单可能已作废`,
        `${node.messageType} tax bill${bill && ` ${bill}`} has status ${st || '(empty)'}, none of a tax bill's (1 generated, 2 summarised, 3 void): the bill may be void`,
      ),
      fix: msg(
        '向申报地海关核实该税单的状态；在弄清之前，不要把它当作有效或已作废的税单',
        'Ask the declaring customs office for the state of this bill; until then treat it as neither standing nor void',
      ),
      since: node.time,
    });
  }
  return out;
}

/** A release (not cancelled, refunded or shipped back) with no delivery status more than `deliveryMs` later. */
export function noDeliveryStatus(t: OrderTimeline, now: number, deliveryMs: number): Anomaly | undefined {
  const { release } = t;
  if (!release || t.deliveries.length || t.cancelApproved || t.refundApproved || t.shippedBack) return;
  if (!Number.isFinite(release.ms)) return;
  if (now - release.ms <= deliveryMs) return;
  const days = Math.floor((now - release.ms) / 86400_000);
  return {
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
  };
}

/** Sent documents without any receipt of their kind more than `ackMs` later. */
export function notAcknowledged(t: OrderTimeline, now: number, ackMs: number): Anomaly[] {
  const out: Anomaly[] = [];
  for (const it of t.items) {
    if (it.node.event !== 'sent' || !Number.isFinite(it.ms)) continue;
    const document = it.node.document;
    // (a billed inventory arrived, whatever receipts are at hand)
    if (document === 'inventory' && t.billed) continue;
    if (t.receipts.some((r) => r.node.document === document) || now - it.ms <= ackMs) continue;
    const hours = Math.floor((now - it.ms) / 3600_000);
    out.push({
      kind: 'not-acknowledged',
      document,
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
  return out;
}

function inconsistent(rule: string, zh: string, en: string, since: string): Anomaly {
  return {
    kind: 'inconsistent',
    document: 'inventory',
    rule,
    message: msg(zh, en),
    fix: msg(
      '向申报地海关核实该清单的实际状态，并核对回执是否属于同一清单',
      'Ask the declaring customs office for the real state of this inventory, and check that the receipts belong to the same inventory',
    ),
    since,
  };
}

/** An inventory released after its cancel was approved. */
export function releasedAfterCancel(t: OrderTimeline): Anomaly | undefined {
  const cancel = t.cancelApproved;
  if (!cancel) return;
  const release = t.receipts.find(
    (r) => r.node.document === 'inventory' && isRelease(r.node.returnStatus) && r.ms > cancel.ms,
  );
  if (!release) return;
  return inconsistent(
    'released-after-cancel',
    `撤销申请已于 ${cancel.node.time} 审核通过，清单却于 ${release.node.time} 放行`,
    `The cancel was approved at ${cancel.node.time}, yet the inventory was released at ${release.node.time}`,
    release.node.time,
  );
}

/** A refund approved for an inventory without a release receipt. */
export function refundWithoutRelease(t: OrderTimeline): Anomaly | undefined {
  const refund = t.refundApproved;
  if (!refund || t.release) return;
  return inconsistent(
    'refund-without-release',
    `退货申请已于 ${refund.node.time} 审核通过，但没有清单放行回执`,
    `The refund was approved at ${refund.node.time}, but there is no inventory release receipt`,
    refund.node.time,
  );
}

/**
 * Two or more orders in one group: their documents share a copNo, logisticsNo, invtNo, preNo or payTransactionId, so
 * receipts that name only that key cannot be told apart (one timeline shows both orders' documents).
 */
export function ordersShareKeys(orderNos: readonly string[], t: OrderTimeline): Anomaly | undefined {
  if (orderNos.length < 2) return;
  const list = orderNos.join(', ');
  const first = t.items.find((i) => Number.isFinite(i.ms));
  return {
    kind: 'inconsistent',
    document: 'order',
    rule: 'orders-share-keys',
    message: msg(
      `订单 ${list} 共用清单编号、运单号或支付交易号，其回执无法区分`,
      `Orders ${list} share an inventory, waybill or payment number, so their receipts cannot be told apart`,
    ),
    fix: msg(
      '每个订单须有自己的清单企业内部编号（copNo）、运单号（logisticsNo）和支付交易号（payTransactionId）：核对申报数据',
      'Each order needs its own copNo, logisticsNo and payTransactionId: check the declarations',
    ),
    ...(first !== undefined && { since: first.node.time }),
  };
}

/**
 * Documents whose latest receipt has no time (no returnTime, or one that is no time) while other receipts of the document
 * have one: it is sorted last, so it decides the document's state, but whether customs gave it last is not known.
 */
export function untimedLatest(t: OrderTimeline): Anomaly[] {
  const out: Anomaly[] = [];
  for (const [document, r] of t.latest) {
    if (Number.isFinite(r.ms)) continue;
    if (!t.receipts.some((o) => o !== r && o.node.document === document && Number.isFinite(o.ms))) continue;
    const st = r.node.returnStatus ?? '';
    out.push({
      kind: 'inconsistent',
      document,
      rule: 'untimed-receipt',
      message: msg(
        `${r.node.messageType} 回执 ${st} 没有可读的回执时间（returnTime），排在最后并决定了该单据的状态，但无法确定它是否为海关最后的回执`,
        `${r.node.messageType} receipt ${st} has no returnTime that can be read: it is sorted last and decides the document's state, but whether customs gave it last is not known`,
      ),
      fix: msg(
        '核对该回执的原始报文和 returnTime；以海关最后给出的回执为准',
        "Check that receipt's original message and its returnTime; the receipt customs gave last is the one that counts",
      ),
    });
  }
  return out;
}

/** A delivery status earlier than the release. */
export function deliveredBeforeRelease(t: OrderTimeline): Anomaly | undefined {
  const { release } = t;
  const early = release && t.deliveries.find((d) => Number.isFinite(d.ms) && d.ms < release.ms);
  if (!release || !early) return;
  return inconsistent(
    'delivered-before-release',
    `运单签收状态（${early.node.time}）早于清单放行（${release.node.time}）`,
    `The delivery status (${early.node.time}) is earlier than the inventory release (${release.node.time})`,
    early.node.time,
  );
}

/** The return window of a timed release, under the policy `windowOf` gives for its Beijing date. */
export function returnWindowOf(t: OrderTimeline, windowOf: (releaseDate: string) => ReturnWindowPolicy | undefined) {
  const { release } = t;
  return release && Number.isFinite(release.ms) ? releaseDeadlines(new Date(release.ms), windowOf) : undefined;
}

/**
 * A return applied for after the window (the CEB625 sent, else the first receipt customs gave
 * it), or else approved after the arrival deadline: no tax waived, no quota given back.
 */
export function lateReturn(t: OrderTimeline, window: ReturnType<typeof returnWindowOf>): Anomaly | undefined {
  const { release, refundApproved } = t;
  if (!release || !window) return;
  const applyBy = beijingIso(window.applyBy.getTime());
  const arriveBy = beijingIso(window.arriveBy.getTime());
  const late = (rule: string, zh: string, en: string, since: string): Anomaly => ({
    kind: 'late-return',
    document: 'refund',
    rule,
    message: msg(zh, en),
    fix: msg(
      `退货须在清单放行之日起${window.policy.applyDays}日内申请、${window.policy.arriveDays}日内运抵原监管作业场所、特殊监管区域或保税物流中心，超期的退货不免征税款、不调整年度交易额度；向海关核实该退货的审核结果，超期的按已征税处理`,
      `A return must be applied for within ${window.policy.applyDays} days of the release and be back in the original site, zone or centre within ${window.policy.arriveDays} days; a late return neither waives the tax nor gives the annual quota back. Ask customs how the return was decided, and treat a late one as taxed`,
    ),
    since,
  });
  const applied = t.items.find(
    (i) => i.node.document === 'refund' && Number.isFinite(i.ms) && (i.node.event === 'sent' || !isFailure(i.node)),
  );
  if (applied && applied.ms > window.applyBy.getTime())
    return late(
      'applied-after-window',
      `退货申请（${applied.node.messageType}，${applied.node.time}）晚于申请期限 ${applyBy}（清单 ${release.node.time} 放行）`,
      `The return (${applied.node.messageType} at ${applied.node.time}) came after the application deadline ${applyBy} (inventory released ${release.node.time})`,
      applied.node.time,
    );
  if (refundApproved && Number.isFinite(refundApproved.ms) && refundApproved.ms > window.arriveBy.getTime())
    return late(
      'approved-after-arrival-deadline',
      `退货审核通过回执（${refundApproved.node.time}）晚于运抵期限 ${arriveBy}（清单 ${release.node.time} 放行）`,
      `The return was approved (${refundApproved.node.time}) after the arrival deadline ${arriveBy} (inventory released ${release.node.time})`,
      refundApproved.node.time,
    );
}

/**
 * Documents that ask something of an inventory customs already holds (cancel it, take it back,
 * note its delivery). Their rejection is an anomaly of its own, but the goods stay where the
 * declarations left them: a refused cancel of a released parcel leaves it released, and calling
 * the order `rejected` would invite declaring it again.
 */
const REQUESTS: ReadonlySet<string> = new Set(['cancel', 'refund', 'logisticsStatus']);

/** The order's state from the latest receipt of each document. */
export function stateOf(t: OrderTimeline, documents: OrderStatus['documents']): OrderState {
  // (an approved cancel is final, whatever a later cancel message got; not once the inventory is declared again)
  if (t.cancelApproved) return 'cancelled';
  // (any return approved: a later return of the same inventory that customs refused takes none of it back)
  if (t.refundApproved) return 'refunded';
  // 退运 is final (the catalogue's outcome), but the goods leave: neither accepted nor released.
  if (t.shippedBack) return 'returned';
  const latest = Object.entries(documents)
    .filter(([kind]) => !REQUESTS.has(kind))
    .map(([, d]) => d);
  if (latest.some((d) => d.outcome === 'rejected' || d.outcome === 'failed')) return 'rejected';
  if (t.release && t.deliveries.length) return 'delivered';
  if (t.release) return 'released';
  if (documents.inventory?.outcome === 'held') return 'held';
  // (a bill is customs' answer, so a billed order is no longer only sent; what customs did is not told: pending)
  if (!t.receipts.length) return !t.billed && t.items.some((i) => i.node.event === 'sent') ? 'sent' : 'pending';
  if (latest.length && latest.every((d) => d.outcome === 'accepted' || d.outcome === 'final')) return 'accepted';
  return 'pending';
}

/** What `sandan status` says of an order that shares a number with this one (text and page alike). */
export function relatedMessage(r: RelatedGroup): Message {
  const { value, here, there } = r.shared;
  return msg(
    `订单 ${r.order}（${r.state}）的 ${there} 与本订单的 ${here} 同为 ${value}：可能是同一包裹的单据：仅凭回执按各自编号分组，一并给出清单申报（CEB621，两个编号都有）即可合并`,
    `${r.order} (state ${r.state}) has ${value} as its ${there}, which is this order's ${here}: likely one parcel's documents: receipts alone group by their own numbers; the inventory's declaration (CEB621, which names both) joins them`,
  );
}
