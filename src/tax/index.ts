/**
 * The duty engine: CBEC retail-import duty, consumption tax and VAT over decimal.js,
 * as pure functions (no I/O, no clock). See docs/tax.md.
 */

/** Policy input and the two historical defaults (for tests and docs). */
export {
  DEFAULT_TAX_POLICY_2016,
  DEFAULT_TAX_POLICY_2019,
  roundTax,
  type AllocationRemainder,
  type DutiableValueRounding,
  type RoundingMode,
  type RoundingPolicy,
  type SingleItemFullTax,
  type TaxPolicy,
} from './policy.js';
/** The one regime decision (CBEC, CBEC at full tax, general trade), shared with the `limits/*` rules. */
export {
  decideRegime,
  orderDutiableValue,
  type RegimeDecision,
  type RegimeFinding,
  type RegimeLimit,
  type RegimeOrder,
  type RegimePolicy,
  type RegimeReason,
  type RegimeYear,
} from './regime.js';
/** Rate tables: parse the user format and resolve a code by longest prefix over layered tables. */
export {
  parseRateTable,
  resolveRate,
  type ConsumptionTier,
  type RateTable,
  type ResolvedRate,
  type TaxRate,
  type UnitValueThreshold,
} from './rates.js';
/** Exact allocation of a header amount over lines. */
export { allocate, type Allocation } from './allocate.js';
/** Line formulas, regimes and explanations. */
export { quantityIn, type Explanation, type LineQuantities, type Regime } from './line.js';
/** Tax of a whole declaration. */
export {
  computeTax,
  type ComputeTaxOptions,
  type LineExplanation,
  type OmittedLine,
  type ShareExplanation,
  type TaxFigures,
  type TaxLine,
  type TaxLineFigures,
  type TaxResult,
} from './compute.js';
/** Tax-inclusive shelf prices. */
export {
  fromTaxInclusivePrice,
  type TaxInclusiveOptions,
  type TaxInclusiveSplit,
  type TaxParts,
} from './inclusive.js';
/** Foreign-currency conversion at the customs rate. */
export { convertToCny } from './currency.js';
/** JSON output. */
export { taxResultToJSON, type TaxResultJSON } from './json.js';
export { SandanError, isSandanError, type SandanErrorCode } from '../errors.js';
