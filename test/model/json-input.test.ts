import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validate } from '../../src/rules/validate.js';
import {
  duplicateKeyIssues,
  inputLayout,
  isBlankLine,
  MAX_RECORD_BYTES,
  parseJsonText,
  readDocument,
} from '../../src/model/json-input.js';

const bytes = (s: string) => new TextEncoder().encode(s);
async function* chunked(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? bytes(p) : p;
}
const text = async (chunks: AsyncIterable<Uint8Array>) => {
  let s = '';
  for await (const c of chunks) s += Buffer.from(c).toString('utf8');
  return s;
};

describe('parseJsonText', () => {
  it('names the line and column of a syntax error, from line 1 unless told, in both languages', () => {
    // '{' ends line 1; on line 2, '  "a": }' has the '}' in column 8
    const r = parseJsonText('{\n  "a": }');
    expect('issue' in r && [r.issue.code, r.issue.message.en, r.issue.message.zh]).toEqual([
      'json-syntax',
      expect.stringContaining('(line 2, column 8)'),
      expect.stringContaining('（第 2 行第 8 列）'),
    ]);
    // the same text as NDJSON line 10: its second line is line 11
    const at10 = parseJsonText('{\n  "a": }', 10);
    expect('issue' in at10 && [at10.issue.message.en, at10.issue.message.zh]).toEqual([
      expect.stringContaining('(line 11, column 8)'),
      expect.stringContaining('（第 11 行第 8 列）'),
    ]);
  });

  it('refuses a number JSON.parse changes without a trace, at its path; a number stays a number', () => {
    const issue = (t: string): unknown[] => {
      const r = parseJsonText(t, 3);
      return 'issue' in r ? [r.issue.code, r.issue.path, r.issue.actual, r.issue.message.en] : (r.value as unknown[]);
    };
    // JSON.parse makes 0 of 1e-400 (line 3 is the text's first line, and the value starts at column 27)
    expect(issue('{"order": {"freight": 0, "taxTotal": 1e-400}}')).toEqual([
      'json-number-changed',
      'order.taxTotal',
      '1e-400',
      'The number 1e-400 (line 3, column 38) is read from JSON as 0, not as written: write it as a string ("1e-400")',
    ]);
    // 1 of 1.00000000000000000001, Infinity of 1e400, inside arrays too
    expect(issue('{"a": [2, {"b": [1.00000000000000000001]}]}').slice(0, 3)).toEqual([
      'json-number-changed',
      'a[1].b[0]',
      '1.00000000000000000001',
    ]);
    expect(issue('[1e400]').slice(0, 3)).toEqual(['json-number-changed', '[0]', '1e400']);
    // What a double holds as written stays a number, however written; digits in strings are left alone. A number of
    // more than 15 digits stays the number JSON.parse makes: the model refuses it (a text field's type is kept).
    expect(
      issue('[1e2, 0.1, -0, 0e-5, 123456789012.345, 0.000000000000000000001, "a:1e-400", "\\\\", 440106198506122024]'),
    ).toEqual([100, 0.1, -0, 0, 123456789012.345, 1e-21, 'a:1e-400', '\\', Number('440106198506122024')]);
    const hz = readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8');
    const idAsNumber = hz.replace(/"buyerIdNumber": "(\d+)"/, '"buyerIdNumber": $1');
    const r = parseJsonText(idAsNumber);
    expect(
      'value' in r && validate(r.value).issues.some((i) => i.code === 'field-type' && i.path === 'order.buyerIdNumber'),
    ).toBe(true);
  });

  it('names the place of a syntax error under more brackets than the stack holds (was line 1, column 1)', () => {
    const deep = 100_000;
    const r = parseJsonText(`{"order": ${'['.repeat(deep)}\n  x${']'.repeat(deep)}}`);
    expect('issue' in r && [r.issue.message.en, r.issue.message.zh]).toEqual([
      expect.stringContaining('(line 2, column 3)'),
      expect.stringContaining('（第 2 行第 3 列）'),
    ]);
    // Objects too, and the end of the text when a bracket is left open.
    const objects = `${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}`;
    expect(JSON.parse(objects)).toBeTypeOf('object');
    const open = parseJsonText(`\n${objects.slice(0, -1)}`);
    expect('issue' in open && open.issue.message.en).toContain(`(line 2, column ${objects.length})`);
  });
});

