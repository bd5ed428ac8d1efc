import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { filesUnder, readInputFile, statInputFile, statInputPath, unreadableFile } from '../../src/io/walk.js';

// Every reader of a path the user names tells an unreadable one the same way: FILE_UNREADABLE,
// `Cannot read [what ]path: reason`, the path in details.file.

const dir = mkdtempSync(join(tmpdir(), 'sandan-walk-'));
const file = join(dir, 'a.json');
writeFileSync(file, '{"a":1}');
const missing = join(dir, 'none.json');

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<[string, string, unknown]> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isSandanError(e)) return [e.code, e.message, e.details];
    throw e;
  }
  throw new Error('not refused');
}

describe('reading a file the user names', () => {
  it('reads a file, with a limit or not; stats a file or a folder', async () => {
    expect((await readInputFile(file)).toString()).toBe('{"a":1}');
    expect((await readInputFile(file, 'configuration', 7))?.toString()).toBe('{"a":1}');
    expect((await statInputFile(file)).size).toBe(7);
    expect((await statInputPath(dir)).isDirectory()).toBe(true);
  });

  // Read whole with no limit, /dev/zero (or a log named by mistake) ran until the process was killed.
  it.skipIf(process.platform === 'win32')(
    'reads no more than the limit, even from a device that never ends',
    async () => {
      expect(await readInputFile(file, 'configuration', 6)).toBeUndefined();
      expect(await readInputFile('/dev/zero', 'configuration', 1000)).toBeUndefined();
      expect(await readInputFile('/dev/zero', 'ruleset', 1000)).toBeUndefined();
      expect((await readInputFile('/dev/null', 'configuration', 1000))?.length).toBe(0);
    },
  );

  it('a missing file, a folder, a path through a file: one code, one message shape', async () => {
    const d = { file: missing };
    expect(await refusal(readInputFile(missing))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read ${missing}: no such file`,
      d,
    ]);
    expect(await refusal(readInputFile(missing, 'ruleset'))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read ruleset ${missing}: no such file`,
      { ...d, what: 'ruleset' },
    ]);
    expect(await refusal(readInputFile(missing, 'configuration', 7))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read configuration ${missing}: no such file`,
      { ...d, what: 'configuration' },
    ]);
    expect(await refusal(statInputPath(missing))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read ${missing}: no such file`,
      d,
    ]);
    // ENOTDIR: a part of the path is a file, so there is no such file.
    const through = join(file, 'b.json');
    expect((await refusal(readInputFile(through)))[1]).toBe(`Cannot read ${through}: no such file`);
    const folder = { file: dir };
    expect(await refusal(readInputFile(dir, 'key'))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read key ${dir}: it is a directory`,
      { ...folder, what: 'key' },
    ]);
    expect(await refusal(statInputFile(dir))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read ${dir}: it is a directory`,
      folder,
    ]);
  });

  it('reads a file up to a limit: whole within it, undefined past it, refusals as without a limit', async () => {
    const sized = (n: number) => {
      const p = join(dir, `sized-${n}.txt`);
      // Distinct bytes, so that a piece read twice or out of place shows.
      writeFileSync(p, Buffer.from(Array.from({ length: n }, (_, i) => i % 251)));
      return p;
    };
    for (const n of [0, 1, 99, 100])
      expect(await readInputFile(sized(n), undefined, 100)).toEqual(await readInputFile(sized(n)));
    expect(await readInputFile(sized(101), undefined, 100)).toBeUndefined();
    expect(await readInputFile(sized(5000), undefined, 100)).toBeUndefined();
    // Large files are read in several calls: all of it, in order.
    const big = sized(300_000);
    expect((await readInputFile(big, undefined, 1 << 20))!.equals(await readInputFile(big))).toBe(true);
    expect(await refusal(readInputFile(missing, 'ruleset', 100))).toEqual(
      await refusal(readInputFile(missing, 'ruleset')),
    );
    expect(await refusal(readInputFile(dir, 'key', 100))).toEqual(await refusal(readInputFile(dir, 'key')));
  });

  it.skipIf(process.platform === 'win32')(
    'stops one byte past the limit when the size is not known first (a pipe)',
    async () => {
      // A pipe has no size, so only the bytes read tell: the writer offers 5,000, the reader stops past 100.
      for (const [offered, expected] of [
        [5000, undefined],
        [100, 100],
      ] as const) {
        const fifo = join(dir, `pipe-${offered}`);
        execFileSync('mkfifo', [fifo]);
        const writer = spawn('sh', ['-c', `head -c ${offered} /dev/zero > "$1" 2>/dev/null`, 'sh', fifo]);
        const got = await readInputFile(fifo, undefined, 100);
        writer.kill();
        expect(got?.length).toBe(expected);
      }
    },
  );

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')('a file without read permission', async () => {
    const locked = join(dir, 'locked.json');
    writeFileSync(locked, '{}');
    chmodSync(locked, 0o000);
    expect((await refusal(readInputFile(locked)))[1]).toBe(`Cannot read ${locked}: permission denied`);
  });

  it('any other failure keeps the system message', () => {
    const e = unreadableFile('x.xml', Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }));
    expect([e.code, e.message]).toEqual(['FILE_UNREADABLE', 'Cannot read x.xml: EMFILE: too many open files']);
    expect(unreadableFile('x.xml', 'gone').message).toBe('Cannot read x.xml: gone');
  });
});

