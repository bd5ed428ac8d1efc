import { diskTrouble, messageOf, SandanError } from '../errors.js';
import { isLiveTaxBillStatus, isVoidTaxBillStatus } from '../xml/receipts.js';
import { orderIdentity, type JoinAnswer, type JoinRequest } from './facts.js';
import { TEXT_PIECE_BYTES } from './text-piece.js';
import { compareCodeUnits, checkArgument, valueIn } from '../model/guards.js';
import { NEAR_MISSES, nearKey } from './near-key.js';
import { Dec } from '../model/primitives.js';
import type { InventoryReceipt } from './types.js';

/*
 * The index reconciliation joins through: bills by invtNo, receipt links copNo/preNo → invtNo,
 * approved cancels and refunds, orders already seen, and the spooled output rows. The core
 * only talks to this interface; MemoryStore keeps everything in Maps (small inputs, tests),
 * the SQLite store (sqlite-store.ts) keeps it in a temporary file (inputs of any size).
 */

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

/** A bill to store: amounts as decimal strings (already checked by the converter). */
export interface BillRecord {
  invtNo: string;
  taxNo: string;
  returnTime: string;
  status: string;
  customsTax: string;
  valueAddedTax: string;
  consumptionTax: string;
  customsCode?: string | undefined;
  /** The order the bill names (TaxHeadRd orderNo, beyond the 2022 XSD): links the bill when no receipt does. */
  orderNo?: string | undefined;
}

/** A bill as stored: amounts as decimal strings, `void` from CEB816 status 3 or any CEB818 status 3. */
export interface StoredBill extends Omit<BillRecord, 'orderNo'> {
  void: boolean;
}

/** A bill no declaration claimed, with the order it names (a bill-without-declaration row shows it). */
export interface UnclaimedBill extends StoredBill {
  orderNo?: string | undefined;
}

/** The keys a declaration reaches its bills by (see {@link linkInventory}). */
export type JoinKeyKind = 'invtNo' | 'copNo' | 'preNo' | 'orderNo';

/**
 * A stored key (a bill's invtNo or orderNo, a CEB622's copNo or preNo) that equals a declaration's key
 * but for case, white space or full-width forms ({@link nearKey}). Customs compares keys as written, so
 * it is not joined; the row that stays unmatched names it.
 */
export interface NearMiss {
  kind: JoinKeyKind;
  key: string;
}

/** A receipt link: what a CEB622 says the inventory with this copNo or preNo is called by customs. */
export interface ReceiptLink {
  /** `orderNo` links come from the bills themselves (their orderNo), not from receipts. */
  kind: 'copNo' | 'preNo' | 'orderNo';
  key: string;
  invtNo: string;
}

/**
 * An approved cancel (CEB624) or refund (CEB626), or an inventory customs rejected (see rejections.ts), recorded under
 * each key of the inventory, or a release (CEB622 800/899), recorded under its invtNo only: a refund is looked up
 * against it.
 */
export interface FinalRecord {
  kind: 'cancel' | 'refund' | 'reject' | 'release';
  keys: InventoryKeys;
  /** The receipt's returnTime (`yyyyMMddHHmmss[SSS]`, Beijing); the earliest one per key is kept. */
  at?: string | undefined;
}

/** A CEB622 receipt as the index keeps it, to decide which inventories customs rejected (see rejections.ts). */
export type InventoryReceiptRecord = Pick<
  InventoryReceipt,
  'copNo' | 'preNo' | 'invtNo' | 'returnStatus' | 'returnTime' | 'returnInfo'
>;

/** Keys to look inventory receipts up by: a receipt matches when any of its keys is in the lists. */
export interface InventoryKeyLists {
  copNo: readonly string[];
  preNo: readonly string[];
  invtNo: readonly string[];
}

/**
 * The fields two copies of one taxNo must agree on. `returnTime` is left out: a copy delivered
 * again carries its own.
 */
