import { Decimal as DecimalJs } from 'decimal.js';
import type { Decimal } from 'decimal.js';
import { SandanError, isSandanError, messageOf } from '../errors.js';
import { isXsDate, isXsDateTime } from '../time/beijing.js';
import type { Issue } from '../model/issue.js';
import type { CebLeafType } from '../model/generated/ceb-elements.js';
import { emptyOptionalAsAbsent } from '../model/empty.js';
import { describeNotUtf8, notUtf8 } from '../model/utf8.js';
import { CONVERT_BY_ROOT } from '../model/generated/converters.js';
import { zodIssuesToIssues } from '../model/parse.js';
import { memberPath } from '../model/json-position.js';
import { checkArgument, codePointLength, isDecimalText, ownValue, trimXmlSpace } from '../model/guards.js';
import { Dec } from '../model/primitives.js';
import { knownOptions, optionNames } from '../model/options.js';
import {
  CEB_NS,
  particlesOf,
  layoutOf,
  DS_NS,
  DXP_NS,
  hasModel,
  leafTypeOf,
  type CebSchema,
  type LeafType,
  type Particle,
  XSI_NS,
} from './content-model.js';
import { characters, xmlIssue } from './issues.js';
import { acceptOf, checkBuildableType } from './buildable.js';
import { BUILDABLE, MESSAGE_NAMES, type BuildableType, type DocumentOf, type MessageName } from './messages.js';
import { parseReturnInfo, type ReturnInfo } from './return-info.js';
import { decodeXmlBytes, gbDeclared, MAX_XML_ISSUES, safeXmlText, xmlLimit } from './safety.js';
import { xsdBase64 } from './base64.js';
import { childElements, normalizeLineEnds, type ParsedElement, startElement, type XmlElement } from './core/tree.js';
import { XmlTokenizer, type XmlAttribute } from './core/tokenizer.js';
import { checkExtensionValue, extensionFieldsOf, KNOWN_MISSPELLINGS, type ExtensionField } from './extensions.js';
import { DS_MODEL, DXP_MODEL, type TreeModel } from './generated/tree-models.js';

/** Options of the parsers. */
export interface ParseXmlOptions {
  /** Inputs larger than this many bytes (UTF-8) are refused with XML_TOO_LARGE (default 50 MB, `DEFAULT_MAX_XML_BYTES`). */
  maxBytes?: number;
  /**
   * Reads a CEB message whose elements are in no namespace (a receipt copied from a log without its
   * `xmlns`) as if they were in the CEB namespace, with an `xml-no-namespace` warning. Default false:
   * such a root is refused (XML_UNKNOWN_ROOT), as the XSD wants.
   */
  lenient?: boolean;
  /**
   * Fields beyond the XSD to read, check and keep (a district's extensions, see `districtExtensions`);
   * the built-in ones (CEB816 orderNo, logisticsNo) are always read.
   */
  extensions?: readonly ExtensionField[];
}

// (any other key is misuse: a misspelt `lenient` read a message in no namespace as refused)
export const PARSE_XML_OPTION_NAMES = optionNames<ParseXmlOptions>({ maxBytes: true, lenient: true, extensions: true });

/** Something read beyond the XSD, kept on purpose: not a problem, so not an issue. */
export interface ParseNote {
  code: string;
  path: string;
  message: { zh: string; en: string };
}

/** A document read from a message: CEB field names; amounts Decimal, integers numbers, codes strings; lines under `items`. */
export type CebDocument = Record<string, unknown>;

/** What a ds:Signature says about itself (values as written; verifying is the signing module's job). */
export interface SignatureInfo {
  canonicalizationMethod?: string;
  signatureMethod?: string;
  digestMethod?: string;
  digestValue?: string;
  signatureValue?: string;
  keyName?: string;
  x509Certificate?: string;
}

/**
 * A parsed CEB business message (declaration, receipt, tax bill or format-check receipt).
 * `documentsOf` gives a buildable message's documents as its model type (`CebMessage<Order>`'s documents).
 */
export interface CebMessage<D = CebDocument> {
  kind: 'ceb';
  /** Root element, e.g. `CEB622Message`. */
  root: string;
  /** Message type, e.g. `CEB622`. */
  messageType: string;
  schema: CebSchema;
  name: { zh: string; en: string };
  guid: string;
  version: string;
  /**
   * The documents in order. Receipts' documents also carry `returnInfoParsed` ({@link ReturnInfo})
   * next to the raw `returnInfo`.
   */
  documents: D[];
  baseTransfer?: Record<string, string>;
  baseSubscribe?: Array<Record<string, string>>;
  extendMessage?: { name?: string; version?: string; message: string };
  signature?: SignatureInfo;
  /** What did not fit the XSD: unknown or misplaced elements, bad values, missing fields. */
  issues: Issue[];
  /** Fields beyond the XSD that were read and kept (code `beyond-xsd`), when there were any. */
  notes?: ParseNote[];
}

/** A parsed terminal-node wrapper (DxpMsg) and, when its Data is a CEB message, that message. */
export interface DxpEnvelope {
  kind: 'dxp';
  ver: string;
  transInfo: { copMsgId: string; senderId: string; receiverIds: string[]; creatTime: string; msgType: string };
  /** Base64 text of Data as received. */
  data: string;
  /**
   * Data decoded as text: UTF-8, or GB18030 when the message in it declares GB2312, GBK or GB18030 (as a file of its
   * own is read).
   */
  payload?: string;
  message?: CebMessage;
  addInfo?: Record<string, unknown>;
  signature?: SignatureInfo;
  /** The transfer-node head (SvNo), when the DxpMsg came inside a DxpMsgSv. */
  transfer?: DxpTransfer;
  issues: Issue[];
  /** `issues-omitted`, counting the issues past the first 1000 (`MAX_XML_ISSUES`), as a CEB message's notes do. */
  notes?: ParseNote[];
}

/** The SvNo head of a transfer-node DxpMsgSv (dxp-transfer.xsd), values as read (white space trimmed; '' when absent). */
export interface DxpTransfer {
  msgId: string;
  /** Absent when the SvNo has no SubMsgId (it is optional). */
  subMsgId?: string;
  sendTime: string;
  endNode: string;
  staNode: string;
}

/**
 * The exchange's response to a DxpMsg (dxp-terminal.xsd's DxpRep, 交换平台响应报文): how the DXP node handled a
 * message, one Response per message it answers, each naming the message by its TransInfo (`oriHead`). Values as read
 * (white space trimmed); an optional leaf that is absent is absent here.
 */
export interface DxpResponse {
  kind: 'dxpRep';
  ver: string;
  /** The receiver of this response (the XSD spells the element `RecevierId`). */
  recevierId: string;
  /** The node the receiver belongs to. */
  adNodeId?: string;
  responses: DxpResponseEntry[];
  signature?: SignatureInfo;
  issues: Issue[];
  /** `issues-omitted`, counting the issues past the first 1000 (`MAX_XML_ISSUES`). */
  notes?: ParseNote[];
}

/** One Response of a DxpRep: the answer about one message, and each receiver's result. */
export interface DxpResponseEntry {
  /** The node that produced an error response. */
  nodeId?: string;
  /** The response code of the message's handling (报文处理响应码). */
  responseCode: string;
  responseInfo?: string;
  /** Each receiver's result (每个接收者的处理回执内容). */
  results: Array<{ recId: string; code: string; info?: string; note?: string }>;
  /** When the server produced the response (xs:date). */
  noticeTime: string;
  note?: string;
  /** The TransInfo of the message answered. */
  oriHead: DxpEnvelope['transInfo'];
}

/** Anything `parseCebXml` reads. */
export type ParsedXml = CebMessage | DxpEnvelope;

/** The text of an element of simple content as checkTree keeps it (text and CDATA joined, its one child). */
const textOf = (el: XmlElement): string => (el.children[0]?.type === 'text' ? el.children[0].value : '');

/** A DxpMsg leaf's text without the XML white space around it; '' when the leaf is absent. */
const trimmedTextOf = (el: XmlElement | undefined) => (el === undefined ? '' : trimXmlSpace(textOf(el)));

/** The value of an attribute, by qualified name, of an element (`attrs`) or a start tag (`attributes`). */
function attr(attrs: readonly XmlAttribute[], name: string): string | undefined {
  for (const a of attrs) if (a.qname === name) return a.value;
  return undefined;
}

/**
 * True when a text is digits only (most amounts are: 0, 1, 150). Up to 7 of them make a Decimal
 * from their number (decimal.js's fast path for integers below 10^7: the same value, sign and
 * digits as from the text, in half the time).
 */
