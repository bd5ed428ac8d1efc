import { describe, expect, it } from 'vitest';
import { computeTax, DEFAULT_TAX_POLICY_2019, type TaxResult } from '../../src/tax/index.js';
import { bundledRates, declarationWith, type LineSpec } from './helpers.js';

// The consumption-tax entries of the bundled seed table (rulesets/rates/cbec-rates.json) on CBEC orders within the
// limits, against the statutory rates they stand for. CBEC: duty 0, CT and VAT × 0.7 (财关税〔2016〕18号 三); the VAT base
// holds the statutory CT. Each figure is worked by hand beside its case.

const AT = '2026-11-20';

function tax(lines: readonly LineSpec[], header: { freight?: string } = {}): TaxResult {
  return computeTax(declarationWith(lines, header), {
    policy: DEFAULT_TAX_POLICY_2019,
    rates: [bundledRates()],
    at: AT,
  });
}

const figures = (r: TaxResult) => [r.regime, r.consumptionTax.toFixed(2), r.valueAddedTax.toFixed(2)];

describe('bundled consumption-tax entries on CBEC orders', () => {
  it('articles of pearls or precious stones (7116, 其他贵重首饰和珠宝玉石 10 %): 1000.00 → CT 1000 / 0.9 × 0.1 × 0.7 = 77.7778 → 77.78; VAT 1111.1111 × 0.091 = 101.1111 → 101.11', () => {
    expect(figures(tax([{ gcode: '7116100000', totalPrice: '1000.00', qty1: '0.02', unit1: '035' }]))).toEqual([
      'cbec',
      '77.78',
      '101.11',
    ]);
  });

  it('base metal clad with precious metal jewellery (7113209090, 10 %): 500.00 → CT 500 / 0.9 × 0.07 = 38.8889 → 38.89; VAT 555.5556 × 0.091 = 50.5556 → 50.56', () => {
    expect(figures(tax([{ gcode: '7113209090', totalPrice: '500.00', qty1: '0.01', unit1: '035' }]))).toEqual([
      'cbec',
      '38.89',
      '50.56',
    ]);
  });

  it('gold jewellery set with diamonds (7113191100) pays CT at retail, not at import: the 7113209090 key does not reach it', () => {
    const r = tax([{ gcode: '7113191100', totalPrice: '500.00', qty1: '0.01', unit1: '035' }]);
    expect(r.issues.map((i) => i.code)).toEqual(['rate-missing']);
  });

  it('白酒 (2208902000, 20 % + 0.912 CNY per litre): two 0.5 L bottles at 600.00 → CT ((600 + 1 × 0.912) / 0.8 × 0.2 + 0.912) × 0.7 = 151.14 × 0.7 = 105.798 → 105.80; VAT (600 + 151.14) × 0.091 = 68.35374 → 68.35', () => {
    expect(
      figures(tax([{ gcode: '2208902000', qty: '2', unit: '142', totalPrice: '600.00', qty1: '1', unit1: '095' }])),
    ).toEqual(['cbec', '105.80', '68.35']);
  });

  it('白酒 as one item above 5000 (财关税〔2018〕49号 二, full tax, duty 10 %): 1 L at 6000.00 → duty 600.00; CT (6000 + 600 + 0.912) / 0.8 × 0.2 + 0.912 = 1650.228 + 0.912 = 1651.14; VAT (6600 + 1651.14) × 0.13 = 1072.6482 → 1072.65', () => {
    const r = tax([{ gcode: '2208902000', qty: '1', unit: '142', totalPrice: '6000.00', qty1: '1', unit1: '095' }]);
    expect([...figures(r), r.customsTax.toFixed(2)]).toEqual(['cbec-full', '1651.14', '1072.65', '600.00']);
  });

  it('白酒 just below the limit keeps the 70 %: 0.5 L at 4999.99 → CT ((4999.99 + 0.456) / 0.8 × 0.2 + 0.456) × 0.7 = 1250.5675 × 0.7 = 875.39725 → 875.40; VAT (4999.99 + 1250.5675) × 0.091 = 568.80073 → 568.80', () => {
    const r = tax([{ gcode: '2208902000', qty: '1', unit: '142', totalPrice: '4999.99', qty1: '0.5', unit1: '095' }]);
    expect([...figures(r), r.customsTax.toFixed(2)]).toEqual(['cbec', '875.40', '568.80', '0.00']);
  });

  it('whisky (2208300000) pays the 白酒 compound CT at import, as the tariff-lookup pages state: 0.7 L at 500.00 → specific 0.7 × 0.912 = 0.6384; CT ((500 + 0.6384) / 0.8 × 0.2 + 0.6384) × 0.7 = 125.798 × 0.7 = 88.0586 → 88.06; VAT (500 + 125.798) × 0.091 = 56.947618 → 56.95', () => {
    const r = tax([{ gcode: '2208300000', qty: '1', unit: '142', totalPrice: '500.00', qty1: '0.7', unit1: '095' }]);
    expect([...figures(r), r.issues.map((i) => i.code).join()]).toEqual(['cbec', '88.06', '56.95', '']);
  });

  it('the other spirits of 2208 the lookup pages list carry the same rate (until session 55 each was rate-missing): brandy, rum, gin, potato and other spirits, 1 L at 100.00 → CT ((100 + 0.912) / 0.8 × 0.2 + 0.912) × 0.7 = 26.14 × 0.7 = 18.298 → 18.30; VAT (100 + 26.14) × 0.091 = 11.47874 → 11.48', () => {
    const codes = ['2208200010', '2208200090', '2208400000', '2208500000', '2208909029', '2208909091', '2208909099'];
    const line = { qty: '1', unit: '142', totalPrice: '100.00', qty1: '1', unit1: '095' };
    expect(codes.map((gcode) => [...figures(tax([{ ...line, gcode }])), gcode])).toEqual(
      codes.map((gcode) => ['cbec', '18.30', '11.48', gcode]),
    );
  });

  it('vodka (2208600000) and liqueurs (2208700000) stay without a rate: no source giving their import CT was read', () => {
    const line = { qty: '1', unit: '142', totalPrice: '100.00', qty1: '1', unit1: '095' };
    expect(['2208600000', '2208700000'].map((gcode) => tax([{ ...line, gcode }]).issues.map((i) => i.code))).toEqual([
      ['rate-missing'],
      ['rate-missing'],
    ]);
  });

  it('a watch (9102) below 10000 CNY a piece pays no CT (高档手表 from 10000, 财税〔2006〕33号): 4000.00 → VAT 4000 × 0.091 = 364.00', () => {
    const r = tax([{ gcode: '9102110000', qty: '1', unit: '008', totalPrice: '4000.00', qty1: '1', unit1: '008' }]);
    expect(figures(r)).toEqual(['cbec', '0.00', '364.00']);
    expect(r.lines[0]?.explain?.consumptionTax.inputs).toMatchObject({ reason: 'below every threshold' });
  });

  it('the cosmetics threshold is judged on the dutiable value, freight included (18号 一: 实际交易价格（包括货物零售价格、运费和保险费）作为完税价格): 490.00 + 10.00 freight for 50 ml = 10 CNY/ml → CT 500 / 0.85 × 0.105 = 61.7647 → 61.76; VAT 588.2353 × 0.091 = 53.5294 → 53.53', () => {
    const cream = { gcode: '3304990039', totalPrice: '490.00', qty1: '0.05', unit1: '035' };
    expect([figures(tax([cream])), figures(tax([cream], { freight: '10.00' }))]).toEqual([
      ['cbec', '0.00', '44.59'], // 490 / 0.05 = 9800 per kg < 10000: VAT 490 × 0.091 = 44.59
      ['cbec', '61.76', '53.53'],
    ]);
  });
});
