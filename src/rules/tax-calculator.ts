import type { Issue } from '../model/issue.js';
import { parseDeclaration } from '../model/parse.js';
import { parseDeclarationReading } from '../model/parse-reading.js';
import { computeTax, type TaxFigures, type TaxResult } from '../tax/compute.js';
import { toTaxPolicy } from './tax-policy.js';
import { noRegimeIssue } from './tax/regime.js';
import { prepare, type ValidateOptions } from './validate.js';
import { optionNames } from '../model/options.js';

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

/** The names of {@link TaxCalculatorOptions}: any other key is misuse (a misspelt option was ignored). */
export const TAX_CALCULATOR_OPTION_NAMES = optionNames<TaxCalculatorOptions>({
  at: true,
  district: true,
  ruleset: true,
  registry: true,
  rates: true,
  explain: true,
});

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
  const prepared = prepare(options, 'createTaxCalculator', TAX_CALCULATOR_OPTION_NAMES);
  const rates = prepared.services.rates;
  return (input) => {
    const parsed = parseDeclaration(input);
    const { resolved } = prepared.resolve(input);
    const ruleset = { chain: resolved.chain, at: resolved.at };
    // Field errors only where the tax reads nothing (a buyer's telephone, a waybill's weight): the figures are those
    // of the fields it reads, which are sound, and the result carries the errors under tax-declaration-invalid.
    const reading = parsed.success ? undefined : parseDeclarationReading(input, taxReads);
    if (!parsed.success && !reading) return { ok: false, issues: parsed.issues, ruleset };
    const declaration = parsed.success ? parsed.data : reading!.data;
    const policy = toTaxPolicy(resolved.policy);
    if (!policy) {
      const issue = noRegimeIssue(resolved.policy, resolved.at, input);
      return { ok: false, ruleset, issues: issue ? [issue] : [] };
    }
    const result = computeTax(declaration, { policy, rates, explain: options.explain !== false, at: resolved.at });
    if (reading) {
      // (unknown fields are no concern of the tax, as for a declaration that parses)
      const errors = reading.issues.filter((i) => i.code !== 'unknown-field');
      result.issues = [invalidDeclarationIssue(errors), ...errors, ...result.issues];
    }
    return { ok: true, result, ruleset };
  };
}

/**
 * The fields of a declaration the tax reads (computeTax, the date and district its policy is chosen by), and the
 * documents, lists and lines that hold them: a field error in any of these refuses the computation.
 */
const TAX_READS = new RegExp(
  `^(?:|order|inventory|inventory\\.items|inventory\\.items\\[\\d+\\]|${[
    // the policy's day (declTime, else appTime) and district (customsCode); goodsValue tells computeTax the model
    'inventory\\.declTime',
    'inventory\\.customsCode',
    'inventory\\.freight',
    'inventory\\.insuredFee',
    'order\\.appTime',
    'order\\.discount',
    'order\\.goodsValue',
    'inventory\\.items\\[\\d+\\]\\.(?:gnum|gcode|qty|unit|qty1|unit1|qty2|unit2|totalPrice)',
  ].join('|')})$`,
);

/** Whether the tax reads the field at `path` (or it holds one the tax reads). */
function taxReads(path: string): boolean {
  return TAX_READS.test(path);
}

/** The mark of figures computed from a declaration with field errors in fields the tax does not read. */
function invalidDeclarationIssue(issues: readonly Issue[]): Issue {
  const paths = issues.map((i) => i.path);
  return {
    code: 'tax-declaration-invalid',
    severity: 'error',
    path: '',
    ruleId: 'fields/schema',
    message: {
      zh: `申报数据有字段错误（${paths.join('、')}），按现状申报会被退回；以下税额只用到计税读取的字段（清单表体的商品编码、数量、单位和总价，运费，保费，折扣，日期，关区），这些字段无误`,
      en: `The declaration has field errors (${paths.join(', ')}), so customs would refuse it as it stands; the figures use only the fields the tax reads (the inventory lines' gcode, quantities, units and totalPrice, freight, insuredFee, the discount, the date and the customs code), which have none`,
    },
  };
}
