import { counted, oneLine } from '../errors.js';
import { summaryToJSON, type ReconcileRowJSON, type ReconcileTotalsJSON, type WaterfallJSON } from './json.js';
import type { ReconcileReport } from './reconcile.js';
import { STATUS_COUNT } from './totals.js';
import {
  RECONCILE_STATUSES,
  WATERFALL_CAUSES,
  type Mismatch,
  type ReconcileStatus,
  type ReconcileSummary,
  type WaterfallCause,
} from './types.js';
import { ownValue } from '../model/guards.js';

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

/** A bilingual label: Chinese first, then English. */
export type Label = readonly [zh: string, en: string];

/** A label as one cell or line of text, `中文 / English`: the CSV's and the workbook's headings and labels. */
export const labelText = ([zh, en]: Label): string => `${zh} / ${en}`;

/** The label of a key, or the key itself in both languages when it has none (a report's `toString` is no label's). */
export const labelIn = <K extends string>(labels: Partial<Record<K, Label>>, key: K): Label =>
  ownValue<Label | undefined>(labels, key) ?? [key, key];

/** Chinese names of the CSV columns (the header reads `中文 / English`), in column order. */
export const CSV_LABELS = {
  orderNo: '订单编号',
  invtNo: '清单编号',
  taxNos: '税单号',
  status: '对账状态',
  statusLabel: '对账状态说明',
  month: '月份',
  district: '关区',
  customsCode: '申报海关',
  linkedBy: '关联方式',
  dutiableValue: '完税价格',
  declaredTaxTotal: '代扣税款',
  computedCustomsTax: '计算关税',
  computedConsumptionTax: '计算消费税',
  computedValueAddedTax: '计算增值税',
  computedTaxTotal: '计算税款合计',
  billedCustomsTax: '税单关税',
  billedConsumptionTax: '税单消费税',
  billedValueAddedTax: '税单增值税',
  billedTaxTotal: '税单税款合计',
  diffCustomsTax: '关税差额',
  diffConsumptionTax: '消费税差额',
  diffValueAddedTax: '增值税差额',
  diffTaxTotal: '税款合计差额',
  diffDeclared: '税单与代扣差额',
  mismatches: '不一致项',
  notes: '备注',
} satisfies Record<string, string>;

/** CSV columns, in order. */
export const CSV_COLUMNS = Object.keys(CSV_LABELS) as ReadonlyArray<keyof typeof CSV_LABELS>;
/** The heading of each column, `中文 / English`: the CSV's header and the workbook's. */
export const CSV_HEADINGS = CSV_COLUMNS.map((c) => labelText([CSV_LABELS[c], c]));

/**
 * Text spreadsheet software would read as a formula: `=`, `+`, `-`, `@`, a tab or a carriage
 * return first, also after leading spaces (OWASP "CSV injection").
 */
const FORMULA_START = /^ *[=+\-@\t\r]/;
/** An amount as sandan writes it (money()): a plain decimal number. */
const AMOUNT = /^-?\d+(\.\d+)?$/;

/**
 * A text cell: with a leading apostrophe when it would start a formula, then quoted (RFC 4180)
 * when it holds a quote, a comma or a line break, or starts or ends with a space (which some
 * readers trim from unquoted cells).
 */
export function csvText(v: string | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]|^ | $/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * An amount cell: written as the number it is, so that a spreadsheet sums it (a negative
 * difference keeps its `-`). Amounts come from Decimal through money(); anything else would be
 * written as guarded text.
 */
function csvAmount(v: string | null | undefined): string {
  if (v === null || v === undefined) return '';
  const c = v.charCodeAt(0);
  return (c >= 48 && c <= 57) || AMOUNT.test(v) ? v : csvText(v);
}

/**
 * A row's cells in {@link CSV_COLUMNS} order, as the JSON writes them: the one place the columns
 * are filled, for the CSV and the workbook alike. Amount columns are marked by {@link AMOUNT_COLUMN}.
 */
