import { weights } from '../../../src/rules/logistics/weights.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(weights, {
  valid: [
    { name: 'gross 2.10 kg, net 1.65 kg' },
    { name: 'gross equal to net', set: { 'inventory.grossWeight': '1.65' } },
  ],
  invalid: [
    {
      name: 'gross 1.00 kg below net 1.65 kg',
      set: { 'inventory.grossWeight': '1.00' },
      errors: [
        {
          code: 'gross-below-net',
          path: 'inventory.grossWeight',
          expected: '≥ 1.65',
          actual: '1',
          data: { gross: '1', net: '1.65' },
          message: { zh: '毛重 1 千克小于净重 1.65 千克', en: 'inventory.grossWeight 1 kg is below netWeight 1.65 kg' },
        },
      ],
    },
    {
      name: 'net weight 0',
      set: { 'inventory.netWeight': '0' },
      errors: [
        {
          code: 'net-weight-zero',
          path: 'inventory.netWeight',
          actual: '0',
          message: { zh: '净重应大于0', en: 'inventory.netWeight must be above 0' },
        },
      ],
    },
  ],
});
