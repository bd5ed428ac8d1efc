import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import { SandanError, storeError } from '../errors.js';
import { loadSqliteDriver, notADatabaseFile } from '../io/optional.js';
import type { OutgoingReceipt, ReceivedMessage, Scenario } from './types.js';
import {
  historyOf,
  receiptMatches,
  receiptName,
  type DocKind,
  type DueEvent,
  type EmulatorState,
  type StateOptions,
  type StoredDoc,
} from './state.js';

/*
 * The emulator's state in one SQLite file (better-sqlite3, loaded only when used), beside the
 * quota ledger's tables. Every table is `emu_…`; the outbox's seq is an AUTOINCREMENT key, so it
 * only grows and a committed one is never reused, also after a restart (listeners hear of a
 * receipt only after its step committed). Rows of received messages and receipts beyond the
 * history limit stay in the file (for a look with sqlite3) but are never read into memory: the
 * lists serve the newest `history` only, as the memory state does.
 */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS emu_received (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, transport TEXT NOT NULL, name TEXT,
  message_type TEXT, cop_msg_id TEXT, order_no TEXT, accepted INTEGER NOT NULL, reason TEXT, xml TEXT NOT NULL,
  notes TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS emu_received_name ON emu_received (name) WHERE name IS NOT NULL;
CREATE TABLE IF NOT EXISTS emu_doc (
  kind TEXT NOT NULL, key TEXT NOT NULL, order_no TEXT, invt_no TEXT, cop_no TEXT, waiting INTEGER NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY (kind, key)
) STRICT;
CREATE INDEX IF NOT EXISTS emu_doc_order ON emu_doc (kind, order_no);
CREATE INDEX IF NOT EXISTS emu_doc_invt ON emu_doc (kind, invt_no) WHERE invt_no IS NOT NULL;
CREATE TABLE IF NOT EXISTS emu_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, type TEXT NOT NULL, order_no TEXT, invt_no TEXT,
  return_status TEXT, xml TEXT NOT NULL, at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS emu_outbox_order ON emu_outbox (order_no, seq);
CREATE TABLE IF NOT EXISTS emu_timeline (
  id INTEGER PRIMARY KEY AUTOINCREMENT, due INTEGER NOT NULL, event TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS emu_timeline_due ON emu_timeline (due, id);
CREATE TABLE IF NOT EXISTS emu_scenario (order_no TEXT PRIMARY KEY, scenario TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS emu_platform_scenario (
  order_no TEXT NOT NULL, ebp_code TEXT NOT NULL, scenario TEXT NOT NULL, PRIMARY KEY (order_no, ebp_code)
) STRICT;
CREATE TABLE IF NOT EXISTS emu_serial (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS emu_holder (
  one INTEGER PRIMARY KEY CHECK (one = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL
) STRICT;
`;

/*
 * One emulator at a time on a state file. Each keeps what it serves (waiting long-polls, its
 * clock, the folder transport's writes) in memory, so a second one on the file would drift from
 * the first. The lock is SQLite's own: a second connection, on `<state>.lock`, holds an open
 * `BEGIN IMMEDIATE` (a reserved lock, taken without waiting) for as long as the state is open.
 * The system releases such a lock when its process ends however it ends (kill -9 included), so a
 * crashed holder leaves nothing stale to detect — no pid to trust, none reused — and SQLite
 * tells connections of one process apart too. It is a file of its own, kept (empty) after use:
 * a lock on the state file itself would also stop the quota ledger's connection to it, and
 * removing the lock file on close would let two processes lock two different files. Who holds
 * the lock is written in the state (emu_holder), for the refusal to name it.
 */

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Takes the state's lock without waiting; returns the function that releases it, or throws EMULATOR_STATE_LOCKED. */
function lockState(Database: typeof BetterSqlite3, db: BetterSqlite3.Database, path: string): () => void {
  // (an in-memory or temporary database is this connection's alone)
  if (db.memory) return () => {};
  // The file the state is, however its path was spelled (a link, ./): SQLite follows links too.
  const file = `${realpathSync(path)}.lock`;
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.exec('BEGIN IMMEDIATE');
  } catch (e) {
    lock.close();
    if ((e as { code?: unknown }).code !== 'SQLITE_BUSY') throw e;
    throw lockedError(db, path, file);
  }
  return () => {
    if (lock.open) lock.close();
  };
}

function lockedError(db: BetterSqlite3.Database, path: string, file: string): SandanError {
  let holder: Holder | undefined;
  try {
    holder = db.prepare('SELECT pid, host, since FROM emu_holder').get() as Holder | undefined;
  } catch {
    // (a holder that has not written it yet: the lock file is named instead)
  }
  const who =
    holder === undefined
      ? `another emulator (it holds ${file})`
      : holder.pid === process.pid && holder.host === hostname()
        ? `another emulator in this process (since ${holder.since})`
        : `another emulator: process ${holder.pid} on ${holder.host}, since ${holder.since}`;
  return new SandanError(
    'EMULATOR_STATE_LOCKED',
    `The emulator state ${path} is in use by ${who}; run one emulator on a state file at a time: stop that one, or give this one a state file of its own`,
    { details: { state: path, lock: file, ...(holder && { pid: holder.pid, host: holder.host }) } },
  );
}

interface OutboxRow {
  seq: number;
  name: string;
  type: string;
  order_no: string | null;
  /** Null in a file written before receipts named their platform (sandan 0.x before session 21), and for a CEB512. */
  ebp_code: string | null;
  invt_no: string | null;
  return_status: string | null;
  /** Null in a file written before the receipt list carried it (session 52), and for a CEB816 or CEB818. */
  return_info: string | null;
  xml: string;
  at: string;
}
interface ReceivedRow {
  seq: number;
  at: string;
  transport: string;
  name: string | null;
  message_type: string | null;
  cop_msg_id: string | null;
  order_no: string | null;
  accepted: number;
  reason: string | null;
  xml: string;
  notes: string | null;
}

function receiptOf(r: OutboxRow): OutgoingReceipt {
  const out: OutgoingReceipt = {
    seq: r.seq,
    name: r.name,
    type: r.type as OutgoingReceipt['type'],
    xml: r.xml,
    at: r.at,
  };
  if (r.order_no !== null) out.orderNo = r.order_no;
  if (r.ebp_code !== null) out.ebpCode = r.ebp_code;
  if (r.invt_no !== null) out.invtNo = r.invt_no;
  if (r.return_status !== null) out.returnStatus = r.return_status;
  if (r.return_info !== null && r.return_info !== undefined) out.returnInfo = r.return_info;
  return out;
}

function receivedOf(r: ReceivedRow): ReceivedMessage {
  const out: ReceivedMessage = {
    seq: r.seq,
    at: r.at,
    transport: r.transport as ReceivedMessage['transport'],
    accepted: r.accepted === 1,
    xml: r.xml,
  };
  if (r.name !== null) out.name = r.name;
  if (r.message_type !== null) out.messageType = r.message_type;
  if (r.cop_msg_id !== null) out.copMsgId = r.cop_msg_id;
  if (r.order_no !== null) out.orderNo = r.order_no;
  if (r.reason !== null) out.reason = r.reason;
  if (r.notes !== null) out.notes = JSON.parse(r.notes) as string[];
  return out;
}

/** Opens (creating when needed) the emulator's state in a SQLite file. */
export async function openSqliteState(
  path: string,
  options: StateOptions & { synchronous?: 'NORMAL' | 'FULL' } = {},
): Promise<EmulatorState> {
  const history = historyOf(options);
  const Database = await loadSqliteDriver('QUOTA_STORE', 'The emulator state in SQLite');
  const notFile = notADatabaseFile(path);
  if (notFile) throw new SandanError('QUOTA_STORE', `Cannot open the emulator state ${path}: ${notFile}`);
  let db: BetterSqlite3.Database | undefined;
  let unlock = () => {};
  try {
    db = new Database(path, { timeout: 5000 });
    unlock = lockState(Database, db, path);
    db.pragma('journal_mode = WAL');
    // NORMAL (default): a kill loses nothing in WAL mode; only a power loss may lose the last commits.
    db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
    db.exec(SCHEMA);
    // A file from before receipts named their platform: the column is added (its rows name none).
    const outbox = db.prepare('SELECT name FROM pragma_table_info(?)').all('emu_outbox') as { name: string }[];
    if (!outbox.some((c) => c.name === 'ebp_code')) db.exec('ALTER TABLE emu_outbox ADD COLUMN ebp_code TEXT');
    // (and before they kept their returnInfo: those rows have none)
    if (!outbox.some((c) => c.name === 'return_info')) db.exec('ALTER TABLE emu_outbox ADD COLUMN return_info TEXT');
    // (a file written before received messages had notes: a JSON list, null for none)
    const received = db.prepare('SELECT name FROM pragma_table_info(?)').all('emu_received') as { name: string }[];
    if (!received.some((c) => c.name === 'notes')) db.exec('ALTER TABLE emu_received ADD COLUMN notes TEXT');
    db.prepare('INSERT OR REPLACE INTO emu_holder (one, pid, host, since) VALUES (1, ?, ?, ?)').run(
      process.pid,
      hostname(),
      new Date().toISOString(),
    );
  } catch (e) {
    unlock();
    db?.close();
    throw e instanceof SandanError ? e : storeError('QUOTA_STORE', `Cannot open the emulator state ${path}`, e);
  }
  const s = {
    addReceived: db.prepare(
      'INSERT INTO emu_received (at, transport, name, message_type, cop_msg_id, order_no, accepted, reason, xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    // (LIMIT -1: no limit)
    received: db.prepare('SELECT * FROM emu_received WHERE seq > ? ORDER BY seq LIMIT ?'),
    receivedByName: db.prepare('SELECT * FROM emu_received WHERE name = ? ORDER BY seq DESC LIMIT 1'),
    lastReceived: db.prepare('SELECT coalesce(max(seq), 0) AS n FROM emu_received'),
    // (AUTOINCREMENT's next value: above every seq ever given, kept in sqlite_sequence)
    nextReceived: db.prepare(
      "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'emu_received'), 0) + 1 AS n",
    ),
    noteReceived: db.prepare(
      "UPDATE emu_received SET notes = json_insert(coalesce(notes, '[]'), '$[#]', ?) WHERE seq = ?",
    ),
    lastReceipt: db.prepare('SELECT coalesce(max(seq), 0) AS n FROM emu_outbox'),
    getDoc: db.prepare('SELECT body FROM emu_doc WHERE kind = ? AND key = ?'),
    putDoc: db.prepare(
      'INSERT INTO emu_doc (kind, key, order_no, invt_no, cop_no, waiting, body) VALUES (@kind, @key, @orderNo, @invtNo, @copNo, @waiting, @body) ON CONFLICT (kind, key) DO UPDATE SET order_no = excluded.order_no, invt_no = excluded.invt_no, cop_no = excluded.cop_no, waiting = excluded.waiting, body = excluded.body',
    ),
    byOrder: db.prepare('SELECT body FROM emu_doc WHERE kind = ? AND order_no = ?'),
    byInvt: db.prepare('SELECT body FROM emu_doc WHERE kind = ? AND invt_no = ?'),
    byKind: db.prepare('SELECT body FROM emu_doc WHERE kind = ?'),
    addReceipt: db.prepare(
      'INSERT INTO emu_outbox (name, type, order_no, ebp_code, invt_no, return_status, return_info, xml, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    setName: db.prepare('UPDATE emu_outbox SET name = ? WHERE seq = ?'),
    receipts: db.prepare('SELECT * FROM emu_outbox WHERE seq > ? ORDER BY seq'),
    receiptsToDeliver: db.prepare('SELECT * FROM emu_outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
    receiptsOf: db.prepare('SELECT * FROM emu_outbox WHERE seq > ? AND order_no = ? ORDER BY seq'),
    schedule: db.prepare('INSERT INTO emu_timeline (due, event) VALUES (?, ?)'),
    nextDue: db.prepare('SELECT id, due, event FROM emu_timeline ORDER BY due, id LIMIT 1'),
    done: db.prepare('DELETE FROM emu_timeline WHERE id = ?'),
    releasesDropped: db.prepare(
      `SELECT body FROM emu_doc d WHERE kind = 'inventory' AND body LIKE '%"cancelling"%'
        AND body ->> '$.cancelling' IS NOT NULL AND body ->> '$.releaseDue' IS NULL AND body ->> '$.releasedAt' IS NULL
        AND NOT EXISTS (SELECT 1 FROM emu_timeline t WHERE t.event ->> '$.action' = 'status'
          AND t.event ->> '$.kind' = 'inventory' AND t.event ->> '$.key' = d.key
          AND coalesce(t.event ->> '$.v', 0) = coalesce(d.body ->> '$.version', 0))`,
    ),
    setScenario: db.prepare(
      'INSERT INTO emu_scenario (order_no, scenario) VALUES (?, ?) ON CONFLICT (order_no) DO UPDATE SET scenario = excluded.scenario',
    ),
    getScenario: db.prepare('SELECT scenario FROM emu_scenario WHERE order_no = ?'),
    deleteScenario: db.prepare('DELETE FROM emu_scenario WHERE order_no = ?'),
    deletePlatformScenario: db.prepare('DELETE FROM emu_platform_scenario WHERE order_no = ? AND ebp_code = ?'),
    setPlatformScenario: db.prepare(
      'INSERT INTO emu_platform_scenario (order_no, ebp_code, scenario) VALUES (?, ?, ?) ON CONFLICT (order_no, ebp_code) DO UPDATE SET scenario = excluded.scenario',
    ),
    getPlatformScenario: db.prepare('SELECT scenario FROM emu_platform_scenario WHERE order_no = ? AND ebp_code = ?'),
    scenarioCount: db.prepare(
      'SELECT (SELECT count(*) FROM emu_scenario) + (SELECT count(*) FROM emu_platform_scenario) AS n',
    ),
    serial: db.prepare(
      'INSERT INTO emu_serial (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value',
    ),
  };
  const body = (r: unknown) => JSON.parse((r as { body: string }).body) as StoredDoc;
  const nul = (v: string | undefined) => v ?? null;
  /** The oldest seq kept of a list whose last seq is `last`. */
  const startOf = (last: number) => Math.max(1, last - history + 1);
  const lastReceipt = () => (s.lastReceipt.get() as { n: number }).n;
  const receiptsStart = () => startOf(lastReceipt());
  const receivedStart = () => startOf((s.lastReceived.get() as { n: number }).n);
  return {
    undoes: true,
    transaction<T>(fn: () => T): T {
      if (db.inTransaction) return fn();
      return db.transaction(fn).immediate();
    },
    // better-sqlite3 runs a transaction function called inside another as a savepoint.
    savepoint: <T>(fn: () => T): T => db.transaction(fn)(),
    addReceived(r) {
      const info = s.addReceived.run(
        r.at,
        r.transport,
        nul(r.name),
        nul(r.messageType),
        nul(r.copMsgId),
        nul(r.orderNo),
        r.accepted ? 1 : 0,
        nul(r.reason),
        r.xml,
      );
      return Number(info.lastInsertRowid);
    },
    received: (after = 0, limit?: number) =>
      (
        s.received.all(
          Math.max(after, receivedStart() - 1),
          limit === undefined || limit >= Number.MAX_SAFE_INTEGER ? -1 : limit,
        ) as ReceivedRow[]
      ).map(receivedOf),
    nextReceivedSeq: () => (s.nextReceived.get() as { n: number }).n,
    noteReceived(seq, note) {
      s.noteReceived.run(note, seq);
    },
    receivedByName(name) {
      const r = s.receivedByName.get(name) as ReceivedRow | undefined;
      return r && receivedOf(r);
    },
    historyStart: () => ({ received: receivedStart(), receipts: receiptsStart(), nextReceipt: lastReceipt() + 1 }),
    getDoc(kind, key) {
      const r = s.getDoc.get(kind, key);
      return r === undefined ? undefined : body(r);
    },
    putDoc(doc) {
      s.putDoc.run({
        kind: doc.kind,
        key: doc.key,
        orderNo: nul(doc.orderNo),
        invtNo: nul(doc.invtNo),
        copNo: nul(doc.copNo),
        waiting: doc.waiting ? 1 : 0,
        body: JSON.stringify(doc),
      });
    },
    findDocs(kind: DocKind, by) {
      const rows =
        by.invtNo !== undefined
          ? s.byInvt.all(kind, by.invtNo)
          : by.orderNo !== undefined
            ? s.byOrder.all(kind, by.orderNo)
            : s.byKind.all(kind);
      return rows
        .map(body)
        .filter(
          (d) =>
            (by.orderNo === undefined || d.orderNo === by.orderNo) &&
            (by.invtNo === undefined || d.invtNo === by.invtNo) &&
            (by.copNo === undefined || d.copNo === by.copNo),
        );
    },
    addReceipt(r) {
      const info = s.addReceipt.run(
        '',
        r.type,
        nul(r.orderNo),
        nul(r.ebpCode),
        nul(r.invtNo),
        nul(r.returnStatus),
        nul(r.returnInfo),
        r.xml,
        r.at,
      );
      const seq = Number(info.lastInsertRowid);
      const name = receiptName(seq, r.type, r.guid);
      s.setName.run(name, seq);
      const { guid: _guid, ...rest } = r;
      return { ...rest, seq, name };
    },
    receipts(after, filter) {
      const from = Math.max(after, receiptsStart() - 1);
      const orderNo = filter?.orderNo;
      // (the index finds an order's receipts; the platform is told apart among them)
      const rows = (orderNo === undefined ? s.receipts.all(from) : s.receiptsOf.all(from, orderNo)) as OutboxRow[];
      const out = rows.map(receiptOf);
      return filter?.ebpCode === undefined ? out : out.filter((r) => receiptMatches(r, filter));
    },
    receiptsToDeliver(after, limit) {
      return (s.receiptsToDeliver.all(after, limit) as OutboxRow[]).map(receiptOf);
    },
    schedule(due, event) {
      s.schedule.run(due, JSON.stringify(event));
    },
    nextDue(): DueEvent | undefined {
      const r = s.nextDue.get() as { id: number; due: number; event: string } | undefined;
      return r && { id: r.id, due: r.due, event: JSON.parse(r.event) };
    },
    done(id) {
      s.done.run(id);
    },
    releasesDropped: () => s.releasesDropped.all().map((r) => body(r)),
    setScenario(orderNo, ebpCode, sc: Scenario | null) {
      if (sc === null) {
        if (ebpCode === undefined) s.deleteScenario.run(orderNo);
        else s.deletePlatformScenario.run(orderNo, ebpCode);
        return;
      }
      if (ebpCode === undefined) s.setScenario.run(orderNo, JSON.stringify(sc));
      else s.setPlatformScenario.run(orderNo, ebpCode, JSON.stringify(sc));
    },
    getScenario(orderNo, ebpCode) {
      const r = ((ebpCode !== undefined ? s.getPlatformScenario.get(orderNo, ebpCode) : undefined) ??
        s.getScenario.get(orderNo)) as { scenario: string } | undefined;
      return r && (JSON.parse(r.scenario) as Scenario);
    },
    hasScenario(orderNo, ebpCode) {
      return (
        (ebpCode === undefined ? s.getScenario.get(orderNo) : s.getPlatformScenario.get(orderNo, ebpCode)) !== undefined
      );
    },
    scenarioCount() {
      return (s.scenarioCount.get() as { n: number }).n;
    },
    nextSerial(name) {
      return (s.serial.get(name) as { value: number }).value;
    },
    close() {
      if (db.open) {
        try {
          db.prepare('DELETE FROM emu_holder WHERE pid = ?').run(process.pid);
        } catch {
          // (a state that cannot be written now: the next holder replaces the row)
        }
        db.close();
      }
      unlock();
    },
  };
}
