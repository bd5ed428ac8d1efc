import { existsSync, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Decimal } from 'decimal.js';
import { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
import { Dec } from '../model/primitives.js';
import { createTaxCalculator } from '../rules/tax-calculator.js';
import { parseRateTable } from '../tax/rates.js';
import { declarationFacts, type JoinAnswer, type JoinRequest } from './facts.js';
import {
  declarationBatches,
  fileDeclarationBatches,
  fileError,
  readBatch,
  scanFileRecords,
  type DeclarationBatch,
} from './jobs.js';
import type { DocumentRecord } from './records.js';
import type { RowBatch } from './rows.js';
import { untilAborted } from './abort.js';
import { ReconcileRun, type ReconcileProgress, type ReconcileReport } from './reconcile.js';
import { MemoryStore, type ReconcileStore } from './store.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

/*
 * Reconciliation of files, with the heavy, independent work spread over worker threads:
 * scanning the XML files and reading, parsing and computing the tax of declarations. The
 * main thread keeps what must be sequential: the index (one SQLite connection), the
 * decisions, the totals and the row spool, all in input order. Results come back in order
 * whatever thread finishes first, so the report is the same as with `workers: 0`.
 */

/** Options of {@link reconcileFiles}. */
export interface ReconcileFilesOptions {
  /** The declarations as NDJSON: a file path, or a byte stream (e.g. standard input). */
  declarations: string | AsyncIterable<Uint8Array>;
  /** The byte size of a `declarations` stream, when known (e.g. a file opened by the caller): progress is then reported against it. */
  declarationsSize?: number | undefined;
  /** CEB816/818 and CEB622/624/626 files, in the order they are to be read (see `expandPaths`). */
  documents: readonly string[];
  /** Rate tables (the JSON of rate files) used before the bundled one; `source` names each in messages. */
  rateTables?: Array<{ data: unknown; source: string }>;
  /** Where the join index and the rows live (default: a new MemoryStore). Close it after reading the report. */
  store?: ReconcileStore;
  /** A difference up to this amount (per tax kind) still matches (default 0). */
  tolerance?: Decimal.Value;
  /** Worker threads (default: the available parallelism, at most 8); 0 does everything in this thread. */
  workers?: number;
  /**
   * Progress of each phase: documents and declarations read from files in bytes of their total
   * size (at each file and batch), bills without declaration (and declarations from a stream)
   * every `progressEvery` items (default 10,000).
   */
  onProgress?: (p: ReconcileProgress) => void;
  progressEvery?: number;
  /** A file that cannot be read goes here (and is skipped); without it the SandanError is thrown. */
  onFileError?: (file: string, error: SandanError) => void;
  /** The worker script (default: `reconcile/worker.js` of the built package). */
  workerUrl?: URL;
  /**
   * Cancels the run: the worker threads are terminated and the promise rejects with the
   * signal's reason. The store is the caller's to close, as always.
   */
  signal?: AbortSignal;
}

/** Worker threads used by default: one per available core, at most 8. */
export function defaultReconcileWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** The worker script: next to the chunk holding this code in the package; the build's when run from the sources (tests, tsx). */
function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/reconcile/worker.js', here)
    : new URL('./reconcile/worker.js', here);
}

/** Checks that the declarations file can be read; returns its size. */
async function checkFile(path: string): Promise<number> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    throw new SandanError(
      'FILE_UNREADABLE',
      `Cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)}`,
      { cause: e },
    );
  }
  if (st.isDirectory()) throw new SandanError('FILE_UNREADABLE', `${path} is a directory; give an .ndjson file`);
  return st.size;
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

/** Sizes of the files in bytes (0 for one that cannot be read: it fails later, where it is read). */
async function sizes(files: readonly string[]): Promise<number[]> {
  return Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
}

/**
 * Reconciles NDJSON declarations against CEB816/818 tax bills and CEB622/624/626 receipts read
 * from files, as {@link reconcile} does, using worker threads for the scanning, parsing and tax
 * computation. The report is identical whatever the number of workers. Memory stays bounded:
 * declarations are read in batches of about 1 MiB, a few batches ahead; each XML file is
 * read in 1 MiB chunks. Throws SandanError `RECONCILE_WORKER` if a worker fails.
 */
