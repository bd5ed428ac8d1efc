import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeTax, DEFAULT_TAX_POLICY_2019, parseRateTable, type TaxPolicy } from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';
import { declarationWith, type LineSpec } from './helpers.js';

const P2019 = DEFAULT_TAX_POLICY_2019;
const ORDER_SCOPE: TaxPolicy = { ...P2019, rounding: { mode: 'half-up', scale: 2, scope: 'order' } };
const UNIT_SCOPE: TaxPolicy = { ...P2019, rounding: { mode: 'half-up', scale: 2, scope: 'unit' } };
// Codes covering VAT only, ad-valorem CT, compound CT and a 9 % rate.
const rates = parseRateTable({
  '6109': { duty: '0.14', vat: '0.13' },
  '4901': { duty: '0', vat: '0.09' },
  '3303': { duty: '0.03', vat: '0.13', consumption: { adValorem: '0.15' } },
  '2208': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.20', perUnit: '0.912', unit: '095' } },
});
const CODES = ['6109100021', '4901990000', '3303000010', '2208902000'] as const;

const money = (maxFen: number) => fc.integer({ min: 0, max: maxFen }).map((f) => new Dec(f).div(100).toFixed(2));
const lineArb = fc.record({
  code: fc.constantFrom(...CODES),
  price: money(200_000),
  litres: fc.integer({ min: 1, max: 3000 }).map((ml) => new Dec(ml).div(1000).toFixed()),
});
const toSpec = (l: { code: string; price: string; litres: string }): LineSpec => ({
  gcode: l.code,
  totalPrice: l.price,
  qty: '1',
  unit: '142',
  qty1: l.litres,
  unit1: '095',
});
const sum = (xs: readonly Dec[]) => xs.reduce((a, x) => a.plus(x), new Dec(0));

describe('properties of computeTax', () => {
  it('totals equal the sum of the lines (line scope), in every regime', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        money(5_000),
        money(1_000),
        (lines, freight, insuredFee) => {
          const r = computeTax(declarationWith(lines.map(toSpec), { freight, insuredFee }), { policy: P2019, rates });
          expect(r.complete).toBe(true);
          expect(r.customsTax.eq(sum(r.lines.map((l) => l.customsTax)))).toBe(true);
          expect(r.consumptionTax.eq(sum(r.lines.map((l) => l.consumptionTax)))).toBe(true);
          expect(r.valueAddedTax.eq(sum(r.lines.map((l) => l.valueAddedTax)))).toBe(true);
          expect(r.taxTotal.eq(sum(r.lines.map((l) => l.taxTotal)))).toBe(true);
          // Dutiable values carry exactly the header freight and insurance.
          const goods = sum(lines.map((l) => new Dec(l.price)));
          expect(sum(r.lines.map((l) => l.dutiableValue)).eq(goods.plus(freight).plus(insuredFee))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tax never decreases when a line price increases (no header amounts to re-spread)', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 50_000 }),
        (lines, pick, upFen) => {
          const i = pick % lines.length;
          const before = computeTax(declarationWith(lines.map(toSpec)), { policy: P2019, rates });
          const raised = lines.map((l, j) =>
            j === i ? { ...l, price: new Dec(l.price).plus(new Dec(upFen).div(100)).toFixed(2) } : l,
          );
          const after = computeTax(declarationWith(raised.map(toSpec)), { policy: P2019, rates });
          // Within one regime; crossing the limit changes the regime, checked separately below.
          fc.pre(before.regime === after.regime);
          expect(after.taxTotal.gte(before.taxTotal)).toBe(true);
          expect(after.lines[i]?.taxTotal.gte(before.lines[i]?.taxTotal ?? 0)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tax never decreases with the price of a single line with freight (CBEC)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CODES),
        money(400_000),
        fc.integer({ min: 1, max: 10_000 }),
        money(3_000),
        (code, price, upFen, freight) => {
          const at = (p: string) =>
            computeTax(declarationWith([toSpec({ code, price: p, litres: '0.5' })], { freight }), {
              policy: P2019,
              rates,
            });
          const a = at(price);
          const b = at(new Dec(price).plus(new Dec(upFen).div(100)).toFixed(2));
          fc.pre(a.regime === b.regime);
          expect(b.taxTotal.gte(a.taxTotal)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('line-level and order-level rounding differ by at most 0.005 per line for each tax', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 8 }), money(5_000), (lines, freight) => {
        const d = declarationWith(lines.map(toSpec), { freight });
        const byLine = computeTax(d, { policy: P2019, rates });
        const byOrder = computeTax(d, { policy: ORDER_SCOPE, rates });
        // Each line's rounding moves it by ≤ 0.005; the order rounding adds ≤ 0.005 once.
        const bound = new Dec('0.005').times(lines.length).plus('0.005');
        for (const k of ['customsTax', 'consumptionTax', 'valueAddedTax'] as const) {
          expect(byLine[k].minus(byOrder[k]).abs().lte(bound)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('unit-level rounding differs from line-level by at most 0.005 × (qty + 1) per line for each tax', () => {
    const withQty = fc.record({ line: lineArb, qty: fc.integer({ min: 1, max: 12 }) });
    fc.assert(
      fc.property(fc.array(withQty, { minLength: 1, maxLength: 6 }), money(5_000), (lines, freight) => {
        const d = declarationWith(
          lines.map(({ line, qty }) => ({ ...toSpec(line), qty: String(qty) })),
          { freight },
        );
        const byLine = computeTax(d, { policy: P2019, rates });
        const byUnit = computeTax(d, { policy: UNIT_SCOPE, rates });
        expect(byUnit.regime).toBe(byLine.regime);
        // A unit's rounding moves it by ≤ 0.005, so qty of them by ≤ 0.005 × qty; the line's own by ≤ 0.005.
        for (const [i, { qty }] of lines.entries()) {
          const bound = new Dec('0.005').times(qty + 1);
          for (const k of ['customsTax', 'consumptionTax', 'valueAddedTax'] as const) {
            expect(byLine.lines[i]![k].minus(byUnit.lines[i]![k]).abs().lte(bound)).toBe(true);
          }
          // A quantity of 1 is a line.
          if (qty === 1) expect(byUnit.lines[i]!.taxTotal.eq(byLine.lines[i]!.taxTotal)).toBe(true);
        }
        expect(byUnit.taxTotal.eq(sum(byUnit.lines.map((l) => l.taxTotal)))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('the regime follows the order dutiable value against the limit', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 2, maxLength: 5 }), (lines) => {
        const r = computeTax(declarationWith(lines.map(toSpec)), { policy: P2019, rates });
        const over = r.dutiableValue.gt(5000);
        expect(r.regime).toBe(over ? 'general-trade' : 'cbec');
        expect(r.issues.some((i) => i.code === '-621005')).toBe(over);
      }),
      { numRuns: 100 },
    );
  });
});
