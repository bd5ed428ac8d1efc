import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { returnQuotaShare } from '../../src/quota/index.js';

/** The example order's inventory (examples/hangzhou-1210.json): 2 cans at 199.00, 1 cream at 150.00. */
const EXAMPLE = [
  { gnum: 1, qty: '2', totalPrice: '398.00' },
  { gnum: 2, qty: '1', totalPrice: '150.00' },
];

/** What a call throws, as `CODE: message`. */
const code = (f: () => unknown) => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return isSandanError(e) ? `${e.code}: ${e.message}` : String(e);
  }
};

const show = (r: { amount: Decimal; whole: boolean }) => ({ amount: r.amount.toFixed(2), whole: r.whole });

describe('returnQuotaShare: what a partial return gives back to the annual quota', () => {
  it('one can of two: 398.00 × 1/2 = 199.00 of 548.00 goods; 548.00 × 199.00 / 548.00 = 199.00', () => {
    const r = returnQuotaShare({ counted: '548.00', inventory: EXAMPLE, returned: [{ gnum: 1, qty: 1 }] });
    expect(show(r)).toEqual({ amount: '199.00', whole: false });
  });

  it('the share of what the order counted, not of the goods: 600.00 counted (freight 52.00) × 199 / 548 = 217.883… → 217.88', () => {
    const r = returnQuotaShare({ counted: '600.00', inventory: EXAMPLE, returned: [{ gnum: 1, qty: '1' }] });
    expect(show(r)).toEqual({ amount: '217.88', whole: false });
  });

  it('rounded once, half up: 5.97 × 1/2 = 2.985 → 2.99; the second half gives the 2.98 left, 5.97 in all', () => {
    const inventory = [{ gnum: 1, qty: 2, totalPrice: '2.00' }];
    const first = returnQuotaShare({ counted: '5.97', inventory, returned: [{ gnum: 1, qty: 1 }] });
    expect(show(first)).toEqual({ amount: '2.99', whole: false });
    const second = returnQuotaShare({
      counted: '5.97',
      refunded: first.amount,
      inventory,
      returned: [
        { gnum: 1, qty: 1 },
        { gnum: 1, qty: 1 },
      ],
    });
    expect(show(second)).toEqual({ amount: '2.98', whole: true });
  });

  it('thirds: 33.33, then 66.67 − 33.33 = 33.34, then 100.00 − 66.67 = 33.33: 100.00 in all', () => {
    const inventory = [{ gnum: 1, qty: 3, totalPrice: '100.00' }];
    const given: string[] = [];
    let refunded = new Decimal(0);
    for (let n = 1; n <= 3; n++) {
      const r = returnQuotaShare({
        counted: '100.00',
        refunded,
        inventory,
        returned: Array.from({ length: n }, () => ({ gnum: 1, qty: 1 })),
      });
      given.push(r.amount.toFixed(2));
      refunded = refunded.plus(r.amount);
    }
    expect(given).toEqual(['33.33', '33.34', '33.33']);
  });

  it('property: however a line is returned in parts, the parts give back exactly what the order counted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000_00 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 1000_00 }),
        (countedFen, parts, otherFen) => {
          const qty = parts.reduce((a, b) => a + b, 0);
          const counted = new Decimal(countedFen).div(100);
          const inventory = [
            { gnum: 1, qty, totalPrice: new Decimal(countedFen).div(100) },
            { gnum: 2, qty: 1, totalPrice: new Decimal(otherFen).div(100) },
          ];
          let refunded = new Decimal(0);
          const returned: Array<{ gnum: number; qty: number }> = [{ gnum: 2, qty: 1 }];
          for (const p of [...parts]) {
            returned.push({ gnum: 1, qty: p });
            const r = returnQuotaShare({ counted, refunded, inventory, returned });
            expect(r.amount.gte(0)).toBe(true);
            expect(r.amount.decimalPlaces()).toBeLessThanOrEqual(2);
            refunded = refunded.plus(r.amount);
          }
          expect(refunded.toFixed(2)).toBe(counted.toFixed(2));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('nothing more when the earlier returns gave it already; all of a zero-value inventory', () => {
    const r = returnQuotaShare({
      counted: '548.00',
      refunded: '548.00',
      inventory: EXAMPLE,
      returned: [{ gnum: 2, qty: 1 }],
    });
    expect(show(r)).toEqual({ amount: '0.00', whole: false });
    const free = returnQuotaShare({
      counted: '10.00',
      inventory: [{ gnum: 1, qty: 1, totalPrice: 0 }],
      returned: [{ gnum: 1, qty: 1 }],
    });
    expect(show(free)).toEqual({ amount: '10.00', whole: true });
  });

  it('a line the inventory has not, or a bad amount, is QUOTA_INVALID', () => {
    expect(
      code(() => returnQuotaShare({ counted: '548.00', inventory: EXAMPLE, returned: [{ gnum: 3, qty: 1 }] })),
    ).toMatch(/^QUOTA_INVALID: returnQuotaShare: returned\[0\]\.gnum 3 is no line of the inventory \(1, 2\)/);
    expect(code(() => returnQuotaShare({ counted: '-1', inventory: EXAMPLE, returned: [] }))).toMatch(
      /^QUOTA_INVALID: counted/,
    );
    expect(code(() => returnQuotaShare(null as never))).toMatch(/^QUOTA_INVALID/);
  });

  it('a line back more often than declared, or a gnum twice in the inventory, is QUOTA_INVALID, not a whole refund', () => {
    // line 1 listed thrice (1 + 1 + 1 of 2 cans): 597.00 of 548.00 goods read as the whole order, line 2 never returned
    const thrice = [1, 1, 1].map((qty) => ({ gnum: 1, qty }));
    expect(code(() => returnQuotaShare({ counted: '548.00', inventory: EXAMPLE, returned: thrice }))).toBe(
      'QUOTA_INVALID: returnQuotaShare: returned[2]: line 1 comes back 3 in all, more than its declared 2',
    );
    // two returns of one can each are both cans: 398.00 of 548.00
    const twice = [1, 1].map((qty) => ({ gnum: 1, qty }));
    expect(show(returnQuotaShare({ counted: '548.00', inventory: EXAMPLE, returned: twice }))).toEqual({
      amount: '398.00',
      whole: false,
    });
    const doubled = [...EXAMPLE, { gnum: 1, qty: '1', totalPrice: '10.00' }];
    expect(code(() => returnQuotaShare({ counted: '548.00', inventory: doubled, returned: [] }))).toBe(
      'QUOTA_INVALID: returnQuotaShare: inventory[2].gnum 1 is given twice',
    );
  });
});