function isDigits(t: string): boolean {
  for (let k = 0; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
const INT = /^[+-]?\d+$/;
/** The value of an xs:int text (trimmed), or undefined when it is none. */
function xsInt(t: string): number | undefined {
  const n = Number(t);
  return INT.test(t) && n >= -2147483648 && n <= 2147483647 ? n : undefined;
}
const DECIMAL = { zh: '十进制数', en: 'a decimal' };
const INTEGER = { zh: '整数', en: 'an integer' };

/** What an XSD type requires that an empty value lacks, or undefined when '' is valid (a string without minLength). */
function emptyRefusal(t: CebLeafType): { zh: string; en: string } | undefined {
  if (t.base === 'decimal') return DECIMAL;
  if (t.base === 'int') return INTEGER;
  if (t.base !== 'string') return undefined;
  if (t.length) {
    const n = characters(t.length);
    return { zh: `恰好 ${n.zh}`, en: `exactly ${n.en}` };
  }
  if (t.minLength) {
    const n = characters(t.minLength);
    return { zh: `至少 ${n.zh}`, en: `at least ${n.en}` };
  }
  return undefined;
}

/**
 * What a leaf's non-empty value is checked against, from its XSD type (built once per content model):
 * undefined when its type has no facet and no fixed value (a plain string, an xs:int without totalDigits).
 */
interface Facets {
  /** A string's length bounds in characters (XSD counts code points: an astral character is one, not two). */
  min: number;
  max: number;
  /** The bounds come from `length` (the message says "exactly"). */
  exact: boolean;
  /** The export XSD's `xs:whiteSpace`: the length and the fixed value are of the normalised value. */
  ws: 'replace' | 'collapse' | undefined;
  fixed: string | undefined;
  /** A number's digit bounds (Infinity without the facet). */
  totalDigits: number;
  fractionDigits: number;
  /** A string value needs more than its UTF-16 length compared with the bounds (white space, a fixed value). */
  slow: boolean;
}

function facetsOf(lt: LeafType | undefined): Facets | undefined {
  const t = lt?.type;
  if (t === undefined || t.base === 'xml') return undefined;
  const f: Facets = {
    min: t.length ?? t.minLength ?? 0,
    max: t.length ?? t.maxLength ?? Infinity,
    exact: t.length !== undefined,
    ws: t.whiteSpace,
    fixed: t.base === 'string' ? lt?.fixed : undefined,
    totalDigits: t.totalDigits ?? Infinity,
    fractionDigits: t.fractionDigits ?? Infinity,
    slow: t.whiteSpace !== undefined || (t.base === 'string' && lt?.fixed !== undefined),
  };
  if (t.base === 'string') return f.min > 0 || f.max < Infinity || f.fixed !== undefined ? f : undefined;
  return f.totalDigits < Infinity || f.fractionDigits < Infinity ? f : undefined;
}

/** The root's attributes, alike on all 84 roots of the two XSDs: guid `length 36`, version `minLength 1, maxLength 10`. */
const ROOT_FACETS = [
  ['guid', facetsOf({ type: { base: 'string', length: 36 } })!],
  ['version', facetsOf({ type: { base: 'string', minLength: 1, maxLength: 10 } })!],
] as const;
/** The attributes the XSDs declare on a CEB root; no other CEB element has any. */
const ROOT_ATTRIBUTES: ReadonlySet<string> = new Set(['guid', 'version']);
/** The xsi attributes any element may carry: hints where the schema is, not part of the content. */
const XSI_HINTS: ReadonlySet<string> = new Set(['schemaLocation', 'noNamespaceSchemaLocation']);
/**
 * True for xsi's schema location hints, which XML Schema allows on any element (Part 1 §3.3.4); every other xsi
 * attribute is not allowed on a CEB or DxpMsg element (none is nillable).
 */
const isSchemaHint = (a: { ns: string; local: string }) => a.ns === XSI_NS && XSI_HINTS.has(a.local);
/** An element's name as the result's key: `BaseTransfer` → `baseTransfer`. */
const lowerFirst = (name: string) => `${name[0]!.toLowerCase()}${name.slice(1)}`;

/**
 * True when a string value is sure to fit its facets without a closer look: no white-space facet or fixed
 * value, and its UTF-16 length within the bounds. Units ≥ characters ≥ half the units, so characters need
 * counting only when there may be fewer than the minimum: then a text without a surrogate pair fits too.
 */
function withinLength(f: Facets, s: string): boolean {
  const n = s.length;
  if (f.slow || n > f.max || n < f.min) return false;
  if (2 * f.min <= n) return true;
  for (let k = 0; k < n; k++) if ((s.charCodeAt(k) & 0xfc00) === 0xd800) return false;
  return true;
}

/** XSD white-space normalisation (XML white space only: tab, LF, CR, space; not U+3000 or NBSP). */
function normalizeSpace(s: string, ws: 'replace' | 'collapse'): string {
  const r = s.replace(/[\t\n\r]/g, ' ');
  return ws === 'replace' ? r : r.replace(/ {2,}/g, ' ').replace(/^ | $/g, '');
}

/** What is wrong with a non-empty string value under its facets, as the end of a sentence after its path; undefined when nothing. */
function stringProblem(f: Facets, text: string): { zh: string; en: string } | undefined {
  const v = f.ws === undefined ? text : normalizeSpace(text, f.ws);
  const units = v.length;
  // UTF-16 units ≥ characters ≥ half the units: characters are counted only where that can matter.
  if (units > f.max || 2 * f.min > units) {
    const n = codePointLength(v);
    if (n > f.max || n < f.min) {
      const has = characters(n);
      const ws = v === text ? { zh: '', en: '' } : { zh: '（空白已规范化）', en: ' (white space normalised)' };
      const need = f.exact
        ? { zh: `要求恰好 ${f.min} 个`, en: `requires exactly ${f.min}` }
        : n > f.max
          ? { zh: `最多允许 ${f.max} 个`, en: `allows at most ${f.max}` }
          : { zh: `要求至少 ${f.min} 个`, en: `requires at least ${f.min}` };
      return { zh: `有 ${has.zh}${ws.zh}，XSD ${need.zh}`, en: `has ${has.en}${ws.en}; the XSD ${need.en}` };
    }
  }
  if (f.fixed !== undefined && v !== f.fixed)
    return {
      zh: `为 ${JSON.stringify(text)}，XSD 将其固定为 ${f.fixed}`,
      en: `is ${JSON.stringify(text)}; the XSD fixes it at ${f.fixed}`,
    };
  return undefined;
}

/**
 * What is wrong with a decimal or integer text (trimmed, already known to be one) under totalDigits and
 * fractionDigits, counted in the value (XSD 1.0: leading zeros and a fraction's trailing zeros do not count).
 */
function digitsProblem(f: Facets, t: string): { zh: string; en: string } | undefined {
  let k = t.charCodeAt(0) === 0x2b || t.charCodeAt(0) === 0x2d ? 1 : 0;
  while (t.charCodeAt(k) === 0x30) k++;
  const dot = t.indexOf('.', k);
  const whole = (dot < 0 ? t.length : dot) - k;
  let fraction = 0;
  let total = whole;
  if (dot >= 0) {
    let e = t.length;
    while (e > dot + 1 && t.charCodeAt(e - 1) === 0x30) e--;
    fraction = e - dot - 1;
    let first = dot + 1;
    if (whole === 0) while (first < e && t.charCodeAt(first) === 0x30) first++;
    total = whole + e - first;
  }
  if (fraction > f.fractionDigits)
    return {
      zh: `有 ${fraction} 位小数，XSD 最多允许 ${f.fractionDigits} 位`,
      en: `has ${fraction} decimal places; the XSD allows at most ${f.fractionDigits}`,
    };
  if (total > f.totalDigits)
    return {
      zh: `有 ${total} 位数字，XSD 最多允许 ${f.totalDigits} 位`,
      en: `has ${total} digits; the XSD allows at most ${f.totalDigits}`,
    };
  return undefined;
}

/**
 * A content model indexed for reading: particle index by name, one map per namespace (the first
 * particle of a name wins, as a search in XSD order would find it), the required leaves, and a
 * stamp per particle marking the leaves one element has already read.
 */
interface Lookup {
  ceb: Map<string, number>;
  ds: Map<string, number>;
  /** By particle: its name when it is a CEB one and the first of that name (the one `ceb` finds), else undefined. */
  cebNames: ReadonlyArray<string | undefined>;
  /** Indexes of the required leaves. */
  required: readonly number[];
  /** By particle: the facets its value is checked against (kept here, not looked up per leaf). */
  facets: ReadonlyArray<Facets | undefined>;
  stamps: Float64Array;
  /** A read of this model is under way (then a nested one of the same model keeps its own record). */
  busy: boolean;
}
const lookups = new WeakMap<readonly Particle[], Lookup>();
let stampCounter = 0;

function lookupOf(particles: readonly Particle[]): Lookup {
  let l = lookups.get(particles);
  if (l === undefined) {
    const ceb = new Map<string, number>();
    const ds = new Map<string, number>();
    const cebNames = particles.map((p, i) => {
      const m = p.ns === 'ds' ? ds : ceb;
      if (m.has(p.name)) return undefined;
      m.set(p.name, i);
      return m === ceb ? p.name : undefined;
    });
    // Required leaves and elements of complex content (a document's head and its lines); not ds:Signature, which
    // the root reports as signature-missing.
    const required = particles.flatMap((p, i) => (p.min > 0 && (p.kind !== undefined || p.def) ? [i] : []));
    const facets = particles.map((p) => (p.kind === undefined ? undefined : facetsOf(leafTypeOf(p))));
    l = { ceb, ds, cebNames, required, facets, stamps: new Float64Array(particles.length), busy: false };
    lookups.set(particles, l);
  }
  return l;
}

/*
 * The issues about the XML's structure, one wording each, for the CEB reader and the DxpMsg wrapper's alike.
 */

/** An element before `after`, which the XSD's sequence puts first (xmllint: "This element is not expected"). */
function orderIssue(path: string, local: string, after: string): Issue {
  return xmlIssue(
    'xml-element-order',
    path,
    `${local} 的位置不符合 XSD 的顺序：应在 ${after} 之前`,
    `${local} is out of the XSD's order: it must come before ${after}`,
  );
}

/** A second occurrence of an element the XSD allows once; the first is read. */
function duplicateIssue(path: string, local: string): Issue {
  return xmlIssue(
    'xml-duplicate-element',
    path,
    `${local} 重复出现，只读取第一个`,
    `${local} appears more than once; the first one was read`,
  );
}

/** More of an element than the XSD's maxOccurs (reported once, at the first one too many). */
function tooManyIssue(path: string, local: string, max: number): Issue {
  return xmlIssue(
    'xml-too-many',
    path,
    `${path}：${local} 最多 ${max} 个（XSD 的上限），实际更多`,
    `${path}: more than ${max} ${local}, the XSD's limit`,
  );
}

/** An attribute the XSD does not declare on `element`. */
function unknownAttributeIssue(path: string, qname: string, element: string): Issue {
  return xmlIssue(
    'xml-unknown-attribute',
    path,
    `未知属性 ${qname}（在 ${element} 上）：XSD 中没有此属性，已忽略`,
    `Unknown attribute ${qname} on ${element}: the XSD declares no such attribute; it was not read`,
  );
}

/** Text other than XML white space in `element`, which holds elements only. */
function strayTextIssue(path: string, element: string, text: string): Issue {
  const quoted = JSON.stringify(text.slice(0, 40));
  return xmlIssue(
    'xml-unexpected-text',
    path,
    `${element} 只应含子元素，却含有文本 ${quoted}`,
    `${element} holds elements only, yet has text ${quoted}`,
  );
}

/** An element the XSD does not have in `where` (`name` as written, or `{namespace}local`). */
function unknownElementIssue(path: string, name: string, where: string): Issue {
  return xmlIssue(
    'xml-unknown-element',
    path,
    `未知元素 ${name}（在 ${where} 中）：XSD 中没有此元素，已忽略其内容`,
    `Unknown element ${name} in ${where}: the XSD has no such element; its content was not read`,
  );
}

/** A required element that is absent from `element`. */
function missingElementIssue(path: string, name: string, element: string): Issue {
  return xmlIssue(
    'xml-missing-element',
    path,
    `缺少必填元素 ${name}（在 ${element} 中）`,
    `Required element ${name} is missing from ${element}`,
  );
}

/** A value its type refuses; `problem` ends the sentence that starts with the path. */
function valueIssue(path: string, problem: { zh: string; en: string }, severity?: Issue['severity']): Issue {
  return xmlIssue('xml-value', path, `${path} ${problem.zh}`, `${path} ${problem.en}`, severity);
}

/** "should be `what`, got `text`": the end of a sentence after a value's path. */
function shouldBe(what: { zh: string; en: string }, text: string): { zh: string; en: string } {
  return {
    zh: `应为${what.zh}，实际为 ${JSON.stringify(text)}`,
    en: `should be ${what.en}, got ${JSON.stringify(text)}`,
  };
}

/** An element that is there but empty (`text` as written: '' or white space only), where its type needs `need`. */
function emptyIssue(path: string, need: { zh: string; en: string }, text: string): Issue {
  const blank = text === '' ? { zh: '', en: '' } : { zh: '（仅有空白）', en: ' (white space only)' };
  return xmlIssue(
    'xml-value',
    path,
    `${path} 为空${blank.zh}，XSD 要求${need.zh}`,
    `${path} is empty${blank.en}; the XSD requires ${need.en}`,
  );
}

/** An element of text content that holds elements. */
function unexpectedChildrenIssue(path: string): Issue {
  return xmlIssue(
    'xml-unexpected-children',
    path,
    `${path} 应为文本，却含有子元素`,
    `${path} should hold text but has child elements`,
  );
}

/**
 * The issues of one message, the CEB reader's and the tree checker's alike (a DxpMsg's, a ds:Signature's): the first
 * {@link MAX_XML_ISSUES} are kept, the rest counted. A message of millions of stray elements otherwise held an issue
 * for each (1 GB for 20 MB of `<x/>`), where its first issues refuse it already.
 */
class IssueLog {
  readonly issues: Issue[] = [];
  /** Issues past {@link MAX_XML_ISSUES}, counted, not kept. */
  omitted = 0;
  /** The kinds (`code severity`) of the issues kept, made when the limit is reached. */
  private kinds: Set<string> | undefined;

  report(issue: Issue): void {
    if (this.issues.length < MAX_XML_ISSUES) {
      this.issues.push(issue);
      return;
    }
    // Past the limit an issue of a kind not yet listed is kept all the same (there are some twenty kinds): the
    // verdict, and whether customs' format check refuses the message, stay what all the issues would make them.
    const kindOf = (i: Issue) => `${i.code} ${i.severity}`;
    this.kinds ??= new Set(this.issues.map(kindOf));
    const kind = kindOf(issue);
    if (this.kinds.has(kind)) this.omitted++;
    else {
      this.kinds.add(kind);
      this.issues.push(issue);
    }
  }

  /** The note that counts the issues left out, when there are any. */
  omittedNotes(): ParseNote[] {
    if (this.omitted === 0) return [];
    const zh = `另有 ${this.omitted} 个问题未列出（只列前 ${MAX_XML_ISSUES} 个，及其后每种首次出现的问题）`;
    const en = `${this.omitted} more issues are not listed (only the first ${MAX_XML_ISSUES} are, and after them the first of each kind)`;
    return [{ code: 'issues-omitted', path: '', message: { zh, en } }];
  }
}

/**
 * Reads CEB content straight from the tokens, in one pass, without building the generic tree
 * first (a signature, the only part read as a tree, is built from the same tokens). Every method
 * that reads an element starts at its start tag (the current token) and returns after its end tag.
 */
class Reader extends IssueLog {
  readonly notes: ParseNote[] = [];
  // What the last leafText() saw.
  private hasElements = false;
  private childElements = 0;
  private tagEnd = 0;
  private endTagStart = 0;
  private readonly extensionsByElement = new Map<string, ExtensionField[]>();
  constructor(
    readonly t: XmlTokenizer,
    /** The text the tokenizer reads, for fields read as written (`xs:anyType`). */
    readonly source: string,
    readonly bom: number,
    readonly schema: CebSchema,
    readonly extensions: readonly ExtensionField[] = [],
    /** Unprefixed elements in no namespace are read as the CEB namespace's (lenient reading). */
    readonly lenient = false,
  ) {
    super();
  }

  /** Namespace of the current start tag, as read. */
  ns(): string {
    const t = this.t;
    return this.lenient && t.ns === '' && t.prefix === '' ? CEB_NS : t.ns;
  }

  /**
   * The text content of the current element: its text and CDATA children joined, read through its
   * end tag. Element children are passed over, noted in `hasElements` for the caller to report.
   */
  private leafText(): string {
    const t = this.t;
    this.tagEnd = t.end;
    this.hasElements = false;
    this.childElements = 0;
    let text = '';
    for (;;) {
      const k = t.next();
      if (k === 'text' || k === 'cdata') text = text === '' ? t.text() : text + t.text();
      else if (k === 'start') {
        this.hasElements = true;
        this.childElements++;
        passOver(this.t);
      } else if (k === 'end') {
        this.endTagStart = t.start;
        return text;
      } else if (k === 'eof' || k === 'more') throw new Error(`tokenizer answered ${k} inside an element`);
    }
  }

  /** The extension fields of an element (built-in ones, then the caller's). */
  private extensionFields(element: string): ExtensionField[] {
    let x = this.extensionsByElement.get(element);
    if (x === undefined) this.extensionsByElement.set(element, (x = extensionFieldsOf(element, this.extensions)));
    return x;
  }

  /**
   * An element the XSD does not have where it is (the current token, a child of `element`): a known
   * misspelling or an extension field is read, else reported and passed over.
   */
  beyond(element: string, particles: readonly Particle[], path: string, out: Record<string, unknown>): void {
    const t = this.t;
    const local = t.local;
    if (this.ns() === CEB_NS) {
      const alias = KNOWN_MISSPELLINGS.find((a) => a.element === element && a.alias === local);
      const p = alias && particles.find((q) => q.name === alias.name && q.kind !== undefined);
      if (alias && p) {
        const v = this.leaf(p, path, local, lookupOf(particles).facets[particles.indexOf(p)]);
        if (v !== undefined && out[p.name] === undefined) out[p.name] = v;
        this.report(
          xmlIssue(
            'field-misspelled',
            `${path}.${local}`,
            `${local} 是 ${p.name} 的误拼，已按 ${p.name} 读取`,
            `${local} is a misspelling of ${p.name}; read as ${p.name}`,
          ),
        );
        return;
      }
      const x = this.extensionFields(element).find((f) => f.name === local);
      if (x) {
        const cpath = `${path}.${local}`;
        const v = this.leaf({ name: x.name, ns: 'ceb', min: 0, max: 1, kind: x.kind }, path, local);
        if (v === undefined) return;
        const problem = checkExtensionValue(x, String(v))?.expected;
        // As in validate and build: a field its ruleset is unsure of warns, never fails.
        if (problem)
          this.report(
            valueIssue(
              cpath,
              shouldBe({ zh: problem, en: problem }, String(v)),
              x.confidence === 'uncertain' ? 'warning' : 'error',
            ),
          );
        out[x.name] = v;
        this.notes.push({
          code: 'beyond-xsd',
          path: cpath,
          message: {
            zh: `${local} 不在 2022 版 XSD 的 ${element} 中，已读取并保留`,
            en: `${local} is not in the 2022 XSD's ${element}; read and kept`,
          },
        });
        return;
      }
    }
    this.unknown(path, element);
  }

  /**
   * Reports the attributes of the current start tag that the XSD does not declare (`allowed`: the root's guid and
   * version). The CEB XSDs declare no attribute on any other element; xsi's schema location hints are allowed.
   */
  attributes(path: string, allowed?: ReadonlySet<string>): void {
    const t = this.t;
    for (const a of t.attributes) {
      if (a.ns === '' ? allowed?.has(a.local) : isSchemaHint(a)) continue;
      this.report(unknownAttributeIssue(`${path}@${a.qname}`, a.qname, t.name));
    }
  }

  /**
   * The current text or CDATA token, between the children of an element that holds elements only: XML white space
   * is allowed there (a `&#32;` too), anything else is not (xmllint: "Character content other than whitespace is
   * not allowed"). Reported once per element; `reported` says whether it was already.
   */
  strayText(path: string, element: string, reported: boolean): boolean {
    const t = this.t;
    if (reported || (t.kind === 'text' && t.isWhitespace()) || trimXmlSpace(t.text()) === '') return reported;
    this.report(strayTextIssue(path, element, t.text()));
    return true;
  }

  /** Reports the current element as unknown in `where` and passes over it. */
  unknown(path: string, where: string): void {
    const t = this.t;
    const ns = this.ns();
    const name = ns === '' ? t.name : `{${ns}}${t.local}`;
    this.report(unknownElementIssue(`${path}.${t.local}`, name, where));
    passOver(this.t);
  }

  /**
   * Reads the current element, a leaf, as its XSD type; bad values stay strings and are reported. A value
   * of its type is checked against the type's facets (`f`): one out of them is reported and kept as read.
   */
  leaf(p: Particle, parent: string, local: string, f?: Facets): unknown {
    if (this.t.attributes.length !== 0) this.attributes(`${parent}.${local}`);
    const text = this.leafText();
    // ceb:XMLElement (ExtendMessage's Message): element-only, at most one element of any name (xs:any, skip), kept
    // as written in the source.
    if (p.kind === 'x') {
      const path = `${parent}.${local}`;
      if (trimXmlSpace(text) !== '') this.report(strayTextIssue(path, local, text));
      if (this.childElements > 1) this.report(tooManyIssue(path, 'element', 1));
      return this.tagEnd >= this.endTagStart ? '' : this.source.slice(this.tagEnd, this.endTagStart);
    }
    // The path is written out only for an issue.
    if (this.hasElements) this.report(unexpectedChildrenIssue(`${parent}.${local}`));
    if (p.kind === 'd' || p.kind === 'i') {
      const t = trimXmlSpace(text);
      if (t === '') return this.hasElements ? undefined : this.empty(p, parent, local, text);
      const digits = isDigits(t);
      const v =
        p.kind === 'i' ? xsInt(t) : digits ? new Dec(t.length <= 7 ? Number(t) : t) : isDecimalText(t) && new Dec(t);
      if (v === undefined || v === false) {
        this.report(valueIssue(`${parent}.${local}`, shouldBe(p.kind === 'd' ? DECIMAL : INTEGER, text)));
        return text;
      }
      // Digits only have no fraction and no more digits than characters: counted only past totalDigits.
      if (f !== undefined && (!digits || t.length > f.totalDigits)) this.facetIssue(parent, local, digitsProblem(f, t));
      return v;
    }
    // Element children (reported above) leave no text: no value, and no second issue.
    if (text === '') return this.hasElements ? undefined : this.empty(p, parent, local, text);
    if (f !== undefined && !withinLength(f, text)) this.facetIssue(parent, local, stringProblem(f, text));
    return text;
  }

  /** Reports a value out of its XSD facets (`problem` ends the sentence that starts with the element's path). */
  facetIssue(parent: string, local: string, problem: { zh: string; en: string } | undefined): void {
    if (problem === undefined) return;
    this.report(valueIssue(memberPath(parent, local), problem));
  }

  /**
   * An empty leaf (no text, or white space only in a number), judged as the XSD judges it: valid when
   * the element has a fixed or default value (it then has that value in the XSD's eyes) or its type
   * accepts '' (a string without length or minLength); else (a number, a string with a length or
   * minLength) an `xml-value` error. Either way it carries no value, as if absent (the official samples
   * have empty optional elements; the reconcile scanner reads them so too).
   */
  private empty(p: Particle, parent: string, local: string, text: string): undefined {
    const lt = leafTypeOf(p);
    // An extension field has no XSD type (beyond() passes over an empty one).
    if (lt === undefined || (text === '' && lt.ifEmpty !== undefined)) return undefined;
    const need = emptyRefusal(lt.type);
    if (need === undefined) return undefined;
    this.report(emptyIssue(`${parent}.${local}`, need, text));
    return undefined;
  }

  /**
   * Reads the current element, `element` of complex content, into an object; repeated complex
   * children are collected in arrays. Text between the children is not read.
   */
  fields(element: string, particles: readonly Particle[], path: string): Record<string, unknown> {
    const t = this.t;
    const out: Record<string, unknown> = {};
    const lookup = lookupOf(particles);
    // Leaves read so far, by particle: stamped with this read's number (a nested read of the same model keeps a Set).
    const nested = lookup.busy;
    const seen = nested ? new Set<number>() : undefined;
    const stamp = ++stampCounter;
    const stamps = lookup.stamps;
    let next = 0;
    if (t.attributes.length !== 0) this.attributes(path);
    let text = false;
    lookup.busy = true;
    try {
      for (;;) {
        const k = t.next();
        if (k === 'end') break;
        if (k !== 'start') {
          // White space between the children (the usual case) is passed over without a call.
          if (k === 'cdata' || (k === 'text' && !text && !t.isWhitespace())) text = this.strayText(path, element, text);
          else if (k === 'eof' || k === 'more') throw new Error(`tokenizer answered ${k} inside an element`);
          continue;
        }
        const ns = this.ns();
        const local = t.local;
        // Children mostly come in XSD order: the particle after the last one read, or that one again
        // (a repeated element), is tried before the maps.
        const names = lookup.cebNames;
        const i =
          ns !== CEB_NS
            ? ns === DS_NS
              ? lookup.ds.get(local)
              : undefined
            : names[next] === local
              ? next
              : next > 0 && names[next - 1] === local
                ? next - 1
                : lookup.ceb.get(local);
        if (i === undefined) {
          this.beyond(element, particles, path, out);
          continue;
        }
        // Content models are XSD sequences: a child before the one read last is out of place (xmllint:
        // "This element is not expected"), and customs' format check refuses the message for it.
        if (i < next - 1) this.report(orderIssue(`${path}.${local}`, local, particles[next - 1]!.name));
        next = i + 1;
        const p = particles[i]!;
        if (p.kind !== undefined) {
          const again = seen ? seen.has(i) : stamps[i] === stamp;
          if (again && p.max === 1) {
            this.report(duplicateIssue(`${path}.${local}`, local));
            passOver(this.t);
            continue;
          }
          if (seen) seen.add(i);
          else stamps[i] = stamp;
          const v = this.leaf(p, path, local, lookup.facets[i]);
          if (v !== undefined) out[p.name] = v;
        } else if (p.def) {
          if (p.max === 1) {
            if (out[p.name] !== undefined) {
              this.report(duplicateIssue(`${path}.${local}`, local));
              passOver(this.t);
              continue;
            }
            out[p.name] = this.fields(local, particlesOf(this.schema, p.def), `${path}.${local}`);
          } else {
            // A repeated element (a document's lines) is named with its index, so that each issue says which one.
            const list = (out[p.name] ??= []) as unknown[];
            // Past the XSD's limit (99 lines): reported once, and every one read all the same.
            if (list.length === p.max) this.report(tooManyIssue(`${path}.${local}`, local, p.max));
            list.push(this.fields(local, particlesOf(this.schema, p.def), `${path}.${local}[${list.length}]`));
          }
        } else passOver(this.t);
      }
    } finally {
      if (!nested) lookup.busy = false;
    }
    // A leaf that was there is not missing, even without a value (it was empty: leaf() judged that); an element of
    // complex content is there when it was read.
    for (const i of lookup.required) {
      const p = particles[i]!;
      if (out[p.name] === undefined && (p.kind === undefined || !(seen ? seen.has(i) : stamps[i] === stamp))) {
        this.report(missingElementIssue(`${path}.${p.name}`, p.name, element));
      }
    }
    return out;
  }
}

function signatureInfo(el: XmlElement): SignatureInfo {
  const out: SignatureInfo = {};
  const walk = (e: XmlElement) => {
    for (const c of childElements(e)) {
      switch (c.local) {
        case 'CanonicalizationMethod':
        case 'SignatureMethod':
        case 'DigestMethod':
          out[lowerFirst(c.local) as keyof SignatureInfo] = attr(c.attrs, 'Algorithm');
          break;
        case 'DigestValue':
        case 'SignatureValue':
        case 'KeyName':
        case 'X509Certificate':
          out[lowerFirst(c.local) as 'digestValue'] = textOf(c).replace(/\s+/g, '');
          break;
        default:
          walk(c);
      }
    }
  };
  walk(el);
  for (const k of Object.keys(out) as Array<keyof SignatureInfo>) if (out[k] === undefined) delete out[k];
  return out;
}

/** Documents with lines are flattened the model's way: head fields, then `items`. The current token is the document's start tag. */
function readDocument(r: Reader, schema: CebSchema, root: string, path: string): CebDocument {
  const layout = layoutOf(schema, root);
  const element = r.t.local;
  if (!layout.head.name) return finishDocument(r.fields(element, layout.head.fields, path));
  const wrapper = particlesOf(schema, layout.element.def!);
  const parts = r.fields(element, wrapper, path);
  // A missing head was reported by fields(), as every required element is.
  const head = parts[layout.head.name] as Record<string, unknown> | undefined;
  // The head's object, read for this document alone, becomes the document.
  const doc: CebDocument = head && !Array.isArray(head) ? head : { ...(head ?? {}) };
  if (layout.list) doc.items = (parts[layout.list.particle.name] as unknown[] | undefined) ?? [];
  return finishDocument(doc);
}

function finishDocument(doc: CebDocument): CebDocument {
  if (typeof doc.returnInfo === 'string') doc.returnInfoParsed = parseReturnInfo(doc.returnInfo) satisfies ReturnInfo;
  return doc;
}

/** Reads a CEB message whose root (named `rootName`) is the reader's current token, through the root's end tag. */
function readCeb(r: Reader, rootName: string, name: MessageName): CebMessage {
  const t = r.t;
  const schema = name.schema;
  const msg: CebMessage = {
    kind: 'ceb',
    root: rootName,
    messageType: rootName.replace(/Message$/, ''),
    schema,
    name: { zh: name.zh, en: name.en },
    guid: attr(t.attributes, 'guid') ?? '',
    version: attr(t.attributes, 'version') ?? '',
    documents: [],
    issues: r.issues,
  };
  for (const [a, f] of ROOT_FACETS) {
    const v = msg[a];
    if (!v)
      r.report(xmlIssue('xml-missing-attribute', a, `根元素缺少 ${a} 属性`, `The root element has no ${a} attribute`));
    else if (!withinLength(f, v)) r.facetIssue('', a, stringProblem(f, v));
  }
  r.attributes('', ROOT_ATTRIBUTES);
  const particles = particlesOf(schema, rootName);
  const docParticle = particles[0]!;
  const counts = particles.map(() => 0);
  let last = -1;
  let text = false;
  for (;;) {
    const k = t.next();
    if (k === 'end') break;
    if (k !== 'start') {
      if (k === 'text' || k === 'cdata') text = r.strayText('', rootName, text);
      else if (k === 'eof' || k === 'more') throw new Error(`tokenizer answered ${k} inside the root`);
      continue;
    }
    const ns = r.ns();
    const local = t.local;
    const i = particles.findIndex((p) => p.name === local && ns === (p.ns === 'ds' ? DS_NS : CEB_NS));
    if (i === -1) {
      r.unknown(rootName, rootName);
      continue;
    }
    const p = particles[i]!;
    const n = counts[i]!;
    counts[i] = n + 1;
    // Where the issue about this child is: the documents and BaseSubscribe by index, as the result holds them.
    const at =
      i === 0 ? `documents[${n}]` : p.ns === 'ds' ? local : `${lowerFirst(local)}${p.max === 1 ? '' : `[${n}]`}`;
    // The root's content is a sequence too: documents, BaseTransfer, BaseSubscribe, ExtendMessage, Signature.
    if (i < last) r.report(orderIssue(at, local, particles[last]!.name));
    last = Math.max(last, i);
    // Every further one of a single element is reported and passed over, as a leaf's is.
    if (n >= 1 && p.max === 1) {
      r.report(duplicateIssue(at, local));
      passOver(r.t);
      continue;
    }
    // Documents past their limit are read and reported once below; BaseSubscribe past its own here.
    if (i !== 0 && n === p.max) r.report(tooManyIssue(lowerFirst(local), local, p.max));
    if (i === 0) msg.documents.push(readDocument(r, schema, rootName, at));
    else if (local === 'BaseTransfer')
      msg.baseTransfer = r.fields(local, particlesOf(schema, 'BaseTransfer'), at) as Record<string, string>;
    else if (local === 'BaseSubscribe')
      (msg.baseSubscribe ??= []).push(
        r.fields(local, particlesOf(schema, 'BaseSubscribe'), at) as Record<string, string>,
      );
    else if (local === 'ExtendMessage') {
      msg.extendMessage = r.fields(local, particlesOf(schema, 'ExtendMessage'), at) as { message: string };
      const m = msg.extendMessage as unknown as Record<string, unknown>;
      m.message = m.Message ?? '';
      delete m.Message;
    } else if (p.ns === 'ds') {
      // Against customs' xmldsig-core-schema.xsd; the issues go with the message's.
      msg.signature = signatureInfo(checkTree(t, r.bom, at, r));
    } else r.unknown(rootName, rootName);
  }
  const docMax = docParticle.max;
  if (msg.documents.length === 0)
    r.report(
      xmlIssue(
        'xml-missing-element',
        docParticle.name,
        `报文中没有 ${docParticle.name}`,
        `The message has no ${docParticle.name}`,
      ),
    );
  if (msg.documents.length > docMax)
    r.report(
      xmlIssue(
        'xml-too-many',
        docParticle.name,
        `${docParticle.name} 最多 ${docMax} 个，实际 ${msg.documents.length} 个`,
        `At most ${docMax} ${docParticle.name} per message, got ${msg.documents.length}`,
      ),
    );
  const needsTransfer = particles.some((p) => p.name === 'BaseTransfer' && p.min > 0);
  if (needsTransfer && !msg.baseTransfer)
    r.report(xmlIssue('xml-missing-element', 'baseTransfer', '缺少 BaseTransfer', 'BaseTransfer is missing'));
  if (particles.some((p) => p.ns === 'ds' && p.min > 0) && !msg.signature) {
    r.report(
      xmlIssue(
        'signature-missing',
        'Signature',
        `${rootName} 必须加签（ds:Signature）后才能发送`,
        `${rootName} must be signed (ds:Signature) before it is sent`,
      ),
    );
  }
  r.notes.push(...r.omittedNotes());
  if (r.notes.length) msg.notes = r.notes;
  return msg;
}

/**
 * The model of an element of the small XSDs checked on a tree, by its namespace and name: dxp-terminal.xsd's DxpMsg
 * wrapper (and dxp-transfer.xsd's DxpMsgSv), or customs' copy of xmldsig-core-schema.xsd (the ds:Signature every CEB
 * XSD references). Their models are generated (src/xml/generated/tree-models.ts); checkTree holds an element's
 * children, attributes and value to them as xmllint does. (The namespace is compared, not used as a key: a key read
 * from the text is hashed at each lookup.)
 */
const treeModel = (el: XmlElement): TreeModel => (el.ns === DS_NS ? DS_MODEL : DXP_MODEL)[el.local]!;
const XS_DATE_TIME_NEED = { zh: '日期时间（xs:dateTime）', en: 'a date and time (xs:dateTime)' };
const XS_DATE_TIME_EXAMPLE = {
  zh: '日期时间（xs:dateTime，如 2026-12-01T10:00:00）',
  en: 'a date and time (xs:dateTime, e.g. 2026-12-01T10:00:00)',
};
// xs:ID is an NCName: a letter or '_' first, then letters, digits, '.', '-', '_' and combining marks (no colon).
const NC_NAME = /^[\p{L}_][\p{L}\p{N}\p{M}._\-\u00B7]*$/u;

const XS_DATE_NEED = { zh: '日期（xs:date）', en: 'a date (xs:date)' };
const XS_DATE_EXAMPLE = { zh: '日期（xs:date，如 2026-12-01）', en: 'a date (xs:date, e.g. 2026-12-01)' };
const XS_INTEGER = { zh: '整数（xs:integer）', en: 'an integer (xs:integer)' };
const NOT_BASE64 = { zh: '不是有效的 Base64（xs:base64Binary）', en: 'is not valid base64 (xs:base64Binary)' };

/** A child named in a model of namespace `ns`: `ds:Signature` is in the xmldsig schema, any other name in `ns`. */
function childName(name: string, ns: string): readonly [string, string] {
  return name.startsWith('ds:') ? [DS_NS, name.slice(3)] : [ns, name];
}

/** Passes over the element of the tokenizer's current start tag, through its end tag. */
function passOver(t: XmlTokenizer): void {
  const depth = t.depth;
  for (;;) {
    const k = t.next();
    if (k === 'end' && t.depth === depth) return;
    if (k === 'eof' || k === 'more') throw new Error(`tokenizer answered ${k} inside an element`);
  }
}

/**
 * Checks the element of the tokenizer's current start tag, through its end tag, against its XSD's tree model (the DxpMsg
 * wrapper or ds:Signature), reporting an issue for each difference (to the capped log the CEB reader reports to): the
 * same codes and severities as the CEB reader's (unknown elements, attributes and misplaced elements are warnings the
 * emulator counts as XSD violations; the rest errors). It answers the tree of what it went into: the elements of the
 * model up to their maxOccurs, with the text of those of simple content. What it passes over (an unknown element, one
 * too many, content not looked at) is not kept: a DxpMsg of millions of `<x/>` built a tree of them (1.26 GB for 20 MB).
 * A child element of this one that `took` takes (answers true for) is not kept either: its reader has read it.
 */
function checkTree(
  t: XmlTokenizer,
  bom: number,
  path: string,
  log: IssueLog,
  took?: (child: ParsedElement) => boolean,
): ParsedElement {
  const el = startElement(t, null, bom);
  const model = treeModel(el);
  const at = memberPath;
  // A string value against its type: empty is judged by emptyRefusal, a value by its facets, as a CEB leaf's.
  const stringValue = (p: string, t: CebLeafType, v: string) => {
    if (v === '') {
      const need = emptyRefusal(t);
      if (need) log.report(emptyIssue(p, need, v));
    } else {
      const f = facetsOf({ type: t });
      const problem = f && stringProblem(f, v);
      if (problem) log.report(valueIssue(p, problem));
    }
  };
  const text = model.text;
  // xs:anyType: any attribute and any content (its text is kept, its elements passed over).
  if (text !== 'any') {
    for (const a of el.attrs) {
      const p = `${path}@${a.qname}`;
      const decl = a.ns === '' ? model.attributes?.[a.local] : undefined;
      if (decl === undefined) {
        if (isSchemaHint(a)) continue;
        log.report(unknownAttributeIssue(p, a.qname, el.local));
      } else if (decl.type === 'ID') {
        // xs:ID collapses its white space first.
        if (!NC_NAME.test(trimXmlSpace(a.value)))
          log.report(
            valueIssue(p, {
              zh: `应为 XML 名称（xs:ID），实际为 ${JSON.stringify(a.value)}`,
              en: `should be an XML name (xs:ID), got ${JSON.stringify(a.value)}`,
            }),
          );
      } else if (decl.fixed !== undefined && a.value !== decl.fixed)
        log.report(
          valueIssue(p, {
            zh: `固定为 ${decl.fixed}，实际为 ${JSON.stringify(a.value)}`,
            en: `is fixed at ${decl.fixed}, got ${JSON.stringify(a.value)}`,
          }),
        );
      else stringValue(p, decl.type, a.value);
    }
    for (const [name, decl] of Object.entries(model.attributes ?? {}))
      if (decl.required && attr(el.attrs, name) === undefined)
        log.report(
          xmlIssue(
            'xml-missing-attribute',
            `${path}@${name}`,
            `${el.local} 缺少 ${name} 属性`,
            `${el.local} has no ${name} attribute`,
          ),
        );
  }
  if (text !== undefined) {
    // Simple content: its text (text and CDATA joined) is kept for the readers, its elements passed over.
    let v = '';
    let hasElements = false;
    for (let k = t.next(); k !== 'end'; k = t.next()) {
      if (k === 'text' || k === 'cdata') v += t.text();
      else if (k === 'start') {
        hasElements = true;
        passOver(t);
      } else if (k === 'eof' || k === 'more') throw new Error(`tokenizer answered ${k} inside <${el.qname}>`);
    }
    if (v !== '') el.children.push({ type: 'text', value: v });
    if (text === 'any') return el;
    if (hasElements) log.report(unexpectedChildrenIssue(path));
    if (text === 'empty') {
      if (v !== '')
        log.report(
          xmlIssue(
            'xml-unexpected-text',
            path,
            `${el.local} 应为空元素，却含有文本`,
            `${el.local} must be empty, yet has text`,
          ),
        );
    } else if (text === 'dateTime') {
      if (trimXmlSpace(v) === '') log.report(emptyIssue(path, XS_DATE_TIME_NEED, v));
      else if (!isXsDateTime(v)) log.report(valueIssue(path, shouldBe(XS_DATE_TIME_EXAMPLE, v)));
    } else if (text === 'date') {
      if (trimXmlSpace(v) === '') log.report(emptyIssue(path, XS_DATE_NEED, v));
      else if (!isXsDate(v)) log.report(valueIssue(path, shouldBe(XS_DATE_EXAMPLE, v)));
    } else if (text === 'integer') {
      if (trimXmlSpace(v) === '') log.report(emptyIssue(path, XS_INTEGER, v));
      else if (!INT.test(trimXmlSpace(v))) log.report(valueIssue(path, shouldBe(XS_INTEGER, v)));
    } else if (text === 'base64') {
      // (The value is not quoted: DxpMsg's Data may be megabytes.)
      if (xsdBase64(v) === undefined) log.report(valueIssue(path, NOT_BASE64));
    } else stringValue(path, text, v);
    return el;
  }
  // Text between the children: white space only, unless the content is mixed.
  let strayText = model.mixed === true;
  const textChild = (value: string) => {
    if (!strayText && trimXmlSpace(value) !== '') {
      strayText = true;
      log.report(strayTextIssue(path, el.local, value));
    }
  };
  const choice = model.choice;
  const children = model.children ?? [];
  const counts = children.map(() => 0);
  let last = -1;
  let n = 0;
  const seen = choice && new Map<string, number>();
  // Where the child element of the current start tag is checked, or undefined to pass over it.
  const place = (): string | undefined => {
    const { local, ns } = t;
    if (choice) {
      const { names, max, other } = choice;
      const known = ns === el.ns && names.includes(local);
      // xs:any namespace="##other": an element of another namespace (not of none), its content not looked at.
      if (!known && !(other && ns !== el.ns && ns !== '')) {
        log.report(unknownElementIssue(at(path, local), t.name, el.local));
        return undefined;
      }
      n++;
      const k = seen!.get(local) ?? 0;
      seen!.set(local, k + 1);
      const name = max === 1 ? local : `${local}[${k}]`;
      if (n === max + 1) log.report(tooManyIssue(at(path, name), local, max));
      return known && n <= max ? at(path, name) : undefined;
    }
    const i = children.findIndex(([q]) => {
      const [qns, qlocal] = childName(q, el.ns);
      return qlocal === local && ns === qns;
    });
    if (i === -1) {
      log.report(unknownElementIssue(at(path || el.local, local), t.name, el.local));
      return undefined;
    }
    const name = childName(children[i]![0], el.ns)[1];
    const max = children[i]![2];
    // A sequence: a child before the one read last is out of place (xmllint: "This element is not expected").
    if (i < last) log.report(orderIssue(at(path, name), name, childName(children[last]![0], el.ns)[1]));
    last = Math.max(last, i);
    const c = counts[i]!;
    counts[i] = c + 1;
    if (c === max)
      log.report(max === 1 ? duplicateIssue(at(path, name), name) : tooManyIssue(at(path, name), name, max));
    return c < max ? at(path, max === 1 ? name : `${name}[${c}]`) : undefined;
  };
  // Text in runs (text and CDATA in a row, as a tree merges them), each child element checked or passed over.
  let run: string | undefined;
  for (;;) {
    const k = t.next();
    if (run !== undefined && k !== 'text' && k !== 'cdata') {
      textChild(run);
      run = undefined;
    }
    if (k === 'end') break;
    if (k === 'text' || k === 'cdata') run = (run ?? '') + t.text();
    else if (k === 'start') {
      const p = place();
      if (p === undefined) passOver(t);
      else {
        const child = checkTree(t, bom, p, log);
        if (!took?.(child)) el.children.push(child);
      }
    } else if (k === 'eof' || k === 'more') throw new Error(`tokenizer answered ${k} inside <${el.qname}>`);
  }
  if (choice) {
    if (n < choice.min) log.report(missingElementIssue(at(path, choice.names[0]!), choice.names.join(' | '), el.local));
  } else
    children.forEach(([qualified, min], i) => {
      const name = childName(qualified, el.ns)[1];
      if (counts[i]! < min) log.report(missingElementIssue(at(path, name), name, el.local));
    });
  return el;
}

/** The child element `local` of `el` checkTree kept (the names of a DxpMsg's children are of one namespace or the other). */
const dxpChild = (el: XmlElement | undefined, local: string) => el && childElements(el).find((c) => c.local === local);

/**
 * A DxpMsg, as checkTree kept it, its issues in `log`. In a DxpMsgSv, `within` is its path there: the issues name the
 * DxpMsg's places from the DxpMsgSv (`DxpMsg.Data`).
 */
function readDxp(root: XmlElement, opts: ParseXmlOptions, log: IssueLog, within?: string): DxpEnvelope {
  const at = (p: string) => (within ? `${within}.${p}` : p);
  const env: DxpEnvelope = {
    kind: 'dxp',
    ver: attr(root.attrs, 'ver') ?? '',
    transInfo: transInfoOf(dxpChild(root, 'TransInfo')),
    data: '',
    issues: log.issues,
  };
  const signature = dxpChild(root, 'Signature');
  if (signature) env.signature = signatureInfo(signature);
  const add = dxpChild(root, 'AddInfo');
  if (add) {
    const out: Record<string, unknown> = {};
    for (const a of childElements(add)) {
      if (a.local === 'BizKey')
        out.bizKey = childElements(a).map((k) => ({ name: attr(k.attrs, 'name'), value: textOf(k) }));
      else if (a.local === 'IsText') out.isText = { encode: attr(a.attrs, 'Encode') };
      else out[lowerFirst(a.local)] = textOf(a);
    }
    env.addInfo = out;
  }
  const data = dxpChild(root, 'Data');
  if (data) {
    // An invalid value was reported by checkTree; it is kept as read, without its white space, and not decoded.
    const text = textOf(data);
    const valid = xsdBase64(text);
    env.data = valid ?? text.replace(/\s+/g, '');
    // (empty, it carries no message either: as for text that is no XML below, sandan parse said nothing and exited 0)
    if (valid === '')
      log.report(xmlIssue('xml-payload', at('Data'), 'Data 为空，其中没有报文', 'Data is empty: it holds no message'));
    if (valid !== undefined && valid !== '') {
      const bytes = Buffer.from(env.data, 'base64');
      // As a file of its own is read (safeXmlText): a message declared GB2312, GBK or GB18030 is decoded as GB18030.
      const gb = gbDeclared(bytes);
      if (gb !== undefined)
        try {
          env.payload = decodeXmlBytes(bytes);
        } catch (e) {
          const offset = isSandanError(e) ? e.details?.offset : undefined;
          const where =
            typeof offset === 'number'
              ? { zh: `（字节偏移 ${offset}）`, en: ` (byte offset ${offset})` }
              : { zh: '', en: '' };
          log.report(
            xmlIssue(
              'xml-value',
              at('Data'),
              `Data 中的报文声明编码 ${gb}，但解码所得不是有效的 GB18030${where.zh}`,
              `The message in Data declares encoding ${gb} but is not valid GB18030${where.en}`,
            ),
          );
        }
      else
        try {
          env.payload = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
        } catch {
          // Which byte, and what the bytes look like: a Java getBytes() without a charset writes GBK on a Chinese server.
          const why = notUtf8(bytes);
          const where = why && describeNotUtf8(why);
          log.report(
            xmlIssue(
              'xml-value',
              at('Data'),
              `Data 解码后不是 UTF-8 文本${where ? `：解码所得${where.zh}` : ''}`,
              `Data does not decode to UTF-8 text${where ? `: in what it holds, ${where.en}` : ''}`,
            ),
          );
        }
      if (env.payload !== undefined && /^\s*(<\?xml|<)/.test(env.payload.replace(/^\uFEFF/, ''))) {
        try {
          const inner = parseCebXml(env.payload, opts);
          if (inner.kind === 'ceb') env.message = inner;
          else
            log.report(
              xmlIssue(
                'xml-nested-dxp',
                at('Data'),
                `Data 中又是一个 ${inner.transfer ? 'DxpMsgSv' : 'DxpMsg'}`,
                `Data holds another ${inner.transfer ? 'DxpMsgSv' : 'DxpMsg'}`,
              ),
            );
        } catch (e) {
          if (isSandanError(e) && e.code === 'XML_UNKNOWN_ROOT' && e.details?.readBy === 'parseDxpRep')
            // dxp-terminal.xsd: a DxpMsg is what a client node sends (客户端传输报文), a DxpRep the exchange's own
            // answer to one (交换平台响应报文, its OriHead the DxpMsg's TransInfo); no schema puts one inside the other.
            log.report(
              xmlIssue(
                'xml-nested-dxp',
                at('Data'),
                'Data 中是交换平台的响应报文（DxpRep），不是 CEB 报文：交换平台单独发送 DxpRep，不装在 DxpMsg 中；解码后可由 parseDxpRep 读取',
                "Data holds the exchange's response to a DxpMsg (a DxpRep), no CEB message: the exchange sends a DxpRep on its own, not inside a DxpMsg; decoded, parseDxpRep reads it",
              ),
            );
          else {
            const m = messageOf(e);
            log.report(
              xmlIssue(
                'xml-payload',
                at('Data'),
                `Data 中的报文无法读取：${m}`,
                `The message in Data cannot be read: ${m}`,
              ),
            );
          }
        }
      } else if (env.payload !== undefined) {
        // (Not quoted: it may be anything. Base64 of base64 is the usual slip of an integrator, so it is named.)
        const twice = xsdBase64(env.payload.trim()) && /^\s*</.test(Buffer.from(env.payload, 'base64').toString());
        log.report(
          xmlIssue(
            'xml-payload',
            at('Data'),
            `Data 中不是 XML 报文${twice ? '：其内容又是 Base64（Data 被编码了两次）' : ''}`,
            `Data holds no XML message${twice ? ': its text is base64 again (Data was encoded twice)' : ''}`,
          ),
        );
      }
    }
  }
  if (env.message && env.transInfo.msgType && env.transInfo.msgType !== env.message.root) {
    log.report(
      xmlIssue(
        'dxp-msgtype-mismatch',
        at('TransInfo.MsgType'),
        `MsgType ${env.transInfo.msgType} 与报文 ${env.message.root} 不符`,
        `MsgType ${env.transInfo.msgType} does not match the message ${env.message.root}`,
      ),
    );
  }
  return env;
}

/** A TransInfo (a DxpMsg's, or a DxpRep's OriHead) as read; '' for a leaf checkTree reported missing. */
function transInfoOf(transInfo: XmlElement | undefined): DxpEnvelope['transInfo'] {
  const receivers = dxpChild(transInfo, 'ReceiverIds');
  return {
    copMsgId: trimmedTextOf(dxpChild(transInfo, 'CopMsgId')),
    senderId: trimmedTextOf(dxpChild(transInfo, 'SenderId')),
    receiverIds: receivers
      ? childElements(receivers)
          .map(trimmedTextOf)
          .filter((v) => v !== '')
      : [],
    creatTime: trimmedTextOf(dxpChild(transInfo, 'CreatTime')),
    msgType: trimmedTextOf(dxpChild(transInfo, 'MsgType')),
  };
}

/** The optional leaf `local` of `el`, trimmed, as `{ [key]: value }` when present (spread into a result). */
const optionalLeaf = <K extends string>(el: XmlElement | undefined, local: string, key: K) => {
  const leaf = dxpChild(el, local);
  return (leaf ? { [key]: trimmedTextOf(leaf) } : {}) as Partial<Record<K, string>>;
};

/** The child elements checkTree kept of an element that may be absent (of Results, its Result elements). */
const elementsOf = (el: XmlElement | undefined) => (el ? childElements(el) : []);

/** One Response of a DxpRep, as checkTree kept it. */
const dxpResponseOf = (r: XmlElement): DxpResponse['responses'][number] => ({
  ...optionalLeaf(r, 'NodeId', 'nodeId'),
  responseCode: trimmedTextOf(dxpChild(r, 'ResponseCode')),
  ...optionalLeaf(r, 'ResponseInfo', 'responseInfo'),
  results: elementsOf(dxpChild(r, 'Results')).map((x) => ({
    recId: trimmedTextOf(dxpChild(x, 'RecId')),
    code: trimmedTextOf(dxpChild(x, 'Code')),
    ...optionalLeaf(x, 'Info', 'info'),
    ...optionalLeaf(x, 'Note', 'note'),
  })),
  noticeTime: trimmedTextOf(dxpChild(r, 'NoticeTime')),
  ...optionalLeaf(r, 'Note', 'note'),
  oriHead: transInfoOf(dxpChild(r, 'OriHead')),
});

/**
 * A DxpRep, as checkTree kept it, its issues in `log`; `responses` read already, each as checkTree closed it (the XSD
 * bounds not their number: a tree of them all held 15 times the file, see docs/performance.md, session 58).
 */
function readDxpRep(root: XmlElement, responses: DxpResponse['responses'], log: IssueLog): DxpResponse {
  const rep: DxpResponse = {
    kind: 'dxpRep',
    ver: attr(root.attrs, 'ver') ?? '',
    recevierId: trimmedTextOf(dxpChild(root, 'RecevierId')),
    ...optionalLeaf(root, 'AdNodeId', 'adNodeId'),
    responses,
    issues: log.issues,
  };
  const signature = dxpChild(root, 'Signature');
  if (signature) rep.signature = signatureInfo(signature);
  return rep;
}

/**
 * A DxpMsgSv (dxp-transfer.xsd): the DxpMsg it holds, read as one alone, with its SvNo head as `transfer`. The whole
 * envelope is checked against the transfer-node XSD, the DxpMsg in it too; the issues name places from the DxpMsgSv
 * (`SvNo.MsgId`, `DxpMsg.Data`). Of two DxpMsg the first is read, as of any element the XSD allows once (checkTree
 * reports the second); without one there is no message.
 */
function readDxpTransfer(root: XmlElement, opts: ParseXmlOptions, log: IssueLog): DxpEnvelope {
  const sv = dxpChild(root, 'SvNo');
  const subMsgId = dxpChild(sv, 'SubMsgId');
  const transfer: DxpTransfer = {
    msgId: trimmedTextOf(dxpChild(sv, 'MsgId')),
    ...(subMsgId ? { subMsgId: trimmedTextOf(subMsgId) } : {}),
    sendTime: trimmedTextOf(dxpChild(sv, 'SendTime')),
    endNode: trimmedTextOf(dxpChild(sv, 'EndNode')),
    staNode: trimmedTextOf(dxpChild(sv, 'StaNode')),
  };
  const held = dxpChild(root, 'DxpMsg');
  if (held === undefined) {
    // checkTree reported it missing.
    const transInfo = { copMsgId: '', senderId: '', receiverIds: [], creatTime: '', msgType: '' };
    return { kind: 'dxp', ver: '', transInfo, data: '', transfer, issues: log.issues };
  }
  const env = readDxp(held, opts, log, 'DxpMsg');
  env.transfer = transfer;
  return env;
}

/** The text of an XML input and a tokenizer at its root's start tag, within the options' size limit. */
function atRoot(fn: string, input: string | Uint8Array, opts: ParseXmlOptions) {
  // As the tree reads it (src/xml/core/tree.ts): line ends normalised first, a byte-order mark dropped by the tokenizer.
  const src = normalizeLineEnds(safeXmlText(input, xmlLimit(fn, input, opts.maxBytes, true)));
  const bom = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const t = new XmlTokenizer(src);
  // The root's start tag: what precedes it is checked by the tokenizer, and it answers eof only after a root.
  while (t.next() !== 'start');
  return { src, bom, t };
}

/**
 * Reads the exchange's response to a DxpMsg (DxpRep, dxp-terminal.xsd): the receiver, and for each message answered its
 * response code and information, each receiver's result, the notice date and the message's TransInfo. Checked against
 * the 2022-05 terminal-node XSD as a DxpMsg is (the same issue codes, a path from the root: `Response[0].NoticeTime`).
 * Refuses what {@link parseCebXml} refuses (size, DTDs, XML that is not well-formed, with the same limits), and any
 * other root (XML_UNKNOWN_ROOT).
 */
export function parseDxpRep(input: string | Uint8Array, options?: ParseXmlOptions): DxpResponse {
  const opts = knownOptions(options, 'parseDxpRep', PARSE_XML_OPTION_NAMES);
  const { bom, t } = atRoot('parseDxpRep', input, opts);
  if (t.local !== 'DxpRep' || t.ns !== DXP_NS) {
    const [qname, ns, local] = [t.name, t.ns, t.local];
    // As parseCebXml: the whole text is read first, so that XML that is not well-formed is refused as such.
    while (t.next() !== 'eof');
    const cebXml = cebXmlRoot(local, ns, qname, opts.lenient === true) !== undefined;
    throw new SandanError(
      'XML_UNKNOWN_ROOT',
      `Expected a DxpRep in namespace ${DXP_NS}, got ${qname} in ${ns === '' ? 'no namespace' : `namespace ${ns}`}${cebXml ? ': parseCebXml reads it' : ''}`,
      { details: { root: qname, namespace: ns } },
    );
  }
  const log = new IssueLog();
  const responses: DxpResponse['responses'] = [];
  // Each Response read as it closes, and its elements let go (the root keeps the few others).
  const root = checkTree(t, bom, '', log, (c) => c.local === 'Response' && responses.push(dxpResponseOf(c)) > 0);
  while (t.next() !== 'eof');
  const rep = readDxpRep(root, responses, log);
  const notes = log.omittedNotes();
  if (notes.length) rep.notes = notes;
  return rep;
}

/** How {@link parseCebXml} reads a root: see {@link cebXmlRoot}. */
type CebXmlRoot = { how: 'dxp' } | { how: 'ceb' | 'alias' | 'lenient'; name: MessageName };

const DXP_ROOT: CebXmlRoot = { how: 'dxp' };

/**
 * How {@link parseCebXml} reads a document with this root, undefined when it refuses it: `dxp` a DxpMsg or DxpMsgSv,
 * `ceb` a CEB message, `alias` one whose root lacks `Message` (`CEB816`, as some published samples write it), `lenient`
 * one in no namespace under the lenient option; with the message's entry of MESSAGE_NAMES (the alias's under its
 * full name), looked up once. One test, so that parseDxpRep's hint names every root parseCebXml takes.
 */
function cebXmlRoot(local: string, ns: string, qname: string, lenient: boolean): CebXmlRoot | undefined {
  if (local === 'DxpMsg' || local === 'DxpMsgSv') return ns === DXP_NS ? DXP_ROOT : undefined;
  const name = ownValue(MESSAGE_NAMES, local);
  if (name && ns === CEB_NS && hasModel(name.schema, local)) return { how: 'ceb', name };
  // Some published samples name the root `CEB214` instead of `CEB214Message`: read it, but say so.
  const alias = ns === CEB_NS && /^CEB\d{3}$/.test(local) ? ownValue(MESSAGE_NAMES, `${local}Message`) : undefined;
  if (alias) return { how: 'alias', name: alias };
  if (lenient && !ns && !qname.includes(':') && name && hasModel(name.schema, local)) return { how: 'lenient', name };
  return undefined;
}

/**
 * Reads any CEB message (declaration, receipt, tax bill, CEB900) or a DxpMsg wrapping one.
 * Namespace-aware: the `ceb:` prefix, another prefix or the default namespace read the same,
 * and what counts is the namespace URI. Codes stay strings, amounts become Decimal.
 * Refuses (SandanError) oversized input, DTDs and entity declarations, XML that is not
 * well-formed, and an unknown root element; everything else it could not place is an issue.
 *
 * Limits (the same in every sandan reader): input over `maxBytes` (default 50 MB) is
 * XML_TOO_LARGE; XML_MALFORMED are elements nested more than 64 deep (`MAX_XML_DEPTH`, refused in
 * linear time, without recursion), a character outside the XML 1.0 `Char` production (C0 controls
 * but tab/CR/LF, U+FFFE, U+FFFF, lone surrogates) or a character reference to one (`&#0;`), a
 * second byte-order mark, anything (whitespace too) before `<?xml` or a declaration further on,
 * text outside the root, and an undeclared namespace prefix on an element or attribute. String
 * and byte input are read alike. Memory: the text (twice the UTF-8 size when it holds Chinese, as V8
 * keeps it) and result strings that are slices of it, not copies (read in one pass over the
 * tokens, without a tree): about three times the file, its bytes included (measured in docs/performance.md).
 */
export function parseCebXml(input: string | Uint8Array, options?: ParseXmlOptions): ParsedXml {
  const opts = knownOptions(options, 'parseCebXml', PARSE_XML_OPTION_NAMES);
  const { src, bom, t } = atRoot('parseCebXml', input, opts);
  const local = t.local;
  const rootNs = t.ns;
  const qname = t.name;
  // Every branch reads the whole text before it answers: an error further on refuses the message.
  const rest = <T>(value: T): T => {
    while (t.next() !== 'eof');
    return value;
  };
  // A CEB message; a warning about its root, when there is one, comes first.
  const ceb = (root: string, info: MessageName, lenient = false, warning?: Issue): CebMessage => {
    const msg = rest(readCeb(new Reader(t, src, bom, info.schema, opts.extensions, lenient), root, info));
    if (warning) msg.issues.unshift(warning);
    return msg;
  };
  const reads = cebXmlRoot(local, rootNs, qname, opts.lenient === true);
  if (reads?.how === 'dxp') {
    // Checked as it is read: the tree holds what the envelope's readers take, not every element of the text.
    const log = new IssueLog();
    const root = rest(checkTree(t, bom, '', log));
    const env = local === 'DxpMsg' ? readDxp(root, opts, log) : readDxpTransfer(root, opts, log);
    const notes = log.omittedNotes();
    if (notes.length) env.notes = notes;
    return env;
  }
  if (reads?.how === 'ceb') return ceb(local, reads.name);
  if (reads?.how === 'alias') {
    const warning = xmlIssue(
      'xml-root-name',
      '',
      `根元素应为 ${local}Message，实际为 ${local}`,
      `The root element should be ${local}Message, not ${local}`,
    );
    return ceb(`${local}Message`, reads.name, false, warning);
  }
  if (reads?.how === 'lenient') {
    // Unprefixed names in no namespace read as if the CEB namespace were the default one.
    const warning = xmlIssue(
      'xml-no-namespace',
      '',
      `${local} 没有命名空间（应为 ${CEB_NS}）：按宽松模式读取`,
      `${local} is in no namespace (it should be in ${CEB_NS}); read leniently`,
    );
    return ceb(local, reads.name, true, warning);
  }
  rest(undefined);
  // (refused: looked up again for the hint only)
  const name = ownValue(MESSAGE_NAMES, local);
  const ns = rootNs === '' ? 'no namespace' : `namespace ${rootNs}`;
  const lenientHint =
    name && !rootNs && !opts.lenient
      ? '; the lenient option (parse --lenient) reads one in no namespace with a warning'
      : '';
  const dxp = local === 'DxpMsg' || local === 'DxpMsgSv';
  // (sandan parse and status read a DxpRep with parseDxpRep when details.readBy names it; the reconcile scanner knows
  // a DxpRep by its root)
  const hint =
    local === 'DxpRep'
      ? rootNs === DXP_NS
        ? "; it is the exchange's response to a DxpMsg, no CEB message: parseDxpRep reads it"
        : ` (a DxpRep, the exchange's response to a DxpMsg, must be in namespace ${DXP_NS}; parseDxpRep reads one)`
      : name || dxp
        ? ` (a ${local} must be in namespace ${dxp ? DXP_NS : CEB_NS}${lenientHint})`
        : "; it is no message of the 2022-05 import or export XSDs (sandan reads those, DxpMsg and DxpMsgSv; parseDxpRep reads the exchange's response to a DxpMsg, DxpRep)";
  throw new SandanError('XML_UNKNOWN_ROOT', `Unknown root element ${qname} in ${ns}${hint}`, {
    details: {
      root: qname,
      namespace: rootNs,
      ...(local === 'DxpRep' && rootNs === DXP_NS && { readBy: 'parseDxpRep' }),
    },
  });
}

/**
 * The documents of a parsed message as the model type of that message, e.g. `Order[]` for
 * CEB311: each is checked against the model schema and converted (amounts Decimal, integers
 * numbers, also when the message went through JSON). Throws INVALID_OPTION when the message is
 * of another type, or when a document does not fit the model (`details.issues` says where;
 * the message's own `issues` usually say why).
 */
export function documentsOf<T extends BuildableType>(message: ParsedXml, type: T): DocumentOf[T][] {
  checkArgument(message, 'object', 'documentsOf', "the message (parseCebXml's result)");
  checkBuildableType(type, 'documentsOf: the message type');
  const msg = message.kind === 'dxp' ? message.message : message;
  const info = BUILDABLE[type];
  if (!msg || msg.root !== info.root) {
    throw new SandanError(
      'INVALID_OPTION',
      `Expected a ${info.root}, got ${msg?.root ?? 'a DxpMsg without a CEB message'}`,
    );
  }
  const accept = acceptOf(type);
  const convert = CONVERT_BY_ROOT[info.root]!;
  return msg.documents.map((given, i) => {
    // A document that went through JSON may hold '' for an optional field: absent, as an empty element.
    const doc = emptyOptionalAsAbsent(given, info.root) as Record<string, unknown>;
    if (!accept(doc)) {
      const result = info.documentSchema.safeParse(doc);
      const issues = result.success ? [] : zodIssuesToIssues(result.error.issues, doc, { prefix: `documents[${i}]` });
      if (issues.length > 0)
        throw new SandanError(
          'INVALID_OPTION',
          `documents[${i}] of the ${info.root} is not a valid ${type} document: ${issues.map((x) => x.message.en).join('; ')}`,
          { details: { issues } },
        );
    }
    return convert(doc) as unknown as DocumentOf[T];
  });
}

// The replacer sees values after toJSON, so look at the holder to catch Decimals.
function decimalsAsText(this: Record<string, unknown>, key: string, v: unknown): unknown {
  const raw = this[key];
  return DecimalJs.isDecimal(raw) ? (raw as Decimal).toFixed() : v;
}

/** Decimal amounts of parsed documents print as plain decimal strings in JSON. */
export function toJsonValue(value: unknown): unknown {
  return JSON.parse(stringify('toJsonValue', value, decimalsAsText) ?? 'null');
}

/**
 * JSON.stringify, with a value it cannot write (a BigInt, a cycle: a TypeError; nested too deep for the stack or too
 * long for a string: a RangeError) told as misuse.
 */
function stringify(
  fn: string,
  value: unknown,
  replacer: (this: Record<string, unknown>, key: string, v: unknown) => unknown,
  space?: number,
): string | undefined {
  try {
    return JSON.stringify(value, replacer, space);
  } catch (e) {
    if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
    throw new SandanError('INVALID_OPTION', `${fn}: the value has no JSON form: ${e.message}`, { cause: e });
  }
}

/** Strings longer than this are written in pieces by {@link writeJsonText}. */
const BIG_STRING = 1 << 20;

/**
 * Writes `JSON.stringify(toJsonValue(value), null, space)`, the same text, in pieces: a message
 * with a huge text (a 40 MB goods name) would otherwise be copied twice more (the intermediate
 * value, then one JSON string as large as the input, twice that in memory when it holds Chinese).
 * Long strings are left out of the JSON skeleton (a marker holding U+0000 stands in, which no
 * parsed text can hold) and written escaped slice by slice (`sandan parse` writes its output so).
 */
export function writeJsonText(value: unknown, space: number | undefined, write: (text: string) => void): void {
  checkArgument(write, 'function', 'writeJsonText', 'write');
  const big: string[] = [];
  let clash = false;
  const text =
    stringify(
      'writeJsonText',
      value,
      function (this: Record<string, unknown>, key: string, given: unknown) {
        const v = decimalsAsText.call(this, key, given);
        if (typeof v === 'string') {
          if (v.length > BIG_STRING) return `\u0000${big.push(v) - 1}\u0000`;
          if (v.indexOf('\u0000') !== -1) clash = true;
        }
        return v;
      },
      space,
    ) ?? 'null';
  if (clash || big.length === 0) {
    write(clash ? (stringify('writeJsonText', value, decimalsAsText, space) ?? 'null') : text);
    return;
  }
  let last = 0;
  for (const m of text.matchAll(/"\\u0000(\d+)\\u0000"/g)) {
    write(text.slice(last, m.index));
    const s = big[Number(m[1])]!;
    write('"');
    for (let i = 0; i < s.length; ) {
      let end = Math.min(i + BIG_STRING, s.length);
      // Never between the halves of a surrogate pair (each would be escaped alone).
      const c = s.charCodeAt(end - 1);
      if (end < s.length && c >= 0xd800 && c <= 0xdbff) end--;
      write(JSON.stringify(s.slice(i, end)).slice(1, -1));
      i = end;
    }
    write('"');
    last = m.index + m[0].length;
  }
  write(text.slice(last));
}
