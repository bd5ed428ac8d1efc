/**
 * GB 11643-1999 citizen ID numbers: 6-digit area, 8-digit birth date, 3-digit sequence and a
 * check character (ISO 7064 MOD 11-2). Pure functions.
 */

import { isRealDate } from '../time/beijing.js';
import { checkArgument, plainSpelling } from '../model/guards.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  checkArgument(first17, 'text', 'idCheckCharacter', 'the first 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

type IdNumberProblem = 'format' | 'birth-date' | 'check-digit';

/** The birth date as YYYY-MM-DD when it is a real calendar date, else undefined. */
export function idBirthDate(id: string): string | undefined {
  checkArgument(id, 'text', 'idBirthDate', 'the ID number');
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  if (!(y >= 1900) || !isRealDate(y, m, d)) return undefined;
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/**
 * Checks an 18-character ID number: format (upper-case X only), a real birth date not after
 * `at`, and the check character. Returns the first problem, or undefined when it is valid.
 */
export function checkIdNumber(id: string, at?: string): IdNumberProblem | undefined {
  const key = idNumberKeyProblem(id);
  if (key === 'format') return key;
  const birth = idBirthDate(id);
  if (birth === undefined || (at !== undefined && birth > at)) return 'birth-date';
  return key;
}

/**
 * The form (17 digits and a digit or upper-case X) and check character of an ID number, without
 * its birth date: what makes one spelling per person, the quota ledger's key. Returns the first
 * problem, or undefined when both hold.
 */
export function idNumberKeyProblem(id: string): 'format' | 'check-digit' | undefined {
  // A non-string is no ID number (bad data, not misuse); RegExp.test would convert it, and a Symbol threw.
  if (typeof id !== 'string' || !/^\d{17}[\dX]$/.test(id)) return 'format';
  return idCheckCharacter(id.slice(0, 17)) !== id[17] ? 'check-digit' : undefined;
}

/**
 * The one spelling of an ID number that sandan compares and hashes: Unicode NFKC (full-width
 * digits and Ｘ become ASCII), white space and invisible characters removed, `x` upper-cased.
 * Anything else (a trailing `-`, a 19th digit) is kept, so that {@link checkIdNumber} refuses
 * it rather than two spellings silently meaning one person. Never throws.
 */
export function normaliseIdNumber(id: string): string {
  return plainSpelling(id).replace(/x/g, 'X');
}

/** An ID number with its middle masked for messages, e.g. `1101**********002X`; short ones are masked whole. */
export function maskIdNumber(id: string): string {
  const chars = [...id];
  if (chars.length < 12) return '*'.repeat(chars.length);
  return `${chars.slice(0, 4).join('')}${'*'.repeat(chars.length - 8)}${chars.slice(-4).join('')}`;
}
