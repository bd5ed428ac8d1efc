import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { Dec } from '../../src/model/index.js';
import { computeTax, DEFAULT_TAX_POLICY_2019, parseRateTable, taxResultToJSON } from '../../src/tax/index.js';
import {
  compiledInputs,
  DIRECT,
  formula,
  inputsBuilder,
  loopInputs,
  padPlaces,
  Written,
  type Formula,
} from '../../src/tax/formula.js';
import * as F from '../../src/tax/formulas.js';
import { declarationWith } from './helpers.js';

// A formula's inputs are built by code made once from its declaration (compiledInputs), or name by
// name where code generation is refused (loopInputs). These tests hold that the two agree, and pin
// down the texts cache the explanations and taxResultToJSON share (Written).

const ALL: readonly Formula<string>[] = [...F.FORMULAS, ...F.SCALED];
const d = (s: string) => new Dec(s);

describe('compiled and looped inputs agree', () => {
  afterEach(() => vi.unstubAllGlobals());

  // Figures with up to 12 places, signs, zeros; some inputs replaced by a given text.
  const figure = fc
    .tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: 0, max: 12 }))
    .map(([n, places]) => d(String(n)).div(10 ** places));

  it('for every declared formula: same keys in the same order, same texts, with and without Written', () => {
    for (const f of ALL) {
      const compiled = compiledInputs(f.names, f.inputs);
      if (compiled === undefined) throw new Error('code generation refused in the tests');
      const looped = loopInputs(f.names, f.inputs);
      const arb = fc.record({
        v: fc.record(Object.fromEntries(f.names.map((n) => [n, figure]))),
        shown: fc.option(fc.subarray([...f.names]), { nil: undefined }),
      });
      fc.assert(
        fc.property(arb, ({ v, shown }) => {
          const texts = shown && Object.fromEntries(shown.map((n) => [n, `given ${n}`]));
          const expected = looped(v, texts, DIRECT);
          expect(Object.entries(compiled(v, texts, DIRECT)), f.id).toEqual(Object.entries(expected));
          expect(Object.entries(compiled(v, texts, new Written())), f.id).toEqual(Object.entries(expected));
          expect(Object.entries(f.render(v, texts).inputs), f.id).toEqual(Object.entries(expected));
        }),
        { numRuns: 40 },
      );
    }
  });

  it('hand-written: VAT × k with CT shown as given; duty written exactly to 10 places', () => {
    const v = { P: d('700'), duty: d('1.23456789012345'), CT_statutory: d('0'), v: d('0.13'), k: d('0.7') };
    const inputs = { CT_statutory: 'n/a' };
    for (const build of [
      compiledInputs(F.VAT_CBEC.names, F.VAT_CBEC.inputs),
      loopInputs(F.VAT_CBEC.names, F.VAT_CBEC.inputs),
    ])
      expect(Object.entries(build?.(v, inputs, DIRECT) ?? {})).toEqual([
        ['P', '700.00'],
        ['duty', '1.2345678901…'],
        ['CT_statutory', 'n/a'],
        ['v', '0.13'],
        ['k', '0.7'],
      ]);
  });

  it('where code generation is refused (a CSP), the loop builds the inputs', () => {
    vi.stubGlobal('Function', function refused() {
      throw new EvalError('Code generation from strings disallowed for this context');
    });
    expect(compiledInputs(F.DUTY.names, F.DUTY.inputs)).toBeUndefined();
    const build = inputsBuilder(F.DUTY.names, F.DUTY.inputs);
    expect(build({ P: d('100'), d: d('0.1') }, undefined, DIRECT)).toEqual({ P: '100.00', d: '0.1' });
    // A formula declared then still renders.
    const f = formula({
      id: 'csp',
      expr: 'a × b',
      text: { zh: '{a} 乘 {b}', en: '{a} times {b}' },
      inputs: { a: 'money', b: 'rate' },
      compute: (v) => v.a.times(v.b),
    });
    expect(f.render({ a: d('2'), b: d('0.5') }, { b: '50 %' })).toEqual({
      formula: 'a × b',
      inputs: { a: '2.00', b: '50 %' },
    });
  });

  it('an input written in a way that is not one of the four is refused when declared', () => {
    const spec = {
      id: 'bad-writer',
      expr: 'a × b',
      text: { zh: '{a} 乘 {b}', en: '{a} times {b}' },
      inputs: { a: 'money', b: 'toString' },
      compute: (v: { a: Dec; b: Dec }) => v.a.times(v.b),
    };
    expect(() => formula(spec as unknown as Parameters<typeof formula>[0])).toThrow(/input b is written "toString"/);
  });
});

