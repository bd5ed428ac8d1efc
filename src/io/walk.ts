import { readFileSync, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SandanError } from '../errors.js';

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
 */
export async function* filesUnder(dir: string, skip: (name: string) => boolean = () => false): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (skip(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(path, skip);
    else if (e.isFile()) yield path;
  }
}

const DIRECTORY = 'it is a directory';

/** Why a path could not be read, in words, from the error the file system gave. */
function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // ENOTDIR: a part of the path is a file (`a.json/b.json`), so there is no such file either.
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
  if (code === 'EISDIR') return DIRECTORY;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error for a path that cannot be read: `FILE_UNREADABLE`, `Cannot read [what ]path: reason`,
 * with the path in `details.file`. `what` names the kind of file when the path alone does not
 * (`ruleset`, `key`, `certificate`).
 */
export function unreadableFile(path: string, cause: unknown, what?: string): SandanError {
  return refusal(path, reasonOf(cause), what, cause);
}

function refusal(path: string, reason: string, what: string | undefined, cause?: unknown): SandanError {
  return new SandanError('FILE_UNREADABLE', `Cannot read ${what ? `${what} ` : ''}${path}: ${reason}`, {
    cause,
    details: { file: path },
  });
}

/** The bytes of a file the user named; a missing, unreadable or folder path is {@link unreadableFile}. */
export async function readInputFile(path: string, what?: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw unreadableFile(path, e, what);
  }
}

/** {@link readInputFile} for the few readers that must stay synchronous (the configuration lookup). */
export function readInputFileSync(path: string, what?: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw unreadableFile(path, e, what);
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
