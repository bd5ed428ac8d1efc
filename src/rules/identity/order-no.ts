import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/** R1: the order number and platform code join order, payment, waybill and inventory. */
export const orderNoAgrees = defineRule({
  id: 'identity/order-no',
  description: {
    zh: '订单编号、电商平台代码在四单中一致',
    en: 'orderNo and ebpCode agree across order, payment, waybill and inventory',
  },
  source: '报文规范 202205: orderNo in OrderHead, PaymentHead, LogisticsHead and InventoryHead',
  defaultSeverity: 'error',
  codes: {
    'order-no-mismatch': { zh: '订单编号不一致', en: 'orderNo differs between documents' },
    'ebp-code-mismatch': { zh: '电商平台代码不一致', en: 'ebpCode differs between documents' },
  },
  messages: { 'order-no-mismatch': MISMATCH, 'ebp-code-mismatch': MISMATCH },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'the payment names another order',
        set: { 'payment.orderNo': 'OTHER' },
        code: 'order-no-mismatch',
        path: 'payment.orderNo',
      },
    ],
  },
  check(ctx) {
    const order = ref(ctx, 'order');
    const payment = ref(ctx, 'payment');
    const inventory = ref(ctx, 'inventory');
    return [
      ...sameString(ctx, 'order-no-mismatch', order, 'orderNo', payment, 'orderNo'),
      ...sameString(ctx, 'ebp-code-mismatch', order, 'ebpCode', payment, 'ebpCode'),
      ...sameString(ctx, 'order-no-mismatch', order, 'orderNo', ref(ctx, 'logistics'), 'orderNo'),
      ...sameString(ctx, 'order-no-mismatch', order, 'orderNo', inventory, 'orderNo'),
      ...sameString(ctx, 'ebp-code-mismatch', order, 'ebpCode', inventory, 'ebpCode'),
    ];
  },
});
