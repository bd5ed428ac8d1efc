import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/emulator/engine.js';
import { manualClock } from '../../src/emulator/clock.js';
import { SandanError } from '../../src/errors.js';
import { validate } from '../../src/rules/index.js';
import { Dec } from '../../src/model/primitives.js';
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
    for (const rates of [null, 'cbec-rates.json']) {
      const bad = thrown({ policy: DEFAULT_TAX_POLICY_2019, rates });
      expect([bad.code, bad.details]).toEqual(['INVALID_OPTION', { field: 'rates' }]);
      expect(bad.message).toContain(`without a rate table (options.rates is ${rates === null ? 'null' : 'string'})`);
    }
  });

  it('the JSON of a rate file given as it is (not through parseRateTable): named, in computeTax, validate and the emulator', async () => {
    const json = { '0402': { customsRate: '0', vatRate: '0.13', consumptionRate: '0' } };
    for (const rates of [json, [exampleRates(), json]]) {
      const e = thrown({ policy: DEFAULT_TAX_POLICY_2019, rates });
      expect([e.code, e.details]).toEqual(['INVALID_OPTION', { field: 'rates' }]);
      expect(e.message).toMatch(/^computeTax: rates must be rate tables made by parseRateTable\(json\)/);
    }
    expect(() => validate(example('hangzhou-1210'), { rates: json as never })).toThrow(
      /^validate: rates must be rate tables made by parseRateTable/,
    );
    await expect(
      createEngine({ store: 'memory', clock: manualClock(new Date('2026-11-20T03:00:00Z')), rates: json as never }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^the emulator: rates must be/) });
    // An empty list is no table at all, and allowed (the bundled table still applies in validate).
    expect(validate(example('hangzhou-1210'), { rates: [] }).valid).toBe(true);
  });

  it('the same call with policy and rates computes (36.22 + 13.65 = 49.87)', () => {
    const r = computeTax(parsed(example('hangzhou-1210')), { policy: DEFAULT_TAX_POLICY_2019, rates: exampleRates() });
    expect(r.taxTotal.toFixed(2)).toBe('49.87');
  });
});

describe('computeTax given plain declaration JSON (what validate takes) instead of the parsed model', () => {
  const options = { policy: DEFAULT_TAX_POLICY_2019, rates: exampleRates() };
  const refusal = (declaration: unknown): SandanError => {
    try {
      computeTax(declaration as never, options);
    } catch (e) {
      if (e instanceof SandanError) return e;
      throw new Error(`computeTax threw ${String(e)}, not a SandanError`);
    }
    throw new Error('computeTax did not throw');
  };

  it('says to pass parseDeclaration(json).data, with amounts as strings or as numbers', () => {
    const json = example('hangzhou-1210') as { order: { goodsValue: unknown } };
    const e = refusal(json);
    expect([e.code, e.details]).toEqual(['INVALID_OPTION', { field: 'declaration' }]);
    expect(e.message).toBe(
      'computeTax needs the parsed declaration (order.goodsValue a Decimal), got order.goodsValue as a string: pass parseDeclaration(json).data, not the JSON itself',
    );
    const numbers = { ...json, order: { ...json.order, goodsValue: 96 } };
    expect(refusal(numbers).message).toContain('got order.goodsValue as a number: pass parseDeclaration(json).data');
  });

  it('not a declaration at all: says what it got', () => {
    expect(refusal(undefined).message).toBe(
      'computeTax needs a declaration, got undefined: pass parseDeclaration(json).data, not the JSON itself',
    );
    expect(refusal({}).message).toContain('got order.goodsValue missing');
  });
});

describe('a policy with a bad value: names the field', () => {
  const P = DEFAULT_TAX_POLICY_2019;
  const dec = (v: number | string) => new Dec(v);
  const refused = (policy: unknown, field: string, why: string) => {
    const e = thrown({ policy, rates: exampleRates() });
    expect([e.code, e.details, e.message]).toEqual([
      'INVALID_OPTION',
      { field },
      `Invalid tax policy: ${field} ${why}`,
    ]);
  };
  const accepted = (policy: unknown) =>
    expect(() =>
      computeTax(parsed(example('hangzhou-1210')), { policy, rates: exampleRates() } as never),
    ).not.toThrow();

  it.each(['singleTransactionLimit', 'annualLimit', 'cbecTaxFactor', 'cbecDutyRate'] as const)(
    '%s: a non-negative, finite Decimal (0 is fine; −0.01, NaN, Infinity and a number are not)',
    (field) => {
      accepted({ ...P, [field]: dec(0) });
      for (const bad of [dec('-0.01'), dec(Number.NaN), dec(Number.POSITIVE_INFINITY), 5000]) {
        refused({ ...P, [field]: bad }, field, 'must be a non-negative Decimal');
      }
    },
  );

  it('singleItemFullTax: an object with a boolean allowed; below a non-negative Decimal when allowed', () => {
    accepted({ ...P, singleItemFullTax: { allowed: false } });
    accepted({ ...P, singleItemFullTax: { allowed: true, below: dec(0) } });
    for (const bad of [null, 'no', { allowed: 'yes' }, {}]) {
      refused(
        { ...P, singleItemFullTax: bad },
        'singleItemFullTax',
        'must be { allowed: false } or { allowed: true, below: Decimal }',
      );
    }
    for (const below of [undefined, 5000, dec('-1'), dec(Number.NaN)]) {
      refused(
        { ...P, singleItemFullTax: { allowed: true, below } },
        'singleItemFullTax.below',
        'must be a non-negative Decimal when allowed',
      );
    }
  });

  it('rounding: a known mode, an integer scale 0..5 (both ends allowed), scope line, order or unit', () => {
    for (const scale of [0, 5]) accepted({ ...P, rounding: { ...P.rounding, scale } });
    accepted({ ...P, rounding: { ...P.rounding, scope: 'order' } });
    accepted({ ...P, rounding: { ...P.rounding, scope: 'unit' } });
    refused({ ...P, rounding: undefined }, 'rounding.mode', "must be 'half-up', 'half-even', 'down' or 'up'");
    refused(
      { ...P, rounding: { ...P.rounding, mode: 'bankers' } },
      'rounding.mode',
      "must be 'half-up', 'half-even', 'down' or 'up'",
    );
    for (const scale of [-1, 6, 1.5, undefined]) {
      refused({ ...P, rounding: { ...P.rounding, scale } }, 'rounding.scale', 'must be an integer 0..5');
    }
    refused(
      { ...P, rounding: { ...P.rounding, scope: 'item' } },
      'rounding.scope',
      "must be 'line', 'order' or 'unit'",
    );
  });

  it('allocationRemainder and nonCashDiscountReducesBase', () => {
    accepted({ ...P, allocationRemainder: 'largest-line', nonCashDiscountReducesBase: true });
    refused(
      { ...P, allocationRemainder: 'first-line' },
      'allocationRemainder',
      "must be 'last-line' or 'largest-line'",
    );
    refused({ ...P, nonCashDiscountReducesBase: 'no' }, 'nonCashDiscountReducesBase', 'must be a boolean');
  });
});
