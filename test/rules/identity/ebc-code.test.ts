import { ebcCodeAgrees } from '../../../src/rules/identity/ebc-code.js';
import { mismatch, ruleTester } from '../rule-tester.js';

ruleTester(ebcCodeAgrees, {
  valid: [{ name: 'the example declaration' }, { name: 'no inventory', set: { inventory: null } }],
  invalid: [
    {
      name: 'another e-commerce enterprise on the inventory',
      set: { 'inventory.ebcCode': '3301964J99' },
      errors: [mismatch('ebc-code-mismatch', 'inventory.ebcCode', 'order.ebcCode', '3301964J99', '3301964J31')],
    },
  ],
});
