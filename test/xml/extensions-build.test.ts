import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { districtExtensions, extensionsFor, bundledRulesets } from '../../src/rules/index.js';
import { buildMessage, parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { fixedEnv, SENDER, validateAgainstXsd } from './helpers.js';

const CLI_SENDER = 'test/fixtures/xml/sender.json';
const haikou = extensionsFor({ district: '6400' });

/** The Hangzhou example's order with the Hainan fields (JSON, as `sandan build` reads it). */
function hainanOrder(): Record<string, any> {
  const d = JSON.parse(readFileSync(new URL('../../examples/hangzhou-1210.json', import.meta.url), 'utf8'));
  Object.assign(d.order, { isBuyAndPut: 'Y', areaId: '4601360001' });
  Object.assign(d.order.items[0], { gcode: '1901101000', qty1: '0.8', unit1: '035' });
  return d.order;
}

const build = (order: unknown, extensions = haikou) =>
  buildMessage('CEB311', order as never, { ...fixedEnv(), sender: SENDER, extensions });

describe('build keeps the district extension fields', () => {
  it('writes them after the XSD fields of their element, and parse with the district reads the same values back', () => {
    const r = build(hainanOrder());
    expect(r.ok).toBe(true);
    expect(r.issues).toEqual([]);
    const xml = r.xml!;
    // OrderHead: the XSD's last field (consigneeDistrict) then the extensions; OrderList: after its last (note), gcode, qty1, unit1.
    expect(xml).toMatch(
      /<ceb:consigneeDistrict>330106<\/ceb:consigneeDistrict>\s*<ceb:isBuyAndPut>Y<\/ceb:isBuyAndPut>\s*<ceb:areaId>4601360001<\/ceb:areaId>\s*<\/ceb:OrderHead>/,
    );
    expect(xml).toMatch(
      /<ceb:gcode>1901101000<\/ceb:gcode>\s*<ceb:qty1>0\.8<\/ceb:qty1>\s*<ceb:unit1>035<\/ceb:unit1>\s*<\/ceb:OrderList>/,
    );
    const m = parseCebXml(xml, {
      extensions: districtExtensions(bundledRulesets().find((x) => x.id === 'district/6400')!.data.district),
    }) as CebMessage;
    expect(m.issues).toEqual([]);
    const doc = m.documents[0]!;
    const line = (doc.items as Array<Record<string, unknown>>)[0]!;
    expect([doc.isBuyAndPut, doc.areaId, line.gcode, String(line.qty1), line.unit1]).toEqual([
      'Y',
      '4601360001',
      '1901101000',
      '0.8',
      '035',
    ]);
  });

  it('such a message is not valid against the 2022 XSD (docs/xml.md, "Beyond the 2022 XSD"); the same order without them is', async () => {
    const withExt = await validateAgainstXsd(build(hainanOrder()).xml!, 'ceb-import.xsd');
    expect(withExt.valid).toBe(false);
    expect(withExt.errors.join('\n')).toMatch(/isBuyAndPut/);
    expect((await validateAgainstXsd(build(hainanOrder(), []).xml!, 'ceb-import.xsd')).valid).toBe(true);
  }, 30_000);

  it('without the district they are unknown-field warnings and not written (nothing dropped silently)', () => {
    const r = build(hainanOrder(), []);
    expect(r.issues.map((i) => [i.code, i.severity, i.path])).toEqual(
      ['order.isBuyAndPut', 'order.areaId', 'order.items[0].gcode', 'order.items[0].qty1', 'order.items[0].unit1'].map(
        (p) => ['unknown-field', 'warning', p],
      ),
    );
    expect(r.xml).not.toMatch(/isBuyAndPut|gcode/);
  });

  it('checks their values: a bad one is an issue with a path (warning: 6400 marks the fields uncertain)', () => {
    const o = hainanOrder();
    o.isBuyAndPut = 'X';
    const r = build(o);
    expect(r.issues.map((i) => [i.code, i.severity, i.path, i.expected])).toEqual([
      ['field-value', 'warning', 'order.isBuyAndPut', 'one of Y, N'],
    ]);
  });

  it('a value of the wrong JSON type is a field-type issue saying what it got', () => {
    const o = hainanOrder();
    o.isBuyAndPut = true;
    o.items[0].unit1 = null;
    const r = build(o);
    expect(
      r.issues.map(({ code, severity, path, expected, actual, message }) => ({
        code,
        severity,
        path,
        expected,
        actual,
        message,
      })),
    ).toEqual([
      {
        code: 'field-type',
        severity: 'warning',
        path: 'order.isBuyAndPut',
        expected: 'string',
        actual: 'boolean',
        message: {
          zh: 'order.isBuyAndPut 类型错误，应为 string，实际为 true',
          en: 'order.isBuyAndPut has the wrong type: expected string, got true',
        },
      },
      {
        code: 'field-type',
        severity: 'warning',
        path: 'order.items[0].unit1',
        expected: 'string',
        actual: 'null',
        message: {
          zh: 'order.items[0].unit1 类型错误，应为 string，实际为 null',
          en: 'order.items[0].unit1 has the wrong type: expected string, got null',
        },
      },
    ]);
  });

  it('writes a misspelt consigneeDitrict as consigneeDistrict, with a warning', () => {
    const o = hainanOrder();
    o.consigneeDitrict = o.consigneeDistrict;
    delete o.consigneeDistrict;
    const r = build(o);
    expect(r.issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ['field-misspelled', 'warning', 'order.consigneeDitrict'],
    ]);
    expect(r.xml).toMatch(/<ceb:consigneeDistrict>330106<\/ceb:consigneeDistrict>/);
    expect(r.xml).not.toMatch(/Ditrict/);
  });
});

describe('CLI: sandan build / parse --district', () => {
  it('build --district 6400 writes them; parse --district 6400 keeps them; parse without warns they are unknown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-ext-'));
    try {
      const input = join(dir, 'order.json');
      writeFileSync(input, JSON.stringify({ order: hainanOrder() }));
      const b = await runCli([
        'build',
        input,
        '--message',
        'CEB311',
        '--sender',
        CLI_SENDER,
        '--district',
        '6400',
        '--out',
        join(dir, 'o.xml'),
      ]);
      expect([b.code, b.stderr]).toEqual([0, '']);
      const p = await runCli(['parse', join(dir, 'o.xml'), '--district', '6400']);
      expect(p.code).toBe(0);
      const parsed = JSON.parse(p.stdout);
      expect(parsed.issues).toEqual([]);
      expect([parsed.documents[0].isBuyAndPut, parsed.documents[0].items[0].qty1]).toEqual(['Y', '0.8']);
      const plain = JSON.parse((await runCli(['parse', join(dir, 'o.xml')])).stdout);
      expect(plain.issues.map((i: { code: string }) => i.code)).toEqual(Array(5).fill('xml-unknown-element'));
      expect(plain.documents[0].isBuyAndPut).toBeUndefined();
      // Without --district the build warns about each field on stderr and leaves it out.
      const w = await runCli(['build', input, '--message', 'CEB311', '--sender', CLI_SENDER]);
      expect(w.code).toBe(0);
      expect(w.stderr.match(/warning: order\S+ Unknown field/g)).toHaveLength(5);
      expect(w.stdout).not.toMatch(/isBuyAndPut/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('an unknown district is a usage error (exit 2)', async () => {
    expect((await runCli(['parse', 'x.xml', '--district', '9999'])).code).toBe(2);
  });
});
