import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tz } from '@date-fns/tz';
import { isBefore, parseISO } from 'date-fns';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { commonDates, endsBeforeItStarts } from '../../src/time/beijing.js';

// A span of days whose last day comes before its first is in force on no day: one helper says so (src/time) for every
// dated value (rulesets, code tables, rate tables, positive-list editions, spans in common).

const ROOT = new URL('../..', import.meta.url).pathname;
const host = process.env.TZ;
afterEach(() => {
  if (host === undefined) delete process.env.TZ;
  else process.env.TZ = host;
});

/** A real `YYYY-MM-DD` from 2016 to 2040 (written by the fixed UTC+8 offset, independent of date-fns). */
const day = fc
  .integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2040, 0, 1) })
  .map((t) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10));

describe('endsBeforeItStarts', () => {
  it('is true only when both bounds are given and the last day is before the first; a one-day span is no error', () => {
    expect(endsBeforeItStarts('2026-11-20', '2026-11-19')).toBe(true);
    expect(endsBeforeItStarts('2026-11-20', '2026-11-20')).toBe(false);
    expect(endsBeforeItStarts('2026-11-20', '2026-11-21')).toBe(false);
    expect(endsBeforeItStarts('2027-01-01', '2026-12-31')).toBe(true);
    expect(endsBeforeItStarts(undefined, '2026-11-19')).toBe(false);
    expect(endsBeforeItStarts('2026-11-20', undefined)).toBe(false);
    expect(commonDates({ effectiveFrom: '2026-01-01' }, { effectiveTo: '2025-12-31' })).toBeUndefined();
    expect(commonDates({ effectiveFrom: '2026-01-01' }, { effectiveTo: '2026-01-01' })).toEqual({
      from: '2026-01-01',
      to: '2026-01-01',
    });
  });

  it.each(['America/New_York', 'Pacific/Chatham', 'Asia/Kolkata', 'UTC'])(
    'orders Beijing calendar days as the calendar does, whatever the host zone (%s)',
    (zone) => {
      process.env.TZ = zone;
      // (the oracle: date-fns reading both days in Beijing's zone)
      const beijing = (d: string) => parseISO(d, { in: tz('Asia/Shanghai') });
      fc.assert(
        fc.property(day, day, (from, to) => endsBeforeItStarts(from, to) === isBefore(beijing(to), beijing(from))),
      );
    },
  );

  it('is the only from/to check in src/: no range compared by hand elsewhere (there were five)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const byHand = /\b\w*(?:To|to)\s*<\s*[\w.]*(?:From|from)\b|\b\w*(?:From|from)\s*>\s*[\w.]*(?:To|to)\b/;
    const found = files(join(ROOT, 'src'))
      .filter((f) => !f.endsWith(join('src', 'time', 'beijing.ts')))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => byHand.test(l))
          .map((l) => `${f.slice(ROOT.length)}: ${l.trim()}`),
      );
    expect(found).toEqual([]);
  });
});
