import type Decimal from 'decimal.js';
import { Dec } from '../model/primitives.js';
import type { Declaration, InventoryItem } from '../model/documents.js';
import type { Issue } from '../model/issue.js';
import { allocate, type Allocation } from './allocate.js';
import {
  fmtAmount,
  fmtConst,
  fmtUnrounded,
  padPlaces,
  lineTax,
  quantityIn,
  regimeFactors,
  type Explanation,
  type RawLineTax,
  type RawTax,
  type Regime,
} from './line.js';
import { assertTaxPolicy, roundTax, toDec, type RoundingPolicy, type TaxPolicy } from './policy.js';
import { resolveRate, type RateTable } from './rates.js';

/** Options of {@link computeTax}. */
export interface ComputeTaxOptions {
  policy: TaxPolicy;
  /** One table, or layered tables `[user, bundled]`: the first table with a match wins. */
  rates: RateTable | readonly RateTable[];
  /** The buyer's dutiable value already used this year; enables the annual-limit check. */
  annualUsed?: Decimal;
}

/** How a header amount reached one line. */
export interface ShareExplanation {
  formula: string;
  inputs: Record<string, string>;
  share: string;
}

/** Everything behind one line's figures. */
export interface LineExplanation {
  dutiableValue: Explanation;
  allocation: { freight: ShareExplanation; insuredFee: ShareExplanation; discount?: ShareExplanation };
  rate: { key: string; origin: string; source?: string; asOf?: string };
  customsTax: Explanation;
  consumptionTax: Explanation;
  valueAddedTax: Explanation;
}

/** One line of the result; the tax fields are named as in the CEB816 tax bill (TaxListRd). */
export interface TaxLine {
  gnum: number;
  gcode: string;
  dutiableValue: Decimal;
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
  explain: LineExplanation;
}

/** A line whose tax could not be computed; it is left out of the totals. */
export interface OmittedLine {
  gnum: number;
  gcode: string;
  dutiableValue: Decimal;
  /** Code of the issue that explains why. */
  reason: string;
}

/** The tax of a declaration; header fields named as in the CEB816 tax bill (TaxHeadRd). */
export interface TaxResult {
  regime: Regime;
  /** Dutiable value of the whole order (all lines, including omitted ones): what the limits compare. */
  dutiableValue: Decimal;
  lines: TaxLine[];
  omittedLines: OmittedLine[];
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
  /** False when a line was omitted (or there is no inventory): the totals then cover fewer lines. */
  complete: boolean;
  issues: Issue[];
  explain: { regime: string; rounding: string };
}

const ZERO = new Dec(0);

/**
 * Computes duty, consumption tax and VAT of a declaration from its inventory lines
 * (tax-quota-districts.md §2): allocates header freight and insuredFee to lines, picks the
 * regime from the order's dutiable value, computes each line and rounds per the policy.
 * Never throws on business data (problems are issues); throws SandanError on a bad policy.
 */