export async function reconcileFiles(options: ReconcileFilesOptions): Promise<ReconcileReport> {
  const { signal } = options;
  signal?.throwIfAborted();
  const workers = options.workers ?? defaultReconcileWorkers();
  if (!Number.isInteger(workers) || workers < 0 || workers > 64)
    throw new SandanError('INVALID_OPTION', `workers must be an integer from 0 to 64, got ${workers}`);
  const rateTables = options.rateTables ?? [];
  // Checked here, so that a bad table is reported once, before any thread starts.
  const rates = rateTables.map((t) => parseRateTable(t.data, t.source));
  const run = new ReconcileRun(options.store ?? new MemoryStore(), { tolerance: options.tolerance });
  const declarationBytes =
    typeof options.declarations === 'string'
      ? await checkFile(options.declarations)
      : options.declarationsSize || undefined;
  // Batches count their lines from 1; whoever takes them in order numbers them.
  const read =
    typeof options.declarations === 'string'
      ? fileDeclarationBatches(options.declarations)
      : declarationBatches(options.declarations);
  // The byte size of each batch handed out, in order: a batch's rows come back in the same order.
  const batchBytes: number[] = [];
  const batches = (async function* () {
    for await (const b of read) {
      batchBytes.push(b.bytes.byteLength);
      yield b;
    }
  })();
  const fileSizes = options.onProgress ? await sizes(options.documents) : [];
  const documentsRead = counter(
    'documents',
    options,
    options.onProgress ? fileSizes.reduce((a, b) => a + b, 0) : undefined,
  );
  const declarationsRead = counter('declarations', options, declarationBytes);
  const addRecords = (records: DocumentRecord[]) => {
    for (const r of records) run.addDocument(r);
    documentsRead(records.length);
  };
  const failed = (file: string, e: unknown) => {
    const err = isSandanError(e) ? e : fileError(file, e);
    if (!options.onFileError) throw err;
    options.onFileError(file, err);
  };
  const finish = () =>
    run.finish(
      (n) => options.onProgress?.({ phase: 'bills-without-declaration', done: n, unit: 'items', count: n }),
      options.progressEvery ?? 10_000,
    );
  const fileDone = (k: number) => documentsRead(0, fileSizes[k] ?? 0);

  if (workers === 0) {
    for (const [k, file] of options.documents.entries()) {
      signal?.throwIfAborted();
      try {
        await scanFileRecords(file, addRecords);
      } catch (e) {
        failed(file, e);
      }
      fileDone(k);
    }
    const calculate = createTaxCalculator({ explain: false, rates });
    let line = 1;
    for await (const batch of untilAborted(batches, signal)) {
      const { records, breaks } = readBatch(batch, line);
      line += breaks;
      run.addDeclarations(records.map((r) => declarationFacts(r, calculate)));
      declarationsRead(records.length, batchBytes.shift());
    }
    signal?.throwIfAborted();
    return finish();
  }

  const url = options.workerUrl ?? defaultWorkerUrl();
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new SandanError(
      'RECONCILE_WORKER',
      `The reconciliation worker script is missing: ${fileURLToPath(url)} (build the package with npm run build, or pass workers: 0)`,
    );
  }
  const pool = new Pool(workers, url, { rateTables, tolerance: new Dec(options.tolerance ?? 0).toFixed() }, signal);
  try {
    await pool.ready();
    // Phase 1: documents, in file order (each file on some thread; records applied in order).
    const jobs = options.documents.map((file) => pool.scan(file));
    // Workers read the batches; this thread numbers their lines from the workers' counts.
    pool.prefetch(batches);
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[k]!;
      for (;;) {
        const m = await job.next();
        if (m.type === 'failed') {
          failed(
            options.documents[k]!,
            new SandanError(m.code as SandanErrorCode, m.message, { details: { file: options.documents[k] } }),
          );
          fileDone(k);
          break;
        }
        run.addBillTuples(m.bills, m.billCount);
        documentsRead(m.billCount);
        addRecords(m.records);
        if (m.last) {
          fileDone(k);
          break;
        }
        job.resume();
      }
    }
    // Phase 2: declarations, in input order: workers compute facts, this thread looks them
    // up in the index, workers decide the rows, this thread spools them.
    for (;;) {
      const step = await pool.nextStep();
      if (step === undefined) break;
      if (step.kind === 'keys') pool.answer(step.seq, run.joinRequests(step.requests));
      else {
        run.addDeclarationRows(step.rows);
        declarationsRead(step.rows.rows.length, batchBytes.shift());
      }
    }
    signal?.throwIfAborted();
    return finish();
  } finally {
    await pool.close();
  }
}

type ScanMessage = Extract<FromWorker, { type: 'records' | 'failed' }>;

