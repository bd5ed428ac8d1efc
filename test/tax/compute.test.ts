import { describe, expect, it } from 'vitest';
import {
  computeTax,
  DEFAULT_TAX_POLICY_2016,
  DEFAULT_TAX_POLICY_2019,
  parseRateTable,
  taxResultToJSON,
  type TaxPolicy,
  type TaxResult,
} from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';
import { validate } from '../../src/rules/index.js';
import { bundledRates, declarationWith, example, exampleRates, parsed } from './helpers.js';

const P2019 = DEFAULT_TAX_POLICY_2019;
/** Figures as strings, so a failure shows the amounts. */
const totals = (r: TaxResult) => ({
  customsTax: r.customsTax.toFixed(2),
  consumptionTax: r.consumptionTax.toFixed(2),
  valueAddedTax: r.valueAddedTax.toFixed(2),
  taxTotal: r.taxTotal.toFixed(2),
});
const line = (r: TaxResult, i: number) => {
  const l = r.lines[i];
  if (l === undefined) throw new Error(`no line ${i}`);
  return {
    dutiableValue: l.dutiableValue.toFixed(2),
    customsTax: l.customsTax.toFixed(2),
    consumptionTax: l.consumptionTax.toFixed(2),
    valueAddedTax: l.valueAddedTax.toFixed(2),
    taxTotal: l.taxTotal.toFixed(2),
  };
};
const table = (json: unknown) => parseRateTable(json, 'test table');
const general13 = table({ '6109': { duty: '0.14', vat: '0.13' } });

