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
