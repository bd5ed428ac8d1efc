import type { RateTable } from '../tax/index.js';
import type { ValidateOptions } from '../rules/index.js';
import type { QuotaPolicyLookup } from '../quota/index.js';
import type { PaymentDataAnswer, PaymentDataRequest, PaymentDataUpload } from './payment-data.js';
import { describeInput, SandanError } from '../errors.js';
import { hasMethods } from '../model/guards.js';

/*
 * The public types of the customs emulator's engine (the contract in issue #20, section 2): the
 * transports (HTTP, folder) call an EmulatorEngine; tests drive one directly.
 */

/** The receipts the emulator sends (CEB900 is the format-check receipt of a message it could not read). */
export type EmulatorReceiptType =
  | 'CEB312'
  | 'CEB412'
  | 'CEB512'
  | 'CEB622'
  | 'CEB624'
  | 'CEB626'
  | 'CEB712'
  | 'CEB816'
  | 'CEB818'
  | 'CEB900';

/** The emulator's clock: real time, or a manual one that only `advance` moves. */
export interface EmulatorClock {
  readonly kind: 'real' | 'manual';
  now(): Date;
  /** Manual clocks only: set the time (never backwards). */
  set?(to: Date): void;
}

/** Delays between the steps customs takes, as durations (`'2s'`, `'30m'`, `'2h'`, `'1d'`) or milliseconds. */
export interface Timing {
  /** Receipt 3 (发送海关成功) after 2 (2, 电子口岸申报中, is sent at once: it is the acknowledgement). */
  sent: string | number;
  /** Receipt 120 (海关入库), or 100 (海关退单), after 3; for an inventory, after its documents are in as well. */
  entered: string | number;
  /** Receipt 800 (放行) after 120. */
  released: string | number;
  /** The CEB816 tax bill after release. */
  taxBill: string | number;
  /** Receipt 399 (海关审结) of a cancel (CEB624) or return (CEB626) after its 120. */
  concluded: string | number;
}

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /**
   * Where the state lives: memory (tests) or a SQLite file (survives a restart). `synchronous`
   * (default `NORMAL`) is SQLite's: with `NORMAL` a commit reaches the file but is not synced to
   * disk, so nothing is lost when the process is killed, and the last commits may be lost when the
   * machine loses power; `FULL` syncs every commit (about half the receipts per second on advance).
   */
  store: 'memory' | { sqlite: string; synchronous?: 'NORMAL' | 'FULL' };
  clock: EmulatorClock;
  /** The certificates signatures are checked against (PEM or DER), each trusted itself and as an issuer. */
  trust?: { certificates: ReadonlyArray<string | Uint8Array> };
  /**
   * Refuse CEB621/623/625/711 without a valid, trusted signature, as customs does (the XSD makes the
   * signature mandatory there). Default true. Signatures present on other messages are always checked.
   */
  requireSignature?: boolean;
  /** The national and district rules: district, user ruleset, goods records, positive lists, … */
  validate?: Omit<ValidateOptions, 'quota' | 'annualQuantities' | 'extras' | 'at' | 'rates'>;
  /** Rate tables for the rules' tax check and the CEB816 tax bill (before the bundled seed table). */
  rates?: RateTable | readonly RateTable[];
  /** The buyer's annual quota, kept in the emulator's own ledger (in the same store). */
  quota?: {
    /** The ledger's keyed-hash secret (16+ bytes); default a fixed emulator secret. */
    secret?: string;
    /** Replaces the annual limit of the policy in force (CNY). */
    annualLimit?: string | number;
    /** The policy by date; default the bundled national ruleset. */
    policy?: QuotaPolicyLookup;
    /**
     * The day that places a transaction in a quota year (and picks the policy), for the rules'
     * annual check and the reservation alike: `declTime` (default) the inventory's declaration
     * date (申报日期, the date customs records on taking the inventory), else the order's appTime —
     * the date sandan's rules go by; `appTime` the order's appTime (the rules then run as of that
     * day). No source says which customs uses: see docs/emulator.md.
     */
    date?: 'declTime' | 'appTime';
  };
  timing?: Partial<Timing>;
  /**
   * The customs node: the receiver a DxpMsg must name among its ReceiverIds (else a CEB900 with
   * 2001) and the SenderId of DxpMsg-wrapped receipts; default `DXPEDCCEB0000002`.
   */
  customsDxpId?: string;
  /** Receiver of DxpMsg-wrapped receipts when the input named no sender. */
  enterpriseDxpId?: string;
  /**
   * The code a rejection carries when the rule that found the problem has no code of the receipt
   * catalogue (e.g. the positive list): default `1300` (人工退单), with the rule's message as Desc.
   */
  unmappedCode?: string;
  /**
   * A change (appType 2) of a payment (CEB411), waybill (CEB511) or inventory (CEB621) while customs
   * holds the inventory (120, 300, 500 or 600): `refuse` (default) answers -401008, -504016 or
   * -621012 (该支付单/该运单已向海关申报…，状态不符; 清单的申报状态不符合改单申报的条件), as a change
   * of its order is answered -301011; `take` takes the change (a payment's or waybill's leaves the
   * inventory to be released as it was matched; the inventory's is checked again). After release
   * every change is refused. The specification lists the codes, not the statuses they refuse: see
   * docs/emulator.md.
   */
  heldDocumentChange?: 'refuse' | 'take';
  /**
   * An inventory whose copNo (企业内部编号) its declaring enterprise (agentCode) already gave another
   * inventory in force: `take` (default) checks it like any other, as the specification makes an
   * import inventory's copNo neither required nor unique and lists no code for a repeated one;
   * `refuse` answers it at its check with `unmappedCode` (default 1300) naming the other order
   * (each check then looks through the inventories kept). See docs/emulator.md.
   */
  duplicateCopNo?: 'take' | 'refuse';
  /**
   * Whether a signature's certificate must be valid when the message arrives, on the emulator's clock:
   * `check` (default) answers one that is not as customs does (an inventory -621029, a payment or
   * waybill a CEB900 with 1002, 数字签名过期); `ignore` takes it, for tests signed with certificates
   * whose dates do not cover the emulator's clock.
   */
  certificateDates?: 'check' | 'ignore';
  /**
   * How many of the newest received messages and of the newest receipts the emulator keeps for
   * `received()`, `receipts()` (and so `GET /receipts` and the admin lists); default 10 000; `0`
   * keeps none. Memory stays bounded however many orders go through. Older ones are gone from
   * those lists (the SQLite state leaves them in its file): {@link EmulatorEngine.historyStart}
   * says where the lists start, and `GET /receipts?after=N` answers 410 when receipts above `N`
   * are gone. Duplicate detection, the three-document match, cancels, returns and the quota do
   * not depend on it.
   */
  history?: number;
  /**
   * Most messages handled in one transaction (group commit: the messages that arrive while one
   * commit is under way share the next); default 256; 1 commits each message on its own.
   */
  maxBatch?: number;
  /**
   * Most scenarios kept at once (of an orderNo, or of one platform's order): one more is refused with
   * `EMULATOR_SCENARIOS_FULL` (400 over HTTP) until some are removed; replacing one is always taken. Default 10 000:
   * a test scripts a few, and a client that sets one per order without removing them would otherwise grow the state
   * (memory, or the SQLite file) for ever.
   */
  maxScenarios?: number;
  /**
   * How long after a request for an order's "179" payment data (`requestPaymentData`) an upload is taken; default
   * `'2m'`, the two minutes integrators' guides give (no customs text found).
   */
  paymentDataWindow?: string | number;
  /** Default `crypto.randomUUID`. */
  newId?: () => string;
}

