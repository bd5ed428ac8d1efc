import { defineRule, type ReportOf } from '../types.js';

/** The line fields compared with the goods record. */
const COMPARED = ['gcode', 'gname', 'unit1', 'unit2', 'country'] as const;

const MESSAGES = {
  'goods-record-missing': { zh: '商品 {key} 没有备案', en: '{base}: no goods record for {keyEn}' },
  'goods-record-mismatch': {
    zh: '{field} 为 {actual}，备案 {key} 为 {expected}',
    en: '{base}.{field} is {actual} but goods record {key} says {expected}',
  },
} as const;

/** Inventory lines match the goods records filed for them (R15: legal units of the HS code). */
export const goodsRecordsMatch = defineRule({
  id: 'goods/records',
  description: {
    zh: '清单商品与商品备案一致（商品编码、名称、法定计量单位、原产国）',
    en: 'Inventory lines match their goods records (commodity code, name, legal units, origin)',
  },
  source:
    '报文规范 202205: InventoryList itemRecordNo; E-Port -625007 (item not filed; the code of the same check on a refund, CEB625)',
  defaultSeverity: 'error',
  codes: {
    'goods-record-missing': { zh: '商品未备案', en: 'No goods record for the line' },
    'goods-record-mismatch': { zh: '清单商品与备案不一致', en: 'The line differs from its goods record' },
  },
  messages: MESSAGES,
  examples: {
    valid: [
      {
        name: 'both lines as filed',
        goodsRecords: {
          'SKU-MILK-800': { gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit1: '035', country: '601' },
          'SKU-CREAM-50': { gcode: '3304990039', gname: '保湿面霜 50ml', unit1: '035' },
        },
      },
    ],
    invalid: [
      {
        name: 'line 2 in another legal unit than filed',
        goodsRecords: {
          'SKU-MILK-800': { gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit1: '035', country: '601' },
          'SKU-CREAM-50': { gcode: '3304990039', gname: '保湿面霜 50ml', unit1: '035' },
        },
        set: { 'inventory.items[1].unit1': '096' },
        code: 'goods-record-mismatch',
        path: 'inventory.items[1].unit1',
      },
    ],
  },
  check(ctx) {
    const records = ctx.goodsRecords;
    if (!records) return [];
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    for (const { index, line } of ctx.lines('inventory')) {
      const base = `inventory.items[${index}]`;
      const key = ctx.str(line, 'itemRecordNo') ?? ctx.str(line, 'itemNo');
      const rec = key === undefined ? undefined : records.get(key);
      if (key === undefined || !rec) {
        out.push({
          messageId: 'goods-record-missing',
          path: `${base}.${line.itemRecordNo !== undefined ? 'itemRecordNo' : 'itemNo'}`,
          actual: key ?? '',
          data: { key: key ?? '(无料号)', keyEn: key ?? '(no itemRecordNo or itemNo)', base },
        });
        continue;
      }
      for (const field of COMPARED) {
        const expected = rec[field];
        const actual = ctx.str(line, field);
        // (a record without an origin does not fix one)
        if ((field === 'country' && expected === undefined) || actual === expected) continue;
        out.push({
          messageId: 'goods-record-mismatch',
          path: `${base}.${field}`,
          expected: expected ?? '(none)',
          actual: actual ?? '(none)',
          data: {
            field,
            base,
            key,
            actual: { zh: actual ?? '空', en: actual ?? 'empty' },
            expected: { zh: expected ?? '空', en: expected ?? 'none' },
          },
        });
      }
    }
    return out;
  },
});
