import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QuotaLedger } from '../../src/quota/index.js';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import { runTogether } from './processes.js';
import { BUYER, quotaContract, SECRET, type HammerResult } from './contract.js';

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

  it('adds the quantities column to a file made before it, once, and keeps its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const file = join(dir, 'old.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const columns = () => {
      const db = new Database(file, { readonly: true });
      const names = (
        db.prepare("SELECT name FROM pragma_table_info('sandan_quota_entry')").all() as Array<{ name: string }>
      ).map((c) => c.name);
      db.close();
      return names;
    };
    try {
      const first = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
      await first.reserve('OLD-1', BUYER, '100', '2026-02-01');
      await first.close();
      // The file as an older sandan left it: no quantities column.
      const raw = new Database(file);
      raw.exec('ALTER TABLE sandan_quota_entry DROP COLUMN quantities');
      raw.close();
      expect(columns()).not.toContain('quantities');
      for (let i = 0; i < 2; i++) {
        const l = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
        expect(columns().filter((c) => c === 'quantities')).toEqual(['quantities']);
        // The old row stated no quantities: what the buyer bought is unknown, its money still counts.
        expect(await l.usedQuantity(BUYER, 2026, '17019910', '035')).toBeUndefined();
        expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('100');
        await l.close();
      }
      // Stating the old order's quantities on a retry makes the year known.
      const l = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
      await l.reserve('OLD-1', BUYER, '100', '2026-02-01', {
        quantities: [{ hs8: '17019910', unit: '035', qty: '1.5' }],
      });
      expect((await l.usedQuantity(BUYER, 2026, '17019910', '035'))?.toFixed()).toBe('1.5');
      await l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers quantities while another process holds the write lock (readers never take it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const file = join(dir, 'q.sqlite');
    const Database = (await import('better-sqlite3')).default;
    try {
      const l = new QuotaLedger({
        store: await openSqliteQuotaStore(file, { busyTimeoutMs: 50, maxRetries: 0 }),
        secret: SECRET,
      });
      await l.reserve('R-1', BUYER, '10', '2026-02-01', { quantities: [{ hs8: '17019910', unit: '035', qty: '1.5' }] });
      const writer = new Database(file);
      writer.exec('BEGIN IMMEDIATE');
      try {
        expect((await l.usedQuantity(BUYER, 2026, '17019910', '035'))?.toFixed()).toBe('1.5');
        // A write does wait for the lock, so the lock was really held.
        await expect(l.reserve('R-2', BUYER, '10', '2026-02-01')).rejects.toMatchObject({ code: 'QUOTA_BUSY' });
      } finally {
        writer.exec('ROLLBACK');
        writer.close();
      }
      await l.close();
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
