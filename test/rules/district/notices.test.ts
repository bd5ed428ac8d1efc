import { districtNotices } from '../../../src/rules/district/notices.js';
import { ruleTester } from '../rule-tester.js';

/** The notice's text, as the district ruleset has it. */
const NOTICE_TEXT = {
  zh: '海南自由贸易港自2025年12月18日起实施全岛封关运作（“一线放开、二线管住”），相关海关监管办法同步实施；申报前请向海口海关确认跨境电商零售进口在岛内的现行要求',
  en: 'From 2025-12-18 the Hainan FTP runs island-wide special customs operations ("first line open, second line controlled") with new customs supervision measures; before declaring, confirm with Haikou Customs what now applies to CBEC retail imports on the island',
};

const HAIKOU = { 'inventory.customsCode': '6400', 'inventory.portCode': '6400' };

ruleTester(districtNotices, {
  valid: [
    { name: 'Hangzhou has no notice in force' },
    { name: 'Haikou before the notice took effect', set: { ...HAIKOU, 'inventory.declTime': '20250105' } },
    { name: 'national rules only', set: { 'inventory.customsCode': '1124' } },
  ],
  invalid: [
    {
      name: 'Haikou, from the island-wide special customs operations on',
      set: { ...HAIKOU, 'inventory.declTime': '20260105' },
      errors: [
        {
          code: 'district-notice',
          path: '',
          severity: 'warning',
          data: {
            name: { zh: '海口海关', en: 'Haikou Customs' },
            district: '6400',
            id: 'hainan-island-wide-closure',
            since: { zh: '，自 2025-12-18', en: ', since 2025-12-18' },
            text: NOTICE_TEXT,
          },
        },
      ],
    },
    {
      name: 'a notice without a start date; notices not in force or not marked are not shown',
      context: (ctx) => ({
        ...ctx,
        district: {
          ...ctx.district!,
          localRequirements: [
            { id: 'always', text: { zh: '甲', en: 'A' }, notice: true, source: 'X' },
            { id: 'not-a-notice', text: { zh: '乙', en: 'B' }, source: 'X' },
            { id: 'ended', text: { zh: '丙', en: 'C' }, notice: true, effectiveTo: '2020-01-01', source: 'X' },
            { id: 'later', text: { zh: '丁', en: 'D' }, notice: true, effectiveFrom: '2027-01-01', source: 'X' },
          ],
        },
      }),
      errors: [
        {
          code: 'district-notice',
          path: '',
          severity: 'warning',
          data: {
            name: { zh: '杭州海关', en: 'Hangzhou Customs' },
            district: '2900',
            id: 'always',
            since: { zh: '', en: '' },
            text: { zh: '甲', en: 'A' },
          },
          message: { zh: '杭州海关（2900）提示 always：甲', en: 'Hangzhou Customs (2900) notice always: A' },
        },
      ],
    },
  ],
});
