import { describe, expect, it } from 'vitest';
import {
  computeTax,
  DEFAULT_TAX_POLICY_2019,
  parseRateTable,
  quantityIn,
  roundTax,
  type RoundingPolicy,
  type TaxPolicy,
  type TaxResult,
} from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';
import { declarationWith, type LineSpec } from './helpers.js';

// Hand-computed cases for branches the README examples do not reach: CT at full rates, a CBEC duty
// share other than 0, rounding exactly on a half, and allocation remainders, each with its explanation.

const P2019 = DEFAULT_TAX_POLICY_2019;
const rates = parseRateTable(
  {
    '6109': { duty: '0.10', vat: '0.13' },
    '6110': { duty: '0.10', vat: '0.10' },
    '2203': { duty: '0.10', vat: '0.13', consumption: { perUnit: '0.25', unit: '095' } },
    '2208': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.20', perUnit: '0.912', unit: '095' } },
    '3304': {
      duty: '0.01',
      vat: '0.13',
      consumption: [{ adValorem: '0.15', minUnitValue: [{ value: '10000', unit: '035' }] }],
    },
    '4901': { vat: '0.09' },
  },
  'branches',
);
const first = (r: TaxResult) => {
  const l = r.lines[0];
  if (l === undefined) throw new Error('no line');
  return l;
};
const figures = (r: TaxResult) => ({
  customsTax: r.customsTax.toFixed(2),
  consumptionTax: r.consumptionTax.toFixed(2),
  valueAddedTax: r.valueAddedTax.toFixed(2),
  taxTotal: r.taxTotal.toFixed(2),
});
const oneItem = (l: LineSpec) => declarationWith([{ qty: '1', unit: '142', ...l }]);

describe('consumption tax at full rates (one item above 5000: cbec-full, no factor)', () => {
  it('specific: duty 6000 × 0.1 = 600.00; CT 100 L × 0.25 = 25.00; VAT (6000 + 600 + 25) × 0.13 = 861.25', () => {
    const r = computeTax(oneItem({ gcode: '2203000000', totalPrice: '6000.00', qty1: '100', unit1: '095' }), {
      policy: P2019,
      rates,
    });
    expect(r.regime).toBe('cbec-full');
    expect(figures(r)).toEqual({
      customsTax: '600.00',
      consumptionTax: '25.00',
      valueAddedTax: '861.25',
      taxTotal: '1486.25',
    });
    const ex = first(r).explain;
    expect(ex.customsTax).toMatchObject({ formula: 'P × d', inputs: { P: '6000.00', d: '0.1' }, unrounded: '600.00' });
    expect(ex.consumptionTax).toEqual({
      formula: 'q × u',
      inputs: { q: '100 (unit 095)', u: '0.25' },
      unrounded: '25.00',
      rounded: '25.00',
      rule: 'half-up to 0.01 per line; order totals are sums of the rounded lines',
    });
    expect(ex.valueAddedTax).toMatchObject({
      formula: '(P + duty + CT_statutory) × v',
      inputs: { P: '6000.00', duty: '600.00', CT_statutory: '25.00', v: '0.13' },
      unrounded: '861.25',
    });
  });

  it('compound: CT (6000 + 600 + 0.5 × 0.912) / 0.8 × 0.2 + 0.456 = 1650.57; VAT 8250.57 × 0.13 = 1072.5741 → 1072.57', () => {
    const r = computeTax(oneItem({ gcode: '2208902000', totalPrice: '6000.00', qty1: '0.5', unit1: '095' }), {
      policy: P2019,
      rates,
    });
    expect(figures(r)).toEqual({
      customsTax: '600.00',
      consumptionTax: '1650.57',
      valueAddedTax: '1072.57',
      taxTotal: '3323.14',
    });
    const ex = first(r).explain;
    expect(ex.consumptionTax).toMatchObject({
      formula: '(P + duty + q × u) / (1 − c) × c + q × u',
      inputs: { P: '6000.00', duty: '600.00', q: '0.5 (unit 095)', u: '0.912', c: '0.2' },
      unrounded: '1650.57',
    });
    expect(Object.keys(ex.consumptionTax.inputs)).toEqual(['P', 'duty', 'q', 'u', 'c']);
    expect(ex.valueAddedTax.unrounded).toBe('1072.5741');
  });

  it('compound within limits: (400 + 0.456)/0.8 × 0.2 + 0.456 = 100.57 statutory, × 0.7 = 70.399 → 70.40', () => {
    const r = computeTax(oneItem({ gcode: '2208902000', totalPrice: '400.00', qty1: '0.5', unit1: '095' }), {
      policy: P2019,
      rates,
    });
    const ex = first(r).explain.consumptionTax;
    expect(ex).toMatchObject({
      formula: '((P + duty + q × u) / (1 − c) × c + q × u) × k',
      inputs: { P: '400.00', duty: '0.00', q: '0.5 (unit 095)', u: '0.912', c: '0.2', k: '0.7' },
      unrounded: '70.399',
      rounded: '70.40',
    });
  });

  it('specific within limits: 100 L × 0.25 × 0.7 = 17.50; VAT (400 + 25) × 0.13 × 0.7 = 38.675 → 38.68', () => {
    const r = computeTax(oneItem({ gcode: '2203000000', totalPrice: '400.00', qty1: '100', unit1: '095' }), {
      policy: P2019,
      rates,
    });
    expect(figures(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '17.50',
      valueAddedTax: '38.68',
      taxTotal: '56.18',
    });
    expect(first(r).explain.consumptionTax).toMatchObject({
      formula: 'q × u × k',
      inputs: { q: '100 (unit 095)', u: '0.25', k: '0.7' },
    });
    expect(first(r).explain.valueAddedTax.inputs.CT_statutory).toBe('25.00');
  });
});

