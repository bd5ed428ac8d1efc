import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import type { AllocationRemainder } from './policy.js';

/** How one header amount was spread over the lines. */
export interface Allocation {
  /** The header amount. */
  total: Decimal;
  /** One share per line, in line order; they add up exactly to `total`. */
  shares: Decimal[];
  /** Index of the line that took the remainder. */
  remainderLine: number;
  /** What that line got on top of its rounded-down proportional share. */
  remainder: Decimal;
  /** `proportional` to the weights, or `equal` when all weights are 0. */
  basis: 'proportional' | 'equal';
}

/**
 * Spreads `total` over lines in proportion to `weights` (line totalPrice), exactly:
 * every line but one gets its proportional share rounded **down** to the fen (or to the
 * places of `total` if it has more), and the remainder line gets the rest. Rounding down keeps
 * every share ≥ 0 even for tiny totals; with all weights 0 the total is split equally.
 */
export function allocate(total: Decimal, weights: readonly Decimal[], remainderLine: AllocationRemainder): Allocation {
  return allocateOver(total, weights, weightSum(weights), remainderLine);
}

const ZERO = new Dec(0);

/** Σ weights, added in line order (what {@link allocateOver} expects). */
export function weightSum(weights: readonly Decimal[]): Decimal {
  let sum = ZERO;
  for (const w of weights) sum = sum.plus(w);
  return sum;
}

/** {@link allocate} with Σ weights already added up (by {@link weightSum}), for several amounts over the same lines. */
export function allocateOver(
  total: Decimal,
  weights: readonly Decimal[],
  sum: Decimal,
  remainderLine: AllocationRemainder,
): Allocation {
  const n = weights.length;
  const zero = ZERO;
  if (n === 0) return { total, shares: [], remainderLine: -1, remainder: zero, basis: 'proportional' };
  const basis = sum.isZero() ? 'equal' : 'proportional';
  const target = pickRemainderLine(weights, remainderLine);
  // Nothing to spread (the usual case for insurance): every share is 0.
  if (total.isZero()) return { total, shares: weights.map(() => zero), remainderLine: target, remainder: zero, basis };
  const places = Math.max(2, total.decimalPlaces());
  const shares: Decimal[] = new Array<Decimal>(n);
  let given = zero;
  for (let i = 0; i < n; i++) {
    if (i === target) continue;
    const w = weights[i] as Decimal;
    const exact = basis === 'equal' ? total.div(n) : total.times(w).div(sum);
    const share = exact.toDecimalPlaces(places, Dec.ROUND_DOWN);
    shares[i] = share;
    given = given.plus(share);
  }
  const last = total.minus(given);
  shares[target] = last;
  const w = weights[target] as Decimal;
  const exactLast = basis === 'equal' ? total.div(n) : total.times(w).div(sum);
  return {
    total,
    shares,
    remainderLine: target,
    remainder: last.minus(exactLast.toDecimalPlaces(places, Dec.ROUND_DOWN)),
    basis,
  };
}

/** Last line, or the first line with the greatest weight. */
function pickRemainderLine(weights: readonly Decimal[], mode: AllocationRemainder): number {
  if (mode === 'last-line') return weights.length - 1;
  let best = 0;
  for (let i = 1; i < weights.length; i++) {
    if ((weights[i] as Decimal).gt(weights[best] as Decimal)) best = i;
  }
  return best;
}
