import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  reconcile,
  reconcileBalanced,
  summaryToJSON,
  WATERFALL_CAUSES,
  writeReportXlsx,
} from '../../src/reconcile/index.js';
import { writeWorkbook } from '../../src/reconcile/xlsx.js';
import { Dec } from '../../src/model/primitives.js';
import { CSV_COLUMNS, CSV_LABELS } from '../../src/reconcile/output.js';
import { calculate, memoryData } from './helpers.js';
import { readXlsxWithPython, type XlsxCell } from './xlsx-reader.js';

const sumFen = (values: Array<string | number | null | undefined>) =>
  values.reduce<Dec>((a, v) => (v === null || v === undefined || v === '' ? a : a.plus(v)), new Dec(0)).toFixed(2);
const fen = (v: string | number | null | undefined) => new Dec(v ?? 0).toFixed(2);
/** The value in column `col` (0 = A) of a row read by python (empty cells are not stored). */
const at = (row: XlsxCell[] | undefined, col: number) => row?.find((c) => c.col === String.fromCharCode(65 + col));

describe('--format xlsx: the report as a workbook', async () => {
  const d = memoryData(120);
  (d.declarations[0] as { order: Record<string, unknown> }).order.orderNo = '-2+3+cmd';
  (d.declarations[1] as { order: Record<string, unknown> }).order.orderNo = '=1+1';
  const report = await reconcile({ declarations: d.declarations, documents: d.documents }, { calculate });
  const json = summaryToJSON(report.summary);
  const file = join(mkdtempSync(join(tmpdir(), 'sandan-xlsx-')), 'report.xlsx');
  const stream = createWriteStream(file);
  await writeReportXlsx(report, stream);
  await new Promise<void>((resolve) => (stream.closed ? resolve() : stream.on('close', () => resolve())));

  it('read by python3 (zipfile + XML): frozen bilingual headers, filters, numeric amounts, no formulas, totals to the fen', () => {
    const sheets = readXlsxWithPython(file);
    expect(sheets.map((s) => s.name)).toEqual(['Summary', 'Rows', 'Mismatches']);
    for (const s of sheets) {
      expect(s.pane).toMatchObject({ state: 'frozen', ySplit: '1' });
      for (const row of s.rows) for (const c of row) expect(c.f, c.ref).toBeNull();
    }
    const [summary, rows, mismatches] = sheets as [(typeof sheets)[0], (typeof sheets)[0], (typeof sheets)[0]];

    // Rows: a bilingual header with a filter over every column, one row per order.
    expect(rows.autoFilter).toBe('A1:Z1');
    expect(rows.rows[0]!.map((c) => c.v)).toEqual(CSV_COLUMNS.map((c) => `${CSV_LABELS[c]} / ${c}`));
    const body = rows.rows.slice(1);
    expect(body).toHaveLength(json.orders);
    const col = (name: (typeof CSV_COLUMNS)[number]) =>
      body.map((r) => r.find((c) => c.col === String.fromCharCode(65 + CSV_COLUMNS.indexOf(name))));
    // Order numbers are text, as declared: a leading '-' or '=' makes neither a number nor a formula.
    const orderNos = col('orderNo');
    expect(orderNos.slice(0, 2).map((c) => [c?.t, c?.v])).toEqual([
      ['inlineStr', '-2+3+cmd'],
      ['inlineStr', '=1+1'],
    ]);
    // Amounts are numbers formatted to the fen.
    const billed = col('billedTaxTotal').filter((c): c is XlsxCell => c !== undefined);
    expect(billed.length).toBeGreaterThan(100);
    for (const c of billed) expect([c.t, c.fmt]).toEqual(['n', '0.00']);
    expect(sumFen(billed.map((c) => c.v))).toBe(json.billedTaxTotal);
    expect(sumFen(col('declaredTaxTotal').map((c) => c?.v))).toBe(json.declaredTaxTotal);
    expect(sumFen(col('diffDeclared').map((c) => c?.v))).not.toBe('0.00');
    // Beside each status code (which scripts read), its words: those of the summary's counts.
    const statusWords: Record<string, string> = {
      matched: '相符 / matched',
      mismatch: '不符 / mismatch',
      'bill-missing': '缺税单 / bill missing',
      'bill-without-declaration': '有税单无申报 / bill without declaration',
      cancelled: '已撤单 / cancelled',
      refunded: '已退货 / refunded',
      'bill-void': '税单作废 / bill void',
      unlinked: '未关联 / unlinked',
      'not-computed': '未能计税 / not computed',
      'duplicate-declaration': '重复申报 / duplicate declaration',
    };
    const statuses = col('status').map((c) => c?.v as string);
    expect(new Set(statuses).size).toBeGreaterThan(5);
    expect(CSV_COLUMNS.indexOf('statusLabel')).toBe(CSV_COLUMNS.indexOf('status') + 1);
    // A bill row whose bills name no order (an empty orderNo cell) says instead what to search by.
    const noOrder =
      '有税单无申报（税单未载订单编号，请按清单编号查找） / bill without declaration (its bills name no orderNo: search by invtNo)';
    const orders = col('orderNo').map((c) => c?.v);
    expect(col('statusLabel').map((c) => c?.v)).toEqual(
      statuses.map((st, i) => (st === 'bill-without-declaration' && !orders[i] ? noOrder : statusWords[st])),
    );
    expect(statuses.some((st, i) => st === 'bill-without-declaration' && !orders[i])).toBe(true);

    // Summary: the waterfall (withheld, the causes, the difference, billed), then by month and by district.
    const byLabel = new Map(summary.rows.map((r) => [at(r, 1)?.v, r]));
    expect(fen(at(byLabel.get('withheld'), 3)?.v)).toBe(json.waterfall.withheld);
    expect(fen(at(byLabel.get('billed'), 3)?.v)).toBe(json.waterfall.billed);
    expect(fen(at(byLabel.get('difference'), 3)?.v)).toBe(json.waterfall.difference);
    for (const c of json.waterfall.causes) {
      const r = byLabel.get(c.cause);
      const a = at(r, 3)!;
      expect([Number(at(r, 2)!.v), fen(a.v), a.t, a.fmt]).toEqual([c.orders, c.amount, 'n', '0.00']);
    }
    // Named in the words of the summary's counts and of the HTML page (one table of labels serves all three).
    const words: Record<string, string> = {
      rounding: '相符（分位舍入） / matched (rounding)',
      mismatch: '不符 / mismatch',
      'bill-missing': '缺税单 / bill missing',
      'bill-without-declaration': '有税单无申报 / bill without declaration',
      cancelled: '已撤单 / cancelled',
      refunded: '已退货 / refunded',
      rejected: '海关退单 / rejected',
      'not-computed': '未能计税 / not computed',
      other: '其他 / other',
    };
    expect(json.waterfall.causes.map((c) => at(byLabel.get(c.cause), 0)?.v)).toEqual(
      json.waterfall.causes.map((c) => words[c.cause]),
    );
    const groupHeader = summary.rows.find((r) => at(r, 1)?.v === '订单 / orders');
    expect(groupHeader?.slice(1, 9).map((c) => c.v)).toEqual([
      '订单 / orders',
      '相符 / matched',
      '不符 / mismatch',
      '代扣税款 / withheld',
      '计算税款 / computed',
      '税单税款 / billed',
      '差额 / difference',
      '退单代扣税款（应退还买家） / withheld on rejected orders (owed back to buyers)',
    ]);
    const byKey = new Map(summary.rows.map((r) => [at(r, 0)?.v, r]));
    const groups = [...Object.entries(json.byMonth), ...Object.entries(json.byDistrict)];
    expect(groups.length).toBeGreaterThan(4);
    for (const [k, g] of groups) {
      const r = byKey.get(k)!;
      const v = (i: number) => at(r, i)?.v;
      expect([Number(v(1)), fen(v(4)), fen(v(6)), fen(v(7)), fen(v(8))]).toEqual([
        g.orders,
        g.declaredTaxTotal,
        g.billedTaxTotal,
        g.difference,
        g.rejectedTaxTotal,
      ]);
      expect(g.waterfall.causes.map((_, i) => fen(v(9 + i)))).toEqual(g.waterfall.causes.map((c) => c.amount));
    }

    // The verdict and the input counts follow the groups, as reconcileBalanced and summary.inputs say.
    expect(at(byKey.get('对账结论 / verdict'), 1)?.v).toBe(
      reconcileBalanced(report.summary) ? '平 / balanced' : '不平或输入有问题 / not balanced or inputs with problems',
    );
    expect(Object.fromEntries(Object.keys(json.inputs).map((k) => [k, Number(at(byLabel.get(k), 2)?.v)]))).toEqual(
      json.inputs,
    );
    // The problems: here only the bills delivered twice (the data has exact repeats), each named by its taxNo.
    const titled = summary.rows.findIndex((r) => at(r, 0)?.v === '输入问题 / problems in the inputs');
    expect(summary.rows.slice(titled + 1).map((r) => at(r, 0)?.v)).toEqual(report.problems);
    expect(report.problems.length).toBe(json.inputs.duplicateBills);
    for (const p of report.problems) expect(p).toMatch(/^CEB816 taxNo \S+ came twice: first in inputs\.documents/);

    // Bold: every header row, and in the Summary the waterfall's two ends, the section titles and the totals;
    // the causes and the groups' rows are not.
    for (const sheet of sheets)
      expect(
        sheet.rows[0]!.every((c) => c.bold),
        sheet.name,
      ).toBe(true);
    const bold = (r: XlsxCell[] | undefined) => r !== undefined && r.length > 0 && r.every((c) => c.bold);
    expect([bold(byLabel.get('withheld')), bold(byLabel.get('billed'))]).toEqual([true, true]);
    for (const c of json.waterfall.causes) expect(bold(byLabel.get(c.cause)), c.cause).toBe(false);
    expect(bold(byKey.get('合计 / total'))).toBe(true);
    expect(bold(byKey.get('输入 / inputs'))).toBe(true);
    for (const [k] of groups) expect(bold(byKey.get(k)), k).toBe(false);
    expect(rows.rows.slice(1).some((r) => r.some((c) => c.bold))).toBe(false);

    // Mismatches: one row per mismatch entry, amounts numeric.
    // Mismatches: one row per mismatch entry, the kind's code and its words, amounts numeric.
    expect(mismatches.autoFilter).toBe('A1:E1');
    expect(mismatches.rows[0]!.map((c) => c.v)).toEqual([
      '订单编号 / orderNo',
      '清单编号 / invtNo',
      '差异项 / kind',
      '差异项说明 / kindLabel',
      '差额 / amount',
    ]);
    const kindWords: Record<string, string> = {
      customsTax: '关税 / customs duty',
      consumptionTax: '消费税 / consumption tax',
      valueAddedTax: '增值税 / VAT',
      declared: '代扣税款 / withheld',
    };
    const entries = [...report.mismatches()];
    expect(new Set(entries.map((m) => m.kind)).size).toBeGreaterThan(1);
    expect(
      mismatches.rows.slice(1).map((r) => [at(r, 0)!.v, at(r, 2)!.v, at(r, 3)!.v, fen(at(r, 4)!.v), at(r, 4)!.t]),
    ).toEqual(entries.map((m) => [m.orderNo, m.kind, kindWords[m.kind], m.amount, 'n']));
  });

  it('read by exceljs: the same workbook, typed cells', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const rows = book.getWorksheet('Rows')!;
    expect(rows.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(rows.autoFilter).toBe('A1:Z1');
    expect(rows.getCell('A1').text).toBe('订单编号 / orderNo');
    expect(rows.getCell('A2').text).toBe('-2+3+cmd');
    expect(rows.getCell('A2').type).toBe(ExcelJS.ValueType.RichText);
    const billedCol = CSV_COLUMNS.indexOf('billedTaxTotal') + 1;
    const values: number[] = [];
    rows.eachRow((row, n) => {
      if (n === 1) return;
      const v = row.getCell(billedCol).value;
      if (v !== null) {
        expect(typeof v).toBe('number');
        values.push(v as number);
      }
    });
    expect(sumFen(values)).toBe(json.billedTaxTotal);
    const summary = book.getWorksheet('Summary')!;
    const causes: string[] = [];
    summary.eachRow((row) => {
      const cause = row.getCell(2).text;
      if (WATERFALL_CAUSES.includes(cause as never)) causes.push(`${cause}:${fen(row.getCell(4).value as number)}`);
    });
    expect(causes).toEqual(json.waterfall.causes.map((c) => `${c.cause}:${c.amount}`));
  });
});

