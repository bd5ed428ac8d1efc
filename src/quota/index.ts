/**
 * The quota ledger: each buyer's annual CBEC quota, with reservations, commits, releases
 * and refunds, in memory here; SQLite and PostgreSQL stores live behind the subpaths
 * `sandan/quota/sqlite` and `sandan/quota/postgres` so that their drivers load only when used.
 */
export * from './types.js';
export {
  balanceOf,
  beijingDate,
  beijingYear,
  buyerKeyOf,
  countedOf,
  parseInstant,
  planCommit,
  planRefund,
  planRelease,
  planReserve,
  toAmount,
  type QuotaAmountInput,
  type QuotaBalance,
  type QuotaInstant,
  type QuotaPlan,
  type QuotaRefusal,
  type QuotaResult,
  type ReserveFacts,
} from './core.js';
export { QuotaLedger, defaultQuotaPolicy, type QuotaLedgerOptions, type ReserveOptions } from './ledger.js';
export { MemoryQuotaStore } from './memory.js';
export { applyReceipt, applyReceipts, receiptAction, type QuotaReceipt, type ReceiptOutcome } from './receipts.js';
export { quotaSnapshot, validateWithQuota, type QuotaValidationResult } from './validate.js';
export { annualLimit, orderQuotaAmount, type QuotaSnapshot } from '../rules/families/quota.js';
export { quotaReceiptsOf } from './from-xml.js';
