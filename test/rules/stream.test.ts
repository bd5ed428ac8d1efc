import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isBlankLine,
  type LineLimits,
  MAX_RECORD_BYTES,
  MAX_SKIPPED_LINE_BYTES,
  recordAndText,
  recordFromBytes,
} from '../../src/model/json-input.js';
import { declarationBatches, readBatch } from '../../src/reconcile/jobs.js';
import { byteLines, type StreamProgress, sourceRecords, taxStream, validateStream } from '../../src/rules/stream.js';
import { parseRateTable } from '../../src/index.js';
import { example, exampleRates } from '../helpers/examples.js';

/*
 * The streaming layer on its own: how bytes become lines (chunk borders, CR LF, the record size
 * limit) and what the stream functions report. The CLI tests (test/cli) run it end to end.
 */

async function lines(chunks: Array<Buffer | string>) {
  let read = 0;
  const out: Array<{ line: number; text: string; length: number; tooLong: boolean | 'endless' }> = [];
  for await (const l of byteLines(Readable.from(chunks, { objectMode: true }), (n) => (read += n))) {
    out.push({
      line: l.line,
      text: l.bytes.length < 64 ? l.bytes.toString('utf8') : '…',
      length: l.bytes.length,
      tooLong: l.tooLong,
    });
  }
  return { out, read };
}

describe('byteLines', () => {
  it('joins a line split across chunks, drops one CR before LF, keeps a last line without LF', async () => {
    const { out, read } = await lines(['{"a"', ':1}\r', '\n\r\nx\r\r\n', Buffer.from('tail')]);
    expect(out).toEqual([
      { line: 1, text: '{"a":1}', length: 7, tooLong: false },
      { line: 2, text: '', length: 0, tooLong: false },
      // Only the CR of the CR LF goes; a CR inside the line stays.
      { line: 3, text: 'x\r', length: 2, tooLong: false },
      { line: 4, text: 'tail', length: 4, tooLong: false },
    ]);
    // 4 + 4 + 7 + 4 bytes read.
    expect(read).toBe(19);
  });

  it('a line of exactly MAX_RECORD_BYTES, in two chunks, is whole and not too long', async () => {
    const half = MAX_RECORD_BYTES / 2;
    const { out } = await lines([Buffer.alloc(half, 0x20), Buffer.alloc(half, 0x20), '\n']);
    expect(out).toEqual([{ line: 1, text: '…', length: MAX_RECORD_BYTES, tooLong: false }]);
  });

  it('one byte more, in two chunks after a line: too long, and the line is not held in memory', async () => {
    const half = MAX_RECORD_BYTES / 2;
    const { out } = await lines(['[]\n', Buffer.alloc(half, 0x20), Buffer.alloc(half + 1, 0x20), 'ab\n{}\n']);
    // Past the limit the held chunks are dropped, and what comes after them is not held either.
    expect(out).toEqual([
      { line: 1, text: '[]', length: 2, tooLong: false },
      { line: 2, text: '', length: 0, tooLong: true },
      { line: 3, text: '{}', length: 2, tooLong: false },
    ]);
  });

  it('a too-long line stays dropped however many more chunks it has', async () => {
    const over = MAX_RECORD_BYTES + 1;
    const { out } = await lines([Buffer.alloc(over, 0x20), Buffer.alloc(over, 0x20), 'z\n']);
    expect(out).toEqual([{ line: 1, text: '', length: 0, tooLong: true }]);
  });

  it('a too-long last line without LF is still reported', async () => {
    const { out } = await lines([Buffer.alloc(MAX_RECORD_BYTES, 0x20), 'x']);
    expect(out).toEqual([{ line: 1, text: '', length: 0, tooLong: true }]);
  });
});

/**
 * A stream that never ends (as /dev/zero): `head` first, then chunks of 1 MiB of zeros for ever. `pulled` counts
 * the bytes it gave; `peak` the largest growth of the resident memory (from the first chunk on) seen while it was read.
 */
