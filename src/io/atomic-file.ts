import { randomBytes } from 'node:crypto';
import { rmSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { diskTrouble, SandanError, messageOf } from '../errors.js';

/*
 * Files written whole or not at all (the CLI's output files, the emulator's receipts): the bytes
 * go to a temporary file in the target's directory (same file system, so the rename is atomic),
 * `<target>.<random>.tmp` or, hidden, `.<target>.<random>.tmp`, which is synced and renamed over
 * the target once complete. Until then the target is untouched; on an error or abort() the
 * temporary file is removed, and on a signal too when a clean-up registry is given (the CLI's:
 * src/cli/atomic-file.ts; a library gives none, it must not touch the process's signals), so an
 * interrupted run never leaves a truncated file that looks complete. Only a kill -9 or a crash
 * can leave the temporary file behind: {@link isAtomicTempName} recognises it.
 */

/** Where undo actions are registered for a signal (the CLI's CleanupRegistry is one). */
export interface UndoRegistry {
  /** Registers a synchronous undo; the returned function unregisters it. */
  add(undo: () => void): () => void;
}

/** Options of {@link AtomicFile.open}. */
export interface AtomicFileOptions {
  /** Where the temporary file's removal is registered for signals (default: nowhere). */
  cleanup?: UndoRegistry | undefined;
  /**
   * A hidden temporary name, `.<name>.<random>.tmp`, so that a reader matching `*.xml*` or
   * skipping dot-files never takes it for the file (default: `<name>.<random>.tmp`).
   */
  hiddenTemp?: boolean | undefined;
  /** Sync the file and its directory to disk (default true); false for files that may be lost in a crash. */
  sync?: boolean | undefined;
}

/** The temporary name of `path` (in its directory). */
function tempNameOf(path: string, hidden: boolean): string {
  const random = randomBytes(6).toString('hex');
  return hidden ? join(dirname(path), `.${basename(path)}.${random}.tmp`) : `${path}.${random}.tmp`;
}

/** Whether a file name is an {@link AtomicFile}'s temporary name (hidden ones only with `hidden`), e.g. one a kill -9 left. */
export function isAtomicTempName(name: string, options: { hidden: boolean }): boolean {
  return (options.hidden ? /^\..+\.[0-9a-f]{12}\.tmp$/ : /^[^.].*\.[0-9a-f]{12}\.tmp$/).test(name);
}

/**
 * `Cannot write TARGET: why`. The system's message names the file it was writing, the temporary one (`open
 * 'out.csv.9e2af1b41c09.tmp'`), which the user never named: the target is named in its place.
 */
function writeError(target: string, e: unknown, temp?: string): SandanError {
  const said = messageOf(e);
  const at = temp === undefined ? -1 : said.lastIndexOf(` '${temp}'`);
  const why = at < 0 ? said : `${said.slice(0, at)} '${target}'`;
  return new SandanError('FILE_UNREADABLE', `Cannot write ${target}: ${why}`, {
    cause: e,
    details: { file: target, access: 'write', ...diskTrouble(e) },
  });
}

/**
 * Makes a folder with the folders above it (mkdir -p), or throws the write error `Cannot write DIR: …`
 * (`FILE_UNREADABLE`, like a file that cannot be written): a file where the folder or one above it
 * should be is said in words, not as the system's EEXIST or ENOTDIR.
 */
export async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw writeError(dir, e);
    throw new SandanError('FILE_UNREADABLE', `Cannot write ${dir}: it or a folder above it is a file, not a folder`, {
      cause: e,
      details: { file: dir, access: 'write' },
    });
  }
}

/**
 * Refuses a target that is a symbolic link naming no file. Renamed over, the link the user made was lost for a file;
 * followed, a file would be made where the user never named one (a link left in a receive folder could point
 * anywhere). A link to a file that exists is followed (that file is replaced), as before.
 */
async function refuseDanglingLink(target: string): Promise<void> {
  let to: string;
  try {
    if (!(await lstat(target)).isSymbolicLink()) return;
    to = await readlink(target);
  } catch {
    return; // (no link, or gone: the target is a new file)
  }
  throw new SandanError(
    'FILE_UNREADABLE',
    `Cannot write ${target}: it is a symbolic link to ${to}, which does not exist (create that file, or remove the link)`,
    { details: { file: target, access: 'write' } },
  );
}

/** An output file being written; see the module comment. */
export class AtomicFile {
  private finished = false;