describe('--format xlsx: text a cell cannot hold as it is', async () => {
  const d = memoryData(3);
  const long = `${'长'.repeat(32_765)}😀😀`;
  const names = ['A\u0001B\uFFFEC\uFFFF', long, 'X\uD800Y'];
  names.forEach((no, i) => {
    (d.declarations[i] as { order: Record<string, unknown> }).order.orderNo = no;
  });
  const report = await reconcile({ declarations: d.declarations, documents: d.documents }, { calculate });
  const file = join(mkdtempSync(join(tmpdir(), 'sandan-xlsx-')), 'report.xlsx');
  const stream = createWriteStream(file);
  await writeReportXlsx(report, stream);
  await new Promise<void>((resolve) => (stream.closed ? resolve() : stream.on('close', () => resolve())));

  it('characters XML forbids become U+FFFD, not a sheet no reader opens; text over 32,767 characters is cut with …', () => {
    const rows = readXlsxWithPython(file).find((s) => s.name === 'Rows')!;
    const orderNos = rows.rows.slice(1).map((r) => at(r, 0)?.v);
    expect(orderNos).toHaveLength(3);
    expect(orderNos).toContain('A\uFFFDB\uFFFDC\uFFFD');
    expect(orderNos).toContain('X\uFFFDY');
    // Excel's limit in UTF-16 code units, the cut not splitting the emoji's surrogate pair.
    const cut = orderNos.find((v) => v?.startsWith('长'));
    expect(cut).toBe(`${'长'.repeat(32_765)}…`);
  });
});

