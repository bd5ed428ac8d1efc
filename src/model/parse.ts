import type { z } from 'zod';
import {
  DeclarationSchema,
  InventoryItemSchema,
  InventorySchema,
  LogisticsSchema,
  OrderItemSchema,
  OrderSchema,
  PaymentSchema,
  type Declaration,
  type DeclarationWire,
} from './documents.js';
import { didYouMean, fieldNameZh } from './field-names.js';
import { formatPath, type Issue, type Message } from './issue.js';
import { declarationEmptyAsAbsent } from './empty.js';
import { compileAccept } from './fast-check.js';
import { convertInventory, convertLogistics, convertOrder, convertPayment } from './generated/converters.js';
import { checkArgument, describeInput, getAt, isRecord, ownValue } from './guards.js';
import { memberPath } from './json-position.js';
import { FORMAT, isInexactJsonNumber, toDecimal } from './primitives.js';

const acceptDeclaration = compileAccept(DeclarationSchema);

/** Rule id under which field-level issues are reported. */
export const FIELD_RULE_ID = 'fields/schema';
/** Rule id under which unknown fields are reported (its own rule so a ruleset can tune it). */
export const UNKNOWN_FIELD_RULE_ID = 'fields/unknown';

const FORMAT_TEXT: Record<string, Message> = {
  [FORMAT.decimal]: {
    zh: '最多14位整数、5位小数的十进制数',
    en: 'a decimal with at most 14 integer and 5 fraction digits (N19,5)',
  },
  [FORMAT.nonNegative]: { zh: '不小于0的金额', en: 'an amount not below 0' },
  [FORMAT.dateTime14]: { zh: 'yyyyMMddHHmmss 格式的时间', en: 'a time as yyyyMMddHHmmss' },
  [FORMAT.date8]: { zh: 'yyyyMMdd 格式的日期', en: 'a date as yyyyMMdd' },
  [FORMAT.digits]: { zh: '规定位数的数字代码', en: 'a numeric code of the required length' },
  [FORMAT.gcode]: { zh: '10位商品编码', en: 'a 10-digit commodity code' },
  [FORMAT.int]: { zh: '范围内的整数', en: 'an integer in range' },
};

/** Where zod issues are reported: under a path prefix (e.g. `inventory`), by a rule id. */
export interface IssueTarget {
  prefix?: string;
  ruleId?: string;
}

function joinPath(prefix: string, rest: string): string {
  if (prefix === '') return rest;
  if (rest === '') return prefix;
  return rest.startsWith('[') ? `${prefix}${rest}` : `${prefix}.${rest}`;
}

/**
 * Turns zod issues about `input` into sandan issues with bilingual messages and paths into
 * the input (prefixed when `input` is one document of a larger whole).
 */
export function zodIssuesToIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  target: IssueTarget = {},
): Issue[] {
  checkArgument(issues, 'list', 'zodIssuesToIssues', 'the issues');
  return issues.flatMap((zi) => withEnvelopeHint(fromZodIssue(zi, input, target), zi, input));
}

/**
 * What build fills an envelope field with when it is left out. '' is not read as absent there (the XSD requires
 * them, and a blank appType or appStatus is more likely a lost value than a wish for the default: filling it could
 * declare for real what was meant as a draft), so the issue says how to have it filled.
 */
const ENVELOPE_FILL: Readonly<Record<string, Message>> = {
  guid: { zh: '新的 guid', en: 'a new guid' },
  appType: { zh: '1（新增）', en: '1 (new)' },
  appTime: { zh: '构建时的北京时间', en: 'the Beijing time of building' },
  appStatus: { zh: '2（申报）', en: '2 (declared)' },
};

/** The issues of an envelope field given as '' (a document's head: `order.guid`, or `guid` of a lone document), with how to have build fill it. */
function withEnvelopeHint(issues: Issue[], zi: z.core.$ZodIssue, input: unknown): Issue[] {
  const field = zi.path.at(-1);
  const fill = typeof field === 'string' && zi.path.length <= 2 ? ownValue(ENVELOPE_FILL, field) : undefined;
  if (!fill || getAt(input, zi.path) !== '') return issues;
  return issues.map((i) => ({
    ...i,
    message: {
      zh: `${i.message.zh}；"" 不按缺省处理：如需构建报文时填入${fill.zh}，请省略此字段`,
      en: `${i.message.en}; "" is not read as absent here: leave the field out to have build fill it with ${fill.en}`,
    },
  }));
}

