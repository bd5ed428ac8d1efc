import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonPath } from '../src/index.js';
import { formatIssuesText } from '../src/cli/format.js';
import type { Issue } from '../src/model/issue.js';
import {
  jsonErrorOffset,
  jsonMemberTexts,
  lineColumnAt,
  lineColumnsAt,
  locateJsonPaths,
} from '../src/model/json-position.js';

const text = readFileSync(new URL('../examples/hangzhou-1210.json', import.meta.url), 'utf8');
const lines = text.split('\n');

describe('locateJsonPath', () => {
  it('finds the line of a field, a line item and a nested field', () => {
    const at = (p: string) => locateJsonPath(text, p)!.line;
    expect(lines[at('payment.amountPaid') - 1]).toContain('"amountPaid": "597.87"');
    expect(lines[at('order.items[1].qty') - 1]).toContain('SKU-CREAM-50');
    expect(lines[at('inventory.items[0].gname') - 1]).toContain('SKU-MILK-800');
    expect(lines[at('inventory.customsCode') - 1]).toContain('"customsCode": "2924"');
  });

  it('points at the enclosing object for a missing field, and handles one-line JSON', () => {
    expect(lines[locateJsonPath(text, 'payment.nothere')!.line - 1]).toContain('"payment"');
    const one = JSON.stringify({ a: { b: [1, { c: 'x"y' }] } });
    expect(locateJsonPath(one, 'a.b[1].c')).toEqual({ line: 1, column: one.indexOf('"c"') + 1 });
    expect(locateJsonPath('{', 'a')).toEqual({ line: 1, column: 1 });
  });
});

/** Every path of a JSON value with the text that starts its member (a key's `"k"`, or an element), found apart from the module. */
function members(v: unknown, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([`${prefix}[${i}]`, x], ...members(x, `${prefix}[${i}]`));
    });
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      // (keys the path syntax cannot spell are left out)
      if (k === '' || /[.[\]]/.test(k)) continue;
      const p = prefix ? `${prefix}.${k}` : k;
      out.push([p, k], ...members(x, p));
    }
  return out;
}

/** The offset of a line and column, by splitting the text on LF. */
const offsetOf = (text: string, at: { line: number; column: number }) =>
  text
    .split('\n')
    .slice(0, at.line - 1)
    .reduce((n, l) => n + l.length + 1, 0) +
  at.column -
  1;

