import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Issue } from './issue.js';
import { DATE_8, DATE_TIME_14 } from '../time/beijing.js';
import { describeInput, isAmountText, isDecimalText, N19_5_TEXT, trimXmlSpace } from './guards.js';
import { SandanError } from '../errors.js';

/**
 * Field primitives shaped after the 2022-05 CEB XSD types (the 2022-05 CEB interface spec):
 * `C..n` = up to n characters, `Cn` = exactly n, `N19,5` = decimal with at most
 * 14 integer and 5 fraction digits. Format checks carry a format key as their
 * message so that the issue mapper can explain them in Chinese and English.
 */

/** Decimal.js configured for money: enough precision for N19,5 products, half-up by default. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = Decimal;

/** Format keys used in `error` messages of format checks; explained in ./messages. */
export const FORMAT = {
  decimal: 'format:decimal19_5',
  nonNegative: 'format:non-negative',
  dateTime14: 'format:yyyyMMddHHmmss',
  date8: 'format:yyyyMMdd',
  digits: 'format:digits',
  gcode: 'format:gcode10',
  int: 'format:int',
  amountType: 'format:amount-type',
  intType: 'format:int-type',
} as const;

const ZERO = new Dec(0);

// Decimals are immutable, and the same amounts recur (prices on order and inventory lines,
// "0.00" fees), so checked texts map to shared instances. Bounded: cleared when full.
const DECIMAL_CACHE = new Map<string, Decimal>();
const DECIMAL_CACHE_MAX = 4096;

/**
 * The Decimal of a checked decimal text, shared between equal texts. A text that is no number at
 * all is misuse (a SandanError, INVALID_OPTION; check with {@link toDecimal} first).
 */
export function decimalOfText(text: string): Decimal {
  let d = DECIMAL_CACHE.get(text);
  if (d === undefined) {
    if (DECIMAL_CACHE.size >= DECIMAL_CACHE_MAX) DECIMAL_CACHE.clear();
    try {
      d = new Dec(text);
    } catch (e) {
      // An xs:decimal with XML white space around it (checked by decimalOfXsdText).
      d = typeof text === 'string' ? decimalOfXsdText(text) : undefined;
      if (d === undefined)
        throw new SandanError('INVALID_OPTION', `decimalOfText: ${describeInput(text)} is not a number`, {
          cause: e,
        });
    }
    // -0 is 0 (it would be written "-0").
    if (d.isZero()) d = ZERO;
    DECIMAL_CACHE.set(text, d);
  }
  return d;
}

/**
 * The N19,5 text of a JSON number, or undefined when it is none or may not be what was written. JSON.parse
 * keeps a number to about 16 significant digits: `99999999999.99999` is read as 99999999999.99998, which would
 * be declared instead. Only a number of at most 15 significant digits comes back exactly as written, so a
 * longer one is refused (write it as a string). Its shortest round-trip text, never a binary expansion.
 */
export function jsonNumberText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return N19_5_TEXT.test(text) && significantDigits(text) <= 15 ? text : undefined;
}

/** True for a JSON number that fits N19,5 but has more than 15 significant digits (see {@link jsonNumberText}). */
export function isInexactJsonNumber(value: unknown): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  const text = String(value);
  return N19_5_TEXT.test(text) && significantDigits(text) > 15;
}

/** The significant digits of a plain decimal text (N19,5): leading and trailing zeros, sign and point left out. */
function significantDigits(text: string): number {
  let first = 0;
  let last = text.length - 1;
  while (first < text.length && (text[first] === '-' || text[first] === '0' || text[first] === '.')) first++;
  while (last > first && (text[last] === '0' || text[last] === '.')) last--;
  return last - first + 1 - (text.slice(first, last + 1).includes('.') ? 1 : 0);
}

/**
 * The Decimal of a text the XSD takes as an xs:decimal (a sign, `5.` or `.5`, trailing zeros, XML white space
 * around) whose value fits N19,5: at most 14 integer digits and 5 decimals of value, so `548.000000` (a
 * DECIMAL(18,6) column) is 548 and `-0` is 0. The XML reader takes these; so does the JSON model, which before
 * refused as a format error what customs' XSD check accepts. Undefined for anything else.
 */
function decimalOfXsdText(text: string): Decimal | undefined {
  const t = trimXmlSpace(text);
  if (!isDecimalText(t)) return undefined;
  const d = new Dec(t);
  if (d.decimalPlaces() > 5 || !d.abs().lt('1e14')) return undefined;
  return d.isZero() ? ZERO : d;
}

