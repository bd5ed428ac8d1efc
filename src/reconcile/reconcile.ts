import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { checkArgument, describeInput, isRecord } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { Dec } from '../model/primitives.js';
import { createTaxCalculator, type TaxCalculation } from '../rules/tax-calculator.js';
import type { TaxFigures } from '../tax/compute.js';
import { parseRateTable } from '../tax/rates.js';
import { untilAborted } from './abort.js';
import { drive, RECONCILE_BATCH, type DocumentChunk, type ReconcileExecutor } from './driver.js';
import { asRecord, declarationFacts, type DeclarationFacts } from './facts.js';
import { InThreadExecutor } from './in-thread.js';
import { declarationBatches, fileDeclarationBatches, type DeclarationBatch } from './jobs.js';
import type { MismatchEntryJSON, ReconcileRowJSON } from './json.js';
import { WorkerPool } from './pool.js';
import { billRecordOf, documentRecord, type DocumentRecord } from './records.js';
import { MAX_RECORD_BYTES, inputLayout, readDocument, tooLargeInputIssue } from '../model/json-input.js';
import type { ScannedDocument } from './scan.js';
import type { UnreadEntry } from './files.js';
import { MemoryStore, type ReconcileStore } from './store.js';
import type { InventoryReceipt, ReconcileSummary, TaxBill, TaxBillStatus } from './types.js';
import { statInputFile, statOrUndefined, unreadableFile } from '../io/walk.js';

/*
 * The reconciliation API: reconcile() over iterables in this thread, reconcileFiles() over
 * files with the work on worker threads or in this thread. Both run the one driver (driver.ts).
 */

type Source<T> = Iterable<T> | AsyncIterable<T>;

/** What reconciliation reads. Every source is read once, in this order: documents, bills, statuses, receipts, then declarations. */
export interface ReconcileInputs {
  /** Declarations: plain values or {@link DeclarationRecord}s (e.g. from the CLI's NDJSON reader). */
  declarations: Source<unknown>;
  /**
   * Scanned CEB documents of any type (from readCebDocuments(paths), or scanCebText(xml).documents for XML text in
   * memory: not parseCebXml's messages); CEB816/818/622/624/626 are used, others
   * are counted and skipped; an entry of `strayElements` (elements of a file that are not its documents) counts as
   * an unreadable document, named in the problems.
   */
  documents?: Source<
    ScannedDocument | UnreadEntry | { messageType: string; fields: Record<string, unknown>; items?: unknown[] }
  >;
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
  /**
   * Problems with the inputs: documents and files that could not be used (first 100), e.g. a tax
   * bill without invtNo, and declarations that could not be read (a broken NDJSON line, by its
   * line; its row is `not-computed`); then tax bills whose taxNo came again with other content (first 100).
   */
  problems: string[];
}

/** Options of {@link reconcileFiles}. */
export interface ReconcileFilesOptions extends Pick<ReconcileOptions, 'store' | 'tolerance'> {
  /** The declarations: a file path, or a byte stream (e.g. standard input); NDJSON, or one declaration as JSON (see docs/reconcile.md, "Inputs"). */
  declarations: string | AsyncIterable<Uint8Array>;
  /** The byte size of a `declarations` stream, when known (e.g. a file opened by the caller): progress is then reported against it. */
  declarationsSize?: number | undefined;
  /** CEB816/818 and CEB622/624/626 files, in the order they are to be read (see `expandPaths`). */
  documents: readonly string[];
  /** Rate tables (the JSON of rate files) used before the bundled one; `source` names each in messages. */
  rateTables?: Array<{ data: unknown; source: string }>;
  /** Worker threads (default: the available parallelism, at most 8); 0 does everything in this thread. */
  workers?: number;
  /**
   * Progress of each phase: documents and declarations read from files in bytes of their total
   * size (at each file and batch), bills without declaration (and declarations from a stream)
   * every `progressEvery` items (default 10,000).
   */
  onProgress?: (p: ReconcileProgress) => void;
  progressEvery?: number;
  /**
   * A file that cannot be read goes here (and is skipped; the report counts it in
   * `inputs.unreadableDocuments` and names it in `problems`); without it the SandanError is thrown.
   */
  onFileError?: (file: string, error: SandanError) => void;
  /**
   * The worker script (default: `reconcile/worker.js` beside the package's own modules, which an application bundle
   * that holds sandan lacks: point this at `node_modules/sandan/dist/reconcile/worker.js`, or pass `workers: 0`).
   */
  workerUrl?: URL;
  /**
   * Cancels the run: the worker threads are terminated and the promise rejects with the
   * signal's reason. The store is the caller's to close, as always.
   */
  signal?: AbortSignal;
}

