/**
 * Reconciliation (关税对账) of declared and computed tax against the customs tax bills, and
 * order status from receipts (订单异常查询). See docs/reconcile.md.
 */
export * from './types.js';
export { CebScanner, scanCebText, isScannedType, type ScannedDocument, type ScannedType } from './scan.js';
export { toTaxBill, toTaxBillStatus, toInventoryReceipt, type Converted } from './records.js';
export { MemoryStore, type ReconcileStore, type StoredBill, type StoredMismatch, type InventoryKeys } from './store.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export {
  reconcile,
  decideRow,
  orphanRow,
  monthOf,
  type DeclarationRecord,
  type OrderFacts,
  type ReconcileInputs,
  type ReconcileOptions,
  type ReconcileProgress,
  type ReconcileReport,
} from './reconcile.js';
export { emptyTotals, addToTotals, mergeTotals, CellTotals } from './totals.js';
export { money, rowToJSON, summaryToJSON, totalsToJSON, type MismatchEntryJSON, type ReconcileRowJSON, type ReconcileSummaryJSON, type ReconcileTotalsJSON, type TaxSplitJSON } from './json.js';
export { reportJsonChunks, reportCsvChunks, reportTextChunks, csvLine, CSV_COLUMNS } from './output.js';
export {
  status,
  sentFromDeclaration,
  sentFromMessage,
  beijingMillis,
  beijingIso,
  isStatusReceiptType,
  isSentType,
  type Anomaly,
  type AnomalyKind,
  type DocumentKind,
  type OrderState,
  type OrderStatus,
  type SentDocument,
  type SentType,
  type StatusOptions,
  type StatusReceipt,
  type StatusReceiptType,
  type TimelineNode,
} from './status.js';
export { expandPaths, readCebDocuments, type FileDocument } from './files.js';
