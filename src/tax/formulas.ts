import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { formula, plus, rule, scaled, type Formula, type Lang, type Rule } from './formula.js';
import type { AllocationRemainder, RoundingMode, RoundingPolicy } from './policy.js';

/**
 * Every formula of the duty engine, stated once (docs/tax.md): the engine computes with these
 * declarations and the explanations are rendered from them. Symbols: P dutiable value, d duty
 * rate, t CBEC share of the duty, c ad-valorem CT rate, q quantity in the specific rate's unit,
 * u specific rate per unit, v VAT rate, k CBEC share of the statutory CT and VAT (财关税〔2016〕18号:
 * 0 tariff, 70 % of the statutory VAT and CT within the limits).
 */

const ONE = new Dec(1);
const ZERO = new Dec(0);

// ── Dutiable value ──────────────────────────────────────────────────────────────────────────────

/** A line's dutiable value: its price plus its shares of the header freight and insurance. */
export const DUTIABLE_VALUE = formula({
  id: 'value',
  expr: 'totalPrice + freightShare + insuredFeeShare',
  text: {
    zh: '商品总价 {totalPrice} + 分摊运费 {freightShare} + 分摊保费 {insuredFeeShare}',
    en: 'line price {totalPrice} + freight share {freightShare} + insurance share {insuredFeeShare}',
  },
  inputs: { totalPrice: 'money', freightShare: 'money', insuredFeeShare: 'money' },
  compute: (v) => plus(plus(v.totalPrice, v.freightShare), v.insuredFeeShare),
});

/** The same, less the line's share of the non-cash discount where the policy says so. */
export const DUTIABLE_VALUE_NET = formula({
  id: 'value.net',
  expr: 'totalPrice + freightShare + insuredFeeShare − discountShare',
  text: {
    zh: '商品总价 {totalPrice} + 分摊运费 {freightShare} + 分摊保费 {insuredFeeShare} − 分摊非现金抵扣 {discountShare}',
    en: 'line price {totalPrice} + freight share {freightShare} + insurance share {insuredFeeShare} − non-cash discount share {discountShare}',
  },
  inputs: { totalPrice: 'money', freightShare: 'money', insuredFeeShare: 'money', discountShare: 'money' },
  compute: (v) => plus(plus(v.totalPrice, v.freightShare), v.insuredFeeShare).minus(v.discountShare),
});

// ── Duty ────────────────────────────────────────────────────────────────────────────────────────

/** Duty at the rate that applies (MFN, or provisional where the tariff has one). */
export const DUTY = formula({
  id: 'duty',
  expr: 'P × d',
  text: { zh: '完税价格 {P} × 关税税率 {d}', en: 'dutiable value {P} × duty rate {d}' },
  inputs: { P: 'money', d: 'rate' },
  compute: (v) => v.P.times(v.d),
});

/** Within the limits only the share `t` of the duty is payable (0: tariff temporarily zero). */
export const DUTY_SHARE = formula({
  id: 'duty.cbec-share',
  expr: 'x × t',
  text: { zh: '{x} × 跨境电商关税征收比例 {t}', en: '{x} × CBEC share of the duty {t}' },
  inputs: { x: 'unrounded', t: 'rate' },
  compute: (v) => v.x.times(v.t),
});

/** `P × d × t`: what the explanation of the CBEC duty shows. */
export const DUTY_CBEC = scaled(DUTY, DUTY_SHARE);

// ── Consumption tax (statutory: 100 %) ─────────────────────────────────────────────────────────

/** Ad-valorem CT on the composite taxable value. */
export const CT_AD_VALOREM = formula({
  id: 'ct.ad-valorem',
  expr: '(P + duty) / (1 − c) × c',
  text: {
    zh: '（完税价格 {P} + 关税 {duty}）÷（1 − 消费税比例税率 {c}）× {c}',
    en: '(dutiable value {P} + duty {duty}) / (1 − CT rate {c}) × {c}',
  },
  inputs: { P: 'money', duty: 'unrounded', c: 'rate' },
  compute: (v) => plus(v.P, v.duty).div(ONE.minus(v.c)).times(v.c),
});

