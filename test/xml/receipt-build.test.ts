import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildReceipt,
  contentModel,
  documentLayout,
  formatReturnInfo,
  isSandanError,
  parseCebXml,
  parseReturnInfo,
  RECEIPT_DOCUMENTS,
  RECEIPT_TYPES,
  type CebMessage,
  type ReceiptOf,
  type ReceiptType,
} from '../../src/xml/index.js';
import { fixedEnv, SAMPLES_DIR, validateAgainstXsd } from './helpers.js';

/*
 * Receipts built by sandan (for users' tests and the customs emulator), checked against the
 * official 2022-05 XSD with xmllint (wasm, and the command line when present) and read back with
 * parseCebXml; the receipts sandan did not write (official samples, fixtures) rebuild from their fields.
 */

// 2026-11-20T02:15:00.123Z is 10:15:00.123 in Beijing (UTC+8): returnTime 20261120101500123.
const NOW = '2026-11-20T02:15:00.123Z';
const NOW_17 = '20261120101500123';
const env = () => fixedEnv(NOW);
const GUID_A = '6F0D2C8E-1B7A-4C1E-9D4F-0A1B2C3D4E5F';

const line = (gnum: number, gcode: string, taxPrice: string, vat: string) => ({
  gnum,
  gcode,
  taxPrice,
  customsTax: '0',
  valueAddedTax: vat,
  consumptionTax: '0',
});

/** The smallest document of each receipt: required fields only (guid and returnTime are filled). */
const MINIMAL: { [T in ReceiptType]: ReceiptOf[T][number] } = {
  CEB312: {
    ebpCode: '3301964J31',
    ebcCode: '3301964J31',
    orderNo: 'SD202611200001',
    returnStatus: '2',
    returnInfo: '电子口岸申报中',
  },
  CEB412: {
    payCode: '312226T001',
    payTransactionId: 'PAY202611200001',
    returnStatus: '2',
    returnInfo: '电子口岸申报中',
  },
  CEB512: {
    logisticsCode: '3301980ZT1',
    logisticsNo: 'YT2026112000001',
    returnStatus: '2',
    returnInfo: '电子口岸申报中',
  },
  CEB514: {
    logisticsCode: '3301980ZT1',
    logisticsNo: 'YT2026112000001',
    logisticsStatus: 'S',
    returnStatus: '2',
    returnInfo: '电子口岸申报中',
  },
  CEB622: { copNo: 'SD202611200001', preNo: 'B20261120000000001', returnStatus: '2', returnInfo: '电子口岸申报中' },
  CEB624: { copNo: 'SD202611200001', preNo: 'B20261120000000001', returnStatus: '2', returnInfo: '电子口岸申报中' },
  CEB626: { copNo: 'SD202611200001', preNo: 'B20261120000000001', returnStatus: '2', returnInfo: '电子口岸申报中' },
  CEB712: { returnStatus: '2', returnInfo: '电子口岸申报中' },
  CEB816: {
    invtNo: '29242026I000000001',
    taxNo: '29242026I00000000101',
    customsTax: '0',
    valueAddedTax: '36.22',
    consumptionTax: '0',
    status: '1',
    items: [line(1, '1901101000', '398', '36.22')],
  },
  CEB818: { invtNo: '29242026I000000001', taxNo: '29242026I00000000101', status: '2' },
  CEB900: {
    returnStatus: '-1',
    returnInfo: '[Code:0002;Desc:报文格式校验失败]',
    oriCopMsgId: 'unknown',
    oriMessageType: 'Unknown',
    oriBizMessage: 'not xml',
  },
};

const RETURN = { guid: GUID_A, returnTime: '20261120101700001' };
const INVT = {
  customsCode: '2924',
  ebpCode: '3301964J31',
  ebcCode: '3301964J31',
  agentCode: '3301980BRK',
  copNo: 'SD202611200001',
  preNo: 'B20261120000000001',
  invtNo: '29242026I000000001',
};

