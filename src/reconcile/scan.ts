import { SandanError } from '../errors.js';
import { CEB_NS, contentModel, DXP_NS } from '../xml/content-model.js';
import { decodeEntities } from '../xml/entities.js';
import { extensionFieldsOf } from '../xml/extensions.js';
import { parseCebXml } from '../xml/parse.js';
import {
  declaredPrefixes,
  forbiddenCharacter,
  forbiddenCharRef,
  markupProblem,
  MAX_XML_DEPTH,
  namespaceProblem,
  TOO_DEEP,
} from '../xml/safety.js';

/*
 * A streaming scanner for the flat CEB documents reconciliation reads in bulk: tax bills
 * (CEB816), their status (CEB818) and the receipts (CEB312/412/512/514/622/624/626). It does
 * not build a tree: it checks the root element and its namespace, then cuts the text into
 * document blocks (`<Tax>`, `<InventoryReturn>`…) and reads their leaf elements whatever their
 * prefix. It reads exactly the fields the XSD declares, as `parseCebXml` does (the tests hold
 * the two to the same answers). It checks well-formedness as the parser does (tags nest and
 * match, one root, no stray `<` or `&`; comments, CDATA and PIs skipped whole), so it sees the
 * documents the parser sees, and none of a file that is not well-formed.
 */

/** Message types the scanner reads. */
export type ScannedType =
  | 'CEB312'
  | 'CEB412'
  | 'CEB512'
  | 'CEB514'
  | 'CEB622'
  | 'CEB624'
  | 'CEB626'
  | 'CEB816'
  | 'CEB818';

/** One document as the scanner reads it: leaf texts (entities decoded, empty leaves left out). */
export interface ScannedDocument {
  messageType: ScannedType;
  fields: Record<string, string>;
  /** Lines (`TaxListRd`) of a CEB816 tax bill; empty for the other types. */
  items: Array<Record<string, string>>;
}

interface Shape {
  block: string;
  head?: string;
  list?: string;
}

const SHAPES: Record<ScannedType, Shape> = {
  CEB312: { block: 'OrderReturn' },
  CEB412: { block: 'PaymentReturn' },
  CEB512: { block: 'LogisticsReturn' },
  CEB514: { block: 'LogisticsStatusReturn' },
  CEB622: { block: 'InventoryReturn' },
  CEB624: { block: 'InvtCancelReturn' },
  CEB626: { block: 'InvtRefundReturn' },
  CEB816: { block: 'Tax', head: 'TaxHeadRd', list: 'TaxListRd' },
  CEB818: { block: 'Tax', head: 'TaxHeadStatus' },
};

/** True when the message type is one the scanner reads. */
export function isScannedType(type: string): type is ScannedType {
  return Object.hasOwn(SHAPES, type);
}

