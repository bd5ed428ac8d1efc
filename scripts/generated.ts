/**
 * Files generated from code and data: the ruleset JSON Schema and the rule catalogue.
 * `npm run gen` writes them; a test fails when the checked-in copies are stale.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RuleExample } from '../src/rules/examples.js';
import { runExample, type ExampleFixtures } from './rule-examples.js';
import { format } from './gen-descriptors.js';
import { parseRateTable, RATE_KEY, RateEntrySchema, type RateTable } from '../src/tax/rates.js';
import { DateSchema, SourcesSchema } from '../src/model/sources.js';
import { catalogueHelp } from '../src/xml/receipts.js';
import { RULES } from '../src/rules/registry.js';
import { rulesetSchema } from '../src/rules/ruleset.js';
import * as CODES from '../src/rules/bundled.js';
import { bundledRulesets } from '../src/rules/bundled.js';
import { citation } from '../src/model/sources.js';
import { DeclarationSchema } from '../src/model/documents.js';
import { OPTIONAL_BY_ROOT } from '../src/model/generated/converters.js';
import { SandanConfigSchema } from '../src/cli/config.js';
import { EmulatorSettingsSchema } from '../src/emulator/settings-file.js';

export function rulesetJsonSchema(): string {
  const schema = z.toJSONSchema(rulesetSchema(RULES), { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const out = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://sandan.dev/schemas/ruleset.schema.json',
    title: 'sandan ruleset',
    description:
      'A national, district or user ruleset: rule settings and policy values, each effective-dated and sourced. Generated from src/rules/ruleset.ts by `npm run gen`; do not edit.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

let exampleRates: RateTable | undefined;
/** The bundled example declarations and rate table the rules' documented examples start from. */
const EXAMPLE_FIXTURES: ExampleFixtures = {
  declaration: (base) => JSON.parse(readFileSync(new URL(`../examples/${base}.json`, import.meta.url), 'utf8')),
  get rates() {
    exampleRates ??= parseRateTable(
      JSON.parse(readFileSync(new URL('../examples/rates.example.json', import.meta.url), 'utf8')),
    );
    return exampleRates;
  },
};

/** What an example changes, as a list of `path = value` items. */
function exampleChanges(x: RuleExample): string {
  const parts = Object.entries(x.set ?? {}).map(
    ([k, v]) => `\`${k}\` ${v === null ? 'removed' : `= \`${JSON.stringify(v)}\``}`,
  );
  if (x.at) parts.push(`date ${x.at}`);
  if (x.district) parts.push(`district ${x.district}`);
  if (x.options) parts.push(`options \`${JSON.stringify(x.options)}\``);
  if (x.quotaUsed) parts.push(`quota used before: ${x.quotaUsed} CNY`);
  if (x.goodsRecords) parts.push(`goods records of ${Object.keys(x.goodsRecords).join(', ')}`);
  const base = `\`examples/${x.base ?? 'hangzhou-1210'}.json\``;
  return parts.length ? `${base} with ${parts.join(', ')}` : base;
}

