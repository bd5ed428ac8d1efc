import { z } from 'zod';
import { defineRule } from '../types.js';

/** The inventory fields naming a party that may guarantee the tax. */
const ROLES = ['agentCode', 'ebcCode', 'logisticsCode', 'ebpCode'] as const;

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
    roles: z.array(z.enum(ROLES)).min(1).default(['agentCode', 'ebcCode', 'logisticsCode']),
  }),
  codes: { 'assure-code': { zh: '担保企业不是本清单的当事企业', en: 'assureCode is not a party of this inventory' } },
  messages: {
    'assure-code': {
      zh: '担保企业编号 {assure} 应为 {rolesZh} 之一',
      en: 'inventory.assureCode {assure} must be one of {rolesEn}',
    },
  },
  examples: {
    valid: [{ name: 'the e-commerce enterprise guarantees (the example declaration)' }],
    invalid: [
      {
        name: 'a stranger guarantees',
        set: { 'inventory.assureCode': '1234567890' },
        code: 'assure-code',
        path: 'inventory.assureCode',
      },
    ],
  },
  check(ctx, options) {
    const inv = ctx.doc('inventory');
    const assure = ctx.str(inv, 'assureCode');
    if (assure === undefined) return [];
    if (options.roles.some((r) => ctx.str(inv, r) === assure)) return [];
    return [
      {
        messageId: 'assure-code',
        path: 'inventory.assureCode',
        actual: assure,
        expected: options.roles.join(' | '),
        data: {
          assure,
          rolesZh: options.roles.join('、'),
          rolesEn: options.roles.map((r) => `inventory.${r}`).join(', '),
        },
      },
    ];
  },
});
