import { createHmac } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { idNumberKeyProblem, maskIdNumber, normaliseIdNumber } from '../rules/id-number.js';
import { Dec, toDecimal } from '../model/primitives.js';
import type {
  CommitStage,
  QuotaEntry,
  QuotaEvent,
  QuotaOrderKey,
  QuotaOrderRef,
  QuotaPolicy,
  QuotaQuantity,
  QuotaReturnApplication,
  QuotaReturnLine,
  QuotaInventoryLine,
} from './types.js';
import { returnQuotaShare, type ReturnQuotaShare } from './return-share.js';
import { beijingIsoDate, beijingTimeOption, beijingXsDateTime, beijingYear } from '../time/beijing.js';
import type { ReturnWindowCheck } from './return-window.js';
import { compareCodeUnits, describeInput } from '../model/guards.js';
import { codePointName, forbiddenCharacter } from '../xml/safety.js';

/**
 * The pure part of the quota ledger: Beijing calendar, amounts, the buyer hash and the
 * decisions (reserve, commit, release, refund) as functions of the rows they read and the
 * time they are given. Nothing here touches a store or the clock.
 */

/** Something that names an instant: a Date, an ISO 8601 string, `YYYY-MM-DD`, or CEB `yyyyMMdd[HHmmss[SSS]]` (Beijing time). */
export type QuotaInstant = Date | string;

/**
 * Reads an instant. Dates without a zone (`YYYY-MM-DD`, `yyyyMMddHHmmss`, the 17-digit
 * receipt `returnTime`, ISO without offset) are Beijing time (UTC+8), as customs writes them.
 * Throws `QUOTA_INVALID` on anything else, and on impossible values such as 2026-02-30.
 */
export function parseInstant(value: QuotaInstant, what = 'at'): Date {
  return beijingTimeOption(value, what, 'QUOTA_INVALID');
}

// The quota ledger's names for the Beijing calendar: the year of an instant, and its day `YYYY-MM-DD`.
export { beijingYear, beijingIsoDate as beijingDate };

/**
 * The calendar years the ledger keeps, for reads and writes alike: four digits, ending a year
 * early so that what runs past a year's end (a December release's return window) is still a
 * four-digit year, which every written form of a time needs.
 */
const QUOTA_YEARS = { first: 1000, last: 9998 } as const;

/**
 * Checks a calendar year: a whole number in {@link QUOTA_YEARS} (a year with no annual limit in
 * force, such as 1999, is refused by the policy lookup, which says so). `what` names it in the message.
 */
export function checkYear(year: unknown, what = 'year'): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < QUOTA_YEARS.first || year > QUOTA_YEARS.last) {
    throw new SandanError(
      'QUOTA_INVALID',
      `${what} must be a whole calendar year from ${QUOTA_YEARS.first} to ${QUOTA_YEARS.last}, got ${describeInput(year)}`,
    );
  }
  return year;
}

/** The date whose policy applies to a whole year: `at` when it falls in the year, else the year's nearest end. */
export function policyDateForYear(year: number, at: Date): string {
  const y = beijingYear(at);
  if (y === year) return beijingIsoDate(at);
  return y > year ? `${year}-12-31` : `${year}-01-01`;
}

/** Reads an amount of money: finite, not negative, at most 5 decimals and 14 integer digits (N19,5). */
export function toAmount(value: unknown, what = 'amount'): Decimal {
  const d = toDecimal(typeof value === 'string' ? value.trim() : value);
  if (d === undefined || d.isNegative()) {
    throw new SandanError(
      'QUOTA_INVALID',
      `${what} must be a non-negative decimal with at most 14 integer digits and 5 decimal places (N19,5), got ${describeInput(value)}`,
    );
  }
  return d;
}

/**
 * The amount of an order: a plain amount counts as it is; `{ dutiableValue, actualPaid }`
 * lets the policy's `quotaBasis` choose.
 */
export type QuotaAmountInput =
  | Decimal
  | string
  | number
  | { dutiableValue: Decimal | string | number; actualPaid?: Decimal | string | number | undefined };

/** Picks and checks the amount that counts under a basis. */
export function countedAmountOf(input: QuotaAmountInput, basis: QuotaPolicy['quotaBasis']): Decimal {
  if (input !== null && typeof input === 'object' && !Dec.isDecimal(input)) {
    const o = input as { dutiableValue: unknown; actualPaid?: unknown };
    if (basis === 'actualPaid') {
      if (o.actualPaid === undefined)
        throw new SandanError(
          'QUOTA_INVALID',
          'The policy counts actualPaid toward the quota, but the amount gives only dutiableValue',
        );
      return toAmount(o.actualPaid, 'amount.actualPaid');
    }
    return toAmount(o.dutiableValue, 'amount.dutiableValue');
  }
  return toAmount(input);
}

/** A line quantity as {@link QuotaLedger.reserve} takes it: `qty` a Decimal or a decimal string. */
export interface QuotaQuantityInput {
  hs8: string;
  unit: string;
  qty: Decimal | string;
}

/**
 * Reads an order's line quantities: `hs8` 8 digits, `unit` a 3-digit CEB unit code, `qty` a
 * Decimal or decimal string (no JS numbers: they are not exact). Lines of the same code and
 * unit are added up; the result is sorted, so equal orders store equal lists.
 */
export function toQuantities(input: unknown): QuotaQuantity[] {
  if (!Array.isArray(input))
    throw new SandanError('QUOTA_INVALID', 'quantities must be an array of { hs8, unit, qty }');
  const sums = new Map<string, QuotaQuantity>();
  input.forEach((q: unknown, i) => {
    const o = (q ?? {}) as { hs8?: unknown; unit?: unknown; qty?: unknown };
    if (typeof o.hs8 !== 'string' || !/^\d{8}$/.test(o.hs8))
      throw new SandanError('QUOTA_INVALID', `quantities[${i}].hs8 must be 8 digits, got ${describeInput(o.hs8)}`);
    if (typeof o.unit !== 'string' || !/^\d{3}$/.test(o.unit))
      throw new SandanError(
        'QUOTA_INVALID',
        `quantities[${i}].unit must be a 3-digit CEB unit code (e.g. 035), got ${describeInput(o.unit)}`,
      );
    if (typeof o.qty !== 'string' && !Dec.isDecimal(o.qty))
      throw new SandanError(
        'QUOTA_INVALID',
        `quantities[${i}].qty must be a decimal string or a Decimal, got ${describeInput(o.qty)}`,
      );
    const qty = toAmount(o.qty, `quantities[${i}].qty`);
    const k = `${o.hs8}/${o.unit}`;
    const had = sums.get(k);
    sums.set(k, { hs8: o.hs8, unit: o.unit, qty: had ? had.qty.plus(qty) : qty });
  });
  return [...sums.values()].sort((a, b) => compareCodeUnits(a.hs8, b.hs8) || compareCodeUnits(a.unit, b.unit));
}

