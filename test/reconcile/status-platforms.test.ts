import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  sentFromDeclaration,
  sentFromMessage,
  status,
  type SentDocument,
  type StatusReceipt,
} from '../../src/reconcile/index.js';
import { formatStatusText } from '../../src/cli/reconcile-command.js';
import { runCli } from '../helpers/cli.js';

/*
 * An orderNo is unique only within a platform (ebpCode). A broker's folder may hold two platforms'
 * orders of one number: `status` keeps them apart, and joins what names no platform (a waybill, a
 * tax bill) only where that cannot join the two.
 */

const r = (messageType: StatusReceipt['messageType'], fields: Record<string, string>): StatusReceipt => ({
  messageType,
  fields,
});
const NOW = new Date('2026-11-21T00:00:00Z');
const [A, B] = ['3301964J31', '3301964J77'];

/** The Hangzhou example (platform A), and the same orderNo on platform B with its own numbers. */
type Declaration = Record<string, Record<string, unknown>>;
function declarations(): [Declaration, Declaration] {
  const a = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
  for (const k of ['order', 'payment', 'logistics', 'inventory']) a[k].appTime = '20261120101500';
  Object.assign(a.inventory, { copNo: 'INV-A', preNo: 'PRE-A', invtNo: 'INVT-A' });
  const b = structuredClone(a);
  b.order.ebpCode = b.payment.ebpCode = b.inventory.ebpCode = B;
  b.order.payTransactionId = b.payment.payTransactionId = 'PAY-B';
  b.logistics.logisticsNo = b.inventory.logisticsNo = 'ZT-B';
  Object.assign(b.inventory, { copNo: 'INV-B', preNo: 'PRE-B', invtNo: 'INVT-B' });
  return [a, b];
}
const ORDER = 'SD202611200001';
const at = (t: string) => ({ returnTime: `20261120${t}00000` });

