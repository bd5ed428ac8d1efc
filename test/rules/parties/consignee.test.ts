import { consigneeAgrees } from '../../../src/rules/parties/consignee.js';
import { mismatch, ruleTester } from '../rule-tester.js';

const ADDRESS = '浙江省杭州市西湖区文三路1号';
// The inventory's 收件地址 '浙江省杭州市' against the order's: no document or receipt code says customs compares them.
const INVENTORY_ADDRESS_WARNING = {
  ...mismatch('consignee-mismatch', 'inventory.consigneeAddress', 'order.consigneeAddress', '浙江省杭州市', ADDRESS),
  severity: 'warning' as const,
};

ruleTester(consigneeAgrees, {
  valid: [
    { name: 'the example declaration' },
    { name: 'no inventory', set: { inventory: null } },
    {
      // The XSD asks only the order's consignee fields to equal the waybill's; this setting drops the inventory.
      name: 'another inventory address with inventoryAddress off',
      set: { 'inventory.consigneeAddress': '浙江省杭州市' },
      ruleOptions: { inventoryAddress: false },
    },
  ],
  invalid: [
    {
      name: 'another phone on the waybill',
      set: { 'logistics.consigneeTelephone': '13800000001' },
      errors: [
        mismatch(
          'consignee-mismatch',
          'logistics.consigneeTelephone',
          'order.consigneeTelephone',
          '13800000001',
          '13800000000',
        ),
      ],
    },
    {
      name: 'every consignee field differs',
      set: {
        'logistics.consignee': '李四',
        'logistics.consigneeTelephone': '1',
        'logistics.consigneeAddress': '上海',
        'inventory.consigneeAddress': '浙江省杭州市',
      },
      errors: [
        mismatch('consignee-mismatch', 'logistics.consignee', 'order.consignee', '李四', '张三'),
        mismatch('consignee-mismatch', 'logistics.consigneeTelephone', 'order.consigneeTelephone', '1', '13800000000'),
        mismatch('consignee-mismatch', 'logistics.consigneeAddress', 'order.consigneeAddress', '上海', ADDRESS),
        INVENTORY_ADDRESS_WARNING,
      ],
    },
    {
      // No document or receipt code says customs compares the inventory's 收件地址 with the order's: a warning.
      name: 'another inventory address (compared by default, a warning)',
      set: { 'inventory.consigneeAddress': '浙江省杭州市' },
      errors: [INVENTORY_ADDRESS_WARNING],
    },
  ],
});
