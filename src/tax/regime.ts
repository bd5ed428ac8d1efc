import type { Decimal } from 'decimal.js';
import type { Message, Severity } from '../model/issue.js';
import { checkArgument } from '../model/guards.js';
import { Dec } from '../model/primitives.js';
import { fmtAmount, fmtConst, unitOf } from './formula.js';
import { MODE_TEXT, ORDER_VALUE_ROUNDING, ROUND_ORDER_VALUE } from './formulas.js';
import type { Regime } from './line.js';
import type { DutiableValueRounding, SingleItemFullTax } from './policy.js';

/**
 * The one regime decision (财关税〔2016〕18号, 财关税〔2018〕49号): which regime an order clears
 * under, from its dutiable value, its lines and the buyer's use of the year, with the policy in
 * force on the declaration date. `computeTax` and the `limits/*` rules both call it, so the
 * duty engine and validation cannot disagree.
 */

/** The policy values the decision reads; a {@link TaxPolicy} is one. */
export interface RegimePolicy {
  singleTransactionLimit: Decimal;
  annualLimit: Decimal;
  singleItemFullTax: SingleItemFullTax;
  /** The policy sentence sending orders above the limits to general trade, quoted in the findings. */
  generalTradeQuote?: string | undefined;
  nonCashDiscountReducesBase: boolean;
  /** `half-up-fen`: the order's value is rounded half-up to the fen before the limits see it (default `exact`). */
  dutiableValueRounding?: DutiableValueRounding | undefined;
  /** Only for the explanation of the CBEC regime. */
  cbecDutyRate?: Decimal | undefined;
  cbecTaxFactor?: Decimal | undefined;
}

/** The amounts and lines of an order that the decision reads. */
export interface RegimeOrder {
  /** Σ line totalPrice. */
  goods: Decimal;
  freight: Decimal;
  insuredFee: Decimal;
  /** The non-cash discount; it lowers the value only where the policy says so. */
  discount?: Decimal | undefined;
  /** The declared quantity of each line (undefined: unreadable); one line of quantity 1 is a single item. */
  quantities: readonly (Decimal | undefined)[];
}

/** The buyer's year: what is already used and what this order adds (default: its dutiable value). */
export interface RegimeYear {
  used: Decimal;
  amount?: Decimal | undefined;
}

/** Which limit a finding is about: `limits/single-transaction` and `limits/annual` each report theirs. */
export type RegimeLimit = 'single' | 'annual';

/** Why the single-transaction limit gave the regime it did. */
export type RegimeReason =
  /** value ≤ single-transaction limit */
  | 'within-limit'
  /** one item above the limit, below `singleItemFullTax.below`: CBEC at full tax */
  | 'single-item'
  /** above the limit and not one item (several lines, or a quantity other than 1) */
  | 'above-limit'
  /** one item above the limit, but the policy in force has no single-item path (18号) */
  | 'single-item-not-allowed'
  /** one item above the limit, but not below `singleItemFullTax.below` (49号) */
  | 'single-item-too-high';

/** One finding of the decision; callers add the path and rule id. */
export interface RegimeFinding {
  code: '-621005' | 'single-item-full-tax' | '1313';
  severity: Severity;
  limit: RegimeLimit;
  message: Message;
  expected: string;
  actual: string;
}

/** What {@link decideRegime} decided, and why. */
export interface RegimeDecision {
  regime: Regime;
  /**
   * The order's dutiable value: goods + freight + insurance (− the discount where the policy says so), never
   * negative; rounded half-up to the fen when the policy's `dutiableValueRounding` is `half-up-fen`. This is
   * the value compared with the limits and added to the buyer's year.
   */
  dutiableValue: Decimal;
  /** The value as summed, before that rounding: present only when the rounding changed it. */
  exactDutiableValue?: Decimal;
  reason: RegimeReason;
  /** The annual check, when the buyer's year was given. */
  annual?: { used: Decimal; amount: Decimal; total: Decimal; limit: Decimal; exceeded: boolean };
  findings: RegimeFinding[];
  /** Why, in one English sentence (`computeTax` explains the regime with it). */
  explain: string;
}

