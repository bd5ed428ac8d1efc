import { writeFileSync } from 'node:fs';
import { writeDescriptorFiles } from './gen-descriptors.js';

// The descriptors first: the schemas and catalogues below are built from src/model/generated, so they are imported only
// after it is written (static imports would load the files as they were, and one run would leave the schemas stale).
writeDescriptorFiles();
const { cliReference } = await import('./cli-doc.js');
const { receiptsDoc } = await import('./receipts-doc.js');
const {
  configJsonSchema,
  declarationJsonSchema,
  emulatorSettingsJsonSchema,
  districtsCatalogue,
  ISSUE_CODES_FILE,
  issueCodesModule,
  rulesCatalogue,
  rateTableJsonSchema,
  rulesetJsonSchema,
} = await import('./generated.js');

writeFileSync(new URL('../schemas/ruleset.schema.json', import.meta.url), rulesetJsonSchema());
writeFileSync(new URL('../schemas/sandan.config.schema.json', import.meta.url), configJsonSchema());
writeFileSync(new URL('../schemas/declaration.schema.json', import.meta.url), declarationJsonSchema());
writeFileSync(new URL('../schemas/emulator-settings.schema.json', import.meta.url), emulatorSettingsJsonSchema());
writeFileSync(new URL('../schemas/rate-table.schema.json', import.meta.url), rateTableJsonSchema());
writeFileSync(new URL('../docs/rules.md', import.meta.url), rulesCatalogue());
writeFileSync(new URL(`../${ISSUE_CODES_FILE}`, import.meta.url), issueCodesModule());
writeFileSync(new URL('../docs/districts.md', import.meta.url), districtsCatalogue());
writeFileSync(new URL('../docs/receipts.md', import.meta.url), receiptsDoc());
writeFileSync(new URL('../docs/cli.md', import.meta.url), await cliReference());
console.log(
  'wrote schemas/ruleset.schema.json, sandan.config.schema.json, declaration.schema.json, emulator-settings.schema.json, rate-table.schema.json, docs/rules.md, src/xml/generated/issue-codes.ts, docs/districts.md, docs/receipts.md and docs/cli.md',
);