export function rowCells(r: ReconcileRowJSON): Array<string | null | undefined> {
  return [
    r.orderNo,
    r.invtNo,
    r.taxNos.join(' '),
    r.status,
    statusLabelOf(r),
    r.month,
    r.district,
    r.customsCode,
    r.linkedBy,
    r.dutiableValue,
    r.declaredTaxTotal,
    r.computed?.customsTax,
    r.computed?.consumptionTax,
    r.computed?.valueAddedTax,
    r.computed?.taxTotal,
    r.billed?.customsTax,
    r.billed?.consumptionTax,
    r.billed?.valueAddedTax,
    r.billed?.taxTotal,
    r.difference?.customsTax,
    r.difference?.consumptionTax,
    r.difference?.valueAddedTax,
    r.difference?.taxTotal,
    r.declaredDifference,
    r.mismatches.map((m) => `${m.kind}:${m.amount}`).join(' ') || undefined,
    r.notes.join(' ') || undefined,
  ];
}

/** Whether each column of {@link CSV_COLUMNS} holds an amount: dutiableValue to diffDeclared. */
export const AMOUNT_COLUMN: readonly boolean[] = CSV_COLUMNS.map(
  (_, i) => i >= CSV_COLUMNS.indexOf('dutiableValue') && i <= CSV_COLUMNS.indexOf('diffDeclared'),
);

/** One row as a CSV line (CRLF-terminated): amounts as numbers, text guarded. */
function csvLine(r: ReconcileRowJSON): string {
  return `${rowCells(r)
    .map((v, i) => (AMOUNT_COLUMN[i] ? csvAmount(v) : csvText(v)))
    .join(',')}\r\n`;
}

/** The rows as CSV: a UTF-8 byte-order mark, the bilingual header (`中文 / English` per column), then one line per row. */
export function* reportCsvChunks(report: ReconcileReport): Generator<string> {
  yield `\uFEFF${CSV_HEADINGS.map(csvText).join(',')}\r\n`;
  for (const r of report.rows()) yield csvLine(r);
}

/** The counts of a summary, labelled (the text summary shows the English, the HTML page both). */
export const COUNT_LABELS = [
  ['orders', ['订单', 'orders']],
  ['matched', ['相符', 'matched']],
  ['mismatched', ['不符', 'mismatch']],
  ['billMissing', ['缺税单', 'bill missing']],
  ['billWithoutDeclaration', ['有税单无申报', 'bill without declaration']],
  ['cancelled', ['已撤单', 'cancelled']],
  ['refunded', ['已退货', 'refunded']],
  ['rejected', ['海关退单', 'rejected']],
  ['billVoid', ['税单作废', 'bill void']],
  ['unlinked', ['未关联', 'unlinked']],
  ['notComputed', ['未能计税', 'not computed']],
  ['duplicateDeclarations', ['重复申报', 'duplicate declaration']],
] as const satisfies ReadonlyArray<readonly [keyof ReconcileTotalsJSON, Label]>;

/**
 * The label of each row status: the words of its count in {@link COUNT_LABELS}, so that a row and the count it adds
 * to read alike. The CSV and the workbook's Rows sheet write it beside the status code (which scripts read).
 */
const STATUS_LABELS = Object.fromEntries(
  RECONCILE_STATUSES.map((st) => [st, COUNT_LABELS.find(([k]) => k === STATUS_COUNT[st])![1]]),
) as Record<ReconcileStatus, Label>;

/**
 * The label of a bill row whose bills name no order: its orderNo cell is empty, so the label says what to look the
 * declaration up by (the filter still finds it under its status code).
 */
const NO_ORDER_LABEL: Label = [
  '有税单无申报（税单未载订单编号，请按清单编号查找）',
  'bill without declaration (its bills name no orderNo: search by invtNo)',
];

/** The words beside a row's status code: its {@link STATUS_LABELS} entry, or {@link NO_ORDER_LABEL}. */
function statusLabelOf(r: ReconcileRowJSON): string {
  const l = r.status === 'bill-without-declaration' && !r.orderNo ? NO_ORDER_LABEL : labelIn(STATUS_LABELS, r.status);
  return labelText(l);
}

