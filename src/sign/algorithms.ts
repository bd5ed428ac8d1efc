/**
 * Algorithm identifiers used in CEB signatures and how they map to the crypto that is done.
 */
import { createHash } from 'node:crypto';
import { SandanError } from '../errors.js';
import { inForce } from '../rules/policy.js';
import { DS_NS } from '../xml/content-model.js';

/** The signature computations sandan can do or check. */
export type SignatureAlgorithm = 'rsa-sha1' | 'rsa-sha256' | 'sm2-sm3';
/** The digest computations sandan can do or check. */
export type DigestAlgorithm = 'sha1' | 'sha256' | 'sm3';
/** The key types signers hold. */
export type KeyType = 'rsa' | 'sm2';

/** The XML-DSig namespace. */
export const DSIG_NS = DS_NS;

/** Algorithm URIs used in CEB messages. */
export const URIS = {
  /** Inclusive Canonical XML 1.0 without comments: the only canonicalisation sandan writes. */
  c14n: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  /** Inclusive Canonical XML 1.0 with comments (written by some signing services; accepted when verifying). */
  c14nWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  /** The 2022-05 customs spec's SM2 signature method. */
  sm2Sm3: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3',
  /** Non-standard SM2 signature method accepted by the Hainan E-Port (used with a SHA-1 digest). */
  sm2Sm3Hainan: 'http://www.w3.org/2000/09/xmldsig#sm2-sm3',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  /** The 2022-05 customs spec's SM3 digest method. */
  sm3: 'http://www.chinaport.gov.cn/2022/04/xmldsig#sm3',
} as const;

/** Signature method URIs sandan knows, and what they compute. Also the default verification allow-list. */
export const SIGNATURE_METHODS: Readonly<Record<string, SignatureAlgorithm>> = Object.freeze({
  [URIS.rsaSha1]: 'rsa-sha1',
  [URIS.rsaSha256]: 'rsa-sha256',
  [URIS.sm2Sm3]: 'sm2-sm3',
  [URIS.sm2Sm3Hainan]: 'sm2-sm3',
});

/** Digest method URIs sandan knows, and what they compute. Also the default verification allow-list. */
export const DIGEST_METHODS: Readonly<Record<string, DigestAlgorithm>> = Object.freeze({
  [URIS.sha1]: 'sha1',
  [URIS.sha256]: 'sha256',
  [URIS.sm3]: 'sm3',
});

/** The URIs written by default for each signature algorithm: spec URIs, SM3 digest for SM2, SHA-1 for rsa-sha1. */
export const DEFAULT_URIS: Readonly<Record<SignatureAlgorithm, { signatureMethod: string; digestMethod: string }>> =
  Object.freeze({
    'rsa-sha1': { signatureMethod: URIS.rsaSha1, digestMethod: URIS.sha1 },
    'rsa-sha256': { signatureMethod: URIS.rsaSha256, digestMethod: URIS.sha256 },
    'sm2-sm3': { signatureMethod: URIS.sm2Sm3, digestMethod: URIS.sm3 },
  });

/** The key type a signature algorithm needs. */
export function keyTypeOf(alg: SignatureAlgorithm): KeyType {
  return alg === 'sm2-sm3' ? 'sm2' : 'rsa';
}

/** Hashes bytes with a digest algorithm (Node's native SHA-1, SHA-256 and SM3). */
export function digest(alg: DigestAlgorithm, data: Uint8Array | string): Buffer {
  return createHash(alg).update(data).digest();
}

/** Signing options taken from a district ruleset's `signatureAlgorithms` entry. */
export interface DistrictSignatureAlgorithm {
  signatureMethod: string;
  digestMethod: string;
  effectiveFrom?: string | undefined;
  effectiveTo?: string | undefined;
}

/** The part of {@link SignOptions} a district sets: the URIs written and the digest computed. */
export interface AlgorithmOptions {
  signatureAlgorithm: SignatureAlgorithm;
  signatureMethod: string;
  digestMethod: string;
  digestAlgorithm: DigestAlgorithm;
}

/**
 * Turns a district ruleset's `signatureAlgorithms` entry into signing options.
 * Both URIs must be known (see {@link SIGNATURE_METHODS} and {@link DIGEST_METHODS}), or their
 * meaning passed in `known`.
 * @throws SandanError `INVALID_OPTION` for an unknown URI.
 */
export function signOptionsFromDistrict(
  entry: DistrictSignatureAlgorithm,
  known: {
    signatureMethods?: Record<string, SignatureAlgorithm>;
    digestMethods?: Record<string, DigestAlgorithm>;
  } = {},
): AlgorithmOptions {
  const signatureAlgorithm =
    known.signatureMethods?.[entry.signatureMethod] ?? SIGNATURE_METHODS[entry.signatureMethod];
  if (!signatureAlgorithm)
    throw new SandanError(
      'INVALID_OPTION',
      `Unknown signature method URI ${entry.signatureMethod}; pass what it computes in known.signatureMethods`,
    );
  const digestAlgorithm = known.digestMethods?.[entry.digestMethod] ?? DIGEST_METHODS[entry.digestMethod];
  if (!digestAlgorithm)
    throw new SandanError(
      'INVALID_OPTION',
      `Unknown digest method URI ${entry.digestMethod}; pass what it computes in known.digestMethods`,
    );
  return {
    signatureAlgorithm,
    signatureMethod: entry.signatureMethod,
    digestMethod: entry.digestMethod,
    digestAlgorithm,
  };
}

/**
 * Picks the district entry for a key type that is in force on a date (YYYY-MM-DD; default: every
 * entry counts) and turns it into signing options; undefined when the district lists none.
 */
export function districtSignOptions(
  entries: readonly DistrictSignatureAlgorithm[],
  keyType: KeyType,
  at?: string,
): AlgorithmOptions | undefined {
  for (const e of entries) {
    if (at !== undefined && !inForce(e, at)) continue;
    const alg = SIGNATURE_METHODS[e.signatureMethod];
    if (alg && keyTypeOf(alg) === keyType) return signOptionsFromDistrict(e);
  }
  return undefined;
}

/** A verification allow-list built from district entries (for {@link VerifyOptions}). */
export function verifyAlgorithmsFromDistrict(entries: readonly DistrictSignatureAlgorithm[]): {
  signatureMethods: Record<string, SignatureAlgorithm>;
  digestMethods: Record<string, DigestAlgorithm>;
} {
  const signatureMethods: Record<string, SignatureAlgorithm> = {};
  const digestMethods: Record<string, DigestAlgorithm> = {};
  for (const e of entries) {
    const o = signOptionsFromDistrict(e);
    signatureMethods[o.signatureMethod] = o.signatureAlgorithm;
    digestMethods[o.digestMethod] = o.digestAlgorithm;
  }
  return { signatureMethods, digestMethods };
}
