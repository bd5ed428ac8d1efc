import type { Writable } from 'node:stream';
import type { Cell, CellValue, Worksheet } from 'exceljs';
import { summaryToJSON, type ReconcileRowJSON, type ReconcileTotalsJSON, type WaterfallJSON } from './json.js';
import {
  AMOUNT_COLUMN,
  CSV_COLUMNS,
  CSV_HEADINGS,
  GROUP_LABELS,
  INPUT_LABELS,
  KIND_LABELS,
  labelIn,
  labelText as both,
  rowCells,
  WATERFALL_LABELS,
} from './output.js';
import { reconcileBalanced } from './totals.js';
import type { ReconcileReport } from './reconcile.js';
import { checkArgument } from '../model/guards.js';
import { xmlCharsOnly } from '../xml/safety.js';

/*
 * The report as an Excel workbook (Office Open XML), written by exceljs' streaming writer so a
 * million rows do not sit in memory: a Summary sheet (the waterfall, totals by month and by
 * district, the verdict, the inputs and their problems), Rows (one per order, the CSV's columns) and Mismatches. Amounts are numbers shown
 * to the fen, text is text (an order number stays a string, and no cell is ever a formula, so
 * the CSV's formula guard is not needed); headers are bilingual, frozen and filtered.
 */

/** Number format of amounts: to the fen. */
const FEN = '0.00';

const amount = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

/** A row's cells for the Rows sheet: the CSV's, amounts as numbers. */
function rowValues(r: ReconcileRowJSON): Array<string | number | null> {
  return rowCells(r).map((v, i) => (AMOUNT_COLUMN[i] ? amount(v) : (v ?? null)));
}

/** The most characters (UTF-16 code units) Excel keeps in a cell: it "repairs" a workbook with a longer one. */
const CELL_MAX = 32_767;

/**
 * A text as a cell can hold it: a character XML cannot carry (U+FFFE, a lone surrogate, a control
 * character) as U+FFFD, where exceljs would write some into a sheet no reader opens and drop others
 * without a trace, and text past Excel's limit cut, ending in `…` (the CSV and JSON keep it whole).
 */
function cellText(v: string): string {
  const s = xmlCharsOnly(v);
  if (s.length <= CELL_MAX) return s;
  let end = CELL_MAX - 1;
  // (not between the two halves of a surrogate pair)
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/**
 * A cell value: text as an inline string (exceljs' streaming writer would otherwise mark plain
 * strings `t="str"`, the type of a formula's result, and shared strings would hold every order
 * number in memory).
 */
function typed(v: string | number | null): CellValue {
  return typeof v === 'string' ? { richText: [{ text: cellText(v) }] } : v;
}

/** Writes a bold header row; the first row of a sheet is frozen and filtered by the caller. */
function header(sheet: Worksheet, labels: string[]): void {
  const row = sheet.addRow(labels.map(typed));
  row.eachCell((c: Cell) => {
    c.font = { bold: true };
    c.numFmt = '@';
  });
  row.commit();
}

function addRow(sheet: Worksheet, values: Array<string | number | null>, bold = false): void {
  const row = sheet.addRow(values.map(typed));
  row.eachCell((c: Cell) => {
    if (typeof c.value === 'number') c.numFmt = FEN;
    if (bold) c.font = { bold: true };
  });
  row.commit();
}

const GROUP_HEADER = (key: string) => [
  key,
  ...GROUP_LABELS.map(([, l]) => both(l)),
  ...WATERFALL_LABELS_LIST.map(([, l]) => both(l)),
];
const WATERFALL_LABELS_LIST = Object.entries(WATERFALL_LABELS);

function groupValues(key: string, t: ReconcileTotalsJSON): Array<string | number | null> {
  // (the columns of GROUP_HEADER, in its order: counts as they are, amounts as numbers)
  return [
    key,
    ...GROUP_LABELS.map(([k]) => {
      const v = t[k];
      return typeof v === 'number' ? v : amount(v);
    }),
    ...t.waterfall.causes.map((c) => amount(c.amount)),
  ];
}

/** The waterfall as a table: withheld, each cause, billed, and the difference they explain. */
function waterfallRows(sheet: Worksheet, w: WaterfallJSON, orders: number): void {
  header(sheet, ['项目 / item', '原因代码 / cause', '订单数 / orders', '金额 / amount']);
  addRow(sheet, ['代扣税款 / tax withheld', 'withheld', orders, amount(w.withheld)], true);
  for (const c of w.causes) {
    addRow(sheet, [both(WATERFALL_LABELS[c.cause]), c.cause, c.orders, amount(c.amount)]);
  }
  addRow(
    sheet,
    ['差额（税单 − 代扣）/ difference (billed − withheld)', 'difference', null, amount(w.difference)],
    true,
  );
  addRow(sheet, ['税单税款 / tax billed', 'billed', null, amount(w.billed)], true);
}

/** The most rows a sheet has in Excel (1,048,576): it "repairs" a workbook with more, dropping the rest. */
const SHEET_ROWS = 1_048_576;

/** The cell values of a list sheet's rows, and how to start one. */
interface ListSheet {
  name: string;
  columns: Array<{ width: number }>;
  headings: string[];
}

/**
 * Writes a list (Rows, Mismatches) on as many sheets as it needs, `perSheet` rows under the header of each: past
 * Excel's last row a workbook opens "repaired", without the orders beyond it. The second sheet is `Rows (2)`.
 */
function writeList(
  book: import('exceljs').stream.xlsx.WorkbookWriter,
  list: ListSheet,
  values: Iterable<Array<string | number | null>>,
  perSheet: number,
  frozen: NonNullable<Parameters<typeof book.addWorksheet>[1]>['views'],
): void {
  let sheet: Worksheet | undefined;
  let count = 0;
  let n = 0;
  const start = () => {
    n++;
    const s = book.addWorksheet(n === 1 ? list.name : `${list.name} (${n})`, { views: frozen });
    s.columns = list.columns;
    s.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: list.headings.length } };
    header(s, list.headings);
    return s;
  };
  for (const v of values) {
    if (sheet === undefined || count === perSheet) {
      sheet?.commit();
      sheet = start();
      count = 0;
    }
    addRow(sheet, v);
    count++;
  }
  // (an empty list still has its sheet, with the header)
  (sheet ?? start()).commit();
}

