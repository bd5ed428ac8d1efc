import { isWithinDates } from '../../time/beijing.js';
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

/**
 * The province table's entry for the first digit 9 of the 2023 foreign permanent-residence ID number (9, the issuing
 * province, the nationality, the birth date, a sequence and a GB 11643 check character; rulesets/codes/province.json
 * cites the NIA rule).
 */
const FOREIGN_RESIDENT = '9';

const MESSAGES = {
  'id-number-format': {
    zh: '证件号码（{path}）应为18位：17位数字加一位数字或X',
    en: '{path} must be 17 digits followed by a digit or an X',
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
    en: '{path} holds the province code {area}, which does not exist',
  },
  'id-number-lowercase-x': {
    zh: '证件号码（{path}）末位为小写 x：GB 11643 写作大写 X，海关及公安身份核验可能只认大写，请改为 X',
    en: '{path} ends in a lower-case x: GB 11643 writes the check character X, and the identity checks of customs and the police may expect it upper-case; write X',
  },
  'id-number-foreign-resident': {
    zh: '证件号码（{path}）以 9 开头，是2023版外国人永久居留身份证号码；海关是否接受其作为订购人身份证（证件类型1）未见规定',
    en: '{path} starts with 9: a foreign permanent resident ID number (2023 version); whether customs accepts it as a buyer ID card (type 1) is not documented',
  },
} as const;

/** Buyer and payer ID numbers are well-formed GB 11643 numbers (buyerIdType 1 = ID card). */
export const idNumberValid = defineRule({
  id: 'identity/id-number',
  description: {
    zh: '订购人、支付人身份证号码符合 GB 11643（地区码、出生日期、校验码）；末位小写 x、外国人永久居留身份证号码（首位9）仅警告',
    en: 'Buyer and payer ID numbers are valid GB 11643 numbers (area, birth date, check digit); a lower-case x and a foreign permanent resident’s number (first digit 9) only warn',
  },
  source:
    'GB 11643-1999; 国家移民管理局《新版外国人永久居留身份证机读信息规则（2023版）》 (numbers starting with 9, from 2023-12-01; rulesets/codes/province.json)',
  defaultSeverity: 'error',
  codes: {
    'id-number-format': {
      zh: '身份证号码应为18位，末位为数字或X',
      en: 'An ID number has 18 characters: 17 digits and a digit or X',
    },
    'id-number-area': { zh: '身份证号码的省级地区码不存在', en: 'The province code of the ID number does not exist' },
    'id-number-birth-date': {
      zh: '身份证号码中的出生日期无效',
      en: 'The birth date in the ID number is not a real date, or is in the future',
    },
    'id-number-check-digit': { zh: '身份证号码校验码错误', en: 'The check character of the ID number is wrong' },
    'id-number-lowercase-x': {
      zh: '身份证号码末位为小写 x（应为大写 X；仅警告）',
      en: 'The ID number ends in a lower-case x (GB 11643 writes X; a warning)',
    },
    'id-number-foreign-resident': {
      zh: '外国人永久居留身份证号码（2023版，首位9）：海关是否接受未见规定（仅警告）',
      en: 'A foreign permanent resident ID number (2023 version, first digit 9): customs’ acceptance is not documented (a warning)',
    },
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
    const foreign = provinces?.get(FOREIGN_RESIDENT);
    const foreignInForce = foreign !== undefined && isWithinDates(ctx.at, foreign.validFrom, foreign.validTo);
    for (const f of FIELDS) {
      // (the keys were checked against their document where FIELDS is written)
      const doc = ctx.doc(f.doc) as Readonly<Record<string, unknown>> | undefined;
      const id = ctx.str(doc, f.key);
      // Only ID cards have a checkable number; other ID types are refused by fields/schema.
      if (id === undefined || ctx.str(doc, f.typeKey) !== '1') continue;
      const path = `${f.doc}.${f.key}`;
      // A lower-case x is the same number (the quota ledger keys it upper-cased): whether customs folds the case is not
      // documented, so it warns instead of failing.
      const lowerX = id.length === 18 && id.endsWith('x');
      const problem = checkIdNumber(lowerX ? `${id.slice(0, 17)}X` : id, ctx.at);
      if (problem === 'format') {
        out.push({ messageId: 'id-number-format', path, actual: `${id.length} characters`, data: { path } });
        continue;
      }
      if (lowerX)
        out.push({
          messageId: 'id-number-lowercase-x',
          path,
          expected: 'X',
          actual: 'x',
          severity: 'warning',
          data: { path },
        });
      if (problem === 'birth-date') {
        const date = id.slice(6, 14);
        out.push({ messageId: 'id-number-birth-date', path, actual: date, data: { path, date } });
      } else if (problem === 'check-digit') {
        const expected = idCheckCharacter(id.slice(0, 17));
        const actual = id[17] ?? '';
        out.push({ messageId: 'id-number-check-digit', path, expected, actual, data: { path, expected, actual } });
      }
      // A foreign resident's number carries the issuing province after its 9; the birth date and check character sit
      // where a citizen's do. Its acceptance by customs is unverified unless the table says otherwise.
      const isForeign = foreignInForce && id.startsWith(FOREIGN_RESIDENT);
      if (isForeign && foreign.confidence !== 'verified')
        out.push({
          messageId: 'id-number-foreign-resident',
          path,
          actual: id.slice(0, 1),
          severity: 'warning',
          data: { path },
        });
      const area = isForeign ? id.slice(1, 3) : id.slice(0, 2);
      if (provinces && !provinces.get(area)) {
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
