/** Order status (订单异常查询): each order's timeline, state and anomalies from its receipts. */
export { type PlannedOrder, type StatusPlan, status, statusPlan, statusReceipt } from './status.js';
export { sentFromDeclaration, sentFromMessage } from './sent.js';
export {
  statusInputsOfDeclaration,
  statusInputsOfMessage,
  STATUS_INPUT_ISSUE_CODES,
  STATUS_INPUT_RULE_ID,
  type StatusInputIssueCode,
  type StatusInputs,
} from './inputs.js';
export {
  isSentType,
  isStatusReceiptType,
  type Anomaly,
  type AnomalyKind,
  type DocumentKind,
  type OrderState,
  type OrderStatus,
  type RelatedGroup,
  type SentDocument,
  type SentType,
  type StatusOptions,
  type StatusReceipt,
  type StatusReceiptType,
  type TaxBillFacts,
  type TimelineNode,
} from './types.js';
