import { secondQuantity } from '../../../src/rules/lines/second-quantity.js';
import { ruleTester } from '../rule-tester.js';

const B = 'inventory.items[0]';

ruleTester(secondQuantity, {
  valid: [
    { name: 'neither qty2 nor unit2' },
    { name: 'both, qty2 above 0', set: { [`${B}.qty2`]: '0.8', [`${B}.unit2`]: '035' } },
  ],
  invalid: [
    {
      name: 'unit2 without qty2',
      set: { [`${B}.unit2`]: '007' },
      errors: [
        {
          code: 'qty2-unit2',
          path: `${B}.qty2`,
          data: { base: B },
          message: {
            zh: '已填第二计量单位，第二数量必须大于0',
            en: 'inventory.items[0].unit2 is set, so inventory.items[0].qty2 must be present and above 0',
          },
        },
      ],
    },
    {
      name: 'qty2 of 0',
      set: { [`${B}.unit2`]: '007', [`${B}.qty2`]: '0' },
      errors: [{ code: 'qty2-unit2', path: `${B}.qty2`, data: { base: B } }],
    },
    {
      name: 'qty2 without unit2',
      set: { 'inventory.items[1].qty2': '1' },
      errors: [
        {
          code: 'qty2-unit2',
          messageId: 'unit2-missing',
          path: 'inventory.items[1].unit2',
          data: { base: 'inventory.items[1]' },
          message: {
            zh: '已填第二数量，缺少第二计量单位',
            en: 'inventory.items[1].qty2 is set but inventory.items[1].unit2 is missing',
          },
        },
      ],
    },
  ],
});
