import { Option, type Command } from 'commander';
import type { CommandContext } from './command.js';
import type { Issue } from '../model/issue.js';
import { SandanError } from '../errors.js';
import { QuotaLedger } from '../quota/ledger.js';
import { validateWithQuota } from '../quota/validate.js';
import { createValidator, type ValidateOptions, type ValidationResult } from '../rules/index.js';
import { openQuotaStore } from './quota-command.js';
import { readGoodsRecordsFile, readPositiveListFiles, readRatesFile, readRulesetFile } from './data-files.js';
import { countSeverities, formatIssuesText, plural, summaryLine } from './format.js';
import { openInput, readRecords } from './input.js';
import type { CliIo } from './io.js';

export interface ValidateCommandOptions {
  district?: string;
  at?: string;
  ruleset?: string;
  rates?: string;
  goodsRecords?: string;
  positiveList?: string;
  quotaDb?: string;
  format: 'text' | 'json';
  ndjson?: boolean;
}

function resultJson(r: ValidationResult | { valid: false; issues: Issue[] }) {
  return { valid: r.valid, issues: r.issues };
}

/** `sandan validate`: exit 0 valid (warnings allowed), 1 any error issue, 2 usage or unreadable input. */
export async function validateCommand(file: string, opts: ValidateCommandOptions, io: CliIo): Promise<number> {
  const options: ValidateOptions = {
    ...(opts.district !== undefined && { district: opts.district }),
    ...(opts.at !== undefined && { at: opts.at }),
    ...(opts.ruleset !== undefined && { ruleset: await readRulesetFile(opts.ruleset) }),
    ...(opts.rates !== undefined && { rates: await readRatesFile(opts.rates) }),
    ...(opts.goodsRecords !== undefined && { goodsRecords: await readGoodsRecordsFile(opts.goodsRecords) }),
    ...(opts.positiveList !== undefined && { positiveLists: await readPositiveListFiles([opts.positiveList]) }),
  };
  const validator = createValidator(options);
  const ledger = opts.quotaDb === undefined ? undefined : await openLedger(opts.quotaDb, io);
  try {
    return await run(
      file,
      opts,
      io,
      ledger ? (value) => validateWithQuota(value, ledger, options) : async (value) => validator(value),
    );
  } finally {
    await ledger?.close();
  }
}

/** The quota ledger behind `--quota-db`, keyed with the secret in SANDAN_QUOTA_SECRET. */
async function openLedger(db: string, io: CliIo): Promise<QuotaLedger> {
  const secret = io.env.SANDAN_QUOTA_SECRET;
  if (!secret)
    throw new SandanError(
      'INVALID_OPTION',
      '--quota-db needs the HMAC secret of the ledger in the environment variable SANDAN_QUOTA_SECRET',
    );
  return new QuotaLedger({ store: await openQuotaStore(db), secret });
}

async function run(
  file: string,
  opts: ValidateCommandOptions,
  io: CliIo,
  check: (value: unknown) => Promise<ValidationResult>,
): Promise<number> {
  const stream = await openInput(file, io.stdin);
  const label = file === '-' ? '<stdin>' : file;
  let total = 0;
  let valid = 0;
  let errors = 0;
  let warnings = 0;
  let mode: 'single' | 'ndjson' = 'single';
  const progress = io.stderrIsTTY;
  for await (const rec of readRecords(stream, opts.ndjson ? { ndjson: true } : {})) {
    mode = rec.mode;
    total++;
    const result = rec.issue ? { valid: false as const, issues: [rec.issue] } : await check(rec.value);
    const c = countSeverities(result.issues);
    errors += c.errors;
    warnings += c.warnings;
    if (result.valid) valid++;
    if (mode === 'single') {
      if (opts.format === 'json') {
        io.stdout(`${JSON.stringify(resultJson(result), null, 2)}\n`);
      } else {
        const where =
          'ruleset' in result ? ` (rules: ${result.ruleset.chain.join(' → ')}, at ${result.ruleset.at})` : '';
        io.stdout(`${label}: ${summaryLine(result.issues)}${where}\n`);
        if (result.issues.length) io.stdout(`${formatIssuesText(result.issues)}\n`);
      }
    } else if (opts.format === 'json') {
      io.stdout(`${JSON.stringify({ line: rec.line, ...resultJson(result) })}\n`);
    } else if (result.issues.length) {
      const orderNo = (rec.value as { order?: { orderNo?: unknown } } | undefined)?.order?.orderNo;
      io.stdout(
        `${label}:${rec.line}${typeof orderNo === 'string' ? ` (orderNo ${orderNo})` : ''}: ${summaryLine(result.issues)}\n${formatIssuesText(result.issues)}\n`,
      );
    }
    // Never let output pile up in memory when the reader is slower than we are.
    if (io.drain) await io.drain();
    if (progress && mode === 'ndjson' && total % 5000 === 0) io.stderr(`\rsandan: validated ${total} declarations…`);
  }
  if (progress && mode === 'ndjson' && total >= 5000) io.stderr('\n');
  if (mode === 'ndjson') {
    const summary = { declarations: total, valid, invalid: total - valid, errors, warnings };
    if (opts.format === 'json') io.stdout(`${JSON.stringify({ summary })}\n`);
    else
      io.stdout(
        `${label}: ${plural(total, 'declaration')}: ${valid} valid, ${total - valid} invalid (${plural(errors, 'error')}, ${plural(warnings, 'warning')})\n`,
      );
  }
  return valid === total ? 0 : 1;
}

/** Registers `sandan validate` on the program. */
export function registerValidateCommand(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('validate')
    .description(
      'Validate a declaration (JSON) or a stream of them (NDJSON, one per line) against the national, district and user rulesets.',
    )
    .argument('<file>', 'declaration file (.json or .ndjson), or - for standard input')
    .option('--district <code>', 'customs district or office code, e.g. 2900 (default: from inventory.customsCode)')
    .option('--at <date>', 'check against the policy in force on this date, YYYY-MM-DD (default: the declaration date)')
    .option('--ruleset <file>', 'a user ruleset (JSON) extending a bundled one')
    .option('--rates <file>', 'a rate table (JSON) for the tax check, consulted before the bundled seed table')
    .option('--goods-records <file>', 'goods records (JSON) to check inventory lines against')
    .option(
      '--positive-list <file>',
      'a positive-list edition file (JSON, made by `sandan positive-list import`); it takes precedence over the bundled editions for its dates',
    )
    .option(
      '--quota-db <db>',
      'quota ledger (FILE.sqlite or postgres://…) for the annual-limit check; secret in SANDAN_QUOTA_SECRET',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--ndjson', 'treat the input as NDJSON even if it has one line')
    .action(async (file: string, opts: ValidateCommandOptions) => {
      setExit(await validateCommand(file, opts, io));
    });
}
