import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor, main } from '../../src/cli/main.js';
import { OutputClosedError } from '../../src/cli/io.js';
import { unsignedSample } from '../sign/helpers.js';

// The built CLI (bin/sandan.js on dist/, built by the global setup) as its own process: exit codes,
// and a real shell pipeline whose reader stops early.
const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { closeStderr?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.env && { env: { ...process.env, ...opts.env } }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d));
    // Closing our end before the child has even started makes its first write to stderr fail with EPIPE.
    if (opts.closeStderr) child.stderr.destroy();
    else child.stderr.on('data', (d: Buffer) => void (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `sandan ARGS | CONSUMER` in sh; sandan's status and anything it said on stderr come back on stderr. */
function pipeline(args: string[], consumer: string): Promise<Run> {
  return run('sh', ['-c', `{ node "$0" "$@"; echo "sandan exit $?" >&2; } | ${consumer}`, BIN, ...args]);
}

describe('the installed bin (built dist)', () => {
  it('exits 0 valid, 1 invalid, 2 unreadable', async () => {
    const codes = await Promise.all(
      ['examples/hangzhou-1210.json', 'test/fixtures/invalid-hangzhou.json', 'missing.json'].map(
        async (f) => (await run(process.execPath, [BIN, 'validate', f])).code,
      ),
    );
    expect(codes).toEqual([0, 1, 2]);
  });
});

// Start-up time is asserted through what is loaded, not timed (timings are noise on a shared machine):
// bench/startup.mjs measures `sandan --version` against `node -e 0`.
describe('start-up: a command module is loaded only when its command runs', () => {
  const names = COMMANDS.map(([name]) => name);

  it('main.ts imports no command module and not commander statically', () => {
    const src = readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8');
    const staticImports = [...src.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    // A lone --version is answered without commander; every other command line imports it.
    expect(staticImports).not.toContain('commander');
    expect(src).toContain("await import('commander')");
    expect(staticImports.filter((p) => /command\.js$/.test(p!))).toEqual(['./command.js']);
  });

  it('loads the command named first, none for a lone --version, every one for help, no command or a typo', () => {
    const loaded = (argv: string[]) => commandsFor(argv).map(([name]) => name);
    expect(loaded(['validate', 'x.json', '--format', 'json'])).toEqual(['validate']);
    expect(loaded(['positive-list', 'import', 'x.csv'])).toEqual(['positive-list']);
    expect(loaded(['status', 'receipts/'])).toEqual(['status']);
    expect(loaded(['--version'])).toEqual([]);
    expect(loaded(['-V'])).toEqual([]);
    for (const argv of [[], ['--help'], ['help', 'tax'], ['valdate'], ['--version', 'validate'], ['-x', 'validate']])
      expect(loaded(argv)).toEqual(names);
  });

  it('every module registers exactly the command it is listed under', async () => {
    const ctx = { io: { stdout: () => undefined, stderr: () => undefined }, setExit: () => undefined };
    for (const [name, load] of COMMANDS) {
      const program = new Command('sandan');
      (await load())(program, ctx as never);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
    // The first import of every command module (transformed by vitest) takes 20 s on a busy machine.
  }, 120_000);

  it('the built CLI (ESM and CommonJS) reaches only Node built-ins before a command line is read', () => {
    // The static import graph of dist/cli.js (import … from) and dist/cli.cjs (top-level require):
    // the lazy import() of each command is not followed.
    const STATIC = {
      js: /^import\s+(?:[^;]*?\s+from\s+)?["']([^"']+)["'];?$/gm,
      cjs: /^var \w+ = require\(["']([^"']+)["']\);?$/gm,
    };
    for (const kind of ['js', 'cjs'] as const) {
      const seen = new Set<string>();
      const packages = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
        // A command module inlined into the start-up graph would define its register function here.
        expect(text, file).not.toMatch(/function register\w*Command\(/);
        for (const [, spec] of text.matchAll(STATIC[kind]))
          if (spec!.startsWith('./')) visit(spec!.slice(2));
          else if (!isBuiltin(spec!)) packages.add(spec!);
      };
      visit(`cli.${kind}`);
      expect([...packages], kind).toEqual([]);
      expect(readFileSync(join(ROOT, 'dist', `cli.${kind}`), 'utf8').match(/-command-\w+\.c?js/g)).toHaveLength(
        COMMANDS.length,
      );
    }
  });

  it('a lone --version runs without commander: a loader hook that refuses it lets --version through, not validate', async () => {
    // A resolve hook (module.register) that throws when anything imports commander.
    const hook =
      'data:text/javascript,export async function resolve(s,c,n){if(s==="commander")throw new Error("commander was loaded");return n(s,c)}';
    const noCommander = `data:text/javascript,import{register}from'node:module';register('${encodeURIComponent(hook)}');`;
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const [version, short, other] = await Promise.all(
      [['--version'], ['-V'], ['validate', '--help']].map((args) =>
        run(process.execPath, ['--import', noCommander, BIN, ...args]),
      ),
    );
    expect([version!.code, version!.stdout]).toEqual([0, `${pkg.version}\n`]);
    expect([short!.code, short!.stdout]).toEqual([0, `${pkg.version}\n`]);
    // (the hook works: a command line that needs commander fails on it)
    expect([other!.code, other!.stderr]).toEqual([1, expect.stringContaining('commander was loaded')]);
  });

  it('the bin prints its version, suggests a command for a typo and still lists every command', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const [version, typo, help] = await Promise.all(
      [['--version'], ['valdate'], ['--help']].map((args) => run(process.execPath, [BIN, ...args])),
    );
    expect([version!.code, version!.stdout]).toEqual([0, `${pkg.version}\n`]);
    expect([typo!.code, typo!.stderr]).toEqual([
      2,
      "sandan: unknown command 'valdate'\nhint: Did you mean validate? See `sandan --help`.\n",
    ]);
    for (const name of names) expect(help!.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it("no command's help names a docs/ page by its path: an installed package has no docs/, the help gives its address", async () => {
    // (`sandan emulate --help` said "(docs/emulator.md; …)" after the hints were given addresses)
    const helps = await Promise.all(names.map((name) => run(process.execPath, [BIN, name, '--help'])));
    helps.forEach((h, i) => {
      expect(h.code, names[i]).toBe(0);
      expect(h.stdout.replace(/https:\/\/\S+/g, ''), names[i]).not.toMatch(/docs\/[\w-]+\.md/);
    });
    expect(helps[names.indexOf('emulate')]!.stdout).toContain(
      'https://github.com/sandan-dev/sandan/blob/main/docs/emulator.md;',
    );
  });
});

describe('sandan as a long-running filter', () => {
  it('answers each NDJSON line on a pipe before the next is sent (output is held for one turn at most)', async () => {
    const child = spawn(process.execPath, [BIN, 'validate', '-', '--ndjson', '--format', 'json'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const line = `${JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'examples/hangzhou-1210.json'), 'utf8')))}\n`;
    let out = '';
    let waiting: (() => void) | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      waiting?.();
    });
    const count = () => out.split('\n').filter((l) => l.startsWith('{"line"')).length;
    const answers = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer ${n} within 20 s; got ${count()}`)), 20_000);
        waiting = () => {
          if (count() < n) return;
          clearTimeout(timer);
          waiting = undefined;
          resolve();
        };
        waiting();
      });
    // Each line is sent only once the previous answer has come: held output would wait forever.
    for (let n = 1; n <= 3; n++) {
      child.stdin.write(line);
      await answers(n);
    }
    child.stdin.end();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out.split('\n').filter((l) => l.startsWith('{"line"'))).toHaveLength(3);
    expect(out).toContain('"summary"');
  }, 60_000);
});

/**
 * A new folder holding big.ndjson: 400 declarations (1.4 MB), whose 250 KB or more of JSON results are far more than
 * a pipe buffers (64 KiB).
 */
function bigInput(prefix: string): { dir: string; big: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const big = join(dir, 'big.ndjson');
  const line = `${JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'examples/hangzhou-1210.json'), 'utf8')))}\n`;
  writeFileSync(big, line.repeat(400));
  return { dir, big };
}

describe('sandan in a pipe whose reader stops early', () => {
  let dir: string;
  let big: string;
  beforeAll(() => void ({ dir, big } = bigInput('sandan-pipes-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validate --format json | head -c 20: stops quietly with 141, like a Unix tool ended by SIGPIPE', async () => {
    const r = await pipeline(['validate', big, '--format', 'json'], 'head -c 20');
    expect(r.stdout).toBe('{"line":1,"valid":tr');
    expect(r.stderr).toBe('sandan exit 141\n');
  });

  it('validate --format json | grep -q: grep finds its line, sandan ends quietly', async () => {
    const r = await run('sh', [
      '-c',
      `{ node "$0" "$@"; echo "sandan exit $?" >&2; } | grep -q '"line":2,'; echo "grep exit $?"`,
      BIN,
      'validate',
      big,
      '--format',
      'json',
    ]);
    expect(r.stdout).toBe('grep exit 0\n');
    expect(r.stderr).toBe('sandan exit 141\n');
  });

  it('tax --format json | head -c 20: the same', async () => {
    const r = await pipeline(['tax', big, '--format', 'json'], 'head -c 20');
    expect([r.stdout.length, r.stderr]).toEqual([20, 'sandan exit 141\n']);
  });

  it('tax (text) | head -n 1: the same', async () => {
    const r = await pipeline(['tax', big], 'head -n 1');
    expect(r.stdout.startsWith(`${big}:1 (rules: `) && r.stdout.indexOf('\n') === r.stdout.length - 1).toBe(true);
    expect(r.stderr).toBe('sandan exit 141\n');
  });

  it('a closed standard error (the error message cannot be told) also ends with 141, not a crash', async () => {
    const r = await run(process.execPath, [BIN, 'validate', join(dir, 'missing.json')], { closeStderr: true });
    expect([r.code, r.signal, r.stdout]).toEqual([141, null, '']);
  });

  it('an output that is not closed still gets the usual codes', async () => {
    const r = await pipeline(['validate', join(dir, 'missing.json')], 'cat');
    expect(r.stderr).toMatch(/^sandan: Cannot read .*missing\.json: no such file\nhint: .*\nsandan exit 2\n$/);
  });
});

// A write that fails for another reason than a reader gone: /dev/full answers every write with ENOSPC, as a full disk
// does. The command stops, says so in one line on standard error and exits 2 (it could not do its job), never with
// Node's stack trace for an unhandled 'error' event (exit 1, which would read as "the input has problems").
describe.skipIf(!existsSync('/dev/full'))('standard output on a full disk (/dev/full)', () => {
  const toFull = (args: string[], stderrTo?: 'full'): Promise<Run> =>
    new Promise((resolve, reject) => {
      const full = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        stdio: ['ignore', full, stderrTo === 'full' ? full : 'pipe'],
      });
      closeSync(full);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => void (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
    });
  const told = 'sandan: cannot write to standard output: ENOSPC: no space left on device, write\n';
  let dir: string;
  let big: string;
  beforeAll(() => void ({ dir, big } = bigInput('sandan-full-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['validate, text', ['validate', 'examples/hangzhou-1210.json']],
    ['validate, JSON', ['validate', 'examples/hangzhou-1210.json', '--format', 'json']],
    ['--version', ['--version']],
    ['tax, text', ['tax', 'examples/hangzhou-1210.json', '--rates', 'examples/rates.example.json']],
  ])('%s: one line on standard error, exit 2', async (_, args) => {
    const r = await toFull(args);
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith(told)).toBe(true);
    expect(r.stderr.split(told).length).toBe(2);
    expect(r.stderr).not.toMatch(/ at |node:internal|Node\.js v/);
  });

  it('a long NDJSON run stops at the first write after the failure, with the same line', async () => {
    const r = await toFull(['validate', big, '--format', 'json']);
    expect([r.code, r.stderr]).toEqual([2, told]);
  });

  it('standard error on the full disk too: nothing can be told, the exit status says it (2, not a crash)', async () => {
    const r = await toFull(['validate', join(dir, 'missing.json')], 'full');
    expect([r.code, r.signal]).toEqual([2, null]);
  });
});

// Full disks: a 1 MiB tmpfs mounted for the tests (root only; skipped where it cannot be mounted), filled by each test
// up to a few blocks.
function mountTiny(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const at = mkdtempSync(join(tmpdir(), 'sandan-tiny-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', at], { stdio: 'ignore' }).status === 0) return at;
  rmSync(at, { recursive: true, force: true });
  return undefined;
}
function unmountTiny(at: string): void {
  spawnSync('umount', [at], { stdio: 'ignore' });
  rmSync(at, { recursive: true, force: true });
}
/** `sandan reconcile` of the bundled month as JSON, without a progress bar. */
const M = 'examples/finance/2026-11';
const MONTH_END_JSON = [
  'reconcile',
  ...['--declarations', `${M}/declarations.ndjson`, '--tax-bills', `${M}/bills`, '--receipts', `${M}/receipts`],
  ...['--rates', `${M}/rates.json`, '--format', 'json', '--quiet'],
];

/** Removes everything on the test disk. */
function emptyDisk(dir: string): void {
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
}

/** Adds a file `fill` that leaves `blocks` blocks of the disk free (the emulator's and SQLite's writes need more). */
function fillUp(dir: string, blocks: number): void {
  const { bavail, bsize } = statfsSync(dir);
  writeFileSync(join(dir, 'fill'), Buffer.alloc(Math.max(0, bavail - blocks) * bsize));
}
const canMount = (() => {
  const at = mountTiny();
  if (at !== undefined) unmountTiny(at);
  return at !== undefined;
})();
describe.skipIf(!canMount)('an --out file on a full disk', () => {
  let tinyDisk: string | undefined;
  beforeAll(() => {
    tinyDisk = mountTiny();
  });
  afterAll(() => {
    if (tinyDisk !== undefined) unmountTiny(tinyDisk);
  });

  it('is refused with the reason and a hint about space; the file already there is left as it was', async () => {
    const target = join(tinyDisk!, 'report.json');
    writeFileSync(target, 'last month\n');
    fillUp(tinyDisk!, 2);
    const r = await run(process.execPath, [BIN, ...MONTH_END_JSON, '--out', target]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `sandan: Cannot write ${target}: ENOSPC: no space left on device, write\n` +
        'hint: The disk is full (or over its quota): free some space, or write elsewhere. The output path was left as it was.\n',
    );
    expect(readFileSync(target, 'utf8')).toBe('last month\n');
    expect(readdirSync(tinyDisk!).sort()).toEqual(['fill', 'report.json']);
  });

  it('a quota ledger on a full disk: the store error with the disk hint, not one about --db and the secret', async () => {
    emptyDisk(tinyDisk!);
    fillUp(tinyDisk!, 2);
    const db = join(tinyDisk!, 'quota.sqlite');
    const args = ['quota', 'reserve', '--db', db, '--order', 'O-1', '--buyer-id', '110101199003070038'];
    const r = await run(process.execPath, [BIN, ...args, '--amount', '100', '--at', '2026-02-01'], {
      env: { SANDAN_QUOTA_SECRET: 'a-test-secret-of-32-characters!!' },
    });
    expect([r.code, r.stdout]).toEqual([2, '']);
    // SQLite says "full" or, when its journal is what the disk refuses, "disk I/O error": each with its hint.
    const full =
      `sandan: Cannot prepare the quota database ${db}: database or disk is full\n` +
      'hint: The disk is full (or over its quota): free some space and try again. The change was not written.\n';
    const io =
      `sandan: Cannot prepare the quota database ${db}: disk I/O error\n` +
      'hint: The disk could not be written: check that it has free space and is working.\n';
    expect([full, io]).toContain(r.stderr);
  });

  it('the emulator with its state on a full disk: 507 with the reason, told on standard error; it carries on', async () => {
    emptyDisk(tinyDisk!);
    const child = spawn(
      process.execPath,
      [BIN, 'emulate', '--port', '0', '--no-folder', '--clock', 'manual', '--state', join(tinyDisk!, 'state.sqlite')],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d));
    child.stdout.on('data', (d: Buffer) => void (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!/http {4}(http:\/\/127\.0\.0\.1:\d+)/.test(stderr) && Date.now() - started < 20_000)
        await new Promise((r) => setTimeout(r, 50));
      const url = /http {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)?.[1];
      expect(url, stderr).toBeDefined();
      fillUp(tinyDisk!, 0);
      const order = unsignedSample('CEB311Message');
      const post = () =>
        fetch(`${url}/ceb`, { method: 'POST', body: order, headers: { 'Content-Type': 'application/xml' } });
      const full = await post();
      expect([full.status, await full.text()]).toEqual([
        507,
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error code="STATE_UNWRITABLE">the emulator could not write its state: database or disk is full</Error>\n',
      ]);
      expect(stderr).toContain('sandan emulate: http: POST /ceb: database or disk is full\n');
      // Room again: the same message is taken, as if the failed attempt had never been.
      rmSync(join(tinyDisk!, 'fill'));
      expect((await post()).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('a full TMPDIR where the on-disk index is to be made: RECONCILE_INDEX names it, with a hint; nothing is left there', async () => {
    emptyDisk(tinyDisk!);
    fillUp(tinyDisk!, 2);
    const r = await run(process.execPath, [BIN, ...MONTH_END_JSON, '--index', 'sqlite'], {
      env: { TMPDIR: tinyDisk! },
    });
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(
      new RegExp(
        `^sandan: The disk holding the reconciliation index \\(${tinyDisk}\\) is full: database or disk is full\n` +
          'hint: Free some space there, or set TMPDIR to a folder on a larger disk \\(or use --index memory for a small month\\)\\.\n$',
      ),
    );
    expect(readdirSync(tinyDisk!)).toEqual(['fill']);
  });
});

describe('main when its output closes', () => {
  it('stops at the first write after the close, says nothing and returns 141', async () => {
    const line = `${readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8').replace(/\n\s*/g, '')}\n`;
    let writes = 0;
    let stderr = '';
    const code = await main(['validate', '-', '--format', 'json'], {
      stdout: () => {
        writes++;
        if (writes > 2) throw new OutputClosedError('stdout');
      },
      stderr: (t) => void (stderr += t),
      stdin: Readable.from([Buffer.from(line.repeat(50))]),
      stderrIsTTY: false,
      env: {},
    });
    // Two records written, the third write failed, and nothing was tried after it.
    expect([code, writes, stderr]).toEqual([141, 3, '']);
  });

  it('returns 141 when the close is noticed after the last write', async () => {
    let closed = false;
    const code = await main(['validate', 'examples/hangzhou-1210.json'], {
      stdout: () => void (closed = true),
      stderr: () => undefined,
      stdin: Readable.from([]),
      stderrIsTTY: false,
      env: {},
      closed: () => closed,
    });
    expect(code).toBe(141);
  });

  it('returns 141 when the error message itself cannot be told (standard error closed, standard output open)', async () => {
    let tried = 0;
    const code = await main(['validate', 'no-such-declaration.json'], {
      stdout: () => undefined,
      stderr: () => {
        tried++;
        throw new OutputClosedError('stderr');
      },
      stdin: Readable.from([]),
      stderrIsTTY: false,
      env: {},
    });
    expect([code, tried]).toEqual([141, 1]);
  });
});
