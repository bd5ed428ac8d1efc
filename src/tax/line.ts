import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import type { ConsumptionTier, TaxRate } from './rates.js';
import { toDec } from './policy.js';

/**
 * Tax of one line before rounding (docs/tax.md). Shared by
 * {@link computeTax} and {@link fromTaxInclusivePrice} so both use one set of formulas.
 */

/**
 * `cbec`: within the limits (duty × cbecDutyRate, CT and VAT × factor); `cbec-full`: one item above
 * the single-transaction limit clearing through CBEC at full rates (财关税〔2018〕49号); `general-trade`:
 * outside CBEC, figures at full rates. `decideRegime` (regime.ts) picks it.
 */
export type Regime = 'cbec' | 'cbec-full' | 'general-trade';

/** A figure with the formula and inputs that produced it, as strings for people and JSON. */
export interface Explanation {
  formula: string;
  inputs: Record<string, string>;
  /** The value before rounding, up to 10 places; `…` marks a cut. */
  unrounded: string;
  rounded: string;
  /** The rounding applied, e.g. `half-up to 0.01 per line`. */
  rule: string;
}

/** Where to find a quantity in a given unit: an inventory line's qty/unit, qty1/unit1, qty2/unit2. */
export interface LineQuantities {
  qty?: Decimal;
  unit?: string;
  qty1?: Decimal;
  unit1?: string;
  qty2?: Decimal;
  unit2?: string;
}

/** Looks up a line's quantity in a unit (undefined when the line has none in that unit). */
export type QuantityOf = (unit: string) => Decimal | undefined;

/** Quantity in `unit`: legal first unit, then second, then the declared unit (undefined if none matches). */
export function quantityIn(q: LineQuantities, unit: string): Decimal | undefined {
  if (q.unit1 === unit && q.qty1 !== undefined) return q.qty1;
  if (q.unit2 === unit && q.qty2 !== undefined) return q.qty2;
  if (q.unit === unit && q.qty !== undefined) return q.qty;
  return undefined;
}

/** One unrounded tax with its formula. */
export interface RawTax {
  value: Decimal;
  formula: string;
  inputs: Record<string, string>;
}

/** The three taxes of a line before rounding. */
export interface RawLineTax {
  customsTax: RawTax;
  consumptionTax: RawTax;
  valueAddedTax: RawTax;
  /** Statutory (100 %) CT, the one the VAT base uses. */
  ctStatutory: Decimal;
  tier: ConsumptionTier | undefined;
}

/** Why a line's tax could not be computed. */
export type LineTaxProblem = { kind: 'duty-missing' } | { kind: 'quantity-unit'; units: string[] };

/** Regime factors: `t` on duty and `k` on CT and VAT; `reduced: false` means full rates. */
export interface RegimeFactors {
  reduced: boolean;
  t: Decimal;
  k: Decimal;
}

const ZERO = new Dec(0);
const ONE = new Dec(1);

const texts = new WeakMap<Decimal, string>();
/** A rate or policy constant as text, cached: the same Decimal objects recur on every call. */
export function fmtConst(d: Decimal): string {
  let t = texts.get(d);
  if (t === undefined) {
    t = d.toFixed();
    texts.set(d, t);
  }
  return t;
}

/**
 * `d` with at least `places` decimals, never rounded: the exact text padded with zeros.
 * String work only, because decimal.js toFixed(n) builds a rounded copy (the hot spot of computeTax).
 */
export function padPlaces(d: Decimal, places: number): string {
  const s = d.toFixed();
  if (places === 0) return s;
  const dot = s.indexOf('.');
  if (dot < 0) return `${s}.${'0'.repeat(places)}`;
  const have = s.length - dot - 1;
  return have >= places ? s : s + '0'.repeat(places - have);
}

/** Money for explanations: two places, or all places when the value has more. */
export function fmtAmount(d: Decimal): string {
  return padPlaces(d, 2);
}

/** An unrounded value for explanations: up to 10 places, `…` when cut (a cut rounds toward zero). */
export function fmtUnrounded(d: Decimal): string {
  const s = padPlaces(d, 2);
  const dot = s.indexOf('.');
  return dot >= 0 && s.length - dot - 1 > 10 ? `${s.slice(0, dot + 11)}…` : s;
}

