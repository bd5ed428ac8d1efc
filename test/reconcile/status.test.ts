import { describe, expect, it } from 'vitest';
import { sentFromDeclaration, status, type StatusReceipt } from '../../src/reconcile/index.js';
import { statusInputsOfDeclaration } from '../../src/index.js';
import { beijingIso, beijingMillis } from '../../src/time/beijing.js';
import { readFileSync } from 'node:fs';

const r = (messageType: StatusReceipt['messageType'], fields: Record<string, string>): StatusReceipt => ({
  messageType,
  fields,
});
const inv = { copNo: 'INV202611200001', preNo: 'B20261120000000001', invtNo: '29242026I000000001' };
const decl = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8')) as Record<string, Record<string, unknown>>;
decl.inventory!.appTime = '20261120101600';
decl.payment!.appTime = '20261120101630';
decl.logistics!.appTime = '20261120101640';
decl.order!.appTime = '20261120101500';
const sent = sentFromDeclaration(decl);

describe('status(receipts)', () => {
  it('converts Beijing-time receipt times both ways', () => {
    const ms = beijingMillis('20261120101700001');
    expect(new Date(ms).toISOString()).toBe('2026-11-20T02:17:00.001Z');
    expect(beijingIso(ms)).toBe('2026-11-20T10:17:00.001+08:00');
    expect(beijingMillis('2026')).toBeNaN();
  });

  it('groups all receipts of an order through the declaration keys, in time order, with the current state', () => {
    const receipts = [
      r('CEB622', {
        ...inv,
        returnStatus: '800',
        returnTime: '20261120120000000',
        returnInfo: '[Code:2600;Desc:放行]',
      }),
      r('CEB312', {
        orderNo: 'SD202611200001',
        returnStatus: '120',
        returnTime: '20261120101700001',
        returnInfo: '[Code:1800;Desc:逻辑校验通过]',
      }),
      r('CEB412', {
        payTransactionId: 'PAY2026112010160001',
        returnStatus: '120',
        returnTime: '20261120101800000',
        returnInfo: '[Code:1800;Desc:逻辑校验通过]',
      }),
      r('CEB512', {
        logisticsNo: 'ZT7700012345678',
        returnStatus: '120',
        returnTime: '20261120101900000',
        returnInfo: '[Code:1800;Desc:逻辑校验通过]',
      }),
      r('CEB514', {
        logisticsNo: 'ZT7700012345678',
        logisticsStatus: 'S',
        returnStatus: '120',
        returnTime: '20261122090000000',
        returnInfo: '签收',
      }),
    ];
    const [o, ...rest] = status(receipts, { now: new Date('2026-11-30T00:00:00Z'), sent });
    expect(rest).toEqual([]);
    expect(o!.order).toBe('SD202611200001');
    expect(o!.state).toBe('delivered');
    expect(o!.anomalies).toEqual([]);
    expect(o!.timeline.map((n) => `${n.time} ${n.messageType}`)).toEqual([
      '2026-11-20T10:15:00.000+08:00 CEB311',
      '2026-11-20T10:16:00.000+08:00 CEB621',
      '2026-11-20T10:16:30.000+08:00 CEB411',
      '2026-11-20T10:16:40.000+08:00 CEB511',
      '2026-11-20T10:17:00.001+08:00 CEB312',
      '2026-11-20T10:18:00.000+08:00 CEB412',
      '2026-11-20T10:19:00.000+08:00 CEB512',
      '2026-11-20T12:00:00.000+08:00 CEB622',
      '2026-11-22T09:00:00.000+08:00 CEB514',
    ]);
    expect(o!.keys.invtNo).toEqual(['29242026I000000001']);
    // Released 2026-11-20 12:00: a return must be applied for by the end of 2026-12-20 (30 days) and be back by
    // the end of 2027-01-04 (45 days: 10 days left in November, 31 in December, 4 in January).
    expect(o!.returnWindow).toEqual({
      releasedAt: '2026-11-20T12:00:00.000+08:00',
      applyBy: '2026-12-20T23:59:59.999+08:00',
      arriveBy: '2027-01-04T23:59:59.999+08:00',
    });
  });

  it('shows tax bills (CEB816) and their status (CEB818) in the timeline, linked by invtNo, without changing the state', () => {
    const release = r('CEB622', { ...inv, returnStatus: '800', returnTime: '20261120120000000' });
    const bill = r('CEB816', {
      guid: 'B1',
      invtNo: inv.invtNo,
      taxNo: '29242026I00000000101',
      customsTax: '0',
      valueAddedTax: '31.76',
      consumptionTax: '0',
      status: '1',
      returnTime: '20261121000001000',
    });
    // A CEB818 names the inventory and the bill only; its status 3 voids the bill.
    const voided = r('CEB818', {
      guid: 'S1',
      invtNo: inv.invtNo,
      taxNo: '29242026I00000000101',
      status: '3',
      returnTime: '20261125090000000',
    });
    // A status no table knows is shown as it is, with no meaning, and reported (it was not: reconciliation notes it
    // as bill-status-unknown, since it may be void); the state does not change.
    const odd = r('CEB818', {
      guid: 'S2',
      invtNo: inv.invtNo,
      taxNo: 'T2',
      status: '9',
      returnTime: '20261126090000000',
    });
    const now = new Date('2026-11-21T00:00:00Z');
    // The bill read twice (raw and from its DxpMsg) is one event.
    const [o, ...rest] = status([release, bill, bill, voided, odd], { now, sent });
    expect(rest).toEqual([]);
    expect(o!.order).toBe('SD202611200001');
    expect(o!.state).toBe('released');
    expect(o!.anomalies).toEqual([
      {
        kind: 'unknown-status',
        document: 'taxBill',
        rule: 'tax-bill-status',
        message: {
          zh: 'CEB818 税单 T2 的状态 9 不在税单状态表中（1 已生成、2 已汇总、3 作废）：该税单可能已作废',
          en: "CEB818 tax bill T2 has status 9, none of a tax bill's (1 generated, 2 summarised, 3 void): the bill may be void",
        },
        fix: expect.objectContaining({ en: expect.stringContaining('neither standing nor void') }),
        since: '2026-11-26T09:00:00.000+08:00',
      },
    ]);
    expect(Object.keys(o!.documents)).toEqual(['inventory']);
    expect(o!.timeline.filter((n) => n.document === 'taxBill')).toEqual([
      {
        time: '2026-11-21T00:00:01.000+08:00',
        event: 'tax-bill',
        messageType: 'CEB816',
        document: 'taxBill',
        meaning: { zh: '已生成', en: 'generated' },
        taxBill: {
          status: '1',
          taxNo: '29242026I00000000101',
          customsTax: '0',
          valueAddedTax: '31.76',
          consumptionTax: '0',
        },
      },
      {
        time: '2026-11-25T09:00:00.000+08:00',
        event: 'tax-bill',
        messageType: 'CEB818',
        document: 'taxBill',
        meaning: { zh: '作废', en: 'void' },
        taxBill: { status: '3', taxNo: '29242026I00000000101' },
      },
      {
        time: '2026-11-26T09:00:00.000+08:00',
        event: 'tax-bill',
        messageType: 'CEB818',
        document: 'taxBill',
        taxBill: { status: '9', taxNo: 'T2' },
      },
    ]);
    // Only a bill's latest status counts: one voided after it is no longer unknown.
    const laterVoid = r('CEB818', {
      guid: 'S3',
      invtNo: inv.invtNo,
      taxNo: 'T2',
      status: '3',
      returnTime: '20261127090000000',
    });
    expect(status([release, bill, voided, odd, laterVoid], { now, sent })[0]!.anomalies).toEqual([]);
    // One bill in two copies with other amounts is two figures to see, whichever path came first; one written
    // 31.760 is the same figure as 31.76.
    const edited = r('CEB816', { ...bill.fields, valueAddedTax: '0' });
    const sameFigure = r('CEB816', { ...bill.fields, valueAddedTax: '31.760' });
    const vat = (rs: StatusReceipt[]) =>
      status(rs, { now, sent })[0]!.timeline.flatMap((n) =>
        n.messageType === 'CEB816' ? [n.taxBill!.valueAddedTax] : [],
      );
    expect(vat([release, bill, edited])).toEqual(['31.76', '0']);
    expect(vat([release, edited, bill])).toEqual(['0', '31.76']);
    expect(vat([release, bill, sameFigure])).toEqual(['31.76']);
    // A bill alone (no declaration, no other receipt) is an order of its own, named by its inventory.
    expect(status([bill], { now }).map((x) => [x.order, x.state, x.anomalies.length])).toEqual([
      [`invtNo:${inv.invtNo}`, 'pending', 0],
    ]);
  });

  it('keeps an order refunded when a later return of the same inventory is refused (the approved one stands)', () => {
    const release = r('CEB622', {
      ...inv,
      returnStatus: '800',
      returnTime: '20261120120000000',
      returnInfo: '[Code:2600;Desc:放行]',
    });
    // One can returned and approved (RET1), then a return of more than is left refused (RET2): each is its own
    // application (copNo), and the first took its goods back whatever the second got.
    const part = r('CEB626', {
      ...inv,
      copNo: 'RET1',
      returnStatus: '399',
      returnTime: '20261125100000000',
      returnInfo: '[Code:2300;Desc:审核通过]',
    });
    const over = r('CEB626', {
      ...inv,
      copNo: 'RET2',
      returnStatus: '100',
      returnTime: '20261126100000000',
      returnInfo: '[Code:1300;Desc:退货数量超过原清单数量]',
    });
    const now = new Date('2026-11-27T00:00:00Z');
    expect(status([release, part, over], { now })[0]!.state).toBe('refunded');
    expect(status([release, over], { now })[0]!.state).toBe('released');
  });

  it('flags a return applied for, or approved, after the return window of the release', () => {
    const release = r('CEB622', {
      ...inv,
      returnStatus: '800',
      returnTime: '20261120120000000',
      returnInfo: '[Code:2600;Desc:放行]',
    });
    const accepted = (t: string) =>
      r('CEB626', { ...inv, returnStatus: '120', returnTime: t, returnInfo: '[Code:1800;Desc:逻辑校验通过]' });
    const approved = (t: string) =>
      r('CEB626', { ...inv, returnStatus: '399', returnTime: t, returnInfo: '[Code:2300;Desc:审核通过]' });
    const now = new Date('2027-02-01T00:00:00Z');
    // In time: accepted on the last day (2026-12-20 23:59:59), approved before the end of 2027-01-04.
    const [ok] = status([release, accepted('20261220235959000'), approved('20270104180000000')], { now });
    expect([ok!.state, ok!.anomalies]).toEqual(['refunded', []]);
    // Accepted one second into day 31: the application was late.
    const [lateApply] = status([release, accepted('20261221000000000'), approved('20261228100000000')], { now });
    expect(lateApply!.anomalies).toMatchObject([
      { kind: 'late-return', document: 'refund', rule: 'applied-after-window', since: '2026-12-21T00:00:00.000+08:00' },
    ]);
    expect(lateApply!.anomalies[0]!.message.en).toBe(
      'The return (CEB626 at 2026-12-21T00:00:00.000+08:00) came after the application deadline 2026-12-20T23:59:59.999+08:00 (inventory released 2026-11-20T12:00:00.000+08:00)',
    );
    expect(lateApply!.anomalies[0]!.fix?.en).toContain(
      'within 30 days of the release and be back in the original site, zone or centre within 45 days',
    );
    // A CEB625 sent in time counts as the application; an approval after the arrival deadline is still flagged.
    const applied = { messageType: 'CEB625' as const, ...inv, appTime: '20261215090000' };
    const [lateApproval] = status([release, accepted('20261222000000000'), approved('20270105000000000')], {
      now,
      sent: [applied],
    });
    expect(lateApproval!.anomalies).toMatchObject([
      { kind: 'late-return', rule: 'approved-after-arrival-deadline', since: '2027-01-05T00:00:00.000+08:00' },
    ]);
    // The window comes from the policy in force on the release date; a caller may replace it.
    const [short] = status([release, accepted('20261125000000000')], {
      now,
      returnWindow: () => ({ applyDays: 3, arriveDays: 7, dayCount: 'from-next-day' }),
    });
    expect(short!.returnWindow?.applyBy).toBe('2026-11-23T23:59:59.999+08:00');
    expect(short!.anomalies.map((a) => `${a.kind}:${a.rule ?? '-'}`)).toEqual([
      'no-delivery-status:-',
      'late-return:applied-after-window',
    ]);
  });

  it('reports a rejection with its [Code:…] reason and the catalogue fix, until a later receipt accepts it', () => {
    const rejected = r('CEB312', {
      orderNo: 'SD202611200001',
      returnStatus: '100',
      returnTime: '20261120101700001',
      returnInfo:
        '[Code:1332;Desc:支付单支付金额与订单支付金额不一致],[OrderHead.acturalPaid:597.87,PaymentHead.amountPaid:590]',
    });
    const [o] = status([rejected], { now: new Date('2026-11-20T03:00:00Z') });
    expect(o!.state).toBe('rejected');
    expect(o!.anomalies).toHaveLength(1);
    expect(o!.anomalies[0]).toMatchObject({
      kind: 'rejected',
      document: 'order',
      code: '1332',
      since: '2026-11-20T10:17:00.001+08:00',
    });
    expect(o!.anomalies[0]!.message.zh).toContain('[Code:1332] 支付单支付金额与订单支付金额不一致');
    expect(o!.anomalies[0]!.fix?.en.length).toBeGreaterThan(10);
    const accepted = r('CEB312', {
      orderNo: 'SD202611200001',
      returnStatus: '120',
      returnTime: '20261120110000000',
      returnInfo: '[Code:1800;Desc:逻辑校验通过]',
    });
    const [again] = status([rejected, accepted], { now: new Date('2026-11-20T03:00:00Z') });
    expect(again!.anomalies).toEqual([]);
    expect(again!.state).toBe('accepted');
  });

  it('flags a release without delivery status after N days, and a sent document never acknowledged after N hours', () => {
    const release = r('CEB622', {
      ...inv,
      returnStatus: '800',
      returnTime: '20261120120000000',
      returnInfo: '[Code:2600;Desc:放行]',
    });
    const early = status([release], { now: new Date('2026-11-26T00:00:00Z'), sent });
    expect(early[0]!.anomalies.map((a) => a.kind)).toEqual([
      'not-acknowledged',
      'not-acknowledged',
      'not-acknowledged',
    ]);
    const late = status([release], { now: new Date('2026-11-28T05:00:00Z'), sent, deliveryDays: 7 });
    const kinds = late[0]!.anomalies.map((a) => `${a.kind}:${a.document}`);
    expect(kinds).toEqual([
      'no-delivery-status:logisticsStatus',
      'not-acknowledged:order',
      'not-acknowledged:payment',
      'not-acknowledged:logistics',
    ]);
    expect(late[0]!.anomalies[0]!.message.en).toContain('8 days later');
    // Within the acknowledgement window nothing is flagged yet.
    expect(status([], { now: new Date('2026-11-20T03:00:00Z'), sent })[0]!.anomalies).toEqual([]);
    expect(status([], { now: new Date('2026-11-21T03:00:00Z'), sent, ackHours: 24 })[0]!.anomalies).toHaveLength(4);
  });

  it('flags inconsistent receipts: released after an approved cancel, refund without release', () => {
    const cancel = r('CEB624', {
      ...inv,
      returnStatus: '399',
      returnTime: '20261120110000000',
      returnInfo: '[Code:2300;Desc:审核通过]',
    });
    const release = r('CEB622', {
      ...inv,
      returnStatus: '800',
      returnTime: '20261120120000000',
      returnInfo: '[Code:2600;Desc:放行]',
    });
    const [o] = status([release, cancel], { now: new Date('2026-11-20T05:00:00Z') });
    expect(o!.state).toBe('cancelled');
    expect(o!.anomalies).toMatchObject([{ kind: 'inconsistent', rule: 'released-after-cancel' }]);
    const refund = r('CEB626', {
      ...inv,
      returnStatus: '399',
      returnTime: '20261125110000000',
      returnInfo: '[Code:2300;Desc:审核通过]',
    });
    const [p] = status([refund], { now: new Date('2026-11-26T00:00:00Z') });
    expect(p!.order).toBe('copNo:INV202611200001');
    expect(p!.anomalies).toMatchObject([{ kind: 'inconsistent', rule: 'refund-without-release' }]);
  });
});

