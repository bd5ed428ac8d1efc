import type { Issue } from './issue.js';
import { duplicateKeys, endOfString, jsonErrorOffset, jsonPathAt, lineColumnAt } from './json-position.js';
import { describeNotUtf8, notUtf8 } from './utf8.js';
import { messageOf } from '../errors.js';
import { isRecord } from './guards.js';
import { Dec } from './primitives.js';

/*
 * One JSON text (a file, or one NDJSON line) to a value, or to the issue that kept it from
 * being one: invalid UTF-8, invalid JSON with line and column, absurd size. Shared by the CLI
 * reader and the reconciliation workers so that both report a bad line the same way.
 */

/** One unit of input: a parsed JSON value, or the issue that kept it from being one. */
export type InputRecord =
  | { line: number; value: unknown; issue?: undefined }
  | { line: number; value?: undefined; issue: Issue };

/** Declarations larger than this are refused as a whole (an absurd input, not a declaration). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * An NDJSON line past {@link MAX_RECORD_BYTES} is skipped to its line break, so that the lines after it are read; one
 * still without a break past this many bytes ends the input there (/dev/zero has none): 16 times the record limit.
 */
export const MAX_SKIPPED_LINE_BYTES = 16 * MAX_RECORD_BYTES;

/**
 * How long an NDJSON line was found: within {@link MAX_RECORD_BYTES} (false), past it (true: its bytes were dropped,
 * the lines after it are read), or past {@link MAX_SKIPPED_LINE_BYTES} without a line break (`'endless'`: the input
 * was read no further).
 */
export type LineTooLong = boolean | 'endless';

/** The limits of a line ({@link MAX_RECORD_BYTES}, {@link MAX_SKIPPED_LINE_BYTES}); smaller ones in tests only. */
export interface LineLimits {
  record: number;
  skipped: number;
}

const LINE_LIMITS: LineLimits = { record: MAX_RECORD_BYTES, skipped: MAX_SKIPPED_LINE_BYTES };

/**
 * What {@link lineRuns} finds, in order: complete lines, each with its line break (the input's last may have none), or
 * one line too long (`true`: its bytes were dropped) or endless (the input's last).
 */
type LineRun = Buffer | true | 'endless';

/**
 * NDJSON bytes cut into runs of whole lines, those each chunk completes at once, in bounded memory: the one place of the
 * line rules the CLI's reader (byteLines) and reconcile's (declarationBatches) share. A line past `limits.record` bytes
 * is not held, only told too long, and is skipped to its line break so that the lines after it are read; one still
 * without a break past `limits.skipped` is endless and ends the input (/dev/zero has none). A line begun in an earlier
 * chunk is copied; the others are one view of their chunk (what lets reconcile copy them at once).
 */
export async function* lineRuns(
  chunks: AsyncIterable<Uint8Array | string>,
  onBytes?: (n: number) => void,
  limits = LINE_LIMITS,
): AsyncGenerator<LineRun[]> {
  // The unfinished line: its bytes (none once past the limit) and how many were read, dropped ones too.
  let carry: Uint8Array[] = [];
  let read = 0;
  for await (const chunk of chunks) {
    const c =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    onBytes?.(c.length);
    const runs: LineRun[] = [];
    let start = 0;
    const first = c.indexOf(0x0a);
    if (first !== -1) {
      if (read > 0) {
        runs.push(read + first > limits.record ? true : Buffer.concat([...carry, c.subarray(0, first + 1)]));
        start = first + 1;
      }
      const end = c.lastIndexOf(0x0a) + 1;
      // Only a chunk larger than the limit can hold a line too long from end to end.
      if (end - start > limits.record + 1)
        for (let at = start, nl = c.indexOf(0x0a, at); nl !== -1; at = nl + 1, nl = c.indexOf(0x0a, at))
          if (nl - at > limits.record) {
            if (at > start) runs.push(c.subarray(start, at));
            runs.push(true);
            start = nl + 1;
          }
      if (end > start) runs.push(c.subarray(start, end));
      carry = [];
      read = 0;
      start = end;
    }
    if (start < c.length) {
      read += c.length - start;
      if (read > limits.skipped) return yield [...runs, 'endless'];
      if (read <= limits.record) carry.push(Buffer.from(c.subarray(start)));
      else carry = [];
    }
    yield runs;
  }
  if (read > 0) yield [read > limits.record ? true : Buffer.concat(carry)];
}

