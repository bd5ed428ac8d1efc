import { describe, expect, it } from 'vitest';
import {
  computeTax,
  defaultRegistry,
  parseDeclaration,
  parseRateTable,
  toTaxPolicy,
  validate,
  type Issue,
  type Regime,
  type TaxPolicy,
} from '../../src/index.js';
import { Dec } from '../../src/model/index.js';
import { MemoryQuotaStore, QuotaLedger, validateWithQuota } from '../../src/quota/index.js';
import { example, type Json } from '../helpers/examples.js';
import { SECRET } from '../quota/contract.js';

/*
 * Verdicts at the edges of the tax notices, each worked by hand below and checked through both paths
 * (computeTax, and validate's limits/* rules), which must agree with each other and with the hand figure.
 *
 * 财关税〔2016〕18号 二: the dutiable value is the actual transaction price, 包括货物零售价格、运费和保险费.
 * 财关税〔2018〕49号 二: "完税价格超过5000元单次交易限值但低于26000元年度交易限值，且订单下仅一件商品时，可以自跨境电商零售
 *   渠道进口，按照货物税率全额征收关税和进口环节增值税、消费税，交易额计入年度交易总额，但年度交易总额超过年度交易限值的，
 *   应按一般贸易管理。" 超过 is strict: a year that reaches 26,000.00 exactly is not over it.
 * 财税〔2006〕33号 附件 二: 高档手表 from 10,000 CNY a piece (含).
 * 海关总署公告2020年第45号 三: an approved return within the window adjusts the buyer's annual total.
 */

/** The test's own rates (not a tariff): milk powder duty 15 %, watches duty 10 % and CT 20 % from 10,000 a piece. */
const RATES = parseRateTable(
  {
    '1901': { duty: '0.15', vat: '0.13' },
    '3304990099': {
      duty: '0.05',
      vat: '0.13',
      consumption: { adValorem: '0.15', minUnitValue: [{ value: '10000', unit: '035' }] },
    },
    '9102': {
      duty: '0.10',
      vat: '0.13',
      consumption: { adValorem: '0.20', minUnitValue: [{ value: '10000', unit: '008' }] },
    },
  },
  'customs-verdicts test table',
);

const AT = '2026-06-01';
const policy: TaxPolicy = toTaxPolicy(defaultRegistry().resolve('national', AT).policy)!;

interface Line {
  gcode: string;
  totalPrice: string;
  qty?: string;
  unit?: string;
  qty1?: string;
  unit1?: string;
}

/** The Hangzhou example with these inventory and order lines, header freight, and the order side made consistent. */
function order(lines: readonly Line[], freight = '0'): Json {
  const d = example('hangzhou-1210');
  const items = lines.map((l, i) => ({
    gnum: i + 1,
    itemNo: `SKU-${i + 1}`,
    itemName: `商品 ${i + 1}`,
    gcode: l.gcode,
    gname: `商品 ${i + 1}`,
    gmodel: '-',
    barCode: '4901234567894',
    country: '601',
    currency: '142',
    qty: l.qty ?? '1',
    unit: l.unit ?? '011',
    qty1: l.qty1 ?? l.qty ?? '1',
    unit1: l.unit1 ?? l.unit ?? '011',
    price: new Dec(l.totalPrice).div(l.qty ?? '1').toFixed(2),
    totalPrice: l.totalPrice,
  }));
  d.inventory.items = items;
  d.order.items = items.map(({ gcode: _g, gname: _n, qty1: _q1, unit1: _u1, ...o }) => ({ ...o }));
  d.inventory.freight = freight;
  d.logistics.freight = freight;
  d.order.freight = freight;
  d.order.goodsValue = items.reduce((s, it) => s.plus(it.totalPrice), new Dec(0)).toFixed(2);
  return d;
}

const codesOf = (issues: readonly Issue[]) => issues.map((i) => `${i.code}:${i.severity}`).sort();

