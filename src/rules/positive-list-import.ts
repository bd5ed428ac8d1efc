import { parse, type Options } from 'csv-parse/sync';
import { Dec } from '../model/primitives.js';
import { SandanError, messageOf } from '../errors.js';
import { DateSchema } from './policy.js';
import {
  loadPositiveList,
  type PositiveList,
  type PositiveListData,
  type PositiveListLine,
  type PositiveListRemark,
} from './positive-list.js';
import { checkArgument, describeInput } from '../model/guards.js';
import { endsBeforeItStarts } from '../time/beijing.js';

/**
 * Reading the official annex of a positive-list edition (a table with the columns 序号 /
 * 税则号列 / 商品名称 / 备注) into an edition file: the tariff lines, and each remark turned into
 * the structured form the check uses. Pure: the caller reads the file (CSV text or the cells of
 * a worksheet) and writes the result.
 */

/** The trade modes of bonded import (网购保税): 1210 保税电商 and 1239 保税电商A. */
export const BONDED_IMPORT_MODES = ['1210', '1239'] as const;

/** How the annex's CSV is read: RFC 4180, any of the three line ends, a stray quote inside a field kept as text. */
const CSV_OPTIONS: Options = {
  bom: true,
  skip_empty_lines: true,
  relax_column_count: true,
  relax_quotes: true,
  record_delimiter: ['\r\n', '\n', '\r'],
};

/**
 * Splits CSV text into rows of fields (RFC 4180: fields in double quotes may hold commas,
 * line breaks and doubled quotes; CRLF, LF or a bare CR ends a record), with csv-parse. A
 * leading BOM is dropped and blank lines are skipped. An unterminated quote is a SandanError.
 */
export function parseCsv(text: string): string[][] {
  try {
    return parse(text, CSV_OPTIONS) as string[][];
  } catch (e) {
    const { code, lines } = (e ?? {}) as { code?: unknown; lines?: unknown };
    const where = typeof lines === 'number' ? ` (line ${lines})` : '';
    throw new SandanError(
      'INVALID_OPTION',
      code === 'CSV_QUOTE_NOT_CLOSED' ? `CSV: a quoted field is not closed${where}` : `CSV: ${messageOf(e)}`,
      { cause: e },
    );
  }
}

/** What one remark cell says: its structured parts, and the parts sandan could not interpret. */
export interface ParsedPositiveListRemark {
  remarks: PositiveListRemark[];
  uninterpreted: string[];
}

const KG_UNITS: Record<string, Dec> = {
  千克: new Dec(1),
  公斤: new Dec(1),
  kg: new Dec(1),
  克: new Dec('0.001'),
  g: new Dec('0.001'),
};

/** Turns one part of a remark (one sentence) into its structured form, or `other`. */
function remarkPart(text: string): PositiveListRemark {
  if (/网购保税/.test(text) && /限/.test(text)) return { kind: 'bonded-only', modes: [...BONDED_IMPORT_MODES], text };
  if (/除外$/.test(text)) {
    const list = /野生动植物|濒危/.test(text)
      ? 'cites'
      : /两用物项/.test(text)
        ? 'dual-use'
        : /特殊食品|保健食品|特殊医学用途|注册|备案/.test(text)
          ? 'special-food'
          : 'other';
    return { kind: 'exclusion', list, text };
  }
  if (/每人每年|每年每人|每人年度|个人年度|每人每年度/.test(text)) {
    // `(?<!\d)`: a number is tried from its first digit only, not again from each later one
    // (quadratic in a long run of digits; the first match is the same).
    const [, amount, unit] = /(?<!\d)(\d+(?:\.\d+)?)\s*(千克|公斤|kg|克|g)(?![a-z])/i.exec(text) ?? [];
    const factor = unit === undefined ? undefined : KG_UNITS[unit.toLowerCase()];
    if (amount !== undefined && factor)
      return { kind: 'annual-quantity', max: new Dec(amount).times(factor).toFixed(), unit: 'kg', text };
    return { kind: 'other', text };
  }
  const [, allowed] = /^(?:仅)?限(?:于)?(.+?)$/.exec(text) ?? [];
  if (allowed !== undefined)
    return { kind: 'name-restriction', allowed: allowed.replace(/^[“"「]|[”"」]$/g, ''), text };
  return { kind: 'other', text };
}