describe('positions in JSON text', () => {
  it('lineColumnAt counts LF only and columns from 1 (hand-made)', () => {
    const text = 'ab\ncd\r\nef';
    expect(lineColumnAt(text, 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt(text, 2)).toEqual({ line: 1, column: 3 }); // the LF itself is on line 1
    expect(lineColumnAt(text, 3)).toEqual({ line: 2, column: 1 });
    expect(lineColumnAt(text, 5)).toEqual({ line: 2, column: 3 }); // the CR stays on its line
    expect(lineColumnAt(text, 7)).toEqual({ line: 3, column: 1 });
    expect(lineColumnAt(text, 9)).toEqual({ line: 3, column: 3 }); // the end of the text
  });

  it('lineColumnAt and the split oracle agree on any offset', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', ' ', '字') }), fc.nat(), (text, n) => {
        const offset = n % (text.length + 1);
        expect(offsetOf(text, lineColumnAt(text, offset))).toBe(offset);
      }),
    );
  });

  it('lineColumnsAt gives each offset, in any order, what lineColumnAt gives it', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', '字') }), fc.array(fc.nat()), (text, ns) => {
        const offsets = ns.map((n) => n % (text.length + 1));
        expect(lineColumnsAt(text, offsets)).toEqual(offsets.map((o) => lineColumnAt(text, o)));
      }),
    );
  });

  it('an input with 16,000 items, each with a warning, is located and printed at once (9 s before)', () => {
    // Each issue was located by reading the text again from its start, and each was copied into a
    // new array of its group when printed: both quadratic in the number of issues.
    const items = Array.from({ length: 16_000 }, (_, i) => ({ gnum: i + 1, itemNo: `SKU-${i}`, qty: 1 }));
    const big = JSON.stringify({ order: { items } }, null, 2);
    const paths = items.map((_, i) => `order.items[${i}].itemNo`);
    let t = performance.now();
    const where = locateJsonPaths(big, paths);
    expect(performance.now() - t).toBeLessThan(2500);
    expect(big.split('\n')[where[15_999]!.line - 1]).toContain('"itemNo": "SKU-15999"');
    const issues: Issue[] = paths.map((path) => ({
      code: 'x',
      severity: 'warning',
      path,
      ruleId: 'r',
      message: { zh: '', en: '' },
    }));
    // Printed three times over (48,000 issues: 20 s with the copies).
    const thrice = [...issues, ...issues, ...issues];
    t = performance.now();
    const printed = formatIssuesText(thrice);
    expect(performance.now() - t).toBeLessThan(2500);
    expect(printed.split('\n')).toHaveLength(1 + 3 * 48_000);
  });

  it('locates every member of any JSON value at its key or element, however it is indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), fc.boolean(), (v, indent, bom) => {
        const text = (bom ? '\ufeff' : '') + JSON.stringify(v, null, indent);
        for (const [path, member] of members(v)) {
          const at = locateJsonPath(text, path);
          expect(at, path).toBeDefined();
          const rest = text.slice(offsetOf(text, at!));
          // (an element's own text is indented as the whole is: an object or array is found by its bracket)
          const head = JSON.stringify(member);
          if (/\]$/.test(path))
            expect(rest.startsWith(member !== null && typeof member === 'object' ? head[0]! : head), path).toBe(true);
          else expect(rest.startsWith(`${JSON.stringify(member)}:`), path).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('locates many paths in one walk as it locates each alone (found, missing, repeated, duplicate keys)', () => {
    // Duplicate keys by hand: the first member that matches is the one, for every path through it.
    const dup = '{"a": {"x": 1}, "b": 2, "a": {"x": 3, "y": 4}}';
    expect(locateJsonPaths(dup, ['a.x', 'a.y', 'a.z', 'b', 'a.x'])).toEqual([
      { line: 1, column: 8 }, // the first a's x
      { line: 1, column: 39 }, // y only in the second a
      { line: 1, column: 30 }, // missing in both: the last enclosing object walked (the second a's brace)
      { line: 1, column: 17 },
      { line: 1, column: 8 },
    ]);
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom(0, 2),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.constantFrom('.nothere', '[99]', '.x[0]', ''), { maxLength: 8 }),
        (v, indent, picks, suffixes) => {
          const text = JSON.stringify(v, null, indent);
          const all = members(v).map(([p]) => p);
          const paths = picks.map((n, k) => {
            const base = all.length ? all[n % all.length]! : 'a';
            return base + (suffixes[k] ?? '');
          });
          expect(locateJsonPaths(text, paths)).toEqual(paths.map((p) => locateJsonPath(text, p)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on text that is not JSON it still answers (a position in the text or none), never hangs or throws', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', 'a', '1', ' ', '\n') }),
        fc.array(fc.constantFrom('a', 'a.a', 'a[0]', '[0]', '[1].a'), { maxLength: 4 }),
        (text, paths) => {
          const found = locateJsonPaths(text, paths);
          expect(found).toHaveLength(paths.length);
          for (const at of found) if (at) expect(offsetOf(text, at)).toBeLessThanOrEqual(text.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('jsonErrorOffset reads numbers of any length, and points into the text', () => {
    const long = `[${'9'.repeat(1000)}]`;
    expect(JSON.parse(long)).toHaveLength(1);
    expect(jsonErrorOffset(long)).toBe(-1);
    expect(jsonErrorOffset(`[${'9'.repeat(1000)}x]`)).toBe(1001);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('{"a": "\\q"}')).toBe(8);
    expect(jsonErrorOffset('\ufeff{}')).toBe(0);
    expect(jsonErrorOffset('{} x')).toBe(3);
  });
});

describe('jsonMemberTexts', () => {
  it('gives each member of an object as written, white space around it left out, the last of a repeated key', () => {
    const json = ' {"a" : 100.0 ,"b":{"c":"}\\"],\\"" , "d":[1,{"e":null}]},\n"f":"x\\"y","a":-1e2 } ';
    expect(Object.fromEntries(jsonMemberTexts(json))).toEqual({
      a: '-1e2',
      b: '{"c":"}\\"],\\"" , "d":[1,{"e":null}]}',
      f: '"x\\"y"',
    });
    // Each text is the member's JSON: it reads back as the value JSON.parse gave.
    const parsed = JSON.parse(json);
    for (const [k, v] of jsonMemberTexts(json)) expect(JSON.parse(v)).toEqual(parsed[k]);
  });
});
