/**
 * Reconciliation (关税对账) of declared and computed tax against the customs tax bills, and
 * order status from receipts (订单异常查询). See docs/reconcile.md.
 */
export * from './types.js';
export { CebScanner, scanCebText, isScannedType, type ScannedDocument, type ScannedType } from './scan.js';
export { toTaxBill, toBillRecord, billRecordOf, toTaxBillStatus, toInventoryReceipt, documentRecord, type Converted, type DocumentRecord } from './records.js';
export { MemoryStore, type ReconcileStore, type StoredBill, type StoredMismatch, type InventoryKeys, type BillRecord, type ReceiptLink, type FinalRecord } from './store.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export {
  declarationFacts,
  declarationRow,
  joinRequest,
  decideRow,
  orphanRow,
  monthOf,
  type DeclarationRecord,
  type DeclarationFacts,
  type JoinAnswer,
  type JoinRequest,
  type OrderFacts,
} from './facts.js';
export {
  reconcile,
  ReconcileRun,
  RECONCILE_BATCH,
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
export { reconcileFiles, defaultReconcileWorkers, type ReconcileFilesOptions } from './parallel.js';
export { declarationRowBatch, rowBatchOf, type RowBatch } from './rows.js';
export { readBatch, declarationBatches, fileDeclarationBatches, scanFileRecords, type DeclarationBatch } from './jobs.js';
