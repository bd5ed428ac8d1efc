/**
 * xs:base64Binary (XML Schema 1.1 Part 2, 3.3.16): the text without XML white space (the type
 * collapses it, and its grammar allows a space between any two characters) is groups of four of
 * the alphabet, the last one padded with one or two '=', and the bits the padding leaves over are
 * zero (`QQ==`, not `QR==`, which decodes to the same byte): libxml2 and Xerces refuse such a value.
 * Characters outside the alphabet are refused (libxml2 alone skips them). Empty is a valid value.
 */
const XSD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;
/** The same with any bits under the padding, as Java's decoder reads the 179 upload's signValue. */
const ANY_PADDING_BITS = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const XML_SPACE = /[ \t\n\r]/g;

/**
 * The value's base64 text without its white space, or undefined when it is not an xs:base64Binary value.
 * `paddingBits: 'any'` also takes bits under the padding that are not zero.
 */
export function xsdBase64(text: string, paddingBits: 'zero' | 'any' = 'zero'): string | undefined {
  const grammar = paddingBits === 'zero' ? XSD_BASE64 : ANY_PADDING_BITS;
  // One line (the usual case) is checked as it is; only a wrapped value is copied without its white space.
  if (grammar.test(text)) return text;
  const t = text.replace(XML_SPACE, '');
  return t !== text && grammar.test(t) ? t : undefined;
}
