import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeDocument,
  canonicalizeDocumentTo,
  canonicalizeElement,
  canonicalizeTextTo,
  type C14nOptions,
  DigestSink,
} from '../../src/xml/core/c14n.js';
import {
  normalizeLineEnds,
  type ParsedElement,
  parseXml,
  textContent,
  type XmlDocument,
  type XmlElement,
} from '../../src/xml/core/tree.js';
import { skipWithout } from '../helpers/tools.js';

// The one C14N 1.0 writer, against libxml2's (`xmllint --c14n`) on every message the project has,
// and its two ways of producing bytes (copying canonical source spans, writing) against each other.

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const VERDICTS = JSON.parse(readFileSync(join(FIXTURES, 'hostile/verdicts.json'), 'utf8')).files as Record<
  string,
  { verify: string | null }
>;

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? xmlFiles(join(dir, d.name)) : d.name.endsWith('.xml') ? [join(dir, d.name)] : [],
  );
}

/** Every sample and fixture message, and the hostile files verification reads (it refuses them later, for their layout). */
const MESSAGES = [
  ...xmlFiles(join(FIXTURES, 'ceb-spec/samples-202205')),
  ...xmlFiles(join(FIXTURES, 'xml')),
  ...xmlFiles(join(FIXTURES, 'hostile')).filter((f) => {
    const v = VERDICTS[relative(join(FIXTURES, 'hostile'), f)]?.verify;
    return v !== undefined && v !== null && v !== 'xml-malformed';
  }),
];

