import DecimalJs from 'decimal.js';
import type Decimal from 'decimal.js';
import { Dec } from '../model/primitives.js';
import type { InventoryReceipt, TaxBill, TaxBillStatus } from './types.js';

/*
 * Turning documents (from the scanner or from parseCebXml) into the records reconciliation
 * uses. A document that lacks what it needs is a result (a problem text), never a throw.
 */

/** A converted record, or why the document could not be used. */
export type Converted<T> = { ok: true; value: T } | { ok: false; problem: string };

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function str(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number') return String(v);
  if (DecimalJs.isDecimal(v)) return (v as Decimal).toFixed();
  return undefined;
}

function amount(doc: Record<string, unknown>, key: string): Decimal | undefined {
  const v = doc[key];
  if (DecimalJs.isDecimal(v)) return new Dec(v as Decimal);
  if (typeof v === 'string' && DECIMAL.test(v.trim())) return new Dec(v.trim());
  return undefined;
}

/** A CEB816 `TaxHeadRd` as a {@link TaxBill}. */
export function toTaxBill(head: Record<string, unknown>): Converted<TaxBill> {
  const invtNo = str(head, 'invtNo');
  const taxNo = str(head, 'taxNo');
  if (!invtNo || !taxNo) return { ok: false, problem: `tax bill without ${invtNo ? 'taxNo' : 'invtNo'}` };
  const customsTax = amount(head, 'customsTax');
  const valueAddedTax = amount(head, 'valueAddedTax');
  const consumptionTax = amount(head, 'consumptionTax');
  if (!customsTax || !valueAddedTax || !consumptionTax) return { ok: false, problem: `tax bill ${taxNo}: an amount is missing or not a decimal` };
  return {
    ok: true,
    value: { invtNo, taxNo, returnTime: str(head, 'returnTime') ?? '', status: str(head, 'status') ?? '', customsTax, valueAddedTax, consumptionTax, customsCode: str(head, 'customsCode') },
  };
}

/** A CEB818 `TaxHeadStatus` as a {@link TaxBillStatus}. */
export function toTaxBillStatus(head: Record<string, unknown>): Converted<TaxBillStatus> {
  const invtNo = str(head, 'invtNo');
  const taxNo = str(head, 'taxNo');
  const status = str(head, 'status');
  if (!invtNo || !taxNo || !status) return { ok: false, problem: 'tax bill status without invtNo, taxNo or status' };
  return { ok: true, value: { invtNo, taxNo, status, returnTime: str(head, 'returnTime') ?? '' } };
}

/** A CEB622/624/626 receipt as an {@link InventoryReceipt}. */
export function toInventoryReceipt(type: InventoryReceipt['type'], doc: Record<string, unknown>): Converted<InventoryReceipt> {
  const copNo = str(doc, 'copNo');
  const preNo = str(doc, 'preNo');
  const invtNo = str(doc, 'invtNo');
  const returnStatus = str(doc, 'returnStatus');
  if (!returnStatus || (!copNo && !preNo && !invtNo)) return { ok: false, problem: `${type} receipt without returnStatus or any of copNo, preNo, invtNo` };
  return { ok: true, value: { type, copNo, preNo, invtNo, returnStatus, returnTime: str(doc, 'returnTime') ?? '', returnInfo: typeof doc.returnInfo === 'string' ? doc.returnInfo : undefined } };
}
