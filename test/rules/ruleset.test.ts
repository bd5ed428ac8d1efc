import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createValidator,
  defaultRegistry,
  loadRuleset,
  RULES,
  RulesetRegistry,
  SandanError,
  validate,
} from '../../src/index.js';
import { example } from '../helpers/examples.js';

function overLimit(d: Record<string, any>): void {
  // One line of 2 × 1,200 = 2,400 plus 150: above the 2016 limit (2,000), within the 2019 one (5,000).
  for (const doc of [d.order, d.inventory]) {
    doc.items[0].price = '1200.00';
    doc.items[0].totalPrice = '2400.00';
  }
  d.order.goodsValue = '2550.00';
  d.order.acturalPaid = '2599.87';
  d.payment.amountPaid = '2599.87';
}

describe('effective dating', () => {
  it('applies the 2,000 limit in 2018 and the 5,000 limit in 2026 to the same declaration', () => {
    const d = example('hangzhou-1210');
    overLimit(d);
    const in2018 = validate(d, { at: '2018-06-01' });
    expect(in2018.issues).toContainEqual(expect.objectContaining({ code: '-621005', actual: '2550.00' }));
    expect(in2018.issues.find((i) => i.code === '-621005')?.message.en).toContain('2000');
    expect(validate(d, { at: '2026-06-01' }).issues.filter((i) => i.code === '-621005')).toEqual([]);
  });

  it('defaults the date to inventory.declTime', () => {
    const d = example('hangzhou-1210');
    overLimit(d);
    d.inventory.declTime = '20180601';
    expect(validate(d).ruleset.at).toBe('2018-06-01');
    expect(validate(d).issues.some((i) => i.code === '-621005')).toBe(true);
  });

  it('resolves the policy in force on a date with its source', () => {
    const p2018 = defaultRegistry().resolve('national', '2018-12-31').policy;
    const p2019 = defaultRegistry().resolve('national', '2019-01-01').policy;
    expect(p2018.singleTransactionLimit?.toString()).toBe('2000');
    expect(p2018.annualLimit?.toString()).toBe('20000');
    expect(p2019.singleTransactionLimit?.toString()).toBe('5000');
    expect(p2019.annualLimit?.toString()).toBe('26000');
    expect(p2019.sources.singleTransactionLimit).toBe('财关税〔2018〕49号');
    expect(p2019.cbecTaxFactor?.toString()).toBe('0.7');
  });

  it('warns when the declaration carries no date', () => {
    const d = example('hangzhou-1210');
    delete d.order.appTime;
    d.inventory.declTime = 'x';
    expect(validate(d).issues).toContainEqual(
      expect.objectContaining({ code: 'date-unknown', severity: 'warning', path: 'inventory.declTime' }),
    );
  });

  it('says nothing of a date when the input is no object: its one issue is what to pass', () => {
    // (a string, null or a list had the date-unknown warning first, above the error that says what went wrong)
    for (const input of ['{"order":{}}', null, [], 7])
      expect(validate(input).issues.map((i) => [i.code, i.path])).toEqual([['field-type', '']]);
  });

  /** The Hangzhou example's order alone, with this appTime. */
  const orderAlone = (appTime: string) => {
    const d = example('hangzhou-1210');
    delete d.inventory;
    delete d.payment;
    delete d.logistics;
    d.order.appTime = appTime;
    return d;
  };

  it('points the warning at the order’s appTime when there is an order alone', () => {
    // It used to point at inventory.declTime, a field of a document the declaration does not have.
    expect(validate(orderAlone('20261120241500')).issues.filter((i) => i.code === 'date-unknown')).toEqual([
      expect.objectContaining({ code: 'date-unknown', severity: 'warning', path: 'order.appTime' }),
    ]);
  });

  it('names a date that is there but no real one, rather than calling it missing', () => {
    // A Hangzhou order's sender wrote appTime with a day-of-year pattern: 28 March 2019 as day 87 (XSD: 14 characters, so
    // the format check passes it). The warning used to say the declaration had no order.appTime.
    const [w] = validate(orderAlone('20190387041959')).issues.filter((i) => i.code === 'date-unknown');
    expect(w?.path).toBe('order.appTime');
    expect(w?.message.en).toBe(
      'The declaration has no readable date: order.appTime "20190387041959" is not a real date and time, so the newest policy was applied',
    );
    expect(w?.message.zh).toBe('声明没有可读的日期：order.appTime "20190387041959" 不是真实的日期时间，按最新政策校验');
    // Both unreadable, and neither there.
    const both = example('hangzhou-1210');
    both.inventory.declTime = 'x';
    both.order.appTime = '20261120241500';
    expect(validate(both).issues.find((i) => i.code === 'date-unknown')?.message.en).toBe(
      'The declaration has no readable date: inventory.declTime "x", order.appTime "20261120241500" are not a real date and time, so the newest policy was applied',
    );
    delete both.inventory.declTime;
    delete both.order.appTime;
    expect(validate(both).issues.find((i) => i.code === 'date-unknown')?.message.en).toBe(
      'The declaration has no inventory.declTime or order.appTime, so the newest policy was applied',
    );
  });
});

