import { describe, expect, it } from 'vitest';
import { SandanError } from '../../src/errors.js';
import { computeTax, DEFAULT_TAX_POLICY_2019 } from '../../src/tax/index.js';
import { example, exampleRates, parsed } from './helpers.js';

/** What computeTax threw, for JavaScript callers that pass what the types would refuse. */
function thrown(options: unknown): SandanError {
  try {
    computeTax(parsed(example('hangzhou-1210')), options as never);
  } catch (e) {
    if (e instanceof SandanError) return e;
    throw new Error(`computeTax threw ${String(e)}, not a SandanError`);
  }
  throw new Error('computeTax did not throw');
}

describe('computeTax without what it needs', () => {
  it('no options at all: names the options, policy and rates', () => {
    const e = thrown(undefined);
    expect([e.code, e.details]).toEqual(['INVALID_OPTION', { field: 'options' }]);
    expect(e.message).toMatch(
      /^computeTax was called without options: computeTax\(declaration, \{ policy, rates \}\) needs a tax policy/,
    );
  });

  it('no policy, or a policy that is not an object: names the policy', () => {
    for (const policy of [undefined, null, '2019', 26000]) {
      const e = thrown({ rates: exampleRates(), ...(policy !== undefined && { policy }) });
      expect([e.code, e.details]).toEqual(['INVALID_OPTION', { field: 'policy' }]);
      expect(e.message).toContain(
        `without a tax policy (options.policy is ${policy === null ? 'null' : typeof policy})`,
      );
    }
  });

  it('a policy object missing its fields: names the first missing one', () => {
    const e = thrown({ policy: {}, rates: exampleRates() });
    expect([e.code, e.message]).toEqual([
      'INVALID_OPTION',
      'Invalid tax policy: singleTransactionLimit must be a non-negative Decimal',
    ]);
    const { annualLimit: _, ...withoutAnnual } = DEFAULT_TAX_POLICY_2019;
    expect(thrown({ policy: withoutAnnual, rates: exampleRates() }).message).toBe(
      'Invalid tax policy: annualLimit must be a non-negative Decimal',
    );
  });

  it('no rate table: names the rates', () => {
    const e = thrown({ policy: DEFAULT_TAX_POLICY_2019 });
    expect([e.code, e.details]).toEqual(['INVALID_OPTION', { field: 'rates' }]);
    expect(e.message).toContain('without a rate table (options.rates is undefined)');
  });

  it('the same call with policy and rates computes (36.22 + 13.65 = 49.87)', () => {
    const r = computeTax(parsed(example('hangzhou-1210')), { policy: DEFAULT_TAX_POLICY_2019, rates: exampleRates() });
    expect(r.taxTotal.toFixed(2)).toBe('49.87');
  });
});
