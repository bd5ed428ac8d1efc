import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, manualClock } from '../../src/emulator/index.js';
import { parseCebXml } from '../../src/xml/index.js';
import {
  all,
  generate,
  message,
  ROOTS,
  TABLES,
  xsdVerdicts,
  writeNodes,
  type Node,
  type Schema,
  parsed,
} from './generated-messages.js';
import { SAMPLES_DIR, validateAgainstXsd, XSD_DIR } from './helpers.js';
import { expectFormatCheckRefusal } from '../helpers/format-check.js';

/*
 * A non-empty value checked against the XSD facets of its element: length, minLength, maxLength (characters, i.e.
 * code points), totalDigits, fractionDigits, a fixed value, and the export XSD's whiteSpace="collapse" (13 leaves:
 * the length is the collapsed value's). For every leaf with a facet of every CEB message type of both XSDs, a valid
 * message has that one leaf's value set just outside and just inside each bound; xmllint against the official
 * 2022-05 XSD gives the verdict, and parseCebXml must err exactly when xmllint rejects, with one `xml-value` error at
 * the element. The expected verdict of each case is also written down by hand (XML Schema 1.0 Part 2 §4.3), so that
 * the oracle is checked too. The root's guid (length 36) and version (1 to 10 characters) likewise.
 */

interface Case {
  file: string;
  schema: Schema;
  xml: string;
  root: string;
  /** The leaf varied (undefined for a root attribute case). */
  node?: Node;
  /** The root attribute varied. */
  attribute?: 'guid' | 'version';
  /** What the case is: `maxLength+1`, `astral=length`, … */
  what: string;
  value: string;
  /** The verdict the facets give, by hand. */
  valid: boolean;
}

const ASTRAL = '\u{20000}'; // 𠀀, CJK Extension B: one character, two UTF-16 units, four UTF-8 bytes.
const CJK = '中'; // one character, one UTF-16 unit, three UTF-8 bytes.