const BILL_CONTENT_FIELDS = [
  'invtNo',
  'orderNo',
  'customsTax',
  'valueAddedTax',
  'consumptionTax',
  'status',
  'customsCode',
] as const;

/** A field of {@link BILL_CONTENT_FIELDS}. */
export type BillContentField = (typeof BILL_CONTENT_FIELDS)[number];

/** The content of a bill two copies are compared on (absent fields as undefined or null, as an index gives them back). */
export type BillContent = { [K in BillContentField]?: string | null | undefined };

/**
 * A later copy of a stored taxNo with other content. The stored (first) copy stays the one used;
 * `firstSeq` and `repeatSeq` are the numbers the two copies were added under (see
 * {@link ReconcileStore.addBills}).
 */
export interface BillConflict {
  taxNo: string;
  firstSeq: number;
  repeatSeq: number;
  /** The fields that differ, in {@link BILL_CONTENT_FIELDS} order, with each copy's value. */
  differences: Array<{ field: BillContentField; first: string; repeat: string }>;
}

/** What storing a batch of bills found: repeats of a stored taxNo, and those of them with other content. */
export interface BillsAdded {
  /** Copies of a stored taxNo (conflicting ones included), not stored again. */
  duplicates: number;
  conflicts: BillConflict[];
  /**
   * The copies that agree with their stored one (exact repeats), named so that the report can say which taxNo came
   * twice and where; a store that leaves it out has them counted only.
   */
  repeats?: Array<Omit<BillConflict, 'differences'>> | undefined;
}

/**
 * How a repeat of a taxNo differs from its stored copy (nothing for an exact repeat): amounts
 * compared as decimals ("1.0" is "1.00"); orderNo and customsCode only when both copies carry
 * one; status only outside 1 (generated) and 2 (summarised), which a bill passes through, and 3
 * (void), which voids the taxNo instead. Both stores
 * use it, on repeats only.
 */
export function billDifferences(first: BillContent, repeat: BillContent): BillConflict['differences'] {
  checkArgument(first, 'object', 'billDifferences', "first (a bill's content)");
  checkArgument(repeat, 'object', 'billDifferences', "repeat (a bill's content)");
  const out: BillConflict['differences'] = [];
  for (const field of BILL_CONTENT_FIELDS) {
    const a = first[field] ?? '';
    const b = repeat[field] ?? '';
    if (a === b) continue;
    switch (field) {
      case 'customsTax':
      case 'valueAddedTax':
      case 'consumptionTax':
        if (new Dec(a).eq(b)) continue;
        break;
      case 'status':
        // 3 voids the taxNo instead; 1 (已生成) then 2 (已汇总) is the bill's own progress, not a contradiction.
        if (isVoidTaxBillStatus(a) || isVoidTaxBillStatus(b) || (isLiveTaxBillStatus(a) && isLiveTaxBillStatus(b)))
          continue;
        break;
      case 'orderNo':
      case 'customsCode':
        // A copy that leaves it out does not contradict one that names it.
        if (!a || !b) continue;
        break;
    }
    out.push({ field, first: a, repeat: b });
  }
  return out;
}

/**
 * The join index and row spool of a reconciliation run. Synchronous and batch-oriented: the
 * SQLite store answers a batch of declarations with a handful of statements instead of
 * several per order. Every batch method gives the same answers as one call per item in order.
 */
