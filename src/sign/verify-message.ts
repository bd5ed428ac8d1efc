/**
 * Verification of enveloped CEB signatures. It returns what was signed, or why nothing is.
 */
import { instantText } from '../time/beijing.js';
import { timingSafeEqual, type X509Certificate } from 'node:crypto';
import {
  checkAlgorithmTable,
  digestAlgorithmOf,
  DSIG_NS,
  keyTypeOf,
  signatureAlgorithmOf,
  URIS,
  type DigestAlgorithm,
  type SignatureAlgorithm,
} from './algorithms.js';
import { chainOf, duplicateExtensionText, subjectOf } from './chain.js';
import { certificateTime, readCertificate, unprocessedCriticalText, type CertificateInfo } from './signer.js';
import { diagnose, type Diagnosis, type DiagnosisInput } from './diagnose.js';
import { checkSignatureValue } from './signature-value.js';
import { xsdBase64Bytes } from '../xml/base64.js';
import { canonicalizeElement, DigestSink, refuseRelativeNamespaces } from '../xml/core/c14n.js';
import {
  allElements,
  childElements,
  parseXml,
  textContent,
  type XmlDocument,
  type XmlElement,
} from '../xml/core/tree.js';
import { messageInDxp } from './dxp-envelope.js';
import { type Envelope, readEnvelope } from './envelope.js';
import { SandanError, messageOf } from '../errors.js';
import { describeInput, trimXmlSpace } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { checkXmlSize, xmlLimit } from '../xml/safety.js';

/** Why a signature did not verify. */
export type VerifyFailureReason =
  /**
   * The input is not well-formed XML (or has a DTD), nests elements more than 64 deep, holds a
   * character XML forbids, or is larger than `maxBytes`; or what is signed, or the ds:Signature (KeyInfo too),
   * declares a relative namespace URI, on which Canonical XML 1.0 fails.
   */
  | 'xml-malformed'
  /** There is no ds:Signature. */
  | 'signature-missing'
  /** There is more than one ds:Signature. */
  | 'signature-multiple'
  /** The ds:Signature is not the last child element of the root. */
  | 'signature-misplaced'
  /** The ds:Signature is not laid out as the spec says (missing or extra elements, ds:Object, more than one Reference…). */
  | 'signature-structure'
  /** The Reference does not cover the whole document (URI is not ""). */
  | 'reference-not-whole-document'
  /** A transform other than enveloped-signature (optionally followed by C14N 1.0). */
  | 'transform-not-allowed'
  /** A canonicalisation, signature or digest method outside the allow-list. */
  | 'algorithm-not-allowed'
  /** No certificate in KeyInfo and none given. */
  | 'certificate-missing'
  /** The certificate in KeyInfo cannot be read, or its key does not fit the signature method. */
  | 'certificate-invalid'
  /** Trusted certificates were given and the signing certificate is neither one of them nor issued by one. */
  | 'certificate-untrusted'
  /** The certificate (or a CA of its chain) is no longer valid at the time asked for. */
  | 'certificate-expired'
  /** The certificate (or a CA of its chain) is not yet valid at the time asked for. */
  | 'certificate-not-yet-valid'
  /** The signature over SignedInfo is wrong: SignedInfo changed, or another key signed. */
  | 'signature-mismatch'
  /** The document changed after signing. */
  | 'digest-mismatch';

/** Options of {@link verifyMessage}. */
export interface VerifyOptions {
  /**
   * When given, the signing certificate must be one of these or issued by one that is a CA (basicConstraints cA, a
   * version-1 self-signed root, or one with no basicConstraints whose keyUsage allows keyCertSign): directly, or through up to four CA certificates the message carries in KeyInfo after
   * the signer's (the first eight further ones are read; each a CA within its issuers' pathLenConstraint), every certificate within the name constraints of the CAs above it (RFC 5280 4.2.1.10, as OpenSSL checks them). Also used
   * when KeyInfo has no certificate.
   */
  trustedCertificates?: ReadonlyArray<string | Uint8Array | X509Certificate> | undefined;
  /** Allowed SignatureMethod URIs and what they compute; default {@link SIGNATURE_METHODS}. */
  signatureMethods?: Readonly<Record<string, SignatureAlgorithm>> | undefined;
  /** Allowed DigestMethod URIs and what they compute; default {@link DIGEST_METHODS}. */
  digestMethods?: Readonly<Record<string, DigestAlgorithm>> | undefined;
  /** Check that the certificate, and the CA among the anchors that issued it, are valid at this time (not checked by default: old messages stay verifiable). */
  at?: Date | undefined;
  /**
   * When the signature or digest does not match (or the certificate is untrusted), try the usual causes and
   * report the one that explains it in `diagnosis` (default true). Costs a few extra signature checks, and
   * only on failure; turn it off when verifying many messages expected to fail.
   */
  diagnose?: boolean | undefined;
  /** Messages larger than this many bytes (UTF-8) are not read: `xml-malformed`. Default 50 MB, as the parser. */
  maxBytes?: number | undefined;
}

