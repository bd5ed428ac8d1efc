import { existsSync, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { SandanError, storeError } from '../errors.js';
import { describeInput, isRecord } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { loadSqliteDriver, notADatabaseFile } from '../io/optional.js';
import { backoff, Mutex, sleep } from './mutex.js';
import { orderLabel } from './core.js';
import {
  ENTRY_COLUMNS,
  entryOfRow,
  EVENT_COLUMNS,
  eventOfRow,
  FOUND_ORDER_SQL,
  RETURN_COLUMNS,
  returnOfRow,
  rowOfEntry,
  rowOfReturn,
  type EntryRowOf,
  type EventRowOf,
  type ReturnRowOf,
} from './rows.js';
import type { QuotaEntry, QuotaEvent, QuotaStore, QuotaTx } from './types.js';

/**
 * The embedded default store: one SQLite file (better-sqlite3, an optional dependency loaded
 * only here). WAL mode lets readers run beside the one writer; every write transaction is
 * `BEGIN IMMEDIATE`, so processes sharing the file take turns. A transaction waits for another
 * process's write lock at most `busyTimeoutMs` in all, then fails with `QUOTA_BUSY`. A store
 * opened with `readOnly` never takes the write lock: no schema changes, no writes, so it reads
 * while another process writes. Amounts are stored as exact decimal text in STRICT tables,
 * times as milliseconds since the epoch.
 */

/** Options of {@link openSqliteQuotaStore}. */
export interface SqliteQuotaStoreOptions {
  /**
   * Open for reading only (better-sqlite3 `readonly`): the file must already be a quota ledger,
   * nothing is created or migrated, and write transactions are refused. Readers never wait for
   * writers (WAL). Default false.
   */
  readOnly?: boolean | undefined;
  /**
   * The most one transaction (and the open) waits in all for another process's write lock, in
   * ms; default 5000. When it is exceeded the call fails with `QUOTA_BUSY`.
   */
  busyTimeoutMs?: number | undefined;
  /** How many times a transaction is retried within `busyTimeoutMs` after SQLite reported the database busy; default 20. */
  maxRetries?: number | undefined;
  /** `FULL` (default) syncs every commit to disk; `NORMAL` is faster and may lose the last commits on power loss (never corrupts). */
  synchronous?: 'FULL' | 'NORMAL' | undefined;
}

// (any other key is misuse: a misspelt readOnly opened the ledger for writing, creating it when missing)
const SQLITE_QUOTA_STORE_OPTION_NAMES = optionNames<SqliteQuotaStoreOptions>({
  readOnly: true,
  busyTimeoutMs: true,
  maxRetries: true,
  synchronous: true,
});
/** What the constructor takes of them. */
type SqliteQuotaStoreTakes = Pick<SqliteQuotaStoreOptions, 'readOnly' | 'busyTimeoutMs' | 'maxRetries'>;
const SQLITE_QUOTA_STORE_TAKES = optionNames<SqliteQuotaStoreTakes>({
  readOnly: true,
  busyTimeoutMs: true,
  maxRetries: true,
});

/** The default of {@link SqliteQuotaStoreOptions.busyTimeoutMs}. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * The entry table. An order is its platform's (`ebp_code`, `''` when not stated) and orderNo;
 * the key starts with order_no, so that it also finds every platform's order of one orderNo.
 */
const entryTable = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  ebp_code TEXT NOT NULL DEFAULT '',
  order_no TEXT NOT NULL,
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
  quantities TEXT,
  PRIMARY KEY (order_no, ebp_code)
) STRICT;`;

/**
 * The schema version this sandan writes: 2 keys orders by platform and orderNo (version 1: orderNo alone). The table
 * of return applications (`sandan_quota_return`) is an addition within version 2: a file without it gains it when
 * opened for writing and is read as having none when opened read-only, and a sandan from before it opens a file
 * that has it (it only leaves the table alone).
 */
const SCHEMA_VERSION = '2';

const SCHEMA = `
${entryTable('sandan_quota_entry')}
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
  key TEXT,
  ebp_code TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS sandan_quota_event_buyer ON sandan_quota_event (buyer_key, year, seq);
