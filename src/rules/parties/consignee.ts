import { z } from 'zod';
import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/** R6: the consignee on the order is the consignee on the waybill (and the inventory's address). */
export const consigneeAgrees = defineRule({
  id: 'parties/consignee',
  description: {
    zh: '订单与运单的收货人姓名、电话、地址一致；清单收货地址一致',
    en: 'Consignee name, phone and address agree between order and waybill; the inventory address agrees',
  },
  source: '报文规范 202205: consignee fields of OrderHead and LogisticsHead',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'consignee-mismatch': { zh: '收货人信息不一致', en: 'Consignee details differ between documents' } },
  messages: { 'consignee-mismatch': MISMATCH },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'another phone number on the waybill',
        set: { 'logistics.consigneeTelephone': '13800000001' },
        code: 'consignee-mismatch',
        path: 'logistics.consigneeTelephone',
      },
    ],
  },
  check(ctx) {
    const order = ref(ctx, 'order');
    const waybill = ref(ctx, 'logistics');
    const id = 'consignee-mismatch';
    return [
      ...sameString(ctx, id, order, 'consignee', waybill, 'consignee'),
      ...sameString(ctx, id, order, 'consigneeTelephone', waybill, 'consigneeTelephone'),
      ...sameString(ctx, id, order, 'consigneeAddress', waybill, 'consigneeAddress'),
      ...sameString(ctx, id, order, 'consigneeAddress', ref(ctx, 'inventory'), 'consigneeAddress'),
    ];
  },
});