function sameQuantities(a: readonly QuotaQuantity[], b: readonly QuotaQuantity[]): boolean {
  return a.length === b.length && a.every((q, i) => q.hs8 === b[i]?.hs8 && q.unit === b[i]?.unit && q.qty.eq(b[i].qty));
}

/** What a buyer bought of each tariff line in one year, by the ledger's entries. */
export interface QuotaQuantityUse {
  year: number;
  /** Totals per code and unit of the orders that count, sorted by code and unit. */
  lines: QuotaQuantity[];
  /**
   * Orders that count but were reserved without quantities: while there are any, what the
   * buyer bought of a code is not known from the ledger.
   */
  unstated: number;
}

/**
 * Adds up the quantities of a buyer-year's entries at `now`, optionally leaving one order out.
 * Counts like {@link balanceOf}: live reservations and committed orders; released (cancelled)
 * and expired ones do not count. A fully refunded order does not count either: an approved
 * return sends the goods back, so they were not bought. A partly refunded order counts in
 * full, because the ledger does not know which lines came back (counting them keeps the cap).
 */
export function quantitiesOf(
  entries: readonly QuotaEntry[],
  year: number,
  now: Date,
  exclude?: QuotaOrderKey,
): QuotaQuantityUse {
  const sums = new Map<string, QuotaQuantity>();
  let unstated = 0;
  for (const e of entries) {
    if ((exclude && sameOrder(e, exclude)) || e.status === 'released' || isExpired(e, now)) continue;
    if (e.refunded.gt(0) && e.refunded.gte(e.amount)) continue;
    if (e.quantities === undefined) {
      unstated++;
      continue;
    }
    for (const q of e.quantities) {
      const k = `${q.hs8}/${q.unit}`;
      const had = sums.get(k);
      sums.set(k, { ...q, qty: had ? had.qty.plus(q.qty) : q.qty });
    }
  }
  const lines = [...sums.values()].sort((a, b) => compareCodeUnits(a.hs8, b.hs8) || compareCodeUnits(a.unit, b.unit));
  return { year, lines, unstated };
}

/** One line's total in a {@link QuotaQuantityUse}: zero when not bought, undefined when orders left it unstated. */
export function quantityOf(use: QuotaQuantityUse, hs8: string, unit: string): Decimal | undefined {
  if (use.unstated > 0) return undefined;
  return use.lines.find((q) => q.hs8 === hs8 && q.unit === unit)?.qty ?? new Dec(0);
}

/**
 * Why a normalised ID number cannot key a buyer, or undefined when it can: the GB 11643 format
 * and check character only. The birth-date plausibility of a declared number is the
 * identity/id-number rule's to report; here what matters is one spelling per person.
 */
export function buyerIdProblem(id: string): 'format' | 'check-digit' | undefined {
  return idNumberKeyProblem(id);
}

/**
 * The buyer's ID number as the ledger keys it: {@link normaliseIdNumber} (NFKC, no white space or
 * invisible characters, upper-case X), then {@link buyerIdProblem}, so that no spelling of one
 * person's number opens a second quota. CBEC buyers declare a resident ID card (buyerIdType 1),
 * the one type the ledger knows. Throws `QUOTA_BUYER_ID` naming the problem, with the number
 * masked: the ledger never writes it out.
 */
function buyerIdNumberOf(idNumber: string): string {
  if (typeof idNumber !== 'string' || normaliseIdNumber(idNumber) === '')
    throw new SandanError('QUOTA_BUYER_ID', 'The buyer ID number is empty');
  const id = normaliseIdNumber(idNumber);
  const problem = buyerIdProblem(id);
  if (problem === undefined) return id;
  const what = {
    format:
      [...id].length === 18
        ? 'is not 17 digits followed by a digit or X'
        : `has ${[...id].length} characters, not 18 (17 digits and a digit or X)`,
    'check-digit': 'has a wrong check character (GB 11643, ISO 7064 MOD 11-2)',
  }[problem];
  throw new SandanError(
    'QUOTA_BUYER_ID',
    `The buyer ID number ${maskIdNumber(id)} is not a resident ID card number: it ${what}`,
    {
      details: { problem },
    },
  );
}

/**
 * The key a buyer is stored under: HMAC-SHA256 of the checked, normalised ID number
 * ({@link buyerIdNumberOf}) with the ledger secret, lower-case hex. The ID number itself is never stored.
 */
export function buyerKeyOf(secret: string | Uint8Array, idNumber: string): string {
  return createHmac('sha256', secret)
    .update(`sandan-quota-buyer:${buyerIdNumberOf(idNumber)}`, 'utf8')
    .digest('hex');
}

/** A fingerprint of the secret the store remembers, so that a ledger opened with another secret fails loudly. */
export function secretFingerprint(secret: string | Uint8Array): string {
  return createHmac('sha256', secret).update('sandan-quota-secret-check', 'utf8').digest('hex').slice(0, 32);
}

/** Checks an order number: a non-empty string of at most 60 characters (CEB orderNo C..60), without white space at either end. */
function checkOrderNo(orderNo: unknown): string {
  // White space at either end made a second order of the same one ("O-1 " beside "O-1"): counted
  // twice, and never matched by customs' receipts.
  if (typeof orderNo !== 'string' || orderNo.trim() === '' || orderNo.trim() !== orderNo || orderNo.length > 60) {
    throw new SandanError(
      'QUOTA_INVALID',
      `orderNo must be a non-empty string of at most 60 characters without white space at either end, got ${describeInput(orderNo)}`,
    );
  }
  return xmlCarriable(orderNo, 'orderNo');
}

/**
 * A key the stores keep as given: SQLite and PostgreSQL store UTF-8, where a lone surrogate became
 * U+FFFD (the order reserved could then never be found again) and U+0000 is refused; no CEB
 * message can carry such an order either.
 */
function xmlCarriable(text: string, field: string): string {
  const problem = forbiddenCharacter(text);
  if (problem) throw new SandanError('QUOTA_INVALID', `${field} ${describeInput(text)}: ${problem.why}`);
  return text;
}

/**
 * Checks an inventory number an entry is to keep (copNo, invtNo): text the stores keep as given. An object or a number
 * was kept by memory as it was, refused by SQLite with its driver's words, written by PostgreSQL as text; U+0000 only
 * PostgreSQL refused.
 */
