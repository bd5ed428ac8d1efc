import type { Issue } from '../model/issue.js';
import {
  isBlankLine,
  lineRuns,
  recordFromBytes,
  stripCr,
  type LineLimits,
  type LineTooLong,
} from '../model/json-input.js';
import type { TaxFigures, TaxResult } from '../tax/compute.js';
import {
  createTaxCalculator,
  TAX_CALCULATOR_OPTION_NAMES,
  type TaxCalculation,
  type TaxCalculatorOptions,
} from './tax-calculator.js';
import { VALIDATE_OPTION_NAMES, validatorFor, type ValidateOptions, type ValidationResult } from './validate.js';
import { knownOptions } from '../model/options.js';
import { checkArgument } from '../model/guards.js';

/*
 * Many declarations in, results out, in order and one at a time: each result is computed only
 * when the consumer asks for it (an async generator pulls its source), so a slow consumer slows
 * the reading down instead of letting results pile up in memory (backpressure).
 */

/** What `onProgress` hears: declarations done so far (`total` when known). */
export interface StreamProgress {
  phase: string;
  done: number;
  total?: number;
}

/** Options shared by {@link validateStream} and {@link taxStream}. */
export interface StreamOptions {
  /** Called after each declaration. */
  onProgress?: (p: StreamProgress) => void;
}

/**
 * The input of a stream: declarations as values (any iterable or async iterable, e.g. an
 * object-mode stream), or a byte/text stream of NDJSON, one declaration per line.
 */
export type DeclarationSource = AsyncIterable<unknown> | Iterable<unknown> | NodeJS.ReadableStream;

/** A declaration that could not be read (bad JSON on its line, not UTF-8, too large). */
export interface InputFailure {
  valid: false;
  issues: Issue[];
  ruleset?: undefined;
}

/** One result of {@link validateStream}. */
export interface ValidateStreamItem {
  /** 0-based position in the input. */
  index: number;
  /** 1-based NDJSON line, for a byte stream. */
  line?: number;
  /** The declaration as read (undefined when the line was not JSON). */
  input: unknown;
  result: ValidationResult | InputFailure;
}

/** One result of {@link taxStream}. */
export interface TaxStreamItem<R extends TaxFigures = TaxResult> {
  index: number;
  line?: number;
  input: unknown;
  calculation: TaxCalculation<R>;
}

/** A record of the input: its value or the issue that kept it from being one; `line` for NDJSON. */
type SourceRecord =
  | { line?: number; value: unknown; issue?: undefined }
  | { line?: number; value?: undefined; issue: Issue };

/** A line of a byte stream, split without decoding across line breaks. */
interface ByteLine {
  line: number;
  bytes: Buffer;
  tooLong: LineTooLong;
}

/**
 * Splits a byte stream into lines in constant memory (see {@link lineRuns}); `onBytes` hears how many bytes were read.
 * A line too long has no bytes; `'endless'` is the last line.
 */
export async function* byteLines(
  stream: AsyncIterable<Buffer | string>,
  onBytes?: (n: number) => void,
  limits?: LineLimits,
): AsyncGenerator<ByteLine> {
  let line = 0;
  for await (const runs of lineRuns(stream, onBytes, limits))
    for (const run of runs)
      if (typeof run !== 'object') yield { line: ++line, bytes: Buffer.alloc(0), tooLong: run };
      else
        for (let at = 0, nl = 0; at < run.length; at = nl + 1) {
          nl = run.indexOf(0x0a, at);
          if (nl === -1) nl = run.length;
          yield { line: ++line, bytes: stripCr(run.subarray(at, nl)), tooLong: false };
        }
}

/** Whether a line of {@link byteLines} holds a record: not blank (a line too long has no bytes, yet is not blank). */
export const holdsRecord = (l: ByteLine): boolean => l.tooLong !== false || !isBlankLine(l.bytes);

/**
 * A Node readable stream, or a web ReadableStream (what `fetch` gives as a response body); its
 * chunks decide whether it carries bytes or values.
 */
