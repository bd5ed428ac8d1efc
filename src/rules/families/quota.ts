import type Decimal from 'decimal.js';
import { z } from 'zod';
import { Dec, toDecimal } from '../../model/primitives.js';
import { defineRule, type RuleContext } from '../types.js';
import { orderDutiableValue } from './limits.js';
import { show } from './util.js';

/**
 * What the annual-limit rule reads from `extras.quota`: the buyer's quota already used in a
 * Beijing calendar year, as a synchronous snapshot the caller took from the quota ledger
 * (validation is synchronous). It must leave out the order being validated, or that order
 * would count twice; `validateWithQuota` (sandan's quota module) builds it that way.
 */
export interface QuotaSnapshot {
  /** CNY already used by the buyer in `year`, or undefined when unknown (the rule then stays silent). */
  used(buyerIdNumber: string, year: number): Decimal | string | number | undefined;
}

function snapshotOf(extras: Readonly<Record<string, unknown>>): QuotaSnapshot | undefined {
  const q = extras.quota as { used?: unknown } | undefined;
  return q !== null && typeof q === 'object' && typeof q.used === 'function' ? (q as QuotaSnapshot) : undefined;
}

/** The amount of the declaration that counts toward the annual quota under the policy's basis. */
export function orderQuotaAmount(ctx: RuleContext): Decimal | undefined {
  return ctx.policy.quotaBasis === 'actualPaid' ? ctx.dec(ctx.doc('order'), 'acturalPaid') : orderDutiableValue(ctx);
}

/** The buyer's annual limit: customs rejects the inventory (1313) when the year's total would pass it. */
export const annualLimit = defineRule({
  id: 'limits/annual',
  description: {
    zh: '个人年度交易限值（2019年前20000元，此后26000元）：已用额度加本单超过限值时海关退单（1313）；需调用方提供额度快照',
    en: 'Annual limit per buyer (20,000 CNY before 2019, 26,000 after): customs rejects the inventory (1313) when quota used plus this order passes it; needs a quota snapshot from the caller',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号; 海关总署公告2018年第194号 (tax-quota-districts.md §1, §3); receipt code 1313',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '1313': { zh: '订购人购买超过年度限额，超过个人年度购买额度', en: 'The buyer would pass the annual limit (personal annual purchase quota)' },
  },
  check(ctx) {
    const snapshot = snapshotOf(ctx.extras);
    const limit = ctx.policy.annualLimit;
    if (!snapshot || !limit || ctx.at.startsWith('9999')) return [];
    const inv = ctx.doc('inventory');
    const id = ctx.str(inv, 'buyerIdNumber') ?? ctx.str(ctx.doc('order'), 'buyerIdNumber');
    const amount = orderQuotaAmount(ctx);
    if (id === undefined || amount === undefined) return [];
    const year = Number(ctx.at.slice(0, 4));
    const raw = snapshot.used(id, year);
    const used = raw === undefined ? undefined : toDecimal(raw);
    if (used === undefined) return [];
    const total = used.plus(amount);
    if (total.lte(limit)) return [];
    const rest = Dec.max(limit.minus(used), 0);
    const basis = ctx.policy.quotaBasis === 'actualPaid' ? { zh: '实付金额', en: 'amount paid' } : { zh: '完税价格', en: 'dutiable value' };
    const source = ctx.policy.sources.annualLimit ?? '';
    return [{
      code: '1313',
      path: inv ? 'inventory.buyerIdNumber' : 'order.buyerIdNumber',
      expected: `≤ ${show(limit)}`,
      actual: show(total),
      message: {
        zh: `订购人${year}年度已用额度 ${show(used)} 元，剩余 ${show(rest)} 元；本单${basis.zh} ${show(amount)} 元，合计 ${show(total)} 元超过年度限值 ${show(limit)} 元（${source}），海关将以1313退单`,
        en: `The buyer has used ${show(used)} CNY of the ${year} quota and has ${show(rest)} CNY left; this order's ${basis.en} of ${show(amount)} CNY brings the total to ${show(total)} CNY, above the annual limit of ${show(limit)} CNY (${source}); customs would reject it with 1313`,
      },
    }];
  },
});
