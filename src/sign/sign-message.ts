/**
 * Enveloped XML-DSig signatures for CEB messages, as the customs spec (2022-05, §6) lays them out.
 */
import { SandanError, messageOf } from '../errors.js';
import { checkXmlSize, forbiddenCharacter, xmlLimit } from '../xml/safety.js';
import { escapeTextOf } from '../xml/serialize.js';
import { describeInput } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import {
  type AlgorithmOptions,
  DEFAULT_URIS,
  digestAlgorithmOf,
  DSIG_NS,
  isDigestAlgorithm,
  isSignatureAlgorithm,
  keyTypeOf,
  signatureAlgorithmOf,
  URIS,
  type DigestAlgorithm,
  type SignatureAlgorithm,
} from './algorithms.js';
import { sm2DerToRaw, sm2RawToDer } from './der.js';
import { readCertificate, type Signer } from './signer.js';
import { type C14nSink, canonicalizeElement, DigestSink, escAttr } from '../xml/core/c14n.js';
import { XML_NS, type XmlElement } from '../xml/core/tree.js';
import { asStartTag, type Envelope, inRootContext, readEnvelope } from './envelope.js';
import { envelopeToSign } from './dxp-envelope.js';

/** Options of {@link signMessage}. Districts set the algorithm part (see {@link signOptionsFromDistrict}). */
export interface SignOptions {
  /** The computation; default the signer's algorithm. */
  signatureAlgorithm?: SignatureAlgorithm | undefined;
  /** SignatureMethod URI written; default the spec URI for the algorithm (e.g. `…chinaport.gov.cn/2022/04/xmldsig#sm2-sm3`). */
  signatureMethod?: string | undefined;
  /** DigestMethod URI written; default sha1 for rsa-sha1, sha256 for rsa-sha256, the chinaport sm3 URI for SM2. */
  digestMethod?: string | undefined;
  /** The digest computed; default what `digestMethod` means. Needed only for a URI sandan does not know. */
  digestAlgorithm?: DigestAlgorithm | undefined;
  /** SM2 SignatureValue encoding: raw r‖s, 64 bytes (default, what the E-Port UKey writes), or DER. */
  sm2SignatureEncoding?: 'raw' | 'der' | undefined;
  /** `ds:KeyName`; default the signer's certificate number. */
  certificateNumber?: string | undefined;
  /** Write `ds:X509Data/ds:X509Certificate` (default true). */
  includeCertificate?: boolean | undefined;
  /** Wrap base64 values at this many characters (76 like the spec samples); default 0, one line. */
  base64LineLength?: number | undefined;
  /** Replace a `ds:Signature` the root already has instead of refusing to sign. */
  replaceSignature?: boolean | undefined;
  /** Messages larger than this many bytes (UTF-8) are refused with `XML_TOO_LARGE`; default 50 MB, as the parser. */
  maxBytes?: number | undefined;
}

// (any other key is misuse: a misspelt option was ignored, e.g. a certificate number left out)
const SIGN_OPTION_NAMES = optionNames<SignOptions>({
  signatureAlgorithm: true,
  signatureMethod: true,
  digestMethod: true,
  digestAlgorithm: true,
  sm2SignatureEncoding: true,
  base64LineLength: true,
  certificateNumber: true,
  includeCertificate: true,
  replaceSignature: true,
  maxBytes: true,
});

/** What {@link signMessage} produced. */
export interface SignedMessage {
  /** The signed document. */
  xml: string;
  /** The canonical SignedInfo, exactly the bytes (as UTF-8) that were signed. */
  canonicalSignedInfo: string;
  /**
   * The canonical document (without signature), exactly what was digested. Written out when first
   * read: the digest is computed piece by piece, so a large message costs no copy unless asked for.
   */
  readonly canonicalDocument: string;
  digestValue: string;
  signatureValue: string;
  signatureAlgorithm: SignatureAlgorithm;
  signatureMethod: string;
  digestMethod: string;
  certificateNumber: string;
}

function wrap(b64: string, width: number): string {
  if (!width || b64.length <= width) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `\n${lines.join('\n')}\n`;
}

