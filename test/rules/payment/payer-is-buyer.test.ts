import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/index.js';
import { payerIsBuyer } from '../../../src/rules/payment/payer-is-buyer.js';
import { example } from '../../helpers/examples.js';
import { mismatch, nationalSetting, ruleTester } from '../rule-tester.js';

ruleTester(payerIsBuyer, {
  valid: [
    { name: 'the buyer paid (the example declaration)' },
    {
      // One person as the quota ledger keys one (normaliseIdNumber); identity/id-number warns about the x.
      name: 'the same ID number with X on the order and x on the payment',
      set: { 'order.buyerIdNumber': '11010519491231002X', 'payment.payerIdNumber': '11010519491231002x' },
    },
  ],
  invalid: [
    {
      name: 'someone else paid',
      set: { 'payment.payerName': '王五' },
      errors: [mismatch('payer-not-buyer', 'payment.payerName', 'order.buyerName', '王五', '张三')],
    },
    {
      name: 'numbers that differ in more than the case of x',
      set: { 'order.buyerIdNumber': '11010519491231002X', 'payment.payerIdNumber': '11010519491231003x' },
      errors: [
        mismatch(
          'payer-not-buyer',
          'payment.payerIdNumber',
          'order.buyerIdNumber',
          '11010519491231003x',
          '11010519491231002X',
        ),
      ],
    },
    {
      name: 'another ID number and name',
      set: { 'payment.payerIdNumber': '11010519491231002X', 'payment.payerName': '李四' },
      errors: [
        mismatch(
          'payer-not-buyer',
          'payment.payerIdNumber',
          'order.buyerIdNumber',
          '11010519491231002X',
          '330106199003071519',
        ),
        mismatch('payer-not-buyer', 'payment.payerName', 'order.buyerName', '李四', '张三'),
      ],
    },
  ],
});

describe('payment/payer-is-buyer in the national ruleset, by date', () => {
  const setting = (at: string) => nationalSetting('payment/payer-is-buyer', at);
  const national = JSON.parse(readFileSync(new URL('../../../rulesets/national.json', import.meta.url), 'utf8'));

  it('cites 海关总署公告2016年第26号 until 2018-12-31 and 2018年第194号 （九） from 2019-01-01, an error both times', () => {
    for (const at of ['2016-04-08', '2018-06-01', '2018-12-31']) {
      expect(setting(at)?.severity, at).toBe('error');
      expect(setting(at)?.source, at).toMatch(/^海关总署公告2016年第26号 第三部分 第（六）项/);
    }
    for (const at of ['2019-01-01', '2026-12-06']) {
      expect(setting(at)?.severity, at).toBe('error');
      expect(setting(at)?.source, at).toMatch(/^海关总署公告2018年第194号 （九）: .*订购人与支付人应当为同一人/);
    }
    expect(setting('2016-04-07')).toBeUndefined();
    expect(
      national.rules['payment/payer-is-buyer'].map((s: Record<string, string>) => [
        s.source,
        s.effectiveFrom,
        s.effectiveTo,
      ]),
    ).toEqual([
      ['GACC-2016-26', '2016-04-08', '2018-12-31'],
      ['GACC-2018-194-9', '2019-01-01', undefined],
    ]);
  });

  it('194号 （九） is the same document as GACC-2018-194, which replaces 26号', () => {
    const byId = new Map(national.sources.map((s: Record<string, string>) => [s.id, s]));
    const [a, b] = [byId.get('GACC-2018-194-9'), byId.get('GACC-2018-194')] as Array<Record<string, string>>;
    expect([a?.issuer, a?.number, a?.title, a?.date, a?.kind]).toEqual([
      b?.issuer,
      b?.number,
      b?.title,
      b?.date,
      b?.kind,
    ]);
    expect((byId.get('GACC-2016-26') as Record<string, string>).note).toContain(
      'Replaced from 2019-01-01 by 海关总署公告2018年第194号',
    );
  });

  it('a payer other than the buyer is refused before and after 2019-01-01 (receipt 1327)', () => {
    for (const at of ['2018-06-01', '2026-12-06']) {
      const d = example('hangzhou-1210');
      d.payment.payerName = '王五';
      const found = validate(d, { at }).issues.filter((i) => i.ruleId === 'payment/payer-is-buyer');
      expect(
        found.map((i) => [i.code, i.severity, i.path]),
        at,
      ).toEqual([['payer-not-buyer', 'error', 'payment.payerName']]);
    }
  });
});
