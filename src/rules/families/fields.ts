import { z } from 'zod';
import type { Issue } from '../../model/issue.js';
import { FIELD_RULE_ID, UNKNOWN_FIELD_RULE_ID } from '../../model/parse.js';
import { guidConventionIssue } from '../../model/primitives.js';
import { defineRule } from '../types.js';

const XSD = '报文规范 202205: import XSD field definitions';

/** Every field constraint of the four documents: presence, type, length, format, fixed values. */
export const fieldSchema = defineRule({
  id: FIELD_RULE_ID,
  description: {
    zh: '四单字段约束：必填、类型、长度、格式、固定取值',
    en: 'Field constraints of the four documents: presence, type, length, format, fixed values',
  },
  source: XSD,
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'field-required': { zh: '缺少必填字段', en: 'A required field is missing' },
    'field-type': { zh: '字段类型错误', en: 'A field has the wrong JSON type' },
    'field-too-long': { zh: '字段超长', en: 'A field is longer than the XSD allows' },
    'field-empty': { zh: '字段为空', en: 'A field is an empty string' },
    'field-length': { zh: '字段长度不符', en: 'A fixed-length field has another length' },
    'field-format': { zh: '字段格式错误', en: 'A field does not have the required format' },
    'field-value': { zh: '字段取值不允许', en: 'A field has a value outside the allowed ones' },
    'field-too-few': { zh: '表体项数不足', en: 'A list has too few entries' },
    'field-too-many': { zh: '表体项数过多', en: 'A list has too many entries' },
    'field-invalid': { zh: '字段不合法', en: 'A field is invalid' },
    'guid-convention': {
      zh: 'guid 不是大写 UUID（XSD 允许，惯例不符）',
      en: 'A guid is not an upper-case UUID (the XSD allows it; the convention differs)',
    },
  },
  check: (ctx) => {
    const out: Issue[] = ctx.parseIssues.filter((i) => i.ruleId === FIELD_RULE_ID);
    const input = ctx.input as Record<string, { guid?: unknown } | undefined> | null;
    for (const doc of ['order', 'payment', 'logistics', 'inventory']) {
      const issue = guidConventionIssue(input?.[doc]?.guid, `${doc}.guid`, FIELD_RULE_ID);
      if (issue) out.push(issue);
    }
    return out;
  },
});

/**
 * Fields the CEB messages do not have: they would be dropped when the message is built. Fields
 * the ruleset chain declares as extensions are not unknown (`fields/schema` checks their values),
 * and known misspellings of XSD names are read as the XSD name (`field-misspelled`).
 */
export const fieldUnknown = defineRule({
  id: UNKNOWN_FIELD_RULE_ID,
  description: {
    zh: '报文中不存在的字段（构建报文时会丢失）',
    en: 'Fields the CEB messages do not have (they would be lost when the message is built)',
  },
  source: XSD,
  defaultSeverity: 'warning',
  options: z.strictObject({}),
  codes: {
    'unknown-field': { zh: '未知字段', en: 'Unknown field' },
    'field-misspelled': {
      zh: '字段名误拼，已按规范名称读取',
      en: "A field name is a known misspelling; read as the spec's name",
    },
  },
  check: (ctx) => ctx.parseIssues.filter((i) => i.ruleId === UNKNOWN_FIELD_RULE_ID),
});
