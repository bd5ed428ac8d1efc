import type BetterSqlite3 from 'better-sqlite3';
import { SandanError } from '../errors.js';
import { backoff, loadOptional, Mutex, sleep } from './mutex.js';
import { entryOfRow, eventOfRow, quantitiesText, type EntryRowOf, type EventRowOf } from './rows.js';
import type { QuotaEntry, QuotaEvent, QuotaStore, QuotaTx } from './types.js';

/**
 * The embedded default store: one SQLite file (better-sqlite3, an optional dependency loaded
 * only here). WAL mode lets readers run beside the one writer; every write transaction is
 * `BEGIN IMMEDIATE`, so processes sharing the file take turns, waiting up to the busy timeout
 * and then retrying. Amounts are stored as exact decimal text in STRICT tables, times as
 * milliseconds since the epoch.
 */

/** Options of {@link openSqliteQuotaStore}. */
export interface SqliteQuotaStoreOptions {
  /** How long one attempt waits for another process's write lock, in ms; default 5000. */
  busyTimeoutMs?: number;
  /** How many times a transaction is retried after the database stayed busy; default 20. */
  maxRetries?: number;
  /** `FULL` (default) syncs every commit to disk; `NORMAL` is faster and may lose the last commits on power loss (never corrupts). */
  synchronous?: 'FULL' | 'NORMAL';
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sandan_quota_entry (
  order_no TEXT PRIMARY KEY,
  buyer_key TEXT NOT NULL,
  year INTEGER NOT NULL,
  amount TEXT NOT NULL,
  refunded TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('reserved', 'committed', 'released')),
  release_reason TEXT CHECK (release_reason IN ('cancelled', 'expired')),
  order_at INTEGER NOT NULL,
  expires_at INTEGER,
  updated_at INTEGER NOT NULL,
  cop_no TEXT,
  invt_no TEXT,
  quantities TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS sandan_quota_entry_buyer ON sandan_quota_entry (buyer_key, year);
CREATE INDEX IF NOT EXISTS sandan_quota_entry_cop ON sandan_quota_entry (cop_no) WHERE cop_no IS NOT NULL;
CREATE INDEX IF NOT EXISTS sandan_quota_entry_invt ON sandan_quota_entry (invt_no) WHERE invt_no IS NOT NULL;
CREATE TABLE IF NOT EXISTS sandan_quota_event (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_no TEXT NOT NULL,
  buyer_key TEXT NOT NULL,
  year INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('reserve', 'commit', 'release', 'expire', 'refund')),
  amount TEXT NOT NULL,
  at INTEGER NOT NULL,
  key TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS sandan_quota_event_buyer ON sandan_quota_event (buyer_key, year, seq);
CREATE INDEX IF NOT EXISTS sandan_quota_event_order ON sandan_quota_event (order_no, seq);
CREATE UNIQUE INDEX IF NOT EXISTS sandan_quota_event_key ON sandan_quota_event (order_no, key) WHERE key IS NOT NULL;
CREATE TABLE IF NOT EXISTS sandan_quota_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
INSERT OR IGNORE INTO sandan_quota_meta (key, value) VALUES ('schema-version', '1');
`;

/**
 * Brings a file made by an older sandan up to date; runs inside the open's write transaction.
 * Added columns are nullable and older code names its columns, so the version stays 1.
 */
function migrate(db: Db): void {
  const cols = stmt<[], { name: string }>(db, 'PRAGMA table_info(sandan_quota_entry)').all();
  // Line quantities (null on older rows: not stated).
  if (!cols.some((c) => c.name === 'quantities')) db.exec('ALTER TABLE sandan_quota_entry ADD COLUMN quantities TEXT');
}

type EntryRow = EntryRowOf<number>;
type EventRow = EventRowOf<number, number>;
const time = (ms: number) => new Date(ms);

function toEntry(r: EntryRow): QuotaEntry {
  return entryOfRow(r, time);
}

function entryParams(e: QuotaEntry) {
  return {
    order_no: e.orderNo,
    buyer_key: e.buyerKey,
    year: e.year,
    amount: e.amount.toFixed(),
    refunded: e.refunded.toFixed(),
    status: e.status,
    release_reason: e.releaseReason ?? null,
    order_at: e.orderAt.getTime(),
    expires_at: e.expiresAt?.getTime() ?? null,
    updated_at: e.updatedAt.getTime(),
    cop_no: e.copNo ?? null,
    invt_no: e.invtNo ?? null,
    quantities: quantitiesText(e.quantities),
  };
}

function toEvent(r: EventRow): QuotaEvent {
  return eventOfRow(r, time, (n: number) => n);
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** A prepared statement: the part of better-sqlite3's `Statement` the stores use. */
export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  /** The first row, or undefined when there is none. */
  get(...params: P): R | undefined;
  /** All rows. */
  all(...params: P): R[];
  /** Runs a write; `changes` counts the rows it touched. */
  run(...params: P): { changes: number };
}

/**
 * The part of a better-sqlite3 `Database` the SQLite stores use. Declared here so that sandan's
 * types need neither better-sqlite3 nor @types/better-sqlite3; a better-sqlite3 `Database` fits it.
 */
export interface SqliteDatabase {
  /** The file name the database was opened with. */
  readonly name: string;
  /** False once closed. */
  readonly open: boolean;
  /** True inside BEGIN … COMMIT. */
  readonly inTransaction: boolean;
  /** Compiles one SQL statement. */
  prepare(source: string): SqliteStatement;
  /** Runs SQL text (any number of statements) without results. */
  exec(source: string): unknown;
  /** Closes the database. */
  close(): unknown;
}

type Db = SqliteDatabase;

/** One statement with its parameter and row types (better-sqlite3 checks neither; the SQL text decides both). */
function stmt<P extends unknown[], R = unknown>(db: Db, source: string): SqliteStatement<P, R> {
  return db.prepare(source) as SqliteStatement<P, R>;
}

function prepare(db: Db) {
  const cols =
    'order_no, buyer_key, year, amount, refunded, status, release_reason, order_at, expires_at, updated_at, cop_no, invt_no, quantities';
  return {
    get: stmt<[string], EntryRow>(db, `SELECT ${cols} FROM sandan_quota_entry WHERE order_no = ?`),
    byInvt: stmt<[string], EntryRow>(db, `SELECT ${cols} FROM sandan_quota_entry WHERE invt_no = ? LIMIT 1`),
    byCop: stmt<[string], EntryRow>(db, `SELECT ${cols} FROM sandan_quota_entry WHERE cop_no = ? LIMIT 1`),
    entries: stmt<[string, number], EntryRow>(
      db,
      `SELECT ${cols} FROM sandan_quota_entry WHERE buyer_key = ? AND year = ? ORDER BY order_at, order_no`,
    ),
    insert: stmt<[Record<string, unknown>]>(
      db,
      `INSERT INTO sandan_quota_entry (${cols}) VALUES (@order_no, @buyer_key, @year, @amount, @refunded, @status, @release_reason, @order_at, @expires_at, @updated_at, @cop_no, @invt_no, @quantities)`,
    ),
    update: stmt<[Record<string, unknown>]>(
      db,
      'UPDATE sandan_quota_entry SET buyer_key = @buyer_key, year = @year, amount = @amount, refunded = @refunded, status = @status, release_reason = @release_reason, order_at = @order_at, expires_at = @expires_at, updated_at = @updated_at, cop_no = @cop_no, invt_no = @invt_no, quantities = @quantities WHERE order_no = @order_no',
    ),
    addEvent: stmt<unknown[]>(
      db,
      'INSERT INTO sandan_quota_event (order_no, buyer_key, year, type, amount, at, key) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    events: stmt<[string, number], EventRow>(
      db,
      'SELECT * FROM sandan_quota_event WHERE buyer_key = ? AND year = ? ORDER BY seq',
    ),
    orderEvents: stmt<[string], EventRow>(db, 'SELECT * FROM sandan_quota_event WHERE order_no = ? ORDER BY seq'),
    getMeta: stmt<[string], { value: string }>(db, 'SELECT value FROM sandan_quota_meta WHERE key = ?'),
    setMeta: stmt<[string, string]>(
      db,
      'INSERT INTO sandan_quota_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

/** A quota store in one SQLite file; open it with {@link openSqliteQuotaStore}. */
export class SqliteQuotaStore implements QuotaStore {
  readonly name: string;
  private readonly lock = new Mutex();
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly maxRetries: number;

  /** Wraps an open better-sqlite3 database (or anything that fits {@link SqliteDatabase}) whose schema is in place; prefer {@link openSqliteQuotaStore}. */
  constructor(
    private readonly db: Db,
    options: { maxRetries?: number } = {},
  ) {
    this.name = `sqlite:${db.name}`;
    this.maxRetries = options.maxRetries ?? 20;
    this.stmts = prepare(db);
  }

  private readonly tx: QuotaTx = {
    // BEGIN IMMEDIATE already holds the database's one write lock.
    lockBuyerYear: async () => {},
    getEntry: async (orderNo) => {
      const r = this.stmts.get.get(orderNo);
      return r && toEntry(r);
    },
    findEntry: async (by) => {
      const r =
        (by.invtNo !== undefined ? this.stmts.byInvt.get(by.invtNo) : undefined) ??
        (by.copNo !== undefined ? this.stmts.byCop.get(by.copNo) : undefined);
      return r && toEntry(r);
    },
    entries: async (buyerKey, year) => this.stmts.entries.all(buyerKey, year).map(toEntry),
    insertEntry: async (e) => void this.stmts.insert.run(entryParams(e)),
    updateEntry: async (e) => {
      const r = this.stmts.update.run(entryParams(e));
      if (r.changes !== 1) throw new SandanError('QUOTA_STORE', `Order ${e.orderNo} is not in ${this.name}`);
    },
    addEvent: async (ev) =>
      void this.stmts.addEvent.run(
        ev.orderNo,
        ev.buyerKey,
        ev.year,
        ev.type,
        ev.amount.toFixed(),
        ev.at.getTime(),
        ev.key ?? null,
      ),
    events: async (buyerKey, year) => this.stmts.events.all(buyerKey, year).map(toEvent),
    orderEvents: async (orderNo) => this.stmts.orderEvents.all(orderNo).map(toEvent),
    getMeta: async (key) => this.stmts.getMeta.get(key)?.value,
    setMeta: async (key, value) => void this.stmts.setMeta.run(key, value),
  };

  /**
   * Runs `work` in one SQLite transaction (`BEGIN IMMEDIATE` for writes): all or nothing.
   * Transactions of this process take turns; a database kept busy by other processes is
   * waited for and the transaction retried from the start.
   */
  transaction<T>(work: (tx: QuotaTx) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    return this.lock.run(async () => {
      for (let attempt = 0; ; attempt++) {
        if (!this.db.open) throw new SandanError('QUOTA_STORE', `${this.name} is closed`);
        try {
          this.db.exec(options.readOnly ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
          const result = await work(this.tx);
          this.db.exec('COMMIT');
          return result;
        } catch (e) {
          if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
          if (isBusy(e) && attempt < this.maxRetries) {
            await sleep(backoff(attempt, 10, 500));
            continue;
          }
          if (e instanceof SandanError) throw e;
          throw new SandanError(
            'QUOTA_STORE',
            `${this.name}: ${isBusy(e) ? `still busy after ${attempt + 1} attempts` : 'transaction failed'}: ${e instanceof Error ? e.message : String(e)}`,
            { cause: e },
          );
        }
      }
    });
  }

  /** Closes the database file once running transactions have finished. */
  close(): Promise<void> {
    return this.lock.run(async () => {
      if (this.db.open) this.db.close();
    });
  }
}

/**
 * Opens (creating if needed) a SQLite quota store: WAL mode, a busy timeout, the schema.
 * Throws `QUOTA_STORE` when better-sqlite3 is not installed or the file cannot be opened.
 */
export async function openSqliteQuotaStore(
  path: string,
  options: SqliteQuotaStoreOptions = {},
): Promise<SqliteQuotaStore> {
  let Database: typeof BetterSqlite3;
  try {
    Database = (await loadOptional<{ default: typeof BetterSqlite3 }>('better-sqlite3')).default;
  } catch (e) {
    throw new SandanError(
      'QUOTA_STORE',
      'The SQLite quota store needs the optional dependency better-sqlite3: npm install better-sqlite3',
      { cause: e },
    );
  }
  const timeout = options.busyTimeoutMs ?? 5000;
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path, { timeout });
  } catch (e) {
    throw new SandanError(
      'QUOTA_STORE',
      `Cannot open the quota database ${path}: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  for (let attempt = 0; ; attempt++) {
    try {
      // Another process may be creating the file at the same moment: the busy timeout and retries cover it.
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      db.pragma('foreign_keys = ON');
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA}`);
      migrate(db);
      db.exec('COMMIT');
      const version = stmt<[], { value: string }>(
        db,
        "SELECT value FROM sandan_quota_meta WHERE key = 'schema-version'",
      ).get()?.value;
      if (version !== '1')
        throw new SandanError(
          'QUOTA_STORE',
          `${path} has quota schema version ${String(version)}; this sandan knows version 1`,
        );
      break;
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (isBusy(e) && attempt < (options.maxRetries ?? 20)) {
        await sleep(backoff(attempt, 10, 500));
        continue;
      }
      db.close();
      if (e instanceof SandanError) throw e;
      throw new SandanError(
        'QUOTA_STORE',
        `Cannot prepare the quota database ${path}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
  return new SqliteQuotaStore(db, { ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }) });
}

/** Thrown on misuse and store failures (code `QUOTA_STORE`, …); re-exported so that this entry point needs no other import. */
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
