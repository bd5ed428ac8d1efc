// Orders for the emulator's tests and journeys. It imports neither src/ nor the built package, so that both sides of
// that boundary share it: test/emulator/ tests the source, test/journeys/ the package as a service uses it.
import { example, type Json } from './examples.js';

/**
 * The example declaration (hangzhou-1210: 548.00 of goods, line 1 two cans at 398.00, line 2 one jar at 150.00) as
 * order `no`, with each number that must be unique made from it: copNo `COP<no>`, logisticsNo `ZT<no>`,
 * payTransactionId `PAY<no>`.
 */
export function declaration(no: string): Json {
  const d = example('hangzhou-1210');
  for (const doc of [d.order, d.payment, d.logistics, d.inventory]) doc.orderNo = no;
  d.inventory.copNo = `COP${no}`;
  d.logistics.logisticsNo = d.inventory.logisticsNo = `ZT${no}`;
  d.payment.payTransactionId = d.order.payTransactionId = `PAY${no}`;
  return d;
}

/** What {@link trail} reads of a receipt: the emulator's own list and an HTTP client's have these. */
export interface ReceiptLine {
  type: string;
  returnStatus?: string;
  orderNo?: string;
}

/**
 * `type:status` of each receipt, in order (a tax bill, which has no returnStatus, as its type); of one type when
 * `type` is given, of one order when `orderNo` is.
 */
export function trail(rs: readonly ReceiptLine[], type?: string, orderNo?: string): string[] {
  return rs
    .filter((r) => (type === undefined || r.type === type) && (orderNo === undefined || r.orderNo === orderNo))
    .map((r) => (r.returnStatus === undefined ? r.type : `${r.type}:${r.returnStatus}`));
}
