import { z } from 'zod';
import { Dec } from '../../model/primitives.js';
import { orderRegime } from './limits.js';
import { defineRule } from '../types.js';
import { show } from './util.js';

// The snapshot and the quota amount live with the regime decision they feed (limits.ts).
export { orderQuotaAmount, type QuotaSnapshot } from './limits.js';

/** The buyer's annual limit: customs rejects the inventory (1313) when the year's total would pass it. */
export const annualLimit = defineRule({
  id: 'limits/annual',
  description: {
    zh: '个人年度交易限值（2019年前20000元，此后26000元）：已用额度加本单超过限值时海关退单（1313）；需调用方提供额度快照',
    en: 'Annual limit per buyer (20,000 CNY before 2019, 26,000 after): customs rejects the inventory (1313) when quota used plus this order passes it; needs a quota snapshot from the caller',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号; 海关总署公告2018年第194号; receipt code 1313',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '1313': {
      zh: '订购人购买超过年度限额，超过个人年度购买额度',
      en: 'The buyer would pass the annual limit (personal annual purchase quota)',
    },
  },
  check(ctx) {
    // The one regime decision (src/tax/regime.ts), with the year from extras.quota.
    const annual = orderRegime(ctx)?.annual;
    if (!annual?.exceeded) return [];
    const { used, amount, total, limit } = annual;
    const inv = ctx.doc('inventory');
    const year = Number(ctx.at.slice(0, 4));
    const rest = Dec.max(limit.minus(used), 0);
    const basis =
      ctx.policy.quotaBasis === 'actualPaid'
        ? { zh: '实付金额', en: 'amount paid' }
        : { zh: '完税价格', en: 'dutiable value' };
    const source = ctx.policy.sources.annualLimit ?? '';
    const quote = ctx.policy.generalTradeQuote;
    return [
      {
        code: '1313',
        path: inv ? 'inventory.buyerIdNumber' : 'order.buyerIdNumber',
        expected: `≤ ${show(limit)}`,
        actual: show(total),
        message: {
          zh: `订购人${year}年度已用额度 ${show(used)} 元，剩余 ${show(rest)} 元；本单${basis.zh} ${show(amount)} 元，合计 ${show(total)} 元超过年度限值 ${show(limit)} 元（${source}），海关将以1313退单，应按一般贸易方式全额征税${quote ? `（${quote}）` : ''}`,
          en: `The buyer has used ${show(used)} CNY of the ${year} quota and has ${show(rest)} CNY left; this order's ${basis.en} of ${show(amount)} CNY brings the total to ${show(total)} CNY, above the annual limit of ${show(limit)} CNY (${source}); customs would reject it with 1313: above the annual limit the order is general trade, not CBEC retail import`,
        },
      },
    ];
  },
});