export interface ReconcileStore {
  /**
   * Stores bills, first taxNo wins (a later copy with status 3 still voids the taxNo). The bills
   * are numbered `firstSeq`, `firstSeq + 1`, …; a repeat of a stored taxNo is counted as a
   * duplicate, and when {@link billDifferences} finds it differs from the stored copy, it is
   * also a conflict naming both copies' numbers.
   */
  addBills(bills: readonly BillRecord[], firstSeq: number): BillsAdded;
  /**
   * Stores bills given as JSON text: an array of `[invtNo, taxNo, returnTime, status,
   * customsTax, valueAddedTax, consumptionTax, customsCode, orderNo?]` (the form worker threads
   * post), numbered from `firstSeq`, as {@link addBills} does.
   */
  addBillTuples(json: string, count: number, firstSeq: number): BillsAdded;
  /** Records the taxNos a CEB818 declared void (status 3). */
  addVoided(taxNos: readonly string[]): void;
  /** Records receipt links copNo/preNo → invtNo (a later link for the same key replaces the earlier). */
  addLinks(links: readonly ReceiptLink[]): void;
  /** Records approved cancels and refunds, rejections and releases. */
  addFinals(finals: readonly FinalRecord[]): void;
  /**
   * Keeps CEB622 receipts (in input order) until the documents are in, when the inventories customs rejected are
   * decided from them. Optional, with {@link inventoryReceiptsOf}: a store without them finds no order rejected.
   */
  addInventoryReceipts?(receipts: readonly InventoryReceiptRecord[]): void;
  /** The kept CEB622 receipts that name any of the keys, in input order. */
  inventoryReceiptsOf?(keys: InventoryKeyLists): InventoryReceiptRecord[];
  /**
   * Answers a batch of declarations, in order: whether each orderNo is seen for the first time
   * (counting earlier batches and earlier items of this one), its invtNo (its own, else through
   * a receipt link by copNo, then preNo), its bills (marked as claimed) and whether a cancel or
   * refund was approved for any of its keys. Items that are `undefined` get `undefined`.
   */
  join(requests: ReadonlyArray<JoinRequest | undefined>): Array<JoinAnswer | undefined>;
  /** Bills no declaration claimed, grouped by invtNo, in invtNo order. */
  unclaimedBills(): Iterable<UnclaimedBill[]>;
  /**
   * The near misses of the row of an inventory's unclaimed bills (see {@link billRowNearMisses}): the keys of
   * declarations that reached no bill and nearly named this inventory (through its bill or a receipt link), in
   * input order, then the invtNos of bills a declaration reached that are this one but for case, white space or
   * full-width forms; the first {@link NEAR_MISSES}. Optional: a store without it names none.
   */
  billNearMisses?(invtNo: string): NearMiss[];
  /**
   * taxNos voided (a CEB818 status 3) whose CEB816 is not among the bills, in code-unit order, at most `limit`:
   * perhaps bills of another month, whose totals the void changes. Optional: a store without it names none.
   */
  voidsWithoutBill?(limit: number): string[];
  /**
   * Stored bills' taxNos other than `taxNo` that are it but for case, white space or full-width forms
   * ({@link nearKey}), sorted, at most {@link NEAR_MISSES}: what a void without its bill nearly named.
   * Optional: a store without it names none.
   */
  taxNoNearMisses?(taxNo: string): string[];
  /** Spools output rows (their JSON texts, no line breaks inside) in order. */
  putRows(rows: readonly string[]): void;
  /** Spools mismatch entries with their sort keys. */
  putMismatches(entries: ReadonlyArray<{ entry: StoredMismatch; sortKey: number }>): void;
  /** The spooled rows (JSON texts) in the order they were put. */
  rows(): Iterable<string>;
  /** The same rows in blocks: several rows joined by line breaks (for writers that copy them through). */
  rowBlocks(): Iterable<string>;
  /** The mismatches, largest absolute amount first, then by orderNo and kind. */
  mismatches(): Iterable<StoredMismatch>;
  /** Releases resources and deletes temporary files; synchronous (so a signal handler can call it) and safe to call again. */
  close(): void;
  /** The folder of the store's temporary files, when it keeps any (named when they cannot be written). */
  readonly location?: string | undefined;
}

/**
 * A failure of a store's own files (SQLite's errors, a full or failing disk) as `RECONCILE_INDEX`,
 * naming the folder they are in (a full disk under TMPDIR was an "internal error"); anything else
 * is returned as it is.
 */
