import { basename, extname } from 'node:path';
import { Option, type Command } from 'commander';
import { SandanError, messageOf, oneLine } from '../errors.js';
import { bundledPositiveLists, importPositiveList, parseCsv, type PositiveListImportReport } from '../rules/index.js';
import type { CommandContext } from './command.js';
import type { CliIo } from './io.js';
import { refuseOutputOverInput, writeFileAtomic } from './atomic-file.js';
import { zipInflationProblem } from './zip-size.js';
import { readInputFile, tooLargeFile } from '../io/walk.js';
import { MAX_DATA_FILE_BYTES } from './json-file.js';

/** Options of `sandan positive-list import`. */
interface PositiveListImportCommandOptions {
  edition: string;
  out: string;
  from?: string;
  to?: string;
  complete?: boolean;
  format: 'text' | 'json';
}

/** The exit codes of `sandan positive-list import`: all read, read with problems, error. */
const POSITIVE_LIST_EXIT = { ok: 0, problems: 1, error: 2 } as const;

/** CSV text: UTF-8, or GB18030 (how Chinese spreadsheets often save CSV) when it is not valid UTF-8. */
function decodeCsv(bytes: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gb18030' };
  }
}

/**
 * What a workbook may inflate to. The official annex is under 1 MB inflated (about 1,500 lines); exceljs
 * holds a workbook in memory at several times its size, and ran out at 4 GB on 16 million rows.
 */
export const MAX_WORKBOOK_INFLATED_BYTES = 64 * 1024 * 1024;

/** Columns read of a worksheet: the annex has four (序号 / 税则号列 / 商品名称 / 备注); a copy may have a few more. */
const MAX_COLUMNS = 64;

/** The rows of the first worksheet that has a 税则号列 header, as cell values (exceljs is loaded only here). */
async function xlsxRows(bytes: Buffer, path: string): Promise<unknown[][]> {
  const problem = zipInflationProblem(bytes, MAX_WORKBOOK_INFLATED_BYTES);
  if (problem)
    throw new SandanError('FILE_UNREADABLE', `${path}: not a readable .xlsx workbook: ${problem}`, {
      details: { file: path, workbook: true },
    });
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw new SandanError('FILE_UNREADABLE', `${path}: not a readable .xlsx workbook: ${messageOf(e)}`, {
      cause: e,
      details: { file: path, workbook: true },
    });
  }
  const sheets = book.worksheets.map((ws) => {
    // (a few bytes of XML can number a row 99,999,999, and exceljs makes every row before it that it is asked for)
    if (ws.rowCount > 1048576)
      throw new SandanError(
        'FILE_UNREADABLE',
        `${path}: not a readable .xlsx workbook: its sheet ${ws.name} has a row numbered ${ws.rowCount}; Excel's sheets end at row 1048576`,
        { details: { file: path, workbook: true } },
      );
    const rows: unknown[][] = [];
    for (let n = 1; n <= ws.rowCount; n++) {
      const row = ws.findRow(n);
      if (!row) continue;
      // Cell by cell, the first MAX_COLUMNS only: exceljs's own walks (eachCell, even eachRow) visit every slot up to a
      // row's last cell, 16,384 for one in column XFD; 3,000 such rows (52 KB) ran out of memory.
      const cells: unknown[] = [];
      for (let c = 1; c <= Math.min(row.cellCount, MAX_COLUMNS); c++) {
        const cell = row.findCell(c);
        if (cell) cells[c - 1] = cellValue(cell.value, cell.formula);
      }
      rows[n - 1] = cells;
    }
    return Array.from(rows, (r) => r ?? []);
  });
  return (
    sheets.find((rows) =>
      rows.slice(0, 20).some((r) => r.some((c) => typeof c === 'string' && /税则号列|税号/.test(c))),
    ) ??
    sheets[0] ??
    []
  );
}

/** A worksheet cell's value as text or number (rich text, formulas and hyperlinks flattened). */
function cellValue(v: unknown, formula?: string): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object') return v;
  const o = v as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: unknown };
  if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
  // An error value (#N/A, also as a formula's result) and a formula with no saved result are told as Excel shows
  // them, for the import to refuse the row; String() of them was "[object Object]", written as a name or remark.
  if ('result' in o && o.result !== undefined) return cellValue(o.result);
  if (typeof o.error === 'string') return o.error;
  // exceljs keeps no result that is falsy (0, ''): such a formula is refused too, as its value cannot be told.
  if (formula) return `=${formula}`;
  if (typeof o.text === 'string') return o.text;
  // A date cell has no zone: exceljs turns its serial into the Date whose UTC fields are the ones
  // written, so the UTC day is the sheet's day (the Beijing day would move 16:00 onwards to the next).
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
}

