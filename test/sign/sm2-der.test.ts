import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalSigner,
  signMessage,
  sm2DerToRaw,
  sm2RawToDer,
  verifyMessage,
  type Signer,
} from '../../src/index.js';
import { skipWithout } from '../helpers/tools.js';
import { makeKeys, opensslSm2Verifies, unsignedSample, type TestKeys } from './helpers.js';

// An SM2 SignatureValue in DER has one encoding: BER variants (security audit, session 15, finding 6) verified in
// sandan while OpenSSL refuses them, so one signature had many byte forms.

let keys: TestKeys;
let signer: Signer;
beforeAll(() => {
  // The tests using the keys are skipped without OpenSSL: then so is making them.
  if (skipWithout('openssl')) return;
  keys = makeKeys();
  signer = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
}, 120_000);
afterAll(() => keys?.cleanup());

const opensslVerifies = (data: string, sig: Buffer) => opensslSm2Verifies(keys, data, sig);

const tlv = (tag: number, body: Buffer, longForm = false) =>
  Buffer.concat([Buffer.from(longForm ? [tag, 0x81, body.length] : [tag, body.length]), body]);

/** r and s as the minimal DER INTEGER contents, read independently of src/sign. */
function integers(der: Buffer): [Buffer, Buffer] {
  expect(der[0]).toBe(0x30);
  expect(der[1]).toBe(der.length - 2);
  const r = der.subarray(4, 4 + der[3]!);
  const at = 4 + r.length;
  expect(der[at]).toBe(0x02);
  return [r, der.subarray(at + 2, at + 2 + der[at + 1]!)];
}

