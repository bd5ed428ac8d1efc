import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import { runTogether } from './processes.js';
import { quotaContract, SECRET, type HammerResult } from './contract.js';

const WORKER = new URL('./sqlite-worker.ts', import.meta.url).pathname;
const PROCESSES = 8;

quotaContract({
  name: 'sqlite (8 processes for concurrency)',
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const db = join(dir, 'quota.sqlite');
    return {
      open: () => openSqliteQuotaStore(db),
      async hammer(calls, buyer, at) {
        const slices = Array.from({ length: PROCESSES }, (_, p) => calls.filter((_, i) => i % PROCESSES === p));
        const reports = await runTogether<HammerResult>(
          WORKER,
          slices.map((slice) => ({ db, secret: SECRET, buyer, at, calls: slice })),
        );
        // The processes really ran at the same time: their working windows overlap.
        expect(Math.max(...reports.map((r) => r.started))).toBeLessThan(Math.min(...reports.map((r) => r.finished)));
        return reports.flatMap((r) => r.results);
      },
      async dump() {
        // The raw bytes of the database and its WAL, read as text: an ID number would show.
        return readdirSync(dir)
          .map((f) => readFileSync(join(dir, f)).toString('latin1'))
          .join('\n');
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

describe('sqlite store', () => {
  it('uses WAL mode, a busy timeout and exact decimal text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    try {
      const store = await openSqliteQuotaStore(join(dir, 'q.sqlite'), { busyTimeoutMs: 1234 });
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(dir, 'q.sqlite'), { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const cols = db
        .prepare("SELECT name, type FROM pragma_table_info('sandan_quota_entry') WHERE name IN ('amount', 'refunded')")
        .all();
      expect(cols).toEqual([
        { name: 'amount', type: 'TEXT' },
        { name: 'refunded', type: 'TEXT' },
      ]);
      db.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is wrong with a file that cannot be opened', async () => {
    await expect(openSqliteQuotaStore('/nonexistent-dir/x/q.sqlite')).rejects.toMatchObject({
      code: 'QUOTA_STORE',
      message: expect.stringContaining('/nonexistent-dir/x/q.sqlite'),
    });
  });
});
