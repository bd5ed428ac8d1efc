/** A JSON value an example may set a field to (`null` removes the field). */
export type ExampleValue = string | number | boolean | null | readonly ExampleValue[] | { [k: string]: ExampleValue };

/**
 * One documented example of a rule: a bundled example declaration (`examples/<base>.json`) with
 * some fields set, checked by the rule alone. The rule's tests run every example, and
 * docs/rules.md shows them with the issues they give.
 */
export interface RuleExample {
  /** What the example shows. */
  name: string;
  /** The bundled declaration it starts from; default `hangzhou-1210`. */
  base?: 'hangzhou-1210' | 'guangzhou-9610';
  /** Fields to set, by issue path (`inventory.items[1].gnum`); `null` removes the field. */
  set?: Readonly<Record<string, ExampleValue>>;
  /** The date whose policy applies (`YYYY-MM-DD`). */
  at?: string;
  /** The customs district whose ruleset applies. */
  district?: string;
  /** The rule's options (default: the ruleset's). */
  options?: Readonly<Record<string, unknown>>;
  /** The quota the buyer used earlier in the year, CNY (a quota snapshot for `limits/annual`). */
  quotaUsed?: string;
  /** Goods records, as in a goods-records file. */
  goodsRecords?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A failing example names the finding it shows. */
export interface InvalidRuleExample extends RuleExample {
  code: string;
  path: string;
}

/** A rule's documented examples: at least one passing and one failing declaration. */
export interface RuleExamples {
  valid: readonly RuleExample[];
  invalid: readonly InvalidRuleExample[];
}
