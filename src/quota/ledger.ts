import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { checkArgument, oneOf, describeInput, hasMethods } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { defaultRegistry } from '../rules/bundled.js';
import {
  ambiguousOrder,
  balanceOf,
  beijingDate,
  beijingYear,
  buyerKeyOf,
  checkRefundKey,
  isCommitStage,
  checkYear,
  countedAmountOf,
  entryOfKey,
  entryOfKeyOrThrow,
  inventoryIdOf,
  orderKeyOf,
  parseInstant,
  planCommit,
  planRecordReturn,
  planRefund,
  planRelease,
  returnLinesOf,
  returnOfCopNo,
  returnUnrecorded,
  type ReturnApplicationInput,
  planReserve,
  policyDateForYear,
  quantitiesOf,
  quantityOf,
  releaseTimeOf,
  secretFingerprint,
  toAmount,
  toQuantities,
  unknownOrder,
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
  QuotaOrderKey,
  QuotaOrderRef,
  QuotaPolicy,
  QuotaPolicyLookup,
  QuotaReturnApplication,
  QuotaStore,
  QuotaTx,
} from './types.js';

/** The lock (of the store's buyer-year locks, under no buyer key and no year) that claims for a secret take. */
const CLAIM_LOCK = 'sandan-quota-secret-claim';

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
  policy?: QuotaPolicyLookup | undefined;
  /** How long a reservation counts before it expires unless committed, in ms; default: never. */
  reservationTtlMs?: number | undefined;
  /** The clock, for tests; default: `() => new Date()`. */
  clock?: (() => Date) | undefined;
}

// (any other key is misuse: a misspelt option was ignored, e.g. a reservation TTL left at never)
const QUOTA_LEDGER_OPTION_NAMES = optionNames<QuotaLedgerOptions>({
  store: true,
  secret: true,
  policy: true,
  reservationTtlMs: true,
  clock: true,
});

/** Options of {@link QuotaLedger.reserve}. */
export interface ReserveOptions {
  /** The inventory's enterprise number, for matching receipts. */
  copNo?: string | undefined;
  /** The inventory number, for matching receipts. */
  invtNo?: string | undefined;
  /**
   * The order's legal quantities per tariff line, e.g. `[{ hs8: '17019910', unit: '035', qty: '1.5' }]`,
   * for the positive list's per-person annual caps ({@link QuotaLedger.usedQuantities}). State
   * every line of a capped code (or all lines); `[]` states that the order has none.
   */
  quantities?: readonly QuotaQuantityInput[] | undefined;
  /** Overrides the ledger's reservation time-to-live for this order, in ms. */
  ttlMs?: number | undefined;
  /** The time the reservation is made; default: the clock. */
  now?: QuotaInstant | undefined;
}

/** Options of {@link QuotaLedger.remaining} and {@link QuotaLedger.usedQuantities}. */
export interface ExcludeOrderOptions {
  /**
   * Leaves one order out, e.g. the order being validated: `{ ebpCode, orderNo }`, or an orderNo
   * alone (found as {@link QuotaOrderRef} says; when several platforms have an order with that
   * number, none is left out).
   */
  excludeOrder?: QuotaOrderRef | undefined;
  /** @deprecated The same as `excludeOrder` with an orderNo alone; give `excludeOrder` with the platform. */
  excludeOrderNo?: string | undefined;
}

/** Options of {@link QuotaLedger.refund}. */
export interface RefundOptions {
  /** The time of the refund; default: the clock. */
  now?: QuotaInstant | undefined;
  /** Idempotency key: a refund with a key is applied once. */
  key?: string | undefined;
  /** When the return was applied for (CEB625 appTime); default: `now`. */
  appliedAt?: QuotaInstant | undefined;
  /** When the goods were back in the original site, zone or centre, when known; checked against the arrival deadline. */
  arrivedAt?: QuotaInstant | undefined;
  /** When the inventory was released; default: the time the ledger committed the order. */
  releasedAt?: QuotaInstant | undefined;
  /**
   * The copNo of the return application (CEB625) this refund approves. When the ledger recorded it
   * ({@link QuotaLedger.recordReturn}), a refund without an amount gives back its share, not all that counts, and
   * `appliedAt` defaults to the application's; the result's `refundBasis` says which was given.
   */
  returnCopNo?: string | undefined;
  /**
   * A return outside the window of its release gives no quota back: `refuse` (default) says so
   * as a refusal; `allow` applies it anyway (e.g. customs approved it after all).
   */
  outsideReturnWindow?: 'refuse' | 'allow' | undefined;
}

