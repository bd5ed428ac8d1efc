import { z } from 'zod';
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

/**
 * The waybill's amounts that the spec's field table (表3-17) marks required, 无则填“0”, while its XSD lets them be
 * left out (minOccurs 0, 2018 and 2022 alike).
 */
const WAYBILL_FEES = ['freight', 'insuredFee'] as const;

/**
 * R10: freight and insurance on the inventory are what was charged (order and waybill); the waybill states both, 0
 * when none, as the spec's field table asks (a warning only: the XSD accepts a waybill without them).
 */
export const freightAgrees = defineRule({
  id: 'logistics/freight',
  description: {
    zh: '清单运杂费与订单、运单一致；清单保价费与运单一致；运单填写运费和保价费（无则填“0”，仅警告）',
    en: 'Inventory freight agrees with the order and the waybill; insuredFee with the waybill; the waybill states freight and insuredFee, 0 if none (a warning)',
  },
  // Sources differ on whether customs compares these; the national ruleset makes it a warning.
  source:
    '报文规范 202205: OrderHead, LogisticsHead and InventoryHead freight (whether customs compares them is not published); 表3-17 运单业务节点: LogisticsHead freight and insuredFee 必填, 无则填“0” (the XSD: minOccurs 0)',
  defaultSeverity: 'warning',
  options: z.strictObject({}),
  codes: {
    'freight-mismatch': { zh: '运杂费不一致', en: 'Freight differs between documents' },
    'insured-fee-mismatch': { zh: '保价费不一致', en: 'Insured fee differs between documents' },
    'waybill-fee-missing': {
      zh: '运单未填运费或保价费（仅警告）',
      en: 'The waybill leaves out freight or insuredFee (a warning)',
    },
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
    'waybill-fee-missing': {
      zh: '运单未填 {field}：报文规范表3-17列为必填，无则填“0”（XSD 允许不填，海关是否退单未见依据）',
      en: 'logistics.{field} is left out: the spec\'s field table (表3-17) makes it required, "0" if none; the XSD lets it be left out, and no customs refusal of it is known; write 0',
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
    const waybill = ctx.doc('logistics');
    // Always a warning, even where a ruleset makes the comparisons errors: only the XSD's reading is known to pass.
    const missing = WAYBILL_FEES.filter(
      (field) => waybill && (waybill[field] === undefined || waybill[field] === ''),
    ).map((field) => ({
      messageId: 'waybill-fee-missing' as const,
      path: `logistics.${field}`,
      expected: '0',
      severity: 'warning' as const,
      data: { field },
    }));
    const inv = ctx.doc('inventory');
    if (!inv) return missing;
    return [
      ...missing,
      ...COMPARED.flatMap(({ key, other, messageId }) => {
        const a = ctx.dec(inv, key);
        // (the keys were checked against both documents where COMPARED is written)
        const b = ctx.dec(ctx.doc(other) as Readonly<Record<string, unknown>> | undefined, key);
        if (!a || !b || a.eq(b)) return [];
        const [actual, expected] = [show(a), show(b)];
        return [
          { messageId, path: `inventory.${key}`, expected, actual, data: { actual, expected, other: DOC_NAME[other] } },
        ];
      }),
    ];
  },
});
