import { describe, expect, it } from 'vitest';
import { declarationFacts, monthOf, orphanRow } from '../../src/reconcile/facts.js';
import type { StoredBill } from '../../src/reconcile/store.js';
import { declarationDate } from '../../src/rules/declaration-date.js';

// The month a reconciliation row is filed under comes from a CEB time (declTime yyyyMMdd, appTime
// yyyyMMddHHmmss, receipt returnTime yyyyMMddHHmmssSSS), already Beijing local time. It is read
// only from a time that exists: before, any six leading digits made a month, so `20261345` was
// filed under `2026-13`.

describe('monthOf', () => {
  it('reads the month of a real declTime, appTime or returnTime', () => {
    expect(monthOf('20260115')).toBe('2026-01');
    expect(monthOf('20261231235959')).toBe('2026-12');
    expect(monthOf('20240229120000000')).toBe('2024-02');
    expect(monthOf(' 20260701 ')).toBe('2026-07');
  });

  it('refuses a time that does not exist or is not a whole CEB time', () => {
    expect(monthOf('20261345')).toBe('unknown'); // month 13
    expect(monthOf('20260001')).toBe('unknown'); // month 0
    expect(monthOf('20260230')).toBe('unknown'); // 30 February
    expect(monthOf('20250229103000')).toBe('unknown'); // 2025 is not a leap year
    expect(monthOf('20260115250000')).toBe('unknown'); // hour 25
    expect(monthOf('202601')).toBe('unknown'); // six digits are no date
    expect(monthOf('20260115x')).toBe('unknown');
    expect(monthOf('2026-01-15')).toBe('unknown');
    expect(monthOf('')).toBe('unknown');
    expect(monthOf(undefined)).toBe('unknown');
  });
});

describe('rows are filed under a real month only', () => {
  const noTax = () => ({ ok: false as const, issues: [] });

  it('a declaration whose declTime names month 13 is filed by its appTime, the date validate reads; without one, under unknown', () => {
    const facts = (declTime: unknown, appTime = '20260115103000') =>
      declarationFacts(
        { line: 1, value: { order: { orderNo: 'O1', appTime }, inventory: { invtNo: 'I1', declTime } } },
        noTax,
      ).month;
    expect(facts('20260216')).toBe('2026-02');
    // (it was `unknown` while validate dated the declaration, and the tax calculator taxed it, by the appTime)
    for (const declTime of ['20261345', '20250229', '00001120', 20260216, undefined]) {
      const month = facts(declTime);
      expect(month, String(declTime)).toBe('2026-01');
      expect(month, String(declTime)).toBe(
        declarationDate({ order: { appTime: '20260115103000' }, inventory: { declTime } })?.slice(0, 7),
      );
    }
    expect(facts('20261345', '20261345103000')).toBe('unknown');
  });

  it('a bill without a declaration, returned at an impossible time, is filed under unknown', () => {
    const bill = (returnTime: string): StoredBill => ({
      invtNo: 'I9',
      taxNo: 'T9',
      returnTime,
      status: '1',
      customsCode: '2900',
      customsTax: '0',
      consumptionTax: '0',
      valueAddedTax: '1.00',
      void: false,
    });
    expect(orphanRow([bill('20260301080000000')]).month).toBe('2026-03');
    expect(orphanRow([bill('20261345080000000')]).month).toBe('unknown');
  });
});
