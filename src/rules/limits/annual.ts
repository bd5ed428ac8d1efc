import { Dec } from '../../model/primitives.js';
import { fmtAmount } from '../../tax/formula.js';
import { yearOfIsoDate } from '../../time/beijing.js';
import { orderRegime } from '../_lib/regime.js';
import { defineRule, FROM_RECEIPTS } from '../types.js';

/** The buyer's annual limit: customs rejects the inventory (1313) when the year's total would pass it. */
export const annualLimit = defineRule({
  id: 'limits/annual',
  description: {
    zh: '个人年度交易限值（2019年前20000元，此后26000元）：已用额度加本单超过限值时海关退单（1313）；需调用方提供额度快照',
    en: 'Annual limit per buyer (20,000 CNY before 2019, 26,000 after): customs rejects the inventory (1313) when quota used plus this order passes it; needs a quota snapshot from the caller',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号; 海关总署公告2018年第194号; receipt code 1313',
  defaultSeverity: 'error',
  codes: { '1313': FROM_RECEIPTS },
  messages: {
    '1313': {
      zh: '订购人{year}年度已用额度 {used} 元，剩余 {rest} 元；本单{basis} {amount} 元，合计 {total} 元超过年度限值 {limit} 元（{source}），海关将以1313退单，应按一般贸易方式全额征税{quote}',
      en: "The buyer has used {used} CNY of the {year} quota and has {rest} CNY left; this order's {basis} of {amount} CNY brings the total to {total} CNY, above the annual limit of {limit} CNY ({source}); customs would reject it with 1313: above the annual limit the order is general trade, not CBEC retail import",
    },
  },
  examples: {
    valid: [{ name: '25,000.00 used before + 548.00', quotaUsed: '25000.00' }],
    invalid: [
      {
        name: '25,600.00 used before + 548.00 passes 26,000',
        quotaUsed: '25600.00',
        code: '1313',
        path: 'inventory.buyerIdNumber',
      },
    ],
  },
  check(ctx) {
    // The one regime decision (src/tax/regime.ts), with the year from the quota snapshot.
    const annual = orderRegime(ctx)?.annual;
    if (!annual?.exceeded) return [];
    const { used, amount, total, limit } = annual;
    const quote = ctx.policy.generalTradeQuote;
    // Amounts in two places, as the regime decision's own 1313 finding and limits/single-transaction write them.
    return [
      {
        messageId: '1313',
        path: ctx.doc('inventory') ? 'inventory.buyerIdNumber' : 'order.buyerIdNumber',
        expected: `≤ ${fmtAmount(limit)}`,
        actual: fmtAmount(total),
        data: {
          year: yearOfIsoDate(ctx.at),
          used: fmtAmount(used),
          rest: fmtAmount(Dec.max(limit.minus(used), 0)),
          basis:
            ctx.policy.quotaBasis === 'actualPaid'
              ? { zh: '实付金额', en: 'amount paid' }
              : { zh: '完税价格', en: 'dutiable value' },
          amount: fmtAmount(amount),
          total: fmtAmount(total),
          limit: fmtAmount(limit),
          source: ctx.policy.sources.annualLimit ?? '',
          quote: { zh: quote ? `（${quote}）` : '', en: '' },
        },
      },
    ];
  },
});
