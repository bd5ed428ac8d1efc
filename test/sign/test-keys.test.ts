// The RSA test keys and certificates made with node:crypto (helpers.ts), which let the emulator, journey and some
// signing tests run without OpenSSL: node:crypto reads them as meant, and OpenSSL, where present, writes the same bytes.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needTool, skipWithout } from '../helpers/tools.js';
import { makeRsaKeys, selfSignedRsaCertificate, type TestKeys } from './helpers.js';

let keys: TestKeys;
beforeAll(() => {
  keys = makeRsaKeys();
});
afterAll(() => keys?.cleanup());

describe('makeRsaKeys', () => {
  it('rsa and rsa2: self-signed CA certificates of their keys, named and numbered as makeKeys makes them', () => {
    const made = [
      ['rsa', 'CN=sandan RSA test', '01691FE9'],
      ['rsa2', 'CN=sandan other RSA test', '02'],
    ] as const;
    for (const [name, subject, serial] of made) {
      const cert = new X509Certificate(keys.read(`${name}.crt`));
      expect([cert.subject, cert.issuer, cert.serialNumber, cert.ca]).toEqual([subject, subject, serial, true]);
      expect(cert.verify(cert.publicKey), 'signed by its own key').toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(keys.read(`${name}.key`))), `${name}.key is its key`).toBe(true);
      const from = Date.parse(cert.validFrom);
      expect(from).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(cert.validTo) - from).toBe(365 * 86_400_000);
    }
  });

  it('a version 1 certificate with the dates given, GeneralizedTime from 2050', () => {
    const pem = selfSignedRsaCertificate(keys.read('rsa.key'), {
      commonName: 'v1',
      serial: '1000',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2051-06-30T12:34:56Z'),
      v1: true,
    });
    const cert = new X509Certificate(pem);
    expect([cert.subject, cert.serialNumber, cert.ca]).toEqual(['CN=v1', '1000', false]);
    expect([new Date(cert.validFrom).toISOString(), new Date(cert.validTo).toISOString()]).toEqual([
      '2020-01-01T00:00:00.000Z',
      '2051-06-30T12:34:56.000Z',
    ]);
  });
});

describe.skipIf(skipWithout('openssl'))('selfSignedRsaCertificate against OpenSSL', () => {
  let dir: string;
  beforeAll(() => {
    needTool('openssl');
    dir = mkdtempSync(join(tmpdir(), 'sandan-cert-oracle-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['version 1, as `openssl ca` without extensions', true],
    ['version 3 with the key identifiers and CA:TRUE, as `openssl req -x509`', false],
  ])('%s: `openssl ca -selfsign` writes the same bytes (RSA PKCS#1 v1.5 signatures are deterministic)', (_, v1) => {
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    writeFileSync(join(dir, 'k.key'), keys.read('rsa.key'));
    writeFileSync(
      join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n[v3]\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\nbasicConstraints=critical,CA:true\n',
    );
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01691fe9\n');
    run(['req', '-new', '-key', 'k.key', '-subj', '/CN=sandan RSA test', '-out', 'c.csr']);
    // biome-ignore format: one option per line would hide the command
    run(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'k.key', '-in', 'c.csr', '-startdate', '20200101000000Z', '-enddate', '20510101000000Z', ...(v1 ? [] : ['-extensions', 'v3']), '-out', 'c.crt']);
    const ours = selfSignedRsaCertificate(keys.read('rsa.key'), {
      commonName: 'sandan RSA test',
      serial: '01691fe9',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2051-01-01T00:00:00Z'),
      v1,
    });
    expect(ours).toBe(run(['x509', '-in', 'c.crt']).toString());
  });
});
