import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';

/*
 * Messages and hints that say what is true (a new-user audit found each of these wrong): a write
 * failure is not about reading standard input, validate's ledger option is --quota-db, a year
 * before any annual limit is refused for that reason, an oversized input is told its own size,
 * and `validate -q` does not call a declaration with warnings "no issues".
 */

const dir = mkdtempSync(join(tmpdir(), 'sandan-messages-'));
const HZ = 'examples/hangzhou-1210.json';
const SECRET = { SANDAN_QUOTA_SECRET: 'a secret of sixteen+ chars' };
const CEB622 = 'test/fixtures/ceb-spec/samples-202205/import/CEB622Message.xml';

describe('messages that say what is true', () => {
  it('a file that cannot be written: the hint is about the output path, not about reading standard input', async () => {
    for (const out of [join(dir, 'no', 'such', 'x.xml'), dir]) {
      const r = await runCli([
        'build',
        HZ,
        '--message',
        'CEB311',
        '--sender',
        'test/fixtures/xml/sender.json',
        '--out',
        out,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^sandan: Cannot write /);
      expect(r.stderr).toMatch(
        /\nhint: Check the output path: its folder must exist and be writable, and it must not be a folder\.\n$/,
      );
    }
    // Reading still gets the reading hint.
    const read = await runCli(['validate', join(dir, 'missing.json')]);
    expect(read.stderr).toMatch(/\nhint: Check the path; use - to read standard input\.\n$/);
  });

  it('validate --quota-db: the hint names --quota-db (validate has no --db)', async () => {
    const r = await runCli(['validate', HZ, '--quota-db', join(dir, 'nope.sqlite')], '', SECRET);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /\nhint: Check --quota-db \(a \.sqlite path or postgres:\/\/ URL\) and that SANDAN_QUOTA_SECRET is the secret the ledger was created with\.\n$/,
    );
  });

  it('quota remaining --year 1999: no annual limit was in force (1999 is a calendar year); 99999 is not one', async () => {
    const db = join(dir, 'q.sqlite');
    const buyer = ['--db', db, '--buyer-id', '11010519491231002X'];
    expect((await runCli(['quota', 'reserve', ...buyer, '--order', 'O-1', '--amount', '10'], '', SECRET)).code).toBe(0);
    let r = await runCli(['quota', 'remaining', ...buyer, '--year', '1999'], '', SECRET);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'sandan: No annual CBEC limit is in force on 1999-12-31']);
    r = await runCli(['quota', 'history', ...buyer, '--year', '1999'], '', SECRET);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, 'sandan: No annual CBEC limit is in force on 1999-12-31']);
    r = await runCli(['quota', 'remaining', ...buyer, '--year', '99999'], '', SECRET);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      'sandan: year must be a whole calendar year from 1000 to 9998, got 99999',
    ]);
  });

  it('parse --max-bytes: the file’s own size, or for standard input that it is larger than the limit', async () => {
    const size = statSync(CEB622).size;
    expect(size).toBeGreaterThan(1000);
    let r = await runCli(['parse', CEB622, '--max-bytes', '100', '--format', 'text']);
    expect([r.code, r.stderr]).toEqual([
      1,
      `sandan: ${CEB622}: The XML input has ${size} bytes, more than the limit of 100\n`,
    ]);
    r = await runCli(['parse', '-', '--max-bytes', '100', '--format', 'text'], 'x'.repeat(5000));
    expect([r.code, r.stderr]).toEqual([1, 'sandan: <stdin>: The XML input has more than 100 bytes, the limit\n']);
  });

  it('parse: a receipt the XSD refuses is customs’ to write, not one customs’ format check answers', async () => {
    // The CEB312 fixture with an element its XSD does not have; and the CEB311 of the same shape for contrast.
    const receipt = readFileSync('test/fixtures/xml/CEB312-rejected.xml', 'utf8').replace(
      '<returnInfo>',
      '<remark>x</remark><returnInfo>',
    );
    const r = await runCli(['parse', '-', '--format', 'text'], receipt);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '此报文应由海关发出，却有 1 处不符合 XSD：请核对生成它的程序 / customs writes this message, yet the XSD refuses it (1 issue): check what wrote it',
    );
    expect(r.stdout).not.toContain('CEB900');
    const sample = readFileSync('test/fixtures/ceb-spec/samples-202205/import/CEB311Message.xml', 'utf8');
    const order = await runCli(
      ['parse', '-', '--format', 'text'],
      sample.replace('<ceb:orderNo>', '<ceb:remark>x</ceb:remark><ceb:orderNo>'),
    );
    expect(order.stdout).toContain("customs' format check would answer this message with a CEB900 (1 issue");
    expect(order.stdout).not.toContain('customs writes this message');
  });

  // Review (session 60): parse told the meaning and the fix of an emulator's refusal of a finding, not the finding.
  it("parse: an emulator's refusal of a finding names the issue code and its rule on a line of its own", async () => {
    const receipt = readFileSync('test/fixtures/xml/CEB312-rejected.xml', 'utf8').replace(
      /<returnInfo>[^<]*<\/returnInfo>/,
      '<returnInfo>[Code:1300;Desc:商品不在正面清单内（positive-list）]</returnInfo>',
    );
    const r = await runCli(['parse', '-', '--format', 'text'], receipt);
    expect(r.stdout).toMatch(/\n {6}issue positive-list \(rule [^)]+\): .+ https:\/\/\S+rules\.md#\S+\n/);
  });

  it('validate -q: the header counts the warnings it does not list', async () => {
    const all = await runCli(['validate', HZ]);
    const head = `${HZ}: valid: 0 errors, 3 warnings (rules: district/2900 → national, at `;
    expect(all.stdout.startsWith(head)).toBe(true);
    const quiet = await runCli(['validate', HZ, '-q']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/^examples\/hangzhou-1210\.json: valid: 0 errors, 3 warnings \(rules: [^\n]*\)\n$/);
  });

  it('a CEB message (XML) given to a JSON command: the message says it looks like XML and names sandan parse', async () => {
    const en =
      'The input is not valid JSON (line 1, column 1): it looks like XML. A declaration is JSON with the CEB field names; read a CEB message (XML) with sandan parse';
    for (const args of [
      ['validate', CEB622, '--format', 'json'],
      ['tax', CEB622, '--format', 'json'],
    ]) {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain(JSON.stringify(en));
    }
    const built = await runCli(['build', CEB622, '--message', 'CEB311', '--sender', 'test/fixtures/xml/sender.json']);
    expect([built.code, built.stdout]).toEqual([1, expect.stringContaining(en)]);
    // Not XML: the parser's own words, as before.
    const r = await runCli(['validate', '-', '--format', 'json'], '{"order": oops');
    expect(r.stdout).toContain('The input is not valid JSON (line 1, column 11): Unexpected token');
  });

  it('an NDJSON line that is not JSON: the message names the line of the file, as its location does', async () => {
    const hz = JSON.stringify(JSON.parse(readFileSync(HZ, 'utf8')));
    const r = await runCli(['validate', '-', '--format', 'json'], `${hz}\n\n{"order": oops\n`);
    const bad = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((o) => o.line === 3);
    expect(bad.issues[0].location).toEqual({ file: '<stdin>', line: 3, column: 11 });
    expect(bad.issues[0].message.en).toMatch(/^The input is not valid JSON \(line 3, column 11\): /);
    expect(bad.issues[0].message.zh).toMatch(/^输入不是有效的 JSON（第 3 行第 11 列）：/);
  });

  it('verify (and sign, which reads through the same reader): an empty or non-UTF-8 message gets a hint about its content', async () => {
    const empty = join(dir, 'empty.xml');
    const gbk = join(dir, 'gbk.xml');
    writeFileSync(empty, '\n');
    // 杭州 in GB18030 inside an element.
    writeFileSync(gbk, Buffer.concat([Buffer.from('<a>'), Buffer.from([0xba, 0xbc, 0xd6, 0xdd]), Buffer.from('</a>')]));
    // (sign reads its input through the same readXml, after its key and certificate)
    for (const command of ['verify']) {
      const e = await runCli([command, empty]);
      expect(e.stderr, command).toMatch(
        /is empty\nhint: The file holds no message: check that whatever wrote it finished\.\n$/,
      );
      const g = await runCli([command, gbk]);
      expect(g.stderr, command).toMatch(
        /is not UTF-8 text; CEB messages are UTF-8 .*\nhint: Save the message as UTF-8/,
      );
    }
  });

  it('verify --cert with a file that is no certificate: the hint speaks of trusted certificates, not of a key', async () => {
    const notCert = join(dir, 'not-a-cert.pem');
    writeFileSync(notCert, 'hello');
    const r = await runCli(['verify', CEB622, '--cert', notCert]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\nhint: Give the trusted certificates \(--cert\) as PEM or DER files\.\n$/);
  });

  it('a configuration file in error: the hint names the page of its keys, not a schemas/ path the project lacks', async () => {
    const config = join(dir, 'sandan.config.json');
    writeFileSync(config, '{ "district": "2900", "rate": "rates.json" }');
    const r = await runCli(['validate', HZ, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sandan\.config\.json: \$: Unrecognized key: "rate"\n/);
    expect(r.stderr).toMatch(
      /\nhint: Fix the configuration file .*; its keys are in https:\/\/github\.com\/sandan-dev\/sandan\/blob\/main\/docs\/cli\.md#the-configuration-file, its JSON Schema in sandan's schemas\/sandan\.config\.schema\.json\.\n$/,
    );
  });

  it("commander's refusals of a command line read as sandan's errors: `sandan: …`, a hint naming the help, exit 2", async () => {
    const cases: Array<[string[], string]> = [
      [
        ['tax', HZ, '--format', 'yaml'],
        "sandan: option '--format <format>' argument 'yaml' is invalid. Allowed choices are text, json, ndjson, github, sarif, junit.\nhint: See `sandan tax --help`.\n",
      ],
      [['tax', HZ, '--bogus'], "sandan: unknown option '--bogus'\nhint: See `sandan tax --help`.\n"],
      // commander's suggestion, on a line of its own, is the hint's first sentence
      [
        ['tax', HZ, '--formt', 'json'],
        "sandan: unknown option '--formt'\nhint: Did you mean --format? See `sandan tax --help`.\n",
      ],
      [
        ['validate', HZ, '--format'],
        "sandan: option '--format <format>' argument missing\nhint: See `sandan validate --help`.\n",
      ],
      [
        ['parse', HZ, HZ],
        "sandan: too many arguments for 'parse'. Expected 1 argument but got 2.\nhint: See `sandan parse --help`.\n",
      ],
      [
        ['quota', 'reserve', '--amount'],
        "sandan: option '--amount <n>' argument missing\nhint: See `sandan quota reserve --help`.\n",
      ],
      // an unknown subcommand: the help of the command, which lists its subcommands
      [['quota', 'frobnicate'], "sandan: unknown command 'frobnicate'\nhint: See `sandan quota --help`.\n"],
      [['frobnicate'], "sandan: unknown command 'frobnicate'\nhint: See `sandan --help`.\n"],
      // a control character in what the user typed is shown escaped, on the one line
      [['tax', HZ, '--x\u202e\ny'], "sandan: unknown option '--x\\u202e\\ny'\nhint: See `sandan tax --help`.\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(args);
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([2, '', stderr]);
    }
  });

  it('validate or tax with no file at a terminal says what to give, instead of waiting in silence for typed input', async () => {
    // A terminal that never ends its input: before, the command waited on it (this test timed out).
    const atTerminal = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const terminal = new PassThrough();
      const code = await main(args, {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        stdin: terminal,
        stdinIsTTY: true,
        stderrIsTTY: false,
        env: {},
      });
      terminal.destroy();
      return [code, stdout, stderr];
    };
    for (const command of ['validate', 'tax'])
      expect(await atTerminal([command])).toEqual([
        2,
        '',
        `sandan: ${command}: no file named, and standard input is a terminal: name a declaration file or folder (sandan ${command} order.json), or pipe the declarations in (- reads the terminal)\nhint: See \`sandan ${command} --help\`.\n`,
      ]);
    // Piped in (not a terminal), no file still means standard input.
    const piped = await runCli(['validate', '--format', 'json'], readFileSync(HZ));
    expect([piped.code, JSON.parse(piped.stdout).valid]).toEqual([0, true]);
  }, 10_000);
});
