import type { Decimal } from 'decimal.js';
import { checkArgument } from '../model/guards.js';
import { Dec } from '../model/primitives.js';
import type { ConsumptionTier, TaxRate } from './rates.js';
import { toDec, type RoundingPolicy } from './policy.js';
import { fmtConst, Written, type Rendered } from './formula.js';
import {
  CBEC_FACTOR,
  CT_AD_VALOREM,
  CT_AD_VALOREM_CBEC,
  CT_COMPOUND,
  CT_COMPOUND_CBEC,
  CT_NONE,
  CT_SPECIFIC,
  CT_SPECIFIC_CBEC,
  DUTY,
  DUTY_CBEC,
  DUTY_SHARE,
  ROUND_INTERMEDIATE,
  VAT,
  VAT_CBEC,
} from './formulas.js';

/**
 * Tax of one line before rounding (docs/tax.md), computed and explained with the declarations of
 * formulas.ts. Shared by {@link computeTax} and {@link fromTaxInclusivePrice}.
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
  checkArgument(q, 'object', 'quantityIn', 'the line');
  checkArgument(unit, 'text', 'quantityIn', 'the unit');
  return unitQuantity(q, unit);
}

/** {@link quantityIn} without the checks of a caller's arguments: for computeTax, per line. */
export function unitQuantity(q: LineQuantities, unit: string): Decimal | undefined {
  const field = unitQuantityField(q, unit);
  return field === undefined ? undefined : q[field];
}

/** Which field holds the line's quantity in `unit`, as {@link unitQuantity} chooses it (an issue's path names it). */
export function unitQuantityField(q: LineQuantities, unit: string): 'qty1' | 'qty2' | 'qty' | undefined {
  if (q.unit1 === unit && q.qty1 !== undefined) return 'qty1';
  if (q.unit2 === unit && q.qty2 !== undefined) return 'qty2';
  if (q.unit === unit && q.qty !== undefined) return 'qty';
  return undefined;
}

/** One unrounded tax with its formula. */
export interface RawTax {
  value: Decimal;
  formula: string;
  inputs: Record<string, string>;
}

/** Why a line's tax could not be computed. */
type LineTaxProblem = { kind: 'duty-missing' } | { kind: 'quantity-unit'; units: string[] };

/** Regime factors: `t` on duty and `k` on CT and VAT; `reduced: false` means full rates. */
export interface RegimeFactors {
  reduced: boolean;
  t: Decimal;
  k: Decimal;
}

const ZERO = new Dec(0);
const ONE = new Dec(1);

/**
 * Picks the CT tier for a dutiable value: the first whose threshold is reached (or that has
 * none). A threshold whose unit the line does not declare is skipped; if no threshold of a
 * tier can be checked, the tier cannot be decided and the units are returned as a problem.
 */
function selectTier(
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
  /** Statutory (100 %) CT. */
  ctStatutory: Decimal;
  /** The duty as it enters the CT and VAT bases: `duty`, or rounded under `intermediate: 'rounded'`. */
  dutyInBase: Decimal;
  /** The statutory CT as it enters the VAT base: `ctStatutory`, or rounded under `intermediate: 'rounded'`. */
  ctStatutoryInBase: Decimal;
  tier: ConsumptionTier | undefined;
  /** The quantity a specific CT rate was charged on (undefined when none). */
  specificQty: Decimal | undefined;
}

/** Which CT formula a tier charges: both rates compound, else the one it has. */
type CtKind = 'ad-valorem' | 'specific' | 'compound';

function ctKind(tier: ConsumptionTier): CtKind | undefined {
  const specific = tier.perUnit !== undefined && tier.unit !== undefined;
  if (tier.adValorem !== undefined) return specific ? 'compound' : 'ad-valorem';
  return specific ? 'specific' : undefined;
}

/** The statutory CT formula of each kind, and the one the CBEC explanations show (× k). */
const CT_FORMULAS = {
  'ad-valorem': { statutory: CT_AD_VALOREM, cbec: CT_AD_VALOREM_CBEC },
  specific: { statutory: CT_SPECIFIC, cbec: CT_SPECIFIC_CBEC },
  compound: { statutory: CT_COMPOUND, cbec: CT_COMPOUND_CBEC },
} as const;

/**
 * Duty, CT and VAT of one line with dutiable value `P`, computed with the declarations of
 * formulas.ts: duty {@link DUTY} (× {@link DUTY_SHARE} within limits); CT {@link CT_AD_VALOREM},
 * {@link CT_SPECIFIC} or {@link CT_COMPOUND}; VAT {@link VAT} on the statutory CT; within limits
 * CT and VAT × {@link CBEC_FACTOR} at the end. `duty` in the bases is the duty payable.
 * With `rounding.intermediate` `'rounded'`, the duty and the statutory CT are rounded by
 * {@link ROUND_INTERMEDIATE} before they enter a later base.
 * Figures only: {@link explainLineTax} renders the same declarations with these figures.
 */
