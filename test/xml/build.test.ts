import { execFileSync } from 'node:child_process';
import { Decimal } from 'decimal.js';
import { create } from 'xmlbuilder2';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { Dec } from '../../src/model/primitives.js';
import {
  BUILDABLE,
  buildMessage,
  buildMessageTree,
  decimalText,
  parseCebXml,
  serializeXml,
  type BuildableType,
  type XNode,
  wrapDxp,
} from '../../src/xml/index.js';
import { expectGolden } from '../helpers/cli.js';
import {
  documentFixtures,
  exampleDeclaration,
  fixedEnv,
  SENDER,
  validateAgainstXsd,
  withPlaceholderSignature,
} from './helpers.js';

const opts = () => ({ ...fixedEnv(), sender: SENDER });

function build(type: BuildableType, doc: unknown): string {
  const r = buildMessage(type, doc as never, opts());
  if (!r.ok) throw new Error(JSON.stringify(r.issues, null, 2));
  return r.xml;
}

function allBuilds(): Array<[BuildableType, string]> {
  const out: Array<[BuildableType, string]> = [];
  for (const name of ['hangzhou-1210', 'guangzhou-9610'] as const) {
    const d = exampleDeclaration(name);
    out.push(
      ['CEB311', build('CEB311', d.order)],
      ['CEB411', build('CEB411', d.payment)],
      ['CEB511', build('CEB511', d.logistics)],
      ['CEB621', build('CEB621', d.inventory)],
    );
  }
  const f = documentFixtures();
  for (const type of ['CEB513', 'CEB623', 'CEB625', 'CEB711', 'CEB303', 'CEB505', 'CEB603'] as const)
    out.push([type, build(type, f[BUILDABLE[type].key])]);
  return out;
}

describe('every built message is valid against the official XSDs', () => {
  const builds = allBuilds();
  it.each(builds.map(([t, xml], i) => [`${t} #${i}`, t, xml] as const))(
    '%s',
    async (_label, type, xml) => {
      const info = BUILDABLE[type];
      const candidate = info.signatureRequired ? withPlaceholderSignature(xml) : xml;
      const r = await validateAgainstXsd(candidate, info.schema === 'import' ? 'ceb-import.xsd' : 'ceb-export.xsd');
      expect(r.errors).toEqual([]);
      expect(r.valid).toBe(true);
    },
    30_000,
  );

  it('an unsigned CEB621 fails the XSD exactly for the missing Signature (the signing step adds it)', async () => {
    const xml = build('CEB621', exampleDeclaration('hangzhou-1210').inventory);
    const r = await validateAgainstXsd(xml, 'ceb-import.xsd');
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toMatch(/Missing child element\(s\)\. Expected is one of .*Signature/);
  });

  it('a CEB311 with 100 orders is valid; 101 is refused', async () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    const many = Array.from({ length: 100 }, (_, i) => ({ ...order, orderNo: `SD${i}` }));
    const r = buildMessage('CEB311', many, opts());
    expect(r.ok).toBe(true);
    expect((await validateAgainstXsd(r.xml!, 'ceb-import.xsd')).valid).toBe(true);
    expect(() => buildMessage('CEB311', [...many, order], opts())).toThrow(
      /at most 100 documents per message, got 101/,
    );
  }, 30_000);
});

describe('golden XML of the examples (fixed clock and ids)', () => {
  for (const name of ['hangzhou-1210', 'guangzhou-9610'] as const) {
    it(name, () => {
      const d = exampleDeclaration(name);
      const docs = { CEB311: d.order, CEB411: d.payment, CEB511: d.logistics, CEB621: d.inventory } as const;
      for (const [type, doc] of Object.entries(docs))
        expectGolden(`${build(type as BuildableType, doc)}\n`, `xml/${name}.${type}.xml`);
    });
  }
});

