import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/*
 * Every command tells a path it cannot read the same way (src/io/walk.ts): exit 2, on standard error
 * `sandan: Cannot read [what ]PATH: no such file | it is a directory`, then the FILE_UNREADABLE hint.
 * Before, a folder was `PATH is a directory; give an .xml file` in one command, the system's
 * `Error: EISDIR: illegal operation on a directory, read` in another.
 */

const HZ = 'examples/hangzhou-1210.json';
const SENDER = 'test/fixtures/xml/sender.json';
const dir = mkdtempSync(join(tmpdir(), 'sandan-read-errors-'));
const folder = join(dir, 'folder.xml');
mkdirSync(folder);
const annexFolder = join(dir, 'annex.csv');
mkdirSync(annexFolder);
const missing = join(dir, 'missing.xml');
const zeroCsv = join(dir, 'zero.csv');
if (process.platform !== 'win32') symlinkSync('/dev/zero', zeroCsv);
const emptyNdjson = join(dir, 'none.ndjson');
writeFileSync(emptyNdjson, '');
// `-` is offered only where the path could have been `-`: a command's main input, not a named file
// (ruleset, key, certificate, …) nor the paths of status and reconcile, which do not read standard input.
const STDIN_HINT = 'hint: Check the path; use - to read standard input.\n';
const HINT = 'hint: Check the path.\n';

describe('unreadable paths, one message shape in every command', () => {
  const cases: Array<[string, string[], string, string?]> = [
    [
      'validate, a missing input',
      ['validate', join(dir, 'x.json')],
      `Cannot read ${join(dir, 'x.json')}: no such file`,
      STDIN_HINT,
    ],
    [
      'validate, a folder as --ruleset',
      ['validate', HZ, '--ruleset', dir],
      `Cannot read ruleset ${dir}: it is a directory`,
    ],
    [
      'validate, a missing --config',
      ['validate', HZ, '--config', missing],
      `Cannot read configuration ${missing}: no such file`,
    ],
    ['parse, a missing file', ['parse', missing], `Cannot read ${missing}: no such file`, STDIN_HINT],
    ['parse, a folder', ['parse', folder], `Cannot read ${folder}: it is a directory`, STDIN_HINT],
    [
      'build, a folder as --sender',
      ['build', HZ, '--message', 'CEB311', '--sender', folder],
      `Cannot read the sender profile (--sender) ${folder}: it is a directory`,
    ],
    ['verify, a missing file', ['verify', missing], `Cannot read ${missing}: no such file`, STDIN_HINT],
    ['verify, a folder', ['verify', folder], `Cannot read ${folder}: it is a directory`, STDIN_HINT],
    [
      'sign, a missing key',
      ['sign', SENDER, '--key', missing, '--cert', missing],
      `Cannot read key ${missing}: no such file`,
    ],
    [
      'sign, a key that reads but a missing certificate',
      ['sign', SENDER, '--key', SENDER, '--cert', missing],
      `Cannot read certificate ${missing}: no such file`,
    ],
    ['tax, a missing --rates', ['tax', HZ, '--rates', missing], `Cannot read rate table ${missing}: no such file`],
    ['tax, a missing input', ['tax', missing], `Cannot read ${missing}: no such file`, STDIN_HINT],
    [
      'verify, a missing certificate',
      ['verify', SENDER, '--cert', missing],
      `Cannot read certificate ${missing}: no such file`,
    ],
    [
      'positive-list import, a folder',
      ['positive-list', 'import', annexFolder, '--edition', '2022', '--out', join(dir, 'out.json')],
      `Cannot read ${annexFolder}: it is a directory`,
    ],
    [
      'reconcile, a folder as --declarations',
      ['reconcile', '--declarations', dir, '--tax-bills', folder],
      `Cannot read ${dir}: it is a directory`,
    ],
    [
      'reconcile, missing --tax-bills',
      ['reconcile', '--declarations', emptyNdjson, '--tax-bills', missing],
      `Cannot read ${missing}: no such file`,
    ],
    // Read whole with no limit, a device that never ends (or a log named by mistake) ran until the process was killed.
    ...(process.platform === 'win32'
      ? []
      : ([
          [
            'validate, /dev/zero as --rates',
            ['validate', HZ, '--rates', '/dev/zero'],
            'Cannot read rate table /dev/zero: larger than 64 MiB',
          ],
          [
            'validate, /dev/zero as --config',
            ['validate', HZ, '--config', '/dev/zero'],
            'Cannot read configuration /dev/zero: larger than 64 MiB',
          ],
          [
            'sign, /dev/zero as --key',
            ['sign', SENDER, '--key', '/dev/zero', '--cert', '/dev/zero'],
            'Cannot read key /dev/zero: larger than 16 MiB',
          ],
          [
            'verify, /dev/zero as --cert',
            ['verify', SENDER, '--cert', '/dev/zero'],
            'Cannot read certificate /dev/zero: larger than 16 MiB',
          ],
          [
            'positive-list import, /dev/zero behind a .csv name',
            ['positive-list', 'import', zeroCsv, '--edition', '2022', '--out', join(dir, 'out.json')],
            `Cannot read ${zeroCsv}: larger than 64 MiB`,
          ],
        ] as Array<[string, string[], string]>)),
    // A path written on Windows: here the backslashes are part of one file name, which the message now says.
    ...(process.platform === 'win32'
      ? []
      : ([
          [
            'validate, a Windows path',
            ['validate', 'examples\\hangzhou-1210.json'],
            'Cannot read examples\\hangzhou-1210.json: no such file (here \\ is part of a file name, not a folder separator: write /)',
            STDIN_HINT,
          ],
          [
            'tax, a Windows path as --rates',
            ['tax', HZ, '--rates', '.\\examples\\rates.example.json'],
            'Cannot read rate table .\\examples\\rates.example.json: no such file (here \\ is part of a file name, not a folder separator: write /)',
          ],
        ] as Array<[string, string[], string, string?]>)),
    ['status, a missing file', ['status', missing], `Cannot read ${missing}: no such file`],
    ['status, -', ['status', '-'], 'Cannot read -: no such file'],
  ];
  for (const [name, args, message, hint = HINT] of cases)
    it(name, async () => {
      const r = await runCli(args);
      expect([r.code, r.stderr]).toEqual([2, `sandan: ${message}\n${hint}`]);
    });
});

