/**
 * The little DER reading and writing that signing needs: SM2 keys in PKCS#8, public keys in
 * certificates, and SM2 signatures as DER `SEQUENCE { r, s }` or raw r‖s.
 */

import { SandanError, messageOf } from '../errors.js';
import { describeInput, ownValue } from '../model/guards.js';

/** One TLV: tag byte, where its content starts and where it ends. */
interface Tlv {
  tag: number;
  start: number;
  end: number;
  /** Offset of the tag byte (so `buf.subarray(head, end)` is the whole encoding). */
  head: number;
}

/** Reads the TLV at `at`; throws a plain Error on malformed input (callers turn it into their own error). */
export function readTlv(buf: Uint8Array, at: number, limit = buf.length): Tlv {
  if (at + 2 > limit) throw new Error('truncated DER');
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const k = len & 0x7f;
    if (k === 0 || k > 4 || p + k > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + buf[p + i]!;
    p += k;
  }
  if (p + len > limit) throw new Error('truncated DER');
  return { tag, start: p, end: p + len, head: at };
}

/** The TLVs directly inside a constructed TLV. */
export function children(buf: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start; p < t.end; ) {
    const c = readTlv(buf, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's content. */
export function oidString(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let p = t.start; p < t.end; p++) {
    const b = buf[p]!;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** OID of the SM2 curve (and SM2 keys). */
export const OID_SM2 = '1.2.156.10197.1.301';
/** OID of id-ecPublicKey. */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/** OID of rsaEncryption. */
export const OID_RSA = '1.2.840.113549.1.1.1';
/** OID of the SM3withSM2 certificate signature. */
export const OID_SM3_WITH_SM2 = '1.2.156.10197.1.501';

/**
 * Names of key algorithms and curves a refused key may carry, so that a refusal says "EC P-256" and not only its
 * OID (RFC 5480 section 2.1.1.1 for the NIST curves, SEC 2 for secp256k1, RFC 8410 for the Edwards and Montgomery
 * keys, RFC 4055 for RSASSA-PSS, RFC 3279 for DSA).
 */
const OID_NAMES: Readonly<Record<string, string>> = {
  [OID_RSA]: 'RSA',
  [OID_EC_PUBLIC_KEY]: 'EC',
  [OID_SM2]: 'SM2',
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10040.4.1': 'DSA',
};

/** A key algorithm's or curve's OID with its name where known: `P-256 (1.2.840.10045.3.1.7)`. */
export function describeOid(oid: string): string {
  const name = ownValue(OID_NAMES, oid);
  return name ? `${name} (${oid})` : oid;
}

const seq = 0x30;

/** Parses a SubjectPublicKeyInfo: the algorithm OID, the curve OID (EC keys) and the key bits. */
export function parseSpki(buf: Uint8Array): { algorithm: string; curve?: string; key: Uint8Array } {
  const top = readTlv(buf, 0);
  const [alg, bits] = children(buf, top);
  if (top.tag !== seq || !alg || !bits || bits.tag !== 0x03) throw new Error('not a SubjectPublicKeyInfo');
  const [oid, param] = children(buf, alg);
  if (oid?.tag !== 0x06) throw new Error('not a SubjectPublicKeyInfo');
  const out: { algorithm: string; curve?: string; key: Uint8Array } = {
    algorithm: oidString(buf, oid),
    key: buf.subarray(bits.start + 1, bits.end),
  };
  if (param && param.tag === 0x06) out.curve = oidString(buf, param);
  return out;
}

/** From a PKCS#8 PrivateKeyInfo holding an EC key: the curve OID and the 32-byte private scalar. */
export function parsePkcs8Ec(buf: Uint8Array): { curve: string | undefined; d: Uint8Array } {
  const top = readTlv(buf, 0);
  const [, alg, pk] = children(buf, top);
  if (!alg || !pk || pk.tag !== 0x04) throw new Error('not a PKCS#8 key');
  const [, param] = children(buf, alg);
  const ec = readTlv(buf, pk.start, pk.end);
  const parts = children(buf, ec);
  const dT = parts[1];
  if (dT?.tag !== 0x04) throw new Error('not an EC private key');
  let curve = param && param.tag === 0x06 ? oidString(buf, param) : undefined;
  for (const p of parts.slice(2)) {
    if (p.tag !== 0xa0) continue;
    const o = readTlv(buf, p.start, p.end);
    if (o.tag === 0x06) curve ??= oidString(buf, o);
  }
  const d = new Uint8Array(32);
  const raw = buf.subarray(dT.start, dT.end);
  const trimmed = raw.length > 32 ? raw.subarray(raw.length - 32) : raw;
  d.set(trimmed, 32 - trimmed.length);
  return { curve, d };
}

/** basicConstraints (RFC 5280 4.2.1.9). */
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
/** keyUsage (RFC 5280 4.2.1.3). */
const OID_KEY_USAGE = '2.5.29.15';

/** The value (the OCTET STRING's content, one TLV) of the extension `oid` among a certificate's extensions ([3]). */
function extensionValue(buf: Uint8Array, extensions: Tlv | undefined, oid: string): Tlv | undefined {
  if (extensions === undefined) return undefined;
  const [list] = children(buf, extensions);
  if (!list) return undefined;
  for (const ext of children(buf, list)) {
    const [id, ...rest] = children(buf, ext);
    if (!id || oidString(buf, id) !== oid) continue;
    const value = rest[rest.length - 1];
    if (value?.tag !== 0x04) throw new Error(`bad extension ${oid}`);
    return children(buf, value)[0];
  }
  return undefined;
}

/**
 * The extensions OpenSSL's chain check processes (X509_supported_extension): netscape-cert-type, keyUsage,
 * subjectAltName, basicConstraints, certificatePolicies, cRLDistributionPoints, extKeyUsage, the two RFC 3779
 * resources, OCSP no-check, policyConstraints, proxyCertInfo, nameConstraints, policyMappings, inhibitAnyPolicy.
 */
const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  '2.16.840.1.113730.1.1',
  OID_KEY_USAGE,
  '2.5.29.17',
  OID_BASIC_CONSTRAINTS,
  '2.5.29.32',
  '2.5.29.31',
  '2.5.29.37',
  '1.3.6.1.5.5.7.1.7',
  '1.3.6.1.5.5.7.1.8',
  '1.3.6.1.5.5.7.48.1.5',
  '2.5.29.36',
  '1.3.6.1.5.5.7.1.14',
  '2.5.29.30',
  '2.5.29.33',
  '2.5.29.54',
]);

/**
 * The OID of the first extension marked critical that is not one OpenSSL's chain check processes, or undefined. RFC
 * 5280 4.2: a verifier MUST reject a certificate with a critical extension it does not recognise; OpenSSL (and so
 * xmlsec1) refuses any chain through one ("unhandled critical extension"). Extensions Node's reader took but this one
 * cannot read claim nothing.
 */
function unprocessedCriticalOf(buf: Uint8Array, extensions: Tlv | undefined): string | undefined {
  if (extensions === undefined) return undefined;
  try {
    const [list] = children(buf, extensions);
    for (const ext of list ? children(buf, list) : []) {
      // Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
      const [id, critical] = children(buf, ext);
      if (id?.tag !== 0x06 || critical?.tag !== 0x01 || buf[critical.start] === 0) continue;
      const oid = oidString(buf, id);
      if (!PROCESSED_EXTENSIONS.has(oid)) return oid;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The extensions OpenSSL reads when it first looks at a certificate (ossl_x509v3_cache_extensions), by OID with the
 * names OpenSSL gives them: one of them given twice makes the certificate invalid there (X509V3_get_d2i finds two),
 * so it issues nothing and nothing issues it.
 */
const READ_ONCE_EXTENSIONS: Readonly<Record<string, string>> = {
  [OID_BASIC_CONSTRAINTS]: 'basicConstraints',
  '1.3.6.1.5.5.7.1.14': 'proxyCertInfo',
  [OID_KEY_USAGE]: 'keyUsage',
  '2.5.29.37': 'extKeyUsage',
  '2.16.840.1.113730.1.1': 'netscape-cert-type',
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.30': 'nameConstraints',
  '2.5.29.31': 'cRLDistributionPoints',
  '1.3.6.1.5.5.7.1.7': 'ipAddrBlocks',
  '1.3.6.1.5.5.7.1.8': 'autonomousSysIds',
};

/** An extension OpenSSL reads once (READ_ONCE_EXTENSIONS) with its name: `basicConstraints (2.5.29.19)`; else the OID. */
export function describeExtension(oid: string): string {
  const name = ownValue(READ_ONCE_EXTENSIONS, oid);
  return name ? `${name} (${oid})` : oid;
}

/**
 * The OID of the first extension of READ_ONCE_EXTENSIONS the certificate carries more than once, or undefined. RFC
 * 5280 4.2: a certificate MUST NOT include more than one instance of an extension; sandan's readers take the first,
 * OpenSSL refuses the certificate. (Others given twice, certificatePolicies say, OpenSSL's chain check lets pass.)
 */
function duplicateExtensionOf(buf: Uint8Array, extensions: Tlv | undefined): string | undefined {
  if (extensions === undefined) return undefined;
  const seen = new Set<string>();
  try {
    const [list] = children(buf, extensions);
    for (const ext of list ? children(buf, list) : []) {
      const [id] = children(buf, ext);
      if (id?.tag !== 0x06) continue;
      const oid = oidString(buf, id);
      if (!Object.hasOwn(READ_ONCE_EXTENSIONS, oid)) continue;
      if (seen.has(oid)) return oid;
      seen.add(oid);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Whether the certificate carries the extension `oid` (one that cannot be read counts as there). */
function hasExtension(buf: Uint8Array, extensions: Tlv | undefined, oid: string): boolean {
  try {
    return extensionValue(buf, extensions, oid) !== undefined;
  } catch {
    return true;
  }
}

/**
 * basicConstraints' pathLenConstraint, or undefined when the certificate has none: how many CA certificates may stand
 * below this one in a chain.
 */
function pathLenOf(buf: Uint8Array, extensions: Tlv | undefined): number | undefined {
  const constraints = extensionValue(buf, extensions, OID_BASIC_CONSTRAINTS);
  // SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
  const int = constraints && children(buf, constraints).find((t) => t.tag === 0x02);
  if (!int) return undefined;
  if (int.end - int.start > 4) return Number.MAX_SAFE_INTEGER;
  let n = 0;
  for (let i = int.start; i < int.end; i++) n = n * 256 + buf[i]!;
  return n;
}

/**
 * keyUsage's bits, bit i of the BIT STRING as 1 << i (0 digitalSignature, 1 nonRepudiation, … 5 keyCertSign,
 * 8 decipherOnly), or undefined when the certificate has no keyUsage (then any use is allowed). A keyUsage that cannot
 * be read allows nothing (0), rather than making the whole certificate unreadable: only a signer's is looked at.
 */
function keyUsageOf(buf: Uint8Array, extensions: Tlv | undefined): number | undefined {
  let bits: Tlv | undefined;
  try {
    bits = extensionValue(buf, extensions, OID_KEY_USAGE);
  } catch {
    return 0;
  }
  if (bits === undefined) return undefined;
  if (bits.tag !== 0x03 || bits.end <= bits.start) return 0;
  // The first content byte counts the unused bits; then the bits, the first one the high bit of the first byte.
  let n = 0;
  for (let i = bits.start + 1; i < bits.end && i < bits.start + 3; i++)
    for (let b = 0; b < 8; b++) if (buf[i]! & (0x80 >> b)) n |= 1 << ((i - bits.start - 1) * 8 + b);
  return n;
}

/**
 * The parts of an X.509 certificate needed to check its signature (TBS bytes, algorithm OID, signature bits, SPKI
 * bytes), its version (1 when the optional version field is absent), basicConstraints' presence and
 * pathLenConstraint, keyUsage's bits, the first critical extension OpenSSL does not process and the first extension
 * given twice.
 */
export function parseCertificate(buf: Uint8Array): {
  tbs: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
  spki: Uint8Array;
  version: number;
  pathLen: number | undefined;
  keyUsage: number | undefined;
  unprocessedCritical: string | undefined;
  /** The first extension OpenSSL reads that it carries twice (see duplicateExtensionOf). */
  duplicateExtension: string | undefined;
  /** It has a basicConstraints extension (cA or not). */
  basicConstraints: boolean;
} {
  const top = readTlv(buf, 0);
  const [tbs, alg, sig] = children(buf, top);
  if (top.tag !== seq || !tbs || !alg || !sig || sig.tag !== 0x03) throw new Error('not a certificate');
  const [oid] = children(buf, alg);
  if (!oid) throw new Error('not a certificate');
  const fields = children(buf, tbs);
  // [0] version is optional; then serial, signature, issuer, validity, subject, subjectPublicKeyInfo
  const off = fields[0]?.tag === 0xa0 ? 1 : 0;
  const spki = fields[off + 5];
  if (!spki) throw new Error('not a certificate');
  const versionInt = off ? children(buf, fields[0]!)[0] : undefined;
  // (Version ::= INTEGER { v1(0), v2(1), v3(2) }, one content byte)
  const version = versionInt && versionInt.end === versionInt.start + 1 ? buf[versionInt.start]! + 1 : 1;
  const extensions = fields.find((f) => f.tag === 0xa3);
  return {
    version,
    pathLen: pathLenOf(buf, extensions),
    keyUsage: keyUsageOf(buf, extensions),
    unprocessedCritical: unprocessedCriticalOf(buf, extensions),
    duplicateExtension: duplicateExtensionOf(buf, extensions),
    basicConstraints: hasExtension(buf, extensions, OID_BASIC_CONSTRAINTS),
    tbs: buf.subarray(tbs.head, tbs.end),
    signatureAlgorithm: oidString(buf, oid),
    signature: buf.subarray(sig.start + 1, sig.end),
    spki: buf.subarray(spki.head, spki.end),
  };
}

function derInt(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = v.subarray(i);
  const pad = body[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/** Raw r‖s (64 bytes) → DER `SEQUENCE { INTEGER r, INTEGER s }`; other bytes are misuse (INVALID_OPTION). */
export function sm2RawToDer(raw: Uint8Array): Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.length !== 64)
    throw new SandanError(
      'INVALID_OPTION',
      `An SM2 raw signature has 64 bytes, not ${raw instanceof Uint8Array ? raw.length : describeInput(raw)}`,
    );
  const r = derInt(raw.subarray(0, 32));
  const s = derInt(raw.subarray(32));
  const out = new Uint8Array(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  out.set(r, 2);
  out.set(s, 2 + r.length);
  return out;
}

/**
 * The TLV at `at` read as strict DER: a definite length in its shortest form (short below 128, long without a leading
 * zero byte), within `limit`. Throws a plain Error otherwise.
 */
function readDerTlv(buf: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error('truncated DER');
  const first = buf[at + 1]!;
  if (first === 0x80) throw new Error('indefinite length is not DER');
  if (first & 0x80) {
    const k = first & 0x7f;
    if (k > 4 || at + 2 + k > limit) throw new Error('bad DER length');
    if (buf[at + 2] === 0 || (k === 1 && buf[at + 2]! < 0x80)) throw new Error('DER length not in its shortest form');
  }
  return readTlv(buf, at, limit);
}

/**
 * DER `SEQUENCE { INTEGER r, INTEGER s }` → raw r‖s (64 bytes). Strict DER, as OpenSSL reads it: lengths in their
 * shortest form, INTEGERs minimal (a leading zero byte only before a byte with its high bit set) and not negative,
 * each of at most 32 bytes of value, nothing after the SEQUENCE or inside it after s. So one signature has one
 * DER encoding (BER variants are refused: they would verify in sandan and not in OpenSSL). What is not such a
 * signature is misuse (INVALID_OPTION).
 */
export function sm2DerToRaw(der: Uint8Array): Uint8Array {
  if (!(der instanceof Uint8Array))
    throw new SandanError('INVALID_OPTION', `A DER SM2 signature is bytes, got ${describeInput(der)}`);
  try {
    return derToRaw(der);
  } catch (e) {
    throw new SandanError('INVALID_OPTION', `Not a DER SM2 signature: ${messageOf(e)}`, { cause: e });
  }
}

function derToRaw(der: Uint8Array): Uint8Array {
  const top = readDerTlv(der, 0, der.length);
  if (top.tag !== seq || top.end !== der.length) throw new Error('not a DER SM2 signature');
  const r = readDerTlv(der, top.start, top.end);
  const s = readDerTlv(der, r.end, top.end);
  if (s.end !== top.end || r.tag !== 0x02 || s.tag !== 0x02) throw new Error('not a DER SM2 signature');
  const out = new Uint8Array(64);
  for (const [t, at] of [
    [r, 0],
    [s, 32],
  ] as const) {
    let v = der.subarray(t.start, t.end);
    if (v.length === 0) throw new Error('empty DER INTEGER');
    if (v[0]! & 0x80) throw new Error('negative SM2 signature integer');
    if (v.length > 1 && v[0] === 0) {
      if (!(v[1]! & 0x80)) throw new Error('DER INTEGER not in its shortest form');
      v = v.subarray(1);
    }
    if (v.length > 32) throw new Error('SM2 signature integer too large');
    out.set(v, at + 32 - v.length);
  }
  return out;
}

/** One attribute of a distinguished name: its type's OID, and its value's tag and content bytes. */
export interface NameAttribute {
  oid: string;
  tag: number;
  value: Uint8Array;
}

/** A distinguished name (RFC 5280 4.1.2.4): its RDNs in order, each the attributes of one SET. */
export type DistinguishedName = NameAttribute[][];

/**
 * A GeneralName (RFC 5280 4.2.1.6): its CHOICE number (0 otherName, 1 rfc822Name, 2 dNSName, 3 x400Address,
 * 4 directoryName, 5 ediPartyName, 6 uniformResourceIdentifier, 7 iPAddress, 8 registeredID), its content bytes, and
 * for a directoryName the name read.
 */
export interface GeneralName {
  kind: number;
  value: Uint8Array;
  directoryName?: DistinguishedName;
  /** For an otherName: its type-id, and its value's tag and content (the value inside the explicit [0]). */
  otherName?: { type: string; tag: number; value: Uint8Array };
}

/** A GeneralSubtree of nameConstraints: its base, and whether minimum (other than 0) or maximum is given. */
export interface GeneralSubtree {
  base: GeneralName;
  minMax: boolean;
}

/** What name constraints (RFC 5280 4.2.1.10) need of a certificate. */
interface CertificateNames {
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** subjectAltName's names (none when it has no subjectAltName). */
  altNames: GeneralName[];
  /** nameConstraints, when it has the extension. */
  nameConstraints?: { permitted: GeneralSubtree[]; excluded: GeneralSubtree[] };
}

function readName(buf: Uint8Array, name: Tlv): DistinguishedName {
  if (name.tag !== seq) throw new Error('a Name is not a SEQUENCE');
  return children(buf, name).map((rdn) => {
    if (rdn.tag !== 0x31) throw new Error('an RDN is not a SET');
    return children(buf, rdn).map((atv) => {
      const [type, value] = children(buf, atv);
      if (atv.tag !== seq || type?.tag !== 0x06 || !value) throw new Error('bad AttributeTypeAndValue');
      return { oid: oidString(buf, type), tag: value.tag, value: buf.subarray(value.start, value.end) };
    });
  });
}

function readGeneralName(buf: Uint8Array, t: Tlv): GeneralName {
  if ((t.tag & 0xc0) !== 0x80) throw new Error('a GeneralName is not context-tagged');
  const kind = t.tag & 0x1f;
  const out: GeneralName = { kind, value: buf.subarray(t.start, t.end) };
  // directoryName [4] is an explicit tag (Name is a CHOICE): the Name's SEQUENCE inside.
  if (kind === 4) out.directoryName = readName(buf, readTlv(buf, t.start, t.end));
  // otherName [0] IMPLICIT SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
  if (kind === 0) {
    const [type, explicit] = children(buf, t);
    if (type?.tag !== 0x06 || explicit?.tag !== 0xa0) throw new Error('bad otherName');
    const value = readTlv(buf, explicit.start, explicit.end);
    out.otherName = { type: oidString(buf, type), tag: value.tag, value: buf.subarray(value.start, value.end) };
  }
  return out;
}

function readSubtrees(buf: Uint8Array, t: Tlv | undefined): GeneralSubtree[] {
  if (!t) return [];
  return children(buf, t).map((sub) => {
    // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] OPTIONAL }
    const [base, ...rest] = children(buf, sub);
    if (sub.tag !== seq || !base) throw new Error('bad GeneralSubtree');
    const minMax = rest.some(
      (r) => r.tag === 0x81 || (r.tag === 0x80 && buf.subarray(r.start, r.end).some((byte) => byte !== 0)),
    );
    return { base: readGeneralName(buf, base), minMax };
  });
}

/**
 * The subject, issuer, subjectAltName and nameConstraints of a certificate. Throws a plain Error when one of them
 * cannot be read (OpenSSL then refuses the certificate: an invalid extension).
 */
export function parseCertificateNames(buf: Uint8Array): CertificateNames {
  const top = readTlv(buf, 0);
  const [tbs] = children(buf, top);
  if (!tbs) throw new Error('not a certificate');
  const fields = children(buf, tbs);
  const off = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[off + 2];
  const subject = fields[off + 4];
  if (!issuer || !subject) throw new Error('not a certificate');
  const extensions = fields.find((f) => f.tag === 0xa3);
  const san = extensionValue(buf, extensions, '2.5.29.17');
  if (san && san.tag !== seq) throw new Error('bad subjectAltName');
  const nc = extensionValue(buf, extensions, '2.5.29.30');
  const out: CertificateNames = {
    subject: readName(buf, subject),
    issuer: readName(buf, issuer),
    altNames: san ? children(buf, san).map((g) => readGeneralName(buf, g)) : [],
  };
  if (nc) {
    // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] OPTIONAL }
    if (nc.tag !== seq) throw new Error('bad nameConstraints');
    const parts = children(buf, nc);
    if (parts.some((p) => p.tag !== 0xa0 && p.tag !== 0xa1)) throw new Error('bad nameConstraints');
    out.nameConstraints = {
      permitted: readSubtrees(
        buf,
        parts.find((p) => p.tag === 0xa0),
      ),
      excluded: readSubtrees(
        buf,
        parts.find((p) => p.tag === 0xa1),
      ),
    };
  }
  return out;
}

/** Whether the certificate has a nameConstraints extension (one that cannot be read counts as there). */
export function hasNameConstraints(buf: Uint8Array): boolean {
  try {
    const top = readTlv(buf, 0);
    const [tbs] = children(buf, top);
    const extensions = tbs && children(buf, tbs).find((f) => f.tag === 0xa3);
    return extensionValue(buf, extensions, '2.5.29.30') !== undefined;
  } catch {
    return true;
  }
}