/** computeTax and validate on the same declaration; they must agree on the regime and its issues. */
function verdict(d: Json, used?: string) {
  const parsed = parseDeclaration(d);
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  const r = computeTax(parsed.data, {
    policy,
    rates: RATES,
    at: AT,
    ...(used !== undefined && { annualUsed: new Dec(used) }),
  });
  const v = validate(d, { at: AT, rates: RATES, ...(used !== undefined && { quota: { used: () => used } }) });
  const limits = v.issues.filter((i) => i.ruleId.startsWith('limits/'));
  const byRules: Regime = limits.some((i) => i.severity === 'error')
    ? 'general-trade'
    : limits.some((i) => i.code === 'single-item-full-tax')
      ? 'cbec-full'
      : 'cbec';
  const engineCodes = codesOf(r.issues.filter((i) => i.ruleId === 'tax/regime'));
  expect(byRules).toBe(r.regime);
  expect(codesOf(limits)).toEqual(engineCodes);
  return { regime: r.regime, codes: engineCodes, result: r };
}

const figures = (r: { customsTax: Dec; consumptionTax: Dec; valueAddedTax: Dec; taxTotal: Dec }) =>
  [r.customsTax, r.consumptionTax, r.valueAddedTax, r.taxTotal].map((x) => x.toFixed(2));

const milk = (totalPrice: string, qty = '1'): Line => ({ gcode: '1901101000', totalPrice, qty, unit: '122' });

describe('freight decides the single-transaction limit (18号 二: 完税价格 includes 运费)', () => {
  it('two lines 2,500.00 + 2,495.00 = 4,995.00 with freight 5.00: V = 5,000.00 ≤ 5,000 → cbec; 5.01: V = 5,000.01 → general trade', () => {
    const within = verdict(order([milk('2500.00'), milk('2495.00')], '5.00'));
    expect(within.regime).toBe('cbec');
    expect(within.result.dutiableValue.toFixed(2)).toBe('5000.00');
    // freight 5.00 split 5 × 2500 / 4995 = 2.5025… → 2.50 (down), last line 5.00 − 2.50 = 2.50.
    // VAT (2502.50 × 0.13 × 0.7 = 227.7275 → 227.73) + (2497.50 × 0.091 = 227.2725 → 227.27) = 455.00.
    expect(figures(within.result)).toEqual(['0.00', '0.00', '455.00', '455.00']);

    const over = verdict(order([milk('2500.00'), milk('2495.00')], '5.01'));
    expect(over.regime).toBe('general-trade');
    expect(over.codes).toEqual(['-621005:error']);
    // Full tax: shares 5.01 × 2500 / 4995 = 2.5075… → 2.50 and 2.51. Line 1: P 2502.50, duty 375.375 → 375.38,
    // VAT (2502.50 + 375.375) × 0.13 = 374.12375 → 374.12; line 2: P 2497.51, duty 374.6265 → 374.63,
    // VAT (2497.51 + 374.6265) × 0.13 = 373.377745 → 373.38. Duty 750.01, VAT 747.50, total 1497.51.
    expect(figures(over.result)).toEqual(['750.01', '0.00', '747.50', '1497.51']);
  });

  it('one item of 4,990.00 with freight 10.01: V = 5,000.01, one item → cbec-full at full rates (duty 750.0015 → 750.00, VAT 5750.0115 × 0.13 = 747.501495 → 747.50)', () => {
    const r = verdict(order([milk('4990.00')], '10.01'));
    expect(r.regime).toBe('cbec-full');
    expect(r.codes).toEqual(['single-item-full-tax:warning']);
    expect(figures(r.result)).toEqual(['750.00', '0.00', '747.50', '1497.50']);
  });
});

