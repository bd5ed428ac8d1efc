/**
 * Enveloped XML-DSig signatures for CEB messages, as the customs spec (2022-05, §6) lays them out.
 */
import { SandanError } from '../errors.js';
import { checkXmlSize, DEFAULT_MAX_XML_BYTES } from '../xml/safety.js';
import {
  DEFAULT_URIS,
  DIGEST_METHODS,
  DSIG_NS,
  keyTypeOf,
  SIGNATURE_METHODS,
  URIS,
  type DigestAlgorithm,
  type SignatureAlgorithm,
} from './algorithms.js';
import { sm2DerToRaw, sm2RawToDer } from './der.js';
import { readCertificate, type Signer } from './signer.js';
import { type C14nSink, canonicalizeElement, canonicalizeTextTo, DigestSink, escAttr } from '../xml/core/c14n.js';
import { normalizeLineEnds, parseXml, type XmlElement } from '../xml/core/tree.js';

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

function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Resolves the algorithm options against the signer. */
export function resolveAlgorithms(
  signer: Pick<Signer, 'algorithm' | 'supportedAlgorithms'>,
  options: SignOptions,
): {
  signatureAlgorithm: SignatureAlgorithm;
  signatureMethod: string;
  digestMethod: string;
  digestAlgorithm: DigestAlgorithm;
} {
  const fromUri = options.signatureMethod !== undefined ? SIGNATURE_METHODS[options.signatureMethod] : undefined;
  const signatureAlgorithm =
    options.signatureAlgorithm ??
    (fromUri && keyTypeOf(fromUri) === keyTypeOf(signer.algorithm) ? fromUri : signer.algorithm);
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
  const known = DIGEST_METHODS[digestMethod];
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

/** What signing needs of the document: its root's place and start tag, and the signatures replaced. */
interface Layout {
  /** The text without a byte-order mark, line ends normalised (offsets refer to it). */
  text: string;
  rootName: string;
  rootStart: number;
  /** Offset just after the root's start tag. */
  rootTagEnd: number;
  /** Offset of `<` of the root's end tag (equals rootEnd for `<root/>`). */
  rootEndTagStart: number;
  rootEnd: number;
  /** The signatures replaced, as [start, end) of the text, in order. */
  cuts: Array<[number, number]>;
}

/**
 * Reads the document token by token, without a tree, and digests its canonical form, leaving out
 * the signatures it replaces. Refuses a signed document unless asked to replace a signature, and
 * then only signatures that are children of the root. `sink` may be a DigestSink or an array.
 */
function readAndCanonicalize(xml: string, replace: boolean, sink: C14nSink): Layout {
  const src = normalizeLineEnds(xml);
  const bom = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const layout: Layout = {
    text: bom ? src.slice(1) : src,
    rootName: '',
    rootStart: -1,
    rootTagEnd: -1,
    rootEndTagStart: -1,
    rootEnd: -1,
    cuts: [],
  };
  let signed = 0;
  let nested = 0;
  let cutFrom = -1;
  canonicalizeTextTo(
    src,
    sink,
    {},
    {
      exclude(t) {
        if (t.depth === 1) {
          layout.rootName = t.name;
          layout.rootStart = t.start - bom;
          layout.rootTagEnd = t.end - bom;
        }
        if (t.ns !== DSIG_NS || t.local !== 'Signature') return false;
        signed++;
        if (t.depth !== 2) nested++;
        else cutFrom = t.start - bom;
        return t.depth === 2;
      },
      end(t) {
        if (t.depth === 1) {
          layout.rootEndTagStart = t.start - bom;
          layout.rootEnd = t.end - bom;
        } else if (t.depth === 2 && cutFrom !== -1) {
          layout.cuts.push([cutFrom, t.end - bom]);
          cutFrom = -1;
        }
      },
    },
  );
  // Refused only once the whole text is known to be well-formed (so malformed XML is reported as such).
  if (signed && !replace)
    throw new SandanError(
      'SIGN_ALREADY_SIGNED',
      'The document already has a ds:Signature; pass replaceSignature to sign it again',
    );
  if (nested)
    throw new SandanError(
      'SIGN_ALREADY_SIGNED',
      'The document has a ds:Signature that is not a child of the root; refusing to replace it',
    );
  return layout;
}

/**
 * Signs a CEB message (or any XML document): adds `ds:Signature` as the last child of the root with
 * inclusive C14N 1.0, `Reference URI=""` with the enveloped-signature transform, and `KeyInfo`
 * (`KeyName` = certificate number, `X509Data/X509Certificate`). SignedInfo is canonicalised in its
 * document context, inheriting the root's namespace declarations, as customs verifies it.
 *
 * The input is a string; keep the XML declaration's encoding UTF-8 when writing the result.
 *
 * Limits: at most `maxBytes` (default 50 MB, `XML_TOO_LARGE` above it); elements nested at most
 * 64 deep (`MAX_XML_DEPTH`), refused in linear time; no character outside the XML 1.0 `Char`
 * production nor a reference to one; one byte-order mark at most and the XML declaration only at
 * the very start; namespace prefixes declared. Such input is `XML_MALFORMED`. Memory stays
 * within a few times the message (the canonical form and the signed text are each one copy).
 * @throws SandanError `XML_MALFORMED`, `XML_TOO_LARGE`, `SIGN_ALREADY_SIGNED`, `INVALID_OPTION`, `SIGN_CERT_INVALID`, `SIGN_SIGNER_FAILED`
 */
export async function signMessage(xml: string, signer: Signer, options: SignOptions = {}): Promise<SignedMessage> {
  checkXmlSize(xml, options.maxBytes ?? DEFAULT_MAX_XML_BYTES);
  const algs = resolveAlgorithms(signer, options);
  const replace = options.replaceSignature === true;
  const sink = new DigestSink(algs.digestAlgorithm);
  const layout = readAndCanonicalize(xml, replace, sink);
  const digest = sink.digest();
  const encoding = options.sm2SignatureEncoding ?? 'raw';
  if (encoding !== 'raw' && encoding !== 'der')
    throw new SandanError('INVALID_OPTION', `sm2SignatureEncoding must be raw or der, not ${String(encoding)}`);
  const width = options.base64LineLength ?? 0;
  if (!Number.isInteger(width) || width < 0)
    throw new SandanError('INVALID_OPTION', 'base64LineLength must be a non-negative integer');
  const certificateNumber = options.certificateNumber ?? signer.certificateNumber;

  const digestValue = digest.toString('base64');

  // SignedInfo as written in the document, and canonicalised in its context: under the root, in ds:Signature.
  const inner =
    `\n<ds:CanonicalizationMethod Algorithm="${URIS.c14n}"></ds:CanonicalizationMethod>` +
    `\n<ds:SignatureMethod Algorithm="${escAttr(algs.signatureMethod)}"></ds:SignatureMethod>` +
    `\n<ds:Reference URI="">\n<ds:Transforms>\n<ds:Transform Algorithm="${URIS.envelopedSignature}"></ds:Transform>\n</ds:Transforms>` +
    `\n<ds:DigestMethod Algorithm="${escAttr(algs.digestMethod)}"></ds:DigestMethod>` +
    `\n<ds:DigestValue>${digestValue}</ds:DigestValue>\n</ds:Reference>\n`;
  const canonicalSignedInfo = canonicalSignedInfoIn(layout, inner);

  let raw: Uint8Array;
  try {
    raw = await signer.sign(Buffer.from(canonicalSignedInfo, 'utf8'), algs.signatureAlgorithm);
  } catch (e) {
    if (e instanceof SandanError) throw e;
    throw new SandanError('SIGN_SIGNER_FAILED', `The signer failed: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  if (!(raw instanceof Uint8Array) || raw.length === 0)
    throw new SandanError('SIGN_SIGNER_FAILED', 'The signer returned no signature bytes');
  if (algs.signatureAlgorithm === 'sm2-sm3') {
    const from = signer.sm2Encoding ?? (raw.length === 64 ? 'raw' : 'der');
    try {
      if (from !== encoding) raw = from === 'raw' ? sm2RawToDer(raw) : sm2DerToRaw(raw);
      else if (from === 'raw' && raw.length !== 64) throw new Error(`${raw.length} bytes`);
    } catch (e) {
      throw new SandanError(
        'SIGN_SIGNER_FAILED',
        `The signer returned a malformed SM2 signature (${from}): ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
  const signatureValue = Buffer.from(raw).toString('base64');
  const certB64 =
    options.includeCertificate === false ? undefined : readCertificate(signer.certificate).der.toString('base64');
  const signature =
    `<ds:Signature xmlns:ds="${DSIG_NS}">\n<ds:SignedInfo>${inner}</ds:SignedInfo>` +
    `\n<ds:SignatureValue>${wrap(signatureValue, width)}</ds:SignatureValue>` +
    `\n<ds:KeyInfo>\n<ds:KeyName>${escText(certificateNumber)}</ds:KeyName>` +
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
    for (const [start, end] of layout.cuts) {
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

/**
 * SignedInfo canonicalised as a verifier will: a small document of the root's own start tag (its
 * namespaces and xml:* attributes are what SignedInfo inherits), ds:Signature and SignedInfo.
 */
function canonicalSignedInfoIn(layout: Layout, inner: string): string {
  const rootTag = layout.text.slice(layout.rootStart, layout.rootTagEnd).replace(/\s*\/>$/, '>');
  const context = parseXml(
    `${rootTag}<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo>${inner}</ds:SignedInfo></ds:Signature></${layout.rootName}>`,
  );
  const signedInfo = (context.root.children[0] as XmlElement).children[0] as XmlElement;
  return canonicalizeElement(context, signedInfo);
}

/** `<root …/>` has no end tag: rewrite it as `<root …>SIGNATURE</root>`. */
function selfClosedWith(text: string, start: number, end: number, signature: string): string {
  const tag = text.slice(start, end);
  const name = /^<([^\s/>]+)/.exec(tag)![1]!;
  return `${text.slice(0, start)}${tag.replace(/\s*\/>$/, '>')}${signature}</${name}>${text.slice(end)}`;
}