describe('shared examples (README hand-computed figures)', () => {
  it('hangzhou-1210: 398.00 × 13% × 0.7 = 36.218 → 36.22; 150.00 × 0.091 = 13.65; total 49.87', () => {
    const r = computeTax(parsed(example('hangzhou-1210')), { policy: P2019, rates: exampleRates() });
    expect(r.regime).toBe('cbec');
    expect(line(r, 0)).toEqual({
      dutiableValue: '398.00',
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '36.22',
      taxTotal: '36.22',
    });
    expect(line(r, 1).valueAddedTax).toBe('13.65');
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '49.87',
      taxTotal: '49.87',
    });
    expect(r.complete).toBe(true);
    expect(r.issues).toEqual([]);
  });

  it('guangzhou-9610: P = 680 + 20 = 700; CT 700/0.85×0.15×0.7 = 86.4706 → 86.47; VAT 823.5294×0.091 = 74.9412 → 74.94', () => {
    const r = computeTax(parsed(example('guangzhou-9610')), { policy: P2019, rates: exampleRates() });
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '86.47',
      valueAddedTax: '74.94',
      taxTotal: '161.41',
    });
    const ex = r.lines[0]?.explain;
    expect(ex?.consumptionTax).toEqual({
      formula: '(P + duty) / (1 − c) × c × k',
      // 3304990039 (labelled by volume: 30 ml = 0.03 kg) pays CT as high-end cosmetics: 700.00 / 0.03 = 23333 per kg ≥ 10000.
      inputs: { P: '700.00', duty: '0.00', c: '0.15', k: '0.7', threshold: '≥ 10000 per 035' },
      unrounded: '86.4705882352…',
      rounded: '86.47',
      rule: 'half-up to 0.01 per line; order totals are sums of the rounded lines',
    });
    expect(ex?.valueAddedTax.inputs.CT_statutory).toBe('123.5294117647…');
    expect(ex?.dutiableValue.inputs).toEqual({ totalPrice: '680.00', freightShare: '20.00', insuredFeeShare: '0.00' });
    expect(ex?.rate).toEqual({ key: '3304990039', origin: 'rates.example.json' });
  });

  it('guangzhou-9610 as JSON: amounts are two-place strings', () => {
    const json = taxResultToJSON(
      computeTax(parsed(example('guangzhou-9610')), { policy: P2019, rates: exampleRates() }),
    );
    expect(json).toMatchObject({
      regime: 'cbec',
      dutiableValue: '700.00',
      customsTax: '0.00',
      consumptionTax: '86.47',
      valueAddedTax: '74.94',
      taxTotal: '161.41',
      complete: true,
    });
    expect(json.lines[0]).toMatchObject({ gnum: 1, gcode: '3304990039', dutiableValue: '700.00', taxTotal: '161.41' });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('CBEC regime, one line each (k = 0.7, duty × 0)', () => {
  it('13 % goods: 100.00 × 0.13 × 0.7 = 9.10', () => {
    const r = computeTax(declarationWith([{ gcode: '6109100021', totalPrice: '100.00' }]), {
      policy: P2019,
      rates: general13,
    });
    expect(line(r, 0)).toEqual({
      dutiableValue: '100.00',
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '9.10',
      taxTotal: '9.10',
    });
  });

  it('9 % goods (books, bundled 4901): 88.00 × 0.09 × 0.7 = 5.544 → 5.54', () => {
    const r = computeTax(declarationWith([{ gcode: '4901990000', totalPrice: '88.00', unit: '035', qty: '0.8' }]), {
      policy: P2019,
      rates: bundledRates(),
    });
    expect(totals(r)).toEqual({ customsTax: '0.00', consumptionTax: '0.00', valueAddedTax: '5.54', taxTotal: '5.54' });
    expect(r.lines[0]?.explain.rate.key).toBe('4901');
    expect(r.lines[0]?.explain.rate.asOf).toBe('2026-11-21');
    // The bundled entry cites its sources and date; a user entry without them shows neither key.
    expect(Object.keys(r.lines[0]?.explain.rate ?? {})).toEqual(['key', 'origin', 'source', 'asOf']);
    const bare = computeTax(declarationWith([{ gcode: '4901990000', totalPrice: '88.00', unit: '035', qty: '0.8' }]), {
      policy: P2019,
      rates: table({ '4901': { vat: '0.09' } }),
    });
    expect(bare.lines[0]?.explain.rate).toEqual({ key: '4901', origin: 'test table' });
  });

  it('15 % ad-valorem CT: 300/0.85×0.15 = 52.9412, × 0.7 = 37.0588 → 37.06; VAT 352.9412 × 0.091 = 32.1176 → 32.12', () => {
    const rates = table({ '3303000000': { vat: '0.13', consumption: { adValorem: '0.15' } } });
    const r = computeTax(declarationWith([{ gcode: '3303000000', totalPrice: '300.00' }]), { policy: P2019, rates });
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '37.06',
      valueAddedTax: '32.12',
      taxTotal: '69.18',
    });
  });

  it('10 % jewellery (bundled 7116): CT 500/0.9×0.1×0.7 = 38.8889 → 38.89; VAT 555.5556 × 0.091 = 50.5556 → 50.56', () => {
    const r = computeTax(declarationWith([{ gcode: '7116200000', totalPrice: '500.00', unit: '035', qty: '0.02' }]), {
      policy: P2019,
      rates: bundledRates(),
    });
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '38.89',
      valueAddedTax: '50.56',
      taxTotal: '89.45',
    });
  });

  it('specific CT (beer, bundled 2203, 7.92 L at 15.15/L ≥ 2.643 → 0.253/L): CT 7.92×0.253×0.7 = 1.4026 → 1.40; VAT 122.00376×0.091 = 11.1023 → 11.10', () => {
    const d = declarationWith([
      { gcode: '2203000000', totalPrice: '120.00', qty: '24', unit: '122', qty1: '7.92', unit1: '095' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '1.40',
      valueAddedTax: '11.10',
      taxTotal: '12.50',
    });
    expect(r.lines[0]?.explain.consumptionTax.formula).toBe('q × u × k');
    expect(r.lines[0]?.explain.consumptionTax.inputs.q).toBe('7.92 (unit 095)');
  });

  it('specific CT, lower beer band (18.00 for 7.92 L = 2.27/L): 7.92×0.2227×0.7 = 1.2346 → 1.23; VAT 19.763784×0.091 = 1.7985 → 1.80', () => {
    const d = declarationWith([
      { gcode: '2203000000', totalPrice: '18.00', qty: '24', unit: '122', qty1: '7.92', unit1: '095' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(totals(r)).toEqual({ customsTax: '0.00', consumptionTax: '1.23', valueAddedTax: '1.80', taxTotal: '3.03' });
  });

  it('beer band at its edge, judged per litre of qty1 (2.64295885 × 7.92 = 20.932234): 20.94 / 7.92 = 2.6439 ≥ → 0.253/L, CT 7.92×0.253×0.7 = 1.4026 → 1.40, VAT (20.94 + 2.00376)×0.091 = 2.0879 → 2.09; 20.93 / 7.92 = 2.6427 < → 0.2227/L, CT 7.92×0.2227×0.7 = 1.2346 → 1.23, VAT (20.93 + 1.763784)×0.091 = 2.0651 → 2.07', () => {
    const beer = (totalPrice: string) =>
      computeTax(
        declarationWith([{ gcode: '2203000000', totalPrice, qty: '24', unit: '122', qty1: '7.92', unit1: '095' }]),
        { policy: P2019, rates: bundledRates() },
      );
    const cases = [
      { price: '20.94', u: '0.253', consumptionTax: '1.40', valueAddedTax: '2.09', taxTotal: '3.49' },
      { price: '20.93', u: '0.2227', consumptionTax: '1.23', valueAddedTax: '2.07', taxTotal: '3.30' },
    ];
    for (const c of cases) {
      const r = beer(c.price);
      const { consumptionTax, valueAddedTax, taxTotal } = c;
      expect(totals(r), c.price).toEqual({ customsTax: '0.00', consumptionTax, valueAddedTax, taxTotal });
      expect(r.lines[0]?.explain.consumptionTax.inputs.u, c.price).toBe(c.u);
    }
    // Not the domestic band of 3000 CNY per tonne over 988 L (3.0364 per litre): 24.00 / 7.92 = 3.0303 would be 乙类
    // there, and is 甲类 here.
    expect(beer('24.00').lines[0]?.explain.consumptionTax.inputs.u).toBe('0.253');
  });

  it('compound CT (baijiu, bundled 2208902000, 0.5 L at 400.00): statutory (400 + 0.456)/0.8×0.2 + 0.456 = 100.57; × 0.7 = 70.399 → 70.40; VAT 500.57×0.091 = 45.5519 → 45.55', () => {
    const d = declarationWith([
      { gcode: '2208902000', totalPrice: '400.00', qty: '1', unit: '142', qty1: '0.5', unit1: '095' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '70.40',
      valueAddedTax: '45.55',
      taxTotal: '115.95',
    });
    expect(r.lines[0]?.explain.valueAddedTax.inputs.CT_statutory).toBe('100.57');
  });

  it('quantity from qty2 when unit2 is the rate unit', () => {
    const d = declarationWith([
      {
        gcode: '2208902000',
        totalPrice: '400.00',
        qty: '1',
        unit: '142',
        qty1: '0.46',
        unit1: '035',
        qty2: '0.5',
        unit2: '095',
      },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(r.consumptionTax.toFixed(2)).toBe('70.40');
  });

  it('cosmetics below the high-end threshold pay no CT: 150.00 / 0.05 kg = 3000/kg < 10000/kg (bundled 33049900)', () => {
    const d = declarationWith([
      { gcode: '3304990099', totalPrice: '150.00', qty: '1', unit: '142', qty1: '0.05', unit1: '035' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(totals(r)).toEqual({
      customsTax: '0.00',
      consumptionTax: '0.00',
      valueAddedTax: '13.65',
      taxTotal: '13.65',
    });
    expect(r.lines[0]?.explain.consumptionTax.inputs.reason).toBe('below every threshold');
  });

  it('cosmetics at the threshold pay CT: 500.00 / 0.05 kg = 10000/kg → CT 500/0.85×0.15×0.7 = 61.7647 → 61.76', () => {
    const d = declarationWith([
      { gcode: '3304990099', totalPrice: '500.00', qty: '1', unit: '142', qty1: '0.05', unit1: '035' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(r.consumptionTax.toFixed(2)).toBe('61.76');
    // VAT (500 + 88.2353) × 0.091 = 53.5294 → 53.53
    expect(r.valueAddedTax.toFixed(2)).toBe('53.53');
  });
});

describe('allocation of header freight and insurance', () => {
  // Σ totalPrice = 333.00. Freight 10.00: 10×100/333 = 3.003 → 3.00, 10×200/333 = 6.006 → 6.00, last = 10 − 9.00 = 1.00.
  // Insurance 1.00: 0.3003 → 0.30, 0.6006 → 0.60, last = 0.10. P = 103.30, 206.60, 34.10.
  // VAT: 103.30×0.091 = 9.4003 → 9.40; 206.60×0.091 = 18.8006 → 18.80; 34.10×0.091 = 3.1031 → 3.10; total 31.30.
  const lines = [
    { gcode: '6109100021', totalPrice: '100.00' },
    { gcode: '6109100021', totalPrice: '200.00' },
    { gcode: '6109100021', totalPrice: '33.00' },
  ];
  it('shares add up exactly; the last line takes the remainder', () => {
    const r = computeTax(declarationWith(lines, { freight: '10.00', insuredFee: '1.00' }), {
      policy: P2019,
      rates: general13,
    });
    expect(r.lines.map((l) => l.dutiableValue.toFixed(2))).toEqual(['103.30', '206.60', '34.10']);
    expect(r.lines.map((l) => l.valueAddedTax.toFixed(2))).toEqual(['9.40', '18.80', '3.10']);
    expect(r.taxTotal.toFixed(2)).toBe('31.30');
    expect(r.dutiableValue.toFixed(2)).toBe('344.00');
    const fr = r.lines[2]?.explain.allocation.freight;
    expect(fr?.share).toBe('1.00');
    expect(fr?.inputs.remainder).toBe('0.01');
    expect(r.lines[0]?.explain.allocation.insuredFee).toMatchObject({
      share: '0.30',
      formula: 'total × totalPrice / Σ totalPrice, rounded down to 0.01',
    });
  });

  it("'largest-line' gives the remainder to the 200.00 line: freight 3.00/6.01/0.99, insurance 0.30/0.61/0.09", () => {
    const policy: TaxPolicy = { ...P2019, allocationRemainder: 'largest-line' };
    const r = computeTax(declarationWith(lines, { freight: '10.00', insuredFee: '1.00' }), {
      policy,
      rates: general13,
    });
    expect(r.lines.map((l) => l.dutiableValue.toFixed(2))).toEqual(['103.30', '206.62', '34.08']);
  });

  it('all line values 0: freight is split equally (3.34 / 3.33 / 3.33 with last-line → 3.33, 3.33, 3.34)', () => {
    const zero = lines.map((l) => ({ ...l, totalPrice: '0' }));
    const r = computeTax(declarationWith(zero, { freight: '10.00' }), { policy: P2019, rates: general13 });
    expect(r.lines.map((l) => l.dutiableValue.toFixed(2))).toEqual(['3.33', '3.33', '3.34']);
  });

  it('nonCashDiscountReducesBase: guangzhou with a 10.00 voucher → P 690; CT 690/0.85×0.15×0.7 = 85.2353 → 85.24; VAT 811.7647×0.091 = 73.8706 → 73.87', () => {
    const input = example('guangzhou-9610');
    input.order.discount = '10.00';
    const d = parsed(input);
    const off = computeTax(d, { policy: P2019, rates: exampleRates() });
    expect(off.taxTotal.toFixed(2)).toBe('161.41');
    const on = computeTax(d, { policy: { ...P2019, nonCashDiscountReducesBase: true }, rates: exampleRates() });
    expect(on.lines[0]?.dutiableValue.toFixed(2)).toBe('690.00');
    expect(totals(on)).toEqual({
      customsTax: '0.00',
      consumptionTax: '85.24',
      valueAddedTax: '73.87',
      taxTotal: '159.11',
    });
    expect(on.lines[0]?.explain.dutiableValue.inputs.discountShare).toBe('10.00');
  });
});

describe('regimes', () => {
  const watchTable = table({
    '9102': {
      duty: '0.10',
      vat: '0.13',
      consumption: { adValorem: '0.20', minUnitValue: [{ value: '10000', unit: '008' }] },
    },
  });
  const watch = { gcode: '9102210090', totalPrice: '12000.00', qty: '1', unit: '008', qty1: '1', unit1: '008' };

  // 财关税〔2018〕49号 二: "完税价格超过5000元单次交易限值但低于26000元年度交易限值，且订单下仅一件商品时，可以自跨境电商零售渠道进口，按照货物税率全额征收关税和进口环节增值税、消费税".
  it('one item of 12000 (> 5000, < 26000) → cbec-full: duty 1200.00; CT 13200/0.8×0.2 = 3300.00; VAT 16500×0.13 = 2145.00', () => {
    const r = computeTax(declarationWith([watch]), { policy: P2019, rates: watchTable });
    expect(r.regime).toBe('cbec-full');
    expect(totals(r)).toEqual({
      customsTax: '1200.00',
      consumptionTax: '3300.00',
      valueAddedTax: '2145.00',
      taxTotal: '6645.00',
    });
    expect(r.issues).toMatchObject([
      {
        code: 'single-item-full-tax',
        severity: 'warning',
        ruleId: 'tax/regime',
        expected: '≤ 5000.00',
        actual: '12000.00',
      },
    ]);
    expect(r.lines[0]?.explain.customsTax).toMatchObject({
      formula: 'P × d',
      inputs: { P: '12000.00', d: '0.1' },
      rounded: '1200.00',
    });
  });

  it('full regime with the bundled table only: no duty rate → rate-missing, line omitted', () => {
    const r = computeTax(declarationWith([watch]), { policy: P2019, rates: bundledRates() });
    expect(r.complete).toBe(false);
    expect(r.lines).toEqual([]);
    expect(r.omittedLines).toMatchObject([{ gnum: 1, gcode: '9102210090', reason: 'rate-missing' }]);
    expect(r.issues.find((i) => i.code === 'rate-missing')).toMatchObject({
      severity: 'error',
      ruleId: 'tax/rates',
      path: 'inventory.items[0].gcode',
    });
    // The entry has CBEC rates but no MFN duty: the message says which, not "no rate".
    expect(r.issues.find((i) => i.code === 'rate-missing')?.message.zh).toContain(
      '没有关税税率（最惠国税率，有暂定税率的适用暂定税率）',
    );
    expect(r.taxTotal.toFixed(2)).toBe('0.00');
  });

  it('layered tables: the user table over the bundled one supplies the duty', () => {
    const r = computeTax(declarationWith([watch]), { policy: P2019, rates: [watchTable, bundledRates()] });
    expect(r.taxTotal.toFixed(2)).toBe('6645.00');
    expect(r.lines[0]?.explain.rate.origin).toBe('test table');
  });

  // 财关税〔2016〕18号 三: "超过单次限值、累加后超过个人年度限值的单次交易……均按照一般贸易方式全额征税".
  it('two lines above 5000 → general-trade with error -621005 and full figures', () => {
    // duty 3000×0.05 = 150.00, VAT 3150×0.13 = 409.50; duty 2500×0.05 = 125.00, VAT 2625×0.13 = 341.25.
    const rates = table({ '6109': { duty: '0.05', vat: '0.13' } });
    const d = declarationWith([
      { gcode: '6109100021', totalPrice: '3000.00' },
      { gcode: '6109100021', totalPrice: '2500.00' },
    ]);
    const r = computeTax(d, { policy: P2019, rates });
    expect(r.regime).toBe('general-trade');
    expect(totals(r)).toEqual({
      customsTax: '275.00',
      consumptionTax: '0.00',
      valueAddedTax: '750.75',
      taxTotal: '1025.75',
    });
    expect(r.issues).toMatchObject([
      { code: '-621005', severity: 'error', ruleId: 'tax/regime', expected: '≤ 5000.00', actual: '5500.00' },
    ]);
    // An order-level finding points at the inventory as a whole, not at a line.
    expect(r.issues[0]?.path).toBe('inventory');
    expect(r.issues[0]?.message.zh).toContain('单次交易限值');
  });

  it('one item of 30000 (not below 26000) → general-trade -621005: duty 3000.00; CT 33000/0.8×0.2 = 8250.00; VAT 41250×0.13 = 5362.50', () => {
    const r = computeTax(declarationWith([{ ...watch, totalPrice: '30000.00' }]), { policy: P2019, rates: watchTable });
    expect(r.regime).toBe('general-trade');
    expect(totals(r)).toEqual({
      customsTax: '3000.00',
      consumptionTax: '8250.00',
      valueAddedTax: '5362.50',
      taxTotal: '16612.50',
    });
    expect(r.issues).toMatchObject([
      { code: '-621005', severity: 'error', ruleId: 'tax/regime', expected: '< 26000.00', actual: '30000.00' },
    ]);
  });

  it('one line with qty 2 above the limit is not indivisible → general-trade', () => {
    const d = declarationWith([{ ...watch, qty: '2', qty1: '2', totalPrice: '12000.00' }]);
    const r = computeTax(d, { policy: P2019, rates: watchTable });
    expect(r.regime).toBe('general-trade');
  });

  it('exactly at the limit stays CBEC (≤ 5000.00)', () => {
    const r = computeTax(declarationWith([{ gcode: '6109100021', totalPrice: '4990.00' }], { freight: '10.00' }), {
      policy: P2019,
      rates: general13,
    });
    expect(r.regime).toBe('cbec');
    expect(r.taxTotal.toFixed(2)).toBe('455.00'); // 5000 × 0.091
  });

  it('annual limit: 25000 used + 1500 > 26000 → general-trade with code 1313', () => {
    const d = declarationWith([{ gcode: '6109100021', totalPrice: '1500.00' }]);
    const r = computeTax(d, { policy: P2019, rates: general13, annualUsed: new Dec('25000') });
    expect(r.regime).toBe('general-trade');
    expect(r.issues).toMatchObject([{ code: '1313', severity: 'error', path: 'inventory', actual: '26500.00' }]);
    // duty 1500 × 0.14 = 210.00; VAT 1710 × 0.13 = 222.30
    expect(totals(r)).toEqual({
      customsTax: '210.00',
      consumptionTax: '0.00',
      valueAddedTax: '222.30',
      taxTotal: '432.30',
    });
    const within = computeTax(d, { policy: P2019, rates: general13, annualUsed: new Dec('24500') });
    expect(within.regime).toBe('cbec');
  });
});

describe('2018 declaration under the 2016 policy (2000 / 20000)', () => {
  // The test's own table: VAT 16 % (2018-05-01 to 2019-03-31).
  const rates2018 = table({ '6109': { duty: '0.10', vat: '0.16' } });
  const d = declarationWith([
    { gcode: '6109100021', totalPrice: '1500.00' },
    { gcode: '6109100021', totalPrice: '600.00' },
  ]);

  it('one item of 2100.00 under 18号 ("以及完税价格超过2000元限值的单个不可分割商品，均按照一般贸易方式全额征税") → general-trade: duty 210.00; VAT 2310×0.16 = 369.60', () => {
    const r = computeTax(declarationWith([{ gcode: '6109100021', totalPrice: '2100.00' }]), {
      policy: DEFAULT_TAX_POLICY_2016,
      rates: rates2018,
    });
    expect(r.regime).toBe('general-trade');
    expect(r.issues).toMatchObject([{ code: '-621005', severity: 'error', expected: '≤ 2000.00', actual: '2100.00' }]);
    expect(totals(r)).toEqual({
      customsTax: '210.00',
      consumptionTax: '0.00',
      valueAddedTax: '369.60',
      taxTotal: '579.60',
    });
  });

  it('2100.00 over two lines exceeds the old 2000 limit → general-trade: duty 150 + 60; VAT 1650×0.16 = 264.00, 660×0.16 = 105.60', () => {
    const r = computeTax(d, { policy: DEFAULT_TAX_POLICY_2016, rates: rates2018 });
    expect(r.regime).toBe('general-trade');
    expect(r.issues[0]).toMatchObject({ code: '-621005', expected: '≤ 2000.00' });
    expect(totals(r)).toEqual({
      customsTax: '210.00',
      consumptionTax: '0.00',
      valueAddedTax: '369.60',
      taxTotal: '579.60',
    });
  });

  it('the same order under the 2019 policy is CBEC: 1500×0.16×0.7 = 168.00, 600×0.112 = 67.20', () => {
    const r = computeTax(d, { policy: DEFAULT_TAX_POLICY_2019, rates: rates2018 });
    expect(r.regime).toBe('cbec');
    expect(r.taxTotal.toFixed(2)).toBe('235.20');
  });

  it('within the old limit at 17 % (before 2018-05-01): 1800 × 0.17 × 0.7 = 214.20', () => {
    const r = computeTax(declarationWith([{ gcode: '6109100021', totalPrice: '1800.00' }]), {
      policy: DEFAULT_TAX_POLICY_2016,
      rates: table({ '6109': { vat: '0.17' } }),
    });
    expect(r.regime).toBe('cbec');
    expect(r.taxTotal.toFixed(2)).toBe('214.20');
  });
});

describe('rounding', () => {
  // Three lines of 10.05: VAT 10.05 × 0.091 = 0.91455 each.
  const d = declarationWith([0, 1, 2].map(() => ({ gcode: '6109100021', totalPrice: '10.05' })));
  it('line scope: 0.91 + 0.91 + 0.91 = 2.73', () => {
    const r = computeTax(d, { policy: P2019, rates: general13 });
    expect(r.valueAddedTax.toFixed(2)).toBe('2.73');
  });
  it('order scope: round(2.74365) = 2.74', () => {
    const r = computeTax(d, {
      policy: { ...P2019, rounding: { mode: 'half-up', scale: 2, scope: 'order' } },
      rates: general13,
    });
    expect(r.valueAddedTax.toFixed(2)).toBe('2.74');
    expect(r.explain.rounding).toContain('sum of unrounded line taxes');
  });
  it('half-even and down modes: 36.218 stays 36.22 / becomes 36.21; 0.91455 → 0.91 both', () => {
    const hz = parsed(example('hangzhou-1210'));
    const down = computeTax(hz, {
      policy: { ...P2019, rounding: { mode: 'down', scale: 2, scope: 'line' } },
      rates: exampleRates(),
    });
    expect(down.lines[0]?.valueAddedTax.toFixed(2)).toBe('36.21');
    const even = computeTax(hz, {
      policy: { ...P2019, rounding: { mode: 'half-even', scale: 2, scope: 'line' } },
      rates: exampleRates(),
    });
    expect(even.lines[0]?.valueAddedTax.toFixed(2)).toBe('36.22');
    const up = computeTax(d, {
      policy: { ...P2019, rounding: { mode: 'up', scale: 2, scope: 'line' } },
      rates: general13,
    });
    expect(up.valueAddedTax.toFixed(2)).toBe('2.76');
  });
});

describe('problems become issues', () => {
  it('no inventory → tax-no-inventory and no figures', () => {
    const input = example('hangzhou-1210');
    delete input.inventory;
    const r = computeTax(parsed(input), { policy: P2019, rates: exampleRates() });
    expect(r.issues).toMatchObject([{ code: 'tax-no-inventory', severity: 'error', path: 'inventory' }]);
    expect(r.lines).toEqual([]);
    expect(r.complete).toBe(false);
  });

  it('a code with no rate is omitted from the totals (hangzhou with the bundled table: milk powder unknown)', () => {
    const r = computeTax(parsed(example('hangzhou-1210')), { policy: P2019, rates: bundledRates() });
    expect(r.complete).toBe(false);
    expect(r.issues).toMatchObject([
      { code: 'rate-missing', path: 'inventory.items[0].gcode', ruleId: 'tax/rates', actual: '1901101000' },
    ]);
    expect(r.issues[0]?.message.zh).toContain('在税率表中找不到税率');
    expect(r.taxTotal.toFixed(2)).toBe('13.65');
    // The omitted line still counts toward the order value the limits compare.
    expect(r.dutiableValue.toFixed(2)).toBe('548.00');
  });

  it('a threshold unit the line declares with a quantity of 0 → tax-quantity-unit saying so, not "none of the units"', () => {
    const d = declarationWith([
      { gcode: '3304990039', totalPrice: '150.00', qty: '1', unit: '142', qty1: '0', unit1: '035' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(r.issues).toMatchObject([
      { code: 'tax-quantity-unit', path: 'inventory.items[0].qty1', actual: '035, 142' },
    ]);
    expect(r.issues[0]?.message).toEqual({
      zh: '消费税按计量单位 036/035/096 计征，但该商品以计量单位 035 申报的数量为 0，无法按单位计算',
      en: "The consumption tax is charged per unit 036/035/096, but the line's quantity in unit 035 is 0; the line's taxes are left out of the totals",
    });
    expect(r.issues[0]?.message.en).not.toContain('none of the line');
    // The validation finding says what to declare: the rate table was there.
    const input = example('hangzhou-1210');
    input.inventory.items[1].qty1 = '0';
    const v = validate(input, { rates: bundledRates() }).issues.find((i) => i.code === 'tax-quantity-unit');
    expect(v?.message.en).toMatch(/declare the line's quantity in that unit, as qty1\/unit1 or qty2\/unit2\)$/);
  });

  it('a quantity of 0 in the second unit → tax-quantity-unit at qty2, the field that is 0 (was unit1)', () => {
    const d = declarationWith([
      {
        gcode: '3304990039',
        totalPrice: '150.00',
        qty: '1',
        unit: '142',
        qty1: '1',
        unit1: '011',
        qty2: '0',
        unit2: '035',
      },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(r.issues).toMatchObject([{ code: 'tax-quantity-unit', path: 'inventory.items[0].qty2' }]);
    expect(r.issues[0]?.message.en).toContain("the line's quantity in unit 035 is 0");
    // In the declared unit: at qty.
    const q = computeTax(
      declarationWith([{ gcode: '3304990039', totalPrice: '150.00', qty1: '1', unit1: '011', qty: '0', unit: '035' }]),
      { policy: P2019, rates: bundledRates() },
    );
    expect(q.issues.filter((i) => i.code === 'tax-quantity-unit')).toMatchObject([{ path: 'inventory.items[0].qty' }]);
  });

  it('a specific rate with no quantity in its unit → tax-quantity-unit', () => {
    const d = declarationWith([
      { gcode: '2208902000', totalPrice: '400.00', qty: '1', unit: '142', qty1: '0.46', unit1: '035' },
    ]);
    const r = computeTax(d, { policy: P2019, rates: bundledRates() });
    expect(r.issues).toMatchObject([
      {
        code: 'tax-quantity-unit',
        severity: 'error',
        ruleId: 'tax/quantity',
        path: 'inventory.items[0].unit1',
        expected: '095',
        actual: '035, 142',
      },
    ]);
    expect(r.omittedLines).toMatchObject([{ reason: 'tax-quantity-unit' }]);
  });

  it('a bad policy throws INVALID_OPTION', () => {
    expect(() =>
      computeTax(parsed(example('hangzhou-1210')), {
        policy: { ...P2019, rounding: { mode: 'half-up', scale: 9, scope: 'line' } },
        rates: exampleRates(),
      }),
    ).toThrow(/rounding.scale/);
  });
});

describe('allocation explanations', () => {
  it('each header amount is shared down to its own unit: freight 10.00 → 0.01, insuredFee 1.255 → 0.001', () => {
    const d = declarationWith(
      [
        { gcode: '6109100021', totalPrice: '100.00' },
        { gcode: '6109100021', totalPrice: '200.00' },
      ],
      { freight: '10.00', insuredFee: '1.255' },
    );
    const a = computeTax(d, { policy: P2019, rates: general13 }).lines[0]?.explain?.allocation;
    // freight 10.00 × 100.00 / 300.00 = 3.333… → 3.33; insuredFee 1.255 × 100.00 / 300.00 = 0.41833… → 0.418
    expect(a?.freight).toMatchObject({
      formula: 'total × totalPrice / Σ totalPrice, rounded down to 0.01',
      share: '3.33',
    });
    expect(a?.insuredFee).toMatchObject({
      formula: 'total × totalPrice / Σ totalPrice, rounded down to 0.001',
      share: '0.418',
    });
  });
});
