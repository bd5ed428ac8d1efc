import { describe, expect, it } from 'vitest';
import type { SandanError } from '../../../src/errors.js';
import { loadGoodsRecords } from '../../../src/rules/goods-records.js';
import { goodsRecordsMatch } from '../../../src/rules/goods/records.js';
import { ruleTester } from '../rule-tester.js';

const RECORDS = {
  'SKU-MILK-800': { gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit1: '035', country: '601' },
  'SKU-CREAM-50': { gcode: '3304990039', gname: '保湿面霜 50ml', unit1: '035' },
};
const goodsRecords = loadGoodsRecords(RECORDS);
/** RECORDS with the milk filed again under names every object has (as JSON.parse reads them: own keys). */
const PROTO_NAMED = loadGoodsRecords(
  JSON.parse(
    JSON.stringify({ ...RECORDS, constructor: RECORDS['SKU-MILK-800'], toString: RECORDS['SKU-MILK-800'] }).replace(
      /^\{/,
      `{"__proto__":${JSON.stringify(RECORDS['SKU-MILK-800'])},`,
    ),
  ),
);

ruleTester(goodsRecordsMatch, {
  valid: [
    { name: 'no goods records given: nothing to check', set: { 'inventory.items[1].itemRecordNo': 'SKU-NEW' } },
    { name: 'both lines as filed (a record without origin fixes none)', options: { goodsRecords } },
    {
      name: 'a line without itemRecordNo is found by itemNo',
      set: { 'inventory.items[0].itemRecordNo': null },
      options: { goodsRecords },
    },
    // (zod's record dropped a record filed under __proto__, unchecked: the line was "not filed")
    ...['__proto__', 'constructor', 'toString'].map((name) => ({
      name: `a line filed under ${name}`,
      set: { 'inventory.items[0].itemRecordNo': name },
      options: { goodsRecords: PROTO_NAMED },
    })),
  ],
  invalid: [
    {
      name: 'line 2 in another legal unit than filed',
      set: { 'inventory.items[1].unit1': '096' },
      options: { goodsRecords },
      errors: [
        {
          code: 'goods-record-mismatch',
          path: 'inventory.items[1].unit1',
          expected: '035',
          actual: '096',
          data: {
            field: 'unit1',
            base: 'inventory.items[1]',
            key: 'SKU-CREAM-50',
            actual: { zh: '096', en: '096' },
            expected: { zh: '035', en: '035' },
          },
          message: {
            zh: 'unit1 为 096，备案 SKU-CREAM-50 为 035',
            en: 'inventory.items[1].unit1 is 096 but goods record SKU-CREAM-50 says 035',
          },
        },
      ],
    },
    {
      name: 'every compared field differs; a second unit the record lacks',
      set: {
        'inventory.items[0].gcode': '1901109000',
        'inventory.items[0].gname': '奶粉',
        'inventory.items[0].unit1': '122',
        'inventory.items[0].unit2': '035',
        'inventory.items[0].country': '502',
      },
      options: { goodsRecords },
      errors: [
        ...(
          [
            ['gcode', '1901109000', '1901101000'],
            ['gname', '奶粉', '婴儿配方奶粉 800g'],
            ['unit1', '122', '035'],
          ] as const
        ).map(([field, actual, expected]) => ({
          code: 'goods-record-mismatch',
          path: `inventory.items[0].${field}`,
          expected,
          actual,
          data: {
            field,
            base: 'inventory.items[0]',
            key: 'SKU-MILK-800',
            actual: { zh: actual, en: actual },
            expected: { zh: expected, en: expected },
          },
        })),
        {
          code: 'goods-record-mismatch',
          path: 'inventory.items[0].unit2',
          expected: '(none)',
          actual: '035',
          data: {
            field: 'unit2',
            base: 'inventory.items[0]',
            key: 'SKU-MILK-800',
            actual: { zh: '035', en: '035' },
            expected: { zh: '空', en: 'none' },
          },
          message: {
            zh: 'unit2 为 035，备案 SKU-MILK-800 为 空',
            en: 'inventory.items[0].unit2 is 035 but goods record SKU-MILK-800 says none',
          },
        },
        {
          code: 'goods-record-mismatch',
          path: 'inventory.items[0].country',
          data: {
            field: 'country',
            base: 'inventory.items[0]',
            key: 'SKU-MILK-800',
            actual: { zh: '502', en: '502' },
            expected: { zh: '601', en: '601' },
          },
        },
      ],
    },
    {
      name: 'a record that wants a second unit the line lacks',
      options: {
        goodsRecords: loadGoodsRecords({ ...RECORDS, 'SKU-CREAM-50': { ...RECORDS['SKU-CREAM-50'], unit2: '142' } }),
      },
      errors: [
        {
          code: 'goods-record-mismatch',
          path: 'inventory.items[1].unit2',
          expected: '142',
          actual: '(none)',
          data: {
            field: 'unit2',
            base: 'inventory.items[1]',
            key: 'SKU-CREAM-50',
            actual: { zh: '空', en: 'empty' },
            expected: { zh: '142', en: '142' },
          },
        },
      ],
    },
    {
      name: 'an item not filed',
      set: { 'inventory.items[1].itemRecordNo': 'SKU-NEW' },
      options: { goodsRecords },
      errors: [
        {
          code: 'goods-record-missing',
          path: 'inventory.items[1].itemRecordNo',
          actual: 'SKU-NEW',
          data: { key: 'SKU-NEW', keyEn: 'SKU-NEW', base: 'inventory.items[1]' },
          message: { zh: '商品 SKU-NEW 没有备案', en: 'inventory.items[1]: no goods record for SKU-NEW' },
        },
      ],
    },
    {
      name: 'a line with neither itemRecordNo nor itemNo',
      set: { 'inventory.items[1].itemRecordNo': null, 'inventory.items[1].itemNo': null },
      options: { goodsRecords },
      errors: [
        {
          code: 'goods-record-missing',
          path: 'inventory.items[1].itemNo',
          actual: '',
          data: { key: '(无料号)', keyEn: '(no itemRecordNo or itemNo)', base: 'inventory.items[1]' },
        },
      ],
    },
  ],
});

describe('loadGoodsRecords', () => {
  it('names the first five problems of bad records, not more', () => {
    // Seven records each without gname: seven problems, five shown (a long list helps nobody).
    const bad = Object.fromEntries(
      Array.from({ length: 7 }, (_, i) => [`SKU-${i}`, { gcode: '1901101000', unit1: '035' }]),
    );
    let message = '';
    try {
      loadGoodsRecords(bad, 'records.json');
    } catch (e) {
      expect((e as SandanError).code).toBe('INVALID_OPTION');
      message = (e as Error).message;
    }
    expect(message).toMatch(/^records\.json: /);
    expect(message.match(/\$\["SKU-\d"\]\["gname"\]/g)).toEqual([
      '$["SKU-0"]["gname"]',
      '$["SKU-1"]["gname"]',
      '$["SKU-2"]["gname"]',
      '$["SKU-3"]["gname"]',
      '$["SKU-4"]["gname"]',
    ]);
  });

  it('checks and keeps a record filed under __proto__, as any other', () => {
    expect([...PROTO_NAMED.keys()].sort()).toEqual([
      'SKU-CREAM-50',
      'SKU-MILK-800',
      '__proto__',
      'constructor',
      'toString',
    ]);
    expect(PROTO_NAMED.get('__proto__')).toEqual(RECORDS['SKU-MILK-800']);
    expect(() => loadGoodsRecords(JSON.parse('{"__proto__": {"gcode": "19011010"}}'), 'records.json')).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/^records\.json: \$\["__proto__"\]\["gcode"\]: .*\$\["__proto__"\]\["gname"\]/),
      }),
    );
  });
});
