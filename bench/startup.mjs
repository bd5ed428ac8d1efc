// Start-up (issue #18): `sandan --version` against `node -e 0`, each run SANDAN_BENCH_STARTUP_RUNS
// times (default 20), interleaved so that both see the same load. Prints the median wall time and,
// where /proc is there, the mean CPU time (user + system) of the children: steadier on a busy machine.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const runs = Number(process.env.SANDAN_BENCH_STARTUP_RUNS ?? 20);
const bin = new URL('../bin/sandan.js', import.meta.url).pathname;

/** CPU seconds of the waited-for children so far (cutime + cstime of /proc/self/stat), or undefined. */
function childCpu() {
  try {
    // Fields after the command name "(…)": the 14th and 15th of those are cutime and cstime, in clock ticks (100 Hz).
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return undefined;
  }
}

const commands = { node: ['-e', '0'], sandan: [bin, '--version'] };
const wall = { node: [], sandan: [] };
const cpu = { node: 0, sandan: 0 };
for (let i = 0; i < runs + 1; i++) {
  for (const [k, args] of Object.entries(commands)) {
    const c0 = childCpu();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    // The first round warms the file cache.
    if (i === 0) continue;
    wall[k].push(t);
    if (c0 !== undefined) cpu[k] += childCpu() - c0;
  }
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const nodeMs = median(wall.node);
const sandanMs = median(wall.sandan);
const ratio = sandanMs / nodeMs;
const hasCpu = childCpu() !== undefined;
const cpuMs = (k) => (cpu[k] * 1000) / runs;
const cpuRatio = hasCpu ? cpuMs('sandan') / cpuMs('node') : null;
console.log(
  JSON.stringify({
    name: `sandan --version ÷ node -e 0 (median wall time of ${runs} runs each)`,
    unit: 'ratio',
    value: Number(ratio.toFixed(2)),
    sandanMs: Number(sandanMs.toFixed(1)),
    nodeMs: Number(nodeMs.toFixed(1)),
    cpuRatio: cpuRatio === null ? null : Number(cpuRatio.toFixed(2)),
    sandanCpuMs: hasCpu ? Number(cpuMs('sandan').toFixed(1)) : null,
    nodeCpuMs: hasCpu ? Number(cpuMs('node').toFixed(1)) : null,
    target: 1.5,
    lowerIsBetter: true,
    issue: 18,

    summary: `sandan --version: ${sandanMs.toFixed(0)} ms; node -e 0 ${nodeMs.toFixed(0)} ms; ratio ${ratio.toFixed(2)}×${hasCpu ? ` (CPU ${cpuMs('sandan').toFixed(0)} vs ${cpuMs('node').toFixed(0)} ms: ${cpuRatio.toFixed(2)}×)` : ''}; target ≤ 1.5×`,
  }),
);
