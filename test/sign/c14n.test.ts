import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeDocument, canonicalizeElement, canonicalizeFast, parseXml } from '../../src/sign/xml.js';
import { SAMPLES, unsignedSample } from './helpers.js';

// The one-pass canonicaliser (used for signing) and the tree one (used for verification) must
// agree byte for byte; xmlsec1 is the outside oracle for both (rsa.test.ts).
const tree = (x: string) => canonicalizeDocument(parseXml(x));

describe('inclusive C14N 1.0', () => {
  it('fast and tree canonicalisation agree on every official import sample', () => {
    for (const f of readdirSync(SAMPLES).filter((n) => n.endsWith('.xml'))) {
      const x = unsignedSample(f.replace('.xml', ''));
      const fast = canonicalizeFast(x);
      expect(fast, f).toBeDefined();
      expect(fast!.canonical, f).toBe(tree(x));
    }
  });

  it('follows the C14N rules on a hand-checked document', () => {
    const x = `<?xml version="1.0" encoding="UTF-8"?>\r\n<r xmlns="urn:a" xmlns:b="urn:b" z="1" b:y="2" a="&#9;x&#xA;y\ty"><b:e xmlns:b="urn:b" xmlns:c="urn:c"/><e xmlns="">a &gt; b &amp; c &#x1F600;\r\nnext</e><!-- dropped --></r>`;
    const expected = `<r xmlns="urn:a" xmlns:b="urn:b" a="&#x9;x&#xA;y y" z="1" b:y="2"><b:e xmlns:c="urn:c"></b:e><e xmlns="">a &gt; b &amp; c 😀\nnext</e></r>`;
    expect(tree(x)).toBe(expected);
    expect(canonicalizeFast(x)?.canonical).toBe(expected);
  });

  it('canonicalises an element in context with inherited namespaces and xml:* attributes', () => {
    const doc = parseXml('<r xmlns:p="urn:p" xmlns="urn:d" xml:lang="zh"><p:s xmlns:q="urn:q"><p:t a="1"/></p:s></r>');
    const s = doc.root.children[0];
    if (s?.type !== 'element') throw new Error('no element');
    expect(canonicalizeElement(s)).toBe(
      '<p:s xmlns="urn:d" xmlns:p="urn:p" xmlns:q="urn:q" xml:lang="zh"><p:t a="1"></p:t></p:s>',
    );
  });

  it('leaves anything unusual to the tree path, which reports malformed XML', () => {
    for (const x of [
      '<a><![CDATA[x]]></a>',
      '<a><?pi x?></a>',
      '<!DOCTYPE a><a/>',
      '<a>&nbsp;</a>',
      '<a><b></a>',
      '<a/><b/>',
      '<p:a/>',
      '<a x="1" x="2"/>',
      '<a x=1/>',
      'text<a/>',
    ]) {
      expect(canonicalizeFast(x), x).toBeUndefined();
    }
    expect(tree('<a><![CDATA[x < y]]><?pi x?></a>')).toBe('<a>x &lt; y<?pi x?></a>');
    for (const x of ['<a><b></a>', '<a/><b/>', '<p:a/>', '<a x="1" x="2"/>', '<!DOCTYPE a><a/>', '<a>&nbsp;</a>']) {
      expect(() => tree(x), x).toThrow(expect.objectContaining({ code: 'SIGN_XML_MALFORMED' }));
    }
  });

  it('fast and tree agree on generated documents (property)', () => {
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
            ? fc.array(fc.oneof(text, el(depth - 1), fc.constant('<!--c-->')), { maxLength: 4 })
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
    const doc = el(4).map(
      (body) => `<?xml version="1.0"?>\n<ceb:R xmlns:ceb="http://www.chinaport.gov.cn/ceb">${body}</ceb:R>\n`,
    );
    fc.assert(
      fc.property(doc, (x) => {
        let expected: string | undefined;
        try {
          expected = tree(x);
        } catch {
          expected = undefined;
        }
        const fast = canonicalizeFast(x);
        if (fast) expect(fast.canonical).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });
});
