import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bundledRulesets,
  defaultRegistry,
  districtRuleset,
  parseRateTable,
  RulesetRegistry,
  validate,
  type ValidateOptions,
} from '../../src/index.js';
import { example, exampleRates, type Json } from '../helpers/examples.js';

const FILES = readdirSync(new URL('../../rulesets/districts/', import.meta.url)).filter((f) => f.endsWith('.json'));
const REQUIRED = [
  '0200',
  '2200',
  '2300',
  '2900',
  '3100',
  '3500',
  '3700',
  '4200',
  '4600',
  '4700',
  '5100',
  '5200',
  '5300',
  '5700',
  '6400',
  '7900',
  '8000',
  '9000',
];
const rates = parseRateTable(exampleRates());
const AT = '2026-06-01';

/** An example declaration of a trade mode, declared at a district's own office. */
function declarationFor(mode: string, district: string): Json {
  const d = example(mode === '9610' ? 'guangzhou-9610' : 'hangzhou-1210');
  d.inventory.tradeMode = mode;
  d.inventory.customsCode = district;
  d.inventory.portCode = district;
  return d;
}

function allowedAt(code: string, at: string): string[] {
  const resolved = defaultRegistry().resolve(`district/${code}`, at);
  const rule = resolved.rules.find((r) => r.rule.id === 'trade-mode/allowed');
  return (rule!.options as { allowed: string[] }).allowed;
}

