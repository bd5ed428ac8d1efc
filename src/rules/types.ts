import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Declaration, DeclarationWire } from '../model/documents.js';
import type { Issue, Message, Severity } from '../model/issue.js';
import type { CodeTables } from './codes.js';
import type { DistrictSection } from './district.js';
import type { RuleExamples } from './examples.js';
import type { Policy } from './policy.js';
import { catalogueHelp } from '../xml/receipts.js';
import type { RuleServices } from './services.js';
import { checkArgument } from '../model/guards.js';

/** The documents of a declaration. */
export type DocumentName = 'order' | 'payment' | 'logistics' | 'inventory';
/** The documents that have lines. */
export type LinedDocumentName = 'order' | 'inventory';

/** The head fields of a document as the wire schema names them (`items` are read with {@link RuleContext.lines}). */
export type HeadOf<N extends DocumentName> = Omit<NonNullable<DeclarationWire[N]>, 'items'>;
/** The fields of one line of `order` or `inventory`, as the wire schema names them. */
export type LineOf<N extends LinedDocumentName> = NonNullable<DeclarationWire[N]>['items'][number];

/**
 * A tolerant view of a JSON object with the keys of `T`: every value is `unknown` until read
 * through {@link RuleContext.str} or {@link RuleContext.dec}, since the input may be broken
 * anywhere; the keys are typed, so a misspelt field name does not compile.
 */
export type View<T> = { readonly [K in keyof T]?: unknown };
/** The tolerant view of a document's head. */
export type DocView<N extends DocumentName> = View<HeadOf<N>>;
/** The tolerant view of one line of a document. */
export type LineView<N extends LinedDocumentName> = View<LineOf<N>>;

/** A value a message template may show: text, a number, or a text per language (e.g. a district's name). */
export type MessageValue = string | number | Message;
/** The values of a report's placeholders, by name. */
export type MessageData = Readonly<Record<string, MessageValue>>;

/**
 * The text of one message, per language, with `{name}` placeholders filled from the report's
 * `data`. `code` is the issue code the message reports; it defaults to the message id, so
 * several messages (variants of one finding) can share a code.
 */
export interface MessageTemplate {
  readonly code?: string;
  readonly zh: string;
  readonly en: string;
}

/** What a rule reports: which message, where, with what values; the engine renders the texts and adds severity and ruleId. */
export interface Report {
  messageId: string;
  /** `order.items[1].qty`; `""` for the whole declaration. */
  path: string;
  data?: MessageData;
  expected?: string;
  actual?: string;
  /** A rule may lower one finding to a warning (e.g. an incomplete code table). */
  severity?: Severity;
}

