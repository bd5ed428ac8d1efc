import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { computeTax, DEFAULT_TAX_POLICY_2019, parseRateTable, type TaxPolicy } from '../../src/tax/index.js';
import { declarationWith } from './helpers.js';

// computeTax against the arithmetic of docs/tax.md written out by hand, with a decimal.js of its own (60 digits),
// none of src/tax's formulas, allocation or rounding: the regime, every line's dutiable value and taxes, the totals,
// under every policy setting that changes a figure.
const D = Decimal.clone({ precision: 60 });
type D = Decimal;
const RATES = {
  '6109': { duty: '0.14', vat: '0.13' },
  '4901': { duty: '0', vat: '0.09' },
  '3303': { duty: '0.03', vat: '0.13', consumption: [{ adValorem: '0.15' }] },
  '2208': { duty: '0.10', vat: '0.13', consumption: [{ adValorem: '0.20', perUnit: '0.912', unit: '095' }] },
  '2203': {
    duty: '0',
    vat: '0.13',
    consumption: [
      { perUnit: '0.253', unit: '095', minUnitValue: [{ value: '2.64295885', unit: '095' }] },
      { perUnit: '0.2227', unit: '095' },
    ],
  },
} as const;
type Code = keyof typeof RATES;
const table = parseRateTable(RATES);
const MODE = { 'half-up': D.ROUND_HALF_UP, 'half-even': D.ROUND_HALF_EVEN, down: D.ROUND_DOWN, up: D.ROUND_UP };

interface Line {
  code: Code;
  totalPrice: string;
  qty: number;
  litres: string;
}

function oracle(lines: readonly Line[], freight: string, insuredFee: string, discount: string, p: TaxPolicy) {
  const W = lines.reduce((a, l) => a.plus(l.totalPrice), new D(0));
  const last = lines.length - 1;
  // largest-line: the first line of the largest totalPrice takes the remainder
  const target =
    p.allocationRemainder === 'last-line'
      ? last
      : lines.reduce((best, l, i) => (new D(l.totalPrice).gt(lines[best]!.totalPrice) ? i : best), 0);
  const spread = (amount: string): D[] => {
    const T = new D(amount);
    const places = Math.max(2, T.decimalPlaces());
    const shares = lines.map((l) =>
      (W.isZero() ? T.div(lines.length) : T.times(l.totalPrice).div(W)).toDecimalPlaces(places, D.ROUND_DOWN),
    );
    shares[target] = T.minus(shares.filter((_, i) => i !== target).reduce((a, s) => a.plus(s), new D(0)));
    return shares;
  };
  const fs = spread(freight);
  const is = spread(insuredFee);
  const ds = p.nonCashDiscountReducesBase ? spread(discount) : lines.map(() => new D(0));
  let V = W.plus(freight).plus(insuredFee);
  if (p.nonCashDiscountReducesBase) V = D.max(V.minus(discount), 0);
  if (p.dutiableValueRounding === 'half-up-fen') V = V.toDecimalPlaces(2, D.ROUND_HALF_UP);
  const single = lines.length === 1 && lines[0]!.qty === 1;
  const regime = V.lte(5000) ? 'cbec' : single && V.lt(26000) ? 'cbec-full' : 'general-trade';
  const r = p.rounding;
  const round = (x: D) => x.toDecimalPlaces(r.scale, MODE[r.mode]);
  const inBase = (x: D) => (r.intermediate === 'rounded' ? round(x) : x);
  const k = regime === 'cbec' ? new D('0.7') : new D(1);
  const raw = lines.map((l, i) => {
    const P = D.max(new D(l.totalPrice).plus(fs[i]!).plus(is[i]!).minus(ds[i]!), 0);
    const rate = RATES[l.code];
    const duty = regime === 'cbec' ? new D(0) : P.times(rate.duty);
    const q = new D(l.litres);
    const tier =
      'consumption' in rate
        ? rate.consumption.find((t) => !('minUnitValue' in t) || P.div(q).gte(t.minUnitValue[0].value))
        : undefined;
    let ct = new D(0);
    if (tier) {
      const c = new D('adValorem' in tier ? tier.adValorem : 0);
      const specific = 'perUnit' in tier ? q.times(tier.perUnit) : new D(0);
      ct = P.plus(inBase(duty)).plus(specific).div(new D(1).minus(c)).times(c).plus(specific);
    }
    const vat = P.plus(inBase(duty)).plus(inBase(ct)).times(rate.vat);
    return { P, taxes: [duty, ct.times(k), vat.times(k)] };
  });
  const perLine = raw.map(({ P, taxes }, i) => ({
    P,
    taxes: taxes.map((t) => {
      const n = lines[i]!.qty;
      return r.scope === 'unit' && n > 1 ? round(t.div(n)).times(n) : round(t);
    }),
  }));
  const totals = [0, 1, 2].map((j) =>
    r.scope === 'order'
      ? round(raw.reduce((a, l) => a.plus(l.taxes[j]!), new D(0)))
      : perLine.reduce((a, l) => a.plus(l.taxes[j]!), new D(0)),
  );
  return { regime, V, perLine, totals };
}