/** Declaration batches a worker may hold at once (computing, waiting for answers, deciding): enough to never wait on the main thread. */
const BATCHES_PER_THREAD = 4;

interface BatchState {
  id: number;
  thread: Thread;
  /** Where its lines start (known once the batches before it are looked up) and how many breaks it has. */
  firstLine: number;
  breaks: number;
  requests?: Array<JoinRequest | undefined> | undefined;
  rows?: RowBatch;
}

/** The results of one file, as they arrive; the worker waits for resume() after each chunk. */
class ScanJob {
  private readonly queue: ScanMessage[] = [];
  private wake: (() => void) | undefined;
  constructor(
    readonly id: number,
    readonly file: string,
    private readonly send: (m: ToWorker) => void,
  ) {}
  push(m: ScanMessage): void {
    this.queue.push(m);
    this.wake?.();
  }
  async next(): Promise<ScanMessage> {
    while (this.queue.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    return this.queue.shift()!;
  }
  resume(): void {
    this.send({ type: 'continue', id: this.id });
  }
}

interface Thread {
  worker: Worker;
  scanning: ScanJob | undefined;
  batches: number;
}

/**
 * The worker threads: file scans go to threads without one (one file per thread at a time,
 * in file order), declaration batches to the least busy thread once no file waits, at most
 * BATCHES_PER_THREAD per thread ahead of the main thread. Any worker failure fails all.
 */
class Pool {
  private readonly threads: Thread[] = [];
  private readonly scans: ScanJob[] = [];
  /** The thread scanning each file job. */
  private readonly owner = new Map<number, Thread>();
  private nextScan = 0;
  private nextId = 0;
  private readonly handlers = new Map<number, (m: FromWorker) => void>();
  /** Declaration batches in flight, by their place in the input. */
  private readonly batches = new Map<number, BatchState>();
  /** Number of the first line of the next batch to be looked up. */
  private nextLine = 1;
  /** Batches sent to workers, looked up in the index, and spooled (all count in input order). */
  private dispatched = 0;
  private joined = 0;
  private spooled = 0;
  private inputDone = false;
  private input: AsyncIterator<DeclarationBatch> | undefined;
  private pumping = false;
  private wakeMain: (() => void) | undefined;
  private error: Error | undefined;
  private readonly errorWaiters = new Set<(e: Error) => void>();
  private readonly onAbort: (() => void) | undefined;