/**
 * Picks the CT tier for a dutiable value: the first whose threshold is reached (or that has
 * none). A threshold whose unit the line does not declare is skipped; if no threshold of a
 * tier can be checked, the tier cannot be decided and the units are returned as a problem.
 */
export function selectTier(
  tiers: readonly ConsumptionTier[] | undefined,
  value: Decimal,
  quantityOf: QuantityOf,
): { tier: ConsumptionTier | undefined } | LineTaxProblem {
  if (tiers === undefined) return { tier: undefined };
  for (const tier of tiers) {
    if (tier.minUnitValue === undefined) return { tier };
    let checked = false;
    for (const th of tier.minUnitValue) {
      const n = quantityOf(th.unit);
      if (n === undefined || !n.gt(0)) continue;
      checked = true;
      if (value.div(n).gte(th.value)) return { tier };
    }
    if (!checked) return { kind: 'quantity-unit', units: tier.minUnitValue.map((t) => t.unit) };
  }
  return { tier: undefined };
}

/** The figures of one line before rounding, without explanations (see {@link explainLineTax}). */
export interface LineFigures {
  /** Duty payable (× t within limits). */
  duty: Decimal;
  /** CT payable (statutory × k within limits). */
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  /** Statutory (100 %) CT, the one the VAT base uses. */
  ctStatutory: Decimal;
  tier: ConsumptionTier | undefined;
  /** The quantity a specific CT rate was charged on (undefined when none). */
  specificQty: Decimal | undefined;
}

/**
 * Duty, CT and VAT of one line with dutiable value `P`:
 * duty = P × d (× t within limits); CT ad valorem (P + duty)/(1 − c) × c, specific q × u,
 * compound (P + duty + q × u)/(1 − c) × c + q × u; VAT = (P + duty + CT_statutory) × v;
 * within limits CT and VAT are × k at the end. `duty` in the bases is the duty payable.
 * Figures only: {@link explainLineTax} gives the formulas and inputs behind them.
 */
export function lineFigures(
  P: Decimal,
  rate: TaxRate,
  quantityOf: QuantityOf,
  f: RegimeFactors,
): LineFigures | LineTaxProblem {
  // Duty
  let duty: Decimal;
  if (f.reduced) {
    if (rate.duty === undefined && !f.t.isZero()) return { kind: 'duty-missing' };
    // Tariff temporarily zero: P × d × 0 is exactly 0, no need to multiply.
    duty = rate.duty === undefined || f.t.isZero() ? ZERO : P.times(rate.duty).times(f.t);
  } else {
    if (rate.duty === undefined) return { kind: 'duty-missing' };
    duty = P.times(rate.duty);
  }
  const k = f.reduced ? f.k : ONE;
  // P + duty, without a new Decimal when duty is 0 (the CBEC case).
  const base = duty.isZero() ? P : P.plus(duty);

  // Consumption tax
  const picked = selectTier(rate.consumption, P, quantityOf);
  if ('kind' in picked) return picked;
  const tier = picked.tier;
  let ctStatutory = ZERO;
  let consumptionTax = ZERO;
  let specificQty: Decimal | undefined;
  if (tier !== undefined) {
    let specific = ZERO;
    if (tier.perUnit !== undefined && tier.unit !== undefined) {
      const n = quantityOf(tier.unit);
      if (n === undefined) return { kind: 'quantity-unit', units: [tier.unit] };
      specific = n.times(tier.perUnit);
      specificQty = n;
    }
    const c = tier.adValorem;
    if (c !== undefined && tier.perUnit !== undefined) {
      ctStatutory = base.plus(specific).div(ONE.minus(c)).times(c).plus(specific);
    } else if (c !== undefined) {
      ctStatutory = base.div(ONE.minus(c)).times(c);
    } else {
      ctStatutory = specific;
    }
    consumptionTax = ctStatutory.times(k);
  }

  // VAT: the base holds the statutory CT; the factor comes last.
  const vatBase = ctStatutory.isZero() ? base : base.plus(ctStatutory);
  const valueAddedTax = vatBase.times(rate.vat).times(k);
  return { duty, consumptionTax, valueAddedTax, ctStatutory, tier, specificQty };
}

