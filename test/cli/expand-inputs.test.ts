import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expandInputs } from '../../src/cli/input.js';

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
