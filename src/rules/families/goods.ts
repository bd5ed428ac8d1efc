import { z } from 'zod';
import { districtOf } from '../codes.js';
import type { GoodsRecords } from '../goods-records.js';
import { editionAt, type PositiveList } from '../positive-list.js';
import { defineRule, type RuleIssue } from '../types.js';

/** The inventory's customs office belongs to the district whose rules apply. */
export const districtOffices = defineRule({
  id: 'district/offices',
  description: { zh: '申报地海关属于所适用规则的关区；口岸海关属于该关区（否则提示）', en: 'customsCode belongs to the district whose ruleset applies; portCode too (else a warning)' },
  source: 'tax-quota-districts.md §4 (codes); rulesets/codes/customs.json; rulesets/districts/*.json (offices)',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'district-office-mismatch': { zh: '申报地海关不属于该关区', en: 'customsCode is not an office of the district' },
    'district-port-mismatch': { zh: '口岸海关不属于该关区', en: 'portCode is not an office of the district' },
  },
  check(ctx) {
    const district = ctx.district;
    const inv = ctx.doc('inventory');
    if (!district || !inv) return [];
    const own = (code: string) => code === district.code || district.offices.some((o) => o.code === code) || district.ports.some((o) => o.code === code);
    const out: RuleIssue[] = [];
    for (const [key, code, severity] of [['customsCode', 'district-office-mismatch', 'error'], ['portCode', 'district-port-mismatch', 'warning']] as const) {
      const v = ctx.str(inv, key);
      if (v === undefined || !/^\d{4}$/.test(v) || own(v) || districtOf(ctx.codes.customs, v) === district.code) continue;
      out.push({
        code,
        path: `inventory.${key}`,
        expected: district.code,
        actual: v,
        severity,
        message: {
          zh: `${key} ${v} 属于关区 ${districtOf(ctx.codes.customs, v)}，不属于 ${district.code} ${district.name.zh}`,
          en: `inventory.${key} ${v} belongs to district ${districtOf(ctx.codes.customs, v)}, not ${district.code} ${district.name.en}`,
        },
      });
    }
    return out;
  },
});

/** Inventory goods are on the positive list edition in force. */
export const positiveList = defineRule({
  id: 'goods/positive-list',
  description: { zh: '商品编码在当时有效的跨境电商零售进口商品清单（正面清单）内', en: 'The commodity code is on the positive list edition in force' },
  source: '跨境电子商务零售进口商品清单 (2016; 财政部等8部门公告2022年第7号 for the 2022 edition); rulesets/positive-list/*.json',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'positive-list': { zh: '商品不在正面清单内', en: 'The commodity is not on the positive list' },
    'positive-list-unconfirmed': { zh: '无法确认商品在正面清单内（所附清单不完整）', en: 'The commodity could not be confirmed on the positive list (the bundled copy of the list is incomplete)' },
    'positive-list-mode': { zh: '该商品限特定贸易方式', en: 'The commodity is limited to another trade mode' },
  },
  check(ctx) {
    const editions = ctx.extras.positiveLists as readonly PositiveList[] | undefined;
    const edition = editions ? editionAt(editions, ctx.at) : undefined;
    if (!edition) return [];
    const mode = ctx.str(ctx.doc('inventory'), 'tradeMode');
    const out: RuleIssue[] = [];
    for (const { index, line } of ctx.lines('inventory')) {
      const gcode = ctx.str(line, 'gcode');
      if (gcode === undefined || !/^\d{10}$/.test(gcode)) continue;
      const path = `inventory.items[${index}].gcode`;
      const hs8 = gcode.slice(0, 8);
      const entry = edition.lines.get(hs8);
      if (entry) {
        if (entry.modeRestriction && mode !== undefined && entry.modeRestriction !== mode) {
          out.push({ code: 'positive-list-mode', path, expected: entry.modeRestriction, actual: mode, message: { zh: `${hs8} ${entry.name} 限贸易方式 ${entry.modeRestriction}（${entry.remark ?? edition.name.zh}）`, en: `${hs8} is limited to trade mode ${entry.modeRestriction} on ${edition.name.en}` } });
        }
        continue;
      }
      const complete = edition.completeHeadings.has(hs8.slice(0, 4));
      out.push(
        complete
          ? { code: 'positive-list', path, actual: hs8, message: { zh: `${hs8} 不在《${edition.name.zh}》内`, en: `${hs8} is not on ${edition.name.en}` } }
          : { code: 'positive-list-unconfirmed', path, actual: hs8, severity: 'warning', message: { zh: `无法确认 ${hs8} 在《${edition.name.zh}》内：所附清单对品目 ${hs8.slice(0, 4)} 不完整`, en: `${hs8} could not be confirmed on ${edition.name.en}: sandan's copy of the list is incomplete for heading ${hs8.slice(0, 4)}` } },
      );
    }
    return out;
  },
});

/** Inventory lines match the goods records filed for them (R15: legal units of the HS code). */
export const goodsRecordsMatch = defineRule({
  id: 'goods/records',
  description: { zh: '清单商品与商品备案一致（商品编码、名称、法定计量单位、原产国）', en: 'Inventory lines match their goods records (commodity code, name, legal units, origin)' },
  source: 'ceb-messages.md §5 R15; §4.1 (itemRecordNo); E-Port -625007 (item not filed)',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'goods-record-missing': { zh: '商品未备案', en: 'No goods record for the line' },
    'goods-record-mismatch': { zh: '清单商品与备案不一致', en: 'The line differs from its goods record' },
  },
  check(ctx) {
    const records = ctx.extras.goodsRecords as GoodsRecords | undefined;
    if (!records) return [];
    const out: RuleIssue[] = [];
    for (const { index, line } of ctx.lines('inventory')) {
      const base = `inventory.items[${index}]`;
      const key = ctx.str(line, 'itemRecordNo') ?? ctx.str(line, 'itemNo');
      const rec = key === undefined ? undefined : records.get(key);
      if (!rec) {
        out.push({ code: 'goods-record-missing', path: `${base}.${line.itemRecordNo !== undefined ? 'itemRecordNo' : 'itemNo'}`, actual: key ?? '', message: { zh: `商品 ${key ?? '(无料号)'} 没有备案`, en: `${base}: no goods record for ${key ?? '(no itemRecordNo or itemNo)'}` } });
        continue;
      }
      const pairs: Array<[string, string | undefined]> = [['gcode', rec.gcode], ['gname', rec.gname], ['unit1', rec.unit1], ['unit2', rec.unit2], ['country', rec.country]];
      for (const [field, expected] of pairs) {
        const actual = ctx.str(line, field);
        if (field === 'country' && expected === undefined) continue;
        if (actual === expected) continue;
        out.push({
          code: 'goods-record-mismatch',
          path: `${base}.${field}`,
          expected: expected ?? '(none)',
          actual: actual ?? '(none)',
          message: { zh: `${field} 为 ${actual ?? '空'}，备案 ${key} 为 ${expected ?? '空'}`, en: `${base}.${field} is ${actual ?? 'empty'} but goods record ${key} says ${expected ?? 'none'}` },
        });
      }
    }
    return out;
  },
});
