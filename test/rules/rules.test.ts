import { describe, expect, it } from 'vitest';
import {
  createValidator,
  parseRateTable,
  RULES,
  validate as validateWith,
  type ValidateOptions,
} from '../../src/index.js';
import { renderMessage, placeholders } from '../../src/rules/messages.js';
import type { Report, Rule, RuleContext } from '../../src/rules/types.js';
import { orderRegime } from '../../src/rules/_lib/regime.js';
import { taxOf } from '../../src/rules/_lib/tax.js';
import type { CodeTables } from '../../src/rules/codes.js';
import { createContext } from '../../src/rules/context.js';
import type { Policy } from '../../src/rules/policy.js';
import { prepare, runRule } from '../../src/rules/validate.js';
import { parseDeclaration } from '../../src/model/parse.js';
import { catalogueHelp } from '../../src/xml/receipts.js';
import { example, exampleRates } from '../helpers/examples.js';

/** Validates with the example rate table, as the README does. */
const validate = (d: unknown, options: ValidateOptions = {}) =>
  validateWith(d, { rates: parseRateTable(exampleRates()), ...options });

describe('national rules', () => {
  it.each(['hangzhou-1210', 'guangzhou-9610'] as const)(
    'the example %s passes every rule (only the incomplete positive list warns)',
    (name) => {
      const r = validate(example(name));
      expect(r.valid).toBe(true);
      expect(r.issues.map((i) => `${i.code}:${i.severity}`)).toEqual(
        r.issues.map(() => 'positive-list-unconfirmed:warning'),
      );
    },
  );
});

/** A rule made for the engine tests: it reports what `reports` gives, or throws. */
function fakeRule(reports: () => Report[]): Rule {
  return {
    ...RULES[0]!,
    id: 'test/fake',
    messages: { hello: { zh: '你好 {name}', en: 'Hello {name}' }, plain: { code: 'plain-code', zh: '无', en: 'none' } },
    check: () => reports(),
  };
}

describe('the engine renders what rules report', () => {
  const ctx = {} as RuleContext;

  it('fills placeholders per language, takes the code of the message, and keeps expected/actual', () => {
    const rule = fakeRule(() => [
      {
        messageId: 'hello',
        path: 'order.x',
        data: { name: { zh: '张三', en: 'Zhang San' } },
        expected: 'a',
        actual: 'b',
      },
      { messageId: 'plain', path: '', severity: 'warning' },
    ]);
    expect(runRule(rule, ctx, 'error', {})).toEqual([
      {
        code: 'hello',
        severity: 'error',
        path: 'order.x',
        ruleId: 'test/fake',
        expected: 'a',
        actual: 'b',
        message: { zh: '你好 张三', en: 'Hello Zhang San' },
      },
      { code: 'plain-code', severity: 'warning', path: '', ruleId: 'test/fake', message: { zh: '无', en: 'none' } },
    ]);
    // A warning of the ruleset stays a warning whatever the report says.
    expect(runRule(rule, ctx, 'warning', {}).map((i) => i.severity)).toEqual(['warning', 'warning']);
  });

  it('adds the receipt catalogue’s help to a code that mirrors customs', () => {
    const rule = {
      ...fakeRule(() => [{ messageId: '1332', path: 'payment.amountPaid' }]),
      messages: { '1332': { zh: '甲', en: 'A' } },
    };
    expect(runRule(rule, ctx, 'error', {})[0]?.help).toEqual(catalogueHelp('1332'));
  });

  it.each([
    [
      'a rule that throws',
      () => {
        throw new Error('boom');
      },
      'Error: boom',
    ],
    ['an unknown message id', () => [{ messageId: 'nope', path: '' }], 'Error: no message "nope"'],
    [
      'a placeholder without a value',
      () => [{ messageId: 'hello', path: '', data: {} }],
      'Error: message placeholder {name} has no value',
    ],
  ] as const)('reports %s as rule-failed, and nothing else of that rule', (_, reports, why) => {
    expect(runRule(fakeRule(reports as () => Report[]), ctx, 'warning', {})).toEqual([
      {
        code: 'rule-failed',
        severity: 'error',
        path: '',
        ruleId: 'test/fake',
        message: { zh: `规则 test/fake 执行失败：${why}`, en: `Rule test/fake failed: ${why}` },
      },
    ]);
  });

  it('renders numbers as text and leaves text without placeholders alone', () => {
    expect(renderMessage({ zh: '{n} 项', en: '{n} lines' }, { n: 3 })).toEqual({ zh: '3 项', en: '3 lines' });
    expect(renderMessage({ zh: '{ 不是占位符 }', en: '{}' }, undefined)).toEqual({ zh: '{ 不是占位符 }', en: '{}' });
    expect(placeholders('{a} {b} {a}')).toEqual(['a', 'b']);
  });

  it('fills every placeholder, repeated and side by side, each language from its own half of a {zh, en} value', () => {
    const template = { zh: '{a}{b}：{kind}，{a}', en: '{a}{b}: {kind}, {a}$&' };
    const data = { a: 'x', b: 7, kind: { zh: '关税', en: 'duty' } };
    expect(renderMessage(template, data)).toEqual({ zh: 'x7：关税，x', en: 'x7: duty, x$&' });
    // Rendered twice from the same template (compiled once), with other data.
    expect(renderMessage(template, { ...data, a: '$1' })).toEqual({ zh: '$17：关税，$1', en: '$17: duty, $1$&' });
    expect(() => renderMessage(template, { a: 'x', kind: 'k' })).toThrow('message placeholder {b} has no value');
  });
});