/** A document of each receipt with every field of its XSD element. */
const FULL: { [T in ReceiptType]: ReceiptOf[T][number] } = {
  CEB312: {
    ...RETURN,
    ...MINIMAL.CEB312,
    returnStatus: '100',
    returnInfo: formatReturnInfo('1332', '支付单支付金额与订单支付金额不一致'),
  },
  CEB412: { ...RETURN, ...MINIMAL.CEB412, returnStatus: '120', returnInfo: '海关入库' },
  CEB512: { ...RETURN, ...MINIMAL.CEB512, returnStatus: '120', returnInfo: '海关入库' },
  CEB514: { ...RETURN, ...MINIMAL.CEB514, returnStatus: '120', returnInfo: '海关入库' },
  CEB622: { ...RETURN, ...INVT, returnStatus: '800', returnInfo: '放行' },
  CEB624: { ...RETURN, ...INVT, returnStatus: '399', returnInfo: '海关审结' },
  CEB626: { ...RETURN, ...INVT, returnStatus: '399', returnInfo: '海关审结' },
  CEB712: {
    ...RETURN,
    customsCode: '2924',
    operatorCode: '3301980OPR',
    copNo: 'RK202611200001',
    preNo: 'R20261120000000001',
    rkdNo: '292420261120000001',
    returnStatus: '120',
    returnInfo: '海关入库',
  },
  CEB816: {
    ...RETURN,
    ...MINIMAL.CEB816,
    valueAddedTax: '49.87',
    entDutyNo: 'DUTY0001',
    note: '测试税单',
    assureCode: '3301964J31',
    ebcCode: '3301964J31',
    logisticsCode: '3301980ZT1',
    agentCode: '3301980BRK',
    customsCode: '2924',
    items: [line(1, '1901101000', '398', '36.22'), line(2, '3304990039', '150', '13.65')],
  },
  CEB818: { ...RETURN, ...MINIMAL.CEB818, entDutyNo: 'DUTY0001', assureCode: '3301964J31' },
  CEB900: {
    ...RETURN,
    returnStatus: '-1',
    returnInfo: formatReturnInfo('0002', '报文格式校验失败'),
    oriCopMsgId: '00000000-0000-4000-8000-000000000099',
    oriMessageType: 'CEB311Message',
    oriBizMessage: '<ceb:CEB311Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&</ceb:CEB311Message>',
  },
};

/** Field values as text, the way both sides can be compared: amounts by value (398.00 = 398), integers as digits. */
function fields(v: unknown): unknown {
  if (Decimal.isDecimal(v)) return (v as Decimal).toFixed();
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(fields);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'returnInfoParsed')
        .map(([k, x]) => [k, fields(x)]),
    );
  return v;
}
/** A decimal text by value, for the expected side. */
const amountFields = (doc: object) =>
  JSON.parse(JSON.stringify(fields(doc)), (_k, v) =>
    typeof v === 'string' && /^\d+\.\d*0$/.test(v) ? new Decimal(v).toFixed() : v,
  );

function parsed(xml: string): CebMessage {
  const m = parseCebXml(xml);
  if (m.kind !== 'ceb') throw new Error('not a CEB message');
  return m;
}

async function expectValid(xml: string) {
  const r = await validateAgainstXsd(xml, 'ceb-import.xsd');
  expect(r.errors).toEqual([]);
  expect(r.valid).toBe(true);
}