/** A line's bytes without the CR of a CRLF line break (the LF is cut off already). */
export const stripCr = <T extends Uint8Array>(b: T): T =>
  b.length && b[b.length - 1] === 0x0d ? (b.subarray(0, b.length - 1) as T) : b;

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Keeps a byte-order mark (the text as written, for positions in it). */
const asWritten = new TextDecoder('utf-8', { ignoreBOM: true });

/** The issue of an input larger than {@link MAX_RECORD_BYTES} read as one document. */
export const tooLargeInputIssue = (): Issue =>
  inputIssue(
    'input-too-large',
    `输入超过 ${MAX_RECORD_BYTES} 字节`,
    `The input is larger than ${MAX_RECORD_BYTES} bytes; a declaration is never that large`,
  );

/** An input issue (rule `input`, severity error, about the whole input: no path). */
export function inputIssue(code: string, zh: string, en: string): Issue {
  return { code, severity: 'error', path: '', ruleId: 'input', message: { zh, en } };
}

/**
 * A warning for each key an object of the text gives more than once (`json-duplicate-key`, at the key's path): the last
 * value is read, as JSON.parse reads it, and the others are lost; a platform whose reader keeps the first would send
 * another declaration than the one checked. `value` is what JSON.parse made of the text.
 */
export function duplicateKeyIssues(text: string, value: unknown): Issue[] {
  return duplicateKeys(text, value).map(({ path, count }) => ({
    code: 'json-duplicate-key',
    severity: 'warning',
    path,
    ruleId: 'input',
    message: {
      zh: `字段 ${path} 出现 ${count} 次：读取的是最后一个值，之前的值被忽略；按第一个值读取的系统会看到不同的申报单`,
      en: `${path} is given ${count} times: the last value is read and the others are lost; a reader that keeps the first would see another declaration`,
    },
  }));
}

/** The issue of an input with no declaration in it (nothing, or white space only). */
export const emptyInputIssue = (): Issue => inputIssue('input-empty', '输入为空', 'The input is empty');

/** The issue of a line longer than {@link MAX_RECORD_BYTES}. */
export function tooLargeIssue(line: number): Issue {
  return inputIssue(
    'input-too-large',
    `第 ${line} 行超过 ${MAX_RECORD_BYTES} 字节`,
    `Line ${line} is larger than ${MAX_RECORD_BYTES} bytes; a declaration is never that large`,
  );
}

/** The issue of a line still without a line break past {@link MAX_SKIPPED_LINE_BYTES}: the input is read no further. */
export function endlessLineIssue(line: number): Issue {
  return inputIssue(
    'input-too-large',
    `第 ${line} 行超过 ${MAX_SKIPPED_LINE_BYTES} 字节仍无换行，其后的输入未读`,
    `Line ${line} runs past ${MAX_SKIPPED_LINE_BYTES} bytes without a line break; the input was read no further`,
  );
}

/**
 * `bytes` decoded, or the issue that says where they are not UTF-8 (`at`, in the bytes: line 1 is
 * their first); `line`: the input's line they start on, for the message.
 */
function decode(
  bytes: Uint8Array,
  first: boolean,
  line = 1,
): { text: string } | { issue: Issue; at?: { line: number; column: number } } {
  try {
    let text = decoder.decode(bytes);
    // A UTF-8 byte-order mark is harmless; drop it.
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    const at = notUtf8(bytes);
    const where = at && describeNotUtf8({ ...at, line: line + at.line - 1 });
    return {
      issue: inputIssue(
        'input-encoding',
        `输入不是有效的 UTF-8 文本${where ? `（${where.zh}）` : ''}，请另存为 UTF-8`,
        `The input is not valid UTF-8 text${where ? ` (${where.en})` : ''}; save it as UTF-8`,
      ),
      ...(at && { at: { line: at.line, column: at.column } }),
    };
  }
}

