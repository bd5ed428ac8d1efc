import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openInput, openInputs, readRecords, type InputFile } from '../../src/cli/input.js';

/*
 * openInputs reads small files ahead of their turn; what each input gives, and how an input that
 * cannot be read fails, must be what openInput gives it in turn.
 */

const dir = mkdtempSync(join(tmpdir(), 'sandan-open-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = async (s: Readable) => {
  let out = '';
  for await (const c of s) out += c;
  return out;
};
const file = (name: string, content: string, size = Buffer.byteLength(content)): InputFile => {
  writeFileSync(join(dir, name), content);
  return { path: join(dir, name), label: name, size, ndjson: false };
};

describe('openInputs', () => {
  it('gives every input in order with its bytes, small files read ahead and large ones streamed', async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => file(`f${i}.json`, `{"n": ${i}, "字": "${'x'.repeat(i)}"}`));
    // Sizes say large (not read ahead) for two of them; an empty file gives no chunk.
    inputs[3] = { ...inputs[3]!, size: 2 * 1024 * 1024 };
    inputs[9] = { ...inputs[9]!, size: undefined };
    inputs[12] = file('empty.json', '');
    const seen: string[] = [];
    for await (const { input, stream } of openInputs(inputs, Readable.from([]))) {
      seen.push(`${input.label}=${await text(stream)}`);
    }
    expect(seen).toEqual(
      await Promise.all(
        inputs.map(async (f) => `${f.label}=${await text(await openInput(f.path, Readable.from([])))}`),
      ),
    );
  });

  it('streams a file that has grown past the read-ahead limit since it was listed, instead of reading it whole', async () => {
    const grown = file('grown.json', `"${'字'.repeat(400_000)}"`, 10); // listed at 10 bytes, 1.2 MB now
    const inputs = [file('a.json', '{}'), grown, file('b.json', '[]')];
    const got: Array<[string, number, string]> = [];
    for await (const { input, stream } of openInputs(inputs, Readable.from([]))) {
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      got.push([input.label, chunks.length, Buffer.concat(chunks).toString()]);
    }
    const whole = readFileSync(grown.path, 'utf8');
    expect(got.map(([l, , t]) => [l, t])).toEqual([
      ['a.json', '{}'],
      ['grown.json', whole],
      ['b.json', '[]'],
    ]);
    // Read whole, it would be one chunk; streamed, it comes in pieces of 64 KiB.
    expect(got[1]![1]).toBeGreaterThan(1);
    expect([got[0]![1], got[2]![1]]).toEqual([1, 1]);
  });

  it('fails at the turn of an input that cannot be read, with the error openInput gives it', async () => {
    mkdirSync(join(dir, 'folder.json'));
    for (const bad of [
      { path: join(dir, 'missing.json'), label: 'missing.json', size: 10, ndjson: false },
      { path: join(dir, 'folder.json'), label: 'folder.json', size: 10, ndjson: false },
    ]) {
      const inputs = [file('ok1.json', '{}'), bad, file('ok2.json', '{}')];
      const got: string[] = [];
      const error = await (async () => {
        for await (const { input } of openInputs(inputs, Readable.from([]))) got.push(input.label);
      })().catch((e: unknown) => e);
      expect(got).toEqual(['ok1.json']);
      const expected = await openInput(bad.path, Readable.from([])).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'FILE_UNREADABLE' });
      expect((error as Error).message).toBe((expected as Error).message);
    }
  });

  it('with onUnreadable: tells an input that cannot be read at its turn and goes on to the next', async () => {
    mkdirSync(join(dir, 'folder2.json'));
    const gone = { path: join(dir, 'gone.json'), label: 'gone.json', size: 10, ndjson: false };
    const folder = { path: join(dir, 'folder2.json'), label: 'folder2.json', ndjson: false };
    const inputs = [file('ok3.json', '{}'), gone, folder, file('ok4.json', '{}')];
    const got: string[] = [];
    for await (const { input } of openInputs(inputs, Readable.from([]), (input, e) =>
      got.push(`${input.label}: ${e.code} ${e.message}`),
    ))
      got.push(input.label);
    expect(got).toEqual([
      'ok3.json',
      `gone.json: FILE_UNREADABLE Cannot read ${gone.path}: no such file`,
      `folder2.json: FILE_UNREADABLE Cannot read ${folder.path}: it is a directory`,
      'ok4.json',
    ]);
  });
});

describe('readRecords', () => {
  it('parses each NDJSON line once, the line that decided the mode included', async () => {
    const lines = ['{"n":1}', '', '{"n":2}', '{"n":3}'];
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const got: unknown[] = [];
      for await (const r of readRecords(Readable.from([Buffer.from(lines.join('\n'))])))
        got.push([r.line, r.value, r.mode, r.text]);
      expect(got).toEqual([
        [1, { n: 1 }, 'ndjson', '{"n":1}'],
        [3, { n: 2 }, 'ndjson', '{"n":2}'],
        [4, { n: 3 }, 'ndjson', '{"n":3}'],
      ]);
      expect(parse).toHaveBeenCalledTimes(3);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('readRecords: blank lines', () => {
  // The layout took a line of U+3000 for blank (NDJSON) while the lines' reader made it record 1, a json-syntax
  // issue. It is skipped by both (one test, isBlankLine): JSON.parse would refuse it, but it holds no declaration.
  it('skips a line of white space as trim sees it (U+3000, U+00A0, marks) before NDJSON, and in it', async () => {
    for (const blank of ['\u3000', '\u3000 \u00a0\t', '\ufeff\ufeff\ufeff']) {
      const got: unknown[] = [];
      const text = `${blank}\n{"n":1}\n${blank}\n{"n":2}\n`;
      for await (const r of readRecords(Readable.from([Buffer.from(text)]))) got.push([r.line, r.value, r.issue?.code]);
      expect(got, JSON.stringify(blank)).toEqual([
        [2, { n: 1 }, undefined],
        [4, { n: 2 }, undefined],
      ]);
    }
  });
});

describe('readRecords: a JSON array', () => {
  const read = async (text: string, opts: { arrays?: boolean } = {}) => {
    const got = [];
    for await (const r of readRecords(Readable.from([Buffer.from(text)]), opts)) got.push(r);
    return got;
  };
  it('is told to be an array, not a declaration (one per file, NDJSON for many), pretty-printed or on one line', async () => {
    for (const text of ['[\n  {"order": {}},\n  {"order": {}}\n]\n', '[{"order": {}}, {"order": {}}]']) {
      const [r, ...more] = await read(text);
      expect(more).toEqual([]);
      expect(r).toMatchObject({ line: 1, mode: 'single', issue: { code: 'input-array', path: '', ruleId: 'input' } });
      expect(r!.issue!.message.en).toBe(
        "The input is a JSON array (2 items): a JSON file holds one declaration; give many as NDJSON, one per line, e.g. jq -c '.[]' FILE.json > FILE.ndjson",
      );
    }
  });
  it('is the value when arrays are asked for (build: an array builds one message)', async () => {
    expect(await read('[\n  {"order": {}}\n]', { arrays: true })).toMatchObject([{ value: [{ order: {} }] }]);
  });
});
