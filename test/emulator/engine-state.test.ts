import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { addDuration, manualClock, parseDuration } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import { openSqliteState } from '../../src/emulator/sqlite-state.js';
import { SandanError } from '../../src/errors.js';
import {
  memoryState,
  RECEIPTS_TEXT_LIMIT,
  RECEIVED_TEXT_LIMIT,
  type EmulatorState,
  type StoredDoc,
} from '../../src/emulator/state.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-emulator-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const stores: Array<[string, () => Promise<EmulatorState>]> = [
  ['memory', async () => memoryState()],
  ['sqlite', () => openSqliteState(join(dir, `s${++files}.db`))],
];

const doc = (over: Partial<StoredDoc>): StoredDoc => ({
  kind: 'inventory',
  key: 'E|1',
  orderNo: '1',
  doc: {},
  messageType: 'CEB621',
  status: '',
  at: '2026-11-20T00:00:00.000Z',
  ...over,
});

describe.each(stores)('%s state', (_name, open) => {
  it('numbers receipts 1, 2, 3 and names them by seq, type and guid', async () => {
    const s = await open();
    const a = s.addReceipt({ type: 'CEB622', orderNo: 'A', returnStatus: '2', xml: '<a/>', at: 'x', guid: 'G1' });
    const b = s.addReceipt({ type: 'CEB816', orderNo: 'B', xml: '<b/>', at: 'y', guid: 'G2' });
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.name).toBe('000001-CEB622-G1.xml');
    expect(s.receipts(0).map((r) => r.seq)).toEqual([1, 2]);
    expect(s.receipts(1)).toEqual([b]);
    expect(s.receipts(0, { orderNo: 'A' })).toEqual([a]);
    expect(b.returnStatus).toBeUndefined();
    s.close();
  });

  it('tells the receipts of one orderNo on two platforms apart; a waybill’s (no platform) goes with both', async () => {
    const s = await open();
    const put = (type: 'CEB312' | 'CEB512' | 'CEB622', orderNo: string, ebpCode: string | undefined, guid: string) =>
      s.addReceipt({ type, orderNo, ...(ebpCode !== undefined && { ebpCode }), xml: '<r/>', at: 'x', guid }).seq;
    const a = put('CEB312', 'O1', 'P1', 'G1');
    const b = put('CEB312', 'O1', 'P2', 'G2');
    const w = put('CEB512', 'O1', undefined, 'G3');
    const c = put('CEB622', 'O2', 'P1', 'G4');
    const seqs = (filter: { orderNo?: string; ebpCode?: string }) => s.receipts(0, filter).map((r) => r.seq);
    expect(seqs({ orderNo: 'O1' })).toEqual([a, b, w]);
    expect(seqs({ orderNo: 'O1', ebpCode: 'P1' })).toEqual([a, w]);
    expect(seqs({ orderNo: 'O1', ebpCode: 'P2' })).toEqual([b, w]);
    expect(seqs({ orderNo: 'O1', ebpCode: 'P3' })).toEqual([w]);
    expect(seqs({ ebpCode: 'P1' })).toEqual([a, w, c]);
    expect(s.receipts(0, { orderNo: 'O1', ebpCode: 'P1' })[0]).toMatchObject({ orderNo: 'O1', ebpCode: 'P1' });
    expect(s.receipts(0, { orderNo: 'O1' })[2]).not.toHaveProperty('ebpCode');
    s.close();
  });

  it('finds documents by orderNo, invtNo and copNo, also after the orderNo of a key changed', async () => {
    const s = await open();
    s.putDoc(doc({ key: 'E|1', orderNo: '1' }));
    s.putDoc(doc({ key: 'E|2', orderNo: '2', invtNo: 'I2' }));
    s.putDoc(doc({ kind: 'order', key: 'E|1', orderNo: '1', messageType: 'CEB311' }));
    expect(s.findDocs('inventory', { orderNo: '1' }).map((d) => d.key)).toEqual(['E|1']);
    expect(s.findDocs('inventory', { invtNo: 'I2' }).map((d) => d.key)).toEqual(['E|2']);
    // by copNo (the duplicateCopNo check): only the inventory with that copNo, alone or with an orderNo
    s.putDoc(doc({ key: 'E|4', orderNo: '4', copNo: 'C4' }));
    s.putDoc(doc({ key: 'E|5', orderNo: '5', copNo: 'C5' }));
    expect(s.findDocs('inventory', { copNo: 'C4' }).map((d) => d.key)).toEqual(['E|4']);
    expect(s.findDocs('inventory', { copNo: 'C9' })).toEqual([]);
    expect(s.findDocs('inventory', { orderNo: '4', copNo: 'C5' })).toEqual([]);
    s.putDoc(doc({ key: 'E|1', orderNo: '3', status: '2' }));
    expect(s.findDocs('inventory', { orderNo: '1' })).toEqual([]);
    expect(s.findDocs('inventory', { orderNo: '3' })).toMatchObject([{ key: 'E|1', status: '2' }]);
    expect(s.getDoc('order', 'E|1')?.messageType).toBe('CEB311');
    expect(s.getDoc('order', 'nope')).toBeUndefined();
    // what comes out is a copy: changing it changes nothing stored
    const d = s.getDoc('inventory', 'E|1') as StoredDoc;
    d.status = 'x';
    expect(s.getDoc('inventory', 'E|1')?.status).toBe('2');
    s.close();
  });

  it('gives the due events by time, then by the order they were scheduled in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }), async (dues) => {
        const s = await open();
        for (const [i, due] of dues.entries()) s.schedule(due, { action: 'status', kind: 'order', key: String(i) });
        const out: Array<[number, number]> = [];
        for (let e = s.nextDue(); e; e = s.nextDue()) {
          out.push([e.due, Number(e.event.key)]);
          s.done(e.id);
        }
        s.close();
        const want = dues.map((d, i): [number, number] => [d, i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(out).toEqual(want);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps counters and scenarios', async () => {
    const s = await open();
    expect([s.nextSerial('a'), s.nextSerial('a'), s.nextSerial('b')]).toEqual([1, 2, 1]);
    s.setScenario('O1', undefined, { hold: { status: '500', for: '2h' } });
    s.setScenario('O1', undefined, { drop: { receipt: 'CEB622' } });
    expect(s.getScenario('O1', undefined)).toEqual({ drop: { receipt: 'CEB622' } });
    expect(s.getScenario('O2', undefined)).toBeUndefined();
    // A platform's own scenario comes before the orderNo's; other platforms keep the orderNo's.
    s.setScenario('O1', 'P2', { reject: { code: '1313' } });
    expect(s.getScenario('O1', 'P2')).toEqual({ reject: { code: '1313' } });
    expect(s.getScenario('O1', 'P1')).toEqual({ drop: { receipt: 'CEB622' } });
    expect(s.getScenario('O1', undefined)).toEqual({ drop: { receipt: 'CEB622' } });
    expect(s.getScenario('O2', 'P2')).toBeUndefined();
    // (no separator to collide: orderNo "O1|P2" of no platform is another scenario)
    s.setScenario('O1|P2', undefined, { hold: { status: '600', for: 1 } });
    expect(s.getScenario('O1', 'P2')).toEqual({ reject: { code: '1313' } });
    expect(s.getScenario('O1|P2', 'P9')).toEqual({ hold: { status: '600', for: 1 } });
    expect(s.addReceived({ at: 'x', transport: 'api', accepted: false, reason: 'r', xml: '<x/>' })).toBe(1);
    expect(s.received()).toEqual([{ seq: 1, at: 'x', transport: 'api', accepted: false, reason: 'r', xml: '<x/>' }]);
    s.close();
  });
});

