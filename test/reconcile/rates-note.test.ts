import { describe, expect, it } from 'vitest';
import { reconcile } from '../../src/reconcile/index.js';
import { bundledRateTable } from '../../src/rules/bundled.js';
import { createTaxCalculator } from '../../src/rules/tax-calculator.js';
import { example, type Json } from '../helpers/examples.js';

// A row computed with a rate of a table not in force on the declaration's date says so (`rates-not-in-force`,
// docs/reconcile.md): on 2019-02-01 books paid 10 % VAT and the face cream 16 % (财税〔2018〕32号, until 2019-03-31),
// while the bundled table holds 9 % and 13 % from 2019-04-01, so a bill differing from the computed tax is no
// evidence against customs.

const calculate = createTaxCalculator({ rates: [bundledRateTable()] });

function declared(declTime: string): Json {
  const d = example('hangzhou-1210');
  d.inventory.items[0].gcode = '4901990000';
  d.inventory.declTime = declTime;
  return d;
}

async function notesOf(d: unknown): Promise<string[]> {
  const report = await reconcile({ declarations: [d] }, { calculate });
  const [row] = [...report.rows()];
  return row!.notes;
}

describe('the rates note of a reconciliation row', () => {
  it('declared 2019-02-01, rates of the bundled table (from 2019-04-01): rates-not-in-force', async () => {
    const d = declared('20190201');
    const tax = calculate(d);
    // 398.00 × 9 % × 0.7 = 25.074 → 25.07; 150.00 × 13 % × 0.7 = 13.65
    expect(tax.ok && tax.result.taxTotal.toFixed(2)).toBe('38.72');
    expect(await notesOf(d)).toContain('rates-not-in-force');
  });

  it('declared 2026-11-20: no such note', async () => {
    expect(await notesOf(declared('20261120'))).not.toContain('rates-not-in-force');
  });
});
