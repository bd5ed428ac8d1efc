import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { locateJsonPath } from '../src/index.js';

const text = readFileSync(new URL('../examples/hangzhou-1210.json', import.meta.url), 'utf8');
const lines = text.split('\n');

describe('locateJsonPath', () => {
  it('finds the line of a field, a line item and a nested field', () => {
    const at = (p: string) => locateJsonPath(text, p)!.line;
    expect(lines[at('payment.amountPaid') - 1]).toContain('"amountPaid": "597.87"');
    expect(lines[at('order.items[1].qty') - 1]).toContain('SKU-CREAM-50');
    expect(lines[at('inventory.items[0].gname') - 1]).toContain('SKU-MILK-800');
    expect(lines[at('inventory.customsCode') - 1]).toContain('"customsCode": "2924"');
  });

  it('points at the enclosing object for a missing field, and handles one-line JSON', () => {
    expect(lines[locateJsonPath(text, 'payment.nothere')!.line - 1]).toContain('"payment"');
    const one = JSON.stringify({ a: { b: [1, { c: 'x"y' }] } });
    expect(locateJsonPath(one, 'a.b[1].c')).toEqual({ line: 1, column: one.indexOf('"c"') + 1 });
    expect(locateJsonPath('{', 'a')).toEqual({ line: 1, column: 1 });
  });
});
