import { describe, expect, it } from 'vitest';
import { roundingRule } from '../../src/tax/compute.js';
import * as F from '../../src/tax/formulas.js';

/*
 * The formulas and rules of src/tax/formulas.ts carry stable ids (src/tax/formula.ts: "Stable id,
 * e.g. `ct.ad-valorem`"); a scaled formula is `inner*factor`. Renaming one is a visible change.
 */
describe('formula ids', () => {
  const ids = Object.entries(F)
    .filter(([, v]) => typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string')
    .map(([name, v]) => [name, (v as { id: string }).id] as const);

  it('every exported formula and rule has its stable id', () => {
    expect(Object.fromEntries(ids)).toEqual({
      DUTIABLE_VALUE: 'value',
      DUTIABLE_VALUE_NET: 'value.net',
      DUTY: 'duty',
      DUTY_SHARE: 'duty.cbec-share',
      DUTY_CBEC: 'duty*duty.cbec-share',
      CT_AD_VALOREM: 'ct.ad-valorem',
      CT_SPECIFIC: 'ct.specific',
      CT_COMPOUND: 'ct.compound',
      CT_NONE: 'ct.none',
      VAT: 'vat',
      CBEC_FACTOR: 'cbec-factor',
      CT_AD_VALOREM_CBEC: 'ct.ad-valorem*cbec-factor',
      CT_SPECIFIC_CBEC: 'ct.specific*cbec-factor',
      CT_COMPOUND_CBEC: 'ct.compound*cbec-factor',
      VAT_CBEC: 'vat*cbec-factor',
      SHARE_PROPORTIONAL: 'allocation.proportional',
      SHARE_EQUAL: 'allocation.equal',
      SHARE_REMAINDER: 'allocation.remainder',
      SHARE_ROUND_DOWN: 'allocation.round-down',
      REMAINDER_LINE: 'allocation.remainder-line',
      ROUND_PER_LINE: 'rounding.line',
      ROUND_PER_ORDER: 'rounding.order',
      ROUND_PER_UNIT: 'rounding.unit',
      ROUND_INTERMEDIATE: 'rounding.intermediate',
      ROUND_ORDER_VALUE: 'rounding.order-value',
      NOT_ROUNDED: 'rounding.none',
    });
  });

  it('no two share an id', () => {
    expect(new Set(ids.map(([, id]) => id)).size).toBe(ids.length);
  });
});

describe('rounding modes by name', () => {
  it.each([
    ['half-up', '四舍五入'],
    ['half-even', '四舍六入五成双'],
    ['down', '舍去'],
    ['up', '进一'],
  ] as const)('%s (%s) is named in the rounding rule in both languages', (mode, zh) => {
    const rounding = { mode, scale: 2, scope: 'line' } as const;
    expect(roundingRule(rounding, 'en')).toBe(`${mode} to 0.01 per line; order totals are sums of the rounded lines`);
    expect(roundingRule(rounding, 'zh')).toBe(`每行各税${zh}至 0.01；订单合计为各行舍入后金额之和`);
  });
});
