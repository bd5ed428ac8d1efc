import { describe, expect, it } from 'vitest';
import { toPolicy } from '../../src/rules/policy.js';

describe('toPolicy', () => {
  it('a ruleset that states no policy (one that extends nothing) gets the documented defaults, and no limits', () => {
    const p = toPolicy({}, {});
    expect({
      ...p,
      taxTolerance: p.taxTolerance.toFixed(),
    }).toEqual({
      singleTransactionLimit: undefined,
      annualLimit: undefined,
      singleItemFullTax: { allowed: false },
      generalTradeQuote: undefined,
      cbecTaxFactor: undefined,
      cbecDutyRate: undefined,
      // Customs computes to the fen, half up, per line (the national ruleset states the same).
      rounding: { mode: 'half-up', scale: 2, scope: 'line' },
      nonCashDiscountReducesBase: false,
      allocationRemainder: 'last-line',
      taxTolerance: '0',
      quotaBasis: 'dutiableValue',
      // The order value meets the limits as summed, not rounded to the fen first.
      dutiableValueRounding: 'exact',
      returnWindow: undefined,
      sources: {},
    });
  });

  it('a return window counts from the next day unless the ruleset says otherwise', () => {
    const w = { applyDays: 30, arriveDays: 45 };
    expect(toPolicy({ returnWindow: w } as never, {}).returnWindow).toEqual({ ...w, dayCount: 'from-next-day' });
    expect(toPolicy({ returnWindow: w, returnDayCount: 'from-release-day' } as never, {}).returnWindow?.dayCount).toBe(
      'from-release-day',
    );
  });
});