export function computeTax(declaration: Declaration, options: ComputeTaxOptions): TaxResult {
  const { policy } = options;
  assertTaxPolicy(policy);
  const inventory = declaration.inventory;
  if (inventory === undefined) return noInventory(policy.rounding);

  const items = inventory.items;
  const weights = items.map((it) => toDec(it.totalPrice));
  const weightSum = fmtAmount(sum(weights));
  const freight = allocate(toDec(inventory.freight), weights, policy.allocationRemainder);
  const insured = allocate(toDec(inventory.insuredFee), weights, policy.allocationRemainder);
  const discount = policy.nonCashDiscountReducesBase
    ? allocate(toDec(declaration.order.discount), weights, policy.allocationRemainder)
    : undefined;

  const issues: Issue[] = [];
  const values = items.map((it, i) => {
    let P = (weights[i] as Decimal).plus(freight.shares[i] as Decimal).plus(insured.shares[i] as Decimal);
    if (discount !== undefined) P = P.minus(discount.shares[i] as Decimal);
    if (P.isNegative()) {
      issues.push(negativeBase(i, P));
      P = ZERO;
    }
    return P;
  });
  const orderValue = values.reduce((a, v) => a.plus(v), ZERO);
  const { regime, reason } = decideRegime(items, orderValue, policy, options.annualUsed, issues);
  const factors = regimeFactors(regime, policy);
  const ruleText = roundingRule(policy.rounding);

  const lines: TaxLine[] = [];
  const omitted: OmittedLine[] = [];
  const raws: RawLineTax[] = [];
  items.forEach((it, i) => {
    const P = values[i] as Decimal;
    const resolved = resolveRate(options.rates, it.gcode);
    if (resolved === undefined) {
      issues.push(rateMissing(i, it.gcode, 'no rate'));
      omitted.push({ gnum: it.gnum, gcode: it.gcode, dutiableValue: P, reason: 'rate-missing' });
      return;
    }
    const raw = lineTax(P, resolved.rate, (unit) => quantityIn(it, unit), factors);
    if ('kind' in raw) {
      if (raw.kind === 'duty-missing') issues.push(rateMissing(i, it.gcode, 'no duty'));
      else issues.push(quantityUnit(i, it, raw.units));
      omitted.push({ gnum: it.gnum, gcode: it.gcode, dutiableValue: P, reason: raw.kind === 'duty-missing' ? 'rate-missing' : 'tax-quantity-unit' });
      return;
    }
    raws.push(raw);
    const ct = figure(raw.customsTax, policy.rounding, ruleText);
    const cs = figure(raw.consumptionTax, policy.rounding, ruleText);
    const va = figure(raw.valueAddedTax, policy.rounding, ruleText);
    const rate = resolved.rate;
    lines.push({
      gnum: it.gnum,
      gcode: it.gcode,
      dutiableValue: P,
      customsTax: ct.rounded,
      consumptionTax: cs.rounded,
      valueAddedTax: va.rounded,
      taxTotal: sum([ct.rounded, cs.rounded, va.rounded]),
      explain: {
        dutiableValue: valueExplanation(it, P, i, freight, insured, discount),
        allocation: {
          freight: shareExplanation(freight, weights, weightSum, i, policy.allocationRemainder),
          insuredFee: shareExplanation(insured, weights, weightSum, i, policy.allocationRemainder),
          ...(discount !== undefined ? { discount: shareExplanation(discount, weights, weightSum, i, policy.allocationRemainder) } : {}),
        },
        rate: {
          key: resolved.key,
          origin: resolved.origin,
          ...(rate.source !== undefined ? { source: rate.source } : {}),
          ...(rate.asOf !== undefined ? { asOf: rate.asOf } : {}),
        },
        customsTax: ct.explain,
        consumptionTax: cs.explain,
        valueAddedTax: va.explain,
      },
    });
  });

  let customsTax: Decimal;
  let consumptionTax: Decimal;
  let valueAddedTax: Decimal;
  if (policy.rounding.scope === 'line') {
    customsTax = sum(lines.map((l) => l.customsTax));
    consumptionTax = sum(lines.map((l) => l.consumptionTax));
    valueAddedTax = sum(lines.map((l) => l.valueAddedTax));
    // (sum skips zeros, so CBEC duty and absent CT cost nothing)
  } else {
    customsTax = roundTax(sum(raws.map((r) => r.customsTax.value)), policy.rounding);
    consumptionTax = roundTax(sum(raws.map((r) => r.consumptionTax.value)), policy.rounding);
    valueAddedTax = roundTax(sum(raws.map((r) => r.valueAddedTax.value)), policy.rounding);
  }
  return {
    regime,
    dutiableValue: orderValue,
    lines,
    omittedLines: omitted,
    customsTax,
    consumptionTax,
    valueAddedTax,
    taxTotal: sum([customsTax, consumptionTax, valueAddedTax]),
    complete: omitted.length === 0,
    issues,
    explain: { regime: reason, rounding: ruleText },
  };
}

function sum(values: readonly Decimal[]): Decimal {
  let s = ZERO;
  for (const v of values) if (!v.isZero()) s = s.isZero() ? v : s.plus(v);
  return s;
}

function figure(raw: RawTax, rounding: RoundingPolicy, rule: string): { rounded: Decimal; explain: Explanation } {
  const rounded = roundTax(raw.value, rounding);
  return {
    rounded,
    explain: {
      formula: raw.formula,
      inputs: raw.inputs,
      unrounded: fmtUnrounded(raw.value),
      rounded: padPlaces(rounded, rounding.scale),
      rule,
    },
  };
}

function roundingRule(r: RoundingPolicy): string {
  const unit = r.scale === 0 ? '1' : `0.${'0'.repeat(r.scale - 1)}1`;
  return r.scope === 'line'
    ? `${r.mode} to ${unit} per line; order totals are sums of the rounded lines`
    : `line figures ${r.mode} to ${unit} for display only; each order total is the sum of unrounded line taxes, ${r.mode} to ${unit} once`;
}

