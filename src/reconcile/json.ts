import type { Decimal } from 'decimal.js';
import type {
  Mismatch,
  ReconcileRow,
  ReconcileStatus,
  ReconcileSummary,
  ReconcileTotals,
  TaxSplit,
  Waterfall,
  WaterfallCause,
} from './types.js';
import { checkArgument } from '../model/guards.js';
import { padPlaces } from '../tax/formula.js';

/** A tax split in JSON: decimal strings. */
export interface TaxSplitJSON {
  customsTax: string;
  consumptionTax: string;
  valueAddedTax: string;
  taxTotal: string;
}

/** One row in JSON: amounts as decimal strings, absent values as null. */
export interface ReconcileRowJSON {
  orderNo: string | null;
  invtNo: string | null;
  taxNos: string[];
  linkedBy: 'invtNo' | 'copNo' | 'preNo' | 'orderNo' | null;
  status: ReconcileStatus;
  month: string;
  district: string;
  customsCode: string | null;
  dutiableValue: string | null;
  declaredTaxTotal: string | null;
  computed: TaxSplitJSON | null;
  billed: TaxSplitJSON | null;
  difference: TaxSplitJSON | null;
  declaredDifference: string | null;
  mismatches: Array<{ kind: Mismatch['kind']; amount: string }>;
  notes: string[];
}

/** One mismatch entry in JSON. */
export interface MismatchEntryJSON {
  orderNo: string;
  invtNo: string | null;
  kind: Mismatch['kind'];
  amount: string;
}

/** The waterfall in JSON: amounts as decimal strings; Σ causes[].amount = difference = billed − withheld. */
export interface WaterfallJSON {
  withheld: string;
  billed: string;
  difference: string;
  causes: Array<{ cause: WaterfallCause; orders: number; amount: string }>;
}

/** Totals in JSON: counts as numbers, amounts as decimal strings. */
export type ReconcileTotalsJSON = {
  [K in keyof ReconcileTotals]: ReconcileTotals[K] extends number
    ? number
    : ReconcileTotals[K] extends Decimal
      ? string
      : ReconcileTotals[K] extends Waterfall
        ? WaterfallJSON
        : TaxSplitJSON;
};

/** The summary in JSON (the mismatch list is streamed next to it by the writers). */
export type ReconcileSummaryJSON = ReconcileTotalsJSON & {
  byMonth: Record<string, ReconcileTotalsJSON>;
  byDistrict: Record<string, ReconcileTotalsJSON>;
  inputs: ReconcileSummary['inputs'];
};

/** An amount as a decimal string: two places at least, more only when the value has them. */
export const money = (d: Decimal): string => padPlaces(d, 2);

function splitJSON(s: TaxSplit | undefined): TaxSplitJSON | null {
  return s
    ? {
        customsTax: money(s.customsTax),
        consumptionTax: money(s.consumptionTax),
        valueAddedTax: money(s.valueAddedTax),
        taxTotal: money(s.taxTotal),
      }
    : null;
}

/** A row as JSON. */
export function rowToJSON(r: ReconcileRow): ReconcileRowJSON {
  checkArgument(r, 'object', 'rowToJSON', 'the row');
  checkArgument(r.mismatches, 'list', 'rowToJSON', 'row.mismatches');
  return rowJSON(r);
}

/** {@link rowToJSON} without the checks of a caller's arguments: for the report's rows, one per order. */
export function rowJSON(r: ReconcileRow): ReconcileRowJSON {
  return {
    orderNo: r.orderNo ?? null,
    invtNo: r.invtNo ?? null,
    taxNos: r.taxNos,
    linkedBy: r.linkedBy ?? null,
    status: r.status,
    month: r.month,
    district: r.district,
    customsCode: r.customsCode ?? null,
    dutiableValue: r.dutiableValue ? money(r.dutiableValue) : null,
    declaredTaxTotal: r.declaredTaxTotal ? money(r.declaredTaxTotal) : null,
    computed: splitJSON(r.computed),
    billed: splitJSON(r.billed),
    difference: splitJSON(r.difference),
    declaredDifference: r.declaredDifference ? money(r.declaredDifference) : null,
    mismatches: r.mismatches.map((m) => ({ kind: m.kind, amount: money(m.amount) })),
    notes: r.notes,
  };
}

/** A waterfall as JSON. */
function waterfallToJSON(w: Waterfall): WaterfallJSON {
  return {
    withheld: money(w.withheld),
    billed: money(w.billed),
    difference: money(w.difference),
    causes: w.causes.map((c) => ({ cause: c.cause, orders: c.orders, amount: money(c.amount) })),
  };
}

/** Totals as JSON. */
export function totalsToJSON(t: ReconcileTotals): ReconcileTotalsJSON {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === 'number') out[k] = v;
    else if (k === 'waterfall') out[k] = waterfallToJSON(v as Waterfall);
    else if (typeof (v as Decimal).toFixed === 'function') out[k] = money(v as Decimal);
    else out[k] = splitJSON(v as TaxSplit);
  }
  return out as ReconcileTotalsJSON;
}

/** The summary as JSON (without the mismatch list). */
export function summaryToJSON(s: ReconcileSummary): ReconcileSummaryJSON {
  checkArgument(s, 'object', 'summaryToJSON', 'the summary');
  checkArgument(s.byMonth, 'object', 'summaryToJSON', 'summary.byMonth');
  checkArgument(s.byDistrict, 'object', 'summaryToJSON', 'summary.byDistrict');
  const { byMonth, byDistrict, inputs, ...all } = s;
  const groups = (g: Record<string, ReconcileTotals>) =>
    Object.fromEntries(Object.entries(g).map(([k, v]) => [k, totalsToJSON(v)]));
  return { ...totalsToJSON(all), byMonth: groups(byMonth), byDistrict: groups(byDistrict), inputs };
}
