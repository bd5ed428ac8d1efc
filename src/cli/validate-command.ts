import { Option, type Command } from 'commander';
import type { CommandContext } from './command.js';
import type { Issue } from '../model/issue.js';
import { jsonErrorOffset, lineColumnAt, locateJsonPaths } from '../model/json-position.js';
import { duplicateKeyIssues, inputIssue } from '../model/json-input.js';
import { SandanError } from '../errors.js';
import { QuotaLedger } from '../quota/ledger.js';
import { validateWithQuota } from '../quota/validate.js';
import { createValidator, type ValidateOptions, type ValidationResult } from '../rules/index.js';
import { mapRecords } from '../rules/stream.js';
import { openQuotaStore, quotaSecret } from './quota-command.js';
import { readGoodsRecordsFile, readPositiveListFiles, readRatesFile, readRulesetFile } from './data-files.js';
import { countSeverities, paintFor } from './format.js';
import {
  createReporter,
  failWithDocument,
  FORMATS,
  type LocatedIssue,
  type OutputFormat,
  type RunSummary,
  UNREADABLE_ISSUE,
} from './formats/index.js';
import { loadConfig, readSetting } from './config.js';
import { expandInputs, inputArgs, openInputs, readRecords, type InputFile, type ReportedRecord } from './input.js';
import type { CliIo } from './io.js';
import { inputsProgress } from './progress.js';
import { isoDateOption } from '../time/beijing.js';

interface ValidateCommandOptions {
  district?: string;
  at?: string;
  ruleset?: string;
  rates?: string;
  goodsRecords?: string;
  positiveList?: string;
  quotaDb?: string;
  quotaBusyTimeout?: string;
  format?: OutputFormat;
  ndjson?: boolean;
  errorOnUnmatchedPattern?: boolean;
  quiet?: boolean;
  maxWarnings?: string;
  config?: string;
}

/** A whole number of warnings for `--max-warnings`, or `-1`, ESLint's "no limit" (undefined). */
export function maxWarningsOption(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  // Only -1 means no limit (as documented): -2 is more likely a typo than a wish for none.
  if (!/^(-1|\d+)$/.test(s))
    throw new SandanError(
      'INVALID_OPTION',
      `--max-warnings must be a whole number from 0, or -1 for no limit, got ${JSON.stringify(s)}`,
    );
  const n = Number(s);
  return n < 0 ? undefined : n;
}

/**
 * `sandan validate`: exit 0 valid (warnings allowed up to --max-warnings), 1 any error issue
 * or too many warnings, 2 usage or unreadable input (a file that cannot be read is reported with the others first).
 */
async function validateCommand(
  files: string | readonly string[],
  opts: ValidateCommandOptions,
  io: CliIo,
): Promise<number> {
  // (the format asked for, as far as it is known when something fails: the configuration may name it)
  const said = { format: opts.format };
  const { inputs, format, maxWarnings, options, ledger, validator } = await failWithDocument(io, said, async () => {
    const loaded = await loadConfig(opts.config, (line) => io.stderr(line));
    const cfg = loaded?.config ?? {};
    const district = opts.district ?? cfg.district;
    const ruleset = await readSetting(opts.ruleset, 'ruleset', loaded, readRulesetFile);
    const rates = await readSetting(opts.rates, 'rates', loaded, readRatesFile);
    const goodsRecords = await readSetting(opts.goodsRecords, 'goodsRecords', loaded, readGoodsRecordsFile);
    const positiveLists = await readSetting(
      opts.positiveList === undefined ? undefined : [opts.positiveList],
      'positiveList',
      loaded,
      (files: string | string[]) => readPositiveListFiles([files].flat()),
    );
    const quotaDb = opts.quotaDb ?? cfg.quotaDb;
    const format: OutputFormat = opts.format ?? cfg.format ?? 'text';
    said.format = format;
    const maxWarnings = maxWarningsOption(opts.maxWarnings ?? cfg.maxWarnings);
    const options: ValidateOptions = {
      ...(district !== undefined && { district }),
      // (named as the user wrote it: the library would say `at:`)
      ...(opts.at !== undefined && { at: isoDateOption(opts.at, '--at', 'INVALID_OPTION') }),
      ...(ruleset !== undefined && { ruleset }),
      ...(rates !== undefined && { rates }),
      ...(goodsRecords !== undefined && { goodsRecords }),
      ...(positiveLists !== undefined && { positiveLists }),
    };
    const validator = createValidator(options);
    const inputs = await expandInputs(inputArgs(files, 'validate', io.stdinIsTTY), {
      errorOnUnmatched: opts.errorOnUnmatchedPattern !== false,
    });
    const ledger = quotaDb === undefined ? undefined : await openLedger(quotaDb, opts.quotaBusyTimeout, io);
    return { inputs, format, maxWarnings, options, ledger, validator };
  });
  try {
    return await run(
      inputs,
      { format, quiet: opts.quiet === true, maxWarnings, ndjson: opts.ndjson === true },
      io,
      ledger ? (value) => validateWithQuota(value, ledger, options) : async (value) => validator(value),
    );
  } finally {
    await ledger?.close();
  }
}

