import { show } from '../_lib/compare.js';
import { defineRule, type HeadOf } from '../types.js';

/** The comparisons: inventory field, the document it must agree with, and the code of a difference. */
type Compared = {
  [N in 'order' | 'logistics']: {
    key: keyof HeadOf<N> & keyof HeadOf<'inventory'> & string;
    other: N;
    messageId: 'freight-mismatch' | 'insured-fee-mismatch';
  };
}['order' | 'logistics'];
const COMPARED: readonly Compared[] = [
  { key: 'freight', other: 'order', messageId: 'freight-mismatch' },
  { key: 'freight', other: 'logistics', messageId: 'freight-mismatch' },
  { key: 'insuredFee', other: 'logistics', messageId: 'insured-fee-mismatch' },
];
const DOC_NAME = { order: { zh: '订单', en: 'order' }, logistics: { zh: '运单', en: 'logistics' } } as const;

/** R10: freight and insurance on the inventory are what was charged (order and waybill). */
export const freightAgrees = defineRule({
  id: 'logistics/freight',
  description: {
    zh: '清单运杂费与订单、运单一致；清单保价费与运单一致',
    en: 'Inventory freight agrees with the order and the waybill; insuredFee with the waybill',
  },
  // Sources differ on whether customs compares these; the national ruleset makes it a warning.
  source:
    '报文规范 202205: OrderHead, LogisticsHead and InventoryHead freight (whether customs compares them is not published)',
  defaultSeverity: 'warning',
  codes: {
    'freight-mismatch': { zh: '运杂费不一致', en: 'Freight differs between documents' },
    'insured-fee-mismatch': { zh: '保价费不一致', en: 'Insured fee differs between documents' },
  },
  messages: {
    'freight-mismatch': {
      zh: '清单 freight {actual} 与{other} {expected} 不一致',
      en: 'inventory.freight {actual} differs from {other}.freight {expected}',
    },
    'insured-fee-mismatch': {
      zh: '清单 insuredFee {actual} 与{other} {expected} 不一致',
      en: 'inventory.insuredFee {actual} differs from {other}.insuredFee {expected}',
    },
  },
  examples: {
    valid: [{ name: 'freight 20.00 everywhere', base: 'guangzhou-9610' }],
    invalid: [
      {
        name: 'the inventory says 15.00',
        base: 'guangzhou-9610',
        set: { 'inventory.freight': '15.00' },
        code: 'freight-mismatch',
        path: 'inventory.freight',
      },
    ],
  },
  check(ctx) {
    const inv = ctx.doc('inventory');
    if (!inv) return [];
    return COMPARED.flatMap(({ key, other, messageId }) => {
      const a = ctx.dec(inv, key);
      // (the keys were checked against both documents where COMPARED is written)
      const b = ctx.dec(ctx.doc(other) as Readonly<Record<string, unknown>> | undefined, key);
      if (!a || !b || a.eq(b)) return [];
      const [actual, expected] = [show(a), show(b)];
      return [
        { messageId, path: `inventory.${key}`, expected, actual, data: { actual, expected, other: DOC_NAME[other] } },
      ];
    });
  },
});
