import { closeSync, constants, openSync, statSync, type Dirent, type Stats } from 'node:fs';
import { lstat, open, readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { SandanError, messageOf, oneLine } from '../errors.js';

/*
 * The file-system edge shared by everything that reads a path the user named (the CLI, the
 * reconciliation's file inputs, the signers' key files): the folder walker, and the one way a path
 * that cannot be read is told: a SandanError `FILE_UNREADABLE` (the CLI exits 2 on it and adds its
 * hint), `Cannot read [WHAT ]PATH: REASON` with REASON `no such file`, `it is a directory`,
 * `permission denied`, or else the system's own message.
 */

/**
 * The files under a folder, depth first in name order (byte order of the names, so the same on
 * every machine); entries whose name `skip` accepts are left out, folders with all they hold.
 *
 * Symbolic links are followed as the user's shell sees them: a link to a file is that file (under
 * the link's path), a link to a folder is walked as a folder, in the link name's place in the order.
 * What cannot be walked is never left out silently: a broken link, a link that leads back to a
 * folder it lies in (a loop) and a folder that cannot be listed are each a {@link unreadableFile}
 * refusal (`Cannot read PATH: a broken symbolic link (to TARGET)`, `… a symbolic link loop (it
 * leads back to DIR)`), given to `onUnreadable` with its path at its place in the order when given (the walk
 * goes on), else thrown.
 */
export async function* filesUnder(
  dir: string,
  skip: (name: string) => boolean = () => false,
  onUnreadable?: (path: string, error: SandanError) => void,
): AsyncGenerator<string> {
  const report = (path: string, error: SandanError) => {
    if (!onUnreadable) throw error;
    onUnreadable(path, error);
  };
  const top = await realOrReport(dir, report);
  if (top === undefined) return;
  yield* walkFolder(dir, [{ real: top, shown: dir }], skip, report);
}

/** A folder being walked: its real path (links resolved), and its path as the walk shows it. */
interface Walked {
  real: string;
  shown: string;
}

async function* walkFolder(
  dir: string,
  ancestors: readonly Walked[],
  skip: (name: string) => boolean,
  report: (path: string, error: SandanError) => void,
): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    report(dir, unreadableFile(dir, e));
    return;
  }
  // By code units, as compareCodeUnits (model/guards.ts) orders, which io, below model, cannot import.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (skip(e.name)) continue;
    const path = join(dir, e.name);
    // A name that is not UTF-8 (GBK, from an archive made on Windows) is read with U+FFFD for its bytes: a path that
    // names no file, which every reader refused as "no such file".
    if (e.name.includes('\uFFFD') && (await lstat(path).catch(() => undefined)) === undefined) {
      report(path, refusal(path, NOT_UTF8, undefined));
      continue;
    }
    let isDirectory = e.isDirectory();
    let isFile = e.isFile();
    // A link, or an entry whose kind the file system did not say: what it leads to decides.
    if (
      e.isSymbolicLink() ||
      !(isDirectory || isFile || e.isFIFO() || e.isSocket() || e.isCharacterDevice() || e.isBlockDevice())
    ) {
      let target: Stats;
      try {
        target = await stat(path);
      } catch (error) {
        report(path, await brokenLink(path, error));
        continue;
      }
      isDirectory = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDirectory) {
      const real = await realOrReport(path, report);
      if (real === undefined) continue;
      const loop = ancestors.find((a) => a.real === real);
      if (loop) {
        report(path, refusal(path, `a symbolic link loop (it leads back to ${loop.shown})`, undefined));
        continue;
      }
      yield* walkFolder(path, [...ancestors, { real, shown: path }], skip, report);
    } else if (isFile) yield path;
  }
}

/** The real path of a folder (links resolved), or undefined when it cannot be read, which is reported. */
const realOrReport = (path: string, report: (path: string, error: SandanError) => void): Promise<string | undefined> =>
  realpath(path).catch((e: unknown) => void report(path, unreadableFile(path, e)));

/** The refusal of a link whose target cannot be reached: broken (its target is missing), else the system's reason. */
async function brokenLink(path: string, error: unknown): Promise<SandanError> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ENOENT' && code !== 'ENOTDIR') return unreadableFile(path, error);
  const target = await readlink(path).catch(() => undefined);
  return refusal(path, `a broken symbolic link${target === undefined ? '' : ` (to ${target})`}`, undefined, error);
}

const DIRECTORY = 'it is a directory';
const NOT_UTF8 = 'its name is not UTF-8 (e.g. GBK, from an archive made on Windows): rename it to UTF-8 to read it';

/** Why a path could not be read, in words, from the error the file system gave. */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // ENOTDIR: a part of the path is a file (`a.json/b.json`), so there is no such file either.
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
  if (code === 'EISDIR') return DIRECTORY;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'a symbolic link loop';
  return messageOf(error);
}

/**
 * The error for a path that cannot be read: `FILE_UNREADABLE`, `Cannot read [what ]path: reason`,
 * with the path in `details.file`. `what` names the kind of file when the path alone does not
 * (`ruleset`, `key`, `certificate`), and is kept in `details.what`.
 */
