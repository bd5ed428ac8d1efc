import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { reconcile, type TaxBill } from '../../src/reconcile/index.js';
import type { SqliteDatabase } from '../../src/quota/sqlite.js';
import { SqliteStore } from '../../src/reconcile/sqlite-store.js';
import { calculate } from './helpers.js';

/*
 * The on-disk index running out of room: a month's bills on a full TMPDIR gave "internal error: database or disk
 * is full". SQLite's own cap on the database's pages (max_page_count) fails its writes the same way (SQLITE_FULL)
 * without filling a disk; test/cli/bin.test.ts fills a real one where the machine can mount a small tmpfs.
 */
describe('a reconciliation index that runs out of room', () => {
  it('is RECONCILE_INDEX naming where the index is, not an internal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-full-index-'));
    const file = join(dir, 'index.sqlite');
    const db = new Database(file);
    const store = new SqliteStore(db as unknown as SqliteDatabase, undefined);
    // Room for the schema and a few pages more: 2,000 bills need far more.
    db.pragma(`max_page_count = ${(db.pragma('page_count', { simple: true }) as number) + 8}`);
    const bills: TaxBill[] = Array.from({ length: 2000 }, (_, i) => ({
      invtNo: `INVT${String(i).padStart(14, '0')}`,
      taxNo: `TAX${String(i).padStart(17, '0')}`,
      returnTime: '20261120120000000',
      status: '1',
      customsTax: new Decimal('0'),
      valueAddedTax: new Decimal('9.10'),
      consumptionTax: new Decimal('0'),
    }));
    try {
      await expect(reconcile({ declarations: [], bills }, { calculate, store })).rejects.toMatchObject({
        name: 'SandanError',
        code: 'RECONCILE_INDEX',
        message: `The disk holding the reconciliation index (${file}) is full: database or disk is full`,
        details: { errno: 'SQLITE_FULL', disk: 'full' },
      });
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
