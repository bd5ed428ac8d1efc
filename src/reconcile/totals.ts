import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { type ReconcileTotalsJSON, totalsToJSON } from './json.js';
import {
  WATERFALL_CAUSES,
  type ReconcileRow,
  type ReconcileStatus,
  type ReconcileSummary,
  type ReconcileTotals,
  type TaxSplit,
  type Waterfall,
  type WaterfallCause,
} from './types.js';
import { compareCodeUnits, checkArgument, valueIn } from '../model/guards.js';

const ZERO = new Dec(0);

function zeroSplit(): TaxSplit {
  return { customsTax: ZERO, consumptionTax: ZERO, valueAddedTax: ZERO, taxTotal: ZERO };
}

/** Totals with every count 0 and every amount 0. */
export function emptyTotals(): ReconcileTotals {
  return {
    orders: 0,
    // Each status's count, in STATUS_COUNT's order (the order JSON and the pages list them in).
    ...(Object.fromEntries(Object.values(STATUS_COUNT).map((k) => [k, 0])) as Record<StatusCountKey, number>),
    dutiableValue: ZERO,
    declaredTaxTotal: ZERO,
    computedTaxTotal: ZERO,
    billedTaxTotal: ZERO,
    rejectedTaxTotal: ZERO,
    difference: ZERO,
    computed: zeroSplit(),
    billed: zeroSplit(),
    waterfall: emptyWaterfall(),
  };
}

function emptyWaterfall(): Waterfall {
  return {
    withheld: ZERO,
    billed: ZERO,
    difference: ZERO,
    causes: WATERFALL_CAUSES.map((cause) => ({ cause, orders: 0, amount: ZERO })),
  };
}

/** Position of each cause in {@link Waterfall.causes}. */
const CAUSE_INDEX = Object.fromEntries(WATERFALL_CAUSES.map((c, i) => [c, i])) as Record<WaterfallCause, number>;

/**
 * The waterfall cause of a row, from its status (every status has one, see {@link WaterfallCause}).
 * A matched or mismatched order without a declared taxTotal is `other`: its whole bill is a
 * difference, which neither rounding nor a mismatch explains.
 */
export function waterfallCause(row: Pick<ReconcileRow, 'status' | 'declaredTaxTotal'>): WaterfallCause {
  switch (row.status) {
    case 'matched':
      return row.declaredTaxTotal ? 'rounding' : 'other';
    case 'mismatch':
      return row.declaredTaxTotal ? 'mismatch' : 'other';
    case 'bill-missing':
    case 'bill-void':
    case 'unlinked':
      return 'bill-missing';
    case 'bill-without-declaration':
    case 'cancelled':
    case 'refunded':
    case 'rejected':
    case 'not-computed':
      return row.status;
    case 'duplicate-declaration':
      return 'other';
  }
}

/** A row's part of the difference: billed − withheld, an absent amount counting 0. */
export function rowWaterfallAmount(row: Pick<ReconcileRow, 'billed' | 'declaredTaxTotal'>): Decimal {
  const billed = row.billed?.taxTotal ?? ZERO;
  return row.declaredTaxTotal ? billed.minus(row.declaredTaxTotal) : billed;
}

/** Adds a row to its cause (in place). */
function addToWaterfall(w: Waterfall, row: ReconcileRow): void {
  const c = w.causes[CAUSE_INDEX[waterfallCause(row)]]!;
  c.orders++;
  c.amount = c.amount.plus(rowWaterfallAmount(row));
}

/**
 * Whether a reconciliation balances: at least one declaration was read, every order is matched, cancelled,
 * refunded or rejected without a bill, every document was readable, and no taxNo came twice with different content.
 * Any other status (a mismatch, a bill missing, void or without a declaration, an order not linked or not computed,
 * a duplicate declaration) needs a look, and so does a bill of a rejected order (customs billed an inventory whose
 * latest receipt rejects it). `sandan reconcile` exits 0 exactly when this is true (and no file went to `onFileError`).
 */
