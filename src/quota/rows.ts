import { SandanError } from '../errors.js';
import { Dec } from '../model/primitives.js';
import { orderLabel } from './core.js';
import type { QuotaEntry, QuotaEvent, QuotaQuantity, QuotaReturnApplication } from './types.js';

/*
 * Ledger entries and events as the SQL stores keep them (column names). SQLite gives times
 * as epoch milliseconds and seq as a number, PostgreSQL as Date and a bigint string: each
 * store passes its conversions, the mapping itself is written once.
 */

/**
 * The order of `compareFound` (core.ts) in SQL, for the platform column `ebp` (`''` in a table made before platforms) and
 * the text ordering `collate` (PostgreSQL's `COLLATE "C"`: the database's own collation may order by language).
 */
export const FOUND_ORDER_SQL = (ebp: string, collate = '') =>
  `ORDER BY status = 'released', order_at DESC, order_no${collate} DESC, ${ebp}${collate} DESC`;

/** An entry row; `D` is how the database returns a time. (A type, not an interface: it is SQLite's named parameters.) */
export type EntryRowOf<D> = {
  /** `''`: the platform was not stated (and every row written before platforms were kept). */
  ebp_code: string;
  order_no: string;
  buyer_key: string;
  year: number;
  amount: string;
  refunded: string;
  status: QuotaEntry['status'];
  release_reason: QuotaEntry['releaseReason'] | null;
  order_at: D;
  expires_at: D | null;
  updated_at: D;
  cop_no: string | null;
  invt_no: string | null;
  /** JSON `[{ "hs8", "unit", "qty" }]` with qty as decimal text; null: not stated (and every row written before quantities). */
  quantities: string | null;
};

/** An event row; `D` is how the database returns a time, `S` its sequence number. */
export interface EventRowOf<D, S> {
  seq: S;
  ebp_code: string;
  order_no: string;
  buyer_key: string;
  year: number;
  type: QuotaEvent['type'];
  amount: string;
  at: D;
  key: string | null;
}

/** The columns of an entry row, in the order of {@link EntryRowOf}; of an event row. */
export const ENTRY_COLUMNS =
  'ebp_code, order_no, buyer_key, year, amount, refunded, status, release_reason, order_at, expires_at, updated_at, cop_no, invt_no, quantities';
export const EVENT_COLUMNS = 'seq, ebp_code, order_no, buyer_key, year, type, amount, at, key';

/** The row of an entry, its keys in the order of {@link ENTRY_COLUMNS}; `time` writes a time as the database keeps it. */
export function rowOfEntry<D>(e: QuotaEntry, time: (d: Date) => D): EntryRowOf<D> {
  return {
    ebp_code: e.ebpCode,
    order_no: e.orderNo,
    buyer_key: e.buyerKey,
    year: e.year,
    amount: e.amount.toFixed(),
    refunded: e.refunded.toFixed(),
    status: e.status,
    release_reason: e.releaseReason ?? null,
    order_at: time(e.orderAt),
    expires_at: e.expiresAt === undefined ? null : time(e.expiresAt),
    updated_at: time(e.updatedAt),
    cop_no: e.copNo ?? null,
    invt_no: e.invtNo ?? null,
    quantities: quantitiesText(e.quantities),
  };
}

/** The entry of a row. */
export function entryOfRow<D>(r: EntryRowOf<D>, date: (v: D) => Date): QuotaEntry {
  return {
    ebpCode: r.ebp_code,
    orderNo: r.order_no,
    buyerKey: r.buyer_key,
    year: r.year,
    amount: new Dec(r.amount),
    refunded: new Dec(r.refunded),
    status: r.status,
    releaseReason: r.release_reason ?? undefined,
    orderAt: date(r.order_at),
    expiresAt: r.expires_at === null ? undefined : date(r.expires_at),
    updatedAt: date(r.updated_at),
    copNo: r.cop_no ?? undefined,
    invtNo: r.invt_no ?? undefined,
    quantities: r.quantities === null ? undefined : quantitiesOfText(r.quantities, r.order_no, r.ebp_code),
  };
}