export function inventoryIdOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined; // (not given, as `??` read it before)
  if (typeof value !== 'string')
    throw new SandanError('QUOTA_INVALID', `${field} must be text, got ${describeInput(value)}`);
  return xmlCarriable(value, field);
}

/**
 * Checks a refund's idempotency key. SQLite and PostgreSQL keep one event per key of an order: a key they cannot keep
 * as given (a lone surrogate, U+0000) made the retry of a refund fail, or two keys one; and a commit keeps its stage
 * as its key, so a refund keyed so failed beside that commit, or made it fail when it came first (memory took all).
 */
export function checkRefundKey(key: string): string {
  if (isCommitStage(key))
    throw new SandanError(
      'QUOTA_INVALID',
      `The refund key ${JSON.stringify(key)} is the name of a commit stage, which the ledger keys commits by; choose another key (e.g. the return's copNo)`,
      { details: { key } },
    );
  return storableKey(key, 'The refund key');
}

/** A surrogate not in a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A key only the ledger keeps (no CEB message carries it), checked for what the databases cannot keep as given: the
 * reason is theirs, not XML's (other characters XML refuses are kept by all three stores).
 */
function storableKey(text: string, field: string): string {
  const surrogate = LONE_SURROGATE.exec(text);
  const why = text.includes('\u0000')
    ? 'character U+0000 cannot be kept in a PostgreSQL ledger (its text refuses it), so no store takes it'
    : surrogate
      ? `a lone surrogate ${codePointName(text.charCodeAt(surrogate.index))} is not a character: SQLite and PostgreSQL keep text as UTF-8, where it becomes U+FFFD, another key`
      : undefined;
  if (why === undefined) return text;
  throw new SandanError('QUOTA_INVALID', `${field} ${describeInput(text)}: ${why}`, { details: { key: text } });
}

/** The stages a commit may name (CEB622 399, 800, 899), each also the key of its event. */
export function isCommitStage(stage: unknown): stage is CommitStage {
  return stage === 'concluded' || stage === 'released' || stage === 'closed';
}

/**
 * Checks a platform code: a string of at most 18 characters (CEB ebpCode C..18) without white
 * space at either end; `''` says the platform is not stated.
 */
function checkEbpCode(ebpCode: unknown): string {
  if (typeof ebpCode !== 'string' || ebpCode.length > 18 || ebpCode.trim() !== ebpCode) {
    throw new SandanError(
      'QUOTA_INVALID',
      `ebpCode must be a platform code of at most 18 characters without white space at either end ('' when not known), got ${describeInput(ebpCode)}`,
    );
  }
  return xmlCarriable(ebpCode, 'ebpCode');
}

/** The key of an order a caller names (see {@link QuotaOrderRef}), checked; an orderNo alone states no platform. */
export function orderKeyOf(ref: QuotaOrderRef): QuotaOrderKey {
  if (typeof ref === 'string') return { ebpCode: '', orderNo: checkOrderNo(ref) };
  if (ref === null || typeof ref !== 'object')
    throw new SandanError('QUOTA_INVALID', `An order is an orderNo or { ebpCode, orderNo }, got ${describeInput(ref)}`);
  return { ebpCode: checkEbpCode(ref.ebpCode ?? ''), orderNo: checkOrderNo(ref.orderNo) };
}

/** True when two entries, events or keys name the same order: the same platform and orderNo. */
function sameOrder(a: QuotaOrderKey, b: QuotaOrderKey): boolean {
  return a.orderNo === b.orderNo && a.ebpCode === b.ebpCode;
}

/** An order as messages name it: its orderNo, and its platform when stated. */
export function orderLabel(k: QuotaOrderKey): string {
  return k.ebpCode === '' ? k.orderNo : `${k.orderNo} of platform ${k.ebpCode}`;
}

/**
 * The entry a key names among the entries with its orderNo (of every platform): the one of its
 * platform; else, for a key of a platform, the entry with no platform stated (written before the
 * ledger kept platforms, or by a caller that named the order by orderNo alone); else, for a key
 * that states no platform, the one entry with that orderNo. `ambiguous`: the key states no
 * platform and several platforms have an order with that number.
 */
export function entryOfKey(
  key: QuotaOrderKey,
  candidates: readonly QuotaEntry[],
): QuotaEntry | 'ambiguous' | undefined {
  const mine = candidates.filter((e) => e.orderNo === key.orderNo);
  const exact = mine.find((e) => e.ebpCode === key.ebpCode);
  if (exact) return exact;
  if (key.ebpCode !== '') return mine.find((e) => e.ebpCode === '');
  if (mine.length > 1) return 'ambiguous';
  return mine[0];
}

/**
 * Of the entries one copNo or invtNo finds, the one a receipt is taken to name, first: one not released (cancelled or
 * expired) before one that is, then the latest order date, then the greater orderNo and platform. A platform may reuse
 * a copNo (the specification asks no uniqueness of it); the stores took whichever came first (memory and SQLite the
 * first written, PostgreSQL any), so they settled one receipt on different orders, and on a cancelled one the new
 * order's release was refused. The SQL stores order their rows by the same ({@link FOUND_ORDER_SQL}).
 */
export function compareFound(a: QuotaEntry, b: QuotaEntry): number {
  return (
    Number(a.status === 'released') - Number(b.status === 'released') ||
    b.orderAt.getTime() - a.orderAt.getTime() ||
    compareCodeUnits(b.orderNo, a.orderNo) ||
    compareCodeUnits(b.ebpCode, a.ebpCode)
  );
}

/** {@link entryOfKey}, throwing {@link ambiguousOrder} when the orderNo alone names several platforms' orders. */
export function entryOfKeyOrThrow(key: QuotaOrderKey, candidates: readonly QuotaEntry[]): QuotaEntry | undefined {
  const e = entryOfKey(key, candidates);
  if (e === 'ambiguous') throw ambiguousOrder(key, candidates);
  return e;
}

/** `QUOTA_INVALID`: an orderNo without a platform names the orders of several platforms. */
export function ambiguousOrder(key: QuotaOrderKey, candidates: readonly QuotaEntry[]): SandanError {
  const platforms = candidates
    .filter((c) => c.orderNo === key.orderNo)
    .map((c) => c.ebpCode)
    .sort(compareCodeUnits);
  return new SandanError(
    'QUOTA_INVALID',
    `Order ${key.orderNo} is in the ledger for several platforms (${platforms.join(', ')}); name the platform: { ebpCode, orderNo }`,
    { details: { orderNo: key.orderNo } },
  );
}

/** True when a reservation has passed its expiry at `now`. */
function isExpired(e: QuotaEntry, now: Date): boolean {
  return e.status === 'reserved' && e.expiresAt !== undefined && e.expiresAt.getTime() <= now.getTime();
}

