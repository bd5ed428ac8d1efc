import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { Dec } from '../model/primitives.js';
import { formatPath } from '../model/issue.js';
import { SandanError } from '../errors.js';
import { checkArgument } from '../model/guards.js';
import { DateSchema, labelRef, refIds, SourceRefSchema, SourcesSchema, type Source } from '../model/sources.js';
import { endsBeforeItStarts, isoDateOption, isWithinDates } from '../time/beijing.js';

/**
 * A consumption-tax tier applies when the line's dutiable value per unit reaches one of
 * `minUnitValue` (e.g. high-end cosmetics: ≥ 10 CNY per g, i.e. 10000 per kg `035`).
 */
export interface UnitValueThreshold {
  /** Minimum dutiable value per `unit` (CNY). */
  value: Decimal;
  /** JGS-20 unit code the value is per, e.g. `035` kg, `008` 只, `095` litre. */
  unit: string;
}

/**
 * One consumption-tax (CT) rate: ad valorem `adValorem`, specific `perUnit` CNY per `unit`,
 * or both (compound). Without `minUnitValue` the tier always applies.
 */
export interface ConsumptionTier {
  adValorem?: Decimal;
  perUnit?: Decimal;
  unit?: string;
  /** The tier applies when any threshold whose unit the line declares is reached. */
  minUnitValue?: readonly UnitValueThreshold[];
}

/** Rates for one key of a rate table. Fractions as Decimal (0.13 = 13 %). */
export interface TaxRate {
  /**
   * The duty rate customs applies to the code: the MFN rate, or the provisional (暂定) rate where the tariff has one
   * (关税法 第十三条: 适用最惠国税率的进口货物有暂定税率的，适用暂定税率); absent when unknown (then only the CBEC
   * regime, where duty is 0, can be computed).
   */
  duty?: Decimal;
  vat: Decimal;
  /** Tiers tried in order; the first that applies wins; none → no CT. */
  consumption?: readonly ConsumptionTier[];
  /** Where the rate comes from: the labels (document number, or issuer and title) of the sources the entry cites. */
  source?: string;
  /** Date the source was stated or consulted (ISO date). */
  asOf?: string;
  /** Conditions or remarks for people; the engine does not read it. */
  note?: string;
}

/** A parsed rate table: keys are 10-, 8- or 4-digit code prefixes. */
export interface RateTable {
  /** File name or label, quoted in issues and explanations. */
  readonly origin: string;
  readonly entries: ReadonlyMap<string, TaxRate>;
  /** First day its rates are in force (`$validFrom`, YYYY-MM-DD); absent: no start is stated. */
  readonly validFrom?: string;
  /** Last day its rates are in force (`$validTo`); absent: still in force. */
  readonly validTo?: string;
}

/**
 * Checks that `rates` (an option) is a rate table or a list of them, as {@link parseRateTable}
 * makes: the JSON of a rate file given as it is would fail later, inside a rule, for every
 * declaration. Throws INVALID_OPTION naming `where`. Allocates nothing (computeTax calls it on
 * every call).
 */
export function assertRateTables(rates: unknown, where: string): void {
  if (!Array.isArray(rates)) assertRateTable(rates, where);
  else for (const t of rates) assertRateTable(t, where);
}

/** The `rates` option as a list (none when undefined), each checked by {@link assertRateTables}. */
export function rateTablesOf(rates: unknown, where: string): RateTable[] {
  if (rates === undefined) return [];
  assertRateTables(rates, where);
  return Array.isArray(rates) ? [...rates] : [rates as RateTable];
}

function assertRateTable(t: unknown, where: string): void {
  if (t !== null && typeof t === 'object' && (t as { entries?: unknown }).entries instanceof Map) return;
  throw new SandanError(
    'INVALID_OPTION',
    `${where}: rates must be rate tables made by parseRateTable(json) (got ${t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t === 'object' ? 'an object that is not one: read a rate file with parseRateTable' : typeof t})`,
    { details: { field: 'rates' } },
  );
}

/** The origin the bundled seed table is loaded under (rules/bundled.ts): a path inside the sandan package. */
export const BUNDLED_RATES_ORIGIN = 'rulesets/rates/cbec-rates.json';

/** The rate for a code with the key and table that matched. */
export interface ResolvedRate {
  key: string;
  origin: string;
  rate: TaxRate;
  /**
   * Set when a date was asked for and no table in force on it has the code: the rate is then from a table whose
   * `$validFrom`/`$validTo` leave the date out, and may not be the rate of that day.
   */
  notInForce?: { validFrom?: string; validTo?: string };
}

