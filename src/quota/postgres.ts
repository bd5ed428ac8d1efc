import type * as Pg from 'pg';
import { SandanError } from '../errors.js';
import { describeInput, isRecord } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { redactSecrets, redactedCause, redactedMessage } from '../redact.js';
import { loadOptional } from '../io/optional.js';
import { backoff, sleep } from './mutex.js';
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
 * The shared store for a fleet of order services: PostgreSQL through `pg` (an optional
 * dependency loaded only here). Each transaction runs at READ COMMITTED on its own pooled
 * connection and takes a transaction-scoped advisory lock per buyer-year before it reads
 * what decides a write, so reservations of one buyer queue while other buyers run in
 * parallel. Serialization failures, deadlocks and a racing insert of the same order (platform
 * and orderNo) roll the transaction back and run it again. Amounts are NUMERIC(19,5), times timestamptz.
 * Opening reads the schema first and takes the schema lock (and runs DDL) only when something
 * is missing; a store opened with `readOnly` never does, and runs only READ ONLY transactions.
 */

/** Options of {@link openPostgresQuotaStore}. */
export interface PostgresQuotaStoreOptions {
  /**
   * Read only: the schema must already be in place (it is checked by reading, never created or
   * migrated), and only READ ONLY transactions run; writes are refused. Default false.
   */
  readOnly?: boolean | undefined;
  /** Schema holding the tables (created if missing); default `public`. */
  schema?: string | undefined;
  /** How many times a transaction is retried after a conflict; default 20. */
  maxRetries?: number | undefined;
  /** Pool size when the store makes its own pool from a URL; default 10. */
  poolSize?: number | undefined;
}

// (any other key is misuse: a misspelt readOnly opened the ledger for writing, a misspelt schema used `public`)
const POSTGRES_QUOTA_STORE_OPTION_NAMES = optionNames<PostgresQuotaStoreOptions>({
  readOnly: true,
  schema: true,
  maxRetries: true,
  poolSize: true,
});

/** What the constructor takes (openPostgresQuotaStore passes the table's columns it found, and the pool's owner). */
const POSTGRES_QUOTA_STORE_TAKES = optionNames<NonNullable<ConstructorParameters<typeof PostgresQuotaStore>[1]>>({
  schema: true,
  maxRetries: true,
  ownsPool: true,
  name: true,
  readOnly: true,
  columns: true,
});

/** The constructor's `columns`: which of the columns later sandans added the tables have. */
const POSTGRES_QUOTA_COLUMNS = optionNames<
  NonNullable<NonNullable<ConstructorParameters<typeof PostgresQuotaStore>[1]>['columns']>
>({
  ebpCode: true,
  quantities: true,
  returns: true,
});

/** A query result: the part of pg's `QueryResult` the store reads. */
export interface PostgresQueryResult<R> {
  /** The rows returned. */
  rows: R[];
  /** Rows returned or touched; null for commands that report none. */
  rowCount: number | null;
}

/** A pooled connection: the part of pg's `PoolClient` the store uses. */
export interface PostgresClient {
  /** Runs one parameterised query (`$1`, `$2`, …). */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PostgresQueryResult<R>>;
  /** Gives the connection back to the pool; an error destroys it instead. */
  release(err?: Error | boolean): void;
}

/**
 * The part of a `pg` Pool the store uses. Declared here so that sandan's types need neither pg
 * nor @types/pg; a `pg` Pool fits it.
 */
export interface PostgresPool {
  /** Checks a connection out of the pool. */
  connect(): Promise<PostgresClient>;
  /** Runs one query on any connection. */
  query(text: string, values?: unknown[]): Promise<unknown>;
  /** Closes every connection of the pool. */
  end(): Promise<void>;
}

