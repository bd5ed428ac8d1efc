import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sm2 } from 'sm-crypto-v2';
import {
  createLocalSigner,
  districtSignOptions,
  signMessage,
  signOptionsFromDistrict,
  verifyAlgorithmsFromDistrict,
  verifyMessage,
  type Signer,
} from '../../src/index.js';
import { SM2_KEY_CACHE_SIZE, sm2E, sm2VerifyE, sm2Z } from '../../src/sign/sm2.js';
import { skipWithout } from '../helpers/tools.js';
import {
  derToRaw,
  makeKeys,
  openssl,
  opensslSm2Verifies,
  put,
  rawToDer,
  unsignedSample,
  type TestKeys,
} from './helpers.js';

let keys: TestKeys;
let signer: Signer;
// makeKeys runs OpenSSL a dozen times: more than the default 10 s hook timeout on a busy machine.
beforeAll(() => {
  // The tests using the keys are skipped without OpenSSL: then so is making them.
  if (skipWithout('openssl')) return;
  keys = makeKeys();
  signer = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
}, 120_000);
afterAll(() => keys?.cleanup());

const opensslVerifies = (data: string | Buffer, derSig: Buffer) => opensslSm2Verifies(keys, data, derSig);

describe.skipIf(skipWithout('openssl'))('SM2 signing', () => {
  it('signs with the chinaport sm2-sm3 / sm3 URIs, raw r‖s by default; OpenSSL verifies the signature over the canonical SignedInfo', async () => {
    for (const name of ['CEB311Message', 'CEB621Message', 'CEB625Message']) {
      const r = await signMessage(unsignedSample(name), signer);
      expect(r.xml).toContain(
        '<ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"></ds:SignatureMethod>',
      );
      expect(r.xml).toContain(
        '<ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"></ds:DigestMethod>',
      );
      expect(r.xml).toContain('<ds:KeyName>03000000000cde6f</ds:KeyName>');
      const raw = Buffer.from(r.signatureValue, 'base64');
      expect(raw).toHaveLength(64);
      expect(r.signatureValue).toHaveLength(88);
      expect(opensslVerifies(r.canonicalSignedInfo, rawToDer(raw))).toBe(true);
      expect(opensslVerifies(`${r.canonicalSignedInfo} `, rawToDer(raw))).toBe(false);
      // the digest is OpenSSL's SM3 of the canonical document
      const dgst = openssl(['dgst', '-sm3', '-binary', put(keys, 'doc.c14n', r.canonicalDocument)]);
      expect(r.digestValue).toBe(dgst.toString('base64'));
      expect(verifyMessage(r.xml)).toMatchObject({
        valid: true,
        signatureAlgorithm: 'sm2-sm3',
        digestAlgorithm: 'sm3',
        sm2Encoding: 'raw',
        certificateNumber: '03000000000cde6f',
      });
    }
  });

  it('writes DER on request, which OpenSSL takes as is', async () => {
    const r = await signMessage(unsignedSample('CEB311Message'), signer, { sm2SignatureEncoding: 'der' });
    const der = Buffer.from(r.signatureValue, 'base64');
    expect(der[0]).toBe(0x30);
    expect(opensslVerifies(r.canonicalSignedInfo, der)).toBe(true);
    expect(verifyMessage(r.xml)).toMatchObject({ valid: true, sm2Encoding: 'der' });
  });

  it('verifies SignatureValues made by OpenSSL (raw and DER) over sandan SignedInfo', async () => {
    const r = await signMessage(unsignedSample('CEB621Message'), signer);
    const der = openssl([
      'dgst',
      '-sm3',
      '-sign',
      keys.path('sm2.key'),
      '-sigopt',
      'distid:1234567812345678',
      put(keys, 'si.xml', r.canonicalSignedInfo),
    ]);
    for (const value of [der, derToRaw(der)]) {
      const xml = r.xml.replace(
        `<ds:SignatureValue>${r.signatureValue}</ds:SignatureValue>`,
        `<ds:SignatureValue>${value.toString('base64')}</ds:SignatureValue>`,
      );
      expect(xml).not.toBe(r.xml);
      expect(verifyMessage(xml, { trustedCertificates: [keys.text('sm2.crt')] })).toMatchObject({
        valid: true,
        signatureAlgorithm: 'sm2-sm3',
      });
    }
    // OpenSSL without the distinguishing ID uses an empty ID: not the customs default, so it must not verify.
    const noId = openssl(['dgst', '-sm3', '-sign', keys.path('sm2.key'), keys.path('si.xml')]);
    const bad = r.xml.replace(r.signatureValue, noId.toString('base64'));
    expect(verifyMessage(bad)).toMatchObject({ valid: false, reason: 'signature-mismatch' });
  });

  it('agrees with sm-crypto-v2 hashing the message itself (independent Z and e)', async () => {
    const r = await signMessage(unsignedSample('CEB411Message'), signer);
    const pub = openssl(['ec', '-in', keys.path('sm2.key'), '-pubout', '-outform', 'DER'])
      .subarray(-65)
      .toString('hex');
    const sigHex = Buffer.from(r.signatureValue, 'base64').toString('hex');
    expect(sm2.doVerifySignature(r.canonicalSignedInfo, sigHex, pub, { hash: true, userId: '1234567812345678' })).toBe(
      true,
    );
  });

  it('loads SM2 keys from PKCS#8 PEM, DER, encrypted PEM and encrypted DER', async () => {
    const cert = keys.read('sm2.crt.der');
    for (const v of [
      { key: keys.read('sm2.der') },
      { key: keys.text('sm2-enc.key'), passphrase: 'correct horse' },
      { key: keys.read('sm2-enc.der'), passphrase: 'correct horse' },
    ]) {
      const s = createLocalSigner({ ...v, certificate: cert });
      expect(s.algorithm).toBe('sm2-sm3');
      const r = await signMessage('<a xmlns="urn:x"><b/></a>', s);
      expect(opensslVerifies(r.canonicalSignedInfo, rawToDer(Buffer.from(r.signatureValue, 'base64')))).toBe(true);
    }
    expect(() => createLocalSigner({ key: keys.text('sm2-enc.key'), passphrase: 'nope', certificate: cert })).toThrow(
      /wrong passphrase/,
    );
    expect(() => createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2b.crt') })).toThrow(
      /does not belong/,
    );
  });

  it('signs the Hainan variant (w3.org sm2-sm3 URI with a SHA-1 digest) from a district ruleset entry', async () => {
    const hainan = {
      signatureMethod: 'http://www.w3.org/2000/09/xmldsig#sm2-sm3',
      digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1',
      source: 'test',
    };
    const opts = signOptionsFromDistrict(hainan);
    expect(opts).toEqual({
      signatureAlgorithm: 'sm2-sm3',
      signatureMethod: hainan.signatureMethod,
      digestMethod: hainan.digestMethod,
      digestAlgorithm: 'sha1',
    });
    const r = await signMessage(unsignedSample('CEB621Message'), signer, opts);
    expect(Buffer.from(r.digestValue, 'base64')).toHaveLength(20);
    expect(r.digestValue).toBe(
      openssl(['dgst', '-sha1', '-binary', put(keys, 'doc2.c14n', r.canonicalDocument)]).toString('base64'),
    );
    expect(opensslVerifies(r.canonicalSignedInfo, rawToDer(Buffer.from(r.signatureValue, 'base64')))).toBe(true);
    expect(verifyMessage(r.xml)).toMatchObject({
      valid: true,
      signatureMethod: hainan.signatureMethod,
      digestAlgorithm: 'sha1',
    });
    // a verifier limited to the national spec URIs refuses it
    const national = verifyAlgorithmsFromDistrict([
      {
        signatureMethod: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3',
        digestMethod: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm3',
      },
    ]);
    expect(verifyMessage(r.xml, national)).toMatchObject({ valid: false, reason: 'algorithm-not-allowed' });
    // picking by key type and date
    const entries = [
      {
        signatureMethod: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        digestMethod: 'http://www.w3.org/2000/09/xmldsig#sha1',
      },
      { ...hainan, effectiveFrom: '2022-07-01' },
    ];
    expect(districtSignOptions(entries, 'sm2', '2023-01-01')?.signatureMethod).toBe(hainan.signatureMethod);
    expect(districtSignOptions(entries, 'sm2', '2021-01-01')).toBeUndefined();
    expect(districtSignOptions(entries, 'rsa')?.signatureAlgorithm).toBe('rsa-sha1');
    expect(() =>
      signOptionsFromDistrict({ signatureMethod: 'urn:unknown', digestMethod: hainan.digestMethod }),
    ).toThrow(/Unknown signature method/);
  });

  it("takes a district's algorithms by its customs code, from the bundled ruleset", () => {
    // rulesets/districts/6400.json lists the 202205 SM2 URIs, RSA-SHA1, then Hainan's w3.org sm2-sm3 variant.
    expect(districtSignOptions('6400', 'sm2', '2026-11-20')).toEqual({
      signatureAlgorithm: 'sm2-sm3',
      signatureMethod: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3',
      digestMethod: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm3',
      digestAlgorithm: 'sm3',
    });
    expect(districtSignOptions('6400', 'rsa')?.signatureMethod).toBe('http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    // An office's code finds its district (2924 is an office of 杭州海关 2900), as validate's district option does.
    expect(districtSignOptions('2924', 'rsa')).toEqual(districtSignOptions('2900', 'rsa'));
    const byCode = verifyAlgorithmsFromDistrict('6400');
    expect(Object.keys(byCode.signatureMethods)).toEqual([
      'http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3',
      'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      'http://www.w3.org/2000/09/xmldsig#sm2-sm3',
    ]);
    expect(byCode.digestMethods).toEqual({
      'http://www.chinaport.gov.cn/2022/04/xmldsig#sm3': 'sm3',
      'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
    });
    for (const call of [() => districtSignOptions('1100', 'sm2'), () => verifyAlgorithmsFromDistrict('1100')])
      expect(call).toThrowError(
        expect.objectContaining({
          code: 'DISTRICT_UNKNOWN',
          message: expect.stringMatching(/^Unknown customs district "1100"\. Known districts: 0200, .*6400, .*9000$/),
        }),
      );
  });

  it('refuses options that contradict the key', async () => {
    await expect(signMessage('<a/>', signer, { signatureAlgorithm: 'rsa-sha1' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(
      signMessage('<a/>', signer, { signatureMethod: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(signMessage('<a/>', signer, { digestMethod: 'urn:x-digest' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    const r = await signMessage('<a/>', signer, { digestMethod: 'urn:x-digest', digestAlgorithm: 'sm3' });
    expect(r.xml.startsWith('<a><ds:Signature')).toBe(true);
    expect(verifyMessage(r.xml, { digestMethods: { 'urn:x-digest': 'sm3' } }).valid).toBe(true);
  });
});

// Verification keeps decoded keys (with precomputed multiples from the second use on) and Z per user ID.
describe('the SM2 public-key cache', () => {
  const msg = Buffer.from('<ds:SignedInfo>stand-in</ds:SignedInfo>');
  const signed = (kp: { privateKey: string; publicKey: string }, data: Uint8Array = msg) =>
    Buffer.from(sm2.doSignature(data, kp.privateKey, { hash: true, publicKey: kp.publicKey }), 'hex');

  it('gives the same verdicts on the first use, the one that precomputes and the later ones, and after eviction', () => {
    const a = sm2.generateKeyPairHex();
    const b = sm2.generateKeyPairHex();
    const pubA = Buffer.from(a.publicKey, 'hex');
    const pubB = Buffer.from(b.publicKey, 'hex');
    const sig = signed(a);
    const flipped = Buffer.from(sig);
    flipped[63]! ^= 1;
    const verdicts = () => [
      sm2VerifyE(sm2E(sm2Z(pubA), msg), sig, pubA),
      sm2VerifyE(sm2E(sm2Z(pubA), msg), flipped, pubA),
      sm2VerifyE(sm2E(sm2Z(pubA), Buffer.from('other')), sig, pubA),
      // B's key and Z: a signature by A does not verify, B's own does.
      sm2VerifyE(sm2E(sm2Z(pubB), msg), sig, pubB),
      sm2VerifyE(sm2E(sm2Z(pubB), msg), signed(b), pubB),
    ];
    for (let use = 1; use <= 3; use++) expect(verdicts(), `use ${use}`).toEqual([true, false, false, false, true]);
    // Fill the cache with other keys: A and B are evicted and read again.
    for (let i = 0; i < SM2_KEY_CACHE_SIZE; i++) sm2Z(Buffer.from(sm2.generateKeyPairHex().publicKey, 'hex'));
    expect(verdicts()).toEqual([true, false, false, false, true]);
    // A point that is not on the curve never verifies, cached or not.
    const offCurve = Buffer.from(pubA);
    offCurve[64]! ^= 1;
    for (let use = 1; use <= 3; use++) expect(sm2VerifyE(sm2E(sm2Z(pubA), msg), sig, offCurve)).toBe(false);
  });

  it("gives the verdict of sm-crypto-v2's doVerifySignature on signatures and on their changed bits, keys and messages", () => {
    // The equation is checked without making the sum affine (a field inversion less): the verdicts must not move.
    const pairs = [sm2.generateKeyPairHex(), sm2.generateKeyPairHex()];
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 64 }),
        fc.integer({ min: 0, max: 1 }),
        fc.constantFrom('none', 'r', 's', 'message', 'key'),
        fc.integer({ min: 0, max: 255 }),
        (message, who, change, bit) => {
          const kp = pairs[who]!;
          const sig = signed(kp, message);
          let data: Uint8Array = message;
          let pub = kp.publicKey;
          if (change === 'r') sig[(bit >> 3) % 32]! ^= 1 << (bit & 7);
          if (change === 's') sig[32 + ((bit >> 3) % 32)]! ^= 1 << (bit & 7);
          if (change === 'message') data = Buffer.concat([message, Buffer.from([bit])]);
          if (change === 'key') pub = pairs[1 - who]!.publicKey;
          const theirs = sm2.doVerifySignature(data, sig.toString('hex'), pub, { hash: true });
          const key = Buffer.from(pub, 'hex');
          expect(sm2VerifyE(sm2E(sm2Z(key), data), sig, key)).toBe(theirs);
          if (change === 'none') expect(theirs).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a signature whose [s]G + [t]P is the point at infinity, which has no x1 (GM/T 0003.2 §7.1 B6–B7)', () => {
    // Made with the private key d: s = 1 and t = −1/d (mod n) give [s]G + [t]dG = O; r = t − s, and e = r is what
    // (e + x1) mod n = r would need if the infinity's x1 were read as 0 (sm-crypto-v2's affine form of it is (0, 0),
    // so its doVerifySignature says true; OpenSSL fails to take the point's coordinates and refuses).
    const n = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
    const pow = (b: bigint, x: bigint): bigint => {
      let out = 1n;
      for (let base = b % n; x > 0n; x >>= 1n, base = (base * base) % n) if (x & 1n) out = (out * base) % n;
      return out;
    };
    const kp = sm2.generateKeyPairHex();
    const d = BigInt(`0x${kp.privateKey}`);
    const t = (n - pow(d, n - 2n)) % n;
    const r = (t - 1n + n) % n;
    const bytes = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
    const sig = Buffer.concat([bytes(r), bytes(1n)]);
    const pub = Buffer.from(kp.publicKey, 'hex');
    expect(sm2.doVerifySignature(bytes(r), sig.toString('hex'), kp.publicKey, { hash: false })).toBe(true);
    // The first use (no table), the one that precomputes and a later one.
    for (let use = 1; use <= 3; use++) expect(sm2VerifyE(bytes(r), sig, pub), `use ${use}`).toBe(false);
  });

  it('keeps Z per user ID, equal to sm-crypto-v2 computing it, and hands out copies', () => {
    const kp = sm2.generateKeyPairHex();
    const pub = Buffer.from(kp.publicKey, 'hex');
    const byDefault = sm2Z(pub);
    const empty = sm2Z(pub, '');
    expect(Buffer.from(byDefault).toString('hex')).toBe(
      Buffer.from(sm2.getZ(kp.publicKey, '1234567812345678')).toString('hex'),
    );
    expect(Buffer.from(empty).toString('hex')).toBe(Buffer.from(sm2.getZ(kp.publicKey, '')).toString('hex'));
    expect(Buffer.from(empty).equals(Buffer.from(byDefault))).toBe(false);
    byDefault.fill(0);
    expect(Buffer.from(sm2Z(pub)).toString('hex')).toBe(
      Buffer.from(sm2.getZ(kp.publicKey, '1234567812345678')).toString('hex'),
    );
  });
});