/** Resolves the algorithm options against the signer. */
function resolveAlgorithms(
  signer: Pick<Signer, 'algorithm' | 'supportedAlgorithms'>,
  options: SignOptions,
): AlgorithmOptions {
  const fromUri = options.signatureMethod !== undefined ? signatureAlgorithmOf(options.signatureMethod) : undefined;
  const signatureAlgorithm =
    options.signatureAlgorithm ??
    (fromUri && keyTypeOf(fromUri) === keyTypeOf(signer.algorithm) ? fromUri : signer.algorithm);
  if (!isSignatureAlgorithm(signatureAlgorithm))
    throw new SandanError(
      'INVALID_OPTION',
      `Unknown signature algorithm ${JSON.stringify(signatureAlgorithm)} (sandan signs rsa-sha1, rsa-sha256, sm2-sm3)`,
    );
  const supported = new Set([signer.algorithm, ...(signer.supportedAlgorithms ?? [])]);
  if (!supported.has(signatureAlgorithm))
    throw new SandanError(
      'INVALID_OPTION',
      `The signer cannot sign ${signatureAlgorithm} (it signs ${[...supported].join(', ')})`,
    );
  if (fromUri && fromUri !== signatureAlgorithm)
    throw new SandanError(
      'INVALID_OPTION',
      `SignatureMethod ${options.signatureMethod} means ${fromUri}, but the signature is ${signatureAlgorithm}`,
    );
  const signatureMethod = options.signatureMethod ?? DEFAULT_URIS[signatureAlgorithm].signatureMethod;
  const digestMethod = options.digestMethod ?? DEFAULT_URIS[signatureAlgorithm].digestMethod;
  const known = digestAlgorithmOf(digestMethod);
  if (options.digestAlgorithm !== undefined && !isDigestAlgorithm(options.digestAlgorithm))
    throw new SandanError(
      'INVALID_OPTION',
      `Unknown digest algorithm ${JSON.stringify(options.digestAlgorithm)} (sandan computes sha1, sha256, sm3)`,
    );
  if (options.digestAlgorithm !== undefined && known !== undefined && known !== options.digestAlgorithm)
    throw new SandanError(
      'INVALID_OPTION',
      `DigestMethod ${digestMethod} means ${known}, not ${options.digestAlgorithm}`,
    );
  const digestAlgorithm = options.digestAlgorithm ?? known;
  if (!digestAlgorithm)
    throw new SandanError(
      'INVALID_OPTION',
      `Unknown DigestMethod ${digestMethod}; say what it computes with digestAlgorithm`,
    );
  return { signatureAlgorithm, signatureMethod, digestMethod, digestAlgorithm };
}

/**
 * Reads the document token by token, without a tree, and digests its canonical form, leaving out
 * the signatures it replaces. Refuses a signed document unless asked to replace a signature, and
 * then only signatures that are children of the root. `sink` may be a DigestSink or an array.
 */
function readAndCanonicalize(xml: string, replace: boolean, sink: C14nSink): Envelope {
  const env = readEnvelope(xml, sink);
  // Refused only once the whole text is known to be well-formed (so malformed XML is reported as such).
  if (env.signatures.length && !replace)
    throw new SandanError(
      'SIGN_ALREADY_SIGNED',
      'The document already has a ds:Signature; pass replaceSignature to sign it again',
    );
  if (env.signatures.some((s) => s.depth !== 2))
    throw new SandanError(
      'SIGN_ALREADY_SIGNED',
      'The document has a ds:Signature that is not a child of the root; refusing to replace it',
    );
  return env;
}

/**
 * The base64 signature value `signer` makes of `data` with `algorithm`, an SM2 one in `sm2Encoding` (converted from
 * the signer's own). A signer that fails, answers no bytes or a malformed SM2 signature is SIGN_SIGNER_FAILED (its
 * own SandanError passes as it is). Messages and 179 uploads are signed so alike.
 */
export async function signatureValueOf(
  signer: Signer,
  data: Uint8Array,
  algorithm: SignatureAlgorithm,
  sm2Encoding: 'raw' | 'der',
): Promise<string> {
  let raw: Uint8Array;
  try {
    raw = await signer.sign(data, algorithm);
  } catch (e) {
    if (e instanceof SandanError) throw e;
    throw new SandanError('SIGN_SIGNER_FAILED', `The signer failed: ${messageOf(e)}`, { cause: e });
  }
  if (!(raw instanceof Uint8Array) || raw.length === 0)
    throw new SandanError('SIGN_SIGNER_FAILED', 'The signer returned no signature bytes');
  if (algorithm === 'sm2-sm3') {
    const from = signer.sm2Encoding ?? (raw.length === 64 ? 'raw' : 'der');
    try {
      if (from !== sm2Encoding) raw = from === 'raw' ? sm2RawToDer(raw) : sm2DerToRaw(raw);
      else if (from === 'raw' && raw.length !== 64) throw new Error(`${raw.length} bytes`);
      // DER written as it came must be strict DER, as verification reads it.
      else if (from === 'der') sm2DerToRaw(raw);
    } catch (e) {
      throw new SandanError(
        'SIGN_SIGNER_FAILED',
        `The signer returned a malformed SM2 signature (${from}): ${messageOf(e)}`,
        { cause: e },
      );
    }
  }
  return Buffer.from(raw).toString('base64');
}

