/**
 * Errors for misuse: bad options, unreadable files, broken rulesets.
 * Bad business data is never thrown; it comes back as validation issues.
 */

/** Stable codes of {@link SandanError}. */
export type SandanErrorCode =
  | 'INVALID_OPTION'
  | 'CONFIG_INVALID'
  | 'RULESET_INVALID'
  | 'RULESET_UNKNOWN_RULE'
  | 'RULESET_BAD_OPTIONS'
  | 'RULESET_EXTENDS'
  | 'RULESET_NOT_FOUND'
  | 'DISTRICT_UNKNOWN'
  | 'FILE_UNREADABLE'
  | 'CODE_TABLE_INVALID'
  | 'SIGN_ALREADY_SIGNED'
  | 'SIGN_KEY_INVALID'
  | 'SIGN_CERT_INVALID'
  | 'SIGN_SIGNER_FAILED'
  | 'SIGN_PAYEX_INVALID'
  | 'XML_MALFORMED'
  | 'XML_TOO_LARGE'
  | 'XML_UNKNOWN_ROOT'
  | 'QUOTA_INVALID'
  | 'QUOTA_BUYER_ID'
  | 'QUOTA_CONFLICT'
  | 'QUOTA_STORE'
  | 'QUOTA_BUSY'
  | 'EMULATOR_STATE_LOCKED'
  | 'EMULATOR_SCENARIOS_FULL'
  | 'RECONCILE_INDEX'
  | 'RECONCILE_WORKER';

/**
 * Marks sandan's errors. `Symbol.for` gives every copy of sandan in a process the same symbol,
 * so an error from the CommonJS build is still a SandanError to the ESM build (and to another
 * installed version) when `instanceof` asks.
 */
const BRAND = Symbol.for('sandan.error');

/**
 * The one error class sandan throws; `code` is stable and meant for programs.
 * `err instanceof SandanError` holds for errors of any copy of sandan loaded in the process
 * (ESM and CommonJS builds, several installed versions).
 */
export class SandanError extends Error {
  static {
    Object.defineProperty(SandanError.prototype, BRAND, { value: true });
    // The build names the class _SandanError (the body refers to itself), and Node prints an uncaught error by its
    // constructor's name: "_SandanError: …" in every user's trace.
    Object.defineProperty(SandanError, 'name', { value: 'SandanError' });
  }

  /** True for an error of any sandan copy; subclasses keep the ordinary prototype-chain test. */
  static override [Symbol.hasInstance](value: unknown): value is SandanError {
    // `this` is the class instanceof asked about: SandanError itself or a subclass.
    // biome-ignore lint/complexity/noThisInStatic: the receiver decides, so SandanError cannot be named instead.
    if (this !== SandanError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly code: SandanErrorCode;
  /** Extra facts about the failure, e.g. the file and JSON path of a broken ruleset. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: SandanErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'SandanError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True for errors thrown by sandan (by any copy of it in the process). */
export function isSandanError(e: unknown): e is SandanError {
  return e instanceof SandanError;
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What a failed write says of the disk, for the details of the error that reports it: `full` for
 * SQLite's SQLITE_FULL and the system's ENOSPC and EDQUOT, `io` for an I/O error (SQLITE_IOERR…,
 * EIO; SQLite also gives one when a full disk refuses its journal). Undefined for anything else.
 */
export function diskTrouble(e: unknown): { errno: string; disk: 'full' | 'io' } | undefined {
  const errno = (e as { code?: unknown } | null)?.code;
  if (typeof errno !== 'string') return undefined;
  if (errno === 'SQLITE_FULL' || errno === 'ENOSPC' || errno === 'EDQUOT') return { errno, disk: 'full' };
  if (errno.startsWith('SQLITE_IOERR') || errno === 'EIO') return { errno, disk: 'io' };
  return undefined;
}

/**
 * What to do when better-sqlite3 is installed but its native part was never built, so that opening a database fails
 * with the `bindings` package's "Could not locate the bindings file" and every path it tried. npm builds the part
 * in the package's install script, which it does not run under `--ignore-scripts`, nor for a dependency the project
 * has not approved in package.json's `allowScripts` (npm 11.16 added the field and only warns; a later npm blocks).
 * Undefined for any other failure.
 */
function sqliteNotBuilt(e: unknown): string | undefined {
  if (!messageOf(e).includes('Could not locate the bindings file')) return undefined;
  return (
    'better-sqlite3 is installed but not built (npm did not run its install script: --ignore-scripts, or the ' +
    "project's package.json allowScripts does not approve it); approve and build it: " +
    'npm approve-scripts better-sqlite3 && npm rebuild better-sqlite3'
  );
}

/**
 * The SandanError of a store that failed with `e`: `what` and e's message (or, for a SQLite driver that was never
 * built, what to do: {@link sqliteNotBuilt}), the disk's trouble in `details`.
 */
export function storeError(code: SandanErrorCode, what: string, e: unknown): SandanError {
  const disk = diskTrouble(e);
  const notBuilt = sqliteNotBuilt(e);
  const details = disk ?? (notBuilt === undefined ? undefined : { driver: 'better-sqlite3', notBuilt: true });
  return new SandanError(code, `${what}: ${notBuilt ?? messageOf(e)}`, { cause: e, ...(details && { details }) });
}

/**
 * A text for one line of a text report or of standard error: its control characters (C0 but tab, DEL, C1), the line
 * and paragraph separators (U+2028/9) and the bidi controls (U+061C, U+200E/F, U+202A–E, U+2066–9) escaped as in JSON
 * (`\\n`, `\\u001b`, `\\u202e`). A file name may hold them: shown raw, a line break forged a line of the report, an
 * escape sequence drove the terminal, a separator split the line in an editor and a bidi override showed the rest of
 * the line reversed.
 */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, (c) =>
    c === '\t' ? c : c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A count and its noun for a message, the noun singular for one: `1 duplicate`, `2 duplicates`, `2 bill statuses`. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Whether a text has white space at its start or its end. A report quotes such a value as JSON: shown raw, "X is A but
 * Y is A" hid the difference (an integrator's CEB621 carried logisticsNo " 9700555708701 ", customs' pilot CEB624
 * sample a copNo ending in a tab).
 */
export function hasEdgeSpace(text: string): boolean {
  return EDGE_SPACE.test(text);
}

const EDGE_SPACE = /^\s|\s$/u;

/** A value as a message quotes it: a string as JSON (its first 80 characters), a number or `null` as written, else `array` or `object`. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'undefined';
  if (typeof input === 'string')
    return input.length > 80
      ? `${JSON.stringify(input.slice(0, 80))}… (${input.length} characters)`
      : JSON.stringify(input);
  if (typeof input === 'function') return 'a function';
  // A BigInt shown as 2026 would read as the number the message asks for.
  if (typeof input === 'bigint') return `${input}n (a BigInt)`;
  if (input === null || typeof input !== 'object') return String(input);
  return Array.isArray(input) ? 'array' : 'object';
}