const ZERO = new Dec(0);
const ONE = new Dec(1);

/** Dutiable value of an order (财关税〔2016〕18号: the actual price of the goods plus freight and insurance). */
export function orderDutiableValue(
  order: Omit<RegimeOrder, 'quantities'>,
  nonCashDiscountReducesBase: boolean,
): Decimal {
  checkOrderAmounts(order, 'orderDutiableValue');
  return dutiableValueOf(order, nonCashDiscountReducesBase);
}

/** The amounts of an order a caller gave, checked for misuse: an object whose goods, freight and insuredFee are Decimals. */
function checkOrderAmounts(order: Omit<RegimeOrder, 'quantities'>, fn: string): void {
  checkArgument(order, 'object', fn, 'the order');
  checkArgument(order.goods, 'decimal', fn, 'order.goods');
  checkArgument(order.freight, 'decimal', fn, 'order.freight');
  checkArgument(order.insuredFee, 'decimal', fn, 'order.insuredFee');
}

/** {@link orderDutiableValue} without the checks of a caller's arguments: for sandan's own callers, which pass Decimals. */
function dutiableValueOf(order: Omit<RegimeOrder, 'quantities'>, nonCashDiscountReducesBase: boolean): Decimal {
  const gross = order.goods.plus(order.freight).plus(order.insuredFee);
  if (!nonCashDiscountReducesBase || order.discount === undefined) return gross;
  const net = gross.minus(order.discount);
  return net.isNegative() ? ZERO : net;
}

/**
 * The value the limits see: {@link dutiableValueOf}, rounded half-up to the fen when the policy's
 * `dutiableValueRounding` is `half-up-fen` ({@link ROUND_ORDER_VALUE}).
 */
export function limitValueOf(
  order: Omit<RegimeOrder, 'quantities'>,
  policy: Pick<RegimePolicy, 'nonCashDiscountReducesBase' | 'dutiableValueRounding'>,
): Decimal {
  return roundedValue(dutiableValueOf(order, policy.nonCashDiscountReducesBase), policy);
}

function roundedValue(value: Decimal, policy: Pick<RegimePolicy, 'dutiableValueRounding'>): Decimal {
  return policy.dutiableValueRounding === 'half-up-fen' ? ROUND_ORDER_VALUE.apply(value) : value;
}

/**
 * Decides the regime of an order. Pure; amounts are Decimal.
 * - the value is the order's dutiable value, rounded half-up to the fen first under
 *   `dutiableValueRounding: 'half-up-fen'` (the default `exact` compares it as summed).
 * - value ≤ `singleTransactionLimit`: `cbec`.
 * - above it, one line of quantity 1, `singleItemFullTax.allowed` and value < `below`: `cbec-full`
 *   (warning `single-item-full-tax`: full duty, VAT and CT, counted toward the year).
 * - any other order above it: `general-trade`, error `-621005`.
 * - with `year`: used + this order > `annualLimit` → `general-trade`, error `1313` (a single item
 *   then loses its `single-item-full-tax` warning: it is no longer CBEC).
 */
export function decideRegime(order: RegimeOrder, policy: RegimePolicy, year?: RegimeYear): RegimeDecision {
  checkOrderAmounts(order, 'decideRegime');
  checkArgument(order.quantities, 'list', 'decideRegime', 'order.quantities');
  checkArgument(policy, 'object', 'decideRegime', 'the policy');
  checkArgument(policy.singleTransactionLimit, 'decimal', 'decideRegime', 'policy.singleTransactionLimit');
  if (year !== undefined) checkArgument(year, 'object', 'decideRegime', 'year');
  return regimeOf(order, policy, year);
}

