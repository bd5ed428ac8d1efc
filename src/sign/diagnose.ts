/**
 * Why a signature that failed verification failed: the likely causes are tried one by one, each
 * only after the strict check has already said "invalid". A check "explains" the failure when the
 * signature or digest verifies under one specific, named deviation (SignedInfo re-indented,
 * namespaces changed, whitespace added around the signature, another canonicalisation…). The
 * strict verdict never changes: a diagnosis is advice for the person who has to fix the sender.
 */
import { constants as cryptoConstants, publicDecrypt } from 'node:crypto';
import { DSIG_NS, digest, type DigestAlgorithm, type SignatureAlgorithm } from './algorithms.js';
import { children as derChildren, oidString, parseCertificate, readTlv } from './der.js';
import type { Message } from '../model/issue.js';
import { checkSignatureValue, sm2RawSignature } from './signature-value.js';
import type { CertificateInfo } from './signer.js';
import { SM2_DEFAULT_USER_ID, sm2E, sm2VerifyE, sm2Z } from './sm2.js';
import { CEB_NS, XSI_NS } from '../xml/content-model.js';
import { canonicalizeDocument, canonicalizeElement } from '../xml/core/c14n.js';
import {
  allElements,
  inScopeNamespaces,
  ParsedElement,
  textContent,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
} from '../xml/core/tree.js';

/** The checks a diagnosis makes, in the order it makes them; the id of the one that explains the failure is the cause. */
export type DiagnosisCheckId =
  /** SignedInfo's whitespace differs from what was signed (signed compact, inserted pretty-printed, or the reverse). */
  | 'signedinfo-whitespace'
  /** SignedInfo was signed with other namespace declarations in scope (ceb, xsi; or ds only). */
  | 'signedinfo-namespaces'
  /** The raw text of SignedInfo was signed, not its canonical form. */
  | 'signedinfo-not-canonical'
  /** The signature was made with another hash (RSA) or without the SM2 user ID the spec uses. */
  | 'signature-algorithm'
  /** The certificate's key did not make the signature. */
  | 'certificate-key'
  /** Whitespace around the signature (or after the document) differs from what was digested. */
  | 'content-whitespace'
  /** The root's namespace declarations differ from what was digested (an extra xmlns:ds, a missing xmlns:xsi…). */
  | 'content-namespaces'
  /** The DigestValue was computed with another digest algorithm than DigestMethod names. */
  | 'digest-algorithm'
  /** The digest is over exclusive C14N. */
  | 'digest-exclusive-c14n'
  /** The digest is over C14N with comments. */
  | 'digest-with-comments'
  /** The digest is over C14N 1.1. */
  | 'digest-c14n11'
  /** The digest is over the file's bytes, not a canonical form. */
  | 'digest-raw-bytes';

/**
 * The cause a diagnosis names: the check that explains the failure, or, when none does,
 * `signedinfo-changed` (the certificate's key provably made the signature, over other bytes) or `unknown`.
 */
export type DiagnosisCause = DiagnosisCheckId | 'signedinfo-changed' | 'unknown';

/** One check and what it found. */
export interface DiagnosisCheck {
  id: DiagnosisCheckId;
  description: Message;
  /** `explains`: verification passes under this deviation; `likely`: the best remaining explanation, not proven; `no`: tried, does not explain; `skipped`: not tried (see detail). */
  result: 'explains' | 'likely' | 'no' | 'skipped';
  /** What matched, what was found, or why the check was skipped. */
  detail?: Message;
  /** How many variants were computed. */
  tried: number;
}

/** Why a signature failed, for a person to act on. */
export interface Diagnosis {
  cause: DiagnosisCause;
  /** Further checks that explain part of the failure (e.g. the digest as well as the signature). */
  also: DiagnosisCheckId[];
  /** Whether the DigestValue matches the document as it is (false also when it was not reached). */
  digestMatches: boolean;
  message: Message;
  /** What to do about it. */
  fix: Message;
  checks: DiagnosisCheck[];
}

/** What the verifier knew when it failed. Internal: built by verify-message.ts. */
export interface DiagnosisInput {
  reason: 'signature-mismatch' | 'digest-mismatch' | 'certificate-untrusted';
  doc: XmlDocument;
  signature: XmlElement;
  signedInfo: XmlElement;
  /** CanonicalizationMethod is C14N with comments. */
  signedInfoWithComments: boolean;
  signatureAlgorithm: SignatureAlgorithm;
  digestAlgorithm: DigestAlgorithm;
  signatureValue: Buffer;
  digestValue: Buffer;
  /** The certificates the strict check tried. */
  candidates: CertificateInfo[];
  /** The certificate in KeyInfo, when there is one. */
  embedded: CertificateInfo | undefined;
  /** The trusted certificates given. */
  anchors: CertificateInfo[];
  /** The certificate whose key verified the SignatureValue (digest-mismatch, certificate-untrusted). */
  signer: CertificateInfo | undefined;
  /** Does the SignatureValue verify over these bytes with this certificate (the strict verifier's own check)? */
  verifies(data: Buffer, cert: CertificateInfo): boolean;
}

/** Declarations a CEB root usually carries; a signer's template may have had them when the message has not, or the reverse. */
const KNOWN_NS: ReadonlyArray<[string, string]> = [
  ['ceb', CEB_NS],
  ['xsi', XSI_NS],
];

const b = (zh: string, en: string): Message => ({ zh, en });
const show = (s: string) => JSON.stringify(s);

const DESCRIPTIONS: Record<DiagnosisCheckId, Message> = {
  'signedinfo-whitespace': b(
    '签名值是否对应去掉元素间空白（紧凑）、逐行或缩进排版的 SignedInfo',
    'Does the SignatureValue match SignedInfo laid out compact (no whitespace between elements), one element per line, or indented?',
  ),
  'signedinfo-namespaces': b(
    '签名值是否对应继承了另一组命名空间声明（ceb、xsi，或仅 ds）的 SignedInfo',
    'Does the SignatureValue match SignedInfo canonicalised with other inherited namespace declarations (with/without ceb, xsi; ds only)?',
  ),
  'signedinfo-not-canonical': b(
    '签名值是否对应报文中 SignedInfo 的原始文本（未规范化）',
    "Does the SignatureValue match SignedInfo's raw text as written (not canonicalised)?",
  ),
  'signature-algorithm': b(
    '签名值是否丢了或多了开头的零字节，签名是否用了 SignatureMethod 以外的摘要算法（RSA），或未使用用户标识 1234567812345678（SM2）',
    'Did the SignatureValue lose (or gain) leading zero bytes; was the signature made with another hash than SignatureMethod names (RSA), or without the SM2 user ID 1234567812345678?',
  ),
  'certificate-key': b(
    '证书中的公钥是否就是签名所用密钥',
    "Is the certificate's public key the one that made the signature?",
  ),
  'content-whitespace': b(
    '摘要值是否对应签名前后空白（换行、缩进）不同的报文',
    'Does the DigestValue match the document with other whitespace around the signature or after the document?',
  ),
  'content-namespaces': b(
    '摘要值是否对应根元素命名空间声明不同（多一个 xmlns:ds、少一个 xmlns:xsi 等）的报文',
    'Does the DigestValue match the document with other namespace declarations on the root (an extra xmlns:ds, a missing xmlns:xsi…)?',
  ),
  'digest-algorithm': b(
    '摘要值是否用了 DigestMethod 以外的摘要算法',
    'Was the DigestValue computed with another digest algorithm than DigestMethod names?',
  ),
  'digest-exclusive-c14n': b(
    '摘要值是否对应排他规范化（Exclusive C14N）的报文',
    'Does the DigestValue match the exclusive C14N of the document?',
  ),
  'digest-with-comments': b(
    '摘要值是否对应保留注释的规范化报文',
    'Does the DigestValue match the canonical document with its comments?',
  ),
  'digest-c14n11': b(
    '摘要值是否对应 C14N 1.1 规范化的报文',
    'Does the DigestValue match the C14N 1.1 form of the document?',
  ),
  'digest-raw-bytes': b(
    '摘要值是否对应报文文件的原始字节（未规范化）',
    "Does the DigestValue match the message file's raw bytes (not canonicalised)?",
  ),
};

