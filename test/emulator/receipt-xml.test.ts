import { describe, expect, it } from 'vitest';
import { renderReceipt } from '../../src/emulator/receipt-xml.js';
import { parseCebXml } from '../../src/xml/index.js';

const env = { now: () => new Date('2026-11-20T02:20:00Z'), newId: () => '00000000-0000-4000-8000-000000000001' };

describe('renderReceipt', () => {
  it('still answers a document the receipt builder refuses (a cancel of an inventory nobody declared)', () => {
    // copNo is required in InvtCancelReturn; without it buildReceipt refuses, and the receipt is
    // written field by field over the content model instead of being lost.
    const xml = renderReceipt(
      'CEB624',
      {
        guid: '00000000-0000-4000-8000-000000000002',
        customsCode: '2924',
        returnStatus: '-623003',
        returnTime: '20261120102000000',
        returnInfo: '清单编号不存在',
      },
      '00000000-0000-4000-8000-000000000003',
      env,
    );
    const parsed = parseCebXml(xml);
    expect(parsed.kind).toBe('ceb');
    if (parsed.kind !== 'ceb') return;
    expect(parsed.messageType).toBe('CEB624');
    expect(parsed.documents[0]).toMatchObject({
      customsCode: '2924',
      returnStatus: '-623003',
      returnInfo: '清单编号不存在',
    });
    expect(xml).not.toContain('copNo');
  });
});