/** The `quantities` column of an entry: JSON with exact decimal text, or null when not stated. */
function quantitiesText(q: readonly QuotaQuantity[] | undefined): string | null {
  return q === undefined ? null : JSON.stringify(q.map((x) => ({ hs8: x.hs8, unit: x.unit, qty: x.qty.toFixed() })));
}

function quantitiesOfText(text: string, orderNo: string, ebpCode: string): QuotaQuantity[] {
  try {
    const rows = JSON.parse(text) as Array<{ hs8: string; unit: string; qty: string }>;
    return rows.map((x) => ({ hs8: x.hs8, unit: x.unit, qty: new Dec(x.qty) }));
  } catch (e) {
    throw new SandanError(
      'QUOTA_STORE',
      `Order ${orderLabel({ ebpCode, orderNo })} has unreadable quantities in the store`,
      {
        cause: e,
      },
    );
  }
}

/** The event of a row. */
export function eventOfRow<D, S>(r: EventRowOf<D, S>, date: (v: D) => Date, seq: (v: S) => number): QuotaEvent {
  return {
    seq: seq(r.seq),
    ebpCode: r.ebp_code,
    orderNo: r.order_no,
    buyerKey: r.buyer_key,
    year: r.year,
    type: r.type,
    amount: new Dec(r.amount),
    at: date(r.at),
    ...(r.key !== null && { key: r.key }),
  };
}

/** A return application row (table `sandan_quota_return`); `D` is how the database returns a time. */
export type ReturnRowOf<D> = {
  ebp_code: string;
  order_no: string;
  cop_no: string;
  /** JSON `[{ "gnum", "qty" }]`, qty as decimal text. */
  items: string;
  /** JSON `[{ "gnum", "qty", "totalPrice" }]`, amounts as decimal text. */
  inventory: string;
  applied_at: D;
  /** Decimal text; null while not approved. */
  refunded: string | null;
  approved_at: D | null;
  updated_at: D;
};

/** The columns of a return application row, in the order of {@link ReturnRowOf}. */
export const RETURN_COLUMNS =
  'ebp_code, order_no, cop_no, items, inventory, applied_at, refunded, approved_at, updated_at';

/** The row of a return application, its keys in the order of {@link RETURN_COLUMNS}. */
export function rowOfReturn<D>(r: QuotaReturnApplication, time: (d: Date) => D): ReturnRowOf<D> {
  return {
    ebp_code: r.ebpCode,
    order_no: r.orderNo,
    cop_no: r.copNo,
    items: JSON.stringify(r.items.map((l) => ({ gnum: l.gnum, qty: l.qty.toFixed() }))),
    inventory: JSON.stringify(
      r.inventory.map((l) => ({ gnum: l.gnum, qty: l.qty.toFixed(), totalPrice: l.totalPrice.toFixed() })),
    ),
    applied_at: time(r.appliedAt),
    refunded: r.refunded === undefined ? null : r.refunded.toFixed(),
    approved_at: r.approvedAt === undefined ? null : time(r.approvedAt),
    updated_at: time(r.updatedAt),
  };
}

/** The return application of a row. */
export function returnOfRow<D>(r: ReturnRowOf<D>, date: (v: D) => Date): QuotaReturnApplication {
  try {
    const items = JSON.parse(r.items) as Array<{ gnum: number; qty: string }>;
    const inventory = JSON.parse(r.inventory) as Array<{ gnum: number; qty: string; totalPrice: string }>;
    return {
      ebpCode: r.ebp_code,
      orderNo: r.order_no,
      copNo: r.cop_no,
      items: items.map((l) => ({ gnum: l.gnum, qty: new Dec(l.qty) })),
      inventory: inventory.map((l) => ({ gnum: l.gnum, qty: new Dec(l.qty), totalPrice: new Dec(l.totalPrice) })),
      appliedAt: date(r.applied_at),
      ...(r.refunded !== null && { refunded: new Dec(r.refunded) }),
      ...(r.approved_at !== null && { approvedAt: date(r.approved_at) }),
      updatedAt: date(r.updated_at),
    };
  } catch (e) {
    throw new SandanError(
      'QUOTA_STORE',
      `The return application ${r.cop_no} of order ${orderLabel({ ebpCode: r.ebp_code, orderNo: r.order_no })} is unreadable in the store`,
      { cause: e },
    );
  }
}
