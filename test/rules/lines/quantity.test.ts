import { describe, expect, it } from 'vitest';
import { lineQuantity } from '../../../src/rules/lines/quantity.js';
import { validate } from '../../../src/rules/validate.js';
import { example } from '../../helpers/examples.js';
import { ruleTester } from '../rule-tester.js';

// The spec's words: 表3-3 OrderList qty 商品实际数量; 表3-31 InventoryList qty 按成交计量单位的实际数量, qty1 按照商品编码规则
// 对应的法定计量单位的实际数量填写. No refusal of 0 is published, so the rule warns.
const LEGAL = { zh: '按法定计量单位', en: 'in the legal unit of the commodity code (unit1)' };

ruleTester(lineQuantity, {
  valid: [
    { name: 'qty 2, qty1 1.6 and qty 1, qty1 0.05 (the example declaration)' },
    { name: 'a legal quantity of 0.00001 kg, the smallest N19,5 takes', set: { 'inventory.items[1].qty1': '0.00001' } },
    {
      name: 'a gift line: price 0, quantity 1',
      set: { 'order.items[1].price': '0', 'order.items[1].totalPrice': '0' },
    },
  ],
  invalid: [
    {
      name: 'qty1 of 0 (no consumption-tax threshold needs it, so nothing else says so)',
      set: { 'inventory.items[0].qty1': '0' },
      errors: [
        {
          code: 'quantity-zero',
          severity: 'warning',
          path: 'inventory.items[0].qty1',
          data: { path: 'inventory.items[0].qty1', what: LEGAL.zh, whatEn: LEGAL.en },
          expected: '> 0',
          actual: '0',
          message: {
            zh: 'inventory.items[0].qty1 为 0：规范要求填写按法定计量单位的实际数量',
            en: 'inventory.items[0].qty1 is 0: the spec asks for the actual quantity in the legal unit of the commodity code (unit1)',
          },
        },
      ],
    },
    {
      name: 'qty1 written 0.00000',
      set: { 'inventory.items[1].qty1': '0.00000' },
      errors: [
        {
          code: 'quantity-zero',
          severity: 'warning',
          path: 'inventory.items[1].qty1',
          data: { path: 'inventory.items[1].qty1', what: LEGAL.zh, whatEn: LEGAL.en },
        },
      ],
    },
    {
      name: 'a line of quantity 0 on the order and the inventory (0 × 150.00 = 0)',
      set: {
        'order.items[1].qty': 0,
        'order.items[1].totalPrice': '0',
        'inventory.items[1].qty': '0',
        'inventory.items[1].totalPrice': '0',
      },
      errors: [
        {
          code: 'quantity-zero',
          severity: 'warning',
          path: 'order.items[1].qty',
          data: { path: 'order.items[1].qty', what: '商品', whatEn: 'of the goods' },
          message: {
            zh: 'order.items[1].qty 为 0：规范要求填写商品的实际数量',
            en: 'order.items[1].qty is 0: the spec asks for the actual quantity of the goods',
          },
        },
        {
          code: 'quantity-zero',
          severity: 'warning',
          path: 'inventory.items[1].qty',
          data: {
            path: 'inventory.items[1].qty',
            what: '按成交计量单位',
            whatEn: 'in the unit of the transaction (unit)',
          },
        },
      ],
    },
  ],
});

describe('lines/quantity in the national ruleset', () => {
  it('a qty1 of 0 on a line without a consumption tax warns and leaves the declaration valid (until session 53: no word)', () => {
    const d = example('hangzhou-1210');
    d.inventory.items[0].qty1 = '0';
    const r = validate(d);
    expect(r.valid).toBe(true);
    expect(
      r.issues.filter((i) => i.path === 'inventory.items[0].qty1').map((i) => [i.ruleId, i.code, i.severity]),
    ).toEqual([['lines/quantity', 'quantity-zero', 'warning']]);
  });
});
