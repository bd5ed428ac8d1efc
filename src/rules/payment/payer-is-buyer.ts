import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { normaliseIdNumber } from '../id-number.js';
import { defineRule } from '../types.js';

/**
 * Payer = buyer. 海关总署公告2016年第26号, and from 2019-01-01 海关总署公告2018年第194号 （九）, require it where the
 * buyer's identity is not verified; customs' receipt 1327 refuses any difference in practice, and whether the identity
 * was verified is not in the messages, so the rule holds the strict reading.
 */
export const payerIsBuyer = defineRule({
  id: 'payment/payer-is-buyer',
  description: { zh: '支付人与订购人为同一人（证件号码、姓名）', en: 'The payer is the buyer (ID number and name)' },
  source:
    "海关总署公告2016年第26号 三（六） to 2018-12-31, 海关总署公告2018年第194号 （九） from 2019-01-01 (buyer = payer where the buyer's identity is not verified); customs receipt 1327 refuses any difference",
  defaultSeverity: 'error',
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
      // `…x` and `…X` are one payer, as the quota ledger keys one buyer (identity/id-number warns on x).
      ...sameString(ctx, 'payer-not-buyer', order, 'buyerIdNumber', payment, 'payerIdNumber', normaliseIdNumber),
      ...sameString(ctx, 'payer-not-buyer', order, 'buyerName', payment, 'payerName'),
    ];
  },
});