/** The checks in the order they are made (that of DESCRIPTIONS): SignedInfo's signature first, then the document's digest. */
const CHECK_ORDER = Object.keys(DESCRIPTIONS) as DiagnosisCheckId[];
const SIGNATURE_SIDE = CHECK_ORDER.slice(0, CHECK_ORDER.indexOf('content-whitespace'));
const DIGEST_SIDE = CHECK_ORDER.slice(SIGNATURE_SIDE.length);

// ---------------------------------------------------------------- SignedInfo variants

/** How SignedInfo's whitespace between elements is laid out in a variant. */
type Layout =
  | { kind: 'as-is' }
  | { kind: 'compact'; stripDigestText: boolean }
  | { kind: 'indent'; unit: string; base: number };

/** The value of a text node that is only whitespace; undefined for anything else. */
const wsText = (n: XmlNode | undefined) => (n?.type === 'text' && /^[ \t\n\r]*$/.test(n.value) ? n.value : undefined);
const hasElementChild = (el: XmlElement) => el.children.some((c) => c.type === 'element');

function relayout(el: XmlElement, parent: XmlElement, layout: Layout, level: number): XmlElement {
  const copy: XmlElement = { ...el, parent, children: [] };
  if (!hasElementChild(el)) {
    const strip =
      layout.kind === 'compact' && layout.stripDigestText && el.ns === DSIG_NS && el.local === 'DigestValue';
    for (const c of el.children)
      copy.children.push(strip && c.type === 'text' ? { type: 'text', value: c.value.replace(/[ \t\n\r]/g, '') } : c);
    return copy;
  }
  for (const c of el.children) {
    if (layout.kind !== 'as-is' && wsText(c) !== undefined) continue;
    if (layout.kind === 'indent') copy.children.push({ type: 'text', value: `\n${layout.unit.repeat(level + 1)}` });
    copy.children.push(c.type === 'element' ? relayout(c, copy, layout, level + 1) : c);
  }
  if (layout.kind === 'indent') copy.children.push({ type: 'text', value: `\n${layout.unit.repeat(level)}` });
  return copy;
}

function usedPrefixes(el: XmlElement, out = new Set<string>()): Set<string> {
  out.add(el.prefix);
  for (const a of el.attrs) if (a.prefix && a.prefix !== 'xml') out.add(a.prefix);
  for (const c of el.children) if (c.type === 'element') usedPrefixes(c, out);
  return out;
}

/** The prefixes the root's name and its children other than the signature use (not the root's attributes). */
function contentPrefixes(root: XmlElement, sig: XmlElement): Set<string> {
  const used = new Set([root.prefix]);
  for (const c of root.children) if (c.type === 'element' && c !== sig) usedPrefixes(c, used);
  return used;
}

/** The whitespace unit a message indents with, from the whitespace before the root's first child ('\n\t' → '\t'). */
function messageIndentUnit(root: XmlElement): string | undefined {
  const first = root.children[0];
  if (first?.type !== 'text') return undefined;
  const m = /^\n+([ \t]+)$/.exec(first.value);
  return m?.[1];
}

function unitName(u: string): Message {
  if (u === '') return b('每个元素单独一行、无缩进', 'one element per line, no indentation');
  if (/^\t+$/.test(u))
    return b(`以 ${u.length} 个制表符缩进`, `indented with ${u.length === 1 ? 'a tab' : `${u.length} tabs`}`);
  if (/^ +$/.test(u)) return b(`以 ${u.length} 个空格缩进`, `indented with ${u.length} spaces`);
  return b(`以 ${show(u)} 缩进`, `indented with ${show(u)}`);
}

function nsName(p: string): string {
  return p ? `xmlns:${p}` : 'xmlns';
}

/**
 * Tries variants in order until `test` says one explains the failure. `test` answers undefined for a
 * variant that does not count (one that gives bytes already tried). `hit` is undefined when none explains.
 */
function firstHit<T>(variants: Iterable<T>, test: (v: T) => boolean | undefined): { hit?: T; tried: number } {
  let tried = 0;
  for (const v of variants) {
    const r = test(v);
    if (r === undefined) continue;
    tried++;
    if (r) return { hit: v, tried };
  }
  return { tried };
}

/**
 * The most namespace declarations the namespace checks leave out one at a time. A CEB message declares two or three
 * (ceb, xsi, ds); each variant costs a canonicalisation of everything that holds the declarations.
 */
const MAX_LEFT_OUT = 8;

/** Why the namespace checks did not leave out each of `n` declarations. */
function tooManyToLeaveOut(n: number): Message {
  return b(
    `根元素上有 ${n} 个未使用的命名空间声明，超过 ${MAX_LEFT_OUT} 个，未逐一去掉尝试`,
    `the root has ${n} namespace declarations that are not used, more than ${MAX_LEFT_OUT}: they were not left out one at a time`,
  );
}

// ---------------------------------------------------------------- RSA signature recovery

const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
  '1.2.156.10197.1.401': 'sm3',
};

