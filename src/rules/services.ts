import type { Decimal } from 'decimal.js';
import type { RateTable } from '../tax/rates.js';
import type { GoodsRecords } from './goods-records.js';
import type { AnnualQuantities, PositiveList } from './positive-list.js';

/**
 * What the `limits/annual` rule reads: the buyer's quota already used in a Beijing calendar
 * year, as a synchronous snapshot the caller took from the quota ledger (validation is
 * synchronous). It must leave out the order being validated, or that order would count twice;
 * `validateWithQuota` (sandan's quota module) builds it that way.
 */
export interface QuotaSnapshot {
  /** CNY already used by the buyer in `year`, or undefined when unknown (the rule then stays silent). */
  used(buyerIdNumber: string, year: number): Decimal | string | number | undefined;
}

/** The services rules may use besides the declaration, as typed fields of the rule context. */
export interface RuleServices {
  /** Rate tables for the tax check, the caller's first, then the bundled seed table. */
  readonly rates: readonly RateTable[];
  /** Positive-list editions (default: the bundled ones). */
  readonly positiveLists: readonly PositiveList[];
  /** Goods records to check inventory lines against; `goods/records` is silent without them. */
  readonly goodsRecords: GoodsRecords | undefined;
  /** The buyer's quota used this year; `limits/annual` is silent without it. */
  readonly quota: QuotaSnapshot | undefined;
  /** What the buyer bought this year per tariff line, for the positive list's per-person caps. */
  readonly annualQuantities: AnnualQuantities | undefined;
}

/** A snapshot-like value (`{ used: function }`) passed through an untyped option, else undefined. */
export function snapshotLike<T extends { used: unknown }>(v: unknown): T | undefined {
  return v !== null && typeof v === 'object' && typeof (v as { used?: unknown }).used === 'function'
    ? (v as T)
    : undefined;
}