/** Regime by the order's dutiable value (§2.2–2.3, 财关税〔2018〕49号). */
function decideRegime(
  items: readonly InventoryItem[],
  orderValue: Decimal,
  policy: TaxPolicy,
  annualUsed: Decimal | undefined,
  issues: Issue[],
): { regime: Regime; reason: string } {
  const limit = policy.singleTransactionLimit;
  let regime: Regime = 'cbec';
  let reason = `order dutiable value ${fmtAmount(orderValue)} ≤ single-transaction limit ${fmtAmount(limit)}: CBEC regime (duty × ${fmtConst(policy.cbecDutyRate)}, CT and VAT × ${fmtConst(policy.cbecTaxFactor)})`;
  if (orderValue.gt(limit)) {
    const only = items.length === 1 ? items[0] : undefined;
    if (only !== undefined && only.qty.eq(1)) {
      regime = 'full';
      reason = `order dutiable value ${fmtAmount(orderValue)} > ${fmtAmount(limit)} but one indivisible item (财关税〔2018〕49号): full duty, CT and VAT, counts toward the annual limit`;
      issues.push({
        code: 'tax-single-item-full',
        severity: 'warning',
        path: 'inventory.items[0]',
        ruleId: 'tax/regime',
        message: {
          zh: `订单完税价格 ${fmtAmount(orderValue)} 元超过单次交易限值 ${fmtAmount(limit)} 元，但仅含一件不可分割商品，按货物全额征收关税、消费税和增值税，并计入年度交易总额`,
          en: `Order dutiable value ${fmtAmount(orderValue)} exceeds the single-transaction limit ${fmtAmount(limit)}, but the order holds one indivisible item: full duty, consumption tax and VAT apply, and the value counts toward the annual limit`,
        },
        expected: `≤ ${fmtAmount(limit)}`,
        actual: fmtAmount(orderValue),
      });
    } else {
      regime = 'general-trade';
      reason = `order dutiable value ${fmtAmount(orderValue)} > single-transaction limit ${fmtAmount(limit)} with more than one item: general-trade full tax`;
      issues.push({
        code: '-621005',
        severity: 'error',
        path: 'inventory',
        ruleId: 'tax/regime',
        message: {
          zh: `订单完税价格 ${fmtAmount(orderValue)} 元超过单次交易限值 ${fmtAmount(limit)} 元，不能按跨境电商零售进口通关，应按一般贸易方式全额征税`,
          en: `Order dutiable value ${fmtAmount(orderValue)} exceeds the single-transaction limit ${fmtAmount(limit)}: the order cannot clear as CBEC retail import and falls under general-trade rules`,
        },
        expected: `≤ ${fmtAmount(limit)}`,
        actual: fmtAmount(orderValue),
      });
    }
  }
  if (annualUsed !== undefined) {
    const total = new Dec(annualUsed).plus(orderValue);
    if (total.gt(policy.annualLimit)) {
      regime = 'general-trade';
      reason = `annual total ${fmtAmount(new Dec(annualUsed))} + ${fmtAmount(orderValue)} = ${fmtAmount(total)} > annual limit ${fmtAmount(policy.annualLimit)}: general-trade full tax`;
      issues.push({
        code: '1313',
        severity: 'error',
        path: 'inventory',
        ruleId: 'tax/regime',
        message: {
          zh: `订购人年度交易总额 ${fmtAmount(total)} 元（已用 ${fmtAmount(new Dec(annualUsed))} 元 + 本单 ${fmtAmount(orderValue)} 元）超过年度限值 ${fmtAmount(policy.annualLimit)} 元，应按一般贸易方式全额征税`,
          en: `The buyer's annual total ${fmtAmount(total)} (used ${fmtAmount(new Dec(annualUsed))} + this order ${fmtAmount(orderValue)}) exceeds the annual limit ${fmtAmount(policy.annualLimit)}: general-trade rules apply`,
        },
        expected: `≤ ${fmtAmount(policy.annualLimit)}`,
        actual: fmtAmount(total),
      });
    }
  }
  return { regime, reason };
}

