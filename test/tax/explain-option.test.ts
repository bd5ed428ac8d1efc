import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  computeTax,
  DEFAULT_TAX_POLICY_2016,
  DEFAULT_TAX_POLICY_2019,
  parseRateTable,
  type TaxFigures,
  type TaxPolicy,
  type TaxResult,
} from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';
import { declarationWith, type LineSpec } from './helpers.js';

// VAT only, ad-valorem CT, compound CT, specific CT, a CT threshold, no duty rate, and a code with no rate at all.
const rates = parseRateTable({
  '6109': { duty: '0.14', vat: '0.13' },
  '3303': { duty: '0.03', vat: '0.13', consumption: { adValorem: '0.15' } },
  '2208': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.20', perUnit: '0.912', unit: '095' } },
  '2203': { duty: '0', vat: '0.13', consumption: { perUnit: '0.25', unit: '095' } },
  '3304': {
    duty: '0.01',
    vat: '0.13',
    consumption: [{ adValorem: '0.15', minUnitValue: [{ value: '10000', unit: '035' }] }],
  },
  '4901': { vat: '0.09' },
});
const CODES = [
  '6109100021',
  '3303000010',
  '2208902000',
  '2203000000',
  '3304990010',
  '4901990000',
  '9999000000',
] as const;

const money = (maxFen: number) => fc.integer({ min: 0, max: maxFen }).map((f) => new Dec(f).div(100).toFixed(2));
const lineArb = fc.record({
  gcode: fc.constantFrom(...CODES),
  totalPrice: money(400_000),
  qty1: fc.integer({ min: 1, max: 3000 }).map((n) => new Dec(n).div(1000).toFixed()),
  unit1: fc.constantFrom('095', '035', '011'),
});
const policyArb = fc.record({
  base: fc.constantFrom(DEFAULT_TAX_POLICY_2019, DEFAULT_TAX_POLICY_2016),
  mode: fc.constantFrom('half-up', 'half-even', 'down', 'up') as fc.Arbitrary<TaxPolicy['rounding']['mode']>,
  scale: fc.integer({ min: 0, max: 3 }),
  scope: fc.constantFrom('line', 'order') as fc.Arbitrary<TaxPolicy['rounding']['scope']>,
  nonCashDiscountReducesBase: fc.boolean(),
  allocationRemainder: fc.constantFrom('last-line', 'largest-line') as fc.Arbitrary<TaxPolicy['allocationRemainder']>,
});

/** The figures of a result, as text (Decimal → its exact string), without any explanation. */
function figuresOf(r: TaxFigures): unknown {
  const dec = (d: Dec) => d.toString();
  return {
    regime: r.regime,
    dutiableValue: dec(r.dutiableValue),
    lines: r.lines.map((l) => ({
      gnum: l.gnum,
      gcode: l.gcode,
      dutiableValue: dec(l.dutiableValue),
      customsTax: dec(l.customsTax),
      consumptionTax: dec(l.consumptionTax),
      valueAddedTax: dec(l.valueAddedTax),
      taxTotal: dec(l.taxTotal),
    })),
    omittedLines: r.omittedLines.map((l) => ({ ...l, dutiableValue: dec(l.dutiableValue) })),
    customsTax: dec(r.customsTax),
    consumptionTax: dec(r.consumptionTax),
    valueAddedTax: dec(r.valueAddedTax),
    taxTotal: dec(r.taxTotal),
    complete: r.complete,
    issues: r.issues,
  };
}

describe('computeTax with explain: false', () => {
  it('gives the same figures and issues as the default, without explanations', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        money(5_000),
        money(1_000),
        money(2_000),
        policyArb,
        fc.option(money(3_000_000), { nil: undefined }),
        (lines, freight, insuredFee, discount, p, used) => {
          const d = declarationWith(
            lines.map((l): LineSpec => ({ ...l, qty: '1', unit: '142' })),
            { freight, insuredFee, discount },
          );
          const policy: TaxPolicy = {
            ...p.base,
            rounding: { mode: p.mode, scale: p.scale, scope: p.scope },
            nonCashDiscountReducesBase: p.nonCashDiscountReducesBase,
            allocationRemainder: p.allocationRemainder,
          };
          const annualUsed = used === undefined ? undefined : new Dec(used);
          const full: TaxResult = computeTax(d, { policy, rates, ...(annualUsed && { annualUsed }) });
          const lean: TaxFigures = computeTax(d, { policy, rates, explain: false, ...(annualUsed && { annualUsed }) });
          expect(figuresOf(lean)).toEqual(figuresOf(full));
          expect('explain' in lean).toBe(false);
          for (const l of lean.lines) expect('explain' in l).toBe(false);
          // explain: true is the default.
          expect(computeTax(d, { policy, rates, explain: true, ...(annualUsed && { annualUsed }) })).toEqual(full);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same result without an inventory', () => {
    const d = declarationWith([{ gcode: '6109100021', totalPrice: '10.00' }]);
    const noInventory = { ...d, inventory: undefined };
    const full = computeTax(noInventory, { policy: DEFAULT_TAX_POLICY_2019, rates });
    const lean = computeTax(noInventory, { policy: DEFAULT_TAX_POLICY_2019, rates, explain: false });
    expect(figuresOf(lean)).toEqual(figuresOf(full));
    expect('explain' in lean).toBe(false);
    expect(full.explain.regime).toBe('no inventory');
  });
});
