import { describe, expect, it } from 'vitest';
import { regimeInForce } from '../../../src/rules/tax/regime.js';
import { createTaxCalculator } from '../../../src/rules/tax-calculator.js';
import { validate } from '../../../src/rules/validate.js';
import { example } from '../../helpers/examples.js';
import { ruleTester } from '../rule-tester.js';

const MISSING = 'singleTransactionLimit, annualLimit, cbecTaxFactor, cbecDutyRate';

ruleTester(regimeInForce, {
  valid: [
    { name: 'the example declaration, declared in 2025' },
    // 财关税〔2016〕18号 took effect on 2016-04-08: its first day has the regime.
    { name: 'judged on 2016-04-08, the first day of the regime', options: { at: '2016-04-08' } },
  ],
  invalid: [
    {
      // The example is declared in 2025: no field holds the day it is judged on, so the issue is the declaration's.
      name: 'judged on 2016-04-07: the rulesets set none of the four regime values',
      options: { at: '2016-04-07' },
      errors: [
        {
          code: 'no-cbec-regime',
          path: '',
          actual: '2016-04-07',
          data: { at: '2016-04-07', missing: MISSING },
          message: {
            zh: `2016-04-07 时尚无跨境电商零售进口税收政策：规则集未设定当日的 ${MISSING}`,
            en: `No CBEC retail-import tax regime was in force on 2016-04-07: the rulesets set no ${MISSING} for that day`,
          },
        },
      ],
    },
    {
      name: 'judged on its own declTime (2016-04-07), given as the day too: the path is the declTime',
      set: { 'inventory.declTime': '20160407093000' },
      options: { at: '2016-04-07' },
      errors: [
        {
          code: 'no-cbec-regime',
          path: 'inventory.declTime',
          actual: '2016-04-07',
          data: { at: '2016-04-07', missing: MISSING },
        },
      ],
    },
    {
      name: 'an order alone, appTime in 2015: the date is the order’s',
      set: { inventory: null, payment: null, logistics: null, 'order.appTime': '20151111093000' },
      errors: [
        {
          code: 'no-cbec-regime',
          path: 'order.appTime',
          actual: '2015-11-11',
          data: { at: '2015-11-11', missing: MISSING },
        },
      ],
    },
    {
      // The date comes from the order's appTime, so the issue points there (it used to point at the
      // inventory's declTime, which gave no date).
      name: 'an unreadable declTime and an appTime in 2015: the date and the path are the order’s',
      set: { 'inventory.declTime': '20250229', 'order.appTime': '20151111093000' },
      errors: [
        {
          code: 'no-cbec-regime',
          path: 'order.appTime',
          actual: '2015-11-11',
          data: { at: '2015-11-11', missing: MISSING },
        },
      ],
    },
    {
      name: 'a missing declTime and an appTime in 2015: the path is the order’s appTime',
      set: { 'inventory.declTime': null, 'order.appTime': '20151111093000' },
      errors: [
        {
          code: 'no-cbec-regime',
          path: 'order.appTime',
          actual: '2015-11-11',
          data: { at: '2015-11-11', missing: MISSING },
        },
      ],
    },
  ],
});

describe('validate and sandan tax agree on a day without the regime', () => {
  // Before this rule, validate passed a declaration of 2016-01-01 while the tax calculator refused it.
  const input = example('hangzhou-1210');

  it('validate fails it with the issue computeTax gives', () => {
    const v = validate(input, { at: '2016-01-01' });
    const t = createTaxCalculator({ at: '2016-01-01' })(input);
    expect(v.valid).toBe(false);
    const fromValidate = v.issues.filter((i) => i.code === 'no-cbec-regime');
    expect(t.ok).toBe(false);
    expect(fromValidate).toHaveLength(1);
    expect(t.ok ? [] : t.issues).toEqual([
      expect.objectContaining({
        code: 'no-cbec-regime',
        path: '',
        ruleId: 'tax/regime',
        severity: 'error',
        message: fromValidate[0]?.message,
      }),
    ]);
  });

  it('from 2016-04-08 on, neither says it', () => {
    const v = validate(input, { at: '2016-04-08' });
    expect(v.issues.filter((i) => i.code === 'no-cbec-regime')).toEqual([]);
    expect(createTaxCalculator({ at: '2016-04-08' })(input).ok).toBe(true);
  });
});
