// Test keys and certificates, generated with the OpenSSL command line into a temp dir on every run.
// Nothing here is committed: no private key leaves the temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needTool } from '../helpers/tools.js';

/** The official 2022-05 import samples (test/fixtures/ceb-spec). */
export const SAMPLES = fileURLToPath(new URL('../fixtures/ceb-spec/samples-202205/import', import.meta.url));

export function openssl(args: string[], input?: string | Buffer): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
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
  return {
    dir,
    path: p,
    read: (n) => readFileSync(p(n)),
    text: (n) => readFileSync(p(n), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
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