// (any other key is misuse: a misspelt option was ignored, e.g. a tolerance left at its default)
const RECONCILE_OPTION_NAMES = optionNames<ReconcileOptions>({
  calculate: true,
  store: true,
  tolerance: true,
  onProgress: true,
  progressEvery: true,
  signal: true,
});
const RECONCILE_FILES_OPTION_NAMES = optionNames<ReconcileFilesOptions>({
  store: true,
  tolerance: true,
  declarations: true,
  declarationsSize: true,
  documents: true,
  rateTables: true,
  workers: true,
  onProgress: true,
  progressEvery: true,
  onFileError: true,
  workerUrl: true,
  signal: true,
});

/** Worker threads used by default: one per available core, at most 8. */
export function defaultReconcileWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * Counts a phase's items (and bytes) and reports them: in bytes against `total` whenever bytes
 * are added, or without a total every `progressEvery` items.
 */
function counter(
  phase: ReconcileProgress['phase'],
  options: ReconcileFilesOptions,
  total?: number,
): (items: number, bytes?: number) => void {
  const every = options.progressEvery ?? 10_000;
  let count = 0;
  let bytes = 0;
  return (n, b = 0) => {
    const before = Math.floor(count / every);
    count += n;
    bytes += b;
    if (!options.onProgress) return;
    if (total !== undefined) {
      if (b > 0) options.onProgress({ phase, done: bytes, total, unit: 'bytes', count });
    } else if (Math.floor(count / every) > before) options.onProgress({ phase, done: count, unit: 'items', count });
  };
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
  const opts = knownOptions(options, 'reconcile', RECONCILE_OPTION_NAMES);
  if (typeof opts.calculate !== 'function')
    throw new SandanError(
      'INVALID_OPTION',
      'reconcile needs options.calculate, e.g. createTaxCalculator({ rates, explain: false })',
    );
  if (!isRecord(inputs) || inputs.declarations == null)
    throw new SandanError('INVALID_OPTION', 'reconcile takes its inputs as { declarations, documents?, bills?, … }');
  // (a text is iterable: a file read whole was taken one declaration or bill per character)
  for (const key of ['declarations', 'documents', 'bills', 'billStatuses', 'receipts'] as const)
    if (inputs[key] !== undefined) checkArgument(inputs[key], 'iterable', 'reconcile', `inputs.${key}`);
  const every = opts.progressEvery ?? 10_000;
  const { signal, onProgress } = opts;
  const executor = new InThreadExecutor(opts.calculate, opts.tolerance);
  async function* documents(): AsyncGenerator<DocumentChunk> {
    let seen = 0;
    // Each input is named where it starts (where a problem names a bill): the file of documents
    // read by readCebDocuments, else the input.
    let source: string | undefined;
    let inSource = 0;
    for await (const d of untilAborted(inputs.documents ?? [], signal)) {
      if (++seen % every === 0) onProgress?.({ phase: 'documents', done: seen, unit: 'items', count: seen });
      checkDocument(d, seen - 1);
      const file = (d as { file?: unknown }).file;
      const from = typeof file === 'string' ? file : 'inputs.documents';
      inSource = from === source ? inSource + 1 : 0;
      const record =
        typeof file === 'string' ? documentRecord(d, file, inSource) : documentRecord(d, undefined, seen - 1);
      yield { records: [record], ...(from !== source && { source: from }) };
      source = from;
    }
    let first = true;
    let at = 0;
    for await (const b of untilAborted(inputs.bills ?? [], signal)) {
      checkBill(b, at++);
      yield { records: [{ kind: 'bill', bill: billRecordOf(b) }], ...(first && { source: 'inputs.bills' }) };
      first = false;
    }
    for await (const status of untilAborted(inputs.billStatuses ?? [], signal))
      yield { records: [{ kind: 'status', status }] };
    for await (const receipt of untilAborted(inputs.receipts ?? [], signal))
      yield { records: [{ kind: 'receipt', receipt }] };
  }
  async function* facts(): AsyncGenerator<DeclarationFacts[]> {
    let batch: DeclarationFacts[] = [];
    let count = 0;
    for await (const item of untilAborted(inputs.declarations, signal)) {
      if (++count % every === 0) onProgress?.({ phase: 'declarations', done: count, unit: 'items', count });
      batch.push(declarationFacts(asRecord(item), opts.calculate));
      if (batch.length === RECONCILE_BATCH) yield batch, (batch = []);
    }
    if (batch.length) yield batch;
  }
  return drive(
    opts.store ?? new MemoryStore(),
    (join) => ({
      documents: documents(),
      rows: (async function* () {
        for await (const f of facts()) yield executor.decide(f, join);
      })(),
    }),
    opts,
  );
}

/**
 * Refuses what is no document: a path (skipped before, silently: every order then missed its bill) or a whole message,
 * parseCebXml's or scanCebText's (a TypeError from inside: its documents are one level down).
 */