describe('envelope and values', () => {
  it('fills guid, appType, appTime (Beijing time), appStatus and BaseTransfer; root guid differs from the document guid', () => {
    const order = { ...exampleDeclaration('hangzhou-1210').order, appTime: undefined };
    const xml = build('CEB311', order);
    expect(xml).toContain(
      '<ceb:CEB311Message guid="00000000-0000-4000-8000-000000000001" version="1.0" xmlns:ceb="http://www.chinaport.gov.cn/ceb">',
    );
    expect(xml).toContain('<ceb:guid>00000000-0000-4000-8000-000000000002</ceb:guid>');
    expect(xml).toContain(
      '<ceb:appType>1</ceb:appType>\n      <ceb:appTime>20261120101500</ceb:appTime>\n      <ceb:appStatus>2</ceb:appStatus>',
    );
    expect(xml).toMatch(
      /<ceb:BaseTransfer>\s*<ceb:copCode>3301964J31<\/ceb:copCode>\s*<ceb:copName>杭州示例跨境电商平台有限公司<\/ceb:copName>\s*<ceb:dxpMode>DXP<\/ceb:dxpMode>\s*<ceb:dxpId>DXPENT0000012345<\/ceb:dxpId>\s*<\/ceb:BaseTransfer>\s*<\/ceb:CEB311Message>$/,
    );
  });

  it('a whole declaration given for one of its documents is misuse that names the document to pass', () => {
    const declaration = exampleDeclaration('hangzhou-1210');
    for (const [type, key] of [
      ['CEB621', 'inventory'],
      ['CEB311', 'order'],
    ] as const) {
      // (before, 30 field-required errors and "inventory.order: did you mean orderNo?")
      expect(() => buildMessage(type, declaration as never, opts())).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: `${type} is built from ${key} documents, got an object that holds one (a whole declaration?): pass its ${key}, e.g. parseDeclaration(json).data.${key}`,
        }),
      );
      // in a list too, and checkDocuments says the same
      expect(() => buildMessage(type, [declaration[key], declaration] as never, opts())).toThrow(/whole declaration/);
    }
    // A document with an extension field of another document's name is not one.
    expect(buildMessage('CEB311', { ...declaration.order, inventory: {} } as never, opts()).ok).toBe(true);
  });

  it('options override appType/appStatus/appTime; a lower-case id is upper-cased; subscribers follow BaseTransfer', () => {
    const r = buildMessage('CEB411', exampleDeclaration('hangzhou-1210').payment, {
      now: () => new Date(0),
      newId: () => 'abcdef00-0000-4000-8000-00000000000a',
      sender: { ...SENDER, dxpMode: undefined },
      appType: '2',
      appStatus: '1',
      appTime: '20261231235959',
      subscribers: [{ status: 'RET', dxpAddress: 'DXPENT0000099999' }],
    });
    expect(r.xml).toContain('guid="ABCDEF00-0000-4000-8000-00000000000A"');
    expect(r.xml).toContain(
      '<ceb:appType>2</ceb:appType>\n      <ceb:appTime>20261231235959</ceb:appTime>\n      <ceb:appStatus>1</ceb:appStatus>',
    );
    expect(r.xml).toMatch(
      /<\/ceb:BaseTransfer>\s*<ceb:BaseSubscribe>\s*<ceb:status>RET<\/ceb:status>\s*<ceb:dxpMode>DXP<\/ceb:dxpMode>\s*<ceb:dxpAddress>DXPENT0000099999<\/ceb:dxpAddress>/,
    );
  });

  it('writes decimals exactly, without float artefacts or exponents', () => {
    expect(decimalText(new Dec('0.1').plus('0.2'))).toBe('0.3');
    expect(decimalText(new Decimal('1e-5'))).toBe('0.00001');
    expect(decimalText(new Dec('12345678901234.12345'))).toBe('12345678901234.12345');
    expect(decimalText(0.1 + 0.2)).toBe('0.30000000000000004');
    const inv = exampleDeclaration('hangzhou-1210').inventory!;
    inv.items[0]!.qty1 = new Dec('0.1').plus(new Dec('0.2'));
    expect(build('CEB621', inv)).toContain('<ceb:qty1>0.3</ceb:qty1>');
  });

  it('escapes & < > in text and keeps Chinese as UTF-8; writes no empty optional elements', () => {
    const xml = build('CEB623', documentFixtures().invtCancel);
    expect(xml).toContain('<ceb:reason>买家取消订单 &lt;退款&gt; &amp; 关闭</ceb:reason>');
    expect(xml).not.toMatch(/<ceb:\w+\/>|<ceb:(\w+)><\/ceb:\1>/);
    expect(xml).not.toContain('<ceb:preNo>');
    expect(xml).not.toContain('<!--');
  });

  it('puts children in XSD order whatever the key order of the input', () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    const shuffled = Object.fromEntries(Object.entries(order).reverse());
    expect(build('CEB311', shuffled)).toBe(build('CEB311', order));
  });

  it('bad documents are a result with paths and bilingual messages, not an exception', () => {
    const inv = {
      ...exampleDeclaration('hangzhou-1210').inventory!,
      customsCode: '29',
      note: 'bad\u0001char',
    } as Record<string, unknown>;
    delete inv.orderNo;
    const r = buildMessage('CEB621', inv as never, opts());
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.code}@${i.path}`).sort()).toEqual([
      'field-format@inventory.customsCode',
      'field-required@inventory.orderNo',
      'xml-invalid-char@inventory.note',
    ]);
    expect(r.issues[0]!.message.zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('a value nested 20,000 deep is a field-type issue, not a stack overflow', () => {
    // (the forbidden-character walk recursed into it: RangeError, found by the buildMessage fuzzing)
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const bad = '\u0001';
    const r = buildMessage(
      'CEB311',
      { ...exampleDeclaration('hangzhou-1210').order, appTime: deep, note: bad } as never,
      opts(),
    );
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.code}@${i.path}`).sort()).toEqual([
      'field-type@order.appTime',
      'xml-invalid-char@order.note',
    ]);
    const line = { ...exampleDeclaration('hangzhou-1210').order!.items![0], itemName: [[[[bad]]]] };
    const lines = buildMessage(
      'CEB311',
      { ...exampleDeclaration('hangzhou-1210').order, items: [line] } as never,
      opts(),
    );
    expect(lines.issues.map((i) => `${i.code}@${i.path}`)).toContain('field-type@order.items[0].itemName');
  });

  it('reports unknown fields as warnings and still builds', () => {
    const r = buildMessage(
      'CEB511',
      { ...exampleDeclaration('hangzhou-1210').logistics, colour: 'red' } as never,
      opts(),
    );
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([
      expect.objectContaining({ code: 'unknown-field', severity: 'warning', path: 'logistics.colour' }),
    ]);
  });

  it("an unknown field's warning names the field it was most likely meant to be", () => {
    const { logisticsNo, ...logistics } = exampleDeclaration('hangzhou-1210').logistics;
    const r = buildMessage('CEB511', { ...logistics, logisticsNO: logisticsNo } as never, opts());
    expect(r.issues.find((i) => i.code === 'unknown-field')!.message).toEqual({
      zh: '未知字段 logisticsNO（logistics.logisticsNO）：报文中没有此字段，不会写入；是否应为 logisticsNo？',
      en: 'Unknown field logistics.logisticsNO: the message has no such element, so it is not written; did you mean logisticsNo?',
    });
  });

  it('counts the sender profile in characters: a copName of 100 CJK Extension B characters (200 units) is built', () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    const copName = '𠀀'.repeat(100);
    const r = buildMessage('CEB311', order, { ...fixedEnv(), sender: { ...SENDER, copName } });
    expect(r.xml).toContain(`<ceb:copName>${copName}</ceb:copName>`);
    expect(() =>
      buildMessage('CEB311', order, { ...fixedEnv(), sender: { ...SENDER, copName: `${copName}x` } }),
    ).toThrow(/copName must be a string of 1 to 100 characters/);
  });

  it('refuses a sender profile or DxpMsg value XML cannot carry, as it refuses such text in a document', () => {
    // Written as given, U+0000 or U+FFFE made a message (exit 0 from sandan build) that no XML reader takes.
    const order = exampleDeclaration('hangzhou-1210').order;
    for (const [field, value, why] of [
      ['copName', 'a\u0000b', 'character U+0000 is not allowed in XML'],
      ['copCode', '33\u0001', 'character U+0001 is not allowed in XML'],
      ['dxpId', 'a\uFFFEb', 'character U+FFFE is not allowed in XML'],
      ['note', 'x\uDC00', 'a lone surrogate U+DC00 is not a character (the text is not proper Unicode)'],
    ] as const)
      expect(() => buildMessage('CEB311', order, { ...fixedEnv(), sender: { ...SENDER, [field]: value } })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION', message: `sender.${field}: ${why}` }),
      );
    const xml = buildMessage('CEB311', order, opts()).xml!;
    const wrap = (o: object) => () => wrapDxp(xml, { ...fixedEnv(), senderId: 'DXPENT0000012345', ...o });
    expect(wrap({ senderId: 'a\uFFFEb' })).toThrow('senderId: character U+FFFE is not allowed in XML');
    expect(wrap({ copMsgId: '\u0000' })).toThrow('copMsgId: character U+0000 is not allowed in XML');
    expect(wrap({ receiverIds: ['\uFFFF'] })).toThrow('receiverId: character U+FFFF is not allowed in XML');
    // Misuse that was a TypeError (reading 'length' of undefined, receiverIds.map).
    for (const o of [{ senderId: undefined }, { senderId: null }, { receiverIds: [null] }, { receiverIds: 'abc' }])
      expect(wrap(o)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('misuse throws SandanError INVALID_OPTION', () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    const cases: Array<[() => unknown, RegExp]> = [
      [
        () => buildMessage('CEB311', order, { ...fixedEnv(), sender: { copCode: 'X' } as never }),
        /lacks copName, dxpId/,
      ],
      [
        () => buildMessage('CEB311', order, { ...fixedEnv(), sender: { ...SENDER, dxpMode: 'DX' } }),
        /dxpMode must be a string of exactly 3/,
      ],
      // Two characters in three UTF-16 units: the XSD counts characters (xmllint refused the message built).
      [
        () => buildMessage('CEB311', order, { ...fixedEnv(), sender: { ...SENDER, dxpMode: 'D😀' } }),
        /dxpMode must be a string of exactly 3/,
      ],
      [() => buildMessage('CEB311', order, { ...opts(), guid: `${'0'.repeat(34)}😀` }), /guid must have 36 characters/],
      [
        () => buildMessage('CEB311', order, { now: () => new Date(), newId: () => 'nope', sender: SENDER }),
        /newId\(\) must return a UUID/,
      ],
      [
        () => buildMessage('CEB999' as 'CEB311', order, opts()),
        /buildMessage: the message type must be one of CEB311, .*, got CEB999/,
      ],
      [() => buildMessage('CEB311', [], opts()), /at least one document/],
      [
        () => buildMessage('CEB711', [documentFixtures().delivery, documentFixtures().delivery] as never, opts()),
        /at most 1 document per message/,
      ],
    ];
    for (const [fn, msg] of cases) {
      try {
        fn();
        expect.unreachable(String(msg));
      } catch (e) {
        expect(isSandanError(e) && e.code).toBe('INVALID_OPTION');
        expect((e as Error).message).toMatch(msg);
      }
    }
  });

  it('builds the same bytes in every host time zone', () => {
    const outputs = ['UTC', 'America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati'].map((tz) =>
      execFileSync('npx', ['tsx', 'test/fixtures/xml/tz-build.ts'], {
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      }),
    );
    expect(outputs[0]).toContain('<ceb:appTime>20261121073000</ceb:appTime>');
    expect(outputs[0]).toContain('"creatTime":"2026-11-21T07:30:00"');
    for (const o of outputs) expect(o).toBe(outputs[0]);
  }, 60_000);
});

