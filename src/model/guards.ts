/*
 * Small checks every part of sandan needs: is a value a record, is a text an amount. One copy
 * each, internal (the package does not export them; the model's public checks are the schemas
 * and toDecimal in ./primitives).
 */

import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { describeInput, SandanError, type SandanErrorCode } from '../errors.js';

export { describeInput };

/**
 * The text without the XML white space (space, tab, CR, LF) around it: what the XSD's `collapse` removes from a
 * number or a date-time. Unlike `String.prototype.trim`, it keeps U+3000, NBSP and the other Unicode spaces, which
 * make such a value invalid to a schema validator.
 */
export function trimXmlSpace(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && isXmlSpace(text.charCodeAt(a))) a++;
  while (b > a && isXmlSpace(text.charCodeAt(b - 1))) b--;
  return a === 0 && b === text.length ? text : text.slice(a, b);
}

function isXmlSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Characters (code points) in a string, a surrogate pair counting one: what an XSD length facet counts, where
 * `.length` counts UTF-16 units (an emoji or a CJK Extension B character is two).
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/**
 * `table[key]` for a key the table holds itself, else undefined: a lookup by a name from a document or a caller,
 * where `table[key]` would find `constructor`, `toString`, `__proto__` and the like on `Object.prototype`.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * `z.record(key, value)` that checks and keeps an own key `__proto__` as any other: zod's record passes over that key
 * (neither checked nor kept), so a data file's entry under it loaded without a word. The kept entry is an own property
 * (read it with {@link ownValue} or `Object.entries`). The JSON Schema made of it (for input) is the record's; give a
 * default with `.prefault` (a transform's `.default` is left out of that schema).
 */
export function ownKeysRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) {
  // (set by the check of one input, read by the step after the record's parse of that same input: parsing is
  // synchronous, and no record holds itself)
  let kept: { value: z.output<V> } | undefined;
  const record = z.preprocess(
    (input, ctx) => {
      kept = undefined;
      if (!isRecord(input) || !Object.hasOwn(input, '__proto__')) return input;
      const k = z.safeParse(key, '__proto__');
      if (!k.success) ctx.addIssue({ code: 'custom', message: 'Invalid key in record', path: ['__proto__'], input });
      const v = z.safeParse(value, ownValue(input, '__proto__'));
      if (!v.success)
        for (const i of v.error.issues)
          ctx.addIssue({ code: 'custom', message: i.message, path: ['__proto__', ...i.path], input });
      if (k.success && v.success) kept = { value: v.data };
      return input;
    },
    z.record(key, value),
  );
  return record.transform((out) => {
    if (kept)
      Object.defineProperty(out, '__proto__', { ...kept, enumerable: true, writable: true, configurable: true });
    kept = undefined;
    return out;
  });
}

/** The value of `key` in `map`, set to `make()` first when it has none (a list or a set a key gathers, say). */
export function valueIn<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/**
 * Orders two strings by their UTF-16 code units, as `<` does: the same order on every machine
 * and in every locale (`localeCompare` is neither), for sorted output and keys.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The value at `path` below `input` (object keys and array indexes, as in a zod issue's path); undefined where it stops. */
export function getAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** A plain record to read fields of: an object, not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `N19,5` as text: at most 14 integer and 5 fraction digits, an optional minus, no other sign or blank. */
export const N19_5_TEXT = /^-?\d{1,14}(\.\d{1,5})?$/;

/**
 * True when the text is a non-negative `N19,5` amount (`0`, `12.5`, `99999999999999.99999`; not `-1`, `.5`, `1e2`);
 * false for anything but a string.
 */
export function isAmountText(value: string): boolean {
  return typeof value === 'string' && value.charCodeAt(0) !== 45 /* - */ && N19_5_TEXT.test(value);
}

/**
 * True when the text is a decimal number of any size: an optional sign, digits with an optional
 * point (`5.`, `.5`), no exponent or blank. What the XML reader takes as a decimal field (the
 * model's schema then checks N19,5), and so what reconciliation takes from the same documents.
 */
export function isDecimalText(value: string): boolean {
  return DECIMAL_TEXT.test(value);
}

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/*
 * Text fields (orderNo, copNo, preNo, invtNo, logisticsNo, customs codes, CEB times, statuses) are
 * XSD strings: the XML reader gives them as strings, and the model's schemas refuse any other type,
 * so sandan never sends a number there. A JSON number is no such text: an 18-digit invtNo written
 * as a number has already lost its last digits (290020260000000001 parses as …000), and reading it
 * would invent a key. Both readers below therefore take strings only, and both treat a blank string
 * as absent (an empty element carries no value in the XML reader; a blank key names no order).
 */

/**
 * A receipt's status or code as text, however it was given: a string trimmed, a whole number as
 * its digits (`120`: receipts stored by other tools often hold statuses as numbers); `''` for
 * anything else (absent, null, an object), which no catalogue entry has.
 */
