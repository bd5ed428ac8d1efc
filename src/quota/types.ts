import type { Decimal } from 'decimal.js';

/**
 * The data of the quota ledger and the contract a store fulfils. The ledger logic
 * (./core.ts, ./ledger.ts) is written once against {@link QuotaStore}; stores only keep
 * rows and make transactions atomic and isolated.
 */

/** Where an order's quota stands. */
export type QuotaStatus = 'reserved' | 'committed' | 'released';

/** Why a reservation or an inventory stopped counting. */
export type ReleaseReason = 'cancelled' | 'expired';

/**
 * An order as CEB messages name it: the e-commerce platform's code (`ebpCode`, 电商平台代码) and
 * the platform's order number (`orderNo`), which is unique only within that platform. `ebpCode` is
 * `''` when the platform is not stated: entries written before the ledger kept platforms, and
 * orders of callers that name them by orderNo alone.
 */
export interface QuotaOrderKey {
  /** The platform's code (CEB ebpCode, at most 18 characters); `''`: not stated. */
  ebpCode: string;
  /** The order number (CEB orderNo, at most 60 characters). */
  orderNo: string;
}

/**
 * How a caller names an order: `{ ebpCode, orderNo }`, or the orderNo alone (the platform not
 * stated, as `ebpCode: ''`). An order of a platform is also found under the orderNo alone while
 * no other platform has an order with that number, and an entry with no platform stated is found
 * under any platform's `{ ebpCode, orderNo }` while that platform has no entry of its own.
 */
export type QuotaOrderRef = string | { ebpCode?: string | undefined; orderNo: string };

/**
 * One order's claim on a buyer's annual quota. The buyer is known only by a keyed hash
 * (`buyerKey`), never by the ID number. An entry is keyed by its platform and orderNo.
 */
export interface QuotaEntry {
  /** The order's platform (CEB ebpCode); `''` when it was not stated. */
  ebpCode: string;
  orderNo: string;
  /** HMAC-SHA256 of the buyer's ID number under the ledger secret, lower-case hex. */
  buyerKey: string;
  /** Calendar year in Beijing time (UTC+8) of the order date. */
  year: number;
  /** The amount that counts toward the quota (CNY). */
  amount: Decimal;
  /** The part of `amount` given back by approved returns. */
  refunded: Decimal;
  status: QuotaStatus;
  /** Set when `status` is `released`. */
  releaseReason?: ReleaseReason | undefined;
  /** The order date the reservation was made for. */
  orderAt: Date;
  /** When a `reserved` entry stops counting unless committed; undefined: never. */
  expiresAt?: Date | undefined;
  updatedAt: Date;
  /** The inventory's enterprise number (清单 copNo), when known; receipts are matched by it. */
  copNo?: string | undefined;
  /** The inventory number customs assigned (invtNo), when known; receipts are matched by it. */
  invtNo?: string | undefined;
  /**
   * The order's legal quantities per tariff line (for per-person annual caps of the positive
   * list); undefined when the reservation did not state them, `[]` when it stated none.
   */
  quantities?: QuotaQuantity[] | undefined;
}

/** A quantity of one tariff line in one legal unit, as an order states it (CEB qty1/unit1, qty2/unit2). */
export interface QuotaQuantity {
  /** The first 8 digits of the commodity code (the positive list's tariff line). */
  hs8: string;
  /** The CEB unit code, e.g. `035` (千克). */
  unit: string;
  /** Not negative, at most 5 decimals (CEB qty N19,5). */
  qty: Decimal;
}

/** A line of a return application (CEB625 InvtRefundList): the inventory line's number and the quantity returned. */
export interface QuotaReturnLine {
  gnum: number;
  /** Not negative, at most 5 decimals (CEB qty N19,5). */
  qty: Decimal;
}

/** A line of the inventory as declared (CEB621 InventoryList), as a return is valued against it. */
export interface QuotaInventoryLine {
  gnum: number;
  qty: Decimal;
  totalPrice: Decimal;
}

/**
 * A return application (CEB625) the ledger was told of ({@link QuotaLedger.recordReturn}): what it takes back and the
 * inventory lines that value it, so that the approving CEB626 (which names the application by its copNo, not its
 * value) gives back its share by itself. Keyed by the order and the application's copNo.
 */
export interface QuotaReturnApplication {
  /** The order's platform (CEB ebpCode), as its entry records it (`''`: not stated). */
  ebpCode: string;
  orderNo: string;
  /** The application's enterprise number (CEB625 copNo), which its CEB626 receipts carry. */
  copNo: string;
  /** The lines returned (InvtRefundList), sorted by gnum. */
  items: QuotaReturnLine[];
  /** The inventory's lines as declared (InventoryList), sorted by gnum. */
  inventory: QuotaInventoryLine[];
  /** When the return was applied for (CEB625 appTime). */
  appliedAt: Date;
  /** What its approval gave back to the quota; undefined while customs has not approved it. */
  refunded?: Decimal | undefined;
  /** When its approval was applied; undefined while not approved. */
  approvedAt?: Date | undefined;
  updatedAt: Date;
}

/** What happened to an entry; the ledger's history is the list of these. */
export type QuotaEventType = 'reserve' | 'commit' | 'release' | 'expire' | 'refund';

