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

/** Measures how often fn runs per second over about `ms` milliseconds. */
export function opsPerSec(fn, ms = 2000) {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}