CREATE INDEX IF NOT EXISTS sandan_quota_event_order ON sandan_quota_event (order_no, ebp_code, seq);
CREATE UNIQUE INDEX IF NOT EXISTS sandan_quota_event_key ON sandan_quota_event (order_no, ebp_code, key) WHERE key IS NOT NULL;
CREATE TABLE IF NOT EXISTS sandan_quota_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS sandan_quota_return (
  ebp_code TEXT NOT NULL,
  order_no TEXT NOT NULL,
  cop_no TEXT NOT NULL,
  items TEXT NOT NULL,
  inventory TEXT NOT NULL,
  applied_at INTEGER NOT NULL,
  refunded TEXT,
  approved_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (order_no, ebp_code, cop_no)
) STRICT;
CREATE INDEX IF NOT EXISTS sandan_quota_return_cop ON sandan_quota_return (cop_no);
INSERT OR IGNORE INTO sandan_quota_meta (key, value) VALUES ('schema-version', '${SCHEMA_VERSION}');
`;

/** The columns of a table (none when it does not exist). */
function columnsOf(db: Db, table: string): string[] {
  return stmt<[string], { name: string }>(db, 'SELECT name FROM pragma_table_info(?)')
    .all(table)
    .map((c) => c.name);
}

/**
 * Brings a file made by an older sandan up to date; runs inside the open's write transaction,
 * before {@link SCHEMA} (which then creates what is missing). Version 1 keyed an entry by
 * orderNo alone: its entry table is copied into one keyed by platform and orderNo (SQLite cannot
 * change a primary key in place), its events get the platform column, their order indexes are
 * dropped (SCHEMA makes them anew with the platform), and every row's platform reads `''`: not
 * stated. The version becomes 2, which an older sandan refuses to open: it would take one
 * platform's order for another's.
 */
function migrate(db: Db): void {
  const entry = columnsOf(db, 'sandan_quota_entry');
  if (entry.length > 0 && !entry.includes('ebp_code')) {
    // Line quantities came before platforms: older rows without them did not state them.
    const quantities = entry.includes('quantities') ? 'quantities' : 'NULL';
    const cols =
      'order_no, buyer_key, year, amount, refunded, status, release_reason, order_at, expires_at, updated_at, cop_no, invt_no';
    db.exec(`${entryTable('sandan_quota_entry_v2')}
INSERT INTO sandan_quota_entry_v2 (ebp_code, ${cols}, quantities) SELECT '', ${cols}, ${quantities} FROM sandan_quota_entry ORDER BY rowid;
DROP TABLE sandan_quota_entry;
ALTER TABLE sandan_quota_entry_v2 RENAME TO sandan_quota_entry;`);
  }
  const event = columnsOf(db, 'sandan_quota_event');
  if (event.length > 0 && !event.includes('ebp_code'))
    db.exec(`ALTER TABLE sandan_quota_event ADD COLUMN ebp_code TEXT NOT NULL DEFAULT '';
DROP INDEX IF EXISTS sandan_quota_event_order;
DROP INDEX IF EXISTS sandan_quota_event_key;`);
  if (columnsOf(db, 'sandan_quota_meta').length > 0)
    db.exec(`UPDATE sandan_quota_meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema-version' AND value = '1'`);
}

type EntryRow = EntryRowOf<number>;
type ReturnRow = ReturnRowOf<number>;
type EventRow = EventRowOf<number, number>;
const time = (ms: number) => new Date(ms);

const toEntry = (r: EntryRow): QuotaEntry => entryOfRow(r, time);

const entryParams = (e: QuotaEntry) => rowOfEntry(e, (d) => d.getTime());

const toEvent = (r: EventRow): QuotaEvent => eventOfRow(r, time, (n: number) => n);

const toReturn = (r: ReturnRow) => returnOfRow(r, time);

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