/**
 * Text written into ds:Signature as given: a character XML cannot hold (U+0000, U+FFFE, a lone surrogate) made a
 * signed message that neither parses nor verifies, and an empty KeyName names no certificate for customs to find.
 */
function writtenText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new SandanError('INVALID_OPTION', `${what} must be non-empty text, got ${describeInput(value)}`);
  const problem = forbiddenCharacter(value);
  if (problem) throw new SandanError('INVALID_OPTION', `${what} ${JSON.stringify(value)}: ${problem.why}`);
  return value;
}

/**
 * Signs a CEB message (or any XML document): adds `ds:Signature` as the last child of the root with
 * inclusive C14N 1.0, `Reference URI=""` with the enveloped-signature transform, and `KeyInfo`
 * (`KeyName` = certificate number, `X509Data/X509Certificate`). SignedInfo is canonicalised in its
 * document context, inheriting the root's namespace declarations, as customs verifies it.
 *
 * The input is a string; keep the XML declaration's encoding UTF-8 when writing the result. Given a DxpMsg (as
 * `wrapDxp` writes it), the CEB message in its Data is signed and put back, the envelope otherwise unchanged, as
 * `sandan sign` does: that message's signature is the one customs checks and `verifyMessage` verifies (the envelope's
 * own was not checked). `xml` is then the envelope; the other fields are of the message signed. A transfer node's
 * DxpMsgSv, an envelope signed itself, or a Data that holds no message is refused (`INVALID_OPTION`).
 *
 * Limits: at most `maxBytes` (default 50 MB, `XML_TOO_LARGE` above it); elements nested at most
 * 64 deep (`MAX_XML_DEPTH`), refused in linear time; no character outside the XML 1.0 `Char`
 * production nor a reference to one; one byte-order mark at most and the XML declaration only at
 * the very start; namespace prefixes declared, to absolute URIs (Canonical XML fails on a relative one). Such
 * input is `XML_MALFORMED`. Memory stays within a few times the message (the canonical form and the signed text
 * are each one copy).
 * @throws SandanError `XML_MALFORMED`, `XML_TOO_LARGE`, `SIGN_ALREADY_SIGNED`, `INVALID_OPTION`, `SIGN_CERT_INVALID`, `SIGN_SIGNER_FAILED`
 */
export async function signMessage(xml: string, signer: Signer, options?: SignOptions): Promise<SignedMessage> {
  const opts = knownOptions(options, 'signMessage', SIGN_OPTION_NAMES);
  checkXmlSize(xml, xmlLimit('signMessage', xml, opts.maxBytes, false));
  // (one path with sandan sign: the envelope's own signature was made here and checked by no one)
  const inner = envelopeToSign(xml);
  if (inner === undefined) return signDocument(xml, signer, opts);
  const signed = await signDocument(inner.message, signer, opts).catch((e: unknown) => {
    if (e instanceof SandanError && e.code === 'SIGN_ALREADY_SIGNED')
      throw new SandanError('SIGN_ALREADY_SIGNED', `${e.message} (the ${inner.root} in the DxpMsg's Data)`, {
        cause: e,
      });
    throw e;
  });
  signed.xml = inner.rewrap(signed.xml);
  return signed;
}

/**
 * Signs the root given, whatever it is (signMessage past the envelope). Not exported from the package: a DxpMsg's own
 * signature is checked by no one, and the tests make such envelopes with it.
 */
