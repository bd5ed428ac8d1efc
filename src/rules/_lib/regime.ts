import type { Decimal } from 'decimal.js';
import { Dec, toDecimal } from '../../model/primitives.js';
import { limitValueOf, regimeOf, type RegimeDecision, type RegimeOrder } from '../../tax/regime.js';
import { yearOfIsoDate } from '../../time/beijing.js';
import { normaliseIdNumber } from '../id-number.js';
import type { RuleContext } from '../types.js';

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
 * non-cash discount where the policy says it lowers the base, rounded half-up to the fen where the
 * policy's `dutiableValueRounding` says so — the value the regime decision and the duty engine
 * compare with the limits.
 */
function orderDutiableValue(ctx: RuleContext): Decimal | undefined {
  const amounts = orderAmounts(ctx);
  return amounts && limitValueOf(amounts, ctx.policy);
}

/** The amount of the declaration that counts toward the annual quota under the policy's basis. */
function orderQuotaAmount(ctx: RuleContext): Decimal | undefined {
  return ctx.policy.quotaBasis === 'actualPaid' ? ctx.dec(ctx.doc('order'), 'acturalPaid') : orderDutiableValue(ctx);
}

/** The buyer's year from the quota snapshot: used so far (without this order) and what this order adds. */
export function buyerYear(ctx: RuleContext): { used: Decimal; amount: Decimal } | undefined {
  // (9999: no date could be read; there is no year to look up)
  if (!ctx.quota || ctx.at.startsWith('9999')) return undefined;
  const id = ctx.str(ctx.doc('inventory'), 'buyerIdNumber') ?? ctx.str(ctx.doc('order'), 'buyerIdNumber');
  const amount = orderQuotaAmount(ctx);
  if (id === undefined || amount === undefined) return undefined;
  // The spelling the ledger keys buyers by, so that a snapshot comparing IDs as given still agrees.
  const raw = ctx.quota.used(normaliseIdNumber(id), yearOfIsoDate(ctx.at));
  const used = raw === undefined ? undefined : toDecimal(raw);
  return used === undefined ? undefined : { used, amount };
}

/** Names the regime decision among the context's values (see RuleContext.once). */
const DECISION = {};

/**
 * The regime of the declaration as `computeTax` decides it ({@link decideRegime}), with the
 * buyer's year when the quota snapshot knows it; undefined when no limits are in force or an
 * amount is unreadable.
 */
export function orderRegime(ctx: RuleContext): RegimeDecision | undefined {
  return ctx.once(DECISION, () => decideOrderRegime(ctx));
}

function decideOrderRegime(ctx: RuleContext): RegimeDecision | undefined {
  const { singleTransactionLimit, annualLimit } = ctx.policy;
  const amounts = singleTransactionLimit && annualLimit ? orderAmounts(ctx) : undefined;
  return amounts && singleTransactionLimit && annualLimit
    ? regimeOf(amounts, { ...ctx.policy, singleTransactionLimit, annualLimit }, buyerYear(ctx))
    : undefined;
}
