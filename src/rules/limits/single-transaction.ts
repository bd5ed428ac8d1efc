import { orderRegime } from '../_lib/regime.js';
import { defineRule, FROM_RECEIPTS } from '../types.js';

/**
 * The regime decision's texts are the tax module's (`decideRegime` explains the regime to
 * `computeTax` too, quoting the policy in force): shown as they are.
 */
const DECIDED = { zh: '{text}', en: '{text}' } as const;

/** The single-transaction limit in force, with the one-item exception of 财关税〔2018〕49号. */
export const singleTransactionLimit = defineRule({
  id: 'limits/single-transaction',
  description: {
    zh: '单次交易限值（2019年前2000元，此后5000元）。超限订单按一般贸易方式全额征税；2019年起，仅一件商品且完税价格低于26000元的，可按货物税率全额征税走跨境电商零售进口，并计入年度交易总额',
    en: 'Single-transaction limit (2,000 CNY before 2019, 5,000 after). An order above it is general trade; from 2019, one item below 26,000 CNY may clear through CBEC at full tax, counted toward the annual total',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号 二; E-Port -621005',
  defaultSeverity: 'error',
  codes: {
    '-621005': FROM_RECEIPTS,
    'single-item-full-tax': {
      zh: '仅一件商品超过单次限值但低于年度限值（2019年起）：按货物税率全额征收，并计入年度交易总额',
      en: 'One item above the single limit but below the annual limit (from 2019): full duty, VAT and consumption tax, counted toward the annual total',
    },
  },
  messages: { '-621005': DECIDED, 'single-item-full-tax': DECIDED },
  examples: {
    valid: [{ name: 'dutiable value 548.00 (the example declaration)' }],
    invalid: [
      {
        name: 'two items at 2,600.00: 5,200.00 + 150.00 is above 5,000',
        set: {
          'order.items[0].qty': 2,
          'order.items[0].price': '2600.00',
          'order.items[0].totalPrice': '5200.00',
          'inventory.items[0].qty': 2,
          'inventory.items[0].price': '2600.00',
          'inventory.items[0].totalPrice': '5200.00',
        },
        code: '-621005',
        path: 'inventory.items',
      },
    ],
  },
  check(ctx) {
    const decision = orderRegime(ctx);
    if (!decision) return [];
    const inv = ctx.doc('inventory') !== undefined;
    return decision.findings.flatMap((f) => {
      if (f.limit !== 'single') return [];
      // (a finding of the single limit is -621005 or single-item-full-tax; 1313 is the annual one)
      const code = f.code as '-621005' | 'single-item-full-tax';
      const single = code === 'single-item-full-tax';
      const path = single
        ? inv
          ? 'inventory.items[0]'
          : 'order.items[0]'
        : inv
          ? 'inventory.items'
          : 'order.goodsValue';
      return [
        {
          messageId: code,
          path,
          ...(f.severity === 'warning' && { severity: 'warning' as const }),
          expected: f.expected,
          actual: f.actual,
          data: { text: f.message },
        },
      ];
    });
  },
});