function isStream(source: DeclarationSource): boolean {
  const s = source as { pipe?: unknown; read?: unknown; getReader?: unknown; pipeTo?: unknown };
  return (
    (typeof s.pipe === 'function' && typeof s.read === 'function') ||
    (typeof s.getReader === 'function' && typeof s.pipeTo === 'function')
  );
}

const isBytes = (x: unknown): x is Buffer | string => typeof x === 'string' || x instanceof Uint8Array;

/**
 * The records of a source: for a stream whose chunks are bytes or text (also an object-mode
 * one, as `Readable.from([buffer])` makes), the NDJSON lines (blank lines skipped); else its values.
 */
export async function* sourceRecords(source: DeclarationSource): AsyncGenerator<SourceRecord> {
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]
    ? (source as AsyncIterable<unknown>)[Symbol.asyncIterator]()
    : (source as Iterable<unknown>)[Symbol.iterator]();
  const first = await it.next();
  if (first.done) return;
  if (isStream(source) && isBytes(first.value)) {
    async function* chunks(): AsyncGenerator<Buffer | string> {
      yield first.value as Buffer | string;
      for (let n = await it.next(); !n.done; n = await it.next()) yield n.value as Buffer | string;
    }
    for await (const l of byteLines(chunks())) {
      if (!holdsRecord(l)) continue;
      yield recordFromBytes(l.line, l.bytes, l.tooLong);
    }
    return;
  }
  yield { value: first.value };
  for (let n = await it.next(); !n.done; n = await it.next()) yield { value: n.value };
}

/**
 * Runs `check` over records in order, pulling the next record only when the consumer asks for
 * the next result. The engine of {@link validateStream}, {@link taxStream} and the CLI.
 */
export async function* mapRecords<T, R extends { line?: number }>(
  records: AsyncIterable<R>,
  check: (rec: R, index: number) => T | Promise<T>,
  phase: string,
  onProgress?: (p: StreamProgress) => void,
): AsyncGenerator<T> {
  let index = 0;
  for await (const rec of records) {
    const out = await check(rec, index);
    index++;
    onProgress?.({ phase, done: index });
    yield out;
  }
}

/**
 * Validates a stream of declarations: an async iterable of values, or a readable NDJSON stream
 * (a Node stream, or a web ReadableStream such as a `fetch` response body).
 * Yields one result per declaration, in input order, only as fast as they are consumed; a
 * line that is not JSON gives an {@link InputFailure} and the stream goes on. Options are
 * checked once, before the first declaration (SandanError on misuse).
 */
export async function* validateStream(
  source: DeclarationSource,
  options: ValidateOptions & StreamOptions = {},
): AsyncGenerator<ValidateStreamItem> {
  checkArgument(source, 'iterable', 'validateStream', 'the source');
  const validate = validatorFor(options, 'validateStream', [...VALIDATE_OPTION_NAMES, 'onProgress']);
  yield* mapRecords(
    sourceRecords(source),
    (rec, index): ValidateStreamItem => ({
      index,
      ...(rec.line !== undefined && { line: rec.line }),
      input: rec.value,
      result: rec.issue ? { valid: false, issues: [rec.issue] } : validate(rec.value),
    }),
    'validate',
    options.onProgress,
  );
}

/**
 * Computes the tax of a stream of declarations (as {@link validateStream} reads them), in
 * order and pull-based; a line that is not JSON gives a failed calculation with its issue.
 */
export async function* taxStream(
  source: DeclarationSource,
  options: TaxCalculatorOptions & StreamOptions = {},
): AsyncGenerator<TaxStreamItem> {
  checkArgument(source, 'iterable', 'taxStream', 'the source');
  const { onProgress, ...calculatorOptions } = knownOptions(options, 'taxStream', [
    ...TAX_CALCULATOR_OPTION_NAMES,
    'onProgress',
  ]);
  const calc = createTaxCalculator({ ...calculatorOptions, explain: true });
  yield* mapRecords(
    sourceRecords(source),
    (rec, index): TaxStreamItem => ({
      index,
      ...(rec.line !== undefined && { line: rec.line }),
      input: rec.value,
      calculation: rec.issue ? { ok: false, issues: [rec.issue] } : calc(rec.value),
    }),
    'tax',
    onProgress,
  );
}
