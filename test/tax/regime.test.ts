import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeTax,
  decideRegime,
  DEFAULT_TAX_POLICY_2016,
  DEFAULT_TAX_POLICY_2019,
  defaultRegistry,
  parseDeclaration,
  parseRateTable,
  toTaxPolicy,
  validate,
  bundledRulesets,
  loadRuleset,
  RULES,
  RulesetRegistry,
  type Issue,
  type Regime,
  type TaxPolicy,
} from '../../src/index.js';
import { Dec } from '../../src/model/index.js';
import { example, type Json } from '../helpers/examples.js';

/*
 * The regime of an order, by the policy in force on its date:
 *
 * 财关税〔2016〕18号 三 (2016-04-08 … 2018-12-31, single 2000 / annual 20000):
 *   "超过单次限值、累加后超过个人年度限值的单次交易，以及完税价格超过2000元限值的单个不可分割商品，
 *    均按照一般贸易方式全额征税。"
 * 财关税〔2018〕49号 二 (from 2019-01-01, single 5000 / annual 26000):
 *   "完税价格超过5000元单次交易限值但低于26000元年度交易限值，且订单下仅一件商品时，可以自跨境电商零售渠道进口，
 *    按照货物税率全额征收关税和进口环节增值税、消费税，交易额计入年度交易总额，但年度交易总额超过年度交易限值的，
 *    应按一般贸易管理。"
 *
 * Every case runs through computeTax and through validate (the limits/* rules): both take the
 * regime from the one decideRegime, so they must agree.
 */

/** The test's own rate table (not a tariff): duty 15 % / 10 %, VAT 13 %, no consumption tax. */
const RATES = parseRateTable(
  { '1901': { duty: '0.15', vat: '0.13' }, '3304': { duty: '0.10', vat: '0.13' } },
  'regime test table',
);

/** The national policy in force on a date, as the duty engine takes it. */
const policyOn = (at: string): TaxPolicy => toTaxPolicy(defaultRegistry().resolve('national', at).policy)!;

/**
 * The Hangzhou example with the given lines (milk powder 1901101000, then face cream 3304990039),
 * freight and insurance 0, so the dutiable value is Σ totalPrice. The order side follows the
 * inventory; taxTotal and payment are left as they are (only the regime is looked at).
 */
function order(lines: ReadonlyArray<{ price: string; qty?: number }>): Json {
  const d = example('hangzhou-1210');
  const take = (items: Json[]) =>
    lines.map((l, i) => {
      const base = { ...items[i % 2], gnum: i + 1 };
      const qty = l.qty ?? 1;
      return { ...base, qty, price: l.price, totalPrice: new Dec(l.price).times(qty).toFixed(2) };
    });
  d.order.items = take(d.order.items);
  d.inventory.items = take(d.inventory.items);
  d.order.goodsValue = d.inventory.items.reduce((s: Dec, it: Json) => s.plus(it.totalPrice), new Dec(0)).toFixed(2);
  return d;
}

const at2026 = '2026-06-01';
const at2018 = '2018-06-01';

/** What computeTax says (regime, regime codes, figures). */
function byEngine(d: Json, at: string, used?: string) {
  const parsed = parseDeclaration(d);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const r = computeTax(parsed.data, {
    policy: policyOn(at),
    rates: RATES,
    ...(used !== undefined && { annualUsed: new Dec(used) }),
  });
  return { regime: r.regime, codes: codesOf(r.issues.filter((i) => i.ruleId === 'tax/regime')), result: r };
}

/** What validate says through the limits/* rules: general trade on an error, CBEC at full tax on the warning. */
function byRules(d: Json, at: string, used?: string) {
  const r = validate(d, { at, rates: RATES, ...(used !== undefined && { extras: { quota: { used: () => used } } }) });
  const limits = r.issues.filter((i) => i.ruleId.startsWith('limits/'));
  const regime: Regime = limits.some((i) => i.severity === 'error')
    ? 'general-trade'
    : limits.some((i) => i.code === 'single-item-full-tax')
      ? 'cbec-full'
      : 'cbec';
  return { regime, codes: codesOf(limits), issues: limits };
}

