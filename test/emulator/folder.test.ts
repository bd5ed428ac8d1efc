import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  renameSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIgnoredName, startFolderTransport, type FolderTransport } from '../../src/emulator/folder.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEngine } from '../../src/emulator/engine.js';
import { manualClock } from '../../src/emulator/clock.js';
import { fakeEngine, type FakeEngine } from './fake-engine.js';
import type { SandanError } from '../../src/errors.js';

/*
 * The folder transport against a fake engine (test/emulator/fake-engine.ts) that answers every
 * accepted message with one receipt at once. Polls are driven by the test (the interval is an
 * hour), so "two sightings" is two calls of poll().
 */

let dir: string;
let send: string;
let receive: string;
let open: FolderTransport[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandan-folder-'));
  send = join(dir, 'send');
  receive = join(dir, 'receive');
});
afterEach(async () => {
  await Promise.all(open.map((t) => t.close()));
  open = [];
  rmSync(dir, { recursive: true, force: true });
});

async function start(engine: FakeEngine = fakeEngine({ immediate: true }), extra = {}) {
  const folder = await startFolderTransport(engine, { send, receive, intervalMs: 3_600_000, ...extra });
  open.push(folder);
  return { engine, folder };
}

const order = (no: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><CEB311Message><orderNo>${no}</orderNo></CEB311Message>`;

/** Drops a file as a careful writer does: a hidden temporary name, renamed in. */
function drop(name: string, text: string) {
  writeFileSync(join(send, `.${name}.tmp`), text);
  renameSync(join(send, `.${name}.tmp`), join(send, name));
}

const ls = (d: string) => (existsSync(d) ? readdirSync(d).sort() : []);

describe('folder transport', () => {
  it('on start, removes the temporary files its own writes left (a kill -9 mid-write), and nothing else', async () => {
    const failed = join(send, 'failed');
    const own = join(send, '.sandan');
    for (const d of [receive, failed, own]) mkdirSync(d, { recursive: true });
    const left = {
      receive: ['.000042-CEB622-0A1B2C3D.xml.0123456789ab.tmp', '.000043-CEB816-FF.xml.a1b2c3d4e5f6.tmp'],
      failed: ['.bad.xml.reason.txt.00ff00ff00ff.tmp'],
      own: ['.receive-cursor.json.abcdefabcdef.tmp'],
    };
    // Not its own: another program's temporary files, a visible name, a random part of the wrong length, a receipt.
    const foreign = {
      receive: [
        '.report.xlsx.0123456789ab.tmp',
        '000042-CEB622-X.xml.0123456789ab.tmp',
        '.000044-CEB622-Y.xml.0123.tmp',
        '000041-CEB622-Z.xml',
      ],
      failed: ['.notes.txt.0123456789ab.tmp'],
      own: ['.other.json.abcdefabcdef.tmp'],
    };
    const where = { receive, failed, own };
    for (const k of ['receive', 'failed', 'own'] as const)
      for (const n of [...left[k], ...foreign[k]]) writeFileSync(join(where[k], n), 'partial');
    await start();
    expect(ls(receive)).toEqual([...foreign.receive].sort());
    expect(ls(failed)).toEqual(foreign.failed);
    expect(ls(own).filter((n) => n.endsWith('.tmp'))).toEqual(foreign.own);
  });
  it('takes a file on its second sighting, moves it to processed/ and writes the receipt into receive', async () => {
    const { engine, folder } = await start();
    expect(ls(send)).toEqual(['.sandan', 'failed', 'processed']);
    drop('order-1.xml', order('O-1'));
    await folder.poll();
    expect(engine.submitted).toEqual([]); // seen once: maybe still being written
    await folder.poll();
    expect(engine.submitted.map((s) => [s.xml, s.via.transport])).toEqual([[order('O-1'), 'folder']]);
    // Submitted under its unique in-flight name, which ends with the file's own.
    expect(engine.submitted[0]!.via.name).toMatch(/^[0-9a-z]+-[0-9a-f]{8}-order-1\.xml$/);
    expect(ls(join(send, 'processed'))).toEqual(['order-1.xml']);
    expect(readFileSync(join(send, 'processed', 'order-1.xml'), 'utf8')).toBe(order('O-1'));
    expect(ls(join(send, '.sandan', 'inflight'))).toEqual([]);
    await folder.flush();
    const r = engine.receipts(0)[0]!;
    // The receipt, whole, and no temporary file left behind.
    expect(ls(receive)).toEqual([r.name]);
    expect(readFileSync(join(receive, r.name), 'utf8')).toBe(r.xml);
    // Taken once: more polls do nothing.
    await folder.poll();
    await folder.poll();
    expect(engine.submitted).toHaveLength(1);
  });

  it('waits while a file grows, and takes it once its size stays the same', async () => {
    const { engine, folder } = await start();
    writeFileSync(join(send, 'slow.xml'), '<?xml version="1.0"?><CEB311Message><orderNo>S-1</orderNo>');
    await folder.poll();
    await appendFile(join(send, 'slow.xml'), '<more/>');
    await folder.poll();
    expect(engine.submitted).toEqual([]);
    await appendFile(join(send, 'slow.xml'), '</CEB311Message>');
    await folder.poll();
    expect(engine.submitted).toEqual([]);
    await folder.poll();
    expect(engine.submitted.map((s) => s.xml)).toEqual([
      '<?xml version="1.0"?><CEB311Message><orderNo>S-1</orderNo><more/></CEB311Message>',
    ]);
  });

  it('leaves hidden and temporary files alone, and sub-folders', async () => {
    const { engine, folder } = await start();
    const names = ['.hidden.xml', 'a.xml.tmp', 'b.part', 'c.partial', 'd.crdownload', '~lock.xml', 'e.xml~', 'f.swp'];
    for (const n of names) writeFileSync(join(send, n), order(n));
    mkdirSync(join(send, 'sub.xml'));
    for (let i = 0; i < 3; i++) await folder.poll();
    expect(engine.submitted).toEqual([]);
    for (const n of names) expect(isIgnoredName(n), n).toBe(true);
    expect(isIgnoredName('CEB311-20261120.xml')).toBe(false);
    expect(ls(send)).toEqual([
      '.hidden.xml',
      '.sandan',
      'a.xml.tmp',
      'b.part',
      'c.partial',
      'd.crdownload',
      'e.xml~',
      'f.swp',
      'failed',
      'processed',
      'sub.xml',
      '~lock.xml',
    ]);
  });

  // Audit (session 40): links, FIFOs and sub-folders were left in send/ without a word.
  it('leaves links, FIFOs and sub-folders where they are, unread, and says so once each (again if one comes back)', async () => {
    mkdirSync(send, { recursive: true });
    writeFileSync(join(dir, 'outside.xml'), order('OUT-1'));
    symlinkSync(join(dir, 'outside.xml'), join(send, 'linked.xml'));
    symlinkSync('/etc/passwd', join(send, 'passwd.xml'));
    symlinkSync(join(dir, 'nowhere.xml'), join(send, 'dangling.xml'));
    execFileSync('mkfifo', [join(send, 'pipe.xml')]);
    mkdirSync(join(send, 'sub.xml'));
    mkdirSync(join(send, '.hidden-folder'));
    const errors: unknown[] = [];
    const { engine, folder } = await start(undefined, { onError: (e: unknown) => errors.push(e) });
    drop('fine.xml', order('F-1'));
    for (let i = 0; i < 3; i++) await folder.poll();
    expect(engine.submitted.map((s) => s.xml)).toEqual([order('F-1')]);
    const said = () =>
      errors.map((e) => [(e as SandanError).code, (e as Error).message.replace(`${send}/`, 'send/')]).sort();
    const link = 'a symbolic link, which the emulator does not follow: copy or move the message file itself in';
    expect(said()).toEqual([
      ['FILE_UNREADABLE', `send/dangling.xml is left where it is: ${link}`],
      ['FILE_UNREADABLE', `send/linked.xml is left where it is: ${link}`],
      ['FILE_UNREADABLE', `send/passwd.xml is left where it is: ${link}`],
      [
        'FILE_UNREADABLE',
        'send/pipe.xml is left where it is: a FIFO, which the emulator does not open: write the message to a file',
      ],
      [
        'FILE_UNREADABLE',
        `send/sub.xml is left where it is: a folder, which the emulator does not look into: put message files in ${send} itself`,
      ],
    ]);
    expect(ls(send)).toEqual([
      '.hidden-folder',
      '.sandan',
      'dangling.xml',
      'failed',
      'linked.xml',
      'passwd.xml',
      'pipe.xml',
      'processed',
      'sub.xml',
    ]);
    expect([ls(join(send, 'processed')), ls(join(send, 'failed'))]).toEqual([['fine.xml'], []]);
    // Gone and back: said again; the others not.
    errors.length = 0;
    rmSync(join(send, 'sub.xml'), { recursive: true });
    await folder.poll();
    mkdirSync(join(send, 'sub.xml'));
    await folder.poll();
    await folder.poll();
    expect(said()).toEqual([
      [
        'FILE_UNREADABLE',
        `send/sub.xml is left where it is: a folder, which the emulator does not look into: put message files in ${send} itself`,
      ],
    ]);
  });

  it('names a file it leaves alone on one line: a line break or terminal escape in its name escaped', async () => {
    mkdirSync(send, { recursive: true });
    const name = 'x\n  forged line\u001b[31m.xml';
    symlinkSync(join(dir, 'nowhere.xml'), join(send, name));
    const errors: SandanError[] = [];
    const { folder } = await start(undefined, { onError: (e: unknown) => errors.push(e as SandanError) });
    await folder.poll();
    expect(errors.map((e) => [e.message.replace(`${send}/`, 'send/'), e.details])).toEqual([
      [
        'send/x\\n  forged line\\u001b[31m.xml is left where it is: a symbolic link, which the emulator does not follow: copy or move the message file itself in',
        { file: join(send, name) },
      ],
    ]);
  });

  it('moves a refused file to failed/ with the reason beside it', async () => {
    const { engine, folder } = await start();
    drop('broken.xml', '<bad/>');
    await folder.poll();
    await folder.poll();
    expect(engine.submitted).toHaveLength(1);
    expect(ls(join(send, 'failed'))).toEqual(['broken.xml', 'broken.xml.reason.txt']);
    expect(readFileSync(join(send, 'failed', 'broken.xml.reason.txt'), 'utf8')).toBe(
      'refused (HTTP status 400)\n\n<?xml version="1.0" encoding="UTF-8"?>\n<Ack accepted="false" orderNo="none"/>\n\n',
    );
    expect(ls(join(send, 'processed'))).toEqual([]);
  });

  it('a file over the size limit goes to failed/ without reaching the engine', async () => {
    const { engine, folder } = await start(undefined, { maxFileBytes: 100 });
    drop('big.xml', `<a>${'x'.repeat(200)}</a>`);
    await folder.poll();
    await folder.poll();
    expect(engine.submitted).toEqual([]);
    expect(readFileSync(join(send, 'failed', 'big.xml.reason.txt'), 'utf8')).toBe(
      'too large: 207 bytes, the limit is 100\n',
    );
  });

  // processed/ on another file system (here a link into /dev/shm, a tmpfs where the machine has one): rename fails
  // with EXDEV there, and the file is copied, then removed.
  const crossesFs = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev;
  it.skipIf(!crossesFs)(
    'moves a taken file to a processed/ on another file system (copied, then removed)',
    async () => {
      const otherFs = mkdtempSync('/dev/shm/sandan-folder-');
      try {
        mkdirSync(send, { recursive: true });
        symlinkSync(otherFs, join(send, 'processed'));
        const { engine, folder } = await start();
        drop('order-x.xml', order('O-X'));
        await folder.poll();
        await folder.poll();
        expect(engine.submitted.map((s) => s.xml)).toEqual([order('O-X')]);
        expect(ls(otherFs)).toEqual(['order-x.xml']);
        expect(readFileSync(join(otherFs, 'order-x.xml'), 'utf8')).toBe(order('O-X'));
        expect(ls(join(send, '.sandan', 'inflight'))).toEqual([]);
        expect(ls(join(send, 'failed'))).toEqual([]);
      } finally {
        rmSync(otherFs, { recursive: true, force: true });
      }
    },
  );

  // Audit (session 40): a name near the system's 255-byte limit could not be moved in flight (its unique prefix made it
  // too long): ENAMETOOLONG told on every poll, the file never taken.
  it('takes a file whose name is near the 255-byte limit, and keeps its name (shortened only where it must be)', async () => {
    const engine = fakeEngine({ immediate: true });
    const { folder } = await start(engine);
    const long = `${'L'.repeat(247)}.xml`; // 251 bytes
    const wide = `${'订'.repeat(83)}.xml`; // 253 bytes
    const bad = `${'B'.repeat(246)}.xml`; // refused: its reason file cannot be named bad + .reason.txt
    // (written in place: a hidden temporary name would itself be too long)
    writeFileSync(join(send, long), order('N-1'));
    writeFileSync(join(send, wide), order('N-2'));
    writeFileSync(join(send, bad), '<bad/>');
    await folder.poll();
    await folder.poll();
    expect(engine.submitted.map((s) => /<orderNo>([^<]+)/.exec(s.xml)?.[1] ?? s.xml).sort()).toEqual([
      '<bad/>',
      'N-1',
      'N-2',
    ]);
    expect(ls(join(send, 'processed'))).toEqual([long, wide].sort());
    const failed = ls(join(send, 'failed'));
    // (226 bytes: room for .reason.txt and the hidden temporary name it is written under, .<name>.<12 hex>.tmp)
    expect(failed).toEqual([`${'B'.repeat(222)}.xml`, `${'B'.repeat(222)}.xml.reason.txt`]);
    expect(ls(join(send, '.sandan', 'inflight'))).toEqual([]);
    // The same long name again: processed/ keeps both, the second with -2.
    writeFileSync(join(send, long), order('N-3'));
    await folder.poll();
    await folder.poll();
    expect(ls(join(send, 'processed'))).toContain(`${'L'.repeat(247)}-2.xml`);
    // and a name at the very limit, twice: the second's stem is cut to make room for the -2.
    const full = `${'F'.repeat(251)}.xml`;
    for (const no of ['N-4', 'N-5']) {
      writeFileSync(join(send, full), order(no));
      await folder.poll();
      await folder.poll();
    }
    expect(ls(join(send, 'processed'))).toEqual(expect.arrayContaining([full, `${'F'.repeat(249)}-2.xml`]));
    expect(ls(join(send, '.sandan', 'inflight'))).toEqual([]);
  });

  it('takes a file whose name is not UTF-8 (GBK, from Windows), moved out under the name as read', async () => {
    const { engine, folder } = await start();
    // 订单.xml in GBK: read as UTF-8, each byte a U+FFFD, a path that names no file; it stayed in send/ for ever, unsaid
    const gbk = Buffer.from([0xb6, 0xa9, 0xb5, 0xa5, 0x2e, 0x78, 0x6d, 0x6c]);
    writeFileSync(Buffer.concat([Buffer.from(`${send}/`), gbk]), order('G-1'));
    await folder.poll();
    await folder.poll();
    expect(engine.submitted.map((s) => s.xml)).toEqual([order('G-1')]);
    expect(ls(send)).toEqual(['.sandan', 'failed', 'processed']);
    expect(ls(join(send, 'processed'))).toEqual([gbk.toString('utf8')]);
  });

  it('the same name sent twice is kept twice in processed/', async () => {
    const { engine, folder } = await start();
    drop('o.xml', order('A'));
    await folder.poll();
    await folder.poll();
    drop('o.xml', order('B'));
    await folder.poll();
    await folder.poll();
    expect(engine.submitted.map((s) => s.xml)).toEqual([order('A'), order('B')]);
    expect(ls(join(send, 'processed'))).toEqual(['o-2.xml', 'o.xml']);
    expect(readFileSync(join(send, 'processed', 'o-2.xml'), 'utf8')).toBe(order('B'));
  });

  it('takes each of 100 files exactly once, in the order they were written, even with overlapping polls', async () => {
    const { engine, folder } = await start();
    for (let i = 0; i < 100; i++) drop(`m-${String(i).padStart(3, '0')}.xml`, order(`M-${i}`));
    await Promise.all([folder.poll(), folder.poll(), folder.poll()]);
    await Promise.all([folder.poll(), folder.poll()]);
    const seen = engine.submitted.map((s) => /<orderNo>([^<]+)/.exec(s.xml)?.[1]);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `M-${i}`));
    expect(ls(join(send, 'processed'))).toHaveLength(100);
    await folder.flush();
    expect(ls(receive)).toEqual(
      engine
        .receipts(0)
        .map((r) => r.name)
        .sort(),
    );
  });

  it('after a crash: a file in flight the engine has is only moved; one it lacks is submitted', async () => {
    const engine = fakeEngine({ immediate: true });
    // What a crash leaves: one file the engine took (it is in received()), one it never saw.
    mkdirSync(join(send, '.sandan', 'inflight'), { recursive: true });
    const taken = 'lz1a2b3c-0011aabb-taken.xml';
    const lost = 'lz1a2b3d-2233ccdd-lost.xml';
    writeFileSync(join(send, '.sandan', 'inflight', taken), order('T-1'));
    writeFileSync(join(send, '.sandan', 'inflight', lost), order('L-1'));
    await engine.submit(order('T-1'), { transport: 'folder', name: taken });
    engine.submitted.length = 0;
    const { folder } = await start(engine);
    await folder.poll(); // runs after the recovery
    expect(engine.submitted.map((s) => [s.via.name, s.xml])).toEqual([[lost, order('L-1')]]);
    expect(ls(join(send, 'processed'))).toEqual(['lost.xml', 'taken.xml']);
    expect(ls(join(send, '.sandan', 'inflight'))).toEqual([]);
  });

  // Audit (session 40): a file in flight that could not be read stopped the recovery there (the files after it were
  // never taken), and one that grew as it was read was read whole, past the size limit.
  it('after a crash: a file in flight that cannot be read, or never ends, goes to failed/ and the others are taken', async () => {
    const engine = fakeEngine({ immediate: true });
    const inflight = join(send, '.sandan', 'inflight');
    mkdirSync(inflight, { recursive: true });
    mkdirSync(join(dir, 'a-folder'));
    symlinkSync(join(dir, 'a-folder'), join(inflight, 'lz1a2b3a-00000001-folder.xml'));
    symlinkSync('/dev/zero', join(inflight, 'lz1a2b3b-00000002-endless.xml'));
    writeFileSync(join(inflight, 'lz1a2b3c-00000003-fine.xml'), order('F-1'));
    const errors: unknown[] = [];
    const { folder } = await start(engine, { maxFileBytes: 5000, onError: (e: unknown) => errors.push(e) });
    await folder.poll(); // runs after the recovery
    expect(engine.submitted.map((s) => s.xml)).toEqual([order('F-1')]);
    expect(ls(join(send, 'processed'))).toEqual(['fine.xml']);
    expect(ls(join(send, 'failed'))).toEqual([
      'endless.xml',
      'endless.xml.reason.txt',
      'folder.xml',
      'folder.xml.reason.txt',
    ]);
    // (a device: refused as not a plain file since session 60, not read up to the limit)
    expect(readFileSync(join(send, 'failed', 'endless.xml.reason.txt'), 'utf8')).toMatch(
      /^unreadable: Cannot read message file .*endless\.xml: it is not a plain file \(a device\)\n$/,
    );
    expect(readFileSync(join(send, 'failed', 'folder.xml.reason.txt'), 'utf8')).toMatch(
      /^unreadable: Cannot read message file .*folder\.xml: it is a directory\n$/,
    );
    expect([ls(inflight), errors]).toEqual([[], []]);
  });

  // Review (session 60): a FIFO put in place of a file between the look at the folder and the read (or found in flight)
  // was opened for reading, which waits for a writer: the transport hung for ever, taking no file and closing never.
  it.skipIf(process.platform === 'win32')(
    'a FIFO or a device in place of a message file goes to failed/ without being waited on',
    async () => {
      const engine = fakeEngine({ immediate: true });
      const inflight = join(send, '.sandan', 'inflight');
      mkdirSync(inflight, { recursive: true });
      execFileSync('mkfifo', [join(inflight, 'lz1a2b3a-00000001-pipe.xml')]);
      symlinkSync('/dev/null', join(inflight, 'lz1a2b3b-00000002-device.xml'));
      writeFileSync(join(inflight, 'lz1a2b3c-00000003-fine.xml'), order('F-1'));
      const { folder } = await start(engine);
      await folder.poll(); // runs after the recovery
      expect(engine.submitted.map((s) => s.xml)).toEqual([order('F-1')]);
      expect(ls(join(send, 'failed'))).toEqual([
        'device.xml',
        'device.xml.reason.txt',
        'pipe.xml',
        'pipe.xml.reason.txt',
      ]);
      expect(readFileSync(join(send, 'failed', 'pipe.xml.reason.txt'), 'utf8')).toMatch(
        /^unreadable: Cannot read message file .*pipe\.xml: it is not a plain file \(a FIFO\)\n$/,
      );
      expect(readFileSync(join(send, 'failed', 'device.xml.reason.txt'), 'utf8')).toMatch(
        /^unreadable: Cannot read message file .*device\.xml: it is not a plain file \(a device\)\n$/,
      );
      expect(ls(inflight)).toEqual([]);
    },
    10_000,
  );

  it('a restart on the same state writes the receipts produced meanwhile, and none twice', async () => {
    const engine = fakeEngine({ immediate: true });
    const first = await startFolderTransport(engine, { send, receive, intervalMs: 3_600_000 });
    engine.emit('R-1');
    engine.emit('R-2');
    await first.close();
    const [r1, r2] = engine.receipts(0);
    expect(ls(receive)).toEqual([r1!.name, r2!.name]);
    expect(JSON.parse(readFileSync(join(send, '.sandan', 'receive-cursor.json'), 'utf8'))).toEqual({
      seq: 2,
      name: r2!.name,
    });
    // The reader takes its receipts away; the emulator produces one more while the folder transport is down.
    rmSync(join(receive, r1!.name));
    rmSync(join(receive, r2!.name));
    const r3 = engine.emit('R-3');
    const { folder } = await start(engine);
    await folder.poll();
    await folder.flush();
    expect(ls(receive)).toEqual([r3.name]);

    // A new state (seq starts again at 1): the old cursor is not its own, so everything is written.
    await folder.close();
    const fresh = fakeEngine({ immediate: true });
    const n1 = fresh.emit('N-1');
    const again = await start(fresh);
    await again.folder.poll();
    await again.folder.flush();
    expect(ls(receive)).toEqual([n1.name, r3.name].sort());
  });

  it('a receipt that cannot be written (the receive folder gone) is written once it can be, said once, none lost', async () => {
    // The cursor moved past a receipt whose write failed: it was never written, not when the folder came back, nor
    // after a restart (the saved cursor was past it).
    const errors: unknown[] = [];
    const { engine, folder } = await start(undefined, { onError: (e: unknown) => errors.push(e) });
    const r1 = engine.emit('G-1');
    await folder.flush();
    expect(ls(receive)).toEqual([r1.name]);
    rmSync(receive, { recursive: true });
    const r2 = engine.emit('G-2');
    const r3 = engine.emit('G-3');
    await folder.flush();
    await folder.poll();
    await folder.flush();
    expect(existsSync(receive)).toBe(false);
    expect(errors.map((e) => (e as SandanError).code)).toEqual(['FILE_UNREADABLE']);
    expect(JSON.parse(readFileSync(join(send, '.sandan', 'receive-cursor.json'), 'utf8')).seq).toBe(1);
    mkdirSync(receive);
    await folder.poll();
    await folder.flush();
    expect(ls(receive)).toEqual([r2.name, r3.name]);
    expect(readFileSync(join(receive, r2.name), 'utf8')).toBe(r2.xml);
    expect(JSON.parse(readFileSync(join(send, '.sandan', 'receive-cursor.json'), 'utf8')).seq).toBe(3);
    expect(errors).toHaveLength(1);

    // Gone again when the transport stops: the restart on the same state writes what was left.
    rmSync(receive, { recursive: true });
    const r4 = engine.emit('G-4');
    await folder.close();
    mkdirSync(receive);
    const again = await start(engine);
    await again.folder.poll();
    await again.folder.flush();
    expect(ls(receive)).toEqual([r4.name]);
  });

  it('processed/, failed/ and .sandan/ removed while it runs are made again: no file stays in flight or unread', async () => {
    // The move out failed (ENOENT) and the file stayed hidden in .sandan/inflight until the next start; without
    // .sandan, the rename into it failed as if the file had gone, on every poll, and the file was never taken.
    const { engine, folder } = await start();
    rmSync(join(send, 'processed'), { recursive: true });
    rmSync(join(send, 'failed'), { recursive: true });
    drop('ok.xml', order('O-1'));
    drop('bad.xml', '<bad/>');
    await folder.poll();
    await folder.poll();
    expect(ls(join(send, 'processed'))).toEqual(['ok.xml']);
    expect(ls(join(send, 'failed'))).toEqual(['bad.xml', 'bad.xml.reason.txt']);
    expect(ls(join(send, '.sandan', 'inflight'))).toEqual([]);
    rmSync(join(send, '.sandan'), { recursive: true });
    drop('again.xml', order('O-2'));
    await folder.poll();
    await folder.poll();
    expect(engine.submitted.map((s) => s.xml)).toContain(order('O-2'));
    expect(ls(join(send, 'processed'))).toEqual(['again.xml', 'ok.xml']);
  });

  it('close() finishes the receipts produced so far; send and receive must differ', async () => {
    const { engine, folder } = await start();
    for (let i = 0; i < 20; i++) engine.emit(`Z-${i}`);
    await folder.close();
    expect(ls(receive)).toHaveLength(20);
    // Closed: no more writes.
    engine.emit('Z-late');
    await new Promise((r) => setTimeout(r, 50));
    expect(ls(receive)).toHaveLength(20);
    await expect(startFolderTransport(engine, { send, receive: send })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });

  it('polls by itself at the interval', async () => {
    const { engine } = await start(undefined, { intervalMs: 20 });
    drop('auto.xml', order('AUTO'));
    const t0 = Date.now();
    while (engine.submitted.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(engine.submitted.map((s) => s.xml)).toEqual([order('AUTO')]);
  });
});

describe('folder transport: receipts waiting behind a receive folder it cannot write', () => {
  it('holds a bounded number of them in memory, reads the rest again from the SQLite state, and loses none', async () => {
    // A receive folder removed (or a full disk) for hours: every receipt produced meanwhile was queued in memory,
    // so memory grew without bound. Here 160 unreadable messages of 512 KB each are each answered with a CEB900
    // that repeats them (oriBizMessage): 80 MB of receipts, which the old transport held until the folder came back.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const engine = await createEngine({
      store: { sqlite: join(dir, 'state.sqlite') },
      clock: manualClock('2026-11-20T10:00:00+08:00'),
      history: 10, // (the SQLite state keeps every receipt in its file: the history limit loses none of them)
    });
    const errors: unknown[] = [];
    const folder = await startFolderTransport(engine, {
      send,
      receive,
      intervalMs: 3_600_000,
      onError: (e) => errors.push(e),
    });
    open.push(folder);
    rmSync(receive, { recursive: true });
    gc();
    const before = process.memoryUsage().heapUsed;
    const n = 160;
    for (let i = 0; i < n; i++)
      await engine.submit(`not a message ${String(i).padStart(4, '0')} ${'x'.repeat(512 * 1024)}`, {
        transport: 'api',
      });
    await folder.flush();
    gc();
    gc();
    const held = process.memoryUsage().heapUsed - before;
    expect(existsSync(receive)).toBe(false);
    expect(errors.map((e) => (e as SandanError).code)).toEqual(['FILE_UNREADABLE']);
    // At most 16 Mi characters of receipts queued (32 MB as two-byte text); the old transport held 80 MB.
    expect(held).toBeLessThan(40 * 1024 * 1024);

    mkdirSync(receive);
    await folder.poll();
    await folder.flush();
    const names = ls(receive);
    expect(names).toHaveLength(n);
    expect(names.map((f) => Number(f.slice(0, 6)))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(readFileSync(join(receive, names[n - 1]!), 'utf8')).toContain(
      `not a message ${String(n - 1).padStart(4, '0')}`,
    );
    expect(JSON.parse(readFileSync(join(send, '.sandan', 'receive-cursor.json'), 'utf8')).seq).toBe(n);
    expect(errors).toHaveLength(1);
    await folder.close();
    await engine.close();
  }, 120_000);
});
