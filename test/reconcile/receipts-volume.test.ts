import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expandPaths,
  MemoryStore,
  openSqliteStore,
  readCebDocuments,
  reconcile,
  reconcileFiles,
  reportJsonChunks,
  type ReconcileReport,
  type ReconcileStore,
} from '../../src/reconcile/index.js';
import { readRecords } from '../../src/cli/input.js';
import { createReadStream } from 'node:fs';
import { defectOf, fileSink, generate, RATES, type Calculate } from './generator.js';
import { calculate } from './helpers.js';

/*
 * A month whose receipts folder holds every CEB622 of each inventory's life (申报中, 入库, 放行) and refusals declared
 * again and released, as bench/reconcile.mjs --receipts-per-order generates it: the receipts change no verdict, and the
 * report is the same whatever the index and the threads.
 */

const workerUrl = new URL('../../dist/reconcile/worker.js', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-receipts-'));
const orders = 500;
const expected = generate(dir, fileSink(), {
  orders,
  calculate: calculate as unknown as Calculate,
  billsPerFile: 40,
  receiptsPerOrder: 3,
  refusalEvery: 7,
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (r: ReconcileReport) => [...reportJsonChunks(r)].join('');

async function sequential(store: ReconcileStore): Promise<ReconcileReport> {
  const files = await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]);
  const declarations = readRecords(createReadStream(join(dir, 'declarations.ndjson')), { ndjson: true });
  return reconcile({ declarations, documents: readCebDocuments(files) }, { calculate, store });
}

describe('a month with every receipt of each inventory and refusals declared again', () => {
  it('reads them all, rejects none, and gives one report with either index, with or without threads', async () => {
    // Receipts by hand: 3 for each order without a defect or mismatched, a 100 退单 for each 7th of those, one CEB622
    // for each order linked by copNo or preNo, one CEB624 per cancel and one CEB626 per refund.
    let life = 0;
    let refusals = 0;
    let others = 0;
    for (let i = 0; i < orders; i++) {
      const d = defectOf(i);
      if (d === 'none' || d === 'diff') {
        life += 3;
        if (i % 7 === 0) refusals++;
      }
      if (d === 'link-copNo' || d === 'link-preNo' || d === 'cancel' || d === 'refund') others++;
    }
    expect(refusals).toBeGreaterThan(50);
    const memory = await sequential(new MemoryStore());
    expect(memory.summary.inputs.receipts).toBe(life + refusals + others);
    expect(memory.summary).toMatchObject({
      matched: expected.matched,
      mismatched: expected.mismatched,
      billMissing: expected.billMissing,
      cancelled: expected.cancelled,
      refunded: expected.refunded,
      billVoid: expected.billVoid,
      unlinked: expected.unlinked,
      rejected: 0,
    });
    expect(memory.summary.billedTaxTotal.toFixed(2)).toBe(expected.billedTaxTotal);
    const want = text(memory);
    const sqlite = await openSqliteStore();
    try {
      expect(text(await sequential(sqlite))).toBe(want);
    } finally {
      sqlite.close();
    }
    const store = await openSqliteStore();
    try {
      const threaded = await reconcileFiles({
        declarations: join(dir, 'declarations.ndjson'),
        documents: await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]),
        rateTables: [{ data: RATES, source: 'rates.json' }],
        workerUrl,
        workers: 2,
        store,
      });
      expect(text(threaded).replaceAll(`${join(dir, 'declarations.ndjson')}`, 'inputs.declarations')).toBe(want);
    } finally {
      store.close();
    }
  });
});

describe('receipt links in the SQLite index', () => {
  it.each(['memory', 'sqlite'])(
    'keep the last invtNo a receipt names for a key, within a batch and across batches (%s)',
    async (kind) => {
      const store = kind === 'memory' ? new MemoryStore() : await openSqliteStore();
      try {
        // copNo C1: A, A, then B in one batch (B stands); preNo P1: A in one batch, B in the next (B stands); C2: B in
        // both.
        store.addLinks([
          { kind: 'copNo', key: 'C1', invtNo: 'A' },
          { kind: 'preNo', key: 'P1', invtNo: 'A' },
          { kind: 'copNo', key: 'C1', invtNo: 'A' },
          { kind: 'copNo', key: 'C2', invtNo: 'B' },
          { kind: 'copNo', key: 'C1', invtNo: 'B' },
        ]);
        store.addLinks([
          { kind: 'preNo', key: 'P1', invtNo: 'B' },
          { kind: 'copNo', key: 'C2', invtNo: 'B' },
        ]);
        const answers = store.join([{ copNo: 'C1' }, { preNo: 'P1' }, { copNo: 'C2' }]);
        expect(answers.map((a) => [a?.invtNo, a?.linkedBy])).toEqual([
          ['B', 'copNo'],
          ['B', 'preNo'],
          ['B', 'copNo'],
        ]);
      } finally {
        store.close();
      }
    },
  );
});
