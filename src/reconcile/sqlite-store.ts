import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SandanError } from '../errors.js';
import { compareMismatch, inventoryKeyList, type InventoryKeys, type ReconcileStore, type StoredBill, type StoredMismatch } from './store.js';
import type { TaxBill, TaxBillStatus } from './types.js';

/*
 * The on-disk index: one temporary SQLite file (better-sqlite3, an optional dependency)
 * holding bills, receipt links, approved cancels and refunds, seen orders and the spooled
 * rows, so a reconciliation of millions of orders runs in bounded memory. The file lives in
 * a fresh temporary directory and is deleted by close().
 */

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Directory for the temporary file (default: the OS temporary directory). */
  dir?: string;
  /** SQLite page cache in MiB (default 64). */
  cacheMiB?: number;
}

const SCHEMA = `
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA temp_store = FILE;
CREATE TABLE bill (taxNo TEXT PRIMARY KEY, invtNo TEXT NOT NULL, returnTime TEXT, status TEXT, customsTax TEXT, valueAddedTax TEXT, consumptionTax TEXT, customsCode TEXT, claimed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
CREATE INDEX bill_invt ON bill (invtNo);
CREATE TABLE voided (taxNo TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE link (key TEXT PRIMARY KEY, invtNo TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE final (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE seen (orderNo TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE row (seq INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE mismatch (seq INTEGER PRIMARY KEY, sortKey INTEGER NOT NULL, orderNo TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);
`;

interface BillRow {
  taxNo: string;
  invtNo: string;
  returnTime: string | null;
  status: string | null;
  customsTax: string;
  valueAddedTax: string;
  consumptionTax: string;
  customsCode: string | null;
  voided: number;
}

const BILL_COLUMNS = 'b.taxNo, b.invtNo, b.returnTime, b.status, b.customsTax, b.valueAddedTax, b.consumptionTax, b.customsCode, EXISTS (SELECT 1 FROM voided v WHERE v.taxNo = b.taxNo) AS voided';

function toStored(r: BillRow): StoredBill {
  const status = r.status ?? '';
  return {
    invtNo: r.invtNo,
    taxNo: r.taxNo,
    returnTime: r.returnTime ?? '',
    status,
    void: status === '3' || r.voided === 1,
    customsTax: r.customsTax,
    valueAddedTax: r.valueAddedTax,
    consumptionTax: r.consumptionTax,
    customsCode: r.customsCode ?? undefined,
  };
}

/** A {@link ReconcileStore} in a temporary SQLite file. */
export class SqliteStore implements ReconcileStore {
  private readonly st: Record<string, BetterSqlite3.Statement>;
  private ops = 0;