/** Returns the value as a Decimal when it is a well-formed N19,5 amount, else undefined. */
export function toDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'string') {
    // The usual text by pattern alone (and cached); another spelling by value.
    return N19_5_TEXT.test(value) ? decimalOfText(value) : decimalOfXsdText(value);
  }
  if (typeof value === 'number') {
    const text = jsonNumberText(value);
    return text === undefined ? undefined : decimalOfText(text);
  }
  if (Decimal.isDecimal(value)) {
    const d = value as Decimal;
    return d.isFinite() && d.decimalPlaces() <= 5 && d.abs().lt('1e14') ? new Dec(d) : undefined;
  }
  return undefined;
}

/**
 * N19,5 non-negative amount, accepted as a JSON number or a decimal string. The schema only
 * checks; {@link parseDeclaration} turns checked amounts into Decimal in one pass, which keeps
 * validation fast (a zod transform per amount costs more than the whole check).
 */
export const amount = () =>
  z.custom<string | number | Decimal>(
    (v) => {
      // Checked by pattern alone: building a Decimal here would double the work of parsing.
      if (typeof v === 'string') return isAmountText(v) || decimalOfXsdText(v)?.isNegative() === false;
      if (typeof v === 'number') return v >= 0 && jsonNumberText(v) !== undefined;
      return toDecimal(v)?.isNegative() === false;
    },
    { error: FORMAT.decimal },
  );

/** `C..n`: a string of 1..n characters (XSD lengths count characters, so a Chinese character counts 1). */
export const text = (max: number) => z.string().min(1).max(max);
/** `Cn`: exactly n characters. */
export const fixed = (len: number) => z.string().length(len);
/** A code of digits with a fixed length, e.g. the 3-digit customs country code. */
export const digits = (len: number) => {
  // (the length goes into the pattern's text: a Symbol threw a TypeError, `null` made a pattern of `d{null}`)
  if (!Number.isSafeInteger(len) || len < 1)
    throw new SandanError(
      'INVALID_OPTION',
      `digits: the length must be a whole number from 1, got ${describeInput(len)}`,
    );
  return z.string().regex(new RegExp(`^\\d{${len}}$`), { error: FORMAT.digits });
};

/** `yyyyMMddHHmmss` (appTime, payTime), a real time: 20260230120000 or hour 24 is a format issue. */
export const dateTime14 = () => z.string().regex(DATE_TIME_14, { error: FORMAT.dateTime14 });
/** `yyyyMMdd` (declTime, ieDate), a real day: 20250229 is a format issue. */
export const date8 = () => z.string().regex(DATE_8, { error: FORMAT.date8 });
/**
 * Root and document guid: the XSD requires only a length of 36 (报文的36位系统唯一序号（英文字母大写）),
 * and customs accepts other 36-character ids (Hainan peers send `CEB621_HNZB_FXJK_20220208175055_0035`).
 * The upper-case UUID is a convention, checked apart as a warning ({@link guidConventionIssue}).
 */
export const guid = () => z.string().length(36);

/** The convention for guids: an upper-case UUID, as the spec's samples and sandan's builds write them. */
export const GUID_CONVENTION = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/**
 * A warning (code `guid-convention`) for a 36-character guid that is not an upper-case UUID; undefined
 * for a conventional guid and for any other value (length and type are the schema's business).
 */
export function guidConventionIssue(value: unknown, path: string, ruleId: string): Issue | undefined {
  if (typeof value !== 'string' || value.length !== 36 || GUID_CONVENTION.test(value)) return undefined;
  return {
    code: 'guid-convention',
    severity: 'warning',
    path,
    ruleId,
    actual: JSON.stringify(value),
    expected: 'an upper-case UUID',
    message: {
      zh: `${path} ${JSON.stringify(value)} 不是大写 UUID：XSD 只要求 36 位（英文字母大写），海关也接受此类序号，但惯例是大写 UUID`,
      en: `${path} ${JSON.stringify(value)} is not an upper-case UUID: the XSD asks only for 36 characters (letters upper-case) and customs accepts such ids, but the convention is an upper-case UUID`,
    },
  };
}
/** 10-digit commodity code: 8-digit tariff line + 2 supplementary digits. */
export const gcode = () => z.string().regex(/^\d{10}$/, { error: FORMAT.gcode });

/** An XSD int accepted as a JSON integer or a digit string (gnum, packNo); the model holds a number. */
export const int = (min = 0, max = 999_999_999) =>
  z.custom<number | string>(
    (v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
      return Number.isInteger(n) && n >= min && n <= max;
    },
    { error: FORMAT.int },
  );

/** Envelope fields every declared document carries; optional in input because `build` fills them. */
export const envelope = {
  guid: guid().optional(),
  appType: z.enum(['1', '2', '3']).optional(),
  appTime: dateTime14().optional(),
  appStatus: z.enum(['1', '2']).optional(),
};
