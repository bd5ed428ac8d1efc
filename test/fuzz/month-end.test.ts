/*
 * Fuzzing the month-end commands with the finance example's month, one or two of its files edited:
 * a bill or receipt (a field's value replaced, or the text mutated as in the XML fuzzing) or a
 * declaration line (a JSON value replaced). `sandan reconcile` and `sandan status` read such a
 * folder at the end of every month; what must hold for every edit:
 * - the exit code is 0 or 1 (a finding), never 2, which is for usage errors and unreadable paths;
 * - nothing reaches the CLI's "internal error" (an exception that is not a SandanError);
 * - reconcile's JSON report is written and parses, with every amount a decimal string.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { applyMutation, FUZZ_TIMEOUT, fuzzParams, type Mutation, mutation } from './mutations.js';

const MONTH = fileURLToPath(new URL('../../examples/finance/2026-11/', import.meta.url));
const XML_FILES = ['bills', 'receipts'].flatMap((d) => readdirSync(join(MONTH, d)).map((f) => `${d}/${f}`)).sort();
const DECLARATIONS = readFileSync(join(MONTH, 'declarations.ndjson'), 'utf8');

/** Values a sender (or a careless hand) puts into a field. */
const VALUES = [
  '',
  ' ',
  '-1',
  '0',
  '-0.005',
  '1e3',
  'NaN',
  '99999999999999999999.99999',
  '0.001',
  '中文',
  'x'.repeat(300),
];
const JSON_VALUES: unknown[] = [
  null,
  '',
  0,
  -1,
  1e308,
  '1e3',
  '99999999999999999999.99999',
  [],
  {},
  true,
  'x'.repeat(300),
];

type Edit =
  | { file: number; kind: 'value'; leaf: number; value: string }
  | { file: number; kind: 'text'; m: Mutation }
  | { kind: 'declaration'; line: number; field: number; value: unknown };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    file: fc.nat(),
    kind: fc.constant('value' as const),
    leaf: fc.nat(),
    value: fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 10 })),
  }),
  fc.record({ file: fc.nat(), kind: fc.constant('text' as const), m: mutation }),
  fc.record({
    kind: fc.constant('declaration' as const),
    line: fc.nat(),
    field: fc.nat(),
    value: fc.oneof(fc.constantFrom(...JSON_VALUES), fc.string({ maxLength: 10 })),
  }),
);

/** The n-th leaf `<X>value</X>` (any prefix) with its value replaced. */
function withValue(xml: string, n: number, value: string): string {
  const leaves = [...xml.matchAll(/<((?:\w+:)?\w+)>([^<]*)<\/\1>/g)];
  const leaf = leaves[n % leaves.length];
  if (!leaf) return xml;
  const at = leaf.index! + `<${leaf[1]}>`.length;
  return xml.slice(0, at) + value.replace(/&/g, '&amp;').replace(/</g, '&lt;') + xml.slice(at + leaf[2]!.length);
}

/** Every path to a scalar in a JSON value, e.g. ['inventory', 'items', 0, 'qty']. */
function scalarPaths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== 'object') return [at];
  return Object.entries(v).flatMap(([k, x]) => scalarPaths(x, [...at, Array.isArray(v) ? Number(k) : k]));
}

function editDeclarations(text: string, line: number, field: number, value: unknown): string {
  const lines = text.split('\n');
  const full = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() !== '');
  const [chosen, i] = full[line % full.length]!;
  const d = JSON.parse(chosen);
  const paths = scalarPaths(d);
  const path = paths[field % paths.length]!;
  let cur = d;
  for (const k of path.slice(0, -1)) cur = cur[k];
  if (path.length) cur[path[path.length - 1]!] = value;
  lines[i] = JSON.stringify(path.length ? d : value);
  return lines.join('\n');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandan-fuzz-month-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The month copied afresh, with the edits applied. */
function month(edits: readonly Edit[]): string {
  const m = join(dir, 'month');
  rmSync(m, { recursive: true, force: true });
  cpSync(MONTH, m, { recursive: true });
  for (const e of edits) {
    if (e.kind === 'declaration') {
      const p = join(m, 'declarations.ndjson');
      writeFileSync(p, editDeclarations(readFileSync(p, 'utf8'), e.line, e.field, e.value));
      continue;
    }
    const p = join(m, XML_FILES[e.file % XML_FILES.length]!);
    const xml = readFileSync(p, 'utf8');
    writeFileSync(p, e.kind === 'value' ? withValue(xml, e.leaf, e.value) : applyMutation(xml, e.m));
  }
  return m;
}

function expectNoInternalError(r: { code: number; stderr: string }, what: string): void {
  expect(r.stderr, what).not.toContain('internal error');
  expect(r.stderr, what).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
  expect([0, 1], `${what}: exit ${r.code}\n${r.stderr}`).toContain(r.code);
}

describe('fuzzing the month-end commands with an edited month', () => {
  it('the unedited month reconciles and reports status (exit 0 or 1, every file read)', async () => {
    const m = month([]);
    expect(DECLARATIONS.split('\n').filter(Boolean).length).toBeGreaterThan(1);
    const r = await runCli(reconcileArgs(m));
    expectNoInternalError(r, 'reconcile');
    expect(JSON.parse(r.stdout).orders.length).toBeGreaterThan(0);
    // (as of the month's close: its last receipt, a refund approved on 2026-12-10, is in the future before that day)
    const s = await runCli([
      'status',
      join(m, 'receipts'),
      join(m, 'declarations.ndjson'),
      '--format',
      'json',
      '--now',
      '2026-12-31',
    ]);
    expectNoInternalError(s, 'status');
    expect(s.stderr).toBe('');
  });

  it(
    'reconcile and status answer 0 or 1 for any edit, never an internal error',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 2 }), async (edits) => {
          const m = month(edits);
          const r = await runCli(reconcileArgs(m));
          expectNoInternalError(r, 'reconcile');
          const report = JSON.parse(r.stdout);
          JSON.stringify(report, (k, v) => {
            if (typeof v === 'number' && /amount|tax|paid|value|total/i.test(k))
              throw new Error(`${k} is a JSON number (${v}), not a decimal string`);
            return v;
          });
          const s = await runCli(['status', join(m, 'receipts'), join(m, 'declarations.ndjson')]);
          expectNoInternalError(s, 'status');
        }),
        fuzzParams(Math.max(10, Math.round(Number(process.env.SANDAN_FUZZ_RUNS ?? 60) / 3))),
      );
    },
    FUZZ_TIMEOUT * 3,
  );
});

function reconcileArgs(m: string): string[] {
  return [
    'reconcile',
    '--declarations',
    join(m, 'declarations.ndjson'),
    '--tax-bills',
    join(m, 'bills'),
    '--receipts',
    join(m, 'receipts'),
    '--rates',
    join(m, 'rates.json'),
    '--format',
    'json',
    '--workers',
    '0',
    '--quiet',
  ];
}
