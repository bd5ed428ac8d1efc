import type { Issue } from '../../model/issue.js';
import { renderMessage } from '../messages.js';
import type { Policy } from '../policy.js';
import { declarationDateField } from '../declaration-date.js';
import { missingRegimeValues } from '../tax-policy.js';
import { defineRule } from '../types.js';

const MESSAGES = {
  'no-cbec-regime': {
    zh: '{at} 时尚无跨境电商零售进口税收政策：规则集未设定当日的 {missing}',
    en: 'No CBEC retail-import tax regime was in force on {at}: the rulesets set no {missing} for that day',
  },
} as const;

/**
 * Where the finding points: the field the declaration's date comes from when it was judged on that date; the whole
 * declaration (`''`) when it was judged on another day (`--at`), which no field of it holds.
 */
function datePath(input: unknown, at: string): string {
  const field = declarationDateField(input);
  return field.date === at ? field.path : '';
}

/**
 * A declaration dated before the CBEC retail-import regime began cannot clear as CBEC at all:
 * `sandan tax` refuses to compute its tax, and validation says so too instead of passing it.
 */
export const regimeInForce = defineRule({
  id: 'tax/regime',
  description: {
    zh: '申报日期有跨境电商零售进口税收政策（财关税〔2016〕18号，2016年4月8日起施行）',
    en: 'A CBEC retail-import tax regime is in force on the declaration date (财关税〔2016〕18号, from 2016-04-08)',
  },
  source: '财关税〔2016〕18号',
  defaultSeverity: 'error',
  codes: {
    'no-cbec-regime': {
      zh: '申报日期尚无跨境电商零售进口税收政策（规则集未设定限值、折算比例或关税税率）',
      en: 'No CBEC retail-import tax regime on the date (the rulesets set no limits, tax factor or duty rate)',
    },
  },
  messages: MESSAGES,
  examples: {
    valid: [{ name: 'declared in 2025 (the example declaration)' }],
    invalid: [
      {
        name: 'judged on 2016-04-07, the day before 财关税〔2016〕18号 took effect',
        at: '2016-04-07',
        code: 'no-cbec-regime',
        path: '',
      },
    ],
  },
  check(ctx) {
    const missing = missingRegimeValues(ctx.policy);
    if (missing.length === 0) return [];
    return [
      {
        messageId: 'no-cbec-regime',
        path: datePath(ctx.input, ctx.at),
        actual: ctx.at,
        data: { at: ctx.at, missing: missing.join(', ') },
      },
    ];
  },
});

/**
 * The rule's finding as an issue, for callers that judge a date without running the rules (the
 * tax calculator): one wording for `sandan tax` and `sandan validate`. Undefined when a regime is in force.
 */
export function noRegimeIssue(policy: Policy, at: string, input: unknown): Issue | undefined {
  const missing = missingRegimeValues(policy);
  if (missing.length === 0) return undefined;
  return {
    code: 'no-cbec-regime',
    severity: 'error',
    path: datePath(input, at),
    ruleId: regimeInForce.id,
    message: renderMessage(MESSAGES['no-cbec-regime'], { at, missing: missing.join(', ') }),
    actual: at,
  };
}
