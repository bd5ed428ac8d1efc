import { show } from '../_lib/compare.js';
import { defineRule } from '../types.js';

/**
 * R10: gross weight includes the packing, so it is never below the net weight. A net weight of 0 only warns: the XSD
 * (N19,5, 货物本身的实际重量) sets no lower bound and no customs receipt refusing it is known.
 */
export const weights = defineRule({
  id: 'logistics/weights',
  description: {
    zh: '毛重不小于净重；净重为0仅警告',
    en: 'grossWeight ≥ netWeight; a netWeight of 0 warns',
  },
  source:
    '报文规范 202205: InventoryHead grossWeight (货物及其包装材料的重量之和), netWeight (货物本身的实际重量), both xs:decimal N19,5 with no lower bound; no customs code known for either check',
  defaultSeverity: 'error',
  codes: {
    'gross-below-net': { zh: '毛重小于净重', en: 'Gross weight is below net weight' },
    'net-weight-zero': { zh: '净重为0（仅警告）', en: 'Net weight is 0 (a warning)' },
  },
  messages: {
    'gross-below-net': {
      zh: '毛重 {gross} 千克小于净重 {net} 千克',
      en: 'inventory.grossWeight {gross} kg is below netWeight {net} kg',
    },
    'net-weight-zero': {
      zh: '净重为0：货物本身应有重量，请核对；报文规范未设下限，海关是否退单未见依据',
      en: 'inventory.netWeight is 0: goods have a weight, check it; the spec sets no lower bound and no customs refusal of it is known',
    },
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
      ...(net?.isZero()
        ? [
            {
              messageId: 'net-weight-zero' as const,
              path: 'inventory.netWeight',
              actual: '0',
              severity: 'warning' as const,
            },
          ]
        : []),
    ];
  },
});