/**
 * What customs said of the inventory when it is committed (CEB622): `concluded` 399 审结,
 * `released` 800 放行, `closed` 899 结关. Any of them counts the order; only `released` dates the
 * return window (海关总署公告2020年第45号: from the 放行 day), so a 399 before the 800 does not.
 */
export type CommitStage = 'concluded' | 'released' | 'closed';

/** One change of the ledger, kept for audit and for {@link QuotaLedger.history}. */
export interface QuotaEvent {
  /** Order of events within the store; assigned by the store. */
  seq?: number | undefined;
  /** The order's platform (CEB ebpCode); `''` when it was not stated. */
  ebpCode: string;
  orderNo: string;
  buyerKey: string;
  year: number;
  type: QuotaEventType;
  /**
   * How much the event moved: the reserved amount for `reserve`, the committed amount for
   * `commit`, the amount that stopped counting for `release`/`expire`, the refunded part for `refund`.
   */
  amount: Decimal;
  at: Date;
  /** Idempotency key (e.g. of a refund receipt): an order never applies the same key twice. */
  key?: string | undefined;
}

/** What a transaction can do; every call happens inside one atomic, isolated unit of work. */
export interface QuotaTx {
  /**
   * Serialises all transactions on one buyer-year until this one ends (a row or advisory lock,
   * or a whole-database write lock). Called before reading anything that decides a write. The
   * ledger also takes it under a key of its own (no buyer key, year 0) to claim a fresh store
   * for its secret, so it must serialise keys that are in no entry too.
   */
  lockBuyerYear(buyerKey: string, year: number): Promise<void>;
  /** The entry of one platform's order (`ebpCode` `''`: the entry with no platform stated). */
  getEntry(ebpCode: string, orderNo: string): Promise<QuotaEntry | undefined>;
  /** The entries with this orderNo, of every platform (nearly always one), in the order they were first written. */
  orderEntries(orderNo: string): Promise<QuotaEntry[]>;
  /**
   * The entry whose copNo or invtNo is the given one; with `ebpCode`, only an entry of that
   * platform or of none stated (`''`). Of several, one not released, then the latest order date,
   * then the greatest orderNo and platform: every store the same one.
   */
  findEntry(by: {
    copNo?: string | undefined;
    invtNo?: string | undefined;
    ebpCode?: string | undefined;
  }): Promise<QuotaEntry | undefined>;
  /** Every entry of one buyer-year. */
  entries(buyerKey: string, year: number): Promise<QuotaEntry[]>;
  /**
   * Inserts a new entry; an existing (ebpCode, orderNo) is a conflict the store retries (its
   * transaction starts over).
   */
  insertEntry(entry: QuotaEntry): Promise<void>;
  /** Replaces the entry with the same ebpCode and orderNo. */
  updateEntry(entry: QuotaEntry): Promise<void>;
  addEvent(event: QuotaEvent): Promise<void>;
  /** Events of one buyer-year, oldest first. */
  events(buyerKey: string, year: number): Promise<QuotaEvent[]>;
  /** Events of one platform's order, oldest first. */
  orderEvents(ebpCode: string, orderNo: string): Promise<QuotaEvent[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /**
   * The return applications recorded for one platform's order, by copNo. Optional for stores written before the
   * ledger kept them: without it {@link QuotaLedger.recordReturn} throws `QUOTA_STORE` and refunds find none.
   */
  orderReturns?(ebpCode: string, orderNo: string): Promise<QuotaReturnApplication[]>;
  /** The return applications with this copNo, of every order (nearly always one). Optional as `orderReturns`. */
  returnsByCopNo?(copNo: string): Promise<QuotaReturnApplication[]>;
  /** Writes a return application, replacing the one with the same ebpCode, orderNo and copNo. Optional as `orderReturns`. */
  putReturn?(application: QuotaReturnApplication): Promise<void>;
}

/**
 * A place to keep the ledger. `transaction` runs `work` atomically: either all its writes
 * land or none do. A store may run `work` more than once (to retry after a conflict or a
 * busy database), so `work` must have no effect outside the transaction.
 */
export interface QuotaStore {
  /** A short name for messages, e.g. `sqlite:/var/lib/quota.sqlite`. */
  readonly name: string;
  /**
   * True when the store was opened for reading only: it refuses write transactions, and the
   * ledger then never writes (not even the secret's fingerprint). Default false.
   */
  readonly readOnly?: boolean;
  /** `readOnly`: the work only reads, so the store need not take a write lock. */
  transaction<T>(work: (tx: QuotaTx) => Promise<T>, options?: { readOnly?: boolean }): Promise<T>;
  /** Releases connections and file handles. */
  close(): Promise<void>;
}

/** The policy values the ledger needs for an order date. */
export interface QuotaPolicy {
  /** Annual limit per buyer in CNY; undefined when no limit is in force (before the CBEC regime). */
  annualLimit: Decimal | undefined;
  /** Which amount counts toward the quota. */
  quotaBasis: 'dutiableValue' | 'actualPaid';
  /**
   * The return window of a release on this date (days to apply, days to arrive, how days
   * count); undefined: refunds are not checked against a window.
   */
  returnWindow?: { applyDays: number; arriveDays: number; dayCount: 'from-next-day' | 'from-release-day' } | undefined;
}

/** Gives the policy in force on a Beijing calendar date (`YYYY-MM-DD`). */
export type QuotaPolicyLookup = (date: string) => QuotaPolicy;
