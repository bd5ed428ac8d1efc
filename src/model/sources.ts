import { z } from 'zod';
import { isIsoDate, ISO_DATE_SHAPE } from '../time/beijing.js';
import { isRecord, checkArgument } from './guards.js';

/** A calendar date in data files, `YYYY-MM-DD` (issue dates, effective dates, editions). */
export const DateSchema = z
  .string()
  .regex(ISO_DATE_SHAPE, { error: 'a date as YYYY-MM-DD', abort: true })
  .refine(isIsoDate, 'a real date as YYYY-MM-DD');

/**
 * Sources: every data file (ruleset, code table, positive list, rate table, receipt catalogue)
 * lists the documents it relies on in `sources`, and each value cites them by id in `source`.
 * A source names the document itself — issuer, number, title, date — so that a reader without
 * our notes can find it; where only a secondary copy was found, `kind` says so.
 */

/** The id a value cites a source by, e.g. `CGS-2018-49`. */
const SourceIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error:
    'a source id such as "CGS-2018-49" (letters, digits, . _ -) naming an entry of the file\'s `sources`; put explanations in `note`',
});

/** What a value cites: one source id, or a list of ids when several documents support it. */
export const SourceRefSchema = z.union([SourceIdSchema, z.array(SourceIdSchema).min(1)]);
/** One source id or a list of them. */
export type SourceRef = z.output<typeof SourceRefSchema>;

/** How sure we are that the citation (number, title, date) is right, not the value it supports. */
const SourceConfidenceSchema = z.enum(['verified', 'likely', 'uncertain']);

const SHAPE = 'a source is an object with id, issuer, title, kind (primary | secondary | spec) and number or section';

/** One document a data file relies on. */
export const SourceSchema = z
  .strictObject(
    {
      id: SourceIdSchema,
      /** Who issued the document, e.g. `财政部 海关总署 税务总局`; for a secondary source, who published the copy. */
      issuer: z.string().min(1),
      /** The document number, e.g. `财关税〔2018〕49号`, `海关总署公告2016年第75号`, `GB 11643-1999`. */
      number: z.string().min(1).optional(),
      title: z.string().min(1),
      /** The date the document was issued (YYYY-MM-DD). */
      date: DateSchema.optional(),
      /** Where the text was read. */
      url: z.url({ protocol: /^https?$/ }).optional(),
      /** The part relied on: an article, a spec chapter and element, a file path of a secondary copy. */
      section: z.string().min(1).optional(),
      /** `primary`: the issuing body's document; `spec`: the customs interface specification; `secondary`: a copy, summary or peer implementation. */
      kind: z.enum(['primary', 'secondary', 'spec']),
      confidence: SourceConfidenceSchema.optional(),
      note: z.string().optional(),
    },
    { error: (iss) => (iss.code === 'invalid_type' ? SHAPE : undefined) },
  )
  .refine((s) => s.number !== undefined || s.section !== undefined, {
    error: 'a source needs the document `number` or the `section` relied on',
    path: ['number'],
  })
  .meta({ anyOf: [{ required: ['number'] }, { required: ['section'] }] });

/** One source as checked. */
export type Source = z.output<typeof SourceSchema>;

/** The `sources` list of a data file: at least one, ids unique. */
export const SourcesSchema = z
  .array(SourceSchema)
  .min(1)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, s] of list.entries()) {
      if (seen.has(s.id))
        ctx.addIssue({ code: 'custom', message: `source id "${s.id}" appears twice`, path: [i, 'id'] });
      seen.add(s.id);
    }
  });

/** The ids a reference names. */
export function refIds(ref: SourceRef | undefined): string[] {
  return ref === undefined ? [] : Array.isArray(ref) ? ref : [ref];
}

/**
 * Every `source` value found in `data` (any depth, outside the `sources` list itself), with its
 * path, so one walk checks rulesets, code tables, lists and catalogues alike.
 */
export function sourceRefs(
  data: unknown,
  skip: ReadonlySet<string> = new Set(['sources', '$sources']),
): Array<{ path: PropertyKey[]; ref: unknown }> {
  const out: Array<{ path: PropertyKey[]; ref: unknown }> = [];
  const walk = (v: unknown, path: PropertyKey[]): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, [...path, i]);
    } else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (path.length === 0 && skip.has(k)) continue;
        if (k === 'source') out.push({ path: [...path, k], ref: x });
        else walk(x, [...path, k]);
      }
    }
  };
  walk(data, []);
  return out;
}

/**
 * Adds an issue for each `source` in `data` that names no entry of `sources`: a refinement for
 * the schema of any data file.
 */
export function checkSourceRefs(
  data: unknown,
  sources: readonly Source[] | undefined,
  ctx: z.RefinementCtx,
  skip?: ReadonlySet<string>,
): void {
  const known = new Set((sources ?? []).map((s) => s.id));
  for (const { path, ref } of sourceRefs(data, skip)) {
    for (const id of refIds(ref as SourceRef)) {
      if (typeof id === 'string' && !known.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message:
            known.size === 0
              ? `cites source "${id}" but the file lists no \`sources\``
              : `cites unknown source "${id}"; the file's sources are ${[...known].join(', ')}`,
        });
      }
    }
  }
}

const CJK = /[\u3400-\u9fff]/;
/** A title as a citation writes it: 《…》 around a Chinese one, quotes around any other. */
const quotedTitle = (title: string) => (CJK.test(title) ? `《${title}》` : `"${title}"`);

/** A short label for messages: the document number (and section), else issuer and title. */
export function sourceLabel(s: Source): string {
  checkArgument(s, 'object', 'sourceLabel', 'the source');
  const head = s.number ?? `${s.issuer} ${quotedTitle(s.title)}`;
  return s.section ? `${head} ${s.section}` : head;
}

/** The full citation for documentation: issuer, number, title, date, section, URL and kind. */
export function citation(s: Source): string {
  checkArgument(s, 'object', 'citation', 'the source');
  const parts = [[s.issuer, s.number, quotedTitle(s.title)].filter(Boolean).join(' ')];
  if (s.date) parts.push(s.date);
  if (s.section) parts.push(s.section);
  if (s.kind !== 'primary') parts.push(s.kind === 'spec' ? 'interface specification' : 'secondary source');
  if (s.confidence && s.confidence !== 'verified') parts.push(`citation ${s.confidence}`);
  return `${parts.join(', ')}${s.url ? ` <${s.url}>` : ''}`;
}

/** Labels of the sources a reference names, joined; ids that resolve to nothing are kept as they are. */
export function labelRef(ref: SourceRef | undefined, sources: readonly Source[] | undefined): string | undefined {
  const ids = refIds(ref);
  if (ids.length === 0) return undefined;
  return ids
    .map((id) => {
      const s = sources?.find((x) => x.id === id);
      return s ? sourceLabel(s) : id;
    })
    .join('; ');
}