export function receiptStatusText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  return Number.isSafeInteger(value) ? String(value) : '';
}

/**
 * Whether a return receipt's (CEB626) status is customs' yes to the return: 399 海关审结, the specification's, or
 * 800 放行, which the E-Port's own records give a released return application (rulesets/receipts.json,
 * PEER-REFUND-RELEASE). The quota refunds on it, reconcile counts the order refunded and status shows it so.
 */
export function isApprovedReturn(status: string | undefined): boolean {
  return status === '399' || status === '800';
}

/**
 * The text of a text field, without surrounding white space; undefined for a blank string or a
 * non-string (number, Decimal, null, object). For codes, statuses and times (keys are read as
 * written: {@link nonBlankText}).
 */
export function trimmedText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t === '' ? undefined : t;
}

// White space of every kind and the invisible characters copy-paste carries along (zero-width
// space and joiners, BOM, bidi marks, soft hyphen, …).
const INVISIBLE = /[\s\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * A text as Unicode NFKC (full-width digits and letters become ASCII) without white space and
 * invisible characters: the spelling that copy-pasted variants of one number share.
 */
export function plainSpelling(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

/**
 * The text of a text field as written, when it is not blank; undefined for a blank string or a
 * non-string. For keys compared as written: the quota ledger keys an order by the orderNo it was
 * reserved with, and reconciliation joins a declaration to customs' bills and receipts by its keys
 * as customs compares them (an xs:string keeps its white space).
 */
export function nonBlankText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/**
 * The options object a public function was given, `{}` when left out. Anything else (null, a
 * string, an array: a call from JavaScript that TypeScript would have refused) is misuse: a
 * SandanError naming the function (`code`: INVALID_OPTION unless the area has its own), instead
 * of a TypeError further in.
 */
export function optionsObject<T extends object>(
  options: T | undefined,
  fn: string,
  code: SandanErrorCode = 'INVALID_OPTION',
): T {
  if (options === undefined) return {} as T;
  if (isRecord(options)) return options;
  throw new SandanError(code, `${fn}: the options must be an object, got ${describeInput(options)}`);
}

/** What each kind of {@link checkArgument} takes, as its message says it. */
/**
 * Whether `value` has a function at each of `names`: how an object sandan made (a ledger, an engine, a registry, a
 * code table) is known by what it does, so that one made by the package's other module format (require beside import)
 * is one too, where instanceof would refuse it.
 */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  return value != null && names.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}

const ARGUMENT_KINDS = {
  object: 'an object',
  text: 'text (a string)',
  list: 'an array',
  iterable: 'an iterable (e.g. an array), not a string',
  function: 'a function',
  decimal: "a Decimal (e.g. new Dec('12.5'))",
  number: 'a number',
} as const;

/** Refuses a setting that is none of its values (misuse), leaving an unset one to its default. */
export function oneOf(
  name: string,
  value: unknown,
  values: readonly string[],
  code: SandanErrorCode = 'INVALID_OPTION',
): void {
  if (value !== undefined && !values.includes(value as string))
    throw new SandanError(
      code,
      `${name} must be ${values.map((v) => `'${v}'`).join(' or ')}, got ${describeInput(value)}`,
    );
}

/**
 * Checks an argument a public function was given against its kind: `object` a record (not null,
 * not an array), `text` a string, `list` an array, `iterable` anything iterable but a string,
 * `function` a function, `decimal` a Decimal (of any copy of decimal.js), `number` a number. Anything else (a call from JavaScript that TypeScript would have
 * refused) is misuse: a SandanError (`code`: INVALID_OPTION unless the area has its own) that names
 * the function, the argument and what it got (`fn: what must be an object, got null`), instead of
 * a TypeError further in. For the entry of a public function: its argument, and the parts of it the function reads,
 * each once per call (statusInputsOfMessage walks a message's documents so); not for the work's own loops or the
 * unchecked inner copies an export calls per line or element, which take values already checked.
 */
export function checkArgument(
  value: unknown,
  kind: keyof typeof ARGUMENT_KINDS,
  fn: string,
  what: string,
  code: SandanErrorCode = 'INVALID_OPTION',
): void {
  const ok =
    kind === 'object'
      ? isRecord(value)
      : kind === 'text'
        ? typeof value === 'string'
        : kind === 'list'
          ? Array.isArray(value)
          : kind === 'function'
            ? typeof value === 'function'
            : kind === 'decimal'
              ? Decimal.isDecimal(value)
              : kind === 'number'
                ? typeof value === 'number'
                : value != null &&
                  typeof value !== 'string' &&
                  (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' ||
                    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function');
  if (!ok) throw new SandanError(code, `${fn}: ${what} must be ${ARGUMENT_KINDS[kind]}, got ${describeInput(value)}`);
}
