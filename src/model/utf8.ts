/**
 * Why bytes are not UTF-8, told so that the file can be fixed: where the first byte that is not
 * UTF-8 stands, and which encoding the bytes look like instead. A Chinese Windows editor or Excel
 * saves GB18030 (GBK); Notepad's "Unicode" and PowerShell 5's `>` write UTF-16.
 */
import { lineColumnAt } from './json-position.js';

/** The first byte of an input that is not UTF-8, and what the input looks like. */
interface NotUtf8 {
  /** Its offset in the bytes. */
  offset: number;
  /** The byte itself. */
  byte: number;
  /** Line and column (1-based, columns in UTF-16 code units of the text before it). */
  line: number;
  column: number;
  /** The encoding the whole input reads as, when one is likely. */
  looksLike?: 'UTF-32LE' | 'UTF-32BE' | 'UTF-16LE' | 'UTF-16BE' | 'GB18030';
}

const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Where `bytes` stop being UTF-8, or undefined when they are UTF-8. For error messages only: it
 * decodes the input again, leniently and perhaps as GB18030.
 */
export function notUtf8(bytes: Uint8Array): NotUtf8 | undefined {
  const text = lenient.decode(bytes);
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    offset += encoder.encode(text.slice(from, i)).length;
    from = i;
    // U+FFFD written in the input (EF BF BD) is UTF-8; any other is where decoding gave up.
    if (bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd) continue;
    const encoding = looksLike(bytes);
    return { offset, byte: bytes[offset]!, ...lineColumnAt(text, i), ...(encoding && { looksLike: encoding }) };
  }
  return undefined;
}

function looksLike(bytes: Uint8Array): NotUtf8['looksLike'] {
  // UTF-32 first: its marks (FF FE 00 00, 00 00 FE FF) and its ASCII (`<` is 3C 00 00 00, 00 00 00 3C) begin
  // as UTF-16's do; two zero bytes together are no UTF-16 of a JSON or XML text.
  const [b0, b1, b2, b3] = bytes;
  if (b2 === 0 && b3 === 0 && ((b0 === 0xff && b1 === 0xfe) || (b0 !== 0 && b1 === 0))) return 'UTF-32LE';
  if (b0 === 0 && b1 === 0 && ((b2 === 0xfe && b3 === 0xff) || (b2 === 0 && b3 !== 0 && b3 !== undefined)))
    return 'UTF-32BE';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16LE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16BE';
  // Without a mark: JSON and XML begin with an ASCII character (`{`, `[`, `<`, white space), which
  // UTF-16 writes with a zero byte after it (LE) or before it (BE); in UTF-8 or GB18030, no zero.
  if (bytes[0] !== 0 && bytes[1] === 0) return 'UTF-16LE';
  if (bytes[0] === 0 && bytes[1] !== 0) return 'UTF-16BE';
  try {
    // GB18030 takes most byte strings; only say so when it gives Chinese text.
    if (/[\u4e00-\u9fff]/.test(new TextDecoder('gb18030', { fatal: true }).decode(bytes))) return 'GB18030';
  } catch {}
  return undefined;
}

/**
 * Where and what, for a message: `byte 0xD6 at line 3, column 12; it looks like GB18030 (GBK)`.
 * `offset`: say where by this offset in bytes instead (a piece of a file read in chunks).
 */
export function describeNotUtf8(n: NotUtf8, offset?: number): { zh: string; en: string } {
  const hex = `0x${n.byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const name = n.looksLike === 'GB18030' ? 'GB18030 (GBK)' : n.looksLike;
  const at =
    offset === undefined
      ? { zh: `第 ${n.line} 行第 ${n.column} 列`, en: `at line ${n.line}, column ${n.column}` }
      : { zh: `第 ${offset} 字节处`, en: `at byte offset ${offset}` };
  return {
    zh: `${at.zh}的字节 ${hex}${name ? `；看起来是 ${name} 编码` : ''}`,
    en: `byte ${hex} ${at.en}${name ? `; it looks like ${name}` : ''}`,
  };
}
