import fc from 'fast-check';
import { addDays, format } from 'date-fns';
import { describe, expect, it } from 'vitest';
import {
  bundledPositiveLists,
  editionAt,
  importPositiveList,
  loadPositiveList,
  parseCsv,
  parsePositiveListRemark,
  positiveListMembership,
  validate,
  type AnnualQuantities,
} from '../../src/index.js';
import { example, type Json } from '../helpers/examples.js';
import { testEdition as edition } from '../helpers/positive-list.js';

/** The positive-list findings of a validation (other rules are other tests' concern). */
function findings(d: Json, options: Parameters<typeof validate>[1] = {}) {
  return validate(d, options)
    .issues.filter((i) => i.ruleId === 'goods/positive-list')
    .map((i) => ({ code: i.code, severity: i.severity, path: i.path, expected: i.expected, actual: i.actual }));
}

function withGcode(d: Json, gcode: string, index = 0): Json {
  d.inventory.items[index].gcode = gcode;
  return d;
}

const at = '2022-06-01';

// The editions and their dates, as recorded with their sources in rulesets/positive-list/: 2016 first batch
// (公告2016年第40号, 1,142 lines, from 2016-04-08) and second batch (151 lines, from 2016-04-16); the 2018 edition
// (公告2018年第157号, from 2019-01-01); the 2019 adjustment (from 2020-01-01); the 2022 edition (8 departments'
// 公告2022年第7号, 1,476 lines, from 2022-03-01). A date no edition covers, or a code sandan's partial copy cannot
// confirm, is a warning: the check never passes silently.
describe('editions in force', () => {
  it('an edition covers every day from 2016-04-08 to the end of 2026, and none before', () => {
    const editions = bundledPositiveLists();
    const gaps: string[] = [];
    for (let d = new Date(2016, 3, 8); d <= new Date(2026, 11, 31); d = addDays(d, 1)) {
      const day = format(d, 'yyyy-MM-dd');
      if (!editionAt(editions, day)) gaps.push(day);
    }
    expect(gaps).toEqual([]);
    expect(editionAt(editions, '2016-04-07')).toBeUndefined();
    expect(
      ['2016-04-08', '2018-12-31', '2019-01-01', '2019-12-31', '2020-01-01', '2022-02-28', '2022-03-01'].map(
        (day) => editionAt(editions, day)?.id,
      ),
    ).toEqual([
      'positive-list-2016',
      'positive-list-2016',
      'positive-list-2018',
      'positive-list-2018',
      'positive-list-2019',
      'positive-list-2019',
      'positive-list-2022',
    ]);
  });

  it('a line of the 2016 second batch is listed from its own date (2016-04-16), not from the edition’s (2016-04-08)', () => {
    const e2016 = bundledPositiveLists().find((e) => e.edition === '2016')!;
    // 02101900 干、熏、盐制的其他猪肉: second batch, in force from 2016-04-16.
    expect(positiveListMembership(e2016, '02101900', '2016-04-15')).toEqual({
      status: 'absent',
      reason: { zh: '自 2016-04-16 起才列入', en: 'listed only from 2016-04-16' },
    });
    expect(positiveListMembership(e2016, '02101900', '2016-04-16')).toMatchObject({
      status: 'listed',
      line: { hs8: '02101900', effectiveFrom: '2016-04-16' },
    });
  });

  it.each([
    ['2016-03-01', 'positive-list-no-edition', 'inventory.items'],
    ['2017-06-01', 'positive-list-unconfirmed', 'inventory.items[0].gcode'],
    ['2019-06-01', 'positive-list-unconfirmed', 'inventory.items[0].gcode'],
    ['2020-06-01', 'positive-list-unconfirmed', 'inventory.items[0].gcode'],
    ['2022-06-01', 'positive-list-unconfirmed', 'inventory.items[0].gcode'],
  ])('the Guangzhou example at %s is never passed silently: %s', (day, code, path) => {
    expect(findings(example('guangzhou-9610'), { at: day })).toEqual([
      {
        code,
        severity: 'warning',
        path,
        expected: undefined,
        actual: code === 'positive-list-no-edition' ? day : '33049900',
      },
    ]);
  });

  it('the official line counts and the bundled copies say they are partial', () => {
    expect(bundledPositiveLists().map((e) => [e.edition, e.officialLineCount, e.complete, e.lines.size])).toEqual([
      ['2016', 1293, false, 54],
      ['2018', 1321, false, 0],
      ['2019', 1413, false, 1],
      ['2022', 1476, false, 7],
    ]);
  });

  it('every bundled remark is what the import parser makes of its wording', () => {
    for (const e of bundledPositiveLists()) {
      for (const line of e.lines.values()) {
        if (line.remark !== undefined)
          expect(parsePositiveListRemark(line.remark).remarks, `${e.id} ${line.hs8}`).toEqual(line.remarks);
      }
    }
  });
});

