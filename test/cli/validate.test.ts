import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEWEST_POLICY_DATE, validate } from '../../src/index.js';
import { expectGolden, runCli } from '../helpers/cli.js';

const HZ = 'examples/hangzhou-1210.json';
const GZ = 'examples/guangzhou-9610.json';
const BAD = 'test/fixtures/invalid-hangzhou.json';
const line = (f: string) => JSON.stringify(JSON.parse(readFileSync(f, 'utf8')));

describe('sandan validate', () => {
  it('exits 0 on the examples (the README command), warning only about the incomplete positive list', async () => {
    const r = await runCli(['validate', HZ, '--rates', 'examples/rates.example.json']);
    expect(r.code).toBe(0);
    expectGolden(r.stdout, 'validate-hangzhou.txt');
    const g = await runCli(['validate', GZ, '--format', 'json']);
    expect(g.code).toBe(0);
    expect(JSON.parse(g.stdout).issues.map((i: { code: string }) => i.code)).toEqual(['positive-list-unconfirmed']);
  });

  it('prints issues grouped by document (golden text) and exits 1', async () => {
    const r = await runCli(['validate', BAD]);
    expect(r.code).toBe(1);
    expectGolden(r.stdout, 'validate-invalid.txt');
  });

  it('prints { valid, issues } in JSON mode (golden JSON)', async () => {
    const r = await runCli(['validate', BAD, '--format', 'json']);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout);
    expect(Object.keys(parsed)).toEqual(['valid', 'issues']);
    expectGolden(r.stdout, 'validate-invalid.json');
  });

  it('streams NDJSON: one result per line, a summary, and a bad line does not stop the others', async () => {
    const input = [line(HZ), '{"order": oops', line(GZ), '', line(BAD)].join('\n');
    const r = await runCli(['validate', '-', '--format', 'json'], input);
    expect(r.code).toBe(1);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.line ?? 'summary')).toEqual([1, 2, 3, 5, 'summary']);
    expect(out[0].valid).toBe(true);
    expect(out[1].issues[0]).toMatchObject({ code: 'json-syntax', severity: 'error' });
    expect(out[2].valid).toBe(true);
    expect(out[3].valid).toBe(false);
    expect(out[4].summary).toMatchObject({ declarations: 4, valid: 2, invalid: 2, errors: 5 });
    const text = await runCli(['validate', '-'], input);
    expectGolden(text.stdout, 'validate-stream.txt');
  });

  it('a declaration without a date says the newest policy was applied, not a made-up day', async () => {
    const text = await runCli(['validate', '-'], '{}');
    expect(text.stdout.split('\n')[0]).toBe(
      '<stdin>: invalid: 3 errors, 1 warning (rules: national, the newest policy: the declaration has no date)',
    );
    const tax = await runCli(['tax', '-'], '{}');
    expect(tax.stdout.split('\n')[0]).toBe('<stdin> (rules: national, the newest policy: the declaration has no date)');
    // The library's result keeps the date it resolved with, which the constant names.
    expect(validate({}).ruleset?.at).toBe(NEWEST_POLICY_DATE);
  });

  it('treats a one-line file as one declaration unless --ndjson', async () => {
    expect((await runCli(['validate', '-'], line(HZ))).stdout).toMatch(/^<stdin>: valid/);
    const r = await runCli(['validate', '-', '--ndjson', '--format', 'json'], line(HZ));
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('warns of a key given twice (json-duplicate-key, at the key), which JSON.parse read as its last value without a word', async () => {
    // The order's freight 0.00, then 5.00: the payment's 597.87 no longer adds up, and the warning says why.
    const text = readFileSync(HZ, 'utf8').replace('"freight": "0.00",', '"freight": "0.00",\n    "freight": "5.00",');
    const r = await runCli(['validate', '-', '--format', 'json'], text);
    const dup = JSON.parse(r.stdout).issues.filter((i: { code: string }) => i.code === 'json-duplicate-key');
    expect(dup).toEqual([
      {
        code: 'json-duplicate-key',
        severity: 'warning',
        path: 'order.freight',
        ruleId: 'input',
        message: {
          zh: '字段 order.freight 出现 2 次：读取的是最后一个值，之前的值被忽略；按第一个值读取的系统会看到不同的申报单',
          en: 'order.freight is given 2 times: the last value is read and the others are lost; a reader that keeps the first would see another declaration',
        },
        location: { file: '<stdin>', line: 11, column: 5 },
      },
    ]);
    // NDJSON lines each say their own, on their line; a declaration without one says nothing of it.
    const ndjson = [line(HZ), JSON.stringify(JSON.parse(text)).replace('{', '{"order":{},')].join('\n');
    const n = await runCli(['validate', '-', '--format', 'json'], ndjson);
    const found = n.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((o) => o.issues)
      .map((o) =>
        o.issues
          .filter((i: { code: string }) => i.code === 'json-duplicate-key')
          .map((i: { path: string; location: { line: number } }) => [i.path, i.location.line]),
      );
    expect(found).toEqual([[], [['order', 2]]]);
  });

  it('accepts a UTF-8 byte-order mark', async () => {
    const r = await runCli(['validate', '-'], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(HZ)]));
    expect(r.code).toBe(0);
  });

  it('reports bad input as an issue with exit 1, never a stack trace', async () => {
    const cases: Array<[string | Buffer, string]> = [
      ['{"order": ', 'json-syntax'],
      [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'input-encoding'],
      ['', 'input-empty'],
      // A byte-order mark alone, or with white space, is empty too, as a line of NDJSON holding one is blank.
      [Buffer.from([0xef, 0xbb, 0xbf]), 'input-empty'],
      [Buffer.from([0xef, 0xbb, 0xbf, 0x20, 0x0a]), 'input-empty'],
      ['[1,2,3]', 'input-array'],
      ['42', 'field-type'],
      [JSON.stringify({ ...JSON.parse(readFileSync(HZ, 'utf8')), payment: undefined }), 'field-required'],
    ];
    for (const [input, code] of cases) {
      const r = await runCli(['validate', '-', '--format', 'json'], input);
      expect(r.code, String(input)).toBe(1);
      expect(JSON.parse(r.stdout).issues.map((i: { code: string }) => i.code)).toContain(code);
      expect(r.stderr).toBe('');
    }
    const r = await runCli(['validate', '-'], '{"order": [}');
    expect(r.stdout).toMatch(/not valid JSON \(line 1, column 12\)/);
  });

  it('locates bytes that are not UTF-8 where they stand, and says what the file looks like', async () => {
    // 张 in GBK is D5 C5; on line 3, after `  "note": "` (11 characters): column 12.
    const gbk = Buffer.concat([
      Buffer.from('{\n"order": {},\n  "note": "'),
      Buffer.from([0xd5, 0xc5]),
      Buffer.from('"}'),
    ]);
    const r = await runCli(['validate', '-', '--format', 'json'], gbk);
    expect(JSON.parse(r.stdout).issues).toEqual([
      expect.objectContaining({
        code: 'input-encoding',
        location: { file: '<stdin>', line: 3, column: 12 },
        message: expect.objectContaining({
          en: 'The input is not valid UTF-8 text (byte 0xD5 at line 3, column 12; it looks like GB18030 (GBK)); save it as UTF-8',
        }),
      }),
    ]);
    // NDJSON: the line of the input, in the message and the location.
    const hz = JSON.stringify(JSON.parse(readFileSync(HZ, 'utf8')));
    const lines = Buffer.concat([
      Buffer.from(`${hz}\n${hz}\n{"note": "`),
      Buffer.from([0xd5, 0xc5]),
      Buffer.from('"}\n'),
    ]);
    const n = await runCli(['validate', '-', '--ndjson', '--format', 'json'], lines);
    const third = n.stdout.trim().split('\n')[2]!;
    expect(JSON.parse(third).issues[0]).toMatchObject({
      location: { line: 3, column: 11 },
      message: { en: expect.stringContaining('byte 0xD5 at line 3, column 11;') },
    });
  });

  it('reports an absurdly long string as too long', async () => {
    const d = JSON.parse(readFileSync(HZ, 'utf8'));
    d.order.note = 'x'.repeat(5_000_000);
    const r = await runCli(['validate', '-', '--format', 'json'], JSON.stringify(d));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).issues).toContainEqual(
      expect.objectContaining({ code: 'field-too-long', path: 'order.note' }),
    );
    expect(r.stdout.length).toBeLessThan(10_000);
  });

  it('exits 2 with a message and a hint for usage errors and unreadable files', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['validate', 'no/such/file.json'], /Cannot read no\/such\/file\.json: no such file\nhint: /],
      [
        ['validate', mkdtempSync(join(tmpdir(), 'sandan-empty-'))],
        /no declaration files \(\.json, \.ndjson, \.jsonl\) found in the folder .* or its subfolders\nhint: /,
      ],
      [['validate', 'no/such/*.json'], /no files match no\/such\/\*\.json: there is no folder no\/such \(/],
      [['validate', HZ, '--district', '1234'], /Unknown customs district "1234"/],
      // (named as the user wrote it, not as the library's option)
      [['validate', HZ, '--at', 'yesterday'], /^sandan: --at must be a date as YYYY-MM-DD, got "yesterday"\nhint: /],
      [['validate', HZ, '--at', '2026-13-01'], /^sandan: --at: "2026-13-01" is not a real date \(YYYY-MM-DD\)\nhint: /],
      [['tax', HZ, '--at', '2026-02-30'], /^sandan: --at: "2026-02-30" is not a real date \(YYYY-MM-DD\)\nhint: /],
      [['validate', HZ, '--ruleset', 'no.json'], /Cannot read ruleset no\.json/],
      [
        ['validate', HZ, '--ruleset', 'test/fixtures/broken-ruleset.json'],
        // The hint gives the page's address: an installed package ships no docs/ folder.
        /test\/fixtures\/broken-ruleset\.json: \$\.rules: unknown rule id payment\/amounts.*\nhint: Rule ids are listed in https:\/\/github\.com\/sandan-dev\/sandan\/blob\/main\/docs\/rules\.md#rules\.\n$/,
      ],
      [['validate', HZ, '--format', 'xml'], /Allowed choices are text, json, ndjson, github, sarif, junit/],
      [['validate', HZ, '--max-warnings', 'many'], /--max-warnings must be a whole number/],
      // only -1 means no limit
      [
        ['validate', HZ, '--max-warnings', '-2'],
        /^sandan: --max-warnings must be a whole number from 0, or -1 for no limit, got "-2"\nhint: /,
      ],
      [['validate', HZ, '--config', 'test/fixtures/broken-ruleset.json'], /broken-ruleset\.json: \$: Unrecognized key/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('applies a user ruleset', async () => {
    const r = await runCli(['validate', BAD, '--ruleset', 'test/fixtures/lenient-ruleset.json', '--format', 'json']);
    const codes = JSON.parse(r.stdout).issues.map((i: { code: string; severity: string }) => `${i.code}:${i.severity}`);
    expect(codes).toContain('1332:warning');
    expect(codes).not.toContain('pack-no:error');
  });

  it('checks the annual limit against a quota ledger (--quota-db)', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'sandan-')), 'quota.sqlite');
    const env = { SANDAN_QUOTA_SECRET: 'a-test-secret-of-32-characters!!' };
    const buyer = JSON.parse(readFileSync(HZ, 'utf8')).order.buyerIdNumber;
    // 25,600.00 already used in 2026 + this order's 548.00 = 26,148.00 > 26,000 → 1313.
    const reserve = await runCli(
      [
        'quota',
        'reserve',
        '--db',
        db,
        '--buyer-id',
        buyer,
        '--order',
        'EARLIER-1',
        '--amount',
        '25600.00',
        '--at',
        '2026-03-01',
      ],
      '',
      env,
    );
    expect(reserve.code, reserve.stderr).toBe(0);
    const r = await runCli(
      ['validate', HZ, '--rates', 'examples/rates.example.json', '--quota-db', db, '--format', 'json'],
      '',
      env,
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).issues).toContainEqual(
      expect.objectContaining({ code: '1313', ruleId: 'limits/annual' }),
    );
    const noSecret = await runCli(['validate', HZ, '--quota-db', db]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/SANDAN_QUOTA_SECRET/);
  });
});
