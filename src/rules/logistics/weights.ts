import { z } from 'zod';
import { show } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/** R10: gross weight includes the packing, so it is never below the net weight. */
export const weights = defineRule({
  id: 'logistics/weights',
  description: { zh: '毛重不小于净重，净重大于0', en: 'grossWeight ≥ netWeight > 0' },
  source: '报文规范 202205: InventoryHead grossWeight, netWeight',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'gross-below-net': { zh: '毛重小于净重', en: 'Gross weight is below net weight' },
    'net-weight-zero': { zh: '净重应大于0', en: 'Net weight must be above 0' },
  },
  messages: {
    'gross-below-net': {
      zh: '毛重 {gross} 千克小于净重 {net} 千克',
      en: 'inventory.grossWeight {gross} kg is below netWeight {net} kg',
    },
    'net-weight-zero': { zh: '净重应大于0', en: 'inventory.netWeight must be above 0' },
  },
  examples: {
    valid: [{ name: 'gross 2.10 kg, net 1.65 kg (the example declaration)' }],
    invalid: [
      {
        name: 'gross 1.00 kg, net 1.65 kg',
        set: { 'inventory.grossWeight': '1.00' },
        code: 'gross-below-net',
        path: 'inventory.grossWeight',
      },
    ],
  },
  check(ctx) {
    const inv = ctx.doc('inventory');
    const gross = ctx.dec(inv, 'grossWeight');
    const net = ctx.dec(inv, 'netWeight');
    return [
      ...(gross && net && gross.lt(net)
        ? [
            {
              messageId: 'gross-below-net' as const,
              path: 'inventory.grossWeight',
              expected: `≥ ${show(net)}`,
              actual: show(gross),
              data: { gross: show(gross), net: show(net) },
            },
          ]
        : []),
      ...(net?.isZero() ? [{ messageId: 'net-weight-zero' as const, path: 'inventory.netWeight', actual: '0' }] : []),
    ];
  },
});
