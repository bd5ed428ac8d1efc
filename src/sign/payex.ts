/**
 * The "179" upload of raw payment data (海关总署公告2018年第165/179号): customs calls the
 * platform's `platDataOpen` with `openReq`, the platform answers at once and then posts
 * `payExInfoStr` (signed) to `realTimeDataUpload`.
 */
import { Decimal } from 'decimal.js';
import type { X509Certificate } from 'node:crypto';
import { SandanError, messageOf } from '../errors.js';
import { jsonMemberTexts } from '../model/json-position.js';
import { toDecimal } from '../model/primitives.js';
import { keyTypeOf, type SignatureAlgorithm } from './algorithms.js';
import { duplicateExtensionText } from './chain.js';
import { type CertificateInfo, readCertificate, type Signer, unprocessedCriticalText } from './signer.js';
import { signatureValueOf } from './sign-message.js';
import { checkSignatureValue, sm2RawSignature, strictBase64 } from './signature-value.js';
import { checkArgument, describeInput, isRecord } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';

/** Customs upload endpoints (POST form field `payExInfoStr`). */
export const PAYEX_UPLOAD_URLS = {
  test: 'https://swapptest.singlewindow.cn/ceb2grab/grab/realTimeDataUpload',
  production: 'https://customs.chinaport.gov.cn/ceb2grab/grab/realTimeDataUpload',
} as const;

/** `payExchangeInfoHead`: the payment as exchanged with the payment company. Field names as in the spec (including `inital…`). */
export interface PayExchangeInfoHead {
  /** Upper-case UUID, 36 characters. */
  guid: string;
  /** Raw request from the platform to the payment company (≤ 8000). */
  initalRequest: string;
  /** Raw response of the payment company (≤ 8000). */
  initalResponse: string;
  ebpCode: string;
  payCode: string;
  payTransactionId: string;
  /** N19,5: written as a JSON number, exactly (no float artefacts). */
  totalAmount: Decimal | string;
  /** Customs currency code, e.g. 142. */
  currency: string;
  /** 1 UnionPay, 2 NetsUnion, 3 other. */
  verDept: '1' | '2' | '3';
  /** 1 APP, 2 PC, 3 scan code, 4 other. */
  payType?: '1' | '2' | '3' | '4' | undefined;
  /** yyyyMMddHHmmss. */
  tradingTime: string;
  note?: string | undefined;
}

/** One `payExchangeInfoLists` element: an order of the payment. */
export interface PayExchangeInfoItem {
  orderNo: string;
  goodsInfo: Array<{ gname: string; itemLink: string }>;
  recpAccount: string;
  recpCode?: string | undefined;
  recpName: string;
}

/** The payment data to upload for one `openReq`. */
export interface PayExchangeData {
  /** The sessionID customs sent in openReq. */
  sessionID: string;
  payExchangeInfoHead: PayExchangeInfoHead;
  payExchangeInfoLists: PayExchangeInfoItem[];
  /** Time of the reply: epoch milliseconds or a Date. */
  serviceTime: number | Date;
}

function bad(message: string): never {
  throw new SandanError('SIGN_PAYEX_INVALID', message);
}

function str(v: unknown, path: string, max: number, optional = false): string | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string') bad(`${path} must be a string`);
  if (v.length > max) bad(`${path} is longer than ${max} characters`);
  return v;
}

/** Writes a Decimal as a JSON number: plain notation, no trailing zeros (100.00 → 100, 88.080 → 88.08). */
export function decimalJson(v: Decimal | string, path = 'amount'): string {
  let d: Decimal;
  try {
    d = Decimal.isDecimal(v) ? (v as Decimal) : new Decimal(v as string);
  } catch {
    bad(`${path} is not a decimal number: ${describeInput(v)}`);
  }
  if (!d.isFinite() || d.isNegative()) bad(`${path} must be a non-negative number`);
  // The model's N19,5 bound (its check of a Decimal), not a copy of it.
  if (toDecimal(d) === undefined) bad(`${path} must fit N19,5 (14 integer and 5 fraction digits): ${d.toFixed()}`);
  return d.toFixed();
}

const j = JSON.stringify;

