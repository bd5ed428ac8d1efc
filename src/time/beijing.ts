import { describeInput, SandanError, type SandanErrorCode } from '../errors.js';

/*
 * Beijing time, the one place sandan reads and writes it. Customs writes every time in Beijing
 * time (UTC+8) without a zone: appTime `yyyyMMddHHmmss`, receipt returnTime `yyyyMMddHHmmssSSS`,
 * declTime `yyyyMMdd`; policies and quota years go by the Beijing calendar day `YYYY-MM-DD`.
 *
 * UTC+8 is applied as a fixed offset: China has kept it without daylight saving since 1991, so
 * it equals the tz database's Asia/Shanghai for every date a declaration carries (the tests hold
 * it against TZDate), and it keeps the per-receipt parsers of reconciliation free of zone
 * look-ups (and the model's schema, which checks fields with these patterns, free of a zone
 * library). Calendar arithmetic (adding days, ends of days) goes through date-fns with
 * `tz('Asia/Shanghai')` (src/time/calendar.ts), as the return window does.
 *
 * Every reader refuses impossible values (2026-02-30, month 13, hour 24, minute or second 60,
 * 2025-02-29), also when an explicit offset is given: the written fields are checked, never the
 * Date they would roll over into. Readers of business data answer NaN or undefined (the caller
 * makes an issue of it); readers of options throw a SandanError with the caller's code. Pure: no
 * clock, no host time zone.
 */

/** Beijing time minus UTC, in milliseconds. */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

// Days of each month as patterns, with 29 February only in leap years: divisible by 4 and not
// by 100 unless by 400 (read off the last two digits, or the first two when the year ends in 00).
// Year 0000 is none: the calendar goes from 1 BC to AD 1 (XSD 1.0's dateTime refuses it too).
const LEAP_YEAR = '(?:\\d\\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)';
const date = (sep: string) =>
  `(?!0000)(?:\\d{4}${sep}(?:(?:0[13578]|1[02])${sep}(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)${sep}(?:0[1-9]|[12]\\d|30)|02${sep}(?:0[1-9]|1\\d|2[0-8]))|${LEAP_YEAR}${sep}02${sep}29)`;
const HMS = '(?:[01]\\d|2[0-3])[0-5]\\d[0-5]\\d';

/**
 * A real `yyyyMMddHHmmss` (appTime, payTime, logisticsTime), as a pattern: the model's schema
 * checks fields with it, so a JSON Schema or a compiled checker sees the same rule.
 */
export const DATE_TIME_14 = new RegExp(`^${date('')}${HMS}$`);
/** A real `yyyyMMdd` (declTime, ieDate), as a pattern. */
export const DATE_8 = new RegExp(`^${date('')}$`);
/** A real `YYYY-MM-DD`, as a pattern. */
export const ISO_DATE = new RegExp(`^${date('-')}$`);
/** The shape of `YYYY-MM-DD` alone, so that an impossible date gets its own message. */
export const ISO_DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** True when `y-m-d` is a day of the (proleptic Gregorian) calendar. */
export function isRealDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

// xs:dateTime's lexical form (XSD 1.0): a year of four or more digits, no leading zero beyond four, an optional
// fraction of a second and an optional zone. XML white space around it is collapsed away (the type's whiteSpace is
// collapse); U+3000 or NBSP is not white space to XML, so it makes the value wrong.
const XS_DATE_TIME =
  /^[ \t\n\r]*(-?(?:[1-9][0-9]{4,}|[0-9]{4}))-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-]([0-9]{2}):([0-9]{2}))?[ \t\n\r]*$/;

/**
 * True when a text is an `xs:dateTime` (white space around it collapsed, as the type says): its form, a real
 * day, a time (24:00:00 for the end of the day) and a zone within ±14:00. What {@link beijingXsDateTime} writes.
 */
export function isXsDateTime(text: string): boolean {
  const m = XS_DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year === 0 || !isRealDate(year, month, day) || minute > 59 || second > 59) return false;
  // 24:00:00 is the end of the day; no other time in hour 24.
  if (hour > 24 || (hour === 24 && (minute !== 0 || second !== 0 || /[1-9]/.test(m[7] ?? '')))) return false;
  return zoneWithin(m[8], m[9], m[10]);
}

