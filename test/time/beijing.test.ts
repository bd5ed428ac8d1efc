import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { parseInstant } from '../../src/quota/core.js';
import { validate } from '../../src/rules/validate.js';
import { DateSchema } from '../../src/rules/policy.js';
import {
  DATE_8,
  DATE_TIME_14,
  ISO_DATE,
  beijingDate8,
  beijingDateTime14,
  beijingDateTime17,
  beijingIso,
  beijingIsoDate,
  beijingMillis,
  beijingMillisOf,
  beijingTimeOption,
  beijingXsDateTime,
  beijingYear,
  instantText,
  isIsoDate,
  isoDateOfCeb,
  isoDateOption,
  isXsDate,
  isXsDateTime,
  isoMonthOfCeb,
  parseBeijingTime,
  yearOfIsoDate,
} from '../../src/time/beijing.js';
import { buildMessage } from '../../src/xml/index.js';
import { example } from '../helpers/examples.js';
import { exampleDeclaration, fixedEnv, SENDER } from '../xml/helpers.js';
import { needTool, skipWithout } from '../helpers/tools.js';

const H8 = 8 * 3_600_000;
const p = (n: number, w = 2) => String(n).padStart(w, '0');
/** The days of a month, found by the Date the other way round: day 0 of the next month is its last day. */
const monthDays = (y: number, m: number) => {
  const d = new Date(0);
  d.setUTCFullYear(y, m, 0);
  return d.getUTCDate();
};
/** The instant of Beijing wall-clock fields, computed apart from the module: UTC fields less 8 hours. */
const reference = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms) - H8;

/** Impossible values in every written form, as [14-digit, ISO date-time fields (no offset)]. */
const IMPOSSIBLE: Array<[string, string]> = [
  ['20260230100000', '2026-02-30T10:00:00'], // 30 February
  ['20260231100000', '2026-02-31T10:00:00'],
  ['20250229100000', '2025-02-29T10:00:00'], // not a leap year
  ['21000229100000', '2100-02-29T10:00:00'], // divisible by 100, not by 400
  ['19000229100000', '1900-02-29T10:00:00'],
  ['20260431100000', '2026-04-31T10:00:00'], // April has 30 days
  ['20261301100000', '2026-13-01T10:00:00'], // month 13
  ['20260001100000', '2026-00-01T10:00:00'], // month 0
  ['20260100100000', '2026-01-00T10:00:00'], // day 0
  ['20260132100000', '2026-01-32T10:00:00'],
  ['20260228240000', '2026-02-28T24:00:00'], // hour 24
  ['20260228236000', '2026-02-28T23:60:00'], // minute 60
  ['20260228235960', '2026-02-28T23:59:60'], // second 60 (no leap seconds)
  ['00001120101500', '0000-11-20T10:15:00'], // year 0000: no calendar has it (1 BC is followed by AD 1)
  ['00000229101500', '0000-02-29T10:15:00'], // (which the leap-year rule alone took for a leap year)
];

