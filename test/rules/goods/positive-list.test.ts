import { testEdition as edition } from '../../helpers/positive-list.js';
import { positiveList } from '../../../src/rules/goods/positive-list.js';
import type { AnnualQuantities } from '../../../src/rules/positive-list.js';
import { ruleTester } from '../rule-tester.js';

const LIST = { zh: '测试清单', en: 'test list' };
const MILK = { zh: '19011010 婴儿配方奶粉（《测试清单》）', en: '19011010 (婴儿配方奶粉) on test list' };
const COSMETICS = { zh: '33049900 化妆品（《测试清单》）', en: '33049900 (化妆品) on test list' };
const CREAM = { hs8: '33049900', name: '化妆品', source: 'T' };
const P0 = 'inventory.items[0].gcode';
const P1 = 'inventory.items[1].gcode';

/** Line 1 of the Hangzhou example (qty1 1.6 kg) capped at `max` kg a person a year. */
const capped = (max: string) =>
  edition([
    {
      hs8: '19011010',
      name: '婴儿配方奶粉',
      remarks: [{ kind: 'annual-quantity', max, unit: 'kg', text: `每人每年限${max}千克` }],
      source: 'T',
    },
    CREAM,
  ]);
const ledger = (used: string | undefined): AnnualQuantities => ({
  used: (id, year, hs8, unit) =>
    id === '330106199003071519' && year === 2026 && hs8 === '19011010' && unit === 'kg' ? used : undefined,
});
/** A ledger that answers for anyone and any year: the rule must not ask it without a buyer or a real year. */
const anyone = (used: string): AnnualQuantities => ({ used: () => used });
const cap = (max: string) => ({ on: MILK, remark: `每人每年限${max}千克`, cap: `${max} kg` });

