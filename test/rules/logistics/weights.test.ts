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
      // The XSD sets no lower bound (N19,5) and no customs receipt refusing 0 is known: a warning, not an error.
      name: 'net weight 0: a warning',
      set: { 'inventory.netWeight': '0' },
      errors: [
        {
          code: 'net-weight-zero',
          path: 'inventory.netWeight',
          severity: 'warning',
          actual: '0',
          message: {
            zh: '净重为0：货物本身应有重量，请核对；报文规范未设下限，海关是否退单未见依据',
            en: 'inventory.netWeight is 0: goods have a weight, check it; the spec sets no lower bound and no customs refusal of it is known',
          },
        },
      ],
    },
    {
      name: 'net weight 0.00000 and gross 0: the warning only (gross equals net)',
      set: { 'inventory.netWeight': '0.00000', 'inventory.grossWeight': '0' },
      errors: [{ code: 'net-weight-zero', path: 'inventory.netWeight', severity: 'warning', actual: '0' }],
    },
  ],
});