/** The values that probe a leaf's facets, each with the verdict the facets give. */
function probes(n: Node): Array<{ what: string; value: string; valid: boolean }> {
  const t = n.type!;
  const out: Array<{ what: string; value: string; valid: boolean }> = [];
  if (t.base === 'string') {
    const hi = t.length ?? t.maxLength;
    const lo = t.length ?? t.minLength ?? 0;
    const collapse = t.whiteSpace === 'collapse';
    // A string of n characters of that kind: the fixed value's length is the type's, so only "other" values differ.
    const fits = (s: string) => n.fixed === undefined || s === n.fixed;
    if (hi !== undefined) {
      out.push({ what: `${t.length ? 'length' : 'maxLength'}+1`, value: 'A'.repeat(hi + 1), valid: false });
      out.push({ what: `cjk ${t.length ? 'length' : 'maxLength'}+1`, value: CJK.repeat(hi + 1), valid: false });
      out.push({ what: `astral ${t.length ? 'length' : 'maxLength'}+1`, value: ASTRAL.repeat(hi + 1), valid: false });
      // Inside: at the bound, in ASCII, in an astral character (2 UTF-16 units each: counted as one).
      const at = n.fixed ?? 'A'.repeat(hi);
      out.push({ what: `=${t.length ? 'length' : 'maxLength'}`, value: at, valid: true });
      out.push({
        what: `astral =${t.length ? 'length' : 'maxLength'}`,
        value: ASTRAL.repeat(hi),
        valid: fits(ASTRAL.repeat(hi)),
      });
      // White space around: counted as written, unless the type collapses it.
      out.push({ what: 'padded', value: ` ${at} `, valid: collapse });
      // hi characters as written; collapsed, one fewer.
      if (hi >= 3)
        out.push({
          what: 'inner spaces',
          value: `A  ${'A'.repeat(hi - 3)}`,
          valid: n.fixed === undefined && (!collapse || hi - 1 >= lo),
        });
    }
    if (lo >= 2) {
      out.push({ what: `${t.length ? 'length' : 'minLength'}-1`, value: 'A'.repeat(lo - 1), valid: false });
      // lo - 1 astral characters are 2lo - 2 ≥ lo UTF-16 units: too short all the same.
      out.push({ what: `astral ${t.length ? 'length' : 'minLength'}-1`, value: ASTRAL.repeat(lo - 1), valid: false });
    }
    if (t.minLength !== undefined && t.minLength >= 1)
      out.push({ what: '=minLength', value: 'A'.repeat(t.minLength), valid: true });
    if (n.fixed !== undefined) {
      const other = n.fixed === '142' ? '502' : String((Number(n.fixed) + 1) % 10).repeat(n.fixed.length);
      out.push({ what: 'fixed other', value: other, valid: false });
    }
  } else if (t.base === 'decimal' || t.base === 'int') {
    const total = t.totalDigits;
    const fraction = t.fractionDigits;
    // Only XML white space (space, tab, CR, LF) is collapsed away; NBSP and U+3000 are characters that make the
    // number invalid (JavaScript's trim() would have taken them for white space).
    out.push({ what: 'nbsp padded', value: '\u00a09\u00a0', valid: false });
    out.push({ what: 'U+3000 before', value: '\u30009', valid: false });
    out.push({ what: 'U+2003 after', value: '9\u2003', valid: false });
    if (t.base === 'decimal') out.push({ what: 'tab and newline padded', value: '\n\t9\t\n', valid: true });
    // The lexical space (XML Schema 1.0 Part 2 §3.2.3, §3.3.17): a sign, digits and one point, nothing else. '/' and
    // ':' are the characters just below '0' and just above '9'.
    out.push({ what: 'slash', value: '1/2', valid: false });
    out.push({ what: 'colon', value: '1:2', valid: false });
    out.push({ what: 'exponent', value: '1e3', valid: false });
    out.push({ what: 'plus sign', value: '+5', valid: true });
    out.push({ what: 'point first', value: '.5', valid: t.base === 'decimal' && fraction !== 0 });
    if (total !== undefined) {
      const whole = total - (fraction ?? 0);
      out.push({ what: 'totalDigits+1', value: '1'.repeat(total + 1), valid: false });
      out.push({ what: '-totalDigits+1', value: `-${'1'.repeat(total + 1)}`, valid: false });
      out.push({ what: '=totalDigits', value: '9'.repeat(total), valid: true });
      out.push({ what: '-=totalDigits', value: `-${'9'.repeat(total)}`, valid: true });
      // Leading zeros are no digits of the value.
      out.push({ what: 'zeros + totalDigits', value: `000${'9'.repeat(total)}`, valid: true });
      // White space around a number is no digit (its whiteSpace is collapse); not for xs:int, which libxml2 2.9.14
      // refuses with any white space around it (' 9 ' is "not a valid value of the atomic type 'xs:int'"), facets or
      // not, where XML Schema 1.0 Part 2 §4.3.6 collapses it: a difference of xmllint's, not one of facets.
      if (t.base === 'decimal') out.push({ what: 'padded', value: ` ${'9'.repeat(total)} `, valid: true });
      if (fraction !== undefined) {
        out.push({ what: 'whole+fraction', value: `${'1'.repeat(whole)}.${'1'.repeat(fraction)}`, valid: true });
        out.push({ what: 'whole+1+fraction', value: `${'1'.repeat(whole + 1)}.${'1'.repeat(fraction)}`, valid: false });
      }
    }
    if (fraction !== undefined) {
      out.push({ what: 'fractionDigits+1', value: `1.${'1'.repeat(fraction + 1)}`, valid: false });
      out.push({ what: 'small fractionDigits+1', value: `0.${'0'.repeat(fraction)}1`, valid: false });
      out.push({ what: '=fractionDigits', value: `0.${'1'.repeat(fraction)}`, valid: true });
      // Trailing zeros are no digits of the value (1.123450 is 1.12345).
      out.push({ what: 'fractionDigits + zero', value: `1.${'1'.repeat(fraction)}0`, valid: true });
      out.push({ what: 'point, no fraction', value: '12.', valid: true });
    }
  }
  return out;
}

function facetCases(): Case[] {
  const cases: Case[] = [];
  for (const [root, { schema }] of ROOTS) {
    const nodes = generate(schema, root);
    const base = root.replace(/Message$/, '');
    cases.push({
      file: `${base}-full.xml`,
      schema,
      root,
      what: 'full',
      value: '',
      valid: true,
      xml: message(root, writeNodes(nodes)),
    });
    all(nodes).forEach((n, i) => {
      if (!n.type) return;
      probes(n).forEach((p, k) => {
        const tag = `ceb:${n.name}`;
        const body = writeNodes(nodes, (m) => (m === n ? `<${tag}>${p.value}</${tag}>` : undefined));
        cases.push({ file: `${base}-${i}-${k}.xml`, schema, root, node: n, ...p, xml: message(root, body) });
      });
    });
    const attributes: Array<[Case['attribute'] & string, string, boolean]> = [
      ['guid', 'A'.repeat(35), false],
      ['guid', 'A'.repeat(37), false],
      ['guid', ASTRAL.repeat(36), true],
      ['guid', ASTRAL.repeat(18), false],
      ['version', 'A'.repeat(11), false],
      ['version', 'A'.repeat(10), true],
      ['version', ASTRAL.repeat(10), true],
    ];
    attributes.forEach(([attribute, value, valid], k) => {
      cases.push({
        file: `${base}-attr-${k}.xml`,
        schema,
        root,
        attribute,
        what: `${attribute} of ${[...value].length}`,
        value,
        valid,
        xml: message(root, writeNodes(nodes), { [attribute]: value }),
      });
    });
  }
  return cases;
}

