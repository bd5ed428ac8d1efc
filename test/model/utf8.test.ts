import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { recordAndText } from '../../src/model/json-input.js';
import { lineColumnAt } from '../../src/model/json-position.js';
import { describeNotUtf8, notUtf8 } from '../../src/model/utf8.js';
import { xmlFileText } from '../../src/reconcile/files.js';
import { TEXT_PIECE_BYTES } from '../../src/reconcile/text-piece.js';
import { parseCebXml } from '../../src/xml/parse.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
// 中文 in GBK is D6 D0 CE C4 (Python: '中文'.encode('gbk')); 订单 in UTF-16LE is A2 8B 55 53.
const GBK_ZHONGWEN = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);

describe('notUtf8', () => {
  it('is undefined for UTF-8, a written U+FFFD and a byte-order mark included', () => {
    expect(notUtf8(utf8('{"a":"订单 \uFFFD"}'))).toBeUndefined();
    expect(notUtf8(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('{}')]))).toBeUndefined();
    expect(notUtf8(new Uint8Array())).toBeUndefined();
  });

  it('finds a GBK file: the first byte, its line and column, and the encoding', () => {
    // {\n  "note": "中文"\n}: line 2 is `  "note": "`, 11 characters, so 中's first byte is at column 12.
    const bytes = Buffer.concat([utf8('{\n  "note": "'), GBK_ZHONGWEN, utf8('"\n}')]);
    expect(notUtf8(bytes)).toEqual({ offset: 13, byte: 0xd6, line: 2, column: 12, looksLike: 'GB18030' });
    expect(describeNotUtf8(notUtf8(bytes)!)).toEqual({
      zh: '第 2 行第 12 列的字节 0xD6；看起来是 GB18030 (GBK) 编码',
      en: 'byte 0xD6 at line 2, column 12; it looks like GB18030 (GBK)',
    });
    expect(describeNotUtf8(notUtf8(bytes)!, 40_013).en).toBe(
      'byte 0xD6 at byte offset 40013; it looks like GB18030 (GBK)',
    );
  });

  it('after a U+FFFD written in the input, counts its three bytes', () => {
    // "\uFFFD" is EF BF BD: the stray FF after `a` + U+FFFD + `b` is at offset 1 + 3 + 1 = 5.
    const bytes = Buffer.concat([utf8('a\uFFFDb'), Buffer.from([0xff])]);
    expect(notUtf8(bytes)).toMatchObject({ offset: 5, byte: 0xff, line: 1, column: 4 });
    // Only all three bytes make a written U+FFFD: a lone EF, or EF BF before another byte, is not one.
    expect(notUtf8(Buffer.from([0x61, 0xef, 0x62]))).toMatchObject({ offset: 1, byte: 0xef });
    expect(notUtf8(Buffer.from([0x61, 0xef, 0xbf, 0x62]))).toMatchObject({ offset: 1, byte: 0xef });
    expect(notUtf8(Buffer.from([0x61, 0xff, 0xbf, 0xbd]))).toMatchObject({ offset: 1, byte: 0xff });
  });

  it('tells UTF-16 by its byte-order mark, or without one by the zero byte beside the first character', () => {
    const text = '{"order": {"note": "订单"}}';
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    expect(notUtf8(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))).toMatchObject({
      offset: 0,
      byte: 0xff,
      looksLike: 'UTF-16LE',
    });
    expect(notUtf8(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toMatchObject({
      offset: 0,
      byte: 0xfe,
      looksLike: 'UTF-16BE',
    });
    // By the mark alone, where no ASCII gives zero bytes: 订单 is A2 8B 55 53 (LE), 8B A2 53 55 (BE).
    const chinese = Buffer.from('订单', 'utf16le');
    expect(notUtf8(Buffer.concat([Buffer.from([0xff, 0xfe]), chinese]))?.looksLike).toBe('UTF-16LE');
    expect(notUtf8(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(chinese).swap16()]))?.looksLike).toBe(
      'UTF-16BE',
    );
    // Without a mark the ASCII is valid UTF-8 (NUL included) until 订 (A2 8B in UTF-16LE).
    expect(notUtf8(le)).toMatchObject({ offset: le.indexOf(0xa2), byte: 0xa2, looksLike: 'UTF-16LE' });
    expect(notUtf8(be)).toMatchObject({ offset: be.indexOf(0x8b), byte: 0x8b, looksLike: 'UTF-16BE' });
    // Zero bytes further on say nothing (GBK 中文 with a NUL after it; a stray FF then NULs).
    expect(notUtf8(Buffer.concat([utf8('{'), GBK_ZHONGWEN, Buffer.from([0])]))?.looksLike).toBe('GB18030');
    expect(notUtf8(Buffer.from([0x7b, 0xff, 0, 0]))?.looksLike).toBeUndefined();
    // Two zero bytes first are not the zero beside an ASCII character.
    expect(notUtf8(Buffer.from([0, 0, 0xff]))?.looksLike).toBeUndefined();
    // A single byte is not UTF-16 either way.
    expect(notUtf8(Buffer.from([0xff]))?.looksLike).toBeUndefined();
  });

  // A UTF-32 file was said to look like UTF-16LE (its first bytes are UTF-16's too).
  it('tells UTF-32 by its mark, or without one by the three zero bytes beside an ASCII character', () => {
    const text = '<a>订单</a>';
    const le = Buffer.alloc(text.length * 4);
    for (let i = 0; i < text.length; i++) le.writeUInt32LE(text.charCodeAt(i), i * 4);
    const be = Buffer.from(le).swap32();
    expect(notUtf8(le)).toMatchObject({ offset: 12, byte: 0xa2, looksLike: 'UTF-32LE' });
    expect(notUtf8(be)).toMatchObject({ offset: 14, byte: 0x8b, looksLike: 'UTF-32BE' });
    expect(notUtf8(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), le]))?.looksLike).toBe('UTF-32LE');
    expect(notUtf8(Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), be]))?.looksLike).toBe('UTF-32BE');
    expect(describeNotUtf8(notUtf8(le)!).en).toBe('byte 0xA2 at line 1, column 13; it looks like UTF-32LE');
  });

  it('names no encoding for bytes that are none of them, and finds a sequence cut at the end', () => {
    // 中 in GBK, then FF, which GB18030 has no byte for: not GB18030 either.
    expect(notUtf8(Buffer.from([0x7b, 0xd6, 0xd0, 0xff]))).toEqual({ offset: 1, byte: 0xd6, line: 1, column: 2 });
    // é in Latin-1 (E9) before a quote: not a GB18030 pair either.
    expect(notUtf8(Buffer.from([0x22, 0x63, 0x61, 0x66, 0xe9, 0x22]))).toEqual({
      offset: 4,
      byte: 0xe9,
      line: 1,
      column: 5,
    });
    // 订 is E8 AE A2 in UTF-8; the file ends after E8 AE.
    expect(notUtf8(Buffer.concat([utf8('ab'), Buffer.from([0xe8, 0xae])]))).toMatchObject({ offset: 2, byte: 0xe8 });
  });

  it('is at the byte length of the text before a stray byte, its line and column those of that text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 10 }), (before, after) => {
        const bytes = Buffer.concat([utf8(before), Buffer.from([0xff]), utf8(after)]);
        expect(notUtf8(bytes)).toMatchObject({
          offset: Buffer.byteLength(before),
          byte: 0xff,
          ...lineColumnAt(`${before}\uFFFD`, before.length),
        });
      }),
    );
  });
});