/** Options of a new `pg` Pool (handed to `new pg.Pool()` unchanged; see pg's `PoolConfig` for the rest). */
export interface PostgresPoolConfig {
  /** `postgres://user:password@host:port/database`. */
  connectionString?: string | undefined;
  /** Server host name or socket directory. */
  host?: string | undefined;
  /** Server port. */
  port?: number | undefined;
  /** User name. */
  user?: string | undefined;
  /** Password, or a function giving one. */
  password?: string | (() => string | Promise<string>) | undefined;
  /** Database name. */
  database?: string | undefined;
  /** TLS: true, or node:tls connection options. */
  ssl?: boolean | object | undefined;
  /** Most connections in the pool. */
  max?: number | undefined;
  /** Any other pg Pool option. */
  // biome-ignore lint/suspicious/noExplicitAny: lets pg's own PoolConfig (an interface without an index signature) be passed as is.
  [option: string]: any;
}

type Pool = PostgresPool;
/** pg's pools and clients are event emitters; the store's interfaces do not require it of a pool passed in. */
type EventSource = {
  on?(event: 'error', listener: (e: Error) => void): unknown;
  removeListener?(event: 'error', listener: (e: Error) => void): unknown;
};
type PoolClient = PostgresClient;

/** Lock class of sandan's advisory locks (the two-int form keeps them apart from other users of advisory locks). */
const LOCK_CLASS = 0x5344_5141; // "SDQA"
const SCHEMA_LOCK = 1;
const RETRY_CODES = new Set(['40001', '40P01', '23505', '55P03']);

/**
 * The schema version this sandan writes: 2 keys orders by platform and orderNo (version 1: orderNo alone). The table
 * of return applications (`sandan_quota_return`) is an addition within version 2: tables without it gain it when
 * opened for writing and are read as having none when opened read-only, and a sandan from before it opens a schema
 * that has it (it only leaves the table alone).
 */
const SCHEMA_VERSION = '2';

/**
 * The schema, created where missing. An order is its platform's (`ebp_code`, `''` when not
 * stated) and orderNo; the key starts with order_no, so that it also finds every platform's
 * order of one orderNo.
 */