// (any other key is misuse: a misspelt trustedCertificates left every certificate untrusted, or `at` unchecked)
const VERIFY_OPTION_NAMES = optionNames<VerifyOptions>({
  trustedCertificates: true,
  signatureMethods: true,
  digestMethods: true,
  at: true,
  diagnose: true,
  maxBytes: true,
});

/** A signature that verified, with what it covers. */
export interface VerifySuccess {
  valid: true;
  /** The canonical form of the document without its signature: exactly the bytes the digest covers. Use this, not the input. */
  signedXml: string;
  /** The certificate whose key verified the signature. */
  certificate: X509Certificate;
  /** `ds:KeyName` (not covered by the signature; the certificate is what counts). */
  certificateNumber: string | undefined;
  signatureMethod: string;
  signatureAlgorithm: SignatureAlgorithm;
  digestMethod: string;
  digestAlgorithm: DigestAlgorithm;
  /**
   * True only when `trustedCertificates` were given and the signing certificate is one of them or
   * issued by one. False when none were given: the signature matches the certificate in the
   * message, but anyone can make a self-signed certificate, so a forgery re-signed with one is
   * `valid` too. Accept an untrusted result only when something else vouches for the certificate.
   */
  trusted: boolean;
  /** SM2 only: how the SignatureValue was encoded. */
  sm2Encoding?: 'raw' | 'der';
  /** Given a DxpMsg (alone or in a DxpMsgSv): the envelope, whose Data's message is what was verified. */
  dxp?: VerifiedEnvelope;
}

/**
 * The envelope around the message verified: which one, the root of the CEB message in its Data, and, when the
 * envelope has a ds:Signature of its own, that it was not verified (customs checks the message's).
 */
export interface VerifiedEnvelope {
  envelope: 'DxpMsg' | 'DxpMsgSv';
  messageRoot: string;
  envelopeSignature?: 'not-verified';
}

/** A signature that did not verify. */
export interface VerifyFailure {
  valid: false;
  reason: VerifyFailureReason;
  message: string;
  /** For `signature-mismatch`, `digest-mismatch` and `certificate-untrusted`: which likely cause explains the failure (see docs/signing.md). */
  diagnosis?: Diagnosis;
  /** Given a DxpMsg (alone or in a DxpMsgSv): the envelope, whose Data's message is what was verified. */
  dxp?: VerifiedEnvelope;
}

/** The outcome of {@link verifyMessage}. */
export type VerifyResult = VerifySuccess | VerifyFailure;

class Fail extends Error {
  constructor(
    readonly reason: VerifyFailureReason,
    message: string,
    readonly state?: DiagnosisInput,
  ) {
    super(message);
  }
}

function only(el: XmlElement, names: readonly string[], where: string): XmlElement[] {
  for (const c of el.children) {
    if (c.type === 'text' && trimXmlSpace(c.value) !== '')
      throw new Fail('signature-structure', `Text inside ${where}`);
  }
  const kids = childElements(el);
  for (const k of kids) {
    if (k.ns !== DSIG_NS || !names.includes(k.local))
      throw new Fail(
        'signature-structure',
        `Unexpected <${k.qname}> inside ${where}${k.local === 'Object' ? ' (a ds:Object can wrap unsigned content)' : ''}`,
      );
  }
  return kids;
}

function expectSeq(
  el: XmlElement,
  seq: ReadonlyArray<[string, 'one' | 'optional']>,
  where: string,
): Map<string, XmlElement> {
  const kids = only(
    el,
    seq.map((s) => s[0]),
    where,
  );
  const out = new Map<string, XmlElement>();
  let k = 0;
  for (const [name, card] of seq) {
    const c = kids[k];
    if (c && c.local === name) {
      out.set(name, c);
      k++;
    } else if (card === 'one') {
      throw new Fail('signature-structure', `${where} has no ds:${name}${c ? ` where <${c.qname}> is` : ''}`);
    }
  }
  if (k !== kids.length)
    throw new Fail('signature-structure', `${where} has an extra or out-of-order <${kids[k]!.qname}>`);
  return out;
}

