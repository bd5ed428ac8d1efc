import { describe, expect, it } from 'vitest';
import { computeTax, DEFAULT_TAX_POLICY_2019, parseRateTable, resolveRate } from '../../src/tax/index.js';
import { isSandanError } from '../../src/errors.js';
import { bundledRateTable } from '../../src/rules/bundled.js';
import { ROOT, bundledRates, declarationWith, readJson } from './helpers.js';

const userTable = parseRateTable(
  {
    $comment: 'ignored',
    $sources: [{ id: 'T', issuer: 'test', title: 'test rates', section: '3304', kind: 'secondary' }],
    '3304': { vat: '0.13' },
    '33049900': { vat: '0.13', consumption: { adValorem: '0.15' }, source: 'T', asOf: '2026-11-21' },
    '3304990010': { duty: '0.01', vat: '0.13', consumption: { adValorem: '0.15' } },
  },
  'user.json',
);

function thrown(fn: () => unknown): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('parseRateTable', () => {
  it('reads decimal strings and numbers as Decimal; consumption becomes a list of tiers', () => {
    const t = parseRateTable({
      '2208': { duty: 0.1, vat: '0.13', consumption: { adValorem: '0.20', perUnit: '0.912', unit: '095' } },
    });
    const r = t.entries.get('2208');
    expect(r?.duty?.toFixed()).toBe('0.1');
    expect(r?.consumption?.[0]?.perUnit?.toFixed()).toBe('0.912');
    expect(t.origin).toBe('rate table');
  });

  it('takes one tier, and one minimum unit value, as a list', () => {
    const t = parseRateTable({
      '3304': { vat: '0.13', consumption: [{ adValorem: '0.15', minUnitValue: [{ value: '10', unit: '035' }] }] },
    });
    const tiers = t.entries.get('3304')?.consumption;
    expect(
      tiers?.map((x) => [x.adValorem?.toString(), x.minUnitValue?.map((m) => [m.value.toString(), m.unit])]),
    ).toEqual([['0.15', [['10', '035']]]]);
  });

  it('ignores $ keys', () => {
    expect([...userTable.entries.keys()]).toEqual(['3304', '33049900', '3304990010']);
  });

  it.each([
    [{ '330499': { vat: '0.13' } }, 'at 330499', 'keys are 10-, 8- or 4-digit'],
    [{ '3304': { vat: '13%' } }, 'at 3304.vat', 'non-negative decimal'],
    [{ '3304': { vat: '1.3' } }, 'at 3304.vat', 'below 1'],
    // A rate of exactly 1 (100 %) is refused too: the bound is strict.
    [{ '3304': { vat: '1' } }, 'at 3304.vat', 'below 1'],
    [{ '3304': { duty: '0.1' } }, 'at 3304.vat', ''],
    [{ '3304': { vat: '0.13', consumption: { perUnit: '1' } } }, 'at 3304.consumption.unit', 'perUnit needs the unit'],
    [
      { '3304': { vat: '0.13', consumption: [{ adValorem: '0.1' }, { unit: '035' }] } },
      'at 3304.consumption[1]',
      'needs adValorem, perUnit or both',
    ],
    [
      { '3304': { vat: '0.13', consumption: { adValorem: '0.1', minUnitValue: [{ value: '10', unit: 'kg' }] } } },
      'at 3304.consumption.minUnitValue[0].unit',
      'unit code',
    ],
    [{ '3304': { vat: '0.13', rate: '0.1' } }, 'at 3304', ''],
    [{ '3304': { vat: '0.13', consumption: [] } }, 'at 3304.consumption', ''],
    [{ '3304': { vat: '0.13', consumption: { adValorem: '0.1', minUnitValue: [] } } }, 'at 3304.consumption', ''],
    [[], 'at (root)', 'expected an object'],
    [null, 'at (root)', 'expected an object'],
    ['{"3304":{"vat":"0.13"}}', 'at (root)', 'expected an object'],
  ])('rejects %j naming the origin and path', (json, where, why) => {
    const e = thrown(() => parseRateTable(json, 'bad.json'));
    expect(isSandanError(e)).toBe(true);
    expect(e.code).toBe('INVALID_OPTION');
    expect(e.message).toContain('bad.json');
    expect(e.message).toContain(where);
    expect(e.message).toContain(why);
  });

  // zod's own words for these were "Invalid input", at the union rather than at the field.
  it.each([
    [{ '1901': { duty: '0.15', VAT: '0.13' } }, '1901.vat: missing: a decimal such as "0.13" is required'],
    [{ '1901': { vat: true } }, '1901.vat: expected a non-negative decimal such as "0.13"'],
    [
      { '2208': { vat: '0.13', consumption: { adValorem: '15%' } } },
      '2208.consumption.adValorem: expected a non-negative decimal such as "0.13"',
    ],
    [
      { '2208': { vat: '0.13', consumption: [{ adValorem: '0.1', perUnit: [1], unit: '035' }] } },
      '2208.consumption[0].perUnit: expected a non-negative decimal such as "0.13"',
    ],
    [
      { '2208': { vat: '0.13', consumption: 'ad valorem 15%' } },
      '2208.consumption: expected a consumption-tax tier such as { "adValorem": "0.15" }, or a list of them',
    ],
  ])('tells what is wrong with %j in words, at the field', (json, told) => {
    expect(thrown(() => parseRateTable(json, 'bad.json')).message).toBe(`Invalid rate table bad.json at ${told}`);
  });

  it('names no file when given none (it said "Invalid rate table rate table at …")', () => {
    expect(thrown(() => parseRateTable({ foo: 1 })).message).toBe(
      'Invalid rate table at foo: keys are 10-, 8- or 4-digit commodity codes',
    );
  });
});

