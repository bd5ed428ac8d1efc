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

  it('computes a declaration whose field errors are all in fields the tax does not read, marked as such', () => {
    // Finance at month end: the waybill's weight and an order line's price are wrong, the inventory is sound.
    const d = example('guangzhou-9610');
    d.logistics.weight = 'abc';
    d.order.items[0].price = '680.00x';
    const r = createTaxCalculator({ rates })(d);
    // P = 680.00 + 20.00 freight = 700.00; CT = 700 / 0.85 × 0.15 × 0.7 = 86.4706 → 86.47;
    // VAT = (700 + 123.5294) × 0.13 × 0.7 = 74.9412 → 74.94; total 161.41
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([r.result.consumptionTax, r.result.valueAddedTax, r.result.taxTotal].map((x) => x.toFixed(2))).toEqual([
      '86.47',
      '74.94',
      '161.41',
    ]);
    expect(r.result.issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ['tax-declaration-invalid', 'error', ''],
      ['field-format', 'error', 'order.items[0].price'],
      ['field-format', 'error', 'logistics.weight'],
    ]);
    expect(r.result.issues[0]!.message.en).toContain('customs would refuse it as it stands');
  });

  it('still refuses when a field error is in a field the tax reads (a line quantity), whatever else is wrong', () => {
    const d = example('guangzhou-9610');
    d.logistics.weight = 'abc';
    d.inventory.items[0].qty1 = 'x';
    const r = createTaxCalculator({ rates })(d);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path).sort()).toEqual(['inventory.items[0].qty1', 'logistics.weight']);
  });

  it('reads no field outside those it says it reads: an error in any other field leaves every figure as it was', () => {
    // The list of fields the tax reads (tax-calculator.ts) is held to computeTax here: each leaf of both examples is
    // made invalid in turn; where figures still come, they must be the sound declaration's, to the line.
    const figures = (r: ReturnType<ReturnType<typeof createTaxCalculator>>) =>
      r.ok
        ? JSON.stringify([
            r.result.regime,
            r.result.customsTax,
            r.result.consumptionTax,
            r.result.valueAddedTax,
            r.result.lines.map((l) => [l.gnum, l.dutiableValue, l.customsTax, l.consumptionTax, l.valueAddedTax]),
          ])
        : undefined;
    const leaves = (v: unknown, path: (string | number)[] = []): (string | number)[][] =>
      v !== null && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, c]) => leaves(c, [...path, Array.isArray(v) ? Number(k) : k]))
        : [path];
    let computed = 0;
    for (const name of ['hangzhou-1210', 'guangzhou-9610'] as const) {
      const calc = createTaxCalculator({ rates });
      const sound = figures(calc(example(name)));
      expect(sound).toBeDefined();
      for (const path of leaves(example(name))) {
        const d = example(name) as Record<string | number, unknown>;
        let holder = d;
        for (const k of path.slice(0, -1)) holder = holder[k] as Record<string | number, unknown>;
        holder[path.at(-1)!] = { invalid: true };
        const r = calc(d);
        if (!r.ok) continue;
        computed++;
        expect(r.result.issues[0]?.code, path.join('.')).toBe('tax-declaration-invalid');
        expect(figures(r), path.join('.')).toBe(sound);
      }
    }
    // (most fields are ones the tax does not read: the check is not vacuous)
    expect(computed).toBeGreaterThan(20);
  });

  it('has no CBEC regime before 2016-04-08', () => {
    const r = createTaxCalculator({ rates, at: '2016-04-07' })(example('hangzhou-1210'));
    // Judged on a day the declaration (of 2025) does not hold: the issue is the whole declaration's.
    expect(r).toMatchObject({ ok: false, issues: [{ code: 'no-cbec-regime', path: '' }] });
    expect(r.ruleset?.at).toBe('2016-04-07');
  });
});
