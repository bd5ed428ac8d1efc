/*
 * Fuzzing the JSON side: validate on arbitrary JSON and on mutated example declarations (every
 * district), and the NDJSON reader on arbitrary bytes. Bad data is a result, never an exception:
 * validate returns issues (each with code, severity, path and both languages) and the reader
 * yields one record or one issue per non-blank line.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../src/cli/input.js';
import { isSandanError } from '../../src/errors.js';
import { validate } from '../../src/rules/validate.js';
import { parseRateTable } from '../../src/tax/rates.js';
import { buildMessage, parseCebXml } from '../../src/xml/index.js';
import { example, exampleRates } from '../helpers/examples.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT, fuzzParams, hostileValue, plainTwin, PROTOTYPE_NAMES } from './mutations.js';

const DISTRICTS = [undefined, '0200', '2200', '2300', '2900', '2924', '3100', '3500', '3700', '5100', '6400'];
// Parsed, as validate takes them (the raw JSON made every tax rule fail, so the fuzz never reached the tax).
const rates = parseRateTable(exampleRates());
const BUILD_ENV = {
  sender: { copCode: '3301980BRK', copName: '示例报关有限公司', dxpMode: 'DXP', dxpId: 'DXPENT0000012345' },
  now: () => new Date('2026-11-20T02:20:00Z'),
  newId: () => '00000000-0000-4000-8000-000000000001',
};

const TYPES = { order: 'CEB311', payment: 'CEB411', logistics: 'CEB511', inventory: 'CEB621' } as const;

function expectIssuesWellFormed(r: ReturnType<typeof validate>): void {
  expect(typeof r.valid).toBe('boolean');
  for (const i of r.issues) {
    expect(i.code).toMatch(/^-?[a-z0-9][a-z0-9/.-]*$/);
    expect(['error', 'warning', 'info']).toContain(i.severity);
    expect(typeof i.path).toBe('string');
    expect(i.message.zh.length * i.message.en.length).toBeGreaterThan(0);
  }
  expect(r.valid).toBe(!r.issues.some((i) => i.severity === 'error'));
  // A bundled rule that throws is reported as rule-failed, which hid a TypeError (a trade mode named toString).
  expect(r.issues.filter((i) => i.code === 'rule-failed')).toEqual([]);
}

/** Paths into a declaration: documents, their fields, their lines' fields. */
function paths(d: Record<string, any>): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [[]];
  for (const [doc, v] of Object.entries(d)) {
    out.push([doc]);
    if (v === null || typeof v !== 'object') continue;
    for (const [k, f] of Object.entries(v)) {
      out.push([doc, k]);
      if (Array.isArray(f))
        for (const [i, line] of f.entries()) if (line && typeof line === 'object') out.push([doc, k, i]);
    }
  }
  return out;
}

function setAt(d: Record<string, any>, path: Array<string | number>, value: unknown): unknown {
  if (path.length === 0) return value;
  let cur: any = d;
  for (const k of path.slice(0, -1)) cur = cur[k];
  cur[path[path.length - 1]!] = value;
  return d;
}

