import { describe, expect, it } from 'vitest';
import { quotaReceiptsOf } from '../../src/quota/from-xml.js';
import { parseCebXml } from '../../src/xml/parse.js';

// The quota ledger keys an order by the orderNo it was reserved with, so receipts hand their keys on
// as written (nonBlankText): not trimmed, but a blank element names nothing.

const ceb622 = (copNo: string, invtNo: string, ebpCode: string | null = '1105910159') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<CEB622Message version="1.0" xmlns="http://www.chinaport.gov.cn/ceb" guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94">
  <InventoryReturn>
    <guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC94</guid>
    <customsCode>1501</customsCode>
    ${ebpCode === null ? '' : `<ebpCode>${ebpCode}</ebpCode>`}
    <ebcCode>1105910159</ebcCode>
    <agentCode>1105980159</agentCode>
    <copNo>${copNo}</copNo>
    <preNo>B20160512000001882</preNo>
    <invtNo>${invtNo}</invtNo>
    <returnStatus>800</returnStatus>
    <returnTime>20260701120000000</returnTime>
    <returnInfo>放行</returnInfo>
  </InventoryReturn>
</CEB622Message>`;

describe('quotaReceiptsOf', () => {
  it('keeps keys as written', () => {
    const [r] = quotaReceiptsOf(parseCebXml(ceb622(' C1 ', '290020260000000001')));
    expect(r).toEqual({
      kind: 'CEB622',
      orderNo: undefined,
      // The platform, so that the order is that platform's, not another's of the same orderNo.
      ebpCode: '1105910159',
      copNo: ' C1 ',
      invtNo: '290020260000000001',
      returnStatus: '800',
      returnTime: '20260701120000000',
    });
  });

  it('a blank key is absent (it was the blank text before, looked up as a key)', () => {
    const [r] = quotaReceiptsOf(parseCebXml(ceb622('C1', '   ')));
    expect(r?.invtNo).toBeUndefined();
    expect(r?.copNo).toBe('C1');
  });

  it('a receipt without ebpCode (optional in CEB622) names no platform', () => {
    const [r] = quotaReceiptsOf(parseCebXml(ceb622('C1', '290020260000000001', null)));
    expect(r?.ebpCode).toBeUndefined();
    expect(r?.invtNo).toBe('290020260000000001');
  });
});
