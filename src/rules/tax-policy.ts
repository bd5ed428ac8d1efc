import type { Decimal } from 'decimal.js';
import type { TaxPolicy } from '../tax/policy.js';
import type { Policy } from './policy.js';
import { checkArgument } from '../model/guards.js';

/** The policy keys whose value is an optional Decimal. */
type DecimalKey = {
  [K in keyof Policy]-?: Policy[K] extends Decimal | undefined ? (undefined extends Policy[K] ? K : never) : never;
}[keyof Policy];

/** The policy values without which a day has no CBEC retail-import regime, as rulesets name them. */
const REGIME_VALUES = [
  'singleTransactionLimit',
  'annualLimit',
  'cbecTaxFactor',
  'cbecDutyRate',
] as const satisfies readonly DecimalKey[];

/** A policy that sets every regime value. */
type RegimePolicy = Policy & { [K in (typeof REGIME_VALUES)[number]]: Decimal };

/** The regime values the policy in force does not set: none on a day with a CBEC regime. */
export function missingRegimeValues(policy: Policy): string[] {
  // (falsy, not only undefined: toTaxPolicy is public, and a null from JavaScript sets nothing)
  return REGIME_VALUES.filter((key) => !policy[key]);
}

/** Whether the policy sets every regime value (the list above, as {@link missingRegimeValues} reads it). */
function hasRegime(policy: Policy): policy is RegimePolicy {
  return missingRegimeValues(policy).length === 0;
}

/**
 * The duty engine's policy from the ruleset policy in force, or undefined when the date has
 * no CBEC regime (the rulesets set no limits before the regime began).
 */
export function toTaxPolicy(policy: Policy): TaxPolicy | undefined {
  checkArgument(policy, 'object', 'toTaxPolicy', 'the policy');
  if (!hasRegime(policy)) return undefined;
  return {
    singleTransactionLimit: policy.singleTransactionLimit,
    annualLimit: policy.annualLimit,
    singleItemFullTax: policy.singleItemFullTax,
    generalTradeQuote: policy.generalTradeQuote,
    cbecTaxFactor: policy.cbecTaxFactor,
    cbecDutyRate: policy.cbecDutyRate,
    rounding: policy.rounding,
    nonCashDiscountReducesBase: policy.nonCashDiscountReducesBase,
    allocationRemainder: policy.allocationRemainder,
    quotaBasis: policy.quotaBasis,
    dutiableValueRounding: policy.dutiableValueRounding,
  };
}
