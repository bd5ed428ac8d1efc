import { oneLine, type SandanError } from '../errors.js';
import { Option, type Command } from 'commander';
import type { Issue } from '../model/issue.js';
import { duplicateKeyIssues } from '../model/json-input.js';
import { createTaxCalculator, type TaxCalculation } from '../rules/tax-calculator.js';
import { taxResultToJSON, type TaxResultJSON } from '../tax/json.js';
import { padPlaces } from '../tax/formula.js';
import { Dec } from '../model/primitives.js';
import type { TaxResult } from '../tax/compute.js';
import type { CommandContext } from './command.js';
import { loadConfig, readSetting } from './config.js';
import { readRatesFile, readRulesetFile } from './data-files.js';
import { countSeverities, formatIssuesText, paintFor, rulesetText } from './format.js';
import {
  createReporter,
  failWithDocument,
  FORMATS,
  locationText,
  type LocatedIssue,
  type OutputFormat,
  type Reporter,
} from './formats/index.js';
import { expandInputs, inputArgs, openInputs, readRecords, type InputFile, type ReportedRecord } from './input.js';
import { inputsProgress } from './progress.js';
import { locateIssues, maxWarningsOption, runExit, unreadableIssue } from './validate-command.js';
import { isoDateOption } from '../time/beijing.js';
import { docsUrl } from '../model/docs-url.js';

interface TaxOptions {
  rates?: string;
  at?: string;
  district?: string;
  ruleset?: string;
  format?: OutputFormat;
  ndjson?: boolean;
  errorOnUnmatchedPattern?: boolean;
  quiet?: boolean;
  maxWarnings?: string;
  config?: string;
}

/** Exit 1 when the figures are incomplete (a rate is missing) or the order is not admissible as CBEC. */
function failed(calc: TaxCalculation): boolean {
  return !calc.ok || !calc.result.complete || calc.result.issues.some((i) => i.severity === 'error');
}

function pad(s: string, n: number, right = false): string {
  const width = [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const fill = ' '.repeat(Math.max(0, n - width));
  return right ? fill + s : s + fill;
}

const inputsText = (inputs: Record<string, string>) =>
  Object.entries(inputs)
    .map(([n, v]) => `${n} = ${v}`)
    .join(', ');

/** A readable table of the figures, the regime and what explains them. */
function formatTaxText(r: TaxResult): string {
  const cols = ['gnum', 'gcode', 'dutiable value', 'duty', 'consumption tax', 'VAT', 'tax'];
  const widths = [5, 11, 15, 10, 16, 10, 10];
  const row = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i >= 2)).join('  ');
  // A line's figures and the total's, in the columns' order, with the places they have (as the JSON writes them): a
  // policy rounding to 0.001, or freight of three places in a dutiable value, was shown rounded to the fen.
  const figures = (f: TaxResult | TaxResult['lines'][number]) =>
    [f.dutiableValue, f.customsTax, f.consumptionTax, f.valueAddedTax, f.taxTotal].map((d) => padPlaces(d, 2));
  const out = [`regime: ${r.regime} — ${r.explain.regime}`, `rounding: ${r.explain.rounding}`, '', row(cols)];
  for (const l of r.lines) out.push(row([String(l.gnum), l.gcode, ...figures(l)]));
  // An omitted line's dutiable value is known and is in the total's (the limits count every line): only its taxes are not.
  for (const o of r.omittedLines)
    out.push(`${row([String(o.gnum), o.gcode, padPlaces(o.dutiableValue, 2), '—', '—', '—', '—'])}  (${o.reason})`);
  out.push(row(['total', '', ...figures(r)]));
  for (const l of r.lines) {
    out.push('', `line ${l.gnum} (${l.gcode}, rate ${l.explain.rate.key} from ${l.explain.rate.origin}):`);
    // How a header amount was split over the lines (customs publishes no rule): a share can carry a line over a
    // consumption-tax threshold, so the text shows it as the JSON does.
    for (const [name, a] of Object.entries(l.explain.allocation)) {
      if (a === undefined || new Dec(a.inputs.total ?? 0).isZero()) continue;
      out.push(`  ${pad(`${name}Share`, 15)} ${a.formula}  [${inputsText(a.inputs)}]  = ${a.share}`);
    }
    for (const k of ['dutiableValue', 'customsTax', 'consumptionTax', 'valueAddedTax'] as const) {
      const e = l.explain[k];
      out.push(`  ${pad(k, 15)} ${e.formula}  [${inputsText(e.inputs)}]  = ${e.unrounded} → ${e.rounded}`);
    }
  }
  // (a gcode or an input quoted from the declaration on one line, its control characters escaped)
  return out.map(oneLine).join('\n');
}