describe('the 2022 adjustment', () => {
  it.each(['9504502000', '9504503000', '9504508000', '9506110000', '9506120000', '9506190000'])(
    'adds %s: confirmed on the list, its unknown remarks flagged',
    (gcode) => {
      expect(
        findings(withGcode(example('hangzhou-1210'), gcode), { at }).filter(
          (f) => f.path === 'inventory.items[0].gcode',
        ),
      ).toEqual([
        {
          code: 'positive-list-remark',
          severity: 'warning',
          path: 'inventory.items[0].gcode',
          expected: undefined,
          actual: gcode.slice(0, 8),
        },
      ]);
    },
  );

  it('the ski lines were not on the 2019 edition', () => {
    expect(findings(withGcode(example('hangzhou-1210'), '9506110000'), { at: '2021-06-01' })[0]).toMatchObject({
      code: 'positive-list',
      severity: 'error',
      actual: '95061100',
    });
  });

  it('deletes 93070090: on the 2019 edition, an error from 2022-03-01', () => {
    const before = findings(withGcode(example('hangzhou-1210'), '9307009000'), { at: '2022-02-28' });
    expect(before[0]).toMatchObject({ code: 'positive-list-remark', severity: 'warning' });
    const after = validate(withGcode(example('hangzhou-1210'), '9307009000'), { at: '2022-03-01' }).issues.find(
      (i) => i.ruleId === 'goods/positive-list',
    );
    expect(after).toMatchObject({ code: 'positive-list', severity: 'error', actual: '93070090' });
    expect(after?.message.en).toContain('deleted by the 2022 adjustment');
    // Each language has its own reason: no English inside the Chinese message.
    expect(after?.message.zh).toMatch(/^93070090 不在《.*》内（2022年调整时删除）$/);
  });

  it('a heading that is complete in a partial copy: absent, with the reason in each language', () => {
    const e2016 = bundledPositiveLists().find((e) => e.edition === '2016')!;
    const heading = [...e2016.completeHeadings][0]!;
    let hs8 = `${heading}0000`;
    for (let n = 0; e2016.lines.has(hs8); n++) hs8 = `${heading}${String(n).padStart(4, '0')}`;
    expect(e2016.complete).toBe(false);
    expect(positiveListMembership(e2016, hs8, '2016-06-01')).toEqual({
      status: 'absent',
      reason: {
        zh: `品目 ${heading} 完整，无此税号`,
        en: `heading ${heading}, complete in sandan's copy, has no such line`,
      },
    });
  });

  it('32151900 is limited to household printer ink', () => {
    expect(findings(withGcode(example('hangzhou-1210'), '3215190000'), { at })[0]).toEqual({
      code: 'positive-list-name',
      severity: 'warning',
      path: 'inventory.items[0].gcode',
      expected: '家用打印机墨水',
      actual: '婴儿配方奶粉 800g',
    });
  });
});