/** Parses a remark cell (备注): its sentences, split at ；;。 or line breaks, each interpreted on its own. */
export function parsePositiveListRemark(cell: string): ParsedPositiveListRemark {
  checkArgument(cell, 'text', 'parsePositiveListRemark', 'the cell');
  const parts = cell
    .split(/[；;。\n\r]+/)
    .map((p) => p.trim().replace(/^[（(]?\d+[)）.、]\s*/, ''))
    .filter((p) => p !== '');
  const remarks = parts.map(remarkPart);
  return { remarks, uninterpreted: remarks.filter((r) => r.kind === 'other').map((r) => r.text) };
}

/** What {@link importPositiveList} read, for the user to review. */
export interface PositiveListImportReport {
  edition: string;
  /** Rows under the header that held anything. */
  rows: number;
  /** Tariff lines read. */
  lines: number;
  /** The count the official edition has, when a source states it. */
  officialLineCount: number | undefined;
  complete: boolean;
  /** Structured remarks by kind. */
  remarks: Record<PositiveListRemark['kind'], number>;
  /** Remarks (or parts) that could not be interpreted; they become `other` and the check asks the user to confirm them. */
  uninterpreted: Array<{ row: number; hs8: string; text: string }>;
  /** Rows that were not read, and why. */
  rejected: Array<{ row: number; reason: string }>;
  /** Codes read with a leading zero restored (7 digits, the first not 0: a spreadsheet, or its CSV, lost it). */
  padded: Array<{ row: number; hs8: string }>;
}

/** Options of {@link importPositiveList}. */
export interface PositiveListImportOptions {
  /** The edition's year, e.g. "2022". */
  edition: string;
  /** The bundled edition with that year, for its name, dates, sources and official count. */
  base?: PositiveList | undefined;
  /** Dates to use instead of the base edition's (required for an edition sandan does not know). */
  effectiveFrom?: string | undefined;
  effectiveTo?: string | undefined;
  /** Where the table came from (file name), for the edition's source entry. */
  origin: string;
  /** Declares the table complete even when no official count confirms it. */
  complete?: boolean | undefined;
}

const HEADERS = {
  seq: /^序号$/,
  hs8: /税则号列|税号|商品编码|税则号/,
  name: /商品名称|货品名称|品名/,
  remark: /^备注$/,
};

/** The header row and the column of each field; titles above the header are skipped. */
function findHeader(rows: readonly (readonly unknown[])[]): { at: number; cols: Record<keyof typeof HEADERS, number> } {
  for (const [at, row] of rows.slice(0, 20).entries()) {
    const cells = row.map((c) => cellText(c).replace(/\s+/g, ''));
    const col = (re: RegExp) => cells.findIndex((c) => re.test(c));
    const cols = { seq: col(HEADERS.seq), hs8: col(HEADERS.hs8), name: col(HEADERS.name), remark: col(HEADERS.remark) };
    // (one cell holding both is a header the reader did not split: a CSV separated by tabs or semicolons)
    if (cols.hs8 >= 0 && cols.name >= 0 && cols.hs8 !== cols.name) return { at, cols };
    if (cols.hs8 >= 0 && cols.hs8 === cols.name)
      throw new SandanError(
        'INVALID_OPTION',
        `The header of row ${at + 1} is one cell, ${JSON.stringify(cellText(row[cols.hs8]))}: give the annex as comma-separated CSV (or .xlsx); tabs and semicolons do not separate columns`,
      );
  }
  throw new SandanError(
    'INVALID_OPTION',
    'No header row with 税则号列 and 商品名称 (or 货品名称) in the first 20 rows; the annex table has the columns 序号 / 税则号列 / 商品名称 / 备注',
  );
}

