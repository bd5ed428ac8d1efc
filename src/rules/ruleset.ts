import { z } from 'zod';
import { SandanError } from '../errors.js';
import type { Severity } from '../model/issue.js';
import { compareCodeUnits, checkArgument, describeInput, getAt, isRecord } from '../model/guards.js';
import {
  DistrictSectionSchema,
  ExtensionFieldSchema,
  toExtensionFields,
  type DistrictSection,
  type ExtensionDeclaration,
} from './district.js';
import type { ExtensionField } from '../xml/extensions.js';
import { ConfidenceSchema, DateSchema, PolicySectionSchema, toPolicy, type Policy, type PolicyKey } from './policy.js';
import {
  checkSourceRefs,
  labelRef,
  SourceRefSchema,
  SourcesSchema,
  type Source,
  type SourceRef,
} from '../model/sources.js';
import type { Rule } from './types.js';
import { nearestFieldName } from '../model/field-names.js';
import { docsUrl } from '../model/docs-url.js';
import { commonDates, endsBeforeItStarts, isoDateOption, isWithinDates } from '../time/beijing.js';
import { isoDateAfter } from '../time/calendar.js';

/**
 * Rulesets are JSON data: which rules run, with which severity and options, and the policy
 * values in force, each entry effective-dated and sourced. A ruleset may extend another
 * (a district extends the national ruleset; a user ruleset extends either), like ESLint configs.
 */

const settingFields = {
  severity: z.enum(['error', 'warning', 'off']).optional(),
  effectiveFrom: DateSchema.optional(),
  effectiveTo: DateSchema.optional(),
  /** The id (or ids) of the documents in `sources` the setting rests on. */
  source: SourceRefSchema.optional(),
  confidence: ConfidenceSchema.optional(),
  note: z.string().optional(),
};

function settingSchema(options: z.ZodType) {
  const one = z.strictObject({ ...settingFields, options: options.optional() });
  return z.union([one, z.array(one).min(1)]);
}

/** Builds the zod schema of a ruleset for a set of rules: unknown rule ids and bad options are rejected. */
export function rulesetSchema(rules: readonly Rule[]) {
  checkRules(rules, 'rulesetSchema');
  const ruleShape = Object.fromEntries(rules.map((r) => [r.id, settingSchema(r.options as z.ZodType).optional()]));
  return z
    .strictObject({
      $schema: z.string().optional(),
      id: z.string().regex(/^[a-z0-9][a-z0-9/_.-]*$/i, 'an id of letters, digits and / _ . -'),
      version: z.string().min(1),
      name: z.strictObject({ zh: z.string(), en: z.string() }).optional(),
      description: z.string().optional(),
      extends: z.string().optional(),
      /** The documents the ruleset relies on; every `source` in the file names one of them by id. */
      sources: SourcesSchema.optional(),
      rules: z.strictObject(ruleShape).optional(),
      policy: PolicySectionSchema.optional(),
      /** District facts; present in district rulesets (rulesets/districts/NNNN.json). */
      district: DistrictSectionSchema.optional(),
      /** Fields beyond the 2022 XSD that the user's messages carry (same shape as `district.extensions`; merged with them). */
      extensions: z.array(ExtensionFieldSchema).optional(),
    })
    .superRefine((d, ctx) => checkSourceRefs(d, d.sources, ctx));
}

/**
 * Checks the rules a ruleset may name: an array of rules, each with a text id and an options schema (what the
 * ruleset's schema is made of). Anything else is misuse: INVALID_OPTION naming `fn`, not a TypeError inside zod.
 */
function checkRules(rules: readonly Rule[], fn: string): void {
  checkArgument(rules, 'list', fn, 'the rules');
  for (const [i, r] of rules.entries())
    if (
      !isRecord(r) ||
      typeof r.id !== 'string' ||
      typeof (r.options as { safeParse?: unknown })?.safeParse !== 'function'
    )
      throw new SandanError(
        'INVALID_OPTION',
        `${fn}: rules[${i}] must be a rule (an id and an options schema, e.g. from defaultRegistry().rules), got ${describeInput(r)}`,
      );
}

/** Ruleset data as checked by the schema. */
export type RulesetData = z.output<ReturnType<typeof rulesetSchema>>;

interface Setting {
  severity?: Severity | 'off';
  options?: Record<string, unknown>;
  effectiveFrom?: string;
  effectiveTo?: string;
  source?: SourceRef;
  confidence?: 'verified' | 'memory' | 'uncertain';
}

