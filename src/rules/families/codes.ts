import { z } from 'zod';
import { districtOf } from '../codes.js';
import { defineRule, type Rec, type RuleContext, type RuleIssue } from '../types.js';

/** Which code table each coded field is checked against. */
const HEAD_FIELDS: Array<{ doc: 'order' | 'payment' | 'logistics' | 'inventory'; key: string; table: string }> = [
  { doc: 'order', key: 'currency', table: 'currency' },
  { doc: 'payment', key: 'currency', table: 'currency' },
  { doc: 'logistics', key: 'currency', table: 'currency' },
  { doc: 'inventory', key: 'currency', table: 'currency' },
  { doc: 'inventory', key: 'country', table: 'country' },
  { doc: 'inventory', key: 'trafMode', table: 'transport-mode' },
  { doc: 'inventory', key: 'wrapType', table: 'packing-type' },
  { doc: 'inventory', key: 'tradeMode', table: 'trade-mode' },
  { doc: 'order', key: 'buyerIdType', table: 'id-type' },
  { doc: 'inventory', key: 'buyerIdType', table: 'id-type' },
  { doc: 'payment', key: 'payerIdType', table: 'id-type' },
];
const LINE_FIELDS: Array<{ doc: 'order' | 'inventory'; key: string; table: string }> = [
  { doc: 'order', key: 'unit', table: 'unit' },
  { doc: 'order', key: 'country', table: 'country' },
  { doc: 'inventory', key: 'unit', table: 'unit' },
  { doc: 'inventory', key: 'unit1', table: 'unit' },
  { doc: 'inventory', key: 'unit2', table: 'unit' },
  { doc: 'inventory', key: 'country', table: 'country' },
  { doc: 'inventory', key: 'tradeCountry', table: 'country' },
];

/** Checks `rec[key]`, found at `doc.key` or, for a line (`line` ≥ 0), at `doc.items[line].key`. */
function checkCode(
  ctx: RuleContext,
  rec: Rec,
  doc: string,
  line: number,
  key: string,
  tableId: string,
  out: RuleIssue[],
): void {
  const table = ctx.codes[tableId];
  const code = ctx.str(rec, key);
  if (!table || code === undefined || table.get(code)) return;
  const path = line < 0 ? `${doc}.${key}` : `${doc}.items[${line}].${key}`;
  out.push({
    code: 'code-unknown',
    path,
    actual: code,
    // An incomplete table cannot prove a code wrong: it only warns.
    severity: table.complete ? 'error' : 'warning',
    message: {
      zh: `${path} 的代码 ${code} 不在《${table.name.zh}》代码表中${table.complete ? '' : '（代码表不完整，仅提示）'}`,
      en: `${path}: ${code} is not in the ${table.name.en} code table${table.complete ? '' : ' (the table is incomplete, so this is a warning)'}`,
    },
  });
}

/** Coded fields hold codes of the customs code tables (rulesets/codes). */
export const codeTables = defineRule({
  id: 'codes/tables',
  description: {
    zh: '代码字段取值在海关代码表中（币制、国别、计量单位、运输方式、包装种类、贸易方式、证件类型）',
    en: 'Coded fields hold codes from the customs code tables (currency, country, unit, transport mode, packing, trade mode, ID type)',
  },
  source: '报文规范 202205: code fields; rulesets/codes/*.json (each table cites its sources)',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'code-unknown': { zh: '代码不在代码表中', en: 'A code is not in its code table' } },
  check(ctx) {
    const out: RuleIssue[] = [];
    for (const f of HEAD_FIELDS) {
      const rec = ctx.doc(f.doc);
      if (rec) checkCode(ctx, rec, f.doc, -1, f.key, f.table, out);
    }
    for (const f of LINE_FIELDS) {
      for (const { index, line } of ctx.lines(f.doc)) checkCode(ctx, line, f.doc, index, f.key, f.table, out);
    }
    return out;
  },
});

/** customsCode and portCode are customs offices (关区代码, JGS/T 18). */
export const customsOffices = defineRule({
  id: 'codes/customs-office',
  description: {
    zh: '申报地海关、口岸海关代码为有效关区代码',
    en: 'customsCode and portCode are customs office codes (JGS/T 18)',
  },
  source: '报文规范 202205: customsCode, portCode (4-digit 关区代码); rulesets/codes/customs.json',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: { 'customs-code-unknown': { zh: '关区代码不存在', en: 'The customs office code is unknown' } },
  check(ctx) {
    const table = ctx.codes.customs;
    const inv = ctx.doc('inventory');
    if (!table || !inv) return [];
    const out: RuleIssue[] = [];
    for (const key of ['customsCode', 'portCode']) {
      const code = ctx.str(inv, key);
      if (code === undefined || !/^\d{4}$/.test(code) || table.get(code)) continue;
      // An office missing from an incomplete table is still plausible when its district is known.
      const district = districtOf(table, code);
      const districtKnown = district !== undefined && table.get(district) !== undefined;
      out.push({
        code: 'customs-code-unknown',
        path: `inventory.${key}`,
        actual: code,
        severity: table.complete || !districtKnown ? 'error' : 'warning',
        message: districtKnown
          ? {
              zh: `关区代码 ${code} 不在代码表中（所属关区 ${district} 存在，代码表不完整）`,
              en: `inventory.${key} ${code} is not in the customs code table (its district ${district} exists; the table is incomplete)`,
            }
          : {
              zh: `关区代码 ${code} 不存在：前两位 ${code.slice(0, 2)} 不是任何直属海关`,
              en: `inventory.${key} ${code} is not a customs office: no customs district starts with ${code.slice(0, 2)}`,
            },
      });
    }
    return out;
  },
});
