/**
 * Signers: whatever holds the private key. sandan only needs the algorithm, the certificate, the
 * certificate number and an async `sign(bytes)`, so the key can live in memory, in a server crypto
 * device (服务类密码设备) or behind the E-Port UKey client.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, X509Certificate, type KeyObject } from 'node:crypto';
import { tz } from '@date-fns/tz/tz';
import { setYear } from 'date-fns/setYear';
import { SandanError, messageOf } from '../errors.js';
import { describeInput, checkArgument } from '../model/guards.js';
import type { KeyType, SignatureAlgorithm } from './algorithms.js';
import { describeOid, OID_EC_PUBLIC_KEY, OID_RSA, OID_SM2, parseCertificate, parsePkcs8Ec, parseSpki } from './der.js';
import { chainOf, duplicateExtensionText, issuedBy } from './chain.js';
import { sm2E, sm2OnCurve, sm2PublicFromPrivate, sm2SignE, sm2ValidPrivate, sm2Z } from './sm2.js';

/**
 * Something that signs. Implement it to use a key held elsewhere (see docs/signing.md).
 *
 * `sign` receives the exact bytes to sign (the canonical SignedInfo, or a 179 sign string) and the
 * algorithm to use, and returns the signature value:
 * - RSA: the PKCS#1 v1.5 signature;
 * - SM2: SM3withSM2 with user ID `1234567812345678`, as raw r‖s (64 bytes) or DER, as told by `sm2Encoding`.
 */
export interface Signer {
  /** The signature algorithm used when the caller does not ask for another one. */
  readonly algorithm: SignatureAlgorithm;
  /** Other algorithms `sign` can do (e.g. a local RSA key does both rsa-sha1 and rsa-sha256). */
  readonly supportedAlgorithms?: readonly SignatureAlgorithm[];
  /** The signing certificate: PEM text or DER bytes. */
  readonly certificate: string | Uint8Array;
  /** The certificate number (证书编号) written to `ds:KeyName` and the 179 `certNo`. */
  readonly certificateNumber: string;
  /** SM2 only: what `sign` returns, raw r‖s (default) or DER. */
  readonly sm2Encoding?: 'raw' | 'der';
  /** Signs `data`; rejects (any error) when the key or device fails. */
  sign(data: Uint8Array, algorithm: SignatureAlgorithm): Promise<Uint8Array>;
}

/** A parsed certificate with what signing and verification need from it. */
export interface CertificateInfo {
  readonly x509: X509Certificate;
  readonly der: Buffer;
  readonly keyType: KeyType;
  /** RSA: Node public key. */
  readonly rsaKey?: KeyObject;
  /** SM2: the 65-byte public point 04‖x‖y. */
  readonly sm2Point?: Uint8Array;
  /** Lower-case hex serial number, the usual certificate number. */
  readonly serialHex: string;
  /**
   * Its key may sign data (a message, a 179 sign string): the certificate has no keyUsage, or keyUsage has
   * digitalSignature or nonRepudiation (RFC 5280 4.2.1.3). A CA's certificate limited to keyCertSign may not.
   */
  readonly signsData: boolean;
  /**
   * The OID of a critical extension the certificate carries that OpenSSL's chain check does not process, if any:
   * RFC 5280 4.2 has a verifier refuse such a certificate, and OpenSSL (xmlsec1) refuses any chain through it.
   */
  readonly unprocessedCritical?: string | undefined;
  /**
   * The OID of an extension the certificate carries twice among those OpenSSL reads (basicConstraints,
   * subjectAltName, nameConstraints…), if any: RFC 5280 4.2 allows one instance, and OpenSSL (xmlsec1) refuses it.
   */
  readonly duplicateExtension?: string | undefined;
}

/** Why a certificate with a critical extension no chain check processes is refused, after "The certificate …". */
export function unprocessedCriticalText(oid: string): string {
  return `has a critical extension ${oid} that no chain check processes: RFC 5280 4.2 has a verifier refuse such a certificate (OpenSSL and xmlsec1 say "unhandled critical extension")`;
}

const certCache = new WeakMap<object, CertificateInfo>();

/**
 * The instant (ms) of a certificate time as Node prints it (`Jan  1 00:00:00 2050 GMT`), NaN when OpenSSL could not
 * read it. Date.parse alone takes a year below 100 (a GeneralizedTime 0049) for 19xx or 20xx; Node prints it whole.
 */
