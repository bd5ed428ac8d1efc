import { z } from 'zod';
import { defineRule, type RuleIssue } from '../types.js';
import { ref, sameString } from './util.js';

/** R1: the order number and platform code join order, payment, waybill and inventory. */
export const orderNoAgrees = defineRule({
  id: 'identity/order-no',
  description: {
    zh: '订单编号、电商平台代码在四单中一致',
    en: 'orderNo and ebpCode agree across order, payment, waybill and inventory',
  },
  source: '报文规范 202205: orderNo in OrderHead, PaymentHead, LogisticsHead and InventoryHead',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'order-no-mismatch': { zh: '订单编号不一致', en: 'orderNo differs between documents' },
    'ebp-code-mismatch': { zh: '电商平台代码不一致', en: 'ebpCode differs between documents' },
  },
  check(ctx) {
    const order = ref(ctx, 'order');
    const out: RuleIssue[] = [];
    for (const name of ['payment', 'logistics', 'inventory'] as const) {
      const other = ref(ctx, name);
      out.push(...sameString(ctx, 'order-no-mismatch', order, 'orderNo', other, 'orderNo'));
      if (name !== 'logistics') out.push(...sameString(ctx, 'ebp-code-mismatch', order, 'ebpCode', other, 'ebpCode'));
    }
    return out;
  },
});

/** R2: the e-commerce enterprise of the order is the one on the inventory. */
export const ebcCodeAgrees = defineRule({
  id: 'identity/ebc-code',
  description: { zh: '订单与清单的电商企业代码一致', en: 'ebcCode agrees between order and inventory' },
  source: '报文规范 202205: ebcCode in OrderHead and InventoryHead',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'ebc-code-mismatch': { zh: '电商企业代码不一致', en: 'ebcCode differs between order and inventory' } },
  check: (ctx) => sameString(ctx, 'ebc-code-mismatch', ref(ctx, 'order'), 'ebcCode', ref(ctx, 'inventory'), 'ebcCode'),
});

/** R8: the inventory names the waybill it ships under. */
export const logisticsAgrees = defineRule({
  id: 'identity/logistics',
  description: {
    zh: '清单与运单的物流企业代码、物流运单编号一致',
    en: 'logisticsCode and logisticsNo agree between waybill and inventory',
  },
  source: '报文规范 202205: logisticsCode, logisticsNo in LogisticsHead and InventoryHead',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'logistics-mismatch': {
      zh: '物流企业或运单编号不一致',
      en: 'logisticsCode or logisticsNo differs between waybill and inventory',
    },
  },
  check(ctx) {
    const waybill = ref(ctx, 'logistics');
    const inventory = ref(ctx, 'inventory');
    return ['logisticsCode', 'logisticsNo'].flatMap((key) =>
      sameString(ctx, 'logistics-mismatch', waybill, key, inventory, key),
    );
  },
});
