/**
 * Algorithm identifiers used in CEB signatures and how they map to the crypto that is done.
 */
import { createHash } from 'node:crypto';
import { SandanError } from '../errors.js';
import { ownValue, checkArgument } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { isoDateOption, isWithinDates } from '../time/beijing.js';
import { districtRuleset } from '../rules/district-ruleset.js';
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

/** A frozen table without a prototype: `table['constructor']` is undefined, not `Object`. */
function uriTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** Signature method URIs sandan knows, and what they compute. Also the default verification allow-list. */
export const SIGNATURE_METHODS: Readonly<Record<string, SignatureAlgorithm>> = uriTable({
  [URIS.rsaSha1]: 'rsa-sha1',
  [URIS.rsaSha256]: 'rsa-sha256',
  [URIS.sm2Sm3]: 'sm2-sm3',
  [URIS.sm2Sm3Hainan]: 'sm2-sm3',
});

/** Digest method URIs sandan knows, and what they compute. Also the default verification allow-list. */
export const DIGEST_METHODS: Readonly<Record<string, DigestAlgorithm>> = uriTable({
  [URIS.sha1]: 'sha1',
  [URIS.sha256]: 'sha256',
  [URIS.sm3]: 'sm3',
});

const SIGNATURE_ALGORITHMS: ReadonlySet<string> = new Set<SignatureAlgorithm>(['rsa-sha1', 'rsa-sha256', 'sm2-sm3']);
const DIGEST_ALGORITHMS: ReadonlySet<string> = new Set<DigestAlgorithm>(['sha1', 'sha256', 'sm3']);

/** True for a signature algorithm name sandan computes (a caller's string may be anything). */
export function isSignatureAlgorithm(name: unknown): name is SignatureAlgorithm {
  return typeof name === 'string' && SIGNATURE_ALGORITHMS.has(name);
}

/** True for a digest algorithm name sandan computes (a caller's string may be anything). */
export function isDigestAlgorithm(name: unknown): name is DigestAlgorithm {
  return typeof name === 'string' && DIGEST_ALGORITHMS.has(name);
}

/**
 * What a SignatureMethod URI computes under an allow-list (default {@link SIGNATURE_METHODS}): only entries the table
 * holds itself count, so a document's `Algorithm="constructor"` is unknown, not `Object`.
 */
export function signatureAlgorithmOf(
  uri: string,
  table: Readonly<Record<string, SignatureAlgorithm>> = SIGNATURE_METHODS,
): SignatureAlgorithm | undefined {
  return ownValue(table, uri);
}

/** What a DigestMethod URI computes under an allow-list (default {@link DIGEST_METHODS}); only the table's own entries. */
export function digestAlgorithmOf(
  uri: string,
  table: Readonly<Record<string, DigestAlgorithm>> = DIGEST_METHODS,
): DigestAlgorithm | undefined {
  return ownValue(table, uri);
}

/**
 * Checks a caller's URI → algorithm table (`signatureMethods`, `digestMethods`): an object whose every own value is an
 * algorithm sandan computes.
 * @throws SandanError `INVALID_OPTION` otherwise.
 */
export function checkAlgorithmTable(
  table: unknown,
  what: 'signatureMethods' | 'digestMethods',
): asserts table is Readonly<Record<string, string>> {
  const ok = what === 'signatureMethods' ? isSignatureAlgorithm : isDigestAlgorithm;
  if (typeof table !== 'object' || table === null || Array.isArray(table))
    throw new SandanError('INVALID_OPTION', `${what} must be an object of URI → algorithm`);
  for (const [uri, alg] of Object.entries(table))
    if (!ok(alg))
      throw new SandanError(
        'INVALID_OPTION',
        `${what} maps ${uri} to ${typeof alg === 'string' ? JSON.stringify(alg) : typeof alg}, which is not ${[...(what === 'signatureMethods' ? SIGNATURE_ALGORITHMS : DIGEST_ALGORITHMS)].join(', ')}`,
      );
}

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