function ddl(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.sandan_quota_entry (
  ebp_code text NOT NULL DEFAULT '',
  order_no text NOT NULL,
  buyer_key text NOT NULL,
  year integer NOT NULL,
  amount numeric(19,5) NOT NULL CHECK (amount >= 0),
  refunded numeric(19,5) NOT NULL CHECK (refunded >= 0 AND refunded <= amount),
  status text NOT NULL CHECK (status IN ('reserved', 'committed', 'released')),
  release_reason text CHECK (release_reason IN ('cancelled', 'expired')),
  order_at timestamptz NOT NULL,
  expires_at timestamptz,
  updated_at timestamptz NOT NULL,
  cop_no text,
  invt_no text,
  quantities text,
  PRIMARY KEY (order_no, ebp_code)
);
CREATE INDEX IF NOT EXISTS sandan_quota_entry_buyer ON ${s}.sandan_quota_entry (buyer_key, year);
CREATE INDEX IF NOT EXISTS sandan_quota_entry_cop ON ${s}.sandan_quota_entry (cop_no) WHERE cop_no IS NOT NULL;
CREATE INDEX IF NOT EXISTS sandan_quota_entry_invt ON ${s}.sandan_quota_entry (invt_no) WHERE invt_no IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.sandan_quota_event (
  seq bigserial PRIMARY KEY,
  order_no text NOT NULL,
  buyer_key text NOT NULL,
  year integer NOT NULL,
  type text NOT NULL CHECK (type IN ('reserve', 'commit', 'release', 'expire', 'refund')),
  amount numeric(19,5) NOT NULL,
  at timestamptz NOT NULL,
  key text,
  ebp_code text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sandan_quota_event_buyer ON ${s}.sandan_quota_event (buyer_key, year, seq);
CREATE INDEX IF NOT EXISTS sandan_quota_event_order ON ${s}.sandan_quota_event (order_no, ebp_code, seq);
CREATE UNIQUE INDEX IF NOT EXISTS sandan_quota_event_key ON ${s}.sandan_quota_event (order_no, ebp_code, key) WHERE key IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.sandan_quota_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.sandan_quota_return (
  ebp_code text NOT NULL,
  order_no text NOT NULL,
  cop_no text NOT NULL,
  items text NOT NULL,
  inventory text NOT NULL,
  applied_at timestamptz NOT NULL,
  refunded numeric(19,5) CHECK (refunded >= 0),
  approved_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (order_no, ebp_code, cop_no)
);
CREATE INDEX IF NOT EXISTS sandan_quota_return_cop ON ${s}.sandan_quota_return (cop_no);
INSERT INTO ${s}.sandan_quota_meta (key, value) VALUES ('schema-version', '${SCHEMA_VERSION}') ON CONFLICT (key) DO NOTHING;
`;
}

/**
 * Brings tables made by an older sandan up to date, under the schema lock, before {@link ddl}
 * (which then creates what is missing). Columns are looked up first, because ALTER TABLE takes an
 * exclusive table lock even when IF NOT EXISTS finds the column. Line quantities: a nullable
 * column (older rows did not state them). Version 1 keyed an entry by orderNo alone: entries and
 * events get the platform column (`''` on every older row: not stated), the entry key becomes
 * (order_no, ebp_code), and the events' order indexes are dropped (ddl makes them anew with the
 * platform). The version becomes 2, which an older sandan refuses to open: it would take
 * one platform's order for another's.
 */
async function migrate(client: PoolClient, schema: string, s: string): Promise<void> {
  const r = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name IN ('sandan_quota_entry', 'sandan_quota_event')",
    [schema],
  );
  const has = (table: string, column: string) => r.rows.some((c) => c.table_name === table && c.column_name === column);
  const entry = r.rows.some((c) => c.table_name === 'sandan_quota_entry');
  const event = r.rows.some((c) => c.table_name === 'sandan_quota_event');
  if (entry && !has('sandan_quota_entry', 'quantities'))
    await client.query(`ALTER TABLE ${s}.sandan_quota_entry ADD COLUMN IF NOT EXISTS quantities text`);
  if (entry && !has('sandan_quota_entry', 'ebp_code')) {
    // The primary key of version 1 is the one on order_no alone, whatever its name.
    const pk = await client.query<{ conname: string }>(
      "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'",
      [`${s}.sandan_quota_entry`],
    );
    const drop = pk.rows.map((c) => `, DROP CONSTRAINT "${c.conname.replaceAll('"', '""')}"`).join('');
    await client.query(`ALTER TABLE ${s}.sandan_quota_entry ADD COLUMN ebp_code text NOT NULL DEFAULT ''${drop}`);
    await client.query(`ALTER TABLE ${s}.sandan_quota_entry ADD PRIMARY KEY (order_no, ebp_code)`);
  }
  if (event && !has('sandan_quota_event', 'ebp_code')) {
    await client.query(`ALTER TABLE ${s}.sandan_quota_event ADD COLUMN ebp_code text NOT NULL DEFAULT ''`);
    await client.query(`DROP INDEX IF EXISTS ${s}.sandan_quota_event_order`);
    await client.query(`DROP INDEX IF EXISTS ${s}.sandan_quota_event_key`);
  }
  const meta = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
    `${s}.sandan_quota_meta`,
  ]);
  if (meta.rows[0]?.ok === true)
    await client.query(`UPDATE ${s}.sandan_quota_meta SET value = $1 WHERE key = 'schema-version' AND value = '1'`, [
      SCHEMA_VERSION,
    ]);
}

type EntryRow = EntryRowOf<Date>;
type EventRow = EventRowOf<Date, string>;
const time = (d: Date) => d;

const toEntry = (r: EntryRow): QuotaEntry => entryOfRow(r, time);

/** The entry's values as `$1` … `$14` in {@link ENTRY_COLUMNS}' order. */
const entryValues = (e: QuotaEntry): unknown[] => Object.values(rowOfEntry(e, time));

const toEvent = (r: EventRow): QuotaEvent => eventOfRow(r, time, (s: string) => Number(s));

const toReturn = (r: ReturnRowOf<Date>) => returnOfRow(r, time);

/** A quota store in PostgreSQL; open it with {@link openPostgresQuotaStore}. */
export class PostgresQuotaStore implements QuotaStore {
  readonly name: string;
  /** True when write transactions are refused (opened with `readOnly`). */
  readonly readOnly: boolean;
  private readonly t: { entry: string; event: string; meta: string; returns: string };
  private readonly maxRetries: number;
  /** Which of the columns later sandans added the tables have (a read-only store reads older tables as they are). */
  private readonly has: { ebpCode: boolean; quantities: boolean; returns: boolean };

