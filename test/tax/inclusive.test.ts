import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeTax, DEFAULT_TAX_POLICY_2019, fromTaxInclusivePrice, parseRateTable } from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';
import { bundledRates, declarationWith } from './helpers.js';

const P2019 = DEFAULT_TAX_POLICY_2019;
const table = parseRateTable({
  '6109': { vat: '0.13' },
  '3303': { vat: '0.13', consumption: { adValorem: '0.15' } },
  '7116': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.10' } },
});
const rate = (key: string) => {
  const r = table.entries.get(key);
  if (r === undefined) throw new Error(key);
  return r;
};

describe('fromTaxInclusivePrice', () => {
  it('100.00 at 9.1 %: P = 91.66, VAT 91.66 × 0.091 = 8.341 → 8.34, 91.66 + 8.34 = 100.00 exactly', () => {
    const s = fromTaxInclusivePrice(new Dec('100.00'), rate('6109'), P2019);
    expect([
      s.goodsValue.toFixed(2),
      s.valueAddedTax.toFixed(2),
      s.taxTotal.toFixed(2),
      s.residual.toFixed(2),
      s.exact,
    ]).toEqual(['91.66', '8.34', '8.34', '0.00', true]);
  });

  it('200.00 with 15 % CT: P = 162.52; CT 162.52/0.85×0.15×0.7 = 20.0759 → 20.08; VAT 191.20 × 0.091 = 17.3992 → 17.40', () => {
    const s = fromTaxInclusivePrice(new Dec('200.00'), rate('3303'), P2019);
    expect([
      s.goodsValue.toFixed(2),
      s.consumptionTax.toFixed(2),
      s.valueAddedTax.toFixed(2),
      s.residual.toFixed(2),
    ]).toEqual(['162.52', '20.08', '17.40', '0.00']);
  });

  it('10.01 has no exact split (9.17 + 0.83 = 10.00, 9.18 + 0.84 = 10.02): goods value absorbs the 0.01 residual', () => {
    const s = fromTaxInclusivePrice(new Dec('10.01'), rate('6109'), P2019);
    expect([s.goodsValue.toFixed(2), s.taxTotal.toFixed(2), s.residual.toFixed(2), s.exact]).toEqual([
      '9.18',
      '0.83',
      '0.01',
      false,
    ]);
  });

  it('full regime uses the duty: 1000.00 at d 10 %, c 10 %, v 13 %', () => {
    // f(P) = P + 0.1P + 1.1P/0.9×0.1 + (1.1P + 0.122222P)×0.13 = 1.381111 P → P = 724.05:
    // duty 72.405 → 72.41; CT 796.455/0.9×0.1 = 88.495 → 88.50; VAT 884.95 × 0.13 = 115.0435 → 115.04;
    // 724.05 + 72.41 + 88.50 + 115.04 = 1000.00
    const s = fromTaxInclusivePrice(new Dec('1000.00'), rate('7116'), P2019, undefined, { regime: 'cbec-full' });
    expect(
      [s.goodsValue, s.customsTax, s.consumptionTax, s.valueAddedTax, s.residual].map((x) => x.toFixed(2)),
    ).toEqual(['724.05', '72.41', '88.50', '115.04', '0.00']);
  });

  it('a specific rate needs the quantity: beer 24 × 0.33 L, shelf 130.00', () => {
    const beer = bundledRates().entries.get('2203000000');
    if (beer === undefined) throw new Error('bundled beer');
    expect(() => fromTaxInclusivePrice(new Dec('130.00'), beer, P2019)).toThrow(/quantity in unit 095/);
    const s = fromTaxInclusivePrice(new Dec('130.00'), beer, P2019, { '095': new Dec('7.92') });
    expect(s.goodsValue.plus(s.taxTotal).toFixed(2)).toBe('130.00');
    // CT 7.92 × 0.253 × 0.7 = 1.40 (high band: well above 2.64 per litre)
    expect(s.consumptionTax.toFixed(2)).toBe('1.40');
  });

  it('rejects more places than the policy scale', () => {
    expect(() => fromTaxInclusivePrice(new Dec('10.001'), rate('6109'), P2019)).toThrow(/at most 2 places/);
  });

  it('property: value + taxes = shelf price; the residual is small; an exact split matches computeTax', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 450_000 }), fc.constantFrom('6109', '3303'), (fen, key) => {
        const G = new Dec(fen).div(100);
        const s = fromTaxInclusivePrice(G, rate(key), P2019);
        expect(s.goodsValue.plus(s.taxTotal).eq(G)).toBe(true);
        expect(s.residual.gte(0) && s.residual.lte('0.02')).toBe(true);
        // The taxes are those computeTax gives on the value before the residual.
        const base = s.goodsValue.minus(s.residual);
        const r = computeTax(declarationWith([{ gcode: `${key}000000`, totalPrice: base.toFixed(2) }]), {
          policy: P2019,
          rates: table,
        });
        expect(r.taxTotal.eq(s.taxTotal)).toBe(true);
        if (s.exact) expect(s.residual.isZero()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