// The option names of each method, those written inline as its signature has them (any other key is misuse: a
// misspelt `now` counted at the clock's time, a misspelt refund `key` let the refund be applied twice).
const REMAINING_OPTION_NAMES = optionNames<NonNullable<Parameters<QuotaLedger['remaining']>[2]>>({
  at: true,
  excludeOrder: true,
  excludeOrderNo: true,
});
const EXCLUDE_OPTION_NAMES = optionNames<ExcludeOrderOptions>({ excludeOrder: true, excludeOrderNo: true });
const RESERVE_OPTION_NAMES = optionNames<ReserveOptions>({
  copNo: true,
  invtNo: true,
  quantities: true,
  ttlMs: true,
  now: true,
});
const COMMIT_OPTION_NAMES = optionNames<NonNullable<Parameters<QuotaLedger['commit']>[1]>>({ now: true, stage: true });
const RELEASE_OPTION_NAMES = optionNames<NonNullable<Parameters<QuotaLedger['release']>[1]>>({
  now: true,
  reason: true,
  ifCommitted: true,
});
const REFUND_OPTION_NAMES = optionNames<RefundOptions>({
  now: true,
  key: true,
  appliedAt: true,
  arrivedAt: true,
  releasedAt: true,
  returnCopNo: true,
  outsideReturnWindow: true,
});
const RECORD_RETURN_OPTION_NAMES = optionNames<NonNullable<Parameters<QuotaLedger['recordReturn']>[2]>>({ now: true });

/** The policy lookup built from the bundled national ruleset. */
export function defaultQuotaPolicy(): QuotaPolicyLookup {
  const registry = defaultRegistry();
  return (date) => {
    const p = registry.resolve('national', date).policy;
    return { annualLimit: p.annualLimit, quotaBasis: p.quotaBasis, returnWindow: p.returnWindow };
  };
}

/**
 * Throws `QUOTA_INVALID` (with `details.secret`) unless the HMAC secret has at least 16 bytes: what the ledger asks,
 * checked before a store is opened (or created), so that a refused secret leaves no new, empty ledger behind.
 */
export function checkQuotaSecret(s: unknown): void {
  // None at all (a JavaScript caller's missing option, an unset variable read as undefined) is said so: "at least 16
  // bytes" read as if one had been given.
  if (typeof s !== 'string' && !(s instanceof Uint8Array))
    throw new SandanError(
      'QUOTA_INVALID',
      `The quota ledger needs a secret (options.secret: text or bytes, at least 16 bytes; e.g. 32 random bytes, hex), got ${s === null ? 'null' : typeof s}; set SANDAN_QUOTA_SECRET for the CLI`,
      { details: { secret: true } },
    );
  const size = typeof s === 'string' ? Buffer.byteLength(s) : s.byteLength;
  if (size < 16)
    throw new SandanError(
      'QUOTA_INVALID',
      'The quota secret must be at least 16 bytes (e.g. 32 random bytes, hex); set SANDAN_QUOTA_SECRET for the CLI',
      { details: { secret: true } },
    );
}

/**
 * Refuses what is not a ledger where `fn` takes one (a store, a declaration, nothing), before its methods are reached:
 * they threw a TypeError from inside ("ledger.find is not a function"). By its methods, not instanceof: a ledger made
 * by the package's other module format (require beside import) is a ledger too.
 */
