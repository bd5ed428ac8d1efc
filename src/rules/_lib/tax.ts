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

function computeTaxOf(ctx: RuleContext): TaxFigures | undefined {
  const policy = toTaxPolicy(ctx.policy);
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
