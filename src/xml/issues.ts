import type { z } from 'zod';
import { fieldNameZh } from '../model/field-names.js';
import { formatPath, type Issue, type Message } from '../model/issue.js';
import { FORMAT } from '../model/primitives.js';

/** Rule id of issues found while building a message. */
export const XML_BUILD_RULE_ID = 'xml/build';
/** Rule id of issues found while reading a message. */
export const XML_PARSE_RULE_ID = 'xml/parse';

const FORMAT_TEXT: Record<string, Message> = {
  [FORMAT.decimal]: { zh: '不小于0、最多14位整数和5位小数的数', en: 'a non-negative decimal with at most 14 integer and 5 fraction digits' },
  [FORMAT.dateTime14]: { zh: 'yyyyMMddHHmmss 格式的时间', en: 'a time as yyyyMMddHHmmss' },
  [FORMAT.date8]: { zh: 'yyyyMMdd 格式的日期', en: 'a date as yyyyMMdd' },
  [FORMAT.digits]: { zh: '规定位数的数字代码', en: 'a numeric code of the required length' },
  [FORMAT.gcode]: { zh: '10位商品编码', en: 'a 10-digit commodity code' },
  [FORMAT.guid]: { zh: '36位大写UUID', en: 'a 36-character upper-case UUID' },
  [FORMAT.int]: { zh: '范围内的整数', en: 'an integer in range' },
};

function join(prefix: string, path: readonly PropertyKey[]): string {
  const rest = formatPath(path);
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

/** Turns the zod issues of one document into sandan issues under `prefix` (e.g. `inventory`). */
export function documentIssues(error: z.ZodError, doc: unknown, prefix: string): Issue[] {
  return error.issues.map((zi) => {
    const value = valueAt(doc, zi.path);
    const path = join(prefix, zi.path);
    const name = fieldNameZh(path);
    const base = { severity: 'error' as const, ruleId: XML_BUILD_RULE_ID, path };
    const missing = (zi.code === 'invalid_type' || zi.code === 'invalid_value' || zi.code === 'custom') && value === undefined;
    if (missing) return { ...base, code: 'field-required', message: { zh: `缺少必填项 ${name}（${path}）`, en: `Required field ${path} is missing` } };
    if (zi.code === 'too_big' && zi.origin === 'string') {
      return { ...base, code: 'field-too-long', expected: `≤ ${zi.maximum} characters`, message: { zh: `${name}（${path}）超长：最多 ${zi.maximum} 个字符`, en: `${path} is too long: at most ${zi.maximum} characters` } };
    }
    if (zi.code === 'too_big' || zi.code === 'too_small') {
      const n = zi.code === 'too_big' ? `≤ ${zi.maximum}` : `≥ ${zi.minimum}`;
      return { ...base, code: zi.origin === 'string' ? 'field-length' : 'field-count', expected: n, message: { zh: `${name}（${path}）长度或数量不符：应为 ${n}`, en: `${path} has the wrong length or count: expected ${n}` } };
    }
    if (zi.code === 'invalid_value') {
      const allowed = zi.values.map(String).join(' | ');
      return { ...base, code: 'field-value', expected: allowed, message: { zh: `${name}（${path}）取值不允许，应为 ${allowed}`, en: `${path} must be ${allowed}` } };
    }
    const fmt = FORMAT_TEXT[zi.message];
    if (fmt) return { ...base, code: 'field-format', expected: fmt.en, message: { zh: `${name}（${path}）格式错误，应为${fmt.zh}`, en: `${path} must be ${fmt.en}` } };
    return { ...base, code: 'field-invalid', message: { zh: `${name}（${path}）不合法：${zi.message}`, en: `${path} is invalid: ${zi.message}` } };
  });
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** An issue about the XML itself (parse side), with both messages. */
export function xmlIssue(code: string, severity: Issue['severity'], path: string, zh: string, en: string): Issue {
  return { code, severity, path, ruleId: XML_PARSE_RULE_ID, message: { zh, en } };
}
