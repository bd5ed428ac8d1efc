import { districtOf } from '../codes.js';
import { defineRule } from '../types.js';

/** The inventory fields checked, the message of a stranger, and how grave it is. */
const CHECKED = [
  { key: 'customsCode', messageId: 'district-office-mismatch' },
  { key: 'portCode', messageId: 'district-port-mismatch' },
] as const;

/** The inventory's customs office belongs to the district whose rules apply. */
export const districtOffices = defineRule({
  id: 'district/offices',
  description: {
    zh: '申报地海关属于所适用规则的关区；口岸海关属于该关区（否则提示）',
    en: 'customsCode belongs to the district whose ruleset applies; portCode too (else a warning)',
  },
  source: 'rulesets/codes/customs.json; rulesets/districts/*.json (offices), each citing its sources',
  defaultSeverity: 'error',
  codes: {
    'district-office-mismatch': { zh: '申报地海关不属于该关区', en: 'customsCode is not an office of the district' },
    'district-port-mismatch': { zh: '口岸海关不属于该关区', en: 'portCode is not an office of the district' },
  },
  messages: {
    'district-office-mismatch': {
      zh: 'customsCode {code} 属于关区 {belongs}，不属于 {district} {name}',
      en: 'inventory.customsCode {code} belongs to district {belongs}, not {district} {name}',
    },
    'district-port-mismatch': {
      zh: 'portCode {code} 属于关区 {belongs}，不属于 {district} {name}',
      en: 'inventory.portCode {code} belongs to district {belongs}, not {district} {name}',
    },
  },
  examples: {
    valid: [{ name: 'office 2924 under the Hangzhou rules (the example declaration)' }],
    invalid: [
      {
        name: 'a Guangzhou office under the Hangzhou rules',
        district: '2900',
        set: { 'inventory.customsCode': '5141' },
        code: 'district-office-mismatch',
        path: 'inventory.customsCode',
      },
    ],
  },
  check(ctx) {
    const district = ctx.district;
    const inv = ctx.doc('inventory');
    if (!district || !inv) return [];
    const own = (code: string) =>
      code === district.code ||
      district.offices.some((o) => o.code === code) ||
      district.ports.some((o) => o.code === code);
    return CHECKED.flatMap(({ key, messageId }) => {
      const code = ctx.str(inv, key);
      if (code === undefined || !/^\d{4}$/.test(code) || own(code)) return [];
      const belongs = districtOf(ctx.codes.customs, code);
      if (belongs === district.code) return [];
      return [
        {
          messageId,
          path: `inventory.${key}`,
          expected: district.code,
          actual: code,
          // A port elsewhere may be legitimate (goods enter at one port, clear at another): a warning.
          ...(key === 'portCode' && { severity: 'warning' as const }),
          data: { code, belongs: belongs ?? '', district: district.code, name: district.name },
        },
      ];
    });
  },
});