describe('statusInputsOfDeclaration: what status takes from a JSON record, and what it cannot read of it', () => {
  const en = (input: unknown) => statusInputsOfDeclaration(input).issues.map((i) => i.message.en);
  it('reads a declaration whole: its sent documents, no issue', () => {
    expect(statusInputsOfDeclaration(decl)).toEqual({ receipts: [], sent, issues: [] });
    // a blank appTime is none (as an empty optional field is absent); 17 digits are a time
    expect(
      statusInputsOfDeclaration({ order: { orderNo: 'X', appTime: ' ' }, inventory: { appTime: '20261120101500123' } })
        .issues,
    ).toEqual([]);
  });

  it('names what is no declaration, a document that is not an object, an appTime that is no time', () => {
    expect(statusInputsOfDeclaration({})).toEqual({
      receipts: [],
      sent: [],
      issues: [
        {
          code: 'status-not-declaration',
          severity: 'error',
          path: '',
          ruleId: 'reconcile/status-input',
          message: {
            zh: '不是申报：不含 order、payment、logistics、inventory 中的任何一个；已跳过',
            en: 'not a declaration: it has none of order, payment, logistics, inventory; skipped',
          },
        },
      ],
    });
    expect(en({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toEqual([
      'not a declaration: it has none of order, payment, logistics, inventory (its keys: a, b, c, d, e, …); skipped',
    ]);
    // Five keys are all named: no ellipsis.
    expect(en({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toEqual([
      'not a declaration: it has none of order, payment, logistics, inventory (its keys: a, b, c, d, e); skipped',
    ]);
    // A near miss of a document's name is named.
    expect(statusInputsOfDeclaration({ inventroy: {} }).issues[0]!.message).toEqual({
      zh: '不是申报：不含 order、payment、logistics、inventory 中的任何一个（inventroy：是否应为 inventory？）；已跳过',
      en: 'not a declaration: it has none of order, payment, logistics, inventory (inventroy: did you mean inventory?); skipped',
    });
    expect(en([decl])).toEqual(['not a declaration: a JSON array, not an object; skipped']);
    expect(en(42)).toEqual(['not a declaration: a JSON number, not an object; skipped']);
    expect(statusInputsOfDeclaration([decl]).sent).toEqual([]);
    const partly = statusInputsOfDeclaration({
      order: null,
      inventory: { appTime: true },
      logistics: { appTime: '2026112010150' },
    });
    expect(partly.issues.map((i) => [i.code, i.severity, i.path, i.message.en])).toEqual([
      ['status-document-not-object', 'error', 'order', 'order is not an object (got null); left out'],
      [
        'status-time-invalid',
        'error',
        'logistics.appTime',
        'logistics.appTime is not a time as yyyyMMddHHmmss (got "2026112010150"); shown without a time',
      ],
      [
        'status-time-invalid',
        'error',
        'inventory.appTime',
        'inventory.appTime is not a time as yyyyMMddHHmmss (got true); shown without a time',
      ],
    ]);
    expect(partly.issues[1]!.message.zh).toBe(
      'logistics.appTime 不是 yyyyMMddHHmmss 格式的时间（实际为 "2026112010150"）；时间线中显示为无时间',
    );
    // the documents it could read are still sent (without a time where it had none)
    expect(partly.sent.map((d) => [d.messageType, d.appTime])).toEqual([
      ['CEB511', '2026112010150'],
      ['CEB621', undefined],
    ]);
    // what it names as left out is left out
    expect(sentFromDeclaration({ order: 'SD1', payment: [], inventory: { orderNo: 'SD1' } })).toEqual([
      {
        messageType: 'CEB621',
        orderNo: 'SD1',
        logisticsNo: undefined,
        copNo: undefined,
        preNo: undefined,
        invtNo: undefined,
        appTime: undefined,
      },
    ]);
  });
});
