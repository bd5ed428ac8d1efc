import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/emulator/engine.js';
import { manualClock } from '../../src/emulator/clock.js';
import type { EmulatorEngine } from '../../src/emulator/types.js';
import { sentFromDeclaration, status, type StatusReceipt } from '../../src/reconcile/index.js';
import { unplacedReceipt } from '../../src/reconcile/status/status.js';
import { escapeHtml } from '../../src/reconcile/report-html.js';
import { explainCode, toJsonValue } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { example, message, RATES, read } from '../emulator/helpers.js';

// What customs' receipts mean for the parcel, case by case (times are Beijing time).

const r = (messageType: StatusReceipt['messageType'], fields: Record<string, string>): StatusReceipt => ({
  messageType,
  fields,
});
const NOW = new Date('2026-11-22T00:00:00Z');
const order = (fields: Record<string, string>) =>
  r('CEB312', { orderNo: 'SD202611200001', ebpCode: '3301964J31', ...fields });
const inv = { copNo: 'INV202611200001', preNo: 'B20261120000000001', invtNo: '29242026I000000001' };

describe('a refusal whose code says the declaration before it stands', () => {
  it('is a refused resend, not a rejected order, also when no earlier receipt of the document is at hand', () => {
    // -301010 订单编号已存在 and -621004 清单重复申报 say that customs holds a declaration under the number: the
    // order was declared before (its receipts are not among these). It was `rejected`, inviting a third declaration.
    const [o, i] = status(
      [
        order({ returnStatus: '-301010', returnTime: '20261120101700000', returnInfo: '订单编号已存在' }),
        r('CEB622', { ...inv, returnStatus: '-621004', returnTime: '20261120101800000', returnInfo: '清单重复申报' }),
      ],
      { now: NOW },
    );
    expect([o!.order, o!.state, o!.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'SD202611200001',
      'pending',
      [['resend-refused', '-301010']],
    ]);
    expect([i!.order, i!.state, i!.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      `copNo:${inv.copNo}`,
      'pending',
      [['resend-refused', '-621004']],
    ]);
    // (a refusal that says nothing of an earlier declaration is still the document's state)
    const [over] = status(
      [
        r('CEB622', {
          ...inv,
          returnStatus: '-621005',
          returnTime: '20261120101800000',
          returnInfo: '超过单次交易限值',
        }),
      ],
      { now: NOW },
    );
    expect([over!.state, over!.anomalies.map((a) => a.kind)]).toEqual(['rejected', ['rejected']]);
  });

  it('-301014 过期报文已忽略: the stale message was ignored, so the order accepted before stays accepted', () => {
    const [o] = status(
      [
        order({ returnStatus: '120', returnTime: '20261120101700000', returnInfo: '逻辑校验通过' }),
        order({ returnStatus: '-301014', returnTime: '20261120111700000', returnInfo: '过期报文已忽略' }),
      ],
      { now: NOW },
    );
    expect([o!.state, o!.documents.order?.returnStatus, o!.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'accepted',
      '120',
      [['resend-refused', '-301014']],
    ]);
  });
});