/** {@link decideRegime} without the checks of a caller's arguments: for sandan's own callers (computeTax, the limits rules). */
export function regimeOf(order: RegimeOrder, policy: RegimePolicy, year?: RegimeYear): RegimeDecision {
  const exact = dutiableValueOf(order, policy.nonCashDiscountReducesBase);
  const value = roundedValue(exact, policy);
  const rounded = value.eq(exact) ? undefined : exact;
  const limit = policy.singleTransactionLimit;
  const single = policy.singleItemFullTax;
  const findings: RegimeFinding[] = [];
  let regime: Regime = 'cbec';
  let reason: RegimeReason = 'within-limit';
  if (value.gt(limit)) {
    const q = order.quantities.length === 1 ? order.quantities[0] : undefined;
    const oneItem = q?.eq(ONE) === true;
    reason = !oneItem
      ? 'above-limit'
      : !single.allowed
        ? 'single-item-not-allowed'
        : value.lt(single.below)
          ? 'single-item'
          : 'single-item-too-high';
    regime = reason === 'single-item' ? 'cbec-full' : 'general-trade';
    findings.push(singleFinding(reason, value, policy));
  }
  let annual: RegimeDecision['annual'];
  if (year !== undefined) {
    const amount = year.amount ?? value;
    const total = year.used.plus(amount);
    const exceeded = total.gt(policy.annualLimit);
    annual = { used: year.used, amount, total, limit: policy.annualLimit, exceeded };
    if (exceeded) {
      // 49号 二: "但年度交易总额超过年度交易限值的，应按一般贸易管理" — the single item is no longer CBEC.
      if (regime === 'cbec-full') findings.pop();
      regime = 'general-trade';
      findings.push(annualFinding(annual, policy.generalTradeQuote));
    }
  }
  return {
    regime,
    dutiableValue: value,
    ...(rounded !== undefined && { exactDutiableValue: rounded }),
    reason,
    ...(annual !== undefined && { annual }),
    findings,
    explain: explanation(reason, value, rounded, policy, annual),
  };
}

/** `（quote）` after a Chinese message, when the policy carries the sentence. */
const cite = (quote: string | undefined): string => (quote ? `（${quote}）` : '');

function singleFinding(
  reason: Exclude<RegimeReason, 'within-limit'>,
  value: Decimal,
  policy: RegimePolicy,
): RegimeFinding {
  const v = fmtAmount(value);
  const limit = fmtAmount(policy.singleTransactionLimit);
  const single = policy.singleItemFullTax;
  const base = { limit: 'single' as const, actual: v, expected: `≤ ${limit}` };
  switch (reason) {
    case 'single-item': {
      const below = fmtAmount(single.allowed ? single.below : ZERO);
      return {
        ...base,
        code: 'single-item-full-tax',
        severity: 'warning',
        message: {
          zh: `订单完税价格 ${v} 元超过单次交易限值 ${limit} 元但低于 ${below} 元，且仅一件商品：可按跨境电商零售进口通关，按货物税率全额征收关税、进口环节增值税和消费税，交易额计入年度交易总额${cite(single.quote)}`,
          en: `Order dutiable value ${v} is above the single-transaction limit ${limit} but below ${below}, and the order holds one item: it may clear as CBEC retail import at the full duty, import VAT and consumption tax (no 70 % reduction, no zero tariff), and it counts toward the buyer's annual total`,
        },
      };
    }
    case 'single-item-too-high': {
      const below = fmtAmount(single.allowed ? single.below : ZERO);
      return {
        ...base,
        code: '-621005',
        severity: 'error',
        expected: `< ${below}`,
        message: {
          zh: `订单仅一件商品，但完税价格 ${v} 元超过单次交易限值 ${limit} 元且不低于 ${below} 元，不能按跨境电商零售进口通关，应按一般贸易方式全额征税${cite(single.quote)}`,
          en: `The order holds one item, but its dutiable value ${v} is above the single-transaction limit ${limit} and not below ${below}: a single item clears through CBEC at full tax only below ${below}, so the order cannot clear as CBEC retail import and general trade applies`,
        },
      };
    }
    case 'single-item-not-allowed':
      return {
        ...base,
        code: '-621005',
        severity: 'error',
        message: {
          zh: `订单仅一件不可分割商品，完税价格 ${v} 元超过单次交易限值 ${limit} 元，应按一般贸易方式全额征税${cite(single.quote ?? policy.generalTradeQuote)}`,
          en: `The order is one indivisible item whose dutiable value ${v} is above the single-transaction limit ${limit}; the policy in force on the declaration date has no CBEC full-tax path for a single item, so the order cannot clear as CBEC retail import and general trade applies`,
        },
      };
    case 'above-limit':
      return {
        ...base,
        code: '-621005',
        severity: 'error',
        message: {
          zh: `订单完税价格 ${v} 元超过单次交易限值 ${limit} 元，且不是仅一件商品，不能按跨境电商零售进口通关，应按一般贸易方式全额征税${cite(policy.generalTradeQuote)}`,
          en: `Order dutiable value ${v} is above the single-transaction limit ${limit} and the order is not a single item (one line of quantity 1): it cannot clear as CBEC retail import; general trade applies, with full duty, VAT and consumption tax`,
        },
      };
  }
}

