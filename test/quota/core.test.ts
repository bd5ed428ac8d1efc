import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beijingYear, buyerKeyOf, MemoryQuotaStore, parseInstant, QuotaLedger, toAmount } from '../../src/quota/index.js';
import { BUYER, SECRET } from './contract.js';

describe('quota core', () => {
  it('reads instants in Beijing time unless they carry a zone', () => {
    expect(parseInstant('2026-12-31').toISOString()).toBe('2026-12-30T16:00:00.000Z');
    expect(parseInstant('20261231235959').toISOString()).toBe('2026-12-31T15:59:59.000Z');
    expect(parseInstant('20261231235959999').toISOString()).toBe('2026-12-31T15:59:59.999Z');
    expect(parseInstant('2026-12-31T23:59:59').toISOString()).toBe('2026-12-31T15:59:59.000Z');
    expect(parseInstant('2026-12-31T16:00:00Z').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    for (const bad of ['2026-02-30', '20261301', 'yesterday', '2026-12-31T25:00:00+08:00']) expect(() => parseInstant(bad)).toThrow(/QUOTA|date|at/);
    expect(beijingYear(new Date('2026-12-31T15:59:59.999Z'))).toBe(2026);
    expect(beijingYear(new Date('2026-12-31T16:00:00.000Z'))).toBe(2027);
  });

  it('reads amounts exactly and refuses anything else', () => {
    expect(toAmount('0.1').plus(toAmount(0.2)).toFixed()).toBe('0.3');
    expect(toAmount(new Decimal('12.34500')).toFixed()).toBe('12.345');
    for (const bad of ['-1', '1e3', 'abc', '1.000001', Number.NaN, Infinity, null, '123456789012345']) expect(() => toAmount(bad)).toThrow();
  });

  it('keys buyers by HMAC-SHA256 of the normalised ID number', () => {
    const k = buyerKeyOf(SECRET, BUYER);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(buyerKeyOf(SECRET, ` ${BUYER.toLowerCase()} `)).toBe(k);
    expect(buyerKeyOf('another-secret-of-16+', BUYER)).not.toBe(k);
    expect(() => new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'short' })).toThrow(/16 bytes/);
  });

  it('never lets reservations pass the limit, whatever the sequence of operations (property)', async () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('reserve' as const), order: fc.integer({ min: 0, max: 12 }), fen: fc.integer({ min: 1, max: 1_200_000 }) }),
      fc.record({ t: fc.constantFrom('commit' as const, 'release' as const), order: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ t: fc.constant('refund' as const), order: fc.integer({ min: 0, max: 12 }), fen: fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: undefined }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const l = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
        // A model of what should count: order → [amount, refunded, status].
        const model = new Map<number, { amount: Decimal; refunded: Decimal; status: string }>();
        const used = () => [...model.values()].filter((m) => m.status !== 'released').reduce((s, m) => s.plus(m.amount.minus(m.refunded)), new Decimal(0));
        for (const o of ops) {
          const orderNo = `F-${o.order}`;
          const m = model.get(o.order);
          if (o.t === 'reserve') {
            const amount = new Decimal(o.fen).div(100);
            if (m && !m.amount.eq(amount)) continue; // reusing an orderNo for another amount is misuse
            const r = await l.reserve(orderNo, BUYER, amount, '2026-06-01');
            if (!m) {
              expect(r.ok).toBe(used().plus(amount).lte(26000));
              if (r.ok) model.set(o.order, { amount, refunded: new Decimal(0), status: 'reserved' });
            }
          } else if (o.t === 'commit') {
            const r = await l.commit(orderNo);
            expect(r.ok).toBe(m !== undefined && m.status !== 'released');
            if (r.ok && m) m.status = 'committed';
          } else if (o.t === 'release') {
            const r = await l.release(orderNo);
            expect(r.ok).toBe(m !== undefined);
            if (m) m.status = 'released';
          } else if (o.t === 'refund') {
            const give = o.fen === undefined ? undefined : new Decimal(o.fen).div(100);
            const r = await l.refund(orderNo, give);
            const fits = m !== undefined && m.status === 'committed' && (give === undefined || give.lte(m.amount.minus(m.refunded)));
            expect(r.ok).toBe(fits);
            if (r.ok && m) m.refunded = give === undefined ? m.amount : m.refunded.plus(give);
          }
          const b = await l.remaining(BUYER, 2026);
          expect(b.used.toFixed()).toBe(used().toFixed());
          expect(b.used.lte(26000)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
