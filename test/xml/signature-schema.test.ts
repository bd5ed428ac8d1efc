// The ds:Signature of a message, ExtendMessage's Message and xs:base64Binary values against the official XSDs,
// with xmllint as the oracle. Every CEB XSD imports customs' copy of xmldsig-core-schema.xsd, which is narrower than
// W3C's (no ds:Object; no Id on SignedInfo, SignatureValue, KeyInfo or Transforms): a standard signer may write what
// customs' format check refuses. Each probe changes one thing of a message that validates; sandan must refuse it (an
// error, or a warning the emulator counts as an XSD violation) exactly when xmllint does, at the thing changed.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Issue } from '../../src/model/issue.js';
import { parseCebXml, refusedByFormatCheck } from '../../src/xml/index.js';
import { xsdVerdicts, type XsdFile } from './generated-messages.js';

interface Probe extends XsdFile {
  what: string;
  /** The verdict the XSD gives, worked out by hand from the schema. */
  valid: boolean;
  /** Where sandan reports it (when it refuses), and with which code. */
  issue?: [code: string, path: string];
}

const read = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');
/** The official CEB621 sample (signed, SM2), the official CEB311 sample, and a DxpMsg signed by another implementation. */
const CEB621 = read('ceb-spec/samples-202205/import/CEB621Message.xml');
const CEB311 = read('ceb-spec/samples-202205/import/CEB311Message.xml');
const DXP = read('outside/fucl123-crs/DxpMsg-CEB303-signed.xml');
/** The same DxpMsg with the CEB621 sample's ds:Signature after Data, where dxp-terminal.xsd allows one. */
const DXP_SIGNED = DXP.replace('</dxp:Data>', `</dxp:Data>${/<ds:Signature[\s\S]*<\/ds:Signature>/.exec(CEB621)![0]}`);

const refusals = (issues: Issue[]) => issues.filter(refusedByFormatCheck);

