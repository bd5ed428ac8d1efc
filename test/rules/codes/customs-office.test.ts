import { bundledCodeTables } from '../../../src/rules/bundled.js';
import { customsOffices } from '../../../src/rules/codes/customs-office.js';
import { ruleTester } from '../rule-tester.js';

const tables = bundledCodeTables();
const customs = tables.customs!;
/** The bundled tables with the customs table claiming to be complete. */
const complete = { ...tables, customs: { ...customs, complete: true, get: customs.get } };

/** The complete tables with office 2924 closed the day before the example's date (2026-11-20). */
const withdrawn2924 = {
  ...complete,
  customs: {
    ...complete.customs,
    get: (c: string) => (c === '2924' ? { ...customs.get(c)!, validTo: '2026-11-19' } : customs.get(c)),
  },
};

ruleTester(customsOffices, {
  valid: [
    { name: 'the example declaration (2924)' },
    { name: 'a code that is not 4 digits is the schema’s business', set: { 'inventory.portCode': '29' } },
    { name: 'no inventory', set: { inventory: null } },
  ],
  invalid: [
    {
      // A user's complete table where 2924 closed the day before the declaration's date.
      name: 'office 2924 withdrawn before the declaration’s date, in a complete table: an error',
      options: { codes: withdrawn2924 },
      errors: ['customsCode', 'portCode'].map((key) => ({
        code: 'customs-code-unknown',
        messageId: 'customs-code-not-in-force',
        path: `inventory.${key}`,
        actual: '2924',
        data: { key, code: '2924', from: '…', to: '2026-11-19', at: '2026-11-20' },
        message: {
          zh: '关区代码 2924 在代码表中的有效期为 … 至 2026-11-19，申报日 2026-11-20 不在其内',
          en: `inventory.${key} 2924 is in force in the customs code table from … to 2026-11-19, not on 2026-11-20, the declaration’s date`,
        },
      })),
    },
    {
      // Without a date the newest policy is read, and 9999-12-31 is not named as the declaration's date.
      name: 'office 2924 withdrawn, in a declaration without a date',
      set: { 'inventory.declTime': null, 'order.appTime': null },
      options: { codes: withdrawn2924 },
      errors: ['customsCode', 'portCode'].map((key) => ({
        code: 'customs-code-unknown',
        messageId: 'customs-code-not-in-force-undated',
        path: `inventory.${key}`,
        actual: '2924',
        data: { key, code: '2924', from: '…', to: '2026-11-19' },
        message: {
          zh: '关区代码 2924 在代码表中的有效期为 … 至 2026-11-19；声明没有日期，按最新政策校验，该代码已不在有效期内',
          en: `inventory.${key} 2924 is in force in the customs code table from … to 2026-11-19; the declaration has no date, so it was read under the newest policy, where the code is no longer in force`,
        },
      })),
    },
    {
      name: 'port 1124: no district starts with 11',
      set: { 'inventory.portCode': '1124' },
      errors: [
        {
          code: 'customs-code-unknown',
          path: 'inventory.portCode',
          actual: '1124',
          data: { key: 'portCode', code: '1124', prefix: '11' },
          message: {
            zh: '关区代码 1124 不存在：前两位 11 不是任何直属海关',
            en: 'inventory.portCode 1124 is not a customs office: no customs district starts with 11',
          },
        },
      ],
    },
    {
      name: 'office 2999 of district 2900, missing from the incomplete table: a warning',
      set: { 'inventory.customsCode': '2999' },
      errors: [
        {
          code: 'customs-code-unknown',
          messageId: 'customs-code-not-listed',
          path: 'inventory.customsCode',
          severity: 'warning',
          actual: '2999',
          data: { key: 'customsCode', code: '2999', district: '2900' },
          message: {
            zh: '关区代码 2999 不在代码表中（所属关区 2900 存在，代码表不完整）',
            en: 'inventory.customsCode 2999 is not in the customs code table (its district 2900 exists; the table is incomplete)',
          },
        },
      ],
    },
    {
      // 9700 is Xining; the table once lacked it (a seed list had Xining at 9600), which made this an error.
      name: 'office 9701 of district 9700 (Xining), missing from the incomplete table: a warning',
      set: { 'inventory.portCode': '9701' },
      errors: [
        {
          code: 'customs-code-unknown',
          messageId: 'customs-code-not-listed',
          path: 'inventory.portCode',
          severity: 'warning',
          actual: '9701',
          data: { key: 'portCode', code: '9701', district: '9700' },
        },
      ],
    },
    {
      // No district 9900: only the seed list that misplaced Xining had it (for Yinchuan, 9600).
      name: 'port 9901: no district starts with 99',
      set: { 'inventory.portCode': '9901' },
      errors: [
        {
          code: 'customs-code-unknown',
          path: 'inventory.portCode',
          actual: '9901',
          data: { key: 'portCode', code: '9901', prefix: '99' },
        },
      ],
    },
    {
      name: 'the same office against a complete table: an error',
      set: { 'inventory.customsCode': '2999', 'inventory.portCode': '2998' },
      options: { codes: complete },
      errors: [
        {
          code: 'customs-code-unknown',
          path: 'inventory.customsCode',
          data: { key: 'customsCode', code: '2999', district: '2900' },
        },
        {
          code: 'customs-code-unknown',
          path: 'inventory.portCode',
          data: { key: 'portCode', code: '2998', district: '2900' },
        },
      ],
    },
  ],
});
