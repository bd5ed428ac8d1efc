import { describe, expect, it } from 'vitest';
import { status, type StatusReceipt } from '../../src/reconcile/index.js';
import { explainReceipt, explainStatus, receiptCatalogue } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each receipt's returnStatus list (海关总署, 海关跨境电商统一版系统企业对接报文规范（202205版）: the XSD annotations of
// OrderReturn … DeliveryReturn and the spec's tables 3-7 … 3-56): a status of another receipt is reported, not read.

const r = (messageType: StatusReceipt['messageType'], fields: Record<string, string>): StatusReceipt => ({
  messageType,
  fields,
});
const NOW = new Date('2026-11-22T00:00:00Z');
const ORDER = { orderNo: 'SD202611200001', ebpCode: '3301964J31' };
const INV = { copNo: 'INV202611200001', preNo: 'B20261120000000001', invtNo: '29242026I000000001' };

/** The statuses the message specification lists for each receipt (XSD annotation ∪ the spec's table). */
const SPEC: Record<string, string[]> = {
  CEB312: ['2', '3', '4', '100', '120', '399'],
  CEB412: ['2', '3', '4', '100', '120', '399'],
  CEB512: ['2', '3', '4', '100', '120', '399'],
  // (表 3-28 lists 120, the XSD 399: either)
  CEB514: ['2', '3', '4', '100', '120', '399'],
  CEB622: ['1', '2', '3', '4', '100', '120', '300', '399', '800', '899', '500', '501', '502', '503', '599', '700'],
  CEB624: ['1', '2', '3', '4', '100', '120', '399'],
  CEB626: ['1', '2', '3', '4', '100', '120', '399'],
  CEB712: ['1', '2', '3', '4', '100', '120', '399'],
};
/** Statuses the catalogue takes from receipts seen in public repositories, beyond the specification. */
const SEEN: Record<string, string[]> = { CEB312: ['99'], CEB622: ['600'], CEB626: ['300', '800'] };

describe('the catalogue’s receipt lists', () => {
  it('give each receipt the statuses the specification lists for it, and those seen in the wild, no more', () => {
    const numbered = receiptCatalogue().statuses.filter((s) => s.status !== '<0');
    for (const type of Object.keys(SPEC))
      expect(
        numbered
          .filter((s) => explainStatus(s.status, type) !== undefined)
          .map((s) => s.status)
          .sort(),
        type,
      ).toEqual([...SPEC[type]!, ...(SEEN[type] ?? [])].sort());
    // Negative statuses (处理异常) on every receipt and the CEB900.
    for (const type of [...Object.keys(SPEC), 'CEB900']) expect(explainStatus('-621005', type)?.status).toBe('<0');
    // (a CEB900 carries only those: 小于0数字表示报文格式校验异常)
    expect(explainStatus('120', 'CEB900')).toBeUndefined();
  });

  it('explains a status of another receipt as such, without its outcome, advising to check the receipt', () => {
    // Not its code's advice: 2600 放行 says "nothing to do", which presumes the release a CEB312 cannot carry.
    expect(explainReceipt({ returnStatus: '800', returnInfo: '[Code:2600;Desc:放行]' }, 'CEB312')).toEqual({
      status: '800',
      otherReceipts: { receipts: ['CEB622', 'CEB626'], meaning: { zh: '放行', en: 'Released' } },
      code: '2600',
      codeMeaning: { zh: '放行', en: 'Released (status 800)' },
      fix: {
        zh: '核对该回执是否为海关对此单据发出的原始回执（回执类型与状态是否被另一系统改写或混用）；向申报地海关或数据中心核实；在弄清之前，不要把该单据当作放行处理',
        en: 'Check that this is the receipt customs sent for this document (not a status another system copied into it or a receipt of another kind); ask the declaring customs office or the data centre; until then do not treat the document as released',
      },
    });
    expect(explainReceipt({ returnStatus: '800', returnInfo: '[Code:2600;Desc:放行]' }, 'CEB622')).toMatchObject({
      outcome: 'accepted',
      fix: { zh: '无需处理', en: 'Nothing to do' },
    });
    // Without a receipt type, or with one the catalogue does not list (an export receipt), as before.
    expect(explainReceipt({ returnStatus: '800' }).outcome).toBe('accepted');
    expect(explainReceipt({ returnStatus: '800' }, 'CEB304').outcome).toBe('accepted');
  });
});

