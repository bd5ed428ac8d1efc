/*
 * Small checks every part of sandan needs: is a value a record, is a text an amount. One copy
 * each, internal (the package does not export them; the model's public checks are the schemas
 * and toDecimal in ./primitives).
 */

/** A plain record to read fields of: an object, not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `N19,5` as text: at most 14 integer and 5 fraction digits, an optional minus, no other sign or blank. */
export const N19_5_TEXT = /^-?\d{1,14}(\.\d{1,5})?$/;

/** True when the text is a non-negative `N19,5` amount (`0`, `12.5`, `99999999999999.99999`; not `-1`, `.5`, `1e2`). */
export function isAmountText(value: string): boolean {
  return value.charCodeAt(0) !== 45 /* - */ && N19_5_TEXT.test(value);
}

/**
 * True when the text is a decimal number of any size: an optional sign, digits with an optional
 * point (`5.`, `.5`), no exponent or blank. What the XML reader takes as a decimal field (the
 * model's schema then checks N19,5), and so what reconciliation takes from the same documents.
 */
export function isDecimalText(value: string): boolean {
  return DECIMAL_TEXT.test(value);
}

const DECIMAL_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
