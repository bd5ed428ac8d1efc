import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import type { Declaration, InventoryItem } from '../model/documents.js';
import type { Issue } from '../model/issue.js';
import { SandanError } from '../errors.js';
import { allocateOver, weightSum, type Allocation } from './allocate.js';
import {
  explainLineTax,
  fmtAmount,
  fmtUnrounded,
  lineFigures,
  padPlaces,
  quantityIn,
  regimeFactors,
  type Explanation,
  type LineFigures,
  type RawTax,
  type Regime,
  type RegimeFactors,
} from './line.js';
import { assertTaxPolicy, roundTax, toDec, type RoundingPolicy, type TaxPolicy } from './policy.js';
import { resolveRate, type RateTable, type ResolvedRate } from './rates.js';
import { decideRegime, type RegimeFinding } from './regime.js';

/** Options of {@link computeTax}. */
export interface ComputeTaxOptions {
  policy: TaxPolicy;
  /** One table, or layered tables `[user, bundled]`: the first table with a match wins. */
  rates: RateTable | readonly RateTable[];
  /**
   * The buyer's amount already used this year; enables the annual-limit check (this order
   * adds its dutiable value).
   */
  annualUsed?: Decimal;
  /**
   * `false`: figures only, without the `explain` texts (faster; for checks such as validation,
   * which compare totals). The figures and issues are the same either way. Default `true`.
   */
  explain?: boolean;
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

/** The figures of one line; the tax fields are named as in the CEB816 tax bill (TaxListRd). */
export interface TaxLineFigures {
  gnum: number;
  gcode: string;
  dutiableValue: Decimal;
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
}

/** One line of the result, with everything behind its figures. */
export interface TaxLine extends TaxLineFigures {
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

/** The figures of a declaration's tax (what `computeTax` gives with `explain: false`). */
export interface TaxFigures {
  regime: Regime;
  /**
   * Dutiable value of the whole order (all lines, including omitted ones): goods + freight +
   * insurance (− the discount where the policy says so), what the limits compare.
   */
  dutiableValue: Decimal;
  lines: TaxLineFigures[];
  omittedLines: OmittedLine[];
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
  /** False when a line was omitted (or there is no inventory): the totals then cover fewer lines. */
  complete: boolean;
  issues: Issue[];
}

/** The tax of a declaration; header fields named as in the CEB816 tax bill (TaxHeadRd). */
export interface TaxResult extends TaxFigures {
  lines: TaxLine[];
  explain: { regime: string; rounding: string };
}

const ZERO = new Dec(0);

/**
 * JavaScript callers (and `as any`) can reach computeTax without options, policy or rates; say which
 * is missing as a SandanError instead of a TypeError from deep inside.
 */
function assertComputeTaxOptions(options: ComputeTaxOptions | undefined): void {
  const hint =
    'computeTax(declaration, { policy, rates }) needs a tax policy (e.g. from the ruleset in force, or DEFAULT_TAX_POLICY_2019) and a rate table';
  if (options === null || typeof options !== 'object') {
    throw new SandanError('INVALID_OPTION', `computeTax was called without options: ${hint}`, {
      details: { field: 'options' },
    });
  }
  const policy = options.policy as unknown;
  if (policy === null || typeof policy !== 'object') {
    throw new SandanError(
      'INVALID_OPTION',
      `computeTax was called without a tax policy (options.policy is ${policy === null ? 'null' : typeof policy}): ${hint}`,
      { details: { field: 'policy' } },
    );
  }
  const rates = options.rates as unknown;
  if (rates === null || typeof rates !== 'object') {
    throw new SandanError(
      'INVALID_OPTION',
      `computeTax was called without a rate table (options.rates is ${rates === null ? 'null' : typeof rates}): ${hint}`,
      { details: { field: 'rates' } },
    );
  }
}

/**
 * Computes duty, consumption tax and VAT of a declaration from its inventory lines
 * (docs/tax.md): allocates header freight and insuredFee to lines, takes the
 * regime from {@link decideRegime} (the one the `limits/*` rules use), computes each line and
 * rounds per the policy.
 * Never throws on business data (problems are issues); throws SandanError on a bad policy.
 * With `explain: false` the result has the same figures and issues but no `explain` texts.
 */
export function computeTax(declaration: Declaration, options: ComputeTaxOptions & { explain: false }): TaxFigures;
export function computeTax(declaration: Declaration, options: ComputeTaxOptions & { explain?: true }): TaxResult;
export function computeTax(declaration: Declaration, options: ComputeTaxOptions): TaxFigures;
export function computeTax(declaration: Declaration, options: ComputeTaxOptions): TaxResult | TaxFigures {
  assertComputeTaxOptions(options);
  const { policy } = options;
  const explaining = options.explain !== false;
  assertTaxPolicy(policy);
  const rounding = policy.rounding;
  const inventory = declaration.inventory;
  if (inventory === undefined) return noInventory(rounding, explaining);

  const items = inventory.items;
  const n = items.length;
  const weights: Decimal[] = new Array<Decimal>(n);
  for (let i = 0; i < n; i++) weights[i] = toDec((items[i] as InventoryItem).totalPrice);
  const totalWeight = weightSum(weights);
  const freight = allocateOver(toDec(inventory.freight), weights, totalWeight, policy.allocationRemainder);
  const insured = allocateOver(toDec(inventory.insuredFee), weights, totalWeight, policy.allocationRemainder);
  const discount = policy.nonCashDiscountReducesBase
    ? allocateOver(toDec(declaration.order.discount), weights, totalWeight, policy.allocationRemainder)
    : undefined;

  const issues: Issue[] = [];
  const values: Decimal[] = new Array<Decimal>(n);
  for (let i = 0; i < n; i++) {
    let P = (weights[i] as Decimal).plus(freight.shares[i] as Decimal).plus(insured.shares[i] as Decimal);
    if (discount !== undefined) P = P.minus(discount.shares[i] as Decimal);
    if (P.isNegative()) {
      issues.push(negativeBase(i, P));
      P = ZERO;
    }
    values[i] = P;
  }
  const decision = decideRegime(
    {
      goods: totalWeight,
      freight: freight.total,
      insuredFee: insured.total,
      discount: toDec(declaration.order.discount),
      quantities: items.map((it) => it.qty),
    },
    policy,
    options.annualUsed === undefined ? undefined : { used: new Dec(options.annualUsed) },
  );
  const { regime, dutiableValue: orderValue } = decision;
  for (const f of decision.findings)
    issues.push(regimeIssue(f, f.code === 'single-item-full-tax' ? 'inventory.items[0]' : 'inventory'));
  const factors = regimeFactors(regime, policy);
  const ex: ExplainInputs | undefined = explaining
    ? {
        weights,
        freight,
        insured,
        discount,
        remainderMode: policy.allocationRemainder,
        scale: rounding.scale,
        rule: roundingRule(rounding.mode, rounding.scale, rounding.scope),
        factors,
        weightSum: fmtAmount(sum(weights)),
      }
    : undefined;

  const lines: TaxLineFigures[] = [];
  const omitted: OmittedLine[] = [];
  const raws: LineFigures[] = [];
  for (let i = 0; i < n; i++) {
    const it = items[i] as InventoryItem;
    const P = values[i] as Decimal;
    const resolved = resolveRate(options.rates, it.gcode);
    if (resolved === undefined) {
      issues.push(rateMissing(i, it.gcode, 'no rate'));
      omitted.push({ gnum: it.gnum, gcode: it.gcode, dutiableValue: P, reason: 'rate-missing' });
      continue;
    }
    const fig = lineFigures(P, resolved.rate, (unit) => quantityIn(it, unit), factors);
    if ('kind' in fig) {
      if (fig.kind === 'duty-missing') issues.push(rateMissing(i, it.gcode, 'no duty'));
      else issues.push(quantityUnit(i, it, fig.units));
      omitted.push({
        gnum: it.gnum,
        gcode: it.gcode,
        dutiableValue: P,
        reason: fig.kind === 'duty-missing' ? 'rate-missing' : 'tax-quantity-unit',
      });
      continue;
    }
    raws.push(fig);
    const ct = roundTax(fig.duty, rounding);
    const cs = roundTax(fig.consumptionTax, rounding);
    const va = roundTax(fig.valueAddedTax, rounding);
    const taxTotal = add(add(add(ZERO, ct), cs), va);
    const line: TaxLineFigures = {
      gnum: it.gnum,
      gcode: it.gcode,
      dutiableValue: P,
      customsTax: ct,
      consumptionTax: cs,
      valueAddedTax: va,
      taxTotal,
    };
    if (ex !== undefined) (line as TaxLine).explain = lineExplanation(ex, i, P, resolved, fig, ct, cs, va);
    lines.push(line);
  }

  let customsTax = ZERO;
  let consumptionTax = ZERO;
  let valueAddedTax = ZERO;
  if (rounding.scope === 'line') {
    // (sum skips zeros, so CBEC duty and absent CT cost nothing)
    for (const l of lines) {
      customsTax = add(customsTax, l.customsTax);
      consumptionTax = add(consumptionTax, l.consumptionTax);
      valueAddedTax = add(valueAddedTax, l.valueAddedTax);
    }
  } else {
    for (const r of raws) {
      customsTax = add(customsTax, r.duty);
      consumptionTax = add(consumptionTax, r.consumptionTax);
      valueAddedTax = add(valueAddedTax, r.valueAddedTax);
    }
    customsTax = roundTax(customsTax, rounding);
    consumptionTax = roundTax(consumptionTax, rounding);
    valueAddedTax = roundTax(valueAddedTax, rounding);
  }
  const figures: TaxFigures = {
    regime,
    dutiableValue: orderValue,
    lines,
    omittedLines: omitted,
    customsTax,
    consumptionTax,
    valueAddedTax,
    taxTotal: add(add(add(ZERO, customsTax), consumptionTax), valueAddedTax),
    complete: omitted.length === 0,
    issues,
  };
  if (ex === undefined) return figures;
  const result = figures as TaxResult;
  result.explain = {
    regime: decision.explain,
    rounding: ex.rule,
  };
  return result;
}

/** `s + v` as {@link sum} adds: zeros are skipped (no new Decimal), and a zero sum is the first term. */
function add(s: Decimal, v: Decimal): Decimal {
  return v.isZero() ? s : s.isZero() ? v : s.plus(v);
}

function sum(values: readonly Decimal[]): Decimal {
  let s = ZERO;
  for (const v of values) s = add(s, v);
  return s;
}

/** What the explanations of a declaration's lines share. */
interface ExplainInputs {
  weights: readonly Decimal[];
  freight: Allocation;
  insured: Allocation;
  discount: Allocation | undefined;
  remainderMode: TaxPolicy['allocationRemainder'];
  scale: number;
  /** The rounding rule as text. */
  rule: string;
  factors: RegimeFactors;
  /** Σ totalPrice as text. */
  weightSum: string;
}

function lineExplanation(
  ex: ExplainInputs,
  i: number,
  P: Decimal,
  resolved: ResolvedRate,
  fig: LineFigures,
  customsTax: Decimal,
  consumptionTax: Decimal,
  valueAddedTax: Decimal,
): LineExplanation {
  const { weights, freight, insured, discount, remainderMode } = ex;
  const weightSum = ex.weightSum;
  const raw = explainLineTax(P, resolved.rate, ex.factors, fig);
  const rate = resolved.rate;
  return {
    dutiableValue: valueExplanation(weights[i] as Decimal, P, i, freight, insured, discount),
    allocation: {
      freight: shareExplanation(freight, weights, weightSum, i, remainderMode),
      insuredFee: shareExplanation(insured, weights, weightSum, i, remainderMode),
      ...(discount !== undefined ? { discount: shareExplanation(discount, weights, weightSum, i, remainderMode) } : {}),
    },
    rate: {
      key: resolved.key,
      origin: resolved.origin,
      ...(rate.source !== undefined ? { source: rate.source } : {}),
      ...(rate.asOf !== undefined ? { asOf: rate.asOf } : {}),
    },
    customsTax: figure(raw.customsTax, customsTax, ex.scale, ex.rule),
    consumptionTax: figure(raw.consumptionTax, consumptionTax, ex.scale, ex.rule),
    valueAddedTax: figure(raw.valueAddedTax, valueAddedTax, ex.scale, ex.rule),
  };
}

function figure(raw: RawTax, rounded: Decimal, scale: number, rule: string): Explanation {
  return {
    formula: raw.formula,
    inputs: raw.inputs,
    unrounded: fmtUnrounded(raw.value),
    rounded: padPlaces(rounded, scale),
    rule,
  };
}

/** The rounding rule as text. */
function roundingRule(mode: RoundingPolicy['mode'], scale: number, scope: RoundingPolicy['scope']): string {
  const unit = scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`;
  return scope === 'line'
    ? `${mode} to ${unit} per line; order totals are sums of the rounded lines`
    : `line figures ${mode} to ${unit} for display only; each order total is the sum of unrounded line taxes, ${mode} to ${unit} once`;
}

/** A regime finding as an issue of the duty engine. */
function regimeIssue(f: RegimeFinding, path: string): Issue {
  return {
    code: f.code,
    severity: f.severity,
    path,
    ruleId: 'tax/regime',
    message: f.message,
    expected: f.expected,
    actual: f.actual,
  };
}

function valueExplanation(
  totalPrice: Decimal,
  P: Decimal,
  i: number,
  freight: Allocation,
  insured: Allocation,
  discount: Allocation | undefined,
): Explanation {
  const inputs: Record<string, string> = {
    totalPrice: fmtAmount(totalPrice),
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

function noInventory(rounding: RoundingPolicy, explaining: boolean): TaxResult | TaxFigures {
  const figures: TaxFigures = {
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
  };
  if (!explaining) return figures;
  const result = figures as TaxResult;
  result.explain = { regime: 'no inventory', rounding: roundingRule(rounding.mode, rounding.scale, rounding.scope) };
  return result;
}

function rateMissing(i: number, gcode: string, what: 'no rate' | 'no duty'): Issue {
  const zh =
    what === 'no rate'
      ? `商品编码 ${gcode} 在税率表中找不到税率`
      : `商品编码 ${gcode} 的税率表条目没有关税（最惠国）税率，全额征税时无法计算`;
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