function checkDocument(d: unknown, at: number): void {
  if (isRecord(d) && typeof d.messageType === 'string' && isRecord(d.fields)) return;
  const got =
    isRecord(d) && Array.isArray(d.documents)
      ? 'a whole message { messageType, documents } (as parseCebXml or scanCebText gives it): give its documents as scanCebText(xml).documents'
      : `${describeInput(d)}: give the files' paths to readCebDocuments(paths)`;
  throw new SandanError(
    'INVALID_OPTION',
    `reconcile: inputs.documents[${at}] must be a scanned CEB document { messageType, fields }, as readCebDocuments(paths) yields, got ${got}`,
  );
}

/**
 * Refuses a bill given as a value whose amounts are not Decimals: a number's toFixed() rounds to a whole one (VAT
 * 31.76 was compared as 32.00, a mismatch customs never billed), a text's threw a TypeError.
 */
function checkBill(b: unknown, at: number): asserts b is TaxBill {
  const where = `inputs.bills[${at}]`;
  checkArgument(b, 'object', 'reconcile', where);
  const amounts = b as Record<string, unknown>;
  for (const key of ['customsTax', 'valueAddedTax', 'consumptionTax'] as const)
    if (!Dec.isDecimal(amounts[key]))
      throw new SandanError(
        'INVALID_OPTION',
        `reconcile: ${where}.${key} must be a Decimal (e.g. new Dec('12.5')), got ${describeInput(amounts[key])} (bills read from XML have them: pass readCebDocuments(files) as inputs.documents)`,
      );
}

const NDJSON_FILE = /\.(ndjson|jsonl)$/i;
const CONVERT =
  "reconcile reads NDJSON, one declaration per line: convert a pretty-printed declaration with jq -c . FILE.json > FILE.ndjson, an array of them with jq -c '.[]' FILE.json > FILE.ndjson";

/** The declarations input as problems name it: its file, or the stream. */
function declarationsName(declarations: string | AsyncIterable<Uint8Array>): string {
  return typeof declarations === 'string' ? declarations : 'the declarations stream';
}

/**
 * The declarations as batches of NDJSON lines. Laid out as the CLI's reader lays them out
 * (inputLayout): a `.ndjson`/`.jsonl` file is NDJSON; else one JSON document (pretty-printed)
 * is read whole and is the one declaration. A document that is an array is not used (a problem
 * counted as an unreadable input); one that cannot be read whole is read as NDJSON after all
 * (e.g. a stream whose first line is broken), the problem saying why both failed.
 */
async function declarationInput(
  declarations: string | AsyncIterable<Uint8Array>,
): Promise<{ batches: AsyncIterable<DeclarationBatch>; problem?: DocumentRecord }> {
  const path = typeof declarations === 'string' ? declarations : undefined;
  if (path !== undefined && NDJSON_FILE.test(path)) return { batches: fileDeclarationBatches(path) };
  const name = declarationsName(declarations);
  const stream = path === undefined ? undefined : createReadStream(path);
  const { layout, chunks, firstLineTooLong } = await inputLayout(
    (stream ?? declarations) as AsyncIterable<Uint8Array>,
  ).catch((e) => {
    throw path === undefined ? e : unreadableFile(path, e);
  });
  if (firstLineTooLong) {
    // Neither NDJSON nor a document: read line by line, a line that never ends (/dev/zero) was read forever.
    stream?.destroy();
    return {
      batches: (async function* () {})(),
      problem: { kind: 'unreadable', problem: `${name}: ${tooLargeInputIssue().message.en}` },
    };
  }
  if (layout === 'ndjson') {
    if (path === undefined) return { batches: declarationBatches(chunks) };
    stream?.destroy();
    return { batches: fileDeclarationBatches(path) };
  }
  // One document: held whole up to MAX_RECORD_BYTES (then read as NDJSON after all: no declaration is that large).
  const it = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let size = 0;
  let n = await it.next();
  for (; !n.done && size + n.value.length <= MAX_RECORD_BYTES; n = await it.next()) {
    held.push(n.value);
    size += n.value.length;
  }
  const rest = n;
  const replay = async function* () {
    yield* held;
    if (!rest.done) {
      yield rest.value;
      for (let m = await it.next(); !m.done; m = await it.next()) yield m.value;
    }
  };
  const whole = rest.done ? await readDocument(replay()) : undefined;
  const issue = whole?.record.issue;
  const batches = async function* (b: DeclarationBatch[]) {
    yield* b;
  };
  if (whole && !issue) {
    // JSON text has line breaks only between tokens: as white space, the document is one NDJSON line.
    const line = whole.text!.replace(/[\r\n]+/g, ' ');
    return { batches: batches([{ bytes: new TextEncoder().encode(`${line}\n`), fileStart: true, tooLong: [] }]) };
  }
  if (issue?.code === 'input-empty') return { batches: batches([]) };
  // A pretty-printed document that is not UTF-8 (a GB18030 export): read line by line, each of its lines would
  // become an order that cannot be read. (NDJSON with a bad byte in its first line is NDJSON to inputLayout.)
  if (issue?.code === 'input-array' || issue?.code === 'input-encoding')
    return { batches: batches([]), problem: { kind: 'unreadable', problem: `${name}: ${issue.message.en}` } };
  const why = issue ? issue.message.en : `The input is larger than ${MAX_RECORD_BYTES} bytes`;
  return {
    batches: declarationBatches(replay()),
    problem: {
      kind: 'problem',
      problem: `${name}: neither NDJSON (its first line is not a declaration on its own) nor one JSON document (${why}); its lines were read one by one. ${CONVERT}`,
    },
  };
}

