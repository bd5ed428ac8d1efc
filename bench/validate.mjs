// validate() throughput on 3-line declarations, one core (CPU time), with the example rates
// so that the tax check runs in full. The declarations differ in price (see fixtures.mjs).
import { readFileSync } from 'node:fs';
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
let i = 0;
const value = opsPerSec(() => validator(decls[i++ & 511]));
console.log(
  JSON.stringify({
    name: 'validate (3-line declarations, tax check included)',
    unit: 'declarations/s',
    value: Math.round(value),
    target: 20000,
  }),
);
