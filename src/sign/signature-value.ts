/**
 * A signature value as received (base64 text) and its check against a certificate: one place for
 * XML-DSig verification and the "179" payment upload, so both read the same bytes the same way.
 */
import { verify as nodeVerify } from 'node:crypto';
import type { SignatureAlgorithm } from './algorithms.js';
import { sm2DerToRaw } from './der.js';
import type { CertificateInfo } from './signer.js';
import { sm2E, sm2VerifyE, sm2Z } from './sm2.js';
import { xsdBase64Bytes } from '../xml/base64.js';

/**
 * The bytes of a non-empty base64 value, or undefined when it is not strict base64: XML white space
 * (line wrapping) is ignored, then the text must be of the base64 alphabet, padded to a multiple
 * of 4. Node's own decoder would skip any other character and stop at a misplaced '=', so a
 * garbled value would become other bytes (a mismatch) instead of being refused. The 179 upload's
 * signValue (JSON) is read with it, with any bits under the padding; an XML signature's values are
 * xs:base64Binary, which wants them zero (`xsdBase64(text)`).
 */
export function strictBase64(text: string): Buffer | undefined {
  const bytes = xsdBase64Bytes(text, 'any');
  return bytes?.length ? bytes : undefined;
}

/** An SM2 signature as raw r‖s: 64 bytes are raw already, anything else is read as DER (undefined when it is not). */
export function sm2RawSignature(signature: Uint8Array): Uint8Array | undefined {
  if (signature.length === 64) return signature;
  try {
    return sm2DerToRaw(signature);
  } catch {
    return undefined;
  }
}

/**
 * Does `signature` verify over `data` with the certificate's key? SM2 (SM3withSM2, default user
 * ID) takes raw r‖s (64 bytes) or DER and says which it was; RSA takes PKCS#1 v1.5. A signature
 * that cannot be read is a mismatch, never a throw.
 */
export function checkSignatureValue(
  alg: SignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  cert: CertificateInfo,
): { ok: boolean; sm2Encoding?: 'raw' | 'der' } {
  if (alg === 'sm2-sm3') {
    const raw = cert.keyType === 'sm2' ? sm2RawSignature(signature) : undefined;
    if (!raw) return { ok: false };
    return {
      ok: sm2VerifyE(sm2E(sm2Z(cert.sm2Point!), data), raw, cert.sm2Point!),
      sm2Encoding: raw === signature ? 'raw' : 'der',
    };
  }
  if (cert.keyType !== 'rsa') return { ok: false };
  try {
    return { ok: nodeVerify(alg === 'rsa-sha1' ? 'sha1' : 'sha256', data, cert.rsaKey!, signature) };
  } catch {
    return { ok: false };
  }
}
