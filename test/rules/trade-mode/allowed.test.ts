import { tradeModeAllowed } from '../../../src/rules/trade-mode/allowed.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(tradeModeAllowed, {
  valid: [
    { name: '1210 (bonded import)' },
    { name: '9610 (direct purchase)', base: 'guangzhou-9610' },
    { name: 'a mode the ruleset allows', set: { 'inventory.tradeMode': '0110' }, ruleOptions: { allowed: ['0110'] } },
  ],
  invalid: [
    {
      name: '0110 (general trade)',
      set: { 'inventory.tradeMode': '0110' },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          expected: '9610 | 1210 | 1239',
          actual: '0110',
          data: { mode: '0110', allowedZh: '9610、1210、1239', allowedEn: '9610, 1210, 1239' },
          message: {
            zh: '贸易方式 0110 不允许，应为 9610、1210、1239',
            en: 'inventory.tradeMode 0110 is not allowed; allowed: 9610, 1210, 1239',
          },
        },
      ],
    },
    {
      name: '1239 in 2016, before it existed (the national ruleset’s options of the day)',
      set: { 'inventory.tradeMode': '1239', 'inventory.declTime': '20160601', 'order.appTime': '20160601101500' },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          expected: '9610 | 1210',
          actual: '1239',
          data: { mode: '1239', allowedZh: '9610、1210', allowedEn: '9610, 1210' },
        },
      ],
    },
  ],
});
