import { createReadStream } from 'node:fs';
import { sep } from 'node:path';
import { Readable } from 'node:stream';
import { SandanError } from '../errors.js';
import { filesNamedBy, readInputFile, statInputFile, statOrUndefined, unreadableFile } from '../io/walk.js';
import { emptyInputIssue, inputLayout, readDocument, recordAndText, type InputRecord } from '../model/json-input.js';
import type { Issue } from '../model/issue.js';
import { byteLines, holdsRecord } from '../rules/stream.js';
import { xmlTooLarge } from '../xml/safety.js';
import { STDIN_LABEL } from './formats/report.js';

/**
 * The bytes of an XML message in a file or on standard input (`-`), refused with `XML_TOO_LARGE` past `max` bytes:
 * a file by its size before it is read (the message gives it), and any input no further than the limit (standard
 * input has no size, a device such as /dev/zero none either, and a file may grow after its stat).
 */
export async function readXmlInput(file: string, stdin: Readable, max: number): Promise<Buffer> {
  if (file === '-') {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of stdin as AsyncIterable<Buffer>) {
      size += chunk.length;
      // Stop holding an oversized input: its size is not known, only that it passed the limit.
      if (size > max) throw xmlTooLarge(max);
      parts.push(Buffer.from(chunk));
    }
    return Buffer.concat(parts);
  }
  const { size } = await statInputFile(file);
  if (size > max) throw xmlTooLarge(max, size);
  const bytes = await readInputFile(file, undefined, max);
  if (bytes === undefined) throw xmlTooLarge(max);
  return bytes;
}

/** Opens a path or `-` (standard input); an unreadable file is a SandanError (exit 2). */
export async function openInput(path: string, stdin: Readable): Promise<Readable> {
  if (path === '-') return stdin;
  await statInputFile(path);
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('readable', () => resolve());
    stream.once('error', (e) => reject(unreadableFile(path, e)));
  });
  return stream;
}

/** Files up to this size are read whole, ahead of their turn (see {@link openInputs}). */
const READ_AHEAD_BYTES = 1024 * 1024;
/** How many such files are read ahead. */
const READ_AHEAD_FILES = 8;

/**
 * Each of `items` in turn with the bytes of its file (`pathOf`) read ahead, up to 8 files of at most 1 MiB: a folder
 * of small files otherwise waits on a file system round trip for each. `bytes` is undefined for an item with no
 * path; it gives undefined for a file larger than 1 MiB (read it at its turn), and fails with
 * {@link readInputFile}'s error, met at the item's turn.
 */
export async function* readAhead<T>(
  items: readonly T[],
  pathOf: (item: T) => string | undefined,
): AsyncGenerator<{ item: T; bytes: Promise<Buffer | undefined> | undefined }> {
  const ahead = new Map<number, Promise<Buffer | undefined>>();
  let next = 0;
  for (let i = 0; i < items.length; i++) {
    for (next = Math.max(next, i); next < items.length && next < i + READ_AHEAD_FILES; next++) {
      const path = pathOf(items[next]!);
      if (path === undefined) continue;
      // (io's one reader: a missing file, a folder or no permission fails as openInput says it;
      // a file that has grown past the limit since it was listed comes back undefined)
      const read = readInputFile(path, undefined, READ_AHEAD_BYTES);
      // (its failure is the file's, told at its turn)
      read.catch(() => undefined);
      ahead.set(next, read);
    }
    const bytes = ahead.get(i);
    ahead.delete(i);
    yield { item: items[i]!, bytes };
  }
}

/**
 * Opens each input in turn, as {@link openInput} does, with the small files (≤ 1 MiB, most
 * declarations) read whole up to 8 ahead ({@link readAhead}): 41 % of `sandan validate` over 2,000
 * files was idle. A file that cannot be read (`FILE_UNREADABLE`: found so by the walk, or failing to
 * open) is given to `onUnreadable` at its turn and passed over when it is given, else it fails there;
 * memory stays within 8 MiB ahead, even when a file grows between listing and reading (it is then streamed).
 */
export async function* openInputs(
  inputs: readonly InputFile[],
  stdin: Readable,
  onUnreadable?: (input: InputFile, error: SandanError) => void,
): AsyncGenerator<{ input: InputFile; stream: Readable }> {
  const small = (f: InputFile) => f.path !== '-' && f.size !== undefined && f.size <= READ_AHEAD_BYTES;
  for await (const { item: input, bytes: read } of readAhead(inputs, (f) => (small(f) ? f.path : undefined))) {
    let stream: Readable;
    try {
      if (input.unreadable) throw input.unreadable;
      const bytes = read && (await read);
      // (an empty file gives no chunk at all, as its stream would; one that has grown is streamed after all)
      stream = bytes ? Readable.from(bytes.length ? [bytes] : []) : await openInput(input.path, stdin);
    } catch (e) {
      if (!onUnreadable || !(e instanceof SandanError && e.code === 'FILE_UNREADABLE')) throw e;
      onUnreadable(input, e);
      continue;
    }
    yield { input, stream };
  }
}

