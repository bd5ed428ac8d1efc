/**
 * Every TypeScript and JavaScript code block in README.md and docs/*.md type-checks the way a new user's project
 * would compile it: a throwaway project (test/helpers/consumer.ts) of `"type": "module"` with the tsconfig that
 * `tsc --init` writes (TypeScript 5.9: strict, module NodeNext, noUncheckedIndexedAccess,
 * exactOptionalPropertyTypes, verbatimModuleSyntax, moduleDetection force, skipLibCheck) plus @types/node, importing
 * `sandan` and its subpaths by name through node_modules/sandan, a symlink to this checkout (as `npm link` makes): so
 * the package.json "exports" map and the built declarations in dist/ are what the snippets see. (The packed tarball's
 * completeness is test/packaging/consumers.test.ts's business.) Needs a fresh dist/ (vitest's global setup builds it).
 *
 * All snippets compile in one TypeScript program, each as its own module file (src/<doc>-L<line>.ts), and every file
 * gets its syntactic and semantic check (tsc itself would stop at the first file with a syntax error), with the
 * diagnostics mapped back to the doc's own lines: `docs/tax.md:12:7 error TS2345: …`.
 *
 * Which blocks: fences whose info string starts with ts, typescript, mts, cts (compiled as .ts, .mts, .cts), js,
 * javascript, mjs (as .mjs) or cjs (as .cjs). JavaScript is type-checked too (checkJs), not only parsed: a JS snippet
 * that imports a name sandan does not export, or passes an option of the wrong shape, is as wrong for its reader as a
 * TS one, and checkJs finds that without annotations (it reports no implicit any in JS).
 *
 * Markers, in HTML comments (invisible on GitHub) on the lines just above a fence (blank lines may separate them):
 *
 * - `<!-- snippet: no-compile (why) -->` leaves the block out. The reason in parentheses is required. Prefer making
 *   the block compile: a block that is left out rots unseen.
 * - `<!-- snippet: prelude` … `-->` : TypeScript put before the block in its module and hidden from readers, for the
 *   names the prose gives the reader (`declare const keyPem: string;`, `declare const declaration: unknown;`).
 *
 * - `<!-- snippet: output` … `-->` : what the block prints (standard output, exactly) when it is run. A block with one
 *   is also run: transpiled and executed by Node, importing `sandan` through the same link, in a folder that holds
 *   what a reader following the docs has: `examples/` (a link to the repository's, so `examples/…` paths resolve) and
 *   the copies getting-started.md tells the reader to make (RUN_FILES: `order.json`, `rates.json`). For blocks that need no prelude (a prelude only declares): the figures a block's
 *   comments show (`// 9.18 0.83 0.01 false`) were compiled, never checked.
 *
 * Any other `snippet:` marker fails the test (a misspelt opt-out would otherwise be ignored in silence).
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, diagnosticsByFile, NEW_PROJECT_COMPILER_OPTIONS, ROOT } from './helpers/consumer.js';

const EXTENSIONS: Record<string, string> = {
  ts: 'ts',
  typescript: 'ts',
  mts: 'mts',
  cts: 'cts',
  js: 'mjs',
  javascript: 'mjs',
  mjs: 'mjs',
  cjs: 'cjs',
};

interface Snippet {
  /** README.md or docs/x.md */
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The module compiled: prelude, then the block. */
  source: string;
  /** For each line of `source`, its 1-based line in the doc. */
  docLines: number[];
  /** How many of `source`'s lines are the prelude. */
  preludeLines: number;
  /** Columns of the block's lines are shifted by the fence's indent. */
  indent: number;
  file: string;
  /** Top-level `interface X` / `type X =` declarations of the block, with their doc lines. */
  shapes: Array<{ name: string; line: number }>;
  /** Set when the block is opted out. */
  skip?: string;
  /** What the block prints when run (`snippet: output`). */
  output?: string;
}

interface Marker {
  line: number;
  text: string;
}

/** The HTML comments just above line index `at` (blank lines between them allowed), nearest last. */
function markersAbove(lines: string[], at: number): Marker[] {
  const found: Marker[] = [];
  let i = at - 1;
  for (;;) {
    while (i >= 0 && lines[i]!.trim() === '') i--;
    if (i < 0 || !lines[i]!.trimEnd().endsWith('-->')) break;
    const end = i;
    while (i >= 0 && !lines[i]!.includes('<!--')) i--;
    if (i < 0) break;
    found.unshift({ line: i + 1, text: lines.slice(i, end + 1).join('\n') });
    i--;
  }
  return found;
}

