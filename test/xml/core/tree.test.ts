import { describe, expect, it } from 'vitest';
import { inScopeNamespaces, parseXml, textContent, type XmlElement } from '../../../src/xml/core/tree.js';

const el = (n: unknown) => n as XmlElement;

describe('the tree', () => {
  it('keeps the offsets signing needs: start, end tag, end; an empty-element tag has endTagStart = end', () => {
    const x = '<?xml version="1.0"?>\n<r a="1"><b>t</b ><c/></r>';
    const doc = parseXml(x);
    const r = doc.root;
    const [b, c] = r.children.map(el);
    expect([r.start, r.endTagStart, r.end]).toEqual([22, x.length - 4, x.length]);
    expect(x.slice(b!.start, b!.end)).toBe('<b>t</b >');
    expect(x.slice(b!.endTagStart, b!.end)).toBe('</b >');
    expect(x.slice(c!.start, c!.end)).toBe('<c/>');
    expect(c!.endTagStart).toBe(c!.end);
    expect(doc.children).toEqual([r]); // the XML declaration is no node
  });

  it('normalises line ends first: offsets and text refer to the LF text; a byte-order mark is not part of it', () => {
    const doc = parseXml('\uFEFF<r>\r\n<a>x\ry</a>\r\n</r>');
    expect(doc.text).toBe('<r>\n<a>x\ny</a>\n</r>');
    const a = el(doc.root.children[1]);
    expect(doc.text.slice(a.start, a.end)).toBe('<a>x\ny</a>');
    expect(textContent(a)).toBe('x\ny');
    expect(doc.root.end).toBe(doc.text.length);
  });

  it('merges CDATA with the text around it, decodes references, keeps comments and PIs in place', () => {
    const doc = parseXml('<!--before--><r>a&amp;<![CDATA[<b>]]>c<!--k--><?p d?></r><?after x?>');
    expect(doc.root.children).toEqual([
      expect.objectContaining({ type: 'text', value: 'a&<b>c' }),
      { type: 'comment', value: 'k' },
      { type: 'pi', target: 'p', data: 'd' },
    ]);
    expect(doc.children.map((c) => c.type)).toEqual(['comment', 'element', 'pi']);
  });

  it('resolves namespaces, keeps declarations apart from attributes, and knows what is in scope', () => {
    const doc = parseXml('<r xmlns="urn:d" xmlns:p="urn:p"><p:a p:k="1" k="2" xmlns:q="urn:q"/></r>');
    const a = el(doc.root.children[0]);
    expect([doc.root.ns, a.ns, a.local, a.parent]).toEqual(['urn:d', 'urn:p', 'a', doc.root]);
    expect(a.attrs.map((x) => [x.qname, x.ns, x.value])).toEqual([
      ['p:k', 'urn:p', '1'],
      ['k', '', '2'],
    ]);
    expect(a.nsDecls).toEqual([['q', 'urn:q']]);
    expect([...inScopeNamespaces(a)]).toEqual([
      ['', 'urn:d'],
      ['p', 'urn:p'],
      ['q', 'urn:q'],
    ]);
  });

  it('refuses what the tokenizer refuses, with XML_MALFORMED and a place in the normalised text', () => {
    for (const x of [
      '<a><b></a>',
      '<!DOCTYPE a><a/>',
      '<p:a/>',
      '\uFEFF\uFEFF<a/>',
      '<a>&nbsp;</a>',
      ' <?xml version="1.0"?><a/>',
    ])
      expect(() => parseXml(x), x).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => parseXml('<a>\r\n\r\n<b></a>')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ line: 3, col: 4, offset: 8 }) }),
    );
  });
});
