import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/rules/index.js';
import { parseDeclaration } from '../../../src/model/parse.js';
import { nearestFieldName } from '../../../src/model/field-names.js';
import { fieldUnknown } from '../../../src/rules/fields/unknown.js';
import { example } from '../../helpers/examples.js';
import { ruleTester } from '../rule-tester.js';

const actualPaid = (() => {
  const d = example('hangzhou-1210');
  d.order.actualPaid = '597.87';
  return parseDeclaration(d).issues.find((i) => i.code === 'unknown-field')?.message;
})();

ruleTester(fieldUnknown, {
  valid: [{ name: 'the example declaration' }],
  invalid: [
    {
      name: 'a field the CEB order does not have',
      set: { 'order.actualPaid': '597.87' },
      errors: [{ code: 'unknown-field', path: 'order.actualPaid', severity: 'warning', data: { text: actualPaid! } }],
    },
    {
      name: 'a known misspelling is read as the spec’s name',
      set: { 'order.consigneeDistrict': null, 'order.consigneeDitrict': '330106' },
      errors: [
        {
          code: 'field-misspelled',
          path: 'order.consigneeDitrict',
          severity: 'warning',
          data: {
            text: {
              zh: 'consigneeDitrict 是 consigneeDistrict 的误拼，已按 consigneeDistrict 读取（order.consigneeDitrict）',
              en: 'order.consigneeDitrict: consigneeDitrict is a misspelling of consigneeDistrict; read as consigneeDistrict',
            },
          },
        },
      ],
    },
  ],
});

describe('severity set by a ruleset', () => {
  it('a strict ruleset makes an unknown field an error; without it, it is a warning', () => {
    const d = example('hangzhou-1210');
    (d.order as Record<string, unknown>).shopNote = 'gift wrap';
    const strict = {
      id: 'strict',
      version: '1',
      extends: 'national',
      rules: { 'fields/unknown': { severity: 'error' } },
    };
    const severities = (r: ReturnType<typeof validate>) =>
      r.issues.filter((i) => i.ruleId === 'fields/unknown').map((i) => [i.path, i.severity]);
    expect(severities(validate(d, { ruleset: strict }))).toEqual([['order.shopNote', 'error']]);
    expect(severities(validate(d))).toEqual([['order.shopNote', 'warning']]);
  });
});

describe('did you mean', () => {
  const unknown = (set: (d: ReturnType<typeof example>) => void) => {
    const d = example('hangzhou-1210');
    set(d);
    return parseDeclaration(d)
      .issues.filter((i) => i.code === 'unknown-field')
      .map((i) => [
        i.path,
        i.message.en.replace(/^.*so it would not be sent/, ''),
        i.message.zh.replace(/^.*不会带上/, ''),
      ]);
  };
  it('names the nearest field at that path: same letters in another case first, then by one or two edits', () => {
    expect(
      unknown((d) => {
        const o = d.order as Record<string, unknown>;
        o.actualPaid = o.acturalPaid; // the spec spells it acturalPaid
        o.orderNO = o.orderNo;
        o.goodsvalue = o.goodsValue;
        (d.order.items[0] as Record<string, unknown>).itemname = 'x';
        (d.payment as Record<string, unknown>).payTransactionID = 'x';
      }),
    ).toEqual([
      ['order.actualPaid', '; did you mean acturalPaid?', '；是否应为 acturalPaid？'],
      ['order.orderNO', '; did you mean orderNo?', '；是否应为 orderNo？'],
      ['order.goodsvalue', '; did you mean goodsValue?', '；是否应为 goodsValue？'],
      ['order.items[0].itemname', '; did you mean itemName?', '；是否应为 itemName？'],
      ['payment.payTransactionID', '; did you mean payTransactionId?', '；是否应为 payTransactionId？'],
    ]);
  });
  it('suggests nothing for a field that is no near miss', () => {
    expect(
      unknown((d) => {
        (d.order as Record<string, unknown>).shopNote = 'gift wrap';
        (d as Record<string, unknown>).extra = 1;
      }),
    ).toEqual([
      ['extra', '', ''],
      ['order.shopNote', '', ''],
    ]);
  });
  it('nearestFieldName: within 1 edit up to 4 letters, 2 beyond; a tie suggests nothing', () => {
    const known = ['gnum', 'unit', 'qty', 'price', 'gcode', 'gname'];
    expect(nearestFieldName('GNUM', known)).toBe('gnum');
    expect(nearestFieldName('gnmu', known)).toBe('gnum'); // two letters swapped: one edit
    expect(nearestFieldName('qtyy', known)).toBe('qty');
    expect(nearestFieldName('qt', known)).toBe('qty');
    expect(nearestFieldName('q', known)).toBeUndefined(); // 2 edits from qty: too far for a short name
    expect(nearestFieldName('unxy', known)).toBeUndefined(); // 2 edits from unit, and 4 letters is still short
    expect(nearestFieldName('unity', known)).toBe('unit'); // 5 letters: 2 edits would do, 1 is needed
    expect(nearestFieldName('prize', known)).toBe('price');
    expect(nearestFieldName('pryze', known)).toBe('price');
    expect(nearestFieldName('prxyz', known)).toBeUndefined();
    // ebpCode (the platform) and ebcCode (the e-commerce company) are both 1 edit away: no guess.
    expect(nearestFieldName('ebCode', ['ebpCode', 'ebcCode', 'ebpName'])).toBeUndefined();
  });
});