/**
 * The tax totals of a summary, labelled (代扣税款 is CEB311 taxTotal's own name; 退单 is customs' rejection of the
 * inventory, CEB622 returnStatus 100).
 */
export const AMOUNT_LABELS = [
  ['declaredTaxTotal', ['代扣税款', 'withheld']],
  ['computedTaxTotal', ['计算税款', 'computed']],
  ['billedTaxTotal', ['税单税款', 'billed']],
  ['difference', ['差额', 'difference']],
  // (last: the page and the workbook find withheld and billed by their places)
  ['rejectedTaxTotal', ['退单代扣税款（应退还买家）', 'withheld on rejected orders (owed back to buyers)']],
] as const satisfies ReadonlyArray<readonly [keyof ReconcileTotalsJSON, Label]>;

/**
 * The label of each mismatch kind: the text summary's list, the page's list and histogram, the workbook's Mismatches
 * sheet. `declared` (billed − the order's taxTotal) is named as that total is, 代扣税款 / withheld.
 */
export const KIND_LABELS: Record<Mismatch['kind'], Label> = {
  customsTax: ['关税', 'customs duty'],
  consumptionTax: ['消费税', 'consumption tax'],
  valueAddedTax: ['增值税', 'VAT'],
  declared: AMOUNT_LABELS[0][1],
};

/** The input counts, as the workbook lists them. */
export const INPUT_LABELS: Array<[keyof ReconcileSummary['inputs'], Label]> = [
  ['declarations', ['申报', 'declarations']],
  ['bills', ['税单', 'bills']],
  ['duplicateBills', ['重复税单', 'duplicate bills']],
  ['conflictingBills', ['内容不同的重复税单', 'duplicate bills with other content']],
  ['billStatuses', ['税单状态', 'bill statuses']],
  ['receipts', ['回执', 'receipts']],
  ['skippedDocuments', ['跳过的报文', 'skipped documents']],
  ['unreadableDocuments', ['无法读取的单证', 'unreadable documents']],
];

/**
 * What was read, as the text summary and the page say it: declarations, bills (with their duplicates and, when some
 * are, the conflicting ones), bill statuses, receipts, and with `all` the skipped and unreadable documents.
 * `conflictingBills` is absent from reports written before it was counted.
 */
export function inputsPhrase(
  i: Omit<ReconcileSummary['inputs'], 'conflictingBills'> & { conflictingBills?: number | undefined },
  all = false,
): Label {
  const conflicting = i.conflictingBills ?? 0;
  const zh = [
    `申报 ${i.declarations}`,
    `税单 ${i.bills}（重复 ${i.duplicateBills}${conflicting ? `，其中内容不一致 ${conflicting}` : ''}）`,
    `税单状态 ${i.billStatuses}`,
    `回执 ${i.receipts}`,
  ];
  const en = [
    counted(i.declarations, 'declaration'),
    `${counted(i.bills, 'bill')} (${counted(i.duplicateBills, 'duplicate')}${conflicting ? `, ${conflicting} of them conflicting` : ''})`,
    counted(i.billStatuses, 'bill status', 'bill statuses'),
    counted(i.receipts, 'receipt'),
  ];
  if (all) {
    zh.push(`跳过 ${i.skippedDocuments}`, `无法读取 ${i.unreadableDocuments}`);
    en.push(`${i.skippedDocuments} skipped`, `${i.unreadableDocuments} unreadable`);
  }
  return [zh.join('，'), en.join(', ')];
}