/** The figures as JSON (CEB816 names, amounts as decimal strings) with the issues located in the input. */
function calcJson(calc: TaxCalculation, issues: LocatedIssue[]): TaxResultJSON | { issues: LocatedIssue[] } {
  if (!calc.ok) return { issues };
  // The object is taxResultToJSON's own: its issues are replaced in place, where a spread would copy every key.
  const json = taxResultToJSON(calc.result);
  json.issues = issues;
  return json;
}

function issuesOf(calc: TaxCalculation): Issue[] {
  return calc.ok ? calc.result.issues : calc.issues;
}

/**
 * `sandan tax`: the duties of declarations in files, folders or globs, every figure explained.
 * Exit 0 all computed (warnings allowed up to --max-warnings), 1 any declaration with a missing
 * rate, an error or not admissible as CBEC, or too many warnings, 2 usage or unreadable input (a file that cannot be
 * read at its turn is reported and the others computed, as validate does).
 */
async function taxCommand(
  files: string | readonly string[],
  opts: TaxOptions,
  { io }: CommandContext,
): Promise<number> {
  const format: OutputFormat = opts.format ?? 'text';
  // A failure before results (a bad option, configuration or ruleset, a folder with no declarations) still gives SARIF
  // and JUnit a document that carries it, as validate's do.
  const { inputs, rates, maxWarnings, calc } = await failWithDocument(
    io,
    { format },
    async () => {
      // The configuration's inputs to the figures apply; its format and maxWarnings are validate's defaults.
      const loaded = await loadConfig(opts.config, (line) => io.stderr(line));
      const district = opts.district ?? loaded?.config.district;
      const ruleset = await readSetting(opts.ruleset, 'ruleset', loaded, readRulesetFile);
      const rates = await readSetting(opts.rates, 'rates', loaded, readRatesFile);
      const maxWarnings = maxWarningsOption(opts.maxWarnings);
      const calc = createTaxCalculator({
        // (named as the user wrote it: the library would say `at:`)
        ...(opts.at !== undefined && { at: isoDateOption(opts.at, '--at', 'INVALID_OPTION') }),
        ...(district !== undefined && { district }),
        ...(ruleset !== undefined && { ruleset }),
        ...(rates !== undefined && { rates }),
      });
      const inputs = await expandInputs(inputArgs(files, 'tax', io.stdinIsTTY), {
        errorOnUnmatched: opts.errorOnUnmatchedPattern !== false,
      });
      return { inputs, rates, maxWarnings, calc };
    },
    'sandan tax',
  );
  const paint = paintFor(io.stdoutIsTTY, io.env);
  // text, json and ndjson carry the figures; the CI formats (annotations, SARIF, JUnit) carry the issues.
  const reporter: Reporter | undefined =
    format === 'text' || format === 'json' || format === 'ndjson'
      ? undefined
      : createReporter(format, io.stdout, { inputs: inputs.length, paint, command: 'sandan tax', env: io.env });
  const progress = inputsProgress(io, inputs, 'tax', opts.quiet === true);
  let total = 0;
  let bad = 0;
  let errors = 0;
  let warnings = 0;
  let sawNdjson = false;
  let rateMissing = 0;
  const unreadable: SandanError[] = [];
  const report = (label: string, rec: ReportedRecord, c: TaxCalculation) => {
    const mode = rec.mode;
    if (mode === 'ndjson') sawNdjson = true;
    total++;
    const ok = !failed(c);
    if (!ok) bad++;
    const firstLine = mode === 'ndjson' ? rec.line : 1;
    // A key the text gives twice: the figures are of its last value, as validate warns (json-duplicate-key).
    const dup = rec.issue || rec.text === undefined ? [] : duplicateKeyIssues(rec.text, rec.value);
    const found = dup.length === 0 ? issuesOf(c) : [...issuesOf(c), ...dup];
    const issues: LocatedIssue[] = locateIssues(found, rec.text, label, firstLine, rec.at);
    rateMissing += issues.filter((i) => i.code === 'rate-missing').length;
    const counted = countSeverities(issues);
    errors += counted.errors;
    warnings += counted.warnings;
    if (reporter) {
      const orderNo = (rec.value as { order?: { orderNo?: unknown } } | undefined)?.order?.orderNo;
      reporter.declaration({
        file: label,
        line: firstLine,
        mode,
        ...(typeof orderNo === 'string' && { orderNo }),
        valid: ok,
        issues,
        ...(c.ruleset && { ruleset: c.ruleset }),
      });
    } else if (format === 'ndjson') {
      io.stdout(`${JSON.stringify({ file: label, line: firstLine, ...calcJson(c, issues) })}\n`);
    } else if (format === 'json') {
      io.stdout(
        mode === 'single' && inputs.length === 1
          ? `${JSON.stringify(calcJson(c, issues), null, 2)}\n`
          : `${JSON.stringify({ ...(inputs.length > 1 && { file: label }), line: rec.line, ...calcJson(c, issues) })}\n`,
      );
    } else {
      io.stdout(`${oneLine(label)}${mode === 'ndjson' ? `:${rec.line}` : ''}${rulesetText(c.ruleset)}\n`);
      // Figures from a declaration with field errors (where the tax reads nothing) say so before the figures.
      if (c.ok && c.result.issues.some((i) => i.code === 'tax-declaration-invalid'))
        io.stdout(
          'figures of a declaration with field errors (listed below) in fields the tax does not read: customs would refuse it as it stands\n',
        );
      if (c.ok) io.stdout(`${formatTaxText(c.result)}\n`);
      if (issues.length) io.stdout(`${formatIssuesText(issues, { where: locationText, paint })}\n`);
    }
  };
  // A file that cannot be read (a broken link in a folder, no permission) is reported as validate reports it, an
  // `input-unreadable` error of that file, and the other files are still computed; exit 2 at the end.
  const onUnreadable = (input: InputFile, error: SandanError) => {
    unreadable.push(error);
    report(input.label, { mode: 'single', line: 1 }, { ok: false, issues: [unreadableIssue(error)] });
  };
  try {
    for await (const { input, stream } of openInputs(inputs, io.stdin, onUnreadable)) {
      const ndjson = opts.ndjson === true || input.ndjson;
      for await (const rec of readRecords(stream, { ndjson, onBytes: progress.onBytes })) {
        report(input.label, rec, rec.issue ? { ok: false, issues: [rec.issue] } : calc(rec.value));
        if (io.drain) await io.drain();
        progress.update(total);
      }
    }
  } finally {
    progress.stop();
  }
  if (reporter) {
    reporter.end({ files: inputs.length, declarations: total, valid: total - bad, invalid: bad, errors, warnings });
  } else if (format === 'ndjson') {
    const summary = { files: inputs.length, declarations: total, computed: total - bad, failed: bad, errors, warnings };
    io.stdout(`${JSON.stringify({ summary })}\n`);
  } else if (sawNdjson || inputs.length > 1) {
    const summary = {
      ...(inputs.length > 1 && { files: inputs.length }),
      declarations: total,
      computed: total - bad,
      failed: bad,
    };
    const where = inputs.length === 1 ? `${oneLine(inputs[0]!.label)}: ` : `${inputs.length} files, `;
    io.stdout(
      format === 'json'
        ? `${JSON.stringify({ summary })}\n`
        : `${where}${total} declarations: ${total - bad} computed, ${bad} with missing rates, errors or not admissible\n`,
    );
  }
  // Without a table of one's own only the bundled seed table is consulted, and it holds few codes.
  if (rateMissing > 0 && rates === undefined)
    io.stderr(
      `sandan: note: ${rateMissing} line${rateMissing === 1 ? '' : 's'} without a rate in sandan's seed table; pass your rate table with --rates FILE (its format: ${docsUrl('tax.md#rate-tables')})\n`,
    );
  return runExit(io, unreadable, bad, warnings, maxWarnings);
}

