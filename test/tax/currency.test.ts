import { describe, expect, it } from 'vitest';
import { convertToCny } from '../../src/tax/index.js';
import { Dec } from '../../src/model/index.js';

describe('convertToCny (海关总署令第272号 Art. 13: half-up to the fen)', () => {
  it('100.00 USD at 7.1234 = 712.34', () => {
    expect(convertToCny(new Dec('100.00'), '7.1234').toFixed(2)).toBe('712.34');
  });
  it('rounds half-up: 12.5 JPY at 0.0478 = 0.5975 → 0.60; 10.05 at 0.5 = 5.025 → 5.03', () => {
    expect(convertToCny('12.5', '0.0478').toFixed(2)).toBe('0.60');
    expect(convertToCny('10.05', '0.5').toFixed(2)).toBe('5.03');
  });
  it('no float drift: 0.1 + 0.2 style inputs stay exact (19.99 × 7.0 = 139.93)', () => {
    expect(convertToCny('19.99', '7.0').toFixed(2)).toBe('139.93');
  });
  it('rejects a negative amount or a non-positive rate', () => {
    expect(() => convertToCny('-1', '7')).toThrow(/non-negative/);
    expect(() => convertToCny('1', '0')).toThrow(/positive/);
  });
});
