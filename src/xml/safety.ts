import { SandanError } from '../errors.js';

/** Default input limit of the parsers: generous for a batch of 100 documents, fatal for a bomb. */
export const DEFAULT_MAX_XML_BYTES = 50 * 1024 * 1024;

/**
 * The deepest element nesting any sandan reader accepts (the root is level 1). The deepest CEB
 * message is about 6 levels (message, document, head or list, field), a DxpMsg with a signature
 * about 10 (DxpMsg, Signature, SignedInfo, Reference, Transforms, Transform); 64 leaves room for
 * extensions and still keeps a hostile `<a><a><a>…` from reaching any recursive walk.
 */
export const MAX_XML_DEPTH = 64;

/** Where and why a text is not XML (each reader words its own error around it). */
export interface XmlProblem {
  /** Offset in the text (UTF-16 units). */
  index: number;
  why: string;
}

/** The XML 1.0 `Char` production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Why nesting deeper than {@link MAX_XML_DEPTH} is refused, in every reader's words. */
export const TOO_DEEP = `elements nested more than ${MAX_XML_DEPTH} levels deep (CEB messages are a few levels deep)`;

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

// Outside Char in the BMP, surrogates aside (a u-flag regex would see pairs, but is 7 times slower).
const FORBIDDEN_BMP = /[^\t\n\r\x20-\uD7FF\uD800-\uDFFF\uE000-\uFFFD]/;
const SURROGATE = /[\uD800-\uDFFF]/g;
const CHAR_REF = /&#(?:x([0-9a-fA-F]+)|([0-9]+));/g;

/**
 * The first character XML 1.0 forbids (C0 controls but tab, CR, LF; U+FFFE, U+FFFF; a lone
 * surrogate) anywhere in the text: in text, attribute values, comments, PIs and names alike.
 * Linear; `undefined` when there is none. References to such characters (`&#0;`) are found by
 * {@link forbiddenCharRef}, which each reader applies where references are (not in comments or CDATA).
 */
export function forbiddenCharacter(text: string): XmlProblem | undefined {
  const m = FORBIDDEN_BMP.exec(text);
  const end = m ? m.index : text.length;
  SURROGATE.lastIndex = 0;
  for (let s = SURROGATE.exec(text); s && s.index < end; s = SURROGATE.exec(text)) {
    const i = s.index;
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      SURROGATE.lastIndex = i + 2;
      continue;
    }
    return { index: i, why: `a lone surrogate ${hex(c)} is not a character (the text is not proper Unicode)` };
  }
  return m ? { index: m.index, why: `character ${hex(m[0].charCodeAt(0))} is not allowed in XML` } : undefined;
}

/**
 * The first character reference in a text or attribute value (as written, entities not yet
 * decoded) to a character XML forbids, such as `&#0;` or `&#x1;`; `index` is its offset in `s`.
 */
export function forbiddenCharRef(s: string): XmlProblem | undefined {
  if (s.indexOf('&#') === -1) return undefined;
  CHAR_REF.lastIndex = 0;
  for (let r = CHAR_REF.exec(s); r; r = CHAR_REF.exec(s)) {
    const cp = r[1] !== undefined ? parseInt(r[1], 16) : parseInt(r[2]!, 10);
    if (!isXmlChar(cp))
      return { index: r.index, why: `the character reference ${r[0]} is to a character XML does not allow` };
  }
  return undefined;
}

/** A processing instruction `<?xml …?>` or `<?XML …?>` (the target is reserved), at `i`. */
export function isXmlDeclarationAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 0x3c || text.charCodeAt(i + 1) !== 0x3f) return false;
  if (text.slice(i + 2, i + 5).toLowerCase() !== 'xml') return false;
  const c = text.charCodeAt(i + 5);
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3f;
}

/** Why an XML declaration (or a PI named xml) anywhere but at the very start is refused. */
export const MISPLACED_DECLARATION =
  'an XML declaration (<?xml …?>) is allowed only at the very start of the document, with nothing before it, not even whitespace';

