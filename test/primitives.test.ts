import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from 'decimal.js';
import {
  compareCodeUnits,
  isAmountText,
  isDecimalText,
  isRecord,
  N19_5_TEXT,
  nonBlankText,
  trimmedText,
} from '../src/model/guards.js';
import { amount, toDecimal } from '../src/model/primitives.js';
import { checkExtensionValue, type ExtensionField } from '../src/xml/extensions.js';

describe('compareCodeUnits', () => {
  it('orders by UTF-16 code units, equal strings 0, as a sort comparator must', () => {
    expect(compareCodeUnits('a', 'a')).toBe(0);
    expect(compareCodeUnits('', '')).toBe(0);
    // 'Z' (0x5A) before 'a' (0x61), and a prefix first, in every locale
    expect([compareCodeUnits('Z', 'a'), compareCodeUnits('a', 'Z'), compareCodeUnits('ab', 'a')]).toEqual([-1, 1, 1]);
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(compareCodeUnits(a, b)).toBe(-compareCodeUnits(b, a) || 0);
        expect(compareCodeUnits(a, b) === 0).toBe(a === b);
      }),
    );
  });
});

describe('isRecord', () => {
  it('is true for objects only: not null, arrays or other values', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    for (const v of [null, undefined, [], [1], 'x', 1, true, Symbol('s')]) expect(isRecord(v), String(v)).toBe(false);
  });
});

describe('amount texts', () => {
  it('N19,5: at most 14 integer and 5 fraction digits (hand-made edges)', () => {
    for (const ok of ['0', '12.5', '99999999999999', '99999999999999.99999', '0.00001', '007'])
      expect(isAmountText(ok), ok).toBe(true);
    for (const bad of ['', '-1', '-0', '+1', ' 1', '1 ', '.5', '5.', '1e2', '100000000000000', '0.000001', '1,5'])
      expect(isAmountText(bad), bad).toBe(false);
    expect(N19_5_TEXT.test('-1.5')).toBe(true);
  });

  it('the amount schema takes what toDecimal reads as not negative: isAmountText (the usual spelling), and any other xs:decimal spelling of an N19,5 value', () => {
    const text = fc.stringMatching(/^ ?[-+]?\d{0,16}(\.\d{0,7})?0{0,3} ?$/);
    fc.assert(
      fc.property(text, (s) => {
        const d = toDecimal(s);
        expect(amount().safeParse(s).success).toBe(d !== undefined && !d.isNegative());
        // The usual spelling is read by pattern alone, and only ever when the value is N19,5.
        if (isAmountText(s)) expect(d?.isNegative()).toBe(false);
        // Another spelling is read by its value: at most 14 integer digits and 5 decimals once zeros are dropped.
        if (d !== undefined) {
          expect(isDecimalText(s.trim())).toBe(true);
          expect(d.decimalPlaces()).toBeLessThanOrEqual(5);
          expect(d.abs().lt('1e14')).toBe(true);
        } else if (isDecimalText(s.trim())) {
          const v = new Decimal(s.trim());
          expect(v.decimalPlaces() > 5 || !v.abs().lt('1e14')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('extension amount fields take the same texts', () => {
    const f: ExtensionField = { element: 'OrderHead', name: 'x', kind: 'd' };
    for (const [s, ok] of [
      ['12.34567', true],
      ['12.345678', false],
      ['-1', false],
      ['1e2', false],
    ] as const)
      expect(checkExtensionValue(f, s) === undefined, s).toBe(ok);
  });

  it('extension code fields name the length they need, one character in the singular', () => {
    const f = (length: number, maxLength?: number): ExtensionField => ({
      element: 'OrderHead',
      name: 'x',
      kind: 's',
      length,
      ...(maxLength !== undefined && { maxLength }),
    });
    expect(checkExtensionValue(f(1), 'ab')).toEqual({ code: 'field-length', expected: 'exactly 1 character' });
    expect(checkExtensionValue(f(3), 'ab')).toEqual({ code: 'field-length', expected: 'exactly 3 characters' });
    expect(checkExtensionValue({ element: 'OrderHead', name: 'x', kind: 's', maxLength: 1 }, 'ab')).toEqual({
      code: 'field-too-long',
      expected: 'at most 1 character',
    });
  });

  it('isDecimalText is wider: signs, a lone point, any length; no exponent or blank', () => {
    for (const ok of ['0', '-1.5', '+2', '5.', '.5', '123456789012345678901234567890.123456789'])
      expect(isDecimalText(ok), ok).toBe(true);
    for (const bad of ['', '.', '-', '1e2', ' 1', '1 ', '1.2.3', '0x10', 'NaN', 'Infinity'])
      expect(isDecimalText(bad), bad).toBe(false);
  });
});

describe('text fields', () => {
  it('trimmedText: a string without surrounding white space; blank and non-strings are absent', () => {
    expect(trimmedText('A1')).toBe('A1');
    expect(trimmedText(' A1\t\n')).toBe('A1');
    expect(trimmedText('A 1')).toBe('A 1'); // inner white space is part of the text
    for (const v of ['', ' ', '\t\n', '\u3000']) expect(trimmedText(v), JSON.stringify(v)).toBeUndefined();
    // A JSON number is no text field: 290020260000000001 has lost its last digit before it is read.
    const parsed = JSON.parse('{"invtNo":290020260000000001}').invtNo;
    expect(String(parsed)).toBe('290020260000000000');
    for (const v of [parsed, 800, 0, new Decimal('12.5'), null, undefined, {}, ['A1'], true])
      expect(trimmedText(v), String(v)).toBeUndefined();
  });

  it('nonBlankText: the string as written unless blank; non-strings are absent', () => {
    expect(nonBlankText('A1')).toBe('A1');
    expect(nonBlankText(' A1 ')).toBe(' A1 ');
    for (const v of ['', ' ', '\t', '\u3000']) expect(nonBlankText(v), JSON.stringify(v)).toBeUndefined();
    for (const v of [800, new Decimal('1'), null, undefined, {}, true])
      expect(nonBlankText(v), String(v)).toBeUndefined();
  });

  it('the two agree on which values are present, and trimmedText is nonBlankText trimmed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(' ', '\u00a0', '\n', '\u3000', ' x ')), (s) => {
        expect(trimmedText(s)).toBe(nonBlankText(s)?.trim());
      }),
      { numRuns: 500 },
    );
  });
});
