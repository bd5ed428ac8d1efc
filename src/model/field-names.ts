import { CEB_FIELD_NAMES_ZH } from './generated/ceb-elements.js';
import { ownValue, checkArgument } from './guards.js';

/** Chinese names of CEB fields (the 2022-05 CEB interface spec), used in issue messages; kept in src/model/overlay.ts. */
export const FIELD_NAMES_ZH: Readonly<Record<string, string>> = CEB_FIELD_NAMES_ZH;

/** The Chinese name of the last field of a path such as `order.items[1].qty`, or the path itself. */
export function fieldNameZh(path: string): string {
  checkArgument(path, 'text', 'fieldNameZh', 'the path');
  const last =
    path
      .replace(/\[\d+\]$/, '')
      .split('.')
      .pop() ?? path;
  return ownValue(FIELD_NAMES_ZH, last) ?? last;
}

/** Edits (insert, delete, replace, swap two neighbours) from `a` to `b`, or `max + 1` once more are needed. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  // Optimal string alignment over three rows.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known field a misspelled `key` most likely meant: one that differs only in case, else the
 * one nearest by edits ignoring case (at most 1 for names up to 4 letters, 2 beyond), when it is
 * the only one that near. `actualPaid` → `acturalPaid` (the spec's spelling), `orderNO` → `orderNo`.
 */
export function nearestFieldName(key: string, known: Iterable<string>): string | undefined {
  const lower = key.toLowerCase();
  const names = [...known];
  const sameLetters = names.find((n) => n.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const max = key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = max + 1;
  let tie = false;
  for (const n of names) {
    const d = editDistance(lower, n.toLowerCase(), max);
    if (d < bestDistance) (best = n), (bestDistance = d), (tie = false);
    else if (d === bestDistance && d <= max) tie = true;
  }
  return best !== undefined && !tie ? best : undefined;
}

/** The end of an unknown field's message naming {@link nearestFieldName}'s answer ('' when there is none), zh and en. */
export function didYouMean(key: string, known: Iterable<string>): { zh: string; en: string } {
  const near = nearestFieldName(key, known);
  return near === undefined ? { zh: '', en: '' } : { zh: `；是否应为 ${near}？`, en: `; did you mean ${near}?` };
}