ruleTester(positiveList, {
  valid: [
    {
      name: 'both codes listed without remarks',
      options: { positiveLists: [edition([{ hs8: '19011010', name: '婴儿配方奶粉', source: 'T' }, CREAM])] },
    },
    {
      name: 'bonded-only goods under 1210',
      options: {
        positiveLists: [
          edition([
            {
              hs8: '19011010',
              name: '婴儿配方奶粉',
              remarks: [{ kind: 'bonded-only', modes: ['1210'], text: '仅限网购保税' }],
              source: 'T',
            },
            CREAM,
          ]),
        ],
      },
    },
    {
      name: '0.4 kg bought before + 1.6 kg = 2 kg, exactly the cap',
      options: { positiveLists: [capped('2')], annualQuantities: ledger('0.4') },
    },
    {
      // At the cap is allowed, only past it is not: 0 + 1.6 = 1.6 ≤ 1.6.
      name: 'nothing bought before + 1.6 kg = exactly a 1.6 kg cap',
      options: { positiveLists: [capped('1.6')], annualQuantities: ledger('0') },
    },
    {
      name: 'the year 9000 is the last the ledger is asked about: 0 + 1.6 ≤ 2 kg',
      options: { positiveLists: [capped('2')], annualQuantities: anyone('0'), at: '9000-06-01' },
    },
    {
      name: 'a gcode that is not 10 digits is the schema’s business',
      set: { 'inventory.items[0].gcode': '1901' },
      options: { positiveLists: [capped('1')] },
    },
    { name: 'an inventory without lines', set: { 'inventory.items': [] }, options: { positiveLists: [] } },
  ],
  invalid: [
    {
      name: 'not on a complete edition',
      options: { positiveLists: [edition([CREAM], { complete: true })] },
      errors: [
        {
          code: 'positive-list',
          path: P0,
          actual: '19011010',
          data: {
            hs8: '19011010',
            edition: LIST,
            reasonZh: '全文无此税号',
            reasonEn: 'the whole list has no such line',
          },
          message: {
            zh: '19011010 不在《测试清单》内（全文无此税号）',
            en: '19011010 is not on test list (the whole list has no such line)',
          },
        },
      ],
    },
    {
      name: 'not on an incomplete copy: unconfirmed, a warning',
      options: { positiveLists: [edition([CREAM])] },
      errors: [
        {
          code: 'positive-list-unconfirmed',
          path: P0,
          severity: 'warning',
          actual: '19011010',
          data: { hs8: '19011010', edition: LIST, heading: '1901' },
        },
      ],
    },
    {
      name: 'no edition given',
      options: { positiveLists: [] },
      errors: [
        {
          code: 'positive-list-no-edition',
          path: 'inventory.items',
          severity: 'warning',
          actual: '2026-11-20',
          data: { at: '2026-11-20', why: { zh: '没有提供任何正面清单', en: 'no positive-list edition was given' } },
        },
      ],
    },
    {
      name: 'a date before the first edition',
      options: { positiveLists: [capped('2')], at: '2021-01-01' },
      errors: [
        {
          code: 'positive-list-no-edition',
          path: 'inventory.items',
          severity: 'warning',
          data: {
            at: '2021-01-01',
            why: { zh: '最早的清单自 2022-03-01 起施行', en: 'the first edition took effect on 2022-03-01' },
          },
          message: {
            zh: '2021-01-01 没有有效的跨境电商零售进口商品清单（最早的清单自 2022-03-01 起施行），未核对商品编码',
            en: 'No positive-list edition was in force on 2021-01-01 (the first edition took effect on 2022-03-01); the commodity codes were not checked',
          },
        },
      ],
    },
    {
      name: 'a date after the last edition ended',
      options: { positiveLists: [edition([CREAM], { effectiveTo: '2023-01-01' })] },
      errors: [
        {
          code: 'positive-list-no-edition',
          path: 'inventory.items',
          severity: 'warning',
          data: {
            at: '2026-11-20',
            why: { zh: '所给清单均不覆盖该日期', en: 'none of the editions given covers that date' },
          },
        },
      ],
    },
    {
      name: 'every kind of remark',
      options: {
        positiveLists: [
          edition([
            {
              hs8: '19011010',
              name: '婴儿配方奶粉',
              remarks: [
                { kind: 'bonded-only', modes: ['1239'], text: '仅限网购保税' },
                { kind: 'exclusion', list: 'cites', text: '列入濒危公约的除外' },
                { kind: 'name-restriction', allowed: '婴儿奶粉', text: '仅限婴儿奶粉' },
                { kind: 'other', text: '须附中文标签' },
              ],
              source: 'T',
            },
            {
              ...CREAM,
              remarksUnknown: true,
              remarks: [{ kind: 'exclusion', list: 'dual-use', text: '两用物项除外' }],
            },
          ]),
        ],
      },
      errors: [
        {
          code: 'positive-list-mode',
          path: P0,
          expected: '1239',
          actual: '1210',
          data: { on: MILK, remark: '仅限网购保税', modesZh: '1239', modesEn: '1239', mode: '1210' },
          message: {
            zh: '19011010 婴儿配方奶粉（《测试清单》） 备注“仅限网购保税”：限网购保税进口（1239），不能以 1210 申报',
            en: '19011010 (婴儿配方奶粉) on test list is limited to bonded import (1239) by its remark "仅限网购保税"; it cannot be declared under 1210',
          },
        },
        {
          code: 'positive-list-exclusion',
          path: P0,
          severity: 'warning',
          actual: '19011010',
          data: { on: MILK, remark: '列入濒危公约的除外', excluded: 'CITES-listed species are excluded' },
        },
        {
          code: 'positive-list-name',
          path: P0,
          severity: 'warning',
          expected: '婴儿奶粉',
          actual: '婴儿配方奶粉 800g',
          data: { on: MILK, remark: '仅限婴儿奶粉', allowed: '婴儿奶粉' },
        },
        {
          code: 'positive-list-remark',
          path: P0,
          severity: 'warning',
          actual: '19011010',
          data: { on: MILK, remark: '须附中文标签' },
        },
        {
          code: 'positive-list-remark',
          messageId: 'positive-list-remark-missing',
          path: P1,
          severity: 'warning',
          actual: '33049900',
          data: { on: COSMETICS },
        },
        {
          code: 'positive-list-exclusion',
          path: P1,
          severity: 'warning',
          data: { on: COSMETICS, remark: '两用物项除外', excluded: 'dual-use items are excluded' },
        },
      ],
    },
    {
      name: 'exclusions of special foods and of other goods',
      options: {
        positiveLists: [
          edition([
            {
              hs8: '19011010',
              name: '婴儿配方奶粉',
              remarks: [{ kind: 'exclusion', list: 'special-food', text: '特殊食品除外' }],
              source: 'T',
            },
            { ...CREAM, remarks: [{ kind: 'exclusion', list: 'other', text: '部分除外' }] },
          ]),
        ],
      },
      errors: [
        {
          code: 'positive-list-exclusion',
          path: P0,
          severity: 'warning',
          data: { on: MILK, remark: '特殊食品除外', excluded: 'special foods needing registration are excluded' },
        },
        {
          code: 'positive-list-exclusion',
          path: P1,
          severity: 'warning',
          data: { on: COSMETICS, remark: '部分除外', excluded: 'some goods are excluded' },
        },
      ],
    },
    {
      name: 'a cap without the buyer’s year: asks to confirm',
      options: { positiveLists: [capped('2')] },
      errors: [
        {
          code: 'positive-list-quantity-unconfirmed',
          path: P0,
          severity: 'warning',
          expected: '≤ 2 kg',
          actual: '1.6 kg',
          data: { ...cap('2'), order: '1.6', unit: 'kg', year: 2026 },
        },
      ],
    },
    {
      name: 'no buyer ID: the ledger is not asked (it would answer for nobody), asks to confirm',
      set: { 'inventory.buyerIdNumber': null, 'order.buyerIdNumber': null },
      options: { positiveLists: [capped('2')], annualQuantities: anyone('0') },
      errors: [
        {
          code: 'positive-list-quantity-unconfirmed',
          path: P0,
          severity: 'warning',
          expected: '≤ 2 kg',
          actual: '1.6 kg',
          data: { ...cap('2'), order: '1.6', unit: 'kg', year: 2026 },
        },
      ],
    },
    {
      // The rule asks the ledger for years up to 9000 (the bound below), not after.
      name: 'an impossible year (9001): the ledger is not asked, asks to confirm',
      options: { positiveLists: [capped('2')], annualQuantities: anyone('0'), at: '9001-06-01' },
      errors: [
        {
          code: 'positive-list-quantity-unconfirmed',
          path: P0,
          severity: 'warning',
          expected: '≤ 2 kg',
          actual: '1.6 kg',
          data: { ...cap('2'), order: '1.6', unit: 'kg', year: 9001 },
        },
      ],
    },
    {
      name: '0.5 kg bought before + 1.6 kg = 2.1 kg passes a 2 kg cap',
      options: { positiveLists: [capped('2')], annualQuantities: ledger('0.5') },
      errors: [
        {
          code: 'positive-list-quantity',
          path: P0,
          expected: '≤ 2 kg',
          actual: '2.1 kg',
          data: { ...cap('2'), year: 2026, used: '0.5', order: '1.6', unit: 'kg', total: '2.1' },
        },
      ],
    },
    {
      name: 'this order alone passes a 1.5 kg cap (two lines of the code counted together)',
      mutate: (d) => {
        d.inventory.items[1].gcode = '1901101000';
        d.inventory.items[1].qty1 = '0.05';
      },
      options: { positiveLists: [capped('1.6')] },
      errors: [
        {
          code: 'positive-list-quantity',
          messageId: 'positive-list-quantity-order',
          path: P0,
          expected: '≤ 1.6 kg',
          actual: '1.65 kg',
          data: { ...cap('1.6'), order: '1.65', unit: 'kg' },
        },
      ],
    },
    {
      name: 'the legal quantity is in kg on the second unit',
      set: {
        'inventory.items[0].unit1': '122',
        'inventory.items[0].qty1': '2',
        'inventory.items[0].unit2': '035',
        'inventory.items[0].qty2': '1.6',
      },
      options: { positiveLists: [capped('1.5')] },
      errors: [
        {
          code: 'positive-list-quantity',
          path: P0,
          actual: '1.6 kg',
          data: { ...cap('1.5'), order: '1.6', unit: 'kg' },
        },
      ],
    },
    {
      name: 'no legal quantity in kg: the cap cannot be checked',
      set: { 'inventory.items[0].unit1': '122' },
      options: { positiveLists: [capped('2')] },
      errors: [
        {
          code: 'positive-list-quantity-unconfirmed',
          messageId: 'positive-list-quantity-no-unit',
          path: P0,
          severity: 'warning',
          expected: '≤ 2 kg',
          actual: undefined,
          data: cap('2'),
        },
      ],
    },
  ],
});
