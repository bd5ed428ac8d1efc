import { SandanError } from '../errors.js';

/** Default input limit of the parsers: generous for a batch of 100 documents, fatal for a bomb. */
export const DEFAULT_MAX_XML_BYTES = 50 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });
// A DOCTYPE is where entities and external references are declared; CEB never uses one.
const UNSAFE = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i;
const DECLARED_ENCODING = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/;

/**
 * Turns raw input into text that is safe to hand to the parser: within the size limit, UTF-8,
 * and free of DTD constructs (no XXE, no entity expansion). Throws SandanError otherwise.
 */
export function safeXmlText(input: string | Uint8Array, maxBytes: number = DEFAULT_MAX_XML_BYTES): string {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  // A string's length is a lower bound of its UTF-8 size; count exactly only when it could matter.
  const bytes = typeof input === 'string' && size * 3 > maxBytes ? Buffer.byteLength(input, 'utf8') : size;
  if (bytes > maxBytes)
    throw new SandanError('XML_TOO_LARGE', `The XML input has ${bytes} bytes, more than the limit of ${maxBytes}`, {
      details: { bytes, maxBytes },
    });
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
  const enc = DECLARED_ENCODING.exec(text)?.[1];
  if (enc !== undefined && !/^utf-?8$/i.test(enc)) {
    throw new SandanError(
      'XML_MALFORMED',
      `The XML declares encoding ${enc}; CEB messages are UTF-8 (convert the file first)`,
    );
  }
  const unsafe = UNSAFE.exec(text);
  if (unsafe) {
    throw new SandanError(
      'XML_UNSAFE',
      `The XML contains a <!${unsafe[1]!.toUpperCase()} declaration; DTDs, entity declarations and external references are refused (CEB messages never use them)`,
    );
  }
  return text;
}
