import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Public entry points: every export reachable from them needs a doc comment. */
const ENTRIES = [
  'src/index.ts',
  'src/model/index.ts',
  'src/rules/index.ts',
  'src/tax/index.ts',
  'src/xml/index.ts',
  'src/sign/index.ts',
  'src/quota/index.ts',
  'src/quota/sqlite.ts',
  'src/quota/postgres.ts',
  'src/emulator/index.ts',
];

function undocumentedExports(entry: string): string[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    resolveJsonModule: true,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`cannot load ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return [];
  const missing: string[] = [];
  for (const exp of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const decls = symbol.declarations ?? [];
    // Only our own code: re-exported third-party types are documented upstream.
    if (!decls.some((d) => !d.getSourceFile().fileName.includes('node_modules'))) continue;
    const documented =
      symbol.getDocumentationComment(checker).length > 0 || decls.some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
    if (!documented) {
      const d = decls[0]!;
      const { line } = d.getSourceFile().getLineAndCharacterOfPosition(d.getStart());
      missing.push(`${exp.getName()} (${d.getSourceFile().fileName.replace(/^.*\/src\//, 'src/')}:${line + 1})`);
    }
  }
  return missing;
}

describe('API reference', () => {
  it.each(ENTRIES)(
    'every public export of %s has a TSDoc comment',
    (entry) => {
      expect(undocumentedExports(entry)).toEqual([]);
    },
    60_000,
  );
});
