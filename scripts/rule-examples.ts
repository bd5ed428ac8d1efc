/*
 * Running a rule's documented examples (src/rules/examples.ts declares them): for the rule tests and for the
 * catalogue `npm run gen` writes. Not part of the library.
 */
import type { Issue } from '../src/model/issue.js';
import type { RateTable } from '../src/tax/rates.js';
import type { ExampleValue, RuleExample } from '../src/rules/examples.js';
import { loadGoodsRecords } from '../src/rules/goods-records.js';
import type { Rule } from '../src/rules/types.js';
import { traceRule, type ValidateOptions } from '../src/rules/validate.js';

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
  return traceRule(rule, input, options, ruleOptions).map((t) => t.issue);
}
