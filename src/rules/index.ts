export * from './types.js';
export type { QuotaSnapshot, RuleServices } from './services.js';
export type { RuleExample, RuleExamples, InvalidRuleExample } from './examples.js';
export * from './policy.js';
export * from './codes.js';
export * from './ruleset.js';
export * from './registry.js';
// prepare(), PreparedOptions and validatorFor() are internal: validate() and createValidator() use them.
export {
  createValidator,
  declarationDate,
  extensionsFor,
  validate,
  type ValidateOptions,
  type ValidationResult,
  type Validator,
} from './validate.js';
export { NEWEST_POLICY_DATE } from './declaration-date.js';
export * from './positive-list.js';
export * from './positive-list-import.js';
export * from './goods-records.js';
export {
  bundledPositiveLists,
  bundledCodeTables,
  bundledRateTable,
  bundledRulesets,
  defaultRegistry,
} from './bundled.js';
export { toTaxPolicy } from './tax-policy.js';
export { checkIdNumber, idCheckCharacter, idBirthDate } from './id-number.js';
export * from './district.js';
export { districtRuleset, districtRulesetId } from './district-ruleset.js';
// TAX_CALCULATOR_OPTION_NAMES is internal: taxStream checks its options against it.
export { createTaxCalculator, type TaxCalculation, type TaxCalculatorOptions } from './tax-calculator.js';
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
export {
  taxStream,
  validateStream,
  type DeclarationSource,
  type InputFailure,
  type StreamOptions,
  type StreamProgress,
  type TaxStreamItem,
  type ValidateStreamItem,
} from './stream.js';