function stopAtEnvelope(t: { local: string }): void {
  if (t.local === 'DxpMsg' || t.local === 'DxpMsgSv') throw AN_ENVELOPE;
}

/** Whether what follows the signature in the root holds text other than white space (comments and PIs may follow). */
function textAfter(tail: string): boolean {
  if (/^[ \t\n]*$/.test(tail)) return false;
  const holder = parseXml(`<x>${tail}</x>`).root;
  return holder.children.some((c) => c.type === 'text' && trimXmlSpace(c.value) !== '');
}

// Certificates read from KeyInfo, by their base64 text: a sender signs many messages with one.
// Keys are copies: the text read is a slice that would keep the whole message alive.
const certificates = new Map<string, readonly [string, CertificateInfo]>();
// The one used last, compared first (comparing the text costs less than hashing it for the map).
let lastCertificate: readonly [string, CertificateInfo] | undefined;

function embeddedCertificate(el: XmlElement): CertificateInfo {
  const text = textContent(el);
  if (lastCertificate !== undefined && lastCertificate[0] === text) return lastCertificate[1];
  let entry = certificates.get(text);
  if (!entry) {
    entry = [Buffer.from(text, 'utf8').toString('utf8'), readCertificate(derOf(b64(el, 'X509Certificate')))];
    if (certificates.size >= 64) certificates.clear();
    certificates.set(entry[0], entry);
  }
  lastCertificate = entry;
  return entry[1];
}

/**
 * The bytes of an X509Certificate, which XML-DSig says are DER (an ASN.1 SEQUENCE, 0x30): readCertificate also takes
 * PEM text, and base64 of PEM text was read there where xmlsec1 (and customs' verifier after it) refuses it.
 */
function derOf(bytes: Buffer): Buffer {
  if (bytes[0] === 0x30) return bytes;
  const pem = /^\s*-----BEGIN /.test(bytes.subarray(0, 64).toString('latin1'));
  throw new SandanError(
    'SIGN_CERT_INVALID',
    pem
      ? 'X509Certificate holds the base64 of PEM text (-----BEGIN …), not of the DER certificate XML-DSig asks for; write the base64 between the PEM lines'
      : `X509Certificate does not hold a DER certificate (it begins with the byte 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')}, not 0x30)`,
  );
}

function algorithmOf(el: XmlElement): string {
  const a = el.attrs.find((x) => x.ns === '' && x.local === 'Algorithm');
  if (!a) throw new Fail('signature-structure', `<${el.qname}> has no Algorithm`);
  return a.value;
}

/** The bytes of a non-empty xs:base64Binary value (what customs' format check accepts: zero padding bits included). */
function b64(el: XmlElement, what: string): Buffer {
  const bytes = xsdBase64Bytes(textContent(el));
  if (!bytes?.length) throw new Fail('signature-structure', `${what} is not base64`);
  return bytes;
}

