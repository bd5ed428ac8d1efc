import { readdirSync, readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SandanError } from '../../../src/errors.js';
import { type TokenizerOptions, XmlTokenizer } from '../../../src/xml/core/tokenizer.js';
import { forbiddenCharacter } from '../../../src/xml/safety.js';

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
  /** The token as written. */
  raw?: string;
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
  if (t.kind !== 'eof') out.raw = t.raw();
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
function chunkedTokens(text: string, cuts: number[], options?: TokenizerOptions): Tok[] | string {
  const out: Tok[] = [];
  try {
    const t = new XmlTokenizer(undefined, options);
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
  return `${e.code}@${(e.details as { offset?: number } | undefined)?.offset ?? '?'}: ${e.message}`;
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
      raw: `<ceb:CEB816Message xmlns:ceb="${CEB}" guid="a&amp;b">`,
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
    // A declaration (JSON) given to parse, sign or verify: the message says what it looks like and what reads it.
    ['JSON', ' {"order": {}}', 'before it): it looks like JSON. A CEB message is XML; check a declaration', 1],
    // (named for the library's callers as well as the CLI's)
    [
      'a JSON array',
      '[{"order": {}}]',
      'with validate() or sandan validate, or build its message with buildMessage() or sandan build',
      0,
    ],
    ['other text before the root', 'x<a/>', 'text outside the root element (before it)', 0],
    ['two roots', '<a/><b/>', 'more than one root element', 4],
    ['no root', '  ', 'no root element', 2],
    ['an unclosed element', '<a><b></b>', '<a> is never closed', 10],
    ['an undeclared element prefix', '<p:a/>', 'prefix "p"', 0],
    ['an undeclared attribute prefix', '<a p:x="1"/>', 'prefix "p"', 3],
    ['an undeclared prefix binding', '<a xmlns:p=""/>', 'cannot be undeclared', 3],
    // Qualified names as xmllint refuses them ("Failed to parse QName"): two colons, none after, a digit after.
    ['an element name with two colons', '<a:b:c xmlns:a="u"/>', 'not a valid qualified name', 0],
    ['an element name ending in a colon', '<a: xmlns:a="u"/>', 'not a valid qualified name', 0],
    ['an element local name starting with a digit', '<a:1b xmlns:a="u"/>', 'not a valid qualified name', 0],
    ['an attribute name with two colons', '<r xmlns:a="u" a:b:c="1"/>', 'not a valid qualified name', 15],
    ['an attribute twice', '<a x="1" x="2"/>', 'twice', 9],
    ['the same expanded attribute twice', '<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>', 'twice', 35],
    ['attributes without white space between them', '<a x="1"y="2"/>', 'separated by white space', 8],
    ["'<' in an attribute value", '<a x="<"/>', "'<' in the value", 6],
    // A peer's CEB626 mock wrote `<InvtRefundReturn<guid>` (test/fixtures/outside/README.md): the tag lacks its '>'.
    [
      'a start tag without its >',
      '<a><b<c/></b></a>',
      "the start tag <b> is not closed: '<' where '>' was expected",
      5,
    ],
    ['a start tag without its >, after an attribute', '<a x="1" <b/></a>', 'the start tag <a> is not closed', 9],
    ['a comment with --', '<a><!-- a -- b --></a>', "'--'", 3],
    ['an XML declaration after white space', ' <?xml version="1.0"?><a/>', 'only at the very start', 1],
    ['an XML declaration inside the root', '<a><?xml version="1.0"?></a>', 'only at the very start', 3],
    // (whatever white space follows the target, or none before '?>': the target xml is reserved)
    ['an XML declaration with a tab, inside the root', '<a><?xml\tversion="1.0"?></a>', 'only at the very start', 3],
    ['an XML declaration with a CR, inside the root', '<a><?xml\rversion="1.0"?></a>', 'only at the very start', 3],
    ['an XML declaration with a LF, inside the root', '<a><?xml\nversion="1.0"?></a>', 'only at the very start', 3],
    ['an empty XML declaration inside the root', '<a><?xml?></a>', 'only at the very start', 3],
    ['an upper-case XML declaration at the start', '<?XML version="1.0"?><a/>', 'only at the very start', 0],
    ['a second byte-order mark', '\uFEFF\uFEFF<a/>', 'second byte-order mark', 1],
    ['a NUL', '<a>\u0000</a>', 'U+0000', 3],
    ['a lone surrogate', '<a>\uD800</a>', 'lone surrogate', 3],
    // (a pair is one character, whatever its low half: U+10000 is D800 DC00)
    ['a control character after U+10000', '<a>\u{10000}\u0001</a>', 'U+0001', 5],
    ['U+FFFE', '<a>\uFFFE</a>', 'U+FFFE', 3],
    ['U+FFFF after U+1F600', '<a>\u{1F600}\uFFFF</a>', 'U+FFFF', 5],
    ['a lone low surrogate after a pair', '<a>\u{1F600}\uDC00</a>', 'lone surrogate', 5],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', 'CDATA section outside', 0],
    ['a stray <', '<a>< b</a>', "'<' that starts no valid tag", 3],
    ['a PI whose target is not a name', '<a><?1x?></a>', 'target is not an XML name', 3],
    [
      'a declared encoding other than UTF-8 (or GB)',
      '<?xml version="1.0" encoding="ISO-8859-1"?><a/>',
      'ISO-8859-1',
      0,
    ],
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

  it('takes a token within maxTokenChars however far into the stream it comes, cut across chunks', () => {
    // 10,000 characters of small elements, then a 90-character comment and text written 30 at a time:
    // the limit is the token's own length, not where it starts.
    const doc = `<r>${'<a>x</a>'.repeat(1250)}<!--${'c'.repeat(83)}-->${'y'.repeat(90)}</r>`;
    for (const size of [30, 7]) {
      const t = new XmlTokenizer(undefined, { maxTokenChars: 100 });
      const kinds: string[] = [];
      for (let i = 0; i < doc.length; i += size) {
        t.write(doc.slice(i, i + size));
        for (let k = t.next(); k !== 'more'; k = t.next()) kinds.push(k);
      }
      t.close();
      for (let k = t.next(); ; k = t.next()) {
        kinds.push(k);
        if (k === 'eof') break;
      }
      expect(kinds.filter((k) => k === 'comment')).toHaveLength(1);
      expect(kinds.at(-1)).toBe('eof');
    }
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
      out[out.length - 1] = { ...last, end: t.end, text: last.text! + t.text!, raw: last.raw! + t.raw! };
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

// Documents made of what a cut can fall inside: long start tags (attributes with white space and line
// ends around '=', references, '>' in values, namespace declarations), end tags with white space, texts,
// comments, CDATA sections, PIs, characters outside the BMP; some mutated into errors found in the middle
// of a tag (a duplicate, an undeclared prefix, a '<' in a value, a missing '='), so that a tag read on
// after a chunk reports them at the same offset, line and column.
const NS = 'http://www.chinaport.gov.cn/ceb';
const space = fc.constantFrom(' ', '  ', '\n', '\r\n', '\t', ' \n  ', '\n\n', '');
const tagName = fc.constantFrom('a', 'b', 'ceb:x', 'p:y', 'aVeryLongElementName', 'x-y.z');
const attrName = fc.constantFrom('a', 'p:b', 'xml:lang', 'aVeryLongAttributeName', 'x-y.z', 'q:c', 'ceb:d');
const attrValue = fc.constantFrom('', 'v', 'a&amp;b', '&#x4E2D;&#10;', '>', '\r\n\t', '😀x', 'long '.repeat(8), ']]>');
const attribute = fc
  .tuple(space, attrName, fc.nat(40), space, space, attrValue, fc.boolean())
  .map(([w0, n, k, w1, w2, v, single]) => `${w0 || ' '}${n}${k}${w1}=${w2}${single ? `'${v}'` : `"${v}"`}`);
const declaration = fc.constantFrom('', ' xmlns:q="urn:q"', ` xmlns="${NS}"`, ' xmlns:p = "urn:p2"');
const leaf = fc.constantFrom(
  'text',
  'x&amp;y&#x1F600;',
  '\r\n  ',
  '😀😀',
  '<!-- a comment -->',
  '<!---->',
  '<![CDATA[ x ]] > ]]>',
  '<![CDATA[]]>',
  '<?pi some data?>',
  '<?t?>',
  'long text '.repeat(6),
);
const { element } = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('element')),
  element: fc
    .tuple(
      tagName,
      declaration,
      fc.array(attribute, { maxLength: 10 }),
      space,
      fc.boolean(),
      fc.array(tie('node'), { maxLength: 4 }),
    )
    .map(([n, d, as, w, empty, kids]) =>
      empty ? `<${n}${d}${as.join('')}${w}/>` : `<${n}${d}${as.join('')}${w}>${(kids as string[]).join('')}</${n}${w}>`,
    ),
}));
const documents = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', '\uFEFF', ' \n', '<!-- before -->'),
    element,
    fc.constantFrom('', '\n', '<!-- after -->', '<?x?>'),
    // Mutations: a character dropped, or one of those that break a tag put anywhere.
    fc.array(fc.tuple(fc.nat(), fc.constantFrom('', '<', '>', '"', '=', ' ', '/', '-', '&', ']', '?', '\n', 'a')), {
      maxLength: 1,
    }),
  )
  .map(([pre, e, post, mutations]) => {
    let d = `${pre}<r xmlns:p="urn:p" xmlns:ceb="${NS}">${e}</r>${post}`;
    for (const [i, c] of mutations) {
      const k = i % (d.length + 1);
      d = d.slice(0, k) + c + d.slice(k + (c === '' ? 1 : 0));
    }
    return d;
  })
  // A character dropped from a surrogate pair makes an error found per chunk, not at once.
  .filter((d) => (d as string & { isWellFormed(): boolean }).isWellFormed());

