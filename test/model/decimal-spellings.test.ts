import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDeclaration } from '../../src/model/parse.js';
import { buildMessage } from '../../src/xml/build.js';
import { parseCebXml } from '../../src/xml/index.js';
import { fixedEnv, SENDER, validateAgainstXsd } from '../xml/helpers.js';

/*
 * An amount written as the XSD's xs:decimal allows — trailing zeros beyond 5 places (a DECIMAL(18,6) column),
 * a leading + or point, a trailing point, -0, XML white space around — is taken by customs' XSD check and by
 * sandan's XML reader, which reads its value. The JSON model refused the same text as a format error, so one
 * declaration was valid as XML and invalid as JSON. Both now judge the value: at most 14 integer digits and 5
 * decimals (N19,5). xmllint is the oracle for the XML the JSON builds.
 */

const example = () => JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));

describe('amounts in the spellings of xs:decimal', () => {
  it.each([
    ['548.000000', '548'],
    ['+548', '548'],
    ['548.', '548'],
    [' 548.00 ', '548'],
    ['0548.00', '548'],
  ])('goodsValue %j is valid, built as %s, and the XSD takes both', async (text, written) => {
    const d = example();
    d.order.goodsValue = text;
    const r = parseDeclaration(d);
    expect(r.issues.filter((i) => i.path === 'order.goodsValue')).toEqual([]);
    expect(r.data!.order!.goodsValue!.toFixed()).toBe('548');
    const xml = buildMessage('CEB311', r.data!.order!, { ...fixedEnv(), sender: SENDER }).xml!;
    expect(xml).toContain(`<ceb:goodsValue>${written}</ceb:goodsValue>`);
    expect((await validateAgainstXsd(xml, 'ceb-import.xsd')).valid).toBe(true);
    // The text as written, in XML: the XSD takes it, and the reader reads the same value with no issue.
    const asWritten = xml.replace(`<ceb:goodsValue>548</ceb:goodsValue>`, `<ceb:goodsValue>${text}</ceb:goodsValue>`);
    expect((await validateAgainstXsd(asWritten, 'ceb-import.xsd')).valid).toBe(true);
    const parsed = parseCebXml(asWritten);
    expect(parsed.issues).toEqual([]);
  });

  it('-0 and .0 are zero, written 0', () => {
    const d = example();
    d.order.freight = '-0';
    d.order.discount = '.0';
    const r = parseDeclaration(d);
    expect(r.issues.filter((i) => /freight|discount/.test(i.path))).toEqual([]);
    const built = buildMessage('CEB311', r.data!.order!, { ...fixedEnv(), sender: SENDER });
    expect(built.xml).toContain('<ceb:freight>0</ceb:freight>');
    expect(built.xml).toContain('<ceb:discount>0</ceb:discount>');
  });

  it.each([
    ['548.000001', 'a sixth decimal of value'],
    ['100000000000000', '15 integer digits'],
    ['1e2', 'an exponent'],
    ['-1', 'a negative amount'],
    ['548,00', 'a comma'],
    ['', 'nothing'],
  ])('goodsValue %j is still a field issue (%s)', (text) => {
    const d = example();
    d.order.goodsValue = text;
    const codes = parseDeclaration(d)
      .issues.filter((i) => i.path === 'order.goodsValue')
      .map((i) => i.code);
    expect(codes.length).toBeGreaterThan(0);
  });
});
