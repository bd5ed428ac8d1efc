import { isRecord, trimmedText } from '../../model/guards.js';
import { isSentType, type SentDocument, type SentType } from './types.js';

type SentField = Exclude<keyof SentDocument, 'messageType'>;
const SENT_FIELDS: readonly SentField[] = [
  'orderNo',
  'payTransactionId',
  'logisticsNo',
  'copNo',
  'preNo',
  'invtNo',
  'appTime',
];

/** A sent document with the named fields of `doc` (trimmed texts); `orderNo` when the document names none. */
function sentDocument(
  messageType: SentType,
  doc: Record<string, unknown>,
  fields: readonly SentField[],
  orderNo?: string,
): SentDocument {
  const out: SentDocument = { messageType };
  for (const f of fields) out[f] = trimmedText(doc[f]);
  out.orderNo ??= orderNo;
  return out;
}

/** The sent documents of a declaration (sandan's JSON shape), with their appTime. */
export function sentFromDeclaration(input: unknown): SentDocument[] {
  const d: Record<string, Record<string, unknown> | undefined> = isRecord(input) ? (input as typeof d) : {};
  const orderNo = trimmedText(d.order?.orderNo);
  const parts: Array<[SentType, Record<string, unknown> | undefined, SentField[]]> = [
    ['CEB311', d.order, ['orderNo', 'appTime']],
    ['CEB411', d.payment, ['orderNo', 'payTransactionId', 'appTime']],
    ['CEB511', d.logistics, ['orderNo', 'logisticsNo', 'appTime']],
    ['CEB621', d.inventory, ['orderNo', 'logisticsNo', 'copNo', 'preNo', 'invtNo', 'appTime']],
  ];
  return parts.flatMap(([type, doc, fields]) => (doc ? [sentDocument(type, doc, fields, orderNo)] : []));
}

/** The sent documents of a parsed declaration message (CEB311/411/511/513/621/623/625), with their appTime. */
export function sentFromMessage(
  messageType: string,
  documents: ReadonlyArray<Record<string, unknown>>,
): SentDocument[] {
  if (!isSentType(messageType)) return [];
  return documents.map((doc) => sentDocument(messageType, doc, SENT_FIELDS));
}