function endless(head = '') {
  const chunk = Buffer.alloc(1 << 20);
  const seen = { pulled: 0, peak: 0 };
  const gen = async function* () {
    if (head) yield Buffer.from(head);
    const base = process.memoryUsage().rss;
    for (;;) {
      seen.pulled += chunk.length;
      // (a reader that reads on fails here, rather than hang the suite)
      if (seen.pulled > 2 * MAX_SKIPPED_LINE_BYTES) throw new Error('read on far past the bound');
      if (seen.pulled % (16 << 20) === 0) seen.peak = Math.max(seen.peak, process.memoryUsage().rss - base);
      yield chunk;
    }
  };
  return { stream: Readable.from(gen()), seen };
}

describe('a line that never ends', () => {
  it('byteLines skips a too-long line to MAX_SKIPPED_LINE_BYTES, then gives it as the last line and reads no further', async () => {
    const { stream, seen } = endless('{}\n\n');
    const out = [];
    for await (const l of byteLines(stream)) out.push({ line: l.line, length: l.bytes.length, tooLong: l.tooLong });
    expect(out).toEqual([
      { line: 1, length: 2, tooLong: false },
      { line: 2, length: 0, tooLong: false },
      { line: 3, length: 0, tooLong: 'endless' },
    ]);
    // Up to the first MiB past the bound (and what the stream had read ahead): it is closed there.
    expect(seen.pulled).toBeGreaterThan(MAX_SKIPPED_LINE_BYTES);
    expect(seen.pulled).toBeLessThanOrEqual(MAX_SKIPPED_LINE_BYTES + (4 << 20));
    expect(stream.destroyed).toBe(true);
  });

  it('validateStream ends with input-too-large for that line, in bounded memory', async () => {
    const { stream, seen } = endless('{}\n');
    const items = [];
    for await (const item of validateStream(stream)) items.push(item);
    expect(items.map((i) => [i.line, i.result.issues.map((x) => x.code)])).toHaveLength(2);
    expect(items[1]).toMatchObject({
      line: 2,
      result: {
        valid: false,
        issues: [
          {
            code: 'input-too-large',
            message: {
              en: `Line 2 runs past ${MAX_SKIPPED_LINE_BYTES} bytes without a line break; the input was read no further`,
            },
          },
        ],
      },
    });
    // The line is not held: a 256 MiB line read with at most one 16 MiB line held (measured: under 40 MiB).
    expect(seen.peak).toBeLessThan(96 << 20);
  });

  it('keeps the lines after a too-long line that ends before the bound (here 3 times the record limit)', async () => {
    const records = [];
    const long = Buffer.alloc(3 * MAX_RECORD_BYTES, 0x61);
    for await (const r of sourceRecords(Readable.from([Buffer.from('{"a":1}\n'), long, Buffer.from('\n{"b":2}\n')])))
      records.push([r.line, r.issue?.code ?? r.value]);
    expect(records).toEqual([
      [1, { a: 1 }],
      [2, 'input-too-large'],
      [3, { b: 2 }],
    ]);
  });

  it('tells a too-long line whose last chunk held nothing before its break (it was skipped as a blank line)', async () => {
    const records = [];
    const chunks = [Buffer.alloc(MAX_RECORD_BYTES + 1, 0x61), Buffer.from('\n{"b":2}\n')];
    for await (const r of sourceRecords(Readable.from(chunks))) records.push([r.line, r.issue?.code ?? r.value]);
    expect(records).toEqual([
      [1, 'input-too-large'],
      [2, { b: 2 }],
    ]);
  });
});

/**
 * The lines of `bytes` cut into chunks ending at `ends`, as the rules say (the oracle of the property below): a line
 * past `record` bytes (its CR counted) is too long and loses its bytes; one that a chunk ends inside of, without its
 * break yet, past `skipped` bytes is endless and the last.
 */
function linesByRule(bytes: Buffer, ends: number[], { record, skipped }: LineLimits) {
  const out: Array<{ line: number; text: string; tooLong: boolean | 'endless' }> = [];
  for (let s = 0; s < bytes.length; ) {
    const lf = bytes.indexOf(0x0a, s);
    const e = lf === -1 ? bytes.length : lf;
    const endless = ends.some((b) => b > s + skipped && b <= e);
    const tooLong = endless ? 'endless' : e - s > record;
    const text = tooLong ? '' : bytes.toString('latin1', s, bytes[e - 1] === 0x0d ? e - 1 : e);
    out.push({ line: out.length + 1, text, tooLong });
    if (endless) break;
    s = e + 1;
  }
  return out;
}