/**
 * Parses JSON text; a syntax error becomes a `json-syntax` issue naming the line and column.
 * `firstLine`: the line of the input the text starts on (an NDJSON line's own number), so the
 * message names the line the user sees in `file:line:column`.
 */
export function parseJsonText(text: string, firstLine = 1): { value: unknown } | { issue: Issue } {
  try {
    const value = JSON.parse(text) as unknown;
    const changed = MAYBE_CHANGED.test(text) ? changedNumberIssue(text, firstLine) : undefined;
    return changed === undefined ? { value } : { issue: changed };
  } catch (e) {
    const msg = messageOf(e);
    let where = '';
    let whereZh = '';
    const pos = jsonErrorOffset(text);
    if (pos >= 0) {
      const { line, column } = lineColumnAt(text, pos);
      where = ` (line ${firstLine + line - 1}, column ${column})`;
      whereZh = `（第 ${firstLine + line - 1} 行第 ${column} 列）`;
    }
    // The usual mix-up: a CEB message (XML) given where a declaration (JSON) is read.
    const xml = /^\s*</.test(text);
    return {
      issue: inputIssue(
        'json-syntax',
        xml
          ? `输入不是有效的 JSON${whereZh}：看起来是 XML。申报数据是使用 CEB 字段名的 JSON；CEB 报文（XML）请用 sandan parse 读取`
          : `输入不是有效的 JSON${whereZh}：${msg}`,
        xml
          ? `The input is not valid JSON${where}: it looks like XML. A declaration is JSON with the CEB field names; read a CEB message (XML) with sandan parse`
          : `The input is not valid JSON${where}: ${msg}`,
      ),
    };
  }
}

/**
 * A number in JSON text that may not be what JSON.parse reads: one with an exponent, or of 16 digits or more. A quick
 * look before the tokens are read one by one (text in a string, `"a:12345678901234567"`, may match too).
 */
const MAYBE_CHANGED = /(?:^|[:,[])[ \t\r\n]*-?(?:\d(?:\.?\d){15}|[\d.]+[eE])/;
const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Whether JSON.parse reads a number token as another value that the model cannot tell from a written one: `1e-400` as
 * 0, `1.00000000000000000001` as 1, `1e400` as Infinity. A value of more than 15 significant digits is left to the
 * model, which refuses it already (an amount: field-format, asking for a string; a text field: field-type).
 */
function isSilentlyChanged(token: string): boolean {
  const n = Number(token);
  if (!Number.isFinite(n)) return true;
  const read = new Dec(String(n));
  return read.sd() <= 15 && !read.eq(new Dec(token));
}

/**
 * The `json-number-changed` issue of the first number of the text (JSON that JSON.parse read) that JSON.parse changed
 * silently (see isSilentlyChanged), at its path; undefined when there is none. A number stays a number: read as
 * text, an ID number given as a JSON number would pass a text field's type check.
 */
function changedNumberIssue(text: string, firstLine: number): Issue | undefined {
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = endOfString(text, i);
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER_TOKEN.lastIndex = i;
      const token = NUMBER_TOKEN.exec(text)![0];
      if (isSilentlyChanged(token)) {
        const { line, column } = lineColumnAt(text, i);
        const at = firstLine + line - 1;
        const read = String(Number(token));
        return {
          ...inputIssue(
            'json-number-changed',
            `第 ${at} 行第 ${column} 列的数字 ${token} 按 JSON 数字读取为 ${read}，与所写不同：请写成字符串（"${token}"）`,
            `The number ${token} (line ${at}, column ${column}) is read from JSON as ${read}, not as written: write it as a string ("${token}")`,
          ),
          path: jsonPathAt(text, i) ?? '',
          actual: token,
        };
      }
      i += token.length;
    } else i++;
  }
  return undefined;
}

/** The record of one line (or a whole document as line 1): value or issue; `first`: the input's first line (a second BOM is dropped there). */
export function recordFromBytes(
  line: number,
  bytes: Uint8Array,
  tooLong: LineTooLong,
  first = line === 1,
): InputRecord {
  return recordAndText(line, bytes, tooLong, first).record;
}

