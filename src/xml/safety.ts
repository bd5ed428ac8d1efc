import { SandanError } from '../errors.js';
import { describeNotUtf8, notUtf8 } from '../model/utf8.js';
import { describeInput } from '../model/guards.js';

/** Default input limit of the parsers: generous for a batch of 100 documents, fatal for a bomb. */
export const DEFAULT_MAX_XML_BYTES = 50 * 1024 * 1024;

/**
 * The deepest element nesting any sandan reader accepts (the root is level 1). The deepest CEB
 * message is about 6 levels (message, document, head or list, field), a DxpMsg with a signature
 * about 10 (DxpMsg, Signature, SignedInfo, Reference, Transforms, Transform); 64 leaves room for
 * extensions and still keeps a hostile `<a><a><a>…` from reaching any recursive walk.
 */
export const MAX_XML_DEPTH = 64;

/**
 * The longest element, attribute or prefix name any sandan reader accepts. CEB and DxpMsg names are a few dozen
 * characters; an issue quotes a name in its path and in both messages, so a 45 MB name was some 135 MB of report
 * and over a gigabyte of memory.
 */
export const MAX_XML_NAME = 1000;

/** Why a longer name is refused. */
export const TOO_LONG_NAME = `a name of more than ${MAX_XML_NAME} characters (CEB names are a few dozen)`;

/** Where and why a text is not XML (each reader words its own error around it). */
interface XmlProblem {
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

/**
 * The most issues a reader lists for one message; the rest are counted in a note (`issues-omitted`). A message that
 * breaks the XSD in a million places is refused by its first issues already, and its issues would otherwise take
 * more memory than its text (some 500 bytes each).
 */
export const MAX_XML_ISSUES = 1000;

/** Why nesting deeper than {@link MAX_XML_DEPTH} is refused, in every reader's words. */
export const TOO_DEEP = `elements nested more than ${MAX_XML_DEPTH} levels deep (CEB messages are a few levels deep)`;

/** A code point as Unicode writes it: `U+0001`. */
export const codePointName = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

// Outside Char in the BMP, and every surrogate (a pair is fine, a lone one is not): one pass finds both.
// (A u-flag regex would see pairs itself, but is 7 times slower.)
const SUSPECT = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/g;

/**
 * Refuses (SandanError INVALID_OPTION naming `what`) a value written into XML as given that is no text of 1 to `max`
 * characters or holds a character XML cannot carry: a U+0000 in a DXP id made an envelope no reader takes.
 */
export function checkXmlText(what: string, v: unknown, max: number): asserts v is string {
  if (typeof v !== 'string' || v.length < 1 || v.length > max)
    throw new SandanError('INVALID_OPTION', `${what} must have 1 to ${max} characters, got ${describeInput(v)}`);
  const problem = forbiddenCharacter(v);
  if (problem) throw new SandanError('INVALID_OPTION', `${what}: ${problem.why}`);
}

/**
 * The first character XML 1.0 forbids (C0 controls but tab, CR, LF; U+FFFE, U+FFFF; a lone
 * surrogate) anywhere in the text: in text, attribute values, comments, PIs and names alike.
 * Linear; `undefined` when there is none. References to such characters (`&#0;`) are the
 * tokenizer's to refuse (not in comments or CDATA, where they are no references).
 */
export function forbiddenCharacter(text: string): XmlProblem | undefined {
  SUSPECT.lastIndex = 0;
  for (let m = SUSPECT.exec(text); m; m = SUSPECT.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        SUSPECT.lastIndex = i + 2;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff)
      return {
        index: i,
        why: `a lone surrogate ${codePointName(c)} is not a character (the text is not proper Unicode)`,
      };
    return { index: i, why: `character ${codePointName(c)} is not allowed in XML` };
  }
  return undefined;
}

/** A processing instruction `<?xml …?>` or `<?XML …?>` (the target is reserved), at `i`. */
function isXmlDeclarationAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 0x3c || text.charCodeAt(i + 1) !== 0x3f) return false;
  if (text.slice(i + 2, i + 5).toLowerCase() !== 'xml') return false;
  const c = text.charCodeAt(i + 5);
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x3f;
}

/** Why an XML declaration (or a PI named xml) anywhere but at the very start is refused. */
const MISPLACED_DECLARATION =
  'an XML declaration (<?xml …?>) is allowed only at the very start of the document, with nothing before it, not even whitespace';

