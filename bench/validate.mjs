// validate() throughput on 3-line declarations, one core (CPU time), with the example rates
// so that the tax check runs in full. The declarations differ in price (see fixtures.mjs).
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { createValidator, parseRateTable } from '../dist/index.js';
import { opsPerSec, variedDeclarations } from './fixtures.mjs';

const decls = await variedDeclarations();
const rates = parseRateTable(
  JSON.parse(readFileSync(new URL('../examples/rates.example.json', import.meta.url), 'utf8')),
);
const validator = createValidator({ rates });
for (const d of decls) {
  const r = validator(d);
  if (r.issues.some((i) => i.severity === 'error'))
    throw new Error(`bench declaration is not valid: ${JSON.stringify(r.issues)}`);
}
// Garbage collection is timed too: values that outlive their validation (session 12 found the
// tax figures promoted to the old generation) show here first, as 1 µs becoming 8.
let gcMs = 0;
const gc = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
});
gc.observe({ entryTypes: ['gc'] });
let i = 0;
const value = opsPerSec(() => validator(decls[i++ & 511]));
await new Promise((resolve) => setTimeout(resolve, 50));
gc.disconnect();
console.log(
  JSON.stringify({
    name: 'validate (3-line declarations, tax check included)',
    unit: 'declarations/s',
    value: Math.round(value),
    target: 20000,
  }),
);
console.log(
  JSON.stringify({
    name: 'validate: garbage collection per declaration (wall time of GC pauses)',
    unit: 'µs',
    value: Number(((gcMs * 1000) / i).toFixed(2)),
    target: 3,
    lowerIsBetter: true,
  }),
);
