import type { Issue } from '../../model/issue.js';
import { FIELD_RULE_ID } from '../../model/parse.js';
import { guidConventionIssue } from '../../model/primitives.js';
import { forbiddenCharIssues } from '../../xml/build.js';
import { defineRule, type DocumentName } from '../types.js';

/** The field checks' texts are the model parser's (`parseDeclaration` reports them to every caller): shown as they are. */
const PARSED = { zh: '{text}', en: '{text}' } as const;
/** One message per code the parser reports, each showing the parser's text. */
const MESSAGES = {
  'field-required': PARSED,
  'field-type': PARSED,
  'field-too-long': PARSED,
  'field-empty': PARSED,
  'field-length': PARSED,
  'field-format': PARSED,
  'field-value': PARSED,
  'field-too-few': PARSED,
  'field-too-many': PARSED,
  'field-invalid': PARSED,
  'guid-convention': PARSED,
  'xml-invalid-char': PARSED,
} as const;
const DOCS: readonly DocumentName[] = ['order', 'payment', 'logistics', 'inventory'];

/** Every field constraint of the four documents: presence, type, length, format, fixed values. */
export const fieldSchema = defineRule({
  id: FIELD_RULE_ID,
  description: {
    zh: '四单字段约束：必填、类型、长度、格式、固定取值',
    en: 'Field constraints of the four documents: presence, type, length, format, fixed values',
  },
  source: '报文规范 202205: import XSD field definitions',
  defaultSeverity: 'error',
  codes: {
    'field-required': { zh: '缺少必填字段', en: 'A required field is missing' },
    'field-type': { zh: '字段类型错误', en: 'A field has the wrong JSON type' },
    'field-too-long': { zh: '字段超长', en: 'A field is longer than the XSD allows' },
    'field-empty': {
      zh: '必填字段为空字符串（可选字段为空字符串时视为未填）',
      en: "A required field is an empty string (an optional field given as '' is read as absent)",
    },
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
    'xml-invalid-char': {
      zh: '字段含有 XML 不允许的字符（无法写入报文）',
      en: 'A field holds a character XML does not allow (the message cannot be built)',
    },
  },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'the example declaration' }],
    invalid: [
      {
        name: 'payment.payCode left out',
        set: { 'payment.payCode': null },
        code: 'field-required',
        path: 'payment.payCode',
      },
    ],
  },
  check(ctx) {
    const found: Issue[] = ctx.parseIssues.filter((i) => i.ruleId === FIELD_RULE_ID);
    const input = ctx.input as Record<string, { guid?: unknown } | undefined> | null;
    for (const doc of DOCS) {
      const issue = guidConventionIssue(input?.[doc]?.guid, `${doc}.guid`, FIELD_RULE_ID);
      if (issue) found.push(issue);
      // Text no XML can carry: build refuses it, so a declaration holding it is not valid either.
      forbiddenCharIssues(input?.[doc], doc, found);
    }
    return found.map((i) => ({
      // (a code the parser gained and this rule does not know yet still fails the field)
      messageId: i.code in MESSAGES ? (i.code as keyof typeof MESSAGES) : 'field-invalid',
      path: i.path,
      data: { text: i.message },
      ...(i.severity === 'warning' && { severity: 'warning' as const }),
      ...(i.expected !== undefined && { expected: i.expected }),
      ...(i.actual !== undefined && { actual: i.actual }),
    }));
  },
});
