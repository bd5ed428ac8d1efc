/**
 * Enveloped XML-DSig signatures for CEB messages, as the customs spec (2022-05, §6) lays them out.
 */
import { SandanError } from '../errors.js';
import {
  DEFAULT_URIS,
  DIGEST_METHODS,
  DSIG_NS,
  keyTypeOf,
  SIGNATURE_METHODS,
  URIS,
  digest,
  type DigestAlgorithm,
  type SignatureAlgorithm,
} from './algorithms.js';
import { sm2DerToRaw, sm2RawToDer } from './der.js';
import { readCertificate, type Signer } from './signer.js';
import {
  allElements,
  canonicalizeDocument,
  canonicalizeFast,
  escAttr,
  parseXml,
  XML_NS,
  type FastCanonical,
  type XmlDocument,
} from './xml.js';

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
}

/** What {@link signMessage} produced. */
export interface SignedMessage {
  /** The signed document. */
  xml: string;
  /** The canonical SignedInfo, exactly the bytes (as UTF-8) that were signed. */
  canonicalSignedInfo: string;
  /** The canonical document (without signature), exactly what was digested. */
  canonicalDocument: string;
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

/** The tree path: full parse (with its error messages), existing signatures found and, if asked, removed. */
function treeLayout(xml: string, replace: boolean): FastCanonical {
  let doc = parseXml(xml);
  const existing = dsigElements(doc);
  if (existing.length) {
    if (!replace)
      throw new SandanError(
        'SIGN_ALREADY_SIGNED',
        'The document already has a ds:Signature; pass replaceSignature to sign it again',
      );
    if (existing.some((e) => e.parent !== doc.root))
      throw new SandanError(
        'SIGN_ALREADY_SIGNED',
        'The document has a ds:Signature that is not a child of the root; refusing to replace it',
      );
    let text = doc.text;
    for (const e of [...existing].reverse()) text = text.slice(0, e.start) + text.slice(e.end);
    doc = parseXml(text);
  }
  const root = doc.root;
  return {
    text: doc.text,
    canonical: canonicalizeDocument(doc),
    rootNs: new Map(root.nsDecls),
    rootXmlAttrs: root.attrs.filter((a) => a.ns === XML_NS).map((a) => [a.qname, a.value]),
    rootStart: root.start,
    rootEndTagStart: root.endTagStart,
    rootEnd: root.end,
  };
}

function dsigElements(doc: XmlDocument) {
  const out = [];
  for (const el of allElements(doc.root)) if (el.ns === DSIG_NS && el.local === 'Signature') out.push(el);
  return out;
}

/**
 * Signs a CEB message (or any XML document): adds `ds:Signature` as the last child of the root with
 * inclusive C14N 1.0, `Reference URI=""` with the enveloped-signature transform, and `KeyInfo`
 * (`KeyName` = certificate number, `X509Data/X509Certificate`). SignedInfo is canonicalised in its
 * document context, inheriting the root's namespace declarations, as customs verifies it.
 *
 * The input is a string; keep the XML declaration's encoding UTF-8 when writing the result.
 * @throws SandanError `SIGN_XML_MALFORMED`, `SIGN_ALREADY_SIGNED`, `INVALID_OPTION`, `SIGN_CERT_INVALID`, `SIGN_SIGNER_FAILED`
 */
export async function signMessage(xml: string, signer: Signer, options: SignOptions = {}): Promise<SignedMessage> {
  // Fast path: one pass over the text. Anything unusual (or a document that may already be signed) takes the tree path.
  const layout =
    (xml.includes('Signature') ? undefined : canonicalizeFast(xml)) ??
    treeLayout(xml, options.replaceSignature === true);
  const algs = resolveAlgorithms(signer, options);
  const encoding = options.sm2SignatureEncoding ?? 'raw';
  if (encoding !== 'raw' && encoding !== 'der')
    throw new SandanError('INVALID_OPTION', `sm2SignatureEncoding must be raw or der, not ${String(encoding)}`);
  const width = options.base64LineLength ?? 0;
  if (!Number.isInteger(width) || width < 0)
    throw new SandanError('INVALID_OPTION', 'base64LineLength must be a non-negative integer');
  const certificateNumber = options.certificateNumber ?? signer.certificateNumber;

  const canonicalDocument = layout.canonical;
  const digestValue = digest(algs.digestAlgorithm, canonicalDocument).toString('base64');

  // SignedInfo as written in the document; it is already canonical apart from the namespaces it inherits.
  const inner =
    `\n<ds:CanonicalizationMethod Algorithm="${URIS.c14n}"></ds:CanonicalizationMethod>` +
    `\n<ds:SignatureMethod Algorithm="${escAttr(algs.signatureMethod)}"></ds:SignatureMethod>` +
    `\n<ds:Reference URI="">\n<ds:Transforms>\n<ds:Transform Algorithm="${URIS.envelopedSignature}"></ds:Transform>\n</ds:Transforms>` +
    `\n<ds:DigestMethod Algorithm="${escAttr(algs.digestMethod)}"></ds:DigestMethod>` +
    `\n<ds:DigestValue>${digestValue}</ds:DigestValue>\n</ds:Reference>\n`;
  // In context, SignedInfo carries every namespace in scope at the root plus ds (Signature declares it), and xml:* attributes of the root.
  const ns = new Map(layout.rootNs);
  ns.set('ds', DSIG_NS);
  const decls = [...ns].filter(([, u]) => u !== '').sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const xmlAttrs = [...layout.rootXmlAttrs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const canonicalSignedInfo =
    `<ds:SignedInfo${decls.map(([p, u]) => (p ? ` xmlns:${p}="${escAttr(u)}"` : ` xmlns="${escAttr(u)}"`)).join('')}` +
    `${xmlAttrs.map(([q, v]) => ` ${q}="${escAttr(v)}"`).join('')}>${inner}</ds:SignedInfo>`;

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
  const out =
    at === layout.rootEnd
      ? selfClosedWith(text, layout.rootStart, at, signature)
      : text.slice(0, at) + signature + text.slice(at);
  return { xml: out, canonicalSignedInfo, canonicalDocument, digestValue, signatureValue, certificateNumber, ...algs };
}

/** `<root …/>` has no end tag: rewrite it as `<root …>SIGNATURE</root>`. */
function selfClosedWith(text: string, start: number, end: number, signature: string): string {
  const tag = text.slice(start, end);
  const name = /^<([^\s/>]+)/.exec(tag)![1]!;
  return `${text.slice(0, start)}${tag.replace(/\s*\/>$/, '>')}${signature}</${name}>${text.slice(end)}`;
}
