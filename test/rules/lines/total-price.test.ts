import { lineTotalPrice } from '../../../src/rules/lines/total-price.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(lineTotalPrice, {
  valid: [
    { name: '199.00 × 2 = 398.00 and 150.00 × 1 = 150.00' },
    {
      name: 'within a tolerance of 0.01',
      set: { 'order.items[0].totalPrice': '398.01' },
      ruleOptions: { tolerance: '0.01' },
    },
    { name: 'a missing amount is the schema’s business', set: { 'order.items[0].price': null } },
  ],
  invalid: [
    {
      name: '199.00 × 2 written as 399.00',
      set: { 'order.items[0].totalPrice': '399.00' },
      errors: [
        {
          code: 'total-price',
          path: 'order.items[0].totalPrice',
          expected: '398',
          actual: '399',
          data: { path: 'order.items[0].totalPrice', price: '199', qty: '2', expected: '398', total: '399' },
          message: {
            zh: 'order.items[0].totalPrice 应为 199 × 2 = 398，实际为 399',
            en: 'order.items[0].totalPrice must be price × qty = 199 × 2 = 398, got 399',
          },
        },
      ],
    },
    {
      name: 'just beyond a tolerance of 0.01, on the inventory',
      set: { 'inventory.items[1].totalPrice': '150.02' },
      ruleOptions: { tolerance: '0.01' },
      errors: [
        {
          code: 'total-price',
          path: 'inventory.items[1].totalPrice',
          data: { path: 'inventory.items[1].totalPrice', price: '150', qty: '1', expected: '150', total: '150.02' },
        },
      ],
    },
  ],
});
