import { Dec, decimalOfText } from '../../model/primitives.js';
import { differsBeyond, show, TOLERANCE_OPTIONS } from '../_lib/compare.js';
import { defineRule, type LinedDocumentName } from '../types.js';

const DOCS: readonly LinedDocumentName[] = ['order', 'inventory'];

/** totalPrice has 5 decimal places (XSD N19,5): the product is written to them. */
const PLACES = 5;
/** One unit in the last place totalPrice can write. */
const STEP = decimalOfText('0.00001');

/**
 * R5: each line's total is its price times its quantity, exactly when the product fits totalPrice's 5 decimal places;
 * otherwise the product rounded to 5 places, either way. The spec names no rounding (half-up is usual, GB/T 8170 rounds
 * half to even, some systems truncate), so a total one of them gives is not refused; any other total is.
 */
export const lineTotalPrice = defineRule({
  id: 'lines/total-price',
  description: {
    zh: '总价 = 单价 × 数量（乘积超过5位小数时，按5位小数舍入，进位或舍去均可）',
    en: 'totalPrice = price × qty on every line (a product with more than 5 decimal places rounded to 5, up or down)',
  },
  source:
    '报文规范 202205: OrderList/InventoryList totalPrice (商品总价，等于单价乘以数量; xs:decimal fractionDigits 5); no rounding rule stated',
  defaultSeverity: 'error',
  options: TOLERANCE_OPTIONS,
  codes: { 'total-price': { zh: '总价不等于单价乘以数量', en: 'totalPrice is not price × qty' } },
  messages: {
    'total-price': {
      zh: '{path} 应为 {price} × {qty} = {expected}，实际为 {total}',
      en: '{path} must be price × qty = {price} × {qty} = {expected}, got {total}',
    },
  },
  examples: {
    valid: [{ name: '199.00 × 2 = 398.00 (the example declaration)' }],
    invalid: [
      {
        name: '199.00 × 2 written as 399.00',
        set: { 'order.items[0].totalPrice': '399.00' },
        code: 'total-price',
        path: 'order.items[0].totalPrice',
      },
    ],
  },
  check(ctx, options) {
    const tol = decimalOfText(options.tolerance);
    return DOCS.flatMap((doc) =>
      ctx.lines(doc).flatMap(({ index, line }) => {
        const price = ctx.dec(line, 'price');
        const qty = ctx.dec(line, 'qty');
        const total = ctx.dec(line, 'totalPrice');
        if (!price || !qty || !total) return [];
        const product = price.times(qty);
        if (!differsBeyond(product, total, tol)) return [];
        const fits = product.decimalPlaces() <= PLACES;
        // Within one unit of the 5th place of a longer product: the product rounded up or down.
        if (!fits && product.minus(total).abs().lt(STEP)) return [];
        const path = `${doc}.items[${index}].totalPrice`;
        const expected = fits
          ? show(product)
          : `${show(product)} (${show(product.toDecimalPlaces(PLACES, Dec.ROUND_DOWN))} / ${show(product.toDecimalPlaces(PLACES, Dec.ROUND_UP))})`;
        return [
          {
            messageId: 'total-price' as const,
            path,
            expected,
            actual: show(total),
            data: { path, price: show(price), qty: show(qty), expected, total: show(total) },
          },
        ];
      }),
    );
  },
});
