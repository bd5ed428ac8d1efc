// What `sandan parse` and `status` read an XML file as; apart from input.ts, which validate and tax load too (they
// need no XML reader at start-up).
import { isSandanError } from '../errors.js';
import { parseCebXml, parseDxpRep, type DxpResponse, type ParsedXml, type ParseXmlOptions } from '../xml/index.js';

/**
 * A CEB message or DxpMsg ({@link parseCebXml}), or the exchange's response to a DxpMsg (a DxpRep: an inbox holds them
 * beside the receipts) read by {@link parseDxpRep}. parseCebXml refuses a DxpRep's root only once it has read the whole
 * text (one that is not well-formed is refused as such), and only then is it read again as one: any other message is
 * read once.
 */
export function parseCebOrDxpRep(input: string | Uint8Array, options?: ParseXmlOptions): ParsedXml | DxpResponse {
  try {
    return parseCebXml(input, options);
  } catch (e) {
    // (the refusal names the reader of a DxpRep in the DXP namespace: one test, parseCebXml's)
    if (!isSandanError(e) || e.code !== 'XML_UNKNOWN_ROOT' || e.details?.readBy !== 'parseDxpRep') throw e;
  }
  return parseDxpRep(input, options?.maxBytes === undefined ? undefined : { maxBytes: options.maxBytes });
}