/** The quota ledger behind `--quota-db`, keyed with the secret in SANDAN_QUOTA_SECRET. */
async function openLedger(db: string, busyTimeout: string | undefined, io: CliIo): Promise<QuotaLedger> {
  const secret = quotaSecret(io, '--quota-db');
  if (busyTimeout !== undefined && !/^\d+$/.test(busyTimeout))
    throw new SandanError(
      'INVALID_OPTION',
      `--quota-busy-timeout must be a whole number of milliseconds, got ${JSON.stringify(busyTimeout)}`,
    );
  // Validation only reads the ledger: read-only, so a writer never holds it up.
  const store = await openQuotaStore(db, {
    readOnly: true,
    ...(busyTimeout !== undefined && { busyTimeoutMs: Number(busyTimeout) }),
  });
  return new QuotaLedger({ store, secret });
}

/**
 * Where in the text each issue points: its path located by locateJsonPaths (one walk for all of a
 * declaration's issues), a JSON syntax error at its offset, an issue without a path at `at` (the
 * first byte that is not UTF-8); line 1, column 1 when none says.
 */
export function locateIssues<I extends Issue>(
  issues: readonly I[],
  text: string | undefined,
  file: string,
  firstLine: number,
  at?: { line: number; column: number },
): Array<I & { location: { file: string; line: number; column: number } }> {
  const paths: string[] = [];
  const pathed: number[] = [];
  if (text !== undefined)
    issues.forEach((i, k) => {
      if (i.code !== 'json-syntax' && i.path) {
        paths.push(i.path);
        pathed.push(k);
      }
    });
  const located: Array<{ line: number; column: number } | undefined> = new Array(issues.length).fill(undefined);
  if (text !== undefined && paths.length > 0) {
    const found = locateJsonPaths(text, paths);
    pathed.forEach((k, n) => {
      located[k] = found[n];
    });
  }
  return issues.map((issue, k) => {
    let where = located[k] ?? (issue.path === '' ? at : undefined);
    if (text !== undefined && issue.code === 'json-syntax') {
      const pos = jsonErrorOffset(text);
      if (pos >= 0) where = lineColumnAt(text, pos);
    }
    where ??= { line: 1, column: 1 };
    return { ...issue, location: { file, line: firstLine + where.line - 1, column: where.column } };
  });
}

/** The result with a warning for each key the declaration's text gives twice (the value holds the last one only). */
function withDuplicateKeys(
  result: ValidationResult,
  rec: { text?: string | undefined; value?: unknown },
): ValidationResult {
  const dup = rec.text === undefined ? [] : duplicateKeyIssues(rec.text, rec.value);
  return dup.length === 0 ? result : { ...result, issues: [...result.issues, ...dup] };
}

/**
 * The finding of a file that could not be read (`input-unreadable`, at the file's line 1), with the reason the
 * file system gave (`Cannot read PATH: a broken symbolic link (to TARGET)`).
 */
export function unreadableIssue(error: SandanError): Issue {
  return inputIssue(UNREADABLE_ISSUE, `无法读取该文件（${error.message}）`, error.message);
}

interface RunOptions {
  format: OutputFormat;
  quiet: boolean;
  maxWarnings: number | undefined;
  ndjson: boolean;
}

