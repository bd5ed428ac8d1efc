import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { SandanError } from '../errors.js';
import { MAX_RECORD_BYTES, inputIssue, isBlankLine, recordFromBytes, type InputRecord } from '../model/json-input.js';

export { MAX_RECORD_BYTES, type InputRecord };

/** Splits a byte stream into lines without decoding across line breaks, in constant memory. */
async function* byteLines(stream: Readable): AsyncGenerator<{ line: number; bytes: Buffer; tooLong: boolean }> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let tooLong = false;
  let line = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const part = chunk.subarray(start, nl);
      line++;
      const bytes = pending.length ? Buffer.concat([...pending, part]) : part;
      yield { line, bytes: stripCr(bytes), tooLong: tooLong || bytes.length > MAX_RECORD_BYTES };
      pending = [];
      pendingLen = 0;
      tooLong = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length) {
      if (pendingLen + rest.length > MAX_RECORD_BYTES) {
        // Keep counting but stop holding an absurd line in memory.
        tooLong = true;
        pending = [];
        pendingLen = 0;
      } else {
        pending.push(Buffer.from(rest));
        pendingLen += rest.length;
      }
    }
  }
  if (pendingLen > 0 || tooLong) {
    line++;
    yield { line, bytes: stripCr(Buffer.concat(pending)), tooLong };
  }
}

function stripCr(b: Buffer): Buffer {
  return b.length && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b;
}

/** Opens a path or `-` (standard input); an unreadable file is a SandanError (exit 2). */
export async function openInput(path: string, stdin: Readable): Promise<Readable> {
  if (path === '-') return stdin;
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    throw new SandanError(
      'FILE_UNREADABLE',
      `Cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)}`,
      { cause: e },
    );
  }
  if (st.isDirectory())
    throw new SandanError('FILE_UNREADABLE', `${path} is a directory; give a .json or .ndjson file`);
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('readable', () => resolve());
    stream.once('error', (e) =>
      reject(new SandanError('FILE_UNREADABLE', `Cannot read ${path}: ${String(e)}`, { cause: e })),
    );
  });
  return stream;
}

/**
 * Reads declarations from a stream: one JSON document (possibly pretty-printed) or NDJSON
 * (one per line, streamed in constant memory). `mode` tells which was found.
 */
export async function* readRecords(
  stream: Readable,
  opts: { ndjson?: boolean } = {},
): AsyncGenerator<InputRecord & { mode: 'single' | 'ndjson' }> {
  const it = byteLines(stream);
  // Decide the mode from the first non-empty line: a complete JSON value followed by another line means NDJSON.
  const head: Array<{ line: number; bytes: Buffer; tooLong: boolean }> = [];
  let firstValue: InputRecord | undefined;
  let mode: 'single' | 'ndjson' | undefined = opts.ndjson ? 'ndjson' : undefined;
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    head.push(next.value);
    if (mode === 'ndjson') break;
    const nonEmpty = head.filter((h) => h.bytes.toString('utf8').trim() !== '');
    if (nonEmpty.length === 1 && firstValue === undefined) {
      const h = nonEmpty[0]!;
      const rec = recordFromBytes(h.line, h.bytes, h.tooLong);
      if (rec.issue) {
        mode = 'single';
        break;
      }
      firstValue = rec;
    } else if (nonEmpty.length >= 2) {
      mode = 'ndjson';
      break;
    }
  }
  if (mode === 'ndjson') {
    const emit = function* (l: { line: number; bytes: Buffer; tooLong: boolean }) {
      if (isBlankLine(l.bytes)) return;
      yield { ...recordFromBytes(l.line, l.bytes, l.tooLong), mode: 'ndjson' as const };
    };
    for (const l of head) yield* emit(l);
    for await (const l of it) yield* emit(l);
    return;
  }
  // One document: gather the whole text (bounded) and parse it once.
  const parts: Buffer[] = head.map((h) => h.bytes);
  let size = parts.reduce((a, b) => a + b.length + 1, 0);
  let tooLong = head.some((h) => h.tooLong);
  for await (const l of it) {
    size += l.bytes.length + 1;
    if (size > MAX_RECORD_BYTES || l.tooLong) tooLong = true;
    else parts.push(l.bytes);
  }
  if (tooLong) {
    yield {
      line: 1,
      issue: inputIssue(
        'input-too-large',
        `输入超过 ${MAX_RECORD_BYTES} 字节`,
        `The input is larger than ${MAX_RECORD_BYTES} bytes; a declaration is never that large`,
      ),
      mode: 'single',
    };
    return;
  }
  const all = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from('\n'), p])));
  if (all.toString('latin1').trim() === '') {
    yield { line: 1, issue: inputIssue('input-empty', '输入为空', 'The input is empty'), mode: 'single' };
    return;
  }
  yield { ...recordFromBytes(1, all, false), mode: 'single' };
}