describe('sandan status given a status of another receipt', () => {
  it('does not call an order accepted on a CEB312 that says 800 (放行): unknown-status, other-receipt-status', () => {
    // The old code read the 800 on the order receipt as customs' release of it: accepted, no anomaly.
    const [o] = status(
      [
        r('CEB312', { ...ORDER, returnStatus: '2', returnTime: '20261120101700000', returnInfo: '新增申报成功' }),
        r('CEB312', { ...ORDER, returnStatus: '800', returnTime: '20261120111700000', returnInfo: '放行' }),
      ],
      { now: NOW },
    );
    expect([o!.state, o!.documents.order]).toEqual([
      'pending',
      { returnStatus: '800', time: '2026-11-20T11:17:00.000+08:00' },
    ]);
    expect(o!.anomalies).toEqual([
      expect.objectContaining({
        kind: 'unknown-status',
        rule: 'other-receipt-status',
        document: 'order',
        message: {
          zh: 'CEB312 回执状态 800（放行）不是 CEB312 的回执状态：回执状态表只对 CEB622、CEB626 列出该状态；此前已知的状态为 2（电子口岸申报中，2026-11-20T10:17:00.000+08:00）',
          en: 'CEB312 receipt status 800 (Released) is no status of a CEB312: the receipt catalogue lists it for CEB622, CEB626 only; the last known status was 2 (Accepted by E-Port, being declared, 2026-11-20T10:17:00.000+08:00)',
        },
      }),
    ]);
    expect(o!.timeline.at(-1)).not.toHaveProperty('meaning');
  });

  it('keeps 300 on a CEB626 (manual review of a return) and reports a 501 on one (a CEB622 detention)', () => {
    const [o] = status(
      [
        r('CEB622', {
          ...INV,
          returnStatus: '800',
          returnTime: '20261120101700000',
          returnInfo: '[Code:2600;Desc:放行]',
        }),
        r('CEB626', {
          ...INV,
          returnStatus: '300',
          returnTime: '20261121101700000',
          returnInfo: '[Code:1200;Desc:待人工审核]',
        }),
      ],
      { now: NOW },
    );
    // (300 on a return is the catalogue's, from a peer's receipts: manual review, pending, no anomaly)
    expect([o!.state, o!.documents.refund?.outcome, o!.anomalies]).toEqual(['released', 'pending', []]);
    const [held] = status(
      [
        r('CEB622', { ...INV, returnStatus: '800', returnTime: '20261120101700000' }),
        r('CEB626', { ...INV, returnStatus: '501', returnTime: '20261121101700000' }),
      ],
      { now: NOW },
    );
    expect([held!.state, held!.documents.refund, held!.anomalies.map((a) => [a.kind, a.rule, a.document])]).toEqual([
      'released',
      { returnStatus: '501', time: '2026-11-21T10:17:00.000+08:00' },
      [['unknown-status', 'other-receipt-status', 'refund']],
    ]);
  });
});

describe('a return released (CEB626 800 放行), as the E-Port’s own records give an approved return', () => {
  const released = r('CEB622', {
    ...INV,
    returnStatus: '800',
    returnTime: '20261101101700000',
    returnInfo: '[Code:2600;Desc:放行]',
  });
  const refund = (returnStatus: string, returnTime: string) =>
    r('CEB626', { ...INV, returnStatus, returnTime, returnInfo: '[Code:2600;Desc:放行]' });

  it('is refunded, as after a 399, and no delivery status is asked of it', () => {
    // The old code left the order released, with a no-delivery-status anomaly: the return's 800 was no approval.
    const [o] = status([released, refund('120', '20261105101700000'), refund('800', '20261106101700000')], {
      now: NOW,
    });
    expect([o!.state, o!.documents.refund?.outcome, o!.anomalies]).toEqual(['refunded', 'accepted', []]);
    const [after399] = status([released, refund('399', '20261106101700000'), refund('800', '20261106111700000')], {
      now: NOW,
    });
    expect([after399!.state, after399!.anomalies]).toEqual(['refunded', []]);
  });

  it('approved after the arrival deadline is a late return, as a 399 is', () => {
    // (applied on 20 November, within 30 days of the release; released after 16 December, 45 days on)
    const late = status([released, refund('120', '20261120101700000'), refund('800', '20261220101700000')], {
      now: new Date('2026-12-21T00:00:00Z'),
    });
    expect(late[0]!.anomalies.map((a) => [a.kind, a.rule])).toEqual([
      ['late-return', 'approved-after-arrival-deadline'],
    ]);
  });
});

describe('sandan parse given a status of another receipt', () => {
  it('says it is none of that receipt’s and names the receipts it belongs to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-lists-'));
    try {
      const file = join(dir, 'CEB312.xml');
      writeFileSync(
        file,
        `<?xml version="1.0" encoding="UTF-8"?><ceb:CEB312Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0"><ceb:OrderReturn><ceb:guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC94</ceb:guid><ceb:ebpCode>3301964J31</ceb:ebpCode><ceb:ebcCode>3301964J31</ceb:ebcCode><ceb:orderNo>SD202611200001</ceb:orderNo><ceb:returnStatus>800</ceb:returnStatus><ceb:returnTime>20261120111700000</ceb:returnTime><ceb:returnInfo>放行</ceb:returnInfo></ceb:OrderReturn></ceb:CEB312Message>`,
      );
      const out = await runCli(['parse', '--format', 'text', file]);
      expect(out.stdout).toContain(
        '[1] returnStatus 800 不是 CEB312 的回执状态，回执状态表只对 CEB622、CEB626 列出（放行） (no status of a CEB312: the receipt catalogue lists it for CEB622, CEB626 only, Released)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
