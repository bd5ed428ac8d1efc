import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SentDocument, status, type StatusReceipt } from '../../src/reconcile/index.js';
import { explainCode } from '../../src/xml/index.js';

// One parcel's documents, joined by its declarations (receipts alone group by their own numbers). Beijing times.
const NOW = new Date('2026-11-22T00:00:00Z');
const KEYS = { orderNo: 'SD202611200001', ebpCode: '3301964J31' };
const INV = { copNo: 'INV202611200001', preNo: 'B20261120000000001', invtNo: '29242026I000000001' };
const WAYBILL = { logisticsCode: '3301980101', logisticsNo: 'YT202611200001' };
const PAY = { payCode: '312226T001', payTransactionId: 'PAY202611200001' };
const SENT: SentDocument[] = [
  { messageType: 'CEB311', ...KEYS, payTransactionId: PAY.payTransactionId, appTime: '20261120095900' },
  { messageType: 'CEB411', ...KEYS, payTransactionId: PAY.payTransactionId, appTime: '20261120095900' },
  { messageType: 'CEB511', orderNo: KEYS.orderNo, logisticsNo: WAYBILL.logisticsNo, appTime: '20261120095900' },
  {
    messageType: 'CEB621',
    ...KEYS,
    copNo: INV.copNo,
    logisticsNo: WAYBILL.logisticsNo,
    payTransactionId: PAY.payTransactionId,
    appTime: '20261120095900',
  },
];
type Doc = 'order' | 'payment' | 'logistics' | 'inventory';
const TYPE = { order: 'CEB312', payment: 'CEB412', logistics: 'CEB512', inventory: 'CEB622' } as const;
const FIELDS = { order: KEYS, payment: { ...KEYS, ...PAY }, logistics: WAYBILL, inventory: { ...KEYS, ...INV } };
const receipt = (doc: Doc, returnStatus: string, returnTime: string, returnInfo = ''): StatusReceipt => ({
  messageType: TYPE[doc],
  fields: { ...FIELDS[doc], returnStatus, returnTime, returnInfo },
});
const run = (receipts: StatusReceipt[]) => status(receipts, { now: NOW, sent: SENT });
/** yyyyMMddHHmmssSSS, `ms` after 2026-11-20 12:00 Beijing time. */
const at = (ms: number) => new Date(Date.UTC(2026, 10, 20, 12) + ms).toISOString().replace(/\D/g, '').slice(0, 17);

// The order, payment and waybill taken in (120 [Code:1800;Desc:逻辑校验通过]), the inventory taken in and released
// (800 [Code:2600;Desc:放行]): the parcel has left the bonded zone.
const RELEASED = [
  receipt('order', '120', '20261120100000000', '[Code:1800;Desc:逻辑校验通过]'),
  receipt('payment', '120', '20261120100000000', '[Code:1800;Desc:逻辑校验通过]'),
  receipt('logistics', '120', '20261120100000000', '[Code:1800;Desc:逻辑校验通过]'),
  receipt('inventory', '2', '20261120100100000', '新增申报成功'),
  receipt('inventory', '120', '20261120100200000', '[Code:1800;Desc:逻辑校验通过]'),
  receipt('inventory', '800', '20261120110000000', '[Code:2600;Desc:放行]'),
];

describe('a refusal of the inventory after its release, when a 120 is timed after the 800', () => {
  // The release is what stands: a released inventory cannot be changed (the catalogue's -621012, 已放行的清单不能改单),
  // whatever customs' receipt came last. The release was read from customs' latest answer, so a 120 timed after the
  // 800 (no source shows customs sending one; an archive's clock may) made a later refusal read rejected.
  it('leaves the parcel released, the refusal told as one of a later message', () => {
    const late120 = receipt('inventory', '120', at(1800_000), '[Code:1800;Desc:逻辑校验通过]');
    const refused = receipt('inventory', '100', at(3600_000), '[Code:1301;Desc:系统异常，请稍后重试]');
    const o = run([...RELEASED, late120, refused])[0]!;
    expect(o.state).toBe('released');
    expect(o.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['resend-refused', 'inventory', '1301']]);
  });
});