describe('--format xlsx: more rows than a sheet holds', async () => {
  // Excel's sheets end at row 1,048,576: exceljs wrote row 1,048,577 and on into the one Rows sheet, and Excel opened
  // the workbook "repaired", without them (LibreOffice: cut, with a warning). The limit is a parameter here, so that
  // 120 orders show it where a million would take a minute.
  const d = memoryData(120);
  const report = await reconcile({ declarations: d.declarations, documents: d.documents }, { calculate });
  const file = join(mkdtempSync(join(tmpdir(), 'sandan-xlsx-')), 'report.xlsx');
  const stream = createWriteStream(file);
  await writeWorkbook(report, stream, 50);
  await new Promise<void>((resolve) => (stream.closed ? resolve() : stream.on('close', () => resolve())));
  const whole = [...report.rows()].map((r) => r.orderNo ?? null);
  const mismatches = [...report.mismatches()].map((m) => `${m.orderNo}:${m.kind}`);

  it('goes on to "Rows (2)", "Rows (3)"…, each with the header and filter, every order once and in order', () => {
    const sheets = readXlsxWithPython(file);
    const rowSheets = sheets.filter((s) => s.name === 'Rows' || s.name.startsWith('Rows ('));
    expect(rowSheets.map((s) => s.name)).toEqual(['Rows', 'Rows (2)', 'Rows (3)']);
    for (const s of rowSheets) {
      expect(s.rows[0]!.map((c) => c.v)).toEqual(CSV_COLUMNS.map((c) => `${CSV_LABELS[c]} / ${c}`));
      expect(s.autoFilter).toBe('A1:Z1');
      expect(s.pane).toMatchObject({ state: 'frozen', ySplit: '1' });
      expect(s.rows.length - 1).toBeLessThanOrEqual(50);
    }
    expect(rowSheets.flatMap((s) => s.rows.slice(1).map((r) => at(r, 0)?.v ?? null))).toEqual(whole);
    const listed = sheets.filter((s) => s.name === 'Mismatches' || s.name.startsWith('Mismatches ('));
    expect(listed.length).toBe(Math.max(1, Math.ceil(mismatches.length / 50)));
    expect(listed.flatMap((s) => s.rows.slice(1).map((r) => `${at(r, 0)?.v}:${at(r, 2)?.v}`))).toEqual(mismatches);
    expect(sheets[0]!.name).toBe('Summary');
  });
});