// XMLDecl: version, then optional encoding and standalone, in that order (XML 1.0 §2.8).
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>$/;
// A PI target is a Name (non-ASCII name characters taken broadly), then whitespace or the end.
const PI_TARGET = /^<\?[A-Za-z_:\u00C0-\uD7FF\uF900-\uFFFD][\w.:\u00B7\u00C0-\uD7FF\uF900-\uFFFD-]*(?:[ \t\r\n]|\?>$)/;

/** Why the encoding an XML declaration names is refused (CEB messages are UTF-8), or undefined. */
function encodingProblem(declaration: string): string | undefined {
  const encoding = /encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']+)/.exec(declaration)?.[1];
  return encoding === undefined || /^utf-?8$/i.test(encoding)
    ? undefined
    : `the XML declares encoding ${encoding}; CEB messages are UTF-8 (convert the file first)`;
}

/**
 * Why a whole comment (`<!--…-->`) or processing instruction (`<?…?>`) is not well-formed, or
 * undefined: `--` inside a comment; a PI whose target is not a name; an XML declaration that is not
 * at the very start (`atStart`) or does not follow the XMLDecl grammar. One rule for every reader.
 */
export function markupProblem(markup: string, atStart: boolean): string | undefined {
  if (markup.startsWith('<!--')) {
    const inner = markup.slice(4, -3);
    return inner.includes('--') || inner.endsWith('-') ? "'--' inside a comment" : undefined;
  }
  if (!markup.startsWith('<?')) return undefined;
  if (isXmlDeclarationAt(markup, 0)) {
    if (!atStart || markup.charCodeAt(2) !== 0x78 /* lower-case x: the target `xml` is reserved */)
      return MISPLACED_DECLARATION;
    if (!XML_DECLARATION.test(markup))
      return 'the XML declaration is malformed (it is <?xml version="1.0" encoding="UTF-8"?>, standalone optional)';
    return encodingProblem(markup);
  }
  return PI_TARGET.test(markup) ? undefined : 'a processing instruction whose target is not an XML name';
}

/**
 * The rule for the start of a document, on the text after its one byte-order mark (if any): a
 * second byte-order mark is refused, and `<?xml` only at offset 0. (Declarations further on are
 * refused by each reader's tokenizer with {@link MISPLACED_DECLARATION}.)
 */
export function leadingProblem(text: string): XmlProblem | undefined {
  if (text.charCodeAt(0) === 0xfeff)
    return { index: 0, why: 'a second byte-order mark (U+FEFF) follows the first; a document has at most one' };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  if (i > 0 && isXmlDeclarationAt(text, i)) return { index: i, why: MISPLACED_DECLARATION };
  return undefined;
}

/**
 * Throws `code` (the reader's malformed code) for a forbidden character or a bad start
 * ({@link forbiddenCharacter}, {@link leadingProblem}); `text` is after its one byte-order mark.
 */
export function checkXmlCharacters(text: string, fail: (problem: XmlProblem) => never): void {
  const p = leadingProblem(text) ?? forbiddenCharacter(text);
  if (p) fail(p);
}

/** Line and column (1-based) of an offset. */
export function lineColumn(text: string, index: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, col: index - last };
}

/**
 * The size of an input in UTF-8 bytes, checked against a limit: SandanError XML_TOO_LARGE above it.
 * A string's length is a lower bound of its UTF-8 size; it is counted exactly only when that could matter.
 */
export function checkXmlSize(input: string | Uint8Array, maxBytes: number = DEFAULT_MAX_XML_BYTES): void {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  const bytes = typeof input === 'string' && size * 3 > maxBytes ? Buffer.byteLength(input, 'utf8') : size;
  if (bytes > maxBytes)
    throw new SandanError('XML_TOO_LARGE', `The XML input has ${bytes} bytes, more than the limit of ${maxBytes}`, {
      details: { bytes, maxBytes },
    });
}

// ignoreBOM: the byte-order mark stays in the text, so that exactly one is dropped (a second one is refused).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A DOCTYPE is where entities and external references are declared; CEB never uses one.
const UNSAFE = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;

