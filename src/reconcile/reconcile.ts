import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { untilAborted } from './abort.js';
import type { TaxCalculation } from '../rules/tax-calculator.js';
import type { TaxFigures } from '../tax/compute.js';
import {
  declarationFacts,
  joinRequest,
  orphanRow,
  type DeclarationFacts,
  type DeclarationRecord,
  type JoinAnswer,
  type JoinRequest,
} from './facts.js';
import type { MismatchEntryJSON, ReconcileRowJSON } from './json.js';
import { declarationRowBatch, rowBatchOf, type RowBatch } from './rows.js';
import { billRecordOf, documentRecord, type DocumentRecord } from './records.js';
import type { ScannedDocument } from './scan.js';
import { MemoryStore, type BillRecord, type FinalRecord, type ReceiptLink, type ReconcileStore } from './store.js';
import { CellTotals } from './totals.js';
import type { InventoryReceipt, ReconcileRow, ReconcileSummary, TaxBill, TaxBillStatus } from './types.js';

type Source<T> = Iterable<T> | AsyncIterable<T>;

/** What reconciliation reads. Every source is read once, in this order: documents, bills, statuses, receipts, then declarations. */
export interface ReconcileInputs {
  /** Declarations: plain values or {@link DeclarationRecord}s (e.g. from the CLI's NDJSON reader). */
  declarations: Source<unknown>;
  /** Scanned or parsed CEB documents of any type; CEB816/818/622/624/626 are used, others are counted and skipped. */
  documents?: Source<ScannedDocument | { messageType: string; fields: Record<string, unknown>; items?: unknown[] }>;
  bills?: Source<TaxBill>;
  billStatuses?: Source<TaxBillStatus>;
  receipts?: Source<InventoryReceipt>;
}

/**
 * Progress of a long run, by phase. `done` counts items (`unit: 'items'`), or bytes of the
 * input files read when their size is known (`unit: 'bytes'`, with the `total`): enough for a
 * percentage and an estimate of the time left.
 */
export interface ReconcileProgress {
  phase: 'documents' | 'declarations' | 'bills-without-declaration';
  /** Items or bytes done in this phase. */
  done: number;
  /** What `done` will reach, when known. */
  total?: number | undefined;
  unit: 'items' | 'bytes';
  /** Items (documents, declarations, bills) done in this phase, whatever the unit. */
  count: number;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /** Computes a declaration's tax, e.g. `createTaxCalculator({ rates, explain: false })`. */
  calculate: (input: unknown) => TaxCalculation<TaxFigures>;
  /** Where the join index and the rows live (default: a new MemoryStore). Close it after reading the report. */
  store?: ReconcileStore;
  /** A difference up to this amount (per tax kind) still matches (default 0). */
  tolerance?: Decimal.Value;
  /** Called every `progressEvery` items (default 10,000) of each phase. */
  onProgress?: (p: ReconcileProgress) => void;
  progressEvery?: number;
  /** Cancels the run between items: the promise rejects with the signal's reason (the store is the caller's to close). */
  signal?: AbortSignal;
}

/** The result: the summary in memory, the rows and mismatches read back from the store. */
export interface ReconcileReport {
  summary: ReconcileSummary;
  /** The rows in input order (declarations, then bills without declaration). */
  rows(): Iterable<ReconcileRowJSON>;
  /** The rows as JSON texts (what {@link rows} parses), for writers that pass them through. */
  rowTexts(): Iterable<string>;
  /** The same texts in blocks of several rows joined by line breaks (rows never contain one). */
  rowBlocks(): Iterable<string>;
  /** The mismatches, largest absolute amount first. */
  mismatches(): Iterable<MismatchEntryJSON>;
  /** Problems with input documents (first 100), e.g. a tax bill without invtNo. */
  problems: string[];
}

/** Documents are stored in batches of this many records, declarations joined in batches of this many. */
export const RECONCILE_BATCH = 1000;

/**
 * One reconciliation run over a store: documents go in first (buffered and stored in
 * batches), then declaration facts in input order (joined and decided in batches), then
 * {@link finish} reports the bills nobody declared and the summary. Synchronous and free of
 * I/O; `reconcile()` drives it from iterables, `reconcileFiles()` from worker threads.
 */
