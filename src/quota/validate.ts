import type { Decimal } from 'decimal.js';
import {
  declarationDate,
  validate,
  VALIDATE_OPTION_NAMES,
  type ValidateOptions,
  type ValidationResult,
} from '../rules/validate.js';
import type { QuotaSnapshot } from '../rules/services.js';
import { normaliseIdNumber } from '../rules/id-number.js';
import type { AnnualQuantities } from '../rules/positive-list.js';
import { buyerIdProblem, quantityOf, type QuotaBalance, type QuotaQuantityUse } from './core.js';
import { checkLedger, type QuotaLedger } from './ledger.js';
import { isRecord, nonBlankText, ownValue, checkArgument } from '../model/guards.js';
import { knownOptions } from '../model/options.js';
import { yearOfIsoDate } from '../time/beijing.js';

/**
 * Validation with the buyer's quota: fetches snapshots from the ledger (async), then runs
 * the synchronous `validate` with them as its `quota` option (read by the `limits/annual` rule)
 * and `annualQuantities` option (read by the positive list's per-person annual caps).
 */

type Rec = Record<string, unknown> | undefined;

/**
 * A snapshot of one buyer-year for the `quota` option: `used` answers for that buyer and year
 * only (any other buyer or year is unknown, and the rule stays silent). IDs compare after
 * {@link normaliseIdNumber}, as the ledger keys them.
 */
export function quotaSnapshot(buyerIdNumber: string, year: number, used: Decimal): QuotaSnapshot {
  checkArgument(buyerIdNumber, 'text', 'quotaSnapshot', 'buyerIdNumber', 'QUOTA_INVALID');
  const id = normaliseIdNumber(buyerIdNumber);
  return { used: (b, y) => (y === year && normaliseIdNumber(b) === id ? used : undefined) };
}

/** The CEB unit code of each unit a positive-list cap is written in (`035` 千克). */
const UNIT_CODE: Record<string, string> = { kg: '035' };

/**
 * A snapshot of one buyer-year's quantities for the `annualQuantities` option: `used` answers for
 * that buyer and year only; a code the buyer did not buy is zero, and everything is unknown
 * while an order that counts was reserved without quantities.
 */
export function annualQuantitiesSnapshot(buyerIdNumber: string, use: QuotaQuantityUse): AnnualQuantities {
  checkArgument(buyerIdNumber, 'text', 'annualQuantitiesSnapshot', 'buyerIdNumber', 'QUOTA_INVALID');
  checkArgument(use, 'object', 'annualQuantitiesSnapshot', 'use (the quantities of the buyer-year)', 'QUOTA_INVALID');
  const id = normaliseIdNumber(buyerIdNumber);
  return {
    used: (b, y, hs8, unit) => {
      const code = ownValue(UNIT_CODE, unit);
      return y === use.year && code !== undefined && normaliseIdNumber(b) === id
        ? quantityOf(use, hs8, code)
        : undefined;
    },
  };
}

/** What {@link validateWithQuota} returns: the validation and the balance it was checked against. */
export interface QuotaValidationResult extends ValidationResult {
  /** The buyer's balance without this order, when the declaration names a buyer and a date. */
  quota?: QuotaBalance | undefined;
}

/**
 * Validates a declaration with the buyer's quota from the ledger: the balance of the buyer's
 * year, leaving out this order (its platform's `ebpCode` and its `orderNo`: its own reservation
 * must not count twice, while another platform's order of the same number counts), is handed to the
 * `limits/annual` rule, which reports 1313 before customs would; the quantities the buyer
 * bought that year, leaving out this order too, to the positive list's per-person caps.
 */
export async function validateWithQuota(
  input: unknown,
  ledger: QuotaLedger,
  options: ValidateOptions = {},
): Promise<QuotaValidationResult> {
  // (options.at is read, and the ledger asked, before validate would check the options)
  options = knownOptions(options, 'validateWithQuota', VALIDATE_OPTION_NAMES);
  checkLedger(ledger, 'validateWithQuota');
  const rec: Record<string, Rec> = isRecord(input) ? (input as Record<string, Rec>) : {};
  const id = nonBlankText(rec.inventory?.buyerIdNumber) ?? nonBlankText(rec.order?.buyerIdNumber);
  const date = options.at ?? declarationDate(rec);
  const orderNo = nonBlankText(rec.order?.orderNo) ?? nonBlankText(rec.inventory?.orderNo);
  // The platform whose order it is: an orderNo is unique only within one platform.
  const ebpCode = nonBlankText(rec.order?.ebpCode) ?? nonBlankText(rec.inventory?.ebpCode);
  // (an impossible --at has no year: validate refuses it)
  const year = date === undefined ? Number.NaN : yearOfIsoDate(date);
  if (id === undefined || date === undefined || Number.isNaN(year)) return validate(input, options);
  // A number the ledger refuses (QUOTA_BUYER_ID) has no quota to look up; the identity/id-number rule reports it.
  if (buyerIdProblem(normaliseIdNumber(id)) !== undefined) return validate(input, options);
  // A day without an annual limit (before the CBEC regime) has no quota to look up; the tax/regime rule reports it.
  if (!ledger.hasAnnualLimit(date)) return validate(input, options);
  const exclude = orderNo !== undefined ? { excludeOrder: { ebpCode: ebpCode ?? '', orderNo } } : {};
  const balance = await ledger.remaining(id, year, { at: date, ...exclude });
  const quantities = await ledger.usedQuantities(id, year, exclude);
  const result = validate(input, {
    ...options,
    quota: quotaSnapshot(id, year, balance.used),
    annualQuantities: annualQuantitiesSnapshot(id, quantities),
  });
  return { ...result, quota: balance };
}