/** Specific CT: a fixed amount per unit. */
export const CT_SPECIFIC = formula({
  id: 'ct.specific',
  expr: 'q × u',
  text: { zh: '数量 {q} × 消费税定额税率 {u}', en: 'quantity {q} × specific CT rate {u}' },
  inputs: { q: 'plain', u: 'rate' },
  compute: (v) => v.q.times(v.u),
});

/** Compound CT: ad valorem on a base that holds the specific part, plus the specific part. */
export const CT_COMPOUND = formula({
  id: 'ct.compound',
  expr: '(P + duty + q × u) / (1 − c) × c + q × u',
  text: {
    zh: '（完税价格 {P} + 关税 {duty} + 数量 {q} × 定额税率 {u}）÷（1 − 比例税率 {c}）× {c} + {q} × {u}',
    en: '(dutiable value {P} + duty {duty} + quantity {q} × specific rate {u}) / (1 − CT rate {c}) × {c} + {q} × {u}',
  },
  inputs: { P: 'money', duty: 'unrounded', q: 'plain', u: 'rate', c: 'rate' },
  compute: (v) => {
    const specific = v.q.times(v.u);
    return plus(v.P, v.duty).plus(specific).div(ONE.minus(v.c)).times(v.c).plus(specific);
  },
});

/** No CT: the code has none, or the value is below every threshold. */
export const CT_NONE = formula<never>({
  id: 'ct.none',
  expr: '0',
  text: { zh: '不征消费税', en: 'no consumption tax' },
  inputs: {},
  compute: () => ZERO,
});

// ── VAT ─────────────────────────────────────────────────────────────────────────────────────────

/** Import VAT on the composite taxable value, which holds the statutory CT. */
export const VAT = formula({
  id: 'vat',
  expr: '(P + duty + CT_statutory) × v',
  text: {
    zh: '（完税价格 {P} + 关税 {duty} + 法定消费税 {CT_statutory}）× 增值税税率 {v}',
    en: '(dutiable value {P} + duty {duty} + statutory CT {CT_statutory}) × VAT rate {v}',
  },
  inputs: { P: 'money', duty: 'unrounded', CT_statutory: 'unrounded', v: 'rate' },
  compute: (v) => plus(plus(v.P, v.duty), v.CT_statutory).times(v.v),
});

// ── The CBEC factor ─────────────────────────────────────────────────────────────────────────────

/** Within the limits CT and VAT are payable at the share `k` (70 %) of the statutory amount. */
export const CBEC_FACTOR = formula({
  id: 'cbec-factor',
  expr: 'x × k',
  text: { zh: '{x} × 跨境电商税额征收比例 {k}', en: '{x} × CBEC share of the statutory tax {k}' },
  inputs: { x: 'unrounded', k: 'rate' },
  compute: (v) => v.x.times(v.k),
});

export const CT_AD_VALOREM_CBEC = scaled(CT_AD_VALOREM, CBEC_FACTOR);
export const CT_SPECIFIC_CBEC = scaled(CT_SPECIFIC, CBEC_FACTOR);
export const CT_COMPOUND_CBEC = scaled(CT_COMPOUND, CBEC_FACTOR);
export const VAT_CBEC = scaled(VAT, CBEC_FACTOR);

// ── Allocation of header amounts over lines ────────────────────────────────────────────────────

/** A line's share in proportion to its price (before rounding down). */
export const SHARE_PROPORTIONAL = formula({
  id: 'allocation.proportional',
  expr: 'total × totalPrice / Σ totalPrice',
  text: {
    zh: '表头金额 {total} × 商品总价 {totalPrice} ÷ 各行总价之和 {Σ totalPrice}',
    en: 'header amount {total} × line price {totalPrice} / sum of line prices {Σ totalPrice}',
  },
  inputs: { total: 'money', totalPrice: 'money', 'Σ totalPrice': 'money' },
  compute: (v) => v.total.times(v.totalPrice).div(v['Σ totalPrice']),
});

/** A line's share when every line price is 0: an equal split (before rounding down). */
export const SHARE_EQUAL = formula({
  id: 'allocation.equal',
  expr: 'total / lines',
  text: { zh: '表头金额 {total} ÷ 行数 {lines}', en: 'header amount {total} / number of lines {lines}' },
  inputs: { total: 'money', lines: 'plain' },
  compute: (v) => v.total.div(v.lines),
});

