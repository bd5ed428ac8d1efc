import { SandanError } from '../errors.js';
import { XmlTokenizer } from './core/tokenizer.js';
import { checkXmlText, xmlLimit } from './safety.js';
import { DXP_NS } from './content-model.js';
import { EXPORT_RECEIVER_ID, IMPORT_RECEIVER_ID, MESSAGE_NAMES } from './messages.js';
import { PARSE_XML_OPTION_NAMES, parseCebXml, type DxpEnvelope, type ParseXmlOptions } from './parse.js';
import { serializeXml, type XNode } from './serialize.js';
import { beijingXsDateTime } from '../time/beijing.js';
import { describeInput, ownValue } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';

/** Options of {@link wrapDxp}. */
export interface WrapDxpOptions {
  /** The sender's DXP id (an..16), e.g. `DXPENT0000012345`. */
  senderId: string;
  /** Receivers (1 to 5); default the customs node of the message's direction (import `DXPEDCCEB0000002`, export `DXPEDCCEB0000003`). */
  receiverIds?: readonly string[];
  /** The sender's unique message id (an..255); default a new id. */
  copMsgId?: string;
  /** Default: the root element of the message, e.g. `CEB621Message`. */
  msgType?: string;
  /** CreatTime source, written in Beijing time. */
  now(): Date;
  /** Used for copMsgId when none is given. */
  newId(): string;
}

// (any other key is misuse: a misspelt receiverIds sent the message to the default customs node)
const WRAP_DXP_OPTION_NAMES = optionNames<WrapDxpOptions>({
  senderId: true,
  receiverIds: true,
  copMsgId: true,
  msgType: true,
  now: true,
  newId: true,
});

/**
 * The local name of the root element, read past a BOM, the declaration, comments and PIs; undefined if not XML. Written
 * to the tokenizer a tag at a time (to each next `>`), so that what follows the root's start tag is not read: the
 * tokenizer checks the characters of all it is given, and a character XML forbids in a value made the whole text "no
 * XML" (every receipt the emulator wraps was scanned whole, too).
 */
export function rootLocalName(xml: string): string | undefined {
  try {
    const t = new XmlTokenizer();
    for (let at = 0; ; ) {
      if (at < xml.length) {
        const end = xml.indexOf('>', at);
        const to = end === -1 ? xml.length : end + 1;
        t.write(xml.slice(at, to));
        at = to;
      } else t.close();
      for (let k = t.next(); k !== 'more'; k = t.next()) {
        if (k === 'start') return t.local;
        if (k === 'eof') return undefined;
      }
    }
  } catch {
    // Not XML before the root: the caller names msgType.
  }
  return undefined;
}

/**
 * Where the text of a DxpMsg's Data is in `xml`, [from, to) in UTF-16 units: the one Data child of the root, holding
 * text only (no comment, CDATA or element); undefined otherwise. Read by the one tokenizer, so that a prefix, quoted
 * attributes and a `<Data>` inside a comment are what they are; for putting a signed message back in its place.
 */
export function dataTextSpan(xml: string): [number, number] | undefined {
  const t = new XmlTokenizer(xml);
  let span: [number, number] | undefined;
  for (let k = t.next(); k !== 'eof'; k = t.next()) {
    if (k !== 'start' || t.depth !== 2 || t.local !== 'Data' || t.ns !== DXP_NS) continue;
    if (span || xml[t.end - 2] === '/') return undefined;
    const from = t.end;
    let to = from;
    for (k = t.next(); k === 'text'; k = t.next()) to = t.end;
    if (k !== 'end') return undefined;
    span = [from, to];
  }
  return span;
}

/**
 * Wraps a (signed) CEB message into a terminal-node DxpMsg: TransInfo with CopMsgId, SenderId,
 * ReceiverIds, CreatTime (Beijing time) and MsgType, and the message's UTF-8 bytes in Base64 as Data.
 */
export function wrapDxp(messageXml: string, options: WrapDxpOptions): string {
  xmlLimit('wrapDxp', messageXml, undefined, false); // (only that it is text: the size is the receiver's to bound)
  const { now, newId, copMsgId: givenId } = knownOptions(options, 'wrapDxp', WRAP_DXP_OPTION_NAMES);
  if (typeof now !== 'function' || (givenId === undefined && typeof newId !== 'function'))
    throw new SandanError('INVALID_OPTION', 'wrapDxp needs the functions now and newId (or a copMsgId) in its options');
  const msgType = options.msgType ?? rootLocalName(messageXml);
  if (!msgType)
    throw new SandanError('INVALID_OPTION', 'Cannot tell the message type of the XML to wrap; pass msgType');
  checkXmlText('msgType', msgType, 30);
  checkXmlText('senderId', options.senderId, 16);
  const schema = ownValue(MESSAGE_NAMES, msgType)?.schema;
  const receiverIds =
    options.receiverIds ??
    (schema === 'export' ? [EXPORT_RECEIVER_ID] : schema === 'import' ? [IMPORT_RECEIVER_ID] : []);
  if (!Array.isArray(receiverIds))
    throw new SandanError('INVALID_OPTION', `receiverIds must be a list of ids, got ${describeInput(receiverIds)}`);
  if (receiverIds.length < 1 || receiverIds.length > 5)
    throw new SandanError(
      'INVALID_OPTION',
      `A DxpMsg has 1 to 5 receivers, got ${receiverIds.length}; pass receiverIds for ${msgType}`,
    );
  for (const id of receiverIds) checkXmlText('receiverId', id, 16);
  const copMsgId = options.copMsgId ?? options.newId();
  checkXmlText('copMsgId', copMsgId, 255);
  const root: XNode = {
    name: 'DxpMsg',
    attrs: [
      ['ver', '1.0'],
      ['xmlns', DXP_NS],
    ],
    children: [
      {
        name: 'TransInfo',
        children: [
          { name: 'CopMsgId', text: copMsgId },
          { name: 'SenderId', text: options.senderId },
          { name: 'ReceiverIds', children: receiverIds.map((id) => ({ name: 'ReceiverId', text: id })) },
          { name: 'CreatTime', text: beijingXsDateTime(options.now()) },
          { name: 'MsgType', text: msgType },
        ],
      },
      { name: 'Data', text: Buffer.from(messageXml, 'utf8').toString('base64') },
    ],
  };
  return serializeXml(root);
}

/**
 * Reads a DxpMsg and the CEB message in its Data. Throws like {@link parseCebXml}, and
 * INVALID_OPTION when the XML is a CEB message rather than a DxpMsg. Its limits are the parser's:
 * `options.maxBytes` (default 50 MB, XML_TOO_LARGE) for the DxpMsg (the message in Data is
 * smaller still), nesting at most 64 deep, only XML 1.0 characters, one byte-order mark, the XML
 * declaration only at the start, namespace prefixes declared (XML_MALFORMED otherwise); a message
 * in Data that breaks them is an `xml-payload` issue.
 */
export function unwrapDxp(xml: string | Uint8Array, options?: ParseXmlOptions): DxpEnvelope {
  xmlLimit('unwrapDxp', xml, knownOptions(options, 'unwrapDxp', PARSE_XML_OPTION_NAMES).maxBytes, true);
  const parsed = parseCebXml(xml, options);
  if (parsed.kind !== 'dxp') throw new SandanError('INVALID_OPTION', `Expected a DxpMsg, got ${parsed.root}`);
  return parsed;
}
