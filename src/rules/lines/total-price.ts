import { decimalOfText } from '../../model/primitives.js';
import { differsBeyond, show, TOLERANCE_OPTIONS } from '../_lib/compare.js';
import { defineRule, type LinedDocumentName } from '../types.js';

const DOCS: readonly LinedDocumentName[] = ['order', 'inventory'];

/** R5: each line's total is its price times its quantity, exactly. */
export const lineTotalPrice = defineRule({
  id: 'lines/total-price',
  description: { zh: '总价 = 单价 × 数量', en: 'totalPrice = price × qty on every line' },
  source: '报文规范 202205: OrderList/InventoryList totalPrice',
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
        const expected = price.times(qty);
        if (!differsBeyond(expected, total, tol)) return [];
        const path = `${doc}.items[${index}].totalPrice`;
        return [
          {
            messageId: 'total-price' as const,
            path,
            expected: show(expected),
            actual: show(total),
            data: { path, price: show(price), qty: show(qty), expected: show(expected), total: show(total) },
          },
        ];
      }),
    );
  },
});
