// The customs emulator as an order service's own test uses it (docs/emulator.md, "Testing your order service"):
// in-process on a manual clock, over HTTP on a free port, two parcels declared, a day of customs' time, the
// receipts read back, one parcel released (800) and one refused for a tax mismatch (100, 1300), then a cancel.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrderService } from '../../examples/order-service/checkout.js';
import { createCustomsClient } from '../../examples/order-service/customs-client.js';
import { MemoryQuotaStore, parseRateTable, parseReturnInfo, QuotaLedger } from 'sandan';
import { createCustomsEmulator, type CustomsEmulator } from 'sandan/emulator';
import { makeSigning, messages, type Signing } from '../emulator/helpers.js';
import { declaration, ratesJson, SENDER, trail } from './helpers.js';

let signing: Signing;
let customs: CustomsEmulator | undefined;
beforeAll(() => {
  signing = makeSigning();
}, 120_000);
afterAll(async () => {
  await customs?.close();
  signing?.keys.cleanup();
});

it('an order service tests against the emulator: one parcel released, one refused for its tax, a cancel refused', async () => {
  // A fresh emulator per test is the way to start from nothing: state in memory, HTTP on a free port.
  customs = await createCustomsEmulator({
    clock: 'manual',
    start: '2026-11-20T02:00:00Z',
    trust: signing.trust,
    rates: parseRateTable(ratesJson()),
    folder: false,
  });
  const client = createCustomsClient(customs.url!);
  let n = 0;
  const shop = createOrderService({
    ledger: new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'order-service-test-secret-0123456789' }),
    signer: signing.trusted,
    sender: SENDER,
    rates: parseRateTable(ratesJson()),
    now: () => new Date('2026-11-20T02:15:00Z'),
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });

  // Parcel 1 goes through the service's checkout: the four messages built, signed and wrapped.
  const good = await shop.checkout(declaration('OSV0001'));
  if (!good.ok) throw new Error(JSON.stringify(good));
  for (const xml of Object.values(good.messages)) expect((await client.send(xml)).accepted).toBe(true);

  // Parcel 2 withheld 10.00 where the tax is 49.87 (and charged 548.00 + 10.00, consistently): the checkout would
  // refuse it, so it is built and signed directly, as a service with a wrong tax computation would send it.
  const wrong = declaration('OSV0002');
  wrong.order.taxTotal = '10.00';
  wrong.order.acturalPaid = wrong.payment.amountPaid = '558.00';
  for (const xml of Object.values(await messages(wrong, signing.trusted))) {
    expect((await client.send(xml)).accepted).toBe(true);
  }

  // Each message is answered 2 (电子口岸申报中) at once; nothing more comes until the clock moves.
  expect(await client.poll()).toEqual(
    expect.arrayContaining([expect.objectContaining({ orderNo: 'OSV0001', type: 'CEB622', returnStatus: '2' })]),
  );
  // A day of customs' time runs every step that falls due (over HTTP: POST /admin/advance?by=1d).
  await customs.advance('1d');
  const receipts = await client.poll();
  for (const r of receipts) await shop.onReceipt(r.xml);

  // 放行: 120 then 800, and its tax bill (CEB816).
  expect(trail(receipts, 'OSV0001', 'CEB622')).toEqual(['3', '120', '800']);
  expect(shop.whereIs('OSV0001')?.state).toBe('released');
  expect(receipts.filter((r) => r.type === 'CEB816').map((r) => r.orderNo)).toEqual(['OSV0001']);
  // 退单: the three documents pass (120) and the inventory is refused, 100 with 1300 naming tax-mismatch.
  expect(trail(receipts, 'OSV0002', 'CEB312')).toEqual(['3', '120']);
  expect(trail(receipts, 'OSV0002', 'CEB622')).toEqual(['3', '100']);
  const refusal = receipts.find((r) => r.orderNo === 'OSV0002' && r.returnStatus === '100')!;
  const info = parseReturnInfo(refusal.returnInfo ?? '');
  expect(info).toMatchObject({ code: '1300', desc: expect.stringContaining('tax-mismatch') });
  // In-process, the same receipt carries its returnInfo as text.
  expect(customs.receipts(0, { orderNo: 'OSV0002' }).at(-1)?.returnInfo).toMatch(
    /^\[Code:1300;Desc:.*（tax-mismatch）\]$/,
  );

  // The buyer of parcel 1 asks to cancel after release: the E-Port refuses at once (CEB624 -623005).
  const cancel = await shop.cancel('OSV0001', { reason: '买家取消订单' });
  if (!cancel.ok) throw new Error(JSON.stringify(cancel));
  expect((await client.send(cancel.message)).accepted).toBe(false);
  const answered = await client.poll();
  for (const r of answered) await shop.onReceipt(r.xml);
  expect(answered.map((r) => [r.type, r.returnStatus])).toEqual([['CEB624', '-623005']]);
  expect(shop.application(cancel.copNo)).toMatchObject({ kind: 'cancel', state: 'refused', returnStatus: '-623005' });
  // The emulator's own view of the order, in-process: its last receipt is that answer.
  expect(customs.receipts(0, { orderNo: 'OSV0001' }).at(-1)?.type).toBe('CEB624');
});