describe('consumption-tax tiers', () => {
  it('just below the threshold: 499.99 / 0.05 kg = 9999.8 per kg < 10000 → no CT, VAT 499.99 × 0.091 = 45.49909 → 45.50', () => {
    const r = computeTax(oneItem({ gcode: '3304990099', totalPrice: '499.99', qty1: '0.05', unit1: '035' }), {
      policy: P2019,
      rates,
    });
    expect(figures(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '45.50',
      taxTotal: '45.50',
    });
    expect(first(r).explain.consumptionTax).toMatchObject({
      formula: '0',
      inputs: { reason: 'below every threshold' },
      unrounded: '0.00',
    });
  });

  it('a threshold in a unit the line does not declare cannot be checked → tax-quantity-unit, line omitted', () => {
    const r = computeTax(oneItem({ gcode: '3304990099', totalPrice: '499.99', qty1: '2', unit1: '011' }), {
      policy: P2019,
      rates,
    });
    expect(r.issues).toMatchObject([{ code: 'tax-quantity-unit', expected: '035', actual: '011, 142' }]);
    expect(r.omittedLines).toMatchObject([{ gnum: 1, reason: 'tax-quantity-unit' }]);
    expect(r.complete).toBe(false);
  });

  it('a code without CT says so', () => {
    const r = computeTax(oneItem({ gcode: '6109100021', totalPrice: '100.00' }), { policy: P2019, rates });
    expect(first(r).explain.consumptionTax).toMatchObject({
      formula: '0',
      inputs: { reason: 'no consumption tax for this code' },
    });
  });
});

