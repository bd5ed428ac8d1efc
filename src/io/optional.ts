import { statSync, type Stats } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { SandanError, type SandanErrorCode } from '../errors.js';

/**
 * Imports an optional dependency at run time. The specifier is a variable so that bundlers
 * leave the driver out of the bundle and it is resolved from the user's node_modules.
 */
export async function loadOptional<T>(name: string): Promise<T> {
  const specifier = name;
  return (await import(specifier)) as T;
}

/**
 * better-sqlite3, the optional driver of the three SQLite stores (the quota ledger, the emulator's
 * state, the reconciliation index). When it is not installed: a SandanError `code` saying that
 * `what` needs it, with `details.driver` (the CLI then hints at installing it). One that is
 * installed but was never built loads, and fails on open: see `storeError`.
 */
export async function loadSqliteDriver(
  code: SandanErrorCode,
  what: string,
  orElse?: string,
): Promise<typeof BetterSqlite3> {
  try {
    return (await loadOptional<{ default: typeof BetterSqlite3 }>('better-sqlite3')).default;
  } catch (e) {
    throw new SandanError(
      code,
      `${what} needs the optional dependency better-sqlite3: npm install better-sqlite3${orElse ? ` (${orElse})` : ''}`,
      { cause: e, details: { driver: 'better-sqlite3' } },
    );
  }
}

/**
 * Why a path that exists cannot hold a SQLite database: `it is a folder, …` or `it is a FIFO, …`
 * (a device or a socket likewise); undefined for a file, a path that is not there yet, `''` and
 * `:memory:`. SQLite itself says "disk I/O error" or "unable to open database file" for these,
 * and its read-only open of a FIFO waits for a writer for ever, past Ctrl-C (the open is
 * synchronous, so no signal handler runs). The quota ledger and the emulator's state ask it before opening.
 */
export function notADatabaseFile(path: string): string | undefined {
  if (path === '' || path === ':memory:') return undefined;
  let st: Stats | undefined;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    // (a file where a folder of the path should be, ENOTDIR: SQLite's open says it cannot)
    return undefined;
  }
  if (st === undefined || st.isFile()) return undefined;
  const kind = st.isDirectory()
    ? 'a folder'
    : st.isFIFO()
      ? 'a FIFO (named pipe)'
      : st.isSocket()
        ? 'a socket'
        : 'a device';
  return `it is ${kind}, not a database file`;
}
