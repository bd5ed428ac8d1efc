import type { Decimal } from 'decimal.js';
import { isRecord, nonBlankText, trimmedText } from '../model/guards.js';
import type { Issue } from '../model/issue.js';
import { Dec, toDecimal } from '../model/primitives.js';
import { districtOf } from '../rules/codes.js';
import { declarationDate } from '../rules/declaration-date.js';
import { nationalReturnWindow, releaseDeadlines, type ReturnWindowPolicy } from '../quota/return-window.js';
import type { TaxCalculation } from '../rules/tax-calculator.js';
import { beijingMillis, isoMonthOfCeb } from '../time/beijing.js';
import { isLiveTaxBillStatus } from '../xml/receipts.js';
import type { TaxFigures } from '../tax/compute.js';
import { nearKey } from './near-key.js';
import type { InventoryKeys, NearMiss, StoredBill, UnclaimedBill } from './store.js';
import { TAX_KINDS, type Mismatch, type ReconcileRow, type ReconcileStatus, type TaxSplit } from './types.js';

/*
 * The per-order steps of reconciliation as pure functions over plain data: what a
 * declaration says (its facts: keys, month, district, declared and computed tax, as strings
 * so that worker threads can compute them and post them), what the index answers about it
 * (its bills, links, cancels and refunds), and the row both give. The sequential
 * `reconcile()` and the worker-thread `reconcileFiles()` call the same functions.
 */

/** A declaration as read from NDJSON: its value, or the issue that kept it from being read. */
export type DeclarationRecord =
  | { line?: number; value: unknown; issue?: undefined }
  | { line?: number; value?: undefined; issue: Issue };

/**
 * What reconciliation needs of one declaration. Facts stay in the thread that computed them
 * (a worker sends only the {@link joinRequest}), so the amounts are the computed Decimals
 * themselves: no text round trip per order.
 */
export interface DeclarationFacts
  extends JoinRequest,
    Pick<ReconcileRow, 'customsCode' | 'month' | 'district' | 'dutiableValue' | 'declaredTaxTotal'> {
  /** Input line, when read from NDJSON. */
  line?: number | undefined;
  /** Code of the issue that kept the declaration from being read (then nothing else is set but `problem`). */
  unreadable?: string | undefined;
  /** That issue's message (English), which the report's problems give with the input's name and the line. */
  problem?: string | undefined;
  /** customsTax, consumptionTax, valueAddedTax as computed (only when the computation is complete). */
  computed?: TaxSplit | undefined;
  /** Notes of the computation: `regime:…`, `issue:CODE` (at most five codes). */
  notes: string[];
}

/** What the index answers about one declaration (see {@link ReconcileStore.join}). */
export interface JoinAnswer {
  /**
   * False when an earlier declaration had the same order: its orderNo on the same platform (ebpCode)
   * (then nothing else is looked up).
   */
  firstSighting: boolean;
  invtNo?: string | undefined;
  linkedBy?: ReconcileRow['linkedBy'];
  bills: StoredBill[];
  /**
   * The taxNos of the inventory's bills when an earlier declaration (another order) already reached
   * that inventory: they count once, for the first, and `bills` is empty here.
   */
  countedBefore?: string[] | undefined;
  cancelled: boolean;
  refunded: boolean;
  /**
   * Whether customs rejected the inventory (CEB622 100 退单) and it was not declared again and accepted: decided by
   * `status` on the inventory's receipts (its state `rejected`), see rejections.ts.
   */
  rejected?: boolean | undefined;
  /** The earliest approval (CEB626 399) time of a refund, `yyyyMMddHHmmss[SSS]` Beijing, when known. */
  refundedAt?: string | undefined;
  /** For a refunded inventory: its release (CEB622 800/899) time, when a release receipt was read. */
  releasedAt?: string | undefined;
  /**
   * For a declaration that reached no bill (and was neither cancelled nor refunded): stored keys that equal
   * its own but for case or white space. Not joined (customs compares keys as written); the row names them.
   */
  nearMisses?: NearMiss[] | undefined;
}

/** The keys a declaration is looked up by. */
export interface JoinRequest extends InventoryKeys {
  orderNo?: string | undefined;
  /** The platform of the order: an orderNo is unique only within one (two platforms' orders of one number are two orders). */
  ebpCode?: string | undefined;
}

/**
 * What makes two declarations the same order, for the first-sighting check: the platform and the
 * orderNo (JSON, so that no separator can collide); undefined without an orderNo. A declaration
 * naming no platform is the platform '' 's.
 */
export function orderIdentity(r: JoinRequest): string | undefined {
  return r.orderNo === undefined ? undefined : JSON.stringify([r.ebpCode ?? '', r.orderNo]);
}

