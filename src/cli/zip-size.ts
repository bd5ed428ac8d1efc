import { inflateRawSync } from 'node:zlib';

/*
 * How much a ZIP archive (an .xlsx workbook) inflates to, found by inflating it with a cap, before a
 * reader that holds everything in memory opens it: a 1 MB workbook of 16 million empty rows made
 * exceljs run out of memory after 150 s and crash Node. The sizes the archive declares are not
 * trusted; each entry is inflated, and stops at what is left of the cap.
 */

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
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
  let at = dir.offset;
  for (let n = 0; n < dir.entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) return 'its central directory is damaged';
    const method = zip.readUInt16LE(at + 10);
    let compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    let local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    // ZIP64: the 8-byte sizes and offset in the extra field, in this order, for each 32-bit field at its maximum.
    const uncompressed32 = zip.readUInt32LE(at + 24);
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = zip.readUInt16LE(e);
      const size = zip.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        const next = () => {
          const v = Number(zip.readBigUInt64LE(f));
          f += 8;
          return v;
        };
        if (uncompressed32 === 0xffffffff) next();
        if (compressed === 0xffffffff) compressed = next();
        if (local === 0xffffffff) local = next();
      }
      e += 4 + size;
    }
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
  return undefined;
}

/** Where the central directory starts and how many entries it has, or why it cannot be found. */
function centralDirectory(zip: Buffer): { offset: number; entries: number } | string {
  // The end record is the last thing in the file, after a comment of at most 65,535 bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (zip.readUInt32LE(i) === EOCD) {
      end = i;
      break;
    }
  if (end < 0) return 'it is not a ZIP archive';
  let entries = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if ((entries === 0xffff || offset === 0xffffffff) && end >= 20 && zip.readUInt32LE(end - 20) === EOCD64_LOCATOR) {
    const end64 = Number(zip.readBigUInt64LE(end - 12));
    if (end64 + 56 > zip.length) return 'its ZIP64 end record is damaged';
    entries = Number(zip.readBigUInt64LE(end64 + 32));
    offset = Number(zip.readBigUInt64LE(end64 + 48));
  }
  return { offset, entries };
}
