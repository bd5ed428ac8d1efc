import { describe, expect, it } from 'vitest';
import { defaultRegistry, type Policy } from '../../src/index.js';
import { missingRegimeValues, toTaxPolicy } from '../../src/rules/tax-policy.js';

const REGIME = ['singleTransactionLimit', 'annualLimit', 'cbecTaxFactor', 'cbecDutyRate'] as const;
const policyOn = (at: string): Policy => defaultRegistry().resolve('national', at).policy;

describe('toTaxPolicy and missingRegimeValues read one list of regime values', () => {
  it('a day with the regime: nothing missing, the four values carried over', () => {
    const policy = policyOn('2026-06-01');
    expect(missingRegimeValues(policy)).toEqual([]);
    const tax = toTaxPolicy(policy);
    for (const key of REGIME) expect(tax?.[key]).toBe(policy[key]);
  });

  it('a day before the regime: all four missing, no tax policy', () => {
    const policy = policyOn('2016-04-07');
    expect(missingRegimeValues(policy)).toEqual([...REGIME]);
    expect(toTaxPolicy(policy)).toBeUndefined();
  });

  it.each(REGIME)('without %s alone (undefined, or null from JavaScript): that one missing, no tax policy', (key) => {
    for (const gone of [undefined, null]) {
      const policy = { ...policyOn('2026-06-01'), [key]: gone } as Policy;
      expect(missingRegimeValues(policy)).toEqual([key]);
      expect(toTaxPolicy(policy)).toBeUndefined();
    }
  });
});

describe('the national rounding policy cites the tax-collection measures in force on the day', () => {
  // 海关总署令第124号 until 2024-11-30; 第272号 (公布 2024-10-28, in force 2024-12-01, 第八十四条 repeals 124号),
  // whose 第十九条 rounds each tax amount half-up to the fen. The value itself did not change that day.
  it('the same value on 2024-11-30 and 2024-12-01, cited to 124号 and then to 272号', () => {
    const before = policyOn('2024-11-30');
    const after = policyOn('2024-12-01');
    expect(after.rounding).toEqual(before.rounding);
    expect(after.rounding).toEqual({ mode: 'half-up', scale: 2, scope: 'line', intermediate: 'exact' });
    expect(before.sources.rounding).toContain('海关总署令第124号');
    expect(before.sources.rounding).not.toContain('海关总署令第272号');
    // (the order's entry cites its 第四条 too, for parties/assure-code: the rounding articles follow it)
    expect(after.sources.rounding).toMatch(/^海关总署令第272号 第四条: .*第十三条: 进出口货物的价格/);
    expect(after.sources.rounding).toContain(
      '第十九条: 关税、进口环节海关代征税、滞纳金、利息等应当以人民币计算，采用四舍五入法计算至分。',
    );
    expect(after.sources.rounding).not.toContain('海关总署令第124号');
  });
});
