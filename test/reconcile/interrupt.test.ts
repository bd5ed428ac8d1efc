import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { expandPaths, reconcileFiles, reconcile, openSqliteStore, SqliteStore } from '../../src/reconcile/index.js';
import type { SqliteDatabase } from '../../src/quota/sqlite.js';
import { fileSink, generate, type Calculate } from './generator.js';
import { calculate } from './helpers.js';

// Cancelling a reconciliation (the `signal` option) and the index's temporary files.

// Worker threads run the built script (vitest's global setup builds dist/ first).
const workerUrl = new URL('../../dist/reconcile/worker.js', import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
generate(dir, fileSink(), { orders: 600, calculate: calculate as unknown as Calculate, billsPerFile: 50 });
const declarationBytes = readFileSync(join(dir, 'declarations.ndjson'));

/** The declarations, then an input that never ends (a pipe whose writer is still there). */
async function* neverEnding(): AsyncGenerator<Uint8Array> {
  yield declarationBytes;
  await new Promise(() => {});
}

describe('reconcileFiles({ signal })', () => {
  for (const workers of [0, 2]) {
    it(`rejects with the abort reason once the signal is aborted mid-run (${workers} workers)`, async () => {
      const index = mkdtempSync(join(dir, 'index-'));
      const store = await openSqliteStore({ dir: index });
      const controller = new AbortController();
      const documents = await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]);
      let declarationsSeen = 0;
      const run = reconcileFiles({
        declarations: neverEnding(),
        documents,
        store,
        workers,
        workerUrl,
        signal: controller.signal,
        progressEvery: 100,
        onProgress: (p) => {
          if (p.phase !== 'declarations') return;
          declarationsSeen = p.count;
          // Rows are in the index's spool by now: cancel while the run waits for more input.
          controller.abort();
        },
      });
      // Settles only after the worker threads are terminated (the pool is closed in `finally`).
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(declarationsSeen).toBeGreaterThan(0);
      const [sub] = readdirSync(index);
      expect(readdirSync(join(index, sub!))).toEqual(expect.arrayContaining(['index.sqlite', 'rows.ndjson']));
      // The store is the caller's: closing it removes everything.
      store.close();
      expect(readdirSync(index)).toEqual([]);
    }, 60_000);
  }

  it('an already aborted signal starts nothing, and the rejection is its reason', async () => {
    const reason = new Error('the operator cancelled');
    await expect(
      reconcileFiles({
        declarations: join(dir, 'declarations.ndjson'),
        documents: [],
        workers: 2,
        workerUrl,
        signal: AbortSignal.abort(reason),
      }),
    ).rejects.toBe(reason);
  });
});

describe('reconcile({ signal })', () => {
  it('stops between items with the abort reason', async () => {
    const controller = new AbortController();
    let taken = 0;
    function* declarations() {
      for (const line of declarationBytes.toString('utf8').trimEnd().split('\n')) {
        if (++taken === 50) controller.abort(new Error('stop at 50'));
        yield JSON.parse(line) as unknown;
      }
    }
    await expect(reconcile({ declarations: declarations() }, { calculate, signal: controller.signal })).rejects.toThrow(
      'stop at 50',
    );
    // Item 50 was produced but not taken: the check comes before each item.
    expect(taken).toBe(50);
  });
});

describe('the temporary index', () => {
  it('lives in a directory only its owner can open, removed by close()', async () => {
    const parent = mkdtempSync(join(dir, 'parent-'));
    const store = await openSqliteStore({ dir: parent });
    const [sub] = readdirSync(parent);
    expect(sub).toMatch(/^sandan-reconcile-/);
    expect(statSync(join(parent, sub!)).mode & 0o777).toBe(0o700);
    store.putRows(['{"orderNo":"SD1"}']);
    expect(statSync(join(parent, sub!, 'rows.ndjson')).mode & 0o077).toBe(0);
    store.close();
    // close() twice is harmless (a signal handler and a finally block may both call it).
    store.close();
    expect(readdirSync(parent)).toEqual([]);
  });

  it("over a caller's own database, the row spool gets a private directory of its own, removed by close()", () => {
    const before = new Set(readdirSync(tmpdir()));
    const store = new SqliteStore(new Database(':memory:') as unknown as SqliteDatabase, undefined);
    store.putRows(['{"orderNo":"SD1"}', '{"orderNo":"SD2"}']);
    const made = readdirSync(tmpdir()).filter((d) => !before.has(d) && d.startsWith('sandan-rows-'));
    expect(made).toHaveLength(1);
    expect(statSync(join(tmpdir(), made[0]!)).mode & 0o777).toBe(0o700);
    expect([...store.rows()]).toEqual(['{"orderNo":"SD1"}', '{"orderNo":"SD2"}']);
    store.close();
    expect(readdirSync(tmpdir())).not.toContain(made[0]);
  });
});
