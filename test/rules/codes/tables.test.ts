import { describe, expect, it } from 'vitest';
import tradeModeData from '../../../rulesets/codes/trade-mode.json';
import { bundledCodeTables } from '../../../src/rules/bundled.js';
import { applySet } from '../../../scripts/rule-examples.js';
import { validate } from '../../../src/rules/index.js';
import { loadCodeTable, type CodeTable, type CodeTables } from '../../../src/rules/codes.js';
import { codeTables } from '../../../src/rules/codes/tables.js';
import { example } from '../../helpers/examples.js';
import { ruleTester } from '../rule-tester.js';

const UNIT = { zh: '计量单位', en: 'Unit of measure' };
const TRADE_MODE = { zh: '贸易方式(监管方式)', en: 'Trade mode (customs supervision mode)' };
const ID_TYPE = { zh: '证件类型', en: 'ID document type' };
const CURRENCY = { zh: '币制', en: 'Currency' };
const COUNTRY = { zh: '国别(地区)', en: 'Country (region)' };

const BUNDLED = bundledCodeTables();
/** The bundled tables with one changed: marked complete, or without the codes `without`. */
function tablesWith(id: string, change: { complete?: boolean; without?: readonly string[] }): CodeTables {
  const t = BUNDLED[id]!;
  const gone = new Set(change.without ?? []);
  const table: CodeTable = {
    ...t,
    complete: change.complete ?? t.complete,
    entries: t.entries.filter((e) => !gone.has(e.code)),
    get: (code) => (gone.has(code) ? undefined : t.get(code)),
  };
  return { ...BUNDLED, [id]: table };
}

