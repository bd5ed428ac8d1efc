/**
 * Mutation testing for src/rules and src/tax, without Stryker: `npm run mutate -- [options]`.
 *
 *   --files <glob>     source files to mutate (repeatable; default src/rules/**\/*.ts and src/tax/**\/*.ts)
 *   --limit <n>        mutate a seeded random sample of n mutants instead of all of them
 *   --seed <s>         sample seed (default 1); the same seed and sources give the same sample
 *   --skip <n>         leave out the first n mutants of the sample's random order (continue a stopped run)
 *   --timeout <ms>     floor of the per-mutant timeout (default 60000; the timeout is also ≥ 4 × baseline)
 *   --workers <n>      vitest workers (default 1: the machine is shared)
 *   --json <path>      where the JSON report goes (default /tmp/sandan-mutate-report.json)
 *   --md <path>        also write the Markdown summary there
 *   --isolate          a fresh module graph per test file (slower; default: reused, as in test:unit)
 *   --tests <set>      near (default): the same-area test files and the closest importers;
 *                      deep: near, then every reaching test file for the survivors; all: every one
 *   --report <json>    print (and with --md write) the summary of a JSON report, finished or not
 *   --list             print the mutants and stop
 *   --audit <n>        type-check n mutants of each static class (valid / invalid) and print disagreements
 *   --rerun <json>     run again only the survivors of an earlier report (matched by place and text)
 *   --lazy-baseline    no baseline run up front: a test file is run unmutated only when it first
 *                      kills a mutant (it must pass then, else it is left out and the mutant re-run)
 *   --keep             keep the scratch copy
 *
 * The repository is copied to /tmp/sandan-mutate-<pid> (node_modules and dist are symlinked) and only
 * that copy is ever mutated, so the working tree stays untouched while the run goes on. Mutants come
 * from the TypeScript AST; each one is type-checked first (a mutant that does not compile is counted
 * as invalid, never as killed), then the test files that import the mutated file (statically, through
 * the import graph) run in one long-lived vitest instance with bail=1, the closest test files first.
 * A run that passes marks the mutant survived; a run that exceeds the timeout kills the runner
 * process group and counts as a timeout, reported apart from the killed ones.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Mutants
// ---------------------------------------------------------------------------------------------

export interface Mutant {
  /** Stable id: `file:line:col:operator[:n]`. */
  id: string;
  file: string;
  line: number;
  col: number;
  operator: string;
  start: number;
  end: number;
  original: string;
  replacement: string;
  /** Whether it compiles: known from the operator and the original types, or to be type-checked. */
  compile: Compile;
}
type Compile = 'valid' | 'invalid' | 'check';

/**
 * Object properties whose string values are prose or provenance (rule descriptions, sources,
 * bilingual messages, hints). Mutating them only changes wording, which tests rightly do not pin
 * down one by one, so they are skipped: a survivor there says nothing about the logic.
 */
const PROSE_KEYS = new Set([
  'description',
  'source',
  'message',
  'zh',
  'en',
  'title',
  'note',
  'hint',
  'label',
  'detail',
]);
/** A string that looks like a code (issue code, error code, enum value), not a sentence. */
const CODE_LIKE = /^[A-Za-z0-9]+([-_.:/][A-Za-z0-9]+)*$/;

const SWAP_BINARY: Partial<Record<ts.SyntaxKind, ts.SyntaxKind>> = {
  [ts.SyntaxKind.LessThanToken]: ts.SyntaxKind.LessThanEqualsToken,
  [ts.SyntaxKind.LessThanEqualsToken]: ts.SyntaxKind.LessThanToken,
  [ts.SyntaxKind.GreaterThanToken]: ts.SyntaxKind.GreaterThanEqualsToken,
  [ts.SyntaxKind.GreaterThanEqualsToken]: ts.SyntaxKind.GreaterThanToken,
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: ts.SyntaxKind.ExclamationEqualsEqualsToken,
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: ts.SyntaxKind.EqualsEqualsEqualsToken,
  [ts.SyntaxKind.EqualsEqualsToken]: ts.SyntaxKind.ExclamationEqualsToken,
  [ts.SyntaxKind.ExclamationEqualsToken]: ts.SyntaxKind.EqualsEqualsToken,
  [ts.SyntaxKind.AmpersandAmpersandToken]: ts.SyntaxKind.BarBarToken,
  [ts.SyntaxKind.BarBarToken]: ts.SyntaxKind.AmpersandAmpersandToken,
  [ts.SyntaxKind.PlusToken]: ts.SyntaxKind.MinusToken,
  [ts.SyntaxKind.MinusToken]: ts.SyntaxKind.PlusToken,
  [ts.SyntaxKind.AsteriskToken]: ts.SyntaxKind.SlashToken,
  [ts.SyntaxKind.SlashToken]: ts.SyntaxKind.AsteriskToken,
};

/** decimal.js methods swapped for their counterpart. */
const SWAP_METHOD: Record<string, string> = {
  plus: 'minus',
  minus: 'plus',
  add: 'sub',
  sub: 'add',
  times: 'div',
  mul: 'div',
  div: 'times',
  dividedBy: 'times',
  gt: 'gte',
  gte: 'gt',
  lt: 'lte',
  lte: 'lt',
  greaterThan: 'greaterThanOrEqualTo',
  greaterThanOrEqualTo: 'greaterThan',
  lessThan: 'lessThanOrEqualTo',
  lessThanOrEqualTo: 'lessThan',
  max: 'min',
  min: 'max',
};
/** Methods whose boolean result is negated (there is no counterpart to swap to). */
const NEGATE_METHOD = new Set(['eq', 'equals', 'isZero', 'isNegative', 'isPositive', 'isInteger']);
const SWAP_ROUNDING: Record<string, string> = {
  ROUND_HALF_UP: 'ROUND_HALF_EVEN',
  ROUND_HALF_EVEN: 'ROUND_HALF_UP',
  ROUND_HALF_DOWN: 'ROUND_HALF_UP',
  ROUND_DOWN: 'ROUND_UP',
  ROUND_UP: 'ROUND_DOWN',
  ROUND_FLOOR: 'ROUND_CEIL',
  ROUND_CEIL: 'ROUND_FLOOR',
};

