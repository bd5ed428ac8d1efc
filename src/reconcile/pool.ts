import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SandanError, isSandanError, type SandanErrorCode, messageOf } from '../errors.js';
import { raced } from './abort.js';
import type { Join, ReconcileExecutor, ScanStep } from './driver.js';
import type { JoinAnswer, JoinRequest } from './facts.js';
import type { DeclarationBatch } from './jobs.js';
import type { RowBatch } from './rows.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

/*
 * The executor on worker threads: the heavy, independent work (scanning the XML files;
 * reading, parsing and computing the tax of declarations; deciding their rows) runs on the
 * threads, while the driver keeps in this thread what must be sequential: the index (one
 * SQLite connection), the totals and the row spool. Results come back in input order
 * whatever thread finishes first, so the report is the in-thread executor's.
 */

/** The worker script: next to the chunk holding this code in the package; the build's when run from the sources (tests, tsx). */
function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../dist/reconcile/worker.js', here)
    : new URL('./reconcile/worker.js', here);
}

type ScanMessage = Extract<FromWorker, { type: 'records' | 'failed' }>;

/** Declaration batches a worker may hold at once (computing, waiting for answers, deciding): enough to never wait on the main thread. */
const BATCHES_PER_THREAD = 4;
/**
 * A worker's young generation kept small (V8's default lets it grow to tens of MB per thread):
 * a worker's garbage is short-lived (a parsed declaration, a batch of rows), so collecting it
 * sooner costs nothing, and a million orders then peak at 383 MB instead of 467 MB, in 6 % less
 * CPU (docs/performance.md, session 11).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

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
  /** The thread scanning the file, while one is. */
  thread: Thread | undefined;
  constructor(
    readonly id: number,
    readonly file: string,
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
    this.thread?.worker.postMessage({ type: 'continue', id: this.id } satisfies ToWorker);
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
 * BATCHES_PER_THREAD per thread ahead of this thread. Any worker failure fails all; so does
 * the signal, which also terminates the threads.
 */
export class WorkerPool implements ReconcileExecutor {
  private readonly threads: Thread[] = [];
  private readonly scans: ScanJob[] = [];
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
  /** Aborted with `error`: what a {@link guard}ed wait races. */
  private readonly failed = new AbortController();
  private readonly onAbort: (() => void) | undefined;

  /** Starts `n` threads of the worker script (default: the package's) and waits until they are up. */
  static async open(n: number, init: WorkerInit, url = defaultWorkerUrl(), signal?: AbortSignal): Promise<WorkerPool> {
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
      throw new SandanError(
        'RECONCILE_WORKER',
        // A bundle of an application that imports sandan holds sandan's code but not this separate script.
        `The reconciliation worker script is missing: ${fileURLToPath(url)}. It is read from beside sandan's own modules: if sandan is bundled into your application, leave it out of the bundle (esbuild --packages=external), or pass workerUrl (sandan's dist/reconcile/worker.js) or workers: 0; in a clone, build it with npm run build`,
      );
    }
    const pool = new WorkerPool(n, url, init, signal);
    try {
      // Guarded: a thread that fails or is terminated before it starts never comes online.
      await pool.guard(
        Promise.all(pool.threads.map((t) => new Promise<void>((resolve) => t.worker.once('online', () => resolve())))),
      );
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  private constructor(
    n: number,
    url: URL,
    init: WorkerInit,
    private readonly signal?: AbortSignal,
  ) {
    for (let i = 0; i < n; i++) {
      const worker = new Worker(url, { workerData: init, resourceLimits: WORKER_LIMITS });
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

  private fail(e: Error): void {
    if (this.error) return;
    this.error = e;
    this.failed.abort(e);
    this.wakeMain?.();
  }

  /** Waits for a promise, or fails as soon as a worker does. */
  private guard<T>(p: Promise<T>): Promise<T> {
    return this.error ? Promise.reject(this.error) : raced(p, this.failed.signal);
  }

  /** Dispatches every file at once (threads take them in order); their results come in file order. */
  scan(files: readonly string[]): AsyncIterable<ScanStep> {
    const jobs = files.map((file) => {
      const job = new ScanJob(this.nextId++, file);
      this.scans.push(job);
      this.handlers.set(job.id, (m) => {
        if (m.type !== 'records' && m.type !== 'failed') return;
        job.push(m);
        if (m.type === 'failed' || m.last) this.scanDone(job);
      });
      return job;
    });
    this.dispatchScans();
    return this.scanResults(jobs);
  }

  private async *scanResults(jobs: readonly ScanJob[]): AsyncGenerator<ScanStep> {
    for (const [file, job] of jobs.entries()) {
      for (;;) {
        const m = await this.guard(job.next());
        if (m.type === 'failed') {
          const error = new SandanError(m.code as SandanErrorCode, m.message, { details: { file: job.file } });
          yield { file, done: true, error };
          break;
        }
        yield { file, chunk: { bills: { json: m.bills, count: m.billCount }, records: m.records } };
        if (m.last) {
          yield { file, done: true };
          break;
        }
        job.resume();
      }
    }
  }

  private dispatchScans(): void {
    for (const t of this.threads) {
      if (this.nextScan >= this.scans.length) return;
      if (t.scanning) continue;
      const job = this.scans[this.nextScan++]!;
      t.scanning = job;
      job.thread = t;
      t.worker.postMessage({ type: 'scan', id: job.id, file: job.file } satisfies ToWorker);
    }
  }

  private scanDone(job: ScanJob): void {
    if (job.thread) job.thread.scanning = undefined;
    job.thread = undefined;
    this.handlers.delete(job.id);
    this.dispatchScans();
    void this.pump();
  }

  /**
   * Starts reading declaration batches at once (ahead of this thread, bounded; once the files
   * are dispatched). Workers compute their facts, this thread looks them up in the index
   * (`join`, in input order), workers decide the rows; the rows come in input order.
   */
  rows(batches: AsyncIterable<DeclarationBatch>, join: Join): AsyncIterable<RowBatch> {
    this.input = batches[Symbol.asyncIterator]();
    void this.pump();
    return this.rowSteps(join);
  }

  private async *rowSteps(join: Join): AsyncGenerator<RowBatch> {
    for (;;) {
      const step = await this.nextStep();
      if (step === undefined) return;
      if (step.kind === 'rows') yield step.rows;
      else this.answer(step.seq, join(step.requests));
    }
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
          : new SandanError('FILE_UNREADABLE', `Cannot read the declarations: ${messageOf(e)}`, { cause: e }),
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
  private async nextStep(): Promise<
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
  private answer(seq: number, answers: Array<JoinAnswer | undefined>): void {
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
