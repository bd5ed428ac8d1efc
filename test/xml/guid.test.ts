import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSandanError } from '../../src/errors.js';
import { validate } from '../../src/rules/index.js';
import { buildMessage, buildReceipt, parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { exampleDeclaration, fixedEnv, SENDER, validateAgainstXsd } from './helpers.js';

// A guid of the kind a Hainan peer sends (36 characters, not a UUID); customs answered 新增申报成功 to one.
const HAINAN = 'CEB621_HNZB_FXJK_20220208175055_0035';

describe('guid: any 36 characters the XSD allows; a non-UUID is a guid-convention warning', () => {
  it('the Hainan guid has the 36 characters the XSD asks for', () => {
    expect(HAINAN).toHaveLength(36);
  });

  it('validate: the declaration stays valid, with one warning per non-UUID guid', () => {
    const d = exampleDeclaration('hangzhou-1210') as unknown as Record<string, Record<string, unknown>>;
    d.order!.guid = HAINAN;
    d.inventory!.guid = HAINAN;
    const r = validate(d);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const g = r.issues.filter((i) => i.code === 'guid-convention');
    expect(g.map((i) => [i.path, i.severity, i.ruleId])).toEqual([
      ['order.guid', 'warning', 'fields/schema'],
      ['inventory.guid', 'warning', 'fields/schema'],
    ]);
    expect(r.valid).toBe(true);
  });

  it('validate: 35 characters is still an error (the XSD length), and an upper-case UUID no warning', () => {
    const d = exampleDeclaration('hangzhou-1210') as unknown as Record<string, Record<string, unknown>>;
    d.order!.guid = HAINAN.slice(1);
    d.payment!.guid = 'ABCDEF00-0000-4000-8000-00000000000A';
    const r = validate(d);
    expect(r.issues.filter((i) => i.path === 'order.guid').map((i) => i.code)).toEqual(['field-length']);
    expect(r.issues.filter((i) => i.path === 'payment.guid')).toEqual([]);
    expect(r.valid).toBe(false);
  });

  it('build (library): document and root guid accepted, warnings returned, XML XSD-valid', async () => {
    const order = { ...exampleDeclaration('hangzhou-1210').order, guid: HAINAN };
    const r = buildMessage('CEB311', order, { ...fixedEnv(), sender: SENDER, guid: HAINAN });
    expect(r.ok).toBe(true);
    expect(r.issues.map((i) => [i.code, i.path, i.severity])).toEqual([
      ['guid-convention', 'guid', 'warning'],
      ['guid-convention', 'order.guid', 'warning'],
    ]);
    expect(r.xml).toContain(`<ceb:CEB311Message guid="${HAINAN}"`);
    expect(r.xml).toContain(`<ceb:guid>${HAINAN}</ceb:guid>`);
    expect((await validateAgainstXsd(r.xml!, 'ceb-import.xsd')).valid).toBe(true);
  }, 30_000);

  it('build (library): a root guid that is not 36 characters is misuse', () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    try {
      buildMessage('CEB311', order, { ...fixedEnv(), sender: SENDER, guid: HAINAN.slice(1) });
      expect.unreachable();
    } catch (e) {
      expect(isSandanError(e) && e.code).toBe('INVALID_OPTION');
    }
  });

  it('build and buildReceipt (library): a root version that is not text of 1 to 10 characters is misuse, said alike', () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    for (const version of [5, '', '12345678901'])
      for (const build of [
        () => buildMessage('CEB311', order, { ...fixedEnv(), sender: SENDER, version } as never),
        () =>
          buildReceipt('CEB900', { returnStatus: '1', returnInfo: 'ok' } as never, { ...fixedEnv(), version } as never),
      ])
        expect(build).toThrow(
          expect.objectContaining({
            code: 'INVALID_OPTION',
            message: `version must be text of 1 to 10 characters, got ${typeof version === 'string' ? `"${version}"` : version}`,
          }),
        );
  });

  it('a root version is counted in characters as the XSD counts them: ten CJK Extension B characters are 20 UTF-16 units, and allowed', () => {
    const order = exampleDeclaration('hangzhou-1210').order;
    const version = '\u{20000}'.repeat(10);
    const built = buildMessage('CEB311', order, { ...fixedEnv(), sender: SENDER, version });
    expect(built.xml).toContain(`version="${version}"`);
    expect(() => buildMessage('CEB311', order, { ...fixedEnv(), sender: SENDER, version: `${version}x` })).toThrow(
      /version must be text of 1 to 10 characters/,
    );
  });

  it('build (CLI): builds with the Hainan guid and prints the warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandan-guid-'));
    try {
      const file = join(dir, 'order.json');
      writeFileSync(file, JSON.stringify({ order: { ...exampleDeclaration('hangzhou-1210').order, guid: HAINAN } }));
      const r = await runCli(['build', file, '--message', 'CEB311', '--sender', 'test/fixtures/xml/sender.json']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`<ceb:guid>${HAINAN}</ceb:guid>`);
      expect(r.stderr).toContain(
        'sandan: warning: order.guid: order.guid "CEB621_HNZB_FXJK_20220208175055_0035" is not an upper-case UUID',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parse reads the message built with it, guid as written', () => {
    const order = { ...exampleDeclaration('hangzhou-1210').order, guid: HAINAN };
    const r = buildMessage('CEB311', order, { ...fixedEnv(), sender: SENDER, guid: HAINAN });
    const m = parseCebXml(r.xml!) as CebMessage;
    expect(m.guid).toBe(HAINAN);
    expect(m.documents[0]!.guid).toBe(HAINAN);
    expect(m.issues.filter((i) => i.severity === 'error')).toEqual([]);
  });
});
