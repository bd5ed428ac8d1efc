import { z } from 'zod';
import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/** Payer = buyer: required when the buyer's identity is not otherwise verified (海关总署公告2016年第26号). */
export const payerIsBuyer = defineRule({
  id: 'payment/payer-is-buyer',
  description: { zh: '支付人与订购人为同一人（证件号码、姓名）', en: 'The payer is the buyer (ID number and name)' },
  source: '海关总署公告2016年第26号',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  // (receipt 1327 lists this code: the engine adds the catalogue's cause and fix to each finding)
  codes: { 'payer-not-buyer': { zh: '支付人与订购人不一致', en: 'The payer is not the buyer' } },
  messages: { 'payer-not-buyer': MISMATCH },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'someone else paid',
        set: { 'payment.payerName': '王五' },
        code: 'payer-not-buyer',
        path: 'payment.payerName',
      },
    ],
  },
  check(ctx) {
    const order = ref(ctx, 'order');
    const payment = ref(ctx, 'payment');
    return [
      ...sameString(ctx, 'payer-not-buyer', order, 'buyerIdNumber', payment, 'payerIdNumber'),
      ...sameString(ctx, 'payer-not-buyer', order, 'buyerName', payment, 'payerName'),
    ];
  },
});
