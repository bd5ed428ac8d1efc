import { z } from 'zod';
import { inForce } from '../policy.js';
import { defineRule, type RuleIssue } from '../types.js';

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
  options: z.strictObject({}),
  codes: {
    'district-notice': {
      zh: '关区提示：请核实当地现行要求',
      en: 'District notice: confirm the local requirements in force',
    },
  },
  check(ctx) {
    const district = ctx.district;
    if (!district) return [];
    const out: RuleIssue[] = [];
    for (const r of district.localRequirements) {
      if (!r.notice || !inForce(r, ctx.at)) continue;
      const since = r.effectiveFrom ? `，自 ${r.effectiveFrom}` : '';
      const sinceEn = r.effectiveFrom ? `, since ${r.effectiveFrom}` : '';
      out.push({
        code: 'district-notice',
        path: '',
        message: {
          zh: `${district.name.zh}（${district.code}）提示 ${r.id}${since}：${r.text.zh}`,
          en: `${district.name.en} (${district.code}) notice ${r.id}${sinceEn}: ${r.text.en}`,
        },
      });
    }
    return out;
  },
});