/** How much of an entry counts at `now`: nothing once released or expired, else the amount less refunds. */
function countedOf(e: QuotaEntry, now: Date): Decimal {
  if (e.status === 'released' || isExpired(e, now)) return new Dec(0);
  return e.amount.minus(e.refunded);
}

/** A buyer's standing in one year. */
export interface QuotaBalance {
  year: number;
  /** The annual limit in force (CNY). */
  limit: Decimal;
  /** Reserved (live) plus committed, net of refunds. */
  used: Decimal;
  /** Live reservations: orders paid or being paid whose inventories are not yet released. */
  reserved: Decimal;
  /** Released inventories, net of refunds. */
  committed: Decimal;
  /** `limit − used`, never below zero. */
  remaining: Decimal;
  /** Orders that count now. */
  orders: number;
}

/** Sums a buyer-year's entries at `now`, optionally leaving one order (an entry's key) out. */
export function balanceOf(
  entries: readonly QuotaEntry[],
  year: number,
  limit: Decimal,
  now: Date,
  exclude?: QuotaOrderKey,
): QuotaBalance {
  let reserved = new Dec(0);
  let committed = new Dec(0);
  let orders = 0;
  for (const e of entries) {
    if (exclude && sameOrder(e, exclude)) continue;
    const c = countedOf(e, now);
    if (e.status === 'released' || isExpired(e, now)) continue;
    orders++;
    if (e.status === 'reserved') reserved = reserved.plus(c);
    else committed = committed.plus(c);
  }
  const used = reserved.plus(committed);
  const rest = limit.minus(used);
  return { year, limit, used, reserved, committed, remaining: rest.isNegative() ? new Dec(0) : rest, orders };
}

/** Why the ledger refused an operation. */
export type QuotaRefusal =
  /** The order would take the buyer past the annual limit. */
  | 'over-limit'
  /** The ledger has no entry for the order. */
  | 'unknown-order'
  /** The order was cancelled; it cannot be reserved or committed again. */
  | 'released'
  /** Only committed orders (customs concluded or released the inventory) can be refunded. */
  | 'not-committed'
  /**
   * The order is committed (customs concluded or released it) and the release was not said to
   * be customs' approval of a cancel (`ifCommitted: 'release'`): customs still counts it.
   */
  | 'committed'
  /** The refund is larger than what still counts for the order. */
  | 'over-refund'
  /** The return was applied for (or arrived) after the return window of the release closed. */
  | 'outside-return-window'
  /**
   * A return receipt (CEB626) without the copNo of its return application gave an amount: one return cannot be
   * told from another of the same order, nor its 399 from its 800, so the amount could be given back twice.
   */
  | 'return-not-identified';

/** The outcome of a ledger operation. Refusals are results; misuse throws a SandanError. */
export type QuotaResult =
  | {
      ok: true;
      /** The order's platform as its entry records it (`''`: not stated). */
      ebpCode: string;
      orderNo: string;
      /** True when the operation had already been applied (same orderNo, same facts): nothing changed. */
      duplicate: boolean;
      entry: QuotaEntry;
      /** The buyer's remaining quota in the entry's year after the operation. */
      remaining: Decimal;
      balance: QuotaBalance;
      /** For a refund: the return window of the release and how the return stood against it. */
      returnWindow?: ReturnWindowCheck | undefined;
      /** For a refund: how its amount was decided (see {@link QuotaRefundBasis}). */
      refundBasis?: QuotaRefundBasis | undefined;
      /**
       * For a refund that named a return application (`returnCopNo`) the ledger was never told of, without an amount:
       * `return-unrecorded`, all the order still counted was given back, more than a partial return's share.
       */
      warning?: ReceiptWarning | undefined;
      /** For a refund or `recordReturn`: the return application (CEB625) as the ledger now keeps it. */
      returnApplication?: QuotaReturnApplication | undefined;
      /**
       * For `recordReturn`: what the return would give back if customs approved it now (its lines and those of the
       * order's approved returns, by `returnQuotaShare`); the approval computes it again then.
       */
      returnShare?: ReturnQuotaShare | undefined;
    }
  | {
      ok: false;
      /** The order's platform: of its entry, or as the caller named it when the ledger has none (`''`: not stated). */
      ebpCode: string;
      orderNo: string;
      reason: QuotaRefusal;
      message: string;
      /** The remaining quota the refusal was measured against (undefined when the order is unknown). */
      remaining: Decimal | undefined;
      balance?: QuotaBalance | undefined;
      entry?: QuotaEntry | undefined;
      /** For a refund: the return window of the release and how the return stood against it. */
      returnWindow?: ReturnWindowCheck | undefined;
      /** For a refund: how its amount was (to be) decided (see {@link QuotaRefundBasis}). */
      refundBasis?: QuotaRefundBasis | undefined;
      /** For a refund: the return application (CEB625) it named, as the ledger keeps it. */
      returnApplication?: QuotaReturnApplication | undefined;
    };

/**
 * How a refund's amount was decided: `amount`, the caller gave it; `application`, the share of the return application
 * recorded with `recordReturn` (its lines valued by `returnQuotaShare` when customs approved it); `whole`, neither was
 * there, so all the order still counted was given back (a CEB626 of an application the ledger was never told of).
 */
export type QuotaRefundBasis = 'amount' | 'application' | 'whole';

/** A warning of a refund or a receipt's outcome: a stable code and what it means, in Chinese and English. */
export interface ReceiptWarning {
  code: 'return-unrecorded';
  message: { zh: string; en: string };
}

/**
 * The warning of a refund without an amount whose return application (`copNo`, or none named) the ledger never
 * recorded: it gave back all that `orderNo` still counted. The one wording for `refund` and `applyReceipt(s)`.
 */
export function returnUnrecorded(copNo: string | undefined, orderNo: string): ReceiptWarning {
  return {
    code: 'return-unrecorded',
    message: {
      zh: `退货申请 ${copNo ?? '(无 copNo)'} 未在额度台账登记（recordReturn），且未给出金额：已退回订单 ${orderNo} 计入的全部额度，部分退货时多退`,
      en: `The return application ${copNo ?? '(no copNo)'} was never recorded in the ledger (recordReturn) and no amount was given: all that order ${orderNo} still counted was given back, more than a partial return's share`,
    },
  };
}

/** Rows a decision writes, and the result it returns. */
export interface QuotaPlan {
  insert: QuotaEntry[];
  update: QuotaEntry[];
  events: QuotaEvent[];
  /** Return applications to write (recorded, or marked approved). */
  returns?: QuotaReturnApplication[] | undefined;
  result: QuotaResult;
}

