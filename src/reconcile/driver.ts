import { isVoidTaxBillStatus } from '../xml/receipts.js';
import type { SandanError } from '../errors.js';
import { orphanRow, type JoinAnswer, type JoinRequest } from './facts.js';
import type { DeclarationBatch } from './jobs.js';
import type { MismatchEntryJSON, ReconcileRowJSON } from './json.js';
import type { DocumentRecord } from './records.js';
import type { ReconcileProgress, ReconcileReport } from './reconcile.js';
import { rowBatchOf, type RowBatch } from './rows.js';
import {
  storeFailure,
  type BillConflict,
  type BillRecord,
  type BillsAdded,
  type FinalRecord,
  type InventoryReceiptRecord,
  type ReceiptLink,
  type ReconcileStore,
} from './store.js';
import { shownKey } from './near-key.js';
import { RejectionSeeds, rejectionFinals } from './rejections.js';
import { CellTotals } from './totals.js';
import type { InventoryReceipt, ReconcileRow, ReconcileSummary } from './types.js';
import { compareCodeUnits, isApprovedReturn } from '../model/guards.js';
import { beijingMillis } from '../time/beijing.js';

/*
 * The one driver of reconciliation: documents go into the store first (in order, in batches),
 * then the declarations' rows are spooled in input order, each batch looked up in the index by
 * this thread; then the bills nobody declared and the summary. Where the heavy work (scanning
 * files, computing facts, deciding rows) runs is the executor's business: in this thread
 * (in-thread.ts) or on worker threads (pool.ts). The report does not depend on it.
 */

/** Records of documents in input order; bills may come as JSON text of tuples (from a worker). */
export interface DocumentChunk {
  bills?: { json: string; count: number } | undefined;
  records: readonly DocumentRecord[];
  /**
   * Set on the first chunk of an input (a file): the bills from this chunk on came from it, and
   * are numbered from 1 in it where a problem names them.
   */
  source?: string | undefined;
}

/** One step of a file scan: a chunk of the file's records, or its end (with why it could not be read). */
export type ScanStep = { file: number } & ({ chunk: DocumentChunk } | { done: true; error?: SandanError | undefined });

/** Looks up a batch of declarations in the index (in input order; the documents are all in). */
export type Join = (requests: ReadonlyArray<JoinRequest | undefined>) => Array<JoinAnswer | undefined>;

/** Where the work on files runs. Call `scan` before `rows`: files go first, declarations may be read ahead. */
export interface ReconcileExecutor {
  /** The files' records, file after file, each ending with `done` (and the `error` of a file that could not be read). */
  scan(files: readonly string[]): AsyncIterable<ScanStep>;
  /** The row batches of the declaration batches, in input order; `join` is called in input order too. */
  rows(batches: AsyncIterable<DeclarationBatch>, join: Join): AsyncIterable<RowBatch>;
  close(): Promise<void>;
}

/** What the driver reads: the documents, then the rows, made with the driver's join. */
interface ReconcileWork {
  documents: AsyncIterable<DocumentChunk>;
  rows: AsyncIterable<RowBatch>;
}

/** Documents are stored in batches of this many records, declarations joined in batches of this many. */
export const RECONCILE_BATCH = 1000;

/** Problems of each kind listed in the report; the others of that kind are counted in one closing line. */
const PROBLEMS_LISTED = 100;
/** Unusable documents (bills, statuses, receipts, files), declaration lines that cannot be read, voids without their bill. */
type ProblemKind = 'document' | 'declaration' | 'void';

/**
 * Runs reconciliation over the store: `plan` gets the index lookup and says where documents
 * and rows come from. `onRows` hears each spooled batch; `onProgress` the bills without declaration.
 */
