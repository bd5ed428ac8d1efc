import type { Decimal } from 'decimal.js';
import { Dec } from '../../model/primitives.js';
import { decEq, show } from '../_lib/compare.js';
import { defineRule } from '../types.js';

function sum(values: Array<Decimal | undefined>): Decimal | undefined {
  let acc = new Dec(0);
  for (const v of values) {
    if (!v) return undefined;
    acc = acc.plus(v);
  }
  return acc;
}

/** goodsValue is the sum of the order's line totals. */
export const goodsValueSum = defineRule({
  id: 'lines/goods-value',
  description: { zh: '商品价格 = 订单表体总价之和', en: 'goodsValue = the sum of the order lines’ totalPrice' },
  // The spec defines both fields but states no relation between them, and no customs code for a
  // difference is known: a warning, as in the national ruleset (confidence uncertain).
  source:
    '报文规范 202205: OrderHead goodsValue (商品实际成交价，含非现金抵扣金额), OrderList totalPrice (单价乘以数量); no relation between them stated, no customs code known',
  defaultSeverity: 'warning',
  codes: { 'goods-value': { zh: '商品价格不等于表体总价之和', en: 'goodsValue is not the sum of line totals' } },
  messages: {
    'goods-value': {
      zh: '商品价格应为表体总价之和 {expected}，实际为 {actual}',
      en: "order.goodsValue should be the sum of the lines' totalPrice, {expected}, got {actual}",
    },
  },
  examples: {
    valid: [{ name: '398.00 + 150.00 = 548.00 (the example declaration)' }],
    invalid: [
      {
        name: 'goodsValue 549.00',
        set: { 'order.goodsValue': '549.00' },
        code: 'goods-value',
        path: 'order.goodsValue',
      },
    ],
  },
  check(ctx) {
    const goods = ctx.dec(ctx.doc('order'), 'goodsValue');
    const lines = ctx.lines('order');
    const total = sum(lines.map(({ line }) => ctx.dec(line, 'totalPrice')));
    if (!goods || !total || lines.length === 0 || decEq(goods, total)) return [];
    const [expected, actual] = [show(total), show(goods)];
    return [{ messageId: 'goods-value', path: 'order.goodsValue', expected, actual, data: { expected, actual } }];
  },
});