function groupTable(title: string, groups: Record<string, ReconcileTotalsJSON>): string[] {
  const out = [
    title,
    `  ${'key'.padEnd(10)} ${'orders'.padStart(9)} ${'matched'.padStart(9)} ${'mismatch'.padStart(9)} ${'withheld'.padStart(14)} ${'computed'.padStart(14)} ${'billed'.padStart(14)} ${'difference'.padStart(12)} ${'owed back'.padStart(12)}`,
  ];
  for (const [k, t] of Object.entries(groups)) {
    out.push(
      `  ${oneLine(k).padEnd(10)} ${String(t.orders).padStart(9)} ${String(t.matched).padStart(9)} ${String(t.mismatched).padStart(9)} ${t.declaredTaxTotal.padStart(14)} ${t.computedTaxTotal.padStart(14)} ${t.billedTaxTotal.padStart(14)} ${t.difference.padStart(12)} ${t.rejectedTaxTotal.padStart(12)}`,
    );
  }
  return out;
}

/**
 * The causes of the waterfall, labelled, in {@link WATERFALL_CAUSES} order (the workbook's columns): the page, the
 * summary and the workbook say each in the words of {@link COUNT_LABELS} (a cause that is a status, through
 * {@link STATUS_LABELS}; rounding is the matched orders').
 */
export const WATERFALL_LABELS = Object.fromEntries(
  WATERFALL_CAUSES.map((c): [WaterfallCause, Label] => {
    if (c === 'other') return [c, ['其他', 'other']];
    if (c !== 'rounding') return [c, STATUS_LABELS[c]];
    const [zh, en] = STATUS_LABELS.matched;
    return [c, [`${zh}（分位舍入）`, `${en} (rounding)`]];
  }),
) as Record<WaterfallCause, Label>;

/** The columns of a group's totals (by month, by district), on the page and in the workbook. */
export const GROUP_LABELS = [...COUNT_LABELS.slice(0, 3), ...AMOUNT_LABELS] as const;

function waterfallLines(w: WaterfallJSON): string[] {
  const out = ['  the difference by cause (each order once; the parts add up to the difference):'];
  for (const c of w.causes)
    if (c.orders > 0 || c.cause !== 'other')
      out.push(
        `    ${WATERFALL_LABELS[c.cause][1].padEnd(26)} ${String(c.orders).padStart(9)} ${c.amount.padStart(14)}`,
      );
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
  for (const [k, [, label]] of COUNT_LABELS)
    if (k === 'orders' || (s[k] as number) > 0) lines.push(`  ${label.padEnd(26)} ${String(s[k]).padStart(9)}`);
  lines.push(
    '',
    `  withheld tax (taxTotal)     ${s.declaredTaxTotal.padStart(16)}`,
    `  computed tax                ${s.computedTaxTotal.padStart(16)}   (duty ${s.computed.customsTax}, consumption ${s.computed.consumptionTax}, VAT ${s.computed.valueAddedTax})`,
    `  billed tax (CEB816)         ${s.billedTaxTotal.padStart(16)}   (duty ${s.billed.customsTax}, consumption ${s.billed.consumptionTax}, VAT ${s.billed.valueAddedTax})`,
    `  difference (billed − withheld) ${s.difference.padStart(13)}`,
    `  withheld on rejected orders ${s.rejectedTaxTotal.padStart(16)}   (customs rejected the inventory: owed back to buyers)`,
    ...waterfallLines(s.waterfall),
    `  inputs: ${inputsPhrase(s.inputs)[1]}`,
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
    if (n === 0) yield 'mismatches (largest first; amount = billed − computed, or billed − withheld):\n';
    if (n < max)
      // (numbers from the inputs on one line: a line break in an orderNo would forge a line of the report)
      yield `  ${oneLine(m.orderNo).padEnd(22)} ${oneLine(m.invtNo ?? '').padEnd(20)} ${labelIn<string>(KIND_LABELS, m.kind)[1].padEnd(15)} ${m.amount.padStart(12)}\n`;
    else more++;
    n++;
  }
  if (more) yield `  … and ${more} more (use --format json or csv for every row)\n`;
  if (report.problems.length)
    yield `\nproblems in the inputs:\n${report.problems.map((p) => `  ${oneLine(p)}\n`).join('')}`;
}
