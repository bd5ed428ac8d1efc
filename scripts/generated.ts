/**
 * Files generated from code and data: the ruleset JSON Schema and the rule catalogue.
 * `npm run gen` writes them; a test fails when the checked-in copies are stale.
 */
import { z } from 'zod';
import { RULES } from '../src/rules/registry.js';
import { rulesetSchema } from '../src/rules/ruleset.js';
import { bundledRulesets } from '../src/rules/bundled.js';

export function rulesetJsonSchema(): string {
  const schema = z.toJSONSchema(rulesetSchema(RULES), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const out = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sandan.dev/schemas/ruleset.schema.json',
    title: 'sandan ruleset',
    description: 'A national, district or user ruleset: rule settings and policy values, each effective-dated and sourced. Generated from src/rules/ruleset.ts by `npm run gen`; do not edit.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function rulesCatalogue(): string {
  const national = bundledRulesets().find((r) => r.id === 'national');
  const lines: string[] = [
    '# Rules and issue codes',
    '',
    '<!-- Generated from src/rules by `npm run gen`; do not edit. -->',
    '',
    'Every rule sandan runs, the codes it reports, and how the national ruleset sets it. Numeric codes mirror customs (`1332`) or E-Port (`-621027`) rejection codes, so a finding names the rejection it prevents; other codes are sandan\'s own and stable.',
    '',
    'Codes reported outside rules: `date-unknown` (engine: the declaration carries no date), `rule-failed` (engine: a rule threw, which is a bug), `input-encoding`, `json-syntax`, `input-too-large`, `input-empty` (input: the file could not be read as a JSON declaration).',
    '',
    '| rule | default severity | national | description | source |',
    '|---|---|---|---|---|',
  ];
  for (const r of RULES) {
    const setting = national?.data.rules?.[r.id as keyof NonNullable<typeof national.data.rules>] as unknown;
    const settings = setting === undefined ? [] : Array.isArray(setting) ? setting : [setting];
    const nat = settings.length === 0 ? 'off' : settings.map((s: { severity?: string; effectiveFrom?: string; effectiveTo?: string }) => `${s.severity ?? r.defaultSeverity}${s.effectiveFrom || s.effectiveTo ? ` (${s.effectiveFrom ?? '…'} – ${s.effectiveTo ?? '…'})` : ''}`).join('; ');
    lines.push(`| \`${r.id}\` | ${r.defaultSeverity} | ${nat} | ${esc(r.description.en)}<br>${esc(r.description.zh)} | ${esc(r.source)} |`);
  }
  lines.push('', '## Issue codes', '', '| code | rule | meaning |', '|---|---|---|');
  for (const r of RULES) {
    for (const [code, msg] of Object.entries(r.codes)) lines.push(`| \`${code}\` | \`${r.id}\` | ${esc(msg.en)} / ${esc(msg.zh)} |`);
  }
  lines.push('', '## Rule options', '');
  for (const r of RULES) {
    const schema = z.toJSONSchema(r.options as z.ZodType, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
    const props = Object.keys(schema.properties ?? {});
    if (props.length === 0) continue;
    const defaults = (r.options as z.ZodType).parse({});
    lines.push(`### \`${r.id}\``, '', '```json', JSON.stringify({ options: defaults }, null, 2), '```', '');
  }
  return `${lines.join('\n')}\n`;
}
