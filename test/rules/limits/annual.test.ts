import { annualLimit } from '../../../src/rules/limits/annual.js';
import { ruleTester } from '../rule-tester.js';

/** The general-trade sentence the national ruleset quotes from its source. */
const QUOTE = {
  zh: '（财关税〔2016〕18号 三：“超过单次限值、累加后超过个人年度限值的单次交易……均按照一般贸易方式全额征税。”）',
  en: '',
};

const used = (v: string | undefined) => ({ quota: { used: () => v } });

ruleTester(annualLimit, {
  valid: [
    { name: 'no quota snapshot: nothing to check' },
    { name: '25,452.00 used + 548.00 = 26,000.00, exactly the limit', options: used('25452.00') },
    { name: 'the snapshot does not know the buyer', options: used(undefined) },
    {
      name: 'an undated declaration has no year to look up',
      set: { 'inventory.declTime': null, 'order.appTime': null },
      options: used('26000'),
    },
    { name: 'a deprecated extras.quota that is no snapshot is ignored', options: { extras: { quota: 'nonsense' } } },
  ],
  invalid: [
    {
      name: '25,600.00 used + 548.00 passes 26,000',
      options: used('25600.00'),
      errors: [
        {
          code: '1313',
          path: 'inventory.buyerIdNumber',
          expected: '≤ 26000.00',
          actual: '26148.00',
          data: {
            year: 2026,
            used: '25600.00',
            rest: '400.00',
            basis: { zh: '完税价格', en: 'dutiable value' },
            amount: '548.00',
            total: '26148.00',
            limit: '26000.00',
            source: '财关税〔2018〕49号',
            quote: QUOTE,
          },
        },
      ],
    },
    {
      name: 'one cent over, given through the deprecated extras.quota; no inventory',
      set: { inventory: null },
      options: { extras: { quota: { used: () => '25452.01' } } },
      errors: [
        {
          code: '1313',
          path: 'order.buyerIdNumber',
          actual: '26000.01',
          data: {
            year: 2026,
            used: '25452.01',
            rest: '547.99',
            basis: { zh: '完税价格', en: 'dutiable value' },
            amount: '548.00',
            total: '26000.01',
            limit: '26000.00',
            source: '财关税〔2018〕49号',
            quote: QUOTE,
          },
        },
      ],
    },
    {
      name: 'used beyond the limit already: nothing left',
      options: used('27000'),
      errors: [
        {
          code: '1313',
          path: 'inventory.buyerIdNumber',
          data: {
            year: 2026,
            used: '27000.00',
            rest: '0.00',
            basis: { zh: '完税价格', en: 'dutiable value' },
            amount: '548.00',
            total: '27548.00',
            limit: '26000.00',
            source: '财关税〔2018〕49号',
            quote: QUOTE,
          },
        },
      ],
    },
  ],
});