describe("a refusal of the order, payment or waybill after customs released the parcel's inventory", () => {
  // Customs releases an inventory only once it matched its order, payment and waybill, and none of them can be changed
  // after it (海关跨境电商统一版系统企业对接报文规范（202205版） 表7-2 -301011 该订单已申报清单; a released inventory's
  // order is refused as 对应清单已放行): the refusal is of a later message, and the release stands.
  it('leaves the parcel released, with the refused message named (it read rejected, inviting a new declaration)', () => {
    const base = run(RELEASED)[0]!;
    expect([base.state, base.anomalies]).toEqual(['released', []]);
    for (const doc of ['order', 'payment', 'logistics'] as const) {
      const [o, more] = run([...RELEASED, receipt(doc, '100', at(3600_000), '[Code:1301;Desc:系统异常，请稍后重试]')]);
      expect(more).toBeUndefined();
      expect([doc, o!.state, o!.documents]).toEqual([doc, 'released', base.documents]);
      expect(o!.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['resend-refused', doc, '1301']]);
    }
  });

  // At one instant the timeline reads customs' answers by status number, so a 100 comes before the 800 beside it; the
  // release still came with the order, payment and waybill matched, and whether the refusal is a millisecond later or
  // in the same one (receipts timed to the second can share it) says nothing else of the parcel.
  it('leaves the parcel released when the refusal has the release’s own returnTime (to the millisecond or second)', () => {
    const release = RELEASED.at(-1)!.fields.returnTime as string;
    const base = run(RELEASED)[0]!;
    for (const time of [release, release.slice(0, 14)]) {
      const released = RELEASED.map((r) =>
        r.fields.returnStatus === '800' ? receipt('inventory', '800', time, '[Code:2600;Desc:放行]') : r,
      );
      for (const doc of ['order', 'payment', 'logistics'] as const) {
        const [o] = run([...released, receipt(doc, '100', time, '[Code:1301;Desc:系统异常，请稍后重试]')]);
        expect([time, doc, o!.state, o!.documents]).toEqual([time, doc, 'released', run(released)[0]!.documents]);
        expect(o!.anomalies.map((a) => [a.kind, a.document, a.code])).toEqual([['resend-refused', doc, '1301']]);
      }
    }
    expect(base.state).toBe('released');
  });

  it('counts as the document state while the inventory is not released (taken in only, 120)', () => {
    const notReleased = RELEASED.filter((r) => r.fields.returnStatus !== '800');
    const [o] = run([...notReleased, receipt('order', '100', at(3600_000), '[Code:1301;Desc:系统异常，请稍后重试]')]);
    expect([o!.state, o!.anomalies.map((a) => [a.kind, a.code])]).toEqual(['rejected', [['rejected', '1301']]]);
  });
});

describe('property: after the release, no refusal of any document changes what sandan says of the parcel', () => {
  it('any of order, payment, waybill or inventory; status 100, 4 or a negative code; any later time', () => {
    const base = run(RELEASED)[0]!;
    fc.assert(
      fc.property(
        fc.constantFrom<Doc>('order', 'payment', 'logistics', 'inventory'),
        fc.oneof(
          fc.constant('100'),
          fc.constant('4'),
          fc
            .integer({ min: -999999, max: -1 })
            .map(String)
            // (a code saying the message reached customs refuses nothing: the later message's state, as a 3 is)
            .filter((c) => explainCode(c)?.reachedCustoms !== true),
        ),
        fc.integer({ min: 1, max: 86_399_000 }),
        (doc, st, after) => {
          const [o] = run([...RELEASED, receipt(doc, st, at(after), '申报失败')]);
          expect([o!.state, o!.documents]).toEqual(['released', base.documents]);
          expect(o!.anomalies.map((a) => a.kind)).toEqual(['resend-refused']);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('property: receipts with distinct returnTimes tell the same in any input order', () => {
  // The returnTime orders a document's receipts (yyyyMMddHHmmssSSS, 附件2 XSD); the order they are read in (files,
  // a folder's listing) is not customs' order.
  const ev = fc.record({
    doc: fc.constantFrom<Doc>('order', 'payment', 'logistics', 'inventory'),
    status: fc.constantFrom(
      '2',
      '3',
      '4',
      '100',
      '120',
      '300',
      '399',
      '500',
      '501',
      '800',
      '899',
      '-621004',
      '-301010',
    ),
  });
  it('status() of a shuffled list equals status() of the list sorted by time', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 86_399_999 }), { minLength: 1, maxLength: 8 }),
        fc.array(ev, { minLength: 8, maxLength: 8 }),
        fc.func(fc.integer()),
        (times, evs, key) => {
          const receipts = times.map((t, i) => receipt(evs[i]!.doc, evs[i]!.status, at(t), `r${i}`));
          const sorted = [...receipts].sort((a, b) =>
            String(a.fields.returnTime).localeCompare(String(b.fields.returnTime)),
          );
          const shuffled = receipts
            .map((r, i) => [key(i), i, r] as const)
            .sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .map(([, , r]) => r);
          expect(run(shuffled)).toEqual(run(sorted));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('property: receipts of one instant tell the same state in any input order', () => {
  // At one instant the timeline puts the E-Port's steps before customs' answers, and those by status number (the
  // process order of the specification's numbering): the files' order decides nothing of the state or the documents.
  it('three instants, any statuses, any input order', () => {
    const ev = fc.record({
      doc: fc.constantFrom<Doc>('order', 'payment', 'logistics', 'inventory'),
      status: fc.constantFrom('2', '3', '4', '100', '120', '300', '500', '800', '899', '-621004', '-301010'),
      ms: fc.constantFrom(0, 1, 2),
    });
    fc.assert(
      fc.property(fc.array(ev, { minLength: 1, maxLength: 8 }), fc.func(fc.integer()), (evs, key) => {
        const receipts = evs.map((e, i) => receipt(e.doc, e.status, at(e.ms), `r${i}`));
        const shuffled = receipts
          .map((r, i) => [key(i), i, r] as const)
          .sort((a, b) => a[0] - b[0] || a[1] - b[1])
          .map(([, , r]) => r);
        const told = (rs: StatusReceipt[]) => run(rs).map((o) => [o.order, o.state, o.documents]);
        expect(told(shuffled)).toEqual(told(receipts));
      }),
      { numRuns: 300 },
    );
  });
});
