/**
 * Reconciliation (关税对账) of declared and computed tax against the customs tax bills, and
 * order status from receipts (订单异常查询). See docs/reconcile.md.
 *
 * The public part only: the engine's steps (facts, joins, row decisions, batches, totals,
 * CSV lines, record conversions) stay in their modules, where the worker and the tests import
 * them. The CLI takes only what is here (test/cli-public-api.test.ts).
 */
export * from './types.js';
export { CebScanner, scanCebText, type ScannedDocument, type ScannedType } from './scan.js';
// The store interface and the records it exchanges: enough to write another store.
export {
  MemoryStore,
  type ReconcileStore,
  type StoredBill,
  type UnclaimedBill,
  type StoredMismatch,
  type InventoryKeys,
  type BillRecord,
  billDifferences,
  type BillsAdded,
  type BillConflict,
  type BillContent,
  type BillContentField,
  type ReceiptLink,
  type FinalRecord,
  type NearMiss,
  type JoinKeyKind,
} from './store.js';
export type { DeclarationRecord, JoinAnswer, JoinRequest } from './facts.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export {
  reconcile,
  type ReconcileInputs,
  type ReconcileOptions,
  type ReconcileProgress,
  type ReconcileReport,
} from './reconcile.js';
export {
  rowToJSON,
  summaryToJSON,
  type MismatchEntryJSON,
  type ReconcileRowJSON,
  type ReconcileSummaryJSON,
  type ReconcileTotalsJSON,
  type TaxSplitJSON,
  type WaterfallJSON,
} from './json.js';
export { reportJsonChunks, reportCsvChunks, reportTextChunks } from './output.js';
export { writeReportXlsx } from './xlsx.js';
// HTML pages: pure renderers; the caller passes the ECharts source (the CLI reads echarts/dist/echarts.min.js).
export {
  renderReconcileHtml,
  type ReconcileHtmlOptions,
  type ReconcileReportJSON,
  type ReportHtmlAssets,
} from './report-html.js';
export {
  renderStatusHtml,
  statusHtmlChunks,
  statusHtmlChunksOf,
  statusJsonChunks,
  statusJsonChunksOf,
  type StatusReportJSON,
} from './status/html.js';
export * from './status/index.js';
export { reconcileBalanced } from './totals.js';
export { expandPaths, readCebDocuments, type FileDocument, type UnreadEntry } from './files.js';
export { reconcileFiles, defaultReconcileWorkers, type ReconcileFilesOptions } from './reconcile.js';
