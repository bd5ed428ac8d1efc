import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeclaration } from '../src/model/index.js';
import { createTaxCalculator, validate } from '../src/rules/index.js';
import { parseRateTable } from '../src/tax/rates.js';
import {
  buildMessage,
  documentsOf,
  parseCebXml,
  toJsonValue,
  type BuildableType,
  type ParsedXml,
} from '../src/xml/index.js';
import { runCli } from './helpers/cli.js';
import { example, exampleRates, type Json } from './helpers/examples.js';
import { xsdVerdicts } from './xml/generated-messages.js';
import { fixedEnv, SENDER, withPlaceholderSignature, XSD_DIR } from './xml/helpers.js';

/*
 * An optional field given as '' in JSON (order systems write a missing value so) is read as absent, as an empty
 * element is in XML: validate, tax, build and the CLI give what they give without the field, and the same declaration
 * as XML with the element empty gives the same validation issues. A required field given as '' is still reported,
 * with the code it always had.
 */

/** Document, and where in it (`''` the head, `items` its first line). */
type Place = { doc: 'order' | 'payment' | 'logistics' | 'inventory'; line: boolean };

/**
 * The elements the 2022-05 import XSD lets be left out (minOccurs="0") in the four documents' head and line elements,
 * written out by hand from ceb-import.xsd (OrderHead, OrderList, PaymentHead, LogisticsHead, InventoryHead,
 * InventoryList). 39 fields; all but the three amounts (freight, insuredFee, qty2) are text.
 */
const OPTIONAL: ReadonlyArray<[string, Place, readonly string[]]> = [
  [
    'OrderHead',
    { doc: 'order', line: false },
    ['payCode', 'payName', 'payTransactionId', 'batchNumbers', 'consigneeDistrict', 'note'],
  ],
  ['OrderList', { doc: 'order', line: true }, ['itemNo', 'itemDescribe', 'barCode', 'note']],
  ['PaymentHead', { doc: 'payment', line: false }, ['telephone', 'note']],
  ['LogisticsHead', { doc: 'logistics', line: false }, ['billNo', 'freight', 'insuredFee', 'goodsInfo', 'note']],
  [
    'InventoryHead',
    { doc: 'inventory', line: false },
    [
      'copNo',
      'preNo',
      'emsNo',
      'invtNo',
      'ieDate',
      'areaCode',
      'areaName',
      'trafNo',
      'voyageNo',
      'billNo',
      'loctNo',
      'licenseNo',
      'wrapType',
      'note',
    ],
  ],
  [
    'InventoryList',
    { doc: 'inventory', line: true },
    ['itemRecordNo', 'itemNo', 'itemName', 'barCode', 'tradeCountry', 'qty2', 'unit2', 'note'],
  ],
];

interface Field {
  element: string;
  place: Place;
  name: string;
  /** Its path in a declaration (`order.note`, `order.items[0].note`). */
  path: string;
}
const FIELDS: Field[] = OPTIONAL.flatMap(([element, place, names]) =>
  names.map((name) => ({
    element,
    place,
    name,
    path: `${place.doc}${place.line ? '.items[0]' : ''}.${name}`,
  })),
);

const TYPE: Record<Place['doc'], BuildableType> = {
  order: 'CEB311',
  payment: 'CEB411',
  logistics: 'CEB511',
  inventory: 'CEB621',
};

/** The object that holds the field (the document, or its first line). */
const holder = (d: Json, f: Field): Json => (f.place.line ? d[f.place.doc].items[0] : d[f.place.doc]);
function withField(d: Json, f: Field, value: string | undefined): Json {
  const out = structuredClone(d);
  if (value === undefined) delete holder(out, f)[f.name];
  else holder(out, f)[f.name] = value;
  return out;
}

/** A value the model takes for the field, to be emptied in the XML: a marker for text, a valid code otherwise. */
const VALID: Record<string, string> = {
  consigneeDistrict: '330106',
  ieDate: '20261120',
  wrapType: '2',
  tradeCountry: '502',
  qty2: '1.5',
  unit2: '035',
  freight: '7.5',
  insuredFee: '2.5',
};
const valueFor = (f: Field) => VALID[f.name] ?? 'EMPTIED';

