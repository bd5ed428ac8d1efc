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
    {
      // An integrator's CEB621 (2019, a Wuhan platform, in a Scala test) wrote <ceb:logisticsNo> 9700555708701
      // </ceb:logisticsNo>: unquoted, the message read "is ZT… but … is ZT…; they must be equal".
      name: 'a waybill number with spaces around it: the message quotes both values, the report keeps them as written',
      set: { 'inventory.logisticsNo': ' ZT7700012345678 ' },
      errors: [
        {
          ...mismatch(
            'logistics-mismatch',
            'inventory.logisticsNo',
            'logistics.logisticsNo',
            '" ZT7700012345678 "',
            '"ZT7700012345678"',
          ),
          actual: ' ZT7700012345678 ',
          expected: 'ZT7700012345678',
          message: {
            zh: '物流运单编号（inventory.logisticsNo）为 " ZT7700012345678 "，与 logistics.logisticsNo 的 "ZT7700012345678" 不一致',
            en: 'inventory.logisticsNo is " ZT7700012345678 " but logistics.logisticsNo is "ZT7700012345678"; they must be equal',
          },
        },
      ],
    },
  ],
});
