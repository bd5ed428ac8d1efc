import { logisticsAgrees } from '../../../src/rules/identity/logistics.js';
import { mismatch, ruleTester } from '../rule-tester.js';

ruleTester(logisticsAgrees, {
  valid: [{ name: 'the example declaration' }],
  invalid: [
    {
      name: 'another waybill number on the inventory',
      set: { 'inventory.logisticsNo': 'ZT0000000000000' },
      errors: [
        mismatch(
          'logistics-mismatch',
          'inventory.logisticsNo',
          'logistics.logisticsNo',
          'ZT0000000000000',
          'ZT7700012345678',
        ),
      ],
    },
    {
      name: 'another logistics company and waybill',
      set: { 'inventory.logisticsCode': '3301980ZT9', 'inventory.logisticsNo': 'X' },
      errors: [
        mismatch(
          'logistics-mismatch',
          'inventory.logisticsCode',
          'logistics.logisticsCode',
          '3301980ZT9',
          '3301980ZT1',
        ),
        mismatch('logistics-mismatch', 'inventory.logisticsNo', 'logistics.logisticsNo', 'X', 'ZT7700012345678'),
      ],
    },
  ],
});