export function reconcileBalanced(summary: ReconcileSummary): boolean {
  checkArgument(summary, 'object', 'reconcileBalanced', 'the summary');
  checkArgument(summary.inputs, 'object', 'reconcileBalanced', 'summary.inputs');
  // (a summary of an earlier version has no rejected orders)
  const fine = summary.matched + summary.cancelled + summary.refunded + (summary.rejected ?? 0);
  const { unreadableDocuments, conflictingBills } = summary.inputs;
  return (
    summary.inputs.declarations > 0 &&
    summary.orders === fine &&
    unreadableDocuments === 0 &&
    conflictingBills === 0 &&
    !rejectedBilled(summary)
  );
}

/**
 * Whether rejected orders were billed: their cause in the waterfall is Σ (billed − withheld), so it differs from
 * −withheld exactly when their bills add up to more than 0.
 */
function rejectedBilled(summary: ReconcileSummary): boolean {
  const cause = summary.waterfall?.causes.find((c) => c.cause === 'rejected');
  return cause !== undefined && !cause.amount.plus(summary.rejectedTaxTotal ?? ZERO).isZero();
}

/** The count field of each status (its label is the count's: output.ts). */
export const STATUS_COUNT = {
  matched: 'matched',
  mismatch: 'mismatched',
  'bill-missing': 'billMissing',
  'bill-without-declaration': 'billWithoutDeclaration',
  cancelled: 'cancelled',
  refunded: 'refunded',
  rejected: 'rejected',
  'bill-void': 'billVoid',
  unlinked: 'unlinked',
  'not-computed': 'notComputed',
  'duplicate-declaration': 'duplicateDeclarations',
} as const satisfies Record<ReconcileStatus, keyof ReconcileTotals>;
type StatusCountKey = (typeof STATUS_COUNT)[ReconcileStatus];

/**
 * Adds one row's count and amounts (where the row has them) to totals, in place, without the derived totals
 * ({@link settle}): the totals' splits are their own objects (as {@link emptyTotals} makes them), added to in place.
 */
function addRow(t: ReconcileTotals, row: ReconcileRow): void {
  t.orders++;
  t[STATUS_COUNT[row.status]]++;
  if (row.dutiableValue) t.dutiableValue = t.dutiableValue.plus(row.dutiableValue);
  if (row.declaredTaxTotal) {
    t.declaredTaxTotal = t.declaredTaxTotal.plus(row.declaredTaxTotal);
    if (row.status === 'rejected') t.rejectedTaxTotal = t.rejectedTaxTotal.plus(row.declaredTaxTotal);
  }
  if (row.computed) addSplitInPlace(t.computed, row.computed);
  if (row.billed) addSplitInPlace(t.billed, row.billed);
  addToWaterfall(t.waterfall, row);
}

/** Adds one row to totals (in place): its count, and its amounts where the row has them. */
export function addToTotals(t: ReconcileTotals, row: ReconcileRow): void {
  addRow(t, row);
  settle(t);
}

/** An object with its decimal strings as Decimals (the JSON of amounts back). */
const decimals = <T>(d: object): T =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === 'string' ? new Dec(v) : v])) as T;

/** Totals from their JSON (e.g. posted by a worker thread): `money` writes every place, so this is exact. */
function totalsOf(d: ReconcileTotalsJSON): ReconcileTotals {
  const w = d.waterfall;
  return {
    ...decimals<ReconcileTotals>(d),
    computed: decimals(d.computed),
    billed: decimals(d.billed),
    waterfall: { ...decimals<Waterfall>(w), causes: w.causes.map((c) => ({ ...c, amount: new Dec(c.amount) })) },
  };
}