/**
 * Turns raw input into text that is safe to hand to the parser: within the size limit, UTF-8,
 * at most one byte-order mark and the XML declaration only at the very start, no character XML
 * forbids (nor a reference to one), and free of DTD constructs (no XXE, no entity expansion).
 * Throws SandanError otherwise (XML_TOO_LARGE, XML_MALFORMED, XML_UNSAFE).
 */
export function safeXmlText(input: string | Uint8Array, maxBytes: number = DEFAULT_MAX_XML_BYTES): string {
  checkXmlSize(input, maxBytes);
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = decoder.decode(input);
    } catch (e) {
      throw new SandanError('XML_MALFORMED', 'The XML input is not valid UTF-8; CEB messages are UTF-8', { cause: e });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  checkXmlCharacters(text, (p) => {
    const { line, col } = lineColumn(text, p.index);
    throw new SandanError('XML_MALFORMED', `The XML is not well-formed (line ${line}, column ${col}): ${p.why}`, {
      details: { line, col },
    });
  });
  // Before the DTD check, so that a file in another encoding is told so first.
  const encoding = text.startsWith('<?xml') ? encodingProblem(text.slice(0, text.indexOf('>') + 1)) : undefined;
  if (encoding) throw new SandanError('XML_MALFORMED', `The XML ${encoding.slice('the XML '.length)}`);
  const unsafe = UNSAFE.exec(text);
  if (unsafe) {
    throw new SandanError(
      'XML_UNSAFE',
      `The XML contains a <!${unsafe[1]!.toUpperCase()} declaration; DTDs, entity declarations and external references are refused (CEB messages never use them)`,
    );
  }
  return text;
}

/** The prefix of a namespace-well-formed qualified name ('' for none); `undefined` when it is not one (two colons, one first or last). */
function qnamePrefix(qname: string): string | undefined {
  const k = qname.indexOf(':');
  if (k === -1) return '';
  if (k === 0 || k === qname.length - 1 || qname.indexOf(':', k + 1) !== -1) return undefined;
  return qname.slice(0, k);
}

/**
 * The namespace rules of a start tag, in every reader's words: qualified names, each attribute
 * once, no prefix undeclared (`xmlns:p=""`), and the prefixes of the element and its attributes
 * declared (by the tag itself, `declares`, or in scope, `inScope`; `xml` always is).
 * @param attrs the attributes as [name, value as written]
 */
export function namespaceProblem(
  qname: string,
  attrs: ReadonlyArray<readonly [string, string]>,
  inScope: (prefix: string) => boolean,
): string | undefined {
  const declares: string[] = [];
  for (let i = 0; i < attrs.length; i++) {
    const [an, v] = attrs[i]!;
    for (let j = 0; j < i; j++) if (attrs[j]![0] === an) return `<${qname}> has the attribute ${an} twice`;
    if (an.startsWith('xmlns:')) {
      if (v === '') return `the namespace prefix ${an.slice(6)} cannot be undeclared`;
      declares.push(an.slice(6));
    }
  }
  const known = (p: string) => p === '' || p === 'xml' || declares.includes(p) || inScope(p);
  const prefix = qnamePrefix(qname);
  if (prefix === undefined || prefix === 'xmlns') return `<${qname}> is not a valid qualified name`;
  if (!known(prefix)) return `the namespace prefix "${prefix}" of <${qname}> is not declared`;
  for (const [an] of attrs) {
    const ap = qnamePrefix(an);
    if (ap === undefined) return `the attribute ${an} of <${qname}> is not a valid qualified name`;
    if (ap !== 'xmlns' && !known(ap)) return `the namespace prefix "${ap}" of the attribute ${an} is not declared`;
  }
  return undefined;
}

/** The prefixes a start tag declares (`xmlns:p`). */
export function declaredPrefixes(attrs: ReadonlyArray<readonly [string, string]>): string[] | undefined {
  let out: string[] | undefined;
  for (const [an] of attrs) if (an.startsWith('xmlns:')) (out ??= []).push(an.slice(6));
  return out;
}
