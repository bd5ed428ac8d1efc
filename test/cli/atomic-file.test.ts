import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicFile, writeChunksTo, writeFileAtomic } from '../../src/cli/atomic-file.js';
import { CleanupRegistry, signalExitCode } from '../../src/cli/cleanup.js';

const root = mkdtempSync(join(tmpdir(), 'sandan-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh directory per test, so that "nothing else is in it" can be asserted. */
const fresh = () => {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
};

describe('AtomicFile', () => {
  it('leaves the target untouched until commit, then replaces it whole', async () => {
    const dir = fresh();
    const target = join(dir, 'report.json');
    writeFileSync(target, 'old report\n');
    const out = await AtomicFile.open(target);
    await out.write('{"new":');
    // Written so far: only in the temporary file beside the target.
    expect(readFileSync(target, 'utf8')).toBe('old report\n');
    expect(out.tempPath).toMatch(/report\.json\.[0-9a-f]{12}\.tmp$/);
    expect(readFileSync(out.tempPath!, 'utf8')).toBe('{"new":');
    await out.write(Buffer.from('true}\n'));
    await out.commit();
    expect(readFileSync(target, 'utf8')).toBe('{"new":true}\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('abort removes the temporary file and leaves the target byte for byte', async () => {
    const dir = fresh();
    const target = join(dir, 'report.csv');
    const before = Buffer.from('\ufefforderNo,status\r\nSD1,matched\r\n');
    writeFileSync(target, before);
    const out = await AtomicFile.open(target);
    await out.write('half a rep');
    await out.abort();
    expect(readFileSync(target)).toEqual(before);
    expect(readdirSync(dir)).toEqual(['report.csv']);
    // Committing after an abort is a programming error, not a silent success.
    await expect(out.commit()).rejects.toThrow(/already closed/);
  });

  it('abort with no earlier file leaves nothing at all', async () => {
    const dir = fresh();
    const out = await AtomicFile.open(join(dir, 'new.xml'));
    await out.write('<CEB311Message');
    await out.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a failed rename leaves no temporary file and reports FILE_UNREADABLE', async () => {
    const dir = fresh();
    const target = join(dir, 'out.json');
    const out = await AtomicFile.open(target);
    await out.write('{}');
    // The target becomes a non-empty directory meanwhile: rename(2) cannot replace it.
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    // (named by the user's path: the system's message named the temporary file)
    await expect(out.commit()).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
      message: expect.stringMatching(new RegExp(`^Cannot write ${target}: E[A-Z]+: [^']*, rename '${target}'$`)),
    });
    expect(readdirSync(dir)).toEqual(['out.json']);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('x');
  });

  it('cannot create the file: FILE_UNREADABLE, and nothing is created', async () => {
    const dir = fresh();
    // hostile50b: the reason named the hidden temporary file (`open '…/out.json.9e2af1b41c09.tmp'`), never the user's.
    const target = join(dir, 'missing', 'out.json');
    await expect(writeFileAtomic(target, 'x')).rejects.toMatchObject({
      code: 'FILE_UNREADABLE',
      message: `Cannot write ${target}: ENOENT: no such file or directory, open '${target}'`,
    });
    await expect(writeFileAtomic(target, 'x', { hiddenTemp: true })).rejects.toMatchObject({
      message: `Cannot write ${target}: ENOENT: no such file or directory, open '${target}'`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the error names the file and that it was being written (details.access)', async () => {
    const dir = fresh();
    const target = join(dir, 'missing', 'out.json');
    await expect(writeFileAtomic(target, 'x')).rejects.toMatchObject({ details: { file: target, access: 'write' } });
  });

  it('a new file gets the mode any new file gets (0666 less the umask), as fs.writeFile would give it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'plain'), 'x');
    await writeFileAtomic(join(dir, 'atomic'), 'x');
    expect((statSync(join(dir, 'atomic')).mode & 0o777).toString(8)).toBe(
      (statSync(join(dir, 'plain')).mode & 0o777).toString(8),
    );
  });

  it('a hidden temporary name starts with a dot (what a folder watcher skips); the default one is the target’s name', async () => {
    const dir = fresh();
    const hidden = await AtomicFile.open(join(dir, 'r.xml'), { hiddenTemp: true });
    const plain = await AtomicFile.open(join(dir, 's.xml'));
    try {
      expect(basename(hidden.tempPath!)).toMatch(/^\.r\.xml\.[0-9a-f]{12}\.tmp$/);
      expect(basename(plain.tempPath!)).toMatch(/^s\.xml\.[0-9a-f]{12}\.tmp$/);
    } finally {
      await Promise.all([hidden.abort(), plain.abort()]);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps the permissions of the file it replaces, and replaces the file a symbolic link names', async () => {
    const dir = fresh();
    const real = join(dir, 'real.xml');
    writeFileSync(real, 'old');
    chmodSync(real, 0o640);
    const link = join(dir, 'link.xml');
    symlinkSync(real, link);
    await writeFileAtomic(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['link.xml', 'real.xml']);
  });

  // Review (session 60): a link that names no file was replaced by a file (stat said "no such file", so the target was
  // taken for a new file): the link the user made was lost, and the file it named never written.
  it('refuses a symbolic link that names no file: FILE_UNREADABLE, the link left as it is', async () => {
    const dir = fresh();
    const link = join(dir, 'out.csv');
    symlinkSync(join(dir, 'gone', 'real.csv'), link);
    const e = await writeFileAtomic(link, 'new').catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'FILE_UNREADABLE',
      message: `Cannot write ${link}: it is a symbolic link to ${join(dir, 'gone', 'real.csv')}, which does not exist (create that file, or remove the link)`,
      details: { file: link, access: 'write' },
    });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('writes straight to a target that is not a regular file (a device cannot be renamed over)', async () => {
    // /dev/null: no temporary file can be made in /dev, and none is tried.
    await writeFileAtomic('/dev/null', 'discarded');
  });

  it('streams chunks larger than one write', async () => {
    const dir = fresh();
    const target = join(dir, 'big.ndjson');
    const line = `${'x'.repeat(999)}\n`;
    await writeChunksTo(
      await AtomicFile.open(target),
      Array.from({ length: 300 }, () => line),
    );
    // 300 lines of 1000 bytes: 300,000 bytes, written in 64 KiB pieces.
    expect(statSync(target).size).toBe(300_000);
    expect(readFileSync(target, 'utf8')).toBe(line.repeat(300));
  });

  it('a chunk source that fails midway leaves the target untouched and no temporary file', async () => {
    const dir = fresh();
    const target = join(dir, 'report.json');
    writeFileSync(target, 'previous');
    function* chunks() {
      yield 'x'.repeat(100_000);
      throw new Error('input went away');
    }
    await expect(writeChunksTo(await AtomicFile.open(target), chunks())).rejects.toThrow('input went away');
    expect(readFileSync(target, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });
});

describe('CleanupRegistry', () => {
  it('a signal mid-write removes the temporary file, aborts the signal and gives 128 + its number', async () => {
    const dir = fresh();
    const target = join(dir, 'report.json');
    writeFileSync(target, 'complete old report');
    const cleanup = new CleanupRegistry();
    const out = await AtomicFile.open(target, { cleanup });
    await out.write('{"summary":{"orders":12');
    expect(readdirSync(dir)).toHaveLength(2);
    expect(cleanup.interrupt('SIGINT')).toBe(130);
    expect(readdirSync(dir)).toEqual(['report.json']);
    expect(readFileSync(target, 'utf8')).toBe('complete old report');
    expect(cleanup.signal.aborted).toBe(true);
    expect(cleanup.signal.reason).toMatchObject({ name: 'AbortError', signal: 'SIGINT' });
    await out.abort();
  });

  it('runs undos newest first, each once, and goes on past one that throws', () => {
    const cleanup = new CleanupRegistry();
    const done: string[] = [];
    cleanup.add(() => done.push('index'));
    cleanup.add(() => {
      throw new Error('already gone');
    });
    const forget = cleanup.add(() => done.push('finished output'));
    cleanup.add(() => done.push('output'));
    forget();
    cleanup.run();
    cleanup.run();
    expect(done).toEqual(['output', 'index']);
  });

  it('exit statuses follow the shell: 128 + the signal number', () => {
    // SIGINT 2, SIGTERM 15, SIGHUP 1 (POSIX numbers).
    expect([signalExitCode('SIGINT'), signalExitCode('SIGTERM'), signalExitCode('SIGHUP')]).toEqual([130, 143, 129]);
  });
});