describe('buildReceipt: every receipt type', () => {
  it('covers the receipts of the 2022-05 import XSD and CEB816/818/900', () => {
    expect(RECEIPT_TYPES).toEqual([
      'CEB312',
      'CEB412',
      'CEB512',
      'CEB514',
      'CEB622',
      'CEB624',
      'CEB626',
      'CEB712',
      'CEB816',
      'CEB818',
      'CEB900',
    ]);
  });

  it('the full test documents carry every leaf of their XSD element (so the full builds exercise all of them)', () => {
    for (const type of RECEIPT_TYPES) {
      const layout = documentLayout('import', RECEIPT_DOCUMENTS[type].root);
      const leaves = layout.head.fields.map((p) => p.name);
      expect(
        Object.keys(FULL[type])
          .filter((k) => k !== 'items')
          .sort(),
        type,
      ).toEqual([...leaves].sort());
      if (layout.list) {
        const items = (FULL[type] as { items: object[] }).items;
        expect(Object.keys(items[0]!).sort()).toEqual(layout.list.fields.map((p) => p.name).sort());
      }
    }
  });

  for (const type of RECEIPT_TYPES) {
    it(`${type}: a minimal document is XSD-valid, unsigned, and parses back with guid and returnTime filled`, async () => {
      const r = buildReceipt(type, MINIMAL[type], env());
      expect(r.issues).toEqual([]);
      expect(r.ok).toBe(true);
      await expectValid(r.xml!);
      // The receipt XSDs have neither BaseTransfer nor ds:Signature.
      expect(r.xml).not.toContain('BaseTransfer');
      expect(r.xml).not.toContain('Signature');
      const m = parsed(r.xml!);
      expect(m.issues).toEqual([]);
      expect(m.messageType).toBe(type);
      // fixedEnv counts ids: the document takes the first, the root the second.
      expect(m.guid).toBe('00000000-0000-4000-8000-000000000002');
      expect(fields(m.documents)).toEqual([
        amountFields({ guid: '00000000-0000-4000-8000-000000000001', returnTime: NOW_17, ...MINIMAL[type] }),
      ]);
    });

    it(`${type}: a document with every field is XSD-valid and parses back to the same fields`, async () => {
      const r = buildReceipt(type, [FULL[type]], { ...env(), guid: GUID_A });
      expect(r.issues).toEqual([]);
      await expectValid(r.xml!);
      const m = parsed(r.xml!);
      expect(m.issues).toEqual([]);
      expect(m.guid).toBe(GUID_A);
      expect(fields(m.documents)).toEqual([amountFields(FULL[type])]);
    });
  }

  it('a returnInfo made by formatReturnInfo is read back by the parser as its code and description', () => {
    const m = parsed(buildReceipt('CEB312', FULL.CEB312, env()).xml!);
    expect(m.documents[0]!.returnInfoParsed).toEqual({
      code: '1332',
      desc: '支付单支付金额与订单支付金额不一致',
      details: [],
    });
  });

  it('CEB900 with empty required fields (the XSD lets them be empty: nothing could be read) is XSD-valid', async () => {
    const r = buildReceipt(
      'CEB900',
      { returnStatus: '-1', returnInfo: '', oriCopMsgId: '', oriMessageType: '', oriBizMessage: '' },
      env(),
    );
    expect(r.issues).toEqual([]);
    await expectValid(r.xml!);
    expect(r.xml).toContain('<ceb:oriCopMsgId/>');
  });

  it('returnTime given as a Date is written in Beijing time with milliseconds', () => {
    // 2026-12-31T16:30:00.007Z + 8 h = 2027-01-01 00:30:00.007 in Beijing.
    const r = buildReceipt('CEB622', { ...MINIMAL.CEB622, returnTime: new Date('2026-12-31T16:30:00.007Z') }, env());
    expect(parsed(r.xml!).documents[0]!.returnTime).toBe('20270101003000007');
  });

  it('amounts may be Decimal, number or decimal string and are written exactly', () => {
    const r = buildReceipt(
      'CEB816',
      {
        ...MINIMAL.CEB816,
        valueAddedTax: new Decimal('49.87'),
        customsTax: 0,
        items: [{ ...line(1, '1901101000', '398.00', '36.22'), valueAddedTax: new Decimal('36.22000') }],
      },
      env(),
    );
    expect(r.issues).toEqual([]);
    expect(r.xml).toContain('<ceb:valueAddedTax>49.87</ceb:valueAddedTax>');
    expect(r.xml).toContain('<ceb:customsTax>0</ceb:customsTax>');
    expect(r.xml).toContain('<ceb:taxPrice>398</ceb:taxPrice>');
    expect(r.xml).toContain('<ceb:valueAddedTax>36.22</ceb:valueAddedTax>');
  });
});