describe.skipIf(skipWithout('openssl'))('SM2 DER signatures: strict DER only', () => {
  it('canonical DER verifies; BER variants of the same signature are refused, as OpenSSL refuses them', async () => {
    // A signature whose r has its high bit set (so its DER INTEGER carries a 0x00 pad): about one in two.
    let r!: Awaited<ReturnType<typeof signMessage>>;
    for (let i = 0; i < 64; i++) {
      r = await signMessage(unsignedSample('CEB311Message'), signer, { sm2SignatureEncoding: 'der' });
      if (Buffer.from(r.signatureValue, 'base64')[3] === 33) break;
    }
    const der = Buffer.from(r.signatureValue, 'base64');
    const [ri, si] = integers(der);
    expect(ri).toHaveLength(33);
    expect(ri[0]).toBe(0);
    const int = (v: Buffer, longForm = false) => tlv(0x02, v, longForm);
    const zero = Buffer.from([0]);
    const variants: Record<string, Buffer> = {
      canonical: der,
      'leading zero on r': tlv(0x30, Buffer.concat([int(Buffer.concat([zero, ri])), int(si)])),
      'leading zero on s': tlv(0x30, Buffer.concat([int(ri), int(Buffer.concat([zero, si]))])),
      'long-form SEQUENCE length': tlv(0x30, Buffer.concat([int(ri), int(si)]), true),
      'long-form INTEGER length': tlv(0x30, Buffer.concat([int(ri, true), int(si)])),
      'negative r (pad dropped)': tlv(0x30, Buffer.concat([int(ri.subarray(1)), int(si)])),
      'trailing byte after the SEQUENCE': Buffer.concat([der, zero]),
      'trailing INTEGER inside the SEQUENCE': tlv(0x30, Buffer.concat([int(ri), int(si), int(zero)])),
    };
    const verdicts: Record<string, [boolean, boolean]> = {};
    for (const [name, sig] of Object.entries(variants)) {
      const xml = r.xml.replace(r.signatureValue, sig.toString('base64'));
      if (name !== 'canonical') expect(xml).not.toBe(r.xml);
      const v = verifyMessage(xml, { trustedCertificates: [keys.text('sm2.crt')] });
      verdicts[name] = [v.valid, opensslVerifies(r.canonicalSignedInfo, sig)];
      if (!v.valid) expect(v.reason, name).toBe('signature-mismatch');
    }
    expect(verdicts).toEqual({
      canonical: [true, true],
      'leading zero on r': [false, false],
      'leading zero on s': [false, false],
      'long-form SEQUENCE length': [false, false],
      'long-form INTEGER length': [false, false],
      'negative r (pad dropped)': [false, false],
      'trailing byte after the SEQUENCE': [false, false],
      'trailing INTEGER inside the SEQUENCE': [false, false],
    });
    // The raw r‖s form of the same signature stays accepted (documented; OpenSSL takes only DER).
    const raw = sm2DerToRaw(der);
    expect(raw).toHaveLength(64);
    expect(Buffer.from(sm2RawToDer(raw))).toEqual(der);
    expect(
      verifyMessage(r.xml.replace(r.signatureValue, Buffer.from(raw).toString('base64')), {
        trustedCertificates: [keys.text('sm2.crt')],
      }),
    ).toMatchObject({ valid: true, sm2Encoding: 'raw' });
  });

  it('sm2DerToRaw reads what sm2RawToDer writes (short r and s too) and refuses each non-DER form', () => {
    for (const [rHead, sHead] of [
      [0x7f, 0xff],
      [0x00, 0x01],
      [0x80, 0x00],
    ]) {
      const raw = Buffer.alloc(64, 0x5a);
      raw[0] = rHead!;
      raw[32] = sHead!;
      if (rHead === 0) raw[1] = 0; // r of 30 bytes
      const der = Buffer.from(sm2RawToDer(raw));
      expect(Buffer.from(sm2DerToRaw(der))).toEqual(raw);
    }
    const r = Buffer.alloc(32, 0x11);
    const s = Buffer.alloc(32, 0x22);
    const ok = tlv(0x30, Buffer.concat([tlv(2, r), tlv(2, s)]));
    expect(Buffer.from(sm2DerToRaw(ok))).toEqual(Buffer.concat([r, s]));
    const refused: Record<string, Buffer> = {
      'leading zero': tlv(0x30, Buffer.concat([tlv(2, Buffer.concat([Buffer.from([0]), r])), tlv(2, s)])),
      'leading 0xff (negative)': tlv(0x30, Buffer.concat([tlv(2, Buffer.concat([Buffer.from([0xff]), r])), tlv(2, s)])),
      'negative s': tlv(0x30, Buffer.concat([tlv(2, r), tlv(2, Buffer.alloc(32, 0x99))])),
      'empty INTEGER': tlv(0x30, Buffer.concat([tlv(2, Buffer.alloc(0)), tlv(2, s)])),
      'long-form length': tlv(0x30, Buffer.concat([tlv(2, r, true), tlv(2, s)])),
      'long-form length 0x82 00 44': Buffer.concat([Buffer.from([0x30, 0x82, 0x00, 0x44]), tlv(2, r), tlv(2, s)]),
      'indefinite length': Buffer.concat([Buffer.from([0x30, 0x80]), tlv(2, r), tlv(2, s), Buffer.from([0, 0])]),
      'trailing bytes': Buffer.concat([ok, Buffer.from([0])]),
      'a third INTEGER': tlv(0x30, Buffer.concat([tlv(2, r), tlv(2, s), tlv(2, Buffer.from([1]))])),
      '33 bytes of value': tlv(0x30, Buffer.concat([tlv(2, Buffer.concat([Buffer.from([0x01]), r])), tlv(2, s)])),
    };
    for (const [name, der] of Object.entries(refused)) expect(() => sm2DerToRaw(der), name).toThrow();
  });

  it('a signer returning BER for an SM2 DER signature is refused (SIGN_SIGNER_FAILED), not written', async () => {
    const honest = createLocalSigner({ key: keys.read('sm2.key'), certificate: keys.text('sm2.crt') });
    const ber: Signer = {
      ...honest,
      sm2Encoding: 'der',
      async sign(data, alg) {
        const der = Buffer.from(sm2RawToDer(await honest.sign(data, alg)));
        return Buffer.concat([Buffer.from([0x30, 0x81, der.length - 2]), der.subarray(2)]);
      },
    };
    await expect(
      signMessage(unsignedSample('CEB311Message'), ber, { sm2SignatureEncoding: 'der' }),
    ).rejects.toMatchObject({ code: 'SIGN_SIGNER_FAILED' });
  });
});
