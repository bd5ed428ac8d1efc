import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingReceipt } from '../../src/emulator/types.js';
import { createCustomsEmulator, type CustomsEmulator, type CustomsEmulatorOptions } from '../../src/emulator/index.js';
import { reconcile, scanCebText } from '../../src/reconcile/index.js';
import { createTaxCalculator } from '../../src/rules/index.js';
import { validateAgainstXsd } from '../xml/helpers.js';
import { example, makeSigning, messages, RATES, read, type Signing } from './helpers.js';

// A CEB818 (电子税单状态) is sent only when a test asks for it: the specification defines the message (status 1
// generated, 2 summarised, 3 void) but not when customs sends one.

const T0 = '2026-11-20T02:20:00Z';
let signing: Signing;
let customs: CustomsEmulator;
const decl = example();

/** An emulator on a manual clock that trusts the test signer. */
const start = (extra: CustomsEmulatorOptions) =>
  createCustomsEmulator({ clock: 'manual', start: T0, trust: signing.trust, rates: RATES, ...extra });

/** The example's order, payment, waybill and inventory, each taken. */
async function declare(e: CustomsEmulator): Promise<void> {
  const m = await messages(decl, signing.trusted);
  for (const k of ['order', 'payment', 'logistics', 'inventory'] as const)
    expect((await e.submit(m[k])).accepted, k).toBe(true);
}

beforeAll(async () => {
  signing = makeSigning();
  // The bill two hours after release, so that a test can ask for its status before it is made.
  customs = await start({ timing: { taxBill: '2h' }, folder: false });
}, 120_000);
afterAll(async () => {
  await customs?.close();
  signing?.keys.cleanup();
});

const post = (body: unknown, type = 'application/json') =>
  fetch(`${customs.url}/admin/tax-bill-status`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: JSON.stringify(body),
  });

describe('the emulator sends a CEB818 for a tax bill when asked', () => {
  let invtNo: string;

  it('refuses before the inventory is billed: no CEB818 of a bill customs has not made', async () => {
    await declare(customs);
    await customs.advance('1h');
    const pending = customs.receipts().find((r) => r.type === 'CEB622' && r.invtNo !== undefined);
    invtNo = pending!.invtNo!;
    // Released (800) within the hour, billed two hours later: not yet.
    expect(customs.receipts().some((r) => r.type === 'CEB622' && r.returnStatus === '800')).toBe(true);
    expect(customs.receipts().filter((r) => r.type === 'CEB816')).toEqual([]);
    await expect(customs.taxBillStatus(invtNo, '3')).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('has no tax bill'),
    });
    await customs.advance('1d');
    expect(customs.receipts().filter((r) => r.type === 'CEB816')).toHaveLength(1);
  });

  it('status 2 (asked in-process), then 3 (over HTTP): each a CEB818 naming the bill, valid against the XSD', async () => {
    const bill = read(customs.receipts().find((r) => r.type === 'CEB816')!).documents[0]!;
    const summarised = await customs.taxBillStatus(invtNo, '2');
    const res = await post({ invtNo, status: '3' });
    expect(res.status).toBe(200);
    const voided = (await res.json()) as OutgoingReceipt;
    for (const [r, status] of [
      [summarised, '2'],
      [voided, '3'],
    ] as const) {
      expect(r).toMatchObject({ type: 'CEB818', invtNo, orderNo: decl.order.orderNo, ebpCode: decl.order.ebpCode });
      const m = read(r);
      expect(m.messageType).toBe('CEB818');
      expect(m.documents).toEqual([expect.objectContaining({ invtNo, taxNo: bill.taxNo, status })]);
      expect(await validateAgainstXsd(r.xml, 'ceb-import.xsd')).toMatchObject({ valid: true });
    }
    // In the receipt list, after the bill.
    expect(customs.receipts().slice(-2)).toEqual([summarised, voided]);
  });

  it('a void bill changes no more', async () => {
    for (const status of ['2', '3'] as const)
      await expect(customs.taxBillStatus(invtNo, status)).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('is void already'),
      });
  });

  it('reconciliation reads the voided bill as customs would: bill-void, nothing billed', async () => {
    const documents = customs
      .receipts()
      .filter((r) => r.type === 'CEB816' || r.type === 'CEB818' || r.type === 'CEB622')
      .flatMap((r) => scanCebText(r.xml).documents);
    const report = await reconcile(
      { declarations: [decl], documents },
      { calculate: createTaxCalculator({ rates: RATES, explain: false }) },
    );
    const [row] = [...report.rows()];
    expect(row).toMatchObject({ orderNo: decl.order.orderNo, invtNo, status: 'bill-void' });
  });

  it('over HTTP, a misuse is answered 400 with what is wrong (415 for a body not JSON)', async () => {
    const unknown = await post({ invtNo: '29242026I999999999', status: '3' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'INVALID_OPTION', message: expect.stringContaining('has no tax bill') },
    });
    const bad = await post({ invtNo, status: '1' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'INVALID_OPTION', message: expect.stringContaining("status must be '2'") },
    });
    expect((await post({ status: '3' })).status).toBe(400);
    expect((await post({ invtNo, status: '3' }, 'text/plain')).status).toBe(415);
    // The void bill of the tests above changes no more, over HTTP either.
    const again = await post({ invtNo, status: '3' });
    expect([again.status, ((await again.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      expect.stringContaining('is void already'),
    ]);
  });
});

