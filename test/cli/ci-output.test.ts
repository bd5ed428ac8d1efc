import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { pathFromRoot } from '../../src/cli/formats/root-path.js';

// What a CI user meets: the built CLI (bin/sandan.js on dist/) as its own process, in a working directory of its own,
// its output a pipe as in a CI log.
const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');
const BAD = join(ROOT, 'test/fixtures/invalid-hangzhou.json');
const HZ = join(ROOT, 'examples/hangzhou-1210.json');
const ESC = /\u001b\[/;

/** The environment of the test runner without the colour variables (a developer's shell may set them). */
function plainEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'GITHUB_ACTIONS']) delete env[k];
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
    for (const format of ['github', 'sarif']) {
      const r = sandan(['validate', 'empty', '--format', format], repo);
      expect(r).toEqual({
        code: 2,
        stdout: '',
        stderr: `sandan: no declaration files (.json, .ndjson, .jsonl) found in the folder empty (${repo}/empty) or its subfolders\n${HINT}`,
      });
    }
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
