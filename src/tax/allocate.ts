import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { SandanError } from '../errors.js';
import { checkArgument } from '../model/guards.js';
import type { AllocationRemainder } from './policy.js';
import { REMAINDER_LINE, SHARE_EQUAL, SHARE_PROPORTIONAL, SHARE_REMAINDER, SHARE_ROUND_DOWN } from './formulas.js';

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
 * Spreads `total` over lines (formulas.ts: {@link SHARE_PROPORTIONAL}, {@link SHARE_EQUAL},
 * {@link SHARE_ROUND_DOWN}, {@link SHARE_REMAINDER}) in proportion to `weights` (line totalPrice), exactly:
 * every line but one gets its proportional share rounded **down** to the fen (or to the
 * places of `total` if it has more), and the remainder line gets the rest. Rounding down keeps
 * every share ≥ 0 even for tiny totals; with all weights 0 the total is split equally.
 */
export function allocate(total: Decimal, weights: readonly Decimal[], remainderLine: AllocationRemainder): Allocation {
  checkArgument(total, 'decimal', 'allocate', 'the total');
  checkArgument(weights, 'list', 'allocate', 'the weights');
  for (const w of weights) checkArgument(w, 'decimal', 'allocate', 'each weight');
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
  if (n === 0) {
    // (shares always add up to the total: an amount spread over nothing would vanish)
    if (!total.isZero()) throw new SandanError('INVALID_OPTION', `Cannot spread ${total.toString()} over no lines`);
    return { total, shares: [], remainderLine: -1, remainder: ZERO, basis: 'proportional' };
  }
  const basis = sum.isZero() ? 'equal' : 'proportional';
  const target = REMAINDER_LINE.apply(weights, remainderLine);
  // Nothing to spread (the usual case for insurance): every share is 0.
  if (total.isZero()) return { total, shares: weights.map(() => ZERO), remainderLine: target, remainder: ZERO, basis };
  const places = Math.max(2, total.decimalPlaces());
  const lines = basis === 'equal' ? new Dec(n) : ZERO;
  const exact = (w: Decimal): Decimal =>
    basis === 'equal'
      ? SHARE_EQUAL.compute({ total, lines })
      : SHARE_PROPORTIONAL.compute({ total, totalPrice: w, 'Σ totalPrice': sum });
  let given = ZERO;
  const shares = weights.map((w, i) => {
    if (i === target) return ZERO;
    const share = SHARE_ROUND_DOWN.apply(exact(w), places);
    given = given.plus(share);
    return share;
  });
  const w = weights[target] ?? ZERO;
  const last = SHARE_REMAINDER.compute({ total, 'Σ other shares': given });
  shares[target] = last;
  return {
    total,
    shares,
    remainderLine: target,
    remainder: last.minus(SHARE_ROUND_DOWN.apply(exact(w), places)),
    basis,
  };
}

/** The share of line `i` (every line has one: shares are made for the same lines). */
export function shareOf(a: Allocation, i: number): Decimal {
  const share = a.shares[i];
  if (share === undefined) throw new SandanError('INVALID_OPTION', `No share for line ${i} of ${a.shares.length}`);
  return share;
}
