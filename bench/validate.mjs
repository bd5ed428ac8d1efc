// validate() throughput on a 3-line declaration, one core.
import { createValidator } from '../dist/index.js';
import { opsPerSec, threeLineDeclaration } from './fixtures.mjs';

const decl = threeLineDeclaration();
const validator = createValidator();
const r = validator(decl);
if (!r.valid) throw new Error(`bench declaration is not valid: ${JSON.stringify(r.issues)}`);
console.log(JSON.stringify({ name: 'validate (3-line declaration)', unit: 'declarations/s', value: Math.round(opsPerSec(() => validator(decl))), target: 20000 }));