/** Turns one zod issue into sandan issues with bilingual messages. */
function fromZodIssue(zi: z.core.$ZodIssue, input: unknown, target: IssueTarget = {}): Issue[] {
  const path = joinPath(target.prefix ?? '', formatPath(zi.path));
  // The input itself has no path to show beside its name.
  const name = path === '' ? '输入' : `${fieldNameZh(path)}（${path}）`;
  const where = path === '' ? 'the input' : path;
  const actualValue = getAt(input, zi.path);
  const got = () => describeInput(actualValue);
  // Keys in the order the report shows them: severity, ruleId, path, code, expected, actual, message.
  const one = (code: string, message: Message, detail: { expected?: string; actual?: string } = {}): Issue[] => [
    { severity: 'error', ruleId: target.ruleId ?? FIELD_RULE_ID, path, code, ...detail, message },
  ];
  const required = (expected?: string) =>
    one(
      'field-required',
      { zh: `缺少必填项 ${name}`, en: `Required field ${where} is missing` },
      expected === undefined ? {} : { expected },
    );
  const format = (fmt: Message, zhLead: string) =>
    one(
      'field-format',
      {
        zh: `${name}${zhLead}应为${fmt.zh}，实际为 ${got()}`,
        en: `${where} must be ${fmt.en}, got ${got()}`,
      },
      { expected: fmt.en, actual: got() },
    );
  switch (zi.code) {
    case 'unrecognized_keys':
      return zi.keys.map((key) => ({
        severity: 'error',
        ruleId: UNKNOWN_FIELD_RULE_ID,
        path: memberPath(path, key),
        code: 'unknown-field',
        message: {
          zh: `未知字段 ${key}：报文中没有此字段，构建报文时不会带上`,
          en: `Unknown field ${key}: the CEB message has no such field, so it would not be sent`,
        },
      }));
    case 'invalid_type':
      if (path === '' && actualValue === undefined)
        return one(
          'field-required',
          { zh: '缺少输入：应为申报对象', en: 'The input is missing: expected the declaration object' },
          { expected: zi.expected },
        );
      if (actualValue === undefined) return required(zi.expected);
      // A CEB message's text (what sandan validate says of an XML file, in the library's words).
      if (path === '' && typeof actualValue === 'string' && actualValue.trimStart().startsWith('<'))
        return one(
          'field-type',
          {
            zh: '输入应为申报对象，实际为 XML 文本：申报数据是使用 CEB 字段名的 JSON；CEB 报文（XML）请用 parseCebXml 读取',
            en: 'The input must be the declaration object, got XML text: a declaration is JSON with the CEB field names; read a CEB message (XML) with parseCebXml',
          },
          { expected: zi.expected, actual: got() },
        );
      // The usual slip in code: the file's text given instead of its parsed JSON.
      if (path === '' && typeof actualValue === 'string')
        return one(
          'field-type',
          {
            zh: '输入应为申报对象，实际为字符串：请先解析 JSON 文本（JSON.parse）',
            en: 'The input must be the declaration object, got a string: parse the JSON text first (JSON.parse)',
          },
          { expected: zi.expected, actual: got() },
        );
      return one(
        'field-type',
        {
          zh: `${name}类型错误，应为 ${zi.expected}，实际为 ${got()}`,
          en: `${where} has the wrong type: expected ${zi.expected}, got ${got()}`,
        },
        { expected: zi.expected, actual: got() },
      );
    case 'too_big':
      if (zi.origin === 'string') {
        const len = typeof actualValue === 'string' ? actualValue.length : undefined;
        return one(
          'field-too-long',
          {
            zh: `${name}超长：最多 ${zi.maximum} 个字符，实际 ${len} 个`,
            en: `${where} is too long: at most ${zi.maximum} characters, got ${len}`,
          },
          { expected: `≤ ${zi.maximum} characters`, actual: `${len} characters` },
        );
      }
      return one(
        'field-too-many',
        {
          zh: `${name}数量过多：最多 ${zi.maximum} 项`,
          en: `${where} has too many entries: at most ${zi.maximum}`,
        },
        { expected: `≤ ${zi.maximum}` },
      );
    case 'too_small':
      if (zi.origin !== 'string')
        return one(
          'field-too-few',
          { zh: `${name}至少需要 ${zi.minimum} 项`, en: `${where} needs at least ${zi.minimum} entries` },
          { expected: `≥ ${zi.minimum}` },
        );
      if (zi.exact)
        return one(
          'field-length',
          {
            zh: `${name}应为 ${zi.minimum} 个字符`,
            en: `${where} must be exactly ${zi.minimum} characters`,
          },
          { expected: `${zi.minimum} characters`, actual: got() },
        );
      return one('field-empty', { zh: `${name}不能为空`, en: `${where} must not be empty` });
    case 'invalid_value': {
      if (actualValue === undefined) return required();
      const allowed = zi.values.map((v) => String(v)).join(' | ');
      return one(
        'field-value',
        {
          zh: `${name}取值 ${got()} 不允许，应为 ${allowed}`,
          en: `${where} must be ${allowed}, got ${got()}`,
        },
        { expected: allowed, actual: got() },
      );
    }
    case 'invalid_format':
    case 'custom': {
      if (zi.message === FORMAT.decimal || zi.message === FORMAT.int) {
        const expected = zi.message === FORMAT.decimal ? 'number | decimal string' : 'integer';
        if (actualValue === undefined) return required(expected);
        if (typeof actualValue !== 'string' && typeof actualValue !== 'number')
          return one(
            'field-type',
            {
              zh: `${name}类型错误，应为${zi.message === FORMAT.decimal ? '数字或十进制字符串' : '整数'}`,
              en: `${where} must be a ${expected}, got ${got()}`,
            },
            { expected, actual: got() },
          );
        if (zi.message === FORMAT.decimal && toDecimal(actualValue)?.isNegative())
          return format(FORMAT_TEXT[FORMAT.nonNegative]!, '');
        if (zi.message === FORMAT.decimal && isInexactJsonNumber(actualValue))
          return format(
            {
              zh: '字符串形式的金额（超过15位有效数字的 JSON 数字无法准确读取）',
              en: 'a decimal string: a JSON number of more than 15 significant digits is not read exactly',
            },
            '',
          );
      }
      return format(FORMAT_TEXT[zi.message] ?? { zh: '规定格式', en: 'the required format' }, '格式错误，');
    }
    case 'invalid_union':
      // Our unions are "number or string" amounts; the input was neither.
      return one(
        'field-type',
        {
          zh: `${name}应为数字或十进制字符串`,
          en: `${where} must be a number or a decimal string, got ${got()}`,
        },
        { expected: 'number | string', actual: got() },
      );
    default:
      return one(
        'field-invalid',
        { zh: `${name}不合法：${zi.message}`, en: `${where} is invalid: ${zi.message}` },
        { actual: got() },
      );
  }
}

