import { Decimal as DecimalJs } from 'decimal.js';
import type { Decimal } from 'decimal.js';
import { isDecimalText, nonBlankText, trimmedText, trimXmlSpace } from '../model/guards.js';
import type { BillRecord } from './store.js';
import type { InventoryReceipt, TaxBill, TaxBillStatus } from './types.js';
import { CEB_NS } from '../xml/content-model.js';

/*
 * Turning documents (from the scanner or from parseCebXml) into the records reconciliation
 * uses. A document that lacks what it needs is a result (a problem text), never a throw.
 */

/** A converted record, or why the document could not be used. */
type Converted<T> = { ok: true; value: T } | { ok: false; problem: string };

/** An amount of a document as a decimal string (a Decimal from parseCebXml, or the scanner's text); undefined when it is none. */
export function amountText(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (DecimalJs.isDecimal(v)) return (v as Decimal).toFixed();
  if (typeof v !== 'string') return undefined;
  const t = trimXmlSpace(v);
  return isDecimalText(t) ? t : undefined;
}

/** A CEB816 `TaxHeadRd` as a {@link BillRecord} (amounts as decimal strings, as the index stores them). */
export function toBillRecord(head: Record<string, unknown>): Converted<BillRecord> {
  // Join keys as written (an xs:string keeps its white space), as the declaration's are read; the taxNo too.
  const invtNo = nonBlankText(head.invtNo);
  const taxNo = nonBlankText(head.taxNo);
  if (!invtNo || !taxNo) return { ok: false, problem: `tax bill without ${invtNo ? 'taxNo' : 'invtNo'}` };
  const customsTax = amountText(head, 'customsTax');
  const valueAddedTax = amountText(head, 'valueAddedTax');
  const consumptionTax = amountText(head, 'consumptionTax');
  const orderNo = nonBlankText(head.orderNo);
  if (customsTax === undefined || valueAddedTax === undefined || consumptionTax === undefined)
    return { ok: false, problem: `tax bill ${taxNo}: an amount is missing or not a decimal` };
  return {
    ok: true,
    value: {
      invtNo,
      taxNo,
      returnTime: trimmedText(head.returnTime) ?? '',
      status: trimmedText(head.status) ?? '',
      customsTax,
      valueAddedTax,
      consumptionTax,
      customsCode: trimmedText(head.customsCode),
      // The bill's orderNo (beyond the 2022 XSD), when it names one.
      ...(orderNo && { orderNo }),
    },
  };
}

/** A {@link TaxBill} as the index stores it. */
export function billRecordOf(b: TaxBill): BillRecord {
  return {
    invtNo: b.invtNo,
    taxNo: b.taxNo,
    returnTime: b.returnTime,
    status: b.status,
    customsTax: b.customsTax.toFixed(),
    valueAddedTax: b.valueAddedTax.toFixed(),
    consumptionTax: b.consumptionTax.toFixed(),
    customsCode: b.customsCode,
    ...(b.orderNo && { orderNo: b.orderNo }),
  };
}

/** A CEB818 `TaxHeadStatus` as a {@link TaxBillStatus}. */
function toTaxBillStatus(head: Record<string, unknown>): Converted<TaxBillStatus> {
  const invtNo = nonBlankText(head.invtNo);
  // As written, as the CEB816's taxNo is read: a void of " T " is no void of T (a near miss, named with the problem).
  const taxNo = nonBlankText(head.taxNo);
  const status = trimmedText(head.status);
  if (!invtNo || !taxNo || !status) return { ok: false, problem: 'tax bill status without invtNo, taxNo or status' };
  return { ok: true, value: { invtNo, taxNo, status, returnTime: trimmedText(head.returnTime) ?? '' } };
}

/** A CEB622/624/626 receipt as an {@link InventoryReceipt}. */
function toInventoryReceipt(type: InventoryReceipt['type'], doc: Record<string, unknown>): Converted<InventoryReceipt> {
  const copNo = nonBlankText(doc.copNo);
  const preNo = nonBlankText(doc.preNo);
  const invtNo = nonBlankText(doc.invtNo);
  const returnStatus = trimmedText(doc.returnStatus);
  if (!returnStatus || (!copNo && !preNo && !invtNo))
    return { ok: false, problem: `${type} receipt without returnStatus or any of copNo, preNo, invtNo` };
  return {
    ok: true,
    value: {
      type,
      copNo,
      preNo,
      invtNo,
      returnStatus,
      returnTime: trimmedText(doc.returnTime) ?? '',
      returnInfo: typeof doc.returnInfo === 'string' ? doc.returnInfo : undefined,
    },
  };
}

