// Messages other projects published (test/fixtures/outside/README.md), signed by another implementation: xmlsec1
// fills in a signature template written the ways other signers lay one out (another prefix for the XML-Signature
// namespace, or none; SignedInfo pretty-printed; a C14N transform after the enveloped one; rsa-sha256; no KeyName),
// over the message as published and as other writers carry it (a BOM, CRLF, the CEB namespace as the default one,
// comments, CDATA and character references). sandan must verify exactly what xmlsec1 verifies, and refuse a copy
// edited after signing as xmlsec1 does. The one difference is a canonicalisation the spec does not allow: the spec
// fixes CanonicalizationMethod to inclusive C14N 1.0 (海关总署《海关跨境电商统一版系统企业对接报文规范（202205版）》, its
// signature section; see test/fixtures/ceb-spec/README.md), and xmlsec1 takes exclusive C14N too.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCebXml, verifyMessage } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { makeKeys, put, type TestKeys, xmlsec1, xmlsec1SignRsa } from '../sign/helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/outside/', import.meta.url));
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

/** The published message, its own signature (if any) removed: the signature below is xmlsec1's. */
function unsigned(file: string): string {
  return readFileSync(`${DIR}${file}`, 'utf8')
    .replace(/^\uFEFF/, '')
    .replace(/\s*<ds:Signature[\s\S]*<\/ds:Signature>/, '');
}

interface Layout {
  /** The XML-Signature namespace's prefix; '' declares it as the default namespace on Signature. */
  prefix?: string;
  pretty?: boolean;
  c14n?: string;
  /** Transforms after the enveloped-signature one. */
  after?: string[];
  sha256?: boolean;
  keyName?: boolean;
}

/** An enveloped-signature template for xmlsec1 --sign, laid out as `l` says. */
function template(l: Layout): string {
  const p = l.prefix ?? 'ds';
  const q = p ? `${p}:` : '';
  const n = l.pretty ? '\n  ' : '';
  const [method, digest] = l.sha256
    ? ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmlenc#sha256']
    : [`${DS}rsa-sha1`, `${DS}sha1`];
  const transforms = [`${DS}enveloped-signature`, ...(l.after ?? [])]
    .map((a) => `<${q}Transform Algorithm="${a}"/>`)
    .join(n);
  return [
    `<${q}Signature ${p ? `xmlns:${p}` : 'xmlns'}="${DS}">`,
    `<${q}SignedInfo>`,
    `<${q}CanonicalizationMethod Algorithm="${l.c14n ?? C14N}"/>`,
    `<${q}SignatureMethod Algorithm="${method}"/>`,
    `<${q}Reference URI="">`,
    `<${q}Transforms>${transforms}</${q}Transforms>`,
    `<${q}DigestMethod Algorithm="${digest}"/>`,
    `<${q}DigestValue/>`,
    `</${q}Reference>`,
    `</${q}SignedInfo>`,
    `<${q}SignatureValue/>`,
    `<${q}KeyInfo>${l.keyName === false ? '' : `<${q}KeyName>0001</${q}KeyName>`}<${q}X509Data><${q}X509Certificate/></${q}X509Data></${q}KeyInfo>`,
    `</${q}Signature>`,
  ].join(n);
}

/** The message forms other writers produce from the same published text. */
const FORMS: Record<string, (xml: string) => string> = {
  'as published': (x) => x,
  'with a BOM': (x) => `\uFEFF${x}`,
  // (349542410-project's files have CRLF line ends: they get LF)
  'with the other line ends (LF, CRLF)': (x) =>
    x.includes('\r\n') ? x.replace(/\r\n/g, '\n') : x.replace(/\n/g, '\r\n'),
  'the CEB namespace as the default one': (x) => x.replace(/(<\/?)ceb:/g, '$1').replace(/xmlns:ceb=/g, 'xmlns='),
  'comments, CDATA and character references': (x) =>
    x
      .replace(/(<ceb:CEB\d{3}Message[^>]*>)/, '$1<!-- written by another system -->')
      .replace(/<ceb:guid>(.)/, (_, c: string) => `<ceb:guid>&#${c.codePointAt(0)};`)
      .replace(/<ceb:(ebpName|copName)>([^<]+)</, (_, el: string, t: string) => `<ceb:${el}><![CDATA[${t}]]><`),
};

