import { describe, expect, it } from 'vitest';
import { renderStatusHtml, status } from '../../src/reconcile/index.js';
import { runCli } from '../helpers/cli.js';

/*
 * Receipts alone: a CEB312 names the orderNo, a CEB622 the copNo. A platform that numbers its inventory as its order
 * (copNo SD202611200007 = orderNo SD202611200007) gets two orders, the order accepted (120) and the inventory rejected
 * (100, 130126). Asked about the order, a user saw "accepted" and nothing of the rejection: each now names the other.
 */

const DIR = 'test/fixtures/xml/shared-number';
const NO = 'SD202611200007';
const NOW = ['--now', '2026-11-20T12:00:00'];

describe('status: orders that share a number without the declarations', () => {
  it('the text of --order names the inventory group rejected under the same number as copNo', async () => {
    // Asked by the order's own orderNo, then by the inventory's preNo (only the inventory group matches it).
    const byOrder = await runCli(['status', DIR, '--order', NO, ...NOW]);
    const head = byOrder.stdout.split('\n\n')[0]!;
    expect(head.split('\n')[0]).toBe(`${NO}  state: accepted`);
    expect(head).toContain(`related: 订单 copNo:${NO}（rejected）的 copNo 与本订单的 orderNo 同为 ${NO}`);
    expect(head).toContain(`/ copNo:${NO} (state rejected) has ${NO} as its copNo, which is this order's orderNo`);
    const byPreNo = await runCli(['status', DIR, '--order', 'B20261120000000007', ...NOW]);
    expect(byPreNo.stdout.split('\n')[0]).toBe(`copNo:${NO}  state: rejected`);
    expect(byPreNo.stdout).toContain(`/ ${NO} (state accepted) has ${NO} as its orderNo, which is this order's copNo`);
  });

  it('the JSON gives relatedGroups with each group key and state', async () => {
    const r = await runCli(['status', DIR, '--order', NO, '--format', 'json', ...NOW]);
    const orders = JSON.parse(r.stdout).orders as Array<Record<string, unknown>>;
    expect(orders.map((o) => [o.order, o.state, o.relatedGroups])).toEqual([
      [
        NO,
        'accepted',
        [
          {
            order: `copNo:${NO}`,
            ebpCode: [],
            state: 'rejected',
            shared: { value: NO, here: 'orderNo', there: 'copNo' },
          },
        ],
      ],
      [
        `copNo:${NO}`,
        'rejected',
        [
          {
            order: NO,
            ebpCode: ['3301964J31'],
            state: 'accepted',
            shared: { value: NO, here: 'copNo', there: 'orderNo' },
          },
        ],
      ],
    ]);
  });

  it('the page lists the related group under the order', async () => {
    const r = await runCli(['status', DIR, '--order', NO, '--format', 'html', ...NOW]);
    const first = r.stdout.slice(r.stdout.indexOf('id="order-0"'), r.stdout.indexOf('id="order-1"'));
    expect(first).toContain(`<ul class="related"><li data-order="copNo:${NO}" data-state="rejected">`);
  });

  it('no relation where the numbers differ, nor between two platforms with one orderNo, nor once a declaration joins them', () => {
    const now = new Date('2026-11-20T04:00:00Z');
    const order = (orderNo: string, ebpCode: string) => ({
      messageType: 'CEB312' as const,
      fields: { orderNo, ebpCode, returnStatus: '120', returnTime: '20261120101700001' },
    });
    const invt = (copNo: string) => ({
      messageType: 'CEB622' as const,
      fields: { copNo, returnStatus: '100', returnTime: '20261120110000000' },
    });
    expect(status([order('SD1', 'P1'), invt('INV1')], { now }).some((o) => o.relatedGroups)).toBe(false);
    expect(status([order('SD1', 'P1'), order('SD1', 'P2')], { now }).some((o) => o.relatedGroups)).toBe(false);
    const joined = status([order('SD1', 'P1'), invt('SD1')], {
      now,
      sent: [{ messageType: 'CEB621', orderNo: 'SD1', ebpCode: 'P1', copNo: 'SD1', appTime: '20261120100000' }],
    });
    expect(joined.map((o) => [o.order, o.state, o.relatedGroups])).toEqual([['SD1', 'rejected', undefined]]);
    // (the page of a report read back from a file checks the field's shape)
    expect(() =>
      renderStatusHtml({ now: '', orders: [{ ...joined[0]!, relatedGroups: [{ order: 1 }] as never }] }),
    ).toThrow();
  });
});