export async function drive(
  store: ReconcileStore,
  plan: (join: Join) => ReconcileWork,
  options: {
    /** The declarations input as problems name it (default `inputs.declarations`): its file, or `the declarations stream`. */
    declarationsName?: string | undefined;
    signal?: AbortSignal | undefined;
    onRows?: (batch: RowBatch) => void;
    onProgress?: ((p: ReconcileProgress) => void) | undefined;
    progressEvery?: number | undefined;
  },
): Promise<ReconcileReport> {
  const run = new ReconcileRun(store, options.declarationsName ?? 'inputs.declarations');
  try {
    const work = plan((requests) => run.join(requests));
    for await (const chunk of work.documents) run.add(chunk);
    for await (const batch of work.rows) run.spool(batch, true), options.onRows?.(batch);
    options.signal?.throwIfAborted();
    return run.finish(
      (n) => options.onProgress?.({ phase: 'bills-without-declaration', done: n, unit: 'items', count: n }),
      options.progressEvery ?? 10_000,
    );
  } catch (e) {
    throw storeFailure(e, store.location);
  }
}

/** The state of one run: buffered documents, input counts, totals; synchronous and free of I/O. */
class ReconcileRun {
  private readonly problems: string[] = [];
  /**
   * Problems listed and left out, by kind: each kind has its own PROBLEMS_LISTED, so that a file of broken
   * lines cannot hide a void without its bill, and what is left out is said in one closing line per kind.
   */
  private readonly listed: Record<ProblemKind, number> = { document: 0, declaration: 0, void: 0 };
  private readonly leftOut: Record<ProblemKind, number> = { document: 0, declaration: 0, void: 0 };
  private readonly inputs = {
    declarations: 0,
    bills: 0,
    duplicateBills: 0,
    conflictingBills: 0,
    billStatuses: 0,
    receipts: 0,
    skippedDocuments: 0,
    unreadableDocuments: 0,
  };
  /** Conflicting copies of a taxNo (first 100): after the other problems, so that their order does not depend on the executor. */
  private readonly conflicts: string[] = [];
  /** Exact repeats of a taxNo (first 100), named after the conflicts; and how many more were only counted. */
  private readonly repeats: string[] = [];
  private repeatsLeftOut = 0;
  /** Where the bills came from: each input (file) with the number of its first bill, in order. */
  private readonly sources: Array<{ name: string; firstSeq: number }> = [];
  private readonly cells = new CellTotals();
  private bills: BillRecord[] = [];
  /** The number of the first bill in `bills` (bills are numbered from 1 in input order). */
  private billsFrom = 1;
  private voided: string[] = [];
  private links: ReceiptLink[] = [];
  private finals: FinalRecord[] = [];
  /** CEB622 receipts to keep in the index, and the keys of those that may refuse their inventory (see rejections.ts). */
  private inventoryReceipts: InventoryReceiptRecord[] = [];
  private readonly rejectionSeeds = new RejectionSeeds();
  private pending = 0;
  private documentsDone = false;

  constructor(
    private readonly store: ReconcileStore,
    private readonly declarationsName: string,
  ) {}

  add(chunk: DocumentChunk): void {
    if (chunk.source !== undefined) this.sources.push({ name: chunk.source, firstSeq: this.inputs.bills + 1 });
    if (chunk.bills?.count) {
      // After what is buffered: documents keep their order.
      this.flushDocuments();
      const firstSeq = this.inputs.bills + 1;
      this.inputs.bills += chunk.bills.count;
      this.added(this.store.addBillTuples(chunk.bills.json, chunk.bills.count, firstSeq));
    }
    for (const r of chunk.records) this.addDocument(r);
  }

  /** Lists a problem of a kind, or counts it as left out when the kind's PROBLEMS_LISTED are listed: `text` is made only for a listed one. */
  private problem(kind: ProblemKind, text: () => string): void {
    if (this.listed[kind] < PROBLEMS_LISTED) {
      this.listed[kind]++;
      this.problems.push(text());
    } else this.leftOut[kind]++;
  }

  private addDocument(r: DocumentRecord): void {
    switch (r.kind) {
      case 'bill':
        if (this.bills.length === 0) this.billsFrom = this.inputs.bills + 1;
        this.inputs.bills++;
        this.bills.push(r.bill);
        break;
      case 'status':
        this.inputs.billStatuses++;
        if (isVoidTaxBillStatus(r.status.status)) this.voided.push(r.status.taxNo);
        else return;
        break;
      case 'receipt':
        this.addReceipt(r.receipt);
        break;
      case 'unreadable':
        this.inputs.unreadableDocuments++;
        this.problem('document', () => r.problem);
        return;
      case 'problem':
        this.problem('document', () => r.problem);
        return;
      case 'skipped':
        this.inputs.skippedDocuments++;
        return;
    }
    if (++this.pending >= RECONCILE_BATCH) this.flushDocuments();
  }

