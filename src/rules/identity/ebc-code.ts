import { MISMATCH, ref, sameString } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/** R2: the e-commerce enterprise of the order is the one on the inventory. */
export const ebcCodeAgrees = defineRule({
  id: 'identity/ebc-code',
  description: { zh: '订单与清单的电商企业代码一致', en: 'ebcCode agrees between order and inventory' },
  source: '报文规范 202205: ebcCode in OrderHead and InventoryHead',
  defaultSeverity: 'error',
  codes: { 'ebc-code-mismatch': { zh: '电商企业代码不一致', en: 'ebcCode differs between order and inventory' } },
  messages: { 'ebc-code-mismatch': MISMATCH },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'another e-commerce enterprise on the inventory',
        set: { 'inventory.ebcCode': '3301964J99' },
        code: 'ebc-code-mismatch',
        path: 'inventory.ebcCode',
      },
    ],
  },
  check: (ctx) => sameString(ctx, 'ebc-code-mismatch', ref(ctx, 'order'), 'ebcCode', ref(ctx, 'inventory'), 'ebcCode'),
});