const DECIMAL_TEXT = /^\d{1,15}(\.\d{1,12})?$/;

const NOT_DECIMAL = 'expected a non-negative decimal such as "0.13"';

// The string's pattern is also the JSON schema's (schemas/rate-table.schema.json), so that an editor refuses "13%" as
// the loader does, and a negative number; a number is checked as its text too (1e-7), by the transform.
const decimalValue = z
  .union([z.string().regex(DECIMAL_TEXT, { error: NOT_DECIMAL }), z.number().nonnegative({ error: NOT_DECIMAL })], {
    // (zod's own words for a missing or mistyped field are "Invalid input")
    error: (iss) => (iss.input === undefined ? 'missing: a decimal such as "0.13" is required' : NOT_DECIMAL),
  })
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? String(v) : v;
    if (!DECIMAL_TEXT.test(text)) {
      ctx.addIssue({ code: 'custom', message: NOT_DECIMAL, input: v });
      return z.NEVER;
    }
    return new Dec(text);
  });

const fraction = decimalValue.refine((d) => d.lt(1), { message: 'a rate must be below 1 (0.13 = 13 %)' });
const unitCode = z.string().regex(/^\d{3}$/, { error: 'expected a 3-digit JGS-20 unit code such as "035"' });

const ThresholdSchema = z.strictObject({ value: decimalValue, unit: unitCode });

const TierSchema = z
  .strictObject({
    adValorem: fraction.optional(),
    perUnit: decimalValue.optional(),
    unit: unitCode.optional(),
    minUnitValue: z.array(ThresholdSchema).min(1).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.adValorem === undefined && t.perUnit === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs adValorem, perUnit or both' });
    }
    if (t.perUnit !== undefined && t.unit === undefined) {
      ctx.addIssue({ code: 'custom', message: 'perUnit needs the unit it is charged per', path: ['unit'] });
    }
  });

/** One entry of a rate table (its key a commodity code); `schemas/rate-table.schema.json` is made from it. */
export const RateEntrySchema = z.strictObject({
  duty: decimalValue.optional(),
  vat: fraction,
  consumption: z
    .union([TierSchema, z.array(TierSchema).min(1)], {
      error: 'expected a consumption-tax tier such as { "adValorem": "0.15" }, or a list of them',
    })
    .optional(),
  /** The id (or ids) of entries of the table's `$sources`. */
  source: SourceRefSchema.optional(),
  asOf: z
    .string()
    .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, { error: 'expected an ISO date such as "2026-11-21"' })
    .optional(),
  note: z.string().optional(),
});

/** The key of an entry: a 10-digit commodity code, or an 8- or 4-digit prefix. */
export const RATE_KEY = /^(\d{4}|\d{8}|\d{10})$/;
/** Key lengths, longest (most specific) first. */
const KEY_LENGTHS = [10, 8, 4] as const;

interface ZodIssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  errors?: readonly (readonly ZodIssueLike[])[];
}

/**
 * The issue to tell: inside a union (a consumption tier, or a list of them), the first issue of
 * the branch the value has the shape of, with its path, not zod's bare "Invalid input".
 */
function innermost(issue: ZodIssueLike): { path: PropertyKey[]; message: string } {
  if (issue.code === 'invalid_union') {
    const branch = issue.errors?.find((b) => !(b[0]?.code === 'invalid_type' && b[0].path.length === 0));
    const inner = branch?.[0];
    if (inner) {
      const deeper = innermost(inner);
      return { path: [...issue.path, ...deeper.path], message: deeper.message };
    }
  }
  return { path: [...issue.path], message: issue.message };
}

/** The origin a rate table is named by when its reader gives none (the message then names no file). */
const UNNAMED = 'rate table';

function invalid(origin: string, path: readonly PropertyKey[], why: string): SandanError {
  const where = path.length === 0 ? '(root)' : formatPath(path);
  const named = origin === UNNAMED ? '' : ` ${origin}`;
  return new SandanError('INVALID_OPTION', `Invalid rate table${named} at ${where}: ${why}`, {
    details: { origin, path: where },
  });
}

/**
 * Validates a rate table in the user format
 * `{ "<code>": { "duty": "0.10", "vat": "0.13", "consumption": { "adValorem": "0.15" } } }`.
 * Keys are 10-digit codes or 8-/4-digit prefixes; keys starting with `$` are comments, except
 * `$sources`: the documents the table relies on, which each entry's `source` names by id.
 * Throws `SandanError('INVALID_OPTION')` naming `origin` and the JSON path of the first problem.
 */
