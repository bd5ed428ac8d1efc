/**
 * A small, strict XML reader and inclusive Canonical XML 1.0 writer, just enough for
 * enveloped signatures over CEB messages. It keeps source offsets so that a signature can be
 * inserted into (or cut out of) the text without re-serialising the document.
 *
 * Refused on purpose: DTDs (no entity expansion, no external resources), undeclared namespace
 * prefixes, undefined entities. CEB messages never need them.
 */
import { createHash, type Hash } from 'node:crypto';
import { SandanError } from '../errors.js';
import type { DigestAlgorithm } from './algorithms.js';
import { checkXmlCharacters, isXmlChar, lineColumn, MAX_XML_DEPTH, markupProblem, TOO_DEEP } from '../xml/safety.js';

/** The XML namespace (bound to `xml:` without declaration). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** An element with its resolved namespace and where it sits in the (line-normalised) source. */
export interface XmlElement {
  readonly type: 'element';
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI of the element ('' when none). */
  readonly ns: string;
  readonly attrs: XmlAttr[];
  /** Namespace declarations on this element, prefix '' for the default namespace. */
  readonly nsDecls: Array<[prefix: string, uri: string]>;
  readonly children: XmlNode[];
  readonly parent: XmlElement | null;
  /** Offset of `<` of the start tag. */
  start: number;
  /** Offset of `<` of the end tag (equals `end` for an empty-element tag `<a/>`). */
  endTagStart: number;
  /** Offset just after the element. */
  end: number;
}

/** An attribute (namespace declarations are kept apart in `nsDecls`). */
export interface XmlAttr {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  readonly ns: string;
  readonly value: string;
}

/** A node of the tree. CDATA sections are text nodes. */
export type XmlNode =
  | XmlElement
  | { readonly type: 'text'; readonly value: string }
  | { readonly type: 'comment'; readonly value: string }
  | { readonly type: 'pi'; readonly target: string; readonly data: string };

/** A parsed document: the line-normalised source text, the top-level nodes and the root element. */
export interface XmlDocument {
  readonly text: string;
  readonly children: XmlNode[];
  readonly root: XmlElement;
}

