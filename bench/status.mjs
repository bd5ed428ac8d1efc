// `sandan status DIR --format json` over a month of receipts as an archive keeps them: one message per file, each parcel's
// CEB312/412/512/622 receipts (a rejection for some, a delivery status CEB514 for others: 4 to 6 per parcel), for one
// parcel in three the CEB621 sent, and the month's declarations (one NDJSON file) that link them. Peak RSS (the CLI's own maxRSS) and wall time, best of
// SANDAN_BENCH_STATUS_RUNS runs (default 1). SANDAN_BENCH_PARCELS sets the parcels (default 20,000).
// SANDAN_BENCH_STATUS_FORMAT (json, html or text; default json) sets the report written.
// SANDAN_BENCH_STATUS_HEAP_MB caps the CLI's V8 heap (--max-old-space-size): a run that completes under a cap needs no
// more live memory than it, which its peak RSS does not tell (a heap of 4 GB lets garbage pile up before it collects).
//   node bench/status.mjs                          (npm run bench, node bench/run.mjs status)
//   node bench/status.mjs --generate 50000 --out /tmp/sandan-status-50000   (only write the folder)
// The folder is kept in the temporary directory and used again by later runs of the same size.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMessage, parseDeclaration } from '../dist/index.js';

const NS = 'http://www.chinaport.gov.cn/ceb';
const pad = (n, w) => String(n).padStart(w, '0');
const guid = (i, kind) => `6F0D2C8E-1B7A-4C1E-${pad(kind, 4)}-${pad(i, 12)}`;
/** Beijing time as a receipt writes it (yyyyMMddHHmmssSSS): day 1 to 28 of 2026-11, then `minutes` later. */
function time17(i, minutes) {
  const ms = Date.UTC(2026, 10, 1 + (i % 28), 1, 0, 0) + (i % 600) * 60_000 + minutes * 60_000;
  return new Date(ms).toISOString().replace(/\D/g, '').slice(0, 17);
}

