import { summaryToJSON, type ReconcileRowJSON, type ReconcileTotalsJSON } from './json.js';
import type { ReconcileReport } from './reconcile.js';

/*
 * Writers of a report as chunks of text, so a caller can stream a million rows to a file or
 * standard output with backpressure: JSON, CSV (UTF-8 with BOM) and a readable summary.
 */

/**
 * The report as one JSON document, `{ "summary": { …, "mismatches": [...] }, "orders": [...] }`,
 * in chunks: one chunk for the summary head, then one per mismatch and one per row.
 */
export function* reportJsonChunks(report: ReconcileReport): Generator<string> {
  const head = JSON.stringify(summaryToJSON(report.summary));
  yield `{"summary":${head.slice(0, -1)},"problems":${JSON.stringify(report.problems)},"mismatches":[`;
  let first = true;
  for (const m of report.mismatches()) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(m)}`;
    first = false;
  }
  yield ']},\n"orders":[';
  first = true;
  // The rows were spooled as JSON text: passed through in blocks, not parsed and written again.
  for (const block of report.rowBlocks()) {
    yield `${first ? '\n' : ',\n'}${block.replaceAll('\n', ',\n')}`;
    first = false;
  }
  yield '\n]}\n';
}

/** CSV columns, in order. */
export const CSV_COLUMNS = [
  'orderNo',
  'invtNo',
  'taxNos',
  'status',
  'month',
  'district',
  'customsCode',
  'linkedBy',
  'dutiableValue',
  'declaredTaxTotal',
  'computedCustomsTax',
  'computedConsumptionTax',
  'computedValueAddedTax',
  'computedTaxTotal',
  'billedCustomsTax',
  'billedConsumptionTax',
  'billedValueAddedTax',
  'billedTaxTotal',
  'diffCustomsTax',
  'diffConsumptionTax',
  'diffValueAddedTax',
  'diffTaxTotal',
  'diffDeclared',
  'mismatches',
  'notes',
] as const;

function cell(v: string | null | undefined, textual: boolean): string {
  if (v === null || v === undefined) return '';
  // A text cell starting with a formula character is quoted with a leading apostrophe.
  let s = textual && /^[=+@\t\r]/.test(v) ? `'${v}` : v;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One row as a CSV line (CRLF-terminated). */
export function csvLine(r: ReconcileRowJSON): string {
  const t = (v: string | null) => cell(v, true);
  const n = (v: string | null | undefined) => cell(v, false);
  return `${[
    t(r.orderNo),
    t(r.invtNo),
    t(r.taxNos.join(' ')),
    t(r.status),
    t(r.month),
    t(r.district),
    t(r.customsCode),
    t(r.linkedBy),
    n(r.dutiableValue),
    n(r.declaredTaxTotal),
    n(r.computed?.customsTax),
    n(r.computed?.consumptionTax),
    n(r.computed?.valueAddedTax),
    n(r.computed?.taxTotal),
    n(r.billed?.customsTax),
    n(r.billed?.consumptionTax),
    n(r.billed?.valueAddedTax),
    n(r.billed?.taxTotal),
    n(r.difference?.customsTax),
    n(r.difference?.consumptionTax),
    n(r.difference?.valueAddedTax),
    n(r.difference?.taxTotal),
    n(r.declaredDifference),
    t(r.mismatches.map((m) => `${m.kind}:${m.amount}`).join(' ')),
    t(r.notes.join(' ')),
  ].join(',')}\r\n`;
}

/** The rows as CSV: a UTF-8 byte-order mark, the header, then one line per row. */
export function* reportCsvChunks(report: ReconcileReport): Generator<string> {
  yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
  for (const r of report.rows()) yield csvLine(r);
}

const LABELS: Array<[keyof ReconcileTotalsJSON, string]> = [
  ['orders', 'orders'],
  ['matched', 'matched'],
  ['mismatched', 'mismatch'],
  ['billMissing', 'bill missing'],
  ['billWithoutDeclaration', 'bill without declaration'],
  ['cancelled', 'cancelled'],
  ['refunded', 'refunded'],
  ['billVoid', 'bill void'],
  ['unlinked', 'unlinked'],
  ['notComputed', 'not computed'],
  ['duplicateDeclarations', 'duplicate declaration'],
];

function groupTable(title: string, groups: Record<string, ReconcileTotalsJSON>): string[] {
  const out = [
    title,
    `  ${'key'.padEnd(10)} ${'orders'.padStart(9)} ${'matched'.padStart(9)} ${'mismatch'.padStart(9)} ${'declared'.padStart(14)} ${'computed'.padStart(14)} ${'billed'.padStart(14)} ${'difference'.padStart(12)}`,
  ];
  for (const [k, t] of Object.entries(groups)) {
    out.push(
      `  ${k.padEnd(10)} ${String(t.orders).padStart(9)} ${String(t.matched).padStart(9)} ${String(t.mismatched).padStart(9)} ${t.declaredTaxTotal.padStart(14)} ${t.computedTaxTotal.padStart(14)} ${t.billedTaxTotal.padStart(14)} ${t.difference.padStart(12)}`,
    );
  }
  return out;
}

/** A readable summary: counts, totals, by month, by district, and the largest mismatches. */
export function* reportTextChunks(
  report: ReconcileReport,
  options: { maxMismatches?: number } = {},
): Generator<string> {
  const s = summaryToJSON(report.summary);
  const max = options.maxMismatches ?? 20;
  const lines = ['关税对账 tax reconciliation', ''];
  for (const [k, label] of LABELS)
    if (k === 'orders' || (s[k] as number) > 0) lines.push(`  ${label.padEnd(26)} ${String(s[k]).padStart(9)}`);
  lines.push(
    '',
    `  declared tax (taxTotal)     ${s.declaredTaxTotal.padStart(16)}`,
    `  computed tax                ${s.computedTaxTotal.padStart(16)}   (duty ${s.computed.customsTax}, consumption ${s.computed.consumptionTax}, VAT ${s.computed.valueAddedTax})`,
    `  billed tax (CEB816)         ${s.billedTaxTotal.padStart(16)}   (duty ${s.billed.customsTax}, consumption ${s.billed.consumptionTax}, VAT ${s.billed.valueAddedTax})`,
    `  difference (billed − declared) ${s.difference.padStart(13)}`,
    `  inputs: ${s.inputs.declarations} declarations, ${s.inputs.bills} bills (${s.inputs.duplicateBills} duplicates), ${s.inputs.billStatuses} bill statuses, ${s.inputs.receipts} receipts`,
    '',
    ...groupTable('by month (Beijing time):', s.byMonth),
    '',
    ...groupTable('by district:', s.byDistrict),
    '',
  );
  yield `${lines.join('\n')}\n`;
  let n = 0;
  let more = 0;
  for (const m of report.mismatches()) {
    if (n === 0) yield 'mismatches (largest first; amount = billed − computed, or billed − declared):\n';
    if (n < max)
      yield `  ${m.orderNo.padEnd(22)} ${(m.invtNo ?? '').padEnd(20)} ${m.kind.padEnd(15)} ${m.amount.padStart(12)}\n`;
    else more++;
    n++;
  }
  if (more) yield `  … and ${more} more (use --format json or csv for every row)\n`;
  if (report.problems.length) yield `\nproblems in the inputs:\n${report.problems.map((p) => `  ${p}\n`).join('')}`;
}