function event(e: QuotaEntry, type: QuotaEvent['type'], amount: Decimal, at: Date, key?: string): QuotaEvent {
  return {
    ebpCode: e.ebpCode,
    orderNo: e.orderNo,
    buyerKey: e.buyerKey,
    year: e.year,
    type,
    amount,
    at,
    ...(key !== undefined && { key }),
  };
}

function refused(
  order: QuotaOrderKey,
  reason: QuotaRefusal,
  message: string,
  balance?: QuotaBalance,
  entry?: QuotaEntry,
): QuotaPlan {
  return {
    insert: [],
    update: [],
    events: [],
    result: {
      ok: false,
      ebpCode: order.ebpCode,
      orderNo: order.orderNo,
      reason,
      message,
      remaining: balance?.remaining,
      balance,
      entry,
    },
  };
}

/** The refusal of an operation on an order the ledger does not have. */
export function unknownOrder(order: QuotaOrderKey): QuotaPlan {
  return refused(order, 'unknown-order', `The ledger has no order ${orderLabel(order)}`);
}

/** What {@link planReserve} decides on. */
interface ReserveFacts {
  /** The platform the order's entry is (or is to be) kept under; `existing`'s when there is one. */
  ebpCode: string;
  orderNo: string;
  buyerKey: string;
  year: number;
  amount: Decimal;
  limit: Decimal;
  orderAt: Date;
  now: Date;
  expiresAt?: Date | undefined;
  copNo?: string | undefined;
  invtNo?: string | undefined;
  /** The order's line quantities, when stated (checked by {@link toQuantities}). */
  quantities?: QuotaQuantity[] | undefined;
  /** The order's entry, if any (of any buyer): see {@link entryOfKey}. */
  existing: QuotaEntry | undefined;
  /** Every entry of the buyer-year. */
  entries: readonly QuotaEntry[];
}

/**
 * Decides a reservation. Live reservations past their expiry are written as expired first.
 * The same order with the same buyer, year and amount is a duplicate (nothing changes); with
 * other facts it is misuse (`QUOTA_CONFLICT`). Refused when used + amount > limit. `existing`
 * is the order's entry as the ledger found it (see {@link entryOfKey}); the entry is kept under
 * `f.ebpCode`, which the ledger sets to `existing`'s when there is one.
 */
export function planReserve(f: ReserveFacts): QuotaPlan {
  const { existing, now } = f;
  const key: QuotaOrderKey = { ebpCode: f.ebpCode, orderNo: f.orderNo };
  const name = orderLabel(key);
  if (existing && (existing.buyerKey !== f.buyerKey || existing.year !== f.year || !existing.amount.eq(f.amount))) {
    throw new SandanError(
      'QUOTA_CONFLICT',
      `Order ${name} is already in the ledger with another buyer, year or amount (${existing.amount.toFixed()} in ${existing.year}); an order is reserved once`,
      {
        details: { orderNo: f.orderNo, ebpCode: existing.ebpCode },
      },
    );
  }
  // A retry that states other quantities than the reservation recorded is another order.
  if (
    existing?.quantities !== undefined &&
    f.quantities !== undefined &&
    existing.status !== 'released' &&
    !sameQuantities(existing.quantities, f.quantities)
  ) {
    throw new SandanError(
      'QUOTA_CONFLICT',
      `Order ${name} is already in the ledger with other quantities; an order is reserved once`,
      { details: { orderNo: f.orderNo, ebpCode: existing.ebpCode } },
    );
  }
  const update: QuotaEntry[] = [];
  const events: QuotaEvent[] = [];
  const entries = f.entries.map((e) => {
    if (!isExpired(e, now)) return e;
    const gone: QuotaEntry = { ...e, status: 'released', releaseReason: 'expired', updatedAt: now };
    update.push(gone);
    events.push(event(e, 'expire', e.amount.minus(e.refunded), now));
    return gone;
  });
  const current = existing ? (entries.find((e) => sameOrder(e, existing)) ?? existing) : undefined;
  if (current && current.status !== 'released') {
    const balance = balanceOf(entries, f.year, f.limit, now);
    // A retry that states the quantities a reservation lacked (e.g. one made before quantities
    // were kept) records them; the money stays as it was.
    const stated =
      current.quantities === undefined && f.quantities !== undefined
        ? { ...current, quantities: f.quantities, updatedAt: now }
        : current;
    return {
      insert: [],
      update: stated === current ? update : [...update, stated],
      events,
      result: {
        ok: true,
        ebpCode: current.ebpCode,
        orderNo: f.orderNo,
        duplicate: true,
        entry: stated,
        remaining: balance.remaining,
        balance,
      },
    };
  }
  if (current && current.releaseReason === 'cancelled') {
    const balance = balanceOf(entries, f.year, f.limit, now);
    return {
      ...refused(current, 'released', `Order ${name} was cancelled; it cannot be reserved again`, balance, current),
      update,
      events,
    };
  }
  const before = balanceOf(entries, f.year, f.limit, now, key);
  if (before.used.plus(f.amount).gt(f.limit)) {
    return {
      ...refused(
        key,
        'over-limit',
        `Order ${name} (${f.amount.toFixed()} CNY) would take the buyer past the annual limit of ${f.limit.toFixed()} CNY for ${f.year}: ${before.used.toFixed()} used, ${before.remaining.toFixed()} remaining (customs code 1313)`,
        before,
      ),
      update,
      events,
    };
  }
  const entry: QuotaEntry = {
    ebpCode: f.ebpCode,
    orderNo: f.orderNo,
    buyerKey: f.buyerKey,
    year: f.year,
    amount: f.amount,
    refunded: new Dec(0),
    status: 'reserved',
    orderAt: f.orderAt,
    expiresAt: f.expiresAt,
    updatedAt: now,
    copNo: f.copNo ?? current?.copNo,
    invtNo: f.invtNo ?? current?.invtNo,
    quantities: f.quantities,
  };
  events.push(event(entry, 'reserve', f.amount, now));
  const after = balanceOf([...entries.filter((e) => !sameOrder(e, entry)), entry], f.year, f.limit, now);
  // An expired reservation being reserved again is an update of its row, not a new row.
  return {
    insert: current ? [] : [entry],
    update: current ? [...update.filter((u) => !sameOrder(u, entry)), entry] : update,
    events,
    result: {
      ok: true,
      ebpCode: entry.ebpCode,
      orderNo: f.orderNo,
      duplicate: false,
      entry,
      remaining: after.remaining,
      balance: after,
    },
  };
}

