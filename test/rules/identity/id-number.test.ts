import { bundledCodeTables } from '../../../src/rules/bundled.js';
import { idCheckCharacter } from '../../../src/rules/id-number.js';
import { idNumberValid } from '../../../src/rules/identity/id-number.js';
import { ruleTester } from '../rule-tester.js';

/** A number of province 00 (none) with a right check character. */
const NO_PROVINCE = `00010619900307151${idCheckCharacter('00010619900307151')}`;

const tables = bundledCodeTables();
/**
 * The citizen ID number on a Taiwan resident's residence permit (address code 830000, since 2018), with a right check
 * character: a number of the same kind as Hong Kong's 810000 and Macao's 820000.
 */
const TAIWAN_PERMIT = `83000019900307151${idCheckCharacter('83000019900307151')}`;

/**
 * A 2023 foreign permanent-residence number, as a secondary source gives it (9, issuing province 32 Jiangsu, nationality
 * 682, born 1985-01-01, sequence 001, check 7; 9×7+3×9+2×10+6×5+8×8+2×4+1×2+9×1+8×6+5×3+1×9+1×5+1×2 = 302 ≡ 5 → 7).
 */
const FOREIGN_RESIDENT = '932682198501010017';
/** The same with issuing province 99, which does not exist, and a right check character. */
const FOREIGN_NO_PROVINCE = `99968219850101001${idCheckCharacter('99968219850101001')}`;
/** The province table with the foreign-resident entry marked verified (as a team that confirmed customs' stance would). */
const foreignVerified = {
  ...tables,
  province: {
    ...tables.province!,
    get: (code: string) => {
      const e = tables.province!.get(code);
      return code === '9' && e ? { ...e, confidence: 'verified' as const } : e;
    },
  },
};

/** A province table of a team's own ruleset, written without the foreign-resident entry 9. */
const noForeign = {
  ...tables,
  province: { ...tables.province!, get: (code: string) => (code === '9' ? undefined : tables.province!.get(code)) },
};

/** The bundled tables with the province table marked incomplete. */
const partial = { ...tables, province: { ...tables.province!, complete: false, get: tables.province!.get } };