describe('serializer', () => {
  function viaXmlbuilder2(node: XNode): string {
    const doc = create({ version: '1.0', encoding: 'UTF-8' });
    const add = (parent: ReturnType<typeof create>, n: XNode) => {
      const el = parent.ele(n.name, Object.fromEntries(n.attrs ?? []));
      if (n.children?.length) for (const c of n.children) add(el, c);
      else if (n.text) el.txt(n.text);
    };
    add(doc, node);
    return doc.end({ prettyPrint: true });
  }

  it('writes the same bytes as xmlbuilder2 for every built message', () => {
    const d = exampleDeclaration('guangzhou-9610');
    d.order.note = 'a & b < c > d "q" \'s\' ]]> 中文\n第二行\t制表';
    for (const [type, doc] of [
      ['CEB311', d.order],
      ['CEB621', d.inventory],
    ] as const) {
      const tree = buildMessageTree(type, [doc] as never, opts());
      expect(serializeXml(tree)).toBe(viaXmlbuilder2(tree));
    }
  });

  it('escapes CR so that it survives a parser round trip', () => {
    const d = exampleDeclaration('hangzhou-1210');
    d.order.note = 'line1\r\nline2';
    const xml = build('CEB311', d.order);
    expect(xml).toContain('line1&#xD;\nline2');
    const parsed = parseCebXml(xml);
    expect(parsed.kind === 'ceb' && parsed.documents[0]!.note).toBe('line1\r\nline2');
  });
});