/** What an RSA SignatureValue holds: undefined when the key did not make it (the PKCS#1 padding does not check out). */
function rsaRecover(sig: Buffer, cert: CertificateInfo): { hash: string | undefined; value: Buffer } | undefined {
  let block: Buffer;
  try {
    block = publicDecrypt({ key: cert.rsaKey!, padding: cryptoConstants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return undefined;
  }
  try {
    const [alg, oct] = derChildren(block, readTlv(block, 0));
    const oid = oidString(block, derChildren(block, alg!)[0]!);
    return { hash: HASH_OIDS[oid] ?? oid, value: block.subarray(oct!.start, oct!.end) };
  } catch {
    // a valid padding around a bare hash (no DigestInfo): some old signers do this
    return { hash: undefined, value: block };
  }
}

/**
 * The length at which the SignatureValue verifies over `strict` when it is not the length the key's signatures have
 * (`tried`: how many were checked). A signer that writes a signature as a number (a BigInteger's bytes, hex without
 * padding) drops its leading zero bytes, one signature in 256, or adds a 00 sign byte before a high bit: an RSA value
 * shorter than the modulus, or longer by zero bytes; an SM2 raw r‖s (not DER) whose r or s is not 32 bytes. OpenSSL,
 * xmlsec1 and Java refuse such a value, and so does the strict check.
 */
function fullLength(input: DiagnosisInput, strict: Buffer): { full?: number; tried: number } {
  const sig = input.signatureValue;
  let tried = 0;
  for (const c of input.candidates) {
    if (input.signatureAlgorithm === 'sm2-sm3') {
      if (c.keyType !== 'sm2' || sig.length === 64 || sig.length < 56 || sig.length > 66 || sm2RawSignature(sig))
        continue;
      // Each split of the value into r and s of 28 to 33 bytes (33 only after a 00 sign byte; fewer than 28 is one
      // signature in 2^32), each made 32 bytes.
      const half = (v: Buffer) => (v.length === 33 && v[0] === 0 ? v.subarray(1) : v);
      for (let rLen = Math.max(28, sig.length - 33); rLen <= Math.min(33, sig.length - 28); rLen++) {
        const rPart = half(sig.subarray(0, rLen));
        const sPart = half(sig.subarray(rLen));
        if (rPart.length > 32 || sPart.length > 32) continue;
        const raw = Buffer.alloc(64);
        rPart.copy(raw, 32 - rPart.length);
        sPart.copy(raw, 64 - sPart.length);
        tried++;
        if (checkSignatureValue('sm2-sm3', strict, raw, c).ok) return { full: 64, tried };
      }
    } else if (c.keyType === 'rsa') {
      const k = Math.ceil((c.rsaKey!.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
      const extra = sig.length - k;
      if (extra === 0 || k === 0 || (extra > 0 && sig.subarray(0, extra).some((x) => x !== 0))) continue;
      const full = extra > 0 ? sig.subarray(extra) : Buffer.concat([Buffer.alloc(-extra), sig]);
      tried++;
      if (checkSignatureValue(input.signatureAlgorithm, strict, full, c).ok) return { full: k, tried };
    }
  }
  return { tried };
}

function spkiOf(cert: CertificateInfo): Buffer {
  return Buffer.from(parseCertificate(cert.der).spki);
}

function certName(cert: CertificateInfo): string {
  return `${cert.x509.subject.replace(/\n/g, ', ')} (serial ${cert.serialHex})`;
}

// ---------------------------------------------------------------- the diagnosis

/** What an explaining check found, for the words of the diagnosis. */
interface Found {
  variant?: Message;
  /** For whitespace: which way round it happened. */
  direction?: 'compact-signed' | 'spaced-signed' | 'reindented';
  /** For namespaces/content-namespaces: what to change in the message. */
  nsFix?: Message;
  /** For algorithm checks: the algorithm actually used. */
  actual?: string;
  /** For signature-algorithm: the SignatureValue's length in bytes, and the length it verifies at. */
  length?: { was: number; full: number };
  /** For certificate-key: how it was shown. */
  how?: 'anchor' | 'rsa-padding' | 'elimination' | 'untrusted-same-key' | 'untrusted-other-key';
  anchor?: CertificateInfo;
}

/** Records what a check found. */
type Setter = (
  id: DiagnosisCheckId,
  result: DiagnosisCheck['result'],
  tried: number,
  detail?: Message,
  f?: Found,
) => void;

/**
 * Tries the known causes of a failed verification and says which one explains it.
 * Only called after the strict check failed; it never turns an invalid signature into a valid one.
 */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const { doc, signature: sig } = input;
  const checks = new Map<DiagnosisCheckId, DiagnosisCheck>();
  const found = new Map<DiagnosisCause, Found>();
  const set: Setter = (id, result, tried, detail, f) => {
    checks.set(id, { id, description: DESCRIPTIONS[id], result, ...(detail && { detail }), tried });
    if (f) found.set(id, f);
  };

  const strictDocument = canonicalizeDocument(doc, { exclude: sig });
  const digestMatches =
    input.reason !== 'digest-mismatch' && digest(input.digestAlgorithm, strictDocument).equals(input.digestValue);

  // ---- the signature over SignedInfo
  if (input.reason === 'signature-mismatch') {
    diagnoseSignature(input, set, digestMatches);
  } else {
    const why =
      input.reason === 'digest-mismatch'
        ? b('签名值与 SignedInfo 相符', 'the SignatureValue matches SignedInfo')
        : b(
            '签名值与 SignedInfo 相符，但证书不受信任',
            'the SignatureValue matches SignedInfo; the certificate is not trusted',
          );
    for (const id of SIGNATURE_SIDE) set(id, 'skipped', 0, why);
    if (input.reason === 'certificate-untrusted') untrustedKey(input, set);
  }

  // ---- the digest over the document
  if (digestMatches || input.reason === 'certificate-untrusted') {
    const why = digestMatches
      ? b('摘要值与报文相符', 'the DigestValue matches the document')
      : b('证书不受信任，未核对摘要', 'the certificate is not trusted; the digest is not examined');
    for (const id of DIGEST_SIDE) set(id, 'skipped', 0, why);
  } else {
    diagnoseDigest(input, strictDocument, set);
  }

  const ordered = CHECK_ORDER.map((id) => checks.get(id)!);
  const primarySide = input.reason === 'digest-mismatch' ? DIGEST_SIDE : SIGNATURE_SIDE;
  const primary =
    ordered.find((c) => primarySide.includes(c.id) && c.result === 'explains') ??
    ordered.find((c) => primarySide.includes(c.id) && c.result === 'likely');
  let cause: DiagnosisCause = primary?.id ?? 'unknown';
  if (!primary && input.reason === 'signature-mismatch' && found.get('certificate-key')?.how === 'rsa-padding')
    cause = 'signedinfo-changed';
  const also = ordered.filter((c) => c.result === 'explains' && c.id !== cause).map((c) => c.id);
  const { message, fix } = explain(cause, input, found.get(cause), digestMatches);
  if (also.length) {
    const more = also.map((id) => explain(id, input, found.get(id), digestMatches));
    message.zh += ` 另外：${more.map((m) => m.message.zh).join(' ')}`;
    message.en += ` Also: ${more.map((m) => m.message.en).join(' ')}`;
    fix.zh += ` ${more.map((m) => m.fix.zh).join(' ')}`;
    fix.en += ` ${more.map((m) => m.fix.en).join(' ')}`;
  }
  return { cause, also, digestMatches, message, fix, checks: ordered };
}

function diagnoseSignature(input: DiagnosisInput, set: Setter, digestMatches: boolean) {
  const { doc, signedInfo: si, candidates } = input;
  const inScope = inScopeNamespaces(si);
  // A variant is SignedInfo canonicalised under a stand-in parent that declares exactly `ns` and holds
  // the attributes of every ancestor, nearest first: the xml:* ones SignedInfo inherits are taken from them.
  const ancestors: XmlElement[] = [];
  for (let e = si.parent; e; e = e.parent) ancestors.push(e);
  const level = ancestors.length;
  const ancestorAttrs = ancestors.flatMap((e) => e.attrs);
  const bytesOf = (layout: Layout, ns: ReadonlyMap<string, string> = inScope) => {
    const holder = new ParsedElement('holder', '', 'holder', '', ancestorAttrs, [...ns], null, 0, 0);
    const el = relayout(si, holder, layout, layout.kind === 'indent' ? layout.base : level);
    return Buffer.from(canonicalizeElement(doc, el, { withComments: input.signedInfoWithComments }), 'utf8');
  };
  const strict = bytesOf({ kind: 'as-is' });
  const verifiesAny = (data: Buffer) => candidates.some((c) => input.verifies(data, c));
  // Variants are deduplicated by the bytes they give; the message's own layout is what the strict check tried.
  const seen = new Set<string>([strict.toString('latin1')]);
  const freshVerifies = (bytes: Buffer) => {
    const k = bytes.toString('latin1');
    if (seen.has(k)) return undefined;
    seen.add(k);
    return verifiesAny(bytes);
  };
  /** A check that explains the failure: the ones after it are not tried. */
  const explains = (id: DiagnosisCheckId, tried: number, detail: Message, f?: Found) => {
    set(id, 'explains', tried, detail, f);
    for (const rest of SIGNATURE_SIDE.slice(SIGNATURE_SIDE.indexOf(id) + 1))
      set(rest, 'skipped', 0, b('前面的检查已找到原因', 'an earlier check explains the failure'));
  };

  const messageSpaced = hasWhitespaceBetween(si);
  const digestEl = [...allElements(si)].find((e) => e.ns === DSIG_NS && e.local === 'DigestValue');
  const digestHasWs = digestEl !== undefined && /[ \t\n\r]/.test(textContent(digestEl));
  const compact: Layout = { kind: 'compact', stripDigestText: false };
  const layouts: Array<[Layout, Message]> = [
    [compact, b('紧凑（元素之间无空白）', 'compact (no whitespace between elements)')],
  ];
  if (digestHasWs)
    layouts.push([
      { kind: 'compact', stripDigestText: true },
      b('紧凑，且 DigestValue 不换行', 'compact, with DigestValue on one line'),
    ]);
  const units = [
    ...new Set(['', messageIndentUnit(doc.root), '\t', '  ', '    '].filter((u): u is string => u !== undefined)),
  ];
  for (const u of units) {
    for (const base of u === '' ? [level] : [...new Set([level, 0, 1])]) {
      const where =
        u === ''
          ? b('', '')
          : base === level
            ? b('，按其在报文中的层级', ' at its depth in the message')
            : b(`，从第 ${base} 层起`, ` from depth ${base}`);
      const name = unitName(u);
      layouts.push([{ kind: 'indent', unit: u, base }, b(name.zh + where.zh, name.en + where.en)]);
    }
  }

  // 1. whitespace
  const ws = firstHit(layouts, ([layout]) => freshVerifies(bytesOf(layout)));
  if (ws.hit) {
    const [layout, label] = ws.hit;
    const direction = layout.kind === 'compact' ? 'compact-signed' : messageSpaced ? 'reindented' : 'spaced-signed';
    return explains(
      'signedinfo-whitespace',
      ws.tried,
      b(`签名时的 SignedInfo 为：${label.zh}`, `SignedInfo was signed ${label.en}`),
      { variant: label, direction },
    );
  }
  set('signedinfo-whitespace', 'no', ws.tried);

  // 2. namespaces (as laid out in the message, and compact)
  const used = usedPrefixes(si);
  const removable = [...inScope.keys()].filter((p) => !used.has(p) && inScope.get(p) !== '');
  const sets: Array<[Map<string, string>, Message, Message]> = [];
  // A declaration the document itself uses was surely there when signing: leaving it out means SignedInfo was canonicalised out of context.
  const docUsed = contentPrefixes(doc.root, input.signature);
  const outOfContext = b(
    '签名方在报文之外规范化了 SignedInfo（如排他规范化，或单独构造的 Signature）：海关按包容式 C14N 1.0 在报文中验签，SignedInfo 须继承根元素的全部命名空间声明；请在报文中就地规范化后签名。',
    'The signer canonicalised SignedInfo outside the document (exclusive C14N, or a Signature built on its own): customs verifies inclusive C14N 1.0 in place, where SignedInfo inherits every namespace declared on the root. Canonicalise SignedInfo in the message before signing.',
  );
  // (one at a time only for a root that declares a handful, as messages do: each variant is a canonicalisation of
  // what holds them all, and a root of 4,000 declarations took 280 s and 1.5 GB)
  const oneByOne = removable.length <= MAX_LEFT_OUT;
  for (const p of oneByOne ? removable : []) {
    const m = new Map(inScope);
    m.delete(p);
    if (docUsed.has(p))
      sets.push([
        m,
        b(`不含 ${nsName(p)}（脱离报文规范化）`, `without ${nsName(p)} (canonicalised outside the document)`),
        outOfContext,
      ]);
    else
      sets.push([
        m,
        b(`不含 ${nsName(p)}`, `without ${nsName(p)}`),
        b(
          `签名时根元素上没有 ${nsName(p)}="${inScope.get(p)}"：从报文根元素上删去这个多余的声明，或对实际发送的报文重新签名。`,
          `Remove the extra ${nsName(p)}="${inScope.get(p)}" declaration from the message root (it was not there when signing), or sign the message as it is sent.`,
        ),
      ]);
  }
  if (removable.length >= 2) {
    const m = new Map([...inScope].filter(([p]) => used.has(p)));
    sets.push([
      m,
      b(
        `仅含 ${[...m.keys()].map(nsName).join('、')}（排他规范化，或脱离报文规范化）`,
        `with only ${[...m.keys()].map(nsName).join(', ')} (exclusive C14N, or canonicalised outside the document)`,
      ),
      outOfContext,
    ]);
  }
  const absent = KNOWN_NS.filter(([p]) => !inScope.has(p));
  for (const [p, u] of absent) {
    sets.push([
      new Map([...inScope, [p, u]]),
      b(`多一个 ${nsName(p)}`, `with ${nsName(p)} added`),
      b(
        `签名时根元素上有 ${nsName(p)}="${u}"，报文中却没有：在根元素上补回这个声明，或对实际发送的报文重新签名。`,
        `The root had ${nsName(p)}="${u}" when signing but the message has not: declare it on the root again, or sign the message as it is sent.`,
      ),
    ]);
  }
  if (absent.length === 2)
    sets.push([
      new Map([...inScope, ...absent]),
      b('多 xmlns:ceb 与 xmlns:xsi', 'with xmlns:ceb and xmlns:xsi added'),
      b(
        '签名时根元素上有 xmlns:ceb 与 xmlns:xsi，报文中却没有：补回声明，或重新签名。',
        'The root had xmlns:ceb and xmlns:xsi when signing but the message has not: declare them again, or sign the message as it is sent.',
      ),
    ]);
  const nsVariants = sets.flatMap(([m, label, nsFix]) => [
    { m, layout: { kind: 'as-is' } as Layout, variant: label, nsFix },
    { m, layout: compact, variant: b(`${label.zh}，且紧凑排版`, `${label.en}, and compact`), nsFix },
  ]);
  const ns = firstHit(nsVariants, (v) => freshVerifies(bytesOf(v.layout, v.m)));
  if (ns.hit) {
    const { variant, nsFix } = ns.hit;
    return explains(
      'signedinfo-namespaces',
      ns.tried,
      b(`签名时的 SignedInfo ${variant.zh}`, `SignedInfo was signed ${variant.en}`),
      { variant, nsFix },
    );
  }
  set('signedinfo-namespaces', 'no', ns.tried, oneByOne ? undefined : tooManyToLeaveOut(removable.length));

  // 3. the raw text, not canonicalised
  const rawVerifies = freshVerifies(Buffer.from(doc.text.slice(si.start, si.end), 'utf8'));
  if (rawVerifies)
    return explains(
      'signedinfo-not-canonical',
      1,
      b('签名对应 SignedInfo 的原始文本', "the signature is over SignedInfo's raw text"),
    );
  set('signedinfo-not-canonical', 'no', rawVerifies === undefined ? 0 : 1);

  // 4. the encoding and the algorithm: a value written as a number; RSA tells which hash it signed; SM2 may have been
  // signed without the user ID
  const fixed = fullLength(input, strict);
  if (fixed.full !== undefined) {
    const was = input.signatureValue.length;
    return explains(
      'signature-algorithm',
      fixed.tried,
      b(
        `签名值为 ${was} 字节，补足（或去掉）开头的零字节成 ${fixed.full} 字节后验证通过`,
        `the SignatureValue has ${was} bytes; with its leading zero bytes put back (or taken off) to ${fixed.full} bytes it verifies`,
      ),
      { length: { was, full: fixed.full } },
    );
  }
  const rsaFound =
    input.signatureAlgorithm === 'sm2-sm3' ? [] : candidates.map((c) => rsaRecover(input.signatureValue, c));
  if (input.signatureAlgorithm === 'sm2-sm3') {
    const raw = sm2RawSignature(input.signatureValue);
    const ways: Array<[Message, (c: CertificateInfo) => Buffer]> = [
      [b('空用户标识', 'an empty user ID'), (c) => sm2E(sm2Z(c.sm2Point!, ''), strict)],
      [
        b('不做 Z 值预处理（直接对 SM3(M) 签名）', 'no Z preprocessing (SM3(M) signed directly)'),
        () => digest('sm3', strict),
      ],
    ];
    const sm2 = firstHit(raw ? candidates.flatMap((c) => ways.map((w) => [c, w] as const)) : [], ([c, [, e]]) =>
      sm2VerifyE(e(c), raw!, c.sm2Point!),
    );
    if (sm2.hit) {
      const hit = sm2.hit[1][0];
      return explains(
        'signature-algorithm',
        sm2.tried,
        b(
          `SM2 签名使用了${hit.zh}，而非用户标识 ${SM2_DEFAULT_USER_ID}`,
          `the SM2 signature was made with ${hit.en} instead of user ID ${SM2_DEFAULT_USER_ID}`,
        ),
        { variant: hit },
      );
    }
    set('signature-algorithm', 'no', fixed.tried + sm2.tried);
  } else {
    const expected = input.signatureAlgorithm === 'rsa-sha1' ? 'sha1' : 'sha256';
    const other = rsaFound.find((r) => r && r.hash !== expected);
    if (other) {
      const used = other.hash ?? 'raw (no DigestInfo)';
      const matches =
        other.hash &&
        (other.hash === 'sha1' || other.hash === 'sha256' || other.hash === 'sm3') &&
        digest(other.hash, strict).equals(other.value);
      return explains(
        'signature-algorithm',
        1,
        b(
          `RSA 签名内含的摘要算法是 ${used}，而 SignatureMethod 是 ${input.signatureAlgorithm}${matches ? '；按该算法计算的 SignedInfo 摘要相符' : ''}`,
          `the RSA signature holds a ${used} hash, but SignatureMethod is ${input.signatureAlgorithm}${matches ? '; SignedInfo hashed with it matches' : ''}`,
        ),
        { variant: b(used, used), actual: used },
      );
    }
    set(
      'signature-algorithm',
      'no',
      fixed.tried + rsaFound.length,
      rsaFound.some(Boolean)
        ? b(
            `RSA 签名内含的摘要算法是 ${expected}，与 SignatureMethod 一致`,
            `the RSA signature holds a ${expected} hash, as SignatureMethod says`,
          )
        : undefined,
    );
  }

  // 5. the key
  const others = input.embedded ? input.anchors.filter((a) => !spkiOf(a).equals(spkiOf(input.embedded!))) : [];
  const anchor = others.find((a) => a.keyType === input.embedded!.keyType && input.verifies(strict, a));
  const keyDiffers =
    input.embedded && input.anchors.length > 0 && others.length === input.anchors.length
      ? b(
          `所给的受信任证书（--cert）与 KeyInfo 中证书的公钥不同。`,
          'The trusted certificate(s) given (--cert) hold another public key than the certificate in KeyInfo.',
        )
      : b('', '');
  if (anchor) {
    set(
      'certificate-key',
      'explains',
      others.length,
      b(
        `签名由所给证书 ${certName(anchor)} 的密钥所做，而 KeyInfo 中是另一张证书 ${certName(input.embedded!)}`,
        `the key of the given certificate ${certName(anchor)} made the signature, but KeyInfo holds another certificate, ${certName(input.embedded!)}`,
      ),
      { how: 'anchor', anchor },
    );
  } else if (input.signatureAlgorithm !== 'sm2-sm3') {
    const padding = rsaFound.every((r) => r === undefined);
    set(
      'certificate-key',
      padding ? 'explains' : 'no',
      rsaFound.length,
      padding
        ? b(
            `${keyDiffers.zh}用证书公钥解开签名值，PKCS#1 填充不成立：签名不是这把密钥所做`.trim(),
            `${keyDiffers.en} Opened with the certificate's public key, the SignatureValue has no valid PKCS#1 padding: this key did not make it`.trim(),
          )
        : b(
            '用证书公钥解开签名值，PKCS#1 填充与 DigestInfo 成立：签名就是这把密钥所做，但签的是另一段 SignedInfo',
            "Opened with the certificate's public key, the SignatureValue has valid PKCS#1 padding and DigestInfo: this key made it, over other SignedInfo bytes",
          ),
      { how: 'rsa-padding' },
    );
  } else {
    // SM2 cannot say which key signed: after every variant failed, the key is the likeliest remaining cause.
    set(
      'certificate-key',
      digestMatches ? 'likely' : 'no',
      others.length,
      digestMatches
        ? b(
            `${keyDiffers.zh}报文摘要相符，但任何一种 SignedInfo 排版都无法用该证书公钥验证通过（SM2 无法从签名值判断是哪把密钥）`,
            `${keyDiffers.en} The document digest matches, yet no form of SignedInfo verifies with this certificate's key (SM2 cannot tell from the SignatureValue which key made it)`.trim(),
          )
        : b(
            `${keyDiffers.zh}签名与摘要均不相符：无法判断是换了密钥还是报文在签名后被修改`,
            `${keyDiffers.en} Neither the signature nor the digest matches: it cannot be told whether another key signed or the message was changed after signing`.trim(),
          ),
      { how: 'elimination' },
    );
  }
}

function untrustedKey(input: DiagnosisInput, set: Setter): void {
  const signer = input.signer!;
  const spki = spkiOf(signer);
  const same = input.anchors.find((a) => spkiOf(a).equals(spki));
  set(
    'certificate-key',
    'explains',
    input.anchors.length,
    same
      ? b(
          `签名证书 ${certName(signer)} 与受信任证书 ${certName(same)} 公钥相同，但证书不同（证书已重新签发或更新）`,
          `the signing certificate ${certName(signer)} holds the same public key as the trusted ${certName(same)}, but is another certificate (re-issued or renewed)`,
        )
      : b(
          `签名证书 ${certName(signer)} 的公钥与所给的受信任证书都不同`,
          `the signing certificate ${certName(signer)} holds a public key none of the trusted certificates hold`,
        ),
    same ? { how: 'untrusted-same-key', anchor: same } : { how: 'untrusted-other-key' },
  );
}

function diagnoseDigest(input: DiagnosisInput, strictDocument: string, set: Setter): void {
  const { doc, signature: sig } = input;
  const root = doc.root;
  const want = input.digestValue;
  const matches = (s: string) => digest(input.digestAlgorithm, s).equals(want);
  /** Does the digest match the document with these changes to its root? (Same children objects, so `exclude` still finds the signature.) */
  const matchesWithRoot = (changes: Partial<XmlElement>) => {
    const changed: XmlElement = { ...root, ...changes };
    const children = doc.children.map((c) => (c === root ? changed : c));
    return matches(canonicalizeDocument({ text: doc.text, root: changed, children }, { exclude: sig }));
  };
  // The whitespace text nodes just before and after the signature, if any.
  const i = root.children.indexOf(sig);
  const prev = wsText(root.children[i - 1]);
  const next = wsText(root.children[i + 1]);

  // content-whitespace: the text around the signature (inside the root), and a newline after the document
  {
    const current = (prev ?? '') + (next ?? '');
    const unit = messageIndentUnit(root);
    const candidates = [
      ...new Set([
        '',
        '\n',
        '\n\n',
        prev ?? '',
        next ?? '',
        ...(unit !== undefined ? [`\n${unit}`, `\n${unit}\n`] : []),
        current.replace(/\n$/, ''),
        `${current}\n`,
      ]),
    ].filter((w) => w !== current);
    const bare = root.children.filter(
      (_c, k) => !((k === i - 1 && prev !== undefined) || (k === i + 1 && next !== undefined)),
    );
    const around = firstHit(candidates, (w) => {
      const kids = [...bare];
      if (w) kids.splice(kids.indexOf(sig), 0, { type: 'text', value: w });
      return matchesWithRoot({ children: kids });
    });
    const after = firstHit(
      around.hit === undefined
        ? ([
            [`${strictDocument}\n`, b('规范化报文末尾多一个换行', 'a newline after the canonical document')],
            [strictDocument.trim(), b('规范化报文去掉首尾空白', 'the canonical document trimmed')],
          ] as Array<[string, Message]>)
        : [],
      ([s]) => (s === strictDocument ? undefined : matches(s)),
    );
    const hit =
      around.hit !== undefined
        ? b(
            `签名处的空白为 ${show(around.hit)}，而报文中是 ${show(current)}`,
            `the whitespace where the signature sits was ${show(around.hit)}, the message has ${show(current)}`,
          )
        : after.hit?.[1];
    const tried = around.tried + after.tried;
    set('content-whitespace', hit ? 'explains' : 'no', tried, hit, hit && { variant: hit });
  }

  // content-namespaces: declarations on the root added or removed
  {
    const used = contentPrefixes(root, sig);
    for (const a of root.attrs) if (a.prefix) used.add(a.prefix);
    const variants: Array<[Array<readonly [string, string]>, Message, Message]> = [];
    const unused = root.nsDecls.filter(([p]) => !used.has(p));
    // (each variant digests the whole document again: one at a time only for a handful, as in signedinfo-namespaces)
    const oneByOne = unused.length <= MAX_LEFT_OUT;
    for (const [p, u] of oneByOne ? unused : []) {
      variants.push([
        root.nsDecls.filter(([q]) => q !== p),
        b(`根元素上不含 ${nsName(p)}`, `without ${nsName(p)} on the root`),
        b(
          `签名时根元素上没有 ${nsName(p)}="${u}"：删去这个多余的命名空间声明，或对实际发送的报文重新签名。`,
          `Remove the extra ${nsName(p)}="${u}" namespace declaration from the root (it was not there when the digest was computed), or sign the message as it is sent.`,
        ),
      ]);
    }
    for (const [p, u] of [...KNOWN_NS, ['ds', DSIG_NS] as [string, string]]) {
      if (root.nsDecls.some(([q]) => q === p)) continue;
      variants.push([
        [...root.nsDecls, [p, u]],
        b(`根元素上多一个 ${nsName(p)}`, `with ${nsName(p)} on the root`),
        b(
          `计算摘要时根元素上有 ${nsName(p)}="${u}"，报文中却没有：在根元素上补回，或对实际发送的报文重新签名。`,
          `The root had ${nsName(p)}="${u}" when the digest was computed but the message has not: declare it again, or sign the message as it is sent.`,
        ),
      ]);
    }
    const { hit, tried } = firstHit(variants, ([nsDecls]) => matchesWithRoot({ nsDecls }));
    if (hit) {
      const [, variant, nsFix] = hit;
      set(
        'content-namespaces',
        'explains',
        tried,
        b(`摘要对应${variant.zh}的报文`, `the digest is over the document ${variant.en}`),
        { variant, nsFix },
      );
    } else set('content-namespaces', 'no', tried, oneByOne ? undefined : tooManyToLeaveOut(unused.length));
  }

  // digest-algorithm
  {
    const others = (['sha1', 'sha256', 'sm3'] as const).filter((a) => a !== input.digestAlgorithm);
    const hit = others.find((a) => digest(a, strictDocument).equals(want));
    set(
      'digest-algorithm',
      hit ? 'explains' : 'no',
      others.length,
      hit
        ? b(
            `摘要值是 ${hit} 摘要，而 DigestMethod 表示 ${input.digestAlgorithm}`,
            `the DigestValue is a ${hit} digest, but DigestMethod means ${input.digestAlgorithm}`,
          )
        : want.length !== (input.digestAlgorithm === 'sha1' ? 20 : 32)
          ? b(
              `摘要值长 ${want.length} 字节，与 ${input.digestAlgorithm} 不符`,
              `the DigestValue is ${want.length} bytes long, which does not fit ${input.digestAlgorithm}`,
            )
          : undefined,
      hit && { actual: hit },
    );
  }

  // other canonicalisations
  if (matches(canonicalizeDocument(doc, { exclude: sig, exclusive: true })))
    set('digest-exclusive-c14n', 'explains', 1, b('摘要对应排他规范化的报文', 'the digest is over exclusive C14N'));
  else set('digest-exclusive-c14n', 'no', 1);
  if (!doc.text.includes('<!--'))
    set('digest-with-comments', 'skipped', 0, b('报文中没有注释', 'the document has no comments'));
  else if (matches(canonicalizeDocument(doc, { exclude: sig, withComments: true })))
    set(
      'digest-with-comments',
      'explains',
      1,
      b('摘要对应保留注释的规范化报文', 'the digest is over the canonical document with its comments'),
    );
  else set('digest-with-comments', 'no', 1);
  // C14N 1.1 differs from 1.0 only in the xml:* attributes a document *subset* inherits; a whole document gives the same bytes.
  set(
    'digest-c14n11',
    'no',
    0,
    b(
      '对整个报文，C14N 1.1 与 C14N 1.0 输出相同的字节',
      'for a whole document C14N 1.1 writes the same bytes as C14N 1.0',
    ),
  );

  // raw bytes: the file as written, with the signature cut out
  {
    const t = doc.text;
    const bases: Array<[string, Message]> = [
      [t.slice(0, sig.start) + t.slice(sig.end), b('去掉签名', 'the signature cut out')],
      [
        t.slice(0, sig.start - (prev?.length ?? 0)) + t.slice(sig.end),
        b('去掉签名及其前面的空白', 'the signature and the whitespace before it cut out'),
      ],
    ];
    // Made one at a time (each is a copy of the file).
    function* variants(): Generator<[string, Message]> {
      for (const [base, l1] of bases)
        for (const [s, l2] of [
          [base, b('', '')],
          // (the cut is after the root's start tag, so root.start holds in both)
          [base.slice(root.start), b('，不含 XML 声明', ', without the XML declaration')],
        ] as Array<[string, Message]>)
          for (const [s2, l3] of [
            [s, b('', '')],
            [s.trimEnd(), b('，去掉末尾空白', ', trailing whitespace removed')],
            [`${s.trimEnd()}\n`, b('，末尾一个换行', ', ending in one newline')],
            [s.replace(/\n/g, '\r\n'), b('，CRLF 换行', ', CRLF line ends')],
          ] as Array<[string, Message]>)
            yield [
              s2,
              b(`报文文件原始字节（${l1.zh}${l2.zh}${l3.zh}）`, `the file's raw bytes (${l1.en}${l2.en}${l3.en})`),
            ];
    }
    const { hit, tried } = firstHit(variants(), ([s]) => matches(s));
    if (hit) {
      const variant = hit[1];
      set('digest-raw-bytes', 'explains', tried, b(`摘要对应${variant.zh}`, `the digest is over ${variant.en}`), {
        variant,
      });
    } else set('digest-raw-bytes', 'no', tried);
  }
}

function hasWhitespaceBetween(el: XmlElement): boolean {
  if (!hasElementChild(el)) return false;
  return el.children.some(
    (c) => (c.type === 'text' && c.value !== '') || (c.type === 'element' && hasWhitespaceBetween(c)),
  );
}

// ---------------------------------------------------------------- words

/** What a cause means and what to do: the message in both languages, then the fix (both languages, or one Message). */
function say(zh: string, en: string, ...fix: [Message] | [string, string]): { message: Message; fix: Message } {
  return { message: b(zh, en), fix: fix.length === 1 ? fix[0] : b(fix[0], fix[1]) };
}

function explain(
  cause: DiagnosisCause,
  input: DiagnosisInput,
  f: Found | undefined,
  digestMatches: boolean,
): { message: Message; fix: Message } {
  // Set by every check whose words name the variant.
  const v = f?.variant as Message;
  const signExact = b(
    '签名的字节必须就是发送的字节：插入签名后不要再重排（缩进、美化）ds:SignedInfo。',
    'Sign the exact bytes you send: insert the signature without re-indenting (no pretty-printing of ds:SignedInfo after signing).',
  );
  switch (cause) {
    case 'signedinfo-whitespace': {
      if (f!.direction === 'compact-signed')
        return say(
          `签名值与去掉元素间空白的 SignedInfo 相符：签名时是紧凑格式，插入报文时却被美化排版（加了换行、缩进）。（${v.zh}）`,
          `The SignatureValue matches SignedInfo with the whitespace between its elements removed: it was signed compact and inserted pretty-printed. (Signed ${v.en}.)`,
          signExact,
        );
      if (f!.direction === 'spaced-signed')
        return say(
          `签名值与带换行/缩进的 SignedInfo 相符（${v.zh}）：签名时有空白，插入报文时却被压缩。`,
          `The SignatureValue matches SignedInfo laid out ${v.en}: it was signed pretty-printed and inserted compact (its whitespace stripped).`,
          '签名的字节必须就是发送的字节：插入签名时保留 ds:SignedInfo 签名时的空白，不要压缩。',
          'Sign the exact bytes you send: keep the whitespace ds:SignedInfo had when it was signed (do not compact it).',
        );
      return say(
        `签名值与另一种排版的 SignedInfo 相符（${v.zh}）：签名后 SignedInfo 被重新缩进。`,
        `The SignatureValue matches SignedInfo laid out ${v.en}: SignedInfo was re-indented after signing.`,
        signExact,
      );
    }
    case 'signedinfo-namespaces':
      return say(
        `签名值与${v.zh}的 SignedInfo 相符：签名时与报文中的命名空间声明不同。`,
        `The SignatureValue matches SignedInfo canonicalised ${v.en}: the namespace declarations in scope when signing differ from the message's.`,
        f!.nsFix!,
      );
    case 'signedinfo-not-canonical':
      return say(
        '签名值与报文中 SignedInfo 的原始文本相符：签名方没有先做规范化（C14N）。',
        "The SignatureValue matches SignedInfo's raw text: the signer did not canonicalise it.",
        '对 SignedInfo 在报文中的包容式 C14N 1.0 形式签名（含继承的命名空间声明）。',
        'Sign the inclusive C14N 1.0 form of SignedInfo in its document context (with the namespace declarations it inherits).',
      );
    case 'signature-algorithm':
      if (f!.length) {
        const { was, full } = f!.length;
        const lost = was < full;
        return say(
          `签名值为 ${was} 字节，而该密钥的签名值是 ${full} 字节：签名方把签名当作整数写出，${lost ? '丢了开头的零字节' : '多了开头的零字节（符号位）'}；${lost ? '补足' : '去掉'}后签名相符。OpenSSL 与 xmlsec1 不接受这种长度的签名值。`,
          `The SignatureValue has ${was} bytes where the key's signatures have ${full}: the signer wrote it as a number and ${lost ? 'lost its leading zero bytes' : 'added leading zero bytes (a sign byte)'}; at ${full} bytes it verifies. OpenSSL and xmlsec1 refuse a value of the wrong length.`,
          input.signatureAlgorithm === 'sm2-sm3'
            ? '按定长写出 SM2 签名：r 与 s 各 32 字节（不足补前导零，不加符号位 00），或写成 DER。'
            : '按密钥长度定长写出 RSA 签名值（RFC 8017 I2OSP：不足补前导零，不加符号位 00）。',
          input.signatureAlgorithm === 'sm2-sm3'
            ? 'Write the SM2 signature at fixed length: r and s of 32 bytes each (left-padded with zero bytes, no 00 sign byte), or as DER.'
            : "Write the RSA signature at the key's length (RFC 8017 I2OSP: left-padded with zero bytes, no 00 sign byte).",
        );
      }
      if (input.signatureAlgorithm === 'sm2-sm3')
        return say(
          `SM2 签名使用了${v.zh}，而海关要求用户标识 ${SM2_DEFAULT_USER_ID}。`,
          `The SM2 signature was made with ${v.en}, not with user ID ${SM2_DEFAULT_USER_ID}.`,
          `签名设备或 SDK 须按 SM3withSM2、用户标识 ${SM2_DEFAULT_USER_ID} 签名。`,
          `Configure the signing device or SDK for SM3withSM2 with user ID ${SM2_DEFAULT_USER_ID}.`,
        );
      return say(
        `RSA 签名内含 ${f!.actual} 摘要，而 SignatureMethod 是 ${input.signatureAlgorithm}。`,
        `The RSA signature holds a ${f!.actual} hash, but SignatureMethod says ${input.signatureAlgorithm}.`,
        '写入与签名设备实际所用摘要算法一致的 SignatureMethod，或让设备按 SignatureMethod 所示算法签名。',
        'Write the SignatureMethod for the hash the signer actually uses, or make the signer use the hash SignatureMethod names.',
      );
    case 'certificate-key': {
      const reissue = b(
        '重新签发证书，或改用与证书匹配的密钥（确认 UKey/签名设备中的密钥就是所嵌证书的密钥）。',
        'Re-issue the certificate or use the matching key (check that the UKey or signing device holds the key of the certificate you embed).',
      );
      if (f!.how === 'anchor')
        return say(
          `KeyInfo 中的证书不是签名证书：签名由所给证书 ${certName(f!.anchor!)} 的密钥所做。`,
          `The certificate in KeyInfo is not the signer's: the key of the given certificate ${certName(f!.anchor!)} made the signature.`,
          '在 ds:X509Certificate 中放入签名所用的证书（或用与 KeyInfo 证书匹配的密钥重新签名）。',
          'Put the signing certificate in ds:X509Certificate (or re-sign with the key of the certificate in KeyInfo).',
        );
      if (f!.how === 'untrusted-same-key')
        return say(
          `签名证书与受信任证书 ${certName(f!.anchor!)} 的密钥相同，但证书已重新签发或更新。`,
          `The signing certificate holds the same key as the trusted ${certName(f!.anchor!)}, but it is another certificate (re-issued or renewed).`,
          '把新证书（或其签发 CA）加入受信任证书（--cert），或用当前登记的证书签名。',
          'Add the new certificate (or its issuing CA) to the trusted certificates (--cert), or sign with the certificate that is registered.',
        );
      if (f!.how === 'untrusted-other-key')
        return say(
          '签名所用证书的密钥与任何受信任证书都不同：报文由另一张证书签名。',
          'The message was signed with a key none of the trusted certificates hold: another certificate signed it.',
          '用登记的证书（UKey）签名，或把签名证书（或其 CA）加入受信任证书。',
          'Sign with the registered certificate (UKey), or add the signing certificate (or its CA) to the trusted certificates.',
        );
      const whose = input.embedded
        ? b('KeyInfo 中证书', 'the certificate in KeyInfo')
        : b('所给证书', 'the given certificates');
      if (f!.how === 'rsa-padding')
        return say(
          `签名值不是${whose.zh}的密钥所做（用其公钥解开后 PKCS#1 填充不成立）。`,
          `The SignatureValue was not made with the key of ${whose.en} (opened with its public key, the PKCS#1 padding does not check out).`,
          reissue,
        );
      return say(
        '任何一种 SignedInfo 形式都无法用证书公钥验证通过，而报文摘要相符：很可能是用另一把密钥签的名（也可能是签名后改动了 SignedInfo）。',
        "No form of SignedInfo verifies with the certificate's key while the document digest matches: most probably another key signed (or SignedInfo was edited after signing).",
        reissue,
      );
    }
    case 'content-whitespace':
      return say(
        `摘要值与空白不同的报文相符：${v.zh}。插入签名时增删了空白。`,
        `The DigestValue matches the document with other whitespace: ${v.en}. Whitespace was added or removed when the signature was inserted.`,
        '把签名原样插入计算摘要时的位置，前后不要增加换行或缩进（或对实际发送的报文计算摘要）。',
        'Insert the signature exactly where the digest was computed, adding no line breaks or indentation around it (or digest the document as it is sent).',
      );
    case 'content-namespaces':
      return say(
        `摘要值与${v.zh}的报文相符：根元素的命名空间声明在计算摘要后被改动。`,
        `The DigestValue matches the document ${v.en}: the root's namespace declarations changed after the digest was computed.`,
        f!.nsFix!,
      );
    case 'digest-algorithm':
      return say(
        `摘要值是 ${f!.actual} 摘要，而 DigestMethod 表示 ${input.digestAlgorithm}。`,
        `The DigestValue is a ${f!.actual} digest, but DigestMethod means ${input.digestAlgorithm}.`,
        `写入 ${f!.actual} 对应的 DigestMethod URI（如海南 SM2 用 http://www.w3.org/2000/09/xmldsig#sha1），或按 DigestMethod 所示算法计算摘要。`,
        `Write the DigestMethod URI of ${f!.actual} (Hainan's SM2 variant uses http://www.w3.org/2000/09/xmldsig#sha1), or digest with the algorithm DigestMethod names.`,
      );
    case 'digest-exclusive-c14n':
      return say(
        '摘要值与排他规范化（Exclusive C14N）的报文相符，而 Transforms 要求包容式 C14N 1.0。',
        'The DigestValue matches the exclusive C14N of the document, but the Transforms call for inclusive C14N 1.0.',
        '用包容式 C14N 1.0（http://www.w3.org/TR/2001/REC-xml-c14n-20010315）计算摘要。',
        'Digest the inclusive C14N 1.0 form (http://www.w3.org/TR/2001/REC-xml-c14n-20010315).',
      );
    case 'digest-with-comments':
      return say(
        '摘要值与保留注释的规范化报文相符：URI="" 的引用不含注释。',
        'The DigestValue matches the canonical document with its comments: a URI="" reference leaves comments out.',
        '计算摘要时去掉注释（或签名前删去报文中的注释）。',
        'Digest without comments (or remove the comments before signing).',
      );
    case 'digest-raw-bytes':
      return say(
        `摘要值与${v.zh}相符：签名方没有先做规范化。`,
        `The DigestValue matches ${v.en}: the signer did not canonicalise the document.`,
        '对报文的包容式 C14N 1.0 形式（去掉签名）计算摘要，而不是对文件字节。',
        "Digest the inclusive C14N 1.0 form of the document (signature left out), not the file's bytes.",
      );
    case 'signedinfo-changed':
      return say(
        '签名值确是证书密钥所做，但签的不是报文中任何一种形式的 SignedInfo：SignedInfo 在签名后被改动（摘要值、算法或属性）。',
        "The certificate's key made the SignatureValue, but over none of the forms of SignedInfo tried: SignedInfo was changed after signing (its DigestValue, algorithms or attributes).",
        '重新签名；签名后不要再改动 ds:SignedInfo。',
        'Re-sign; do not edit ds:SignedInfo after signing.',
      );
    default:
      if (input.reason === 'digest-mismatch')
        return say(
          '报文在签名后被修改：空白、命名空间、规范化方式与摘要算法的各种变体都无法解释。',
          'The document was changed after signing: no whitespace, namespace, canonicalisation or digest-algorithm variant explains the digest.',
          '对最终发送的报文重新签名，并查明签名后是哪一步改动了报文。',
          'Re-sign the final document, and find which step changed it after signing.',
        );
      return say(
        `没有一项检查能解释签名不符${digestMatches ? '（报文摘要相符）' : '，报文摘要也不符'}：可能是签名后改动了 SignedInfo，或由另一把密钥签名。`,
        `No check explains the signature failure${digestMatches ? ' (the document digest matches)' : ', and the document digest does not match either'}: SignedInfo may have been edited after signing, or another key signed.`,
        '对实际发送的报文重新签名；比对签名方所签的规范化 SignedInfo 字节与报文中的。',
        "Re-sign the message as it is sent; compare the canonical SignedInfo bytes the signer signed with the message's.",
      );
  }
}
