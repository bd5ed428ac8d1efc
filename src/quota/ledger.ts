import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { defaultRegistry } from '../rules/bundled.js';
import {
  balanceOf,
  beijingDate,
  beijingYear,
  buyerKeyOf,
  checkOrderNo,
  checkYear,
  countedAmountOf,
  parseInstant,
  planCommit,
  planRefund,
  planRelease,
  planReserve,
  policyDateForYear,
  quantitiesOf,
  quantityOf,
  releaseTimeOf,
  secretFingerprint,
  toAmount,
  toQuantities,
  type QuotaAmountInput,
  type QuotaBalance,
  type QuotaInstant,
  type QuotaPlan,
  type QuotaQuantityInput,
  type QuotaQuantityUse,
  type QuotaResult,
} from './core.js';
import { checkReturnWindow } from './return-window.js';
import type {
  CommitStage,
  QuotaEntry,
  QuotaEvent,
  QuotaPolicy,
  QuotaPolicyLookup,
  QuotaStore,
  QuotaTx,
} from './types.js';

/** Options of {@link QuotaLedger}. */
export interface QuotaLedgerOptions {
  /** Where entries and events are kept: memory, SQLite or PostgreSQL. */
  store: QuotaStore;
  /**
   * The secret of the keyed hash (HMAC-SHA256) buyers are stored under; at least 16 characters.
   * Keep it out of the database. The store remembers a fingerprint and refuses another secret.
   */
  secret: string | Uint8Array;
  /** The annual limit and quota basis in force on a date; default: the bundled national ruleset. */
  policy?: QuotaPolicyLookup;
  /** How long a reservation counts before it expires unless committed, in ms; default: never. */
  reservationTtlMs?: number;
  /** The clock, for tests; default: `() => new Date()`. */
  clock?: () => Date;
}

/** Options of {@link QuotaLedger.reserve}. */
export interface ReserveOptions {
  /** The inventory's enterprise number, for matching receipts. */
  copNo?: string;
  /** The inventory number, for matching receipts. */
  invtNo?: string;
  /**
   * The order's legal quantities per tariff line, e.g. `[{ hs8: '17019910', unit: '035', qty: '1.5' }]`,
   * for the positive list's per-person annual caps ({@link QuotaLedger.usedQuantities}). State
   * every line of a capped code (or all lines); `[]` states that the order has none.
   */
  quantities?: readonly QuotaQuantityInput[];
  /** Overrides the ledger's reservation time-to-live for this order, in ms. */
  ttlMs?: number;
  /** The time the reservation is made; default: the clock. */
  now?: QuotaInstant;
}

/** Options of {@link QuotaLedger.refund}. */
export interface RefundOptions {
  /** The time of the refund; default: the clock. */
  now?: QuotaInstant;
  /** Idempotency key: a refund with a key is applied once. */
  key?: string;
  /** When the return was applied for (CEB625 appTime); default: `now`. */
  appliedAt?: QuotaInstant;
  /** When the goods were back in the original site, zone or centre, when known; checked against the arrival deadline. */
  arrivedAt?: QuotaInstant;
  /** When the inventory was released; default: the time the ledger committed the order. */
  releasedAt?: QuotaInstant;
  /**
   * A return outside the window of its release gives no quota back: `refuse` (default) says so
   * as a refusal; `allow` applies it anyway (e.g. customs approved it after all).
   */
  outsideReturnWindow?: 'refuse' | 'allow';
}

/** The policy lookup built from the bundled national ruleset. */
export function defaultQuotaPolicy(): QuotaPolicyLookup {
  const registry = defaultRegistry();
  return (date) => {
    const p = registry.resolve('national', date).policy;
    return { annualLimit: p.annualLimit, quotaBasis: p.quotaBasis, returnWindow: p.returnWindow };
  };
}

/**
 * Throws `QUOTA_INVALID` (with `details.secret`) unless the HMAC secret has at least 16 bytes:
 * what the ledger asks, checked by the CLI too before it opens (or creates) a ledger file.
 */
export function checkQuotaSecret(s: unknown): void {
  const size = typeof s === 'string' ? Buffer.byteLength(s) : s instanceof Uint8Array ? s.byteLength : 0;
  if (size < 16)
    throw new SandanError(
      'QUOTA_INVALID',
      'The quota secret must be at least 16 bytes (e.g. 32 random bytes, hex); set SANDAN_QUOTA_SECRET for the CLI',
      { details: { secret: true } },
    );
}

