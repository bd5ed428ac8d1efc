import { SandanError } from '../errors.js';
import { dataTextSpan, rootLocalName, unwrapDxp } from '../xml/dxp.js';

// What is signed in a DxpMsg: the CEB message in its Data, whose signature customs checks (and verifyMessage verifies);
// signMessage and `sandan sign` both go through envelopeToSign, so the library and the command sign the same thing.
/**
 * The CEB message in the Data of a DxpMsg (alone or in a DxpMsgSv), as UTF-8 text; or, when Data holds none that can
 * be read, why (`unread`, the parser's words); undefined when the XML is no envelope, or is over `maxBytes` (default
 * 50 MB; the caller's limit, so that the envelope is read within it and one over it is refused as the caller refuses it).
 */
export function messageInDxp(
  xml: string,
  maxBytes?: number,
):
  | { xml: string; root: string; envelope: 'DxpMsg' | 'DxpMsgSv'; signed: boolean; unread?: undefined }
  | { xml?: undefined; envelope: 'DxpMsg' | 'DxpMsgSv'; signed: boolean; unread: string }
  | undefined {
  // The parser reads a root named DxpMsg or DxpMsgSv as an envelope and no other: decided from the root's start tag,
  // so that a CEB message is parsed once by its caller, not first as a would-be envelope (a 14 MB inventory list, or
  // one whose text merely says "DxpMsg").
  const root = rootLocalName(xml);
  if (root !== 'DxpMsg' && root !== 'DxpMsgSv') return undefined;
  try {
    const env = unwrapDxp(xml, maxBytes === undefined ? undefined : { maxBytes });
    const envelope = env.transfer ? 'DxpMsgSv' : 'DxpMsg';
    if (env.payload === undefined) {
      const data = env.issues.filter((i) => i.severity === 'error' && /(?:^|\.)Data$/.test(i.path));
      return {
        envelope,
        signed: env.signature !== undefined,
        unread: data.length ? data.map((i) => i.message.en).join('; ') : 'it cannot be read',
      };
    }
    const root = env.message?.root ?? (env.transInfo.msgType || 'message');
    return { xml: env.payload, root, envelope, signed: env.signature !== undefined };
  } catch (e) {
    // Not an envelope (INVALID_OPTION), or one the parser refuses: the verdict on the file stands.
    if (e instanceof SandanError) return undefined;
    throw e;
  }
}

/**
 * For a DxpMsg: the CEB message in its Data, and how to put the signed message back (the envelope otherwise as it
 * was). Undefined for a document that is no envelope. An envelope whose own signature covers Data, a transfer node's
 * DxpMsgSv, or a Data that holds no message is a usage error: signing it would not give what customs checks.
 */
export function envelopeToSign(
  xml: string,
  name = 'The document',
): { message: string; root: string; rewrap(signed: string): string } | undefined {
  const dxp = messageInDxp(xml);
  if (!dxp) return undefined;
  const refuse = (why: string) =>
    new SandanError('INVALID_OPTION', `${name} is a ${dxp.envelope}; ${why}`, { details: { envelope: dxp.envelope } });
  if (dxp.envelope === 'DxpMsgSv')
    throw refuse(
      "a transfer node's envelope is not signed by an enterprise: sign the CEB message before it is wrapped",
    );
  if (dxp.xml === undefined) throw refuse(`its Data holds no message to sign: ${dxp.unread}`);
  if (dxp.signed)
    throw refuse(
      'it has a ds:Signature of its own over its Data: sign the CEB message, then wrap it (wrapDxp, or sandan build --dxp then sandan sign)',
    );
  const range = dataTextSpan(xml);
  if (!range)
    throw refuse(
      'its Data is not one element of base64 text (a comment or CDATA in it): sign the message before wrapping it',
    );
  const [from, to] = range;
  return {
    message: dxp.xml,
    root: dxp.root,
    rewrap: (signed) => `${xml.slice(0, from)}${Buffer.from(signed, 'utf8').toString('base64')}${xml.slice(to)}`,
  };
}
