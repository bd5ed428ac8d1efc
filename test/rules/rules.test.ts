import { describe, expect, it } from 'vitest';
import {
  createValidator,
  loadGoodsRecords,
  parseRateTable,
  RULES,
  validate as validateWith,
  type ValidateOptions,
} from '../../src/index.js';
import { example, exampleRates, type Json } from '../helpers/examples.js';

/** Validates with the example rate table, as the README does. */
const validate = (d: unknown, options: ValidateOptions = {}) =>
  validateWith(d, { rates: parseRateTable(exampleRates()), ...options });

/**
 * Each rule has a failing fixture: a mutation of a valid example that must produce the
 * given code at the given path (and the examples themselves are the passing fixtures).
 */
interface Case {
  rule: string;
  name: string;
  base?: 'hangzhou-1210' | 'guangzhou-9610';
  mutate: (d: Json) => void;
  code: string;
  path: string;
  severity?: 'error' | 'warning';
  at?: string;
  options?: ValidateOptions;
}

const RECORDS = loadGoodsRecords({
  'SKU-MILK-800': { gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit1: '035', country: '601' },
  'SKU-CREAM-50': { gcode: '3304990099', gname: '保湿面霜 50ml', unit1: '035' },
});

const CASES: Case[] = [
  {
    rule: 'fields/schema',
    name: 'missing required field',
    mutate: (d) => delete d.payment.payCode,
    code: 'field-required',
    path: 'payment.payCode',
  },
  {
    rule: 'fields/schema',
    name: 'string too long',
    mutate: (d) => (d.inventory.items[0].gname = '奶'.repeat(251)),
    code: 'field-too-long',
    path: 'inventory.items[0].gname',
  },
  {
    rule: 'fields/schema',
    name: 'bad decimal',
    mutate: (d) => (d.order.goodsValue = '1.234567'),
    code: 'field-format',
    path: 'order.goodsValue',
  },
  {
    rule: 'fields/schema',
    name: 'fixed currency',
    mutate: (d) => (d.order.currency = '502'),
    code: 'field-value',
    path: 'order.currency',
  },
  {
    rule: 'fields/schema',
    name: 'bad date',
    mutate: (d) => (d.inventory.declTime = '20261340'),
    code: 'field-format',
    path: 'inventory.declTime',
  },
  {
    rule: 'fields/schema',
    name: 'wrong type',
    mutate: (d) => (d.order.orderNo = 12345),
    code: 'field-type',
    path: 'order.orderNo',
  },
  {
    rule: 'fields/schema',
    name: 'no lines',
    mutate: (d) => (d.order.items = []),
    code: 'field-too-few',
    path: 'order.items',
  },
  {
    rule: 'fields/unknown',
    name: 'extra field',
    mutate: (d) => (d.order.actualPaid = '597.87'),
    code: 'unknown-field',
    path: 'order.actualPaid',
    severity: 'warning',
  },
  {
    rule: 'codes/tables',
    name: 'unknown unit',
    mutate: (d) => (d.inventory.items[0].unit1 = '999'),
    code: 'code-unknown',
    path: 'inventory.items[0].unit1',
    severity: 'warning',
  },
  {
    rule: 'codes/tables',
    name: 'ID type table is complete',
    mutate: (d) => (d.order.buyerIdType = '3'),
    code: 'code-unknown',
    path: 'order.buyerIdType',
  },
  {
    rule: 'codes/customs-office',
    name: 'no such district',
    mutate: (d) => (d.inventory.portCode = '1124'),
    code: 'customs-code-unknown',
    path: 'inventory.portCode',
  },
  {
    rule: 'identity/order-no',
    name: 'payment order number',
    mutate: (d) => (d.payment.orderNo = 'OTHER'),
    code: 'order-no-mismatch',
    path: 'payment.orderNo',
  },
  {
    rule: 'identity/order-no',
    name: 'inventory platform',
    mutate: (d) => (d.inventory.ebpCode = '3301964J99'),
    code: 'ebp-code-mismatch',
    path: 'inventory.ebpCode',
  },
  {
    rule: 'identity/ebc-code',
    name: 'inventory ebc',
    mutate: (d) => (d.inventory.ebcCode = '3301964J99'),
    code: 'ebc-code-mismatch',
    path: 'inventory.ebcCode',
  },
  {
    rule: 'identity/logistics',
    name: 'waybill number',
    mutate: (d) => (d.inventory.logisticsNo = 'ZT0000000000000'),
    code: 'logistics-mismatch',
    path: 'inventory.logisticsNo',
  },
  {
    rule: 'payment/link',
    name: 'payment company',
    mutate: (d) => (d.order.payCode = '312226T999'),
    code: '13035',
    path: 'order.payCode',
  },
  {
    rule: 'payment/link',
    name: 'transaction id',
    mutate: (d) => (d.order.payTransactionId = 'PAY-OTHER'),
    code: 'pay-transaction-mismatch',
    path: 'order.payTransactionId',
  },
  {
    rule: 'payment/amount',
    name: 'acturalPaid formula',
    mutate: (d) => {
      d.order.acturalPaid = '600.00';
      d.payment.amountPaid = '600.00';
    },
    code: 'actural-paid-formula',
    path: 'order.acturalPaid',
  },
  {
    rule: 'payment/amount',
    name: 'amountPaid',
    mutate: (d) => (d.payment.amountPaid = '597.88'),
    code: '1332',
    path: 'payment.amountPaid',
  },
  {
    rule: 'district/notices',
    name: 'Hainan island-wide closure notice',
    mutate: (d) => {
      d.inventory.customsCode = '6400';
      d.inventory.portCode = '6400';
      d.inventory.declTime = '20260105';
    },
    code: 'district-notice',
    path: '',
    severity: 'warning',
  },
  {
    rule: 'payment/payer-is-buyer',
    name: 'other payer',
    mutate: (d) => (d.payment.payerName = '王五'),
    code: 'payer-not-buyer',
    path: 'payment.payerName',
  },
  {
    rule: 'identity/id-number',
    name: 'check digit',
    mutate: (d) => {
      for (const doc of [d.order, d.inventory]) doc.buyerIdNumber = '330106199003071518';
      d.payment.payerIdNumber = '330106199003071518';
    },
    code: 'id-number-check-digit',
    path: 'order.buyerIdNumber',
  },
  {
    rule: 'identity/id-number',
    name: 'birth date',
    mutate: (d) => {
      d.payment.payerIdNumber = '330106199002301519';
    },
    code: 'id-number-birth-date',
    path: 'payment.payerIdNumber',
  },
  {
    rule: 'identity/id-number',
    name: 'lower-case x',
    mutate: (d) => {
      d.payment.payerIdNumber = '33010619900307151x';
    },
    code: 'id-number-format',
    path: 'payment.payerIdNumber',
  },
  {
    rule: 'parties/consignee',
    name: 'waybill phone',
    mutate: (d) => (d.logistics.consigneeTelephone = '13800000001'),
    code: 'consignee-mismatch',
    path: 'logistics.consigneeTelephone',
  },
  {
    rule: 'parties/consignee',
    name: 'inventory address',
    mutate: (d) => (d.inventory.consigneeAddress = '浙江省杭州市'),
    code: 'consignee-mismatch',
    path: 'inventory.consigneeAddress',
  },
  {
    rule: 'parties/buyer',
    name: 'buyer name',
    mutate: (d) => (d.inventory.buyerName = '张三丰'),
    code: '13127',
    path: 'inventory.buyerName',
  },
  {
    rule: 'parties/buyer',
    name: 'buyer phone',
    mutate: (d) => (d.inventory.buyerTelephone = '13800000009'),
    code: 'buyer-mismatch',
    path: 'inventory.buyerTelephone',
  },
  {
    rule: 'parties/assure-code',
    name: 'stranger guarantees',
    mutate: (d) => (d.inventory.assureCode = '1234567890'),
    code: 'assure-code',
    path: 'inventory.assureCode',
  },
  {
    rule: 'lines/gnum',
    name: 'duplicate gnum',
    mutate: (d) => (d.inventory.items[1].gnum = 1),
    code: '-621027',
    path: 'inventory.items[1].gnum',
  },
  {
    rule: 'lines/gnum',
    name: 'gap',
    mutate: (d) => (d.order.items[1].gnum = 3),
    code: 'gnum-sequence',
    path: 'order.items[1].gnum',
  },
  {
    rule: 'lines/correspond',
    name: 'line count',
    mutate: (d) => d.inventory.items.pop(),
    code: '1320',
    path: 'inventory.items',
  },
  {
    rule: 'lines/correspond',
    name: 'name differs',
    mutate: (d) => (d.inventory.items[1].gname = '面霜'),
    code: '1322',
    path: 'inventory.items[1].gname',
  },
  {
    rule: 'lines/correspond',
    name: 'price differs',
    mutate: (d) => {
      d.inventory.items[0].price = '198.00';
      d.inventory.items[0].totalPrice = '396.00';
    },
    code: '1322',
    path: 'inventory.items[0].price',
  },
  {
    rule: 'lines/total-price',
    name: 'price × qty',
    mutate: (d) => (d.order.items[0].totalPrice = '399.00'),
    code: 'total-price',
    path: 'order.items[0].totalPrice',
  },
  {
    rule: 'lines/goods-value',
    name: 'goods value',
    mutate: (d) => {
      d.order.goodsValue = '549.00';
      d.order.acturalPaid = '598.87';
      d.payment.amountPaid = '598.87';
    },
    code: 'goods-value',
    path: 'order.goodsValue',
  },
  {
    rule: 'lines/second-quantity',
    name: 'unit2 without qty2',
    mutate: (d) => (d.inventory.items[0].unit2 = '007'),
    code: 'qty2-unit2',
    path: 'inventory.items[0].qty2',
  },
  {
    rule: 'logistics/weights',
    name: 'gross below net',
    mutate: (d) => (d.inventory.grossWeight = '1.00'),
    code: 'gross-below-net',
    path: 'inventory.grossWeight',
  },
  {
    rule: 'logistics/pack-no',
    name: 'two packages',
    mutate: (d) => (d.logistics.packNo = 2),
    code: 'pack-no',
    path: 'logistics.packNo',
  },
  {
    rule: 'logistics/freight',
    name: 'freight differs',
    base: 'guangzhou-9610',
    mutate: (d) => (d.inventory.freight = '15.00'),
    code: 'freight-mismatch',
    path: 'inventory.freight',
    severity: 'warning',
  },
  {
    rule: 'trade-mode/allowed',
    name: 'general trade',
    mutate: (d) => (d.inventory.tradeMode = '0110'),
    code: 'trade-mode-not-allowed',
    path: 'inventory.tradeMode',
  },
  {
    rule: 'trade-mode/allowed',
    name: '1239 before it existed',
    mutate: (d) => {
      d.inventory.tradeMode = '1239';
      d.inventory.declTime = '20160601';
      d.order.appTime = '20160601101500';
    },
    code: 'trade-mode-not-allowed',
    path: 'inventory.tradeMode',
  },
  {
    rule: 'trade-mode/fields',
    name: 'bonded without account book',
    mutate: (d) => delete d.inventory.emsNo,
    code: 'trade-mode-field-required',
    path: 'inventory.emsNo',
  },
  {
    rule: 'trade-mode/fields',
    name: 'bonded line without record',
    mutate: (d) => delete d.inventory.items[1].itemRecordNo,
    code: 'trade-mode-field-required',
    path: 'inventory.items[1].itemRecordNo',
  },
  {
    rule: 'trade-mode/fields',
    name: 'direct purchase without bill',
    base: 'guangzhou-9610',
    mutate: (d) => delete d.inventory.billNo,
    code: 'trade-mode-field-required',
    path: 'inventory.billNo',
  },
  {
    rule: 'trade-mode/fields',
    name: 'bonded country',
    mutate: (d) => (d.inventory.country = '601'),
    code: 'trade-mode-country',
    path: 'inventory.country',
  },
  {
    rule: 'limits/single-transaction',
    name: 'two lines above 5,000',
    mutate: (d) => overLimit(d, 2),
    code: '-621005',
    path: 'inventory.items',
  },
  {
    rule: 'limits/single-transaction',
    name: 'one indivisible item above 5,000',
    base: 'guangzhou-9610',
    mutate: (d) => overLimitSingle(d),
    code: 'single-item-full-tax',
    path: 'inventory.items[0]',
    severity: 'warning',
  },
  // 49号 二: only "低于26000元年度交易限值" clears at full tax: 30,000 + 20 freight is general trade.
  {
    rule: 'limits/single-transaction',
    name: 'one item not below 26,000',
    base: 'guangzhou-9610',
    mutate: (d) => overLimitSingle(d, '30000.00'),
    code: '-621005',
    path: 'inventory.items',
  },
  // 18号: "以及完税价格超过2000元限值的单个不可分割商品，均按照一般贸易方式全额征税".
  {
    rule: 'limits/single-transaction',
    name: 'one item above 2,000 in 2018',
    base: 'guangzhou-9610',
    at: '2018-06-01',
    mutate: (d) => overLimitSingle(d),
    code: '-621005',
    path: 'inventory.items',
  },
  {
    rule: 'limits/annual',
    name: '25,600 used + 548 > 26,000',
    options: { extras: { quota: { used: () => '25600.00' } } },
    mutate: () => undefined,
    code: '1313',
    path: 'inventory.buyerIdNumber',
  },
  {
    rule: 'tax/total',
    name: 'taxTotal 0.01 off (税费不一致)',
    mutate: (d) => {
      d.order.taxTotal = '49.86';
      d.order.acturalPaid = '597.86';
      d.payment.amountPaid = '597.86';
    },
    code: 'tax-mismatch',
    path: 'order.taxTotal',
  },
  {
    rule: 'tax/total',
    name: 'no rate for a line',
    mutate: (d) => (d.inventory.items[0].gcode = '0101210010'),
    code: 'rate-missing',
    path: 'inventory.items[0].gcode',
    severity: 'warning',
  },
  {
    rule: 'district/offices',
    name: 'Guangzhou office under Hangzhou rules',
    mutate: (d) => (d.inventory.customsCode = '5141'),
    options: { district: '2900' },
    code: 'district-office-mismatch',
    path: 'inventory.customsCode',
  },
  {
    rule: 'district/offices',
    name: 'port of another district',
    mutate: (d) => (d.inventory.portCode = '5141'),
    code: 'district-port-mismatch',
    path: 'inventory.portCode',
    severity: 'warning',
  },
  {
    rule: 'goods/positive-list',
    name: 'not on the 2016 list where the heading is complete',
    at: '2018-06-01',
    mutate: (d) => (d.inventory.items[0].gcode = '0401990000'),
    code: 'positive-list',
    path: 'inventory.items[0].gcode',
  },
  {
    rule: 'goods/positive-list',
    name: 'unconfirmed where the copy is incomplete',
    mutate: () => undefined,
    code: 'positive-list-unconfirmed',
    path: 'inventory.items[0].gcode',
    severity: 'warning',
  },
  {
    rule: 'goods/records',
    name: 'legal unit differs from the record',
    options: { goodsRecords: RECORDS },
    mutate: (d) => (d.inventory.items[1].unit1 = '096'),
    code: 'goods-record-mismatch',
    path: 'inventory.items[1].unit1',
  },
  {
    rule: 'goods/records',
    name: 'item not filed',
    options: { goodsRecords: RECORDS },
    mutate: (d) => {
      d.inventory.items[1].itemRecordNo = 'SKU-NEW';
    },
    code: 'goods-record-missing',
    path: 'inventory.items[1].itemRecordNo',
  },
];