const UNSAFE_AT = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/iy;
const NAME = '[A-Za-z_][\\w.-]*';
// XML's whitespace (JavaScript's \\s would also take U+FEFF, U+00A0 and other spaces, which XML does not).
const WS = '[ \\t\\r\\n]';
const ATTR_NAME = '[A-Za-z_][\\w.:-]*';
const ROOT_TAG = new RegExp(
  `^<(?:(${NAME}):)?(${NAME})((?:${WS}+${ATTR_NAME}${WS}*=${WS}*(?:"[^"]*"|'[^']*'))*)${WS}*(/?)>`,
);
const ATTR = /([A-Za-z_][\w.:-]*)[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')/g;
// A leaf at one position (sticky): start tag, text and CDATA, end tag with the same qualified name (or
// an empty-element tag). Only leaves holding CDATA are left to it (see LeafReader.readEach).
const LEAF_AT = new RegExp(
  `<(${NAME}:)?(${NAME})(?:${WS}[^>]*?)?(?:/>|>((?:[^<]|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>)*)</\\1\\2${WS}*>)`,
  'y',
);
const CDATA_OPEN = '<![CDATA[';

/*
 * Speed. A reconciliation reads about a million tax bills, and the scanner used to cost most of
 * its CPU: a leaf regex with a back-reference run at every `<`, a RegExp built per head and line,
 * a slice and a regex test per candidate end tag. It now reads the same way, 3 to 4 times faster:
 *  - leaves are read by a regex compiled for the layout of the content (which leaves, in which
 *    order, with which prefix), learnt from the documents read before: one match per head or line
 *    instead of one per leaf. Content of another layout is read leaf by leaf, by hand (indexOf and
 *    character codes), and only leaves holding CDATA go to the old leaf regex (LEAF_AT);
 *  - blocks are found by a hand-rolled tokenizer (see CebScanner.drain), which checks that the
 *    text is well-formed and skips runs of plain leaves with one regex match (leavesRe); heads and
 *    lines are found with indexOf and character codes, their end tags with a regex compiled once
 *    (see findEndTag);
 *  - the DTD check looks for the rare `!` rather than for `<`.
 * The hand-rolled scanning accepts what the regexes it replaced did: the same names (NAME above,
 * with an optional `prefix:`), the same whitespace (XML's: space, tab, CR, LF), the same leftmost matches.
 * The tests hold it to the old leaf regex on odd input (attributes, CDATA, entities, odd end tags).
 */
const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const COLON = 0x3a;
/** XML's whitespace: space, tab, CR, LF (not JavaScript's `\s`, which also takes U+FEFF and the Unicode spaces). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/** End of the NAME that starts at `i` (`i` itself when none does). */
function nameEnd(s: string, i: number): number {
  if (!isNameStart(s.charCodeAt(i))) return i;
  i++;
  while (isNameChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * For a tag at `lt` (`<name` or `<prefix:name`), where the local name starts. A NAME cannot hold
 * `:`, so `<(NAME:)?name` can only match a prefixed tag with its prefix and another one without.
 */
function localStart(s: string, lt: number): number {
  const e = nameEnd(s, lt + 1);
  return e > lt + 1 && s.charCodeAt(e) === COLON ? e + 1 : lt + 1;
}

/** Index just past `\s*>` at `i`; -1 when there is none. */
function pastTagEnd(s: string, i: number): number {
  while (isSpace(s.charCodeAt(i))) i++;
  return s.charCodeAt(i) === GT ? i + 1 : -1;
}

/** End-tag regexes by `close` (bounded: prefixes come from the text). */
const endTagRes = new Map<string, RegExp>();

/**
 * The first end tag `close` (`</` and the qualified name) followed by `\s*>`, from `from`: its
 * index, or -1. Blocks and lines are hundreds of characters long and `<` is everywhere in them,
 * which makes indexOf slow (it stops at each `<`); V8's regex engine scans faster, so each end
 * tag gets a regex, compiled once.
 */
function findEndTag(s: string, close: string, from: number): number {
  let re = endTagRes.get(close);
  if (!re) {
    // Names have no regex syntax but `.`.
    re = new RegExp(`${close.replace(/\./g, '\\.')}${WS}*>`, 'g');
    // A copy as the key: `close` may hold a slice of the text, which would keep all of it alive.
    if (endTagRes.size < 256) endTagRes.set([...close].join(''), re);
  }
  re.lastIndex = from;
  const m = re.exec(s);
  return m === null ? -1 : m.index;
}

/**
 * The leftmost `<!DOCTYPE` (ENTITY, ELEMENT, ATTLIST, NOTATION) declaration. Every match starts
 * with `<!`, and `!` is rare in CEB text while `<` is everywhere: looking for `!` is much cheaper.
 */
function findUnsafe(s: string): RegExpExecArray | null {
  for (let i = s.indexOf('!', 1); i !== -1; i = s.indexOf('!', i + 1)) {
    if (s.charCodeAt(i - 1) !== LT) continue;
    UNSAFE_AT.lastIndex = i - 1;
    const m = UNSAFE_AT.exec(s);
    if (m) return m;
  }
  return null;
}

/** An element's XSD fields, and each one's index. */
interface Fields {
  names: readonly string[];
  index: ReadonlyMap<string, number>;
}

const fieldLists = new Map<string, Fields>();
function fieldsOf(element: string): Fields {
  let f = fieldLists.get(element);
  if (!f) {
    // The XSD's leaves, and the fields beyond it that sandan keeps (a CEB816's orderNo, logisticsNo).
    const names = contentModel('import', element)
      .filter((p) => p.kind !== undefined)
      .map((p) => p.name);
    for (const x of extensionFieldsOf(element)) if (!names.includes(x.name)) names.push(x.name);
    f = { names, index: new Map(names.map((n, i) => [n, i])) };
    fieldLists.set(element, f);
  }
  return f;
}

function leafText(raw: string): string {
  if (raw.indexOf(CDATA_OPEN) === -1) return decodeEntities(raw);
  let out = '';
  let pos = 0;
  for (;;) {
    const start = raw.indexOf(CDATA_OPEN, pos);
    if (start === -1) return out + decodeEntities(raw.slice(pos));
    const end = raw.indexOf(']]>', start + 9);
    out += decodeEntities(raw.slice(pos, start)) + raw.slice(start + 9, end);
    pos = end + 3;
  }
}

/**
 * A layout: content that is nothing but leaves `<q>text</q>` (no attributes, no CDATA, no `<` in
 * the text), of given qualified names in a given order, with any text but `<` between them. Its
 * regex, `^[^<]*<q1>([^<]*)</q1>[^<]*<q2>…$`, matches such content whole; reading that content
 * leaf by leaf would find exactly these leaves, in this order, with these texts.
 */
interface Layout {
  re: RegExp;
  /** The field of each capture group (leaves of no field have none). */
  fields: readonly number[];
  /** Whether a field comes twice (then its first non-empty text wins). */
  repeats: boolean;
}

/** The layouts compiled for one element; shared by scanners, as files repeat them. */
interface Layouts {
  bySource: Map<string, Layout>;
  /** The last ones learnt, newest first: what a new reader tries first. */
  recent: Layout[];
}

const layoutCache = new Map<string, Layouts>();
/** Bounds on what the text can make the scanner compile and keep: layouts per element, leaves per layout. */
/** The largest single document (a Tax, an InventoryReturn…) the scanner holds while reading it. */
const MAX_DOCUMENT_CHARS = 16 << 20;
const MAX_LAYOUTS = 64;
const MAX_LAYOUT_LEAVES = 64;
/** How many layouts a reader tries, most recently matched first, before reading leaf by leaf. */
const TRIED_LAYOUTS = 4;

/**
 * Reads the leaves of one element's content: the XSD's fields, first occurrence wins, empty ones
 * left out. One per scanner and element: it tries the layouts learnt last (by it or, at first, by
 * the readers before it), and reads other content leaf by leaf, learning its layout if it has one.
 */
class LeafReader {
  private readonly names: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly shared: Layouts;
  /** The layouts tried, most recently matched first. */
  private layouts: Layout[];
  private learning = true;
  private hits = 0;
  private misses = 0;

  constructor(element: string) {
    ({ names: this.names, index: this.index } = fieldsOf(element));
    let shared = layoutCache.get(element);
    if (!shared) layoutCache.set(element, (shared = { bySource: new Map(), recent: [] }));
    this.shared = shared;
    this.layouts = shared.recent.slice();
  }

  read(content: string): Record<string, string> {
    const layouts = this.layouts;
    for (let i = 0; i < layouts.length; i++) {
      const layout = layouts[i]!;
      const m = layout.re.exec(content);
      if (m === null) continue;
      if (i > 0) [layouts[0], layouts[i]] = [layout, layouts[0]!];
      this.hits++;
      return this.fromLayout(layout, m, content.indexOf('&') !== -1);
    }
    // When layouts keep failing (documents that all differ), stop trying them.
    if (++this.misses > 32 && this.misses > this.hits) {
      this.learning = false;
      this.layouts = [];
    }
    return this.readEach(content);
  }

  /** The fields of a layout's match; `entities`: whether the content has an `&` (else no text needs decoding). */
  private fromLayout(layout: Layout, m: RegExpExecArray, entities: boolean): Record<string, string> {
    const { names } = this;
    const { fields, repeats } = layout;
    const out: Record<string, string> = {};
    for (let g = 0; g < fields.length; g++) {
      const name = names[fields[g]!]!;
      if (repeats && Object.hasOwn(out, name)) continue;
      const text = entities ? decodeEntities(m[g + 1]!) : m[g + 1]!;
      if (text !== '') out[name] = text;
    }
    return out;
  }

  /**
   * Leaf by leaf: at each `<`, in order (and past each leaf read, as the global regex this replaced
   * went on), a leaf `<p:name attrs>text</p:name>` or `<p:name/>`. A leaf whose text reaches a CDATA
   * section goes to LEAF_AT, which alone decides such cases. Anything else at a `<` (an end tag, a
   * comment, an element with children) is no leaf: the scan moves on to the next `<`. When every `<`
   * met starts a plain leaf `<q>text</q>`, the content has a layout, which is learnt.
   */
  private readEach(content: string): Record<string, string> {
    const out: Record<string, string> = {};
    // The layout, while the content has one: qualified names and fields of the plain leaves read.
    let layout = this.learning;
    const qnames: string[] = [];
    const fields: number[] = [];
    for (let lt = content.indexOf('<'); lt !== -1; ) {
      let next = lt + 1; // where the next `<` is looked for: past the leaf when one was read
      let field = -1; // the leaf's field, -1 when it is none of the XSD's
      let qEnd = -1; // end of the qualified name
      let open = -1; // the start tag's `>` when the element has content
      if (isNameStart(content.charCodeAt(lt + 1))) {
        const nStart = localStart(content, lt);
        const nEnd = nameEnd(content, nStart);
        const c = content.charCodeAt(nEnd);
        if (nEnd === nStart) {
          // `<p:` without a local name: no leaf.
        } else if (c === GT) {
          open = nEnd;
        } else if (c === SLASH) {
          if (content.charCodeAt(nEnd + 1) === GT) next = nEnd + 2; // `<name/>`: empty, left out
        } else if (isSpace(c)) {
          const gt = content.indexOf('>', nEnd);
          if (gt !== -1 && content.charCodeAt(gt - 1) === SLASH)
            next = gt + 1; // `<name attrs/>`: empty
          else open = gt;
        }
        if (open !== -1) {
          qEnd = nEnd;
          field = this.index.get(content.slice(nStart, nEnd)) ?? -1;
        }
      }
      let plain = false; // `<qname>text</qname>`
      const textEnd = open === -1 ? -1 : content.indexOf('<', open + 1);
      if (textEnd === -1) {
        // No element with content here, or no end tag: no leaf.
      } else if (content.charCodeAt(textEnd + 1) === SLASH) {
        // Plain text up to an end tag: a leaf when that tag has the same qualified name, then `\s*>`.
        // (When it has not, no leaf starts here; the scan goes on at the next `<`, that end tag.)
        const qname = content.slice(lt + 1, qEnd);
        const at = textEnd + 2 + qname.length;
        const past = content.slice(textEnd + 2, at) === qname ? pastTagEnd(content, at) : -1;
        if (past !== -1) {
          next = past;
          if (field !== -1) this.keep(out, field, decodeEntities(content.slice(open + 1, textEnd)));
          plain = open === qEnd && past === at + 1;
          if (plain && layout) {
            qnames.push(qname);
            fields.push(field);
          }
        }
      } else if (content.startsWith(CDATA_OPEN, textEnd)) {
        LEAF_AT.lastIndex = lt;
        const m = LEAF_AT.exec(content);
        if (m) {
          next = LEAF_AT.lastIndex;
          if (field !== -1) this.keep(out, field, m[3] === undefined ? '' : leafText(m[3]));
        }
      }
      if (!plain) layout = false;
      lt = content.indexOf('<', next);
    }
    if (layout && qnames.length > 0 && qnames.length <= MAX_LAYOUT_LEAVES) this.learn(qnames, fields);
    return out;
  }

  /** Keeps field i's text unless the field has one already or the text is empty. */
  private keep(out: Record<string, string>, i: number, text: string): void {
    const name = this.names[i]!;
    if (text !== '' && !Object.hasOwn(out, name)) out[name] = text;
  }

  /** Makes the layout of these leaves the first one tried, here and by new readers (compiling it unless done before). */
  private learn(qnames: readonly string[], fields: readonly number[]): void {
    const parts = ['^[^<]*'];
    for (let i = 0; i < qnames.length; i++) {
      const q = qnames[i]!.replace(/\./g, '\\.'); // names have no other regex syntax
      parts.push(`<${q}>${fields[i] === -1 ? '[^<]*' : '([^<]*)'}</${q}>[^<]*`);
    }
    parts.push('$');
    // join copies: the source, a key of the shared cache, keeps no slice of the text alive.
    const source = parts.join('');
    const { bySource, recent } = this.shared;
    let layout = bySource.get(source);
    if (!layout) {
      if (bySource.size >= MAX_LAYOUTS) return;
      const captured = fields.filter((f) => f !== -1);
      layout = { re: new RegExp(source), fields: captured, repeats: new Set(captured).size < captured.length };
      bySource.set(source, layout);
    }
    putFirst(this.layouts, layout);
    putFirst(recent, layout);
  }
}

/** Moves or adds the layout to the front of the list, which keeps at most TRIED_LAYOUTS. */
function putFirst(list: Layout[], layout: Layout): void {
  const i = list.indexOf(layout);
  if (i !== -1) list.splice(i, 1);
  list.unshift(layout);
  if (list.length > TRIED_LAYOUTS) list.pop();
}

/**
 * The contents of the `name` elements (any prefix) in `content`, in order, at most `max` of them:
 * from each `<p:name attrs>` to the first `</p:name\s*>` after it (not nested). It looks for `name`
 * itself rather than visiting every `<`, then for the `<` (and prefix) before it.
 */
function subBlocks(content: string, name: string, max: number): string[] {
  const out: string[] = [];
  for (let q = content.indexOf(name); q !== -1 && out.length < max; ) {
    let next = q + 1;
    const lt = tagOpenBefore(content, q);
    if (lt !== -1) {
      const after = q + name.length;
      const c = content.charCodeAt(after);
      const gt = c === GT ? after : isSpace(c) ? content.indexOf('>', after) : -1;
      if (gt !== -1) {
        const close = `</${content.slice(lt + 1, q)}${name}`;
        const end = findEndTag(content, close, gt + 1);
        if (end !== -1) {
          out.push(content.slice(gt + 1, end));
          next = pastTagEnd(content, end + close.length);
        }
      }
    }
    q = content.indexOf(name, next);
  }
  return out;
}

/** The `<` of the start tag `<name` or `<prefix:name` whose name starts at `q`, or -1. */
function tagOpenBefore(s: string, q: number): number {
  const c = s.charCodeAt(q - 1);
  if (c === LT) return q - 1;
  if (c !== COLON) return -1;
  let i = q - 2;
  while (i >= 0 && isNameChar(s.charCodeAt(i))) i--;
  return i >= 0 && s.charCodeAt(i) === LT && isNameStart(s.charCodeAt(i + 1)) ? i : -1;
}

/**
 * Leaves with plain text (no `&`, which would need checking) and the whitespace after them, named
 * without a prefix or with one the root declares (declared all through the document, since a
 * prefix cannot be undeclared); a leaf with another prefix ends the run and is checked by hand.
 */
function leavesRe(rootPrefixes: readonly string[]): RegExp {
  const key = rootPrefixes.join(' ');
  let re = leavesRes.get(key);
  if (!re) {
    const alts = rootPrefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|');
    re = new RegExp(`(?:<(${alts ? `(?:(?:${alts}):)?` : ''}[A-Za-z_][\\w.-]*)>[^<&]*<\\/\\1>${WS}*)+`, 'y');
    // Bounded: prefixes come from the text.
    if (leavesRes.size < 64) leavesRes.set(key, re);
  }
  return re;
}
const leavesRes = new Map<string, RegExp>();

/** The attributes of a tag's attribute text, as [name, value as written]. */
function attrList(s: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  ATTR.lastIndex = 0;
  for (let a = ATTR.exec(s); a; a = ATTR.exec(s)) out.push([a[1]!, a[2] ?? a[3] ?? '']);
  return out;
}
const REF_AT = /&(?:#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/y;
const ATTRS = /(?:[ \t\r\n]+[A-Za-z_][\w.:-]*[ \t\r\n]*=[ \t\r\n]*(?:"[^"<]*"|'[^'<]*'))*[ \t\r\n]*(\/?)>/y;

/** Checks the `&` from `amp` (the first one at or after where checking resumes) up to `to`; returns the next `&` after. */
function checkRefs(b: string, amp: number, to: number): number {
  while (amp !== -1 && amp < to) {
    REF_AT.lastIndex = amp;
    if (!REF_AT.test(b)) malformed("an '&' that starts no XML entity or character reference");
    if (b.charCodeAt(amp + 1) === 0x23 /* # */) {
      const bad = forbiddenCharRef(b.slice(amp, REF_AT.lastIndex));
      if (bad) malformed(bad.why);
    }
    amp = b.indexOf('&', amp + 1);
  }
  return amp;
}

/** End of the qualified name (the parser's `[A-Za-z_][\w.:-]*`) at `i`; `i` when none starts there. */
function qnameEnd(s: string, i: number): number {
  if (!isNameStart(s.charCodeAt(i))) return i;
  i++;
  for (let c = s.charCodeAt(i); isNameChar(c) || c === COLON; c = s.charCodeAt(++i));
  return i;
}

/** Whether `s` from `i` to `to` is XML whitespace only (space, tab, CR, LF). */
function xmlSpaceOnly(s: string, i: number, to: number): boolean {
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

function onlySpaces(s: string, i: number): boolean {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i === s.length;
}

/** Whether the `len` characters at `i` and at `j` are the same. */
function sameRange(s: string, i: number, j: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (s.charCodeAt(i + k) !== s.charCodeAt(j + k)) return false;
  return true;
}

const MARKED = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;

/**
 * A block's content with its comments and PIs removed and its CDATA sections as escaped text:
 * the same elements and texts for the leaf readers, which then find none of the markup inside them.
 */
function unmarked(content: string): string {
  return content.replace(MARKED, (_, cdata: string | undefined) =>
    cdata === undefined ? '' : cdata.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  );
}

function malformed(why: string): never {
  throw new SandanError('XML_MALFORMED', `The XML cannot be read: ${why}`);
}

/**
 * Push-based scanner: feed text chunks with {@link CebScanner.push} and call
 * {@link CebScanner.end} at the end, which returns the documents once the whole text is known
 * to be well-formed: a truncated or broken file gives none. Memory holds the documents read, one
 * document block and one chunk. Throws SandanError (XML_UNSAFE, XML_MALFORMED,
 * XML_UNKNOWN_ROOT) as `parseCebXml` would.
 */
export class CebScanner {
  private buf = '';
  private tail = '';
  private first = true;
  /** A high surrogate that ended the last chunk: checked with the chunk that completes it. */
  private highSurrogate = '';
  private type: ScannedType | undefined;
  private shape: Shape | undefined;
  /** The leaf readers of the document block (receipts) or of its head and lines (tax bills). */
  private readers: { block?: LeafReader; head?: LeafReader; list?: LeafReader } = {};
  private readonly withItems: boolean;
  /** A DxpMsg (a receipt as received, archived beside its unwrapped copy): held whole, read at the end. */
  private dxp = false;
  /** Qualified names of the open elements, the root first. */
  private stack: string[] = [];
  /** Where tokenizing resumes in `buf`. */
  private scanPos = 0;
  /** Where the content of the open block starts in `buf`; -1 outside a block. */
  private blockStart = -1;
  /** Whether the open block holds a comment, CDATA section or PI. */
  private blockMarked = false;
  /** The documents read: a file that is not well-formed to its end gives none (see end). */
  private held: ScannedDocument[] = [];
  /** Prefixes declared by the open elements that declare any, with the element's level (the root is 1). */
  private scopes: Array<{ level: number; prefixes: string[] }> = [];
  private readonly inScope = (p: string) => this.scopes.some((s) => s.prefixes.includes(p));
  /** Runs of plain leaves (see leavesRe). */
  private leaves: RegExp = leavesRe([]);

  /** `items: false` skips the lines of tax bills (reconciliation uses only their heads). */
  constructor(options: { items?: boolean } = {}) {
    this.withItems = options.items ?? true;
  }

  /** The message type, once the root element has been read. */
  get messageType(): ScannedType | undefined {
    return this.type;
  }

  /**
   * Adds text. Returns no documents: they are all returned by {@link end}, once the whole text
   * is known to be well-formed (a truncated or broken file must give none of its documents).
   */
  push(chunk: string): ScannedDocument[] {
    if (chunk === '') return [];
    if (this.first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    this.first = false;
    // Characters XML forbids, chunk by chunk (a surrogate pair may be cut between two chunks).
    let chars = this.highSurrogate + chunk;
    const last = chars.charCodeAt(chars.length - 1);
    this.highSurrogate = last >= 0xd800 && last <= 0xdbff ? chars.slice(-1) : '';
    if (this.highSurrogate) chars = chars.slice(0, -1);
    const forbidden = forbiddenCharacter(chars);
    if (forbidden) malformed(forbidden.why);
    const probe = this.tail + chunk;
    const unsafe = findUnsafe(probe);
    if (unsafe)
      throw new SandanError(
        'XML_UNSAFE',
        `The XML contains a <!${unsafe[1]!.toUpperCase()} declaration; DTDs, entity declarations and external references are refused (CEB messages never use them)`,
      );
    this.tail = probe.slice(-16);
    this.buf += chunk;
    if (this.dxp) return this.holdDxp();
    this.drain(false);
    // What is left is the document being read: a bill or a receipt is kilobytes, so one that
    // keeps growing is refused instead of filling memory.
    if (this.buf.length > MAX_DOCUMENT_CHARS)
      malformed(`a document larger than ${MAX_DOCUMENT_CHARS >> 20} Mi characters`);
    return [];
  }

  /** Ends the input; returns the documents, or throws when the text is not well-formed. */
  end(): ScannedDocument[] {
    if (this.highSurrogate) malformed(forbiddenCharacter(this.highSurrogate)!.why);
    this.drain(true);
    if (this.dxp) return this.readDxp();
    if (!this.type) malformed('no root element');
    const out = this.held;
    this.held = [];
    return out;
  }

  private holdDxp(): ScannedDocument[] {
    // DxpMsg files hold one message; a huge one is not what an archive of receipts has.
    if (this.buf.length > 64 << 20) malformed('a DxpMsg larger than 64 MiB');
    return [];
  }

  /** The CEB message in the DxpMsg's Base64 Data, scanned as if it had been its own file. */
  private readDxp(): ScannedDocument[] {
    // The wrapper is checked by the parser itself (it is small and rare): the same refusals, the same words.
    parseCebXml(this.buf, { maxBytes: 64 << 20 });
    const m = /<(?:[A-Za-z_][\w.-]*:)?Data(?:\s[^>]*)?>([^<]*)<\/(?:[A-Za-z_][\w.-]*:)?Data\s*>/.exec(this.buf);
    const data = m?.[1]?.replace(/\s+/g, '') ?? '';
    if (data === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0)
      malformed('the DxpMsg has no Base64 Data');
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.from(data, 'base64'));
    } catch {
      malformed('the Data of the DxpMsg is not UTF-8 text');
    }
    const inner = new CebScanner({ items: this.withItems });
    const out = [...inner.push(text), ...inner.end()];
    this.type = inner.messageType;
    this.buf = '';
    return out;
  }

  private readRoot(final: boolean): boolean {
    let pos = 0;
    const b = this.buf;
    if (b.charCodeAt(0) === 0xfeff)
      malformed('a second byte-order mark (U+FEFF) follows the first; a document has at most one');
    for (;;) {
      // XML's whitespace only (JavaScript's \s would take U+FEFF and other spaces too).
      for (let c = b.charCodeAt(pos); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = b.charCodeAt(++pos));
      if (pos >= b.length) break;
      if (b.charCodeAt(pos) !== LT) malformed('text outside the root element');
      if (b.startsWith('<?', pos)) {
        const end = b.indexOf('?>', pos);
        if (end === -1) break;
        const problem = markupProblem(b.slice(pos, end + 2), pos === 0);
        if (problem) malformed(problem);
        pos = end + 2;
        continue;
      }
      if (b.startsWith('<!--', pos)) {
        const end = b.indexOf('-->', pos);
        if (end === -1) break;
        const problem = markupProblem(b.slice(pos, end + 3), false);
        if (problem) malformed(problem);
        pos = end + 3;
        continue;
      }
      const gt = b.indexOf('>', pos);
      if (gt === -1) break;
      const tag = b.slice(pos, gt + 1);
      const m = ROOT_TAG.exec(tag);
      if (!m) malformed('the root element cannot be read');
      checkRefs(tag, tag.indexOf('&'), tag.length);
      const prefix = m[1];
      const local = m[2]!;
      let ns: string | undefined;
      const attrs = attrList(m[3] ?? '');
      for (const [an, v] of attrs)
        if (an === (prefix === undefined ? 'xmlns' : `xmlns:${prefix}`)) ns = decodeEntities(v);
      const problem = namespaceProblem(`${prefix === undefined ? '' : `${prefix}:`}${local}`, attrs, () => false);
      if (problem) malformed(problem);
      const declared = declaredPrefixes(attrs) ?? [];
      this.scopes.push({ level: 1, prefixes: declared });
      this.leaves = leavesRe(declared);
      if (local === 'DxpMsg' && ns === DXP_NS) {
        this.dxp = true;
        return false;
      }
      const type = local.replace(/Message$/, '');
      if (ns !== CEB_NS || !local.endsWith('Message') || !isScannedType(type)) {
        const where = ns === undefined ? 'no namespace' : `namespace ${ns}`;
        throw new SandanError(
          'XML_UNKNOWN_ROOT',
          `Unknown root element ${m[1] ? `${m[1]}:` : ''}${local} in ${where}; reconciliation reads CEB816/818 tax bills and CEB312/412/512/514/622/624/626 receipts in namespace ${CEB_NS}, bare or in a DxpMsg`,
          { details: { root: local, namespace: ns } },
        );
      }
      this.type = type;
      this.shape = SHAPES[type];
      if (this.shape.head) this.readers.head = new LeafReader(this.shape.head);
      else this.readers.block = new LeafReader(this.shape.block);
      if (this.shape.list) this.readers.list = new LeafReader(this.shape.list);
      if (m[4] !== '/') this.stack.push(`${prefix === undefined ? '' : `${prefix}:`}${local}`);
      this.buf = b.slice(gt + 1);
      this.scanPos = 0;
      return true;
    }
    if (final) malformed('no root element');
    if (b.length > 1 << 20) malformed('no root element in the first megabyte');
    return false;
  }

  /**
   * Tokenizes the buffer from where it stopped, by the markup grammar of parseCebXml's
   * well-formedness check (src/xml/parse.ts): comments, CDATA sections and PIs are skipped whole,
   * tags must nest and match, one root, no stray `<` or undefined `&`. A construct the end of the
   * buffer cuts waits for more text. A block is a child of the root with the block's name; its
   * content goes to {@link document}. Documents are held until the end of the input (see end).
   */
  private drain(final: boolean): void {
    if (this.dxp) return;
    if (!this.type && !this.readRoot(final)) return;
    const block = this.shape!.block;
    const b = this.buf;
    const stack = this.stack;
    let pos = this.scanPos;
    let amp = b.indexOf('&', pos);
    for (;;) {
      const lt = b.indexOf('<', pos);
      if (lt === -1) break; // the text is checked once what ends it is known
      if (stack.length === 0 && !xmlSpaceOnly(b, pos, lt)) malformed('text outside the root element');
      amp = checkRefs(b, amp, lt);
      const c = b.charCodeAt(lt + 1);
      if (c === 0x21 || c === 0x3f) {
        // `<!--`, `<![CDATA[`, `<?`: skipped whole; one inside a block makes its content need cleaning.
        const close = c === 0x3f ? '?>' : b.startsWith('<!--', lt) ? '-->' : b.startsWith(CDATA_OPEN, lt) ? ']]>' : '';
        const end = close === '' ? -1 : b.indexOf(close, lt + (c === 0x3f ? 2 : close === '-->' ? 4 : 9));
        if (end === -1) {
          if (!final && (close !== '' || CDATA_OPEN.startsWith(b.slice(lt)) || '<!--'.startsWith(b.slice(lt)))) break;
          malformed(
            close === ''
              ? "a '<' that starts no valid tag"
              : `a ${close === ']]>' ? 'CDATA section' : close === '?>' ? 'processing instruction' : 'comment'} is never closed`,
          );
        }
        if (close !== ']]>') {
          const problem = markupProblem(b.slice(lt, end + close.length), false);
          if (problem) malformed(problem);
        }
        if (close === ']]>' && stack.length === 0) malformed('a CDATA section outside the root element');
        if (this.blockStart !== -1) this.blockMarked = true;
        pos = end + close.length;
        if (amp !== -1 && amp < pos) amp = b.indexOf('&', pos);
        continue;
      }
      if (c === SLASH) {
        const nEnd = qnameEnd(b, lt + 2);
        const e = nEnd === lt + 2 ? -1 : pastTagEnd(b, nEnd);
        if (e === -1) {
          if (!final && onlySpaces(b, nEnd)) break;
          malformed("a '<' that starts no valid tag");
        }
        const open = stack.pop();
        const scopes = this.scopes;
        if (scopes.length && scopes[scopes.length - 1]!.level > stack.length) scopes.pop();
        if (open === undefined || nEnd - lt - 2 !== open.length || !b.startsWith(open, lt + 2)) {
          const name = b.slice(lt + 2, nEnd);
          malformed(open === undefined ? `closing tag </${name}> without a start tag` : `</${name}> closes <${open}>`);
        }
        if (stack.length === 1 && this.blockStart !== -1) {
          const content = b.slice(this.blockStart, lt);
          this.held.push(this.document(this.blockMarked ? unmarked(content) : content));
          this.blockStart = -1;
          this.blockMarked = false;
        }
        pos = e;
        continue;
      }
      if (stack.length >= 2 && stack.length < MAX_XML_DEPTH) {
        // A run of plain leaves `<q>text</q>`, the common case: read past it in one match.
        const leaves = this.leaves;
        leaves.lastIndex = lt;
        if (leaves.test(b)) {
          pos = leaves.lastIndex;
          continue;
        }
      }
      const nEnd = qnameEnd(b, lt + 1);
      let e: number;
      let empty = false;
      const d = b.charCodeAt(nEnd);
      if (nEnd === lt + 1) {
        if (!final && lt + 1 === b.length) break;
        malformed("a '<' that starts no valid tag");
      } else if (d === GT) e = nEnd + 1;
      else {
        ATTRS.lastIndex = nEnd;
        const m = ATTRS.exec(b);
        if (!m) {
          if (!final && (b.length - lt < 4096 || b.indexOf('>', lt) === -1)) break;
          malformed("a '<' that starts no valid tag");
        }
        e = ATTRS.lastIndex;
        empty = m[1] === '/';
        amp = checkRefs(b, amp, e);
      }
      if (stack.length === 0) malformed('more than one root element');
      if (stack.length >= MAX_XML_DEPTH) malformed(TOO_DEEP);
      // Namespaces, as the parser checks them: only for a prefixed name or a tag with attributes.
      let declares: string[] | undefined;
      let colon = false;
      for (let k = lt + 1; k < nEnd && !colon; k++) colon = b.charCodeAt(k) === COLON;
      if (colon || d !== GT) {
        const attrs = d === GT ? [] : attrList(b.slice(nEnd, e));
        const problem = namespaceProblem(b.slice(lt + 1, nEnd), attrs, this.inScope);
        if (problem) malformed(problem);
        declares = declaredPrefixes(attrs);
      }
      pos = e;
      if (empty) continue;
      const len = nEnd - lt - 1;
      if (stack.length >= 2 && !declares) {
        // A leaf `<q …>text</q>`, the common case: read past it without keeping its name.
        const next = b.indexOf('<', e);
        if (next !== -1 && b.charCodeAt(next + 1) === SLASH && sameRange(b, lt + 1, next + 2, len)) {
          const past = pastTagEnd(b, next + 2 + len);
          if (past !== -1) {
            amp = checkRefs(b, amp, next);
            pos = past;
            continue;
          }
        }
      }
      const name = b.slice(lt + 1, nEnd);
      if (stack.length === 1 && (name === block || name.endsWith(`:${block}`))) this.blockStart = e;
      stack.push(name);
      if (declares) this.scopes.push({ level: stack.length, prefixes: declares });
    }
    if (final) {
      checkRefs(b, amp, b.length);
      if (stack.length) malformed(`<${stack[stack.length - 1]}> is never closed`);
      if (!xmlSpaceOnly(b, pos, b.length)) malformed('text outside the root element');
    }
    // Keep the open block's content and what was not tokenized; drop the rest.
    const keep = this.blockStart === -1 ? pos : this.blockStart;
    this.buf = b.slice(keep);
    this.scanPos = pos - keep;
    if (this.blockStart !== -1) this.blockStart -= keep;
  }

  private document(content: string): ScannedDocument {
    const type = this.type!;
    const shape = this.shape!;
    const readers = this.readers;
    if (!shape.head) return { messageType: type, fields: readers.block!.read(content), items: [] };
    const heads = subBlocks(content, shape.head, 1);
    const fields = heads[0] === undefined ? {} : readers.head!.read(heads[0]);
    const items: Array<Record<string, string>> = [];
    if (shape.list && this.withItems)
      for (const line of subBlocks(content, shape.list, Infinity)) items.push(readers.list!.read(line));
    return { messageType: type, fields, items };
  }
}

/** Scans a whole text at once. */
export function scanCebText(text: string): { messageType: ScannedType; documents: ScannedDocument[] } {
  const s = new CebScanner();
  const documents = [...s.push(text), ...s.end()];
  return { messageType: s.messageType!, documents };
}
