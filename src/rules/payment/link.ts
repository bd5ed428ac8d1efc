import { z } from 'zod';
import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule, FROM_RECEIPTS } from '../types.js';

const LINK_KEYS = ['payCode', 'payTransactionId'] as const;

/** R3: when the order names its payment, the payment voucher must be that payment. */
export const paymentLink = defineRule({
  id: 'payment/link',
  description: {
    zh: '订单的支付企业代码、支付交易编号与支付单一致',
    en: 'payCode and payTransactionId on the order match the payment voucher',
  },
  source: '报文规范 202205: OrderHead payCode, payTransactionId; receipt [Code:13035;Desc:支付企业不一致]',
  defaultSeverity: 'error',
  options: z.strictObject({ requireOnOrder: z.boolean().default(false) }),
  codes: {
    '13035': FROM_RECEIPTS,
    'pay-transaction-mismatch': { zh: '支付交易编号不一致', en: 'payTransactionId differs between order and payment' },
    'pay-link-missing': {
      zh: '订单未填写支付企业或支付交易编号',
      en: 'The order does not name its payment company or transaction',
    },
  },
  messages: {
    '13035': MISMATCH,
    'pay-transaction-mismatch': MISMATCH,
    'pay-link-missing': {
      zh: '订单缺少 {key}，无法与支付单关联',
      en: 'order.{key} is missing, so the order cannot be linked to its payment',
    },
  },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'the order names another payment company',
        set: { 'order.payCode': '312226T999' },
        code: '13035',
        path: 'order.payCode',
      },
    ],
  },
  check(ctx, options) {
    const order = ref(ctx, 'order');
    const payment = ref(ctx, 'payment');
    const missing =
      options.requireOnOrder && order.doc
        ? LINK_KEYS.filter((key) => order.doc?.[key] === undefined).map((key) => ({
            messageId: 'pay-link-missing' as const,
            path: `order.${key}`,
            data: { key },
          }))
        : [];
    return [
      ...sameString(ctx, '13035', payment, 'payCode', order, 'payCode'),
      ...sameString(ctx, 'pay-transaction-mismatch', payment, 'payTransactionId', order, 'payTransactionId'),
      ...missing,
    ];
  },
});