  private addReceipt(r: InventoryReceipt): void {
    this.inputs.receipts++;
    if (r.type === 'CEB622' && r.invtNo) {
      if (r.copNo) this.links.push({ kind: 'copNo', key: r.copNo, invtNo: r.invtNo });
      if (r.preNo) this.links.push({ kind: 'preNo', key: r.preNo, invtNo: r.invtNo });
    }
    if (r.type === 'CEB622' && this.store.addInventoryReceipts) {
      const { type: _type, ...kept } = r;
      this.inventoryReceipts.push(kept);
      this.rejectionSeeds.add(kept);
    }
    // The stores keep the earliest time of a key by comparing the texts, which is their order only for real times: an
    // impossible one (hour 25, 30 February) is an unknown time, '', not the earliest that then reads as none.
    const at = Number.isNaN(beijingMillis(r.returnTime)) ? '' : r.returnTime;
    // 399 = customs concluded: the cancel or the refund is approved (a refund's time is checked against its release's return
    // window); a return may be approved by its 800 too.
    if ((r.returnStatus === '399' && r.type === 'CEB624') || (r.type === 'CEB626' && isApprovedReturn(r.returnStatus)))
      this.finals.push({
        kind: r.type === 'CEB624' ? 'cancel' : 'refund',
        keys: { copNo: r.copNo, preNo: r.preNo, invtNo: r.invtNo },
        at,
      });
    if (r.type === 'CEB622' && r.invtNo && (r.returnStatus === '800' || r.returnStatus === '899'))
      this.finals.push({ kind: 'release', keys: { invtNo: r.invtNo }, at });
  }

  /** Counts what storing bills found; a conflict becomes a problem. */
  private added(a: BillsAdded): void {
    this.inputs.duplicateBills += a.duplicates;
    this.inputs.conflictingBills += a.conflicts.length;
    for (const c of a.conflicts) if (this.conflicts.length < 100) this.conflicts.push(this.conflictProblem(c));
    for (const r of a.repeats ?? [])
      if (this.repeats.length < 100)
        this.repeats.push(
          `CEB816 taxNo ${r.taxNo} came twice: first in ${this.billPlace(r.firstSeq)}, ` +
            `again in ${this.billPlace(r.repeatSeq)}; the copies agree (inventory, order, amounts), counted once`,
        );
      else this.repeatsLeftOut++;
  }

  /** Where bill number `seq` came from: its input and its number there. */
  private billPlace(seq: number): string {
    // Inputs are few and conflicts rare: the last input that starts at or before it.
    for (let i = this.sources.length - 1; i >= 0; i--) {
      const s = this.sources[i]!;
      if (s.firstSeq <= seq) return `${s.name}, bill ${seq - s.firstSeq + 1}`;
    }
    return `bill ${seq}`;
  }

  private conflictProblem(c: BillConflict): string {
    const fields = c.differences.map((d) => `${d.field} ${d.first || '(none)'} then ${d.repeat || '(none)'}`);
    return (
      `CEB816 taxNo ${c.taxNo} came twice with different content: first in ${this.billPlace(c.firstSeq)}, ` +
      `again in ${this.billPlace(c.repeatSeq)}; ${fields.join(', ')}; the report uses the first copy`
    );
  }

  private flushDocuments(): void {
    if (this.bills.length) this.added(this.store.addBills(this.bills, this.billsFrom));
    if (this.voided.length) this.store.addVoided(this.voided);
    if (this.links.length) this.store.addLinks(this.links);
    if (this.finals.length) this.store.addFinals(this.finals);
    if (this.inventoryReceipts.length) this.store.addInventoryReceipts?.(this.inventoryReceipts);
    this.bills = [];
    this.voided = [];
    this.links = [];
    this.finals = [];
    this.inventoryReceipts = [];
    this.pending = 0;
  }

  /** Stores what is still buffered; the documents are all in from here on. */
  private endDocuments(): void {
    if (this.documentsDone) return;
    this.flushDocuments();
    // The inventories customs rejected, from the receipts now all in (nothing is read back without a refusal).
    const rejections = rejectionFinals(this.store, this.rejectionSeeds);
    if (rejections.length) this.store.addFinals(rejections);
    this.documentsDone = true;
  }

