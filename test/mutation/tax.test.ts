import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/model/index.js';
import { fmtUnrounded } from '../../src/tax/formula.js';
import { allocate, convertToCny } from '../../src/tax/index.js';

// Cases written to kill mutants that survived `npm run mutate` (see docs/testing.md): each pins down an
// output the existing tests only looked at through a rounding `toFixed(2)` or did not reach.

describe('convertToCny returns the amount already at the fen', () => {
  it('10.05 at 0.5 = 5.025 → 5.03 exactly, not 5.025 shown as 5.03', () => {
    const cny = convertToCny('10.05', '0.5');
    expect(cny.toString()).toBe('5.03');
    expect(cny.decimalPlaces()).toBe(2);
  });
  it('12.5 JPY at 0.0478 = 0.5975 → 0.6 (two places at most)', () => {
    expect(convertToCny('12.5', '0.0478').toString()).toBe('0.6');
  });
});

describe('allocate over no lines', () => {
  it('spreads nothing into no shares: no remainder line (-1), a zero remainder, proportional basis', () => {
    for (const mode of ['last-line', 'largest-line'] as const) {
      const a = allocate(new Dec('0.00'), [], mode);
      expect(a.shares).toEqual([]);
      expect(a.remainderLine).toBe(-1);
      expect(a.remainder.toString()).toBe('0');
      expect(a.basis).toBe('proportional');
    }
  });

  it('refuses to spread an amount over no lines (its shares would not add up to it; it gave [] before)', () => {
    for (const mode of ['last-line', 'largest-line'] as const)
      expect(() => allocate(new Dec('10.00'), [], mode)).toThrow(
        expect.objectContaining({
          name: 'SandanError',
          code: 'INVALID_OPTION',
          message: 'Cannot spread 10 over no lines',
        }),
      );
  });
});

describe('fmtUnrounded (explanations show up to 10 places)', () => {
  it('keeps 10 places, cuts the 11th toward zero with an ellipsis', () => {
    expect(fmtUnrounded(new Dec('0.1234567891'))).toBe('0.1234567891');
    expect(fmtUnrounded(new Dec('0.12345678919'))).toBe('0.1234567891…');
    expect(fmtUnrounded(new Dec('-1.23456789012'))).toBe('-1.2345678901…');
  });
});
