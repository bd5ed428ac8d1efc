/**
 * A static check of the rule of test/helpers/tools.ts: what needs an outside tool is skipped without it, and no
 * test passes by leaving its oracle out. Two findings, from the TypeScript syntax tree of the test files:
 *
 * - `unguarded`: a call that needs a tool (needTool(t), or a helper that calls it, such as makeKeys, followed
 *   through named functions and imports) where no skip for that tool guards it: not inside a
 *   `describe/it.skipIf(…)`/`runIf(…)` naming the tool, an `if`, `?:` or `&&` on it, or after an
 *   `if (…tool…) return` in the same block. Run without the tool, such a call fails instead of skipping.
 * - `silent`: a tool check (skipWithout, hasTool, requiredTool, or a const made from one) inside a test's body,
 *   other than `if (…) ctx.skip()`: the test then passes with less checked, or with nothing checked after a
 *   `return`.
 *
 * What needs a tool is known by name, so a guard is recognised by what it mentions, not by what it evaluates to;
 * good enough for the patterns the test files use, and kept honest by the cases in tools.test.ts.
 */
import ts from 'typescript';

export interface ToolGuardFinding {
  kind: 'unguarded' | 'silent';
  /** `file:line`. */
  where: string;
  tool: string;
  text: string;
}

const CHECKS = new Set(['skipWithout', 'hasTool', 'requiredTool']);
const TESTS = new Set(['it', 'test']);

type Fn = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

interface FileInfo {
  sf: ts.SourceFile;
  /** Named functions (declarations and consts holding one). */
  helpers: Map<string, Fn>;
  exported: Set<string>;
  /** Names imported from other test modules. */
  imported: Set<string>;
  /** Consts whose value comes from a tool check: name → tools. */
  toolConsts: Map<string, Set<string>>;
}

/** The name in its own declaration (`const x = …`, a parameter), not a use. */
const isDeclared = (x: ts.Identifier) =>
  (ts.isVariableDeclaration(x.parent) || ts.isParameter(x.parent) || ts.isFunctionDeclaration(x.parent)) &&
  x.parent.name === x;

/** The statement, or the first of a block (the one that decides whether the rest runs). */
const firstOf = (s: ts.Statement): ts.Statement => (ts.isBlock(s) ? (s.statements[0] ?? s) : s);

const isFn = (n: ts.Node): n is Fn =>
  ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n);

/** The identifier a call chain starts from: `it` for `it.skipIf(x).each(y)`. */
function rootName(e: ts.Expression): string | undefined {
  let x: ts.Expression = e;
  for (;;) {
    if (ts.isCallExpression(x)) x = x.expression;
    else if (ts.isPropertyAccessExpression(x)) x = x.expression;
    else return ts.isIdentifier(x) ? x.text : undefined;
  }
}

function calleeName(c: ts.CallExpression): string | undefined {
  return ts.isIdentifier(c.expression) ? c.expression.text : undefined;
}

/** The string argument of `skipWithout('x')`, `needTool('x')`. */
function toolArg(c: ts.CallExpression): string | undefined {
  const a = c.arguments[0];
  return a && ts.isStringLiteralLike(a) ? a.text : undefined;
}

function collect(sf: ts.SourceFile): FileInfo {
  const info: FileInfo = { sf, helpers: new Map(), exported: new Set(), imported: new Set(), toolConsts: new Map() };
  const exportedNode = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && n.moduleSpecifier.text.startsWith('.')) {
      const named = n.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) for (const s of named.elements) info.imported.add(s.name.text);
    }
    if (ts.isFunctionDeclaration(n) && n.name) {
      info.helpers.set(n.name.text, n);
      if (exportedNode(n)) info.exported.add(n.name.text);
    }
    if (ts.isVariableStatement(n) && exportedNode(n))
      for (const d of n.declarationList.declarations) if (ts.isIdentifier(d.name)) info.exported.add(d.name.text);
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      if (isFn(n.initializer)) info.helpers.set(n.name.text, n.initializer);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return info;
}