/**
 * The record of {@link recordFromBytes} with the line's text as in the input (a byte-order mark
 * kept), decoded once for both: the CLI locates issues in the text (`file:line:column`). No text
 * when the bytes are too long or not UTF-8 (an issue without a path; `at` tells where the bytes
 * stop being UTF-8, line 1 being the record's first).
 */
export function recordAndText(
  line: number,
  bytes: Uint8Array,
  tooLong: LineTooLong,
  first = line === 1,
): { record: InputRecord; text?: string; at?: { line: number; column: number } } {
  if (tooLong) return { record: { line, issue: tooLong === 'endless' ? endlessLineIssue(line) : tooLargeIssue(line) } };
  const dec = decode(bytes, first, line);
  if ('issue' in dec) return { record: { line, issue: dec.issue }, ...(dec.at && { at: dec.at }) };
  // (Decoding drops byte-order marks; the rare line that starts with one is decoded again as it is.)
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return { record: recordFromText(line, dec.text), text: bom ? asWritten.decode(bytes) : dec.text };
}

/** The record of one line already decoded (a BOM on line 1 already dropped). */
export function recordFromText(line: number, text: string): InputRecord {
  const parsed = parseJsonText(text, line);
  return 'issue' in parsed ? { line, issue: parsed.issue } : { line, value: parsed.value };
}

/**
 * True when the line's text (UTF-8, a byte that is not replaced) is white space as `String.prototype.trim` sees it:
 * such NDJSON lines are skipped, and decide nothing of an input's layout (the one test of both). U+3000 and U+00A0
 * count, and byte-order marks: JSON.parse would refuse a line of them, but a line a reader sees as empty holds no
 * declaration, and reporting it would make an editor's stray full-width space a broken record.
 */
export function isBlankLine(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    // (past ASCII, the text decides; a line of a declaration ends here at its "{")
    return b >= 0x80 && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8').trim() === '';
  }
  return true;
}

/** How an input of declarations is laid out (see {@link inputLayout}). */
interface InputLayout {
  layout: 'ndjson' | 'single';
  /** The input's chunks, whole: those read to decide come first. */
  chunks: AsyncIterable<Uint8Array>;
  /** The first non-blank line as read to decide NDJSON (its number, record and text), so that it is not parsed twice. */
  first?: { line: number; read: ReturnType<typeof recordAndText> };
  /**
   * True when the first line alone is larger than {@link MAX_RECORD_BYTES} (the layout is then `single`): neither a
   * declaration of its own nor part of a document sandan reads. A reader that would read such an input line by line
   * stops instead (/dev/zero has no line break).
   */
  firstLineTooLong?: true;
}

/** Whether the bytes, bad UTF-8 sequences replaced, are one JSON object. */
function isObjectLeniently(bytes: Uint8Array): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    return isRecord(v);
  } catch {
    return false;
  }
}

/**
 * Tells NDJSON from one (possibly pretty-printed) JSON document by the input's first non-blank
 * line: NDJSON when it is a JSON value on its own (or an object but for a byte that is not UTF-8)
 * and another non-blank line follows, else one document. Every reader of declarations decides so (the CLI's readRecords, reconcileFiles).
 * `ndjson` forces NDJSON (a `.ndjson` file, `--ndjson`). Reads only as far as it must.
 */
