import { isSandanError } from '../../errors.js';
import { parseCebXml } from '../../xml/parse.js';
import { isRecord, nonBlankText, trimmedText } from '../../model/guards.js';
import { detached } from '../../xml/core/tokenizer.js';
import { isSentType, ORDER_KEY_NAMES, type SentDocument, type SentType } from './types.js';

type SentField = Exclude<keyof SentDocument, 'messageType'>;
/** What a sent message's document is read for: its keys and platform, and when it was sent. */
const SENT_FIELDS: readonly SentField[] = [...ORDER_KEY_NAMES, 'appTime'];

/** A sent document with the named fields of `doc` (keys as written, as customs compares them; the appTime trimmed; texts copied); the order's `orderNo` and `ebpCode` when the document names none. */
function sentDocument(
  messageType: SentType,
  doc: Record<string, unknown>,
  fields: readonly SentField[],
  order: { orderNo?: string | undefined; ebpCode?: string | undefined } = {},
): SentDocument {
  const out: SentDocument = { messageType };
  for (const f of fields) {
    const v = f === 'appTime' ? trimmedText(doc[f]) : nonBlankText(doc[f]);
    // (a copy: a parsed message's texts are slices of its file, which V8 would keep whole while the document is kept)
    out[f] = v === undefined ? undefined : detached(v);
  }
  out.orderNo ??= order.orderNo;
  out.ebpCode ??= order.ebpCode;
  return out;
}

/** The sent documents of a declaration (sandan's JSON shape), with their appTime. */
export function sentFromDeclaration(input: unknown): SentDocument[] {
  const d: Record<string, Record<string, unknown> | undefined> = isRecord(input) ? (input as typeof d) : {};
  // One declaration is one order: each of its documents is its order's platform's (a waybill names
  // none; a payment naming another is the rules' finding, not another order).
  const order = {
    orderNo: nonBlankText(d.order?.orderNo),
    ebpCode: nonBlankText(d.order?.ebpCode) ?? nonBlankText(d.inventory?.ebpCode),
  };
  const parts: Array<[SentType, Record<string, unknown> | undefined, SentField[]]> = [
    ['CEB311', d.order, ['orderNo', 'appTime']],
    ['CEB411', d.payment, ['orderNo', 'payTransactionId', 'appTime']],
    ['CEB511', d.logistics, ['orderNo', 'logisticsNo', 'appTime']],
    ['CEB621', d.inventory, ['orderNo', 'logisticsNo', 'copNo', 'preNo', 'invtNo', 'appTime']],
  ];
  // (a document that is not an object is none: `"payment": "PAY"` sent no payment)
  return parts.flatMap(([type, doc, fields]) => (isRecord(doc) ? [sentDocument(type, doc, fields, order)] : []));
}

/** The sent documents of a parsed declaration message (CEB311/411/511/513/621/623/625), with their appTime. */
export function sentFromMessage(
  messageType: string,
  documents: ReadonlyArray<Record<string, unknown>>,
): SentDocument[] {
  if (!isSentType(messageType)) return [];
  return documents.map((doc) => sentDocument(messageType, doc, SENT_FIELDS));
}

/**
 * The sent documents a format-check receipt (CEB900) refused: those of the message it repeats in `oriBizMessage` (原始报文内容:
 * a CEB message, or a DxpMsg carrying one). Undefined when that is no declaration that can be read (truncated, not
 * well-formed, `Unknown`): the receipt then names no order.
 */
export function refusedByFormatCheck(fields: Record<string, unknown>): SentDocument[] | undefined {
  const text = fields.oriBizMessage;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  let parsed: ReturnType<typeof parseCebXml>;
  try {
    parsed = parseCebXml(text);
  } catch (e) {
    // (the message was refused for its form: one that cannot be read is expected here)
    if (isSandanError(e)) return undefined;
    throw e;
  }
  const msg = parsed.kind === 'dxp' ? parsed.message : parsed;
  const sent = msg ? sentFromMessage(msg.messageType, msg.documents) : [];
  return sent.length > 0 ? sent : undefined;
}