export class ReconcileRun {
  private readonly tolerance: Decimal;
  private readonly problems: string[] = [];
  private readonly inputs = {
    declarations: 0,
    bills: 0,
    duplicateBills: 0,
    billStatuses: 0,
    receipts: 0,
    skippedDocuments: 0,
    unreadableDocuments: 0,
  };
  private readonly cells = new CellTotals();
  private bills: BillRecord[] = [];
  private voided: string[] = [];
  private links: ReceiptLink[] = [];
  private finals: FinalRecord[] = [];
  private pending = 0;
  private documentsDone = false;

  constructor(
    private readonly store: ReconcileStore,
    options: { tolerance?: Decimal.Value | undefined } = {},
  ) {
    this.tolerance = new Dec(options.tolerance ?? 0);
  }

  /** Notes a problem with an input (the first 100 are kept). */
  problem(p: string): void {
    if (this.problems.length < 100) this.problems.push(p);
  }

  /** Adds what one document contributes. */
  addDocument(r: DocumentRecord): void {
    switch (r.kind) {
      case 'bill':
        this.addBill(r.bill);
        break;
      case 'status':
        this.addBillStatus(r.status);
        break;
      case 'receipt':
        this.addReceipt(r.receipt);
        break;
      case 'unreadable':
        this.inputs.unreadableDocuments++;
        this.problem(r.problem);
        break;
      case 'skipped':
        this.inputs.skippedDocuments++;
        break;
    }
  }

  addBill(b: BillRecord): void {
    this.inputs.bills++;
    this.bills.push(b);
    this.buffered();
  }

  /** Adds bills given as JSON text of tuples (see {@link ReconcileStore.addBillTuples}), after what is buffered. */
  addBillTuples(json: string, count: number): void {
    if (count === 0) return;
    this.flushDocuments();
    this.inputs.bills += count;
    this.inputs.duplicateBills += this.store.addBillTuples(json, count);
  }

  addBillStatus(s: TaxBillStatus): void {
    this.inputs.billStatuses++;
    if (s.status === '3') this.voided.push(s.taxNo), this.buffered();
  }

  addReceipt(r: InventoryReceipt): void {
    this.inputs.receipts++;
    if (r.type === 'CEB622' && r.invtNo) {
      if (r.copNo) this.links.push({ kind: 'copNo', key: r.copNo, invtNo: r.invtNo });
      if (r.preNo) this.links.push({ kind: 'preNo', key: r.preNo, invtNo: r.invtNo });
    }
    // 399 = customs concluded: the cancel or the refund is approved (a refund's time is checked against its release's return window).
    if (r.returnStatus === '399' && r.type !== 'CEB622')
      this.finals.push({
        kind: r.type === 'CEB624' ? 'cancel' : 'refund',
        keys: { copNo: r.copNo, preNo: r.preNo, invtNo: r.invtNo },
        at: r.returnTime,
      });
    if (r.type === 'CEB622' && r.invtNo && (r.returnStatus === '800' || r.returnStatus === '899'))
      this.finals.push({ kind: 'release', keys: { invtNo: r.invtNo }, at: r.returnTime });
    this.buffered();
  }

  private buffered(): void {
    if (++this.pending >= RECONCILE_BATCH) this.flushDocuments();
  }

  private flushDocuments(): void {
    if (this.bills.length) this.inputs.duplicateBills += this.store.addBills(this.bills);
    if (this.voided.length) this.store.addVoided(this.voided);
    if (this.links.length) this.store.addLinks(this.links);
    if (this.finals.length) this.store.addFinals(this.finals);
    this.bills = [];
    this.voided = [];
    this.links = [];
    this.finals = [];
    this.pending = 0;
  }

  /** Stores what is still buffered; the documents are all in from here on. */
  private endDocuments(): void {
    if (this.documentsDone) return;
    this.flushDocuments();
    this.documentsDone = true;
  }

  /** Looks a batch of declarations up in the index (in input order; the documents must all be in). */
  join(facts: readonly DeclarationFacts[]): Array<JoinAnswer | undefined> {
    return this.joinRequests(facts.map(joinRequest));
  }

  /** Looks up requests (as a worker thread sends them) in the index, in input order. */
  joinRequests(requests: ReadonlyArray<JoinRequest | undefined>): Array<JoinAnswer | undefined> {
    this.endDocuments();
    return this.store.join(requests);
  }

  /** Spools a batch of decided declaration rows (in input order). */
  addDeclarationRows(batch: RowBatch): void {
    this.inputs.declarations += batch.rows.length;
    this.spool(batch);
  }

