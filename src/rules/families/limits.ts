import type Decimal from 'decimal.js';
import { z } from 'zod';
import { Dec } from '../../model/primitives.js';
import { defineRule, type RuleContext } from '../types.js';
import { show } from './util.js';

/**
 * The dutiable value of one order: goods + freight + insurance (财关税〔2016〕18号), less the
 * non-cash discount where the policy says it lowers the base — the same value the duty engine
 * compares with the limits.
 */
export function orderDutiableValue(ctx: RuleContext): Decimal | undefined {
  const value = grossDutiableValue(ctx);
  if (!value || !ctx.policy.nonCashDiscountReducesBase) return value;
  const discount = ctx.dec(ctx.doc('order'), 'discount');
  if (!discount) return undefined;
  const net = value.minus(discount);
  return net.isNegative() ? new Dec(0) : net;
}

function grossDutiableValue(ctx: RuleContext): Decimal | undefined {
  const inv = ctx.doc('inventory');
  if (inv) {
    let total = new Dec(0);
    for (const { line } of ctx.lines('inventory')) {
      const t = ctx.dec(line, 'totalPrice');
      if (!t) return undefined;
      total = total.plus(t);
    }
    const freight = ctx.dec(inv, 'freight');
    const insured = ctx.dec(inv, 'insuredFee');
    return freight && insured ? total.plus(freight).plus(insured) : undefined;
  }
  const order = ctx.doc('order');
  const goods = ctx.dec(order, 'goodsValue');
  const freight = ctx.dec(order, 'freight');
  return goods && freight ? goods.plus(freight) : undefined;
}

/** The single-transaction limit in force, with the one-indivisible-item exception. */
export const singleTransactionLimit = defineRule({
  id: 'limits/single-transaction',
  description: {
    zh: '单次交易限值（2019年前2000元，此后5000元）；仅一件不可分割商品超限可按货物税率全额征税',
    en: 'Single-transaction limit (2,000 CNY before 2019, 5,000 after); one indivisible item above it clears at full tax',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号 (tax-quota-districts.md §1, §2.3); E-Port -621005',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '-621005': { zh: '超过单次交易限值', en: 'Above the single-transaction limit' },
    'single-item-full-tax': { zh: '单件不可分割商品超过单次限值：按货物税率全额征收，并计入年度限值', en: 'One indivisible item above the single limit: full duty, VAT and consumption tax, counted toward the annual limit' },
  },
  check(ctx) {
    const limit = ctx.policy.singleTransactionLimit;
    const value = orderDutiableValue(ctx);
    if (!limit || !value || value.lte(limit)) return [];
    const lines = ctx.lines(ctx.doc('inventory') ? 'inventory' : 'order');
    const only = lines.length === 1 ? lines[0] : undefined;
    const qty = only ? ctx.dec(only.line, 'qty') : undefined;
    const source = ctx.policy.sources.singleTransactionLimit ?? '';
    if (qty?.eq(1)) {
      return [{
        code: 'single-item-full-tax',
        path: ctx.doc('inventory') ? 'inventory.items[0]' : 'order.items[0]',
        severity: 'warning',
        expected: `≤ ${show(limit)}`,
        actual: show(value),
        message: { zh: `完税价格 ${show(value)} 元超过单次限值 ${show(limit)} 元，但仅一件不可分割商品：按货物税率全额征税（${source}）`, en: `Dutiable value ${show(value)} CNY is above the ${show(limit)} CNY single-transaction limit, but the order is one indivisible item: it clears at the full duty, VAT and consumption tax (${source})` },
      }];
    }
    return [{
      code: '-621005',
      path: ctx.doc('inventory') ? 'inventory.items' : 'order.goodsValue',
      expected: `≤ ${show(limit)}`,
      actual: show(value),
      message: { zh: `完税价格 ${show(value)} 元超过单次交易限值 ${show(limit)} 元（${source}），不能按跨境电商零售进口申报`, en: `Dutiable value ${show(value)} CNY is above the single-transaction limit of ${show(limit)} CNY (${source}); the order cannot clear as CBEC retail import` },
    }];
  },
});
