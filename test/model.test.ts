import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeclarationSchema, parseDeclaration } from '../src/index.js';
import { example } from './helpers/examples.js';

describe('parseDeclaration', () => {
  it('turns the Hangzhou example into the model: amounts Decimal, codes strings', () => {
    const r = parseDeclaration(example('hangzhou-1210'));
    expect(r.success).toBe(true);
    if (!r.success) return;
    const d = r.data;
    expect(d.order.goodsValue).toBeInstanceOf(Decimal);
    expect(d.order.goodsValue.toFixed(2)).toBe('548.00');
    expect(d.order.items[0]!.qty.toString()).toBe('2');
    expect(d.order.items[0]!.gnum).toBe(1);
    expect(d.order.items[0]!.unit).toBe('122');
    expect(d.inventory!.items[1]!.unit1).toBe('035');
    expect(d.logistics.packNo).toBe(1);
  });

  it('accepts an amount as a JSON number or a decimal string, with the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 99 }), (units, cents) => {
        const text = `${units}.${String(cents).padStart(2, '0')}`;
        const a = example('hangzhou-1210');
        const b = example('hangzhou-1210');
        a.logistics.weight = text;
        b.logistics.weight = Number(text);
        const ra = parseDeclaration(a);
        const rb = parseDeclaration(b);
        expect(ra.success && rb.success).toBe(true);
        if (ra.success && rb.success) expect(ra.data.logistics.weight.eq(rb.data.logistics.weight)).toBe(true);
      }),
    );
  });

  it('never throws and reports paths for any JSON input', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseDeclaration(v);
        expect(r.success).toBe(false);
        for (const i of r.issues) {
          expect(typeof i.path).toBe('string');
          expect(i.message.zh && i.message.en).toBeTruthy();
        }
      }),
    );
  });

  it('keeps codes as strings: a numeric unit is a type error, not a silent 7', () => {
    const d = example('hangzhou-1210');
    d.order.items[0].unit = 7;
    const r = parseDeclaration(d);
    expect(r.issues).toContainEqual(expect.objectContaining({ code: 'field-type', path: 'order.items[0].unit' }));
  });

  it('reports each unknown field with its path and still parses the rest into the model', () => {
    const d = example('hangzhou-1210');
    d.order.items[1].colour = 'red';
    d.extra = true;
    const r = parseDeclaration(d);
    expect(r.success).toBe(true);
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ['unknown-field', 'extra'],
      ['unknown-field', 'order.items[1].colour'],
    ]);
  });

  it('reports a missing document and a non-object input', () => {
    const d = example('hangzhou-1210');
    delete d.payment;
    expect(parseDeclaration(d).issues).toContainEqual(
      expect.objectContaining({ code: 'field-required', path: 'payment' }),
    );
    expect(parseDeclaration('hello').issues).toEqual([expect.objectContaining({ code: 'field-type', path: '' })]);
    expect(parseDeclaration(null).issues[0]!.message.en).toMatch(/the input/);
  });

  it('the file text instead of its parsed JSON, or nothing: the message says what to pass', () => {
    const text = JSON.stringify(example('hangzhou-1210'));
    expect(parseDeclaration(text).issues.map((i) => [i.code, i.message])).toEqual([
      [
        'field-type',
        {
          zh: '输入应为申报对象，实际为字符串：请先解析 JSON 文本（JSON.parse）',
          en: 'The input must be the declaration object, got a string: parse the JSON text first (JSON.parse)',
        },
      ],
    ]);
    // A CEB message's text: "parse the JSON text first" was the wrong advice for it.
    expect(parseDeclaration('\n <?xml version="1.0"?><ceb:CEB311Message/>').issues.map((i) => i.message.en)).toEqual([
      'The input must be the declaration object, got XML text: a declaration is JSON with the CEB field names; read a CEB message (XML) with parseCebXml',
    ]);
    // It read "Required field the input is missing".
    expect(parseDeclaration(undefined).issues.map((i) => [i.code, i.message])).toEqual([
      ['field-required', { zh: '缺少输入：应为申报对象', en: 'The input is missing: expected the declaration object' }],
    ]);
  });

  it('rejects negative amounts, exponent notation and too many decimals', () => {
    for (const bad of ['-1.00', '1e3', '1.123456', '123456789012345', 'NaN', '']) {
      const d = example('hangzhou-1210');
      d.logistics.weight = bad;
      expect(
        parseDeclaration(d).issues.map((i) => i.path),
        bad,
      ).toContain('logistics.weight');
    }
  });

  it('rejects a negative amount given as a JSON number, however small', () => {
    // -0.5 reads as an N19,5 text ('-0.5'); only the sign check refuses it.
    for (const bad of [-0.5, -0.00001, -1, -12.5]) {
      const d = example('hangzhou-1210');
      d.logistics.weight = bad;
      expect(
        parseDeclaration(d).issues.map((i) => [i.code, i.path]),
        String(bad),
      ).toContainEqual(['field-format', 'logistics.weight']);
    }
    const d = example('hangzhou-1210');
    d.logistics.weight = 0;
    expect(parseDeclaration(d).success).toBe(true);
  });

  it('names the input itself without an empty path in Chinese, and both locales say what was given', () => {
    expect(parseDeclaration(42).issues.map((i) => i.message)).toEqual([
      { zh: '输入类型错误，应为 object，实际为 42', en: 'the input has the wrong type: expected object, got 42' },
    ]);
    const d = example('hangzhou-1210');
    d.order.items[0].unit = 7;
    const unit = parseDeclaration(d).issues.find((i) => i.path === 'order.items[0].unit')!;
    expect(unit.message.zh).toMatch(/^\S+（order\.items\[0\]\.unit）类型错误，应为 string，实际为 7$/);
  });

  it('exposes the zod schema for the JSON input shape', () => {
    expect(DeclarationSchema.safeParse(example('guangzhou-9610')).success).toBe(true);
  });
});