function addSplitInPlace(a: TaxSplit, b: TaxSplit): void {
  a.customsTax = a.customsTax.plus(b.customsTax);
  a.consumptionTax = a.consumptionTax.plus(b.consumptionTax);
  a.valueAddedTax = a.valueAddedTax.plus(b.valueAddedTax);
  a.taxTotal = a.taxTotal.plus(b.taxTotal);
}

/** Brings the derived totals (computed, billed, difference) up to date. */
function settle(t: ReconcileTotals): ReconcileTotals {
  t.computedTaxTotal = t.computed.taxTotal;
  t.billedTaxTotal = t.billed.taxTotal;
  t.difference = t.billedTaxTotal.minus(t.declaredTaxTotal);
  t.waterfall.withheld = t.declaredTaxTotal;
  t.waterfall.billed = t.billedTaxTotal;
  t.waterfall.difference = t.difference;
  return t;
}

/** Totals overall, by month and by district. */
export interface TotalsAccumulator {
  all: ReconcileTotals;
  byMonth: Map<string, ReconcileTotals>;
  byDistrict: Map<string, ReconcileTotals>;
}

/** Adds totals `b` into `a` (in place). */
function mergeTotals(a: ReconcileTotals, b: ReconcileTotals): void {
  for (const k of Object.values(STATUS_COUNT)) a[k] += b[k];
  a.orders += b.orders;
  a.dutiableValue = a.dutiableValue.plus(b.dutiableValue);
  a.declaredTaxTotal = a.declaredTaxTotal.plus(b.declaredTaxTotal);
  a.rejectedTaxTotal = a.rejectedTaxTotal.plus(b.rejectedTaxTotal);
  addSplitInPlace(a.computed, b.computed);
  addSplitInPlace(a.billed, b.billed);
  for (let i = 0; i < a.waterfall.causes.length; i++) {
    const x = a.waterfall.causes[i]!;
    const y = b.waterfall.causes[i]!;
    x.orders += y.orders;
    x.amount = x.amount.plus(y.amount);
  }
  settle(a);
}

/**
 * Totals kept per (month, district) cell while rows stream in (one addition per row instead
 * of three); {@link CellTotals.result} folds the cells into overall, month and district totals.
 */
export class CellTotals {
  private readonly cells = new Map<string, { month: string; district: string; t: ReconcileTotals }>();

  /** Adds one row. */
  add(row: ReconcileRow): void {
    // Without the derived totals: settled when read.
    addRow(this.cell(row.month, row.district), row);
  }

  /** The cells as plain data. */
  data(): Array<{ month: string; district: string; totals: ReconcileTotalsJSON }> {
    return [...this.cells.values()].map((c) => ({
      month: c.month,
      district: c.district,
      totals: totalsToJSON(settle(c.t)),
    }));
  }

  /** Adds cells given as plain data (e.g. a batch's cells computed by a worker thread). */
  merge(cells: ReadonlyArray<{ month: string; district: string; totals: ReconcileTotalsJSON }>): void {
    for (const c of cells) mergeTotals(this.cell(c.month, c.district), totalsOf(c.totals));
  }

  /** The totals of a (month, district) cell, created empty when new. */
  private cell(month: string, district: string): ReconcileTotals {
    return valueIn(this.cells, `${month}\u0000${district}`, () => ({ month, district, t: emptyTotals() })).t;
  }

  /** The overall totals and the groups, keys sorted. */
  result(): TotalsAccumulator {
    for (const c of this.cells.values()) settle(c.t);
    const acc: TotalsAccumulator = { all: emptyTotals(), byMonth: new Map(), byDistrict: new Map() };
    const cells = [...this.cells.values()].sort(
      (x, y) => compareCodeUnits(x.month, y.month) || compareCodeUnits(x.district, y.district),
    );
    for (const c of cells) {
      mergeTotals(acc.all, c.t);
      mergeTotals(valueIn(acc.byMonth, c.month, emptyTotals), c.t);
      mergeTotals(valueIn(acc.byDistrict, c.district, emptyTotals), c.t);
    }
    return acc;
  }
}
