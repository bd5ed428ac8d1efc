// computeTax throughput on a 3-line declaration, one core (CPU time), with every figure explained.
// SANDAN_MODULE points at another build (e.g. src/index.ts under tsx) until dist exports the tax API.
import { readFileSync } from 'node:fs';
import { opsPerSec, threeLineDeclaration } from './fixtures.mjs';

const mod = await import(process.env.SANDAN_MODULE ?? '../dist/index.js');
const { computeTax, parseRateTable, parseDeclaration, taxResultToJSON, DEFAULT_TAX_POLICY_2019 } = mod;

const parsed = parseDeclaration(threeLineDeclaration());
if (!parsed.success) throw new Error(`bench declaration does not parse: ${JSON.stringify(parsed.issues)}`);
const rates = parseRateTable(
  JSON.parse(readFileSync(new URL('../examples/rates.example.json', import.meta.url), 'utf8')),
  'rates.example.json',
);
const options = { policy: DEFAULT_TAX_POLICY_2019, rates };

const check = computeTax(parsed.data, options);
// 36.22 + 13.65 + 13.65 (see fixtures.mjs)
if (check.taxTotal.toFixed(2) !== '63.52')
  throw new Error(`bench declaration taxTotal ${check.taxTotal.toFixed(2)}, expected 63.52`);

console.log(
  JSON.stringify({
    name: 'computeTax (3-line declaration, explanations included)',
    unit: 'computations/s',
    value: Math.round(opsPerSec(() => computeTax(parsed.data, options))),
    target: 50000,
  }),
);
// What `sandan tax --format json` does per declaration: every explanation read and the result written
// as JSON. Issue #19 asks that it be no slower than before the formulas were stated once (see
// docs/performance.md for the side-by-side measurement; this line has no absolute target).
console.log(
  JSON.stringify({
    name: 'computeTax + taxResultToJSON + JSON.stringify (3-line declaration, every explanation read)',
    unit: 'computations/s',
    value: Math.round(opsPerSec(() => JSON.stringify(taxResultToJSON(computeTax(parsed.data, options))))),
  }),
);