describe('status: one orderNo on two platforms', () => {
  const [a, b] = declarations();
  const sent = [...sentFromDeclaration(a), ...sentFromDeclaration(b)];
  const receipts = [
    r('CEB312', { orderNo: ORDER, ebpCode: A, returnStatus: '120', ...at('1017') }),
    r('CEB312', { orderNo: ORDER, ebpCode: B, returnStatus: '120', ...at('1018') }),
    r('CEB622', { copNo: 'INV-A', invtNo: 'INVT-A', ebpCode: A, returnStatus: '800', ...at('1200') }),
    r('CEB622', {
      copNo: 'INV-B',
      ebpCode: B,
      returnStatus: '100',
      returnInfo: '[Code:1313;Desc:超过年度限额]',
      ...at('1201'),
    }),
    // A tax bill names the orderNo (beyond the XSD) but no platform: it is A's by its invtNo.
    r('CEB816', {
      invtNo: 'INVT-A',
      orderNo: ORDER,
      taxNo: 'INVT-A01',
      status: '1',
      valueAddedTax: '15.90',
      ...at('1300'),
    }),
  ];

  it('two orders, each with its own receipts and state; the bill joins A by invtNo and does not join B to it', () => {
    const out = status(receipts, { now: NOW, sent });
    expect(out.map((o) => [o.order, o.keys.ebpCode, o.state, o.keys.invtNo])).toEqual([
      [ORDER, [A], 'released', ['INVT-A']],
      [ORDER, [B], 'rejected', ['INVT-B']],
    ]);
    // (before: one order holding both platforms' documents, released and rejected at once)
    const [oa, ob] = out;
    expect(
      oa!.timeline
        .filter((n) => n.event !== 'sent')
        .map((n) => `${n.messageType}:${n.returnStatus ?? n.taxBill?.status}`),
    ).toEqual(['CEB312:120', 'CEB622:800', 'CEB816:1']);
    expect(ob!.timeline.filter((n) => n.event !== 'sent').map((n) => `${n.messageType}:${n.returnStatus}`)).toEqual([
      'CEB312:120',
      'CEB622:100',
    ]);
    expect(ob!.anomalies.map((x) => x.kind)).toContain('rejected');
    expect(oa!.keys.logisticsNo).toEqual(['ZT7700012345678']);
    expect(ob!.keys.logisticsNo).toEqual(['ZT-B']);
  });

  it('waybills sent on their own name no platform: each joins its order through its logisticsNo, not both through the orderNo', () => {
    // The waybills as CEB511 messages (no ebpCode), the rest from the declarations without their waybills.
    const onlyOrders = [a, b].flatMap((d) => sentFromDeclaration({ ...d, logistics: undefined }));
    const waybills = sentFromMessage('CEB511', [a.logistics!, b.logistics!]);
    expect(waybills.map((w) => w.ebpCode)).toEqual([undefined, undefined]);
    const out = status([r('CEB512', { logisticsNo: 'ZT-B', returnStatus: '120', ...at('1019') })], {
      now: NOW,
      sent: [...onlyOrders, ...waybills],
    });
    expect(out.map((o) => [o.keys.ebpCode, o.keys.logisticsNo, o.timeline.length])).toEqual([
      [[A], ['ZT7700012345678'], 4],
      [[B], ['ZT-B'], 5],
    ]);
  });

  it('with one platform, what names no platform joins it as before', () => {
    const out = status(
      [
        r('CEB312', { orderNo: ORDER, returnStatus: '120', ...at('1017') }), // no ebpCode
        r('CEB816', { invtNo: 'INVT-OTHER', orderNo: ORDER, taxNo: 'T1', status: '1', ...at('1300') }),
      ],
      { now: NOW, sent: sentFromDeclaration(a) },
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.keys.ebpCode).toEqual([A]);
    expect(out[0]!.keys.invtNo).toEqual(['INVT-A', 'INVT-OTHER']);
    // Without any platform named anywhere, nothing changes either.
    const bare = status([r('CEB312', { orderNo: ORDER, returnStatus: '120', ...at('1017') })], { now: NOW });
    expect(bare.map((o) => [o.order, o.keys.ebpCode])).toEqual([[ORDER, []]]);
  });

  it('a receipt naming no platform of an orderNo two platforms have joins neither, and is an order of its own', () => {
    const out = status([...receipts, r('CEB312', { orderNo: ORDER, returnStatus: '100', ...at('1400') })], {
      now: NOW,
      sent,
    });
    expect(out.map((o) => [o.keys.ebpCode, o.state])).toEqual([
      [[], 'rejected'],
      [[A], 'released'],
      [[B], 'rejected'],
    ]);
  });

  it('the text heading names the platform when two orders share a number', () => {
    const [oa] = status(receipts, { now: NOW, sent });
    expect(formatStatusText(oa!, { platform: true }).split('\n')[0]).toBe(`${ORDER} (ebpCode ${A})  state: released`);
    expect(formatStatusText(oa!).split('\n')[0]).toBe(`${ORDER}  state: released`);
  });

  it('sandan status: two headings of one number, each with its platform; --order finds both, a platform code none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-status-platforms-'));
    try {
      const file = join(dir, 'orders.ndjson');
      writeFileSync(file, `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
      const r = await runCli(['status', file, '--now', '2026-11-20T03:00:00Z']);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n').filter((l) => l.startsWith(ORDER))).toEqual([
        `${ORDER} (ebpCode ${A})  state: sent`,
        `${ORDER} (ebpCode ${B})  state: sent`,
      ]);
      const one = await runCli([
        'status',
        file,
        '--now',
        '2026-11-20T03:00:00Z',
        '--order',
        'INVT-B',
        '--format',
        'json',
      ]);
      expect(JSON.parse(one.stdout).orders.map((o: { keys: { ebpCode: string[] } }) => o.keys.ebpCode)).toEqual([[B]]);
      const platform = await runCli(['status', file, '--now', '2026-11-20T03:00:00Z', '--order', A]);
      expect(platform.stdout).toContain(`no receipt, message or declaration in 1 file names ${A}`);
      expect(platform.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('status: any mix of platforms sharing order numbers (property)', () => {
  // Orders on up to three platforms with numbers drawn from a small set (so that they collide), every
  // other number of their own. Each order's documents come as a declaration or as messages, the
  // waybill alone (no platform), receipts with or without ebpCode, and perhaps a bill naming the orderNo.
  const order = fc.record({
    platform: fc.constantFrom('P1', 'P2', 'P3'),
    orderNo: fc.constantFrom('N1', 'N2'),
    asDeclaration: fc.boolean(),
    receiptNamesPlatform: fc.boolean(),
    billNamesOrder: fc.boolean(),
  });
  it('never puts two platforms in one order, and each order’s own documents all land in one order of its platform', () => {
    fc.assert(
      fc.property(fc.uniqueArray(order, { selector: (o) => `${o.platform}|${o.orderNo}`, maxLength: 6 }), (orders) => {
        const sent: SentDocument[] = [];
        const receipts: StatusReceipt[] = [];
        orders.forEach((o, i) => {
          const doc = { orderNo: o.orderNo, ebpCode: o.platform, appTime: '20261120101500' };
          const inventory = { ...doc, logisticsNo: `L${i}`, copNo: `C${i}`, invtNo: `I${i}` };
          if (o.asDeclaration)
            sent.push(
              ...sentFromDeclaration({
                order: doc,
                payment: { ...doc, payTransactionId: `Y${i}` },
                logistics: { orderNo: o.orderNo, logisticsNo: `L${i}`, appTime: doc.appTime },
                inventory,
              }),
            );
          else
            sent.push(
              ...sentFromMessage('CEB311', [doc]),
              ...sentFromMessage('CEB411', [{ ...doc, payTransactionId: `Y${i}` }]),
              ...sentFromMessage('CEB511', [{ orderNo: o.orderNo, logisticsNo: `L${i}`, appTime: doc.appTime }]),
              ...sentFromMessage('CEB621', [inventory]),
            );
          receipts.push(
            r('CEB312', {
              orderNo: o.orderNo,
              ...(o.receiptNamesPlatform && { ebpCode: o.platform }),
              returnStatus: '120',
              ...at('1017'),
            }),
            r('CEB622', { copNo: `C${i}`, invtNo: `I${i}`, returnStatus: '800', ...at('1200') }),
            r('CEB816', {
              invtNo: `I${i}`,
              ...(o.billNamesOrder && { orderNo: o.orderNo }),
              taxNo: `T${i}`,
              status: '1',
              ...at('1300'),
            }),
          );
        });
        const out = status(receipts, { now: NOW, sent });
        for (const s of out) expect(s.keys.ebpCode.length, JSON.stringify(s.keys)).toBeLessThanOrEqual(1);
        orders.forEach((o, i) => {
          // The order's inventory (I<i>) is in exactly one order, of its platform, with its 4 sent documents,
          // its inventory receipt and its bill.
          const mine = out.filter((s) => s.keys.invtNo.includes(`I${i}`));
          expect(mine).toHaveLength(1);
          expect(mine[0]!.keys.ebpCode).toEqual([o.platform]);
          const events = mine[0]!.timeline.map((n) => n.messageType);
          for (const t of ['CEB311', 'CEB411', 'CEB511', 'CEB621', 'CEB622', 'CEB816'])
            expect(events, `${t} of order ${i}`).toContain(t);
          // Its order receipt joins it when it names the platform, or when no other platform has the number.
          const shared = orders.some((x) => x !== o && x.orderNo === o.orderNo);
          if (o.receiptNamesPlatform || !shared) expect(events).toContain('CEB312');
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('status: two orders joined by a key they share', () => {
  it('says the orders share numbers (inconsistent, orders-share-keys) instead of showing one order', () => {
    // Two orders of platform A whose declarations (a copy edited by hand) kept the first one's copNo, waybill and
    // payment numbers: every receipt naming those keys fits both.
    const [a] = declarations();
    const second = structuredClone(a);
    for (const doc of ['order', 'payment', 'inventory']) second[doc]!.orderNo = 'SD202611200002';
    const groups = status([], { now: NOW, sent: [...sentFromDeclaration(a), ...sentFromDeclaration(second)] });
    expect(groups).toHaveLength(1);
    expect(groups[0]!.keys.orderNo).toEqual([ORDER, 'SD202611200002']);
    expect(groups[0]!.anomalies.filter((x) => x.kind === 'inconsistent')).toEqual([
      {
        kind: 'inconsistent',
        document: 'order',
        rule: 'orders-share-keys',
        message: {
          zh: `订单 ${ORDER}, SD202611200002 共用清单编号、运单号或支付交易号，其回执无法区分`,
          en: `Orders ${ORDER}, SD202611200002 share an inventory, waybill or payment number, so their receipts cannot be told apart`,
        },
        fix: {
          zh: '每个订单须有自己的清单企业内部编号（copNo）、运单号（logisticsNo）和支付交易号（payTransactionId）：核对申报数据',
          en: 'Each order needs its own copNo, logisticsNo and payTransactionId: check the declarations',
        },
        since: '2026-11-20T10:15:00.000+08:00',
      },
    ]);
    // One order alone has no such anomaly.
    const alone = status([], { now: NOW, sent: sentFromDeclaration(a) });
    expect(alone[0]!.anomalies.some((x) => x.rule === 'orders-share-keys')).toBe(false);
  });
});