export async function signDocument(xml: string, signer: Signer, opts: SignOptions): Promise<SignedMessage> {
  if (typeof signer?.sign !== 'function')
    throw new SandanError(
      'INVALID_OPTION',
      `signMessage needs a signer with a sign function (createLocalSigner, loadLocalSigner or your own), got ${describeInput(signer)}`,
    );
  const algs = resolveAlgorithms(signer, opts);
  const replace = opts.replaceSignature === true;
  const sink = new DigestSink(algs.digestAlgorithm);
  const layout = readAndCanonicalize(xml, replace, sink);
  const digest = sink.digest();
  const encoding = opts.sm2SignatureEncoding ?? 'raw';
  if (encoding !== 'raw' && encoding !== 'der')
    throw new SandanError('INVALID_OPTION', `sm2SignatureEncoding must be raw or der, not ${describeInput(encoding)}`);
  const width = opts.base64LineLength ?? 0;
  if (!Number.isInteger(width) || width < 0)
    throw new SandanError('INVALID_OPTION', 'base64LineLength must be a non-negative integer');
  const certificateNumber = writtenText(opts.certificateNumber ?? signer.certificateNumber, 'The certificate number');
  writtenText(algs.signatureMethod, 'SignatureMethod');
  writtenText(algs.digestMethod, 'DigestMethod');

  const digestValue = digest.toString('base64');

  // SignedInfo as written in the document, and canonicalised in its context: under the root, in ds:Signature.
  const innerWith = (digest: string) =>
    `\n<ds:CanonicalizationMethod Algorithm="${URIS.c14n}"></ds:CanonicalizationMethod>` +
    `\n<ds:SignatureMethod Algorithm="${escAttr(algs.signatureMethod)}"></ds:SignatureMethod>` +
    `\n<ds:Reference URI="">\n<ds:Transforms>\n<ds:Transform Algorithm="${URIS.envelopedSignature}"></ds:Transform>\n</ds:Transforms>` +
    `\n<ds:DigestMethod Algorithm="${escAttr(algs.digestMethod)}"></ds:DigestMethod>` +
    `\n<ds:DigestValue>${digest}</ds:DigestValue>\n</ds:Reference>\n`;
  const inner = innerWith(digestValue);
  const canonicalSignedInfo = canonicalSignedInfoIn(layout, innerWith, digestValue);

  const signatureValue = await signatureValueOf(
    signer,
    Buffer.from(canonicalSignedInfo, 'utf8'),
    algs.signatureAlgorithm,
    encoding,
  );
  const certB64 =
    opts.includeCertificate === false ? undefined : readCertificate(signer.certificate).der.toString('base64');
  const signature =
    `<ds:Signature xmlns:ds="${DSIG_NS}">\n<ds:SignedInfo>${inner}</ds:SignedInfo>` +
    `\n<ds:SignatureValue>${wrap(signatureValue, width)}</ds:SignatureValue>` +
    `\n<ds:KeyInfo>\n<ds:KeyName>${escapeTextOf(certificateNumber)}</ds:KeyName>` +
    (certB64
      ? `\n<ds:X509Data>\n<ds:X509Certificate>${wrap(certB64, width)}</ds:X509Certificate>\n</ds:X509Data>`
      : '') +
    `\n</ds:KeyInfo>\n</ds:Signature>`;
  const at = layout.rootEndTagStart;
  const text = layout.text;
  let out: string;
  if (at === layout.rootEnd) out = selfClosedWith(text, layout.rootStart, at, signature);
  else {
    // The text without the signatures replaced: slices, not a copy.
    out = '';
    let from = 0;
    for (const { start, end } of layout.signatures) {
      out += text.slice(from, start);
      from = end;
    }
    out += text.slice(from, at) + signature + text.slice(at);
  }
  let canonical: string | undefined;
  return {
    xml: out,
    canonicalSignedInfo,
    get canonicalDocument() {
      if (canonical === undefined) {
        const pieces: string[] = [];
        readAndCanonicalize(xml, replace, pieces);
        canonical = pieces.join('');
      }
      return canonical;
    },
    digestValue,
    signatureValue,
    certificateNumber,
    ...algs,
  };
}

// Canonical SignedInfo around its DigestValue, by what it depends on: the namespaces and xml:*
// attributes of the root, and the algorithm URIs (a sender signs many messages alike). Bounded.
const signedInfoForms = new Map<string, readonly [string, string]>();
const DIGEST_SLOT = 'sandan-digest-value';

/**
 * SignedInfo canonicalised as a verifier will: in ds:Signature, under the root's start tag. The
 * digest value is base64, which C14N writes as it is, so the form made once with a placeholder
 * holds for every digest.
 */
function canonicalSignedInfoIn(layout: Envelope, innerWith: (digest: string) => string, digestValue: string): string {
  const xmlAttrs = layout.rootAttributes.filter((a) => a.ns === XML_NS).map((a) => [a.qname, a.value]);
  const inner = innerWith(DIGEST_SLOT);
  const key = JSON.stringify([layout.rootNsDecls, xmlAttrs, inner]);
  let form = signedInfoForms.get(key);
  if (!form) {
    const { doc, element } = inRootContext(
      layout,
      `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo>${inner}</ds:SignedInfo></ds:Signature>`,
    );
    const c14n = canonicalizeElement(doc, element.children[0] as XmlElement);
    const at = c14n.lastIndexOf(`>${DIGEST_SLOT}</ds:DigestValue>`) + 1;
    form = [c14n.slice(0, at), c14n.slice(at + DIGEST_SLOT.length)];
    if (signedInfoForms.size >= 64) signedInfoForms.clear();
    signedInfoForms.set(key, form);
  }
  return form[0] + digestValue + form[1];
}

/** `<root …/>` has no end tag: rewrite it as `<root …>SIGNATURE</root>`. */
function selfClosedWith(text: string, start: number, end: number, signature: string): string {
  const tag = text.slice(start, end);
  const name = /^<([^\s/>]+)/.exec(tag)![1]!;
  return `${text.slice(0, start)}${asStartTag(tag)}${signature}</${name}>${text.slice(end)}`;
}
