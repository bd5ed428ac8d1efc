import { fieldNameZh } from '../../../src/model/field-names.js';
import { paymentLink } from '../../../src/rules/payment/link.js';
import { mismatch, ruleTester } from '../rule-tester.js';

ruleTester(paymentLink, {
  valid: [
    { name: 'the example declaration' },
    {
      name: 'an order that does not name its payment (not required by default)',
      set: { 'order.payCode': null, 'order.payTransactionId': null },
    },
    {
      name: 'requireOnOrder with both fields present',
      ruleOptions: { requireOnOrder: true },
    },
  ],
  invalid: [
    {
      name: 'the order names another payment company',
      set: { 'order.payCode': '312226T999' },
      errors: [
        {
          ...mismatch('13035', 'order.payCode', 'payment.payCode', '312226T999', '312226T001'),
          message: {
            zh: `${fieldNameZh('order.payCode')}（order.payCode）为 312226T999，与 payment.payCode 的 312226T001 不一致`,
            en: 'order.payCode is 312226T999 but payment.payCode is 312226T001; they must be equal',
          },
        },
      ],
    },
    {
      name: 'the order names another transaction',
      set: { 'order.payTransactionId': 'PAY-OTHER' },
      errors: [
        mismatch(
          'pay-transaction-mismatch',
          'order.payTransactionId',
          'payment.payTransactionId',
          'PAY-OTHER',
          'PAY2026112010160001',
        ),
      ],
    },
    {
      name: 'requireOnOrder: both fields missing, each reported',
      set: { 'order.payCode': null, 'order.payTransactionId': null },
      ruleOptions: { requireOnOrder: true },
      errors: [
        { code: 'pay-link-missing', path: 'order.payCode', data: { key: 'payCode' } },
        {
          code: 'pay-link-missing',
          path: 'order.payTransactionId',
          data: { key: 'payTransactionId' },
          message: {
            zh: '订单缺少 payTransactionId，无法与支付单关联',
            en: 'order.payTransactionId is missing, so the order cannot be linked to its payment',
          },
        },
      ],
    },
    {
      name: 'requireOnOrder: only the transaction missing',
      set: { 'order.payTransactionId': null },
      ruleOptions: { requireOnOrder: true },
      errors: [{ code: 'pay-link-missing', path: 'order.payTransactionId', data: { key: 'payTransactionId' } }],
    },
  ],
});