describe('the 2016 batches', () => {
  it('a second-batch line applies from 2016-04-16, not before', () => {
    // 02101900 is below the first batch's first line (04029100), so heading 0210 is complete for it.
    expect(findings(withGcode(example('hangzhou-1210'), '0210190000'), { at: '2016-04-10' })[0]).toMatchObject({
      code: 'positive-list',
      severity: 'error',
      actual: '02101900',
    });
    expect(
      findings(withGcode(example('hangzhou-1210'), '0210190000'), { at: '2016-04-20' }).filter(
        (f) => f.path === 'inventory.items[0].gcode',
      ),
    ).toEqual([]);
  });

  it('a CITES exclusion asks to confirm', () => {
    expect(findings(withGcode(example('hangzhou-1210'), '0407909000'), { at: '2017-06-01' })[0]).toMatchObject({
      code: 'positive-list-exclusion',
      severity: 'warning',
    });
  });
});

describe('remarks as checks', () => {
  const bonded = edition([
    {
      hs8: '19011010',
      name: '婴儿配方奶粉',
      remark: '仅限网购保税商品',
      remarks: parsePositiveListRemark('仅限网购保税商品').remarks,
      source: 'T',
    },
    {
      hs8: '33049900',
      name: '其他美容品或化妆品',
      remark: '列入《两用物项和技术进出口许可证管理目录》的商品除外',
      remarks: parsePositiveListRemark('列入《两用物项和技术进出口许可证管理目录》的商品除外').remarks,
      source: 'T',
    },
  ]);

  it('bonded-only: fine under 1210, an error under 9610', () => {
    expect(findings(example('hangzhou-1210'), { positiveLists: [bonded] })).toEqual([
      {
        code: 'positive-list-exclusion',
        severity: 'warning',
        path: 'inventory.items[1].gcode',
        expected: undefined,
        actual: '33049900',
      },
    ]);
    const gz = withGcode(example('guangzhou-9610'), '1901101000');
    expect(findings(gz, { positiveLists: [bonded] })).toEqual([
      {
        code: 'positive-list-mode',
        severity: 'error',
        path: 'inventory.items[0].gcode',
        expected: '1210 | 1239',
        actual: '9610',
      },
    ]);
  });

  it('an uninterpreted remark asks to confirm it', () => {
    const e = edition([
      {
        hs8: '33049900',
        name: '化妆品',
        remark: '须附中文标签',
        remarks: parsePositiveListRemark('须附中文标签').remarks,
        source: 'T',
      },
    ]);
    expect(findings(example('guangzhou-9610'), { positiveLists: [e] })).toEqual([
      {
        code: 'positive-list-remark',
        severity: 'warning',
        path: 'inventory.items[0].gcode',
        expected: undefined,
        actual: '33049900',
      },
    ]);
  });

  describe('a cap per person and year (line 1 of the Hangzhou example: qty1 1.6, unit1 035 千克)', () => {
    const capped = (max: string) =>
      edition([
        {
          hs8: '19011010',
          name: '婴儿配方奶粉',
          remarks: [{ kind: 'annual-quantity', max, unit: 'kg', text: `每人每年限${max}千克` }],
          source: 'T',
        },
        { hs8: '33049900', name: '化妆品', source: 'T' },
      ]);
    const ledger = (used: string | undefined): AnnualQuantities => ({
      used: (id, year, hs8, unit) =>
        id === '330106199003071519' && year === 2026 && hs8 === '19011010' && unit === 'kg' ? used : undefined,
    });
    const hz = example('hangzhou-1210');

    it('without the buyer’s year it asks to confirm', () => {
      expect(findings(hz, { positiveLists: [capped('2')] })).toEqual([
        {
          code: 'positive-list-quantity-unconfirmed',
          severity: 'warning',
          path: 'inventory.items[0].gcode',
          expected: '≤ 2 kg',
          actual: '1.6 kg',
        },
      ]);
    });

    it('0.3 kg bought before + 1.6 kg = 1.9 kg ≤ 2 kg passes; 0.5 + 1.6 = 2.1 kg fails', () => {
      expect(hz.inventory.buyerIdNumber).toBe('330106199003071519');
      expect(findings(hz, { positiveLists: [capped('2')], annualQuantities: ledger('0.3') })).toEqual([]);
      expect(findings(hz, { positiveLists: [capped('2')], annualQuantities: ledger('0.5') })).toEqual([
        {
          code: 'positive-list-quantity',
          severity: 'error',
          path: 'inventory.items[0].gcode',
          expected: '≤ 2 kg',
          actual: '2.1 kg',
        },
      ]);
    });

    it('this order alone over the cap (1.6 kg > 1.5 kg) fails without a ledger', () => {
      expect(findings(hz, { positiveLists: [capped('1.5')] })).toEqual([
        {
          code: 'positive-list-quantity',
          severity: 'error',
          path: 'inventory.items[0].gcode',
          expected: '≤ 1.5 kg',
          actual: '1.6 kg',
        },
      ]);
    });

    it('a line without a quantity in kg cannot be checked', () => {
      const d = example('hangzhou-1210');
      d.inventory.items[0].unit1 = '122';
      expect(findings(d, { positiveLists: [capped('2')] })[0]).toMatchObject({
        code: 'positive-list-quantity-unconfirmed',
        expected: '≤ 2 kg',
      });
    });
  });

  it('a complete edition fails a code it does not list', () => {
    const e = edition([{ hs8: '19011010', name: '婴儿配方奶粉', source: 'T' }], { complete: true });
    expect(findings(example('hangzhou-1210'), { positiveLists: [e] })).toEqual([
      {
        code: 'positive-list',
        severity: 'error',
        path: 'inventory.items[1].gcode',
        expected: undefined,
        actual: '33049900',
      },
    ]);
  });
});