describe('resolveRate', () => {
  it('the longest matching key wins', () => {
    expect(resolveRate(userTable, '3304990010')?.key).toBe('3304990010');
    expect(resolveRate(userTable, '3304990099')?.key).toBe('33049900');
    expect(resolveRate(userTable, '3304100000')?.key).toBe('3304');
  });

  it('never guesses: no match → undefined', () => {
    expect(resolveRate(userTable, '3305100000')).toBeUndefined();
    expect(resolveRate([], '3304990010')).toBeUndefined();
  });

  it('layered tables: the first table with any match wins, even with a shorter key', () => {
    const bundled = bundledRates();
    const hit = resolveRate([userTable, bundled], '3304990099');
    expect(hit).toMatchObject({ key: '33049900', origin: 'user.json' });
    // Only the bundled table knows books.
    expect(resolveRate([userTable, bundled], '4901990000')).toMatchObject({ key: '4901', origin: 'cbec-rates.json' });
    const shortUser = parseRateTable({ '9102': { vat: '0.13' } }, 'short.json');
    expect(resolveRate([shortUser, bundled], '9102210090')?.origin).toBe('short.json');
  });
});

describe('bundled table rulesets/rates/cbec-rates.json', () => {
  const raw = readJson(`${ROOT}rulesets/rates/cbec-rates.json`) as Record<string, Record<string, unknown>>;
  it('parses', () => {
    expect(bundledRates().entries.size).toBeGreaterThan(0);
  });
  it('every entry cites sources of $sources and an asOf date; the parsed rate carries their labels', () => {
    const ids = new Set((raw.$sources as unknown as Array<{ id: string }>).map((s) => s.id));
    for (const [key, entry] of Object.entries(raw)) {
      if (key.startsWith('$')) continue;
      for (const id of [entry.source].flat() as string[]) expect(ids.has(id), `${key}: ${id}`).toBe(true);
      expect(entry.asOf, key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // Sources without a number: issuer and title, then the section relied on; several are joined with '; '.
    // 4901 cites the lookup page and, for its 9 % since 2026, the VAT law (第十条（二）3: 图书).
    expect(bundledRates().entries.get('4901')?.source).toBe(
      '365area.com "HS code comparison page (MFN duty, import VAT and import consumption-tax rates by 10-digit code)" 4901100000, 4901910000; also /compare-hscode/4901990000-4901910000; ' +
        '全国人民代表大会常务委员会 《中华人民共和国增值税法》 第十条（二）3 (图书: 9 %), 第十四条 (the import base)',
    );
    // The cosmetics entries cite the thresholds' own notice and the announcement on what kg and 件 hold.
    // Lip, eye and nail make-up: the per-kg keys and the 片/张 codes.
    const makeUp = ['33041000', '3304100013', '3304100093', '33042000', '3304200013', '3304200093'];
    for (const key of ['33049100', '33049900', ...makeUp, '33043000', '3304300003']) {
      const label = bundledRates().entries.get(key)?.source ?? '';
      expect(label, key).toContain('财关税〔2016〕48号 一（一）（二）');
      expect(label, key).toContain('海关总署公告2022年第51号 一（一）–（四）');
    }
  });

  it('refuses a source that names nothing in $sources', () => {
    expect(thrown(() => parseRateTable({ '3304': { vat: '0.13', source: 'free text' } }, 'u.json')).message).toMatch(
      /u\.json at 3304\.source: a source id/,
    );
    expect(thrown(() => parseRateTable({ '3304': { vat: '0.13', source: 'X' } }, 'u.json')).message).toMatch(
      /cites source "X" but the table has no \$sources/,
    );
    expect(
      thrown(() => parseRateTable({ $sources: [{ id: 'X', title: 't', kind: 'primary' }] }, 'u.json')).message,
    ).toMatch(/\$sources\[0\]\.issuer/);
    const T = { id: 'T', issuer: 'i', title: 't', section: 's', kind: 'secondary' };
    expect(
      thrown(() => parseRateTable({ $sources: [T], '3304': { vat: '0.13', source: 'Y' } }, 'u.json')).message,
    ).toMatch(/u\.json at 3304\.source: cites unknown source "Y"; the table's \$sources are T/);
  });
  it('says it is a seed, not a tariff', () => {
    expect(String(raw.$comment)).toMatch(/NOT a tariff/);
  });
});

describe('dated rate tables ($validFrom, $validTo)', () => {
  // VAT on clothing: 16 % until 2019-03-31 (财税〔2018〕32号), 13 % from 2019-04-01 (公告2019年第39号).
  const old = parseRateTable({ $validFrom: '2018-05-01', $validTo: '2019-03-31', '6109': { vat: '0.16' } }, 'old.json');
  const now = parseRateTable({ $validFrom: '2019-04-01', '6109': { vat: '0.13' } }, 'now.json');
  const line = () => declarationWith([{ gcode: '6109100000', totalPrice: '100.00' }]);
  const P2019 = DEFAULT_TAX_POLICY_2019;

  it('parses the dates; refuses a date that is none, and an end before the start', () => {
    expect([old.validFrom, old.validTo, now.validFrom, now.validTo]).toEqual([
      '2018-05-01',
      '2019-03-31',
      '2019-04-01',
      undefined,
    ]);
    expect(
      thrown(() => parseRateTable({ $validFrom: '2019-02-30', '6109': { vat: '0.13' } }, 'x.json')).message,
    ).toMatch(/\$validFrom.*expected a date YYYY-MM-DD/);
    expect(
      thrown(() =>
        parseRateTable({ $validFrom: '2019-04-01', $validTo: '2019-03-31', '6109': { vat: '0.13' } }, 'x.json'),
      ).message,
    ).toMatch(/\$validTo.*is before \$validFrom 2019-04-01/);
  });

  it('resolveRate with a date passes over tables not in force on it, and says when only such a table has the code', () => {
    expect(resolveRate([old, now], '6109100000', '2018-06-01')).toMatchObject({ origin: 'old.json' });
    expect(resolveRate([old, now], '6109100000', '2019-04-01')).toMatchObject({ origin: 'now.json' });
    expect(resolveRate([old, now], '6109100000', '2019-03-31')?.notInForce).toBeUndefined();
    expect(resolveRate([now], '6109100000', '2018-06-01')).toMatchObject({
      origin: 'now.json',
      notInForce: { validFrom: '2019-04-01' },
    });
    // Without a date the tables' dates are not looked at: the first table with the code wins, as before.
    expect(resolveRate([old, now], '6109100000')).toMatchObject({ origin: 'old.json' });
    expect(resolveRate([old, now], '6109100000')?.notInForce).toBeUndefined();
  });

  it('computeTax takes the rate of its date: 100.00 × 0.16 × 0.7 = 11.20 in 2018, 100.00 × 0.13 × 0.7 = 9.10 in 2020', () => {
    const in2018 = computeTax(line(), { policy: P2019, rates: [old, now], at: '2018-06-01' });
    const in2020 = computeTax(line(), { policy: P2019, rates: [old, now], at: '2020-01-01' });
    expect([in2018.valueAddedTax.toFixed(2), in2020.valueAddedTax.toFixed(2)]).toEqual(['11.20', '9.10']);
    expect([...in2018.issues, ...in2020.issues].map((i) => i.code)).toEqual([]);
  });

  it('a rate only from a table not in force on the date: computed, with the warning rate-not-in-force', () => {
    const r = computeTax(line(), { policy: P2019, rates: [now], at: '2018-06-01' });
    expect(r.valueAddedTax.toFixed(2)).toBe('9.10');
    expect(r.complete).toBe(true);
    expect(r.issues).toEqual([
      expect.objectContaining({
        code: 'rate-not-in-force',
        severity: 'warning',
        path: 'inventory.items[0].gcode',
        expected: '2019-04-01 – …',
        actual: '2018-06-01',
      }),
    ]);
  });

  it("rate-not-in-force from the bundled table says it is sandan's own and what to give instead", () => {
    // A user reads the warning in their own project: a bare rulesets/rates/cbec-rates.json names no file of theirs.
    const cream = declarationWith([{ gcode: '3304990039', totalPrice: '150.00' }]);
    const r = computeTax(cream, { policy: P2019, rates: [bundledRateTable()], at: '2018-06-01' });
    expect(r.issues.filter((i) => i.code === 'rate-not-in-force').map((i) => [i.code, i.message.en])).toEqual([
      [
        'rate-not-in-force',
        "The rate of 3304990039 comes from sandan's bundled seed rate table (rulesets/rates/cbec-rates.json in the sandan package), whose rates are in force 2019-04-01 – …, not on 2018-06-01; the rates of that day may differ (VAT rates changed, for one): give a rate table in force on that date (the rates option, or --rates FILE; its format: docs/tax.md#rate-tables)",
      ],
    ]);
    expect(r.issues.find((i) => i.code === 'rate-not-in-force')?.message.zh).toContain(
      'sandan 自带的税率种子表（sandan 包中的 rulesets/rates/cbec-rates.json）',
    );
    // A table of the user's own is named as they named it.
    const own = computeTax(line(), { policy: P2019, rates: [now], at: '2018-06-01' });
    expect(own.issues[0]?.message.en).toMatch(/^The rate of 6109100000 comes from now\.json, /);
  });

  it('the beer band of another tariff edition: a dated table over the bundled one (2024: 2.6576767 per litre, 2026: 2.64295885)', () => {
    // 7.92 L at 20.94 is 2.6439 per litre: below 2024's band (乙类, 0.2227: CT 7.92×0.2227×0.7 = 1.2346 → 1.23), above
    // 2026's (甲类, 0.253: CT 7.92×0.253×0.7 = 1.4026 → 1.40).
    const y2024 = parseRateTable(
      {
        $validFrom: '2024-01-01',
        $validTo: '2024-12-31',
        '2203000000': {
          duty: '0',
          vat: '0.13',
          consumption: [
            { perUnit: '0.253', unit: '095', minUnitValue: [{ value: '2.6576767', unit: '095' }] },
            { perUnit: '0.2227', unit: '095' },
          ],
        },
      },
      'beer-2024.json',
    );
    const beer = declarationWith([{ gcode: '2203000000', totalPrice: '20.94', qty1: '7.92', unit1: '095' }]);
    const ct = (at: string) =>
      computeTax(beer, { policy: P2019, rates: [y2024, bundledRates()], at }).consumptionTax.toFixed(2);
    expect([ct('2024-06-01'), ct('2026-06-01')]).toEqual(['1.23', '1.40']);
  });

  it('the bundled table is in force from 2019-04-01, when today’s VAT rates began', () => {
    expect(bundledRates().validFrom).toBe('2019-04-01');
  });

  it('computeTax refuses an at that is no date', () => {
    const e = thrown(() => computeTax(line(), { policy: P2019, rates: [now], at: '2018-13-01' }));
    expect([e.code, e.message]).toEqual([
      'INVALID_OPTION',
      'computeTax: options.at: "2018-13-01" is not a real date (YYYY-MM-DD)',
    ]);
  });
});