/** An XSD time zone (none, Z, or ±hh:mm) within ±14:00. */
function zoneWithin(zone: string | undefined, hours: string | undefined, minutes: string | undefined): boolean {
  if (zone === undefined || zone === 'Z') return true;
  const h = Number(hours);
  const mm = Number(minutes);
  return mm <= 59 && (h < 14 || (h === 14 && mm === 0));
}

// xs:date's lexical form (XSD 1.0): xs:dateTime's date part and its optional zone, white space around it collapsed.
const XS_DATE =
  /^[ \t\n\r]*(-?(?:[1-9][0-9]{4,}|[0-9]{4}))-([0-9]{2})-([0-9]{2})(Z|[+-]([0-9]{2}):([0-9]{2}))?[ \t\n\r]*$/;

/** True when a text is an `xs:date` (white space around it collapsed): its form, a real day and a zone within ±14:00. */
export function isXsDate(text: string): boolean {
  const m = XS_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  return year !== 0 && isRealDate(year, month, day) && zoneWithin(m[4], m[5], m[6]);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** The UTC milliseconds of checked fields; Date.UTC alone would read years 0–99 as 1900–1999. */
function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const t = new Date(Date.UTC(1970, 0, 1, h, mi, s, ms));
  t.setUTCFullYear(y, mo - 1, d);
  return t.getTime();
}

/** The number of `n` digits at `i`, or -1 when one is not a digit. */
function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** The instant of checked Beijing wall-clock fields, or NaN when they name no real time. */
function wallClock(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (y < 1 || !isRealDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0)
    return Number.NaN;
  return utc(y, mo, d, h, mi, s, ms) - BEIJING_OFFSET_MS;
}

/**
 * Milliseconds since the epoch of a Beijing-time `yyyyMMddHHmmss` or 17-digit `yyyyMMddHHmmssSSS`
 * (CEB appTime, receipt returnTime, bill times), or NaN when it is not one or names no real time.
 * Surrounding white space is ignored. Runs per receipt and bill in reconciliation, hence by hand.
 */