  join(requests: ReadonlyArray<JoinRequest | undefined>): Array<JoinAnswer | undefined> {
    this.endDocuments();
    return this.store.join(requests);
  }

  /** Spools decided rows (in input order): the declarations' or the bills without one. */
  spool(batch: RowBatch, declarations = false): void {
    // A declaration that could not be read is a row (not computed) and, like an unusable document, a problem.
    for (const u of batch.unreadable ?? [])
      this.problem('declaration', () => {
        const where =
          u.line === undefined
            ? `${this.declarationsName}[${this.inputs.declarations + u.row}]`
            : `${this.declarationsName}, line ${u.line}`;
        return `${where}: ${u.message}`;
      });
    if (declarations) this.inputs.declarations += batch.rows.length;
    this.cells.merge(batch.cells);
    this.store.putRows(batch.rows);
    if (batch.mismatches.length) this.store.putMismatches(batch.mismatches);
  }

  /** What a void without its bill says of the bills whose taxNo is its own but for case, white space or full-width forms. */
  private taxNoNearMiss(taxNo: string): string {
    const near = this.store.taxNoNearMisses?.(taxNo) ?? [];
    if (!near.length) return '';
    const one = near.length === 1;
    return `; near miss: the CEB816${one ? '' : 's'} of taxNo ${near.map((t) => JSON.stringify(t)).join(', ')} ${one ? 'is this one' : 'are this one'} but for case, white space or full-width forms, and ${one ? 'is' : 'are'} not voided (taxNos are compared as written)`;
  }

  /** Reports the bills nobody declared and returns the report (read it before closing the store). */
  finish(onProgress: (count: number) => void, every: number): ReconcileReport {
    this.endDocuments();
    // Counted before the bills without a declaration are spooled: those are no declarations.
    if (this.inputs.declarations === 0)
      this.problems.push(
        'No declaration was read (the declarations input is empty, or could not be used): nothing was compared with the bills',
      );
    // A void whose bill is not here: the bill may be of another month, whose totals it changes.
    // (one more than is listed: whether any is left out)
    for (const taxNo of this.store.voidsWithoutBill?.(PROBLEMS_LISTED + 1) ?? [])
      this.problem(
        'void',
        () =>
          `tax bill ${shownKey(taxNo)} is void (a CEB818 status 3), but no CEB816 of that taxNo is among the bills: if it is a bill of another month, take it out of that month's billed total${this.taxNoNearMiss(taxNo)}`,
      );
    if (this.leftOut.document)
      this.problems.push(
        `${this.leftOut.document} more documents that could not be used are not listed (summary.inputs counts them all)`,
      );
    if (this.leftOut.declaration)
      this.problems.push(`${this.leftOut.declaration} more declaration lines that could not be read are not listed`);
    if (this.leftOut.void) this.problems.push('More void tax bills whose CEB816 is not among the bills are not listed');
    let orphans = 0;
    let batch: ReconcileRow[] = [];
    for (const group of this.store.unclaimedBills()) {
      if (++orphans % every === 0) onProgress(orphans);
      batch.push(orphanRow(group, this.store.billNearMisses?.(group[0]!.invtNo)));
      if (batch.length === RECONCILE_BATCH) this.spool(rowBatchOf(batch)), (batch = []);
    }
    this.spool(rowBatchOf(batch));
    const totals = this.cells.result();
    const byKey = <T>(m: Map<string, T>) =>
      Object.fromEntries([...m.entries()].sort(([a], [b]) => compareCodeUnits(a, b)));
    const summary: ReconcileSummary = {
      ...totals.all,
      byMonth: byKey(totals.byMonth),
      byDistrict: byKey(totals.byDistrict),
      inputs: { ...this.inputs },
    };
    const store = this.store;
    return {
      summary,
      problems: [
        ...this.problems,
        ...this.conflicts,
        ...this.repeats,
        ...(this.repeatsLeftOut
          ? [`${this.repeatsLeftOut} more tax bills that came twice, the copies agreeing, are not listed`]
          : []),
      ],
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
