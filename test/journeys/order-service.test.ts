import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderService } from '../../examples/order-service/checkout.js';
import {
  createLocalSigner,
  MemoryQuotaStore,
  parseRateTable,
  QuotaLedger,
  type QuotaStore,
  unwrapDxp,
  verifyMessage,
} from 'sandan';
import { declaration } from '../helpers/orders.js';
import { makeRsaKeys, type TestKeys } from '../sign/helpers.js';

const BUYER = '330106199003071519';

function receipt(type: 'CEB622' | 'CEB624' | 'CEB626', doc: string, fields: Record<string, string>): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${type}Message xmlns="http://www.chinaport.gov.cn/ceb" guid="5E0BAFD2-0000-4000-8000-000000000001" version="1.0"><${doc}>${body}</${doc}></${type}Message>`;
}

let keys: TestKeys;
beforeAll(() => {
  keys = makeRsaKeys();
});
afterAll(() => keys?.cleanup());

/**
 * The example order service over a ledger on `store`, signing with the test key, at 2026-11-20 10:15 Beijing; its
 * ids numbered from 1 unless `newId` is given.
 */
function serviceOf(store: QuotaStore = new MemoryQuotaStore(), newId?: () => string) {
  let n = 0;
  const ledger = new QuotaLedger({ store, secret: 'order-service-test-secret-0123456789' });
  const service = createOrderService({
    ledger,
    signer: createLocalSigner({
      key: readFileSync(keys.path('rsa.key')),
      certificate: readFileSync(keys.path('rsa.crt')),
    }),
    sender: { copCode: '3301980BRK', copName: '示例报关有限公司', dxpMode: 'DXP', dxpId: 'DXPENT0000012345' },
    rates: parseRateTable(JSON.parse(readFileSync('examples/rates.example.json', 'utf8'))),
    now: () => new Date('2026-11-20T02:15:00Z'),
    newId: newId ?? (() => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`),
  });
  return { ledger, service };
}