describe('district rulesets', () => {
  it('there is a file for every major CBEC district, and each is bundled', () => {
    expect(FILES.map((f) => f.slice(0, 4)).sort()).toEqual(expect.arrayContaining(REQUIRED));
    const ids = bundledRulesets().map((r) => r.id);
    for (const f of FILES) expect(ids).toContain(`district/${f.slice(0, 4)}`);
  });

  it.each(FILES)('%s: id, code and extends agree, and every value cites a source', (file) => {
    const data = JSON.parse(readFileSync(new URL(`../../rulesets/districts/${file}`, import.meta.url), 'utf8'));
    const code = file.slice(0, 4);
    expect(data.id).toBe(`district/${code}`);
    expect(data.extends).toBe('national');
    expect(data.district.code).toBe(code);
    const sourceIds = new Set((data.sources as Array<{ id: string }>).map((s) => s.id));
    const cited: unknown[] = [];
    for (const s of Object.values(data.rules ?? {}).flat() as Array<{ source?: unknown }>) cited.push(s.source);
    for (const list of ['offices', 'ports', 'signatureAlgorithms', 'localRequirements'] as const)
      for (const e of data.district[list] ?? []) cited.push(e.source);
    for (const e of Object.values(data.district.paymentCustomsCodes ?? {}) as Array<{ source: unknown }>)
      cited.push(e.source);
    for (const entries of Object.values(data.policy ?? {}) as Array<Array<{ source: unknown }>>)
      for (const e of entries) cited.push(e.source);
    for (const c of cited) {
      expect(c, `${file}: a value without a source`).toBeDefined();
      // A source is one id of the file's sources list, or a list of them.
      for (const id of [c].flat() as string[]) expect(sourceIds.has(id), `${file}: unknown source id ${id}`).toBe(true);
    }
  });

  it.each(REQUIRED)('district %s validates an example of each trade mode it allows', (code) => {
    for (const mode of allowedAt(code, AT)) {
      const r = validate(declarationFor(mode, code), { district: code, at: AT, rates });
      expect(
        r.issues.filter((i) => i.severity === 'error'),
        `${code} ${mode}`,
      ).toEqual([]);
      expect(r.ruleset.chain).toEqual([`district/${code}`, 'national']);
    }
  });

  it('a trade mode a district does not allow fails with trade-mode-not-allowed', () => {
    // Shanghai, an original pilot city, does not use 1239 (海关总署公告2016年第75号).
    expect(allowedAt('2200', AT)).not.toContain('1239');
    const r = validate(declarationFor('1239', '2200'), { district: '2200', at: AT, rates });
    expect(r.issues).toContainEqual(
      expect.objectContaining({ code: 'trade-mode-not-allowed', path: 'inventory.tradeMode', severity: 'error' }),
    );
  });

  it('a sub-office code resolves to its district', () => {
    expect(validate(example('hangzhou-1210'), { rates }).ruleset.chain).toEqual(['district/2900', 'national']);
    expect(validate(example('guangzhou-9610'), { rates }).ruleset.chain).toEqual(['district/5100', 'national']);
    expect(validate(example('hangzhou-1210'), { district: '2924', rates }).ruleset.chain[0]).toBe('district/2900');
  });

  it('an unknown district is a clear error that lists the known ones', () => {
    expect(() => validate(example('hangzhou-1210'), { district: '1100' })).toThrowError(
      /Unknown customs district "1100"\. Known districts: .*0200.*2900.*9000/,
    );
  });

  it('districtRuleset finds the ruleset of a district code or an office code, as validate does', () => {
    expect(districtRuleset('2900').id).toBe('district/2900');
    expect(districtRuleset('2924')).toBe(districtRuleset('2900'));
    expect(districtRuleset('6400').data.district?.name.zh).toBe('海口海关');
    // Only the registry given: one without district rulesets knows none.
    const national = new RulesetRegistry(
      defaultRegistry().rules,
      bundledRulesets().filter((r) => r.id === 'national'),
    );
    expect(() => districtRuleset('2900', { registry: national })).toThrowError(
      expect.objectContaining({
        code: 'DISTRICT_UNKNOWN',
        message: 'Unknown customs district "2900". Known districts: (none)',
      }),
    );
    for (const bad of ['1100', '29', '29000', ''])
      expect(() => districtRuleset(bad)).toThrowError(expect.objectContaining({ code: 'DISTRICT_UNKNOWN' }));
    expect(() => districtRuleset('2900', 5 as never)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: 'districtRuleset: the options must be an object, got 5',
      }),
    );
    expect(() => districtRuleset(2900 as unknown as string)).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(/customs code as text/) }),
    );
  });

  it('effective dating works across files: the same declaration at 2017 and 2026', () => {
    // Nanjing became a CBEC pilot on 2018-01-01 (uncertain before, so only a warning then).
    const d = declarationFor('1210', '2300');
    const options: ValidateOptions = { district: '2300', rates };
    const early = validate(d, { ...options, at: '2017-06-01' }).issues.find((i) => i.code === 'trade-mode-not-allowed');
    expect(early?.severity).toBe('warning');
    expect(validate(d, { ...options, at: AT }).issues.find((i) => i.code === 'trade-mode-not-allowed')).toBeUndefined();
  });

  const NON_PILOT = ['2300', '3700', '4200', '4700', '5700', '6400', '7900', '9000'];
  const verdict = (code: string, mode: string, at: string) =>
    validate(declarationFor(mode, code), { district: code, at, rates })
      .issues.filter((i) => i.code === 'trade-mode-not-allowed')
      .map((i) => `${i.severity} ${i.path}`);
  const warned = ['warning inventory.tradeMode'];
  const refused = ['error inventory.tradeMode'];

  it('1210 outside the ten pilot cities warns before 2016-12-01 as after it (公告2014年第57号 limits 1210 on import to approved pilot zones; 75号 only added 1239): it passed on 2016-11-30 and warned on 2016-12-01', () => {
    for (const code of NON_PILOT) {
      expect([code, verdict(code, '1210', '2016-06-01')]).toEqual([code, warned]);
      expect([code, verdict(code, '1210', '2016-11-30')]).toEqual([code, warned]);
      expect([code, verdict(code, '1210', '2016-12-01')]).toEqual([code, warned]);
      expect([code, verdict(code, '9610', '2016-06-01')]).toEqual([code, []]);
      // 1239 did not exist before 2016-12-01 (公告2016年第75号): refused, as by the national ruleset.
      expect([code, verdict(code, '1239', '2016-06-01')]).toEqual([code, refused]);
    }
    // An original pilot city keeps 1210 on the same day (Hangzhou, 75号 二).
    expect(verdict('2900', '1210', '2016-06-01')).toEqual([]);
  });

  it('only the doubtful mode of a district row warns: general trade (0110) is refused in Xiamen in 2017 and in Shenzhen in 2026, where a row uncertain as a whole made it a warning', () => {
    for (const code of NON_PILOT) {
      expect([code, verdict(code, '0110', '2016-12-01')]).toEqual([code, refused]);
      expect([code, verdict(code, '0110', '2016-06-01')]).toEqual([code, refused]);
    }
    expect(verdict('3700', '0110', '2017-06-01')).toEqual(refused);
    expect(verdict('3700', '1210', '2017-06-01')).toEqual(warned);
    expect(verdict('5300', '0110', AT)).toEqual(refused);
    expect(verdict('5300', '1239', AT)).toEqual(warned);
    expect(verdict('5300', '0110', '2017-06-01')).toEqual(refused);
    expect(verdict('5300', '1239', '2017-06-01')).toEqual(warned);
  });

  it('Haikou cites 商财发〔2020〕15号 with its date (2020-01-17, MOFCOM’s release), no longer from memory without one', () => {
    const sources = bundledRulesets().find((r) => r.id === 'district/6400')!.data.sources as Array<{
      id: string;
      date?: string;
      confidence?: string;
    }>;
    expect(sources.find((s) => s.id === 'MOFCOM-2020-15')).toMatchObject({ date: '2020-01-17', confidence: 'likely' });
  });

  it('Haikou accepts the Hainan signature variant', () => {
    const hainan = bundledRulesets().find((r) => r.id === 'district/6400')!.data.district!;
    expect(hainan.signatureAlgorithms.map((s) => s.signatureMethod)).toContain(
      'http://www.w3.org/2000/09/xmldsig#sm2-sm3',
    );
  });
});

describe('a 1210 dated before the first district row (2016-04-08) in the districts that doubt 1210', () => {
  // Before 财关税〔2016〕18号 no district row is in force and trade-mode/allowed falls back to the national default,
  // which allows 1210; the declaration is not passed for that: tax/regime refuses it, pointing at its date.
  const DOUBTING = ['2300', '3700', '4200', '4700', '5700', '6400', '7900', '9000'];
  const dated = (customsCode: string, declTime: string) => {
    const d = example('hangzhou-1210') as Record<string, any>;
    d.inventory.customsCode = customsCode;
    d.inventory.declTime = declTime;
    d.order.appTime = declTime;
    return d;
  };
  const findings = (customsCode: string, declTime: string) =>
    validate(dated(customsCode, declTime))
      .issues.filter((i) => i.ruleId === 'trade-mode/allowed' || i.ruleId === 'tax/regime')
      .map((i) => [i.code, i.severity, i.path]);

  it.each(DOUBTING)(
    '%s: refused on 2016-04-07 as no-cbec-regime (an error at the declTime), doubted from 2016-04-08',
    (code) => {
      expect(findings(code, '20160407093000')).toEqual([['no-cbec-regime', 'error', 'inventory.declTime']]);
      expect(findings(code, '20160408093000')).toEqual([['trade-mode-not-allowed', 'warning', 'inventory.tradeMode']]);
    },
  );
});
