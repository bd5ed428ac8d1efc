// Journey 1, after the sale, against the customs emulator over HTTP: three orders declared; one cancelled before
// release and part of another returned, by the example order service (its CEB623 and CEB625 made by invtCancelOf
// and invtRefundOf, the return's share of the quota given back by its ledger from the application it recorded, the
// emulator's own figure); the third billed by customs with its own figure (the taxBill scenario), so that the
// month-end `sandan reconcile` finds the mismatch.
// (test/journeys/order-service-after-sale.test.ts has the refusals and the rest of a return.)
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReceivedReceipt } from '../../examples/order-service/customs-client.js';
import { parseCebXml, unwrapDxp } from 'sandan';
import { runCli } from '../helpers/cli.js';
import { reconcileArgs } from '../reconcile/helpers.js';
import { declaration } from '../helpers/orders.js';
import { afterSaleJourney, BUYER, ratesJson } from './helpers.js';

const journey = afterSaleJourney();

describe('journey 1 after the sale: cancel, partial return, quota back, month end with a rehearsed mismatch', () => {
  it('over HTTP against the emulator', async () => {
    const { customs, ledger, shop, client } = await journey.start();
    const admin = (path: string, body: unknown) =>
      fetch(new URL(path, customs.url!), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const advance = (by: string) => fetch(new URL(`/admin/advance?by=${by}`, customs.url!), { method: 'POST' });
    const receipts: ReceivedReceipt[] = [];
    const follow = async () => {
      const got = await client.poll();
      receipts.push(...got);
      return got;
    };

    // AS01 is held at 500 (查验) long enough to be cancelled; customs bills AS03 VAT 36.23 on line 1, not the
    // 36.22 computed (398.00 × 13% × 0.7 = 36.218), so its bill is 49.88 against the 49.87 withheld.
    expect(
      (await admin('/admin/scenario', { orderNo: 'AS01', scenario: { hold: { status: '500', for: '1d' } } })).status,
    ).toBe(200);
    const taxBill = { items: [{ gnum: 1, valueAddedTax: '36.23' }] };
    expect((await admin('/admin/scenario', { orderNo: 'AS03', scenario: { taxBill } })).status).toBe(200);

    // Declare: 3 × 548.00 reserved, 26,000.00 − 1,644.00 = 24,356.00 left.
    const declared = ['AS01', 'AS02', 'AS03'].map(declaration);
    for (const d of declared) {
      const r = await shop.checkout(d);
      if (!r.ok) throw new Error(JSON.stringify(r));
      for (const xml of Object.values(r.messages)) expect((await client.send(xml)).accepted).toBe(true);
    }
    expect((await ledger.remaining(BUYER, 2026)).remaining.toFixed(2)).toBe('24356.00');
    await advance('1h');
    for (const r of await follow()) expect((await shop.onReceipt(r.xml)).issues).toEqual([]);
    expect(['AS01', 'AS02', 'AS03'].map((no) => shop.whereIs(no)?.state)).toEqual(['pending', 'released', 'released']);
    const invtNo = (no: string) => receipts.find((r) => r.orderNo === no && r.invtNo !== undefined)!.invtNo!;

    // The cancel and the return, made by the service from the declarations it keeps, signed and sent.
    const cancel = await shop.cancel('AS01', { reason: '买家取消订单', copNo: 'CXLAS01' });
    // one of the two cans
    const ret = await shop.returnGoods('AS02', { reason: '质量问题', copNo: 'RETAS02', items: [{ gnum: 1, qty: 1 }] });
    for (const made of [cancel, ret]) {
      if (!made.ok) throw new Error(JSON.stringify(made));
      const ack = await client.send(made.message);
      expect(ack, ack.body).toMatchObject({ accepted: true, status: 200 });
    }
    await advance('1h');
    const after = await follow();
    const answer = (type: string) => after.filter((r) => r.type === type).map((r) => [r.returnStatus, r.returnInfo]);
    // The JSON list names each receipt's returnInfo.
    expect(answer('CEB624').at(-1)).toEqual(['399', '[Code:2300;Desc:审核通过]']);
    expect(answer('CEB626').at(-1)).toEqual(['399', '[Code:2300;Desc:审核通过]']);

    // The cancel gives AS01's 548.00 back; the return's CEB626 carries no amount: the service gives back its share,
    // 548.00 × (398.00 × 1/2) / 548.00 = 199.00.
    for (const r of after) expect((await shop.onReceipt(r.xml)).issues).toEqual([]);
    expect(shop.application('CXLAS01')).toMatchObject({ state: 'approved', quotaBack: '548.00' });
    expect(shop.application('RETAS02')).toMatchObject({ state: 'approved', quotaBack: '199.00' });
    // 24,356.00 + 548.00 + 199.00 = 25,103.00 (the emulator's ledger gives back the same share, by the same function).
    expect((await ledger.remaining(BUYER, 2026)).remaining.toFixed(2)).toBe('25103.00');
    expect(shop.whereIs('AS01')?.state).toBe('cancelled');

    // Month end: the declarations, the emulator's bills and receipts.
    const month = mkdtempSync(join(tmpdir(), 'sandan-after-sale-'));
    mkdirSync(join(month, 'bills'));
    mkdirSync(join(month, 'receipts'));
    writeFileSync(join(month, 'declarations.ndjson'), declared.map((d) => JSON.stringify(d)).join('\n'));
    writeFileSync(join(month, 'rates.json'), JSON.stringify(ratesJson()));
    for (const r of receipts) {
      // (the cancel and the return went unwrapped, and their receipts come back so)
      const inner = parseCebXml(r.xml).kind === 'dxp' ? unwrapDxp(r.xml).payload! : r.xml;
      if (r.type === 'CEB816') writeFileSync(join(month, 'bills', `${r.seq}.xml`), inner);
      else if (['CEB622', 'CEB624', 'CEB626'].includes(r.type))
        writeFileSync(join(month, 'receipts', `${r.seq}.xml`), inner);
    }
    const rec = await runCli([...reconcileArgs(month), '--format', 'json']);
    const report = JSON.parse(rec.stdout);
    const rows = Object.fromEntries(
      report.orders.map((o: { orderNo: string; status: string }) => [o.orderNo, o.status]),
    );
    expect(rows).toEqual({ AS01: 'cancelled', AS02: 'refunded', AS03: 'mismatch' });
    // billed − computed on VAT, and billed − declared: 49.88 − 49.87 = 0.01 each.
    expect(report.summary.mismatches).toEqual([
      { orderNo: 'AS03', invtNo: invtNo('AS03'), kind: 'declared', amount: '0.01' },
      { orderNo: 'AS03', invtNo: invtNo('AS03'), kind: 'valueAddedTax', amount: '0.01' },
    ]);
    expect(rec.code, rec.stderr).toBe(1);
  }, 240_000);
});
