/**
 * The API report: every export of every entry point of the built package, with its kind, read
 * from the declaration files package.json's "exports" points at. A change to the public API
 * shows up as a diff of test/golden/api-report.txt; after review, rewrite it with
 * `UPDATE_GOLDEN=1 npx vitest run test/packaging/api-report.test.ts`.
 * Also holds the ESM (.d.ts) and CommonJS (.d.cts) declarations to the same list, and the
 * runtime modules (.js, .cjs) to the declared values. Needs a fresh dist/ (vitest's global setup builds it).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const golden = join(root, 'test', 'golden', 'api-report.txt');

interface Target {
  types: string;
  default: string;
}
type Entry = { import: Target; require: Target };
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Entry | string>;
};
const ENTRIES = Object.entries(manifest.exports).filter((e): e is [string, Entry] => typeof e[1] !== 'string');

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  const kinds: string[] = [];
  if (f & ts.SymbolFlags.Class) kinds.push('class');
  if (f & ts.SymbolFlags.Function) kinds.push('function');
  if (f & ts.SymbolFlags.Variable) kinds.push('const');
  if (f & ts.SymbolFlags.Enum) kinds.push('enum');
  if (f & ts.SymbolFlags.Interface) kinds.push('interface');
  if (f & ts.SymbolFlags.TypeAlias) kinds.push('type');
  if (f & ts.SymbolFlags.Module) kinds.push('namespace');
  return kinds.join('+') || 'other';
}

const VALUE_KINDS = new Set(['class', 'function', 'const', 'enum']);

/** `kind name` lines of a declaration file's exports, sorted by name. */
function exportsOf(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot load ${file}`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) return [];
  const rows = checker.getExportsOfModule(module).map((s) => ({
    name: s.getName(),
    kind: kindOf(s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s),
  }));
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rows.map((r) => `${r.kind} ${r.name}`);
}

function declared(kind: 'import' | 'require'): Map<string, string[]> {
  const files = ENTRIES.map(([, e]) => join(root, e[kind].types));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  return new Map(ENTRIES.map(([name, e]) => [name, exportsOf(program, join(root, e[kind].types))]));
}

function report(lists: Map<string, string[]>): string {
  const lines = [
    '# The public API of sandan: every export of every entry point, read from dist/**/*.d.ts.',
    '# After an intended change: UPDATE_GOLDEN=1 npx vitest run test/packaging/api-report.test.ts',
    '',
  ];
  for (const [name, list] of lists)
    lines.push(`## ${name === '.' ? 'sandan' : `sandan/${name.slice(2)}`} (${list.length})`, ...list, '');
  return lines.join('\n');
}

const valueNames = (list: readonly string[]) =>
  list.flatMap((line) => {
    const [kinds = '', name = ''] = line.split(' ');
    return kinds.split('+').some((k) => VALUE_KINDS.has(k)) ? [name] : [];
  });

describe('API report', () => {
  const esm = declared('import');

  it('matches test/golden/api-report.txt', () => {
    const actual = report(esm);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, actual);
    expect(actual).toBe(readFileSync(golden, 'utf8'));
  }, 60_000);

  it('the CommonJS declarations (.d.cts) export the same as the ESM ones', () => {
    expect(Object.fromEntries(declared('require'))).toEqual(Object.fromEntries(esm));
  }, 60_000);

  it('the runtime modules (.js and .cjs) export exactly the declared values', async () => {
    const require = createRequire(import.meta.url);
    for (const [name, e] of ENTRIES) {
      const want = valueNames(esm.get(name) ?? []).sort();
      const fromImport = (await import(pathToFileURL(join(root, e.import.default)).href)) as Record<string, unknown>;
      const fromRequire = require(join(root, e.require.default)) as Record<string, unknown>;
      expect(Object.keys(fromImport).sort(), `${name} (import)`).toEqual(want);
      expect(Object.keys(fromRequire).sort(), `${name} (require)`).toEqual(want);
    }
  }, 60_000);

  it('declarations need no driver types and import Decimal by name', () => {
    // A default import of decimal.js is the module object under NodeNext (TS2709 in consumers);
    // better-sqlite3 and pg are optional, so are their @types: sandan declares what it needs.
    const files = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.d\.c?ts$/.test(f),
    );
    expect(files.length).toBeGreaterThan(20);
    const bad = files.flatMap((f) =>
      readFileSync(join(root, 'dist', f), 'utf8')
        .split('\n')
        .filter(
          (l) =>
            /^import\s+\w+\s+from\s+'decimal\.js'/.test(l) ||
            /from\s+'(better-sqlite3|pg)'|import\('(better-sqlite3|pg)'\)/.test(l),
        )
        .map((l) => `${f}: ${l}`),
    );
    expect(bad).toEqual([]);
  });

  it('leaves the engine internals out of the root', () => {
    const rootNames = new Set((esm.get('.') ?? []).map((l) => l.split(' ')[1]));
    const internals = [
      'planReserve',
      'planCommit',
      'planRelease',
      'planRefund',
      'decideRow',
      'csvLine',
      'rowBatchOf',
      'joinRequest',
      'prepare',
      'ReconcileRun',
      'emptyTotals',
      'readBatch',
    ];
    expect(internals.filter((n) => rootNames.has(n))).toEqual([]);
    for (const n of [
      'validate',
      'computeTax',
      'QuotaLedger',
      'buildMessage',
      'signMessage',
      'verifyMessage',
      'parseCebXml',
      'reconcile',
      'SandanError',
    ])
      expect(rootNames, n).toContain(n);
  });
});