function done(
  entry: QuotaEntry,
  entries: readonly QuotaEntry[],
  limit: Decimal,
  now: Date,
  duplicate: boolean,
  update: QuotaEntry[],
  events: QuotaEvent[],
): QuotaPlan {
  const all = entries.some((e) => sameOrder(e, entry))
    ? entries.map((e) => (sameOrder(e, entry) ? entry : e))
    : [...entries, entry];
  const balance = balanceOf(all, entry.year, limit, now);
  return {
    insert: [],
    update,
    events,
    result: {
      ok: true,
      ebpCode: entry.ebpCode,
      orderNo: entry.orderNo,
      duplicate,
      entry,
      remaining: balance.remaining,
      balance,
    },
  };
}

/**
 * Decides a commit (customs concluded or released the inventory). A live or expired
 * reservation becomes committed: customs has counted it, so it counts whatever the limit says.
 * A cancelled order is refused. A committed one is a duplicate, except that the first
 * `released` stage after a `concluded` one is written down (a commit event of amount 0 keyed
 * `released`): its time, the 放行, starts the return window. `orderEvents` are the order's
 * events, needed only when the entry is already committed.
 */
export function planCommit(
  entry: QuotaEntry,
  entries: readonly QuotaEntry[],
  limit: Decimal,
  now: Date,
  stage: CommitStage = 'released',
  orderEvents: readonly QuotaEvent[] = [],
): QuotaPlan {
  if (entry.status === 'committed') {
    const dated = stage !== 'released' || orderEvents.some((e) => e.type === 'commit' && e.key === 'released');
    if (dated) return done(entry, entries, limit, now, true, [], []);
    return done(entry, entries, limit, now, false, [], [event(entry, 'commit', new Dec(0), now, 'released')]);
  }
  if (entry.status === 'released' && entry.releaseReason === 'cancelled') {
    return refused(
      entry,
      'released',
      `Order ${orderLabel(entry)} was cancelled; it cannot be committed`,
      balanceOf(entries, entry.year, limit, now),
      entry,
    );
  }
  const next: QuotaEntry = {
    ...entry,
    status: 'committed',
    releaseReason: undefined,
    expiresAt: undefined,
    updatedAt: now,
  };
  return done(
    next,
    entries,
    limit,
    now,
    false,
    [next],
    [event(entry, 'commit', entry.amount.minus(entry.refunded), now, stage)],
  );
}

/**
 * Decides a release: the order was cancelled (or its reservation expired). Whatever still
 * counts is given back. A released order is a duplicate. A committed order is customs' count:
 * only a cancel customs approved (CEB624 399) gives it back, so it is released only when the
 * caller says so (`ifCommitted: 'release'`, as the receipts adapter does); a platform's own
 * cancel after release would give back quota customs still counts.
 */
export function planRelease(
  entry: QuotaEntry,
  entries: readonly QuotaEntry[],
  limit: Decimal,
  now: Date,
  reason: 'cancelled' | 'expired' = 'cancelled',
  ifCommitted: 'refuse' | 'release' = 'refuse',
): QuotaPlan {
  if (entry.status === 'released') return done(entry, entries, limit, now, true, [], []);
  if (reason === 'expired' && entry.status !== 'reserved') {
    return refused(
      entry,
      'not-committed',
      `Order ${orderLabel(entry)} is ${entry.status}; only a reservation can expire`,
      balanceOf(entries, entry.year, limit, now),
      entry,
    );
  }
  if (entry.status === 'committed' && ifCommitted !== 'release') {
    return refused(
      entry,
      'committed',
      `Order ${orderLabel(entry)} is committed: customs concluded or released its inventory and counts it. Only a cancel customs approved (CEB624 399) gives it back: release it with ifCommitted: 'release' (--if-committed release on the command line). A return after release is a refund (CEB626)`,
      balanceOf(entries, entry.year, limit, now),
      entry,
    );
  }
  const back = entry.amount.minus(entry.refunded);
  const next: QuotaEntry = {
    ...entry,
    status: 'released',
    releaseReason: isExpired(entry, now) ? 'expired' : reason,
    updatedAt: now,
  };
  return done(
    next,
    entries,
    limit,
    now,
    false,
    [next],
    [event(entry, next.releaseReason === 'expired' ? 'expire' : 'release', back, now)],
  );
}

/** How {@link planRefund} treats the return window. */
interface RefundWindow {
  /** The check of the return against its release's window; undefined: no window is known, nothing is checked. */
  check: ReturnWindowCheck | undefined;
  /** `refuse` (default): a return outside the window gives no quota back; `allow`: apply it anyway. */
  outside: 'refuse' | 'allow';
}

/**
 * The time of an entry's release (放行): its commit event keyed `released` (CEB622 800), else
 * its last commit event (a 399 审结 or 899 结关 when no 800 came, or a commit written before
 * stages were kept), else its last update.
 */
export function releaseTimeOf(entry: QuotaEntry, orderEvents: readonly QuotaEvent[]): Date {
  const released = orderEvents.find((e) => e.type === 'commit' && e.key === 'released');
  if (released) return released.at;
  for (let i = orderEvents.length - 1; i >= 0; i--) if (orderEvents[i]!.type === 'commit') return orderEvents[i]!.at;
  return entry.updatedAt;
}

/** The return application a refund names, among the order's recorded ones. */
interface RefundApplication {
  /** The application's copNo (CEB625/626 copNo). */
  copNo: string;
  /** Every return application recorded for the order. */
  applications: readonly QuotaReturnApplication[];
}

/**
 * Decides a refund (an approved return): `amount` of a committed order stops counting; without an amount, the share
 * of the return application `ret` names when the ledger recorded it (its lines and those of the order's approved
 * returns valued by {@link returnQuotaShare}, less what those gave, at most what still counts), else all of what still
 * counts. A refund with an idempotency key already applied, or of an application already approved, is a duplicate;
 * with another amount than the key's, misuse (`QUOTA_CONFLICT`). A return outside the window of its release is refused
 * (`outside-return-window`) unless `window.outside` is `allow`: customs then neither waives the tax nor adjusts the
 * annual amount (海关总署公告2020年第45号 三).
 */
