import { inflateRawSync } from 'node:zlib';

/*
 * How much a ZIP archive (an .xlsx workbook) inflates to, found by inflating it with a cap, before a
 * reader that holds everything in memory opens it: a 1 MB workbook of 16 million empty rows made
 * exceljs run out of memory after 150 s and crash Node. The sizes the archive declares are not
 * trusted; each entry is inflated, and stops at what is left of the cap.
 */

/**
 * Entries an archive may have. A workbook has a few dozen (the official annex: about ten); JSZip holds some 2 KB for each
 * entry however empty, so 300,000 empty entries (27 MB, nothing to inflate) held 643 MB for 15 s.
 */
export const MAX_ZIP_ENTRIES = 10_000;

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Why the archive cannot be read or inflates past `limit` bytes, or undefined when it fits. */
export function zipInflationProblem(zip: Buffer, limit: number): string | undefined {
  try {
    return inflationProblem(zip, limit);
  } catch (e) {
    // A length or offset that points outside the file.
    if (e instanceof RangeError) return 'its structure is damaged';
    throw e;
  }
}

function inflationProblem(zip: Buffer, limit: number): string | undefined {
  const dir = centralDirectory(zip);
  if (typeof dir === 'string') return dir;
  let left = limit;
  let at = dir.base + dir.offset;
  let n = 0;
  // Every record of the central directory, as many as follow one another: exceljs's JSZip reads them so, whatever
  // count the end record gives (a count of 0 let a whole workbook through unread).
  for (; at + 4 <= zip.length && zip.readUInt32LE(at) === CENTRAL; n++) {
    if (n === MAX_ZIP_ENTRIES) return `it has more than ${MAX_ZIP_ENTRIES} entries (a workbook has a few dozen)`;
    if (at + 46 > zip.length) return 'its central directory is damaged';
    const method = zip.readUInt16LE(at + 10);
    let compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    let local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // ZIP64: the 8-byte sizes and offset in the extra field, in this order, for each 32-bit field at its maximum; of
    // two such fields the last counts, as JSZip reads them.
    const uncompressed32 = zip.readUInt32LE(at + 24);
    let zip64: number | undefined;
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      if (zip.readUInt16LE(e) === 0x0001) zip64 = e + 4;
      e += 4 + zip.readUInt16LE(e + 2);
    }
    if (zip64 !== undefined) {
      let f = zip64;
      const next = () => {
        const v = Number(zip.readBigUInt64LE(f));
        f += 8;
        return v;
      };
      if (uncompressed32 === 0xffffffff) next();
      if (compressed === 0xffffffff) compressed = next();
      if (local === 0xffffffff) local = next();
    }
    local += dir.base;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL) return `its entry ${name} is damaged`;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    let size: number;
    if (method === 0) size = data.length;
    else if (method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: left + 1 }).length;
      } catch (e) {
        if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') size = left + 1;
        else return `its entry ${name} cannot be inflated`;
      }
    } else return `its entry ${name} is compressed with method ${method}, not deflate`;
    left -= size;
    if (left < 0) return `it inflates to more than ${limit} bytes (at ${name})`;
    at += 46 + nameLength + extraLength + commentLength;
  }
  return n < dir.entries ? 'its central directory is damaged' : undefined;
}

/**
 * Where the central directory starts and how many entries it has, or why it cannot be found. `base` is how far the
 * archive's offsets are from where they point in the file: JSZip, which exceljs reads with, takes bytes before the end
 * record that the directory's offset and size leave unexplained for data put before the archive, and moves every
 * offset by them; read from anywhere else, an archive could show this check one directory and exceljs another.
 */
function centralDirectory(zip: Buffer): { offset: number; entries: number; base: number } | string {
  // The end record is the last thing in the file, after a comment of at most 65,535 bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (zip.readUInt32LE(i) === EOCD) {
      end = i;
      break;
    }
  if (end < 0) return 'it is not a ZIP archive';
  let entries = zip.readUInt16LE(end + 10);
  let size = zip.readUInt32LE(end + 12);
  let offset = zip.readUInt32LE(end + 16);
  let expectedEnd = offset + size;
  // ZIP64 when any field of the end record is at its maximum (JSZip's test), from the record the locator just before
  // the end record names; JSZip would look for one elsewhere, so one anywhere else is refused.
  const at16 = [4, 6, 8, 10].some((f) => zip.readUInt16LE(end + f) === 0xffff);
  if (at16 || size === 0xffffffff || offset === 0xffffffff) {
    const locator = zip.lastIndexOf(signature(EOCD64_LOCATOR));
    if (locator < 0 || locator !== end - 20) return 'its ZIP64 end record is damaged';
    const end64 = Number(zip.readBigUInt64LE(end - 12));
    if (end64 + 56 > zip.length || zip.readUInt32LE(end64) !== EOCD64) return 'its ZIP64 end record is damaged';
    entries = Number(zip.readBigUInt64LE(end64 + 32));
    size = Number(zip.readBigUInt64LE(end64 + 40));
    offset = Number(zip.readBigUInt64LE(end64 + 48));
    expectedEnd = offset + size + 20 + 12 + Number(zip.readBigUInt64LE(end64 + 4));
  }
  if (expectedEnd > end) return 'its central directory is damaged';
  return { offset, entries, base: end - expectedEnd };
}

/** A 4-byte signature as it is written (little-endian). */
function signature(sig: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(sig);
  return b;
}
