// Journey 1 against the customs emulator: the example order service (examples/order-service) checks
// out, sends the four signed messages over HTTP, follows the receipts into its quota ledger, and the
// month's tax bills from the emulator reconcile to the fen with `sandan reconcile`. A second journey
// drives the folder mode the way a DXP client does.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderService } from '../../examples/order-service/checkout.js';
import { createCustomsClient } from '../../examples/order-service/customs-client.js';
import {
  createLocalSigner,
  MemoryQuotaStore,
  parseCebXml,
  parseRateTable,
  payExUploadBody,
  QuotaLedger,
  unwrapDxp,
  type CebMessage,
} from 'sandan';
import { createCustomsEmulator, type CustomsEmulator, type CustomsEmulatorOptions } from 'sandan/emulator';
import { runCli } from '../helpers/cli.js';
import { reconcileArgs } from '../reconcile/helpers.js';
import { declaration, trail } from '../helpers/orders.js';
import { BUYER, ratesJson, SENDER } from './helpers.js';
import { makeSigning } from '../emulator/helpers.js';
import type { TestKeys } from '../sign/helpers.js';

const START = '2026-11-20T02:00:00Z';

/** The CEB message inside a receipt (unwrapped from its DxpMsg). */
function messageOf(xml: string): CebMessage {
  const p = parseCebXml(xml);
  const m = p.kind === 'dxp' ? p.message : p;
  if (!m) throw new Error(`no CEB message in ${xml.slice(0, 200)}`);
  return m;
}

let keys: TestKeys;
/** The certificate of rsa.key, valid 2020–2040: the emulator checks its dates on its clock (2026-11-20). */
let cert: string;
beforeAll(() => {
  const signing = makeSigning();
  keys = signing.keys;
  cert = signing.trust.certificates[0]!;
}, 120_000);
afterAll(() => keys?.cleanup());

/** The emulator of these journeys: a manual clock at START, the test certificate trusted, the example rates. */
function journeyCustoms(transports: Pick<CustomsEmulatorOptions, 'http' | 'folder'>): Promise<CustomsEmulator> {
  return createCustomsEmulator({
    clock: 'manual',
    start: START,
    trust: { certificates: [cert] },
    rates: parseRateTable(ratesJson()),
    ...transports,
  });
}

const memoryLedger = () =>
  new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'order-service-test-secret-0123456789' });

function service(ledger: QuotaLedger) {
  let n = 0;
  return createOrderService({
    ledger,
    signer: createLocalSigner({
      key: readFileSync(keys.path('rsa.key')),
      certificate: cert,
    }),
    sender: SENDER,
    rates: parseRateTable(ratesJson()),
    now: () => new Date('2026-11-20T02:15:00Z'),
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  });
}