function annualFinding(a: NonNullable<RegimeDecision['annual']>, quote: string | undefined): RegimeFinding {
  const total = fmtAmount(a.total);
  const used = fmtAmount(a.used);
  const amount = fmtAmount(a.amount);
  const limit = fmtAmount(a.limit);
  return {
    code: '1313',
    severity: 'error',
    limit: 'annual',
    expected: `≤ ${limit}`,
    actual: total,
    message: {
      zh: `订购人年度交易总额 ${total} 元（已用 ${used} 元 + 本单 ${amount} 元）超过年度交易限值 ${limit} 元，应按一般贸易方式全额征税${cite(quote)}`,
      en: `The buyer's annual total ${total} (used ${used} + this order ${amount}) exceeds the annual limit ${limit}: the order cannot clear as CBEC retail import; general trade applies, with full duty, VAT and consumption tax`,
    },
  };
}

function explanation(
  reason: RegimeReason,
  value: Decimal,
  exact: Decimal | undefined,
  policy: RegimePolicy,
  annual: RegimeDecision['annual'],
): string {
  // A rounded value says so: 5000.00 (= 5000.004 half-up to 0.01 before it is compared with the limits …).
  const v =
    exact === undefined
      ? fmtAmount(value)
      : `${fmtAmount(value)} (= ${fmtAmount(exact)} ${ROUND_ORDER_VALUE.describe({ mode: MODE_TEXT.en[ORDER_VALUE_ROUNDING.mode], unit: unitOf(ORDER_VALUE_ROUNDING.scale) }, 'en')})`;
  const limit = fmtAmount(policy.singleTransactionLimit);
  if (annual?.exceeded) {
    // This order's amount is its (rounded) dutiable value unless the policy counts what was paid.
    const amount = exact !== undefined && annual.amount.eq(value) ? v : fmtAmount(annual.amount);
    const text = `annual total ${fmtAmount(annual.used)} + ${amount} = ${fmtAmount(annual.total)} > annual limit ${fmtAmount(annual.limit)}: general-trade full tax`;
    return reason === 'within-limit' || reason === 'single-item'
      ? text
      : `${singleExplanation(reason, v, limit, policy)}; also ${text}`;
  }
  return singleExplanation(reason, v, limit, policy);
}

function singleExplanation(reason: RegimeReason, v: string, limit: string, policy: RegimePolicy): string {
  const single = policy.singleItemFullTax;
  switch (reason) {
    case 'within-limit': {
      const factors =
        policy.cbecDutyRate && policy.cbecTaxFactor
          ? ` (duty × ${fmtConst(policy.cbecDutyRate)}, CT and VAT × ${fmtConst(policy.cbecTaxFactor)})`
          : '';
      return `order dutiable value ${v} ≤ single-transaction limit ${limit}: CBEC regime${factors}`;
    }
    case 'single-item':
      return `order dutiable value ${v} > ${limit} and < ${fmtAmount(single.allowed ? single.below : ZERO)}, one item: CBEC at full duty, CT and VAT, counted toward the annual limit`;
    case 'single-item-too-high':
      return `one item, but order dutiable value ${v} > ${limit} and ≥ ${fmtAmount(single.allowed ? single.below : ZERO)}: general-trade full tax`;
    case 'single-item-not-allowed':
      return `one item, order dutiable value ${v} > single-transaction limit ${limit}, and the policy in force has no single-item CBEC path: general-trade full tax`;
    case 'above-limit':
      return `order dutiable value ${v} > single-transaction limit ${limit} and not a single item: general-trade full tax`;
  }
}
