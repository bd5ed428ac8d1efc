import { SandanError } from '../../errors.js';
import { XML_NS, XmlTokenizer, type XmlAttribute } from './tokenizer.js';

/*
 * The document tree, built from the one tokenizer, with the source offsets signing needs: where a
 * signature goes in (or is cut out of) the text without re-serialising the document.
 *
 * Line ends: the text is normalised first (CR LF and a lone CR become LF, as an XML processor hands
 * them on), and every offset, `doc.text` and the error positions refer to that normalised text. A
 * leading byte-order mark is not part of `doc.text` either (offsets start after it). So a signed
 * message comes out with LF line ends, and cutting or inserting at an offset needs no mapping back.
 */

export { XML_NS };

/** An attribute (namespace declarations are kept apart, in `nsDecls`). */
export type XmlAttr = XmlAttribute;

/** An element with its resolved namespace and where it sits in the (normalised) source. */
export interface XmlElement {
  readonly type: 'element';
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI of the element ('' when none). */
  readonly ns: string;
  readonly attrs: readonly XmlAttr[];
  /** Namespace declarations on this element in source order, prefix '' for the default namespace. */
  readonly nsDecls: ReadonlyArray<readonly [prefix: string, uri: string]>;
  readonly children: XmlNode[];
  readonly parent: XmlElement | null;
  /** Offset of `<` of the start tag. */
  readonly start: number;
  /** Offset of `<` of the end tag (equals `end` for an empty-element tag `<a/>`). */
  readonly endTagStart: number;
  /** Offset just after the element. */
  readonly end: number;
}

/** Text (CDATA sections are text, merged with the text around them). */
export interface XmlText {
  readonly type: 'text';
  readonly value: string;
}

/** A node of the tree. The XML declaration is not one. */
export type XmlNode =
  | XmlElement
  | XmlText
  | { readonly type: 'comment'; readonly value: string }
  | { readonly type: 'pi'; readonly target: string; readonly data: string };

/** A parsed document: the normalised source text, the top-level nodes and the root element. */
export interface XmlDocument {
  readonly text: string;
  readonly children: XmlNode[];
  readonly root: XmlElement;
}

/**
 * An element as the parser made it; `tagEnd` is the offset just after its start tag. The
 * canonicalizer copies source text only for nodes of these classes: a copy made with `{...el}` and
 * changed (as the signature diagnosis does) is a plain object, and is written out instead.
 */
export class ParsedElement implements XmlElement {
  readonly type = 'element';
  readonly children: XmlNode[] = [];
  endTagStart: number;
  end: number;
  constructor(
    readonly qname: string,
    readonly prefix: string,
    readonly local: string,
    readonly ns: string,
    readonly attrs: readonly XmlAttr[],
    readonly nsDecls: ReadonlyArray<readonly [string, string]>,
    readonly parent: XmlElement | null,
    readonly start: number,
    readonly tagEnd: number,
  ) {
    this.endTagStart = this.end = tagEnd;
  }
}

