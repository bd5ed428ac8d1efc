import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { describeInput, isApprovedReturn, isRecord, receiptStatusText } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import {
  inventoryIdOf,
  parseInstant,
  returnUnrecorded,
  toAmount,
  type QuotaResult,
  type ReceiptWarning,
} from './core.js';
import { checkLedger, type QuotaLedger, type RefundOptions } from './ledger.js';

export type { ReceiptWarning } from './core.js';
import type { CommitStage, QuotaOrderKey } from './types.js';

/**
 * Applies customs receipts to the ledger: an inventory concluded, released or closed (CEB622
 * 399, 800, 899) commits its quota, and the 800 dates the release for the return window; an approved cancel (CEB624 399) releases it, an approved return (CEB626 399, or
 * 800 放行) refunds it. The input is structural, so any parser (or a hand-made object) can feed it.
 */

/** The fields of a parsed receipt the ledger needs. */
export interface QuotaReceipt {
  /** CEB622 inventory receipt, CEB624 cancel receipt, CEB626 refund (return) receipt. */
  kind: 'CEB622' | 'CEB624' | 'CEB626';
  /** The order number, when the receipt (or the caller) knows it. */
  orderNo?: string | undefined;
  /**
   * The e-commerce platform's code (CEB ebpCode), when the receipt carries it: with it the order
   * is that platform's (or one recorded without a platform), not another platform's of the same orderNo.
   */
  ebpCode?: string | undefined;
  /** Enterprise number: of the inventory on CEB622; of the cancel or refund application on CEB624/626. */
  copNo?: string | undefined;
  /** The inventory number assigned by customs. */
  invtNo?: string | undefined;
  /** Receipt status, e.g. `800` released, `399` concluded/approved, `100` rejected. */
  returnStatus: string | number;
  /** `yyyyMMddHHmmssSSS`, Beijing time; used as the time of the change. */
  returnTime?: string | undefined;
  /** For CEB626: the refunded amount that counts toward the quota; default: all that still counts. */
  amount?: Decimal | string | number | undefined;
  /**
   * For CEB626: when the return was applied for (the CEB625 appTime), checked against the
   * return window when `outsideReturnWindow` is `refuse`; default: `returnTime`.
   */
  appliedAt?: string | Date | undefined;
  /** For CEB626: when the goods were back in the original site, zone or centre, when known. */
  arrivedAt?: string | Date | undefined;
}

/** Options of {@link applyReceipt} and {@link applyReceipts}. */
export interface ApplyReceiptOptions {
  /**
   * Refunds outside the return window: `allow` (default) or `refuse` (see {@link RefundOptions}).
   * A CEB626 receipt is customs' own approval of the return: customs has checked the window, and
   * the ledger follows its verdict unless the caller asks to audit it with `refuse`.
   */
  outsideReturnWindow?: 'refuse' | 'allow' | undefined;
}

// (any other key is misuse: a misspelt outsideReturnWindow let a refund outside the window through)
const APPLY_RECEIPT_OPTION_NAMES = optionNames<ApplyReceiptOptions>({ outsideReturnWindow: true });

/** What applying one receipt did. */
export interface ReceiptOutcome {
  receipt: QuotaReceipt;
  /** The ledger operation the receipt called for, or `ignore` when its status changes nothing. */
  action: 'commit' | 'release' | 'refund' | 'ignore';
  /** The order the receipt was matched to. */
  orderNo?: string | undefined;
  /** The platform of the order the receipt was matched to, as its entry records it (`''`: not stated). */
  ebpCode?: string | undefined;
  /**
   * `applied`: the ledger changed; `duplicate`: already applied; `refused`: the ledger refused
   * (see `result`); `unmatched`: no order in the ledger has this orderNo, invtNo or copNo;
   * `ignored`: a status that changes no quota (e.g. 120 accepted, 100 rejected).
   */
  status: 'applied' | 'duplicate' | 'refused' | 'unmatched' | 'ignored';
  result?: QuotaResult | undefined;
  /**
   * What the outcome did that the caller may not have meant: `return-unrecorded`, a CEB626 approved a return
   * application the ledger was never told of (`QuotaLedger.recordReturn`) and came without an `amount`, so all the
   * order still counted was given back, also when the return took back part of it.
   */
  warning?: ReceiptWarning | undefined;
}

/** What each CEB622 status that counts the order says of it. */
const STAGES: ReadonlyMap<string, CommitStage> = new Map([
  ['399', 'concluded'],
  ['800', 'released'],
  ['899', 'closed'],
]);