describe('typed services and accessors', () => {
  it('the typed quota option wins over the deprecated extras.quota', () => {
    const d = example('hangzhou-1210');
    const annual = (o: ValidateOptions) => validate(d, o).issues.filter((i) => i.code === '1313').length;
    expect(annual({ quota: { used: () => '0' }, extras: { quota: { used: () => '26000' } } })).toBe(0);
    expect(annual({ extras: { quota: { used: () => '26000' } } })).toBe(1);
    expect(annual({ quota: { used: () => '26000' } })).toBe(1);
  });

  it('document accessors take only the document’s own field names', () => {
    const check = (ctx: RuleContext) => {
      const order = ctx.doc('order');
      // @ts-expect-error a misspelt key does not compile
      ctx.str(order, 'paycode');
      // @ts-expect-error a field of another document does not compile
      ctx.dec(order, 'amountPaid');
      const [first] = ctx.lines('inventory');
      // @ts-expect-error an order line's field is not an inventory line's
      ctx.str(first?.line, 'itemDescribe');
      return [ctx.str(order, 'payCode'), ctx.dec(first?.line, 'qty1')];
    };
    expect(typeof check).toBe('function');
  });

  it('once() computes a value once per context, keyed by its name, undefined included', () => {
    const context = () =>
      createContext({
        input: {},
        declaration: undefined,
        at: '2026-01-01',
        policy: {} as Policy,
        codes: {} as CodeTables,
        parseIssues: [],
        services: {
          rates: [],
          positiveLists: [],
          goodsRecords: undefined,
          quota: undefined,
          annualQuantities: undefined,
        },
      });
    const A = {};
    const B = {};
    let calls = 0;
    const ctx = context();
    const value = { n: 1 };
    expect(ctx.once(A, () => (calls++, value))).toBe(value);
    expect(ctx.once(A, () => (calls++, { n: 2 }))).toBe(value);
    expect(ctx.once(B, () => (calls++, undefined))).toBeUndefined();
    expect(ctx.once(B, () => (calls++, 'late'))).toBeUndefined();
    expect(calls).toBe(2);
    // A new declaration's context computes anew.
    expect(context().once(A, () => (calls++, 'other'))).toBe('other');
    expect(calls).toBe(3);
  });

  it('the tax computation and the regime decision are made once per validation', () => {
    const d = example('hangzhou-1210');
    const prepared = prepare({ rates: parseRateTable(exampleRates()) });
    const { resolved } = prepared.resolve(d);
    const context = () =>
      createContext({
        input: d,
        declaration: parseDeclaration(d).data,
        at: resolved.at,
        policy: resolved.policy,
        district: resolved.district,
        codes: prepared.codes,
        parseIssues: [],
        services: prepared.services,
      });
    const ctx = context();
    const tax = taxOf(ctx);
    const regime = orderRegime(ctx);
    expect(tax?.taxTotal.toFixed(2)).toBe('49.87');
    expect(regime?.regime).toBe('cbec');
    expect(taxOf(ctx)).toBe(tax);
    expect(orderRegime(ctx)).toBe(regime);
    const next = context();
    expect(taxOf(next)).not.toBe(tax);
    expect(taxOf(next)).toEqual(tax);
  });
});

describe('one validator, many declarations', () => {
  it('checks each declaration’s own tax (nothing carries over between validations)', () => {
    const validator = createValidator({ rates: parseRateTable(exampleRates()) });
    const a = example('hangzhou-1210');
    const b = example('hangzhou-1210');
    // b's cream costs 250.00: VAT 250.00 × 13% × 0.7 = 22.75; 36.22 + 22.75 = 58.97.
    for (const doc of [b.order, b.inventory]) Object.assign(doc.items[1], { price: '250.00', totalPrice: '250.00' });
    Object.assign(b.order, { goodsValue: '648.00', taxTotal: '58.97', acturalPaid: '706.97' });
    b.payment.amountPaid = '706.97';
    expect(validator(a).valid).toBe(true);
    expect(validator(b).issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(validator(a).valid).toBe(true);
  });
});