const codesOf = (issues: readonly Issue[]) => issues.map((i) => `${i.code}:${i.severity}`).sort();

/** Both paths; they must agree, and the verdict is returned. */
function verdict(d: Json, at: string, used?: string) {
  const engine = byEngine(d, at, used);
  const rules = byRules(d, at, used);
  expect(rules.regime).toBe(engine.regime);
  expect(rules.codes).toEqual(engine.codes);
  // And they write the limit and the amount alike (validate once showed '≤ 20000' where the engine wrote '≤ 20000.00').
  const shown = (issues: readonly Issue[]) => issues.map((i) => `${i.code}:${i.expected}:${i.actual}`).sort();
  expect(shown(rules.issues)).toEqual(shown(engine.result.issues.filter((i) => i.ruleId === 'tax/regime')));
  return { ...engine, rules: rules.issues };
}

const totals = (r: { customsTax: Dec; valueAddedTax: Dec; taxTotal: Dec }) =>
  [r.customsTax, r.valueAddedTax, r.taxTotal].map((x) => x.toFixed(2));

describe('财关税〔2018〕49号 (from 2019-01-01): single 5000, annual 26000, one item below 26000 at full tax', () => {
  const q49 = policyOn(at2026).singleItemFullTax.quote!;

  it('5,000.00 is within the single-transaction limit → cbec: VAT 5000 × 0.13 × 0.7 = 455.00', () => {
    const v = verdict(order([{ price: '5000.00' }]), at2026);
    expect(v.regime).toBe('cbec');
    expect(v.codes).toEqual([]);
    expect(totals(v.result)).toEqual(['0.00', '455.00', '455.00']);
  });

  it('"完税价格超过5000元单次交易限值但低于26000元年度交易限值，且订单下仅一件商品时…按照货物税率全额征收": 5,000.01 → cbec-full; duty 5000.01 × 0.15 = 750.0015 → 750.00, VAT (5000.01 + 750.0015) × 0.13 = 747.501495 → 747.50', () => {
    const v = verdict(order([{ price: '5000.01' }]), at2026);
    expect(v.regime).toBe('cbec-full');
    expect(v.codes).toEqual(['single-item-full-tax:warning']);
    expect(totals(v.result)).toEqual(['750.00', '747.50', '1497.50']);
    const w = v.rules[0]!;
    expect(w).toMatchObject({
      ruleId: 'limits/single-transaction',
      path: 'inventory.items[0]',
      expected: '≤ 5000.00',
      actual: '5000.01',
    });
    expect(w.message.zh).toContain(q49);
    expect(v.result.explain.regime).toBe(
      'order dutiable value 5000.01 > 5000.00 and < 26000.00, one item: CBEC at full duty, CT and VAT, counted toward the annual limit',
    );
  });

  it('"…但低于26000元年度交易限值…": 25,999.99 → cbec-full; duty 3899.9985 → 3900.00, VAT 29899.9885 × 0.13 = 3886.998505 → 3887.00', () => {
    const v = verdict(order([{ price: '25999.99' }]), at2026);
    expect(v.regime).toBe('cbec-full');
    expect(totals(v.result)).toEqual(['3900.00', '3887.00', '7787.00']);
  });

  it('"低于26000元" is strict: 26,000.00 → general trade (-621005, error); duty 3900.00, VAT 29900 × 0.13 = 3887.00', () => {
    const v = verdict(order([{ price: '26000.00' }]), at2026);
    expect(v.regime).toBe('general-trade');
    expect(v.codes).toEqual(['-621005:error']);
    expect(totals(v.result)).toEqual(['3900.00', '3887.00', '7787.00']);
    const e = v.rules[0]!;
    expect(e).toMatchObject({
      ruleId: 'limits/single-transaction',
      path: 'inventory.items',
      expected: '< 26000.00',
      actual: '26000.00',
    });
    expect(e.message.zh).toContain('应按一般贸易方式全额征税');
    expect(e.message.zh).toContain(q49);
    expect(e.message.en).toContain('only below 26000.00');
  });

  it('30,000.00, one item → general trade (the audit case: it was `full` with a warning); duty 4500.00, VAT 34500 × 0.13 = 4485.00', () => {
    const v = verdict(order([{ price: '30000.00' }]), at2026);
    expect(v.regime).toBe('general-trade');
    expect(v.codes).toEqual(['-621005:error']);
    expect(totals(v.result)).toEqual(['4500.00', '4485.00', '8985.00']);
  });

  it('"超过单次限值…的单次交易…均按照一般贸易方式全额征税": two lines 3,000 + 2,500 = 5,500 → general trade; duty 450 + 250, VAT 3450 × 0.13 = 448.50 + 2750 × 0.13 = 357.50', () => {
    const v = verdict(order([{ price: '3000.00' }, { price: '2500.00' }]), at2026);
    expect(v.regime).toBe('general-trade');
    expect(v.codes).toEqual(['-621005:error']);
    expect(totals(v.result)).toEqual(['700.00', '806.00', '1506.00']);
    expect(v.rules[0]!.message.zh).toContain(policyOn(at2026).generalTradeQuote!);
  });

  it('one line of quantity 2 (2 × 3,000) is not "仅一件商品" → general trade', () => {
    expect(verdict(order([{ price: '3000.00', qty: 2 }]), at2026).regime).toBe('general-trade');
  });

  it('"但年度交易总额超过年度交易限值的，应按一般贸易管理": 6,000 with 21,000 used → 27,000 > 26,000 → general trade (1313), no single-item warning; duty 900.00, VAT 6900 × 0.13 = 897.00', () => {
    const d = order([{ price: '6000.00' }]);
    expect(verdict(d, at2026).regime).toBe('cbec-full');
    const v = verdict(d, at2026, '21000');
    expect(v.regime).toBe('general-trade');
    expect(v.codes).toEqual(['1313:error']);
    expect(v.rules[0]).toMatchObject({ ruleId: 'limits/annual', path: 'inventory.buyerIdNumber' });
    expect(totals(v.result)).toEqual(['900.00', '897.00', '1797.00']);
    expect(v.result.explain.regime).toBe(
      'annual total 21000.00 + 6000.00 = 27000.00 > annual limit 26000.00: general-trade full tax',
    );
    // 20,000 + 6,000 = 26,000 does not pass ("超过") the limit: still CBEC at full tax.
    expect(verdict(d, at2026, '20000').regime).toBe('cbec-full');
  });

  it('a single item at or above 26,000 that also passes the year reports both limits', () => {
    const v = verdict(order([{ price: '30000.00' }]), at2026, '100');
    expect(v.codes).toEqual(['-621005:error', '1313:error']);
  });
});