describe('an approved cancel (CEB624 399)', () => {
  const again = { copNo: 'INV202611200001', preNo: 'B20261121000000002', invtNo: '29242026I000000002' };
  const accepted = (numbers: Record<string, string>, at: string) =>
    r('CEB622', { ...numbers, returnStatus: '120', returnTime: at, returnInfo: '[Code:1800;Desc:逻辑校验通过]' });
  const released = (numbers: Record<string, string>, at: string) =>
    r('CEB622', { ...numbers, returnStatus: '800', returnTime: at, returnInfo: '[Code:2600;Desc:放行]' });
  const cancelled = r('CEB624', {
    copNo: 'CANCEL202611200001',
    preNo: 'C20261120000000001',
    invtNo: inv.invtNo,
    returnStatus: '399',
    returnTime: '20261120150000000',
    returnInfo: '[Code:2300;Desc:审核通过]',
  });

  it('cancels the inventory it names: one declared again afterwards and released is released, not cancelled', () => {
    // The catalogue's fix for changing a held inventory is to cancel it (CEB623) and declare it again: the order
    // was `cancelled`, with an `inconsistent` released-after-cancel naming the new inventory's release.
    const [o, ...rest] = status(
      [
        accepted(inv, '20261120110000000'),
        cancelled,
        r('CEB622', { copNo: again.copNo, preNo: again.preNo, returnStatus: '2', returnTime: '20261121100000000' }),
        accepted(again, '20261121110000000'),
        released(again, '20261121120000000'),
      ],
      { now: NOW },
    );
    expect(rest).toEqual([]);
    expect([o!.state, o!.anomalies]).toEqual(['released', []]);
    // Declared again, not yet numbered by customs (another preNo): no longer cancelled either.
    const [early] = status(
      [
        accepted(inv, '20261120110000000'),
        cancelled,
        r('CEB622', { copNo: again.copNo, preNo: again.preNo, returnStatus: '2', returnTime: '20261121100000000' }),
      ],
      { now: NOW },
    );
    expect(early!.state).toBe('pending');
  });

  it('stays cancelled when the cancelled inventory itself is released after it, which is inconsistent', () => {
    const [o] = status([accepted(inv, '20261120110000000'), cancelled, released(inv, '20261121120000000')], {
      now: NOW,
    });
    expect([o!.state, o!.anomalies.map((a) => a.rule)]).toEqual(['cancelled', ['released-after-cancel']]);
  });

  it('is final: the same cancel sent again and refused (-623009 撤单清单已经申报过) leaves the order cancelled', () => {
    // It read as the cancel's latest status: the order was `accepted` with a `rejected` anomaly.
    const [o] = status(
      [
        accepted(inv, '20261120110000000'),
        cancelled,
        r('CEB624', {
          ...inv,
          returnStatus: '-623009',
          returnTime: '20261120160000000',
          returnInfo: '撤单清单已经申报过',
        }),
      ],
      { now: NOW },
    );
    expect([o!.state, o!.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'cancelled',
      [['resend-refused', '-623009']],
    ]);
  });
});

