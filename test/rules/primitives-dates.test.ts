import { describe, expect, it } from 'vitest';
import { checkIdNumber, createValidator, declarationDate, validate } from '../../src/index.js';
import type { QuotaLedger } from '../../src/quota/ledger.js';
import { buyerIdProblem } from '../../src/quota/core.js';
import { validateWithQuota } from '../../src/quota/validate.js';
import { declarationDateField } from '../../src/rules/declaration-date.js';
import { idNumberKeyProblem } from '../../src/rules/id-number.js';
import { example } from '../helpers/examples.js';

/** A ledger that fails the test if it is asked anything. */
// A ledger whose every method throws when called (validateWithQuota checks that they are there, then must not ask).
const untouchable = new Proxy(
  {},
  {
    get(_, name) {
      return () => {
        throw new Error(`the ledger was asked for ${String(name)}`);
      };
    },
  },
) as QuotaLedger;

describe('the date of a declaration is read from a real CEB time only', () => {
  it('reads declTime, else appTime, of every CEB form', () => {
    expect(declarationDate({ inventory: { declTime: '20261120' }, order: { appTime: '20250101101500' } })).toBe(
      '2026-11-20',
    );
    expect(declarationDate({ order: { appTime: '20261120101500' } })).toBe('2026-11-20');
    expect(declarationDate({ inventory: { declTime: '20250229' }, order: { appTime: '20261120101500' } })).toBe(
      '2026-11-20',
    );
    expect(declarationDate([{ order: { appTime: '20261120101500' } }])).toBeUndefined();
    expect(declarationDate(null)).toBeUndefined();
  });

  it('names the field the date came from, else the one that should carry it', () => {
    const both = { inventory: { declTime: '20261120' }, order: { appTime: '20250101101500' } };
    expect(declarationDateField(both)).toEqual({ date: '2026-11-20', path: 'inventory.declTime' });
    const unreadable = { inventory: { declTime: '20250229' }, order: { appTime: '20261120101500' } };
    expect(declarationDateField(unreadable)).toEqual({ date: '2026-11-20', path: 'order.appTime' });
    expect(declarationDateField({ inventory: {}, order: { appTime: 'x' } })).toEqual({
      date: undefined,
      path: 'inventory.declTime',
    });
    expect(declarationDateField({ order: {} })).toEqual({ date: undefined, path: 'order.appTime' });
    expect(declarationDateField(null)).toEqual({ date: undefined, path: '' });
  });

  it('takes no date from a field whose day is real but whose time or length is not (it used to read the first 8 digits)', () => {
    expect(declarationDate({ order: { appTime: '20261120241500' } })).toBeUndefined(); // hour 24
    expect(declarationDate({ inventory: { declTime: '20261120x' } })).toBeUndefined();
    expect(declarationDate({ inventory: { declTime: '202611201015' } })).toBeUndefined();
    // Then the newest policy applies, as for a declaration without a date.
    const d = example('hangzhou-1210');
    d.inventory.declTime = '2026112';
    d.order.appTime = '20261120241500';
    const r = validate(d);
    expect(r.ruleset.at).toBe('9999-12-31');
    expect(r.issues.some((i) => i.path === 'order.appTime' && i.code === 'field-format')).toBe(true);
  });

  it('refuses an impossible date passed per declaration to a validator, as the option', () => {
    const v = createValidator();
    const d = example('hangzhou-1210');
    expect(v(d, '2024-02-29').ruleset.at).toBe('2024-02-29');
    expect(() => v(d, '2026-02-30')).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: 'at: "2026-02-30" is not a real date (YYYY-MM-DD)' }),
    );
    expect(() => v(d, '20261120')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('refuses an impossible --at with quota before asking the ledger', async () => {
    const d = example('hangzhou-1210');
    await expect(validateWithQuota(d, untouchable, { at: '2026-02-30' })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    // Neither a declaration without a buyer nor one that is no record asks the ledger.
    const r = await validateWithQuota([d], untouchable);
    expect(r.valid).toBe(false);
    expect(r.quota).toBeUndefined();
  });
});

describe('ID numbers: the ledger key and the rule share one check', () => {
  // 11010519491231002X: the check character of 11010519491231002 is X (GB 11643 example).
  it('keys on form and check character, without the birth date', () => {
    expect(idNumberKeyProblem('11010519491231002X')).toBeUndefined();
    expect(idNumberKeyProblem('110105194912310021')).toBe('check-digit');
    expect(idNumberKeyProblem('11010519491231002x')).toBe('format');
    expect(idNumberKeyProblem('1101051949123100')).toBe('format');
    // Birth date 1949-13-31 is impossible (check character 1 is right): the rule says so, the key does not care.
    expect(idNumberKeyProblem('110105194913310021')).toBeUndefined();
    expect(buyerIdProblem('110105194913310021')).toBeUndefined();
    expect(buyerIdProblem('110105194912310021')).toBe('check-digit');
    expect(checkIdNumber('110105194913310021')).toBe('birth-date');
  });

  it('reports the birth date before the check character, as before', () => {
    // 20250229 is no day, and the check character is wrong too (9 would be right).
    expect(checkIdNumber('110105202502290010')).toBe('birth-date');
    expect(checkIdNumber('11010519491231002X', '1949-12-30')).toBe('birth-date');
    expect(checkIdNumber('110105194912310021')).toBe('check-digit');
    expect(checkIdNumber('11010519491231002X', '1949-12-31')).toBeUndefined();
  });
});
