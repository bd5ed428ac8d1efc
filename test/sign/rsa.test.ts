import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createPublicKey, createSecretKey, verify } from 'node:crypto';
import { createLocalSigner, readCertificate, signMessage, verifyMessage, SandanError } from '../../src/index.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { makeKeys, openssl, put, unsignedSample, xmlsec1, xmlsec1SignRsa, type TestKeys } from './helpers.js';

let keys: TestKeys;
beforeAll(() => {
  // The tests using the keys are skipped without OpenSSL: then so is making them.
  if (skipWithout('openssl')) return;
  keys = makeKeys();
});
afterAll(() => keys?.cleanup());

const rsaSigner = (extra: Partial<Parameters<typeof createLocalSigner>[0]> = {}) =>
  createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt'), ...extra });

describe.skipIf(skipWithout('openssl'))('RSA signing', () => {
  it('writes the spec layout: rsa-sha1, sha1 digest, C14N 1.0, URI="", enveloped, KeyName + certificate, last child of the root', async () => {
    const xml = unsignedSample('CEB621Message');
    const r = await signMessage(xml, rsaSigner());
    expect(r.xml.startsWith(xml.slice(0, xml.lastIndexOf('</ceb:CEB621Message>')))).toBe(true);
    expect(r.xml.trimEnd().endsWith('</ds:Signature></ceb:CEB621Message>')).toBe(true);
    const sig = r.xml.slice(r.xml.indexOf('<ds:Signature'));
    expect(sig).toContain(
      '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"></ds:CanonicalizationMethod>',
    );
    expect(sig).toContain(
      '<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"></ds:SignatureMethod>',
    );
    expect(sig).toContain('<ds:Reference URI="">');
    expect(sig).toContain(
      '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"></ds:Transform>',
    );
    expect(sig).toContain('<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"></ds:DigestMethod>');
    expect(sig).toContain('<ds:KeyName>01691fe9</ds:KeyName>');
    const certB64 = keys.text('rsa.crt').replace(/-----[^-]+-----|\s/g, '');
    expect(sig).toContain(`<ds:X509Certificate>${certB64}</ds:X509Certificate>`);
    // SignedInfo is canonicalised in context: it inherits xmlns:ceb from the root.
    expect(
      r.canonicalSignedInfo.startsWith(
        '<ds:SignedInfo xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">',
      ),
    ).toBe(true);
    // Independent check of the signature value over those bytes with Node's verify and the public key file.
    expect(
      verify(
        'sha1',
        Buffer.from(r.canonicalSignedInfo),
        createPublicKey(keys.read('rsa.pub')),
        Buffer.from(r.signatureValue, 'base64'),
      ),
    ).toBe(true);
    expect(Buffer.from(r.signatureValue, 'base64')).toHaveLength(256);
    expect(r.digestValue).toBe(createHash('sha1').update(r.canonicalDocument).digest('base64'));
  });

  it('loads keys as PKCS#8 PEM, PKCS#1 PEM, DER, encrypted PEM and encrypted DER; all sign the same', async () => {
    const xml =
      '<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="x"><ceb:Order/></ceb:CEB311Message>';
    const cert = keys.read('rsa.crt.der');
    const variants = [
      { key: keys.read('rsa.key') },
      { key: keys.text('rsa-pkcs1.key') },
      { key: keys.read('rsa.der') },
      { key: keys.text('rsa-enc.key'), passphrase: 'correct horse' },
      { key: keys.read('rsa-enc.der'), passphrase: 'correct horse' },
    ];
    const values = new Set<string>();
    for (const v of variants) {
      const r = await signMessage(xml, createLocalSigner({ ...v, certificate: cert }));
      values.add(r.signatureValue); // RSA PKCS#1 v1.5 is deterministic
      expect(verifyMessage(r.xml).valid).toBe(true);
    }
    expect(values.size).toBe(1);
  });

  it('refuses a wrong passphrase, a missing passphrase, and a certificate of another key', () => {
    const bad = (f: () => unknown, code: string, msg: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(SandanError);
        expect((e as SandanError).code).toBe(code);
        expect((e as Error).message).toMatch(msg);
      }
    };
    bad(
      () =>
        createLocalSigner({ key: keys.text('rsa-enc.key'), passphrase: 'wrong', certificate: keys.text('rsa.crt') }),
      'SIGN_KEY_INVALID',
      /wrong passphrase/,
    );
    bad(
      () => createLocalSigner({ key: keys.text('rsa-enc.key'), certificate: keys.text('rsa.crt') }),
      'SIGN_KEY_INVALID',
      /encrypted; give its passphrase/,
    );
    bad(
      () => createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa2.crt') }),
      'SIGN_CERT_INVALID',
      /does not belong/,
    );
    bad(
      () => createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('sm2.crt') }),
      'SIGN_CERT_INVALID',
      /SM2 key/,
    );
    bad(
      () => createLocalSigner({ key: 'not a key', certificate: keys.text('rsa.crt') }),
      'SIGN_KEY_INVALID',
      /Not a private key/,
    );
    bad(() => createLocalSigner({ key: keys.read('rsa.key'), certificate: 'nope' }), 'SIGN_CERT_INVALID', /X\.509/);
  });

  it('names the key of a certificate that is neither RSA nor SM2: its algorithm, and its curve when it has one', () => {
    const certOf = (name: string, keyArgs: string[]) => {
      openssl(['genpkey', ...keyArgs, '-out', keys.path(`${name}.key`)]);
      openssl([
        'req',
        '-x509',
        '-new',
        '-key',
        keys.path(`${name}.key`),
        '-subj',
        `/CN=${name}`,
        '-days',
        '1',
        '-out',
        keys.path(`${name}.crt`),
      ]);
      return keys.text(`${name}.crt`);
    };
    const refusal = (pem: string) => {
      try {
        readCertificate(pem);
      } catch (e) {
        return [(e as SandanError).code, (e as Error).message];
      }
      return undefined;
    };
    // id-ecPublicKey on prime256v1 (P-256); Ed25519 has no curve parameter.
    expect(refusal(certOf('p256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']))).toEqual([
      'SIGN_CERT_INVALID',
      "Cannot read the certificate's public key: unsupported public key (algorithm EC (1.2.840.10045.2.1), curve P-256 (1.2.840.10045.3.1.7)); only RSA and SM2 are used by customs",
    ]);
    expect(refusal(certOf('ed25519', ['-algorithm', 'ED25519']))).toEqual([
      'SIGN_CERT_INVALID',
      "Cannot read the certificate's public key: unsupported public key (algorithm Ed25519 (1.3.101.112)); only RSA and SM2 are used by customs",
    ]);
    // The same P-256 key as a signing key: refused before the certificate is compared with it.
    expect(() => createLocalSigner({ key: keys.read('p256.key'), certificate: keys.text('sm2.crt') })).toThrow(
      expect.objectContaining({
        code: 'SIGN_KEY_INVALID',
        message: 'Not an RSA or SM2 private key: EC key on curve P-256 (1.2.840.10045.3.1.7), not SM2',
      }),
    );
    // A curve without a name here is given by its OID alone (brainpoolP256r1, RFC 5639).
    openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:brainpoolP256r1',
      '-out',
      keys.path('bp.key'),
    ]);
    expect(() => createLocalSigner({ key: keys.read('bp.key'), certificate: keys.text('sm2.crt') })).toThrow(
      'EC key on curve 1.3.36.3.3.2.8.1.1.7, not SM2',
    );
  });

  it('refuses a certificate number or algorithm URI that XML cannot carry, or an empty certificate number', async () => {
    // Written as given, U+0000, U+FFFE or a lone surrogate made a signed message that neither parsed nor verified.
    const xml = unsignedSample('CEB311Message');
    for (const certificateNumber of ['a\u0000b', 'a\uFFFEb', '\uD800', '', '  ']) {
      await expect(signMessage(xml, rsaSigner({ certificateNumber }))).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/^The certificate number /),
      });
      await expect(signMessage(xml, rsaSigner(), { certificateNumber })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
      });
    }
    await expect(
      signMessage(xml, rsaSigner(), { signatureMethod: 'urn:x\u0001', signatureAlgorithm: 'rsa-sha1' }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^SignatureMethod /) });
    await expect(
      signMessage(xml, rsaSigner(), { digestMethod: 'urn:x\uFFFF', digestAlgorithm: 'sha1' }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/^DigestMethod /) });
    // Markup characters are escaped, and the message verifies.
    const marked = await signMessage(xml, rsaSigner({ certificateNumber: '<&>' }));
    expect(marked.xml).toContain('<ds:KeyName>&lt;&amp;&gt;</ds:KeyName>');
    expect(verifyMessage(marked.xml).valid).toBe(true);
  });

  it('names a secret key given as the private key as such', () => {
    expect(() => rsaSigner({ key: createSecretKey(Buffer.alloc(32)) as never })).toThrow(
      'The key is a secret (symmetric) key; a private key is needed to sign',
    );
  });

  it('refuses to sign twice unless asked to replace, and rejects malformed XML and DTDs', async () => {
    const once = (await signMessage(unsignedSample('CEB311Message'), rsaSigner())).xml;
    await expect(signMessage(once, rsaSigner())).rejects.toMatchObject({ code: 'SIGN_ALREADY_SIGNED' });
    const twice = await signMessage(once, rsaSigner(), { replaceSignature: true });
    expect(twice.xml.match(/<ds:Signature /g)).toHaveLength(1);
    expect(verifyMessage(twice.xml).valid).toBe(true);
    // A signature inside the one replaced would vanish with it unseen: refused, as one elsewhere is.
    const nested = once.replace('</ds:KeyInfo>', `</ds:KeyInfo><ds:Object><ds:Signature></ds:Signature></ds:Object>`);
    await expect(signMessage(nested, rsaSigner(), { replaceSignature: true })).rejects.toMatchObject({
      code: 'SIGN_ALREADY_SIGNED',
      message: expect.stringContaining('not a child of the root'),
    });
    // The same two signatures are two for the verifier.
    expect(verifyMessage(nested)).toMatchObject({ valid: false, reason: 'signature-multiple' });
    await expect(signMessage('<a><b></a>', rsaSigner())).rejects.toMatchObject({ code: 'XML_MALFORMED' });
    await expect(signMessage('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', rsaSigner())).rejects.toMatchObject({
      code: 'XML_MALFORMED',
    });
  });
});

