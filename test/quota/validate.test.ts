import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import nationalJson from '../../rulesets/national.json';
import { loadPositiveList, loadRuleset, RULES, RulesetRegistry, validate } from '../../src/index.js';
import { annualLimit, MemoryQuotaStore, QuotaLedger, quotaSnapshot, validateWithQuota } from '../../src/quota/index.js';
import { example } from '../helpers/examples.js';
import { SECRET } from './contract.js';

// Until limits/annual is registered in src/rules/registry.ts and rulesets/national.json, the
// test builds a registry with it switched on, as the national ruleset will have it.
const rules = RULES.some((r) => r.id === annualLimit.id) ? RULES : [...RULES, annualLimit];
const national = structuredClone(nationalJson) as { rules: Record<string, unknown> };
national.rules['limits/annual'] ??= {
  severity: 'error',
  effectiveFrom: '2016-04-08',
  source: 'CGS-2016-18, CGS-2018-49',
};
const registry = new RulesetRegistry(rules, [loadRuleset(national, rules, 'national (test)')]);

const HZ_BUYER = '330106199003071519';
/** This rule's findings (other rules may warn about the example, e.g. about the positive list). */
const annual = <I extends { ruleId: string }>(r: { issues: I[] }): I[] =>
  r.issues.filter((i) => i.ruleId === 'limits/annual');

describe('limits/annual with the quota ledger', () => {
  it('reports 1313 with the remaining quota before customs would', async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER-1', HZ_BUYER, '25000', '2026-02-01');
    await ledger.commit('EARLIER-1');
    await ledger.reserve('EARLIER-2', HZ_BUYER, '500.00', '2026-10-01');
    // The Hangzhou example: dutiable value 548.00 on 2026-11-20; 25,500 used, 500 left.
    const r = await validateWithQuota(example('hangzhou-1210'), ledger, { registry });
    expect(r.valid).toBe(false);
    expect(r.quota?.remaining.toFixed()).toBe('500');
    const issue = r.issues.find((i) => i.code === '1313');
    expect(issue).toMatchObject({
      ruleId: 'limits/annual',
      severity: 'error',
      path: 'inventory.buyerIdNumber',
      expected: '≤ 26000.00',
      actual: '26048.00',
    });
    expect(issue?.message.en).toContain('has 500.00 CNY left');
    expect(issue?.message.zh).toContain('剩余 500.00 元');
    expect(annual(r)).toHaveLength(1);
  });

  it("does not count the order's own reservation twice, and passes within the limit", async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER-1', HZ_BUYER, '25452', '2026-02-01');
    await ledger.reserve('SD202611200001', HZ_BUYER, '548.00', '2026-11-20');
    const r = await validateWithQuota(example('hangzhou-1210'), ledger, { registry });
    expect(annual(r)).toEqual([]);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect([r.quota?.used.toFixed(), r.quota?.remaining.toFixed()]).toEqual(['25452', '548']);
    // Another year's use does not count.
    const next = await validateWithQuota(example('hangzhou-1210'), ledger, { registry, at: '2027-01-02' });
    expect(next.quota?.used.toFixed()).toBe('0');
  });

  it("leaves out the declaration's own platform's order, and counts another platform's order of the same orderNo", async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    const d = example('hangzhou-1210');
    expect(d.order.ebpCode).toBe('3301964J31');
    await ledger.reserve('EARLIER-1', HZ_BUYER, '25000', '2026-02-01');
    // This declaration's own reservation, and another platform's order under the same number.
    await ledger.reserve({ ebpCode: '3301964J31', orderNo: 'SD202611200001' }, HZ_BUYER, '548.00', '2026-11-20');
    await ledger.reserve({ ebpCode: '3301964J77', orderNo: 'SD202611200001' }, HZ_BUYER, '400.00', '2026-11-19');
    // 25,000 + 400 used without this order; + 548 = 25,948 ≤ 26,000.
    const r = await validateWithQuota(d, ledger, { registry });
    expect([r.quota?.used.toFixed(), r.quota?.remaining.toFixed()]).toEqual(['25400', '600']);
    expect(annual(r)).toEqual([]);
    // Declared by the other platform instead, it is the 400 that is left out: 25,548 + 548 = 26,096 > 26,000.
    const other = example('hangzhou-1210');
    other.order.ebpCode = other.inventory.ebpCode = '3301964J77';
    const o = await validateWithQuota(other, ledger, { registry });
    expect(o.quota?.used.toFixed()).toBe('25548');
    expect(annual(o).map((i) => [i.code, i.actual])).toEqual([['1313', '26096.00']]);
  });

  it('counts the amount paid when the policy says so', () => {
    const d = example('hangzhou-1210');
    const paid = structuredClone(national) as { policy: Record<string, unknown> } & typeof national;
    paid.policy.quotaBasis = [{ value: 'actualPaid', source: 'SANDAN-CONVENTION' }];
    const reg = new RulesetRegistry(rules, [loadRuleset(paid, rules, 'paid (test)')]);
    // 25,450 used: 548.00 fits, 597.87 paid does not.
    const snap = { quota: quotaSnapshot(HZ_BUYER, 2026, new Decimal('25450')) };
    expect(annual(validate(d, { registry, extras: snap }))).toEqual([]);
    const r = annual(validate(d, { registry: reg, extras: snap }));
    expect(r.map((i) => [i.code, i.actual])).toEqual([['1313', '26047.87']]);
    expect(r[0]?.message.en).toContain('amount paid of 597.87 CNY');
    // A snapshot answers for its own buyer only, whatever the case of the check character.
    expect(snap.quota.used(HZ_BUYER.toLowerCase(), 2026)?.toString()).toBe('25450');
    expect(snap.quota.used('11010519491231002X', 2026)).toBeUndefined();
  });

  it('stays silent without a snapshot, for an unknown buyer, or without a date', () => {
    const d = example('hangzhou-1210');
    expect(annual(validate(d, { registry }))).toEqual([]);
    expect(annual(validate(d, { registry, extras: { quota: { used: () => undefined } } }))).toEqual([]);
    expect(annual(validate(d, { registry, extras: { quota: 'nonsense' } }))).toEqual([]);
    const undated = example('hangzhou-1210');
    delete undated.inventory.declTime;
    delete undated.order.appTime;
    expect(annual(validate(undated, { registry, extras: { quota: { used: () => '26000' } } }))).toEqual([]);
    expect(annualLimit.codes['1313']?.en).toContain('annual limit');
  });

  it('gives a result, not a throw, for a day before the CBEC regime: no quota to look up, tax/regime says why', async () => {
    // The ledger has no annual limit on 2016-01-01; it used to throw QUOTA_INVALID ("No annual CBEC limit is in force").
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    const r = await validateWithQuota(example('hangzhou-1210'), ledger, { registry, at: '2016-01-01' });
    expect(r.valid).toBe(false);
    expect(r.quota).toBeUndefined();
    expect(r.issues.map((i) => [i.code, i.ruleId])).toContainEqual(['no-cbec-regime', 'tax/regime']);
  });
});