/**
 * Each buyer's annual CBEC quota, with reservations at checkout (预占), commits on release,
 * releases on cancel or expiry and refunds on approved returns. Buyers are keyed by
 * HMAC-SHA256 of their ID number; years are Beijing calendar years. Every operation is one
 * store transaction, so concurrent order services sharing a store never pass the limit.
 */
export class QuotaLedger {
  readonly store: QuotaStore;
  private readonly secret: string | Uint8Array;
  private readonly policy: QuotaPolicyLookup;
  private readonly ttlMs: number | undefined;
  private readonly clock: () => Date;
  private checked: Promise<void> | undefined;

  constructor(options: QuotaLedgerOptions) {
    if (!options || typeof options.store?.transaction !== 'function')
      throw new SandanError('QUOTA_INVALID', 'QuotaLedger needs a store');
    checkQuotaSecret(options.secret);
    if (
      options.reservationTtlMs !== undefined &&
      !(Number.isFinite(options.reservationTtlMs) && options.reservationTtlMs > 0)
    ) {
      throw new SandanError(
        'QUOTA_INVALID',
        `reservationTtlMs must be a positive number of milliseconds, got ${String(options.reservationTtlMs)}`,
      );
    }
    this.store = options.store;
    this.secret = options.secret;
    this.policy = options.policy ?? defaultQuotaPolicy();
    this.ttlMs = options.reservationTtlMs;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The key a buyer's ID number is stored under (HMAC-SHA256, hex). */
  buyerKey(idNumber: string): string {
    return buyerKeyOf(this.secret, idNumber);
  }

  /** The policy in force on a Beijing date, with a limit; throws when no annual limit is in force. */
  policyOn(date: string): QuotaPolicy & { annualLimit: Decimal } {
    const p = this.policy(date);
    if (!p?.annualLimit) throw new SandanError('QUOTA_INVALID', `No annual CBEC limit is in force on ${date}`);
    return p as QuotaPolicy & { annualLimit: Decimal };
  }

  /**
   * Checks once per ledger that the store was written with the same secret, by reading; only a
   * store that has no fingerprint yet is claimed, in a write transaction. A read-only store is
   * never claimed: one without a fingerprint was never written to.
   */
  private ready(): Promise<void> {
    const want = secretFingerprint(this.secret);
    const check = (have: string | undefined) => {
      if (have !== undefined && have !== want)
        throw new SandanError(
          'QUOTA_STORE',
          `The ledger in ${this.store.name} was written with another secret; buyer keys would not match. Use the original SANDAN_QUOTA_SECRET.`,
        );
    };
    this.checked ??= (async () => {
      const have = await this.store.transaction((tx) => tx.getMeta('secret-fingerprint'), { readOnly: true });
      check(have);
      if (have !== undefined || this.store.readOnly) return;
      await this.store.transaction(async (tx) => {
        const now = await tx.getMeta('secret-fingerprint');
        check(now);
        if (now === undefined) await tx.setMeta('secret-fingerprint', want);
      });
    })().catch((e: unknown) => {
      this.checked = undefined;
      throw e;
    });
    return this.checked;
  }

  private now(at?: QuotaInstant): Date {
    return at === undefined ? this.clock() : parseInstant(at, 'now');
  }

  private async run(work: (tx: QuotaTx) => Promise<QuotaPlan>): Promise<QuotaResult> {
    await this.ready();
    return this.store.transaction(async (tx) => {
      const plan = await work(tx);
      for (const e of plan.insert) await tx.insertEntry(e);
      for (const e of plan.update) await tx.updateEntry(e);
      for (const ev of plan.events) await tx.addEvent(ev);
      return plan.result;
    });
  }

  /**
   * A buyer's used and remaining quota in a Beijing calendar year. The limit is the one in
   * force on `at` when it falls in the year (default: now), else on the year's nearest day.
   * `excludeOrderNo` leaves one order out, e.g. the order being validated.
   */
  async remaining(
    buyerIdNumber: string,
    year: number,
    options: { at?: QuotaInstant; excludeOrderNo?: string } = {},
  ): Promise<QuotaBalance> {
    checkYear(year);
    const key = this.buyerKey(buyerIdNumber);
    const now = this.clock();
    const at = options.at === undefined ? now : parseInstant(options.at);
    const limit = this.policyOn(policyDateForYear(year, at)).annualLimit;
    await this.ready();
    const entries = await this.store.transaction((tx) => tx.entries(key, year), { readOnly: true });
    return balanceOf(entries, year, limit, now, options.excludeOrderNo);
  }

  /**
   * What a buyer bought of each tariff line in a Beijing calendar year: the quantities of live
   * reservations and committed orders, not of cancelled, expired or fully refunded ones (see
   * {@link quantitiesOf}). `unstated` counts orders reserved without quantities.
   * `excludeOrderNo` leaves one order out, e.g. the order being validated.
   */
  async usedQuantities(
    buyerIdNumber: string,
    year: number,
    options: { excludeOrderNo?: string } = {},
  ): Promise<QuotaQuantityUse> {
    checkYear(year);
    const key = this.buyerKey(buyerIdNumber);
    const now = this.clock();
    await this.ready();
    const entries = await this.store.transaction((tx) => tx.entries(key, year), { readOnly: true });
    return quantitiesOf(entries, year, now, options.excludeOrderNo);
  }

  /**
   * How much of one tariff line (`hs8`, CEB `unit` code) the buyer bought in a year; undefined
   * when an order that counts was reserved without quantities (then the ledger cannot tell).
   */
  async usedQuantity(
    buyerIdNumber: string,
    year: number,
    hs8: string,
    unit: string,
    options: { excludeOrderNo?: string } = {},
  ): Promise<Decimal | undefined> {
    return quantityOf(await this.usedQuantities(buyerIdNumber, year, options), hs8, unit);
  }

  /**
   * Reserves quota for an order at checkout. `at` is the order date: it picks the Beijing
   * year and the policy (limit, quota basis). Idempotent by orderNo. Refused (a result, with
   * the remaining amount) when the buyer's used quota plus this order would pass the limit.
   * A single indivisible item above the single-transaction limit is reserved like any other.
   */
  async reserve(
    orderNo: string,
    buyerIdNumber: string,
    amount: QuotaAmountInput,
    at: QuotaInstant,
    options: ReserveOptions = {},
  ): Promise<QuotaResult> {
    checkOrderNo(orderNo);
    const orderAt = parseInstant(at);
    const year = beijingYear(orderAt);
    const policy = this.policyOn(beijingDate(orderAt));
    const value = countedAmountOf(amount, policy.quotaBasis);
    const buyerKey = this.buyerKey(buyerIdNumber);
    const now = this.now(options.now);
    const ttl = options.ttlMs ?? this.ttlMs;
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0))
      throw new SandanError('QUOTA_INVALID', `ttlMs must be a positive number of milliseconds, got ${String(ttl)}`);
    const expiresAt = ttl === undefined ? undefined : new Date(now.getTime() + ttl);
    const quantities = options.quantities === undefined ? undefined : toQuantities(options.quantities);
    return this.run(async (tx) => {
      await tx.lockBuyerYear(buyerKey, year);
      const existing = await tx.getEntry(orderNo);
      const entries = await tx.entries(buyerKey, year);
      return planReserve({
        orderNo,
        buyerKey,
        year,
        amount: value,
        limit: policy.annualLimit,
        orderAt,
        now,
        expiresAt,
        copNo: options.copNo,
        invtNo: options.invtNo,
        quantities,
        existing,
        entries,
      });
    });
  }

  /** Runs a decision on one existing order under its buyer-year lock. */
  private onOrder(
    orderNo: string,
    decide: (entry: QuotaEntry, entries: QuotaEntry[], limit: Decimal, tx: QuotaTx) => Promise<QuotaPlan> | QuotaPlan,
  ): Promise<QuotaResult> {
    checkOrderNo(orderNo);
    return this.run(async (tx) => {
      const first = await tx.getEntry(orderNo);
      if (!first)
        return {
          insert: [],
          update: [],
          events: [],
          result: {
            ok: false,
            orderNo,
            reason: 'unknown-order',
            message: `The ledger has no order ${orderNo}`,
            remaining: undefined,
          },
        };
      await tx.lockBuyerYear(first.buyerKey, first.year);
      const entry = (await tx.getEntry(orderNo)) ?? first;
      const entries = await tx.entries(entry.buyerKey, entry.year);
      const limit = this.policyOn(beijingDate(entry.orderAt)).annualLimit;
      return decide(entry, entries, limit, tx);
    });
  }

  /**
   * Customs concluded or released the inventory (CEB622 399, 800 or 899; `stage`, default
   * `released`): the reservation becomes a committed amount. A `released` commit after a
   * `concluded` one counts nothing again but dates the release the return window starts from.
   */
  async commit(orderNo: string, options: { now?: QuotaInstant; stage?: CommitStage } = {}): Promise<QuotaResult> {
    const now = this.now(options.now);
    const stage = options.stage ?? 'released';
    if (stage !== 'concluded' && stage !== 'released' && stage !== 'closed')
      throw new SandanError(
        'QUOTA_INVALID',
        `stage must be 'concluded', 'released' or 'closed', got ${JSON.stringify(stage)}`,
      );
    return this.onOrder(orderNo, async (e, all, limit, tx) =>
      planCommit(e, all, limit, now, stage, e.status === 'committed' ? await tx.orderEvents(orderNo) : []),
    );
  }

  /** The order was cancelled (CEB624 approved) or its reservation expired: its quota is given back. */
  release(
    orderNo: string,
    options: { now?: QuotaInstant; reason?: 'cancelled' | 'expired' } = {},
  ): Promise<QuotaResult> {
    const now = this.now(options.now);
    return this.onOrder(orderNo, (e, all, limit) => planRelease(e, all, limit, now, options.reason ?? 'cancelled'));
  }

  /**
   * An approved return (CEB626) gives quota back: `amount`, or all that still counts for the
   * order. `key` makes a partial refund idempotent (a refund with a key is applied once).
   * The return must fall in the window of the release (the commit time, or `releasedAt`):
   * applied for (`appliedAt`, default `now`) and, when `arrivedAt` is given, back within the
   * days the policy in force on the release date allows; else it is refused with
   * `outside-return-window` unless `outsideReturnWindow` is `allow`.
   */
  async refund(orderNo: string, amount?: Decimal | string | number, options: RefundOptions = {}): Promise<QuotaResult> {
    const now = this.now(options.now);
    const give = amount === undefined ? undefined : toAmount(amount, 'refund amount');
    if (give?.isZero()) throw new SandanError('QUOTA_INVALID', 'A refund amount must be more than zero');
    const outside = options.outsideReturnWindow ?? 'refuse';
    if (outside !== 'refuse' && outside !== 'allow')
      throw new SandanError(
        'QUOTA_INVALID',
        `outsideReturnWindow must be 'refuse' or 'allow', got ${JSON.stringify(outside)}`,
      );
    const appliedAt = options.appliedAt === undefined ? now : parseInstant(options.appliedAt, 'appliedAt');
    const arrivedAt = options.arrivedAt === undefined ? undefined : parseInstant(options.arrivedAt, 'arrivedAt');
    const releasedAt = options.releasedAt === undefined ? undefined : parseInstant(options.releasedAt, 'releasedAt');
    return this.onOrder(orderNo, async (e, all, limit, tx) => {
      const events = await tx.orderEvents(orderNo);
      const released = releasedAt ?? releaseTimeOf(e, events);
      const window = this.policy(beijingDate(released))?.returnWindow;
      const check = window === undefined ? undefined : checkReturnWindow(released, window, appliedAt, arrivedAt);
      return planRefund(e, all, limit, now, give, options.key, events, { check, outside });
    });
  }

  /** Every change to a buyer's quota in a year, oldest first. */
  async history(buyerIdNumber: string, year: number): Promise<QuotaEvent[]> {
    checkYear(year);
    const key = this.buyerKey(buyerIdNumber);
    await this.ready();
    return this.store.transaction((tx) => tx.events(key, year), { readOnly: true });
  }

  /** The entry of an order, found by orderNo, else invtNo, else copNo. */
  async find(by: {
    orderNo?: string | undefined;
    copNo?: string | undefined;
    invtNo?: string | undefined;
  }): Promise<QuotaEntry | undefined> {
    await this.ready();
    return this.store.transaction(
      async (tx) => {
        if (by.orderNo !== undefined) {
          const e = await tx.getEntry(by.orderNo);
          if (e) return e;
        }
        if (by.invtNo !== undefined) {
          const e = await tx.findEntry({ invtNo: by.invtNo });
          if (e) return e;
        }
        return by.copNo !== undefined ? tx.findEntry({ copNo: by.copNo }) : undefined;
      },
      { readOnly: true },
    );
  }

  /** Records the inventory's copNo or invtNo on an order, so that later receipts find it. Returns false for an unknown order. */
  async link(orderNo: string, ids: { copNo?: string | undefined; invtNo?: string | undefined }): Promise<boolean> {
    checkOrderNo(orderNo);
    await this.ready();
    return this.store.transaction(async (tx) => {
      const first = await tx.getEntry(orderNo);
      if (!first) return false;
      await tx.lockBuyerYear(first.buyerKey, first.year);
      const e = (await tx.getEntry(orderNo)) ?? first;
      const copNo = ids.copNo ?? e.copNo;
      const invtNo = ids.invtNo ?? e.invtNo;
      if (copNo !== e.copNo || invtNo !== e.invtNo) await tx.updateEntry({ ...e, copNo, invtNo });
      return true;
    });
  }

  /** Closes the store. */
  close(): Promise<void> {
    return this.store.close();
  }
}
