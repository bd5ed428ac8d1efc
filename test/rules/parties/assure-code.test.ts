import { assureCodeParty } from '../../../src/rules/parties/assure-code.js';
import { ruleTester } from '../rule-tester.js';

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