export function storeFailure(e: unknown, location: string | undefined): unknown {
  if (e instanceof SandanError) return e;
  const errno = (e as { code?: unknown } | null)?.code;
  const disk = diskTrouble(e);
  if (disk === undefined && !(typeof errno === 'string' && errno.startsWith('SQLITE_'))) return e;
  const where = location === undefined ? '' : ` (${location})`;
  return new SandanError(
    'RECONCILE_INDEX',
    disk?.disk === 'full'
      ? `The disk holding the reconciliation index${where} is full: ${messageOf(e)}`
      : `The reconciliation index${where} failed: ${messageOf(e)}`,
    { cause: e, details: disk ?? { errno } },
  );
}

/** Key strings under which a cancel/refund is recorded (also used by the SQLite store). */
export function inventoryKeyList(keys: InventoryKeys): string[] {
  const out: string[] = [];
  if (keys.copNo) out.push(`c:${keys.copNo}`);
  if (keys.preNo) out.push(`p:${keys.preNo}`);
  if (keys.invtNo) out.push(`i:${keys.invtNo}`);
  return out;
}

/** A bill as the tuple {@link ReconcileStore.addBillTuples} takes. */
export type BillTuple = [string, string, string, string, string, string, string, string | null, (string | null)?];

/** A bill as a tuple. */
export function billTuple(b: BillRecord): BillTuple {
  const t: BillTuple = [
    b.invtNo,
    b.taxNo,
    b.returnTime,
    b.status,
    b.customsTax,
    b.valueAddedTax,
    b.consumptionTax,
    b.customsCode ?? null,
  ];
  if (b.orderNo) t.push(b.orderNo);
  return t;
}

/** A bill of its tuple. */
export function billOfTuple([
  invtNo,
  taxNo,
  returnTime,
  status,
  customsTax,
  valueAddedTax,
  consumptionTax,
  customsCode,
  orderNo,
]: BillTuple): BillRecord {
  return {
    invtNo,
    taxNo,
    returnTime,
    status,
    customsTax,
    valueAddedTax,
    consumptionTax,
    customsCode: customsCode ?? undefined,
    ...(orderNo ? { orderNo } : {}),
  };
}

/**
 * Counts a repeat of a stored taxNo in `added`, and when its content differs, the conflict
 * (both stores, on repeats only).
 */
export function addRepeat(
  added: BillsAdded,
  stored: BillContent,
  storedSeq: number,
  repeat: BillContent & { taxNo: string },
  repeatSeq: number,
): void {
  added.duplicates++;
  const differences = billDifferences(stored, repeat);
  if (differences.length) added.conflicts.push({ taxNo: repeat.taxNo, firstSeq: storedSeq, repeatSeq, differences });
  else (added.repeats ??= []).push({ taxNo: repeat.taxNo, firstSeq: storedSeq, repeatSeq });
}

/** Orders mismatch entries: largest absolute amount first, then orderNo, then kind. */
function compareMismatch(a: { e: StoredMismatch; k: number }, b: { e: StoredMismatch; k: number }): number {
  if (a.k !== b.k) return b.k - a.k;
  return compareCodeUnits(a.e.orderNo, b.e.orderNo) || compareCodeUnits(a.e.kind, b.e.kind);
}

/** The keys an approved cancel or refund, or a rejection, is looked up by, as {@link inventoryKeyList} writes them. */
export function finalKeys(keys: InventoryKeys): string[] {
  const list = inventoryKeyList(keys);
  return [...list.map((k) => `cancel:${k}`), ...list.map((k) => `refund:${k}`), ...list.map((k) => `reject:${k}`)];
}

/** Orders bills by taxNo (the order of an inventory's bills in a row). */
export const byTaxNo = (a: StoredBill, b: StoredBill): number => compareCodeUnits(a.taxNo, b.taxNo);

