// Test keys and certificates, generated into a temp dir on every run: with the OpenSSL command line (makeKeys), or
// RSA ones with node:crypto alone (makeRsaKeys) for tests that need a signer but no OpenSSL.
// Nothing here is committed: no private key leaves the temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalSigner, signMessage } from '../../src/index.js';
import { needTool } from '../helpers/tools.js';

/** The official 2022-05 import samples (test/fixtures/ceb-spec). */
export const SAMPLES = fileURLToPath(new URL('../fixtures/ceb-spec/samples-202205/import', import.meta.url));

export function openssl(args: string[], input?: string | Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * The certificates (`NAME.crt`) and keys (`NAME.key`) a test makes with OpenSSL in its temp dir (`dir()`, made in its
 * beforeAll): their PEM, their base64 as X509Certificate holds it, and messages signed with them.
 */
export function certificatesIn(dir: () => string) {
  const pem = (n: string) => readFileSync(join(dir(), `${n}.crt`), 'utf8');
  const body = (n: string) => pem(n).replace(/-----[^-]+-----|\s/g, '');
  /** A CEB311 signed with `key`'s key and `cert`, KeyInfo carrying `carried` after it (KeyInfo is not signed). */
  async function signedBy(cert: string, carried: readonly string[], key = cert): Promise<string> {
    const signer = createLocalSigner({ key: readFileSync(join(dir(), `${key}.key`)), certificate: pem(cert) });
    const { xml } = await signMessage(unsignedSample('CEB311Message'), signer);
    const extra = carried.map((c) => `<ds:X509Certificate>${body(c)}</ds:X509Certificate>`).join('');
    return xml.replace('</ds:X509Certificate>', `</ds:X509Certificate>${extra}`);
  }
  return { pem, body, signedBy };
}

/** A sample message without its illustrative signature (and without the BOM some samples have). */
export function unsignedSample(name: string): string {
  const text = readFileSync(`${SAMPLES}/${name}.xml`, 'utf8').replace(/^\uFEFF/, '');
  return text.replace(/\s*<ds:Signature[\s\S]*<\/ds:Signature>/, '');
}

export interface TestKeys {
  dir: string;
  path(name: string): string;
  read(name: string): Buffer;
  text(name: string): string;
  cleanup(): void;
}

const SM2_ID = ['-sigopt', 'distid:1234567812345678'];

/**
 * Generates: rsa (self-signed), rsa2 (another self-signed), rsa-ca + rsa-leaf (issued by rsa-ca),
 * sm2 (self-signed), sm2-ca + sm2-leaf, plus encrypted and DER variants of the rsa and sm2 keys.
 */
export function makeKeys(): TestKeys {
  needTool('openssl');
  const dir = mkdtempSync(join(tmpdir(), 'sandan-sign-'));
  const p = (n: string) => join(dir, n);
  const rsaKey = (n: string) =>
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p(`${n}.key`)]);
  const sm2Key = (n: string) =>
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', p(`${n}.key`)]);
  const selfSigned = (n: string, sm2: boolean, cn: string, serial: string) =>
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      p(`${n}.key`),
      ...(sm2 ? ['-sm3', ...SM2_ID] : ['-sha256']),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '365',
      '-set_serial',
      serial,
      '-out',
      p(`${n}.crt`),
    ]);
  const issued = (n: string, ca: string, sm2: boolean, cn: string, serial: string) => {
    openssl([
      'req',
      '-new',
      '-key',
      p(`${n}.key`),
      ...(sm2 ? ['-sm3', ...SM2_ID] : []),
      '-subj',
      `/CN=${cn}`,
      '-out',
      p(`${n}.csr`),
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      p(`${n}.csr`),
      '-CA',
      p(`${ca}.crt`),
      '-CAkey',
      p(`${ca}.key`),
      '-set_serial',
      serial,
      '-days',
      '365',
      ...(sm2 ? ['-sm3', ...SM2_ID, '-vfyopt', 'distid:1234567812345678'] : ['-sha256']),
      '-out',
      p(`${n}.crt`),
    ]);
  };
  for (const n of ['rsa', 'rsa2', 'rsa-ca', 'rsa-leaf']) rsaKey(n);
  for (const n of ['sm2', 'sm2b', 'sm2-ca', 'sm2-leaf']) sm2Key(n);
  selfSigned('rsa', false, 'sandan RSA test', '0x01691fe9');
  selfSigned('rsa2', false, 'sandan other RSA test', '0x02');
  selfSigned('rsa-ca', false, 'sandan RSA test CA', '0x10');
  issued('rsa-leaf', 'rsa-ca', false, 'sandan RSA leaf', '0x11');
  selfSigned('sm2', true, 'sandan SM2 test', '0x03000000000cde6f');
  selfSigned('sm2b', true, 'sandan other SM2 test', '0x04');
  selfSigned('sm2-ca', true, 'sandan SM2 test CA', '0x20');
  issued('sm2-leaf', 'sm2-ca', true, 'sandan SM2 leaf', '0x21');
  for (const n of ['rsa', 'sm2']) {
    openssl(['pkey', '-in', p(`${n}.key`), '-pubout', '-out', p(`${n}.pub`)]);
    openssl([
      'pkcs8',
      '-topk8',
      '-in',
      p(`${n}.key`),
      '-v2',
      'aes-256-cbc',
      '-passout',
      'pass:correct horse',
      '-out',
      p(`${n}-enc.key`),
    ]);
    openssl(['pkcs8', '-topk8', '-nocrypt', '-in', p(`${n}.key`), '-outform', 'DER', '-out', p(`${n}.der`)]);
    openssl([
      'pkcs8',
      '-topk8',
      '-in',
      p(`${n}.key`),
      '-v2',
      'aes-256-cbc',
      '-passout',
      'pass:correct horse',
      '-outform',
      'DER',
      '-out',
      p(`${n}-enc.der`),
    ]);
    openssl(['x509', '-in', p(`${n}.crt`), '-outform', 'DER', '-out', p(`${n}.crt.der`)]);
  }
  openssl(['rsa', '-in', p('rsa.key'), '-traditional', '-out', p('rsa-pkcs1.key')]);
  return keysIn(dir);
}

