import { Decimal as DecimalJs } from 'decimal.js';
import type { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import type { Issue } from '../model/issue.js';
import { type Accept, compileAccept } from '../model/fast-check.js';
import { CONVERT_BY_ROOT } from '../model/generated/converters.js';
import { zodIssuesToIssues } from '../model/parse.js';
import { Dec } from '../model/primitives.js';
import {
  CEB_NS,
  contentModel,
  documentLayout,
  DS_NS,
  DXP_NS,
  hasModel,
  type CebSchema,
  type Particle,
} from './content-model.js';
import { xmlIssue } from './issues.js';
import { BUILDABLE, MESSAGE_NAMES, type BuildableType, type DocumentOf } from './messages.js';
import { parseReturnInfo, type ReturnInfo } from './return-info.js';
import { DEFAULT_MAX_XML_BYTES, safeXmlText } from './safety.js';
import { childElements, parseXml, type ParsedElement, type XmlElement } from './core/tree.js';
import { extensionFieldsOf, extensionValueProblem, KNOWN_MISSPELLINGS, type ExtensionField } from './extensions.js';

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
  /** Data decoded as UTF-8 text. */
  payload?: string;
  message?: CebMessage;
  addInfo?: Record<string, unknown>;
  signature?: SignatureInfo;
  issues: Issue[];
}

/** Anything `parseCebXml` reads. */
export type ParsedXml = CebMessage | DxpEnvelope;

/** An element of the one XML tree (src/xml/core/tree.ts); its namespace is '' when it has none. */
type El = XmlElement;

/** The text content of a leaf: text and CDATA joined; element children are reported by the caller. */
function textOf(el: El): { text: string; hasElements: boolean } {
  let text = '';
  let hasElements = false;
  for (const n of el.children) {
    if (n.type === 'text') text += n.value;
    else if (n.type === 'element') hasElements = true;
  }
  return { text, hasElements };
}

function attr(el: El, name: string): string | undefined {
  for (const a of el.attrs) if (a.qname === name) return a.value;
  return undefined;
}

