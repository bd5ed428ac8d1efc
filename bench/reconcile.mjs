// Reconciliation of N generated orders as `sandan reconcile` runs it: reconcileFiles() with
// worker threads and the on-disk SQLite index, JSON output streamed to a file; prints JSON lines
// like bench/validate.mjs. Against a floor (issue #18): one thread merely reading and JSON-parsing
// the declarations and reading the bill and receipt files, measured after the run.
//   npx tsup --silent && node bench/reconcile.mjs [--orders 1000000] [--dir DIR] [--workers N] [--keep]
//        [--receipts-per-order N] [--refusal-every N]
// N is --orders, else SANDAN_BENCH_ORDERS, else 100,000 (the 1,000,000-order target run takes
// minutes and 4.3 GB of /tmp). Generates the data set first when DIR has none of that size (not timed).
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
  defaultReconcileWorkers,
  expandPaths,
  openSqliteStore,
  reconcileFiles,
  reportJsonChunks,
} from '../dist/index.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};
const orders = Number(arg('--orders', process.env.SANDAN_BENCH_ORDERS ?? '100000'));
// Receipts of each order's life and refusals among them (bench/generate-reconcile.mjs): none unless asked, so that
// the default data set stays the one of past figures.
const receiptsPerOrder = Number(arg('--receipts-per-order', '0'));
const refusalEvery = Number(arg('--refusal-every', '0'));
const dir = arg(
  '--dir',
  `/tmp/sandan-reconcile-${orders}${receiptsPerOrder ? `-r${receiptsPerOrder}` : ''}${refusalEvery ? `-x${refusalEvery}` : ''}`,
);

let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
sample.unref();

