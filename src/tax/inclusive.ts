import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { SandanError } from '../errors.js';
import { lineFigures, regimeFactors, type LineFigures, type QuantityOf } from './line.js';
import { ROUND_PER_LINE } from './formulas.js';
import { assertTaxPolicy, decimalArgument, type TaxPolicy } from './policy.js';
import { regimeOf } from './regime.js';
import type { TaxRate } from './rates.js';

/** Goods value and taxes derived from a tax-inclusive shelf price. */
export interface TaxInclusiveSplit {
  /** Goods value to declare; `goodsValue + taxTotal` equals the shelf price exactly. */
  goodsValue: Decimal;
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
  /**
   * What the goods value absorbed so the parts add up: 0 when an exact split exists,
   * else the (positive) gap between the shelf price and the best value + its taxes.
   */
  residual: Decimal;
  /** True when the taxes are exactly what {@link computeTax} gives on `goodsValue` (residual 0). */
  exact: boolean;
  /**
   * The taxes {@link computeTax} gives on `goodsValue` itself, which customs charges on the declared value. The same
   * as the split's taxes when `exact`; higher otherwise: by about 0.01 a tax within a rounding step, by the whole jump
   * when the shelf price lies in the gap of a threshold (a consumption-tax tier by unit value, the beer price band).
   */
  taxesOnGoodsValue: TaxParts;
}

/** The rounded taxes of one value. */
export interface TaxParts {
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
}

/** Options of {@link fromTaxInclusivePrice}. */
export interface TaxInclusiveOptions {
  /**
   * `cbec` (default): within limits, and a goods value above the policy's single-transaction limit is refused;
   * `cbec-full`: one item above the single limit at full rates (财关税〔2018〕49号 二), and a goods value the policy
   * does not tax so (within the limit, from `singleItemFullTax.below`, or without the single-item path) is refused.
   */
  regime?: 'cbec' | 'cbec-full';
}

/**
 * Splits a tax-inclusive shelf price G (包税价) into goods value P and taxes, to the fen, so that
 * P + taxes = G (docs/tax.md). Taxes are computed as {@link computeTax} does for a
 * one-line order (each tax rounded separately). The goods value is the largest P on the
 * rounding grid with P + T(P) ≤ G; when the rounded taxes jump over G (no exact P exists)
 * the goods value absorbs the gap, which is reported as `residual` with `exact: false`.
 * `qty` is the quantity in the rate's unit (a Decimal), or quantities keyed by unit code;
 * it is needed for specific rates and unit-value thresholds.
 */
export function fromTaxInclusivePrice(
  shelfPrice: Decimal,
  rate: TaxRate,
  policy: TaxPolicy,
  qty?: Decimal | Readonly<Record<string, Decimal>>,
  options: TaxInclusiveOptions = {},
): TaxInclusiveSplit {
  assertTaxPolicy(policy);
  const G = decimalArgument(shelfPrice, 'Shelf price');
  const scale = policy.rounding.scale;
  if (!G.isFinite() || G.isNegative() || G.decimalPlaces() > scale) {
    throw new SandanError(
      'INVALID_OPTION',
      `Shelf price must be a non-negative amount with at most ${scale} places, got ${G.toString()}`,
    );
  }
  const quantityOf: QuantityOf =
    qty === undefined
      ? () => undefined
      : Dec.isDecimal(qty)
        ? () => new Dec(qty as Decimal)
        : (unit) => (qty as Record<string, Decimal>)[unit];
  const factors = regimeFactors(options.regime ?? 'cbec', policy);
  const step = new Dec(1).div(new Dec(10).pow(scale));

  const taxesAt = (P: Decimal) => {
    const raw = lineFigures(P, rate, quantityOf, factors, policy.rounding);
    if ('kind' in raw) {
      const why =
        raw.kind === 'duty-missing'
          ? 'the rate has no duty rate, which this regime needs'
          : `the rate needs a quantity in unit ${raw.units.join('/')}`;
      throw new SandanError('INVALID_OPTION', `Cannot split a tax-inclusive price: ${why}`);
    }
    return rounded(raw);
  };
  // Each tax rounded separately, as computeTax rounds a one-line order (per line).
  const rounded = (raw: LineFigures): TaxParts => {
    const customsTax = ROUND_PER_LINE.apply(raw.duty, policy.rounding);
    const consumptionTax = ROUND_PER_LINE.apply(raw.consumptionTax, policy.rounding);
    const valueAddedTax = ROUND_PER_LINE.apply(raw.valueAddedTax, policy.rounding);
    return { customsTax, consumptionTax, valueAddedTax, taxTotal: customsTax.plus(consumptionTax).plus(valueAddedTax) };
  };

  // Largest n with F(n·step) ≤ G, F(P) = P + T(P) non-decreasing in P: binary search on the grid.
  let lo = new Dec(0);
  let hi = G.div(step);
  let best = taxesAt(lo);
  if (best.taxTotal.gt(G)) {
    throw new SandanError(
      'INVALID_OPTION',
      `Shelf price ${G.toFixed(scale)} is below the tax due on a zero goods value (${best.taxTotal.toFixed(scale)})`,
    );
  }
  while (lo.lt(hi)) {
    const mid = lo.plus(hi).plus(1).div(2).floor();
    const t = taxesAt(mid.times(step));
    if (mid.times(step).plus(t.taxTotal).lte(G)) {
      lo = mid;
      best = t;
    } else {
      hi = mid.minus(1);
    }
  }
  const P = lo.times(step);
  const residual = G.minus(P).minus(best.taxTotal);
  const goodsValue = P.plus(residual);
  refuseOutsideRegime(options.regime ?? 'cbec', goodsValue, G, policy);
  return {
    goodsValue,
    ...best,
    residual,
    exact: residual.isZero(),
    taxesOnGoodsValue: residual.isZero() ? best : taxesAt(goodsValue),
  };
}

/**
 * Refuses a split whose goods value the regime does not tax, so that `taxesOnGoodsValue` is what computeTax gives on
 * it: the one regime decision (decideRegime, 财关税〔2018〕49号 二) is asked about one item of that value.
 */
function refuseOutsideRegime(regime: 'cbec' | 'cbec-full', goodsValue: Decimal, G: Decimal, policy: TaxPolicy): void {
  const zero = new Dec(0);
  const decision = regimeOf({ goods: goodsValue, freight: zero, insuredFee: zero, quantities: [new Dec(1)] }, policy);
  if (decision.regime === regime) return;
  const scale = policy.rounding.scale;
  const limit = new Dec(policy.singleTransactionLimit).toFixed(scale);
  const single = policy.singleItemFullTax;
  const why =
    regime === 'cbec'
      ? `above the single-transaction limit ${limit}, where the within-limits rates (regime 'cbec') do not apply: one item above the limit is taxed at full rates (regime 'cbec-full') where the policy allows it, anything else as general trade`
      : decision.reason === 'within-limit'
        ? `within the single-transaction limit ${limit}, where the within-limits rates apply (regime 'cbec'), not the full rates`
        : !single.allowed
          ? 'above the single-transaction limit, and the policy has no single-item path at full rates: that is general trade'
          : `at or above ${new Dec(single.below).toFixed(scale)}, where a single item is no longer CBEC at full rates but general trade`;
  throw new SandanError(
    'INVALID_OPTION',
    `Shelf price ${G.toFixed(scale)} splits into a goods value of ${goodsValue.toFixed(scale)}, ${why}`,
  );
}
