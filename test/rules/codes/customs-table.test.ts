import { describe, expect, it } from 'vitest';
import { bundledCodeTables } from '../../../src/rules/bundled.js';
import { refIds } from '../../../src/model/sources.js';

const customs = bundledCodeTables().customs!;
const districts = customs.entries.filter((e) => e.kind === 'district');

/*
 * The 42 directly subordinate customs (JGS/T 18 关区代码 xx00), without 0000 海关总署 and 5000 广东分署.
 * 9600 is 银川 and 9700 西宁 (customs' own 关区 list quotes 9700 西宁关区, and the table's code order puts
 * 银川 between 兰州 9500 and 西宁); one seed list had 9600 西宁 and 9900 银川, which made 97xx codes
 * unknown and 99xx ones accepted.
 */
const DISTRICTS = [
  '0100 0200 0400 0500 0600 0700 0800 0900 1500 1900 2200 2300 2900 3100',
  '3300 3500 3700 4000 4200 4300 4600 4700 4900 5100 5200 5300 5700 6000',
  '6400 6700 6800 7200 7900 8000 8300 8600 8800 9000 9400 9500 9600 9700',
]
  .join(' ')
  .split(' ');

describe('customs code table (关区代码)', () => {
  it('lists exactly the 42 districts, each its own district', () => {
    expect(districts.map((e) => e.code)).toEqual(DISTRICTS);
    for (const e of districts) expect(e.district, e.code).toBe(e.code);
  });

  it('9600 is Yinchuan, 9700 Xining, and there is no 9900', () => {
    expect(customs.get('9600')?.zh).toBe('银川海关');
    expect(customs.get('9700')?.zh).toBe('西宁海关');
    expect(customs.get('9900')).toBeUndefined();
  });

  it('every office belongs to a listed district with its first two digits', () => {
    for (const e of customs.entries.filter((x) => x.kind === 'office')) {
      expect(e.district, e.code).toBe(`${e.code.slice(0, 2)}00`);
      expect(customs.get(e.district!)?.kind, e.code).toBe('district');
    }
  });

  it('a district printed by the seed list S1 alone is marked, unless another source names an office of it', () => {
    for (const e of districts) {
      if (e.confidence !== undefined || refIds(e.source).join() !== 'S1') continue;
      const confirmed = customs.entries.some(
        (o) => o.kind === 'office' && o.district === e.code && !refIds(o.source).every((id) => id === 'S1'),
      );
      expect(confirmed, `${e.code} rests on S1 alone and is not marked`).toBe(true);
    }
  });
});