/** The key a receipt link is stored under. */
export function linkKey(kind: ReceiptLink['kind'], key: string): string {
  return `${kind}:${key}`;
}

/** The keys a declaration without an invtNo is linked to its inventory by, in the order they are tried. */
export const LINK_KINDS = ['copNo', 'preNo', 'orderNo'] as const;

/**
 * The inventory a declaration reaches: its own invtNo, else the one a CEB622 receipt gave for
 * its copNo, then for its preNo, then the one of a bill naming its orderNo (`link` looks a
 * {@link linkKey} up). Both stores use it.
 */
export function linkInventory(
  r: JoinRequest,
  link: (key: string) => string | undefined,
): { invtNo?: string | undefined; linkedBy?: JoinAnswer['linkedBy'] } {
  if (r.invtNo) return { invtNo: r.invtNo, linkedBy: 'invtNo' };
  // (orderNo last: a bill that names the order, the first such bill's invtNo)
  for (const kind of LINK_KINDS) {
    const invtNo = r[kind] ? link(linkKey(kind, r[kind])) : undefined;
    if (invtNo) return { invtNo, linkedBy: kind };
  }
  return {};
}

/** Stored keys with a given {@link nearKey}, as a store finds them (each list sorted, at most NEAR_MISSES). */
interface NearKeys {
  /** Bills' invtNos other than `invtNo` with its nearKey. */
  bills(invtNo: string): string[];
  /** Receipt (and bill orderNo) links other than `key` with its nearKey: [key, invtNo]. */
  links(key: string): Array<[string, string]>;
}

/**
 * The near misses of a declaration that reached no bill (only such rows pay for the lookups): with an
 * inventory, bills whose invtNo is its own but for case or white space; without one, receipt links (and bills'
 * orderNos) whose copNo, preNo or orderNo is the declaration's but for them. `marks` are the same near misses
 * seen from the other side: the inventory whose bill row names the declaration's key. Both stores use it.
 */
export function findNearMisses(
  r: JoinRequest,
  invtNo: string | undefined,
  near: NearKeys,
): { misses: NearMiss[]; marks: Array<{ invtNo: string; miss: NearMiss }> } {
  const misses: NearMiss[] = [];
  const marks: Array<{ invtNo: string; miss: NearMiss }> = [];
  if (invtNo) {
    for (const other of near.bills(invtNo)) {
      misses.push({ kind: 'invtNo', key: other });
      marks.push({ invtNo: other, miss: { kind: 'invtNo', key: invtNo } });
    }
    return { misses, marks };
  }
  for (const kind of LINK_KINDS) {
    const own = r[kind];
    if (!own) continue;
    for (const [key, target] of near.links(linkKey(kind, own))) {
      misses.push({ kind, key: key.slice(kind.length + 1) });
      marks.push({ invtNo: target, miss: { kind, key: own } });
    }
  }
  return { misses, marks };
}

/** Adds a near miss to a bill row's list unless it is there or the list is full (both stores keep the first ones). */
function addNearMiss(list: NearMiss[], miss: NearMiss): void {
  if (list.length < NEAR_MISSES && !list.some((m) => m.kind === miss.kind && m.key === miss.key)) list.push(miss);
}

/**
 * The near misses a row of unclaimed bills names: `marks`, the keys of declarations that reached nothing (see
 * {@link findNearMisses}), then `reached`, inventories whose bills a declaration reached and whose invtNo is this
 * row's but for case, white space or full-width forms (a leftover bill `x1` beside a matched `X1`). `reached` is
 * looked up (`lookUp`) only while the list has room. Both stores use it.
 */
export function billRowNearMisses(marks: readonly NearMiss[], reached: () => readonly string[]): NearMiss[] {
  if (marks.length >= NEAR_MISSES) return marks.slice(0, NEAR_MISSES);
  const out = [...marks];
  for (const key of reached()) addNearMiss(out, { kind: 'invtNo', key });
  return out;
}