function fail(message: string, at?: number, text?: string): never {
  let where = '';
  if (at !== undefined && text !== undefined) {
    const { line, col } = lineColumn(text, at);
    where = ` (line ${line}, column ${col})`;
  }
  throw new SandanError('SIGN_XML_MALFORMED', `Not well-formed XML${where}: ${message}`);
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeRefs(s: string, at: number, text: string): string {
  if (s.indexOf('&') === -1) return s;
  return s.replace(/&([^;&\s]*);?/g, (m, name: string) => {
    if (!m.endsWith(';')) fail('"&" must start an entity or character reference', at, text);
    if (name.startsWith('#')) {
      const cp = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      const valid = /^#(x[0-9a-fA-F]+|[0-9]+)$/.test(name) && isXmlChar(cp);
      if (!valid) fail(`bad character reference ${m}`, at, text);
      return String.fromCodePoint(cp);
    }
    const v = ENTITIES[name];
    if (v === undefined) fail(`undefined entity ${m} (DTDs are not supported)`, at, text);
    return v;
  });
}

function isNameEnd(c: number): boolean {
  // whitespace, '/', '>', '=', '?'
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e || c === 0x3d || c === 0x3f;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function splitQName(q: string, at: number, text: string): [string, string] {
  const i = q.indexOf(':');
  if (i === -1) return ['', q];
  if (i === 0 || i === q.length - 1 || q.indexOf(':', i + 1) !== -1) fail(`bad name "${q}"`, at, text);
  return [q.slice(0, i), q.slice(i + 1)];
}

/**
 * The text a reader works on: its one byte-order mark dropped, checked for characters XML forbids
 * and for what may come first (see `checkXmlCharacters`), line ends normalised.
 */
function normalised(input: string, fail: (message: string, at: number, text: string) => never): string {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  checkXmlCharacters(text, (p) => fail(p.why, p.index, text));
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

/**
 * Parses an XML document. Line endings are normalised (CR LF and CR become LF) first, as an XML
 * processor must; offsets in the result refer to `doc.text`. A leading byte-order mark is dropped.
 *
 * Limits, as every sandan reader: elements nested at most `MAX_XML_DEPTH` (64) deep, refused in
 * linear time before anything walks the tree; no character outside the XML 1.0 `Char` production,
 * nor a reference to one; at most one byte-order mark, and the XML declaration only at the very
 * start; every namespace prefix declared. No size limit here: callers ({@link canonicalizeFast}'s
 * users, `signMessage`, `verifyMessage`) apply theirs first.
 * @throws SandanError `SIGN_XML_MALFORMED`
 */
export function parseXml(input: string): XmlDocument {
  const text = normalised(input, fail);
  const n = text.length;
  const top: XmlNode[] = [];
  let root: XmlElement | undefined;
  let cur: XmlElement | null = null;
  // in-scope namespace bindings: a stack of maps, one per open element that declares something
  const scopes: Array<Map<string, string>> = [
    new Map([
      ['xml', XML_NS],
      ['', ''],
    ]),
  ];
  const scopeDepth: number[] = [];
  const lookup = (prefix: string): string | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const v = scopes[i]!.get(prefix);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  let i = 0;
  let textStart = 0;
  const flushText = (to: number) => {
    if (to <= textStart) return;
    const raw = text.slice(textStart, to);
    if (cur === null) {
      if (!/^[ \t\n]*$/.test(raw)) fail('text outside the root element', textStart, text);
      return;
    }
    if (raw.indexOf(']]>') !== -1) fail('"]]>" in text', textStart, text);
    const value = decodeRefs(raw, textStart, text);
    const last = cur.children[cur.children.length - 1];
    if (last && last.type === 'text')
      cur.children[cur.children.length - 1] = { type: 'text', value: last.value + value };
    else cur.children.push({ type: 'text', value });
  };
  const pushNode = (node: XmlNode) => {
    if (cur) cur.children.push(node);
    else top.push(node);
  };

  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt === -1) {
      i = n;
      break;
    }
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        flushText(lt);
        const e = text.indexOf('-->', lt + 4);
        if (e === -1) fail('unterminated comment', lt, text);
        const value = text.slice(lt + 4, e);
        const problem = markupProblem(text.slice(lt, e + 3), lt === 0);
        if (problem) fail(problem, lt, text);
        pushNode({ type: 'comment', value });
        i = textStart = e + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        if (!cur) fail('CDATA outside the root element', lt, text);
        flushText(lt);
        const e = text.indexOf(']]>', lt + 9);
        if (e === -1) fail('unterminated CDATA section', lt, text);
        const value = text.slice(lt + 9, e);
        const last = cur.children[cur.children.length - 1];
        if (last && last.type === 'text')
          cur.children[cur.children.length - 1] = { type: 'text', value: last.value + value };
        else cur.children.push({ type: 'text', value });
        i = textStart = e + 3;
        continue;
      }
      if (text.startsWith('<!DOCTYPE', lt)) fail('a DOCTYPE is not allowed in a signed message', lt, text);
      fail('unexpected "<!"', lt, text);
    }
    if (next === 0x3f /* ? */) {
      flushText(lt);
      const e = text.indexOf('?>', lt + 2);
      if (e === -1) fail('unterminated processing instruction', lt, text);
      const problem = markupProblem(text.slice(lt, e + 2), lt === 0);
      if (problem) fail(problem, lt, text);
      const body = text.slice(lt + 2, e);
      const m = /^([^\s?]+)(?:[ \t\n]+([\s\S]*))?$/.exec(body);
      if (!m) fail('bad processing instruction', lt, text);
      const target = m[1]!;
      if (target !== 'xml') {
        pushNode({ type: 'pi', target, data: m[2] ?? '' });
      }
      i = textStart = e + 2;
      continue;
    }
    if (next === 0x2f /* / */) {
      flushText(lt);
      let j = lt + 2;
      while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
      const name = text.slice(lt + 2, j);
      while (j < n && isWs(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3e) fail(`bad end tag </${name}`, lt, text);
      if (!cur || cur.qname !== name)
        fail(`end tag </${name}> does not match ${cur ? `<${cur.qname}>` : 'any open element'}`, lt, text);
      cur.endTagStart = lt;
      cur.end = j + 1;
      if (scopeDepth.length && scopeDepth[scopeDepth.length - 1] === depthOf(cur)) {
        scopeDepth.pop();
        scopes.pop();
      }
      cur = cur.parent;
      i = textStart = j + 1;
      continue;
    }
    // start tag
    flushText(lt);
    if (cur === null && root) fail('more than one root element', lt, text);
    if (cur !== null && depthOf(cur) + 2 > MAX_XML_DEPTH) fail(TOO_DEEP, lt, text);
    let j = lt + 1;
    while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
    const qname = text.slice(lt + 1, j);
    if (!qname) fail('empty element name', lt, text);
    const rawAttrs: Array<[string, string, number]> = [];
    let selfClose = false;
    for (;;) {
      const ws = j;
      while (j < n && isWs(text.charCodeAt(j))) j++;
      const c = text.charCodeAt(j);
      if (c === 0x3e) {
        j++;
        break;
      }
      if (c === 0x2f && text.charCodeAt(j + 1) === 0x3e) {
        selfClose = true;
        j += 2;
        break;
      }
      if (j >= n) fail(`unterminated start tag <${qname}`, lt, text);
      if (j === ws) fail(`attributes of <${qname}> must be separated by whitespace`, j, text);
      const an = j;
      while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
      const aname = text.slice(an, j);
      if (!aname) fail(`bad attribute in <${qname}>`, j, text);
      while (j < n && isWs(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3d) fail(`attribute ${aname} has no value`, j, text);
      j++;
      while (j < n && isWs(text.charCodeAt(j))) j++;
      const q = text.charCodeAt(j);
      if (q !== 0x22 && q !== 0x27) fail(`attribute ${aname} value must be quoted`, j, text);
      const ve = text.indexOf(q === 0x22 ? '"' : "'", j + 1);
      if (ve === -1) fail(`unterminated value of ${aname}`, j, text);
      const raw = text.slice(j + 1, ve);
      if (raw.indexOf('<') !== -1) fail(`"<" in the value of ${aname}`, j, text);
      // attribute-value normalisation (no DTD, so every attribute is CDATA): literal whitespace becomes a space
      rawAttrs.push([aname, decodeRefs(raw.replace(/[\t\n]/g, ' '), j, text), an]);
      j = ve + 1;
    }
    const nsDecls: Array<[string, string]> = [];
    const plain: Array<[string, string, number]> = [];
    const seen = new Set<string>();
    for (const a of rawAttrs) {
      if (seen.has(a[0])) fail(`duplicate attribute ${a[0]}`, a[2], text);
      seen.add(a[0]);
      if (a[0] === 'xmlns') nsDecls.push(['', a[1]]);
      else if (a[0].startsWith('xmlns:')) {
        const p = a[0].slice(6);
        if (!a[1]) fail(`namespace prefix ${p} cannot be undeclared`, a[2], text);
        if (p === 'xmlns' || (p === 'xml') !== (a[1] === XML_NS))
          fail(`reserved namespace prefix or name in ${a[0]}`, a[2], text);
        nsDecls.push([p, a[1]]);
      } else plain.push(a);
    }
    const parent: XmlElement | null = cur;
    if (nsDecls.length) {
      scopes.push(new Map(nsDecls));
      scopeDepth.push(parent ? depthOf(parent) + 1 : 0);
    }
    const [prefix, local] = splitQName(qname, lt, text);
    const ns = lookup(prefix);
    if (ns === undefined) fail(`undeclared namespace prefix "${prefix}"`, lt, text);
    const attrs: XmlAttr[] = [];
    const expanded = new Set<string>();
    for (const [aq, value, at] of plain) {
      const [ap, al] = splitQName(aq, at, text);
      const ans = ap === '' ? '' : lookup(ap);
      if (ans === undefined) fail(`undeclared namespace prefix "${ap}"`, at, text);
      const key = `${ans}\u0000${al}`;
      if (expanded.has(key)) fail(`duplicate attribute ${aq}`, at, text);
      expanded.add(key);
      attrs.push({ qname: aq, prefix: ap, local: al, ns: ans, value });
    }
    const el: XmlElement = {
      type: 'element',
      qname,
      prefix,
      local,
      ns,
      attrs,
      nsDecls,
      children: [],
      parent,
      start: lt,
      endTagStart: j,
      end: j,
    };
    depths.set(el, parent ? depthOf(parent) + 1 : 0);
    pushNode(el);
    if (!parent) root = el;
    if (selfClose) {
      if (nsDecls.length) {
        scopes.pop();
        scopeDepth.pop();
      }
    } else {
      cur = el;
    }
    i = textStart = j;
  }
  if (cur) fail(`<${cur.qname}> is not closed`, cur.start, text);
  flushText(n);
  if (!root) fail('no root element');
  return { text, children: top, root };
}

const depths = new WeakMap<XmlElement, number>();
function depthOf(el: XmlElement): number {
  return depths.get(el) ?? 0;
}

/** The namespace bindings in scope at an element (prefix '' = default; xml is left out). */
export function inScopeNamespaces(el: XmlElement): Map<string, string> {
  const chain: XmlElement[] = [];
  for (let e: XmlElement | null = el; e; e = e.parent) chain.push(e);
  const m = new Map<string, string>();
  for (let k = chain.length - 1; k >= 0; k--) for (const [p, u] of chain[k]!.nsDecls) m.set(p, u);
  return m;
}

function escText(s: string): string {
  if (!/[&<>\r]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** Escapes an attribute value the way Canonical XML writes it. */
export function escAttr(s: string): string {
  if (!/[&<"\t\n\r]/.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

/** Compares by Unicode code point (what C14N asks for), not by UTF-16 unit. */
function cmpCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

function attrOrder(a: XmlAttr, b: XmlAttr): number {
  return cmpCodePoints(a.ns, b.ns) || cmpCodePoints(a.local, b.local);
}

interface C14nOptions {
  /** Leave this element (or these) and its subtree out: the enveloped-signature transform. */
  exclude?: XmlElement | ReadonlySet<XmlElement> | undefined;
  withComments?: boolean;
}

/** Where canonical text goes, piece by piece: an array, or a digest fed as it comes. */
export interface C14nSink {
  push(...parts: string[]): unknown;
}

/** Feeds canonical pieces to a digest in blocks of about 64K characters (one call per piece would be slow). */
export class DigestSink implements C14nSink {
  private readonly hash: Hash;
  private pending: string[] = [];
  private size = 0;
  constructor(alg: DigestAlgorithm) {
    this.hash = createHash(alg);
  }
  push(...parts: string[]): void {
    for (const p of parts) {
      if (p.length > 1 << 16) {
        this.flush();
        // In slices, never between the halves of a surrogate pair (each half alone would hash as U+FFFD).
        for (let i = 0; i < p.length; ) {
          let end = Math.min(i + (1 << 20), p.length);
          const c = p.charCodeAt(end - 1);
          if (end < p.length && c >= 0xd800 && c <= 0xdbff) end--;
          this.hash.update(p.slice(i, end));
          i = end;
        }
        continue;
      }
      this.pending.push(p);
      this.size += p.length;
      if (this.size > 1 << 16) this.flush();
    }
  }
  private flush(): void {
    if (this.size === 0) return;
    // A block never ends inside a surrogate pair: pieces are whole strings, pairs are never split between them.
    this.hash.update(this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }
  digest(): Buffer {
    this.flush();
    return this.hash.digest();
  }
}

function excluded(el: XmlElement, opts: C14nOptions): boolean {
  const x = opts.exclude;
  return x !== undefined && (x === el || (x instanceof Set && x.has(el)));
}

function writeElement(
  el: XmlElement,
  rendered: Map<string, string>,
  out: C14nSink,
  opts: C14nOptions,
  apex: boolean,
): void {
  // Namespace axis: at the apex every in-scope binding, below it only what differs from the output parent.
  const decls: Array<[string, string]> = [];
  let childRendered = rendered;
  const source = apex ? inScopeNamespaces(el) : el.nsDecls;
  for (const [p, u] of source) {
    if (u === '') {
      // xmlns="" is written only to undo a default namespace the output parent has.
      if ((rendered.get('') ?? '') !== '') decls.push(['', '']);
    } else if (rendered.get(p) !== u) decls.push([p, u]);
    else continue;
    if (childRendered === rendered) childRendered = new Map(rendered);
    childRendered.set(p, u);
  }
  out.push('<', el.qname);
  if (decls.length > 1) decls.sort((a, b) => cmpCodePoints(a[0], b[0]));
  for (const [p, u] of decls) out.push(p ? ` xmlns:${p}="` : ' xmlns="', escAttr(u), '"');
  let attrs = el.attrs;
  if (apex) {
    // C14N 1.0 lets xml:* attributes of omitted ancestors be inherited by the apex.
    const own = new Set(attrs.filter((a) => a.ns === XML_NS).map((a) => a.local));
    const inherited: XmlAttr[] = [];
    for (let e = el.parent; e; e = e.parent) {
      for (const a of e.attrs)
        if (a.ns === XML_NS && !own.has(a.local)) {
          own.add(a.local);
          inherited.push(a);
        }
    }
    if (inherited.length) attrs = [...attrs, ...inherited];
  }
  if (attrs.length > 1) attrs = [...attrs].sort(attrOrder);
  for (const a of attrs) out.push(' ', a.qname, '="', escAttr(a.value), '"');
  out.push('>');
  writeChildren(el.children, childRendered, out, opts);
  out.push('</', el.qname, '>');
}

function writeChildren(
  children: readonly XmlNode[],
  rendered: Map<string, string>,
  out: C14nSink,
  opts: C14nOptions,
): void {
  for (const c of children) {
    switch (c.type) {
      case 'text':
        out.push(escText(c.value));
        break;
      case 'element':
        if (!excluded(c, opts)) writeElement(c, rendered, out, opts, false);
        break;
      case 'comment':
        if (opts.withComments) out.push('<!--', c.value, '-->');
        break;
      case 'pi':
        out.push('<?', c.target, c.data ? ` ${c.data}` : '', '?>');
        break;
    }
  }
}

/**
 * Inclusive Canonical XML 1.0 of a whole document (what `Reference URI=""` digests),
 * optionally leaving one element out (the enveloped signature).
 */
export function canonicalizeDocument(doc: XmlDocument, opts: C14nOptions = {}): string {
  const out: string[] = [];
  canonicalizeDocumentTo(doc, out, opts);
  return out.join('');
}

/** {@link canonicalizeDocument} in pieces, into `out` (a large document's digest needs no copy of it). */
export function canonicalizeDocumentTo(doc: XmlDocument, out: C14nSink, opts: C14nOptions = {}): void {
  let afterRoot = false;
  for (const c of doc.children) {
    if (c.type === 'element') {
      writeElement(c, new Map(), out, opts, false);
      afterRoot = true;
    } else if (c.type === 'pi' || (c.type === 'comment' && opts.withComments)) {
      const s = c.type === 'pi' ? `<?${c.target}${c.data ? ` ${c.data}` : ''}?>` : `<!--${c.value}-->`;
      out.push(afterRoot ? `\n${s}` : `${s}\n`);
    }
  }
}

/**
 * Inclusive Canonical XML 1.0 of one element in its document context: it carries every
 * namespace binding (and xml:* attribute) in scope from its ancestors. This is how a
 * `ds:SignedInfo` is canonicalised.
 */
export function canonicalizeElement(el: XmlElement, opts: { withComments?: boolean } = {}): string {
  const out: string[] = [];
  writeElement(el, new Map(), out, opts, true);
  return out.join('');
}

/** Child elements of an element. */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.type === 'element');
}

/** The text content of an element (its text descendants, in order). */
export function textContent(el: XmlElement): string {
  let s = '';
  for (const c of el.children) {
    if (c.type === 'text') s += c.value;
    else if (c.type === 'element') s += textContent(c);
  }
  return s;
}

/** Every element of the document in document order. */
export function* allElements(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) if (c.type === 'element') yield* allElements(c);
}

/** What {@link canonicalizeFast} found: the canonical document and where the root sits. */
export interface FastCanonical {
  /** The line-normalised source text (offsets refer to it). */
  text: string;
  canonical: string;
  /** Namespace declarations of the root (prefix '' = default). */
  rootNs: Map<string, string>;
  /** xml:* attributes of the root, as [qname, value]. */
  rootXmlAttrs: Array<[string, string]>;
  rootStart: number;
  /** Offset of `<` of the root's end tag (equals rootEnd for `<root/>`). */
  rootEndTagStart: number;
  rootEnd: number;
}

const ATTR_RE = /[ \t\n]+([^\s=/>]+)[ \t\n]*=[ \t\n]*(?:"([^"]*)"|'([^']*)')/y;
const TAG_END_RE = /[ \t\n]*(\/?)>/y;
const WS_ONLY = /^[ \t\n]*$/;

/**
 * A one-pass inclusive C14N 1.0 of a whole document without building a tree, for signing.
 * With a `sink`, the canonical text goes there piece by piece (and `canonical` is ''); pieces
 * may have gone there before `undefined` is returned.
 * It handles what CEB messages contain (elements, attributes, namespaces, character and entity
 * references, comments) and returns `undefined` for anything else (CDATA, processing
 * instructions, DTDs, or any doubt about well-formedness): callers then use {@link parseXml} and
 * {@link canonicalizeDocument}, which also produce the error message. Both give the same bytes.
 */
export function canonicalizeFast(input: string, sink?: C14nSink): FastCanonical | undefined {
  let text: string;
  try {
    text = normalised(input, () => {
      throw new Doubt();
    });
  } catch (e) {
    if (e instanceof Doubt) return undefined;
    throw e;
  }
  // Most of a CEB message is already canonical: copy it in spans, and write only what differs.
  const out: C14nSink = sink ?? [];
  let copyFrom = -1; // start of the pending verbatim span (-1 before the root)
  const emit = (upTo: number, replacement: string, resume: number) => {
    if (copyFrom !== -1 && upTo > copyFrom) out.push(text.slice(copyFrom, upTo));
    if (replacement) out.push(replacement);
    copyFrom = resume;
  };
  const names: string[] = [];
  const scopes: Array<Map<string, string>> = [];
  let scope = new Map<string, string>([['', '']]);
  let i = 0;
  let nextAmp = -2;
  let rootStart = -1;
  let rootEndTagStart = -1;
  let rootEnd = -1;
  let rootNs: Map<string, string> | undefined;
  let rootXmlAttrs: Array<[string, string]> = [];
  const n = text.length;
  if (text.startsWith('<?xml')) {
    const e = text.indexOf('?>');
    if (e === -1 || markupProblem(text.slice(0, e + 2), true)) return undefined;
    i = e + 2;
  }
  for (;;) {
    const lt = text.indexOf('<', i);
    const segEnd = lt === -1 ? n : lt;
    if (segEnd > i) {
      if (names.length === 0) {
        if (!WS_ONLY.test(text.slice(i, segEnd))) return undefined;
      } else {
        // (the next '&' is remembered: searching again for an absent one would make this quadratic)
        if (nextAmp === -2 || (nextAmp !== -1 && nextAmp < i)) nextAmp = text.indexOf('&', i);
        const gtc = text.indexOf('>', i);
        if ((nextAmp !== -1 && nextAmp < segEnd) || (gtc !== -1 && gtc < segEnd)) {
          const seg = text.slice(i, segEnd);
          if (seg.indexOf(']]>') !== -1) return undefined;
          const dec = seg.indexOf('&') === -1 ? seg : decodeRefsOrUndefined(seg);
          if (dec === undefined) return undefined;
          emit(i, escText(dec), segEnd);
        }
      }
    }
    if (lt === -1) break;
    const c = text.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (!text.startsWith('<!--', lt)) return undefined;
      const e = text.indexOf('-->', lt + 4);
      if (e === -1 || text.slice(lt + 4, e).includes('--') || text.charCodeAt(e - 1) === 0x2d) return undefined;
      i = e + 3;
      if (names.length) emit(lt, '', i);
      continue;
    }
    if (c === 0x3f /* ? */) return undefined;
    if (c === 0x2f /* / */) {
      const name = names.pop();
      if (name === undefined || !text.startsWith(name, lt + 2)) return undefined;
      let gt = lt + 2 + name.length;
      if (text.charCodeAt(gt) !== 0x3e) {
        while (isWs(text.charCodeAt(gt))) gt++;
        if (text.charCodeAt(gt) !== 0x3e) return undefined;
        emit(lt, `</${name}>`, gt + 1);
      }
      scope = scopes.pop()!;
      i = gt + 1;
      if (names.length === 0) {
        rootEndTagStart = lt;
        rootEnd = i;
        emit(i, '', -1);
      }
      continue;
    }
    // start tag
    if ((names.length === 0 && rootStart !== -1) || names.length >= MAX_XML_DEPTH) return undefined;
    let j = lt + 1;
    while (j < n && !isNameEnd(text.charCodeAt(j))) j++;
    const qname = text.slice(lt + 1, j);
    if (!qname) return undefined;
    const k = qname.indexOf(':');
    let selfClose: boolean;
    let attrs: Array<[string, string]> | undefined;
    const cj = text.charCodeAt(j);
    if (cj === 0x3e) {
      selfClose = false;
      j++;
    } else if (cj === 0x2f && text.charCodeAt(j + 1) === 0x3e) {
      selfClose = true;
      j += 2;
    } else {
      attrs = [];
      for (;;) {
        ATTR_RE.lastIndex = j;
        const m = ATTR_RE.exec(text);
        if (!m) break;
        const raw = m[2] ?? m[3]!;
        if (raw.indexOf('<') !== -1) return undefined;
        let v = raw.indexOf('\t') === -1 && raw.indexOf('\n') === -1 ? raw : raw.replace(/[\t\n]/g, ' ');
        if (v.indexOf('&') !== -1) {
          const d = decodeRefsOrUndefined(v);
          if (d === undefined) return undefined;
          v = d;
        }
        attrs.push([m[1]!, v]);
        j = ATTR_RE.lastIndex;
      }
      TAG_END_RE.lastIndex = j;
      const e = TAG_END_RE.exec(text);
      if (!e) return undefined;
      selfClose = e[1] === '/';
      j = TAG_END_RE.lastIndex;
    }
    if (names.length === 0) {
      rootStart = lt;
      copyFrom = lt;
    }
    const parentScope = scope;
    if (attrs === undefined) {
      if (k !== -1) {
        const p = qname.slice(0, k);
        const u = scope.get(p);
        if (
          k === 0 ||
          k === qname.length - 1 ||
          qname.indexOf(':', k + 1) !== -1 ||
          p === 'xml' ||
          u === undefined ||
          u === ''
        )
          return undefined;
      }
      if (names.length === 0) rootNs = new Map();
    } else {
      let decls: Array<[string, string]> | undefined;
      let plain: Array<[string, string, string, string]> | undefined; // qname, value, prefix, local
      for (const [an, v] of attrs) {
        if (an === 'xmlns' || an.startsWith('xmlns:')) {
          const p = an === 'xmlns' ? '' : an.slice(6);
          if (p !== '' && (!v || p === 'xml' || p === 'xmlns' || p.includes(':'))) return undefined;
          if (v === XML_NS) return undefined;
          (decls ??= []).push([p, v]);
        } else {
          const ak = an.indexOf(':');
          if (ak !== an.lastIndexOf(':') || ak === 0 || ak === an.length - 1) return undefined;
          (plain ??= []).push([an, v, ak === -1 ? '' : an.slice(0, ak), ak === -1 ? an : an.slice(ak + 1)]);
        }
      }
      const rendered: Array<[string, string]> = [];
      if (decls) {
        const seen = new Set<string>();
        scope = new Map(parentScope);
        for (const [p, u] of decls) {
          if (seen.has(p)) return undefined;
          seen.add(p);
          scope.set(p, u);
          if (u === '' ? (parentScope.get('') ?? '') !== '' : parentScope.get(p) !== u) rendered.push([p, u]);
        }
      }
      if (k !== -1) {
        const p = qname.slice(0, k);
        const u = scope.get(p);
        if (
          k === 0 ||
          k === qname.length - 1 ||
          qname.indexOf(':', k + 1) !== -1 ||
          p === 'xml' ||
          u === undefined ||
          u === ''
        )
          return undefined;
      }
      const tag: string[] = ['<', qname];
      if (rendered.length > 1) rendered.sort((a, b) => cmpCodePoints(a[0], b[0]));
      for (const [p, u] of rendered) tag.push(p ? ` xmlns:${p}="` : ' xmlns="', escAttr(u), '"');
      if (plain) {
        const resolved: XmlAttr[] = [];
        const seen = new Set<string>();
        for (const [aq, v, ap, al] of plain) {
          const ns = ap === '' ? '' : ap === 'xml' ? XML_NS : scope.get(ap);
          if (ns === undefined || (ap !== '' && ns === '')) return undefined;
          const key = `${ns}\u0000${al}`;
          if (seen.has(key)) return undefined;
          seen.add(key);
          resolved.push({ qname: aq, prefix: ap, local: al, ns, value: v });
        }
        if (resolved.length > 1) resolved.sort(attrOrder);
        for (const a of resolved) tag.push(' ', a.qname, '="', escAttr(a.value), '"');
        if (names.length === 0) rootXmlAttrs = resolved.filter((a) => a.ns === XML_NS).map((a) => [a.qname, a.value]);
      }
      tag.push('>');
      if (selfClose) tag.push('</', qname, '>');
      emit(lt, tag.join(''), j);
      if (names.length === 0) rootNs = new Map(decls ?? []);
    }
    if (selfClose) {
      scope = parentScope;
      if (attrs === undefined) emit(lt, `<${qname}></${qname}>`, j);
      if (names.length === 0) {
        rootEndTagStart = rootEnd = j;
        emit(j, '', -1);
      }
    } else {
      names.push(qname);
      scopes.push(parentScope);
    }
    i = j;
  }
  if (names.length || rootStart === -1 || !rootNs) return undefined;
  return {
    text,
    canonical: sink ? '' : (out as string[]).join(''),
    rootNs,
    rootXmlAttrs,
    rootStart,
    rootEndTagStart,
    rootEnd,
  };
}

/** A reason to leave a document to the tree parser, which words the error. */
class Doubt extends Error {}

function decodeRefsOrUndefined(s: string): string | undefined {
  try {
    return decodeRefs(s, 0, s);
  } catch {
    return undefined;
  }
}
