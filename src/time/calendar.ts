import { tz } from '@date-fns/tz/tz';
import { addDays } from 'date-fns/addDays';

/*
 * Calendar arithmetic in Beijing time, through date-fns: kept apart from beijing.ts, which the model's schema imports
 * and which stays free of a zone library. Beijing has had no daylight saving since 1991; the zone still goes through
 * the tz database, so a host in New York adds Beijing days, not its own.
 */

/** The Beijing zone for date-fns' `in` option (return windows, the emulator's clock, dated settings). */
export const BEIJING = tz('Asia/Shanghai');

// A written day is a day of the calendar, in no zone: counted in UTC, which has no offset to change (the tz database
// gives Shanghai +08:05:43 before 1901, which moved 1900's midnights to the day before).
const CALENDAR = tz('UTC');

/** The calendar day after `day` (`YYYY-MM-DD`, a checked date), `YYYY-MM-DD`: dated settings' ends. */
export function isoDateAfter(day: string): string {
  return addDays(new Date(`${day}T00:00:00Z`), 1, { in: CALENDAR })
    .toISOString()
    .slice(0, 10);
}
