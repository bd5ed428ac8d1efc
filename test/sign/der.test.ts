import { describe, expect, it } from 'vitest';
import { describeOid, OID_SM2, oidString, parsePkcs8Ec, readTlv } from '../../src/sign/der.js';

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

describe('TLV lengths (X.690 §8.1.3)', () => {
  it('reads the long form of one to four length bytes', () => {
    const body = Buffer.alloc(200, 7);
    expect(readTlv(Buffer.concat([Buffer.from([0x04, 0x81, 200]), body]), 0)).toEqual({
      tag: 4,
      start: 3,
      end: 203,
      head: 0,
    });
    expect(readTlv(Buffer.concat([Buffer.from([0x04, 0x82, 0x00, 200]), body]), 0)).toMatchObject({
      start: 4,
      end: 204,
    });
  });

  it('refuses the indefinite form (0x80), more than four length bytes, and length bytes past the end', () => {
    expect(() => readTlv(Buffer.from([0x30, 0x80, 0x00, 0x00]), 0)).toThrow('bad DER length');
    expect(() => readTlv(Buffer.from([0x04, 0x85, 0, 0, 0, 0, 1, 0]), 0)).toThrow('bad DER length');
    // two length bytes announced, one there (within a larger buffer, as a TLV inside another is read)
    expect(() => readTlv(Buffer.from([0x04, 0x82, 0x01, 0xff, 0xff]), 0, 3)).toThrow('bad DER length');
    expect(() => readTlv(Buffer.from([0x04, 0x81, 0x05, 1, 2]), 0)).toThrow('truncated DER');
  });
});

describe('curve names in messages', () => {
  it('names the curves a key may be on', () => {
    expect(['1.2.840.10045.3.1.7', '1.3.132.0.34', '1.3.132.0.35', '9.9'].map(describeOid)).toEqual([
      'P-256 (1.2.840.10045.3.1.7)',
      'P-384 (1.3.132.0.34)',
      'P-521 (1.3.132.0.35)',
      '9.9',
    ]);
  });

  it('takes the curve from ECPrivateKey [0] when the algorithm names none (RFC 5915)', () => {
    const tlv = (tag: number, ...body: Buffer[]) => {
      const content = Buffer.concat(body);
      return Buffer.concat([Buffer.from([tag, content.length]), content]);
    };
    const d = Buffer.alloc(32, 0x42);
    const key = tlv(
      0x30,
      tlv(0x02, Buffer.from([0])),
      tlv(0x30, tlv(0x06, Buffer.from('2a8648ce3d0201', 'hex'))),
      tlv(
        0x04,
        tlv(
          0x30,
          tlv(0x02, Buffer.from([1])),
          tlv(0x04, d),
          tlv(0xa0, tlv(0x06, Buffer.from('2a811ccf5501822d', 'hex'))),
        ),
      ),
    );
    expect(parsePkcs8Ec(key)).toEqual({ curve: OID_SM2, d: new Uint8Array(d) });
    // [1] (the public key) is not the curve
    const withA1 = Buffer.from(key);
    withA1[withA1.length - 12] = 0xa1;
    expect(parsePkcs8Ec(withA1).curve).toBeUndefined();
  });
});
