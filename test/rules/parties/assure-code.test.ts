import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/index.js';
import { assureCodeParty } from '../../../src/rules/parties/assure-code.js';
import { example } from '../../helpers/examples.js';
import { nationalSetting, ruleTester } from '../rule-tester.js';

ruleTester(assureCodeParty, {
  valid: [
    { name: 'the e-commerce enterprise guarantees' },
    { name: 'the declaring agent guarantees', set: { 'inventory.assureCode': '3301980BRK' } },
    { name: 'the logistics company guarantees', set: { 'inventory.assureCode': '3301980ZT1' } },
    {
      name: 'the platform, where the ruleset allows it',
      set: { 'inventory.assureCode': 'PLATFORM01', 'inventory.ebpCode': 'PLATFORM01' },
      ruleOptions: { roles: ['ebpCode'] },
    },
    { name: 'no assureCode is the schema’s business', set: { 'inventory.assureCode': null } },
  ],
  invalid: [
    {
      name: 'a stranger guarantees',
      set: { 'inventory.assureCode': '1234567890' },
      errors: [
        {
          code: 'assure-code',
          path: 'inventory.assureCode',
          expected: 'agentCode | ebcCode | logisticsCode',
          actual: '1234567890',
          data: {
            assure: '1234567890',
            rolesZh: 'agentCode、ebcCode、logisticsCode',
            rolesEn: 'inventory.agentCode, inventory.ebcCode, inventory.logisticsCode',
          },
          message: {
            zh: '担保企业编号 1234567890 应为 agentCode、ebcCode、logisticsCode 之一',
            en: 'inventory.assureCode 1234567890 must be one of inventory.agentCode, inventory.ebcCode, inventory.logisticsCode',
          },
        },
      ],
    },
    {
      name: 'the e-commerce enterprise, where only the agent may guarantee',
      ruleOptions: { roles: ['agentCode'] },
      errors: [
        {
          code: 'assure-code',
          path: 'inventory.assureCode',
          expected: 'agentCode',
          data: { assure: '3301964J31', rolesZh: 'agentCode', rolesEn: 'inventory.agentCode' },
        },
      ],
    },
  ],
});

describe('parties/assure-code in the national ruleset', () => {
  const setting = (at: string) => nationalSetting('parties/assure-code', at);

  it('follows the XSD before and after 2019-01-01: the platform is no guarantor unless a ruleset adds it', () => {
    for (const at of ['2018-06-01', '2026-12-06']) {
      expect(setting(at)?.severity, at).toBe('error');
      expect(setting(at)?.options, at).toEqual({ roles: ['agentCode', 'ebcCode', 'logisticsCode'] });
      expect(setting(at)?.source, at).toMatch(/^海关总署 《海关跨境电商统一版系统企业对接报文规范（202205版）》/);
    }
    const d = example('hangzhou-1210');
    // A platform that is not also the e-commerce enterprise (in the example it is both).
    for (const doc of [d.order, d.payment, d.inventory]) doc.ebpCode = 'PLATFORM01';
    d.inventory.assureCode = 'PLATFORM01';
    const found = (ruleset?: Record<string, unknown>) =>
      validate(d, { at: '2026-12-06', ...(ruleset && { ruleset }) }).issues.filter(
        (i) => i.ruleId === 'parties/assure-code',
      );
    expect(found().map((i) => [i.code, i.severity])).toEqual([['assure-code', 'error']]);
    // What the national note tells a district or user to write where customs accepts the platform.
    const roles = ['agentCode', 'ebcCode', 'logisticsCode', 'ebpCode'];
    expect(
      found({
        id: 'platform-guarantees',
        version: '1',
        extends: 'national',
        rules: { 'parties/assure-code': { options: { roles } } },
      }),
    ).toEqual([]);
  });
});
