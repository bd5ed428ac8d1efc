import { isWithinDates } from '../../time/beijing.js';
import { districtOf } from '../codes.js';
import { notInForce } from './tables.js';
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
  'customs-code-not-in-force': {
    code: 'customs-code-unknown',
    zh: '关区代码 {code} 在代码表中的有效期为 {from} 至 {to}，申报日 {at} 不在其内',
    en: 'inventory.{key} {code} is in force in the customs code table from {from} to {to}, not on {at}, the declaration’s date',
  },
  // (a declaration without a date is read at NEWEST_POLICY_DATE, which is no date of its own to name)
  'customs-code-not-in-force-undated': {
    code: 'customs-code-unknown',
    zh: '关区代码 {code} 在代码表中的有效期为 {from} 至 {to}；声明没有日期，按最新政策校验，该代码已不在有效期内',
    en: 'inventory.{key} {code} is in force in the customs code table from {from} to {to}; the declaration has no date, so it was read under the newest policy, where the code is no longer in force',
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
      if (code === undefined || !/^\d{4}$/.test(code)) return [];
      const path = `inventory.${key}`;
      const entry = table.get(code);
      // A dated office counts on the declaration's day only (as codes/tables reads every dated code).
      if (entry !== undefined && !isWithinDates(ctx.at, entry.validFrom, entry.validTo)) {
        const found = { path, actual: code, ...(!table.complete && { severity: 'warning' as const }) };
        return [{ ...found, ...notInForce('customs-code', ctx.at, entry, { key, code }) }];
      }
      if (entry !== undefined) return [];
      // An office missing from an incomplete table is still plausible when its district is known.
      const district = districtOf(table, code);
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