/**
 * Reconciles NDJSON declarations against CEB816/818 tax bills and CEB622/624/626 receipts read
 * from files, as {@link reconcile} does, using worker threads for the scanning, parsing and tax
 * computation. The report is identical whatever the number of workers. Memory stays bounded:
 * declarations are read in batches of about 1 MiB, a few batches ahead; each XML file is
 * read in chunks of 32 KiB. Throws SandanError `RECONCILE_WORKER` if a worker fails.
 */
export async function reconcileFiles(options: ReconcileFilesOptions): Promise<ReconcileReport> {
  const opts = knownOptions(options, 'reconcileFiles', RECONCILE_FILES_OPTION_NAMES);
  const { signal, documents: files } = opts;
  checkArgument(files, 'list', 'reconcileFiles', 'options.documents (the paths of the CEB documents)');
  signal?.throwIfAborted();
  const workers = opts.workers ?? defaultReconcileWorkers();
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new SandanError('INVALID_OPTION', `workers must be an integer from 0 to 64, got ${describeInput(workers)}`);
  const rateTables = opts.rateTables ?? [];
  // Checked here, so that a bad table is reported once, before any thread starts.
  const rates = rateTables.map((t) => parseRateTable(t.data, t.source));
  // A declarations file is checked to be readable before any work starts.
  const declarationBytes =
    typeof opts.declarations === 'string'
      ? (await statInputFile(opts.declarations)).size
      : opts.declarationsSize || undefined;
  // Batches count their lines from 1; whoever takes them in order numbers them.
  const { batches: read, problem } = await declarationInput(opts.declarations);
  // The byte size of each batch handed out, in order: a batch's rows come back in the same order.
  const batchBytes: number[] = [];
  const batches = (async function* () {
    for await (const b of read) {
      batchBytes.push(b.bytes.byteLength);
      yield b;
    }
  })();
  // 0 for a file that cannot be read: it fails later, where it is read.
  const fileSizes = opts.onProgress
    ? await Promise.all(files.map(async (f) => (await statOrUndefined(f))?.size ?? 0))
    : [];
  const documentsRead = counter('documents', opts, opts.onProgress ? fileSizes.reduce((a, b) => a + b, 0) : undefined);
  const declarationsRead = counter('declarations', opts, declarationBytes);
  const executor: ReconcileExecutor =
    workers === 0
      ? new InThreadExecutor(createTaxCalculator({ explain: false, rates }), opts.tolerance, signal)
      : await WorkerPool.open(
          workers,
          { rateTables, tolerance: new Dec(opts.tolerance ?? 0).toFixed() },
          opts.workerUrl,
          signal,
        );
  try {
    const scans = executor.scan(files);
    const documents = async function* (): AsyncGenerator<DocumentChunk> {
      if (problem) yield { records: [problem] };
      let file = -1;
      for await (const step of scans) {
        if ('chunk' in step) {
          // A file's first chunk names it (where a problem names a bill).
          yield step.file === file ? step.chunk : { ...step.chunk, source: files[step.file] };
          file = step.file;
          documentsRead(step.chunk.records.length + (step.chunk.bills?.count ?? 0));
          continue;
        }
        if (step.error) {
          if (!opts.onFileError) throw step.error;
          opts.onFileError(files[step.file]!, step.error);
          // The report says so too: a skipped file (e.g. truncated CEB818 voids) must not leave a balanced month.
          const file = files[step.file]!;
          const { message } = step.error;
          yield {
            records: [{ kind: 'unreadable', problem: message.startsWith(file) ? message : `${file}: ${message}` }],
          };
        }
        documentsRead(0, fileSizes[step.file] ?? 0);
      }
    };
    return await drive(
      opts.store ?? new MemoryStore(),
      (join) => ({ documents: documents(), rows: executor.rows(batches, join) }),
      {
        ...opts,
        declarationsName: declarationsName(opts.declarations),
        onRows: (b) => declarationsRead(b.rows.length, batchBytes.shift()),
      },
    );
  } finally {
    await executor.close();
  }
}
