import { inspect } from 'node:util';
import { counted, oneLine } from '../errors.js';
import type { Issue } from '../model/issue.js';
import { NEWEST_POLICY_DATE } from '../rules/declaration-date.js';

/** Styles text for a terminal, or leaves it plain. */
export type Paint = (style: 'red' | 'yellow' | 'green' | 'bold' | 'dim', text: string) => string;

/** No colour. */
export const plain: Paint = (_style, text) => text;

/** ANSI colour with node:util's code table (styleText would check the process's own stdout, not ours). */
const colour: Paint = (style, text) => {
  const [open, close] = inspect.colors[style] ?? [0, 0];
  return `\u001b[${open}m${text}\u001b[${close}m`;
};

/** The values of FORCE_COLOR that Node reads as colour (its 16, 256 and 16 million colours: sandan uses 16). */
const FORCED_COLOUR: ReadonlySet<string> = new Set(['', '1', '2', '3', 'true']);

/**
 * Whether text output is coloured; the one place the CLI decides it (validate and tax colour their text; no other
 * output has colour). Colour when standard output is a terminal (not a dumb one), unless `NO_COLOR` is set and not
 * empty (https://no-color.org). `FORCE_COLOR` decides over both, read as Node reads it: `1`, `2`, `3`, `true` or empty
 * colour even into a pipe or a file; `0`, `false` and any other value no colour, even on a terminal.
 */
export function paintFor(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): Paint {
  const force = env.FORCE_COLOR;
  // (FORCE_COLOR=yes or =4 coloured, where Node reads a value it does not know as "no colour")
  if (force !== undefined) return FORCED_COLOUR.has(force) ? colour : plain;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return plain;
  return isTTY && env.TERM !== 'dumb' ? colour : plain;
}

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

/** Issues for people: grouped by document, each with path, code, both messages and, when given, `file:line:column`. */
export function formatIssuesText(
  issues: readonly Issue[],
  opts: { where?: (i: Issue) => string | undefined; paint?: Paint } = {},
): string {
  const paint = opts.paint ?? plain;
  const groups = new Map<string, Issue[]>();
  for (const i of issues) {
    const d = docOf(i.path);
    const list = groups.get(d);
    if (list) list.push(i);
    else groups.set(d, [i]);
  }
  const out: string[] = [];
  for (const d of DOC_ORDER) {
    const list = groups.get(d);
    if (!list) continue;
    out.push(`  ${paint('bold', DOC_TITLE[d]!)}`);
    for (const i of list) {
      const where = opts.where?.(i);
      const sev = i.severity === 'error' ? paint('red', 'error  ') : paint('yellow', 'warning');
      // (a path or message may quote a value of the input: its control characters escaped, each on one line)
      out.push(
        `    ${sev} ${oneLine(i.path) || '(input)'}  [${i.code}] (${i.ruleId})${where ? `  ${paint('dim', where)}` : ''}`,
      );
      out.push(`            ${oneLine(i.message.zh)}`);
      out.push(`            ${oneLine(i.message.en)}`);
      if (i.help) out.push(`            fix [${i.help.code}]: ${oneLine(`${i.help.fix.zh} / ${i.help.fix.en}`)}`);
    }
  }
  return out.join('\n');
}

/** ` (rules: national → 2900, at 2026-11-20)`: the ruleset a result was checked against, and on which day's policy. */
export function rulesetText(ruleset: { chain: readonly string[]; at: string } | undefined): string {
  if (!ruleset) return '';
  const at = ruleset.at === NEWEST_POLICY_DATE ? 'the newest policy: the declaration has no date' : `at ${ruleset.at}`;
  return ` (rules: ${oneLine(ruleset.chain.join(' → '))}, ${at})`;
}

/** The one-line summary of a result: from its issues, or from counts that include issues not shown (--quiet). */
export function summaryLine(issues: readonly Issue[] | { errors: number; warnings: number }): string {
  const { errors, warnings } = 'errors' in issues ? issues : countSeverities(issues);
  if (errors === 0 && warnings === 0) return 'valid: no issues';
  return `${errors === 0 ? 'valid' : 'invalid'}: ${counted(errors, 'error')}, ${counted(warnings, 'warning')}`;
}
