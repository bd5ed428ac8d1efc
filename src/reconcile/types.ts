import type { Decimal } from 'decimal.js';

/** The tax kinds in output order. */
export const TAX_KINDS = ['customsTax', 'consumptionTax', 'valueAddedTax'] as const;
/** The three taxes of a CBEC order, named as in the CEB816 tax bill. */
export type TaxKind = (typeof TAX_KINDS)[number];

/** Tax split by kind, with its total. */
export interface TaxSplit {
  customsTax: Decimal;
  consumptionTax: Decimal;
  valueAddedTax: Decimal;
  taxTotal: Decimal;
}

/** One electronic tax bill (CEB816 `TaxHeadRd`), amounts as Decimal. */
export interface TaxBill {
  invtNo: string;
  taxNo: string;
  /** `yyyyMMddHHmmssSSS`, Beijing time. */
  returnTime: string;
  /** 1 generated, 2 summarised, 3 void. */
  status: string;
  customsTax: Decimal;
  valueAddedTax: Decimal;
  consumptionTax: Decimal;
  customsCode?: string | undefined;
  /** TaxHeadRd orderNo and logisticsNo: beyond the 2022 XSD, carried by real bills (see docs/xml.md). */
  orderNo?: string | undefined;
  logisticsNo?: string | undefined;
}

/** One tax bill status (CEB818 `TaxHeadStatus`). */
export interface TaxBillStatus {
  invtNo: string;
  taxNo: string;
  returnTime: string;
  status: string;
}

/** An inventory-side receipt: inventory (CEB622), cancel (CEB624) or refund (CEB626). */
export interface InventoryReceipt {
  type: 'CEB622' | 'CEB624' | 'CEB626';
  copNo?: string | undefined;
  preNo?: string | undefined;
  invtNo?: string | undefined;
  returnStatus: string;
  returnTime: string;
  returnInfo?: string | undefined;
}

/** Every status, in report order. */
export const RECONCILE_STATUSES = [
  'matched',
  'mismatch',
  'bill-missing',
  'bill-without-declaration',
  'cancelled',
  'refunded',
  'rejected',
  'bill-void',
  'unlinked',
  'not-computed',
  'duplicate-declaration',
] as const;
/** What reconciliation concluded for one order (or one bill without a declaration). */
export type ReconcileStatus = (typeof RECONCILE_STATUSES)[number];

/** Which figure differs from the billed one, and by how much (billed − other). */
export interface Mismatch {
  /** A tax kind (computed vs billed) or `declared` (the order's taxTotal vs the billed total). */
  kind: TaxKind | 'declared';
  amount: Decimal;
}

/** One row of the reconciliation: an order, or a bill nobody declared. */
export interface ReconcileRow {
  /** For a bill without a declaration, the orderNo its bills name (beyond the 2022 XSD), if any. */
  orderNo?: string | undefined;
  invtNo?: string | undefined;
  /** Non-void tax bills counted as billed, then void ones. */
  taxNos: string[];
  /** How the order reached its bill: the inventory's invtNo, or a CEB622 receipt through copNo or preNo. */
  linkedBy?: 'invtNo' | 'copNo' | 'preNo' | 'orderNo' | undefined;
  status: ReconcileStatus;
  /** `YYYY-MM` of the declaration date (Beijing time), or of the bill when there is no declaration. */
  month: string;
  /** District (`xx00`) of the inventory's customsCode (or the bill's). */
  district: string;
  customsCode?: string | undefined;
  dutiableValue?: Decimal | undefined;
  /** The order's `taxTotal` (the tax withheld): a total only, the order does not split it. */
  declaredTaxTotal?: Decimal | undefined;
  computed?: TaxSplit | undefined;
  billed?: TaxSplit | undefined;
  /** billed − computed per kind and in total; undefined unless both exist. */
  difference?: TaxSplit | undefined;
  /** billed − declared taxTotal; undefined unless both exist. */
  declaredDifference?: Decimal | undefined;
  mismatches: Mismatch[];
  /** Short machine-readable notes, e.g. `duplicate-bill:TAXNO`, `issue:rate-missing`. */
  notes: string[];
}

/** Counts and totals of a group of rows (all rows, a month or a district). */
export interface ReconcileTotals {
  orders: number;
  matched: number;
  mismatched: number;
  billMissing: number;
  billWithoutDeclaration: number;
  cancelled: number;
  refunded: number;
  /** Orders whose inventory customs rejected (CEB622 100 退单) and that were not declared again and accepted. */
  rejected: number;
  billVoid: number;
  unlinked: number;
  notComputed: number;
  duplicateDeclarations: number;
  dutiableValue: Decimal;
  declaredTaxTotal: Decimal;
  computedTaxTotal: Decimal;
  billedTaxTotal: Decimal;
  /**
   * The declared taxTotal of the rejected orders: tax withheld from buyers for parcels customs rejected, which no bill
   * will ask for, so owed back to them (part of declaredTaxTotal, not a bill missing).
   */
  rejectedTaxTotal: Decimal;
  /** billedTaxTotal − declaredTaxTotal. */
  difference: Decimal;
  computed: TaxSplit;
  billed: TaxSplit;
  /** The difference (billed − withheld) broken down by cause; its causes add up to it exactly. */
  waterfall: Waterfall;
}

/** Every cause, in waterfall order. */
export const WATERFALL_CAUSES = [
  'rounding',
  'mismatch',
  'bill-missing',
  'bill-without-declaration',
  'cancelled',
  'refunded',
  'rejected',
  'not-computed',
  'other',
] as const;
/**
 * Why tax billed and tax withheld differ: the cause of a row's billed − withheld, from its status.
 * `rounding` is matched orders (within the tolerance); `bill-missing` also takes orders whose
 * bills are all void (`bill-void`) or that no bill could be linked to (`unlinked`), but not orders whose inventory
 * customs rejected (`rejected`: no bill will come, the tax withheld is owed back); `other` is an
 * order with a bill but no declared taxTotal (the whole bill is a difference no status explains)
 * and duplicate declarations (which carry no amounts, so always 0).
 */
export type WaterfallCause = (typeof WATERFALL_CAUSES)[number];

/** The difference between tax billed and tax withheld, by cause: Σ causes.amount = difference = billed − withheld. */
export interface Waterfall {
  /** Tax withheld: the orders' declared taxTotal. */
  withheld: Decimal;
  /** Tax billed: the CEB816 bills (not void). */
  billed: Decimal;
  /** billed − withheld. */
  difference: Decimal;
  /** One entry per cause, every cause, in {@link WATERFALL_CAUSES} order: its orders and its part of the difference. */
  causes: Array<{ cause: WaterfallCause; orders: number; amount: Decimal }>;
}

/** One entry of the mismatch list. */
export interface MismatchEntry {
  orderNo: string;
  invtNo?: string | undefined;
  kind: Mismatch['kind'];
  amount: Decimal;
}

/** The whole summary: totals, by month and by district, and input counters. */
export interface ReconcileSummary extends ReconcileTotals {
  byMonth: Record<string, ReconcileTotals>;
  byDistrict: Record<string, ReconcileTotals>;
  /** Facts about the inputs: bills read, duplicates skipped, void bills. */
  inputs: {
    declarations: number;
    bills: number;
    duplicateBills: number;
    /**
     * Of the duplicates, copies whose content (invtNo, orderNo, amounts, status other than void,
     * customsCode) differs from the copy read first; the report's problems name them (the first 100).
     */
    conflictingBills: number;
    billStatuses: number;
    receipts: number;
    skippedDocuments: number;
    unreadableDocuments: number;
  };
}
