// The CSV is read back with fast-csv's parser (installed with exceljs), an RFC 4180 reader that
// sandan does not use to write it.
import { parseString } from '@fast-csv/parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportCsvChunks, reconcile } from '../../src/reconcile/index.js';
import { Dec } from '../../src/model/primitives.js';
import { CSV_COLUMNS, CSV_LABELS, csvText } from '../../src/reconcile/output.js';
import { calculate, memoryData } from './helpers.js';

function parseCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString(text, { headers: false, ignoreEmpty: false, trim: false })
      .on('error', reject)
      .on('data', (r: string[]) => rows.push(r))
      .on('end', () => resolve(rows));
  });
}

/** What a spreadsheet would take as the start of a formula. */
const FORMULA = /^ *[=+\-@\t\r]/;
const AMOUNT = /^-?\d+(\.\d+)?$/;
const AMOUNT_COLUMNS = new Set(
  CSV_COLUMNS.slice(CSV_COLUMNS.indexOf('dutiableValue'), CSV_COLUMNS.indexOf('mismatches')),
);

const HOSTILE = ['-2+3+cmd', '  =HYPERLINK("http://x","y")', '@SUM(A1)', '\tTAB', '\rCR', '+1', 'a,"b"\r\nc'];

describe('CSV: bilingual header, formula guard, RFC 4180', () => {
  it('guards text cells, keeps amounts as numbers, and reads back with an independent parser', async () => {
    const d = memoryData(30);
    const order = (i: number) => (d.declarations[i] as { order: Record<string, unknown> }).order;
    HOSTILE.forEach((no, i) => {
      order(i).orderNo = no;
    });
    // Withheld far more than billed: a negative difference.
    order(10).taxTotal = '99999.99';
    const report = await reconcile({ declarations: d.declarations, documents: d.documents }, { calculate });
    const text = [...reportCsvChunks(report)].join('');
    expect(text.startsWith('\uFEFF订单编号 / orderNo,清单编号 / invtNo,')).toBe(true);
    const [header, ...rows] = await parseCsv(text.slice(1));
    expect(header).toEqual(CSV_COLUMNS.map((c) => `${CSV_LABELS[c]} / ${c}`));
    expect(rows).toHaveLength(report.summary.orders);
    // The hostile order numbers come back as declared (keys are read as written), behind one apostrophe
    // ('a,"b"…' needs none, only quoting).
    const orderNos = rows.map((r) => r[0]);
    expect(orderNos.slice(0, HOSTILE.length)).toEqual([
      "'-2+3+cmd",
      `'  =HYPERLINK("http://x","y")`,
      "'@SUM(A1)",
      "'\tTAB",
      "'\rCR",
      "'+1",
      'a,"b"\r\nc',
    ]);
    let negatives = 0;
    for (const r of rows) {
      expect(r).toHaveLength(CSV_COLUMNS.length);
      r.forEach((v, i) => {
        const col = CSV_COLUMNS[i]!;
        if (AMOUNT_COLUMNS.has(col)) {
          // An amount is a plain number (a negative one keeps its minus sign: it is not text).
          expect(v === '' || AMOUNT.test(v), `${col}=${v}`).toBe(true);
          if (v.startsWith('-')) negatives++;
        } else expect(FORMULA.test(v), `${col}=${JSON.stringify(v)}`).toBe(false);
      });
    }
    expect(negatives).toBeGreaterThan(0);
    // The amount columns add up to the summary, to the fen.
    const sum = (col: string) =>
      rows.reduce((a, r) => a.plus(r[CSV_COLUMNS.indexOf(col as never)] || 0), new Dec(0)).toFixed(2);
    expect(sum('billedTaxTotal')).toBe(report.summary.billedTaxTotal.toFixed(2));
    expect(sum('declaredTaxTotal')).toBe(report.summary.declaredTaxTotal.toFixed(2));
  });

  it('csvText: any text reads back as itself or behind an apostrophe, never as a formula (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ' ', '"', ',', 'a', '1', '中') }),
        async (v) => {
          const [row] = await parseCsv(`${csvText(v)},x\r\n`);
          const back = row![0]!;
          if (FORMULA.test(v)) expect(back).toBe(`'${v}`);
          else expect(back).toBe(v);
          expect(FORMULA.test(back)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