describe('one item above 5,000 and the year (49号 二: 交易额计入年度交易总额，但年度交易总额超过年度交易限值的，应按一般贸易管理)', () => {
  it('5,000.01 with 20,999.99 used: 26,000.00 is not over 26,000 → cbec-full', () => {
    const r = verdict(order([milk('5000.01')]), '20999.99');
    expect(r.regime).toBe('cbec-full');
    expect(r.codes).toEqual(['single-item-full-tax:warning']);
    expect(figures(r.result)).toEqual(['750.00', '0.00', '747.50', '1497.50']);
  });

  it('5,000.01 with 21,000.00 used: 26,000.01 is over by 0.01 → general trade (1313), the single-item warning gone', () => {
    const r = verdict(order([milk('5000.01')]), '21000.00');
    expect(r.regime).toBe('general-trade');
    expect(r.codes).toEqual(['1313:error']);
    // Same full-tax figures: general trade taxes the goods at the goods' rates too.
    expect(figures(r.result)).toEqual(['750.00', '0.00', '747.50', '1497.50']);
  });

  it('within the single limit, the year over by exactly 0.01: 4,000.00 with 22,000.01 used → 26,000.01 → general trade (1313)', () => {
    const r = verdict(order([milk('4000.00')]), '22000.01');
    expect(r.regime).toBe('general-trade');
    expect(r.codes).toEqual(['1313:error']);
    // duty 600.00, VAT 4600 × 0.13 = 598.00.
    expect(figures(r.result)).toEqual(['600.00', '0.00', '598.00', '1198.00']);
    // 22,000.00 used: 26,000.00 exactly → cbec, VAT 4000 × 0.091 = 364.00.
    const at = verdict(order([milk('4000.00')]), '22000.00');
    expect(at.regime).toBe('cbec');
    expect(figures(at.result)).toEqual(['0.00', '0.00', '364.00', '364.00']);
  });

  it('a main item of 6,000.00 with a free gift line (0.00) is not 仅一件商品 → general trade (-621005)', () => {
    const r = verdict(order([milk('6000.00'), milk('0.00')]));
    expect(r.regime).toBe('general-trade');
    expect(r.codes).toEqual(['-621005:error']);
  });
});

describe('high-end watch (财税〔2006〕33号: 每只在10000元（含）以上), judged on the dutiable value with freight', () => {
  const watch = (totalPrice: string): Line => ({ gcode: '9102210090', totalPrice, qty: '1', unit: '008' });

  it('9,990.00 + freight 10.00 = 10,000.00 a piece → CT: duty 1000.00, CT 11000 / 0.8 × 0.2 = 2750.00, VAT 13750 × 0.13 = 1787.50', () => {
    const r = verdict(order([watch('9990.00')], '10.00'));
    expect(r.regime).toBe('cbec-full');
    expect(figures(r.result)).toEqual(['1000.00', '2750.00', '1787.50', '5537.50']);
  });

  it('9,989.99 + freight 10.00 = 9,999.99 → no CT: duty 999.999 → 1000.00, VAT 10999.989 × 0.13 = 1429.99857 → 1430.00', () => {
    const r = verdict(order([watch('9989.99')], '10.00'));
    expect(r.regime).toBe('cbec-full');
    expect(figures(r.result)).toEqual(['1000.00', '0.00', '1430.00', '2430.00']);
  });
});