/** A write statement, compiled on first use: a read-only store of an older file could not compile it, and never runs it. */
function lazy<P extends unknown[], R = unknown>(db: Db, source: string): SqliteStatement<P, R> {
  let compiled: SqliteStatement<P, R> | undefined;
  const s = () => (compiled ??= stmt<P, R>(db, source));
  return { get: (...p) => s().get(...p), all: (...p) => s().all(...p), run: (...p) => s().run(...p) };
}

/**
 * The statements of a store. `has` false for a column: a file made before it, read without
 * migrating it (read-only): rows read as not stating quantities, of no platform stated (`''`).
 */
function prepare(
  db: Db,
  has: { quantities: boolean; ebpCode: boolean; returns: boolean } = { quantities: true, ebpCode: true, returns: true },
) {
  const ebp = has.ebpCode ? 'ebp_code' : "''";
  let cols = has.quantities ? ENTRY_COLUMNS : ENTRY_COLUMNS.replace('quantities', 'NULL AS quantities');
  if (!has.ebpCode) cols = cols.replace('ebp_code', "'' AS ebp_code");
  const eventCols = has.ebpCode ? EVENT_COLUMNS : EVENT_COLUMNS.replace('ebp_code', "'' AS ebp_code");
  const byId = (col: string) =>
    stmt<[{ id: string; ebp: string | null }], EntryRow>(
      db,
      `SELECT ${cols} FROM sandan_quota_entry WHERE ${col} = @id AND (@ebp IS NULL OR ${ebp} IN (@ebp, '')) ${FOUND_ORDER_SQL(ebp)} LIMIT 1`,
    );
  return {
    get: stmt<[string, string], EntryRow>(
      db,
      `SELECT ${cols} FROM sandan_quota_entry WHERE order_no = ? AND ${ebp} = ?`,
    ),
    ofOrder: stmt<[string], EntryRow>(db, `SELECT ${cols} FROM sandan_quota_entry WHERE order_no = ?`),
    byInvt: byId('invt_no'),
    byCop: byId('cop_no'),
    entries: stmt<[string, number], EntryRow>(
      db,
      `SELECT ${cols} FROM sandan_quota_entry WHERE buyer_key = ? AND year = ? ORDER BY order_at, order_no${has.ebpCode ? ', ebp_code' : ''}`,
    ),
    insert: lazy<[Record<string, unknown>]>(
      db,
      `INSERT INTO sandan_quota_entry (${ENTRY_COLUMNS}) VALUES (@ebp_code, @order_no, @buyer_key, @year, @amount, @refunded, @status, @release_reason, @order_at, @expires_at, @updated_at, @cop_no, @invt_no, @quantities)`,
    ),
    update: lazy<[Record<string, unknown>]>(
      db,
      'UPDATE sandan_quota_entry SET buyer_key = @buyer_key, year = @year, amount = @amount, refunded = @refunded, status = @status, release_reason = @release_reason, order_at = @order_at, expires_at = @expires_at, updated_at = @updated_at, cop_no = @cop_no, invt_no = @invt_no, quantities = @quantities WHERE order_no = @order_no AND ebp_code = @ebp_code',
    ),
    addEvent: lazy<unknown[]>(
      db,
      'INSERT INTO sandan_quota_event (ebp_code, order_no, buyer_key, year, type, amount, at, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    events: stmt<[string, number], EventRow>(
      db,
      `SELECT ${eventCols} FROM sandan_quota_event WHERE buyer_key = ? AND year = ? ORDER BY seq`,
    ),
    orderEvents: stmt<[string, string], EventRow>(
      db,
      `SELECT ${eventCols} FROM sandan_quota_event WHERE order_no = ? AND ${ebp} = ? ORDER BY seq`,
    ),
    getMeta: stmt<[string], { value: string }>(db, 'SELECT value FROM sandan_quota_meta WHERE key = ?'),
    // (a file of an older sandan read without migrating it has no return applications: see SqliteQuotaStore.tx)
    orderReturns: lazy<[string, string], ReturnRow>(
      db,
      `SELECT ${RETURN_COLUMNS} FROM sandan_quota_return WHERE order_no = ? AND ebp_code = ? ORDER BY applied_at, cop_no`,
    ),
    returnsByCop: lazy<[string], ReturnRow>(
      db,
      `SELECT ${RETURN_COLUMNS} FROM sandan_quota_return WHERE cop_no = ? ORDER BY applied_at, order_no, ebp_code`,
    ),
    putReturn: lazy<[Record<string, unknown>]>(
      db,
      `INSERT INTO sandan_quota_return (${RETURN_COLUMNS}) VALUES (@ebp_code, @order_no, @cop_no, @items, @inventory, @applied_at, @refunded, @approved_at, @updated_at) ON CONFLICT (order_no, ebp_code, cop_no) DO UPDATE SET items = excluded.items, inventory = excluded.inventory, applied_at = excluded.applied_at, refunded = excluded.refunded, approved_at = excluded.approved_at, updated_at = excluded.updated_at`,
    ),
    hasReturns: has.returns,
    setMeta: lazy<[string, string]>(
      db,
      'INSERT INTO sandan_quota_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

/**
 * One lock per database file for all of this process's stores on it. A write transaction holds
 * SQLite's write lock across the awaits of its work; a second store's `BEGIN IMMEDIATE` on the
 * same file would then wait in SQLite's busy handler, which blocks the only thread, so the first
 * could never commit (both gave up with QUOTA_BUSY after the busy timeout). Keyed by device and
 * inode, so a link or another spelling of the path is the same file; counted, so a service that
 * opens a store per request does not keep one for each file it ever opened.
 */
const fileLocks = new Map<string, { lock: Mutex; stores: number }>();

function fileKey(db: Db): string | undefined {
  if (db.name === '' || db.name === ':memory:') return undefined;
  const st = statSync(db.name, { throwIfNoEntry: false, bigint: true });
  return st ? `${st.dev}:${st.ino}` : undefined;
}

/** A quota store in one SQLite file; open it with {@link openSqliteQuotaStore}. */
export class SqliteQuotaStore implements QuotaStore {
  // Its own name in the build, which calls it _SqliteQuotaStore or, in CommonJS, _class (as console.log shows it).
  static {
    Object.defineProperty(SqliteQuotaStore, 'name', { value: 'SqliteQuotaStore' });
  }
  readonly name: string;
  /** True when write transactions are refused (opened with `readOnly`). */
  readonly readOnly: boolean;
  private readonly lock: Mutex;
  private readonly fileKey: string | undefined;
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly maxRetries: number;
  private readonly busyTimeoutMs: number;

  /** Wraps an open better-sqlite3 database (or anything that fits {@link SqliteDatabase}) whose schema is in place; prefer {@link openSqliteQuotaStore}. */
  constructor(
    private readonly db: Db,
    options: SqliteQuotaStoreTakes = {},
  ) {
    if (!isRecord(db) || typeof (db as { prepare?: unknown }).prepare !== 'function')
      throw new SandanError(
        'QUOTA_INVALID',
        `SqliteQuotaStore takes an open better-sqlite3 database (prefer openSqliteQuotaStore), got ${describeInput(db)}`,
      );
    options = knownOptions(options, 'SqliteQuotaStore', SQLITE_QUOTA_STORE_TAKES, 'QUOTA_INVALID');
    this.name = `sqlite:${db.name}`;
    this.readOnly = options.readOnly === true;
    this.maxRetries = options.maxRetries ?? 20;
    this.busyTimeoutMs = checkBusyTimeout(options.busyTimeoutMs);
    const schema = schemaOf(db);
    this.stmts = prepare(db, {
      quantities: schema.hasQuantities,
      ebpCode: schema.hasEbpCode,
      returns: schema.hasReturns,
    });
    this.fileKey = fileKey(db);
    const shared = this.fileKey === undefined ? undefined : fileLocks.get(this.fileKey);
    if (shared) shared.stores++;
    else if (this.fileKey !== undefined) fileLocks.set(this.fileKey, { lock: new Mutex(), stores: 1 });
    this.lock = this.fileKey === undefined ? new Mutex() : fileLocks.get(this.fileKey)!.lock;
  }

  private readonly tx: QuotaTx = {
    // BEGIN IMMEDIATE already holds the database's one write lock.
    lockBuyerYear: async () => {},
    getEntry: async (ebpCode, orderNo) => {
      const r = this.stmts.get.get(orderNo, ebpCode);
      return r && toEntry(r);
    },
    orderEntries: async (orderNo) => this.stmts.ofOrder.all(orderNo).map(toEntry),
    findEntry: async (by) => {
      const ebp = by.ebpCode ?? null;
      const r =
        (by.invtNo !== undefined ? this.stmts.byInvt.get({ id: by.invtNo, ebp }) : undefined) ??
        (by.copNo !== undefined ? this.stmts.byCop.get({ id: by.copNo, ebp }) : undefined);
      return r && toEntry(r);
    },
    entries: async (buyerKey, year) => this.stmts.entries.all(buyerKey, year).map(toEntry),
    insertEntry: async (e) => void this.stmts.insert.run(entryParams(e)),
    updateEntry: async (e) => {
      const r = this.stmts.update.run(entryParams(e));
      if (r.changes !== 1) throw new SandanError('QUOTA_STORE', `Order ${orderLabel(e)} is not in ${this.name}`);
    },
    addEvent: async (ev) =>
      void this.stmts.addEvent.run(
        ev.ebpCode,
        ev.orderNo,
        ev.buyerKey,
        ev.year,
        ev.type,
        ev.amount.toFixed(),
        ev.at.getTime(),
        ev.key ?? null,
      ),
    events: async (buyerKey, year) => this.stmts.events.all(buyerKey, year).map(toEvent),
    orderEvents: async (ebpCode, orderNo) => this.stmts.orderEvents.all(orderNo, ebpCode).map(toEvent),
    getMeta: async (key) => this.stmts.getMeta.get(key)?.value,
    setMeta: async (key, value) => void this.stmts.setMeta.run(key, value),
    orderReturns: async (ebpCode, orderNo) =>
      this.stmts.hasReturns ? this.stmts.orderReturns.all(orderNo, ebpCode).map(toReturn) : [],
    returnsByCopNo: async (copNo) => (this.stmts.hasReturns ? this.stmts.returnsByCop.all(copNo).map(toReturn) : []),
    putReturn: async (r) => void this.stmts.putReturn.run(rowOfReturn(r, (d) => d.getTime())),
  };

  /**
   * Runs `work` in one SQLite transaction (`BEGIN IMMEDIATE` for writes, `BEGIN DEFERRED` for
   * reads): all or nothing. Transactions of this process take turns; a database kept busy by
   * other processes is waited for, at most `busyTimeoutMs` in all (the transaction is retried
   * from the start within that time), then `QUOTA_BUSY` is thrown. A read never waits for a
   * writer (WAL). A read-only store refuses write transactions with `QUOTA_INVALID`.
   */
  transaction<T>(work: (tx: QuotaTx) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    const read = options.readOnly === true;
    if (this.readOnly && !read)
      return Promise.reject(
        new SandanError(
          'QUOTA_INVALID',
          `${this.name} was opened read-only; open it without readOnly to change the ledger`,
        ),
      );
    return this.lock.run(async () => {
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        if (!this.db.open) throw new SandanError('QUOTA_STORE', `${this.name} is closed`);
        try {
          waitAtMost(this.db, this.busyTimeoutMs - (Date.now() - started));
          this.db.exec(read ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
          const result = await work(this.tx);
          this.db.exec('COMMIT');
          return result;
        } catch (e) {
          if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
          if (isBusy(e)) {
            const waited = Date.now() - started;
            if (waited < this.busyTimeoutMs && attempt < this.maxRetries) {
              await sleep(Math.min(backoff(attempt, 10, 500), this.busyTimeoutMs - waited));
              continue;
            }
            throw busyError(this.name, waited, e);
          }
          if (e instanceof SandanError) throw e;
          throw storeError('QUOTA_STORE', `${this.name}: transaction failed`, e);
        }
      }
    });
  }

  /** Closes the database file once running transactions have finished. */
  close(): Promise<void> {
    return this.lock.run(async () => {
      if (!this.db.open) return;
      this.db.close();
      const shared = this.fileKey === undefined ? undefined : fileLocks.get(this.fileKey);
      if (shared && --shared.stores === 0) fileLocks.delete(this.fileKey!);
    });
  }
}

function checkBusyTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_BUSY_TIMEOUT_MS;
  if (!(Number.isSafeInteger(ms) && ms >= 0))
    throw new SandanError(
      'QUOTA_INVALID',
      `busyTimeoutMs must be a whole number of milliseconds ≥ 0, got ${describeInput(ms)}`,
    );
  return ms;
}

/** Lets SQLite's busy handler wait at most `ms` (at least 0) for the next lock. */
function waitAtMost(db: Db, ms: number): void {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.ceil(ms))}`);
}

function busyError(name: string, waitedMs: number, cause: unknown): SandanError {
  return new SandanError(
    'QUOTA_BUSY',
    `${name}: another process holds the write lock of the quota database; gave up after waiting ${waitedMs} ms (busyTimeoutMs). Try again, or wait longer.`,
    { cause, details: { waitedMs } },
  );
}

/** How many tables the file has that are neither SQLite's own, the ledger's nor the emulator's (`emu_…`, which keeps its state beside the ledger). */
function otherTables(db: Db): number {
  return stmt<[], { n: number }>(
    db,
    "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'emu\\_%' ESCAPE '\\' AND name NOT IN ('sandan_quota_entry', 'sandan_quota_event', 'sandan_quota_meta', 'sandan_quota_return')",
  ).get()!.n;
}

/** What of the schema a file has, found by reading only. */
function schemaOf(db: Db): {
  tables: number;
  hasQuantities: boolean;
  hasEbpCode: boolean;
  /** The table of return applications (made by the sandan that first kept them; an older file has none). */
  hasReturns: boolean;
  version: string | undefined;
} {
  const tables = stmt<[], { name: string }>(
    db,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sandan_quota_entry', 'sandan_quota_event', 'sandan_quota_meta')",
  ).all();
  const has = (t: string) => tables.some((r) => r.name === t);
  const entry = columnsOf(db, 'sandan_quota_entry');
  const version = has('sandan_quota_meta')
    ? stmt<[], { value: string }>(db, "SELECT value FROM sandan_quota_meta WHERE key = 'schema-version'").get()?.value
    : undefined;
  return {
    tables: tables.length,
    hasQuantities: entry.includes('quantities'),
    hasEbpCode: entry.includes('ebp_code') && columnsOf(db, 'sandan_quota_event').includes('ebp_code'),
    hasReturns: columnsOf(db, 'sandan_quota_return').length > 0,
    version,
  };
}

/**
 * Opens a SQLite quota store. By default the file is created if missing and put in WAL mode,
 * and the schema is created or brought up to date (under the write lock, only when something
 * is missing). With `readOnly` the file is opened read-only: it must exist and be a quota
 * ledger, it is never written, and the open takes no lock a writer could be holding.
 * Throws `QUOTA_STORE` when better-sqlite3 is not installed, the file cannot be opened or is
 * not a ledger of a known version, and `QUOTA_BUSY` when another process held the write lock
 * for longer than `busyTimeoutMs`.
 */
export async function openSqliteQuotaStore(path: string, options?: SqliteQuotaStoreOptions): Promise<SqliteQuotaStore> {
  const opts = knownOptions(options, 'openSqliteQuotaStore', SQLITE_QUOTA_STORE_OPTION_NAMES, 'QUOTA_INVALID');
  if (typeof path !== 'string')
    throw new SandanError(
      'QUOTA_INVALID',
      `openSqliteQuotaStore takes the database's file path, got ${describeInput(path)}`,
    );
  const busyTimeoutMs = checkBusyTimeout(opts.busyTimeoutMs);
  const readOnly = opts.readOnly === true;
  const Database = await loadSqliteDriver('QUOTA_STORE', 'The SQLite quota store');
  if (readOnly && path !== ':memory:' && !existsSync(path))
    throw new SandanError(
      'QUOTA_STORE',
      `There is no quota ledger at ${path}: a read-only open does not create one (the first write, e.g. \`sandan quota reserve\`, does)`,
    );
  const notFile = notADatabaseFile(path);
  if (notFile) throw new SandanError('QUOTA_STORE', `Cannot open the quota database ${path}: ${notFile}`);
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path, { timeout: busyTimeoutMs, ...(readOnly && { readonly: true, fileMustExist: true }) });
  } catch (e) {
    throw storeError('QUOTA_STORE', `Cannot open the quota database ${path}${readOnly ? ' for reading' : ''}`, e);
  }
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      waitAtMost(db, busyTimeoutMs - (Date.now() - started));
      let schema = schemaOf(db);
      if (readOnly) {
        if (schema.tables < 3)
          throw new SandanError(
            'QUOTA_STORE',
            `${path} is not a sandan quota ledger (its tables are missing); a read-only open does not create them`,
          );
      } else {
        // A database of something else (a mistyped --db shop.db) is not made a ledger: its tables
        // would gain ours and the file would be put in WAL mode.
        if (schema.tables === 0 && otherTables(db) > 0)
          throw new SandanError(
            'QUOTA_STORE',
            `${path} is a database of something else (it has tables, none of them a sandan quota ledger's); name a new file or an existing ledger`,
          );
        // Another process may be creating the file at the same moment: the busy wait and retries cover it.
        if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
        db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
        db.pragma('foreign_keys = ON');
        // The write lock only when there is something to create or migrate: an up-to-date file
        // opens without waiting for a writer. A version this sandan does not know is left alone.
        const known = schema.version === undefined || schema.version === '1' || schema.version === SCHEMA_VERSION;
        const current =
          schema.tables === 3 &&
          schema.hasQuantities &&
          schema.hasEbpCode &&
          schema.hasReturns &&
          schema.version === SCHEMA_VERSION;
        if (known && !current) {
          db.exec('BEGIN IMMEDIATE');
          migrate(db);
          db.exec(SCHEMA);
          db.exec('COMMIT');
          schema = schemaOf(db);
        }
      }
      // A read-only store reads a version 1 file as it is (see prepare).
      if (schema.version !== SCHEMA_VERSION && !(readOnly && schema.version === '1'))
        throw new SandanError(
          'QUOTA_STORE',
          `${path} has quota schema version ${String(schema.version)}; this sandan knows versions 1 (upgraded when opened for writing) and ${SCHEMA_VERSION}`,
        );
      break;
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      const waited = Date.now() - started;
      if (isBusy(e) && waited < busyTimeoutMs && attempt < (opts.maxRetries ?? 20)) {
        await sleep(Math.min(backoff(attempt, 10, 500), busyTimeoutMs - waited));
        continue;
      }
      db.close();
      if (e instanceof SandanError) throw e;
      if (isBusy(e)) throw busyError(`sqlite:${path}`, waited, e);
      throw storeError('QUOTA_STORE', `Cannot prepare the quota database ${path}`, e);
    }
  }
  return new SqliteQuotaStore(db, {
    readOnly,
    busyTimeoutMs,
    ...(opts.maxRetries !== undefined && { maxRetries: opts.maxRetries }),
  });
}

/** Thrown on misuse and store failures (code `QUOTA_STORE`, …); re-exported so that this entry point needs no other import. */
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