  private constructor(
    /** The file as named by the user. */
    readonly target: string,
    /** The temporary file, or undefined when writing straight to a target that is not a regular file. */
    readonly tempPath: string | undefined,
    /** What the temporary file is renamed to (the target, or the file its symbolic link names). */
    private readonly finalPath: string,
    private readonly file: FileHandle,
    private readonly unregister: () => void,
    private readonly sync: boolean = true,
  ) {}

  /**
   * Creates the temporary file beside `target`. A target that exists and is not a regular file
   * (a device such as /dev/stdout, a FIFO) is written directly: it cannot be replaced. Throws
   * SandanError `FILE_UNREADABLE` when the file cannot be created, and for a symbolic link that names no file.
   */
  static async open(target: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    let existing: Stats | undefined;
    try {
      existing = await stat(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw writeError(target, e);
      await refuseDanglingLink(target);
    }
    if (existing && !existing.isFile()) {
      try {
        return new AtomicFile(target, undefined, target, await open(target, 'w'), () => {});
      } catch (e) {
        throw writeError(target, e);
      }
    }
    // A symbolic link stays a link: the file it names is the one replaced.
    let finalPath = target;
    let temp: string;
    let file: FileHandle;
    try {
      if (existing) finalPath = await realpath(target);
      temp = tempNameOf(finalPath, options.hiddenTemp === true);
      file = await open(temp, 'wx', 0o666);
    } catch (e) {
      // (temp is unset when realpath failed, whose message names the target)
      throw writeError(target, e, temp!);
    }
    // Registered before anything else can run, so a signal from here on removes it.
    const unregister = options.cleanup?.add(() => rmSync(temp, { force: true })) ?? (() => {});
    const out = new AtomicFile(target, temp, finalPath, file, unregister, options.sync !== false);
    // The replacement keeps the permissions of the file it replaces.
    if (existing) {
      try {
        await file.chmod(existing.mode & 0o7777);
      } catch (e) {
        await out.abort();
        throw writeError(target, e, temp);
      }
    }
    return out;
  }

  /** Appends text (UTF-8) or bytes; wait for one write before the next. */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.finished) throw new Error(`${this.target} is already closed`);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    try {
      // A write may take part of the buffer; the rest goes in the next.
      for (let at = 0; at < bytes.length; ) at += (await this.file.write(bytes, at)).bytesWritten;
    } catch (e) {
      await this.abort();
      throw writeError(this.target, e, this.tempPath);
    }
  }

  /** Syncs the file to disk and renames it over the target; on failure the target is untouched and the temporary file removed. */
  async commit(): Promise<void> {
    if (this.finished) throw new Error(`${this.target} is already closed`);
    this.finished = true;
    try {
      if (this.tempPath !== undefined && this.sync) await this.file.sync();
      await this.file.close();
      if (this.tempPath !== undefined) await rename(this.tempPath, this.finalPath);
    } catch (e) {
      await this.file.close().catch(() => {});
      this.removeTemp();
      throw writeError(this.target, e, this.tempPath);
    } finally {
      this.unregister();
    }
    if (this.tempPath !== undefined && this.sync) await syncDirectory(dirname(this.finalPath));
  }

  /** Closes and removes the temporary file, leaving the target as it was; nothing once committed or aborted. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.file.close().catch(() => {});
    this.removeTemp();
    this.unregister();
  }

  private removeTemp(): void {
    if (this.tempPath !== undefined) rmSync(this.tempPath, { force: true });
  }
}

/** Makes the rename itself durable; some systems cannot sync a directory, and then the rename is as durable as they make it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort (e.g. Windows cannot open a directory).
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Writes a whole file atomically (see {@link AtomicFile}). */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicFileOptions = {},
): Promise<void> {
  const out = await AtomicFile.open(target, options);
  await out.write(data);
  await out.commit();
}

/** Writes chunks of text, 64 KiB at a time (waiting for each write, so a signal is handled between them), and commits; aborts on failure. */
export async function writeChunksTo(out: AtomicFile, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  try {
    await appendChunksTo(out, chunks);
    await out.commit();
  } finally {
    await out.abort();
  }
}

/**
 * Writes chunks of text as {@link writeChunksTo} does, without committing: for several files that are committed
 * together once all are written (the caller commits or aborts).
 */
export async function appendChunksTo(out: AtomicFile, chunks: Iterable<string> | AsyncIterable<string>): Promise<void> {
  let pending = '';
  for await (const c of chunks) {
    pending += c;
    if (pending.length >= 1 << 16) {
      await out.write(pending);
      pending = '';
    }
  }
  if (pending !== '') await out.write(pending);
}
