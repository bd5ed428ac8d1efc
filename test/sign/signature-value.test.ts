import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { readCertificate } from '../../src/sign/signer.js';
import { checkSignatureValue, strictBase64 } from '../../src/sign/signature-value.js';

describe('strictBase64', () => {
  it('reads padded base64 and ignores XML white space (line wrapping)', () => {
    // "sandan" is 73 61 6e 64 61 6e: base64 c2FuZGFu; "sa" (73 61) is c2E=; "s" (73) is cw==.
    expect(strictBase64('c2FuZGFu')?.toString('latin1')).toBe('sandan');
    expect(strictBase64('c2E=')?.toString('latin1')).toBe('sa');
    expect(strictBase64('cw==')?.toString('latin1')).toBe('s');
    expect(strictBase64('\n  c2Fu\r\n\tZGFu \n')?.toString('latin1')).toBe('sandan');
  });

  it('refuses what Node would read leniently: other characters, missing padding, misplaced =, nothing', () => {
    for (const bad of [
      '',
      ' \n',
      'c2FuZGF',
      'c2E',
      'c2F!ZGFu',
      'c2-uZGFu',
      'c2E=c2E=',
      '=c2E',
      'c2FuZGFu===',
      'c2\u00a0FuZGFu',
    ])
      expect(strictBase64(bad), JSON.stringify(bad)).toBeUndefined();
    // Node itself decodes several of those to bytes: the strict check is what tells them apart.
    expect(Buffer.from('c2F!ZGFu', 'base64').length).toBeGreaterThan(0);
  });
});

describe('checkSignatureValue', () => {
  it('verifies RSA PKCS#1 v1.5 and says no, without throwing, for other bytes, another hash or a key of another type', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const cert = { keyType: 'rsa', rsaKey: publicKey } as unknown as ReturnType<typeof readCertificate>;
    const data = Buffer.from('<ds:SignedInfo></ds:SignedInfo>');
    const sig = sign('sha1', data, privateKey);
    expect(checkSignatureValue('rsa-sha1', data, sig, cert)).toEqual({ ok: true });
    expect(checkSignatureValue('rsa-sha256', data, sig, cert)).toEqual({ ok: false });
    expect(checkSignatureValue('rsa-sha1', Buffer.from('other'), sig, cert)).toEqual({ ok: false });
    expect(checkSignatureValue('rsa-sha1', data, Buffer.alloc(3), cert)).toEqual({ ok: false });
    expect(checkSignatureValue('sm2-sm3', data, sig, cert)).toEqual({ ok: false });
  });
});
