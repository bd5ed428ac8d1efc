import { z } from 'zod';
import { defineRule } from '../types.js';

const DOCS = ['logistics', 'inventory'] as const;

/** R10: one package per waybill and inventory. */
export const packNo = defineRule({
  id: 'logistics/pack-no',
  description: { zh: '运单与清单件数为1', en: 'packNo is 1 on the waybill and the inventory' },
  source: '报文规范 202205: packNo',
  defaultSeverity: 'error',
  options: z.strictObject({ expected: z.number().int().positive().default(1) }),
  codes: { 'pack-no': { zh: '件数应为1', en: 'packNo must be 1' } },
  messages: {
    'pack-no': { zh: '件数应为 {expected}，实际为 {actual}', en: '{doc}.packNo must be {expected}, got {actual}' },
  },
  examples: {
    valid: [{ name: 'one package (the example declaration)' }],
    invalid: [
      {
        name: 'two packages on the waybill',
        set: { 'logistics.packNo': 2 },
        code: 'pack-no',
        path: 'logistics.packNo',
      },
    ],
  },
  check(ctx, options) {
    return DOCS.flatMap((doc) => {
      const v = ctx.str(ctx.doc(doc), 'packNo');
      if (v === undefined || !/^\d+$/.test(v) || Number(v) === options.expected) return [];
      const expected = String(options.expected);
      return [
        {
          messageId: 'pack-no' as const,
          path: `${doc}.packNo`,
          expected,
          actual: v,
          data: { doc, expected, actual: v },
        },
      ];
    });
  },
});
