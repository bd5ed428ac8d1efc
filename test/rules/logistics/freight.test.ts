import { freightAgrees } from '../../../src/rules/logistics/freight.js';
import { ruleTester } from '../rule-tester.js';

const ORDER = { zh: '订单', en: 'order' };
const WAYBILL = { zh: '运单', en: 'logistics' };

ruleTester(freightAgrees, {
  valid: [
    { name: 'freight 20.00 everywhere', base: 'guangzhou-9610' },
    { name: 'equal amounts written differently', base: 'guangzhou-9610', set: { 'inventory.freight': '20' } },
    { name: 'no inventory', set: { inventory: null } },
  ],
  invalid: [
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