function valueExplanation(
  it: InventoryItem,
  P: Decimal,
  i: number,
  freight: Allocation,
  insured: Allocation,
  discount: Allocation | undefined,
): Explanation {
  const inputs: Record<string, string> = {
    totalPrice: fmtAmount(toDec(it.totalPrice)),
    freightShare: fmtAmount(freight.shares[i] as Decimal),
    insuredFeeShare: fmtAmount(insured.shares[i] as Decimal),
  };
  let formula = 'totalPrice + freightShare + insuredFeeShare';
  if (discount !== undefined) {
    formula += ' − discountShare';
    inputs.discountShare = fmtAmount(discount.shares[i] as Decimal);
  }
  return { formula, inputs, unrounded: fmtAmount(P), rounded: fmtAmount(P), rule: 'exact (no rounding)' };
}

function shareExplanation(
  a: Allocation,
  weights: readonly Decimal[],
  weightSum: string,
  i: number,
  mode: TaxPolicy['allocationRemainder'],
): ShareExplanation {
  const share = fmtAmount(a.shares[i] as Decimal);
  const inputs: Record<string, string> = { total: fmtAmount(a.total), lines: String(weights.length) };
  let formula: string;
  if (a.basis === 'equal') {
    formula = 'total / lines, rounded down to 0.01';
  } else {
    formula = 'total × totalPrice / Σ totalPrice, rounded down to 0.01';
    inputs.totalPrice = fmtAmount(weights[i] as Decimal);
    inputs['Σ totalPrice'] = weightSum;
  }
  if (i === a.remainderLine) {
    formula = `total − Σ other shares (remainder line, ${mode})`;
    inputs.remainder = fmtAmount(a.remainder);
  }
  return { formula, inputs, share };
}

function noInventory(rounding: RoundingPolicy): TaxResult {
  return {
    regime: 'cbec',
    dutiableValue: ZERO,
    lines: [],
    omittedLines: [],
    customsTax: ZERO,
    consumptionTax: ZERO,
    valueAddedTax: ZERO,
    taxTotal: ZERO,
    complete: false,
    issues: [
      {
        code: 'tax-no-inventory',
        severity: 'error',
        path: 'inventory',
        ruleId: 'tax/inventory',
        message: {
          zh: '申报中没有进口清单（CEB621），无法按清单表体计算税款',
          en: 'The declaration has no inventory (CEB621): tax is computed from inventory lines, so no figures were produced',
        },
      },
    ],
    explain: { regime: 'no inventory', rounding: roundingRule(rounding) },
  };
}

function rateMissing(i: number, gcode: string, what: 'no rate' | 'no duty'): Issue {
  const zh = what === 'no rate' ? `商品编码 ${gcode} 在税率表中找不到税率` : `商品编码 ${gcode} 的税率表条目没有关税（最惠国）税率，全额征税时无法计算`;
  const en =
    what === 'no rate'
      ? `No rate for commodity code ${gcode} in the rate tables; the line is left out of the totals`
      : `The rate entry for ${gcode} has no (MFN) duty rate, which the full-tax regime needs; add it in a user rate table. The line is left out of the totals`;
  return {
    code: 'rate-missing',
    severity: 'error',
    path: `inventory.items[${i}].gcode`,
    ruleId: 'tax/rates',
    message: { zh: `${zh}，该商品未计入税款合计`, en },
    actual: gcode,
  };
}

function quantityUnit(i: number, it: InventoryItem, units: readonly string[]): Issue {
  const declared = [it.unit1, it.unit2, it.unit].filter((u): u is string => u !== undefined).join(', ');
  return {
    code: 'tax-quantity-unit',
    severity: 'error',
    path: `inventory.items[${i}].unit1`,
    ruleId: 'tax/quantity',
    message: {
      zh: `消费税按计量单位 ${units.join('/')} 计征，但该商品申报的单位（${declared}）中没有该单位，无法计算`,
      en: `The consumption tax is charged per unit ${units.join('/')}, but none of the line's units (${declared}) is that unit; the line is left out of the totals`,
    },
    expected: units.join(' or '),
    actual: declared,
  };
}

function negativeBase(i: number, P: Decimal): Issue {
  return {
    code: 'tax-negative-base',
    severity: 'error',
    path: `inventory.items[${i}].totalPrice`,
    ruleId: 'tax/value',
    message: {
      zh: `扣减非现金抵扣金额后完税价格为负（${fmtAmount(P)}），按 0 计算`,
      en: `The dutiable value is negative after the non-cash discount (${fmtAmount(P)}); 0 is used`,
    },
    actual: fmtAmount(P),
  };
}