describe('freight spread over lines carries one line over the cosmetics threshold (10 CNY per g, 财关税〔2016〕48号)', () => {
  const cream = (totalPrice: string): Line => ({
    gcode: '3304990099',
    totalPrice,
    unit: '011',
    qty1: '0.05',
    unit1: '035',
  });

  it('two 50 g jars at 499.99, freight 0.01: shares 0.01 × 499.99 / 999.98 = 0.005 → 0.00 and 0.01; only the last line reaches 500.00 (10,000 per kg)', () => {
    const r = verdict(order([cream('499.99'), cream('499.99')], '0.01'));
    expect(r.regime).toBe('cbec');
    const [first, last] = r.result.lines;
    // Line 1: P 499.99 → 9,999.8 per kg, no CT; VAT 499.99 × 0.091 = 45.49909 → 45.50.
    expect(first?.dutiableValue.toFixed(2)).toBe('499.99');
    expect([first?.consumptionTax.toFixed(2), first?.valueAddedTax.toFixed(2)]).toEqual(['0.00', '45.50']);
    // Line 2: P 500.00; CT 500 / 0.85 × 0.15 × 0.7 = 61.7647 → 61.76; VAT (500 + 88.2353) × 0.091 = 53.5294 → 53.53.
    expect(last?.dutiableValue.toFixed(2)).toBe('500.00');
    expect([last?.consumptionTax.toFixed(2), last?.valueAddedTax.toFixed(2)]).toEqual(['61.76', '53.53']);
    expect(figures(r.result)).toEqual(['0.00', '61.76', '99.03', '160.79']);
  });

  it('freight 0.02: shares 0.01 and 0.01, both lines at 500.00 pay CT: 2 × 61.76 and 2 × 53.53', () => {
    const r = verdict(order([cream('499.99'), cream('499.99')], '0.02'));
    expect(r.result.lines.map((l) => l.dutiableValue.toFixed(2))).toEqual(['500.00', '500.00']);
    expect(figures(r.result)).toEqual(['0.00', '123.52', '107.06', '230.58']);
  });
});

describe('an approved return gives the year back (海关总署公告2020年第45号 三)', () => {
  const BUYER = '330106199003071519';

  it('25,452.00 + 548.00 used: the 548.00 example is 1313; after the 548.00 order is returned, 26,000.00 exactly passes; a return of 547.99 leaves it 0.01 over', async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER-1', BUYER, '25452.00', '2026-02-01');
    await ledger.commit('EARLIER-1', { now: '2026-02-01' });
    await ledger.reserve('EARLIER-2', BUYER, '548.00', '2026-11-01');
    await ledger.commit('EARLIER-2', { now: '2026-11-01' });
    const errors = async () =>
      (await validateWithQuota(example('hangzhou-1210'), ledger)).issues
        .filter((i) => i.ruleId === 'limits/annual')
        .map((i) => `${i.code}:${i.actual}`);
    // 25,452.00 + 548.00 + 548.00 = 26,548.00.
    expect(await errors()).toEqual(['1313:26548.00']);
    // A partial return of 547.99 (applied 2026-11-10, within 30 days of the 2026-11-01 release): 26,000.01.
    await ledger.refund('EARLIER-2', '547.99', { key: 'R1', now: '2026-11-10' });
    expect(await errors()).toEqual(['1313:26000.01']);
    // The last 0.01 back: 25,452.00 + 548.00 = 26,000.00, not over.
    await ledger.refund('EARLIER-2', '0.01', { key: 'R2', now: '2026-11-10' });
    expect(await errors()).toEqual([]);
  });

  it("the ledger's own reservation (what the emulator answers 1313 on) draws the line at the same cent: 26,000.00 is taken, 26,000.01 is not", async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER-1', BUYER, '20999.99', '2026-02-01');
    // One item of 5,000.01 (cbec-full, counted in the year): 20,999.99 + 5,000.01 = 26,000.00.
    const fits = await ledger.reserve('ONE-ITEM-1', BUYER, '5000.01', '2026-06-01');
    expect(fits.ok).toBe(true);
    expect(fits.ok && fits.remaining.toFixed(2)).toBe('0.00');
    // Any further cent passes 26,000.
    expect((await ledger.reserve('ONE-CENT', BUYER, '0.01', '2026-06-02')).ok).toBe(false);
    // Once 5,000.01 comes back by an approved return, the same cent fits again.
    await ledger.commit('ONE-ITEM-1', { now: '2026-06-01' });
    await ledger.refund('ONE-ITEM-1', undefined, { now: '2026-06-10' });
    expect((await ledger.reserve('ONE-CENT', BUYER, '0.01', '2026-06-11')).ok).toBe(true);
  });
});