/** Raises line 1 of the Hangzhou example so the order passes the limit (2 × 2,600 = 5,200 + 150). */
function overLimit(d: Json, qty: number): void {
  for (const doc of [d.order, d.inventory]) {
    doc.items[0].qty = qty;
    doc.items[0].price = '2600.00';
    doc.items[0].totalPrice = (2600 * qty).toFixed(2);
  }
  d.order.goodsValue = (2600 * qty + 150).toFixed(2);
  const paid = (2600 * qty + 150 + 49.87).toFixed(2);
  d.order.acturalPaid = paid;
  d.payment.amountPaid = paid;
}

function overLimitSingle(d: Json, price = '6000.00'): void {
  for (const doc of [d.order, d.inventory]) {
    doc.items[0].price = price;
    doc.items[0].totalPrice = price;
  }
  d.order.goodsValue = price;
  d.order.acturalPaid = '6181.41';
  d.payment.amountPaid = '6181.41';
}

describe('national rules', () => {
  it.each(['hangzhou-1210', 'guangzhou-9610'] as const)(
    'the example %s passes every rule (only the incomplete positive list warns)',
    (name) => {
      const r = validate(example(name));
      expect(r.valid).toBe(true);
      expect(r.issues.map((i) => `${i.code}:${i.severity}`)).toEqual(
        r.issues.map(() => 'positive-list-unconfirmed:warning'),
      );
    },
  );

  it.each(CASES)('$rule: $name → $code', (c) => {
    const d = example(c.base ?? 'hangzhou-1210');
    c.mutate(d);
    const r = validate(d, { ...(c.at && { at: c.at }), ...c.options });
    const hit = r.issues.find((i) => i.code === c.code && i.path === c.path);
    expect(hit, JSON.stringify(r.issues, null, 1)).toBeDefined();
    expect(hit?.ruleId).toBe(c.rule);
    expect(hit?.severity).toBe(c.severity ?? 'error');
    expect(hit?.message.zh.length).toBeGreaterThan(0);
    expect(hit?.message.en.length).toBeGreaterThan(0);
    expect(r.valid).toBe((c.severity ?? 'error') === 'warning' ? !r.issues.some((i) => i.severity === 'error') : false);
  });

  it('every rule has a failing fixture, and every fixture names a real rule', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    expect(RULES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
    expect([...covered].filter((id) => !RULES.some((r) => r.id === id))).toEqual([]);
  });

  it('every code a fixture expects is in its rule’s catalogue', () => {
    for (const c of CASES) expect(Object.keys(RULES.find((r) => r.id === c.rule)!.codes)).toContain(c.code);
  });
});

describe('one validator, many declarations', () => {
  it('checks each declaration’s own tax (nothing carries over between validations)', () => {
    const validator = createValidator({ rates: parseRateTable(exampleRates()) });
    const a = example('hangzhou-1210');
    const b = example('hangzhou-1210');
    // b's cream costs 250.00: VAT 250.00 × 13% × 0.7 = 22.75; 36.22 + 22.75 = 58.97.
    for (const doc of [b.order, b.inventory]) Object.assign(doc.items[1], { price: '250.00', totalPrice: '250.00' });
    Object.assign(b.order, { goodsValue: '648.00', taxTotal: '58.97', acturalPaid: '706.97' });
    b.payment.amountPaid = '706.97';
    expect(validator(a).valid).toBe(true);
    expect(validator(b).issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(validator(a).valid).toBe(true);
  });
});
