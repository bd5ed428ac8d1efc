// Verification reads the ds:Signature as a tree from the same token pass that digests the document,
// under the root (src/sign/envelope.ts). These cases would break if that tree lost the root's context
// (namespaces, xml:* attributes) or its offsets were off by a byte-order mark or CR LF line ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSigner, signMessage, verifyMessage, type Signer } from '../../src/index.js';
import { makeRsaKeys, type TestKeys } from './helpers.js';

let keys: TestKeys;
let rsa: Signer;
beforeAll(() => {
  keys = makeRsaKeys();
  rsa = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
});
afterAll(() => keys?.cleanup());

// The root declares a default namespace, a second prefix and xml:lang: canonical SignedInfo inherits all three.
const message = `<?xml version="1.0" encoding="UTF-8"?>
<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns="urn:default" xmlns:x="urn:x" xml:lang="zh" guid="g" version="1.0">
\t<ceb:Inventory><ceb:note x:k="v">a &amp; b</ceb:note></ceb:Inventory>
</ceb:CEB621Message>`;

describe('verifyMessage reads the signature in the one pass', () => {
  it('verifies with the root context, also after a byte-order mark and CR LF line ends are added', async () => {
    const signed = await signMessage(message, rsa);
    // What SignedInfo inherits from the root is in the bytes that were signed.
    expect(signed.canonicalSignedInfo).toMatch(
      /^<ds:SignedInfo xmlns="urn:default" xmlns:ceb="http:\/\/www\.chinaport\.gov\.cn\/ceb" xmlns:ds="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#" xmlns:x="urn:x" xml:lang="zh">/,
    );
    const plain = verifyMessage(signed.xml);
    if (!plain.valid) throw new Error(plain.message);
    expect(plain.signedXml).toBe(signed.canonicalDocument);
    // The offsets of the tree are into the text without the mark and with LF: still the same verdict and bytes.
    const moved = verifyMessage(`\uFEFF${signed.xml.replace(/\n/g, '\r\n')}`);
    if (!moved.valid) throw new Error(moved.message);
    expect(moved.signedXml).toBe(signed.canonicalDocument);
  });

  it('fails when what SignedInfo inherits from the root changes', async () => {
    const signed = (await signMessage(message, rsa)).xml;
    for (const changed of [
      signed.replace('xmlns="urn:default"', 'xmlns="urn:other"'),
      signed.replace('xml:lang="zh"', 'xml:lang="en"'),
      signed.replace('xmlns:x="urn:x"', 'xmlns:x="urn:y"'),
    ]) {
      expect(changed).not.toBe(signed);
      expect(verifyMessage(changed, { diagnose: false })).toMatchObject({ valid: false, reason: 'signature-mismatch' });
    }
  });
});
