import { computeTax, type TaxFigures } from '../../tax/compute.js';
import { toTaxPolicy } from '../tax-policy.js';
import type { RuleContext } from '../types.js';
import { buyerYear } from './regime.js';

/** Names the tax computation among the context's values (see RuleContext.once). */
const TAX = {};

/** The computed tax of the declaration (figures only: rules need no explanations), once per validation. */
export function taxOf(ctx: RuleContext): TaxFigures | undefined {
  return ctx.once(TAX, () => computeTaxOf(ctx));
}

/**
 * The same tax with each tax of one unit rounded and multiplied by the quantity (`rounding.scope: 'unit'`), as
 * platforms that price per unit withhold it; only beside a policy that rounds per line (what tax/total's message
 * names the other figure), else undefined.
 */
export function perUnitTaxOf(ctx: RuleContext): TaxFigures | undefined {
  const policy = toTaxPolicy(ctx.policy);
  if (policy?.rounding.scope !== 'line') return undefined;
  return computeTaxOf(ctx, { ...policy, rounding: { ...policy.rounding, scope: 'unit' } });
}

function computeTaxOf(ctx: RuleContext, policy = toTaxPolicy(ctx.policy)): TaxFigures | undefined {
  // The buyer's year decides the regime as the limit rules see it (a single item that fits alone
  // may not fit with the year's earlier orders), so both rules judge one regime.
  const annualUsed = buyerYear(ctx)?.used;
  return ctx.declaration?.inventory && policy
    ? computeTax(ctx.declaration, {
        policy,
        rates: ctx.rates,
        explain: false,
        at: ctx.at,
        ...(annualUsed ? { annualUsed } : {}),
      })
    : undefined;
}