// XMLDecl: version, then optional encoding and standalone, in that order (XML 1.0 §2.8).
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>$/;
// A PI target is a Name (non-ASCII name characters taken broadly), then whitespace or the end.
const PI_TARGET = /^<\?[A-Za-z_:\u00C0-\uD7FF\uF900-\uFFFD][\w.:\u00B7\u00C0-\uD7FF\uF900-\uFFFD-]*(?:[ \t\r\n]|\?>$)/;

/**
 * The Chinese national encodings an XML declaration may name: older E-Port client software wrote receipts and bills
 * in them. GB18030 is a superset of GBK, itself of GB2312, so one GB18030 decoder reads all three.
 */
const GB_ENCODING = /^(?:gb2312|gbk|gb18030)$/i;

/**
 * Why the encoding an XML declaration names is refused, or undefined: CEB messages are UTF-8, and a GB2312, GBK or
 * GB18030 file is read by decoding it first ({@link decodeXmlBytes}); a string is already text, whatever it declares.
 */
function encodingProblem(declaration: string): string | undefined {
  const encoding = /encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']+)/.exec(declaration)?.[1];
  return encoding === undefined || /^utf-?8$/i.test(encoding) || GB_ENCODING.test(encoding)
    ? undefined
    : `the XML declares encoding ${encoding}; CEB messages are UTF-8 (convert the file first; GB2312, GBK and GB18030 are read too)`;
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
 * The XML argument and `maxBytes` option of an entry point, checked for misuse (INVALID_OPTION naming `fn`): the XML
 * a string, or bytes (a Uint8Array) where `fn` reads bytes; `maxBytes` a positive whole number. Returns the limit.
 */
export function xmlLimit(fn: string, input: unknown, maxBytes: unknown, bytes: boolean): number {
  if (typeof input !== 'string' && !(bytes && input instanceof Uint8Array))
    throw new SandanError(
      'INVALID_OPTION',
      // A file read without an encoding is a Buffer: "got object" did not say that, nor what to do.
      input instanceof Uint8Array
        ? `${fn} takes the XML as a string, got bytes (a Buffer or Uint8Array): read the file as text (readFile(path, 'utf8')) or decode them as UTF-8`
        : `${fn} takes the XML as ${bytes ? 'a string or bytes (a Uint8Array)' : 'a string'}, got ${describeInput(input)}`,
    );
  if (maxBytes === undefined) return DEFAULT_MAX_XML_BYTES;
  if (typeof maxBytes === 'number' && Number.isSafeInteger(maxBytes) && maxBytes > 0) return maxBytes;
  throw new SandanError(
    'INVALID_OPTION',
    `${fn}: maxBytes must be a positive whole number of bytes, got ${describeInput(maxBytes)}`,
  );
}

/**
 * The size of an input in UTF-8 bytes, checked against a limit: SandanError XML_TOO_LARGE above it.
 * A string's length is a lower bound of its UTF-8 size; it is counted exactly only when that could matter.
 */
export function checkXmlSize(input: string | Uint8Array, maxBytes: number = DEFAULT_MAX_XML_BYTES): void {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  const bytes = typeof input === 'string' && size * 3 > maxBytes ? Buffer.byteLength(input, 'utf8') : size;
  if (bytes > maxBytes) throw xmlTooLarge(maxBytes, bytes);
}

/**
 * The XML_TOO_LARGE error: with the input's size when it is known, else (a stream read no further
 * than the limit) only that it is larger.
 */
export function xmlTooLarge(maxBytes: number, bytes?: number): SandanError {
  return bytes === undefined
    ? new SandanError('XML_TOO_LARGE', `The XML input has more than ${maxBytes} bytes, the limit`, {
        details: { maxBytes },
      })
    : new SandanError('XML_TOO_LARGE', `The XML input has ${bytes} bytes, more than the limit of ${maxBytes}`, {
        details: { bytes, maxBytes },
      });
}

// Every character outside XML 1.0's Char, a lone surrogate included (the u flag keeps a pair whole).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * `text` with each character XML 1.0 forbids replaced by `replacement` (U+FFFD; '' drops it): text any XML writer
 * can carry, for what sandan repeats of input it did not check (a refused message, a report's messages).
 */
export function xmlCharsOnly(text: string, replacement = '\uFFFD'): string {
  return text.replace(NOT_XML_CHAR, replacement);
}

// ignoreBOM: the byte-order mark stays in the text, for the tokenizer to drop exactly one (a second is refused).
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const gb18030 = new TextDecoder('gb18030', { fatal: true });

// `<?xml … encoding="…"` in ASCII at the very start (no byte-order mark: one says UTF-8), as GB encodings write it.
const DECLARED_ENCODING = /^<\?xml[ \t\r\n][^?>]*?encoding[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z][A-Za-z0-9._-]*)["']/;

/**
 * The encoding XML bytes are read in, from their first bytes (the declaration, within the first 200): `gb18030`
 * when the declaration names GB2312, GBK or GB18030, else `utf-8` (any other name is refused by the tokenizer).
 */
export function xmlBytesEncoding(head: Uint8Array | string): 'utf-8' | 'gb18030' {
  return gbDeclared(head) === undefined ? 'utf-8' : 'gb18030';
}

/** The GB encoding (GB2312, GBK, GB18030, as written) the declaration at the start of `head` names, or undefined. */
export function gbDeclared(head: Uint8Array | string): string | undefined {
  const start = typeof head === 'string' ? head.slice(0, 200) : String.fromCharCode(...head.subarray(0, 200));
  const name = DECLARED_ENCODING.exec(start)?.[1];
  return name !== undefined && GB_ENCODING.test(name) ? name : undefined;
}

/**
 * A fresh strict decoder for XML bytes whose first bytes are `head` (see {@link xmlBytesEncoding}), for a reader that
 * decodes a stream: invalid bytes throw, never becoming U+FFFD.
 */
export function xmlBytesDecoder(head: Uint8Array) {
  return xmlBytesEncoding(head) === 'gb18030'
    ? new TextDecoder('gb18030', { fatal: true })
    : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
}

/**
 * The text of XML bytes: UTF-8 (a byte-order mark kept), or GB18030 when the declaration names GB2312, GBK or
 * GB18030. Bytes not valid in that encoding are XML_MALFORMED (see {@link notUtf8Error}, {@link notGb18030Error}).
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  if (xmlBytesEncoding(bytes) === 'gb18030') {
    try {
      return gb18030.decode(bytes);
    } catch (e) {
      throw notGb18030Error(bytes, e);
    }
  }
  try {
    return decoder.decode(bytes);
  } catch (e) {
    throw notUtf8Error(bytes, e);
  }
}

/**
 * XML_MALFORMED for bytes declared GB2312/GBK/GB18030 that are not valid GB18030, saying where: the byte at which
 * decoding fails, found by halving (a prefix holding a bad sequence fails, a shorter one may not). `before`: the
 * bytes of the file before these (a chunk of it), added to the offset.
 */
export function notGb18030Error(bytes: Uint8Array, cause: unknown, before = 0): SandanError {
  const fails = (n: number) => {
    try {
      new TextDecoder('gb18030', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  // The smallest prefix that fails ends at the bad byte; when none does, the bytes end inside a character.
  let lo = 1;
  let hi = bytes.length;
  if (!fails(hi)) lo = hi + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  const cut = lo > bytes.length;
  const offset = before + (cut ? bytes.length : lo - 1);
  const where = cut
    ? 'it ends inside a character'
    : `byte 0x${bytes[lo - 1]!.toString(16).toUpperCase().padStart(2, '0')} at byte offset ${offset}`;
  return new SandanError(
    'XML_MALFORMED',
    `The XML input declares a GB encoding (GB2312, GBK or GB18030) but is not valid GB18030 (${where})`,
    { cause, details: { offset, encoding: 'GB18030' } },
  );
}

/**
 * Turns raw input into the text the tokenizer reads: within the size limit, and UTF-8 (a
 * byte-order mark kept) or, as its declaration says, GB2312/GBK/GB18030 (decoded as GB18030).
 * Everything else XML asks (characters, the declaration and its encoding, no DTD, namespaces,
 * depth) is the tokenizer's (src/xml/core/tokenizer.ts), in one place.
 * Throws SandanError XML_TOO_LARGE or XML_MALFORMED.
 */
export function safeXmlText(input: string | Uint8Array, maxBytes: number = DEFAULT_MAX_XML_BYTES): string {
  checkXmlSize(input, xmlLimit('safeXmlText', input, maxBytes, true));
  if (typeof input === 'string') return input;
  return decodeXmlBytes(input);
}

/**
 * XML_MALFORMED for bytes that are not UTF-8, saying where and what they look like. `before`: the
 * bytes of the file before these (a chunk of it), which then is located by byte offset.
 */
export function notUtf8Error(bytes: Uint8Array, cause: unknown, before?: number): SandanError {
  const at = notUtf8(bytes);
  const offset = at && (before ?? 0) + at.offset;
  const where = at ? ` (${describeNotUtf8(at, before === undefined ? undefined : offset).en})` : '';
  return new SandanError('XML_MALFORMED', `The XML input is not valid UTF-8${where}; CEB messages are UTF-8`, {
    cause,
    ...(at && { details: { offset, ...(before === undefined && { line: at.line, col: at.column }) } }),
  });
}
