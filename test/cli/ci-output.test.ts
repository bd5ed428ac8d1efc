import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { pathFromRoot, reportPath } from '../../src/cli/formats/root-path.js';

// What a CI user meets: the built CLI (bin/sandan.js on dist/) as its own process, in a working directory of its own,
// its output a pipe as in a CI log.
const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');
const BAD = join(ROOT, 'test/fixtures/invalid-hangzhou.json');
const HZ = join(ROOT, 'examples/hangzhou-1210.json');
const ESC = /\u001b\[/;

/**
 * The environment of the test runner without the colour and GitHub variables (a developer's shell may set them, and a
 * GitHub runner sets GITHUB_WORKSPACE, from which the CI formats name files).
 */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'GITHUB_ACTIONS', 'GITHUB_WORKSPACE']) delete env[k];
  return { ...env, ...extra };
}

function sandan(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: plainEnv(env) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `file=` of each `::error`/`::warning` line, once each. */
const annotated = (stdout: string) => [
  ...new Set([...stdout.matchAll(/^::(?:error|warning) file=([^,]*),/gm)].map((m) => m[1])),
];

// (realpath: on macOS the temporary folder is a link, and the working directory a child sees is the real path)
const base = realpathSync(mkdtempSync(join(tmpdir(), 'sandan-ci-out-')));
const repo = join(base, 'shop');
const elsewhere = join(base, 'elsewhere');
mkdirSync(join(repo, 'in'), { recursive: true });
mkdirSync(join(repo, 'empty', 'node_modules'), { recursive: true });
mkdirSync(elsewhere);
copyFileSync(BAD, join(repo, 'in', 'bad.json'));
copyFileSync(BAD, join(repo, '..orders.json'));
copyFileSync(BAD, join(elsewhere, 'bad.json'));
// Only what a folder's walk passes over: a hidden file and node_modules.
copyFileSync(BAD, join(repo, 'empty', '.draft.json'));
copyFileSync(BAD, join(repo, 'empty', 'node_modules', 'x.json'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('--format github: each annotation names its file by the path from the working directory', () => {
  it('an absolute path inside it, or one with ./ or ../ that comes back into it, is written from it', () => {
    const r = sandan(
      ['validate', join(repo, 'in', 'bad.json'), join(repo, '..orders.json'), '--format', 'github', '--quiet'],
      repo,
    );
    expect(r.code).toBe(1);
    // Before: file=/tmp/…/shop/in/bad.json, which GitHub placed on no file of the pull request.
    expect(annotated(r.stdout)).toEqual(['in/bad.json', '..orders.json']);
    const rel = sandan(['validate', '../shop/in/bad.json', './..orders.json', '--format', 'github', '--quiet'], repo);
    expect(annotated(rel.stdout)).toEqual(['in/bad.json', '..orders.json']);
    // The same helper as SARIF's uris: one place decides the path.
    const sarif = JSON.parse(sandan(['validate', join(repo, 'in', 'bad.json'), '--format', 'sarif'], repo).stdout);
    const uris = sarif.runs[0].results.map(
      (x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) =>
        x.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect(new Set(uris)).toEqual(new Set(['in/bad.json']));
  });

  it('a file outside it is left as given: no path from the root names it', () => {
    const abs = sandan(['validate', join(elsewhere, 'bad.json'), '--format', 'github', '--quiet'], repo);
    expect(annotated(abs.stdout)).toEqual([join(elsewhere, 'bad.json')]);
    // From shop/in, `../..orders.json` is shop/..orders.json: outside shop/in, so as given.
    const up = sandan(
      ['validate', '../..orders.json', '../../elsewhere/bad.json', '--format', 'github'],
      join(repo, 'in'),
    );
    expect(annotated(up.stdout)).toEqual(['../..orders.json', '../../elsewhere/bad.json']);
  });

  it('reads only a first segment `..` as outside, on POSIX and Windows paths', () => {
    const root = '/home/runner/work/shop/shop';
    expect(pathFromRoot(`${root}/..orders.json`, false, root)).toBe('..orders.json');
    expect(pathFromRoot(`${root}/../shop2/a.json`, false, root)).toBe(`${root}/../shop2/a.json`);
    expect(pathFromRoot(`${root}/in/../a.json`, false, root)).toBe('a.json');
    expect(pathFromRoot('../shop/in/a.json', false, root)).toBe('in/a.json');
    expect(pathFromRoot('../shop2/a.json', false, root)).toBe('../shop2/a.json');
    expect(pathFromRoot('<stdin>', false, root)).toBe('<stdin>');
    // On POSIX a backslash is part of a name: `a\\b.json` is one file, not a/b.json.
    expect(pathFromRoot(`${root}/in/a\\b.json`, false, root)).toBe('in/a\\b.json');
    expect(pathFromRoot(`${root}/..\\b.json`, false, root)).toBe('..\\b.json');
    expect(pathFromRoot('C:\\a\\shop\\..in\\b.json', true, 'C:\\a\\shop')).toBe('..in/b.json');
    expect(pathFromRoot('..\\shop\\in\\b.json', true, 'C:\\a\\shop')).toBe('in/b.json');
    // Another drive has no path from the root.
    expect(pathFromRoot('D:/in/b.json', true, 'C:\\a\\shop')).toBe('D:/in/b.json');
  });
});

describe('GITHUB_WORKSPACE: a step with working-directory names files from the checkout, as GitHub places them', () => {
  // The checkout is `base`; the step runs in base/shop (working-directory: shop).
  const ws = { GITHUB_WORKSPACE: base };
  const sarifLocations = (stdout: string) => {
    const run = JSON.parse(stdout).runs[0];
    return {
      locations: [
        ...new Set(
          run.results.map((x: { locations: Array<{ physicalLocation: { artifactLocation: object } }> }) =>
            JSON.stringify(x.locations[0]!.physicalLocation.artifactLocation),
          ),
        ),
      ].map((j) => JSON.parse(j as string)),
      bases: run.originalUriBaseIds,
    };
  };

  it('github annotations, SARIF uris and JUnit files are paths from GITHUB_WORKSPACE', () => {
    // Before: file=in/bad.json, which GitHub looked for at the root of the repository.
    const gh = sandan(['validate', 'in/bad.json', join(repo, '..orders.json'), '--format', 'github'], repo, ws);
    expect(annotated(gh.stdout)).toEqual(['shop/in/bad.json', 'shop/..orders.json']);
    const sarif = sandan(['validate', './in/bad.json', '--format', 'sarif'], repo, ws);
    expect(sarifLocations(sarif.stdout)).toEqual({
      locations: [{ uri: 'shop/in/bad.json', uriBaseId: '%SRCROOT%' }],
      bases: { '%SRCROOT%': { uri: `${pathToFileURL(base).href}/` } },
    });
    const junit = sandan(['validate', 'in/bad.json', '--format', 'junit'], repo, ws);
    expect([...junit.stdout.matchAll(/ file="([^"]*)"/g)].map((m) => m[1])).toEqual(['shop/in/bad.json']);
  });

  it('without it, or for a file outside it, the path from the working directory (or as given outside that too)', () => {
    const none = sandan(['validate', 'in/bad.json', '--format', 'sarif'], repo);
    expect(sarifLocations(none.stdout)).toEqual({
      locations: [{ uri: 'in/bad.json', uriBaseId: '%SRCROOT%' }],
      bases: { '%SRCROOT%': { uri: `${pathToFileURL(repo).href}/` } },
    });
    // The workspace is shop/in: shop/..orders.json lies outside it, inside the working directory shop.
    const other = { GITHUB_WORKSPACE: join(repo, 'in') };
    const gh = sandan(['validate', 'in/bad.json', '..orders.json', BAD, '--format', 'github'], repo, other);
    expect(annotated(gh.stdout)).toEqual(['bad.json', '..orders.json', BAD]);
    const sarif = sandan(['validate', '..orders.json', BAD, '--format', 'sarif'], repo, other);
    expect(sarifLocations(sarif.stdout).locations).toEqual([
      { uri: '..orders.json', uriBaseId: 'WORKINGDIR' },
      { uri: BAD },
    ]);
  });

  it('reportPath: POSIX and Windows paths, a relative GITHUB_WORKSPACE, standard input', () => {
    const w = '/home/runner/work/shop/shop';
    expect(reportPath('in/a.json', { GITHUB_WORKSPACE: w }, false, `${w}/sub`)).toEqual({
      path: 'sub/in/a.json',
      root: w,
      workspace: true,
    });
    expect(reportPath('in/a.json', { GITHUB_WORKSPACE: '..' }, false, `${w}/sub`).path).toBe('sub/in/a.json');
    expect(reportPath('in/a.json', { GITHUB_WORKSPACE: '' }, false, `${w}/sub`).path).toBe('in/a.json');
    expect(reportPath('<stdin>', { GITHUB_WORKSPACE: w }, false, `${w}/sub`)).toEqual({ path: '<stdin>' });
    expect(reportPath('in\\a.json', { GITHUB_WORKSPACE: 'D:\\a\\shop' }, true, 'D:\\a\\shop\\sub').path).toBe(
      'sub/in/a.json',
    );
    expect(reportPath('C:\\x\\a.json', { GITHUB_WORKSPACE: 'D:\\a\\shop' }, true, 'D:\\a\\shop').path).toBe(
      'C:/x/a.json',
    );
  });
});

describe('JUnit names each file as the other CI formats do, not as the command line gave it', () => {
  it('an absolute path, or ./ and ../ that come back, is the path from the working directory', () => {
    for (const arg of [join(repo, 'in', 'bad.json'), './in/bad.json', '../shop/in/bad.json']) {
      const junit = sandan(['validate', arg, '--format', 'junit'], repo).stdout;
      // Before: file="/tmp/…/shop/in/bad.json" (as given), where GitHub's annotations had in/bad.json.
      expect([...junit.matchAll(/ (?:file|classname)="([^"]*)"/g)].map((m) => m[1])).toEqual([
        'in/bad.json',
        'in/bad.json',
      ]);
      expect(junit).toContain('<testcase name="in/bad.json:1 ');
      expect(junit).toMatch(/>in\/bad\.json:\d+:\d+: error \[/);
    }
  });
});

describe('colour: the text of validate and tax, and of no other output, follows the terminal, NO_COLOR and FORCE_COLOR', () => {
  /** The CLI in this process with standard output a terminal (a pipe cannot be one). */
  const onTerminal = async (args: string[], env: Record<string, string>) => {
    let out = '';
    const code = await main(args, {
      stdout: (t) => void (out += t),
      stderr: (t) => void (out += t),
      stdin: Readable.from([]),
      stderrIsTTY: false,
      stdoutIsTTY: true,
      env,
    });
    return { code, out };
  };

  it('on a terminal: colour, none with NO_COLOR, none with FORCE_COLOR=0 or false; FORCE_COLOR=1 wins over NO_COLOR', async () => {
    const coloured = async (env: Record<string, string>) => ESC.test((await onTerminal(['validate', BAD], env)).out);
    expect(await coloured({})).toBe(true);
    expect(await coloured({ NO_COLOR: '1' })).toBe(false);
    // Before: FORCE_COLOR=0 was read as "not forced" and the terminal coloured; `false` forced colour on.
    expect(await coloured({ FORCE_COLOR: '0' })).toBe(false);
    expect(await coloured({ FORCE_COLOR: 'false' })).toBe(false);
    expect(await coloured({ FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
  });

  it('reads FORCE_COLOR as Node does: 1, 2, 3, true or empty colour; 0, false or any other value none', async () => {
    const coloured = async (env: Record<string, string>) => ESC.test((await onTerminal(['validate', BAD], env)).out);
    for (const v of ['', '1', '2', '3', 'true'])
      expect([v, await coloured({ FORCE_COLOR: v, NO_COLOR: '1' })]).toEqual([v, true]);
    // Before: any value but 0 and false forced colour, where Node turns it off.
    for (const v of ['yes', '4', 'TRUE', 'no']) expect([v, await coloured({ FORCE_COLOR: v })]).toEqual([v, false]);
    expect(sandan(['validate', BAD], ROOT, { FORCE_COLOR: 'yes' }).stdout).not.toMatch(ESC);
    expect(sandan(['validate', BAD], ROOT, { FORCE_COLOR: '' }).stdout).toMatch(ESC);
  });

  it('into a pipe (a CI log, a file): none, unless FORCE_COLOR', () => {
    const piped = sandan(['validate', BAD], ROOT);
    expect([piped.code, ESC.test(piped.stdout), piped.stdout]).toEqual([1, false, expect.stringContaining('error')]);
    const forced = sandan(['validate', BAD], ROOT, { FORCE_COLOR: '1' });
    expect(forced.stdout).toMatch(/\u001b\[31minvalid: \d+ errors?, \d+ warnings?\u001b\[39m/);
    const tax = sandan(['tax', HZ], ROOT, { FORCE_COLOR: '1' });
    expect(tax.stdout).toMatch(ESC);
    expect(sandan(['tax', HZ], ROOT, { FORCE_COLOR: '0' }).stdout).not.toMatch(ESC);
  });

  it('with NO_COLOR on a terminal, no command writes an escape: help, errors, parse, status, build', async () => {
    const runs = [
      ['validate', BAD],
      ['tax', HZ],
      ['parse', join(ROOT, 'examples/finance/2026-11/receipts/CEB622-000001.xml'), '--format', 'text'],
      ['status', join(ROOT, 'examples/finance/2026-11/receipts')],
      ['build', BAD, '--message', 'CEB311', '--sender', join(ROOT, 'examples/sender.json')],
      ['validate', '--help'],
      ['validate', '--formt', 'x'],
    ];
    for (const args of runs) {
      const { out } = await onTerminal(args, { NO_COLOR: '1' });
      expect([args.join(' '), out.length > 0, ESC.test(out)]).toEqual([args.join(' '), true, false]);
    }
  });
});

describe('a folder or pattern that names no declaration file', () => {
  const HINT =
    'hint: Check the path (from the working directory) and that an earlier step made the files (names starting with a dot, and node_modules, are passed over); a run that would check nothing fails.\n';

  it('is a usage error (exit 2) that says nothing was found and where it looked, before any output', () => {
    for (const format of ['github', 'text']) {
      const r = sandan(['validate', 'empty', '--format', format], repo);
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr: `sandan: no declaration files (.json, .ndjson, .jsonl) found in the folder empty (${repo}/empty) or its subfolders\n${HINT}`,
      });
    }
  });

  it('with --format sarif or junit, standard output is still a valid document that carries the error', () => {
    const message = `no declaration files (.json, .ndjson, .jsonl) found in the folder empty (${repo}/empty) or its subfolders`;
    const sarif = sandan(['validate', 'empty', '--format', 'sarif'], repo);
    // Before: nothing, and `> sandan.sarif` left an empty file the SARIF upload failed to parse.
    expect([sarif.code, sarif.stderr]).toEqual([2, `sandan: ${message}\n${HINT}`]);
    const run = JSON.parse(sarif.stdout).runs[0];
    expect(run.tool.driver.name).toBe('sandan');
    expect(run.results).toEqual([]);
    expect(run.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          { level: 'error', message: { text: message }, descriptor: { id: 'FILE_UNREADABLE' } },
        ],
      },
    ]);
    const junit = sandan(['validate', 'empty', '--format', 'junit'], repo);
    expect(junit.code).toBe(2);
    expect(junit.stdout).toContain('<testsuites name="sandan validate" tests="1" failures="0" errors="1">');
    expect(junit.stdout).toContain(`<error type="FILE_UNREADABLE" message="${message}">${message}</error>`);
  });

  it('a pattern: the folder it looked in, or that there is no such folder', () => {
    expect(sandan(['validate', 'empty/*.ndjson'], repo).stderr).toBe(
      `sandan: no files match empty/*.ndjson: looked in empty (${repo}/empty)\n${HINT}`,
    );
    const missing = sandan(['validate', join(repo, 'declarations', '*.json')], repo);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      `sandan: no files match ${repo}/declarations/*.json: there is no folder ${repo}/declarations\n${HINT}`,
    ]);
  });

  it('reads the same for tax, and for status in its own words', async () => {
    const tax = sandan(['tax', 'empty'], repo);
    expect([tax.code, tax.stderr.split('\n')[0]]).toEqual([
      2,
      `sandan: no declaration files (.json, .ndjson, .jsonl) found in the folder empty (${repo}/empty) or its subfolders`,
    ]);
    writeFileSync(join(repo, 'empty', 'notes.txt'), 'not a receipt');
    const status = sandan(['status', join(repo, 'empty')], repo);
    expect([status.code, status.stderr]).toEqual([
      2,
      `sandan: no .xml, .json or .ndjson files found in the folder ${repo}/empty or its subfolders\n${HINT}`,
    ]);
  });
});

describe('SARIF and JUnit when the run fails (exit 2)', () => {
  const notification = (message: string, id = 'INVALID_OPTION') => ({
    level: 'error',
    message: { text: message },
    descriptor: { id },
  });

  it('a file that cannot be read: the run has its result and an invocation marked unsuccessful naming the file', () => {
    mkdirSync(join(repo, 'part'));
    copyFileSync(BAD, join(repo, 'part', 'a.json'));
    symlinkSync(join(repo, 'part', 'gone.json'), join(repo, 'part', 'b.json'));
    const r = sandan(['validate', 'part', '--format', 'sarif'], repo);
    expect(r.code).toBe(2);
    const run = JSON.parse(r.stdout).runs[0];
    const message = `Cannot read part/b.json: a broken symbolic link (to ${join(repo, 'part', 'gone.json')})`;
    expect(r.stderr).toBe(`sandan: ${message}\n`);
    expect(run.results.filter((x: { ruleId: string }) => x.ruleId === 'input-unreadable')).toHaveLength(1);
    // Before: no invocations, and a consumer read the run as having checked every file.
    expect(run.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          {
            ...notification(message, 'FILE_UNREADABLE'),
            locations: [{ physicalLocation: { artifactLocation: { uri: 'part/b.json', uriBaseId: '%SRCROOT%' } } }],
          },
        ],
      },
    ]);
    // A run that read every file has none.
    expect(JSON.parse(sandan(['validate', 'part/a.json', '--format', 'sarif'], repo).stdout).runs[0].invocations).toBe(
      undefined,
    );
  });

  it("commander's refusal after --format sarif or junit was read still writes the document; a refused --format none", () => {
    const sarif = sandan(['validate', 'in', '--format', 'sarif', '--formt', 'x'], repo);
    expect([sarif.code, sarif.stderr]).toEqual([
      2,
      "sandan: unknown option '--formt'\nhint: Did you mean --format? See `sandan validate --help`.\n",
    ]);
    // Before: nothing on standard output.
    const run = JSON.parse(sarif.stdout).runs[0];
    expect([run.results, run.invocations]).toEqual([
      [],
      [{ executionSuccessful: false, toolExecutionNotifications: [notification("unknown option '--formt'")] }],
    ]);
    // (commander reads the options after the one it refuses too)
    expect(
      JSON.parse(sandan(['validate', 'in', '--formt', 'x', '--format', 'sarif'], repo).stdout).runs[0].results,
    ).toEqual([]);
    const junit = sandan(['tax', 'in', '--format', 'junit', '--config'], repo);
    expect(junit.code).toBe(2);
    expect(junit.stdout).toContain('<testsuites name="sandan tax" tests="1" failures="0" errors="1">');
    expect(junit.stdout).toContain(
      `<error type="INVALID_OPTION" message="option '--config &lt;file&gt;' argument missing">`,
    );
    // A format commander refused, or none a document: nothing, as before.
    for (const args of [
      ['validate', 'in', '--format', 'sarf'],
      ['validate', 'in', '--format', 'json', '--formt', 'x'],
    ]) {
      const r = sandan(args, repo);
      expect([args.join(' '), r.code, r.stdout]).toEqual([args.join(' '), 2, '']);
    }
  });

  it('tax, failing before results, writes the same document as validate', () => {
    const message = `no declaration files (.json, .ndjson, .jsonl) found in the folder empty (${repo}/empty) or its subfolders`;
    const sarif = sandan(['tax', 'empty', '--format', 'sarif'], repo);
    expect(sarif.code).toBe(2);
    // Before: nothing on standard output.
    expect(JSON.parse(sarif.stdout).runs[0].invocations).toEqual([
      { executionSuccessful: false, toolExecutionNotifications: [notification(message, 'FILE_UNREADABLE')] },
    ]);
    const junit = sandan(['tax', 'empty', '--format', 'junit', '--at', '2026-13-01'], repo);
    expect(junit.code).toBe(2);
    expect(junit.stdout).toContain('<testsuites name="sandan tax" tests="1" failures="0" errors="1">');
    expect(junit.stdout).toContain('<error type="INVALID_OPTION"');
  });
});

describe('--no-error-on-unmatched-pattern (as ESLint and Prettier)', () => {
  it('a folder with no declaration, or a pattern matching none, names no file: exit 0, or the other files checked', () => {
    for (const cmd of ['validate', 'tax']) {
      const none = sandan(
        [cmd, 'empty', 'empty/*.ndjson', '--no-error-on-unmatched-pattern', '--format', 'sarif'],
        repo,
      );
      // Before: exit 2, unknown option.
      expect([cmd, none.code, none.stderr, JSON.parse(none.stdout).runs[0].results]).toEqual([cmd, 0, '', []]);
      const some = sandan([cmd, 'empty', 'in', '--no-error-on-unmatched-pattern', '--format', 'github'], repo);
      expect([cmd, some.code, annotated(some.stdout)]).toEqual([cmd, 1, ['in/bad.json']]);
      // A file named that is not there is still refused.
      expect(sandan([cmd, 'missing.json', '--no-error-on-unmatched-pattern'], repo).code).toBe(2);
    }
  });
});
