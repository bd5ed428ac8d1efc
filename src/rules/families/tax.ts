import { z } from 'zod';
import { computeTax, type TaxFigures } from '../../tax/compute.js';
import type { RateTable } from '../../tax/rates.js';
import { toTaxPolicy } from '../tax-policy.js';
import { defineRule, type RuleContext, type RuleIssue } from '../types.js';
import { buyerYear } from './limits.js';
import { decEq, show } from './util.js';

/** Where rules find rate tables: `extras.rates`, user tables first (see ValidateOptions.rates). */
export function ratesOf(ctx: RuleContext): readonly RateTable[] {
  const r = ctx.extras.rates;
  return Array.isArray(r) ? (r as RateTable[]) : r ? [r as RateTable] : [];
}

// One computation per validation: the context is made anew for each declaration.
const TAX = new WeakMap<RuleContext, TaxFigures | null>();

/** The computed tax of the declaration (figures only: rules need no explanations), once per validation. */
export function taxOf(ctx: RuleContext): TaxFigures | undefined {
  const hit = TAX.get(ctx);
  if (hit !== undefined) return hit ?? undefined;
  const policy = toTaxPolicy(ctx.policy);
  // The buyer's year decides the regime as the limit rules see it (a single item that fits alone
  // may not fit with the year's earlier orders), so both rules judge one regime.
  const annualUsed = buyerYear(ctx)?.used;
  const result =
    ctx.declaration?.inventory && policy
      ? computeTax(ctx.declaration, {
          policy,
          rates: ratesOf(ctx),
          explain: false,
          ...(annualUsed ? { annualUsed } : {}),
        })
      : undefined;
  TAX.set(ctx, result ?? null);
  return result;
}

const KINDS = [
  ['customsTax', '关税', 'duty'],
  ['consumptionTax', '消费税', 'consumption tax'],
  ['valueAddedTax', '增值税', 'VAT'],
] as const;

/** order.taxTotal is the tax customs will bill (税费不一致 is caught before customs does). */
export const taxTotalMatches = defineRule({
  id: 'tax/total',
  description: {
    zh: '订单代扣税款与按税则计算的应征税款一致',
    en: 'order.taxTotal equals the tax computed from the rate tables',
  },
  source: '财关税〔2016〕18号; 财关税〔2018〕49号; tolerance: ruleset policy taxTolerance',
  defaultSeverity: 'error',
  options: z.strictObject({}),
  codes: {
    'tax-mismatch': {
      zh: '代扣税款与计算税款不一致（税费不一致）',
      en: 'order.taxTotal differs from the computed tax',
    },
    'rate-missing': {
      zh: '商品编码无税率，无法核对税款',
      en: 'No rate for a commodity code, so its tax could not be checked',
    },
    'tax-quantity-unit': {
      zh: '从量税所需数量的计量单位不匹配，无法核对税款',
      en: 'The quantity in the unit of a specific rate is missing, so the tax could not be checked',
    },
  },
  check(ctx) {
    const result = taxOf(ctx);
    if (!result) return [];
    const out: RuleIssue[] = [];
    for (const i of result.issues) {
      // Rates that cannot be resolved make the check impossible, not the declaration wrong.
      if (i.code === 'rate-missing' || i.code === 'tax-quantity-unit') {
        out.push({
          code: i.code,
          path: i.path,
          severity: 'warning',
          message: {
            zh: `${i.message.zh}；未核对该项税款`,
            en: `${i.message.en}; its tax was not checked (pass rates with --rates)`,
          },
        });
      }
    }
    if (!result.complete) return out;
    // General trade cannot clear as CBEC at all (the limit rules say so, quoting the policy):
    // there is no CBEC tax for order.taxTotal to match, and a second error would only add noise.
    if (result.regime === 'general-trade') return out;
    const declared = ctx.dec(ctx.doc('order'), 'taxTotal');
    if (!declared) return out;
    // (equal: within any tolerance, which is never negative)
    if (decEq(declared, result.taxTotal)) return out;
    const diff = declared.minus(result.taxTotal);
    if (diff.abs().lte(ctx.policy.taxTolerance)) return out;
    const parts = KINDS.map(([k, zh, en]) => ({
      zh: `${zh} ${result[k].toFixed(2)}`,
      en: `${en} ${result[k].toFixed(2)}`,
    }));
    out.push({
      code: 'tax-mismatch',
      path: 'order.taxTotal',
      expected: result.taxTotal.toFixed(2),
      actual: show(declared),
      message: {
        zh: `代扣税款 ${show(declared)} 与应征税款 ${result.taxTotal.toFixed(2)}（${parts.map((p) => p.zh).join('，')}）相差 ${diff.toFixed(2)}（${result.regime}）`,
        en: `order.taxTotal ${show(declared)} differs from the computed tax ${result.taxTotal.toFixed(2)} (${parts.map((p) => p.en).join(', ')}) by ${diff.toFixed(2)} (regime ${result.regime}); see \`sandan tax\` for every figure`,
      },
    });
    return out;
  },
});
