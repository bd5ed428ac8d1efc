import { parentPort, workerData } from 'node:worker_threads';
import { isSandanError, messageOf } from '../errors.js';
import { createTaxCalculator } from '../rules/tax-calculator.js';
import { parseRateTable } from '../tax/rates.js';
import { declarationFacts, joinRequest, type DeclarationFacts, type JoinAnswer, type JoinRequest } from './facts.js';
import { fileRecords, readBatch, type DeclarationBatch } from './jobs.js';
import type { DocumentRecord } from './records.js';
import { declarationRowBatch, type RowBatch } from './rows.js';
import { billTuple, type BillTuple } from './store.js';

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
  /** `answers`: JSON text of the index answers (one string posts much faster than many small objects). */
  | { type: 'rows'; id: number; answers: string; firstLine: number }
  | { type: 'scan'; id: number; file: string }
  | { type: 'continue'; id: number };

export type FromWorker =
  /** `breaks`: line breaks in the batch (the main thread numbers the lines). */
  | { type: 'keys'; id: number; requests: Array<JoinRequest | undefined>; breaks: number }
  | { type: 'rows'; id: number; batch: RowBatch }
  /** `bills`: JSON text of bill tuples (stored in one statement); `records`: the other documents. */
  | { type: 'records'; id: number; bills: string; billCount: number; records: DocumentRecord[]; last: boolean }
  | { type: 'failed'; id: number; code: string; message: string };

const port = parentPort!;
const init = workerData as WorkerInit;
const calculate = createTaxCalculator({
  explain: false,
  rates: init.rateTables.map((t) => parseRateTable(t.data, t.source)),
});
const waiting = new Map<number, () => void>();
// Facts of batches whose index answers have not come back yet (with the batch when a line of it could not be read).
const held = new Map<number, { facts: DeclarationFacts[]; batch?: DeclarationBatch }>();

function failed(id: number, code: string, message: string): void {
  port.postMessage({ type: 'failed', id, code, message } satisfies FromWorker);
}

function reply(id: number, compute: () => FromWorker): void {
  try {
    port.postMessage(compute());
  } catch (e) {
    // Facts and rows never throw on bad input; this is a defect, reported as such.
    failed(id, 'RECONCILE_WORKER', e instanceof Error ? (e.stack ?? e.message) : String(e));
  }
}

async function scan(id: number, file: string): Promise<void> {
  try {
    for await (const records of fileRecords(file)) {
      const bills: BillTuple[] = [];
      const others: DocumentRecord[] = [];
      for (const r of records) {
        if (r.kind === 'bill') bills.push(billTuple(r.bill));
        else others.push(r);
      }
      const resumed = new Promise<void>((resolve) => waiting.set(id, resolve));
      port.postMessage({
        type: 'records',
        id,
        bills: JSON.stringify(bills),
        billCount: bills.length,
        records: others,
        last: false,
      } satisfies FromWorker);
      await resumed;
    }
    port.postMessage({ type: 'records', id, bills: '[]', billCount: 0, records: [], last: true } satisfies FromWorker);
  } catch (e) {
    failed(id, isSandanError(e) ? e.code : 'FILE_UNREADABLE', messageOf(e));
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
      const { records: facts, breaks } = readBatch(m.batch, 1, (r) => declarationFacts(r, calculate));
      held.set(m.id, facts.some((f) => f.unreadable !== undefined) ? { facts, batch: m.batch } : { facts });
      return { type: 'keys', id: m.id, requests: facts.map(joinRequest), breaks };
    });
  } else {
    reply(m.id, () => {
      const { facts, batch } = held.get(m.id) ?? { facts: [] };
      held.delete(m.id);
      // Lines were counted from 1 in the batch; the main thread says where it starts.
      if (m.firstLine !== 1) {
        for (const f of facts) if (f.line !== undefined) f.line += m.firstLine - 1;
        // The message of a line that could not be read names its line: read them again where they now start.
        if (batch) {
          const issues = readBatch(batch, m.firstLine, (r) => r.issue).records.filter((i) => i !== undefined);
          let k = 0;
          for (const f of facts) if (f.unreadable !== undefined) f.problem = issues[k++]?.message.en ?? f.problem;
        }
      }
      const answers = (JSON.parse(m.answers) as Array<JoinAnswer | null>).map((a) => a ?? undefined);
      return { type: 'rows', id: m.id, batch: declarationRowBatch(facts, answers, init.tolerance) };
    });
  }
});
