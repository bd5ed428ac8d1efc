import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/** R8: the inventory names the waybill it ships under. */
export const logisticsAgrees = defineRule({
  id: 'identity/logistics',
  description: {
    zh: '清单与运单的物流企业代码、物流运单编号一致',
    en: 'logisticsCode and logisticsNo agree between waybill and inventory',
  },
  source: '报文规范 202205: logisticsCode, logisticsNo in LogisticsHead and InventoryHead',
  defaultSeverity: 'error',
  codes: {
    'logistics-mismatch': {
      zh: '物流企业或运单编号不一致',
      en: 'logisticsCode or logisticsNo differs between waybill and inventory',
    },
  },
  messages: { 'logistics-mismatch': MISMATCH },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'another waybill number on the inventory',
        set: { 'inventory.logisticsNo': 'ZT0000000000000' },
        code: 'logistics-mismatch',
        path: 'inventory.logisticsNo',
      },
    ],
  },
  check(ctx) {
    const waybill = ref(ctx, 'logistics');
    const inventory = ref(ctx, 'inventory');
    return [
      ...sameString(ctx, 'logistics-mismatch', waybill, 'logisticsCode', inventory, 'logisticsCode'),
      ...sameString(ctx, 'logistics-mismatch', waybill, 'logisticsNo', inventory, 'logisticsNo'),
    ];
  },
});
