// Readers beside a writer: another process holds the SQLite ledger's write lock (BEGIN IMMEDIATE
// with an uncommitted reservation) while the read paths answer at once with the committed
// figures, and a writer gives up after its busy timeout with QUOTA_BUSY instead of waiting minutes.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { QuotaLedger } from '../../src/quota/index.js';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import { BUYER, SECRET } from './contract.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/hangzhou-1210.json');
const RATES = join(ROOT, 'examples/rates.example.json');
const EXAMPLE_BUYER = '330106199003071519';
const BIN = join(ROOT, 'bin/sandan.js');
const RESERVE = ['--order', 'R-1', '--amount', '100', '--at', '2026-06-01'];

// Generous for a loaded 2-core machine, far below the 5 s default busy timeout (and the ~110 s
// the old open waited): a read that waited for the writer would take the whole busy timeout.
const PROMPT_MS = 2000;

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const started = Date.now();
  const code = await main(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([]),
    stderrIsTTY: false,
    env: { SANDAN_QUOTA_SECRET: SECRET },
  });
  return { code, stdout, stderr, ms: Date.now() - started };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

/**
 * Another process (plain node and better-sqlite3) that takes the write lock and writes a
 * 5,000 CNY reservation for every buyer's R-1 row without committing, until told to stop.
 */