/** A ruleset checked at load, with its origin (file or id) for messages. */
export interface Ruleset {
  readonly id: string;
  readonly version: string;
  readonly extends: string | undefined;
  readonly origin: string;
  readonly data: RulesetData;
}

/** The rules and policy in force for one ruleset chain on one date. */
export interface ResolvedRuleset {
  /** Ids of the chain, child first, e.g. `["my-shop", "district/2900", "national"]`. */
  chain: string[];
  at: string;
  /** `source` is the label (document number, or issuer and title) of the sources the setting cites. */
  rules: Array<{ rule: Rule; severity: Severity; options: unknown; source: string | undefined }>;
  policy: Policy;
  /** The district section of the nearest district ruleset in the chain. */
  district: DistrictSection | undefined;
  /** Fields beyond the XSD declared along the chain (district sections and `extensions`); the nearer ruleset wins per element and name. */
  extensions: ExtensionField[];
}

function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const k of path)
    out +=
      typeof k === 'number'
        ? `[${k}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(k))
          ? `.${String(k)}`
          : `[${JSON.stringify(String(k))}]`;
  return out;
}

/**
 * Checks ruleset data against the schema of the given rules. Throws a SandanError naming the
 * origin, the JSON path and what is wrong: unknown rule ids, bad options, bad dates.
 */
export function loadRuleset(data: unknown, rules: readonly Rule[], origin = 'ruleset'): Ruleset {
  if (!Array.isArray(rules))
    throw new SandanError('INVALID_OPTION', 'loadRuleset needs the rules it may name, e.g. defaultRegistry().rules');
  checkRules(rules, 'loadRuleset');
  const parsed = rulesetSchema(rules).safeParse(data);
  if (!parsed.success) {
    const ids = rules.map((r) => r.id);
    const problems = flattenUnions(parsed.error.issues, data).map((i) => {
      if (i.code === 'unrecognized_keys' && i.path.length === 1 && i.path[0] === 'rules') {
        // A misspelt id names the rule it is near, as an unknown field of a declaration does; the list is a web
        // address, for an installed package has no docs/ folder.
        const named = i.keys.map((k) => {
          const near = nearestFieldName(k, ids);
          return near === undefined ? k : `${k} (did you mean ${near}?)`;
        });
        return `${jsonPath(i.path)}: unknown rule id ${named.join(', ')}; known rules are listed in ${docsUrl('rules.md#rules')}`;
      }
      return `${jsonPath(i.path)}: ${i.message}`;
    });
    const unknownRule = parsed.error.issues.some(
      (i) => i.code === 'unrecognized_keys' && i.path[0] === 'rules' && i.path.length === 1,
    );
    const badOptions = parsed.error.issues.some((i) => i.path[0] === 'rules' && i.path.at(-1) !== 'source');
    throw new SandanError(
      unknownRule ? 'RULESET_UNKNOWN_RULE' : badOptions ? 'RULESET_BAD_OPTIONS' : 'RULESET_INVALID',
      `${origin}: ${problems.join('; ')}`,
      {
        details: { origin, problems },
      },
    );
  }
  const d = parsed.data;
  // (data passed the schema: its rules are an object and each setting the shape of the parsed one)
  const written = (data as { rules?: Record<string, Setting | Setting[]> }).rules;
  for (const [ruleId, setting] of Object.entries(d.rules ?? {})) {
    const raw = asArray(written?.[ruleId]);
    for (const [i, s] of asArray(setting as Setting | Setting[] | undefined).entries()) {
      checkRange(s, origin, `$.rules[${JSON.stringify(ruleId)}]${Array.isArray(setting) ? `[${i}]` : ''}`);
      // The options written, without the defaults the schema filled in: resolve merges a setting's options over the
      // ones before it, so a setting naming one option set the others back to their defaults. Resolve parses the
      // merged options, defaults included. (The parsed values, not the caller's objects: changed after loading,
      // those changed the ruleset, and resolve's cached days kept the old ones.)
      if (s.options !== undefined) s.options = asWritten(s.options, raw[i]?.options) as Setting['options'];
    }
  }
  for (const [ruleId, setting] of Object.entries(d.rules ?? {})) {
    const rule = rules.find((r) => r.id === ruleId);
    if (typeof rule?.checkOptions === 'function')
      checkWrittenOptions(rule, asArray(setting as Setting | Setting[] | undefined), Array.isArray(setting), origin);
  }
  for (const list of ['signatureAlgorithms', 'localRequirements'] as const)
    for (const [i, s] of (d.district?.[list] ?? []).entries()) checkRange(s, origin, `$.district.${list}[${i}]`);
  for (const [key, entries] of Object.entries(d.policy ?? {})) {
    const list = (entries as Setting[] | undefined) ?? [];
    for (const [i, s] of list.entries()) {
      checkRange(s, origin, `$.policy.${key}[${i}]`);
      // A policy value is whole, unlike a rule's options: two entries in force on one day contradict each other.
      for (const [j, t] of list.slice(0, i).entries()) {
        const both = commonDates(t, s);
        if (both === undefined) continue;
        const when =
          both.from !== undefined ? `from ${both.from}` : both.to !== undefined ? `up to ${both.to}` : 'always';
        throw new SandanError(
          'RULESET_INVALID',
          `${origin}: $.policy.${key}[${i}]: in force ${when} while [${j}] still is; one entry of a policy value is in force on any day: give the earlier an effectiveTo the day before the later's effectiveFrom`,
        );
      }
    }
  }
  return { id: d.id, version: d.version, extends: d.extends, origin, data: d };
}