export function certificateTime(text: string): number {
  const ms = Date.parse(text);
  const year = Number(text.slice(text.lastIndexOf(' ', text.length - 5) + 1, -4));
  return year < 100 ? setYear(ms, year, { in: tz('UTC') }).getTime() : ms;
}

/**
 * Parses a certificate given as PEM text, DER bytes or an X509Certificate, and tells its key type.
 * @throws SandanError `SIGN_CERT_INVALID`
 */
export function readCertificate(cert: string | Uint8Array | X509Certificate): CertificateInfo {
  if (typeof cert === 'object') {
    const hit = certCache.get(cert);
    if (hit) return hit;
  }
  if (typeof cert !== 'string' && !(cert instanceof Uint8Array) && !(cert instanceof X509Certificate))
    throw new SandanError(
      'SIGN_CERT_INVALID',
      `A certificate is PEM text, DER bytes or an X509Certificate, got ${describeInput(cert)}`,
    );
  let x509: X509Certificate;
  try {
    x509 =
      cert instanceof X509Certificate ? cert : new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert));
  } catch (e) {
    const bytes = typeof cert === 'string' ? Buffer.from(cert, 'latin1') : Buffer.from(cert as Uint8Array);
    const text = bytes.subarray(0, 64 * 1024).toString('latin1');
    // (an empty file: OpenSSL's "no start line" said nothing a user could act on)
    const what = /^\s*$/.test(text)
      ? `it is empty${bytes.length === 0 ? ' (0 bytes)' : ' (white space only)'}`
      : isPkcs12(bytes)
        ? `it is a PKCS#12 bundle (.pfx/.p12), which sandan does not read; take the certificate out of it: ${PKCS12_HINT}`
        : text.includes('PRIVATE KEY-----') || isDerPrivateKey(bytes)
          ? 'it is a private key; the certificate is the file that holds -----BEGIN CERTIFICATE-----'
          : // (a test environment may hand out a bare key pair: OpenSSL would only say "no start line")
            /-----BEGIN (RSA )?PUBLIC KEY-----/.test(text) || isDerPublicKey(bytes)
            ? 'it is a public key, not a certificate: give the certificate that holds it (-----BEGIN CERTIFICATE-----)'
            : messageOf(e);
    throw new SandanError('SIGN_CERT_INVALID', `Not an X.509 certificate (PEM or DER): ${what}`, { cause: e });
  }
  const der = x509.raw;
  // A time OpenSSL cannot read (a month 13: "Bad time value") compared false with any date, and a certificate that had
  // expired at verifyMessage's `at` passed; OpenSSL's chain check refuses it (an error in the notAfter field).
  for (const [field, text] of [
    ['notBefore', x509.validFrom],
    ['notAfter', x509.validTo],
  ] as const)
    if (Number.isNaN(certificateTime(text)))
      throw new SandanError(
        'SIGN_CERT_INVALID',
        `Cannot read the certificate's validity: its ${field} time is not a time (${JSON.stringify(text)})`,
      );
  let info: CertificateInfo;
  try {
    const parsed = parseCertificate(der);
    const spki = parseSpki(parsed.spki);
    const serialHex = x509.serialNumber.toLowerCase();
    // keyUsage bit 0 digitalSignature, bit 1 nonRepudiation (contentCommitment).
    const signsData = parsed.keyUsage === undefined || (parsed.keyUsage & 0b11) !== 0;
    const { unprocessedCritical, duplicateExtension } = parsed;
    if (spki.algorithm === OID_RSA) {
      info = {
        x509,
        der,
        keyType: 'rsa',
        rsaKey: x509.publicKey,
        serialHex,
        signsData,
        unprocessedCritical,
        duplicateExtension,
      };
    } else if (
      (spki.algorithm === OID_EC_PUBLIC_KEY || spki.algorithm === OID_SM2) &&
      (spki.curve === OID_SM2 || spki.curve === undefined) &&
      spki.key.length === 65 &&
      spki.key[0] === 4
    ) {
      // (a point off the curve made verifyMessage throw sm-crypto's "bad point" where it promises a result)
      if (!sm2OnCurve(spki.key)) throw new Error('its SM2 public key is not a point of the SM2 curve');
      info = {
        x509,
        der,
        keyType: 'sm2',
        sm2Point: spki.key,
        serialHex,
        signsData,
        unprocessedCritical,
        duplicateExtension,
      };
    } else {
      throw new Error(
        `unsupported public key (algorithm ${describeOid(spki.algorithm)}${spki.curve ? `, curve ${describeOid(spki.curve)}` : ''}); only RSA and SM2 are used by customs`,
      );
    }
  } catch (e) {
    if (e instanceof SandanError) throw e;
    throw new SandanError('SIGN_CERT_INVALID', `Cannot read the certificate's public key: ${messageOf(e)}`, {
      cause: e,
    });
  }
  if (typeof cert === 'object') certCache.set(cert, info);
  return info;
}