/** The transport's answer to one submitted message. */
export interface Acknowledgement {
  /** False: malformed, XSD-invalid, or a missing, bad or untrusted signature. */
  accepted: boolean;
  /** 200 read (accepted or answered with a rejecting receipt), 400 malformed or XSD-invalid, 413 too large. */
  httpStatus: number;
  /** The XML answer: a CEB900 for unreadable input, else the first receipt; DxpMsg-wrapped when the input was. */
  body: string;
  messageType?: string;
  copMsgId?: string;
  /** Why it was not accepted (for logs and the admin API). */
  reason?: string;
}

/** One receipt the emulator produced, in the order it produced them. */
export interface OutgoingReceipt {
  /** 1, 2, 3 … strictly increasing, never reused (also after a restart). */
  seq: number;
  /** File name for folder mode, e.g. `000042-CEB622-<guid>.xml`. */
  name: string;
  type: EmulatorReceiptType;
  orderNo?: string;
  /**
   * The platform (ebpCode) the document answered names: an orderNo is unique only within one
   * platform. A waybill names none, so its CEB512 has none (nor has a CEB900).
   */
  ebpCode?: string;
  invtNo?: string;
  returnStatus?: string;
  /**
   * The receipt's returnInfo (回执信息), e.g. `[Code:2600;Desc:放行]`, as its document has it: why a status, without
   * reading the XML. A CEB816 or CEB818 has none, nor a receipt kept from before session 52 in a SQLite state.
   */
  returnInfo?: string;
  /** DxpMsg-wrapped when the input was. */
  xml: string;
  /**
   * ISO time on the emulator clock, in Beijing time (`2026-11-20T10:21:07.000+08:00`); a state file written before
   * session 38 holds UTC (`…Z`) times, the same instants.
   */
  at: string;
}

