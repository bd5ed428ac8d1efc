import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';

// A CEB312 as it appears in a log: the receipt without its xmlns.
const NO_NS = `<CEB312Message guid="4CDE1CFD-EDED-46B1-946C-B8022E42FC94" version="1.0">
  <OrderReturn>
    <guid>4CDE1CFD-EDED-46B1-946C-B8022E42FC94</guid>
    <ebpCode>3301964J31</ebpCode>
    <ebcCode>3301964J31</ebcCode>
    <orderNo>SD202611200001</orderNo>
    <returnStatus>120</returnStatus>
    <returnTime>20261120101700001</returnTime>
    <returnInfo>[Code:1800;Desc:逻辑校验通过]</returnInfo>
  </OrderReturn>
</CEB312Message>`;
const WITH_NS = NO_NS.replace('version="1.0">', 'version="1.0" xmlns="http://www.chinaport.gov.cn/ceb">');

const dir = mkdtempSync(join(tmpdir(), 'sandan-lenient-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a CEB receipt in no namespace', () => {
  it('strict (the default) refuses it, naming the lenient option', () => {
    try {
      parseCebXml(NO_NS);
      expect.unreachable();
    } catch (e) {
      expect(isSandanError(e) && e.code).toBe('XML_UNKNOWN_ROOT');
      expect((e as Error).message).toBe(
        'Unknown root element CEB312Message in no namespace (a CEB312Message must be in namespace http://www.chinaport.gov.cn/ceb; the lenient option (parse --lenient) reads one in no namespace with a warning)',
      );
    }
  });

  it('lenient reads it as the namespaced receipt, plus an xml-no-namespace warning', () => {
    const lenient = parseCebXml(NO_NS, { lenient: true }) as CebMessage;
    const strict = parseCebXml(WITH_NS) as CebMessage;
    expect(lenient.issues.map((i) => [i.code, i.severity])).toEqual([['xml-no-namespace', 'warning']]);
    expect(strict.issues).toEqual([]);
    expect({ ...lenient, issues: [] }).toEqual(strict);
    expect(lenient.documents[0]!.orderNo).toBe('SD202611200001');
    expect(lenient.documents[0]!.returnStatus).toBe('120');
  });

  it('lenient changes nothing for a namespaced message, and still refuses an unknown root', () => {
    expect(parseCebXml(WITH_NS, { lenient: true })).toEqual(parseCebXml(WITH_NS));
    expect(() => parseCebXml('<Foo/>', { lenient: true })).toThrow(
      /Unknown root element Foo in no namespace; it is no message of the 2022-05 import or export XSDs \(sandan reads those, DxpMsg and DxpMsgSv; parseDxpRep reads the exchange.s response to a DxpMsg, DxpRep\)/,
    );
  });

  it('sandan parse refuses it (exit 1); sandan parse --lenient reads it with the warning (exit 0)', async () => {
    const file = join(dir, 'receipt.xml');
    writeFileSync(file, NO_NS);
    const strict = await runCli(['parse', file, '--format', 'text']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('in no namespace');
    const lenient = await runCli(['parse', file, '--lenient', '--format', 'text']);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('CEB312Message');
    expect(lenient.stdout).toContain('[xml-no-namespace]');
    const json = await runCli(['parse', file, '--lenient']);
    expect(JSON.parse(json.stdout).documents[0].orderNo).toBe('SD202611200001');
  });
});
