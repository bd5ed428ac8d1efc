import { decimalOfText } from '../../model/primitives.js';
import { differsBeyond, show, TOLERANCE_OPTIONS } from '../_lib/compare.js';
import { defineRule, FROM_RECEIPTS } from '../types.js';

/** R4: acturalPaid = goodsValue + freight + taxTotal − discount = payment.amountPaid. */
export const paymentAmount = defineRule({
  id: 'payment/amount',
  description: {
    zh: '实际支付金额 = 商品价格 + 运杂费 + 代扣税款 − 非现金抵扣金额 = 支付单支付金额',
    en: 'acturalPaid = goodsValue + freight + taxTotal − discount = payment.amountPaid',
  },
  source: '报文规范 202205: OrderHead acturalPaid; receipt [Code:1332]',
  defaultSeverity: 'error',
  options: TOLERANCE_OPTIONS,
  codes: {
    'actural-paid-formula': {
      zh: '实际支付金额不等于 商品价格+运杂费+代扣税款−非现金抵扣金额',
      en: 'acturalPaid is not goodsValue + freight + taxTotal − discount',
    },
    '1332': FROM_RECEIPTS,
  },
  messages: {
    'actural-paid-formula': {
      zh: '实际支付金额应为 {goods} + {freight} + {tax} − {discount} = {expected}，实际填写 {paid}',
      en: 'acturalPaid must be goodsValue + freight + taxTotal − discount = {goods} + {freight} + {tax} − {discount} = {expected}, got {paid}',
    },
    // goodsValue + freight + taxTotal − discount below 0: no acturalPaid fits (it is an amount not below 0), so the
    // finding names the discount, the one term larger than the rest, instead of asking for a negative payment.
    'actural-paid-discount': {
      code: 'actural-paid-formula',
      zh: '非现金抵扣金额 {discount} 超过商品价格 + 运杂费 + 代扣税款 = {goods} + {freight} + {tax} = {owed}：按公式实际支付金额为 {expected}，而支付金额不能为负',
      en: 'order.discount {discount} is more than goodsValue + freight + taxTotal = {goods} + {freight} + {tax} = {owed}: acturalPaid would be {expected}, and a payment cannot be negative',
    },
    '1332': {
      zh: '支付单支付金额 {amountPaid} 与订单实际支付金额 {paid} 不一致',
      en: 'payment.amountPaid {amountPaid} differs from order.acturalPaid {paid}',
    },
  },
  examples: {
    valid: [{ name: 'the example declaration: 548.00 + 0.00 + 49.87 − 0.00 = 597.87 paid' }],
    invalid: [
      {
        name: 'the payment says 597.88',
        set: { 'payment.amountPaid': '597.88' },
        code: '1332',
        path: 'payment.amountPaid',
      },
    ],
  },
  check(ctx, options) {
    const order = ctx.doc('order');
    const tol = decimalOfText(options.tolerance);
    const goods = ctx.dec(order, 'goodsValue');
    const freight = ctx.dec(order, 'freight');
    const tax = ctx.dec(order, 'taxTotal');
    const discount = ctx.dec(order, 'discount');
    const paid = ctx.dec(order, 'acturalPaid');
    const out = [];
    if (goods && freight && tax && discount && paid) {
      const owed = goods.plus(freight).plus(tax);
      const expected = owed.minus(discount);
      // (the figures both findings quote)
      const shown = { goods: show(goods), freight: show(freight), tax: show(tax) };
      // Below −tolerance no payment fits; within it a payment of 0 does (a discount a cent above what is owed, tolerance
      // 0.01, passed before this finding), and the formula check below judges it.
      if (expected.plus(tol).isNegative()) {
        out.push({
          messageId: 'actural-paid-discount' as const,
          path: 'order.discount',
          expected: `≤ ${show(owed)}`,
          actual: show(discount),
          data: { ...shown, owed: show(owed), discount: show(discount), expected: show(expected) },
        });
      } else if (differsBeyond(expected, paid, tol)) {
        out.push({
          messageId: 'actural-paid-formula' as const,
          path: 'order.acturalPaid',
          expected: show(expected),
          actual: show(paid),
          data: { ...shown, discount: show(discount), expected: show(expected), paid: show(paid) },
        });
      }
    }
    const amountPaid = ctx.dec(ctx.doc('payment'), 'amountPaid');
    if (paid && amountPaid && differsBeyond(paid, amountPaid, tol)) {
      out.push({
        messageId: '1332' as const,
        path: 'payment.amountPaid',
        expected: show(paid),
        actual: show(amountPaid),
        data: { amountPaid: show(amountPaid), paid: show(paid) },
      });
    }
    return out;
  },
});
