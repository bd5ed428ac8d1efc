import { SandanError } from '../../errors.js';
import {
  forbiddenCharacter,
  isXmlChar,
  MAX_XML_DEPTH,
  MAX_XML_NAME,
  markupProblem,
  TOO_DEEP,
  TOO_LONG_NAME,
} from '../safety.js';

/*
 * The one XML tokenizer of sandan. Every reader stands on it: the tree (signing, C14N), the CEB
 * parser, the DxpMsg and receipt readers, and the reconciliation's streaming scanner, so that each
 * sees exactly the documents the others see. It pulls one token at a time from a whole string or
 * from chunks (a stream), keeps source offsets, and refuses what CEB never needs and an attacker
 * would use: DTDs (so no entity expansion, no external references), characters outside XML 1.0's
 * `Char`, undeclared prefixes, nesting deeper than MAX_XML_DEPTH, and any token longer than
 * `maxTokenChars` while streaming. Every refusal is one SandanError, XML_MALFORMED, with the line,
 * column and offset. It does not recurse and allocates little: end tags are compared in place,
 * names are interned, text is sliced only when asked for.
 */

/** What a token is. `more`: a chunked tokenizer needs another `write` (or `close`); `eof`: the end. */
type TokenKind = 'start' | 'end' | 'text' | 'cdata' | 'comment' | 'pi' | 'declaration' | 'more' | 'eof';

/** XML's own namespace, bound to `xml:` without a declaration. */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** An attribute of a start tag (namespace declarations are in `nsDecls`, not here). */
export interface XmlAttribute {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI ('' for an unprefixed attribute). */
  readonly ns: string;
  /** The value after XML's attribute-value normalisation (references decoded, literal white space a space). */
  readonly value: string;
}

export interface TokenizerOptions {
  /** Deepest element nesting accepted (the root is level 1); default {@link MAX_XML_DEPTH}. */
  maxDepth?: number;
  /** Streaming only: the longest token (a text, a tag, a comment) held while waiting for its end; default 16 Mi characters. */
  maxTokenChars?: number;
}

const NO_ATTRIBUTES: readonly XmlAttribute[] = Object.freeze([]);
const NO_DECLS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);
const DEFAULT_MAX_TOKEN = 16 << 20;

// Character codes.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;
const LT = 0x3c;
const EQ = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const UNDERSCORE = 0x5f;
const BOM = 0xfeff;

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === TAB || c === CR;
}
// Names are ASCII, as in every CEB message and as sandan's readers have always read them.
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === UNDERSCORE;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === DASH || c === DOT || c === COLON;
}