describe('buildReceipt: CEB816 tax bills', () => {
  // Two inventories' bills in one message. VAT per line = taxPrice × 9.1 % (13 % × 70 %):
  // 398 × 0.091 = 36.218 → 36.22; 150 × 0.091 = 13.65; 200 × 0.091 = 18.20; 99.9 × 0.091 = 9.0909 → 9.09;
  // 120 × 0.091 = 10.92. Heads: 36.22 + 13.65 = 49.87; 18.20 + 9.09 + 10.92 = 38.21.
  const bills: ReceiptOf['CEB816'] = [
    {
      invtNo: '29242026I000000001',
      taxNo: '29242026I00000000101',
      customsTax: '0',
      valueAddedTax: '49.87',
      consumptionTax: '0',
      status: '1',
      items: [line(1, '1901101000', '398', '36.22'), line(2, '3304990039', '150', '13.65')],
    },
    {
      invtNo: '29242026I000000002',
      taxNo: '29242026I00000000201',
      customsTax: '0',
      valueAddedTax: '38.21',
      consumptionTax: '0',
      status: '1',
      items: [
        line(1, '2106909090', '200', '18.2'),
        line(2, '3304990099', '99.9', '9.09'),
        line(3, '1901101000', '120', '10.92'),
      ],
    },
  ];

  it('two Tax blocks with two and three TaxListRd lines: XSD-valid, read back as two documents', async () => {
    const r = buildReceipt('CEB816', bills, env());
    expect(r.issues).toEqual([]);
    await expectValid(r.xml!);
    expect(r.xml!.match(/<ceb:Tax>/g)).toHaveLength(2);
    expect(r.xml!.match(/<ceb:TaxListRd>/g)).toHaveLength(5);
    const m = parsed(r.xml!);
    expect(m.documents).toHaveLength(2);
    expect(m.documents.map((d) => (d.items as unknown[]).length)).toEqual([2, 3]);
    // Each head's VAT is the sum of its lines' (the bills above were written so).
    for (const d of m.documents) {
      const sum = (d.items as Array<{ valueAddedTax: Decimal }>).reduce(
        (a, l) => a.plus(l.valueAddedTax),
        new Decimal(0),
      );
      expect(sum.eq(d.valueAddedTax as Decimal)).toBe(true);
    }
    // One returnTime for the whole message; a guid per Tax block, then the root's.
    expect(m.documents.map((d) => [d.guid, d.returnTime])).toEqual([
      ['00000000-0000-4000-8000-000000000001', NOW_17],
      ['00000000-0000-4000-8000-000000000002', NOW_17],
    ]);
    expect(m.guid).toBe('00000000-0000-4000-8000-000000000003');
  });

  it('orderNo and logisticsNo (beyond the 2022 XSD, as real bills carry them) are written when given and read back', async () => {
    const r = buildReceipt(
      'CEB816',
      { ...bills[0]!, orderNo: 'SD202611200001', logisticsNo: 'YT2026112000001' },
      env(),
    );
    expect(r.issues).toEqual([]);
    // After the XSD fields of TaxHeadRd (status is the last one this bill has), before the lines.
    expect(r.xml).toMatch(
      /<ceb:status>1<\/ceb:status>\n\s*<ceb:orderNo>SD202611200001<\/ceb:orderNo>\n\s*<ceb:logisticsNo>YT2026112000001<\/ceb:logisticsNo>\n\s*<\/ceb:TaxHeadRd>/,
    );
    const m = parsed(r.xml!);
    expect(m.documents[0]).toMatchObject({ orderNo: 'SD202611200001', logisticsNo: 'YT2026112000001' });
    // The 2022 XSD does not have them: such a bill is not XSD-valid (docs/xml.md says so).
    expect((await validateAgainstXsd(r.xml!, 'ceb-import.xsd')).valid).toBe(false);
  });

  it('an extension field of the wrong JSON type is a field-type issue worded as buildMessage words it', () => {
    const r = buildReceipt('CEB816', { ...bills[0]!, orderNo: 12 } as never, env());
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([
      {
        code: 'field-type',
        severity: 'error',
        path: 'taxBill.orderNo',
        ruleId: 'xml/build',
        expected: 'string',
        actual: 'number',
        message: {
          zh: 'taxBill.orderNo 类型错误，应为 string，实际为 12',
          en: 'taxBill.orderNo has the wrong type: expected string, got 12',
        },
      },
    ]);
  });
});

describe('buildReceipt: receipts sandan did not write rebuild from their parsed fields', () => {
  const files = [
    ...['312', '412', '512', '514', '622', '624', '626', '712'].map((n) => `${SAMPLES_DIR}import/CEB${n}Message.xml`),
    ...['CEB312-rejected', 'CEB816Message', 'CEB818Message', 'CEB900Message'].map(
      (n) => new URL(`../fixtures/xml/${n}.xml`, import.meta.url).pathname,
    ),
  ];
  for (const file of files) {
    it(file.replace(/^.*\/fixtures\//, ''), async () => {
      const original = parsed(readFileSync(file, 'utf8'));
      expect(original.issues).toEqual([]);
      const type = original.messageType as ReceiptType;
      const r = buildReceipt(type, original.documents as ReceiptOf[typeof type], { ...env(), guid: original.guid });
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      await expectValid(r.xml!);
      const again = parsed(r.xml!);
      expect(again.guid).toBe(original.guid);
      expect(fields(again.documents)).toEqual(fields(original.documents));
    });
  }
});