export function parseRateTable(json: unknown, origin = UNNAMED): RateTable {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalid(origin, [], 'expected an object keyed by commodity code');
  }
  const table = json as Record<string, unknown>;
  let sources: Source[] | undefined;
  if (table.$sources !== undefined) {
    const s = SourcesSchema.safeParse(table.$sources);
    if (!s.success) {
      const first = s.error.issues[0];
      throw invalid(origin, ['$sources', ...(first?.path ?? [])], first?.message ?? 'invalid sources');
    }
    sources = s.data;
  }
  const dates: { validFrom?: string; validTo?: string } = {};
  for (const field of ['validFrom', 'validTo'] as const) {
    const v = table[`$${field}`];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !DateSchema.safeParse(v).success)
      throw invalid(origin, [`$${field}`], 'expected a date YYYY-MM-DD');
    dates[field] = v;
  }
  if (endsBeforeItStarts(dates.validFrom, dates.validTo))
    throw invalid(origin, ['$validTo'], `is before $validFrom ${dates.validFrom}`);
  const entries = new Map<string, TaxRate>();
  for (const [key, raw] of Object.entries(table)) {
    if (key.startsWith('$')) continue;
    if (!RATE_KEY.test(key)) throw invalid(origin, [key], 'keys are 10-, 8- or 4-digit commodity codes');
    const parsed = RateEntrySchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const told = first ? innermost(first as ZodIssueLike) : { path: [], message: 'invalid entry' };
      throw invalid(origin, [key, ...told.path], told.message);
    }
    const { consumption, source, ...rest } = parsed.data;
    for (const id of refIds(source)) {
      if (!sources?.some((x) => x.id === id)) {
        throw invalid(
          origin,
          [key, 'source'],
          sources
            ? `cites unknown source "${id}"; the table's $sources are ${sources.map((x) => x.id).join(', ')}`
            : `cites source "${id}" but the table has no $sources`,
        );
      }
    }
    const rate: TaxRate = { ...rest, ...(source !== undefined ? { source: labelRef(source, sources) } : {}) };
    if (consumption !== undefined) rate.consumption = Array.isArray(consumption) ? consumption : [consumption];
    entries.set(key, Object.freeze(rate));
  }
  return Object.freeze({ origin, entries, ...dates });
}

/** Whether a table's rates are in force on a date (YYYY-MM-DD, as the callers checked). */
function inForceOn(table: RateTable, at: string): boolean {
  return isWithinDates(at, table.validFrom, table.validTo);
}

/**
 * Finds the rate for a 10-digit code: within a table the longest matching key wins
 * (10, then 8, then 4 digits); across layered tables `[user, bundled]` the first table with
 * any match wins. Returns undefined when nothing matches: a rate is never guessed.
 *
 * With `at` (the declaration's date), tables whose `$validFrom`/`$validTo` leave the date out are passed over, so a
 * table of 2018's rates layered over today's serves the declarations of its days. When only such a table has the
 * code, its rate is returned with `notInForce`, for the caller to warn.
 */
export function resolveRate(
  tables: RateTable | readonly RateTable[],
  gcode: string,
  at?: string,
): ResolvedRate | undefined {
  assertRateTables(tables, 'resolveRate');
  checkArgument(gcode, 'text', 'resolveRate', 'gcode');
  if (at !== undefined) isoDateOption(at, 'resolveRate: at', 'INVALID_OPTION');
  return rateFor(tables, gcode, at);
}

/** {@link resolveRate} without the checks of a caller's arguments: for computeTax, per line, with tables it checked. */
export function rateFor(
  tables: RateTable | readonly RateTable[],
  gcode: string,
  at?: string,
): ResolvedRate | undefined {
  const list: readonly RateTable[] = isRateTable(tables) ? [tables] : tables;
  let outOfForce: ResolvedRate | undefined;
  for (const table of list) {
    const found = matchIn(table, gcode);
    if (found === undefined) continue;
    if (at === undefined || inForceOn(table, at)) return found;
    outOfForce ??= {
      ...found,
      notInForce: {
        ...(table.validFrom !== undefined && { validFrom: table.validFrom }),
        ...(table.validTo !== undefined && { validTo: table.validTo }),
      },
    };
  }
  return outOfForce;
}

/** The longest key of one table that matches the code. */
function matchIn(table: RateTable, gcode: string): ResolvedRate | undefined {
  for (const len of KEY_LENGTHS) {
    if (gcode.length < len) continue;
    const key = gcode.slice(0, len);
    const rate = table.entries.get(key);
    if (rate !== undefined) return { key, origin: table.origin, rate };
  }
  return undefined;
}

function isRateTable(t: RateTable | readonly RateTable[]): t is RateTable {
  return !Array.isArray(t);
}