// (any other key is misuse: a misspelt signatureMethods left the URI unknown, refused as if none were given)
const KNOWN_METHODS_OPTION_NAMES = optionNames<NonNullable<Parameters<typeof signOptionsFromDistrict>[1]>>({
  signatureMethods: true,
  digestMethods: true,
});

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
  checkArgument(entry, 'object', 'signOptionsFromDistrict', "entry (a district's signature algorithm)");
  // (the URIs are table keys and quoted in messages: a null-prototype object there threw a TypeError)
  checkArgument(entry.signatureMethod, 'text', 'signOptionsFromDistrict', 'entry.signatureMethod');
  checkArgument(entry.digestMethod, 'text', 'signOptionsFromDistrict', 'entry.digestMethod');
  const given = knownOptions(known, 'signOptionsFromDistrict', KNOWN_METHODS_OPTION_NAMES);
  if (given.signatureMethods !== undefined) checkAlgorithmTable(given.signatureMethods, 'signatureMethods');
  if (given.digestMethods !== undefined) checkAlgorithmTable(given.digestMethods, 'digestMethods');
  const signatureAlgorithm =
    (given.signatureMethods && signatureAlgorithmOf(entry.signatureMethod, given.signatureMethods)) ??
    signatureAlgorithmOf(entry.signatureMethod);
  if (!signatureAlgorithm)
    throw new SandanError(
      'INVALID_OPTION',
      `Unknown signature method URI ${entry.signatureMethod}; pass what it computes in known.signatureMethods`,
    );
  const digestAlgorithm =
    (given.digestMethods && digestAlgorithmOf(entry.digestMethod, given.digestMethods)) ??
    digestAlgorithmOf(entry.digestMethod);
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
 * A district's entries: as given, or those the ruleset of a customs code lists ({@link districtRuleset}: a district's
 * code, `6400`, or one of its offices', `6401`).
 */
function entriesOf(
  entries: string | readonly DistrictSignatureAlgorithm[],
  fn: string,
): readonly DistrictSignatureAlgorithm[] {
  if (typeof entries === 'string') return districtRuleset(entries).data.district?.signatureAlgorithms ?? [];
  checkArgument(entries, 'list', fn, "entries (a district's signature algorithms, or its customs code)");
  return entries;
}

/**
 * Picks the district entry for a key type that is in force on a date (YYYY-MM-DD; default: every
 * entry counts) and turns it into signing options; undefined when the district lists none. `entries`: the
 * district's `signatureAlgorithms`, or a customs code whose bundled district ruleset lists them.
 * @throws SandanError `DISTRICT_UNKNOWN` for a customs code no bundled ruleset covers.
 */
export function districtSignOptions(
  entries: string | readonly DistrictSignatureAlgorithm[],
  keyType: KeyType,
  at?: string,
): AlgorithmOptions | undefined {
  const list = entriesOf(entries, 'districtSignOptions');
  if (at !== undefined) isoDateOption(at, 'districtSignOptions: at', 'INVALID_OPTION');
  for (const e of list) {
    if (at !== undefined && !isWithinDates(at, e.effectiveFrom, e.effectiveTo)) continue;
    const alg = signatureAlgorithmOf(e.signatureMethod);
    if (alg && keyTypeOf(alg) === keyType) return signOptionsFromDistrict(e);
  }
  return undefined;
}

/**
 * A verification allow-list built from district entries (for {@link VerifyOptions}): the district's
 * `signatureAlgorithms`, or a customs code whose bundled district ruleset lists them.
 * @throws SandanError `DISTRICT_UNKNOWN` for a customs code no bundled ruleset covers.
 */
export function verifyAlgorithmsFromDistrict(entries: string | readonly DistrictSignatureAlgorithm[]): {
  signatureMethods: Record<string, SignatureAlgorithm>;
  digestMethods: Record<string, DigestAlgorithm>;
} {
  const list = entriesOf(entries, 'verifyAlgorithmsFromDistrict');
  const signatureMethods: Record<string, SignatureAlgorithm> = {};
  const digestMethods: Record<string, DigestAlgorithm> = {};
  for (const e of list) {
    const o = signOptionsFromDistrict(e);
    signatureMethods[o.signatureMethod] = o.signatureAlgorithm;
    digestMethods[o.digestMethod] = o.digestAlgorithm;
  }
  return { signatureMethods, digestMethods };
}
