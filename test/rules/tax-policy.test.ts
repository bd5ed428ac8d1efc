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
