import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { fieldNameZh } from '../../model/field-names.js';
import { hasEdgeSpace } from '../../errors.js';
import type { DocumentName, DocView, HeadOf, RuleContext } from '../types.js';

/**
 * `a.eq(b)`, without decimal.js's copy of `b` when both are the same object (amounts with
 * the same text share one Decimal, see decimalOfText); NaN stays unequal to itself.
 */
export function decEq(a: Decimal, b: Decimal): boolean {
  return (a === b && !a.isNaN()) || a.eq(b);
}

/** The options of a rule that compares amounts: `tolerance`, a non-negative decimal text (`'0'` unless set). */
export const TOLERANCE_OPTIONS = z.strictObject({
  tolerance: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .default('0'),
});

/**
 * `|a − b| > tolerance` for a non-negative tolerance; equal amounts (the usual case) are
 * answered without computing the difference.
 */
export function differsBeyond(a: Decimal, b: Decimal, tolerance: Decimal): boolean {
  return !decEq(a, b) && a.minus(b).abs().gt(tolerance);
}

/** Formats a Decimal for messages without float artefacts or exponent notation. */
export function show(d: Decimal | undefined): string {
  return d === undefined ? '—' : d.toFixed();
}

/**
 * The text of a mismatch between a field and the value it must equal elsewhere, e.g.
 * `payment.orderNo` against `order.orderNo`; rules whose codes are such mismatches use it as
 * the message of those codes.
 */
export const MISMATCH = {
  zh: '{field}（{path}）为 {actual}，与 {otherPath} 的 {expected} 不一致',
  en: '{path} is {actual} but {otherPath} is {expected}; they must be equal',
} as const;

/** A mismatch report of message `messageId` (whose text is {@link MISMATCH}). */
interface MismatchReport<M extends string> {
  messageId: M;
  path: string;
  expected: string;
  actual: string;
  data: { field: string; path: string; otherPath: string; actual: string; expected: string };
}

/** A document of the input with its name, for paths. */
interface DocRef<N extends DocumentName> {
  doc: DocView<N> | undefined;
  name: N;
}

/** The named document of the input. */
export function ref<N extends DocumentName>(ctx: RuleContext, name: N): DocRef<N> {
  return { doc: ctx.doc(name), name };
}

/**
 * Compares a text field of two documents when both are present; reports at `b`'s field, the
 * one that must follow `a`. `spelling`, when given, maps both values to the one spelling compared
 * (an ID number's, `normaliseIdNumber`); the report keeps the values as written, and its message
 * quotes them (as JSON) when one has white space at an end.
 */
export function sameString<M extends string, A extends DocumentName, B extends DocumentName>(
  ctx: RuleContext,
  messageId: M,
  a: DocRef<A>,
  aKey: keyof HeadOf<A> & string,
  b: DocRef<B>,
  bKey: keyof HeadOf<B> & string,
  spelling?: (value: string) => string,
): Array<MismatchReport<M>> {
  const expected = ctx.str(a.doc, aKey);
  const actual = ctx.str(b.doc, bKey);
  if (expected === undefined || actual === undefined || expected === actual) return [];
  if (spelling && spelling(expected) === spelling(actual)) return [];
  const path = `${b.name}.${bKey}`;
  const otherPath = `${a.name}.${aKey}`;
  // Both quoted when one has white space at an end, so that they read alike.
  const quote = hasEdgeSpace(expected) || hasEdgeSpace(actual);
  const shown = (v: string) => (quote ? JSON.stringify(v) : v);
  return [
    {
      messageId,
      path,
      expected,
      actual,
      data: { field: fieldNameZh(path), path, otherPath, actual: shown(actual), expected: shown(expected) },
    },
  ];
}