/** Excel's error values, as a worksheet reader and a CSV export of one give them. */
const SPREADSHEET_ERROR =
  /^#(?:N\/A|NULL!|DIV\/0!|VALUE!|REF!|NAME\?|NUM!|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA)$/;

/**
 * Why the cells of a row that are read as a line hold no value: an error value (#N/A, #REF!), or a formula whose
 * result the workbook did not save (given as `=FORMULA`). Read as text, they became the line's name or remark.
 */
function notAValue(row: readonly unknown[], cols: Record<'hs8' | 'name' | 'remark', number>): string | undefined {
  for (const [column, at] of [
    ['税则号列', cols.hs8],
    ['商品名称', cols.name],
    ['备注', cols.remark],
  ] as const) {
    const text = at >= 0 ? cellText(row[at]) : '';
    if (SPREADSHEET_ERROR.test(text)) return `${column} holds the spreadsheet error ${text}, not a value`;
    if (text.startsWith('='))
      return `${column} holds the formula ${text} and no value saved with it (recalculate and save the workbook)`;
  }
  return undefined;
}

/** The text of a cell value as a CSV reader or a worksheet gives it. */
function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return (typeof v === 'string' ? v : String(v)).trim();
}

/**
 * Builds an edition file from the annex table: `rows` are the table's rows (CSV fields, or
 * worksheet cell values where a tariff code may be a number). Returns the file's data, checked
 * like any edition, and a report of what was read and what could not be interpreted.
 */