export function planRefund(
  entry: QuotaEntry,
  entries: readonly QuotaEntry[],
  limit: Decimal,
  now: Date,
  amount: Decimal | undefined,
  key: string | undefined,
  orderEvents: readonly QuotaEvent[],
  window: RefundWindow = { check: undefined, outside: 'refuse' },
  ret?: RefundApplication,
): QuotaPlan {
  const app = ret?.applications.find((a) => a.copNo === ret.copNo);
  const refundBasis: QuotaRefundBasis = amount !== undefined ? 'amount' : app ? 'application' : 'whole';
  const basis = { refundBasis, ...(app !== undefined && { returnApplication: app }) };
  const said = { ...(window.check !== undefined && { returnWindow: window.check }), ...basis };
  const withWindow = (p: QuotaPlan): QuotaPlan => ({ ...p, result: { ...p.result, ...said } });
  // (the refusals that came before the window was looked at say nothing of it, as before)
  const withBasis = (p: QuotaPlan): QuotaPlan => ({ ...p, result: { ...p.result, ...basis } });
  const applied = key === undefined ? undefined : orderEvents.find((e) => e.type === 'refund' && e.key === key);
  if (applied) {
    // A key names one refund: another amount under it is another refund, misuse as for reserve.
    // A retry without an amount (all that counts) repeats whatever the key gave back.
    if (amount !== undefined && !amount.eq(applied.amount))
      throw new SandanError(
        'QUOTA_CONFLICT',
        `The refund keyed ${JSON.stringify(key)} of order ${orderLabel(entry)} was applied with ${applied.amount.toFixed()} CNY, not ${amount.toFixed()}; a key is applied once, for one amount`,
        { details: { orderNo: entry.orderNo, ebpCode: entry.ebpCode, key } },
      );
    return withWindow(done(entry, entries, limit, now, true, [], []));
  }
  // An application approved once gave its share: its 399 and its 800 (whose keys may differ by the invtNo one carries
  // and the other not) refund once. Without the application the second found nothing given back, and gave everything.
  if (app?.refunded !== undefined) return withWindow(done(entry, entries, limit, now, true, [], []));
  if (entry.status !== 'committed') {
    const why = entry.status === 'released' ? 'released' : 'not-committed';
    return withBasis(
      refused(
        entry,
        why,
        // ("released" is the ledger's word for quota given back; customs' release of an inventory is a commit here)
        `Order ${orderLabel(entry)} is ${entry.status}${entry.releaseReason ? ` (${entry.releaseReason})` : ''}; only a committed order (its inventory concluded or released by customs) can be refunded`,
        balanceOf(entries, entry.year, limit, now),
        entry,
      ),
    );
  }
  const left = entry.amount.minus(entry.refunded);
  if (amount === undefined && app === undefined && left.isZero())
    return withWindow(done(entry, entries, limit, now, true, [], []));
  const w = window.check;
  if (w && !w.within && window.outside !== 'allow') {
    const late =
      w.appliedAt.getTime() > w.applyBy.getTime()
        ? `applied for at ${beijingText(w.appliedAt)}, after ${beijingText(w.applyBy)}`
        : `back at ${beijingText(w.arrivedAt!)}, after ${beijingText(w.arriveBy)}`;
    return withWindow(
      refused(
        entry,
        'outside-return-window',
        `The return of order ${orderLabel(entry)} (released ${beijingText(w.releasedAt)}) was ${late}: outside the return window, customs neither waives its tax nor gives its quota back. Apply it anyway only if customs approved it (outsideReturnWindow: 'allow')`,
        balanceOf(entries, entry.year, limit, now),
        entry,
      ),
    );
  }
  let give = amount ?? left;
  if (amount === undefined && app !== undefined) {
    const share = shareOfApplication(entry, app, ret!.applications);
    if (share === undefined)
      return withWindow(
        refused(
          entry,
          'over-refund',
          `The return ${app.copNo} of order ${orderLabel(entry)} and its approved returns take back more of a line than the inventory declared: its share cannot be valued. Refund it with an amount`,
          balanceOf(entries, entry.year, limit, now),
          entry,
        ),
      );
    // (whole: all that still counts, whatever the rounding of the earlier returns: shareOfApplication gives it so)
    give = share.amount;
  }
  if (give.gt(left)) {
    return withBasis(
      refused(
        entry,
        'over-refund',
        `Refund of ${give.toFixed()} CNY for order ${orderLabel(entry)} is more than the ${left.toFixed()} CNY that still counts`,
        balanceOf(entries, entry.year, limit, now),
        entry,
      ),
    );
  }
  const approved = app === undefined ? undefined : { ...app, refunded: give, approvedAt: now, updatedAt: now };
  const returns = approved === undefined ? [] : [approved];
  // (a share of 0: the earlier returns gave it all; the application is approved, the quota does not move)
  const next: QuotaEntry = give.isZero() ? entry : { ...entry, refunded: entry.refunded.plus(give), updatedAt: now };
  const plan = withWindow(
    give.isZero()
      ? done(entry, entries, limit, now, false, [], [])
      : done(next, entries, limit, now, false, [next], [event(entry, 'refund', give, now, key)]),
  );
  return {
    ...plan,
    returns,
    result: { ...plan.result, ...(approved !== undefined && { returnApplication: approved }) },
  };
}

/**
 * What an application gives back when approved: its lines and those of the order's approved applications, valued
 * against its inventory, less what those applications gave, and never more than still counts; undefined when they
 * take back more of a line than declared (customs approved returns the ledger cannot value).
 */
function shareOfApplication(
  entry: QuotaEntry,
  app: QuotaReturnApplication,
  applications: readonly QuotaReturnApplication[],
): ReturnQuotaShare | undefined {
  const earlier = applications.filter((a) => a.copNo !== app.copNo && a.refunded !== undefined);
  // Less what the recorded returns gave, not `entry.refunded`: a refund by amount alone (no application recorded)
  // took back lines the ledger does not know, so subtracting it without its lines gave the next return too little.
  // Such a return is valued by itself instead, capped by what still counts. With every return recorded the two sums
  // are one.
  const given = earlier.reduce((sum, a) => sum.plus(a.refunded!), new Dec(0));
  const left = Dec.max(entry.amount.minus(entry.refunded), 0);
  try {
    const share = returnQuotaShare({
      counted: entry.amount,
      refunded: given,
      inventory: app.inventory,
      returned: [...app.items, ...earlier.flatMap((a) => a.items)],
    });
    return share.whole ? { amount: left, whole: true } : { amount: Dec.min(share.amount, left), whole: false };
  } catch (e) {
    if (e instanceof SandanError && e.code === 'QUOTA_INVALID') return undefined;
    throw e;
  }
}

/** A return application as {@link QuotaLedger.recordReturn} takes it. */
export interface ReturnApplicationInput {
  /** The application's enterprise number (CEB625 copNo, C..20): its CEB626 receipts name it. */
  copNo: string;
  /** The lines returned (CEB625 InvtRefundList): `{ gnum, qty }`. */
  items: readonly { gnum: number | string; qty: Decimal | string | number }[];
  /** The inventory's lines as declared (`declaration.inventory.items`): `{ gnum, qty, totalPrice }`. */
  inventory: readonly {
    gnum: number | string;
    qty: Decimal | string | number;
    totalPrice: Decimal | string | number;
  }[];
  /** When the return was applied for (CEB625 appTime); default: the time of the call. */
  appliedAt?: QuotaInstant | undefined;
}

