import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { OutputClosedError } from '../../src/cli/io.js';

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

function run(cmd: string, args: string[], opts: { closeStderr?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('sandan in a pipe whose reader stops early', () => {
  let dir: string;
  let big: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-pipes-'));
    big = join(dir, 'big.ndjson');
    // 400 declarations (1.4 MB) give 250 KB of JSON results or more: far more than a pipe buffers (64 KiB).
    const line = `${JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'examples/hangzhou-1210.json'), 'utf8')))}\n`;
    writeFileSync(big, line.repeat(400));
  });
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
});
