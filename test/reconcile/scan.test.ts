import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CebScanner, scanCebText, type ScannedDocument } from '../../src/reconcile/scan.js';
import { contentModel } from '../../src/xml/content-model.js';
import { decodeEntities } from '../../src/xml/entities.js';
import { parseCebXml } from '../../src/xml/parse.js';
import { expectScannerAgrees } from '../helpers/scan-oracle.js';
import { memoryData } from './helpers.js';

const agree = expectScannerAgrees;

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
      agree(readFileSync(`test/fixtures/ceb-spec/samples-202205/import/CEB${t}Message.xml`, 'utf8'));
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
      fc.constantFrom(
        '&amp;',
        '&lt;',
        '&gt;',
        '&quot;',
        '&apos;',
        '&#x4E2D;',
        '&#20013;',
        '放行',
        ' ',
        '\n',
        '[Code:2600;Desc:放行]',
        'a,b',
      ),
      textArb.map((s) => s.replace(/[<&\]\r]/g, '')),
    );
    const leaf = fc.array(piece, { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        leaf,
        leaf,
        fc.boolean(),
        fc.constantFrom('', 'ceb:', 'x:'),
        fc.boolean(),
        (info, copNo, cdata, prefix, extra) => {
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
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same documents whatever the chunk boundaries', () => {
    const text = readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8').replace(
      '</CEB816Message>',
      `${readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8').split('<Tax>')[1]!.replace(/^/, '<Tax>').replace('</CEB816Message>', '')}</CEB816Message>`,
    );
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
    expect(() => scanCebText('<CEB816Message xmlns="http://www.chinaport.gov.cn/ceb"><Tax><TaxHeadRd>')).toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED' }),
    );
    expect(() =>
      scanCebText('<?xml version="1.0" encoding="GBK"?><CEB816Message xmlns="http://www.chinaport.gov.cn/ceb"/>'),
    ).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
  });
});

/*
 * The leaf reading as a regex, as the scanner first did it: the definition the scanner's
 * hand-rolled reading and its learnt layouts must agree with, including on odd input.
 */
const NAME = '[A-Za-z_][\\w.-]*';
const LEAF = new RegExp(
  `<(${NAME}:)?(${NAME})(?:\\s[^>]*?)?(?:/>|>((?:[^<]|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>)*)</\\1\\2\\s*>)`,
  'g',
);
function referenceLeaves(content: string, allowed: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  LEAF.lastIndex = 0;
  for (let m = LEAF.exec(content); m; m = LEAF.exec(content)) {
    const name = m[2]!;
    if (!allowed.has(name) || Object.hasOwn(out, name)) continue;
    const text = (m[3] ?? '')
      .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
      .map((p) => (p.startsWith('<![CDATA[') ? p.slice(9, -3) : decodeEntities(p)))
      .join('');
    if (text !== '') out[name] = text;
  }
  return out;
}

