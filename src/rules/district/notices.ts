import { isWithinDates } from '../../time/beijing.js';
import { defineRule } from '../types.js';

/**
 * Dated notices of a district: a local requirement marked `notice` in the district ruleset is
 * reported on every declaration dated within its effective range, so that a change nobody has
 * turned into rules yet (e.g. Hainan's island-wide special customs operations) is not missed.
 * The text and its source are data; this rule only shows them.
 */
export const districtNotices = defineRule({
  id: 'district/notices',
  description: {
    zh: '关区规则中标为提示（notice）且在申报日期有效的当地要求，逐条提示',
    en: 'Shows each local requirement the district ruleset marks as a notice and that is in force on the declaration date',
  },
  source: 'rulesets/districts/*.json (localRequirements with notice: true), each citing its sources',
  defaultSeverity: 'warning',
  codes: {
    'district-notice': {
      zh: '关区提示：请核实当地现行要求',
      en: 'District notice: confirm the local requirements in force',
    },
  },
  messages: {
    'district-notice': {
      zh: '{name}（{district}）提示 {id}{since}：{text}',
      en: '{name} ({district}) notice {id}{since}: {text}',
    },
  },
  examples: {
    valid: [{ name: 'Hangzhou has no notice in force (the example declaration)' }],
    invalid: [
      {
        name: 'Haikou, from the island-wide special customs operations on',
        set: { 'inventory.customsCode': '6400', 'inventory.portCode': '6400', 'inventory.declTime': '20260105' },
        code: 'district-notice',
        path: '',
      },
    ],
  },
  check(ctx) {
    const district = ctx.district;
    if (!district) return [];
    return district.localRequirements
      .filter((r) => r.notice && isWithinDates(ctx.at, r.effectiveFrom, r.effectiveTo))
      .map((r) => ({
        messageId: 'district-notice' as const,
        path: '',
        data: {
          name: district.name,
          district: district.code,
          id: r.id,
          since: r.effectiveFrom
            ? { zh: `，自 ${r.effectiveFrom}`, en: `, since ${r.effectiveFrom}` }
            : { zh: '', en: '' },
          text: r.text,
        },
      }));
  },
});
