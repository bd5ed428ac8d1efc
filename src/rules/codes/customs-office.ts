import { z } from 'zod';
import { districtOf } from '../codes.js';
import { defineRule, type ReportOf } from '../types.js';

const KEYS = ['customsCode', 'portCode'] as const;

const MESSAGES = {
  'customs-code-unknown': {
    zh: '关区代码 {code} 不存在：前两位 {prefix} 不是任何直属海关',
    en: 'inventory.{key} {code} is not a customs office: no customs district starts with {prefix}',
  },
  'customs-code-not-listed': {
    code: 'customs-code-unknown',
    zh: '关区代码 {code} 不在代码表中（所属关区 {district} 存在，代码表不完整）',
    en: 'inventory.{key} {code} is not in the customs code table (its district {district} exists; the table is incomplete)',
  },
} as const;

/** customsCode and portCode are customs offices (关区代码, JGS/T 18). */
export const customsOffices = defineRule({
  id: 'codes/customs-office',
  description: {
    zh: '申报地海关、口岸海关代码为有效关区代码',
    en: 'customsCode and portCode are customs office codes (JGS/T 18)',
  },
  source: '报文规范 202205: customsCode, portCode (4-digit 关区代码); rulesets/codes/customs.json',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'customs-code-unknown': { zh: '关区代码不存在', en: 'The customs office code is unknown' } },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'port 1124: no district starts with 11',
        set: { 'inventory.portCode': '1124' },
        code: 'customs-code-unknown',
        path: 'inventory.portCode',
      },
    ],
  },
  check(ctx) {
    const table = ctx.codes.customs;
    const inv = ctx.doc('inventory');
    if (!table || !inv) return [];
    return KEYS.flatMap((key): Array<ReportOf<typeof MESSAGES>> => {
      const code = ctx.str(inv, key);
      if (code === undefined || !/^\d{4}$/.test(code) || table.get(code)) return [];
      // An office missing from an incomplete table is still plausible when its district is known.
      const district = districtOf(table, code);
      const path = `inventory.${key}`;
      if (district !== undefined && table.get(district) !== undefined) {
        return [
          {
            messageId: 'customs-code-not-listed' as const,
            path,
            actual: code,
            ...(!table.complete && { severity: 'warning' as const }),
            data: { key, code, district },
          },
        ];
      }
      return [
        {
          messageId: 'customs-code-unknown' as const,
          path,
          actual: code,
          data: { key, code, prefix: code.slice(0, 2) },
        },
      ];
    });
  },
});
