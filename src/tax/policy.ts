import type { Decimal } from 'decimal.js';
import { checkArgument, describeInput } from '../model/guards.js';
import { Dec } from '../model/primitives.js';
import { SandanError } from '../errors.js';
import { isRoundingMode, ROUND_PER_LINE } from './formulas.js';

/** How an amount is brought to `scale` places: decimal.js modes by their everyday names. */
export type RoundingMode = 'half-up' | 'half-even' | 'down' | 'up';

/**
 * Rounding of tax amounts. `scope: 'line'` rounds each tax of each line (as the CEB816 tax
 * bill lists them) and sums the rounded lines; `scope: 'order'` sums the unrounded line taxes
 * and rounds each order tax once; `scope: 'unit'` rounds each tax of one unit and multiplies it
 * by the line's whole quantity (what platforms that price per unit withhold).
 */
export interface RoundingPolicy {
  mode: RoundingMode;
  /** Decimal places; 2 = the fen. */
  scale: number;
  scope: 'line' | 'order' | 'unit';
  /**
   * How the duty and the statutory consumption tax enter the bases of the taxes after them:
   * `exact` (the default) as computed, or `rounded` first to `scale` with `mode`, as customs-broker
   * textbooks state each 税额 to the fen before the next 组成计税价格. No primary text decides it;
   * the two differ by 0.01 on some lines with CT or a duty (docs/tax.md, "Intermediate rounding").
   */
  intermediate?: 'exact' | 'rounded' | undefined;
}

/**
 * Whether the order's dutiable value is rounded before the limits see it: `exact` (the default)
 * compares the value as summed; `half-up-fen` first rounds it half-up (四舍五入) to the fen (0.01), as
 * 海关总署令第124号 第十六条 says of the 完税价格 (in its article on currency conversion; 272号 第十三条 ties
 * the rounding to the conversion). No text says how CBEC applies it; see docs/tax.md.
 */
export type DutiableValueRounding = 'exact' | 'half-up-fen';

/** Which line takes the rounding remainder when a header amount is spread over lines. */
export type AllocationRemainder = 'last-line' | 'largest-line';

/**
 * Whether one indivisible item above the single-transaction limit may still clear through CBEC,
 * at the full duty, VAT and consumption tax. `allowed: true` (财关税〔2018〕49号 二, from
 * 2019-01-01): when its dutiable value is below `below` (the annual limit, 26000). `allowed:
 * false` (财关税〔2016〕18号): such an item goes to general trade like any order above the limit.
 * `quote` is the policy sentence, quoted in the findings.
 */
export type SingleItemFullTax =
  | { allowed: false; quote?: string | undefined }
  | { allowed: true; below: Decimal; quote?: string | undefined };

/**
 * Policy values for one declaration, resolved by the caller from effective-dated rulesets
 * (docs/tax.md): the duty engine takes them as plain input and never reads a clock.
 */
export interface TaxPolicy {
  /** Per-order dutiable-value limit of the CBEC regime (5000 since 2019-01-01, 2000 before). */
  singleTransactionLimit: Decimal;
  /** Per-person yearly limit (26000 since 2019-01-01, 20000 before). */
  annualLimit: Decimal;
  /** The single-item path above the single-transaction limit (none before 2019-01-01; below 26000 since). */
  singleItemFullTax: SingleItemFullTax;
  /** The policy sentence sending orders above the limits to general trade, quoted in the findings. */
  generalTradeQuote?: string | undefined;
  /** Share of statutory VAT and consumption tax payable within limits (0.7). */
  cbecTaxFactor: Decimal;
  /** Share of the duty payable within limits (0: tariff temporarily zero). */
  cbecDutyRate: Decimal;
  rounding: RoundingPolicy;
  /** Whether the order's non-cash `discount` lowers the dutiable value (district practice differs, §2.1). */
  nonCashDiscountReducesBase: boolean;
  allocationRemainder: AllocationRemainder;
  /**
   * What an order adds to the buyer's year when `annualUsed` is given: its dutiable value (the
   * default) or the amount paid (`acturalPaid`), as the quota ledger counts it under the same policy.
   */
  quotaBasis?: 'dutiableValue' | 'actualPaid' | undefined;
  /**
   * Whether the order's dutiable value is rounded half-up to the fen before it is compared with the
   * limits and added to the buyer's year (`half-up-fen`), or compared as summed (`exact`, the default).
   */
  dutiableValueRounding?: DutiableValueRounding | undefined;
}

/** Half-up to the fen, per line and tax: the rounding when a ruleset names none. */
export const DEFAULT_ROUNDING: RoundingPolicy = Object.freeze({ mode: 'half-up', scale: 2, scope: 'line' });

/**
 * Policy under 财关税〔2018〕49号 (from 2019-01-01): 5000 / 26000, one item below 26000 at full tax, 70 %, tariff 0.
 * For tests and docs; production values come from dated rulesets.
 */