describe('duty within limits', () => {
  const half: TaxPolicy = { ...P2019, cbecDutyRate: new Dec('0.5') };

  it('a CBEC duty share of 0.5: duty 100 × 0.1 × 0.5 = 5.00; VAT (100 + 5) × 0.13 × 0.7 = 9.555 → 9.56', () => {
    const r = computeTax(oneItem({ gcode: '6109100021', totalPrice: '100.00' }), { policy: half, rates });
    expect(figures(r)).toEqual({
      customsTax: '5.00',
      consumptionTax: '0.00',
      valueAddedTax: '9.56',
      taxTotal: '14.56',
    });
    expect(first(r).explain.customsTax).toMatchObject({
      formula: 'P × d × t',
      inputs: { P: '100.00', d: '0.1', t: '0.5' },
      unrounded: '5.00',
    });
    expect(first(r).explain.valueAddedTax).toMatchObject({ inputs: { duty: '5.00' }, unrounded: '9.555' });
  });

  it('no duty rate: fine while the share is 0 (shown as n/a), rate-missing when duty is charged', () => {
    // 88.00 × 0.09 × 0.7 = 5.544 → 5.54
    const zero = computeTax(oneItem({ gcode: '4901990000', totalPrice: '88.00' }), { policy: P2019, rates });
    expect(zero.taxTotal.toFixed(2)).toBe('5.54');
    expect(first(zero).explain.customsTax).toMatchObject({
      formula: 'P × d × t',
      inputs: { P: '88.00', d: 'n/a (t = 0)', t: '0' },
      unrounded: '0.00',
    });
    const charged = computeTax(oneItem({ gcode: '4901990000', totalPrice: '88.00' }), { policy: half, rates });
    expect(charged.lines).toEqual([]);
    expect(charged.issues).toMatchObject([{ code: 'rate-missing', path: 'inventory.items[0].gcode' }]);
    // The rate the entry lacks is the one customs applies: the provisional rate where the tariff has one (关税法 第十三条).
    expect(charged.issues[0]?.message.en).toContain(
      'has no duty rate (the MFN rate, or the provisional rate where the tariff has one)',
    );
  });
});

describe('rounding exactly on a half', () => {
  const withRounding = (rounding: RoundingPolicy): TaxPolicy => ({ ...P2019, rounding });
  const vat = (totalPrice: string, rounding: RoundingPolicy, gcode = '6109100021') =>
    computeTax(oneItem({ gcode, totalPrice }), { policy: withRounding(rounding), rates }).valueAddedTax.toFixed();

  // VAT within limits: P × 0.13 × 0.7 = P × 0.091.
  it.each([
    // 15.00 × 0.091 = 1.365; 25.00 × 0.091 = 2.275; 14.99 × 0.091 = 1.36409
    ['15.00', 'half-up', '1.37'],
    ['15.00', 'half-even', '1.36'],
    ['15.00', 'down', '1.36'],
    ['15.00', 'up', '1.37'],
    ['25.00', 'half-up', '2.28'],
    ['25.00', 'half-even', '2.28'],
    ['25.00', 'down', '2.27'],
    ['25.00', 'up', '2.28'],
    ['14.99', 'half-up', '1.36'],
    ['14.99', 'half-even', '1.36'],
    ['14.99', 'down', '1.36'],
    ['14.99', 'up', '1.37'],
  ] as const)('%s × 0.091 %s → %s', (price, mode, expected) => {
    expect(vat(price, { mode, scale: 2, scope: 'line' })).toBe(expected);
  });

  it.each([
    // VAT 10 %: P × 0.07. 150.00 → 10.5; 250.00 → 17.5
    ['150.00', 'half-up', '11'],
    ['150.00', 'half-even', '10'],
    ['150.00', 'down', '10'],
    ['150.00', 'up', '11'],
    ['250.00', 'half-even', '18'],
  ] as const)('scale 0: %s × 0.07 %s → %s', (price, mode, expected) => {
    expect(vat(price, { mode, scale: 0, scope: 'line' }, '6110000000')).toBe(expected);
  });

  it('scale 0 shows the rounded figure without places, and the rule in yuan', () => {
    const r = computeTax(oneItem({ gcode: '6110000000', totalPrice: '150.00' }), {
      policy: withRounding({ mode: 'half-up', scale: 0, scope: 'line' }),
      rates,
    });
    expect(first(r).explain.valueAddedTax).toMatchObject({
      unrounded: '10.50',
      rounded: '11',
      rule: 'half-up to 1 per line; order totals are sums of the rounded lines',
    });
  });

  it('two lines of 1.365: line scope 1.37 + 1.37 = 2.74; order scope round(2.73) = 2.73 (lines still show 1.37)', () => {
    const d = declarationWith([
      { gcode: '6109100021', totalPrice: '15.00' },
      { gcode: '6109100021', totalPrice: '15.00' },
    ]);
    const line = computeTax(d, { policy: P2019, rates });
    expect(line.valueAddedTax.toFixed()).toBe('2.74');
    const order = computeTax(d, { policy: withRounding({ mode: 'half-up', scale: 2, scope: 'order' }), rates });
    expect(order.valueAddedTax.toFixed()).toBe('2.73');
    expect(order.taxTotal.toFixed()).toBe('2.73');
    expect(order.lines.map((l) => l.valueAddedTax.toFixed())).toEqual(['1.37', '1.37']);
    expect(first(order).explain.valueAddedTax.rule).toBe(
      'line figures half-up to 0.01 for display only; each order total is the sum of unrounded line taxes, half-up to 0.01 once',
    );
  });

  it('unit scope: 2 × 157.65 at 13 % × 0.7 → 2 × round(14.34615) = 28.70, where the line gives round(28.6923) = 28.69', () => {
    // The figure a platform that prices per unit withholds (one tax per unit, times the quantity).
    const d = declarationWith([
      { gcode: '6109100021', totalPrice: '315.30', qty: '2' },
      { gcode: '6109100021', totalPrice: '150.00', qty: '1.5' },
    ]);
    const line = computeTax(d, { policy: P2019, rates });
    expect(line.lines.map((l) => l.valueAddedTax.toFixed(2))).toEqual(['28.69', '13.65']);
    const unit = computeTax(d, { policy: withRounding({ mode: 'half-up', scale: 2, scope: 'unit' }), rates });
    // 150.00 × 0.091 = 13.65 either way: a quantity of 1.5 is rounded as a line.
    expect(unit.lines.map((l) => l.valueAddedTax.toFixed(2))).toEqual(['28.70', '13.65']);
    expect(figures(unit)).toEqual({
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '42.35',
      taxTotal: '42.35',
    });
    expect(first(unit).explain.valueAddedTax.rule).toBe(
      'half-up to 0.01 per unit, times the quantity (a line of a fractional quantity per line); order totals are sums of the lines',
    );
  });

  it('roundTax leaves a value already at the scale as it is (the same Decimal)', () => {
    const x = new Dec('1.25');
    expect(roundTax(x, { mode: 'up', scale: 2, scope: 'line' })).toBe(x);
    expect(roundTax(new Dec('1.251'), { mode: 'down', scale: 2, scope: 'line' }).toFixed()).toBe('1.25');
  });
});

