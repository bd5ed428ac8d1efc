import type { Issue } from '../model/issue.js';
import { parseDeclaration } from '../model/parse.js';
import { computeTax, type TaxFigures, type TaxResult } from '../tax/compute.js';
import { toTaxPolicy } from './tax-policy.js';
import { noRegimeIssue } from './tax/regime.js';
import { prepare, type ValidateOptions } from './validate.js';

/** What {@link createTaxCalculator} returns for one declaration (`R`: with or without explanations). */
export type TaxCalculation<R extends TaxFigures = TaxResult> =
  | { ok: true; result: R; ruleset: { chain: string[]; at: string } }
  | { ok: false; issues: Issue[]; ruleset?: { chain: string[]; at: string } };

/** Options of {@link createTaxCalculator}. */
export interface TaxCalculatorOptions
  extends Pick<ValidateOptions, 'at' | 'district' | 'ruleset' | 'registry' | 'rates'> {
  /** Whether each figure carries its explanation (default true). Explanations are rendered when first read, so false saves little unless they are read. */
  explain?: boolean;
}

/**
 * Computes the tax of declarations with the policy in force on each one's date and district
 * (as {@link validate} resolves them) and the given rate tables before the bundled seed table.
 * A declaration that cannot be parsed, or whose date has no CBEC regime, gives issues.
 */
export function createTaxCalculator(
  options: TaxCalculatorOptions & { explain: false },
): (input: unknown) => TaxCalculation<TaxFigures>;
export function createTaxCalculator(
  options?: TaxCalculatorOptions & { explain?: true },
): (input: unknown) => TaxCalculation;
export function createTaxCalculator(
  options: TaxCalculatorOptions = {},
): (input: unknown) => TaxCalculation<TaxFigures> {
  const prepared = prepare(options, 'createTaxCalculator');
  const rates = prepared.services.rates;
  return (input) => {
    const parsed = parseDeclaration(input);
    const { resolved } = prepared.resolve(input);
    const ruleset = { chain: resolved.chain, at: resolved.at };
    const errors = parsed.issues.filter((i) => i.code !== 'unknown-field');
    if (!parsed.success || errors.length > 0) return { ok: false, issues: parsed.issues, ruleset };
    const policy = toTaxPolicy(resolved.policy);
    if (!policy) {
      const issue = noRegimeIssue(resolved.policy, resolved.at, input);
      return { ok: false, ruleset, issues: issue ? [issue] : [] };
    }
    return {
      ok: true,
      result:
        options.explain === false
          ? computeTax(parsed.data, { policy, rates, explain: false, at: resolved.at })
          : computeTax(parsed.data, { policy, rates, at: resolved.at }),
      ruleset,
    };
  };
}
