import { parentPort, workerData } from 'node:worker_threads';
import { isSandanError } from '../errors.js';
import { createTaxCalculator } from '../rules/tax-calculator.js';
import { parseRateTable } from '../tax/rates.js';
import { joinRequest, type DeclarationFacts, type JoinAnswer, type JoinRequest } from './facts.js';
import { batchFacts, scanFileRecords, type DeclarationBatch } from './jobs.js';
import { declarationRowBatch, type RowBatch } from './rows.js';

/*
 * A reconciliation worker thread (started by reconcileFiles): computes the facts of
 * declaration batches and scans XML files. One file's records go out chunk by chunk; after
 * each chunk the worker waits for `continue`, so a file the main thread is not reading yet
 * holds at most one chunk in memory.
 */

export interface WorkerInit {
  rateTables: Array<{ data: unknown; source: string }>;
  tolerance: string;
}

export type ToWorker =
  | { type: 'facts'; id: number; batch: DeclarationBatch }
  | { type: 'rows'; id: number; answers: Array<JoinAnswer | undefined> }
  | { type: 'scan'; id: number; file: string }
  | { type: 'continue'; id: number };

export type FromWorker =
  | { type: 'keys'; id: number; requests: Array<JoinRequest | undefined> }
  | { type: 'rows'; id: number; batch: RowBatch }
  | { type: 'records'; id: number; records: Parameters<Parameters<typeof scanFileRecords>[1]>[0]; last: boolean }
  | { type: 'failed'; id: number; code: string; message: string; fatal: boolean };

const port = parentPort!;
const init = workerData as WorkerInit;
const calculate = createTaxCalculator({ explain: false, rates: init.rateTables.map((t) => parseRateTable(t.data, t.source)) });
const waiting = new Map<number, () => void>();
// Facts of batches whose index answers have not come back yet.
const held = new Map<number, DeclarationFacts[]>();

function reply(id: number, compute: () => FromWorker): void {
  try {
    port.postMessage(compute());
  } catch (e) {
    // Facts and rows never throw on bad input; this is a defect, reported as such.
    port.postMessage({ type: 'failed', id, code: 'RECONCILE_WORKER', message: e instanceof Error ? (e.stack ?? e.message) : String(e), fatal: true } satisfies FromWorker);
  }
}

async function scan(id: number, file: string): Promise<void> {
  try {
    await scanFileRecords(file, async (records) => {
      const resumed = new Promise<void>((resolve) => waiting.set(id, resolve));
      port.postMessage({ type: 'records', id, records, last: false } satisfies FromWorker);
      await resumed;
    });
    port.postMessage({ type: 'records', id, records: [], last: true } satisfies FromWorker);
  } catch (e) {
    const code = isSandanError(e) ? e.code : 'FILE_UNREADABLE';
    port.postMessage({ type: 'failed', id, code, message: e instanceof Error ? e.message : String(e), fatal: false } satisfies FromWorker);
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'continue') {
    const resume = waiting.get(m.id);
    waiting.delete(m.id);
    resume?.();
  } else if (m.type === 'scan') void scan(m.id, m.file);
  else if (m.type === 'facts') {
    reply(m.id, () => {
      const facts = batchFacts(m.batch, calculate);
      held.set(m.id, facts);
      return { type: 'keys', id: m.id, requests: facts.map(joinRequest) };
    });
  } else {
    reply(m.id, () => {
      const facts = held.get(m.id) ?? [];
      held.delete(m.id);
      return { type: 'rows', id: m.id, batch: declarationRowBatch(facts, m.answers, init.tolerance) };
    });
  }
});