describe('allocation remainders, explained', () => {
  it("'largest-line': 0.05 over 1/3/3 → 0.00, remainder 0.03 on the first 3.00 line, 0.02", () => {
    // 0.05 × 1/7 = 0.00714 → 0.00; 0.05 × 3/7 = 0.02142 → 0.02; line 2 takes 0.05 − 0.02 = 0.03 (0.01 above its 0.02).
    const d = declarationWith(
      [
        { gcode: '6109100021', totalPrice: '1.00' },
        { gcode: '6109100021', totalPrice: '3.00' },
        { gcode: '6109100021', totalPrice: '3.00' },
      ],
      { freight: '0.05' },
    );
    const r = computeTax(d, { policy: { ...P2019, allocationRemainder: 'largest-line' }, rates });
    expect(r.lines.map((l) => l.dutiableValue.toFixed(2))).toEqual(['1.00', '3.03', '3.02']);
    expect(r.lines[1]?.explain.allocation.freight).toEqual({
      formula: 'total − Σ other shares (remainder line, largest-line)',
      inputs: {
        total: '0.05',
        'Σ other shares': '0.02',
        lines: '3',
        totalPrice: '3.00',
        'Σ totalPrice': '7.00',
        remainder: '0.01',
      },
      share: '0.03',
    });
    expect(r.lines[0]?.explain.allocation.freight).toEqual({
      formula: 'total × totalPrice / Σ totalPrice, rounded down to 0.01',
      inputs: { total: '0.05', totalPrice: '1.00', 'Σ totalPrice': '7.00', lines: '3' },
      share: '0.00',
    });
    expect(r.lines[0]?.explain.dutiableValue).toEqual({
      formula: 'totalPrice + freightShare + insuredFeeShare',
      inputs: { totalPrice: '1.00', freightShare: '0.00', insuredFeeShare: '0.00' },
      unrounded: '1.00',
      rounded: '1.00',
      rule: 'exact (no rounding)',
    });
  });

  it('every line price 0: 1.00 split equally, 0.33 / 0.33 / 0.34 with the last line taking 0.01 more', () => {
    const d = declarationWith(
      [0, 1, 2].map(() => ({ gcode: '6109100021', totalPrice: '0' })),
      { freight: '1.00' },
    );
    const r = computeTax(d, { policy: P2019, rates });
    expect(r.lines.map((l) => l.dutiableValue.toFixed(2))).toEqual(['0.33', '0.33', '0.34']);
    expect(r.lines[0]?.explain.allocation.freight).toEqual({
      formula: 'total / lines, rounded down to 0.01',
      inputs: { total: '1.00', lines: '3' },
      share: '0.33',
    });
    expect(r.lines[2]?.explain.allocation.freight).toEqual({
      formula: 'total − Σ other shares (remainder line, last-line)',
      inputs: { total: '1.00', 'Σ other shares': '0.66', lines: '3', remainder: '0.01' },
      share: '0.34',
    });
  });

  it('a header amount with 3 places is shared at 3 places, and the formula says so: 0.005 → 0.002 + 0.003', () => {
    const d = declarationWith(
      [
        { gcode: '6109100021', totalPrice: '1.00' },
        { gcode: '6109100021', totalPrice: '1.00' },
      ],
      { freight: '0.005' },
    );
    const r = computeTax(d, { policy: P2019, rates });
    expect(r.lines.map((l) => l.explain.allocation.freight.share)).toEqual(['0.002', '0.003']);
    expect(r.lines[0]?.explain.allocation.freight.formula).toBe(
      'total × totalPrice / Σ totalPrice, rounded down to 0.001',
    );
    // Insurance 0 keeps its own 2-place text.
    expect(r.lines[0]?.explain.allocation.insuredFee.formula).toBe(
      'total × totalPrice / Σ totalPrice, rounded down to 0.01',
    );
  });

  it('the discount lowers the value where the policy says so; below zero it counts as 0 with tax-negative-base', () => {
    // 30.00 + 0 − 50.00 = −20.00 → 0; order value max(0, 30 − 50) = 0.
    const d = declarationWith([{ gcode: '6109100021', totalPrice: '30.00' }], { discount: '50.00' });
    const r = computeTax(d, { policy: { ...P2019, nonCashDiscountReducesBase: true }, rates });
    expect(r.issues).toMatchObject([
      {
        code: 'tax-negative-base',
        severity: 'error',
        ruleId: 'tax/value',
        path: 'inventory.items[0].totalPrice',
        actual: '-20.00',
      },
    ]);
    expect(first(r).dutiableValue.toFixed()).toBe('0');
    expect(r.taxTotal.toFixed()).toBe('0');
    expect(r.dutiableValue.toFixed()).toBe('0');
    expect(first(r).explain.dutiableValue).toMatchObject({
      formula: 'totalPrice + freightShare + insuredFeeShare − discountShare',
      inputs: { totalPrice: '30.00', freightShare: '0.00', insuredFeeShare: '0.00', discountShare: '50.00' },
      unrounded: '0.00',
    });
    expect(first(r).explain.allocation.discount?.share).toBe('50.00');
  });
});

describe('quantityIn', () => {
  // A specific tax is per kg, litre…: the line's quantity in that unit is taken from the first
  // legal unit, then the second, then the declared unit.
  const q = { unit1: '035', qty1: new Dec('0.8'), unit2: '095', qty2: new Dec('1.5'), unit: '122', qty: new Dec('2') };
  it.each([
    ['035', '0.8'],
    ['095', '1.5'],
    ['122', '2'],
    ['011', undefined],
  ])('in unit %s → %s', (unit, want) => {
    expect(quantityIn(q, unit)?.toString()).toBe(want);
  });
  it('a unit named without its quantity is not a match', () => {
    expect(quantityIn({ unit: '122' }, '122')).toBeUndefined();
    expect(quantityIn({ unit1: '035', unit: '035', qty: new Dec('3') }, '035')?.toString()).toBe('3');
  });
});