const LAYOUTS: Record<string, Layout> = {
  'ds: as the spec writes it': {},
  'dsig: prefix': { prefix: 'dsig' },
  'the XML-Signature namespace as the default one': { prefix: '' },
  'SignedInfo pretty-printed, rsa-sha256, dsig: prefix': { prefix: 'dsig', pretty: true, sha256: true },
  'a C14N transform after the enveloped one': { after: [C14N] },
  'a C14N-with-comments transform after the enveloped one': { after: [`${C14N}#WithComments`] },
  'no KeyName, the certificate only': { keyName: false },
};

const MESSAGES = [
  'baishaok-haiguan/CEB311Message.xml',
  'weasley-chinaport/CEB621Message-2018.xml',
  '349542410-project/CEB623Message_sign.xml',
  'weasley-chinaport/CEB303-export-67622.xml',
];

describe.skipIf(skipWithout('openssl') || skipWithout('xmlsec1'))(
  'outside corpus, signed by xmlsec1 in the layouts other signers use',
  () => {
    let keys: TestKeys;
    beforeAll(() => {
      needTool('xmlsec1');
      keys = makeKeys();
    });
    afterAll(() => keys?.cleanup());
    let n = 0;

    /** xmlsec1 signs `xml` (a template inside): the file it wrote. */
    function signWithXmlsec1(xml: string, l: Layout): string {
      const end = xml.lastIndexOf('</');
      const tmpl = put(keys, `t${++n}.xml`, `${xml.slice(0, end)}${template(l)}${xml.slice(end)}`);
      const r = xmlsec1SignRsa(keys, tmpl, `s${n}.xml`);
      expect(r.status, r.out).toBe(0);
      return r.path;
    }
    const xmlsecVerifies = (file: string) =>
      xmlsec1(['--verify', '--trusted-pem', keys.path('rsa.crt'), file]).status === 0;

    const cases = MESSAGES.flatMap((file) => [
      ...Object.keys(LAYOUTS).map((layout) => [file, 'as published', layout] as const),
      ...Object.keys(FORMS)
        .filter((f) => f !== 'as published')
        .map((form) => [file, form, 'SignedInfo pretty-printed, rsa-sha256, dsig: prefix'] as const),
    ]);

    it.each(cases)(
      '%s, %s, %s: sandan verifies it as xmlsec1 does, and refuses an edited copy',
      async (file, form, layout) => {
        const xml = FORMS[form]!(unsigned(file));
        if (form !== 'as published') expect(xml).not.toBe(unsigned(file));
        const signedFile = signWithXmlsec1(xml, LAYOUTS[layout]!);
        expect(xmlsecVerifies(signedFile)).toBe(true);
        // The file as xmlsec1 wrote it (its bytes: a BOM, CRLF), through the command line.
        const r = await runCli(['verify', '--cert', keys.path('rsa.crt'), signedFile]);
        expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
        const signed = readFileSync(signedFile, 'utf8');
        expect(verifyMessage(signed, { trustedCertificates: [keys.text('rsa.crt')] })).toMatchObject({ valid: true });
        // Still a message parse reads (the signature is the root's last child, as the XSD wants it).
        const parsed = parseCebXml(signed);
        expect(parsed.kind).toBe('ceb');
        // One character of the first orderNo/copNo/invtNo/guid changed after signing: both refuse it.
        const edited = signed.replace(
          /(<(?:ceb:)?(?:orderNo|copNo|guid)>)([^<])/,
          (_, tag: string, c: string) => `${tag}${c === '9' ? '8' : '9'}`,
        );
        expect(edited).not.toBe(signed);
        expect(xmlsecVerifies(put(keys, `e${n}.xml`, edited))).toBe(false);
        expect(verifyMessage(edited, { trustedCertificates: [keys.text('rsa.crt')] })).toMatchObject({
          valid: false,
          reason: 'digest-mismatch',
        });
      },
    );

    it('exclusive C14N: xmlsec1 verifies it, sandan refuses it (algorithm-not-allowed), since the spec fixes C14N 1.0', () => {
      for (const l of [{ c14n: EXC_C14N }, { after: [EXC_C14N] }]) {
        const signedFile = signWithXmlsec1(unsigned(MESSAGES[0]!), l);
        expect(xmlsecVerifies(signedFile)).toBe(true);
        const v = verifyMessage(readFileSync(signedFile, 'utf8'), { trustedCertificates: [keys.text('rsa.crt')] });
        expect(v.valid).toBe(false);
        if (!v.valid) expect(v.reason).toBe(l.c14n ? 'algorithm-not-allowed' : 'transform-not-allowed');
      }
    });
  },
);
