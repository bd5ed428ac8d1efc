// The customs emulator as an order service's own test uses it (docs/emulator.md, "Testing your order service"):
// in-process on a manual clock, over HTTP on a free port, two parcels declared, a day of customs' time, the
// receipts read back, one parcel released (800) and one refused for a tax mismatch (100, 1300) and released once
// corrected as the receipt catalogue says, then a cancel. Only the package is under test: the parcel the service would
// not send is built and signed with the package's own calls, as the docs show.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOrderService } from '../../examples/order-service/checkout.js';
import { createCustomsClient } from '../../examples/order-service/customs-client.js';
import {
  buildMessage,
  createLocalSigner,
  explainReceipt,
  MemoryQuotaStore,
  parseCebXml,
  parseRateTable,
  parseReturnInfo,
  QuotaLedger,
  signMessage,
  type Signer,
} from 'sandan';
import { createCustomsEmulator, type CustomsEmulator } from 'sandan/emulator';
import { makeSigning, type Signing } from '../emulator/helpers.js';
import { declaration, trail } from '../helpers/orders.js';
import { ratesJson, SENDER } from './helpers.js';

let signing: Signing;
/** The trusted key and certificate, as a signer of the package. */
let signer: Signer;
let customs: CustomsEmulator | undefined;
beforeAll(() => {
  signing = makeSigning();
  signer = createLocalSigner({
    key: readFileSync(signing.keys.path('rsa.key')),
    certificate: signing.trust.certificates[0]!,
  });
}, 120_000);
afterAll(async () => {
  await customs?.close();
  signing?.keys.cleanup();
});

it('an order service tests against the emulator: one parcel released, one refused for its tax and released once corrected, a cancel refused', async () => {
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
    signer,
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
  // refuse it, so it is built and signed directly, as a service with a wrong tax computation would send it. On the
  // manual clock the builder's `now` is the emulator's: a document without appTime gets the emulator's time.
  const env = { sender: SENDER, now: () => customs!.now(), newId: () => crypto.randomUUID() };
  const send = async (d: Record<string, any>, appType?: '2') => {
    const types = [
      ['CEB311', d.order],
      ['CEB411', d.payment],
      ['CEB511', d.logistics],
      ['CEB621', d.inventory],
    ] as const;
    const sent: string[] = [];
    for (const [type, doc] of types) {
      if (doc === undefined) continue;
      const built = buildMessage(type, doc, { ...env, ...(appType && { appType }) });
      if (!built.ok) throw new Error(JSON.stringify(built.issues));
      const { xml } = await signMessage(built.xml, signer);
      expect((await client.send(xml)).accepted, type).toBe(true);
      sent.push(xml);
    }
    return sent;
  };
  const wrong = declaration('OSV0002');
  wrong.order.taxTotal = '10.00';
  wrong.order.acturalPaid = wrong.payment.amountPaid = '558.00';
  delete wrong.order.appTime;
  const [orderXml] = await send(wrong);
  // 10:00 Beijing, the emulator's start (02:00Z), not the time the test runs.
  expect((parseCebXml(orderXml!) as { documents: Array<Record<string, unknown>> }).documents[0]?.appTime).toBe(
    '20261120100000',
  );

  // Each message is answered 2 (电子口岸申报中) at once; nothing more comes until the clock moves.
  expect(await client.poll()).toEqual(
    expect.arrayContaining([expect.objectContaining({ orderNo: 'OSV0001', type: 'CEB622', returnStatus: '2' })]),
  );
  // A day of customs' time runs every step that falls due (over HTTP: POST /admin/advance?by=1d).
  await customs.advance('1d');
  const receipts = await client.poll();
  for (const r of receipts) await shop.onReceipt(r.xml);

  // 放行: 120 then 800, and its tax bill (CEB816).
  expect(trail(receipts, 'CEB622', 'OSV0001')).toEqual(['CEB622:3', 'CEB622:120', 'CEB622:800']);
  expect(shop.whereIs('OSV0001')?.state).toBe('released');
  expect(receipts.filter((r) => r.type === 'CEB816').map((r) => r.orderNo)).toEqual(['OSV0001']);
  // 退单: the three documents pass (120) and the inventory is refused, 100 with 1300 naming tax-mismatch.
  expect(trail(receipts, 'CEB312', 'OSV0002')).toEqual(['CEB312:3', 'CEB312:120']);
  expect(trail(receipts, 'CEB622', 'OSV0002')).toEqual(['CEB622:3', 'CEB622:100']);
  const refusal = receipts.find((r) => r.orderNo === 'OSV0002' && r.returnStatus === '100')!;
  const info = parseReturnInfo(refusal.returnInfo ?? '');
  expect(info).toMatchObject({ code: '1300', desc: expect.stringContaining('tax-mismatch') });
  expect(info.desc).toBe(
    '代扣税款 10 与应征税款 49.87（关税 0.00，消费税 0.00，增值税 49.87）相差 -39.87（cbec）（tax-mismatch）',
  );
  // In-process, the same receipt carries its returnInfo as text.
  expect(customs.receipts(0, { orderNo: 'OSV0002' }).at(-1)?.returnInfo).toMatch(
    /^\[Code:1300;Desc:.*（tax-mismatch）\]$/,
  );
  // The receipt catalogue (docs/receipts.md, under 1300) reads it as the tax mismatch it is, and says what to do.
  expect(explainReceipt({ returnStatus: '100', returnInfo: refusal.returnInfo }, 'CEB622')).toMatchObject({
    outcome: 'rejected',
    codeMeaning: { zh: '代扣税款与应征税款不一致（税费不一致）' },
    fix: { en: expect.stringContaining("set the order's taxTotal to it") },
    // the finding the emulator refused, and where its rule is described
    issue: {
      code: 'tax-mismatch',
      rule: 'tax/total',
      meaning: { en: expect.stringContaining('taxTotal') },
      docs: expect.stringMatching(/\/blob\/main\/docs\/rules\.md#taxtotal$/),
    },
  });
  // Doing so: taxTotal 49.87 as computed (the figure the Desc gives), acturalPaid = amountPaid = 548.00 + 49.87 = 597.87; the order and payment
  // sent again as changes, then the inventory. Customs takes the changes (2 → 3 → 120) and releases the inventory.
  const corrected = declaration('OSV0002');
  corrected.order.taxTotal = '49.87';
  corrected.order.acturalPaid = corrected.payment.amountPaid = '597.87';
  await send({ order: corrected.order, payment: corrected.payment, inventory: corrected.inventory }, '2');
  await customs.advance('1d');
  const after = await client.poll();
  for (const r of after) await shop.onReceipt(r.xml);
  expect(trail(after, 'CEB312', 'OSV0002')).toEqual(['CEB312:2', 'CEB312:3', 'CEB312:120']);
  expect(trail(after, 'CEB412', 'OSV0002')).toEqual(['CEB412:2', 'CEB412:3', 'CEB412:120']);
  expect(trail(after, 'CEB622', 'OSV0002')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
  expect(after.filter((r) => r.type === 'CEB816').map((r) => r.orderNo)).toEqual(['OSV0002']);

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