/** Everything a walk gives, in order: each file (relative to `top`) and each refusal as `! path: message`. */
async function walked(top: string, skip?: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for await (const f of filesUnder(top, skip, (path, e) =>
    out.push(`! ${relative(top, path)}: ${e.code} ${e.message}`),
  ))
    out.push(relative(top, f));
  return out;
}

describe('walking a folder: the order', () => {
  it('is by UTF-16 code units whatever order the folder lists its entries in (upper case before lower, a prefix first)', async () => {
    const top = mkdtempSync(join(tmpdir(), 'sandan-walk-order-'));
    // 60 names written in a scrambled order (37 is prime to 60: i × 37 mod 60 visits each once)
    const names = Array.from({ length: 60 }, (_, i) => `${'aBc'[i % 3]}${String.fromCharCode(97 + (i % 26))}${i}.json`);
    for (let i = 0; i < 60; i++) writeFileSync(join(top, names[(i * 37) % 60]!), '{}');
    const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(sorted.slice(0, 2)).toEqual(['Ba52.json', 'Bb1.json']); // 'B' (0x42) before 'a' (0x61); '1.' before '27'
    expect(await walked(top)).toEqual(sorted);
  });
});

describe.skipIf(process.platform === 'win32')('walking a folder: symbolic links are followed', () => {
  // Elsewhere: a file and a folder the walked folders link to.
  const root = mkdtempSync(join(tmpdir(), 'sandan-walk-links-'));
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(join(elsewhere, 'folder', 'deeper'), { recursive: true });
  writeFileSync(join(elsewhere, 'file.xml'), 'f');
  writeFileSync(join(elsewhere, 'folder', 'b.xml'), 'b');
  writeFileSync(join(elsewhere, 'folder', 'deeper', 'c.xml'), 'c');
  /** A folder holding a.xml, m.xml (a file or a link to one) and n/ (a folder or a link to one). */
  const layout = (name: string, link: boolean) => {
    const top = join(root, name);
    mkdirSync(top);
    writeFileSync(join(top, 'a.xml'), 'a');
    if (link) {
      symlinkSync(join(elsewhere, 'file.xml'), join(top, 'm.xml'));
      // (relative, as `ln -s ../elsewhere/folder n` makes it)
      symlinkSync(join('..', 'elsewhere', 'folder'), join(top, 'n'));
    } else {
      writeFileSync(join(top, 'm.xml'), 'f');
      mkdirSync(join(top, 'n', 'deeper'), { recursive: true });
      writeFileSync(join(top, 'n', 'b.xml'), 'b');
      writeFileSync(join(top, 'n', 'deeper', 'c.xml'), 'c');
    }
    writeFileSync(join(top, 'z.xml'), 'z');
    return top;
  };
  const copies = layout('copies', false);
  const links = layout('links', true);

  it('a linked file and a linked folder are walked as copies of them would be, in the same order', async () => {
    const expected = ['a.xml', 'm.xml', join('n', 'b.xml'), join('n', 'deeper', 'c.xml'), 'z.xml'];
    expect(await walked(copies)).toEqual(expected);
    expect(await walked(links)).toEqual(expected);
    // The paths are the links' (as the shell shows them), and they read as the targets.
    const files: string[] = [];
    for await (const f of filesUnder(links)) files.push((await readInputFile(f)).toString());
    expect(files).toEqual(['a', 'f', 'b', 'c', 'z']);
    // A folder given through a link is walked too; skip applies to links by their name.
    symlinkSync(links, join(root, 'to-links'));
    expect(await walked(join(root, 'to-links'))).toEqual(expected);
    expect(await walked(links, (name) => name === 'n' || name === 'm.xml')).toEqual(['a.xml', 'z.xml']);
  });

  it('a loop (a link to a folder it lies in) and a broken link are told at their place, the walk goes on', async () => {
    const top = join(root, 'loops');
    mkdirSync(join(top, 'sub'), { recursive: true });
    writeFileSync(join(top, 'a.xml'), 'a');
    writeFileSync(join(top, 'sub', 'b.xml'), 'b');
    symlinkSync('..', join(top, 'sub', 'up'));
    symlinkSync(top, join(top, 'sub', 'top'));
    symlinkSync('missing.xml', join(top, 'gone.xml'));
    // A link to itself: the system refuses to follow it (ELOOP).
    symlinkSync('self', join(top, 'self'));
    writeFileSync(join(top, 'z.xml'), 'z');
    const at = (p: string) => join(top, p);
    expect(await walked(top)).toEqual([
      'a.xml',
      `! gone.xml: FILE_UNREADABLE Cannot read ${at('gone.xml')}: a broken symbolic link (to missing.xml)`,
      `! self: FILE_UNREADABLE Cannot read ${at('self')}: a symbolic link loop`,
      join('sub', 'b.xml'),
      `! ${join('sub', 'top')}: FILE_UNREADABLE Cannot read ${at('sub/top')}: a symbolic link loop (it leads back to ${top})`,
      `! ${join('sub', 'up')}: FILE_UNREADABLE Cannot read ${at('sub/up')}: a symbolic link loop (it leads back to ${top})`,
      'z.xml',
    ]);
    // Without onUnreadable the first refusal is thrown: FILE_UNREADABLE with the path.
    const files: string[] = [];
    const thrown = await refusal(
      (async () => {
        for await (const f of filesUnder(top)) files.push(relative(top, f));
      })(),
    );
    expect(thrown).toEqual([
      'FILE_UNREADABLE',
      `Cannot read ${at('gone.xml')}: a broken symbolic link (to missing.xml)`,
      { file: at('gone.xml') },
    ]);
    expect(files).toEqual(['a.xml']);
  });

  it('a file whose name is not UTF-8 (a GBK name from a Windows archive) is told for that, not as a missing file', async () => {
    const top = join(root, 'gbk');
    mkdirSync(join(top, 'sub'), { recursive: true });
    writeFileSync(join(top, 'a.xml'), 'a');
    // 订单.xml in GBK: Node reads the name as UTF-8, each byte a U+FFFD, a path that names no file
    const gbk = Buffer.from([0xb6, 0xa9, 0xb5, 0xa5, 0x2e, 0x78, 0x6d, 0x6c]);
    writeFileSync(Buffer.concat([Buffer.from(`${top}/`), gbk]), 'bill');
    writeFileSync(Buffer.concat([Buffer.from(`${top}/sub/`), gbk]), 'bill');
    // (a name that holds U+FFFD itself is UTF-8: read as any other)
    writeFileSync(join(top, 'r\uFFFD.xml'), 'r');
    writeFileSync(join(top, 'z.xml'), 'z');
    const shown = gbk.toString('utf8');
    const why = 'its name is not UTF-8 (e.g. GBK, from an archive made on Windows): rename it to UTF-8 to read it';
    expect(await walked(top)).toEqual([
      'a.xml',
      'r\uFFFD.xml',
      `! ${join('sub', shown)}: FILE_UNREADABLE Cannot read ${join(top, 'sub', shown)}: ${why}`,
      'z.xml',
      `! ${shown}: FILE_UNREADABLE Cannot read ${join(top, shown)}: ${why}`,
    ]);
  });

  it('a link to a folder beside it is no loop: walked each time it is reached, as copies would be', async () => {
    const top = join(root, 'twice');
    mkdirSync(join(top, 'shared'), { recursive: true });
    writeFileSync(join(top, 'shared', 's.xml'), 's');
    symlinkSync('shared', join(top, 'again'));
    expect(await walked(top)).toEqual([join('again', 's.xml'), join('shared', 's.xml')]);
  });

  it.skipIf(process.getuid?.() === 0)('a folder that cannot be listed is told, not skipped', async () => {
    const top = join(root, 'locked');
    mkdirSync(join(top, 'inner'), { recursive: true });
    writeFileSync(join(top, 'a.xml'), 'a');
    chmodSync(join(top, 'inner'), 0o000);
    try {
      expect(await walked(top)).toEqual([
        'a.xml',
        `! inner: FILE_UNREADABLE Cannot read ${join(top, 'inner')}: permission denied`,
      ]);
    } finally {
      chmodSync(join(top, 'inner'), 0o755);
    }
  });
});
