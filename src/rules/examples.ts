import type { Issue } from '../model/issue.js';
import type { RateTable } from '../tax/rates.js';
import { loadGoodsRecords } from './goods-records.js';
import type { Rule } from './types.js';
import { checkRule, type ValidateOptions } from './validate.js';

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

/** A path of issue syntax as keys: `inventory.items[1].gnum` → `['inventory', 'items', 1, 'gnum']`. */
function pathKeys(path: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`not a field path: ${path}`);
    keys.push(m[1] as string);
    for (const i of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) keys.push(Number(i[1]));
  }
  return keys;
}

/** Sets (or, for `null`, removes) the fields of `set` in a JSON document, in place. */
export function applySet(doc: unknown, set: Readonly<Record<string, ExampleValue>>): void {
  for (const [path, value] of Object.entries(set)) {
    const keys = pathKeys(path);
    let node = doc as Record<string | number, unknown>;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object') throw new Error(`${path}: ${String(key)} is not an object`);
      node = next as Record<string | number, unknown>;
    }
    const last = keys[keys.length - 1] as string | number;
    if (value === null) delete node[last];
    else node[last] = structuredClone(value);
  }
}

/** What running an example needs from outside the core: the bundled declarations and a rate table. */
export interface ExampleFixtures {
  declaration(base: NonNullable<RuleExample['base']>): unknown;
  rates: RateTable;
}

/** The declaration, validation options and rule options an example stands for. */
function exampleRun(
  example: RuleExample,
  fixtures: ExampleFixtures,
): { input: unknown; options: ValidateOptions; ruleOptions: Readonly<Record<string, unknown>> | undefined } {
  const input = structuredClone(fixtures.declaration(example.base ?? 'hangzhou-1210'));
  if (example.set) applySet(input, example.set);
  const used = example.quotaUsed;
  const options: ValidateOptions = {
    rates: fixtures.rates,
    ...(example.at !== undefined && { at: example.at }),
    ...(example.district !== undefined && { district: example.district }),
    ...(used !== undefined && { quota: { used: () => used } }),
    ...(example.goodsRecords !== undefined && { goodsRecords: loadGoodsRecords(example.goodsRecords, example.name) }),
  };
  return { input, options, ruleOptions: example.options };
}

/** The issues `rule` alone reports on an example. */
export function runExample(rule: Rule, example: RuleExample, fixtures: ExampleFixtures): Issue[] {
  const { input, options, ruleOptions } = exampleRun(example, fixtures);
  return checkRule(rule, input, options, ruleOptions);
}
