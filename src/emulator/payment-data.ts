/**
 * Customs' side of the "179" raw payment data (海关总署公告2018年第165号、第179号): customs asks a platform for one
 * order's payment data (an `openReq` to the platform's platDataOpen), and takes the platform's signed upload at
 * realTimeDataUpload. sandan's `parseOpenReq`, `openReqResponse` and `signPayExchange` are the platform's side; this
 * desk lets an order service be tested against the other.
 *
 * What it checks, in this order (the first failure answers): the upload is a payExInfoStr; its certNo is that of a
 * certificate the emulator trusts (customs: the certificate registered for the platform); the signature; the
 * certificate's dates on the emulator's clock (unless the engine ignores them, as for messages); the sessionID is one
 * the desk handed out, not yet answered, within its window; the requested order is among the upload's orders; the
 * platform, when the request named one. Requests live in memory only: they last minutes.
 */
import type { X509Certificate } from 'node:crypto';
import { SandanError } from '../errors.js';
import { isRecord, nonBlankText } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { readCertificate, type CertificateInfo } from '../sign/signer.js';
import { verifyPayExchange } from '../sign/payex.js';
import { certificateValidityAt } from '../sign/verify-message.js';
import { dueAfter, type ParsedDuration } from './clock.js';
import { Ring, UPLOADS_TEXT_LIMIT } from './state.js';
import type { EmulatorClock } from './types.js';
import { beijingIso, instantText } from '../time/beijing.js';

/**
 * How long a request is remembered after its window closed (to answer "expired" rather than "unknown"): housekeeping,
 * a fixed 24 hours, not a Beijing calendar day through the zone (some 15 µs a request, at every request and upload).
 */
const KEPT_AFTER_WINDOW_MS = 86_400_000;

/** A request for one order's payment data, as customs sends it to the platform's platDataOpen. */
export interface PaymentDataRequest {
  sessionID: string;
  orderNo: string;
  /** The platform asked, when the request named one: the upload's ebpCode must be it. */
  ebpCode?: string;
  /** When customs asked (epoch ms, the emulator's clock). */
  serviceTime: number;
  /**
   * The form field customs POSTs: `{"orderNo","sessionID","serviceTime"}`, serviceTime a JSON string of digits as
   * customs' requests were logged (the specification's example has a number; docs/emulator.md gives the sources).
   */
  openReq: string;
  /** Until when an upload is taken (ISO, the emulator's clock). */
  until: string;
}

/**
 * Customs' answer to an upload: `{"code","message","total","serviceTime"}`; code 10000 taken, 20004 a certificate not
 * registered (or not the platform's), 20000 any other refusal.
 */
export interface PaymentDataAnswer {
  code: '10000' | '20000' | '20004';
  message: string;
  total: number;
  serviceTime: number;
}

/** One upload the desk received (admin API). */
export interface PaymentDataUpload {
  seq: number;
  /** ISO time on the emulator's clock. */
  at: string;
  sessionID?: string;
  orderNo?: string;
  accepted: boolean;
  /** Why it was refused, in English, for logs (the answer's message is customs' words). */
  reason?: string;
  answer: PaymentDataAnswer;
  payExInfoStr: string;
}

/**
 * The words customs answers with. `uploaded` and `notRegistered` are customs' own answers as an integrator logged them
 * from the production system, `duplicate` as another reports it; the others are the emulator's, in the same register,
 * where no source gives customs' own.
 */
export const PAYMENT_DATA_MESSAGES = {
  uploaded: '上传成功',
  notRegistered: '企业实时数据获取验签证书未在服务系统注册',
  duplicate: '上传失败，入库失败',
  malformed: '上传数据格式错误',
  signature: '验签失败',
  certificateDates: '验签证书不在有效期内',
  session: '会话不存在或已过期',
  order: '上传的订单与请求不符',
} as const;

/** How long an upload is taken after the request: "within 2 minutes" (integrators' guides; no customs text found). */
export const DEFAULT_PAYMENT_DATA_WINDOW = '2m';

/** What requestPaymentData (the desk's request, the engine's and the emulator's) takes. */
const PAYMENT_DATA_REQUEST_OPTION_NAMES = optionNames<{ ebpCode?: string; sessionID?: string }>({
  ebpCode: true,
  sessionID: true,
});

