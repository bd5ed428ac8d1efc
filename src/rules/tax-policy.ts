import type { TaxPolicy } from '../tax/policy.js';
import type { Policy } from './policy.js';
import { checkArgument } from '../model/guards.js';

/**
 * The duty engine's policy from the ruleset policy in force, or undefined when the date has
 * no CBEC regime (before 2016-04-08 the rulesets set no limits).
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