/** libxml2's canonical form (C14N 1.0 with comments, the only one xmllint writes) of a document. */
function xmllintC14n(text: string): string {
  const r = spawnSync('xmllint', ['--c14n', '-'], { input: text, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`xmllint: ${r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}

/** The document without its comments (CDATA sections kept as they are): C14N without comments is C14N of that. */
const withoutComments = (text: string) => text.replace(/(<!\[CDATA\[[\s\S]*?\]\]>)|<!--[\s\S]*?-->/g, '$1');

/**
 * The document's canonical form four ways, which must agree byte for byte: from the tree and from
 * the tokens (signing's path), each copying canonical source spans and writing every piece.
 */
function c14nDoc(text: string, doc: XmlDocument, opts: C14nOptions): string {
  const copied = canonicalizeDocument(doc, opts);
  expect(canonicalizeDocument(doc, { ...opts, copy: false }), 'tree: copying and writing agree').toBe(copied);
  for (const copy of [true, false]) {
    const pieces: string[] = [];
    canonicalizeTextTo(normalizeLineEnds(text), pieces, { ...opts, copy });
    expect(pieces.join(''), `tokens (copy: ${copy}) and tree agree`).toBe(copied);
  }
  return copied;
}
function c14nEl(doc: XmlDocument, el: XmlElement, opts: C14nOptions): string {
  const copied = canonicalizeElement(doc, el, opts);
  expect(canonicalizeElement(doc, el, { ...opts, copy: false }), 'copying and writing agree').toBe(copied);
  return copied;
}

/**
 * The subtree of `el` as a document of its own for xmllint: its start tag carries the namespaces
 * libxml2 says are in scope (XPath namespace axis) instead of its own declarations, then its
 * content as written. C14N 1.0 of a subtree is exactly that document's canonical form.
 */
function subtreeDocument(doc: XmlDocument, text: string, el: XmlElement, path: string): string {
  const r = spawnSync('xmllint', ['--xpath', `${path}/namespace::*`, '-'], { input: text });
  const inScope = r.status === 0 ? r.stdout.toString('utf8').trim().split('\n').join('') : '';
  const tagEnd = (el as ParsedElement).tagEnd;
  const ownTag = doc.text.slice(el.start, tagEnd).replace(/\s+xmlns(:[^\s=]+)?\s*=\s*("[^"]*"|'[^']*')/g, '');
  const selfClosed = ownTag.endsWith('/>');
  const open = `${(selfClosed ? ownTag.slice(0, -2) : ownTag.slice(0, -1)).trimEnd()} ${inScope}>`;
  return selfClosed ? `${open}</${el.qname}>` : `${open}${doc.text.slice(tagEnd, el.end)}`;
}

/** The elements whose subtrees are checked: the root's first 3 children, their first children, every ds:SignedInfo; with XPaths. */
function subtrees(root: XmlElement): Array<[XmlElement, string]> {
  const out: Array<[XmlElement, string]> = [];
  const kids = (el: XmlElement) => el.children.filter((c): c is XmlElement => c.type === 'element');
  kids(root).forEach((c, i) => {
    if (i < 3) out.push([c, `/*/*[${i + 1}]`]);
    const g = kids(c)[0];
    if (g && i < 3) out.push([g, `/*/*[${i + 1}]/*[1]`]);
    kids(c).forEach((s, j) => {
      if (s.local === 'SignedInfo') out.push([s, `/*/*[${i + 1}]/*[${j + 1}]`]);
    });
  });
  return out;
}

const generatedDocument = (() => {
  const name = fc.constantFrom('a', 'b', 'ceb:x', 'ceb:y', 'p:z', 'q');
  const attrName = fc.constantFrom('id', 'guid', 'b', 'a', 'ceb:k', 'p:k', 'xml:lang');
  const textChar = fc.constantFrom(
    'a',
    ' ',
    '\n',
    '\t',
    '&amp;',
    '&lt;',
    '&gt;',
    '>',
    '"',
    "'",
    '中',
    '&#13;',
    '&#x9;',
    '\r\n',
  );
  const text = fc.array(textChar, { maxLength: 6 }).map((a) => a.join(''));
  const attrs = fc.uniqueArray(fc.tuple(attrName, text), { maxLength: 3, selector: (t) => t[0] });
  const nsDecl = fc.constantFrom(
    '',
    ' xmlns:p="urn:p"',
    ' xmlns="urn:d"',
    ' xmlns=""',
    ' xmlns:p="urn:p2"',
    ' xmlns:q="urn:q"',
  );
  const el: fc.Memo<string> = fc.memo((depth) =>
    fc
      .tuple(
        name,
        attrs,
        nsDecl,
        depth > 1
          ? fc.array(fc.oneof(text, el(depth - 1), fc.constant('<!--c-->'), fc.constant('<![CDATA[<&>]]>')), {
              maxLength: 4,
            })
          : fc.constant([] as string[]),
        fc.boolean(),
      )
      .map(([n, as, ns, kids, selfClose]) => {
        const decl = n.startsWith('p:') && !ns.includes('xmlns:p') ? `${ns} xmlns:p="urn:p3"` : ns;
        const a =
          as.map(([k, v]) => ` ${k}="${v.replace(/"/g, '&quot;')}"`).join('') +
          (as.some(([k]) => k.startsWith('p:')) && !decl.includes('xmlns:p') ? ' xmlns:p="urn:pa"' : '');
        return kids.length === 0 && selfClose ? `<${n}${decl}${a}/>` : `<${n}${decl}${a}>${kids.join('')}</${n}>`;
      }),
  );
  return el(4).map(
    (body) => `<?xml version="1.0"?>\n<!--top-->\n<ceb:R xmlns:ceb="http://www.chinaport.gov.cn/ceb">${body}</ceb:R>\n`,
  );
})();

describe.skipIf(skipWithout('xmllint'))('C14N 1.0 against xmllint --c14n', () => {
  it('has the messages to check', () => {
    expect(MESSAGES.length).toBeGreaterThan(40);
    expect(MESSAGES.some((f) => f.endsWith('bill-in-cdata.xml'))).toBe(true);
    expect(MESSAGES.some((f) => f.endsWith('signature-twice.xml'))).toBe(true);
  });

  it.each(MESSAGES.map((f) => [relative(FIXTURES, f), f]))('%s: document and subtrees', (_, file) => {
    const text = readFileSync(file, 'utf8');
    const doc = parseXml(text);
    expect(c14nDoc(text, doc, { withComments: true })).toBe(xmllintC14n(text));
    const bare = withoutComments(text);
    expect(c14nDoc(text, doc, {})).toBe(xmllintC14n(bare));
    const list = subtrees(doc.root);
    expect(list.length).toBeGreaterThan(0);
    for (const [el, path] of list) {
      const sub = subtreeDocument(doc, text, el, path);
      expect(c14nEl(doc, el, { withComments: true }), path).toBe(xmllintC14n(sub));
      expect(c14nEl(doc, el, {}), path).toBe(xmllintC14n(withoutComments(sub)));
    }
  });

  it('agrees on many prefixes redeclared, nested and restored (the bindings are undone at each end tag)', () => {
    const n = 40;
    const root = Array.from({ length: n }, (_, i) => ` xmlns:p${i}="urn:u${i}"`).join('');
    // A child changes p_i, its child changes it back, their next sibling redeclares it as the root has it.
    const kids = Array.from(
      { length: n },
      (_, i) =>
        `<p${i}:a xmlns:p${i}="urn:v"><p${i}:b xmlns:p${i}="urn:u${i}" p${i}:k="1"/></p${i}:a><p${i}:c xmlns:p${i}="urn:u${i}"/>`,
    ).join('');
    const x = `<r xmlns="urn:d"${root}>${kids}<e xmlns=""><f xmlns="urn:d"/></e><g/></r>`;
    const doc = parseXml(x);
    const c = c14nDoc(x, doc, {});
    expect(c).toBe(xmllintC14n(x));
    expect(c).toContain('<p7:a xmlns:p7="urn:v"><p7:b xmlns:p7="urn:u7" p7:k="1"></p7:b></p7:a><p7:c></p7:c>');
    expect(c).toContain('<e xmlns=""><f xmlns="urn:d"></f></e><g></g></r>');
    // Exclusive C14N: each element writes the prefix it uses when its output parent has not.
    const e = canonicalizeDocument(doc, { exclusive: true });
    expect(canonicalizeDocument(doc, { exclusive: true, copy: false })).toBe(e);
    expect(e).toContain(
      '<p7:a xmlns:p7="urn:v"><p7:b xmlns:p7="urn:u7" p7:k="1"></p7:b></p7:a><p7:c xmlns:p7="urn:u7"></p7:c>',
    );
    expect(e).toContain('<e xmlns=""><f xmlns="urn:d"></f></e><g></g></r>');
  });

  it('never writes a declaration of the xml prefix, on any element (a security audit found sandan writing it, so that xmlsec1 refused what sandan signed)', () => {
    const XML = 'http://www.w3.org/XML/1998/namespace';
    const x = `<r xmlns:xml="${XML}" xml:lang="zh"><a xmlns:xml="${XML}" xmlns:q="urn:q"><q:b xml:space="preserve"/></a></r>`;
    const c = c14nDoc(x, parseXml(x), {});
    expect(c).toBe(xmllintC14n(x));
    expect(c).toBe('<r xml:lang="zh"><a xmlns:q="urn:q"><q:b xml:space="preserve"></q:b></a></r>');
  });

  it('reads a character reference with leading zeros past the digits of U+10FFFF, as libxml2 does (XML 1.0 CharRef)', () => {
    const x = '<a b="&#x0000041;&#00000066;">&#x0000000000000043;&#0000000000000068;&#x000010FFFF;</a>';
    expect(c14nDoc(x, parseXml(x), {})).toBe(xmllintC14n(x));
    expect(xmllintC14n(x)).toBe('<a b="AB">CD\u{10FFFF}</a>');
    // U+0000 is no XML character, and significant digits past U+10FFFF's are out of range, however many zeros lead.
    for (const bad of ['<a>&#x00000000;</a>', '<a>&#x0110000;</a>', '<a>&#001114112;</a>']) {
      expect(spawnSync('xmllint', ['--noout', '-'], { input: bad }).status, bad).not.toBe(0);
      expect(() => parseXml(bad), bad).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    }
  });

  it('refuses a relative namespace URI where it writes one, as libxml2 does (Canonical XML 1.0 §2.1); an absolute one, DAV: and xmlns="" pass', () => {
    const relative = [
      '<a xmlns="b"/>',
      '<a xmlns:p="../x"><p:b/></a>',
      '<r xmlns:u="urn:u"><u:a xmlns:p="x/y" p:k="1"/></r>',
      '<p:a xmlns:p="1urn:x"/>',
      '<p:a xmlns:p="#frag"/>',
    ];
    for (const x of relative) {
      expect(spawnSync('xmllint', ['--c14n', '-'], { input: x }).status, x).not.toBe(0);
      const doc = parseXml(x);
      const refused = expect.objectContaining({ code: 'XML_MALFORMED', details: { reason: 'relative-namespace' } });
      expect(() => canonicalizeDocument(doc), x).toThrow(refused);
      expect(() => canonicalizeDocument(doc, { exclusive: true }), x).toThrow(refused);
      expect(() => canonicalizeTextTo(x, []), x).toThrow(refused);
    }
    // In scope at a subtree's apex, declared on an ancestor; a subtree that does not see it is fine.
    const doc = parseXml('<r xmlns:p="rel"><a/></r>');
    expect(() => canonicalizeElement(doc, doc.root.children[0] as XmlElement)).toThrow(
      /"rel" \(xmlns:p, in scope at <a>\) is relative/,
    );
    for (const x of [
      '<a xmlns="urn:b" xmlns:d="DAV:" xmlns:h="http://x/y"><b xmlns=""/></a>',
      '<a xmlns:p="mailto:x"/>',
    ]) {
      expect(c14nDoc(x, parseXml(x), {}), x).toBe(xmllintC14n(x));
    }
  });

  it('agrees on generated documents (property; copying and writing too)', () => {
    fc.assert(
      fc.property(generatedDocument, (x) => {
        let doc: XmlDocument;
        try {
          doc = parseXml(x);
        } catch {
          return; // the generator makes some documents with an undeclared prefix
        }
        expect(c14nDoc(x, doc, { withComments: true })).toBe(xmllintC14n(x));
        expect(c14nDoc(x, doc, {})).toBe(xmllintC14n(withoutComments(x)));
      }),
      { numRuns: 120 },
    );
    // 240 runs of xmllint: about 10 s alone, over 30 s on a 2-core machine under a load of 10.
  }, 120_000);
});

describe('inclusive C14N 1.0', () => {
  it('follows the C14N rules on a hand-checked document', () => {
    const x = `<?xml version="1.0" encoding="UTF-8"?>\r\n<r xmlns="urn:a" xmlns:b="urn:b" z="1" b:y="2" a="&#9;x&#xA;y\ty"><b:e xmlns:b="urn:b" xmlns:c="urn:c"/><e xmlns="">a &gt; b &amp; c &#x1F600;\r\nnext</e><!-- dropped --></r>`;
    // attributes by (namespace URI, local name): a, z (no namespace) before b:y; the redundant xmlns:b dropped;
    // <b:e/> written out; &#9; kept as &#x9;, a literal tab normalised to a space; CR LF read as LF.
    const expected = `<r xmlns="urn:a" xmlns:b="urn:b" a="&#x9;x&#xA;y y" z="1" b:y="2"><b:e xmlns:c="urn:c"></b:e><e xmlns="">a &gt; b &amp; c 😀\nnext</e></r>`;
    const doc = parseXml(x);
    expect(c14nDoc(x, doc, {})).toBe(expected);
    expect(c14nDoc(x, doc, { withComments: true })).toBe(expected.replace('</e></r>', '</e><!-- dropped --></r>'));
  });

  it('canonicalises an element in context with inherited namespaces and xml:* attributes', () => {
    const doc = parseXml('<r xmlns:p="urn:p" xmlns="urn:d" xml:lang="zh"><p:s xmlns:q="urn:q"><p:t a="1"/></p:s></r>');
    const s = doc.root.children[0] as XmlElement;
    expect(c14nEl(doc, s, {})).toBe(
      '<p:s xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q" xml:lang="zh"><p:t a="1"></p:t></p:s>',
    );
  });

  it('copies canonical source and writes the rest', () => {
    // The <a> start tag and the text are copied as one piece; <b/> and the end tag `</a >` are written.
    const doc = parseXml('<a>text and more<b/></a >');
    const pieces: string[] = [];
    const sink = { push: (...p: string[]) => pieces.push(...p) };
    expect(canonicalizeDocument(doc)).toBe('<a>text and more<b></b></a>');
    canonicalizeDocumentTo(doc, sink);
    expect(pieces).toEqual(['<a>text and more', '<b>', '</b>', '</a>']);
  });

  it('copies a text only when nothing in it is decoded or escaped, short or long, wherever the > or & stands', () => {
    // Texts of up to 16 characters are looked at character by character, longer ones through the next '&' and '>'.
    for (let n = 1; n <= 20; n++)
      for (let at = 0; at < n; at++)
        for (const [src, value, canonical] of [
          ['>', '>', '&gt;'],
          ['&gt;', '>', '&gt;'],
          ['&amp;', '&', '&amp;'],
          ['&#65;', 'A', 'A'],
        ] as const) {
          const x = `<r><a>${'x'.repeat(at)}${src}${'y'.repeat(n - at - 1)}</a><b>${'z'.repeat(n)}</b></r>`;
          const want = `<r><a>${'x'.repeat(at)}${canonical}${'y'.repeat(n - at - 1)}</a><b>${'z'.repeat(n)}</b></r>`;
          const doc = parseXml(x);
          expect(c14nDoc(x, doc, {}), x).toBe(want);
          expect(textContent(doc.root.children[0] as XmlElement)).toBe(
            `${'x'.repeat(at)}${value}${'y'.repeat(n - at - 1)}`,
          );
        }
  });

  it('copies a start tag with declarations and attributes only when its source is exactly the canonical tag', () => {
    // Compared piece by piece with the source (not built first): each near miss differs in one place.
    const canonical = '<r xmlns="urn:d" xmlns:p="urn:p" a="1" p:b="&amp;"></r>';
    const nearMisses = [
      '<r xmlns="urn:d" xmlns:p="urn:p" a="1" p:b="&amp;" ></r>',
      '<r  xmlns="urn:d" xmlns:p="urn:p" a="1" p:b="&amp;"></r>',
      '<r xmlns:p="urn:p" xmlns="urn:d" a="1" p:b="&amp;"></r>',
      '<r xmlns="urn:d" xmlns:p="urn:p" p:b="&amp;" a="1"></r>',
      '<r xmlns=\'urn:d\' xmlns:p="urn:p" a="1" p:b="&amp;"></r>',
      '<r xmlns="urn:d" xmlns:p="urn:p" a = "1" p:b="&amp;"></r>',
      '<r xmlns="urn:d" xmlns:p="urn:p" a="&#49;" p:b="&amp;"></r>',
      '<r xmlns="urn:d" xmlns:p="urn:p" a="1" p:b="&#38;"></r>',
      '<r xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q" a="1" p:b="&amp;"></r>',
    ];
    for (const x of [canonical, ...nearMisses]) {
      const pieces: string[] = [];
      canonicalizeTextTo(x, pieces);
      expect(pieces.join(''), x).toBe(
        x.includes('urn:q') ? canonical.replace(' a=', ' xmlns:q="urn:q" a=') : canonical,
      );
      expect(canonicalizeDocument(parseXml(x)), x).toBe(pieces.join(''));
      if (x === canonical) expect(pieces, 'the canonical tag is copied with its end tag, as one piece').toEqual([x]);
    }
  });

  it('writes what a changed copy of a node says, not its source', () => {
    const doc = parseXml('<r xmlns:p="urn:p"><p:a>x</p:a></r>');
    const root = { ...doc.root, nsDecls: [['p', 'urn:q']] as const };
    const a = { ...(doc.root.children[0] as XmlElement), parent: root };
    expect(canonicalizeElement(doc, a)).toBe('<p:a xmlns:p="urn:q">x</p:a>');
    expect(canonicalizeDocument({ ...doc, root, children: [root] })).toBe('<r xmlns:p="urn:q"><p:a>x</p:a></r>');
  });

  it('writes exclusive C14N when asked (the diagnosis compares with it)', () => {
    const doc = parseXml('<r xmlns:p="urn:p" xmlns:q="urn:q"><p:a q:k="1"><b/></p:a></r>');
    expect(canonicalizeDocument(doc, { exclusive: true })).toBe(
      '<r><p:a xmlns:p="urn:p" xmlns:q="urn:q" q:k="1"><b></b></p:a></r>',
    );
  });

  it('leaves out the excluded element (enveloped signature) and keeps CDATA as text', () => {
    const doc = parseXml('<a><![CDATA[x < y]]><?pi x?><s>sig</s>\n</a>');
    const s = doc.root.children.find((c) => c.type === 'element') as XmlElement;
    expect(canonicalizeDocument(doc, { exclude: s })).toBe('<a>x &lt; y<?pi x?>\n</a>');
  });

  it('writes a text read in pieces (text and CDATA) from its value, never from a span of the source', () => {
    // The CDATA here is as long as the text's start offset plus one, the length at which a span taken
    // from the first piece's offsets would have passed for the whole.
    expect(canonicalizeDocument(parseXml('<a>x<![CDATA[yyyy]]></a>'))).toBe('<a>xyyyy</a>');
    expect(canonicalizeDocument(parseXml('<a>x<![CDATA[<&>]]>z</a>'))).toBe('<a>x&lt;&amp;&gt;z</a>');
    expect(canonicalizeDocument(parseXml('<a><![CDATA[yy]]>x</a>'))).toBe('<a>yyx</a>');
  });

  it('DigestSink hashes a large text in slices that never cut a surrogate pair, as the whole UTF-8 text', () => {
    // Slices are 2^20 code units: a pair whose high half is the slice's last unit moves to the next slice.
    // Its high half at the edge of the range (D800, DBFF) and in the middle (D83D).
    for (const pair of ['\u{10000}', '\u{10FC00}', '\u{1F600}']) {
      const text = `${'a'.repeat((1 << 20) - 1)}${pair}${'b'.repeat(10)}`;
      expect(text.charCodeAt((1 << 20) - 1)).toBe(pair.charCodeAt(0));
      for (const pieces of [[text], ['<x>', text, '</x>']]) {
        const sink = new DigestSink('sha1');
        sink.push(...pieces);
        const want = createHash('sha1')
          .update(Buffer.from(pieces.join(''), 'utf8'))
          .digest();
        expect(Buffer.from(sink.digest()).equals(want), pair).toBe(true);
      }
    }
  });

  it('refuses malformed XML with XML_MALFORMED', () => {
    for (const x of ['<a><b></a>', '<a/><b/>', '<p:a/>', '<a x="1" x="2"/>', '<!DOCTYPE a><a/>', '<a>&nbsp;</a>']) {
      expect(() => parseXml(x), x).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    }
  });
});
