import { gnumOf } from '../_lib/lines.js';
import { defineRule, FROM_RECEIPTS, type LinedDocumentName, type ReportOf } from '../types.js';

const DOCS: readonly LinedDocumentName[] = ['order', 'inventory'];

const MESSAGES = {
  '-621027': { zh: '商品序号 {gnum} 重复（{path}）', en: '{path}: gnum {gnum} appears more than once' },
  'gnum-sequence': {
    zh: '第 {expected} 项的商品序号应为 {expected}，实际为 {gnum}',
    en: '{path} must be {expected} (lines are numbered 1, 2, 3, … in order), got {gnum}',
  },
} as const;

/** gnum numbers lines from 1 without gaps or repeats (E-Port -621027). */
export const gnumSequence = defineRule({
  id: 'lines/gnum',
  description: { zh: '商品序号从1开始连续且不重复', en: 'Line numbers (gnum) run from 1 without gaps or repeats' },
  source: '报文规范 202205: OrderList/InventoryList gnum; E-Port -621027',
  defaultSeverity: 'error',
  codes: {
    '-621027': FROM_RECEIPTS,
    'gnum-sequence': { zh: '商品序号应从1开始连续编号', en: 'gnum must be 1, 2, 3, … in order' },
  },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'lines 1 and 2 (the example declaration)' }],
    invalid: [
      {
        name: 'two inventory lines numbered 1',
        set: { 'inventory.items[1].gnum': 1 },
        code: '-621027',
        path: 'inventory.items[1].gnum',
      },
    ],
  },
  check(ctx) {
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    for (const doc of DOCS) {
      const seen = new Set<number>();
      for (const { index, line } of ctx.lines(doc)) {
        const g = gnumOf(ctx, line);
        if (g === undefined) continue;
        const path = `${doc}.items[${index}].gnum`;
        if (seen.has(g)) {
          out.push({ messageId: '-621027', path, actual: String(g), data: { gnum: g, path } });
        } else if (g !== index + 1) {
          const expected = index + 1;
          out.push({
            messageId: 'gnum-sequence',
            path,
            expected: String(expected),
            actual: String(g),
            data: { expected, gnum: g, path },
          });
        }
        seen.add(g);
      }
    }
    return out;
  },
});