export function rulesCatalogue(): string {
  const national = bundledRulesets().find((r) => r.id === 'national');
  const lines: string[] = [
    '# Rules and issue codes',
    '',
    '<!-- Generated from src/rules by `npm run gen`; do not edit. -->',
    '',
    "Every rule sandan runs, the codes it reports, and how the national ruleset sets it. Numeric codes mirror customs (`1332`) or E-Port (`-621027`) rejection codes, so a finding names the rejection it prevents; other codes are sandan's own and stable. A code that mirrors customs takes its meaning, cause and fix from the receipt catalogue (rulesets/receipts.json), the words `sandan parse` uses for the receipt, and its issues carry them in `help`.",
    '',
    'In the source column, 报文规范 202205 is 海关总署《海关跨境电商统一版系统企业对接报文规范（202205版）》 with its import XSD (附件2 海关跨境进口业务节点报文定义202205.xsd), cited by message element. The national ruleset cites each document in its `sources` with what is known of it (issuer, number, title, date, URL; where a field is missing, it was not found).',
    '',
    'Codes reported outside rules: `date-unknown` (engine: the declaration carries no date; at `inventory.declTime`, or `order.appTime` for an order alone), `rule-failed` (engine: a rule threw, which is a bug), `input-encoding`, `json-syntax`, `input-too-large`, `input-empty`, `input-array` (input: the file could not be read as a JSON declaration; `input-array`: a JSON array of them, given where one declaration per file or NDJSON is read), `json-number-changed` (input: a number of the JSON text that JSON.parse reads as another, `1e-400` as 0; write it as a string), `json-duplicate-key` (input, a warning of `sandan validate` and `sandan tax`: an object of the JSON text gives a key twice; the last value is read, as JSON.parse reads it), `input-unreadable` (`sandan validate` and `sandan tax`: a file found in a folder or named that could not be read at its turn, a broken symbolic link, a link loop or no permission; the run goes on and exits 2).',
    '',
    'Each rule lives in `src/rules/<family>/<name>.ts` with its messages (one template per message id, in Chinese and English, filled from the data the rule reports) and its documented examples; its tests are `test/rules/<family>/<name>.test.ts`. The Passes and Fails examples below are run when this page is generated, each on the file it names and with the rate table `examples/rates.example.json` (on the command line: `--rates examples/rates.example.json`); the findings shown are what they give.',
    '',
    '| rule | default severity | national | description | source |',
    '|---|---|---|---|---|',
  ];
  for (const r of RULES) {
    const setting = national?.data.rules?.[r.id as keyof NonNullable<typeof national.data.rules>] as unknown;
    const settings = setting === undefined ? [] : Array.isArray(setting) ? setting : [setting];
    const nat =
      settings.length === 0
        ? 'off'
        : settings
            .map(
              (s: { severity?: string; effectiveFrom?: string; effectiveTo?: string }) =>
                `${s.severity ?? r.defaultSeverity}${s.effectiveFrom || s.effectiveTo ? ` (${s.effectiveFrom ?? '…'} – ${s.effectiveTo ?? '…'})` : ''}`,
            )
            .join('; ');
    lines.push(
      `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.defaultSeverity} | ${nat} | ${esc(r.description.en)}<br>${esc(r.description.zh)} | ${esc(r.source)} |`,
    );
  }
  // The cross-document table is written by hand; it is kept beside this script and copied in.
  lines.push('', readFileSync(new URL('./rules-cross-document.md', import.meta.url), 'utf8').trimEnd());
  lines.push('', '## Issue codes', '', '| code | rule | meaning | what to do |', '|---|---|---|---|');
  for (const r of RULES) {
    for (const [code, msg] of Object.entries(r.codes)) {
      const help = catalogueHelp(code);
      const receipt = help && help.code !== code ? ` (customs receipt ${help.code}: ${esc(help.receipt.en)})` : '';
      const fix = help ? `${esc(help.fix.en)}<br>${esc(help.fix.zh)}` : '';
      lines.push(`| \`${code}\` | \`${r.id}\` | ${esc(msg.en)} / ${esc(msg.zh)}${receipt} | ${fix} |`);
    }
  }
  lines.push('', '## Rules', '');
  for (const r of RULES) {
    lines.push(`### \`${r.id}\``, '', `${r.description.en}`, '', `${r.description.zh}`, '');
    for (const x of r.examples.valid) {
      lines.push(`- Passes: ${esc(x.name)}: ${exampleChanges(x)}.`);
    }
    for (const x of r.examples.invalid) {
      const found = runExample(r, x, EXAMPLE_FIXTURES).filter((i) => i.code === x.code && i.path === x.path);
      lines.push(`- Fails: ${esc(x.name)}: ${exampleChanges(x)}.`);
      for (const i of found) {
        lines.push(
          `  - ${i.severity} \`${i.code}\` at \`${i.path || '(declaration)'}\`: ${esc(i.message.en)}<br>${esc(i.message.zh)}`,
        );
      }
    }
    lines.push('');
    const schema = z.toJSONSchema(r.options as z.ZodType, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, unknown>;
    };
    if (Object.keys(schema.properties ?? {}).length > 0) {
      const defaults = (r.options as z.ZodType).parse({});
      lines.push(
        'Options and their defaults:',
        '',
        '```json',
        JSON.stringify({ options: defaults }, null, 2),
        '```',
        '',
      );
    }
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** The GitHub heading anchor of a rule id (`payment/link` → `paymentlink`). */
function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '');
}

