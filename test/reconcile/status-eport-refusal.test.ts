// An E-Port refusal that comes after customs answered the declaration refuses only the message it answers: the
// parcel's state stays what customs said. Receipts are real XML: the dandingtest inventory receipts
// (test/fixtures/outside/README.md) with the status, time and text changed, read by the parser as users read them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  buildReceipt,
  explainCode,
  parseCebXml,
  status,
  type StatusReceipt,
  type StatusReceiptType,
} from '../../src/index.js';
import { env, example } from '../emulator/helpers.js';
import { escapeHtml } from '../../src/reconcile/report-html.js';
import { renderStatusHtml } from '../../src/reconcile/index.js';
import { formatStatusText } from '../../src/cli/reconcile-command.js';
import { DANDINGTEST_CANCEL_APPROVED_INFO, dandingtestCancelReceipt } from '../outside/dandingtest-cancel.js';

const DIR = fileURLToPath(new URL('../fixtures/outside/dandingtest/', import.meta.url));
const RELEASED = readFileSync(`${DIR}CEB622-released.xml`, 'utf8');
const DECLARED = readFileSync(`${DIR}CEB622-declared.xml`, 'utf8');
const NOW = new Date('2020-06-16T00:00:00Z');

function receiptsOf(xml: string): StatusReceipt[] {
  const m = parseCebXml(xml);
  if (m.kind !== 'ceb' || m.issues.some((i) => i.severity === 'error')) throw new Error('not a readable CEB message');
  return m.documents.map((d) => ({ messageType: m.messageType as StatusReceiptType, fields: d }));
}

/** The dandingtest inventory receipt (invtNo 29242020I439440284) with another status, time and text. */
const inventory = (returnStatus: string, returnTime: string, returnInfo: string, preNo = 'B20200615494000227') =>
  RELEASED.replace('<returnStatus>800</returnStatus>', `<returnStatus>${returnStatus}</returnStatus>`)
    .replace('<returnTime>20200615171556654</returnTime>', `<returnTime>${returnTime}</returnTime>`)
    .replace('<returnInfo>[Code:2600;Desc:放行]</returnInfo>', `<returnInfo>${returnInfo}</returnInfo>`)
    .replace('<preNo>B20200615494000227</preNo>', `<preNo>${preNo}</preNo>`);
/** An E-Port refusal as the XSD describes one (若小于0数字表示处理异常回执): no invtNo, the code as the status. */
const eportRefusal = (returnStatus: string, returnTime: string, returnInfo: string, preNo?: string) =>
  inventory(returnStatus, returnTime, returnInfo, preNo).replace('<invtNo>29242020I439440284</invtNo>', '');

const LOGIC_PASS = inventory('120', '20200615171556605', '[Code:1800;Desc:逻辑校验通过]');
const SYSTEM_ERROR = eportRefusal('-621017', '20200616090000000', '系统发生异常');
/** The dandingtest customs stand-in's approved cancel (CEB624 399) of the inventory, before the refusals. */
const cancelled = dandingtestCancelReceipt(
  '399',
  '20200615180000000',
  DANDINGTEST_CANCEL_APPROVED_INFO,
  'C20200615524696153',
);

const stateOf = (...xml: string[]) => {
  const orders = status(xml.flatMap(receiptsOf), { now: NOW });
  expect(orders).toHaveLength(1);
  return orders[0]!;
};

