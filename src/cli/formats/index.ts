import { isSandanError, oneLine } from '../../errors.js';
import { redactSecrets } from '../../redact.js';
import type { Paint } from '../format.js';
import type { CliIo } from '../io.js';
import { githubReporter } from './github.js';
import { jsonReporter, ndjsonReporter } from './json.js';
import { junitFailure, junitReporter } from './junit.js';
import type { OutputFormat, Reporter } from './report.js';
import { sarifFailure, sarifReporter } from './sarif.js';
import type { FormatEnv } from './root-path.js';
import { textReporter } from './text.js';

export * from './report.js';
export { locationText } from './text.js';

/**
 * The reporter of an output format; `inputs` is how many files the command was given, `command`
 * names the run where a format has a place for it (JUnit's test-suites name; default `sandan validate`); `env` gives
 * GITHUB_WORKSPACE, from which the CI formats name files.
 */
export function createReporter(
  format: OutputFormat,
  write: (s: string) => void,
  opts: { inputs: number; paint: Paint; command?: string; env?: FormatEnv },
): Reporter {
  switch (format) {
    case 'json':
      return jsonReporter(write, opts.inputs);
    case 'ndjson':
      return ndjsonReporter(write);
    case 'github':
      return githubReporter(write, opts.env);
    case 'sarif':
      return sarifReporter(write, opts.env);
    case 'junit':
      return junitReporter(write, opts.command, opts.env);
    default:
      return textReporter(write, opts.paint);
  }
}

/**
 * What a format writes for a run that failed before it had results (exit 2), or undefined for a format that writes
 * nothing then: SARIF and JUnit, read by a later CI step from a file, are still valid documents that carry the error.
 */
export function failureOutput(
  format: OutputFormat,
  error: { code: string; message: string },
  command?: string,
): string | undefined {
  if (format === 'sarif') return sarifFailure(error);
  if (format === 'junit') return junitFailure(error, command);
  return undefined;
}

/**
 * Runs `prepare`; when it throws (a bad option, configuration or ruleset, a folder with no declarations) and the format
 * is SARIF or JUnit, first writes the document that tells it ({@link failureOutput}; `command` names the run, as
 * {@link createReporter}'s does): CI reads the output file after the step, and an empty one failed there with a parse
 * error instead of sandan's message. `said.format` is the format as far as it is known when something fails (the
 * configuration may name it).
 */
export async function failWithDocument<T>(
  io: CliIo,
  said: { format?: OutputFormat | undefined },
  prepare: () => Promise<T>,
  command?: string,
): Promise<T> {
  try {
    return await prepare();
  } catch (e) {
    const out =
      isSandanError(e) && said.format !== undefined
        ? failureOutput(said.format, { code: e.code, message: oneLine(redactSecrets(e.message)) }, command)
        : undefined;
    if (out !== undefined) io.stdout(out);
    throw e;
  }
}
