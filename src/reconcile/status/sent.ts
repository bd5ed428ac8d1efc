import { isRecord, trimmedText } from '../../model/guards.js';
import { isSentType, type SentDocument } from './types.js';

/** The sent documents of a declaration (sandan's JSON shape), with their appTime. */
export function sentFromDeclaration(input: unknown): SentDocument[] {
  const d: Record<string, Record<string, unknown> | undefined> = isRecord(input) ? (input as typeof d) : {};
  const out: SentDocument[] = [];
  const o = d.order;
  const p = d.payment;
  const l = d.logistics;
  const i = d.inventory;
  const orderNo = trimmedText(o?.orderNo);
  if (o) out.push({ messageType: 'CEB311', orderNo, appTime: trimmedText(o.appTime) });
  if (p)
    out.push({
      messageType: 'CEB411',
      orderNo: trimmedText(p.orderNo) ?? orderNo,
      payTransactionId: trimmedText(p.payTransactionId),
      appTime: trimmedText(p.appTime),
    });
  if (l)
    out.push({
      messageType: 'CEB511',
      orderNo: trimmedText(l.orderNo) ?? orderNo,
      logisticsNo: trimmedText(l.logisticsNo),
      appTime: trimmedText(l.appTime),
    });
  if (i)
    out.push({
      messageType: 'CEB621',
      orderNo: trimmedText(i.orderNo) ?? orderNo,
      logisticsNo: trimmedText(i.logisticsNo),
      copNo: trimmedText(i.copNo),
      preNo: trimmedText(i.preNo),
      invtNo: trimmedText(i.invtNo),
      appTime: trimmedText(i.appTime),
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
    orderNo: trimmedText(doc.orderNo),
    payTransactionId: trimmedText(doc.payTransactionId),
    logisticsNo: trimmedText(doc.logisticsNo),
    copNo: trimmedText(doc.copNo),
    preNo: trimmedText(doc.preNo),
    invtNo: trimmedText(doc.invtNo),
    appTime: trimmedText(doc.appTime),
  }));
}
