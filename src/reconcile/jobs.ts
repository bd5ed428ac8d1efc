import { open } from 'node:fs/promises';
import type { Issue } from '../model/issue.js';
import {
  endlessLineIssue,
  isBlankLine,
  lineRuns,
  recordFromBytes,
  recordFromText,
  tooLargeIssue,
  type InputRecord,
  type LineLimits,
} from '../model/json-input.js';
import { documentRecord, type DocumentRecord } from './records.js';
import { scanFile } from './files.js';
import { CebScanner } from './scan.js';
import { TEXT_PIECE_BYTES } from './text-piece.js';

/*
 * The two units of work `reconcileFiles()` hands to worker threads (or runs in-process):
 * a batch of NDJSON declaration lines → their records, and one XML file → its document records.
 * Both give exactly what the sequential path gives for the same input (the tests hold them
 * equal), so the threads only change where the work runs.
 */

/**
 * Complete NDJSON lines (UTF-8 bytes). A batch does not know where in the input it starts:
 * the consumer numbers its lines (see {@link readBatch}), which spares the reader a pass over
 * the bytes and lets a worker read a batch before the ones ahead of it are counted.
 */
export interface DeclarationBatch {
  bytes: Uint8Array;
  /** Whether the batch starts the input (where a second BOM is dropped, as the CLI reader does). */
  fileStart: boolean;
  /** Lines longer than MAX_RECORD_BYTES, numbered from 1 in the batch: their bytes were dropped (the line is empty in `bytes`). */
  tooLong: number[];
  /**
   * The last of `tooLong` when it had no line break past MAX_SKIPPED_LINE_BYTES: the input was read no further (this
   * is its last batch).
   */
  endless?: number;
}

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a batch the way the CLI's NDJSON reader reads lines: blank lines skipped, a trailing CR
 * and a BOM dropped, each line its own JSON value or issue, numbered from `firstLine`. Also
 * gives the batch's line breaks: the next batch starts `breaks` lines further.
 *
 * With `each`, each record is handed to it as soon as it is read and the batch keeps what it
 * returns: a parsed declaration is then garbage before the next line is parsed, instead of
 * hundreds of them living (and being copied by the garbage collector) until the batch ends.
 * `pieceBytes`: how much is decoded at once (see below; tests make it small).
 */
export function readBatch(batch: DeclarationBatch, firstLine?: number): { records: InputRecord[]; breaks: number };
export function readBatch<T>(
  batch: DeclarationBatch,
  firstLine: number,
  each: (record: InputRecord) => T,
  pieceBytes?: number,
): { records: T[]; breaks: number };
export function readBatch(
  batch: DeclarationBatch,
  firstLine = 1,
  each: (record: InputRecord) => unknown = (r) => r,
  pieceBytes = TEXT_PIECE_BYTES,
): { records: unknown[]; breaks: number } {
  const out: unknown[] = [];
  const tooLong = new Set(batch.tooLong.map((n) => n + firstLine - 1));
  const endless = batch.endless === undefined ? undefined : batch.endless + firstLine - 1;
  // (the issue of a line whose bytes were dropped)
  const overLong = (line: number): Issue | undefined =>
    line === endless ? endlessLineIssue(line) : tooLong.has(line) ? tooLargeIssue(line) : undefined;
  const b = batch.bytes;
  let line = firstLine;
  // Decoded a piece of whole lines at a time, never the batch at once (see TEXT_PIECE_BYTES). A
  // line end never falls inside a UTF-8 sequence.
  for (let start = 0; start < b.length; ) {
    let end = b.length;
    if (start + pieceBytes < b.length) {
      const nl = b.lastIndexOf(0x0a, start + pieceBytes - 1);
      end = nl >= start ? nl + 1 : b.indexOf(0x0a, start + pieceBytes) + 1 || b.length;
    }
    line = readPiece(b.subarray(start, end), line, start === 0 && batch.fileStart, overLong, out, each);
    start = end;
  }
  return { records: out, breaks: line - firstLine };
}

