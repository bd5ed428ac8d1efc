import { isRecord } from '../../model/guards.js';
import { isSentType, type SentDocument } from './types.js';

/** A string field, trimmed; undefined when it is not a string or blank. */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The sent documents of a declaration (sandan's JSON shape), with their appTime. */
export function sentFromDeclaration(input: unknown): SentDocument[] {
  const d: Record<string, Record<string, unknown> | undefined> = isRecord(input) ? (input as typeof d) : {};
  const out: SentDocument[] = [];
  const o = d.order;
  const p = d.payment;
  const l = d.logistics;
  const i = d.inventory;
  const orderNo = text(o?.orderNo);
  if (o) out.push({ messageType: 'CEB311', orderNo, appTime: text(o.appTime) });
  if (p)
    out.push({
      messageType: 'CEB411',
      orderNo: text(p.orderNo) ?? orderNo,
      payTransactionId: text(p.payTransactionId),
      appTime: text(p.appTime),
    });
  if (l)
    out.push({
      messageType: 'CEB511',
      orderNo: text(l.orderNo) ?? orderNo,
      logisticsNo: text(l.logisticsNo),
      appTime: text(l.appTime),
    });
  if (i)
    out.push({
      messageType: 'CEB621',
      orderNo: text(i.orderNo) ?? orderNo,
      logisticsNo: text(i.logisticsNo),
      copNo: text(i.copNo),
      preNo: text(i.preNo),
      invtNo: text(i.invtNo),
      appTime: text(i.appTime),
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
    orderNo: text(doc.orderNo),
    payTransactionId: text(doc.payTransactionId),
    logisticsNo: text(doc.logisticsNo),
    copNo: text(doc.copNo),
    preNo: text(doc.preNo),
    invtNo: text(doc.invtNo),
    appTime: text(doc.appTime),
  }));
}
