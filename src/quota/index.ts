/**
 * The quota ledger: each buyer's annual CBEC quota, with reservations, commits, releases
 * and refunds, in memory here; SQLite and PostgreSQL stores live behind the subpaths
 * `sandan/quota/sqlite` and `sandan/quota/postgres` so that their drivers load only when used.
 */
export * from './types.js';
// The decision functions (planReserve, planCommit, …) and time helpers in core.ts are internal:
// QuotaLedger is their one public door.
export type {
  QuotaAmountInput,
  QuotaBalance,
  QuotaInstant,
  QuotaQuantityInput,
  QuotaQuantityUse,
  QuotaRefundBasis,
  QuotaRefusal,
  QuotaResult,
  ReturnApplicationInput,
} from './core.js';
export {
  checkReturnWindow,
  returnDeadlines,
  type ReturnDeadlines,
  type ReturnWindowCheck,
  type ReturnWindowPolicy,
} from './return-window.js';
export {
  QuotaLedger,
  checkQuotaSecret,
  defaultQuotaPolicy,
  type ExcludeOrderOptions,
  type QuotaLedgerOptions,
  type RefundOptions,
  type ReserveOptions,
} from './ledger.js';
export { MemoryQuotaStore } from './memory.js';
export {
  applyReceipt,
  applyReceipts,
  type ApplyReceiptOptions,
  type QuotaReceipt,
  type ReceiptOutcome,
  type ReceiptWarning,
} from './receipts.js';
export {
  annualQuantitiesSnapshot,
  quotaSnapshot,
  validateWithQuota,
  type QuotaValidationResult,
} from './validate.js';
export { annualLimit } from '../rules/limits/annual.js';
export type { QuotaSnapshot } from '../rules/services.js';
export { quotaReceiptsOf } from './from-xml.js';
export {
  returnQuotaShare,
  type ReturnQuotaShare,
  type ReturnShareInput,
  type ReturnShareInventoryLine,
  type ReturnShareLine,
} from './return-share.js';
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