describe('user rulesets', () => {
  const base = { id: 'my-shop', version: '1', extends: 'national' };
  /** The error code and message loading the data is refused with. */
  const refusal = (data: unknown) => {
    try {
      loadRuleset(data, RULES, 'my.json');
    } catch (e) {
      expect(e).toBeInstanceOf(SandanError);
      return { code: (e as SandanError).code, message: (e as SandanError).message };
    }
    return expect.unreachable('the ruleset loaded');
  };

  it('can lower a severity, disable a rule and change options', () => {
    const d = example('hangzhou-1210');
    d.payment.amountPaid = '597.88';
    d.inventory.assureCode = d.inventory.ebpCode === d.inventory.ebcCode ? 'X' : d.inventory.ebpCode;
    const ruleset = {
      ...base,
      rules: { 'payment/amount': { severity: 'warning' }, 'parties/assure-code': { severity: 'off' } },
    };
    const r = validate(d, { ruleset });
    expect(r.valid).toBe(true);
    // (the positive-list and rate warnings of the example are another test's concern)
    expect(
      r.issues.filter((i) => !['goods/positive-list', 'tax/total'].includes(i.ruleId)).map((i) => [i.code, i.severity]),
    ).toEqual([['1332', 'warning']]);
    expect(r.ruleset.chain).toEqual(['my-shop', 'national']);
    const tolerant = validate(d, {
      ruleset: { ...base, rules: { 'payment/amount': { options: { tolerance: '0.01' } } } },
    });
    expect(tolerant.issues.filter((i) => i.code === '1332')).toEqual([]);
  });

  it('merges a setting that names one option over the options before it, without resetting the others to defaults', () => {
    // 1210 exempts trafNo (a warning by default, omittedSeverity); the settings below make it an error and, from 2027,
    // also tune countryNotSeverity, which says nothing of omittedSeverity.
    const d = example('hangzhou-1210');
    d.inventory.trafNo = 'TRAF1';
    const omitted = (ruleset: Record<string, unknown>, at: string) =>
      validate(d, { ruleset, at })
        .issues.filter((i) => i.code === 'trade-mode-field-omitted')
        .map((i) => i.severity);
    const dated = {
      ...base,
      rules: {
        'trade-mode/fields': [
          { options: { omittedSeverity: 'error' } },
          { effectiveFrom: '2027-01-01', options: { countryNotSeverity: 'error' } },
        ],
      },
    };
    expect(omitted(dated, '2026-06-01')).toEqual(['error']);
    expect(omitted(dated, '2027-06-01')).toEqual(['error']);
    // The same along an extends chain: the child's one option over its parent's.
    const registry = new RulesetRegistry(RULES, [defaultRegistry().get('national')!]);
    registry.add(
      loadRuleset(
        {
          id: 'acme',
          version: '1',
          extends: 'national',
          rules: { 'trade-mode/fields': { options: { omittedSeverity: 'error' } } },
        },
        RULES,
        'acme.json',
      ),
    );
    registry.add(
      loadRuleset(
        {
          id: 'acme-shop',
          version: '1',
          extends: 'acme',
          rules: { 'trade-mode/fields': { options: { countryNotSeverity: 'error' } } },
        },
        RULES,
        'acme-shop.json',
      ),
    );
    const options = registry.resolve('acme-shop', '2026-06-01').rules.find((r) => r.rule.id === 'trade-mode/fields')
      ?.options as { omittedSeverity: string; countryNotSeverity: string; modes: Record<string, unknown> };
    expect([options.omittedSeverity, options.countryNotSeverity]).toEqual(['error', 'error']);
    // (the defaults still apply where no ruleset names an option)
    expect(Object.keys(options.modes)).toEqual(['1210', '1239', '9610']);
    // The loaded ruleset keeps its own options: the caller's object changed after loading changes nothing.
    const json = {
      id: 'mutable',
      version: '1',
      extends: 'national',
      rules: { 'trade-mode/fields': { options: { omittedSeverity: 'error' } } },
    };
    registry.add(loadRuleset(json, RULES, 'mutable.json'));
    json.rules['trade-mode/fields'].options.omittedSeverity = 'warning';
    const kept = registry.resolve('mutable', '2026-06-01').rules.find((r) => r.rule.id === 'trade-mode/fields')
      ?.options as { omittedSeverity: string };
    expect(kept.omittedSeverity).toBe('error');
  });

  // hostile49c: options merged one level deep, so a ruleset naming the 9610 mode of `modes` replaced all of them: 1210
  // and 1239 lost their bundled demands (an inventory without its account book passed), 9610 its countryNot.
  it('merges an option that is an object key by key, to any depth, over the defaults; a list replaces', () => {
    const d = example('hangzhou-1210');
    delete d.inventory.emsNo;
    const ruleset = {
      ...base,
      rules: { 'trade-mode/fields': { options: { modes: { '9610': { required: ['trafNo', 'billNo'] } } } } },
    };
    const codes = validate(d, { ruleset }).issues.filter((i) => i.ruleId === 'trade-mode/fields');
    expect(codes.map((i) => [i.code, i.path])).toEqual([['trade-mode-field-required', 'inventory.emsNo']]);
    // Resolved: 9610's list replaced, its countryNot kept; 1210's lineRequired kept where a child names only its
    // required (the schema's default [] for the unnamed list is not taken as written).
    const registry = new RulesetRegistry(RULES, [defaultRegistry().get('national')!]);
    registry.add(loadRuleset(ruleset, RULES, 'my.json'));
    registry.add(
      loadRuleset(
        {
          id: 'child',
          version: '1',
          extends: 'my-shop',
          rules: { 'trade-mode/fields': { options: { modes: { '1210': { required: ['emsNo'] } } } } },
        },
        RULES,
        'child.json',
      ),
    );
    const resolved = registry.resolve('child', '2026-06-01').rules.find((r) => r.rule.id === 'trade-mode/fields');
    expect((resolved?.options as { modes?: unknown } | undefined)?.modes).toEqual({
      '1210': {
        required: ['emsNo'],
        lineRequired: ['itemRecordNo'],
        omitted: ['trafNo', 'voyageNo', 'billNo'],
        country: '142',
      },
      '1239': {
        required: ['emsNo', 'areaCode', 'areaName'],
        lineRequired: ['itemRecordNo'],
        omitted: ['trafNo', 'voyageNo', 'billNo'],
        country: '142',
      },
      '9610': { required: ['trafNo', 'billNo'], lineRequired: [], omitted: [], countryNot: '142' },
    });
  });

  // review50: options merge to any depth, so a ruleset fixing 9610's country (goods from a bonded logistics centre in
  // China, trafMode W) kept the default's countryNot 142 beside it: every such inventory was "not from 142" (before
  // session 50 naming the mode replaced it, countryNot included).
  it("reads a mode's fixed country, not the countryNot a merge keeps beside it", () => {
    const d = example('guangzhou-9610');
    d.inventory.country = '142';
    const ruleset = {
      ...base,
      rules: { 'trade-mode/fields': { options: { modes: { '9610': { country: '142' } } } } },
    };
    const found = (x: typeof d) => validate(x, { ruleset }).issues.filter((i) => i.ruleId === 'trade-mode/fields');
    expect(found(d)).toEqual([]);
    d.inventory.country = '116';
    expect(found(d).map((i) => [i.code, i.severity, i.expected, i.actual])).toEqual([
      ['trade-mode-country', 'error', '142', '116'],
    ]);
  });

  it('downgrades an error driven by an uncertain fact to a warning', () => {
    const d = example('hangzhou-1210');
    d.payment.amountPaid = '597.88';
    const r = validate(d, { ruleset: { ...base, rules: { 'payment/amount': { confidence: 'uncertain' } } } });
    expect(r.issues.find((i) => i.code === '1332')?.severity).toBe('warning');
  });

  it('rejects an unknown rule id, bad options and bad dates with the JSON path', () => {
    const load = (data: unknown) => () => loadRuleset(data, RULES, 'my.json');
    // Without an origin the message still says what it was reading.
    expect(() => loadRuleset({ ...base, rules: { 'payment/amounts': {} } }, RULES)).toThrowError(
      /^ruleset: \$\.rules: unknown rule id/,
    );
    // A misspelt id names the rule it is near; one near none is named alone. The list of rules is the docs page's web
    // address: an installed package has no docs/ folder.
    expect(load({ ...base, rules: { 'payment/amounts': {}, 'no/such-rule': {} } })).toThrowError(
      'my.json: $.rules: unknown rule id payment/amounts (did you mean payment/amount?), no/such-rule; known rules are listed in https://github.com/sandan-dev/sandan/blob/main/docs/rules.md#rules',
    );
    try {
      load({ ...base, rules: { 'payment/amount': { options: { tolerance: 1 } } } })();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SandanError);
      expect((e as SandanError).code).toBe('RULESET_BAD_OPTIONS');
      expect((e as SandanError).message).toMatch(/\$\.rules\["payment\/amount"\]\.options\.tolerance/);
    }
    expect(
      load({
        ...base,
        sources: [{ id: 'T', issuer: 'test', title: 'test source', section: 'test', kind: 'secondary' }],
        policy: {
          annualLimit: [{ value: '26000', source: 'T', effectiveFrom: '2020-01-01', effectiveTo: '2019-01-01' }],
        },
      }),
    ).toThrowError(/effectiveTo 2019-01-01 is before effectiveFrom 2020-01-01/);
    expect(load({ version: '1' })).toThrowError(/\$\.id/);
  });

  it('classes a refusal by its error code: unknown rule, bad rule setting, anything else', () => {
    expect(refusal({ ...base, rules: { 'payment/amounts': {} } }).code).toBe('RULESET_UNKNOWN_RULE');
    // An unknown option of a known rule is not an unknown rule.
    expect(refusal({ ...base, rules: { 'payment/amount': { options: { x: 1 } } } })).toEqual({
      code: 'RULESET_BAD_OPTIONS',
      message: expect.stringMatching(/\$\.rules\["payment\/amount"\]\.options: .*"x"/),
    });
    expect(refusal({ ...base, rules: { 'payment/amount': { severity: 'fatal' } } }).code).toBe('RULESET_BAD_OPTIONS');
    // A setting citing a source the file does not list is a ruleset problem, not the rule's options.
    expect(refusal({ ...base, rules: { 'payment/amount': { source: 'NOPE' } } })).toEqual({
      code: 'RULESET_INVALID',
      message: expect.stringMatching(/\$\.rules\["payment\/amount"\]\.source: cites source "NOPE"/),
    });
    expect(refusal({ version: '1' })).toEqual({ code: 'RULESET_INVALID', message: expect.stringMatching(/\$\.id/) });
  });

  it('checks an entry keyed __proto__ as any other: a trade mode and a payment customs code', () => {
    // (zod's record passed over that key, neither checked nor kept: such a ruleset loaded without a word)
    const withKey = (entry: string) => JSON.parse(`{"__proto__": ${entry}}`) as Record<string, unknown>;
    // A trade mode is four digits: "__proto__" is no mode, whatever it demands.
    expect(refusal({ ...base, rules: { 'trade-mode/fields': { options: { modes: withKey('{}') } } } })).toEqual({
      code: 'RULESET_BAD_OPTIONS',
      message: expect.stringMatching(/\$\.rules\["trade-mode\/fields"\]\.options\.modes\.__proto__: Invalid key/),
    });
    const district = JSON.parse(readFileSync(new URL('../../rulesets/districts/0200.json', import.meta.url), 'utf8'));
    const payments = (codes: string) => ({
      ...district,
      district: { ...district.district, paymentCustomsCodes: withKey(`{"codes": ${codes}, "source": "WX-CUSTOMS"}`) },
    });
    expect(refusal(payments('[]'))).toEqual({
      code: 'RULESET_INVALID',
      message: expect.stringMatching(/\$\.district\.paymentCustomsCodes\.__proto__\.codes: /),
    });
    const kept = loadRuleset(payments('["X"]'), RULES, 'my.json').data.district?.paymentCustomsCodes;
    expect(Object.entries(kept ?? {})).toEqual([['__proto__', { codes: ['X'], source: 'WX-CUSTOMS' }]]);
  });

  it('names the place inside a setting given as one object or as a dated list', () => {
    const message = (setting: unknown) =>
      (() => {
        try {
          loadRuleset({ ...base, rules: { 'payment/amount': setting } }, RULES, 'my.json');
        } catch (e) {
          return (e as Error).message;
        }
        return 'loaded';
      })();
    // The error of the branch that fits the value's shape: the object's field, or the list element's.
    expect(message({ severity: 'fatal' })).toMatch(/my\.json: \$\.rules\["payment\/amount"\]\.severity: /);
    expect(message([{ severity: 'warning' }, { severity: 'fatal' }])).toMatch(
      /my\.json: \$\.rules\["payment\/amount"\]\[1\]\.severity: /,
    );
  });

  it('a ruleset option is taken as already loaded only when it has both data and origin', () => {
    // One of the two is just an unknown key of a raw ruleset.
    for (const extra of [{ origin: 'mine' }, { data: {} }])
      expect(() => validate(example('hangzhou-1210'), { ruleset: { ...base, ...extra } as never })).toThrowError(
        /^ruleset option: \$: Unrecognized key/,
      );
  });

  it('rejects a broken extends chain: a missing parent or a cycle', () => {
    const reg = new RulesetRegistry(
      RULES,
      defaultRegistry()
        .ids()
        .map((id) => defaultRegistry().get(id)!),
    );
    expect(() => reg.add(loadRuleset({ ...base, extends: 'nowhere' }, RULES))).toThrowError(
      /no ruleset "nowhere" to extend/,
    );
    // The message lists the rulesets one could extend: the others, never the broken one itself.
    let known = '';
    try {
      reg.add(loadRuleset({ ...base, extends: 'nowhere' }, RULES));
    } catch (e) {
      known = (e as Error).message.split('Known rulesets: ')[1] ?? '';
    }
    expect(known.split(', ')).toContain('national');
    expect(known.split(', ')).not.toContain('my-shop');
    // national first, then in code order (district/0200 came last, after district/9000)
    const ids = known.split(', ');
    expect(ids[0]).toBe('national');
    expect(ids.slice(1, 3)).toEqual(['district/0200', 'district/2200']);
    expect(ids.slice(1)).toEqual([...ids.slice(1)].sort());
    reg.add(loadRuleset({ id: 'a', version: '1', extends: 'national' }, RULES));
    reg.add(loadRuleset({ id: 'b', version: '1', extends: 'a' }, RULES));
    expect(() => reg.add(loadRuleset({ id: 'a', version: '2', extends: 'b' }, RULES))).toThrowError(/cycle/);
  });

  it('lets a child override a policy value for a period', () => {
    const d = example('hangzhou-1210');
    overLimit(d);
    const strict = {
      ...base,
      sources: [{ id: 'T', issuer: 'test', title: 'test source', section: 'test', kind: 'secondary' }],
      policy: { singleTransactionLimit: [{ value: '2000', source: 'T', effectiveFrom: '2026-01-01' }] },
    };
    expect(validate(d, { ruleset: strict }).issues.some((i) => i.code === '-621005')).toBe(true);
    expect(validate(d, { ruleset: strict, at: '2025-06-01' }).issues.some((i) => i.code === '-621005')).toBe(false);
  });
});