/**
 * src/xml/generated/issue-codes.ts: each issue code a rule explains in its own words (not one that mirrors a receipt
 * code), with the rule and its heading in docs/rules.md. explainReceipt reads it to explain the emulator's refusal of
 * a finding (a Desc ending in （code）); xml may not import rules, so the registry's words come to it generated.
 */
export function issueCodesModule(): string {
  const entries: string[] = [];
  const seen = new Set<string>();
  for (const r of RULES)
    for (const [code, msg] of Object.entries(r.codes)) {
      if (r.receiptCodes.includes(code) || seen.has(code)) continue;
      seen.add(code);
      entries.push(
        `  ${JSON.stringify(code)}: { rule: ${JSON.stringify(r.id)}, anchor: ${JSON.stringify(anchor(r.id))}, zh: ${JSON.stringify(msg.zh)}, en: ${JSON.stringify(msg.en)} },`,
      );
    }
  const source = [
    '/*',
    ' * generated by scripts/generated.ts (issueCodesModule) from the rule registry (src/rules/registry.ts) — do not edit;',
    ' * run `npm run gen`. Each issue code a rule explains in its own words: the rule, its heading in docs/rules.md, the meaning.',
    ' */',
    '',
    "/** What an issue code of sandan's rules means, and which rule reports it. */",
    'export interface IssueCodeMeaning {',
    '  rule: string;',
    "  /** The rule's heading in docs/rules.md (`tax/total` → `taxtotal`). */",
    '  anchor: string;',
    '  zh: string;',
    '  en: string;',
    '}',
    '',
    "/** Every issue code of the rule registry whose meaning is the rule's own, by code. */",
    'export const ISSUE_CODES: Readonly<Record<string, IssueCodeMeaning>> = {',
    ...entries,
    '};',
    '',
  ].join('\n');
  return format(ISSUE_CODES_FILE, source);
}

/** Where {@link issueCodesModule} is written, from the repository root. */
export const ISSUE_CODES_FILE = 'src/xml/generated/issue-codes.ts';

