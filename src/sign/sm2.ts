/**
 * SM2 with SM3 (GM/T 0003, GM/T 0009) for signing and verification.
 *
 * Node's crypto cannot set the SM2 distinguishing ID (it always uses an empty one), so the
 * elliptic-curve part is done by sm-crypto-v2. The hashing is Node's native SM3: Z (which only
 * depends on the key and the user ID) is computed once per key, and e = SM3(Z ‖ M) per message.
 *
 * Verification keeps the public keys it has seen in a small LRU cache: the decoded point with
 * sm-crypto's precomputed multiples (from the second use of a key on; a one-off key does not pay
 * for the table) and Z per user ID. A table costs about 0.8 MB, hence the bound.
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/** The GM/T 0009 default SM2 user ID, used by E-Port cards and customs. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
/** The curve's field prime p and coefficient b (a = p − 3), GM/T 0003.5. */
const P = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
const B = BigInt('0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93');

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A public key seen before: how often, its Z per user ID, and once reused its precomputed point. */
interface CachedKey {
  uses: number;
  point?: ReturnType<typeof sm2.precomputePublicKey>;
  readonly z: Map<string, Uint8Array>;
}

/** Keys kept at most (customs traffic is signed by a handful of certificates). */
export const SM2_KEY_CACHE_SIZE = 16;
/** sm-crypto's default window: 8 gives the fastest verification for a table of ~0.8 MB. */
const PRECOMPUTE_WINDOW = 8;
const keyCache = new Map<string, CachedKey>();

/** The cache entry of a 65-byte public key, made most recently used; evicts the least recently used. */
function cachedKey(id: string): CachedKey {
  let k = keyCache.get(id);
  if (k) keyCache.delete(id);
  else {
    k = { uses: 0, z: new Map() };
    if (keyCache.size >= SM2_KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
  }
  keyCache.set(id, k);
  return k;
}

/** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) for a public key given as 65-byte `04‖x‖y`. */
export function sm2Z(publicKey: Uint8Array, userId = SM2_DEFAULT_USER_ID): Uint8Array {
  const k = cachedKey(hex(publicKey));
  let z = k.z.get(userId);
  if (!z) {
    z = sm2.getZ(hex(publicKey), userId);
    k.z.set(userId, z);
  }
  // A copy: callers own what they get.
  return z.slice();
}

/**
 * Whether a 65-byte `04‖x‖y` is a point of the SM2 curve (x, y below p, y² = x³ − 3x + b; the cofactor is 1, so it
 * is then a public key). sm-crypto throws on any other when it computes Z: a certificate in a message could hold one.
 */
export function sm2OnCurve(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 4) return false;
  const x = BigInt(`0x${hex(publicKey.subarray(1, 33))}`);
  const y = BigInt(`0x${hex(publicKey.subarray(33))}`);
  if (x >= P || y >= P) return false;
  return (y * y - (x * x * x - 3n * x + B)) % P === 0n;
}

/** e = SM3(Z ‖ M), the value an SM2 signature is computed over. */
export function sm2E(z: Uint8Array, message: Uint8Array): Buffer {
  return createHash('sm3').update(z).update(message).digest();
}

/** Signs e with the private scalar d (64 hex digits); returns raw r‖s (64 bytes). */
export function sm2SignE(e: Uint8Array, dHex: string): Uint8Array {
  return Buffer.from(sm2.doSignature(e, dHex, { hash: false, der: false }), 'hex');
}

/** An SM2 curve point as sm-crypto-v2 hands it out (a @noble/curves projective point). */
type Sm2Point = ReturnType<typeof sm2.precomputePublicKey>;

/** The point class sm-crypto-v2 uses (noble's): BASE is G with the multiples precomputed when its curve was made. */
interface Sm2PointClass {
  readonly BASE: Sm2Point;
  fromHex(hex: string): Sm2Point;
}
/** GM/T 0003.5's generator G, as 04‖x‖y. */
const G_HEX =
  '0432c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0';
let pointClass: Sm2PointClass | undefined;
/** The class, read once off a point sm-crypto-v2 makes (it exports no other way to it): no second table of G. */
function points(): Sm2PointClass {
  return (pointClass ??= sm2.precomputePublicKey(G_HEX, 1).constructor as unknown as Sm2PointClass);
}

/**
 * Verifies a raw r‖s signature over e with a 65-byte public key: GM/T 0003.2 §7.1 (B5–B7), t = (r + s) mod n ≠ 0,
 * (x1, y1) = [s]G + [t]P, valid when (e + x1) mod n = r. The sum is left projective (X : Y : Z) and x1 = X/Z is
 * tested as X = x1·Z for the one or two x1 below p that satisfy the congruence (x1 ≡ r − e mod n, and n < p < 2n):
 * sm-crypto-v2's doVerifySignature made it affine, a field inversion (about 6 % of a verification); the scalar
 * multiplications are the same calls it makes. A sum at infinity has no x1 and is refused.
 */
export function sm2VerifyE(e: Uint8Array, rawSignature: Uint8Array, publicKey: Uint8Array): boolean {
  if (rawSignature.length !== 64) return false;
  const r = BigInt(`0x${hex(rawSignature.subarray(0, 32))}`);
  const s = BigInt(`0x${hex(rawSignature.subarray(32))}`);
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = (r + s) % N;
  if (t === 0n) return false;
  try {
    const id = hex(publicKey);
    const k = cachedKey(id);
    // The table pays for itself from the second verification with a key; fromHex also checks the point is on the curve.
    if (!k.point && ++k.uses >= 2) k.point = sm2.precomputePublicKey(id, PRECOMPUTE_WINDOW);
    const pa = k.point ?? points().fromHex(id);
    const sum = points().BASE.multiply(s).add(pa.multiply(t));
    if (sum.is0()) return false;
    const v = (((r - BigInt(`0x${hex(e)}`)) % N) + N) % N;
    // (px, pz: the projective X and Z under the names every @noble/curves 1.x has; sm-crypto-v2 takes any ^1.1.0.)
    const x = sum.px;
    const z = sum.pz;
    return x === (v * z) % P || (v + N < P && x === ((v + N) * z) % P);
  } catch {
    return false;
  }
}

/** The public point 04‖x‖y of a private scalar (64 hex digits). */
export function sm2PublicFromPrivate(dHex: string): Uint8Array {
  return Buffer.from(sm2.getPublicKeyFromPrivateKey(dHex), 'hex');
}

/** True when d is a valid SM2 private scalar (1 ≤ d ≤ n − 2). */
export function sm2ValidPrivate(d: Uint8Array): boolean {
  const v = BigInt(`0x${hex(d) || '0'}`);
  return v >= 1n && v <= N - 2n;
}
