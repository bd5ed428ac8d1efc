import { loadPositiveList, type PositiveList, type PositiveListData } from '../../src/rules/positive-list.js';

/** A small partial edition in force from 2022-03-01, made of the given lines (tests of the positive list). */
export function testEdition(lines: PositiveListData['lines'], extra: Partial<PositiveListData> = {}): PositiveList {
  return loadPositiveList(
    {
      id: 'test-2022',
      edition: '2022',
      name: { zh: '测试清单', en: 'test list' },
      effectiveFrom: '2022-03-01',
      complete: false,
      sources: [{ id: 'T', issuer: 'test', title: 'test', section: 'test', kind: 'secondary' }],
      completeness: { statement: 'test', completeHeadings: [] },
      lines,
      ...extra,
    },
    'test',
  );
}