/** Options of {@link createLocalSigner}. */
export interface LocalSignerOptions {
  /** The private key: PEM (PKCS#8, PKCS#1, SEC1; encrypted too) as text or bytes, DER bytes, or a KeyObject. */
  key: string | Uint8Array | KeyObject;
  /** Passphrase of an encrypted key. */
  passphrase?: string | undefined;
  /** The certificate of the key (PEM or DER). */
  certificate: string | Uint8Array;
  /** Certificate number for `ds:KeyName`; default the certificate's serial number in lower-case hex. */
  certificateNumber?: string | undefined;
  /** RSA only: rsa-sha1 (default, the customs spec) or rsa-sha256. */
  algorithm?: SignatureAlgorithm | undefined;
}

function loadKey(key: string | Uint8Array | KeyObject, passphrase: string | undefined): KeyObject {
  if (
    typeof key === 'object' &&
    'type' in key &&
    typeof (key as KeyObject).export === 'function' &&
    !(key instanceof Uint8Array)
  ) {
    const k = key as KeyObject;
    if (k.type !== 'private')
      throw new SandanError(
        'SIGN_KEY_INVALID',
        `The key is a ${k.type === 'secret' ? 'secret (symmetric)' : 'public'} key; a private key is needed to sign`,
      );
    return k;
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key as Uint8Array);
  if (bytes.length === 0) throw new SandanError('SIGN_KEY_INVALID', 'The private key is empty (0 bytes)');
  const other = notAPrivateKey(bytes);
  if (other) throw new SandanError('SIGN_KEY_INVALID', other);
  // (PEM may follow text: `openssl pkcs12 -nocerts` writes "Bag Attributes" before the block.)
  const isPem = bytes.toString('latin1').includes('-----BEGIN');
  const errors: string[] = [];
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> = isPem
    ? [{ key: bytes.toString('utf8'), format: 'pem', ...(passphrase !== undefined && { passphrase }) }]
    : (['pkcs8', 'pkcs1', 'sec1'] as const).map((type) => ({
        key: bytes,
        format: 'der' as const,
        type,
        ...(passphrase !== undefined && { passphrase }),
      }));
  for (const a of attempts) {
    try {
      return createPrivateKey(a);
    } catch (e) {
      errors.push(messageOf(e));
    }
  }
  const encrypted =
    (isPem && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(bytes.toString('latin1'))) ||
    errors.some((m) => /passphrase|decrypt|bad decrypt/i.test(m));
  if (!isPem && !encrypted && isDerCertificate(bytes))
    throw new SandanError('SIGN_KEY_INVALID', 'This is a certificate (DER), not a private key');
  if (!isPem && !encrypted && isDerPublicKey(bytes))
    throw new SandanError('SIGN_KEY_INVALID', 'This is a public key (DER); a private key is needed to sign');
  throw new SandanError(
    'SIGN_KEY_INVALID',
    encrypted
      ? passphrase === undefined
        ? 'The private key is encrypted; give its passphrase'
        : 'Cannot decrypt the private key: wrong passphrase?'
      : `Not a private key in PEM, PKCS#8, PKCS#1 or SEC1 DER: ${errors[0] ?? ''}`,
  );
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/**
 * Each `BEGIN CERTIFICATE` … `END CERTIFICATE` block of a PEM file; a block that another BEGIN
 * interrupts is not one. By cutting at each BEGIN, not `/BEGIN…[\s\S]*?…END/g`, which read to
 * the end of the file again from each BEGIN that had no END (quadratic).
 */
function pemCertificates(text: string): string[] {
  return text
    .split(BEGIN)
    .slice(1)
    .flatMap((block) => {
      const end = block.indexOf(END);
      return end < 0 ? [] : [BEGIN + block.slice(0, end + END.length)];
    });
}

/**
 * The certificates of PEM text or bytes, each; else the input itself (DER, or not a certificate: readCertificate
 * tells). The signer's certificate option and `loadCertificates`' files are read with it.
 */
export function certificatesIn<T extends string | Uint8Array>(cert: T): Array<string | T> {
  const text = typeof cert === 'string' ? cert : cert instanceof Uint8Array ? Buffer.from(cert).toString('latin1') : '';
  const pems = pemCertificates(text);
  return pems.length > 0 ? pems : [cert];
}

/** Whether DER bytes read as an X.509 certificate (to name a certificate given as the key). */
function isDerCertificate(bytes: Uint8Array): boolean {
  try {
    new X509Certificate(Buffer.from(bytes));
    return true;
  } catch {
    return false;
  }
}

/** Whether DER bytes read as a private key, plain (to name a key given as the certificate); as a public key. */
const isDerPrivateKey = (bytes: Uint8Array) => isDerKey(bytes, createPrivateKey, ['pkcs8', 'pkcs1', 'sec1']);
const isDerPublicKey = (bytes: Uint8Array) => isDerKey(bytes, createPublicKey, ['spki', 'pkcs1']);

function isDerKey<T extends string>(
  bytes: Uint8Array,
  create: (key: { key: Buffer; format: 'der'; type: T }) => unknown,
  types: readonly T[],
): boolean {
  if (bytes[0] !== 0x30) return false;
  for (const type of types)
    try {
      create({ key: Buffer.from(bytes), format: 'der', type });
      return true;
    } catch {}
  return false;
}

/** The OID 1.2.840.113549.1.7.1 (pkcs7-data) as DER, which opens a PKCS#12 bundle's authSafe. */
const PKCS7_DATA = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]);

