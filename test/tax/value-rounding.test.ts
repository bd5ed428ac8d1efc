import { describe, expect, it } from 'vitest';
import {
  bundledRulesets,
  computeTax,
  decideRegime,
  DEFAULT_TAX_POLICY_2019,
  defaultRegistry,
  loadRuleset,
  parseDeclaration,
  parseRateTable,
  RULES,
  RulesetRegistry,
  toTaxPolicy,
  validate,
  type Issue,
  type TaxPolicy,
} from '../../src/index.js';
import { Dec } from '../../src/model/index.js';
import { example, type Json } from '../helpers/examples.js';

/*
 * Is the order's dutiable value (完税价格) rounded to the fen before it meets the limits?
 *
 * 海关总署令第124号 第十六条 (read in customs hotline answers as re-posted, not in an official copy):
 *   "进出口货物的价格及有关费用以外币计价的，海关按照该货物适用税率之日所适用的计征汇率折合为人民币计算完税价格。
 *    完税价格采用四舍五入法计算至分。"
 * 海关总署令第272号 第十三条 (公布 2024-10-28, in force 2024-12-01; read in a crawl of the customs rules database):
 *   "进出口货物的价格及有关费用以外币计价的，按照计征汇率折合为人民币计算计税价格，采用四舍五入法计算至分。"
 * Both sit in the article on converting foreign-currency prices; CBEC messages are priced in CNY
 * (currency 142) with up to 5 decimals, and 财关税〔2016〕18号 / 〔2018〕49号 say nothing of rounding.
 * So it is the policy setting `dutiableValueRounding`: `exact` (the national default, the value as
 * summed) or `half-up-fen` (四舍五入 to 0.01 first). Both are computed here by hand, through
 * computeTax and through validate (the limits/* rules), which must agree.
 */

/** The test's own rate table (not a tariff): milk powder, duty 15 %, VAT 13 %, no consumption tax. */
const RATES = parseRateTable({ '1901': { duty: '0.15', vat: '0.13' } }, 'value-rounding test table');
const AT = '2026-06-01';

/** A user ruleset over the national one that rounds the value half-up to the fen. */
const ROUNDING = loadRuleset(
  {
    id: 'test-value-rounding',
    version: '1',
    extends: 'national',
    name: { zh: '完税价格先四舍五入至分', en: 'dutiable value rounded to the fen first' },
    sources: [{ id: 'T', issuer: 'test', title: 'test', section: 'test', kind: 'secondary' }],
    rules: {},
    policy: { dutiableValueRounding: [{ value: 'half-up-fen', source: 'T' }] },
  },
  RULES,
  'value-rounding test ruleset',
);
const registry = new RulesetRegistry(RULES, [...bundledRulesets(), ROUNDING]);
const NATIONAL = toTaxPolicy(defaultRegistry().resolve('national', AT).policy)!;
const ROUNDED = toTaxPolicy(registry.resolve('test-value-rounding', AT).policy)!;

/** The Hangzhou example with milk-powder lines of these prices (qty 1 each) and this freight. */
function order(prices: readonly string[], freight: string): Json {
  const d = example('hangzhou-1210');
  const take = (items: Json[]) =>
    prices.map((price, i) => ({ ...items[0], gnum: i + 1, gcode: '1901101000', qty: 1, price, totalPrice: price }));
  d.order.items = take(d.order.items);
  d.inventory.items = take(d.inventory.items);
  d.order.goodsValue = prices.reduce((s, p) => s.plus(p), new Dec(0)).toFixed(2);
  d.order.freight = freight;
  d.inventory.freight = freight;
  d.inventory.insuredFee = '0';
  return d;
}

const codesOf = (issues: readonly Issue[]) => issues.map((i) => `${i.code}:${i.severity}`).sort();

