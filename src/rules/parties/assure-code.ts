import { z } from 'zod';
import { defineRule } from '../types.js';

/** The inventory fields naming a party that may guarantee the tax. */
const ROLES = ['agentCode', 'ebcCode', 'logisticsCode', 'ebpCode'] as const;

/** R14: the guarantor of the tax is one of the parties of this inventory. */
export const assureCodeParty = defineRule({
  id: 'parties/assure-code',
  description: {
    zh: '担保企业为本清单的申报企业、电商企业、物流企业或电商平台',
    en: 'assureCode is the declaring agent, the e-commerce enterprise, the logistics company or the platform of the inventory',
  },
  source: '报文规范 202205: 表3-31 and XSD InventoryHead assureCode; 财关税〔2016〕18号 一; 关税法 第三条',
  defaultSeverity: 'error',
  options: z.strictObject({
    // The spec's table names platform, ebc and logistics, its XSD agent, ebc and logistics; the tax texts name the
    // platform, logistics and the declaring (or broker) enterprise as withholding agents: all four by default.
    roles: z.array(z.enum(ROLES)).min(1).default(['agentCode', 'ebcCode', 'logisticsCode', 'ebpCode']),
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
