import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  STATUS_INPUT_ISSUE_CODES,
  parseCebXml,
  parseDxpRep,
  sentFromMessage,
  status,
  statusInputsOfMessage,
  statusReceipt,
  wrapDxp,
  type Issue,
} from '../../src/index.js';

// Messages sandan did not write: the 2022-05 spec samples and a hand-written release receipt.
const fixture = (name: string) => readFileSync(`test/fixtures/${name}`, 'utf8');
const RELEASE = fixture('xml/CEB622-release.xml');
const NOW = new Date('2026-11-21T00:00:00Z');
const brief = (issues: readonly Issue[]) => issues.map((i) => [i.code, i.severity, i.path, i.message.en]);

describe('statusInputsOfMessage: what status takes from a parsed message', () => {
  it('takes a receipt as statusReceipt reduces it, with no issue', () => {
    const parsed = parseCebXml(RELEASE);
    if (parsed.kind !== 'ceb') throw new Error('not a CEB message');
    const got = statusInputsOfMessage(parsed);
    expect(got).toEqual({ receipts: [statusReceipt('CEB622', parsed.documents[0]!)], sent: [], issues: [] });
    expect(status(got.receipts, { now: NOW }).map((o) => o.state)).toEqual(['released']);
  });

  it('takes the documents of a sent message as sentFromMessage does', () => {
    const parsed = parseCebXml(fixture('ceb-spec/samples-202205/import/CEB621Message.xml'));
    if (parsed.kind !== 'ceb') throw new Error('not a CEB message');
    const got = statusInputsOfMessage(parsed);
    expect(got).toEqual({ receipts: [], sent: sentFromMessage('CEB621', parsed.documents), issues: [] });
    expect(got.sent).toHaveLength(10);
  });

  it('names a receipt that names no order (skipped) and a returnTime that is no time (kept), by path', () => {
    const xml = RELEASE.replace(
      '</InventoryReturn>',
      '</InventoryReturn><InventoryReturn><guid>x</guid><customsCode>2924</customsCode><ebpCode>3301964J31</ebpCode><ebcCode>3301964J31</ebcCode><agentCode>3301980BRK</agentCode><copNo>C2</copNo><preNo>P2</preNo><invtNo>I2</invtNo><returnStatus>800</returnStatus><returnTime>2026-11-20</returnTime><returnInfo>x</returnInfo></InventoryReturn>',
    )
      .replace('<copNo>INV202611200001</copNo>', '<copNo> </copNo>')
      .replace('<preNo>B20261120000000001</preNo>', '<preNo></preNo>')
      .replace('<invtNo>29242026I000000001</invtNo>', '<invtNo></invtNo>');
    const got = statusInputsOfMessage(parseCebXml(xml));
    expect(brief(got.issues)).toEqual([
      [
        'status-receipt-unplaced',
        'error',
        'documents[0]',
        'CEB622 800 ([Code:2600;Desc:放行]) names no copNo, preNo or invtNo: it names no order; skipped',
      ],
      [
        'status-time-invalid',
        'error',
        'documents[1].returnTime',
        'CEB622 returnTime is not a time as yyyyMMddHHmmssSSS (got "2026-11-20"); shown without a time',
      ],
    ]);
    expect(got.issues[0]!.message.zh).toBe(
      'CEB622 800 ([Code:2600;Desc:放行]) 未填 copNo、preNo、invtNo：无法归入任何订单；已跳过',
    );
    // the one it names as skipped is not taken; the one without a time is
    expect(got.receipts.map((r) => r.fields.copNo)).toEqual(['C2']);
  });

  it('points into the DxpMsg a message came in, and names one without a message it can read', () => {
    const wrap = (xml: string) =>
      parseCebXml(wrapDxp(xml, { senderId: 'DXPEDCCEB0000002', now: () => NOW, newId: () => 'M1' }));
    const untimed = statusInputsOfMessage(
      wrap(
        fixture('ceb-spec/samples-202205/import/CEB311Message.xml').replace(/<ceb:appTime>\d+</, '<ceb:appTime>soon<'),
      ),
    );
    expect(brief(untimed.issues)).toEqual([
      [
        'status-time-invalid',
        'error',
        'message.documents[0].appTime',
        'CEB311 appTime is not a time as yyyyMMddHHmmss (got "soon"); shown without a time',
      ],
    ]);
    expect(untimed.sent).toHaveLength(6);
    const broken = wrap('<CEB622Message xmlns="http://www.chinaport.gov.cn/ceb"><InventoryReturn>');
    const got = statusInputsOfMessage(broken);
    expect(got.receipts).toEqual([]);
    expect(got.issues.map((i) => [i.code, i.severity, i.path])).toEqual([['status-message-unread', 'error', '']]);
    expect(got.issues[0]!.message.en).toMatch(
      /^the DxpMsg holds no CEB message that can be read \(Data: .+\); skipped$/,
    );
    expect(got.issues[0]!.message.zh).toMatch(/^该 DxpMsg 中没有可读取的 CEB 报文（Data：.+）；已跳过$/);
    // The same DxpMsg inside a transfer node's DxpMsgSv is named as such.
    const dxp = wrapDxp('<CEB622Message xmlns="http://www.chinaport.gov.cn/ceb"><InventoryReturn>', {
      senderId: 'DXPEDCCEB0000002',
      now: () => NOW,
      newId: () => 'M1',
    }).replace(/^<\?xml[^>]*\?>\s*/, '');
    const svNo =
      '<SvNo Ver="1.0"><MsgId>00000002202611201200010000000001</MsgId><SubMsgId>1</SubMsgId><SendTime>2026-11-20T12:00:02Z</SendTime><EndNode>46000002</EndNode><StaNode>00000002</StaNode></SvNo>';
    const transfer = parseCebXml(
      `<DxpMsgSv xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0">${svNo}${dxp.replace(/<DxpMsg [^>]*>/, '<DxpMsg ver="1.0">')}</DxpMsgSv>`,
    );
    expect(transfer.kind === 'dxp' && transfer.transfer).toBeTruthy();
    expect(statusInputsOfMessage(transfer).issues.map((i) => i.message.en)).toEqual([
      expect.stringMatching(/^the DxpMsgSv holds no CEB message that can be read \(.+\); skipped$/),
    ]);
  });

  it('warns of a message of no import order, and takes nothing from it', () => {
    const got = statusInputsOfMessage(parseCebXml(fixture('ceb-spec/samples-202205/import/CEB712Message.xml')));
    expect(got.receipts).toEqual([]);
    expect(got.sent).toEqual([]);
    expect(got.issues.map((i) => [i.code, i.severity, i.path])).toEqual([['status-message-other', 'warning', '']]);
    expect(got.issues[0]!.message.en).toMatch(/^CEB712 \(.+\) is no message of an import order/);
  });

  it("names the exchange's response to a DxpMsg (DxpRep) by what it answers and its codes as read, taking nothing", () => {
    // Values invented (no DxpRep of another implementation is published; test/xml/dxp-rep.test.ts follows the XSD).
    const oriHead = (id: string, type: string) =>
      `<OriHead><CopMsgId>${id}</CopMsgId><SenderId>DXPENT0000012345</SenderId><ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds><CreatTime>2026-11-20T12:00:01</CreatTime><MsgType>${type}</MsgType></OriHead>`;
    const rep = parseDxpRep(
      `<DxpRep xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><RecevierId>DXPENT0000012345</RecevierId>` +
        `<Response><ResponseCode>1</ResponseCode><ResponseInfo>未找到接收方</ResponseInfo><Results><Result><RecId>DXPEDCCEB0000002</RecId><Code>9</Code><Info>拒收</Info></Result></Results><NoticeTime>2026-11-20</NoticeTime>${oriHead('M1', 'CEB311Message')}</Response>` +
        `<Response><ResponseCode>0</ResponseCode><NoticeTime>2026-11-20</NoticeTime>${oriHead('M2', 'CEB621Message')}</Response></DxpRep>`,
    );
    expect(rep.issues).toEqual([]);
    const got = statusInputsOfMessage(rep);
    expect([got.receipts, got.sent]).toEqual([[], []]);
    // Warnings (a code is not called an error: sandan does not know what it means), one for each Response.
    const tail = "; status does not read it (sandan does not know what the exchange's codes mean); skipped";
    expect(brief(got.issues)).toEqual([
      [
        'status-dxp-response',
        'warning',
        'responses[0]',
        `the exchange's response (DxpRep) to CEB311Message CopMsgId M1: ResponseCode 1 (未找到接收方); Result DXPEDCCEB0000002: Code 9 (拒收)${tail}`,
      ],
      [
        'status-dxp-response',
        'warning',
        'responses[1]',
        `the exchange's response (DxpRep) to CEB621Message CopMsgId M2: ResponseCode 0${tail}`,
      ],
    ]);
    expect(got.issues[0]!.message.zh).toBe(
      '交换平台的响应报文（DxpRep）回应 CEB311Message（CopMsgId M1）：ResponseCode 1（未找到接收方）；Result DXPEDCCEB0000002：Code 9（拒收）；status 不读取（sandan 不知道交换平台各代码的含义）；已跳过',
    );
    // One without a Response (the XSD requires one: parseDxpRep reports it) is still named, as what it is.
    const empty = parseDxpRep(
      '<DxpRep xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><RecevierId>DXPENT0000012345</RecevierId></DxpRep>',
    );
    expect(brief(statusInputsOfMessage(empty).issues)).toEqual([
      ['status-dxp-response', 'warning', '', `the exchange's response (DxpRep) holds no Response${tail}`],
    ]);
  });

  it('refuses what no parser returns with a SandanError naming the part, not a TypeError from inside', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'dxpRep' }, /parsed\.responses must be an array, got undefined/],
      [{ kind: 'dxpRep', responses: [null] }, /parsed\.responses\[0\] must be an object, got null/],
      [{ kind: 'dxpRep', responses: [{ results: [] }] }, /parsed\.responses\[0\]\.oriHead must be an object/],
      [
        { kind: 'dxpRep', responses: [{ oriHead: {}, results: null }] },
        /parsed\.responses\[0\]\.results must be an array, got null/,
      ],
      [
        { kind: 'dxpRep', responses: [{ oriHead: {}, results: [7] }] },
        /parsed\.responses\[0\]\.results\[0\] must be an object, got 7/,
      ],
      [{ kind: 'dxp' }, /parsed\.issues must be an array, got undefined/],
      [{ kind: 'dxp', issues: [], message: 'x' }, /parsed\.message must be an object, got "x"/],
      [{ kind: 'ceb', issues: [] }, /parsed\.documents must be an array, got undefined/],
      [
        { kind: 'dxp', issues: [], message: { kind: 'ceb', issues: [] } },
        /parsed\.message\.documents must be an array/,
      ],
      [{ kind: 'ceb', messageType: 'CEB311', documents: [null] }, /parsed\.documents\[0\] must be an object, got null/],
      [{ kind: 'ceb', messageType: 'CEB712', documents: [] }, /parsed\.name must be an object, got undefined/],
      [{ kind: 'dxp', issues: [{ severity: 'error' }] }, /parsed\.issues\[0\]\.message must be an object/],
    ];
    for (const [value, message] of cases) {
      let thrown: unknown;
      try {
        statusInputsOfMessage(value as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(value)).toMatchObject({ name: 'SandanError', code: 'INVALID_OPTION' });
      expect((thrown as Error).message, JSON.stringify(value)).toMatch(message);
    }
  });

  it('reports only codes of its table, with the severity the table gives', () => {
    for (const [code, info] of Object.entries(STATUS_INPUT_ISSUE_CODES)) {
      expect(info.zh.length, code).toBeGreaterThan(0);
      expect(['error', 'warning']).toContain(info.severity);
    }
    expect(
      readFileSync('docs/reconcile.md', 'utf8')
        .match(/`status-[a-z-]+`/g)
        ?.sort(),
    ).toEqual(
      Object.keys(STATUS_INPUT_ISSUE_CODES)
        .map((c) => `\`${c}\``)
        .sort(),
    );
  });
});
