import { describe, expect, it } from 'vitest';
import { OID_SM2, oidString, parsePkcs8Ec, readTlv } from '../../src/sign/der.js';

// The DER reading signing needs, on encodings written out by hand here (X.690 §8.19 for object identifiers).
const tlv = (tag: number, ...body: Array<number[] | Buffer>) => {
  const content = Buffer.concat(body.map((b) => Buffer.from(b)));
  return Buffer.concat([Buffer.from([tag, content.length]), content]);
};
const oid = (hex: string) => {
  const buf = tlv(0x06, Buffer.from(hex, 'hex'));
  return oidString(buf, readTlv(buf, 0));
};

describe('object identifiers', () => {
  it.each([
    // The first byte holds two arcs: 40 × first + second for 0 and 1, 80 + second for 2.
    ['27', '0.39'],
    ['28', '1.0'],
    ['4f', '1.39'],
    ['50', '2.0'],
    // X.690 §8.19.5's example: 2.999.3 (the first two arcs 2.999 are 1079, two bytes).
    ['883703', '2.999.3'],
    ['2a8648ce3d0201', '1.2.840.10045.2.1'], // id-ecPublicKey
    ['2a811ccf5501822d', OID_SM2], // SM2: 1.2.156.10197.1.301
  ])('%s is %s', (hex, dotted) => {
    expect(oid(hex)).toBe(dotted);
  });
});

describe('an SM2 private key in PKCS#8', () => {
  /** PrivateKeyInfo { 0, { id-ecPublicKey, SM2 }, OCTET STRING { ECPrivateKey { 1, OCTET STRING d } } }. */
  const pkcs8 = (d: number[]) =>
    tlv(
      0x30,
      tlv(0x02, [0]),
      tlv(0x30, tlv(0x06, Buffer.from('2a8648ce3d0201', 'hex')), tlv(0x06, Buffer.from('2a811ccf5501822d', 'hex'))),
      tlv(0x04, tlv(0x30, tlv(0x02, [1]), tlv(0x04, d))),
    );
  const d = Array.from({ length: 32 }, (_, i) => 0xe0 + (i % 16));

  it('reads the 32-byte scalar and the curve', () => {
    const key = parsePkcs8Ec(pkcs8(d));
    expect([key.curve, Buffer.from(key.d).toString('hex')]).toEqual([OID_SM2, Buffer.from(d).toString('hex')]);
  });

  it('reads a scalar written with a leading zero (33 bytes) or without its leading zeros (31) as the same 32 bytes', () => {
    expect(Buffer.from(parsePkcs8Ec(pkcs8([0, ...d])).d)).toEqual(Buffer.from(d));
    const short = [0, ...d.slice(1)];
    expect(Buffer.from(parsePkcs8Ec(pkcs8(short.slice(1))).d)).toEqual(Buffer.from(short));
  });
});
