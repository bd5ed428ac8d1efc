import { describe, expect, it } from 'vitest';
import { defaultRegistry, parseRateTable, validate } from '../../src/index.js';
import { example, exampleRates } from '../helpers/examples.js';

const rates = parseRateTable(exampleRates());

/** The Hangzhou example declared at Haikou (6400) on a given Beijing date. */
function haikou(date: string) {
  const d = example('hangzhou-1210');
  d.inventory.customsCode = '6400';
  d.inventory.portCode = '6400';
  d.inventory.declTime = date.replaceAll('-', '');
  return d;
}

describe('district/notices (dated notices of a district ruleset)', () => {
  it('warns Haikou declarations from 2025-12-18 (island-wide special customs operations) to confirm the local requirements', () => {
    const on = validate(haikou('2025-12-18'), { rates }).issues.filter((i) => i.code === 'district-notice');
    expect(on).toHaveLength(1);
    expect(on[0]).toMatchObject({ severity: 'warning', path: '', ruleId: 'district/notices' });
    expect(on[0]!.message.zh).toBe(
      '海口海关（6400）提示 hainan-island-wide-closure，自 2025-12-18：海南自由贸易港自2025年12月18日起实施全岛封关运作（“一线放开、二线管住”），相关海关监管办法同步实施；申报前请向海口海关确认跨境电商零售进口在岛内的现行要求',
    );
    expect(on[0]!.message.en).toContain('confirm with Haikou Customs');
    // The day before, and in another district, nothing.
    expect(validate(haikou('2025-12-17'), { rates }).issues.some((i) => i.code === 'district-notice')).toBe(false);
    expect(validate(example('hangzhou-1210'), { rates }).issues.some((i) => i.code === 'district-notice')).toBe(false);
  });

  it('cites a source for the notice, and keeps the other local requirements silent', () => {
    const resolved = defaultRegistry().resolve('district/6400', '2026-01-05');
    expect(resolved.rules.find((r) => r.rule.id === 'district/notices')).toMatchObject({
      severity: 'warning',
      source: expect.stringContaining('香港01'),
    });
    const notices = resolved.district!.localRequirements.filter((r) => r.notice);
    expect(notices.map((r) => [r.id, r.effectiveFrom, r.source])).toEqual([
      ['hainan-island-wide-closure', '2025-12-18', 'HAINAN-CLOSURE-NEWS'],
    ]);
  });
});
