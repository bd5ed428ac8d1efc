import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { readInputFile, readInputFileSync, statInputFile, statInputPath, unreadableFile } from '../../src/io/walk.js';

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
  it('reads a file, sync or not; stats a file or a folder', async () => {
    expect((await readInputFile(file)).toString()).toBe('{"a":1}');
    expect(readInputFileSync(file, 'configuration').toString()).toBe('{"a":1}');
    expect((await statInputFile(file)).size).toBe(7);
    expect((await statInputPath(dir)).isDirectory()).toBe(true);
  });

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
      d,
    ]);
    expect(await refusal(() => readInputFileSync(missing, 'configuration'))).toEqual([
      'FILE_UNREADABLE',
      `Cannot read configuration ${missing}: no such file`,
      d,
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
      folder,
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
