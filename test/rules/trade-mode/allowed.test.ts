import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRegistry, loadRuleset, RULES, RulesetRegistry, validate } from '../../../src/rules/index.js';
import type { Ruleset } from '../../../src/rules/ruleset.js';
import { tradeModeAllowed } from '../../../src/rules/trade-mode/allowed.js';
import { nationalSetting, ruleTester } from '../rule-tester.js';

ruleTester(tradeModeAllowed, {
  valid: [
    { name: '1210 (bonded import)' },
    { name: '9610 (direct purchase)', base: 'guangzhou-9610' },
    { name: 'a mode the ruleset allows', set: { 'inventory.tradeMode': '0110' }, ruleOptions: { allowed: ['0110'] } },
  ],
  invalid: [
    {
      name: '0110 (general trade)',
      set: { 'inventory.tradeMode': '0110' },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          expected: '9610 | 1210 | 1239',
          actual: '0110',
          data: { mode: '0110', allowedZh: '9610、1210、1239', allowedEn: '9610, 1210, 1239' },
          message: {
            zh: '贸易方式 0110 不允许，应为 9610、1210、1239',
            en: 'inventory.tradeMode 0110 is not allowed; allowed: 9610, 1210, 1239',
          },
        },
      ],
    },
    {
      name: 'a doubtful mode (options.doubtful) warns, and only it: 1210 where only 9610 is sure',
      ruleOptions: { allowed: ['9610'], doubtful: ['1210'] },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          severity: 'warning',
          expected: '9610',
          actual: '1210',
          data: { mode: '1210', allowedZh: '9610', allowedEn: '9610' },
          // (worded as the doubt it is: the refusal's words made a warning read as a refusal)
          message: {
            zh: '贸易方式 1210 在本关区此日是否允许不能确定（可能仅限个别试点区域），确定允许的为 9610',
            en: 'inventory.tradeMode 1210 may not be allowed here on this date (not sure: perhaps only in some pilot zones); sure to be allowed: 9610',
          },
        },
      ],
    },
    {
      name: 'a mode not doubtful is refused beside a doubtful one: 0110 where 1210 is doubtful',
      set: { 'inventory.tradeMode': '0110' },
      ruleOptions: { allowed: ['9610'], doubtful: ['1210'] },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          expected: '9610',
          actual: '0110',
          data: { mode: '0110', allowedZh: '9610', allowedEn: '9610' },
        },
      ],
    },
    {
      name: '1239 in 2016, before it existed (the national ruleset’s options of the day)',
      set: { 'inventory.tradeMode': '1239', 'inventory.declTime': '20160601', 'order.appTime': '20160601101500' },
      errors: [
        {
          code: 'trade-mode-not-allowed',
          path: 'inventory.tradeMode',
          expected: '9610 | 1210',
          actual: '1239',
          data: { mode: '1239', allowedZh: '9610、1210', allowedEn: '9610, 1210' },
        },
      ],
    },
  ],
});

describe('trade-mode/allowed in the national ruleset, by date', () => {
  const setting = (at: string) => nationalSetting('trade-mode/allowed', at);

  it('cites 商财发〔2018〕486号 (listed in the national sources) from 2019-01-01, with the same modes as before', () => {
    for (const at of ['2016-12-01', '2018-06-01', '2018-12-31']) {
      expect(setting(at)?.options, at).toEqual({ allowed: ['9610', '1210', '1239'] });
      expect(setting(at)?.source, at).toMatch(/^海关总署公告2014年第12号 .*海关总署公告2016年第75号 /);
      expect(setting(at)?.source, at).not.toContain('486号');
    }
    for (const at of ['2019-01-01', '2026-12-06']) {
      expect(setting(at)?.severity, at).toBe('error');
      expect(setting(at)?.options, at).toEqual({ allowed: ['9610', '1210', '1239'] });
      expect(setting(at)?.source, at).toMatch(/海关总署公告2016年第75号 .*; 商财发〔2018〕486号$/);
    }
    expect(setting('2016-06-01')?.options).toEqual({ allowed: ['9610', '1210'] });
  });
});

