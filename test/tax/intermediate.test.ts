import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bundledRulesets,
  computeTax,
  DEFAULT_TAX_POLICY_2019,
  defaultRegistry,
  fromTaxInclusivePrice,
  loadRuleset,
  parseRateTable,
  RULES,
  RulesetRegistry,
  toTaxPolicy,
  validate,
  type TaxPolicy,
  type TaxResult,
} from '../../src/index.js';
import { roundingRule } from '../../src/tax/compute.js';
import { Dec } from '../../src/model/index.js';
import { declarationWith, example } from './helpers.js';

/**
 * `rounding.intermediate`: whether the duty and the statutory CT enter the next tax base exactly
 * (the default) or rounded to the fen first (the customs-broker textbook method). Every figure
 * below is worked by hand.
 */
const EXACT: TaxPolicy = DEFAULT_TAX_POLICY_2019;
const ROUNDED: TaxPolicy = { ...EXACT, rounding: { ...EXACT.rounding, intermediate: 'rounded' } };
const rates = parseRateTable(
  {
    '3304': { vat: '0.13', consumption: { adValorem: '0.15' } },
    '7116': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.10' } },
    '6109': { duty: '0.14', vat: '0.13' },
  },
  'intermediate test table',
);
const taxes = (r: TaxResult) => [r.customsTax, r.consumptionTax, r.valueAddedTax, r.taxTotal].map((d) => d.toFixed(2));