/** The formulas and inputs behind {@link lineFigures}' result for the same line. */
export function explainLineTax(
  P: Decimal,
  rate: TaxRate,
  f: RegimeFactors,
  fig: LineFigures,
): { customsTax: RawTax; consumptionTax: RawTax; valueAddedTax: RawTax } {
  // Duty
  const amt = fmtAmount(P);
  const duty = fig.duty;
  let customsTax: RawTax;
  if (f.reduced) {
    customsTax = {
      value: duty,
      formula: 'P × d × t',
      inputs: { P: amt, d: rate.duty === undefined ? 'n/a (t = 0)' : fmtConst(rate.duty), t: fmtConst(f.t) },
    };
  } else {
    customsTax = { value: duty, formula: 'P × d', inputs: { P: amt, d: fmtConst(rate.duty as Decimal) } };
  }
  const k = f.reduced ? f.k : ONE;
  const kSuffix = f.reduced ? ' × k' : '';
  const dutyText = duty.isZero() ? '0.00' : fmtUnrounded(duty);

  // Consumption tax
  const tier = fig.tier;
  const ctStatutory = fig.ctStatutory;
  let consumptionTax: RawTax;
  if (tier === undefined) {
    consumptionTax = {
      value: fig.consumptionTax,
      formula: '0',
      inputs: { reason: rate.consumption === undefined ? 'no consumption tax for this code' : 'below every threshold' },
    };
  } else {
    const inputs: Record<string, string> = { P: amt, duty: dutyText };
    if (tier.perUnit !== undefined && tier.unit !== undefined) {
      inputs.q = `${(fig.specificQty as Decimal).toFixed()} (unit ${tier.unit})`;
      inputs.u = fmtConst(tier.perUnit);
    }
    const c = tier.adValorem;
    let formula: string;
    if (c !== undefined && tier.perUnit !== undefined) {
      formula = f.reduced
        ? '((P + duty + q × u) / (1 − c) × c + q × u) × k'
        : '(P + duty + q × u) / (1 − c) × c + q × u';
      inputs.c = fmtConst(c);
    } else if (c !== undefined) {
      formula = `(P + duty) / (1 − c) × c${kSuffix}`;
      inputs.c = fmtConst(c);
    } else {
      formula = `q × u${kSuffix}`;
      delete inputs.P;
      delete inputs.duty;
    }
    if (f.reduced) inputs.k = fmtConst(k);
    if (tier.minUnitValue !== undefined) {
      inputs.threshold = tier.minUnitValue.map((t) => `≥ ${fmtConst(t.value)} per ${t.unit}`).join(' or ');
    }
    consumptionTax = { value: fig.consumptionTax, formula, inputs };
  }

  // VAT
  const vatInputs: Record<string, string> = {
    P: amt,
    duty: dutyText,
    CT_statutory: ctStatutory.isZero() ? '0.00' : fmtUnrounded(ctStatutory),
    v: fmtConst(rate.vat),
  };
  if (f.reduced) vatInputs.k = fmtConst(k);
  const valueAddedTax: RawTax = {
    value: fig.valueAddedTax,
    formula: `(P + duty + CT_statutory) × v${kSuffix}`,
    inputs: vatInputs,
  };
  return { customsTax, consumptionTax, valueAddedTax };
}

/** {@link lineFigures} with the explanations of {@link explainLineTax}. */
export function lineTax(
  P: Decimal,
  rate: TaxRate,
  quantityOf: QuantityOf,
  f: RegimeFactors,
): RawLineTax | LineTaxProblem {
  const fig = lineFigures(P, rate, quantityOf, f);
  if ('kind' in fig) return fig;
  return { ...explainLineTax(P, rate, f, fig), ctStatutory: fig.ctStatutory, tier: fig.tier };
}

/** Regime factors from the policy. */
export function regimeFactors(
  regime: Regime,
  policy: { cbecDutyRate: Decimal; cbecTaxFactor: Decimal },
): RegimeFactors {
  return regime === 'cbec'
    ? { reduced: true, t: toDec(policy.cbecDutyRate), k: toDec(policy.cbecTaxFactor) }
    : { reduced: false, t: ONE, k: ONE };
}
