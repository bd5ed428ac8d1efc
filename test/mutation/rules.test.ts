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