/**
 * A rule setting is "an object or a list of objects"; when it fails, report the problems of
 * the branch the data took, with their full paths, rather than zod's "invalid input".
 */
function flattenUnions(issues: readonly z.core.$ZodIssue[], data: unknown): z.core.$ZodIssue[] {
  return issues.flatMap((i) => {
    if (i.code !== 'invalid_union' || i.errors.length === 0) return [i];
    const branch = Array.isArray(getAt(data, i.path)) ? (i.errors[1] ?? i.errors[0]!) : i.errors[0]!;
    return flattenUnions(
      branch.map((b) => ({ ...b, path: [...i.path, ...b.path] }) as z.core.$ZodIssue),
      data,
    );
  });
}

function checkRange(s: Setting, origin: string, where: string): void {
  if (endsBeforeItStarts(s.effectiveFrom, s.effectiveTo)) {
    throw new SandanError(
      'RULESET_INVALID',
      `${origin}: ${where}: effectiveTo ${s.effectiveTo} is before effectiveFrom ${s.effectiveFrom}`,
    );
  }
}

/**
 * Gives a rule's checkOptions what one ruleset writes for it, merged as resolve merges it, on every day the settings
 * in force change: a contradiction may lie between two settings of the file in force together. Not the options merged
 * along the chain, where a child's word overrides its parent's on purpose. Throws RULESET_BAD_OPTIONS with the JSON
 * path of the setting, or the settings and the day they first meet.
 */
