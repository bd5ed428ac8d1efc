import { codeTables } from '../../../src/rules/codes/tables.js';
import { ruleTester } from '../rule-tester.js';

const UNIT = { zh: '计量单位', en: 'Unit of measure' };
const ID_TYPE = { zh: '证件类型', en: 'ID document type' };
const CURRENCY = { zh: '币制', en: 'Currency' };
const COUNTRY = { zh: '国别(地区)', en: 'Country (region)' };

/** An unknown code in an incomplete table: a warning naming the field, the code and the table. */
function warning(path: string, code: string, table: { zh: string; en: string }) {
  return { code: 'code-unknown', path, severity: 'warning' as const, actual: code, data: { path, code, table } };
}

ruleTester(codeTables, {
  valid: [
    { name: 'the example declaration' },
    { name: 'the Guangzhou example (transport mode 5, country 116)', base: 'guangzhou-9610' },
    { name: 'an absent optional coded field', set: { 'inventory.wrapType': null } },
  ],
  invalid: [
    {
      name: 'ID type 3: the ID-type table is complete, so an error',
      set: { 'order.buyerIdType': '3' },
      errors: [
        {
          code: 'code-unknown',
          path: 'order.buyerIdType',
          actual: '3',
          data: { path: 'order.buyerIdType', code: '3', table: ID_TYPE },
        },
      ],
    },
    {
      name: 'unit 999: the unit table is incomplete, so a warning',
      set: { 'inventory.items[0].unit1': '999' },
      errors: [
        {
          code: 'code-unknown',
          messageId: 'code-unknown-incomplete',
          path: 'inventory.items[0].unit1',
          severity: 'warning',
          actual: '999',
          data: { path: 'inventory.items[0].unit1', code: '999', table: UNIT },
        },
      ],
    },
    {
      name: 'every coded field, in the order checked',
      set: {
        'payment.payerIdType': '9',
        'inventory.buyerIdType': '8',
        'order.items[1].unit': '998',
        'inventory.items[1].unit2': '997',
        'inventory.items[0].tradeCountry': '996',
      },
      errors: [
        {
          code: 'code-unknown',
          path: 'inventory.buyerIdType',
          data: { path: 'inventory.buyerIdType', code: '8', table: ID_TYPE },
        },
        {
          code: 'code-unknown',
          path: 'payment.payerIdType',
          data: { path: 'payment.payerIdType', code: '9', table: ID_TYPE },
        },
        {
          code: 'code-unknown',
          path: 'order.items[1].unit',
          severity: 'warning',
          data: { path: 'order.items[1].unit', code: '998', table: UNIT },
        },
        {
          code: 'code-unknown',
          path: 'inventory.items[1].unit2',
          severity: 'warning',
          data: { path: 'inventory.items[1].unit2', code: '997', table: UNIT },
        },
        {
          code: 'code-unknown',
          path: 'inventory.items[0].tradeCountry',
          severity: 'warning',
          data: {
            path: 'inventory.items[0].tradeCountry',
            code: '996',
            table: { zh: '国别(地区)', en: 'Country (region)' },
          },
        },
      ],
    },
    {
      // Each coded field with its own unknown code, so that every field and table the rule lists
      // is seen to be checked (a field left out, or looked up in no table, reports nothing).
      name: 'the other coded fields: currencies of all four documents, country, transport, packing, trade mode',
      set: {
        'order.currency': '901',
        'payment.currency': '902',
        'logistics.currency': '903',
        'inventory.currency': '904',
        'inventory.country': '905',
        'inventory.trafMode': 'Q',
        'inventory.wrapType': '88',
        'inventory.tradeMode': '8888',
        'order.items[0].country': '906',
        'inventory.items[0].unit': '907',
        'inventory.items[1].country': '908',
      },
      errors: [
        warning('order.currency', '901', CURRENCY),
        warning('payment.currency', '902', CURRENCY),
        warning('logistics.currency', '903', CURRENCY),
        warning('inventory.currency', '904', CURRENCY),
        warning('inventory.country', '905', COUNTRY),
        warning('inventory.trafMode', 'Q', { zh: '运输方式', en: 'Mode of transport' }),
        warning('inventory.wrapType', '88', { zh: '包装种类', en: 'Packing type' }),
        warning('inventory.tradeMode', '8888', {
          zh: '贸易方式(监管方式)',
          en: 'Trade mode (customs supervision mode)',
        }),
        warning('order.items[0].country', '906', COUNTRY),
        warning('inventory.items[0].unit', '907', UNIT),
        warning('inventory.items[1].country', '908', COUNTRY),
      ],
    },
  ],
});