export function checkLedger(value: unknown, fn: string): asserts value is QuotaLedger {
  if (!hasMethods(value, ['find', 'hasAnnualLimit', 'remaining']))
    throw new SandanError('QUOTA_INVALID', `${fn}: the ledger must be a QuotaLedger, got ${describeInput(value)}`);
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
    knownOptions(options, 'QuotaLedger', QUOTA_LEDGER_OPTION_NAMES, 'QUOTA_INVALID');
    checkQuotaSecret(options.secret);
    if (
      options.reservationTtlMs !== undefined &&
      !(Number.isFinite(options.reservationTtlMs) && options.reservationTtlMs >= 1)
    ) {
      throw new SandanError(
        'QUOTA_INVALID',
        `reservationTtlMs must be a number of milliseconds from 1 (a Date counts whole milliseconds), got ${describeInput(options.reservationTtlMs)}`,
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
    checkArgument(date, 'text', 'QuotaLedger.policyOn', 'the date', 'QUOTA_INVALID');
    const p = this.policy(date);
    if (!p?.annualLimit) throw new SandanError('QUOTA_INVALID', `No annual CBEC limit is in force on ${date}`);
    return p as QuotaPolicy & { annualLimit: Decimal };
  }

  /** Whether an annual limit is in force on a Beijing date (`YYYY-MM-DD`): none before the CBEC regime began. */
  hasAnnualLimit(date: string): boolean {
    checkArgument(date, 'text', 'QuotaLedger.hasAnnualLimit', 'the date', 'QUOTA_INVALID');
    return this.policy(date)?.annualLimit !== undefined;
  }

  /**
   * Checks once per ledger that the store was written with the same secret, by reading; only a
   * store that has no fingerprint yet is claimed, in a write transaction under one lock, so that
   * of ledgers with different secrets claiming it at once one wins and the others are refused.
   * A read-only store is never claimed: one without a fingerprint was never written to.
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
        // Two ledgers claiming a fresh store at once would both read no fingerprint, and the second
        // write replace the first (PostgreSQL at READ COMMITTED): both secrets would pass. The
        // store's lock serialises the claims, so the second reads the first's and is refused.
        await tx.lockBuyerYear(CLAIM_LOCK, 0);
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
      for (const r of plan.returns ?? []) await putReturnOf(tx, this.store.name)(r);
      return plan.result;
    });
  }

  /**
   * A buyer's used and remaining quota in a Beijing calendar year. The limit is the one in
   * force on `at` when it falls in the year (default: now), else on the year's nearest day.
   * `excludeOrder` leaves one order out, e.g. the order being validated.
   */
  async remaining(
    buyerIdNumber: string,
    year: number,
    options?: { at?: QuotaInstant | undefined } & ExcludeOrderOptions,
  ): Promise<QuotaBalance> {
    const opts = knownOptions(options, 'QuotaLedger.remaining', REMAINING_OPTION_NAMES, 'QUOTA_INVALID');
    checkYear(year);
    const key = this.buyerKey(buyerIdNumber);
    const now = this.clock();
    const at = opts.at === undefined ? now : parseInstant(opts.at);
    const limit = this.policyOn(policyDateForYear(year, at)).annualLimit;
    const exclude = excludedKey(opts);
    await this.ready();
    const entries = await this.store.transaction((tx) => tx.entries(key, year), { readOnly: true });
    return balanceOf(entries, year, limit, now, excludedEntry(exclude, entries));
  }

  /**
   * What a buyer bought of each tariff line in a Beijing calendar year: the quantities of live
   * reservations and committed orders, not of cancelled, expired or fully refunded ones (see
   * {@link quantitiesOf}). `unstated` counts orders reserved without quantities.
   * `excludeOrder` leaves one order out, e.g. the order being validated.
   */
  async usedQuantities(buyerIdNumber: string, year: number, options?: ExcludeOrderOptions): Promise<QuotaQuantityUse> {
    const opts = knownOptions(options, 'QuotaLedger.usedQuantities', EXCLUDE_OPTION_NAMES, 'QUOTA_INVALID');
    checkYear(year);
    const key = this.buyerKey(buyerIdNumber);
    const now = this.clock();
    const exclude = excludedKey(opts);
    await this.ready();
    const entries = await this.store.transaction((tx) => tx.entries(key, year), { readOnly: true });
    return quantitiesOf(entries, year, now, excludedEntry(exclude, entries));
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
    options?: ExcludeOrderOptions,
  ): Promise<Decimal | undefined> {
    const opts = knownOptions(options, 'QuotaLedger.usedQuantity', EXCLUDE_OPTION_NAMES, 'QUOTA_INVALID');
    return quantityOf(await this.usedQuantities(buyerIdNumber, year, opts), hs8, unit);
  }

  /**
   * Reserves quota for an order at checkout. `order` is `{ ebpCode, orderNo }` (an orderNo alone
   * states no platform). `at` is the order date: it picks the Beijing year and the policy (limit,
   * quota basis). Idempotent by order: the same platform and orderNo again is a duplicate, while
   * the same orderNo of another platform is another order. An entry found for the order under
   * its orderNo without the platform on one side (see {@link QuotaOrderRef}) is the same order
   * when its buyer, year and amount are this reservation's, else another order. Refused (a
   * result, with the remaining amount) when the buyer's used quota plus this order would pass
   * the limit. A single indivisible item above the single-transaction limit is reserved like any other.
   */
  async reserve(
    order: QuotaOrderRef,
    buyerIdNumber: string,
    amount: QuotaAmountInput,
    at: QuotaInstant,
    options?: ReserveOptions,
  ): Promise<QuotaResult> {
    const opts = knownOptions(options, 'QuotaLedger.reserve', RESERVE_OPTION_NAMES, 'QUOTA_INVALID');
    const key = orderKeyOf(order);
    const orderAt = parseInstant(at);
    // The years remaining() and history() read: an order of another year could not be read back.
    const year = checkYear(beijingYear(orderAt), "The order date's year (Beijing)");
    const policy = this.policyOn(beijingDate(orderAt));
    const value = countedAmountOf(amount, policy.quotaBasis);
    const buyerKey = this.buyerKey(buyerIdNumber);
    const now = this.now(opts.now);
    const ttl = opts.ttlMs ?? this.ttlMs;
    // Below 1 ms the expiry was the reservation's own millisecond (a Date drops the fraction): expired as it was made.
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl >= 1))
      throw new SandanError(
        'QUOTA_INVALID',
        `ttlMs must be a number of milliseconds from 1 (a Date counts whole milliseconds), got ${describeInput(ttl)}`,
      );
    const expiresAt = ttl === undefined ? undefined : new Date(now.getTime() + ttl);
    // Past a Date's range the expiry is an invalid Date, which the stores kept as "never" (or refused).
    if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime()))
      throw new SandanError(
        'QUOTA_INVALID',
        `${opts.ttlMs !== undefined ? 'ttlMs' : 'reservationTtlMs'} ${String(ttl)} puts the expiry past the last time a Date holds; leave it out for a reservation that does not expire`,
      );
    const quantities = opts.quantities === undefined ? undefined : toQuantities(opts.quantities);
    const copNo = inventoryIdOf(opts.copNo, 'options.copNo');
    const invtNo = inventoryIdOf(opts.invtNo, 'options.invtNo');
    return this.run(async (tx) => {
      await tx.lockBuyerYear(buyerKey, year);
      const found = entryOfKeyOrThrow(key, await tx.orderEntries(key.orderNo));
      // An entry of this platform is this order; one found with the platform stated on one side
      // only is this order when its facts are this reservation's, else another order.
      const existing =
        found === undefined ||
        found.ebpCode === key.ebpCode ||
        (found.buyerKey === buyerKey && found.year === year && found.amount.eq(value))
          ? found
          : undefined;
      const entries = await tx.entries(buyerKey, year);
      return planReserve({
        ebpCode: existing?.ebpCode ?? key.ebpCode,
        orderNo: key.orderNo,
        buyerKey,
        year,
        amount: value,
        limit: policy.annualLimit,
        orderAt,
        now,
        expiresAt,
        copNo,
        invtNo,
        quantities,
        existing,
        entries,
      });
    });
  }

  /** Runs a decision on one existing order under its buyer-year lock. */
  private onOrder(
    order: QuotaOrderRef,
    decide: (entry: QuotaEntry, entries: QuotaEntry[], limit: Decimal, tx: QuotaTx) => Promise<QuotaPlan> | QuotaPlan,
  ): Promise<QuotaResult> {
    const key = orderKeyOf(order);
    return this.run(async (tx) => {
      const first = entryOfKeyOrThrow(key, await tx.orderEntries(key.orderNo));
      if (!first) return unknownOrder(key);
      await tx.lockBuyerYear(first.buyerKey, first.year);
      const entry = (await tx.getEntry(first.ebpCode, first.orderNo)) ?? first;
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
  async commit(
    order: QuotaOrderRef,
    options?: { now?: QuotaInstant | undefined; stage?: CommitStage | undefined },
  ): Promise<QuotaResult> {
    const opts = knownOptions(options, 'QuotaLedger.commit', COMMIT_OPTION_NAMES, 'QUOTA_INVALID');
    const now = this.now(opts.now);
    const stage = opts.stage ?? 'released';
    if (!isCommitStage(stage))
      throw new SandanError(
        'QUOTA_INVALID',
        `stage must be 'concluded', 'released' or 'closed', got ${describeInput(stage)}`,
      );
    return this.onOrder(order, async (e, all, limit, tx) =>
      planCommit(e, all, limit, now, stage, e.status === 'committed' ? await tx.orderEvents(e.ebpCode, e.orderNo) : []),
    );
  }

  /**
   * The order was cancelled or its reservation expired: its quota is given back. A committed
   * order (customs concluded or released it) is refused (`committed`) unless `ifCommitted` is
   * `release`: customs approved its cancel (CEB624 399), as {@link applyReceipts} says.
   */
  async release(
    order: QuotaOrderRef,
    options?: {
      now?: QuotaInstant | undefined;
      reason?: 'cancelled' | 'expired' | undefined;
      ifCommitted?: 'refuse' | 'release' | undefined;
    },
  ): Promise<QuotaResult> {
    const opts = knownOptions(options, 'QuotaLedger.release', RELEASE_OPTION_NAMES, 'QUOTA_INVALID');
    const now = this.now(opts.now);
    const ifCommitted = opts.ifCommitted ?? 'refuse';
    oneOf('ifCommitted', ifCommitted, ['refuse', 'release'], 'QUOTA_INVALID');
    return this.onOrder(order, (e, all, limit) =>
      planRelease(e, all, limit, now, opts.reason ?? 'cancelled', ifCommitted),
    );
  }

  /**
   * An approved return (CEB626) gives quota back: `amount`, or all that still counts for the
   * order. `key` makes a partial refund idempotent (a refund with a key is applied once).
   * The return must fall in the window of the release (the commit time, or `releasedAt`):
   * applied for (`appliedAt`, default `now`) and, when `arrivedAt` is given, back within the
   * days the policy in force on the release date allows; else it is refused with
   * `outside-return-window` unless `outsideReturnWindow` is `allow`.
   */
  async refund(
    order: QuotaOrderRef,
    amount?: Decimal | string | number,
    options?: RefundOptions,
  ): Promise<QuotaResult> {
    const opts = knownOptions(options, 'QuotaLedger.refund', REFUND_OPTION_NAMES, 'QUOTA_INVALID');
    const now = this.now(opts.now);
    const give = amount === undefined ? undefined : toAmount(amount, 'refund amount');
    if (give?.isZero()) throw new SandanError('QUOTA_INVALID', 'A refund amount must be more than zero');
    // A number key matched itself in memory but came back from SQLite as text: the retry failed.
    if (opts.key !== undefined) {
      checkArgument(opts.key, 'text', 'QuotaLedger.refund', 'options.key', 'QUOTA_INVALID');
      checkRefundKey(opts.key);
    }
    const outside = opts.outsideReturnWindow ?? 'refuse';
    oneOf('outsideReturnWindow', outside, ['refuse', 'allow'], 'QUOTA_INVALID');
    const applied = opts.appliedAt === undefined ? undefined : parseInstant(opts.appliedAt, 'appliedAt');
    const arrivedAt = opts.arrivedAt === undefined ? undefined : parseInstant(opts.arrivedAt, 'arrivedAt');
    const releasedAt = opts.releasedAt === undefined ? undefined : parseInstant(opts.releasedAt, 'releasedAt');
    const copNo = inventoryIdOf(opts.returnCopNo, 'options.returnCopNo');
    const r = await this.onOrder(order, async (e, all, limit, tx) => {
      const events = await tx.orderEvents(e.ebpCode, e.orderNo);
      const applications = copNo === undefined || !tx.orderReturns ? [] : await tx.orderReturns(e.ebpCode, e.orderNo);
      const appliedAt = applied ?? applications.find((a) => a.copNo === copNo)?.appliedAt ?? now;
      const released = releasedAt ?? releaseTimeOf(e, events);
      const window = this.policy(beijingDate(released))?.returnWindow;
      const check = window === undefined ? undefined : checkReturnWindow(released, window, appliedAt, arrivedAt);
      return planRefund(
        e,
        all,
        limit,
        now,
        give,
        opts.key,
        events,
        { check, outside },
        copNo === undefined ? undefined : { copNo, applications },
      );
    });
    // A copNo the ledger was never told of, and no amount: all that counts went back, which a partial return's
    // share would not have; said as applyReceipts says it of such a CEB626 (the CLI prints it).
    return copNo !== undefined && r.ok && !r.duplicate && r.refundBasis === 'whole'
      ? { ...r, warning: returnUnrecorded(copNo, r.orderNo) }
      : r;
  }

  /**
   * Records a return application sent to customs (CEB625): its copNo, the lines it takes back and the inventory's
   * lines that value them. A CEB626 that approves it (`applyReceipts`, or `refund` with `returnCopNo`) then gives back
   * its share by itself — the lines of it and of the order's approved returns valued by `returnQuotaShare`,
   * less what those gave — instead of all the order counts: a CEB626 names the return, not its value. The result's
   * `returnShare` is what it would give if approved now. The same application again is a duplicate; one not yet
   * approved is replaced by another with its copNo (sent again after a refusal, changed). Throws `QUOTA_INVALID`
   * for lines the inventory has not or more than it declared (`tryInvtRefundOf` answers those first),
   * `QUOTA_CONFLICT` for other lines under an approved application's copNo, and `QUOTA_STORE` when the store keeps
   * no return applications (a store written for an older sandan). Refused (`unknown-order`) for an order the ledger
   * has not.
   */
  async recordReturn(
    order: QuotaOrderRef,
    application: ReturnApplicationInput,
    options?: { now?: QuotaInstant | undefined },
  ): Promise<QuotaResult> {
    const opts = knownOptions(options, 'QuotaLedger.recordReturn', RECORD_RETURN_OPTION_NAMES, 'QUOTA_INVALID');
    checkArgument(application, 'object', 'QuotaLedger.recordReturn', 'the application', 'QUOTA_INVALID');
    const copNo = inventoryIdOf(application.copNo, 'application.copNo');
    if (copNo === undefined || copNo.trim() === '')
      throw new SandanError(
        'QUOTA_INVALID',
        "QuotaLedger.recordReturn: application.copNo must be the return application's copNo (its CEB626 receipts name it by it)",
      );
    const lines = returnLinesOf(application);
    const now = this.now(opts.now);
    const appliedAt = application.appliedAt === undefined ? now : parseInstant(application.appliedAt, 'appliedAt');
    return this.onOrder(order, async (e, all, limit, tx) => {
      if (!tx.orderReturns) throw noReturns(this.store.name);
      const applications = await tx.orderReturns(e.ebpCode, e.orderNo);
      return planRecordReturn(e, all, limit, now, { copNo, ...lines, appliedAt }, applications);
    });
  }

  /**
   * The return application (CEB625) recorded under a copNo, as a CEB626 names it: with `ebpCode`, one of that platform
   * or of an order with none stated. Of several, one not yet approved, then the latest applied. Undefined when none
   * (or the store keeps none).
   */
  async findReturn(by: { copNo: string; ebpCode?: string | undefined }): Promise<QuotaReturnApplication | undefined> {
    checkArgument(by, 'object', 'QuotaLedger.findReturn', 'what to find by', 'QUOTA_INVALID');
    const copNo = inventoryIdOf(by.copNo, 'copNo');
    if (copNo === undefined) return undefined;
    const ebpCode = by.ebpCode === '' ? undefined : by.ebpCode;
    await this.ready();
    return this.store.transaction(
      async (tx) => (tx.returnsByCopNo ? returnOfCopNo(await tx.returnsByCopNo(copNo), ebpCode) : undefined),
      { readOnly: true },
    );
  }

  /** Every change to a buyer's quota in a year, oldest first. */
  async history(buyerIdNumber: string, year: number): Promise<QuotaEvent[]> {
    checkYear(year);
    const key = this.buyerKey(buyerIdNumber);
    await this.ready();
    return this.store.transaction((tx) => tx.events(key, year), { readOnly: true });
  }

  /**
   * The entry of an order, found by orderNo (with `ebpCode`, the platform's; see
   * {@link QuotaOrderRef}), else invtNo, else copNo. With `ebpCode`, an entry found by invtNo or
   * copNo is of that platform or of none stated. An orderNo without `ebpCode` that names orders
   * of several platforms finds none of them; when invtNo and copNo find none either, that
   * throws `QUOTA_INVALID`.
   */
  async find(by: {
    orderNo?: string | undefined;
    ebpCode?: string | undefined;
    copNo?: string | undefined;
    invtNo?: string | undefined;
  }): Promise<QuotaEntry | undefined> {
    checkArgument(by, 'object', 'QuotaLedger.find', 'what to find by', 'QUOTA_INVALID');
    const ebpCode = by.ebpCode === '' ? undefined : by.ebpCode;
    const key = by.orderNo === undefined ? undefined : { ebpCode: ebpCode ?? '', orderNo: by.orderNo };
    await this.ready();
    return this.store.transaction(
      async (tx) => {
        const candidates = key === undefined ? [] : await tx.orderEntries(key.orderNo);
        const byOrder = key === undefined ? undefined : entryOfKey(key, candidates);
        if (byOrder !== undefined && byOrder !== 'ambiguous') return byOrder;
        const byIds =
          (by.invtNo !== undefined ? await tx.findEntry({ invtNo: by.invtNo, ebpCode }) : undefined) ??
          (by.copNo !== undefined ? await tx.findEntry({ copNo: by.copNo, ebpCode }) : undefined);
        if (byIds === undefined && key !== undefined && byOrder === 'ambiguous') throw ambiguousOrder(key, candidates);
        return byIds;
      },
      { readOnly: true },
    );
  }

  /** Records the inventory's copNo or invtNo on an order, so that later receipts find it. Returns false for an unknown order. */
  async link(order: QuotaOrderRef, ids: { copNo?: string | undefined; invtNo?: string | undefined }): Promise<boolean> {
    const key = orderKeyOf(order);
    checkArgument(ids, 'object', 'QuotaLedger.link', 'the ids', 'QUOTA_INVALID');
    const given = { copNo: inventoryIdOf(ids.copNo, 'ids.copNo'), invtNo: inventoryIdOf(ids.invtNo, 'ids.invtNo') };
    await this.ready();
    return this.store.transaction(async (tx) => {
      const first = entryOfKeyOrThrow(key, await tx.orderEntries(key.orderNo));
      if (!first) return false;
      await tx.lockBuyerYear(first.buyerKey, first.year);
      const e = (await tx.getEntry(first.ebpCode, first.orderNo)) ?? first;
      const copNo = given.copNo ?? e.copNo;
      const invtNo = given.invtNo ?? e.invtNo;
      if (copNo !== e.copNo || invtNo !== e.invtNo) await tx.updateEntry({ ...e, copNo, invtNo });
      return true;
    });
  }

  /** Closes the store. */
  close(): Promise<void> {
    return this.store.close();
  }
}

/** `QUOTA_STORE`: the store keeps no return applications (its transactions have no `orderReturns`). */
const noReturns = (name: string) =>
  new SandanError(
    'QUOTA_STORE',
    `The quota store ${name} keeps no return applications (its transactions lack orderReturns, returnsByCopNo and putReturn): give each approved return's amount to refund instead`,
  );

/** The store's writer of return applications, or one that throws {@link noReturns}. */
function putReturnOf(tx: QuotaTx, name: string): (r: QuotaReturnApplication) => Promise<void> {
  return tx.putReturn ? (r) => tx.putReturn!(r) : () => Promise.reject(noReturns(name));
}

/**
 * The order an {@link ExcludeOrderOptions} names; undefined when none. Not checked like an order
 * being written: a number the ledger would refuse is in no entry, so it leaves nothing out
 * (validation passes the declaration's numbers as they are, and reports what is wrong with them).
 */
function excludedKey(options: ExcludeOrderOptions): QuotaOrderKey | undefined {
  if (options.excludeOrder !== undefined && options.excludeOrderNo !== undefined)
    throw new SandanError('QUOTA_INVALID', 'Give excludeOrder or excludeOrderNo, not both');
  const ref: unknown = options.excludeOrder ?? options.excludeOrderNo;
  if (typeof ref === 'string') return { ebpCode: '', orderNo: ref };
  if (ref === null || typeof ref !== 'object') return undefined;
  const { ebpCode, orderNo } = ref as { ebpCode?: unknown; orderNo?: unknown };
  return typeof orderNo === 'string' ? { ebpCode: typeof ebpCode === 'string' ? ebpCode : '', orderNo } : undefined;
}

/**
 * The entry of a buyer-year that the excluded order names, as its key: none when there is no
 * such entry, or when an orderNo alone names several platforms' orders (which one is meant is
 * not known, so all of them count).
 */
function excludedEntry(key: QuotaOrderKey | undefined, entries: readonly QuotaEntry[]): QuotaOrderKey | undefined {
  if (key === undefined) return undefined;
  const e = entryOfKey(key, entries);
  return e === undefined || e === 'ambiguous' ? undefined : e;
}