export function lineFigures(
  P: Decimal,
  rate: TaxRate,
  quantityOf: QuantityOf,
  f: RegimeFactors,
  rounding?: RoundingPolicy,
): LineFigures | LineTaxProblem {
  const stepped = rounding?.intermediate === 'rounded' ? rounding : undefined;
  // Duty
  let duty: Decimal;
  if (rate.duty !== undefined) {
    // Tariff temporarily zero: P × d × 0 is exactly 0, no need to multiply.
    duty = !f.reduced ? DUTY.compute({ P, d: rate.duty }) : f.t.isZero() ? ZERO : dutyShare(P, rate.duty, f.t);
  } else if (f.reduced && f.t.isZero()) {
    duty = ZERO;
  } else {
    return { kind: 'duty-missing' };
  }

  const dutyInBase = stepped === undefined ? duty : ROUND_INTERMEDIATE.apply(duty, stepped);

  // Consumption tax (statutory)
  const picked = selectTier(rate.consumption, P, quantityOf);
  if ('kind' in picked) return picked;
  const tier = picked.tier;
  const kind = tier === undefined ? undefined : ctKind(tier);
  let ctStatutory: Decimal;
  let specificQty: Decimal | undefined;
  if (tier === undefined || kind === undefined) {
    ctStatutory = CT_NONE.compute({});
  } else {
    const c = tier.adValorem ?? ZERO;
    const u = tier.perUnit ?? ZERO;
    let q = ZERO;
    if (kind !== 'ad-valorem') {
      const unit = tier.unit ?? '';
      const n = quantityOf(unit);
      if (n === undefined) return { kind: 'quantity-unit', units: [unit] };
      q = n;
      specificQty = n;
    }
    ctStatutory = CT_FORMULAS[kind].statutory.compute({ P, duty: dutyInBase, c, q, u });
  }
  const ctStatutoryInBase = stepped === undefined ? ctStatutory : ROUND_INTERMEDIATE.apply(ctStatutory, stepped);

  // VAT: the base holds the statutory CT; the factor comes last.
  const vat = VAT.compute({ P, duty: dutyInBase, CT_statutory: ctStatutoryInBase, v: rate.vat });
  return {
    duty,
    consumptionTax: !f.reduced || kind === undefined ? ctStatutory : CBEC_FACTOR.compute({ x: ctStatutory, k: f.k }),
    valueAddedTax: f.reduced ? CBEC_FACTOR.compute({ x: vat, k: f.k }) : vat,
    ctStatutory,
    dutyInBase,
    ctStatutoryInBase,
    tier,
    specificQty,
  };
}

function dutyShare(P: Decimal, d: Decimal, t: Decimal): Decimal {
  return DUTY_SHARE.compute({ x: DUTY.compute({ P, d }), t });
}

/** The formulas and inputs behind {@link lineFigures}' result for the same line, rendered from the same declarations. */
export function explainLineTax(
  P: Decimal,
  rate: TaxRate,
  f: RegimeFactors,
  fig: LineFigures,
  written: Written = new Written(),
): { customsTax: RawTax; consumptionTax: RawTax; valueAddedTax: RawTax } {
  const { tier, dutyInBase: duty, ctStatutoryInBase: ctStatutory } = fig;
  const k = f.k;

  // Duty
  const customsTax = valued(
    fig.duty,
    f.reduced
      ? DUTY_CBEC.render(
          { P, d: rate.duty ?? ZERO, t: f.t },
          rate.duty === undefined ? { d: 'n/a (t = 0)' } : undefined,
          undefined,
          written,
        )
      : DUTY.render({ P, d: rate.duty ?? ZERO }, undefined, undefined, written),
  );

  // Consumption tax
  const kind = tier === undefined ? undefined : ctKind(tier);
  let consumptionTax: RawTax;
  if (tier === undefined || kind === undefined) {
    const reason = rate.consumption === undefined ? 'no consumption tax for this code' : 'below every threshold';
    consumptionTax = valued(fig.consumptionTax, CT_NONE.render({}, undefined, [['reason', reason]]));
  } else {
    const q = fig.specificQty ?? ZERO;
    const values = { P, duty, c: tier.adValorem ?? ZERO, q, u: tier.perUnit ?? ZERO, k };
    // The quantity is shown with its unit (only the specific and compound formulas have one).
    const shown = kind === 'ad-valorem' ? undefined : { q: `${q.toFixed()} (unit ${tier.unit ?? ''})` };
    const notes =
      tier.minUnitValue === undefined
        ? undefined
        : [['threshold', tier.minUnitValue.map((t) => `≥ ${fmtConst(t.value)} per ${t.unit}`).join(' or ')] as const];
    const formulas = CT_FORMULAS[kind];
    consumptionTax = valued(
      fig.consumptionTax,
      f.reduced
        ? formulas.cbec.render(values, shown, notes, written)
        : formulas.statutory.render(values, shown, notes, written),
    );
  }

  // VAT
  const vatValues = { P, duty, CT_statutory: ctStatutory, v: rate.vat, k };
  const valueAddedTax = valued(
    fig.valueAddedTax,
    f.reduced
      ? VAT_CBEC.render(vatValues, undefined, undefined, written)
      : VAT.render(vatValues, undefined, undefined, written),
  );
  return { customsTax, consumptionTax, valueAddedTax };
}

function valued(value: Decimal, r: Rendered): RawTax {
  return { value, formula: r.formula, inputs: r.inputs };
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
