// A certificate with one extension twice (RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a
// particular extension"). sandan's readers took the first; OpenSSL, reading the extensions it processes, finds two and
// calls the certificate invalid: it issues nothing and nothing issues it. Each verdict is held to `openssl verify` on
// the same certificates (and, for the self-signed one, to xmlsec1), the duplicates written here by re-signing an
// OpenSSL-made certificate with one of its extensions repeated.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSigner, signMessage, verifyMessage } from '../../src/index.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { openssl, unsignedSample, withExtensionTwice, xmlsec1 } from './helpers.js';

const noTools = skipWithout('openssl') || skipWithout('xmlsec1');
let dir: string;
const p = (n: string) => join(dir, n);
const pem = (n: string) => readFileSync(p(`${n}.crt`), 'utf8');
const body = (text: string) => text.replace(/-----[^-]+-----|\s/g, '');

function cert(n: string, subj: string, issuer: string | undefined, ca: boolean, more = ''): void {
  const key = p(ca ? 'ca.key' : 'leaf.key');
  writeFileSync(
    p(`${n}.ext`),
    `[v3]\nbasicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n${more}\n[good]\nC=CN\nO=Good Corp\n`,
  );
  openssl(['req', '-new', '-key', key, '-subj', subj, '-out', p(`${n}.csr`)]);
  const signer = issuer
    ? ['-CA', p(`${issuer}.crt`), '-CAkey', p('ca.key'), '-set_serial', `0x${Buffer.from(n).toString('hex')}`]
    : ['-signkey', key];
  openssl([
    ...['x509', '-req', '-in', p(`${n}.csr`), ...signer, '-days', '30', '-sha256'],
    ...['-extfile', p(`${n}.ext`), '-extensions', 'v3', '-out', p(`${n}.crt`)],
  ]);
}

function opensslTrusts(leaf: string, anchor: string): boolean {
  try {
    openssl(['verify', '-partial_chain', '-CAfile', p(`${anchor}.crt`), p(`${leaf}.crt`)]);
    return true;
  } catch {
    return false;
  }
}

/** A CEB311 signed with the leaf key and `good`'s certificate, KeyInfo then made to carry `carried`'s instead. */
async function signedAs(good: string, carried: string, key = 'leaf.key'): Promise<string> {
  const signer = createLocalSigner({ key: readFileSync(p(key)), certificate: pem(good) });
  const { xml } = await signMessage(unsignedSample('CEB311Message'), signer);
  return xml.replace(body(pem(good)), body(pem(carried)));
}

const EXTENSIONS: Array<[string, string]> = [
  ['basicConstraints', '2.5.29.19'],
  ['subjectKeyIdentifier', '2.5.29.14'],
  ['authorityKeyIdentifier', '2.5.29.35'],
  ['keyUsage', '2.5.29.15'],
  ['extKeyUsage', '2.5.29.37'],
  ['subjectAltName', '2.5.29.17'],
  ['cRLDistributionPoints', '2.5.29.31'],
];

/** `from` with its extension `oid` given twice, signed again with `issuerKey`, written to `<to>.crt`. */
function duplicated(from: string, oid: string, issuerKey: string, to: string): void {
  writeFileSync(p(`${to}.crt`), withExtensionTwice(pem(from), oid, readFileSync(p(issuerKey))));
}