function keysIn(dir: string): TestKeys {
  const p = (n: string) => join(dir, n);
  return {
    dir,
    path: p,
    read: (n) => readFileSync(p(n)),
    text: (n) => readFileSync(p(n), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * rsa and rsa2 (`.key` PKCS#8 PEM, `.crt` self-signed for 365 days from now) with the subjects, serials and
 * extensions makeKeys gives them, made with node:crypto alone: the keys of tests that need an RSA signer but not
 * OpenSSL, so that they run in a plain clone.
 */
export function makeRsaKeys(): TestKeys {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-rsa-'));
  const now = Date.now();
  const made = [
    ['rsa', 'sandan RSA test', '01691fe9'],
    ['rsa2', 'sandan other RSA test', '02'],
  ] as const;
  for (const [name, commonName, serial] of made) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, `${name}.key`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const notAfter = new Date(now + 365 * 86_400_000);
    const cert = selfSignedRsaCertificate(privateKey, { commonName, serial, notBefore: new Date(now), notAfter });
    writeFileSync(join(dir, `${name}.crt`), cert);
  }
  return keysIn(dir);
}

export interface CertificateFields {
  commonName: string;
  /** Hex. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /**
   * Version 1 without extensions, as `openssl ca` writes without an extensions section; by default version 3 with
   * the subject and authority key identifiers and a critical CA:TRUE, as `openssl req -x509` does.
   */
  v1?: boolean;
}

/** A self-signed sha256WithRSAEncryption certificate (PEM) of an RSA key, written as DER here, apart from src/sign. */
export function selfSignedRsaCertificate(key: KeyObject | string | Buffer, f: CertificateFields): string {
  const privateKey = key instanceof Buffer || typeof key === 'string' ? createPrivateKey(key) : key;
  const publicKey = createPublicKey(privateKey);
  const name = seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(f.commonName, 'utf8')))));
  const algorithm = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  // RFC 5280 §4.2.1.2, method 1: SHA-1 of the subjectPublicKey bits, for an RSA key its PKCS#1 form.
  const keyId = createHash('sha1')
    .update(publicKey.export({ type: 'pkcs1', format: 'der' }))
    .digest();
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid('2.5.29.14'), tlv(0x04, tlv(0x04, keyId))),
      seq(oid('2.5.29.35'), tlv(0x04, seq(tlv(0x80, keyId)))),
      seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))),
    ),
  );
  const serial = Buffer.from(f.serial.length % 2 ? `0${f.serial}` : f.serial, 'hex');
  const tbs = seq(
    ...(f.v1 ? [] : [tlv(0xa0, tlv(0x02, Buffer.from([2])))]),
    tlv(0x02, serial[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial),
    algorithm,
    name,
    seq(time(f.notBefore), time(f.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    ...(f.v1 ? [] : [extensions]),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A DER element: tag, definite length, contents. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const seq = (...contents: Buffer[]) => tlv(0x30, ...contents);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const v of rest) {
    const digits = [v & 0x7f];
    for (let high = Math.floor(v / 128); high > 0; high = Math.floor(high / 128)) digits.unshift((high & 0x7f) | 0x80);
    bytes.push(...digits);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), to the second. */
function time(d: Date): Buffer {
  const text = d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(text.slice(2))) : tlv(0x18, Buffer.from(text));
}

/** The TLVs directly inside the DER element at `at` of `b` (whole encodings), apart from src/sign. */
function elementsIn(b: Buffer, at = 0): Buffer[] {
  const read = (q: number) => {
    let len = b[q + 1]!;
    let start = q + 2;
    if (len & 0x80) {
      const k = len & 0x7f;
      len = 0;
      for (let i = 0; i < k; i++) len = len * 256 + b[start + i]!;
      start += k;
    }
    return { start, end: start + len };
  };
  const outer = read(at);
  const out: Buffer[] = [];
  for (let q = outer.start; q < outer.end; ) {
    const end = read(q).end;
    out.push(b.subarray(q, end));
    q = end;
  }
  return out;
}

/**
 * Certificate `pem` with its extension `oidDotted` given a second time (the copy last), signed again (SHA-256, RSA)
 * with `issuerKey`: a certificate RFC 5280 4.2 forbids, which OpenSSL's own tools will not write.
 */
export function withExtensionTwice(pem: string, oidDotted: string, issuerKey: KeyObject | string | Buffer): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const [tbs, algorithm] = elementsIn(der);
  const id = oid(oidDotted);
  const fields = elementsIn(tbs!).map((f) => {
    if (f[0] !== 0xa3) return f;
    const exts = elementsIn(elementsIn(f)[0]!);
    const twice = exts.find((e) => elementsIn(e)[0]!.equals(id));
    if (!twice) throw new Error(`the certificate has no extension ${oidDotted}`);
    return tlv(0xa3, seq(...exts, twice));
  });
  const newTbs = seq(...fields);
  const key = issuerKey instanceof Buffer || typeof issuerKey === 'string' ? createPrivateKey(issuerKey) : issuerKey;
  const out = seq(newTbs, algorithm!, tlv(0x03, Buffer.from([0]), sign('sha256', newTbs, key)));
  return `-----BEGIN CERTIFICATE-----\n${out
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Raw r‖s → DER, written independently of src/sign for OpenSSL. */
export function rawToDer(raw: Buffer): Buffer {
  const int = (b: Buffer) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([2, v.length]), v]);
  };
  const body = Buffer.concat([int(raw.subarray(0, 32)), int(raw.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** DER → raw r‖s, independently of src/sign. */
export function derToRaw(der: Buffer): Buffer {
  let p = 2;
  const out: Buffer[] = [];
  for (let k = 0; k < 2; k++) {
    const len = der[p + 1]!;
    let v = der.subarray(p + 2, p + 2 + len);
    while (v.length > 32) v = v.subarray(1);
    out.push(Buffer.concat([Buffer.alloc(32 - v.length), v]));
    p += 2 + len;
  }
  return Buffer.concat(out);
}

/**
 * Another self-signed certificate of the RSA key `rsa.key` (a renewal, or one with other extensions), written to
 * `<name>.crt` in the key dir; returns its PEM. `extensions` are OpenSSL `-addext` values, e.g.
 * `keyUsage=critical,keyEncipherment`.
 */
export function rsaCertificateOfKey(
  keys: TestKeys,
  name: string,
  o: { subject: string; serial: string; extensions?: readonly string[] },
): string {
  const out = keys.path(`${name}.crt`);
  const extensions = (o.extensions ?? []).flatMap((e) => ['-addext', e]);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    keys.path('rsa.key'),
    '-sha256',
    '-subj',
    o.subject,
    '-days',
    '365',
    '-set_serial',
    o.serial,
    ...extensions,
    '-out',
    out,
  ]);
  return keys.text(`${name}.crt`);
}

/** Writes a file in the key dir and returns its path. */
export function put(keys: TestKeys, name: string, content: string | Buffer): string {
  writeFileSync(keys.path(name), content);
  return keys.path(name);
}

/**
 * OpenSSL's verdict on an SM2 signature (DER) over data, with the default user ID. `pkeyutl` reads the whole
 * signature file (`dgst -verify` reads at most the key's largest signature size, 72 bytes, and so would not see a
 * trailing byte).
 */
export function opensslSm2Verifies(
  keys: TestKeys,
  data: string | Buffer,
  derSig: Buffer,
  pub = keys.path('sm2.pub'),
): boolean {
  const d = put(keys, 'data.bin', data);
  const s = put(keys, 'sig.der', derSig);
  try {
    const args = ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', d];
    return openssl([...args, '-sigfile', s, '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678'])
      .toString()
      .includes('Signature Verified Successfully');
  } catch {
    return false;
  }
}

export function xmlsec1(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * xmlsec1 fills in the signature template in file `template` with the test RSA key and certificate, writing key
 * folder file `out`: xmlsec1's status and output, and the path written.
 */
export function xmlsec1SignRsa(
  keys: TestKeys,
  template: string,
  out: string,
): { status: number | null; out: string; path: string } {
  const path = keys.path(out);
  const r = xmlsec1([
    '--sign',
    '--privkey-pem',
    `${keys.path('rsa.key')},${keys.path('rsa.crt')}`,
    '--output',
    path,
    template,
  ]);
  return { ...r, path };
}