/** A PKCS#12 (.pfx/.p12) bundle: a SEQUENCE whose first element is INTEGER 3, pkcs7-data soon after. */
function isPkcs12(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x30 || bytes.length < 24) return false;
  const head = Buffer.from(bytes.subarray(0, 32));
  const v = head.indexOf(Buffer.from([0x02, 0x01, 0x03]));
  return v > 0 && v <= 5 && head.indexOf(PKCS7_DATA) > v;
}

const PKCS12_HINT =
  'openssl pkcs12 -in FILE.pfx -nocerts -out key.pem (the key) and openssl pkcs12 -in FILE.pfx -clcerts -nokeys -out cert.pem (the certificate)';

/** What a file given as a private key is when it is plainly something else (a bundle, a certificate, a public key). */
function notAPrivateKey(bytes: Uint8Array): string | undefined {
  if (isPkcs12(bytes))
    return `This is a PKCS#12 bundle (.pfx/.p12), which sandan does not read; take the key and the certificate out of it: ${PKCS12_HINT}`;
  const text = Buffer.from(bytes.subarray(0, 64 * 1024)).toString('latin1');
  if (text.includes('PRIVATE KEY-----')) return undefined;
  if (text.includes('-----BEGIN CERTIFICATE-----'))
    return 'This is a certificate, not a private key: the key is the file that holds -----BEGIN PRIVATE KEY----- (or RSA/EC/ENCRYPTED PRIVATE KEY)';
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) return 'This is a public key; a private key is needed to sign';
  return undefined;
}

/**
 * A signer over a private key held in memory (RSA or SM2). The algorithm follows the key type:
 * RSA keys sign rsa-sha1 by default (rsa-sha256 on request), SM2 keys sign sm2-sm3.
 * The key must match the certificate, and the certificate must allow signing data (no keyUsage, or one with
 * digitalSignature or nonRepudiation) and carry no critical extension a verifier refuses (see `unprocessedCritical`);
 * a PEM bundle's CAs that issued it must not refuse it by their name constraints.
 * @throws SandanError `SIGN_KEY_INVALID`, `SIGN_CERT_INVALID`
 */
