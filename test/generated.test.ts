import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cliReference } from '../scripts/cli-doc.js';
import {
  configJsonSchema,
  declarationJsonSchema,
  emulatorSettingsJsonSchema,
  districtsCatalogue,
  ISSUE_CODES_FILE,
  issueCodesModule,
  rateTableJsonSchema,
  rulesCatalogue,
  rulesetJsonSchema,
} from '../scripts/generated.js';
import { jsonErrorOffset } from '../src/model/json-position.js';
import { bundledCodeTables, bundledRulesets } from '../src/index.js';
import { parseRateTable } from '../src/tax/rates.js';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

describe('generated files are up to date (run `npm run gen` after changing rules)', () => {
  it('schemas/ruleset.schema.json matches the zod ruleset schema', () => {
    expect(read('schemas/ruleset.schema.json')).toBe(rulesetJsonSchema());
  });
  it('schemas/sandan.config.schema.json and schemas/declaration.schema.json match their zod schemas', () => {
    expect(read('schemas/sandan.config.schema.json')).toBe(configJsonSchema());
    expect(read('schemas/declaration.schema.json')).toBe(declarationJsonSchema());
  });
  it('schemas/emulator-settings.schema.json matches the zod schema of `sandan emulate --settings`', () => {
    expect(read('schemas/emulator-settings.schema.json')).toBe(emulatorSettingsJsonSchema());
  });
  it('docs/rules.md matches the rule registry and the national ruleset', () => {
    expect(read('docs/rules.md')).toBe(rulesCatalogue());
  });
  it('docs/cli.md matches the CLI', async () => {
    expect(read('docs/cli.md')).toBe(await cliReference());
  });
  it('src/xml/generated/issue-codes.ts matches the rule registry (each issue code, its rule and meaning)', () => {
    expect(read(ISSUE_CODES_FILE)).toBe(issueCodesModule());
  });
  it('docs/districts.md matches the district rulesets', () => {
    expect(read('docs/districts.md')).toBe(districtsCatalogue());
  });
});

describe('schemas/rate-table.schema.json', () => {
  it('matches the zod schemas parseRateTable checks a rate table with', () => {
    expect(read('schemas/rate-table.schema.json')).toBe(rateTableJsonSchema());
  });

  it('takes the bundled rate table and the examples, and refuses what parseRateTable refuses (ajv, not zod)', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const addFormats = (await import('ajv-formats')).default as unknown as (a: unknown) => void;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const check = ajv.compile(JSON.parse(read('schemas/rate-table.schema.json')) as object);
    for (const file of [
      'rulesets/rates/cbec-rates.json',
      'examples/rates.example.json',
      'examples/finance/2026-11/rates.json',
    ])
      expect([file, check(JSON.parse(read(file))), check.errors ?? null]).toEqual([file, true, null]);
    const refused = (table: unknown) => {
      expect(() => parseRateTable(table, 't')).toThrow(/Invalid rate table t/);
      return check(table);
    };
    expect(refused({ '33049900': { vat: '0.13', dutyy: '0' } })).toBe(false); // an unknown key of an entry
    expect(refused({ '330499': { vat: '0.13' } })).toBe(false); // a 6-digit key
    expect(refused({ '33049900': { duty: '0' } })).toBe(false); // no vat
    // A rate as decimal text with a percent sign, in words, with a sign or negative: the schema's pattern refuses it
    // as the loader does, so an editor shows it before sandan is run.
    expect(refused({ '33049900': { vat: '13%' } })).toBe(false);
    expect(refused({ '33049900': { vat: '0.13', duty: ' 0' } })).toBe(false);
    expect(refused({ '33049900': { vat: '+0.13' } })).toBe(false);
    expect(refused({ '33049900': { vat: -0.13 } })).toBe(false);
    expect(refused({ '2208': { vat: '0.13', consumption: { adValorem: '15%' } } })).toBe(false);
    expect(refused({ '2208': { vat: '0.13', consumption: { perUnit: '1.5元', unit: '035' } } })).toBe(false);
    // (what only the loader checks: a rate of 1 or more, and a number whose text is no plain decimal)
    expect(refused({ '33049900': { vat: '1.3' } })).toBe(true);
    expect(refused({ '33049900': { vat: 1e-13 } })).toBe(true);
    expect(refused({ $validFrom: '2026/01/01' })).toBe(false);
    expect(check({ $comment: 'any', '3304990000': { vat: 0.13, consumption: [{ adValorem: '0.15' }] } })).toBe(true);
  });
});

describe('bundled data', () => {
  it('every bundled ruleset and code table loads against its schema', () => {
    expect(bundledRulesets().map((r) => r.id)).toContain('national');
    const tables = bundledCodeTables();
    for (const id of [
      'currency',
      'country',
      'unit',
      'trade-mode',
      'transport-mode',
      'packing-type',
      'id-type',
      'customs',
      'province',
    ]) {
      expect(tables[id], id).toBeDefined();
      expect(tables[id]!.entries.length, id).toBeGreaterThan(0);
    }
    expect(tables.customs!.get('2924')?.district).toBe('2900');
    expect(tables.unit!.get('035')?.zh).toBe('千克');
  });

  it('every policy entry and rule setting of the national ruleset cites a source', () => {
    const national = bundledRulesets().find((r) => r.id === 'national')!;
    for (const [key, entries] of Object.entries(national.data.policy ?? {})) {
      for (const e of entries as Array<{ source?: string }>) expect(e.source, key).toBeTruthy();
    }
    for (const [id, s] of Object.entries(national.data.rules ?? {})) {
      for (const e of [s].flat() as Array<{ source?: string }>) expect(e.source, id).toBeTruthy();
    }
  });
});

describe('jsonErrorOffset', () => {
  it('is -1 exactly for text JSON.parse accepts, and inside the text otherwise', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), (json, cut) => {
        const text = json.slice(0, cut % (json.length + 1));
        let ok = true;
        try {
          JSON.parse(text);
        } catch {
          ok = false;
        }
        const pos = jsonErrorOffset(text);
        if (ok) expect(pos).toBe(-1);
        else expect(pos >= 0 && pos <= text.length).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
