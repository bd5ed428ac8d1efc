import { z } from 'zod';
import { DateSchema } from './policy.js';
import { endsBeforeItStarts, isoDateOption, isWithinDates } from '../time/beijing.js';
import { SandanError } from '../errors.js';
import { SourceSchema, SourcesSchema } from '../model/sources.js';
import type { Message } from '../model/issue.js';
import { checkArgument, describeInput, isRecord } from '../model/guards.js';
import { membershipOf } from './_lib/positive-list.js';

/**
 * Editions of the positive list (跨境电子商务零售进口商品清单): the 8-digit tariff lines that may
 * be imported as CBEC retail goods, each edition effective-dated. A bundled copy holds only
 * the lines that could be sourced and says so (`complete: false`); a copy imported from the
 * official annex (`sandan positive-list import`) may be complete.
 */

/** A source a data file cites: the one shape of every data file (src/model/sources.ts). */
export const PositiveListSourceSchema = SourceSchema;

/** A decimal quantity such as "2" or "0.5". */
const quantity = z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, 'a decimal string such as "2" or "0.5"');

/**
 * What a remark (备注) of the list says, in a form a rule can check. `text` is the remark as
 * the list words it; `other` keeps a remark sandan cannot interpret (the check then asks the
 * user to confirm it rather than pass silently).
 */
export const PositiveListRemarkSchema = z.discriminatedUnion('kind', [
  /** 仅限网购保税: only bonded import (the trade modes listed) may bring it in, not direct purchase (9610). */
  z.strictObject({
    kind: z.literal('bonded-only'),
    modes: z.array(z.string().regex(/^\d{4}$/)).min(1),
    text: z.string().min(1),
  }),
  /** …的商品除外: goods on another list (CITES species, dual-use items, special foods) are excluded. */
  z.strictObject({
    kind: z.literal('exclusion'),
    list: z.enum(['cites', 'dual-use', 'special-food', 'other']),
    text: z.string().min(1),
  }),
  /** 仅限…: only goods of this description (e.g. household printer ink) are on the list. */
  z.strictObject({ kind: z.literal('name-restriction'), allowed: z.string().min(1), text: z.string().min(1) }),
  /** A cap per person and calendar year, e.g. 2 kg of sugar. */
  z.strictObject({ kind: z.literal('annual-quantity'), max: quantity, unit: z.enum(['kg']), text: z.string().min(1) }),
  z.strictObject({ kind: z.literal('other'), text: z.string().min(1) }),
]);

/** One structured remark of a positive-list line. */
export type PositiveListRemark = z.output<typeof PositiveListRemarkSchema>;

/** The format of rulesets/positive-list/*.json and of files `sandan positive-list import` writes. */
export const PositiveListSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().min(1),
  /** The edition's year as people name it (2016, 2018, 2019, 2022). */
  edition: z.string().regex(/^\d{4}$/),
  name: z.strictObject({ zh: z.string(), en: z.string() }),
  effectiveFrom: DateSchema,
  effectiveTo: DateSchema.optional(),
  /** Whether every line of the edition is here; false: codes not found only warn. */
  complete: z.boolean(),
  /** How many 8-digit lines the official edition has, where a source states it. */
  officialLineCount: z.number().int().positive().optional(),
  sources: SourcesSchema,
  completeness: z.strictObject({
    statement: z.string().min(1),
    completeHeadings: z.array(z.string().regex(/^\d{4}$/)),
  }),
  lines: z.array(
    z.strictObject({
      hs8: z.string().regex(/^\d{8}$/),
      name: z.string().min(1),
      /** The remark as the list words it. */
      remark: z.string().optional(),
      remarks: z.array(PositiveListRemarkSchema).optional(),
      /** True when the source gave the line but not its remarks (the check then asks to confirm them). */
      remarksUnknown: z.boolean().optional(),
      /** A line that came into force after the edition did (e.g. the 2016 second batch). */
      effectiveFrom: DateSchema.optional(),
      source: z.string().min(1),
      /** How the line was sourced, where that needs saying (e.g. a remark's wording paraphrased). */
      note: z.string().optional(),
    }),
  ),
  /** Lines known NOT to be on the edition (e.g. deleted by it), so the check fails them even in a partial copy. */
  absent: z
    .array(
      z.strictObject({
        hs8: z.string().regex(/^\d{8}$/),
        name: z.string().optional(),
        /** Why it is absent: one text for both languages, or `{ zh, en }`. */
        note: z.union([z.string().min(1), z.strictObject({ zh: z.string().min(1), en: z.string().min(1) })]),
        source: z.string().min(1),
      }),
    )
    .optional(),
});

/** A positive-list file as checked by {@link PositiveListSchema}. */
export type PositiveListData = z.output<typeof PositiveListSchema>;
/** One line of an edition. */
export type PositiveListLine = PositiveListData['lines'][number];
/** A line known not to be on an edition. */
export type PositiveListAbsence = NonNullable<PositiveListData['absent']>[number];

