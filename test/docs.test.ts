import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuleset, parseRateTable, RULES, validate } from '../src/index.js';
import { example, exampleRates } from './helpers/examples.js';

const doc = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8');

describe('docs/rulesets.md', () => {
  const block = /<!-- tested[^>]*-->\s*```json\n([\s\S]*?)```/.exec(doc('rulesets.md'))?.[1];

  it('its worked example loads and does what the text says', () => {
    expect(block).toBeDefined();
    const ruleset = loadRuleset(JSON.parse(block!), RULES, 'docs/rulesets.md');
    const rates = parseRateTable(exampleRates());
    const hz = validate(example('hangzhou-1210'), { ruleset, rates });
    expect(hz.ruleset.chain).toEqual(['acme-bonded', 'district/2900', 'national']);
    expect(hz.issues).toEqual([]); // the positive list is off
    const gz = validate(example('guangzhou-9610'), { ruleset, rates });
    expect(gz.issues).toContainEqual(expect.objectContaining({ code: 'trade-mode-not-allowed' }));
    const off = example('hangzhou-1210');
    off.payment.amountPaid = '597.88';
    expect(validate(off, { ruleset, rates, at: '2025-06-01' }).issues.filter((i) => i.code === '1332')).toEqual([]);
    expect(validate(off, { ruleset, rates, at: '2026-06-01' }).issues.filter((i) => i.code === '1332')).toHaveLength(1);
    const freight = example('hangzhou-1210');
    freight.inventory.freight = '5.00';
    expect(validate(freight, { ruleset, rates }).issues).toContainEqual(expect.objectContaining({ code: 'freight-mismatch', severity: 'error' }));
  });
});
