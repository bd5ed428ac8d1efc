import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';
import { parseDeclaration, type Declaration } from '../../src/model/index.js';
import { needTool, skipWithout } from '../helpers/tools.js';

/** The official 2022-05 XSDs and sample messages, carried as fixtures (see test/fixtures/ceb-spec/README.md). */
export const XSD_DIR = fileURLToPath(new URL('../fixtures/ceb-spec/xsd-202205/', import.meta.url));
export const SAMPLES_DIR = fileURLToPath(new URL('../fixtures/ceb-spec/samples-202205/', import.meta.url));
export type XsdName = 'ceb-import.xsd' | 'ceb-export.xsd' | 'dxp-terminal.xsd' | 'dxp-transfer.xsd';

const xsd = (name: string) => readFileSync(join(XSD_DIR, name), 'utf8');
/** True when the xmllint command line is used as the second validator (see test/helpers/tools.ts). */
export const XMLLINT_CLI = !skipWithout('xmllint');

/**
 * Validates with xmllint-wasm (always) and the xmllint command line (when present); both must agree: a refusal by
 * the command line is in `errors`.
 */
export async function validateAgainstXsd(
  xml: string,
  schema: XsdName,
): Promise<{ valid: boolean; errors: string[]; cli?: boolean }> {
  const r = await validateXML({
    xml: [{ fileName: 'message.xml', contents: xml }],
    schema: [{ fileName: schema, contents: xsd(schema) }],
    preload: [
      { fileName: 'xmldsig-core-schema.xsd', contents: xsd('xmldsig-core-schema.xsd') },
      // The transfer-node XSD includes the terminal-node one.
      ...(schema === 'dxp-transfer.xsd' ? [{ fileName: 'dxp-terminal.xsd', contents: xsd('dxp-terminal.xsd') }] : []),
    ],
  });
  const out: { valid: boolean; errors: string[]; cli?: boolean } = {
    valid: r.valid,
    errors: r.errors.map((e) => e.rawMessage),
  };
  if (XMLLINT_CLI) {
    needTool('xmllint');
    const dir = mkdtempSync(join(tmpdir(), 'sandan-xsd-'));
    try {
      const file = join(dir, 'message.xml');
      writeFileSync(file, xml);
      const cli = spawnSync('xmllint', ['--noout', '--nonet', '--schema', join(XSD_DIR, schema), file], {
        encoding: 'utf8',
      });
      out.cli = cli.status === 0;
      if (!out.cli) out.errors.push(`xmllint: ${cli.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/**
 * A structurally complete ds:Signature (dummy values) for validating the unsigned builds of
 * CEB621/623/625/711, whose XSD requires one; real signatures come from the signing module.
 */
export const PLACEHOLDER_SIGNATURE =
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/><ds:SignatureMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue><ds:KeyInfo><ds:KeyName>0001</ds:KeyName></ds:KeyInfo></ds:Signature>';

/** Appends the placeholder signature as the root's last child. */
export function withPlaceholderSignature(xml: string): string {
  const close = xml.lastIndexOf('</');
  return `${xml.slice(0, close)}  ${PLACEHOLDER_SIGNATURE}\n${xml.slice(close)}`;
}

/** A deterministic environment: a fixed instant and counting UUIDs. */
export function fixedEnv(iso = '2026-11-20T02:15:00Z') {
  let n = 0;
  return { now: () => new Date(iso), newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
}

export const SENDER = {
  copCode: '3301964J31',
  copName: '杭州示例跨境电商平台有限公司',
  dxpMode: 'DXP',
  dxpId: 'DXPENT0000012345',
};

/** An example declaration parsed into the model. */
export function exampleDeclaration(name: 'hangzhou-1210' | 'guangzhou-9610'): Declaration {
  const r = parseDeclaration(JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8')));
  if (!r.success) throw new Error(`example ${name} does not parse`);
  return r.data;
}

/** The other-document fixtures (test/fixtures/xml/documents.json). */
export function documentFixtures(): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(new URL('../fixtures/xml/documents.json', import.meta.url), 'utf8'));
}