/** The placeholder names of a template string: `'{a} and {b}'` → `'a' | 'b'`. */
export type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer R}` ? P | Placeholders<R> : never;

/** The report of one message of `M`: its `data` must fill exactly the template's placeholders. */
export type ReportOf<M extends Readonly<Record<string, MessageTemplate>>> = {
  [K in keyof M & string]: Omit<Report, 'messageId' | 'data'> & { messageId: K } & ([
      Placeholders<M[K]['zh']> | Placeholders<M[K]['en']>,
    ] extends [never]
      ? { data?: undefined }
      : { data: Readonly<Record<Placeholders<M[K]['zh']> | Placeholders<M[K]['en']>, MessageValue>> });
}[keyof M & string];

/**
 * What a rule sees. Rules read the input through tolerant accessors so that a declaration with
 * broken fields is still checked everywhere else: a field that is missing or malformed reads
 * as undefined and is left to `fields/schema`. The services a rule may use (rates, positive
 * lists, goods records, quota snapshots) are typed fields.
 */
export interface RuleContext extends RuleServices {
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
  doc<N extends DocumentName>(name: N): DocView<N> | undefined;
  /** The line objects of `order` or `inventory`, with their index in the input. */
  lines<N extends LinedDocumentName>(name: N): Array<{ index: number; line: LineView<N> }>;
  /** A text field (a finite number reads as its text); undefined when missing or of another type. */
  str<T extends object>(rec: T | undefined, key: keyof T & string): string | undefined;
  /** An amount field as a Decimal; undefined when missing or not a number. */
  dec<T extends object>(rec: T | undefined, key: keyof T & string): Decimal | undefined;
  /** Field-level issues found while parsing the input into the model. */
  readonly parseIssues: readonly Issue[];
  /**
   * The value of `compute` for this declaration, computed at most once per validation: what
   * several rules read (the tax computation, the regime decision) is worked out by the first.
   * `key` names the value; use one module-level object per kind of value.
   */
  once<T>(key: object, compute: () => T): T;
}

/** How a code is explained: in the rule's own words, or by the receipt catalogue (for a code that mirrors customs). */
export type CodeMeaning = Message | typeof FROM_RECEIPTS;
/**
 * Marks a code that mirrors a customs or E-Port code: its meaning, cause and fix are the receipt
 * catalogue's (rulesets/receipts.json), the same words `sandan parse` shows for the receipt.
 */
export const FROM_RECEIPTS = 'receipt-catalogue';

/** A rule: small, identified, sourced; its logic is code, its severity and options are data. */
export interface Rule<O = unknown> {
  /** Stable id, `family/name`; the rule lives in `src/rules/<family>/<name>.ts`. */
  id: string;
  description: Message;
  /** Policy document or spec section the rule enforces. */
  source: string;
  defaultSeverity: Severity;
  /** Options schema; parsing `{}` must give the defaults. */
  options: z.ZodType<O>;
  /** Every code the rule can report, with what it means (feeds docs/rules.md). */
  codes: Readonly<Record<string, Message>>;
  /** The codes whose meaning is the receipt catalogue's ({@link FROM_RECEIPTS}). */
  receiptCodes: readonly string[];
  /** The texts of every message the rule reports, by message id. */
  messages: Readonly<Record<string, MessageTemplate>>;
  /** A passing and a failing declaration for the docs, run by the rule's tests. */
  examples: RuleExamples;
  check(ctx: RuleContext, options: O): Report[];
  /** Contradictions between options one ruleset writes for the rule, refused when it loads ({@link OptionProblem}). */
  checkOptions?(options: Partial<O>): OptionProblem[];
  /** What a setting's options leave of the options in force before it, before they merge ({@link RuleDefinition.supersede}). */
  supersede?(before: Partial<O>, written: Partial<O>): Partial<O>;
}

/**
 * What {@link Rule.checkOptions} finds wrong in the options one ruleset writes: `path` inside the options (e.g.
 * `["doubtful", 1]`) and what is wrong. The loader names the file and the setting.
 */
export interface OptionProblem {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** The options of a rule that takes none: an empty object, and nothing else. */
type NoOptions = z.ZodObject<Record<never, never>, z.core.$strict>;

/** What {@link defineRule} takes: the rule with typed messages, reports and options. */
export interface RuleDefinition<S extends z.ZodType, M extends Readonly<Record<string, MessageTemplate>>> {
  id: string;
  description: Message;
  source: string;
  defaultSeverity: Severity;
  /** Options schema; parsing `{}` must give the defaults. Default: no options (`z.strictObject({})`). */
  options?: S;
  codes: Readonly<Record<string, CodeMeaning>>;
  messages: M;
  examples: RuleExamples;
  check(ctx: RuleContext, options: z.output<S>): Array<ReportOf<M>>;
  /**
   * Contradictions between options that the options schema cannot see, because it also parses the options merged
   * along the chain, where a child may override its parent: this sees only what one ruleset writes (every key may be
   * missing), on each day, and what it returns refuses the ruleset at load with RULESET_BAD_OPTIONS.
   */
  checkOptions?(options: Partial<z.output<S>>): OptionProblem[];
  /**
   * What a setting's options (`written`) leave of the options in force before it (`before`: a parent's, an earlier
   * setting's, the rule's defaults) where one option's word takes back another's: the two are then merged key by key
   * as usual. Without it, a key the setting does not write is inherited whole, even where it contradicts what the
   * setting writes (a parent's `allowed` listing the mode a child puts in `doubtful`).
   */
  supersede?(before: Partial<z.output<S>>, written: Partial<z.output<S>>): Partial<z.output<S>>;
}

/**
 * Declares a rule with its option type inferred and its reports checked against its messages:
 * a report names one of the rule's message ids and fills exactly that message's placeholders.
 * Codes marked {@link FROM_RECEIPTS} read their meaning from the receipt catalogue when asked.
 */
export function defineRule<
  S extends z.ZodType = NoOptions,
  const M extends Readonly<Record<string, MessageTemplate>> = Readonly<Record<string, MessageTemplate>>,
>(rule: RuleDefinition<S, M>): Rule<z.output<S>> {
  checkArgument(rule, 'object', 'defineRule', 'the rule');
  checkArgument(rule.codes, 'object', 'defineRule', 'rule.codes');
  const codes: Record<string, Message> = {};
  const receiptCodes: string[] = [];
  for (const [code, meaning] of Object.entries(rule.codes)) {
    if (meaning !== FROM_RECEIPTS) {
      codes[code] = meaning;
      continue;
    }
    receiptCodes.push(code);
    // Read lazily: the catalogue is checked against its schema at first use, not at import.
    Object.defineProperty(codes, code, {
      enumerable: true,
      get: () => {
        const help = catalogueHelp(code);
        return help?.code === code ? help.receipt : { zh: code, en: code };
      },
    });
  }
  return { ...rule, options: rule.options ?? z.strictObject({}), codes, receiptCodes } as unknown as Rule<z.output<S>>;
}
