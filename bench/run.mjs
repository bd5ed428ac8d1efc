// Runs every benchmark in its own process and prints one JSON line per result, then the same
// results as text: first the figures of issue #18 (each against its floor or alternative, measured
// in the same run), then the others with their targets, so that two runs compare at a glance.
// `npm run bench` (after a build); `node bench/run.mjs xml verify` runs a selection.
// SANDAN_BENCH_LINES sets the NDJSON stream length, SANDAN_BENCH_ORDERS the reconciliation size
// (default 100,000; 1000000 for the #18 target), SANDAN_BENCH_STARTUP_RUNS the start-up runs,
// SANDAN_BENCH_EMULATOR_ORDERS the orders sent to the customs emulator (bench/emulator.mjs, default 1000),
// SANDAN_BENCH_FILES the files of the folder bench/cli-folder.mjs validates (default 2,000).
// SANDAN_BENCH_PARCELS the parcels of the receipt folder bench/status.mjs reads (default 20,000; SANDAN_BENCH_STATUS_RUNS
// its runs, the best reported).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';

const dir = new URL('.', import.meta.url);
const only = process.argv.slice(2);
const files = readdirSync(dir).filter(
  (f) =>
    f.endsWith('.mjs') &&
    !['run.mjs', 'fixtures.mjs', 'generate-reconcile.mjs', 'compare-builds.mjs'].includes(f) &&
    (only.length === 0 || only.some((o) => f.includes(o))),
);
const machine = {
  machine: `${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  node: process.version,
  date: new Date().toISOString(),
  loadavg1: Number(os.loadavg()[0].toFixed(2)),
};
console.log(JSON.stringify(machine));
let failed = false;
const results = [];
for (const f of files.sort()) {
  const r = spawnSync(process.execPath, [new URL(f, dir).pathname], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  process.stdout.write(r.stdout);
  for (const line of r.stdout.split('\n')) {
    try {
      if (line.startsWith('{')) results.push(JSON.parse(line));
    } catch {
      // not a result line
    }
  }
  if (r.status !== 0) {
    failed = true;
    console.error(`bench ${f} failed with exit ${r.status}`);
  }
}

const num = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
function text(r) {
  if (r.summary) return r.summary;
  if (r.skipped) return `${r.name}: skipped (${r.skipped})`;
  const target = r.target === undefined ? '' : `; target ${r.lowerIsBetter ? '≤' : '≥'} ${num(r.target)}`;
  return `${r.name}: ${num(r.value)} ${r.unit}${target}`;
}
console.log(`\nIssue #18 targets (${machine.date}, load average ${machine.loadavg1} at the start):`);
// (A result says it is one of #18's figures with `issue: 18`; any result may carry a `summary`.)
for (const r of results.filter((x) => x.issue === 18)) console.log(`  ${text(r)}`);
console.log('Other figures:');
for (const r of results.filter((x) => x.issue !== 18)) console.log(`  ${text(r)}`);
process.exitCode = failed ? 1 : 0;
