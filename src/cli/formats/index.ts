import type { Paint } from '../format.js';
import { githubReporter } from './github.js';
import { jsonReporter, ndjsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { OutputFormat, Reporter } from './report.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';

export * from './report.js';
export { locationText } from './text.js';

/**
 * The reporter of an output format; `inputs` is how many files the command was given, `command`
 * names the run where a format has a place for it (JUnit's test-suites name; default `sandan validate`).
 */
export function createReporter(
  format: OutputFormat,
  write: (s: string) => void,
  opts: { inputs: number; paint: Paint; command?: string },
): Reporter {
  switch (format) {
    case 'json':
      return jsonReporter(write, opts.inputs);
    case 'ndjson':
      return ndjsonReporter(write);
    case 'github':
      return githubReporter(write);
    case 'sarif':
      return sarifReporter(write);
    case 'junit':
      return junitReporter(write, opts.command);
    default:
      return textReporter(write, opts.paint);
  }
}