const errors = (c: Case) => parsed(c.xml).issues.filter((i) => i.severity === 'error');
const label = (c: Case) => `${c.file} ${c.node?.path ?? c.attribute} ${JSON.stringify(c.node?.type ?? {})} ${c.what}`;

describe('a value out of its XSD facets: parseCebXml agrees with xmllint', () => {
  const cases = facetCases();
  let xsd: Map<string, boolean>;

  beforeAll(async () => {
    xsd = await xsdVerdicts(cases);
  }, 300_000);

  it('probes every leaf with a facet or a fixed value of every message type, each facet from both sides', () => {
    const probed = cases.filter((c) => c.node);
    expect(new Set(probed.map((c) => c.root)).size).toBe(42);
    for (const schema of ['import', 'export'] as const) {
      const faceted = new Set(
        Object.values(TABLES[schema]).flatMap((e) =>
          e.children
            .filter(
              (c) =>
                c.type &&
                (c.fixed !== undefined ||
                  Object.entries(c.type).some(([k, v]) => k !== 'base' && k !== 'whiteSpace' && v !== 0)),
            )
            .map((c) => `${e.name}/${c.name}`),
        ),
      );
      const covered = new Set(
        probed.filter((c) => c.schema === schema).map((c) => `${c.node!.parent}/${c.node!.name}`),
      );
      for (const l of faceted) if (!covered.has(l)) expect.soft(`${l} not probed`).toBe('');
    }
    // Each facet kind of the two XSDs, and both verdicts.
    for (const what of [
      'length+1',
      'maxLength+1',
      'minLength-1',
      'length-1',
      '=minLength',
      'totalDigits+1',
      'fractionDigits+1',
      'fixed other',
      'astral =length',
      'astral =maxLength',
    ])
      expect(
        probed.some((c) => c.what === what),
        what,
      ).toBe(true);
    expect(probed.filter((c) => c.valid).length).toBeGreaterThan(1000);
    expect(probed.filter((c) => !c.valid).length).toBeGreaterThan(1000);
    // The 13 collapsing leaves of the export XSD, probed with white space.
    expect(
      new Set(
        probed.filter((c) => c.node!.type!.whiteSpace === 'collapse').map((c) => `${c.node!.parent}/${c.node!.name}`),
      ).size,
    ).toBeGreaterThanOrEqual(10);
  });

  it('xmllint gives a verdict on every file, and it is the one the facets give', () => {
    const wrong = cases
      .filter((c) => xsd.get(c.file) !== c.valid)
      .map((c) => `${label(c)}: xmllint ${xsd.get(c.file)}`);
    expect(wrong).toEqual([]);
  });

  it('parseCebXml errs exactly when xmllint rejects: no difference for any case', () => {
    const differences = cases
      .filter((c) => (errors(c).length === 0) !== xsd.get(c.file))
      .map(
        (c) =>
          `${label(c)}: xmllint ${xsd.get(c.file) ? 'accepts' : 'rejects'}, sandan ${JSON.stringify(errors(c).map((i) => i.message.en))}`,
      );
    expect(differences).toEqual([]);
  });

  it('a value the facets refuse is one `xml-value` error at the element, and the value is kept as read', () => {
    for (const c of cases.filter((x) => !x.valid)) {
      const issues = parsed(c.xml).issues.filter((i) => i.code !== 'signature-missing');
      expect(
        issues.map((i) => [i.code, i.severity, i.path]),
        label(c),
      ).toEqual([['xml-value', 'error', c.node?.path ?? c.attribute]]);
      if (c.node?.type?.base === 'string') {
        let v: unknown = parsed(c.xml);
        for (const k of c.node.at!) v = (v as Record<string | number, unknown>)[k];
        expect(v, label(c)).toBe(c.value);
      }
    }
  });

  it('says what is wrong, in both languages, counting characters', () => {
    const one = (file: (c: Case) => boolean) => {
      const c = cases.find(file)!;
      return parsed(c.xml).issues.find((i) => i.code === 'xml-value')!.message;
    };
    const on = (path: string, what: string) => (c: Case) =>
      c.node?.path === path && c.what === what && c.root === 'CEB311Message';
    expect(one(on('documents[0].OrderHead.orderNo', 'maxLength+1'))).toEqual({
      zh: 'documents[0].OrderHead.orderNo 有 61 个字符，XSD 最多允许 60 个',
      en: 'documents[0].OrderHead.orderNo has 61 characters; the XSD allows at most 60',
    });
    expect(one(on('documents[0].OrderHead.orderNo', 'astral maxLength+1')).en).toBe(
      'documents[0].OrderHead.orderNo has 61 characters; the XSD allows at most 60',
    );
    expect(one(on('documents[0].OrderHead.consigneeDistrict', 'length-1'))).toEqual({
      zh: 'documents[0].OrderHead.consigneeDistrict 有 5 个字符，XSD 要求恰好 6 个',
      en: 'documents[0].OrderHead.consigneeDistrict has 5 characters; the XSD requires exactly 6',
    });
    expect(one(on('documents[0].OrderHead.currency', 'fixed other'))).toEqual({
      zh: 'documents[0].OrderHead.currency 为 "502"，XSD 将其固定为 142',
      en: 'documents[0].OrderHead.currency is "502"; the XSD fixes it at 142',
    });
    expect(one(on('documents[0].OrderHead.goodsValue', 'fractionDigits+1'))).toEqual({
      zh: 'documents[0].OrderHead.goodsValue 有 6 位小数，XSD 最多允许 5 位',
      en: 'documents[0].OrderHead.goodsValue has 6 decimal places; the XSD allows at most 5',
    });
    // 20 ones: 20 digits, of 19 at most.
    expect(one(on('documents[0].OrderHead.goodsValue', 'totalDigits+1')).en).toBe(
      'documents[0].OrderHead.goodsValue has 20 digits; the XSD allows at most 19',
    );
    expect(one((c) => c.root === 'CEB311Message' && c.attribute === 'guid' && c.value.length === 35)).toEqual({
      zh: 'guid 有 35 个字符，XSD 要求恰好 36 个',
      en: 'guid has 35 characters; the XSD requires exactly 36',
    });
    // A collapsed value: trafMode (export, length 1) " AA " collapses to "AA", 2 characters.
    const traf = cases.find((c) => c.schema === 'export' && c.node?.name === 'trafMode' && c.what === 'length+1')!;
    expect(traf.node!.type!.whiteSpace).toBe('collapse');
    expect(
      parseCebXml(traf.xml.replace('<ceb:trafMode>AA<', '<ceb:trafMode> A\tA <')).issues.find(
        (i) => i.code === 'xml-value',
      )!.message.en,
    ).toBe(`${traf.node!.path} has 3 characters (white space normalised); the XSD requires exactly 1`);
  });
});

