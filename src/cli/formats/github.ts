import { oneLine } from '../../errors.js';
import type { Reporter, RunSummary } from './report.js';
import { type FormatEnv, reportPath } from './root-path.js';
import { summaryText } from './text.js';

/**
 * GitHub's escaping of a workflow command's message (`%`, CR, LF), and the other control characters as sandan's text
 * output writes them (`\u001b`): the log shows ESC sequences, so a value of the data would colour its annotation.
 */
export function escapeData(s: string): string {
  return oneLine(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** GitHub's escaping of a workflow command's property value: the message's, plus `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions workflow commands: one `::error` or `::warning` annotation per issue, shown
 * on the line of the file in the pull request (named from `GITHUB_WORKSPACE` in `env`, see {@link reportPath}); then
 * the summary as a plain line of the log.
 */
export function githubReporter(write: (s: string) => void, env: FormatEnv = {}): Reporter {
  return {
    declaration(r) {
      for (const i of r.issues) {
        const { file, line, column } = i.location;
        const props = `file=${escapeProperty(reportPath(file, env).path)},line=${line},col=${column},title=${escapeProperty(`sandan [${i.code}] ${i.ruleId}`)}`;
        const text = `[${i.code}] ${i.path || '(input)'}: ${i.message.en} / ${i.message.zh}`;
        write(`::${i.severity === 'error' ? 'error' : 'warning'} ${props}::${escapeData(text)}\n`);
      }
    },
    end(s: RunSummary) {
      write(`${summaryText(s)}\n`);
    },
  };
}