describe('byteLines and declarationBatches', () => {
  it('cut the same bytes into the same lines, too long and endless ones alike, as the rules say (property)', async () => {
    const piece = fc.constantFrom('{}', '1', '"ab"', ' ', '\r', '\n', '\r\n', 'x', 'aaaaaaaaaaaa', '\uFEFF');
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 40 }).map((p) => Buffer.from(p.join(''))),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 40 }),
        async (bytes, cuts, record, more, batchBytes) => {
          const limits = { record, skipped: record + more };
          const ends = [...new Set([...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
          const chunks = () =>
            (async function* () {
              for (let i = 0, from = 0; i < ends.length; from = ends[i++]!) yield bytes.subarray(from, ends[i]);
            })();
          const want = linesByRule(bytes, ends, limits);
          const viaLines = [];
          const records = [];
          for await (const l of byteLines(chunks(), undefined, limits)) {
            viaLines.push({ line: l.line, text: l.bytes.toString('latin1'), tooLong: l.tooLong });
            if (l.tooLong || !isBlankLine(l.bytes)) records.push(recordFromBytes(l.line, l.bytes, l.tooLong));
          }
          expect(viaLines).toEqual(want);
          const viaBatches: typeof want = [];
          const batchRecords = [];
          let first = 1;
          for await (const b of declarationBatches(chunks(), batchBytes, limits)) {
            const text = Buffer.from(b.bytes).toString('latin1').split('\n');
            // A batch holds whole lines: all but the input's last end with their break.
            if (text.at(-1) === '') text.pop();
            else expect(viaBatches.length + text.length).toBe(want.length);
            text.forEach((t, i) => {
              const tooLong = b.endless === i + 1 ? 'endless' : b.tooLong.includes(i + 1);
              viaBatches.push({ line: first + i, text: t.replace(/\r$/, ''), tooLong });
            });
            const { records: rs, breaks } = readBatch(b, first);
            batchRecords.push(...rs);
            first += breaks;
          }
          expect(viaBatches).toEqual(want);
          expect(batchRecords).toEqual(records);
        },
      ),
      { numRuns: 500 },
    );
  });
  // The lines before a too-long one were counted by spreading the batch's parts into a call's arguments: a batch
  // of many small chunks (a caller's iterable yielding a line at a time) threw "Maximum call stack size exceeded".
  it('a too-long line after 200,000 small chunks in one batch is numbered, not a RangeError', async () => {
    const chunks = (async function* () {
      for (let i = 0; i < 200_000; i++) yield Buffer.from('1\n');
      yield Buffer.from('aaaaaaaaaaaa\n');
    })();
    const batches = [];
    for await (const b of declarationBatches(chunks, 1 << 20, { record: 8, skipped: 64 })) batches.push(b);
    // (200,000 lines of "1\n" are 400,000 bytes, under the 1 MiB batch: one batch, the long line its 200,001st)
    expect(batches.map((b) => b.tooLong)).toEqual([[200_001]]);
  });
});

describe('sourceRecords', () => {
  it('reads NDJSON bytes by line (blank lines skipped) and values as they are', async () => {
    const records = [];
    for await (const r of sourceRecords(Readable.from([Buffer.from('{"a":1}\n\n[2]\r\n')]))) records.push(r);
    expect(records).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: [2] },
    ]);
    const values = [];
    for await (const r of sourceRecords([{ a: 1 }, 'text'])) values.push(r);
    expect(values).toEqual([{ value: { a: 1 } }, { value: 'text' }]);
  });

  // fetch() gives a response body as a web ReadableStream of bytes. It was read as values: each
  // chunk, cut anywhere in a line, became a "declaration" of numbered bytes.
  it('reads a web ReadableStream of bytes as NDJSON, a line cut across its chunks', async () => {
    const bytes = new TextEncoder().encode('{"a":"中文"}\n\n{"b":2}');
    // Cut inside 中 (3 bytes in UTF-8) and inside the second line.
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        for (const [from, to] of [
          [0, 7],
          [7, 16],
          [16, bytes.length],
        ] as const)
          c.enqueue(bytes.subarray(from, to));
        c.close();
      },
    });
    const records = [];
    for await (const r of sourceRecords(web)) records.push(r);
    expect(records).toEqual([
      { line: 1, value: { a: '中文' } },
      { line: 3, value: { b: 2 } },
    ]);
  });

  it('reads an iterable that has only one of a Node stream’s pipe and read as values', async () => {
    for (const extra of [{ pipe: () => undefined }, { read: () => undefined }]) {
      const values = [];
      const source = Object.assign([Buffer.from('{"a":1}\n')], extra);
      for await (const r of sourceRecords(source)) values.push(r);
      expect(values).toEqual([{ value: Buffer.from('{"a":1}\n') }]);
    }
  });
});