/** The ledger operation a receipt calls for. */
function receiptAction(r: Pick<QuotaReceipt, 'kind' | 'returnStatus'>): ReceiptOutcome['action'] {
  if (!isRecord(r)) throw new SandanError('QUOTA_INVALID', `A receipt is an object, got ${describeInput(r)}`);
  const status = receiptStatusText(r.returnStatus);
  switch (r.kind) {
    case 'CEB622':
      return STAGES.has(status) ? 'commit' : 'ignore';
    case 'CEB624':
      return status === '399' ? 'release' : 'ignore';
    case 'CEB626':
      return isApprovedReturn(status) ? 'refund' : 'ignore';
    default:
      throw new SandanError(
        'QUOTA_INVALID',
        `Unknown receipt kind ${JSON.stringify((r as { kind: unknown }).kind)}; expected CEB622, CEB624 or CEB626`,
      );
  }
}

function outcome(
  receipt: QuotaReceipt,
  action: ReceiptOutcome['action'],
  order: QuotaOrderKey,
  result: QuotaResult,
): ReceiptOutcome {
  return {
    receipt,
    action,
    orderNo: order.orderNo,
    ebpCode: order.ebpCode,
    status: result.ok ? (result.duplicate ? 'duplicate' : 'applied') : 'refused',
    result,
  };
}

/**
 * Applies one receipt. The order is found by orderNo, else invtNo, else copNo; a CEB622
 * that carries an invtNo records it on the order so later cancel and refund receipts (which
 * carry their own copNo) are found by it. Idempotent: the same receipt twice changes nothing
 * the second time (a refund is keyed by its receipt).
 */
export async function applyReceipt(
  ledger: QuotaLedger,
  receipt: QuotaReceipt,
  options?: ApplyReceiptOptions,
): Promise<ReceiptOutcome> {
  checkLedger(ledger, 'applyReceipt');
  const opts = knownOptions(options, 'applyReceipt', APPLY_RECEIPT_OPTION_NAMES, 'QUOTA_INVALID');
  const action = receiptAction(receipt);
  // Checked here, as the receipt's: a number was refused by the link of a CEB622 as `ids.invtNo`, or matched nothing.
  inventoryIdOf(receipt.copNo, 'receipt.copNo');
  inventoryIdOf(receipt.invtNo, 'receipt.invtNo');
  const now =
    receipt.returnTime !== undefined && receipt.returnTime !== ''
      ? parseInstant(receipt.returnTime, 'returnTime')
      : undefined;
  const ebpCode = receipt.ebpCode === '' ? undefined : receipt.ebpCode;
  const entry = await ledger.find({
    orderNo: receipt.orderNo,
    ebpCode,
    invtNo: receipt.invtNo,
    // A cancel or refund receipt's copNo names its application, not the inventory.
    copNo: receipt.kind === 'CEB622' ? receipt.copNo : undefined,
  });
  if (!entry) {
    // A return application the ledger recorded names its order (a CEB626 carries no orderNo, and its invtNo is optional).
    const application =
      receipt.kind === 'CEB626' && receipt.copNo !== undefined
        ? await ledger.findReturn({ copNo: receipt.copNo, ebpCode })
        : undefined;
    if (application) return applyTo(ledger, receipt, action, keyOf(application), now, opts);
    // The application's copNo may have been recorded by the caller on the entry; try it last.
    const byCop =
      receipt.kind !== 'CEB622' && receipt.copNo !== undefined
        ? await ledger.find({ copNo: receipt.copNo, ebpCode })
        : undefined;
    if (!byCop) return { receipt, action, status: action === 'ignore' ? 'ignored' : 'unmatched' };
    return applyTo(ledger, receipt, action, keyOf(byCop), now, opts);
  }
  if (
    receipt.kind === 'CEB622' &&
    ((receipt.invtNo !== undefined && entry.invtNo === undefined) ||
      (receipt.copNo !== undefined && entry.copNo === undefined))
  ) {
    await ledger.link(keyOf(entry), { invtNo: receipt.invtNo, copNo: receipt.copNo });
  }
  return applyTo(ledger, receipt, action, keyOf(entry), now, opts);
}

/** The key of the entry a receipt was matched to: the ledger operations then name exactly that entry. */
const keyOf = (e: QuotaOrderKey): QuotaOrderKey => ({ ebpCode: e.ebpCode, orderNo: e.orderNo });

