import type { TaxPolicy } from '../tax/policy.js';
import type { Policy } from './policy.js';
import { checkArgument } from '../model/guards.js';

/** The policy values without which a day has no CBEC retail-import regime, as rulesets name them. */
const REGIME_VALUES = ['singleTransactionLimit', 'annualLimit', 'cbecTaxFactor', 'cbecDutyRate'] as const;

/** The regime values the policy in force does not set: none on a day with a CBEC regime. */
export function missingRegimeValues(policy: Policy): string[] {
  return REGIME_VALUES.filter((key) => policy[key] === undefined);
}

/**
 * The duty engine's policy from the ruleset policy in force, or undefined when the date has
 * no CBEC regime (the rulesets set no limits before the regime began).
 */
export function toTaxPolicy(policy: Policy): TaxPolicy | undefined {
  checkArgument(policy, 'object', 'toTaxPolicy', 'the policy');
  const { singleTransactionLimit, annualLimit, cbecTaxFactor, cbecDutyRate } = policy;
  if (!singleTransactionLimit || !annualLimit || !cbecTaxFactor || !cbecDutyRate) return undefined;
  return {
    singleTransactionLimit,
    annualLimit,
    singleItemFullTax: policy.singleItemFullTax,
    generalTradeQuote: policy.generalTradeQuote,
    cbecTaxFactor,
    cbecDutyRate,
    rounding: policy.rounding,
    nonCashDiscountReducesBase: policy.nonCashDiscountReducesBase,
    allocationRemainder: policy.allocationRemainder,
    quotaBasis: policy.quotaBasis,
  };
}