/** Reads whole lines (a piece of a batch) numbered from `line` into `out`; returns the number of the line after them. */
function readPiece(
  b: Uint8Array,
  line: number,
  fileStart: boolean,
  overLong: (line: number) => Issue | undefined,
  out: unknown[],
  each: (record: InputRecord) => unknown,
): number {
  let text: string | undefined;
  try {
    text = fatal.decode(b);
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    // Valid UTF-8 as a whole: split the text (a line of white space as trim sees it is blank, as isBlankLine has it).
    const lines = text.split('\n');
    const next = line + lines.length - 1;
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++, line++) {
      let t = lines[i]!;
      const issue = overLong(line);
      if (issue) {
        out.push(each({ line, issue }));
        continue;
      }
      if (t.charCodeAt(t.length - 1) === 0x0d) t = t.slice(0, -1);
      if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
      if (i === 0 && fileStart && t.charCodeAt(0) === 0xfeff) t = t.slice(1);
      if (t.trim() === '') continue;
      out.push(each(recordFromText(line, t)));
    }
    return next;
  }
  // Some line is not UTF-8: read line by line so that only that line gets the issue.
  const first = line;
  let start = 0;
  for (; start < b.length; line++) {
    let end = b.indexOf(0x0a, start);
    const next = end === -1 ? b.length : end + 1;
    if (end === -1) end = b.length;
    if (end > start && b[end - 1] === 0x0d) end--;
    const bytes = b.subarray(start, end);
    start = next;
    const issue = overLong(line);
    if (issue) out.push(each({ line, issue }));
    else if (!isBlankLine(bytes)) out.push(each(recordFromBytes(line, bytes, false, line === first && fileStart)));
  }
  return first + countLines([b]);
}

/**
 * Batches of a declarations file read straight into buffers of their own (no copy, ready to
 * hand to a worker), cut after the last line break; lines numbered from 1 in each batch. A
 * line longer than a batch switches to the streaming reader for the rest of the file.
 */
export async function* fileDeclarationBatches(path: string, batchBytes = 1 << 20): AsyncGenerator<DeclarationBatch> {
  const file = await open(path, 'r');
  try {
    let position = 0;
    let fileStart = true;
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(batchBytes);
      const { bytesRead } = await file.read(buf, 0, batchBytes, position);
      if (bytesRead === 0) return;
      let end = bytesRead;
      if (bytesRead === batchBytes) {
        const nl = buf.lastIndexOf(0x0a, bytesRead - 1);
        if (nl === -1) {
          const rest = file.createReadStream({ start: position, highWaterMark: 1 << 20, autoClose: false });
          for await (const b of declarationBatches(rest as AsyncIterable<Buffer>, batchBytes))
            yield { ...b, fileStart: fileStart && b.fileStart };
          return;
        }
        end = nl + 1;
      }
      yield { bytes: buf.subarray(0, end), fileStart, tooLong: [] };
      fileStart = false;
      position += end;
      if (bytesRead < batchBytes) return;
    }
  } finally {
    await file.close();
  }
}

function copyOf(parts: Uint8Array[], length: number): Uint8Array {
  // A fresh ArrayBuffer of its own, so the batch can be transferred to a worker.
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

function countLines(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of parts) for (let i = b.indexOf(0x0a); i !== -1; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * Cuts a byte stream of NDJSON into batches of complete lines of about `batchBytes`, in bounded memory (see
 * {@link lineRuns}): a line too long stands in its batch as an empty line, marked.
 */
export async function* declarationBatches(
  chunks: AsyncIterable<Uint8Array>,
  batchBytes = 1 << 20,
  limits?: LineLimits,
): AsyncGenerator<DeclarationBatch> {
  let fileStart = true;
  let parts: Uint8Array[] = [];
  let size = 0;
  let tooLong: number[] = [];
  let endless: number | undefined;
  const batch = (): DeclarationBatch => {
    const b = { bytes: copyOf(parts, size), fileStart, tooLong, ...(endless !== undefined && { endless }) };
    fileStart = false;
    parts = [];
    size = 0;
    tooLong = [];
    return b;
  };
  for await (const runs of lineRuns(chunks, undefined, limits)) {
    for (let run of runs) {
      if (typeof run !== 'object') {
        // (an array, not spread into arguments: a batch of many small chunks overflowed the call's stack)
        tooLong.push(1 + countLines(parts));
        if (run === 'endless') endless = tooLong[tooLong.length - 1];
        run = LF;
      }
      parts.push(run);
      size += run.length;
    }
    if (size >= batchBytes) yield batch();
  }
  if (size > 0) yield batch();
}

const LF = Buffer.of(0x0a);

/** The document records of one XML file, a chunk's at a time (see scanFile); throws the file's SandanError. */
export async function* fileRecords(file: string): AsyncGenerator<DocumentRecord[]> {
  // Reconciliation reads the heads of tax bills, not their lines. After the documents, another message (skipped), or
  // elements that are not its documents (unreadable): as readCebDocuments gives them.
  let n = 0;
  for await (const docs of scanFile(file, new CebScanner({ items: false })))
    yield docs.map((d) => documentRecord(d, file, n++));
}