function extractSnippets(doc: string, text: string): { snippets: Snippet[]; problems: string[] } {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const [, indentText, fence, info] = open as unknown as [string, string, string, string];
    const indent = indentText.length;
    let close = i + 1;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (close < lines.length && !closing.test(lines[close]!)) close++;
    const lang = info.toLowerCase();
    const ext = EXTENSIONS[lang];
    if (ext) {
      const snippet: Snippet = {
        doc,
        line: i + 1,
        lang,
        source: '',
        docLines: [],
        preludeLines: 0,
        indent,
        file: `src/${doc.replace(/[^A-Za-z0-9]+/g, '-')}-L${i + 1}.${ext}`,
        shapes: [],
      };
      const prelude: string[] = [];
      for (const m of markersAbove(lines, i)) {
        const directive = /^<!--\s*snippet:\s*(\S+)/.exec(m.text);
        if (!directive) continue;
        const kind = directive[1]!;
        if (kind === 'no-compile') {
          const why = /^<!--\s*snippet:\s*no-compile\s*\(([^)]+)\)\s*-->$/.exec(m.text);
          if (why) snippet.skip = why[1]!.trim();
          else problems.push(`${doc}:${m.line}: no-compile needs a reason: <!-- snippet: no-compile (why) -->`);
        } else if (kind === 'prelude') {
          const body = m.text.split('\n');
          if (body.length < 3 || body[0]!.trim() !== '<!-- snippet: prelude' || body.at(-1)!.trim() !== '-->')
            problems.push(`${doc}:${m.line}: a prelude is "<!-- snippet: prelude", its code lines, then "-->" alone`);
          else
            body.slice(1, -1).forEach((l, k) => {
              prelude.push(l);
              snippet.docLines.push(m.line + 1 + k);
            });
        } else if (kind === 'output') {
          const body = m.text.split('\n');
          if (body.length < 3 || body[0]!.trim() !== '<!-- snippet: output' || body.at(-1)!.trim() !== '-->')
            problems.push(`${doc}:${m.line}: an output is "<!-- snippet: output", the lines printed, then "-->" alone`);
          else snippet.output = `${body.slice(1, -1).join('\n')}\n`;
        } else problems.push(`${doc}:${m.line}: unknown marker "snippet: ${kind}" (no-compile, prelude or output)`);
      }
      const block = lines.slice(i + 1, close).map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length)));
      block.forEach((l, k) => {
        snippet.docLines.push(i + 2 + k);
        const shape = /^(?:export\s+)?(?:interface|type)\s+([A-Za-z_$][\w$]*)\s*(?:=|\{|extends\b)/.exec(l);
        if (shape) snippet.shapes.push({ name: shape[1]!, line: i + 2 + k });
      });
      if (snippet.output !== undefined && prelude.length > 0)
        problems.push(
          `${doc}:${i + 1}: a block with an output is run, so it may have no prelude (its names are declared only)`,
        );
      snippet.preludeLines = prelude.length;
      snippet.source = `${[...prelude, ...block].join('\n')}\n`;
      snippets.push(snippet);
    } else if (markersAbove(lines, i).some((m) => /^<!--\s*snippet:/.test(m.text)))
      problems.push(`${doc}:${i + 1}: a snippet marker above a \`\`\`${info} block, which is not compiled`);
    i = close;
  }
  return { snippets, problems };
}

const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const extracted = DOCS.map((doc) => extractSnippets(doc, readFileSync(join(ROOT, doc), 'utf8')));
const SNIPPETS = extracted.flatMap((e) => e.snippets);
const COMPILED = SNIPPETS.filter((s) => s.skip === undefined);

/**
 * The names `sandan` exports, types included: the `export { a as Name, type Other, … }` lists of tsup's
 * dist/index.d.ts (a test below checks that a few known names are found, should that layout change).
 */
function rootExports(): Set<string> {
  const dts = readFileSync(join(ROOT, 'dist', 'index.d.ts'), 'utf8');
  const lists = [...dts.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) => m[1]!.split(','));
  return new Set(
    lists
      .map(
        (n) =>
          n
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)
            .at(-1)!,
      )
      .filter(Boolean),
  );
}