describe('buildReceipt: bad input is issues with paths, misuse throws', () => {
  it('a 20-character guid', () => {
    const r = buildReceipt('CEB622', [MINIMAL.CEB622, { ...MINIMAL.CEB622, guid: '6F0D2C8E-1B7A-4C1E-9' }], env());
    expect(r.ok).toBe(false);
    expect(r.xml).toBeUndefined();
    expect(r.issues).toEqual([
      expect.objectContaining({ code: 'field-length', severity: 'error', path: 'inventoryReturn[1].guid' }),
    ]);
  });

  it('a negative tax, on the head and on a line', () => {
    const r = buildReceipt(
      'CEB816',
      {
        ...MINIMAL.CEB816,
        customsTax: '-1',
        items: [{ ...line(1, '1901101000', '398', '36.22'), consumptionTax: '-0.5' }],
      },
      env(),
    );
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ['field-format', 'taxBill.customsTax'],
      ['field-format', 'taxBill.items[0].consumptionTax'],
    ]);
    expect(r.issues[0]!.message.en).toContain('an amount not below 0');
  });

  it('a missing invtNo on a tax bill and a bill status', () => {
    const { invtNo: _, ...bill } = MINIMAL.CEB816;
    const r = buildReceipt('CEB816', bill as ReceiptOf['CEB816'][number], env());
    expect(r.issues).toEqual([
      expect.objectContaining({
        code: 'field-required',
        path: 'taxBill.invtNo',
        message: expect.objectContaining({ zh: '缺少必填项 清单编号（taxBill.invtNo）' }),
      }),
    ]);
    const { invtNo: __, ...status } = MINIMAL.CEB818;
    expect(buildReceipt('CEB818', status as ReceiptOf['CEB818'][number], env()).issues.map((i) => i.path)).toEqual([
      'taxBillStatus.invtNo',
    ]);
  });

  it('a tax bill without lines, a line without gcode, a bad status, a returnInfo over 1000 characters, a bad returnTime', () => {
    expect(buildReceipt('CEB816', { ...MINIMAL.CEB816, items: [] }, env()).issues.map((i) => [i.code, i.path])).toEqual(
      [['field-too-few', 'taxBill.items']],
    );
    const { gcode: _, ...noGcode } = line(1, '1901101000', '398', '36.22');
    expect(
      buildReceipt('CEB816', { ...MINIMAL.CEB816, items: [noGcode as ReturnType<typeof line>] }, env()).issues.map(
        (i) => i.path,
      ),
    ).toEqual(['taxBill.items[0].gcode']);
    expect(buildReceipt('CEB818', { ...MINIMAL.CEB818, status: '4' as '1' }, env()).issues.map((i) => i.code)).toEqual([
      'field-value',
    ]);
    expect(
      buildReceipt('CEB312', { ...MINIMAL.CEB312, returnInfo: 'x'.repeat(1001) }, env()).issues.map((i) => i.code),
    ).toEqual(['field-too-long']);
    // 30 February is no day.
    expect(
      buildReceipt('CEB312', { ...MINIMAL.CEB312, returnTime: '20260230101500123' }, env()).issues.map((i) => [
        i.code,
        i.path,
      ]),
    ).toEqual([['field-format', 'orderReturn.returnTime']]);
  });

  it('an unknown field is a warning and is not written; a control character is an error', () => {
    const r = buildReceipt('CEB312', { ...MINIMAL.CEB312, orderN0: 'x' } as ReceiptOf['CEB312'][number], env());
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([
      expect.objectContaining({ code: 'unknown-field', severity: 'warning', path: 'orderReturn.orderN0' }),
    ]);
    expect(r.xml).not.toContain('orderN0');
    const bad = buildReceipt('CEB312', { ...MINIMAL.CEB312, returnInfo: 'a\u0001b' }, env());
    expect(bad.issues.map((i) => [i.code, i.path])).toEqual([['xml-invalid-char', 'orderReturn.returnInfo']]);
  });

  it('misuse throws SandanError INVALID_OPTION', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isSandanError(e) ? e.code : 'not a SandanError';
      }
      return 'no throw';
    };
    expect(code(() => buildReceipt('CEB311' as ReceiptType, MINIMAL.CEB312, env()))).toBe('INVALID_OPTION');
    expect(code(() => buildReceipt('CEB622', [], env()))).toBe('INVALID_OPTION');
    expect(code(() => buildReceipt('CEB900', [MINIMAL.CEB900, MINIMAL.CEB900], env()))).toBe('INVALID_OPTION');
    expect(code(() => buildReceipt('CEB622', Array(101).fill(MINIMAL.CEB622), env()))).toBe('INVALID_OPTION');
    expect(code(() => buildReceipt('CEB622', MINIMAL.CEB622, { ...env(), guid: 'short' }))).toBe('INVALID_OPTION');
    expect(code(() => buildReceipt('CEB622', MINIMAL.CEB622, { now: () => new Date(NOW), newId: () => 'id-1' }))).toBe(
      'INVALID_OPTION',
    );
    expect(code(() => buildReceipt('CEB622', MINIMAL.CEB622, {} as never))).toBe('INVALID_OPTION');
  });
});