  /** Reconciles a batch of declarations (their facts, in input order) in this thread. */
  addDeclarations(facts: readonly DeclarationFacts[]): void {
    this.addDeclarationRows(declarationRowBatch(facts, this.join(facts), this.tolerance));
  }

  private spool(batch: RowBatch): void {
    this.cells.merge(batch.cells);
    this.store.putRows(batch.rows);
    if (batch.mismatches.length) this.store.putMismatches(batch.mismatches);
  }

  /** Reports the bills nobody declared and returns the report (read it before closing the store). */
  finish(onProgress?: (count: number) => void, every = 10_000): ReconcileReport {
    this.endDocuments();
    let orphans = 0;
    let batch: ReconcileRow[] = [];
    for (const group of this.store.unclaimedBills()) {
      if (++orphans % every === 0) onProgress?.(orphans);
      batch.push(orphanRow(group));
      if (batch.length === RECONCILE_BATCH) this.spool(rowBatchOf(batch)), (batch = []);
    }
    this.spool(rowBatchOf(batch));
    const totals = this.cells.result();
    const byKey = <T>(m: Map<string, T>) =>
      Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const summary: ReconcileSummary = {
      ...totals.all,
      byMonth: byKey(totals.byMonth),
      byDistrict: byKey(totals.byDistrict),
      inputs: { ...this.inputs },
    };
    const store = this.store;
    return {
      summary,
      problems: this.problems,
      *rows() {
        for (const j of store.rows()) yield JSON.parse(j) as ReconcileRowJSON;
      },
      rowTexts: () => store.rows(),
      rowBlocks: () => store.rowBlocks(),
      *mismatches() {
        for (const m of store.mismatches())
          yield {
            orderNo: m.orderNo,
            invtNo: m.invtNo ?? null,
            kind: m.kind as MismatchEntryJSON['kind'],
            amount: m.amount,
          };
      },
    };
  }
}

/** The items of a source, stopping when the signal is aborted (see untilAborted). */
async function* each<T>(src: Source<T> | undefined, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (src === undefined) signal?.throwIfAborted();
  else if (signal) yield* untilAborted(src, signal);
  else yield* src as AsyncIterable<T>;
}

function asRecord(item: unknown): DeclarationRecord {
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    if (('issue' in o || 'value' in o) && ('line' in o || 'mode' in o)) return o as DeclarationRecord;
  }
  return { value: item };
}

/**
 * Reconciles declarations against customs tax bills: links each order to its bills through
 * `inventory.invtNo` or the CEB622 receipts (copNo/preNo → invtNo), computes its tax with
 * `options.calculate`, and reports per order the declared, computed and billed tax with the
 * differences and a status; then reports bills no declaration reached. Bad documents and
 * declarations become rows or problems, never throws. Memory is bounded by the store: use the
 * SQLite store for inputs that do not fit in memory, and `reconcileFiles()` to spread the work
 * over worker threads.
 */
export async function reconcile(inputs: ReconcileInputs, options: ReconcileOptions): Promise<ReconcileReport> {
  const run = new ReconcileRun(options.store ?? new MemoryStore(), { tolerance: options.tolerance });
  const every = options.progressEvery ?? 10_000;
  const { signal } = options;
  let seen = 0;
  for await (const d of each(inputs.documents, signal)) {
    if (++seen % every === 0) options.onProgress?.({ phase: 'documents', done: seen, unit: 'items', count: seen });
    run.addDocument(documentRecord(d));
  }
  for await (const b of each(inputs.bills, signal)) run.addBill(billRecordOf(b));
  for await (const s of each(inputs.billStatuses, signal)) run.addBillStatus(s);
  for await (const r of each(inputs.receipts, signal)) run.addReceipt(r);

  let batch: DeclarationFacts[] = [];
  let count = 0;
  for await (const item of each(inputs.declarations, signal)) {
    if (++count % every === 0) options.onProgress?.({ phase: 'declarations', done: count, unit: 'items', count });
    batch.push(declarationFacts(asRecord(item), options.calculate));
    if (batch.length === RECONCILE_BATCH) run.addDeclarations(batch), (batch = []);
  }
  run.addDeclarations(batch);
  signal?.throwIfAborted();
  return run.finish(
    (n) => options.onProgress?.({ phase: 'bills-without-declaration', done: n, unit: 'items', count: n }),
    every,
  );
}
