import type { Decimal } from 'decimal.js';
import { fieldNameZh } from '../../model/field-names.js';
import type { Rec, RuleContext, RuleIssue } from '../types.js';

/**
 * `a.eq(b)`, without decimal.js's copy of `b` when both are the same object (amounts with
 * the same text share one Decimal, see decimalOfText); NaN stays unequal to itself.
 */
export function decEq(a: Decimal, b: Decimal): boolean {
  return (a === b && !a.isNaN()) || a.eq(b);
}

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
 * A mismatch between a field and the value it must equal elsewhere, e.g. `payment.orderNo`
 * against `order.orderNo`. Reported at the path of the field that disagrees.
 */
export function mismatch(code: string, path: string, otherPath: string, actual: string, expected: string): RuleIssue {
  const zh = fieldNameZh(path);
  return {
    code,
    path,
    expected,
    actual,
    message: {
      zh: `${zh}（${path}）为 ${actual}，与 ${otherPath} 的 ${expected} 不一致`,
      en: `${path} is ${actual} but ${otherPath} is ${expected}; they must be equal`,
    },
  };
}

/** Compares a string field of two documents when both are present. */
export function sameString(
  ctx: RuleContext,
  code: string,
  a: DocRef,
  aKey: string,
  b: DocRef,
  bKey: string,
): RuleIssue[] {
  const va = ctx.str(a.doc, aKey);
  const vb = ctx.str(b.doc, bKey);
  if (va === undefined || vb === undefined || va === vb) return [];
  return [mismatch(code, `${b.name}.${bKey}`, `${a.name}.${aKey}`, vb, va)];
}

/** A document of the input with its name, for messages. */
export interface DocRef {
  doc: Rec | undefined;
  name: string;
}

/** The named document of the input. */
export function ref(ctx: RuleContext, name: 'order' | 'payment' | 'logistics' | 'inventory'): DocRef {
  return { doc: ctx.doc(name), name };
}