/** What an element holds, as written in the source (an `xs:anyType` field such as ExtendMessage's Message). */
function innerXml(el: El, source: string): string {
  const from = (el as ParsedElement).tagEnd ?? el.start;
  return from >= el.endTagStart ? '' : source.slice(from, el.endTagStart);
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INT = /^[+-]?\d+$/;

function nsUri(p: Particle): string {
  return p.ns === 'ds' ? DS_NS : CEB_NS;
}

class Reader {
  readonly issues: Issue[] = [];
  readonly notes: ParseNote[] = [];
  /** The document's text, for fields read as written (`xs:anyType`). */
  source = '';
  constructor(
    readonly schema: CebSchema,
    readonly extensions: readonly ExtensionField[] = [],
  ) {}

  /** An element the XSD does not have where it is: a known misspelling or an extension field is read, else reported. */
  beyond(c: El, el: El, particles: readonly Particle[], path: string, out: Record<string, unknown>): void {
    if (c.ns === CEB_NS) {
      const alias = KNOWN_MISSPELLINGS.find((a) => a.element === el.local && a.alias === c.local);
      const p = alias && particles.find((q) => q.name === alias.name && q.kind !== undefined);
      if (alias && p) {
        const v = this.leaf(p, c, `${path}.${c.local}`);
        if (v !== undefined && out[p.name] === undefined) out[p.name] = v;
        this.issues.push(
          xmlIssue(
            'field-misspelled',
            'warning',
            `${path}.${c.local}`,
            `${c.local} 是 ${p.name} 的误拼，已按 ${p.name} 读取`,
            `${c.local} is a misspelling of ${p.name}; read as ${p.name}`,
          ),
        );
        return;
      }
      const x = extensionFieldsOf(el.local, this.extensions).find((f) => f.name === c.local);
      if (x) {
        const cpath = `${path}.${c.local}`;
        const v = this.leaf({ name: x.name, ns: 'ceb', min: 0, max: 1, kind: x.kind }, c, cpath);
        if (v === undefined) return;
        const problem = extensionValueProblem(x, typeof v === 'string' ? v : String(v));
        // As in validate and build: a field its ruleset is unsure of warns, never fails.
        if (problem)
          this.issues.push(
            xmlIssue(
              'xml-value',
              x.confidence === 'uncertain' ? 'warning' : 'error',
              cpath,
              `${cpath} 应为${problem}，实际为 ${JSON.stringify(String(v))}`,
              `${cpath} should be ${problem}, got ${JSON.stringify(String(v))}`,
            ),
          );
        out[x.name] = v;
        this.notes.push({
          code: 'beyond-xsd',
          path: cpath,
          message: {
            zh: `${c.local} 不在 2022 版 XSD 的 ${el.local} 中，已读取并保留`,
            en: `${c.local} is not in the 2022 XSD's ${el.local}; read and kept`,
          },
        });
        return;
      }
    }
    this.unknown(c, path, el.local);
  }

  unknown(el: El, path: string, where: string): void {
    const name = el.ns === '' ? el.qname : `{${el.ns}}${el.local}`;
    this.issues.push(
      xmlIssue(
        'xml-unknown-element',
        'warning',
        `${path}.${el.local}`,
        `未知元素 ${name}（在 ${where} 中）：XSD 中没有此元素，已忽略其内容`,
        `Unknown element ${name} in ${where}: the XSD has no such element; its content was not read`,
      ),
    );
  }

  /** Reads a leaf's text as its XSD type; bad values stay strings and are reported. */
  leaf(p: Particle, el: El, path: string): unknown {
    const { text, hasElements } = textOf(el);
    if (hasElements)
      this.issues.push(
        xmlIssue(
          'xml-unexpected-children',
          'error',
          path,
          `${path} 应为文本，却含有子元素`,
          `${path} should hold text but has child elements`,
        ),
      );
    if (p.kind === 'd') {
      const t = text.trim();
      if (t === '') return undefined;
      if (DECIMAL.test(t)) return new Dec(t);
      this.issues.push(
        xmlIssue(
          'xml-value',
          'error',
          path,
          `${path} 应为十进制数，实际为 ${JSON.stringify(text)}`,
          `${path} should be a decimal, got ${JSON.stringify(text)}`,
        ),
      );
      return text;
    }
    if (p.kind === 'i') {
      const t = text.trim();
      if (t === '') return undefined;
      if (INT.test(t) && Math.abs(Number(t)) <= 2147483647) return Number(t);
      this.issues.push(
        xmlIssue(
          'xml-value',
          'error',
          path,
          `${path} 应为整数，实际为 ${JSON.stringify(text)}`,
          `${path} should be an integer, got ${JSON.stringify(text)}`,
        ),
      );
      return text;
    }
    if (p.kind === 'x') return innerXml(el, this.source);
    // Empty optional elements (the official samples have them) carry no value.
    return text === '' ? undefined : text;
  }

  /** Reads a complex element's content into an object; `items` collects repeated complex children. */
  fields(el: El, particles: readonly Particle[], path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    for (const c of childElements(el)) {
      const p = particles.find((q) => q.name === c.local && nsUri(q) === c.ns);
      if (!p) {
        this.beyond(c, el, particles, path, out);
        continue;
      }
      const cpath = `${path}.${c.local}`;
      if (p.kind !== undefined) {
        if (seen.has(p.name) && p.max === 1) {
          this.issues.push(
            xmlIssue(
              'xml-duplicate-element',
              'error',
              cpath,
              `${c.local} 重复出现，只读取第一个`,
              `${c.local} appears more than once; the first one was read`,
            ),
          );
          continue;
        }
        seen.add(p.name);
        const v = this.leaf(p, c, cpath);
        if (v !== undefined) out[p.name] = v;
      } else if (p.def) {
        const v = this.fields(c, contentModel(this.schema, p.def), cpath);
        if (p.max === 1) out[p.name] = v;
        else ((out[p.name] ??= []) as unknown[]).push(v);
      }
    }
    for (const p of particles) {
      if (p.min > 0 && p.kind !== undefined && out[p.name] === undefined) {
        this.issues.push(
          xmlIssue(
            'xml-missing-element',
            'error',
            `${path}.${p.name}`,
            `缺少必填元素 ${p.name}（在 ${el.local} 中）`,
            `Required element ${p.name} is missing from ${el.local}`,
          ),
        );
      }
    }
    return out;
  }
}

function signatureInfo(el: El): SignatureInfo {
  const out: SignatureInfo = {};
  const walk = (e: El) => {
    for (const c of childElements(e)) {
      if (c.ns !== DS_NS) continue;
      switch (c.local) {
        case 'CanonicalizationMethod':
          out.canonicalizationMethod = attr(c, 'Algorithm');
          break;
        case 'SignatureMethod':
          out.signatureMethod = attr(c, 'Algorithm');
          break;
        case 'DigestMethod':
          out.digestMethod = attr(c, 'Algorithm');
          break;
        case 'DigestValue':
        case 'SignatureValue':
        case 'KeyName':
        case 'X509Certificate':
          out[`${c.local[0]!.toLowerCase()}${c.local.slice(1)}` as 'digestValue'] = textOf(c).text.replace(/\s+/g, '');
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

/** Documents with lines are flattened the model's way: head fields, then `items`. */
function readDocument(r: Reader, schema: CebSchema, root: string, el: El, path: string): CebDocument {
  const layout = documentLayout(schema, root);
  if (!layout.head.name) return finishDocument(r.fields(el, layout.head.fields, path));
  const wrapper = contentModel(schema, layout.element.def!);
  const parts = r.fields(el, wrapper, path);
  const head = parts[layout.head.name] as Record<string, unknown> | undefined;
  if (!head)
    r.issues.push(
      xmlIssue(
        'xml-missing-element',
        'error',
        `${path}.${layout.head.name}`,
        `缺少 ${layout.head.name}`,
        `${layout.head.name} is missing`,
      ),
    );
  const doc: CebDocument = { ...(head ?? {}) };
  if (layout.list) doc.items = (parts[layout.list.particle.name] as unknown[] | undefined) ?? [];
  return finishDocument(doc);
}

function finishDocument(doc: CebDocument): CebDocument {
  if (typeof doc.returnInfo === 'string') doc.returnInfoParsed = parseReturnInfo(doc.returnInfo) satisfies ReturnInfo;
  return doc;
}

function readCeb(
  root: El,
  name: { schema: CebSchema; zh: string; en: string },
  source: string,
  extensions?: readonly ExtensionField[],
): CebMessage {
  const schema = name.schema;
  const r = new Reader(schema, extensions);
  r.source = source;
  const msg: CebMessage = {
    kind: 'ceb',
    root: root.local,
    messageType: root.local.replace(/Message$/, ''),
    schema,
    name: { zh: name.zh, en: name.en },
    guid: attr(root, 'guid') ?? '',
    version: attr(root, 'version') ?? '',
    documents: [],
    issues: r.issues,
  };
  if (!msg.guid)
    r.issues.push(
      xmlIssue(
        'xml-missing-attribute',
        'error',
        'guid',
        `根元素缺少 guid 属性`,
        'The root element has no guid attribute',
      ),
    );
  if (!msg.version)
    r.issues.push(
      xmlIssue(
        'xml-missing-attribute',
        'error',
        'version',
        `根元素缺少 version 属性`,
        'The root element has no version attribute',
      ),
    );
  const particles = contentModel(schema, root.local);
  const docParticle = particles[0]!;
  for (const c of childElements(root)) {
    if (c.ns === CEB_NS && c.local === docParticle.name) {
      const idx = msg.documents.length;
      msg.documents.push(readDocument(r, schema, root.local, c, `documents[${idx}]`));
    } else if (c.ns === CEB_NS && c.local === 'BaseTransfer' && particles.some((p) => p.name === 'BaseTransfer')) {
      if (msg.baseTransfer) {
        r.issues.push(
          xmlIssue(
            'xml-duplicate-element',
            'error',
            'baseTransfer',
            'BaseTransfer 重复出现，只读取第一个',
            'BaseTransfer appears more than once; the first one was read',
          ),
        );
        continue;
      }
      msg.baseTransfer = r.fields(c, contentModel(schema, 'BaseTransfer'), 'baseTransfer') as Record<string, string>;
    } else if (c.ns === CEB_NS && c.local === 'BaseSubscribe' && particles.some((p) => p.name === 'BaseSubscribe')) {
      (msg.baseSubscribe ??= []).push(
        r.fields(
          c,
          contentModel(schema, 'BaseSubscribe'),
          `baseSubscribe[${msg.baseSubscribe?.length ?? 0}]`,
        ) as Record<string, string>,
      );
    } else if (c.ns === CEB_NS && c.local === 'ExtendMessage' && particles.some((p) => p.name === 'ExtendMessage')) {
      msg.extendMessage = r.fields(c, contentModel(schema, 'ExtendMessage'), 'extendMessage') as { message: string };
      const m = msg.extendMessage as unknown as Record<string, unknown>;
      m.message = m.Message ?? '';
      delete m.Message;
    } else if (c.ns === DS_NS && c.local === 'Signature' && particles.some((p) => p.ns === 'ds')) {
      msg.signature = signatureInfo(c);
    } else {
      r.unknown(c, root.local, root.local);
    }
  }
  const docMax = docParticle.max;
  if (msg.documents.length === 0)
    r.issues.push(
      xmlIssue(
        'xml-missing-element',
        'error',
        docParticle.name,
        `报文中没有 ${docParticle.name}`,
        `The message has no ${docParticle.name}`,
      ),
    );
  if (msg.documents.length > docMax)
    r.issues.push(
      xmlIssue(
        'xml-too-many',
        'error',
        docParticle.name,
        `${docParticle.name} 最多 ${docMax} 个，实际 ${msg.documents.length} 个`,
        `At most ${docMax} ${docParticle.name} per message, got ${msg.documents.length}`,
      ),
    );
  const needsTransfer = particles.some((p) => p.name === 'BaseTransfer' && p.min > 0);
  if (needsTransfer && !msg.baseTransfer)
    r.issues.push(
      xmlIssue('xml-missing-element', 'error', 'baseTransfer', '缺少 BaseTransfer', 'BaseTransfer is missing'),
    );
  if (particles.some((p) => p.ns === 'ds' && p.min > 0) && !msg.signature) {
    r.issues.push(
      xmlIssue(
        'signature-missing',
        'warning',
        'Signature',
        `${root.local} 必须加签（ds:Signature）后才能发送`,
        `${root.local} must be signed (ds:Signature) before it is sent`,
      ),
    );
  }
  if (r.notes.length) msg.notes = r.notes;
  return msg;
}

/** A copy of a subtree in which unprefixed elements in no namespace are in the CEB namespace (lenient reading). */
function inCebNamespace(el: El, parent: El | null): El {
  const copy: El = { ...el, ns: el.ns === '' && el.prefix === '' ? CEB_NS : el.ns, parent, children: [] };
  for (const c of el.children) copy.children.push(c.type === 'element' ? inCebNamespace(c, copy) : c);
  return copy;
}

const TRANS_INFO = ['CopMsgId', 'SenderId', 'ReceiverIds', 'CreatTime', 'MsgType'];

function readDxp(root: El, opts: ParseXmlOptions): DxpEnvelope {
  const issues: Issue[] = [];
  const env: DxpEnvelope = {
    kind: 'dxp',
    ver: attr(root, 'ver') ?? '',
    transInfo: { copMsgId: '', senderId: '', receiverIds: [], creatTime: '', msgType: '' },
    data: '',
    issues,
  };
  const unknown = (c: El, where: string) =>
    issues.push(
      xmlIssue(
        'xml-unknown-element',
        'warning',
        `${where}.${c.local}`,
        `未知元素 ${c.qname}（在 ${where} 中）`,
        `Unknown element ${c.qname} in ${where}`,
      ),
    );
  let sawData = false;
  for (const c of childElements(root)) {
    if (c.ns === DS_NS && c.local === 'Signature') env.signature = signatureInfo(c);
    else if (c.ns !== DXP_NS) unknown(c, 'DxpMsg');
    else if (c.local === 'TransInfo') {
      for (const t of childElements(c)) {
        if (t.ns !== DXP_NS || !TRANS_INFO.includes(t.local)) unknown(t, 'TransInfo');
        else if (t.local === 'ReceiverIds') {
          for (const id of childElements(t)) {
            if (id.ns === DXP_NS && id.local === 'ReceiverId') env.transInfo.receiverIds.push(textOf(id).text.trim());
            else unknown(id, 'ReceiverIds');
          }
        } else {
          const key = `${t.local[0]!.toLowerCase()}${t.local.slice(1)}` as 'copMsgId';
          env.transInfo[key] = textOf(t).text.trim();
        }
      }
    } else if (c.local === 'Data') {
      sawData = true;
      env.data = textOf(c).text.replace(/\s+/g, '');
    } else if (c.local === 'AddInfo') {
      const add: Record<string, unknown> = {};
      for (const a of childElements(c)) {
        if (a.local === 'BizKey')
          add.bizKey = childElements(a).map((k) => ({ name: attr(k, 'name'), value: textOf(k).text }));
        else if (a.local === 'IsText') add.isText = { encode: attr(a, 'Encode') };
        else add[`${a.local[0]!.toLowerCase()}${a.local.slice(1)}`] = textOf(a).text;
      }
      env.addInfo = add;
    } else unknown(c, 'DxpMsg');
  }
  for (const k of TRANS_INFO) {
    const key = `${k[0]!.toLowerCase()}${k.slice(1)}` as keyof DxpEnvelope['transInfo'];
    const v = env.transInfo[key];
    if (v === '' || (Array.isArray(v) && v.length === 0))
      issues.push(
        xmlIssue('xml-missing-element', 'error', `TransInfo.${k}`, `TransInfo 缺少 ${k}`, `TransInfo has no ${k}`),
      );
  }
  if (!sawData) issues.push(xmlIssue('xml-missing-element', 'error', 'Data', 'DxpMsg 缺少 Data', 'DxpMsg has no Data'));
  else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(env.data) || env.data.length % 4 !== 0) {
    issues.push(xmlIssue('xml-value', 'error', 'Data', 'Data 不是有效的 Base64', 'Data is not valid Base64'));
  } else if (env.data !== '') {
    const bytes = Buffer.from(env.data, 'base64');
    try {
      env.payload = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      issues.push(
        xmlIssue('xml-value', 'error', 'Data', 'Data 解码后不是 UTF-8 文本', 'Data does not decode to UTF-8 text'),
      );
    }
    if (env.payload !== undefined && /^\s*(<\?xml|<)/.test(env.payload.replace(/^\uFEFF/, ''))) {
      try {
        const inner = parseCebXml(env.payload, opts);
        if (inner.kind === 'ceb') env.message = inner;
        else
          issues.push(
            xmlIssue('xml-nested-dxp', 'error', 'Data', 'Data 中又是一个 DxpMsg', 'Data holds another DxpMsg'),
          );
      } catch (e) {
        const m = e instanceof Error ? e.message : String(e);
        issues.push(
          xmlIssue(
            'xml-payload',
            'error',
            'Data',
            `Data 中的报文无法读取：${m}`,
            `The message in Data cannot be read: ${m}`,
          ),
        );
      }
    }
  }
  if (env.message && env.transInfo.msgType && env.transInfo.msgType !== env.message.root) {
    issues.push(
      xmlIssue(
        'dxp-msgtype-mismatch',
        'warning',
        'TransInfo.MsgType',
        `MsgType ${env.transInfo.msgType} 与报文 ${env.message.root} 不符`,
        `MsgType ${env.transInfo.msgType} does not match the message ${env.message.root}`,
      ),
    );
  }
  return env;
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
 * keeps it) and a small tree whose text nodes and result strings are slices of it, not copies: about
 * three times the file, its bytes included (measured in docs/performance.md).
 */
export function parseCebXml(input: string | Uint8Array, options: ParseXmlOptions = {}): ParsedXml {
  const doc = parseXml(safeXmlText(input, options.maxBytes ?? DEFAULT_MAX_XML_BYTES));
  const root = doc.root;
  if (root.local === 'DxpMsg' && root.ns === DXP_NS) return readDxp(root, options);
  const name = MESSAGE_NAMES[root.local];
  if (name && root.ns === CEB_NS && hasModel(name.schema, root.local))
    return readCeb(root, name, doc.text, options.extensions);
  // Some published samples name the root `CEB214` instead of `CEB214Message`: read it, but say so.
  const alias = MESSAGE_NAMES[`${root.local}Message`];
  if (alias && root.ns === CEB_NS && /^CEB\d{3}$/.test(root.local)) {
    const msg = readCeb({ ...root, local: `${root.local}Message` }, alias, doc.text, options.extensions);
    msg.issues.unshift(
      xmlIssue(
        'xml-root-name',
        'warning',
        '',
        `根元素应为 ${root.local}Message，实际为 ${root.local}`,
        `The root element should be ${root.local}Message, not ${root.local}`,
      ),
    );
    return msg;
  }
  if (options.lenient && !root.ns && !root.qname.includes(':') && name && hasModel(name.schema, root.local)) {
    // Unprefixed names in no namespace read as if the CEB namespace were the default one.
    const msg = readCeb(inCebNamespace(root, null), name, doc.text, options.extensions);
    msg.issues.unshift(
      xmlIssue(
        'xml-no-namespace',
        'warning',
        '',
        `${root.local} 没有命名空间（应为 ${CEB_NS}）：按宽松模式读取`,
        `${root.local} is in no namespace (it should be in ${CEB_NS}); read leniently`,
      ),
    );
    return msg;
  }
  const ns = root.ns === '' ? 'no namespace' : `namespace ${root.ns}`;
  const lenientHint =
    name && !root.ns && !options.lenient
      ? '; the lenient option (parse --lenient) reads one in no namespace with a warning'
      : '';
  const hint =
    name || root.local === 'DxpMsg'
      ? ` (a ${root.local} must be in namespace ${root.local === 'DxpMsg' ? DXP_NS : CEB_NS}${lenientHint})`
      : '; sandan reads CEB3xx–9xx messages and DxpMsg';
  throw new SandanError('XML_UNKNOWN_ROOT', `Unknown root element ${root.qname} in ${ns}${hint}`, {
    details: { root: root.qname, namespace: root.ns },
  });
}

const accepts = new Map<BuildableType, Accept>();

/**
 * The documents of a parsed message as the model type of that message, e.g. `Order[]` for
 * CEB311: each is checked against the model schema and converted (amounts Decimal, integers
 * numbers, also when the message went through JSON). Throws INVALID_OPTION when the message is
 * of another type, or when a document does not fit the model (`details.issues` says where;
 * the message's own `issues` usually say why).
 */
export function documentsOf<T extends BuildableType>(message: ParsedXml, type: T): DocumentOf[T][] {
  const msg = message.kind === 'dxp' ? message.message : message;
  const info = BUILDABLE[type];
  if (!msg || msg.root !== info.root) {
    throw new SandanError(
      'INVALID_OPTION',
      `Expected a ${info.root}, got ${msg?.root ?? 'a DxpMsg without a CEB message'}`,
    );
  }
  let accept = accepts.get(type);
  if (!accept) accepts.set(type, (accept = compileAccept(info.documentSchema)));
  const convert = CONVERT_BY_ROOT[info.root]!;
  return msg.documents.map((doc, i) => {
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
  return JSON.parse(JSON.stringify(value, decimalsAsText) ?? 'null');
}

/** Strings longer than this are written in pieces by {@link writeJsonText}. */
const BIG_STRING = 1 << 20;

/**
 * Writes `JSON.stringify(toJsonValue(value), null, space)`, the same text, in pieces: a message
 * with a huge text (a 40 MB goods name) would otherwise be copied twice more (the intermediate
 * value, then one JSON string as large as the input, twice that in memory when it holds Chinese).
 * Long strings are left out of the JSON skeleton (a marker holding U+0000 stands in, which no
 * parsed text can hold) and written escaped slice by slice. Internal: the CLI's output.
 */
export function writeJsonText(value: unknown, space: number | undefined, write: (text: string) => void): void {
  const big: string[] = [];
  let clash = false;
  const text =
    JSON.stringify(
      value,
      function (this: Record<string, unknown>, key: string, v: unknown) {
        const raw = this[key];
        if (DecimalJs.isDecimal(raw)) return (raw as Decimal).toFixed();
        if (typeof v === 'string') {
          if (v.length > BIG_STRING) return `\u0000${big.push(v) - 1}\u0000`;
          if (v.indexOf('\u0000') !== -1) clash = true;
        }
        return v;
      },
      space,
    ) ?? 'null';
  if (clash || big.length === 0) {
    write(clash ? (JSON.stringify(value, decimalsAsText, space) ?? 'null') : text);
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
