/**
 * A throwaway TypeScript project that uses sandan the way a user's project does: its own package.json, its own
 * tsconfig.json, `sandan` in node_modules (the packed tarball unpacked, or a symlink to this checkout as `npm link`
 * makes), sandan's dependencies and @types/node as an install would bring them, and tsc run on it as a separate
 * process. test/packaging/consumers.test.ts (the tarball) and test/docs-snippets.test.ts (the docs' code) use it.
 *
 * Offline: the dependencies are symlinked from this checkout's node_modules; by default not better-sqlite3, pg or
 * their @types (optional drivers sandan's types must not need).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const run = promisify(execFile);
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/**
 * TypeScript 7 (the native compiler), installed beside 5.9 as the dev dependency `typescript-7`: users on either
 * major must get the same types. Its language service API differs, so only its `tsc` is used.
 */
export const TSC_7 = join(ROOT, 'node_modules', 'typescript-7', 'bin', 'tsc');

/**
 * A new user's tsconfig: what `tsc --init` of TypeScript 5.9 writes, less what only matters when emitting
 * (sourceMap, declaration, jsx), plus Node's types.
 */
export const NEW_PROJECT_COMPILER_OPTIONS = {
  module: 'nodenext',
  target: 'esnext',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true,
  types: ['node'],
} as const;

export interface ConsumerOptions {
  /** The package.json `type` of the project. */
  type: 'module' | 'commonjs';
  /** `{ tarball }`: unpacked into node_modules/sandan. `'link'`: node_modules/sandan is a symlink to this checkout. */
  sandan: { tarball: string } | 'link';
  compilerOptions: Record<string, unknown>;
  /** The project's source files, by path relative to `dir`. */
  files: Record<string, string>;
  /** Link the optional drivers too, as a plain `npm install sandan` brings them (for running code, not types). */
  optional?: boolean;
}

/** Writes the project into `dir` (created if missing). tsconfig.json includes `src`. */
export function createConsumer(dir: string, o: ConsumerOptions): void {
  const pkgDir = join(dir, 'node_modules', 'sandan');
  mkdirSync(dirname(pkgDir), { recursive: true });
  if (o.sandan === 'link') symlinkSync(ROOT, pkgDir, 'dir');
  else {
    mkdirSync(pkgDir);
    execFileSync('tar', ['-xzf', o.sandan.tarball, '-C', pkgDir, '--strip-components=1']);
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    optionalDependencies: Record<string, string>;
  };
  const optional = o.optional ? Object.keys(manifest.optionalDependencies) : [];
  // (@types/node is one of sandan's dependencies; named again in case it ever is not)
  for (const dep of new Set([...Object.keys(manifest.dependencies), ...optional, '@types/node'])) {
    const from = join(ROOT, 'node_modules', dep);
    if (!existsSync(from)) continue;
    mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
    symlinkSync(from, join(dir, 'node_modules', dep), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: o.type }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...o.compilerOptions, noEmit: true }, include: ['src'] }),
  );
  for (const [path, text] of Object.entries(o.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/**
 * `tsc -p dir --pretty false`: its diagnostics, one line each (continuation lines included), [] when clean. `tsc` is
 * TypeScript 5.9's unless another is given ({@link TSC_7}).
 */
export async function typeErrors(dir: string, tsc = TSC): Promise<string[]> {
  try {
    await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir });
    return [];
  } catch (e) {
    const out = (e as { stdout?: string }).stdout ?? '';
    if (!out) throw e;
    return out.trim().split('\n');
  }
}

/**
 * The same project's diagnostics per source file (paths relative to `dir`), from the compiler API in this process
 * (tsconfig.json read as tsc reads it). Unlike `tsc -p`, which stops at syntax errors when any file has one, every
 * file gets its semantic check too, so one broken file hides nothing in the others. Diagnostics outside the
 * project's own files (tsconfig, declarations) are under ''. Lines are `(line,col): error TSn: message`, 1-based,
 * continuation lines of a message indented.
 */
export function diagnosticsByFile(dir: string): Map<string, string[]> {
  const configPath = join(dir, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dir, undefined, configPath);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const out = new Map<string, string[]>();
  const add = (key: string, line: string) => out.set(key, [...(out.get(key) ?? []), line]);
  const say = (d: ts.Diagnostic) => `error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`;
  const own = new Set(parsed.fileNames);
  for (const d of [
    ...(config.error ? [config.error] : []),
    ...parsed.errors,
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ])
    add('', say(d));
  for (const sf of program.getSourceFiles()) {
    const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    for (const d of diagnostics) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      const key = own.has(sf.fileName) ? relative(dir, sf.fileName) : '';
      add(key, `${key ? '' : `${sf.fileName}`}(${line + 1},${character + 1}): ${say(d)}`);
    }
  }
  return out;
}