describe('edition files are checked at load', () => {
  const base = {
    id: 'x',
    edition: '2022',
    name: { zh: 'x', en: 'x' },
    effectiveFrom: '2022-03-01',
    complete: false,
    sources: [{ id: 'T', issuer: 't', title: 't', section: 't', kind: 'secondary' }],
    completeness: { statement: 's', completeHeadings: [] },
  };
  it.each([
    ['an unknown source', { lines: [{ hs8: '19011010', name: 'x', source: 'NOPE' }] }, /unknown source NOPE/],
    [
      'a line twice',
      {
        lines: [
          { hs8: '19011010', name: 'x', source: 'T' },
          { hs8: '19011010', name: 'y', source: 'T' },
        ],
      },
      /appears twice/,
    ],
    [
      'a line listed and absent',
      { lines: [{ hs8: '19011010', name: 'x', source: 'T' }], absent: [{ hs8: '19011010', note: 'n', source: 'T' }] },
      /both on the list and absent/,
    ],
    [
      // (was loaded, and in force on no day: validate fell to the bundled edition and passed what this one fails)
      'an edition that ends before it begins',
      { effectiveFrom: '2026-12-31', effectiveTo: '2026-01-01', lines: [] },
      /\$\.effectiveTo: 2026-01-01 is before effectiveFrom 2026-12-31/,
    ],
    [
      'a malformed remark',
      {
        lines: [
          {
            hs8: '19011010',
            name: 'x',
            source: 'T',
            remarks: [{ kind: 'annual-quantity', max: 'two', unit: 'kg', text: 't' }],
          },
        ],
      },
      /max/,
    ],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => loadPositiveList({ ...base, ...extra }, 'test')).toThrow(message);
  });
});

