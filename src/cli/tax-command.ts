import { Option, type Command } from 'commander';
import type { Issue } from '../model/issue.js';
import { createTaxCalculator, type TaxCalculation } from '../rules/tax-calculator.js';
import { taxResultToJSON } from '../tax/json.js';
import type { TaxResult } from '../tax/compute.js';
import type { CommandContext } from './command.js';
import { readRatesFile } from './data-files.js';
import { formatIssuesText } from './format.js';
import { openInput, readRecords } from './input.js';

interface TaxOptions {
  rates?: string;
  at?: string;
  district?: string;
  format: 'text' | 'json';
  ndjson?: boolean;
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

/** A readable table of the figures, the regime and what explains them. */
export function formatTaxText(r: TaxResult): string {
  const cols = ['gnum', 'gcode', 'dutiable value', 'duty', 'consumption tax', 'VAT', 'tax'];
  const widths = [5, 11, 15, 10, 16, 10, 10];
  const row = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!, i >= 2)).join('  ');
  const out = [`regime: ${r.regime} — ${r.explain.regime}`, `rounding: ${r.explain.rounding}`, '', row(cols)];
  for (const l of r.lines) {
    out.push(
      row([
        String(l.gnum),
        l.gcode,
        l.dutiableValue.toFixed(2),
        l.customsTax.toFixed(2),
        l.consumptionTax.toFixed(2),
        l.valueAddedTax.toFixed(2),
        l.taxTotal.toFixed(2),
      ]),
    );
  }
  for (const o of r.omittedLines) out.push(`${row([String(o.gnum), o.gcode, '—', '—', '—', '—', '—'])}  (${o.reason})`);
  out.push(
    row([
      'total',
      '',
      r.dutiableValue.toFixed(2),
      r.customsTax.toFixed(2),
      r.consumptionTax.toFixed(2),
      r.valueAddedTax.toFixed(2),
      r.taxTotal.toFixed(2),
    ]),
  );
  for (const l of r.lines) {
    out.push('', `line ${l.gnum} (${l.gcode}, rate ${l.explain.rate.key} from ${l.explain.rate.origin}):`);
    for (const k of ['dutiableValue', 'customsTax', 'consumptionTax', 'valueAddedTax'] as const) {
      const e = l.explain[k];
      const inputs = Object.entries(e.inputs)
        .map(([n, v]) => `${n} = ${v}`)
        .join(', ');
      out.push(`  ${pad(k, 15)} ${e.formula}  [${inputs}]  = ${e.unrounded} → ${e.rounded}`);
    }
  }
  return out.join('\n');
}

function calcJson(calc: TaxCalculation): unknown {
  return calc.ok ? taxResultToJSON(calc.result) : { issues: calc.issues };
}

function issuesOf(calc: TaxCalculation): Issue[] {
  return calc.ok ? calc.result.issues : calc.issues;
}

/** `sandan tax`: the duties of a declaration, every figure explained. */
export async function taxCommand(file: string, opts: TaxOptions, { io }: CommandContext): Promise<number> {
  const calc = createTaxCalculator({
    ...(opts.at !== undefined && { at: opts.at }),
    ...(opts.district !== undefined && { district: opts.district }),
    ...(opts.rates !== undefined && { rates: await readRatesFile(opts.rates) }),
  });
  const stream = await openInput(file, io.stdin);
  const label = file === '-' ? '<stdin>' : file;
  let total = 0;
  let bad = 0;
  let mode: 'single' | 'ndjson' = 'single';
  for await (const rec of readRecords(stream, opts.ndjson ? { ndjson: true } : {})) {
    mode = rec.mode;
    total++;
    const c: TaxCalculation = rec.issue ? { ok: false, issues: [rec.issue] } : calc(rec.value);
    if (failed(c)) bad++;
    if (opts.format === 'json') {
      io.stdout(
        mode === 'single'
          ? `${JSON.stringify(calcJson(c), null, 2)}\n`
          : `${JSON.stringify({ line: rec.line, ...(calcJson(c) as object) })}\n`,
      );
    } else {
      io.stdout(
        `${label}${mode === 'ndjson' ? `:${rec.line}` : ''}${c.ruleset ? ` (rules: ${c.ruleset.chain.join(' → ')}, at ${c.ruleset.at})` : ''}\n`,
      );
      if (c.ok) io.stdout(`${formatTaxText(c.result)}\n`);
      const issues = issuesOf(c);
      if (issues.length) io.stdout(`${formatIssuesText(issues)}\n`);
    }
    if (io.drain) await io.drain();
  }
  if (mode === 'ndjson') {
    const summary = { declarations: total, computed: total - bad, failed: bad };
    io.stdout(
      opts.format === 'json'
        ? `${JSON.stringify({ summary })}\n`
        : `${label}: ${total} declarations: ${total - bad} computed, ${bad} with missing rates, errors or not admissible\n`,
    );
  }
  return bad === 0 ? 0 : 1;
}

/** Registers `sandan tax`. */
export function registerTaxCommand(program: Command, ctx: CommandContext): void {
  program
    .command('tax')
    .description(
      'Compute the duty, consumption tax and VAT of a declaration (or an NDJSON stream of them), with the formula and inputs of every figure.',
    )
    .argument('<file>', 'declaration file (.json or .ndjson), or - for standard input')
    .option(
      '--rates <file>',
      'a rate table (JSON): { "<gcode>": { "duty", "vat", "consumption" } }, 8- and 4-digit keys as prefixes',
    )
    .option('--at <date>', 'use the policy in force on this date, YYYY-MM-DD (default: the declaration date)')
    .option('--district <code>', 'customs district whose policy applies (default: from inventory.customsCode)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--ndjson', 'treat the input as NDJSON even if it has one line')
    .action(async (file: string, opts: TaxOptions) => ctx.setExit(await taxCommand(file, opts, ctx)));
}
