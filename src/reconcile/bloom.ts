/*
 * A fixed-size Bloom filter over strings: "certainly absent" or "maybe present". The SQLite
 * index asks it before looking up approved cancels and refunds, which few orders have, so
 * most orders skip that query; memory stays fixed whatever the input size.
 */

/** A Bloom filter of 2^bits bits with three probes (FNV-1a, double hashing). */
export class BloomFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;
  private count = 0;

  constructor(bits = 23) {
    this.words = new Uint32Array(2 ** (bits - 5));
    this.mask = 2 ** bits - 1;
  }

  /** Keys added so far. */
  get size(): number {
    return this.count;
  }

  private static hashes(key: string): [number, number] {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    }
    return [h1 >>> 0, (h2 | 1) >>> 0];
  }

  add(key: string): void {
    const [h1, h2] = BloomFilter.hashes(key);
    for (let k = 0; k < 3; k++) {
      const bit = (h1 + k * h2) & this.mask;
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.count++;
  }

  /** False when the key was certainly never added. */
  mayHave(key: string): boolean {
    const [h1, h2] = BloomFilter.hashes(key);
    for (let k = 0; k < 3; k++) {
      const bit = (h1 + k * h2) & this.mask;
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
