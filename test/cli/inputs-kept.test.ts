import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/*
 * A second new-user audit (session 27) found commands that lost input or passed on nothing: build made a message of
 * the first NDJSON line and dropped the rest, --out could name an input and replace it, an empty .ndjson file was a
 * silent pass, and reconcile called a month without a single declaration balanced. Each case is here.
 */

const dir = mkdtempSync(join(tmpdir(), 'sandan-inputs-kept-'));
const HZ = 'examples/hangzhou-1210.json';
const BATCH = 'examples/ci/declarations/batch.ndjson';
const SENDER = 'examples/sender.json';
const MONTH = 'examples/finance/2026-11';

describe('build reads one declaration', () => {
  it('refuses NDJSON with more than one line instead of building the first and dropping the rest (exit 1)', async () => {
    const out = join(dir, 'batch-621.xml');
    const r = await runCli(['build', BATCH, '--message', 'CEB621', '--sender', SENDER, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[input-ndjson]');
    expect(r.stdout).toContain('The input holds more than one declaration (NDJSON); build makes one message');
    const json = await runCli(['build', BATCH, '--message', 'CEB621', '--sender', SENDER, '--format', 'json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ built: false, issues: [{ code: 'input-ndjson' }] });
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
  });

  it('still builds from a one-line NDJSON input', async () => {
    const line = JSON.stringify(JSON.parse(readFileSync(HZ, 'utf8')));
    const r = await runCli(['build', '-', '--message', 'CEB311', '--sender', SENDER], `${line}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/<ceb:CEB311Message /);
  });
});

describe('--out never replaces an input', () => {
  it('build: the declaration itself, also through another path to it', async () => {
    const decl = join(dir, 'decl.json');
    copyFileSync(HZ, decl);
    const before = readFileSync(decl, 'utf8');
    const link = join(dir, 'link-to-decl.json');
    symlinkSync(decl, link);
    for (const out of [decl, link]) {
      const r = await runCli(['build', decl, '--message', 'CEB311', '--sender', SENDER, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^sandan: --out .*\.json is the declaration input .*decl\.json: writing there would/);
    }
    expect(readFileSync(decl, 'utf8')).toBe(before);
    // Another file is written as before.
    const ok = await runCli(['build', decl, '--message', 'CEB311', '--sender', SENDER, '--out', join(dir, 'o.xml')]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('reconcile: the declarations and the rate table', async () => {
    const decl = join(dir, 'month.ndjson');
    const rates = join(dir, 'rates.json');
    copyFileSync(join(MONTH, 'declarations.ndjson'), decl);
    copyFileSync(join(MONTH, 'rates.json'), rates);
    const args = [
      'reconcile',
      '--declarations',
      decl,
      '--tax-bills',
      join(MONTH, 'bills'),
      '--rates',
      rates,
      '--quiet',
    ];
    for (const [out, option] of [
      [decl, '--declarations'],
      [rates, '--rates'],
    ] as const) {
      const before = readFileSync(out, 'utf8');
      const r = await runCli([...args, '--format', 'csv', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`is the ${option} input`);
      expect(readFileSync(out, 'utf8')).toBe(before);
    }
  });

  it('reconcile: a bill file inside a --tax-bills folder', async () => {
    const bills = join(dir, 'bills');
    mkdirSync(bills);
    const bill = join(bills, 'CEB816-copy.xml');
    copyFileSync('test/fixtures/xml/CEB816Message.xml', bill);
    const before = readFileSync(bill, 'utf8');
    const r = await runCli([
      'reconcile',
      '--declarations',
      join(MONTH, 'declarations.ndjson'),
      '--tax-bills',
      bills,
      '--format',
      'csv',
      '--out',
      bill,
      '--quiet',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the --tax-bills or --receipts input');
    expect(readFileSync(bill, 'utf8')).toBe(before);
  });

  it('positive-list import: the annex', async () => {
    const annex = join(dir, 'annex.csv');
    writeFileSync(annex, '序号,税则号列,商品名称\n1,04029100,浓缩乳\n');
    const r = await runCli(['positive-list', 'import', annex, '--edition', '2019', '--out', annex]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is the annex input');
    expect(readFileSync(annex, 'utf8')).toBe('序号,税则号列,商品名称\n1,04029100,浓缩乳\n');
  });
});

describe('an input with nothing in it is not a pass', () => {
  it('validate and tax: an empty .ndjson file is input-empty (exit 1), as an empty .json file is', async () => {
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '\n\n');
    for (const command of ['validate', 'tax']) {
      const r = await runCli([command, empty, '--format', 'json']);
      expect(r.code, command).toBe(1);
      expect(r.stdout, command).toContain('"code":"input-empty"');
    }
  });

  it('reconcile: no declaration read means nothing compared, exit 1, and the report says so', async () => {
    const empty = join(dir, 'none.ndjson');
    writeFileSync(empty, '');
    const bills = join(dir, 'no-bills');
    mkdirSync(bills);
    const r = await runCli(['reconcile', '--declarations', empty, '--tax-bills', bills, '--format', 'json', '--quiet']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { summary: { problems: string[]; inputs: { declarations: number } } };
    expect(j.summary.inputs.declarations).toBe(0);
    expect(j.summary.problems).toEqual([
      'No declaration was read (the declarations input is empty, or could not be used): nothing was compared with the bills',
    ]);
  });

  it('reconcile: a declarations file that is not UTF-8 is one unreadable input, not an order per line', async () => {
    const gbk = join(dir, 'gbk.json');
    // 杭州 in GB18030 (BA BC D6 DD), inside an otherwise ASCII pretty-printed declaration.
    writeFileSync(
      gbk,
      Buffer.concat([
        Buffer.from('{\n  "order": {\n    "note": "'),
        Buffer.from([0xba, 0xbc, 0xd6, 0xdd]),
        Buffer.from('"\n  }\n}\n'),
      ]),
    );
    const r = await runCli([
      'reconcile',
      '--declarations',
      gbk,
      '--tax-bills',
      join(MONTH, 'bills'),
      '--format',
      'json',
      '--quiet',
    ]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as {
      summary: { problems: string[]; inputs: { declarations: number; unreadableDocuments: number } };
    };
    expect(j.summary.inputs).toMatchObject({ declarations: 0, unreadableDocuments: 1 });
    expect(j.summary.problems[0]).toMatch(/gbk\.json: The input is not valid UTF-8 text \(byte 0xBA at line 3/);
  });

  it('validate and tax: NDJSON on standard input whose first line has a bad byte loses that line only, as reconcile does', async () => {
    // Session 27 left the CLI reading such an input as one broken document: one input-encoding issue, the rest unread.
    const batch = readFileSync(BATCH, 'utf8').trimEnd().split('\n');
    const stdin = Buffer.concat([
      Buffer.from('{"order":{"note":"'),
      Buffer.from([0xff]),
      Buffer.from(`"}}\n${batch.join('\n')}\n`),
    ]);
    // Each later line gives what it gives after a first line with no bad byte.
    const records = (out: string) =>
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line?: number; issues?: { code: string }[] })
        .filter((rec) => rec.line !== undefined);
    const intact = Buffer.from(`{"order":{"note":"x"}}\n${batch.join('\n')}\n`);
    for (const command of ['validate', 'tax']) {
      const got = records((await runCli([command, '-', '--format', 'json'], stdin)).stdout);
      const expected = records((await runCli([command, '-', '--format', 'json'], intact)).stdout);
      expect([got.length, got[0]!.line, got[0]!.issues?.[0]?.code], command).toEqual([
        batch.length + 1,
        1,
        'input-encoding',
      ]);
      expect(got.slice(1), command).toEqual(expected.slice(1));
    }
  });

  it('reconcile: NDJSON whose first line has a bad byte is still read line by line; only that line is lost', async () => {
    const lines = readFileSync(join(MONTH, 'declarations.ndjson'), 'utf8').trimEnd().split('\n');
    const stdin = Buffer.concat([
      Buffer.from('{"order":{"note":"'),
      Buffer.from([0xff]),
      Buffer.from(`"}}\n${lines.slice(1).join('\n')}\n`),
    ]);
    const r = await runCli(
      [
        'reconcile',
        '--declarations',
        '-',
        '--tax-bills',
        join(MONTH, 'bills'),
        '--receipts',
        join(MONTH, 'receipts'),
        '--rates',
        join(MONTH, 'rates.json'),
        '--format',
        'json',
        '--quiet',
      ],
      stdin,
    );
    const j = JSON.parse(r.stdout) as { summary: { matched: number; inputs: { declarations: number } } };
    // 100 lines read (the first one unreadable), 94 of the month's orders matched as with the line intact.
    expect([j.summary.inputs.declarations, j.summary.matched]).toEqual([lines.length, 94]);
  });
});