/** What {@link parseDeclaration} returns: the model when the input is well-formed, and every issue found. */
export type ParseResult =
  | { success: true; data: Declaration; issues: Issue[] }
  | { success: false; data?: undefined; issues: Issue[] };

/**
 * Parses JSON input into a typed {@link Declaration} (amounts become Decimal). An optional
 * field given as '' is absent (src/model/empty.ts), as an empty element is in XML.
 * Never throws on bad data: every problem is an issue with a path into the input.
 */
export function parseDeclaration(given: unknown): ParseResult {
  const input = declarationEmptyAsAbsent(given);
  const unknown = unknownFields(input);
  // Well-formed input (the usual case) skips zod; zod runs only to explain what is wrong.
  if (acceptDeclaration(input)) return { success: true, data: toModel(input as DeclarationWire), issues: unknown };
  const result = DeclarationSchema.safeParse(input);
  if (result.success) return { success: true, data: toModel(result.data), issues: unknown };
  return { success: false, issues: [...zodIssuesToIssues(result.error.issues, input), ...unknown] };
}

/** The fields of a document schema. */
const keysOf = (schema: { shape: object }): Set<string> => new Set(Object.keys(schema.shape));
const ROOT_KEYS = keysOf(DeclarationSchema);

/** The documents whose fields are checked, with the fields of the document and of its lines. */
const DOCS: ReadonlyArray<readonly [string, Set<string>, Set<string> | undefined]> = [
  ['order', keysOf(OrderSchema), keysOf(OrderItemSchema)],
  ['payment', keysOf(PaymentSchema), undefined],
  ['logistics', keysOf(LogisticsSchema), undefined],
  ['inventory', keysOf(InventorySchema), keysOf(InventoryItemSchema)],
];

/** Reports each key of `obj` that is not in `keys`; `obj` is document `doc` (`''`: the root) or its line `line`. */
function checkKeys(obj: unknown, keys: Set<string>, doc: string, line: number, out: Issue[]): void {
  if (!isRecord(obj)) return;
  for (const key in obj) {
    if (keys.has(key)) continue;
    const path = line < 0 ? doc : `${doc}.items[${line}]`;
    const p = memberPath(path, key);
    const near = didYouMean(key, keys);
    out.push({
      severity: 'error',
      ruleId: UNKNOWN_FIELD_RULE_ID,
      code: 'unknown-field',
      path: p,
      message: {
        zh: `未知字段 ${key}（${p}）：报文中没有此字段，构建报文时不会带上${near.zh}`,
        en: `Unknown field ${p}: the CEB message has no such field, so it would not be sent${near.en}`,
      },
    });
  }
}

/**
 * Fields the CEB messages do not have. The schemas strip them from the model (so a
 * declaration with an extra field still parses), and this reports each one.
 */
function unknownFields(input: unknown): Issue[] {
  const out: Issue[] = [];
  if (!isRecord(input)) return out;
  checkKeys(input, ROOT_KEYS, '', -1, out);
  for (const [name, keys, itemKeys] of DOCS) {
    const doc = input[name];
    checkKeys(doc, keys, name, -1, out);
    if (itemKeys && isRecord(doc) && Array.isArray(doc.items)) {
      const items: unknown[] = doc.items;
      for (let i = 0; i < items.length; i++) checkKeys(items[i], itemKeys, name, i, out);
    }
  }
  return out;
}

/** Turns checked wire data into the model: amounts become Decimal, integers numbers (generated converters). */
function toModel(wire: DeclarationWire): Declaration {
  const w = wire as unknown as Record<string, Record<string, unknown>>;
  const out: Record<string, unknown> = {
    order: convertOrder(w.order!),
    payment: convertPayment(w.payment!),
    logistics: convertLogistics(w.logistics!),
  };
  if (w.inventory) out.inventory = convertInventory(w.inventory);
  return out as unknown as Declaration;
}