  /**
   * Wraps a pool whose schema is in place; prefer {@link openPostgresQuotaStore}. `columns`: the
   * tables lack a column a later sandan added (default: they have all), which only a read-only
   * store reads, without migrating them.
   */
  constructor(
    private readonly pool: Pool,
    options: {
      schema?: string | undefined;
      maxRetries?: number | undefined;
      ownsPool?: boolean | undefined;
      name?: string | undefined;
      readOnly?: boolean | undefined;
      columns?: { ebpCode: boolean; quantities: boolean; returns?: boolean | undefined } | undefined;
    } = {},
  ) {
    options = knownOptions(options, 'PostgresQuotaStore', POSTGRES_QUOTA_STORE_TAKES, 'QUOTA_INVALID');
    // (a misspelt column was read as one the tables have)
    knownOptions(options.columns, 'PostgresQuotaStore', POSTGRES_QUOTA_COLUMNS, 'QUOTA_INVALID', 'columns');
    this.readOnly = options.readOnly === true;
    this.has = { ebpCode: true, quantities: true, ...options.columns, returns: options.columns?.returns ?? true };
    if (!(this.has.ebpCode && this.has.quantities) && !this.readOnly)
      throw new SandanError(
        'QUOTA_INVALID',
        'PostgreSQL quota tables of an older sandan can only be read as they are; open them with openPostgresQuotaStore to upgrade them',
      );
    const s = quoteSchema(options.schema ?? 'public');
    this.t = {
      entry: `${s}.sandan_quota_entry`,
      event: `${s}.sandan_quota_event`,
      meta: `${s}.sandan_quota_meta`,
      returns: `${s}.sandan_quota_return`,
    };
    this.maxRetries = options.maxRetries ?? 20;
    this.ownsPool = options.ownsPool ?? false;
    this.name = options.name ?? `postgres:${options.schema ?? 'public'}`;
  }

  private readonly ownsPool: boolean;