const generated = existsSync(`${dir}/expected.json`) ? JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) : {};
if (
  generated.size !== orders ||
  (generated.receiptsPerOrder ?? 0) !== receiptsPerOrder ||
  (generated.refusalEvery ?? 0) !== refusalEvery
) {
  // In a process of its own: what generating allocates (V8 keeps the heap it grew) would count in this one's peak RSS
  // (635 MB against 427 MB for the same 1,000,000-order run in session 42).
  const t = performance.now();
  const gen = spawnSync(
    process.execPath,
    [
      new URL('generate-reconcile.mjs', import.meta.url).pathname,
      '--orders',
      String(orders),
      '--out',
      dir,
      '--receipts-per-order',
      String(receiptsPerOrder),
      '--refusal-every',
      String(refusalEvery),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (gen.status !== 0) throw new Error(`generating ${orders} orders failed (exit ${gen.status})`);
  console.error(`generated ${orders} orders in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const expected = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'));
const load = loadavg()[0];
peakRss = 0;

const workers = Number(arg('--workers', String(defaultReconcileWorkers())));

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const rateTables = [{ data: JSON.parse(readFileSync(`${dir}/rates.json`, 'utf8')), source: 'rates.json' }];
const store = await openSqliteStore();
const files = await expandPaths([`${dir}/bills`, `${dir}/receipts`]);
const report = await reconcileFiles({
  declarations: `${dir}/declarations.ndjson`,
  documents: files,
  rateTables,
  store,
  workers,
});
const t1 = performance.now();
const cpu1 = process.cpuUsage(cpu0);
// Named by process so that two runs on one data set do not write the same file.
const reportPath = `${dir}/report-${process.pid}.json`;
const out = createWriteStream(reportPath);
let buf = '';
for (const chunk of reportJsonChunks(report)) {
  buf += chunk;
  if (buf.length > 1 << 16) {
    if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
    buf = '';
  }
}
out.write(buf);
await new Promise((r) => out.end(r));
const t2 = performance.now();
store.close();
peakRss = Math.max(peakRss, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
// Before the floor below runs in this process.
const mb = Math.round(peakRss / 1048576);
if (!process.argv.includes('--keep')) rmSync(reportPath, { force: true });
else console.error(`report kept: ${reportPath}`);

/**
 * The floor: read and JSON.parse every declaration line, read every document file as text; one
 * thread, the fastest plain way: streams of 64 KiB (Node's default). Until session 11 the
 * declarations were read in 1 MiB pieces and each file whole, which made strings in V8's
 * large-object space and took two to three times as long (docs/performance.md, session 11).
 */
async function floorSeconds() {
  const t = performance.now();
  const c0 = process.cpuUsage();
  let rest = '';
  for await (const chunk of createReadStream(`${dir}/declarations.ndjson`, { encoding: 'utf8' })) {
    const text = rest + chunk;
    let at = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', at)) {
      if (nl > at) JSON.parse(text.slice(at, nl));
      at = nl + 1;
    }
    rest = text.slice(at);
  }
  if (rest.trim()) JSON.parse(rest);
  for (const f of files) for await (const _ of createReadStream(f, { encoding: 'utf8' }));
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t) / 1000, cpu: (c.user + c.system) / 1e6 };
}
// Wall time against wall time; the CPU seconds too (steadier on a busy machine; the run's include its workers).
const { wall: floor, cpu: floorCpu } = await floorSeconds();
const reconcileCpu = (cpu1.user + cpu1.system) / 1e6;

const s = report.summary;
const ok =
  s.matched === expected.matched &&
  s.mismatched === expected.mismatched &&
  s.billMissing === expected.billMissing &&
  s.billWithoutDeclaration === expected.billWithoutDeclaration &&
  s.cancelled === expected.cancelled &&
  s.refunded === expected.refunded &&
  s.billVoid === expected.billVoid &&
  (s.rejected ?? 0) === 0 &&
  s.unlinked === expected.unlinked &&
  s.billedTaxTotal.toFixed(2) === expected.billedTaxTotal;
const context = {
  orders,
  ...(receiptsPerOrder && { receiptsPerOrder }),
  ...(refusalEvery && { refusalEvery }),
  workers,
  cores: cpus().length,
  loadavg1: +load.toFixed(2),
  found: ok ? 'exactly the generated defects' : 'DIFFERENT from the generated defects',
};
const seconds = (t2 - t0) / 1000;
console.log(
  JSON.stringify({
    name: `reconcile ${orders.toLocaleString('en-US')} orders, JSON report written (SQLite index)`,
    unit: 's',
    value: +seconds.toFixed(1),
    target: 60 * (orders / 1_000_000),
    lowerIsBetter: true,
    reconcileSeconds: +((t1 - t0) / 1000).toFixed(1),
    writeSeconds: +((t2 - t1) / 1000).toFixed(1),
    reconcileCpuSeconds: +reconcileCpu.toFixed(1),
    floorSeconds: +floor.toFixed(1),
    floorCpuSeconds: +floorCpu.toFixed(1),
    ratioToFloor: +(seconds / floor).toFixed(2),
    cpuRatioToFloor: +(reconcileCpu / floorCpu).toFixed(2),
    peakRssMB: mb,
    ...context,
    issue: 18,

    summary: `reconcile ${orders.toLocaleString('en-US')} orders + JSON report: ${seconds.toFixed(1)} s, peak RSS ${mb} MB (target ≤ 512 MB); floor (1 thread reading + JSON.parse of the declarations, reading the ${files.length} XML files) ${floor.toFixed(1)} s; ratio ${(seconds / floor).toFixed(2)}× with ${workers} workers (CPU: reconciling ${reconcileCpu.toFixed(1)} s over all threads, floor ${floorCpu.toFixed(1)} s, ${(reconcileCpu / floorCpu).toFixed(2)}×); ${context.found}`,
  }),
);
console.log(
  JSON.stringify({
    name: `reconcile ${orders.toLocaleString('en-US')} orders: peak RSS`,
    unit: 'MB',
    value: mb,
    target: 512,
    lowerIsBetter: true,
    ...context,
  }),
);
if (!ok) process.exitCode = 1;