describe.skipIf(noTools)('a certificate with an extension twice', () => {
  beforeAll(() => {
    needTool('openssl');
    needTool('xmlsec1');
    dir = mkdtempSync(join(tmpdir(), 'sandan-dupext-'));
    for (const k of ['ca', 'leaf'])
      openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p(`${k}.key`)]);
    cert('root', '/C=CN/O=Root CA', undefined, true);
    cert(
      'leaf',
      '/C=CN/O=Good Corp/CN=Signer',
      'root',
      false,
      'keyUsage=digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\nsubjectAltName=email:ops@good.cn\ncertificatePolicies=1.2.3.4\ncrlDistributionPoints=URI:http://ca.good.cn/c.crl\n1.2.3.9=DER:0500',
    );
    for (const [name, hex] of EXTENSIONS) duplicated('leaf', hex, 'ca.key', `leaf-${name}`);
    // Twice but not read by OpenSSL's chain check: certificatePolicies, an extension of no known type.
    duplicated('leaf', '2.5.29.32', 'ca.key', 'leaf-policies');
    duplicated('leaf', '1.2.3.9', 'ca.key', 'leaf-private');
    // A root that permits Good Corp only, its nameConstraints given twice: it vouches for nobody, inside or out.
    cert('rootNc', '/C=CN/O=Root NC', undefined, true, 'nameConstraints=critical,permitted;dirName:good');
    duplicated('rootNc', '2.5.29.30', 'ca.key', 'rootNcTwice');
    cert('leafNc', '/C=CN/O=Good Corp/CN=Inside', 'rootNc', false);
    // A partner's self-signed certificate given as its own anchor, its basicConstraints twice.
    openssl([
      ...['req', '-x509', '-new', '-key', p('leaf.key'), '-subj', '/C=CN/O=Self', '-days', '30'],
      ...['-out', p('self.crt')],
    ]);
    duplicated('self', '2.5.29.19', 'leaf.key', 'selfTwice');
  }, 120_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it.each(EXTENSIONS)('a signing certificate with %s twice is invalid, as OpenSSL says', async (name) => {
    expect(opensslTrusts('leaf', 'root'), 'OpenSSL, once').toBe(true);
    expect(opensslTrusts(`leaf-${name}`, 'root'), 'OpenSSL, twice').toBe(false);
    const xml = await signedAs('leaf', `leaf-${name}`);
    expect(
      verifyMessage(xml.replace(body(pem(`leaf-${name}`)), body(pem('leaf'))), { trustedCertificates: [pem('root')] })
        .valid,
    ).toBe(true);
    const v = verifyMessage(xml, { trustedCertificates: [pem('root')] });
    expect(v.valid ? 'valid' : v.reason).toBe('certificate-invalid');
    expect(v.valid ? '' : v.message).toContain(`has the extension ${name} (`);
    expect(v.valid ? '' : v.message).toContain('twice: RFC 5280 4.2 allows one instance');
    // Without anchors too, as a critical extension no check processes is: the certificate itself is at fault.
    const bare = verifyMessage(xml);
    expect(bare.valid ? 'valid' : bare.reason).toBe('certificate-invalid');
  });

  it('one OpenSSL does not read, given twice, passes as it does there', async () => {
    for (const n of ['leaf-policies', 'leaf-private']) {
      expect(opensslTrusts(n, 'root'), n).toBe(true);
      const v = verifyMessage(await signedAs('leaf', n), { trustedCertificates: [pem('root')] });
      expect(v.valid ? 'trusted' : v.message, n).toBe('trusted');
    }
  });

  it('an anchor with nameConstraints twice vouches for nobody, and the message says which and why', async () => {
    expect(opensslTrusts('leafNc', 'rootNc')).toBe(true);
    expect(opensslTrusts('leafNc', 'rootNcTwice')).toBe(false);
    const xml = await signedAs('leafNc', 'leafNc');
    expect(verifyMessage(xml, { trustedCertificates: [pem('rootNc')] }).valid).toBe(true);
    const v = verifyMessage(xml, { trustedCertificates: [pem('rootNcTwice')] });
    expect(v.valid ? 'valid' : v.reason).toBe('certificate-untrusted');
    expect(v.valid ? '' : v.message).toMatch(
      /is not trusted: the certificate C=CN, O=Root NC \(serial [0-9a-f]+\), whose key signed it, has the extension nameConstraints \(2\.5\.29\.30\) twice/,
    );
  });

  it('a self-signed certificate with basicConstraints twice, given as its own anchor, is refused as xmlsec1 does', async () => {
    const file = p('self.xml');
    writeFileSync(file, await signedAs('self', 'self'));
    expect(xmlsec1(['--verify', '--trusted-pem', p('self.crt'), file]).status, 'xmlsec1, once').toBe(0);
    const xml = await signedAs('self', 'selfTwice');
    writeFileSync(file, xml);
    expect(xmlsec1(['--verify', '--trusted-pem', p('selfTwice.crt'), file]).status, 'xmlsec1, twice').not.toBe(0);
    const v = verifyMessage(xml, { trustedCertificates: [pem('selfTwice')] });
    expect(v.valid ? 'valid' : v.reason).toBe('certificate-invalid');
  });

  it('createLocalSigner refuses to sign with such a certificate (SIGN_CERT_INVALID)', () => {
    expect(() =>
      createLocalSigner({ key: readFileSync(p('leaf.key')), certificate: pem('leaf-subjectAltName') }),
    ).toThrow(
      expect.objectContaining({
        code: 'SIGN_CERT_INVALID',
        message: expect.stringContaining('subjectAltName (2.5.29.17) twice'),
      }),
    );
  });
});
