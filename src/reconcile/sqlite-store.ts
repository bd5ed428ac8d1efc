import { isVoidTaxBillStatus } from '../xml/receipts.js';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { diskTrouble, SandanError, storeError } from '../errors.js';
import { loadSqliteDriver } from '../io/optional.js';
import { describeInput, isRecord, valueIn } from '../model/guards.js';
import type { SqliteDatabase } from '../quota/sqlite.js';
import { BloomFilter } from './bloom.js';
import { TEXT_PIECE_BYTES } from './text-piece.js';
import { orderIdentity, type JoinAnswer, type JoinRequest } from './facts.js';
import {
  byTaxNo,
  finalFlags,
  finalKeys,
  finalRecordKeys,
  inventoryKeyList,
  LINK_KINDS,
  linkInventory,
  linkKey,
  findNearMisses,
  billRowNearMisses,
  NOT_SEEN,
  releaseKey,
  addRepeat,
  billOfTuple,
  billTuple,
  storeFailure,
  type BillContent,
  type BillRecord,
  type BillsAdded,
  type BillTuple,
  type FinalRecord,
  type InventoryKeyLists,
  type InventoryReceiptRecord,
  type NearMiss,
  type ReceiptLink,
  type ReconcileStore,
  type StoredBill,
  type UnclaimedBill,
  type StoredMismatch,
} from './store.js';
import { NEAR_MISSES, nearKey } from './near-key.js';

/*
 * The on-disk index: one temporary SQLite file (better-sqlite3, an optional dependency)
 * holding bills, receipt links, approved cancels and refunds, seen orders and the spooled
 * rows, so a reconciliation of millions of orders runs in bounded memory. The file lives in
 * a fresh temporary directory (mkdtemp: mode 0700, only its owner can list or read it) and is
 * deleted by close(); a directory still there when the process exits (close() never called,
 * or process.exit() from a signal handler) is deleted then, so order numbers and amounts do
 * not outlive the run.
 */

/** Temporary directories of stores not closed yet. */
const liveDirs = new Set<string>();
let exitHook = false;

function removeDir(dir: string): void {
  liveDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** A fresh private temporary directory, removed at process exit unless {@link removeDir} removed it first. */
function makeTempDir(parent: string, prefix: string): string {
  const dir = mkdtempSync(join(parent, prefix));
  liveDirs.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const d of liveDirs) {
        try {
          removeDir(d);
        } catch {
          // Best effort while exiting.
        }
      }
    });
  }
  return dir;
}

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Directory for the temporary file (default: the OS temporary directory). */
  dir?: string;
  /** SQLite page cache in MiB (default 16: the operating system caches the file too, and a larger cache measured no faster). */
  cacheMiB?: number;
}

const SCHEMA = `
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA temp_store = FILE;
CREATE TABLE bill (invtNo TEXT NOT NULL, taxNo TEXT NOT NULL, returnTime TEXT, status TEXT, customsTax TEXT, valueAddedTax TEXT, consumptionTax TEXT, customsCode TEXT, orderNo TEXT, seq INTEGER NOT NULL, PRIMARY KEY (invtNo, taxNo), UNIQUE (taxNo)) WITHOUT ROWID;
CREATE TABLE voided (taxNo TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE link (key TEXT PRIMARY KEY, invtNo TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE final (key TEXT PRIMARY KEY, at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE seen (orderIdentity TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE claimed (invtNo TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE mismatch (seq INTEGER PRIMARY KEY, sortKey INTEGER NOT NULL, orderNo TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE nearMiss (invtNo TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, UNIQUE (invtNo, kind, key));
CREATE TABLE invReceipt (copNo TEXT, preNo TEXT, invtNo TEXT, returnStatus TEXT NOT NULL, returnTime TEXT NOT NULL, returnInfo TEXT);
`;

/**
 * Bills' invtNos and link keys by their nearKey, and the lookups on them: each made at its first near-miss lookup
 * (a month where every order reaches its bill never pays for them), when the documents are all in.
 */
