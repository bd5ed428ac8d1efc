import { addDays } from 'date-fns/addDays';
import { endOfDay } from 'date-fns/endOfDay';
import { defaultRegistry } from '../rules/bundled.js';
import type { Policy } from '../rules/policy.js';
import { beijingIsoDate } from '../time/beijing.js';
import { BEIJING } from '../time/calendar.js';
import { SandanError } from '../errors.js';

/*
 * The return window: a return clears tax and quota only when it is applied for, and the goods
 * are back, within so many days of the inventory release (海关总署公告2020年第45号 from
 * 2020-03-28: 30 days to apply, 45 days to arrive). The day counts are policy values by date
 * (rulesets/national.json `returnWindow`); this file only does the calendar. Pure: every
 * instant is passed in.
 */

/** The window as policy data gives it. */
export type ReturnWindowPolicy = NonNullable<Policy['returnWindow']>;

/** Deadlines of one release. Each is the last millisecond of a Beijing calendar day. */
export interface ReturnDeadlines {
  releasedAt: Date;
  /** The return must be applied for (CEB625) by then. */
  applyBy: Date;
  /** The goods must be back in the original site, zone or centre by then. */
  arriveBy: Date;
}

/** What a return is checked with, and the verdict. */
export interface ReturnWindowCheck extends ReturnDeadlines {
  /** When the return was applied for (or the time the check stood in for it). */
  appliedAt: Date;
  /** When the goods were back, when known. */
  arrivedAt?: Date | undefined;
  /** True when `appliedAt ≤ applyBy` and (when known) `arrivedAt ≤ arriveBy`. */
  within: boolean;
}

/** A Date argument that holds a time; anything else would give a verdict on nothing (QUOTA_INVALID). */
function validDate(value: Date, what: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new SandanError(
      'QUOTA_INVALID',
      `${what} must be a valid Date, got ${value instanceof Date ? 'an invalid Date' : typeof value}`,
    );
}

/** The end (23:59:59.999, Beijing) of the calendar day `days` days after the day of `from`. */
function endOfBeijingDayAfter(from: Date, days: number): Date {
  return new Date(endOfDay(addDays(from, days, { in: BEIJING }), { in: BEIJING }).getTime());
}

/**
 * The deadlines of a release. With `from-next-day` the release day is not counted (a period
 * counted in days starts the next day, 民法典第二百零一条), so a release on 2026-01-31 must be
 * applied for by the end of 2026-03-02 (30 days) and arrive by the end of 2026-03-17 (45 days);
 * with `from-release-day` the release day is day 1 and each deadline is a day earlier.
 */
export function returnDeadlines(releasedAt: Date, window: ReturnWindowPolicy): ReturnDeadlines {
  validDate(releasedAt, 'releasedAt');
  const { applyDays, arriveDays, dayCount } = (window ?? {}) as Partial<ReturnWindowPolicy>;
  if (
    ![applyDays, arriveDays].every((n) => Number.isSafeInteger(n) && (n as number) >= 0) ||
    (dayCount !== 'from-release-day' && dayCount !== 'from-next-day')
  )
    throw new SandanError(
      'QUOTA_INVALID',
      'A return window is { applyDays, arriveDays } in whole days and dayCount from-release-day or from-next-day',
    );
  // The deadlines depend on the Beijing release day alone: one calendar computation per day and window (sandan status
  // asks for every released order, and the zone look-ups were a third of its time).
  const key = `${beijingIsoDate(releasedAt)}|${applyDays}|${arriveDays}|${dayCount}`;
  let ends = deadlinesByDay.get(key);
  if (ends === undefined) {
    const shift = window.dayCount === 'from-release-day' ? -1 : 0;
    ends = [
      endOfBeijingDayAfter(releasedAt, window.applyDays + shift).getTime(),
      endOfBeijingDayAfter(releasedAt, window.arriveDays + shift).getTime(),
    ];
    // (bounded: a day each for some 27 years of releases, or start again)
    if (deadlinesByDay.size >= 10_000) deadlinesByDay.clear();
    deadlinesByDay.set(key, ends);
  }
  return { releasedAt, applyBy: new Date(ends[0]), arriveBy: new Date(ends[1]) };
}

/** The deadlines (ms) of each release day and window already computed. */
const deadlinesByDay = new Map<string, readonly [number, number]>();

/** The deadlines of a release under the window in force on its Beijing date (`windowOf`), when there is one. */
export function releaseDeadlines(
  releasedAt: Date,
  windowOf: (releaseDate: string) => ReturnWindowPolicy | undefined,
): (ReturnDeadlines & { policy: ReturnWindowPolicy }) | undefined {
  const policy = windowOf(beijingIsoDate(releasedAt));
  return policy && { policy, ...returnDeadlines(releasedAt, policy) };
}

/** The return window by release date (`YYYY-MM-DD`) from the bundled national ruleset, looked up once per date. */
export function nationalReturnWindow(): (releaseDate: string) => ReturnWindowPolicy | undefined {
  const seen = new Map<string, ReturnWindowPolicy | undefined>();
  return (date) => {
    if (!seen.has(date)) seen.set(date, defaultRegistry().resolve('national', date).policy.returnWindow);
    return seen.get(date);
  };
}

/** Checks a return against the window of its release. */
export function checkReturnWindow(
  releasedAt: Date,
  window: ReturnWindowPolicy,
  appliedAt: Date,
  arrivedAt?: Date,
): ReturnWindowCheck {
  const d = returnDeadlines(releasedAt, window);
  validDate(appliedAt, 'appliedAt');
  if (arrivedAt !== undefined) validDate(arrivedAt, 'arrivedAt');
  const within =
    appliedAt.getTime() <= d.applyBy.getTime() &&
    (arrivedAt === undefined || arrivedAt.getTime() <= d.arriveBy.getTime());
  return { ...d, appliedAt, ...(arrivedAt !== undefined && { arrivedAt }), within };
}