/** docs/districts.md: one row per district ruleset, from the data. */
export function districtsCatalogue(): string {
  const { bundledCodeTables } = CODES;
  const customs = bundledCodeTables().customs;
  const lines = [
    '# Customs districts',
    '',
    '<!-- Generated from rulesets/districts by `npm run gen`; do not edit. -->',
    '',
    "Each district ruleset extends the national one and holds only what differs, every value with its source and, where a fact is not verified, its confidence (an uncertain fact makes its rule warn instead of fail). A declaration is checked against the district of its `inventory.customsCode` (an office such as 2924 resolves to its district, 2900) unless `--district` is given. A user ruleset (`--ruleset`) takes the place of both: it applies with what it extends, and `--district` is then ignored. Before a district's first trade-mode entry, the national default (9610, 1210 and, from 2016-12-01, 1239) applies. Every district's first entry begins with the CBEC tax regime on 2016-04-08, so that fallback meets only a declaration dated earlier, which `tax/regime` refuses anyway (`no-cbec-regime`, an error at its date): a 1210 of 2016-04-07 in a district that doubts 1210 from 2016-04-08 is not passed silently. The notes below the table say why a district allows a mode its pilot document does not name. A mode shown as “(1210 warns)” is one the entry doubts (its `options.doubtful`): it warns, while a mode neither allowed nor doubted is refused.",
    '',
    '| district | offices (codes) | trade modes (from – to) | signature algorithms | special requirements | sources |',
    '|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  const byCode = (x: { data: { district?: { code: string } } }) => x.data.district?.code ?? '';
  for (const r of bundledRulesets()
    .filter((x) => x.data.district)
    .sort((a, b) => (byCode(a) < byCode(b) ? -1 : byCode(a) > byCode(b) ? 1 : 0))) {
    const d = r.data.district!;
    const offices = [
      ...new Set([
        ...(customs?.entries ?? []).filter((e) => e.district === d.code && e.code !== d.code).map((e) => e.code),
        ...d.offices.map((o) => o.code),
      ]),
    ].sort();
    const modes = [r.data.rules?.['trade-mode/allowed' as keyof typeof r.data.rules] as unknown]
      .flat()
      .filter(Boolean) as Array<{
      effectiveFrom?: string;
      effectiveTo?: string;
      options?: { allowed?: string[]; doubtful?: string[] };
      confidence?: string;
      note?: string;
    }>;
    const span = (m: (typeof modes)[number]) => `${m.effectiveFrom ?? '…'} – ${m.effectiveTo ?? '…'}`;
    // A doubtful mode is refused with a warning only (trade-mode/allowed's options.doubtful).
    const allowedText = (m: (typeof modes)[number]) =>
      `${(m.options?.allowed ?? []).join('/')}${m.options?.doubtful?.length ? ` (${m.options.doubtful.join('/')} warns)` : ''}`;
    for (const m of modes)
      if (m.note) notes.push(`- ${d.code} ${d.name.zh}, ${allowedText(m)} (${span(m)}): ${m.note}`);
    const first = modes[0]?.effectiveFrom;
    const modeText =
      [
        ...(first !== undefined && first > '2016-04-08' ? [`national default (before ${first})`] : []),
        ...modes.map(
          (m) =>
            `${allowedText(m)} (${span(m)}${m.confidence && m.confidence !== 'verified' ? `, ${m.confidence}` : ''})`,
        ),
      ].join('<br>') || 'national default';
    const sig = d.signatureAlgorithms
      .map(
        (s) =>
          `${s.signatureMethod.split('#')[1] ?? s.signatureMethod}${s.signatureMethod.includes('w3.org') && s.signatureMethod.includes('sm2') ? ' (w3.org variant)' : ''}${s.confidence && s.confidence !== 'verified' ? ` (${s.confidence})` : ''}`,
      )
      .join(', ');
    const reqs = d.localRequirements
      .map((q) => `${q.text.en}${q.confidence && q.confidence !== 'verified' ? ` (${q.confidence})` : ''}`)
      .join('<br>');
    const sources = (r.data.sources ?? []).map((s) => `${s.id}: ${citation({ ...s, url: undefined })}`).join('<br>');
    lines.push(
      `| ${d.code} ${d.name.zh} ${d.name.en} | ${offices.join(', ') || '—'} | ${modeText} | ${sig || '—'} | ${esc(reqs) || '—'} | ${esc(sources)} |`,
    );
  }
  if (notes.length) lines.push('', '## Notes on the trade modes', '', ...notes);
  return `${lines.join('\n')}\n`;
}

/** A JSON Schema (2020-12) from a zod schema, with sandan's $id, title and description. */
function jsonSchemaOf(
  schema: z.ZodType,
  name: string,
  title: string,
  description: string,
  edit?: (body: Record<string, unknown>) => void,
): string {
  const body = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  edit?.(body);
  const out = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://sandan.dev/schemas/${name}`,
    title,
    description,
    ...Object.fromEntries(Object.entries(body).filter(([k]) => k !== '$schema')),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** schemas/sandan.config.schema.json: the configuration file, for editors. */
export function configJsonSchema(): string {
  return jsonSchemaOf(
    SandanConfigSchema,
    'sandan.config.schema.json',
    'sandan configuration',
    'sandan.config.json, or the "sandan" key of package.json: options of `sandan validate` (all of them) and `sandan tax` (district, ruleset and rates); the other commands read none. Paths are relative to the file. Command-line flags override it. Generated from src/cli/config.ts by `npm run gen`; do not edit.',
  );
}

/** schemas/emulator-settings.schema.json: the settings file of `sandan emulate --settings`, for editors. */
export function emulatorSettingsJsonSchema(): string {
  return jsonSchemaOf(
    EmulatorSettingsSchema,
    'emulator-settings.schema.json',
    'sandan emulator settings',
    "The settings file of `sandan emulate --settings`: the customs emulator engine's settings (the keys of createCustomsEmulator's options of the same names). Amounts are decimal strings. Generated from src/emulator/settings-file.ts by `npm run gen`; do not edit.",
  );
}

/**
 * schemas/rate-table.schema.json: a rate table (`--rates`, the bundled cbec-rates.json), for editors. parseRateTable
 * reads the table's keys itself (a code, or `$` and a comment); its parts are the zod schemas it checks them with.
 */
export function rateTableJsonSchema(): string {
  const entry = z.toJSONSchema(RateEntrySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete entry.$schema;
  return jsonSchemaOf(
    z.object({
      $sources: SourcesSchema.optional(),
      $validFrom: DateSchema.optional(),
      $validTo: DateSchema.optional(),
    }),
    'rate-table.schema.json',
    'sandan rate table',
    'A rate table (`--rates`, and the bundled rulesets/rates/cbec-rates.json): an object keyed by 10-digit commodity code or 8- or 4-digit prefix, each entry the duty, VAT and consumption-tax rates as decimal strings ("0.13" = 13 %); other keys starting with $ are comments. Rates must be below 1 and $validTo not before $validFrom, which the schema cannot say and sandan checks. Generated from src/tax/rates.ts by `npm run gen`; do not edit.',
    (body) => {
      body.patternProperties = { [RATE_KEY.source]: entry, '^\\$': {} };
      body.additionalProperties = false;
    },
  );
}

/** schemas/declaration.schema.json: the declaration input of `sandan validate`, `tax` and `build`. */
export function declarationJsonSchema(): string {
  return jsonSchemaOf(
    DeclarationSchema,
    'declaration.schema.json',
    'sandan declaration',
    'One CBEC retail-import declaration: order (CEB311), payment (CEB411), logistics (CEB511) and inventory (CEB621). Generated from src/model/documents.ts by `npm run gen`; do not edit.',
    emptyOptionalAllowed,
  );
}

type JsonSchemaObject = { properties: Record<string, unknown> };
/** The message root of each document of a declaration. */
const DECLARATION_ROOTS = {
  order: 'CEB311Message',
  payment: 'CEB411Message',
  logistics: 'CEB511Message',
  inventory: 'CEB621Message',
};

/** An optional field may also be '' (read as absent, src/model/empty.ts): the zod schemas see it already left out. */
function emptyOptionalAllowed(body: Record<string, unknown>): void {
  const allowEmpty = (obj: JsonSchemaObject, names: readonly string[]) => {
    for (const n of names) {
      const p = obj.properties[n] as Record<string, unknown>;
      // An amount ({}: any value, checked by sandan) takes '' already.
      if (Object.keys(p).length > 0) obj.properties[n] = { anyOf: [p, { const: '' }] };
    }
  };
  const docs = (body as JsonSchemaObject).properties;
  for (const [key, root] of Object.entries(DECLARATION_ROOTS)) {
    const doc = docs[key] as JsonSchemaObject;
    const fields = OPTIONAL_BY_ROOT[root]!;
    allowEmpty(doc, fields.head);
    if (fields.items) allowEmpty((doc.properties.items as { items: JsonSchemaObject }).items, fields.items);
  }
}
