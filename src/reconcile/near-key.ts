import { plainSpelling } from '../model/guards.js';

/*
 * Near misses: keys that differ only in case, white space or full-width forms. Keys are joined as written, as customs
 * compares them; a near miss is named, never joined. Reconciliation (both indexes) and `status` find them by this key.
 */

/** The most near misses a row names (per key looked up, and per bill row). */
export const NEAR_MISSES = 3;

const PRINTABLE_ASCII = /^[!-~]*$/;

/**
 * The spelling two keys share when they differ only in case, white space or full-width forms
 * (`29242026i000000001`, `" 29242026I000000001 "`, `２９２４…`): what a near miss is found by.
 */
export function nearKey(key: string): string {
  // Printable ASCII without spaces (nearly every key) is its own plain spelling: no NFKC pass for it.
  return (PRINTABLE_ASCII.test(key) ? key : plainSpelling(key)).toUpperCase();
}

/** A key as a message shows it: as it is when printable ASCII without spaces, else quoted so that its white space shows. */
export function shownKey(key: string): string {
  return PRINTABLE_ASCII.test(key) ? key : JSON.stringify(key);
}