// A reference at an '&': one of the five predefined entities or a character reference (sticky). Leading zeros are
// any number (XML's CharRef allows them: `&#x0000041;` is 'A', as libxml2 reads it); the digits after them are at most
// those of U+10FFFF.
const REFERENCE = /&(?:(amp|lt|gt|quot|apos)|#x0*([0-9a-fA-F]{1,6})|#0*([0-9]{1,7}));/y;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCES = new RegExp(REFERENCE.source, 'g');
// The UTF-16 units that are XML Chars of the BMP (a surrogate is not: a pair is a character), as a run from the start
// (sticky): where it reaches the end (a text with no surrogate, most messages), none of what the four checks below find
// is there. Consuming the run is 0.8× the time of searching for a unit outside the class (`[^…]`) over a CEB621 of
// mixed ASCII and Chinese text, a two-byte string (session 57).
const BMP_XML_CHARS = /[\t\n\r\x20-\uD7FF\uE000-\uFFFD]*/y;
// The C0 controls XML's Char leaves out.
const CONTROL = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;
/** String.prototype.isWellFormed (ES2024, in every Node sandan supports; the type library is ES2022). */
type WellFormedString = string & { isWellFormed(): boolean };
const ATTRIBUTE_SPACE = /\r\n|[\t\n\r]/g;
const ATTRIBUTE_SPECIAL = /[\t\n\r&]/;
const LINE_ENDS = /\r\n?/g;

/**
 * The same characters in a string of their own. V8 keeps the whole source of a slice (of 13
 * characters or more; shorter ones are copies) alive: the documents the reconciliation scanner
 * holds until a file's end kept all of the file's text with them (a 43 MB bill file held 74 MB of
 * heap; with copies, 41 MB). Slicing a concatenation copies it first.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

function decodeReference(
  _: string,
  name: string | undefined,
  hex: string | undefined,
  dec: string | undefined,
): string {
  if (name !== undefined) return PREDEFINED[name]!;
  return String.fromCodePoint(hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10));
}

/** An attribute value after XML's normalisation (no DTD, so every attribute is CDATA). */
function decodeAttribute(raw: string): string {
  if (!ATTRIBUTE_SPECIAL.test(raw)) return raw;
  const s = raw.replace(ATTRIBUTE_SPACE, ' ');
  return s.indexOf('&') === -1 ? s : s.replace(REFERENCES, decodeReference);
}

// The PI or declaration that last started a document and was found well-formed.
let goodFirstMarkup = '';

// Element names seen, by a hash of their characters (computed by nameEnd), so that a known name is
// not sliced and split again, and is the same (internalised) string every time: a reader compares it
// with its own names by identity. A memo shared by all tokenizers: an entry is used only after
// comparing it with the source, so what is in it never changes a result. Four ways per set, so that
// two names of one message that share a set do not evict each other on every document; its size is
// fixed, so a text of many different names costs no memory, only misses.
const NAME_SETS = 256;
const NAME_WAYS = 4;
const internedHash = new Int32Array(NAME_SETS * NAME_WAYS);
const internedName: Array<string | undefined> = new Array<string | undefined>(NAME_SETS * NAME_WAYS).fill(undefined);
const internedSplit: Array<readonly [string, string] | undefined> = new Array<readonly [string, string] | undefined>(
  NAME_SETS * NAME_WAYS,
).fill(undefined);
let internedVictim = 0;
// By memo entry: the entry of the name that last followed it, after its start tag and after its end tag (-1: none).
const predictAfterStart = new Int32Array(NAME_SETS * NAME_WAYS).fill(-1);
const predictAfterEnd = new Int32Array(NAME_SETS * NAME_WAYS).fill(-1);

// The two namespace URIs declared last, internalised: every document declares the same one or two (a signed message:
// its own and XML-DSig's, in turn, so one remembered was internalised again at every declaration), and a reader's
// comparison of an element's namespace with its own constant is then one of identity.
let lastUri = '';
let otherUri = '';
function internedUri(uri: string): string {
  if (uri === lastUri) return lastUri;
  const other = otherUri;
  otherUri = lastUri;
  return (lastUri = uri === other ? other : internalized(uri));
}

/** The string V8 keeps once for these characters (a property key is one), so that equal names are one object. */
function internalized(s: string): string {
  const o: Record<string, number> = {};
  o[s] = 0;
  for (const k in o) return k;
  return s;
}

interface Binding {
  prefix: string;
  uri: string;
  /** Depth of the element that declares it. */
  depth: number;
  /** The binding of the same prefix it hides, once bindings are found through `scope` (see lookup). */
  outer: Binding | undefined;
}

// Up to this many bindings open, a prefix is looked up by scanning them, innermost first (a CEB
// message has two to five, and a scan of those is faster than a hash lookup); beyond it, through a
// map from each prefix to its innermost binding, so that a document declaring thousands of prefixes
// costs linear time, not a scan per name.
const SCAN_BINDINGS = 8;
// Up to this many attributes in a tag, a duplicate is found by comparing each with those before it
// (CEB tags have zero to three); beyond it, through a set, so that a tag of many attributes is not
// quadratic.
const SCAN_ATTRIBUTES = 8;

// Streaming, what a token cut by the end of a chunk waits for. Until a write brings it, written pieces
// are set aside: not read again from the token's start, nor appended to the buffer (appending a piece
// to a long buffer copies all of it when it is next read). Either made a long token cost time growing
// with the square of its length. Each condition holds for any piece that could let a read of the token
// go further, so that a piece set aside changes nothing a read would find.
/** None: read again at the next write (a few characters are missing). */
const WAIT_NONE = 0;
/** A text: a '<'. */
const WAIT_LT = 1;
/** A comment, CDATA section or PI: its closing sequence (`waitFor`), maybe begun in the last characters. */
const WAIT_SEQ = 2;
/** A character other than XML white space. */
const WAIT_NONSPACE = 3;
/** A character that ends a name. */
const WAIT_NONNAME = 4;
/** An attribute value: its closing quote (`waitFor`). */
const WAIT_CHAR = 5;
/** An end tag: the whole name it must have, buffered up to `waitUntil`. */
const WAIT_LENGTH = 6;
const NON_SPACE = /[^\t\n\r ]/;
const NON_NAME = /[^A-Za-z0-9_.:-]/;

/** Streaming, a start tag cut by the end of a chunk after its name: what readStartTag had read of it. */
interface TagState {
  qname: string;
  split: readonly [string, string] | undefined;
  entry: number;
  set: number;
  hash: number;
  guess: number;
  depth: number;
  raws: Array<[string, string, number]> | undefined;
  /** Offset in the whole input where its first incomplete attribute (or its end) starts. */
  at: number;
}

/**
 * A pull tokenizer. For a whole text: `const t = new XmlTokenizer(text)`; for a stream:
 * `new XmlTokenizer()`, then `write(chunk)`… `close()`, calling `next()` until it answers `more`.
 * The current token is described by the fields below, valid until the next `next()` or `write()`.
 * A self-closing tag `<a/>` gives a `start` and then an `end` of zero length.
 * What precedes the root and follows it (white space, comments, PIs) is checked and tokenized too.
 */
export class XmlTokenizer {
  // --- the current token ---
  kind: TokenKind = 'more';
  /** Offsets of the token in the whole input (UTF-16 units, counted from the first character, a BOM included). */
  start = 0;
  end = 0;
  /** Qualified name of a start or end tag, or the target of a PI. */
  name = '';
  prefix = '';
  local = '';
  /** Namespace URI of a start or end tag ('' for none). */
  ns = '';
  /** Element depth of a start or end tag (the root is 1). */
  depth = 0;
  attributes: readonly XmlAttribute[] = NO_ATTRIBUTES;
  /** Namespace declarations of a start tag as [prefix ('' for the default namespace), uri], in source order. */
  nsDecls: ReadonlyArray<readonly [string, string]> = NO_DECLS;

  // --- input ---
  private buf = '';
  /** Offset of buf[0] in the whole input. */
  private base = 0;
  /** Next position to read in buf. */
  private pos = 0;
  private closed = false;
  private readonly streaming: boolean;
  private readonly maxDepth: number;
  private readonly maxToken: number;
  /** A high surrogate held back from the end of a chunk until its pair arrives. */
  private carry = '';
  /** Lines before buf[0] and the offset of the last LF before it, for error positions. */
  private linesBefore = 0;
  private lastLfBefore = -1;
  // A token cut by the end of a chunk (streaming): `cut` is set by `more`, and next() then looks at what follows.
  private cut = false;
  /** What it waits for (WAIT_*), and the sequence or quote, the offset of WAIT_SEQ, WAIT_CHAR, WAIT_LENGTH. */
  private wait = WAIT_NONE;
  private waitFor = '';
  private waitUntil = 0;
  /** Offset in the whole input where it starts (for maxTokenChars), and the last two characters buffered. */
  private waitFrom = 0;
  private waitTail = '';
  /** Pieces written that cannot complete it, set aside (not in buf) until one can. */
  private pend: string[] = [];
  private pendLen = 0;
  /** A start tag cut after its name, read on from where it stopped. */
  private tag: TagState | undefined;
  /** The part of that tag dropped from buf (its complete attributes), for raw() and error positions. */
  private spill: string[] | undefined;
  /** linesBefore and lastLfBefore at the start of the spilled tag. */
  private spillLines = 0;
  private spillLastLf = -1;

  // --- document state ---
  private started = false;
  /** Offset (in the whole input) where the document proper starts: after a BOM. */
  private docStart = 0;
  // The open elements, innermost last: qualified name, prefix, local name, namespace (parallel stacks, no object per element).
  private readonly open: string[] = [];
  /** Where each open element's name is in the name memo. */
  private readonly openEntry: number[] = [];
  private readonly openPrefix: string[] = [];
  private readonly openLocal: string[] = [];
  private readonly openNs: string[] = [];
  /** Whether any open element declares a namespace (then end tags pop bindings). */
  private declaring = 0;
  private readonly bindings: Binding[] = [
    { prefix: 'xml', uri: XML_NS, depth: 0, outer: undefined },
    { prefix: '', uri: '', depth: 0, outer: undefined },
  ];
  /** Each prefix's innermost binding: made when more than SCAN_BINDINGS are open, kept from then on. */
  private scope: Map<string, Binding> | undefined;
  private rootDone = false;
  private rootSeen = false;
  private pendingEnd = false;
  // The token's content range in buf (text, CDATA, comment, PI data).
  private valueFrom = 0;
  private valueTo = 0;
  // Next '&' and ']]>' at or after pos (absolute; -1 none in what is buffered; -2 not looked for).
  private nextAmp = -2;
  private nextCr = -2;
  /** Whether the current text token holds a reference. */
  private textReferences = false;
  private nextCdataEnd = -2;
  /** The memo entry of the last start or end tag's name (-1: none), and which of the two it was. */
  private prevEntry = -1;
  private prevWasEnd = false;
  /** Set (first index) in the name memo and hash of the name nameEnd last read. */
  private slot = 0;
  private hash = 0;

  constructor(text?: string, options: TokenizerOptions = {}) {
    this.maxDepth = options.maxDepth ?? MAX_XML_DEPTH;
    this.maxToken = options.maxTokenChars ?? DEFAULT_MAX_TOKEN;
    this.streaming = text === undefined;
    if (text !== undefined) {
      this.checkCharacters(text, 0);
      this.buf = text;
      this.closed = true;
    }
  }

  /** Streaming: hands the tokenizer the next piece of the input. */
  write(chunk: string): void {
    if (!this.streaming || this.closed) throw new SandanError('INVALID_OPTION', 'write() after close() or on a text');
    if (chunk === '') return;
    let piece = this.carry + chunk;
    this.carry = '';
    const last = piece.charCodeAt(piece.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.carry = piece.slice(-1);
      piece = piece.slice(0, -1);
    }
    this.checkCharacters(piece, this.base + this.buf.length + this.pendLen);
    if (this.tag === undefined) this.spill = undefined;
    if (this.wait !== WAIT_NONE) {
      if (!this.completes(piece)) {
        this.pend.push(piece);
        this.pendLen += piece.length;
        return;
      }
      this.wait = WAIT_NONE;
      if (this.pendLen !== 0) piece = this.takePending() + piece;
    }
    // Drop what has been read, unless it is little (a copy per chunk would cost more than it frees).
    if (this.pos > 65536 || this.pos > this.buf.length >> 1) this.compact();
    this.append(piece);
  }

  private append(piece: string): void {
    this.buf += piece;
    if (this.nextAmp === -1) this.nextAmp = -2;
    if (this.nextCr === -1) this.nextCr = -2;
    if (this.nextCdataEnd === -1) this.nextCdataEnd = -2;
  }

  /** The pieces set aside, as one string. */
  private takePending(): string {
    const s = this.pend.join('');
    this.pend = [];
    this.pendLen = 0;
    return s;
  }

  /** Whether a piece may complete the token cut by the end of the chunk (see WAIT_NONE). */
  private completes(piece: string): boolean {
    switch (this.wait) {
      case WAIT_LT:
        return piece.indexOf('<') !== -1;
      case WAIT_SEQ: {
        const w = this.waitFor;
        if (piece.indexOf(w) !== -1 || (this.waitTail + piece.slice(0, w.length - 1)).indexOf(w) !== -1) return true;
        this.waitTail = piece.length >= 2 ? piece.slice(-2) : (this.waitTail + piece).slice(-2);
        return false;
      }
      case WAIT_NONSPACE:
        return NON_SPACE.test(piece);
      case WAIT_NONNAME:
        return NON_NAME.test(piece);
      case WAIT_CHAR:
        return piece.indexOf(this.waitFor) !== -1;
      default:
        return this.base + this.buf.length + this.pendLen + piece.length >= this.waitUntil;
    }
  }

  /** Streaming: the input is complete. */
  close(): void {
    if (this.closed) return;
    if (this.pendLen !== 0) this.append(this.takePending());
    this.wait = WAIT_NONE;
    if (this.carry) {
      const c = this.carry;
      this.carry = '';
      this.buf += c;
      this.checkCharacters(c, this.base + this.buf.length - 1);
    }
    this.closed = true;
  }

  /** The token as written. */
  raw(): string {
    if (this.start < this.base && this.spill !== undefined)
      return this.spill.join('') + this.buf.slice(0, this.end - this.base);
    return this.buf.slice(this.start - this.base, this.end - this.base);
  }

  /**
   * The token's content: of a text, its characters (line ends as LF, references decoded); of a CDATA
   * section, what it holds (line ends as LF); of a comment, what it says; of a PI, its data.
   * Streaming, a string of its own: a slice would keep the buffer it came from alive as long as it is kept.
   */
  text(): string {
    const slice = this.buf.slice(this.valueFrom, this.valueTo);
    const s = this.streaming ? detached(slice) : slice;
    if (this.kind === 'text') {
      // Line ends as LF and references decoded, each only where reading the text found a CR or a reference.
      const t = this.hasCr(this.valueFrom, this.valueTo) ? s.replace(LINE_ENDS, '\n') : s;
      return this.textReferences ? t.replace(REFERENCES, decodeReference) : t;
    }
    return s.indexOf('\r') === -1 ? s : s.replace(LINE_ENDS, '\n');
  }

  /** True when a text token is white space only (XML's: space, tab, CR, LF). */
  isWhitespace(): boolean {
    const b = this.buf;
    for (let i = this.valueFrom; i < this.valueTo; i++) if (!isSpace(b.charCodeAt(i))) return false;
    return true;
  }

  /** Reads the next token. */
  next(): TokenKind {
    if (this.pendingEnd) {
      this.pendingEnd = false;
      this.kind = 'end';
      this.start = this.end;
      this.endElement();
      return this.kind;
    }
    if (this.cut) {
      if (this.wait !== WAIT_NONE) {
        // Nothing written since can complete the token: it is not read again.
        if (this.base + this.buf.length + this.pendLen - this.waitFrom > this.maxToken)
          this.tooLong(this.waitFrom - this.base);
        return (this.kind = 'more');
      }
      this.cut = false;
      if (this.tag !== undefined) return this.readStartTag(this.pos);
    }
    const b = this.buf;
    if (!this.started) {
      // The first two characters decide: one byte-order mark is dropped, a second one refused.
      if (b.length < 2 && !this.closed) return (this.kind = 'more');
      this.started = true;
      if (b.charCodeAt(0) === BOM) {
        this.pos = 1;
        this.docStart = this.base + 1;
        if (b.charCodeAt(1) === BOM)
          this.fail(1, 'a second byte-order mark (U+FEFF) follows the first; a document has at most one');
      }
    }
    const p = this.pos;
    if (p >= b.length) {
      if (!this.closed) return (this.kind = 'more');
      return this.finish();
    }
    if (b.charCodeAt(p) !== LT) return this.readText(p);
    const c1 = b.charCodeAt(p + 1);
    if (c1 === SLASH) return this.readEndTag(p);
    if (c1 === BANG) return this.readBang(p);
    if (c1 === QUESTION) return this.readPi(p);
    if (p + 1 >= b.length && !this.closed) return this.more(p);
    return this.plainStartTag(p) ?? this.readStartTag(p);
  }

  /** Throws XML_MALFORMED at an offset in buf. */
  fail(at: number, why: string): never {
    return this.failAt(this.base + at, why);
  }

  /** Throws XML_MALFORMED at an offset of the whole input. */
  failAt(offset: number, why: string, reason?: string): never {
    const rel = offset - this.base;
    let line = this.linesBefore + 1;
    let last = this.lastLfBefore;
    const b = this.buf;
    if (rel < 0 && this.spill !== undefined) {
      // In the part of a start tag cut by chunks that has left buf.
      line = this.spillLines + 1;
      last = this.spillLastLf;
      let at = this.base;
      for (const s of this.spill) at -= s.length;
      for (const s of this.spill) {
        for (let i = s.indexOf('\n'); i !== -1 && at + i < offset; i = s.indexOf('\n', i + 1)) {
          line++;
          last = at + i;
        }
        at += s.length;
      }
    }
    for (let i = b.indexOf('\n'); i !== -1 && i < rel; i = b.indexOf('\n', i + 1)) {
      line++;
      last = this.base + i;
    }
    const col = offset - last;
    throw new SandanError('XML_MALFORMED', `The XML is not well-formed (line ${line}, column ${col}): ${why}`, {
      details: { line, col, offset, ...(reason ? { reason } : {}) },
    });
  }

  // --- tokens ---

  private readText(p: number): TokenKind {
    const b = this.buf;
    let lt = b.indexOf('<', p);
    if (lt === -1) {
      if (!this.closed) return this.more(p, WAIT_LT);
      lt = b.length;
    }
    const abs = this.base;
    if (this.open.length === 0) {
      this.textReferences = false;
      for (let i = p; i < lt; i++)
        if (!isSpace(b.charCodeAt(i)))
          this.fail(
            i,
            !this.rootDone && (b[i] === '{' || b[i] === '[')
              ? // The usual mix-up, the other way round from json-input's: a declaration (JSON) given where XML is read.
                'text outside the root element (before it): it looks like JSON. A CEB message is XML; check a declaration (JSON) with validate() or sandan validate, or build its message with buildMessage() or sandan build'
              : `text outside the root element (${this.rootDone ? 'after' : 'before'} it)`,
          );
    } else {
      // ']]>' is checked through a cached position, as references are: one indexOf per occurrence, not per text.
      this.textReferences = this.checkReferences(p, lt);
      if (this.nextCdataEnd === -2 || (this.nextCdataEnd !== -1 && this.nextCdataEnd < abs + p)) {
        const e = b.indexOf(']]>', p);
        this.nextCdataEnd = e === -1 ? -1 : abs + e;
      }
      if (this.nextCdataEnd !== -1 && this.nextCdataEnd + 3 <= abs + lt)
        this.fail(this.nextCdataEnd - abs, "']]>' in text (it ends CDATA sections only)");
    }
    this.kind = 'text';
    this.start = abs + p;
    this.end = abs + lt;
    this.valueFrom = p;
    this.valueTo = lt;
    this.pos = lt;
    return 'text';
  }

  private readEndTag(p: number): TokenKind {
    const b = this.buf;
    const top = this.open[this.open.length - 1];
    if (top === undefined) {
      const e = this.nameEnd(p + 2);
      if (e === b.length && !this.closed) return this.more(p, WAIT_NONNAME);
      return this.fail(p, `closing tag </${b.slice(p + 2, e)}> without a start tag`);
    }
    const n = p + 2 + top.length;
    if (n >= b.length && !this.closed) return this.more(p, WAIT_LENGTH, '', this.base + n + 1);
    // indexOf compares faster than startsWith; where it does not find the name right there, the end
    // tag is wrong (the whole name is buffered), so its search further on happens once, before failing.
    if (b.indexOf(top, p + 2) !== p + 2 || isNameChar(b.charCodeAt(n))) {
      const e = this.nameEnd(p + 2);
      if (e === b.length && !this.closed) return this.more(p, WAIT_NONNAME);
      return this.fail(p, `</${b.slice(p + 2, e)}> closes <${top}>`);
    }
    let j = n;
    while (isSpace(b.charCodeAt(j))) j++;
    if (j >= b.length) {
      if (!this.closed) return this.more(p, WAIT_NONSPACE);
      return this.fail(p, `the end tag </${top}> is not closed with '>'`);
    }
    if (b.charCodeAt(j) !== GT) {
      if (j === n && b.charCodeAt(n) >= 0x80) this.nonAsciiName(n);
      return this.fail(p, `the end tag </${top}> has attributes or a '/'`);
    }
    this.kind = 'end';
    this.start = this.base + p;
    this.end = this.base + j + 1;
    this.pos = j + 1;
    this.endElement();
    return 'end';
  }

  private endElement(): void {
    const depth = this.open.length;
    this.name = this.open.pop()!;
    this.prevEntry = this.openEntry.pop()!;
    this.prevWasEnd = true;
    this.prefix = this.openPrefix.pop()!;
    this.local = this.openLocal.pop()!;
    this.ns = this.openNs.pop()!;
    this.depth = depth;
    this.attributes = NO_ATTRIBUTES;
    this.nsDecls = NO_DECLS;
    if (this.declaring) {
      const bs = this.bindings;
      const scope = this.scope;
      while (bs[bs.length - 1]!.depth === depth) {
        const b = bs.pop()!;
        this.declaring--;
        if (scope !== undefined) {
          if (b.outer === undefined) scope.delete(b.prefix);
          else scope.set(b.prefix, b.outer);
        }
      }
    }
    if (depth === 1) this.rootDone = true;
  }

  private readBang(p: number): TokenKind {
    const b = this.buf;
    if (b.startsWith('<!--', p)) {
      const e = b.indexOf('-->', p + 4);
      if (e === -1) return this.unterminated(p, 'a comment', '-->');
      const problem = markupProblem(b.slice(p, e + 3), false);
      if (problem) this.fail(p, problem);
      return this.token('comment', p, e + 3, p + 4, e);
    }
    if (b.startsWith('<![CDATA[', p)) {
      if (this.open.length === 0) this.fail(p, 'a CDATA section outside the root element');
      const e = b.indexOf(']]>', p + 9);
      if (e === -1) return this.unterminated(p, 'a CDATA section', ']]>');
      return this.token('cdata', p, e + 3, p + 9, e);
    }
    // '<!' cut by the end of a chunk: what it starts (a comment, CDATA, a DTD) shows a few characters on.
    if (b.length - p < 20 && !this.closed) return this.more(p);
    if (/^<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.test(b.slice(p, p + 20)))
      this.failAt(
        this.base + p,
        'a DTD (<!DOCTYPE …>); DTDs, entity declarations and external references are refused (CEB messages never use them)',
        'dtd',
      );
    return this.fail(p, "'<!' that starts no comment or CDATA section");
  }

  private readPi(p: number): TokenKind {
    const b = this.buf;
    const e = b.indexOf('?>', p + 2);
    if (e === -1) return this.unterminated(p, 'a processing instruction', '?>');
    const markup = b.slice(p, e + 2);
    const atStart = this.base + p === this.docStart;
    // Nearly every document starts with the same declaration: the last one found good is not checked again.
    if (!atStart || markup !== goodFirstMarkup) {
      const problem = markupProblem(markup, atStart);
      if (problem) this.fail(p, problem);
      if (atStart) goodFirstMarkup = markup;
    }
    let t = p + 2;
    while (t < e && !isSpace(b.charCodeAt(t))) t++;
    const target = b.slice(p + 2, t);
    while (t < e && isSpace(b.charCodeAt(t))) t++;
    this.name = target;
    return this.token(this.base + p === this.docStart && target === 'xml' ? 'declaration' : 'pi', p, e + 2, t, e);
  }

  private readStartTag(p: number): TokenKind {
    const b = this.buf;
    let qname: string | undefined;
    let split: readonly [string, string] | undefined;
    let entry = -1;
    // Where a name not in the memo goes (nameEnd's, saved: attribute names are read with it too).
    let set = 0;
    let hash = 0;
    let guess: number;
    let depth: number;
    let raws: Array<[string, string, number]> | undefined;
    let j: number;
    const prev = this.prevEntry;
    const cut = this.tag;
    if (cut !== undefined) {
      // The rest of a tag cut by the end of a chunk: it goes on after its last complete attribute.
      this.tag = undefined;
      ({ qname, split, entry, set, hash, guess, depth, raws } = cut);
      j = cut.at - this.base;
    } else {
      // The name that followed the previous tag's name last time (its first child after a start tag,
      // its next sibling after an end tag) is tried first: one comparison instead of hashing the name.
      guess = prev < 0 ? -1 : this.prevWasEnd ? predictAfterEnd[prev]! : predictAfterStart[prev]!;
      let ne: number;
      const q = guess < 0 ? undefined : internedName[guess];
      if (
        q !== undefined &&
        p + 1 + q.length < b.length &&
        !isNameChar(b.charCodeAt(p + 1 + q.length)) &&
        // (A slice compared is faster than startsWith, and a name is short.)
        b.slice(p + 1, p + 1 + q.length) === q
      ) {
        entry = guess;
        qname = q;
        split = internedSplit[guess];
        ne = p + 1 + q.length;
      } else {
        ne = this.nameEnd(p + 1);
        if (ne === p + 1) return this.fail(p, "a '<' that starts no valid tag");
        if (ne >= b.length && !this.closed) return this.more(p, WAIT_NONNAME);
        set = this.slot;
        hash = this.hash;
        const len = ne - p - 1;
        for (let k = set; k < set + NAME_WAYS; k++) {
          const name = internedName[k];
          if (name === undefined) break;
          if (internedHash[k] === hash && name.length === len && b.startsWith(name, p + 1)) {
            entry = k;
            qname = name;
            split = internedSplit[k];
            break;
          }
        }
        if (qname === undefined) qname = b.slice(p + 1, ne);
      }
      depth = this.open.length + 1;
      if (depth === 1 && this.rootDone) this.fail(p, 'more than one root element');
      if (depth > this.maxDepth) this.fail(p, TOO_DEEP);
      j = ne;
    }
    let attrs: XmlAttribute[] | undefined;
    let decls: Array<[string, string]> | undefined;
    let selfClosing = false;
    let lt = -1;
    // Streaming, what the tag waits for when the chunk ends inside it (-1: it does not), and where it goes on from.
    let wait = -1;
    let waitFor = '';
    let ws = j;
    for (;;) {
      ws = j;
      while (isSpace(b.charCodeAt(j))) j++;
      if (j >= b.length) {
        if (!this.closed) {
          wait = WAIT_NONSPACE;
          break;
        }
        return this.fail(p, `the start tag <${qname}> is not closed`);
      }
      const c = b.charCodeAt(j);
      if (c === GT) {
        j++;
        break;
      }
      if (c === SLASH) {
        if (j + 1 >= b.length && !this.closed) {
          wait = WAIT_NONE;
          break;
        }
        if (b.charCodeAt(j + 1) !== GT) this.fail(j, `a '/' inside the start tag <${qname}>`);
        selfClosing = true;
        j += 2;
        break;
      }
      // (a '<' here is the next tag: this one lacks its '>', as in `<InvtRefundReturn<guid>`, not an attribute)
      if (c === LT) this.fail(j, `the start tag <${qname}> is not closed: '<' where '>' was expected`);
      if (j === ws) {
        if (b.charCodeAt(j) >= 0x80) this.nonAsciiName(j);
        this.fail(j, `the attributes of <${qname}> must be separated by white space`);
      }
      const an = j;
      const ae = this.nameEnd(j);
      if (ae === j) this.fail(j, `a character that starts no attribute in <${qname}>`);
      j = ae;
      while (isSpace(b.charCodeAt(j))) j++;
      if (j >= b.length && !this.closed) {
        wait = ae >= b.length ? WAIT_NONNAME : WAIT_NONSPACE;
        break;
      }
      const aname = b.slice(an, ae);
      if (b.charCodeAt(j) !== EQ) {
        if (j === ae && b.charCodeAt(j) >= 0x80) this.nonAsciiName(j);
        this.fail(j, `the attribute ${aname} of <${qname}> has no '=' and value`);
      }
      j++;
      while (isSpace(b.charCodeAt(j))) j++;
      if (j >= b.length && !this.closed) {
        wait = WAIT_NONSPACE;
        break;
      }
      const q = b.charCodeAt(j);
      if (q !== DQUOTE && q !== SQUOTE) this.fail(j, `the value of ${aname} is not quoted`);
      const ve = b.indexOf(q === DQUOTE ? '"' : "'", j + 1);
      if (ve === -1) {
        if (!this.closed) {
          wait = WAIT_CHAR;
          waitFor = q === DQUOTE ? '"' : "'";
          break;
        }
        return this.fail(j, `the value of ${aname} is not closed`);
      }
      // The first '<' after the value's start, looked for once per tag (it is usually the next tag's).
      if (lt <= j) {
        lt = b.indexOf('<', j + 1);
        if (lt === -1) lt = b.length;
      }
      if (lt < ve) this.fail(lt, `a '<' in the value of ${aname}`);
      this.checkReferences(j + 1, ve);
      (raws ??= []).push([aname, b.slice(j + 1, ve), this.base + an]);
      j = ve + 1;
    }
    if (wait !== -1) {
      // Cut by the end of the chunk: what was read is kept, the complete attributes leave the buffer
      // (see spillTag), and the next read goes on from `ws`, once a write brings what the tag waits
      // for. Read again from its '<' at every chunk, a long tag cost time growing with its square.
      const at = this.base + ws;
      this.tag = { qname, split, entry, set, hash, guess, depth, raws, at };
      const from = this.base + p;
      this.spillTag(p, ws);
      return this.more(from - this.base, wait, waitFor);
    }
    if (this.streaming && j - p > this.maxToken) this.tooLong(p);
    // Namespace declarations first: they apply to the tag's own name and attributes.
    if (raws) {
      const names = raws.length > SCAN_ATTRIBUTES ? new Set<string>() : undefined;
      for (let k = 0; k < raws.length; k++) {
        const [an, raw, at] = raws[k]!;
        if (names === undefined) {
          for (let m = 0; m < k; m++)
            if (raws[m]![0] === an) this.failAt(at, `<${qname}> has the attribute ${an} twice`);
        } else {
          if (names.has(an)) this.failAt(at, `<${qname}> has the attribute ${an} twice`);
          names.add(an);
        }
        if (an === 'xmlns' || an.startsWith('xmlns:')) {
          const prefix = an === 'xmlns' ? '' : an.slice(6);
          const uri = internedUri(decodeAttribute(raw));
          if (prefix !== '' && uri === '') this.failAt(at, `the namespace prefix ${prefix} cannot be undeclared`);
          if (prefix === 'xmlns' || uri === XMLNS_NS || (prefix === 'xml') !== (uri === XML_NS))
            this.failAt(at, `${an} binds a reserved namespace prefix or name`);
          if (prefix.indexOf(':') !== -1 || (prefix === '' && an !== 'xmlns'))
            this.failAt(at, `${an} is not a valid namespace declaration`);
          (decls ??= []).push([prefix, uri]);
          this.bind({ prefix, uri, depth, outer: undefined });
        }
      }
    }
    if (split === undefined) {
      const [pre, loc] = this.splitName(qname, this.base + p);
      qname = internalized(qname);
      split = [internalized(pre), internalized(loc)];
      // An empty way of the set, else one in turn.
      let k = set;
      while (k < set + NAME_WAYS && internedName[k] !== undefined) k++;
      if (k === set + NAME_WAYS) k = set + (internedVictim++ & (NAME_WAYS - 1));
      internedHash[k] = hash;
      internedName[k] = qname;
      internedSplit[k] = split;
      predictAfterStart[k] = predictAfterEnd[k] = -1;
      entry = k;
    }
    if (entry !== guess && prev >= 0) (this.prevWasEnd ? predictAfterEnd : predictAfterStart)[prev] = entry;
    const prefix = split[0];
    const local = split[1];
    const ns = this.lookup(prefix);
    if (ns === undefined) this.fail(p, `the namespace prefix "${prefix}" of <${qname}> is not declared`);
    if (raws && raws.length > (decls?.length ?? 0)) {
      attrs = [];
      // Prefixed attributes by {ns}local, when there are many (a local name holds no '}', so the key is unambiguous).
      const expanded = raws.length > SCAN_ATTRIBUTES ? new Set<string>() : undefined;
      for (const [an, raw, at] of raws) {
        if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
        const [ap, al] = this.splitName(an, at);
        const ans = ap === '' ? '' : this.lookup(ap);
        if (ans === undefined) this.failAt(at, `the namespace prefix "${ap}" of the attribute ${an} is not declared`);
        if (ap !== '') {
          // (A prefix is never bound to '', so a prefixed attribute cannot clash with an unprefixed one.)
          if (expanded === undefined) {
            for (const o of attrs)
              if (o.ns === ans && o.local === al) this.failAt(at, `<${qname}> has the attribute {${ans}}${al} twice`);
          } else {
            const key = `${ans}}${al}`;
            if (expanded.has(key)) this.failAt(at, `<${qname}> has the attribute {${ans}}${al} twice`);
            expanded.add(key);
          }
        }
        attrs.push({ qname: an, prefix: ap, local: al, ns: ans, value: decodeAttribute(raw) });
      }
    }
    return this.opened(
      p,
      j,
      qname,
      entry,
      prefix,
      local,
      ns,
      depth,
      attrs ?? NO_ATTRIBUTES,
      decls ?? NO_DECLS,
      selfClosing,
    );
  }

  /**
   * Most start tags of a message: `<name>`, no attributes, of the name predicted (see readStartTag), read without the
   * rest of readStartTag; undefined for any other (readStartTag reads it, and refuses what is wrong with it).
   */
  private plainStartTag(p: number): TokenKind | undefined {
    const prev = this.prevEntry;
    if (prev < 0 || this.tag !== undefined) return undefined;
    const guess = this.prevWasEnd ? predictAfterEnd[prev]! : predictAfterStart[prev]!;
    const q = guess < 0 ? undefined : internedName[guess];
    if (q === undefined) return undefined;
    const b = this.buf;
    const ne = p + 1 + q.length;
    // (A '>' right after the name: no attribute, no white space, not `<name/>`; a slice compared, as in readStartTag.)
    if (b.charCodeAt(ne) !== GT || b.slice(p + 1, ne) !== q) return undefined;
    const depth = this.open.length + 1;
    if (depth > this.maxDepth || (depth === 1 && this.rootDone) || (this.streaming && ne + 1 - p > this.maxToken))
      return undefined;
    const split = internedSplit[guess]!;
    const ns = this.lookup(split[0]);
    if (ns === undefined) return undefined;
    return this.opened(p, ne + 1, q, guess, split[0], split[1], ns, depth, NO_ATTRIBUTES, NO_DECLS, false);
  }

  /** The start tag at buf[p, j) read: its element opened, the token described. */
  private opened(
    p: number,
    j: number,
    qname: string,
    entry: number,
    prefix: string,
    local: string,
    ns: string,
    depth: number,
    attrs: readonly XmlAttribute[],
    decls: ReadonlyArray<readonly [string, string]>,
    selfClosing: boolean,
  ): TokenKind {
    this.open.push(qname);
    this.openEntry.push(entry);
    this.prevEntry = entry;
    this.prevWasEnd = false;
    this.openPrefix.push(prefix);
    this.openLocal.push(local);
    this.openNs.push(ns);
    this.rootSeen = true;
    this.kind = 'start';
    this.start = this.base + p;
    this.end = this.base + j;
    this.pos = j;
    this.name = qname;
    this.prefix = prefix;
    this.local = local;
    this.ns = ns;
    this.depth = depth;
    this.attributes = attrs;
    this.nsDecls = decls;
    this.pendingEnd = selfClosing;
    return 'start';
  }

  private finish(): TokenKind {
    if (this.open.length)
      this.failAt(this.base + this.buf.length, `<${this.open[this.open.length - 1]}> is never closed`);
    if (!this.rootSeen) this.failAt(this.base + this.buf.length, 'no root element');
    this.kind = 'eof';
    this.start = this.end = this.base + this.buf.length;
    return 'eof';
  }

  // --- helpers ---

  private token(kind: TokenKind, p: number, end: number, from: number, to: number): TokenKind {
    if (this.streaming && end - p > this.maxToken) this.tooLong(p);
    this.kind = kind;
    this.start = this.base + p;
    this.end = this.base + end;
    this.valueFrom = from;
    this.valueTo = to;
    this.pos = end;
    return kind;
  }

  /** A token at `p` cut by the end of the chunk: what it waits for (see WAIT_NONE). */
  private more(p: number, wait = WAIT_NONE, waitFor = '', until = 0): TokenKind {
    if (this.buf.length - p > this.maxToken) this.tooLong(p);
    this.pos = p;
    this.cut = true;
    this.wait = wait;
    if (wait !== WAIT_NONE) {
      this.waitFor = waitFor;
      this.waitUntil = until;
      this.waitFrom = this.base + p;
      this.waitTail = this.buf.slice(-2);
    }
    return (this.kind = 'more');
  }

  private unterminated(p: number, what: string, closing: string): TokenKind {
    if (!this.closed) return this.more(p, WAIT_SEQ, closing);
    return this.fail(p, `${what} that is never closed`);
  }

  private tooLong(p: number): never {
    throw new SandanError(
      'XML_TOO_LARGE',
      `One piece of the XML (a text, tag or comment at offset ${this.base + p}) is longer than ${this.maxToken} characters`,
      { details: { offset: this.base + p, maxTokenChars: this.maxToken } },
    );
  }

  /** End of the name at `i` (`i` itself when none starts there); leaves a hash of it in `hash` and `slot`. */
  private nameEnd(i: number): number {
    const b = this.buf;
    let c = b.charCodeAt(i);
    if (!isNameStart(c)) return c >= 0x80 ? this.nonAsciiName(i) : i;
    const from = i;
    let h = c;
    for (c = b.charCodeAt(++i); isNameChar(c); c = b.charCodeAt(++i)) h = (h * 31 + c) | 0;
    if (i - from > MAX_XML_NAME) this.fail(from, TOO_LONG_NAME);
    this.hash = h;
    this.slot = ((h ^ (h >>> 8)) & (NAME_SETS - 1)) * NAME_WAYS;
    return i;
  }

  /**
   * Refuses the character at i, outside ASCII where a name starts or goes on (XML allows it): told as what it is, not as
   * a tag's syntax. Called where the tag is refused anyway, off the path of every name read.
   */
  private nonAsciiName(i: number): never {
    const cp = this.buf.codePointAt(i)!;
    return this.fail(
      i,
      `'${String.fromCodePoint(cp)}' (U+${cp.toString(16).toUpperCase().padStart(4, '0')}) in a name: sandan reads names of ASCII letters, digits and _ - . : only, as every CEB name is`,
    );
  }

  /** [prefix, local] of a qualified name, checked (at most one colon, not first or last), and interned; `at`: its offset in the whole input. */
  private splitName(qname: string, at: number): [string, string] {
    const k = qname.indexOf(':');
    let out: [string, string];
    if (k === -1) out = ['', qname];
    else {
      if (k === qname.length - 1 || qname.indexOf(':', k + 1) !== -1 || !isNameStart(qname.charCodeAt(k + 1)))
        this.failAt(at, `${qname} is not a valid qualified name`);
      out = [qname.slice(0, k), qname.slice(k + 1)];
      if (out[0] === 'xmlns') this.failAt(at, `${qname} is not a valid qualified name`);
    }
    return out;
  }

  private lookup(prefix: string): string | undefined {
    const bs = this.bindings;
    if (bs.length > SCAN_BINDINGS) return this.scope!.get(prefix)?.uri;
    for (let i = bs.length - 1; i >= 0; i--) if (bs[i]!.prefix === prefix) return bs[i]!.uri;
    return undefined;
  }

  /** Opens a binding (popped by endElement at the end of the element that declares it). */
  private bind(b: Binding): void {
    const bs = this.bindings;
    bs.push(b);
    this.declaring++;
    let scope = this.scope;
    if (scope === undefined) {
      if (bs.length <= SCAN_BINDINGS) return;
      // From now on (lookup needs it whenever more than SCAN_BINDINGS are open), every open binding in it.
      scope = this.scope = new Map();
      for (const o of bs) {
        o.outer = scope.get(o.prefix);
        scope.set(o.prefix, o);
      }
      return;
    }
    b.outer = scope.get(b.prefix);
    scope.set(b.prefix, b);
  }

  /**
   * Checks every '&' in buf[from, to) (a text or an attribute value) starts a reference to a
   * character XML allows. The next '&' is looked for once and remembered (absolute, -1: none in
   * what is buffered, -2: not looked for), so a text or value costs no search to the end of the input.
   */
  private checkReferences(from: number, to: number): boolean {
    const b = this.buf;
    const abs = this.base;
    if (this.nextAmp === -2 || (this.nextAmp !== -1 && this.nextAmp < abs + from)) {
      const a = b.indexOf('&', from);
      this.nextAmp = a === -1 ? -1 : abs + a;
    }
    const any = this.nextAmp !== -1 && this.nextAmp < abs + to;
    while (this.nextAmp !== -1 && this.nextAmp < abs + to) {
      const amp = this.nextAmp - abs;
      REFERENCE.lastIndex = amp;
      const m = REFERENCE.exec(b);
      if (!m || REFERENCE.lastIndex > to) this.fail(amp, "an '&' that starts no XML entity or character reference");
      if (m[1] === undefined) {
        const cp = m[2] !== undefined ? parseInt(m[2], 16) : parseInt(m[3]!, 10);
        if (!isXmlChar(cp)) this.fail(amp, `the character reference ${m[0]} is to a character XML does not allow`);
      }
      const n = b.indexOf('&', REFERENCE.lastIndex);
      this.nextAmp = n === -1 ? -1 : abs + n;
    }
    return any;
  }

  /** Whether buf[from, to) holds a CR, through a cached position as for references (absolute; -1 none buffered, -2 not looked for). */
  private hasCr(from: number, to: number): boolean {
    const abs = this.base;
    if (this.nextCr === -2 || (this.nextCr !== -1 && this.nextCr < abs + from)) {
      const c = this.buf.indexOf('\r', from);
      this.nextCr = c === -1 ? -1 : abs + c;
    }
    return this.nextCr !== -1 && this.nextCr < abs + to;
  }

  private checkCharacters(text: string, offset: number): void {
    // What forbiddenCharacter refuses, found faster: a lone surrogate (isWellFormed, native), a C0
    // control but tab, LF, CR, U+FFFE, U+FFFF. Only a text with one is looked at again, to say where and why.
    BMP_XML_CHARS.lastIndex = 0;
    BMP_XML_CHARS.test(text);
    if (
      BMP_XML_CHARS.lastIndex === text.length ||
      ((text as WellFormedString).isWellFormed() &&
        !CONTROL.test(text) &&
        text.indexOf('\uFFFE') === -1 &&
        text.indexOf('\uFFFF') === -1)
    )
      return;
    const problem = forbiddenCharacter(text);
    if (problem) {
      // The position is reported in the text as buffered so far (line counts need it).
      if (this.pendLen !== 0) this.buf += this.takePending();
      const saved = this.buf;
      const before = offset - this.base;
      this.buf = saved.slice(0, before) + text;
      this.failAt(offset + problem.index, problem.why);
    }
  }

  private compact(): void {
    this.drop(this.pos);
  }

  /**
   * A start tag at `p` cut by the end of a chunk, its complete attributes read up to `to`: they leave
   * buf (kept in `spill`), so that each chunk appended to what is left copies little, not the whole tag.
   */
  private spillTag(p: number, to: number): void {
    if (p >= 0) {
      this.drop(p);
      to -= p;
      this.spill = [];
      this.spillLines = this.linesBefore;
      this.spillLastLf = this.lastLfBefore;
    }
    if (to > 0) {
      this.spill!.push(this.buf.slice(0, to));
      this.drop(to);
    }
  }

  /** Drops buf[0, drop), counting its lines. */
  private drop(drop: number): void {
    const b = this.buf;
    for (let i = b.indexOf('\n'); i !== -1 && i < drop; i = b.indexOf('\n', i + 1)) {
      this.linesBefore++;
      this.lastLfBefore = this.base + i;
    }
    this.buf = b.slice(drop);
    this.base += drop;
    this.pos -= drop;
    this.valueFrom -= drop;
    this.valueTo -= drop;
  }
}