/** Text that is one text token of the source, `start` to `end` (not CDATA, not merged with CDATA). */
export class SourceText implements XmlText {
  readonly type = 'text';
  constructor(
    readonly value: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

/**
 * Parses an XML document into a tree (see the top of this file for line ends and offsets). What the
 * tokenizer refuses is refused: DTDs, undeclared prefixes, nesting deeper than `MAX_XML_DEPTH`,
 * characters outside XML's `Char`, a misplaced declaration or second byte-order mark. No size limit
 * here: callers (`signMessage`, `verifyMessage`) apply theirs first.
 * @throws SandanError `XML_MALFORMED` (details: line, col, offset in the normalised text)
 */
export function parseXml(input: string): XmlDocument {
  const src = normalizeLineEnds(input);
  // Offsets leave out the byte-order mark; the tokenizer still sees it (a second one is an error).
  const bom = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const t = new XmlTokenizer(src);
  const top: XmlNode[] = [];
  let root: ParsedElement | undefined;
  for (;;) {
    const kind = t.next();
    if (kind === 'eof') break;
    // Outside the root: white space (checked by the tokenizer), comments, PIs, the declaration.
    if (kind === 'comment') top.push({ type: 'comment', value: t.text() });
    else if (kind === 'pi') top.push({ type: 'pi', target: t.name, data: t.text() });
    else if (kind === 'start') top.push((root = readElement(t, null, bom)));
  }
  // The tokenizer answers eof only after a root element, with every element closed.
  return { text: bom ? src.slice(1) : src, children: top, root: root! };
}

/**
 * Reads the element whose start tag is the tokenizer's current token, through its end tag, into a
 * tree (a reader that walks the tokens itself uses it for a part it wants as a tree, e.g. a
 * signature). `bom`: 1 when the tokenizer's text starts with a byte-order mark, which offsets leave out.
 * `maxNodes`: the most nodes (elements, texts, comments, PIs) the tree may hold, `XML_TOO_LARGE` beyond: a
 * part read as a tree from an untrusted message is small, and its tree costs some 100 bytes a node.
 */
export function readElement(
  t: XmlTokenizer,
  parent: ParsedElement | null,
  bom: number,
  maxNodes = Number.POSITIVE_INFINITY,
): ParsedElement {
  const el = startElement(t, parent, bom);
  let cur = el;
  let nodes = 0;
  // Text and CDATA tokens in a row make one node; a lone text token keeps its place in the source
  // (`textFrom` is where it began; -1: merged with CDATA, so not verbatim).
  let text: string | undefined;
  let textFrom = -1;
  let textTo = -1;
  for (;;) {
    const kind = t.next();
    if (kind !== 'end' && ++nodes > maxNodes)
      throw new SandanError('XML_TOO_LARGE', `<${el.qname}> holds more than ${maxNodes} nodes, the limit`);
    if (text !== undefined && kind !== 'text' && kind !== 'cdata') {
      cur.children.push(textFrom === -1 ? { type: 'text', value: text } : new SourceText(text, textFrom, textTo));
      text = undefined;
    }
    switch (kind) {
      case 'text':
      case 'cdata':
        if (text === undefined) {
          text = t.text();
          textFrom = kind === 'text' ? t.start - bom : -1;
          textTo = t.end - bom;
        } else {
          text += t.text();
          textFrom = -1;
        }
        break;
      case 'start': {
        const child = startElement(t, cur, bom);
        cur.children.push(child);
        cur = child;
        break;
      }
      case 'end':
        cur.endTagStart = t.start - bom;
        cur.end = t.end - bom;
        if (cur === el) return el;
        cur = cur.parent as ParsedElement;
        break;
      case 'comment':
        cur.children.push({ type: 'comment', value: t.text() });
        break;
      case 'pi':
        cur.children.push({ type: 'pi', target: t.name, data: t.text() });
        break;
      case 'eof':
      case 'more':
        // Cannot happen: a whole text never answers 'more', and 'eof' comes only after the root's end tag.
        throw new Error(`tokenizer answered ${kind} inside <${cur.qname}>`);
    }
  }
}

/** The element of the tokenizer's current start tag, with no children yet (`bom` as for {@link readElement}). */
export function startElement(t: XmlTokenizer, parent: ParsedElement | null, bom: number): ParsedElement {
  return new ParsedElement(
    t.name,
    t.prefix,
    t.local,
    t.ns,
    t.attributes,
    t.nsDecls,
    parent,
    t.start - bom,
    t.end - bom,
  );
}

/** The text as the tree and signing read it: CR LF and a lone CR become LF. */
export function normalizeLineEnds(input: string): string {
  return input.indexOf('\r') === -1 ? input : input.replace(/\r\n?/g, '\n');
}

/** The namespace bindings in scope at an element (prefix '' = default; xml is left out). */
export function inScopeNamespaces(el: XmlElement): Map<string, string> {
  const chain: XmlElement[] = [];
  for (let e: XmlElement | null = el; e; e = e.parent) chain.push(e);
  const m = new Map<string, string>();
  for (let k = chain.length - 1; k >= 0; k--) for (const [p, u] of chain[k]!.nsDecls) m.set(p, u);
  return m;
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

/** Every element of the subtree in document order. */
export function* allElements(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) if (c.type === 'element') yield* allElements(c);
}