/** Reads the lines of a return application: each gnum a whole number from 1, its qty above 0; sorted by gnum. */
export function returnLinesOf(input: ReturnApplicationInput): {
  items: QuotaReturnLine[];
  inventory: QuotaInventoryLine[];
} {
  const gnumOf = (v: unknown, what: string): number => {
    const n = typeof v === 'string' && /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)
      throw new SandanError('QUOTA_INVALID', `${what} must be a whole line number from 1, got ${describeInput(v)}`);
    return n;
  };
  const list = (v: unknown, what: string): unknown[] => {
    if (!Array.isArray(v)) throw new SandanError('QUOTA_INVALID', `${what} must be a list, got ${describeInput(v)}`);
    return v;
  };
  const record = (v: unknown, what: string, shape: string): Record<string, unknown> => {
    if (v === null || typeof v !== 'object')
      throw new SandanError('QUOTA_INVALID', `${what} must be ${shape}, got ${describeInput(v)}`);
    return v as Record<string, unknown>;
  };
  const items = list(input.items, 'items').map((x, i) => {
    const l = record(x, `items[${i}]`, '{ gnum, qty }');
    return { gnum: gnumOf(l.gnum, `items[${i}].gnum`), qty: toAmount(l.qty, `items[${i}].qty`) };
  });
  if (items.length === 0) throw new SandanError('QUOTA_INVALID', 'A return application takes back at least one line');
  // (nothing returned of a line is no line of a CEB625: tryInvtRefundOf's return-qty-not-positive)
  for (const [i, l] of items.entries())
    if (l.qty.isZero()) throw new SandanError('QUOTA_INVALID', `items[${i}].qty must be above 0, got 0`);
  const inventory = list(input.inventory, 'inventory').map((x, i) => {
    const l = record(x, `inventory[${i}]`, '{ gnum, qty, totalPrice }');
    return {
      gnum: gnumOf(l.gnum, `inventory[${i}].gnum`),
      qty: toAmount(l.qty, `inventory[${i}].qty`),
      totalPrice: toAmount(l.totalPrice, `inventory[${i}].totalPrice`),
    };
  });
  const byGnum = (a: { gnum: number }, b: { gnum: number }) => a.gnum - b.gnum;
  return { items: items.sort(byGnum), inventory: inventory.sort(byGnum) };
}

/** True when two applications take back the same lines, valued against the same inventory. */
function sameReturn(a: Pick<QuotaReturnApplication, 'items' | 'inventory'>, b: typeof a): boolean {
  const same = <T extends { gnum: number; qty: Decimal; totalPrice?: Decimal }>(x: readonly T[], y: readonly T[]) =>
    x.length === y.length &&
    x.every(
      (l, i) =>
        l.gnum === y[i]!.gnum &&
        l.qty.eq(y[i]!.qty) &&
        (l.totalPrice === undefined || y[i]!.totalPrice === undefined || l.totalPrice.eq(y[i]!.totalPrice!)),
    );
  return same(a.items, b.items) && same(a.inventory, b.inventory);
}

/**
 * Decides the recording of a return application (CEB625 sent): kept under the order and its copNo, so that the CEB626
 * that approves it gives back its share. The same application again is a duplicate; one not yet approved is replaced
 * by another with its copNo (sent again, changed); an approved one with other lines is misuse (`QUOTA_CONFLICT`).
 * Throws `QUOTA_INVALID` when its lines are not the inventory's (a line it has not, more than declared):
 * `tryInvtRefundOf` answers those before the application is sent. With the order's approved returns it may take back
 * more than is left (customs will refuse it): it is kept, without a `returnShare`.
 */
export function planRecordReturn(
  entry: QuotaEntry,
  entries: readonly QuotaEntry[],
  limit: Decimal,
  now: Date,
  application: { copNo: string; items: QuotaReturnLine[]; inventory: QuotaInventoryLine[]; appliedAt: Date },
  applications: readonly QuotaReturnApplication[],
): QuotaPlan {
  const had = applications.find((a) => a.copNo === application.copNo);
  if (had?.refunded !== undefined && !sameReturn(had, application))
    throw new SandanError(
      'QUOTA_CONFLICT',
      `The return application ${application.copNo} of order ${orderLabel(entry)} was approved with other lines; an approved application is not changed`,
      { details: { orderNo: entry.orderNo, ebpCode: entry.ebpCode, copNo: application.copNo } },
    );
  const kept: QuotaReturnApplication =
    had !== undefined && sameReturn(had, application) && had.appliedAt.getTime() === application.appliedAt.getTime()
      ? had
      : had?.refunded !== undefined
        ? had
        : { ebpCode: entry.ebpCode, orderNo: entry.orderNo, ...application, updatedAt: now };
  // Its own lines must be the inventory's (throws QUOTA_INVALID for a line it has not, or more than it declared).
  returnQuotaShare({ counted: entry.amount, inventory: kept.inventory, returned: kept.items });
  const others = applications.filter((a) => a.copNo !== kept.copNo && a.refunded !== undefined);
  // With the approved returns it may take back more than is left: customs refuses such a return (100), so it is kept
  // (its approval never comes) and has no share to show.
  const share =
    kept.refunded !== undefined ? { amount: kept.refunded, whole: false } : shareOfApplication(entry, kept, others);
  const plan = done(entry, entries, limit, now, kept === had, [], []);
  const result = plan.result as Extract<QuotaResult, { ok: true }>;
  return {
    ...plan,
    returns: kept === had ? [] : [kept],
    result: { ...result, returnApplication: kept, ...(share !== undefined && { returnShare: share }) },
  };
}

/**
 * Of the return applications with one copNo, the one a CEB626 is taken to name: of its platform (or of an order with
 * none stated) when the receipt names one; one not yet approved first, then the latest applied.
 */
export function returnOfCopNo(
  found: readonly QuotaReturnApplication[],
  ebpCode: string | undefined,
): QuotaReturnApplication | undefined {
  return found
    .filter((a) => ebpCode === undefined || a.ebpCode === ebpCode || a.ebpCode === '')
    .sort(
      (a, b) =>
        Number(a.refunded !== undefined) - Number(b.refunded !== undefined) ||
        b.appliedAt.getTime() - a.appliedAt.getTime() ||
        compareCodeUnits(b.orderNo, a.orderNo) ||
        compareCodeUnits(b.ebpCode, a.ebpCode),
    )[0];
}

/** An instant as `YYYY-MM-DD HH:mm:ss` Beijing time, for messages. */
function beijingText(at: Date): string {
  return `${beijingXsDateTime(at).replace('T', ' ')} Beijing`;
}
