import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { Dec, decimalOfText } from '../../model/primitives.js';
import { defineRule, type Rec, type RuleContext, type RuleIssue } from '../types.js';
import { decEq, differsBeyond, show } from './util.js';

const DOCS = ['order', 'inventory'] as const;
const AMOUNTS = ['qty', 'price', 'totalPrice'] as const;

function gnumOf(ctx: RuleContext, line: Rec): number | undefined {
  const v = ctx.str(line, 'gnum');
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** gnum numbers lines from 1 without gaps or repeats (E-Port -621027). */
export const gnumSequence = defineRule({
  id: 'lines/gnum',
  description: { zh: '商品序号从1开始连续且不重复', en: 'Line numbers (gnum) run from 1 without gaps or repeats' },
  source: '报文规范 202205: OrderList/InventoryList gnum; E-Port -621027',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '-621027': { zh: '表体 gnum 重复', en: 'A gnum appears twice' },
    'gnum-sequence': { zh: '商品序号应从1开始连续编号', en: 'gnum must be 1, 2, 3, … in order' },
  },
  check(ctx) {
    const out: RuleIssue[] = [];
    for (const doc of DOCS) {
      const seen = new Set<number>();
      for (const { index, line } of ctx.lines(doc)) {
        const g = gnumOf(ctx, line);
        if (g === undefined) continue;
        const path = `${doc}.items[${index}].gnum`;
        if (seen.has(g)) {
          out.push({
            code: '-621027',
            path,
            actual: String(g),
            message: { zh: `商品序号 ${g} 重复（${path}）`, en: `${path}: gnum ${g} appears more than once` },
          });
        } else if (g !== index + 1) {
          out.push({
            code: 'gnum-sequence',
            path,
            expected: String(index + 1),
            actual: String(g),
            message: {
              zh: `第 ${index + 1} 项的商品序号应为 ${index + 1}，实际为 ${g}`,
              en: `${path} must be ${index + 1} (lines are numbered 1, 2, 3, … in order), got ${g}`,
            },
          });
        }
        seen.add(g);
      }
    }
    return out;
  },
});

/** R9: inventory lines correspond one-to-one with order lines by gnum, with the same goods, quantities and prices. */
export const linesCorrespond = defineRule({
  id: 'lines/correspond',
  description: {
    zh: '清单表体与订单表体按商品序号一一对应，名称、数量、单价、总价一致',
    en: 'Inventory and order lines correspond one-to-one by gnum with the same name, quantity, price and total',
  },
  source: '报文规范 202205: OrderList and InventoryList; receipts [Code:1320], [Code:1322]',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '1320': {
      zh: '清单表体商品项与订单表体商品项的项数不一致',
      en: 'The inventory and the order have different numbers of lines',
    },
    '1322': { zh: '订单清单表体商品项不一致', en: 'An inventory line differs from the order line with the same gnum' },
  },
  check(ctx) {
    if (!ctx.doc('inventory')) return [];
    const orderLines = ctx.lines('order');
    const invLines = ctx.lines('inventory');
    const out: RuleIssue[] = [];
    if (orderLines.length !== invLines.length) {
      out.push({
        code: '1320',
        path: 'inventory.items',
        expected: String(orderLines.length),
        actual: String(invLines.length),
        message: {
          zh: `清单有 ${invLines.length} 项商品，订单有 ${orderLines.length} 项`,
          en: `The inventory has ${invLines.length} lines, the order ${orderLines.length}`,
        },
      });
    }
    const byGnum = new Map<number, Rec>();
    for (const { line } of orderLines) {
      const g = gnumOf(ctx, line);
      if (g !== undefined && !byGnum.has(g)) byGnum.set(g, line);
    }
    for (const { index, line } of invLines) {
      const g = gnumOf(ctx, line);
      if (g === undefined) continue;
      const ol = byGnum.get(g);
      if (!ol) {
        const base = `inventory.items[${index}]`;
        out.push({
          code: '1322',
          path: `${base}.gnum`,
          actual: String(g),
          message: {
            zh: `订单中没有商品序号为 ${g} 的商品`,
            en: `${base}.gnum ${g} has no order line with the same gnum`,
          },
        });
        continue;
      }
      const a = ctx.str(line, 'gname');
      const b = ctx.str(ol, 'itemName');
      if (a !== undefined && b !== undefined && a !== b) {
        out.push({
          code: '1322',
          path: `inventory.items[${index}].gname`,
          expected: b,
          actual: a,
          message: {
            zh: `商品序号 ${g}：清单商品名称“${a}”与订单商品名称“${b}”不一致`,
            en: `gnum ${g}: inventory gname "${a}" differs from order itemName "${b}"`,
          },
        });
      }
      for (const key of AMOUNTS) {
        const a = ctx.dec(line, key);
        const b = ctx.dec(ol, key);
        if (a && b && !decEq(a, b)) {
          out.push({
            code: '1322',
            path: `inventory.items[${index}].${key}`,
            expected: show(b),
            actual: show(a),
            message: {
              zh: `商品序号 ${g}：清单 ${key} ${show(a)} 与订单 ${show(b)} 不一致`,
              en: `gnum ${g}: inventory ${key} ${show(a)} differs from the order's ${show(b)}`,
            },
          });
        }
      }
    }
    return out;
  },
});

