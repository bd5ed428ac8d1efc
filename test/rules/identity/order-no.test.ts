import { orderNoAgrees } from '../../../src/rules/identity/order-no.js';
import { mismatch, ruleTester } from '../rule-tester.js';

const NO = 'SD202611200001';
const EBP = '3301964J31';

ruleTester(orderNoAgrees, {
  valid: [
    { name: 'the example declaration' },
    {
      name: 'a document without the field is the schema’s business',
      set: { 'payment.orderNo': null, 'inventory.ebpCode': null },
    },
    { name: 'without an order there is nothing to agree with', set: { order: null } },
  ],
  invalid: [
    {
      name: 'the payment names another order',
      set: { 'payment.orderNo': 'OTHER' },
      errors: [mismatch('order-no-mismatch', 'payment.orderNo', 'order.orderNo', 'OTHER', NO)],
    },
    {
      // Customs' own pilot CEB624 sample carries a copNo ending in a tab: shown raw, the two values looked the same.
      name: 'an order number ending in a tab: the message quotes both values, the tab written \\t',
      set: { 'order.orderNo': `${NO}\t` },
      errors: ['payment', 'logistics', 'inventory'].map((doc) => ({
        ...mismatch('order-no-mismatch', `${doc}.orderNo`, 'order.orderNo', `"${NO}"`, `"${NO}\\t"`),
        actual: NO,
        expected: `${NO}\t`,
      })),
    },
    {
      name: 'every document disagrees, reported in the order checked',
      set: {
        'payment.orderNo': 'P',
        'payment.ebpCode': 'PE',
        'logistics.orderNo': 'L',
        'inventory.orderNo': 'I',
        'inventory.ebpCode': 'IE',
      },
      errors: [
        mismatch('order-no-mismatch', 'payment.orderNo', 'order.orderNo', 'P', NO),
        mismatch('ebp-code-mismatch', 'payment.ebpCode', 'order.ebpCode', 'PE', EBP),
        mismatch('order-no-mismatch', 'logistics.orderNo', 'order.orderNo', 'L', NO),
        mismatch('order-no-mismatch', 'inventory.orderNo', 'order.orderNo', 'I', NO),
        mismatch('ebp-code-mismatch', 'inventory.ebpCode', 'order.ebpCode', 'IE', EBP),
      ],
    },
  ],
});