// A declarations input is read in a stream, not whole; one that never ends (no line break in it) read on past
// its 16 MiB limit to count its bytes, and `sandan validate /dev/zero` never ended. It is a result, not a usage error.
describe.skipIf(process.platform === 'win32')('declarations from /dev/zero end at the limit', () => {
  const TOO_LARGE = 'The input is larger than 16777216 bytes; a declaration is never that large';

  it('validate: input-too-large (exit 1)', async () => {
    const r = await runCli(['validate', '/dev/zero', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).issues).toMatchObject([{ code: 'input-too-large', message: { en: TOO_LARGE } }]);
  });

  // Read as NDJSON (--ndjson, a .ndjson name), a line too long is skipped to its line break, so that the lines after
  // it are read: /dev/zero, which has none, was read for ever. Past 256 MiB the line is the input's last.
  const ENDLESS = 'Line 1 runs past 268435456 bytes without a line break; the input was read no further';
  const zeroNdjson = join(dir, 'zero.ndjson');
  symlinkSync('/dev/zero', zeroNdjson);

  it('validate and tax --ndjson: the line that never ends is input-too-large (exit 1)', {
    timeout: 60_000,
  }, async () => {
    for (const command of ['validate', 'tax']) {
      const r = await runCli([command, '--ndjson', '/dev/zero', '--format', 'json']);
      expect(r.code).toBe(1);
      // One line per declaration, then the summary.
      const [line, summary] = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(line).toMatchObject({ line: 1, issues: [{ code: 'input-too-large', message: { en: ENDLESS } }] });
      expect(summary.summary.declarations).toBe(1);
    }
  });

  it('reconcile --declarations FILE.ndjson: the line that never ends is an unreadable line (exit 1)', {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(['reconcile', '--declarations', zeroNdjson, '--tax-bills', folder, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary.problems).toEqual([`${zeroNdjson}, line 1: ${ENDLESS}`]);
  });

  it('reconcile --declarations: an unreadable input, nothing compared (exit 1)', async () => {
    const r = await runCli(['reconcile', '--declarations', '/dev/zero', '--tax-bills', folder, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary.problems[0]).toBe(`/dev/zero: ${TOO_LARGE}`);
  });
});

describe('a data file that is not JSON: where it goes wrong, without quoting it', () => {
  // V8 quotes up to some 20 characters of the text (`Unexpected token 'G', "GITHUB_TOK"... is not valid JSON`); a
  // file named by mistake, or by a configuration from a pull request, may hold a secret.
  const secret = join(dir, 'secret.env');
  writeFileSync(secret, 'GITHUB_TOKEN=ghp_0123456789abcdef\n');
  const deeper = join(dir, 'deeper.json');
  writeFileSync(deeper, '{\n  "token": "ghp_0123456789abcdef" "x": 1\n}\n');
  const config = join(dir, 'sandan.config.json');
  writeFileSync(config, '{ "rates": ghp_0123456789abcdef }');
  it.each([
    [
      '--rates',
      ['validate', HZ, '--rates', secret],
      `${secret}: not valid JSON: line 1, column 1: Unexpected token 'G'`,
    ],
    [
      '--ruleset',
      ['validate', HZ, '--ruleset', deeper],
      `${deeper}: not valid JSON: line 2, column 35: Expected ',' or '}' after property value`,
    ],
    ['--config', ['tax', HZ, '--config', config], `${config}: not valid JSON: line 1, column 12: Unexpected token 'g'`],
  ])('%s', async (_, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`sandan: ${message}`);
    expect(r.stderr).not.toContain('GITHUB_TOK');
    expect(r.stderr).not.toContain('ghp_0');
  });
});

describe('status of a folder', () => {
  it('leaves out hidden entries, as validate does: the emulator folder’s send/.sandan bookkeeping is no input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-status-hidden-'));
    writeFileSync(join(dir, 'order.json'), readFileSync('examples/hangzhou-1210.json'));
    mkdirSync(join(dir, 'send', '.sandan', 'inflight'), { recursive: true });
    // what `sandan emulate` keeps there: its receive cursor, and a message in flight (read twice when walked)
    writeFileSync(join(dir, 'send', '.sandan', 'receive-cursor.json'), '{"seq":3,"name":"000003-CEB622-x.xml"}');
    writeFileSync(join(dir, '.hidden.json'), '{"not":"a declaration"}');
    const r = await runCli(['status', dir, '--now', '2026-11-20T10:20:00+08:00', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { problems: string[]; orders: Array<{ order: string }> };
    expect([report.problems, report.orders.map((o) => o.order)]).toEqual([[], ['SD202611200001']]);
  });
});