export function importPositiveList(
  rows: readonly (readonly unknown[])[],
  options: PositiveListImportOptions,
): { data: PositiveListData; report: PositiveListImportReport } {
  checkArgument(rows, 'list', 'importPositiveList', 'rows');
  checkArgument(options, 'object', 'importPositiveList', 'the options');
  if (!/^\d{4}$/.test(options.edition))
    throw new SandanError(
      'INVALID_OPTION',
      `--edition must be a year such as 2022, got ${describeInput(options.edition)}`,
    );
  const base = options.base;
  const effectiveFrom = options.effectiveFrom ?? base?.effectiveFrom;
  const effectiveTo = options.effectiveTo ?? (options.effectiveFrom === undefined ? base?.effectiveTo : undefined);
  if (effectiveFrom === undefined)
    throw new SandanError(
      'INVALID_OPTION',
      `sandan knows no ${options.edition} edition of the positive list; give the date it took effect (--from YYYY-MM-DD)`,
    );
  for (const d of [effectiveFrom, effectiveTo]) {
    if (d !== undefined && !DateSchema.safeParse(d).success)
      throw new SandanError('INVALID_OPTION', `Dates must be YYYY-MM-DD, got ${describeInput(d)}`);
  }
  if (endsBeforeItStarts(effectiveFrom, effectiveTo))
    throw new SandanError(
      'INVALID_OPTION',
      `--to ${effectiveTo} is before the day the edition took effect, ${effectiveFrom}: it would be in force on no day`,
    );
  const { at, cols } = findHeader(rows);
  const report: PositiveListImportReport = {
    edition: options.edition,
    rows: 0,
    lines: 0,
    officialLineCount: base?.edition === options.edition ? base.officialLineCount : undefined,
    complete: false,
    remarks: { 'bonded-only': 0, exclusion: 0, 'name-restriction': 0, 'annual-quantity': 0, other: 0 },
    uninterpreted: [],
    rejected: [],
    padded: [],
  };
  const lines: PositiveListLine[] = [];
  const seen = new Set<string>();
  for (const [r, row] of rows.entries()) {
    if (r <= at) continue;
    const rowNo = r + 1;
    if (row.every((c) => cellText(c) === '')) continue;
    report.rows++;
    const why = notAValue(row, cols);
    if (why !== undefined) {
      report.rejected.push({ row: rowNo, reason: why });
      continue;
    }
    const raw = row[cols.hs8];
    let hs8 = cellText(raw).replace(/[\s.]/g, '');
    // Seven digits, the first not 0, can only be a code of chapters 01–09 whose leading 0 a spreadsheet dropped (as a
    // number, or in a CSV it exported, which keeps no cell types): restored, and each listed in the report to review.
    // Other lengths are refused: a 10-digit 商品编码 is no tariff line of the annex, and no chapter starts with 00.
    if (/^[1-9]\d{6}$/.test(hs8)) {
      hs8 = hs8.padStart(8, '0');
      report.padded.push({ row: rowNo, hs8 });
    }
    if (!/^\d{8}$/.test(hs8)) {
      report.rejected.push({
        row: rowNo,
        reason: `税则号列 ${JSON.stringify(cellText(raw))} is not an 8-digit tariff line`,
      });
      continue;
    }
    const name = cellText(row[cols.name]).replace(/\s+/g, ' ');
    if (name === '') {
      report.rejected.push({ row: rowNo, reason: `${hs8} has no 商品名称` });
      continue;
    }
    if (seen.has(hs8)) {
      report.rejected.push({ row: rowNo, reason: `${hs8} appears again (the first row is kept)` });
      continue;
    }
    seen.add(hs8);
    const remarkText = cols.remark >= 0 ? cellText(row[cols.remark]) : '';
    const line: PositiveListLine = { hs8, name, source: 'ANNEX' };
    if (remarkText !== '') {
      const parsed = parsePositiveListRemark(remarkText);
      line.remark = remarkText;
      line.remarks = parsed.remarks;
      for (const rk of parsed.remarks) report.remarks[rk.kind]++;
      for (const text of parsed.uninterpreted) report.uninterpreted.push({ row: rowNo, hs8, text });
    }
    lines.push(line);
  }
  report.lines = lines.length;
  report.complete =
    options.complete ?? (report.officialLineCount !== undefined && report.lines === report.officialLineCount);
  const fromBase = base?.edition === options.edition ? base : undefined;
  const data: PositiveListData = {
    id: `positive-list-${options.edition}`,
    edition: options.edition,
    name: fromBase?.name ?? {
      zh: `跨境电子商务零售进口商品清单（${options.edition}年版）`,
      en: `CBEC retail import positive list, ${options.edition} edition`,
    },
    effectiveFrom,
    ...(effectiveTo !== undefined && { effectiveTo }),
    complete: report.complete,
    ...(report.officialLineCount !== undefined && { officialLineCount: report.officialLineCount }),
    sources: [
      {
        id: 'ANNEX',
        issuer: 'the user of sandan positive-list import',
        title: `Annex table of the ${options.edition} edition (序号 / 税则号列 / 商品名称 / 备注), imported from ${options.origin} by sandan positive-list import`,
        section: options.origin,
        kind: 'primary',
        note: 'The user supplied the table; its fidelity to the official annex is theirs to vouch for.',
      },
      ...(fromBase?.sources ?? []).filter((s) => s.id !== 'ANNEX'),
    ],
    completeness: {
      statement: `${report.lines} lines imported from ${options.origin}${report.officialLineCount !== undefined ? ` (the official edition has ${report.officialLineCount})` : ''}; ${report.complete ? 'complete' : 'partial: codes not among them only warn'}.${report.uninterpreted.length ? ` ${report.uninterpreted.length} remark parts could not be interpreted and ask the user to confirm them.` : ''}`,
      completeHeadings: [],
    },
    lines,
  };
  const absent = [...(fromBase?.absent.values() ?? [])].filter((a) => !seen.has(a.hs8));
  if (absent.length && !report.complete) {
    data.absent = absent;
    const ids = new Set(absent.flatMap((a) => a.source.split(/[;,]\s*/)));
    if ([...ids].some((id) => !data.sources.some((s) => s.id === id))) delete data.absent;
  }
  // The result must load like any edition file.
  loadPositiveList(data, `import of ${options.origin}`);
  return { data, report };
}