describe('duplicateKeyIssues', () => {
  const dups = (t: string) =>
    duplicateKeyIssues(t, JSON.parse(t.replace(/^\ufeff/, ''))).map((i) => [i.code, i.severity, i.path, i.message.en]);
  it('names each key an object gives more than once, by path, with the times given', () => {
    expect(dups('\ufeff{"a": 1, "b": {"c": 1, "c" : 2, "c": 3}, "d": [{"e": 1}, {"e": 1, "e": 1}], "a": 2}')).toEqual([
      [
        'json-duplicate-key',
        'warning',
        'b.c',
        'b.c is given 3 times: the last value is read and the others are lost; a reader that keeps the first would see another declaration',
      ],
      ['json-duplicate-key', 'warning', 'd[1].e', expect.stringMatching(/^d\[1\]\.e is given 2 times/)],
      ['json-duplicate-key', 'warning', 'a', expect.stringMatching(/^a is given 2 times/)],
    ]);
  });
  it('is silent on keys given once, colons in strings and equal keys of different objects', () => {
    expect(dups('{"a": "x:y:z\\":", "b": {"a": 1}, "c": [{"a": 1}, {"a": 2}]}')).toEqual([]);
    const deep = 100_000;
    expect(dups(`${'['.repeat(deep)}{"a": 1}${']'.repeat(deep)}`)).toEqual([]);
  });
});

describe('isBlankLine', () => {
  it("is the UTF-8 text's white space as String.prototype.trim sees it", () => {
    for (const b of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20])
      expect(isBlankLine(Uint8Array.of(b, b)), `0x${b.toString(16)}`).toBe(true);
    // (a lone byte A0, blank as Latin-1 once, is no UTF-8: the line is a record, told input-encoding)
    for (const b of [0x08, 0x0e, 0x1f, 0x21, 0x30, 0x9f, 0xa0, 0xa1])
      expect(isBlankLine(Uint8Array.of(0x20, b)), `0x${b.toString(16)}`).toBe(false);
    expect(isBlankLine(new Uint8Array(0))).toBe(true);
    for (const t of ['\u3000', '\u00a0', '\ufeff', '\u2028 \u205f', '\ufeff\ufeff\ufeff\u3000'])
      expect(isBlankLine(Buffer.from(t)), JSON.stringify(t)).toBe(true);
    for (const t of ['\u3000{}', '\u200b', '\ufffd'])
      expect(isBlankLine(Buffer.from(t)), JSON.stringify(t)).toBe(false);
  });
});

describe('inputLayout', () => {
  it('NDJSON when the first non-blank line is a value of its own and something follows, even split across chunks', async () => {
    const l = await inputLayout(chunked('{"a":', '1}\n{"b":2}\n'));
    expect(l.layout).toBe('ndjson');
    expect([l.first?.line, l.first?.read.record.value]).toEqual([1, { a: 1 }]);
    expect(await text(l.chunks)).toBe('{"a":1}\n{"b":2}\n');
  });

  it('counts blank lines before the first (spaces, CRLF) and skips them', async () => {
    const l = await inputLayout(chunked('  \r\n\n', '{"a":1}\r\n{"b":2}'));
    expect([l.layout, l.first?.line, l.first?.read.record.value]).toEqual(['ndjson', 3, { a: 1 }]);
  });

  it('NDJSON when the first line is an object but for a byte that is not UTF-8: that line alone is lost', async () => {
    const l = await inputLayout(
      chunked(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a]), '{"b":2}\n'),
    );
    expect([l.layout, l.first?.line, l.first?.read.record.issue?.code]).toEqual(['ndjson', 1, 'input-encoding']);
    // A pretty-printed document in GB18030 (its first line "{") stays one document, refused whole.
    const gbk = await inputLayout(chunked('{\n  "a": "', Buffer.from([0xba, 0xbc]), '"\n}\n'));
    expect(gbk.layout).toBe('single');
    // Bad bytes in a line that is no object even leniently decoded: one (broken) document.
    expect((await inputLayout(chunked(Buffer.from([0x5b, 0xff, 0x5d, 0x0a]), '{"b":2}\n'))).layout).toBe('single');
  });

  it('one document when the first line is no value of its own (pretty-printed) or nothing follows it', async () => {
    expect((await inputLayout(chunked('{\n  "a": 1\n}\n'))).layout).toBe('single');
    expect((await inputLayout(chunked('{"a":1}\n', '  \n'))).layout).toBe('single');
    const l = await inputLayout(chunked('{"a":1}'));
    expect(l.layout).toBe('single');
    expect(await text(l.chunks)).toBe('{"a":1}');
  });
});

describe('the size limit', () => {
  it('is 16 MiB: a document of exactly 16,777,216 bytes is read, one byte more is refused as input-too-large on line 1', async () => {
    expect(MAX_RECORD_BYTES).toBe(16 * 1024 * 1024);
    const atLimit = `"${'x'.repeat(16 * 1024 * 1024 - 2)}"`;
    const ok = await readDocument(chunked(atLimit));
    expect(typeof ok.record.value === 'string' && ok.record.value.length).toBe(16 * 1024 * 1024 - 2);
    const over = await readDocument(chunked(atLimit, ' '));
    expect([over.record.line, over.record.issue?.code]).toEqual([1, 'input-too-large']);
  });
});