describe('rounding.intermediate', () => {
  it('CBEC, cosmetics (CT 15 %, VAT 13 %) at 104.01: statutory CT 104.01 / 0.85 × 0.15 = 18.354705…; VAT exact (104.01 + 18.354705…) × 0.091 = 11.1351… → 11.14, rounded (104.01 + 18.35) × 0.091 = 11.13476 → 11.13; CT 18.354705… × 0.7 = 12.8482… → 12.85 either way', () => {
    const d = declarationWith([{ gcode: '3304990099', totalPrice: '104.01' }]);
    const exact = computeTax(d, { policy: EXACT, rates });
    const rounded = computeTax(d, { policy: ROUNDED, rates });
    expect(exact.regime).toBe('cbec');
    expect(taxes(exact)).toEqual(['0.00', '12.85', '11.14', '23.99']);
    expect(taxes(rounded)).toEqual(['0.00', '12.85', '11.13', '23.98']);
    // The explanation shows the base values each figure used.
    expect(exact.lines[0]?.explain.valueAddedTax.inputs.CT_statutory).toBe('18.3547058823…');
    expect(rounded.lines[0]?.explain.valueAddedTax.inputs.CT_statutory).toBe('18.35');
    expect(rounded.lines[0]?.explain.valueAddedTax.unrounded).toBe('11.13476');
    expect(rounded.lines[0]?.explain.consumptionTax.unrounded).toBe('12.8482941176…');
  });

  it('full tax, one item of jewellery (duty 10 %, CT 10 %, VAT 13 %) at 5000.38: duty 500.038 → 500.04; CT exact 5500.418 / 0.9 × 0.1 = 611.1575… and rounded 5500.42 / 0.9 × 0.1 = 611.1577… → 611.16 both; VAT exact (5000.38 + 500.038 + 611.157555…) × 0.13 = 794.5048… → 794.50, rounded (5000.38 + 500.04 + 611.16) × 0.13 = 794.5054 → 794.51', () => {
    const d = declarationWith([{ gcode: '7116100000', totalPrice: '5000.38' }]);
    const exact = computeTax(d, { policy: EXACT, rates });
    const rounded = computeTax(d, { policy: ROUNDED, rates });
    expect(exact.regime).toBe('cbec-full');
    expect(taxes(exact)).toEqual(['500.04', '611.16', '794.50', '1905.70']);
    expect(taxes(rounded)).toEqual(['500.04', '611.16', '794.51', '1905.71']);
    const ex = rounded.lines[0]?.explain;
    expect(ex?.consumptionTax.inputs.duty).toBe('500.04');
    expect(ex?.valueAddedTax.inputs).toMatchObject({ duty: '500.04', CT_statutory: '611.16' });
    // The duty's own figure is the exact product, rounded once.
    expect(ex?.customsTax.unrounded).toBe('500.038');
    expect(exact.lines[0]?.explain.consumptionTax.inputs.duty).toBe('500.038');
  });

  it('a line with neither duty nor CT is the same under both (VAT on the dutiable value alone): 398.00 × 0.091 = 36.218 → 36.22', () => {
    const d = declarationWith([{ gcode: '6109100011', totalPrice: '398.00' }]);
    expect(taxes(computeTax(d, { policy: ROUNDED, rates }))).toEqual(['0.00', '0.00', '36.22', '36.22']);
  });

  it('the rounding rule in the explanation names the intermediate step only when it applies', () => {
    expect(roundingRule(EXACT.rounding, 'en')).toBe(
      'half-up to 0.01 per line; order totals are sums of the rounded lines',
    );
    expect(roundingRule(ROUNDED.rounding, 'en')).toBe(
      'half-up to 0.01 per line; order totals are sums of the rounded lines; duty and statutory CT half-up to 0.01 before they enter the next tax base',
    );
    expect(roundingRule(ROUNDED.rounding, 'zh')).toBe(
      '每行各税四舍五入至 0.01；订单合计为各行舍入后金额之和；关税与法定消费税先四舍五入至 0.01，再计入下一税种的组成计税价格',
    );
    const r = computeTax(declarationWith([{ gcode: '3304990099', totalPrice: '104.01' }]), { policy: ROUNDED, rates });
    expect(r.explain.rounding).toBe(roundingRule(ROUNDED.rounding, 'en'));
  });

  it('a policy with another value is refused as misuse', () => {
    const bad = { ...EXACT, rounding: { ...EXACT.rounding, intermediate: 'fen' } } as unknown as TaxPolicy;
    const d = declarationWith([{ gcode: '3304990099', totalPrice: '104.01' }]);
    expect(() => computeTax(d, { policy: bad, rates })).toThrow(/rounding\.intermediate must be 'exact' or 'rounded'/);
  });

  it('property: per line, each tax under the two settings differs by at most 0.01 (the bases differ by < 0.01, times a rate < 1)', () => {
    const codes = ['3304990099', '7116100000', '6109100011'];
    fc.assert(
      fc.property(
        fc.array(fc.record({ code: fc.constantFrom(...codes), cents: fc.integer({ min: 1, max: 600_000 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        (lines) => {
          const d = declarationWith(
            lines.map((l) => ({ gcode: l.code, totalPrice: new Dec(l.cents).div(100).toFixed(2) })),
          );
          const a = computeTax(d, { policy: EXACT, rates, explain: false });
          const b = computeTax(d, { policy: ROUNDED, rates, explain: false });
          expect(b.regime).toBe(a.regime);
          a.lines.forEach((la, i) => {
            const lb = b.lines[i]!;
            expect(lb.customsTax.eq(la.customsTax)).toBe(true);
            for (const k of ['consumptionTax', 'valueAddedTax'] as const)
              expect(lb[k].minus(la[k]).abs().lte('0.01')).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fromTaxInclusivePrice follows the setting: its exact split is what computeTax gives on the goods value', () => {
    const rate = rates.entries.get('3304');
    if (rate === undefined) throw new Error('3304');
    let differed = 0;
    for (let cents = 11_000; cents < 13_000; cents += 7) {
      const G = new Dec(cents).div(100);
      const split = fromTaxInclusivePrice(G, rate, ROUNDED);
      if (!split.exact) continue;
      const d = declarationWith([{ gcode: '3304990099', totalPrice: split.goodsValue.toFixed(2) }]);
      const r = computeTax(d, { policy: ROUNDED, rates, explain: false });
      expect([r.consumptionTax.toFixed(2), r.valueAddedTax.toFixed(2)]).toEqual([
        split.consumptionTax.toFixed(2),
        split.valueAddedTax.toFixed(2),
      ]);
      if (!fromTaxInclusivePrice(G, rate, EXACT).valueAddedTax.eq(split.valueAddedTax)) differed++;
    }
    // The setting reaches the split (else this test could not tell them apart).
    expect(differed).toBeGreaterThan(0);
  });
});

describe('rounding.intermediate from a ruleset', () => {
  it("the national ruleset ships 'exact'", () => {
    const policy = toTaxPolicy(defaultRegistry().resolve('national', '2026-06-01').policy);
    expect(policy?.rounding).toEqual({ mode: 'half-up', scale: 2, scope: 'line', intermediate: 'exact' });
  });

  it("a ruleset that sets 'rounded' makes tax/total accept the textbook figure 23.98 and refuse 23.99", () => {
    const textbook = loadRuleset(
      {
        id: 'test-intermediate',
        version: '1',
        extends: 'national',
        name: { zh: '税额先舍入', en: 'taxes rounded before the next base' },
        sources: [{ id: 'T', issuer: 'test', title: 'test', section: 'test', kind: 'secondary' }],
        rules: {},
        policy: {
          rounding: [{ value: { mode: 'half-up', scale: 2, scope: 'line', intermediate: 'rounded' }, source: 'T' }],
        },
      },
      RULES,
      'intermediate test ruleset',
    );
    const registry = new RulesetRegistry(RULES, [...bundledRulesets(), textbook]);
    const at = '2026-06-01';
    expect(toTaxPolicy(registry.resolve('test-intermediate', at).policy)?.rounding.intermediate).toBe('rounded');

    // The Hangzhou example with one cosmetics line at 104.01 and its order taxTotal set by hand.
    const withTotal = (taxTotal: string) => {
      const d = example('hangzhou-1210');
      const item = d.inventory.items[0];
      Object.assign(item, { gcode: '3304990099', qty: '1', qty1: '1', price: '104.01', totalPrice: '104.01' });
      d.inventory.items = [item];
      d.inventory.freight = '0';
      d.inventory.insuredFee = '0';
      const goods = d.order.items[0];
      Object.assign(goods, { qty: '1', price: '104.01', totalPrice: '104.01' });
      d.order.items = [goods];
      d.order.goodsValue = '104.01';
      d.order.freight = '0';
      d.order.discount = '0';
      d.order.taxTotal = taxTotal;
      d.order.acturalPaid = new Dec('104.01').plus(taxTotal).toFixed(2);
      return d;
    };
    const totalIssues = (taxTotal: string, ruleset?: typeof textbook) =>
      validate(withTotal(taxTotal), { at, rates, ...(ruleset ? { ruleset } : {}) }).issues.filter(
        (i) => i.ruleId === 'tax/total',
      ).length;
    expect(totalIssues('23.98', textbook)).toBe(0);
    expect(totalIssues('23.99', textbook)).toBe(1);
    // The national default is the other way round.
    expect(totalIssues('23.99')).toBe(0);
    expect(totalIssues('23.98')).toBe(1);
  });
});