describe('impossible values are refused by every reader', () => {
  it.each(IMPOSSIBLE)('%s / %s', (fourteen, iso) => {
    const date8 = fourteen.slice(0, 8);
    const isoDate = iso.slice(0, 10);
    const dayIsBad = !/T(24|23:60|23:59:60)/.test(iso);
    expect(beijingMillis(fourteen)).toBeNaN();
    expect(beijingMillis(`${fourteen}000`)).toBeNaN();
    expect(beijingMillisOf(fourteen)).toBeNaN();
    expect(DATE_TIME_14.test(fourteen)).toBe(false);
    expect(isoDateOfCeb(fourteen)).toBeUndefined();
    expect(isoDateOfCeb(`${fourteen}000`)).toBeUndefined();
    expect(isoMonthOfCeb(fourteen)).toBeUndefined();
    // With an offset too: the written fields are checked, not the instant they would roll into.
    for (const suffix of ['', '+08:00', '+0800', 'Z', '-05:00', '.123+08:00']) {
      expect(beijingMillisOf(`${iso}${suffix}`), `${iso}${suffix}`).toBeNaN();
      expect(parseBeijingTime(`${iso}${suffix}`)).toBeUndefined();
      expect(() => beijingTimeOption(`${iso}${suffix}`, '--at', 'QUOTA_INVALID')).toThrow(
        `--at: ${JSON.stringify(`${iso}${suffix}`)} is not a real date and time`,
      );
    }
    if (dayIsBad) {
      expect(beijingMillisOf(date8)).toBeNaN();
      expect(beijingMillisOf(isoDate)).toBeNaN();
      expect(DATE_8.test(date8)).toBe(false);
      expect(ISO_DATE.test(isoDate)).toBe(false);
      expect(isIsoDate(isoDate)).toBe(false);
      expect(isoDateOfCeb(date8)).toBeUndefined();
      expect(isoMonthOfCeb(date8)).toBeUndefined();
      expect(yearOfIsoDate(isoDate)).toBeNaN();
      expect(() => isoDateOption(isoDate, 'at', 'INVALID_OPTION')).toThrow(
        `at: ${JSON.stringify(isoDate)} is not a real date (YYYY-MM-DD)`,
      );
      expect(DateSchema.safeParse(isoDate).success).toBe(false);
    }
  });

  it('refuses impossible offsets, and text that is no time at all', () => {
    for (const bad of [
      '2026-02-28T10:00:00+24:00',
      '2026-02-28T10:00:00+08:60',
      '2026-02-28T10:00:00+8:00',
      '2026-02-28T10',
      '2026-2-28',
      '2026022810000',
      '202602281000000',
      '2026-02-28T10:00:00 +08:00',
      '2026-02-28T10:00:00.+08:00',
      'March 1, 2026',
      '',
      '   ',
    ])
      expect(beijingMillisOf(bad), bad).toBeNaN();
    expect(beijingMillis(undefined)).toBeNaN();
    expect(beijingMillisOf(undefined)).toBeNaN();
    expect(beijingMillisOf(new Date(Number.NaN))).toBeNaN();
    expect(() => beijingTimeOption('yesterday', 'now', 'INVALID_OPTION')).toThrow(
      'now must be an ISO 8601 date-time, YYYY-MM-DD or yyyyMMddHHmmss (Beijing time), got "yesterday"',
    );
    expect(() => beijingTimeOption(42, 'at', 'QUOTA_INVALID')).toThrow(/at must be a Date, an ISO 8601/);
    expect(() => beijingTimeOption(new Date(Number.NaN), 'at', 'QUOTA_INVALID')).toThrow('at is an invalid Date');
    expect(() => isoDateOption('yesterday', 'at', 'INVALID_OPTION')).toThrow(
      'at must be a date as YYYY-MM-DD, got "yesterday"',
    );
  });

  it('throws a SandanError with the code of the caller', () => {
    for (const code of ['QUOTA_INVALID', 'INVALID_OPTION'] as const) {
      try {
        beijingTimeOption('2026-02-30T10:00:00+08:00', '--at', code);
        expect.unreachable();
      } catch (e) {
        expect(isSandanError(e) && e.code).toBe(code);
      }
    }
    expect(() => parseInstant('2026-02-30T10:00:00+08:00', '--at')).toThrow(
      expect.objectContaining({ code: 'QUOTA_INVALID' }),
    );
  });

  it('takes 29 February in leap years only', () => {
    for (const [y, ok] of [
      [2024, true],
      [2000, true],
      [2400, true],
      [2028, true],
      [2025, false],
      [2100, false],
      [1900, false],
      [2200, false],
    ] as const) {
      expect(isIsoDate(`${y}-02-29`), String(y)).toBe(ok);
      expect(DATE_8.test(`${y}0229`)).toBe(ok);
      expect(DATE_TIME_14.test(`${y}0229120000`)).toBe(ok);
      expect(Number.isNaN(beijingMillis(`${y}0229120000`))).toBe(!ok);
      expect(Number.isNaN(beijingMillisOf(`${y}-02-29T12:00:00+08:00`))).toBe(!ok);
    }
    expect(beijingMillisOf('2024-02-29')).toBe(reference(2024, 2, 29));
    expect(parseInstant('2024-02-29T23:59:59.999+08:00').toISOString()).toBe('2024-02-29T15:59:59.999Z');
  });
});

