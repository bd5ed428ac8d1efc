import { oneLine } from '../../errors.js';
import { counted } from '../../errors.js';
import { formatIssuesText, type Paint, plain, rulesetText, summaryLine } from '../format.js';
import type { DeclarationReport, LocatedIssue, Reporter, RunSummary } from './report.js';

/** The closing line of a run over several declarations. */
export function summaryText(s: RunSummary): string {
  const files = s.files === 1 ? '' : ` in ${counted(s.files, 'file')}`;
  return `${counted(s.declarations, 'declaration')}${files}: ${s.valid} valid, ${s.invalid} invalid (${counted(s.errors, 'error')}, ${counted(s.warnings, 'warning')})`;
}

/** `file:line:column` of a located issue, for `formatIssuesText`'s `where`. */
export const locationText = (i: unknown): string | undefined => {
  const l = (i as LocatedIssue).location;
  return l ? `${oneLine(l.file)}:${l.line}:${l.column}` : undefined;
};

/**
 * Text for people: each declaration with its issues grouped by document and located as
 * `file:line:column` (terminals and editors open them); NDJSON lines without issues are not
 * printed; one summary when there was more than one declaration or file.
 */
export function textReporter(write: (s: string) => void, paint: Paint = plain): Reporter {
  let sawNdjson = false;
  let onlyFile: string | undefined;
  return {
    declaration(r: DeclarationReport) {
      // (a file name on one line: it may hold a line break or a terminal escape)
      onlyFile ??= oneLine(r.file);
      const head = summaryLine(r.counts ?? r.issues);
      const status = paint(r.valid ? 'green' : 'red', head);
      const issues = r.issues.length ? `${formatIssuesText(r.issues, { where: locationText, paint })}\n` : '';
      if (r.mode === 'single') {
        write(`${oneLine(r.file)}: ${status}${rulesetText(r.ruleset)}\n${issues}`);
      } else {
        sawNdjson = true;
        if (r.issues.length)
          write(
            `${oneLine(r.file)}:${r.line}${r.orderNo !== undefined ? ` (orderNo ${oneLine(r.orderNo)})` : ''}: ${status}\n${issues}`,
          );
      }
    },
    end(s: RunSummary) {
      if (s.files > 1 || sawNdjson) write(`${s.files === 1 && onlyFile ? `${onlyFile}: ` : ''}${summaryText(s)}\n`);
    },
  };
}
