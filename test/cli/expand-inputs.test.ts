import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expandInputs } from '../../src/cli/input.js';
import { runCli } from '../helpers/cli.js';

// stat fails for the file named here, as for a file deleted between reading its folder and stat-ing it.
const gone = vi.hoisted(() => ({ name: '' }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    stat: (path: string, ...rest: []) =>
      gone.name && String(path).endsWith(gone.name)
        ? Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }))
        : real.stat(path, ...rest),
  };
});

const dir = mkdtempSync(join(tmpdir(), 'sandan-expand-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandInputs', () => {
  it('lists a file gone between reading its folder and stat-ing it without a size (it fails at its turn), not a crash', async () => {
    writeFileSync(join(dir, 'a.json'), '{}');
    writeFileSync(join(dir, 'b.json'), '{}');
    gone.name = 'b.json';
    try {
      for (const arg of [dir, `${dir}/*.json`]) {
        const inputs = await expandInputs([arg]);
        expect(inputs.map((f) => [f.label.split('/').pop(), f.size])).toEqual([
          ['a.json', 2],
          ['b.json', undefined],
        ]);
      }
    } finally {
      gone.name = '';
    }
  });

  it('lists a file once however it is named, and a folder whose files came first is not empty', async () => {
    const sub = mkdtempSync(join(dir, 'twice-'));
    writeFileSync(join(sub, 'c.json'), '{}');
    const c = join(sub, 'c.json');
    // The same file as written, through '.', and through its folder: one input, under the name it came first by.
    const dotted = `${sub}/./c.json`;
    expect((await expandInputs([c, dotted, sub])).map((f) => f.path)).toEqual([c]);
    // Before: the folder named second added nothing new and was refused as "a directory with no .json files".
    expect((await expandInputs([sub, `${sub}/.`])).map((f) => f.path)).toEqual([c]);
    expect((await expandInputs([c, `${sub}/*.json`])).map((f) => f.path)).toEqual([c]);
  });
});

describe('status reads its arguments as validate does (one expansion, filesNamedBy)', () => {
  const NONE = ['--order', 'NONE', '--now', '2026-11-21'];
  const names = (n: string) =>
    `no receipt, message or declaration in ${n} names NONE (as orderNo, copNo, preNo, invtNo, logisticsNo or payTransactionId)`;

  it('reads a file once however it is named, and a folder whose files came first is not empty', async () => {
    const sub = mkdtempSync(join(dir, 'status-'));
    const f = join(sub, 'f.json');
    copyFileSync('examples/hangzhou-1210.json', f);
    for (const args of [
      [f, `${sub}/./f.json`],
      [f, sub],
      [sub, `${sub}/.`],
    ]) {
      const r = await runCli(['status', ...args, ...NONE]);
      expect([r.code, r.stdout.split('\n')[0], r.stderr]).toEqual([1, names('1 file'), '']);
      // validate lists the same one file for the same arguments.
      expect((await expandInputs(args)).map((i) => i.path)).toEqual([f]);
    }
  });

  it('refuses a folder with nothing to read, each in its own words (exit 2)', async () => {
    const empty = mkdtempSync(join(dir, 'status-empty-'));
    writeFileSync(join(empty, 'notes.txt'), 'not a receipt');
    const status = await runCli(['status', empty, ...NONE]);
    expect([status.code, status.stderr.split('\n')[0]]).toEqual([
      2,
      `sandan: no .xml, .json or .ndjson files found in the folder ${empty} or its subfolders`,
    ]);
    await expect(expandInputs([empty])).rejects.toThrow(
      `no declaration files (.json, .ndjson, .jsonl) found in the folder ${empty} or its subfolders`,
    );
  });
});
