// Writes a synthetic reconciliation data set (declarations, rate table, CEB816/818 tax bills,
// CEB622/624/626 receipts) with known, counted defects, and its expected.json.
//   node bench/generate-reconcile.mjs --orders 100000 --out /tmp/sandan-reconcile-100000 [--bills-per-file 1000]
//        [--receipts-per-order N] [--refusal-every N]
// --receipts-per-order: CEB622 receipts (申报中, 入库, 放行) of each order without a defect; --refusal-every: every
// Nth of those orders is refused (100 退单) first. Both default to none, the data set of past measurements.
// The generator itself is test/reconcile/generator.ts (shared with the tests, loaded through tsx);
// the tax amounts come from the built library (run `npx tsup --silent` first).
import { mkdirSync, writeFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';
import { createTaxCalculator, parseRateTable } from '../dist/index.js';

/** Generates into `dir` unless it already holds a data set of that size; returns the expected counts. */
export async function generateReconcileData(dir, orders, billsPerFile = 1000, receipts = {}) {
  const gen = await tsImport('../test/reconcile/generator.ts', import.meta.url);
  const calculate = createTaxCalculator({ rates: parseRateTable(gen.RATES, 'rates.json') });
  mkdirSync(dir, { recursive: true });
  const expected = gen.generate(dir, gen.fileSink(), { orders, calculate, billsPerFile, ...receipts });
  writeFileSync(
    `${dir}/expected.json`,
    JSON.stringify({ ...expected, byDefect: undefined, size: orders, ...receipts }, null, 2),
  );
  return expected;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? dflt : process.argv[i + 1];
  };
  const orders = Number(arg('--orders', '10000'));
  const dir = arg('--out', `/tmp/sandan-reconcile-${orders}`);
  const t0 = performance.now();
  const e = await generateReconcileData(dir, orders, Number(arg('--bills-per-file', '1000')), {
    receiptsPerOrder: Number(arg('--receipts-per-order', '0')),
    refusalEvery: Number(arg('--refusal-every', '0')),
  });
  console.log(
    JSON.stringify({
      dir,
      orders,
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      matched: e.matched,
      mismatched: e.mismatched,
    }),
  );
}
