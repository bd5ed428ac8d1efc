import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  computeTax,
  DEFAULT_TAX_POLICY_2016,
  DEFAULT_TAX_POLICY_2019,
  fromTaxInclusivePrice,
  parseRateTable,
} from '../../src/tax/index.js';
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

  it('full regime uses the duty: 7000.00 at d 10 %, c 10 %, v 13 % (one item above the 5000 limit)', () => {
    // f(P) = P + 0.1P + 1.1P/0.9×0.1 + (1.1P + 0.122222P)×0.13 = 1.381111 P → P = 5068.38:
    // duty 506.838 → 506.84; CT 5575.218/0.9×0.1 = 619.4687 → 619.47; VAT 6194.6867 × 0.13 = 805.3093 → 805.31;
    // 5068.38 + 506.84 + 619.47 + 805.31 = 7000.00
    const s = fromTaxInclusivePrice(new Dec('7000.00'), rate('7116'), P2019, undefined, { regime: 'cbec-full' });
    expect(
      [s.goodsValue, s.customsTax, s.consumptionTax, s.valueAddedTax, s.residual].map((x) => x.toFixed(2)),
    ).toEqual(['5068.38', '506.84', '619.47', '805.31', '0.00']);
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
        // What customs charges on the declared value: the split's taxes exactly when there is no residual.
        const onValue = computeTax(declarationWith([{ gcode: `${key}000000`, totalPrice: s.goodsValue.toFixed(2) }]), {
          policy: P2019,
          rates: table,
        });
        expect(onValue.taxTotal.toFixed(2)).toBe(s.taxesOnGoodsValue.taxTotal.toFixed(2));
        expect(onValue.taxTotal.eq(s.taxTotal)).toBe(s.exact);
      }),
      { numRuns: 300 },
    );
  });

  describe('a shelf price in the gap of a consumption-tax threshold (skin care, 50 g: CT from 10000 CNY/kg, i.e. 500.00)', () => {
    const skinCare = () => {
      const r = bundledRates().entries.get('33049900');
      if (r === undefined) throw new Error('bundled 33049900');
      return r;
    };
    const qty = { '035': new Dec('0.05') };

    it('below the gap, 499.99 + VAT 499.99 × 0.091 = 45.49909 → 45.50 = 545.49: exact, no CT', () => {
      const s = fromTaxInclusivePrice(new Dec('545.49'), skinCare(), P2019, qty);
      expect([s.goodsValue, s.consumptionTax, s.valueAddedTax, s.residual].map((x) => x.toFixed(2))).toEqual([
        '499.99',
        '0.00',
        '45.50',
        '0.00',
      ]);
      expect(s.exact).toBe(true);
      expect(s.taxesOnGoodsValue.taxTotal.toFixed(2)).toBe('45.50');
    });

    it('at 500.00 the CT starts: 500/0.85 × 0.15 × 0.7 = 61.7647 → 61.76, VAT 588.2353 × 0.091 = 53.5294 → 53.53; 615.29', () => {
      const s = fromTaxInclusivePrice(new Dec('615.29'), skinCare(), P2019, qty);
      expect([s.goodsValue, s.consumptionTax, s.valueAddedTax, s.residual].map((x) => x.toFixed(2))).toEqual([
        '500.00',
        '61.76',
        '53.53',
        '0.00',
      ]);
      expect(s.exact).toBe(true);
    });

    it('inside the gap, 600.00: the split cannot be exact, and taxesOnGoodsValue says what customs charges on 554.50', () => {
      const s = fromTaxInclusivePrice(new Dec('600.00'), skinCare(), P2019, qty);
      // The taxes of 499.99 (45.50); the goods value absorbs 600.00 − 499.99 − 45.50 = 54.51.
      expect([s.goodsValue, s.taxTotal, s.residual].map((x) => x.toFixed(2))).toEqual(['554.50', '45.50', '54.51']);
      expect(s.exact).toBe(false);
      // On 554.50 (11,090 CNY/kg): CT 554.50/0.85 × 0.15 × 0.7 = 68.4971 → 68.50;
      // VAT (554.50 + 97.8529) × 0.091 = 652.3529 × 0.091 = 59.3641 → 59.36; 127.86 in all, not 45.50.
      const t = s.taxesOnGoodsValue;
      expect([t.customsTax, t.consumptionTax, t.valueAddedTax, t.taxTotal].map((x) => x.toFixed(2))).toEqual([
        '0.00',
        '68.50',
        '59.36',
        '127.86',
      ]);
      // computeTax agrees on the declared value.
      const r = computeTax(
        declarationWith([{ gcode: '3304990099', totalPrice: '554.50', qty1: '0.05', unit1: '035' }]),
        { policy: P2019, rates: bundledRates() },
      );
      expect(r.taxTotal.toFixed(2)).toBe('127.86');
    });
  });

  describe('within limits, the goods value may not pass the single-transaction limit (财关税〔2018〕49号 二)', () => {
    it('5455.00 at 9.1 %: 5000.00 + 455.00, at the limit, is split', () => {
      const s = fromTaxInclusivePrice(new Dec('5455.00'), rate('6109'), P2019);
      expect([s.goodsValue.toFixed(2), s.taxTotal.toFixed(2), s.exact]).toEqual(['5000.00', '455.00', true]);
    });

    it('5455.01 (5000.01 + 5000.01 × 0.091 = 455.0009 → 455.00) and 6000.00 are refused under the cbec regime', () => {
      expect(() => fromTaxInclusivePrice(new Dec('5455.01'), rate('6109'), P2019)).toThrow(
        /goods value of 5000\.01, above the single-transaction limit 5000\.00/,
      );
      const e = (() => {
        try {
          fromTaxInclusivePrice(new Dec('6000.00'), rate('6109'), P2019);
        } catch (err) {
          return err as { code?: string };
        }
      })();
      expect(e?.code).toBe('INVALID_OPTION');
    });

    it('the 2016 policy refuses above 2000 (2200.00 → 2016.50 + 183.50)', () => {
      expect(() => fromTaxInclusivePrice(new Dec('2200.00'), rate('6109'), DEFAULT_TAX_POLICY_2016)).toThrow(
        /above the single-transaction limit 2000\.00/,
      );
    });

    it('cbec-full refuses what computeTax would not tax at full rates: within the limit, from 26000, or under 2016', () => {
      const full = { regime: 'cbec-full' } as const;
      // 6000.00 at full rates is 4344.33 of goods (6000 / 1.381111): within the limit, so within-limits rates apply.
      expect(() => fromTaxInclusivePrice(new Dec('6000.00'), rate('7116'), P2019, undefined, full)).toThrow(
        /goods value of 4344\.33, within the single-transaction limit 5000\.00, where the within-limits rates apply/,
      );
      // 40000.00 → 28962.… of goods: a single item of 26000 or more is general trade (“低于” is strict).
      expect(() => fromTaxInclusivePrice(new Dec('40000.00'), rate('7116'), P2019, undefined, full)).toThrow(
        /at or above 26000\.00, where a single item is no longer CBEC at full rates but general trade/,
      );
      expect(() =>
        fromTaxInclusivePrice(new Dec('7000.00'), rate('7116'), DEFAULT_TAX_POLICY_2016, undefined, full),
      ).toThrow(/the policy has no single-item path at full rates: that is general trade/);
    });
  });
});
