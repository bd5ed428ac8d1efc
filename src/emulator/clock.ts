import { add } from 'date-fns/add';
import { addMilliseconds } from 'date-fns/addMilliseconds';
import type { Duration } from 'date-fns';
import { SandanError } from '../errors.js';
import { describeInput } from '../model/guards.js';
import { beijingMillis, beijingTimeOption } from '../time/beijing.js';
import { BEIJING } from '../time/calendar.js';
import type { EmulatorClock } from './types.js';

/*
 * The emulator's time: everything it does is scheduled on this clock, so a test can run a
 * day of customs in a millisecond (`advance('1d')`) and a service can be tried in real time.
 */

/** A parsed duration: a date-fns Duration (calendar units) or plain milliseconds. */
export type ParsedDuration = { duration: Duration } | { ms: number };

const UNITS: Record<string, keyof Duration> = { s: 'seconds', m: 'minutes', h: 'hours', d: 'days' };
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** Parses `'500ms'`, `'30s'`, `'30m'`, `'2h'`, `'1d'` or a number of milliseconds; throws INVALID_OPTION otherwise. */
export function parseDuration(value: string | number, what = 'duration'): ParsedDuration {
  if (typeof value === 'number') {
    // (past 2^53 a number is no longer exact: 9007199254740993 reads as …992)
    if (!Number.isSafeInteger(value) || value < 0)
      throw new SandanError(
        'INVALID_OPTION',
        `${what} must be a whole number of milliseconds from 0 to ${Number.MAX_SAFE_INTEGER}, got ${value}`,
      );
    return { ms: value };
  }
  const m = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!m)
    throw new SandanError(
      'INVALID_OPTION',
      `${what} must be a duration such as '30s', '30m', '2h', '1d' or milliseconds, got ${describeInput(value)}`,
    );
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n))
    throw new SandanError(
      'INVALID_OPTION',
      `${what} must be a duration of at most ${Number.MAX_SAFE_INTEGER} of its unit, got ${describeInput(value)}`,
    );
  if (m[2] === 'ms') return { ms: n };
  return { duration: { [UNITS[m[2] as string] as string]: n } };
}

/**
 * The latest time the emulator's clock may show: 9999-12-31 23:59:59.999 Beijing time, the last a
 * CEB message can carry (its times are `yyyyMMddHHmmss`). JavaScript dates end later (+275760),
 * and past that end a date is Invalid Date.
 */
export const LATEST_TIME = beijingMillis('99991231235959999');
/** The earliest: 0000-01-01 00:00 Beijing time. */
const EARLIEST_TIME = beijingMillis('00000101000000');

// Days are Beijing calendar days (BEIJING: 24 h), not the host's: in New York `add` made '1d' 23 or 25 hours across a
// change of clocks.

/** `from` plus a parsed duration, calendar units counted in Beijing time. */
export function addDuration(from: Date, d: ParsedDuration): Date {
  if ('ms' in d) return addMilliseconds(from, d.ms);
  // (seconds, minutes and hours have one length in every zone: only days need the zone, which costs some 15 µs a call)
  return d.duration.days === undefined
    ? add(from, d.duration)
    : new Date(add(from, d.duration, { in: BEIJING }).getTime());
}

/**
 * The time (ms) `d` after `from`, at the end of time at the latest ({@link LATEST_TIME}): a delay of the settings may
 * reach past it, and past JavaScript's last date a Date is Invalid (NaN).
 */
export function dueAfter(from: Date, d: ParsedDuration): number {
  const t = addDuration(from, d).getTime();
  return Number.isNaN(t) || t > LATEST_TIME ? LATEST_TIME : t;
}

/** The host's clock. */
export function realClock(): EmulatorClock {
  return { kind: 'real', now: () => new Date() };
}

/**
 * A clock that stands still until the engine's `advance` (or `set`) moves it. A text start is read as every time
 * option is (ISO 8601, `YYYY-MM-DD` or `yyyyMMddHHmmss`; without a zone, Beijing time), not by the host's zone.
 */
export function manualClock(start: Date | string = new Date()): EmulatorClock {
  let t = new Date(beijingTimeOption(start, 'manualClock: the start', 'INVALID_OPTION').getTime());
  // (the clock's times are written into messages, which hold no year past 9999 Beijing time)
  if (!(t.getTime() <= LATEST_TIME) || t.getTime() < EARLIEST_TIME)
    throw new SandanError(
      'INVALID_OPTION',
      `manualClock: the start ${t.toISOString()} is outside 0000-01-01 – 9999-12-31 Beijing time, the years a CEB message can carry`,
    );
  return {
    kind: 'manual',
    now: () => new Date(t),
    set(to: Date) {
      if (to.getTime() > t.getTime()) t = new Date(to);
    },
  };
}