export function findToolGuardProblems(files: Array<{ name: string; text: string }>): ToolGuardFinding[] {
  const infos = new Map<string, FileInfo>();
  for (const f of files) infos.set(f.name, collect(ts.createSourceFile(f.name, f.text, ts.ScriptTarget.Latest, true)));

  // Resolution by name: this file's definition, else an exported one of another test module it imports.
  const exporters = new Map<string, FileInfo[]>();
  for (const i of infos.values()) for (const n of i.exported) exporters.set(n, [...(exporters.get(n) ?? []), i]);
  const resolve = <T>(file: FileInfo, name: string, pick: (i: FileInfo) => T | undefined): T[] => {
    const own = pick(file);
    if (own !== undefined) return [own];
    if (!file.imported.has(name)) return [];
    return (exporters.get(name) ?? []).map(pick).filter((x): x is T => x !== undefined);
  };

  // Tool consts, to a fixed point (a const may be made from another).
  const toolsIn = (file: FileInfo, n: ts.Node): Set<string> => {
    const out = new Set<string>();
    const visit = (x: ts.Node): void => {
      if (ts.isCallExpression(x) && CHECKS.has(calleeName(x) ?? '')) {
        const t = toolArg(x);
        if (t) out.add(t);
      } else if (ts.isIdentifier(x)) {
        for (const s of resolve(file, x.text, (i) => i.toolConsts.get(x.text))) for (const t of s) out.add(t);
      }
      ts.forEachChild(x, visit);
    };
    visit(n);
    return out;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const file of infos.values()) {
      const visit = (n: ts.Node): void => {
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && !isFn(n.initializer)) {
          const tools = toolsIn(file, n.initializer);
          const known = file.toolConsts.get(n.name.text);
          if (tools.size > (known?.size ?? 0)) {
            file.toolConsts.set(n.name.text, tools);
            changed = true;
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(file.sf);
    }
  }

  /** Whether `cond` mentions a check of `tool`. */
  const mentions = (file: FileInfo, cond: ts.Node, tool: string) => toolsIn(file, cond).has(tool);

  /** `if (cond) return …` or `if (cond) ctx.skip()`: nothing after it runs when cond holds. */
  const endsWhen = (s: ts.Statement): ts.Expression | undefined => {
    if (!ts.isIfStatement(s)) return undefined;
    const then = firstOf(s.thenStatement);
    if (ts.isReturnStatement(then)) return s.expression;
    if (ts.isExpressionStatement(then) && ts.isCallExpression(then.expression)) {
      const callee = then.expression.expression;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'skip') return s.expression;
    }
    return undefined;
  };

  /** Whether a skip for `tool` guards `node`, looking up to `stop` (a helper's function, or the file). */
  const guarded = (file: FileInfo, node: ts.Node, tool: string, stop: ts.Node): boolean => {
    let child: ts.Node = node;
    for (let p = node.parent; p && child !== stop; child = p, p = p.parent) {
      if (ts.isIfStatement(p) && child !== p.expression && mentions(file, p.expression, tool)) return true;
      if (ts.isConditionalExpression(p) && child !== p.condition && mentions(file, p.condition, tool)) return true;
      if (
        ts.isBinaryExpression(p) &&
        child === p.right &&
        (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ||
          p.operatorToken.kind === ts.SyntaxKind.BarBarToken) &&
        mentions(file, p.left, tool)
      )
        return true;
      if ((ts.isBlock(p) || ts.isSourceFile(p)) && ts.isStatement(child)) {
        const before = p.statements.slice(0, p.statements.indexOf(child));
        if (
          before.some((s) => {
            const cond = endsWhen(s);
            return cond !== undefined && mentions(file, cond, tool);
          })
        )
          return true;
      }
      if (isFn(child) && ts.isCallExpression(p) && p.arguments.includes(child as ts.Expression)) {
        // A callback of describe.skipIf(cond)(…), it.runIf(cond).each(…)(…): cond anywhere in the callee chain.
        for (let c: ts.Expression = p.expression; ts.isCallExpression(c) || ts.isPropertyAccessExpression(c); ) {
          if (ts.isCallExpression(c)) {
            const callee = c.expression;
            if (
              ts.isPropertyAccessExpression(callee) &&
              (callee.name.text === 'skipIf' || callee.name.text === 'runIf') &&
              c.arguments.some((a) => mentions(file, a, tool))
            )
              return true;
            c = callee;
          } else c = c.expression;
        }
      }
    }
    return false;
  };

  // What each named function needs, to a fixed point: the tools of the calls in it that nothing in it guards.
  const needs = new Map<Fn, Set<string>>();
  const toolsOfCall = (file: FileInfo, c: ts.CallExpression): Set<string> => {
    const name = calleeName(c);
    if (!name) return new Set();
    if (name === 'needTool') return new Set([toolArg(c) ?? '?']);
    const out = new Set<string>();
    for (const fn of resolve(file, name, (i) => i.helpers.get(name))) for (const t of needs.get(fn) ?? []) out.add(t);
    return out;
  };
  const callsIn = (n: ts.Node): ts.CallExpression[] => {
    const out: ts.CallExpression[] = [];
    const visit = (x: ts.Node): void => {
      if (ts.isCallExpression(x)) out.push(x);
      ts.forEachChild(x, visit);
    };
    visit(n);
    return out;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const file of infos.values())
      for (const fn of file.helpers.values()) {
        const known = needs.get(fn) ?? new Set<string>();
        for (const c of callsIn(fn))
          for (const t of toolsOfCall(file, c))
            if (!known.has(t) && !guarded(file, c, t, fn)) {
              known.add(t);
              changed = true;
            }
        needs.set(fn, known);
      }
  }

  const findings: ToolGuardFinding[] = [];
  for (const [name, file] of infos) {
    const where = (n: ts.Node) => `${name}:${file.sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const helperFns = new Set(file.helpers.values());
    const insideHelper = (n: ts.Node) => {
      for (let p = n.parent; p; p = p.parent) if (helperFns.has(p as Fn)) return true;
      return false;
    };
    // unguarded: calls outside named helpers (those are followed into their callers).
    for (const c of callsIn(file.sf)) {
      if (insideHelper(c)) continue;
      for (const t of toolsOfCall(file, c))
        if (!guarded(file, c, t, file.sf))
          findings.push({ kind: 'unguarded', where: where(c), tool: t, text: c.getText().slice(0, 80) });
    }
    // silent: tool checks in the body of an it()/test().
    for (const c of callsIn(file.sf)) {
      if (!TESTS.has(rootName(c.expression) ?? '')) continue;
      for (const body of c.arguments) {
        if (!ts.isArrowFunction(body) && !ts.isFunctionExpression(body)) continue;
        const visit = (x: ts.Node): void => {
          // if (…) ctx.skip(): a real skip, its condition is no finding.
          if (ts.isIfStatement(x) && endsWhen(x) && !ts.isReturnStatement(firstOf(x.thenStatement))) {
            ts.forEachChild(x.thenStatement, visit);
            return;
          }
          const tools =
            ts.isCallExpression(x) && CHECKS.has(calleeName(x) ?? '')
              ? new Set([toolArg(x) ?? '?'])
              : ts.isIdentifier(x) && !(ts.isCallExpression(x.parent) && x.parent.expression === x) && !isDeclared(x)
                ? toolsIn(file, x)
                : new Set<string>();
          if (tools.size > 0) {
            findings.push({
              kind: 'silent',
              where: where(x),
              tool: [...tools].join(','),
              text: x.parent.getText().slice(0, 80),
            });
            return;
          }
          ts.forEachChild(x, visit);
        };
        visit(body.body);
      }
    }
  }
  return findings;
}