describe('CebScanner leaf reading (learnt layouts and leaf by leaf)', () => {
  const allowed = new Set(
    contentModel('import', 'TaxHeadStatus')
      .filter((p) => p.kind !== undefined)
      .map((p) => p.name),
  );
  const names = [...allowed, 'unknownThing'];
  const regular = (p: string, i: number) =>
    [...allowed].map((n) => `<${p}${n}>${n === 'guid' ? `G${i}` : `v${i % 7}`}</${p}${n}>`).join('\n');
  const texts = ['', 'x', '1.00', '&amp;', 'a&lt;b&#x4E2D;', '&#20013;', '&unknown;', '放行', ' ', '>', 'a]]b'];
  const piece = fc
    .tuple(
      fc.constantFrom('', 'ceb:', 'x.y:'),
      fc.constantFrom(...names),
      fc.constantFrom(...texts),
      fc.integer({ min: 0, max: 11 }),
    )
    .map(([p, n, t, kind]) => {
      const q = `${p}${n}`;
      switch (kind) {
        case 0:
          return `<${q}/>`;
        case 1:
          return `<${q} a="1">${t}</${q}>`;
        case 2:
          return `<${q}><![CDATA[${t}<b>]]>${t}</${q}>`;
        case 3:
          return `<${q}>${t}</${q}${['  ', '\n', '\u3000'][t.length % 3]}>`;
        case 4:
          return `<${q}>${t}</${p === '' ? 'ceb:' : ''}${n}>`;
        case 5:
          return `<!-- <${q}>${t}</${q}> -->`;
        case 6:
          return `<${q}><inner>${t}</inner></${q}>`;
        case 7:
          return t;
        default:
          return `<${q}>${t}</${q}>`;
      }
    });
  const odd = fc.array(piece, { maxLength: 10 }).map((a) => a.join(''));

  it('reads each head as the reference regex does, whether its layout was seen before or not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('', 'ceb:'),
        fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: odd }), {
          minLength: 1,
          maxLength: 40,
        }),
        (p, heads) => {
          const contents = heads.map((h, i) => h ?? regular(p, i));
          const ns = p === '' ? 'xmlns' : 'xmlns:ceb';
          const text = `<${p}CEB818Message ${ns}="http://www.chinaport.gov.cn/ceb">${contents.map((c) => `<${p}Tax><${p}TaxHeadStatus>${c}</${p}TaxHeadStatus></${p}Tax>`).join('\n')}</${p}CEB818Message>`;
          // The scanner refuses what the parser refuses (the reference regex reads any text) and
          // reads the rest as the reference regex does, once comments and CDATA are out of the way.
          let parsed = true;
          try {
            parseCebXml(text);
          } catch {
            parsed = false;
          }
          if (!parsed) {
            expect(() => scanCebText(text)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
            return;
          }
          const docs = scanCebText(text).documents;
          expect(docs).toHaveLength(contents.length);
          // Same fields, same texts, same order of keys.
          for (const [i, d] of docs.entries())
            expect(Object.entries(d.fields)).toEqual(
              Object.entries(referenceLeaves(contents[i]!.replace(/<!--[\s\S]*?-->/g, ''), allowed)),
            );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads documents of a learnt layout with entities, repeated or missing fields as the reference does', () => {
    const base = regular('', 1);
    const variants = [
      base,
      base.replace('v1', 'a &amp; b'),
      base.replace('<guid>G1</guid>', '<guid></guid><guid>G2</guid>'),
      base.replace(/<status>.*?<\/status>/, ''),
      base.replace('<status>', '<status>x</status><status>'),
      `${base}<unknownThing>z</unknownThing>`,
    ];
    // Each content twice: read leaf by leaf (its layout learnt), then through its layout.
    const contents = variants.flatMap((c) => [c, c]);
    const text = `<CEB818Message xmlns="http://www.chinaport.gov.cn/ceb">${contents.map((c) => `<Tax><TaxHeadStatus>${c}</TaxHeadStatus></Tax>`).join('')}</CEB818Message>`;
    const docs = scanCebText(text).documents;
    for (const [i, c] of contents.entries())
      expect(Object.entries(docs[i]!.fields)).toEqual(Object.entries(referenceLeaves(c, allowed)));
    expect(docs[3]!.fields.returnTime).toBe('a & b');
    expect(docs[5]!.fields.guid).toBe('G2');
    expect(docs[9]!.fields.status).toBe('x');
  });
});

describe('CebScanner blocks and chunks', () => {
  const fixture = readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8');

  it('gives the same documents for every single cut of the text', () => {
    const text = fixture.replace(/<\/Tax>/, '</Tax   \n>');
    const whole = scanCebText(text).documents;
    for (let cut = 1; cut < text.length; cut++) {
      const s = new CebScanner();
      expect([...s.push(text.slice(0, cut)), ...s.push(text.slice(cut)), ...s.end()], `cut at ${cut}`).toEqual(whole);
    }
  });

  it('reads prefixes that contain the block name', () => {
    const prefixed = fixture.replace(/<(\/?)(?!\?)/g, '<$1x.Tax:').replace('xmlns=', 'xmlns:x.Tax=');
    expect(scanCebText(prefixed).documents).toEqual(scanCebText(fixture).documents);
  });

  it('ends a block at `</Tax`, any whitespace and `>`, as the parser does', () => {
    const at = (n: number) => fixture.replace('</Tax>', `</Tax${' '.repeat(n)}>`);
    expect(scanCebText(at(63)).documents).toEqual(scanCebText(fixture).documents);
    expect(agree(at(64))).toEqual(scanCebText(fixture).documents);
    expect(() => scanCebText(fixture.replace('</Tax>', '</Tax x>'))).toThrow(
      expect.objectContaining({
        code: 'XML_MALFORMED',
        message: "The XML cannot be read: a '<' that starts no valid tag",
      }),
    );
  });

  it('refuses a DOCTYPE at the start or cut between `<` and `!`, and leaves other `!` and `<!` alone', () => {
    const fixture818 = readFileSync('test/fixtures/xml/CEB818Message.xml', 'utf8');
    const doctype = fixture818.replace('<CEB818Message', '<!DOCTYPE x>\n<CEB818Message');
    const s = new CebScanner();
    const cut = doctype.indexOf('<!DOCTYPE') + 1;
    expect(() => {
      s.push(doctype.slice(0, cut));
      s.push(doctype.slice(cut));
    }).toThrow(
      expect.objectContaining({ code: 'XML_UNSAFE', message: expect.stringContaining('<!DOCTYPE declaration') }),
    );
    expect(() => scanCebText(doctype.slice(doctype.indexOf('<!DOCTYPE')))).toThrow(
      expect.objectContaining({ code: 'XML_UNSAFE' }),
    );
    const harmless = fixture818.replace('<status>2</status>', '<!-- ! <! --><status>2!</status>');
    expect(scanCebText(harmless).documents[0]!.fields.status).toBe('2!');
  });
});
