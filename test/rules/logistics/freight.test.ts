import { freightAgrees } from '../../../src/rules/logistics/freight.js';
import { ruleTester } from '../rule-tester.js';

const ORDER = { zh: '订单', en: 'order' };
const WAYBILL = { zh: '运单', en: 'logistics' };
/** The warning for a waybill without insuredFee. */
const INSURED_FEE_MISSING = {
  code: 'waybill-fee-missing',
  path: 'logistics.insuredFee',
  severity: 'warning',
  data: { field: 'insuredFee' },
} as const;

ruleTester(freightAgrees, {
  valid: [
    { name: 'freight 20.00 everywhere', base: 'guangzhou-9610' },
    { name: 'equal amounts written differently', base: 'guangzhou-9610', set: { 'inventory.freight': '20' } },
    { name: 'no inventory', set: { inventory: null } },
    { name: 'a waybill that states freight and insuredFee as 0 (the hangzhou example)' },
    { name: 'no waybill', set: { logistics: null } },
  ],
  invalid: [
    {
      // 报文规范 (2018 and 202205) 表3-17: 运费 freight, 保价费 insuredFee 必填, 无则填“0”; the XSD: minOccurs 0.
      name: 'a waybill without freight and insuredFee: a warning each (the spec table asks for 0; the XSD allows none)',
      set: { 'logistics.freight': null, 'logistics.insuredFee': null },
      errors: [
        {
          code: 'waybill-fee-missing',
          path: 'logistics.freight',
          severity: 'warning',
          expected: '0',
          data: { field: 'freight' },
          message: {
            zh: '运单未填 freight：报文规范表3-17列为必填，无则填“0”（XSD 允许不填，海关是否退单未见依据）',
            en: 'logistics.freight is left out: the spec\'s field table (表3-17) makes it required, "0" if none; the XSD lets it be left out, and no customs refusal of it is known; write 0',
          },
        },
        INSURED_FEE_MISSING,
      ],
    },
    {
      name: "an empty insuredFee is left out as well, and stays a warning where a ruleset makes the rule's comparisons errors",
      base: 'guangzhou-9610',
      set: { 'logistics.insuredFee': '', 'inventory.freight': '15.00' },
      options: {
        ruleset: {
          id: 'strict-freight',
          version: '1',
          extends: 'national',
          name: { zh: '运费严格', en: 'strict freight' },
          sources: [{ id: 'OPS', issuer: 'ops', title: 'ops', section: 'freight', kind: 'secondary' }],
          rules: { 'logistics/freight': { severity: 'error', source: 'OPS' } },
        },
      },
      errors: [
        INSURED_FEE_MISSING,
        { code: 'freight-mismatch', path: 'inventory.freight', data: { actual: '15', expected: '20', other: ORDER } },
        { code: 'freight-mismatch', path: 'inventory.freight', data: { actual: '15', expected: '20', other: WAYBILL } },
      ],
    },
    {
      name: 'the inventory says 15.00 (a warning in the national ruleset)',
      base: 'guangzhou-9610',
      set: { 'inventory.freight': '15.00' },
      errors: [
        {
          code: 'freight-mismatch',
          path: 'inventory.freight',
          severity: 'warning',
          expected: '20',
          actual: '15',
          data: { actual: '15', expected: '20', other: ORDER },
          message: { zh: '清单 freight 15 与订单 20 不一致', en: 'inventory.freight 15 differs from order.freight 20' },
        },
        {
          code: 'freight-mismatch',
          path: 'inventory.freight',
          severity: 'warning',
          data: { actual: '15', expected: '20', other: WAYBILL },
        },
      ],
    },
    {
      name: 'the insured fee differs from the waybill',
      base: 'guangzhou-9610',
      set: { 'inventory.insuredFee': '1.50' },
      errors: [
        {
          code: 'insured-fee-mismatch',
          path: 'inventory.insuredFee',
          severity: 'warning',
          expected: '0',
          actual: '1.5',
          data: { actual: '1.5', expected: '0', other: WAYBILL },
          message: {
            zh: '清单 insuredFee 1.5 与运单 0 不一致',
            en: 'inventory.insuredFee 1.5 differs from logistics.insuredFee 0',
          },
        },
      ],
    },
  ],
});