const NEAR_LOOKUPS = {
  bills: [
    'CREATE INDEX IF NOT EXISTS bill_near ON bill (sandan_near_key(invtNo))',
    `SELECT DISTINCT invtNo FROM bill WHERE sandan_near_key(invtNo) = ? AND invtNo <> ? ORDER BY invtNo LIMIT ${NEAR_MISSES}`,
  ],
  links: [
    'CREATE INDEX IF NOT EXISTS link_near ON link (sandan_near_key(key))',
    `SELECT key, invtNo FROM link WHERE sandan_near_key(key) = ? AND key <> ? ORDER BY key LIMIT ${NEAR_MISSES}`,
  ],
  /** Bills' taxNos (for a void whose bill is not here). */
  taxNos: [
    'CREATE INDEX IF NOT EXISTS bill_taxno_near ON bill (sandan_near_key(taxNo))',
    `SELECT taxNo FROM bill WHERE sandan_near_key(taxNo) = ? AND taxNo <> ? ORDER BY taxNo LIMIT ${NEAR_MISSES}`,
  ],
  /** Inventories whose bills a declaration reached (for the row of a leftover bill). */
  reached: [
    'CREATE INDEX IF NOT EXISTS bill_near ON bill (sandan_near_key(invtNo))',
    // EXISTS, not IN: with IN, SQLite walks every claimed invtNo for each lookup (10 times the whole run's time).
    `SELECT DISTINCT b.invtNo FROM bill b WHERE sandan_near_key(b.invtNo) = ? AND b.invtNo <> ? AND EXISTS (SELECT 1 FROM claimed c WHERE c.invtNo = b.invtNo) ORDER BY b.invtNo LIMIT ${NEAR_MISSES}`,
  ],
} as const;

type BillRowTuple = [string, string, string | null, string | null, string, string, string, string | null, number];
/** An unclaimed bill's row: BILL_COLUMNS and the orderNo it names. */
type UnclaimedRowTuple = [...BillRowTuple, orderNo: string | null];

const BILL_COLUMNS =
  'b.taxNo, b.invtNo, b.returnTime, b.status, b.customsTax, b.valueAddedTax, b.consumptionTax, b.customsCode, EXISTS (SELECT 1 FROM voided v WHERE v.taxNo = b.taxNo) AS voided';
// A batch of keys goes in as one JSON array: one statement per batch, the loop runs in SQLite.
const KEYS = '(SELECT value FROM json_each(?))';

/** A bill as the index gives it back (columns in BILL_COLUMNS order, rows as arrays). */
function toStored(r: BillRowTuple | UnclaimedRowTuple): StoredBill {
  const status = r[3] ?? '';
  return {
    invtNo: r[1],
    taxNo: r[0],
    returnTime: r[2] ?? '',
    status,
    void: isVoidTaxBillStatus(status) || r[8] === 1,
    customsTax: r[4],
    valueAddedTax: r[5],
    consumptionTax: r[6],
    customsCode: r[7] ?? undefined,
  };
}

const NO_FINALS: ReturnType<typeof finalFlags> = Object.freeze({ cancelled: false, refunded: false });

const spoolText = new TextDecoder();

/**
 * The output rows, appended to a plain file next to the index: written once and read once in
 * order, they need no index, and kept out of SQLite they do not push the index out of its cache.
 * Written and read back {@link TEXT_PIECE_BYTES} at a time.
 */
class RowSpool {
  private readonly fd: number;
  private readonly path: string;
  /** A directory of its own when the store has none (a database the caller opened). */
  private readonly ownDir: string | undefined;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(dir: string | undefined) {
    // Never a guessable name in the shared temporary directory: a private one, and a new file only.
    this.ownDir = dir === undefined ? makeTempDir(tmpdir(), 'sandan-rows-') : undefined;
    this.path = join(dir ?? this.ownDir!, 'rows.ndjson');
    try {
      this.fd = openSync(this.path, 'wx+', 0o600);
    } catch (e) {
      if (this.ownDir) removeDir(this.ownDir);
      throw e;
    }
  }
  append(rows: readonly string[]): void {
    for (const r of rows) {
      this.pending.push(r);
      this.pendingLength += r.length;
    }
    if (this.pendingLength >= TEXT_PIECE_BYTES) this.flush();
  }
  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, `${this.pending.join('\n')}\n`);
    this.pending = [];
    this.pendingLength = 0;
  }
  /** The rows in order. */
  *read(): Iterable<string> {
    for (const block of this.blocks()) yield* block.split('\n');
  }
  /**
   * Blocks of whole rows separated by line breaks (no trailing one), of about {@link TEXT_PIECE_BYTES}
   * bytes: cut at a line end in the bytes (never inside a UTF-8 sequence), so each decodes alone.
   */
  *blocks(): Iterable<string> {
    this.flush();
    const chunk = Buffer.allocUnsafe(TEXT_PIECE_BYTES);
    let buf = chunk;
    let position = 0;
    let kept = 0; // bytes of a row not yet whole, at the start of buf
    for (;;) {
      if (kept === buf.length) {
        // A row longer than the buffer: a larger one for it.
        const larger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(larger, 0, 0, kept);
        buf = larger;
      }
      const n = readSync(this.fd, buf, kept, buf.length - kept, position);
      position += n;
      const end = kept + n;
      if (n === 0) {
        if (kept > 0) yield spoolText.decode(buf.subarray(0, kept));
        return;
      }
      const last = buf.lastIndexOf(0x0a, end - 1);
      if (last === -1) {
        kept = end;
        continue;
      }
      yield spoolText.decode(buf.subarray(0, last));
      buf.copy(buf, 0, last + 1, end);
      kept = end - last - 1;
      if (buf !== chunk && kept <= chunk.length) {
        buf.copy(chunk, 0, 0, kept);
        buf = chunk;
      }
    }
  }
  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.path, { force: true });
    if (this.ownDir) removeDir(this.ownDir);
  }
}