/**
 * Writes the report as an .xlsx workbook to a stream (e.g. a file; the stream is ended). Sheets:
 * Summary, Rows, Mismatches. Resolves when the workbook is complete.
 */
export async function writeReportXlsx(report: ReconcileReport, stream: Writable): Promise<void> {
  checkArgument(report, 'object', 'writeReportXlsx', 'the report');
  checkArgument(report.summary, 'object', 'writeReportXlsx', 'report.summary');
  return writeWorkbook(report, stream, SHEET_ROWS - 1);
}

/** {@link writeReportXlsx} with at most `perSheet` rows (besides the header) on a sheet of Rows or Mismatches. */
export async function writeWorkbook(report: ReconcileReport, stream: Writable, perSheet: number): Promise<void> {
  // exceljs is loaded only when a workbook is written.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  book.creator = 'sandan';
  const frozen = [{ state: 'frozen' as const, xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }];
  const s = summaryToJSON(report.summary);

  const summary = book.addWorksheet('Summary', { views: frozen });
  summary.columns = [
    { width: 44 },
    { width: 26 },
    { width: 12 },
    ...Array.from({ length: 5 + WATERFALL_LABELS_LIST.length }, () => ({ width: 18 })),
  ];
  waterfallRows(summary, s.waterfall, s.orders);
  for (const [title, key, groups] of [
    ['按月（北京时间）/ by month (Beijing time)', '月份 / month', s.byMonth],
    ['按关区 / by district', '关区 / district', s.byDistrict],
  ] as const) {
    addRow(summary, []);
    addRow(summary, [title], true);
    header(summary, GROUP_HEADER(key));
    for (const [k, t] of Object.entries(groups)) addRow(summary, groupValues(k, t));
    addRow(summary, groupValues('合计 / total', s), true);
  }
  // The verdict and what was read, as the text and HTML reports give them: a month whose files
  // were not all read must not look balanced in the workbook either.
  addRow(summary, []);
  addRow(
    summary,
    [
      '对账结论 / verdict',
      reconcileBalanced(report.summary) ? '平 / balanced' : '不平或输入有问题 / not balanced or inputs with problems',
    ],
    true,
  );
  addRow(summary, ['输入 / inputs'], true);
  for (const [key, l] of INPUT_LABELS) addRow(summary, [both(l), key, s.inputs[key]]);
  if (report.problems.length) {
    addRow(summary, ['输入问题 / problems in the inputs'], true);
    for (const p of report.problems) addRow(summary, [p]);
  }
  summary.commit();

  const rowColumns = CSV_COLUMNS.map((c, i) => ({
    width: AMOUNT_COLUMN[i]
      ? 16
      : i > AMOUNT_COLUMN.lastIndexOf(true)
        ? 30
        : c === 'orderNo' || c === 'invtNo' || c === 'taxNos'
          ? 24
          : 14,
  }));
  writeList(
    book,
    { name: 'Rows', columns: rowColumns, headings: CSV_HEADINGS },
    (function* () {
      for (const r of report.rows()) yield rowValues(r);
    })(),
    perSheet,
    frozen,
  );
  writeList(
    book,
    {
      name: 'Mismatches',
      columns: [{ width: 24 }, { width: 24 }, { width: 18 }, { width: 26 }, { width: 16 }],
      // (the kind's code, which a filter or a script reads, and beside it its words)
      headings: ['订单编号 / orderNo', '清单编号 / invtNo', '差异项 / kind', '差异项说明 / kindLabel', '差额 / amount'],
    },
    (function* () {
      for (const m of report.mismatches())
        yield [m.orderNo, m.invtNo, m.kind, both(labelIn<string>(KIND_LABELS, m.kind)), amount(m.amount)];
    })(),
    perSheet,
    frozen,
  );

  await book.commit();
}
