import type { z } from 'zod';
import type { Issue } from '../model/issue.js';
import { zodIssuesToIssues } from '../model/parse.js';
import { checkArgument } from '../model/guards.js';

/** "n characters" in both languages, singular for one (a length an XSD facet or an extension field requires). */
export const characters = (n: number) => ({ zh: `${n} 个字符`, en: `${n} character${n === 1 ? '' : 's'}` });

/** Rule id of issues found while building a message. */
export const XML_BUILD_RULE_ID = 'xml/build';
/** Rule id of issues found while reading a message. */
export const XML_PARSE_RULE_ID = 'xml/parse';

/** Turns the zod issues of one document into sandan issues under `prefix` (e.g. `inventory`). */
export function documentIssues(error: z.ZodError, doc: unknown, prefix: string): Issue[] {
  return zodIssuesToIssues(error.issues, doc, { prefix, ruleId: XML_BUILD_RULE_ID });
}

/** What a parse issue code means: its usual severity, and whether customs' format check refuses a message for it. */
export interface ParseIssueCodeInfo {
  readonly severity: 'error' | 'warning';
  /**
   * A warning the 2022-05 XSD refuses: customs' format check answers the message with a CEB900 (the emulator does),
   * though sandan reads on. Every error is refused anyway.
   */
  readonly formatCheck?: true;
  readonly zh: string;
  readonly en: string;
}

/**
 * Every code `parseCebXml` and `unwrapDxp` report (rule id `xml/parse`). The codes are stable: added, never renamed.
 * docs/xml.md lists them; a test holds the list to this table.
 */
export const PARSE_ISSUE_CODES = {
  'xml-value': {
    severity: 'error',
    zh: '值不符合 XSD 的类型或约束（空元素的类型不允许为空时亦然）；值按原样保留',
    en: "A value its XSD type or facets refuse, or an empty element whose type refuses ''; the value is kept as read",
  },
  'xml-missing-element': {
    severity: 'error',
    zh: '缺少必填元素（元素存在但为空的，见 xml-value）',
    en: 'A required element is absent (one present but empty is xml-value)',
  },
  'xml-missing-attribute': {
    severity: 'error',
    zh: '缺少必填属性：根元素的 guid、version，DxpMsg 的 ver，IsText 的 Encode',
    en: "A required attribute is absent: the root's guid or version, DxpMsg's ver, IsText's Encode",
  },
  'xml-duplicate-element': {
    severity: 'error',
    zh: 'XSD 只允许出现一次的元素重复出现；读取第一个',
    en: 'A second occurrence of an element the XSD allows once; the first is read',
  },
  'xml-too-many': {
    severity: 'error',
    zh: '元素个数超过 XSD 的上限（单证、表体、BaseSubscribe、ReceiverId、Key）；全部读取',
    en: "More of an element than the XSD's maxOccurs (documents, lines, BaseSubscribe, ReceiverId, Key); all are read",
  },
  'xml-unexpected-children': {
    severity: 'error',
    zh: '应为文本的元素含有子元素',
    en: 'Elements inside an element of text content',
  },
  'xml-unexpected-text': {
    severity: 'error',
    zh: '只应含子元素（或应为空）的元素含有空白以外的文本',
    en: 'Text other than XML white space in an element that holds elements only, or must be empty',
  },
  'xml-unknown-element': {
    severity: 'warning',
    formatCheck: true,
    zh: 'XSD 在此处没有的元素；其内容不读取',
    en: 'An element the XSD does not have there; its content is not read',
  },
  'xml-unknown-attribute': {
    severity: 'warning',
    formatCheck: true,
    zh: 'XSD 未声明的属性；不读取',
    en: 'An attribute the XSD does not declare; it is not read',
  },
  'xml-element-order': {
    severity: 'warning',
    formatCheck: true,
    zh: '元素位于 XSD 顺序中应在其后的元素之后',
    en: "An element after one the XSD's sequence puts after it",
  },
  'xml-root-name': {
    severity: 'warning',
    formatCheck: true,
    zh: '根元素名为 CEB214 而非 CEB214Message；按后者读取',
    en: 'A root named CEB214 instead of CEB214Message; read as the latter',
  },
  'xml-no-namespace': {
    severity: 'warning',
    zh: '仅宽松模式：没有命名空间的报文，按 CEB 命名空间读取',
    en: "Lenient reading only: a message in no namespace, read as the CEB namespace's",
  },
  'field-misspelled': {
    severity: 'warning',
    zh: '公开实现中见到的误拼（consigneeDitrict），按 XSD 的名称读取',
    en: "A misspelling seen in public implementations (consigneeDitrict), read as the XSD's name",
  },
  'signature-missing': {
    severity: 'warning',
    zh: 'XSD 要求加签的报文（CEB621/623/625/711）没有 ds:Signature',
    en: 'A message the XSD requires to be signed (CEB621/623/625/711) has no ds:Signature',
  },
  'dxp-msgtype-mismatch': {
    severity: 'warning',
    zh: 'DxpMsg 的 MsgType 与 Data 中的报文不符',
    en: "DxpMsg's MsgType does not name the message in Data",
  },
  'xml-nested-dxp': {
    severity: 'error',
    zh: 'Data 中又是一个 DxpMsg（或 DxpMsgSv），或是交换平台的响应报文 DxpRep',
    en: "Data holds another DxpMsg (or a DxpMsgSv), or the exchange's response to a DxpMsg (a DxpRep)",
  },
  'xml-payload': {
    severity: 'error',
    zh: 'Data 中的报文无法读取（不是格式良好的 XML、根元素未知、根本不是 XML 等），或 Data 为空',
    en: 'The message in Data cannot be read (not well-formed XML, an unknown root, no XML at all, …), or Data is empty',
  },
} as const satisfies Readonly<Record<string, ParseIssueCodeInfo>>;

/** A code of {@link PARSE_ISSUE_CODES}. */
export type ParseIssueCode = keyof typeof PARSE_ISSUE_CODES;

/**
 * True when customs' format check refuses a message with this parse issue: every error, and the warnings the XSD
 * refuses (`formatCheck` in {@link PARSE_ISSUE_CODES}). What the emulator answers with a CEB900.
 */
export function refusedByFormatCheck(issue: Issue): boolean {
  checkArgument(issue, 'object', 'refusedByFormatCheck', 'the issue');
  if (issue.severity === 'error') return true;
  const info: ParseIssueCodeInfo | undefined = (PARSE_ISSUE_CODES as Record<string, ParseIssueCodeInfo>)[issue.code];
  return info?.formatCheck === true;
}

/** An issue about the XML itself (parse side), with both messages; of its code's usual severity unless `severity` says. */
export function xmlIssue(
  code: ParseIssueCode,
  path: string,
  zh: string,
  en: string,
  severity: Issue['severity'] = PARSE_ISSUE_CODES[code].severity,
): Issue {
  return { code, severity, path, ruleId: XML_PARSE_RULE_ID, message: { zh, en } };
}