/** computeTax and validate under one policy; they must agree. */
function verdict(d: Json, rounding: boolean, used?: string) {
  const parsed = parseDeclaration(d);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const policy: TaxPolicy = rounding ? ROUNDED : NATIONAL;
  const engine = computeTax(parsed.data, {
    policy,
    rates: RATES,
    ...(used !== undefined && { annualUsed: new Dec(used) }),
  });
  const rules = validate(d, {
    at: AT,
    rates: RATES,
    ...(rounding && { ruleset: ROUNDING }),
    ...(used !== undefined && { extras: { quota: { used: () => used } } }),
  });
  const limits = rules.issues.filter((i) => i.ruleId.startsWith('limits/'));
  const engineCodes = codesOf(engine.issues.filter((i) => i.ruleId === 'tax/regime'));
  expect(codesOf(limits)).toEqual(engineCodes);
  return { result: engine, codes: engineCodes, limits };
}

describe('the policy value', () => {
  it("the national rulesets compare the value as summed ('exact') on every date, and say how sure they are", () => {
    for (const at of ['2016-04-08', '2018-06-01', '2019-01-01', AT]) {
      const policy = defaultRegistry().resolve('national', at).policy;
      expect(policy.dutiableValueRounding, at).toBe('exact');
      expect(policy.sources.dutiableValueRounding, at).toBeDefined();
    }
    expect(NATIONAL.dutiableValueRounding).toBe('exact');
    expect(ROUNDED.dutiableValueRounding).toBe('half-up-fen');
  });
});

describe("dutiableValueRounding 'exact' (the default): the value as summed meets the limit", () => {
  it('goods 2,490.00 + 2,490.00 = 4,980.00, freight 20.004: 4,980.00 + 20.004 = 5,000.004 > 5,000 → general trade (-621005)', () => {
    const v = verdict(order(['2490.00', '2490.00'], '20.004'), false);
    expect(v.result.regime).toBe('general-trade');
    expect(v.codes).toEqual(['-621005:error']);
    expect(v.result.dutiableValue.toString()).toBe('5000.004');
    expect(v.limits[0]).toMatchObject({ actual: '5000.004', expected: '≤ 5000.00' });
    expect(v.result.explain.regime).toBe(
      'order dutiable value 5000.004 > single-transaction limit 5000.00 and not a single item: general-trade full tax',
    );
  });
});

describe("dutiableValueRounding 'half-up-fen': 四舍五入 to 0.01 before the comparison", () => {
  it('4,980.00 + 20.004 = 5,000.004 → 5,000.00 ≤ 5,000 → cbec; each line P = 2,490 + 10.002 = 2,500.002 (tax bases stay exact), VAT 2,500.002 × 0.13 × 0.7 = 227.500182 → 227.50, total 455.00', () => {
    const v = verdict(order(['2490.00', '2490.00'], '20.004'), true);
    expect(v.result.regime).toBe('cbec');
    expect(v.codes).toEqual([]);
    expect(v.result.dutiableValue.toString()).toBe('5000');
    expect(v.result.lines.map((l) => l.dutiableValue.toString())).toEqual(['2500.002', '2500.002']);
    expect(v.result.lines.map((l) => l.valueAddedTax.toFixed(2))).toEqual(['227.50', '227.50']);
    expect(v.result.valueAddedTax.toFixed(2)).toBe('455.00');
    // The explanation of the figure says it was rounded, from what, and how.
    expect(v.result.explain.regime).toBe(
      'order dutiable value 5000.00 (= 5000.004 half-up to 0.01 before it is compared with the limits and added to the annual total) ≤ single-transaction limit 5000.00: CBEC regime (duty × 0, CT and VAT × 0.7)',
    );
  });

  it('4,980.00 + 20.005 = 5,000.005 → 5,000.01 (half-up: a 5 goes up; half-even would give 5,000.00) > 5,000 → general trade (-621005)', () => {
    const v = verdict(order(['2490.00', '2490.00'], '20.005'), true);
    expect(v.result.regime).toBe('general-trade');
    expect(v.codes).toEqual(['-621005:error']);
    expect(v.result.dutiableValue.toFixed(2)).toBe('5000.01');
    expect(v.limits[0]).toMatchObject({ actual: '5000.01', expected: '≤ 5000.00' });
    expect(v.result.explain.regime).toBe(
      'order dutiable value 5000.01 (= 5000.005 half-up to 0.01 before it is compared with the limits and added to the annual total) > single-transaction limit 5000.00 and not a single item: general-trade full tax',
    );
  });

  it('a value already at the fen is not touched, and the explanation says nothing of rounding: 4,980.00 + 20.00 = 5,000.00 → cbec', () => {
    const v = verdict(order(['2490.00', '2490.00'], '20.00'), true);
    expect(v.result.regime).toBe('cbec');
    expect(v.result.explain.regime).toBe(
      'order dutiable value 5000.00 ≤ single-transaction limit 5000.00: CBEC regime (duty × 0, CT and VAT × 0.7)',
    );
  });
});