describe.skipIf(skipWithout('openssl') || skipWithout('xmlsec1'))('RSA cross-checks with xmlsec1', () => {
  beforeAll(() => needTool('xmlsec1'));
  const cases = [
    'CEB311Message',
    'CEB411Message',
    'CEB511Message',
    'CEB621Message',
    'CEB623Message',
    'CEB625Message',
    'CEB711Message',
  ];
  it.each(cases)('xmlsec1 verifies sandan signing %s (rsa-sha1 and rsa-sha256)', async (name) => {
    for (const algorithm of ['rsa-sha1', 'rsa-sha256'] as const) {
      const r = await signMessage(unsignedSample(name), rsaSigner({ algorithm }));
      const f = put(keys, `${name}-${algorithm}.xml`, r.xml);
      const out = xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), f]);
      expect(out.status, out.out).toBe(0);
      expect(out.out).toMatch(/^OK$/m);
      // and a tampered copy fails in xmlsec1 too
      const t = put(keys, `${name}-${algorithm}-bad.xml`, r.xml.replace('<ceb:guid>', '<ceb:guid>X'));
      expect(xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), t]).status).not.toBe(0);
    }
  });

  it('xmlsec1 verifies tricky namespaces, attributes, entities, CDATA, comments and xml:lang', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<?note before?>
<!-- a comment -->
<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:default" version="1.0" guid="g" xml:lang="zh">
  <ceb:Order b="2" a='1' xsi:type="x" ceb:z="&lt;&quot;&#9;&#xA;">
    <ceb:note><![CDATA[a < b & "c" > d]]>&amp; 中文&#x1F600;</ceb:note>
    <inner xmlns="" xmlns:other="urn:other"><other:x/></inner>
    <!-- inside -->
    <?pi data?>
  </ceb:Order>
</ceb:CEB311Message>
<!-- after -->`;
    const r = await signMessage(xml, rsaSigner());
    const f = put(keys, 'tricky.xml', r.xml);
    const out = xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), f]);
    expect(out.status, out.out).toBe(0);
    expect(verifyMessage(r.xml).valid).toBe(true);
  });

  it('sandan verifies documents signed by xmlsec1 --sign', () => {
    for (const [name, method, digestMethod] of [
      ['CEB621Message', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'http://www.w3.org/2000/09/xmldsig#sha1'],
      ['CEB311Message', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmlenc#sha256'],
    ] as const) {
      const xml = unsignedSample(name);
      const template = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="${method}"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="${digestMethod}"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:KeyName>01691fe9</ds:KeyName><ds:X509Data/></ds:KeyInfo></ds:Signature>`;
      const end = xml.lastIndexOf('</ceb:');
      const tmpl = put(keys, `${name}-tmpl.xml`, xml.slice(0, end) + template + xml.slice(end));
      const s = xmlsec1SignRsa(keys, tmpl, `${name}-xmlsec.xml`);
      expect(s.status, s.out).toBe(0);
      const signed = keys.text(`${name}-xmlsec.xml`);
      const v = verifyMessage(signed, { trustedCertificates: [keys.text('rsa.crt')] });
      expect(v).toMatchObject({ valid: true, signatureMethod: method, digestMethod, certificateNumber: '01691fe9' });
      const tampered = verifyMessage(signed.replace('<ceb:orderNo>', '<ceb:orderNo>1'));
      expect(tampered).toMatchObject({ valid: false, reason: 'digest-mismatch' });
    }
  });
});
