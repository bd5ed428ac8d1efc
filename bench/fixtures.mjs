// Shared bench inputs (the Hangzhou example grown to three lines, CEB621 samples, signing keys)
// and measuring helpers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function threeLineDeclaration() {
  const d = JSON.parse(readFileSync(new URL('../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  d.order.items.push({ ...d.order.items[1], gnum: 3, itemNo: 'SKU-CREAM-51' });
  d.inventory.items.push({ ...d.inventory.items[1], gnum: 3, itemNo: 'SKU-CREAM-51', itemRecordNo: 'SKU-CREAM-51' });
  // 548 + 150 = 698; tax 36.22 + 13.65 + 13.65 = 63.52; paid 761.52
  d.order.goodsValue = '698.00';
  d.order.taxTotal = '63.52';
  d.order.acturalPaid = '761.52';
  d.payment.amountPaid = '761.52';
  return d;
}

/**
 * Measures how often fn runs per second of this process's CPU time (user + system) over about
 * `ms` milliseconds: "per second on one core", and steadier than wall time on a shared machine.
 * Slow operations (milliseconds each) take a smaller `warmup` and `batch` (calls between clock reads).
 */
export function opsPerSec(fn, ms = 2000, { warmup = 2000, batch = 500 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  let n = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < ms) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
  }
  const cpu = process.cpuUsage(cpu0);
  return n / ((cpu.user + cpu.system) / 1e6);
}

/**
 * `count` different valid 3-line declarations (line 3's price varies), with taxTotal,
 * acturalPaid and amountPaid computed by sandan itself, so that benchmarks do not measure
 * one declaration over and over (caches would flatter them).
 */
export async function variedDeclarations(count = 512) {
  const { createTaxCalculator, parseRateTable } = await import('../dist/index.js');
  const rates = parseRateTable(
    JSON.parse(readFileSync(new URL('../examples/rates.example.json', import.meta.url), 'utf8')),
  );
  const tax = createTaxCalculator({ rates });
  const out = [];
  for (let k = 0; k < count; k++) {
    const d = threeLineDeclaration();
    const price = (150 + k * 1.37).toFixed(2);
    for (const doc of [d.order, d.inventory]) Object.assign(doc.items[2], { price, totalPrice: price });
    for (const doc of [d.order, d.payment, d.logistics, d.inventory]) doc.orderNo = `BENCH${k}`;
    d.order.goodsValue = (548 + Number(price)).toFixed(2);
    const r = tax(d);
    if (!r.ok) throw new Error('bench declaration has no tax');
    d.order.taxTotal = r.result.taxTotal.toFixed(2);
    d.order.acturalPaid = r.result.taxTotal.plus(d.order.goodsValue).toFixed(2);
    d.payment.amountPaid = d.order.acturalPaid;
    out.push(d);
  }
  return out;
}

/** "13,900/s (72 µs)": a rate and the time of one operation. */
export function rate(perSec) {
  return `${Math.round(perSec).toLocaleString('en-US')}/s (${micros(1e6 / perSec)})`;
}

/** A duration in µs, with two significant digits below 10. */
export function micros(us) {
  return `${us < 10 ? us.toPrecision(2) : Math.round(us).toLocaleString('en-US')} µs`;
}

/** How often an async fn completes per second of wall time over about `ms` milliseconds. */
export async function asyncOpsPerSec(fn, ms = 2000) {
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

const ossl = (args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/**
 * Test keys made with the OpenSSL command line in a temp dir: RSA-2048 (rsa.key, rsa.crt) and
 * SM2 with an SM3withSM2 self-signed certificate (sm2.key, sm2.crt). Call `cleanup()` at the end.
 */
export function makeSigningKeys() {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-bench-keys-'));
  const path = (n) => join(dir, n);
  try {
    ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', path('rsa.key')]);
    ossl([
      'req',
      '-x509',
      '-new',
      '-key',
      path('rsa.key'),
      '-subj',
      '/CN=bench',
      '-days',
      '1',
      '-out',
      path('rsa.crt'),
    ]);
    ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', path('sm2.key')]);
    // biome-ignore format: one option per line would hide the command
    ossl(['req', '-x509', '-new', '-key', path('sm2.key'), '-sm3', '-sigopt', 'distid:1234567812345678', '-subj', '/CN=bench', '-days', '1', '-out', path('sm2.crt')]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    path,
    read: (n) => readFileSync(path(n)),
    text: (n) => readFileSync(path(n), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `openssl speed -seconds 2 sm2` on this machine: SM2 signs and verifies per second, or null without OpenSSL. */
export function opensslSm2Speed() {
  try {
    const m = /SM2 \(CurveSM2\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)/.exec(ossl(['speed', '-seconds', '2', 'sm2']));
    return m ? { sign: Number(m[1]), verify: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

/**
 * The official CEB621 sample without its signature (8 inventories), and the same message with only
 * its first inventory (a typical message carries one).
 */
export function ceb621Samples() {
  const sample = readFileSync(
    new URL('../test/fixtures/ceb-spec/samples-202205/import/CEB621Message.xml', import.meta.url),
    'utf8',
  )
    .replace(/^\uFEFF/, '')
    .replace(/\s*<ds:Signature[\s\S]*<\/ds:Signature>/, '');
  const first = sample.indexOf('<ceb:Inventory>');
  const base = sample.indexOf('<ceb:BaseTransfer>');
  if (first < 0 || base < 0) throw new Error('unexpected sample layout');
  const single = `${sample.slice(0, sample.indexOf('</ceb:Inventory>') + '</ceb:Inventory>'.length)}\n\t${sample.slice(base)}`;
  return { sample, single };
}

/**
 * A 179 payment upload (the 761.52 order of threeLineDeclaration) signed by `signer` with the
 * build's own signPayExchange: the SM2 (SM3withSM2) input bench/verify.mjs and compare-builds.mjs time.
 */
export function signedPayExchange(signPayExchange, signer) {
  return signPayExchange(
    {
      sessionID: 'bench-0001',
      payExchangeInfoHead: {
        guid: '9D55BA71-22DE-41F4-8B50-C36C83B3B530',
        initalRequest: 'request',
        initalResponse: 'ok',
        ebpCode: '3301964J31',
        payCode: '312226T001',
        payTransactionId: '2026112022001354081010726129',
        totalAmount: '761.52',
        currency: '142',
        verDept: '3',
        payType: '1',
        tradingTime: '20261120101500',
      },
      payExchangeInfoLists: [
        {
          orderNo: 'BENCH0001',
          goodsInfo: [{ gname: 'bench', itemLink: 'https://example.com/item/1' }],
          recpAccount: '6222000000000000',
          recpCode: '3301964J31',
          recpName: 'bench',
        },
      ],
      serviceTime: 1764555300000,
    },
    signer,
  );
}
