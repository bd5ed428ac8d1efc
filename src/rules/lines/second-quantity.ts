import { defineRule, type ReportOf } from '../types.js';

const MESSAGES = {
  'qty2-unit2': {
    zh: '已填第二计量单位，第二数量必须大于0',
    en: '{base}.unit2 is set, so {base}.qty2 must be present and above 0',
  },
  'unit2-missing': {
    code: 'qty2-unit2',
    zh: '已填第二数量，缺少第二计量单位',
    en: '{base}.qty2 is set but {base}.unit2 is missing',
  },
} as const;

/** R15 (in part): qty2 and unit2 come together, and qty2 is positive. */
export const secondQuantity = defineRule({
  id: 'lines/second-quantity',
  description: {
    zh: '第二数量与第二计量单位同时填写或同时为空，第二数量大于0',
    en: 'qty2 and unit2 are both present (qty2 > 0) or both absent',
  },
  source: '报文规范 202205: InventoryList qty2/unit2; E-Port -625009 (the code of the same check on a refund, CEB625)',
  defaultSeverity: 'error',
  codes: { 'qty2-unit2': { zh: '第二数量与第二计量单位不匹配', en: 'qty2 and unit2 do not go together' } },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'neither qty2 nor unit2 (the example declaration)' }],
    invalid: [
      {
        name: 'unit2 without qty2',
        set: { 'inventory.items[0].unit2': '007' },
        code: 'qty2-unit2',
        path: 'inventory.items[0].qty2',
      },
    ],
  },
  check(ctx) {
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    for (const { index, line } of ctx.lines('inventory')) {
      const hasUnit2 = line.unit2 !== undefined;
      const qty2 = ctx.dec(line, 'qty2');
      const base = `inventory.items[${index}]`;
      if (hasUnit2 && (line.qty2 === undefined || (qty2 && !qty2.gt(0)))) {
        out.push({ messageId: 'qty2-unit2', path: `${base}.qty2`, data: { base } });
      } else if (!hasUnit2 && line.qty2 !== undefined) {
        out.push({ messageId: 'unit2-missing', path: `${base}.unit2`, data: { base } });
      }
    }
    return out;
  },
});
