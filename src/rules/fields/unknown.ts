import { UNKNOWN_FIELD_RULE_ID } from '../../model/parse.js';
import { defineRule } from '../types.js';

/** The texts are the model parser's (`parseDeclaration` reports them to every caller): shown as they are. */
const PARSED = { zh: '{text}', en: '{text}' } as const;

/**
 * Fields the CEB messages do not have: they would be dropped when the message is built. Fields
 * the ruleset chain declares as extensions are not unknown (`fields/schema` checks their values),
 * and known misspellings of XSD names are read as the XSD name (`field-misspelled`). The message of
 * an unknown field names the field of that element it most likely meant (`nearestFieldName`):
 * `actualPaid` → "did you mean acturalPaid?" (the spec's spelling).
 */
export const fieldUnknown = defineRule({
  id: UNKNOWN_FIELD_RULE_ID,
  description: {
    zh: '报文中不存在的字段（构建报文时会丢失）',
    en: 'Fields the CEB messages do not have (they would be lost when the message is built)',
  },
  source: '报文规范 202205: import XSD field definitions',
  defaultSeverity: 'warning',
  codes: {
    'unknown-field': { zh: '未知字段', en: 'Unknown field' },
    'field-misspelled': {
      zh: '字段名误拼，已按规范名称读取',
      en: "A field name is a known misspelling; read as the spec's name",
    },
  },
  messages: { 'unknown-field': PARSED, 'field-misspelled': PARSED },
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'order.actualPaid (the spec spells it acturalPaid)',
        set: { 'order.actualPaid': '597.87' },
        code: 'unknown-field',
        path: 'order.actualPaid',
      },
    ],
  },
  check: (ctx) =>
    ctx.parseIssues
      .filter((i) => i.ruleId === UNKNOWN_FIELD_RULE_ID)
      .map((i) => ({
        messageId: i.code === 'field-misspelled' ? ('field-misspelled' as const) : ('unknown-field' as const),
        path: i.path,
        data: { text: i.message },
        ...(i.severity === 'warning' && { severity: 'warning' as const }),
      })),
});