describe('positive-list annual caps with the quota ledger', () => {
  // An edition of its own: the bundled lists carry no sugar code. Sugar capped at 2 kg a person a year.
  const sugarCapped = loadPositiveList(
    {
      id: 'test-2022',
      edition: '2022',
      name: { zh: '测试清单', en: 'test list' },
      effectiveFrom: '2022-03-01',
      complete: false,
      sources: [{ id: 'T', issuer: 'test', title: 'test', section: 'test', kind: 'secondary' }],
      completeness: { statement: 'test', completeHeadings: [] },
      lines: [
        {
          hs8: '17019910',
          name: '白砂糖',
          remarks: [{ kind: 'annual-quantity', max: '2', unit: 'kg', text: '每人每年限2千克' }],
          source: 'T',
        },
        { hs8: '33049900', name: '化妆品', source: 'T' },
      ],
    },
    'sugar-capped test edition',
  );
  /** The Hangzhou example (order SD202611200001 of 2026-11-20) with line 1 as `kg` of sugar. */
  const sugarOrder = (kg: string) => {
    const d = example('hangzhou-1210');
    d.inventory.items[0].gcode = '1701991000';
    d.inventory.items[0].qty1 = kg;
    d.inventory.items[0].unit1 = '035';
    return d;
  };
  const capFindings = (r: { issues: Array<{ ruleId: string; code: string; severity: string; actual?: unknown }> }) =>
    r.issues.filter((i) => i.ruleId === 'goods/positive-list').map((i) => [i.code, i.severity, i.actual]);
  const sugar = (qty: string) => [{ hs8: '17019910', unit: '035', qty }];

  it('counts what the buyer reserved earlier in the year: 1.5 kg + 1 kg > 2 kg fails, 1.5 + 0.4 passes', async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER-S', HZ_BUYER, '30.00', '2026-03-01', { quantities: sugar('1.5') });
    // The order's own reservation (1 kg) must not count twice.
    await ledger.reserve('SD202611200001', HZ_BUYER, '548.00', '2026-11-20', { quantities: sugar('1') });
    const over = await validateWithQuota(sugarOrder('1'), ledger, { registry, positiveLists: [sugarCapped] });
    // 1.5 kg earlier + 1 kg now = 2.5 kg > 2 kg.
    expect(capFindings(over)).toEqual([['positive-list-quantity', 'error', '2.5 kg']]);
    expect(over.valid).toBe(false);
    // 1.5 kg + 0.4 kg = 1.9 kg ≤ 2 kg.
    const fine = await validateWithQuota(sugarOrder('0.4'), ledger, { registry, positiveLists: [sugarCapped] });
    expect(capFindings(fine)).toEqual([]);
    // Cancelling the earlier order gives its sugar back: 1 kg alone passes.
    await ledger.release('EARLIER-S');
    expect(
      capFindings(await validateWithQuota(sugarOrder('1'), ledger, { registry, positiveLists: [sugarCapped] })),
    ).toEqual([]);
  });

  it('asks to confirm the cap while an order of the year was reserved without quantities', async () => {
    const ledger = new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET });
    await ledger.reserve('EARLIER-S', HZ_BUYER, '30.00', '2026-03-01');
    const r = await validateWithQuota(sugarOrder('0.4'), ledger, { registry, positiveLists: [sugarCapped] });
    expect(capFindings(r)).toEqual([['positive-list-quantity-unconfirmed', 'warning', '0.4 kg']]);
    // Another year's orders do not matter: the 2027 order sees a clean year (0 kg bought).
    const next = await validateWithQuota(sugarOrder('0.4'), ledger, {
      registry,
      positiveLists: [sugarCapped],
      at: '2027-01-02',
    });
    expect(capFindings(next)).toEqual([]);
  });
});
