import { z } from 'zod';
import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/**
 * R6: the consignee on the order is the consignee on the waybill (OrderHead consignee, consigneeTelephone,
 * consigneeAddress: "必须与电子运单的…一致"). The inventory's consigneeAddress is only "收件地址" in the XSD: no
 * document or receipt code says customs compares it with the order, so a difference there is a warning (an unverified
 * fact never fails a declaration), and a setting turns the comparison off.
 */
export const consigneeAgrees = defineRule({
  id: 'parties/consignee',
  description: {
    zh: '订单与运单的收货人姓名、电话、地址一致；清单收货地址一致（不一致仅警告）',
    en: 'Consignee name, phone and address agree between order and waybill; the inventory address agrees (a warning)',
  },
  source:
    '报文规范 202205 (海关总署), 附件2 进口业务节点报文定义 XSD: OrderHead consignee, consigneeTelephone, consigneeAddress "必须与电子运单的收货人…一致"; InventoryHead consigneeAddress "收件地址" (no comparison stated)',
  defaultSeverity: 'error',
  options: z.strictObject({
    /** Also compare InventoryHead.consigneeAddress with the order's, as a warning (the XSD does not say customs does). */
    inventoryAddress: z.boolean().default(true),
  }),
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
  check(ctx, options) {
    const order = ref(ctx, 'order');
    const waybill = ref(ctx, 'logistics');
    const id = 'consignee-mismatch';
    return [
      ...sameString(ctx, id, order, 'consignee', waybill, 'consignee'),
      ...sameString(ctx, id, order, 'consigneeTelephone', waybill, 'consigneeTelephone'),
      ...sameString(ctx, id, order, 'consigneeAddress', waybill, 'consigneeAddress'),
      ...(options.inventoryAddress
        ? sameString(ctx, id, order, 'consigneeAddress', ref(ctx, 'inventory'), 'consigneeAddress').map((r) => ({
            ...r,
            severity: 'warning' as const,
          }))
        : []),
    ];
  },
});
