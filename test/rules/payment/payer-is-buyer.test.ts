import { payerIsBuyer } from '../../../src/rules/payment/payer-is-buyer.js';
import { mismatch, ruleTester } from '../rule-tester.js';

ruleTester(payerIsBuyer, {
  valid: [{ name: 'the buyer paid (the example declaration)' }],
  invalid: [
    {
      name: 'someone else paid',
      set: { 'payment.payerName': '王五' },
      errors: [mismatch('payer-not-buyer', 'payment.payerName', 'order.buyerName', '王五', '张三')],
    },
    {
      name: 'another ID number and name',
      set: { 'payment.payerIdNumber': '11010519491231002X', 'payment.payerName': '李四' },
      errors: [
        mismatch(
          'payer-not-buyer',
          'payment.payerIdNumber',
          'order.buyerIdNumber',
          '11010519491231002X',
          '330106199003071519',
        ),
        mismatch('payer-not-buyer', 'payment.payerName', 'order.buyerName', '李四', '张三'),
      ],
    },
  ],
});