export function unreadableFile(path: string, cause: unknown, what?: string): SandanError {
  const reason = reasonOf(cause);
  // A path written on Windows (a configuration shared with Linux CI, a path pasted from Explorer) names one file here.
  const windows = reason === 'no such file' && sep === '/' && path.includes('\\');
  return refusal(
    path,
    windows ? `${reason} (here \\ is part of a file name, not a folder separator: write /)` : reason,
    what,
    cause,
  );
}

/** A file refused for holding more than `limit` bytes (a whole number of MiB), in the shape of {@link unreadableFile}. */
export function tooLargeFile(path: string, limit: number, what?: string): SandanError {
  return refusal(path, `larger than ${limit / (1 << 20)} MiB`, what);
}

function refusal(path: string, reason: string, what: string | undefined, cause?: unknown): SandanError {
  // (the path on one line: a name may hold a line break or a terminal escape; details.file keeps it as it is)
  return new SandanError('FILE_UNREADABLE', `Cannot read ${what ? `${what} ` : ''}${oneLine(path)}: ${reason}`, {
    cause,
    details: { file: path, ...(what !== undefined && { what }) },
  });
}

/**
 * The bytes of a file the user named; a missing, unreadable or folder path is {@link unreadableFile}.
 * With `upTo`: undefined when the file holds more than that many bytes. It is read no further than
 * one byte past the limit, so a file that has grown since it was listed never fills memory.
 */
export async function readInputFile(path: string, what?: string): Promise<Buffer>;
export async function readInputFile(path: string, what: string | undefined, upTo: number): Promise<Buffer | undefined>;
export async function readInputFile(path: string, what?: string, upTo?: number): Promise<Buffer | undefined> {
  reading.set(path, (reading.get(path) ?? 0) + 1);
  try {
    return upTo === undefined ? await readFile(path) : await readUpTo(path, upTo);
  } catch (e) {
    throw unreadableFile(path, e, what);
  } finally {
    const n = reading.get(path)! - 1;
    if (n === 0) reading.delete(path);
    else reading.set(path, n);
  }
}

/** The paths {@link readInputFile} is reading now, with how many reads of each. */
const reading = new Map<string, number>();

/**
 * Lets every read of a named pipe that waits for a writer end: each such FIFO is opened for writing and closed at once,
 * so the waiting open returns and its read sees the end. For a process stopping on a signal: the read's open waits in
 * a libuv thread, which exit waits for, so `sandan validate --rates FIFO` with no writer outlived Ctrl-C.
 */
export function releaseWaitingReads(): void {
  for (const path of reading.keys()) {
    try {
      if (statSync(path).isFIFO()) closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // (no reader waits on it any more, ENXIO, or it is gone: nothing holds the exit)
    }
  }
}

/**
 * Reads a plain file as {@link readInputFile} with `upTo` does, refusing anything else by the descriptor it opened:
 * `Cannot read WHAT PATH: it is not a plain file (a FIFO)` (or a device, a socket; a folder: `it is a directory`). For
 * a path another process may swap between a look at its folder and the read: it is opened without waiting
 * (O_NONBLOCK), so a FIFO put in its place does not block the read for ever waiting for a writer.
 */
export async function readPlainFileUpTo(
  path: string,
  what: string | undefined,
  upTo: number,
): Promise<Buffer | undefined> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    // (O_NONBLOCK is 0 where the system has none, Windows, which has no FIFO in a folder either)
    file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw unreadableFile(path, e, what);
  }
  try {
    const stats = await file.stat();
    if (stats.isDirectory()) throw refusal(path, DIRECTORY, what);
    if (!stats.isFile())
      throw refusal(
        path,
        `it is not a plain file (${stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'a device'})`,
        what,
      );
    return await readOpenUpTo(file, upTo);
  } catch (e) {
    throw e instanceof SandanError ? e : unreadableFile(path, e, what);
  } finally {
    await file.close();
  }
}

async function readUpTo(path: string, limit: number): Promise<Buffer | undefined> {
  const file = await open(path, 'r');
  try {
    return await readOpenUpTo(file, limit);
  } finally {
    await file.close();
  }
}

