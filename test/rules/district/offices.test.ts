import { districtOffices } from '../../../src/rules/district/offices.js';
import { ruleTester } from '../rule-tester.js';

const HZ = { zh: '杭州海关', en: 'Hangzhou Customs' };

ruleTester(districtOffices, {
  valid: [
    { name: 'office 2924 under the Hangzhou rules' },
    { name: 'the district code itself', set: { 'inventory.customsCode': '2900', 'inventory.portCode': '2900' } },
    { name: 'no district ruleset (national rules only)', set: { 'inventory.customsCode': '1124' } },
    {
      name: 'a code that is not 4 digits is the schema’s business',
      set: { 'inventory.portCode': '51' },
      options: { district: '2900' },
    },
  ],
  invalid: [
    {
      name: 'a Guangzhou office under the Hangzhou rules',
      set: { 'inventory.customsCode': '5141' },
      options: { district: '2900' },
      errors: [
        {
          code: 'district-office-mismatch',
          path: 'inventory.customsCode',
          expected: '2900',
          actual: '5141',
          data: { code: '5141', belongs: '5100', district: '2900', name: HZ },
        },
      ],
    },
    {
      name: 'a port of another district: a warning',
      set: { 'inventory.portCode': '5141' },
      errors: [
        {
          code: 'district-port-mismatch',
          path: 'inventory.portCode',
          severity: 'warning',
          expected: '2900',
          actual: '5141',
          data: { code: '5141', belongs: '5100', district: '2900', name: HZ },
        },
      ],
    },
  ],
});
