import { decEq, show } from '../_lib/compare.js';
import { gnumOf } from '../_lib/lines.js';
import { defineRule, FROM_RECEIPTS, type LineView, type ReportOf } from '../types.js';

const AMOUNTS = ['qty', 'price', 'totalPrice'] as const;

const MESSAGES = {
  '1320': {
    zh: '清单有 {inventoryLines} 项商品，订单有 {orderLines} 项',
    en: 'The inventory has {inventoryLines} lines, the order {orderLines}',
  },
  '1322': {
    zh: '订单中没有商品序号为 {gnum} 的商品',
    en: '{base}.gnum {gnum} has no order line with the same gnum',
  },
  '1322-name': {
    code: '1322',
    zh: '商品序号 {gnum}：清单商品名称“{gname}”与订单商品名称“{itemName}”不一致',
    en: 'gnum {gnum}: inventory gname "{gname}" differs from order itemName "{itemName}"',
  },
  '1322-amount': {
    code: '1322',
    zh: '商品序号 {gnum}：清单 {key} {actual} 与订单 {expected} 不一致',
    en: "gnum {gnum}: inventory {key} {actual} differs from the order's {expected}",
  },
} as const;

/** R9: inventory lines correspond one-to-one with order lines by gnum, with the same goods, quantities and prices. */
export const linesCorrespond = defineRule({
  id: 'lines/correspond',
  description: {
    zh: '清单表体与订单表体按商品序号一一对应，名称、数量、单价、总价一致',
    en: 'Inventory and order lines correspond one-to-one by gnum with the same name, quantity, price and total',
  },
  source: '报文规范 202205: OrderList and InventoryList; receipts [Code:1320], [Code:1322]',
  defaultSeverity: 'error',
  codes: { '1320': FROM_RECEIPTS, '1322': FROM_RECEIPTS },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'the inventory renames line 2',
        set: { 'inventory.items[1].gname': '面霜' },
        code: '1322',
        path: 'inventory.items[1].gname',
      },
    ],
  },
  check(ctx) {
    if (!ctx.doc('inventory')) return [];
    const orderLines = ctx.lines('order');
    const invLines = ctx.lines('inventory');
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    if (orderLines.length !== invLines.length) {
      out.push({
        messageId: '1320',
        path: 'inventory.items',
        expected: String(orderLines.length),
        actual: String(invLines.length),
        data: { inventoryLines: invLines.length, orderLines: orderLines.length },
      });
    }
    const byGnum = new Map<number, LineView<'order'>>();
    for (const { line } of orderLines) {
      const g = gnumOf(ctx, line);
      if (g !== undefined && !byGnum.has(g)) byGnum.set(g, line);
    }
    for (const { index, line } of invLines) {
      const g = gnumOf(ctx, line);
      if (g === undefined) continue;
      const base = `inventory.items[${index}]`;
      const ol = byGnum.get(g);
      if (!ol) {
        out.push({ messageId: '1322', path: `${base}.gnum`, actual: String(g), data: { gnum: g, base } });
        continue;
      }
      const gname = ctx.str(line, 'gname');
      const itemName = ctx.str(ol, 'itemName');
      if (gname !== undefined && itemName !== undefined && gname !== itemName) {
        out.push({
          messageId: '1322-name',
          path: `${base}.gname`,
          expected: itemName,
          actual: gname,
          data: { gnum: g, gname, itemName },
        });
      }
      for (const key of AMOUNTS) {
        const a = ctx.dec(line, key);
        const b = ctx.dec(ol, key);
        if (a && b && !decEq(a, b)) {
          const [actual, expected] = [show(a), show(b)];
          out.push({
            messageId: '1322-amount',
            path: `${base}.${key}`,
            expected,
            actual,
            data: { gnum: g, key, actual, expected },
          });
        }
      }
    }
    return out;
  },
});
