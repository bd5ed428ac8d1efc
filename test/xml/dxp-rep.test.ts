// The exchange's response to a DxpMsg (DxpRep, dxp-terminal.xsd of the 2022-05 spec), with xmllint as the oracle: each
// probe changes one thing of a valid DxpRep. parseDxpRep reports what the XSD refuses (and nothing when it accepts) and
// reads every field; parseCebXml names parseDxpRep instead of calling the root unknown. No DxpRep written by another
// implementation was found (see test/fixtures/outside/README.md): the probes follow the XSD's fields, their values
// invented.
import { describe, expect, it } from 'vitest';
import { parseCebXml, parseDxpRep, refusedByFormatCheck } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { PLACEHOLDER_SIGNATURE, validateAgainstXsd } from './helpers.js';

const DXP = 'http://www.chinaport.gov.cn/dxp';
const ORI_HEAD =
  '<OriHead><CopMsgId>M1</CopMsgId><SenderId>DXPENT0000012345</SenderId><ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds><CreatTime>2026-11-20T12:00:01</CreatTime><MsgType>CEB311Message</MsgType></OriHead>';
const RESULT = '<Result><RecId>DXPEDCCEB0000002</RecId><Code>0</Code><Info>ok</Info><Note>n1</Note></Result>';
const response = (over: Partial<Record<string, string | null>> = {}) => {
  const parts: Record<string, string | null> = {
    NodeId: '<NodeId>00000002</NodeId>',
    ResponseCode: '<ResponseCode>0</ResponseCode>',
    ResponseInfo: '<ResponseInfo>received</ResponseInfo>',
    Results: `<Results>${RESULT}</Results>`,
    NoticeTime: '<NoticeTime>2026-11-20</NoticeTime>',
    Note: '<Note>n0</Note>',
    OriHead: ORI_HEAD,
    ...over,
  };
  return `<Response>${Object.values(parts)
    .filter((v) => v !== null)
    .join('')}</Response>`;
};
const rep = (body: string, attrs = ' ver="1.0"', ns = DXP) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<DxpRep xmlns="${ns}"${attrs}>${body}</DxpRep>`;
const HEAD = '<RecevierId>DXPENT0000012345</RecevierId><AdNodeId>00000001</AdNodeId>';

interface Probe {
  what: string;
  xml: string;
  /** The errors and XSD-refused warnings, as `code path`; none when the XSD accepts it. */
  refused: string[];
}

const PROBES: Probe[] = [
  { what: 'every field', xml: rep(HEAD + response()), refused: [] },
  {
    what: 'the required fields alone',
    xml: rep(
      `<RecevierId>DXPENT0000012345</RecevierId>${response({ NodeId: null, ResponseInfo: null, Results: null, Note: null })}`,
    ),
    refused: [],
  },
  {
    what: 'two responses',
    xml: rep(HEAD + response() + response({ ResponseCode: '<ResponseCode>1</ResponseCode>' })),
    refused: [],
  },
  { what: 'a ds:Signature', xml: rep(HEAD + response() + PLACEHOLDER_SIGNATURE), refused: [] },
  {
    what: 'NoticeTime with a zone',
    xml: rep(HEAD + response({ NoticeTime: '<NoticeTime>2026-11-20+08:00</NoticeTime>' })),
    refused: [],
  },
  {
    what: 'NoticeTime with a time (xs:date, not xs:dateTime)',
    xml: rep(HEAD + response({ NoticeTime: '<NoticeTime>2026-11-20T12:00:02</NoticeTime>' })),
    refused: ['xml-value Response[0].NoticeTime'],
  },
  {
    what: 'NoticeTime on 30 February',
    xml: rep(HEAD + response({ NoticeTime: '<NoticeTime>2026-02-30</NoticeTime>' })),
    refused: ['xml-value Response[0].NoticeTime'],
  },
  {
    what: 'an empty NoticeTime',
    xml: rep(HEAD + response({ NoticeTime: '<NoticeTime></NoticeTime>' })),
    refused: ['xml-value Response[0].NoticeTime'],
  },
  {
    what: 'ResponseCode of 10',
    xml: rep(HEAD + response({ ResponseCode: '<ResponseCode>1234567890</ResponseCode>' })),
    refused: ['xml-value Response[0].ResponseCode'],
  },
  {
    what: 'no ResponseCode',
    xml: rep(HEAD + response({ ResponseCode: null })),
    refused: ['xml-missing-element Response[0].ResponseCode'],
  },
  {
    what: 'no OriHead',
    xml: rep(HEAD + response({ OriHead: null })),
    refused: ['xml-missing-element Response[0].OriHead'],
  },
  {
    what: 'an OriHead without MsgType',
    xml: rep(HEAD + response({ OriHead: ORI_HEAD.replace('<MsgType>CEB311Message</MsgType>', '') })),
    refused: ['xml-missing-element Response[0].OriHead.MsgType'],
  },
  {
    what: 'Results without a Result',
    xml: rep(HEAD + response({ Results: '<Results></Results>' })),
    refused: ['xml-missing-element Response[0].Results.Result'],
  },
  { what: 'no Response', xml: rep(HEAD), refused: ['xml-missing-element Response'] },
  { what: 'no RecevierId', xml: rep(response()), refused: ['xml-missing-element RecevierId'] },
  {
    // The XSD spells it RecevierId; the English spelling is another element.
    what: 'ReceiverId for RecevierId',
    xml: rep(`<ReceiverId>DXPENT0000012345</ReceiverId>${response()}`),
    refused: ['xml-unknown-element DxpRep.ReceiverId', 'xml-missing-element RecevierId'],
  },
  {
    what: 'AdNodeId of 9',
    xml: rep(`<RecevierId>X</RecevierId><AdNodeId>123456789</AdNodeId>${response()}`),
    refused: ['xml-value AdNodeId'],
  },
  { what: 'ver 2.0', xml: rep(HEAD + response(), ' ver="2.0"'), refused: ['xml-value @ver'] },
  { what: 'no ver', xml: rep(HEAD + response(), ''), refused: ['xml-missing-attribute @ver'] },
];

describe('a DxpRep: parseDxpRep agrees with xmllint and dxp-terminal.xsd', () => {
  it.each(PROBES.map((p) => [p.what, p] as const))('%s', async (_, p) => {
    const r = parseDxpRep(p.xml);
    expect(r.issues.filter(refusedByFormatCheck).map((i) => `${i.code} ${i.path}`)).toEqual(p.refused);
    expect((await validateAgainstXsd(p.xml, 'dxp-terminal.xsd')).valid, 'xmllint').toBe(p.refused.length === 0);
  });

  it('reads every field, an absent optional leaf absent', () => {
    const twice = rep(
      HEAD +
        response() +
        response({
          NodeId: null,
          ResponseInfo: null,
          Results: null,
          Note: null,
          ResponseCode: '<ResponseCode> 2 </ResponseCode>',
        }),
    );
    expect(parseDxpRep(twice)).toEqual({
      kind: 'dxpRep',
      ver: '1.0',
      recevierId: 'DXPENT0000012345',
      adNodeId: '00000001',
      responses: [
        {
          nodeId: '00000002',
          responseCode: '0',
          responseInfo: 'received',
          results: [{ recId: 'DXPEDCCEB0000002', code: '0', info: 'ok', note: 'n1' }],
          noticeTime: '2026-11-20',
          note: 'n0',
          oriHead: {
            copMsgId: 'M1',
            senderId: 'DXPENT0000012345',
            receiverIds: ['DXPEDCCEB0000002'],
            creatTime: '2026-11-20T12:00:01',
            msgType: 'CEB311Message',
          },
        },
        {
          responseCode: '2',
          results: [],
          noticeTime: '2026-11-20',
          oriHead: expect.objectContaining({ copMsgId: 'M1' }),
        },
      ],
      issues: [],
    });
    const signed = parseDxpRep(rep(HEAD + response() + PLACEHOLDER_SIGNATURE));
    expect(signed.signature).toBeDefined();
  });

  it('parseCebXml names parseDxpRep; parseDxpRep refuses any other root, and XML that is not well-formed', () => {
    const xml = rep(HEAD + response());
    expect(() => parseCebXml(xml)).toThrow(expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' }));
    expect(() => parseCebXml(xml)).toThrow('parseDxpRep reads it');
    // The details name the reader (sandan parse, status and a DxpMsg's Data go by them), for a prefixed root too, and
    // only for a DxpRep in the DXP namespace.
    const details = (text: string) => {
      try {
        parseCebXml(text);
      } catch (e) {
        return (e as { details?: unknown }).details;
      }
    };
    expect(details(xml)).toEqual({ root: 'DxpRep', namespace: DXP, readBy: 'parseDxpRep' });
    expect(
      details(xml.replace('<DxpRep xmlns=', '<dxp:DxpRep xmlns:dxp=').replace('</DxpRep>', '</dxp:DxpRep>')),
    ).toEqual({
      root: 'dxp:DxpRep',
      namespace: DXP,
      readBy: 'parseDxpRep',
    });
    const elsewhereDetails = details(rep(HEAD + response(), ' ver="1.0"', 'http://www.chinaport.gov.cn/ceb'));
    expect(elsewhereDetails).toEqual({ root: 'DxpRep', namespace: 'http://www.chinaport.gov.cn/ceb' });
    const other = rep(HEAD + response(), ' ver="1.0"', 'http://www.chinaport.gov.cn/ceb');
    expect(() => parseDxpRep(other)).toThrow(expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' }));
    expect(() => parseDxpRep(other)).toThrow(`Expected a DxpRep in namespace ${DXP}, got DxpRep in namespace`);
    expect(() => parseDxpRep(`<DxpMsg xmlns="${DXP}" ver="1.0"/>`)).toThrow('got DxpMsg');
    expect(() => parseDxpRep(`${rep(HEAD + response())}<x/>`)).toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED' }),
    );
    expect(() => parseDxpRep(`<x>${rep(HEAD)}`)).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    expect(() => parseDxpRep(Buffer.from(xml, 'utf8'))).not.toThrow();
    expect(() => parseDxpRep(xml, { maxBytes: 10 })).toThrow(expect.objectContaining({ code: 'XML_TOO_LARGE' }));
  });

  it('the hints of an unknown root name parseDxpRep, and parseDxpRep names parseCebXml for what that reads', () => {
    const unknown = `<DxpX xmlns="${DXP}"/>`;
    expect(() => parseCebXml(unknown)).toThrow(
      "it is no message of the 2022-05 import or export XSDs (sandan reads those, DxpMsg and DxpMsgSv; parseDxpRep reads the exchange's response to a DxpMsg, DxpRep)",
    );
    // A DxpRep in another namespace: the namespace it needs, not "no message".
    const elsewhere = rep(HEAD + response(), ' ver="1.0"', 'http://www.chinaport.gov.cn/ceb');
    expect(() => parseCebXml(elsewhere)).toThrow(
      `Unknown root element DxpRep in namespace http://www.chinaport.gov.cn/ceb (a DxpRep, the exchange's response to a DxpMsg, must be in namespace ${DXP}; parseDxpRep reads one)`,
    );
    expect(() => parseDxpRep(`<DxpMsg xmlns="${DXP}" ver="1.0"/>`)).toThrow(
      `Expected a DxpRep in namespace ${DXP}, got DxpMsg in namespace ${DXP}: parseCebXml reads it`,
    );
    expect(() => parseDxpRep('<CEB312Message xmlns="http://www.chinaport.gov.cn/ceb"/>')).toThrow(
      'got CEB312Message in namespace http://www.chinaport.gov.cn/ceb: parseCebXml reads it',
    );
    // A root parseCebXml reads with a warning gets the hint too: CEB816 for CEB816Message; one in no namespace
    // under the lenient option, and only then.
    expect(() => parseDxpRep('<CEB816 xmlns="http://www.chinaport.gov.cn/ceb"/>')).toThrow(
      'got CEB816 in namespace http://www.chinaport.gov.cn/ceb: parseCebXml reads it',
    );
    expect(() => parseDxpRep('<CEB311Message/>', { lenient: true })).toThrow(
      'got CEB311Message in no namespace: parseCebXml reads it',
    );
    expect(() => parseDxpRep('<CEB311Message/>')).toThrow(/got CEB311Message in no namespace$/);
    expect(() => parseDxpRep(unknown)).toThrow(new RegExp(`got DxpX in namespace ${DXP}$`));
  });

  it('a DxpRep in the Data of a DxpMsg is named, not read: no XSD carries one inside the other', async () => {
    const inner = rep(HEAD + response());
    const msg = `<DxpMsg xmlns="${DXP}" ver="1.0"><TransInfo><CopMsgId>X1</CopMsgId><SenderId>DXPEDCCEB0000002</SenderId><ReceiverIds><ReceiverId>DXPENT0000012345</ReceiverId></ReceiverIds><CreatTime>2026-11-20T12:00:02</CreatTime><MsgType>DxpRep</MsgType></TransInfo><Data>${Buffer.from(inner).toString('base64')}</Data></DxpMsg>`;
    // The envelope itself is valid: Data is xs:base64Binary, whatever it holds.
    expect((await validateAgainstXsd(msg, 'dxp-terminal.xsd')).valid, 'xmllint').toBe(true);
    const env = parseCebXml(msg);
    expect(env.kind === 'dxp' && env.message).toBe(undefined);
    expect(env.issues.map((i) => [i.code, i.severity, i.path, i.message.en])).toEqual([
      [
        'xml-nested-dxp',
        'error',
        'Data',
        "Data holds the exchange's response to a DxpMsg (a DxpRep), no CEB message: the exchange sends a DxpRep on its own, not inside a DxpMsg; decoded, parseDxpRep reads it",
      ],
    ]);
    const text = await runCli(['parse', '--format', 'text', '-'], msg);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('[xml-nested-dxp]');
    // Refused for what Data does not carry, not by the XSD, which takes the envelope.
    expect(text.stdout).toContain(
      "  海关格式校验会以 CEB900 退回此报文：Data 中没有可读的 CEB 报文（1 处问题）/ customs' format check would answer this message with a CEB900: its Data holds no CEB message to read (1 issue)\n",
    );
    expect(text.stdout).not.toContain('XSD');
  });

  it('sandan parse reads a DxpRep: text and JSON, exit 0, or 1 when the XSD refuses it', async () => {
    const text = await runCli(['parse', '--format', 'text', '-'], rep(HEAD + response()));
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      [
        '<stdin>: DxpRep RecevierId DXPENT0000012345, AdNodeId 00000001: 1 response',
        '  [1] ResponseCode 0 received, NodeId 00000002, NoticeTime 2026-11-20, Note n0',
        '      for CopMsgId M1, SenderId DXPENT0000012345, ReceiverIds DXPEDCCEB0000002, CreatTime 2026-11-20T12:00:01, MsgType CEB311Message',
        '      Result RecId DXPEDCCEB0000002, Code 0, Info ok, Note n1',
        '',
      ].join('\n'),
    );
    const json = await runCli(['parse', '-'], rep(HEAD + response()));
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(parseDxpRep(rep(HEAD + response())))));
    const dated = await runCli(
      ['parse', '--format', 'text', '-'],
      rep(HEAD + response({ NoticeTime: '<NoticeTime>2026-11-20T12:00:02</NoticeTime>' })),
    );
    expect(dated.code).toBe(1);
    expect(dated.stdout).toContain('[xml-value]');
    expect(dated.stdout).toContain('the exchange writes this response, yet the XSD refuses it (1 issue)');
    // Another root in the DXP namespace is still unknown.
    const other = await runCli(['parse', '-'], `<DxpX xmlns="${DXP}"/>`);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('XML_UNKNOWN_ROOT');
  });
});
