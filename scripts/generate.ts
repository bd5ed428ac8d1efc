import { writeFileSync } from 'node:fs';
import { cliReference } from './cli-doc.js';
import { writeDescriptorFiles } from './gen-descriptors.js';
import {
  configJsonSchema,
  declarationJsonSchema,
  emulatorSettingsJsonSchema,
  districtsCatalogue,
  rulesCatalogue,
  rulesetJsonSchema,
} from './generated.js';

writeDescriptorFiles();
writeFileSync(new URL('../schemas/ruleset.schema.json', import.meta.url), rulesetJsonSchema());
writeFileSync(new URL('../schemas/sandan.config.schema.json', import.meta.url), configJsonSchema());
writeFileSync(new URL('../schemas/declaration.schema.json', import.meta.url), declarationJsonSchema());
writeFileSync(new URL('../schemas/emulator-settings.schema.json', import.meta.url), emulatorSettingsJsonSchema());
writeFileSync(new URL('../docs/rules.md', import.meta.url), rulesCatalogue());
writeFileSync(new URL('../docs/districts.md', import.meta.url), districtsCatalogue());
writeFileSync(new URL('../docs/cli.md', import.meta.url), await cliReference());
console.log(
  'wrote schemas/ruleset.schema.json, sandan.config.schema.json, declaration.schema.json, emulator-settings.schema.json, docs/rules.md, docs/districts.md and docs/cli.md',
);
