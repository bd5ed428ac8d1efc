import { districtOffices } from '../../../src/rules/district/offices.js';
import type { RuleContext } from '../../../src/rules/types.js';
import { ruleTester } from '../rule-tester.js';

const HZ = { zh: '杭州海关', en: 'Hangzhou Customs' };

/**
 * The Hangzhou district with offices and ports of its own listed (the bundled district files list
 * none yet): 5141 (a Guangzhou office by the code table) as an office, 4200 as a port.
 */
function withOwn(ctx: RuleContext): RuleContext {
  return {
    ...ctx,
    district: {
      ...ctx.district!,
      offices: [{ code: '5141', source: 'X' }],
      ports: [{ code: '4200', source: 'X' }],
    },
  };
}

ruleTester(districtOffices, {
  valid: [
    { name: 'office 2924 under the Hangzhou rules' },
    { name: 'the district code itself', set: { 'inventory.customsCode': '2900', 'inventory.portCode': '2900' } },
    { name: 'no district ruleset (national rules only)', set: { 'inventory.customsCode': '1124' } },
    {
      name: 'an office and a port the district lists beyond the code table',
      set: { 'inventory.customsCode': '5141', 'inventory.portCode': '4200' },
      options: { district: '2900' },
      context: withOwn,
    },
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
    {
      // The listed office and port belong to the district, the other codes still do not: each
      // code is looked up in the lists, not just the presence of a list.
      name: 'codes the district’s office and port lists do not hold',
      set: { 'inventory.customsCode': '5100', 'inventory.portCode': '5141' },
      options: { district: '2900' },
      context: (ctx) => {
        const own = withOwn(ctx);
        return { ...own, district: { ...own.district!, offices: [{ code: '4200', source: 'X' }] } };
      },
      errors: [
        {
          code: 'district-office-mismatch',
          path: 'inventory.customsCode',
          expected: '2900',
          actual: '5100',
          data: { code: '5100', belongs: '5100', district: '2900', name: HZ },
        },
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
