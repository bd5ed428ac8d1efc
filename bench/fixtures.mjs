// Shared bench inputs: the Hangzhou example grown to three lines.
import { readFileSync } from 'node:fs';

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
 */
export function opsPerSec(fn, ms = 2000) {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
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
