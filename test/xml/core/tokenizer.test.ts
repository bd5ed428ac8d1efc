import { readdirSync, readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SandanError } from '../../../src/errors.js';
import { XmlTokenizer } from '../../../src/xml/core/tokenizer.js';

/** One token as a plain record (what a reader could use of it). */
interface Tok {
  kind: string;
  start: number;
  end: number;
  name?: string;
  ns?: string;
  depth?: number;
  attrs?: string[];
  decls?: string[];
  text?: string;
}

function snapshot(t: XmlTokenizer): Tok {
  const out: Tok = { kind: t.kind, start: t.start, end: t.end };
  if (t.kind === 'start' || t.kind === 'end') {
    out.name = t.name;
    out.ns = t.ns;
    out.depth = t.depth;
    if (t.attributes.length) out.attrs = t.attributes.map((a) => `{${a.ns}}${a.local}=${a.value}`);
    if (t.nsDecls.length) out.decls = t.nsDecls.map(([p, u]) => `${p}=${u}`);
  } else if (t.kind !== 'eof') out.text = t.text();
  return out;
}

/** All tokens of a text, or the error it raises as `code@offset`. */
function tokens(text: string): Tok[] | string {
  const out: Tok[] = [];
  try {
    const t = new XmlTokenizer(text);
    for (let k = t.next(); ; k = t.next()) {
      out.push(snapshot(t));
      if (k === 'eof') return out;
    }
  } catch (e) {
    return failure(e);
  }
}

/** The same, fed in chunks cut at `cuts`; consecutive text tokens are merged (a stream may cut a text). */
function chunkedTokens(text: string, cuts: number[]): Tok[] | string {
  const out: Tok[] = [];
  try {
    const t = new XmlTokenizer();
    const bounds = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
    let from = 0;
    const drain = () => {
      for (let k = t.next(); k !== 'more'; k = t.next()) {
        out.push(snapshot(t));
        if (k === 'eof') return;
      }
    };
    for (const c of [...bounds, text.length]) {
      t.write(text.slice(from, c));
      from = c;
      drain();
    }
    t.close();
    drain();
    return out;
  } catch (e) {
    return failure(e);
  }
}

function failure(e: unknown): string {
  if (!(e instanceof SandanError)) throw e;
  return `${e.code}@${(e.details as { offset?: number } | undefined)?.offset ?? '?'}`;
}

function errorOf(text: string): SandanError {
  try {
    const t = new XmlTokenizer(text);
    while (t.next() !== 'eof');
  } catch (e) {
    if (e instanceof SandanError) return e;
    throw e;
  }
  throw new Error(`accepted: ${text}`);
}

const CEB = 'http://www.chinaport.gov.cn/ceb';