/** A declaration's record as validate and tax report it (from {@link readRecords}), or the place alone of a file not read. */
export interface ReportedRecord {
  mode: 'single' | 'ndjson';
  line: number;
  issue?: Issue | undefined;
  text?: string;
  value?: unknown;
  at?: { line: number; column: number };
}

/**
 * Reads declarations from a stream: one JSON document (possibly pretty-printed) or NDJSON
 * (one per line, streamed in constant memory), as {@link inputLayout} tells them apart. `mode`
 * tells which was found. A JSON array is told to be one (a file holds one declaration) unless
 * `arrays` (build: an array builds one message of several documents).
 */
export async function* readRecords(
  stream: Readable,
  opts: { ndjson?: boolean; arrays?: boolean; onBytes?: (n: number) => void } = {},
): AsyncGenerator<InputRecord & { mode: 'single' | 'ndjson'; text?: string; at?: { line: number; column: number } }> {
  const { layout, chunks, first } = await inputLayout(stream as AsyncIterable<Buffer>, opts.ndjson);
  if (layout === 'ndjson') {
    let records = 0;
    for await (const l of byteLines(chunks as AsyncIterable<Buffer>, opts.onBytes)) {
      if (!holdsRecord(l)) continue;
      records++;
      // The line's text, kept only to locate issues in it (`file:line:column`); the line that decided the layout is not parsed again.
      const { record, text, at } = l.line === first?.line ? first.read : recordAndText(l.line, l.bytes, l.tooLong);
      yield { ...record, mode: 'ndjson' as const, ...(text !== undefined && { text }), ...(at && { at }) };
    }
    // An empty .ndjson file is an empty input, as an empty .json file is: not a run that checked nothing and passed.
    if (records === 0) yield { line: 1, issue: emptyInputIssue(), mode: 'ndjson' as const };
    return;
  }
  const { record, text, at } = await readDocument(chunks, {
    ...(opts.arrays && { arrays: true }),
    ...(opts.onBytes && { onBytes: opts.onBytes }),
  });
  yield { ...record, mode: 'single', ...(text !== undefined && { text }), ...(at && { at }) };
}

/** One input of a command: a file, or `-` for standard input. */
export interface InputFile {
  /** What to open: a path or `-`. */
  path: string;
  /** How reports name it: the path as found (relative when given relative), `<stdin>` for `-`. */
  label: string;
  /** Size in bytes when known (for the progress bar). */
  size?: number;
  /** True for `.ndjson`/`.jsonl` files: one declaration per line even when there is one line. */
  ndjson: boolean;
  /**
   * Why it cannot be read, found while walking its folder (a broken symbolic link, a link loop, a
   * folder that cannot be listed): the input fails with it at its turn, as an unreadable file does.
   */
  unreadable?: SandanError;
}