/** The remainder line's share: what the other lines' rounded-down shares leave. */
export const SHARE_REMAINDER = formula({
  id: 'allocation.remainder',
  expr: 'total − Σ other shares',
  text: {
    zh: '表头金额 {total} − 其他各行分摊额之和 {Σ other shares}',
    en: 'header amount {total} − sum of the other shares {Σ other shares}',
  },
  inputs: { total: 'money', 'Σ other shares': 'money' },
  compute: (v) => v.total.minus(v['Σ other shares']),
});

/** Shares are rounded down, so none is ever negative and the remainder line takes the rest. */
export const SHARE_ROUND_DOWN = rule({
  id: 'allocation.round-down',
  text: { zh: '向下舍入至 {unit}', en: 'rounded down to {unit}' },
  params: ['unit'],
  apply: (value: Decimal, places: number): Decimal => value.toDecimalPlaces(places, Dec.ROUND_DOWN),
});

/** Which line takes the remainder: the last line, or the first line with the greatest price. */
export const REMAINDER_LINE = rule({
  id: 'allocation.remainder-line',
  text: { zh: '余数行，{mode}', en: 'remainder line, {mode}' },
  params: ['mode'],
  apply: (weights: readonly Decimal[], mode: AllocationRemainder): number => {
    if (mode === 'last-line') return weights.length - 1;
    let best = 0;
    let top: Decimal | undefined;
    for (const [i, w] of weights.entries()) {
      if (top === undefined || w.gt(top)) {
        best = i;
        top = w;
      }
    }
    return best;
  },
});

// ── Rounding ────────────────────────────────────────────────────────────────────────────────────

const DECIMAL_MODE: Record<RoundingMode, Decimal.Rounding> = {
  'half-up': Dec.ROUND_HALF_UP,
  'half-even': Dec.ROUND_HALF_EVEN,
  down: Dec.ROUND_DOWN,
  up: Dec.ROUND_UP,
};

/** Rounding modes by name in each language (`{mode}` of the rounding rules). */
export const MODE_TEXT: Readonly<Record<Lang, Readonly<Record<RoundingMode, string>>>> = {
  en: { 'half-up': 'half-up', 'half-even': 'half-even', down: 'down', up: 'up' },
  zh: { 'half-up': '四舍五入', 'half-even': '四舍六入五成双', down: '舍去', up: '进一' },
};

/** Whether `mode` is a rounding mode (a policy from JavaScript may hold anything). */
export function isRoundingMode(mode: unknown): mode is RoundingMode {
  return typeof mode === 'string' && Object.hasOwn(DECIMAL_MODE, mode);
}

/** Brings a tax to the policy's scale with the policy's mode. */
function round(value: Decimal, rounding: Pick<RoundingPolicy, 'scale' | 'mode'>): Decimal {
  if (value.decimalPlaces() <= rounding.scale) return value;
  return value.toDecimalPlaces(rounding.scale, DECIMAL_MODE[rounding.mode]);
}

/** `scope: 'line'`: each tax of each line is rounded, and the order totals add up the rounded lines (CEB816). */
export const ROUND_PER_LINE = rule({
  id: 'rounding.line',
  text: {
    zh: '每行各税{mode}至 {unit}；订单合计为各行舍入后金额之和',
    en: '{mode} to {unit} per line; order totals are sums of the rounded lines',
  },
  params: ['mode', 'unit'],
  apply: round,
});

/**
 * `scope: 'unit'`: each tax of one unit (the line's tax ÷ its whole quantity) is rounded and multiplied by the quantity,
 * as platforms that price per unit withhold it (2 × 14.35, not 28.69 for 2 × 157.65 at 9.1 %); a line whose quantity
 * is not a whole number is rounded as a line. The order totals add up the lines.
 */
