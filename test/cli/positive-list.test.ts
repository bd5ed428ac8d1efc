import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { loadPositiveList } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';

const HZ = 'examples/hangzhou-1210.json';
const GZ = 'examples/guangzhou-9610.json';
const dir = mkdtempSync(join(tmpdir(), 'sandan-pl-'));

/** An annex in the official layout: a title row, then 序号 / 税则号列 / 商品名称 / 备注; one remark holds a comma and so is quoted. */
const CSV = [
  '跨境电子商务零售进口商品清单调整表（2022年版）,,,',
  '序号,税则号列,商品名称,备注',
  '1,19011010,供婴幼儿食用的零售包装配方奶粉,',
  '2,33049900,其他美容品或化妆品及护肤品,"限网购保税商品；列入《进出口野生动植物种商品目录》的商品除外"',
  '3,32151900,其他印刷油墨,仅限家用打印机墨水',
  '',
].join('\r\n');

function codes(stdout: string): string[] {
  return JSON.parse(stdout)
    .issues.filter((i: { ruleId: string }) => i.ruleId === 'goods/positive-list')
    .map((i: { code: string; severity: string }) => `${i.code}:${i.severity}`);
}

describe('sandan positive-list import', () => {
  const csv = join(dir, 'annex.csv');
  const out = join(dir, 'pl-2022.json');
  writeFileSync(csv, CSV);

  it('reads a CSV annex, reports what it read, and writes an edition file that loads', async () => {
    const r = await runCli(['positive-list', 'import', csv, '--edition', '2022', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'edition 2022: 3 lines read from 3 rows; the official edition has 1476 — partial (codes not in it only warn)',
        'remarks: bonded-only 1, exclusion 1, name-restriction 1, annual-quantity 0, other 0',
        `wrote ${out}`,
        '',
      ].join('\n'),
    );
    const data = JSON.parse(readFileSync(out, 'utf8'));
    const edition = loadPositiveList(data, out);
    expect([...edition.lines.keys()]).toEqual(['19011010', '33049900', '32151900']);
    expect(edition.lines.get('33049900')?.remarks?.map((x) => x.kind)).toEqual(['bonded-only', 'exclusion']);
    expect(edition).toMatchObject({ id: 'positive-list-2022', effectiveFrom: '2022-03-01', complete: false });
    // --format text, said outright, is the default.
    const text = await runCli(['positive-list', 'import', csv, '--edition', '2022', '--out', out, '--format', 'text']);
    expect([text.code, text.stdout, text.stderr]).toEqual([0, r.stdout, '']);
  });

  it('validate --positive-list uses it: no "unconfirmed" warning for the codes it covers, and its remarks are checked', async () => {
    // Hangzhou (1210): both codes are on the imported edition; 33049900's CITES exclusion asks to confirm.
    const hz = await runCli(['validate', HZ, '--positive-list', out, '--format', 'json']);
    expect(hz.code).toBe(0);
    expect(codes(hz.stdout)).toEqual(['positive-list-exclusion:warning']);
    // Guangzhou (9610): 33049900 is limited to bonded import.
    const gz = await runCli(['validate', GZ, '--positive-list', out, '--format', 'json']);
    expect(gz.code).toBe(1);
    expect(codes(gz.stdout)).toEqual(['positive-list-mode:error', 'positive-list-exclusion:warning']);
    // Before 2022-03-01 the bundled 2019 edition applies again.
    const old = await runCli(['validate', GZ, '--positive-list', out, '--at', '2021-06-01', '--format', 'json']);
    expect(codes(old.stdout)).toEqual(['positive-list-unconfirmed:warning']);
    // Without the file: the bundled partial copy only warns.
    const bundled = await runCli(['validate', HZ, '--format', 'json']);
    expect(codes(bundled.stdout)).toEqual(['positive-list-unconfirmed:warning', 'positive-list-unconfirmed:warning']);
  });

  it('reads an XLSX annex (codes as numbers, rich text), and exits 1 on rows and remarks it could not read', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('附件');
    sheet.addRow(['跨境电子商务零售进口商品清单调整表（2022年版）']);
    sheet.addRow(['序号', '税则号列', '商品名称', '备注']);
    sheet.addRow([1, 4029100, '浓缩但未加糖的非固状乳及奶油', null]);
    sheet.addRow([
      2,
      17019910,
      '砂糖',
      { richText: [{ text: '每人每年限购' }, { text: '2千克以下', font: { bold: true } }] },
    ]);
    sheet.addRow([3, 'x', '坏行', null]);
    sheet.addRow([4, '33049900', '化妆品', '须附中文标签']);
    const xlsx = join(dir, 'annex.xlsx');
    await book.xlsx.writeFile(xlsx);
    const out2 = join(dir, 'pl-xlsx.json');
    const r = await runCli(['positive-list', 'import', xlsx, '--edition', '2022', '--out', out2, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      written: out2,
      rows: 4,
      lines: 3,
      padded: [{ row: 3, hs8: '04029100' }],
      rejected: [{ row: 5, reason: '税则号列 "x" is not an 8-digit tariff line' }],
      uninterpreted: [{ row: 6, hs8: '33049900', text: '须附中文标签' }],
    });
    const edition = loadPositiveList(JSON.parse(readFileSync(out2, 'utf8')), out2);
    expect(edition.lines.get('17019910')?.remarks).toEqual([
      { kind: 'annual-quantity', max: '2', unit: 'kg', text: '每人每年限购2千克以下' },
    ]);
  });

  it('finds the annex on a later sheet, its header as low as row 20, and reads hyperlink and formula cells', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('说明').addRow(['本表为跨境电子商务零售进口商品清单的工作副本']);
    const sheet = book.addWorksheet('附件');
    for (let i = 1; i < 20; i++) sheet.addRow([`说明第${i}行`]);
    sheet.addRow(['序号', '税则号列', '商品名称', '备注']); // row 20
    sheet.addRow([1, { formula: '33049000+99', result: 33049099 }, '其他美容品', null]);
    sheet.addRow([2, '33049900', { text: '化妆品', hyperlink: 'https://example.org/33049900' }, null]);
    const xlsx = join(dir, 'annex-later-sheet.xlsx');
    await book.xlsx.writeFile(xlsx);
    const out = join(dir, 'pl-later-sheet.json');
    const r = await runCli(['positive-list', 'import', xlsx, '--edition', '2022', '--out', out, '--format', 'json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 2, lines: 2, rejected: [] });
    const edition = loadPositiveList(JSON.parse(readFileSync(out, 'utf8')), out);
    expect([...edition.lines.values()].map((l) => [l.hs8, l.name])).toEqual([
      ['33049099', '其他美容品'],
      ['33049900', '化妆品'],
    ]);
  });

  it('refuses a row whose cell is an error value or a formula with no saved value, in a workbook or a CSV export', async () => {
    // Read as text they were "[object Object]", written as the line's name or remark.
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('附件');
    sheet.addRow(['序号', '税则号列', '商品名称', '备注']);
    sheet.addRow([1, '33049900', { formula: 'VLOOKUP(B2,X!A:B,2,0)', result: { error: '#N/A' } }, null]);
    sheet.addRow([2, '19011010', { formula: 'C9' }, null]);
    sheet.addRow([3, { error: '#REF!' }, '坏', null]);
    sheet.addRow([4, '32151900', '墨水', { error: '#DIV/0!' }]);
    sheet.addRow([5, '17019910', '砂糖', { formula: 'E6', result: '每人每年限购2千克以下' }]);
    const xlsx = join(dir, 'annex-errors.xlsx');
    await book.xlsx.writeFile(xlsx);
    const out = join(dir, 'pl-errors.json');
    const r = await runCli(['positive-list', 'import', xlsx, '--edition', '2022', '--out', out, '--format', 'json']);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({
      rows: 5,
      lines: 1,
      rejected: [
        { row: 2, reason: '商品名称 holds the spreadsheet error #N/A, not a value' },
        {
          row: 3,
          reason: '商品名称 holds the formula =C9 and no value saved with it (recalculate and save the workbook)',
        },
        { row: 4, reason: '税则号列 holds the spreadsheet error #REF!, not a value' },
        { row: 5, reason: '备注 holds the spreadsheet error #DIV/0!, not a value' },
      ],
    });
    const edition = loadPositiveList(JSON.parse(readFileSync(out, 'utf8')), out);
    expect([...edition.lines.values()].map((l) => [l.hs8, l.name, l.remark])).toEqual([
      ['17019910', '砂糖', '每人每年限购2千克以下'],
    ]);
    // A CSV saved from the workbook has the error values as text.
    const csv = join(dir, 'annex-errors.csv');
    writeFileSync(csv, '序号,税则号列,商品名称,备注\n1,33049900,#N/A,\n2,19011010,奶粉,#REF!\n3,32151900,墨水,\n');
    const c = await runCli(['positive-list', 'import', csv, '--edition', '2022', '--out', out, '--format', 'json']);
    expect(JSON.parse(c.stdout)).toMatchObject({
      lines: 1,
      rejected: [
        { row: 2, reason: '商品名称 holds the spreadsheet error #N/A, not a value' },
        { row: 3, reason: '备注 holds the spreadsheet error #REF!, not a value' },
      ],
    });
  });

  it('reads the first sheet when no sheet has a 税则号列 header in its first 20 rows, and says what is missing', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('附件');
    for (let i = 1; i <= 20; i++) sheet.addRow([`说明第${i}行`]);
    sheet.addRow(['序号', '税则号列', '商品名称']); // row 21: too low to be found
    sheet.addRow([1, '33049900', '化妆品']);
    book.addWorksheet('空白');
    const xlsx = join(dir, 'annex-no-header.xlsx');
    await book.xlsx.writeFile(xlsx);
    const out = join(dir, 'pl-no-header.json');
    const r = await runCli(['positive-list', 'import', xlsx, '--edition', '2022', '--out', out, '--format', 'json']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'sandan: No header row with 税则号列 and 商品名称 (or 货品名称) in the first 20 rows; the annex table has the columns 序号 / 税则号列 / 商品名称 / 备注\nhint: See `sandan positive-list import --help`.\n',
    });
    expect(existsSync(out)).toBe(false);
  });

  // hostile49: the reader asked exceljs for empty rows and cells too. A 52 KB workbook of 3,000 rows, each with a cell
  // in column XFD, made 49 million cells and ran out of memory (4 GB, 111 s); one row numbered 99,999,999 in 1.6 KB
  // did the same with rows. exceljs's own walks visit every slot up to a row's last cell: the first 64 columns are read.
  it('reads the first 64 columns: a cell in column XFD costs nothing; a row past Excel’s last is refused', async () => {
    const annex = async (name: string, fill: (sheet: ExcelJS.Worksheet) => void) => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('附件');
      sheet.addRow(['序号', '税则号列', '商品名称', '备注']);
      fill(sheet);
      const file = join(dir, name);
      await book.xlsx.writeFile(file);
      return file;
    };
    const rows = (sheet: ExcelJS.Worksheet) => {
      for (let i = 1; i <= 300; i++) sheet.addRow([i, String(33049000 + i), `化妆品${i}`, null]);
    };
    const timed = async (file: string) => {
      const started = performance.now();
      const r = await runCli(['positive-list', 'import', file, '--edition', '2022', '--out', `${file}.json`]);
      return { r, ms: performance.now() - started };
    };
    const plain = await timed(await annex('plain.xlsx', rows));
    const wide = await timed(
      await annex('wide.xlsx', (sheet) => {
        rows(sheet);
        for (let r = 2; r <= 301; r++) sheet.getCell(`XFD${r}`).value = 'x';
      }),
    );
    expect([wide.r.code, wide.r.stderr]).toEqual([plain.r.code, plain.r.stderr]);
    expect(wide.r.stdout).toBe(plain.r.stdout.replaceAll('plain.xlsx', 'wide.xlsx'));
    expect(wide.ms / plain.ms).toBeLessThan(10);

    const tall = await annex('tall.xlsx', (sheet) => {
      sheet.getCell('B2000000').value = '33049900';
    });
    const r = await runCli(['positive-list', 'import', tall, '--edition', '2022', '--out', join(dir, 'tall.json')]);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      `sandan: ${tall}: not a readable .xlsx workbook: its sheet 附件 has a row numbered 2000000; Excel's sheets end at row 1048576`,
    ]);
  }, 120_000);

  it('refuses other file types and unknown editions without a date (exit 2)', async () => {
    const txt = join(dir, 'annex.txt');
    writeFileSync(txt, 'x');
    expect(
      (await runCli(['positive-list', 'import', txt, '--edition', '2022', '--out', join(dir, 'x.json')])).code,
    ).toBe(2);
    const r = await runCli(['positive-list', 'import', csv, '--edition', '2025', '--out', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--from/);
    const ok = await runCli([
      'positive-list',
      'import',
      csv,
      '--edition',
      '2025',
      '--from',
      '2025-01-01',
      '--complete',
      '--out',
      join(dir, 'y.json'),
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'y.json'), 'utf8'))).toMatchObject({
      id: 'positive-list-2025',
      effectiveFrom: '2025-01-01',
      complete: true,
    });
  });
});
