import { buyerAgrees } from '../../../src/rules/parties/buyer.js';
import { mismatch, ruleTester } from '../rule-tester.js';

ruleTester(buyerAgrees, {
  valid: [
    { name: 'the example declaration' },
    { name: 'no inventory', set: { inventory: null } },
    {
      // One buyer as the quota ledger keys one (normaliseIdNumber); identity/id-number warns about the x.
      name: 'the same ID number with X on the order and x on the inventory',
      set: { 'order.buyerIdNumber': '11010519491231002X', 'inventory.buyerIdNumber': '11010519491231002x' },
    },
  ],
  invalid: [
    {
      name: 'another buyer name on the inventory',
      set: { 'inventory.buyerName': '张三丰' },
      errors: [mismatch('13127', 'inventory.buyerName', 'order.buyerName', '张三丰', '张三')],
    },
    {
      name: 'ID type, number and phone differ',
      set: { 'inventory.buyerIdType': '2', 'inventory.buyerIdNumber': 'X1', 'inventory.buyerTelephone': '13800000009' },
      errors: [
        mismatch('buyer-mismatch', 'inventory.buyerIdType', 'order.buyerIdType', '2', '1'),
        mismatch('buyer-mismatch', 'inventory.buyerIdNumber', 'order.buyerIdNumber', 'X1', '330106199003071519'),
        mismatch('buyer-mismatch', 'inventory.buyerTelephone', 'order.buyerTelephone', '13800000009', '13800000000'),
      ],
    },
  ],
});
