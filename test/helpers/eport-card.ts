/**
 * The real E-Port card of the outside corpus (test/fixtures/outside/README.md, weasley-chinaport): its certificate, as
 * the signing tool's response of 2023-07-28 gives it, and the 179 upload it signed.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const DIR = new URL('../fixtures/outside/weasley-chinaport/', import.meta.url);
const json = (name: string): unknown => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));

/** The card's certificate (certNo 03000000000cde6f, issued by 中国电子业务证书管理中心). */
export function cardCertificate(): X509Certificate {
  const r = json('ukey-sign-response-2023-07-28.json') as { data: { x509Certificate: string } };
  return new X509Certificate(Buffer.from(r.data.x509Certificate, 'base64'));
}

/** The payExInfoStr of the card's 179 upload (179.json). */
export function cardUpload179(): string {
  return (json('179.json') as { data: { payload: { payExInfoStr: string } } }).data.payload.payExInfoStr;
}

/** The members of a payExInfoStr, in the order the specification's example and the uploads write them. */
export const PAYEX_INFO_KEYS = [
  'sessionID',
  'payExchangeInfoHead',
  'payExchangeInfoLists',
  'serviceTime',
  'certNo',
  'signValue',
] as const;
