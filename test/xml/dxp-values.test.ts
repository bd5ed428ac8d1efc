// The DxpMsg wrapper's values against dxp-terminal.xsd, with xmllint as the oracle: the lengths of CopMsgId,
// SenderId, ReceiverId and MsgType (in characters), at most five ReceiverIds, and CreatTime as an xs:dateTime.
// Each probe changes one value of a DxpMsg that wrapDxp wrote, just inside or just outside its bound.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMessage, unwrapDxp, wrapDxp } from '../../src/xml/index.js';
import { type XsdFile, xsdVerdicts } from './generated-messages.js';
import { exampleDeclaration, fixedEnv, SENDER } from './helpers.js';

const built = buildMessage('CEB311', exampleDeclaration('hangzhou-1210').order, { ...fixedEnv(), sender: SENDER });
const BASE = wrapDxp(built.xml!, { ...fixedEnv(), senderId: 'DXPENT0000012345' });
const ASTRAL = '𠀀'; // one character, two UTF-16 units

interface Probe extends XsdFile {
  what: string;
  /** The path of the one error sandan gives when it refuses the probe. */
  path: string;
  /** Its code, when not `xml-value`. */
  code?: string;
}

/** BASE with the text of the first `<name>` replaced. */
function withText(name: string, text: string): string {
  const out = BASE.replace(new RegExp(`<${name}>[^<]*</${name}>`), `<${name}>${text}</${name}>`);
  expect(out).not.toBe(BASE);
  return out;
}

/** dxp-terminal.xsd's bounds, read off the XSD by hand: element, the path of its issue, minLength, maxLength. */
const LENGTHS: Array<[string, string, number, number]> = [
  ['CopMsgId', 'TransInfo.CopMsgId', 1, 255],
  ['SenderId', 'TransInfo.SenderId', 1, 16],
  ['ReceiverId', 'TransInfo.ReceiverIds.ReceiverId[0]', 1, 16],
  ['MsgType', 'TransInfo.MsgType', 0, 30],
];

function probes(): Probe[] {
  const out: Probe[] = [];
  const add = (what: string, path: string, xml: string, code?: string) =>
    out.push({ file: `dxp-${out.length}.xml`, schema: 'dxp', what, path, xml, code });
  for (const [name, path, min, max] of LENGTHS) {
    for (const [label, ch] of [
      ['ascii', 'A'],
      ['cjk', '单'],
      ['astral', ASTRAL],
    ] as const) {
      add(`${name} ${max} ${label}`, path, withText(name, ch.repeat(max)));
      add(`${name} ${max + 1} ${label}`, path, withText(name, ch.repeat(max + 1)));
    }
    if (min > 0) add(`${name} ${min}`, path, withText(name, 'A'.repeat(min)));
    // White space is part of an xs:string: 17 spaces are 17 characters.
    add(`${name} ${max + 1} spaces`, path, withText(name, ' '.repeat(max + 1)));
  }
  const receivers = (n: number) =>
    BASE.replace(
      /<ReceiverIds>[\s\S]*?<\/ReceiverIds>/,
      `<ReceiverIds>${Array.from({ length: n }, (_, i) => `<ReceiverId>DXPEDCCEB000000${i}</ReceiverId>`).join('')}</ReceiverIds>`,
    );
  add('5 receivers', 'TransInfo.ReceiverIds.ReceiverId', receivers(5));
  add('6 receivers', 'TransInfo.ReceiverIds.ReceiverId', receivers(6), 'xml-too-many');
  for (const t of [
    '2026-12-01T10:00:00',
    '2026-12-01T10:00:00.123',
    '2026-12-01T10:00:00Z',
    '2026-12-01T10:00:00+08:00',
    '2026-12-01T10:00:00-14:00',
    '2026-12-01T10:00:00+14:01',
    '2026-12-01T10:00:00+15:00',
    '2024-02-29T00:00:00',
    '2023-02-29T00:00:00',
    '2026-04-31T00:00:00',
    '2026-13-01T00:00:00',
    '2026-00-10T00:00:00',
    '2026-12-01T23:59:59',
    '2026-12-01T10:60:00',
    '2026-12-01T10:00:60',
    '2026-12-01T25:00:00',
    '2026-12-01 10:00:00',
    '20261201100000',
    '2026-12-01',
    '2026-12-01T10:00',
    '12026-12-01T10:00:00',
    '02026-12-01T10:00:00',
    '0000-12-01T10:00:00',
    '-2026-12-01T10:00:00',
    // Not XML white space: U+3000 and NBSP are characters of the value, which then is no date-time.
    '\u30002026-12-01T10:00:00',
    '2026-12-01T10:00:00\u00a0',
  ])
    add(`CreatTime ${JSON.stringify(t)}`, 'TransInfo.CreatTime', withText('CreatTime', t));
  return out;
}

