import { packNo } from '../../../src/rules/logistics/pack-no.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(packNo, {
  valid: [
    { name: 'one package on the waybill and the inventory' },
    { name: 'a count that is no number is the schema’s business', set: { 'logistics.packNo': 'x' } },
    {
      name: 'two packages where the ruleset expects two',
      set: { 'logistics.packNo': 2, 'inventory.packNo': '2' },
      ruleOptions: { expected: 2 },
    },
  ],
  invalid: [
    {
      name: 'two packages on the waybill',
      set: { 'logistics.packNo': 2 },
      errors: [
        {
          code: 'pack-no',
          path: 'logistics.packNo',
          expected: '1',
          actual: '2',
          data: { doc: 'logistics', expected: '1', actual: '2' },
          message: { zh: '件数应为 1，实际为 2', en: 'logistics.packNo must be 1, got 2' },
        },
      ],
    },
    {
      name: 'zero packages on both',
      set: { 'logistics.packNo': 0, 'inventory.packNo': '0' },
      errors: [
        { code: 'pack-no', path: 'logistics.packNo', data: { doc: 'logistics', expected: '1', actual: '0' } },
        { code: 'pack-no', path: 'inventory.packNo', data: { doc: 'inventory', expected: '1', actual: '0' } },
      ],
    },
  ],
});