/** At most `limit` bytes of an open file, or undefined when it holds more. */
async function readOpenUpTo(file: Awaited<ReturnType<typeof open>>, limit: number): Promise<Buffer | undefined> {
  const stats = await file.stat();
  // (a folder is read, to fail as readFile fails on it)
  if (stats.isFile() && stats.size > limit) return undefined;
  // Sized as the file is now, plus the byte that tells it has grown past the limit (/dev/zero has no end).
  let buf = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
  for (let n = 0; ; ) {
    if (n === buf.length) {
      if (n > limit) return undefined;
      const bigger = Buffer.allocUnsafe(Math.min(2 * buf.length, limit + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const { bytesRead } = await file.read(buf, n, buf.length - n, null);
    if (bytesRead === 0) return buf.subarray(0, n);
    n += bytesRead;
  }
}

/** The stats of a path that exists, a file or a folder; else {@link unreadableFile}. */
export async function statInputPath(path: string, what?: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e) {
    throw unreadableFile(path, e, what);
  }
}

/** The stats of a file (a folder is refused: `Cannot read PATH: it is a directory`); else {@link unreadableFile}. */
export async function statInputFile(path: string, what?: string): Promise<Stats> {
  const st = await statInputPath(path, what);
  if (st.isDirectory()) throw refusal(path, DIRECTORY, what);
  return st;
}

/** A file that command-line arguments name: its path, with the reason it cannot be read when its folder's walk found one. */
interface NamedFile {
  path: string;
  unreadable?: SandanError;
}

/** How {@link filesNamedBy} reads its arguments. */
interface FilesNamedOptions {
  /** The files a folder's walk lists, by path (e.g. by extension). */
  wanted: (path: string) => boolean;
  /** Entries a folder's walk leaves out, by name (see {@link filesUnder}). */
  skip?: (name: string) => boolean;
  /**
   * What a walk cannot read (see {@link filesUnder}): `'list'` lists it with its error (the caller fails on it at its
   * turn), a function hears it; else it is thrown.
   */
  unreadable?: 'list' | ((path: string, error: SandanError) => void);
  /** `-` is standard input: listed as it is, each time, not looked up. */
  stdin?: boolean;
  /**
   * An argument that is no file or folder, as a pattern the shell did not expand: the folder to walk and which of its
   * files it names; undefined when it is none (it is then a missing file).
   */
  pattern?: (arg: string) => { base: string; matches: (path: string) => boolean } | undefined;
  /**
   * The files a folder must hold, in words (`declaration files (.json, .ndjson, .jsonl)`): a folder with none of them, or a pattern that
   * matches no file, is refused (`FILE_UNREADABLE`). By what the argument named, listed before or not: a folder whose
   * files another argument named first is not empty.
   */
  refuseEmpty?: string;
}

/**
 * A folder or pattern that named no file (`details.nothingFound`): a run over it would check nothing, which in CI is
 * nearly always a wrong path or a step that has not made the files yet, so it is refused rather than passed.
 */
const nothingFound = (message: string) =>
  new SandanError('FILE_UNREADABLE', message, { details: { nothingFound: true } });

/** A path as the user gave it, with where that is when it is relative (CI runs in a working directory not shown). */
const placeOf = (path: string) => (isAbsolute(path) ? path : `${path} (${resolve(path)})`);

/** The path's stat, or undefined when it cannot be had (no such file, permission denied). */
export async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/**
 * The files command-line arguments name, each argument in turn: a file as given, a folder walked ({@link filesUnder},
 * depth first in name order, symbolic links followed) for the files `wanted`. A file named twice (`x.json ./x.json`, a
 * folder and a file in it) is listed once, where it came first, by its absolute path as written (links are not
 * resolved: two links to one file are two names). An argument that is nothing is {@link unreadableFile}. The one
 * expansion of the commands that read files and folders (validate, tax, status, reconcile), so that they agree.
 */
export async function filesNamedBy(args: readonly string[], opts: FilesNamedOptions): Promise<NamedFile[]> {
  const out: NamedFile[] = [];
  const seen = new Set<string>();
  // What the current argument named, listed before or not.
  let named = 0;
  const add = (path: string, unreadable?: SandanError) => {
    named++;
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ path, ...(unreadable && { unreadable }) });
  };
  const { unreadable } = opts;
  const onUnreadable = unreadable === 'list' ? (path: string, e: SandanError) => add(path, e) : unreadable;
  for (const arg of args) {
    if (opts.stdin && arg === '-') {
      out.push({ path: '-' });
      continue;
    }
    named = 0;
    const st = await statOrUndefined(arg);
    const pattern = st ? undefined : opts.pattern?.(arg);
    if (st?.isDirectory()) {
      for await (const f of filesUnder(arg, opts.skip, onUnreadable)) if (opts.wanted(f)) add(f);
      if (named === 0 && opts.refuseEmpty !== undefined)
        throw nothingFound(`no ${opts.refuseEmpty} found in the folder ${placeOf(arg)} or its subfolders`);
    } else if (pattern) {
      const { base, matches } = pattern;
      const walked = (await statOrUndefined(base)) !== undefined;
      if (walked) {
        // (what the walk cannot read is told when the pattern names it, as a shell's glob would list it)
        const told =
          onUnreadable &&
          ((path: string, e: SandanError) => {
            if (matches(path)) onUnreadable(path, e);
          });
        for await (const f of filesUnder(base, opts.skip, told)) if (matches(f)) add(f);
      }
      if (named === 0 && opts.refuseEmpty !== undefined)
        throw nothingFound(
          `no files match ${arg}: ${walked ? `looked in ${placeOf(base)}` : `there is no folder ${placeOf(base)}`}`,
        );
    } else {
      // Not a folder or a pattern: a file, or stat it again for the reason (no such file, permission denied).
      if (!st) await statInputPath(arg);
      add(arg);
    }
  }
  return out;
}