describe('journey 1: an order service', () => {
  it('checks out, signs and wraps CEB311 and CEB621, then follows release, cancel and refund receipts', async () => {
    const { ledger, service } = serviceOf();

    // Checkout: VAT 36.22 + 13.65 = 49.87; quota 26,000.00 − 548.00 = 25,452.00.
    const a = await service.checkout(declaration('A1'));
    expect(a.ok, JSON.stringify(a)).toBe(true);
    if (!a.ok) return;
    expect(a.tax).toEqual({ customsTax: '0.00', consumptionTax: '0.00', valueAddedTax: '49.87', taxTotal: '49.87' });
    expect(a.remaining).toBe('25452.00');
    for (const [type, wrapped] of Object.entries(a.messages)) {
      const envelope = unwrapDxp(wrapped);
      expect(envelope.transInfo.msgType).toBe(`${type}Message`);
      expect(envelope.transInfo.receiverIds).toEqual(['DXPEDCCEB0000002']);
      expect(envelope.message?.issues).toEqual([]);
      const v = verifyMessage(envelope.payload!);
      expect(v.valid, JSON.stringify(v)).toBe(true);
    }

    // A retry of the same checkout reserves nothing more.
    const again = await service.checkout(declaration('A1'));
    expect(again.ok && again.remaining).toBe('25452.00');

    // A second order, later cancelled: 25,452.00 − 548.00 = 24,904.00.
    const b = await service.checkout(declaration('B2'));
    expect(b.ok && b.remaining).toBe('24904.00');

    // Customs releases A (800) and gives B an inventory number (120); B is then cancelled (624, 399).
    await service.onReceipt(
      receipt('CEB622', 'InventoryReturn', {
        guid: 'G1',
        customsCode: '2924',
        copNo: 'COPA1',
        preNo: 'B20261120000000001',
        invtNo: '29242026I000000001',
        returnStatus: '800',
        returnTime: '20261121101010123',
        returnInfo: '[Code:2600;Desc:放行]',
      }),
    );
    await service.onReceipt(
      receipt('CEB622', 'InventoryReturn', {
        guid: 'G2',
        customsCode: '2924',
        copNo: 'COPB2',
        preNo: 'B20261120000000002',
        invtNo: '29242026I000000002',
        returnStatus: '120',
        returnTime: '20261121101010123',
        returnInfo: '[Code:1800;Desc:逻辑校验通过]',
      }),
    );
    await service.onReceipt(
      receipt('CEB624', 'InvtCancelReturn', {
        guid: 'G3',
        customsCode: '2924',
        copNo: 'CANCELB2',
        preNo: 'B20261121000000003',
        invtNo: '29242026I000000002',
        returnStatus: '399',
        returnTime: '20261121121010123',
        returnInfo: '[Code:2300;Desc:审核通过]',
      }),
    );
    // Where each parcel is, from the messages sent and the receipts: A released, B cancelled.
    expect(service.whereIs('A1')?.state).toBe('released');
    expect(service.whereIs('B2')?.state).toBe('cancelled');
    let balance = await ledger.remaining(BUYER, 2026);
    expect(balance.remaining.toFixed(2)).toBe('25452.00');
    expect(balance.committed.toFixed(2)).toBe('548.00');

    // A return receipt of an application the service did not send changes no quota: its lines are unknown, and
    // all the order counts would be too much for a part.
    const stranger = await service.onReceipt(
      receipt('CEB626', 'InvtRefundReturn', {
        guid: 'G9',
        customsCode: '2924',
        copNo: 'ELSEWHERE',
        preNo: 'B20261125000000009',
        invtNo: '29242026I000000001',
        returnStatus: '399',
        returnTime: '20261125091010123',
        returnInfo: '[Code:2300;Desc:审核通过]',
      }),
    );
    expect(stranger.outcomes).toEqual([]);
    expect(stranger.issues).toMatchObject([{ code: 'return-unknown', severity: 'warning', path: 'copNo' }]);
    expect((await ledger.remaining(BUYER, 2026)).remaining.toFixed(2)).toBe('25452.00');

    // A is returned whole (the service's CEB625, every line) and the refund approved (626, 399): all its quota
    // comes back.
    const returned = await service.returnGoods('A1', { reason: '质量问题', copNo: 'REFUNDA1' });
    expect(returned.ok, JSON.stringify(returned)).toBe(true);
    expect(returned.ok && returned.warnings).toEqual([]);
    // The E-Port could not pass it on (4 发送海关失败): refused, to be sent again; the quota is left as it is.
    await service.onReceipt(
      receipt('CEB626', 'InvtRefundReturn', {
        guid: 'G4F',
        customsCode: '2924',
        copNo: 'REFUNDA1',
        preNo: 'B20261125000000004',
        invtNo: '29242026I000000001',
        returnStatus: '4',
        returnTime: '20261125091010123',
        returnInfo: '发送海关失败',
      }),
    );
    expect(service.application('REFUNDA1')).toMatchObject({ state: 'refused', returnStatus: '4' });
    expect((await ledger.remaining(BUYER, 2026)).remaining.toFixed(2)).toBe('25452.00');
    const { outcomes, issues } = await service.onReceipt(
      receipt('CEB626', 'InvtRefundReturn', {
        guid: 'G4',
        customsCode: '2924',
        copNo: 'REFUNDA1',
        preNo: 'B20261125000000004',
        invtNo: '29242026I000000001',
        returnStatus: '399',
        returnTime: '20261125101010123',
        returnInfo: '[Code:2300;Desc:审核通过]',
      }),
    );
    expect(outcomes).toHaveLength(1);
    expect(issues).toEqual([]);
    expect(service.whereIs('A1')?.state).toBe('refunded');
    expect(service.application('REFUNDA1')).toMatchObject({ state: 'approved', quotaBack: '548.00' });
    balance = await ledger.remaining(BUYER, 2026);
    expect(balance.remaining.toFixed(2)).toBe('26000.00');

    // The same receipts again change nothing.
    await service.onReceipt(
      receipt('CEB626', 'InvtRefundReturn', {
        guid: 'G4',
        customsCode: '2924',
        copNo: 'REFUNDA1',
        preNo: 'B20261125000000004',
        invtNo: '29242026I000000001',
        returnStatus: '399',
        returnTime: '20261125101010123',
        returnInfo: '[Code:2300;Desc:审核通过]',
      }),
    );
    expect((await ledger.remaining(BUYER, 2026)).remaining.toFixed(2)).toBe('26000.00');
  });

  it('hands back a return it sent when the ledger cannot record it, with a warning beside it', async () => {
    // A store written for an older sandan: its transactions keep no return applications, so recordReturn throws
    // QUOTA_STORE. The CEB625 is made all the same; the failure is a warning, not an exception losing the message.
    const memory = new MemoryQuotaStore();
    const store: QuotaStore = {
      name: 'no-returns',
      transaction: (work) =>
        memory.transaction((tx) =>
          work({ ...tx, orderReturns: undefined, returnsByCopNo: undefined, putReturn: undefined }),
        ),
      close: () => memory.close(),
    };
    const { service } = serviceOf(store);
    expect((await service.checkout(declaration('E5'))).ok).toBe(true);
    await service.onReceipt(
      receipt('CEB622', 'InventoryReturn', {
        guid: 'G5',
        customsCode: '2924',
        copNo: 'COPE5',
        preNo: 'B20261120000000005',
        invtNo: '29242026I000000005',
        returnStatus: '800',
        returnTime: '20261121101010123',
        returnInfo: '[Code:2600;Desc:放行]',
      }),
    );
    const returned = await service.returnGoods('E5', { reason: '质量问题', copNo: 'REFUNDE5' });
    expect(returned).toMatchObject({
      ok: true,
      copNo: 'REFUNDE5',
      warnings: [{ code: 'return-unrecorded', severity: 'warning', path: 'copNo' }],
    });
    if (!returned.ok) return;
    expect(unwrapDxp(returned.message).transInfo.msgType).toBe('CEB625Message');
    expect(returned.warnings[0]?.message.en).toContain('QUOTA_STORE');
    expect(returned.warnings[0]?.message.zh).toContain('REFUNDE5');
    expect(service.application('REFUNDE5')).toMatchObject({ kind: 'return', state: 'sent' });
  });

  it('refuses at checkout what customs would reject', async () => {
    const { ledger, service } = serviceOf(undefined, () => '00000000-0000-4000-8000-000000000000');
    const bad = declaration('C3');
    bad.payment.amountPaid = '597.88';
    const r = await service.checkout(bad);
    expect(r).toMatchObject({ ok: false, stage: 'validate', issues: [expect.objectContaining({ code: '1332' })] });
    // 25,600 used elsewhere this year: the order's 548 would pass 26,000.
    await ledger.reserve('EARLIER', BUYER, '25600.00', '2026-03-01');
    const over = await service.checkout(declaration('D4'));
    expect(over).toMatchObject({ ok: false, stage: 'validate', issues: [expect.objectContaining({ code: '1313' })] });
  });
});