async function run(
  inputs: readonly InputFile[],
  opts: RunOptions,
  io: CliIo,
  check: (value: unknown) => Promise<ValidationResult>,
): Promise<number> {
  const reporter = createReporter(opts.format, io.stdout, {
    inputs: inputs.length,
    paint: paintFor(io.stdoutIsTTY, io.env),
    env: io.env,
  });
  const summary: RunSummary = { files: inputs.length, declarations: 0, valid: 0, invalid: 0, errors: 0, warnings: 0 };
  const unreadable: SandanError[] = [];
  const report = (
    input: InputFile,
    rec: ReportedRecord,
    result: Pick<ValidationResult, 'valid' | 'issues'> & { ruleset?: ValidationResult['ruleset'] },
  ) => {
    summary.declarations++;
    const c = countSeverities(result.issues);
    summary.errors += c.errors;
    summary.warnings += c.warnings;
    if (result.valid) summary.valid++;
    else summary.invalid++;
    const shown = opts.quiet ? result.issues.filter((i) => i.severity === 'error') : result.issues;
    const firstLine = rec.mode === 'ndjson' ? rec.line : 1;
    const issues: LocatedIssue[] = locateIssues(shown, rec.text, input.label, firstLine, rec.at);
    const orderNo = (rec.value as { order?: { orderNo?: unknown } } | undefined)?.order?.orderNo;
    reporter.declaration({
      file: input.label,
      line: firstLine,
      mode: rec.mode,
      ...(typeof orderNo === 'string' && { orderNo }),
      valid: result.valid,
      issues,
      counts: c,
      ...('ruleset' in result && result.ruleset && { ruleset: result.ruleset }),
    });
  };
  // A file that cannot be read (a broken link in a folder, no permission) is a finding of its own and the run goes on,
  // so that the other files' results are still written (SARIF and JUnit are written whole at the end); exit 2 after.
  const onUnreadable = (input: InputFile, error: SandanError) => {
    unreadable.push(error);
    report(input, { mode: 'single', line: 1 }, { valid: false, issues: [unreadableIssue(error)] });
  };
  const progress = inputsProgress(io, inputs, 'validate', opts.quiet);
  try {
    for await (const { input, stream } of openInputs(inputs, io.stdin, onUnreadable)) {
      const records = readRecords(stream, { ndjson: opts.ndjson || input.ndjson, onBytes: progress.onBytes });
      // The same engine as validateStream: one result at a time, pulled as the output drains.
      const results = mapRecords(
        records,
        async (rec) => ({
          rec,
          result: rec.issue
            ? { valid: false as const, issues: [rec.issue] }
            : withDuplicateKeys(await check(rec.value), rec),
        }),
        'validate',
      );
      for await (const { rec, result } of results) {
        report(input, rec, result);
        // Never let output pile up in memory when the reader is slower than we are.
        if (io.drain) await io.drain();
        progress.update(summary.declarations);
      }
    }
  } finally {
    progress.stop();
  }
  reporter.end(summary);
  return runExit(io, unreadable, summary.invalid, summary.warnings, opts.maxWarnings);
}

/**
 * The exit code of a run over declaration files (validate, tax): 2 when a file could not be read (each told on
 * standard error too, after the progress bar has gone, as a file named on the command line is), 1 when a declaration
 * failed or there are more warnings than --max-warnings, else 0.
 */
export function runExit(io: CliIo, unreadable: readonly SandanError[], failed: number, warnings: number, max?: number) {
  for (const e of unreadable) io.stderr(`sandan: ${e.message}\n`);
  if (unreadable.length > 0) return 2;
  if (failed > 0) return 1;
  if (max !== undefined && warnings > max) {
    io.stderr(`sandan: ${warnings} warnings, more than --max-warnings ${max}\n`);
    return 1;
  }
  return 0;
}

/** Registers `sandan validate` on the program. */
export function registerValidateCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('validate')
    .description(
      'Validate a declaration (JSON) or a stream of them (NDJSON, one per line) against the national, district and user rulesets.',
    )
    .argument(
      '[files...]',
      'declaration files (.json, .ndjson), folders (searched for them, symbolic links followed) or globs; - for standard input (the default, when it is not a terminal)',
    )
    .option('--district <code>', 'customs district or office code, e.g. 2900 (default: from inventory.customsCode)')
    .option(
      '--at <date>',
      "check against the policy in force on this date, YYYY-MM-DD, and with --quota-db count the quota of this date's year (default: the declaration date)",
    )
    .option('--ruleset <file>', 'a user ruleset (JSON) extending a bundled one')
    .option('--rates <file>', 'a rate table (JSON) for the tax check, consulted before the bundled seed table')
    .option('--goods-records <file>', 'goods records (JSON) to check inventory lines against')
    .option(
      '--positive-list <file>',
      'a positive-list edition file (JSON, made by `sandan positive-list import`); it takes precedence over the bundled editions for its dates',
    )
    .option(
      '--quota-db <db>',
      'quota ledger (FILE.sqlite or postgres://…) for the annual-limit check, opened read-only; secret in SANDAN_QUOTA_SECRET',
    )
    .option(
      '--quota-busy-timeout <ms>',
      'with --quota-db: the most to wait for a lock on the SQLite ledger, then exit 75 (default: 5000)',
    )
    .addOption(
      new Option(
        '--format <format>',
        "output format: text, json, ndjson, github (workflow annotations), sarif (SARIF 2.1.0), junit (JUnit XML) (default: text, or the configuration's)",
      ).choices([...FORMATS]),
    )
    .option('--ndjson', 'treat the input as NDJSON even if it has one line')
    .option(
      '--no-error-on-unmatched-pattern',
      'a folder with no declaration file, or a pattern that matches none, names no file rather than exit 2 (as ESLint and Prettier)',
    )
    .option('-q, --quiet', 'report errors only (warnings are still counted), and show no progress bar')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings (as ESLint; -1: no limit)')
    .option(
      '--config <file>',
      'configuration file (default: sandan.config.json or package.json "sandan", found from the working directory up)',
    )
    .action(async (files: string[], opts: ValidateCommandOptions) => {
      setExit(await validateCommand(files, opts, io));
    });
}