/** One message the emulator received (admin API). */
export interface ReceivedMessage {
  seq: number;
  /** When it arrived, as {@link OutgoingReceipt.at}. */
  at: string;
  transport: 'http' | 'folder' | 'api';
  name?: string;
  messageType?: string;
  copMsgId?: string;
  orderNo?: string;
  accepted: boolean;
  reason?: string;
  /**
   * What the emulator could not do for the message later, and why: an inventory released but sent no tax bill
   * (CEB816) because its rates leave a line without a rate. Added when it happens; absent when there is nothing.
   */
  notes?: string[];
  /** The message as received (DxpMsg included). */
  xml: string;
}

/**
 * A note added to a received message ({@link ReceivedMessage.notes}) as it happens, for a listener
 * ({@link EmulatorEngine.onNote}): what the emulator could not do for the message, and why.
 */
export interface EmulatorNote {
  /** When, on the emulator clock, as {@link OutgoingReceipt.at}. */
  at: string;
  /** The received message it is noted on ({@link ReceivedMessage.seq}). */
  seq: number;
  orderNo?: string;
  ebpCode?: string;
  note: string;
}

/**
 * Which receipts to list. `orderNo`: those of that order number. `ebpCode`: those of that
 * platform's order, and those that name no platform (a waybill's CEB512: a waybill names no
 * platform, so a waybill of the same orderNo on another platform cannot be told apart from it).
 */
export interface ReceiptFilter {
  orderNo?: string | undefined;
  ebpCode?: string | undefined;
}

/** Where a scenario applies: every order of that number, or only one platform's (`ebpCode`). */
export interface ScenarioTarget {
  ebpCode?: string | undefined;
}

/** Per-order controls for tests. */
export type Scenario =
  | { reject: { code: string; desc?: string; at?: 'order' | 'payment' | 'logistics' | 'inventory' } }
  | { hold: { status: '500' | '600'; for: string | number } }
  | { drop: { receipt: Exclude<EmulatorReceiptType, 'CEB818'>; status?: string } }
  | { taxBill: TaxBillScenario };

/**
 * Customs' own figures on the tax bill (CEB816), to rehearse a month-end mismatch: the inventory is taken though
 * its order's taxTotal differs from the tax the emulator computes (no 1300 for tax/total's tax-mismatch), and its
 * bill carries the emulator's figures, but those `items` name: the head's taxes are the sums of the lines.
 */
export interface TaxBillScenario {
  /** A line of the bill (its inventory line's gnum) with customs' figures, each to the fen; a tax not given stays. */
  items?: Array<{ gnum: number; customsTax?: string; valueAddedTax?: string; consumptionTax?: string }>;
}