/** The exact `payExchangeInfoHead` JSON (field order of the spec example). */
export function payExHeadJson(h: PayExchangeInfoHead): string {
  if (typeof h !== 'object' || h === null) bad('payExchangeInfoHead must be an object');
  const parts = [
    `"guid":${j(str(h.guid, 'payExchangeInfoHead.guid', 36))}`,
    `"initalRequest":${j(str(h.initalRequest, 'payExchangeInfoHead.initalRequest', 8000))}`,
    `"initalResponse":${j(str(h.initalResponse, 'payExchangeInfoHead.initalResponse', 8000))}`,
    `"ebpCode":${j(str(h.ebpCode, 'payExchangeInfoHead.ebpCode', 18))}`,
    `"payCode":${j(str(h.payCode, 'payExchangeInfoHead.payCode', 18))}`,
    `"payTransactionId":${j(str(h.payTransactionId, 'payExchangeInfoHead.payTransactionId', 60))}`,
    `"totalAmount":${decimalJson(h.totalAmount, 'payExchangeInfoHead.totalAmount')}`,
    `"currency":${j(str(h.currency, 'payExchangeInfoHead.currency', 4))}`,
    `"verDept":${j(str(h.verDept, 'payExchangeInfoHead.verDept', 1))}`,
  ];
  const payType = str(h.payType, 'payExchangeInfoHead.payType', 1, true);
  if (payType !== undefined) parts.push(`"payType":${j(payType)}`);
  parts.push(`"tradingTime":${j(str(h.tradingTime, 'payExchangeInfoHead.tradingTime', 14))}`);
  const note = str(h.note, 'payExchangeInfoHead.note', 1000, true);
  if (note !== undefined) parts.push(`"note":${j(note)}`);
  return `{${parts.join(',')}}`;
}

/** The exact `payExchangeInfoLists` JSON. */
export function payExListsJson(lists: readonly PayExchangeInfoItem[]): string {
  if (!Array.isArray(lists) || lists.length === 0) bad('payExchangeInfoLists must be a non-empty array');
  return `[${lists
    .map((l, i) => {
      const p = `payExchangeInfoLists[${i}]`;
      if (!Array.isArray(l.goodsInfo) || l.goodsInfo.length === 0) bad(`${p}.goodsInfo must be a non-empty array`);
      const goods = (l.goodsInfo as PayExchangeInfoItem['goodsInfo']).map(
        (g, k) =>
          `{"gname":${j(str(g.gname, `${p}.goodsInfo[${k}].gname`, 250))},"itemLink":${j(str(g.itemLink, `${p}.goodsInfo[${k}].itemLink`, 3000))}}`,
      );
      const parts = [
        `"orderNo":${j(str(l.orderNo, `${p}.orderNo`, 60))}`,
        `"goodsInfo":[${goods.join(',')}]`,
        `"recpAccount":${j(str(l.recpAccount, `${p}.recpAccount`, 60))}`,
      ];
      const recpCode = str(l.recpCode, `${p}.recpCode`, 18, true);
      if (recpCode !== undefined) parts.push(`"recpCode":${j(recpCode)}`);
      parts.push(`"recpName":${j(str(l.recpName, `${p}.recpName`, 100))}`);
      return `{${parts.join(',')}}`;
    })
    .join(',')}]`;
}

function serviceTimeMs(t: number | Date): number {
  const ms = t instanceof Date ? t.getTime() : t;
  if (!Number.isSafeInteger(ms) || ms < 0) bad('serviceTime must be epoch milliseconds');
  return ms;
}

/**
 * The sign string of the 179 payment-data upload: every first-level key in quotes, a colon, the value in quotes
 * (JSON values inserted raw), joined by `||`; certNo and signValue left out.
 */
export function payExSignString(parts: {
  sessionID: string;
  headJson: string;
  listsJson: string;
  serviceTime: number | string;
}): string {
  checkArgument(parts, 'object', 'payExSignString', 'the parts');
  return `"sessionID":"${parts.sessionID}"||"payExchangeInfoHead":"${parts.headJson}"||"payExchangeInfoLists":"${parts.listsJson}"||"serviceTime":"${parts.serviceTime}"`;
}

/** A signed 179 upload. */
export interface SignedPayExchange {
  /** The JSON to post as form field `payExInfoStr`. */
  payExInfoStr: string;
  /** What was signed (UTF-8). */
  signString: string;
  signValue: string;
  certNo: string;
  signatureAlgorithm: SignatureAlgorithm;
}

/** Options of {@link signPayExchange}. */
export interface PayExSignOptions {
  /** Default the signer's algorithm. */
  signatureAlgorithm?: SignatureAlgorithm | undefined;
  /** SM2 signValue encoding, raw r‖s (default) or DER. */
  sm2SignatureEncoding?: 'raw' | 'der' | undefined;
  /** certNo; default the signer's certificate number. */
  certificateNumber?: string | undefined;
}