/**
 * For each token of an accepted text fed in chunks cut at `cuts`, how much of the text had been written
 * when it came, and how much had to be: a token comes at the first write that holds its last character
 * (a text's, the '<' after it), not later (a tag waiting for its end must not hold back what follows).
 */
function arrivals(text: string, cuts: number[]): Array<{ kind: string; start: number; came: number; due: number }> {
  const out: Array<{ kind: string; start: number; came: number; due: number }> = [];
  const t = new XmlTokenizer();
  let from = 0;
  const bounds = [...new Set([...cuts.map((c) => Math.min(c, text.length)), text.length])].sort((a, b) => a - b);
  const drain = (written: number) => {
    for (let k = t.next(); k !== 'more' && k !== 'eof'; k = t.next()) {
      // Due: the first write that holds its end (Infinity: the close).
      const need = t.end + (k === 'text' ? 1 : 0);
      out.push({ kind: k, start: t.start, came: written, due: bounds.find((c) => c >= need) ?? Infinity });
    }
  };
  for (const c of bounds) {
    t.write(text.slice(from, c));
    from = c;
    drain(c);
  }
  t.close();
  drain(Infinity);
  return out;
}

/** Where a cut at `c` falls (the kinds of places a token read on after a chunk must handle). */
function place(text: string, toks: Tok[], c: number): string[] {
  const out: string[] = [];
  const pre = text.charCodeAt(c - 1);
  if (pre >= 0xd800 && pre <= 0xdbff) out.push('inside a surrogate pair');
  const t = toks.find((k) => k.start < c && c < k.end);
  if (t === undefined) return out;
  const at = c - t.start;
  if (t.kind === 'start') {
    const head = text.slice(t.start, c);
    const quotes = (head.match(/"[^"]*"|'[^']*'/g) ?? []).length;
    if (/^<[\w.:-]+$/.test(head)) out.push('start tag: in its name');
    else if (/=\s*("[^"]*|'[^']*)$/.test(head.replace(/"[^"]*"|'[^']*'/g, '""'))) out.push('start tag: in a value');
    else if (/[\w.:-]$/.test(head) && /^[\w.:-]/.test(text.slice(c))) out.push('start tag: in an attribute name');
    else if (/=\s*$/.test(head)) out.push("start tag: after '='");
    if (quotes > 0) out.push('start tag: after a complete attribute');
  } else if (t.kind === 'end') out.push(at === 1 ? "in '</'" : 'end tag');
  else if (t.kind === 'comment') out.push(at < 4 ? "in '<!--'" : 'comment');
  else if (t.kind === 'cdata') out.push(at < 9 ? "in '<![CDATA['" : 'CDATA section');
  else out.push(t.kind);
  return out;
}

describe('XmlTokenizer over chunks reads what it reads over the whole text: generated documents', () => {
  it('gives the same tokens, errors, offsets, lines and columns wherever the chunks are cut', () => {
    const met = new Map<string, number>();
    let accepted = 0;
    fc.assert(
      fc.property(documents, fc.array(fc.nat(), { maxLength: 24 }), fc.boolean(), (text, cuts, everywhere) => {
        const whole = tokens(text);
        if (typeof whole !== 'string') accepted++;
        const at = everywhere
          ? Array.from({ length: text.length }, (_, i) => i)
          : cuts.map((c) => c % (text.length + 1));
        // Not merged: a text is read whole, as a tag is.
        expect(chunkedTokens(text, at)).toEqual(whole);
        if (typeof whole === 'string') {
          // The position, counted from the text itself: the line is one more than the LFs before the
          // offset, the column the distance from the last of them (so from -1 on the first line).
          const [, offset, line, col] = /@(\d+): .*\(line (\d+), column (\d+)\)/s.exec(whole) ?? [];
          expect(offset, whole).toBeDefined();
          const before = text.slice(0, Number(offset));
          expect([Number(line), Number(col)], whole).toEqual([
            before.split('\n').length,
            Number(offset) - before.lastIndexOf('\n'),
          ]);
          return;
        }
        for (const c of at) for (const p of place(text, whole, c)) met.set(p, (met.get(p) ?? 0) + 1);
        for (const a of arrivals(text, at)) expect(a.came, `${a.kind} at ${a.start}`).toBe(a.due);
      }),
      { numRuns: 400, seed: 20261202 },
    );
    // Every place a chunk can end was met, each many times; most documents read, many refused.
    expect(accepted).toBeGreaterThan(80);
    expect(accepted).toBeLessThan(360);
    for (const p of [
      'start tag: in its name',
      'start tag: in a value',
      'start tag: in an attribute name',
      "start tag: after '='",
      'start tag: after a complete attribute',
      "in '</'",
      'end tag',
      "in '<!--'",
      'comment',
      "in '<![CDATA['",
      'CDATA section',
      'pi',
      'text',
      'inside a surrogate pair',
    ])
      expect(met.get(p) ?? 0, p).toBeGreaterThan(20);
  });
});

// A token cut by the end of a chunk was read again from its start at every chunk that did not complete
// it: in 32 KiB chunks, one text, comment, CDATA section, PI, attribute value or start tag of n characters
// cost time growing with n² / 32 Ki (4 MB: 0.9 to 2.9 s, against 0.02 to 0.08 s as one string; 3.7 MB of
// attributes, 18 s against 0.75 s). Now it waits for what can complete it, and a start tag goes on after
// its last complete attribute.
describe('XmlTokenizer over 32 KiB chunks reads a long token in linear time', () => {
  const fill = (n: number, head: string, unit: string, tail: string) =>
    head + unit.repeat(Math.ceil((n - head.length - tail.length) / unit.length)) + tail;
  const root = `<CEB816Message xmlns="${NS}"`;
  /** All tokens of `text`, whole or in chunks of `chunk` characters; the shorter of two runs in ms. */
  function time(text: string, chunk: number): number {
    let best = Infinity;
    for (let r = 0; r < 2; r++) {
      const t0 = performance.now();
      const t = chunk ? new XmlTokenizer() : new XmlTokenizer(text);
      const drain = () => {
        for (let k = t.next(); k !== 'more' && k !== 'eof'; k = t.next());
      };
      if (chunk) {
        for (let i = 0; i < text.length; i += chunk) {
          t.write(text.slice(i, i + chunk));
          drain();
        }
        t.close();
      }
      drain();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }
  it.each([
    [
      'a start tag of many attributes',
      // (Half the size: 170,000 attributes take as long whole as 4 MB of the others in chunks.)
      (n: number) => `${root}${Array.from({ length: n / 24 }, (_, i) => ` a${i}="x"`).join('')}/>`,
    ],
    ['an attribute value', (n: number) => fill(n, `${root} a="`, 'x', '"/>')],
    ['white space in a start tag', (n: number) => fill(n, root, ' ', '/>')],
    ['white space in an end tag', (n: number) => fill(n, `${root}></CEB816Message`, ' ', '>')],
    ['a text', (n: number) => fill(n, `${root}>`, 'x', '</CEB816Message>')],
    ['a text with references', (n: number) => fill(n, `${root}>`, 'x&amp;]]', '</CEB816Message>')],
    ['a comment', (n: number) => fill(n, `${root}><!--`, 'x-', 'x--></CEB816Message>')],
    ['a CDATA section', (n: number) => fill(n, `${root}><![CDATA[`, 'x]]', ']]></CEB816Message>')],
    ['a PI', (n: number) => fill(n, `${root}><?pi `, 'x?', '?></CEB816Message>')],
  ])('%s', (_, make) => {
    time(make(100_000), 32_768); // compiled before it is timed
    const text = make(4_000_000);
    const whole = time(text, 0);
    const chunked = time(text, 32_768);
    // Linear: a few passes over the text (set aside, joined, read); 5 times, plus room for a loaded machine.
    expect(chunked, `${chunked.toFixed(0)} ms in chunks, ${whole.toFixed(0)} ms whole`).toBeLessThan(5 * whole + 250);
  });

  it('an attribute name: refused past 1000 characters, whole or at the first chunk', () => {
    const text = fill(4_000_000, `${root} a`, 'x', '="1"/>');
    const tooLong = /line 1, column 56\): a name of more than 1000 characters/;
    expect(() => time(text, 0)).toThrow(tooLong);
    const t = new XmlTokenizer();
    t.write(text.slice(0, 32_768));
    expect(() => t.next()).toThrow(tooLong);
  });
});

describe('the character check', () => {
  // The tokenizer's fast check (one search, then four) refuses exactly what forbiddenCharacter finds, the slow
  // and exact one, on texts built of the units that matter: controls, the non-characters, both surrogate halves.
  const unit = fc.constantFrom(
    'a',
    '中',
    '\t',
    '\n',
    '\u0001',
    '\u001F',
    '\uD7FF',
    '\uD800',
    '\uDBFF',
    '\uDC00',
    '\uDFFF',
    '\uE000',
    '\uFFFD',
    '\uFFFE',
    '\uFFFF',
  );
  it('refuses a text exactly when it holds a unit outside XML Char', () => {
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 8 }), (units) => {
        const text = units.join('');
        const bad = forbiddenCharacter(text);
        // Whole, and streamed a unit at a time (a chunk may end between the halves of a pair).
        const whole = () => {
          const t = new XmlTokenizer(`<a>${text}</a>`);
          while (t.next() !== 'eof');
        };
        const streamed = () => {
          const t = new XmlTokenizer();
          for (const piece of ['<a>', ...units, '</a>']) t.write(piece);
          t.close();
          while (t.next() !== 'eof');
        };
        for (const read of [whole, streamed]) {
          let thrown: SandanError | undefined;
          try {
            read();
          } catch (e) {
            thrown = e as SandanError;
          }
          expect(thrown?.code).toBe(bad ? 'XML_MALFORMED' : undefined);
          if (bad) expect((thrown!.details as { offset: number }).offset).toBe(3 + bad.index);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

// Most start tags of a message are `<name>` of the name that followed the same tag last time (session 56: verifying a
// CEB621 spent about a tenth of its time in the general start-tag reader): they are read on a short path of their own,
// which must give exactly the tokens, and refuse exactly what, the general reader does.
describe('plain start tags of a predicted name', () => {
  type Private = { plainStartTag(p: number): unknown; readStartTag(p: number): unknown };
  const proto = XmlTokenizer.prototype as unknown as Private;
  /** The tokens of `text` read with the short path, then without it (after a first reading, so names are predicted). */
  function bothWays(text: string): [Tok[] | string, Tok[] | string] {
    tokens(text);
    const fast = tokens(text);
    const plain = proto.plainStartTag;
    proto.plainStartTag = () => undefined;
    try {
      return [fast, tokens(text)];
    } finally {
      proto.plainStartTag = plain;
    }
  }

  it(`give the tokens and errors of the general reader, on ${corpus.length} fixture files and generated documents`, () => {
    for (const { name, text } of corpus) {
      const [fast, general] = bothWays(text);
      expect(fast, name).toEqual(general);
    }
    fc.assert(
      fc.property(documents, (text) => {
        const [fast, general] = bothWays(text);
        expect(fast).toEqual(general);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('are read past the general reader on a second reading of a message (it reads the tags with attributes)', () => {
    const text = readFileSync(new URL('../../fixtures/xml/CEB816Message.xml', import.meta.url), 'utf8');
    const starts = (tokens(text) as Tok[]).filter((t) => t.kind === 'start');
    const general = proto.readStartTag;
    let read = 0;
    proto.readStartTag = function (this: unknown, p: number) {
      read++;
      return general.call(this, p);
    };
    try {
      tokens(text);
    } finally {
      proto.readStartTag = general;
    }
    expect(starts.length).toBeGreaterThan(20);
    expect(read).toBeLessThan(starts.length / 4);
  });

  it('refuse what the general reader refuses: too deep, a second root, an undeclared prefix', () => {
    // Each refused where the name is predicted: a first document teaches what follows the tag before.
    const cases: Array<[string, string, RegExp]> = [
      ['<dd/>', `${'<dd>'.repeat(65)}${'</dd>'.repeat(65)}`, /^XML_MALFORMED@256: .*nested more than 64/s],
      ['<x><rr></rr><rr></rr></x>', '<rr></rr><rr></rr>', /^XML_MALFORMED@9: .*more than one root/s],
      ['<q xmlns:p="urn:x"><ss></ss><p:aa></p:aa></q>', '<q><ss></ss><p:aa></p:aa></q>', /prefix "p" of <p:aa> is not/],
    ];
    for (const [teach, text, refusal] of cases) {
      tokens(teach);
      tokens(`<w>${teach}</w>`);
      const [fast, general] = bothWays(text);
      expect(fast).toMatch(refusal);
      expect(fast).toEqual(general);
    }
  });
});