/** The bundled tables with one code's entry given dates. */
function dated(id: string, code: string, dates: { validFrom?: string; validTo?: string }): CodeTables {
  const t = BUNDLED[id]!;
  const table: CodeTable = { ...t, get: (c) => (c === code ? { ...t.get(c)!, ...dates } : t.get(c)) };
  return { ...BUNDLED, [id]: table };
}

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
      name: 'unit 999 in a complete unit table: an error',
      set: { 'inventory.items[0].unit1': '999' },
      options: { codes: tablesWith('unit', { complete: true }) },
      errors: [
        {
          code: 'code-unknown',
          path: 'inventory.items[0].unit1',
          actual: '999',
          data: { path: 'inventory.items[0].unit1', code: '999', table: UNIT },
        },
      ],
    },
    {
      name: 'trade mode 1210 withdrawn the day before the declaration’s date (incomplete table: a warning)',
      options: { codes: dated('trade-mode', '1210', { validTo: '2026-11-19' }) },
      errors: [
        {
          code: 'code-unknown',
          messageId: 'code-not-in-force',
          path: 'inventory.tradeMode',
          severity: 'warning',
          actual: '1210',
          data: {
            path: 'inventory.tradeMode',
            code: '1210',
            table: TRADE_MODE,
            from: '2014-08-01',
            to: '2026-11-19',
            at: '2026-11-20',
          },
          message: {
            zh: 'inventory.tradeMode 的代码 1210 在《贸易方式(监管方式)》代码表中的有效期为 2014-08-01 至 2026-11-19，申报日 2026-11-20 不在其内',
            en: 'inventory.tradeMode: 1210 is in force in the Trade mode (customs supervision mode) code table from 2014-08-01 to 2026-11-19, not on 2026-11-20, the declaration’s date',
          },
        },
      ],
    },
    {
      // Without a date the newest policy is read, and 9999-12-31 is not named as the declaration's date.
      name: 'trade mode 1210 withdrawn, in a declaration without a date',
      set: { 'inventory.declTime': null, 'order.appTime': null },
      options: { codes: dated('trade-mode', '1210', { validTo: '2026-11-19' }) },
      errors: [
        {
          code: 'code-unknown',
          messageId: 'code-not-in-force-undated',
          path: 'inventory.tradeMode',
          severity: 'warning',
          actual: '1210',
          data: {
            path: 'inventory.tradeMode',
            code: '1210',
            table: TRADE_MODE,
            from: '2014-08-01',
            to: '2026-11-19',
          },
          message: {
            zh: 'inventory.tradeMode 的代码 1210 在《贸易方式(监管方式)》代码表中的有效期为 2014-08-01 至 2026-11-19；声明没有日期，按最新政策校验，该代码已不在有效期内',
            en: 'inventory.tradeMode: 1210 is in force in the Trade mode (customs supervision mode) code table from 2014-08-01 to 2026-11-19; the declaration has no date, so it was read under the newest policy, where the code is no longer in force',
          },
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
      name: 'tradeCountry USA: a letter code, with the numeric code the spec carries named',
      set: { 'inventory.items[0].tradeCountry': 'USA' },
      errors: [
        {
          code: 'code-unknown',
          messageId: 'code-letters',
          path: 'inventory.items[0].tradeCountry',
          severity: 'warning',
          actual: 'USA',
          data: { path: 'inventory.items[0].tradeCountry', code: 'USA', table: COUNTRY },
        },
      ],
    },
    {
      // The model takes ID type 1 alone (and currency 142 alone): a table without it shows these fields are checked.
      name: 'every coded field, in the order checked',
      set: {
        'order.items[1].unit': '998',
        'inventory.items[1].unit2': '997',
        'inventory.items[0].tradeCountry': '996',
      },
      options: { codes: tablesWith('id-type', { without: ['1'] }) },
      errors: [
        {
          code: 'code-unknown',
          path: 'order.buyerIdType',
          data: { path: 'order.buyerIdType', code: '1', table: ID_TYPE },
        },
        {
          code: 'code-unknown',
          path: 'inventory.buyerIdType',
          data: { path: 'inventory.buyerIdType', code: '1', table: ID_TYPE },
        },
        {
          code: 'code-unknown',
          path: 'payment.payerIdType',
          data: { path: 'payment.payerIdType', code: '1', table: ID_TYPE },
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
        'inventory.country': '905',
        'inventory.trafMode': 'Q',
        'inventory.wrapType': '9',
        'inventory.tradeMode': '8888',
        'order.items[0].country': '906',
        'inventory.items[0].unit': '907',
        'inventory.items[1].country': '908',
      },
      options: { codes: tablesWith('currency', { without: ['142'] }) },
      errors: [
        warning('order.currency', '142', CURRENCY),
        warning('payment.currency', '142', CURRENCY),
        warning('logistics.currency', '142', CURRENCY),
        warning('inventory.currency', '142', CURRENCY),
        warning('inventory.country', '905', COUNTRY),
        warning('inventory.trafMode', 'Q', { zh: '运输方式', en: 'Mode of transport' }),
        warning('inventory.wrapType', '9', { zh: '包装种类', en: 'Packing type' }),
        warning('inventory.tradeMode', '8888', {
          zh: '贸易方式(监管方式)',
          en: 'Trade mode (customs supervision mode)',
        }),
        warning('order.items[0].country', '906', COUNTRY),
        warning('inventory.items[0].unit', '907', UNIT),
        warning('inventory.items[1].country', '908', COUNTRY),
      ],
    },
    {
      // Without a parsed declaration the rule reads the raw input, where a value the field schema refused still
      // stands; that value is reported by fields/schema alone. Another field's unknown code is still reported.
      name: 'a value the field schema refused (country USA, currency 901, ID type 3, wrapType 88) is not reported again',
      set: {
        'inventory.items[1].country': 'USA',
        'order.currency': '901',
        'order.buyerIdType': '3',
        'inventory.wrapType': '88',
        'inventory.items[1].unit1': '996',
      },
      errors: [warning('inventory.items[1].unit1', '996', UNIT)],
    },
  ],
});

describe('validate: a coded value the field schema refuses is reported once, by fields/schema', () => {
  // Without a parsed declaration the rules read the raw input; codes/tables reported these a second time.
  it.each([
    ['inventory.items[0].country', 'USA', 'field-format'],
    ['inventory.wrapType', '88', 'field-too-long'],
    ['order.currency', 'RMB', 'field-value'],
    ['payment.payerIdType', '3', 'field-value'],
  ])('%s %s', (path, value, code) => {
    const d = example('hangzhou-1210');
    applySet(d, { [path]: value });
    const at = validate(d).issues.filter((i) => i.path === path);
    expect(at.map((i) => [i.ruleId, i.code, i.severity])).toEqual([['fields/schema', code, 'error']]);
  });
});

