import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdNumber, idCheckCharacter } from '../../src/index.js';

const datePart = fc
  .date({ min: new Date('1920-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));
const first17 = fc
  .tuple(
    fc.constantFrom('11', '31', '33', '44', '65', '81'),
    fc.stringMatching(/^\d{4}$/),
    datePart,
    fc.stringMatching(/^\d{3}$/),
  )
  .map((p) => p.join(''));

describe('GB 11643 ID numbers', () => {
  it('computes the check character of a known number (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, mod 11)', () => {
    // 3·7+3·9+0·10+1·5+0·8+6·4+1·2+9·1+9·6+0·3+0·7+3·9+0·10+7·5+1·8+5·4+1·2 = 234; 234 mod 11 = 3 → "9"
    expect(idCheckCharacter('33010619900307151')).toBe('9');
    expect(checkIdNumber('330106199003071519')).toBeUndefined();
    // the Guangzhou example: sum mod 11 = 6 → "4"
    expect(checkIdNumber('440106198506122024')).toBeUndefined();
  });

  it('weighs each position by 2^(17−i) mod 11 (ISO 7064 MOD 11-2): a single 1 at position i', () => {
    // With one digit 1 and the rest 0 the sum is the weight alone, and the check character is the
    // one that makes sum + check ≡ 1 (mod 11): (12 − sum mod 11) mod 11, 10 written X.
    for (let i = 0; i < 17; i++) {
      const weight = 2 ** (17 - i) % 11;
      const check = (12 - (weight % 11)) % 11;
      const digits = `${'0'.repeat(i)}1${'0'.repeat(16 - i)}`;
      expect(idCheckCharacter(digits), `position ${i}, weight ${weight}`).toBe(check === 10 ? 'X' : String(check));
    }
  });

  it('accepts every number whose check character is computed, and rejects every other check character', () => {
    fc.assert(
      fc.property(first17, fc.constantFrom(...'0123456789X'), (body, c) => {
        const good = body + idCheckCharacter(body);
        expect(checkIdNumber(good)).toBeUndefined();
        if (c !== idCheckCharacter(body)) expect(checkIdNumber(body + c)).toBe('check-digit');
      }),
    );
  });

  it('rejects impossible and future birth dates, lower-case x and wrong lengths', () => {
    const withCheck = (b: string) => b + idCheckCharacter(b);
    expect(checkIdNumber(withCheck('33010619900230151'))).toBe('birth-date');
    expect(checkIdNumber(withCheck('33010620300101151'), '2026-11-21')).toBe('birth-date');
    expect(checkIdNumber(withCheck('33010620000229151'))).toBeUndefined(); // 2000 is a leap year
    expect(checkIdNumber(withCheck('33010619000229151'))).toBe('birth-date'); // 1900 is not
    expect(checkIdNumber('11010519491231002x')).toBe('format');
    expect(checkIdNumber('11010519491231002')).toBe('format');
  });
});