describe("a ruleset counting the amount paid toward the year (policy quotaBasis: 'actualPaid')", () => {
  // A user ruleset over the national one; the national default counts the dutiable value.
  const paid = loadRuleset(
    {
      id: 'test-paid-basis',
      version: '1',
      extends: 'national',
      name: { zh: '按实付计入年度额度', en: 'the amount paid counts' },
      sources: [{ id: 'T', issuer: 'test', title: 'test', section: 'test', kind: 'secondary' }],
      rules: {},
      policy: { quotaBasis: [{ value: 'actualPaid', source: 'T' }] },
    },
    RULES,
    'paid-basis test ruleset',
  );
  const registry = new RulesetRegistry(RULES, [...bundledRulesets(), paid]);

  it('goods 4,800.00, paid 5,236.80, 21,000 used: 21,000 + 5,236.80 = 26,236.80 > 26,000 → general trade in the engine and in limits/annual alike (the dutiable value, 21,000 + 4,800 = 25,800, would fit)', () => {
    const d = order([{ price: '4800.00' }]);
    d.order.acturalPaid = '5236.80';
    const parsed = parseDeclaration(d);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
    const policy = toTaxPolicy(registry.resolve('test-paid-basis', at2026).policy)!;
    expect(policy.quotaBasis).toBe('actualPaid');
    const engine = computeTax(parsed.data, { policy, rates: RATES, annualUsed: new Dec('21000') });
    expect(engine.regime).toBe('general-trade');
    expect(engine.issues.find((i) => i.code === '1313')?.message.en).toContain('(used 21000.00 + this order 5236.80)');
    const rules = validate(d, { at: at2026, rates: RATES, ruleset: paid, extras: { quota: { used: () => '21000' } } });
    expect(rules.issues.filter((i) => i.ruleId === 'limits/annual').map((i) => [i.code, i.actual])).toEqual([
      ['1313', '26236.80'],
    ]);
    // The national policy counts the dutiable value: the same order fits.
    expect(byEngine(d, at2026, '21000').regime).toBe('cbec');
  });
});

