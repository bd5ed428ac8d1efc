import { createHash, type Hash } from 'node:crypto';
import { SandanError } from '../../errors.js';
import { escapeTextOf } from '../serialize.js';
import { XmlTokenizer } from './tokenizer.js';
import {
  inScopeNamespaces,
  ParsedElement,
  SourceText,
  XML_NS,
  type XmlAttr,
  type XmlDocument,
  type XmlElement,
} from './tree.js';

/*
 * The one Canonical XML 1.0 writer (inclusive, with or without comments; exclusive C14N only for
 * the signature diagnosis), for a whole document or an element subtree in its document context.
 *
 * One writer, driven by events (start tag, text, end tag, comment, PI), from two sources:
 * - the tree (`canonicalizeDocument`, `canonicalizeElement`): a subtree needs the namespaces and
 *   xml:* attributes in scope from its ancestors, verification leaves out a node it found, and the
 *   diagnosis canonicalises trees it has changed; the tree has all of that;
 * - the tokens of a text (`canonicalizeTextTo`): signing digests a message in one pass without
 *   building a tree (a tokenizer cannot start mid-document with bindings, so subtrees need the tree).
 * Speed comes from the source: most of a CEB message is already canonical, so a piece (start tag,
 * text, end tag) whose canonical form is exactly its source text is not pushed but added to a span
 * of the source, and contiguous pieces leave as one slice. Copied or written, the bytes are the
 * same; `copy: false` writes every piece (the tests compare both, and both sources, with xmllint).
 */

/** Where canonical text goes, piece by piece: an array, or a digest fed as it comes. */
export interface C14nSink {
  push(...parts: string[]): unknown;
}

export interface C14nOptions {
  /** Leave this element (or these) and its subtree out: the enveloped-signature transform. */
  exclude?: XmlElement | ReadonlySet<XmlElement> | undefined;
  withComments?: boolean | undefined;
  /** Exclusive XML Canonicalization 1.0 (no InclusiveNamespaces) instead of C14N 1.0. */
  exclusive?: boolean | undefined;
  /** Copy already-canonical source spans (default true); false writes every piece, for tests. */
  copy?: boolean | undefined;
}

