// The customs emulator under load (issue #20): `sandan emulate` in a child process (HTTP only,
// manual clock), 200 concurrent keep-alive clients POSTing the four messages of N distinct orders
// (CEB311, CEB411, CEB511 unsigned, CEB621 signed with RSA-2048). Orders go in chunks: each chunk
// is built and signed first (signing is the enterprise's cost, not the emulator's, so it is not
// timed), POSTed (timed: messages/s accepted, p50/p99 of POST /ceb), then the clock is advanced
// (timed: receipts/s produced) and the chunk's receipts read back with GET /receipts and checked:
// 14 per order (3 × 2/3/120, CEB622 2/3/120/800, CEB816), no seq or receipt guid twice. The child's
// RSS (/proc/<pid>/status VmRSS) is sampled after each chunk; its slope after the first chunk
// (least squares, MiB per 10,000 orders) shows whether memory is flat.
// Options (or the environment, for bench/run.mjs): --orders N (SANDAN_BENCH_EMULATOR_ORDERS,
// default 1000), --state sqlite|memory (SANDAN_BENCH_EMULATOR_STATE, default sqlite), --chunk N
// (SANDAN_BENCH_EMULATOR_CHUNK, orders per chunk, default 250; keep chunk × 14 receipts under the
// emulator's history, 10 000 receipts by default, or GET /receipts answers 410), --rss-every N
// (SANDAN_BENCH_EMULATOR_RSS_EVERY: a line with RSS, msg/s, p99 and load every N orders; default
// every chunk), --history N (passed to `sandan emulate`), --advance D (default 10m: every
// receipt of a chunk falls due within it). The long run of issue #20:
//   nice -n 5 node bench/emulator.mjs --orders 100000 --state memory --chunk 500 --rss-every 10000
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildMessage, createLocalSigner, signMessage } from '../dist/index.js';
import { makeSigningKeys } from './fixtures.mjs';

const { values: argv } = parseArgs({
  options: {
    orders: { type: 'string' },
    state: { type: 'string' },
    chunk: { type: 'string' },
    'rss-every': { type: 'string' },
    history: { type: 'string' },
    advance: { type: 'string' },
  },
});
const ORDERS = Number(argv.orders ?? process.env.SANDAN_BENCH_EMULATOR_ORDERS ?? 1000);
const CHUNK = Math.min(ORDERS, Number(argv.chunk ?? process.env.SANDAN_BENCH_EMULATOR_CHUNK ?? 250));
const STORE = argv.state ?? process.env.SANDAN_BENCH_EMULATOR_STATE ?? 'sqlite';
const RSS_EVERY = Number(argv['rss-every'] ?? process.env.SANDAN_BENCH_EMULATOR_RSS_EVERY ?? CHUNK);
const ADVANCE = argv.advance ?? '10m';
if (!['sqlite', 'memory'].includes(STORE)) throw new Error(`--state is sqlite or memory, not ${STORE}`);
const CLIENTS = 200;
const RECEIPTS_PER_ORDER = 14;
const root = fileURLToPath(new URL('..', import.meta.url));
const example = JSON.parse(readFileSync(join(root, 'examples/hangzhou-1210.json'), 'utf8'));
const sender = JSON.parse(readFileSync(join(root, 'examples/sender.json'), 'utf8'));