describe('财关税〔2016〕18号 (2016-04-08 … 2018-12-31): single 2000, annual 20000, no single-item path', () => {
  const q18 = policyOn(at2018).singleItemFullTax.quote!;

  it('2,000.00 is within the limit → cbec: VAT 2000 × 0.13 × 0.7 = 182.00', () => {
    const v = verdict(order([{ price: '2000.00' }]), at2018);
    expect(v.regime).toBe('cbec');
    expect(totals(v.result)).toEqual(['0.00', '182.00', '182.00']);
  });

  it('"以及完税价格超过2000元限值的单个不可分割商品，均按照一般贸易方式全额征税": 2,000.01, one item → general trade; duty 300.0015 → 300.00, VAT 2300.0115 × 0.13 = 299.001495 → 299.00', () => {
    const v = verdict(order([{ price: '2000.01' }]), at2018);
    expect(v.regime).toBe('general-trade');
    expect(v.codes).toEqual(['-621005:error']);
    expect(totals(v.result)).toEqual(['300.00', '299.00', '599.00']);
    expect(v.rules[0]!.message.zh).toContain(q18);
    expect(v.rules[0]!.message.en).toContain('no CBEC full-tax path for a single item');
  });

  it('the 2019 single-item path is not applied to 2018: 6,000.00, one item → general trade', () => {
    expect(verdict(order([{ price: '6000.00' }]), at2018).regime).toBe('general-trade');
  });

  it('"累加后超过个人年度限值的单次交易…均按照一般贸易方式全额征税": 1,000.00 with 19,000.00 used reaches 20,000.00, not over it → cbec; with 19,000.01 used, 20,000.01 → general trade (1313)', () => {
    const at = verdict(order([{ price: '1000.00' }]), at2018, '19000.00');
    expect(at.regime).toBe('cbec');
    expect(at.codes).toEqual([]);
    const over = verdict(order([{ price: '1000.00' }]), at2018, '19000.01');
    expect(over.regime).toBe('general-trade');
    expect(over.codes).toEqual(['1313:error']);
    expect(over.rules[0]).toMatchObject({ expected: '≤ 20000.00', actual: '20000.01' });
  });
});

describe('the policy of the declaration date (49号: 本通知自2019年1月1日起执行), read off inventory.declTime', () => {
  // One item of 3,000.00 (above 18号's 2,000, within 49号's 5,000), declared on either side of midnight, Beijing.
  const declared = (declTime: string) => {
    const d = order([{ price: '3000.00' }]);
    d.inventory.declTime = declTime;
    d.order.appTime = declTime;
    return validate(d, { rates: RATES })
      .issues.filter((i) => i.ruleId.startsWith('limits/'))
      .map((i) => `${i.code}:${i.severity}:${i.expected}`);
  };

  it('declared 2018-12-31 23:59:59: over 2,000 and one item, which 18号 sends to general trade (-621005)', () => {
    expect(declared('20181231235959')).toEqual(['-621005:error:≤ 2000.00']);
  });

  it('declared 2019-01-01 00:00:00: within 5,000 → cbec', () => {
    expect(declared('20190101000000')).toEqual([]);
  });
});

