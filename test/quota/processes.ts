import { spawn } from 'node:child_process';

/** What one worker process printed at the end. */
export interface WorkerReport<R> {
  started: number;
  finished: number;
  results: R[];
}

/**
 * Starts `node --import tsx script json` once per job, waits until every process printed
 * `ready`, releases them together (a line on stdin) and returns their final JSON reports.
 */
export async function runTogether<R>(
  script: string,
  jobs: unknown[],
  timeoutMs = 120_000,
): Promise<Array<WorkerReport<R>>> {
  const procs = jobs.map((job) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`worker exited with ${String(code)}: ${err}`));
      });
    });
    exited.catch(() => undefined);
    const ready = new Promise<void>((resolve, reject) => {
      const check = () => (out.startsWith('ready\n') ? resolve() : undefined);
      child.stdout.on('data', check);
      exited.then(() => reject(new Error(`worker ended before it was ready: ${err}`)), reject);
    });
    return { child, ready, exited, output: () => out };
  });
  await Promise.all(procs.map((p) => p.ready));
  for (const p of procs) p.child.stdin.end('go\n');
  await Promise.all(procs.map((p) => p.exited));
  return procs.map((p) => JSON.parse(p.output().slice('ready\n'.length)) as WorkerReport<R>);
}
