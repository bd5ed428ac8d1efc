// Journey 1 after the sale, through the example order service's own cancel and return (examples/order-service),
// against the customs emulator over HTTP: a cancel before release gives the quota back, one after release is
// refused (-623005); a partial return gives back its lines' share, a return of more than is left is refused (100),
// and the rest gives back what the order still counts. Every figure by hand.
import { describe, expect, it } from 'vitest';
import { declaration } from '../helpers/orders.js';
import { afterSaleJourney, BUYER } from './helpers.js';

const journey = afterSaleJourney();

describe('the example order service after the sale', () => {
  it('cancels before release, is refused after it, returns part, is refused more than is left, returns the rest', async () => {
    const { url, ledger, shop, client } = await journey.start();
    const advance = async (by: string) =>
      expect((await fetch(new URL(`/admin/advance?by=${by}`, url), { method: 'POST' })).status).toBe(200);
    /** The service's receipt loop: what came back since the last poll, each handed to onReceipt. */
    const follow = async () => {
      for (const r of await client.poll()) expect((await shop.onReceipt(r.xml)).issues).toEqual([]);
    };
    const remaining = async () => (await ledger.remaining(BUYER, 2026)).remaining.toFixed(2);
    /** An application made by the service, sent; then an hour of customs' time and its receipts. */
    const apply = async (made: Awaited<ReturnType<typeof shop.cancel>>) => {
      if (!made.ok) throw new Error(JSON.stringify(made));
      await client.send(made.message);
      await advance('1h');
      await follow();
      return shop.application(made.copNo)!;
    };

    // KEEP1 is held at 500 (查验) for a day, long enough to be cancelled; RET1 is released.
    const hold = { orderNo: 'KEEP1', scenario: { hold: { status: '500', for: '1d' } } };
    const scenario = await fetch(new URL('/admin/scenario', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(hold),
    });
    expect(scenario.status).toBe(200);
    // Before customs has numbered the inventory there is nothing to cancel yet.
    for (const no of ['KEEP1', 'RET1']) {
      const r = await shop.checkout(declaration(no));
      if (!r.ok) throw new Error(JSON.stringify(r));
      for (const xml of Object.values(r.messages)) expect((await client.send(xml)).accepted).toBe(true);
    }
    expect(await shop.cancel('KEEP1', { reason: '买家取消订单' })).toMatchObject({
      ok: false,
      stage: 'order',
      issues: [{ code: 'invtNo-missing', path: 'orderNo' }],
    });
    expect(await shop.cancel('NOSUCH', { reason: '买家取消订单' })).toMatchObject({
      ok: false,
      issues: [{ code: 'order-unknown' }],
    });
    // Two orders of 548.00 each: 26,000.00 − 2 × 548.00 = 24,904.00.
    expect(await remaining()).toBe('24904.00');
    await advance('1h');
    await follow();
    expect([shop.whereIs('KEEP1')?.state, shop.whereIs('RET1')?.state]).toEqual(['pending', 'released']);

    // A buyer's cancel without a reason is an answer (cancel-no-reason), not an exception; nothing is sent.
    expect(await shop.cancel('KEEP1', { reason: ' ' })).toEqual({
      ok: false,
      stage: 'validate',
      issues: [expect.objectContaining({ code: 'cancel-no-reason', severity: 'error', path: 'reason' })],
    });
    expect(shop.whereIs('KEEP1')?.state).toBe('pending');
    // The cancel before release: approved (399), and all 548.00 back: 24,904.00 + 548.00 = 25,452.00.
    const cancelled = await apply(await shop.cancel('KEEP1', { reason: '买家取消订单' }));
    expect(cancelled).toMatchObject({
      kind: 'cancel',
      orderNo: 'KEEP1',
      state: 'approved',
      returnStatus: '399',
      returnInfo: '[Code:2300;Desc:审核通过]',
      quotaBack: '548.00',
    });
    expect(await remaining()).toBe('25452.00');
    expect(shop.whereIs('KEEP1')?.state).toBe('cancelled');

    // A cancel after release: customs refuses it (-623005), and the quota stays as it was.
    const late = await apply(await shop.cancel('RET1', { reason: '买家取消订单' }));
    expect(late).toMatchObject({ kind: 'cancel', state: 'refused', returnStatus: '-623005' });
    expect(late.quotaBack).toBeUndefined();
    expect(await remaining()).toBe('25452.00');

    // One of the two cans back: 548.00 × (398.00 × 1/2) / 548.00 = 199.00; 25,452.00 + 199.00 = 25,651.00.
    const part = await apply(await shop.returnGoods('RET1', { reason: '质量问题', items: [{ gnum: 1, qty: 1 }] }));
    expect(part).toMatchObject({ kind: 'return', state: 'approved', returnStatus: '399', quotaBack: '199.00' });
    expect(await remaining()).toBe('25651.00');
    // The service recorded the application when it sent it; the CEB626 gave back its share by it, with no amount.
    const recorded = await ledger.findReturn({ copNo: part.copNo });
    expect([recorded?.items.map((l) => `${l.gnum}×${l.qty.toFixed()}`), recorded?.refunded?.toFixed(2)]).toEqual([
      ['1×1'],
      '199.00',
    ]);

    // Both cans again, one having come back: 1 + 2 = 3 of the 2 declared. Customs refuses (100, 1300); no quota.
    const over = await apply(await shop.returnGoods('RET1', { reason: '质量问题', items: [{ gnum: 1, qty: 2 }] }));
    expect(over).toMatchObject({ kind: 'return', state: 'refused', returnStatus: '100' });
    expect(over.returnInfo).toMatch(/^\[Code:1300;Desc:退货数量超过原清单数量/);
    expect(over.quotaBack).toBeUndefined();
    expect(await remaining()).toBe('25651.00');
    // (recorded too, never approved: its lines do not count in the next return's share)
    expect((await ledger.findReturn({ copNo: over.copNo }))?.refunded).toBeUndefined();
    // The approved return stands: the order is still refunded (in part), not released again.
    expect(shop.whereIs('RET1')?.state).toBe('refunded');
    // A line the inventory does not have is the buyer's mistake, answered before anything is sent.
    expect(await shop.returnGoods('RET1', { reason: '质量问题', items: [{ gnum: 9, qty: 1 }] })).toMatchObject({
      ok: false,
      stage: 'validate',
      issues: [{ code: '-625209', path: 'items[0].gnum', help: { code: '-625209' } }],
    });

    // The rest (the other can and the jar): all the goods are back, so all the order still counts:
    // 548.00 − 199.00 = 349.00 (not 199.00 + 150.00 rounded again); 25,651.00 + 349.00 = 26,000.00.
    const rest = await apply(
      await shop.returnGoods('RET1', {
        reason: '质量问题',
        items: [
          { gnum: 1, qty: 1 },
          { gnum: 2, qty: 1 },
        ],
      }),
    );
    expect(rest).toMatchObject({ state: 'approved', quotaBack: '349.00' });
    expect(await remaining()).toBe('26000.00');
    const entry = await ledger.find({ orderNo: 'RET1' });
    expect([entry?.amount.toFixed(2), entry?.refunded.toFixed(2)]).toEqual(['548.00', '548.00']);
    expect(shop.whereIs('RET1')?.state).toBe('refunded');
  }, 240_000);
});
