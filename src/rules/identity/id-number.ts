import { z } from 'zod';
import { checkIdNumber, idCheckCharacter } from '../id-number.js';
import { defineRule, type DocumentName, type HeadOf, type ReportOf } from '../types.js';

/** An ID number field and the field giving its type (only an ID card, type 1, has a checkable number). */
type IdField = {
  [N in DocumentName]: { doc: N; key: keyof HeadOf<N> & string; typeKey: keyof HeadOf<N> & string };
}[DocumentName];

const FIELDS: readonly IdField[] = [
  { doc: 'order', key: 'buyerIdNumber', typeKey: 'buyerIdType' },
  { doc: 'inventory', key: 'buyerIdNumber', typeKey: 'buyerIdType' },
  { doc: 'payment', key: 'payerIdNumber', typeKey: 'payerIdType' },
];

const MESSAGES = {
  'id-number-format': {
    zh: '证件号码（{path}）应为18位数字（末位可为大写X）',
    en: '{path} must be 17 digits followed by a digit or an upper-case X',
  },
  'id-number-birth-date': {
    zh: '证件号码（{path}）中的出生日期 {date} 无效',
    en: '{path} holds the birth date {date}, which is not a real past date',
  },
  'id-number-check-digit': {
    zh: '证件号码（{path}）校验码应为 {expected}，实际为 {actual}',
    en: '{path} has the check character {actual}; the first 17 digits give {expected}',
  },
  'id-number-area': {
    zh: '证件号码（{path}）的省级地区码 {area} 不存在',
    en: '{path} starts with {area}, which is not a province code',
  },
} as const;

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
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'the payer’s number with a wrong check character',
        set: { 'payment.payerIdNumber': '330106199003071518' },
        code: 'id-number-check-digit',
        path: 'payment.payerIdNumber',
      },
    ],
  },
  check(ctx) {
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    const provinces = ctx.codes.province;
    for (const f of FIELDS) {
      // (the keys were checked against their document where FIELDS is written)
      const doc = ctx.doc(f.doc) as Readonly<Record<string, unknown>> | undefined;
      const id = ctx.str(doc, f.key);
      // Only ID cards have a checkable number; other ID types are refused by fields/schema.
      if (id === undefined || ctx.str(doc, f.typeKey) !== '1') continue;
      const path = `${f.doc}.${f.key}`;
      const problem = checkIdNumber(id, ctx.at);
      if (problem === 'format') {
        out.push({ messageId: 'id-number-format', path, actual: `${id.length} characters`, data: { path } });
      } else if (problem === 'birth-date') {
        const date = id.slice(6, 14);
        out.push({ messageId: 'id-number-birth-date', path, actual: date, data: { path, date } });
      } else if (problem === 'check-digit') {
        const expected = idCheckCharacter(id.slice(0, 17));
        const actual = id[17] ?? '';
        out.push({ messageId: 'id-number-check-digit', path, expected, actual, data: { path, expected, actual } });
      }
      const area = id.slice(0, 2);
      if (problem !== 'format' && provinces && !provinces.get(area)) {
        out.push({
          messageId: 'id-number-area',
          path,
          actual: area,
          ...(!provinces.complete && { severity: 'warning' as const }),
          data: { path, area },
        });
      }
    }
    return out;
  },
});
