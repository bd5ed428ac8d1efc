// Building the messages an order service sends, and reading the emulator's receipts back.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalSigner, signMessage, type Signer } from '../../src/sign/index.js';
import { buildMessage, parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { parseRateTable, type RateTable } from '../../src/tax/index.js';
import type { OutgoingReceipt } from '../../src/emulator/types.js';
import { makeKeys, type TestKeys } from '../sign/helpers.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** A bundled example declaration (examples/*.json), as JSON to change freely. */
export function example(name = 'hangzhou-1210'): Record<string, any> {
  return JSON.parse(readFileSync(`${EXAMPLES}${name}.json`, 'utf8'));
}

export const SENDER = JSON.parse(readFileSync(`${EXAMPLES}sender.json`, 'utf8'));
export const RATES: RateTable = parseRateTable(JSON.parse(readFileSync(`${EXAMPLES}rates.example.json`, 'utf8')));

let counter = 0;
export const env = (at = '2026-11-20T02:20:00Z') => ({
  sender: SENDER,
  now: () => new Date(at),
  newId: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
});

export type DocKey = 'order' | 'payment' | 'logistics' | 'inventory';
const TYPE = { order: 'CEB311', payment: 'CEB411', logistics: 'CEB511', inventory: 'CEB621' } as const;

/** The keys and the signer the tests sign with: `rsa` is trusted, `rsa2` is not. */
export interface Signing {
  keys: TestKeys;
  trusted: Signer;
  untrusted: Signer;
  trust: { certificates: string[] };
}

/**
 * The emulator checks a certificate's dates on its own clock, which the tests set to 2026-11-20 and later: the
 * certificates are issued again valid from `start` to `end`, by default 2020 to 2040 (`openssl ca` sets the dates;
 * `req -x509` starts them now). Written to `out`.crt.
 */
export function longLived(
  keys: TestKeys,
  name: string,
  out = `emu-${name}`,
  start = '20200101000000Z',
  end = '20400101000000Z',
): string {
  writeFileSync(
    keys.path('emu-ca.cnf'),
    '[ca]\ndefault_ca=d\n[d]\ndir=.\ndatabase=emu-index.txt\nnew_certs_dir=.\nserial=emu-serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n',
  );
  if (!existsSync(keys.path('emu-index.txt'))) writeFileSync(keys.path('emu-index.txt'), '');
  if (!existsSync(keys.path('emu-serial'))) writeFileSync(keys.path('emu-serial'), '1000\n');
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: keys.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  run(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=sandan emulator ${name}`, '-out', `${out}.csr`]);
  // biome-ignore format: one option per line would hide the command
  run(['ca', '-batch', '-config', 'emu-ca.cnf', '-selfsign', '-keyfile', `${name}.key`, '-in', `${out}.csr`, '-startdate', start, '-enddate', end, '-out', `${out}.crt`]);
  return keys.text(`${out}.crt`);
}

export function makeSigning(): Signing {
  const keys = makeKeys();
  const trusted = longLived(keys, 'rsa');
  const other = longLived(keys, 'rsa2');
  return {
    keys,
    trusted: createLocalSigner({ key: keys.read('rsa.key'), certificate: trusted }),
    untrusted: createLocalSigner({ key: keys.read('rsa2.key'), certificate: other }),
    trust: { certificates: [trusted] },
  };
}

/** One message of a declaration, built (and signed when a signer is given). */
export async function message(decl: Record<string, any>, key: DocKey, signer?: Signer, at?: string): Promise<string> {
  const r = buildMessage(TYPE[key], decl[key], env(at));
  if (!r.ok) throw new Error(`${key}: ${JSON.stringify(r.issues)}`);
  return signer ? (await signMessage(r.xml, signer)).xml : r.xml;
}

/** The four messages: the three documents unsigned (optional in the XSD), the inventory signed. */
export async function messages(decl: Record<string, any>, signer: Signer): Promise<Record<DocKey, string>> {
  return {
    order: await message(decl, 'order'),
    payment: await message(decl, 'payment'),
    logistics: await message(decl, 'logistics'),
    inventory: await message(decl, 'inventory', signer),
  };
}

/** The CEB message of a receipt (unwrapped when it came in a DxpMsg). */
export function read(r: OutgoingReceipt | string): CebMessage {
  const p = parseCebXml(typeof r === 'string' ? r : r.xml);
  const m = p.kind === 'dxp' ? p.message : p;
  if (!m) throw new Error('no message in the receipt');
  return m;
}

/** `type:status` of each receipt, in order (the tax bill as `CEB816`). */
export function trail(rs: OutgoingReceipt[], type?: string): string[] {
  return rs
    .filter((r) => type === undefined || r.type === type)
    .map((r) => (r.returnStatus === undefined ? r.type : `${r.type}:${r.returnStatus}`));
}

/** The returnInfo of the last receipt of a type. */
export function lastInfo(rs: OutgoingReceipt[], type: string): string | undefined {
  const r = rs.filter((x) => x.type === type).at(-1);
  return r && String(read(r).documents[0]?.returnInfo ?? '');
}
