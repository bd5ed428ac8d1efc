import { bundledCodeTables } from '../../../src/rules/bundled.js';
import { idCheckCharacter } from '../../../src/rules/id-number.js';
import { idNumberValid } from '../../../src/rules/identity/id-number.js';
import { ruleTester } from '../rule-tester.js';

/** A number of province 99 (none) with a right check character. */
const NO_PROVINCE = `99010619900307151${idCheckCharacter('99010619900307151')}`;

const tables = bundledCodeTables();
/**
 * The citizen ID number on a Taiwan resident's residence permit (address code 830000, since 2018), with a right check
 * character: a number of the same kind as Hong Kong's 810000 and Macao's 820000.
 */
const TAIWAN_PERMIT = `83000019900307151${idCheckCharacter('83000019900307151')}`;

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
      name: 'a lower-case x',
      set: { 'payment.payerIdNumber': '33010619900307151x' },
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
      name: 'province 99 does not exist (the province table is complete)',
      set: { 'payment.payerIdNumber': NO_PROVINCE },
      errors: [
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          actual: '99',
          data: { path: 'payment.payerIdNumber', area: '99' },
        },
      ],
    },
    {
      name: 'province 99 against an incomplete province table: a warning',
      set: { 'payment.payerIdNumber': NO_PROVINCE },
      options: { codes: partial },
      errors: [
        {
          code: 'id-number-area',
          path: 'payment.payerIdNumber',
          severity: 'warning',
          data: { path: 'payment.payerIdNumber', area: '99' },
        },
      ],
    },
    {
      name: 'a malformed number is not also checked for its province',
      set: { 'payment.payerIdNumber': '99010619900307151x' },
      errors: [{ code: 'id-number-format', path: 'payment.payerIdNumber', data: { path: 'payment.payerIdNumber' } }],
    },
    {
      name: 'a wrong birth date and province together',
      set: { 'payment.payerIdNumber': `99010619900230151${idCheckCharacter('99010619900230151')}` },
      errors: [
        {
          code: 'id-number-birth-date',
          path: 'payment.payerIdNumber',
          data: { path: 'payment.payerIdNumber', date: '19900230' },
        },
        { code: 'id-number-area', path: 'payment.payerIdNumber', data: { path: 'payment.payerIdNumber', area: '99' } },
      ],
    },
  ],
});