/**
 * Whether a cancel and whether a refund was approved under any of the keys, and whether the inventory was rejected
 * (`get` looks up a {@link finalKeys} key: undefined when absent, else its time or ''), with the earliest refund
 * approval time.
 */
export function finalFlags(
  keys: InventoryKeys,
  get: (key: string) => string | undefined,
): { cancelled: boolean; refunded: boolean; rejected?: boolean; refundedAt?: string } {
  let cancelled = false;
  let refunded = false;
  let rejected = false;
  let refundedAt: string | undefined;
  for (const k of inventoryKeyList(keys)) {
    if (get(`cancel:${k}`) !== undefined) cancelled = true;
    if (get(`reject:${k}`) !== undefined) rejected = true;
    const t = get(`refund:${k}`);
    if (t !== undefined) {
      refunded = true;
      if (t !== '' && (refundedAt === undefined || t < refundedAt)) refundedAt = t;
    }
  }
  return {
    cancelled,
    refunded,
    ...(rejected && { rejected }),
    ...(refundedAt !== undefined && { refundedAt }),
  };
}

/** The key a release time is stored under. */
export function releaseKey(invtNo: string): string {
  return `release:i:${invtNo}`;
}

/** The keys a final record is stored under: a cancel or refund under each key of its inventory, a release under its invtNo. */
export function finalRecordKeys(f: FinalRecord): string[] {
  if (f.kind === 'release') return f.keys.invtNo ? [releaseKey(f.keys.invtNo)] : [];
  return inventoryKeyList(f.keys).map((k) => `${f.kind}:${k}`);
}

/** Keeps the earlier of two receipt times ('' = unknown). */
function earlier(a: string | undefined, b: string): string {
  return a === undefined || a === '' ? b : b === '' || a <= b ? a : b;
}

/** The answer for an order seen before (shared, so frozen through: nothing is looked up for it). */
export const NOT_SEEN: JoinAnswer = Object.freeze({
  firstSighting: false,
  bills: Object.freeze([]) as unknown as StoredBill[],
  cancelled: false,
  refunded: false,
}) as JoinAnswer;

/** Keys by their {@link nearKey}, each list in code-unit order. */
function nearIndex(keys: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of keys) valueIn(out, nearKey(k), () => []).push(k);
  for (const list of out.values()) if (list.length > 1) list.sort(compareCodeUnits);
  return out;
}

/** The first NEAR_MISSES keys of `index` other than `key` with its nearKey (and, with `keep`, kept by it). */
function nearOf(index: Map<string, string[]>, key: string, keep?: (k: string) => boolean): string[] {
  return (index.get(nearKey(key)) ?? []).filter((k) => k !== key && (!keep || keep(k))).slice(0, NEAR_MISSES);
}

/** A bill in the memory store: the record as read (orderNo kept to compare repeats), its number, whether claimed. */
type MemoryBill = StoredBill & { orderNo?: string | undefined; seq: number; claimed: boolean };

/** Everything in memory: fine up to a few hundred thousand orders. */
export class MemoryStore implements ReconcileStore {
  // Its own name in the build, which calls it _MemoryStore or, in CommonJS, _class (as console.log shows it).
  static {
    Object.defineProperty(MemoryStore, 'name', { value: 'MemoryStore' });
  }
  private readonly bills = new Map<string, MemoryBill[]>();
  /** Each stored bill by its taxNo. */
  private readonly taxNos = new Map<string, MemoryBill>();
  private readonly voided = new Set<string>();
  private readonly links = new Map<string, string>();
  private readonly done = new Map<string, string>();
  private readonly inventoryReceipts: InventoryReceiptRecord[] = [];
  private readonly orders = new Set<string>();
  private readonly spool: string[] = [];
  private readonly mism: Array<{ e: StoredMismatch; k: number }> = [];
  /** Bills' invtNos and link keys by {@link nearKey}: each made at its first near-miss lookup, dropped when documents come. */
  private nearBills: Map<string, string[]> | undefined;
  private nearLinks: Map<string, string[]> | undefined;
  private nearTaxNos: Map<string, string[]> | undefined;
  /** Near misses for bill rows, by invtNo (see ReconcileStore.billNearMisses). */
  private readonly nearMarks = new Map<string, NearMiss[]>();

