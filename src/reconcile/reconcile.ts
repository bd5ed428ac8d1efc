import type Decimal from 'decimal.js';
import type { Issue } from '../model/issue.js';
import { Dec } from '../model/primitives.js';
import { districtOf } from '../rules/codes.js';
import type { TaxCalculation } from '../rules/tax-calculator.js';
import type { TaxFigures } from '../tax/compute.js';
import { toInventoryReceipt, toTaxBill, toTaxBillStatus } from './records.js';
import type { ScannedDocument } from './scan.js';
import { MemoryStore, type InventoryKeys, type ReconcileStore, type StoredBill } from './store.js';
import { CellTotals } from './totals.js';
import {
  TAX_KINDS,
  type InventoryReceipt,
  type Mismatch,
  type ReconcileRow,
  type ReconcileStatus,
  type ReconcileSummary,
  type TaxBill,
  type TaxBillStatus,
  type TaxSplit,
} from './types.js';
import { money, rowToJSON, type MismatchEntryJSON, type ReconcileRowJSON } from './json.js';

/** A declaration as read from NDJSON: its value, or the issue that kept it from being read. */
export type DeclarationRecord = { line?: number; value: unknown; issue?: undefined } | { line?: number; value?: undefined; issue: Issue };

type Source<T> = Iterable<T> | AsyncIterable<T>;

/** What reconciliation reads. Every source is read once, in this order: documents, bills, statuses, receipts, then declarations. */
export interface ReconcileInputs {
  /** Declarations: plain values or {@link DeclarationRecord}s (e.g. from the CLI's NDJSON reader). */
  declarations: Source<unknown>;
  /** Scanned or parsed CEB documents of any type; CEB816/818/622/624/626 are used, others are counted and skipped. */
  documents?: Source<ScannedDocument | { messageType: string; fields: Record<string, unknown>; items?: unknown[] }>;
  bills?: Source<TaxBill>;
  billStatuses?: Source<TaxBillStatus>;
  receipts?: Source<InventoryReceipt>;
}

/** Progress of a long run. */
export interface ReconcileProgress {
  phase: 'documents' | 'declarations' | 'bills-without-declaration';
  count: number;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  /** Computes a declaration's tax, e.g. `createTaxCalculator({ rates })`. */
  calculate: (input: unknown) => TaxCalculation<TaxFigures>;
  /** Where the join index and the rows live (default: a new MemoryStore). Close it after reading the report. */
  store?: ReconcileStore;
  /** A difference up to this amount (per tax kind) still matches (default 0). */
  tolerance?: Decimal.Value;
  /** Called every `progressEvery` items (default 10,000). */
  onProgress?: (p: ReconcileProgress) => void;
  progressEvery?: number;
}

/** The result: the summary in memory, the rows and mismatches read back from the store. */
export interface ReconcileReport {
  summary: ReconcileSummary;
  /** The rows in input order (declarations, then bills without declaration). */
  rows(): Iterable<ReconcileRowJSON>;
  /** The mismatches, largest absolute amount first. */
  mismatches(): Iterable<MismatchEntryJSON>;
  /** Problems with input documents (first 100), e.g. a tax bill without invtNo. */
  problems: string[];
}

const ZERO = new Dec(0);

function split(c: Decimal, ct: Decimal, v: Decimal): TaxSplit {
  return { customsTax: c, consumptionTax: ct, valueAddedTax: v, taxTotal: c.plus(ct).plus(v) };
}

