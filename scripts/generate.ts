import { writeFileSync } from 'node:fs';
import { districtsCatalogue, rulesCatalogue, rulesetJsonSchema } from './generated.js';

writeFileSync(new URL('../schemas/ruleset.schema.json', import.meta.url), rulesetJsonSchema());
writeFileSync(new URL('../docs/rules.md', import.meta.url), rulesCatalogue());
writeFileSync(new URL('../docs/districts.md', import.meta.url), districtsCatalogue());
console.log('wrote schemas/ruleset.schema.json, docs/rules.md and docs/districts.md');