/** The engine behind the transports. */
export interface EmulatorEngine {
  /** One incoming message (CEB or DxpMsg XML). Never throws on bad input: the answer says what was wrong. */
  submit(
    xml: string | Uint8Array,
    via: { transport: 'http' | 'folder' | 'api'; name?: string },
  ): Promise<Acknowledgement>;
  /** Receipts kept (see `history`) after sequence number `after` (0 = all kept), in order. */
  receipts(after?: number, filter?: ReceiptFilter): OutgoingReceipt[];
  /**
   * At most `limit` receipts above seq `after`, oldest first, for a transport that must deliver every one (the folder
   * transport, behind a receive folder it cannot write): the SQLite state reads them from its file also beyond
   * `history`; the memory state has only those it keeps. An engine without it is read through `receipts`.
   */
  receiptsToDeliver?(after: number, limit: number): OutgoingReceipt[];
  /** Called for every new receipt, after it is stored. Returns the function that removes the listener. */
  onReceipt(listener: (r: OutgoingReceipt) => void): () => void;
  /**
   * Called for every note added to a received message, after it is stored. Returns the function that removes it.
   * Optional, as no transport needs it: an engine written before it (a wrapper, a test's fake) stays one.
   */
  onNote?(listener: (n: EmulatorNote) => void): () => void;
  /** Moves a manual clock forward and runs everything that falls due, in time order. */
  advance(by: string | number): Promise<void>;
  /**
   * Sends a CEB818 (电子税单状态) for the tax bill of a released inventory: status `'2'` (已汇总, summarised) or `'3'`
   * (作废, void). The specification defines the message but not when customs sends it, so the emulator sends one
   * only when asked. Resolves to the receipt; a misuse (no such bill yet, a bill already void, another status)
   * rejects with `INVALID_OPTION`.
   */
  taxBillStatus(invtNo: string, status: '2' | '3'): Promise<OutgoingReceipt>;
  now(): Date;
  /**
   * Sets the scenario of an order (replacing an earlier one); stored with the state. With
   * `target.ebpCode`, of that platform's order only, which takes it before one set for the orderNo
   * alone (a waybill names no platform: its scenarios, `reject.at: 'logistics'` and a drop of
   * CEB512, are set for the orderNo alone).
   */
  /** `null` removes the scenario set for that orderNo (and platform). */
  scenario(orderNo: string, s: Scenario | null, target?: ScenarioTarget): void;
  /**
   * What it received and keeps (see `history`) after sequence number `after` (default 0), oldest
   * first; at most `limit` of them (each holds its whole message: page through a long history).
   */
  received(after?: number, limit?: number): ReceivedMessage[];
  /** The message the folder transport submitted under this (unique) file name, when it is known (also beyond `history` with SQLite). */
  findReceived(name: string): ReceivedMessage | undefined;
  /**
   * Where the kept lists start: the seq of the oldest received message and of the oldest receipt
   * still kept (the next seq when none is), and the seq the next receipt will have. Entries below were dropped by the
   * `history` limit.
   */
  historyStart(): { received: number; receipts: number; nextReceipt: number };
  /**
   * Customs asks the platform for an order's raw payment data ("179", 海关总署公告2018年第165号、第179号): opens a
   * session and gives the `openReq` customs POSTs to the platform's platDataOpen (the HTTP transport can post it). The
   * upload is taken within `paymentDataWindow`. With `ebpCode`, only that platform's upload answers it; `sessionID`
   * (default a new upper-case UUID) fixes the session for a test. Requests live in memory, not in the state.
   */
  requestPaymentData(orderNo: string, options?: { ebpCode?: string; sessionID?: string }): PaymentDataRequest;
  /**
   * An upload to realTimeDataUpload (the form field payExInfoStr), answered as customs does: code `10000` taken,
   * `20004` not the platform's registered certificate, `20000` otherwise refused (a bad signature, an unknown, expired
   * or answered session, another order). Never throws on bad input.
   */
  uploadPaymentData(payExInfoStr: string): PaymentDataAnswer;
  /** The uploads received and kept (see `history`) after sequence number `after` (default 0), oldest first. */
  paymentDataUploads(after?: number): PaymentDataUpload[];
  /** Waits for running work, stops the timer and closes the state. */
  close(): Promise<void>;
}

/**
 * Refuses what is not an engine where a transport takes one (an object of other methods, a declaration): the folder
 * transport threw a TypeError from inside, the HTTP one started and answered every request with a 500.
 */
export function checkEngine(value: unknown, fn: string): asserts value is EmulatorEngine {
  if (
    !hasMethods(value, ['submit', 'receipts', 'onReceipt', 'historyStart', 'now'] satisfies Array<keyof EmulatorEngine>)
  )
    throw new SandanError(
      'INVALID_OPTION',
      `${fn}: the engine must be an emulator engine (createEngine), got ${describeInput(value)}`,
    );
}
