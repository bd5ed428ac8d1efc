import { defineRule } from '../types.js';

/**
 * The waybill's amounts that the spec's field table (表3-17 运单业务节点, 2018 and 202205 editions) marks 必填, 无则填“0”,
 * while the XSD of the same releases lets them be left out (minOccurs 0).
 */
const WAYBILL_FEES = ['freight', 'insuredFee'] as const;

/** The waybill states its freight and insurance, 0 when none: a warning by default, since the XSD accepts it without. */
export const waybillFees = defineRule({
  id: 'logistics/waybill-fees',
  description: {
    zh: '运单填写运费和保价费，无则填“0”（报文规范表3-17必填；XSD 可不填）',
    en: 'The waybill states freight and insuredFee, "0" if none (required by the spec table 表3-17; optional in the XSD)',
  },
  source:
    '报文规范 202205 (and 2018) 表3-17 运单业务节点: LogisticsHead freight, insuredFee 必填, 无则填“0”; the import XSD: minOccurs 0',
  defaultSeverity: 'warning',
  codes: {
    'waybill-fee-missing': { zh: '运单未填运费或保价费', en: 'The waybill leaves out freight or insuredFee' },
  },
  messages: {
    'waybill-fee-missing': {
      zh: '运单未填 {field}：报文规范表3-17列为必填，无则填“0”（XSD 允许不填）',
      en: 'logistics.{field} is left out: the spec\'s field table (表3-17) makes it required, "0" if none, while the XSD lets it be left out; write 0',
    },
  },
  examples: {
    valid: [{ name: 'freight and insuredFee 0.00 on the waybill (the example declaration)' }],
    invalid: [
      {
        name: 'the waybill leaves out insuredFee',
        set: { 'logistics.insuredFee': null },
        code: 'waybill-fee-missing',
        path: 'logistics.insuredFee',
      },
    ],
  },
  check(ctx) {
    const waybill = ctx.doc('logistics');
    if (!waybill) return [];
    return WAYBILL_FEES.filter((field) => waybill[field] === undefined || waybill[field] === '').map((field) => ({
      messageId: 'waybill-fee-missing' as const,
      path: `logistics.${field}`,
      expected: '0',
      data: { field },
    }));
  },
});
