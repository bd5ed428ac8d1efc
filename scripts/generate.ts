import { writeFileSync } from 'node:fs';
import { rulesCatalogue, rulesetJsonSchema } from './generated.js';

writeFileSync(new URL('../schemas/ruleset.schema.json', import.meta.url), rulesetJsonSchema());
writeFileSync(new URL('../docs/rules.md', import.meta.url), rulesCatalogue());
console.log('wrote schemas/ruleset.schema.json and docs/rules.md');
