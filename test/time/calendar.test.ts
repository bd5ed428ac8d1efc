import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISO_DATE } from '../../src/time/beijing.js';
import { isoDateAfter } from '../../src/time/calendar.js';

describe('isoDateAfter: the next Beijing calendar day', () => {
  it.each([
    ['2026-01-31', '2026-02-01'],
    ['2026-02-28', '2026-03-01'], // 2026 is no leap year
    ['2024-02-28', '2024-02-29'], // 2024 is
    ['2024-02-29', '2024-03-01'],
    ['1900-02-28', '1900-03-01'], // divisible by 100, not by 400: no 29th
    ['2000-02-28', '2000-02-29'], // divisible by 400
    ['2025-12-31', '2026-01-01'],
    ['2026-03-08', '2026-03-09'], // the night New York's clocks go forward
    ['2026-11-01', '2026-11-02'], // and back
    ['9999-12-30', '9999-12-31'],
  ])('%s → %s', (day, next) => {
    expect(isoDateAfter(day)).toBe(next);
  });

  it('is one day later by the text of every real date (against UTC arithmetic on the written fields)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          expect(ISO_DATE.test(day)).toBe(true);
          const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
          expect(isoDateAfter(day)).toBe(next);
        },
      ),
    );
  });
});