describe('XmlTokenizer', () => {
  it('reads a small CEB message into tokens with offsets, namespaces and decoded text', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n<ceb:CEB816Message xmlns:ceb="${CEB}" guid="a&amp;b">\r\n<ceb:Tax><ceb:orderNo>A&lt;1&#x4E2D;</ceb:orderNo><!-- x --><ceb:note><![CDATA[<b>]]></ceb:note><ceb:empty/></ceb:Tax></ceb:CEB816Message>\n`;
    const got = tokens(text) as Tok[];
    expect(got.map((t) => t.kind)).toEqual([
      'declaration',
      'text',
      'start',
      'text',
      'start',
      'start',
      'text',
      'end',
      'comment',
      'start',
      'cdata',
      'end',
      'start',
      'end',
      'end',
      'end',
      'text',
      'eof',
    ]);
    const root = got[2]!;
    expect(root).toEqual({
      kind: 'start',
      start: 39,
      end: 39 + `<ceb:CEB816Message xmlns:ceb="${CEB}" guid="a&amp;b">`.length,
      name: 'ceb:CEB816Message',
      ns: CEB,
      depth: 1,
      attrs: ['{}guid=a&b'],
      decls: [`ceb=${CEB}`],
    });
    // CR LF in text is LF; references decoded; the slice of the source is the token as written.
    expect(got[3]!.text).toBe('\n');
    expect(got[6]!.text).toBe('A<1中');
    expect(text.slice(got[6]!.start, got[6]!.end)).toBe('A&lt;1&#x4E2D;');
    expect(got[8]!.text).toBe(' x ');
    expect(got[10]!.text).toBe('<b>');
    // <ceb:empty/> is a start and an end of zero length at its end.
    expect(got[12]!.end).toBe(got[13]!.start);
    expect(got[13]!.start).toBe(got[13]!.end);
    expect(got[15]).toMatchObject({ kind: 'end', name: 'ceb:CEB816Message', depth: 1, ns: CEB });
  });

  it('normalises attribute values as XML does: literal white space becomes a space, references are kept as characters', () => {
    const got = tokens('<a x="1\r\n2\t3" y="&#10;&#9;"/>') as Tok[];
    expect(got[0]!.attrs).toEqual(['{}x=1 2 3', '{}y=\n\t']);
  });

  it.each([
    ['a DTD', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', 'DTD', 0],
    ['an undefined entity', '<a>&e;</a>', "'&'", 3],
    ['a bare &', '<a>fish & chips</a>', "'&'", 8],
    ['a reference to a character XML forbids', '<a>&#0;</a>', 'character reference', 3],
    ["']]>' in text", '<a>x]]>y</a>', "']]>'", 4],
    ['an end tag that closes another element', '<copNo>C1</preNo>', '</preNo> closes <copNo>', 9],
    ['trailing garbage', '<a/>x', 'text outside the root element (after it)', 4],
    ['two roots', '<a/><b/>', 'more than one root element', 4],
    ['no root', '  ', 'no root element', 2],
    ['an unclosed element', '<a><b></b>', '<a> is never closed', 10],
    ['an undeclared element prefix', '<p:a/>', 'prefix "p"', 0],
    ['an undeclared attribute prefix', '<a p:x="1"/>', 'prefix "p"', 3],
    ['an undeclared prefix binding', '<a xmlns:p=""/>', 'cannot be undeclared', 3],
    ['an attribute twice', '<a x="1" x="2"/>', 'twice', 9],
    ['the same expanded attribute twice', '<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>', 'twice', 35],
    ['attributes without white space between them', '<a x="1"y="2"/>', 'separated by white space', 8],
    ["'<' in an attribute value", '<a x="<"/>', "'<' in the value", 6],
    ['a comment with --', '<a><!-- a -- b --></a>', "'--'", 3],
    ['an XML declaration after white space', ' <?xml version="1.0"?><a/>', 'only at the very start', 1],
    ['an XML declaration inside the root', '<a><?xml version="1.0"?></a>', 'only at the very start', 3],
    ['a second byte-order mark', '\uFEFF\uFEFF<a/>', 'second byte-order mark', 1],
    ['a NUL', '<a>\u0000</a>', 'U+0000', 3],
    ['a lone surrogate', '<a>\uD800</a>', 'lone surrogate', 3],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', 'CDATA section outside', 0],
    ['a stray <', '<a>< b</a>', "'<' that starts no valid tag", 3],
    ['a PI whose target is not a name', '<a><?1x?></a>', 'target is not an XML name', 3],
    ['a declared encoding other than UTF-8', '<?xml version="1.0" encoding="GBK"?><a/>', 'GBK', 0],
  ])('refuses %s with XML_MALFORMED at its place', (_, text, why, offset) => {
    const e = errorOf(text);
    expect(e.code).toBe('XML_MALFORMED');
    expect(e.message).toContain(why);
    expect((e.details as { offset: number }).offset).toBe(offset);
    expect(e.message).toMatch(/line \d+, column \d+/);
  });

  it('refuses nesting deeper than 64 levels at the 65th, in linear time, without recursion', () => {
    const deep = '<a>'.repeat(2_000_000) + '</a>'.repeat(2_000_000);
    const t0 = performance.now();
    const e = errorOf(deep);
    expect(e.message).toContain('nested more than 64');
    expect((e.details as { offset: number }).offset).toBe(64 * 3);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(tokens('<a>'.repeat(64) + '</a>'.repeat(64))).not.toBeTypeOf('string');
  });

  it('reports line and column of the offending character', () => {
    const e = errorOf('<a>\n  <b>\n  &x;</b></a>');
    expect(e.details).toMatchObject({ line: 3, col: 3 });
  });

  it('a DTD carries the reason "dtd" in the details', () => {
    expect(errorOf('<!DOCTYPE a><a/>').details).toMatchObject({ reason: 'dtd' });
  });

  it('while streaming, refuses a token longer than maxTokenChars instead of holding it', () => {
    const t = new XmlTokenizer(undefined, { maxTokenChars: 100 });
    t.write('<a>');
    expect(t.next()).toBe('start');
    t.write('x'.repeat(80));
    expect(t.next()).toBe('more');
    t.write('x'.repeat(80));
    expect(() => t.next()).toThrow(expect.objectContaining({ code: 'XML_TOO_LARGE' }));
  });
});

// Every XML file the tests hold: official samples, fixtures, hostile files (accepted or refused).
function xmlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = `${dir}/${name}`;
    if (statSync(p).isDirectory()) xmlFiles(p, out);
    else if (name.endsWith('.xml')) out.push(p);
  }
  return out;
}
const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const corpus = xmlFiles(FIXTURES).flatMap((p) => {
  try {
    return [{ name: p.slice(FIXTURES.length), text: decoder.decode(readFileSync(p)) }];
  } catch {
    return []; // not UTF-8: refused before any tokenizer sees it
  }
});

/** Text tokens merged as a stream may split them. */
function merged(toks: Tok[] | string): Tok[] | string {
  if (typeof toks === 'string') return toks;
  const out: Tok[] = [];
  for (const t of toks) {
    const last = out[out.length - 1];
    if (t.kind === 'text' && last?.kind === 'text' && last.end === t.start) {
      out[out.length - 1] = { ...last, end: t.end, text: last.text! + t.text! };
    } else out.push(t);
  }
  return out;
}

describe('XmlTokenizer over chunks reads what it reads over the whole text', () => {
  it(`holds on ${corpus.length} fixture files, cut anywhere`, () => {
    expect(corpus.length).toBeGreaterThan(40);
    for (const { name, text } of corpus) {
      const whole = merged(tokens(text));
      fc.assert(
        fc.property(fc.array(fc.nat({ max: text.length }), { maxLength: 12 }), (cuts) => {
          expect(merged(chunkedTokens(text, cuts)), name).toEqual(whole);
        }),
        { numRuns: 5, seed: 20261201 },
      );
      // One character at a time: every boundary at once.
      if (text.length < 2500)
        expect(
          merged(
            chunkedTokens(
              text,
              Array.from({ length: text.length }, (_, i) => i),
            ),
          ),
          name,
        ).toEqual(whole);
    }
  });
});
