import { describe, expect, it } from 'vitest';
import { createTaxCalculator } from '../../src/rules/tax-calculator.js';
import { parseRateTable } from '../../src/tax/rates.js';
import { example, exampleRates } from '../helpers/examples.js';

const rates = parseRateTable(exampleRates());

describe('createTaxCalculator', () => {
  it('computes a declaration that carries an unknown field (a warning, not a reason to refuse)', () => {
    const d = example('hangzhou-1210');
    (d.order as Record<string, unknown>).shopNote = 'gift wrap';
    const r = createTaxCalculator({ rates })(d);
    // hangzhou-1210: 398.00 × 13% × 0.7 = 36.22; 150.00 × 13% × 0.7 = 13.65; total 49.87
    expect(r.ok && r.result.taxTotal.toFixed(2)).toBe('49.87');
  });

  it('refuses a declaration with a real parse error and returns its issues', () => {
    const d = example('hangzhou-1210');
    (d.inventory as Record<string, unknown>).freight = 'ten';
    const r = createTaxCalculator({ rates })(d);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path)).toContain('inventory.freight');
  });

  it('has no CBEC regime before 2016-04-08', () => {
    const r = createTaxCalculator({ rates, at: '2016-04-07' })(example('hangzhou-1210'));
    // Judged on a day the declaration (of 2025) does not hold: the issue is the whole declaration's.
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'no-cbec-regime', path: '' }] });
    expect(r.ruleset?.at).toBe('2016-04-07');
  });
});