const ZERO = new Dec(0);
const NONE: StoredBill[] = [];

function obj(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

/** An input item as a record: a {@link DeclarationRecord} (e.g. from the CLI's NDJSON reader) as it is, any other value wrapped. */
export function asRecord(item: unknown): DeclarationRecord {
  const o = obj(item);
  if (o && ('issue' in o || 'value' in o) && ('line' in o || 'mode' in o)) return o as DeclarationRecord;
  return { value: item };
}

/**
 * `YYYY-MM` of a CEB time (declTime, appTime, returnTime: already Beijing local time) that names a
 * real time, else `unknown`: `20261345` is no month 13, and a row is not filed under one.
 */
export function monthOf(cebTime: string | undefined): string {
  return isoMonthOfCeb(cebTime) ?? 'unknown';
}

/** District (`xx00`) of a customs code, or `unknown`. */
function districtKey(customsCode: string | undefined): string {
  return (customsCode && districtOf(undefined, customsCode)) || 'unknown';
}

/** Computes the facts of one declaration (pure; `calculate` as from `createTaxCalculator`). */
export function declarationFacts(
  rec: DeclarationRecord,
  calculate: (input: unknown) => TaxCalculation<TaxFigures>,
): DeclarationFacts {
  if (rec.issue)
    return {
      line: rec.line,
      unreadable: rec.issue.code,
      problem: rec.issue.message?.en ?? rec.issue.code,
      month: 'unknown',
      district: 'unknown',
      notes: [],
    };
  const value = obj(rec.value);
  const order = obj(value?.order);
  const inv = obj(value?.inventory);
  const customsCode = trimmedText(inv?.customsCode);
  // The declared taxTotal read as the model reads an amount (a decimal text as written, a JSON
  // number, a Decimal of a parsed declaration): what sandan would send; a padded text is not one.
  const taxTotal = toDecimal(order?.taxTotal);
  // Keys as written: customs compares them so (a padded invtNo is none it issued; see nearKey for the hint).
  const facts: DeclarationFacts = {
    line: rec.line,
    orderNo: nonBlankText(order?.orderNo) ?? nonBlankText(inv?.orderNo),
    ebpCode: nonBlankText(order?.ebpCode) ?? nonBlankText(inv?.ebpCode),
    copNo: nonBlankText(inv?.copNo),
    preNo: nonBlankText(inv?.preNo),
    invtNo: nonBlankText(inv?.invtNo),
    customsCode,
    // The declaration's date as validate and the tax calculator read it (a declTime that is no real time gives way to
    // the appTime): a row filed under `unknown` was taxed by its appTime's policy.
    month: declarationDate(value)?.slice(0, 7) ?? 'unknown',
    district: districtKey(customsCode),
    declaredTaxTotal: taxTotal,
    notes: [],
  };
  const computed = calculate(rec.value);
  // Figures of a declaration with field errors where the tax reads nothing (tax-declaration-invalid) are not
  // reconciled: as before they were given, the row is not computed and its errors are its notes.
  const calc: TaxCalculation<TaxFigures> =
    computed.ok && computed.result.issues.some((i) => i.code === 'tax-declaration-invalid')
      ? { ok: false, issues: computed.result.issues.filter((i) => i.code !== 'tax-declaration-invalid') }
      : computed;
  if (calc.ok && calc.result.complete) {
    const r = calc.result;
    facts.computed = split(r.customsTax, r.consumptionTax, r.valueAddedTax);
    facts.dutiableValue = r.dutiableValue;
    if (r.regime !== 'cbec') facts.notes.push(`regime:${r.regime}`);
    // Computed with a rate of a table not in force on the declaration's date: a difference from the bill may be the
    // rate's, not customs' (VAT 16 % / 10 % until 2019-03-31, 13 % / 9 % after).
    if (r.issues.some((i) => i.code === 'rate-not-in-force')) facts.notes.push('rates-not-in-force');
  } else {
    const issues = calc.ok ? calc.result.issues : calc.issues;
    const codes = [...new Set(issues.filter((i) => i.severity === 'error').map((i) => i.code))];
    for (const c of codes.slice(0, 5)) facts.notes.push(`issue:${c}`);
    if (calc.ok) facts.dutiableValue = calc.result.dutiableValue;
  }
  return facts;
}

/** The lookup keys of a declaration, or undefined when it could not be read (nothing to look up). */
export function joinRequest(f: DeclarationFacts): JoinRequest | undefined {
  return f.unreadable === undefined
    ? { orderNo: f.orderNo, ebpCode: f.ebpCode, copNo: f.copNo, preNo: f.preNo, invtNo: f.invtNo }
    : undefined;
}

function split(c: Decimal, ct: Decimal, v: Decimal): TaxSplit {
  return { customsTax: c, consumptionTax: ct, valueAddedTax: v, taxTotal: c.plus(ct).plus(v) };
}

function sumBills(bills: StoredBill[]): TaxSplit {
  // One bill per order is the rule: its amounts as they are, without adding to zero.
  if (bills.length === 1) {
    const b = bills[0]!;
    return split(new Dec(b.customsTax), new Dec(b.consumptionTax), new Dec(b.valueAddedTax));
  }
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

/** What {@link decideRow} needs about one order: the row's fields it does not decide, and the index's answer. */
type OrderFacts = Omit<
  ReconcileRow,
  'taxNos' | 'status' | 'billed' | 'difference' | 'declaredDifference' | 'mismatches'
> &
  Pick<JoinAnswer, 'bills' | 'cancelled' | 'refunded' | 'rejected'>;

/**
 * Decides one order's row (pure). Precedence: cancelled, refunded, rejected, unlinked, bill-void,
 * bill-missing, not-computed, then mismatch or matched. A mismatch is any tax kind where
 * billed − computed, or the billed total − the declared taxTotal, exceeds the tolerance.
 * A rejected order's bills (customs billed an inventory whose latest receipt rejects it) stay on
 * the row and in the billed totals, each named by a note `bill-of-rejected:TAXNO`, for review.
 */
export function decideRow(f: OrderFacts, tolerance: Decimal = ZERO): ReconcileRow {
  // One valid bill is the usual case: no filtering, no copies.
  const one = f.bills.length === 1 && !f.bills[0]!.void;
  const valid = one ? f.bills : f.bills.filter((b) => !b.void);
  const voided = one ? NONE : f.bills.filter((b) => b.void);
  const billed = valid.length ? sumBills(valid) : undefined;
  const difference =
    billed && f.computed
      ? split(
          billed.customsTax.minus(f.computed.customsTax),
          billed.consumptionTax.minus(f.computed.consumptionTax),
          billed.valueAddedTax.minus(f.computed.valueAddedTax),
        )
      : undefined;
  const declaredDifference = billed && f.declaredTaxTotal ? billed.taxTotal.minus(f.declaredTaxTotal) : undefined;
  const mismatches: Mismatch[] = [];
  let status: ReconcileStatus;
  if (f.cancelled) status = 'cancelled';
  else if (f.refunded) status = 'refunded';
  else if (f.rejected) status = 'rejected';
  else if (!f.invtNo) status = 'unlinked';
  else if (f.bills.length > 0 && valid.length === 0) status = 'bill-void';
  else if (!billed) status = 'bill-missing';
  else if (!f.computed) status = 'not-computed';
  else {
    const exact = tolerance.isZero();
    const over = (d: Decimal) => (exact ? !d.isZero() : d.abs().gt(tolerance));
    for (const k of TAX_KINDS) if (over(difference![k])) mismatches.push({ kind: k, amount: difference![k] });
    if (declaredDifference && over(declaredDifference))
      mismatches.push({ kind: 'declared', amount: declaredDifference });
    status = mismatches.length ? 'mismatch' : 'matched';
  }
  return {
    orderNo: f.orderNo,
    invtNo: f.invtNo,
    taxNos: one ? [f.bills[0]!.taxNo] : [...valid.map((b) => b.taxNo), ...voided.map((b) => b.taxNo)],
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
    notes: unknownStatusNotes(
      valid,
      voided.length || (status === 'rejected' && valid.length)
        ? [
            ...f.notes,
            ...(status === 'rejected' ? valid.map((b) => `bill-of-rejected:${b.taxNo}`) : []),
            ...voided.map((b) => `void-bill:${b.taxNo}`),
          ]
        : f.notes.slice(),
    ),
  };
}

/**
 * Notes for counted bills whose status is none the specification gives (1 已生成, 2 已汇总, 3 作废):
 * a status the XSD does not allow, or none. Customs billed them, so they count; a person should
 * look at them, since an unknown status may mean void.
 */
function unknownStatusNotes(valid: readonly StoredBill[], notes: string[]): string[] {
  for (const b of valid) if (!isLiveTaxBillStatus(b.status)) notes.push(`bill-status-unknown:${b.taxNo}`);
  if (valid.length > 1) notes.push(...taxNoNearMissNotes(valid));
  return notes;
}

/**
 * Counted bills of one row whose taxNos are equal but for case, white space or full-width forms (`T` and `"T "`):
 * both are added up, as taxNos are compared as written, but one may be a copy of the other with its key mangled on the
 * way. Each spelling after the first of its near key is named, `near-miss:taxNo:"T "`, so the doubled figure is seen.
 */
function taxNoNearMissNotes(valid: readonly StoredBill[]): string[] {
  const first = new Map<string, string>();
  const notes: string[] = [];
  for (const b of valid) {
    const near = nearKey(b.taxNo);
    const seen = first.get(near);
    if (seen === undefined) first.set(near, b.taxNo);
    else if (seen !== b.taxNo) notes.push(`near-miss:taxNo:${JSON.stringify(b.taxNo)}`);
  }
  return notes;
}

/** The note of a near miss: `near-miss:invtNo:"29242026I000000001"` (the key quoted: its white space is the point). */
function nearMissNote(m: NearMiss): string {
  return `near-miss:${m.kind}:${JSON.stringify(m.key)}`;
}

/**
 * The row of bills whose invtNo no declaration reached (pure), with the orderNo the first of them to name one names;
 * `nearMisses`: declarations' keys that nearly named it.
 */
export function orphanRow(bills: UnclaimedBill[], nearMisses: readonly NearMiss[] = []): ReconcileRow {
  const first = bills[0]!;
  const valid = bills.filter((b) => !b.void);
  const voided = bills.filter((b) => b.void);
  // The order the bills name (TaxHeadRd's orderNo, beyond the XSD), so that finance can look for its declaration.
  const orderNo = [...valid, ...voided].find((b) => b.orderNo !== undefined)?.orderNo;
  return {
    ...(orderNo !== undefined && { orderNo }),
    invtNo: first.invtNo,
    taxNos: [...valid.map((b) => b.taxNo), ...voided.map((b) => b.taxNo)],
    status: 'bill-without-declaration',
    month: monthOf(first.returnTime),
    district: districtKey(first.customsCode),
    customsCode: first.customsCode,
    billed: valid.length ? sumBills(valid) : undefined,
    mismatches: [],
    notes: unknownStatusNotes(valid, [...voided.map((b) => `void-bill:${b.taxNo}`), ...nearMisses.map(nearMissNote)]),
  };
}

let bundledWindow: ((date: string) => ReturnWindowPolicy | undefined) | undefined;

/**
 * True when a refund was approved after the last day of its release's return window (the
 * arrival deadline). Customs' approval still decides the order (it is `refunded`); the row is
 * flagged `refund-outside-window` for review, since either the approval or sandan's reading of
 * the window is wrong. False when either time is missing.
 */
function refundOutsideWindow(answer: Pick<JoinAnswer, 'refunded' | 'refundedAt' | 'releasedAt'>): boolean {
  if (!answer.refunded) return false;
  const released = beijingMillis(answer.releasedAt);
  const approved = beijingMillis(answer.refundedAt);
  if (!Number.isFinite(released) || !Number.isFinite(approved)) return false;
  const d = releaseDeadlines(new Date(released), (bundledWindow ??= nationalReturnWindow()));
  return d !== undefined && approved > d.arriveBy.getTime();
}

/** The row of one declaration from its facts and what the index answered (pure). */
export function declarationRow(
  f: DeclarationFacts,
  answer: JoinAnswer | undefined,
  tolerance: Decimal = ZERO,
): ReconcileRow {
  const notes = f.line !== undefined ? [`line:${f.line}`] : [];
  if (f.unreadable !== undefined || !answer) {
    return {
      taxNos: [],
      status: 'not-computed',
      month: 'unknown',
      district: 'unknown',
      mismatches: [],
      notes: [...notes, `issue:${f.unreadable ?? 'unknown'}`],
    };
  }
  if (!answer.firstSighting) {
    return {
      orderNo: f.orderNo,
      taxNos: [],
      status: 'duplicate-declaration',
      month: f.month,
      district: f.district,
      customsCode: f.customsCode,
      mismatches: [],
      notes,
    };
  }
  for (const n of f.notes) notes.push(n);
  // Another order reached this inventory first: its bills are that order's, and this one has none.
  if (answer.countedBefore) for (const t of answer.countedBefore) notes.push(`bill-already-counted:${t}`);
  // A key of a bill or receipt that is this row's but for case or white space: why it may have reached nothing.
  if (answer.nearMisses) for (const m of answer.nearMisses) notes.push(nearMissNote(m));
  // Customs approved the return: its verdict stands, and a late approval is flagged for review.
  if (refundOutsideWindow(answer)) notes.push('refund-outside-window');
  return decideRow(
    {
      orderNo: f.orderNo,
      invtNo: answer.invtNo,
      linkedBy: answer.linkedBy,
      month: f.month,
      district: f.district,
      customsCode: f.customsCode,
      dutiableValue: f.dutiableValue,
      declaredTaxTotal: f.declaredTaxTotal,
      computed: f.computed,
      bills: answer.bills,
      cancelled: answer.cancelled,
      refunded: answer.refunded,
      rejected: answer.rejected,
      notes,
    },
    tolerance,
  );
}
