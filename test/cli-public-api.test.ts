import { readdirSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * The CLI calls the public API: what `sandan` does, a program importing sandan can do. Each name the CLI imports from a
 * domain folder (model, rules, tax, xml, sign, quota, reconcile, emulator) is exported by the package (`sandan` or
 * `sandan/emulator`), wherever the CLI imports it from (a command imports the module itself, so that it loads only what
 * it uses). The leaves beside the domain (errors, time, io, redact) are the CLI's as much as anyone's. The exceptions are
 * named below with why; docs/architecture.md lists them.
 */

const DOMAIN = ['model', 'rules', 'tax', 'xml', 'sign', 'quota', 'reconcile', 'emulator'];

/** `module: names` the CLI may import though they are not public, each with why. */
const NOT_PUBLIC: Record<string, { names: readonly string[]; why: string }> = {
  'model/docs-url': {
    names: ['docsUrl'],
    why: "the web address of a docs page, for the CLI's hints and SARIF as for the library's messages (an installed package has no docs/)",
  },
  'model/guards': { names: ['isRecord'], why: 'a plain-object check (not an array, not null)' },
  'model/json-input': {
    names: [
      'duplicateKeyIssues',
      'emptyInputIssue',
      'inputIssue',
      'inputLayout',
      'readDocument',
      'recordAndText',
      'InputRecord',
    ],
    why: 'reading files of declarations (JSON, a JSON array, NDJSON) with their lines: the input edge the CLI shares with reconcileFiles; the keys a text gives twice, which only its text shows; the one maker of an input issue (rule `input`)',
  },
  'rules/stream': {
    names: ['byteLines', 'holdsRecord', 'mapRecords'],
    why: 'the same input edge: lines of a byte stream, and validating records in order a batch at a time',
  },
  'model/json-position': {
    names: ['duplicateKeys', 'jsonErrorOffset', 'lineColumnAt'],
    why: "where a file's JSON syntax error is, as a line and column for a message (locateJsonPath is public), and the keys a data file gives twice",
  },
  'model/utf8': {
    names: ['describeNotUtf8', 'notUtf8'],
    why: "where a file's bytes stop being UTF-8, for a message (the parsers report it themselves)",
  },
  'xml/safety': {
    names: ['xmlTooLarge', 'xmlCharsOnly', 'xmlBytesEncoding', 'decodeXmlBytes', 'codePointName'],
    why: "the parser's size refusal made before a file is read, the characters XML can hold (JUnit output), the encoding a file's declaration names with the one decoder for it (verify reads a GB18030 file, sign refuses one), and a character named as U+XXXX as the parser names it (a JSON file's syntax error)",
  },
  'emulator/settings': {
    names: ['DEFAULT_MAX_SCENARIOS'],
    why: "the engine's default of maxScenarios, which `sandan emulate --max-scenarios` shows as its default (one number, where the engine applies it)",
  },
  'sign/dxp-envelope': {
    names: ['envelopeToSign'],
    why: "the CEB message in a DxpMsg's Data and how to put it back signed: the one path signMessage takes too, which `sandan sign` walks step by step to name the file in its messages (verifyMessage opens a DxpMsg itself)",
  },
  'reconcile/status/detectors': {
    names: ['codeBesideStatus', 'relatedMessage'],
    why: "the status report's own wording (a receipt's code when it is not its status; the hint naming a group that shares an order's number), which its HTML page uses too, for `sandan status`'s text",
  },
  'tax/formula': {
    names: ['padPlaces'],
    why: "a figure with the places it has, at least two, as the tax JSON writes it, for `sandan tax`'s text table",
  },
  'quota/core': {
    names: ['beijingYear', 'orderLabel', 'parseInstant'],
    why: "option parsing and the ledger's order labels in the quota command's text",
  },
};

function cliImports(): { program: ts.Program; imports: Array<{ file: string; module: string; name: string }> } {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(`${dir}/${e.name}`) : e.name.endsWith('.ts') ? [`${dir}/${e.name}`] : [],
    );
  const cli = files('src/cli');
  const program = ts.createProgram(['src/index.ts', 'src/emulator/index.ts', ...cli], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    resolveJsonModule: true,
    noEmit: true,
  });
  const imports: Array<{ file: string; module: string; name: string }> = [];
  for (const file of cli) {
    const sf = program.getSourceFile(file)!;
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      const resolved = ts.resolveModuleName(st.moduleSpecifier.text, file, program.getCompilerOptions(), ts.sys)
        .resolvedModule?.resolvedFileName;
      const module = resolved?.match(/(?:^|\/)src\/(.+)\.ts$/)?.[1];
      if (module === undefined || !DOMAIN.includes(module.split('/')[0]!)) continue;
      const bindings = st.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements) imports.push({ file, module, name: (el.propertyName ?? el.name).text });
    }
  }
  return { program, imports };
}

/** The names the package exports, as its entry points (src/index.ts, src/emulator/index.ts) give them. */
function publicNames(program: ts.Program): Set<string> {
  const checker = program.getTypeChecker();
  const names = new Set<string>();
  for (const entry of ['src/index.ts', 'src/emulator/index.ts'])
    for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!))
      names.add(s.name);
  return names;
}

describe('the CLI calls the public API', () => {
  const { program, imports } = cliImports();
  const names = publicNames(program);

  it('imports from the domain folders only what the package exports, or a name listed with why', () => {
    const outside = imports
      .filter((i) => !names.has(i.name) && !NOT_PUBLIC[i.module]?.names.includes(i.name))
      .map((i) => `${i.file}: ${i.name} from ${i.module}`);
    expect(outside).toEqual([]);
  });

  it('lists no exception it does not use, nor one that is public by now', () => {
    const used = new Set(imports.map((i) => `${i.module}:${i.name}`));
    const stale = Object.entries(NOT_PUBLIC).flatMap(([module, { names: listed }]) =>
      listed.filter((n) => !used.has(`${module}:${n}`) || names.has(n)).map((n) => `${module}:${n}`),
    );
    expect(stale).toEqual([]);
  });

  it('sees the imports (the check itself works)', () => {
    expect(imports.length).toBeGreaterThan(50);
    expect(imports).toContainEqual({
      file: 'src/cli/reconcile-command.ts',
      module: 'reconcile/index',
      name: 'statusInputsOfMessage',
    });
    expect(names.has('statusInputsOfMessage')).toBe(true);
    expect(names.has('emptyInputIssue')).toBe(false);
  });
});
