import { describe, expect, it } from 'vitest';
import { goodsValueSum } from '../../../src/rules/lines/goods-value.js';
import { validate } from '../../../src/rules/validate.js';
import { example } from '../../helpers/examples.js';
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
          severity: 'warning',
          path: 'order.goodsValue',
          expected: '548',
          actual: '549',
          data: { expected: '548', actual: '549' },
          message: {
            zh: '商品价格应为表体总价之和 548，实际为 549',
            en: "order.goodsValue should be the sum of the lines' totalPrice, 548, got 549",
          },
        },
      ],
    },
  ],
});

describe('a goodsValue that is not the sum of the lines warns (no source says customs refuses it)', () => {
  // goodsValue 549 with the payment and acturalPaid raised to match, so goods-value is the only finding.
  const declaration = () => {
    const d = example('hangzhou-1210');
    d.order.goodsValue = '549.00';
    d.order.acturalPaid = '598.87';
    d.payment.amountPaid = '598.87';
    return d;
  };

  it('the national ruleset passes the declaration with a warning (it used to fail it)', () => {
    const r = validate(declaration());
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(r.issues.filter((i) => i.code === 'goods-value').map((i) => i.severity)).toEqual(['warning']);
    expect(r.valid).toBe(true);
  });

  it('a user ruleset that sets it to error fails it', () => {
    const ruleset = {
      id: 'strict',
      version: '1',
      extends: 'national',
      rules: { 'lines/goods-value': { severity: 'error' } },
    };
    const r = validate(declaration(), { ruleset });
    expect(r.issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(['goods-value']);
    expect(r.valid).toBe(false);
  });
});