// (any other key is misuse: a misspelt certificateNumber wrote the signer's certNo, a misspelt encoding DER's r‖s)
const PAYEX_SIGN_OPTION_NAMES = optionNames<PayExSignOptions>({
  signatureAlgorithm: true,
  sm2SignatureEncoding: true,
  certificateNumber: true,
});

/**
 * Builds and signs `payExInfoStr` for a 179 upload. The JSON text of the head and the lists is
 * written once and used byte-identically in the sign string and in `payExInfoStr`.
 * @throws SandanError `SIGN_PAYEX_INVALID` for bad data, `SIGN_SIGNER_FAILED` when the signer fails.
 */
export async function signPayExchange(
  data: PayExchangeData,
  signer: Signer,
  options: PayExSignOptions = {},
): Promise<SignedPayExchange> {
  checkArgument(data, 'object', 'signPayExchange', 'the data');
  checkArgument(signer, 'object', 'signPayExchange', 'the signer');
  options = knownOptions(options, 'signPayExchange', PAYEX_SIGN_OPTION_NAMES);
  const sessionID = str(data.sessionID, 'sessionID', 200)!;
  if (/["|\\]/.test(sessionID) || sessionID === '')
    bad('sessionID must be non-empty without quotes, backslashes or "|"');
  const headJson = payExHeadJson(data.payExchangeInfoHead);
  const listsJson = payExListsJson(data.payExchangeInfoLists);
  const serviceTime = serviceTimeMs(data.serviceTime);
  const signString = payExSignString({ sessionID, headJson, listsJson, serviceTime });
  const alg = options.signatureAlgorithm ?? signer.algorithm;
  if (![signer.algorithm, ...(signer.supportedAlgorithms ?? [])].includes(alg))
    throw new SandanError('INVALID_OPTION', `The signer cannot sign ${alg}`);
  const encoding = options.sm2SignatureEncoding ?? 'raw';
  const signValue = await signatureValueOf(signer, Buffer.from(signString, 'utf8'), alg, encoding);
  const certNo = options.certificateNumber ?? signer.certificateNumber;
  const payExInfoStr = `{"sessionID":${j(sessionID)},"payExchangeInfoHead":${headJson},"payExchangeInfoLists":${listsJson},"serviceTime":${serviceTime},"certNo":${j(certNo)},"signValue":${j(signValue)}}`;
  return { payExInfoStr, signString, signValue, certNo, signatureAlgorithm: alg };
}

/** The form body (application/x-www-form-urlencoded) that uploads a payExInfoStr. */
export function payExUploadBody(payExInfoStr: string): string {
  checkArgument(payExInfoStr, 'text', 'payExUploadBody', 'the payExInfoStr');
  return new URLSearchParams({ payExInfoStr }).toString();
}

/** Names what a payExInfoStr lacks, so the integrator sees which member to fix. */
function lackedMembers(parsed: Record<string, unknown>, headJson?: string, listsJson?: string): string {
  const lacked: string[] = [];
  // A member that is there with another type is named so (the sign string quotes the list's JSON, and an upload
  // that carried the list as that text was told it had none).
  const member = (k: string, want: string) =>
    k in parsed ? `${k} (${want}; it is ${jsonKind(parsed[k])})` : `${k} (${want})`;
  for (const k of ['sessionID', 'certNo', 'signValue'] as const)
    if (typeof parsed[k] !== 'string') lacked.push(member(k, 'a string'));
  if (!headJson || !isRecord(parsed.payExchangeInfoHead)) lacked.push(member('payExchangeInfoHead', 'an object'));
  if (!listsJson || !Array.isArray(parsed.payExchangeInfoLists)) {
    // The specification's field table spells it payExchangeInfoList; its example, and every real upload, with the s.
    lacked.push(
      'payExchangeInfoList' in parsed && !('payExchangeInfoLists' in parsed)
        ? 'payExchangeInfoLists (an array; it has payExchangeInfoList, without the s)'
        : member('payExchangeInfoLists', 'an array'),
    );
  }
  return lacked.join(', ');
}

/** The JSON type of a parsed value, as a message names it. */
function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The outcome of {@link verifyPayExchange}. */
export type PayExVerifyResult =
  | {
      valid: true;
      sessionID: string;
      payExchangeInfoHead: Record<string, unknown>;
      payExchangeInfoLists: unknown[];
      serviceTime: number;
      certNo: string;
      signString: string;
      signatureAlgorithm: SignatureAlgorithm;
    }
  | {
      valid: false;
      /** `certificate-invalid`: the signature holds, but the certificate's keyUsage does not allow signing data. */
      reason: 'malformed' | 'certificate-mismatch' | 'certificate-invalid' | 'signature-mismatch';
      message: string;
    };

type PayExFailure = Extract<PayExVerifyResult, { valid: false }>;

const fail = (reason: PayExFailure['reason'], message: string): PayExFailure => ({ valid: false, reason, message });

/** What {@link verifyPayExchange} takes. */
const PAYEX_VERIFY_OPTION_NAMES = optionNames<Parameters<typeof verifyPayExchange>[1]>({
  certificate: true,
  signatureAlgorithm: true,
  certNo: true,
});

/**
 * Verifies a payExInfoStr against the certificate registered for its certNo. The sign string is
 * rebuilt from the JSON text as received, so number formatting and key order are what was signed.
 * @throws SandanError `SIGN_CERT_INVALID` when the certificate cannot be read.
 */
export function verifyPayExchange(
  payExInfoStr: string,
  options: {
    certificate: string | Uint8Array | X509Certificate;
    signatureAlgorithm?: SignatureAlgorithm;
    certNo?: string;
  },
): PayExVerifyResult {
  checkArgument(payExInfoStr, 'text', 'verifyPayExchange', 'payExInfoStr');
  checkArgument(options, 'object', 'verifyPayExchange', 'the options');
  // (a misspelt certNo checked the upload against no registered number)
  knownOptions(options, 'verifyPayExchange', PAYEX_VERIFY_OPTION_NAMES);
  const cert = readCertificate(options.certificate);
  let raw: Map<string, string>;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(payExInfoStr) as Record<string, unknown>;
    if (!isRecord(parsed)) throw new Error('not a JSON object');
    raw = jsonMemberTexts(payExInfoStr);
  } catch (e) {
    return fail('malformed', `payExInfoStr is not a JSON object: ${messageOf(e)}`);
  }
  const { sessionID, serviceTime, certNo, signValue, payExchangeInfoHead, payExchangeInfoLists } = parsed;
  const headJson = raw.get('payExchangeInfoHead');
  const listsJson = raw.get('payExchangeInfoLists');
  if (
    typeof sessionID !== 'string' ||
    typeof certNo !== 'string' ||
    typeof signValue !== 'string' ||
    !headJson ||
    !listsJson ||
    !isRecord(payExchangeInfoHead) ||
    !Array.isArray(payExchangeInfoLists)
  ) {
    return fail('malformed', `payExInfoStr lacks ${lackedMembers(parsed, headJson, listsJson)}`);
  }
  const st =
    typeof serviceTime === 'number'
      ? serviceTime
      : typeof serviceTime === 'string' && /^\d+$/.test(serviceTime)
        ? Number(serviceTime)
        : NaN;
  if (!Number.isSafeInteger(st)) return fail('malformed', 'serviceTime is not epoch milliseconds');
  if (options.certNo !== undefined && options.certNo !== certNo)
    return fail('certificate-mismatch', `certNo ${certNo} is not the certificate given (${options.certNo})`);
  const alg = options.signatureAlgorithm ?? (cert.keyType === 'sm2' ? 'sm2-sm3' : 'rsa-sha1');
  if (keyTypeOf(alg) !== cert.keyType)
    return fail(
      'certificate-mismatch',
      `The certificate holds an ${cert.keyType.toUpperCase()} key, not one for ${alg}`,
    );
  // A number as written (1544519952469.0 is not 1544519952469, as for the amounts); a string's value, as sessionID's.
  const stText = typeof serviceTime === 'string' ? serviceTime : raw.get('serviceTime')!;
  const signString = payExSignString({ sessionID, headJson, listsJson, serviceTime: stText });
  const data = Buffer.from(signString, 'utf8');
  const sig = strictBase64(signValue);
  if (!sig) return fail('malformed', 'signValue is not base64');
  const { ok } = checkSignatureValue(alg, data, sig, cert);
  if (!ok)
    return fail(
      'signature-mismatch',
      `signValue does not match the payment data and the certificate${signValueKindHint(sig, cert)}`,
    );
  // As verifyMessage: a certificate whose keyUsage does not allow signing data vouches for none.
  if (!cert.signsData)
    return fail(
      'certificate-invalid',
      `The certificate (serial ${cert.serialHex}) may not sign data: its keyUsage has neither digitalSignature nor nonRepudiation`,
    );
  if (cert.unprocessedCritical !== undefined)
    return fail(
      'certificate-invalid',
      `The certificate (serial ${cert.serialHex}) ${unprocessedCriticalText(cert.unprocessedCritical)}`,
    );
  if (cert.duplicateExtension !== undefined)
    return fail(
      'certificate-invalid',
      `The certificate (serial ${cert.serialHex}) ${duplicateExtensionText(cert.duplicateExtension)}`,
    );
  return {
    valid: true,
    sessionID,
    payExchangeInfoHead: payExchangeInfoHead as Record<string, unknown>,
    payExchangeInfoLists,
    serviceTime: st,
    certNo,
    signString,
    signatureAlgorithm: alg,
  };
}

/**
 * Why a signValue cannot be the certificate's at all, from its length: a platform moving from its RSA card to an SM2
 * one (or back) uploads with one and has registered the other, and "does not match" alone hides that.
 */
function signValueKindHint(sig: Buffer, cert: CertificateInfo): string {
  const n = sig.length;
  if (cert.keyType === 'sm2') {
    if (sm2RawSignature(sig)) return '';
    const rsa = n === 128 || n === 256 ? `, the length of an RSA-${n * 8} signature` : '';
    return `: it is ${n} bytes${rsa}, and an SM2 signature (the certificate's key) is 64 bytes r‖s or DER`;
  }
  const bits = cert.rsaKey?.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined || n === Math.ceil(bits / 8)) return '';
  const sm2 = sm2RawSignature(sig) ? ', the length of an SM2 signature' : '';
  return `: it is ${n} bytes${sm2}, and the certificate's RSA-${bits} key signs ${Math.ceil(bits / 8)}`;
}

