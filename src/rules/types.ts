import type { Decimal } from 'decimal.js';
import type { z } from 'zod';
import type { Declaration } from '../model/documents.js';
import type { Issue, Message, Severity } from '../model/issue.js';
import type { CodeTables } from './codes.js';
import type { DistrictSection } from './district.js';
import type { Policy } from './policy.js';

/** A plain JSON object of the raw input, e.g. the `order` document. */
export type Rec = Readonly<Record<string, unknown>>;

/** What a rule reports; the engine adds severity (from the ruleset) and ruleId. */
export interface RuleIssue {
  code: string;
  path: string;
  message: Message;
  expected?: string;
  actual?: string;
  /** A rule may lower one finding to a warning (e.g. an incomplete code table). */
  severity?: Severity;
}

/**
 * What a rule sees. Rules read the raw input through tolerant accessors so that a
 * declaration with broken fields is still checked everywhere else: a field that is
 * missing or malformed reads as undefined and is left to `fields/schema`.
 */
export interface RuleContext {
  readonly input: unknown;
  /** The parsed declaration when the whole input is well-formed. */
  readonly declaration: Declaration | undefined;
  /** The date the policy is taken from, `YYYY-MM-DD` (Beijing calendar). */
  readonly at: string;
  readonly policy: Policy;
  /** The district section of the ruleset chain, when a district ruleset applies. */
  readonly district: DistrictSection | undefined;
  readonly codes: CodeTables;
  /** A document of the input (`order`, `payment`, `logistics`, `inventory`) when it is an object. */
  doc(name: DocumentName): Rec | undefined;
  /** The line objects of `order` or `inventory`, with their index in the input. */
  lines(name: 'order' | 'inventory'): Array<{ index: number; line: Rec }>;
  str(rec: Rec | undefined, key: string): string | undefined;
  dec(rec: Rec | undefined, key: string): Decimal | undefined;
  /** Field-level issues found while parsing the input into the model. */
  readonly parseIssues: readonly Issue[];
  /** Anything the caller passed for rules to use (e.g. tax rates, goods records). */
  readonly extras: Readonly<Record<string, unknown>>;
}

/** The documents of a declaration. */
export type DocumentName = 'order' | 'payment' | 'logistics' | 'inventory';

/** A rule: small, identified, sourced; its logic is code, its severity and options are data. */
export interface Rule<O = unknown> {
  /** Stable id, `family/name`. */
  id: string;
  description: Message;
  /** Policy document or spec section the rule enforces. */
  source: string;
  defaultSeverity: Severity;
  /** Options schema; parsing `{}` must give the defaults. */
  options: z.ZodType<O>;
  /** Every code the rule can report, with what it means; feeds docs/rules.md. */
  codes: Readonly<Record<string, Message>>;
  check(ctx: RuleContext, options: O): RuleIssue[];
}

/** Declares a rule with its option type inferred. */
export function defineRule<S extends z.ZodType>(
  rule: Omit<Rule<z.output<S>>, 'options'> & { options: S },
): Rule<z.output<S>> {
  return rule as Rule<z.output<S>>;
}
