import { describe, expect, it } from 'vitest';
import { bundledRulesets, districtExtensions } from '../../src/rules/index.js';
import { buildMessage, parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { exampleDeclaration, fixedEnv, SENDER } from './helpers.js';

const haikou = bundledRulesets().find((r) => r.id === 'district/6400')!.data.district;

// A CEB311 as a Hainan peer sends it: the XSD's order plus isBuyAndPut/areaId, line-level gcode/qty1/unit1, and the misspelt consigneeDitrict.
function hainanOrder(): string {
  const xml = buildMessage('CEB311', exampleDeclaration('hangzhou-1210').order, { ...fixedEnv(), sender: SENDER }).xml!;
  return xml
    .replace(/\s*<ceb:consigneeDistrict>\d+<\/ceb:consigneeDistrict>/, '')
    .replace(
      '<ceb:consigneeAddress>',
      '<ceb:consigneeDitrict>460100</ceb:consigneeDitrict>\n      <ceb:consigneeAddress>',
    )
    .replace(
      '</ceb:OrderHead>',
      '  <ceb:isBuyAndPut>Y</ceb:isBuyAndPut>\n      <ceb:areaId>4601360001</ceb:areaId>\n    </ceb:OrderHead>',
    )
    .replace(
      '</ceb:OrderList>',
      '  <ceb:gcode>1901101000</ceb:gcode>\n        <ceb:qty1>0.8</ceb:qty1>\n        <ceb:unit1>035</ceb:unit1>\n      </ceb:OrderList>',
    );
}

describe('district extensions (data in rulesets/districts/6400.json)', () => {
  it('6400 declares the Hainan order fields, each with a source', () => {
    expect(haikou!.extensions.map((x) => `${x.element}.${x.name}:${x.type}`)).toEqual([
      'OrderHead.isBuyAndPut:string',
      'OrderHead.areaId:string',
      'OrderList.gcode:string',
      'OrderList.qty1:decimal',
      'OrderList.unit1:string',
    ]);
    for (const x of haikou!.extensions) expect(x.source).toBe('HAINAN-ORDER-FIELDS');
  });

  it('parse with the 6400 extensions keeps them (beyond-xsd notes); the misspelling reads as consigneeDistrict with a warning', () => {
    const m = parseCebXml(hainanOrder(), { extensions: districtExtensions(haikou) }) as CebMessage;
    expect(m.issues.map((i) => [i.code, i.severity, i.path])).toEqual([
      ['field-misspelled', 'warning', 'documents[0].OrderHead.consigneeDitrict'],
    ]);
    const doc = m.documents[0]!;
    expect([doc.isBuyAndPut, doc.areaId, doc.consigneeDistrict]).toEqual(['Y', '4601360001', '460100']);
    const line = (doc.items as Array<Record<string, unknown>>)[0]!;
    expect([line.gcode, String(line.qty1), line.unit1]).toEqual(['1901101000', '0.8', '035']);
    expect(m.notes?.map((n) => n.path)).toEqual([
      'documents[0].OrderHead.isBuyAndPut',
      'documents[0].OrderHead.areaId',
      'documents[0].OrderList[0].gcode',
      'documents[0].OrderList[0].qty1',
      'documents[0].OrderList[0].unit1',
    ]);
  });

  it('checks them: a value outside the declared type is an issue; 6400 marks its fields uncertain, so a warning', () => {
    const bad = hainanOrder().replace('<ceb:isBuyAndPut>Y<', '<ceb:isBuyAndPut>X<');
    const m = parseCebXml(bad, { extensions: districtExtensions(haikou) }) as CebMessage;
    expect(m.issues.filter((i) => i.code === 'xml-value').map((i) => [i.severity, i.path])).toEqual([
      ['warning', 'documents[0].OrderHead.isBuyAndPut'],
    ]);
    // A field declared without doubt fails the message.
    const sure = districtExtensions(haikou).map((x) => ({ ...x, confidence: 'verified' as const }));
    const strict = parseCebXml(bad, { extensions: sure }) as CebMessage;
    expect(strict.issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.path])).toEqual([
      ['xml-value', 'documents[0].OrderHead.isBuyAndPut'],
    ]);
  });

  it('without the extensions the same fields are unknown elements (warnings), not kept', () => {
    const m = parseCebXml(hainanOrder()) as CebMessage;
    expect(m.issues.filter((i) => i.code === 'xml-unknown-element').map((i) => i.path.split('.').pop())).toEqual([
      'isBuyAndPut',
      'areaId',
      'gcode',
      'qty1',
      'unit1',
    ]);
    expect(m.documents[0]!.isBuyAndPut).toBeUndefined();
  });
});
