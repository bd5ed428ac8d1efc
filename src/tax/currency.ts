import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { SandanError } from '../errors.js';
import { decimalArgument } from './policy.js';

/**
 * Converts a foreign-currency amount to CNY at the customs rate and rounds half-up to the fen
 * (海关总署令第272号 Art. 13). `customsRate` is CNY per one unit of the currency (divide a
 * per-100 quotation by 100 first); sandan fetches no rates.
 */
export function convertToCny(amount: Decimal | string, customsRate: Decimal | string): Decimal {
  const a = decimalArgument(amount, 'Amount');
  const r = decimalArgument(customsRate, 'Customs rate');
  if (!a.isFinite() || a.isNegative())
    throw new SandanError('INVALID_OPTION', `Amount must be a non-negative number, got ${a.toString()}`);
  if (!r.isFinite() || !r.gt(0))
    throw new SandanError('INVALID_OPTION', `Customs rate must be positive, got ${r.toString()}`);
  return a.times(r).toDecimalPlaces(2, Dec.ROUND_HALF_UP);
}
