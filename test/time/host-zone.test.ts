import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { addDuration, parseDuration } from '../../src/emulator/clock.js';
import { MemoryQuotaStore, QuotaLedger } from '../../src/quota/index.js';
import { returnDeadlines } from '../../src/quota/return-window.js';
import { beijingIso, beijingMillisOf, beijingYear, isoDateOfCeb, beijingDateTime14 } from '../../src/time/beijing.js';

/*
 * Customs keeps Beijing time (UTC+8, no daylight saving): no answer may depend on the zone of the machine sandan runs
 * on. Each property runs with the host zone set to zones with daylight saving (New York, Chatham's +12:45/+13:45), a
 * half-hour offset (Kolkata) and UTC; Node applies a change of process.env.TZ at once. Instants from 2016 (the CBEC
 * regime) to 2040, where Asia/Shanghai is UTC+8 throughout.
 */

const ZONES = ['America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'] as const;
const host = process.env.TZ;
afterEach(() => {
  if (host === undefined) delete process.env.TZ;
  else process.env.TZ = host;
});

const instant = fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2040, 0, 1) });
const DAY = 86_400_000;
/** The Beijing calendar day `n` days after the Beijing day of `t`, by the fixed offset (independent of date-fns). */
const beijingDayAfter = (t: number, n: number) => new Date(t + 8 * 3_600_000 + n * DAY).toISOString().slice(0, 10);

describe.each(ZONES)('with the host in %s', (zone) => {
  it('the emulator moves its clock by whole 24-hour Beijing days', () => {
    process.env.TZ = zone;
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 }), (t, n) => {
        expect(addDuration(new Date(t), parseDuration(`${n}d`)).getTime() - t).toBe(n * DAY);
        // (hours, minutes and seconds are added without the zone: one length everywhere)
        expect(addDuration(new Date(t), parseDuration(`${n}h`)).getTime() - t).toBe(n * 3_600_000);
        expect(addDuration(new Date(t), parseDuration(`${n}m`)).getTime() - t).toBe(n * 60_000);
      }),
    );
  });

  it('a return window ends at the last millisecond of the Beijing day so many days after the release', () => {
    process.env.TZ = zone;
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 60 }), fc.boolean(), (t, days, nextDay) => {
        const d = returnDeadlines(new Date(t), {
          applyDays: days,
          arriveDays: days + 15,
          dayCount: nextDay ? 'from-next-day' : 'from-release-day',
        });
        const shift = nextDay ? 0 : -1;
        expect(beijingIso(d.applyBy.getTime())).toBe(`${beijingDayAfter(t, days + shift)}T23:59:59.999+08:00`);
        expect(beijingIso(d.arriveBy.getTime())).toBe(`${beijingDayAfter(t, days + 15 + shift)}T23:59:59.999+08:00`);
      }),
    );
  });

  it('a CEB time round-trips, and its day and year are those of Asia/Shanghai', () => {
    process.env.TZ = zone;
    fc.assert(
      fc.property(instant, (t) => {
        const ms = Math.floor(t / 1000) * 1000;
        const text = beijingDateTime14(new Date(ms));
        const shanghai = new TZDate(ms, 'Asia/Shanghai');
        expect(beijingMillisOf(text)).toBe(ms);
        expect(isoDateOfCeb(text)).toBe(
          `${shanghai.getFullYear()}-${String(shanghai.getMonth() + 1).padStart(2, '0')}-${String(shanghai.getDate()).padStart(2, '0')}`,
        );
        expect(beijingYear(new Date(ms))).toBe(shanghai.getFullYear());
      }),
    );
  });

  it('an order counts in the quota of its Beijing calendar year (15:59:59.999Z on 31 December is still that year)', async () => {
    process.env.TZ = zone;
    const newYear = fc
      .integer({ min: 2019, max: 2039 })
      .chain((y) =>
        fc.integer({ min: Date.UTC(y, 11, 31, 12), max: Date.UTC(y, 11, 31, 20) }).map((t) => ({ y, t }) as const),
      );
    await fc.assert(
      fc.asyncProperty(newYear, async ({ y, t }) => {
        const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'host-zone test secret' });
        const r = await ledger.reserve('O-1', '11010519491231002X', '1', new Date(t));
        expect(r.ok && r.balance.year).toBe(t < Date.UTC(y, 11, 31, 16) ? y : y + 1);
      }),
      { numRuns: 40 },
    );
  });
});
