import { linesCorrespond } from '../../../src/rules/lines/correspond.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(linesCorrespond, {
  valid: [
    { name: 'the example declaration' },
    { name: 'no inventory yet', set: { inventory: null } },
    {
      name: 'amounts written differently but equal',
      set: { 'inventory.items[0].price': '199', 'inventory.items[0].qty': '2.0' },
    },
  ],
  invalid: [
    {
      name: 'the inventory has one line, the order two',
      mutate: (d) => d.inventory.items.pop(),
      errors: [
        {
          code: '1320',
          path: 'inventory.items',
          expected: '2',
          actual: '1',
          data: { inventoryLines: 1, orderLines: 2 },
          message: { zh: '清单有 1 项商品，订单有 2 项', en: 'The inventory has 1 lines, the order 2' },
        },
      ],
    },
    {
      name: 'an inventory line with a gnum the order lacks',
      set: { 'inventory.items[1].gnum': 3 },
      errors: [
        {
          code: '1322',
          path: 'inventory.items[1].gnum',
          actual: '3',
          data: { gnum: 3, base: 'inventory.items[1]' },
          message: {
            zh: '订单中没有商品序号为 3 的商品',
            en: 'inventory.items[1].gnum 3 has no order line with the same gnum',
          },
        },
      ],
    },
    {
      name: 'line 2 renamed',
      set: { 'inventory.items[1].gname': '面霜' },
      errors: [
        {
          code: '1322',
          messageId: '1322-name',
          path: 'inventory.items[1].gname',
          expected: '保湿面霜 50ml',
          actual: '面霜',
          data: { gnum: 2, gname: '面霜', itemName: '保湿面霜 50ml' },
        },
      ],
    },
    {
      name: 'quantity, price and total differ',
      set: {
        'inventory.items[0].qty': 3,
        'inventory.items[0].price': '198.00',
        'inventory.items[0].totalPrice': '594.00',
      },
      errors: [
        {
          code: '1322',
          messageId: '1322-amount',
          path: 'inventory.items[0].qty',
          expected: '2',
          actual: '3',
          data: { gnum: 1, key: 'qty', actual: '3', expected: '2' },
        },
        {
          code: '1322',
          path: 'inventory.items[0].price',
          expected: '199',
          actual: '198',
          data: { gnum: 1, key: 'price', actual: '198', expected: '199' },
        },
        {
          code: '1322',
          path: 'inventory.items[0].totalPrice',
          data: { gnum: 1, key: 'totalPrice', actual: '594', expected: '398' },
          message: {
            zh: '商品序号 1：清单 totalPrice 594 与订单 398 不一致',
            en: "gnum 1: inventory totalPrice 594 differs from the order's 398",
          },
        },
      ],
    },
    {
      name: 'lines matched by gnum, not by position; a repeated order gnum keeps its first line',
      mutate: (d) => {
        d.inventory.items.reverse();
        d.order.items.push({ ...d.order.items[0], itemName: 'dup' });
      },
      errors: [
        {
          code: '1320',
          path: 'inventory.items',
          expected: '3',
          actual: '2',
          data: { inventoryLines: 2, orderLines: 3 },
        },
      ],
    },
  ],
});