describe('Written: the last money figures written are not written again', () => {
  it('a figure among the last 32 is found; one 32 figures back is written again', () => {
    const written = new Written();
    const first = d('1.5');
    // (padPlaces writes a figure of this size with toString)
    const writes = vi.spyOn(first, 'toString');
    expect(written.money(first)).toBe('1.50');
    // 31 more: `first` is still among the last 32.
    for (let n = 1; n <= 31; n++) written.money(d(String(n)));
    expect(written.money(first)).toBe('1.50');
    expect(writes).toHaveBeenCalledTimes(1);
    // One more: 32 figures were written after it, so it is written again.
    written.money(d('32'));
    expect(written.money(first)).toBe('1.50');
    expect(writes).toHaveBeenCalledTimes(2);
    // Another Decimal of the same value is another figure: written, same text.
    const same = d('1.5');
    const again = vi.spyOn(same, 'toString');
    expect(written.money(same)).toBe('1.50');
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('places: two places are the money text, others padded; unrounded and plain are not kept', () => {
    const written = new Written();
    const x = d('2.5');
    expect(written.places(x, 2)).toBe('2.50');
    expect(written.places(x, 3)).toBe('2.500');
    expect(written.places(x, 0)).toBe('2.5');
    expect(written.unrounded(d('0.123456789012'))).toBe('0.1234567890…');
    expect(written.plain(d('7.920'))).toBe('7.92');
    expect(written.rate(d('0.130'))).toBe('0.13');
  });

  it('zero is written without toFixed or toString, with the places asked for; -0 as 0', () => {
    const zero = d('0');
    const toFixed = vi.spyOn(zero, 'toFixed');
    const writes = vi.spyOn(zero, 'toString');
    expect([0, 1, 2, 5].map((p) => padPlaces(zero, p))).toEqual(['0', '0.0', '0.00', '0.00000']);
    expect(padPlaces(d('-0'), 2)).toBe('0.00');
    expect(padPlaces(d('0.000'), 2)).toBe('0.00');
    expect(toFixed).not.toHaveBeenCalled();
    expect(writes).not.toHaveBeenCalled();
  });
});

describe('taxResultToJSON writes the figures the result holds', () => {
  const rates = parseRateTable({ '6109': { duty: '0.14', vat: '0.13' } }, 'json');
  const decl = declarationWith(
    [
      { gcode: '6109100021', totalPrice: '100.00' },
      { gcode: '6109100021', totalPrice: '200.00' },
    ],
    { freight: '10.00' },
  );

  it('a figure the caller replaced after the explanations were written is written as it is now', () => {
    const r = computeTax(decl, { policy: DEFAULT_TAX_POLICY_2019, rates });
    const before = taxResultToJSON(r);
    // 103.33 + 206.67 (shares of 10.00 by price, the last line takes the remainder); VAT × 0.091.
    expect(before.lines.map((l) => l.dutiableValue)).toEqual(['103.33', '206.67']);
    const line = r.lines[1];
    if (line === undefined) throw new Error('no line');
    line.valueAddedTax = d('1.234');
    r.taxTotal = d('99');
    const after = taxResultToJSON(r);
    expect(after.lines[1]?.valueAddedTax).toBe('1.234');
    expect(after.taxTotal).toBe('99.00');
    expect(after.lines[1]?.dutiableValue).toBe('206.67');
  });

  it('a copy of the result made of plain objects gives the same JSON', () => {
    const r = computeTax(decl, { policy: DEFAULT_TAX_POLICY_2019, rates });
    const expected = JSON.stringify(taxResultToJSON(r));
    const copy = { ...r, lines: r.lines.map((l) => ({ ...l })) };
    expect(JSON.stringify(taxResultToJSON(copy))).toBe(expected);
    const fresh = computeTax(decl, { policy: DEFAULT_TAX_POLICY_2019, rates });
    expect(JSON.stringify(taxResultToJSON({ ...fresh, lines: fresh.lines.map((l) => ({ ...l })) }))).toBe(expected);
  });
});
