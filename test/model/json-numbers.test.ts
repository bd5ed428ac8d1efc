import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeclaration } from '../../src/model/parse.js';
import { jsonNumberText, toDecimal } from '../../src/model/primitives.js';
import { example, type Json } from '../helpers/examples.js';

/*
 * An amount given as a JSON number is what JSON.parse made of it: about 16 significant digits. A valid
 * N19,5 amount of more (99999999999.99999) came back as another number (99999999999.99998), which was
 * validated, taxed and declared instead, without a word. Only numbers of at most 15 significant digits
 * are read exactly as written; a longer one is a field-format issue that asks for a string.
 */

describe('amounts given as JSON numbers', () => {
  it('refuses one of more than 15 significant digits, naming the field and asking for a string', () => {
    const d = example('hangzhou-1210');
    const line = (d.inventory as Json).items[0] as Json;
    line.qty1 = JSON.parse('99999999999.99999'); // 16 significant digits; JSON.parse gives 99999999999.99998
    expect(String(line.qty1)).toBe('99999999999.99998');
    const r = parseDeclaration(d);
    const issue = r.issues.find((i) => i.path === 'inventory.items[0].qty1');
    expect(issue).toMatchObject({ code: 'field-format', severity: 'error' });
    expect(issue!.message.en).toBe(
      'inventory.items[0].qty1 must be a decimal string: a JSON number of more than 15 significant digits is not read exactly, got 99999999999.99998',
    );
    // As a string, the same amount is exact and valid.
    line.qty1 = '99999999999.99999';
    expect(parseDeclaration(d).issues.filter((i) => i.path === 'inventory.items[0].qty1')).toEqual([]);
  });

  it('reads 15 significant digits exactly, wherever the point is', () => {
    for (const [n, text] of [
      [123456789012.345, '123456789012.345'],
      [99999999999999, '99999999999999'],
      [0.12345, '0.12345'],
      [1200, '1200'],
      [0, '0'],
    ] as const) {
      expect(jsonNumberText(n)).toBe(text);
      expect(toDecimal(n)!.toFixed()).toBe(text);
    }
    // As JSON.parse reads them (a literal this long would lose precision in the source too).
    for (const t of ['1234567890123.12345', '99999999999999.99', '12345678901.23456'])
      expect([t, jsonNumberText(JSON.parse(t))]).toEqual([t, undefined]);
  });

  it('never changes a number it accepts: its decimal is the one its text written with 15 digits gives', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 99999999999999, noNaN: true }), (n) => {
        const text = jsonNumberText(n);
        if (text === undefined) return;
        // Written to 15 significant digits and read back, the number is the same: nothing was rounded away.
        expect(Number(n.toPrecision(15))).toBe(n);
        expect(toDecimal(n)!.toFixed()).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
