import type { Issue } from '../model/issue.js';

const DOC_ORDER = ['', 'order', 'payment', 'logistics', 'inventory'];
const DOC_TITLE: Record<string, string> = {
  '': 'input 输入',
  order: 'order 订单 (CEB311)',
  payment: 'payment 支付单 (CEB411)',
  logistics: 'logistics 运单 (CEB511)',
  inventory: 'inventory 清单 (CEB621)',
};

function docOf(path: string): string {
  const head = path.split(/[.[]/)[0] ?? '';
  return DOC_ORDER.includes(head) ? head : '';
}

export function countSeverities(issues: readonly Issue[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const i of issues) if (i.severity === 'error') errors++;
  return { errors, warnings: issues.length - errors };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Issues for people: grouped by document, each with path, code and both messages. */
export function formatIssuesText(issues: readonly Issue[]): string {
  const groups = new Map<string, Issue[]>();
  for (const i of issues) {
    const d = docOf(i.path);
    groups.set(d, [...(groups.get(d) ?? []), i]);
  }
  const out: string[] = [];
  for (const d of DOC_ORDER) {
    const list = groups.get(d);
    if (!list) continue;
    out.push(`  ${DOC_TITLE[d]}`);
    for (const i of list) {
      out.push(
        `    ${i.severity === 'error' ? 'error  ' : 'warning'} ${i.path || '(input)'}  [${i.code}] (${i.ruleId})`,
      );
      out.push(`            ${i.message.zh}`);
      out.push(`            ${i.message.en}`);
      if (i.help) out.push(`            fix [${i.help.code}]: ${i.help.fix.zh} / ${i.help.fix.en}`);
    }
  }
  return out.join('\n');
}

/** The one-line summary of a result. */
export function summaryLine(issues: readonly Issue[]): string {
  const { errors, warnings } = countSeverities(issues);
  if (errors === 0 && warnings === 0) return 'valid: no issues';
  return `${errors === 0 ? 'valid' : 'invalid'}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

export { plural };
