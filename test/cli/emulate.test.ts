import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReqResponse } from '../../src/sign/index.js';
import { buildMessage, parseCebXml, parseReturnInfo } from '../../src/xml/index.js';
import { env, example, makeSigning, message, read, type DocKey } from '../emulator/helpers.js';

// `sandan emulate` as its own process (the built CLI on dist/): it prints where it listens, takes
// messages by HTTP and from its send folder, and stops cleanly on SIGTERM and SIGINT.
const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandan-emulate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, 'emulate', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d));
  child.stderr!.on('data', (d: Buffer) => void (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function orderXml(orderNo: string): string {
  const decl = example();
  decl.order.orderNo = orderNo;
  const r = buildMessage('CEB311', decl.order, env());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.xml;
}

/** The example declaration under other numbers (order, payment, waybill, copNo), for the same buyer. */
function another(n: number): Record<string, any> {
  const d = example();
  const no = String(n).padStart(4, '0');
  d.order.orderNo = d.payment.orderNo = d.logistics.orderNo = d.inventory.orderNo = `SD20261120${no}`;
  d.order.payTransactionId = d.payment.payTransactionId = `PAY202611201016${no}`;
  d.logistics.logisticsNo = d.inventory.logisticsNo = `ZT770001234${String(5677 + n)}`;
  d.inventory.copNo = `INV20261120${no}`;
  return d;
}

/** Declares each order by HTTP (four unsigned messages), a day apart; the last CEB622 of each: [status, code, desc]. */
async function declareAll(url: string, decls: Array<Record<string, any>>): Promise<Array<[string, string, string]>> {
  for (const decl of decls) {
    for (const k of ['order', 'payment', 'logistics', 'inventory'] as DocKey[]) {
      const r = await fetch(`${url}/ceb`, { method: 'POST', body: await message(decl, k) });
      expect([k, r.status, r.headers.get('x-sandan-accepted')]).toEqual([k, 200, 'true']);
    }
    expect((await fetch(`${url}/admin/advance?by=1d`, { method: 'POST' })).status).toBe(200);
  }
  const out: Array<[string, string, string]> = [];
  for (const decl of decls) {
    const r = await fetch(`${url}/receipts?after=0&orderNo=${decl.order.orderNo}`, {
      headers: { Accept: 'application/json' },
    });
    const { receipts } = (await r.json()) as { receipts: Array<{ type: string; returnStatus?: string; xml: string }> };
    const last = receipts.filter((x) => x.type === 'CEB622').at(-1)!;
    const { code, desc } = parseReturnInfo(String(read(last.xml).documents[0]?.returnInfo ?? ''));
    out.push([last.returnStatus ?? '', code ?? '', desc ?? '']);
  }
  return out;
}

describe('sandan emulate', () => {
  it('prints its address, answers a POSTed order, takes a dropped file, and stops cleanly on SIGTERM', async () => {
    const send = join(dir, 'a-send');
    const receive = join(dir, 'a-receive');
    const run = launch([
      '--port',
      '0',
      '--memory',
      '--send',
      send,
      '--receive',
      receive,
      '--interval',
      '20',
      '--clock',
      'manual',
      '--start',
      '2026-11-20T02:20:00Z',
    ]);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    expect(run.stdout()).toContain(`  send    ${send}\n  receive ${receive}\n`);
    expect(run.stdout()).toContain('  state   memory (gone on exit)\n');
    expect(run.stdout()).toContain('  clock   manual (now 2026-11-20T10:20:00.000+08:00;');

    const r = await fetch(`${url}/ceb`, {
      method: 'POST',
      body: orderXml('CLI-0001'),
      headers: { 'Content-Type': 'application/xml' },
    });
    expect(r.status).toBe(200);
    const ack = parseCebXml(await r.text());
    expect(ack.kind === 'dxp' ? undefined : ack.messageType).toBe('CEB312');
    expect(ack.kind === 'dxp' ? undefined : ack.documents[0]?.returnStatus).toBe('2');

    writeFileSync(join(send, '.o.tmp'), orderXml('CLI-0002'));
    renameSync(join(send, '.o.tmp'), join(send, 'o.xml'));
    await until('the file to be taken', () => existsSync(join(send, 'processed', 'o.xml')));
    await until('its receipt', () => readdirSync(receive).some((f) => f.includes('CEB312')));
    // Each receipt is listed on standard error.
    await until('the receipt lines', () => (run.stderr().match(/ CEB312 2 {2}order CLI-000\d/g) ?? []).length === 2);

    run.child.kill('SIGTERM');
    const end = await run.exited;
    expect(end).toEqual({ code: 0, signal: null });
    expect(run.stderr()).toContain('sandan emulate: SIGTERM: stopping');
    expect(run.stderr()).toContain('sandan emulate: stopped\n');
    expect(run.stderr()).not.toMatch(/\n\s+at /); // no stack trace
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 60_000);

  it('lists a receipt whose orderNo holds a line break or a C1 escape on one line, escaped', async () => {
    const run = launch(['--port', '0', '--memory', '--clock', 'manual', '--start', '2026-11-20T02:20:00Z']);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    // (&#10; and &#155;, CSI, are characters XML 1.0 allows in a value)
    const xml = orderXml('CLIEVIL').replace('CLIEVIL', 'CLI&#10;  forged 100&#155;31m');
    const r = await fetch(`${url}/ceb`, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/xml' } });
    expect(r.status).toBe(200);
    await until('the receipt line', () => run.stderr().includes(' CEB312 '));
    run.child.kill('SIGTERM');
    await run.exited;
    expect(run.stderr()).toMatch(/ CEB312 \d+ {2}order CLI\\n {2}forged 100\\u009b31m /);
    expect(run.stderr()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(run.stderr()).not.toContain('\n  forged 100');
  });

  it('--allow-host adds names the HTTP endpoint answers to; any other Host is refused (403)', async () => {
    const run = launch([
      '--port',
      '0',
      '--no-folder',
      '--quiet',
      '--memory',
      '--allow-host',
      'emulator.test',
      '--allow-host',
      'other.test:80',
    ]);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    const port = Number(new URL(url).port);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) =>
        request({ host: '127.0.0.1', port, path: '/health', agent: false, headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
    expect(await status(`emulator.test:${port}`)).toBe(200);
    expect(await status('other.test')).toBe(200);
    expect(await status(`attacker.example:${port}`)).toBe(403);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('keeps its state in a SQLite file by default, and stops on SIGINT too', async () => {
    const run = launch(['--port', '0', '--no-folder', '--quiet']);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    expect(run.stdout()).toContain(`  state   ${join(dir, 'sandan-emulator', 'state.sqlite')}\n`);
    expect(run.stdout()).not.toContain('  send ');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(existsSync(join(dir, 'sandan-emulator', 'state.sqlite'))).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('--history limits what GET /receipts keeps: a client behind it gets 410', async () => {
    const run = launch(['--port', '0', '--no-folder', '--quiet', '--memory', '--history', '2']);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    for (const no of ['H-1', 'H-2', 'H-3'])
      expect((await fetch(`${url}/ceb`, { method: 'POST', body: orderXml(no) })).status).toBe(200);
    // three receipts (2 of each order), the newest two kept: 2 and 3
    const gone = await fetch(`${url}/receipts?after=0`, { headers: { Accept: 'application/json' } });
    expect(gone.status).toBe(410);
    expect(await gone.json()).toMatchObject({ error: { code: 'RECEIPTS_GONE', oldest: 2, next: 1 } });
    const kept = (await (
      await fetch(`${url}/receipts?after=1`, { headers: { Accept: 'application/json' } })
    ).json()) as {
      receipts: Array<{ seq: number; orderNo: string }>;
    };
    expect(kept.receipts.map((r) => [r.seq, r.orderNo])).toEqual([
      [2, 'H-2'],
      [3, 'H-3'],
    ]);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('--max-scenarios bounds the scenarios kept: one more is refused with 400 EMULATOR_SCENARIOS_FULL', async () => {
    const run = launch(['--port', '0', '--no-folder', '--quiet', '--memory', '--max-scenarios', '1']);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    const set = (orderNo: string) =>
      fetch(`${url}/admin/scenario`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ orderNo, scenario: { reject: { code: '1313' } } }),
      });
    expect((await set('S-1')).status).toBe(200);
    const full = await set('S-2');
    expect([full.status, await full.json()]).toEqual([
      400,
      {
        error: {
          code: 'EMULATOR_SCENARIOS_FULL',
          message:
            'scenario: 1 scenarios are kept already (maxScenarios); remove those no longer needed (a scenario of null) before setting another',
        },
      },
    ]);
    // replacing the one kept is taken
    expect((await set('S-1')).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('runs one emulator on a --state file: a second exits 2 naming the first; kill -9 or SIGTERM/SIGINT frees it', async () => {
    const state = join(dir, 'one.sqlite');
    const args = ['--port', '0', '--no-folder', '--state', state, '--clock', 'manual'];
    const started = (run: Running) =>
      until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    const first = launch(args);
    await started(first);
    const second = launch(args);
    expect((await second.exited).code).toBe(2);
    expect(second.stderr()).toContain(
      `sandan: The emulator state ${state} is in use by another emulator: process ${first.child.pid} on `,
    );
    expect(second.stderr()).toMatch(/\nhint: Stop the other emulator/);
    expect(second.stderr()).not.toMatch(/\n\s+at /);
    // A crashed emulator holds nothing: the next one starts.
    first.child.kill('SIGKILL');
    await first.exited;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const next = launch(args);
      await started(next);
      next.child.kill(signal);
      expect(await next.exited).toEqual({ code: 0, signal: null });
    }
    const last = launch(args);
    await started(last);
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);
  }, 120_000);

  it('exits 2 with a hint, without starting, on a usage error or a port in use', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    // A file where a folder must be was "internal error: EEXIST" (or ENOTDIR); a FIFO as the state, "disk I/O error".
    writeFileSync(join(dir, 'a-file'), '');
    execFileSync('mkfifo', [join(dir, 'a-fifo')]);
    const cases: Array<[string[], RegExp]> = [
      [['--port', '0', '--state', 'a-file/state.sqlite'], /Cannot write \S+a-file: it or a folder above it is a file/],
      [['--memory', '--port', '0', '--send', 'a-file'], /Cannot write \S+a-file: it or a folder above it is a file/],
      [['--memory', '--port', '0', '--receive', 'a-file/r'], /Cannot write \S+a-file\/r: it or a folder above/],
      [['--port', '0', '--state', 'a-fifo'], /Cannot open the emulator state \S+a-fifo: it is a FIFO \(named pipe\)/],
      [['--no-http', '--no-folder', '--memory'], /leave no way in/],
      [['--district', '9999', '--memory', '--port', '0'], /Unknown customs district "9999"/],
      [['--port', 'eighty', '--memory'], /--port must be a whole number/],
      [['--memory', '--state', 'x.sqlite'], /cannot be used with option/],
      [['--memory', '--no-folder', '--port', String(port)], /Cannot listen on 127\.0\.0\.1:\d+: the port is in use/],
      [['--memory', '--port', '0', '--trust', 'missing.pem'], /Cannot read certificate missing\.pem: no such file/],
      [
        ['--memory', '--port', '0', '--trust', 'a-file'],
        /^sandan: Not an X\.509 certificate \(PEM or DER\): it is empty \(0 bytes\)\n/,
      ],
      [['--memory', '--port', '0', '--history', 'all'], /--history must be a whole number/],
      [
        ['--memory', '--port', '0', '--max-scenarios', '-1'],
        /^sandan: --max-scenarios must be a whole number from 0 to 100000000, got "-1"\nhint: See `sandan emulate --help`\.\n$/,
      ],
      [['--port', '0', '--synchronous', 'off'], /Allowed choices are normal, full/],
      // (an impossible date was rolled over: 2026-02-30 started the clock on 2 March)
      [
        ['--memory', '--port', '0', '--clock', 'manual', '--start', '2026-02-30'],
        /--start: "2026-02-30" is not a real date/,
      ],
    ];
    try {
      for (const [args, message] of cases) {
        const run = launch(args);
        const end = await run.exited;
        expect([end.code, args]).toEqual([2, args]);
        expect(run.stderr(), args.join(' ')).toMatch(message);
        expect(run.stderr()).not.toMatch(/\n\s+at /);
      }
    } finally {
      busy.close();
    }
  }, 120_000);

  it('prints a note on a received message as it is added (an inventory released but sent no tax bill), --quiet or not', async () => {
    // The bundled rates have none for the example's 1901101000: no CEB816, and why is noted on the CEB621 message.
    const run = launch([
      ...['--port', '0', '--no-folder', '--quiet', '--memory', '--no-require-signature'],
      ...['--clock', 'manual', '--start', '2026-11-20T02:20:00Z'],
    ]);
    const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
    const decl = example();
    let line: string;
    try {
      expect(await declareAll(url, [decl])).toEqual([['800', '2600', '放行']]);
      const noted = () =>
        run
          .stderr()
          .split('\n')
          .find((l) => l.includes('  note  '));
      line = await until('the note', noted, 10_000);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(line).toMatch(
      new RegExp(
        `^2026-11-2\\dT[\\d:.]+\\+08:00  note  order ${decl.order.orderNo} \\(${decl.order.ebpCode}\\)  received #4: no tax bill \\(CEB816\\) for inventory \\S+: the emulator's rates leave line 1 \\(1901101000, rate-missing\\) without a figure`,
      ),
    );
    // --quiet: no receipt listed, the note alone.
    expect(run.stderr()).not.toMatch(/ CEB622 /);
  }, 60_000);

  it('--settings changes its verdicts: duplicateCopNo refuse answers a repeated copNo 1300, a lower annualLimit 1313', async () => {
    // Three orders of 548 CNY each (goods 548, the example's) for one buyer: the second under the
    // first one's copNo, the third under its own.
    const first = example();
    const twin = another(2);
    twin.inventory.copNo = first.inventory.copNo;
    const decls = [first, twin, another(3)];
    const settings = join(dir, 'settings.json');
    writeFileSync(
      settings,
      JSON.stringify({ duplicateCopNo: 'refuse', heldDocumentChange: 'refuse', quota: { annualLimit: '1000' } }),
    );
    const args = ['--port', '0', '--no-folder', '--quiet', '--memory', '--no-require-signature'];
    const clock = [
      '--clock',
      'manual',
      '--start',
      '2026-11-20T02:20:00Z',
      '--rates',
      join(ROOT, 'examples/rates.example.json'),
    ];
    const runs: Record<string, Array<[string, string, string]>> = {};
    for (const [name, extra] of [
      ['defaults', []],
      ['settings', ['--settings', settings]],
    ] as const) {
      const run = launch([...args, ...clock, ...extra]);
      const url = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(run.stdout())?.[0]);
      runs[name] = await declareAll(url, decls);
      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      if (name === 'defaults') expect(run.stdout()).not.toContain('settings');
      // The settings it changes, each with its default; heldDocumentChange refuse is the default, so not listed.
      else
        expect(run.stdout()).toContain(
          `  settings ${settings}\n    duplicateCopNo     refuse  (default: take)\n    quota.annualLimit  1000  (default: the quota policy's in force)\nStop with`,
        );
    }
    // By default all three are released: the copNo is not checked, and 3 × 548 = 1644 is within 26,000.
    expect(runs.defaults).toEqual([
      ['800', '2600', '放行'],
      ['800', '2600', '放行'],
      ['800', '2600', '放行'],
    ]);
    expect(runs.settings).toEqual([
      ['800', '2600', '放行'],
      [
        '100',
        '1300',
        '企业内部编号 INV202611200001 已用于订单 SD202611200001 的清单 / copNo INV202611200001 is already that of the inventory of order SD202611200001',
      ],
      // the refused twin holds no quota: 548 + 548 = 1096 > 1000
      ['100', '1313', '订购人购买超过年度限额'],
    ]);
  }, 120_000);

  it('--settings names a bad settings file and exits 2 without starting: unknown keys with the one meant', async () => {
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return name;
    };
    const cases: Array<[string, RegExp]> = [
      ['missing.json', /^sandan: Cannot read emulator settings missing\.json: no such file\nhint: Check the path\.\n$/],
      [file('bad-json.json', '{"duplicateCopNo": '), /^sandan: bad-json\.json: not valid JSON: /],
      [
        file('typo.json', '{"duplicateCopno": "refuse"}'),
        /^sandan: typo\.json: \$\.duplicateCopno: unknown setting "duplicateCopno"; did you mean duplicateCopNo\?\nhint: Fix the settings file; its format is sandan's schemas\/emulator-settings\.schema\.json, and https:\/\/github\.com\/sandan-dev\/sandan\/blob\/main\/docs\/emulator\.md says/,
      ],
      [
        file('nested-typo.json', '{"quota": {"annualLimt": "1000"}, "heldDocumentchange": "take"}'),
        /\$\.quota\.annualLimt: unknown setting "annualLimt"; did you mean annualLimit\?; \$\.heldDocumentchange: unknown setting "heldDocumentchange"; did you mean heldDocumentChange\?/,
      ],
      [
        file('unknown.json', '{"strict": true}'),
        /\$\.strict: unknown setting "strict"; the settings are heldDocumentChange, /,
      ],
      [
        file('number.json', '{"quota": {"annualLimit": 1000}}'),
        /\$\.quota\.annualLimit: an amount is written as a decimal string, e.g\. "26000", not a JSON number/,
      ],
      [
        file('choice.json', '{"duplicateCopNo": "reject"}'),
        /\$\.duplicateCopNo: Invalid option: expected one of "take"\|"refuse"/,
      ],
      [
        file('timing.json', '{"timing": {"released": "2 weeks"}}'),
        /\$\.timing\.released: must be a duration such as "30s"/,
      ],
      [file('array.json', '[]'), /array\.json: \$: expected an object of settings/],
    ];
    for (const [name, message] of cases) {
      // (a SQLite state: nothing is made on disk before the settings are read)
      const run = launch(['--port', '0', '--state', join('never', 'state.sqlite'), '--settings', name]);
      const end = await run.exited;
      expect([end.code, name]).toEqual([2, name]);
      expect(run.stderr(), name).toMatch(message);
      expect(run.stdout(), name).toBe('');
      expect(run.stderr()).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
  }, 120_000);
});

/*
 * docs/emulator.md's console blocks run as written, as docs/quota.md's record-return walk-through does (test/quota):
 * each `$ ` line is a command (a line ending in `\` goes on), the lines after it what it prints, `…` standing for any
 * text of one line (guids, times). `sandan emulate` is started (on a free port, which the later commands are
 * pointed at), `sandan build` run, and curl's requests made with fetch (only the curl options the docs use are known:
 * one more fails the test, so a block cannot use an option this test would ignore).
 */
describe("docs/emulator.md's console blocks", () => {
  const doc = readFileSync(join(ROOT, 'docs/emulator.md'), 'utf8');
  const blocks = [...doc.matchAll(/^```console\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

  /** The block's commands, each with the lines it prints. */
  function steps(block: string): Array<{ command: string; printed: string }> {
    const out: Array<{ command: string; lines: string[] }> = [];
    let continued = false;
    for (const line of block.replace(/\n$/, '').split('\n')) {
      const last = out.at(-1);
      if (continued && last) last.command = `${last.command.slice(0, -1).trimEnd()} ${line.trim()}`;
      else if (line.startsWith('$ ')) out.push({ command: line.slice(2), lines: [] });
      else last?.lines.push(line);
      continued = /\\$/.test(out.at(-1)?.command ?? '') && out.at(-1)?.lines.length === 0;
    }
    return out.map((s) => ({ command: s.command.replace(/\s+#\s.*$/, ''), printed: s.lines.join('\n') }));
  }

  /** The words of a command line as sh splits them (plain words and single-quoted ones). */
  function words(command: string): string[] {
    return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  }

  /** Whether `actual` is what the doc shows, `…` standing for any text within a line. */
  function shown(actual: string, expected: string): boolean {
    const pattern = expected
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^\\n]*?');
    return new RegExp(`^${pattern}$`).test(actual.replace(/\n$/, ''));
  }

  /** curl's request, made with fetch: the answer's body. */
  async function curl(args: string[], cwd: string, url: (u: string) => string): Promise<string> {
    const headers: Record<string, string> = {};
    let method: string | undefined;
    let body: string | undefined;
    let target: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-s') continue;
      else if (a === '-X') method = args[++i];
      else if (a === '-H') {
        const [name = '', ...value] = args[++i]!.split(':');
        headers[name] = value.join(':').trim();
      } else if (a === '-d') body = args[++i];
      else if (a === '--data-binary') body = readFileSync(join(cwd, args[++i]!.replace(/^@/, '')), 'utf8');
      else if (a.startsWith('-')) throw new Error(`curl option ${a} is not known to this test: add it`);
      else target = url(a);
    }
    if (body !== undefined && headers['Content-Type'] === undefined)
      headers['Content-Type'] = 'application/x-www-form-urlencoded'; // as curl -d sends it
    const r = await fetch(target!, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
    return r.text();
  }

  /** Runs a block's commands in `cwd`, the names in `files` mapped to paths or URLs; what each printed, as shown. */
  async function run(block: string, files: Record<string, string>) {
    let running: Running | undefined;
    let base = '';
    const seen: Array<[string, string]> = [];
    const ran: string[] = [];
    try {
      for (const { command, printed } of steps(block)) {
        const [tool = '', ...rest] = words(command);
        const args = (tool === 'npx' ? rest.slice(1) : rest).map((a) => files[a] ?? a);
        const url = (u: string) => u.replace('http://127.0.0.1:8621', base);
        ran.push(tool === 'curl' ? 'curl' : args[0]!);
        if (tool === 'curl') seen.push([command, await curl(args, dir, url)]);
        else if (args[0] === 'emulate') {
          running = launch([...args.slice(1), '--port', '0']);
          base = await until('the printed URL', () => /http:\/\/127\.0\.0\.1:\d+/.exec(running!.stdout())?.[0]);
          seen.push([command, printed]); // (its start-up lines: the settings block below)
        } else {
          expect(args[0], command).toBe('build');
          seen.push([command, execFileSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' })]);
        }
        expect(
          shown(seen.at(-1)![1], printed),
          `${command}\nprinted:\n${seen.at(-1)![1]}\nthe doc shows:\n${printed}`,
        ).toBe(true);
      }
    } finally {
      running?.child.kill('SIGTERM');
      if (running) expect((await running.exited).code).toBe(0);
    }
    return ran;
  }

  it('reads the blocks: commands, continued lines, what they print, `…`', () => {
    expect(steps("$ a 'b c' \\\n    d   # note\nx\n$ e\n")).toEqual([
      { command: "a 'b c' d", printed: 'x' },
      { command: 'e', printed: '' },
    ]);
    expect(words('curl -s -d \'{"a": 1}\' http://x')).toEqual(['curl', '-s', '-d', '{"a": 1}', 'http://x']);
    expect([shown('a-12-b\n', 'a-…-b'), shown('a-1\n2-b', 'a-…-b'), shown('a.b', 'a…b'), shown('ab', 'a.b')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it('curl: an order POSTed to a manual-clock emulator, the clock moved, its receipts read', async () => {
    symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'), 'dir');
    const block = blocks.find((b) => b.includes('/ceb\n') && b.includes('admin/advance'));
    expect(block).toBeDefined();
    const done = await run(block!, {});
    expect(done).toEqual(['emulate', 'build', 'curl', 'curl', 'curl']);
  }, 120_000);

  it('the "179" payment data: --plat-data-open posts openReq to the platform, whose answer the request shows', async () => {
    const signing = makeSigning();
    const platform = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(openReqResponse()));
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    try {
      writeFileSync(join(dir, 'card.pem'), signing.trust.certificates[0]!);
      const { port } = platform.address() as AddressInfo;
      const block = blocks.find((b) => b.includes('--plat-data-open'));
      expect(block).toBeDefined();
      const done = await run(block!, {
        'card.pem': join(dir, 'card.pem'),
        'http://127.0.0.1:8080/platDataOpen': `http://127.0.0.1:${port}/platDataOpen`,
      });
      expect(done).toEqual(['emulate', 'curl', 'curl']);
    } finally {
      platform.close();
      signing.keys.cleanup();
    }
  }, 120_000);

  it("--settings: the start-up lines show the doc's settings file as the doc shows them", async () => {
    const settings = /`sandan emulate --settings emulator-settings\.json`[^\n]*\n\n```json\n([\s\S]*?)```/.exec(
      doc,
    )?.[1];
    const lines = blocks.find((b) => b.startsWith('  settings '));
    expect([settings, lines]).not.toContain(undefined);
    writeFileSync(join(dir, 'emulator-settings.json'), settings!);
    const running = launch(['--memory', '--port', '0', '--no-folder', '--settings', 'emulator-settings.json']);
    try {
      await until('the start-up lines', () => running.stdout().includes('Stop with'));
      expect(running.stdout()).toContain(
        lines!.replace('/srv/shop/emulator-settings.json', join(dir, 'emulator-settings.json')),
      );
    } finally {
      running.child.kill('SIGTERM');
      expect((await running.exited).code).toBe(0);
    }
  }, 120_000);
});
