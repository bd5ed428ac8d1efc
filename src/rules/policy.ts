import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { DateSchema, SourceRefSchema } from '../model/sources.js';
import { Dec } from '../model/primitives.js';
import { isoDateOption, isWithinDates } from '../time/beijing.js';
import {
  DEFAULT_ROUNDING,
  type DutiableValueRounding,
  type RoundingPolicy,
  type SingleItemFullTax,
} from '../tax/policy.js';
import { checkArgument } from '../model/guards.js';

/**
 * Policy values: limits, factors and settings that change with regulations. They live in
 * rulesets as effective-dated entries (docs/tax.md), never as constants.
 */

const decimalString = z.string().regex(/^\d{1,14}(\.\d{1,10})?$/, 'a decimal string such as "5000" or "0.7"');

/** The value schema of every policy key a ruleset may set. */
export const POLICY_VALUES = {
  singleTransactionLimit: decimalString.describe('Single-transaction limit in CNY (dutiable value of one order).'),
  annualLimit: decimalString.describe('Annual limit per buyer in CNY.'),
  singleItemFullTax: z
    .union([
      z.strictObject({ allowed: z.literal(false), quote: z.string().min(1).optional() }),
      z.strictObject({ allowed: z.literal(true), below: decimalString, quote: z.string().min(1).optional() }),
    ])
    .describe(
      'Whether one indivisible item above the single-transaction limit may clear through CBEC at the full duty, VAT and consumption tax (allowed, when its dutiable value is below `below`) or goes to general trade; `quote` is the policy sentence the findings quote.',
    ),
  generalTradeQuote: z
    .string()
    .min(1)
    .describe('The policy sentence sending orders above the limits to general trade, quoted in the findings.'),
  cbecTaxFactor: decimalString.describe(
    'Share of the statutory VAT and consumption tax charged within the limits (0.7).',
  ),
  cbecDutyRate: decimalString.describe('Customs duty rate applied within the limits (0: tariff temporarily zero).'),
  rounding: z
    .strictObject({
      mode: z.enum(['half-up', 'half-even', 'down', 'up']),
      scale: z.number().int().min(0).max(5),
      scope: z.enum(['line', 'order', 'unit']),
      intermediate: z.enum(['exact', 'rounded']).optional(),
    })
    .describe(
      'How taxes are rounded: per line and tax (as CEB816 lists them), once per order, or per unit and tax times the quantity (`unit`, as platforms that price per unit withhold); `intermediate`: whether the duty and the statutory consumption tax enter the next tax base exactly (default) or rounded first.',
    ),
  nonCashDiscountReducesBase: z
    .boolean()
    .describe('Whether the non-cash discount lowers the dutiable value (sources differ; default no).'),
  allocationRemainder: z
    .enum(['last-line', 'largest-line'])
    .describe('Which line takes the rounding remainder when freight and insurance are allocated.'),
  taxTolerance: decimalString.describe('Accepted difference between order.taxTotal and the computed tax, in CNY.'),
  quotaBasis: z.enum(['dutiableValue', 'actualPaid']).describe('Which amount counts toward the annual quota.'),
  dutiableValueRounding: z
    .enum(['exact', 'half-up-fen'])
    .describe(
      "Whether the order's dutiable value is compared with the limits (and added to the annual total) as summed (`exact`) or rounded half-up to the fen first (`half-up-fen`).",
    ),
  returnWindow: z
    .strictObject({ applyDays: z.number().int().min(1).max(366), arriveDays: z.number().int().min(1).max(366) })
    .describe(
      'When a return clears tax and quota: applied for within applyDays, and the goods back in the original site, zone or centre within arriveDays, of the inventory release.',
    ),
  returnDayCount: z
    .enum(['from-next-day', 'from-release-day'])
    .describe(
      'How the return window counts days: from the day after the release (the release day is not counted) or with the release day as day 1.',
    ),
} as const;

/** The name of a policy value. */
export type PolicyKey = keyof typeof POLICY_VALUES;

