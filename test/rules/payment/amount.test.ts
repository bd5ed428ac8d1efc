import { paymentAmount } from '../../../src/rules/payment/amount.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(paymentAmount, {
  valid: [
    { name: '548.00 + 0.00 + 49.87 − 0.00 = 597.87, paid 597.87' },
    {
      name: 'a discount: 548.00 + 0.00 + 49.87 − 10.00 = 587.87',
      set: { 'order.discount': '10.00', 'order.acturalPaid': '587.87', 'payment.amountPaid': '587.87' },
    },
    {
      name: 'a discount equal to all that is owed leaves 0 to pay: 548 + 0 + 49.87 − 597.87 = 0',
      set: { 'order.discount': '597.87', 'order.acturalPaid': '0', 'payment.amountPaid': '0' },
    },
    {
      name: 'within the tolerance (0.01 off, tolerance 0.01)',
      set: { 'order.acturalPaid': '597.88', 'payment.amountPaid': '597.89' },
      ruleOptions: { tolerance: '0.01' },
    },
    {
      // The discount names itself only where the formula fails: 597.87 − 597.88 = −0.01 is within 0.01 of 0 paid.
      name: 'a discount 0.01 above what is owed, 0 paid, tolerance 0.01',
      set: { 'order.discount': '597.88', 'order.acturalPaid': '0', 'payment.amountPaid': '0' },
      ruleOptions: { tolerance: '0.01' },
    },
    {
      name: 'an unreadable amount is the schema’s business',
      set: { 'order.freight': 'x', 'payment.amountPaid': null },
    },
  ],
  invalid: [
    {
      name: 'acturalPaid 600.00 against 597.87',
      set: { 'order.acturalPaid': '600.00', 'payment.amountPaid': '600.00' },
      errors: [
        {
          code: 'actural-paid-formula',
          path: 'order.acturalPaid',
          expected: '597.87',
          actual: '600',
          data: { goods: '548', freight: '0', tax: '49.87', discount: '0', expected: '597.87', paid: '600' },
          message: {
            zh: '实际支付金额应为 548 + 0 + 49.87 − 0 = 597.87，实际填写 600',
            en: 'acturalPaid must be goodsValue + freight + taxTotal − discount = 548 + 0 + 49.87 − 0 = 597.87, got 600',
          },
        },
      ],
    },
    {
      name: 'the discount is subtracted, not added: 548 + 0 + 49.87 − 10 = 587.87',
      set: { 'order.discount': '10.00' },
      errors: [
        {
          code: 'actural-paid-formula',
          path: 'order.acturalPaid',
          expected: '587.87',
          actual: '597.87',
          data: { goods: '548', freight: '0', tax: '49.87', discount: '10', expected: '587.87', paid: '597.87' },
        },
      ],
    },
    {
      // 548 + 0 + 49.87 = 597.87 owed; 597.87 − 600 = −2.13, which no acturalPaid (an amount not below 0) can be.
      // The finding was "acturalPaid must be … = -2.13, got 0", asking for a payment fields/schema refuses.
      name: 'a discount of 600.00 above the 597.87 owed names the discount, not a negative payment',
      set: { 'order.discount': '600.00', 'order.acturalPaid': '0', 'payment.amountPaid': '0' },
      errors: [
        {
          code: 'actural-paid-formula',
          path: 'order.discount',
          expected: '≤ 597.87',
          actual: '600',
          data: { goods: '548', freight: '0', tax: '49.87', owed: '597.87', discount: '600', expected: '-2.13' },
          message: {
            zh: '非现金抵扣金额 600 超过商品价格 + 运杂费 + 代扣税款 = 548 + 0 + 49.87 = 597.87：按公式实际支付金额为 -2.13，而支付金额不能为负',
            en: 'order.discount 600 is more than goodsValue + freight + taxTotal = 548 + 0 + 49.87 = 597.87: acturalPaid would be -2.13, and a payment cannot be negative',
          },
        },
      ],
    },
    {
      // The negative payment the formula gives, written in: still the discount is named (fields/schema refuses the
      // payment too), not passed because acturalPaid equals the formula.
      name: 'a discount of 600.00 with acturalPaid -2.13, as the formula gives: the discount is named',
      set: { 'order.discount': '600.00', 'order.acturalPaid': '-2.13', 'payment.amountPaid': '-2.13' },
      errors: [
        {
          code: 'actural-paid-formula',
          path: 'order.discount',
          expected: '≤ 597.87',
          actual: '600',
          data: { goods: '548', freight: '0', tax: '49.87', owed: '597.87', discount: '600', expected: '-2.13' },
        },
      ],
    },
    {
      name: 'freight counts: 548 + 20 + 49.87 = 617.87',
      set: { 'order.freight': '20.00' },
      errors: [
        {
          code: 'actural-paid-formula',
          path: 'order.acturalPaid',
          expected: '617.87',
          actual: '597.87',
          data: { goods: '548', freight: '20', tax: '49.87', discount: '0', expected: '617.87', paid: '597.87' },
        },
      ],
    },
    {
      name: 'the payment says 597.88',
      set: { 'payment.amountPaid': '597.88' },
      errors: [
        {
          code: '1332',
          path: 'payment.amountPaid',
          expected: '597.87',
          actual: '597.88',
          data: { amountPaid: '597.88', paid: '597.87' },
          message: {
            zh: '支付单支付金额 597.88 与订单实际支付金额 597.87 不一致',
            en: 'payment.amountPaid 597.88 differs from order.acturalPaid 597.87',
          },
        },
      ],
    },
    {
      name: 'just beyond the tolerance (0.02 off, tolerance 0.01)',
      set: { 'payment.amountPaid': '597.89' },
      ruleOptions: { tolerance: '0.01' },
      errors: [{ code: '1332', path: 'payment.amountPaid', data: { amountPaid: '597.89', paid: '597.87' } }],
    },
  ],
});
