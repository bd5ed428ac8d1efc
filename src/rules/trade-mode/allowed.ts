import { z } from 'zod';
import { defineRule } from '../types.js';

/** The trade mode is one the customs district accepts for CBEC retail import. */
export const tradeModeAllowed = defineRule({
  id: 'trade-mode/allowed',
  description: {
    zh: '贸易方式为本关区允许的跨境电商零售进口方式',
    en: 'The trade mode is one the customs district accepts for CBEC retail import',
  },
  source:
    '海关总署公告2014年第12号 (9610); 海关总署公告2014年第57号 (1210); 海关总署公告2016年第75号 (1239); 商财发〔2018〕486号',
  defaultSeverity: 'error',
  options: z.strictObject({
    allowed: z
      .array(z.string().regex(/^\d{4}$/))
      .min(1)
      .default(['9610', '1210', '1239']),
  }),
  codes: { 'trade-mode-not-allowed': { zh: '贸易方式不允许', en: 'The trade mode is not allowed here' } },
  messages: {
    'trade-mode-not-allowed': {
      zh: '贸易方式 {mode} 不允许，应为 {allowedZh}',
      en: 'inventory.tradeMode {mode} is not allowed; allowed: {allowedEn}',
    },
  },
  examples: {
    valid: [{ name: '1210 (bonded import)' }],
    invalid: [
      {
        name: '0110 (general trade)',
        set: { 'inventory.tradeMode': '0110' },
        code: 'trade-mode-not-allowed',
        path: 'inventory.tradeMode',
      },
    ],
  },
  check(ctx, options) {
    const mode = ctx.str(ctx.doc('inventory'), 'tradeMode');
    if (mode === undefined || options.allowed.includes(mode)) return [];
    return [
      {
        messageId: 'trade-mode-not-allowed',
        path: 'inventory.tradeMode',
        expected: options.allowed.join(' | '),
        actual: mode,
        data: { mode, allowedZh: options.allowed.join('、'), allowedEn: options.allowed.join(', ') },
      },
    ];
  },
});
