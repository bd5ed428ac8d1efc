import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beijingYear,
  buyerKeyOf,
  checkYear,
  parseInstant,
  policyDateForYear,
  releaseTimeOf,
  toAmount,
} from '../../src/quota/core.js';
import {
  checkReturnWindow,
  defaultQuotaPolicy,
  MemoryQuotaStore,
  QuotaLedger,
  returnDeadlines,
} from '../../src/quota/index.js';
import { BUYER, SECRET } from './contract.js';

describe('quota core', () => {
  it('reads instants in Beijing time unless they carry a zone', () => {
    expect(parseInstant('2026-12-31').toISOString()).toBe('2026-12-30T16:00:00.000Z');
    expect(parseInstant('20261231235959').toISOString()).toBe('2026-12-31T15:59:59.000Z');
    expect(parseInstant('20261231235959999').toISOString()).toBe('2026-12-31T15:59:59.999Z');
    expect(parseInstant('2026-12-31T23:59:59').toISOString()).toBe('2026-12-31T15:59:59.000Z');
    expect(parseInstant('2026-12-31T16:00:00Z').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    for (const bad of ['2026-02-30', '20261301', 'yesterday', '2026-12-31T25:00:00+08:00'])
      expect(() => parseInstant(bad)).toThrow(/QUOTA|date|at/);
    expect(beijingYear(new Date('2026-12-31T15:59:59.999Z'))).toBe(2026);
    expect(beijingYear(new Date('2026-12-31T16:00:00.000Z'))).toBe(2027);
  });

  it('lists the quantities bought by tariff line, then by unit (a line in kg and in pieces are two)', async () => {
    const l = new QuotaLedger({
      store: new MemoryQuotaStore(),
      secret: SECRET,
      clock: () => new Date('2026-06-01T00:00:00Z'),
    });
    // Rice 10063020 in kg (035) sorts before sugar 17019910 in pieces (011): by line first, though '035' > '011'.
    await l.reserve('Q-1', BUYER, '10', '2026-05-01', {
      quantities: [
        { hs8: '17019910', unit: '035', qty: '1' },
        { hs8: '17019910', unit: '011', qty: '2' },
        { hs8: '10063020', unit: '035', qty: '3' },
      ],
    });
    const use = await l.usedQuantities(BUYER, 2026);
    expect(use.lines.map((q) => [q.hs8, q.unit, q.qty.toFixed()])).toEqual([
      ['10063020', '035', '3'],
      ['17019910', '011', '2'],
      ['17019910', '035', '1'],
    ]);
  });

  it('reads amounts exactly and refuses anything else', () => {
    expect(toAmount('0.1').plus(toAmount(0.2)).toFixed()).toBe('0.3');
    expect(toAmount(new Decimal('12.34500')).toFixed()).toBe('12.345');
    for (const bad of ['-1', '1e3', 'abc', '1.000001', Number.NaN, Infinity, null, '123456789012345'])
      expect(() => toAmount(bad)).toThrow();
  });

  it('keys buyers by HMAC-SHA256 of the normalised ID number', () => {
    const k = buyerKeyOf(SECRET, BUYER);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(buyerKeyOf(SECRET, ` ${BUYER.toLowerCase()} `)).toBe(k);
    expect(buyerKeyOf('another-secret-of-16+', BUYER)).not.toBe(k);
    expect(() => new QuotaLedger({ store: new MemoryQuotaStore(), secret: 'short' })).toThrow(/16 bytes/);
    // None given (from JavaScript) is said so, not "at least 16 bytes" as if one were too short.
    const none = { store: new MemoryQuotaStore(), secret: undefined } as unknown as ConstructorParameters<
      typeof QuotaLedger
    >[0];
    expect(() => new QuotaLedger(none)).toThrow(
      expect.objectContaining({ code: 'QUOTA_INVALID', details: { secret: true } }),
    );
    expect(() => new QuotaLedger(none)).toThrow('The quota ledger needs a secret (options.secret: text or bytes');
    expect(() => new QuotaLedger(none)).toThrow(/, got undefined; set SANDAN_QUOTA_SECRET for the CLI$/);
  });

  it('computes return deadlines on the Beijing calendar', () => {
    const w = { applyDays: 30, arriveDays: 45, dayCount: 'from-next-day' } as const;
    const iso = (d: { applyBy: Date; arriveBy: Date }) => [d.applyBy.toISOString(), d.arriveBy.toISOString()];
    // Released 2026-01-31 10:00 Beijing. Day 1 is 2026-02-01; February 2026 has 28 days, so day 28 is 02-28,
    // day 30 is 03-02 and day 45 is 03-17. Deadlines end at 23:59:59.999 Beijing = 15:59:59.999Z.
    expect(iso(returnDeadlines(parseInstant('2026-01-31T10:00:00+08:00'), w))).toEqual([
      '2026-03-02T15:59:59.999Z',
      '2026-03-17T15:59:59.999Z',
    ]);
    // The release day counted as day 1: one day earlier.
    expect(
      iso(returnDeadlines(parseInstant('2026-01-31T10:00:00+08:00'), { ...w, dayCount: 'from-release-day' })),
    ).toEqual(['2026-03-01T15:59:59.999Z', '2026-03-16T15:59:59.999Z']);
    // The day is Beijing's: 2026-01-31T16:30Z is 2026-02-01 00:30 in Beijing, so every deadline moves a day.
    expect(iso(returnDeadlines(new Date('2026-01-31T15:30:00Z'), w))).toEqual([
      '2026-03-02T15:59:59.999Z',
      '2026-03-17T15:59:59.999Z',
    ]);
    expect(iso(returnDeadlines(new Date('2026-01-31T16:30:00Z'), w))).toEqual([
      '2026-03-03T15:59:59.999Z',
      '2026-03-18T15:59:59.999Z',
    ]);
    // A leap February (2028 has 29 days): 2028-01-31 + 30 days = 2028-03-01.
    expect(iso(returnDeadlines(parseInstant('2028-01-31'), w))[0]).toBe('2028-03-01T15:59:59.999Z');
    // Computed once per Beijing day and window: each answer's Dates are its own (changing one changes no other).
    const first = returnDeadlines(parseInstant('2026-01-31T08:00:00+08:00'), w);
    first.applyBy.setTime(0);
    expect(iso(returnDeadlines(parseInstant('2026-01-31T23:00:00+08:00'), w))).toEqual([
      '2026-03-02T15:59:59.999Z',
      '2026-03-17T15:59:59.999Z',
    ]);
    // Exactly 30 × 24 h after the release is in; the next Beijing midnight is out.
    const released = parseInstant('2026-01-31T10:00:00+08:00');
    expect(checkReturnWindow(released, w, parseInstant('2026-03-02T10:00:00+08:00')).within).toBe(true);
    expect(checkReturnWindow(released, w, parseInstant('2026-03-03T00:00:00+08:00')).within).toBe(false);
    expect(
      checkReturnWindow(released, w, parseInstant('2026-03-01'), parseInstant('2026-03-17T23:59:59.999+08:00')).within,
    ).toBe(true);
    expect(checkReturnWindow(released, w, parseInstant('2026-03-01'), parseInstant('2026-03-18')).within).toBe(false);
  });

  // 海关总署公告2020年第45号 三 (our rendering, as recorded in rulesets/national.json): the return is applied for within
  // 30 days of the inventory's release, and the goods are back in the original supervised site, special customs
  // supervision zone or Type-B bonded logistics centre within 45 days; 五: it overrides 2018年第194号 where they differ.
  it('takes the return window in force on the release date from the national ruleset', () => {
    const policy = defaultQuotaPolicy();
    // 194号 (2019-01-01): back within 30 days; 45号 (from 2020-03-28): apply within 30, back within 45.
    expect(policy('2019-06-01').returnWindow).toEqual({ applyDays: 30, arriveDays: 30, dayCount: 'from-next-day' });
    expect(policy('2020-03-27').returnWindow?.arriveDays).toBe(30);
    expect(policy('2020-03-28').returnWindow).toEqual({ applyDays: 30, arriveDays: 45, dayCount: 'from-next-day' });
  });

  it('puts every deadline at the end of a Beijing day, between 30 and 31 days after the release (property)', () => {
    const DAY = 86_400_000;
    const w = { applyDays: 30, arriveDays: 45, dayCount: 'from-next-day' } as const;
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2040, 0, 1) }), (t) => {
        const d = returnDeadlines(new Date(t), w);
        // The last millisecond of a Beijing day: one millisecond later is Beijing midnight (16:00Z).
        expect(new Date(d.applyBy.getTime() + 1).toISOString().slice(11)).toBe('16:00:00.000Z');
        expect(d.applyBy.getTime() - t).toBeGreaterThanOrEqual(30 * DAY);
        expect(d.applyBy.getTime() - t).toBeLessThan(31 * DAY);
        expect(d.arriveBy.getTime() - d.applyBy.getTime()).toBe(15 * DAY);
      }),
      { numRuns: 500 },
    );
  });

  it('never lets reservations pass the limit, whatever the sequence of operations (property)', async () => {
    const op = fc.oneof(
      fc.record({
        t: fc.constant('reserve' as const),
        order: fc.integer({ min: 0, max: 12 }),
        fen: fc.integer({ min: 1, max: 1_200_000 }),
      }),
      fc.record({ t: fc.constant('commit' as const), order: fc.integer({ min: 0, max: 12 }) }),
      // approved: the release is customs' approval of a cancel (CEB624 399), which may come after release.
      fc.record({ t: fc.constant('release' as const), order: fc.integer({ min: 0, max: 12 }), approved: fc.boolean() }),
      fc.record({
        t: fc.constant('refund' as const),
        order: fc.integer({ min: 0, max: 12 }),
        fen: fc.option(fc.integer({ min: 1, max: 600_000 }), { nil: undefined }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const l = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
        // A model of what should count: order → [amount, refunded, status].
        const model = new Map<number, { amount: Decimal; refunded: Decimal; status: string }>();
        const used = () =>
          [...model.values()]
            .filter((m) => m.status !== 'released')
            .reduce((s, m) => s.plus(m.amount.minus(m.refunded)), new Decimal(0));
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
            const r = await l.release(orderNo, o.approved ? { ifCommitted: 'release' } : {});
            // A committed order is released only on customs' approval; else it keeps counting.
            const releases = m !== undefined && (m.status !== 'committed' || o.approved);
            expect(r).toMatchObject(
              m === undefined
                ? { ok: false, reason: 'unknown-order' }
                : releases
                  ? { ok: true }
                  : { ok: false, reason: 'committed' },
            );
            if (m && releases) m.status = 'released';
          } else if (o.t === 'refund') {
            const give = o.fen === undefined ? undefined : new Decimal(o.fen).div(100);
            const r = await l.refund(orderNo, give);
            const fits =
              m !== undefined &&
              m.status === 'committed' &&
              (give === undefined || give.lte(m.amount.minus(m.refunded)));
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

describe('order numbers', () => {
  it('refuses white space at either end: "O-1 " was a second order beside "O-1", counted twice', async () => {
    const l = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    expect((await l.reserve('O-1', BUYER, '10000', '2026-06-01')).ok).toBe(true);
    for (const padded of ['O-1 ', ' O-1', 'O-1\t', '\u3000O-1'])
      await expect(l.reserve(padded, BUYER, '10000', '2026-06-01'), JSON.stringify(padded)).rejects.toMatchObject({
        code: 'QUOTA_INVALID',
        message: expect.stringContaining('without white space at either end'),
      });
    await expect(l.reserve({ ebpCode: '3301964J31', orderNo: 'O-1 ' }, BUYER, '1', '2026-06-01')).rejects.toMatchObject(
      {
        code: 'QUOTA_INVALID',
      },
    );
    expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('10000');
  });
});

describe('checkYear, policyDateForYear, releaseTimeOf', () => {
  it('a year is a whole number from 1000 to 9998; anything else is QUOTA_INVALID', () => {
    for (const ok of [1000, 2026, 9998]) expect(checkYear(ok)).toBe(ok);
    for (const bad of [999, 9999, 2026.5, '2026', Number.NaN, undefined])
      expect(() => checkYear(bad), String(bad)).toThrow(expect.objectContaining({ code: 'QUOTA_INVALID' }));
  });

  it('a year other than the current one takes the policy of its end nearest to now', () => {
    const at = new Date('2026-06-01T04:00:00Z'); // 2026-06-01 12:00 Beijing
    expect(policyDateForYear(2026, at)).toBe('2026-06-01');
    expect(policyDateForYear(2025, at)).toBe('2025-12-31'); // a past year: as it ended
    expect(policyDateForYear(2027, at)).toBe('2027-01-01'); // a coming year: as it begins
    // the year is Beijing's: 2025-12-31 20:00 UTC is already 2026-01-01 in Beijing
    expect(policyDateForYear(2026, new Date('2025-12-31T20:00:00Z'))).toBe('2026-01-01');
  });

  it('the release is the commit keyed released (800), not the 399 before it nor the 899 after it', () => {
    const entry = {
      ebpCode: '',
      orderNo: 'O1',
      buyerKey: 'k',
      year: 2026,
      amount: new Decimal(100),
      refunded: new Decimal(0),
      status: 'committed',
      orderAt: new Date('2026-11-01T00:00:00Z'),
      updatedAt: new Date('2026-11-09T00:00:00Z'),
    } as const;
    const commit = (key: string, at: string) => ({
      ebpCode: '',
      orderNo: 'O1',
      buyerKey: 'k',
      year: 2026,
      type: 'commit' as const,
      amount: new Decimal(100),
      at: new Date(at),
      key,
    });
    const concluded = commit('concluded', '2026-11-02T00:00:00Z');
    const released = commit('released', '2026-11-03T00:00:00Z');
    const closed = commit('closed', '2026-11-04T00:00:00Z');
    expect(releaseTimeOf(entry, [concluded, released, closed])).toEqual(released.at);
    // without an 800: the last commit; without any commit: the entry's last update
    expect(releaseTimeOf(entry, [concluded, closed])).toEqual(closed.at);
    expect(releaseTimeOf(entry, [])).toEqual(entry.updatedAt);
  });
});