/**
 * A block that shows the shape of one of sandan's own types (`interface Signer { … }`, `type VerifyResult = …`, a
 * name sandan exports) must describe the real one: each is assignable to the other (so an optional field shown as
 * required, a missing field or a wrong field type fails; `readonly` and comments may differ). The check is
 * appended to the block's module, its lines reported at the declaration's line.
 */
function withShapeChecks(s: Snippet, exported: Set<string>): Snippet {
  const shapes = s.shapes.filter((x) => exported.has(x.name));
  if (shapes.length === 0) return s;
  const extra = [
    "import type * as sandan__ from 'sandan';",
    ...shapes.flatMap(({ name }) => [
      `declare const shown__${name}: ${name};`,
      `export const real__${name}: sandan__.${name} = shown__${name}; // the block's ${name} is sandan's`,
      `declare const realValue__${name}: sandan__.${name};`,
      `export const shownValue__${name}: ${name} = realValue__${name}; // sandan's ${name} is the block's`,
    ]),
  ];
  const lines = [s.shapes[0]!.line, ...shapes.flatMap((x) => [x.line, x.line, x.line, x.line])];
  return { ...s, source: `${s.source}${extra.join('\n')}\n`, docLines: [...s.docLines, ...lines] };
}
const SKIPPED = SNIPPETS.filter((s) => s.skip !== undefined);

/** Diagnostics by snippet file, told in the doc's terms: `docs/tax.md:12:7 error TS2345: …`. */
function inDocTerms(byFile: Map<string, string[]>, compiled: Snippet[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [file, lines] of byFile) {
    const s = compiled.find((x) => x.file === file);
    out.set(
      s ? file : '',
      lines.map((l) => {
        const d = /^\((\d+),(\d+)\): ([\s\S]*)$/.exec(l);
        if (!s || !d) return l;
        const line = Number(d[1]);
        return `${s.doc}:${s.docLines[line - 1] ?? '?'}:${Number(d[2]) + (line > s.preludeLines ? s.indent : 0)} ${d[3]}`;
      }),
    );
  }
  return out;
}

/**
 * The files getting-started.md ("In code") tells the reader to copy from examples/ before trying its code, by the
 * names the code reads.
 */
const RUN_FILES: Record<string, string> = {
  'order.json': 'examples/hangzhou-1210.json',
  'rates.json': 'examples/rates.example.json',
};

let work: string;
/** Where the blocks with an output are run (see RUN_FILES). */
let runDir: string;
let diagnostics: Map<string, string[]>;
let exported: Set<string>;

