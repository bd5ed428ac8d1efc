// The customs emulator's returns of one inventory (session 53): the cost of the Nth CEB625 as N grows. One order is
// declared and released (line 1 as 2,000 tins), then N returns of one tin each are applied for, one at a time, each
// concluded (399, its share of the quota given back) before the next. For N = 10, 100, 1000 it prints the median
// CPU time of the submissions N-8..N (POST of the CEB625: the intake check against the earlier returns) and of
// their conclusions (the clock advanced: 3, 120, 399 and the quota refund), in the engine, without HTTP.
// Building and signing each CEB625 is the enterprise's cost and is not timed.
//   node bench/emulator-returns.mjs [--state memory|sqlite] [--returns 1000] [--dist DIST]
// DIST: the dist folder of another build (e.g. the base commit's, built with tsup), to time it the same way.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { makeSigningKeys } from './fixtures.mjs';

const { values: argv } = parseArgs({
  options: { state: { type: 'string' }, returns: { type: 'string' }, dist: { type: 'string' } },
});
const STORE = argv.state ?? 'memory';
const RETURNS = Number(argv.returns ?? 1000);
if (!['sqlite', 'memory'].includes(STORE)) throw new Error(`--state is sqlite or memory, not ${STORE}`);
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(argv.dist ?? join(root, 'dist'));
const load = (f) => import(pathToFileURL(join(dist, f)).href);
const { buildMessage, createLocalSigner, signMessage, parseRateTable } = await load('index.js');
const { createEngine, manualClock } = await load('emulator/index.js');

const json = (f) => JSON.parse(readFileSync(join(root, f), 'utf8'));
const example = json('examples/hangzhou-1210.json');
const sender = json('examples/sender.json');
const rates = parseRateTable(json('examples/rates.example.json'));
// Line 1 as 2,000 tins at 0.199 (398.00 in all): room for 1,000 returns of one tin and more.
for (const k of ['order', 'inventory']) Object.assign(example[k].items[0], { qty: 2000, price: '0.199' });

const T0 = '2026-11-20T02:20:00Z';
let ids = 0;
const env = () => ({
  sender,
  now: () => new Date(T0),
  newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
});
const build = (type, doc) => {
  const r = buildMessage(type, doc, env());
  if (!r.ok) throw new Error(`${type}: ${JSON.stringify(r.issues)}`);
  return r.xml;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** This process's CPU time in ms (user + system): steadier than wall time on a shared machine. */
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const keys = makeSigningKeys();
const dir = mkdtempSync(join(tmpdir(), 'sandan-bench-returns-'));
try {
  const signer = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  const sign = async (xml) => (await signMessage(xml, signer)).xml;
  const e = await createEngine({
    store: STORE === 'memory' ? 'memory' : { sqlite: join(dir, 'state.sqlite') },
    clock: manualClock(T0),
    trust: { certificates: [keys.text('rsa.crt')] },
    rates,
    // (the clock stands on the declaration's day, before the bench certificate's)
    certificateDates: 'ignore',
  });
  for (const k of ['order', 'payment', 'logistics'])
    await e.submit(build(`CEB${{ order: 311, payment: 411, logistics: 511 }[k]}`, example[k]), { transport: 'api' });
  await e.submit(await sign(build('CEB621', example.inventory)), { transport: 'api' });
  await e.advance('1d');
  const released = e.receipts().find((r) => r.type === 'CEB622' && r.returnStatus === '800');
  if (!released) throw new Error('the inventory was not released');
  const d = example;
  const refund = {
    customsCode: d.inventory.customsCode,
    orderNo: d.order.orderNo,
    ebpCode: d.order.ebpCode,
    ebpName: d.order.ebpName,
    ebcCode: d.order.ebcCode,
    ebcName: d.order.ebcName,
    logisticsNo: d.logistics.logisticsNo,
    logisticsCode: d.logistics.logisticsCode,
    logisticsName: d.logistics.logisticsName,
    copNo: d.inventory.copNo,
    invtNo: released.invtNo,
    buyerIdType: '1',
    buyerIdNumber: d.order.buyerIdNumber,
    buyerName: d.order.buyerName,
    buyerTelephone: d.order.buyerTelephone,
    agentCode: d.inventory.agentCode,
    agentName: d.inventory.agentName,
    reason: '质量问题',
    items: [{ gnum: 1, gcode: '1901101000', gname: '婴儿配方奶粉 800g', qty: 1, unit: '122' }],
  };
  const submitted = [];
  const concluded = [];
  for (let n = 1; n <= RETURNS; n++) {
    const xml = await sign(build('CEB625', refund));
    let t = cpu();
    const ack = await e.submit(xml, { transport: 'api' });
    submitted.push(cpu() - t);
    if (!ack.accepted) throw new Error(`return ${n} refused: ${ack.reason}`);
    t = cpu();
    await e.advance('40s');
    concluded.push(cpu() - t);
  }
  const last = e.receipts().filter((r) => r.type === 'CEB626' && r.returnStatus === '399').length;
  if (last !== RETURNS) throw new Error(`${last} returns concluded, not ${RETURNS}`);
  await e.close();
  const at = (xs, n) => median(xs.slice(Math.max(0, n - 9), n)).toFixed(2);
  // (one JSON line per figure, as bench/run.mjs reads them)
  for (const n of [10, 100, 1000].filter((x) => x <= RETURNS))
    console.log(
      JSON.stringify({
        name: `emulator return ${n} of one inventory (${STORE})`,
        value: Number(at(submitted, n)),
        unit: 'ms CPU',
        lowerIsBetter: true,
        summary: `emulator return ${n} of one inventory (${STORE}, ${dist}): submit ${at(submitted, n)} ms, conclude ${at(concluded, n)} ms CPU`,
      }),
    );
} finally {
  keys.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