  private txOf(c: PoolClient): QuotaTx {
    const { entry, event, meta, returns } = this.t;
    // (tables of an older sandan read without migrating them have no return applications)
    const readReturns = async (where: string, params: string[]) =>
      !this.has.returns || params.some((p) => p.includes('\u0000'))
        ? []
        : (
            await c.query<ReturnRowOf<Date>>(
              `SELECT ${RETURN_COLUMNS} FROM ${returns} WHERE ${where} ORDER BY applied_at, order_no COLLATE "C", ebp_code COLLATE "C", cop_no COLLATE "C"`,
              params,
            )
          ).rows.map(toReturn);
    // Tables of an older sandan read without migrating them (read-only): every row of no platform
    // stated, and stating no quantities when the column is missing.
    const ebp = this.has.ebpCode ? 'ebp_code' : "''";
    let cols = this.has.ebpCode ? ENTRY_COLUMNS : ENTRY_COLUMNS.replace('ebp_code', "'' AS ebp_code");
    if (!this.has.quantities) cols = cols.replace('quantities', 'NULL AS quantities');
    const eventCols = this.has.ebpCode ? EVENT_COLUMNS : EVENT_COLUMNS.replace('ebp_code', "'' AS ebp_code");
    const one = async (sql: string, params: unknown[]) => {
      const r = await c.query<EntryRow>(sql, params);
      return r.rows[0] && toEntry(r.rows[0]);
    };
    // A value with U+0000 is in no row (PostgreSQL's text cannot hold it, so every write refuses it): such a read finds
    // nothing, as in the memory and SQLite stores, instead of failing on the server's "invalid byte sequence".
    const byId = (col: string, id: string, ebpCode: string | undefined) =>
      id.includes('\u0000')
        ? Promise.resolve(undefined)
        : one(
            `SELECT ${cols} FROM ${entry} WHERE ${col} = $1 AND ($2::text IS NULL OR ${ebp} IN ($2, '')) ${FOUND_ORDER_SQL(ebp, ' COLLATE "C"')} LIMIT 1`,
            [
              id,
              // (no platform's code holds it: only an entry of none stated is of it)
              ebpCode?.includes('\u0000') ? '' : (ebpCode ?? null),
            ],
          );
    return {
      lockBuyerYear: async (buyerKey, year) =>
        void (await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, `${buyerKey}:${year}`])),
      getEntry: (ebpCode, orderNo) =>
        `${ebpCode}${orderNo}`.includes('\u0000')
          ? Promise.resolve(undefined)
          : one(`SELECT ${cols} FROM ${entry} WHERE order_no = $1 AND ${ebp} = $2`, [orderNo, ebpCode]),
      orderEntries: async (orderNo) =>
        orderNo.includes('\u0000')
          ? []
          : (await c.query<EntryRow>(`SELECT ${cols} FROM ${entry} WHERE order_no = $1`, [orderNo])).rows.map(toEntry),
      findEntry: async (by) =>
        (by.invtNo !== undefined ? await byId('invt_no', by.invtNo, by.ebpCode) : undefined) ??
        (by.copNo !== undefined ? await byId('cop_no', by.copNo, by.ebpCode) : undefined),
      entries: async (buyerKey, year) =>
        (
          await c.query<EntryRow>(
            `SELECT ${cols} FROM ${entry} WHERE buyer_key = $1 AND year = $2 ORDER BY order_at, order_no${this.has.ebpCode ? ', ebp_code' : ''}`,
            [buyerKey, year],
          )
        ).rows.map(toEntry),
      insertEntry: async (e) =>
        void (await c.query(
          `INSERT INTO ${entry} (${ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          entryValues(e),
        )),
      updateEntry: async (e) => {
        const r = await c.query(
          `UPDATE ${entry} SET buyer_key = $3, year = $4, amount = $5, refunded = $6, status = $7, release_reason = $8, order_at = $9, expires_at = $10, updated_at = $11, cop_no = $12, invt_no = $13, quantities = $14 WHERE ebp_code = $1 AND order_no = $2`,
          entryValues(e),
        );
        if (r.rowCount !== 1) throw new SandanError('QUOTA_STORE', `Order ${orderLabel(e)} is not in ${this.name}`);
      },
      addEvent: async (ev) =>
        void (await c.query(
          `INSERT INTO ${event} (ebp_code, order_no, buyer_key, year, type, amount, at, key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [ev.ebpCode, ev.orderNo, ev.buyerKey, ev.year, ev.type, ev.amount.toFixed(), ev.at, ev.key ?? null],
        )),
      events: async (buyerKey, year) =>
        (
          await c.query<EventRow>(`SELECT ${eventCols} FROM ${event} WHERE buyer_key = $1 AND year = $2 ORDER BY seq`, [
            buyerKey,
            year,
          ])
        ).rows.map(toEvent),
      orderEvents: async (ebpCode, orderNo) =>
        (
          await c.query<EventRow>(
            `SELECT ${eventCols} FROM ${event} WHERE order_no = $1 AND ${ebp} = $2 ORDER BY seq`,
            [orderNo, ebpCode],
          )
        ).rows.map(toEvent),
      getMeta: async (key) =>
        (await c.query<{ value: string }>(`SELECT value FROM ${meta} WHERE key = $1`, [key])).rows[0]?.value,
      setMeta: async (key, value) =>
        void (await c.query(
          `INSERT INTO ${meta} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [key, value],
        )),
      orderReturns: (ebpCode, orderNo) => readReturns('order_no = $1 AND ebp_code = $2', [orderNo, ebpCode]),
      returnsByCopNo: (copNo) => readReturns('cop_no = $1', [copNo]),
      putReturn: async (r) =>
        void (await c.query(
          `INSERT INTO ${returns} (${RETURN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_no, ebp_code, cop_no) DO UPDATE SET items = excluded.items, inventory = excluded.inventory, applied_at = excluded.applied_at, refunded = excluded.refunded, approved_at = excluded.approved_at, updated_at = excluded.updated_at`,
          Object.values(rowOfReturn(r, time)),
        )),
    };
  }

  /**
   * Runs `work` in one transaction on one pooled connection: all or nothing. Conflicts
   * (serialization failure, deadlock, a racing insert of the same order) roll back and
   * run `work` again, up to `maxRetries` times.
   */
  async transaction<T>(work: (tx: QuotaTx) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    if (this.readOnly && !options.readOnly)
      throw new SandanError(
        'QUOTA_INVALID',
        `${this.name} was opened read-only; open it without readOnly to change the ledger`,
      );
    for (let attempt = 0; ; attempt++) {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw new SandanError('QUOTA_STORE', `${this.name}: cannot connect: ${redactedMessage(e)}`, {
          cause: redactedCause(e),
        });
      }
      let broken: Error | undefined;
      // The server may end the connection between two queries (a restart, a failover): pg then
      // emits 'error' on the checked-out client, which would end the process unheard. The next
      // query fails instead, and the connection is not given back to the pool.
      const dropped = (e: Error) => {
        broken ??= e;
      };
      (client as EventSource).on?.('error', dropped);
      try {
        await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
        const result = await work(this.txOf(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        const code = (e as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && RETRY_CODES.has(code) && attempt < this.maxRetries) {
          await sleep(backoff(attempt, 5, 200));
          continue;
        }
        if (e instanceof SandanError) throw e;
        throw new SandanError(
          'QUOTA_STORE',
          `${this.name}: transaction failed${typeof code === 'string' ? ` (${code})` : ''}: ${redactedMessage(e)}`,
          { cause: redactedCause(e) },
        );
      } finally {
        (client as EventSource).removeListener?.('error', dropped);
        client.release(broken);
      }
    }
  }

  private closing: Promise<void> | undefined;

  /** Ends the pool when the store made it from a URL; a pool passed in is left to its owner. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.ownsPool ? this.pool.end() : Promise.resolve();
    return this.closing;
  }
}

function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new SandanError('QUOTA_INVALID', `schema must be a lower-case SQL identifier, got ${describeInput(schema)}`);
  return `"${schema}"`;
}

/**
 * Opens a PostgreSQL quota store from a connection URL (`postgres://…`), a pool config or
 * an existing `pg` Pool, and creates the schema if needed (under an advisory lock, so many
 * services may start at once). Throws `QUOTA_STORE` when `pg` is not installed or the
 * server cannot be reached.
 */
export async function openPostgresQuotaStore(
  connection: string | PostgresPoolConfig | PostgresPool,
  options?: PostgresQuotaStoreOptions,
): Promise<PostgresQuotaStore> {
  const opts = knownOptions(options, 'openPostgresQuotaStore', POSTGRES_QUOTA_STORE_OPTION_NAMES, 'QUOTA_INVALID');
  if (typeof connection !== 'string' && !isRecord(connection))
    throw new SandanError(
      'QUOTA_INVALID',
      `openPostgresQuotaStore: connection must be a postgres:// URL, a pool config or a pg Pool, got ${describeInput(connection)}`,
    );
  const schema = opts.schema ?? 'public';
  const s = quoteSchema(schema);
  let pool: Pool;
  let owns = false;
  if (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as Pool).connect === 'function' &&
    typeof (connection as Pool).query === 'function'
  ) {
    pool = connection as Pool;
  } else {
    let pg: typeof Pg;
    try {
      pg = (await loadOptional<{ default: typeof Pg }>('pg')).default;
    } catch (e) {
      throw new SandanError(
        'QUOTA_STORE',
        'The PostgreSQL quota store needs the optional dependency pg: npm install pg',
        { cause: e, details: { driver: 'pg' } },
      );
    }
    const config: Pg.PoolConfig =
      typeof connection === 'string' ? { connectionString: connection } : (connection as Pg.PoolConfig);
    // A pg Pool must fit PostgresPool: the assignment is the compile-time check.
    pool = new pg.Pool({ ...config, max: config.max ?? opts.poolSize ?? 10 });
    // An idle connection ended by the server (a restart, a failover, idle_session_timeout) is an
    // 'error' on the pool, which would end the process unheard. pg has already dropped that
    // connection, no transaction was open on it, and the next one connects afresh.
    (pool as EventSource).on?.('error', () => undefined);
    owns = true;
  }
  const where = typeof connection === 'string' ? redactSecrets(connection) : 'postgres';
  let client: PoolClient | undefined;
  let columns = { ebpCode: true, quantities: true, returns: true };
  try {
    client = await pool.connect();
    // Read first, outside any transaction and lock: CREATE INDEX IF NOT EXISTS takes a SHARE lock
    // on its table even when the index exists, so running the DDL on every open would queue
    // behind (and then hold up) every writer.
    let state = await schemaState(client, s);
    if (opts.readOnly) {
      if (!state.tables)
        throw new SandanError(
          'QUOTA_STORE',
          `${where} has no sandan quota ledger in schema ${schema}; a read-only open does not create one`,
        );
    } else if (
      // A version this sandan does not know is left alone (and refused below).
      (state.version === undefined || state.version === '1' || state.version === SCHEMA_VERSION) &&
      !(state.tables && state.quantities && state.ebpCode && state.returns && state.version === SCHEMA_VERSION)
    ) {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, SCHEMA_LOCK]);
      // (another service may have done it meanwhile: migrate looks again under the lock)
      await migrate(client, schema, s);
      await client.query(ddl(s));
      await client.query('COMMIT');
      state = await schemaState(client, s);
    }
    // A read-only store reads version 1 tables as they are (see txOf).
    if (state.version !== SCHEMA_VERSION && !(opts.readOnly && state.version === '1'))
      throw new SandanError(
        'QUOTA_STORE',
        `${where} has quota schema version ${String(state.version)}; this sandan knows versions 1 (upgraded when opened for writing) and ${SCHEMA_VERSION}`,
      );
    columns = { ebpCode: state.ebpCode, quantities: state.quantities, returns: state.returns };
  } catch (e) {
    await client?.query('ROLLBACK').catch(() => undefined);
    client?.release();
    client = undefined;
    if (owns) await pool.end().catch(() => undefined);
    if (e instanceof SandanError) throw e;
    throw new SandanError('QUOTA_STORE', `Cannot prepare the quota database ${where}: ${redactedMessage(e)}`, {
      cause: redactedCause(e),
    });
  } finally {
    client?.release();
  }
  return new PostgresQuotaStore(pool, {
    schema,
    ownsPool: owns,
    readOnly: opts.readOnly === true,
    columns,
    ...(opts.maxRetries !== undefined && { maxRetries: opts.maxRetries }),
    name: `${where} (schema ${schema})`,
  });
}

/**
 * What of the schema is in place, found by reading only (to_regclass and pg_attribute take no
 * table locks). `tables`: all three tables exist.
 */
async function schemaState(
  client: PoolClient,
  quoted: string,
): Promise<{ tables: boolean; quantities: boolean; ebpCode: boolean; returns: boolean; version: string | undefined }> {
  const column = (table: string, name: string) =>
    `EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(${table}) AND attname = '${name}' AND NOT attisdropped)`;
  const r = await client.query<{ tables: boolean; quantities: boolean; ebp_code: boolean; returns: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AS tables,
       ${column('$1', 'quantities')} AS quantities,
       ${column('$1', 'ebp_code')} AND ${column('$2', 'ebp_code')} AS ebp_code,
       to_regclass($4) IS NOT NULL AS returns`,
    [
      `${quoted}.sandan_quota_entry`,
      `${quoted}.sandan_quota_event`,
      `${quoted}.sandan_quota_meta`,
      `${quoted}.sandan_quota_return`,
    ],
  );
  const tables = r.rows[0]?.tables === true;
  const version = tables
    ? (
        await client.query<{ value: string }>(
          `SELECT value FROM ${quoted}.sandan_quota_meta WHERE key = 'schema-version'`,
        )
      ).rows[0]?.value
    : undefined;
  return {
    tables,
    quantities: r.rows[0]?.quantities === true,
    ebpCode: r.rows[0]?.ebp_code === true,
    returns: r.rows[0]?.returns === true,
    version,
  };
}

/** Thrown on misuse and store failures (code `QUOTA_STORE`, …); re-exported so that this entry point needs no other import. */
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