/** "The signing certificate (subject, serial …)": how a refusal of the signer's certificate starts. */
function signingCertificate(cert: CertificateInfo): string {
  return `The signing certificate (${subjectOf(cert)}, serial ${cert.serialHex})`;
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How many further certificates of KeyInfo are read: each is parsed, and the search tries each at every step. */
const MAX_CARRIED = 8;

/**
 * Verifies the enveloped signature of a CEB message. Never throws for a bad document or
 * signature: the result says `valid: false` with a `reason`. Accepted layout: exactly one
 * `ds:Signature`, the last child element of the root; one Reference with `URI=""` and the
 * enveloped-signature transform (optionally followed by C14N 1.0); C14N 1.0 for SignedInfo;
 * algorithms from the allow-lists; no `ds:Object`. Given a DxpMsg (alone or in a DxpMsgSv), the CEB message in its
 * Data is verified, as customs checks it and `sandan verify` does (the result's `dxp` names the envelope); the
 * envelope's own ds:Signature, if any, is not.
 *
 * Limits, as the parser's: a message over `maxBytes` (default 50 MB), elements nested more than 64
 * deep (`MAX_XML_DEPTH`, refused in linear time), a character outside the XML 1.0 `Char`
 * production or a reference to one, a second byte-order mark or a misplaced XML declaration, an
 * undeclared namespace prefix: all `valid: false` with reason `xml-malformed`, never a throw.
 * @throws SandanError `SIGN_CERT_INVALID` when a trusted certificate given in the options cannot be read;
 * `INVALID_OPTION` when `signatureMethods` or `digestMethods` maps a URI to something other than an algorithm name,
 * and for misuse from JavaScript: the XML not a string, options not an object, `maxBytes` not a positive whole
 * number, `trustedCertificates` not a list.
 */
export function verifyMessage(xml: string, options?: VerifyOptions): VerifyResult {
  const opts = knownOptions(options, 'verifyMessage', VERIFY_OPTION_NAMES);
  const maxBytes = xmlLimit('verifyMessage', xml, opts.maxBytes, false);
  if (opts.trustedCertificates !== undefined && !Array.isArray(opts.trustedCertificates))
    throw new SandanError(
      'INVALID_OPTION',
      'verifyMessage: trustedCertificates must be an array of certificates (PEM or DER, or X509Certificate); put one in [ ]',
    );
  // An Invalid Date compared false with both ends and let an expired certificate pass; text had no getTime.
  if (opts.at !== undefined && !(opts.at instanceof Date && !Number.isNaN(opts.at.getTime())))
    throw new SandanError('INVALID_OPTION', `verifyMessage: at must be a valid Date, got ${describeInput(opts.at)}`);
  if (opts.signatureMethods !== undefined) checkAlgorithmTable(opts.signatureMethods, 'signatureMethods');
  if (opts.digestMethods !== undefined) checkAlgorithmTable(opts.digestMethods, 'digestMethods');
  const anchors = (opts.trustedCertificates ?? []).map((c) => readCertificate(c));
  // A DxpMsg carries the signed message in its Data, and that message's signature is the one customs checks (the
  // emulator too): it is verified, whether or not the envelope has a ds:Signature of its own, which customs does not
  // check (signMessage signs the message in Data). `sandan verify` is this. (Read within the caller's maxBytes: over it,
  // the envelope is refused below as any message over it is.)
  // The root's name is read in the pass that verifies the message: a message is tokenized once, and a DxpMsg's reading
  // stops at its root. A message that pass finds malformed is asked again, as the envelope reader reads it (which may
  // read a DxpMsg whose Data it cannot open, and say so).
  let first: VerifyResult | undefined;
  try {
    first = verifyDocument(xml, opts, maxBytes, anchors, true);
    if (first.valid || first.reason !== 'xml-malformed') return first;
  } catch (e) {
    if (e !== AN_ENVELOPE) throw e;
  }
  const dxp = messageInDxp(xml, maxBytes);
  if (dxp === undefined) return first ?? verifyDocument(xml, opts, maxBytes, anchors, false);
  const own = dxp.signed
    ? 'a ds:Signature of its own, which is not the one customs checks'
    : 'no ds:Signature of its own';
  // (Data holding none that can be read: say why, url-safe base64 say, not "the signed message is in Data")
  if (dxp.xml === undefined)
    return {
      valid: false,
      reason: 'signature-missing',
      message: `The document is a ${dxp.envelope} with ${own}, and its Data holds no message to verify: ${dxp.unread}`,
    };
  const where = dxp.envelope === 'DxpMsg' ? "DxpMsg's Data" : "Data of the DxpMsgSv's DxpMsg";
  const envelope: VerifiedEnvelope = {
    envelope: dxp.envelope,
    messageRoot: dxp.root,
    ...(dxp.signed && { envelopeSignature: 'not-verified' as const }),
  };
  const r = verifyDocument(dxp.xml, opts, maxBytes, anchors, false);
  if (!r.valid && r.reason === 'signature-missing')
    return {
      ...r,
      message: `The ${dxp.root} in the ${where}, whose signature customs checks, is not signed; the ${dxp.envelope} has ${own}`,
      dxp: envelope,
    };
  return { ...r, dxp: envelope };
}

/** Thrown when the root read is a DxpMsg or DxpMsgSv, which is opened, not verified as it is. */
const AN_ENVELOPE = Symbol('envelope');

/**
 * verifyMessage of one document as it is (an envelope's Data not opened). `envelopes`: a root named DxpMsg or DxpMsgSv
 * (read as rootLocalName reads it) stops the reading with {@link AN_ENVELOPE}.
 */
function verifyDocument(
  xml: string,
  opts: VerifyOptions,
  maxBytes: number,
  anchors: CertificateInfo[],
  envelopes: boolean,
): VerifyResult {
  try {
    return verifyInner(xml, opts, maxBytes, anchors, envelopes);
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    // Only after the strict verdict: the diagnosis explains it, never changes it.
    if (e.state && opts.diagnose !== false)
      return { valid: false, reason: e.reason, message: e.message, diagnosis: diagnose(e.state) };
    return { valid: false, reason: e.reason, message: e.message };
  }
}

function verifyInner(
  xml: string,
  options: VerifyOptions,
  maxBytes: number,
  anchors: CertificateInfo[],
  envelopes: boolean,
): VerifySuccess {
  // One pass over the tokens: the canonical document without its signature (what the digest
  // covers), where the signature is, and the signature as a tree (the only part made one).
  // (Joined in blocks: a piece each took more than the text, 100 MB for 5 MB of `<x/>`.)
  const blocks: string[] = [];
  const pieces: string[] = [];
  const canonical = {
    push: (...parts: string[]) => pieces.push(...parts) > 4096 && blocks.push(pieces.splice(0).join('')),
  };
  let env: Envelope;
  let sig: XmlElement;
  let context: XmlDocument;
  try {
    checkXmlSize(xml, maxBytes);
    env = readEnvelope(xml, canonical, { signatureTree: true, ...(envelopes && { root: stopAtEnvelope }) });
    const sigs = env.signatures;
    if (sigs.length === 0)
      throw new Fail(
        'signature-missing',
        /^(?:[\w.-]+:)?DxpMsg(?:Sv)?$/.test(env.rootName)
          ? `The document is a ${env.rootName.replace(/^.*:/, '')} with no ds:Signature of its own; the signed CEB message is the Base64 in its Data (unwrapDxp gives it as payload)`
          : 'The document has no ds:Signature',
      );
    if (sigs.length > 1)
      throw new Fail(
        'signature-multiple',
        `The document has ${sigs.length} ds:Signature elements; a CEB message has exactly one`,
      );
    const span = sigs[0]!;
    if (span.depth === 1)
      throw new Fail(
        'signature-misplaced',
        'The ds:Signature is the root element; it must be the last child of the message root',
      );
    if (span.depth !== 2 || env.elementAfterSignature)
      throw new Fail('signature-misplaced', 'The ds:Signature must be the last child element of the root');
    if (textAfter(env.text.slice(span.end, env.rootEndTagStart)))
      throw new Fail('signature-misplaced', 'Text follows the ds:Signature');
    // Read as a tree in the same pass, under the root (whose namespaces and xml:* it inherits).
    ({ doc: context, element: sig } = env.signature!);
  } catch (e) {
    if (e instanceof SandanError) throw new Fail('xml-malformed', e.message);
    throw e;
  }

  const parts = expectSeq(
    sig,
    [
      ['SignedInfo', 'one'],
      ['SignatureValue', 'one'],
      ['KeyInfo', 'optional'],
    ],
    'ds:Signature',
  );
  const signedInfo = parts.get('SignedInfo')!;
  // SignedInfo's canonical form refuses a relative namespace URI in it (and on ds:Signature, which it inherits); one in
  // the parts no canonicalisation covers is refused too (C14N 1.0 §2.1, as libxml2 reads it; Santuario passes it).
  try {
    for (const part of [parts.get('SignatureValue'), parts.get('KeyInfo')]) if (part) refuseRelativeNamespaces(part);
  } catch (e) {
    if (e instanceof SandanError) throw new Fail('xml-malformed', e.message);
    throw e;
  }
  const refs = only(signedInfo, ['CanonicalizationMethod', 'SignatureMethod', 'Reference'], 'ds:SignedInfo').filter(
    (e) => e.local === 'Reference',
  );
  if (refs.length !== 1)
    throw new Fail(
      'signature-structure',
      `ds:SignedInfo has ${refs.length} ds:Reference elements; exactly one (the whole document) is allowed`,
    );
  const si = expectSeq(
    signedInfo,
    [
      ['CanonicalizationMethod', 'one'],
      ['SignatureMethod', 'one'],
      ['Reference', 'one'],
    ],
    'ds:SignedInfo',
  );
  const c14n = algorithmOf(si.get('CanonicalizationMethod')!);
  if (c14n !== URIS.c14n && c14n !== URIS.c14nWithComments)
    throw new Fail('algorithm-not-allowed', `CanonicalizationMethod ${c14n} is not allowed (only inclusive C14N 1.0)`);
  if (childElements(si.get('CanonicalizationMethod')!).length)
    throw new Fail('signature-structure', 'CanonicalizationMethod has parameters');
  const sigMethodEl = si.get('SignatureMethod')!;
  const signatureMethod = algorithmOf(sigMethodEl);
  const signatureAlgorithm = signatureAlgorithmOf(signatureMethod, options.signatureMethods);
  if (!signatureAlgorithm) throw new Fail('algorithm-not-allowed', `SignatureMethod ${signatureMethod} is not allowed`);
  if (childElements(sigMethodEl).length) throw new Fail('signature-structure', 'SignatureMethod has parameters');

  const ref = si.get('Reference')!;
  for (const a of ref.attrs)
    if (a.ns === '' && a.local !== 'URI' && a.local !== 'Id' && a.local !== 'Type')
      throw new Fail('signature-structure', `Unexpected attribute ${a.qname} on ds:Reference`);
  const uri = ref.attrs.find((a) => a.ns === '' && a.local === 'URI');
  if (uri?.value !== '')
    throw new Fail(
      'reference-not-whole-document',
      `The Reference URI is ${uri ? `"${uri.value}"` : 'missing'}; it must be "" (the whole document)`,
    );
  const rp = expectSeq(
    ref,
    [
      ['Transforms', 'optional'],
      ['DigestMethod', 'one'],
      ['DigestValue', 'one'],
    ],
    'ds:Reference',
  );
  const transforms = rp.get('Transforms')
    ? only(rp.get('Transforms')!, ['Transform'], 'ds:Transforms').map((t) => {
        if (childElements(t).length)
          throw new Fail('transform-not-allowed', 'Transforms with parameters (XPath, XSLT…) are not allowed');
        return algorithmOf(t);
      })
    : [];
  if (transforms[0] !== URIS.envelopedSignature)
    throw new Fail('transform-not-allowed', 'The Reference must start with the enveloped-signature transform');
  if (
    transforms.length > 2 ||
    (transforms.length === 2 && transforms[1] !== URIS.c14n && transforms[1] !== URIS.c14nWithComments)
  ) {
    throw new Fail(
      'transform-not-allowed',
      `Transforms ${transforms.join(', ')} are not allowed (enveloped-signature, then optionally C14N 1.0)`,
    );
  }
  const digestMethod = algorithmOf(rp.get('DigestMethod')!);
  const digestAlgorithm = digestAlgorithmOf(digestMethod, options.digestMethods);
  if (!digestAlgorithm) throw new Fail('algorithm-not-allowed', `DigestMethod ${digestMethod} is not allowed`);
  const digestValue = b64(rp.get('DigestValue')!, 'DigestValue');
  const signatureValue = b64(parts.get('SignatureValue')!, 'SignatureValue');

  // KeyInfo: KeyName, X509Data/X509Certificate (the signer's certificate, first as sandan writes it, and a few CA
  // certificates a chain to the anchors may pass through).
  let certificateNumber: string | undefined;
  let embedded: CertificateInfo | undefined;
  const carried: CertificateInfo[] = [];
  const keyInfo = parts.get('KeyInfo');
  if (keyInfo) {
    for (const k of only(keyInfo, ['KeyName', 'X509Data', 'KeyValue'], 'ds:KeyInfo')) {
      if (k.local === 'KeyName') certificateNumber ??= textContent(k).trim();
      if (k.local !== 'X509Data') continue;
      for (const certEl of childElements(k)) {
        if (certEl.ns !== DSIG_NS || certEl.local !== 'X509Certificate') continue;
        if (embedded === undefined) {
          try {
            embedded = embeddedCertificate(certEl);
          } catch (e) {
            throw new Fail('certificate-invalid', `The certificate in KeyInfo cannot be read: ${messageOf(e)}`);
          }
        } else if (carried.length < MAX_CARRIED) {
          // A further certificate only offers a way to the anchors: one that cannot be read offers none, and an
          // unread one changes nothing else (customs reads the signer's).
          try {
            const c = embeddedCertificate(certEl);
            if (!carried.includes(c) && c !== embedded) carried.push(c);
          } catch {
            // passed over
          }
        }
      }
    }
  }
  // The signer's is the certificate of KeyInfo whose key the SignatureValue holds to, wherever it stands ("CA then
  // leaf" too); the others are the chain's.
  const inKeyInfo = embedded ? [embedded, ...carried] : [];
  const candidates = embedded ? inKeyInfo : anchors;
  if (candidates.length === 0)
    throw new Fail('certificate-missing', 'KeyInfo has no X509Certificate and no certificate was given');
  const keyType = keyTypeOf(signatureAlgorithm);
  if (embedded && !inKeyInfo.some((c) => c.keyType === keyType))
    throw new Fail(
      'certificate-invalid',
      `The certificate holds an ${embedded.keyType.toUpperCase()} key but the SignatureMethod is ${signatureAlgorithm}`,
    );

  let canonicalSignedInfo: Buffer;
  try {
    canonicalSignedInfo = Buffer.from(
      canonicalizeElement(context, signedInfo, { withComments: c14n === URIS.c14nWithComments }),
      'utf8',
    );
  } catch (e) {
    // A relative namespace URI in scope there (on ds:Signature, say), which Canonical XML refuses.
    if (e instanceof SandanError) throw new Fail('xml-malformed', e.message);
    throw e;
  }
  // What a diagnosis needs; built only when a check fails.
  const state = (reason: DiagnosisInput['reason'], signer: CertificateInfo | undefined): DiagnosisInput => {
    // The diagnosis changes and re-canonicalises the whole message: it gets the tree the fast path did without.
    const doc = parseXml(xml);
    const signature = [...allElements(doc.root)].find((e) => e.ns === DSIG_NS && e.local === 'Signature')!;
    return {
      reason,
      doc,
      signature,
      signedInfo: childElements(signature)[0]!,
      signedInfoWithComments: c14n === URIS.c14nWithComments,
      signatureAlgorithm,
      digestAlgorithm,
      signatureValue,
      digestValue,
      candidates: candidates.filter((c) => c.keyType === keyType),
      embedded,
      anchors,
      signer,
      verifies: (data, c) => checkSignatureValue(signatureAlgorithm, data, signatureValue, c).ok,
    };
  };
  let cert: CertificateInfo | undefined;
  let sm2Encoding: 'raw' | 'der' | undefined;
  let trust: ReturnType<typeof chainOf>;
  // Of several certificates that hold the signing key (one re-issued for the same key, carried beside the old), the
  // first that may sign, that the anchors vouch for and that is in date at `at`, as xmlsec1 picks; else the first,
  // whose refusal is reported.
  for (const c of candidates) {
    if (c.keyType !== keyType) continue;
    const r = checkSignatureValue(signatureAlgorithm, canonicalSignedInfo, signatureValue, c);
    if (!r.ok) continue;
    const t = anchors.length
      ? chainOf(
          c,
          anchors,
          inKeyInfo.filter((x) => x !== c),
        )
      : { chain: [] };
    const good =
      c.signsData &&
      c.unprocessedCritical === undefined &&
      c.duplicateExtension === undefined &&
      t?.chain !== undefined &&
      (options.at === undefined || outOfDate(c, t.chain, options.at.getTime()) === undefined);
    if (cert === undefined || good) {
      cert = c;
      sm2Encoding = r.sm2Encoding;
      trust = t;
    }
    if (good) break;
  }
  if (!cert)
    throw new Fail(
      'signature-mismatch',
      embedded
        ? 'The SignatureValue does not match SignedInfo and the certificate in KeyInfo'
        : 'The SignatureValue matches none of the given certificates',
      state('signature-mismatch', undefined),
    );
  // The signature holds, but a certificate whose keyUsage does not allow signing data vouches for none.
  if (!cert.signsData)
    throw new Fail(
      'certificate-invalid',
      `${signingCertificate(cert)} may not sign data: its keyUsage has neither digitalSignature nor nonRepudiation`,
    );
  if (cert.unprocessedCritical !== undefined)
    throw new Fail(
      'certificate-invalid',
      `${signingCertificate(cert)} ${unprocessedCriticalText(cert.unprocessedCritical)}`,
    );
  if (cert.duplicateExtension !== undefined)
    throw new Fail(
      'certificate-invalid',
      `${signingCertificate(cert)} ${duplicateExtensionText(cert.duplicateExtension)}`,
    );
  // (no diagnosis: the message names the name and the constraint, and the keys are not what went wrong)
  if (trust?.refused !== undefined)
    throw new Fail('certificate-untrusted', `${signingCertificate(cert)} is not trusted: ${trust.refused}`);
  if (!trust?.chain)
    throw new Fail(
      'certificate-untrusted',
      `${signingCertificate(cert)} is not trusted${
        trust?.notCa
          ? `: it was signed with the key of the given certificate ${subjectOf(trust.notCa)} (serial ${trust.notCa.serialHex}), which ${
              trust.notCa.unprocessedCritical !== undefined
                ? `${unprocessedCriticalText(trust.notCa.unprocessedCritical)}, so it vouches for nothing`
                : 'is not a certificate authority (no basicConstraints cA), so it vouches for itself only'
            }`
          : ''
      }`,
      state('certificate-untrusted', cert),
    );
  if (options.at) {
    const late = outOfDate(cert, trust.chain, options.at.getTime());
    if (late) throw late;
  }

  // The pieces hashed as they are (the sink hashes a large text in slices: no UTF-8 copy of it all at once), and the
  // text returned made of them: a few (the usual: the root's start tag, one slice of the source, the rest) are
  // concatenated, which V8 does without copying them (joined, the whole message was copied once more, for every
  // message verified); many are joined, as a chain of thousands of concatenations costs more to read.
  const sink = new DigestSink(digestAlgorithm);
  for (const b of blocks) sink.push(b);
  sink.push(...pieces);
  let signedXml = '';
  if (blocks.length === 0 && pieces.length <= 8) for (const p of pieces) signedXml += p;
  else signedXml = blocks.join('') + pieces.join('');
  blocks.length = pieces.length = 0;
  if (!eq(sink.digest(), digestValue))
    throw new Fail(
      'digest-mismatch',
      'The document changed after it was signed (DigestValue does not match)',
      state('digest-mismatch', cert),
    );
  return {
    valid: true,
    signedXml,
    certificate: cert.x509,
    certificateNumber,
    signatureMethod,
    signatureAlgorithm,
    digestMethod,
    digestAlgorithm,
    // Untrusted anchors failed above with certificate-untrusted, so here trusted means "anchors were given".
    trusted: anchors.length > 0,
    ...(sm2Encoding && { sm2Encoding }),
  };
}

/**
 * Why a certificate or a CA of its chain (up to the anchor) is not valid at `at` (ms), as a refusal; undefined when all
 * are: a chain check (OpenSSL's) wants them all in date.
 */
function outOfDate(cert: CertificateInfo, chain: readonly CertificateInfo[], at: number): Fail | undefined {
  const dated: Array<[X509Certificate, string]> = [[cert.x509, 'The certificate']];
  for (const [i, ca] of chain.entries())
    dated.push([
      ca.x509,
      `${i === 0 ? 'The CA certificate that issued it' : 'A CA certificate of its chain'} (${subjectOf(ca)})`,
    ]);
  for (const [x509, what] of dated) {
    const { from, to, outside } = validityAt(x509, at);
    if (outside)
      return new Fail(
        outside === 'before' ? 'certificate-not-yet-valid' : 'certificate-expired',
        `${what} is ${outside === 'before' ? 'not yet valid' : 'no longer valid'} at ${instantText(at)}: it is valid from ${instantText(from)} to ${instantText(to)}`,
      );
  }
  return undefined;
}

/**
 * A certificate's validity (ms of its notBefore and notAfter) and where a time (ms) falls against it: `before`,
 * `after`, or undefined within it. X.509 times are whole seconds and both ends are inclusive (RFC 5280 4.1.2.5), so the
 * whole last second counts, as in OpenSSL's check, which compares whole seconds.
 */
function validityAt(x509: X509Certificate, at: number): { from: number; to: number; outside?: 'before' | 'after' } {
  const from = certificateTime(x509.validFrom);
  const to = certificateTime(x509.validTo);
  const second = Math.floor(at / 1000) * 1000;
  const outside = second < from ? 'before' : second > to ? 'after' : undefined;
  return { from, to, ...(outside && { outside }) };
}

/** A certificate's validity period, and where a time falls against it (see {@link certificateValidityAt}). */
export interface CertificateValidity {
  /** notBefore. */
  validFrom: Date;
  /** notAfter (its whole last second counts). */
  validTo: Date;
  /** `before` or `after` the period; absent when the time is within it. */
  outside?: 'before' | 'after';
}

/**
 * A certificate's validity period and whether `at` falls within it, as `verifyMessage` judges it (whole seconds, both
 * ends inclusive). Customs refuses a signature whose certificate is not valid on the day the message arrives: a sender
 * can check before it signs (`sandan sign` warns).
 * @throws SandanError `SIGN_CERT_INVALID` when the certificate cannot be read; `INVALID_OPTION` when `at` is no valid Date
 */
export function certificateValidityAt(cert: string | Uint8Array | X509Certificate, at: Date): CertificateValidity {
  if (!(at instanceof Date) || Number.isNaN(at.getTime()))
    throw new SandanError('INVALID_OPTION', 'certificateValidityAt needs the time as a valid Date');
  const { from, to, outside } = validityAt(readCertificate(cert).x509, at.getTime());
  return { validFrom: new Date(from), validTo: new Date(to), ...(outside && { outside }) };
}