  constructor(
    n: number,
    url: URL,
    init: WorkerInit,
    private readonly signal?: AbortSignal,
  ) {
    for (let i = 0; i < n; i++) {
      const worker = new Worker(url, { workerData: init });
      const t: Thread = { worker, scanning: undefined, batches: 0 };
      worker.on('message', (m: FromWorker) => this.handlers.get(m.id)?.(m));
      worker.on('error', (e) =>
        this.fail(new SandanError('RECONCILE_WORKER', `A reconciliation worker failed: ${e.message}`, { cause: e })),
      );
      worker.on('exit', (code) => {
        if (code !== 0)
          this.fail(new SandanError('RECONCILE_WORKER', `A reconciliation worker stopped (exit code ${code})`));
      });
      this.threads.push(t);
    }
    if (signal) {
      // Cancelled: every wait fails with the reason, and the threads stop now rather than at close().
      this.onAbort = () => {
        this.fail(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
        for (const t of this.threads) void t.worker.terminate();
      };
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  async ready(): Promise<void> {
    // Guarded: a thread that fails or is terminated before it starts never comes online.
    await this.guard(
      Promise.all(this.threads.map((t) => new Promise<void>((resolve) => t.worker.once('online', () => resolve())))),
    );
  }

  private fail(e: Error): void {
    if (this.error) return;
    this.error = e;
    for (const w of this.errorWaiters) w(e);
    this.errorWaiters.clear();
    this.wakeMain?.();
  }

  /** Waits for a promise, or fails as soon as a worker does. */
  private guard<T>(p: Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.errorWaiters.add(onError);
      p.then(
        (v) => (this.errorWaiters.delete(onError), resolve(v)),
        (e: unknown) => (this.errorWaiters.delete(onError), reject(e)),
      );
    });
  }

  scan(file: string): { next(): Promise<ScanMessage>; resume(): void } {
    const id = this.nextId++;
    const job = new ScanJob(id, file, (m) => this.sendTo(job, m));
    this.scans.push(job);
    this.handlers.set(id, (m) => {
      if (m.type !== 'records' && m.type !== 'failed') return;
      job.push(m);
      if (m.type === 'failed' || m.last) this.scanDone(job);
    });
    this.dispatchScans();
    return { next: () => this.guard(job.next()), resume: () => job.resume() };
  }

  private sendTo(job: ScanJob, m: ToWorker): void {
    this.owner.get(job.id)?.worker.postMessage(m);
  }

  private dispatchScans(): void {
    for (const t of this.threads) {
      if (this.nextScan >= this.scans.length) return;
      if (t.scanning) continue;
      const job = this.scans[this.nextScan++]!;
      t.scanning = job;
      this.owner.set(job.id, t);
      t.worker.postMessage({ type: 'scan', id: job.id, file: job.file } satisfies ToWorker);
    }
  }

  private scanDone(job: ScanJob): void {
    const t = this.owner.get(job.id);
    this.owner.delete(job.id);
    this.handlers.delete(job.id);
    if (t) t.scanning = undefined;
    this.dispatchScans();
    void this.pump();
  }

  /** Starts reading declaration batches (ahead of the main thread, bounded). */
  prefetch(batches: AsyncIterable<DeclarationBatch>): void {
    this.input = batches[Symbol.asyncIterator]();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping || !this.input) return;
    this.pumping = true;
    try {
      while (
        !this.inputDone &&
        !this.error &&
        this.dispatched - this.spooled < BATCHES_PER_THREAD * this.threads.length
      ) {
        if (this.nextScan < this.scans.length) break; // files first
        const free = this.threads
          .filter((t) => !t.scanning && t.batches < BATCHES_PER_THREAD)
          .sort((a, b) => a.batches - b.batches)[0];
        if (!free) break;
        const next = await this.input.next();
        if (next.done) {
          this.inputDone = true;
          this.wakeMain?.();
          break;
        }
        const seq = this.dispatched++;
        const id = this.nextId++;
        const entry: BatchState = { id, thread: free, firstLine: 0, breaks: 0 };
        this.batches.set(seq, entry);
        free.batches++;
        this.handlers.set(id, (m) => {
          if (m.type === 'keys') (entry.requests = m.requests), (entry.breaks = m.breaks);
          else if (m.type === 'rows') {
            this.handlers.delete(id);
            free.batches--;
            entry.rows = m.batch;
            void this.pump();
          } else if (m.type === 'failed') this.fail(new SandanError(m.code as SandanErrorCode, m.message));
          this.wakeMain?.();
        });
        free.worker.postMessage({ type: 'facts', id, batch: next.value } satisfies ToWorker, [
          next.value.bytes.buffer as ArrayBuffer,
        ]);
      }
    } catch (e) {
      this.fail(
        isSandanError(e)
          ? e
          : new SandanError(
              'FILE_UNREADABLE',
              `Cannot read the declarations: ${e instanceof Error ? e.message : String(e)}`,
              { cause: e },
            ),
      );
    } finally {
      this.pumping = false;
    }
  }

  /**
   * The next step for the main thread, in input order: index lookups of the next batch whose
   * keys are in (answered with {@link answer}), or rows of the next batch to spool; undefined
   * when the input is done and every batch is spooled.
   */
  async nextStep(): Promise<
    | { kind: 'keys'; seq: number; requests: Array<JoinRequest | undefined> }
    | { kind: 'rows'; rows: RowBatch }
    | undefined
  > {
    for (;;) {
      if (this.error) throw this.error;
      const toSpool = this.batches.get(this.spooled);
      if (toSpool?.rows) {
        this.batches.delete(this.spooled++);
        void this.pump();
        return { kind: 'rows', rows: toSpool.rows };
      }
      const toJoin = this.batches.get(this.joined);
      if (toJoin?.requests) {
        const requests = toJoin.requests;
        toJoin.requests = undefined;
        toJoin.firstLine = this.nextLine;
        this.nextLine += toJoin.breaks;
        return { kind: 'keys', seq: this.joined++, requests };
      }
      if (this.inputDone && this.spooled === this.dispatched) return undefined;
      await new Promise<void>((resolve) => {
        this.wakeMain = resolve;
        void this.pump();
      });
      this.wakeMain = undefined;
    }
  }

  /** Sends the index answers of a batch back to the worker that holds its facts. */
  answer(seq: number, answers: Array<JoinAnswer | undefined>): void {
    const entry = this.batches.get(seq)!;
    entry.thread.worker.postMessage({
      type: 'rows',
      id: entry.id,
      answers: JSON.stringify(answers),
      firstLine: entry.firstLine,
    } satisfies ToWorker);
  }

  async close(): Promise<void> {
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
