import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateValidityAt, createLocalSigner, signMessage, verifyMessage, type Signer } from '../../src/index.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { canonicalizeElement } from '../../src/xml/core/c14n.js';
import { MAX_SIGNATURE_NODES } from '../../src/sign/envelope.js';
import { parseXml, type XmlElement } from '../../src/xml/core/tree.js';
import { makeKeys, openssl, put, selfSignedRsaCertificate, unsignedSample, type TestKeys, xmlsec1 } from './helpers.js';

let keys: TestKeys;
let rsa: Signer;
let sm2: Signer;
let rsaSigned: string;
let sm2Signed: string;
beforeAll(async () => {
  // The tests using the keys are skipped without OpenSSL: then so is making them.
  if (skipWithout('openssl')) return;
  keys = makeKeys();
  rsa = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  sm2 = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
  rsaSigned = (await signMessage(unsignedSample('CEB621Message'), rsa)).xml;
  sm2Signed = (await signMessage(unsignedSample('CEB621Message'), sm2)).xml;
});
afterAll(() => keys?.cleanup());

const sigOf = (xml: string) => xml.slice(xml.indexOf('<ds:Signature'), xml.indexOf('</ds:Signature>') + 15);

describe.skipIf(skipWithout('openssl'))('verifyMessage', () => {
  it('returns what was signed: the canonical document without the signature, the certificate and the algorithms', async () => {
    const v = verifyMessage(sm2Signed, { trustedCertificates: [keys.text('sm2.crt')], at: new Date() });
    if (!v.valid) throw new Error(v.message);
    expect(v.signedXml.startsWith('<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid=')).toBe(true);
    expect(v.signedXml).not.toContain('Signature');
    expect(v.signedXml.endsWith('</ceb:BaseTransfer>\n</ceb:CEB621Message>')).toBe(true);
    expect(v.certificate.subject).toBe('CN=sandan SM2 test');
    expect(v).toMatchObject({
      signatureMethod: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3',
      digestMethod: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm3',
      signatureAlgorithm: 'sm2-sm3',
      digestAlgorithm: 'sm3',
      trusted: true,
    });
  });

  it.each([
    [
      'a changed value',
      (x: string) => x.replace('<ceb:buyerName>李小宝</ceb:buyerName>', '<ceb:buyerName>李大宝</ceb:buyerName>'),
      'digest-mismatch',
    ],
    [
      'an added element',
      (x: string) => x.replace('<ceb:BaseTransfer>', '<ceb:Extra/><ceb:BaseTransfer>'),
      'digest-mismatch',
    ],
    ['a changed attribute', (x: string) => x.replace('guid="4CDE1CFD', 'guid="5CDE1CFD'), 'digest-mismatch'],
    [
      'a changed XML declaration (not signed content, but shows the check is canonical)',
      (x: string) => x.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n<?pi x?>'),
      'digest-mismatch',
    ],
    ['a changed DigestValue', (x: string) => x.replace(/<ds:DigestValue>./, '<ds:DigestValue>A'), 'signature-mismatch'],
    [
      'a changed SignedInfo',
      (x: string) => x.replace('<ds:Reference URI="">', '<ds:Reference URI="" Id="r">'),
      'signature-mismatch',
    ],
    [
      'a second Signature',
      (x: string) => x.replace('</ceb:CEB621Message>', `${sigOf(x)}</ceb:CEB621Message>`),
      'signature-multiple',
    ],
    [
      'an attribute a Reference does not have',
      (x: string) => x.replace('<ds:Reference URI="">', '<ds:Reference URI="" Foo="x">'),
      'signature-structure',
    ],
    [
      'a Signature moved into the body',
      (x: string) => x.replace(sigOf(x), '').replace('<ceb:Inventory>', `<ceb:Inventory>${sigOf(x)}`),
      'signature-misplaced',
    ],
    [
      'a Signature that is not last',
      (x: string) => x.replace('</ds:Signature>', '</ds:Signature><ceb:Late/>'),
      'signature-misplaced',
    ],
    ['no Signature', (x: string) => x.replace(sigOf(x), ''), 'signature-missing'],
    [
      'a Reference to part of the document',
      (x: string) => x.replace('<ds:Reference URI="">', '<ds:Reference URI="#part">'),
      'reference-not-whole-document',
    ],
    [
      'a second Reference',
      (x: string) =>
        x.replace(
          '</ds:Reference>',
          '</ds:Reference><ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>',
        ),
      'signature-structure',
    ],
    [
      'content wrapped in ds:Object',
      (x: string) =>
        x.replace(
          '</ds:KeyInfo>',
          '</ds:KeyInfo><ds:Object><ceb:Inventory><ceb:orderNo>evil</ceb:orderNo></ceb:Inventory></ds:Object>',
        ),
      'signature-structure',
    ],
    [
      'an XPath transform',
      (x: string) =>
        x.replace(
          '</ds:Transforms>',
          '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform></ds:Transforms>',
        ),
      'transform-not-allowed',
    ],
    [
      'no enveloped transform',
      (x: string) => x.replace(/<ds:Transforms>[\s\S]*<\/ds:Transforms>/, ''),
      'transform-not-allowed',
    ],
    [
      'an MD5 digest method',
      (x: string) =>
        x.replace('http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"', 'http://www.w3.org/2001/04/xmldsig-more#md5"'),
      'algorithm-not-allowed',
    ],
    [
      'an unknown signature method',
      (x: string) => x.replace('2022/04/xmldsig#sm2-sm3', '2022/04/xmldsig#sm2-sha1'),
      'algorithm-not-allowed',
    ],
    [
      'exclusive C14N',
      (x: string) =>
        x.replace('http://www.w3.org/TR/2001/REC-xml-c14n-20010315"', 'http://www.w3.org/2001/10/xml-exc-c14n#"'),
      'algorithm-not-allowed',
    ],
    ['not XML', (x: string) => x.slice(0, 200), 'xml-malformed'],
  ])('rejects %s', (_what, change, reason) => {
    const bad = change(sm2Signed);
    expect(bad).not.toBe(sm2Signed);
    const v = verifyMessage(bad);
    expect(v.valid).toBe(false);
    if (!v.valid) {
      expect(v.reason).toBe(reason);
      expect(v.message.length).toBeGreaterThan(10);
    }
  });

  it('reads the signature as a tree of at most MAX_SIGNATURE_NODES nodes: a flood in it is refused, not built', () => {
    // 20 MB of `<x/>` in KeyInfo built a tree of 1.2 GB. 999 more nodes beside the signature's own (about 20 here,
    // no white space) pass the count and fail as an extra element; 1000 of them do not reach the tree at all.
    const flood = (n: number) => rsaSigned.replace('</ds:KeyInfo>', `${'<x/>'.repeat(n)}</ds:KeyInfo>`);
    const own = (sigOf(rsaSigned).match(/<[^/!?]|>[^<]/g) ?? []).length;
    expect(own).toBeLessThan(40);
    const under = verifyMessage(flood(MAX_SIGNATURE_NODES - own));
    expect(under).toMatchObject({ valid: false, reason: 'signature-structure' });
    const over = verifyMessage(flood(MAX_SIGNATURE_NODES));
    expect(over).toMatchObject({
      valid: false,
      reason: 'xml-malformed',
      message: `<ds:Signature> holds more than ${MAX_SIGNATURE_NODES} nodes, the limit`,
    });
    const big = verifyMessage(flood(2_000_000));
    expect(big.valid || big.reason).toBe('xml-malformed');
  });

  it('says where the structure of SignedInfo is wrong: an element that does not belong, one out of order', () => {
    const message = (x: string) => {
      const v = verifyMessage(x);
      return v.valid ? 'valid' : [v.reason, v.message];
    };
    const method = /<ds:SignatureMethod [^>]*><\/ds:SignatureMethod>/.exec(sm2Signed)![0];
    const c14n = /<ds:CanonicalizationMethod [^>]*><\/ds:CanonicalizationMethod>/.exec(sm2Signed)![0];
    expect(message(sm2Signed.replace(method, `${method}<ds:Object/>`))).toEqual([
      'signature-structure',
      'Unexpected <ds:Object> inside ds:SignedInfo (a ds:Object can wrap unsigned content)',
    ]);
    expect(message(sm2Signed.replace(c14n, '').replace(method, `${method}${c14n}`))).toEqual([
      'signature-structure',
      'ds:SignedInfo has no ds:CanonicalizationMethod where <ds:SignatureMethod> is',
    ]);
  });

  // The SignedInfo gains a second Transform and is signed again with the same key, so only the
  // transform list differs from what sandan writes.
  const withSecond = (uri: string) => {
    const key = createPrivateKey(keys.read('rsa.key'));
    const x = rsaSigned.replace(
      '#enveloped-signature"></ds:Transform>',
      `#enveloped-signature"></ds:Transform>\n<ds:Transform Algorithm="${uri}"></ds:Transform>`,
    );
    const doc = parseXml(x);
    const find = (e: XmlElement): XmlElement | undefined =>
      e.local === 'SignedInfo'
        ? e
        : e.children.reduce<XmlElement | undefined>(
            (f, c) => f ?? (c.type === 'element' ? find(c) : undefined),
            undefined,
          );
    const signedInfo = find(doc.root)!;
    const value = sign('sha1', Buffer.from(canonicalizeElement(doc, signedInfo), 'utf8'), key).toString('base64');
    return x.replace(/<ds:SignatureValue>[^<]*</, `<ds:SignatureValue>${value}<`);
  };
  const C14N_TRANSFORMS = [
    'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
    'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  ];

  it('takes a C14N transform after the enveloped one (with or without comments), as xmlsec1 does; refuses another', () => {
    const trust = { trustedCertificates: [keys.text('rsa.crt')] };
    for (const uri of C14N_TRANSFORMS) {
      expect(verifyMessage(withSecond(uri), trust), uri).toMatchObject({ valid: true, trusted: true });
    }
    expect(verifyMessage(withSecond('http://www.w3.org/2001/10/xml-exc-c14n#'), trust)).toMatchObject({
      valid: false,
      reason: 'transform-not-allowed',
    });
  });

  it.skipIf(skipWithout('xmlsec1'))('xmlsec1 takes the same C14N transforms after the enveloped one', () => {
    needTool('xmlsec1');
    for (const uri of C14N_TRANSFORMS) {
      const file = put(keys, 'two.xml', withSecond(uri));
      expect(xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), file]).status, uri).toBe(0);
    }
  });

  const textVariants = () => [
    rsaSigned.replace(/<ds:SignatureValue>(.{10})/, '<ds:SignatureValue>$1<!-- note -->'),
    rsaSigned.replace(/<ds:X509Certificate>(.{10})/, '<ds:X509Certificate>$1<!-- note --><?pi x?>'),
    // X509Data may name the certificate before holding it: the certificate is its X509Certificate child.
    rsaSigned.replace(
      '<ds:X509Certificate>',
      '<ds:X509SubjectName>CN=sandan RSA test</ds:X509SubjectName><ds:X509Certificate>',
    ),
  ];

  it('reads a SignatureValue or certificate with a comment or PI inside as its text alone, and a certificate after an X509SubjectName, as xmlsec1 does', () => {
    const trust = { trustedCertificates: [keys.text('rsa.crt')] };
    for (const x of textVariants()) {
      expect(x).not.toBe(rsaSigned);
      expect(verifyMessage(x, trust)).toMatchObject({ valid: true, trusted: true });
    }
  });

  it.skipIf(skipWithout('xmlsec1'))(
    'xmlsec1 accepts the same SignatureValue and certificate with a comment or PI inside, and the X509SubjectName',
    () => {
      needTool('xmlsec1');
      for (const x of textVariants()) {
        expect(xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), put(keys, 'c.xml', x)]).status).toBe(0);
      }
    },
  );

  it('refuses, never throws for, a relative namespace URI in what is signed: Canonical XML fails on it, as xmlsec1 does', async () => {
    const relative = unsignedSample('CEB621Message').replace(' guid=', ' xmlns:x="relative/uri" guid=');
    await expect(signMessage(relative, rsa)).rejects.toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED', details: { reason: 'relative-namespace' } }),
    );
    const trust = { trustedCertificates: [keys.text('rsa.crt')] };
    // In the document, and on ds:Signature (which SignedInfo inherits); on KeyInfo, which nothing canonicalises, below.
    const inDocument = rsaSigned.replace(' guid=', ' xmlns:x="relative/uri" guid=');
    const onSignature = rsaSigned.replace('<ds:Signature xmlns:ds=', '<ds:Signature xmlns:x="rel" xmlns:ds=');
    for (const x of [inDocument, onSignature]) {
      expect(x).not.toBe(rsaSigned);
      for (const diagnose of [true, false])
        expect(verifyMessage(x, { ...trust, diagnose })).toMatchObject({
          valid: false,
          reason: 'xml-malformed',
          message: expect.stringMatching(
            /^The namespace URI "rel(ative\/uri)?" \(xmlns:x, in scope at <(ceb:CEB621Message|ds:SignedInfo)>\) is relative/,
          ),
        });
    }
  });

  // hostile50a: one on KeyInfo, which no canonical form writes, verified (Santuario's reading); C14N 1.0 §2.1 speaks of
  // documents holding one, libxml2 fails on the document, and sandan refuses it in the signed content: so here too.
  const outsideSignedInfo = () =>
    [
      ['<ds:KeyInfo>', '<ds:KeyInfo xmlns:x="rel">', 'ds:KeyInfo'],
      ['<ds:X509Data>', '<ds:X509Data xmlns="">', undefined],
      ['<ds:X509Data>', '<ds:X509Data xmlns="x509">', 'ds:X509Data'],
      ['<ds:SignatureValue>', '<ds:SignatureValue xmlns:v="v/1">', 'ds:SignatureValue'],
    ].map(([from, to, at]) => {
      const x = rsaSigned.replace(from!, to!);
      expect(x).not.toBe(rsaSigned);
      return [x, at] as const;
    });

  it('refuses a relative namespace URI outside SignedInfo too (KeyInfo, SignatureValue), as libxml2 does', () => {
    const trust = { trustedCertificates: [keys.text('rsa.crt')] };
    for (const [x, at] of outsideSignedInfo())
      expect(verifyMessage(x, trust)).toEqual(
        at === undefined
          ? expect.objectContaining({ valid: true, trusted: true })
          : {
              valid: false,
              reason: 'xml-malformed',
              message: expect.stringMatching(
                new RegExp(
                  `^The namespace URI "[^"]+" \\(xmlns(:[xv])?, on <${at}>\\) is relative, with no scheme such as http: or urn:; Canonical XML 1\\.0 refuses a document holding one even where no canonical form writes it`,
                ),
              ),
            },
      );
  });

  it.skipIf(skipWithout('xmlsec1'))('xmlsec1 fails on the same relative namespace URIs', () => {
    needTool('xmlsec1');
    // (libxml2 also fails on one that nothing writes, on KeyInfo: it looks at every element, as sandan now does;
    // Santuario at the declarations it writes.)
    const verify = (x: string) =>
      xmlsec1(['--verify', '--pubkey-cert-pem', keys.path('rsa.crt'), put(keys, 'rel.xml', x)]).status;
    expect(verify(rsaSigned)).toBe(0);
    expect(verify(rsaSigned.replace(' guid=', ' xmlns:x="relative/uri" guid='))).not.toBe(0);
    expect(verify(rsaSigned.replace('<ds:Signature xmlns:ds=', '<ds:Signature xmlns:x="rel" xmlns:ds='))).not.toBe(0);
    // Outside SignedInfo: libxml2 fails where sandan now refuses, and reads what sandan reads.
    for (const [x, at] of outsideSignedInfo()) expect(verify(x) === 0, at).toBe(at === undefined);
  });

  // hostile50a: the base64 of PEM text (its BEGIN and END lines inside) in X509Certificate was read, as
  // readCertificate reads PEM; XML-DSig's X509Certificate is DER, and xmlsec1 refuses it.
  const pemInKeyInfo = () => {
    const pem = Buffer.from(keys.text('rsa.crt'), 'utf8').toString('base64');
    const x = rsaSigned.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${pem}<`);
    expect(x).toContain(pem);
    return x;
  };

  it('refuses the base64 of PEM text in X509Certificate (certificate-invalid), as xmlsec1 does', () => {
    for (const trust of [{}, { trustedCertificates: [keys.text('rsa.crt')] }])
      expect(verifyMessage(pemInKeyInfo(), trust)).toEqual({
        valid: false,
        reason: 'certificate-invalid',
        message:
          'The certificate in KeyInfo cannot be read: X509Certificate holds the base64 of PEM text (-----BEGIN …), not of the DER certificate XML-DSig asks for; write the base64 between the PEM lines',
      });
    // Bytes that are neither: named by their first byte (OpenSSL's own words were of ASN.1 tags).
    const text = Buffer.from('not a certificate at all', 'utf8').toString('base64');
    expect(verifyMessage(rsaSigned.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${text}<`))).toEqual({
      valid: false,
      reason: 'certificate-invalid',
      message:
        'The certificate in KeyInfo cannot be read: X509Certificate does not hold a DER certificate (it begins with the byte 0x6e, not 0x30)',
    });
  });

  it.skipIf(skipWithout('xmlsec1'))('xmlsec1 refuses the base64 of PEM text in X509Certificate too', () => {
    needTool('xmlsec1');
    const verify = (x: string) => xmlsec1(['--verify', '--trusted-pem', keys.path('rsa.crt'), put(keys, 'pem.xml', x)]);
    expect(verify(rsaSigned).status).toBe(0);
    expect(verify(pemInKeyInfo()).status).not.toBe(0);
  });

  it('rejects a document re-signed by wrapping the original root in a new one', () => {
    const inner = rsaSigned.replace(/^<\?xml[^>]*>\s*/, '');
    const wrapped = `<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb"><ceb:Inventory/>${inner}</ceb:CEB621Message>`;
    expect(verifyMessage(wrapped)).toMatchObject({ valid: false, reason: 'signature-misplaced' });
  });

  it('rejects a swapped certificate, a certificate of the wrong key type, and untrusted certificates', async () => {
    const otherCert = keys.text('rsa2.crt').replace(/-----[^-]+-----|\s/g, '');
    const swapped = rsaSigned.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${otherCert}<`);
    expect(verifyMessage(swapped)).toMatchObject({ valid: false, reason: 'signature-mismatch' });
    const sm2Cert = keys.text('sm2.crt').replace(/-----[^-]+-----|\s/g, '');
    expect(
      verifyMessage(rsaSigned.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${sm2Cert}<`)),
    ).toMatchObject({ valid: false, reason: 'certificate-invalid' });
    expect(verifyMessage(rsaSigned.replace(/<ds:X509Certificate>[^<]+</, '<ds:X509Certificate>AAAA<'))).toMatchObject({
      valid: false,
      reason: 'certificate-invalid',
    });
    expect(verifyMessage(rsaSigned, { trustedCertificates: [keys.text('rsa2.crt')] })).toMatchObject({
      valid: false,
      reason: 'certificate-untrusted',
    });
    expect(
      verifyMessage(sm2Signed, { trustedCertificates: [keys.text('sm2b.crt'), keys.text('sm2-ca.crt')] }),
    ).toMatchObject({ valid: false, reason: 'certificate-untrusted' });
    expect(
      verifyMessage(rsaSigned, { trustedCertificates: [keys.text('rsa2.crt'), keys.text('rsa.crt')] }),
    ).toMatchObject({ valid: true, trusted: true });
    // No anchors: the signature matches its own certificate, which proves nothing about who made it.
    expect(verifyMessage(rsaSigned)).toMatchObject({ valid: true, trusted: false });
    expect(verifyMessage(rsaSigned, { trustedCertificates: [] })).toMatchObject({ valid: true, trusted: false });
    expect(verifyMessage(rsaSigned, { at: new Date('2000-01-01') })).toMatchObject({
      valid: false,
      reason: 'certificate-not-yet-valid',
    });
  });

  // Another certificate of the signing key (re-issued, or made by whoever holds a copy of the public key) before the
  // trusted one in KeyInfo: the trusted one is the signer's, as xmlsec1 finds it; was certificate-untrusted.
  const sameKeyFirst = () => {
    const other = selfSignedRsaCertificate(keys.read('rsa.key'), {
      commonName: 'same key other certificate',
      serial: '0b',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2099-01-01T00:00:00Z'),
    }).replace(/-----[^-]+-----|\s/g, '');
    const x = rsaSigned.replace(
      '<ds:X509Certificate>',
      `<ds:X509Certificate>${other}</ds:X509Certificate><ds:X509Certificate>`,
    );
    expect(x).not.toBe(rsaSigned);
    return x;
  };

  it('of two certificates of the signing key in KeyInfo, takes the one the anchors vouch for, wherever it stands', () => {
    const x = sameKeyFirst();
    const v = verifyMessage(x, { trustedCertificates: [keys.text('rsa.crt')] });
    expect(v).toMatchObject({ valid: true, trusted: true });
    expect(v.valid && v.certificate.subject).toBe('CN=sandan RSA test');
    // Without anchors, the first that holds the key; the other alone is still untrusted.
    const u = verifyMessage(x);
    expect(u.valid && [u.trusted, u.certificate.subject]).toEqual([false, 'CN=same key other certificate']);
    const alone = x.replace(/<\/ds:X509Certificate><ds:X509Certificate>[^<]+/, '');
    expect(verifyMessage(alone, { trustedCertificates: [keys.text('rsa.crt')], diagnose: false })).toMatchObject({
      valid: false,
      reason: 'certificate-untrusted',
      message: expect.stringContaining('CN=same key other certificate'),
    });
  });

  it('of two trusted certificates of the signing key, takes the one in date at `at` (an expired one first)', () => {
    const old = selfSignedRsaCertificate(keys.read('rsa.key'), {
      commonName: 'expired certificate of the key',
      serial: '0c',
      notBefore: new Date('2019-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    const x = rsaSigned.replace(
      '<ds:X509Certificate>',
      `<ds:X509Certificate>${old.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate><ds:X509Certificate>`,
    );
    const trust = { trustedCertificates: [old, keys.text('rsa.crt')], at: new Date() };
    const v = verifyMessage(x, trust);
    expect(v.valid && [v.trusted, v.certificate.subject]).toEqual([true, 'CN=sandan RSA test']);
    // At a time within the old one only, the old one; within neither, the first one's refusal.
    const then = verifyMessage(x, { ...trust, at: new Date('2020-06-01T00:00:00Z') });
    expect(then.valid && then.certificate.subject).toBe('CN=expired certificate of the key');
    expect(verifyMessage(x, { ...trust, at: new Date('2018-06-01T00:00:00Z') })).toMatchObject({
      valid: false,
      reason: 'certificate-not-yet-valid',
      message: expect.stringMatching(
        /^The certificate is not yet valid at 2018-06-01T08:00:00\.000\+08:00: it is valid from 2019-01-01/,
      ),
    });
  });

  it.skipIf(skipWithout('xmlsec1'))('xmlsec1 verifies the same message with the trusted certificate second', () => {
    needTool('xmlsec1');
    const file = put(keys, 'same-key.xml', sameKeyFirst());
    expect(xmlsec1(['--verify', '--trusted-pem', keys.path('rsa.crt'), file]).status).toBe(0);
  });

  it('does not let a certificate whose validity is no time pass the check at a date', () => {
    // OpenSSL reads the UTCTime "271306…" (month 13) as "Bad time value": compared with any date it was neither before
    // nor after, and a message checked at a date long past the certificate's end verified.
    const der = new X509Certificate(keys.text('rsa.crt')).raw;
    const notBefore = der.indexOf(Buffer.from([0x17, 0x0d]));
    const notAfter = der.indexOf(Buffer.from([0x17, 0x0d]), notBefore + 2);
    for (const [field, at] of [
      ['notAfter', notAfter],
      ['notBefore', notBefore],
    ] as const) {
      const bad = Buffer.from(der);
      bad.write('13', at + 4, 'latin1');
      const xml = rsaSigned.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${bad.toString('base64')}<`);
      expect(verifyMessage(xml, { at: new Date('2100-01-01') })).toEqual({
        valid: false,
        reason: 'certificate-invalid',
        message: `The certificate in KeyInfo cannot be read: Cannot read the certificate's validity: its ${field} time is not a time ("Bad time value")`,
      });
      for (const use of [
        () => verifyMessage(rsaSigned, { trustedCertificates: [bad] }),
        () => certificateValidityAt(bad, new Date()),
      ])
        expect(use).toThrow(expect.objectContaining({ code: 'SIGN_CERT_INVALID' }));
    }
  });

  it('says certificate-invalid, never throws, for an SM2 certificate whose key is not a point of the curve', () => {
    // sm-crypto threw "bad point: is not on curve" out of verifyMessage (the CLI's internal error, the emulator's 500).
    const der = new X509Certificate(keys.text('sm2.crt')).raw;
    const at = der.indexOf(Buffer.from([0x03, 0x42, 0x00, 0x04])) + 4;
    const points: Array<[string, (d: Buffer) => void]> = [
      ['a changed coordinate', (d) => void (d[at + 63] = d[at + 63]! ^ 1)],
      ['coordinates past the field', (d) => void d.fill(0xff, at, at + 64)],
      ['the origin', (d) => void d.fill(0, at, at + 64)],
    ];
    for (const [what, edit] of points) {
      const bad = Buffer.from(der);
      edit(bad);
      const xml = sm2Signed.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${bad.toString('base64')}<`);
      for (const diagnose of [true, false])
        expect(verifyMessage(xml, { diagnose }), what).toEqual({
          valid: false,
          reason: 'certificate-invalid',
          message:
            "The certificate in KeyInfo cannot be read: Cannot read the certificate's public key: its SM2 public key is not a point of the SM2 curve",
        });
      // Given as a trust anchor, it is a certificate that cannot be read.
      expect(() => verifyMessage(sm2Signed, { trustedCertificates: [bad] }), what).toThrow(
        expect.objectContaining({ code: 'SIGN_CERT_INVALID' }),
      );
    }
  });
  it('refuses an `at` that is no valid Date, rather than skip the validity check', () => {
    // An Invalid Date compared false with both ends of the period: a certificate out of date verified as valid.
    for (const at of [new Date('2000-13-45'), '2000-01-01', 946684800000, null])
      expect(() => verifyMessage(rsaSigned, { at: at as Date })).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringContaining('at must be a valid Date'),
        }),
      );
  });

  it("takes a time within the certificate's last second, and not a millisecond before its first", () => {
    // X.509 validity is in whole seconds, both ends inclusive (RFC 5280 4.1.2.5).
    const x509 = new X509Certificate(keys.text('rsa.crt'));
    const from = Date.parse(x509.validFrom);
    const to = Date.parse(x509.validTo);
    const at = (ms: number) => verifyMessage(rsaSigned, { at: new Date(ms) });
    expect(at(to + 999)).toMatchObject({ valid: true });
    expect(at(to + 1000)).toMatchObject({ valid: false, reason: 'certificate-expired' });
    expect(at(from)).toMatchObject({ valid: true });
    // Before its first second it is not expired but not yet valid: a reason of its own.
    expect(at(from - 1)).toMatchObject({ valid: false, reason: 'certificate-not-yet-valid' });
  });

  it('reads a certificate that never expires (notAfter 99991231235959Z, RFC 5280 4.1.2.5): year 10000 in Beijing, shown in UTC', async () => {
    // `openssl ca` sets the dates as given (req -x509 counts days from now, and cannot reach the last second).
    writeFileSync(keys.path('ca-index.txt'), '');
    writeFileSync(keys.path('ca-serial'), '5A\n');
    const cnf = put(
      keys,
      'ca.cnf',
      `[ca]\ndefault_ca = d\n[d]\ndatabase = ${keys.path('ca-index.txt')}\nnew_certs_dir = ${keys.path('')}\nserial = ${keys.path('ca-serial')}\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n`,
    );
    openssl(['req', '-new', '-key', keys.path('rsa.key'), '-subj', '/CN=no expiry', '-out', keys.path('forever.csr')]);
    openssl([
      'ca',
      '-batch',
      '-notext',
      '-config',
      cnf,
      '-selfsign',
      '-keyfile',
      keys.path('rsa.key'),
      '-in',
      keys.path('forever.csr'),
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '99991231235959Z',
      '-out',
      keys.path('forever.crt'),
    ]);
    const forever = keys.text('forever.crt');
    const xml = (
      await signMessage(
        unsignedSample('CEB621Message'),
        createLocalSigner({ key: keys.read('rsa.key'), certificate: forever }),
      )
    ).xml;
    expect(verifyMessage(xml, { trustedCertificates: [forever], at: new Date('2026-11-20T00:00:00Z') })).toMatchObject({
      valid: true,
      trusted: true,
    });
    // Before its first day: the message names both ends; the last second is 9999-12-31T23:59:59Z, after 9999 in Beijing.
    expect(verifyMessage(xml, { at: new Date('2019-06-01T00:00:00Z') })).toMatchObject({
      valid: false,
      reason: 'certificate-not-yet-valid',
      message:
        'The certificate is not yet valid at 2019-06-01T08:00:00.000+08:00: it is valid from 2020-01-01T08:00:00.000+08:00 to 9999-12-31T23:59:59.000Z',
    });
  });

  it('certificateValidityAt: the period OpenSSL reads, and the boundaries verifyMessage keeps', () => {
    const pem = keys.text('rsa.crt');
    // OpenSSL, not node:crypto, reads the dates: "notBefore=Nov 20 02:17:00 2026 GMT"
    const dates = openssl(['x509', '-noout', '-startdate', '-enddate'], pem).toString();
    const gmt = (name: string) => Date.parse(dates.match(new RegExp(`${name}=(.+)`))![1]!);
    const from = gmt('notBefore');
    const to = gmt('notAfter');
    expect(certificateValidityAt(pem, new Date(from))).toEqual({ validFrom: new Date(from), validTo: new Date(to) });
    for (const [ms, outside] of [
      [from - 1, 'before'],
      [from, undefined],
      [to + 999, undefined],
      [to + 1000, 'after'],
    ] as const) {
      expect(certificateValidityAt(pem, new Date(ms)).outside, String(ms)).toBe(outside);
      expect(verifyMessage(rsaSigned, { at: new Date(ms) }).valid, String(ms)).toBe(outside === undefined);
    }
    expect(() => certificateValidityAt(pem, new Date(Number.NaN))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => certificateValidityAt('not a certificate', new Date())).toThrow(
      expect.objectContaining({ code: 'SIGN_CERT_INVALID' }),
    );
  });

  it('reads a validity year below 100 as written (GeneralizedTime 0001 to 0099), not as 19xx or 20xx', async () => {
    // Date.parse read Node's "Dec 31 23:59:59 49 GMT" as 2049: a certificate that expired in the year 49 passed `at`.
    const notBefore = new Date('0001-02-03T04:05:06Z');
    const notAfter = new Date('0049-12-31T23:59:59Z');
    const pem = selfSignedRsaCertificate(keys.read('rsa.key'), {
      commonName: 'y49',
      serial: '49',
      notBefore,
      notAfter,
    });
    const at = new Date('2026-11-20T00:00:00Z');
    expect(certificateValidityAt(pem, at)).toEqual({ validFrom: notBefore, validTo: notAfter, outside: 'after' });
    const signer = createLocalSigner({ key: keys.read('rsa.key'), certificate: pem });
    const xml = (await signMessage(unsignedSample('CEB621Message'), signer)).xml;
    expect(verifyMessage(xml, { at })).toMatchObject({ valid: false, reason: 'certificate-expired' });
    const later = selfSignedRsaCertificate(keys.read('rsa.key'), {
      commonName: 'y99',
      serial: '99',
      notBefore: new Date('0099-06-30T12:00:00Z'),
      notAfter: new Date('3000-01-01T00:00:00Z'),
    });
    expect(certificateValidityAt(later, new Date('1999-07-01T00:00:00Z')).outside).toBeUndefined();
    expect(certificateValidityAt(later, new Date('0099-06-30T11:59:59Z')).outside).toBe('before');
  });

  it('trusts a certificate issued by a trusted CA (RSA and SM2 chains)', async () => {
    for (const [k, ca, other] of [
      ['rsa-leaf', 'rsa-ca', 'rsa2'],
      ['sm2-leaf', 'sm2-ca', 'sm2b'],
    ] as const) {
      const s = createLocalSigner({ key: keys.read(`${k}.key`), certificate: keys.text(`${k}.crt`) });
      const xml = (await signMessage(unsignedSample('CEB311Message'), s)).xml;
      expect(verifyMessage(xml, { trustedCertificates: [keys.text(`${ca}.crt`)] }), k).toMatchObject({ valid: true });
      expect(verifyMessage(xml, { trustedCertificates: [keys.text(`${other}.crt`)] }), k).toMatchObject({
        valid: false,
        reason: 'certificate-untrusted',
      });
    }
  });

  it('trusts no certificate that a non-CA anchor signed, and no CA out of date at `at`; OpenSSL agrees', async () => {
    const p = keys.path;
    const issue = (name: string, ca: string, days: string) => {
      openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p(`${name}.key`)]);
      openssl(['req', '-new', '-key', p(`${name}.key`), '-subj', `/CN=${name}`, '-out', p(`${name}.csr`)]);
      openssl(
        ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${ca}.crt`), '-CAkey', p(`${ca}.key`)].concat([
          '-set_serial',
          '0x99',
          '-days',
          days,
          '-sha256',
          '-out',
          p(`${name}.crt`),
        ]),
      );
    };
    const signedBy = async (name: string) =>
      (
        await signMessage(
          unsignedSample('CEB311Message'),
          createLocalSigner({ key: keys.read(`${name}.key`), certificate: keys.text(`${name}.crt`) }),
        )
      ).xml;
    const opensslVerifies = (anchor: string, leaf: string, at?: number) =>
      spawnSync(
        'openssl',
        ['verify', '-partial_chain', '-CAfile', p(`${anchor}.crt`)].concat(
          at === undefined ? [] : ['-attime', String(Math.floor(at / 1000))],
          [p(`${leaf}.crt`)],
        ),
      ).status === 0;

    // rsa-leaf is no CA (no basicConstraints cA): its holder makes a certificate for someone else.
    expect(new X509Certificate(keys.text('rsa-leaf.crt')).ca).toBe(false);
    issue('mallory', 'rsa-leaf', '365');
    const mallory = verifyMessage(await signedBy('mallory'), { trustedCertificates: [keys.text('rsa-leaf.crt')] });
    expect(mallory).toMatchObject({ valid: false, reason: 'certificate-untrusted' });
    expect(mallory.valid ? '' : mallory.message).toContain('which is not a certificate authority');
    expect(opensslVerifies('rsa-leaf', 'mallory')).toBe(false);
    // The anchor itself, exactly as given, is still trusted; and a CA's certificate still vouches for its leaf.
    expect(
      verifyMessage(await signedBy('rsa-leaf'), { trustedCertificates: [keys.text('rsa-leaf.crt')] }),
    ).toMatchObject({
      valid: true,
      trusted: true,
    });
    expect(opensslVerifies('rsa-ca', 'rsa-leaf')).toBe(true);

    // A leaf valid for 365 days from a CA valid for 365 (rsa-ca): 200 days on, both are in date; a leaf of 800 days
    // outlives its CA, and at 400 days the CA is out of date.
    issue('long-leaf', 'rsa-ca', '800');
    const xml = await signedBy('long-leaf');
    const trust = { trustedCertificates: [keys.text('rsa-ca.crt')] };
    const day = 86_400_000;
    const at200 = Date.now() + 200 * day;
    const at400 = Date.now() + 400 * day;
    expect(verifyMessage(xml, { ...trust, at: new Date(at200) })).toMatchObject({ valid: true });
    expect(opensslVerifies('rsa-ca', 'long-leaf', at200)).toBe(true);
    const late = verifyMessage(xml, { ...trust, at: new Date(at400) });
    expect(late).toMatchObject({ valid: false, reason: 'certificate-expired' });
    expect(late.valid ? '' : late.message).toMatch(
      /^The CA certificate that issued it \(CN=sandan RSA test CA\) is no longer valid/,
    );
    expect(opensslVerifies('rsa-ca', 'long-leaf', at400)).toBe(false);
  });

  it('verifies a signature without an embedded certificate against the given one, and says when none is known', async () => {
    const xml = (await signMessage(unsignedSample('CEB311Message'), sm2, { includeCertificate: false })).xml;
    expect(xml).not.toContain('X509Certificate');
    expect(verifyMessage(xml)).toMatchObject({ valid: false, reason: 'certificate-missing' });
    expect(verifyMessage(xml, { trustedCertificates: [keys.text('sm2b.crt')] })).toMatchObject({
      valid: false,
      reason: 'signature-mismatch',
    });
    expect(verifyMessage(xml, { trustedCertificates: [keys.text('sm2b.crt'), keys.text('sm2.crt')] })).toMatchObject({
      valid: true,
    });
  });

  it('accepts the layout variants other signers write: wrapped base64, self-closing elements, a C14N transform, no whitespace', async () => {
    const r = await signMessage(unsignedSample('CEB311Message'), rsa, { base64LineLength: 76 });
    expect(r.xml).toMatch(/<ds:SignatureValue>\n[A-Za-z0-9+/]{76}\n/);
    expect(verifyMessage(r.xml).valid).toBe(true);
    // Outside SignedInfo the layout is free.
    const compact = r.xml.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, (k) => k.replace(/\n/g, ''));
    expect(verifyMessage(compact).valid).toBe(true);
  });

  it('never throws on hostile input', () => {
    for (const input of [
      '',
      '<',
      '<a>',
      '<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>',
      '<a>&xxe;</a>',
      '\u0000',
      '<a xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature/></a>',
    ]) {
      const v = verifyMessage(input);
      expect(v.valid).toBe(false);
    }
  });
});