const build = (type: BuildableType, doc: unknown) =>
  buildMessage(type, doc as never, { ...fixedEnv(), sender: SENDER });
/** A CEB621 needs a signature for the XSD; the structure of one is enough. */
const forXsd = (type: BuildableType, xml: string) => (type === 'CEB621' ? withPlaceholderSignature(xml) : xml);
const documentOf = (p: ParsedXml): Json => toJsonValue((p.kind === 'ceb' ? p : p.message!).documents[0]) as Json;
const issueKeys = (issues: ReadonlyArray<{ code: string; severity: string; path: string; ruleId: string }>) =>
  issues.map((i) => `${i.severity} ${i.ruleId} ${i.code} ${i.path}`);

describe("an optional field given as '' is absent", () => {
  it('the optional fields are exactly those the import XSD lets be left out (minOccurs="0")', () => {
    const xsd = readFileSync(join(XSD_DIR, 'ceb-import.xsd'), 'utf8');
    for (const [element, , names] of OPTIONAL) {
      const start = xsd.indexOf(`<xs:element name="${element}">`);
      const body = xsd.slice(start, xsd.indexOf('</xs:sequence>', start));
      const optional = [...body.matchAll(/<xs:element name="(\w+)"[^>]*minOccurs="0"/g)].map((m) => m[1]);
      expect(optional, element).toEqual(names);
    }
    expect(FIELDS).toHaveLength(39);
  });

  for (const base of ['hangzhou-1210', 'guangzhou-9610'] as const) {
    it(`validate (${base}): each one '' gives the issues of the declaration without it, and no field-empty`, () => {
      const d = example(base);
      for (const f of FIELDS) {
        const empty = validate(withField(d, f, ''));
        expect(
          empty.issues.filter((i) => i.code === 'field-empty'),
          f.path,
        ).toEqual([]);
        expect(empty, f.path).toEqual(validate(withField(d, f, undefined)));
      }
    });
  }

  it('parseDeclaration leaves the field out of the model; tax computes what it computes without it', () => {
    const calc = createTaxCalculator({ rates: parseRateTable(exampleRates()) });
    for (const f of FIELDS) {
      const d = example('hangzhou-1210');
      const p = parseDeclaration(withField(d, f, ''));
      expect(p.success, f.path).toBe(true);
      expect(p.issues, f.path).toEqual([]);
      expect(holder(p.data as unknown as Json, f), f.path).not.toHaveProperty(f.name);
      expect(p).toEqual(parseDeclaration(withField(d, f, undefined)));
      const tax = calc(withField(d, f, ''));
      expect(tax.ok, f.path).toBe(true);
      expect(tax).toEqual(calc(withField(d, f, undefined)));
    }
  });

  it('a property: any set of them emptied, in any line, validates and builds as without them', () => {
    const field = fc.constantFrom(...FIELDS);
    fc.assert(
      fc.property(
        fc.constantFrom('hangzhou-1210' as const, 'guangzhou-9610' as const),
        fc.uniqueArray(fc.tuple(field, fc.nat(1)), { minLength: 1, maxLength: 12 }),
        (base, chosen) => {
          const empty = example(base);
          const without = example(base);
          for (const [f, n] of chosen) {
            for (const [d, v] of [
              [empty, ''],
              [without, undefined],
            ] as const) {
              const doc = d[f.place.doc];
              const h = f.place.line ? doc.items[n % doc.items.length] : doc;
              if (v === undefined) delete h[f.name];
              else h[f.name] = v;
            }
          }
          expect(validate(empty)).toEqual(validate(without));
          for (const doc of ['order', 'inventory'] as const)
            expect(build(TYPE[doc], empty[doc])).toEqual(build(TYPE[doc], without[doc]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('white space is a value, in JSON as in XML: note " " is kept and written, consigneeDistrict " " is refused', () => {
    const d = example('hangzhou-1210');
    d.order.note = ' ';
    const p = parseDeclaration(d);
    expect(p.success && p.data.order.note).toBe(' ');
    expect(build('CEB311', d.order).xml).toContain('<ceb:note> </ceb:note>');
    d.order.consigneeDistrict = ' ';
    expect(
      validate(d)
        .issues.filter((i) => i.ruleId === 'fields/schema')
        .map((i) => [i.code, i.path]),
    ).toEqual([['field-format', 'order.consigneeDistrict']]);
  });

  it('documentsOf (documents that went through JSON) reads them as absent too', () => {
    const d = example('hangzhou-1210');
    const parsed = parseCebXml(build('CEB311', d.order).xml!);
    const round = JSON.parse(JSON.stringify(toJsonValue(parsed))) as ParsedXml & { documents: Json[] };
    round.documents[0]!.note = '';
    round.documents[0]!.items[0].barCode = '';
    const [order] = documentsOf(round, 'CEB311');
    expect(order).not.toHaveProperty('note');
    expect(order!.items[0]).not.toHaveProperty('barCode');
  });
});

describe('the same declaration as JSON and as XML', () => {
  interface Case {
    f: Field;
    type: BuildableType;
    /** Built from the JSON with the field ''. */
    built: string;
    /** The message with the field's element present and empty. */
    emptied: string;
  }
  const cases: Case[] = [];
  let verdicts: Map<string, boolean>;
  const file = (c: Case, which: 'built' | 'emptied') => `${c.f.path.replace(/\W+/g, '-')}-${which}.xml`;

  beforeAll(async () => {
    const d = example('hangzhou-1210');
    for (const f of FIELDS) {
      const type = TYPE[f.place.doc];
      const r = build(type, withField(d, f, '')[f.place.doc]);
      expect(r.issues, f.path).toEqual([]);
      const value = valueFor(f);
      const withValue = build(type, withField(d, f, value)[f.place.doc]);
      expect(withValue.issues, f.path).toEqual([]);
      const full = withValue.xml!;
      const written = `<ceb:${f.name}>${value}</ceb:${f.name}>`;
      expect(full.split(written), f.path).toHaveLength(2);
      cases.push({ f, type, built: r.xml!, emptied: full.replace(written, `<ceb:${f.name}></ceb:${f.name}>`) });
    }
    verdicts = await xsdVerdicts(
      cases.flatMap((c) =>
        (['built', 'emptied'] as const).map((w) => ({
          file: file(c, w),
          schema: 'import' as const,
          xml: forXsd(c.type, c[w]),
        })),
      ),
    );
  }, 120_000);

  it("build: '' writes no element (the same XML as without the field), and the XSD accepts the message", () => {
    const d = example('hangzhou-1210');
    for (const c of cases) {
      expect(c.built, c.f.path).toBe(build(c.type, withField(d, c.f, undefined)[c.f.place.doc]).xml);
      expect(verdicts.get(file(c, 'built')), c.f.path).toBe(true);
    }
  });

  it('parseCebXml: an empty element is absent, and an error exactly when the XSD refuses it empty', () => {
    const refused: string[] = [];
    for (const c of cases) {
      const p = parseCebXml(c.emptied);
      expect(documentOf(p), c.f.path).toEqual(documentOf(parseCebXml(c.built)));
      const errors = p.issues.filter((i) => i.severity === 'error');
      expect(errors.length === 0, c.f.path).toBe(verdicts.get(file(c, 'emptied')));
      if (errors.length > 0) {
        expect(errors.map((i) => i.code)).toEqual(['xml-value']);
        refused.push(c.f.path);
      }
    }
    // The XSD gives these a length (or they are decimals): their empty element is refused; in JSON, '' is written
    // as no element at all, which the XSD accepts (above).
    expect(refused).toEqual([
      'order.consigneeDistrict',
      'logistics.freight',
      'logistics.insuredFee',
      'inventory.ieDate',
      'inventory.wrapType',
      'inventory.items[0].tradeCountry',
      'inventory.items[0].qty2',
      'inventory.items[0].unit2',
    ]);
  });

  it("validate: the document read from the XML with the element empty gives the issues of the JSON with ''", () => {
    const d = example('hangzhou-1210');
    for (const c of cases) {
      const key = c.f.place.doc;
      // The JSON side: the document as the XML carries it (envelope filled, amounts as written), with the field ''.
      const json = documentOf(parseCebXml(c.built));
      holder({ [key]: json }, c.f)[c.f.name] = '';
      const fromJson = validate({ ...d, [key]: json });
      const fromXml = validate({ ...d, [key]: documentOf(parseCebXml(c.emptied)) });
      expect(issueKeys(fromXml.issues), c.f.path).toEqual(issueKeys(fromJson.issues));
      expect(fromXml, c.f.path).toEqual(fromJson);
    }
  });
});

describe("a required field given as '' is still reported, with the code it always had", () => {
  // Each code as `validate` gave it before optional fields took '' (the envelope fields, which the builder fills,
  // are optional in the model but required by the XSD: '' is refused there too).
  const CODES: Record<string, readonly string[]> = {
    'field-empty': [
      'order.orderNo',
      'order.ebpName',
      'order.buyerName',
      'order.consignee',
      'order.items[0].itemName',
      'order.items[0].gmodel',
      'payment.payCode',
      'payment.payTransactionId',
      'logistics.logisticsNo',
      'inventory.agentCode',
      'inventory.items[0].gname',
    ],
    'field-value': [
      'order.orderType',
      'order.currency',
      'order.buyerIdType',
      'order.appType',
      'order.appStatus',
      'order.items[0].currency',
      'inventory.ieFlag',
    ],
    'field-format': [
      'order.appTime',
      'order.goodsValue',
      'order.items[0].gnum',
      'order.items[0].unit',
      'payment.payTime',
      'logistics.weight',
      'logistics.packNo',
      'inventory.declTime',
      'inventory.customsCode',
      'inventory.freight',
      'inventory.items[0].gcode',
      'inventory.items[0].qty1',
    ],
    'field-length': ['order.guid', 'inventory.guid'],
  };

  it('one fields/schema error at the field, with that code', () => {
    const d = example('hangzhou-1210');
    for (const [code, paths] of Object.entries(CODES))
      for (const path of paths) {
        const [doc, ...rest] = path.split('.');
        const line = rest[0] === 'items[0]';
        const f: Field = { element: '', place: { doc: doc as Place['doc'], line }, name: rest.at(-1)!, path };
        const issues = validate(withField(d, f, '')).issues.filter(
          (i) => i.path === path && i.ruleId === 'fields/schema',
        );
        expect(
          issues.map((i) => [i.code, i.severity]),
          path,
        ).toEqual([[code, 'error']]);
        // build refuses it too.
        const built = build(TYPE[f.place.doc], withField(d, f, '')[f.place.doc]);
        expect(built.ok, path).toBe(false);
      }
  });
});

describe("an envelope field given as '' stays an error, and says how to have build fill it", () => {
  // The XSD requires them; build fills them only when they are left out ('' in appType or appStatus is more likely
  // a value lost on the way than a wish for the default, which could declare for real what was meant as a draft).
  const FILL: Record<string, [string, string]> = {
    guid: ['a new guid', '新的 guid'],
    appType: ['1 (new)', '1（新增）'],
    appTime: ['the Beijing time of building', '构建时的北京时间'],
    appStatus: ['2 (declared)', '2（申报）'],
  };
  for (const [name, [en, zh]] of Object.entries(FILL))
    it(name, () => {
      const d = example('hangzhou-1210');
      (d.payment as Record<string, unknown>)[name] = '';
      const [issue, ...more] = validate(d).issues.filter((i) => i.path === `payment.${name}`);
      expect(more).toEqual([]);
      expect(issue!.message.en).toMatch(
        new RegExp(
          `; "" is not read as absent here: leave the field out to have build fill it with ${en.replace(/[()]/g, '\\$&')}$`,
        ),
      );
      expect(issue!.message.zh.endsWith(`；"" 不按缺省处理：如需构建报文时填入${zh}，请省略此字段`)).toBe(true);
      const built = build('CEB411', d.payment);
      expect(built.ok).toBe(false);
      expect(built.issues.find((i) => i.path === `payment.${name}`)!.message).toEqual(issue!.message);
      // Left out, it is filled.
      delete (d.payment as Record<string, unknown>)[name];
      expect(build('CEB411', d.payment).ok).toBe(true);
    });
});

describe('the CLI, the JSON Schema and extension fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-empty-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The Hangzhou example as an order system writes null: '' in several optional fields of each document. */
  function nullsAsEmpty(): Json {
    const d = example('hangzhou-1210');
    Object.assign(d.order, { note: '', batchNumbers: '', consigneeDistrict: '' });
    Object.assign(d.order.items[1], { itemDescribe: '', note: '' });
    Object.assign(d.payment, { telephone: '' });
    Object.assign(d.logistics, { billNo: '', note: '' });
    Object.assign(d.inventory, { preNo: '', invtNo: '', ieDate: '', wrapType: '', licenseNo: '' });
    Object.assign(d.inventory.items[0], { tradeCountry: '', qty2: '', unit2: '' });
    return d;
  }

  it('validate, tax and build take it as without those fields', async () => {
    const path = join(dir, 'nulls.json');
    writeFileSync(path, JSON.stringify(nullsAsEmpty()));
    const sender = join(dir, 'sender.json');
    writeFileSync(sender, JSON.stringify(SENDER));
    const rates = join(dir, 'rates.json');
    writeFileSync(rates, JSON.stringify(exampleRates()));
    const v = await runCli(['validate', path, '--format', 'json', '--rates', rates]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).not.toContain('field-');
    const t = await runCli(['tax', path, '--rates', rates, '--format', 'json']);
    expect(t.code, t.stdout + t.stderr).toBe(0);
    for (const message of ['CEB311', 'CEB411', 'CEB511', 'CEB621']) {
      const b = await runCli(['build', path, '--message', message, '--sender', sender]);
      expect(b.code, b.stdout + b.stderr).toBe(0);
      expect(b.stdout).toMatch(/^<\?xml/);
      expect(b.stdout).not.toMatch(/<ceb:(note|batchNumbers|consigneeDistrict|telephone|billNo|preNo|ieDate|qty2)>/);
    }
  });

  it("the declaration JSON Schema takes '' in an optional field and refuses it in a required one", async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const check = new Ajv2020({ strict: false }).compile(
      JSON.parse(readFileSync(new URL('../schemas/declaration.schema.json', import.meta.url), 'utf8')),
    );
    const d = nullsAsEmpty();
    for (const f of FIELDS) holder(d, f)[f.name] = '';
    expect(check(d), JSON.stringify(check.errors)).toBe(true);
    d.order.orderNo = '';
    expect(check(d)).toBe(false);
  });

  it("an extension field given as '' is absent too (as its empty element in XML): no value check, not unknown", () => {
    const d = example('hangzhou-1210');
    d.order.isBuyAndPut = '';
    d.order.items[0].unit1 = '';
    const plain = validate(example('hangzhou-1210'), { district: '6400' });
    expect(validate(d, { district: '6400' })).toEqual(plain);
    const r = buildMessage('CEB311', d.order as never, {
      ...fixedEnv(),
      sender: SENDER,
      extensions: [
        { element: 'OrderHead', name: 'isBuyAndPut', kind: 's', values: ['Y', 'N'] },
        { element: 'OrderList', name: 'unit1', kind: 's', length: 3 },
      ],
    });
    expect(r.issues).toEqual([]);
    expect(r.xml).not.toMatch(/isBuyAndPut|unit1/);
  });
});