/** What customs sends to the platform's platDataOpen endpoint (form field `openReq`). */
export interface OpenRequest {
  orderNo: string;
  sessionID: string;
  serviceTime: number;
}

/**
 * Reads customs' `openReq`: either the JSON value of the form field, or the whole
 * `application/x-www-form-urlencoded` body (`openReq=…`).
 * @throws SandanError `SIGN_PAYEX_INVALID`
 */
export function parseOpenReq(input: string): OpenRequest {
  checkArgument(input, 'text', 'parseOpenReq', 'the request body');
  let text = input.trim();
  if (!text.startsWith('{')) {
    const v = new URLSearchParams(text).get('openReq');
    if (v === null) bad('No openReq field in the request body');
    text = v.trim();
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    bad(`openReq is not JSON: ${messageOf(e)}`);
  }
  if (!isRecord(r) || typeof r.orderNo !== 'string' || typeof r.sessionID !== 'string')
    bad('openReq needs orderNo and sessionID strings');
  const st =
    typeof r.serviceTime === 'number' ? r.serviceTime : typeof r.serviceTime === 'string' ? Number(r.serviceTime) : NaN;
  if (!Number.isSafeInteger(st)) bad('openReq.serviceTime must be epoch milliseconds');
  return { orderNo: r.orderNo, sessionID: r.sessionID, serviceTime: st };
}

// (any other key is misuse: a misspelt code answered 10000, accepted)
const OPEN_REQ_RESPONSE_OPTION_NAMES = optionNames<NonNullable<Parameters<typeof openReqResponse>[0]>>({
  code: true,
  message: true,
  serviceTime: true,
});

/**
 * The immediate JSON answer to openReq: `{"code":"10000","message":"","serviceTime":…}`.
 * Code 10000 = accepted, 20000 = failed, 20001–21000 = other errors.
 */
export function openReqResponse(
  opts: { code?: '10000' | '20000' | string; message?: string; serviceTime?: number | Date } = {},
): string {
  opts = knownOptions(opts, 'openReqResponse', OPEN_REQ_RESPONSE_OPTION_NAMES);
  const code = opts.code ?? '10000';
  if (!/^(10000|20000|2\d{4})$/.test(code) || (code !== '10000' && (Number(code) < 20000 || Number(code) > 21000)))
    throw new SandanError('INVALID_OPTION', `openReq answer code must be 10000, 20000 or 20001–21000, not ${code}`);
  const t = opts.serviceTime ?? Date.now();
  return `{"code":${j(code)},"message":${j(opts.message ?? '')},"serviceTime":${serviceTimeMs(t)}}`;
}