describe('the bill a CEB818 names is kept with the state', () => {
  it('after a restart on the same SQLite file, the status is sent, and written to the receive folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-ceb818-'));
    const options: CustomsEmulatorOptions = {
      store: { sqlite: join(dir, 'state.sqlite') },
      http: false,
      folder: { send: join(dir, 'send'), receive: join(dir, 'receive') },
    };
    try {
      const first = await start(options);
      await declare(first);
      await first.advance('1d');
      const invtNo = first.receipts().find((r) => r.type === 'CEB816')!.invtNo!;
      await first.close();
      const before = readdirSync(join(dir, 'receive'));
      const again = await start(options);
      try {
        const r = await again.taxBillStatus(invtNo, '3');
        expect(read(r).documents).toEqual([expect.objectContaining({ invtNo, taxNo: `${invtNo}_0`, status: '3' })]);
        // The restarted emulator's one new file: the CEB818.
        expect(readdirSync(join(dir, 'receive')).filter((f) => !before.includes(f))).toEqual([r.name]);
        expect(readFileSync(join(dir, 'receive', r.name), 'utf8')).toBe(r.xml);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a bill whose CEB816 a scenario dropped', () => {
  it('was made all the same: its status is sent when asked', async () => {
    const e = await start({ http: false, folder: false });
    try {
      e.scenario(decl.order.orderNo, { drop: { receipt: 'CEB816' } });
      await declare(e);
      await e.advance('1d');
      const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800')!;
      expect(e.receipts().filter((r) => r.type === 'CEB816')).toEqual([]);
      const r = await e.taxBillStatus(released.invtNo!, '3');
      expect(read(r).documents).toEqual([
        expect.objectContaining({ invtNo: released.invtNo, taxNo: `${released.invtNo}_0`, status: '3' }),
      ]);
    } finally {
      await e.close();
    }
  });

  it('a scenario cannot drop a CEB818 (it is sent only when asked for)', async () => {
    const e = await start({ http: false, folder: false });
    try {
      expect(() => e.scenario(decl.order.orderNo, { drop: { receipt: 'CEB818' as never } })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    } finally {
      await e.close();
    }
  });
});

describe('a bill the emulator cannot compute whole', () => {
  it('is not sent: no CEB816 of fewer lines than the inventory (the milk powder has no rate in the seed table)', async () => {
    // Only sandan's seed table, which has no rate for 1901101000 (line 1): validation warns (rate-missing) and the
    // inventory is released; a bill of line 2 alone (VAT 13.65 of the 49.87 declared) was sent as customs' bill.
    const e = await start({ http: false, folder: false, rates: undefined });
    try {
      await declare(e);
      await e.advance('1d');
      const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
      expect(released?.invtNo).toBeDefined();
      expect(e.receipts().filter((r) => r.type === 'CEB816')).toEqual([]);
      await expect(e.taxBillStatus(released!.invtNo!, '2')).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        // (review50: "customs bills an inventory after its release" alone, of this released inventory)
        message: expect.stringContaining('the emulator sends none when its rates leave a line without a rate'),
      });
    } finally {
      await e.close();
    }
  });

  // review50: the missing bill was silent at run time; the message that declared the inventory says why, in memory and
  // in a SQLite state (also one written before received messages had notes).
  it.each(['memory', 'sqlite'] as const)('says why on the inventory message in received() (%s)', async (store) => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-nobill-'));
    if (store === 'sqlite') {
      // The table as sandan wrote it before received messages had notes: the column is added on opening.
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(join(dir, 'state.sqlite'));
      db.exec(`CREATE TABLE emu_received (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, transport TEXT NOT NULL, name TEXT,
        message_type TEXT, cop_msg_id TEXT, order_no TEXT, accepted INTEGER NOT NULL, reason TEXT, xml TEXT NOT NULL
      ) STRICT`);
      db.close();
    }
    try {
      const e = await start({
        http: false,
        folder: false,
        rates: undefined,
        ...(store === 'sqlite' && { store: { sqlite: join(dir, 'state.sqlite') } }),
      });
      const told: unknown[] = [];
      e.onNote((n) => told.push(n));
      try {
        await declare(e);
        expect(e.received().map((m) => m.notes)).toEqual([undefined, undefined, undefined, undefined]);
        await e.advance('1d');
        const invtNo = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800')?.invtNo;
        // The listener hears it as it is added (sandan emulate prints it), on the CEB621's seq, when the bill was due
        // (5s after the release: the default timing.taxBill).
        const inventoryMessage = e.received().find((m) => m.messageType === 'CEB621')!;
        const release = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800')!;
        expect(release.at).toBe('2026-11-20T10:21:07.000+08:00');
        expect(told).toEqual([
          {
            at: '2026-11-20T10:21:12.000+08:00',
            seq: inventoryMessage.seq,
            orderNo: decl.order.orderNo,
            ebpCode: decl.order.ebpCode,
            note: inventoryMessage.notes![0],
          },
        ]);
        expect(e.received().map((m) => [m.messageType, m.notes])).toEqual([
          ['CEB311', undefined],
          ['CEB411', undefined],
          ['CEB511', undefined],
          [
            'CEB621',
            [
              `no tax bill (CEB816) for inventory ${invtNo}: the emulator's rates leave line 1 (1901101000, rate-missing) without a figure, and customs bills an inventory whole; give it your rate table (rates, --rates)`,
            ],
          ],
        ]);
      } finally {
        await e.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
