import { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { checkArgument, describeInput, isRecord } from '../model/guards.js';
import { toAmount } from './core.js';

/** A line of the inventory as declared (InventoryList): its number, quantity and line total. */
export interface ReturnShareInventoryLine {
  gnum: number | string;
  qty: Decimal | string | number;
  totalPrice: Decimal | string | number;
}

/** A line returned (InvtRefundList): the inventory line's number and the quantity that came back. */
export interface ReturnShareLine {
  gnum: number | string;
  qty: Decimal | string | number;
}

/** What {@link returnQuotaShare} needs: what the order counted and gave back, and the lines. */
export interface ReturnShareInput {
  /** What the order counts toward the buyer's quota: `entry.amount` of `await ledger.find(order)`. */
  counted: Decimal | string | number;
  /** What its earlier returns gave back: `entry.refunded` (default 0). */
  refunded?: Decimal | string | number | undefined;
  /** The inventory's lines as declared (`declaration.inventory.items`). */
  inventory: readonly ReturnShareInventoryLine[];
  /**
   * Every line returned so far: this return's and those of the inventory's earlier approved returns (their CEB625
   * `items`, one list).
   */
  returned: readonly ReturnShareLine[];
}

/** What a return gives back to the buyer's annual quota. */
export interface ReturnQuotaShare {
  /** The amount to give back now, to the fen: never below 0 (0 when the earlier returns gave it already). */
  amount: Decimal;
  /** The returns take back all the goods declared: the amount is all the order still counts. */
  whole: boolean;
}

/**
 * What an approved return (CEB626 399) gives back to the buyer's annual quota, when the return (CEB625) took back
 * part of the order: a CEB626 names the return, not its value. The policy says a return adjusts the annual total
 * (财关税〔2016〕18号; 海关总署公告2018年第194号) but not how a part is valued; sandan's decision (docs/quota.md):
 * each line returned is worth its `totalPrice` × the quantity returned / the quantity declared; the returns so far
 * are summed, taken as a share of the inventory's goods value (Σ totalPrice), times what the order counted, rounded
 * once to the fen half up, less what the earlier returns gave. So the returns of a whole order give back all it
 * counted, never a fen more or less. The customs emulator gives back the same, and so does the ledger for a return
 * application recorded with `QuotaLedger.recordReturn` when its CEB626 approves it. Without that, set the result's
 * `amount` on the CEB626's `QuotaReceipt` before `applyReceipt` (skip the receipt when it is 0: without an amount it
 * would give back everything). Throws `QUOTA_INVALID` for a line returned the inventory does not have, or a bad amount.
 */
export function returnQuotaShare(input: ReturnShareInput): ReturnQuotaShare {
  checkArgument(input, 'object', 'returnQuotaShare', 'the input', 'QUOTA_INVALID');
  checkArgument(input.inventory, 'list', 'returnQuotaShare', 'inventory', 'QUOTA_INVALID');
  checkArgument(input.returned, 'list', 'returnQuotaShare', 'returned', 'QUOTA_INVALID');
  const counted = toAmount(input.counted, 'counted');
  const refunded = input.refunded === undefined ? new Decimal(0) : toAmount(input.refunded, 'refunded');
  const declared = new Map<number, { qty: Decimal; totalPrice: Decimal }>();
  let total = new Decimal(0);
  for (const [i, l] of input.inventory.entries()) {
    if (!isRecord(l)) throw bad(`inventory[${i}] must be { gnum, qty, totalPrice }, got ${describeInput(l)}`);
    const line = {
      qty: toAmount(l.qty, `inventory[${i}].qty`),
      totalPrice: toAmount(l.totalPrice, `inventory[${i}].totalPrice`),
    };
    // (a gnum twice would let the second overwrite the first while both count in the total)
    if (declared.has(Number(l.gnum))) throw bad(`inventory[${i}].gnum ${describeInput(l.gnum)} is given twice`);
    declared.set(Number(l.gnum), line);
    total = total.plus(line.totalPrice);
  }
  let returned = new Decimal(0);
  /** Quantity returned so far of each line: a line may come back in several returns, never more than declared. */
  const back = new Map<number, Decimal>();
  for (const [i, l] of input.returned.entries()) {
    if (!isRecord(l)) throw bad(`returned[${i}] must be { gnum, qty }, got ${describeInput(l)}`);
    const line = declared.get(Number(l.gnum));
    if (line === undefined)
      throw bad(
        `returned[${i}].gnum ${describeInput(l.gnum)} is no line of the inventory (${[...declared.keys()].join(', ')})`,
      );
    const given = toAmount(l.qty, `returned[${i}].qty`);
    const sum = (back.get(Number(l.gnum)) ?? new Decimal(0)).plus(given);
    if (!line.qty.isZero() && sum.gt(line.qty))
      throw bad(
        `returned[${i}]: line ${describeInput(l.gnum)} comes back ${sum.toFixed()} in all, more than its declared ${line.qty.toFixed()}`,
      );
    back.set(Number(l.gnum), sum);
    // (a line declared with quantity 0 is valued whole)
    const qty = line.qty.isZero() ? new Decimal(1) : line.qty;
    returned = returned.plus(line.totalPrice.times(given).div(qty));
  }
  const left = Decimal.max(counted.minus(refunded), 0);
  if (total.isZero() || returned.gte(total)) return { amount: left, whole: true };
  const share = counted.times(returned).div(total).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).minus(refunded);
  return { amount: Decimal.max(share, 0), whole: false };
}

const bad = (why: string) => new SandanError('QUOTA_INVALID', `returnQuotaShare: ${why}`);
