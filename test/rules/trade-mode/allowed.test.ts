import { describe, expect, it } from 'vitest';
import { tradeModeAllowed } from '../../../src/rules/trade-mode/allowed.js';
import { nationalSetting, ruleTester } from '../rule-tester.js';

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
      name: 'a doubtful mode (options.doubtful) warns, and only it: 1210 where only 9610 is sure',
      ruleOptions: { allowed: ['9610'], doubtful: ['1210'] },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          severity: 'warning',
          expected: '9610',
          actual: '1210',
          data: { mode: '1210', allowedZh: '9610', allowedEn: '9610' },
          // (worded as the doubt it is: the refusal's words made a warning read as a refusal)
          message: {
            zh: '贸易方式 1210 在本关区此日是否允许不能确定（可能仅限个别试点区域），确定允许的为 9610',
            en: 'inventory.tradeMode 1210 may not be allowed here on this date (not sure: perhaps only in some pilot zones); sure to be allowed: 9610',
          },
        },
      ],
    },
    {
      name: 'a mode not doubtful is refused beside a doubtful one: 0110 where 1210 is doubtful',
      set: { 'inventory.tradeMode': '0110' },
      ruleOptions: { allowed: ['9610'], doubtful: ['1210'] },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          expected: '9610',
          actual: '0110',
          data: { mode: '0110', allowedZh: '9610', allowedEn: '9610' },
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

describe('trade-mode/allowed in the national ruleset, by date', () => {
  const setting = (at: string) => nationalSetting('trade-mode/allowed', at);

  it('cites 商财发〔2018〕486号 (listed in the national sources) from 2019-01-01, with the same modes as before', () => {
    for (const at of ['2016-12-01', '2018-06-01', '2018-12-31']) {
      expect(setting(at)?.options, at).toEqual({ allowed: ['9610', '1210', '1239'] });
      expect(setting(at)?.source, at).toMatch(/^海关总署公告2014年第12号 .*海关总署公告2016年第75号 /);
      expect(setting(at)?.source, at).not.toContain('486号');
    }
    for (const at of ['2019-01-01', '2026-12-06']) {
      expect(setting(at)?.severity, at).toBe('error');
      expect(setting(at)?.options, at).toEqual({ allowed: ['9610', '1210', '1239'] });
      expect(setting(at)?.source, at).toMatch(/海关总署公告2016年第75号 .*; 商财发〔2018〕486号$/);
    }
    expect(setting('2016-06-01')?.options).toEqual({ allowed: ['9610', '1210'] });
  });
});
