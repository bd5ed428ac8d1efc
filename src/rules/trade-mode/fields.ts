import { z } from 'zod';
import { ownKeysRecord, ownValue } from '../../model/guards.js';
import { defineRule, type ReportOf } from '../types.js';

const TRADE_MODE = z.string().regex(/^\d{4}$/);
const HEAD_FIELDS = [
  'emsNo',
  'areaCode',
  'areaName',
  'trafNo',
  'voyageNo',
  'billNo',
  'loctNo',
  'licenseNo',
  'ieDate',
  'wrapType',
] as const;
const LINE_FIELDS = ['itemRecordNo', 'itemNo', 'barCode'] as const;

/** What a trade mode demands of the inventory. */
const ModeRequirement = z.strictObject({
  required: z.array(z.enum(HEAD_FIELDS)).default([]),
  lineRequired: z.array(z.enum(LINE_FIELDS)).default([]),
  /**
   * Fields the spec exempts the mode from (免填, e.g. transport details for bonded goods leaving the zone). The spec
   * does not forbid a value there, so a filled one is reported at `omittedSeverity`.
   */
  omitted: z.array(z.enum(HEAD_FIELDS)).default([]),
  /** A fixed inventory.country, e.g. "142" for bonded goods. */
  country: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
  /**
   * A country the inventory.country must not be, e.g. "142" for direct purchase from abroad; not read where the mode
   * fixes `country` (a ruleset that names a mode's `country` keeps the default's `countryNot`, as options merge).
   */
  countryNot: z
    .string()
    .regex(/^\d{3}$/)
    .optional(),
});

/** The bonded modes' demands (1210 and 1239 alike): a record number and the zone, no transport, country 142. */
const BONDED: z.output<typeof ModeRequirement> = {
  required: ['emsNo', 'areaCode', 'areaName'],
  lineRequired: ['itemRecordNo'],
  omitted: ['trafNo', 'voyageNo', 'billNo'],
  country: '142',
};

const MESSAGES = {
  'trade-mode-field-required': {
    zh: '贸易方式 {mode} 必须填写 {key}',
    en: 'Trade mode {mode} requires inventory.{key}',
  },
  'trade-mode-line-field-required': {
    code: 'trade-mode-field-required',
    zh: '贸易方式 {mode} 的每项商品必须填写 {key}',
    en: 'Trade mode {mode} requires {key} on every line',
  },
  'trade-mode-field-omitted': {
    zh: '贸易方式 {mode} 免填 {key}，清单却填写了',
    en: 'Trade mode {mode} is exempt from inventory.{key} (免填), yet it is filled',
  },
  'trade-mode-country': {
    zh: '贸易方式 {mode} 的国家(地区)应为 {expected}',
    en: 'Trade mode {mode} requires inventory.country {expected}, got {actual}',
  },
  'trade-mode-country-not': {
    code: 'trade-mode-country',
    zh: '贸易方式 {mode} 的国家(地区)应为起始发出国家(地区)，通常在境外，实际为 {actual}',
    en: 'Trade mode {mode} needs the country the goods were shipped from in inventory.country, normally abroad; got {actual}',
  },
} as const;

/** R13: the fields each trade mode makes mandatory, leaves empty or fixes. */
export const tradeModeFields = defineRule({
  id: 'trade-mode/fields',
  description: {
    zh: '按贸易方式（1210/1239/9610）的必填、免填字段与国家',
    en: 'Fields each trade mode (1210 / 1239 / 9610) makes mandatory, leaves empty or fixes',
  },
  source: '报文规范 202205: InventoryHead emsNo, areaCode, trafNo, voyageNo, billNo, country',
  defaultSeverity: 'error',
  options: z.strictObject({
    modes: ownKeysRecord(TRADE_MODE, ModeRequirement).prefault({
      '1210': BONDED,
      '1239': BONDED,
      '9610': { required: ['trafNo', 'voyageNo', 'billNo'], lineRequired: [], omitted: [], countryNot: '142' },
    }),
    /**
     * Severity of a filled field the mode is exempt from. The spec says only 保税进口免填 (exempt, not forbidden) and
     * no customs receipt refusing a filled value is known, so by default a warning; a ruleset with such evidence may
     * make it an error.
     */
    omittedSeverity: z.enum(['warning', 'error']).default('warning'),
    /**
     * Severity of an inventory.country equal to the mode's `countryNot`. The XSD asks direct purchase (9610) for the
     * country the goods were shipped from, which is abroad as a rule; but a 9610 inventory from a supervised site in
     * China (trafMode W, a bonded logistics centre) with country 142 is published by a Hainan integrator, and no
     * receipt refusing one is known, so by default a warning.
     */
    countryNotSeverity: z.enum(['warning', 'error']).default('warning'),
  }),
  codes: {
    'trade-mode-field-required': { zh: '该贸易方式的必填字段缺失', en: 'A field this trade mode requires is missing' },
    'trade-mode-field-omitted': {
      zh: '该贸易方式免填的字段已填写',
      en: 'A field this trade mode is exempt from (免填) is filled',
    },
    'trade-mode-country': { zh: '该贸易方式的国家(地区)不符', en: 'inventory.country does not fit the trade mode' },
  },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'bonded import with account book, area and records (the example declaration)' }],
    invalid: [
      {
        name: 'bonded import without the account book',
        set: { 'inventory.emsNo': null },
        code: 'trade-mode-field-required',
        path: 'inventory.emsNo',
      },
    ],
  },
  check(ctx, options) {
    const inv = ctx.doc('inventory');
    const mode = ctx.str(inv, 'tradeMode');
    // (the mode is the document's: toString or constructor is no mode, not Object.prototype's function)
    const req = mode === undefined ? undefined : ownValue(options.modes, mode);
    if (!inv || !req || mode === undefined) return [];
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    for (const key of req.required) {
      if (inv[key] === undefined || inv[key] === '') {
        out.push({ messageId: 'trade-mode-field-required', path: `inventory.${key}`, data: { mode, key } });
      }
    }
    for (const key of req.omitted) {
      if (inv[key] !== undefined) {
        out.push({
          messageId: 'trade-mode-field-omitted',
          path: `inventory.${key}`,
          ...(options.omittedSeverity === 'warning' && { severity: 'warning' as const }),
          data: { mode, key },
        });
      }
    }
    for (const { index, line } of ctx.lines('inventory')) {
      for (const key of req.lineRequired) {
        if (line[key] === undefined || line[key] === '') {
          out.push({
            messageId: 'trade-mode-line-field-required',
            path: `inventory.items[${index}].${key}`,
            data: { mode, key },
          });
        }
      }
    }
    const country = ctx.str(inv, 'country');
    if (country !== undefined && req.country !== undefined && country !== req.country) {
      out.push({
        messageId: 'trade-mode-country',
        path: 'inventory.country',
        expected: req.country,
        actual: country,
        data: { mode, expected: req.country, actual: country },
      });
    }
    if (
      country !== undefined &&
      req.country === undefined &&
      req.countryNot !== undefined &&
      country === req.countryNot
    ) {
      out.push({
        messageId: 'trade-mode-country-not',
        path: 'inventory.country',
        ...(options.countryNotSeverity === 'warning' && { severity: 'warning' as const }),
        actual: country,
        data: { mode, actual: country },
      });
    }
    return out;
  },
});
