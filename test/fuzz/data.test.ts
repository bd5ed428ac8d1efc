/*
 * Fuzzing the data files users hand to sandan (`--rates`, `--ruleset`, `--positive-list`,
 * `--goods-records`): the bundled ones and the example ruleset, with one to three values replaced
 * or keys removed anywhere in them. What must hold:
 * - the loader returns, or throws a SandanError (which the CLI reports with exit 2);
 * - what loads, validate uses on the example declarations without throwing anything but a SandanError
 *   (a ruleset whose `extends` names no ruleset is found only when it is resolved).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { loadGoodsRecords } from '../../src/rules/goods-records.js';
import { loadPositiveList } from '../../src/rules/positive-list.js';
import { RULES } from '../../src/rules/registry.js';
import { loadRuleset } from '../../src/rules/ruleset.js';
import { type ValidateOptions, validate } from '../../src/rules/validate.js';
import { parseRateTable } from '../../src/tax/rates.js';
import { example } from '../helpers/examples.js';
import { FUZZ_TIMEOUT, fuzzParams, hostileValue } from './mutations.js';

const json = (path: string) =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8'));

const GOODS_RECORDS = {
  'SKU-MILK-800': { gcode: '1901101000', gname: '婴儿配方奶粉 800g', unit1: '035', country: '601' },
  'SKU-CREAM-50': { gcode: '3304990039', gname: '保湿面霜 50ml', unit1: '035' },
};

/** Each data file, its loader, and how validate takes what it loads. */
const FILES: Record<string, { data: () => unknown; use: (data: unknown) => ValidateOptions }> = {
  rates: { data: () => json('rulesets/rates/cbec-rates.json'), use: (d) => ({ rates: parseRateTable(d, 'rates') }) },
  'district ruleset': {
    data: () => json('rulesets/districts/2900.json'),
    use: (d) => ({ ruleset: loadRuleset(d, RULES, 'ruleset') }),
  },
  'example ruleset': {
    data: () => json('examples/rulesets/acme-bonded.json'),
    use: (d) => ({ ruleset: loadRuleset(d, RULES, 'ruleset') }),
  },
  'positive list': {
    data: () => json('rulesets/positive-list/2022.json'),
    use: (d) => ({ positiveLists: [loadPositiveList(d, 'positive list')] }),
  },
  'goods records': {
    data: () => structuredClone(GOODS_RECORDS),
    use: (d) => ({ goodsRecords: loadGoodsRecords(d, 'goods records') }),
  },
};

/**
 * Every path in a JSON value, the root included: at most 5,000, and none deeper than 40 (an earlier
 * edit may have put a value nested thousands deep in the file, and an edit inside it adds nothing).
 */
function allPaths(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(at);
  if (out.length > 5000 || at.length >= 40 || v === null || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) allPaths(x, [...at, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

type Edit = { pick: number; remove: boolean; value: unknown };

function edited(data: unknown, edits: readonly Edit[]): unknown {
  let d = data;
  for (const { pick, remove, value } of edits) {
    const paths = allPaths(d);
    const path = paths[pick % paths.length]!;
    if (path.length === 0) {
      d = value;
      continue;
    }
    let parent: any = d;
    for (const k of path.slice(0, -1)) parent = parent[k];
    const key = path[path.length - 1]!;
    if (remove && !Array.isArray(parent)) delete parent[key];
    else parent[key] = value;
  }
  return d;
}

describe('fuzzing the data files', () => {
  for (const [name, file] of Object.entries(FILES)) {
    it(
      `${name}: loads or throws a SandanError; what loads, validate uses without an internal error`,
      () => {
        // The unedited file loads and is used: the edits start from something that works.
        expect(validate(example('hangzhou-1210'), file.use(file.data())).ruleset.chain.length).toBeGreaterThan(0);
        fc.assert(
          fc.property(
            fc.array(fc.record({ pick: fc.nat(), remove: fc.boolean(), value: hostileValue }), {
              minLength: 1,
              maxLength: 3,
            }),
            fc.constantFrom('hangzhou-1210', 'guangzhou-9610') as fc.Arbitrary<'hangzhou-1210' | 'guangzhou-9610'>,
            (edits, decl) => {
              let options: ValidateOptions;
              try {
                options = file.use(edited(file.data(), edits));
              } catch (e) {
                expect(isSandanError(e), String(e)).toBe(true);
                return;
              }
              let r: ReturnType<typeof validate>;
              try {
                r = validate(example(decl), options);
              } catch (e) {
                // (a ruleset can only be resolved against the registry: `extends` naming none is found here)
                expect(isSandanError(e), String(e)).toBe(true);
                return;
              }
              expect(r.valid).toBe(!r.issues.some((i) => i.severity === 'error'));
              // (a rule's exception is caught as rule-failed: an internal error all the same)
              expect(r.issues.filter((i) => i.code === 'rule-failed')).toEqual([]);
            },
          ),
          fuzzParams(),
        );
      },
      FUZZ_TIMEOUT,
    );
  }
});
