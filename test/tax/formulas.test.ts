import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import type { Decimal } from 'decimal.js';
import { Dec } from '../../src/model/index.js';
import {
  computeTax,
  convertToCny,
  DEFAULT_TAX_POLICY_2019,
  fromTaxInclusivePrice,
  parseRateTable,
  type TaxPolicy,
  type TaxResult,
} from '../../src/tax/index.js';
import { roundingRule } from '../../src/tax/compute.js';
import { bracketed, fill, formula, rule, scaled, Written, type Formula } from '../../src/tax/formula.js';
import * as F from '../../src/tax/formulas.js';
import { declarationWith } from './helpers.js';

const d = (s: string) => new Dec(s);

/**
 * An independent reading of a formula's symbols: + − × / and brackets over the input names, with
 * the usual precedence, evaluated left to right in Decimal. It is the oracle that the `expr` the
 * explanations show computes what `compute` computes.
 */
function evaluate(expr: string, names: readonly string[], v: Readonly<Record<string, Decimal>>): Decimal {
  const byLength = [...names].sort((a, b) => b.length - a.length);
  let pos = 0;
  const skip = () => {
    while (expr[pos] === ' ') pos++;
  };
  const primary = (): Decimal => {
    skip();
    if (expr[pos] === '(') {
      pos++;
      const x = sum();
      skip();
      if (expr[pos] !== ')') throw new Error(`expected ) at ${pos} in ${expr}`);
      pos++;
      return x;
    }
    const num = /^\d+(\.\d+)?/.exec(expr.slice(pos));
    if (num) {
      pos += num[0].length;
      return d(num[0]);
    }
    const name = byLength.find((n) => expr.startsWith(n, pos));
    if (name === undefined) throw new Error(`unexpected "${expr.slice(pos)}" in ${expr}`);
    pos += name.length;
    const value = v[name];
    if (value === undefined) throw new Error(`no value for ${name}`);
    return value;
  };
  const product = (): Decimal => {
    let x = primary();
    for (;;) {
      skip();
      const op = expr[pos];
      if (op !== '×' && op !== '/') return x;
      pos++;
      const y = primary();
      x = op === '×' ? x.times(y) : x.div(y);
    }
  };
  const sum = (): Decimal => {
    let x = product();
    for (;;) {
      skip();
      const op = expr[pos];
      if (op !== '+' && op !== '−') return x;
      pos++;
      const y = product();
      x = op === '+' ? x.plus(y) : x.minus(y);
    }
  };
  const result = sum();
  skip();
  if (pos !== expr.length) throw new Error(`left over "${expr.slice(pos)}" in ${expr}`);
  return result;
}

const ALL: readonly Formula<string>[] = [...F.FORMULAS, ...F.SCALED];