describe('validate: tradeCountry is 1 to 3 characters, as the XSD says, not 1 to 3 digits', () => {
  // XSD InventoryList.tradeCountry: xs:string, minLength 1, maxLength 3, 按海关规定的《国别（地区）代码表》…填报. A code
  // the numeric table does not hold (an alpha-3 code of the declaration form's table since 2018) warns: the table is
  // incomplete. Until session 46 the overlay pattern ^\d{1,3}$ refused it as field-format.
  it.each(['USA', 'U', '11A'])('%s: a warning of codes/tables, no error', (value) => {
    const d = example('hangzhou-1210');
    applySet(d, { 'inventory.items[0].tradeCountry': value });
    const r = validate(d);
    const at = r.issues.filter((i) => i.path === 'inventory.items[0].tradeCountry');
    expect(at.map((i) => [i.ruleId, i.code, i.severity])).toEqual([['codes/tables', 'code-unknown', 'warning']]);
    expect(r.valid).toBe(true);
  });
  it('a letter code says which code the spec carries instead (502 for the United States), not only that the table lacks it', () => {
    const d = example('hangzhou-1210');
    applySet(d, { 'inventory.items[0].tradeCountry': 'USA' });
    const [issue, ...rest] = validate(d).issues.filter((i) => i.path === 'inventory.items[0].tradeCountry');
    expect(rest).toEqual([]);
    expect(issue?.message).toEqual({
      zh: 'inventory.items[0].tradeCountry 的代码 USA 是字母代码，不在《国别(地区)》代码表中：报文规范的样例报文和 country 字段用海关三位数字代码（如美国 502、日本 116），报关单的字母代码（如 USA）是否被接受未见公布，仅提示',
      en: 'inventory.items[0].tradeCountry: USA is a letter code, not in the Country (region) code table: the spec’s sample messages and the country fields carry the 3-digit customs code (e.g. 502 United States, 116 Japan); whether customs accepts a letter code of the declaration form’s table (such as USA) here is not published, so this is a warning',
    });
  });
  it('a digit code the table lacks keeps the plain message', () => {
    const d = example('hangzhou-1210');
    applySet(d, { 'inventory.items[0].tradeCountry': '996' });
    const at = validate(d).issues.filter((i) => i.path === 'inventory.items[0].tradeCountry');
    expect(at.map((i) => i.message.en)).toEqual([
      'inventory.items[0].tradeCountry: 996 is not in the Country (region) code table (the table is incomplete, so this is a warning)',
    ]);
  });
  it('four characters are still too long', () => {
    const d = example('hangzhou-1210');
    applySet(d, { 'inventory.items[0].tradeCountry': 'USAA' });
    const at = validate(d).issues.filter((i) => i.path === 'inventory.items[0].tradeCountry');
    expect(at.map((i) => [i.ruleId, i.code, i.severity])).toEqual([['fields/schema', 'field-too-long', 'error']]);
  });
});

describe('validate: country is a numeric code of the JGS-20 table, unlike tradeCountry', () => {
  // The spec fixes 保税进口 InventoryHead.country at “142” (China in the numeric table; CHN in alpha-3) and its sample
  // messages carry 116, 142 and 303 only, so an alpha-3 code in any country field is a format error. (A direct import,
  // where the head's 起运国 is free; in a 1210 trade-mode/fields also wants 142 there.)
  it.each([
    ['inventory.country', 'CHN'],
    ['inventory.items[0].country', 'JPN'],
    ['order.items[0].country', 'JPN'],
  ])('%s %s: field-format, an error', (path, value) => {
    const d = example('guangzhou-9610');
    applySet(d, { [path]: value });
    const r = validate(d);
    const at = r.issues.filter((i) => i.path === path);
    expect(at.map((i) => [i.ruleId, i.code, i.severity])).toEqual([['fields/schema', 'field-format', 'error']]);
    expect(r.valid).toBe(false);
  });
});

describe('validate: a `codes` option replaces only the tables it names', () => {
  // A caller with a longer currency table passes that one; the country, unit and customs tables stay bundled, so an
  // unknown country code is still reported (a warning: the country table is incomplete). Before, the option replaced
  // every table, and the country code went unchecked without a word.
  it('a custom currency table leaves the country check in place', () => {
    const d = example('hangzhou-1210');
    applySet(d, { 'inventory.items[0].country': '998' });
    const codes = { currency: BUNDLED.currency! };
    const r = validate(d, { codes });
    const at = r.issues.filter((i) => i.path === 'inventory.items[0].country');
    expect(at.map((i) => [i.ruleId, i.code, i.severity])).toEqual([['codes/tables', 'code-unknown', 'warning']]);
  });
  it('the table given is the one used', () => {
    const d = example('hangzhou-1210');
    const r = validate(d, {
      codes: { currency: tablesWith('currency', { complete: true, without: ['142'] }).currency! },
    });
    expect(r.issues.filter((i) => i.ruleId === 'codes/tables').map((i) => [i.path, i.code, i.severity])).toEqual([
      ['order.currency', 'code-unknown', 'error'],
      ['payment.currency', 'code-unknown', 'error'],
      ['logistics.currency', 'code-unknown', 'error'],
      ['inventory.currency', 'code-unknown', 'error'],
    ]);
  });
  it('an empty object is the bundled tables', () => {
    const d = example('hangzhou-1210');
    applySet(d, { 'inventory.items[0].country': '998' });
    expect(validate(d, { codes: {} }).issues.filter((i) => i.path === 'inventory.items[0].country')).toHaveLength(1);
  });
});