async function applyTo(
  ledger: QuotaLedger,
  receipt: QuotaReceipt,
  action: ReceiptOutcome['action'],
  order: QuotaOrderKey,
  now: Date | undefined,
  options: ApplyReceiptOptions,
): Promise<ReceiptOutcome> {
  const at = now === undefined ? {} : { now };
  switch (action) {
    case 'ignore':
      return { receipt, action, orderNo: order.orderNo, ebpCode: order.ebpCode, status: 'ignored' };
    case 'commit':
      return outcome(
        receipt,
        action,
        order,
        await ledger.commit(order, { ...at, stage: STAGES.get(receiptStatusText(receipt.returnStatus))! }),
      );
    case 'release':
      return outcome(
        receipt,
        action,
        order,
        await ledger.release(order, { ...at, reason: 'cancelled', ifCommitted: 'release' }),
      );
    case 'refund': {
      const amount = receipt.amount === undefined ? undefined : toAmount(receipt.amount, 'receipt amount');
      // The copNo names the return application (the XSD requires it). Without it a return's 399 and its 800, or a
      // receipt fetched again, were told apart by returnTime and an amount was given back for each. All that still
      // counts is given back once whatever the key; an amount is refused, not guessed to be this return's or another's.
      if (receipt.copNo === undefined && amount !== undefined)
        return outcome(receipt, action, order, {
          ok: false,
          ebpCode: order.ebpCode,
          orderNo: order.orderNo,
          reason: 'return-not-identified',
          message: `The return receipt (CEB626) of order ${order.orderNo} names no copNo, the number of its return application: a refund of ${amount.toFixed()} CNY cannot be told from another return of the order, nor from this return's other receipts (399, 800). Give the receipt its return application's copNo, or refund it with QuotaLedger.refund and a key of the return`,
          remaining: undefined,
        });
      const key = `CEB626:${receipt.copNo ?? ''}:${receipt.invtNo ?? ''}:`;
      const refund: RefundOptions = {
        ...at,
        key,
        ...(receipt.copNo !== undefined && { returnCopNo: receipt.copNo }),
        ...(receipt.appliedAt !== undefined && receipt.appliedAt !== '' && { appliedAt: receipt.appliedAt }),
        ...(receipt.arrivedAt !== undefined && receipt.arrivedAt !== '' && { arrivedAt: receipt.arrivedAt }),
        outsideReturnWindow: options.outsideReturnWindow ?? 'allow',
      };
      const done = outcome(receipt, action, order, await ledger.refund(order, amount, refund));
      if (done.status !== 'applied' || done.result?.ok !== true || done.result.refundBasis !== 'whole') return done;
      // (the ledger warns when the receipt named a copNo; a receipt without one is warned of here, in the same words)
      return { ...done, warning: done.result.warning ?? returnUnrecorded(receipt.copNo, order.orderNo) };
    }
  }
}

/** A receipt's `returnTime` in milliseconds, NaN when it has none (or none that reads). */
function receiptMillis(r: QuotaReceipt): number {
  // (a receipt that is no object, too: applyReceipt refuses it in its turn)
  if (!isRecord(r) || r.returnTime === undefined || r.returnTime === '') return Number.NaN;
  try {
    return parseInstant(r.returnTime, 'returnTime').getTime();
  } catch {
    return Number.NaN; // applyReceipt throws its QUOTA_INVALID when it comes to it
  }
}

/**
 * Applies receipts in the order customs wrote them: by `returnTime`, ties and receipts without
 * one (last) in input order, so that a batch holding a CEB626 approval before the CEB622 release
 * it follows (files read by name, messages fetched out of order) gives the quota back. One
 * outcome per receipt, in input order.
 */
export async function applyReceipts(
  ledger: QuotaLedger,
  receipts: Iterable<QuotaReceipt> | AsyncIterable<QuotaReceipt>,
  options?: ApplyReceiptOptions,
): Promise<ReceiptOutcome[]> {
  checkLedger(ledger, 'applyReceipts');
  const opts = knownOptions(options, 'applyReceipts', APPLY_RECEIPT_OPTION_NAMES, 'QUOTA_INVALID');
  const r = receipts as Partial<Iterable<QuotaReceipt> & AsyncIterable<QuotaReceipt>> | null;
  // (a text, the XML of a receipt file, is iterable too: one receipt per character, read whole before the first was refused)
  if (
    typeof r === 'string' ||
    (typeof r?.[Symbol.iterator] !== 'function' && typeof r?.[Symbol.asyncIterator] !== 'function')
  )
    throw new SandanError(
      'QUOTA_INVALID',
      `applyReceipts takes an iterable of receipts (quotaReceiptsOf(parseCebXml(xml)) reads a receipt message's), got ${describeInput(receipts)}`,
    );
  const all: Array<{ r: QuotaReceipt; i: number; ms: number }> = [];
  for await (const r of receipts) all.push({ r, i: all.length, ms: receiptMillis(r) });
  const timed = all.filter((x) => !Number.isNaN(x.ms)).sort((a, b) => a.ms - b.ms || a.i - b.i);
  const out: ReceiptOutcome[] = new Array<ReceiptOutcome>(all.length);
  for (const x of [...timed, ...all.filter((y) => Number.isNaN(y.ms))])
    out[x.i] = await applyReceipt(ledger, x.r, opts);
  return out;
}
