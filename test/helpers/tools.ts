/**
 * External tools some tests use as outside oracles. A test that needs one runs when it is present and is skipped,
 * with a one-line notice, when it is not, so a plain clone passes `npm test` with Node alone:
 *
 *   describe.skipIf(skipWithout('xmlsec1'))('… with xmlsec1', () => {
 *     beforeAll(() => needTool('xmlsec1')); // runs only when required: fails with the install hint
 *     …
 *   });
 *
 * A hook that makes what such tests use (makeKeys) skips with them: `if (skipWithout('openssl')) return;`. A test
 * that needs a tool for one of its checks only does that check in a test of its own under
 * `it.skipIf(skipWithout(tool))` (or calls `ctx.skip()`), never behind `if (hasTool(tool))` or an early `return`,
 * which pass with less checked. test/helpers/tool-guards.ts finds both in the test files (tools.test.ts).
 *
 * Environment:
 * - SANDAN_TEST_HIDE_TOOLS=xmlsec1,xmllint (or `all`): treat these tools as missing, to try the skips.
 * - SANDAN_TEST_REQUIRE_TOOLS=xmllint,xmlsec1 (or `all`): never skip for these; a test that needs a missing one fails
 *   with the install hint instead. The project's CI sets it, so the oracles cannot drop out unnoticed there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type Tool = 'xmllint' | 'xmlsec1' | 'openssl' | 'postgres' | 'chromium';

interface ToolInfo {
  /** What the tests use it for. */
  role: string;
  /** How to get it. */
  hint: string;
  probe(): boolean;
}

const runs = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

const TOOLS: Record<Tool, ToolInfo> = {
  xmllint: {
    role: 'second XSD validator',
    hint: 'apt-get install -y libxml2-utils',
    probe: () => runs('xmllint', ['--version']),
  },
  xmlsec1: { role: 'XML-DSig oracle', hint: 'apt-get install -y xmlsec1', probe: () => runs('xmlsec1', ['--version']) },
  openssl: {
    role: 'test keys and SM2/SM3 oracle; needs OpenSSL 3 with SM2',
    hint: 'apt-get install -y openssl',
    // makeKeys() uses `-sigopt distid:…`, which OpenSSL 1.1.1 does not know, and SM2 keys, which some builds omit.
    probe: () => {
      const v = spawnSync('openssl', ['version'], { encoding: 'utf8' });
      const major = Number(/^OpenSSL (\d+)\./.exec(v.stdout ?? '')?.[1] ?? 0);
      return (
        v.status === 0 &&
        major >= 3 &&
        runs('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2'])
      );
    },
  },
  chromium: {
    role: 'real browser for the HTML reports (driven by playwright-core); CHROMIUM_PATH names another build',
    hint: 'apt-get install -y chromium',
    probe: () => existsSync(chromiumPath()) && runs(chromiumPath(), ['--version']),
  },
  postgres: {
    role: 'PostgreSQL server for the quota store, named by SANDAN_TEST_PG_URL',
    hint: 'eval "$(scripts/ci-postgres.sh)"',
    probe: () => Boolean(process.env.SANDAN_TEST_PG_URL),
  },
};

function listed(variable: string, tool: Tool): boolean {
  const names = (process.env[variable] ?? '').split(/[\s,]+/).filter(Boolean);
  return names.includes(tool) || names.includes('all');
}

const known = new Map<Tool, boolean>();

/** Why the tool is missing: hidden on purpose, or not installed (with how to get it). */
function whyMissing(tool: Tool): string {
  return listed('SANDAN_TEST_HIDE_TOOLS', tool)
    ? 'hidden by SANDAN_TEST_HIDE_TOOLS'
    : `not available (${TOOLS[tool].hint})`;
}

/** Whether the tool is usable here; the first time it is not, prints a one-line notice. */
export function hasTool(tool: Tool): boolean {
  let ok = known.get(tool);
  if (ok === undefined) {
    ok = !listed('SANDAN_TEST_HIDE_TOOLS', tool) && TOOLS[tool].probe();
    known.set(tool, ok);
    if (!ok) {
      const then = requiredTool(tool)
        ? 'tests that need it FAIL (SANDAN_TEST_REQUIRE_TOOLS)'
        : 'tests that need it are skipped';
      console.warn(`[sandan test] ${tool} (${TOOLS[tool].role}) is ${whyMissing(tool)}: ${then}`);
    }
  }
  return ok;
}

/** Whether SANDAN_TEST_REQUIRE_TOOLS forbids skipping for this tool. */
export function requiredTool(tool: Tool): boolean {
  return listed('SANDAN_TEST_REQUIRE_TOOLS', tool);
}

/** True when tests needing the tool should be skipped: it is missing and not required. */
export function skipWithout(tool: Tool): boolean {
  return !hasTool(tool) && !requiredTool(tool);
}

/**
 * Throws when the tool is missing. Call it first in a test or hook that `skipWithout(tool)` skips: it then runs
 * without the tool only when the tool is required, and fails with the install hint.
 */
export function needTool(tool: Tool): void {
  if (!hasTool(tool)) throw new Error(missingToolMessage(tool, requiredTool(tool)));
}

/** needTool's error: a required tool, or a test that reached the tool without a skip for it (a bug of the test). */
export function missingToolMessage(tool: Tool, required: boolean): string {
  const what = `${tool} (${TOOLS[tool].role}) is ${whyMissing(tool)}`;
  return required
    ? `${what}, and SANDAN_TEST_REQUIRE_TOOLS requires it`
    : `${what}, and this test needs it but is not skipped without it: guard it with skipWithout('${tool}') (test/helpers/tools.ts)`;
}

/** The Chromium executable the browser tests launch: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}