export async function inputLayout(chunks: AsyncIterable<Uint8Array>, ndjson = false): Promise<InputLayout> {
  const it = chunks[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  const whole = (): AsyncIterable<Uint8Array> => ({
    async *[Symbol.asyncIterator]() {
      try {
        yield* head;
        for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
      } finally {
        // A reader that stops early (readDocument past the limit) closes the input: a stream is destroyed, not left open.
        await it.return?.();
      }
    },
  });
  if (ndjson) return { layout: 'ndjson', chunks: whole() };
  // The line being read (its parts, joined only at its end: a long line is not copied chunk after chunk).
  let parts: Uint8Array[] = [];
  let size = 0;
  let line = 1;
  let first: InputLayout['first'];
  // What `head` holds. Blank lines decide nothing, so an input of them alone (`yes ''`) is held only up to the limit:
  // before a first line, as one document (refused there, being too large); after one, as NDJSON, which reads the
  // rest line by line in bounded memory and finds the same one record if all that follows is blank.
  let held = 0;
  for (;;) {
    const n = await it.next();
    if (n.done) return { layout: 'single', chunks: whole() };
    const c = n.value;
    head.push(c);
    held += c.length;
    let pos = 0;
    if (!first) {
      for (let nl = c.indexOf(0x0a); nl !== -1 && !first; nl = c.indexOf(0x0a, pos)) {
        parts.push(c.subarray(pos, nl));
        pos = nl + 1;
        const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        parts = [];
        size = 0;
        // Too long, even if blank: no declaration of its own (read the input whole, and refuse it there).
        if (all.length > MAX_RECORD_BYTES) return { layout: 'single', chunks: whole(), firstLineTooLong: true };
        const bytes = stripCr(all);
        if (isBlankLine(bytes)) {
          line++;
          continue;
        }
        const read = recordAndText(line, bytes, false);
        // Not a value on its own: one document, pretty-printed (or broken). A line whose only fault is a byte that
        // is not UTF-8 but that is an object when decoded leniently is an NDJSON record: that line is lost, not the rest.
        if (read.record.issue && !(read.record.issue.code === 'input-encoding' && isObjectLeniently(bytes)))
          return { layout: 'single', chunks: whole() };
        first = { line, read };
      }
      if (!first) {
        const rest = c.subarray(pos);
        size += rest.length;
        // A first line this long is no declaration of its own: read the input whole (and refuse it there).
        if (size > MAX_RECORD_BYTES) return { layout: 'single', chunks: whole(), firstLineTooLong: true };
        parts.push(rest);
        if (held > MAX_RECORD_BYTES) return { layout: 'single', chunks: whole() };
        continue;
      }
    }
    // Anything but white space after the first line makes it NDJSON.
    if (held > MAX_RECORD_BYTES || !isBlankLine(c.subarray(pos))) return { layout: 'ndjson', chunks: whole(), first };
  }
}

/**
 * The one document of an input laid out `single`: parsed whole (up to {@link MAX_RECORD_BYTES}),
 * an empty input told as such. A JSON array is not a declaration (one per file, or NDJSON for
 * many) and is told so, unless `arrays` (a message built from several documents).
 */
export async function readDocument(
  chunks: AsyncIterable<Uint8Array>,
  opts: { arrays?: boolean; onBytes?: (n: number) => void } = {},
): Promise<ReturnType<typeof recordAndText>> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const c of chunks) {
    opts.onBytes?.(c.length);
    size += c.length;
    // Past the limit the answer is known: stop (reading on to count the bytes never ended on /dev/zero).
    if (size > MAX_RECORD_BYTES) break;
    parts.push(c);
  }
  if (size > MAX_RECORD_BYTES) return { record: { line: 1, issue: tooLargeInputIssue() } };
  const all = Buffer.concat(parts);
  // (blank as a line of NDJSON is: white space, after a byte-order mark if any)
  if (isBlankLine(all)) return { record: { line: 1, issue: emptyInputIssue() } };
  const read = recordAndText(1, all, false);
  if (!opts.arrays && Array.isArray(read.record.value))
    return {
      record: {
        line: 1,
        issue: inputIssue(
          'input-array',
          `输入是 JSON 数组（${read.record.value.length} 项）：一个 JSON 文件放一份申报单；多份申报单请用 NDJSON（每行一份），例如 jq -c '.[]' FILE.json > FILE.ndjson`,
          `The input is a JSON array (${read.record.value.length} ${read.record.value.length === 1 ? 'item' : 'items'}): a JSON file holds one declaration; give many as NDJSON, one per line, e.g. jq -c '.[]' FILE.json > FILE.ndjson`,
        ),
      },
      ...(read.text !== undefined && { text: read.text }),
    };
  return read;
}