function reportText(r: PositiveListImportReport, out: string | undefined, encoding: string | undefined): string {
  const lines = [
    `edition ${r.edition}: ${r.lines} line${r.lines === 1 ? '' : 's'} read from ${r.rows} row${r.rows === 1 ? '' : 's'}${encoding === 'gb18030' ? ' (CSV decoded as GB18030)' : ''}${r.officialLineCount !== undefined ? `; the official edition has ${r.officialLineCount}` : ''} — ${r.complete ? 'complete' : 'partial (codes not in it only warn)'}`,
    `remarks: ${Object.entries(r.remarks)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    ...r.padded.map((p) => `row ${p.row}: leading zero restored, ${p.hs8}`),
    ...r.rejected.map((p) => `row ${p.row}: not read: ${p.reason}`),
    ...r.uninterpreted.map(
      (u) => `row ${u.row}: ${u.hs8}: remark not interpreted (the check will ask to confirm it): ${u.text}`,
    ),
    ...(out === undefined ? [] : [`wrote ${out}`]),
  ];
  // (a cell of the annex or a file's name on one line: a line break or a terminal escape in one forged lines)
  return `${lines.map(oneLine).join('\n')}\n`;
}

/** Runs `sandan positive-list import`; returns the exit code. Misuse throws a SandanError (exit 2 in main). */
async function positiveListImportCommand(
  file: string,
  opts: PositiveListImportCommandOptions,
  io: CliIo,
): Promise<number> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx')
    throw new SandanError('INVALID_OPTION', `The annex must be a .csv or .xlsx file, got ${file}`);
  await refuseOutputOverInput(opts.out, [['annex', file]]);
  // (an annex is a few hundred kilobytes; /dev/zero behind an .csv name, read whole, never ended)
  const bytes = await readInputFile(file, undefined, MAX_DATA_FILE_BYTES);
  if (bytes === undefined) throw tooLargeFile(file, MAX_DATA_FILE_BYTES);
  let encoding: string | undefined;
  let rows: readonly (readonly unknown[])[];
  if (ext === '.csv') {
    const decoded = decodeCsv(bytes);
    encoding = decoded.encoding;
    rows = parseCsv(decoded.text);
  } else {
    rows = await xlsxRows(bytes, file);
  }
  const base = bundledPositiveLists().find((e) => e.edition === opts.edition);
  const { data, report } = importPositiveList(rows, {
    edition: opts.edition,
    base,
    origin: basename(file),
    ...(opts.from !== undefined && { effectiveFrom: opts.from }),
    ...(opts.to !== undefined && { effectiveTo: opts.to }),
    ...(opts.complete && { complete: true }),
  });
  if (report.lines === 0) {
    io.stderr(`sandan: no tariff line was read from ${oneLine(file)}; nothing written\n`);
    io.stdout(
      opts.format === 'json'
        ? `${JSON.stringify({ written: null, ...report })}\n`
        : reportText(report, undefined, encoding),
    );
    return POSITIVE_LIST_EXIT.problems;
  }
  await writeFileAtomic(opts.out, `${JSON.stringify(data, null, 2)}\n`);
  io.stdout(
    opts.format === 'json'
      ? `${JSON.stringify({ written: opts.out, ...report })}\n`
      : reportText(report, opts.out, encoding),
  );
  return report.rejected.length || report.uninterpreted.length ? POSITIVE_LIST_EXIT.problems : POSITIVE_LIST_EXIT.ok;
}

/** Registers `sandan positive-list import` on the program. */
export function registerPositiveListCommand(program: Command, { io, setExit }: CommandContext): void {
  const cmd = program
    .command('positive-list')
    .description(
      'Work with editions of the positive list (跨境电子商务零售进口商品清单). Exit 0 done, 1 read with problems (printed), 2 error.',
    );
  cmd
    .command('import')
    .description(
      'read the official annex table (columns 序号 / 税则号列 / 商品名称 / 备注) into an edition file for validate --positive-list; remarks become checks',
    )
    .argument('<annex>', 'the annex as .csv (UTF-8 or GB18030) or .xlsx')
    .requiredOption('--edition <year>', 'the edition, e.g. 2022 (its dates and official line count come from sandan)')
    .requiredOption('--out <file>', 'edition file (JSON) to write')
    .option('--from <date>', 'date the edition took effect, YYYY-MM-DD (needed for an edition sandan does not know)')
    .option('--to <date>', 'last date the edition was in force, YYYY-MM-DD')
    .option('--complete', 'declare the table complete even when no official line count confirms it')
    .addOption(new Option('--format <format>', 'output format of the report').choices(['text', 'json']).default('text'))
    .action(async (file: string, opts: PositiveListImportCommandOptions) => {
      setExit(await positiveListImportCommand(file, opts, io));
    });
}