/** A checked positive-list edition, indexed by 8-digit tariff line. */
export interface PositiveList {
  readonly id: string;
  readonly edition: string;
  readonly name: { zh: string; en: string };
  readonly effectiveFrom: string;
  readonly effectiveTo: string | undefined;
  readonly complete: boolean;
  /** How many lines the official edition has, where a source states it. */
  readonly officialLineCount: number | undefined;
  readonly statement: string;
  readonly completeHeadings: ReadonlySet<string>;
  readonly lines: ReadonlyMap<string, PositiveListLine>;
  readonly absent: ReadonlyMap<string, PositiveListAbsence>;
  readonly sources: readonly z.output<typeof PositiveListSourceSchema>[];
}

/** Checks an edition's data; a broken file is a SandanError naming it. */
export function loadPositiveList(data: unknown, origin: string): PositiveList {
  const r = PositiveListSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new SandanError('CODE_TABLE_INVALID', `${origin}: ${i ? `$.${i.path.join('.')}: ${i.message}` : 'invalid'}`);
  }
  const d = r.data;
  // (an edition whose last day comes before its first is in force on no day: the check would fall to another edition
  // unnoticed, as rulesets and rate tables refuse it)
  if (endsBeforeItStarts(d.effectiveFrom, d.effectiveTo))
    throw new SandanError(
      'CODE_TABLE_INVALID',
      `${origin}: $.effectiveTo: ${d.effectiveTo} is before effectiveFrom ${d.effectiveFrom}`,
    );
  const ids = new Set(d.sources.map((s) => s.id));
  const cite = (hs8: string, source: string) => {
    for (const id of source.split(/[;,]\s*/)) {
      if (!ids.has(id))
        throw new SandanError('CODE_TABLE_INVALID', `${origin}: line ${hs8} cites unknown source ${id}`);
    }
  };
  const lines = new Map<string, PositiveListLine>();
  for (const l of d.lines) {
    cite(l.hs8, l.source);
    if (lines.has(l.hs8)) throw new SandanError('CODE_TABLE_INVALID', `${origin}: line ${l.hs8} appears twice`);
    lines.set(l.hs8, l);
  }
  const absent = new Map<string, PositiveListAbsence>();
  for (const a of d.absent ?? []) {
    cite(a.hs8, a.source);
    if (lines.has(a.hs8))
      throw new SandanError('CODE_TABLE_INVALID', `${origin}: line ${a.hs8} is both on the list and absent from it`);
    absent.set(a.hs8, a);
  }
  return {
    id: d.id,
    edition: d.edition,
    name: d.name,
    effectiveFrom: d.effectiveFrom,
    effectiveTo: d.effectiveTo,
    complete: d.complete,
    officialLineCount: d.officialLineCount,
    statement: d.completeness.statement,
    completeHeadings: new Set(d.completeness.completeHeadings),
    lines,
    absent,
    sources: d.sources,
  };
}

/** The edition in force on a date, if any; the first one in force wins (user editions go first). */
export function editionAt(editions: readonly PositiveList[], at: string): PositiveList | undefined {
  checkArgument(editions, 'list', 'editionAt', 'editions');
  isoDateOption(at, 'editionAt: at', 'INVALID_OPTION');
  return editions.find((e) => isWithinDates(at, e.effectiveFrom, e.effectiveTo));
}

/** What a line of an edition says about an 8-digit code on a date. */
export type PositiveListMembership =
  | { status: 'listed'; line: PositiveListLine }
  | { status: 'absent'; reason: Message }
  | { status: 'unconfirmed' };

/** Whether `hs8` is on `edition` on `at`: listed, known absent, or not decidable from a partial copy. */
export function positiveListMembership(edition: PositiveList, hs8: string, at: string): PositiveListMembership {
  if (!isRecord(edition) || !(edition.lines instanceof Map) || !(edition.absent instanceof Map))
    throw new SandanError(
      'INVALID_OPTION',
      `positiveListMembership: the edition must be a positive list (bundledPositiveLists() or loadPositiveList), got ${describeInput(edition)}`,
    );
  checkArgument(hs8, 'text', 'positiveListMembership', 'hs8');
  isoDateOption(at, 'positiveListMembership: at', 'INVALID_OPTION');
  return membershipOf(edition, hs8, at);
}

/**
 * What the positive-list rule reads from the `annualQuantities` option: how much of a tariff line
 * the buyer already bought in a calendar year (for remarks that cap a quantity per person and
 * year). `validateWithQuota` builds it from the quota ledger (the line quantities given to
 * `reserve`); any other caller may supply it from its own order history. Without it the rule
 * asks the user to confirm the cap.
 */
export interface AnnualQuantities {
  /** Quantity of `hs8` already bought by the buyer in `year`, in `unit`, leaving out this order; undefined when unknown. */
  used(
    buyerIdNumber: string,
    year: number,
    hs8: string,
    unit: 'kg',
  ): string | number | { toString(): string } | undefined;
}