describe('sqlite state', () => {
  it('rolls a failed step back whole: nothing of it is seen, and the seq goes on from the last one kept', async () => {
    const file = join(dir, 'rollback.db');
    const s = await openSqliteState(file);
    s.addReceipt({ type: 'CEB312', xml: '<a/>', at: 'x', guid: 'G1' });
    expect(() =>
      s.transaction(() => {
        s.addReceipt({ type: 'CEB312', xml: '<b/>', at: 'x', guid: 'G2' });
        s.schedule(1, { action: 'status', kind: 'order', key: 'k' });
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash');
    expect(s.receipts(0).map((r) => r.name)).toEqual(['000001-CEB312-G1.xml']);
    expect(s.nextDue()).toBeUndefined();
    s.close();
    const again = await openSqliteState(file);
    const r = again.addReceipt({ type: 'CEB312', xml: '<c/>', at: 'x', guid: 'G3' });
    // seq 2 of the rolled-back step was never stored, so never seen by a listener: the next kept receipt is 2
    expect(r.seq).toBe(2);
    expect(again.receipts(0).map((x) => [x.seq, x.xml])).toEqual([
      [1, '<a/>'],
      [2, '<c/>'],
    ]);
    again.close();
  });

  it('opens a file from before receipts named their platform: its receipts name none, and go with every platform', async () => {
    const file = join(dir, `old${++files}.db`);
    // The outbox as sandan wrote it before (no ebp_code column), with one receipt in it.
    const old = new Database(file);
    old.exec(`CREATE TABLE emu_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, type TEXT NOT NULL, order_no TEXT, invt_no TEXT,
      return_status TEXT, xml TEXT NOT NULL, at TEXT NOT NULL
    ) STRICT`);
    old
      .prepare('INSERT INTO emu_outbox (name, type, order_no, return_status, xml, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run('000001-CEB312-G1.xml', 'CEB312', 'O1', '2', '<r/>', 'x');
    old.close();
    const s = await openSqliteState(file);
    const b = s.addReceipt({ type: 'CEB312', orderNo: 'O1', ebpCode: 'P2', xml: '<b/>', at: 'y', guid: 'G2' });
    expect(b.seq).toBe(2);
    expect(s.receipts(0, { orderNo: 'O1', ebpCode: 'P1' })).toEqual([
      { seq: 1, name: '000001-CEB312-G1.xml', type: 'CEB312', orderNo: 'O1', returnStatus: '2', xml: '<r/>', at: 'x' },
    ]);
    expect(s.receipts(0, { orderNo: 'O1', ebpCode: 'P2' }).map((r) => [r.seq, r.ebpCode])).toEqual([
      [1, undefined],
      [2, 'P2'],
    ]);
    s.close();
    // Opened again: the column is there once, nothing is added twice.
    const again = await openSqliteState(file);
    expect(again.receipts(0).map((r) => r.ebpCode)).toEqual([undefined, 'P2']);
    again.setScenario('O1', 'P2', { reject: { code: '1313' } });
    again.close();
    const third = await openSqliteState(file);
    expect(third.getScenario('O1', 'P2')).toEqual({ reject: { code: '1313' } });
    expect(third.getScenario('O1', 'P1')).toBeUndefined();
    third.close();
  });

  it('synchronous: a commit is in the file at once (a killed process loses nothing); an unknown mode is misuse', async () => {
    const file = join(dir, 'sync.db');
    for (const synchronous of ['NORMAL', 'FULL'] as const) {
      const s = await openSqliteState(file, { synchronous });
      s.addReceipt({ type: 'CEB312', xml: `<${synchronous}/>`, at: 'x', guid: synchronous });
      // Another connection, while this one is still open (as after a kill -9), reads the commit.
      const other = new Database(file, { readonly: true });
      expect(other.prepare('SELECT xml FROM emu_outbox ORDER BY seq DESC LIMIT 1').pluck().get()).toBe(
        `<${synchronous}/>`,
      );
      other.close();
      s.close();
    }
    await expect(
      createEngine({
        store: { sqlite: join(dir, 'bad.db'), synchronous: 'OFF' as 'FULL' },
        clock: manualClock(new Date('2026-11-20T03:00:00Z')),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/synchronous must be/) });
  });
});

describe('sqlite state: one emulator at a time', () => {
  it('refuses a second state on the file while the first is open (also by a link), and opens it once that one is closed', async () => {
    const file = join(dir, 'one-at-a-time.db');
    const first = await openSqliteState(file);
    first.addReceipt({ type: 'CEB312', xml: '<a/>', at: 'x', guid: 'G1' });
    const link = join(dir, 'one-at-a-time-link.db');
    symlinkSync(file, link);
    for (const path of [file, link]) {
      const refused = await openSqliteState(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(SandanError);
      expect(refused).toMatchObject({
        code: 'EMULATOR_STATE_LOCKED',
        details: { state: path, pid: process.pid },
        message: expect.stringContaining(`The emulator state ${path} is in use by another emulator in this process`),
      });
    }
    // The engine (as createCustomsEmulator opens it) is refused the same way.
    await expect(
      createEngine({ store: { sqlite: file }, clock: manualClock(new Date('2026-11-20T03:00:00Z')) }),
    ).rejects.toMatchObject({ code: 'EMULATOR_STATE_LOCKED' });
    // The first one carries on.
    expect(first.addReceipt({ type: 'CEB312', xml: '<b/>', at: 'x', guid: 'G2' }).seq).toBe(2);
    first.close();
    const second = await openSqliteState(link);
    expect(second.receipts(0).map((r) => r.xml)).toEqual(['<a/>', '<b/>']);
    second.close();
    const engine = await createEngine({
      store: { sqlite: file },
      clock: manualClock(new Date('2026-11-20T03:00:00Z')),
    });
    await engine.close();
  });

  it('takes over the lock of a holder that died (kill -9), whose row still names it', async () => {
    const file = join(dir, 'crashed.db');
    // A process that opens the state, says so, and waits to be killed.
    const script = `
      const { openSqliteState } = await import(${JSON.stringify(new URL('../../src/emulator/sqlite-state.ts', import.meta.url).href)});
      await openSqliteState(${JSON.stringify(file)});
      process.stdout.write('open');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => void (err += d));
    const exited = new Promise((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => String(d).includes('open') && resolve());
      child.on('close', (code) => reject(new Error(`the holder exited (${code}): ${err}`)));
    });
    await expect(openSqliteState(file)).rejects.toMatchObject({
      code: 'EMULATOR_STATE_LOCKED',
      details: { pid: child.pid },
      message: expect.stringContaining(`in use by another emulator: process ${child.pid} on `),
    });
    child.kill('SIGKILL');
    await exited;
    const after = await openSqliteState(file);
    after.addReceipt({ type: 'CEB312', xml: '<a/>', at: 'x', guid: 'G1' });
    after.close();
  });
});

describe('the clock', () => {
  it('reads durations once: ms, s, m, h, d, or milliseconds', () => {
    expect(parseDuration('500ms')).toEqual({ ms: 500 });
    expect(parseDuration('30s')).toEqual({ duration: { seconds: 30 } });
    expect(parseDuration('2h')).toEqual({ duration: { hours: 2 } });
    expect(parseDuration(1500)).toEqual({ ms: 1500 });
    for (const bad of ['2 hours', '-1s', '1.5h', '', 'h', -1, 1.5, Number.NaN])
      expect(() => parseDuration(bad as never), String(bad)).toThrow(/duration|milliseconds/);
    const t = new Date('2026-11-20T02:20:00Z');
    expect(addDuration(t, parseDuration('1d')).toISOString()).toBe('2026-11-21T02:20:00.000Z');
    expect(addDuration(t, parseDuration('90m')).toISOString()).toBe('2026-11-20T03:50:00.000Z');
  });

  it('a day is a Beijing calendar day (24 h) whatever the host zone: in New York it was 23 or 25 h across a change of clocks', () => {
    const host = process.env.TZ;
    try {
      for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
        process.env.TZ = zone;
        // 2026-03-07 20:00 Beijing; New York moves its clocks on 2026-03-08 (07:00Z) and back on 2026-11-01 (06:00Z)
        const spring = new Date('2026-03-07T12:00:00Z');
        expect(addDuration(spring, parseDuration('1d')).toISOString(), zone).toBe('2026-03-08T12:00:00.000Z');
        expect(addDuration(new Date('2026-10-31T12:00:00Z'), parseDuration('1d')).toISOString(), zone).toBe(
          '2026-11-01T12:00:00.000Z',
        );
        // 30 days from 00:30 Beijing on 1 March end at 00:30 on 31 March, not 23:30 on the 30th (another Beijing day)
        const c = manualClock('2026-03-01T00:30:00');
        c.set?.(addDuration(c.now(), parseDuration('30d')));
        expect(c.now().toISOString(), zone).toBe('2026-03-30T16:30:00.000Z');
      }
    } finally {
      if (host === undefined) delete process.env.TZ;
      else process.env.TZ = host;
    }
  });

  it('a manual clock moves only forward, and only when told', () => {
    const c = manualClock('2026-11-20T02:20:00Z');
    expect(c.kind).toBe('manual');
    c.set?.(new Date('2026-11-20T02:00:00Z'));
    expect(c.now().toISOString()).toBe('2026-11-20T02:20:00.000Z');
    c.set?.(new Date('2026-11-20T03:00:00Z'));
    expect(c.now().toISOString()).toBe('2026-11-20T03:00:00.000Z');
    expect(() => manualClock('not a time')).toThrow(/not a time/);
  });

  it('a manual clock reads its start as every time option does: Beijing time without a zone, impossible dates refused', () => {
    // Without a zone the start was read by the host's zone (a UTC host started 8 hours late), a date alone as UTC
    // midnight, and 2019-02-30 rolled over to 2 March.
    const at = (start: string) => manualClock(start).now().toISOString();
    expect(at('2019-01-01T00:00:00')).toBe('2018-12-31T16:00:00.000Z');
    expect(at('2019-01-01')).toBe('2018-12-31T16:00:00.000Z');
    expect(at('20190101000000')).toBe('2018-12-31T16:00:00.000Z');
    expect(at('2019-01-01T00:00:00Z')).toBe('2019-01-01T00:00:00.000Z');
    expect(at('2019-01-01T00:00:00-05:00')).toBe('2019-01-01T05:00:00.000Z');
    for (const bad of ['2019-02-30', '2019-02-30T00:00:00Z', '20191301', 'Dec 31 2018', '9999-12-31T23:59:59-14:00'])
      expect(() => manualClock(bad), bad).toThrow(SandanError);
    expect(() => manualClock(new Date(Number.NaN))).toThrow(/invalid Date/);
  });
});

describe.each(stores)('%s state: the history limit', (name, _open) => {
  const openWith = async (history: number): Promise<EmulatorState> =>
    name === 'memory' ? memoryState({ history }) : openSqliteState(join(dir, `h${++files}.db`), { history });
  const receipt = (i: number) => ({
    type: 'CEB622' as const,
    orderNo: `O${i % 2}`,
    xml: `<r${i}/>`,
    at: 'x',
    guid: `G${i}`,
  });
  const message = (i: number) => ({
    at: 'x',
    transport: 'folder' as const,
    name: `f${i}`,
    accepted: true,
    xml: `<m${i}/>`,
  });

  it('keeps the newest N receipts and messages; seqs go on; historyStart says where the lists start', async () => {
    const s = await openWith(3);
    expect(s.historyStart()).toEqual({ received: 1, receipts: 1, nextReceipt: 1 });
    for (let i = 1; i <= 5; i++) {
      expect(s.addReceipt(receipt(i)).seq).toBe(i);
      expect(s.addReceived(message(i))).toBe(i);
    }
    // 5 produced, 3 kept: 3, 4, 5
    expect(s.historyStart()).toEqual({ received: 3, receipts: 3, nextReceipt: 6 });
    expect(s.receipts(0).map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(s.receipts(3).map((r) => r.seq)).toEqual([4, 5]);
    expect(s.receipts(0, { orderNo: 'O1' }).map((r) => r.seq)).toEqual([3, 5]);
    expect(s.received().map((m) => m.seq)).toEqual([3, 4, 5]);
    expect(s.received(4).map((m) => m.xml)).toEqual(['<m5/>']);
    expect(s.receivedByName('f4')?.seq).toBe(4);
    expect(s.receivedByName('f5')?.seq).toBe(5); // the newest
    // beyond the history: the SQLite file still has it (a folder's crash recovery looks it up), memory not
    expect(s.receivedByName('f1')?.seq).toBe(name === 'sqlite' ? 1 : undefined);
    s.close();
  });

  it('received(after, limit) gives at most limit messages: a page of the history reads no more of it', async () => {
    const s = await openWith(10);
    for (let i = 1; i <= 6; i++) s.addReceived(message(i));
    expect(s.received(0, 2).map((m) => m.seq)).toEqual([1, 2]);
    expect(s.received(4, 10).map((m) => m.seq)).toEqual([5, 6]);
    expect(s.received(2, 0)).toEqual([]);
    expect(s.received(3).map((m) => m.seq)).toEqual([4, 5, 6]);
    s.close();
  });

  it('history 0 keeps none: the lists are empty and start at the next seq', async () => {
    const s = await openWith(0);
    s.addReceipt(receipt(1));
    s.addReceipt(receipt(2));
    s.addReceived(message(1));
    expect(s.receipts(0)).toEqual([]);
    expect(s.received()).toEqual([]);
    expect(s.historyStart()).toEqual({ received: 2, receipts: 3, nextReceipt: 3 });
    expect(s.addReceipt(receipt(3)).seq).toBe(3);
    s.close();
  });

  it('refuses a history that is not a whole number ≥ 0', async () => {
    await expect(openWith(-1)).rejects.toThrow(/history must be a whole number/);
    await expect(async () => memoryState({ history: 1.5 })).rejects.toThrow(/history/);
  });

  it('the memory ring drops old entries in bulk and stays right past many wraps', async () => {
    const s = await openWith(1000);
    s.transaction(() => {
      for (let i = 1; i <= 5000; i++) s.addReceipt(receipt(i));
    });
    expect(s.historyStart().receipts).toBe(4001);
    const kept = s.receipts(0);
    expect([kept.length, kept[0]?.seq, kept.at(-1)?.seq]).toEqual([1000, 4001, 5000]);
    expect(s.receipts(4998).map((r) => r.xml)).toEqual(['<r4999/>', '<r5000/>']);
    s.close();
  });
});

describe('memory state: the text of the receipts', () => {
  it('keeps at most RECEIPTS_TEXT_LIMIT characters of it, dropping the oldest (CEB900s repeating large messages cannot exhaust memory)', () => {
    const s = memoryState();
    const mib = 'x'.repeat(1024 * 1024);
    for (let i = 1; i <= 70; i++) s.addReceipt({ type: 'CEB900', xml: `<m${i}>${mib}`, at: 'x', guid: `G${i}` });
    // each of the newest is 5 + 1,048,576 = 1,048,581 characters: 63 of them fit in 64 Mi (67,108,864), 64 would not
    const kept = s.receipts(0);
    expect(kept.map((r) => r.seq)).toEqual(Array.from({ length: 63 }, (_, i) => i + 8));
    expect(kept.reduce((n, r) => n + r.xml.length, 0)).toBeLessThanOrEqual(RECEIPTS_TEXT_LIMIT);
    expect(s.historyStart().receipts).toBe(8);
    s.close();
  });
});

describe('memory state: the text of the messages received', () => {
  it('keeps at most RECEIVED_TEXT_LIMIT characters of it, dropping the oldest (large messages cannot exhaust memory)', () => {
    const s = memoryState();
    const mib = 'x'.repeat(1024 * 1024);
    for (let i = 1; i <= 70; i++) s.addReceived({ at: 'x', transport: 'http', accepted: false, xml: `<m${i}>${mib}` });
    const kept = s.received();
    // each of the newest is 5 + 1,048,576 = 1,048,581 characters: 63 of them are 66,060,603 ≤ 64 MiB (67,108,864), 64 would be 67,109,184
    expect(kept.map((m) => m.seq)).toEqual(Array.from({ length: 63 }, (_, i) => i + 8));
    expect(kept.reduce((n, m) => n + m.xml.length, 0)).toBeLessThanOrEqual(RECEIVED_TEXT_LIMIT);
    expect(s.historyStart().received).toBe(8);
    // a small one after them still comes in, and the count limit still holds as before
    s.addReceived({ at: 'x', transport: 'http', accepted: true, xml: '<m71/>' });
    expect(s.received(70).map((m) => m.xml)).toEqual(['<m71/>']);
    s.close();
  });

  it('keeps messages of exactly RECEIVED_TEXT_LIMIT characters in all; one character more drops the oldest', () => {
    const s = memoryState();
    // 64 messages of 1 Mi characters each are 64 Mi: the limit itself, all kept
    const mib = 'x'.repeat(1024 * 1024);
    for (let i = 1; i <= 64; i++) s.addReceived({ at: 'x', transport: 'http', accepted: false, xml: mib });
    expect(s.received().map((m) => m.seq)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    s.addReceived({ at: 'x', transport: 'http', accepted: false, xml: 'y' });
    expect(s.historyStart().received).toBe(2);
    s.close();
  });
});

describe('sqlite state: savepoints', () => {
  it('a failing savepoint inside a transaction undoes only its own changes', async () => {
    const s = await openSqliteState(join(dir, `sp${++files}.db`));
    expect(s.undoes).toBe(true);
    s.transaction(() => {
      s.savepoint(() => s.addReceipt({ type: 'CEB312', xml: '<a/>', at: 'x', guid: 'A' }));
      expect(() =>
        s.savepoint(() => {
          s.addReceipt({ type: 'CEB312', xml: '<b/>', at: 'x', guid: 'B' });
          throw new Error('boom');
        }),
      ).toThrow('boom');
      s.savepoint(() => s.addReceipt({ type: 'CEB312', xml: '<c/>', at: 'x', guid: 'C' }));
    });
    // B's seq (2) was rolled back with it: C takes it
    expect(s.receipts(0).map((r) => [r.seq, r.xml])).toEqual([
      [1, '<a/>'],
      [2, '<c/>'],
    ]);
    s.close();
  });
});
