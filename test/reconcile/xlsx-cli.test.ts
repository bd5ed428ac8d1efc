import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { expandPaths, reconcileFiles, type ReconcileProgress } from '../../src/reconcile/index.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { fileSink, generate, type Calculate } from './generator.js';
import { calculate, reconcileArgs } from './helpers.js';
import { readXlsxWithPython } from './xlsx-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-xlsx-'));
generate(dir, fileSink(), { orders: 150, calculate: calculate as unknown as Calculate, billsPerFile: 20 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = [...reconcileArgs(dir), '--workers', '0'];

/** Runs the CLI in-process with standard error as a terminal. */
async function runOnTerminal(args: string[], env: Record<string, string> = {}) {
  let stderr = '';
  const code = await main(args, {
    stdout: () => {},
    stderr: (t) => void (stderr += t),
    stdin: Readable.from([Buffer.from('')]),
    stderrIsTTY: true,
    env: { COLUMNS: '120', ...env },
  });
  return { code, stderr };
}

describe('sandan reconcile --format xlsx and the progress bar', () => {
  it('refuses a workbook on standard output (usage error, exit 2)', async () => {
    const r = await runCli([...base, '--format', 'xlsx']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--out FILE.xlsx');
  });

  it('refuses a workbook to a terminal given as --out, accepts /dev/null', async () => {
    // python3 opens a pseudo-terminal and runs the built CLI with --out its slave device.
    const script = [
      'import os, pty, subprocess, sys',
      'master, slave = pty.openpty()',
      'r = subprocess.run(["node", "bin/sandan.js", *sys.argv[1:], "--out", os.ttyname(slave)], capture_output=True, text=True)',
      'print(r.returncode); print(r.stderr)',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, ...base, '--format', 'xlsx'], { encoding: 'utf8' });
    expect(r.stdout.split('\n')[0], r.stderr).toBe('2');
    expect(r.stdout).toContain('--out FILE.xlsx');
    const devNull = await runCli([...base, '--format', 'xlsx', '--out', '/dev/null']);
    expect([devNull.code, devNull.stderr]).toEqual([1, '']);
  });

  it('names the files it could not read in the workbook, whose verdict is then not balanced', async () => {
    const small = mkdtempSync(join(tmpdir(), 'sandan-reconcile-xlsx-bad-'));
    try {
      generate(small, fileSink(), { orders: 100, calculate: calculate as unknown as Calculate, billsPerFile: 20 });
      const bad = join(small, 'bills', 'zz-truncated.xml');
      writeFileSync(bad, '<?xml version="1.0"?><CEB816Message xmlns="http://www.chinaport.gov.cn/ceb"><Tax>');
      const out = join(small, 'month.xlsx');
      const r = await runCli([...reconcileArgs(small), '--workers', '0', '--format', 'xlsx', '--out', out]);
      expect(r.code, r.stderr).toBe(1);
      const [summary] = readXlsxWithPython(out);
      const text = summary!.rows.map((row) => row.map((c) => c.v).join(' | '));
      expect(text).toContain('对账结论 / verdict | 不平或输入有问题 / not balanced or inputs with problems');
      expect(text).toContain('无法读取的单证 / unreadable documents | unreadableDocuments | 1');
      const problems = text.slice(text.indexOf('输入问题 / problems in the inputs') + 1);
      // The unreadable file, then the generated month's bill delivered twice, named by its files.
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain(bad);
      expect(problems[1]).toMatch(
        /^CEB816 taxNo \S+ came twice: first in \S+\.xml, bill \d+, again in \S+\.xml, bill \d+; /,
      );
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('writes the workbook whose totals agree with the JSON report', async () => {
    const out = join(dir, 'month.xlsx');
    const r = await runCli([...base, '--format', 'xlsx', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const json = JSON.parse((await runCli([...base, '--format', 'json'])).stdout) as {
      summary: { billedTaxTotal: string; waterfall: { causes: Array<{ cause: string; amount: string }> } };
    };
    const [summary] = readXlsxWithPython(out);
    const amountOf = (key: string) =>
      Number(summary!.rows.find((row) => row.some((c) => c.col === 'B' && c.v === key))?.find((c) => c.col === 'D')?.v);
    expect(amountOf('billed').toFixed(2)).toBe(json.summary.billedTaxTotal);
    for (const c of json.summary.waterfall.causes) expect(amountOf(c.cause).toFixed(2)).toBe(c.amount);
  });

  it('shows a bar per phase with a percentage on a terminal; nothing with --quiet or when stderr is not a terminal', async () => {
    const out = join(dir, 'bar.csv');
    const shown = await runOnTerminal([...base, '--format', 'csv', '--out', out]);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toMatch(/reading bills and receipts \[[^\]]*\] \d+%/);
    expect(shown.stderr).toMatch(/reconciling declarations \[[^\]]*\] 100% \| [\d.]+ KB of [\d.]+ KB/);
    expect(existsSync(out)).toBe(true);
    const quiet = await runOnTerminal([...base, '--format', 'csv', '--out', out, '--quiet']);
    expect([quiet.code, quiet.stderr]).toEqual([1, '']);
    const piped = await runCli([...base, '--format', 'csv', '--out', out]);
    expect([piped.code, piped.stderr]).toEqual([1, '']);
    expect(readFileSync(out, 'utf8').startsWith('\uFEFF订单编号 / orderNo,')).toBe(true);
  });

  it('reconcileFiles reports each phase in bytes of the files, up to their total, with worker threads or without', async () => {
    const documents = await expandPaths([join(dir, 'bills'), join(dir, 'receipts')]);
    const documentBytes = documents.reduce((a, f) => a + statSync(f).size, 0);
    const declarations = join(dir, 'declarations.ndjson');
    for (const workers of [0, 1]) {
      const events: ReconcileProgress[] = [];
      const report = await reconcileFiles({
        declarations,
        documents,
        rateTables: [{ data: JSON.parse(readFileSync(join(dir, 'rates.json'), 'utf8')), source: 'rates.json' }],
        workers,
        progressEvery: 1,
        onProgress: (p) => void events.push(p),
      });
      const of = (phase: string) => events.filter((e) => e.phase === phase);
      expect([...new Set(events.map((e) => e.phase))]).toEqual([
        'documents',
        'declarations',
        'bills-without-declaration',
      ]);
      for (const [phase, total] of [
        ['documents', documentBytes],
        ['declarations', statSync(declarations).size],
      ] as const) {
        const e = of(phase);
        expect(e.every((x) => x.unit === 'bytes' && x.total === total)).toBe(true);
        expect(e.map((x) => x.done)).toEqual([...e.map((x) => x.done)].sort((a, b) => a - b));
        expect(e.at(-1)!.done).toBe(total);
      }
      expect(of('declarations').at(-1)!.count).toBe(report.summary.inputs.declarations);
      expect(of('bills-without-declaration').map((e) => [e.done, e.unit])).toEqual(
        Array.from({ length: report.summary.billWithoutDeclaration }, (_, i) => [i + 1, 'items']),
      );
    }
  });
});
