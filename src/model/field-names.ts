import { CEB_FIELD_NAMES_ZH } from './generated/ceb-elements.js';
import { ownValue } from './guards.js';

/** Chinese names of CEB fields (the 2022-05 CEB interface spec), used in issue messages; kept in src/model/overlay.ts. */
export const FIELD_NAMES_ZH: Readonly<Record<string, string>> = CEB_FIELD_NAMES_ZH;

/** The Chinese name of the last field of a path such as `order.items[1].qty`, or the path itself. */
export function fieldNameZh(path: string): string {
  const last =
    path
      .replace(/\[\d+\]$/, '')
      .split('.')
      .pop() ?? path;
  return ownValue(FIELD_NAMES_ZH, last) ?? last;
}