export function beijingMillis(s: string | undefined): number {
  if (s === undefined) return Number.NaN;
  let t = s;
  // White space can only be at the ends; anything else fails the digit checks below.
  if (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32) t = t.trim();
  const n = t.length;
  if (n !== 14 && n !== 17) return Number.NaN;
  return wallClock(
    digitsAt(t, 0, 4),
    digitsAt(t, 4, 2),
    digitsAt(t, 6, 2),
    digitsAt(t, 8, 2),
    digitsAt(t, 10, 2),
    digitsAt(t, 12, 2),
    n === 17 ? digitsAt(t, 14, 3) : 0,
  );
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * Milliseconds since the epoch of any time sandan meets, or NaN when it is none or names no real
 * time: `yyyyMMdd`, `yyyyMMddHHmmss`, `yyyyMMddHHmmssSSS`, `YYYY-MM-DD` (those are Beijing time;
 * a date alone is its midnight), ISO 8601 `YYYY-MM-DDTHH:mm[:ss[.fff]]` with `Z`, `±hh:mm`,
 * `±hhmm` or no offset (then Beijing time), or a Date. Fractions past milliseconds are cut off.
 */
export function beijingMillisOf(value: string | Date | undefined): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return Number.NaN;
  const s = value.trim();
  if (s.charCodeAt(4) !== 45 /* - */) {
    const n = s.length;
    if (n === 14 || n === 17) return beijingMillis(s);
    return n === 8 ? wallClock(digitsAt(s, 0, 4), digitsAt(s, 4, 2), digitsAt(s, 6, 2), 0, 0, 0, 0) : Number.NaN;
  }
  const m = ISO_DATE_TIME.exec(s);
  if (!m) return Number.NaN;
  const local = wallClock(
    +m[1]!,
    +m[2]!,
    +m[3]!,
    m[4] === undefined ? 0 : +m[4],
    m[5] === undefined ? 0 : +m[5],
    m[6] === undefined ? 0 : +m[6],
    m[7] === undefined ? 0 : +m[7].slice(0, 3).padEnd(3, '0'),
  );
  if (m[8] !== undefined) return local + BEIJING_OFFSET_MS;
  if (m[9] === undefined) return local;
  const oh = +m[10]!;
  const om = +m[11]!;
  if (oh > 23 || om > 59) return Number.NaN;
  return local + BEIJING_OFFSET_MS - (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
}

/** A Date of any time {@link beijingMillisOf} reads, or undefined when it reads none. */
export function parseBeijingTime(value: string | Date | undefined): Date | undefined {
  const t = beijingMillisOf(value);
  return Number.isNaN(t) ? undefined : value instanceof Date ? value : new Date(t);
}

/**
 * `YYYY-MM-DD` of a CEB time field — `yyyyMMdd` (declTime), `yyyyMMddHHmmss` (appTime) or
 * `yyyyMMddHHmmssSSS` (returnTime) — when it is one and names a real time, else undefined: the
 * Beijing day a declaration or receipt is dated. Surrounding white space is ignored, as by
 * {@link beijingMillis}.
 */
export function isoDateOfCeb(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32 ? value.trim() : value;
  const t =
    s.length === 8 ? wallClock(digitsAt(s, 0, 4), digitsAt(s, 4, 2), digitsAt(s, 6, 2), 0, 0, 0, 0) : beijingMillis(s);
  return Number.isNaN(t) ? undefined : `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

/** `YYYY-MM` of a CEB time field (see {@link isoDateOfCeb}: the whole value must be a real time), else undefined. */
export function isoMonthOfCeb(value: unknown): string | undefined {
  return isoDateOfCeb(value)?.slice(0, 7);
}

/** The year of a real `YYYY-MM-DD` (a policy date, `ctx.at`), or NaN when the text is not one. */
export function yearOfIsoDate(value: string): number {
  return ISO_DATE.test(value) ? Number(value.slice(0, 4)) : Number.NaN;
}

/**
 * Whether the day `at` (`YYYY-MM-DD`) falls between `from` and `to` (`YYYY-MM-DD`, both inclusive; a missing bound is
 * open): the test of every dated value, ruleset entries and rate tables alike.
 */
export function isWithinDates(at: string, from: string | undefined, to: string | undefined): boolean {
  return (from === undefined || from <= at) && (to === undefined || at <= to);
}

/**
 * Whether a span of days (`YYYY-MM-DD`, bounds inclusive, a missing one open) ends before it starts, so is in force on
 * no day: the one check of every dated value's from and to (rulesets, code tables, rate tables, positive-list
 * editions, spans in common). Calendar days written `YYYY-MM-DD` (checked by their schemas) sort as their text, as
 * {@link isWithinDates} compares them: no zone is involved. (Read through date-fns with a zone, a call cost ~100 µs, a
 * second at load for a rate table of 10,000 dated lines.)
 */
export function endsBeforeItStarts(from: string | undefined, to: string | undefined): boolean {
  return from !== undefined && to !== undefined && to < from;
}

/**
 * The days two spans of dates (`YYYY-MM-DD`, bounds inclusive, a missing one open) have in common, as a span, or
 * undefined when they have none.
 */
export function commonDates(
  a: { effectiveFrom?: string | undefined; effectiveTo?: string | undefined },
  b: { effectiveFrom?: string | undefined; effectiveTo?: string | undefined },
): { from?: string; to?: string } | undefined {
  const later = (x?: string, y?: string) => (x === undefined ? y : y === undefined || x >= y ? x : y);
  const earlier = (x?: string, y?: string) => (x === undefined ? y : y === undefined || x <= y ? x : y);
  const from = later(a.effectiveFrom, b.effectiveFrom);
  const to = earlier(a.effectiveTo, b.effectiveTo);
  if (endsBeforeItStarts(from, to)) return undefined;
  return { ...(from !== undefined && { from }), ...(to !== undefined && { to }) };
}

/** True when the text is a real `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value);
}

/**
 * Reads an instant given as an option or an API argument (see {@link beijingMillisOf} for the
 * forms). Throws a SandanError with `code` naming `what` when it is none or names no real time.
 */
export function beijingTimeOption(value: unknown, what: string, code: SandanErrorCode): Date {
  if (typeof value === 'string' || value instanceof Date) {
    const d = parseBeijingTime(value);
    if (d) return d;
    if (value instanceof Date) throw new SandanError(code, `${what} is an invalid Date`);
    if (looksLikeTime(value.trim()))
      throw new SandanError(code, `${what}: ${JSON.stringify(value)} is not a real date and time`);
  }
  throw new SandanError(
    code,
    `${what} must be ${typeof value === 'string' ? '' : 'a Date, '}an ISO 8601 date-time, YYYY-MM-DD or yyyyMMddHHmmss (Beijing time), got ${describeInput(value)}`,
  );
}

