import type { PositiveList, PositiveListMembership } from '../positive-list.js';

/**
 * `positiveListMembership` without the checks of a caller's arguments: for the positive-list
 * rule, per line, with the editions sandan loaded.
 */
export function membershipOf(edition: PositiveList, hs8: string, at: string): PositiveListMembership {
  const line = edition.lines.get(hs8);
  if (line && (line.effectiveFrom === undefined || line.effectiveFrom <= at)) return { status: 'listed', line };
  if (line)
    return {
      status: 'absent',
      reason: { zh: `自 ${line.effectiveFrom} 起才列入`, en: `listed only from ${line.effectiveFrom}` },
    };
  const gone = edition.absent.get(hs8);
  if (gone)
    return { status: 'absent', reason: typeof gone.note === 'string' ? { zh: gone.note, en: gone.note } : gone.note };
  if (edition.complete)
    return { status: 'absent', reason: { zh: '全文无此税号', en: 'the whole list has no such line' } };
  const heading = hs8.slice(0, 4);
  if (edition.completeHeadings.has(heading))
    return {
      status: 'absent',
      reason: {
        zh: `品目 ${heading} 完整，无此税号`,
        en: `heading ${heading}, complete in sandan's copy, has no such line`,
      },
    };
  return { status: 'unconfirmed' };
}