beforeAll(() => {
  exported = rootExports();
  const compiled = COMPILED.map((s) => withShapeChecks(s, exported));
  work = mkdtempSync(join(tmpdir(), 'sandan-doc-snippets-'));
  createConsumer(work, {
    type: 'module',
    sandan: 'link',
    // A new user's tsconfig (the docs use process, Buffer, fetch: Node's types), and the JavaScript blocks.
    compilerOptions: { ...NEW_PROJECT_COMPILER_OPTIONS, allowJs: true, checkJs: true },
    files: Object.fromEntries(compiled.map((s) => [s.file, s.source])),
  });
  diagnostics = inDocTerms(diagnosticsByFile(work), compiled);
  runDir = join(work, 'run');
  mkdirSync(runDir);
  symlinkSync(join(ROOT, 'examples'), join(runDir, 'examples'), 'dir');
  for (const [name, from] of Object.entries(RUN_FILES)) copyFileSync(join(ROOT, from), join(runDir, name));
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('code blocks in README.md and docs/*.md', () => {
  it('are found, and every snippet marker is well-formed and says why a block is left out', () => {
    expect(extracted.flatMap((e) => e.problems)).toEqual([]);
    expect(COMPILED.length).toBeGreaterThanOrEqual(15);
    // Each opt-out is listed by the test run (it.each below), with its reason.
    for (const s of SKIPPED) expect(s.skip!.length, `${s.doc}:${s.line}`).toBeGreaterThan(3);
  });

  it('marker parsing: reasons, preludes, line numbers and typos', () => {
    const { snippets, problems } = extractSnippets(
      'x.md',
      [
        '<!-- snippet: no-compile (shell, not TypeScript) -->',
        '```ts',
        'npm i sandan',
        '```',
        '<!-- snippet: prelude',
        'declare const a: string;',
        '-->',
        '',
        '  ```ts title="x"',
        '  a.length;',
        '  ```',
        '<!-- snippet: nocompile -->',
        '```js',
        '```',
        '<!-- snippet: no-compile -->',
        '```sh',
        '```',
      ].join('\n'),
    );
    expect(snippets.map((s) => [s.line, s.skip, s.source, s.docLines, s.file])).toEqual([
      [2, 'shell, not TypeScript', 'npm i sandan\n', [3], 'src/x-md-L2.ts'],
      [9, undefined, 'declare const a: string;\na.length;\n', [6, 10], 'src/x-md-L9.ts'],
      [13, undefined, '\n', [], 'src/x-md-L13.mjs'],
    ]);
    expect(problems).toEqual([
      'x.md:12: unknown marker "snippet: nocompile" (no-compile, prelude or output)',
      'x.md:16: a snippet marker above a ```sh block, which is not compiled',
    ]);
  });

  it('marker parsing: an output, and an output beside a prelude (which a run cannot give)', () => {
    const { snippets, problems } = extractSnippets(
      'y.md',
      [
        '<!-- snippet: output',
        '1 2',
        '-->',
        '```ts',
        'console.log(1, 2);',
        '```',
        '<!-- snippet: prelude',
        'declare const a: number;',
        '-->',
        '<!-- snippet: output',
        '1',
        '-->',
        '```ts',
        'console.log(a);',
        '```',
      ].join('\n'),
    );
    expect(snippets.map((s) => [s.line, s.output])).toEqual([
      [4, '1 2\n'],
      [13, '1\n'],
    ]);
    expect(problems).toEqual([
      'y.md:13: a block with an output is run, so it may have no prelude (its names are declared only)',
    ]);
  });

  it('knows the names sandan exports, for the blocks that show one of its types', () => {
    expect(
      [...exported].filter((n) => ['validate', 'Signer', 'VerifyResult', 'QuotaReceipt'].includes(n)),
    ).toHaveLength(4);
  });

  it('TypeScript reports nothing outside the snippets (tsconfig, declarations)', () => {
    expect(diagnostics.get('') ?? []).toEqual([]);
  }, 60_000);

  it.each(COMPILED.map((s) => [`${s.doc}:${s.line}`, s.lang, s] as const))(
    '%s (```%s) compiles',
    (_where, _lang, s) => {
      const found = diagnostics.get(s.file) ?? [];
      expect(found, `${s.doc}:${s.line}: the \`\`\`${s.lang} block does not compile:\n${found.join('\n')}\n`).toEqual(
        [],
      );
    },
    60_000,
  );

  const RUN = COMPILED.filter((s) => s.output !== undefined);

  it('some blocks are run, their output checked', () => {
    expect(RUN.length).toBeGreaterThanOrEqual(3);
  });

  it('the files the blocks are run beside are the copies getting-started.md tells the reader to make', () => {
    const text = readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8');
    for (const [name, from] of Object.entries(RUN_FILES))
      expect(text).toContain(`\`cp node_modules/sandan/${from} ${name}\``);
  });

  it('the JSON files a block reads by name are ones a reader has: those copies, or a file sandan ships in examples/', () => {
    // tax.md read 'my-rates.json', which nothing told the reader to make (getting-started.md copies rates.json).
    const unknown: string[] = [];
    for (const s of COMPILED)
      for (const [, name = ''] of s.source
        .slice(s.source.split('\n', s.preludeLines).join('\n').length)
        .matchAll(/readFile(?:Sync)?\(\s*'([^']+\.json)'/g))
        if (!(name in RUN_FILES) && !(name.startsWith('examples/') && existsSync(join(ROOT, name))))
          unknown.push(`${s.doc}:${s.line} ${name}`);
    expect(unknown).toEqual([]);
  });

  it.each(RUN.map((s) => [`${s.doc}:${s.line}`, s] as const))(
    '%s prints what its output marker shows',
    (_where, s) => {
      const js = ts.transpileModule(s.source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const file = join(work, `${s.file.replace(/\.[a-z]+$/, '')}.run.mjs`);
      writeFileSync(file, js);
      const r = spawnSync(process.execPath, [file], { cwd: runDir, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout, `${s.doc}:${s.line}: the block printed something else`).toBe(s.output);
    },
    60_000,
  );

  it.skipIf(SKIPPED.length === 0).each(SKIPPED.map((s) => [`${s.doc}:${s.line}`, s.skip] as const))(
    '%s is not compiled: %s',
    () => {},
  );
});
