// Reconciliation of N generated orders (default 1,000,000) as `sandan reconcile` runs it:
// reconcileFiles() with worker threads and the on-disk SQLite index, JSON output streamed to a
// file; prints JSON lines like bench/validate.mjs.
//   npx tsup --silent && node bench/reconcile.mjs [--orders 100000] [--dir DIR] [--workers N] [--keep]
// Generates the data set first when DIR has none of that size (not timed).
import { existsSync, readFileSync, rmSync, createWriteStream } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
  defaultReconcileWorkers,
  expandPaths,
  openSqliteStore,
  reconcileFiles,
  reportJsonChunks,
} from '../dist/index.js';
import { generateReconcileData } from './generate-reconcile.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : process.argv[i + 1];
};
const orders = Number(arg('--orders', '1000000'));
const dir = arg('--dir', `/tmp/sandan-reconcile-${orders}`);

let peakRss = 0;
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
sample.unref();

if (!existsSync(`${dir}/expected.json`) || JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')).size !== orders) {
  const t = performance.now();
  await generateReconcileData(dir, orders);
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
const out = createWriteStream(`${dir}/report.json`);
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
if (!process.argv.includes('--keep')) rmSync(`${dir}/report.json`, { force: true });

const s = report.summary;
const ok =
  s.matched === expected.matched &&
  s.mismatched === expected.mismatched &&
  s.billMissing === expected.billMissing &&
  s.billWithoutDeclaration === expected.billWithoutDeclaration &&
  s.cancelled === expected.cancelled &&
  s.refunded === expected.refunded &&
  s.billVoid === expected.billVoid &&
  s.unlinked === expected.unlinked &&
  s.billedTaxTotal.toFixed(2) === expected.billedTaxTotal;
const context = {
  orders,
  workers,
  cores: cpus().length,
  loadavg1: +load.toFixed(2),
  found: ok ? 'exactly the generated defects' : 'DIFFERENT from the generated defects',
};
console.log(
  JSON.stringify({
    name: `reconcile ${orders.toLocaleString('en-US')} orders, JSON report written (SQLite index)`,
    unit: 's',
    value: +((t2 - t0) / 1000).toFixed(1),
    target: 60 * (orders / 1_000_000),
    reconcileSeconds: +((t1 - t0) / 1000).toFixed(1),
    writeSeconds: +((t2 - t1) / 1000).toFixed(1),
    reconcileCpuSeconds: +((cpu1.user + cpu1.system) / 1e6).toFixed(1),
    ...context,
  }),
);
console.log(
  JSON.stringify({
    name: `reconcile ${orders.toLocaleString('en-US')} orders: peak RSS`,
    unit: 'MB',
    value: Math.round(peakRss / 1048576),
    target: 512,
    ...context,
  }),
);
if (!ok) process.exitCode = 1;
