// Runs every benchmark in its own process and prints one JSON line per result.
// `npm run bench` (after a build); SANDAN_BENCH_LINES sets the NDJSON stream length.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';

const dir = new URL('.', import.meta.url);
const only = process.argv.slice(2);
const files = readdirSync(dir).filter(
  (f) =>
    f.endsWith('.mjs') &&
    !['run.mjs', 'fixtures.mjs', 'generate-reconcile.mjs'].includes(f) &&
    (only.length === 0 || only.some((o) => f.includes(o))),
);
console.log(
  JSON.stringify({
    machine: `${os.cpus()[0]?.model} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    date: new Date().toISOString(),
  }),
);
let failed = false;
for (const f of files.sort()) {
  const r = spawnSync(process.execPath, [new URL(f, dir).pathname], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) {
    failed = true;
    console.error(`bench ${f} failed with exit ${r.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