function isTypeOnly(node: ts.Node): boolean {
  return (
    ts.isTypeNode(node) ||
    ts.isInterfaceDeclaration(node) ||
    ts.isTypeAliasDeclaration(node) ||
    ts.isImportDeclaration(node) ||
    ts.isExportDeclaration(node) ||
    ts.isImportEqualsDeclaration(node) ||
    ts.isModuleDeclaration(node)
  );
}

/** The name of the object property (or call) a string sits in, looking up through arrays and conditionals. */
function proseContext(node: ts.Node): boolean {
  let n: ts.Node | undefined = node.parent;
  while (n) {
    if (ts.isPropertyAssignment(n)) {
      const name = n.name.getText();
      if (PROSE_KEYS.has(name.replace(/['"]/g, ''))) return true;
      return false;
    }
    if (ts.isArrayLiteralExpression(n) || ts.isConditionalExpression(n) || ts.isParenthesizedExpression(n)) {
      n = n.parent;
      continue;
    }
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      n = n.parent;
      continue;
    }
    return false;
  }
  return false;
}

/** `new SandanError(code, message)` / `new Error(message)`: the message argument is prose. */
function isErrorMessageArg(node: ts.Node): boolean {
  const p = node.parent;
  if (!p || !(ts.isNewExpression(p) || ts.isCallExpression(p))) return false;
  const callee = p.expression.getText();
  if (!/Error$/.test(callee)) return false;
  const args = p.arguments ?? ts.factory.createNodeArray();
  return args.indexOf(node as ts.Expression) > 0 || (callee === 'Error' && args.indexOf(node as ts.Expression) === 0);
}

/** Whether every member of the type is a boolean / a number (literal or not). */
function allOf(type: ts.Type, flags: ts.TypeFlags): boolean {
  if (type.isUnion()) return type.types.every((t) => allOf(t, flags));
  return (type.flags & flags) !== 0;
}
const BOOLEANISH = ts.TypeFlags.BooleanLike;
const NUMBERISH = ts.TypeFlags.NumberLike;

/** In a condition (if, loop, ternary, `!`, or an operand of && / || that is itself in one): any type is fine there. */
function inCondition(node: ts.Node): boolean {
  let n = node;
  for (;;) {
    const p = n.parent;
    if (!p) return false;
    if (ts.isParenthesizedExpression(p)) n = p;
    else if (ts.isBinaryExpression(p) && isLogical(p.operatorToken.kind)) n = p;
    else if (ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.ExclamationToken) return true;
    else if (ts.isIfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) return p.expression === n;
    else if (ts.isForStatement(p)) return p.condition === n;
    else if (ts.isConditionalExpression(p)) return p.condition === n;
    else return false;
  }
}
function isLogical(k: ts.SyntaxKind): boolean {
  return k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken;
}

/**
 * What a literal replaced by another of the same kind may break: `wide` when the place expects
 * string / number / boolean (any value compiles), `narrow` when it expects a literal union, `free`
 * when nothing constrains it (the inferred type flows on, so only a full check can tell).
 */
function literalSlot(
  checker: ts.TypeChecker,
  node: ts.Expression,
): { kind: 'wide' | 'narrow' | 'free'; type?: ts.Type } {
  const p = node.parent;
  let type: ts.Type | undefined;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind !== ts.SyntaxKind.EqualsToken) {
    type = checker.getTypeAtLocation(p.left === node ? p.right : p.left);
  } else if (ts.isCaseClause(p)) {
    type = checker.getTypeAtLocation(p.parent.parent.expression);
  } else {
    type = checker.getContextualType(node);
  }
  if (!type) return { kind: 'free' };
  const parts = type.isUnion() ? type.types : [type];
  if (parts.some((t) => t.flags & (ts.TypeFlags.TypeParameter | ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
    return { kind: 'free' };
  }
  if (parts.some((t) => t.flags & (ts.TypeFlags.String | ts.TypeFlags.Number | ts.TypeFlags.Boolean))) {
    return { kind: 'wide', type };
  }
  return { kind: 'narrow', type };
}

/** Inside an `as const` literal: its literals keep their literal types, so changing one may not compile. */
function underAsConst(node: ts.Node): boolean {
  let n = node.parent;
  while (
    n &&
    (ts.isArrayLiteralExpression(n) ||
      ts.isObjectLiteralExpression(n) ||
      ts.isPropertyAssignment(n) ||
      ts.isParenthesizedExpression(n))
  ) {
    n = n.parent;
  }
  return !!n && ts.isAsExpression(n) && n.type.getText() === 'const';
}

/** An element or property value of a plain array/object literal: its type widens (string, number, boolean). */
function widened(node: ts.Node): boolean {
  const p = node.parent;
  return (ts.isArrayLiteralExpression(p) || ts.isPropertyAssignment(p)) && !underAsConst(node);
}

/**
 * A condition TypeScript may narrow on (`x === undefined`, `typeof`, `instanceof`, `in`, a bare
 * truthiness test): flipping or negating it can leave a later use un-narrowed, which does not compile.
 */
function narrows(e: ts.Node): boolean {
  let found = false;
  const look = (n: ts.Node): void => {
    if (found) return;
    if (
      n.kind === ts.SyntaxKind.NullKeyword ||
      n.kind === ts.SyntaxKind.TypeOfExpression ||
      (ts.isIdentifier(n) && n.text === 'undefined') ||
      (ts.isBinaryExpression(n) &&
        (n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword || n.operatorToken.kind === ts.SyntaxKind.InKeyword))
    ) {
      found = true;
      return;
    }
    if (ts.isCallExpression(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      // A user-defined type guard narrows too: `isX(v)`, `Array.isArray(v)`.
      if (ts.isCallExpression(n) && /^is[A-Z]|\.is[A-Z]/.test(n.expression.getText())) found = true;
      return;
    }
    ts.forEachChild(n, look);
  };
  look(e);
  let bare = e;
  while (
    ts.isParenthesizedExpression(bare) ||
    (ts.isPrefixUnaryExpression(bare) && bare.operator === ts.SyntaxKind.ExclamationToken)
  ) {
    bare = ts.isParenthesizedExpression(bare) ? bare.expression : bare.operand;
  }
  return (
    found ||
    ts.isIdentifier(bare) ||
    ts.isPropertyAccessExpression(bare) ||
    ts.isElementAccessExpression(bare) ||
    (ts.isBinaryExpression(bare) && isLogical(bare.operatorToken.kind))
  );
}

/**
 * The mutants of one file. With the original program's checker, each mutant is classed `valid`
 * (compiles by construction: an operator swap between operands of the same type, a literal where
 * the slot is wide…), `invalid` (an empty string where a literal union without '' is expected) or
 * `check` (only a type check of the mutated file can tell); without it every mutant is `check`.
 */
export function mutantsOf(file: string, sf: ts.SourceFile, checker?: ts.TypeChecker): Mutant[] {
  const text = sf.text;
  const out: Mutant[] = [];
  const add = (
    node: ts.Node,
    operator: string,
    replacement: string,
    compile: Compile = 'valid',
    start = node.getStart(sf),
    end = node.getEnd(),
  ) => {
    const original = text.slice(start, end);
    if (original === replacement) return;
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    out.push({
      id: `${file}:${line + 1}:${character + 1}:${operator}`,
      file,
      line: line + 1,
      col: character + 1,
      operator,
      start,
      end,
      original,
      replacement,
      compile: checker ? compile : 'check',
    });
  };
  const typeOf = (e: ts.Node) => checker?.getTypeAtLocation(e);

  const visit = (node: ts.Node): void => {
    if (isTypeOnly(node)) return;
    // `declare`d and overload signatures have no runtime code.
    if (ts.isFunctionDeclaration(node) && !node.body) return;

    if (ts.isBinaryExpression(node)) {
      const to = SWAP_BINARY[node.operatorToken.kind];
      const tok = node.operatorToken;
      if (to !== undefined) {
        const op = ts.tokenToString(to) as string;
        if (isLogical(to)) {
          const l = typeOf(node.left);
          const r = typeOf(node.right);
          const safe = inCondition(node) || (l && r && allOf(l, BOOLEANISH) && allOf(r, BOOLEANISH));
          add(tok, 'logical', op, safe && !narrows(node) ? 'valid' : 'check', tok.getStart(sf), tok.getEnd());
        } else if (
          [
            ts.SyntaxKind.PlusToken,
            ts.SyntaxKind.MinusToken,
            ts.SyntaxKind.AsteriskToken,
            ts.SyntaxKind.SlashToken,
          ].includes(to)
        ) {
          // Arithmetic on numbers only: `+` on strings is text, not arithmetic.
          const l = typeOf(node.left);
          const r = typeOf(node.right);
          const numeric =
            l && r
              ? allOf(l, NUMBERISH) && allOf(r, NUMBERISH)
              : !ts.isStringLiteral(node.left) &&
                !ts.isStringLiteral(node.right) &&
                !ts.isTemplateExpression(node.left) &&
                !ts.isTemplateExpression(node.right);
          if (numeric) add(tok, 'arithmetic', op, 'valid', tok.getStart(sf), tok.getEnd());
        } else {
          add(tok, 'comparison', op, narrows(node) ? 'check' : 'valid', tok.getStart(sf), tok.getEnd());
        }
      }
    }

    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      const swap = Object.hasOwn(SWAP_METHOD, name) ? SWAP_METHOD[name] : undefined;
      // Math.max/min are numbers, Decimal.max/min are decimals: both swap the same way.
      if (swap) add(node.expression.name, 'method', swap);
      if (NEGATE_METHOD.has(name)) add(node, 'negate-call', `!${node.getText(sf)}`);
      // Dropping a push of issues: `out.push(x)` → nothing.
      if (name === 'push' && ts.isExpressionStatement(node.parent)) add(node.parent, 'remove-push', ';');
    }

    if (ts.isPropertyAccessExpression(node) && Object.hasOwn(SWAP_ROUNDING, node.name.text)) {
      add(node.name, 'rounding', SWAP_ROUNDING[node.name.text] as string);
    }

    if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
      const slot = checker ? literalSlot(checker, node as ts.Expression).kind : 'narrow';
      const ok = slot === 'wide' || (slot === 'free' && !underAsConst(node));
      add(node, 'boolean', node.kind === ts.SyntaxKind.TrueKeyword ? 'false' : 'true', ok ? 'valid' : 'check');
    }

    if (ts.isIfStatement(node) && !negationCovered(node.expression)) {
      add(
        node.expression,
        'negate-if',
        `!(${node.expression.getText(sf)})`,
        narrows(node.expression) ? 'check' : 'valid',
      );
    }
    if (ts.isConditionalExpression(node) && !negationCovered(node.condition)) {
      add(
        node.condition,
        'negate-ternary',
        `!(${node.condition.getText(sf)})`,
        narrows(node.condition) ? 'check' : 'valid',
      );
    }

    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      // `!!x` is a cast to boolean: dropping one `!` is the negation already covered.
      if (!(ts.isPrefixUnaryExpression(node.parent) && node.parent.operator === ts.SyntaxKind.ExclamationToken)) {
        const t = typeOf(node.operand);
        const safe = inCondition(node) || (t && allOf(t, BOOLEANISH));
        add(node, 'drop-not', node.operand.getText(sf), safe && !narrows(node) ? 'valid' : 'check');
      }
    }

    if (ts.isReturnStatement(node) && node.expression && ts.isArrayLiteralExpression(node.expression)) {
      if (node.expression.elements.length > 0) add(node.expression, 'empty-return', '[]', 'check');
    }

    if (ts.isNumericLiteral(node) && !isPropertyKey(node)) {
      const value = Number(node.text);
      if (Number.isFinite(value)) {
        // Numbers without a contextual type widen to `number` unless `as const` keeps them literal.
        const slot = checker ? literalSlot(checker, node).kind : 'narrow';
        const compile = slot === 'wide' || (slot === 'free' && !underAsConst(node)) ? 'valid' : 'check';
        add(node, 'number+1', String(value + 1), compile);
        add(node, 'number-1', String(value - 1), compile);
      }
    }

    if (ts.isStringLiteral(node) && !isPropertyKey(node) && CODE_LIKE.test(node.text)) {
      if (!proseContext(node) && !isErrorMessageArg(node)) {
        let compile: Compile = 'check';
        if (checker) {
          const slot = literalSlot(checker, node);
          const parts = slot.type?.isUnion() ? slot.type.types : slot.type ? [slot.type] : [];
          const allowsEmpty = parts.some((t) => t.isStringLiteral() && t.value === '');
          if (slot.kind === 'wide') compile = 'valid';
          else if (slot.kind === 'narrow') compile = allowsEmpty ? 'valid' : 'invalid';
          else if (widened(node)) compile = 'valid';
        }
        add(node, 'string', "''", compile);
      }
    }

    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);

  // Two operators can produce the same text at the same place: keep one.
  const seen = new Set<string>();
  const unique = out.filter((m) => {
    const key = `${m.start}:${m.end}:${m.replacement}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.start - b.start || a.end - b.end || a.operator.localeCompare(b.operator));
  const counts = new Map<string, number>();
  for (const m of unique) {
    const n = counts.get(m.id) ?? 0;
    counts.set(m.id, n + 1);
    if (n > 0) m.id = `${m.id}:${n}`;
  }
  return unique;
}

/** A literal used as a name (`{ 'a-b': 1 }`, `case` of an enum member…), or a module specifier. */
function isPropertyKey(node: ts.StringLiteral | ts.NumericLiteral): boolean {
  const p = node.parent;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === node) {
    return true;
  }
  if (ts.isEnumMember(p) && p.name === node) return true;
  if (ts.isCallExpression(p) && p.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
  return false;
}

/**
 * Conditions whose negation another operator already produces: `a === b` (flipped to `!==`),
 * `x.eq(y)` (negate-call) and `!x` (drop-not). Negating them again would only add duplicates.
 */
function negationCovered(e: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    return (
      k === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      k === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
      k === ts.SyntaxKind.EqualsEqualsToken ||
      k === ts.SyntaxKind.ExclamationEqualsToken
    );
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    return NEGATE_METHOD.has(e.expression.name.text);
  }
  return ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken;
}

// ---------------------------------------------------------------------------------------------
// Scratch copy, import graph, type check
// ---------------------------------------------------------------------------------------------

function makeScratch(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(ROOT)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === '.git') continue;
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (existsSync(join(ROOT, 'dist'))) symlinkSync(join(ROOT, 'dist'), join(dir, 'dist'));
}

function walk(dir: string, acc: string[] = []): string[] {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'fixtures' && e.name !== 'golden' && e.name !== 'node_modules') walk(p, acc);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Relative imports of every .ts file under src/ and test/, resolved to files. */
function importGraph(dir: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of [...walk(join(dir, 'src')), ...walk(join(dir, 'test'))]) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = new Set<string>();
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const base = resolve(dirname(file), ref.fileName);
      for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
        if (candidate.endsWith('.ts') && existsSync(candidate)) {
          deps.add(candidate);
          break;
        }
      }
    }
    graph.set(file, deps);
  }
  return graph;
}

/**
 * Test files that run against the sources in-process: the `test:unit` set (vitest.unit.config.ts
 * leaves out what spawns the CLI, needs dist/ or a server) plus the two property suites on amounts
 * and tax, which are slow for `test:unit` but the best killers of arithmetic mutants.
 */
const EXCLUDED_TESTS = [
  /^test\/cli\/(bin|optional-drivers)\.test\.ts$/,
  /^test\/quota\/(cli|sqlite|postgres)\.test\.ts$/,
  /^test\/reconcile\/(parallel|cli)\.test\.ts$/,
  /^test\/(docs|tsdoc|fast-check)\.test\.ts$/,
  /^test\/(journeys|packaging|fuzz)\//,
];

function testFiles(dir: string): string[] {
  return (
    walk(join(dir, 'test'))
      .filter((f) => f.endsWith('.test.ts'))
      .filter((f) => !EXCLUDED_TESTS.some((re) => re.test(relative(dir, f))))
      // A file that mocks a module needs a fresh module graph: in the runner's reused worker the
      // module is already loaded by earlier files, the mock does not take, and the file fails for
      // every mutant (test/cli/expand-inputs.test.ts "killed" three equivalent mutants so).
      .filter((f) => !/\bvi\.mock\(/.test(readFileSync(f, 'utf8')))
  );
}

/** For each test file, the distance (in imports) to every source file it reaches. */
function distances(graph: Map<string, Set<string>>, from: string): Map<string, number> {
  const dist = new Map<string, number>([[from, 0]]);
  let frontier = [from];
  while (frontier.length) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const d of graph.get(f) ?? []) {
        if (!dist.has(d)) {
          dist.set(d, (dist.get(f) as number) + 1);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  return dist;
}

/**
 * Test files for a source file. `all`: every test file that reaches it through imports, closest
 * first (same area — test/rules for src/rules… — then by import distance, then quickest). `near`:
 * the same-area files and the closest importers, which kill most mutants at a fraction of the cost;
 * the barrels (src/index.ts) make almost every test file reach every source file.
 */
function testsFor(
  dir: string,
  source: string,
  reach: Map<string, Map<string, number>>,
  durations: Map<string, number>,
  broken: Set<string>,
): { near: string[]; all: string[] } {
  const area = relative(join(dir, 'src'), source).split('/')[0];
  const rank = (t: string) => {
    const r = relative(join(dir, 'test'), t);
    // docs/rules.md is generated from each rule's metadata (its valid and invalid examples included), and
    // test/generated.test.ts fails when a rule's example no longer produces the catalogue as committed.
    if (area === 'rules' && r === 'generated.test.ts') return 0;
    return r.startsWith('mutation/') || r.startsWith(`${area}/`) ? 0 : 1;
  };
  const ranked = [...reach.entries()]
    .filter(([t, d]) => d.has(source) && !broken.has(t))
    .map(([t, d]) => ({ t, r: rank(t), d: d.get(source) as number, ms: durations.get(t) ?? 0 }))
    .sort((a, b) => a.r - b.r || a.d - b.d || a.ms - b.ms || a.t.localeCompare(b.t));
  const closest = Math.min(...ranked.map((x) => x.d));
  return {
    near: ranked.filter((x) => x.r === 0 || x.d === closest).map((x) => x.t),
    all: ranked.map((x) => x.t),
  };
}

class TypeCheck {
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  /** The unmutated sources, read once: the files on disk are mutated while the checker runs. */
  private readonly disk = new Map<string, string | undefined>();
  private readonly service: ts.LanguageService;
  constructor(dir: string, files: string[]) {
    const options: ts.CompilerOptions = {
      ...ts.parseJsonConfigFileContent(
        ts.readConfigFile(join(dir, 'tsconfig.json'), ts.sys.readFile).config,
        ts.sys,
        dir,
      ).options,
      noEmit: true,
    };
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => files,
      getScriptVersion: (f) => String(this.versions.get(f) ?? 0),
      getScriptSnapshot: (f) => {
        if (!this.disk.has(f)) this.disk.set(f, existsSync(f) ? readFileSync(f, 'utf8') : undefined);
        const t = this.texts.get(f) ?? this.disk.get(f);
        return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
      },
      getCurrentDirectory: () => dir,
      getCompilationSettings: () => options,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }
  program(): ts.Program {
    return this.service.getProgram() as ts.Program;
  }
  /** Errors in `file` with `text` as its content (only that file is re-checked). */
  errors(file: string, text: string | undefined): string[] {
    if (text === undefined) this.texts.delete(file);
    else this.texts.set(file, text);
    this.versions.set(file, (this.versions.get(file) ?? 0) + 1);
    const diags = [...this.service.getSyntacticDiagnostics(file), ...this.service.getSemanticDiagnostics(file)];
    return diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
}

// ---------------------------------------------------------------------------------------------
// Runner: one vitest instance, driven over IPC, restarted after a timeout
// ---------------------------------------------------------------------------------------------

interface RunRequest {
  id: string;
  tests: string[];
  invalidate: string[];
}
interface RunResult {
  id: string;
  failed: string[];
  errors: number;
  durations: Record<string, number>;
  ms: number;
}

/** A vitest sequencer that runs the test files in the order they were given. */
class KeepOrder {
  async sort<T>(files: T[]): Promise<T[]> {
    return files;
  }
  async shard<T>(files: T[]): Promise<T[]> {
    return files;
  }
}

async function runner(dir: string, workers: number, isolate: boolean): Promise<void> {
  process.env.SANDAN_DIST_FRESH = '1';
  const { createVitest } = await import('vitest/node');
  // A killed mutant fails a property at once; shrinking the counterexample would only cost time.
  const setup = join(dir, 'test/setup/mutate-fast-check.ts');
  writeFileSync(setup, "import fc from 'fast-check';\n\nfc.configureGlobal({ endOnFailure: true });\n");
  const vitest = await createVitest(
    'test',
    {
      root: dir,
      config: join(dir, 'vitest.config.ts'),
      watch: false,
      bail: 1,
      reporters: [{}],
      maxWorkers: workers,
      fileParallelism: workers > 1,
      // One module graph per worker, kept between runs (as `npm run test:unit` does: the test files
      // share no state); a mutant then costs the evaluation of its file and its importers only.
      isolate,
      passWithNoTests: true,
      setupFiles: [setup],
      // Keep the order asked for (closest and quickest first): vitest's default sequencer runs the
      // files that failed last time and the longest ones first, which with bail=1 makes a kill
      // wait for the slowest files instead of the mutant's own test file.
      sequence: { sequencer: KeepOrder },
    },
    {},
  );
  const project = vitest.getRootProject();
  const send = (m: unknown) => (process.send as (m: unknown) => void)(m);
  process.on('message', async (req: RunRequest) => {
    const t0 = Date.now();
    // The server re-transforms the changed files; the reused workers drop them and their importers
    // (`req.invalidate` holds both), so the next import evaluates the mutant.
    for (const f of req.invalidate) {
      vitest.invalidateFile(f);
      vitest.watcher.invalidates.add(f);
    }
    const specs = req.tests.map((t) => project.createSpecification(t));
    const result = await vitest.runTestSpecifications(specs);
    const wanted = new Set(req.tests);
    const failed: string[] = [];
    const durations: Record<string, number> = {};
    for (const m of result.testModules) {
      if (!wanted.has(m.moduleId)) continue;
      if (m.state() === 'failed') failed.push(m.moduleId);
      durations[m.moduleId] = m.diagnostic().duration;
    }
    send({ id: req.id, failed, errors: result.unhandledErrors.length, durations, ms: Date.now() - t0 } as RunResult);
  });
  send({ ready: true });
}

class Runner {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  constructor(
    private readonly dir: string,
    private readonly workers: number,
    private readonly isolate: boolean,
  ) {}
  private start(): Promise<void> {
    const mode = this.isolate ? 'isolate' : 'shared';
    this.child = spawn(
      process.execPath,
      // The copy's script: the working tree's may be edited while the run goes on.
      [...process.execArgv, join(this.dir, relative(ROOT, SELF)), '--runner', this.dir, String(this.workers), mode],
      {
        cwd: this.dir,
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        detached: true,
        env: { ...process.env, SANDAN_DIST_FRESH: '1' },
      },
    );
    const child = this.child;
    return new Promise((ok, fail) => {
      child.once('message', () => ok());
      child.once('exit', (code) => fail(new Error(`runner exited (${code})`)));
    });
  }
  async run(req: RunRequest, timeoutMs: number): Promise<RunResult | 'timeout'> {
    this.ready ??= this.start();
    await this.ready;
    const child = this.child as ChildProcess;
    return new Promise((ok) => {
      const timer = setTimeout(() => {
        child.removeListener('message', onMessage);
        this.stop();
        ok('timeout');
      }, timeoutMs);
      const onMessage = (m: RunResult) => {
        if (m.id !== req.id) return;
        clearTimeout(timer);
        child.removeListener('message', onMessage);
        ok(m);
      };
      child.on('message', onMessage);
      child.send(req);
    });
  }
  stop(): void {
    const pid = this.child?.pid;
    if (pid !== undefined) {
      try {
        // The runner and its vitest forks share a process group (detached: true).
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.child = undefined;
    this.ready = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

type Status = 'killed' | 'survived' | 'timeout' | 'invalid' | 'no-tests';
interface Outcome extends Mutant {
  status: Status;
  /** `all` when the nearby test files let it survive and the rest were run too. */
  tier?: 'all';
  killedBy?: string;
  ms: number;
  error?: string;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseArgs(argv: string[]) {
  const args = {
    files: [] as string[],
    limit: 0,
    seed: 1,
    timeout: 60000,
    workers: 1,
    json: '/tmp/sandan-mutate-report.json',
    md: '',
    list: false,
    plan: false,
    audit: 0,
    report: '',
    isolate: false,
    tests: 'near' as 'near' | 'deep' | 'all',
    keep: false,
    rerun: '',
    lazyBaseline: false,
    skip: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${a} needs a value`);
      return value;
    };
    if (a === '--files') args.files.push(v());
    else if (a === '--limit') args.limit = Number(v());
    else if (a === '--seed') args.seed = Number(v());
    else if (a === '--timeout') args.timeout = Number(v());
    else if (a === '--workers') args.workers = Number(v());
    else if (a === '--json') args.json = v();
    else if (a === '--md') args.md = v();
    else if (a === '--list') args.list = true;
    else if (a === '--plan') args.plan = true;
    else if (a === '--report') args.report = v();
    else if (a === '--isolate') args.isolate = true;
    else if (a === '--audit') args.audit = Number(v());
    else if (a === '--tests') {
      const t = v();
      if (t !== 'near' && t !== 'deep' && t !== 'all') throw new Error('--tests is near, deep or all');
      args.tests = t;
    } else if (a === '--keep') args.keep = true;
    else if (a === '--rerun') args.rerun = v();
    else if (a === '--lazy-baseline') args.lazyBaseline = true;
    else if (a === '--skip') args.skip = Number(v());
    else if (a === '--') continue;
    else throw new Error(`unknown option ${a}`);
  }
  if (args.files.length === 0) args.files = ['src/rules/**/*.ts', 'src/tax/**/*.ts'];
  return args;
}

function summary(outcomes: Outcome[], meta: Record<string, unknown>): string {
  const byFile = new Map<string, Outcome[]>();
  for (const o of outcomes) byFile.set(o.file, [...(byFile.get(o.file) ?? []), o]);
  const count = (os: Outcome[], s: Status) => os.filter((o) => o.status === s).length;
  const score = (os: Outcome[]) => {
    const k = count(os, 'killed') + count(os, 'timeout');
    const d = k + count(os, 'survived') + count(os, 'no-tests');
    return d === 0 ? '–' : `${((100 * k) / d).toFixed(1)}%`;
  };
  const lines = [
    `Mutation run ${meta.date} (${meta.minutes} min, ${meta.sample})`,
    '',
    '| file | killed | timeout | survived | no tests | invalid | score |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  const row = (name: string, os: Outcome[]) =>
    `| ${name} | ${count(os, 'killed')} | ${count(os, 'timeout')} | ${count(os, 'survived')} | ${count(os, 'no-tests')} | ${count(os, 'invalid')} | ${score(os)} |`;
  for (const [file, os] of [...byFile.entries()].sort()) lines.push(row(file, os));
  for (const area of ['src/rules/', 'src/tax/']) {
    const os = outcomes.filter((o) => o.file.startsWith(area));
    if (os.length) lines.push(row(`**${area}**`, os));
  }
  lines.push(row('**all**', outcomes), '', 'Survivors:', '');
  for (const o of outcomes.filter((x) => x.status === 'survived' || x.status === 'no-tests')) {
    const show = (s: string) => s.replace(/\s+/g, ' ').slice(0, 80);
    lines.push(`- ${o.file}:${o.line} ${o.operator}: \`${show(o.original)}\` → \`${show(o.replacement)}\``);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const dir = `/tmp/sandan-mutate-${process.pid}`;
  const globs = args.files.map(globToRegExp);
  if (args.report) {
    // The summary of a JSON report, finished or not (it is rewritten after every mutant).
    const data = JSON.parse(readFileSync(args.report, 'utf8')) as Record<string, unknown> & { outcomes: Outcome[] };
    const md = summary(data.outcomes, { ...data, sample: `${data.sample}${data.done ? '' : ', unfinished'}` });
    if (args.md) writeFileSync(args.md, `${md}\n`);
    console.log(md);
    return;
  }
  if (args.plan) {
    const sources = walk(join(ROOT, 'src'))
      .map((f) => relative(ROOT, f))
      .filter((f) => globs.some((g) => g.test(f)))
      .sort();
    const graph = importGraph(ROOT);
    const reach = new Map(testFiles(ROOT).map((t) => [t, distances(graph, t)]));
    for (const f of sources) {
      const { near, all } = testsFor(ROOT, join(ROOT, f), reach, new Map(), new Set());
      const show = (t: string) => `${relative(ROOT, t)}@${reach.get(t)?.get(join(ROOT, f))}`;
      console.log(`${f}: near ${near.length}/${all.length}: ${near.map(show).join(' ')}`);
    }
    return;
  }
  // Everything from here on reads the copy: the working tree may change while the run goes on.
  makeScratch(dir);
  const runner = new Runner(dir, args.workers, args.isolate);
  const cleanup = () => {
    runner.stop();
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    const sources = walk(join(dir, 'src'))
      .map((f) => relative(dir, f))
      .filter((f) => globs.some((g) => g.test(f)))
      .sort();
    const checker = new TypeCheck(
      dir,
      walk(join(dir, 'src')).filter((f) => f.endsWith('.ts')),
    );
    const program = checker.program();
    const typeChecker = program.getTypeChecker();
    const generated = sources.flatMap((f) =>
      mutantsOf(f, program.getSourceFile(join(dir, f)) as ts.SourceFile, typeChecker),
    );
    // Known not to compile: counted as invalid, never run, never sampled.
    const known = generated.filter((m) => m.compile === 'invalid');
    let mutants = generated.filter((m) => m.compile !== 'invalid');
    const total = mutants.length;
    // A limit at or above the count still shuffles: `--limit 9999 --seed s` is every mutant in a random
    // order, so a run stopped early is a random sample rather than the first files.
    if (args.limit > 0) {
      const random = rng(args.seed);
      const keyed = mutants.map((m) => ({ m, k: random() }));
      keyed.sort((a, b) => a.k - b.k);
      // Run in the sample's random order, not file by file: a run stopped early is then still a
      // random sample (a prefix of a random permutation), so its score is an unbiased estimate.
      // --skip continues a stopped run: the next mutants of the same random order.
      mutants = keyed.slice(args.skip, args.limit).map((x) => x.m);
    }
    if (args.rerun) {
      // The survivors (and no-tests) of an earlier report, found again by place and text: ids carry
      // line and column, which move when the file is edited, so match on the text around them too.
      const old = (JSON.parse(readFileSync(args.rerun, 'utf8')) as { outcomes: Outcome[] }).outcomes.filter(
        (o) => o.status === 'survived' || o.status === 'no-tests',
      );
      const byId = new Map(mutants.map((m) => [m.id, m]));
      const picked: Mutant[] = [];
      for (const o of old) {
        const same = (m: Mutant) =>
          m.file === o.file &&
          m.operator === o.operator &&
          m.original === o.original &&
          m.replacement === o.replacement;
        const exact = byId.get(o.id);
        const found =
          exact && same(exact)
            ? exact
            : mutants.filter(same).sort((a, b) => Math.abs(a.line - o.line) - Math.abs(b.line - o.line))[0];
        if (found) picked.push(found);
        else console.error(`mutate: ${o.id} (${o.original} → ${o.replacement}) not found in the sources now`);
      }
      mutants = [...new Set(picked)];
    }
    if (args.audit > 0) {
      // The static classes against a real type check of a seeded sample of each.
      const random = rng(args.seed);
      const pick = (ms: Mutant[]) =>
        ms
          .map((m) => ({ m, k: random() }))
          .sort((a, b) => a.k - b.k)
          .slice(0, args.audit)
          .map((x) => x.m);
      for (const m of [...pick(known), ...pick(mutants.filter((x) => x.compile === 'valid'))]) {
        const abs = join(dir, m.file);
        const original = readFileSync(abs, 'utf8');
        const errors = checker.errors(abs, original.slice(0, m.start) + m.replacement + original.slice(m.end));
        checker.errors(abs, undefined);
        const agrees = errors.length > 0 === (m.compile === 'invalid');
        console.log(
          `${agrees ? 'ok  ' : 'DIFF'} ${m.id} [${m.compile}] ${m.original} → ${m.replacement} ${errors[0] ?? ''}`,
        );
      }
      return;
    }
    if (args.list) {
      for (const m of mutants) console.log(`${m.id} [${m.compile}] ${m.original} → ${m.replacement}`);
      const by = (c: Compile) => mutants.filter((m) => m.compile === c).length;
      console.log(
        `${mutants.length} of ${total} mutants (${by('valid')} valid, ${by('check')} to check; ${known.length} more do not compile)`,
      );
      return;
    }
    console.error(`mutate: ${mutants.length} of ${total} mutants in ${sources.length} files; scratch copy ${dir}`);
    const graph = importGraph(dir);
    const tests = testFiles(dir);
    const reach = new Map(tests.map((t) => [t, distances(graph, t)]));
    const mutated = [...new Set(mutants.map((m) => join(dir, m.file)))];

    // Baseline, on first use of each test file: it must pass on the unmutated copy (else it is left
    // out), and its duration sets the timeout. One run per file: bail=1 would stop a joint run at the
    // first failing file.
    const broken = new Set<string>();
    const durations = new Map<string, number>();
    let baselineMs = 0;
    /** Files changed on disk since vitest last read them (a mutant written, then the original put back). */
    const stale = new Set<string>();
    const importers = new Map<string, Set<string>>();
    for (const [f, deps] of graph) for (const d of deps) importers.set(d, (importers.get(d) ?? new Set()).add(f));
    /** The stale files and everything that imports them, directly or not. */
    const takeStale = () => {
      const out = new Set<string>();
      const visit = (f: string) => {
        if (out.has(f)) return;
        out.add(f);
        for (const i of importers.get(f) ?? []) visit(i);
      };
      for (const f of stale) visit(f);
      stale.clear();
      return [...out];
    };
    const baseline = async (tests: string[]) => {
      for (const t of tests) {
        if (broken.has(t) || durations.has(t)) continue;
        const base = await runner.run({ id: `baseline:${t}`, tests: [t], invalidate: takeStale() }, 10 * 60_000);
        if (base === 'timeout') {
          broken.add(t);
          console.error(`mutate: ${relative(dir, t)} fails unmutated: left out`);
          continue;
        }
        baselineMs += base.ms;
        if (base.failed.length || base.errors) {
          broken.add(t);
          console.error(`mutate: ${relative(dir, t)} fails unmutated: left out`);
        } else {
          durations.set(t, base.ms);
        }
      }
    };
    // Files with nothing between them and the sources run first, so the first mutants get a fair order.
    if (!args.lazyBaseline) {
      await baseline([...new Set(mutated.flatMap((f) => testsFor(dir, f, reach, new Map(), new Set()).near))]);
    }
    console.error(`mutate: baseline of the nearby test files: ${(baselineMs / 1000).toFixed(1)} s`);

    const originals = new Map<string, string>();
    const originalOf = (abs: string) => {
      const text = originals.get(abs) ?? readFileSync(abs, 'utf8');
      originals.set(abs, text);
      return text;
    };
    /** Runs `tests` with `m` applied; the file is restored afterwards. */
    const evaluate = async (m: Mutant, tests: string[]): Promise<Omit<Outcome, keyof Mutant>> => {
      const abs = join(dir, m.file);
      const original = originalOf(abs);
      const started = Date.now();
      writeFileSync(abs, original.slice(0, m.start) + m.replacement + original.slice(m.end));
      const budget = tests.reduce((s, t) => s + (durations.get(t) ?? 2000), 0);
      const timeout = Math.max(args.timeout, 4 * budget + 10_000);
      stale.add(abs);
      const invalidate = takeStale();
      try {
        const res = await runner.run({ id: m.id, tests, invalidate }, timeout);
        const ms = Date.now() - started;
        if (res === 'timeout') return { status: 'timeout', ms };
        if (res.failed.length || res.errors) {
          return { status: 'killed', killedBy: res.failed[0] && relative(dir, res.failed[0]), ms };
        }
        return { status: 'survived', ms };
      } finally {
        writeFileSync(abs, original);
        stale.add(abs);
      }
    };
    /**
     * With --lazy-baseline, a test file that kills a mutant must pass unmutated: checked on its
     * first kill; a file that fails unmutated is left out and the mutant runs again without it
     * (`none` is the status when no test file is left).
     */
    const confirmed = async (
      m: Mutant,
      tests: string[],
      result: Omit<Outcome, keyof Mutant>,
      none: Status,
    ): Promise<Omit<Outcome, keyof Mutant>> => {
      let r = result;
      while (args.lazyBaseline && r.status === 'killed' && r.killedBy) {
        const killer = join(dir, r.killedBy);
        if (durations.has(killer)) break;
        await baseline([killer]);
        if (!broken.has(killer)) break;
        const rest = tests.filter((t) => !broken.has(t));
        r = rest.length ? await evaluate(m, rest) : { status: none, ms: r.ms };
      }
      return r;
    };
    const log = (tier: string, i: number, n: number, o: Outcome) =>
      console.error(
        `[${tier} ${i + 1}/${n}] ${o.status.padEnd(8)} ${o.file}:${o.line} ${o.operator} ${JSON.stringify(o.original.slice(0, 40))} → ${JSON.stringify(o.replacement.slice(0, 40))} (${(o.ms / 1000).toFixed(1)} s${o.killedBy ? `, ${o.killedBy}` : ''})`,
      );
    const save = (outcomes: Outcome[], done: boolean) => {
      const meta = {
        date: new Date().toISOString(),
        minutes: ((Date.now() - t0) / 60000).toFixed(1),
        sample: args.rerun
          ? `rerun of the ${mutants.length} survivors of ${args.rerun}`
          : args.limit > 0 && args.limit < total
            ? `sample of ${mutants.length}/${total} compilable-looking mutants, seed ${args.seed}`
            : `all ${total} compilable-looking mutants${args.limit > 0 ? `, random order, seed ${args.seed}` : ''}`,
        tests: args.tests,
        done,
        files: args.files,
      };
      writeFileSync(args.json, `${JSON.stringify({ ...meta, outcomes }, null, 2)}\n`);
      return meta;
    };

    // Tier 1: each mutant against the nearby test files (same area, closest importers).
    const outcomes: Outcome[] = known.map((m) => ({
      ...m,
      status: 'invalid',
      ms: 0,
      error: "'' where the type allows only other literals",
    }));
    // The type check of the next mutant runs while the tests of the current one do.
    let checked: string | undefined;
    const prechecked = new Map<number, { errors: string[]; ms: number }>();
    const precheck = (j: number) => {
      const m = mutants[j];
      if (m?.compile !== 'check' || prechecked.has(j)) return;
      const abs = join(dir, m.file);
      if (checked && checked !== abs) checker.errors(checked, undefined);
      checked = abs;
      const original = originalOf(abs);
      const t = Date.now();
      const errors = checker.errors(abs, original.slice(0, m.start) + m.replacement + original.slice(m.end));
      prechecked.set(j, { errors, ms: Date.now() - t });
    };
    for (const [i, m] of mutants.entries()) {
      const abs = join(dir, m.file);
      precheck(i);
      const { errors, ms: checkMs } = prechecked.get(i) ?? { errors: [], ms: 0 };
      prechecked.delete(i);
      const wanted = testsFor(dir, abs, reach, durations, broken);
      if (!args.lazyBaseline) await baseline(args.tests === 'all' ? wanted.all : wanted.near);
      const { near, all } = testsFor(dir, abs, reach, durations, broken);
      const tests = args.tests === 'all' ? all : near;
      let outcome: Outcome;
      if (errors.length) {
        outcome = { ...m, status: 'invalid', ms: checkMs, error: errors[0] };
      } else if (tests.length === 0) {
        outcome = { ...m, status: 'no-tests', ms: 0 };
      } else {
        const pending = evaluate(m, tests);
        // Let the run request go out before the (synchronous) check blocks this process.
        await new Promise((ok) => setTimeout(ok, 50));
        precheck(i + 1);
        outcome = { ...m, ...(await confirmed(m, tests, await pending, 'no-tests')) };
      }
      outcomes.push(outcome);
      log('near', i, mutants.length, outcome);
      save(outcomes, false);
    }
    // Tier 2: a survivor of the nearby tests gets every test file that reaches its file.
    if (args.tests === 'deep') {
      const survivors = outcomes.filter((o) => o.status === 'survived');
      for (const [i, o] of survivors.entries()) {
        if (!args.lazyBaseline) await baseline(testsFor(dir, join(dir, o.file), reach, durations, broken).all);
        const { near, all } = testsFor(dir, join(dir, o.file), reach, durations, broken);
        const rest = all.filter((t) => !near.includes(t));
        if (rest.length === 0) continue;
        const r = await confirmed(o, rest, await evaluate(o, rest), 'survived');
        Object.assign(o, r, { ms: o.ms + r.ms, tier: 'all' });
        log('all', i, survivors.length, o);
        save(outcomes, false);
      }
    }
    const meta = save(outcomes, true);
    const md = summary(outcomes, meta);
    if (args.md) writeFileSync(args.md, `${md}\n`);
    console.log(md);
  } finally {
    cleanup();
  }
}

if (process.argv[2] === '--runner') {
  await runner(process.argv[3] as string, Number(process.argv[4] ?? 1), process.argv[5] === 'isolate');
} else {
  await main();
}
