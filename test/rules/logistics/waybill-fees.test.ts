import { describe, expect, it } from 'vitest';
import { waybillFees } from '../../../src/rules/logistics/waybill-fees.js';
import { validate } from '../../../src/rules/validate.js';
import { example } from '../../helpers/examples.js';
import { ruleTester } from '../rule-tester.js';

// 报文规范 (2018 and 202205) 表3-17 运单业务节点: 运费 freight, 保价费 insuredFee 必填, 无则填“0”; the XSD: minOccurs 0.
ruleTester(waybillFees, {
  valid: [
    { name: 'freight and insuredFee 0.00 on the waybill (the hangzhou example)' },
    { name: 'freight 20.00 and insuredFee 0.00', base: 'guangzhou-9610' },
    { name: 'no waybill', set: { logistics: null } },
  ],
  invalid: [
    {
      name: 'a waybill without freight and insuredFee: a warning each',
      set: { 'logistics.freight': null, 'logistics.insuredFee': null },
      errors: [
        {
          code: 'waybill-fee-missing',
          path: 'logistics.freight',
          severity: 'warning',
          expected: '0',
          data: { field: 'freight' },
          message: {
            zh: '运单未填 freight：报文规范表3-17列为必填，无则填“0”（XSD 允许不填）',
            en: 'logistics.freight is left out: the spec\'s field table (表3-17) makes it required, "0" if none, while the XSD lets it be left out; write 0',
          },
        },
        {
          code: 'waybill-fee-missing',
          path: 'logistics.insuredFee',
          severity: 'warning',
          data: { field: 'insuredFee' },
        },
      ],
    },
    {
      name: "an empty insuredFee is left out too ('' is read as absent)",
      base: 'guangzhou-9610',
      set: { 'logistics.insuredFee': '' },
      errors: [
        {
          code: 'waybill-fee-missing',
          path: 'logistics.insuredFee',
          severity: 'warning',
          data: { field: 'insuredFee' },
        },
      ],
    },
  ],
});

describe('logistics/waybill-fees is a setting of the ruleset', () => {
  const input = example('hangzhou-1210');
  delete (input.logistics as Record<string, unknown>).freight;
  const ruleset = (severity: 'error' | 'off') => ({
    id: `fees-${severity}`,
    version: '1',
    extends: 'national',
    name: { zh: '运单运费', en: 'waybill fees' },
    sources: [
      {
        id: 'OPS',
        issuer: 'ops',
        title: 'what our customs office answered',
        section: 'CEB511',
        kind: 'secondary' as const,
      },
    ],
    rules: { 'logistics/waybill-fees': { severity, source: 'OPS' } },
  });
  const codes = (r: ReturnType<typeof validate>) =>
    r.issues.filter((i) => i.code === 'waybill-fee-missing').map((i) => [i.severity, i.path]);

  it('the national ruleset: a warning, and the declaration is valid', () => {
    const r = validate(input);
    expect(codes(r)).toEqual([['warning', 'logistics.freight']]);
    expect(r.valid).toBe(true);
  });

  it('a ruleset that sets error fails it; one that sets off says nothing', () => {
    const strict = validate(input, { ruleset: ruleset('error') });
    expect(codes(strict)).toEqual([['error', 'logistics.freight']]);
    expect(strict.valid).toBe(false);
    expect(codes(validate(input, { ruleset: ruleset('off') }))).toEqual([]);
  });
});