export const DEFAULT_TAX_POLICY_2019: Readonly<TaxPolicy> = Object.freeze({
  singleTransactionLimit: new Dec('5000'),
  annualLimit: new Dec('26000'),
  singleItemFullTax: Object.freeze({ allowed: true, below: new Dec('26000') }),
  cbecTaxFactor: new Dec('0.7'),
  cbecDutyRate: new Dec('0'),
  rounding: DEFAULT_ROUNDING,
  nonCashDiscountReducesBase: false,
  allocationRemainder: 'last-line',
});

/**
 * Policy under 财关税〔2016〕18号 (2016-04-08 to 2018-12-31): 2000 / 20000, no single-item path, 70 %, tariff 0.
 * For tests and docs; production values come from dated rulesets.
 */
export const DEFAULT_TAX_POLICY_2016: Readonly<TaxPolicy> = Object.freeze({
  ...DEFAULT_TAX_POLICY_2019,
  singleTransactionLimit: new Dec('2000'),
  annualLimit: new Dec('20000'),
  singleItemFullTax: Object.freeze({ allowed: false }),
});

/** `value` as a Decimal of sandan's money configuration (precision 40), without copying one that already is. */
export function toDec(value: Decimal): Decimal {
  return value.constructor === Dec ? value : new Dec(value);
}

/** An argument as a Decimal of what decimal.js can read; anything else is misuse (INVALID_OPTION, not a DecimalError). */
export function decimalArgument(value: Decimal | string, what: string): Decimal {
  try {
    return new Dec(value);
  } catch (e) {
    throw new SandanError('INVALID_OPTION', `${what} must be a number, got ${describeInput(value)}`, {
      cause: e,
    });
  }
}

/** Rounds `value` to the policy's scale with the policy's mode (the rounding declared in formulas.ts). */
export function roundTax(value: Decimal, rounding: RoundingPolicy): Decimal {
  checkArgument(value, 'decimal', 'roundTax', 'the value');
  checkArgument(rounding, 'object', 'roundTax', 'the rounding');
  return ROUND_PER_LINE.apply(value, rounding);
}

/** Throws INVALID_OPTION when a policy value is unusable; a bad policy is a programming error. */
export function assertTaxPolicy(policy: TaxPolicy): void {
  const fail = (field: string, why: string): never => {
    throw new SandanError('INVALID_OPTION', `Invalid tax policy: ${field} ${why}`, { details: { field } });
  };
  if (policy === null || typeof policy !== 'object')
    throw new SandanError(
      'INVALID_OPTION',
      'A tax policy is an object, e.g. DEFAULT_TAX_POLICY_2019 or toTaxPolicy(policy)',
    );
  const nonNegative = (v: unknown): boolean =>
    Dec.isDecimal(v) && (v as Decimal).isFinite() && !(v as Decimal).isNegative();
  for (const field of ['singleTransactionLimit', 'annualLimit', 'cbecTaxFactor', 'cbecDutyRate'] as const)
    if (!nonNegative(policy[field])) fail(field, 'must be a non-negative Decimal');
  const single = policy.singleItemFullTax as Partial<{ allowed: unknown; below: unknown; quote: unknown }> | undefined;
  if (single === null || typeof single !== 'object' || typeof single.allowed !== 'boolean') {
    fail('singleItemFullTax', 'must be { allowed: false } or { allowed: true, below: Decimal }');
  }
  if (single?.allowed === true && !nonNegative(single.below))
    fail('singleItemFullTax.below', 'must be a non-negative Decimal when allowed');
  const r = policy.rounding as RoundingPolicy | undefined;
  if (r === undefined || !isRoundingMode(r.mode))
    fail('rounding.mode', "must be 'half-up', 'half-even', 'down' or 'up'");
  if (!Number.isInteger(r?.scale) || (r?.scale ?? -1) < 0 || (r?.scale ?? 99) > 5)
    fail('rounding.scale', 'must be an integer 0..5');
  if (r?.scope !== 'line' && r?.scope !== 'order' && r?.scope !== 'unit')
    fail('rounding.scope', "must be 'line', 'order' or 'unit'");
  if (r?.intermediate !== undefined && r.intermediate !== 'exact' && r.intermediate !== 'rounded')
    fail('rounding.intermediate', "must be 'exact' or 'rounded'");
  if (policy.allocationRemainder !== 'last-line' && policy.allocationRemainder !== 'largest-line') {
    fail('allocationRemainder', "must be 'last-line' or 'largest-line'");
  }
  if (typeof policy.nonCashDiscountReducesBase !== 'boolean') fail('nonCashDiscountReducesBase', 'must be a boolean');
  if (policy.quotaBasis !== undefined && policy.quotaBasis !== 'dutiableValue' && policy.quotaBasis !== 'actualPaid')
    fail('quotaBasis', "must be 'dutiableValue' or 'actualPaid'");
  if (
    policy.dutiableValueRounding !== undefined &&
    policy.dutiableValueRounding !== 'exact' &&
    policy.dutiableValueRounding !== 'half-up-fen'
  )
    fail('dutiableValueRounding', "must be 'exact' or 'half-up-fen'");
}
