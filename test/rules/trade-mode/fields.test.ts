import { tradeModeFields } from '../../../src/rules/trade-mode/fields.js';
import { ruleTester } from '../rule-tester.js';

ruleTester(tradeModeFields, {
  valid: [
    { name: '1210 with account book, area and records' },
    { name: '9610 with flight, voyage and bill', base: 'guangzhou-9610' },
    { name: 'a mode the options do not mention', set: { 'inventory.tradeMode': '0110', 'inventory.emsNo': null } },
    // (they were looked up on Object.prototype: the rule failed with "req.required is not iterable")
    ...['toString', 'constructor', 'valueOf', '__proto__'].map((mode) => ({
      name: `a mode named like a property of every object: ${mode}`,
      set: { 'inventory.tradeMode': mode, 'inventory.emsNo': null },
    })),
    { name: 'no inventory', set: { inventory: null } },
  ],
  invalid: [
    {
      name: 'bonded import without the account book, and an empty area code',
      set: { 'inventory.emsNo': null, 'inventory.areaCode': '' },
      errors: [
        {
          code: 'trade-mode-field-required',
          path: 'inventory.emsNo',
          data: { mode: '1210', key: 'emsNo' },
          message: { zh: '贸易方式 1210 必须填写 emsNo', en: 'Trade mode 1210 requires inventory.emsNo' },
        },
        { code: 'trade-mode-field-required', path: 'inventory.areaCode', data: { mode: '1210', key: 'areaCode' } },
      ],
    },
    {
      name: 'a bonded line without its record number, another with an empty one',
      set: { 'inventory.items[1].itemRecordNo': null, 'inventory.items[0].itemRecordNo': '' },
      errors: [
        {
          code: 'trade-mode-field-required',
          messageId: 'trade-mode-line-field-required',
          path: 'inventory.items[0].itemRecordNo',
          data: { mode: '1210', key: 'itemRecordNo' },
        },
        {
          code: 'trade-mode-field-required',
          path: 'inventory.items[1].itemRecordNo',
          data: { mode: '1210', key: 'itemRecordNo' },
          message: {
            zh: '贸易方式 1210 的每项商品必须填写 itemRecordNo',
            en: 'Trade mode 1210 requires itemRecordNo on every line',
          },
        },
      ],
    },
    {
      // 保税进口免填 exempts, it does not forbid: no receipt refusing a filled value is known, so only a warning.
      name: 'bonded goods with a bill of lading',
      set: { 'inventory.billNo': '78412345675' },
      errors: [
        {
          code: 'trade-mode-field-omitted',
          path: 'inventory.billNo',
          severity: 'warning',
          data: { mode: '1210', key: 'billNo' },
          message: {
            zh: '贸易方式 1210 免填 billNo，清单却填写了',
            en: 'Trade mode 1210 is exempt from inventory.billNo (免填), yet it is filled',
          },
        },
      ],
    },
    {
      name: 'bonded goods with a flight, where a ruleset makes a filled exempt field an error',
      set: { 'inventory.trafNo': 'MU5041' },
      ruleOptions: { omittedSeverity: 'error' },
      errors: [{ code: 'trade-mode-field-omitted', path: 'inventory.trafNo', data: { mode: '1210', key: 'trafNo' } }],
    },
    {
      name: 'direct purchase without the bill',
      base: 'guangzhou-9610',
      set: { 'inventory.billNo': null },
      errors: [{ code: 'trade-mode-field-required', path: 'inventory.billNo', data: { mode: '9610', key: 'billNo' } }],
    },
    {
      name: 'bonded goods from Japan (must be 142)',
      set: { 'inventory.country': '601' },
      errors: [
        {
          code: 'trade-mode-country',
          path: 'inventory.country',
          expected: '142',
          actual: '601',
          data: { mode: '1210', expected: '142', actual: '601' },
          message: {
            zh: '贸易方式 1210 的国家(地区)应为 142',
            en: 'Trade mode 1210 requires inventory.country 142, got 601',
          },
        },
      ],
    },
    {
      // A 9610 inventory from a bonded logistics centre (trafMode W) with country 142 is published by a Hainan
      // integrator and no receipt refusing one is known: a warning.
      name: 'direct purchase from China',
      base: 'guangzhou-9610',
      set: { 'inventory.country': '142' },
      errors: [
        {
          code: 'trade-mode-country',
          messageId: 'trade-mode-country-not',
          path: 'inventory.country',
          severity: 'warning',
          actual: '142',
          expected: undefined,
          data: { mode: '9610', actual: '142' },
          message: {
            zh: '贸易方式 9610 的国家(地区)应为起始发出国家(地区)，通常在境外，实际为 142',
            en: 'Trade mode 9610 needs the country the goods were shipped from in inventory.country, normally abroad; got 142',
          },
        },
      ],
    },
    {
      name: 'direct purchase from China, where a ruleset makes it an error',
      base: 'guangzhou-9610',
      set: { 'inventory.country': '142' },
      ruleOptions: { countryNotSeverity: 'error' },
      errors: [
        {
          code: 'trade-mode-country',
          messageId: 'trade-mode-country-not',
          path: 'inventory.country',
          data: { mode: '9610', actual: '142' },
        },
      ],
    },
  ],
});
