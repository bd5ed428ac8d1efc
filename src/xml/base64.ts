/**
 * xs:base64Binary (XML Schema 1.1 Part 2, 3.3.16): the text without XML white space (the type
 * collapses it, and its grammar allows a space between any two characters) is groups of four of
 * the alphabet, the last one padded with one or two '=', and the bits the padding leaves over are
 * zero (`QQ==`, not `QR==`, which decodes to the same byte): libxml2 and Xerces refuse such a value.
 * Characters outside the alphabet are refused (libxml2 alone skips them). Empty is a valid value.
 */
const XML_SPACE = /[ \t\n\r]/g;

/** The base64 alphabet (A–Z, a–z, 0–9, '+', '/') by character code. */
const ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[c.charCodeAt(0)] = 1;
/** The last character before '==' (resp. '=') whose bits under the padding are zero. */
const ZERO_BITS_BEFORE_2 = 'AQgw';
const ZERO_BITS_BEFORE_1 = 'AEIMQUYcgkosw048';

/**
 * Whether `t` (no white space) is groups of four of the alphabet, the last one padded with one or two '=', with zero
 * bits under the padding unless `anyBits`. A loop, not a regular expression: a pattern of repeated groups overflows
 * the stack on a few megabytes of base64 (a large DxpMsg Data), which must be read as the rest is.
 */
function isBase64(t: string, anyBits: boolean): boolean {
  const n = t.length;
  if (n % 4 !== 0) return false;
  const pad = n > 0 && t.charCodeAt(n - 1) === 0x3d ? (t.charCodeAt(n - 2) === 0x3d ? 2 : 1) : 0;
  for (let i = 0; i < n - pad; i++) {
    const c = t.charCodeAt(i);
    if (c >= 128 || ALPHABET[c] === 0) return false;
  }
  if (pad === 0 || anyBits) return true;
  return (pad === 2 ? ZERO_BITS_BEFORE_2 : ZERO_BITS_BEFORE_1).includes(t[n - pad - 1]!);
}

/**
 * The value's base64 text without its white space, or undefined when it is not an xs:base64Binary value.
 * `paddingBits: 'any'` also takes bits under the padding that are not zero.
 */
export function xsdBase64(text: string, paddingBits: 'zero' | 'any' = 'zero'): string | undefined {
  const anyBits = paddingBits === 'any';
  // One line (the usual case) is checked as it is; only a wrapped value is copied without its white space.
  if (isBase64(text, anyBits)) return text;
  const t = text.replace(XML_SPACE, '');
  return t !== text && isBase64(t, anyBits) ? t : undefined;
}

/**
 * The bytes of an xs:base64Binary value, or undefined when it is not one (as {@link xsdBase64}). A value on one line,
 * as most are, is decoded and checked in native code: re-encoded, the bytes give back exactly the text only when it is
 * groups of four of the alphabet with '=' padding and zero bits under it. Any other text (wrapped, other characters,
 * the URL-safe alphabet Node's decoder also takes, bits under the padding) is read by xsdBase64.
 */
export function xsdBase64Bytes(text: string, paddingBits: 'zero' | 'any' = 'zero'): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') === text) return bytes;
  const t = xsdBase64(text, paddingBits);
  return t === undefined ? undefined : Buffer.from(t, 'base64');
}
