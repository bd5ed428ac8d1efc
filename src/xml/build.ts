import { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import { checkArgument, codePointLength, describeInput, isRecord, ownValue } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import type { Issue } from '../model/issue.js';
import { didYouMean } from '../model/field-names.js';
import { memberPath } from '../model/json-position.js';
import { decimalOfText, GUID_CONVENTION, guidConventionIssue } from '../model/primitives.js';
import { CEB_NS, headElementOf, layoutOf, particlesOf, type DocumentLayout, type Particle } from './content-model.js';
import { documentIssues, XML_BUILD_RULE_ID } from './issues.js';
import { extensionFieldsOf, readJsonBeyond, type ExtensionField } from './extensions.js';
import { acceptOf, checkBuildableType } from './buildable.js';
import { BUILDABLE, type BuildableType, type DocumentOf } from './messages.js';
import { codePointName, forbiddenCharacter } from './safety.js';
import { serializeXml, type XNode } from './serialize.js';
import { DATE_TIME_14, beijingDateTime14 } from '../time/beijing.js';

/** The enterprise that transmits the message (BaseTransfer, the 2022-05 CEB interface spec). */
export interface SenderProfile {
  /** 传输企业代码: must match the DXP client's identity. */
  copCode: string;
  copName: string;
  /** Defaults to `DXP`. */
  dxpMode?: string;
  /** DXP user number, e.g. `DXPENT0000012345`. */
  dxpId: string;
  note?: string;
}

/** A third party subscribing to this message's data or receipts (BaseSubscribe). */
export interface Subscriber {
  status: 'ALL' | 'DATA' | 'RET';
  /** Defaults to `DXP`. */
  dxpMode?: string;
  dxpAddress: string;
  note?: string;
}

/** Where time and identifiers come from; injected so that builds are pure and golden-testable. */
export interface BuildEnvironment {
  /**
   * The current instant; written in Beijing time whatever the host's zone. Against the customs emulator on a manual
   * clock, the emulator's time: `now: () => customs.now()`.
   */
  now(): Date;
  /** A fresh UUID; upper-cased when written. */
  newId(): string;
}

/** Options of {@link buildMessage}. */
export interface BuildOptions extends BuildEnvironment {
  sender: SenderProfile;
  subscribers?: readonly Subscriber[];
  /** Root guid (message id); default a new id. */
  guid?: string;
  /** Root version; default `1.0`. */
  version?: string;
  /** Overrides every document's appType (1 new, 2 change, 3 delete); default the document's own, else `1`. */
  appType?: '1' | '2' | '3';
  /** Overrides every document's appStatus (1 temp-save, 2 declare); default the document's own, else `2`. */
  appStatus?: '1' | '2';
  /** Overrides every document's appTime (yyyyMMddHHmmss); default the document's own, else now in Beijing time. */
  appTime?: string;
  /**
   * Fields beyond the 2022 XSD to write (a district's or user ruleset's extensions, see `extensionsFor`):
   * checked, then written after the XSD fields of their element. Without them such fields are unknown (warnings, not written).
   */
  extensions?: readonly ExtensionField[];
  /** Check each document against its schema first (default true); off only for trusted, pre-checked input. */
  validate?: boolean;
}

// (any other key is misuse: a misspelt option was ignored, e.g. a guid made up instead of the one given)
const BUILD_OPTION_NAMES = optionNames<BuildOptions>({
  sender: true,
  subscribers: true,
  guid: true,
  version: true,
  appType: true,
  appStatus: true,
  appTime: true,
  extensions: true,
  validate: true,
  now: true,
  newId: true,
});

/** The outcome of a build: the XML, or the issues that kept the documents from being written. */
export type BuildResult = { ok: true; xml: string; issues: Issue[] } | { ok: false; xml?: undefined; issues: Issue[] };

const ENVELOPE_FIELDS = new Set(['guid', 'appType', 'appTime', 'appStatus']);

/** A new id for a guid: sandan's own ids are upper-case UUIDs (a caller's guid needs only the XSD's 36 characters). */
export function newGuid(env: BuildEnvironment): string {
  const id = environmentCall(env, 'newId');
  if (typeof id !== 'string' || !GUID_CONVENTION.test(id.toUpperCase()))
    throw new SandanError(
      'INVALID_OPTION',
      `newId() must return a UUID (36 characters with hyphens), got ${describeInput(id)}`,
    );
  return id.toUpperCase();
}

/**
 * Calls the options' `now` or `newId`: from JavaScript, a missing one was a TypeError from inside ("env.newId is not a
 * function"), the commonest slip of a first build, since TypeScript alone says they are required.
 */
function environmentCall(env: BuildEnvironment, name: 'now' | 'newId'): unknown {
  if (typeof env[name] !== 'function')
    throw new SandanError(
      'INVALID_OPTION',
      `The build options need ${name} as a function (${name === 'now' ? 'now: one returning the time of sending as a Date' : "newId: () => randomUUID(), from 'node:crypto'"}), ` +
        `got ${describeInput(env[name])}: sandan reads no clock and makes no ids of its own`,
    );
  return env[name]();
}

function requireText(obj: Record<string, unknown>, field: string, max: number, what: string, exact = false): string {
  const v = obj[field];
  // Characters, as the XSD counts them (an emoji or a CJK Extension B character is one, two UTF-16 units).
  const n = typeof v === 'string' ? codePointLength(v) : 0;
  if (typeof v !== 'string' || n === 0 || n > max || (exact && n !== max)) {
    throw new SandanError(
      'INVALID_OPTION',
      `${what}.${field} must be a string of ${exact ? `exactly ${max}` : `1 to ${max}`} characters, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`,
      { details: { field: `${what}.${field}` } },
    );
  }
  // What a document's text is checked for (forbiddenCharIssues): a sender's U+0000 was written as it is, exit 0.
  const problem = forbiddenCharacter(v);
  if (problem)
    throw new SandanError('INVALID_OPTION', `${what}.${field}: ${problem.why}`, {
      details: { field: `${what}.${field}` },
    });
  return v;
}

/** Throws INVALID_OPTION unless a message of `type` (laid out as `layout`) can carry `count` documents. */
export function checkDocumentCount(type: string, count: number, layout: DocumentLayout): void {
  const max = layout.element.max;
  if (count === 0) throw new SandanError('INVALID_OPTION', `${type} needs at least one document`);
  if (count > max)
    throw new SandanError(
      'INVALID_OPTION',
      `${type} carries at most ${max} document${max === 1 ? '' : 's'} per message, got ${count}; split them into several messages`,
    );
}

/** Throws INVALID_OPTION for a root guid the XSD refuses: its only constraint is the length (the UUID convention is a warning). */
export function checkRootGuid(guid: unknown): void {
  if (guid !== undefined && (typeof guid !== 'string' || codePointLength(guid) !== 36))
    throw new SandanError('INVALID_OPTION', `guid must have 36 characters (XSD), got ${JSON.stringify(guid)}`);
}

/** The root's version, `1.0` when left out; INVALID_OPTION unless it is text of 1 to 10 characters (XSD). */
export function rootVersion(version: unknown): string {
  const v = version ?? '1.0';
  // (characters as the XSD counts them: code points)
  if (typeof v !== 'string' || v.length < 1 || codePointLength(v) > 10)
    throw new SandanError(
      'INVALID_OPTION',
      `version must be text of 1 to 10 characters, got ${describeInput(version)}`,
    );
  return v;
}

/** A message's root element: its guid, version and the CEB namespace, then its children. */
export function rootNode(root: string, guid: string, version: string, children: XNode[]): XNode {
  const attrs = [
    ['guid', guid],
    ['version', version],
    ['xmlns:ceb', CEB_NS],
  ] as const;
  return { name: `ceb:${root}`, attrs, children };
}

/** Checks a sender profile; throws INVALID_OPTION naming every missing or bad field. */
export function checkSenderProfile(sender: unknown): SenderProfile {
  if (sender === null || typeof sender !== 'object')
    throw new SandanError('INVALID_OPTION', 'A sender profile { copCode, copName, dxpId, dxpMode? } is required');
  const s = sender as Record<string, unknown>;
  const missing = ['copCode', 'copName', 'dxpId'].filter((k) => typeof s[k] !== 'string' || s[k] === '');
  if (missing.length)
    throw new SandanError('INVALID_OPTION', `The sender profile lacks ${missing.join(', ')}`, { details: { missing } });
  const out: SenderProfile = {
    copCode: requireText(s, 'copCode', 18, 'sender'),
    copName: requireText(s, 'copName', 100, 'sender'),
    dxpMode: s.dxpMode === undefined ? 'DXP' : requireText(s, 'dxpMode', 3, 'sender', true),
    dxpId: requireText(s, 'dxpId', 30, 'sender'),
  };
  if (s.note !== undefined) out.note = requireText(s, 'note', 1000, 'sender');
  return out;
}

/** Writes an N19,5 amount exactly as its decimal digits (never exponent or float text). */
export function decimalText(v: unknown): string {
  if (Decimal.isDecimal(v)) return (v as Decimal).toFixed();
  // (the model's reading of a text: an xs:decimal spelling such as ` .5 ` or `548.000000` is its value)
  if (typeof v === 'number') return decimalOfText(String(v)).toFixed();
  if (typeof v === 'string') return decimalOfText(v).toFixed();
  throw new SandanError('INVALID_OPTION', `not an amount: ${describeInput(v)}`);
}

function leaves(
  fields: readonly Particle[],
  values: Record<string, unknown>,
  fill: Record<string, string> | undefined,
  keepEmptyRequired = false,
): XNode[] {
  const out: XNode[] = [];
  for (const p of fields) {
    if (p.kind === undefined) continue;
    let v = values[p.name];
    if (fill && ENVELOPE_FIELDS.has(p.name)) v = fill[p.name];
    // No empty optional elements: an absent value writes nothing. A receipt's required element the
    // XSD lets be empty (CEB900 oriCopMsgId) is written empty.
    if (v === undefined || v === null || (v === '' && !(keepEmptyRequired && p.min > 0))) continue;
    out.push({ name: `ceb:${p.name}`, text: p.kind === 'd' ? decimalText(v) : String(v) });
  }
  return out;
}

/** The extension fields of `element` that `values` carries, as leaves after the XSD's. */
function extensionLeaves(
  element: string,
  extensions: readonly ExtensionField[],
  values: Record<string, unknown>,
  builtIns = false,
): XNode[] {
  if (extensions.length === 0 && !builtIns) return [];
  const out: XNode[] = [];
  for (const f of extensionFieldsOf(element, extensions)) {
    // (a ruleset may name a field toString: the document's own, not Object.prototype's function written out)
    const v = ownValue(values, f.name);
    if (v === undefined || v === null || v === '') continue;
    out.push({
      name: `ceb:${f.name}`,
      text: f.kind === 'd' && (typeof v !== 'string' || /^\d+(\.\d+)?$/.test(v)) ? decimalText(v) : String(v),
    });
  }
  return out;
}

const BEYOND_RULES = { names: XML_BUILD_RULE_ID, values: XML_BUILD_RULE_ID };

/**
 * A document's text lies at most this deep: document → `items` → line → field. Anything deeper is
 * a value of the wrong type, reported by the type check and never written; not walking it keeps
 * a 20,000-deep array from overflowing the stack.
 */
const TEXT_DEPTH = 4;

/**
 * Reports text XML cannot carry (C0 controls but tab, LF, CR; U+FFFE, U+FFFF; lone surrogates), at its path, rather
 * than write a document no parser reads.
 */
export function forbiddenCharIssues(doc: unknown, path: string, out: Issue[], depth = 0): void {
  if (depth > TEXT_DEPTH) return;
  if (typeof doc === 'string') {
    const problem = forbiddenCharacter(doc);
    if (problem) {
      // Named, as the XML reader names it: a lone surrogate is no control character.
      const c = doc.charCodeAt(problem.index);
      const u = codePointName(c);
      out.push({
        code: 'xml-invalid-char',
        severity: 'error',
        ruleId: XML_BUILD_RULE_ID,
        path,
        message: {
          zh:
            c >= 0xd800 && c <= 0xdfff
              ? `${path} 含有孤立的代理项 ${u}（不是有效的 Unicode 文本），XML 无法写入`
              : `${path} 含有 XML 不允许的字符 ${u}`,
          en: `${path}: ${problem.why}`,
        },
      });
    }
  } else if (Array.isArray(doc)) {
    for (const [i, v] of doc.entries()) forbiddenCharIssues(v, memberPath(path, i), out, depth + 1);
  } else if (isRecord(doc) && !Decimal.isDecimal(doc)) {
    for (const [k, v] of Object.entries(doc)) forbiddenCharIssues(v, memberPath(path, k), out, depth + 1);
  }
}

/** A field the message has no element for would silently vanish: report it (a warning, as in validate). */
export function unknownFieldIssues(
  schema: unknown,
  doc: unknown,
  prefix: string,
  out: Issue[],
  known: ReadonlySet<string> = new Set(),
): void {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  if (!shape || !isRecord(doc)) return;
  for (const k of Object.keys(doc)) {
    const path = `${prefix}.${k}`;
    if (!Object.hasOwn(shape, k) && !known.has(path)) {
      const near = didYouMean(k, Object.keys(shape));
      out.push({
        code: 'unknown-field',
        severity: 'warning',
        ruleId: XML_BUILD_RULE_ID,
        path,
        message: {
          zh: `未知字段 ${k}（${path}）：报文中没有此字段，不会写入${near.zh}`,
          en: `Unknown field ${path}: the message has no such element, so it is not written${near.en}`,
        },
      });
    }
  }
  const items = doc.items;
  const itemSchema = (shape.items as { element?: unknown } | undefined)?.element;
  if (Array.isArray(items) && itemSchema) {
    for (const [i, item] of items.entries()) unknownFieldIssues(itemSchema, item, `${prefix}.items[${i}]`, out, known);
  }
}

/** Checks documents against their schema and XML's character set; no error issues when they can be built (unknown fields are warnings). */
export function checkDocuments(
  type: BuildableType,
  documents: readonly unknown[],
  extensions: readonly ExtensionField[] = [],
): Issue[] {
  checkBuildableType(type, 'checkDocuments: the message type');
  checkArgument(documents, 'list', 'checkDocuments', 'the documents');
  checkArgument(extensions, 'list', 'checkDocuments', 'the extensions');
  const info = BUILDABLE[type];
  const issues: Issue[] = [];
  documents.forEach((given, i) => {
    // A whole declaration given for one of its documents would be told as some 30 missing fields and
    // `inventory.order` "did you mean orderNo?": say which document to pass instead.
    if (isRecord(given) && isRecord(ownValue(given, info.key)))
      throw new SandanError(
        'INVALID_OPTION',
        `${type} is built from ${info.key} documents, got an object that holds one (a whole declaration?): pass its ${info.key}, e.g. parseDeclaration(json).data.${info.key}`,
      );
    const prefix = documents.length === 1 ? info.key : `${info.key}[${i}]`;
    // Misspelt names are read as the XSD's (warning); extension fields are checked, not unknown.
    const beyond = readJsonBeyond(type, given, prefix, extensions, BEYOND_RULES);
    const doc = beyond.doc;
    // (issue by issue: a spread of some 130,000, one per line of a long document, overflowed the stack)
    for (const x of beyond.issues) issues.push(x);
    // The compiled accept path answers "well-formed?" cheaply; zod runs only to explain a no.
    if (!acceptOf(type)(doc)) {
      const r = info.documentSchema.safeParse(doc);
      if (!r.success) issues.push(...documentIssues(r.error, doc, prefix));
    }
    forbiddenCharIssues(doc, prefix, issues);
    const g = guidConventionIssue((doc as { guid?: unknown } | null)?.guid, `${prefix}.guid`, XML_BUILD_RULE_ID);
    if (g) issues.push(g);
    unknownFieldIssues(info.documentSchema, doc, prefix, issues, beyond.extensionPaths);
  });
  return issues;
}

/** How {@link documentNode} writes a document beyond its XSD fields. */
interface DocumentNodeOptions {
  /** Envelope values (guid, appType, appTime, appStatus) that replace the document's own. */
  fill?: Record<string, string>;
  /** Extension fields to write after the XSD fields of the head and line elements. */
  extensions?: readonly ExtensionField[];
  /** Write required elements whose value is '' as empty elements (receipts; the XSD lets some be empty). */
  keepEmptyRequired?: boolean;
  /** Write the built-in fields beyond the XSD (CEB816 TaxHeadRd orderNo, logisticsNo) even without `extensions`. */
  builtInExtensions?: boolean;
}

/**
 * The element of one document laid out as `layout` says: head fields (wrapped in the head
 * element when there is one), then one line element per `items` entry. Shared by the message
 * and receipt builders.
 */
export function documentNode(
  layout: DocumentLayout,
  doc: Record<string, unknown>,
  options: DocumentNodeOptions = {},
): XNode {
  const { fill, extensions = [], keepEmptyRequired = false, builtInExtensions = false } = options;
  const head = [
    ...leaves(layout.head.fields, doc, fill, keepEmptyRequired),
    ...extensionLeaves(headElementOf(layout), extensions, doc, builtInExtensions),
  ];
  if (!layout.head.name) return { name: `ceb:${layout.element.name}`, children: head };
  const children: XNode[] = [{ name: `ceb:${layout.head.name}`, children: head }];
  if (layout.list) {
    const items = (doc.items as Array<Record<string, unknown>> | undefined) ?? [];
    for (const item of items)
      children.push({
        name: `ceb:${layout.list.particle.name}`,
        children: [
          ...leaves(layout.list.fields, item, undefined, keepEmptyRequired),
          ...extensionLeaves(layout.list.particle.name, extensions, item, builtInExtensions),
        ],
      });
  }
  return { name: `ceb:${layout.element.name}`, children };
}

/**
 * Builds the element tree of a message (before serialization). Exposed for signing, which needs
 * the tree, and for tests; most callers want {@link buildMessage}.
 */
export function buildMessageTree<T extends BuildableType>(
  type: T,
  documents: readonly DocumentOf[T][],
  options: BuildOptions,
): XNode {
  checkBuildableType(type, 'buildMessageTree: the message type');
  checkArgument(documents, 'list', 'buildMessageTree', 'the documents');
  checkArgument(options, 'object', 'buildMessageTree', 'the options');
  knownOptions(options, 'buildMessageTree', BUILD_OPTION_NAMES);
  const info = BUILDABLE[type];
  const layout = layoutOf(info.schema, info.root);
  checkDocumentCount(type, documents.length, layout);
  const sender = checkSenderProfile(options.sender);
  const subscribers = options.subscribers ?? [];
  if (subscribers.length > 5)
    throw new SandanError(
      'INVALID_OPTION',
      `At most 5 subscribers (BaseSubscribe) per message, got ${subscribers.length}`,
    );
  const version = rootVersion(options.version);
  checkRootGuid(options.guid);
  const rootGuid = options.guid ?? newGuid(options);
  if (options.appTime !== undefined && (typeof options.appTime !== 'string' || !DATE_TIME_14.test(options.appTime)))
    throw new SandanError(
      'INVALID_OPTION',
      `appTime must be a real time as yyyyMMddHHmmss (Beijing time), got ${JSON.stringify(options.appTime)}`,
    );
  let now: string | undefined;
  const appTimeDefault = () => (now ??= beijingDateTime14(environmentCall(options, 'now') as Date));

  const extensions = options.extensions ?? [];
  const docNodes: XNode[] = documents.map((d) => {
    const doc = readJsonBeyond(type, d, '', extensions, BEYOND_RULES).doc as Record<string, unknown>;
    const fill = {
      guid: typeof doc.guid === 'string' && doc.guid !== '' ? doc.guid : newGuid(options),
      appType: options.appType ?? (doc.appType as string | undefined) ?? '1',
      appTime: options.appTime ?? (doc.appTime as string | undefined) ?? appTimeDefault(),
      appStatus: options.appStatus ?? (doc.appStatus as string | undefined) ?? '2',
    };
    return documentNode(layout, doc, { fill, extensions });
  });

  const rootChildren: XNode[] = [...docNodes];
  rootChildren.push({
    name: 'ceb:BaseTransfer',
    children: leaves(particlesOf(info.schema, 'BaseTransfer'), { ...sender }, undefined),
  });
  for (const s of subscribers) {
    if (!['ALL', 'DATA', 'RET'].includes(s.status) || !s.dxpAddress || s.dxpAddress.length > 100) {
      throw new SandanError(
        'INVALID_OPTION',
        'A subscriber needs status ALL, DATA or RET and a dxpAddress of 1 to 100 characters',
      );
    }
    rootChildren.push({
      name: 'ceb:BaseSubscribe',
      children: leaves(particlesOf(info.schema, 'BaseSubscribe'), { dxpMode: 'DXP', ...s }, undefined),
    });
  }
  return rootNode(info.root, rootGuid, version, rootChildren);
}

/**
 * Builds one CEB message from model documents (1 to 100 of them where the XSD allows): envelope
 * filled, children in XSD order, amounts exact, times in Beijing time, no empty optional elements.
 * Bad documents are a result with issues; misuse (bad sender, too many documents) throws
 * SandanError `INVALID_OPTION`. Messages whose XSD requires ds:Signature (CEB621/623/625/711)
 * come out unsigned: signing appends the Signature as the root's last child.
 *
 * `now()` is the appTime of each document that has none. In a test against the customs emulator on a manual
 * clock, pass the emulator's time (`now: () => customs.now()`), not the machine's: the message is then dated on
 * the emulator's day, as the receipts that answer it are.
 */
export function buildMessage<T extends BuildableType>(
  type: T,
  documents: DocumentOf[T] | readonly DocumentOf[T][],
  options: BuildOptions,
): BuildResult {
  checkBuildableType(type, 'buildMessage: the message type');
  checkArgument(options, 'object', 'buildMessage', 'the options');
  knownOptions(options, 'buildMessage', BUILD_OPTION_NAMES);
  const docs = (Array.isArray(documents) ? documents : [documents]) as readonly DocumentOf[T][];
  const issues = options.validate === false ? [] : checkDocuments(type, docs, options.extensions);
  if (issues.some((i) => i.severity === 'error')) return { ok: false, issues };
  const rootGuid = guidConventionIssue(options.guid, 'guid', XML_BUILD_RULE_ID);
  if (rootGuid) issues.unshift(rootGuid);
  return { ok: true, xml: serializeXml(buildMessageTree(type, docs, options)), issues };
}