describe('journey 1 against the customs emulator', () => {
  let customs: CustomsEmulator;
  afterAll(() => customs?.close());

  it('over HTTP: checkout → four messages → receipts → quota committed → tax bills → reconcile balances', async () => {
    customs = await journeyCustoms({ folder: false });
    const ledger = memoryLedger();
    const shop = service(ledger);
    const client = createCustomsClient(customs.url!);

    // Three orders, each 548.00 of quota: 26,000.00 − 3 × 548.00 = 24,356.00 left, all reserved.
    const orders = ['EMU0001', 'EMU0002', 'EMU0003'];
    const declared = orders.map(declaration);
    for (const d of declared) {
      const r = await shop.checkout(d);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      for (const xml of Object.values(r.messages)) {
        const ack = await client.send(xml);
        expect(ack, ack.body).toMatchObject({ accepted: true, status: 200 });
      }
    }
    expect((await ledger.remaining(BUYER, 2026)).remaining.toFixed(2)).toBe('24356.00');

    // A day on the emulator's clock (through its admin endpoint, as a test script would): every
    // document is entered, every inventory released, every tax bill sent.
    const advanced = await fetch(new URL('/admin/advance?by=1d', customs.url!), { method: 'POST' });
    expect(advanced.status).toBe(200);
    const receipts = await client.poll();
    for (const r of receipts) expect((await shop.onReceipt(r.xml)).issues, r.xml).toEqual([]);
    for (const no of orders) {
      // Where the parcel is, from the four messages sent and the emulator's receipts: released, nothing amiss.
      const where = shop.whereIs(no);
      expect(where?.state).toBe('released');
      expect(where?.anomalies).toEqual([]);
      expect(Object.keys(where!.documents).sort()).toEqual(['inventory', 'logistics', 'order', 'payment']);
      expect(trail(receipts, 'CEB312', no)).toEqual(['CEB312:2', 'CEB312:3', 'CEB312:120']);
      expect(trail(receipts, 'CEB412', no)).toEqual(['CEB412:2', 'CEB412:3', 'CEB412:120']);
      expect(trail(receipts, 'CEB512', no)).toEqual(['CEB512:2', 'CEB512:3', 'CEB512:120']);
      expect(trail(receipts, 'CEB622', no)).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
    }
    // Release commits the reservations: committed 3 × 548.00 = 1,644.00.
    const balance = await ledger.remaining(BUYER, 2026);
    expect(balance.committed.toFixed(2)).toBe('1644.00');
    expect(balance.remaining.toFixed(2)).toBe('24356.00');

    // The tax bills: one per inventory, VAT 49.87 each (the order's taxTotal: 36.22 + 13.65, the
    // figure the service showed the buyer), no duty or consumption tax.
    const bills = receipts.filter((r) => r.type === 'CEB816');
    expect(bills).toHaveLength(3);
    for (const b of bills) {
      const [tax] = messageOf(b.xml).documents as Array<Record<string, any>>;
      expect(String(tax!.valueAddedTax)).toBe('49.87');
      expect(Number(tax!.customsTax)).toBe(0);
      expect(Number(tax!.consumptionTax)).toBe(0);
    }

    // Month end: the platform's declarations against the emulator's bills and receipts, to the fen.
    const month = mkdtempSync(join(tmpdir(), 'sandan-emulated-month-'));
    mkdirSync(join(month, 'bills'));
    mkdirSync(join(month, 'receipts'));
    writeFileSync(join(month, 'declarations.ndjson'), declared.map((d) => JSON.stringify(d)).join('\n'));
    writeFileSync(join(month, 'rates.json'), JSON.stringify(ratesJson()));
    for (const r of receipts) {
      const inner = unwrapDxp(r.xml).payload!;
      if (r.type === 'CEB816') writeFileSync(join(month, 'bills', `${r.seq}.xml`), inner);
      if (r.type === 'CEB622') writeFileSync(join(month, 'receipts', `${r.seq}.xml`), inner);
    }
    const rec = await runCli([...reconcileArgs(month), '--format', 'json']);
    expect(rec.code, rec.stderr).toBe(0);
    const report = JSON.parse(rec.stdout);
    expect(report.summary).toMatchObject({ orders: 3, matched: 3, mismatched: 0, billMissing: 0 });
    // 3 × 49.87 = 149.61 withheld and billed; the difference is 0.00.
    expect(report.summary.declaredTaxTotal).toBe('149.61');
    expect(report.summary.billedTaxTotal).toBe('149.61');
    expect(report.summary.difference).toBe('0.00');
  }, 240_000);

  it('a rejected inventory, corrected and declared again (appType 2) once the scripted rejection is removed, is released', async () => {
    const customs = await journeyCustoms({ folder: false });
    try {
      const ledger = memoryLedger();
      const shop = service(ledger);
      const client = createCustomsClient(customs.url!);
      const admin = (body: unknown) =>
        fetch(new URL('/admin/scenario', customs.url!), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect(
        (await admin({ orderNo: 'EMU0100', scenario: { reject: { code: '1320', desc: '商品编码错误' } } })).status,
      ).toBe(200);
      const first = await shop.checkout(declaration('EMU0100'));
      if (!first.ok) throw new Error(JSON.stringify(first));
      for (const xml of Object.values(first.messages)) expect((await client.send(xml)).accepted).toBe(true);
      await fetch(new URL('/admin/advance?by=1h', customs.url!), { method: 'POST' });
      for (const r of await client.poll()) await shop.onReceipt(r.xml);
      expect(shop.whereIs('EMU0100')?.state).toBe('rejected');
      // a rejection is left to the platform: the reservation stands while it corrects the inventory
      expect((await ledger.remaining(BUYER, 2026)).reserved.toFixed(2)).toBe('548.00');

      // The scripted rejection ends; the corrected inventory goes as a change (appType 2), alone.
      expect((await admin({ orderNo: 'EMU0100', scenario: null })).status).toBe(200);
      const corrected = declaration('EMU0100');
      corrected.inventory.appType = '2';
      const again = await shop.checkout(corrected);
      if (!again.ok) throw new Error(JSON.stringify(again));
      expect((await client.send(again.messages.CEB621)).accepted).toBe(true);
      await fetch(new URL('/admin/advance?by=1h', customs.url!), { method: 'POST' });
      const receipts = await client.poll();
      for (const r of receipts) await shop.onReceipt(r.xml);
      expect(trail(receipts, 'CEB622', 'EMU0100')).toEqual(['CEB622:2', 'CEB622:3', 'CEB622:120', 'CEB622:800']);
      expect(shop.whereIs('EMU0100')?.state).toBe('released');
      const balance = await ledger.remaining(BUYER, 2026);
      expect([balance.committed.toFixed(2), balance.reserved.toFixed(2)]).toEqual(['548.00', '0.00']);
    } finally {
      await customs.close();
    }
  }, 240_000);

  it('the "179" check: customs asks for the payment data of an order, the service answers and uploads it signed', async () => {
    const customs179 = await journeyCustoms({ folder: false });
    try {
      const ledger = memoryLedger();
      const shop = service(ledger);
      expect((await shop.checkout(declaration('SD202611209001'))).ok).toBe(true);
      // Customs asks (here the test carries openReq to the service; `sandan emulate --plat-data-open` posts it).
      const asked = await fetch(`${customs179.url}/admin/payment-data-request`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ orderNo: 'SD202611209001', ebpCode: '3301964J31' }),
      });
      const { request } = (await asked.json()) as { request: { openReq: string; sessionID: string } };
      // The form customs posts: openReq=<JSON>.
      const { answer, upload } = await shop.paymentData(new URLSearchParams({ openReq: request.openReq }).toString());
      expect(JSON.parse(answer)).toMatchObject({ code: '10000' });
      if (upload === undefined) throw new Error('the service kept no payment for the order');
      const taken = await fetch(`${customs179.url}/ceb2grab/grab/realTimeDataUpload`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: payExUploadBody(upload),
      });
      expect(await taken.json()).toMatchObject({ code: '10000', message: '上传成功' });
      expect(customs179.paymentDataUploads()).toMatchObject([
        { accepted: true, sessionID: request.sessionID, orderNo: 'SD202611209001' },
      ]);
      // An order the service never took: it answers, and has nothing to upload.
      const { request: unknown } = await customs179.requestPaymentData('SD202611209999');
      expect(await shop.paymentData(unknown.openReq)).toEqual({ answer: expect.stringContaining('"code":"10000"') });
    } finally {
      await customs179.close();
    }
  });

  it('over folders: messages dropped in send/ are answered in receive/, in the same order and once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandan-dxp-'));
    const send = join(root, 'send');
    const receive = join(root, 'receive');
    const folderCustoms = await journeyCustoms({ http: false, folder: { send, receive, intervalMs: 20 } });
    try {
      const shop = service(memoryLedger());
      const r = await shop.checkout(declaration('DXP0001'));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      // As a DXP client does: write under a temporary name, then rename into the send folder.
      for (const [type, xml] of Object.entries(r.messages)) {
        writeFileSync(join(root, `${type}.tmp`), xml);
        renameSync(join(root, `${type}.tmp`), join(send, `${type}.xml`));
      }
      const until = Date.now() + 20_000;
      while (folderCustoms.received().length < 4 && Date.now() < until) await new Promise((f) => setTimeout(f, 50));
      expect(folderCustoms.received().map((m) => m.accepted)).toEqual([true, true, true, true]);
      await folderCustoms.advance('1d');
      const files = readdirSync(receive)
        .filter((f) => f.endsWith('.xml'))
        .sort();
      const types = files.map((f) => messageOf(readFileSync(join(receive, f), 'utf8')).messageType);
      // 2 + 3 + 120 for each of the three documents, 2 + 3 + 120 + 800 for the inventory, then the bill.
      expect(types.filter((t) => t === 'CEB622')).toHaveLength(4);
      expect(types.filter((t) => t === 'CEB816')).toHaveLength(1);
      expect(files).toHaveLength(3 * 3 + 4 + 1);
      expect(new Set(files).size).toBe(files.length);
    } finally {
      await folderCustoms.close();
    }
  }, 240_000);
});