function sumBills(bills: StoredBill[]): TaxSplit {
  let c = ZERO;
  let ct = ZERO;
  let v = ZERO;
  for (const b of bills) {
    c = c.plus(b.customsTax);
    ct = ct.plus(b.consumptionTax);
    v = v.plus(b.valueAddedTax);
  }
  return split(c, ct, v);
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
const DECIMAL = /^-?\d{1,14}(\.\d{1,5})?$/;
function dec(v: unknown): Decimal | undefined {
  const t = text(v);
  return t !== undefined && DECIMAL.test(t) ? new Dec(t) : undefined;
}

/** `YYYY-MM` from `yyyyMMdd…` (already Beijing local time in CEB fields), else `unknown`. */
export function monthOf(yyyymmdd: string | undefined): string {
  return yyyymmdd && /^\d{6}/.test(yyyymmdd) ? `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}` : 'unknown';
}

function districtKey(customsCode: string | undefined): string {
  return (customsCode && districtOf(undefined, customsCode)) || 'unknown';
}

/** What {@link decideRow} needs about one order. */
export interface OrderFacts {
  orderNo?: string | undefined;
  invtNo?: string | undefined;
  linkedBy?: ReconcileRow['linkedBy'];
  month: string;
  district: string;
  customsCode?: string | undefined;
  dutiableValue?: Decimal | undefined;
  declaredTaxTotal?: Decimal | undefined;
  computed?: TaxSplit | undefined;
  bills: StoredBill[];
  cancelled: boolean;
  refunded: boolean;
  notes: string[];
}

/**
 * Decides one order's row (pure). Precedence: cancelled, refunded, unlinked, bill-void,
 * bill-missing, not-computed, then mismatch or matched. A mismatch is any tax kind where
 * billed − computed, or the billed total − the declared taxTotal, exceeds the tolerance.
 */
export function decideRow(f: OrderFacts, tolerance: Decimal = ZERO): ReconcileRow {
  const valid = f.bills.filter((b) => !b.void);
  const voided = f.bills.filter((b) => b.void);
  const billed = valid.length ? sumBills(valid) : undefined;
  const difference =
    billed && f.computed
      ? split(billed.customsTax.minus(f.computed.customsTax), billed.consumptionTax.minus(f.computed.consumptionTax), billed.valueAddedTax.minus(f.computed.valueAddedTax))
      : undefined;
  const declaredDifference = billed && f.declaredTaxTotal ? billed.taxTotal.minus(f.declaredTaxTotal) : undefined;
  const mismatches: Mismatch[] = [];
  let status: ReconcileStatus;
  if (f.cancelled) status = 'cancelled';
  else if (f.refunded) status = 'refunded';
  else if (!f.invtNo) status = 'unlinked';
  else if (f.bills.length > 0 && valid.length === 0) status = 'bill-void';
  else if (!billed) status = 'bill-missing';
  else if (!f.computed) status = 'not-computed';
  else {
    for (const k of TAX_KINDS) if (difference![k].abs().gt(tolerance)) mismatches.push({ kind: k, amount: difference![k] });
    if (declaredDifference && declaredDifference.abs().gt(tolerance)) mismatches.push({ kind: 'declared', amount: declaredDifference });
    status = mismatches.length ? 'mismatch' : 'matched';
  }
  return {
    orderNo: f.orderNo,
    invtNo: f.invtNo,
    taxNos: [...valid.map((b) => b.taxNo), ...voided.map((b) => b.taxNo)],
    linkedBy: f.linkedBy,
    status,
    month: f.month,
    district: f.district,
    customsCode: f.customsCode,
    dutiableValue: f.dutiableValue,
    declaredTaxTotal: f.declaredTaxTotal,
    computed: f.computed,
    billed,
    difference,
    declaredDifference,
    mismatches,
    notes: [...f.notes, ...voided.map((b) => `void-bill:${b.taxNo}`)],
  };
}

/** The row of bills whose invtNo no declaration reached (pure). */
export function orphanRow(bills: StoredBill[]): ReconcileRow {
  const first = bills[0]!;
  const valid = bills.filter((b) => !b.void);
  const voided = bills.filter((b) => b.void);
  return {
    invtNo: first.invtNo,
    taxNos: [...valid.map((b) => b.taxNo), ...voided.map((b) => b.taxNo)],
    status: 'bill-without-declaration',
    month: monthOf(first.returnTime),
    district: districtKey(first.customsCode),
    customsCode: first.customsCode,
    billed: valid.length ? sumBills(valid) : undefined,
    mismatches: [],
    notes: voided.map((b) => `void-bill:${b.taxNo}`),
  };
}

async function* each<T>(src: Source<T> | undefined): AsyncGenerator<T> {
  if (src === undefined) return;
  yield* src as AsyncIterable<T>;
}

/** Sort key of a mismatch: absolute amount in units of 0.00001 (exact for amounts below 9e10). */
function sortKey(amount: Decimal): number {
  return amount.abs().times(100000).round().toNumber();
}

/**
 * Reconciles declarations against customs tax bills: links each order to its bills through
 * `inventory.invtNo` or the CEB622 receipts (copNo/preNo → invtNo), computes its tax with
 * `options.calculate`, and reports per order the declared, computed and billed tax with the
 * differences and a status; then reports bills no declaration reached. Bad documents and
 * declarations become rows or problems, never throws. Memory is bounded by the store: use the
 * SQLite store for inputs that do not fit in memory.
 */
export async function reconcile(inputs: ReconcileInputs, options: ReconcileOptions): Promise<ReconcileReport> {
  const store = options.store ?? new MemoryStore();
  const tolerance = new Dec(options.tolerance ?? 0);
  const every = options.progressEvery ?? 10_000;
  const problems: string[] = [];
  const problem = (p: string) => void (problems.length < 100 && problems.push(p));
  const inputsCount = { declarations: 0, bills: 0, duplicateBills: 0, billStatuses: 0, receipts: 0, skippedDocuments: 0, unreadableDocuments: 0 };

  const addBill = (b: TaxBill) => {
    inputsCount.bills++;
    if (!store.addBill(b)) inputsCount.duplicateBills++;
  };
  const addStatus = (s: TaxBillStatus) => {
    inputsCount.billStatuses++;
    store.addBillStatus(s);
  };
  const addReceipt = (r: InventoryReceipt) => {
    inputsCount.receipts++;
    if (r.type === 'CEB622' && r.invtNo) {
      if (r.copNo) store.addLink('copNo', r.copNo, r.invtNo);
      if (r.preNo) store.addLink('preNo', r.preNo, r.invtNo);
    }
    // 399 = customs concluded: the cancel or the refund is approved.
    if (r.returnStatus === '399' && r.type !== 'CEB622') store.addFinal(r.type === 'CEB624' ? 'cancel' : 'refund', r, r.returnTime);
  };

  let seen = 0;
  for await (const d of each(inputs.documents)) {
    if (++seen % every === 0) options.onProgress?.({ phase: 'documents', count: seen });
    const t = d.messageType;
    if (t === 'CEB816') {
      const c = toTaxBill(d.fields);
      if (c.ok) addBill(c.value);
      else (inputsCount.unreadableDocuments++, problem(`CEB816: ${c.problem}`));
    } else if (t === 'CEB818') {
      const c = toTaxBillStatus(d.fields);
      if (c.ok) addStatus(c.value);
      else (inputsCount.unreadableDocuments++, problem(`CEB818: ${c.problem}`));
    } else if (t === 'CEB622' || t === 'CEB624' || t === 'CEB626') {
      const c = toInventoryReceipt(t, d.fields);
      if (c.ok) addReceipt(c.value);
      else (inputsCount.unreadableDocuments++, problem(c.problem));
    } else inputsCount.skippedDocuments++;
  }
  for await (const b of each(inputs.bills)) addBill(b);
  for await (const s of each(inputs.billStatuses)) addStatus(s);
  for await (const r of each(inputs.receipts)) addReceipt(r);

  const cells = new CellTotals();
  const emit = (row: ReconcileRow) => {
    cells.add(row);
    const json = rowToJSON(row);
    store.putRow(JSON.stringify(json));
    for (const m of row.mismatches) {
      store.putMismatch({ orderNo: row.orderNo ?? '', invtNo: row.invtNo, kind: m.kind, amount: money(m.amount) }, sortKey(m.amount));
    }
  };

  for await (const item of each(inputs.declarations)) {
    inputsCount.declarations++;
    if (inputsCount.declarations % every === 0) options.onProgress?.({ phase: 'declarations', count: inputsCount.declarations });
    const rec = asRecord(item);
    emit(declarationRow(rec, store, options.calculate, tolerance));
  }
  let orphans = 0;
  for (const group of store.unclaimedBills()) {
    if (++orphans % every === 0) options.onProgress?.({ phase: 'bills-without-declaration', count: orphans });
    emit(orphanRow(group));
  }

  const totals = cells.result();
  const summary: ReconcileSummary = {
    ...totals.all,
    byMonth: Object.fromEntries([...totals.byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    byDistrict: Object.fromEntries([...totals.byDistrict.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    inputs: inputsCount,
  };
  return {
    summary,
    problems,
    *rows() {
      for (const j of store.rows()) yield JSON.parse(j) as ReconcileRowJSON;
    },
    *mismatches() {
      for (const m of store.mismatches()) yield { orderNo: m.orderNo, invtNo: m.invtNo ?? null, kind: m.kind as MismatchEntryJSON['kind'], amount: m.amount };
    },
  };
}

function asRecord(item: unknown): DeclarationRecord {
  const o = obj(item);
  if (o && ('issue' in o || 'value' in o) && ('line' in o || 'mode' in o)) return o as DeclarationRecord;
  return { value: item };
}

function declarationRow(rec: DeclarationRecord, store: ReconcileStore, calculate: ReconcileOptions['calculate'], tolerance: Decimal): ReconcileRow {
  const lineNote = rec.line !== undefined ? [`line:${rec.line}`] : [];
  if (rec.issue) {
    return { taxNos: [], status: 'not-computed', month: 'unknown', district: 'unknown', mismatches: [], notes: [...lineNote, `issue:${rec.issue.code}`] };
  }
  const value = obj(rec.value);
  const order = obj(value?.order);
  const inv = obj(value?.inventory);
  const orderNo = text(order?.orderNo) ?? text(inv?.orderNo);
  const customsCode = text(inv?.customsCode);
  const month = monthOf(text(inv?.declTime) ?? text(order?.appTime));
  const district = districtKey(customsCode);
  if (orderNo !== undefined && !store.firstSighting(orderNo)) {
    return { orderNo, taxNos: [], status: 'duplicate-declaration', month, district, customsCode, mismatches: [], notes: lineNote };
  }
  const keys: InventoryKeys = { copNo: text(inv?.copNo), preNo: text(inv?.preNo), invtNo: text(inv?.invtNo) };
  let invtNo = keys.invtNo;
  let linkedBy: ReconcileRow['linkedBy'] = invtNo ? 'invtNo' : undefined;
  if (!invtNo && keys.copNo) ((invtNo = store.invtNoBy('copNo', keys.copNo)), (linkedBy = invtNo ? 'copNo' : undefined));
  if (!invtNo && keys.preNo) ((invtNo = store.invtNoBy('preNo', keys.preNo)), (linkedBy = invtNo ? 'preNo' : undefined));
  const withInvt = { ...keys, invtNo };
  const notes = [...lineNote];
  const calc = calculate(rec.value);
  let computed: TaxSplit | undefined;
  let dutiableValue: Decimal | undefined;
  if (calc.ok && calc.result.complete) {
    const r = calc.result;
    computed = split(r.customsTax, r.consumptionTax, r.valueAddedTax);
    dutiableValue = r.dutiableValue;
    if (r.regime !== 'cbec') notes.push(`regime:${r.regime}`);
  } else {
    const issues = calc.ok ? calc.result.issues : calc.issues;
    const codes = [...new Set(issues.filter((i) => i.severity === 'error').map((i) => i.code))];
    for (const c of codes.slice(0, 5)) notes.push(`issue:${c}`);
    if (calc.ok) dutiableValue = calc.result.dutiableValue;
  }
  return decideRow(
    {
      orderNo,
      invtNo,
      linkedBy,
      month,
      district,
      customsCode,
      dutiableValue,
      declaredTaxTotal: dec(order?.taxTotal),
      computed,
      bills: invtNo ? store.claimBills(invtNo) : [],
      ...store.finals(withInvt),
      notes,
    },
    tolerance,
  );
}