describe('where input is not UTF-8, the messages say', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-utf8-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a declaration: the line of the NDJSON input, the column, the byte and the encoding', () => {
    const { record } = recordAndText(7, Buffer.concat([utf8('{"note": "'), GBK_ZHONGWEN, utf8('"}')]), false);
    expect(record.issue).toMatchObject({
      code: 'input-encoding',
      message: {
        zh: '输入不是有效的 UTF-8 文本（第 7 行第 11 列的字节 0xD6；看起来是 GB18030 (GBK) 编码），请另存为 UTF-8',
        en: 'The input is not valid UTF-8 text (byte 0xD6 at line 7, column 11; it looks like GB18030 (GBK)); save it as UTF-8',
      },
    });
  });

  it('a CEB message: parseCebXml, with the offset, line and column in details', () => {
    const xml = Buffer.concat([
      utf8('<?xml version="1.0" encoding="UTF-8"?>\n<CEB816Message xmlns="http://www.chinaport.gov.cn/ceb">\n<note>'),
      GBK_ZHONGWEN,
      utf8('</note></CEB816Message>'),
    ]);
    let error: unknown;
    try {
      parseCebXml(xml);
    } catch (e) {
      error = e;
    }
    expect(isSandanError(error) && error.code).toBe('XML_MALFORMED');
    expect((error as Error).message).toBe(
      'The XML input is not valid UTF-8 (byte 0xD6 at line 3, column 7; it looks like GB18030 (GBK)); CEB messages are UTF-8',
    );
    expect((error as { details?: unknown }).details).toEqual({ offset: xml.indexOf(0xd6), line: 3, col: 7 });
  });

  /** The error of reading a file through xmlFileText. */
  async function readError(bytes: Buffer): Promise<{ message: string; details?: unknown }> {
    const file = join(dir, 'bill.xml');
    writeFileSync(file, bytes);
    try {
      for await (const _ of xmlFileText(file));
    } catch (e) {
      return e as { message: string; details?: unknown };
    }
    throw new Error('read without an error');
  }

  it('a file read in pieces: by byte offset beyond the first piece, a character across two pieces counted whole', async () => {
    // 😀 (F0 9F 98 80) across the end of the first piece, so that the second begins with three continuation
    // bytes; then ASCII, then a GBK 中文 at 2 × TEXT_PIECE_BYTES + 5, in the third.
    const head = utf8(`<a>${'x'.repeat(TEXT_PIECE_BYTES - 4)}😀`);
    expect(head.subarray(TEXT_PIECE_BYTES - 1, TEXT_PIECE_BYTES + 3)).toEqual(Buffer.from([0xf0, 0x9f, 0x98, 0x80]));
    const bad = 2 * TEXT_PIECE_BYTES + 5;
    const filler = utf8('y'.repeat(bad - head.length));
    const error = await readError(Buffer.concat([head, filler, GBK_ZHONGWEN, utf8('</a>')]));
    expect(error.message).toBe(
      `The XML input is not valid UTF-8 (byte 0xD6 at byte offset ${bad}; it looks like GB18030 (GBK)); CEB messages are UTF-8`,
    );
    expect(error.details).toEqual({ offset: bad });
    // In the first piece: line and column.
    expect((await readError(Buffer.concat([utf8('<a>\n'), GBK_ZHONGWEN]))).details).toEqual({
      offset: 4,
      line: 2,
      col: 1,
    });
    // A character cut by the end of the file.
    expect((await readError(Buffer.concat([utf8('<a>'), Buffer.from([0xe8, 0xae])]))).details).toEqual({
      offset: 3,
      line: 1,
      col: 4,
    });
  });
});