export { DateSchema };
/** Whether dated data is in force on `at` (`YYYY-MM-DD`); both bounds are inclusive, a missing one is open. */
export function inForce(
  entry: { effectiveFrom?: string | undefined; effectiveTo?: string | undefined },
  at: string,
): boolean {
  checkArgument(entry, 'object', 'inForce', 'the entry');
  isoDateOption(at, 'inForce: at', 'INVALID_OPTION');
  return isWithinDates(at, entry.effectiveFrom, entry.effectiveTo);
}

/** How sure a data value is: `uncertain` makes the rule it drives warn instead of fail. */
export const ConfidenceSchema = z.enum(['verified', 'memory', 'uncertain']);

/** One dated value of a policy key. */
export const policyEntry = <V extends z.ZodType>(value: V) =>
  z.strictObject({
    value,
    effectiveFrom: DateSchema.optional(),
    effectiveTo: DateSchema.optional(),
    /** The id (or ids) of the documents in the file's `sources`. */
    source: SourceRefSchema,
    confidence: ConfidenceSchema.optional(),
    note: z.string().optional(),
  });

/** The `policy` section of a ruleset: dated entries per key. */
export const PolicySectionSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(POLICY_VALUES).map(([k, v]) => [
      k,
      z
        .array(policyEntry(v as z.ZodType))
        .min(1)
        .optional(),
    ]),
  ),
);

/** Policy values in force on a date, ready for computation. */
export interface Policy {
  singleTransactionLimit: Decimal | undefined;
  annualLimit: Decimal | undefined;
  /** The single-item path above the single-transaction limit; `{ allowed: false }` when no ruleset sets one. */
  singleItemFullTax: SingleItemFullTax;
  /** The policy sentence sending orders above the limits to general trade, quoted in the findings. */
  generalTradeQuote: string | undefined;
  cbecTaxFactor: Decimal | undefined;
  cbecDutyRate: Decimal | undefined;
  rounding: RoundingPolicy;
  nonCashDiscountReducesBase: boolean;
  allocationRemainder: 'last-line' | 'largest-line';
  taxTolerance: Decimal;
  quotaBasis: 'dutiableValue' | 'actualPaid';
  /** Whether the order's dutiable value is rounded half-up to the fen before the limits see it (default `exact`). */
  dutiableValueRounding: DutiableValueRounding;
  /** The return window counted from the inventory release; undefined when no ruleset sets one. */
  returnWindow: { applyDays: number; arriveDays: number; dayCount: 'from-next-day' | 'from-release-day' } | undefined;
  /** Where each value in force came from. */
  sources: Partial<Record<PolicyKey, string>>;
}

type RawPolicy = { [K in PolicyKey]?: z.output<(typeof POLICY_VALUES)[K]> };

/** Turns raw values in force into a {@link Policy}; absent limits stay undefined so rules can say so. */
export function toPolicy(raw: RawPolicy, sources: Partial<Record<PolicyKey, string>>): Policy {
  checkArgument(raw, 'object', 'toPolicy', 'the raw policy');
  checkArgument(sources, 'object', 'toPolicy', 'sources');
  const d = (v: string | undefined) => (v === undefined ? undefined : new Dec(v));
  return {
    singleTransactionLimit: d(raw.singleTransactionLimit),
    annualLimit: d(raw.annualLimit),
    singleItemFullTax: raw.singleItemFullTax?.allowed
      ? { ...raw.singleItemFullTax, below: new Dec(raw.singleItemFullTax.below) }
      : (raw.singleItemFullTax ?? { allowed: false }),
    generalTradeQuote: raw.generalTradeQuote,
    cbecTaxFactor: d(raw.cbecTaxFactor),
    cbecDutyRate: d(raw.cbecDutyRate),
    rounding: raw.rounding ?? DEFAULT_ROUNDING,
    nonCashDiscountReducesBase: raw.nonCashDiscountReducesBase ?? false,
    allocationRemainder: raw.allocationRemainder ?? 'last-line',
    taxTolerance: new Dec(raw.taxTolerance ?? '0'),
    quotaBasis: raw.quotaBasis ?? 'dutiableValue',
    dutiableValueRounding: raw.dutiableValueRounding ?? 'exact',
    returnWindow: raw.returnWindow && { ...raw.returnWindow, dayCount: raw.returnDayCount ?? 'from-next-day' },
    sources,
  };
}