/** What one document contributes to reconciliation (plain data: worker threads post it). */
export type DocumentRecord =
  | { kind: 'bill'; bill: BillRecord }
  | { kind: 'status'; status: TaxBillStatus }
  | { kind: 'receipt'; receipt: InventoryReceipt }
  | { kind: 'unreadable'; problem: string }
  /** A problem with the inputs that is not a document's (the declarations' layout): told, not counted. */
  | { kind: 'problem'; problem: string }
  | { kind: 'skipped' };

/** The first key a document has, to find it by (` (taxNo T1)`); empty when it has none. */
function keyOf(fields: Record<string, unknown>): string {
  for (const k of ['taxNo', 'invtNo', 'copNo', 'preNo'] as const) {
    const v = trimmedText(fields[k]);
    if (v) return ` (${k} ${v})`;
  }
  return '';
}

/** An unusable document's record: the problem, located by file and index (see {@link documentRecord}) and first key. */
function unreadable(
  problem: string,
  fields: Record<string, unknown>,
  file: string | undefined,
  index: number | undefined,
): DocumentRecord {
  const located = `${problem}${keyOf(fields)}`;
  if (index === undefined) return { kind: 'unreadable', problem: located };
  const where = file === undefined ? `inputs.documents[${index}]` : `${file}, document ${index + 1}`;
  return { kind: 'unreadable', problem: `${where}: ${located}` };
}

/**
 * The problem of elements under a message's root that are not its documents: perhaps bills (a `<Tax>` in no
 * namespace, `<Tax>` wrapped in a `<TaxList>`), not read. `where`: the file, or the entry's place in the input.
 */
function strayProblem(
  where: string,
  strays: { count: number; names: readonly string[] },
  messageType: string | undefined,
): string {
  const one = strays.count === 1;
  const names = `${strays.names.map((n) => `<${n}>`).join(', ')}${strays.count > strays.names.length ? ', …' : ''}`;
  return `${where}: ${strays.count} element${one ? '' : 's'} under the root ${one ? 'is' : 'are'} not a ${messageType || 'CEB'} document and ${one ? 'was' : 'were'} not read (${names}); a document is a child of the root in namespace ${CEB_NS}`;
}

/**
 * Converts a scanned or parsed document: CEB816/818/622/624/626 are used, other types skipped, an
 * entry of stray elements ({@link strayProblem}) unreadable.
 * A problem is located by `index` (0-based: `bills.xml, document 3` for the third of `file`, else
 * `inputs.documents[2]`) and the document's first key; without them it reads the same for every
 * such document of a month. The location is written only for a problem (nothing is made for the
 * usual case: this runs once per bill and receipt of the month).
 */
export function documentRecord(
  d: {
    messageType: string;
    fields: Record<string, unknown>;
    strayElements?: { count: number; names: readonly string[] } | undefined;
  },
  file?: string,
  index?: number,
): DocumentRecord {
  // A file's elements that are not documents (an UnreadEntry of readCebDocuments or of a worker's scan).
  if (d.strayElements)
    return {
      kind: 'unreadable',
      problem: strayProblem(file ?? `inputs.documents[${index ?? 0}]`, d.strayElements, d.messageType),
    };
  const t = d.messageType;
  if (t === 'CEB816') {
    const c = toBillRecord(d.fields);
    return c.ok ? { kind: 'bill', bill: c.value } : unreadable(`CEB816: ${c.problem}`, d.fields, file, index);
  }
  if (t === 'CEB818') {
    const c = toTaxBillStatus(d.fields);
    return c.ok ? { kind: 'status', status: c.value } : unreadable(`CEB818: ${c.problem}`, d.fields, file, index);
  }
  if (t === 'CEB622' || t === 'CEB624' || t === 'CEB626') {
    const c = toInventoryReceipt(t, d.fields);
    return c.ok ? { kind: 'receipt', receipt: c.value } : unreadable(c.problem, d.fields, file, index);
  }
  return { kind: 'skipped' };
}