/** A valid 18-digit resident ID (GB 11643 check digit), distinct for each i < 36,500,000. */
function residentId(i) {
  const birth = new Date(Date.UTC(1970, 0, 1) + Math.floor(i / 1000) * 86_400_000);
  const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
  const body = `330106${ymd}${String(i % 1000).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let k = 0; k < 17; k++) sum += Number(body[k]) * w[k];
  return body + '10X98765432'[sum % 11];
}

/** Order i: the example with its own order, payment, waybill and inventory numbers and its own buyer. */
function declaration(i) {
  const d = structuredClone(example);
  const n = String(i).padStart(8, '0');
  const orderNo = `SDBENCH${n}`;
  const id = residentId(i);
  d.order.orderNo = d.payment.orderNo = d.logistics.orderNo = d.inventory.orderNo = orderNo;
  d.order.payTransactionId = d.payment.payTransactionId = `PAYBENCH${n}`;
  d.logistics.logisticsNo = d.inventory.logisticsNo = `ZTBENCH${n}`;
  d.inventory.copNo = `INVBENCH${n}`;
  d.order.buyerIdNumber = d.payment.payerIdNumber = d.inventory.buyerIdNumber = id;
  return d;
}

let ids = 0;
const env = {
  sender,
  now: () => new Date('2026-11-20T02:20:00Z'),
  newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
};
const TYPE = { order: 'CEB311', payment: 'CEB411', logistics: 'CEB511', inventory: 'CEB621' };

async function messagesOf(i, signer) {
  const d = declaration(i);
  const out = [];
  for (const k of ['order', 'payment', 'logistics', 'inventory']) {
    const r = buildMessage(TYPE[k], d[k], env);
    if (!r.ok) throw new Error(`${k} of order ${i}: ${JSON.stringify(r.issues)}`);
    out.push(k === 'inventory' ? (await signMessage(r.xml, signer)).xml : r.xml);
  }
  return out;
}

// A new pool for each chunk: between chunks the sockets idle longer than the server's keep-alive
// (65 s, while the next chunk is signed), and reusing one the server is closing resets it.
let agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
function request(base, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: { 'content-type': 'application/xml', accept: 'application/json' },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let k = 0; k < n; k++) {
    num += (xs[k] - mx) * (ys[k] - my);
    den += (xs[k] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const dir = mkdtempSync(join(tmpdir(), 'sandan-bench-emulator-'));
const keys = makeSigningKeys();
let child;
try {
  const signer = createLocalSigner({ key: keys.read('rsa.key'), certificate: keys.text('rsa.crt') });
  // The clock starts on the declarations' day, before the bench certificate's (made now): its dates are not checked.
  const settings = join(dir, 'settings.json');
  writeFileSync(settings, '{"certificateDates": "ignore"}');
  // biome-ignore format: one option per line would hide the command
  const args = [join(root, 'bin/sandan.js'), 'emulate', '--port', '0', '--no-folder', '--quiet', '--clock', 'manual', '--start', '2026-11-20T03:00:00Z', '--settings', settings, '--trust', keys.path('rsa.crt'), '--rates', join(root, 'examples/rates.example.json'), ...(argv.history !== undefined ? ['--history', argv.history] : []), ...(STORE === 'memory' ? ['--memory'] : ['--state', join(dir, 'state.sqlite')])];
  child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Its stderr (the start and stop lines) is shown only when it fails.
  let childErr = '';
  child.stderr.on('data', (c) => {
    childErr = (childErr + c).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`sandan emulate: exit ${code} ${signal ?? ''}\n${childErr}`);
  });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /http\s+(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`sandan emulate exited with ${code}: ${out}`)));
  });
  const rssAtStart = rssKiB(child.pid);

  const latencies = [];
  let postMs = 0;
  let advanceMs = 0;
  let accepted = 0;
  let refused = 0;
  let receiptsSeen = 0;
  let cursor = 0;
  let wrongCount = 0;
  const guids = new Set();
  const series = [];
  /** One line per RSS_EVERY orders: RSS, and msg/s, p99 and receipts/s of the orders since the last line. */
  const lines = [];
  let window = { orders: 0, latencies: [], postMs: 0, accepted: 0, advanceMs: 0, receipts: 0, t: performance.now() };
  const startedAt = performance.now();
  // SIGINT or SIGTERM ends the run after the chunk in hand, with the figures so far.
  let stopAsked = false;
  let ordersDone = 0;
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => (stopAsked = true));
  for (let from = 0; from < ORDERS && !stopAsked; from += CHUNK) {
    const to = Math.min(ORDERS, from + CHUNK);
    const batch = [];
    for (let i = from; i < to; i++) batch.push(...(await messagesOf(i, signer)));
    // Shuffled, so that documents of one order arrive in any order, as from several systems.
    for (let k = batch.length - 1; k > 0; k--) {
      const j = Math.floor(Math.random() * (k + 1));
      [batch[k], batch[j]] = [batch[j], batch[k]];
    }
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < batch.length) {
          const xml = batch[next++];
          const s = performance.now();
          const r = await request(base, 'POST', '/ceb', xml);
          latencies.push(performance.now() - s);
          window.latencies.push(performance.now() - s);
          if (r.status === 200 && r.headers['x-sandan-accepted'] === 'true') {
            accepted++;
            window.accepted++;
          } else {
            refused++;
            if (refused <= 3) console.error(`refused (${r.status}): ${r.body.slice(0, 600)}`);
          }
        }
      }),
    );
    postMs += performance.now() - t0;
    window.postMs += performance.now() - t0;
    const t1 = performance.now();
    const adv = await request(base, 'POST', `/admin/advance?by=${ADVANCE}`);
    if (adv.status !== 200) throw new Error(`advance: ${adv.status} ${adv.body}`);
    advanceMs += performance.now() - t1;
    window.advanceMs += performance.now() - t1;
    const answer = await request(base, 'GET', `/receipts?after=${cursor}`);
    if (answer.status !== 200) throw new Error(`GET /receipts?after=${cursor}: ${answer.status} ${answer.body}`);
    const got = JSON.parse(answer.body);
    const perOrder = new Map();
    for (const r of got.receipts) {
      if (r.seq <= cursor) throw new Error(`receipt seq ${r.seq} again`);
      cursor = r.seq;
      const guid = r.name.replace(/^\d+-CEB\d+-|\.xml$/g, '');
      if (guids.has(guid)) throw new Error(`receipt guid ${guid} twice`);
      guids.add(guid);
      perOrder.set(r.orderNo, (perOrder.get(r.orderNo) ?? 0) + 1);
    }
    receiptsSeen += got.receipts.length;
    window.receipts += got.receipts.length;
    window.orders += to - from;
    for (let i = from; i < to; i++)
      if (perOrder.get(`SDBENCH${String(i).padStart(8, '0')}`) !== RECEIPTS_PER_ORDER) wrongCount++;
    series.push({ orders: to, rssMiB: Number((rssKiB(child.pid) / 1024).toFixed(1)) });
    ordersDone = to;
    if (to % RSS_EVERY === 0 || to === ORDERS || stopAsked) {
      const w = window.latencies.sort((a, b) => a - b);
      const line = {
        orders: to,
        rssMiB: series.at(-1).rssMiB,
        msgPerSec: Math.round(window.accepted / (window.postMs / 1000)),
        p50Ms: Number(quantile(w, 0.5).toFixed(1)),
        p99Ms: Number(quantile(w, 0.99).toFixed(1)),
        receiptsPerSecOnAdvance: Math.round(window.receipts / (window.advanceMs / 1000)),
        loadavg1: Number(os.loadavg()[0].toFixed(2)),
        elapsedS: Math.round((performance.now() - startedAt) / 1000),
      };
      lines.push(line);
      if (ORDERS > CHUNK) console.error(`emulator bench: ${JSON.stringify(line)}`);
      window = { orders: 0, latencies: [], postMs: 0, accepted: 0, advanceMs: 0, receipts: 0, t: performance.now() };
    }
  }
  const messages = ordersDone * 4;
  const sorted = latencies.sort((a, b) => a - b);
  // The first chunk warms the process up (code, caches, SQLite pages); the trend is that of the rest.
  const steady = series.slice(1);
  const mibPer10k =
    steady.length >= 2
      ? slope(
          steady.map((p) => p.orders),
          steady.map((p) => p.rssMiB),
        ) * 10_000
      : null;
  const result = {
    name: `emulator over HTTP (${STORE} state, ${CLIENTS} keep-alive clients, ${ordersDone.toLocaleString('en-US')}${ordersDone < ORDERS ? ` of ${ORDERS.toLocaleString('en-US')} (stopped)` : ''} orders × 4 messages, CEB621 signed RSA-2048): POST /ceb accepted`,
    unit: 'messages/s',
    value: Math.round(accepted / (postMs / 1000)),
    accepted,
    refused,
    p50Ms: Number(quantile(sorted, 0.5).toFixed(1)),
    p99Ms: Number(quantile(sorted, 0.99).toFixed(1)),
    receiptsPerSecOnAdvance: Math.round(receiptsSeen / (advanceMs / 1000)),
    receipts: receiptsSeen,
    ordersWithoutExactly14Receipts: wrongCount,
    rssStartMiB: Number((rssAtStart / 1024).toFixed(1)),
    rssMiB: series.map((p) => p.rssMiB),
    rssEveryOrders: CHUNK,
    rssSlopeAfterFirstChunkMiBPer10kOrders: mibPer10k === null ? null : Number(mibPer10k.toFixed(2)),
    every: lines,
    rssSlopeAfterFirstLineMiBPer10kOrders:
      lines.length >= 3
        ? Number(
            (
              slope(
                lines.slice(1).map((l) => l.orders),
                lines.slice(1).map((l) => l.rssMiB),
              ) * 10_000
            ).toFixed(2),
          )
        : null,
    loadavg1: Number(os.loadavg()[0].toFixed(2)),
  };
  console.log(JSON.stringify(result));
  if (refused > 0 || wrongCount > 0 || messages !== accepted) process.exitCode = 1;
} finally {
  agent.destroy();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  keys.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
