import { z } from 'zod';
import { SandanError } from '../errors.js';
import { endsBeforeItStarts } from '../time/beijing.js';
import { ConfidenceSchema } from './policy.js';
import { checkSourceRefs, DateSchema, SourceRefSchema, SourcesSchema } from '../model/sources.js';

/**
 * Code tables (currency, country, unit, …) are data files under rulesets/codes/, each with its
 * sources and a statement of completeness. A code missing from a complete table is an error;
 * from an incomplete one, only a warning. A code with `validFrom`/`validTo` (both inclusive) counts on those days only,
 * by the declaration's date.
 */

export const CodeTableSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: z.string().min(1),
    name: z.strictObject({ zh: z.string(), en: z.string() }),
    standard: z.string().optional(),
    complete: z.boolean(),
    completeness: z.string().min(1),
    sources: SourcesSchema,
    codes: z.array(
      z.strictObject({
        code: z.string().min(1),
        zh: z.string(),
        en: z.string(),
        source: SourceRefSchema,
        confidence: ConfidenceSchema.optional(),
        note: z.string().optional(),
        validFrom: DateSchema.optional(),
        validTo: DateSchema.optional(),
        district: z.string().optional(),
        kind: z.enum(['district', 'office']).optional(),
      }),
    ),
  })
  .superRefine((t, ctx) => checkSourceRefs(t, t.sources, ctx));

/** A code table file as checked by {@link CodeTableSchema}. */
export type CodeTableData = z.output<typeof CodeTableSchema>;
/** One code of a table, with its names and source. */
export type CodeEntry = CodeTableData['codes'][number];

/** A checked, indexed code table. */
export interface CodeTable {
  readonly id: string;
  readonly name: { zh: string; en: string };
  readonly complete: boolean;
  readonly completeness: string;
  get(code: string): CodeEntry | undefined;
  readonly entries: readonly CodeEntry[];
}

/** All code tables by id. */
export type CodeTables = Readonly<Record<string, CodeTable>>;

/** Checks a code table's data and indexes it; a broken table is a SandanError naming what is wrong. */
export function loadCodeTable(data: unknown, origin: string): CodeTable {
  const parsed = CodeTableSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new SandanError(
      'CODE_TABLE_INVALID',
      `${origin}: ${first ? `$.${first.path.join('.')}: ${first.message}` : 'invalid'}`,
    );
  }
  const t = parsed.data;
  const byCode = new Map<string, CodeEntry>();
  for (const entry of t.codes) {
    if (byCode.has(entry.code))
      throw new SandanError('CODE_TABLE_INVALID', `${origin}: code ${entry.code} appears twice`);
    if (endsBeforeItStarts(entry.validFrom, entry.validTo))
      throw new SandanError(
        'CODE_TABLE_INVALID',
        `${origin}: code ${entry.code}: validTo ${entry.validTo} is before validFrom ${entry.validFrom}`,
      );
    byCode.set(entry.code, entry);
  }
  return {
    id: t.id,
    name: t.name,
    complete: t.complete,
    completeness: t.completeness,
    entries: t.codes,
    get: (code) => byCode.get(code),
  };
}

/** The district (关区, `xx00`) a 4-digit customs office code belongs to, from the table or by its first two digits. */
export function districtOf(customs: CodeTable | undefined, code: string): string | undefined {
  if (!/^\d{4}$/.test(code)) return undefined;
  const entry = customs?.get(code);
  if (entry?.district) return entry.district;
  return `${code.slice(0, 2)}00`;
}