// Text is escaped as serializeXml escapes it (& < > and CR): Canonical XML asks for the same.
const NEEDS_ATTR_ESCAPE = /[&<"\t\n\r]/;

/** Escapes an attribute value the way Canonical XML writes it. */
export function escAttr(s: string): string {
  if (!NEEDS_ATTR_ESCAPE.test(s)) return s;
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

/**
 * A URI with a scheme (RFC 3986: a letter, then letters, digits, + - ., then ':'). Canonical XML 1.0 §2.1: an
 * implementation MUST fail on a document with a relative namespace URI; libxml2 (xmlsec1) and Apache Santuario do.
 */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function relativeNamespace(qname: string, prefix: string, uri: string): never {
  const decl = prefix ? `xmlns:${prefix}` : 'xmlns';
  throw new SandanError(
    'XML_MALFORMED',
    `The namespace URI ${JSON.stringify(uri)} (${decl}, in scope at <${qname}>) is relative, with no scheme such as http: or urn:; Canonical XML 1.0 refuses such a document (xmlsec1 and Apache Santuario fail on it), so no signature over it can be verified`,
    { details: { reason: 'relative-namespace' } },
  );
}

/**
 * Refuses a relative namespace URI declared anywhere in `el`'s subtree, whether or not a canonical form writes it: §2.1
 * speaks of documents containing one, and libxml2 (xmlsec1) fails on the whole document. For the parts of a signature
 * no canonicalisation covers (KeyInfo, SignatureValue), so that the verdict is the same wherever the slip stands.
 * @throws SandanError `XML_MALFORMED` (`details.reason` `relative-namespace`)
 */
export function refuseRelativeNamespaces(el: XmlElement): void {
  for (const [p, u] of el.nsDecls)
    if (u !== '' && !ABSOLUTE_URI.test(u))
      throw new SandanError(
        'XML_MALFORMED',
        `The namespace URI ${JSON.stringify(u)} (${p ? `xmlns:${p}` : 'xmlns'}, on <${el.qname}>) is relative, with no scheme such as http: or urn:; Canonical XML 1.0 refuses a document holding one even where no canonical form writes it (xmlsec1 fails on it), so sandan refuses it there as it does in the signed content`,
        { details: { reason: 'relative-namespace' } },
      );
  for (const c of el.children) if (c.type === 'element') refuseRelativeNamespaces(c);
}

const attrOrder = (a: XmlAttr, b: XmlAttr) => cmpCodePoints(a.ns, b.ns) || cmpCodePoints(a.local, b.local);
const declOrder = (a: readonly [string, string], b: readonly [string, string]) => cmpCodePoints(a[0], b[0]);

/**
 * A piece at least this long is hashed as it is: a call to the hash costs less than copying it into a block. Most of a
 * message is one such piece (a slice of the source between the root's start tag and the signature).
 */
const DIRECT_PIECE = 1 << 11;

/**
 * Feeds canonical pieces to a digest: short ones joined in blocks of about 64K characters (one call per piece would be
 * slow), long ones as they are (joined, the whole message was copied once more).
 */
export class DigestSink implements C14nSink {
  private readonly hash: Hash;
  private pending: string[] = [];
  private size = 0;
  /** `algorithm`: a node:crypto hash name (sha1, sha256, sm3). */
  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
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
      if (p.length >= DIRECT_PIECE) {
        this.flush();
        this.hash.update(p);
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

type Decls = ReadonlyArray<readonly [string, string]>;

/**
 * Namespace bindings by prefix, changed as elements open and restored as they close: each change
 * is logged (prefix, the value it replaced, depth of the element) and undone at that element's
 * end. A copy of the map per element that declares something would cost the number of bindings in
 * scope each time: quadratic for a root declaring thousands of prefixes that its children redeclare.
 */
class Scope {
  readonly map = new Map<string, string>();
  private readonly prefixes: string[] = [];
  private readonly previous: Array<string | undefined> = [];
  private readonly depths: number[] = [];

  /** Binds `prefix` to `uri` until the end of the element at `depth`. */
  set(prefix: string, uri: string, depth: number): void {
    this.prefixes.push(prefix);
    this.previous.push(this.map.get(prefix));
    this.depths.push(depth);
    this.map.set(prefix, uri);
  }

  /** Undoes what the element at `depth` bound (the most recent changes first). */
  close(depth: number): void {
    const ds = this.depths;
    while (ds.length && ds[ds.length - 1] === depth) {
      ds.pop();
      const p = this.prefixes.pop()!;
      const u = this.previous.pop();
      if (u === undefined) this.map.delete(p);
      else this.map.set(p, u);
    }
  }
}

/**
 * The writer, driven by events: a walk of the tree ({@link canonicalizeDocumentTo},
 * {@link canonicalizeElementTo}) or the tokens of a text ({@link canonicalizeTextTo}) call the same
 * methods, so both give the same bytes by construction. Offsets are into `text`; a piece marked
 * copyable is taken from there when it is exactly what C14N writes.
 */
class Writer {
  /** The pending span of the source, [from, to); empty when equal. */
  private from = 0;
  private to = 0;
  private readonly text: string;
  /** False: every piece is written (`copy: false`), none copied. */
  readonly copying: boolean;
  /** The bindings the output has written, and (exclusive C14N) those in scope, for the innermost open element. */
  private readonly rendered = new Scope();
  private readonly scopes = new Scope();
  /** Open elements. */
  private depth = 0;
  private afterRoot = false;

  constructor(
    text: string,
    private readonly out: C14nSink,
    private readonly opts: C14nOptions,
  ) {
    this.text = text;
    this.copying = opts.copy !== false;
  }

  /** Takes source [a, b) as output: extends the pending span, or starts a new one. */
  private span(a: number, b: number): void {
    if (a !== this.to) {
      this.flush();
      this.from = a;
    }
    this.to = b;
  }

  flush(): void {
    if (this.to > this.from) this.out.push(this.text.slice(this.from, this.to));
    this.from = this.to;
  }

  private put(s: string): void {
    if (this.to > this.from) this.flush();
    this.out.push(s);
  }

  /**
   * A start tag. `declared`: the element's namespace declarations (at the apex of a subtree, every
   * binding in scope); [start, tagEnd): its source, copied when `copyable` and already canonical.
   */
  start(
    qname: string,
    prefix: string,
    declared: Decls,
    attrs: readonly XmlAttr[],
    start: number,
    tagEnd: number,
    copyable: boolean,
  ): void {
    const rendered = this.rendered.map;
    const depth = ++this.depth;
    let decls: Array<readonly [string, string]> | undefined;
    if (this.opts.exclusive) {
      // Only the prefixes the element and its attributes use, when the output parent has not written them.
      for (const [p, u] of declared) this.scopes.set(p, u, depth);
      const scope = this.scopes.map;
      // A set: an element may carry thousands of attributes, each with a prefix of its own.
      const used = new Set([prefix]);
      for (const a of attrs) if (a.prefix && a.prefix !== 'xml') used.add(a.prefix);
      for (const p of used) {
        const u = scope.get(p) ?? '';
        if ((rendered.get(p) ?? '') !== u) (decls ??= []).push([p, u]);
      }
    } else {
      // Every declaration that changes what the output parent has written (xmlns="" only to undo a default).
      for (let i = 0; i < declared.length; i++) {
        const [p, u] = declared[i]!;
        // The xml prefix is bound everywhere: its declaration is never written (libxml2, xmlsec1 alike).
        if (p === 'xml') continue;
        if (u === '' ? (rendered.get('') ?? '') === '' : rendered.get(p) === u) continue;
        (decls ??= []).push([p, u]);
      }
    }
    // (Set once all are chosen: each is compared with what the output parent wrote.)
    if (decls)
      for (const [p, u] of decls) {
        if (u !== '' && !ABSOLUTE_URI.test(u)) relativeNamespace(qname, p, u);
        this.rendered.set(p, u, depth);
      }
    const copy = copyable && this.copying;
    if (copy && !decls && attrs.length === 0 && tagEnd - start === qname.length + 2) {
      this.span(start, tagEnd); // `<name>` as written
      return;
    }
    let tag = `<${qname}`;
    if (decls) {
      if (decls.length > 1) decls.sort(declOrder);
      for (const [p, u] of decls) tag += `${p ? ` xmlns:${p}` : ' xmlns'}="${escAttr(u)}"`;
    }
    if (attrs.length > 1) attrs = [...attrs].sort(attrOrder);
    for (const a of attrs) tag += ` ${a.qname}="${escAttr(a.value)}"`;
    tag += '>';
    // (A slice compared, not startsWith: given the tag as built, in pieces, startsWith took about four times as long.)
    if (copy && tagEnd - start === tag.length && this.text.slice(start, tagEnd) === tag) this.span(start, tagEnd);
    else this.put(tag);
  }

  /** An end tag at [endTagStart, end) (empty for `<a/>`). */
  end(qname: string, endTagStart: number, end: number, copyable: boolean): void {
    const depth = this.depth--;
    this.rendered.close(depth);
    if (this.opts.exclusive) this.scopes.close(depth);
    if (copyable && this.copying && end - endTagStart === qname.length + 3) this.span(endTagStart, end);
    else this.put(`</${qname}>`);
    if (depth === 1) {
      this.flush();
      this.afterRoot = true;
    }
  }

  /** Text whose source [start, end) is what C14N writes (nothing decoded, nothing to escape). */
  sourceText(start: number, end: number): void {
    if (this.copying) this.span(start, end);
    else this.put(escapeTextOf(this.text.slice(start, end)));
  }

  /** Text by value (decoded): escaped as C14N does. */
  textValue(value: string): void {
    this.put(escapeTextOf(value));
  }

  comment(value: string): void {
    if (this.opts.withComments && !this.opts.exclusive) this.outside(`<!--${value}-->`);
  }

  pi(target: string, data: string): void {
    this.outside(`<?${target}${data ? ` ${data}` : ''}?>`);
  }

  /** A comment or PI: outside the root, on a line of its own (C14N's rule for the document node's children). */
  private outside(s: string): void {
    if (this.depth > 0) this.put(s);
    else this.put(this.afterRoot ? `\n${s}` : `${s}\n`);
  }
}

function excluded(el: XmlElement, opts: C14nOptions): boolean {
  const x = opts.exclude;
  return x !== undefined && (x === el || (x instanceof Set && x.has(el)));
}

/** The tree's events: an element and its subtree. Only what the parser made is copyable (see ParsedElement). */
function walk(w: Writer, el: XmlElement, opts: C14nOptions, apex: boolean): void {
  const parsed = el instanceof ParsedElement;
  let declared = el.nsDecls;
  let attrs = el.attrs;
  if (apex) {
    declared = [...inScopeNamespaces(el)];
    // C14N 1.0 lets xml:* attributes of omitted ancestors be inherited by the apex (not exclusive C14N).
    if (!opts.exclusive) {
      // (The set of the apex's own only once an ancestor has one: most have none.)
      let own: Set<string> | undefined;
      const inherited: XmlAttr[] = [];
      for (let e = el.parent; e; e = e.parent)
        for (const a of e.attrs) {
          if (a.ns !== XML_NS) continue;
          own ??= new Set(attrs.filter((x) => x.ns === XML_NS).map((x) => x.local));
          if (!own.has(a.local)) {
            own.add(a.local);
            inherited.push(a);
          }
        }
      if (inherited.length) attrs = [...attrs, ...inherited];
    }
  }
  w.start(el.qname, el.prefix, declared, attrs, el.start, parsed ? el.tagEnd : el.start, parsed);
  for (const c of el.children) {
    switch (c.type) {
      case 'text':
        // A text token with nothing decoded (same length) and nothing C14N escapes is its own canonical form.
        if (c instanceof SourceText && c.end - c.start === c.value.length && plainText(c.value))
          w.sourceText(c.start, c.end);
        else w.textValue(c.value);
        break;
      case 'element':
        if (!excluded(c, opts)) walk(w, c, opts, false);
        break;
      case 'comment':
        w.comment(c.value);
        break;
      case 'pi':
        w.pi(c.target, c.data);
        break;
    }
  }
  w.end(el.qname, el.endTagStart, el.end, parsed);
}

/** Canonical XML 1.0 of a whole document (what `Reference URI=""` digests), in pieces into `out`. */
export function canonicalizeDocumentTo(doc: XmlDocument, out: C14nSink, opts: C14nOptions = {}): void {
  const w = new Writer(doc.text, out, opts);
  for (const c of doc.children) {
    if (c.type === 'element') walk(w, c, opts, false);
    else if (c.type === 'comment') w.comment(c.value);
    else if (c.type === 'pi') w.pi(c.target, c.data);
  }
  w.flush();
}

/** {@link canonicalizeDocumentTo} as a string. */
export function canonicalizeDocument(doc: XmlDocument, opts: C14nOptions = {}): string {
  const out: string[] = [];
  canonicalizeDocumentTo(doc, out, opts);
  return out.join('');
}

/**
 * Canonical XML 1.0 of one element of `doc` in its document context: it carries every namespace
 * binding (and xml:* attribute) in scope from its ancestors. This is how a `ds:SignedInfo` is
 * canonicalised. `el` may be a changed copy (not part of `doc`); what was not changed is still copied.
 */
function canonicalizeElementTo(doc: XmlDocument, el: XmlElement, out: C14nSink, opts: C14nOptions = {}): void {
  const w = new Writer(doc.text, out, opts);
  walk(w, el, opts, true);
  w.flush();
}

/** {@link canonicalizeElementTo} as a string. */
export function canonicalizeElement(doc: XmlDocument, el: XmlElement, opts: C14nOptions = {}): string {
  const out: string[] = [];
  canonicalizeElementTo(doc, el, out, opts);
  return out.join('');
}

/** True when a text value has no '&' (nothing was decoded) and no '>' (nothing C14N escapes). */
function plainText(value: string): boolean {
  return value.indexOf('&') === -1 && value.indexOf('>') === -1;
}

/** What {@link canonicalizeTextTo} tells its caller as it reads. */
interface TokenHooks {
  /** At each start tag (the tokenizer describes it): true leaves the element and its subtree out. */
  exclude?(t: XmlTokenizer): boolean;
  /**
   * At a start tag `exclude` left out: true when the hook has read the element itself, through its
   * end tag (e.g. into a tree with `readElement`); `skipped` and `end` then see none of its tokens.
   */
  read?(t: XmlTokenizer): boolean;
  /** At each start tag inside an element left out (not asked about: it is left out with it). */
  skipped?(t: XmlTokenizer): void;
  /** At each end tag, those of elements left out included. */
  end?(t: XmlTokenizer): void;
}

/**
 * Canonical XML 1.0 of a whole document read from its text, token by token, without a tree: how
 * signing digests a message. `text` is read as {@link parseXml} reads it (line ends normalised
 * first, which the caller does: offsets the hooks see are into `text`). Same writer, same bytes
 * as {@link canonicalizeDocumentTo} of `parseXml(text)`.
 * @throws SandanError `XML_MALFORMED`
 */
export function canonicalizeTextTo(text: string, out: C14nSink, opts: C14nOptions = {}, hooks: TokenHooks = {}): void {
  const t = new XmlTokenizer(text);
  const w = new Writer(text, out, opts);
  let skipping = 0; // depth of the element being left out, 0 when none
  let open = 0;
  // The next '&' and '>' at or after a text (-1: none left, -2: not looked for yet). Each is looked
  // for again only once passed, so the search costs linear time over the document (an indexOf to
  // the end per text would be quadratic when there is none).
  let amp = -2;
  let gt = -2;
  const plainSource = (from: number, to: number): boolean => {
    // A short text (the white space between tags, most values) is looked at character by character: the next '>' is
    // the following tag's, so the search below ran for nearly every text, and a call costs more than a few characters.
    if (to - from <= 16) {
      for (let i = from; i < to; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x26 || c === 0x3e) return false;
      }
      return true;
    }
    if (amp !== -1 && amp < from) amp = text.indexOf('&', from);
    if (amp !== -1 && amp < to) return false;
    if (gt !== -1 && gt < from) gt = text.indexOf('>', from);
    return gt === -1 || gt >= to;
  };
  for (let k = t.next(); k !== 'eof'; k = t.next()) {
    if (skipping) {
      if (k === 'end') {
        hooks.end?.(t);
        if (t.depth === skipping) skipping = 0;
      } else if (k === 'start') hooks.skipped?.(t);
      continue;
    }
    switch (k) {
      case 'start':
        if (hooks.exclude?.(t)) {
          if (!hooks.read?.(t)) skipping = t.depth;
        } else {
          open++;
          w.start(t.name, t.prefix, t.nsDecls, t.attributes, t.start, t.end, true);
        }
        break;
      case 'end':
        hooks.end?.(t);
        open--;
        w.end(t.name, t.start, t.end, true);
        break;
      case 'text': {
        if (open === 0) break; // white space around the root
        // Nothing decoded and nothing C14N escapes: the source is the canonical form.
        if (plainSource(t.start, t.end)) w.sourceText(t.start, t.end);
        else w.textValue(t.text());
        break;
      }
      case 'cdata':
        w.textValue(t.text());
        break;
      case 'comment':
        w.comment(t.text());
        break;
      case 'pi':
        w.pi(t.name, t.text());
        break;
    }
  }
  w.flush();
}