ruleTester(idNumberValid, {
  valid: [
    { name: 'the example declaration' },
    {
      name: 'a number with an X check character',
      set: { 'payment.payerIdNumber': '11010519491231002X', 'payment.payerName': '张三' },
    },
    {
      name: 'a Taiwan resident’s residence-permit number (830000…) on order, payment and inventory',
      set: {
        'order.buyerIdNumber': TAIWAN_PERMIT,
        'payment.payerIdNumber': TAIWAN_PERMIT,
        'inventory.buyerIdNumber': TAIWAN_PERMIT,
      },
    },
    {
      name: 'a foreign resident’s number when the table marks customs’ acceptance verified',
      set: {
        'order.buyerIdNumber': FOREIGN_RESIDENT,
        'payment.payerIdNumber': FOREIGN_RESIDENT,
        'inventory.buyerIdNumber': FOREIGN_RESIDENT,
      },
      options: { codes: foreignVerified },
    },
    {
      name: 'another ID type is not checked here',
      set: { 'payment.payerIdType': '2', 'payment.payerIdNumber': 'E12345678' },
    },
  ],
  invalid: [
    {
      name: 'a wrong check character on order and inventory',
      set: { 'order.buyerIdNumber': '330106199003071518', 'inventory.buyerIdNumber': '330106199003071518' },
      errors: [
        {
          code: 'id-number-check-digit',
          path: 'order.buyerIdNumber',
          expected: '9',
          actual: '8',
          data: { path: 'order.buyerIdNumber', expected: '9', actual: '8' },
          message: {
            zh: '证件号码（order.buyerIdNumber）校验码应为 9，实际为 8',
            en: 'order.buyerIdNumber has the check character 8; the first 17 digits give 9',
          },
        },
        {
          code: 'id-number-check-digit',
          path: 'inventory.buyerIdNumber',
          data: { path: 'inventory.buyerIdNumber', expected: '9', actual: '8' },
        },
      ],
    },
    {
      name: 'the 30th of February',
      set: { 'payment.payerIdNumber': '330106199002301519' },
      errors: [
        {
          code: 'id-number-birth-date',
          path: 'payment.payerIdNumber',
          actual: '19900230',
          data: { path: 'payment.payerIdNumber', date: '19900230' },
        },
      ],
    },
    {
      name: 'a lower-case x that is the right check character: a warning only',
      set: { 'payment.payerIdNumber': '11010519491231002x' },
      errors: [
        {
          code: 'id-number-lowercase-x',
          path: 'payment.payerIdNumber',
          severity: 'warning',
          expected: 'X',
          actual: 'x',
          data: { path: 'payment.payerIdNumber' },
        },
      ],
    },
    {
      name: 'a lower-case x where the check character is 9: the warning and the check-digit error',
      set: { 'payment.payerIdNumber': '33010619900307151x' },
      errors: [
        {
          code: 'id-number-lowercase-x',
          path: 'payment.payerIdNumber',
          severity: 'warning',
          data: { path: 'payment.payerIdNumber' },
        },
        {
          code: 'id-number-check-digit',
          path: 'payment.payerIdNumber',
          expected: '9',
          actual: 'x',
          data: { path: 'payment.payerIdNumber', expected: '9', actual: 'x' },
        },
      ],
    },
    {
      name: 'a lower-case letter other than x',
      set: { 'payment.payerIdNumber': '33010619900307151y' },
      errors: [
        {
          code: 'id-number-format',
          path: 'payment.payerIdNumber',
          actual: '18 characters',
          data: { path: 'payment.payerIdNumber' },
        },
      ],
    },
    {
      name: 'a foreign resident’s number (2023 version) on order, payment and inventory: warnings only',
      set: {
        'order.buyerIdNumber': FOREIGN_RESIDENT,
        'payment.payerIdNumber': FOREIGN_RESIDENT,
        'inventory.buyerIdNumber': FOREIGN_RESIDENT,
      },
      errors: ['order.buyerIdNumber', 'inventory.buyerIdNumber', 'payment.payerIdNumber'].map((path) => ({
        code: 'id-number-foreign-resident',
        path,
        severity: 'warning' as const,
        actual: '9',
        data: { path },
      })),
    },
    {
      name: 'a foreign resident’s number checks its birth date and check character as a citizen’s',
      set: { 'payment.payerIdNumber': '932682198502300017', 'order.buyerIdNumber': '932682198501010018' },
      errors: [
        {
          code: 'id-number-check-digit',
          path: 'order.buyerIdNumber',
          expected: '7',
          actual: '8',
          data: { path: 'order.buyerIdNumber', expected: '7', actual: '8' },
        },
        {
          code: 'id-number-foreign-resident',
          path: 'order.buyerIdNumber',
          severity: 'warning',
          data: { path: 'order.buyerIdNumber' },
        },
        {
          code: 'id-number-birth-date',
          path: 'payment.payerIdNumber',
          data: { path: 'payment.payerIdNumber', date: '19850230' },
        },
        {
          code: 'id-number-foreign-resident',
          path: 'payment.payerIdNumber',
          severity: 'warning',
          data: { path: 'payment.payerIdNumber' },
        },
      ],
    },
    {
      name: 'a foreign resident’s number whose issuing province does not exist',
      set: { 'payment.payerIdNumber': FOREIGN_NO_PROVINCE },
      errors: [
        {
          code: 'id-number-foreign-resident',
          path: 'payment.payerIdNumber',
          severity: 'warning',
          data: { path: 'payment.payerIdNumber' },
        },
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          actual: '99',
          data: { path: 'payment.payerIdNumber', area: '99' },
        },
      ],
    },
    {
      name: 'a number starting with 9 before the foreign residents’ 2023 card (2023-11-30) is of no province',
      set: { 'payment.payerIdNumber': FOREIGN_RESIDENT },
      options: { at: '2023-11-30' },
      errors: [
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          actual: '93',
          data: { path: 'payment.payerIdNumber', area: '93' },
        },
      ],
    },
    {
      name: 'a number starting with 9 against a province table without the entry 9 is of no province',
      set: { 'payment.payerIdNumber': FOREIGN_RESIDENT },
      options: { codes: noForeign },
      errors: [
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          actual: '93',
          data: { path: 'payment.payerIdNumber', area: '93' },
        },
      ],
    },
    {
      name: 'province 00 does not exist (the province table is complete)',
      set: { 'payment.payerIdNumber': NO_PROVINCE },
      errors: [
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          actual: '00',
          data: { path: 'payment.payerIdNumber', area: '00' },
        },
      ],
    },
    {
      name: 'province 00 against an incomplete province table: a warning',
      set: { 'payment.payerIdNumber': NO_PROVINCE },
      options: { codes: partial },
      errors: [
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          severity: 'warning',
          data: { path: 'payment.payerIdNumber', area: '00' },
        },
      ],
    },
    {
      name: 'a malformed number is not also checked for its province',
      set: { 'payment.payerIdNumber': '00010619900307151-' },
      errors: [{ code: 'id-number-format', path: 'payment.payerIdNumber', data: { path: 'payment.payerIdNumber' } }],
    },
    {
      name: 'a wrong birth date and province together',
      set: { 'payment.payerIdNumber': `00010619900230151${idCheckCharacter('00010619900230151')}` },
      errors: [
        {
          code: 'id-number-birth-date',
          path: 'payment.payerIdNumber',
          data: { path: 'payment.payerIdNumber', date: '19900230' },
        },
        { code: 'id-number-area', path: 'payment.payerIdNumber', data: { path: 'payment.payerIdNumber', area: '00' } },
      ],
    },
  ],
});