describe('decideRegime', () => {
  const one = (value: string, qty = '1') => ({
    goods: new Dec(value),
    freight: new Dec(0),
    insuredFee: new Dec(0),
    quantities: [new Dec(qty)],
  });

  it('the defaults match the national ruleset on their dates', () => {
    for (const [p, at] of [
      [DEFAULT_TAX_POLICY_2019, '2019-01-01'],
      [DEFAULT_TAX_POLICY_2016, '2018-12-31'],
    ] as const) {
      const n = policyOn(at);
      expect([p.singleTransactionLimit, p.annualLimit].map(String)).toEqual(
        [n.singleTransactionLimit, n.annualLimit].map(String),
      );
      const s = n.singleItemFullTax;
      expect(p.singleItemFullTax.allowed).toBe(s.allowed);
      if (p.singleItemFullTax.allowed && s.allowed)
        expect(p.singleItemFullTax.below.toString()).toBe(s.below.toString());
    }
  });

  it('freight and insurance count; the discount only where the policy says so', () => {
    const o = {
      goods: new Dec('4990.00'),
      freight: new Dec('8.00'),
      insuredFee: new Dec('2.01'),
      discount: new Dec('0.02'),
      quantities: [new Dec(2)],
    };
    expect(decideRegime(o, DEFAULT_TAX_POLICY_2019)).toMatchObject({ regime: 'general-trade', reason: 'above-limit' });
    expect(decideRegime(o, DEFAULT_TAX_POLICY_2019).dutiableValue.toFixed(2)).toBe('5000.01');
    const net = decideRegime(o, { ...DEFAULT_TAX_POLICY_2019, nonCashDiscountReducesBase: true });
    expect([net.regime, net.dutiableValue.toFixed(2)]).toEqual(['cbec', '4999.99']);
  });

  it('a policy without the single-item path sends one item above the limit to general trade', () => {
    const d = decideRegime(one('5000.01'), { ...DEFAULT_TAX_POLICY_2019, singleItemFullTax: { allowed: false } });
    expect([d.regime, d.reason, d.findings.map((f) => f.code)]).toEqual([
      'general-trade',
      'single-item-not-allowed',
      ['-621005'],
    ]);
  });

  it('an unreadable quantity is not a single item', () => {
    const d = decideRegime({ ...one('6000'), quantities: [undefined] }, DEFAULT_TAX_POLICY_2019);
    expect(d.reason).toBe('above-limit');
  });

  it('property: the regime follows the rule table, and computeTax and validate agree with it', () => {
    const cents = (max: number) => fc.integer({ min: 0, max: max * 100 }).map((c) => (c / 100).toFixed(2));
    fc.assert(
      fc.property(
        fc.constantFrom(at2018, at2026),
        fc.array(
          fc.record({
            price: fc.oneof(
              cents(8_000),
              cents(40_000),
              fc.constantFrom('2000.00', '2000.01', '5000.00', '5000.01', '25999.99', '26000.00'),
            ),
            qty: fc.constantFrom(1, 1, 2),
          }),
          { minLength: 1, maxLength: 2 },
        ),
        fc.option(cents(30_000), { nil: undefined }),
        (at, lines, used) => {
          const d = order(lines);
          const v = verdict(d, at, used);
          const p = policyOn(at);
          const value = v.result.dutiableValue;
          const single = lines.length === 1 && lines[0]!.qty === 1;
          const s = p.singleItemFullTax;
          let expected: Regime = value.lte(p.singleTransactionLimit)
            ? 'cbec'
            : single && s.allowed && value.lt(s.below)
              ? 'cbec-full'
              : 'general-trade';
          if (used !== undefined && new Dec(used).plus(value).gt(p.annualLimit)) expected = 'general-trade';
          expect(v.regime).toBe(expected);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