describe('validate: a dated code counts on the declaration’s date only', () => {
  // A code table entry may carry validFrom/validTo (the bundled trade-mode table does, and the province table's 9).
  // Until session 48 codes/tables read neither: a code withdrawn before the declaration's date was accepted.
  // A user's table: the bundled one's data, named anew, with 1210 dated.
  const table = (dates: Record<string, string>, complete = true) =>
    loadCodeTable(
      {
        ...tradeModeData,
        name: { zh: '贸易方式', en: 'Trade mode' },
        complete,
        codes: tradeModeData.codes.map((e) => ({ ...e, ...(e.code === '1210' ? dates : {}) })),
      },
      'trade-mode.json',
    );
  const tradeMode = (codes: CodeTables) =>
    validate(example('hangzhou-1210'), { codes })
      .issues.filter((i) => i.ruleId === 'codes/tables')
      .map((i) => [i.path, i.code, i.severity, i.message.en]);
  it('withdrawn before the date (validTo): an error naming its dates', () => {
    expect(tradeMode({ 'trade-mode': table({ validTo: '2026-11-19' }) })).toEqual([
      [
        'inventory.tradeMode',
        'code-unknown',
        'error',
        'inventory.tradeMode: 1210 is in force in the Trade mode code table from 2014-08-01 to 2026-11-19, not on 2026-11-20, the declaration’s date',
      ],
    ]);
  });
  it('not yet in force (validFrom), in an incomplete table: a warning', () => {
    expect(tradeMode({ 'trade-mode': table({ validFrom: '2026-11-21' }, false) })).toEqual([
      [
        'inventory.tradeMode',
        'code-unknown',
        'warning',
        'inventory.tradeMode: 1210 is in force in the Trade mode code table from 2026-11-21 to …, not on 2026-11-20, the declaration’s date',
      ],
    ]);
  });
  it('in force on the date, both bounds inclusive: nothing', () => {
    expect(tradeMode({ 'trade-mode': table({ validFrom: '2026-11-20', validTo: '2026-11-20' }) })).toEqual([]);
  });
  it('the date is the declaration’s: `at` moves it', () => {
    const codes = { 'trade-mode': table({ validTo: '2026-11-19' }) };
    const r = validate(example('hangzhou-1210'), { codes, at: '2026-11-19' });
    expect(r.issues.filter((i) => i.ruleId === 'codes/tables')).toEqual([]);
  });
  it('a declaration without a date is read under the newest policy, and the message says so (not "9999-12-31, the declaration’s date")', () => {
    const d = example('hangzhou-1210');
    delete (d.inventory as Record<string, unknown>).declTime;
    delete (d.order as Record<string, unknown>).appTime;
    const r = validate(d, { codes: { 'trade-mode': table({ validTo: '2026-11-19' }) } });
    expect(r.issues.filter((i) => i.ruleId === 'codes/tables').map((i) => [i.code, i.severity, i.message])).toEqual([
      [
        'code-unknown',
        'error',
        {
          zh: 'inventory.tradeMode 的代码 1210 在《贸易方式》代码表中的有效期为 2014-08-01 至 2026-11-19；声明没有日期，按最新政策校验，该代码已不在有效期内',
          en: 'inventory.tradeMode: 1210 is in force in the Trade mode code table from 2014-08-01 to 2026-11-19; the declaration has no date, so it was read under the newest policy, where the code is no longer in force',
        },
      ],
    ]);
  });
  it('a date that is no date, or validTo before validFrom, is CODE_TABLE_INVALID', () => {
    expect(() => table({ validTo: '2026/11/19' })).toThrowError(/\$\.codes\.\d+\.validTo: a date as YYYY-MM-DD/);
    expect(() => table({ validFrom: '2026-11-20', validTo: '2026-11-19' })).toThrowError(
      'trade-mode.json: code 1210: validTo 2026-11-19 is before validFrom 2026-11-20',
    );
  });
});