const fen = (max: number, places = 2) =>
  fc.integer({ min: 0, max }).map((n) => new D(n).div(10 ** places).toFixed(places));
const lineArb = fc.record({
  code: fc.constantFrom(...(Object.keys(RATES) as Code[])),
  qty: fc.integer({ min: 1, max: 4 }),
  unitPrice: fc.oneof(fen(300_000), fen(300_000_000, 5)),
  litres: fc.integer({ min: 1, max: 9000 }).map((ml) => new D(ml).div(1000).toFixed()),
});
const policyArb = fc.record({
  mode: fc.constantFrom('half-up', 'half-even', 'down', 'up') as fc.Arbitrary<TaxPolicy['rounding']['mode']>,
  scale: fc.constantFrom(0, 2, 3),
  scope: fc.constantFrom('line', 'order', 'unit') as fc.Arbitrary<TaxPolicy['rounding']['scope']>,
  intermediate: fc.constantFrom('exact', 'rounded') as fc.Arbitrary<'exact' | 'rounded'>,
  remainder: fc.constantFrom('last-line', 'largest-line') as fc.Arbitrary<TaxPolicy['allocationRemainder']>,
  net: fc.boolean(),
  value: fc.constantFrom('exact', 'half-up-fen') as fc.Arbitrary<'exact' | 'half-up-fen'>,
});

describe('computeTax against a hand-written oracle', () => {
  it('gives the regime, each line and the totals the arithmetic of docs/tax.md gives, under every policy setting', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 4 }),
        fc.oneof(fen(6_000), fen(6_000_000, 5)),
        fen(1_000),
        fen(20_000),
        policyArb,
        (spec, freight, insuredFee, discount, o) => {
          const lines: Line[] = spec.map((l) => ({
            code: l.code,
            qty: l.qty,
            litres: l.litres,
            totalPrice: new D(l.unitPrice).times(l.qty).toFixed(),
          }));
          const policy: TaxPolicy = {
            ...DEFAULT_TAX_POLICY_2019,
            rounding: { mode: o.mode, scale: o.scale, scope: o.scope, intermediate: o.intermediate },
            allocationRemainder: o.remainder,
            nonCashDiscountReducesBase: o.net,
            dutiableValueRounding: o.value,
          };
          const declaration = declarationWith(
            lines.map((l) => ({
              gcode: `${l.code}${'0'.repeat(10 - l.code.length)}`,
              totalPrice: l.totalPrice,
              qty: String(l.qty),
              unit: '142',
              qty1: l.litres,
              unit1: '095',
            })),
            { freight, insuredFee, discount },
          );
          const got = computeTax(declaration, { policy, rates: table, explain: false });
          const want = oracle(lines, freight, insuredFee, discount, policy);
          expect(got.complete).toBe(true);
          expect(got.regime).toBe(want.regime);
          expect(got.dutiableValue.toFixed()).toBe(want.V.toFixed());
          expect(
            got.lines.map((l) =>
              [l.dutiableValue, l.customsTax, l.consumptionTax, l.valueAddedTax].map((x) => x.toFixed()),
            ),
          ).toEqual(want.perLine.map((l) => [l.P, ...l.taxes].map((x) => x.toFixed())));
          expect([got.customsTax, got.consumptionTax, got.valueAddedTax].map((x) => x.toFixed())).toEqual(
            want.totals.map((x) => x.toFixed()),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
