import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyReceipts, QuotaLedger } from '../../src/quota/index.js';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import { runTogether } from './processes.js';
import { BUYER, quotaContract, SECRET, type HammerResult } from './contract.js';
import { checkOldRows, checkUpgraded, OLD_ENTRIES, OLD_EVENTS, OLD_META } from './migration.js';

const s = (d: { toFixed(): string } | undefined) => d?.toFixed();

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
        // The processes really ran at the same time: some of their working windows overlap. (Not all
        // eight: on a loaded machine with two cores one may finish its few calls before another is scheduled.)
        const windows = reports.map((r) => [r.started, r.finished] as const);
        const overlap = windows.some(([s1, f1], i) => windows.some(([s2, f2], j) => i !== j && s1 < f2 && s2 < f1));
        expect(overlap, JSON.stringify(windows)).toBe(true);
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

  /** The DDL of schema version 1 as an older sandan wrote it: orders keyed by orderNo alone. */
  const V1_DDL = (withQuantities: boolean) => `
CREATE TABLE sandan_quota_entry (
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
  invt_no TEXT${withQuantities ? ',\n  quantities TEXT' : ''}
) STRICT;
CREATE INDEX sandan_quota_entry_buyer ON sandan_quota_entry (buyer_key, year);
CREATE INDEX sandan_quota_entry_cop ON sandan_quota_entry (cop_no) WHERE cop_no IS NOT NULL;
CREATE INDEX sandan_quota_entry_invt ON sandan_quota_entry (invt_no) WHERE invt_no IS NOT NULL;
CREATE TABLE sandan_quota_event (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  order_no TEXT NOT NULL,
  buyer_key TEXT NOT NULL,
  year INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('reserve', 'commit', 'release', 'expire', 'refund')),
  amount TEXT NOT NULL,
  at INTEGER NOT NULL,
  key TEXT
) STRICT;
CREATE INDEX sandan_quota_event_buyer ON sandan_quota_event (buyer_key, year, seq);
CREATE INDEX sandan_quota_event_order ON sandan_quota_event (order_no, seq);
CREATE UNIQUE INDEX sandan_quota_event_key ON sandan_quota_event (order_no, key) WHERE key IS NOT NULL;
CREATE TABLE sandan_quota_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
`;

  it.each([
    ['with quantities', true],
    ['from before quantities', false],
  ])(
    'upgrades a version 1 file (%s) to orders keyed by platform and orderNo, once, keeping its rows',
    async (_, withQuantities) => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
      const file = join(dir, 'v1.sqlite');
      const Database = (await import('better-sqlite3')).default;
      const ms = (iso: string) => Date.parse(iso);
      const raw = new Database(file);
      raw.pragma('journal_mode = WAL');
      raw.exec(V1_DDL(withQuantities));
      const q = withQuantities ? ', quantities' : '';
      const insert = raw.prepare(
        `INSERT INTO sandan_quota_entry (order_no, buyer_key, year, amount, refunded, status, order_at, updated_at, cop_no, invt_no${q}) VALUES (@order_no, @buyer_key, @year, @amount, @refunded, @status, @order_at, @updated_at, @cop_no, @invt_no${withQuantities ? ', @quantities' : ''})`,
      );
      for (const e of OLD_ENTRIES)
        insert.run({
          ...e,
          order_at: ms(e.order_at),
          updated_at: ms(e.updated_at),
          ...(!withQuantities && { quantities: undefined }),
        });
      const event = raw.prepare(
        'INSERT INTO sandan_quota_event (order_no, buyer_key, year, type, amount, at, key) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const e of OLD_EVENTS) event.run(e.order_no, e.buyer_key, e.year, e.type, e.amount, ms(e.at), e.key);
      for (const [k, v] of OLD_META) raw.prepare('INSERT INTO sandan_quota_meta (key, value) VALUES (?, ?)').run(k, v);
      raw.close();
      const look = () => {
        const db = new Database(file, { readonly: true });
        try {
          const names = (sql: string) => (db.prepare(sql).all() as Array<{ name: string }>).map((c) => c.name);
          return {
            version: (
              db.prepare("SELECT value FROM sandan_quota_meta WHERE key = 'schema-version'").get() as { value: string }
            ).value,
            // the primary key's columns, in order
            key: names("SELECT name FROM pragma_table_info('sandan_quota_entry') WHERE pk > 0 ORDER BY pk"),
            eventKey: names("SELECT name FROM pragma_index_info('sandan_quota_event_key') ORDER BY seqno"),
            eventOrder: names("SELECT name FROM pragma_index_info('sandan_quota_event_order') ORDER BY seqno"),
            entries: (db.prepare('SELECT count(*) AS n FROM sandan_quota_entry').get() as { n: number }).n,
          };
        } finally {
          db.close();
        }
      };
      try {
        // Read-only: read as it is (every order of no platform stated), and left as it was.
        const reader = new QuotaLedger({ store: await openSqliteQuotaStore(file, { readOnly: true }), secret: SECRET });
        await checkOldRows(reader, withQuantities);
        await reader.close();
        expect(look()).toEqual({
          version: '1',
          key: ['order_no'],
          eventKey: ['order_no', 'key'],
          eventOrder: ['order_no', 'seq'],
          entries: 2,
        });
        // Opened for writing: upgraded, and the same rows read the same.
        const l = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
        const upgraded = {
          version: '2',
          key: ['order_no', 'ebp_code'],
          eventKey: ['order_no', 'ebp_code', 'key'],
          eventOrder: ['order_no', 'ebp_code', 'seq'],
          entries: 2,
        };
        expect(look()).toEqual(upgraded);
        await checkUpgraded(l, withQuantities);
        await l.close();
        // Again: nothing to do; the rows written since (two more entries) are kept.
        const again = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
        expect(look()).toEqual({ ...upgraded, entries: 4 });
        expect(s((await again.remaining(BUYER, 2026)).used)).toBe('1400');
        await again.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('reports an SQLite error other than a busy lock at once, as a store error (not QUOTA_BUSY after retries)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const file = join(dir, 'trigger.sqlite');
    try {
      const setup = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
      await setup.reserve('T-0', BUYER, '1', '2026-02-01');
      await setup.close();
      // A trigger someone added to the file refuses every new order (SQLITE_CONSTRAINT_TRIGGER).
      const Database = (await import('better-sqlite3')).default;
      const raw = new Database(file);
      raw.exec(
        "CREATE TRIGGER no_orders BEFORE INSERT ON sandan_quota_entry BEGIN SELECT RAISE(ABORT, 'no new orders'); END",
      );
      raw.close();
      const l = new QuotaLedger({ store: await openSqliteQuotaStore(file, { busyTimeoutMs: 4000 }), secret: SECRET });
      const started = Date.now();
      await expect(l.reserve('T-1', BUYER, '1', '2026-02-01')).rejects.toMatchObject({
        code: 'QUOTA_STORE',
        message: expect.stringContaining('transaction failed: no new orders'),
      });
      // Not retried as a busy lock would be (up to busyTimeoutMs).
      expect(Date.now() - started).toBeLessThan(2000);
      expect(s((await l.remaining(BUYER, 2026)).used)).toBe('1');
      await l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets two stores of one process on one file take turns (each held the lock the other waited for)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const db = join(dir, 'quota.sqlite');
    try {
      // The second store by another spelling of the path: the lock is the file's, not the string's.
      const stores = [
        await openSqliteQuotaStore(db, { busyTimeoutMs: 2000 }),
        await openSqliteQuotaStore(join(dir, '.', 'quota.sqlite'), { busyTimeoutMs: 2000 }),
      ];
      const [a, b] = stores.map((store) => new QuotaLedger({ store, secret: SECRET }));
      await a!.remaining(BUYER, 2026);
      const started = Date.now();
      // Each reserve awaits between its statements while holding BEGIN IMMEDIATE; before, the other
      // store's BEGIN IMMEDIATE blocked the thread in SQLite's busy handler for the whole timeout,
      // and most reservations failed with QUOTA_BUSY.
      const results = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => a!.reserve(`A${i}`, BUYER, '10', '2026-06-01')),
        ...Array.from({ length: 5 }, (_, i) => b!.reserve(`B${i}`, BUYER, '10', '2026-06-01')),
      ]);
      expect(results.map((r) => r.ok)).toEqual(Array(10).fill(true));
      expect(Date.now() - started).toBeLessThan(1500);
      expect(s((await b!.remaining(BUYER, 2026)).used)).toBe('100');
      for (const store of stores) await store.close();
      // Closed stores let go of the file's lock; a new store on it works as the first did.
      const again = await openSqliteQuotaStore(db);
      expect(s((await new QuotaLedger({ store: again, secret: SECRET }).remaining(BUYER, 2026)).used)).toBe('100');
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens a version 2 file from before return applications: read as having none, and given their table for writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const file = join(dir, 'v2.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const hasTable = () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare("SELECT name FROM sqlite_master WHERE name = 'sandan_quota_return'").all().length === 1;
      } finally {
        db.close();
      }
    };
    try {
      // A file of the sandan before: the same schema, version 2, without the table (and its index) of applications.
      const first = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
      await first.reserve({ ebpCode: 'E', orderNo: 'V2-1' }, BUYER, '610', '2026-05-01');
      await first.commit({ ebpCode: 'E', orderNo: 'V2-1' }, { now: '2026-05-02' });
      await first.link({ ebpCode: 'E', orderNo: 'V2-1' }, { invtNo: 'INVT-V2-1' });
      await first.close();
      const raw = new Database(file);
      raw.exec('DROP TABLE sandan_quota_return');
      raw.close();
      expect(hasTable()).toBe(false);
      // Read-only: no table, no applications, and the file stays as it was.
      const reader = new QuotaLedger({ store: await openSqliteQuotaStore(file, { readOnly: true }), secret: SECRET });
      expect(await reader.findReturn({ copNo: 'RET-V2' })).toBeUndefined();
      expect(s((await reader.find({ ebpCode: 'E', orderNo: 'V2-1' }))?.amount)).toBe('610');
      await reader.close();
      expect(hasTable()).toBe(false);
      // Opened for writing: the table is made, the rows are kept, and an approved return gives back its share:
      // line 2 of 200 of the goods' 600 → 610 × 200 / 600 = 203.333… → 203.33.
      const l = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
      expect(hasTable()).toBe(true);
      const inventory = [
        { gnum: 1, qty: '1', totalPrice: '100' },
        { gnum: 2, qty: '1', totalPrice: '200' },
        { gnum: 3, qty: '1', totalPrice: '300' },
      ];
      await l.recordReturn(
        { ebpCode: 'E', orderNo: 'V2-1' },
        { copNo: 'RET-V2', items: [{ gnum: 2, qty: '1' }], inventory },
      );
      const [o] = await applyReceipts(l, [
        { kind: 'CEB626', copNo: 'RET-V2', invtNo: 'INVT-V2-1', returnStatus: '399', returnTime: '20260506100000000' },
      ]);
      expect(o?.result?.ok && [o.result.refundBasis, s(o.result.entry.refunded)]).toEqual(['application', '203.33']);
      await l.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a schema version it does not know, and leaves the file alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const file = join(dir, 'v3.sqlite');
    const Database = (await import('better-sqlite3')).default;
    try {
      await (await openSqliteQuotaStore(file)).close();
      const raw = new Database(file);
      raw.exec("UPDATE sandan_quota_meta SET value = '3' WHERE key = 'schema-version'");
      raw.close();
      for (const readOnly of [false, true])
        await expect(openSqliteQuotaStore(file, { readOnly })).rejects.toMatchObject({
          code: 'QUOTA_STORE',
          message: expect.stringContaining('has quota schema version 3; this sandan knows versions 1'),
        });
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

  it('does not make a database of something else a ledger (a mistyped --db shop.db)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    try {
      const Database = (await import('better-sqlite3')).default;
      const shop = join(dir, 'shop.db');
      const d = new Database(shop);
      d.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY)');
      d.close();
      const before = readFileSync(shop);
      await expect(openSqliteQuotaStore(shop)).rejects.toMatchObject({
        code: 'QUOTA_STORE',
        message: expect.stringContaining('is a database of something else'),
      });
      // Not a byte changed (no tables added, no switch to WAL mode).
      expect(readFileSync(shop).equals(before)).toBe(true);
      // The emulator's state beside a ledger in one file is sandan's own: that file opens.
      const emu = join(dir, 'emulator.sqlite');
      const e = new Database(emu);
      e.exec('CREATE TABLE emu_serial (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT');
      e.close();
      await (await openSqliteQuotaStore(emu)).close();
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

describe('order numbers a database cannot keep as given', () => {
  it('refuses a lone surrogate or a character XML cannot carry: SQLite kept "X\\uD800" as "X\\uFFFD", and the order reserved could never be committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-quota-'));
    const store = await openSqliteQuotaStore(join(dir, 'quota.sqlite'));
    try {
      const l = new QuotaLedger({ store, secret: SECRET });
      for (const order of ['X\uD800', 'Z\uDC00Z', 'Y\u0000a', 'O\uFFFF', { ebpCode: '33\uD800', orderNo: 'O-2' }])
        await expect(l.reserve(order, BUYER, '1000', '2026-06-01'), JSON.stringify(order)).rejects.toMatchObject({
          code: 'QUOTA_INVALID',
          message: expect.stringMatching(/U\+(D800|DC00|0000|FFFF)/),
        });
      expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('0');
      // A surrogate pair (an emoji, a CJK Extension B character) is kept and found as given.
      expect((await l.reserve('O-\u{20000}', BUYER, '1000', '2026-06-01')).ok).toBe(true);
      expect((await l.commit('O-\u{20000}')).ok).toBe(true);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