export function createLocalSigner(opts: LocalSignerOptions): Signer {
  checkArgument(opts, 'object', 'createLocalSigner', 'the options');
  const certs = certificatesIn(opts.certificate).map(readCertificate);
  const key = loadKey(opts.key, opts.passphrase);
  // Of a PEM bundle, the key's certificate, wherever it stands (a CA may hand out "CA then leaf"); else the checks
  // below tell why the first does not do.
  const cert = (certs.length > 1 && certs.find((c) => c.x509.checkPrivateKey(key))) || certs[0]!;
  // What verifyMessage refuses (certificate-invalid) is not signed in the first place.
  if (!cert.signsData)
    throw new SandanError(
      'SIGN_CERT_INVALID',
      "The certificate may not sign data: its keyUsage has neither digitalSignature nor nonRepudiation (an encryption or CA certificate); sign with the card's signing certificate",
    );
  if (cert.unprocessedCritical !== undefined)
    throw new SandanError('SIGN_CERT_INVALID', `The certificate ${unprocessedCriticalText(cert.unprocessedCritical)}`);
  if (cert.duplicateExtension !== undefined)
    throw new SandanError('SIGN_CERT_INVALID', `The certificate ${duplicateExtensionText(cert.duplicateExtension)}`);
  // A bundle that holds the certificate's CAs: a verifier given them (verifyMessage, OpenSSL, xmlsec1) refuses a chain
  // through one whose name constraints the certificate breaks, so the key does not sign under it. (The bundle's tops,
  // the CAs none of it issued, stand as the anchors, so every CA's constraints bind.)
  if (certs.length > 1) {
    const others = certs.filter((c) => c !== cert);
    const tops = others.filter((o) => !others.some((i) => i !== o && issuedBy(o, i)));
    const t = chainOf(
      cert,
      tops,
      others.filter((o) => !tops.includes(o)),
    );
    if (t?.refused !== undefined)
      throw new SandanError(
        'SIGN_CERT_INVALID',
        `The certificate's own chain (the bundle's CAs) refuses it: ${t.refused}`,
      );
  }
  const certificateNumber = opts.certificateNumber ?? cert.serialHex;
  if (key.asymmetricKeyType === 'rsa') {
    if (cert.keyType !== 'rsa')
      throw new SandanError('SIGN_CERT_INVALID', 'The key is RSA but the certificate holds an SM2 key');
    const mine = createPublicKey(key).export({ type: 'spki', format: 'der' });
    if (!mine.equals(cert.rsaKey!.export({ type: 'spki', format: 'der' })))
      throw new SandanError('SIGN_CERT_INVALID', 'The certificate does not belong to the private key');
    const algorithm = opts.algorithm ?? 'rsa-sha1';
    if (algorithm !== 'rsa-sha1' && algorithm !== 'rsa-sha256')
      throw new SandanError('INVALID_OPTION', `An RSA key cannot sign ${algorithm}`);
    return {
      algorithm,
      supportedAlgorithms: ['rsa-sha1', 'rsa-sha256'],
      certificate: cert.der,
      certificateNumber,
      sign(data, alg) {
        if (alg !== 'rsa-sha1' && alg !== 'rsa-sha256')
          return Promise.reject(new SandanError('INVALID_OPTION', `An RSA key cannot sign ${alg}`));
        return Promise.resolve(nodeSign(alg === 'rsa-sha1' ? 'sha1' : 'sha256', data, key));
      },
    };
  }
  // Node reports SM2 keys read from PEM as type undefined, or 'ec' with curve SM2; read the scalar from PKCS#8.
  // (Never export an SM2 KeyObject as 'sec1': Node 20 aborts the process.)
  let pk: ReturnType<typeof parsePkcs8Ec>;
  try {
    if (key.asymmetricKeyType !== undefined && key.asymmetricKeyType !== 'ec')
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
    pk = parsePkcs8Ec(key.export({ type: 'pkcs8', format: 'der' }));
    if (pk.curve !== OID_SM2)
      throw new Error(`EC key on curve ${pk.curve ? describeOid(pk.curve) : '(unknown)'}, not SM2`);
    if (!sm2ValidPrivate(pk.d)) throw new Error('private scalar out of range');
  } catch (e) {
    throw new SandanError('SIGN_KEY_INVALID', `Not an RSA or SM2 private key: ${messageOf(e)}`, { cause: e });
  }
  if (cert.keyType !== 'sm2')
    throw new SandanError('SIGN_CERT_INVALID', 'The key is SM2 but the certificate holds an RSA key');
  const dHex = Buffer.from(pk.d).toString('hex');
  const point = sm2PublicFromPrivate(dHex);
  if (!Buffer.from(point).equals(Buffer.from(cert.sm2Point!)))
    throw new SandanError('SIGN_CERT_INVALID', 'The certificate does not belong to the private key');
  if (opts.algorithm !== undefined && opts.algorithm !== 'sm2-sm3')
    throw new SandanError('INVALID_OPTION', `An SM2 key cannot sign ${opts.algorithm}`);
  const z = sm2Z(point);
  return {
    algorithm: 'sm2-sm3',
    certificate: cert.der,
    certificateNumber,
    sm2Encoding: 'raw',
    sign(data, alg) {
      if (alg !== 'sm2-sm3') return Promise.reject(new SandanError('INVALID_OPTION', `An SM2 key cannot sign ${alg}`));
      return Promise.resolve(sm2SignE(sm2E(z, data), dHex));
    },
  };
}