function checkWrittenOptions(rule: Rule, settings: readonly Setting[], listed: boolean, origin: string): void {
  const FIRST = '0001-01-01';
  const days = new Set([FIRST]);
  for (const s of settings) {
    if (s.effectiveFrom !== undefined) days.add(s.effectiveFrom);
    if (s.effectiveTo !== undefined && s.effectiveTo < '9999-12-31') days.add(isoDateAfter(s.effectiveTo));
  }
  for (const day of [...days].sort()) {
    let merged: Setting['options'];
    const inForce: number[] = [];
    for (const [i, s] of settings.entries()) {
      if (s.options === undefined || !isWithinDates(day, s.effectiveFrom, s.effectiveTo)) continue;
      merged = mergeOptions(merged, s.options) as Setting['options'];
      inForce.push(i);
    }
    const problem = merged === undefined ? undefined : rule.checkOptions?.(merged)[0];
    if (problem === undefined) continue;
    const at = `$.rules[${JSON.stringify(rule.id)}]`;
    const options = jsonPath(['options', ...problem.path]).slice(1);
    const message =
      inForce.length === 1
        ? `${at}${listed ? `[${inForce[0]}]` : ''}${options}: ${problem.message}`
        : `${at}[${inForce.join('], [')}], merged as in force${day === FIRST ? '' : ` from ${day}`}: ${options.slice(1)}: ${problem.message}`;
    throw new SandanError('RULESET_BAD_OPTIONS', `${origin}: ${message}`, { details: { origin, problems: [message] } });
  }
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/**
 * Parsed options as far as they were written, at every depth: the schema fills in defaults inside objects too (a
 * mode's `lineRequired`), and resolve would merge such a default over the setting before it as if it were written.
 */
function asWritten(parsed: unknown, given: unknown): unknown {
  if (!isRecord(parsed) || !isRecord(given)) return parsed;
  return Object.fromEntries(
    Object.entries(parsed)
      .filter(([k]) => Object.hasOwn(given, k))
      .map(([k, v]) => [k, asWritten(v, given[k])]),
  );
}

/**
 * Options merged over the ones before them: an object key by key, to any depth, so that a ruleset naming one trade
 * mode of `trade-mode/fields` keeps the others' requirements; a list or a value replaces.
 */
function mergeOptions(under: unknown, over: unknown): unknown {
  if (over === undefined) return under;
  if (!isRecord(under) || !isRecord(over)) return over;
  const out = Object.entries(under).map(([k, v]) => [k, Object.hasOwn(over, k) ? mergeOptions(v, over[k]) : v]);
  for (const [k, v] of Object.entries(over)) if (!Object.hasOwn(under, k)) out.push([k, v]);
  return Object.fromEntries(out);
}

/**
 * A setting's options over the ones in force before it, as resolve merges them along the chain: what the setting's
 * word takes back is taken out of those first (the rule's supersede), then the two merge key by key.
 */
function overOptions(rule: Rule, before: unknown, written: Setting['options']): Setting['options'] {
  const kept =
    typeof rule.supersede === 'function' && isRecord(before) && isRecord(written)
      ? rule.supersede(before, written)
      : before;
  return mergeOptions(kept, written) as Setting['options'];
}

/** A rule's options as written along the chain, merged over the rule's defaults (to be parsed, which fills the rest). */
function optionsOverDefaults(rule: Rule, written: Setting['options']): unknown {
  const defaults = (rule.options as z.ZodType).safeParse({});
  return defaults.success ? overOptions(rule, defaults.data, written ?? {}) : (written ?? {});
}

/**
 * The options in force of a rule whose settings each passed the schema, but whose merge may not: a child's doubt
 * about the only mode its parent allows leaves none allowed. RULESET_BAD_OPTIONS names the last ruleset that wrote
 * options for the rule, the ones it merged over, and what is wrong, rather than the schema's bare error.
 */
function optionsAlongChain(rule: Rule, written: Setting['options'], wrote: readonly Ruleset[], at: string): unknown {
  const parsed = (rule.options as z.ZodType).safeParse(optionsOverDefaults(rule, written));
  if (parsed.success) return parsed.data;
  const last = wrote.at(-1);
  const over = wrote
    .slice(0, -1)
    .map((rs) => rs.id)
    .reverse();
  const problems = parsed.error.issues.map(
    (i) =>
      `$.rules[${JSON.stringify(rule.id)}]${jsonPath(['options', ...i.path]).slice(1)}${over.length > 0 ? `, merged over ${over.join(', ')}` : ''} on ${at}: ${i.message}`,
  );
  const origin = last?.origin ?? 'ruleset';
  throw new SandanError('RULESET_BAD_OPTIONS', `${origin}: ${problems.join('; ')}`, { details: { origin, problems } });
}

/** Rulesets by id, resolving `extends` chains and caching what is in force per date. */
export class RulesetRegistry {
  // Its own name in the build, which calls it _RulesetRegistry or, in CommonJS, _class (as console.log shows it).
  static {
    Object.defineProperty(RulesetRegistry, 'name', { value: 'RulesetRegistry' });
  }
  private readonly byId = new Map<string, Ruleset>();
  private readonly cache = new Map<string, ResolvedRuleset>();

  constructor(
    readonly rules: readonly Rule[],
    rulesets: readonly Ruleset[] = [],
  ) {
    for (const r of rulesets) this.add(r);
  }

  /** Adds (or replaces) a ruleset; its `extends` chain is checked at once. */
  add(ruleset: Ruleset): this {
    checkArgument(ruleset, 'object', 'RulesetRegistry.add', 'the ruleset (from loadRuleset)');
    this.byId.set(ruleset.id, ruleset);
    this.cache.clear();
    try {
      this.chain(ruleset.id);
    } catch (e) {
      this.byId.delete(ruleset.id);
      throw e;
    }
    return this;
  }

  get(id: string): Ruleset | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** The chain from a ruleset to its root; a missing parent or a cycle is a SandanError. */
  chain(id: string): Ruleset[] {
    // (the message quotes it: a Symbol threw a TypeError there)
    checkArgument(id, 'text', 'RulesetRegistry.chain', 'the ruleset id');
    const out: Ruleset[] = [];
    const seen = new Set<string>();
    let cur = this.byId.get(id);
    if (!cur)
      throw new SandanError(
        'RULESET_NOT_FOUND',
        `No ruleset with id "${id}". Known rulesets: ${this.ids().join(', ')}`,
      );
    while (cur) {
      if (seen.has(cur.id))
        throw new SandanError(
          'RULESET_EXTENDS',
          `${cur.origin}: "extends" makes a cycle: ${[...seen, cur.id].join(' → ')}`,
        );
      seen.add(cur.id);
      out.push(cur);
      if (cur.extends === undefined) break;
      const parent = this.byId.get(cur.extends);
      if (!parent) {
        throw new SandanError(
          'RULESET_EXTENDS',
          `${cur.origin}: $.extends: no ruleset "${cur.extends}" to extend. Known rulesets: ${this.ids()
            .filter((i) => i !== cur?.id)
            // national first, then the districts in code order (as the unknown-district message lists them)
            .sort((a, b) => Number(b === 'national') - Number(a === 'national') || compareCodeUnits(a, b))
            .join(', ')}`,
        );
      }
      cur = parent;
    }
    return out;
  }

  /** The rules (with severity and options) and policy values in force on `at` (YYYY-MM-DD). */
  resolve(id: string, at: string): ResolvedRuleset {
    checkArgument(id, 'text', 'RulesetRegistry.resolve', 'the ruleset id');
    if (typeof at !== 'string') isoDateOption(at, 'RulesetRegistry.resolve: at', 'INVALID_OPTION');
    const key = `${id}@${at}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    // (after the cache: a day found there was checked when it was put there)
    isoDateOption(at, 'RulesetRegistry.resolve: at', 'INVALID_OPTION');
    const chain = this.chain(id);
    const rootFirst = [...chain].reverse();
    const rules: ResolvedRuleset['rules'] = [];
    for (const rule of this.rules) {
      let merged: Setting | undefined;
      // The rulesets whose options for the rule are merged, root first: a merge the schema refuses names the last.
      const wrote: Ruleset[] = [];
      for (const rs of rootFirst) {
        const settings = asArray(rs.data.rules?.[rule.id] as Setting | Setting[] | undefined).filter((s) =>
          isWithinDates(at, s.effectiveFrom, s.effectiveTo),
        );
        if (settings.some((s) => s.options !== undefined)) wrote.push(rs);
        for (const s of settings) {
          merged = {
            ...merged,
            ...(s.severity !== undefined && { severity: s.severity }),
            // Resolved here, in the ruleset that cites it: ids are local to their file.
            ...(s.source !== undefined && { source: labelRef(s.source, rs.data.sources) }),
            // A setting that states a severity stands on its own source; one that only tunes options keeps the parent's confidence.
            confidence: s.severity !== undefined ? s.confidence : (s.confidence ?? merged?.confidence),
            options: overOptions(rule, merged?.options, s.options),
          };
        }
      }
      if (!merged) continue;
      let severity = merged.severity ?? rule.defaultSeverity;
      if (severity === 'off') continue;
      // An uncertain fact never fails a declaration: it warns.
      if (severity === 'error' && merged.confidence === 'uncertain') severity = 'warning';
      rules.push({
        rule,
        severity,
        options: optionsAlongChain(rule, merged.options, wrote, at),
        source: merged.source as string | undefined,
      });
    }
    const rawPolicy: Record<string, unknown> = {};
    const sources: Partial<Record<PolicyKey, string>> = {};
    for (const rs of rootFirst) {
      for (const [key, entries] of Object.entries(rs.data.policy ?? {})) {
        const e = (entries as Array<{ value: unknown; source: SourceRef } & Setting> | undefined)?.find((x) =>
          isWithinDates(at, x.effectiveFrom, x.effectiveTo),
        );
        if (e) {
          rawPolicy[key] = e.value;
          sources[key as PolicyKey] = labelRef(e.source, rs.data.sources as Source[] | undefined) ?? '';
        }
      }
    }
    const district = chain.find((c) => c.data.district)?.data.district;
    const declared = new Map<string, ExtensionDeclaration>();
    for (const rs of rootFirst) {
      for (const x of [...(rs.data.district?.extensions ?? []), ...(rs.data.extensions ?? [])])
        declared.set(`${x.element}.${x.name}`, x);
    }
    const resolved: ResolvedRuleset = {
      chain: chain.map((c) => c.id),
      at,
      rules,
      policy: toPolicy(rawPolicy as never, sources),
      district,
      extensions: toExtensionFields([...declared.values()]),
    };
    if (this.cache.size > 512) this.cache.clear();
    this.cache.set(key, resolved);
    return resolved;
  }
}