describe('formatReturnInfo', () => {
  it('writes the customs form', () => {
    expect(formatReturnInfo('1332', '支付单支付金额与订单支付金额不一致')).toBe(
      '[Code:1332;Desc:支付单支付金额与订单支付金额不一致]',
    );
  });

  // What parseReturnInfo cannot read back: it trims code and description, splits details at "],[",
  // and ends the group at the first "]" that closes no "[" of the description's own (harmless
  // only when nothing but "]" follows it: dropping one of a run of "]" gives the same text).
  const closesNothing = (desc: string) => {
    let depth = 0;
    for (let i = 0; i < desc.length; i++)
      if (desc[i] === '[') depth++;
      else if (desc[i] === ']' && depth-- === 0) return !/^\]*$/.test(desc.slice(i));
    return false;
  };
  const readable = (code: string, desc: string) =>
    /^[^;\]\s](?:[^;\]]*[^;\]\s])?$/.test(code) &&
    desc === desc.trim() &&
    !/\]\s*,\s*\[/.test(desc) &&
    !closesNothing(desc);

  it('parseReturnInfo reads back any code and description it accepts; the rest throw (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 });
    const tricky = fc.constantFrom(
      '',
      ' ',
      ';',
      ']',
      '[',
      ',',
      ':',
      '],[',
      '] , [',
      'Desc:',
      'Code:',
      '\n',
      '1332',
      '支付',
    );
    const part = fc.oneof(
      text,
      fc.array(fc.oneof(text, tricky), { maxLength: 5 }).map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(part, part, (code, desc) => {
        let out: string;
        try {
          out = formatReturnInfo(code, desc);
        } catch (e) {
          expect(isSandanError(e) && e.code === 'INVALID_OPTION').toBe(true);
          expect(readable(code, desc)).toBe(false);
          return;
        }
        expect(readable(code, desc)).toBe(true);
        expect(parseReturnInfo(out)).toEqual({ code, desc, details: [] });
      }),
      { numRuns: 2000 },
    );
  });

  it('what it writes survives a CEB312 build and parse (property)', () => {
    const code = fc.stringMatching(/^-?\d{1,8}$/);
    const desc = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 100 })
      .map((s) => s.trim())
      .filter(
        (s) =>
          !/\]\s*,\s*\[/.test(s) &&
          !closesNothing(s) &&
          !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\r]/.test(s),
      );
    fc.assert(
      fc.property(code, desc, (c, d) => {
        const r = buildReceipt(
          'CEB312',
          { ...MINIMAL.CEB312, returnStatus: '100', returnInfo: formatReturnInfo(c, d) },
          env(),
        );
        expect(r.issues).toEqual([]);
        expect(parsed(r.xml!).documents[0]!.returnInfoParsed).toEqual({ code: c, desc: d, details: [] });
      }),
      { numRuns: 300 },
    );
  });
});

describe('the contract the emulator relies on', () => {
  it('returnTime defaults to now() in Beijing time, whatever the document count', () => {
    const r = buildReceipt('CEB622', [MINIMAL.CEB622, MINIMAL.CEB622, MINIMAL.CEB622], env());
    const m = parsed(r.xml!);
    expect(m.documents.map((d) => d.returnTime)).toEqual([NOW_17, NOW_17, NOW_17]);
    expect(new Set(m.documents.map((d) => d.guid)).size).toBe(3);
  });

  it('the content models the builder writes are the descriptors the parser reads', () => {
    for (const type of RECEIPT_TYPES) {
      const root = contentModel('import', RECEIPT_DOCUMENTS[type].root);
      // A receipt root holds its documents only: no BaseTransfer, BaseSubscribe or Signature particle.
      expect(
        root.map((p) => p.name),
        type,
      ).toHaveLength(1);
    }
  });
});
