import { gnumSequence } from '../../../src/rules/lines/gnum.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(gnumSequence, {
  valid: [
    { name: 'lines 1 and 2' },
    { name: 'gnum as a digit string', set: { 'order.items[0].gnum': '1', 'order.items[1].gnum': '2' } },
    { name: 'a gnum that is no number is the schema’s business', set: { 'order.items[1].gnum': 'two' } },
  ],
  invalid: [
    {
      name: 'two inventory lines numbered 1',
      set: { 'inventory.items[1].gnum': 1 },
      errors: [
        {
          code: '-621027',
          path: 'inventory.items[1].gnum',
          actual: '1',
          data: { gnum: 1, path: 'inventory.items[1].gnum' },
          message: {
            zh: '商品序号 1 重复（inventory.items[1].gnum）',
            en: 'inventory.items[1].gnum: gnum 1 appears more than once',
          },
        },
      ],
    },
    {
      name: 'a gap: 1, 3',
      set: { 'order.items[1].gnum': 3 },
      errors: [
        {
          code: 'gnum-sequence',
          path: 'order.items[1].gnum',
          expected: '2',
          actual: '3',
          data: { expected: 2, gnum: 3, path: 'order.items[1].gnum' },
          message: {
            zh: '第 2 项的商品序号应为 2，实际为 3',
            en: 'order.items[1].gnum must be 2 (lines are numbered 1, 2, 3, … in order), got 3',
          },
        },
      ],
    },
    {
      name: 'starting at 2, then a repeat: 2, 2',
      set: { 'order.items[0].gnum': 2, 'order.items[1].gnum': 2 },
      errors: [
        {
          code: 'gnum-sequence',
          path: 'order.items[0].gnum',
          expected: '1',
          actual: '2',
          data: { expected: 1, gnum: 2, path: 'order.items[0].gnum' },
        },
        { code: '-621027', path: 'order.items[1].gnum', data: { gnum: 2, path: 'order.items[1].gnum' } },
      ],
    },
  ],
});