  /** Wraps an open database; prefer {@link openSqliteStore}. */
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly dir: string | undefined,
  ) {
    db.exec(SCHEMA);
    this.st = {
      addBill: db.prepare('INSERT OR IGNORE INTO bill (taxNo, invtNo, returnTime, status, customsTax, valueAddedTax, consumptionTax, customsCode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      void: db.prepare('INSERT OR IGNORE INTO voided (taxNo) VALUES (?)'),
      link: db.prepare('INSERT OR REPLACE INTO link (key, invtNo) VALUES (?, ?)'),
      final: db.prepare('INSERT OR IGNORE INTO final (key) VALUES (?)'),
      getLink: db.prepare('SELECT invtNo FROM link WHERE key = ?').pluck(),
      finals: db.prepare('SELECT key FROM final WHERE key IN (?, ?, ?, ?, ?, ?)').pluck(),
      bills: db.prepare(`SELECT ${BILL_COLUMNS} FROM bill b WHERE b.invtNo = ? ORDER BY b.taxNo`),
      claim: db.prepare('UPDATE bill SET claimed = 1 WHERE invtNo = ? RETURNING taxNo, invtNo, returnTime, status, customsTax, valueAddedTax, consumptionTax, customsCode, EXISTS (SELECT 1 FROM voided v WHERE v.taxNo = bill.taxNo) AS voided'),
      unclaimedPage: db.prepare('SELECT DISTINCT invtNo FROM bill WHERE claimed = 0 AND invtNo > ? ORDER BY invtNo LIMIT 1000').pluck(),
      seen: db.prepare('INSERT OR IGNORE INTO seen (orderNo) VALUES (?)'),
      putRow: db.prepare('INSERT INTO row (json) VALUES (?)'),
      rows: db.prepare('SELECT json FROM row ORDER BY seq').pluck(),
      putMismatch: db.prepare('INSERT INTO mismatch (sortKey, orderNo, kind, json) VALUES (?, ?, ?, ?)'),
      mismatches: db.prepare('SELECT json FROM mismatch ORDER BY sortKey DESC, orderNo, kind').pluck(),
    };
  }

  /** Commits now and then so that one transaction does not grow without bound. */
  private tick(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
    else if (++this.ops % 100_000 === 0) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
    }
  }
  private commit(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  addBill(b: TaxBill): boolean {
    this.tick();
    const r = this.st.addBill!.run(b.taxNo, b.invtNo, b.returnTime, b.status, b.customsTax.toFixed(), b.valueAddedTax.toFixed(), b.consumptionTax.toFixed(), b.customsCode ?? null);
    return r.changes === 1;
  }
  addBillStatus(s: TaxBillStatus): void {
    this.tick();
    if (s.status === '3') this.st.void!.run(s.taxNo);
  }
  addLink(kind: 'copNo' | 'preNo', key: string, invtNo: string): void {
    this.tick();
    this.st.link!.run(`${kind}:${key}`, invtNo);
  }
  addFinal(kind: 'cancel' | 'refund', keys: InventoryKeys): void {
    this.tick();
    for (const k of inventoryKeyList(keys)) this.st.final!.run(`${kind}:${k}`);
  }
  invtNoBy(kind: 'copNo' | 'preNo', key: string): string | undefined {
    return this.st.getLink!.get(`${kind}:${key}`) as string | undefined;
  }
  finals(keys: InventoryKeys): { cancelled: boolean; refunded: boolean } {
    const list = inventoryKeyList(keys);
    if (list.length === 0) return { cancelled: false, refunded: false };
    const params = [...list.map((k) => `cancel:${k}`), ...list.map((k) => `refund:${k}`)];
    while (params.length < 6) params.push('');
    const found = this.st.finals!.all(...params) as string[];
    return { cancelled: found.some((k) => k.startsWith('cancel:')), refunded: found.some((k) => k.startsWith('refund:')) };
  }
  claimBills(invtNo: string): StoredBill[] {
    this.tick();
    const rows = this.st.claim!.all(invtNo) as BillRow[];
    if (rows.length > 1) rows.sort((a, b) => (a.taxNo < b.taxNo ? -1 : a.taxNo > b.taxNo ? 1 : 0));
    return rows.map(toStored);
  }
  *unclaimedBills(): Iterable<StoredBill[]> {
    // Paged by invtNo (no open cursor), so the caller may write rows between groups.
    let after = '';
    for (;;) {
      const page = this.st.unclaimedPage!.all(after) as string[];
      if (page.length === 0) return;
      for (const invtNo of page) {
        const group = (this.st.bills!.all(invtNo) as BillRow[]).map(toStored);
        if (group.length) yield group;
      }
      after = page[page.length - 1]!;
    }
  }
  firstSighting(orderNo: string): boolean {
    this.tick();
    return this.st.seen!.run(orderNo).changes === 1;
  }
  putRow(json: string): void {
    this.tick();
    this.st.putRow!.run(json);
  }
  putMismatch(e: StoredMismatch, sortKey: number): void {
    this.tick();
    this.st.putMismatch!.run(sortKey, e.orderNo, e.kind, JSON.stringify(e));
  }
  *rows(): Iterable<string> {
    this.commit();
    yield* this.st.rows!.iterate() as Iterable<string>;
  }
  *mismatches(): Iterable<StoredMismatch> {
    this.commit();
    for (const j of this.st.mismatches!.iterate() as Iterable<string>) yield JSON.parse(j) as StoredMismatch;
  }
  close(): void {
    if (this.db.open) this.db.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Same order as {@link compareMismatch} (kept for readers comparing the two stores). */
export const mismatchOrder = compareMismatch;

/**
 * Opens a store in a fresh temporary directory. Throws `RECONCILE_INDEX` when better-sqlite3
 * (an optional dependency) is not installed or the file cannot be created.
 */
export async function openSqliteStore(options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  let Database: typeof BetterSqlite3;
  try {
    const specifier = 'better-sqlite3';
    Database = ((await import(specifier)) as { default: typeof BetterSqlite3 }).default;
  } catch (e) {
    throw new SandanError('RECONCILE_INDEX', 'The on-disk reconciliation index needs the optional dependency better-sqlite3: npm install better-sqlite3 (or use the in-memory index for small inputs)', { cause: e });
  }
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(options.dir ?? tmpdir(), 'sandan-reconcile-'));
    const db = new Database(join(dir, 'index.sqlite'));
    db.pragma(`cache_size = -${(options.cacheMiB ?? 64) * 1024}`);
    return new SqliteStore(db, dir);
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    throw new SandanError('RECONCILE_INDEX', `Cannot create the reconciliation index: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
