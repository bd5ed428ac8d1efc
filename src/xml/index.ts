export {
  CEB_NS,
  DS_NS,
  DXP_NS,
  contentModel,
  documentLayout,
  type CebSchema,
  type DocumentLayout,
  type LeafKind,
  type Particle,
} from './content-model.js';
export * from './other-documents.js';
export {
  invtCancelOf,
  invtRefundOf,
  tryInvtCancelOf,
  tryInvtRefundOf,
  CANCEL_ISSUE_CODES,
  RETURN_ISSUE_CODES,
  type CancelIssueCode,
  type InvtCancelFill,
  type InvtCancelResult,
  type InvtRefundFill,
  type InvtRefundLine,
  type InvtRefundResult,
  type ReturnIssueCode,
  type ReturnIssueCodeInfo,
} from './applications.js';
export * from './messages.js';
export {
  buildMessage,
  buildMessageTree,
  checkDocuments,
  checkSenderProfile,
  decimalText,
  type BuildEnvironment,
  type BuildOptions,
  type BuildResult,
  type SenderProfile,
  type Subscriber,
} from './build.js';
export { serializeXml, escapeText, escapeAttr, type XNode } from './serialize.js';
export { beijingDate8, beijingDateTime14, beijingIsoDate, beijingXsDateTime } from '../time/beijing.js';
export {
  parseCebXml,
  parseDxpRep,
  documentsOf,
  toJsonValue,
  writeJsonText,
  type CebDocument,
  type CebMessage,
  type DxpEnvelope,
  type DxpResponse,
  type DxpResponseEntry,
  type DxpTransfer,
  type ParsedXml,
  type ParseNote,
  type ParseXmlOptions,
  type SignatureInfo,
} from './parse.js';
export { BEYOND_XSD, KNOWN_MISSPELLINGS, type ExtensionField, type FieldAlias } from './extensions.js';
export { DEFAULT_MAX_XML_BYTES, safeXmlText } from './safety.js';
export { parseReturnInfo, type ReturnInfo } from './return-info.js';
export { wrapDxp, unwrapDxp, type WrapDxpOptions } from './dxp.js';
export * from './receipts.js';
export {
  buildReceipt,
  formatReturnInfo,
  isReceiptType,
  RECEIPT_TYPES,
  type ReceiptBuildOptions,
  type ReceiptOf,
  type ReceiptType,
  type TaxBillBeyondXsd,
} from './receipt-build.js';
export * from '../model/generated/receipt-documents.js';
export {
  PARSE_ISSUE_CODES,
  refusedByFormatCheck,
  XML_BUILD_RULE_ID,
  XML_PARSE_RULE_ID,
  type ParseIssueCode,
  type ParseIssueCodeInfo,
} from './issues.js';
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