describe('the root attributes the tests above assume', () => {
  it('every root of both XSDs has guid of length 36 and version of 1 to 10 characters, no other attribute', () => {
    for (const name of ['ceb-import.xsd', 'ceb-export.xsd']) {
      const xsd = readFileSync(join(XSD_DIR, name), 'utf8');
      const attributes = [...xsd.matchAll(/<xs:attribute name="(\w+)"[\s\S]*?<\/xs:attribute>/g)].map((m) => {
        const facets = [...m[0].matchAll(/<xs:(\w+) value="(\d+)"\/>/g)].map((f) => `${f[1]}=${f[2]}`).sort();
        return `${m[1]} ${facets.join(',')}`;
      });
      expect(new Set(attributes), name).toEqual(new Set(['guid length=36', 'version maxLength=10,minLength=1']));
    }
  });
});

describe('the emulator: a value out of its facets is refused by the format check', () => {
  it('the official CEB311 sample with a 61-character orderNo: xmllint refuses it, the emulator answers CEB900 [Code:0002]', async () => {
    const sample = readFileSync(join(SAMPLES_DIR, 'import', 'CEB311Message.xml'), 'utf8');
    const orderNo = `ORDER${'1'.repeat(56)}`;
    const long = sample.replace(/<ceb:orderNo>[^<]*<\/ceb:orderNo>/, `<ceb:orderNo>${orderNo}</ceb:orderNo>`);
    expect(orderNo).toHaveLength(61);
    expect(long).not.toBe(sample);
    const r = await validateAgainstXsd(long, 'ceb-import.xsd');
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toContain("[facet 'maxLength']");
    if (r.cli !== undefined) expect(r.cli).toBe(false);

    const m = parseCebXml(long);
    expect(m.issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ['xml-value', 'error', 'documents[0].OrderHead.orderNo'],
    ]);

    // The format check comes before the signature's (the sample's signature no longer fits the changed text).
    const returnInfo = await expectFormatCheckRefusal(long, 'OrderHead.orderNo', new Date('2024-03-01T02:00:00Z'));
    expect(returnInfo).toContain('最多允许 60 个');
    // One character fewer passes the format check: what answers it then is no CEB900.
    const fits = long.replace(orderNo, orderNo.slice(1));
    expect((await validateAgainstXsd(fits, 'ceb-import.xsd')).valid).toBe(true);
    const other = await createEngine({ store: 'memory', clock: manualClock(new Date('2024-03-01T02:00:00Z')) });
    try {
      await other.submit(fits, { transport: 'api' });
      const types = other.receipts(0).map((x) => x.type);
      expect(types.length).toBeGreaterThan(0);
      expect(types).not.toContain('CEB900');
    } finally {
      await other.close();
    }
  });
});