export const ROUND_PER_UNIT = rule({
  id: 'rounding.unit',
  text: {
    zh: '每件各税{mode}至 {unit} 后乘以数量（数量非整数的行按行舍入）；订单合计为各行之和',
    en: '{mode} to {unit} per unit, times the quantity (a line of a fractional quantity per line); order totals are sums of the lines',
  },
  params: ['mode', 'unit'],
  apply: (value: Decimal, rounding: Pick<RoundingPolicy, 'scale' | 'mode'>, qty: Decimal): Decimal =>
    qty.isInteger() && qty.gt(1) ? round(value.div(qty), rounding).times(qty) : round(value, rounding),
});

/** `scope: 'order'`: each order total is rounded once, from the unrounded line taxes. */
export const ROUND_PER_ORDER = rule({
  id: 'rounding.order',
  text: {
    zh: '各行税额{mode}至 {unit} 仅供显示；订单各税合计为各行未舍入税额之和，{mode}至 {unit} 一次',
    en: 'line figures {mode} to {unit} for display only; each order total is the sum of unrounded line taxes, {mode} to {unit} once',
  },
  params: ['mode', 'unit'],
  apply: round,
});

/**
 * `intermediate: 'rounded'`: the duty and the statutory CT are brought to the fen before they enter
 * the next tax's base (组成计税价格), as each 税额 is stated to the fen; the payable figures are
 * still rounded once, by the scope's rule.
 */
export const ROUND_INTERMEDIATE = rule({
  id: 'rounding.intermediate',
  text: {
    zh: '关税与法定消费税先{mode}至 {unit}，再计入下一税种的组成计税价格',
    en: 'duty and statutory CT {mode} to {unit} before they enter the next tax base',
  },
  params: ['mode', 'unit'],
  apply: round,
});

/** What `dutiableValueRounding: 'half-up-fen'` brings the order's value to: the fen, half-up. */
export const ORDER_VALUE_ROUNDING = Object.freeze({ scale: 2, mode: 'half-up' } as const);

/**
 * `dutiableValueRounding: 'half-up-fen'`: the order's dutiable value is brought to the fen, half-up
 * (四舍五入法计算至分, 海关总署令第124号 第十六条), before it is compared with the limits and added to the
 * buyer's year. The lines' tax bases are not rounded by it.
 */
// (Its text has no subject: the regime explanation puts it after the value it rounded.)
export const ROUND_ORDER_VALUE = rule({
  id: 'rounding.order-value',
  text: {
    zh: '{mode}至 {unit}，再与交易限值比较、计入年度交易总额',
    en: '{mode} to {unit} before it is compared with the limits and added to the annual total',
  },
  params: ['mode', 'unit'],
  apply: (value: Decimal): Decimal => round(value, ORDER_VALUE_ROUNDING),
});

/** The dutiable value is never rounded. */
export const NOT_ROUNDED = rule({
  id: 'rounding.none',
  text: { zh: '精确值（不舍入）', en: 'exact (no rounding)' },
  params: [],
  apply: (value: Decimal): Decimal => value,
});

/** Every declaration, for the tests that check each one is both computed with and explained. */
export const FORMULAS: readonly Formula<string>[] = [
  DUTIABLE_VALUE,
  DUTIABLE_VALUE_NET,
  DUTY,
  DUTY_SHARE,
  CT_AD_VALOREM,
  CT_SPECIFIC,
  CT_COMPOUND,
  CT_NONE,
  VAT,
  CBEC_FACTOR,
  SHARE_PROPORTIONAL,
  SHARE_EQUAL,
  SHARE_REMAINDER,
];

/** The formulas built from two declarations (what the CBEC explanations show). */
export const SCALED: readonly Formula<string>[] = [
  DUTY_CBEC,
  CT_AD_VALOREM_CBEC,
  CT_SPECIFIC_CBEC,
  CT_COMPOUND_CBEC,
  VAT_CBEC,
];

// biome-ignore lint/suspicious/noExplicitAny: a list of rules of every shape
export const RULES: readonly Rule<string, (...args: any[]) => unknown>[] = [
  SHARE_ROUND_DOWN,
  REMAINDER_LINE,
  ROUND_PER_LINE,
  ROUND_PER_ORDER,
  ROUND_INTERMEDIATE,
  ROUND_ORDER_VALUE,
  NOT_ROUNDED,
];