describe('discount treatment', () => {
  it('the limit rule counts the same dutiable value as the duty engine when the discount lowers the base', () => {
    // Two items, 2 × 2,600.00 + 150.00 = 5,350.00 > 5,000; a 400.00 coupon brings it to 4,950.00.
    const d = example('hangzhou-1210');
    for (const doc of [d.order, d.inventory]) Object.assign(doc.items[0], { price: '2600.00', totalPrice: '5200.00' });
    Object.assign(d.order, { goodsValue: '5350.00', discount: '400.00', acturalPaid: '4999.87' });
    d.payment.amountPaid = '4999.87';
    expect(validate(d).issues.some((i) => i.code === '-621005')).toBe(true);
    const lowers = {
      id: 'coupons-lower-base',
      version: '1',
      extends: 'national',
      sources: [{ id: 'T', issuer: 'test', title: 'test source', section: 'test', kind: 'secondary' }],
      policy: { nonCashDiscountReducesBase: [{ value: true, source: 'T' }] },
    };
    expect(validate(d, { ruleset: lowers }).issues.some((i) => i.code === '-621005')).toBe(false);
    // A 100.00 coupon lowers it to 5,350.00 − 100.00 = 5,250.00, still above 5,000: reported with that value.
    Object.assign(d.order, { discount: '100.00', acturalPaid: '5299.87' });
    d.payment.amountPaid = '5299.87';
    expect(validate(d, { ruleset: lowers }).issues).toContainEqual(
      expect.objectContaining({ code: '-621005', actual: '5250.00' }),
    );
  });
});

describe('options', () => {
  it('throws SandanError on misuse, never on data', () => {
    expect(() => createValidator({ at: '2026/01/01' })).toThrowError(SandanError);
    expect(() => createValidator({ district: '1234' })).toThrowError(
      /Unknown customs district "1234"\. Known districts:/,
    );
    expect(() => validate(undefined)).not.toThrow();
  });
});
