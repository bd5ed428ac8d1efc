/**
 * One process, two copies of sandan: the ESM build (import) and the CommonJS build (require),
 * as happens when an ESM app uses a CommonJS library that depends on sandan. `instanceof
 * SandanError` must hold across them. Runs in a plain node child process (vitest's own module
 * loader would not be the Node one), loading every entry point through the package's own
 * "exports" map (self-reference by name), so the conditions in package.json are exercised too.
 * Needs a fresh dist/ (vitest's global setup builds it).
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRIES = [
  'sandan',
  'sandan/model',
  'sandan/rules',
  'sandan/tax',
  'sandan/xml',
  'sandan/sign',
  'sandan/quota',
  'sandan/quota/sqlite',
  'sandan/quota/postgres',
  'sandan/emulator',
];

const SCRIPT = `
import { createRequire } from 'node:module';
import util from 'node:util';
const require = createRequire(process.cwd() + '/package.json');
const entries = ${JSON.stringify(ENTRIES)};
const copies = [];
for (const name of entries) {
  copies.push({ name: name + ' (import)', mod: await import(name), file: import.meta.resolve(name) });
  copies.push({ name: name + ' (require)', mod: require(name), file: require.resolve(name) });
}
const out = { files: copies.map((c) => c.file.replace(/^.*\\/dist\\//, 'dist/')), missing: [], matrix: [], guard: [] };
// A class or function exported under another name than its own prints so (console.log(store) was "_class {}" in the
// CommonJS build, whose class fields are lowered): the aliases are Dec (decimal.js's Decimal) and payExAmountJson.
out.misnamed = copies.flatMap((c) =>
  Object.entries(c.mod)
    .filter(([k, v]) => typeof v === 'function' && v.name !== k && k !== 'Dec' && k !== 'payExAmountJson')
    .map(([k, v]) => c.name + ': ' + k + ' is named ' + v.name),
);
for (const c of copies) if (typeof c.mod.SandanError !== 'function' || typeof c.mod.isSandanError !== 'function') out.missing.push(c.name);
const classes = copies.filter((c) => typeof c.mod.SandanError === 'function');
// Every class recognises an error made by every class (its own copy and the others).
for (const made of classes) {
  const err = new made.mod.SandanError('INVALID_OPTION', 'made by ' + made.name);
  for (const asked of classes) {
    if (!(err instanceof asked.mod.SandanError)) out.matrix.push(made.name + ' -> ' + asked.name);
    if (!asked.mod.isSandanError(err)) out.guard.push(made.name + ' -> ' + asked.name);
  }
}
const esm = await import('sandan');
const cjs = require('sandan');
// A real failure thrown by one copy, caught by the other.
const thrown = (f) => { try { f(); } catch (e) { return e; } };
const fromCjs = thrown(() => cjs.parseCebXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>'));
const fromEsm = thrown(() => esm.parseCebXml('<!DOCTYPE x [<!ENTITY a "b">]><x/>'));
class Sub extends esm.SandanError {}
out.facts = {
  distinctClasses: esm.SandanError !== cjs.SandanError,
  cjsThrownCode: fromCjs && fromCjs.code,
  cjsThrownIsEsm: fromCjs instanceof esm.SandanError,
  esmThrownIsCjs: fromEsm instanceof cjs.SandanError,
  plainError: new Error('x') instanceof esm.SandanError || new Error('x') instanceof cjs.SandanError,
  lookalike: ({ name: 'SandanError', code: 'XML_MALFORMED', message: 'x' }) instanceof esm.SandanError,
  nullish: esm.isSandanError(null) || esm.isSandanError(undefined) || esm.isSandanError('SandanError'),
  subIsSub: new Sub('INVALID_OPTION', 'x') instanceof Sub,
  subIsCjs: new Sub('INVALID_OPTION', 'x') instanceof cjs.SandanError,
  baseIsSub: new cjs.SandanError('INVALID_OPTION', 'x') instanceof Sub,
  // How Node prints an uncaught one: by the constructor's name, which the build had made _SandanError.
  printed: [fromCjs, fromEsm].map((e) => util.inspect(e).split(':')[0]),
  className: [cjs.SandanError.name, esm.SandanError.name, Sub.name],
};
console.log(JSON.stringify(out));
`;

describe('SandanError across the ESM and CommonJS copies in one process', () => {
  it('every entry point exports SandanError, and every copy recognises every other copy’s errors', () => {
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: root, encoding: 'utf8' }),
    ) as {
      files: string[];
      missing: string[];
      matrix: string[];
      guard: string[];
      misnamed: string[];
      facts: Record<string, unknown>;
    };
    // The exports map sends import to .js and require to .cjs: two real copies.
    expect(out.files).toEqual(
      ENTRIES.flatMap((e) => {
        const base =
          e === 'sandan'
            ? 'index'
            : e.endsWith('sqlite') || e.endsWith('postgres')
              ? e.slice('sandan/'.length)
              : `${e.slice('sandan/'.length)}/index`;
        return [`dist/${base}.js`, `dist/${base}.cjs`];
      }),
    );
    expect(out.missing).toEqual([]);
    expect(out.matrix).toEqual([]);
    expect(out.guard).toEqual([]);
    expect(out.misnamed).toEqual([]);
    expect(out.facts).toEqual({
      distinctClasses: true,
      cjsThrownCode: 'XML_MALFORMED',
      cjsThrownIsEsm: true,
      esmThrownIsCjs: true,
      plainError: false,
      lookalike: false,
      nullish: false,
      subIsSub: true,
      subIsCjs: true,
      baseIsSub: false,
      printed: ['SandanError', 'SandanError'],
      className: ['SandanError', 'SandanError', 'Sub'],
    });
  }, 60_000);
});
