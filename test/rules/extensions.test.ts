import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extensionsFor, loadRuleset, RULES, validate } from '../../src/rules/index.js';
import { buildMessage, KNOWN_MISSPELLINGS, parseCebXml } from '../../src/xml/index.js';

/** The Hangzhou example as a Hainan peer would send it: isBuyAndPut/areaId on the order, gcode/qty1/unit1 on its line. */
function hainanDeclaration(): Record<string, any> {
  const d = JSON.parse(readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  Object.assign(d.order, { isBuyAndPut: 'Y', areaId: '4601360001' });
  Object.assign(d.order.items[0], { gcode: '1901101000', qty1: '0.8', unit1: '035' });
  return d;
}

const EXT_PATHS = [
  'order.isBuyAndPut',
  'order.areaId',
  'order.items[0].gcode',
  'order.items[0].qty1',
  'order.items[0].unit1',
];
const fieldIssues = (issues: ReadonlyArray<{ ruleId: string; code: string; severity: string; path: string }>) =>
  issues.filter((i) => i.ruleId.startsWith('fields/')).map((i) => [i.code, i.severity, i.path]);

describe('validate: extension fields declared by the ruleset chain', () => {
  it('under 6400 the Hainan fields are accepted: no fields/* issue (the same as without them)', () => {
    const r = validate(hainanDeclaration(), { district: '6400' });
    expect(fieldIssues(r.issues)).toEqual([]);
    expect(r.ruleset.chain).toEqual(['district/6400', 'national']);
    // Every other finding is the example's own under 6400, extensions or not.
    const plain = JSON.parse(readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
    expect(r.issues).toEqual(validate(plain, { district: '6400' }).issues);
  });

  it('under 2900 the same fields are unknown (warnings), one per field', () => {
    const r = validate(hainanDeclaration(), { district: '2900' });
    expect(fieldIssues(r.issues)).toEqual(EXT_PATHS.map((p) => ['unknown-field', 'warning', p]));
  });

  it('checks their values with stable codes and paths; 6400 marks the fields uncertain, so a bad value warns', () => {
    const d = hainanDeclaration();
    d.order.isBuyAndPut = 'X';
    d.order.areaId = '4'.repeat(19);
    d.order.items[0].gcode = '19011010';
    d.order.items[0].qty1 = '0.8.1';
    d.order.items[0].unit1 = 35;
    const r = validate(d, { district: '6400' });
    expect(
      r.issues.filter((i) => i.ruleId === 'fields/schema').map((i) => [i.code, i.severity, i.path, i.expected]),
    ).toEqual([
      ['field-value', 'warning', 'order.isBuyAndPut', 'one of Y, N'],
      ['field-too-long', 'warning', 'order.areaId', 'at most 18 characters'],
      ['field-length', 'warning', 'order.items[0].gcode', 'exactly 10 characters'],
      ['field-format', 'warning', 'order.items[0].qty1', 'a decimal (N19,5)'],
      ['field-type', 'warning', 'order.items[0].unit1', 'string'],
    ]);
    expect(r.issues.some((i) => i.code === 'unknown-field')).toBe(false);
  });

  it('reads the misspelt consigneeDitrict as consigneeDistrict with a warning (the one misspelling table)', () => {
    expect(KNOWN_MISSPELLINGS).toContainEqual({
      element: 'OrderHead',
      alias: 'consigneeDitrict',
      name: 'consigneeDistrict',
    });
    const d = hainanDeclaration();
    d.order.consigneeDitrict = d.order.consigneeDistrict;
    delete d.order.consigneeDistrict;
    const r = validate(d, { district: '2900' });
    const misspelt = r.issues.filter((i) => i.path.startsWith('order.consignee'));
    expect(misspelt.map((i) => [i.code, i.severity, i.ruleId, i.path])).toEqual([
      ['field-misspelled', 'warning', 'fields/unknown', 'order.consigneeDitrict'],
    ]);
    // Read as consigneeDistrict: no field-required or other issue about the district code.
    expect(r.issues.some((i) => i.path === 'order.consigneeDistrict')).toBe(false);
  });
});

describe('a user ruleset declares extensions with the district schema, merged with its district', () => {
  const user = loadRuleset(
    {
      id: 'hainan-shop',
      version: '1',
      extends: 'district/6400',
      sources: [
        {
          id: 'SHOP',
          issuer: 'Example Shop Ltd.',
          title: 'Integration notes',
          section: '§2 order fields',
          kind: 'primary',
        },
      ],
      extensions: [
        {
          element: 'OrderHead',
          name: 'shopNote',
          messages: ['CEB311'],
          type: 'string',
          maxLength: 4,
          text: { zh: '店铺备注', en: 'Shop note' },
          source: 'SHOP',
        },
      ],
    },
    RULES,
    'hainan-shop.json',
  );

  it('its fields and the district’s are both accepted and checked; a verified (not uncertain) field fails with an error', () => {
    const d = hainanDeclaration();
    d.order.shopNote = 'ok';
    expect(fieldIssues(validate(d, { ruleset: user }).issues)).toEqual([]);
    d.order.shopNote = 'too long';
    expect(fieldIssues(validate(d, { ruleset: user }).issues)).toEqual([['field-too-long', 'error', 'order.shopNote']]);
    // The district alone does not know it.
    expect(fieldIssues(validate(d, { district: '6400' }).issues)).toEqual([
      ['unknown-field', 'warning', 'order.shopNote'],
    ]);
  });

  it('extensionsFor lists the chain’s fields for build and parse', () => {
    expect(extensionsFor({ ruleset: user }).map((x) => `${x.element}.${x.name}`)).toEqual([
      'OrderHead.isBuyAndPut',
      'OrderHead.areaId',
      'OrderList.gcode',
      'OrderList.qty1',
      'OrderList.unit1',
      'OrderHead.shopNote',
    ]);
    expect(extensionsFor({ district: '2900' })).toEqual([]);
    expect(extensionsFor({})).toEqual([]);
  });

  it('an extension must cite a source of the file and have a known type (the schema is checked at load)', () => {
    const bad = {
      id: 'x',
      version: '1',
      extends: 'national',
      extensions: [
        {
          element: 'OrderHead',
          name: 'n',
          messages: ['CEB311'],
          type: 'text',
          text: { zh: '', en: '' },
          source: 'NONE',
        },
      ],
    };
    expect(() => loadRuleset(bad, RULES, 'x.json')).toThrow(/\$\.extensions\[0\]\.type/);
  });
});

// A field's name is a ruleset's: the schema lets it be constructor or toString, which every object answers to.
describe('extension fields named like the properties of every object', () => {
  const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty'];
  const ruleset = loadRuleset(
    {
      id: 'odd-names',
      version: '1',
      extends: 'district/2900',
      sources: [{ id: 'S', issuer: 'Example Shop Ltd.', title: 'Notes', section: '§1', kind: 'primary' }],
      extensions: NAMES.flatMap((name) =>
        ['OrderHead', 'OrderList'].map((element) => ({
          element,
          name,
          messages: ['CEB311'],
          type: 'string',
          maxLength: 4,
          text: { zh: name, en: name },
          source: 'S',
        })),
      ),
    },
    RULES,
    'odd-names.json',
  );
  const extensions = extensionsFor({ ruleset });
  const example = () => JSON.parse(readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  const env = {
    sender: { copCode: '3301980BRK', copName: '示例报关有限公司', dxpMode: 'DXP', dxpId: 'DXPENT0000012345' },
    now: () => new Date('2026-11-20T02:20:00Z'),
    newId: () => '00000000-0000-4000-8000-000000000001',
    extensions,
  };

  // (Object.prototype's functions were read as their values: field-type "got a function" on every document and
  // line without them, and the builder wrote "function toString() { [native code] }" into the message)
  it('absent, they are absent: no issue, nothing written', () => {
    expect(fieldIssues(validate(example(), { ruleset }).issues)).toEqual([]);
    const built = buildMessage('CEB311', example().order, env);
    expect(built.ok && built.xml).not.toMatch(/function|constructor|toString|valueOf|hasOwnProperty/);
  });

  it('given, they are checked, written and read back as any other', () => {
    const d = example();
    for (const name of NAMES) d.order[name] = d.order.items[1][name] = 'ok';
    d.order.items[1].toString = 'too long';
    expect(fieldIssues(validate(d, { ruleset }).issues)).toEqual([
      ['field-too-long', 'error', 'order.items[1].toString'],
    ]);
    d.order.items[1].toString = 'ok';
    const built = buildMessage('CEB311', d.order, env);
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    for (const name of NAMES) expect(built.xml.split(`<ceb:${name}>ok</ceb:${name}>`)).toHaveLength(3);
    const read = parseCebXml(built.xml, { extensions });
    if (read.kind !== 'ceb') throw new Error(read.kind);
    expect(read.issues).toEqual([]);
    const [order] = read.documents as Array<Record<string, any>>;
    for (const name of NAMES) {
      expect([order![name], order!.items[1][name]]).toEqual(['ok', 'ok']);
      expect(Object.hasOwn(order!.items[0], name)).toBe(false);
    }
  });
});
