// Signatures a real E-Port UKey made, published by another project (test/fixtures/outside/README.md): an SM2
// certificate of 中国电子口岸's CA (certNo 03000000000cde6f), two signing responses for one CEB621 and the 179 upload
// of the same card. sandan wrote none of these bytes: they hold its SM2 verification, its C14N and its 179 sign string
// to what the card and the tool around it did.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateValidityAt,
  createLocalSigner,
  signMessage,
  signOptionsFromDistrict,
  parseCebXml,
  verifyAlgorithmsFromDistrict,
  verifyMessage,
  verifyPayExchange,
} from '../../src/index.js';
import { manualClock } from '../../src/emulator/clock.js';
import { createEngine } from '../../src/emulator/engine.js';
import { cardCertificate, cardUpload179 } from '../helpers/eport-card.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { makeKeys, opensslSm2Verifies, put, rawToDer, type TestKeys } from '../sign/helpers.js';
import { validateAgainstXsd } from '../xml/helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/outside/weasley-chinaport/', import.meta.url));
const read = (f: string) => readFileSync(`${DIR}${f}`, 'utf8');

interface SignResponse {
  timestamp: string;
  data: {
    certNo: string;
    x509Certificate: string;
    digestValue: string;
    signatureValue: string;
    signatureNode: string;
  };
}
const response = (f: string) => JSON.parse(read(f)) as SignResponse;
const july28 = response('ukey-sign-response-2023-07-28.json');
const july30 = response('ukey-sign-response-2023-07-30.json');
const source = read('CEB621-ukey-source.xml');
const certificate = cardCertificate();

/**
 * The message as the tool assembles it (`createSignatureElement` in its SignatureHandler.java): the source, and before
 * the root's end tag a ds:Signature holding SignedInfo as the response gives it, the SignatureValue, and KeyInfo with
 * the certificate number and the certificate.
 */