describe('reading the annex', () => {
  it('parseCsv follows RFC 4180 (quoted commas, line breaks, doubled quotes, CRLF, BOM)', () => {
    expect(parseCsv('\uFEFF序号,税则号列\r\n1,"a, ""b""\nc"\r\n\r\n2,x')).toEqual([
      ['序号', '税则号列'],
      ['1', 'a, "b"\nc'],
      ['2', 'x'],
    ]);
    expect(() => parseCsv('1,"open')).toThrow(/not closed/);
    // A last row of one field without a line end is still a row.
    expect(parseCsv('税则号列\n19011010')).toEqual([['税则号列'], ['19011010']]);
    // Bare CR line ends (old spreadsheet exports for the Mac) end rows too, and lose no character.
    expect(parseCsv('序号,税则号列\r1,19011010\r2,33049900')).toEqual([
      ['序号', '税则号列'],
      ['1', '19011010'],
      ['2', '33049900'],
    ]);
    // Line ends mixed in one file (files pasted together), and a stray quote inside an unquoted field kept as text.
    expect(parseCsv('税则号列,备注\n19011010,12" 管\r\n33049900,x\r')).toEqual([
      ['税则号列', '备注'],
      ['19011010', '12" 管'],
      ['33049900', 'x'],
    ]);
    expect(() => parseCsv('1,x\n2,"open\n3,y')).toThrow(/a quoted field is not closed \(line \d+\)/);
  });

  it('parseCsv reads back any table written as RFC 4180 (quoting what needs it), whatever the line end', () => {
    const field = fc.string({ unit: fc.constantFrom('a', '序', ',', '"', '\n', '\r', ' ', '1'), maxLength: 6 });
    const quote = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);
    fc.assert(
      fc.property(
        // Rows that are not blank (a blank line is skipped by design): two fields at least, or one that is not empty.
        fc.array(
          fc.oneof(
            fc.array(field, { minLength: 2, maxLength: 4 }),
            field.filter((f) => f !== '').map((f) => [f]),
          ),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.constantFrom('\r\n', '\n', '\r'),
        fc.boolean(),
        (rows, end, bom) => {
          const text = (bom ? '\uFEFF' : '') + rows.map((r) => r.map(quote).join(',')).join(end) + end;
          expect(parseCsv(text)).toEqual(rows);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes as the header only a row with both 税则号列 and 商品名称: a title row naming one of them is passed over', () => {
    const rows = [
      ['附件：跨境电子商务零售进口商品清单（2019年版）'],
      ['序号', '商品名称'],
      ['序号', '税则号列', '商品名称', '备注'],
      [1, '04029100', '浓缩但未加糖的非固状乳及奶油', ''],
    ];
    const { data, report } = importPositiveList(rows, {
      edition: '2019',
      origin: 'annex.csv',
      effectiveFrom: '2020-01-01',
    });
    expect(report.rejected).toEqual([]);
    expect(data.lines.map((l) => l.hs8)).toEqual(['04029100']);
    // With no such row at all, the import says which columns it looks for.
    expect(() =>
      importPositiveList(rows.slice(0, 2), { edition: '2019', origin: 'annex.csv', effectiveFrom: '2020-01-01' }),
    ).toThrow(/No header row with 税则号列 and 商品名称/);
  });

  it('a header in one cell (a CSV separated by tabs or semicolons) is said so, not read as one column', () => {
    // It was taken as both columns: every row then "not an 8-digit tariff line", and "no tariff line was read".
    for (const sep of ['\t', ';']) {
      const rows = parseCsv(
        `${['序号', '税则号列', '商品名称', '备注'].join(sep)}\n${['1', '33049900', '化妆品', ''].join(sep)}`,
      );
      expect(() =>
        importPositiveList(rows, { edition: '2022', origin: 'annex.csv', effectiveFrom: '2022-03-01' }),
      ).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: `The header of row 1 is one cell, ${JSON.stringify(['序号', '税则号列', '商品名称', '备注'].join(sep))}: give the annex as comma-separated CSV (or .xlsx); tabs and semicolons do not separate columns`,
        }),
      );
    }
  });

  // A CSV's cells are all text, so the code a spreadsheet exported as 4031000 (04031000, chapter 04) was refused.
  it('restores the leading zero of a 7-digit code, number or text (a CSV), and lists it; refuses other lengths', () => {
    const rows = [
      ['税则号列', '商品名称'],
      [4029100, '浓缩但未加糖的非固状乳及奶油'],
      [33049900, '其他美容品或化妆品'],
      ['4031000', '酸乳'],
      ['0403100', '零开头的七位'],
      ['490110000', '九位'],
      ['402100', '六位'],
    ];
    const { data, report } = importPositiveList(rows, {
      edition: '2019',
      origin: 'annex.csv',
      effectiveFrom: '2020-01-01',
    });
    expect(report.padded).toEqual([
      { row: 2, hs8: '04029100' },
      { row: 4, hs8: '04031000' },
    ]);
    expect(data.lines.map((l) => l.hs8)).toEqual(['04029100', '33049900', '04031000']);
    expect(report.rejected).toEqual(
      ['0403100', '490110000', '402100'].map((c, i) => ({
        row: 5 + i,
        reason: `税则号列 "${c}" is not an 8-digit tariff line`,
      })),
    );
  });

  it.each([
    ['仅限网购保税商品', [{ kind: 'bonded-only', modes: ['1210', '1239'], text: '仅限网购保税商品' }]],
    [
      '列入《两用物项和技术进出口许可证管理目录》的商品除外',
      [{ kind: 'exclusion', list: 'dual-use', text: '列入《两用物项和技术进出口许可证管理目录》的商品除外' }],
    ],
    ['仅限家用打印机墨水', [{ kind: 'name-restriction', allowed: '家用打印机墨水', text: '仅限家用打印机墨水' }]],
    ['每人每年限购2千克以下', [{ kind: 'annual-quantity', max: '2', unit: 'kg', text: '每人每年限购2千克以下' }]],
    ['每人每年不超过500克', [{ kind: 'annual-quantity', max: '0.5', unit: 'kg', text: '每人每年不超过500克' }]],
    // Every unit spelling, each converted to kg: 1.5 公斤 = 1.5 kg, 3 kg, 3 KG, 200 g × 0.001 = 0.2 kg.
    ['每人每年限1.5公斤', [{ kind: 'annual-quantity', max: '1.5', unit: 'kg', text: '每人每年限1.5公斤' }]],
    ['每人每年限3kg', [{ kind: 'annual-quantity', max: '3', unit: 'kg', text: '每人每年限3kg' }]],
    ['每人每年限3KG', [{ kind: 'annual-quantity', max: '3', unit: 'kg', text: '每人每年限3KG' }]],
    ['每人每年限200g', [{ kind: 'annual-quantity', max: '0.2', unit: 'kg', text: '每人每年限200g' }]],
    [
      '限网购保税商品；列入《进出口野生动植物种商品目录》的商品除外',
      [
        { kind: 'bonded-only', modes: ['1210', '1239'], text: '限网购保税商品' },
        { kind: 'exclusion', list: 'cites', text: '列入《进出口野生动植物种商品目录》的商品除外' },
      ],
    ],
  ])('parses %s', (text, remarks) => {
    expect(parsePositiveListRemark(text)).toEqual({ remarks, uninterpreted: [] });
  });

  it('keeps what it cannot interpret, and says so', () => {
    expect(parsePositiveListRemark('须符合国家标准')).toEqual({
      remarks: [{ kind: 'other', text: '须符合国家标准' }],
      uninterpreted: ['须符合国家标准'],
    });
    // A cap in a unit that is not a weight cannot be checked in kg.
    expect(parsePositiveListRemark('每人每年限购2件')).toEqual({
      remarks: [{ kind: 'other', text: '每人每年限购2件' }],
      uninterpreted: ['每人每年限购2件'],
    });
  });

  it('reads empty worksheet cells (null, undefined) as empty: no remark, and a row of them is blank', () => {
    const rows = [
      ['序号', '税则号列', '商品名称', '备注'],
      [1, '19011010', '婴儿配方奶粉', null],
      [null, null, null, null],
      [2, '33049900', '其他美容品或化妆品', undefined],
      [3, '33049100', null, ''],
    ];
    const { data, report } = importPositiveList(rows, {
      edition: '2025',
      effectiveFrom: '2025-01-01',
      origin: 'sheet.xlsx',
    });
    expect(data.lines).toEqual([
      { hs8: '19011010', name: '婴儿配方奶粉', source: 'ANNEX' },
      { hs8: '33049900', name: '其他美容品或化妆品', source: 'ANNEX' },
    ]);
    expect(report).toMatchObject({
      rows: 3,
      lines: 2,
      rejected: [{ row: 5, reason: '33049100 has no 商品名称' }],
      uninterpreted: [],
    });
  });

  it('dates: those given, else the bundled edition’s; an end date only with its own start', () => {
    const rows = [
      ['序号', '税则号列', '商品名称', '备注'],
      [1, '19011010', '婴儿配方奶粉', ''],
    ];
    const dates = (options: Partial<Parameters<typeof importPositiveList>[1]>) => {
      const { data } = importPositiveList(rows, { edition: '2019', origin: 'annex.csv', ...options });
      return { effectiveFrom: data.effectiveFrom, effectiveTo: data.effectiveTo, hasEnd: 'effectiveTo' in data };
    };
    const bundled2019 = bundledPositiveLists().find((e) => e.edition === '2019');
    // The bundled 2019 edition ran from 2020-01-01 to 2022-02-28.
    expect(dates({ base: bundled2019 })).toEqual({
      effectiveFrom: '2020-01-01',
      effectiveTo: '2022-02-28',
      hasEnd: true,
    });
    // A start date of one's own does not borrow the bundled end date.
    expect(dates({ base: bundled2019, effectiveFrom: '2020-02-01' })).toEqual({
      effectiveFrom: '2020-02-01',
      effectiveTo: undefined,
      hasEnd: false,
    });
    expect(dates({ effectiveFrom: '2020-02-01', effectiveTo: '2021-12-31' })).toEqual({
      effectiveFrom: '2020-02-01',
      effectiveTo: '2021-12-31',
      hasEnd: true,
    });
    expect(() => dates({ effectiveFrom: '2020-02-01', effectiveTo: '2021-13-01' })).toThrow(/YYYY-MM-DD.*2021-13-01/);
  });

  it('reads the table under its title, restores a lost leading zero, rejects bad rows, and is complete when the official count matches', () => {
    const rows = [
      ['跨境电子商务零售进口商品清单调整表（2022年版）'],
      ['序号', '税则号列', '商品名称', '备注'],
      [1, 4029100, '浓缩但未加糖的非固状乳及奶油', ''],
      [2, '19011010', '婴儿配方奶粉', '仅限网购保税商品'],
      [3, '1901.1010', '重复', ''],
      [4, '3304', '化妆品', ''],
      [5, '33049900', '其他美容品或化妆品', '须符合国家标准'],
      [],
    ];
    const bundled2022 = bundledPositiveLists().find((e) => e.edition === '2022');
    if (!bundled2022) throw new Error('no bundled 2022 edition');
    const base = { ...bundled2022, officialLineCount: 3 };
    const { data, report } = importPositiveList(rows, { edition: '2022', base, origin: 'annex.csv' });
    expect(data.lines.map((l) => l.hs8)).toEqual(['04029100', '19011010', '33049900']);
    expect(data).toMatchObject({
      id: 'positive-list-2022',
      effectiveFrom: '2022-03-01',
      complete: true,
      officialLineCount: 3,
    });
    expect(data.absent).toBeUndefined();
    expect(report).toMatchObject({
      rows: 5,
      lines: 3,
      complete: true,
      padded: [{ row: 3, hs8: '04029100' }],
      rejected: [
        { row: 5, reason: '19011010 appears again (the first row is kept)' },
        { row: 6, reason: '税则号列 "3304" is not an 8-digit tariff line' },
      ],
      uninterpreted: [{ row: 7, hs8: '33049900', text: '须符合国家标准' }],
      remarks: { 'bonded-only': 1, exclusion: 0, 'name-restriction': 0, 'annual-quantity': 0, other: 1 },
    });
    // The edition says what it is: three lines, complete, one remark left to the user.
    expect(data.completeness.statement).toBe(
      '3 lines imported from annex.csv (the official edition has 3); complete. 1 remark parts could not be interpreted and ask the user to confirm them.',
    );
    // Importing again over this import keeps one ANNEX source: the new table's.
    const again = importPositiveList(rows, {
      edition: '2022',
      base: { ...loadPositiveList(data, 'first import'), officialLineCount: 3 },
      origin: 'annex2.csv',
    });
    expect(again.data.sources.filter((x) => x.id === 'ANNEX').map((x) => x.section)).toEqual(['annex2.csv']);
    const partial = importPositiveList(rows.slice(0, 4), { edition: '2022', base, origin: 'annex.csv' });
    expect(partial.data.complete).toBe(false);
    // A partial import still knows 93070090 was deleted.
    expect(partial.data.absent?.map((a) => a.hs8)).toEqual(['93070090']);
  });

  it('finds the columns by their titles in any order, the name column first included', () => {
    const rows = [
      ['商品名称', '税则号列'],
      ['婴儿配方奶粉', '19011010'],
    ];
    const { data } = importPositiveList(rows, { edition: '2019', origin: 'annex.csv', effectiveFrom: '2020-01-01' });
    expect(data.lines.map((e) => [e.hs8, e.name])).toEqual([['19011010', '婴儿配方奶粉']]);
  });

  it('looks for the header in the first 20 rows only', () => {
    const titles = (n: number) => Array.from({ length: n }, (_, i) => [`附件 标题 ${i + 1}`]);
    const table = [
      ['税则号列', '商品名称'],
      ['19011010', '婴儿配方奶粉'],
    ];
    const options = { edition: '2019', origin: 'annex.csv', effectiveFrom: '2020-01-01' };
    // 19 title rows: the header is the 20th row, still looked at.
    expect(importPositiveList([...titles(19), ...table], options).data.lines).toHaveLength(1);
    expect(() => importPositiveList([...titles(20), ...table], options)).toThrow(/first 20 rows/);
  });

  it('refuses a last day in force before the first (the edition was written, and in force on no day)', () => {
    const rows = [
      ['税则号列', '商品名称'],
      ['19011010', '婴儿配方奶粉'],
    ];
    const base = bundledPositiveLists().find((e) => e.edition === '2022');
    const at = (effectiveFrom: string | undefined, effectiveTo: string) => () =>
      importPositiveList(rows, { edition: '2022', origin: 'annex.csv', base, effectiveFrom, effectiveTo });
    expect(at('2026-12-31', '2026-01-01')).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message:
          '--to 2026-01-01 is before the day the edition took effect, 2026-12-31: it would be in force on no day',
      }),
    );
    // the bundled 2022 edition's first day, 2022-03-01, without --from
    expect(at(undefined, '2022-02-28')).toThrow(
      /--to 2022-02-28 is before the day the edition took effect, 2022-03-01/,
    );
    // its one day: both ends inclusive
    expect(at('2026-01-01', '2026-01-01')().data).toMatchObject({
      effectiveFrom: '2026-01-01',
      effectiveTo: '2026-01-01',
    });
  });

  it('refuses a table without its header, and an edition it knows no date for', () => {
    expect(() => importPositiveList([['a', 'b']], { edition: '2022', origin: 'x' })).toThrow(
      /taking effect|--from|header/,
    );
    expect(() => importPositiveList([['税则号列', '商品名称']], { edition: '2025', origin: 'x' })).toThrow(/--from/);
  });
});