  addBills(bills: readonly BillRecord[], firstSeq: number): BillsAdded {
    const added: BillsAdded = { duplicates: 0, conflicts: [] };
    // (A bill naming its order adds a link too.)
    this.nearBills = this.nearLinks = this.nearTaxNos = undefined;
    let seq = firstSeq;
    for (const b of bills) {
      const stored = this.taxNos.get(b.taxNo);
      if (stored) {
        addRepeat(added, stored, stored.seq, b, seq++);
        // A repeat of a bill that says it is void (status 3) voids the taxNo, as a CEB818 would.
        if (isVoidTaxBillStatus(b.status)) this.voided.add(b.taxNo);
        continue;
      }
      const bill: MemoryBill = { ...b, void: isVoidTaxBillStatus(b.status), seq: seq++, claimed: false };
      this.taxNos.set(b.taxNo, bill);
      if (b.orderNo) {
        const key = linkKey('orderNo', b.orderNo);
        if (!this.links.has(key)) this.links.set(key, b.invtNo);
      }
      valueIn(this.bills, b.invtNo, () => []).push(bill);
    }
    return added;
  }
  addBillTuples(json: string, _count: number, firstSeq: number): BillsAdded {
    return this.addBills((JSON.parse(json) as BillTuple[]).map(billOfTuple), firstSeq);
  }
  addVoided(taxNos: readonly string[]): void {
    for (const t of taxNos) this.voided.add(t);
  }
  voidsWithoutBill(limit: number): string[] {
    const out = [...this.voided].filter((t) => !this.taxNos.has(t)).sort(compareCodeUnits);
    return out.slice(0, limit);
  }
  taxNoNearMisses(taxNo: string): string[] {
    return nearOf((this.nearTaxNos ??= nearIndex(this.taxNos.keys())), taxNo);
  }
  addLinks(links: readonly ReceiptLink[]): void {
    this.nearLinks = undefined;
    for (const l of links) this.links.set(linkKey(l.kind, l.key), l.invtNo);
  }
  addFinals(finals: readonly FinalRecord[]): void {
    for (const f of finals) {
      for (const key of finalRecordKeys(f)) this.done.set(key, earlier(this.done.get(key), f.at ?? ''));
    }
  }
  addInventoryReceipts(receipts: readonly InventoryReceiptRecord[]): void {
    for (const r of receipts) this.inventoryReceipts.push(r);
  }
  inventoryReceiptsOf(keys: InventoryKeyLists): InventoryReceiptRecord[] {
    const c = new Set(keys.copNo);
    const p = new Set(keys.preNo);
    const i = new Set(keys.invtNo);
    return this.inventoryReceipts.filter(
      (r) => (r.copNo && c.has(r.copNo)) || (r.preNo && p.has(r.preNo)) || (r.invtNo && i.has(r.invtNo)),
    );
  }
  join(requests: ReadonlyArray<JoinRequest | undefined>): Array<JoinAnswer | undefined> {
    return requests.map((r) => {
      if (!r) return undefined;
      const order = orderIdentity(r);
      if (order !== undefined) {
        if (this.orders.has(order)) return NOT_SEEN;
        this.orders.add(order);
      }
      const { invtNo, linkedBy } = linkInventory(r, (key) => this.links.get(key));
      const list = invtNo ? (this.bills.get(invtNo) ?? []) : [];
      // An inventory's bills count for the first declaration that reaches it (see JoinAnswer.countedBefore).
      const counted = list.length > 0 && list[0]!.claimed;
      for (const b of list) b.claimed = true;
      const answer: JoinAnswer = {
        firstSighting: true,
        invtNo,
        linkedBy,
        bills: counted ? [] : list.map((b) => this.view(b)).sort(byTaxNo),
        ...(counted && { countedBefore: list.map((b) => b.taxNo).sort(compareCodeUnits) }),
        ...this.finalsOf({ copNo: r.copNo, preNo: r.preNo, invtNo }),
      };
      if (list.length === 0 && !answer.cancelled && !answer.refunded && !answer.rejected) this.addNearMisses(r, answer);
      return answer;
    });
  }
  /** Looks up the near misses of a declaration that reached no bill (see findNearMisses). */
  private addNearMisses(r: JoinRequest, answer: JoinAnswer): void {
    const { misses, marks } = findNearMisses(r, answer.invtNo, {
      bills: (invtNo) => nearOf((this.nearBills ??= nearIndex(this.bills.keys())), invtNo),
      links: (key) =>
        nearOf((this.nearLinks ??= nearIndex(this.links.keys())), key).map((k) => [k, this.links.get(k)!]),
    });
    if (misses.length) answer.nearMisses = misses;
    for (const { invtNo, miss } of marks) {
      const list = valueIn(this.nearMarks, invtNo, () => []);
      addNearMiss(list, miss);
    }
  }
  billNearMisses(invtNo: string): NearMiss[] {
    // (An inventory's bills are claimed together: its first tells.)
    return billRowNearMisses(this.nearMarks.get(invtNo) ?? [], () =>
      nearOf((this.nearBills ??= nearIndex(this.bills.keys())), invtNo, (k) => this.bills.get(k)![0]!.claimed),
    );
  }
  private finalsOf(
    keys: InventoryKeys,
  ): Pick<JoinAnswer, 'cancelled' | 'refunded' | 'rejected' | 'refundedAt' | 'releasedAt'> {
    const flags = finalFlags(keys, (key) => this.done.get(key));
    const released = flags.refunded && keys.invtNo ? this.done.get(releaseKey(keys.invtNo)) : undefined;
    return released ? { ...flags, releasedAt: released } : flags;
  }
  private view(b: MemoryBill): StoredBill {
    const { claimed: _claimed, orderNo: _orderNo, seq: _seq, ...rest } = b;
    return { ...rest, void: rest.void || this.voided.has(rest.taxNo) };
  }
  *unclaimedBills(): Iterable<UnclaimedBill[]> {
    const keys = [...this.bills.keys()].sort();
    for (const k of keys) {
      const list = this.bills.get(k)!.filter((b) => !b.claimed);
      if (list.length)
        yield list.map((b) => ({ ...this.view(b), ...(b.orderNo && { orderNo: b.orderNo }) })).sort(byTaxNo);
    }
  }
  putRows(rows: readonly string[]): void {
    for (const r of rows) this.spool.push(r);
  }
  putMismatches(entries: ReadonlyArray<{ entry: StoredMismatch; sortKey: number }>): void {
    for (const m of entries) this.mism.push({ e: m.entry, k: m.sortKey });
  }
  rows(): Iterable<string> {
    return this.spool;
  }
  *rowBlocks(): Iterable<string> {
    // Blocks of about TEXT_PIECE_BYTES characters (a longer string costs many times more to make).
    let from = 0;
    let size = 0;
    for (let i = 0; i < this.spool.length; i++) {
      size += this.spool[i]!.length + 1;
      if (size >= TEXT_PIECE_BYTES) {
        yield this.spool.slice(from, i + 1).join('\n');
        from = i + 1;
        size = 0;
      }
    }
    if (from < this.spool.length) yield this.spool.slice(from).join('\n');
  }
  *mismatches(): Iterable<StoredMismatch> {
    const sorted = [...this.mism].sort(compareMismatch);
    for (const m of sorted) yield m.e;
  }
  close(): void {
    this.spool.length = 0;
  }
}