describe('recordAndText', () => {
  it('reads the record as JSON.parse does after the byte-order marks decoding drops, and keeps the text as written', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('\ufeff', '{"a":', '"字"', '1', '}', ' ', '\ud83d\ude00', ']'), { maxLength: 8 }),
        fc.integer({ min: 1, max: 3 }),
        (parts, line) => {
          const bytes = Buffer.from(parts.join(''), 'utf8');
          const { record, text } = recordAndText(line, bytes, false);
          // The oracle: one leading byte-order mark is dropped on any line, a second one on line 1.
          let t = bytes.toString('utf8');
          for (let drop = line === 1 ? 2 : 1; drop > 0 && t.startsWith('\ufeff'); drop--) t = t.slice(1);
          let expected: { line: number; value?: unknown; code?: string };
          try {
            expected = { line, value: JSON.parse(t) };
          } catch {
            expected = { line, code: 'json-syntax' };
          }
          expect(record.issue ? { line: record.line, code: record.issue.code } : record).toEqual(expected);
          expect(text).toBe(bytes.toString('utf8'));
        },
      ),
    );
    // Not UTF-8, or too long: the issue, and no text.
    expect(recordAndText(1, Buffer.from([0x7b, 0xff, 0x7d]), false)).toMatchObject({
      record: { line: 1, issue: { code: 'input-encoding' } },
    });
    expect(recordAndText(1, Buffer.from([0x7b, 0xff, 0x7d]), false).text).toBeUndefined();
    expect(recordAndText(2, Buffer.from('{}'), true)).toMatchObject({
      record: { line: 2, issue: { code: 'input-too-large' } },
    });
    expect(recordAndText(2, Buffer.from('{}'), true).text).toBeUndefined();
    // Two byte-order marks: both dropped on line 1, one on any other line (then the text is not JSON).
    const twice = Buffer.from('\ufeff\ufeff{"a":1}', 'utf8');
    expect(recordAndText(1, twice, false).record).toEqual({ line: 1, value: { a: 1 } });
    expect(recordAndText(2, twice, false).record).toMatchObject({ line: 2, issue: { code: 'json-syntax' } });
    // recordFromBytes is its record.
    expect(recordFromBytes(3, Buffer.from('{"a": 1}'), false)).toEqual({ line: 3, value: { a: 1 } });
  });
});

describe('progress', () => {
  it('validateStream and taxStream name their phase and count the declarations done', async () => {
    const rates = parseRateTable(exampleRates());
    const heard: StreamProgress[] = [];
    const onProgress = (p: StreamProgress) => heard.push(p);
    const two = [example('hangzhou-1210'), example('guangzhou-9610')];
    for await (const item of validateStream(two, { rates, onProgress })) expect(item.result.valid).toBe(true);
    for await (const item of taxStream(two, { rates, onProgress })) expect(item.calculation.ok).toBe(true);
    expect(heard).toEqual([
      { phase: 'validate', done: 1 },
      { phase: 'validate', done: 2 },
      { phase: 'tax', done: 1 },
      { phase: 'tax', done: 2 },
    ]);
  });
});

describe('line numbers', () => {
  it('an NDJSON item names its line; an item from values has no line at all', async () => {
    const ndjson = `${JSON.stringify(example('hangzhou-1210'))}\n\n{bad\n`;
    const items = [];
    for await (const item of validateStream(Readable.from([Buffer.from(ndjson)]))) items.push(item);
    expect(items.map((i) => [i.index, i.line, i.result.valid])).toEqual([
      [0, 1, true],
      [1, 3, false],
    ]);
    for await (const item of validateStream([example('hangzhou-1210')])) expect('line' in item).toBe(false);
  });
});