describe('an E-Port refusal after customs answered the inventory', () => {
  it('-621017 after the release: still released, the refusal named with what stands (was rejected)', () => {
    const o = stateOf(DECLARED, LOGIC_PASS, RELEASED, SYSTEM_ERROR);
    expect([o.state, o.documents.inventory?.returnStatus]).toEqual(['released', '800']);
    expect(o.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['resend-refused', 'inventory', '-621017']]);
    const [a] = o.anomalies;
    expect(a!.message.en).toBe(
      "CEB622 receipt -621017 (E-Port system error (inventory)): the E-Port refused only this later message; customs' earlier answer to the declaration, 800 (Released, 2020-06-15T17:15:56.654+08:00), stands",
    );
    expect(a!.message.zh).toContain('电子口岸拒收的只是这条较晚的报文；海关此前对该申报的回执 800（放行，');
    // The catalogue's advice for the code follows, for a message that was meant to change the declaration.
    expect(a!.fix!.en).toMatch(
      /^Customs' decision on the declaration stands; nothing needs sending again to keep it\. If this message was meant to change the declaration, the refusal's own advice: An E-Port system error, not a fault in the message/,
    );
    expect(a!.fix!.zh).toMatch(
      /^海关对该申报的决定不变，不必为维持它而重发。若这条报文本是要变更该申报，拒收原因的处理建议：电子口岸系统异常/,
    );
    // The page shows the order released and the refusal as a refused resend, in the same words.
    const html = renderStatusHtml({ now: NOW.toISOString(), orders: [o] });
    expect(html).toMatch(/<section class="order has-anomalies" id="order-0" data-order="[^"]*" data-state="released">/);
    expect(html).toContain('<li class="anomaly" data-kind="resend-refused">');
    expect(html).toContain(escapeHtml(a!.message.en));
    expect(html).toContain(escapeHtml(a!.fix!.zh));
  });

  it.each([
    ['120', 'accepted', '[Code:1800;Desc:逻辑校验通过]'],
    ['300', 'pending', '[Code:1200;Desc:待人工审核]'],
    ['399', 'accepted', '[Code:2300;Desc:审核通过]'],
    ['500', 'pending', '查验'],
    ['501', 'held', '扣留移送通关'],
    ['800', 'released', '[Code:2600;Desc:放行]'],
    ['899', 'released', '结关'],
  ])("after customs' %s the state stays customs' (%s)", (st, state, info) => {
    const answer = inventory(st, '20200615171556654', info);
    const o = stateOf(DECLARED, answer, SYSTEM_ERROR);
    expect([o.state, o.documents.inventory?.returnStatus]).toEqual([state, st]);
    expect(o.anomalies.filter((a) => a.document === 'inventory').map((a) => [a.kind, a.code])).toEqual([
      ['resend-refused', '-621017'],
    ]);
  });

  it('any negative code and 4 发送海关失败 alike; a code the catalogue does not know too', () => {
    for (const [st, info] of [
      ['-621005', '超过单次交易限值'],
      ['-621999', '未知错误'],
      ['4', '发送海关失败'],
    ] as const) {
      const o = stateOf(LOGIC_PASS, RELEASED, eportRefusal(st, '20200616090000000', info));
      expect([st, o.state, o.anomalies.map((a) => [a.kind, a.code])]).toEqual([
        st,
        'released',
        [['resend-refused', st]],
      ]);
    }
  });

  it('an unknown status whose returnInfo names it as its code keeps its Desc in the reason (was dropped with the code)', () => {
    // 777 is in no receipt table; the returnInfo's Code is the status itself, so only the Desc is written beside it.
    const o = stateOf(LOGIC_PASS, inventory('777', '20200616090000000', '[Code:777;Desc:海关自定义状态]'));
    const a = o.anomalies.find((x) => x.kind === 'unknown-status');
    expect(a?.code).toBe('777');
    expect(a?.message.en).toMatch(
      /^CEB622 receipt status 777 is not in the receipt catalogue 海关自定义状态; the last known/,
    );
    expect(a?.message.zh).toMatch(/^CEB622 回执状态 777 不在回执状态表中 海关自定义状态；此前已知的状态为 120/);
    expect(a?.message.en).not.toContain('[Code:');
  });

  it("after only the E-Port's own 2 (申报中), the refusal may be of that message: rejected", () => {
    const o = stateOf(DECLARED, SYSTEM_ERROR);
    expect([o.state, o.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', '-621017']]]);
  });

  it('a negative status is written once in the text, the HTML and the reason, its code kept in JSON (was -621017 [Code:-621017])', () => {
    const o = stateOf(DECLARED, SYSTEM_ERROR);
    expect(o.timeline.at(-1)).toMatchObject({ returnStatus: '-621017', code: '-621017', desc: '系统发生异常' });
    const line = formatStatusText(o)
      .split('\n')
      .find((l) => l.includes('-621017'));
    expect(line).toMatch(/ CEB622 {2}inventory {7}-621017 \S+ 系统发生异常$/);
    expect(o.anomalies[0]!.message.en).toBe(
      'CEB622 receipt status -621017 (E-Port processing error (negative number)): 系统发生异常',
    );
    const html = renderStatusHtml({ now: NOW.toISOString(), orders: [o] });
    const event = html
      .split('<li class="event ')
      .slice(1)
      .find((li) => li.includes('-621017'))
      ?.split('</li>')[0];
    expect(event).toContain('<span class="status"><bdi>-621017</bdi></span>');
    expect(event).toContain('<span class="desc"><bdi>系统发生异常</bdi></span>');
    expect(event).not.toContain('[Code:');
  });

  it("a change the E-Port took in (2) after customs' 120 and then refused: customs' 120 stands (was rejected)", () => {
    // The change's 2 came between customs' answer and the refusal: the refusal is of that change, which never reached
    // customs, so customs' 120 of the declaration still holds. Read against the latest receipt (the 2), the refusal
    // counted and the order read rejected, inviting a resend that earns -621004.
    const changeTakenIn = inventory('2', '20200616080000000', '清单修改申报成功');
    const o = stateOf(DECLARED, LOGIC_PASS, changeTakenIn, SYSTEM_ERROR);
    expect([o.state, o.documents.inventory?.returnStatus]).toEqual(['accepted', '120']);
    expect(o.anomalies.map((a) => [a.kind, a.code])).toEqual([['resend-refused', '-621017']]);
    expect(o.anomalies[0]!.message.en).toContain("customs' earlier answer to the declaration, 120 (");
    // Sent on to customs (3) the change waits for customs' answer, and the later refusal is of yet another message.
    const sentOn = stateOf(DECLARED, LOGIC_PASS, inventory('3', '20200616080000000', '发送海关成功'), SYSTEM_ERROR);
    expect([sentOn.state, sentOn.documents.inventory?.returnStatus]).toEqual(['pending', '3']);
    expect(sentOn.anomalies.map((a) => [a.kind, a.code])).toEqual([['resend-refused', '-621017']]);
    // After customs' 100 and a resend taken in (2), the refusal is of that resend: rejected, as before.
    const refused = inventory('100', '20200615171556654', '[Code:1332;Desc:支付单支付金额与订单支付金额不一致]');
    const again = stateOf(DECLARED, refused, changeTakenIn, SYSTEM_ERROR);
    expect([again.state, again.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'rejected',
      [['rejected', '-621017']],
    ]);
  });

  it("a refused duplicate after only the E-Port's 2 names that receipt without nested brackets", () => {
    const o = stateOf(DECLARED, eportRefusal('-621004', '20200616090000000', '清单重复申报'));
    expect(o.anomalies.map((a) => a.message)).toEqual([
      {
        zh: 'CEB622 回执 -621004（清单重复申报）：重发的报文被拒，此前的申报不变：2（电子口岸申报中，2020-06-15T17:15:50.734+08:00）',
        en: 'CEB622 receipt -621004 (Inventory declared twice): the message sent again was refused; the declaration before it stands: 2 (Accepted by E-Port, being declared, 2020-06-15T17:15:50.734+08:00)',
      },
    ]);
  });

  it("after customs' 100 the refusal is of the next attempt: rejected, with the E-Port's reason", () => {
    const refused = inventory('100', '20200615171556654', '[Code:1332;Desc:支付单支付金额与订单支付金额不一致]');
    const o = stateOf(DECLARED, refused, SYSTEM_ERROR);
    expect([o.state, o.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', '-621017']]]);
  });

  it('by time, not by arrival: a refusal read first but given later, or given earlier but read last, alike', () => {
    const early = eportRefusal('-621017', '20200615171000000', '系统发生异常');
    // Given before customs answered (an earlier message refused): customs' answers come after it and stand, no anomaly.
    expect([stateOf(LOGIC_PASS, RELEASED, early).state, stateOf(LOGIC_PASS, RELEASED, early).anomalies]).toEqual([
      'released',
      [],
    ]);
    const late = stateOf(SYSTEM_ERROR, RELEASED, LOGIC_PASS);
    expect([late.state, late.anomalies.map((a) => a.kind)]).toEqual(['released', ['resend-refused']]);
    // At the release's own instant the refusal is read first (a code before customs' steps): the release stands.
    const atOnce = stateOf(RELEASED, eportRefusal('-621017', '20200615171556654', '系统发生异常'));
    expect([atOnce.state, atOnce.anomalies]).toEqual(['released', []]);
  });
});

describe('an inventory cancelled (CEB624 399) and declared anew', () => {
  it("a refusal of the new declaration counts: rejected, not the cancelled declaration's 120", () => {
    const anew = eportRefusal('-621005', '20200616090000000', '超过单次交易限值', 'B20200616494000301');
    const o = stateOf(DECLARED, LOGIC_PASS, cancelled, anew);
    expect([o.state, o.documents.inventory?.returnStatus]).toEqual(['rejected', '-621005']);
    expect(o.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['rejected', 'inventory', '-621005']]);
  });

  it('the new declaration accepted by customs: a later E-Port refusal refuses only its message again', () => {
    const anew = inventory('120', '20200616090000000', '[Code:1800;Desc:逻辑校验通过]', 'B20200616494000301');
    const o = stateOf(
      LOGIC_PASS,
      cancelled,
      anew.replace('29242020I439440284', '29242020I439440999'),
      eportRefusal('-621017', '20200616100000000', '系统发生异常', 'B20200616494000301'),
    );
    expect([o.state, o.documents.inventory?.returnStatus]).toEqual(['accepted', '120']);
    expect(o.anomalies.map((a) => [a.kind, a.code])).toEqual([['resend-refused', '-621017']]);
  });
});

describe('a format-check refusal (CEB900) of an inventory declared anew after an approved cancel', () => {
  it('counts: the new declaration never reached customs (was resend-refused, the cancelled 120 taken to stand)', () => {
    // The inventory of the example declaration under the dandingtest order's keys, refused at the format check.
    const d = example();
    Object.assign(d.inventory, { copNo: '124183351885', ebpCode: '4401962010', ebcCode: '4401962010' });
    const built = buildMessage('CEB621', d.inventory, env('2020-06-16T01:00:00Z'));
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    const refused = buildReceipt(
      'CEB900',
      {
        returnStatus: '-1',
        returnTime: '20200616090000000',
        returnInfo: '[Code:0002;Desc:报文格式校验失败]',
        oriCopMsgId: 'a-new-inventory',
        oriMessageType: 'CEB621Message',
        oriBizMessage: built.xml,
      },
      env('2020-06-16T01:00:00Z'),
    );
    if (!refused.ok) throw new Error(JSON.stringify(refused.issues));
    const withRefusal = (...xml: string[]) => stateOf(...xml, refused.xml);
    const o = withRefusal(LOGIC_PASS, cancelled);
    expect(o.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['rejected', 'inventory', '0002']]);
    // Without the cancel the declaration customs took in stands, as before.
    const stands = withRefusal(LOGIC_PASS);
    expect([stands.state, stands.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'accepted',
      [['resend-refused', '0002']],
    ]);
  });
});

describe('a return application (CEB626) approved by customs', () => {
  // The dandingtest customs stand-in's return receipt (test/outside/receipts.test.ts names its source), for the order.
  const refund = (returnStatus: string, returnTime: string, returnInfo: string) =>
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><CEB626Message xmlns="http://www.chinaport.gov.cn/ceb" ' +
    'version="1.0" guid="d0cdf79f-0ab5-4322-b6ab-1045a9ccf6fa"><InvtRefundReturn>' +
    '<guid>43e6e694-84e5-4e82-af23-2104f9c1d8b4</guid><customsCode>2924</customsCode><agentCode>330766K00Q</agentCode>' +
    '<ebpCode>4401962010</ebpCode><ebcCode>4401962010</ebcCode><copNo>124183351885</copNo>' +
    '<preNo>T20200622002329381</preNo><invtNo>29242020I439440284</invtNo>' +
    `<returnStatus>${returnStatus}</returnStatus><returnTime>${returnTime}</returnTime>` +
    `<returnInfo>${returnInfo}</returnInfo></InvtRefundReturn></CEB626Message>`;

  it('stays refunded when a later return message is refused by the E-Port (was released: the refusal hid the approval)', () => {
    const o = stateOf(
      LOGIC_PASS,
      RELEASED,
      refund('800', '20200623100000000', '[Code:2600;Desc:放行]'),
      refund('-625019', '20200624100000000', '申报失败[系统错误]，请重试'),
    );
    expect([o.state, o.documents.refund?.returnStatus]).toEqual(['refunded', '800']);
    expect(o.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['resend-refused', 'refund', '-625019']]);
  });

  it('a refusal that a later answer of the return followed is no anomaly any more (it stayed, exit 1 for ever)', () => {
    const refused = refund('-625019', '20200623110000000', '申报失败[系统错误]，请重试');
    const approved = refund('800', '20200624100000000', '[Code:2600;Desc:放行]');
    const o = stateOf(
      LOGIC_PASS,
      RELEASED,
      refund('120', '20200623100000000', '[Code:1800;Desc:逻辑校验通过]'),
      refused,
      approved,
    );
    expect([o.state, o.anomalies]).toEqual(['refunded', []]);
    // Before the approval the refusal is named: the return's story has not ended.
    const pending = stateOf(
      LOGIC_PASS,
      RELEASED,
      refund('120', '20200623100000000', '[Code:1800;Desc:逻辑校验通过]'),
      refused,
    );
    expect(pending.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([
      ['resend-refused', 'refund', '-625019'],
    ]);
  });
});

describe('the order receipt (CEB312): customs stores an order at 120', () => {
  const orderReceipt = (returnStatus: string, returnTime: string, returnInfo: string) =>
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" ' +
    'version="1.0" guid="479237c3-ec79-4d05-bced-3f3299e64c57"><OrderReturn>' +
    '<guid>5f872141-8cbb-4537-9867-787071afaa72</guid><ebpCode>4401962010</ebpCode><ebcCode>4401962010</ebcCode>' +
    `<orderNo>124183351885</orderNo><returnStatus>${returnStatus}</returnStatus><returnTime>${returnTime}</returnTime>` +
    `<returnInfo>${returnInfo}</returnInfo></OrderReturn></CEB312Message>`;

  it('an order stored (120), then -301013 系统异常 for a later message: the order stays accepted (was rejected)', () => {
    const o = stateOf(
      orderReceipt('120', '20200615170200000', '[Code:1800;Desc:逻辑校验通过]'),
      orderReceipt('-301013', '20200616090000000', '订单报文处理失败，系统异常'),
    );
    expect([o.state, o.documents.order?.returnStatus, o.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'accepted',
      '120',
      [['resend-refused', '-301013']],
    ]);
  });

  it('an order only at the E-Port (2), then refused: rejected', () => {
    const o = stateOf(
      orderReceipt('2', '20200615170200000', '订单新增申报成功[5f872141-8cbb-4537-9867-787071afaa72]'),
      orderReceipt('-301013', '20200616090000000', '订单报文处理失败，系统异常'),
    );
    expect([o.state, o.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', '-301013']]]);
  });
});

describe('the pilot payment and waybill receipts (CEB412, CEB512; 349542410-project)', () => {
  const PILOT = fileURLToPath(new URL('../fixtures/outside/349542410-project/', import.meta.url));
  const pilot = (file: string, returnStatus: string, returnTime: string, returnInfo: string) =>
    readFileSync(`${PILOT}${file}`, 'utf8')
      .replace(/<returnStatus>[^<]*<\/returnStatus>/, `<returnStatus>${returnStatus}</returnStatus>`)
      .replace(/<returnTime>[^<]*<\/returnTime>/, `<returnTime>${returnTime}</returnTime>`)
      .replace(/<returnInfo>[^<]*<\/returnInfo>/, `<returnInfo>${returnInfo}</returnInfo>`);
  const later = new Date('2016-06-01T00:00:00Z');
  const one = (...xml: string[]) => status(xml.flatMap(receiptsOf), { now: later });

  it.each([
    ['CEB412Message.xml', 'payment', '-401011', '支付单报文处理失败，系统异常'],
    ['CEB512Message.xml', 'logistics', '-504013', '运单报文处理失败，系统异常'],
  ] as const)('%s stored (120), then %s refused by the E-Port: accepted', (file, document, code, info) => {
    const [o, ...rest] = one(
      pilot(file, '120', '20160506152250000', '[Code:1800;Desc:逻辑校验通过]'),
      pilot(file, code, '20160507100000000', info),
    );
    expect(rest).toEqual([]);
    expect([o!.state, o!.documents[document]?.returnStatus, o!.anomalies.map((a) => [a.kind, a.code])]).toEqual([
      'accepted',
      '120',
      [['resend-refused', code]],
    ]);
    // Only at the E-Port (2): the refusal is the document's state.
    const [e] = one(
      pilot(file, '2', '20160506152250000', '新增申报成功'),
      pilot(file, code, '20160507100000000', info),
    );
    expect([e!.state, e!.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', code]]]);
  });
});

describe('property: an E-Port refusal after customs released the inventory never changes its state', () => {
  it('any negative code or 4, any time after the release, with any text', () => {
    const base = status([DECLARED, LOGIC_PASS, RELEASED].flatMap(receiptsOf), { now: NOW })[0]!;
    fc.assert(
      fc.property(
        // (a code saying the message reached customs refuses nothing: it is the later message's state, as a 3 is)
        fc.oneof(
          fc
            .integer({ min: -999999, max: -1 })
            .map(String)
            .filter((c) => explainCode(c)?.reachedCustoms !== true),
          fc.constant('4'),
        ),
        fc.integer({ min: 1, max: 86_399_000 }),
        fc.constantFrom('系统发生异常', '申报失败', '[Code:-621041;Desc:清单已申报]'),
        (st, after, info) => {
          const t = new Date(Date.UTC(2020, 5, 15, 9, 15, 56, 654) + after + 8 * 3600_000);
          const time = t.toISOString().replace(/\D/g, '').slice(0, 17);
          const o = status([DECLARED, LOGIC_PASS, RELEASED, eportRefusal(st, time, info)].flatMap(receiptsOf), {
            now: NOW,
          })[0]!;
          expect([o.state, o.documents]).toEqual([base.state, base.documents]);
          expect(o.anomalies.map((a) => a.kind)).toEqual(['resend-refused']);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("a code saying the message reached customs (table 7-2's -621008) refuses nothing", () => {
  // 海关跨境电商统一版系统企业对接报文规范（202205版） 表7-2: -621008 清单[*]发送海关成功，更新状态时发生错误. The
  // inventory is at customs; only the E-Port's record of its state failed.
  const SENT_NOT_RECORDED = eportRefusal(
    '-621008',
    '20200615171551734',
    '清单[B20200615494000227]发送海关成功，更新状态时发生错误',
  );

  it('after the 2: pending, waiting for customs, no anomaly (was rejected, inviting a resend that earns -621004)', () => {
    const o = stateOf(DECLARED, SENT_NOT_RECORDED);
    expect([o.state, o.documents.inventory]).toEqual([
      'pending',
      { returnStatus: '-621008', time: '2020-06-15T17:15:51.734+08:00', outcome: 'pending' },
    ]);
    expect(o.anomalies).toEqual([]);
    const html = renderStatusHtml({ now: NOW.toISOString(), orders: [o] });
    expect(html).toContain('data-state="pending"');
    // (the timeline marks the receipt pending, as a 3; it was marked rejected)
    expect(html.match(/<li class="event receipt outcome-\w+/g)).toEqual([
      '<li class="event receipt outcome-pending',
      '<li class="event receipt outcome-pending',
    ]);
  });

  it("then customs' 120: accepted, as after the E-Port's 3", () => {
    expect(stateOf(DECLARED, SENT_NOT_RECORDED, LOGIC_PASS).state).toBe('accepted');
  });

  it('after the release: still released, and no refusal is named (the later message reached customs)', () => {
    const later = eportRefusal(
      '-621008',
      '20200616090000000',
      '清单[B20200615494000227]发送海关成功，更新状态时发生错误',
    );
    const o = stateOf(DECLARED, LOGIC_PASS, RELEASED, later);
    expect(o.state).toBe('released');
    expect(o.anomalies).toEqual([]);
  });

  it('any other negative code in its place is a refusal (-621009: sending failed)', () => {
    const failed = eportRefusal(
      '-621009',
      '20200615171551734',
      '清单[B20200615494000227]发送海关失败，更新状态时发生错误',
    );
    const o = stateOf(DECLARED, failed);
    expect([o.state, o.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', '-621009']]]);
  });
});

describe("an E-Port refusal after the E-Port's 3 (发送海关成功): the message it refused is another", () => {
  // The XSD's 3 发送海关成功: the inventory left the E-Port for customs, past its checks, as one customs answered is.
  const SENT = eportRefusal('3', '20200615171551734', '发送海关成功');
  const LATER_ERROR = eportRefusal('-621017', '20200615180000000', '系统发生异常');

  it('pending, waiting for customs, and the refusal named with the 3 that stands (was rejected)', () => {
    const o = stateOf(DECLARED, SENT, LATER_ERROR);
    expect([o.state, o.documents.inventory?.returnStatus]).toEqual(['pending', '3']);
    expect(o.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['resend-refused', 'inventory', '-621017']]);
    expect(o.anomalies[0]!.message.en).toContain('3 (');
  });

  it('after -621008 (sent, not recorded) the same', () => {
    const notRecorded = eportRefusal(
      '-621008',
      '20200615171551734',
      '清单[B20200615494000227]发送海关成功，更新状态时发生错误',
    );
    const o = stateOf(DECLARED, notRecorded, LATER_ERROR);
    expect([o.state, o.anomalies.map((a) => a.kind)]).toEqual(['pending', ['resend-refused']]);
  });

  it("after only the E-Port's 2 the refusal still counts (the message may be that very one)", () => {
    const o = stateOf(DECLARED, LATER_ERROR);
    expect([o.state, o.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', '-621017']]]);
  });
});
