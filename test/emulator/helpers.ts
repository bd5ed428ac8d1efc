// Building the messages an order service sends, and reading the emulator's receipts back.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLocalSigner, signMessage, type Signer } from '../../src/sign/index.js';
import { buildMessage, parseCebXml, parseReturnInfo, type CebMessage } from '../../src/xml/index.js';
import { parseRateTable, type RateTable } from '../../src/tax/index.js';
import type { OutgoingReceipt } from '../../src/emulator/types.js';
import { makeRsaKeys, selfSignedRsaCertificate, type TestKeys } from '../sign/helpers.js';

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

let serial = 0x1000;

/**
 * The emulator checks a certificate's dates on its own clock, which the tests set to 2026-11-20 and later: the
 * certificates are issued again valid from `start` to `end`, by default 2020 to 2040, as `openssl ca -selfsign`
 * would (version 1, serial from 0x1000), with node:crypto so that the emulator tests need no OpenSSL. Written to
 * `out`.crt.
 */
export function longLived(
  keys: TestKeys,
  name: string,
  out = `emu-${name}`,
  start = '20200101000000Z',
  end = '20400101000000Z',
): string {
  const date = (t: string) => new Date(t.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const pem = selfSignedRsaCertificate(keys.read(`${name}.key`), {
    commonName: `sandan emulator ${name}`,
    serial: (serial++).toString(16),
    notBefore: date(start),
    notAfter: date(end),
    v1: true,
  });
  writeFileSync(keys.path(`${out}.crt`), pem);
  return pem;
}

export function makeSigning(): Signing {
  const keys = makeRsaKeys();
  const trusted = longLived(keys, 'rsa');
  const other = longLived(keys, 'rsa2');
  return {
    keys,
    trusted: createLocalSigner({ key: keys.read('rsa.key'), certificate: trusted }),
    untrusted: createLocalSigner({ key: keys.read('rsa2.key'), certificate: other }),
    trust: { certificates: [trusted] },
  };
}

/**
 * The cancel (CEB623) of a declaration's inventory `invtNo`, written out from its order, waybill and inventory as an
 * enterprise fills it in; with `reason` 质量问题 and items added, the head of its return (CEB625).
 */
export function cancelOf(d: Record<string, any>, invtNo: string, reason = '买家取消'): Record<string, unknown> {
  const { order, logistics, inventory } = d;
  return {
    customsCode: inventory.customsCode,
    orderNo: order.orderNo,
    ebpCode: order.ebpCode,
    ebpName: order.ebpName,
    ebcCode: order.ebcCode,
    ebcName: order.ebcName,
    logisticsNo: logistics.logisticsNo,
    logisticsCode: logistics.logisticsCode,
    logisticsName: logistics.logisticsName,
    copNo: inventory.copNo,
    invtNo,
    buyerIdType: '1',
    buyerIdNumber: order.buyerIdNumber,
    buyerName: order.buyerName,
    buyerTelephone: order.buyerTelephone,
    agentCode: inventory.agentCode,
    agentName: inventory.agentName,
    reason,
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

// (`type:status` of each receipt; shared with the journeys, which test the built package)
export { trail } from '../helpers/orders.js';

/** The returnInfo of the last receipt of a type. */
export function lastInfo(rs: OutgoingReceipt[], type: string): string | undefined {
  const r = rs.filter((x) => x.type === type).at(-1);
  return r && String(read(r).documents[0]?.returnInfo ?? '');
}

/** The returnInfo (`[Code:…;Desc:…]` read) of each receipt of a type and status, in order. */
export function infos(rs: OutgoingReceipt[], type: string, status: string): Array<{ code?: string; desc?: string }> {
  return rs
    .filter((x) => x.type === type && x.returnStatus === status)
    .map((r) => parseReturnInfo(String(read(r).documents[0]?.returnInfo ?? '')));
}
