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

describe('return applications recorded in the ledger: an approved CEB626 gives back their share by itself', () => {
  it('the shares of disjoint partial returns, approved in any order, never add up to more than the order counted (all of it when every line came back)', async () => {
    const { MemoryQuotaStore, QuotaLedger, applyReceipts } = await import('../../src/quota/index.js');
    const BUYER = '11010519491231002X';
    // An inventory of 1–4 lines (whole quantities 1–4, line totals 0.01–999.99), what the order counted (its goods
    // and freight), and for each piece of each line the return it goes back in (0–3) or none (-1).
    const arb = fc
      .array(fc.record({ qty: fc.integer({ min: 1, max: 4 }), fen: fc.integer({ min: 1, max: 99_999 }) }), {
        minLength: 1,
        maxLength: 4,
      })
      .chain((lines) =>
        fc.record({
          lines: fc.constant(lines),
          freightFen: fc.integer({ min: 0, max: 5_000 }),
          pieces: fc.array(fc.integer({ min: -1, max: 3 }), {
            minLength: lines.reduce((n, l) => n + l.qty, 0),
            maxLength: lines.reduce((n, l) => n + l.qty, 0),
          }),
          order: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(arb, async ({ lines, freightFen, pieces, order }) => {
        const inventory = lines.map((l, i) => ({
          gnum: i + 1,
          qty: String(l.qty),
          totalPrice: (l.fen / 100).toFixed(2),
        }));
        const goods = lines.reduce((n, l) => n + l.fen, 0);
        const counted = ((goods + freightFen) / 100).toFixed(2);
        // Return r takes back, of each line, the pieces marked r (an application per return that has any).
        const returns = new Map<number, Map<number, number>>();
        let piece = 0;
        for (const [i, l] of lines.entries())
          for (let p = 0; p < l.qty; p++, piece++) {
            const r = pieces[piece]!;
            if (r < 0) continue;
            const of = returns.get(r) ?? new Map<number, number>();
            of.set(i + 1, (of.get(i + 1) ?? 0) + 1);
            returns.set(r, of);
          }
        const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'property-secret-0123456789' });
        const key = { ebpCode: 'E', orderNo: 'P-1' };
        await ledger.reserve(key, BUYER, counted, '2026-05-01');
        await ledger.commit(key, { now: '2026-05-02' });
        for (const [r, of] of returns)
          await ledger.recordReturn(key, {
            copNo: `RET-${r}`,
            items: [...of].map(([gnum, qty]) => ({ gnum, qty: String(qty) })),
            inventory,
          });
        const outcomes = await applyReceipts(
          ledger,
          order
            .filter((r) => returns.has(r))
            .map((r) => ({ kind: 'CEB626' as const, ebpCode: 'E', copNo: `RET-${r}`, returnStatus: '399' })),
        );
        expect(
          outcomes.every((o) => o.status === 'applied' && o.result?.ok && o.result.refundBasis === 'application'),
        ).toBe(true);
        const given = (await ledger.history(BUYER, 2026))
          .filter((e) => e.type === 'refund')
          .reduce((sum, e) => sum.plus(e.amount), new Decimal(0));
        expect(given.lte(counted)).toBe(true);
        if (pieces.every((r) => r >= 0)) expect(given.toFixed(2)).toBe(counted);
        // Each share is the running total, rounded once, less what the earlier ones gave: within a fen of its goods'
        // part of what the order counted.
        expect(
          given
            .minus(new Decimal(counted).times(returnedValue(inventory, returns)).div(new Decimal(goods).div(100)))
            .abs()
            .lte('0.01'),
        ).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

/** The goods value (Σ totalPrice × qty back / qty declared) of every return. */
function returnedValue(
  inventory: readonly { gnum: number; qty: string; totalPrice: string }[],
  returns: Map<number, Map<number, number>>,
): Decimal {
  let v = new Decimal(0);
  for (const of of returns.values())
    for (const [gnum, qty] of of) {
      const l = inventory[gnum - 1]!;
      v = v.plus(new Decimal(l.totalPrice).times(qty).div(l.qty));
    }
  return v;
}
