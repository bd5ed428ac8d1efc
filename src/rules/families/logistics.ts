import { z } from 'zod';
import { defineRule, type RuleIssue } from '../types.js';
import { show } from './util.js';

/** R10: gross weight includes the packing, so it is never below the net weight. */
export const weights = defineRule({
  id: 'logistics/weights',
  description: { zh: '毛重不小于净重，净重大于0', en: 'grossWeight ≥ netWeight > 0' },
  source: '报文规范 202205: InventoryHead/LogisticsHead grossWeight, netWeight',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'gross-below-net': { zh: '毛重小于净重', en: 'Gross weight is below net weight' },
    'net-weight-zero': { zh: '净重应大于0', en: 'Net weight must be above 0' },
  },
  check(ctx) {
    const inv = ctx.doc('inventory');
    const gross = ctx.dec(inv, 'grossWeight');
    const net = ctx.dec(inv, 'netWeight');
    const out: RuleIssue[] = [];
    if (gross && net && gross.lt(net)) {
      out.push({
        code: 'gross-below-net',
        path: 'inventory.grossWeight',
        expected: `≥ ${show(net)}`,
        actual: show(gross),
        message: {
          zh: `毛重 ${show(gross)} 千克小于净重 ${show(net)} 千克`,
          en: `inventory.grossWeight ${show(gross)} kg is below netWeight ${show(net)} kg`,
        },
      });
    }
    if (net?.isZero()) {
      out.push({
        code: 'net-weight-zero',
        path: 'inventory.netWeight',
        actual: '0',
        message: { zh: '净重应大于0', en: 'inventory.netWeight must be above 0' },
      });
    }
    return out;
  },
});

/** R10: one package per waybill and inventory. */
export const packNo = defineRule({
  id: 'logistics/pack-no',
  description: { zh: '运单与清单件数为1', en: 'packNo is 1 on the waybill and the inventory' },
  source: '报文规范 202205: packNo',
  defaultSeverity: 'error',
  options: z.strictObject({ expected: z.number().int().positive().default(1) }),
  codes: { 'pack-no': { zh: '件数应为1', en: 'packNo must be 1' } },
  check(ctx, options) {
    const out: RuleIssue[] = [];
    for (const doc of ['logistics', 'inventory'] as const) {
      const v = ctx.str(ctx.doc(doc), 'packNo');
      if (v !== undefined && /^\d+$/.test(v) && Number(v) !== options.expected) {
        out.push({
          code: 'pack-no',
          path: `${doc}.packNo`,
          expected: String(options.expected),
          actual: v,
          message: {
            zh: `件数应为 ${options.expected}，实际为 ${v}`,
            en: `${doc}.packNo must be ${options.expected}, got ${v}`,
          },
        });
      }
    }
    return out;
  },
});

/** R10: freight and insurance on the inventory are what was charged (order and waybill). */
export const freightAgrees = defineRule({
  id: 'logistics/freight',
  description: {
    zh: '清单运杂费与订单、运单一致；清单保价费与运单一致',
    en: 'Inventory freight agrees with the order and the waybill; insuredFee with the waybill',
  },
  // Sources differ on whether customs compares these; the national ruleset makes it a warning.
  source:
    '报文规范 202205: OrderHead, LogisticsHead and InventoryHead freight (whether customs compares them is not published)',
  defaultSeverity: 'warning',
  options: z.strictObject({}),
  codes: {
    'freight-mismatch': { zh: '运杂费不一致', en: 'Freight differs between documents' },
    'insured-fee-mismatch': { zh: '保价费不一致', en: 'Insured fee differs between documents' },
  },
  check(ctx) {
    const inv = ctx.doc('inventory');
    if (!inv) return [];
    const out: RuleIssue[] = [];
    const compare = (code: string, key: string, otherDoc: 'order' | 'logistics') => {
      const a = ctx.dec(inv, key);
      const b = ctx.dec(ctx.doc(otherDoc), key);
      if (a && b && !a.eq(b)) {
        out.push({
          code,
          path: `inventory.${key}`,
          expected: show(b),
          actual: show(a),
          message: {
            zh: `清单 ${key} ${show(a)} 与${otherDoc === 'order' ? '订单' : '运单'} ${show(b)} 不一致`,
            en: `inventory.${key} ${show(a)} differs from ${otherDoc}.${key} ${show(b)}`,
          },
        });
      }
    };
    compare('freight-mismatch', 'freight', 'order');
    compare('freight-mismatch', 'freight', 'logistics');
    compare('insured-fee-mismatch', 'insuredFee', 'logistics');
    return out;
  },
});
