import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findToolGuardProblems } from './tool-guards.js';
import { missingToolMessage } from './tools.js';

const TEST = fileURLToPath(new URL('..', import.meta.url));

describe('needTool', () => {
  it('blames SANDAN_TEST_REQUIRE_TOOLS only when it names the tool; else the test that does not skip', () => {
    expect(missingToolMessage('xmlsec1', true)).toMatch(
      /^xmlsec1 \(XML-DSig oracle\) is .*, and SANDAN_TEST_REQUIRE_TOOLS requires it$/,
    );
    const unguarded = missingToolMessage('xmlsec1', false);
    expect(unguarded).not.toContain('SANDAN_TEST_REQUIRE_TOOLS');
    expect(unguarded).toContain(
      "this test needs it but is not skipped without it: guard it with skipWithout('xmlsec1')",
    );
  });
});

/** The test tree's TypeScript, but the tool helper itself and the fixtures. */
function testSources(): Array<{ name: string; text: string }> {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = join(dir, e.name);
      if (e.isDirectory()) return e.name === 'fixtures' ? [] : walk(p);
      return e.name.endsWith('.ts') ? [p] : [];
    });
  return walk(TEST)
    .map((p) => ({ name: relative(TEST, p), text: readFileSync(p, 'utf8') }))
    .filter((f) => f.name !== join('helpers', 'tools.ts'));
}

describe('the test files skip what needs an outside tool (test/helpers/tool-guards.ts)', () => {
  it('no call needs a tool without a skip for it, and no test checks for a tool in its body', () => {
    const sources = testSources();
    expect(sources.length).toBeGreaterThan(200);
    expect(findToolGuardProblems(sources)).toEqual([]);
  });

  const check = (files: Record<string, string>) =>
    findToolGuardProblems(Object.entries(files).map(([name, text]) => ({ name, text }))).map(
      (f) => `${f.kind} ${f.tool} ${f.where}`,
    );
  const KEYS = `import { needTool } from './tools.js';\nexport function makeKeys() {\n  needTool('openssl');\n}\n`;

  it('finds the unguarded ones: a file hook beside a suite without the skip, through a helper of another file', () => {
    expect(
      check({
        'keys.ts': KEYS,
        'emulator.ts': "import { makeKeys } from './keys.js';\nexport const makeSigning = () => makeKeys();\n",
        'a.test.ts': [
          "import { makeSigning } from './emulator.js';",
          'beforeAll(() => {',
          '  makeSigning();',
          '});',
          "describe.skipIf(skipWithout('openssl'))('a', () => {});",
          "describe('b', () => {});",
        ].join('\n'),
        'b.test.ts': "import { makeKeys } from './keys.js';\ndescribe('c', () => { beforeAll(() => makeKeys()); });\n",
        'c.test.ts': "it.skipIf(skipWithout('xmllint'))('d', () => needTool('xmlsec1'));\n",
      }),
    ).toEqual(['unguarded openssl a.test.ts:3', 'unguarded openssl b.test.ts:2', 'unguarded xmlsec1 c.test.ts:1']);
  });

  it('accepts the skips: skipIf and runIf, the hook that returns first, a const, a conditional, ctx.skip()', () => {
    expect(
      check({
        'keys.ts': KEYS,
        'a.test.ts': [
          "import { makeKeys } from './keys.js';",
          "const NO_KEYS = skipWithout('openssl');",
          'beforeAll(() => {',
          "  if (skipWithout('openssl')) return;",
          '  makeKeys();',
          '});',
          'beforeAll(() => {',
          '  if (!NO_KEYS) makeKeys();',
          '});',
          "describe.skipIf(skipWithout('openssl'))('a', () => { beforeAll(() => makeKeys()); });",
          "it.skipIf(NO_KEYS || skipWithout('xmllint')).each([1])('b %i', () => needTool('openssl'));",
          "describe.runIf(requiredTool('postgres'))('c', () => { it('d', () => needTool('postgres')); });",
          "it('e', (ctx) => {\n  if (skipWithout('xmlsec1')) ctx.skip();\n  needTool('xmlsec1');\n});",
        ].join('\n'),
      }),
    ).toEqual([]);
  });

  it('finds the tests that pass silently: an early return, a conditional check, a flag made in the test', () => {
    expect(
      check({
        'a.test.ts': [
          "it('a', () => {\n  if (skipWithout('xmllint')) return;\n  needTool('xmllint');\n});",
          "it('b', () => {\n  if (!skipWithout('xmlsec1')) expect(1).toBe(1);\n});",
          "it('c', () => {\n  const xmllint = !hasTool('xmllint');\n});",
          "const XMLLINT = hasTool('xmllint');\nit('d', () => {\n  if (XMLLINT) expect(1).toBe(1);\n});",
        ].join('\n'),
      }),
    ).toEqual([
      'silent xmllint a.test.ts:2',
      'silent xmlsec1 a.test.ts:6',
      'silent xmllint a.test.ts:9',
      'silent xmllint a.test.ts:13',
    ]);
  });
});
