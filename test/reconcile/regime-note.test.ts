import { describe, expect, it } from 'vitest';
import { reconcile } from '../../src/reconcile/index.js';
import { example, type Json } from '../helpers/examples.js';
import { calculate } from './helpers.js';

// A row of an order taxed outside the within-limits regime says so in its notes (`regime:REGIME`, docs/reconcile.md):
// finance reading a large figure sees why. The example declaration cut to one tin of milk powder at 6,000 CNY is one
// item above the 5,000 limit and below 26,000: cbec-full (财关税〔2018〕49号 二), taxed in full.

function oneItem(price: string): Json {
  const d = example('hangzhou-1210');
  for (const doc of [d.order, d.inventory]) {
    doc.items = [{ ...doc.items[0], qty: 1, price, totalPrice: price }];
  }
  d.order.goodsValue = price;
  return d;
}

async function notesOf(d: unknown): Promise<string[]> {
  const report = await reconcile({ declarations: [d] }, { calculate });
  const [row] = [...report.rows()];
  return row!.notes;
}

describe('the regime note of a reconciliation row', () => {
  it('one item of 6,000 CNY: regime:cbec-full', async () => {
    const d = oneItem('6000.00');
    const tax = calculate(d);
    expect(tax.ok && tax.result.regime).toBe('cbec-full');
    expect(await notesOf(d)).toContain('regime:cbec-full');
  });

  it('one item of 398 CNY, within the limits: no regime note', async () => {
    expect((await notesOf(oneItem('398.00'))).filter((n) => n.startsWith('regime:'))).toEqual([]);
  });
});
