import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { reconcileArgs } from '../reconcile/helpers.js';
import { skipWithout } from '../helpers/tools.js';
import { makeKeys, put, unsignedSample } from '../sign/helpers.js';

// A value of the data (an orderNo, a copNo, a cell of an annex) may hold a line break (&#10; in XML, \n in JSON) or a
// C1 control such as CSI (&#155;, which XML 1.0 allows): printed as it was, it forged a line of a text report and
// drove the terminal. Each text output shows it escaped, on one line, as oneLine writes it.
const dir = mkdtempSync(join(tmpdir(), 'sandan-control-values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const XML_EVIL = '&#10;  forged 100&#155;31m';
const SHOWN = '\\n  forged 100\\u009b31m';
const JSON_EVIL = '\n  forged 100\u001b[31m';
const JSON_SHOWN = '\\n  forged 100\\u001b[31m';

/** No raw control character but the line breaks between lines (and tabs), and no forged line. */
function expectClean(text: string, what: string): void {
  expect(text, what).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  expect(text, what).not.toContain('\n  forged 100');
}

describe('values of the data with control characters, in the text outputs', () => {
  const data = join(dir, 'finance');
  cpSync('examples/finance/2026-11', data, { recursive: true });
  // SD000000000073 is the example's mismatch: its orderNo is printed among the mismatches.
  const decls = join(data, 'declarations.ndjson');
  writeFileSync(decls, readFileSync(decls, 'utf8').replace('"SD000000000073"', JSON.stringify(`SD73${JSON_EVIL}`)));
  const receipt = join(data, 'receipts', 'CEB622-000001.xml');
  writeFileSync(receipt, readFileSync(receipt, 'utf8').replace('INV000000000011', `INV11${XML_EVIL}`));

  it('sandan reconcile: the mismatch lines of the text report', async () => {
    const r = await runCli([...reconcileArgs(data), '--quiet']);
    expect(r.stdout).toMatch(
      new RegExp(`\\n  SD73${JSON_SHOWN.replace(/[\\[]/g, '\\$&')} +31052026I000000073 +withheld`),
    );
    expectClean(r.stdout, 'stdout');
  });

  it('sandan status: the heading and timeline of an order', async () => {
    const r = await runCli(['status', join(data, 'receipts'), '--now', '2026-12-20T00:00:00+08:00']);
    expect(r.stdout).toContain(`copNo:INV11${SHOWN}  state: released\n`);
    expectClean(r.stdout, 'stdout');
  });

  it('sandan validate and tax: the orderNo of an NDJSON line and the values their issues quote', async () => {
    const first = readFileSync(decls, 'utf8').split('\n')[0]!;
    const file = join(dir, 'one.ndjson');
    writeFileSync(
      file,
      first
        .replace('"SD000000000000"', JSON.stringify(`SD0${JSON_EVIL}`))
        .replace('"currency": "142"', JSON.stringify({ currency: `1${JSON_EVIL}` }).slice(1, -1)),
    );
    const v = await runCli(['validate', file]);
    expect(v.stdout).toContain(`one.ndjson:1 (orderNo SD0${JSON_SHOWN}): invalid`);
    expect(v.stdout).toContain(`order.currency must be 142, got "1${JSON_SHOWN}"`);
    expectClean(v.stdout, 'validate');
    const t = await runCli(['tax', file]);
    expect(t.stdout).toContain(JSON_SHOWN);
    expectClean(t.stdout, 'tax');
  });

  it('sandan parse --format text: the values of the message, and its file name', async () => {
    const file = join(dir, `r${JSON_EVIL}.xml`);
    const original = readFileSync('examples/finance/2026-11/receipts/CEB622-000001.xml', 'utf8');
    writeFileSync(file, original.replace('Desc:放行]', `Desc:放行${XML_EVIL}]`));
    const r = await runCli(['parse', file, '--format', 'text']);
    expect(r.stdout).toContain(`r${JSON_SHOWN}.xml:\n`);
    expect(r.stdout).toContain(`returnInfo [Code:2600;Desc:放行${SHOWN}]\n`);
    expectClean(r.stdout, 'stdout');
  });

  it('sandan build: the file name and the values its issues quote', async () => {
    const decl = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    decl.order.currency = `1${JSON_EVIL}`;
    const file = join(dir, `b${JSON_EVIL}.json`);
    writeFileSync(file, JSON.stringify(decl));
    const r = await runCli(['build', file, '--message', 'CEB311', '--sender', 'examples/sender.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`b${JSON_SHOWN}.json: cannot build CEB311`);
    expectClean(r.stdout, 'stdout');
  });

  it('sandan positive-list import: a remark of the annex and the file names', async () => {
    const csv = join(dir, `annex${JSON_EVIL}.csv`);
    writeFileSync(
      csv,
      ['序号,税则号列,商品名称,备注', `1,33049900,其他美容品,限网购保税商品${JSON_EVIL}`, ''].join('\r\n'),
    );
    const out = join(dir, `pl${JSON_EVIL}.json`);
    const r = await runCli(['positive-list', 'import', csv, '--edition', '2022', '--out', out, '--format', 'text']);
    expect(r.stdout).toContain(`wrote ${join(dir, `pl${JSON_SHOWN}.json`)}\n`);
    expect(r.stdout).toContain(JSON_SHOWN);
    expectClean(r.stdout, 'stdout');
    const none = join(dir, `empty${JSON_EVIL}.csv`);
    writeFileSync(none, '序号,税则号列,商品名称,备注\r\n');
    const e = await runCli(['positive-list', 'import', none, '--edition', '2022', '--out', out]);
    expect(e.stderr).toContain(`no tariff line was read from ${join(dir, `empty${JSON_SHOWN}.csv`)}; nothing written`);
    expectClean(e.stderr, 'stderr');
  });
});

describe.skipIf(skipWithout('openssl'))('sandan sign and verify: a file name with control characters', () => {
  it('is shown escaped, on one line', async () => {
    const keys = makeKeys();
    try {
      const input = put(keys, `in${JSON_EVIL}.xml`, unsignedSample('CEB621Message'));
      const signed = keys.path(`signed${JSON_EVIL}.xml`);
      const args = ['--key', keys.path('rsa.key'), '--cert', keys.path('rsa.crt')];
      const s = await runCli(['sign', input, ...args, '--out', signed]);
      expect(s.stderr).toContain(`sandan: signed ${keys.path(`in${JSON_SHOWN}.xml`)} with rsa-sha1`);
      expect(s.stderr).toContain(`→ ${keys.path(`signed${JSON_SHOWN}.xml`)}\n`);
      expectClean(s.stderr, 'sign');
      const again = await runCli(['sign', signed, ...args]);
      expect(again.stderr).toContain(`${keys.path(`signed${JSON_SHOWN}.xml`)} already has a ds:Signature`);
      expectClean(again.stderr, 'sign again');
      const v = await runCli(['verify', signed, '--cert', keys.path('rsa.crt')]);
      expect(v.stdout).toContain(`${keys.path(`signed${JSON_SHOWN}.xml`)}: valid signature`);
      expectClean(v.stdout, 'verify');
      const forged = put(keys, `bad${JSON_EVIL}.xml`, readFileSync(signed, 'utf8').replace('<ceb:', '<ceb:x/><ceb:'));
      const bad = await runCli(['verify', forged, '--cert', keys.path('rsa.crt')]);
      expect(bad.stdout).toContain(`${keys.path(`bad${JSON_SHOWN}.xml`)}: invalid signature`);
      expectClean(bad.stdout, 'verify invalid');
    } finally {
      keys.cleanup();
    }
  });
});

describe('sandan quota: an orderNo with control characters', () => {
  // A line break and a C1 control (XML 1.0 carries both) are kept and shown escaped; a C0 control such as ESC, which
  // no customs message can carry, is refused (QUOTA_INVALID), its order shown escaped in the message.
  const XML_VALUE = '\n  forged 100\u009b31m';
  it('is shown escaped, on one line, by reserve and history', async () => {
    const env = { SANDAN_QUOTA_SECRET: 'a-secret-of-at-least-32-characters-0123' };
    const base = ['--db', join(dir, 'quota.sqlite'), '--buyer-id', '330106199003071519'];
    const r = await runCli(
      ['quota', 'reserve', ...base, '--order', `O${XML_VALUE}`, '--amount', '10', '--at', '2026-03-01'],
      '',
      env,
    );
    expect(r.stdout).toContain(`order O${SHOWN}: reserved`);
    const over = await runCli(
      ['quota', 'reserve', ...base, '--order', `P${XML_VALUE}`, '--amount', '99999', '--at', '2026-03-01'],
      '',
      env,
    );
    expectClean(over.stdout, 'refused');
    const h = await runCli(['quota', 'history', ...base, '--year', '2026'], '', env);
    expect(h.stdout).toContain(`  O${SHOWN}  10\n`);
    expectClean(`${r.stdout}${h.stdout}`, 'stdout');
    const esc = await runCli(
      ['quota', 'reserve', ...base, '--order', `E${JSON_EVIL}`, '--amount', '10', '--at', '2026-03-01'],
      '',
      env,
    );
    expect(esc.code).toBe(2);
    expect(esc.stderr).toContain(`E${JSON_SHOWN}`);
    expectClean(esc.stderr, 'stderr');
  });
});

describe('an error message quoting a key of an input file', () => {
  it('is on one line, its control characters escaped', async () => {
    const file = join(dir, 'ruleset.json');
    writeFileSync(file, JSON.stringify({ [`x${JSON_EVIL}`]: 1 }));
    const r = await runCli(['validate', '--ruleset', file, 'examples/hangzhou-1210.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Unrecognized key: "x${JSON_SHOWN}"`);
    expectClean(r.stderr, 'stderr');
  });
});

// U+2028/U+2029 break a line in editors and some terminals; a bidi override (U+202E, U+2067 …) shows the rest of the
// line reversed, so a file named `x‮nosj.dilav` reads as `x valid.json`. Each is shown escaped, as a control is.
const BIDI_EVIL = '\u202e\u2067 forged\u2028\u2029 line\u200f\u061c';
const BIDI_SHOWN = '\\u202e\\u2067 forged\\u2028\\u2029 line\\u200f\\u061c';
const BIDI_RAW = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('a line or paragraph separator or a bidi control, in a file name, a value or an internal error', () => {
  it('is shown escaped by validate, in the file name and in the orderNo', async () => {
    const decl = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    decl.order.orderNo = `SD${BIDI_EVIL}`;
    const file = join(dir, `d${BIDI_EVIL}.ndjson`);
    writeFileSync(file, `${JSON.stringify(decl)}\n`);
    const r = await runCli(['validate', file]);
    expect(r.stdout).toContain(`d${BIDI_SHOWN}.ndjson:1 (orderNo SD${BIDI_SHOWN}): invalid`);
    expect(r.stdout).not.toMatch(BIDI_RAW);
  });

  it('is shown escaped in the internal error line', async () => {
    let stderr = '';
    const code = await main(['validate', 'examples/hangzhou-1210.json'], {
      stdout: () => {
        throw new Error(`boom\n  forged${BIDI_EVIL}`);
      },
      stderr: (t) => void (stderr += t),
      stdin: Readable.from([]),
      stderrIsTTY: false,
      env: {},
    });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `sandan: internal error: boom\\n  forged${BIDI_SHOWN}\nPlease report this with the input that caused it.\n`,
    );
  });
});
