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
    // 0.333 × 0.333 = 0.110889 has 6 places; totalPrice has 5 (N19,5): 0.11089 rounded half-up, 0.11088 truncated.
    {
      name: '0.333 × 0.333 = 0.110889 written half-up as 0.11089',
      set: { 'order.items[0].price': '0.333', 'order.items[0].qty': '0.333', 'order.items[0].totalPrice': '0.11089' },
    },
    {
      name: '0.333 × 0.333 = 0.110889 written truncated as 0.11088',
      set: { 'order.items[0].price': '0.333', 'order.items[0].qty': '0.333', 'order.items[0].totalPrice': '0.11088' },
    },
    {
      // 3.33333 × 1.5 = 4.999995: half-up (and half-even) give 5.00000.
      name: '3.33333 × 1.5 = 4.999995 written as 5',
      set: {
        'inventory.items[0].price': '3.33333',
        'inventory.items[0].qty': '1.5',
        'inventory.items[0].totalPrice': '5',
      },
    },
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
      name: '0.333 × 0.333 = 0.110889 written as 0.11087: no rounding gives it',
      set: { 'order.items[0].price': '0.333', 'order.items[0].qty': '0.333', 'order.items[0].totalPrice': '0.11087' },
      errors: [
        {
          code: 'total-price',
          path: 'order.items[0].totalPrice',
          expected: '0.110889 (0.11088 / 0.11089)',
          actual: '0.11087',
          data: {
            path: 'order.items[0].totalPrice',
            price: '0.333',
            qty: '0.333',
            expected: '0.110889 (0.11088 / 0.11089)',
            total: '0.11087',
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