/** A {@link ReconcileStore} in a temporary SQLite file. */
export class SqliteStore implements ReconcileStore {
  // Its own name in the build, which calls it _SqliteStore or, in CommonJS, _class (as console.log shows it).
  static {
    Object.defineProperty(SqliteStore, 'name', { value: 'SqliteStore' });
  }
  private readonly st: Record<string, BetterSqlite3.Statement>;
  private ops = 0;
  private spool: RowSpool | undefined;
  /** The copNo, preNo and invtNo values of approved cancels and refunds and of rejections: most orders have none, and skip the query. */
  private readonly finalValues = new BloomFilter();
  private linksCount = 0;
  /** The near-miss lookups, each prepared with its index at its first use. */
  private readonly near: Partial<Record<keyof typeof NEAR_LOOKUPS, BetterSqlite3.Statement>> = {};
  private nearMarks = 0;

  private readonly db: BetterSqlite3.Database;
  /** The store's folder (the database's file name when the caller opened it). */
  readonly location: string;

  /** Wraps an open better-sqlite3 database; prefer {@link openSqliteStore}. */
  constructor(
    // Typed structurally so that sandan's public types need no @types/better-sqlite3.
    database: SqliteDatabase,
    private readonly dir: string | undefined,
  ) {
    if (!isRecord(database as unknown) || typeof (database as { exec?: unknown }).exec !== 'function')
      throw new SandanError(
        'INVALID_OPTION',
        `SqliteStore takes an open better-sqlite3 database (prefer openSqliteStore), got ${describeInput(database)}`,
      );
    this.location = dir ?? (database as BetterSqlite3.Database).name;
    const db = database as BetterSqlite3.Database;
    this.db = db;
    db.exec(SCHEMA);
    // The one nearKey, in JavaScript: the near-miss indexes are on it.
    db.function('sandan_near_key', { deterministic: true }, (k: unknown) =>
      typeof k === 'string' ? nearKey(k) : null,
    );
    this.st = {
      addBill: db.prepare(
        'INSERT OR IGNORE INTO bill (invtNo, taxNo, returnTime, status, customsTax, valueAddedTax, consumptionTax, customsCode, orderNo, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      // The stored copy of a taxNo delivered again (repeats only: compared with the repeat).
      storedCopy: db.prepare(
        'SELECT invtNo, orderNo, customsTax, valueAddedTax, consumptionTax, status, customsCode, seq FROM bill WHERE taxNo = ?',
      ),
      // A bill naming its order links it (the first bill per orderNo wins; receipts' keys are other kinds).
      billLink: db.prepare('INSERT OR IGNORE INTO link (key, invtNo) VALUES (?, ?)'),
      void: db.prepare('INSERT OR IGNORE INTO voided (taxNo) VALUES (?)'),
      // The last receipt's invtNo wins, as with REPLACE; one that names it again (every receipt of an inventory's life
      // does) writes nothing: no page, no near-key index entry rebuilt.
      link: db.prepare(
        'INSERT INTO link (key, invtNo) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET invtNo = excluded.invtNo WHERE invtNo <> excluded.invtNo',
      ),
      // The earliest time per key ('' = unknown).
      final: db.prepare(
        "INSERT INTO final (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = CASE WHEN at = '' THEN excluded.at WHEN excluded.at = '' THEN at ELSE min(at, excluded.at) END",
      ),
      // The orders not seen before: those the insert added (one pass over the index, not a lookup and an insert).
      see: db
        .prepare('INSERT OR IGNORE INTO seen (orderIdentity) SELECT value FROM json_each(?) RETURNING orderIdentity')
        .pluck(),
      linksOf: db.prepare(`SELECT key, invtNo FROM link WHERE key IN ${KEYS}`).raw(),
      // A join driven by the key list (no sort, no temporary index), rows as arrays: the
      // cheapest form of the one lookup every order makes.
      billsOf: db.prepare(`SELECT ${BILL_COLUMNS} FROM json_each(?) j JOIN bill b ON b.invtNo = j.value`).raw(),
      claim: db.prepare(`INSERT OR IGNORE INTO claimed (invtNo) SELECT value FROM json_each(?)`),
      claimedOf: db.prepare(`SELECT c.invtNo FROM json_each(?) j JOIN claimed c ON c.invtNo = j.value`).pluck(),
      finalsOf: db.prepare(`SELECT key, at FROM final WHERE key IN ${KEYS}`).raw(),
      // No index: read once or twice when the documents are in, and only when a receipt may reject (one scan each).
      addInventoryReceipt: db.prepare(
        'INSERT INTO invReceipt (copNo, preNo, invtNo, returnStatus, returnTime, returnInfo) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      inventoryReceiptsOf: db
        .prepare(
          'SELECT copNo, preNo, invtNo, returnStatus, returnTime, returnInfo FROM invReceipt WHERE copNo IN (SELECT value FROM json_each(?)) OR preNo IN (SELECT value FROM json_each(?)) OR invtNo IN (SELECT value FROM json_each(?)) ORDER BY rowid',
        )
        .raw(),
      // Only the bills no declaration claimed are read this way, each with the orderNo it names.
      bills: db.prepare(`SELECT ${BILL_COLUMNS}, b.orderNo FROM bill b WHERE b.invtNo = ? ORDER BY b.taxNo`).raw(),
      unclaimedPage: db
        .prepare(
          'SELECT DISTINCT invtNo FROM bill WHERE invtNo > ? AND invtNo NOT IN (SELECT invtNo FROM claimed) ORDER BY invtNo LIMIT 1000',
        )
        .pluck(),
      addNearMiss: db.prepare('INSERT OR IGNORE INTO nearMiss (invtNo, kind, key) VALUES (?, ?, ?)'),
      // In the order they were found (rowid): the first NEAR_MISSES, as the memory store keeps them.
      nearMissesOf: db.prepare(`SELECT kind, key FROM nearMiss WHERE invtNo = ? ORDER BY rowid LIMIT ${NEAR_MISSES}`),
      putMismatch: db.prepare('INSERT INTO mismatch (sortKey, orderNo, kind, json) VALUES (?, ?, ?, ?)'),
      mismatches: db.prepare('SELECT json FROM mismatch ORDER BY sortKey DESC, orderNo, kind').pluck(),
    };
  }

  /** Runs writes in long transactions, committed now and then so that none grows without bound. */
  private tick(n = 1): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
    else if ((this.ops += n) >= 100_000) {
      this.ops = 0;
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
    }
  }
  private commit(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  /**
   * Stores one bill numbered `seq` unless its taxNo is stored (then counted in `added`, with the
   * conflict if its content differs; a void repeat voids it), and the link of the order it names.
   */
  private addBill(t: BillTuple, seq: number, added: BillsAdded): void {
    const orderNo = t[8];
    if (this.st.addBill!.run(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], orderNo ?? null, seq).changes !== 1) {
      const row = this.st.storedCopy!.get(t[1]) as (BillContent & { seq: number }) | undefined;
      if (row) {
        const { seq: storedSeq, ...stored } = row;
        addRepeat(added, stored, storedSeq, billOfTuple(t), seq);
      } else added.duplicates++; // not stored for want of an invtNo or taxNo, as before: nothing to compare with
      // A repeat of a bill that says it is void (status 3) voids the taxNo, as a CEB818 would.
      if (isVoidTaxBillStatus(t[3])) this.st.void!.run(t[1]);
      return;
    }
    if (orderNo) this.linksCount += this.st.billLink!.run(linkKey('orderNo', orderNo), t[0]).changes;
  }
  addBills(bills: readonly BillRecord[], firstSeq: number): BillsAdded {
    return this.addTuples(bills.map(billTuple), firstSeq);
  }
  addBillTuples(json: string, _count: number, firstSeq: number): BillsAdded {
    // One prepared insert per bill: measured cheaper than json_each with ->> per column, which
    // reads each tuple's JSON again for every column.
    return this.addTuples(JSON.parse(json) as BillTuple[], firstSeq);
  }
  private addTuples(tuples: readonly BillTuple[], firstSeq: number): BillsAdded {
    this.tick(tuples.length);
    const added: BillsAdded = { duplicates: 0, conflicts: [] };
    let seq = firstSeq;
    for (const t of tuples) this.addBill(t, seq++, added);
    return added;
  }
  addVoided(taxNos: readonly string[]): void {
    this.tick(taxNos.length);
    for (const t of taxNos) this.st.void!.run(t);
  }
  addLinks(links: readonly ReceiptLink[]): void {
    this.tick(links.length);
    // A batch's last link of each key is the one that stands: one statement per key, not per receipt.
    const last = new Map<string, string>();
    for (const l of links) last.set(linkKey(l.kind, l.key), l.invtNo);
    for (const [key, invtNo] of last) this.st.link!.run(key, invtNo);
    this.linksCount += links.length;
  }
  addFinals(finals: readonly FinalRecord[]): void {
    this.tick(finals.length);
    for (const f of finals) {
      for (const key of finalRecordKeys(f)) this.st.final!.run(key, f.at ?? '');
      // Releases are looked up only for refunded inventories: they stay out of the filter.
      if (f.kind !== 'release') for (const k of inventoryKeyList(f.keys)) this.finalValues.add(k.slice(2));
    }
  }
  addInventoryReceipts(receipts: readonly InventoryReceiptRecord[]): void {
    this.tick(receipts.length);
    for (const r of receipts)
      this.st.addInventoryReceipt!.run(
        r.copNo ?? null,
        r.preNo ?? null,
        r.invtNo ?? null,
        r.returnStatus,
        r.returnTime,
        r.returnInfo ?? null,
      );
  }
  inventoryReceiptsOf(keys: InventoryKeyLists): InventoryReceiptRecord[] {
    const rows = this.st.inventoryReceiptsOf!.all(
      JSON.stringify(keys.copNo),
      JSON.stringify(keys.preNo),
      JSON.stringify(keys.invtNo),
    ) as Array<[string | null, string | null, string | null, string, string, string | null]>;
    return rows.map(([copNo, preNo, invtNo, returnStatus, returnTime, returnInfo]) => ({
      ...(copNo !== null && { copNo }),
      ...(preNo !== null && { preNo }),
      ...(invtNo !== null && { invtNo }),
      returnStatus,
      returnTime,
      ...(returnInfo !== null && { returnInfo }),
    }));
  }
  /** The rows of a batch's keys in a key → value table (`linksOf` or `finalsOf`): one statement, none for no keys. */
  private lookup(statement: 'linksOf' | 'finalsOf', keys: readonly string[]): Map<string, string> {
    return new Map(keys.length ? (this.st[statement]!.all(JSON.stringify(keys)) as Array<[string, string]>) : []);
  }
  join(requests: ReadonlyArray<JoinRequest | undefined>): Array<JoinAnswer | undefined> {
    this.tick(requests.length);
    const out: Array<JoinAnswer | undefined> = new Array(requests.length);
    // 1. First sightings: seen in earlier batches, or earlier in this one.
    const orders = requests.map((r) => (r ? orderIdentity(r) : undefined));
    const toSee = orders.filter((o) => o !== undefined);
    const fresh = new Set(toSee.length ? (this.st.see!.all(JSON.stringify(toSee)) as string[]) : []);
    // The indices of the first sightings, in order: the only requests the steps below look up.
    const firsts: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      if (!requests[i]) continue;
      // Added by this batch: its first occurrence is the first sighting, a later one is not.
      const order = orders[i];
      if (order === undefined || fresh.delete(order)) firsts.push(i);
      else out[i] = NOT_SEEN;
    }
    // 2. Receipt links for the declarations without an invtNo.
    const linkKeys: string[] = [];
    if (this.linksCount > 0) {
      for (const i of firsts) {
        const r = requests[i]!;
        if (r.invtNo) continue;
        for (const kind of LINK_KINDS) if (r[kind]) linkKeys.push(linkKey(kind, r[kind]));
      }
    }
    const links = this.lookup('linksOf', linkKeys);
    // 3. Bills by invtNo, claimed; cancels and refunds by any key.
    const invtNos: Array<string | undefined> = new Array(requests.length);
    const linkedBy: Array<JoinAnswer['linkedBy']> = new Array(requests.length);
    const wanted = new Set<string>();
    const finalKeyList: string[] = [];
    for (const i of firsts) {
      const r = requests[i]!;
      const { invtNo, linkedBy: by } = linkInventory(r, (key) => links.get(key));
      invtNos[i] = invtNo;
      linkedBy[i] = by;
      if (invtNo) wanted.add(invtNo);
      const f = this.finalValues;
      if (
        f.size > 0 &&
        ((r.copNo && f.mayHave(r.copNo)) || (r.preNo && f.mayHave(r.preNo)) || (invtNo && f.mayHave(invtNo)))
      ) {
        for (const k of finalKeys({ copNo: r.copNo, preNo: r.preNo, invtNo })) finalKeyList.push(k);
      }
    }
    const bills = new Map<string, StoredBill[]>();
    // Inventories an earlier declaration reached (in an earlier batch, or earlier in this one): their bills counted for it.
    const counted = new Set<string>();
    if (wanted.size) {
      const json = JSON.stringify([...wanted]);
      for (const invtNo of this.st.claimedOf!.all(json) as string[]) counted.add(invtNo);
      for (const r of this.st.billsOf!.all(json) as BillRowTuple[]) valueIn(bills, r[1], () => []).push(toStored(r));
      // Within an inventory, bills in taxNo order (the primary key's order, made explicit).
      for (const list of bills.values()) if (list.length > 1) list.sort(byTaxNo);
      this.st.claim!.run(json);
    }
    const finals = this.lookup('finalsOf', finalKeyList);
    const flagsOf: Array<ReturnType<typeof finalFlags> | undefined> = new Array(requests.length);
    const releaseKeys: string[] = [];
    if (finals.size) {
      for (const i of firsts) {
        const r = requests[i]!;
        const flags = finalFlags({ copNo: r.copNo, preNo: r.preNo, invtNo: invtNos[i] }, (key) => finals.get(key));
        flagsOf[i] = flags;
        if (flags.refunded && invtNos[i]) releaseKeys.push(releaseKey(invtNos[i]!));
      }
    }
    const releases = this.lookup('finalsOf', releaseKeys);
    for (const i of firsts) {
      const r = requests[i]!;
      const invtNo = invtNos[i];
      const flags = flagsOf[i] ?? NO_FINALS;
      const own = (invtNo && bills.get(invtNo)) || [];
      // An inventory's bills count for the first declaration that reaches it (see JoinAnswer.countedBefore).
      const before = own.length > 0 && counted.has(invtNo!);
      if (invtNo) counted.add(invtNo);
      out[i] = {
        firstSighting: true,
        invtNo,
        linkedBy: linkedBy[i],
        bills: before ? [] : own,
        cancelled: flags.cancelled,
        refunded: flags.refunded,
      };
      if (flags.rejected) out[i]!.rejected = true;
      if (before) out[i]!.countedBefore = own.map((b) => b.taxNo);
      if (flags.refunded) {
        const a = out[i]!;
        if (flags.refundedAt) a.refundedAt = flags.refundedAt;
        const released = invtNo ? releases.get(releaseKey(invtNo)) : undefined;
        if (released) a.releasedAt = released;
      }
      // Only a declaration that reached no bill looks for near misses.
      if (own.length === 0 && !flags.cancelled && !flags.refunded && !flags.rejected) this.addNearMisses(r, out[i]!);
    }
    return out;
  }
  /** The rows of a near-miss lookup for `key` (the lookup prepared, and its index made, at its first use). */
  private nearLookup(kind: keyof typeof NEAR_LOOKUPS, key: string): string[][] {
    let st = this.near[kind];
    if (!st) {
      const [index, query] = NEAR_LOOKUPS[kind];
      this.db.exec(index);
      st = this.near[kind] = this.db.prepare(query).raw();
    }
    return st.all(nearKey(key), key) as string[][];
  }
  /** Looks up the near misses of a declaration that reached no bill (see findNearMisses). */
  private addNearMisses(r: JoinRequest, answer: JoinAnswer): void {
    const { misses, marks } = findNearMisses(r, answer.invtNo, {
      bills: (invtNo) => this.nearLookup('bills', invtNo).map((row) => row[0]!),
      links: (key) => this.nearLookup('links', key) as Array<[string, string]>,
    });
    if (misses.length) answer.nearMisses = misses;
    for (const { invtNo, miss } of marks)
      this.nearMarks += this.st.addNearMiss!.run(invtNo, miss.kind, miss.key).changes;
  }
  voidsWithoutBill(limit: number): string[] {
    this.commit();
    return this.db
      .prepare('SELECT taxNo FROM voided WHERE taxNo NOT IN (SELECT taxNo FROM bill) ORDER BY taxNo LIMIT ?')
      .pluck()
      .all(limit) as string[];
  }
  taxNoNearMisses(taxNo: string): string[] {
    return this.nearLookup('taxNos', taxNo).map((row) => row[0]!);
  }
  billNearMisses(invtNo: string): NearMiss[] {
    const marks = this.nearMarks === 0 ? [] : (this.st.nearMissesOf!.all(invtNo) as NearMiss[]);
    return billRowNearMisses(marks, () => this.nearLookup('reached', invtNo).map((row) => row[0]!));
  }
  *unclaimedBills(): Iterable<UnclaimedBill[]> {
    this.commit();
    // Paged by invtNo (no open cursor), so the caller may write rows between groups.
    let after = '';
    for (;;) {
      const page = this.st.unclaimedPage!.all(after) as string[];
      if (page.length === 0) return;
      for (const invtNo of page) {
        const group = (this.st.bills!.all(invtNo) as UnclaimedRowTuple[]).map(
          (r): UnclaimedBill => (r[9] ? { ...toStored(r), orderNo: r[9] } : toStored(r)),
        );
        if (group.length) yield group;
      }
      after = page[page.length - 1]!;
    }
  }
  putRows(rows: readonly string[]): void {
    if (rows.length === 0) return;
    this.spool ??= new RowSpool(this.dir);
    this.spool.append(rows);
  }
  putMismatches(entries: ReadonlyArray<{ entry: StoredMismatch; sortKey: number }>): void {
    this.tick(entries.length);
    for (const m of entries)
      this.st.putMismatch!.run(m.sortKey, m.entry.orderNo, m.entry.kind, JSON.stringify(m.entry));
  }
  rows(): Iterable<string> {
    return this.spool ? this.spool.read() : [];
  }
  rowBlocks(): Iterable<string> {
    return this.spool ? this.spool.blocks() : [];
  }
  *mismatches(): Iterable<StoredMismatch> {
    this.commit();
    for (const j of this.st.mismatches!.iterate() as Iterable<string>) yield JSON.parse(j) as StoredMismatch;
  }
  close(): void {
    try {
      this.spool?.close();
      if (this.db.open) this.db.close();
    } finally {
      // Whatever failed above, the files go.
      if (this.dir) removeDir(this.dir);
    }
  }
}

/**
 * Opens a store in a fresh temporary directory. Throws `RECONCILE_INDEX` when better-sqlite3
 * (an optional dependency) is not installed or the file cannot be created.
 */
export async function openSqliteStore(options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const Database = await loadSqliteDriver(
    'RECONCILE_INDEX',
    'The on-disk reconciliation index',
    'or use the in-memory index for small inputs',
  );
  let dir: string | undefined;
  try {
    dir = makeTempDir(options.dir ?? tmpdir(), 'sandan-reconcile-');
    const db = new Database(join(dir, 'index.sqlite'));
    db.pragma(`cache_size = -${(options.cacheMiB ?? 16) * 1024}`);
    return new SqliteStore(db, dir);
  } catch (e) {
    if (dir) removeDir(dir);
    // A full disk is said as such, naming the folder the index was to be made in (TMPDIR).
    if (diskTrouble(e)?.disk === 'full') throw storeFailure(e, options.dir ?? tmpdir());
    throw storeError('RECONCILE_INDEX', 'Cannot create the reconciliation index', e);
  }
}