describe('fuzzing validate', () => {
  it(
    'returns issues for arbitrary JSON, in every district',
    () => {
      fc.assert(
        fc.property(hostileValue, fc.constantFrom(...DISTRICTS), (v, district) => {
          expectIssuesWellFormed(validate(v, district ? { district, rates } : { rates }));
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'returns issues for mutated example declarations, in every district',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom('hangzhou-1210', 'guangzhou-9610') as fc.Arbitrary<'hangzhou-1210' | 'guangzhou-9610'>,
          fc.array(fc.tuple(fc.nat(), hostileValue), { minLength: 1, maxLength: 4 }),
          fc.constantFrom(...DISTRICTS),
          (name, edits, district) => {
            let d: any = example(name);
            for (const [pick, value] of edits) {
              if (d === null || typeof d !== 'object') break;
              const ps = paths(d);
              d = setAt(d, ps[pick % ps.length]!, value);
            }
            expectIssuesWellFormed(validate(d, district ? { district, rates } : { rates }));
          },
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});

type Paths = Record<'leaves' | 'codes' | 'objects', Array<Array<string | number>>>;

/**
 * Paths to every leaf (text, number, null) of a declaration, to the codes among them (a few digits or capitals:
 * what a code table is asked about), and to every object in it.
 */
function leavesAndObjects(
  v: unknown,
  at: Array<string | number> = [],
  out: Paths = { leaves: [], codes: [], objects: [] },
) {
  if (v === null || typeof v !== 'object') {
    out.leaves.push(at);
    if (typeof v === 'string' && /^[0-9A-Z]{1,4}$/.test(v)) out.codes.push(at);
  } else {
    if (!Array.isArray(v)) out.objects.push(at);
    for (const [k, x] of Object.entries(v)) leavesAndObjects(x, [...at, Array.isArray(v) ? Number(k) : k], out);
  }
  return out;
}

/** The issues (code and path) and the verdict of validate, and what buildMessage says of each document. */
function verdicts(d: Record<string, any>, district: string | undefined): string {
  const r = validate(d, district ? { district, rates } : { rates });
  expectIssuesWellFormed(r);
  const built = (Object.keys(TYPES) as Array<keyof typeof TYPES>).map((doc) => {
    const b = buildMessage(TYPES[doc], d[doc], BUILD_ENV);
    return b.ok ? b.xml : b.issues.map((i) => `${i.code}@${i.path}`).sort();
  });
  return JSON.stringify([r.valid, r.issues.map((i) => `${i.code}@${i.path}`).sort(), built]);
}

// A code looked up in a table as `table[code]` finds Object.prototype's functions for constructor or toString (a
// trade mode toString made a rule fail); a key checked as `doc[key]` finds them on every document. Whatever the
// name, it must fare as a plain name of the same length no object answers to: the same issues at the same paths.
describe('names every object answers to', () => {
  it(
    'as a value anywhere in a declaration, or as a key of any of its objects, fare as a plain name of their length',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom('hangzhou-1210', 'guangzhou-9610') as fc.Arbitrary<'hangzhou-1210' | 'guangzhou-9610'>,
          fc.constantFrom(...PROTOTYPE_NAMES),
          fc.constantFrom<keyof Paths>('leaves', 'codes', 'objects'),
          fc.nat(),
          fc.constantFrom(...DISTRICTS),
          fc.constantFrom<unknown>('x', 1, null, [], {}, ['a']),
          (name, odd, where, pick, district, value) => {
            const paths = leavesAndObjects(example(name))[where];
            const asKey = where === 'objects';
            const path = paths[pick % paths.length]!;
            const edited = (word: string) => {
              const d = example(name);
              let cur: any = d;
              for (const k of asKey ? path : path.slice(0, -1)) cur = cur[k];
              // (an own property, as JSON.parse makes one of a "__proto__" key)
              if (asKey)
                Object.defineProperty(cur, word, { value, enumerable: true, writable: true, configurable: true });
              else cur[path.at(-1)!] = word;
              return d;
            };
            const twin = plainTwin(odd);
            expect(verdicts(edited(odd), district), `${asKey ? 'key' : 'value'} ${odd} at ${path.join('.')}`).toBe(
              verdicts(edited(twin), district).replaceAll(twin, odd),
            );
          },
        ),
        // (a run costs a few ms: five times the others' runs reach more of the hundred-odd codes)
        fuzzParams(FUZZ_RUNS * 5),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('fuzzing buildMessage', () => {
  it(
    'returns issues (or throws a SandanError for misuse) for mutated example documents; what it builds reads back without an error',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom('hangzhou-1210', 'guangzhou-9610') as fc.Arbitrary<'hangzhou-1210' | 'guangzhou-9610'>,
          fc.constantFrom(...(Object.keys(TYPES) as Array<keyof typeof TYPES>)),
          fc.array(fc.tuple(fc.nat(), hostileValue), { minLength: 1, maxLength: 3 }),
          (name, doc, edits) => {
            let d: any = example(name);
            for (const [pick, value] of edits) {
              if (d === null || typeof d !== 'object') break;
              const ps = paths(d).filter((p) => p[0] === doc);
              d = setAt(d, ps[pick % ps.length]!, value);
            }
            let r: ReturnType<typeof buildMessage>;
            try {
              r = buildMessage(TYPES[doc], d?.[doc] as never, BUILD_ENV);
            } catch (e) {
              // Misuse (no documents at all, e.g. `[]`) is a SandanError; nothing else may escape.
              expect(isSandanError(e), String(e)).toBe(true);
              return;
            }
            if (!r.ok) {
              expect(r.issues.length).toBeGreaterThan(0);
              for (const i of r.issues) expect(i.message.zh.length * i.message.en.length).toBeGreaterThan(0);
              return;
            }
            const back = parseCebXml(r.xml);
            expect(back.kind).toBe('ceb');
            if (back.kind === 'ceb') expect(back.issues.filter((i) => i.severity === 'error')).toEqual([]);
          },
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('fuzzing the NDJSON reader', () => {
  const line = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '',
      ' ',
      '\r',
      '{',
      '}',
      '{"a":',
      '\ufeff{}',
      '[]',
      'null',
      '"\\ud800"',
      '1e999',
      '{"__proto__":1}',
    ),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  const bytes = fc.oneof(
    fc.array(line, { maxLength: 12 }).map((ls) => Buffer.from(ls.join('\n'))),
    fc.array(line, { maxLength: 12 }).map((ls) => Buffer.from(ls.join('\r\n'))),
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc
      .tuple(fc.array(line, { minLength: 2, maxLength: 8 }), fc.uint8Array({ minLength: 1, maxLength: 6 }))
      .map(([ls, junk]) => Buffer.concat([Buffer.from(ls.join('\n')), Buffer.from(junk)])),
  );

  it(
    'yields a value or an issue per record, in order, whatever the bytes and chunk sizes',
    async () => {
      await fc.assert(
        fc.asyncProperty(bytes, fc.integer({ min: 1, max: 64 }), fc.boolean(), async (input, chunk, ndjson) => {
          const chunks: Buffer[] = [];
          for (let i = 0; i < input.length; i += chunk) chunks.push(input.subarray(i, i + chunk));
          const records = [];
          for await (const r of readRecords(Readable.from(chunks), { ndjson })) records.push(r);
          let last = 0;
          for (const r of records) {
            if (r.issue) expect(r.issue.message.en.length * r.issue.message.zh.length).toBeGreaterThan(0);
            else expect(r.value).not.toBeUndefined();
            expect(r.line).toBeGreaterThan(ndjson || r.mode === 'ndjson' ? last : 0);
            last = r.line;
          }
          // In NDJSON mode every line that is not blank (JSON whitespace, VT, FF, NBSP) is one record; with none, the
          // one record is input-empty (an empty input is not a pass).
          if (ndjson) {
            const nonBlank = input
              .toString('latin1')
              .split('\n')
              .filter((l) => l.trim() !== '').length;
            if (nonBlank === 0) expect(records.map((r) => r.issue?.code)).toEqual(['input-empty']);
            else expect(records).toHaveLength(nonBlank);
          }
        }),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT,
  );
});
