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
      name: 'the platform guarantees (表3-31 of the spec names it; so do 18号, 194号 and 关税法 as withholding agent)',
      set: { 'inventory.assureCode': 'PLATFORM01', 'inventory.ebpCode': 'PLATFORM01' },
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
          expected: 'agentCode | ebcCode | logisticsCode | ebpCode',
          actual: '1234567890',
          data: {
            assure: '1234567890',
            rolesZh: 'agentCode、ebcCode、logisticsCode、ebpCode',
            rolesEn: 'inventory.agentCode, inventory.ebcCode, inventory.logisticsCode, inventory.ebpCode',
          },
          message: {
            zh: '担保企业编号 1234567890 应为 agentCode、ebcCode、logisticsCode、ebpCode 之一',
            en: 'inventory.assureCode 1234567890 must be one of inventory.agentCode, inventory.ebcCode, inventory.logisticsCode, inventory.ebpCode',
          },
        },
      ],
    },
    {
      name: 'the platform, where a ruleset keeps only the XSD annotation’s three roles',
      set: { 'inventory.assureCode': 'PLATFORM01', 'inventory.ebpCode': 'PLATFORM01' },
      ruleOptions: { roles: ['agentCode', 'ebcCode', 'logisticsCode'] },
      errors: [
        {
          code: 'assure-code',
          path: 'inventory.assureCode',
          expected: 'agentCode | ebcCode | logisticsCode',
          data: {
            assure: 'PLATFORM01',
            rolesZh: 'agentCode、ebcCode、logisticsCode',
            rolesEn: 'inventory.agentCode, inventory.ebcCode, inventory.logisticsCode',
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

  it('accepts the platform before and after 2019-01-01, on the spec table and the tax texts; a ruleset may narrow it', () => {
    for (const at of ['2018-06-01', '2026-12-06']) {
      expect(setting(at)?.severity, at).toBe('error');
      expect(setting(at)?.options, at).toEqual({ roles: ['agentCode', 'ebcCode', 'logisticsCode', 'ebpCode'] });
      expect(setting(at)?.source, at).toMatch(/表3-31/);
      expect(setting(at)?.source, at).toMatch(/财关税〔2016〕18号/);
      expect(setting(at)?.source, at).toMatch(/中华人民共和国关税法/);
    }
    const d = example('hangzhou-1210');
    // A platform that is not also the e-commerce enterprise (in the example it is both).
    for (const doc of [d.order, d.payment, d.inventory]) doc.ebpCode = 'PLATFORM01';
    d.inventory.assureCode = 'PLATFORM01';
    const found = (ruleset?: Record<string, unknown>) =>
      validate(d, { at: '2026-12-06', ...(ruleset && { ruleset }) }).issues.filter(
        (i) => i.ruleId === 'parties/assure-code',
      );
    expect(found()).toEqual([]);
    // A district or user that knows its customs refuses the platform writes the XSD annotation's roles.
    const roles = ['agentCode', 'ebcCode', 'logisticsCode'];
    expect(
      found({
        id: 'no-platform-guarantor',
        version: '1',
        extends: 'national',
        rules: { 'parties/assure-code': { options: { roles } } },
      }).map((i) => [i.code, i.severity]),
    ).toEqual([['assure-code', 'error']]);
    // A stranger is still refused under the national default.
    d.inventory.assureCode = '1234567890';
    expect(found().map((i) => [i.code, i.severity])).toEqual([['assure-code', 'error']]);
  });
});
