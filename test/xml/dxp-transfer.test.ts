// The transfer-node envelope DxpMsgSv (dxp-transfer.xsd: an SvNo head, one DxpMsg, an optional ds:Signature), with
// xmllint as the oracle: each probe changes one thing of a valid DxpMsgSv around a CEB816 tax bill. parseCebXml reports
// what the XSD refuses (and nothing when it accepts), reads the message of its (first) DxpMsg when it has one, and
// the reconciliation scanner reads the same documents, or refuses where the parser reads no message.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanCebText } from '../../src/reconcile/scan.js';
import { parseCebXml, refusedByFormatCheck, unwrapDxp } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { expectScannerAgrees } from '../helpers/scan-oracle.js';
import { PLACEHOLDER_SIGNATURE, validateAgainstXsd } from './helpers.js';

const DXP = 'http://www.chinaport.gov.cn/dxp';
const BILL = readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const dxpMsg = (data = b64(BILL), ns = DXP) =>
  `<DxpMsg xmlns="${ns}" ver="1.0"><TransInfo><CopMsgId>M1</CopMsgId><SenderId>DXPEDCCEB0000002</SenderId><ReceiverIds><ReceiverId>DXPENT0000012345</ReceiverId></ReceiverIds><CreatTime>2026-11-20T12:00:01</CreatTime><MsgType>CEB816Message</MsgType></TransInfo><Data>${data}</Data></DxpMsg>`;