/** R5: each line's total is its price times its quantity, exactly. */
export const lineTotalPrice = defineRule({
  id: 'lines/total-price',
  description: { zh: '总价 = 单价 × 数量', en: 'totalPrice = price × qty on every line' },
  source: '报文规范 202205: OrderList/InventoryList totalPrice',
  defaultSeverity: 'error',
  options: z.strictObject({
    tolerance: z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .default('0'),
  }),
  codes: { 'total-price': { zh: '总价不等于单价乘以数量', en: 'totalPrice is not price × qty' } },
  check(ctx, options) {
    const tol = decimalOfText(options.tolerance);
    const out: RuleIssue[] = [];
    for (const doc of DOCS) {
      for (const { index, line } of ctx.lines(doc)) {
        const price = ctx.dec(line, 'price');
        const qty = ctx.dec(line, 'qty');
        const total = ctx.dec(line, 'totalPrice');
        if (!price || !qty || !total) continue;
        const expected = price.times(qty);
        if (differsBeyond(expected, total, tol)) {
          const path = `${doc}.items[${index}].totalPrice`;
          out.push({
            code: 'total-price',
            path,
            expected: show(expected),
            actual: show(total),
            message: {
              zh: `${path} 应为 ${show(price)} × ${show(qty)} = ${show(expected)}，实际为 ${show(total)}`,
              en: `${path} must be price × qty = ${show(price)} × ${show(qty)} = ${show(expected)}, got ${show(total)}`,
            },
          });
        }
      }
    }
    return out;
  },
});

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
  source: '报文规范 202205: OrderHead goodsValue, InventoryList totalPrice',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'goods-value': { zh: '商品价格不等于表体总价之和', en: 'goodsValue is not the sum of line totals' } },
  check(ctx) {
    const goods = ctx.dec(ctx.doc('order'), 'goodsValue');
    const lines = ctx.lines('order');
    const total = sum(lines.map(({ line }) => ctx.dec(line, 'totalPrice')));
    if (!goods || !total || lines.length === 0 || decEq(goods, total)) return [];
    return [
      {
        code: 'goods-value',
        path: 'order.goodsValue',
        expected: show(total),
        actual: show(goods),
        message: {
          zh: `商品价格应为表体总价之和 ${show(total)}，实际为 ${show(goods)}`,
          en: `order.goodsValue must be the sum of the lines' totalPrice, ${show(total)}, got ${show(goods)}`,
        },
      },
    ];
  },
});

/** R15 (in part): qty2 and unit2 come together, and qty2 is positive. */
export const secondQuantity = defineRule({
  id: 'lines/second-quantity',
  description: {
    zh: '第二数量与第二计量单位同时填写或同时为空，第二数量大于0',
    en: 'qty2 and unit2 are both present (qty2 > 0) or both absent',
  },
  source: '报文规范 202205: InventoryList qty2/unit2; E-Port -625009',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'qty2-unit2': { zh: '第二数量与第二计量单位不匹配', en: 'qty2 and unit2 do not go together' } },
  check(ctx) {
    const out: RuleIssue[] = [];
    for (const { index, line } of ctx.lines('inventory')) {
      const hasUnit2 = line.unit2 !== undefined;
      const qty2 = ctx.dec(line, 'qty2');
      const base = `inventory.items[${index}]`;
      if (hasUnit2 && (line.qty2 === undefined || (qty2 && !qty2.gt(0)))) {
        out.push({
          code: 'qty2-unit2',
          path: `${base}.qty2`,
          message: {
            zh: `已填第二计量单位，第二数量必须大于0`,
            en: `${base}.unit2 is set, so ${base}.qty2 must be present and above 0`,
          },
        });
      } else if (!hasUnit2 && line.qty2 !== undefined) {
        out.push({
          code: 'qty2-unit2',
          path: `${base}.unit2`,
          message: { zh: `已填第二数量，缺少第二计量单位`, en: `${base}.qty2 is set but ${base}.unit2 is missing` },
        });
      }
    }
    return out;
  },
});