describe('a format-check receipt (CEB900)', () => {
  // Customs' own answers, from the emulator: a CEB900 repeats the message it refused in oriBizMessage.
  const answers = async (e: EmulatorEngine, ...xml: string[]) => {
    for (const x of xml) {
      await e.submit(x, { transport: 'api' });
      await e.advance('1m');
    }
    return e.receipts().flatMap((x) => {
      const m = read(x.xml);
      return m.documents.map((doc) => ({ messageType: m.messageType, fields: toJsonValue(doc) }) as StatusReceipt);
    });
  };
  const engine = () =>
    createEngine({
      store: 'memory',
      clock: manualClock('2026-11-20T02:20:00Z'),
      rates: RATES,
      requireSignature: false,
    });

  it("is the refusal of the documents of the message it repeats: an order refused at the format check is rejected, with the transport code's fix", async () => {
    // It was "neither a receipt nor a declaration; skipped", exit 0: an order that never reached customs looked like
    // no order at all.
    const d = example();
    const good = await message(d, 'order');
    const bad = good.replace('<ceb:orderNo>', '<ceb:orderNoX>x</ceb:orderNoX><ceb:orderNo>');
    const e = await engine();
    const refused = await answers(e, bad);
    expect(refused.map((x) => x.messageType)).toEqual(['CEB900']);
    const [o, ...rest] = status(refused, { now: NOW, sent: sentFromDeclaration(d) });
    expect(rest).toEqual([]);
    expect([o!.order, o!.state, o!.documents.order?.returnStatus]).toEqual([d.order.orderNo, 'rejected', '-1']);
    expect(o!.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['rejected', 'order', '0002']]);
    expect(o!.anomalies[0]!.fix?.en).toBe(explainCode('0002')!.fix.en);
    // Sent again, well-formed, it is taken: the refusal is history.
    const [later] = status(await answers(e, good), { now: new Date('2026-11-20T03:00:00Z') });
    expect([later!.state, later!.anomalies]).toEqual(['accepted', []]);
    // Once the order was answered, a refused message changes nothing: the declaration before it stands.
    const [after] = status(await answers(e, bad), { now: new Date('2026-11-20T03:00:00Z') });
    expect([after!.state, after!.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'accepted',
      [['resend-refused', '0002']],
    ]);
    await e.close();
  });

  it('of a message that cannot be read, like a receipt naming no key, is named by sandan status and makes the exit 1', async () => {
    const e = await engine();
    const [unreadable] = await answers(e, '<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">');
    await e.close();
    expect(unplacedReceipt(unreadable!)?.en).toMatch(/^CEB900 -1 \(\[Code:0001;Desc:.*\]\) refused a message/);
    expect(status([unreadable!], { now: NOW })).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'sandan-status-ceb900-'));
    try {
      const receipts = e.receipts();
      writeFileSync(join(dir, 'CEB900.xml'), receipts[0]!.xml);
      writeFileSync(
        join(dir, 'CEB622-no-key.xml'),
        readFileSync('test/fixtures/outside/dandingtest/CEB622-released.xml', 'utf8').replace(
          /<copNo>.*<\/invtNo>/,
          '',
        ),
      );
      const r = await runCli(['status', dir, '--now', '2026-11-22']);
      expect(r.stderr.split('\n')).toEqual([
        expect.stringMatching(
          /CEB622-no-key\.xml: CEB622 800 \(\[Code:2600;Desc:放行\]\) names no copNo, preNo or invtNo: it names no order; skipped$/,
        ),
        expect.stringMatching(
          /CEB900\.xml: CEB900 -1 .* refused a message \(oriMessageType Unknown, oriCopMsgId \?\) whose oriBizMessage is no declaration that can be read: it names no order; skipped$/,
        ),
        '',
      ]);
      expect(r.code).toBe(1);
      // The JSON and HTML reports name them too: what standard error said, without the command's name.
      const named = r.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^sandan status: /, ''));
      const json = await runCli(['status', dir, '--now', '2026-11-22', '--format', 'json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({ now: '2026-11-22T00:00:00.000+08:00', problems: named, orders: [] });
      const html = await runCli(['status', dir, '--now', '2026-11-22', '--format', 'html']);
      expect(html.stdout).toContain(
        '<section class="problems"><h2><span lang="zh-CN">输入中未能读取的内容</span> <span lang="en" class="en">Problems in the inputs</span></h2>',
      );
      for (const p of named) expect(html.stdout).toContain(`<li>${escapeHtml(p)}</li>`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('not-acknowledged', () => {
  const decl = (): Record<string, Record<string, unknown>> => {
    const d = example();
    d.order.appTime = '20261120101500';
    d.inventory.appTime = '20261120101600';
    d.inventory.invtNo = inv.invtNo;
    for (const k of ['payment', 'logistics']) delete d[k];
    return d;
  };
  const accepted = order({
    returnStatus: '120',
    returnTime: '20261120101700000',
    returnInfo: '[Code:1800;Desc:逻辑校验通过]',
  });

  it('is not said of an inventory customs billed: a tax bill is its answer on the inventory it names', () => {
    // "CEB621 … no receipt at all; resend it": the resend of a billed inventory is a duplicate (-621004).
    const bill = r('CEB816', {
      guid: 'B1',
      invtNo: inv.invtNo,
      taxNo: '29242026I00000000101',
      valueAddedTax: '31.76',
      status: '1',
      returnTime: '20261121000001000',
    });
    const [o] = status([accepted, bill], { now: NOW, sent: sentFromDeclaration(decl()) });
    expect(o!.anomalies).toEqual([]);
    // Billed with no receipt at hand: answered, so no longer `sent` (it was, with the inventory not acknowledged).
    const [onlyBilled] = status([bill], { now: NOW, sent: sentFromDeclaration(decl()) });
    expect([onlyBilled!.state, onlyBilled!.anomalies.map((a) => a.document)]).toEqual(['pending', ['order']]);
    const [without] = status([accepted], { now: NOW, sent: sentFromDeclaration(decl()) });
    expect(without!.anomalies.map((a) => [a.kind, a.document])).toEqual([['not-acknowledged', 'inventory']]);
  });

  it('is said once of a document declared in two inputs: one message sent is one event', () => {
    const twice = [...sentFromDeclaration(decl()), ...sentFromDeclaration(decl())];
    const [o] = status([accepted], { now: NOW, sent: twice });
    expect(o!.timeline.filter((n) => n.event === 'sent').map((n) => n.messageType)).toEqual(['CEB311', 'CEB621']);
    expect(o!.anomalies.map((a) => [a.kind, a.document])).toEqual([['not-acknowledged', 'inventory']]);
  });
});

describe('receipts of one instant', () => {
  it("come in E-Port's steps before customs' answer, whatever the order of the files: accepted, not pending", () => {
    // 2 (申报中) read after 120 at the same millisecond was the latest status: the order was `pending`.
    const at = '20261120110000000';
    const receipts = [
      r('CEB622', { ...inv, returnStatus: '120', returnTime: at, returnInfo: '[Code:1800;Desc:逻辑校验通过]' }),
      r('CEB622', { ...inv, returnStatus: '3', returnTime: at, returnInfo: '发送海关成功' }),
      r('CEB622', { ...inv, returnStatus: '2', returnTime: at, returnInfo: '新增申报成功' }),
    ];
    for (const order of [receipts, [...receipts].reverse()]) {
      const [o] = status(order, { now: NOW });
      expect([o!.state, o!.timeline.map((n) => n.returnStatus)]).toEqual(['accepted', ['2', '3', '120']]);
    }
  });

  // Customs' answers of one instant were in input order: which file was read last decided the state.
  it.each([
    ['120', '800', 'released', '[Code:2600;Desc:放行]'],
    ['100', '120', 'accepted', '[Code:1800;Desc:逻辑校验通过]'],
    ['-621013', '120', 'accepted', '[Code:1800;Desc:逻辑校验通过]'],
    ['300', '501', 'held', '扣留移送通关'],
  ])("customs' %s and %s: by status number, whatever the order of the files", (first, last, state, info) => {
    const at = '20261120110000000';
    const receipts = [
      r('CEB622', { ...inv, returnStatus: last, returnTime: at, returnInfo: info }),
      r('CEB622', { ...inv, returnStatus: first, returnTime: at, returnInfo: `[Code:1;Desc:${first}]` }),
    ];
    for (const order of [receipts, [...receipts].reverse()]) {
      const [o] = status(order, { now: NOW });
      expect([o!.state, o!.timeline.map((n) => n.returnStatus)]).toEqual([state, [first, last]]);
    }
  });
});

describe('the fix of a negative status the catalogue has no code for', () => {
  it('says what to do where it is shown, not "the negative-code table below" (there is none in a status report)', () => {
    const [o] = status(
      [r('CEB622', { ...inv, returnStatus: '-621099', returnTime: '20261120110000000', returnInfo: '表体数据有误' })],
      { now: NOW },
    );
    expect(o!.anomalies.map((a) => [a.kind, a.code, a.fix?.en])).toEqual([
      [
        'rejected',
        '-621099',
        'Fix what returnInfo says and resend; ask the E-Port data centre what the code means when that is not clear',
      ],
    ]);
  });
});

describe('an order refused a change after its inventory was released ([code:22007;Desc:对应清单已放行])', () => {
  it('stays released: the released data stand, as the code says (it was rejected, inviting a declaration again)', () => {
    const [o] = status(
      [
        r('CEB622', {
          ...inv,
          returnStatus: '800',
          returnTime: '20261120120000000',
          returnInfo: '[Code:2600;Desc:放行]',
        }),
        order({ returnStatus: '120', returnTime: '20261120100000000' }),
        order({ returnStatus: '100', returnTime: '20261121120000000', returnInfo: '[code:22007;Desc:对应清单已放行]' }),
      ],
      {
        now: NOW,
        sent: [{ messageType: 'CEB621', orderNo: 'SD202611200001', ebpCode: '3301964J31', copNo: inv.copNo }],
      },
    );
    expect([o!.state, o!.anomalies.map((a) => [a.kind, a.code])]).toEqual(['released', [['resend-refused', '22007']]]);
  });
});

describe('sandan status on a message it does not read', () => {
  it('names it for what it is: a CEB712 is a receipt, though of no document of an order', async () => {
    const file = 'test/fixtures/ceb-spec/samples-202205/import/CEB712Message.xml';
    const r = await runCli(['status', file, '--now', '2026-11-22']);
    expect([r.stderr, r.code]).toEqual([
      `sandan status: ${file}: CEB712 (warehouse-entry receipt) is no message of an import order that status reads; skipped\n`,
      0,
    ]);
  });

  it("names the exchange's response to a DxpMsg (DxpRep) beside receipts by its codes as read, as it does a CEB712", async () => {
    // An inbox holds the exchange's responses beside customs' receipts: a DxpRep was an unreadable file (exit 1). Now
    // it is a warning, the report the receipts' own; the codes are named as read (sandan does not know their meaning).
    const dir = mkdtempSync(join(tmpdir(), 'sandan-status-dxprep-'));
    try {
      const receipt = join(dir, 'CEB312.xml');
      writeFileSync(receipt, readFileSync('test/fixtures/ceb-spec/samples-202205/import/CEB312Message.xml'));
      const args = ['status', dir, '--now', '2026-11-22'];
      const alone = await runCli(args);
      const aloneJson = await runCli([...args, '--format', 'json']);
      const rep = join(dir, 'DxpRep.xml');
      writeFileSync(
        rep,
        '<?xml version="1.0" encoding="UTF-8"?>\n<dxp:DxpRep xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0"><dxp:RecevierId>DXPENT0000012345</dxp:RecevierId><dxp:Response><dxp:ResponseCode>1</dxp:ResponseCode><dxp:ResponseInfo>报文格式错误</dxp:ResponseInfo><dxp:NoticeTime>2026-11-20</dxp:NoticeTime><dxp:OriHead><dxp:CopMsgId>M1</dxp:CopMsgId><dxp:SenderId>DXPENT0000012345</dxp:SenderId><dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId></dxp:ReceiverIds><dxp:CreatTime>2026-11-20T12:00:01</dxp:CreatTime><dxp:MsgType>CEB311Message</dxp:MsgType></dxp:OriHead></dxp:Response></dxp:DxpRep>\n',
      );
      const line = `${rep}: the exchange's response (DxpRep) to CEB311Message CopMsgId M1: ResponseCode 1 (报文格式错误); status does not read it (sandan does not know what the exchange's codes mean); skipped`;
      const text = await runCli(args);
      expect([text.stdout, text.stderr, text.code]).toEqual([alone.stdout, `sandan status: ${line}\n`, alone.code]);
      const json = await runCli([...args, '--format', 'json']);
      expect([json.stderr, json.code]).toEqual([`sandan status: ${line}\n`, aloneJson.code]);
      expect(JSON.parse(json.stdout)).toEqual({ ...JSON.parse(aloneJson.stdout), problems: [line] });
      expect(JSON.parse(aloneJson.stdout).problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('keys are read as written, as customs compares them', () => {
  it('a padded orderNo and a lower-case invtNo are other orders, each naming the near miss', () => {
    const orders = status(
      [
        order({ returnStatus: '120', returnTime: '20261120101700000', returnInfo: '逻辑校验通过' }),
        order({
          orderNo: ' SD202611200001 ',
          returnStatus: '100',
          returnTime: '20261120101800000',
          returnInfo: '退单',
        }),
        r('CEB622', { ...inv, returnStatus: '800', returnTime: '20261120111700000', returnInfo: '放行' }),
        r('CEB624', {
          copNo: 'CXL202611200001',
          invtNo: inv.invtNo.toLowerCase(),
          returnStatus: '399',
          returnTime: '20261120121700000',
          returnInfo: '撤销通过',
        }),
      ],
      { now: NOW },
    );
    expect(
      orders.map((o) => [
        o.order,
        o.state,
        o.anomalies.filter((a) => a.rule === 'near-miss-key').map((a) => [a.document, a.message.en]),
      ]),
    ).toEqual([
      [
        ' SD202611200001 ',
        'rejected',
        [
          [
            'order',
            'orderNo " SD202611200001 " equals another order\'s "SD202611200001" but for case, white space or full-width forms: customs compares keys as written, so they are not joined',
          ],
        ],
      ],
      [
        'SD202611200001',
        'accepted',
        [
          [
            'order',
            'orderNo "SD202611200001" equals another order\'s " SD202611200001 " but for case, white space or full-width forms: customs compares keys as written, so they are not joined',
          ],
        ],
      ],
      // (a cancel names the inventory by invtNo: in another spelling it cancels no inventory customs issued)
      ['copNo:CXL202611200001', 'cancelled', [['inventory', expect.stringContaining('"29242026I000000001"')]]],
      [`copNo:${inv.copNo}`, 'released', [['inventory', expect.stringContaining('"29242026i000000001"')]]],
    ]);
  });
});

describe('a receipt whose returnTime cannot be read', () => {
  it('decides its document when sorted last, and says so when other receipts of the document have a time', () => {
    const [o] = status(
      [
        order({ returnStatus: '120', returnTime: '20261120101700000', returnInfo: '逻辑校验通过' }),
        order({ returnStatus: '100', returnTime: '2026-11-20 10:18', returnInfo: '退单' }),
      ],
      { now: NOW },
    );
    expect([o!.state, o!.anomalies.map((a) => [a.kind, a.rule ?? a.code])]).toEqual([
      'rejected',
      [
        ['rejected', undefined],
        ['inconsistent', 'untimed-receipt'],
      ],
    ]);
    // (alone, it is all there is: nothing to order it against)
    const [alone] = status([order({ returnStatus: '100', returnTime: 'x', returnInfo: '退单' })], { now: NOW });
    expect(alone!.anomalies.map((a) => a.kind)).toEqual(['rejected']);
  });
});

describe('a refusal of the inventory after its release', () => {
  it('leaves the parcel released: a released inventory cannot be changed, so the 100 answers a later message', () => {
    // 120 入库, 800 放行, then the platform sends a change (appType 2) of the released inventory and customs answers it
    // 100 海关退单. The catalogue's -621012/-621043 say a released inventory allows no change; customs' system keeps
    // showing 放行. It was `rejected`, its documents showing 100: an operator would declare the parcel again.
    const [o] = status(
      [
        r('CEB622', { ...inv, returnStatus: '120', returnTime: '20261120101800000', returnInfo: '入库成功' }),
        r('CEB622', { ...inv, returnStatus: '800', returnTime: '20261120113000000', returnInfo: '放行' }),
        r('CEB622', {
          ...inv,
          returnStatus: '100',
          returnTime: '20261121090000000',
          returnInfo: '<script>x</script>清单已放行，不允许变更',
        }),
      ],
      { now: NOW },
    );
    expect([o!.state, o!.documents.inventory?.returnStatus, o!.anomalies.map((a) => [a.kind, a.document])]).toEqual([
      'released',
      '800',
      [['resend-refused', 'inventory']],
    ]);
    expect(o!.anomalies[0]!.message.en).toBe(
      "CEB622 receipt 100 (Rejected by customs): customs refused only this later message; customs' earlier answer to the declaration, 800 (Released, 2026-11-20T11:30:00.000+08:00), stands",
    );
    expect(o!.returnWindow?.releasedAt).toBe('2026-11-20T11:30:00.000+08:00');
  });
});