function probes(): Probe[] {
  const out: Probe[] = [];
  const add = (
    base: string,
    schema: XsdFile['schema'],
    what: string,
    valid: boolean,
    from: string | RegExp,
    to: string,
    issue?: Probe['issue'],
  ) => {
    const xml = base.replace(from, to);
    expect(xml, what).not.toBe(base);
    out.push({ file: `sig-${out.length}.xml`, schema, what, valid, xml, issue });
  };
  const sig = (what: string, valid: boolean, from: string | RegExp, to: string, issue?: Probe['issue']) =>
    add(CEB621, 'import', what, valid, from, to, issue);
  const S = 'Signature';
  const REF = `${S}.SignedInfo.Reference[0]`;
  sig('Id on Signature (declared)', true, '<ds:Signature ', '<ds:Signature Id="sig-1" ');
  sig('another attribute on Signature', false, '<ds:Signature ', '<ds:Signature foo="1" ', [
    'xml-unknown-attribute',
    `${S}@foo`,
  ]);
  sig('Id on SignedInfo (W3C has it; customs does not)', false, '<ds:SignedInfo>', '<ds:SignedInfo Id="si">', [
    'xml-unknown-attribute',
    `${S}.SignedInfo@Id`,
  ]);
  sig('Id on SignatureValue', false, '<ds:SignatureValue>', '<ds:SignatureValue Id="sv">', [
    'xml-unknown-attribute',
    `${S}.SignatureValue@Id`,
  ]);
  sig('Id on KeyInfo', false, '<ds:KeyInfo>', '<ds:KeyInfo Id="ki">', ['xml-unknown-attribute', `${S}.KeyInfo@Id`]);
  sig('Id and Type on Reference (declared)', true, '<ds:Reference URI="">', '<ds:Reference URI="" Id="r" Type="t">');
  sig('Reference Id not an XML name', false, '<ds:Reference URI="">', '<ds:Reference URI="" Id="1r">', [
    'xml-value',
    `${REF}@Id`,
  ]);
  sig('Signature Id with white space around it (xs:ID collapses)', true, '<ds:Signature ', '<ds:Signature Id=" s1 " ');
  sig('no SignedInfo', false, /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/, '', [
    'xml-missing-element',
    `${S}.SignedInfo`,
  ]);
  sig('no SignatureValue', false, /<ds:SignatureValue>[\s\S]*<\/ds:SignatureValue>/, '', [
    'xml-missing-element',
    `${S}.SignatureValue`,
  ]);
  sig('no KeyInfo (optional)', true, /<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '');
  sig(
    'KeyInfo before SignatureValue',
    false,
    /(<ds:SignatureValue>[\s\S]*<\/ds:SignatureValue>\n)(<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>)/,
    '$2$1',
    ['xml-element-order', `${S}.SignatureValue`],
  );
  sig('two SignatureValues', false, /(<ds:SignatureValue>[\s\S]*<\/ds:SignatureValue>)/, '$1$1', [
    'xml-duplicate-element',
    `${S}.SignatureValue`,
  ]);
  sig('ds:Object (W3C has it; customs does not)', false, '</ds:KeyInfo>', '</ds:KeyInfo><ds:Object>x</ds:Object>', [
    'xml-unknown-element',
    `${S}.Object`,
  ]);
  sig('text in Signature', false, '<ds:SignedInfo>', 'x<ds:SignedInfo>', ['xml-unexpected-text', S]);
  sig('no DigestValue', false, /<ds:DigestValue>[^<]*<\/ds:DigestValue>/, '', [
    'xml-missing-element',
    `${REF}.DigestValue`,
  ]);
  sig('no Transforms (optional)', true, /<ds:Transforms>[\s\S]*<\/ds:Transforms>/, '');
  sig('empty Transforms', false, /<ds:Transforms>[\s\S]*<\/ds:Transforms>/, '<ds:Transforms></ds:Transforms>', [
    'xml-missing-element',
    `${REF}.Transforms.Transform`,
  ]);
  sig('two References (maxOccurs unbounded)', true, /(<ds:Reference URI="">[\s\S]*<\/ds:Reference>)/, '$1$1');
  sig('no Algorithm on DigestMethod', false, /<ds:DigestMethod Algorithm="[^"]*">/, '<ds:DigestMethod>', [
    'xml-missing-attribute',
    `${REF}.DigestMethod@Algorithm`,
  ]);
  sig(
    'text in CanonicalizationMethod (mixed content)',
    true,
    '></ds:CanonicalizationMethod>',
    '>x</ds:CanonicalizationMethod>',
  );
  sig('an element in SignatureMethod', false, '></ds:SignatureMethod>', '><ds:x/></ds:SignatureMethod>', [
    'xml-unknown-element',
    `${S}.SignedInfo.SignatureMethod.x`,
  ]);
  sig('an XPath in Transform', true, '></ds:Transform>', '><ds:XPath>a</ds:XPath></ds:Transform>');
  sig(
    'another namespace in Transform (##other)',
    true,
    '></ds:Transform>',
    '><o:p xmlns:o="urn:o"><q/></o:p></ds:Transform>',
  );
  sig('DigestValue not base64', false, /<ds:DigestValue>[^<]*</, '<ds:DigestValue>A!B@<', [
    'xml-value',
    `${REF}.DigestValue`,
  ]);
  sig('DigestValue with padding bits left over (QR==)', false, /<ds:DigestValue>[^<]*</, '<ds:DigestValue>QR==<', [
    'xml-value',
    `${REF}.DigestValue`,
  ]);
  sig('DigestValue QQ== (padding bits zero)', true, /<ds:DigestValue>[^<]*</, '<ds:DigestValue>QQ==<');
  sig('empty DigestValue (base64Binary allows it)', true, /<ds:DigestValue>[^<]*</, '<ds:DigestValue><');
  sig('empty KeyInfo', false, /<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '<ds:KeyInfo></ds:KeyInfo>', [
    'xml-missing-element',
    `${S}.KeyInfo.KeyName`,
  ]);
  sig('empty X509Data', false, /<ds:X509Data>[\s\S]*<\/ds:X509Data>/, '<ds:X509Data/>', [
    'xml-missing-element',
    `${S}.KeyInfo.X509Data[0].X509IssuerSerial`,
  ]);
  sig('text in KeyInfo (mixed content)', true, '<ds:KeyName>', 'x<ds:KeyName>');
  sig('an element of no namespace in KeyInfo', false, '<ds:KeyName>', '<k/><ds:KeyName>', [
    'xml-unknown-element',
    `${S}.KeyInfo.k`,
  ]);
  sig('another namespace in KeyInfo (##other)', true, '<ds:KeyName>', '<o:k xmlns:o="urn:o"/><ds:KeyName>');
  sig('two X509Data (a repeated choice)', true, /(<ds:X509Data>[\s\S]*<\/ds:X509Data>)/, '$1$1');
  sig(
    'X509IssuerSerial with a serial number',
    true,
    '<ds:X509Certificate>',
    '<ds:X509IssuerSerial><ds:X509IssuerName>CN=a</ds:X509IssuerName><ds:X509SerialNumber> 39207 </ds:X509SerialNumber></ds:X509IssuerSerial><ds:X509Certificate>',
  );
  sig(
    'X509SerialNumber not an integer',
    false,
    '<ds:X509Certificate>',
    '<ds:X509IssuerSerial><ds:X509IssuerName>CN=a</ds:X509IssuerName><ds:X509SerialNumber>0x99</ds:X509SerialNumber></ds:X509IssuerSerial><ds:X509Certificate>',
    ['xml-value', `${S}.KeyInfo.X509Data[0].X509IssuerSerial[0].X509SerialNumber`],
  );
  sig(
    'X509IssuerSerial with two X509IssuerName',
    false,
    '<ds:X509Certificate>',
    '<ds:X509IssuerSerial><ds:X509IssuerName>CN=a</ds:X509IssuerName><ds:X509IssuerName>CN=b</ds:X509IssuerName><ds:X509SerialNumber>1</ds:X509SerialNumber></ds:X509IssuerSerial><ds:X509Certificate>',
    ['xml-duplicate-element', `${S}.KeyInfo.X509Data[0].X509IssuerSerial[0].X509IssuerName`],
  );
  sig(
    'X509IssuerSerial without X509SerialNumber',
    false,
    '<ds:X509Certificate>',
    '<ds:X509IssuerSerial><ds:X509IssuerName>CN=a</ds:X509IssuerName></ds:X509IssuerSerial><ds:X509Certificate>',
    ['xml-missing-element', `${S}.KeyInfo.X509Data[0].X509IssuerSerial[0].X509SerialNumber`],
  );
  sig('attribute on KeyName', false, '<ds:KeyName>', '<ds:KeyName a="1">', [
    'xml-unknown-attribute',
    `${S}.KeyInfo.KeyName[0]@a`,
  ]);
  // The DxpMsg wrapper's signature is checked the same way.
  add(DXP_SIGNED, 'dxp', 'DxpMsg: Id on its KeyInfo', false, '<ds:KeyInfo>', '<ds:KeyInfo Id="ki">', [
    'xml-unknown-attribute',
    `${S}.KeyInfo@Id`,
  ]);
  add(
    DXP,
    'dxp',
    'DxpMsg: Data with padding bits left over (Pgp= for Pgo=)',
    false,
    'Pgo=</dxp:Data>',
    'Pgp=</dxp:Data>',
    ['xml-value', 'Data'],
  );
  add(
    DXP,
    'dxp',
    'DxpMsg: Id with white space around it (xs:ID collapses)',
    true,
    ' ver="1.0"',
    ' ver="1.0" Id=" a1 "',
  );
  // ExtendMessage's Message is ceb:XMLElement: element-only, at most one element of any name (xs:any, skip).
  const extend = (what: string, valid: boolean, message: string, issue?: Probe['issue']) =>
    add(
      CEB311,
      'import',
      `ExtendMessage: ${what}`,
      valid,
      '</ceb:BaseTransfer>',
      `</ceb:BaseTransfer><ceb:ExtendMessage><ceb:name>n</ceb:name><ceb:version>1</ceb:version><ceb:Message>${message}</ceb:Message></ceb:ExtendMessage>`,
      issue,
    );
  extend('one element', true, '<a x="1"><b>2</b></a>');
  extend('a CEB element', true, '<ceb:orderNo>1</ceb:orderNo>');
  extend('nothing', true, '');
  extend('white space around one element', true, '\n  <a/>\n');
  extend('text', false, 'hello', ['xml-unexpected-text', 'extendMessage.Message']);
  extend('two elements', false, '<a/><b/>', ['xml-too-many', 'extendMessage.Message']);
  return out;
}

