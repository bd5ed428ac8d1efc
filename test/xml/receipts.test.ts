import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { receiptsDoc } from '../../scripts/receipts-doc.js';
import { explainCode, explainReceipt, explainStatus, receiptCatalogue } from '../../src/xml/index.js';

describe('receipt catalogue (rulesets/receipts.json)', () => {
  it('docs/receipts.md is up to date (run `npx tsx scripts/receipts-doc.ts` after editing the catalogue)', () => {
    expect(readFileSync(new URL('../../docs/receipts.md', import.meta.url), 'utf8')).toBe(receiptsDoc());
  });

  it('every entry has a source, a meaning and a fix in both languages; codes are unique', () => {
    const c = receiptCatalogue();
    for (const e of [...c.statuses, ...c.codes]) {
      expect(e.source).toMatch(/ceb-messages\.md|tax-quota-districts\.md/);
      expect(e.fix.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    const codes = c.codes.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(c.statuses.map((s) => s.status)).toEqual(expect.arrayContaining(['1', '2', '3', '4', '100', '120', '300', '399', '500', '800', '899', '<0']));
  });

  it('explains statuses, negative statuses and codes', () => {
    expect(explainStatus('800')?.en).toBe('Released');
    expect(explainStatus('-301010')?.status).toBe('<0');
    expect(explainStatus('12345')).toBeUndefined();
    expect(explainCode('-621027')?.zh).toMatch(/gnum/);
    const x = explainReceipt({ returnStatus: '100', returnInfo: '[Code:1332;Desc:支付单支付金额与订单支付金额不一致],[OrderHead.acturalPaid:1]' });
    expect(x).toMatchObject({ status: '100', outcome: 'rejected', code: '1332', codeMeaning: { en: "Payment amountPaid differs from the order's acturalPaid" } });
    expect(x.fix?.en).toMatch(/acturalPaid = goodsValue \+ freight \+ taxTotal − discount/);
    expect(explainReceipt({ returnStatus: '-621005', returnInfo: '超过限值' })).toMatchObject({ code: '-621005', outcome: 'rejected' });
  });
});
