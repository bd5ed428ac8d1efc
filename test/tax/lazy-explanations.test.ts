import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  computeTax,
  DEFAULT_TAX_POLICY_2016,
  DEFAULT_TAX_POLICY_2019,
  parseRateTable,
  taxResultToJSON,
  type TaxPolicy,
  type TaxResult,
} from '../../src/tax/index.js';
import * as F from '../../src/tax/formulas.js';
import { declarationWith, type LineSpec } from './helpers.js';

// computeTax records what each line's explanation needs and renders the texts when `explain` is
// first read (src/tax/compute.ts, ExplainedLine). These tests hold the two promises of that: the
// texts are not made until asked for, and what is read is what an eager rendering gave.

const rates = parseRateTable(
  {
    '6109': { duty: '0.14', vat: '0.13' },
    '3303': { duty: '0.03', vat: '0.13', consumption: { adValorem: '0.15' } },
    '2208': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.20', perUnit: '0.912', unit: '095' } },
    '3304': {
      duty: '0.01',
      vat: '0.13',
      consumption: [{ adValorem: '0.15', minUnitValue: [{ value: '10000', unit: '035' }] }],
    },
  },
  'lazy',
);
const lines: LineSpec[] = [
  { gcode: '6109100021', totalPrice: '100.00' },
  { gcode: '3303000010', totalPrice: '200.00' },
  { gcode: '2208902000', totalPrice: '300.00', qty1: '0.5', unit1: '095' },
];
const header = { freight: '10.00', insuredFee: '1.00' };

/** Every line's explanation read once, first to last. */
function readAll(r: TaxResult): unknown[] {
  return r.lines.map((l) => l.explain);
}

describe('explanations are rendered when read', () => {
  afterEach(() => vi.restoreAllMocks());

  it('computeTax renders no formula; reading a line renders that line once and keeps it', () => {
    const renders = [...F.FORMULAS, ...F.SCALED].map((f) => vi.spyOn(f, 'render'));
    const count = () => renders.reduce((n, s) => n + s.mock.calls.length, 0);
    const r = computeTax(declarationWith(lines, header), { policy: DEFAULT_TAX_POLICY_2019, rates });
    expect(count()).toBe(0);
    // The figures and the order-level explanation are there without rendering.
    // Shares of 10.00 / 1.00 by price: P = 101.82, 203.66, 305.52 (line 3 takes the remainders 5.01 / 0.51).
    // 6109: VAT 101.82 × 0.13 × 0.7 = 9.26562 → 9.27. 3303: CT 203.66 / 0.85 × 0.15 = 35.94, × 0.7 = 25.158 → 25.16;
    // VAT (203.66 + 35.94) × 0.091 = 21.8036 → 21.80. 2208: CT (305.52 + 0.456) / 0.8 × 0.2 + 0.456 = 76.95,
    // × 0.7 = 53.865 → 53.87; VAT (305.52 + 76.95) × 0.091 = 34.80477 → 34.80. Sum 144.90.
    expect(r.taxTotal.toFixed(2)).toBe('144.90');
    expect(r.explain.rounding).toBe('half-up to 0.01 per line; order totals are sums of the rounded lines');

    const second = r.lines[1]?.explain;
    // Line 2 alone: dutiable value, freight and insurance shares, duty, CT and VAT (6 renders).
    expect(count()).toBe(6);
    expect(second?.consumptionTax.formula).toBe('(P + duty) / (1 − c) × c × k');
    expect(r.lines[1]?.explain).toBe(second);
    expect(count()).toBe(6);
    readAll(r);
    expect(count()).toBe(18);
  });

  it('a line reads like a plain object: keys, JSON, spread, deep equality, inspect', () => {
    const r = computeTax(declarationWith(lines, header), { policy: DEFAULT_TAX_POLICY_2019, rates });
    const line = r.lines[0];
    if (line === undefined) throw new Error('no line');
    const keys = [
      'gnum',
      'gcode',
      'dutiableValue',
      'customsTax',
      'consumptionTax',
      'valueAddedTax',
      'taxTotal',
      'explain',
    ];
    expect(Object.keys(line)).toEqual(keys);
    const copy = { ...line };
    expect(Object.keys(copy)).toEqual(keys);
    expect(copy.explain).toBe(line.explain);
    expect(Object.getOwnPropertyDescriptor(line, 'explain')?.enumerable).toBe(true);
    expect(JSON.parse(JSON.stringify(line))).toEqual(JSON.parse(JSON.stringify(copy)));
    expect(JSON.parse(JSON.stringify(line)).explain.valueAddedTax.formula).toBe('(P + duty + CT_statutory) × v × k');
    expect(line).toEqual(copy);
    expect(inspect(line, { depth: 4 })).toBe(inspect(copy, { depth: 4 }));
    expect(inspect(line, { depth: 4 })).toContain("formula: 'P × d × t'");
  });

  it('assigning explain replaces it, before or after it was read', () => {
    const r = computeTax(declarationWith(lines, header), { policy: DEFAULT_TAX_POLICY_2019, rates });
    const [a, b] = r.lines;
    if (a === undefined || b === undefined) throw new Error('no lines');
    const own = b.explain;
    a.explain = own;
    expect(a.explain).toBe(own);
    const read = b.explain;
    b.explain = { ...read, rate: { key: 'x', origin: 'y' } };
    expect(b.explain.rate).toEqual({ key: 'x', origin: 'y' });
    expect(b.explain.customsTax).toBe(read.customsTax);
  });
});

describe('what is read is what was computed', () => {
  const money = (maxFen: number) => fc.integer({ min: 0, max: maxFen }).map((f) => (f / 100).toFixed(2));
  const lineArb = fc.record({
    gcode: fc.constantFrom('6109100021', '3303000010', '2208902000', '3304990010', '9999000000'),
    totalPrice: money(400_000),
    qty1: fc.integer({ min: 1, max: 3000 }).map((n) => (n / 1000).toString()),
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

  it('in any order of reading, and after the caller changed the policy object it passed', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 5 }),
        money(5_000),
        money(1_000),
        money(2_000),
        policyArb,
        (specs, freight, insuredFee, discount, p) => {
          const d = declarationWith(specs, { freight, insuredFee, discount });
          const policy = (): TaxPolicy => ({
            ...p.base,
            rounding: { mode: p.mode, scale: p.scale, scope: p.scope },
            nonCashDiscountReducesBase: p.nonCashDiscountReducesBase,
            allocationRemainder: p.allocationRemainder,
          });
          // Read at once, first line to last: the reference.
          const reference = computeTax(d, { policy: policy(), rates });
          const expected = JSON.stringify(taxResultToJSON(reference));
          // Read last line first, after the policy object was changed in place and another declaration computed.
          const changing = policy();
          const later = computeTax(d, { policy: changing, rates });
          changing.allocationRemainder = p.allocationRemainder === 'last-line' ? 'largest-line' : 'last-line';
          changing.rounding.scale = p.scale + 1;
          changing.rounding.mode = p.mode === 'up' ? 'down' : 'up';
          readAll(computeTax(declarationWith(lines, header), { policy: changing, rates }));
          for (const l of [...later.lines].reverse()) expect(l.explain.dutiableValue.formula).toMatch(/^totalPrice/);
          expect(JSON.stringify(taxResultToJSON(later))).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