const DECLARATION_FILE = /\.(json|ndjson|jsonl)$/i;
const NDJSON_FILE = /\.(ndjson|jsonl)$/i;
const GLOB = /[*?[{]/;

/**
 * One step of a glob: one character it takes, `*` (a run within a name), `**` (any run), `**\/` (whole folders), or
 * `{a,b}` (the steps of each alternative).
 */
type GlobPart = ((c: string) => boolean) | 'star' | 'any' | 'folders' | GlobPart[][];

function globParts(pattern: string, inBraces = false): GlobPart[] {
  const parts: GlobPart[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const close = c === '[' ? pattern.indexOf(']', i + 1) : c === '{' && !inBraces ? pattern.indexOf('}', i) : -1;
    if (c === '*' && pattern[i + 1] === '*' && !inBraces) {
      const slash = pattern[i + 2] === '/';
      parts.push(slash ? 'folders' : 'any');
      i += slash ? 2 : 1;
    } else if (c === '*') parts.push('star');
    else if (c === '?') parts.push((x) => x !== '/');
    else if (close !== -1 && c === '{') {
      parts.push(
        pattern
          .slice(i + 1, close)
          .split(',')
          .map((a) => globParts(a, true)),
      );
      i = close;
    } else if (close !== -1) {
      const set = pattern.slice(i + 1, close);
      // `[^…]` negates as `[!…]` does: bash reads it so, and so did the regular expression sandan matched globs with before.
      const not = set.startsWith('!') || set.startsWith('^');
      const has = (x: string) => {
        for (let k = not ? 1 : 0; k < set.length; k++) {
          const range = set[k + 1] === '-' && k + 2 < set.length;
          if (range ? set[k]! <= x && x <= set[k + 2]! : set[k] === x) return true;
          if (range) k += 2;
        }
        return false;
      };
      parts.push((x) => x !== '/' && has(x) !== not);
      i = close;
    } else parts.push((x) => x === c);
  }
  return parts;
}

/**
 * For each start in `s`, 1 when `parts` then what `after` marks match from there. Each part is one pass over `s`, so
 * a match costs steps × length: as a backtracking regular expression, `*a*a*a*a*.json` took seconds over a name of
 * 120 characters and minutes over one of 240.
 */
function globRun(parts: readonly GlobPart[], s: string, after: Uint8Array): Uint8Array {
  let next = after;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    const cur = new Uint8Array(s.length + 1);
    if (Array.isArray(p))
      for (const alternative of p) {
        const m = globRun(alternative, s, next);
        for (let j = 0; j <= s.length; j++) cur[j]! |= m[j]!;
      }
    else
      for (let j = s.length, slash = -1; j >= 0; j--) {
        const c = s[j];
        if (c === '/') slash = j;
        cur[j] =
          p === 'star'
            ? next[j]! | (c !== undefined && c !== '/' ? cur[j + 1]! : 0)
            : p === 'any'
              ? next[j]! | (c !== undefined ? cur[j + 1]! : 0)
              : p === 'folders'
                ? next[j]! | (slash !== -1 ? cur[slash + 1]! : 0)
                : c !== undefined && p(c)
                  ? next[j + 1]!
                  : 0;
      }
    next = cur;
  }
  return next;
}

/**
 * Whether a `/`-separated path matches a glob (`*`, `**`, `?`, `[…]`, `[!…]` or `[^…]`, `{a,b}`). Written here, not taken from
 * picomatch or minimatch: both compile to a backtracking regular expression and took 15 s for `*a*a*a*a*a*.json` over a
 * name of 120 characters (picomatch 4.0, minimatch 10, measured 2026-12-06), as sandan's own did.
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  const parts = globParts(pattern);
  return (path) => {
    const end = new Uint8Array(path.length + 1);
    end[path.length] = 1;
    return globRun(parts, path, end)[0] === 1;
  };
}

/** An argument with `*`, `?`, `[…]` or `{…}` the shell did not expand: the folder to walk and the files it names. */
function globPattern(arg: string): { base: string; matches: (path: string) => boolean } | undefined {
  if (!GLOB.test(arg)) return undefined;
  const posix = arg.split(sep).join('/');
  const segments = posix.split('/');
  const firstGlob = segments.findIndex((s) => GLOB.test(s));
  const base = segments.slice(0, firstGlob).join('/') || '.';
  const match = globMatcher(posix.startsWith('./') ? posix.slice(2) : posix);
  return { base, matches: (f) => match(f.split(sep).join('/')) };
}

/**
 * The inputs a `validate` or `tax` command line names: its files, or standard input when it names none. None named
 * while standard input is a terminal is refused rather than read: the command would wait in silence for a
 * declaration typed in, where a new user meant to name a file (`-` still reads the terminal).
 */
export function inputArgs(files: string | readonly string[], command: string, stdinIsTTY: boolean | undefined) {
  const named = typeof files === 'string' ? [files] : files;
  if (named.length > 0) return named;
  if (stdinIsTTY)
    throw new SandanError(
      'INVALID_OPTION',
      `${command}: no file named, and standard input is a terminal: name a declaration file or folder (sandan ${command} order.json), or pipe the declarations in (- reads the terminal)`,
      { details: { option: 'files', stdin: 'terminal' } },
    );
  return ['-'];
}

/**
 * The files that command-line arguments name: files as given, folders walked for `.json`,
 * `.ndjson` (and `.jsonl`) files, globs expanded (for shells that did not), `-` for standard
 * input. An argument that names nothing is a SandanError (exit 2); with `errorOnUnmatched` false (the commands'
 * `--no-error-on-unmatched-pattern`, as ESLint's and Prettier's) a folder with no declaration file, or a pattern that
 * matches none, names no file instead (a file named that is not there is still refused).
 */
export async function expandInputs(
  args: readonly string[],
  { errorOnUnmatched = true }: { errorOnUnmatched?: boolean } = {},
): Promise<InputFile[]> {
  // (filesNamedBy reads each argument as status does: a file named twice is read once, where it came first)
  const files = await filesNamedBy(args, {
    wanted: (f) => DECLARATION_FILE.test(f),
    skip: (name) => name.startsWith('.') || name === 'node_modules',
    // (a broken link or a loop is told whatever its name: it may have been a folder of declarations)
    unreadable: 'list',
    stdin: true,
    pattern: globPattern,
    ...(errorOnUnmatched && { refuseEmpty: 'declaration files (.json, .ndjson, .jsonl)' }),
  });
  const out: InputFile[] = [];
  for (const { path, unreadable } of files) {
    if (path === '-') {
      out.push({ path: '-', label: STDIN_LABEL, ndjson: false });
      continue;
    }
    // (a file gone since its folder was read has no size; it fails at its turn, as any unreadable file)
    const size = unreadable ? undefined : (await statOrUndefined(path))?.size;
    out.push({
      path,
      label: sep === '/' ? path : path.split(sep).join('/'),
      ...(size !== undefined && { size }),
      ndjson: NDJSON_FILE.test(path),
      ...(unreadable && { unreadable }),
    });
  }
  return out;
}