describe('reading', () => {
  it('reads every form sandan meets (hand-computed: Beijing 2026-11-20 10:17:00 is 02:17:00 UTC)', () => {
    const t = Date.parse('2026-11-20T02:17:00.000Z');
    expect(beijingMillis('20261120101700')).toBe(t);
    expect(beijingMillis('20261120101700001')).toBe(t + 1);
    expect(beijingMillis(' 20261120101700 \n')).toBe(t);
    // white space at one end only, either end
    expect([beijingMillis('20261120101700 '), beijingMillis('\t20261120101700')]).toEqual([t, t]);
    // an offset up to 23:59 is read (ISO 8601 sets no smaller bound); 24:00 is none
    expect(beijingMillisOf('2026-11-20T10:17:00+23:00')).toBe(Date.UTC(2026, 10, 19, 11, 17));
    expect(beijingMillisOf('2026-11-20T10:17:00+24:00')).toBeNaN();
    expect(beijingMillisOf('2026-11-20T10:17:00')).toBe(t);
    expect(beijingMillisOf('2026-11-20 10:17')).toBe(t);
    expect(beijingMillisOf('2026-11-20T10:17:00+08:00')).toBe(t);
    expect(beijingMillisOf('2026-11-20T10:17:00+0800')).toBe(t);
    expect(beijingMillisOf('2026-11-20T02:17:00Z')).toBe(t);
    expect(beijingMillisOf('2026-11-20T02:17Z')).toBe(t); // 17 characters, like a receipt returnTime
    expect(beijingMillisOf('2026-11-20T10:17+08')).toBeNaN();
    expect(beijingMillisOf('2026-11-20t02:17:00z')).toBe(t);
    expect(beijingMillisOf('2026-11-19T21:17:00-05:00')).toBe(t);
    expect(beijingMillisOf('2026-11-20T07:47:00+05:30')).toBe(t);
    expect(beijingMillisOf('2026-11-20T10:17:00.0019+08:00')).toBe(t + 1);
    expect(beijingMillisOf('2026-11-20T10:17:00.5')).toBe(t + 500);
    // A day alone is its Beijing midnight: 2026-11-20 00:00 Beijing = 2026-11-19 16:00 UTC.
    expect(beijingMillisOf('20261120')).toBe(Date.parse('2026-11-19T16:00:00Z'));
    expect(beijingMillisOf('2026-11-20')).toBe(Date.parse('2026-11-19T16:00:00Z'));
    const d = new Date(t);
    expect(beijingMillisOf(d)).toBe(t);
    expect(parseBeijingTime(d)).toBe(d);
    expect(parseBeijingTime('20261120101700')?.getTime()).toBe(t);
    // Years before 100 are not read as 19xx (Date.UTC would).
    expect(new Date(beijingMillisOf('0050-01-01T08:00:00')).toISOString()).toBe('0050-01-01T00:00:00.000Z');
  });

  it('writes Beijing time whatever the instant (hand-computed: 2025-12-31T16:00:00Z is 2026-01-01 00:00 in Beijing)', () => {
    const d = new Date('2025-12-31T16:00:00.007Z');
    expect(beijingDateTime14(d)).toBe('20260101000000');
    expect(beijingDateTime17(d)).toBe('20260101000000007');
    expect(beijingDate8(d)).toBe('20260101');
    expect(beijingIsoDate(d)).toBe('2026-01-01');
    expect(beijingXsDateTime(d)).toBe('2026-01-01T00:00:00');
    expect(beijingIso(d.getTime())).toBe('2026-01-01T00:00:00.007+08:00');
    expect(beijingIso(Number.NaN)).toBe('');
    expect(beijingYear(d)).toBe(2026);
    expect(beijingYear(new Date('2025-12-31T15:59:59.999Z'))).toBe(2025);
  });

  it('refuses to write an invalid Date, a year beyond 9999 and a non-Date with a SandanError (was a RangeError)', () => {
    const misuse = { name: 'SandanError', code: 'INVALID_OPTION' };
    for (const write of [beijingDateTime14, beijingDateTime17, beijingDate8, beijingIsoDate, beijingXsDateTime]) {
      expect(() => write(new Date(Number.NaN))).toThrow(expect.objectContaining(misuse));
      // 9999-12-31T16:00:00Z is already 10000-01-01 in Beijing.
      expect(() => write(new Date('9999-12-31T16:00:00Z'))).toThrow(expect.objectContaining(misuse));
      expect(write(new Date('9999-12-31T15:59:59Z')).startsWith('9999')).toBe(true);
      expect(() => write('2026-11-20' as never)).toThrow(expect.objectContaining(misuse));
    }
    expect(() => beijingIso(8.64e15)).toThrow(/year outside 0000-9999/);
    expect(() => beijingIso(1e20)).toThrow(expect.objectContaining(misuse));
  });
});