/**
 * Reads a `YYYY-MM-DD` option (a policy date). Throws a SandanError with `code` naming `what`
 * when it is not one, or names no day of the calendar.
 */
export function isoDateOption(value: unknown, what: string, code: SandanErrorCode): string {
  if (isIsoDate(value)) return value;
  if (typeof value === 'string' && ISO_DATE_SHAPE.test(value))
    throw new SandanError(code, `${what}: ${JSON.stringify(value)} is not a real date (YYYY-MM-DD)`);
  if (value instanceof Date)
    throw new SandanError(
      code,
      `${what} must be a date as YYYY-MM-DD, got a Date: pass its Beijing day, beijingIsoDate(date)`,
    );
  throw new SandanError(code, `${what} must be a date as YYYY-MM-DD, got ${describeInput(value)}`);
}

/** True when the text has the shape of a time form, so refusing it is about its values. */
function looksLikeTime(s: string): boolean {
  return /^(\d{8}|\d{14}|\d{17})$/.test(s) || ISO_DATE_TIME.test(s);
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sss` of an instant in Beijing time, the text every formatter cuts from
 * (toISOString is the fastest way to these fields). An invalid Date, or a year outside
 * 0000–9999 that no written form can hold, is misuse: a SandanError (INVALID_OPTION).
 */
function wallClockText(t: number): string {
  if (!Number.isFinite(t)) throw new SandanError('INVALID_OPTION', 'The time to write is an invalid Date');
  const shifted = t + BEIJING_OFFSET_MS;
  // (past ±8.64e15 ms a Date is invalid, and toISOString would throw a RangeError)
  const s = Math.abs(shifted) <= 8.64e15 ? new Date(shifted).toISOString() : '';
  if (s.length !== 24)
    throw new SandanError(
      'INVALID_OPTION',
      `The time to write (${t} ms after 1970-01-01T00:00:00Z) has a year outside 0000-9999 in Beijing time`,
    );
  return s;
}

/** The milliseconds of a Date argument; anything else is misuse. */
function millisOf(instant: Date): number {
  if (typeof (instant as Partial<Date> | null)?.getTime !== 'function')
    throw new SandanError('INVALID_OPTION', `The time to write must be a Date, got ${typeof instant}`);
  return instant.getTime();
}

/** `yyyyMMddHHmmss` in Beijing time (appTime, payTime, logisticsTime). */
export function beijingDateTime14(instant: Date): string {
  const s = wallClockText(millisOf(instant));
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}`;
}

/** `yyyyMMddHHmmssSSS` in Beijing time (receipt returnTime). */
export function beijingDateTime17(instant: Date): string {
  const s = wallClockText(millisOf(instant));
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}${s.slice(20, 23)}`;
}

/** `yyyyMMdd` in Beijing time (declTime). */
export function beijingDate8(instant: Date): string {
  const s = wallClockText(millisOf(instant));
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}`;
}

/** `yyyy-MM-dd` in Beijing time: the calendar day policies, quota years and district settings go by. */
export function beijingIsoDate(instant: Date): string {
  return wallClockText(millisOf(instant)).slice(0, 10);
}

/** `yyyy-MM-ddTHH:mm:ss` in Beijing time (DxpMsg CreatTime). */
export function beijingXsDateTime(instant: Date): string {
  return wallClockText(millisOf(instant)).slice(0, 19);
}

/** ISO 8601 in Beijing time with milliseconds and `+08:00`; '' for NaN (a missing time). */
export function beijingIso(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  return `${wallClockText(ms).slice(0, 23)}+08:00`;
}

/**
 * An instant for a person to read: {@link beijingIso}, or, when its Beijing year is past 9999 (or before 0000), the
 * UTC ISO text. Certificate dates need it: RFC 5280 (4.1.2.5) gives a certificate with no expiry the notAfter
 * 99991231235959Z, which is already year 10000 in Beijing, and a CEB time could not carry it.
 */
export function instantText(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const shifted = ms + BEIJING_OFFSET_MS;
  const year = Math.abs(shifted) <= 8.64e15 ? new Date(shifted).getUTCFullYear() : Number.NaN;
  return year >= 0 && year <= 9999 ? beijingIso(ms) : Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : '';
}

/** The calendar year of an instant in Beijing time: 2025-12-31T16:00:00Z is already 2026. */
export function beijingYear(at: Date): number {
  return new Date(at.getTime() + BEIJING_OFFSET_MS).getUTCFullYear();
}
