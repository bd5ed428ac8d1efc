import { z } from 'zod';
import { checkIdNumber, idCheckCharacter } from '../id-number.js';
import { defineRule, type RuleIssue } from '../types.js';

const FIELDS = [
  { doc: 'order', key: 'buyerIdNumber', typeKey: 'buyerIdType' },
  { doc: 'inventory', key: 'buyerIdNumber', typeKey: 'buyerIdType' },
  { doc: 'payment', key: 'payerIdNumber', typeKey: 'payerIdType' },
] as const;

/** Buyer and payer ID numbers are well-formed GB 11643 numbers (buyerIdType 1 = ID card). */
export const idNumberValid = defineRule({
  id: 'identity/id-number',
  description: {
    zh: '订购人、支付人身份证号码符合 GB 11643（地区码、出生日期、校验码）',
    en: 'Buyer and payer ID numbers are valid GB 11643 numbers (area, birth date, check digit)',
  },
  source: 'GB 11643-1999',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'id-number-format': {
      zh: '身份证号码应为18位，末位为数字或大写X',
      en: 'An ID number has 18 characters: 17 digits and a digit or upper-case X',
    },
    'id-number-area': { zh: '身份证号码的省级地区码不存在', en: 'The province code of the ID number does not exist' },
    'id-number-birth-date': {
      zh: '身份证号码中的出生日期无效',
      en: 'The birth date in the ID number is not a real date, or is in the future',
    },
    'id-number-check-digit': { zh: '身份证号码校验码错误', en: 'The check character of the ID number is wrong' },
  },
  check(ctx) {
    const out: RuleIssue[] = [];
    const provinces = ctx.codes.province;
    for (const f of FIELDS) {
      const doc = ctx.doc(f.doc);
      const id = ctx.str(doc, f.key);
      // Only ID cards have a checkable number; other ID types are refused by fields/schema.
      if (id === undefined || ctx.str(doc, f.typeKey) !== '1') continue;
      const path = `${f.doc}.${f.key}`;
      const problem = checkIdNumber(id, ctx.at);
      if (problem === 'format') {
        out.push({
          code: 'id-number-format',
          path,
          actual: `${id.length} characters`,
          message: {
            zh: `证件号码（${path}）应为18位数字（末位可为大写X）`,
            en: `${path} must be 17 digits followed by a digit or an upper-case X`,
          },
        });
      } else if (problem === 'birth-date') {
        out.push({
          code: 'id-number-birth-date',
          path,
          actual: id.slice(6, 14),
          message: {
            zh: `证件号码（${path}）中的出生日期 ${id.slice(6, 14)} 无效`,
            en: `${path} holds the birth date ${id.slice(6, 14)}, which is not a real past date`,
          },
        });
      } else if (problem === 'check-digit') {
        const expected = idCheckCharacter(id.slice(0, 17));
        out.push({
          code: 'id-number-check-digit',
          path,
          expected,
          actual: id[17] ?? '',
          message: {
            zh: `证件号码（${path}）校验码应为 ${expected}，实际为 ${id[17]}`,
            en: `${path} has the check character ${id[17]}; the first 17 digits give ${expected}`,
          },
        });
      }
      if (problem !== 'format' && provinces && !provinces.get(id.slice(0, 2))) {
        out.push({
          code: 'id-number-area',
          path,
          actual: id.slice(0, 2),
          severity: provinces.complete ? 'error' : 'warning',
          message: {
            zh: `证件号码（${path}）的省级地区码 ${id.slice(0, 2)} 不存在`,
            en: `${path} starts with ${id.slice(0, 2)}, which is not a province code`,
          },
        });
      }
    }
    return out;
  },
});
