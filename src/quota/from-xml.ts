import { nonBlankText, checkArgument } from '../model/guards.js';
import type { ParsedXml } from '../xml/parse.js';
import type { QuotaReceipt } from './receipts.js';

const KINDS = { CEB622: 'CEB622', CEB624: 'CEB624', CEB626: 'CEB626' } as const;

/**
 * The quota-relevant receipts in a parsed message (CEB622 inventory, CEB624 cancel, CEB626
 * refund receipts; a DxpMsg is unwrapped), ready for {@link applyReceipts}, with the platform
 * (ebpCode) when the receipt names it. Other messages give none.
 */
export function quotaReceiptsOf(parsed: ParsedXml): QuotaReceipt[] {
  checkArgument(parsed, 'object', 'quotaReceiptsOf', "the parsed message (parseCebXml's result)", 'QUOTA_INVALID');
  const message = parsed.kind === 'dxp' ? parsed.message : parsed;
  if (!message) return [];
  const kind = KINDS[message.messageType as keyof typeof KINDS];
  if (!kind) return [];
  return message.documents.map((d) => ({
    kind,
    orderNo: nonBlankText(d.orderNo),
    ebpCode: nonBlankText(d.ebpCode),
    copNo: nonBlankText(d.copNo),
    invtNo: nonBlankText(d.invtNo),
    returnStatus: String(d.returnStatus ?? ''),
    returnTime: nonBlankText(d.returnTime),
  }));
}
