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
    /**
     * Modes not in `allowed` whose refusal at this district and date is not sure (a pilot zone of the district may
     * have held an approval of its own): they warn, where any other mode is refused at the rule's severity. A row
     * whose doubt is about one mode names it here rather than lowering the whole rule to a warning, which let a
     * general-trade 0110 through as a warning.
     */
    doubtful: z.array(z.string().regex(/^\d{4}$/)).optional(),
  }),
  codes: { 'trade-mode-not-allowed': { zh: '贸易方式不允许', en: 'The trade mode is not allowed here' } },
  messages: {
    'trade-mode-not-allowed': {
      zh: '贸易方式 {mode} 不允许，应为 {allowedZh}',
      en: 'inventory.tradeMode {mode} is not allowed; allowed: {allowedEn}',
    },
    // A doubtful mode's warning says the doubt: worded as the refusal, it read as one.
    'trade-mode-doubtful': {
      code: 'trade-mode-not-allowed',
      zh: '贸易方式 {mode} 在本关区此日是否允许不能确定（可能仅限个别试点区域），确定允许的为 {allowedZh}',
      en: 'inventory.tradeMode {mode} may not be allowed here on this date (not sure: perhaps only in some pilot zones); sure to be allowed: {allowedEn}',
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
  // A setting's word about a mode wins for that mode over the options before it (a parent's, the defaults): a mode it
  // doubts leaves the inherited allowed, which is read first and passed it, the doubt dropped without a word; a mode
  // it allows leaves the inherited doubt. A list it writes replaces the inherited one whole, as before.
  supersede(before, written) {
    const without = (list: string[] | undefined, taken: string[] | undefined) =>
      list?.filter((mode) => taken?.includes(mode) !== true);
    return {
      ...before,
      ...(before.allowed !== undefined && { allowed: without(before.allowed, written.doubtful) }),
      ...(before.doubtful !== undefined && { doubtful: without(before.doubtful, written.allowed) }),
    };
  },
  // A mode in both lists passes (allowed is read first), so its doubt said nothing: one ruleset writing both is a slip.
  // Across the chain the later word wins (supersede): the merged options are the chain's, not checked here.
  checkOptions(options) {
    const allowed = new Set(options.allowed ?? []);
    return (options.doubtful ?? []).flatMap((mode, i) =>
      allowed.has(mode)
        ? [
            {
              path: ['doubtful', i],
              message: `${mode} is also in allowed, which is read first, so it passes and the doubt is never said: a mode is either sure (allowed) or doubtful; remove it from one of the lists`,
            },
          ]
        : [],
    );
  },
  check(ctx, options) {
    const mode = ctx.str(ctx.doc('inventory'), 'tradeMode');
    if (mode === undefined || options.allowed.includes(mode)) return [];
    const found = {
      path: 'inventory.tradeMode',
      expected: options.allowed.join(' | '),
      actual: mode,
      data: { mode, allowedZh: options.allowed.join('、'), allowedEn: options.allowed.join(', ') },
    };
    return options.doubtful?.includes(mode) === true
      ? [{ messageId: 'trade-mode-doubtful', ...found, severity: 'warning' }]
      : [{ messageId: 'trade-mode-not-allowed', ...found }];
  },
});
