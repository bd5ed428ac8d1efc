import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueHelp } from '../../src/xml/receipts.js';
import { RULES } from '../../src/rules/registry.js';
import { projectFile } from './rule-tester.js';

const root = new URL('../../', import.meta.url);
const exists = (path: string) => existsSync(new URL(path, root));

/*
 * The layout is the contract that keeps every rule tested: one rule per file named by its id
 * (`payment/link` → src/rules/payment/link.ts), one test file beside it under test/rules run
 * through the rule tester, which in turn fails when a declared code or message has no invalid
 * case.
 */
describe('one rule per file, each with its tests', () => {
  it.each(RULES.map((r) => [r.id, r] as const))('%s lives in its own file and has a test file', async (id, rule) => {
    expect(id).toMatch(/^[a-z-]+\/[a-z-]+$/);
    expect(exists(`src/rules/${id}.ts`), `src/rules/${id}.ts`).toBe(true);
    const [family, name] = id.split('/');
    const mod = (await import(`../../src/rules/${family}/${name}.ts`)) as Record<string, unknown>;
    expect(Object.values(mod)).toContain(rule);
    expect(exists(`test/rules/${id}.test.ts`), `test/rules/${id}.test.ts`).toBe(true);
    const test = projectFile(`test/rules/${id}.test.ts`);
    expect(test).toMatch(/ruleTester\(\w+,/);
    expect(test).toContain(`src/rules/${id}.js`);
  });

  it('every rule file under src/rules/<family>/ is a registered rule', () => {
    const ids = new Set(RULES.map((r) => r.id));
    const families = [...new Set(RULES.map((r) => r.id.split('/')[0] as string))];
    const files = families.flatMap((f) =>
      readdirSync(new URL(`src/rules/${f}/`, root))
        .filter((n) => n.endsWith('.ts'))
        .map((n) => `${f}/${n.slice(0, -3)}`),
    );
    expect(files.filter((id) => !ids.has(id))).toEqual([]);
    expect(RULES.length).toBe(ids.size);
  });
});

describe('codes that mirror customs', () => {
  it('a numeric code is a receipt catalogue code, and takes its meaning from the catalogue', () => {
    for (const rule of RULES) {
      for (const code of Object.keys(rule.codes)) {
        if (!/^-?\d+$/.test(code)) continue;
        expect(catalogueHelp(code)?.code, `${rule.id} ${code}`).toBe(code);
        expect(rule.receiptCodes, `${rule.id} ${code}`).toContain(code);
        expect(rule.codes[code], `${rule.id} ${code}`).toEqual(catalogueHelp(code)?.receipt);
      }
      for (const code of rule.receiptCodes) expect(code).toMatch(/^-?\d+$/);
    }
  });

  it('a sandan code the catalogue lists under a receipt gets that receipt’s help (payer-not-buyer → 1327)', () => {
    const listed = RULES.flatMap((r) => Object.keys(r.codes)).filter((c) => !/^-?\d+$/.test(c) && catalogueHelp(c));
    expect(listed.map((c) => [c, catalogueHelp(c)?.code])).toEqual([['payer-not-buyer', '1327']]);
  });
});

describe('codes are unique to their rule', () => {
  it('no code is declared by two rules', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const r of RULES) {
      for (const code of Object.keys(r.codes)) {
        if (seen.has(code)) twice.push(`${code}: ${seen.get(code)} and ${r.id}`);
        seen.set(code, r.id);
      }
    }
    expect(twice).toEqual([]);
  });
});