describe('an input that never ends (/dev/zero, a pipe from one)', () => {
  /**
   * Zero bytes (or `fill`) in 1 MiB chunks after `before`, without end; counts what was pulled (`before` not
   * included) and whether it was closed.
   */
  function endless(fill = 0, before?: string) {
    const seen = { bytes: 0, closed: false };
    const chunk = new Uint8Array(1 << 20).fill(fill);
    async function* zeros(): AsyncGenerator<Uint8Array> {
      try {
        if (before !== undefined) yield bytes(before);
        for (;;) {
          seen.bytes += chunk.length;
          // (a reader that reads on fails here, rather than hang the suite: these awaits never let a timer run)
          if (seen.bytes > 4 * MAX_RECORD_BYTES) throw new Error('read on far past the limit');
          yield chunk;
        }
      } finally {
        seen.closed = true;
      }
    }
    return { seen, chunks: zeros() };
  }

  it('is one document whose first line is too long, refused as input-too-large once past the limit, and closed', async () => {
    const { seen, chunks } = endless();
    const layout = await inputLayout(chunks);
    expect([layout.layout, layout.firstLineTooLong]).toEqual(['single', true]);
    const read = await readDocument(layout.chunks);
    expect([read.record.line, read.record.issue?.code, read.record.issue?.message.en]).toEqual([
      1,
      'input-too-large',
      `The input is larger than ${MAX_RECORD_BYTES} bytes; a declaration is never that large`,
    ]);
    // The limit and the chunk that passed it, no more: reading on to count the bytes never ended.
    expect(seen.bytes).toBe(MAX_RECORD_BYTES + (1 << 20));
    expect(seen.closed).toBe(true);
  });

  it('of blank lines only (`yes ""`) is held to the limit, then read as one document and refused as too large', async () => {
    const { seen, chunks } = endless(0x0a);
    const layout = await inputLayout(chunks);
    expect([layout.layout, layout.firstLineTooLong]).toEqual(['single', undefined]);
    const read = await readDocument(layout.chunks);
    expect([read.record.line, read.record.issue?.code]).toEqual([1, 'input-too-large']);
    // Sixteen 1 MiB chunks are the limit; the seventeenth passes it.
    expect(seen.bytes).toBe(MAX_RECORD_BYTES + (1 << 20));
    expect(seen.closed).toBe(true);
  });

  it('of blank lines after a first declaration is NDJSON once past the limit: the same one record, read line by line', async () => {
    const { seen, chunks } = endless(0x0a, '{"a":1}\n');
    const layout = await inputLayout(chunks);
    expect([layout.layout, layout.first?.line, layout.first?.read.record.value]).toEqual(['ndjson', 1, { a: 1 }]);
    // The first chunk (8 bytes) and sixteen of 1 MiB are 16 MiB + 8 bytes: past the limit.
    expect(seen.bytes).toBe(MAX_RECORD_BYTES);
    // Before, layout was never decided: every blank chunk was held, for ever.
    const it = layout.chunks[Symbol.asyncIterator]();
    expect(Buffer.from((await it.next()).value as Uint8Array).toString()).toBe('{"a":1}\n');
    await it.return?.();
    expect(seen.closed).toBe(true);
  });

  it('is one document when a first line past the limit ends in the chunk that holds it, blank or not', async () => {
    for (const fill of [0x78, 0x20]) {
      const line = Buffer.alloc(MAX_RECORD_BYTES + 1, fill);
      const layout = await inputLayout(chunked(Buffer.concat([line, bytes('\n{"a":1}\n{"b":2}\n')])));
      expect([layout.layout, layout.firstLineTooLong, layout.first]).toEqual(['single', true, undefined]);
    }
    // At the limit, a blank line is skipped and the next one decides.
    const atLimit = Buffer.concat([Buffer.alloc(MAX_RECORD_BYTES, 0x20), bytes('\n{"a":1}\n{"b":2}\n')]);
    const layout = await inputLayout(chunked(atLimit));
    expect([layout.layout, layout.firstLineTooLong, layout.first?.line]).toEqual(['ndjson', undefined, 2]);
  });

  it('a first line of an ordinary size leaves firstLineTooLong out', async () => {
    expect((await inputLayout(chunked('{"a":1}\n{"b":2}\n'))).firstLineTooLong).toBeUndefined();
    expect((await inputLayout(chunked('{\n  "a": 1\n}'))).firstLineTooLong).toBeUndefined();
  });
});
