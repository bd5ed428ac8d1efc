import { z } from 'zod';
import { defineRule, type RuleIssue } from '../types.js';
import { ref, sameString } from './util.js';

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
  check(ctx) {
    const order = ref(ctx, 'order');
    const waybill = ref(ctx, 'logistics');
    return [
      ...['consignee', 'consigneeTelephone', 'consigneeAddress'].flatMap((key) =>
        sameString(ctx, 'consignee-mismatch', order, key, waybill, key),
      ),
      ...sameString(ctx, 'consignee-mismatch', order, 'consigneeAddress', ref(ctx, 'inventory'), 'consigneeAddress'),
    ];
  },
});

/** R7: the buyer on the inventory is the buyer on the order. */
export const buyerAgrees = defineRule({
  id: 'parties/buyer',
  description: {
    zh: '清单与订单的订购人姓名、证件、电话一致',
    en: 'Buyer name, ID and phone agree between order and inventory',
  },
  source: '报文规范 202205: buyer fields of OrderHead and InventoryHead; receipt [Code:13127]',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    '13127': {
      zh: '清单上的订购人姓名与订单上的订购人姓名不一致',
      en: 'The buyer name on the inventory differs from the order',
    },
    'buyer-mismatch': {
      zh: '清单与订单的订购人证件或电话不一致',
      en: 'The buyer ID or phone on the inventory differs from the order',
    },
  },
  check(ctx) {
    const order = ref(ctx, 'order');
    const inventory = ref(ctx, 'inventory');
    const out: RuleIssue[] = sameString(ctx, '13127', order, 'buyerName', inventory, 'buyerName');
    for (const key of ['buyerIdType', 'buyerIdNumber', 'buyerTelephone'])
      out.push(...sameString(ctx, 'buyer-mismatch', order, key, inventory, key));
    return out;
  },
});

/** R14: the guarantor of the tax is one of the parties of this inventory. */
export const assureCodeParty = defineRule({
  id: 'parties/assure-code',
  description: {
    zh: '担保企业为本清单的申报企业、电商企业或物流企业',
    en: 'assureCode is the declaring agent, the e-commerce enterprise or the logistics company of the inventory',
  },
  source: '报文规范 202205: InventoryHead assureCode',
  defaultSeverity: 'error',
  options: z.strictObject({
    // The XSD text names agent, ebc and logistics; some sources add the platform: a setting.
    roles: z
      .array(z.enum(['agentCode', 'ebcCode', 'logisticsCode', 'ebpCode']))
      .min(1)
      .default(['agentCode', 'ebcCode', 'logisticsCode']),
  }),
  codes: { 'assure-code': { zh: '担保企业不是本清单的当事企业', en: 'assureCode is not a party of this inventory' } },
  check(ctx, options) {
    const inv = ctx.doc('inventory');
    const assure = ctx.str(inv, 'assureCode');
    if (assure === undefined) return [];
    const parties = options.roles.map((r) => ctx.str(inv, r)).filter((v): v is string => v !== undefined);
    if (parties.includes(assure)) return [];
    return [
      {
        code: 'assure-code',
        path: 'inventory.assureCode',
        actual: assure,
        expected: options.roles.join(' | '),
        message: {
          zh: `担保企业编号 ${assure} 应为 ${options.roles.join('、')} 之一`,
          en: `inventory.assureCode ${assure} must be one of ${options.roles.map((r) => `inventory.${r}`).join(', ')}`,
        },
      },
    ];
  },
});