// Any 4-digit year, with the century years (where the leap rule turns) drawn as often as the rest.
const year = fc.oneof(
  fc.integer({ min: 0, max: 9999 }),
  fc.integer({ min: 0, max: 99 }).map((c) => c * 100),
);
// Instants from 1970 to 2100, whole milliseconds.
const instant = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) - 1 });
/** Valid Beijing wall-clock fields, 1970–2099; the day bounded by the month's length found apart. */
const fields = fc
  .record({
    y: fc.integer({ min: 1970, max: 2099 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 31 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    ms: fc.integer({ min: 0, max: 999 }),
  })
  .map((f) => ({ ...f, d: Math.min(f.d, monthDays(f.y, f.mo)) }));

/**
 * `yyyyMMddHHmmssSSS` digits with each field drawn across and past its range, so that real and
 * impossible times both come up often.
 */
const anyDigits17 = fc
  .tuple(
    year,
    fc.oneof(fc.constant(2), fc.integer({ min: 0, max: 19 })),
    fc.oneof(fc.integer({ min: 28, max: 31 }), fc.integer({ min: 0, max: 39 })),
    fc.integer({ min: 0, max: 29 }),
    fc.integer({ min: 0, max: 69 }),
    fc.integer({ min: 0, max: 69 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([y, mo, d, h, mi, s, ms]) => `${p(y, 4)}${p(mo)}${p(d)}${p(h)}${p(mi)}${p(s)}${p(ms, 3)}`);

describe('the day, month and year of CEB fields', () => {
  it('reads the Beijing day of every CEB time form (hand-made cases)', () => {
    expect(isoDateOfCeb('20261120')).toBe('2026-11-20');
    expect(isoDateOfCeb('20261120101700')).toBe('2026-11-20');
    expect(isoDateOfCeb('20261120101700001')).toBe('2026-11-20');
    expect(isoDateOfCeb(' 20240229 ')).toBe('2024-02-29');
    expect([isoDateOfCeb('20240229 '), isoDateOfCeb('\n20240229')]).toEqual(['2024-02-29', '2024-02-29']);
    expect(isoMonthOfCeb('20261120101700001')).toBe('2026-11');
    expect(isoMonthOfCeb('20240229')).toBe('2024-02');
    // A real day with an impossible time is no CEB time: the whole field is checked, not its first 8 digits.
    expect(isoDateOfCeb('20261120241700')).toBeUndefined();
    // Neither are other lengths, other characters, or other forms.
    for (const bad of [
      '2026112',
      '202611201',
      '2026112010170',
      '20261120T101700',
      '2026-11-20',
      '+2026112',
      '',
      42,
      undefined,
      null,
    ])
      expect(isoDateOfCeb(bad), String(bad)).toBeUndefined();
    // Month 13 used to make a month "2026-13" in reconciliation reports.
    expect(isoMonthOfCeb('20261345')).toBeUndefined();
    expect(isoMonthOfCeb('20261301')).toBeUndefined();
    expect(yearOfIsoDate('2026-11-20')).toBe(2026);
    expect(yearOfIsoDate('0050-01-01')).toBe(50);
    expect(yearOfIsoDate('2026-1-20')).toBeNaN();
    expect(yearOfIsoDate('20261120')).toBeNaN();
  });

  it('agrees with the instant readers on any 8-, 14- or 17-digit text', () => {
    const text = fc.tuple(anyDigits17, fc.constantFrom(8, 14, 17)).map(([s, n]) => s.slice(0, n));
    fc.assert(
      fc.property(text, (s) => {
        const t = beijingMillisOf(s);
        const day = isoDateOfCeb(s);
        expect(day === undefined).toBe(Number.isNaN(t));
        if (day === undefined) return;
        // The Beijing day of the instant read, written by the formatter.
        expect(day).toBe(beijingIsoDate(new Date(t)));
        expect(isoMonthOfCeb(s)).toBe(day.slice(0, 7));
        expect(isIsoDate(day)).toBe(true);
        expect(yearOfIsoDate(day)).toBe(Number(s.slice(0, 4)));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('properties', () => {
  it('format → parse gives back the instant (to the precision of the form)', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const d = new Date(t);
        const second = t - (t % 1000);
        const day = reference(...(beijingIsoDate(d).split('-').map(Number) as [number, number, number]));
        expect(beijingMillis(beijingDateTime17(d))).toBe(t);
        expect(beijingMillis(beijingDateTime14(d))).toBe(second);
        expect(beijingMillisOf(beijingIso(t))).toBe(t);
        expect(beijingMillisOf(beijingXsDateTime(d))).toBe(second);
        expect(beijingMillisOf(beijingDate8(d))).toBe(day);
        expect(beijingMillisOf(beijingIsoDate(d))).toBe(day);
        expect(t - day).toBeGreaterThanOrEqual(0);
        expect(t - day).toBeLessThan(86_400_000);
        expect(beijingMillisOf(d.toISOString())).toBe(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('every valid y/m/d h:m:s reads as Date.UTC of the fields less 8 hours, in every form', () => {
    fc.assert(
      fc.property(fields, fc.integer({ min: -12 * 60, max: 14 * 60 }), ({ y, mo, d, h, mi, s, ms }, offset) => {
        const ref = reference(y, mo, d, h, mi, s);
        const date = `${y}-${p(mo)}-${p(d)}`;
        const time = `${p(h)}:${p(mi)}:${p(s)}`;
        const digits = `${y}${p(mo)}${p(d)}${p(h)}${p(mi)}${p(s)}`;
        expect(DATE_TIME_14.test(digits)).toBe(true);
        expect(beijingMillis(digits)).toBe(ref);
        expect(beijingMillis(`${digits}${p(ms, 3)}`)).toBe(ref + ms);
        expect(beijingMillisOf(`${date}T${time}`)).toBe(ref);
        expect(beijingMillisOf(`${date} ${time}.${p(ms, 3)}`)).toBe(ref + ms);
        expect(beijingMillisOf(`${date}T${time}+08:00`)).toBe(ref);
        expect(beijingMillisOf(`${date}T${time}Z`)).toBe(ref + H8);
        expect(beijingMillisOf(`${date}T${p(h)}:${p(mi)}Z`)).toBe(Date.UTC(y, mo - 1, d, h, mi));
        const sign = offset < 0 ? '-' : '+';
        const o = `${sign}${p(Math.floor(Math.abs(offset) / 60))}:${p(Math.abs(offset) % 60)}`;
        expect(beijingMillisOf(`${date}T${time}${o}`)).toBe(Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000);
        expect(beijingMillisOf(`${date}T${time}${o.replace(':', '')}`)).toBe(
          Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000,
        );
        expect(beijingMillisOf(date)).toBe(reference(y, mo, d));
        expect(beijingMillisOf(digits.slice(0, 8))).toBe(reference(y, mo, d));
        expect(isIsoDate(date)).toBe(true);
        expect(beijingDateTime14(new Date(ref))).toBe(digits);
      }),
      { numRuns: 2000 },
    );
  });

  it('a day past the end of its month, or a field out of range, is refused in every form', () => {
    const past = fc
      .record({ y: year, mo: fc.oneof(fc.constant(2), fc.integer({ min: 1, max: 12 })), extra: fc.nat(5) })
      .map(({ y, mo, extra }) => `${p(y, 4)}-${p(mo)}-${p(Math.min(monthDays(y, mo) + 1 + extra, 99))}`)
      .filter((s) => Number(s.slice(8)) <= 99);
    fc.assert(
      fc.property(past, (date) => {
        expect(isIsoDate(date)).toBe(false);
        expect(beijingMillisOf(date)).toBeNaN();
        expect(beijingMillisOf(`${date}T12:00:00+08:00`)).toBeNaN();
        expect(beijingMillis(`${date.replaceAll('-', '')}120000`)).toBeNaN();
      }),
    );
  });

  it('the patterns and the parsers agree on any 14-digit text', () => {
    const text = anyDigits17.map((s) => s.slice(0, 14));
    fc.assert(
      fc.property(text, (s) => {
        const ok = !Number.isNaN(beijingMillis(s));
        expect(DATE_TIME_14.test(s)).toBe(ok);
        const dayOk = !Number.isNaN(beijingMillisOf(s.slice(0, 8)));
        expect(DATE_8.test(s.slice(0, 8))).toBe(dayOk);
        expect(isIsoDate(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`)).toBe(dayOk);
      }),
      { numRuns: 5000 },
    );
  });

  it('writes what date-fns writes in the tz database zone Asia/Shanghai (since 1992, no daylight saving)', () => {
    const since1992 = fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) - 1 });
    fc.assert(
      fc.property(since1992, (t) => {
        const z = new TZDate(t, 'Asia/Shanghai');
        expect(beijingDateTime17(new Date(t))).toBe(format(z, 'yyyyMMddHHmmssSSS'));
        expect(beijingIso(t)).toBe(format(z, "yyyy-MM-dd'T'HH:mm:ss.SSSxxx"));
        expect(beijingYear(new Date(t))).toBe(z.getFullYear());
        // And reads back what TZDate builds from the fields.
        const back = new TZDate(
          z.getFullYear(),
          z.getMonth(),
          z.getDate(),
          z.getHours(),
          z.getMinutes(),
          z.getSeconds(),
          z.getMilliseconds(),
          'Asia/Shanghai',
        );
        expect(beijingMillis(format(z, 'yyyyMMddHHmmssSSS'))).toBe(back.getTime());
      }),
      { numRuns: 1000 },
    );
  });
});

describe('declarations', () => {
  it('reports an impossible appTime, payTime or declTime as a field-format issue', () => {
    const d = example('hangzhou-1210');
    d.order.appTime = '20260230101500';
    d.payment.payTime = '20261120240000';
    d.inventory.declTime = '20250229';
    d.logistics.appTime = '00001120101500';
    const r = validate(d);
    const issues = r.issues.filter((i) => i.code === 'field-format').map((i) => [i.path, i.actual]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['order.appTime', '"20260230101500"'],
        ['payment.payTime', '"20261120240000"'],
        ['inventory.declTime', '"20250229"'],
        ['logistics.appTime', '"00001120101500"'],
      ]),
    );
    expect(r.valid).toBe(false);
    const msg = r.issues.find((i) => i.path === 'order.appTime')?.message;
    expect(msg?.en).toMatch(/must be a time as yyyyMMddHHmmss, got "20260230101500"/);
    expect(msg?.zh).toMatch(/yyyyMMddHHmmss/);
  });

  it('takes the policy date from a real declTime only, and refuses an impossible --at', () => {
    const d = example('hangzhou-1210');
    d.inventory.declTime = '20240229';
    expect(validate(d).ruleset.at).toBe('2024-02-29');
    expect(() => validate(d, { at: '2026-02-30' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: 'at: "2026-02-30" is not a real date (YYYY-MM-DD)' }),
    );
  });

  it('refuses an impossible appTime option when building', () => {
    const base = { ...fixedEnv(), sender: SENDER };
    const order = exampleDeclaration('hangzhou-1210').order;
    expect(() => buildMessage('CEB311', order, { ...base, appTime: '20260230101500' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: 'appTime must be a real time as yyyyMMddHHmmss (Beijing time), got "20260230101500"',
      }),
    );
    const r = buildMessage('CEB311', order, { ...base, appTime: '20240229101500' });
    expect(r.ok && r.xml).toContain('<ceb:appTime>20240229101500</ceb:appTime>');
  });
});

describe('isXsDateTime (what the XSDs’ xs:dateTime fields take)', () => {
  // [value, accepted, why] — XML Schema 1.0 Part 2, §3.2.7 dateTime
  const cases: Array<[string, boolean, string]> = [
    ['2026-11-20T10:20:30', true, 'no zone'],
    ['2026-11-20T10:20:30Z', true, 'UTC'],
    ['2026-11-20T10:20:30+08:00', true, 'Beijing'],
    ['2026-11-20T10:20:30.123456789Z', true, 'any number of fraction digits'],
    ['2026-11-20T10:59:59', true, 'the last minute and second'],
    ['2026-11-20T24:00:00', true, 'the end of the day'],
    ['2026-11-20T24:00:00.000', true, 'the end of the day, a zero fraction'],
    ['2026-11-20T24:00:00.5', false, 'past the end of the day'],
    ['2026-11-20T24:01:00', false, 'hour 24 with minutes'],
    ['2026-11-20T24:00:01', false, 'hour 24 with seconds'],
    ['2026-11-20T25:00:00', false, 'hour 25'],
    ['2026-11-20T10:60:00', false, 'minute 60'],
    ['2026-11-20T10:20:60', false, 'second 60'],
    ['0000-01-01T00:00:00', false, 'year 0 (XSD 1.0 has none)'],
    ['-0001-01-01T00:00:00', true, 'a negative year'],
    ['12026-11-20T10:20:30', true, 'a five-digit year'],
    ['2026-11-20T10:20:30+14:00', true, 'the largest zone'],
    ['2026-11-20T10:20:30-14:00', true, 'the smallest zone'],
    ['2026-11-20T10:20:30+13:59', true, 'a zone just inside'],
    ['2026-11-20T10:20:30+14:01', false, 'a zone past 14:00'],
    ['2026-11-20T10:20:30+08:60', false, 'zone minute 60'],
    ['2024-02-29T00:00:00', true, 'a leap day'],
    ['2026-02-29T00:00:00', false, 'no leap day in 2026'],
    ['2026-02-30T10:00:00', false, 'no 30 February, whatever the hour'],
    ['2026-11-31T00:00:00', false, 'no 31 November'],
    ['2026-11-20 10:20:30', false, 'a space for T'],
  ];

  it.each(cases)('%s: %s (%s)', (value, accepted) => {
    expect(isXsDateTime(value)).toBe(accepted);
  });

  it('white space around the value is collapsed away, as the type’s whiteSpace facet says', () => {
    expect(isXsDateTime(' \n2026-11-20T10:20:30+08:00\t ')).toBe(true);
    expect(isXsDateTime('\u30002026-11-20T10:20:30')).toBe(false); // U+3000 is no XML white space
  });

  it.skipIf(skipWithout('xmllint'))('xmllint (libxml2) gives the same verdicts', () => {
    expect(xmllintDisagrees('dateTime', cases)).toEqual([]);
  });
});

/** The values of `cases` whose verdict xmllint (libxml2), validating them as an element of XSD type `xs:<type>`, differs from. */
function xmllintDisagrees(type: string, cases: readonly (readonly [string, boolean, string])[]): string[] {
  needTool('xmllint');
  const dir = mkdtempSync(join(tmpdir(), `sandan-${type}-`));
  try {
    const xsd = join(dir, 't.xsd');
    writeFileSync(
      xsd,
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="t" type="xs:${type}"/></xs:schema>`,
    );
    return cases
      .filter(([value, accepted], i) => {
        const file = join(dir, `${i}.xml`);
        writeFileSync(file, `<t>${value}</t>`);
        return (spawnSync('xmllint', ['--noout', '--schema', xsd, file]).status === 0) !== accepted;
      })
      .map(([value]) => value);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('isXsDate', () => {
  const cases: [string, boolean, string][] = [
    ['2026-11-20', true, 'a date'],
    ['2026-11-20Z', true, 'in UTC'],
    ['2026-11-20+14:00', true, 'the largest zone'],
    ['2026-11-20-14:00', true, 'the smallest zone'],
    ['2026-11-20+14:01', false, 'a zone past 14:00'],
    ['2026-11-20+08:60', false, 'zone minute 60'],
    ['2026-11-20T12:00:02', false, 'a date and time'],
    ['2024-02-29', true, 'a leap day'],
    ['2026-02-29', false, 'no leap day in 2026'],
    ['0000-01-01', false, 'year 0'],
    ['-0001-01-01', true, 'a negative year'],
    ['2026-1-20', false, 'a one-digit month'],
  ];

  it.each(cases)('%s: %s (%s)', (value, accepted) => {
    expect(isXsDate(value)).toBe(accepted);
  });

  it('white space around the value is collapsed away, as the type’s whiteSpace facet says', () => {
    expect(isXsDate(' \n2026-11-20\t ')).toBe(true);
    expect(isXsDate('\u30002026-11-20')).toBe(false); // U+3000 is no XML white space
  });

  it.skipIf(skipWithout('xmllint'))('xmllint (libxml2) gives the same verdicts', () => {
    expect(xmllintDisagrees('date', cases)).toEqual([]);
  });
});

describe('instantText', () => {
  it('is Beijing ISO while the Beijing year is 0000–9999, and UTC ISO past it (a certificate that never expires)', () => {
    expect(instantText(Date.parse('2026-11-20T02:15:00Z'))).toBe('2026-11-20T10:15:00.000+08:00');
    // 15:59:59.999Z on 31 December 9999 is Beijing's last millisecond of year 9999; one later is year 10000.
    expect(instantText(Date.parse('9999-12-31T15:59:59.999Z'))).toBe('9999-12-31T23:59:59.999+08:00');
    expect(instantText(Date.parse('9999-12-31T16:00:00Z'))).toBe('9999-12-31T16:00:00.000Z');
    expect(instantText(Date.parse('9999-12-31T23:59:59Z'))).toBe('9999-12-31T23:59:59.000Z');
    expect(() => beijingIso(Date.parse('9999-12-31T23:59:59Z'))).toThrow(/year outside 0000-9999/);
    expect(instantText(Number.NaN)).toBe('');
    expect(instantText(9e15)).toBe('');
  });
});
