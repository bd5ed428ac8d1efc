import { defineRule, type LinedDocumentName, type ReportOf } from '../types.js';

const MESSAGES = {
  'quantity-zero': {
    zh: '{path} 为 0：规范要求填写{what}的实际数量',
    en: '{path} is 0: the spec asks for the actual quantity {whatEn}',
  },
} as const;

/** The quantities checked, with what the spec says each one counts. */
const FIELDS: ReadonlyArray<{ doc: LinedDocumentName; key: 'qty' | 'qty1'; zh: string; en: string }> = [
  { doc: 'order', key: 'qty', zh: '商品', en: 'of the goods' },
  { doc: 'inventory', key: 'qty', zh: '按成交计量单位', en: 'in the unit of the transaction (unit)' },
  { doc: 'inventory', key: 'qty1', zh: '按法定计量单位', en: 'in the legal unit of the commodity code (unit1)' },
];

/**
 * A line's quantity and legal quantity are the goods' actual quantities, so 0 is not one. The XSD takes 0 and
 * no E-Port or customs code refusing it is published (表7-2 holds none for CEB621; -625009, a positive qty2, is
 * a return's), so it warns: customs may accept what the spec's words rule out.
 */
export const lineQuantity = defineRule({
  id: 'lines/quantity',
  description: {
    zh: '表体数量、法定数量为实际数量，不为0',
    en: 'A line’s qty and qty1 are actual quantities, not 0',
  },
  source:
    '报文规范 202205: 表3-3 OrderList qty (商品实际数量), 表3-31 InventoryList qty (按成交计量单位的实际数量) and qty1 (按照商品编码规则对应的法定计量单位的实际数量填写); 表7-2 has no code refusing 0',
  defaultSeverity: 'warning',
  codes: { 'quantity-zero': { zh: '数量为0', en: 'A quantity is 0' } },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'qty 2 and qty1 1.6 (the example declaration)' }],
    invalid: [
      {
        name: 'qty1 of 0',
        set: { 'inventory.items[0].qty1': '0' },
        code: 'quantity-zero',
        path: 'inventory.items[0].qty1',
      },
    ],
  },
  check(ctx) {
    const out: Array<ReportOf<typeof MESSAGES>> = [];
    for (const f of FIELDS) {
      for (const { index, line } of ctx.lines(f.doc)) {
        const q = ctx.dec(line as Readonly<Record<string, unknown>>, f.key);
        if (!q?.isZero()) continue;
        const path = `${f.doc}.items[${index}].${f.key}`;
        out.push({
          messageId: 'quantity-zero',
          path,
          expected: '> 0',
          actual: '0',
          data: { path, what: f.zh, whatEn: f.en },
        });
      }
    }
    return out;
  },
});