describe('ds:Signature, ExtendMessage and base64 values: parseCebXml agrees with xmllint', () => {
  const cases = probes();
  let xsd: Map<string, boolean>;

  beforeAll(async () => {
    xsd = await xsdVerdicts(cases);
  }, 120_000);

  it('the messages changed validate unchanged, and xmllint gives the verdicts worked out by hand', async () => {
    const bases = await xsdVerdicts([
      { file: 'ceb621.xml', schema: 'import', xml: CEB621 },
      { file: 'ceb311.xml', schema: 'import', xml: CEB311 },
      { file: 'dxp.xml', schema: 'dxp', xml: DXP },
      { file: 'dxp-signed.xml', schema: 'dxp', xml: DXP_SIGNED },
    ]);
    expect([...bases.values()]).toEqual([true, true, true, true]);
    for (const xml of [CEB621, CEB311, DXP, DXP_SIGNED]) expect(refusals(parseCebXml(xml).issues)).toEqual([]);
    expect(cases.filter((c) => xsd.get(c.file) !== c.valid).map((c) => c.what)).toEqual([]);
  });

  it('sandan refuses exactly what xmllint refuses, with one issue at the thing changed', () => {
    const wrong: string[] = [];
    for (const c of cases) {
      const got = refusals(parseCebXml(c.xml).issues).map((i) => [i.code, i.path]);
      const want = xsd.get(c.file) ? [] : [c.issue];
      if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${c.what}: ${JSON.stringify(got)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('ExtendMessage keeps its Message as written', () => {
    const c = cases.find((x) => x.what === 'ExtendMessage: one element')!;
    const msg = parseCebXml(c.xml);
    expect(msg.kind === 'ceb' && msg.extendMessage).toEqual({
      name: 'n',
      version: '1',
      message: '<a x="1"><b>2</b></a>',
    });
  });
});