describe("a DxpMsg's TransInfo values: unwrapDxp agrees with xmllint and dxp-terminal.xsd", () => {
  const cases = probes();
  let xsd: Map<string, boolean>;

  beforeAll(async () => {
    xsd = await xsdVerdicts(cases);
  }, 120_000);

  it('xmllint gives the verdicts worked out by hand from the XSD', () => {
    const refused = new Set(cases.filter((c) => !xsd.get(c.file)).map((c) => c.what));
    // Over a bound by one, in any script, is refused; at the bound it is accepted.
    for (const [name, , , max] of LENGTHS) {
      for (const label of ['ascii', 'cjk', 'astral']) {
        expect(refused.has(`${name} ${max} ${label}`)).toBe(false);
        expect(refused.has(`${name} ${max + 1} ${label}`)).toBe(true);
      }
    }
    expect(refused.has('6 receivers')).toBe(true);
    expect(refused.has('5 receivers')).toBe(false);
    expect(refused.has('CreatTime "2026-12-01T10:00:00+08:00"')).toBe(false);
    expect(refused.has('CreatTime "2023-02-29T00:00:00"')).toBe(true);
    expect(refused.has('CreatTime "20261201100000"')).toBe(true);
    expect(refused.has('CreatTime "\u30002026-12-01T10:00:00"')).toBe(true);
  });

  it('reads a CreatTime with white space around it as the XSD does (xs:dateTime collapses it), where xmllint refuses', () => {
    // libxml2 2.9.14 refuses white space around a dateTime (and an int); XML Schema 1.0 gives both whiteSpace
    // collapse, so the value is the date and time. sandan follows the spec; which way customs' validator goes is
    // not documented.
    const env = unwrapDxp(withText('CreatTime', ' 2026-12-01T10:00:00 '));
    expect(env.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(env.transInfo.creatTime).toBe('2026-12-01T10:00:00');
  });

  it('reads what the issues say it read: the first ReceiverIds up to five, the Keys of a BizKey, the first ds:SignatureValue', () => {
    // The envelope is read from what its check went into; before, it was read from a tree of everything, and took
    // the seventh receiver, an unknown element of BizKey, or the second SignatureValue the issues said were left out.
    const ids = Array.from({ length: 7 }, (_, i) => `<ReceiverId>R${i}</ReceiverId>`).join('');
    const sig =
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/><ds:SignatureValue>QQ==</ds:SignatureValue>' +
      '<ds:SignatureValue>Qg==</ds:SignatureValue></ds:Signature>';
    const xml = BASE.replace(/<ReceiverIds>[\s\S]*<\/ReceiverIds>/, `<ReceiverIds>${ids}</ReceiverIds>`).replace(
      '</DxpMsg>',
      `<AddInfo><BizKey><Key name="a">v</Key><Other>w</Other></BizKey></AddInfo>${sig}</DxpMsg>`,
    );
    const env = unwrapDxp(xml);
    expect(env.transInfo.receiverIds).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
    expect(env.addInfo?.bizKey).toEqual([{ name: 'a', value: 'v' }]);
    expect(env.signature?.signatureValue).toBe('QQ==');
    expect(env.issues.map((i) => `${i.code} ${i.path}`)).toContain('xml-duplicate-element Signature.SignatureValue');
  });

  it.each(cases.map((c) => [c.what, c] as const))('%s', (_, c) => {
    const env = unwrapDxp(c.xml);
    const errors = env.issues.filter((i) => i.severity === 'error');
    if (xsd.get(c.file)) expect(errors).toEqual([]);
    else {
      expect(errors.map((i) => [i.code, i.path])).toEqual([[c.code ?? 'xml-value', c.path]]);
      expect(errors[0]!.message.zh).toContain(c.path);
      expect(errors[0]!.message.en).toContain(c.path);
    }
  });
});

describe('a DxpMsg whose Data is not UTF-8', () => {
  it('names the first byte that is not and what the bytes look like: GBK, as Java writes getBytes() on a Chinese server', () => {
    // An integrator's Java wraps the message as Base64.encodeBase64String(signStr.getBytes()), in the platform's
    // charset: GBK on a Chinese Windows server. The issue said only that Data is not UTF-8. 新增申报成功 in GBK:
    const gbk = Buffer.from('d0c2d4f6c9eab1a8b3c9b9a6', 'hex');
    const receipt = Buffer.concat([
      Buffer.from(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" ' +
          'guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0">\n<OrderReturn><returnInfo>',
      ),
      gbk,
      Buffer.from('</returnInfo></OrderReturn></CEB312Message>'),
    ]);
    const env = unwrapDxp(BASE.replace(/<Data>[^<]*<\/Data>/, `<Data>${receipt.toString('base64')}</Data>`));
    expect(env.payload).toBeUndefined();
    const data = env.issues.filter((i) => i.path === 'Data');
    expect(data.map((i) => [i.code, i.severity])).toEqual([['xml-value', 'error']]);
    expect(data[0]!.message).toEqual({
      zh: 'Data 解码后不是 UTF-8 文本：解码所得第 3 行第 26 列的字节 0xD0；看起来是 GB18030 (GBK) 编码',
      en: 'Data does not decode to UTF-8 text: in what it holds, byte 0xD0 at line 3, column 26; it looks like GB18030 (GBK)',
    });
  });
});
