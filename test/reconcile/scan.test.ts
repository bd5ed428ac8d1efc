import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { CebScanner, scanCebText, type ScannedDocument } from '../../src/reconcile/scan.js';
import { parseCebXml, type CebMessage } from '../../src/xml/parse.js';
import { memoryData } from './helpers.js';

/** parseCebXml's documents in the scanner's shape: Decimal and numbers as text, receipts without returnInfoParsed. */
function oracle(text: string): { messageType: string; documents: Array<{ fields: Record<string, unknown>; items: Array<Record<string, unknown>> }> } {
  const msg = parseCebXml(text) as CebMessage;
  return {
    messageType: msg.messageType,
    documents: msg.documents.map((d) => {
      const { items, returnInfoParsed: _r, ...fields } = d as Record<string, unknown>;
      return { fields, items: (items as Array<Record<string, unknown>> | undefined) ?? [] };
    }),
  };
}

/** Compares one scanned record with the parser's: same keys; decimals equal as numbers, integers as numbers, text exactly. */
function same(scanned: Record<string, string>, parsed: Record<string, unknown>): void {
  expect(Object.keys(scanned).sort()).toEqual(Object.keys(parsed).sort());
  for (const [k, v] of Object.entries(parsed)) {
    const s = scanned[k]!;
    if (Decimal.isDecimal(v)) expect(new Decimal(s.trim()).eq(v as Decimal), `${k}: ${s} vs ${String(v)}`).toBe(true);
    else if (typeof v === 'number') expect(Number(s.trim())).toBe(v);
    else expect(s).toBe(v);
  }
}

function agree(text: string): ScannedDocument[] {
  const scanned = scanCebText(text);
  const parsed = oracle(text);
  expect(scanned.messageType).toBe(parsed.messageType);
  expect(scanned.documents).toHaveLength(parsed.documents.length);
  scanned.documents.forEach((d, i) => {
    same(d.fields, parsed.documents[i]!.fields);
    expect(d.items).toHaveLength(parsed.documents[i]!.items.length);
    d.items.forEach((it, j) => same(it, parsed.documents[i]!.items[j]!));
  });
  return scanned.documents;
}

describe('CebScanner against parseCebXml (oracle)', () => {
  it('reads the CEB816 and CEB818 fixtures as the parser does', () => {
    const bill = agree(readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8'));
    expect(bill[0]!.fields).toMatchObject({ invtNo: '29242026I000000001', valueAddedTax: '49.87', status: '1' });
    expect(bill[0]!.items.map((l) => l.valueAddedTax)).toEqual(['36.22', '13.65']);
    agree(readFileSync('test/fixtures/xml/CEB818Message.xml', 'utf8'));
    agree(readFileSync('test/fixtures/xml/CEB312-rejected.xml', 'utf8'));
  });

  it('reads the official 2022-05 receipt samples as the parser does', () => {
    for (const t of ['312', '412', '512', '514', '622', '624', '626']) {
      agree(readFileSync(`../shared/ceb-spec/samples-202205/import/CEB${t}Message.xml`, 'utf8'));
    }
  });

  it('agrees on every generated file (default namespace and ceb: prefix, 816/818/622/624/626)', () => {
    const { files } = memoryData(300, 9);
    let n = 0;
    for (const [name, text] of files) {
      if (!name.endsWith('.xml')) continue;
      agree(text);
      n++;
    }
    expect(n).toBeGreaterThan(10);
  });

  it('agrees on random leaf texts: entities, CDATA, Chinese, whitespace, prefixes, empty and unknown elements', () => {
    const textArb = fc.string({ unit: 'grapheme' });
    const piece = fc.oneof(
      fc.constantFrom('&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#x4E2D;', '&#20013;', '放行', ' ', '\n', '[Code:2600;Desc:放行]', 'a,b'),
      textArb.map((s) => s.replace(/[<&\]\r]/g, '')),
    );
    const leaf = fc.array(piece, { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(leaf, leaf, fc.boolean(), fc.constantFrom('', 'ceb:', 'x:'), fc.boolean(), (info, copNo, cdata, prefix, extra) => {
        const p = prefix;
        const ns = p === '' ? 'xmlns' : `xmlns:${p.slice(0, -1)}`;
        const infoXml = cdata ? `<![CDATA[${info}]]>` : info;
        const text = `<?xml version="1.0" encoding="UTF-8"?>\n<${p}CEB622Message guid="G" version="1.0" ${ns}="http://www.chinaport.gov.cn/ceb">
<${p}InventoryReturn>
  <${p}guid>6F0D2C8E-1B7A-4C1E-9D4F-0A1B2C3D4E66</${p}guid>
  <${p}customsCode/>
  <${p}copNo>${copNo}</${p}copNo>
  <${p}preNo>B20261120000000001</${p}preNo>
  ${extra ? `<${p}unknownThing>z</${p}unknownThing>` : ''}
  <${p}returnStatus>800</${p}returnStatus>
  <${p}returnTime>20261120101700001</${p}returnTime>
  <${p}returnInfo>${infoXml}</${p}returnInfo>
</${p}InventoryReturn>
</${p}CEB622Message>`;
        // The parser reports an unknown element as an issue; both leave it out of the fields.
        agree(text);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same documents whatever the chunk boundaries', () => {
    const text = readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8').replace('</CEB816Message>', readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8').split('<Tax>')[1]!.replace(/^/, '<Tax>').replace('</CEB816Message>', '') + '</CEB816Message>');
    const whole = scanCebText(text).documents;
    expect(whole).toHaveLength(2);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 8 }), (cuts) => {
        const s = new CebScanner();
        const at = [...new Set(cuts)].sort((a, b) => a - b);
        const docs: ScannedDocument[] = [];
        let prev = 0;
        for (const c of [...at, text.length]) {
          docs.push(...s.push(text.slice(prev, c)));
          prev = c;
        }
        docs.push(...s.end());
        expect(docs).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses DOCTYPE/ENTITY, other namespaces and roots, like the parser', () => {
    const fixture = readFileSync('test/fixtures/xml/CEB818Message.xml', 'utf8');
    const doctype = fixture.replace('<CEB818Message', '<!DOCTYPE x [<!ENTITY e "boom">]>\n<CEB818Message');
    expect(() => scanCebText(doctype)).toThrow(expect.objectContaining({ code: 'XML_UNSAFE' }));
    expect(() => parseCebXml(doctype)).toThrow(expect.objectContaining({ code: 'XML_UNSAFE' }));
    const otherNs = fixture.replace('http://www.chinaport.gov.cn/ceb', 'urn:other');
    expect(() => scanCebText(otherNs)).toThrow(expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' }));
    expect(() => parseCebXml(otherNs)).toThrow(expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' }));
    // A DOCTYPE split across two chunks is still refused.
    const s = new CebScanner();
    expect(() => {
      s.push(doctype.slice(0, doctype.indexOf('DOCTYPE') + 3));
      s.push(doctype.slice(doctype.indexOf('DOCTYPE') + 3));
    }).toThrow(expect.objectContaining({ code: 'XML_UNSAFE' }));
    expect(() => scanCebText('<CEB816Message xmlns="http://www.chinaport.gov.cn/ceb"><Tax><TaxHeadRd>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => scanCebText('<?xml version="1.0" encoding="GBK"?><CEB816Message xmlns="http://www.chinaport.gov.cn/ceb"/>')).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });
});