const SV_NO = {
  MsgId: '00000002202611201200010000000001',
  SubMsgId: '1',
  SendTime: '2026-11-20T12:00:02Z',
  EndNode: '46000002',
  StaNode: '00000002',
};
const svNo = (over: Partial<Record<keyof typeof SV_NO, string | null>> = {}, attrs = ' Ver="1.0"') =>
  `<SvNo${attrs}>${Object.entries({ ...SV_NO, ...over })
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('')}</SvNo>`;
const sv = (body: string, attrs = ' ver="1.0"', ns = DXP) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<DxpMsgSv xmlns="${ns}"${attrs}>${body}</DxpMsgSv>`;

interface Probe {
  what: string;
  xml: string;
  /** The errors and XSD-refused warnings of the envelope, as `code path`; none when the XSD accepts it. */
  refused: string[];
  /** True when the parser reads the DxpMsg's message (and the scanner its documents). */
  message: boolean;
  /** Where the XSD does not decide (what Data holds, which it takes as Base64): its verdict. */
  xsdValid?: boolean;
}

const PROBES: Probe[] = [
  { what: 'SvNo and a DxpMsg', xml: sv(svNo() + dxpMsg()), refused: [], message: true },
  { what: 'no SubMsgId (optional)', xml: sv(svNo({ SubMsgId: null }) + dxpMsg()), refused: [], message: true },
  {
    what: 'a ds:Signature after the DxpMsg',
    xml: sv(svNo() + dxpMsg() + PLACEHOLDER_SIGNATURE),
    refused: [],
    message: true,
  },
  { what: 'an Id', xml: sv(svNo() + dxpMsg(), ' ver="1.0" Id="sv1"'), refused: [], message: true },
  { what: 'MsgId of 32', xml: sv(svNo({ MsgId: '9'.repeat(32) }) + dxpMsg()), refused: [], message: true },
  {
    what: 'MsgId of 33',
    xml: sv(svNo({ MsgId: '9'.repeat(33) }) + dxpMsg()),
    refused: ['xml-value SvNo.MsgId'],
    message: true,
  },
  { what: 'an empty MsgId', xml: sv(svNo({ MsgId: '' }) + dxpMsg()), refused: ['xml-value SvNo.MsgId'], message: true },
  {
    what: 'SubMsgId of 2',
    xml: sv(svNo({ SubMsgId: '12' }) + dxpMsg()),
    refused: ['xml-value SvNo.SubMsgId'],
    message: true,
  },
  {
    what: 'SendTime not a dateTime',
    xml: sv(svNo({ SendTime: '20261120120002' }) + dxpMsg()),
    refused: ['xml-value SvNo.SendTime'],
    message: true,
  },
  {
    what: 'EndNode of 9',
    xml: sv(svNo({ EndNode: '460000021' }) + dxpMsg()),
    refused: ['xml-value SvNo.EndNode'],
    message: true,
  },
  {
    what: 'no StaNode',
    xml: sv(svNo({ StaNode: null }) + dxpMsg()),
    refused: ['xml-missing-element SvNo.StaNode'],
    message: true,
  },
  {
    what: 'SvNo without Ver',
    xml: sv(svNo({}, '') + dxpMsg()),
    refused: ['xml-missing-attribute SvNo@Ver'],
    message: true,
  },
  { what: 'ver 2.0', xml: sv(svNo() + dxpMsg(), ' ver="2.0"'), refused: ['xml-value @ver'], message: true },
  { what: 'no SvNo', xml: sv(dxpMsg()), refused: ['xml-missing-element SvNo'], message: true },
  {
    what: 'the DxpMsg before the SvNo',
    xml: sv(dxpMsg() + svNo()),
    refused: ['xml-element-order SvNo'],
    message: true,
  },
  {
    what: 'an unknown element after the DxpMsg',
    xml: sv(`${svNo()}${dxpMsg()}<Note>x</Note>`),
    refused: ['xml-unknown-element DxpMsgSv.Note'],
    message: true,
  },
  {
    what: 'a broken TransInfo in the DxpMsg',
    xml: sv(svNo() + dxpMsg().replace('<CopMsgId>M1</CopMsgId>', '<CopMsgId></CopMsgId>')),
    refused: ['xml-value DxpMsg.TransInfo.CopMsgId'],
    message: true,
  },
  { what: 'no DxpMsg', xml: sv(svNo()), refused: ['xml-missing-element DxpMsg'], message: false },
  {
    // The first is read, as of any element the XSD allows once; the scanner reads the same one.
    what: 'two DxpMsg',
    xml: sv(svNo() + dxpMsg() + dxpMsg(b64(BILL.replace('29242026I000000001', '29242026I000000002')))),
    refused: ['xml-duplicate-element DxpMsg'],
    message: true,
  },
  {
    what: 'the DxpMsg in another namespace',
    xml: sv(svNo() + dxpMsg(undefined, 'http://www.chinaport.gov.cn/ceb')),
    refused: ['xml-unknown-element DxpMsgSv.DxpMsg', 'xml-missing-element DxpMsg'],
    message: false,
  },
  {
    what: 'the DxpMsg inside the SvNo',
    xml: sv(svNo().replace('</SvNo>', `${dxpMsg()}</SvNo>`)),
    refused: ['xml-unknown-element SvNo.DxpMsg', 'xml-missing-element DxpMsg'],
    message: false,
  },
  {
    what: 'a DxpMsgSv in the DxpMsgSv',
    xml: sv(svNo() + sv(svNo() + dxpMsg()).replace(/^<\?xml[^>]*>\n/, '')),
    refused: ['xml-unknown-element DxpMsgSv.DxpMsgSv', 'xml-missing-element DxpMsg'],
    message: false,
  },
  {
    // Data is xs:base64Binary to the XSD, which accepts any. What it holds is no CEB message: refused as a DxpMsg in
    // the Data of a DxpMsg is.
    what: 'a DxpMsgSv in the Data',
    xml: sv(svNo() + dxpMsg(b64(sv(svNo() + dxpMsg())))),
    refused: ['xml-nested-dxp DxpMsg.Data'],
    message: false,
    xsdValid: true,
  },
];

describe('a DxpMsgSv: parseCebXml agrees with xmllint and dxp-transfer.xsd, the scanner with parseCebXml', () => {
  const xsd = new Map<string, boolean>();
  beforeAll(async () => {
    for (const p of PROBES) xsd.set(p.what, (await validateAgainstXsd(p.xml, 'dxp-transfer.xsd')).valid);
  }, 120_000);

  it.each(PROBES.map((p) => [p.what, p] as const))('%s', (_, p) => {
    const env = parseCebXml(p.xml);
    if (env.kind !== 'dxp') throw new Error('not a DxpMsg');
    const refused = env.issues.filter(refusedByFormatCheck).map((i) => `${i.code} ${i.path}`);
    expect(refused).toEqual(p.refused);
    expect(xsd.get(p.what), 'xmllint').toBe(p.xsdValid ?? p.refused.length === 0);
    expect(env.message !== undefined).toBe(p.message);
    if (p.message) expect((env.message!.documents[0] as { invtNo: string }).invtNo).toBe('29242026I000000001');
    expect(env.transfer).toBeDefined();
    // The scanner reads the parser's documents, or refuses where the parser reads no message.
    const docs = expectScannerAgrees(p.xml);
    expect(docs.length > 0).toBe(p.message);
  });

  it('reads what the DxpMsg alone gives, with the SvNo head beside it', () => {
    const alone = parseCebXml(dxpMsg());
    const wrapped = unwrapDxp(sv(svNo() + dxpMsg()));
    const { transfer, ...rest } = wrapped;
    expect(transfer).toEqual({
      msgId: SV_NO.MsgId,
      subMsgId: '1',
      sendTime: SV_NO.SendTime,
      endNode: SV_NO.EndNode,
      staNode: SV_NO.StaNode,
    });
    expect(JSON.stringify(rest)).toBe(JSON.stringify(alone));
    expect(scanCebText(sv(svNo() + dxpMsg()))).toEqual(scanCebText(dxpMsg()));
    expect(unwrapDxp(sv(svNo({ SubMsgId: null }) + dxpMsg())).transfer).not.toHaveProperty('subMsgId');
  });

  it('refuses a DxpMsgSv outside the DXP namespace, as xmllint does, the scanner too', async () => {
    for (const ns of ['http://www.chinaport.gov.cn/ceb', '']) {
      const xml = sv(svNo() + dxpMsg(), ' ver="1.0"', ns);
      expect((await validateAgainstXsd(xml, 'dxp-transfer.xsd')).valid).toBe(false);
      const unknownRoot = expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' });
      expect(() => parseCebXml(xml)).toThrow(unknownRoot);
      expect(() => parseCebXml(xml)).toThrow(`(a DxpMsgSv must be in namespace ${DXP})`);
      expect(() => scanCebText(xml)).toThrow(unknownRoot);
    }
  });
});

describe('sandan status and reconcile: an envelope without a message read is named and skipped', () => {
  it('a DxpMsgSv without a DxpMsg, a DxpMsg without Data: exit 1, each named, not "no receipts" alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-dxpsv-'));
    try {
      mkdirSync(join(dir, 'in'));
      writeFileSync(join(dir, 'in', 'no-dxpmsg.xml'), sv(svNo()));
      writeFileSync(join(dir, 'in', 'no-data.xml'), dxpMsg(''));
      writeFileSync(join(dir, 'decl.ndjson'), '');
      const st = await runCli(['status', join(dir, 'in')]);
      expect(st.code).toBe(1);
      expect(st.stderr).toContain(
        'no-dxpmsg.xml: the DxpMsgSv holds no CEB message that can be read (DxpMsg: Required element DxpMsg is missing from DxpMsgSv); skipped',
      );
      expect(st.stderr).toContain(
        'no-data.xml: the DxpMsg holds no CEB message that can be read (Data: Data is empty: it holds no message); skipped',
      );
      const in_ = join(dir, 'in');
      const args = ['--declarations', join(dir, 'decl.ndjson'), '--tax-bills', in_, '--receipts', in_];
      const r = await runCli(['reconcile', ...args, '--format', 'json', '--workers', '0']);
      expect(r.stderr).toContain('no-dxpmsg.xml: The XML cannot be read: the DxpMsgSv holds no DxpMsg');
      expect(r.stderr).toContain('no-data.xml: The XML cannot be read: the DxpMsg has no Base64 Data');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