describe('formula declarations', () => {
  it('the symbols each formula shows compute exactly what it computes (random inputs, every formula)', () => {
    // Amounts up to 1e6 with 5 places, rates in [0, 1) with 4 places, counts 1..50.
    const amount = fc.integer({ min: 0, max: 100_000_000_000 }).map((n) => d(String(n)).div(100_000));
    const rate = fc.integer({ min: 0, max: 9_999 }).map((n) => d(String(n)).div(10_000));
    const count = fc.integer({ min: 1, max: 50 }).map((n) => d(String(n)));
    const RATES = new Set(['d', 't', 'c', 'v', 'k', 'u']);
    for (const f of ALL) {
      const arb = fc.record(
        Object.fromEntries(
          f.names.map((n) => [n, RATES.has(n) ? rate : n === 'lines' || n === 'Σ totalPrice' ? count : amount]),
        ),
      );
      fc.assert(
        fc.property(arb, (v) => {
          expect(evaluate(f.expr, f.names, v).eq(f.compute(v)), `${f.id}: ${f.expr}`).toBe(true);
        }),
        { numRuns: 60 },
      );
    }
  });

  it('hand-computed: (700 + 0) / (1 − 0.15) × 0.15 × 0.7 = 86.4705882352…; compound 0.5 L: (400 + 0.456)/0.8 × 0.2 + 0.456 = 100.57', () => {
    const v = { P: d('700'), duty: d('0'), c: d('0.15'), k: d('0.7') };
    expect(F.CT_AD_VALOREM_CBEC.compute(v).toFixed(10)).toBe('86.4705882353');
    expect(
      F.CT_COMPOUND.compute({ P: d('400'), duty: d('0'), q: d('0.5'), u: d('0.912'), c: d('0.2') }).toFixed(),
    ).toBe('100.57');
    // specific 7.92 L × 0.253 = 2.00376; × 0.7 = 1.402632
    expect(F.CT_SPECIFIC_CBEC.compute({ q: d('7.92'), u: d('0.253'), k: d('0.7') }).toFixed()).toBe('1.402632');
    // VAT (100 + 5 + 0) × 0.13 = 13.65; duty 100 × 0.1 × 0.5 = 5
    expect(F.VAT.compute({ P: d('100'), duty: d('5'), CT_statutory: d('0'), v: d('0.13') }).toFixed()).toBe('13.65');
    expect(F.DUTY_CBEC.compute({ P: d('100'), d: d('0.1'), t: d('0.5') }).toFixed()).toBe('5');
    // 10 × 100 / 333 = 3.003003…; 10 / 3 = 3.333…; 10 − 9 = 1
    expect(
      F.SHARE_PROPORTIONAL.compute({ total: d('10'), totalPrice: d('100'), 'Σ totalPrice': d('333') }).toFixed(6),
    ).toBe('3.003003');
    expect(F.SHARE_EQUAL.compute({ total: d('10'), lines: d('3') }).toFixed(4)).toBe('3.3333');
    expect(F.SHARE_REMAINDER.compute({ total: d('10'), 'Σ other shares': d('9') }).toFixed()).toBe('1');
    // 680 + 20 + 0.5 − 10 = 690.5
    expect(
      F.DUTIABLE_VALUE_NET.compute({
        totalPrice: d('680'),
        freightShare: d('20'),
        insuredFeeShare: d('0.5'),
        discountShare: d('10'),
      }).toFixed(),
    ).toBe('690.5');
    expect(F.CT_NONE.compute({}).toFixed()).toBe('0');
  });

  it('the CBEC formulas are the statutory ones × the factor, bracketed where a sum is at the top', () => {
    expect(F.DUTY_CBEC.expr).toBe('P × d × t');
    expect(F.CT_AD_VALOREM_CBEC.expr).toBe('(P + duty) / (1 − c) × c × k');
    expect(F.CT_SPECIFIC_CBEC.expr).toBe('q × u × k');
    expect(F.CT_COMPOUND_CBEC.expr).toBe('((P + duty + q × u) / (1 − c) × c + q × u) × k');
    expect(F.VAT_CBEC.expr).toBe('(P + duty + CT_statutory) × v × k');
    expect(F.VAT_CBEC.names).toEqual(['P', 'duty', 'CT_statutory', 'v', 'k']);
    expect(F.VAT_CBEC.parts).toEqual([F.VAT, F.CBEC_FACTOR]);
    expect(bracketed('a + b')).toBe('(a + b)');
    expect(bracketed('(a + b) × c')).toBe('(a + b) × c');
    expect(bracketed('a − b')).toBe('(a − b)');
    expect(bracketed('（a + b）× c')).toBe('（a + b）× c');
    expect(bracketed('a × b')).toBe('a × b');
  });

  it('texts in Chinese and English name every input and are filled with the figures', () => {
    const v = { P: d('700'), duty: d('0'), CT_statutory: d('123.52941176470588'), v: d('0.13'), k: d('0.7') };
    expect(F.VAT_CBEC.describe(v, 'en')).toBe(
      '(dutiable value 700.00 + duty 0.00 + statutory CT 123.5294117647…) × VAT rate 0.13 × CBEC share of the statutory tax 0.7',
    );
    expect(F.VAT_CBEC.describe(v, 'zh')).toBe(
      '（完税价格 700.00 + 关税 0.00 + 法定消费税 123.5294117647…）× 增值税税率 0.13 × 跨境电商税额征收比例 0.7',
    );
    expect(F.CT_SPECIFIC.describe({ q: d('7.92'), u: d('0.253') }, 'en', { q: '7.92 L' })).toBe(
      'quantity 7.92 L × specific CT rate 0.253',
    );
    // Compound: a sum at the top of the inner text is bracketed before × k.
    expect(
      F.CT_COMPOUND_CBEC.describe({ P: d('1'), duty: d('0'), q: d('2'), u: d('3'), c: d('0.2'), k: d('0.7') }, 'en'),
    ).toMatch(/^\(\(dutiable value 1\.00 .* \+ 2 × 3\) × CBEC share of the statutory tax 0\.7$/);
    const sample = (n: string) => (n === 'lines' ? d('3') : d('0.5'));
    for (const f of ALL) {
      const v2 = Object.fromEntries(f.names.map((n) => [n, sample(n)]));
      for (const lang of ['zh', 'en'] as const) {
        const text = f.describe(v2, lang);
        expect(text, `${f.id} ${lang}`).not.toMatch(/[{}]/);
        if (f.names.length > 0) expect(text).toMatch(/0\.5|3/);
      }
    }
    for (const r of F.RULES) {
      for (const lang of ['zh', 'en'] as const) {
        const text = r.describe(Object.fromEntries(r.params.map((p) => [p, 'P'])), lang);
        expect(text, `${r.id} ${lang}`).not.toMatch(/[{}]/);
      }
    }
  });

  it('the rounding rule reads in both languages, with the unit of the scale', () => {
    expect(roundingRule({ mode: 'half-up', scale: 2, scope: 'line' }, 'en')).toBe(
      'half-up to 0.01 per line; order totals are sums of the rounded lines',
    );
    expect(roundingRule({ mode: 'half-even', scale: 0, scope: 'order' }, 'en')).toBe(
      'line figures half-even to 1 for display only; each order total is the sum of unrounded line taxes, half-even to 1 once',
    );
    expect(roundingRule({ mode: 'half-up', scale: 2, scope: 'line' }, 'zh')).toBe(
      '每行各税四舍五入至 0.01；订单合计为各行舍入后金额之和',
    );
    expect(roundingRule({ mode: 'down', scale: 3, scope: 'order' }, 'zh')).toBe(
      '各行税额舍去至 0.001 仅供显示；订单各税合计为各行未舍入税额之和，舍去至 0.001 一次',
    );
    // The same text again comes from the rule's memory, not a new fill.
    expect(roundingRule({ mode: 'up', scale: 1, scope: 'line' }, 'en')).toBe(
      'up to 0.1 per line; order totals are sums of the rounded lines',
    );
    expect(roundingRule({ mode: 'up', scale: 1, scope: 'line' }, 'zh')).toBe(
      '每行各税进一至 0.1；订单合计为各行舍入后金额之和',
    );
  });

  it('isRoundingMode accepts the four modes only', () => {
    for (const m of ['half-up', 'half-even', 'down', 'up']) expect(F.isRoundingMode(m)).toBe(true);
    for (const m of ['toString', 'HALF-UP', '', 1, undefined]) expect(F.isRoundingMode(m)).toBe(false);
  });

  it('render lists the inputs in declared order, then the notes; `shown` replaces a figure', () => {
    const r = F.CT_AD_VALOREM.render({ P: d('700'), duty: d('1.23456789012345'), c: d('0.15') }, { c: '15 %' }, [
      ['threshold', '≥ 1'],
    ]);
    expect(r.formula).toBe('(P + duty) / (1 − c) × c');
    expect(Object.entries(r.inputs)).toEqual([
      ['P', '700.00'],
      ['duty', '1.2345678901…'],
      ['c', '15 %'],
      ['threshold', '≥ 1'],
    ]);
    expect(F.SHARE_EQUAL.render({ total: d('10'), lines: d('3') }).inputs).toEqual({ total: '10.00', lines: '3' });
  });

  it('fill leaves a placeholder without a value as it is', () => {
    expect(fill('{a} and {b}', { a: '1' })).toBe('1 and {b}');
  });
});

describe('a declaration that disagrees with itself is refused when it is made', () => {
  const ok = {
    id: 'test',
    expr: 'a × b',
    text: { zh: '{a} 乘 {b}', en: '{a} times {b}' },
    inputs: { a: 'money', b: 'rate' } as const,
    compute: (v: { a: Decimal; b: Decimal }) => v.a.times(v.b),
  };
  it('accepts a consistent one', () => {
    const f = formula(ok);
    expect(f.names).toEqual(['a', 'b']);
    expect(f.render({ a: d('2'), b: d('0.5') })).toEqual({ formula: 'a × b', inputs: { a: '2.00', b: '0.5' } });
  });
  it.each([
    ['a symbol that is not an input', { expr: 'a × b × z' }, /holds something other than inputs: .*z/],
    ['an input missing from expr', { expr: 'a × 2' }, /input b is not in expr/],
    [
      'an input only inside a longer name',
      { expr: 'a × ab', inputs: { a: 'money', ab: 'money', b: 'rate' } },
      /input b/,
    ],
    [
      'a placeholder that is not an input',
      { text: { zh: '{a} 乘 {b} {c}', en: '{a} times {b}' } },
      /text\.zh names \{c\}/,
    ],
    ['an input missing from a text', { text: { zh: '{a} 乘 {b}', en: '{a} times' } }, /text\.en does not show \{b\}/],
  ])('refuses %s', (_what, change, message) => {
    expect(() => formula({ ...ok, ...change } as typeof ok)).toThrow(message);
    try {
      formula({ ...ok, ...change } as typeof ok);
    } catch (e) {
      expect(e).toMatchObject({ code: 'INVALID_OPTION', details: { id: 'test' } });
    }
  });
  it('rules: every parameter in both texts, nothing else', () => {
    const base = { id: 'r', params: ['unit'] as const, apply: (x: Decimal) => x };
    expect(rule({ ...base, text: { zh: '至 {unit}', en: 'to {unit}' } }).describe({ unit: '0.01' }, 'en')).toBe(
      'to 0.01',
    );
    expect(() => rule({ ...base, text: { zh: '至 {unit} {mode}', en: 'to {unit}' } })).toThrow(
      /text\.zh names \{mode\}/,
    );
    expect(() => rule({ ...base, text: { zh: '至 {unit}', en: 'to' } })).toThrow(/text\.en does not show \{unit\}/);
  });
  it('a factor must be stated as `x × …`', () => {
    const inner = formula(ok);
    const factor = formula({
      id: 'f',
      expr: 'k × x',
      text: { zh: '{k} × {x}', en: '{k} × {x}' },
      inputs: { x: 'unrounded', k: 'rate' },
      compute: (v) => v.x.times(v.k),
    });
    expect(() => scaled(inner, factor)).toThrow(/must start with "x "/);
    const textFirst = formula({ ...factor, expr: 'x × k', text: { zh: '{k} 乘 {x}', en: '{x} × {k}' } });
    expect(() => scaled(inner, textFirst)).toThrow(/must start with "\{x\} "/);
  });
});

describe('every declared formula is both computed with and explained', () => {
  afterEach(() => vi.restoreAllMocks());

  // Every CT kind, thresholds both ways, no CT, a code with no duty, and 9 % VAT.
  const rates = parseRateTable(
    {
      '6109': { duty: '0.14', vat: '0.13' },
      '3303': { duty: '0.03', vat: '0.13', consumption: { adValorem: '0.15' } },
      '2208': { duty: '0.10', vat: '0.13', consumption: { adValorem: '0.20', perUnit: '0.912', unit: '095' } },
      '2203': { duty: '0', vat: '0.13', consumption: { perUnit: '0.25', unit: '095' } },
      '3304': {
        duty: '0.01',
        vat: '0.13',
        consumption: [{ adValorem: '0.15', minUnitValue: [{ value: '10000', unit: '035' }] }],
      },
      '4901': { vat: '0.09' },
    },
    'corpus',
  );
  const lines = [
    { gcode: '6109100021', totalPrice: '100.00' },
    { gcode: '3303000010', totalPrice: '200.00' },
    { gcode: '2208902000', totalPrice: '300.00', qty1: '0.5', unit1: '095' },
    { gcode: '2203000000', totalPrice: '40.00', qty1: '7.92', unit1: '095' },
    { gcode: '3304990010', totalPrice: '500.00', qty1: '0.05', unit1: '035' },
    { gcode: '3304990010', totalPrice: '100.00', qty1: '0.05', unit1: '035' },
    { gcode: '4901990000', totalPrice: '30.00' },
  ];
  const P = DEFAULT_TAX_POLICY_2019;
  const run = (): TaxResult[] => [
    computeTax(declarationWith(lines, { freight: '10.00', insuredFee: '1.00' }), { policy: P, rates }),
    // A CBEC duty share other than 0, the discount in the value, the largest line taking the remainder.
    computeTax(declarationWith(lines, { freight: '10.00', discount: '5.00' }), {
      policy: { ...P, cbecDutyRate: d('0.5'), nonCashDiscountReducesBase: true, allocationRemainder: 'largest-line' },
      rates,
    }),
    // Full rates (one item above 5000): duty, statutory CT and VAT without factors; order scope, the
    // duty and statutory CT rounded before the next base.
    ...lines
      .filter((l) => !l.gcode.startsWith('4901'))
      .map((l) =>
        computeTax(declarationWith([{ ...l, totalPrice: '6000.00' }]), {
          policy: { ...P, rounding: { mode: 'half-up', scale: 2, scope: 'order', intermediate: 'rounded' } },
          rates,
        }),
      ),
    // The order's value rounded half-up to the fen before the limits see it: 1170.004 → 1170.00.
    computeTax(declarationWith(lines, { freight: '0.004' }), {
      policy: { ...P, dutiableValueRounding: 'half-up-fen' },
      rates,
    }),
    // Every line price 0: an equal split.
    computeTax(
      declarationWith(
        lines.map((l) => ({ ...l, totalPrice: '0' })),
        { freight: '1.00' },
      ),
      {
        policy: P,
        rates,
      },
    ),
  ];

  it('every formula is computed and rendered, every rule applied and said; nothing else is shown', () => {
    const computed = ALL.concat().map((f) => vi.spyOn(f, 'compute'));
    const base = F.FORMULAS.map((f) => ({ f, compute: computed[ALL.indexOf(f)], render: vi.spyOn(f, 'render') }));
    const scaledRenders = F.SCALED.map((f) => ({ f, render: vi.spyOn(f, 'render') }));
    const rules = F.RULES.map((r) => ({ r, apply: vi.spyOn(r, 'apply'), describe: vi.spyOn(r, 'describe') }));

    const results = run();
    // Explanations are rendered when read: read them while the spies watch.
    for (const r of results) for (const l of r.lines) void l.explain;
    fromTaxInclusivePrice(d('100.00'), { vat: d('0.13'), duty: d('0.1') }, P);

    const renderedViaParts = new Set<Formula<string>>();
    for (const s of scaledRenders) {
      if (s.render.mock.calls.length > 0) for (const part of s.f.parts ?? []) renderedViaParts.add(part);
    }
    for (const { f, compute, render } of base) {
      expect(compute?.mock.calls.length ?? 0, `${f.id} is never computed with`).toBeGreaterThan(0);
      expect(render.mock.calls.length > 0 || renderedViaParts.has(f), `${f.id} is never explained`).toBe(true);
    }
    for (const s of scaledRenders)
      expect(s.render.mock.calls.length, `${s.f.id} is never explained`).toBeGreaterThan(0);
    for (const { r, apply, describe } of rules) {
      expect(apply.mock.calls.length, `${r.id} is never applied`).toBeGreaterThan(0);
      expect(describe.mock.calls.length, `${r.id} is never said`).toBeGreaterThan(0);
    }

    // Every formula and rule text an explanation shows comes from a declaration.
    const exprs = new Set(ALL.map((f) => f.expr));
    const shares = [F.SHARE_PROPORTIONAL, F.SHARE_EQUAL, F.SHARE_REMAINDER].map((f) => f.expr);
    const ruleTexts = new Set(
      ['half-up', 'half-even', 'down', 'up'].flatMap((mode) =>
        [0, 1, 2, 3, 4, 5].flatMap((scale) =>
          (['line', 'order'] as const).flatMap((scope) =>
            (['exact', 'rounded'] as const).map((intermediate) =>
              roundingRule({ mode: mode as TaxPolicy['rounding']['mode'], scale, scope, intermediate }, 'en'),
            ),
          ),
        ),
      ),
    );
    ruleTexts.add(F.NOT_ROUNDED.describe({}, 'en'));
    let seen = 0;
    for (const r of results) {
      expect(ruleTexts.has(r.explain.rounding)).toBe(true);
      for (const l of r.lines) {
        for (const e of [
          l.explain.dutiableValue,
          l.explain.customsTax,
          l.explain.consumptionTax,
          l.explain.valueAddedTax,
        ]) {
          expect(exprs.has(e.formula), e.formula).toBe(true);
          expect(ruleTexts.has(e.rule), e.rule).toBe(true);
          seen++;
        }
        for (const s of Object.values(l.explain.allocation)) {
          expect(
            shares.some(
              (x) => s.formula.startsWith(`${x}, rounded down to `) || s.formula.startsWith(`${x} (remainder line, `),
            ),
            s.formula,
          ).toBe(true);
        }
      }
    }
    expect(seen).toBeGreaterThan(40);
    expect(convertToCny(d('1'), d('1')).toFixed()).toBe('1');
  });
});

describe('formula helpers', () => {
  it('Written writes a figure once per way of writing it, across the formulas of a line', () => {
    const x = d('1.5');
    // (padPlaces writes a figure of these sizes with toString)
    const writes = vi.spyOn(x, 'toString');
    const written = new Written();
    const f = formula({
      id: 'twice',
      expr: 'a + b + c',
      text: { zh: '{a}{b}{c}', en: '{a}{b}{c}' },
      inputs: { a: 'money', b: 'money', c: 'unrounded' },
      compute: (v) => v.a.plus(v.b).plus(v.c),
    });
    expect(f.render({ a: x, b: x, c: x }, undefined, undefined, written).inputs).toEqual({
      a: '1.50',
      b: '1.50',
      c: '1.50',
    });
    expect(F.DUTY.render({ P: x, d: d('0.1') }, undefined, undefined, written).inputs.P).toBe('1.50');
    // money once, unrounded once; without `written` every input is written again.
    expect(writes).toHaveBeenCalledTimes(2);
    f.render({ a: x, b: x, c: x });
    expect(writes).toHaveBeenCalledTimes(5);
  });
});