describe('the annual total adds the same value the single limit saw (quotaBasis dutiableValue)', () => {
  // 25,000.00 used; the order is 500.00 + 500.00 with freight 0.004 or 0.005.
  it("'exact': 25,000.00 + 1,000.004 = 26,000.004 > 26,000 → general trade (1313)", () => {
    const v = verdict(order(['500.00', '500.00'], '0.004'), false, '25000.00');
    expect(v.result.regime).toBe('general-trade');
    expect(v.codes).toEqual(['1313:error']);
    expect(v.limits[0]!.actual).toBe('26000.004');
  });

  it("'half-up-fen': 1,000.004 → 1,000.00; 25,000.00 + 1,000.00 = 26,000.00 ≤ 26,000 → cbec", () => {
    const v = verdict(order(['500.00', '500.00'], '0.004'), true, '25000.00');
    expect(v.result.regime).toBe('cbec');
    expect(v.codes).toEqual([]);
  });

  it("'half-up-fen': 1,000.005 → 1,000.01; 25,000.00 + 1,000.01 = 26,000.01 > 26,000 → general trade (1313), explained with the rounding", () => {
    const v = verdict(order(['500.00', '500.00'], '0.005'), true, '25000.00');
    expect(v.result.regime).toBe('general-trade');
    expect(v.codes).toEqual(['1313:error']);
    expect(v.limits[0]!.actual).toBe('26000.01');
    expect(v.result.explain.regime).toBe(
      'annual total 25000.00 + 1000.01 (= 1000.005 half-up to 0.01 before it is compared with the limits and added to the annual total) = 26000.01 > annual limit 26000.00: general-trade full tax',
    );
  });
});

describe('decideRegime with the setting', () => {
  const two = (freight: string) => ({
    goods: new Dec('4980.00'),
    freight: new Dec(freight),
    insuredFee: new Dec(0),
    quantities: [new Dec(1), new Dec(1)],
  });
  const policy = { ...DEFAULT_TAX_POLICY_2019, dutiableValueRounding: 'half-up-fen' as const };

  it('gives the rounded value and, only when rounding changed it, the exact one', () => {
    const r = decideRegime(two('20.004'), policy);
    expect([r.regime, r.dutiableValue.toFixed(3), r.exactDutiableValue?.toString()]).toEqual([
      'cbec',
      '5000.000',
      '5000.004',
    ]);
    expect(decideRegime(two('20.00'), policy).exactDutiableValue).toBeUndefined();
    // Without the setting (DEFAULT_TAX_POLICY_2019 sets none) the value is exact.
    const plain = decideRegime(two('20.004'), DEFAULT_TAX_POLICY_2019);
    expect([plain.regime, plain.dutiableValue.toString(), plain.exactDutiableValue]).toEqual([
      'general-trade',
      '5000.004',
      undefined,
    ]);
  });

  it('a policy with another value is refused by computeTax (INVALID_OPTION)', () => {
    const parsed = parseDeclaration(order(['2490.00'], '0'));
    if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
    const bad = { ...DEFAULT_TAX_POLICY_2019, dutiableValueRounding: 'half-even' } as unknown as TaxPolicy;
    expect(() => computeTax(parsed.data, { policy: bad, rates: RATES })).toThrow(/dutiableValueRounding/);
  });
});