/** The desk itself: the engine holds one, on its clock, with its ids, trusted certificates and history limit. */
export class PaymentDataDesk {
  private readonly requests = new Map<string, PaymentDataRequest & { answered: boolean }>();
  /** The newest `history` uploads, and no more than UPLOADS_TEXT_LIMIT characters of their payExInfoStr. */
  private readonly log: Ring<PaymentDataUpload>;
  private seq = 0;
  private readonly registered: ReadonlyArray<CertificateInfo>;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly newId: () => string,
    trust: readonly X509Certificate[],
    private readonly window: ParsedDuration,
    history: number,
    /** The engine's `certificateDates`: whether the signing certificate must be valid when the upload arrives. */
    private readonly checkDates: boolean,
  ) {
    this.registered = trust.map((c) => readCertificate(c));
    this.log = new Ring<PaymentDataUpload>(history, (u) => u.payExInfoStr.length, UPLOADS_TEXT_LIMIT);
  }

  /**
   * Opens a request for an order's payment data. `sessionID` defaults to a new upper-case UUID (the form customs'
   * requests carry). Misuse (no orderNo, a sessionID already open) throws INVALID_OPTION.
   */
  request(orderNo: string, options: { ebpCode?: string; sessionID?: string } = {}): PaymentDataRequest {
    // (a misspelt sessionID opened the request under a new one, which the caller's upload never matched)
    options = knownOptions(options, 'requestPaymentData', PAYMENT_DATA_REQUEST_OPTION_NAMES);
    const order = nonBlankText(orderNo);
    if (order === undefined) throw new SandanError('INVALID_OPTION', 'requestPaymentData needs an orderNo');
    if (options.ebpCode !== undefined && nonBlankText(options.ebpCode) === undefined)
      throw new SandanError('INVALID_OPTION', 'requestPaymentData: ebpCode must be non-blank text');
    const sessionID = options.sessionID ?? this.newId().toUpperCase();
    if (nonBlankText(sessionID) === undefined)
      throw new SandanError('INVALID_OPTION', 'requestPaymentData: sessionID must be non-blank text');
    if (this.requests.has(sessionID))
      throw new SandanError('INVALID_OPTION', `requestPaymentData: session ${sessionID} is already open`);
    const now = this.clock.now().getTime();
    this.expire(now);
    const request: PaymentDataRequest = {
      sessionID,
      orderNo: order,
      ...(options.ebpCode !== undefined && { ebpCode: options.ebpCode }),
      serviceTime: now,
      openReq: JSON.stringify({ orderNo: order, sessionID, serviceTime: String(now) }),
      // (a window past the end of time ends then: past JavaScript's last date it was an empty text)
      until: instantText(dueAfter(new Date(now), this.window)),
    };
    this.requests.set(sessionID, { ...request, answered: false });
    return request;
  }

  /** Takes one upload (the form field payExInfoStr). Never throws on bad input: the answer says what was wrong. */
  upload(payExInfoStr: unknown): PaymentDataAnswer {
    const now = this.clock.now().getTime();
    this.expire(now);
    const text = typeof payExInfoStr === 'string' ? payExInfoStr : '';
    const judged = this.judge(text, now);
    const answer: PaymentDataAnswer = {
      code:
        judged.reason === undefined
          ? '10000'
          : judged.message === PAYMENT_DATA_MESSAGES.notRegistered
            ? '20004'
            : '20000',
      message: judged.message,
      total: 0,
      serviceTime: now,
    };
    this.log.push({
      seq: ++this.seq,
      at: beijingIso(now),
      ...(judged.sessionID !== undefined && { sessionID: judged.sessionID }),
      ...(judged.orderNo !== undefined && { orderNo: judged.orderNo }),
      accepted: judged.reason === undefined,
      ...(judged.reason !== undefined && { reason: judged.reason }),
      answer,
      payExInfoStr: text,
    });
    return answer;
  }

  /** The uploads kept (the newest `history`) after `after`, oldest first. */
  uploads(after = 0): PaymentDataUpload[] {
    return this.log.after(after);
  }

  private judge(text: string, now: number): { message: string; reason?: string; sessionID?: string; orderNo?: string } {
    const M = PAYMENT_DATA_MESSAGES;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isRecord(parsed) || typeof parsed.certNo !== 'string')
      return { message: M.malformed, reason: 'payExInfoStr is not a JSON object with a certNo' };
    const certNo = parsed.certNo;
    // The card writes its serial in lower-case hex, and that is how the certificate is registered.
    const certificate = this.registered.find((c) => c.serialHex === certNo);
    if (!certificate)
      return { message: M.notRegistered, reason: `certNo ${certNo} is not a certificate the emulator trusts` };
    const v = verifyPayExchange(text, { certificate: certificate.x509, certNo });
    if (!v.valid)
      return v.reason === 'signature-mismatch' || v.reason === 'certificate-invalid'
        ? { message: M.signature, reason: v.message }
        : { message: M.malformed, reason: v.message };
    // As for a signed message: customs refuses a signature whose certificate is not valid on the day it arrives.
    const validity = this.checkDates ? certificateValidityAt(certificate.x509, new Date(now)) : undefined;
    if (validity?.outside !== undefined)
      return {
        message: M.certificateDates,
        reason: `certificate ${certNo} is valid from ${instantText(validity.validFrom.getTime())} to ${instantText(validity.validTo.getTime())}`,
        sessionID: v.sessionID,
      };
    const sessionID = v.sessionID;
    const request = this.requests.get(sessionID);
    if (request === undefined || now > Date.parse(request.until))
      return {
        message: M.session,
        reason: request ? `session ${sessionID} expired at ${request.until}` : `no request has session ${sessionID}`,
        sessionID,
      };
    const orderNo = request.orderNo;
    if (request.answered)
      return { message: M.duplicate, reason: `session ${sessionID} was answered already`, sessionID, orderNo };
    const orders = v.payExchangeInfoLists.map((l) => (isRecord(l) ? l.orderNo : undefined));
    if (!orders.includes(orderNo))
      return {
        message: M.order,
        reason: `the upload's orders (${orders.map(String).join(', ')}) do not include ${orderNo}`,
        sessionID,
        orderNo,
      };
    const ebpCode = v.payExchangeInfoHead.ebpCode;
    if (request.ebpCode !== undefined && ebpCode !== request.ebpCode)
      return {
        message: M.notRegistered,
        reason: `ebpCode ${String(ebpCode)} is not the platform asked (${request.ebpCode})`,
        sessionID,
        orderNo,
      };
    request.answered = true;
    return { message: M.uploaded, sessionID, orderNo };
  }

  /** Forgets requests whose window closed a day ago or more, so that memory stays bounded. */
  private expire(now: number): void {
    for (const [id, r] of this.requests) if (now > Date.parse(r.until) + KEPT_AFTER_WINDOW_MS) this.requests.delete(id);
  }
}
