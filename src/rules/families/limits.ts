import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { Dec, toDecimal } from '../../model/primitives.js';
import {
  decideRegime,
  orderDutiableValue as dutiableValueOf,
  type RegimeDecision,
  type RegimeOrder,
} from '../../tax/regime.js';
import { defineRule, type RuleContext, type RuleIssue } from '../types.js';
import { normaliseIdNumber } from '../id-number.js';

/**
 * The order amounts the regime decision reads, from the tolerant view: the inventory when there
 * is one (lines, freight, insurance), else the order (goodsValue, freight). Undefined when one
 * of them is unreadable (fields/schema reports it).
 */
function orderAmounts(ctx: RuleContext): RegimeOrder | undefined {
  const inv = ctx.doc('inventory');
  const order = ctx.doc('order');
  const quantities: Array<Decimal | undefined> = [];
  let goods: Decimal;
  let freight: Decimal | undefined;
  let insuredFee: Decimal | undefined;
  if (inv) {
    goods = new Dec(0);
    for (const { line } of ctx.lines('inventory')) {
      const t = ctx.dec(line, 'totalPrice');
      if (!t) return undefined;
      goods = goods.plus(t);
      quantities.push(ctx.dec(line, 'qty'));
    }
    freight = ctx.dec(inv, 'freight');
    insuredFee = ctx.dec(inv, 'insuredFee');
  } else {
    const g = ctx.dec(order, 'goodsValue');
    if (!g) return undefined;
    goods = g;
    for (const { line } of ctx.lines('order')) quantities.push(ctx.dec(line, 'qty'));
    freight = ctx.dec(order, 'freight');
    insuredFee = new Dec(0);
  }
  if (!freight || !insuredFee) return undefined;
  const discount = ctx.policy.nonCashDiscountReducesBase ? ctx.dec(order, 'discount') : undefined;
  if (ctx.policy.nonCashDiscountReducesBase && !discount) return undefined;
  return { goods, freight, insuredFee, discount, quantities };
}

/**
 * The dutiable value of one order: goods + freight + insurance (财关税〔2016〕18号), less the
 * non-cash discount where the policy says it lowers the base — the value the regime decision
 * and the duty engine compare with the limits.
 */
export function orderDutiableValue(ctx: RuleContext): Decimal | undefined {
  const amounts = orderAmounts(ctx);
  return amounts && dutiableValueOf(amounts, ctx.policy.nonCashDiscountReducesBase);
}

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

/** The buyer's year from `extras.quota`: used so far (without this order) and what this order adds. */
export function buyerYear(ctx: RuleContext): { used: Decimal; amount: Decimal } | undefined {
  const snapshot = snapshotOf(ctx.extras);
  // (9999: no date could be read; there is no year to look up)
  if (!snapshot || ctx.at.startsWith('9999')) return undefined;
  const id = ctx.str(ctx.doc('inventory'), 'buyerIdNumber') ?? ctx.str(ctx.doc('order'), 'buyerIdNumber');
  const amount = orderQuotaAmount(ctx);
  if (id === undefined || amount === undefined) return undefined;
  // The spelling the ledger keys buyers by, so that a snapshot comparing IDs as given still agrees.
  const raw = snapshot.used(normaliseIdNumber(id), Number(ctx.at.slice(0, 4)));
  const used = raw === undefined ? undefined : toDecimal(raw);
  return used === undefined ? undefined : { used, amount };
}

// One decision per validation: the context is made anew for each declaration.
const DECISIONS = new WeakMap<RuleContext, RegimeDecision | null>();

/**
 * The regime of the declaration as `computeTax` decides it ({@link decideRegime}), with the
 * buyer's year when `extras.quota` knows it; undefined when no limits are in force or an amount
 * is unreadable.
 */
export function orderRegime(ctx: RuleContext): RegimeDecision | undefined {
  const hit = DECISIONS.get(ctx);
  if (hit !== undefined) return hit ?? undefined;
  const { singleTransactionLimit, annualLimit } = ctx.policy;
  const amounts = singleTransactionLimit && annualLimit ? orderAmounts(ctx) : undefined;
  const decision =
    amounts && singleTransactionLimit && annualLimit
      ? decideRegime(amounts, { ...ctx.policy, singleTransactionLimit, annualLimit }, buyerYear(ctx))
      : undefined;
  DECISIONS.set(ctx, decision ?? null);
  return decision;
}

/** The single-transaction limit in force, with the one-item exception of 财关税〔2018〕49号. */
export const singleTransactionLimit = defineRule({
  id: 'limits/single-transaction',
  description: {
    zh: '单次交易限值（2019年前2000元，此后5000元）。超限订单按一般贸易方式全额征税；2019年起，仅一件商品且完税价格低于26000元的，可按货物税率全额征税走跨境电商零售进口，并计入年度交易总额',
    en: 'Single-transaction limit (2,000 CNY before 2019, 5,000 after). An order above it is general trade; from 2019, one item below 26,000 CNY may clear through CBEC at full tax, counted toward the annual total',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号 二; E-Port -621005',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '-621005': {
      zh: '超过单次交易限值，且不符合单件商品全额征税条件：按一般贸易方式全额征税',
      en: 'Above the single-transaction limit and not a single item that may clear at full tax: general trade',
    },
    'single-item-full-tax': {
      zh: '仅一件商品超过单次限值但低于年度限值（2019年起）：按货物税率全额征收，并计入年度交易总额',
      en: 'One item above the single limit but below the annual limit (from 2019): full duty, VAT and consumption tax, counted toward the annual total',
    },
  },
  check(ctx) {
    const decision = orderRegime(ctx);
    if (!decision) return [];
    const inv = ctx.doc('inventory') !== undefined;
    const out: RuleIssue[] = [];
    for (const f of decision.findings) {
      if (f.limit !== 'single') continue;
      const path =
        f.code === 'single-item-full-tax'
          ? inv
            ? 'inventory.items[0]'
            : 'order.items[0]'
          : inv
            ? 'inventory.items'
            : 'order.goodsValue';
      out.push({
        code: f.code,
        path,
        severity: f.severity,
        expected: f.expected,
        actual: f.actual,
        message: f.message,
      });
    }
    return out;
  },
});