function assembled(r: SignResponse): string {
  const { signatureNode, signatureValue, certNo, x509Certificate } = r.data;
  const signature =
    `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${signatureNode}` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:KeyName>${certNo}</ds:KeyName><ds:X509Data><ds:X509Certificate>${x509Certificate}` +
    '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>';
  return source.replace('</ceb:CEB621Message>', `${signature}</ceb:CEB621Message>`);
}

// The card signs with the w3.org sm2-sm3 URI and a SHA-1 digest: the variant 海口海关's ruleset lists (district 6400).
const hainan = verifyAlgorithmsFromDistrict('6400');

describe('outside: a real E-Port UKey SM2 signature (Weasley-J/chinaport-data-signature)', () => {
  it('is a certificate of the E-Port CA, valid 2023-03-29 to 2033-03-29', () => {
    expect(certificate.issuer).toContain('O=中国电子口岸');
    expect(certificate.issuer).toContain('CN=中国电子业务证书管理中心');
    expect(certificate.serialNumber.toLowerCase()).toBe(july28.data.certNo);
    const v = certificateValidityAt(certificate, new Date('2026-12-05T00:00:00Z'));
    expect([v.validFrom.toISOString(), v.validTo.toISOString(), v.outside]).toEqual([
      '2023-03-29T00:00:00.000Z',
      '2033-03-29T00:00:00.000Z',
      undefined,
    ]);
  });

  it("digests the source as the tool did: sandan's canonical document has the documented DigestValue", () => {
    // Both responses carry the same digest of the one source.
    expect(july30.data.digestValue).toBe(july28.data.digestValue);
    const v = verifyMessage(assembled(july28), hainan);
    if (!v.valid) throw new Error(`${v.reason}: ${v.message}`);
    expect(createHash('sha1').update(v.signedXml).digest('base64')).toBe('EW5//PlrSsuQ8pw+hRRtSsSDaN4=');
    expect(v.signedXml).toBe(source);
  });

  it('verifies the message signed on 2023-07-28: SM3withSM2, r‖s as 64 raw bytes, the certificate in KeyInfo', () => {
    const xml = assembled(july28);
    expect(verifyMessage(xml, hainan)).toMatchObject({
      valid: true,
      signatureAlgorithm: 'sm2-sm3',
      signatureMethod: 'http://www.w3.org/2000/09/xmldsig#sm2-sm3',
      digestAlgorithm: 'sha1',
      sm2Encoding: 'raw',
      certificateNumber: '03000000000cde6f',
      trusted: false,
    });
    // Trusted when the certificate itself is the anchor (the E-Port CA's certificate is not published).
    expect(verifyMessage(xml, { ...hainan, trustedCertificates: [certificate] })).toMatchObject({
      valid: true,
      trusted: true,
    });
    // sandan's default allow-list takes the variant; a district that lists only the 202205 URIs (杭州, 2900) does not.
    expect(verifyMessage(xml)).toMatchObject({ valid: true, sm2Encoding: 'raw' });
    expect(verifyMessage(xml, verifyAlgorithmsFromDistrict('2900'))).toMatchObject({
      valid: false,
      reason: 'algorithm-not-allowed',
    });
    expect(parseCebXml(xml).issues).toEqual([]);
  });

  it.skipIf(skipWithout('xmllint'))('the assembled message is valid against the official XSD (xmllint)', async () => {
    needTool('xmllint');
    expect((await validateAgainstXsd(assembled(july28), 'ceb-import.xsd')).valid).toBe(true);
  });

  it('the message of 2023-07-30 shows SignedInfo laid out again: the diagnosis names how it was signed', () => {
    // The tool signed SignedInfo compact with xmlns:ceb and xmlns:xsi on it (as on 2023-07-28), then returned it
    // pretty-printed with xmlns:ds only. In the message xmlns:ceb is inherited from the root: xmlns:xsi is the extra one.
    const v = verifyMessage(assembled(july30), hainan);
    expect(v).toMatchObject({ valid: false, reason: 'signature-mismatch' });
    const explains = v.valid ? [] : (v.diagnosis?.checks ?? []).filter((c) => c.result === 'explains');
    expect(explains.map((c) => c.id)).toEqual(['signedinfo-namespaces']);
    expect(explains[0]?.detail?.en).toBe('SignedInfo was signed with xmlns:xsi added, and compact');
  });

  it("the customs emulator takes the card's message when it trusts the card, and refuses it once the card has expired", async () => {
    const der = Buffer.from(july28.data.x509Certificate, 'base64');
    const submit = async (at: string, trust?: { certificates: Uint8Array[] }) => {
      const e = await createEngine({ store: 'memory', clock: manualClock(at), ...(trust && { trust }) });
      try {
        return await e.submit(assembled(july28), { transport: 'api' });
      } finally {
        await e.close();
      }
    };
    // Signed 2023-07-28 21:39 Beijing; received a minute later.
    expect(await submit('2023-07-28T13:40:00Z', { certificates: [der] })).toMatchObject({
      accepted: true,
      messageType: 'CEB621',
    });
    expect(await submit('2023-07-28T13:40:00Z')).toMatchObject({
      accepted: false,
      reason: 'signature: certificate-untrusted',
    });
    // notAfter is 2033-03-29 00:00:00 UTC.
    expect(await submit('2033-03-29T00:00:01Z', { certificates: [der] })).toMatchObject({
      accepted: false,
      reason: 'signature: certificate-expired',
    });
  });

  describe('OpenSSL agrees', () => {
    const noOpenssl = skipWithout('openssl');
    let keys: TestKeys;
    beforeAll(() => {
      if (noOpenssl) return;
      keys = makeKeys();
    });
    afterAll(() => keys?.cleanup());

    it.skipIf(noOpenssl)(
      'the SignatureValue is SM3withSM2 (ID 1234567812345678) over the SignedInfo bytes, by the key of the certificate',
      () => {
        needTool('openssl');
        const pub = put(keys, 'ukey.pub', certificate.publicKey.export({ type: 'spki', format: 'pem' }));
        const sig = rawToDer(Buffer.from(july28.data.signatureValue, 'base64'));
        // The signatureNode of 2023-07-28 is the canonical SignedInfo in the message's context.
        expect(opensslSm2Verifies(keys, july28.data.signatureNode, sig, pub)).toBe(true);
        expect(opensslSm2Verifies(keys, `${july28.data.signatureNode} `, sig, pub)).toBe(false);
      },
    );

    it.skipIf(noOpenssl)(
      "sandan signing the source with the card's URIs writes the card's SignedInfo, laid out on lines, without the xsi",
      async () => {
        needTool('openssl');
        const signer = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
        const signed = await signMessage(
          source,
          signer,
          signOptionsFromDistrict({
            signatureMethod: 'http://www.w3.org/2000/09/xmldsig#sm2-sm3',
            digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1',
          }),
        );
        // sandan puts a line break between SignedInfo's elements; the tool wrote none, and declared xmlns:xsi on it.
        expect(signed.canonicalSignedInfo).toContain('>\n<');
        expect(signed.canonicalSignedInfo.replaceAll('>\n<', '><')).toBe(
          july28.data.signatureNode.replace(' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', ''),
        );
      },
    );
  });

  it("verifies the tool's own 179 sign string, signed by the card on 2023-07-28, as an upload sandan reads", () => {
    // 179-sign-string.txt is a Java text block (its value ends with a line break); the string the card signed is the
    // controller's literal, the same text without it (OpenSSL: the signature fails over the text with the break).
    const signString = read('179-sign-string.txt').slice(0, -1);
    const signed = (
      JSON.parse(read('ukey-sign179-response.json')) as { data: { certNo: string; signatureValue: string } }
    ).data;
    const m = signString.match(
      /^"sessionID":"([^"]*)"\|\|"payExchangeInfoHead":"(\{.*\})"\|\|"payExchangeInfoLists":"(\[.*\])"\|\|"serviceTime":"(\d+)"$/s,
    );
    if (!m) throw new Error('not a 179 sign string');
    // The upload carries head and lists as JSON values and serviceTime as text; verifyPayExchange writes the sign
    // string from them again, so it verifies only when sandan writes the card's bytes.
    const upload = `{"sessionID":"${m[1]}","payExchangeInfoHead":${m[2]},"payExchangeInfoLists":${m[3]},"serviceTime":"${m[4]}","certNo":"${signed.certNo}","signValue":"${signed.signatureValue}"}`;
    expect(verifyPayExchange(upload, { certificate })).toMatchObject({
      valid: true,
      sessionID: 'ad2254-8hewyf32-55616249',
    });
    expect(verifyPayExchange(upload.replace('"totalAmount":100', '"totalAmount":101'), { certificate })).toMatchObject({
      valid: false,
      reason: 'signature-mismatch',
    });
  });

  it("verifies the 179 upload of the same card: sandan's sign string is the one the card signed", () => {
    const upload = cardUpload179();
    const r = verifyPayExchange(upload, { certificate, certNo: '03000000000cde6f' });
    expect(r).toMatchObject({ valid: true, sessionID: 'IHWESX-WEASLEY-20230712210643-X7E4PL' });
    // One character changed in what was signed, and it no longer verifies.
    const edited = upload.replace('"totalAmount":5.0', '"totalAmount":5.1');
    expect(edited).not.toBe(upload);
    expect(verifyPayExchange(edited, { certificate })).toMatchObject({ valid: false, reason: 'signature-mismatch' });
  });
});
