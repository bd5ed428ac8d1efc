import { z } from 'zod';
import { DateSchema, inForce } from './policy.js';
import { SandanError } from '../errors.js';

/**
 * Editions of the positive list (跨境电子商务零售进口商品清单): the 8-digit tariff lines that may
 * be imported as CBEC retail goods. Bundled copies hold only the lines that could be sourced,
 * and each edition says for which 4-digit headings it is complete.
 */


/** The format of rulesets/positive-list/*.json. */
export const PositiveListSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().min(1),
  name: z.strictObject({ zh: z.string(), en: z.string() }),
  effectiveFrom: DateSchema,
  effectiveTo: DateSchema.optional(),
  sources: z.array(z.strictObject({ id: z.string(), title: z.string(), where: z.string(), retrieved: z.string().optional() })).min(1),
  completeness: z.strictObject({ statement: z.string().min(1), completeHeadings: z.array(z.string().regex(/^\d{4}$/)) }),
  lines: z.array(
    z.strictObject({
      hs8: z.string().regex(/^\d{8}$/),
      name: z.string().min(1),
      remark: z.string().optional(),
      /** The trade mode the line is limited to, e.g. "1210" for 限网购保税. */
      modeRestriction: z.string().regex(/^\d{4}$/).optional(),
      source: z.string().min(1),
    }),
  ),
});

/** A checked positive-list edition, indexed by 8-digit tariff line. */
export interface PositiveList {
  readonly id: string;
  readonly name: { zh: string; en: string };
  readonly effectiveFrom: string;
  readonly effectiveTo: string | undefined;
  readonly statement: string;
  readonly completeHeadings: ReadonlySet<string>;
  readonly lines: ReadonlyMap<string, z.output<typeof PositiveListSchema>['lines'][number]>;
}

/** Checks an edition's data; a broken file is a SandanError naming it. */
export function loadPositiveList(data: unknown, origin: string): PositiveList {
  const r = PositiveListSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new SandanError('CODE_TABLE_INVALID', `${origin}: ${i ? `$.${i.path.join('.')}: ${i.message}` : 'invalid'}`);
  }
  const d = r.data;
  const ids = new Set(d.sources.map((s) => s.id));
  for (const l of d.lines) {
    for (const id of l.source.split(/[;,]\s*/)) {
      if (!ids.has(id)) throw new SandanError('CODE_TABLE_INVALID', `${origin}: line ${l.hs8} cites unknown source ${id}`);
    }
  }
  return {
    id: d.id,
    name: d.name,
    effectiveFrom: d.effectiveFrom,
    effectiveTo: d.effectiveTo,
    statement: d.completeness.statement,
    completeHeadings: new Set(d.completeness.completeHeadings),
    lines: new Map(d.lines.map((l) => [l.hs8, l])),
  };
}

/** The edition in force on a date, if any. */
export function editionAt(editions: readonly PositiveList[], at: string): PositiveList | undefined {
  return editions.find((e) => inForce(e, at));
}