/** Registers `sandan tax`. */
export function registerTaxCommand(program: Command, ctx: CommandContext): void {
  program
    .command('tax')
    .description(
      'Compute the duty, consumption tax and VAT of a declaration (or an NDJSON stream of them), with the formula and inputs of every figure.',
    )
    .argument(
      '[files...]',
      'declaration files (.json, .ndjson), folders (searched for them, symbolic links followed) or globs; - for standard input (the default, when it is not a terminal)',
    )
    .option('--district <code>', 'customs district whose policy applies (default: from inventory.customsCode)')
    .option('--at <date>', 'use the policy in force on this date, YYYY-MM-DD (default: the declaration date)')
    .option('--ruleset <file>', 'a user ruleset (JSON) extending a bundled one')
    .option(
      '--rates <file>',
      'a rate table (JSON): { "<gcode>": { "duty", "vat", "consumption" } }, 8- and 4-digit keys as prefixes',
    )
    .addOption(
      new Option(
        '--format <format>',
        'output format: the figures with their issues, or for CI the issues alone (github workflow annotations, SARIF 2.1.0, JUnit XML)',
      )
        .choices([...FORMATS])
        .default('text'),
    )
    .option('--ndjson', 'treat the input as NDJSON even if it has one line')
    .option(
      '--no-error-on-unmatched-pattern',
      'a folder with no declaration file, or a pattern that matches none, names no file rather than exit 2 (as ESLint and Prettier)',
    )
    .option('-q, --quiet', 'show no progress bar')
    .option('--max-warnings <n>', 'exit 1 when there are more than n warnings (as ESLint; -1: no limit)')
    .option(
      '--config <file>',
      'configuration file (default: sandan.config.json or package.json "sandan", found from the working directory up); tax takes its district, ruleset and rates',
    )
    .action(async (files: string[], opts: TaxOptions) => ctx.setExit(await taxCommand(files, opts, ctx)));
}
