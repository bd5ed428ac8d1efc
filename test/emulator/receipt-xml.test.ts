import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descWithCode, renderReceipt, returnInfo } from '../../src/emulator/receipt-xml.js';
import { explainReceipt, parseCebXml, parseReturnInfo } from '../../src/xml/index.js';

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

describe('returnInfo', () => {
  it('writes any description so that parseReturnInfo reads back the code and no detail (property)', () => {
    const text = fc.array(fc.oneof(fc.constantFrom('[', ']', ',', ' ', '],[', '] , [', 'Desc:', ';'), fc.string()), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const back = parseReturnInfo(returnInfo('1300', parts.join('')));
        expect(back.code).toBe('1300');
        expect(back.details).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps brackets that close their own and writes the rest full-width', () => {
    expect(returnInfo('1300', '第[2]项不符')).toBe('[Code:1300;Desc:第[2]项不符]');
    expect(returnInfo('0002', '币制为 "],["')).toBe('[Code:0002;Desc:币制为 "］,["]');
    expect(returnInfo('1300', '[a],[b]')).toBe('[Code:1300;Desc:[a]，[b]]');
    expect(parseReturnInfo(returnInfo('1300', '[a],[b]')).desc).toBe('[a]，[b]');
  });
});

describe('descWithCode: a refusal for a finding keeps its code however long the message', () => {
  it('a short message is written whole, the code after it', () => {
    expect(descWithCode('商品不在正面清单内', 'positive-list')).toBe('商品不在正面清单内（positive-list）');
  });

  it('a long message is cut, not the code: the refusal still explains as the finding', () => {
    // returnInfo keeps 400 characters of a Desc: before, a 600-character message lost the code past them.
    const message = `商品名称 ${'超长的商品名称'.repeat(85)} 不在正面清单内`;
    expect(message.length).toBeGreaterThan(400);
    const desc = descWithCode(message, 'positive-list');
    expect(desc.length).toBe(400);
    expect(desc.endsWith('（positive-list）')).toBe(true);
    const info = returnInfo('1300', desc);
    expect(parseReturnInfo(info)?.desc).toBe(desc);
    expect(explainReceipt({ returnStatus: '100', returnInfo: info }).issue?.code).toBe('positive-list');
  });

  it('never leaves half a surrogate pair at the cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 300, maxLength: 600 }), (message) => {
        const desc = descWithCode(message, 'positive-list');
        expect(desc.length).toBeLessThanOrEqual(400);
        expect(desc.endsWith('（positive-list）')).toBe(true);
        expect(desc).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }),
    );
  });
});
