import { describe, expect, it } from 'vitest';
import { checkIdNumber, idBirthDate, idCheckCharacter } from '../../src/rules/id-number.js';

// Cases written to kill mutants that survived `npm run mutate` (see docs/testing.md).

/** ISO 7064 MOD 11-2 as GB 11643-1999 states it, written out here as the oracle. */
function check(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (weights[i] as number);
  return '10X98765432'[sum % 11] as string;
}
const id = (first17: string) => first17 + check(first17);

describe('GB 11643 check character', () => {
  it("the standard's own example: 11010519491231002 → X", () => {
    expect(idCheckCharacter('11010519491231002')).toBe('X');
  });
  it('agrees with the oracle on sums that leave every remainder', () => {
    for (let seq = 100; seq < 122; seq++) {
      const first17 = `110105198803${String(1 + (seq % 28)).padStart(2, '0')}${seq}`;
      expect(idCheckCharacter(first17)).toBe(check(first17));
    }
  });
});

describe('birth dates at the end of a month', () => {
  it('exist in leap years not divisible by 5 or 100 (1992, 1996) and in 2000', () => {
    for (const year of ['1992', '1996', '2000']) {
      expect(idBirthDate(id(`110105${year}0229001`))).toBe(`${year}-02-29`);
      expect(checkIdNumber(id(`110105${year}0229001`))).toBeUndefined();
    }
  });
  it('no month has a 32nd day; April, June, September and November have no 31st; May does', () => {
    for (let m = 1; m <= 12; m++) {
      expect(idBirthDate(id(`1101051988${String(m).padStart(2, '0')}32001`))).toBeUndefined();
    }
    for (const m of ['04', '06', '09', '11']) expect(idBirthDate(id(`1101051988${m}31001`))).toBeUndefined();
    expect(idBirthDate(id('11010519880531001'))).toBe('1988-05-31');
  });
  it('do not exist in 1900 (divisible by 100, not 400) or 1995', () => {
    for (const year of ['1900', '1995']) {
      expect(idBirthDate(id(`110105${year}0229001`))).toBeUndefined();
      expect(checkIdNumber(id(`110105${year}0229001`))).toBe('birth-date');
    }
  });
});

describe('kills from the sample of 2026-12-01 (seed 11)', () => {
  it('a birth year before 1900 is not a birth date (the bound is 1900 itself, read from digits 7–10)', async () => {
    const { idBirthDate } = await import('../../src/rules/id-number.js');
    expect(idBirthDate(id('11010518991231002'))).toBeUndefined();
    expect(idBirthDate(id('11010519000101002'))).toBe('1900-01-01');
  });

  it('an ID of 11 characters is masked whole, one of 12 keeps four at each end', async () => {
    const { maskIdNumber } = await import('../../src/rules/id-number.js');
    expect(maskIdNumber('12345678901')).toBe('***********');
    expect(maskIdNumber('123456789012')).toBe('1234****9012');
  });

  it('trade-mode/allowed without ruleset options allows 9610, 1210 and 1239', async () => {
    const { tradeModeAllowed } = await import('../../src/rules/trade-mode/allowed.js');
    expect(tradeModeAllowed.options?.parse({})).toEqual({ allowed: ['9610', '1210', '1239'] });
  });

  it('a positive-list CSV without a byte-order mark keeps its first character', async () => {
    const { parseCsv } = await import('../../src/rules/positive-list-import.js');
    expect(parseCsv('序号,税则号列\n1,0101210010\n')[0]).toEqual(['序号', '税则号列']);
    expect(parseCsv('\uFEFF序号,税则号列\n')[0]).toEqual(['序号', '税则号列']);
  });
});
