import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSink, generate, type Calculate } from '../reconcile/generator.js';
import { calculate } from '../reconcile/helpers.js';

/*
 * `sandan reconcile` (the built CLI, bin/sandan.js on dist/) stopped by a signal in the middle
 * of a run. Its declarations come on standard input, which the test keeps open: the run is
 * then reliably under way (index on disk, rows spooled, output file begun) when the signal
 * is sent, whatever the machine's speed. Each run gets its own TMPDIR, so "nothing left
 * behind" is "that directory is empty".
 */

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/sandan.js');

const work = mkdtempSync(join(tmpdir(), 'sandan-interrupt-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const data = join(work, 'data');
// About 3.5 kB per declaration: 1500 make ~5 MB, several 1 MiB batches that are processed
// (rows spooled to the index directory) while the last, partial one waits for more input.
const expected = generate(data, fileSink(), {
  orders: 1500,
  calculate: calculate as unknown as Calculate,
  billsPerFile: 250,
});
const declarations = readFileSync(join(data, 'declarations.ndjson'));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function reconcileArgs(declarationsPath: string, out: string, extra: string[]): string[] {
  return [
    BIN,
    'reconcile',
    '--declarations',
    declarationsPath,
    '--tax-bills',
    join(data, 'bills'),
    '--receipts',
    join(data, 'receipts'),
    '--rates',
    join(data, 'rates.json'),
    '--out',
    out,
    '--index',
    'sqlite',
    ...extra,
  ];
}

function start(args: string[], tmp: string) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d));
  // The child may be gone before all of standard input is taken.
  child.stdin.on('error', () => {});
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, exited, stderr: () => stderr };
}

/** Polls until `ready` holds; fails with what the child said if it exits first or it takes too long. */
async function waitFor(
  ready: () => boolean,
  run: { exited: Promise<Exit>; stderr: () => string },
  what: string,
): Promise<void> {
  let gone = false;
  void run.exited.then(() => (gone = true));
  const deadline = Date.now() + 45_000;
  while (!ready()) {
    if (gone) throw new Error(`sandan exited before ${what}: ${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The reconciliation index directory in `tmp`, once it holds the index and spooled rows. */
function indexUnderWay(tmp: string): boolean {
  const dirs = readdirSync(tmp).filter((d) => d.startsWith('sandan-reconcile-'));
  if (dirs.length !== 1) return false;
  const inside = readdirSync(join(tmp, dirs[0]!));
  return inside.includes('index.sqlite') && inside.includes('rows.ndjson');
}

const tmpFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

async function interrupted(signal: NodeJS.Signals, workers: string, format: string, previous?: Buffer) {
  const { tmp, out } = makeDirs();
  const report = join(out, `report.${format}`);
  if (previous) writeFileSync(report, previous);
  const run = start(reconcileArgs('-', report, ['--workers', workers, '--format', format]), tmp);
  // All declarations but the end of input: the run waits for the rest.
  run.child.stdin.write(declarations);
  await waitFor(() => indexUnderWay(tmp) && tmpFiles(out).length === 1, run, 'the index and output were under way');
  run.child.kill(signal);
  const exit = await run.exited;
  return { exit, tmp, out, report };
}

function makeDirs(): { tmp: string; out: string } {
  const d = mkdtempSync(join(work, 'run-'));
  const tmp = mkdtempSync(join(d, 'tmp-'));
  const out = mkdtempSync(join(d, 'out-'));
  return { tmp, out };
}

describe('sandan reconcile stopped by a signal', () => {
  it('SIGINT (worker threads): exits 130, the temporary index and the unfinished output are gone', async () => {
    const { exit, tmp, out } = await interrupted('SIGINT', '2', 'json');
    expect(exit).toEqual({ code: 130, signal: null, stderr: '' });
    expect(readdirSync(tmp)).toEqual([]);
    // No report.json that looks complete, and no temporary file beside it.
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('SIGTERM (no workers): exits 143, and an earlier report is left byte for byte', async () => {
    const previous = Buffer.from('{"summary":{"orders":1},"orders":[]}\n');
    const { exit, tmp, out, report } = await interrupted('SIGTERM', '0', 'json', previous);
    expect(exit).toEqual({ code: 143, signal: null, stderr: '' });
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(out)).toEqual(['report.json']);
    expect(readFileSync(report)).toEqual(previous);
  }, 60_000);

  it('SIGHUP: exits 129 and leaves nothing behind', async () => {
    const { exit, tmp, out } = await interrupted('SIGHUP', '1', 'csv');
    expect(exit.code).toBe(129);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});

describe('sandan reconcile that fails or finishes', () => {
  it('an input that fails after the run started (declarations are a folder): exit 2, nothing left, the old report kept', async () => {
    const { tmp, out } = makeDirs();
    const report = join(out, 'report.json');
    writeFileSync(report, 'the last good report\n');
    const run = start(reconcileArgs(data, report, ['--workers', '1']), tmp);
    run.child.stdin.end();
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('is a directory');
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(out)).toEqual(['report.json']);
    expect(readFileSync(report, 'utf8')).toBe('the last good report\n');
  }, 60_000);

  it('an --out that cannot be written fails before the run, with no index made', async () => {
    const { tmp, out } = makeDirs();
    const run = start(reconcileArgs('-', join(out, 'no-such-folder', 'report.json'), ['--workers', '0']), tmp);
    run.child.stdin.end(declarations);
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('Cannot write');
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('a finished run replaces the report and removes its index', async () => {
    const { tmp, out } = makeDirs();
    const report = join(out, 'report.json');
    writeFileSync(report, 'old');
    const run = start(reconcileArgs('-', report, ['--workers', '1', '--format', 'json']), tmp);
    run.child.stdin.end(declarations);
    const exit = await run.exited;
    // The generated data has mismatches by design: exit 1.
    expect(exit).toEqual({ code: 1, signal: null, stderr: '' });
    const j = JSON.parse(readFileSync(report, 'utf8')) as { summary: { orders: number }; orders: unknown[] };
    expect(j.summary.orders).toBe(expected.orders);
    expect(j.orders).toHaveLength(expected.orders);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(out)).toEqual(['report.json']);
    expect(existsSync(`${report}.tmp`)).toBe(false);
  }, 60_000);
});

describe('sandan stopped while it waits for a named pipe', () => {
  // --config was read synchronously, before the signal handler could run at all (session 44 left it).
  it.each(['--rates', '--config'])(
    'SIGINT ends a read of a FIFO that has no writer (%s): it outlived Ctrl-C, the open holding the exit',
    async (flag) => {
      const { tmp, out } = makeDirs();
      const fifo = join(out, 'input.fifo');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const run = start([BIN, 'validate', 'examples/hangzhou-1210.json', flag, fifo], tmp);
      // (no sign of the wait to poll for: long enough to be in the read on a loaded machine)
      await new Promise((r) => setTimeout(r, 2500));
      run.child.kill('SIGINT');
      const ended = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
      if (ended === 'hung') run.child.kill('SIGKILL');
      // 130 from sandan's handler; SIGINT itself only if the signal came before sandan had started
      expect(ended === 'hung' ? ended : ended.code === 130 || ended.signal === 'SIGINT').toBe(true);
    },
    30_000,
  );
});
