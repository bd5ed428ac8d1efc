import { goodsValueSum } from '../../../src/rules/lines/goods-value.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(goodsValueSum, {
  valid: [
    { name: '398.00 + 150.00 = 548.00' },
    {
      name: 'a line without a total is the schema’s business',
      set: { 'order.items[1].totalPrice': null, 'order.goodsValue': '1' },
    },
    { name: 'no lines is the schema’s business', set: { 'order.items': [], 'order.goodsValue': '1' } },
  ],
  invalid: [
    {
      name: 'goodsValue 549.00',
      set: { 'order.goodsValue': '549.00' },
      errors: [
        {
          code: 'goods-value',
          path: 'order.goodsValue',
          expected: '548',
          actual: '549',
          data: { expected: '548', actual: '549' },
          message: {
            zh: '商品价格应为表体总价之和 548，实际为 549',
            en: "order.goodsValue must be the sum of the lines' totalPrice, 548, got 549",
          },
        },
      ],
    },
  ],
});
