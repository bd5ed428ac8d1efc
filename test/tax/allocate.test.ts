import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate } from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';

const d = (s: string) => new Dec(s);
const strings = (xs: readonly { toFixed(n: number): string }[]) => xs.map((x) => x.toFixed(2));

describe('allocate', () => {
  it('10.00 over 100/200/33: 3.00, 6.00 and the remainder 1.00 on the last line', () => {
    const a = allocate(d('10.00'), [d('100'), d('200'), d('33')], 'last-line');
    expect(strings(a.shares)).toEqual(['3.00', '6.00', '1.00']);
    expect(a.remainderLine).toBe(2);
    expect(a.remainder.toFixed(2)).toBe('0.01');
  });

  it('largest-line: the first line with the greatest weight takes the remainder', () => {
    const a = allocate(d('10.00'), [d('200'), d('100'), d('200')], 'largest-line');
    // 10×100/500 = 2.00, 10×200/500 = 4.00 → line 0 gets 10 − 6.00 = 4.00
    expect(strings(a.shares)).toEqual(['4.00', '2.00', '4.00']);
    expect(a.remainderLine).toBe(0);
  });

  it('a last line priced 0 (a gift) takes the remainder under last-line, at most 0.01 for each other line; largest-line gives it to the first dearest line', () => {
    const weights = [d('100.00'), d('100.00'), d('100.00'), d('0.00')];
    // 10 × 100 / 300 = 3.3333… → 3.33 for each priced line; the gift gets 10 − 3 × 3.33 = 0.01
    expect(strings(allocate(d('10.00'), weights, 'last-line').shares)).toEqual(['3.33', '3.33', '3.33', '0.01']);
    // largest-line: line 0 gets 10 − (3.33 + 3.33 + 0.00) = 3.34, the gift 0 × 10 / 300 = 0.00
    expect(strings(allocate(d('10.00'), weights, 'largest-line').shares)).toEqual(['3.34', '3.33', '3.33', '0.00']);
  });

  it('tiny totals never produce negative shares: 0.03 over five equal lines', () => {
    const a = allocate(
      d('0.03'),
      [1, 2, 3, 4, 5].map(() => d('1')),
      'last-line',
    );
    expect(strings(a.shares)).toEqual(['0.00', '0.00', '0.00', '0.00', '0.03']);
  });

  it('all weights 0: equal split', () => {
    const a = allocate(d('1.00'), [d('0'), d('0'), d('0')], 'last-line');
    expect(a.basis).toBe('equal');
    expect(strings(a.shares)).toEqual(['0.33', '0.33', '0.34']);
  });

  it('a total with 5 places is allocated at 5 places', () => {
    const a = allocate(d('1.00001'), [d('1'), d('1')], 'last-line');
    expect(a.shares.map((s) => s.toFixed())).toEqual(['0.5', '0.50001']);
  });

  it('property: shares add up exactly and are never negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 100_000_000 }), { minLength: 1, maxLength: 99 }),
        fc.constantFrom('last-line' as const, 'largest-line' as const),
        (totalFen, weightsFen, mode) => {
          const total = new Dec(totalFen).div(100);
          const a = allocate(
            total,
            weightsFen.map((w) => new Dec(w).div(100)),
            mode,
          );
          const sum = a.shares.reduce((s, x) => s.plus(x), new Dec(0));
          expect(sum.eq(total)).toBe(true);
          for (const s of a.shares) expect(s.isNegative()).toBe(false);
          expect(a.shares).toHaveLength(weightsFen.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
