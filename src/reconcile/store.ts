import type { TaxBill, TaxBillStatus } from './types.js';

/*
 * The index reconciliation joins through: bills by invtNo, receipt links copNo/preNo → invtNo,
 * approved cancels and refunds, orders already seen, and the spooled output rows. The core
 * only talks to this interface; MemoryStore keeps everything in Maps (small inputs, tests),
 * the SQLite store (sqlite-store.ts) keeps it in a temporary file (inputs of any size).
 */

/** A bill as stored: amounts as decimal strings, `void` from CEB816 status 3 or any CEB818 status 3. */
export interface StoredBill {
  invtNo: string;
  taxNo: string;
  returnTime: string;
  status: string;
  void: boolean;
  customsTax: string;
  valueAddedTax: string;
  consumptionTax: string;
  customsCode?: string | undefined;
}

/** Keys of an inventory in receipts: enterprise number, pre-entry number, customs number. */
export interface InventoryKeys {
  copNo?: string | undefined;
  preNo?: string | undefined;
  invtNo?: string | undefined;
}

/** A mismatch entry as stored, with its sort key (absolute amount in units of 0.00001). */
export interface StoredMismatch {
  orderNo: string;
  invtNo?: string | undefined;
  kind: string;
  amount: string;
}

/** The join index and row spool of a reconciliation run; synchronous by design. */
export interface ReconcileStore {
  /** Stores a bill; false when a bill with the same taxNo is already stored (a duplicate). */
  addBill(bill: TaxBill): boolean;
  /** Records a CEB818 status; status 3 voids the bill. */
  addBillStatus(status: TaxBillStatus): void;
  /** Records what a CEB622 receipt says: copNo/preNo → invtNo. */
  addLink(kind: 'copNo' | 'preNo', key: string, invtNo: string): void;
  /** Records an approved cancel (CEB624) or refund (CEB626) under each of the inventory's keys. */
  addFinal(kind: 'cancel' | 'refund', keys: InventoryKeys, returnTime: string): void;
  /** The invtNo a CEB622 receipt gave for this copNo or preNo. */
  invtNoBy(kind: 'copNo' | 'preNo', key: string): string | undefined;
  /** Whether a cancel and whether a refund was approved for any of these keys. */
  finals(keys: InventoryKeys): { cancelled: boolean; refunded: boolean };
  /** The bills of an inventory, marked as claimed so they are not reported as bills without declaration. */
  claimBills(invtNo: string): StoredBill[];
  /** Bills nobody claimed, grouped by invtNo, in invtNo order. */
  unclaimedBills(): Iterable<StoredBill[]>;
  /** True the first time an orderNo is seen. */
  firstSighting(orderNo: string): boolean;
  /** Spools one output row (its JSON text). */
  putRow(json: string): void;
  /** Spools one mismatch entry. */
  putMismatch(entry: StoredMismatch, sortKey: number): void;
  /** The spooled rows in the order they were put. */
  rows(): Iterable<string>;
  /** The mismatches, largest absolute amount first, then by orderNo and kind. */
  mismatches(): Iterable<StoredMismatch>;
  /** Releases resources (deletes temporary files). */
  close(): void;
}

function keyList(keys: InventoryKeys): string[] {
  const out: string[] = [];
  if (keys.copNo) out.push(`c:${keys.copNo}`);
  if (keys.preNo) out.push(`p:${keys.preNo}`);
  if (keys.invtNo) out.push(`i:${keys.invtNo}`);
  return out;
}

/** Key strings under which a cancel/refund is recorded (also used by the SQLite store). */
export const inventoryKeyList = keyList;

/** Orders mismatch entries: largest absolute amount first, then orderNo, then kind. */
export function compareMismatch(a: { e: StoredMismatch; k: number }, b: { e: StoredMismatch; k: number }): number {
  if (a.k !== b.k) return b.k - a.k;
  if (a.e.orderNo !== b.e.orderNo) return a.e.orderNo < b.e.orderNo ? -1 : 1;
  return a.e.kind < b.e.kind ? -1 : a.e.kind > b.e.kind ? 1 : 0;
}

/** Everything in memory: fine up to a few hundred thousand orders. */
export class MemoryStore implements ReconcileStore {
  private readonly bills = new Map<string, Array<StoredBill & { claimed: boolean }>>();
  private readonly taxNos = new Set<string>();
  private readonly voided = new Set<string>();
  private readonly links = new Map<string, string>();
  private readonly done = new Set<string>();
  private readonly orders = new Set<string>();
  private readonly spool: string[] = [];
  private readonly mism: Array<{ e: StoredMismatch; k: number }> = [];

  addBill(b: TaxBill): boolean {
    if (this.taxNos.has(b.taxNo)) return false;
    this.taxNos.add(b.taxNo);
    const list = this.bills.get(b.invtNo) ?? [];
    list.push({
      invtNo: b.invtNo,
      taxNo: b.taxNo,
      returnTime: b.returnTime,
      status: b.status,
      void: b.status === '3',
      customsTax: b.customsTax.toFixed(),
      valueAddedTax: b.valueAddedTax.toFixed(),
      consumptionTax: b.consumptionTax.toFixed(),
      customsCode: b.customsCode,
      claimed: false,
    });
    this.bills.set(b.invtNo, list);
    return true;
  }
  addBillStatus(s: TaxBillStatus): void {
    if (s.status === '3') this.voided.add(s.taxNo);
  }
  addLink(kind: 'copNo' | 'preNo', key: string, invtNo: string): void {
    this.links.set(`${kind}:${key}`, invtNo);
  }
  addFinal(kind: 'cancel' | 'refund', keys: InventoryKeys): void {
    for (const k of keyList(keys)) this.done.add(`${kind}:${k}`);
  }
  invtNoBy(kind: 'copNo' | 'preNo', key: string): string | undefined {
    return this.links.get(`${kind}:${key}`);
  }
  finals(keys: InventoryKeys): { cancelled: boolean; refunded: boolean } {
    const list = keyList(keys);
    return { cancelled: list.some((k) => this.done.has(`cancel:${k}`)), refunded: list.some((k) => this.done.has(`refund:${k}`)) };
  }
  private view(b: StoredBill & { claimed: boolean }): StoredBill {
    const { claimed: _claimed, ...rest } = b;
    return { ...rest, void: rest.void || this.voided.has(rest.taxNo) };
  }
  claimBills(invtNo: string): StoredBill[] {
    const list = this.bills.get(invtNo) ?? [];
    for (const b of list) b.claimed = true;
    return list.map((b) => this.view(b));
  }
  *unclaimedBills(): Iterable<StoredBill[]> {
    const keys = [...this.bills.keys()].sort();
    for (const k of keys) {
      const list = this.bills.get(k)!.filter((b) => !b.claimed);
      if (list.length) yield list.map((b) => this.view(b));
    }
  }
  firstSighting(orderNo: string): boolean {
    if (this.orders.has(orderNo)) return false;
    this.orders.add(orderNo);
    return true;
  }
  putRow(json: string): void {
    this.spool.push(json);
  }
  putMismatch(entry: StoredMismatch, sortKey: number): void {
    this.mism.push({ e: entry, k: sortKey });
  }
  rows(): Iterable<string> {
    return this.spool;
  }
  *mismatches(): Iterable<StoredMismatch> {
    const sorted = [...this.mism].sort(compareMismatch);
    for (const m of sorted) yield m.e;
  }
  close(): void {
    this.spool.length = 0;
  }
}
