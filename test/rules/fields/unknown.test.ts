import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/rules/index.js';
import { parseDeclaration } from '../../../src/model/parse.js';
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