/** One receipt message of one document: `fields` in the XSD's order. */
function receipt(type, element, i, fields) {
  const body = Object.entries(fields)
    .map(([k, v]) => `    <${k}>${v}</${k}>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${type}Message guid="${guid(i, Number(type.slice(3)))}" version="1.0" xmlns="${NS}">\n  <${element}>\n${body}\n  </${element}>\n</${type}Message>\n`;
}

/** A CEB621 of the Hangzhou example, built once by sandan, whose keys each parcel replaces. */
function sentTemplate() {
  const json = JSON.parse(readFileSync(new URL('../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  const sender = JSON.parse(readFileSync(new URL('../examples/sender.json', import.meta.url), 'utf8'));
  const { data } = parseDeclaration(json);
  const built = buildMessage('CEB621', data.inventory, {
    now: () => new Date('2026-11-01T00:00:00Z'),
    newId: () => guid(0, 621),
    sender,
  });
  if (!built.ok) throw new Error('bench status: the CEB621 template does not build');
  return {
    xml: built.xml,
    json: JSON.stringify(json),
    orderNo: json.inventory.orderNo,
    copNo: json.inventory.copNo,
    lno: json.inventory.logisticsNo,
    pay: json.payment.payTransactionId,
    appTime: json.order.appTime,
  };
}

/** The template's keys (and the order's appTime) replaced by parcel i's. */
function parcelText(text, t, keys) {
  for (const [from, to] of [
    [t.orderNo, keys.orderNo],
    [t.copNo, keys.copNo],
    [t.lno, keys.logisticsNo],
    [t.pay, keys.payTransactionId],
    [t.appTime, keys.appTime],
  ])
    text = text.split(from).join(to);
  return text;
}

/** Writes the folder for `parcels` parcels (unless it holds them already); returns the number of files. */
export function generateStatusData(dir, parcels) {
  // (not .json: status would read it)
  const marker = join(dir, 'generated.txt');
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.parcels === parcels) return m.files;
  }
  rmSync(dir, { recursive: true, force: true });
  const t = sentTemplate();
  mkdirSync(dir, { recursive: true });
  // The shop's declarations of the month, one per parcel: they link each parcel's receipts.
  const declarations = openSync(join(dir, 'declarations.ndjson'), 'w');
  let files = 1;
  for (let i = 0; i < parcels; i++) {
    // (a folder per thousand parcels, as an archive by day keeps them)
    const sub = join(dir, pad(Math.floor(i / 1000), 3));
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    const write = (name, text) => {
      writeFileSync(join(sub, `${name}-${pad(i, 7)}.xml`), text);
      files++;
    };
    const orderNo = `SD${pad(i, 12)}`;
    const copNo = `INV${pad(i, 12)}`;
    const preNo = `B20261101${pad(i, 9)}`;
    const invtNo = `29242026I${pad(i, 9)}`;
    const logisticsNo = `ZT${pad(i, 13)}`;
    const payTransactionId = `PAY${pad(i, 14)}`;
    const keys = { orderNo, copNo, logisticsNo, payTransactionId, appTime: time17(i, 0).slice(0, 14) };
    writeSync(declarations, `${parcelText(t.json, t, keys)}\n`);
    const ok = (n) => `[Code:2600;Desc:新增申报成功 ${guid(i, n)}]`;
    write(
      'CEB312',
      receipt('CEB312', 'OrderReturn', i, {
        guid: guid(i, 312),
        ebpCode: '3301964J31',
        ebcCode: '3301964J31',
        orderNo,
        returnStatus: '120',
        returnTime: time17(i, 1),
        returnInfo: ok(312),
      }),
    );
    write(
      'CEB412',
      receipt('CEB412', 'PaymentReturn', i, {
        guid: guid(i, 412),
        payCode: '312228034T',
        payTransactionId,
        returnStatus: '120',
        returnTime: time17(i, 2),
        returnInfo: ok(412),
      }),
    );
    // (one parcel in eleven has no waybill receipt yet)
    if (i % 11 !== 5)
      write(
        'CEB512',
        receipt('CEB512', 'LogisticsReturn', i, {
          guid: guid(i, 512),
          logisticsCode: '3301980ZT1',
          logisticsNo,
          returnStatus: '120',
          returnTime: time17(i, 3),
          returnInfo: ok(512),
        }),
      );
    const inventory = (n, returnStatus, minutes, returnInfo) =>
      write(
        `CEB622-${n}`,
        receipt('CEB622', 'InventoryReturn', i, {
          guid: guid(i, 622),
          customsCode: '2924',
          ebpCode: '3301964J31',
          ebcCode: '3301964J31',
          agentCode: '3301980BRK',
          copNo,
          preNo,
          invtNo,
          returnStatus,
          returnTime: time17(i, minutes),
          returnInfo,
        }),
      );
    inventory(1, '120', 4, '[Code:2600;Desc:逻辑校验通过]');
    // One in seven refused (with the reason customs gives), the others released.
    if (i % 7 === 3)
      inventory(2, '100', 30, '[Code:1332;Desc:支付单支付金额与订单支付金额不一致],[OrderHead.acturalPaid:597.87]');
    else inventory(2, '800', 60, '[Code:2600;Desc:放行]');
    if (i % 2 === 0 && i % 7 !== 3)
      write(
        'CEB514',
        receipt('CEB514', 'LogisticsStatusReturn', i, {
          guid: guid(i, 514),
          logisticsCode: '3301980ZT1',
          logisticsNo,
          logisticsStatus: 'S',
          returnStatus: '2',
          returnTime: time17(i, 60 * 24 * 2),
          returnInfo: '[Code:2600;Desc:签收]',
        }),
      );
    if (i % 3 === 0) write('CEB621', parcelText(t.xml, t, keys));
  }
  closeSync(declarations);
  writeFileSync(marker, JSON.stringify({ parcels, files }));
  return files;
}

const FORMAT = process.env.SANDAN_BENCH_STATUS_FORMAT ?? 'json';
if (!['json', 'html', 'text'].includes(FORMAT))
  throw new Error(`bench status: SANDAN_BENCH_STATUS_FORMAT is json, html or text, not ${FORMAT}`);

/** The orders of a page, counted in its bytes (100,000 orders' page is longer than a string can be). */
function sections(bytes) {
  const tag = Buffer.from('<section class="order');
  let n = 0;
  for (let at = bytes.indexOf(tag); at !== -1; at = bytes.indexOf(tag, at + tag.length)) n++;
  return n;
}

/** One run of the CLI: wall seconds, its peak RSS in MB (its own maxRSS, read as it exits), and its output's SHA-256. */
function runOnce(dir) {
  const out = join(tmpdir(), `sandan-bench-status-${process.pid}.${FORMAT}`);
  const fd = openSync(out, 'w');
  // (the CLI reports its own peak: sampling /proc from here would miss a short one)
  const probe = `data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>writeSync(2,'\\nSANDAN_MAXRSS '+process.resourceUsage().maxRSS+'\\n'))`;
  const start = performance.now();
  const heapMB = process.env.SANDAN_BENCH_STATUS_HEAP_MB;
  const r = spawnSync(
    process.execPath,
    [
      ...(heapMB ? [`--max-old-space-size=${Number(heapMB)}`] : []),
      '--import',
      probe,
      new URL('../bin/sandan.js', import.meta.url).pathname,
      'status',
      dir,
      '--format',
      FORMAT,
      '--now',
      '2026-12-10T12:00:00',
    ],
    { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const seconds = (performance.now() - start) / 1000;
  closeSync(fd);
  const text = readFileSync(out);
  rmSync(out, { force: true });
  const kb = Number(/SANDAN_MAXRSS (\d+)/.exec(r.stderr ?? '')?.[1]);
  // (exit 1: some orders have anomalies, as the data set means them to)
  if (r.status !== 1 || !Number.isFinite(kb))
    throw new Error(`bench status: exit ${r.status}: ${r.stderr?.slice(-2000)}`);
  const orders =
    FORMAT === 'json'
      ? JSON.parse(text).orders.length
      : FORMAT === 'html'
        ? sections(text)
        : Number(/\n(\d+) orders?, \d+ with anomalies\n$/.exec(text.subarray(-200).toString('utf8'))?.[1]);
  return { seconds, rssMB: kb / 1024, orders, sha256: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
if (import.meta.url === `file://${process.argv[1]}`) {
  const generateOnly = arg('--generate');
  const parcels = Number(generateOnly ?? process.env.SANDAN_BENCH_PARCELS ?? 20_000);
  const dir = arg('--out') ?? join(tmpdir(), `sandan-status-${parcels}`);
  const t0 = performance.now();
  const files = generateStatusData(dir, parcels);
  if (generateOnly !== undefined) {
    console.log(JSON.stringify({ dir, parcels, files, seconds: +((performance.now() - t0) / 1000).toFixed(1) }));
  } else {
    const runs = Array.from({ length: Number(process.env.SANDAN_BENCH_STATUS_RUNS ?? 1) }, () => runOnce(dir));
    const best = (key) => Math.min(...runs.map((r) => r[key]));
    console.log(
      JSON.stringify({
        name: `status over a folder of ${files} receipt and sent files (${parcels} parcels, CLI, ${FORMAT.toUpperCase()} output${process.env.SANDAN_BENCH_STATUS_HEAP_MB ? `, heap capped at ${process.env.SANDAN_BENCH_STATUS_HEAP_MB} MB` : ''})`,
        unit: 'MB peak RSS',
        value: Math.round(best('rssMB')),
        lowerIsBetter: true,
        seconds: Number(best('seconds').toFixed(2)),
        runs: runs.map((r) => ({ rssMB: Math.round(r.rssMB), seconds: Number(r.seconds.toFixed(2)) })),
        orders: runs[0].orders,
        output: runs[0].sha256,
      }),
    );
  }
}