describe('trade-mode/allowed in a user ruleset that extends a district with a doubtful mode', () => {
  // 6400 (Haikou) doubts 1210 from 2016-12-01 to 2018-12-31: allowed 9610 and 1239, doubtful 1210.
  const example = JSON.parse(readFileSync(new URL('../../../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  const on2017 = () => {
    const d = structuredClone(example);
    d.inventory.customsCode = '6400';
    d.inventory.declTime = '20170601101010';
    d.order.appTime = '20170601101010';
    return d;
  };
  const shop = (options: Record<string, unknown>) =>
    loadRuleset(
      {
        id: 'haikou-shop',
        version: '1',
        extends: 'district/6400',
        sources: [{ id: 'OWN', issuer: 'Example Shop Ltd.', title: 'Zone approval', section: '§1', kind: 'primary' }],
        rules: { 'trade-mode/allowed': { options, source: 'OWN' } },
      },
      RULES,
      'haikou-shop.json',
    );
  const tradeMode = (r: ReturnType<typeof validate>) =>
    r.issues.filter((i) => i.ruleId === 'trade-mode/allowed').map((i) => [i.code, i.severity, i.actual]);

  it('the district alone: 1210 warns (doubtful)', () => {
    expect(tradeMode(validate(on2017(), { district: '6400' }))).toEqual([
      ['trade-mode-not-allowed', 'warning', '1210'],
    ]);
  });

  it('a user list that does not name the mode keeps the district’s doubt: 1210 still warns, 0110 is refused', () => {
    const user = shop({ allowed: ['9610'] });
    expect(tradeMode(validate(on2017(), { ruleset: user }))).toEqual([['trade-mode-not-allowed', 'warning', '1210']]);
    const d = on2017();
    d.inventory.tradeMode = '0110';
    expect(tradeMode(validate(d, { ruleset: user }))).toEqual([['trade-mode-not-allowed', 'error', '0110']]);
  });

  it('a user list that names the doubtful mode wins: 1210 passes, the inherited doubt notwithstanding', () => {
    expect(tradeMode(validate(on2017(), { ruleset: shop({ allowed: ['9610', '1210'] }) }))).toEqual([]);
  });

  it('doubtful: [] drops the inherited doubt: 1210 is refused', () => {
    expect(tradeMode(validate(on2017(), { ruleset: shop({ doubtful: [] }) }))).toEqual([
      ['trade-mode-not-allowed', 'error', '1210'],
    ]);
  });
});

describe('a mode one ruleset lists both in allowed and in doubtful is refused when the ruleset loads', () => {
  // The rule reads allowed first, so the mode passed and its doubt was never said: until session 59 such a ruleset
  // loaded without a word. A child's allowed over its parent's doubt is still its own word (above).
  const load = (setting: unknown) =>
    loadRuleset(
      {
        id: 'shop',
        version: '1',
        extends: 'district/6400',
        sources: [{ id: 'OWN', issuer: 'Example Shop Ltd.', title: 'Zone approval', section: '§1', kind: 'primary' }],
        rules: { 'trade-mode/allowed': setting },
      },
      RULES,
      'shop.json',
    );
  const failure = (setting: unknown) => {
    try {
      load(setting);
    } catch (e) {
      return [(e as { code?: string }).code, (e as Error).message];
    }
    return undefined;
  };
  const both = '1210 is also in allowed, which is read first, so it passes and the doubt is never said';

  it('in one setting: RULESET_BAD_OPTIONS with the JSON path of the mode in doubtful', () => {
    expect(failure({ options: { allowed: ['9610', '1210'], doubtful: ['1239', '1210'] }, source: 'OWN' })).toEqual([
      'RULESET_BAD_OPTIONS',
      `shop.json: $.rules["trade-mode/allowed"].options.doubtful[1]: ${both}: a mode is either sure (allowed) or doubtful; remove it from one of the lists`,
    ]);
    expect(failure([{ options: { allowed: ['1210'], doubtful: ['1210'] }, source: 'OWN' }])?.[1]).toMatch(
      /^shop\.json: \$\.rules\["trade-mode\/allowed"\]\[0\]\.options\.doubtful\[0\]: 1210 is also in allowed/,
    );
  });

  it('in two settings of the file in force together: named with the first day they meet', () => {
    expect(
      failure([
        { options: { allowed: ['9610'], doubtful: ['1210'] }, source: 'OWN' },
        { effectiveFrom: '2026-01-01', options: { allowed: ['9610', '1210'] }, source: 'OWN' },
      ])?.[1],
    ).toMatch(
      /^shop\.json: \$\.rules\["trade-mode\/allowed"\]\[0\], \[1\], merged as in force from 2026-01-01: options\.doubtful\[0\]: 1210 is also in allowed/,
    );
    // The day after the end of a setting that had cleared the doubt.
    expect(
      failure([
        { options: { doubtful: ['1210'] }, source: 'OWN' },
        { options: { allowed: ['9610', '1210'] }, source: 'OWN' },
        { effectiveTo: '2025-12-31', options: { doubtful: [] }, source: 'OWN' },
      ])?.[1],
    ).toMatch(/\[0\], \[1\], merged as in force from 2026-01-01: options\.doubtful\[0\]/);
  });

  it('settings that never meet, or a later one that clears the doubt, load', () => {
    expect(
      failure([
        { effectiveTo: '2025-12-31', options: { allowed: ['9610'], doubtful: ['1210'] }, source: 'OWN' },
        { effectiveFrom: '2026-01-01', options: { allowed: ['9610', '1210'] }, source: 'OWN' },
      ]),
    ).toBeUndefined();
    expect(
      failure([
        { options: { allowed: ['9610'], doubtful: ['1210'] }, source: 'OWN' },
        { effectiveFrom: '2026-01-01', options: { allowed: ['9610', '1210'], doubtful: [] }, source: 'OWN' },
      ]),
    ).toBeUndefined();
    expect(failure({ options: { allowed: ['9610'], doubtful: ['1210'] }, source: 'OWN' })).toBeUndefined();
  });
});

describe('a child that only doubts a mode its parent allows: the child’s word about that mode wins', () => {
  // Until session 60 the inherited allowed list, read first, passed the mode, and the child's doubt was dropped
  // without a word: a zone ruleset that doubts 1210 under a parent that allows it let 1210 pass.
  const fixture = (name: string) =>
    loadRuleset(
      JSON.parse(readFileSync(new URL(`../../fixtures/ruleset-chain/${name}.json`, import.meta.url), 'utf8')),
      RULES,
      `${name}.json`,
    );
  const registry = () =>
    new RulesetRegistry(RULES, [
      ...defaultRegistry()
        .ids()
        .map((id) => defaultRegistry().get(id) as Ruleset),
      fixture('zone-parent'),
      fixture('zone-child'),
    ]);
  const example = () =>
    JSON.parse(readFileSync(new URL('../../../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  const tradeMode = (r: ReturnType<typeof validate>) =>
    r.issues.filter((i) => i.ruleId === 'trade-mode/allowed').map((i) => [i.code, i.severity, i.actual, i.expected]);
  const options = (id: string) =>
    registry()
      .resolve(id, '2026-01-01')
      .rules.find((r) => r.rule.id === 'trade-mode/allowed')?.options;

  it('the parent alone: 1210 passes', () => {
    expect(tradeMode(validate(example(), { registry: registry(), ruleset: fixture('zone-parent') }))).toEqual([]);
  });

  it('the child: 1210 warns (doubtful), no longer sure; 9610 and 1239 stay allowed, 0110 is refused', () => {
    expect(options('zone-child')).toEqual({ allowed: ['9610', '1239'], doubtful: ['1210'] });
    expect(tradeMode(validate(example(), { registry: registry(), ruleset: fixture('zone-child') }))).toEqual([
      ['trade-mode-not-allowed', 'warning', '1210', '9610 | 1239'],
    ]);
    const d = example();
    d.inventory.tradeMode = '0110';
    expect(tradeMode(validate(d, { registry: registry(), ruleset: fixture('zone-child') }))).toEqual([
      ['trade-mode-not-allowed', 'error', '0110', '9610 | 1239'],
    ]);
  });

  it('over the national ruleset (and over the rule’s defaults) too: doubtful alone takes the mode out of allowed', () => {
    const child = loadRuleset(
      { ...JSON.parse(JSON.stringify(fixture('zone-child').data)), id: 'zone-direct', extends: 'national' },
      RULES,
      'zone-direct.json',
    );
    expect(tradeMode(validate(example(), { ruleset: child }))).toEqual([
      ['trade-mode-not-allowed', 'warning', '1210', '9610 | 1239'],
    ]);
  });

  it('a grandchild that lists the mode in allowed again makes it sure again', () => {
    const grandchild = loadRuleset(
      {
        id: 'zone-grandchild',
        version: '1',
        extends: 'zone-child',
        sources: [{ id: 'OWN', issuer: 'Example Shop Ltd.', title: 'Zone approval', section: '§3', kind: 'primary' }],
        rules: { 'trade-mode/allowed': { options: { allowed: ['9610', '1210'] }, source: 'OWN' } },
      },
      RULES,
      'zone-grandchild.json',
    );
    expect(tradeMode(validate(example(), { registry: registry(), ruleset: grandchild }))).toEqual([]);
  });
  it('a child that doubts the only mode its parent allows leaves none sure: RULESET_BAD_OPTIONS, naming the child', () => {
    const parent = loadRuleset(
      {
        id: 'only-1210',
        version: '1',
        extends: 'national',
        sources: [{ id: 'OWN', issuer: 'Example Shop Ltd.', title: 'Zone approval', section: '§1', kind: 'primary' }],
        rules: { 'trade-mode/allowed': { options: { allowed: ['1210'] }, source: 'OWN' } },
      },
      RULES,
      'only-1210.json',
    );
    const child = loadRuleset(
      { ...JSON.parse(JSON.stringify(fixture('zone-child').data)), id: 'doubts-it', extends: 'only-1210' },
      RULES,
      'doubts-it.json',
    );
    const reg = new RulesetRegistry(RULES, [defaultRegistry().get('national') as Ruleset, parent, child]);
    let failure: unknown;
    try {
      reg.resolve('doubts-it', '2026-01-01');
    } catch (e) {
      failure = [(e as { code?: string }).code, (e as Error).message];
    }
    expect(failure).toEqual([
      'RULESET_BAD_OPTIONS',
      'doubts-it.json: $.rules["trade-mode/allowed"].options.allowed, merged over only-1210, national on 2026-01-01: Too small: expected array to have >=1 items',
    ]);
  });
});