function holdWriteLock(file: string): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.exec("INSERT INTO sandan_quota_entry (order_no, buyer_key, year, amount, refunded, status, order_at, updated_at) SELECT 'HELD-' || order_no, buyer_key, year, '5000', '0', 'reserved', order_at, updated_at FROM sandan_quota_entry");
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => (d.includes('locked') ? resolve(child) : undefined));
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${String(code)}: ${err}`)));
  });
}

function release(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.stdin?.end('stop\n');
  });
}

describe('sqlite ledger while another process holds the write lock', () => {
  let dir: string;
  let file: string;
  let holder: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-quota-lock-'));
    file = join(dir, 'quota.sqlite');
    const l = new QuotaLedger({ store: await openSqliteQuotaStore(file), secret: SECRET });
    expect(await l.reserve('R-1', BUYER, '1000', '2026-03-01')).toMatchObject({ ok: true });
    // 25,600 used + the example order's 548.00 = 26,148 > 26,000: validate reports 1313.
    expect(await l.reserve('EARLIER-1', EXAMPLE_BUYER, '25600.00', '2026-03-01')).toMatchObject({ ok: true });
    await l.close();
    holder = await holdWriteLock(file);
  }, 60_000);

  afterAll(async () => {
    if (holder) await release(holder);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the library reads the committed figures at once through a read-only store', async () => {
    const { value: l, ms: openMs } = await timed(async () => {
      const store = await openSqliteQuotaStore(file, { readOnly: true });
      return new QuotaLedger({ store, secret: SECRET });
    });
    try {
      const { value: b, ms } = await timed(() => l.remaining(BUYER, 2026, { at: '2026-06-01' }));
      // Committed: R-1's 1,000. The holder's uncommitted 5,000 does not show.
      expect([b.used.toFixed(), b.remaining.toFixed(), b.orders]).toEqual(['1000', '25000', 1]);
      expect(openMs + ms).toBeLessThan(PROMPT_MS);
      const h = await timed(() => l.history(BUYER, 2026));
      expect(h.value.map((e) => [e.type, e.orderNo, e.amount.toFixed()])).toEqual([['reserve', 'R-1', '1000']]);
      expect(h.ms).toBeLessThan(PROMPT_MS);
    } finally {
      await l.close();
    }
  });

  it('a writable store opens and reads at once too (only writes wait for the lock)', async () => {
    const { value: l, ms } = await timed(async () => {
      const store = await openSqliteQuotaStore(file, { busyTimeoutMs: 300 });
      const ledger = new QuotaLedger({ store, secret: SECRET });
      expect((await ledger.remaining(BUYER, 2026, { at: '2026-06-01' })).used.toFixed()).toBe('1000');
      return ledger;
    });
    expect(ms).toBeLessThan(PROMPT_MS);
    await l.close();
  });

  it('a writer gives up after its busy timeout (300 ms) with QUOTA_BUSY', async () => {
    const store = await openSqliteQuotaStore(file, { busyTimeoutMs: 300 });
    const l = new QuotaLedger({ store, secret: SECRET });
    try {
      const started = Date.now();
      const e = await l.reserve('R-2', BUYER, '10', '2026-03-02').then(
        () => undefined,
        (err: unknown) => err,
      );
      const ms = Date.now() - started;
      expect(e).toMatchObject({
        name: 'SandanError',
        code: 'QUOTA_BUSY',
        message: expect.stringContaining('another process holds the write lock'),
      });
      // It waited the busy timeout, and not much more (the old store retried 20 times: ~110 s at 5 s each).
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(1500);
    } finally {
      await l.close();
    }
  });

  it('sandan quota remaining and history answer at once; reserve exits 75 after --busy-timeout', async () => {
    const r = await cli([
      'quota',
      'remaining',
      '--db',
      file,
      '--buyer-id',
      BUYER,
      '--year',
      '2026',
      '--format',
      'json',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, used: '1000', remaining: '25000', orders: 1 });
    expect(r.ms).toBeLessThan(PROMPT_MS);

    const h = await cli(['quota', 'history', '--db', file, '--buyer-id', BUYER, '--year', '2026', '--format', 'json']);
    expect(h.code).toBe(0);
    expect(JSON.parse(h.stdout)).toMatchObject({
      ok: true,
      used: '1000',
      events: [{ type: 'reserve', orderNo: 'R-1' }],
    });
    expect(h.ms).toBeLessThan(PROMPT_MS);

    const w = await cli([
      'quota',
      'reserve',
      '--db',
      file,
      '--buyer-id',
      BUYER,
      '--order',
      'R-3',
      '--amount',
      '10',
      '--at',
      '2026-03-03',
      '--busy-timeout',
      '300',
    ]);
    expect(w.code).toBe(75);
    expect(w.stdout).toBe('');
    expect(w.stderr).toContain('another process holds the write lock');
    expect(w.stderr).toContain('hint: Another process is writing to the quota ledger');
    expect(w.ms).toBeLessThan(PROMPT_MS);
  });

  it('sandan validate --quota-db checks the limit at once', async () => {
    const r = await cli(['validate', EXAMPLE, '--rates', RATES, '--quota-db', file, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).issues).toContainEqual(
      expect.objectContaining({ code: '1313', ruleId: 'limits/annual' }),
    );
    expect(r.ms).toBeLessThan(PROMPT_MS);
  });

  it('the lock was really held: a raw connection cannot take it', () => {
    const db = new Database(file, { timeout: 0 });
    try {
      expect(() => db.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
    } finally {
      db.close();
    }
  });
});

describe('read-only open', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-quota-ro-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The database file's bytes and modification time (the -wal and -shm side files are SQLite's own). */
  const snapshot = (f: string) => ({ bytes: readFileSync(f).toString('base64'), mtimeMs: statSync(f).mtimeMs });

  it('does not create a missing file (library and CLI)', async () => {
    const f = join(dir, 'missing.sqlite');
    await expect(openSqliteQuotaStore(f, { readOnly: true })).rejects.toMatchObject({
      code: 'QUOTA_STORE',
      message: expect.stringContaining('a read-only open does not create one'),
    });
    const r = await cli(['quota', 'remaining', '--db', f, '--buyer-id', BUYER]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`There is no quota ledger at ${f}`);
    const v = await cli(['validate', EXAMPLE, '--quota-db', f]);
    expect(v.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a folder given as the database says it is a folder, read-only or not (SQLite said "disk I/O error")', async () => {
    for (const readOnly of [true, false])
      await expect(openSqliteQuotaStore(dir, { readOnly })).rejects.toMatchObject({
        code: 'QUOTA_STORE',
        message: `Cannot open the quota database ${dir}: it is a folder, not a database file`,
      });
    const v = await cli(['validate', EXAMPLE, '--quota-db', dir]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('it is a folder, not a database file');
  });

  it('a FIFO or a device says what it is; a file where a folder should be is no internal error', async () => {
    const fifo = join(dir, 'ledger.sqlite');
    execFileSync('mkfifo', [fifo]);
    // Its own process, killed if it hangs: the read-only open of a FIFO waited for a writer for ever, past Ctrl-C.
    for (const command of ['history', 'reserve']) {
      const r = spawnSync(
        process.execPath,
        [BIN, 'quota', command, '--db', fifo, '--buyer-id', BUYER, ...(command === 'reserve' ? RESERVE : [])],
        {
          env: { ...process.env, SANDAN_QUOTA_SECRET: SECRET },
          encoding: 'utf8',
          timeout: 20_000,
          killSignal: 'SIGKILL',
        },
      );
      expect([command, r.status, r.stderr.split('\n')[0]]).toEqual([
        command,
        2,
        `sandan: Cannot open the quota database ${fifo}: it is a FIFO (named pipe), not a database file`,
      ]);
    }
    // (SQLite said "disk I/O error", and the hint blamed the disk)
    for (const readOnly of [true, false])
      await expect(openSqliteQuotaStore('/dev/null', { readOnly })).rejects.toMatchObject({
        code: 'QUOTA_STORE',
        message: 'Cannot open the quota database /dev/null: it is a device, not a database file',
      });
    // (a stat of the path threw ENOTDIR: "sandan: internal error")
    writeFileSync(join(dir, 'a-file'), '');
    const r = await cli(['quota', 'reserve', '--db', join(dir, 'a-file', 'x.sqlite'), '--buyer-id', BUYER, ...RESERVE]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('Cannot open the quota database')]);
    expect(r.stderr).not.toContain('internal error');
  }, 60_000);

  it('refuses a file that is not a quota ledger, and leaves it as it was', async () => {
    const f = join(dir, 'other.sqlite');
    const raw = new Database(f);
    raw.exec('CREATE TABLE something_else (x INTEGER)');
    raw.close();
    const before = snapshot(f);
    await expect(openSqliteQuotaStore(f, { readOnly: true })).rejects.toMatchObject({
      code: 'QUOTA_STORE',
      message: expect.stringContaining('is not a sandan quota ledger'),
    });
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    await expect(openSqliteQuotaStore(empty, { readOnly: true })).rejects.toMatchObject({ code: 'QUOTA_STORE' });
    expect(snapshot(f)).toEqual(before);
    expect(readFileSync(empty).length).toBe(0);
  });

  it('never changes the database file: reads, refused writes, close', async () => {
    const f = join(dir, 'q.sqlite');
    const w = new QuotaLedger({ store: await openSqliteQuotaStore(f), secret: SECRET });
    await w.reserve('R-1', BUYER, '123.45', '2026-05-05');
    await w.close(); // the last connection checkpoints the WAL into the file
    const before = snapshot(f);
    // A later modification time would show even on a file system with coarse times.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const store = await openSqliteQuotaStore(f, { readOnly: true });
    expect(store.readOnly).toBe(true);
    const l = new QuotaLedger({ store, secret: SECRET });
    expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('123.45');
    expect(await l.history(BUYER, 2026)).toHaveLength(1);
    expect(await l.find({ orderNo: 'R-1' })).toMatchObject({ orderNo: 'R-1', status: 'reserved' });
    await expect(l.reserve('R-2', BUYER, '1', '2026-05-05')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
    await expect(l.commit('R-1')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
    await l.close();
    expect(snapshot(f)).toEqual(before);
  });

  it('does not claim a fresh ledger for its secret, and still refuses another secret', async () => {
    const f = join(dir, 'q.sqlite');
    // Tables but no entries and no secret fingerprint yet: a read-only ledger finds nothing and writes nothing.
    await (await openSqliteQuotaStore(f)).close();
    const before = snapshot(f);
    const ro = new QuotaLedger({ store: await openSqliteQuotaStore(f, { readOnly: true }), secret: SECRET });
    expect((await ro.remaining(BUYER, 2026)).orders).toBe(0);
    await ro.close();
    expect(snapshot(f)).toEqual(before);
    // The first writer claims it; a read-only ledger with another secret is then refused.
    const w = new QuotaLedger({ store: await openSqliteQuotaStore(f), secret: SECRET });
    await w.reserve('R-1', BUYER, '1', '2026-05-05');
    await w.close();
    const other = new QuotaLedger({
      store: await openSqliteQuotaStore(f, { readOnly: true }),
      secret: 'another-secret-of-enough-length',
    });
    await expect(other.remaining(BUYER, 2026)).rejects.toMatchObject({
      code: 'QUOTA_STORE',
      message: expect.stringContaining('another secret'),
    });
    await other.close();
  });

  it('reads a file made before the quantities column without migrating it', async () => {
    const f = join(dir, 'old.sqlite');
    const w = new QuotaLedger({ store: await openSqliteQuotaStore(f), secret: SECRET });
    await w.reserve('OLD-1', BUYER, '100', '2026-02-01');
    await w.close();
    const raw = new Database(f);
    raw.exec('ALTER TABLE sandan_quota_entry DROP COLUMN quantities');
    raw.close();
    const before = snapshot(f);
    const l = new QuotaLedger({ store: await openSqliteQuotaStore(f, { readOnly: true }), secret: SECRET });
    expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('100');
    // The old row stated no quantities: unknown, not zero.
    expect(await l.usedQuantity(BUYER, 2026, '17019910', '035')).toBeUndefined();
    await l.close();
    expect(snapshot(f)).toEqual(before);
    expect(existsSync(f)).toBe(true);
  });

  it('checks busyTimeoutMs', async () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])
      await expect(openSqliteQuotaStore(join(dir, 'x.sqlite'), { busyTimeoutMs: bad })).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
      });
    expect(readdirSync(dir)).toEqual([]);
    const r = await cli([
      'quota',
      'reserve',
      '--db',
      join(dir, 'x.sqlite'),
      '--buyer-id',
      BUYER,
      '--order',
      'X',
      '--amount',
      '1',
      '--busy-timeout',
      'soon',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--busy-timeout must be a whole number');
  });
});
