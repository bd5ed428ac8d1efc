import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/rules/index.js';
import { singleTransactionLimit } from '../../../src/rules/limits/single-transaction.js';
import { example, type Json } from '../../helpers/examples.js';
import { ruleTester } from '../rule-tester.js';

/** Line 1 of the Hangzhou example at 2,600.00 × qty: 2,600 × 2 = 5,200 + 150 = 5,350 > 5,000. */
function overLimit(d: Json, qty = 2): void {
  for (const doc of [d.order, d.inventory]) {
    doc.items[0].qty = qty;
    doc.items[0].price = '2600.00';
    doc.items[0].totalPrice = (2600 * qty).toFixed(2);
  }
  d.order.goodsValue = (2600 * qty + 150).toFixed(2);
}

/** The Guangzhou example's one item at `price`: dutiable value price + 20.00 freight. */
function single(price: string) {
  return (d: Json): void => {
    for (const doc of [d.order, d.inventory]) {
      doc.items[0].price = price;
      doc.items[0].totalPrice = price;
    }
    d.order.goodsValue = price;
  };
}

/** The regime decision's text (src/tax/regime.ts) names the value and the limit. */
const says = (...parts: string[]) => ({
  text: {
    zh: expect.stringMatching(new RegExp(parts.map((p) => p.replace(/\./g, '\\.')).join('.*'))),
    en: expect.stringMatching(new RegExp(parts.map((p) => p.replace(/\./g, '\\.')).join('.*'))),
  },
});

ruleTester(singleTransactionLimit, {
  valid: [
    { name: 'dutiable value 548.00' },
    { name: 'exactly 5,000.00 is within the limit', base: 'guangzhou-9610', mutate: single('4980.00') },
    {
      name: 'a single item that passes the annual limit is no longer CBEC: only limits/annual speaks',
      base: 'guangzhou-9610',
      mutate: single('6000.00'),
      options: { quota: { used: () => '25000.00' } },
    },
  ],
  invalid: [
    {
      name: 'two items above 5,000: general trade',
      mutate: (d) => overLimit(d),
      errors: [
        {
          code: '-621005',
          path: 'inventory.items',
          expected: '≤ 5000.00',
          actual: '5350.00',
          data: says('5350.00', '5000.00'),
        },
      ],
    },
    {
      name: 'just above: 5,000.01',
      base: 'guangzhou-9610',
      mutate: (d) => {
        single('4980.01')(d);
        d.order.items[0].qty = 2;
        d.inventory.items[0].qty = 2;
      },
      errors: [{ code: '-621005', path: 'inventory.items', actual: '5000.01', data: says('5000.01', '5000.00') }],
    },
    {
      name: 'without an inventory, the order’s goodsValue is the place',
      mutate: (d) => {
        overLimit(d);
        delete d.inventory;
      },
      errors: [{ code: '-621005', path: 'order.goodsValue', actual: '5350.00', data: says('5350.00', '5000.00') }],
    },
    {
      name: 'one indivisible item of 6,000.00: CBEC at full tax, a warning',
      base: 'guangzhou-9610',
      mutate: single('6000.00'),
      errors: [
        {
          code: 'single-item-full-tax',
          path: 'inventory.items[0]',
          severity: 'warning',
          expected: '≤ 5000.00',
          actual: '6020.00',
          data: says('6020.00', '5000.00'),
        },
      ],
    },
    {
      name: 'the same item on an order without inventory',
      base: 'guangzhou-9610',
      mutate: (d) => {
        single('6000.00')(d);
        delete d.inventory;
      },
      errors: [
        { code: 'single-item-full-tax', path: 'order.items[0]', severity: 'warning', data: says('6020.00', '5000.00') },
      ],
    },
    {
      // 49号 二: only "低于26000元年度交易限值" clears at full tax.
      name: 'one item not below 26,000: general trade',
      base: 'guangzhou-9610',
      mutate: single('30000.00'),
      errors: [
        {
          code: '-621005',
          path: 'inventory.items',
          expected: '< 26000.00',
          actual: '30020.00',
          data: says('30020.00', '5000.00', '26000.00'),
        },
      ],
    },
    {
      // 18号: "以及完税价格超过2000元限值的单个不可分割商品，均按照一般贸易方式全额征税".
      name: 'one item above 2,000 in 2018: general trade',
      base: 'guangzhou-9610',
      mutate: single('6000.00'),
      options: { at: '2018-06-01' },
      errors: [
        {
          code: '-621005',
          path: 'inventory.items',
          expected: '≤ 2000.00',
          actual: '6020.00',
          data: says('6020.00', '2000.00'),
        },
      ],
    },
  ],
});

// The -621005 help (the receipt catalogue's fix) must not promise the single-item path where the verdict denies it:
// 财关税〔2016〕18号 三 has none (a 2018 item above 2000 is general trade), and 财关税〔2018〕49号 二 opens it only below
// 26000 (完税价格超过5000元单次交易限值但低于26000元年度交易限值，且订单下仅一件商品时). Until session 54 the fix said
// "an order of one item may clear at the full duty and taxes" to both.
describe('limits/single-transaction: the help of -621005 states when one item may clear at full tax', () => {
  const refused = (declTime: string, price: string) => {
    const d = example('guangzhou-9610');
    d.inventory.declTime = declTime;
    single(price)(d);
    const issue = validate(d).issues.find((i) => i.code === '-621005');
    if (issue === undefined) throw new Error(`no -621005 at ${declTime} for ${price}`);
    return issue;
  };

  it.each([
    ['20181231', '5990.00', 'one item of 6010.00 in 2018 (18号: no single-item path)'],
    ['20261121', '29980.00', 'one item of 30000.00 in 2026 (49号: only below 26000)'],
  ])('%s, %s: %s', (declTime, price) => {
    const issue = refused(declTime, price);
    expect(issue.help?.fix?.en).toMatch(/from 2019-01-01 an order of one item whose dutiable value is below 26,000/);
    expect(issue.help?.fix?.en).toMatch(/before that, none \(财关税〔2016〕18号 三\)/);
    expect(issue.help?.fix?.zh).toMatch(/2019年1月1日起.*完税价格低于26000元.*仅一件商品/);
    expect(issue.help?.fix?.zh).toMatch(/此前无此例外（财关税〔2016〕18号 三）/);
  });
});
