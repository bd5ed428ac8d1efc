import { randomUUID, type X509Certificate } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { isSandanError, SandanError, messageOf } from '../errors.js';
import type { Issue } from '../model/issue.js';
import {
  QuotaLedger,
  MemoryQuotaStore,
  defaultQuotaPolicy,
  validateWithQuota,
  checkReturnWindow,
} from '../quota/index.js';
import type { QuotaPolicyLookup, QuotaStore } from '../quota/index.js';
import {
  createTaxCalculator,
  createValidator,
  declarationDate,
  type TaxCalculation,
  type ValidateOptions,
  type Validator,
} from '../rules/index.js';
import { verifyMessage, type VerifyFailureReason } from '../sign/index.js';
import { readCertificate } from '../sign/signer.js';
import type { TaxFigures } from '../tax/index.js';
import { rateTablesOf } from '../tax/rates.js';
import {
  beijingDate8,
  beijingDateTime17,
  beijingIsoDate,
  beijingYear,
  isoDateOfCeb,
  parseBeijingTime,
} from '../time/beijing.js';
import {
  BUILDABLE,
  catalogueHelp,
  explainCode,
  explainStatus,
  parseCebXml,
  refusedByFormatCheck,
  toJsonValue,
  wrapDxp,
  type CebMessage,
  type ParsedXml,
} from '../xml/index.js';
import { checkXmlText, gbDeclared, xmlCharsOnly } from '../xml/safety.js';
import { knownOptions, optionNames } from '../model/options.js';
import { addDuration, dueAfter, LATEST_TIME, parseDuration, type ParsedDuration } from './clock.js';
import {
  DEFAULT_PAYMENT_DATA_WINDOW,
  PaymentDataDesk,
  type PaymentDataAnswer,
  type PaymentDataRequest,
  type PaymentDataUpload,
} from './payment-data.js';
import {
  DEFAULT_CUSTOMS_DXP_ID,
  DEFAULT_ENTERPRISE_DXP_ID,
  DEFAULT_MAX_SCENARIOS,
  DEFAULT_TIMING,
  DEFAULT_UNMAPPED_CODE,
  SETTING_CHOICES,
} from './settings.js';
import { descWithCode, renderReceipt, returnInfo, type ReceiptDoc } from './receipt-xml.js';
import { openSqliteState } from './sqlite-state.js';
import {
  historyOf,
  wholeNumberOption,
  memoryState,
  type DocKind,
  type EmulatorState,
  type ReturnedQty,
  type StoredDoc,
  type TimelineEvent,
} from './state.js';
import {
  checkArgument,
  codePointLength,
  oneOf,
  describeInput,
  isRecord,
  nonBlankText as str,
} from '../model/guards.js';
import { CEB_IMPORT_ELEMENTS } from '../model/generated/ceb-elements.js';
import type {
  Acknowledgement,
  EmulatorEngine,
  EmulatorReceiptType,
  EngineOptions,
  EmulatorNote,
  OutgoingReceipt,
  ReceiptFilter,
  Scenario,
  ScenarioTarget,
  TaxBillScenario,
  Timing,
} from './types.js';
import { beijingIso } from '../time/beijing.js';

/*
 * The emulator's engine: reads each message as customs does (well-formed and XSD-valid, then the
 * signature), keeps the documents by their keys, and answers on its clock with the receipt
 * sequences customs sends. An inventory waits for its order, payment and waybill, then the four
 * are run through sandan's own rules (national and district, for the declaration date) with the
 * buyer's quota from the emulator's ledger; a finding becomes a 100 (海关退单) with the receipt
 * catalogue's code. Its verdicts are sandan's rules, not customs'.
 */

/** A fixed secret, so that an emulator's ledger file opens again after a restart; it guards no real data. */
const DEFAULT_QUOTA_SECRET = 'sandan-customs-emulator-quota';

/**
 * Each kind of document the emulator keeps: the message it comes in, the receipt it is answered with, and the E-Port
 * codes of its refusals (spec table 7-2):
 * - `duplicate`: a second "new" document under a key already declared;
 * - `changeRefused`: a change (appType 2) its state does not allow: after release, or while customs holds its
 *   inventory (a payment's, waybill's or inventory's by option `heldDocumentChange`): 该订单已向海关申报清单，状态不符;
 *   该支付单/该运单已向海关申报…，状态不符; 清单[*]的申报状态不符合改单申报的条件;
 * - `nothingToChange`: a change of a document nobody declared (订单标识(appType)不正确,未找到操作的订单, and the
 *   payment's, waybill's and inventory's codes beside it);
 * - `again`: a cancel, return or delivery note declared again (its guid) while the first is held (撤单清单[*]已经申报过,
 *   退货申请单[*]已经申报过，请勿重复申报, 入库明细单报已存在).
 */
// biome-ignore format: one line per kind
const KINDS: Record<DocKind, { message: string; receipt: EmulatorReceiptType; duplicate?: string; changeRefused?: string; nothingToChange?: string; again?: string }> = {
  order: { message: 'CEB311', receipt: 'CEB312', duplicate: '-301010', changeRefused: '-301011', nothingToChange: '-301009' },
  payment: { message: 'CEB411', receipt: 'CEB412', duplicate: '-401007', changeRefused: '-401008', nothingToChange: '-401006' },
  logistics: { message: 'CEB511', receipt: 'CEB512', duplicate: '-504012', changeRefused: '-504016', nothingToChange: '-504014' },
  inventory: { message: 'CEB621', receipt: 'CEB622', duplicate: '-621004', changeRefused: '-621012', nothingToChange: '-621011' },
  cancel: { message: 'CEB623', receipt: 'CEB624', again: '-623009' },
  refund: { message: 'CEB625', receipt: 'CEB626', again: '-625033' },
  delivery: { message: 'CEB711', receipt: 'CEB712', again: '-800003' },
};

/** The kind of document kept for each message the emulator takes. */
const HANDLED: Record<string, DocKind | undefined> = Object.fromEntries(
  Object.entries(KINDS).map(([kind, k]) => [k.message, kind as DocKind]),
);

/**
 * The E-Port's own checks of an inventory, made when it arrives and before it is sent to customs (a
 * negative code answers instead of 2 and 3): the single-transaction limit and a repeated gnum (spec
 * table 7-2, -621005 and -621027, among the E-Port's intake errors).
 */
const INTAKE_CODES: ReadonlySet<string> = new Set(['-621005', '-621027']);

/** Statuses after which a document's sequence stops: rejected (100; 99 and 4 as the catalogue lists them). */
const REJECTED = new Set(['100', '99', '4']);

/**
 * Status 1 (电子口岸已暂存): a document sent with appStatus 1 (暂存, temp-save) is kept at the E-Port
 * as a draft and not declared to customs; it is neither matched nor released until it is sent again
 * with appStatus 2.
 */
const TEMP_SAVED = '1';

function tempSaved(d: StoredDoc): boolean {
  return str(d.doc.appStatus) === '1';
}

/** An inventory customs has taken in (120) and not yet released: 人工审核, 查验 and 挂起 included. */
const HELD = new Set(['120', '300', '500', '600']);

/** Rejected: one of {@link REJECTED}, or an E-Port processing error (a negative returnStatus). */
function isRejected(status: string): boolean {
  return REJECTED.has(status) || status.startsWith('-');
}

/**
 * The receipt of a rejection with `code`: an E-Port processing code (negative, e.g. -621005) is
 * the returnStatus itself with its text, as the XSD describes (若小于0数字表示处理异常回执); a
 * customs code is 100 (海关退单) with `[Code:…;Desc:…]`.
 */
function rejection(code: string, desc: string): { status: string; info: string } {
  return code.startsWith('-') ? { status: code, info: desc } : { status: '100', info: returnInfo(code, desc) };
}

/** The code and text customs answers a failed signature with, per message. */
function signatureCode(messageType: string, reason: VerifyFailureReason): string {
  const changed = reason === 'digest-mismatch';
  switch (messageType) {
    case 'CEB621':
      return changed ? '-621028' : '-621029';
    case 'CEB623':
      return '-623029';
    case 'CEB625':
      return '-625005';
    case 'CEB311':
      return '-301020';
    default:
      // No E-Port code of its own: the DXP layer's (answered with a CEB900). The DXP table has one
      // code for a certificate out of its dates (1002, 签名已过期); a not-yet-valid one is taken to get it too.
      return reason === 'certificate-expired' || reason === 'certificate-not-yet-valid'
        ? '1002'
        : changed
          ? '1004'
          : '1001';
  }
}

function codeText(code: string): string {
  return explainCode(code)?.zh ?? code;
}

function statusText(status: string): string {
  return explainStatus(status)?.zh ?? status;
}

/**
 * The returnInfo of receipt 2. A new order, payment, waybill or inventory gets customs' words as receipts show them:
 * `订单新增申报成功[guid]` (a CEB312 delivered by customs' node, zhaopei0418/distribution-message), `新增申报成功[guid]`
 * (the 2016 official samples' CEB312 and CEB512, the document's guid), `清单新增申报成功[电商企业编码：…订单编号：…]`
 * (dandingtest's CEB622). Where no receipt was seen (a change, a cancel, a return, a delivery) the status's name.
 */
function declaredText(d: StoredDoc): string {
  const x = d.doc;
  if ((str(x.appType) ?? '1') !== '1') return statusText('2');
  switch (d.kind) {
    case 'order':
      return `订单新增申报成功[${str(x.guid) ?? ''}]`;
    case 'payment':
    case 'logistics':
      return `新增申报成功[${str(x.guid) ?? ''}]`;
    case 'inventory':
      return `清单新增申报成功[电商企业编码：${str(x.ebcCode) ?? ''}订单编号：${str(x.orderNo) ?? ''}]`;
    default:
      return statusText('2');
  }
}

function lines(doc: Record<string, unknown>): Array<Record<string, unknown>> {
  const items = doc.items;
  return Array.isArray(items) ? (items as Array<Record<string, unknown>>) : [];
}

interface Pending {
  receipts: OutgoingReceipt[];
  /** Notes added to received messages, told to the listeners with the receipts. */
  notes?: EmulatorNote[];
  /** The first receipt of a submission (its acknowledgement body). */
  first?: string | undefined;
}

/** A submitted message waiting for its batch. */
interface Submission {
  xml: string | Uint8Array;
  via: { transport: 'http' | 'folder' | 'api'; name?: string };
  resolve(ack: Acknowledgement): void;
  reject(e: unknown): void;
}

/**
 * The most characters of a message the emulator repeats from one it cannot read: in the list of
 * messages received, and in the CEB900's oriBizMessage (the first 1 Mi characters of a larger one).
 */
const ORIGINAL_LIMIT = 1 << 20;

/**
 * A message's text for a CEB900's oriBizMessage: at most {@link ORIGINAL_LIMIT} characters (not
 * cutting a character in two), and each character XML 1.0 cannot carry (a NUL in a binary body, a
 * lone surrogate) as U+FFFD, so that the receipt is well-formed whatever was sent.
 */
function originalText(text: string): string {
  let t = text.length > ORIGINAL_LIMIT ? text.slice(0, ORIGINAL_LIMIT) : text;
  if (/[\uD800-\uDBFF]$/.test(t)) t = t.slice(0, -1);
  return xmlCharsOnly(t);
}

/** Most messages handled in one transaction (one commit), by default. */
const MAX_BATCH = 256;

class Engine implements EmulatorEngine {
  private readonly listeners = new Set<(r: OutgoingReceipt) => void>();
  private readonly noteListeners = new Set<(n: EmulatorNote) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  /** The batch that messages submitted now join (it waits behind the work running), if one is open. */
  private open: Submission[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly timing: Record<keyof Timing, ParsedDuration>;
  private readonly newId: () => string;
  /** The trusted certificates, read once: a PEM anchor read again for every message cost verify 140 µs of its 230. */
  private readonly trust: readonly X509Certificate[];
  /** Customs' "179" payment data desk. */
  private readonly paymentDesk: PaymentDataDesk;
  private readonly requireSignature: boolean;
  private readonly validateOptions: ValidateOptions;
  /** The validator of the E-Port's intake check, made at its first use. */
  private intakeValidator: Validator | undefined;
  private readonly tax: (input: unknown) => TaxCalculation<TaxFigures>;
  private readonly policy: QuotaPolicyLookup;
  private readonly maxBatch: number;
  private readonly maxScenarios: number;
  private readonly quotaDate: 'declTime' | 'appTime';
  /** The code of a rejection whose rule has no catalogue code (option unmappedCode). */
  private readonly unmappedCode: string;

  constructor(
    private readonly options: EngineOptions,
    private readonly state: EmulatorState,
    private readonly ledger: QuotaLedger,
    policy: QuotaPolicyLookup,
  ) {
    const t = { ...DEFAULT_TIMING, ...options.timing };
    this.timing = {
      sent: parseDuration(t.sent, 'timing.sent'),
      entered: parseDuration(t.entered, 'timing.entered'),
      released: parseDuration(t.released, 'timing.released'),
      taxBill: parseDuration(t.taxBill, 'timing.taxBill'),
      concluded: parseDuration(t.concluded, 'timing.concluded'),
    };
    this.newId = options.newId ?? randomUUID;
    // (trust: [certPem] or trust: certPem read no certificates, silently: every signed message was then untrusted)
    if (options.trust !== undefined && (!isRecord(options.trust) || !('certificates' in options.trust)))
      throw new SandanError(
        'INVALID_OPTION',
        `trust must be { certificates: [...] } (PEM or DER), got ${describeInput(options.trust)}: write trust: { certificates: [certPem] }`,
      );
    const trusted = options.trust?.certificates ?? [];
    if (!Array.isArray(trusted))
      throw new SandanError('INVALID_OPTION', 'trust.certificates must be a list of certificates (PEM or DER)');
    this.trust = trusted.map((c) => readCertificate(c).x509);
    this.paymentDesk = new PaymentDataDesk(
      options.clock,
      this.newId,
      this.trust,
      parseDuration(options.paymentDataWindow ?? DEFAULT_PAYMENT_DATA_WINDOW, 'paymentDataWindow'),
      historyOf(options),
      options.certificateDates !== 'ignore',
    );
    this.requireSignature = options.requireSignature !== false;
    const rates = rateTablesOf(options.rates, 'the emulator');
    this.validateOptions = { ...options.validate, rates };
    const { district, ruleset, registry } = options.validate ?? {};
    this.tax = createTaxCalculator({
      explain: false,
      rates,
      ...(district !== undefined && { district }),
      ...(ruleset !== undefined && { ruleset }),
      ...(registry !== undefined && { registry }),
    });
    this.policy = policy;
    this.maxBatch = wholeNumberOption('maxBatch', options.maxBatch ?? MAX_BATCH, 1);
    this.maxScenarios = wholeNumberOption('maxScenarios', options.maxScenarios ?? DEFAULT_MAX_SCENARIOS, 0);
    if (options.unmappedCode !== undefined && !/^-?\d+$/.test(options.unmappedCode))
      throw new SandanError(
        'INVALID_OPTION',
        `unmappedCode must be a code such as 1300, got ${describeInput(options.unmappedCode)}`,
      );
    // Written into the TransInfo of every wrapped receipt: one wrapDxp refuses failed each receipt as a 3001.
    for (const id of ['customsDxpId', 'enterpriseDxpId'] as const)
      if (options[id] !== undefined) checkXmlText(id, options[id], 16);
    oneOf('heldDocumentChange', options.heldDocumentChange, SETTING_CHOICES.heldDocumentChange);
    oneOf('quota.date', options.quota?.date, SETTING_CHOICES.quotaDate);
    oneOf('duplicateCopNo', options.duplicateCopNo, SETTING_CHOICES.duplicateCopNo);
    oneOf('certificateDates', options.certificateDates, SETTING_CHOICES.certificateDates);
    this.quotaDate = options.quota?.date ?? SETTING_CHOICES.quotaDate[0];
    this.unmappedCode = options.unmappedCode ?? DEFAULT_UNMAPPED_CODE;
  }

  // ── the public API ─────────────────────────────────────────────────────────

  now(): Date {
    return this.options.clock.now();
  }

  onReceipt(listener: (r: OutgoingReceipt) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  onNote(listener: (n: EmulatorNote) => void): () => void {
    this.noteListeners.add(listener);
    return () => void this.noteListeners.delete(listener);
  }

  receipts(after = 0, options?: ReceiptFilter): OutgoingReceipt[] {
    // (a Symbol or a BigInt threw a TypeError where the stores compare it)
    checkArgument(after, 'number', 'receipts', 'after');
    const filter = knownOptions(options, 'receipts', RECEIPT_FILTER_NAMES);
    for (const k of ['orderNo', 'ebpCode'] as const)
      if (filter[k] !== undefined && (typeof filter[k] !== 'string' || filter[k] === ''))
        throw new SandanError('INVALID_OPTION', `receipts: ${k} must be a non-empty string`);
    return this.state.receipts(after, filter);
  }

  receiptsToDeliver(after: number, limit: number): OutgoingReceipt[] {
    checkArgument(after, 'number', 'receiptsToDeliver', 'after');
    checkArgument(limit, 'number', 'receiptsToDeliver', 'limit');
    // (SQLite's LIMIT takes a whole number; a fraction or NaN failed there with its own message)
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new SandanError('INVALID_OPTION', `receiptsToDeliver: limit must be a whole number ≥ 0, got ${limit}`);
    return this.state.receiptsToDeliver(after, limit);
  }

  received(after?: number, limit?: number) {
    if (after !== undefined) checkArgument(after, 'number', 'received', 'after');
    if (limit !== undefined) checkArgument(limit, 'number', 'received', 'limit');
    return this.state.received(after, limit);
  }

  findReceived(name: string) {
    return this.state.receivedByName(name);
  }

  historyStart() {
    return this.state.historyStart();
  }

  scenario(orderNo: string, s: Scenario | null, target: ScenarioTarget = {}): void {
    if (typeof orderNo !== 'string' || orderNo === '')
      throw new SandanError('INVALID_OPTION', 'scenario: orderNo must be a non-empty string');
    const ebpCode = target?.ebpCode;
    if (ebpCode !== undefined && (typeof ebpCode !== 'string' || ebpCode === ''))
      throw new SandanError('INVALID_OPTION', 'scenario: ebpCode must be a non-empty string');
    // A number longer than the XSD allows names an order no message can carry: its scenario would be kept for ever.
    for (const [name, value, max] of [
      ['orderNo', orderNo, ORDER_NO_MAX],
      ['ebpCode', ebpCode, EBP_CODE_MAX],
    ] as const)
      if (value !== undefined && codePointLength(value) > max)
        throw new SandanError(
          'INVALID_OPTION',
          `scenario: ${name} must be at most ${max} characters (the XSD's maxLength), got ${codePointLength(value)}`,
        );
    // null removes it: a rejection scripted for a test must end for the corrected declaration to pass.
    if (s === null) {
      this.state.setScenario(orderNo, ebpCode, null);
      return;
    }
    checkScenario(s, this.now());
    // A waybill names no platform: a platform's scenario could never be told it is about one.
    if (
      ebpCode !== undefined &&
      (('reject' in s && s.reject.at === 'logistics') || ('drop' in s && s.drop.receipt === 'CEB512'))
    )
      throw new SandanError(
        'INVALID_OPTION',
        'scenario: a waybill names no platform; set a scenario of the waybill (reject.at logistics, a drop of CEB512) for the orderNo alone',
      );
    // Each kept until removed: a client that sets one per order and never removes them would grow the state for ever.
    if (!this.state.hasScenario(orderNo, ebpCode) && this.state.scenarioCount() >= this.maxScenarios)
      throw new SandanError(
        'EMULATOR_SCENARIOS_FULL',
        `scenario: ${this.maxScenarios} scenarios are kept already (maxScenarios); remove those no longer needed (a scenario of null) before setting another`,
        { details: { maxScenarios: this.maxScenarios } },
      );
    this.state.setScenario(orderNo, ebpCode, s);
  }

  /** The scenario that applies to a document: its platform's for its order, else its orderNo's. */
  private scenarioOf(d: StoredDoc): Scenario | undefined {
    return d.orderNo === undefined ? undefined : this.state.getScenario(d.orderNo, platformOf(d));
  }

  /**
   * Group commit: a message joins the open batch, which runs after the work in front of it; the
   * messages that arrive meanwhile (while a commit is under way) are handled in the same
   * transaction, each in a savepoint of its own, and each is answered once the commit that holds
   * it is done. Durability is that of one message per commit; throughput is not.
   */
  submit(
    xml: string | Uint8Array,
    via: { transport: 'http' | 'folder' | 'api'; name?: string },
  ): Promise<Acknowledgement> {
    if (this.closed) return Promise.reject(new SandanError('INVALID_OPTION', 'The emulator is closed'));
    if (typeof xml !== 'string' && !(xml instanceof Uint8Array))
      return Promise.reject(
        new SandanError('INVALID_OPTION', `submit: the message must be text or bytes, got ${describeInput(xml)}`),
      );
    return new Promise<Acknowledgement>((resolve, reject) => {
      const item: Submission = { xml, via, resolve, reject };
      if (this.open) {
        this.open.push(item);
        if (this.open.length >= this.maxBatch) this.open = undefined;
        return;
      }
      const batch = [item];
      this.serial(async () => {
        // Requests whose bytes came in while the work in front ran are read now, and join.
        await new Promise<void>((r) => setImmediate(r));
        if (this.open === batch) this.open = undefined;
        this.runBatch(batch);
      }).catch((e: unknown) => {
        // (those already answered keep their answer)
        for (const each of batch) each.reject(e);
      });
      // (after serial(), which closes the batch open before)
      if (this.maxBatch > 1) this.open = batch;
    });
  }

  /** The messages of a batch in one transaction, in the order they came; then the answers and the receipts' listeners. */
  private runBatch(batch: Submission[]): void {
    const done: Array<{ ack: Acknowledgement; pending: Pending }> = [];
    try {
      this.state.transaction(() => {
        for (const { xml, via } of batch) {
          const pending: Pending = { receipts: [] };
          let ack: Acknowledgement;
          try {
            ack = this.state.savepoint(() => this.accept(xml, via, pending));
          } catch (e) {
            // A defect of the emulator itself must not take the transport (or the batch) down:
            // its changes are undone (SQLite) and it is answered as a DXP failure.
            if (this.state.undoes) (pending.receipts.length = 0), (pending.notes = undefined);
            pending.first = undefined;
            ack = this.state.savepoint(() =>
              this.unreadable(xml, via, pending, '3001', `emulator failure: ${messageOf(e)}`, 500),
            );
          }
          done.push({ ack, pending });
        }
      });
    } catch (e) {
      // The commit failed: none of the batch is kept, and each sender learns so.
      for (const item of batch) item.reject(e);
      return;
    }
    for (const [i, { ack, pending }] of done.entries()) {
      this.notify(pending);
      batch[i]?.resolve(ack);
    }
    this.arm();
  }

  advance(by: string | number): Promise<void> {
    const clock = this.options.clock;
    if (clock.kind !== 'manual' || !clock.set)
      return Promise.reject(
        new SandanError(
          'INVALID_OPTION',
          "advance() needs a manual clock: this emulator runs on the real clock. Start it with `sandan emulate --clock manual` (createCustomsEmulator: clock: 'manual'; createEngine: clock: manualClock(start))",
        ),
      );
    let step: ParsedDuration;
    try {
      step = parseDuration(by, 'advance');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.serial(async () => {
      const target = addDuration(clock.now(), step);
      // A step past the end of time would be Invalid Date, which the clock ignores: refused, not a silent no-op.
      if (!(target.getTime() <= LATEST_TIME))
        throw new SandanError(
          'INVALID_OPTION',
          `advance ${JSON.stringify(by)} would move the clock past 9999-12-31 23:59:59 Beijing time, the latest time a CEB message can carry`,
        );
      await this.runDue(target.getTime());
      clock.set?.(target);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.queue.catch(() => {});
    this.state.close();
    await this.ledger.close();
  }

  // ── serialisation and the timeline ─────────────────────────────────────────

  /** Runs one piece of work after every earlier one: steps never interleave. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new SandanError('INVALID_OPTION', 'The emulator is closed'));
    // Messages submitted after this work run after it (a new batch).
    this.open = undefined;
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Runs every event due by `until`, in time order, the clock standing at each event's time. */
  private async runDue(until: number): Promise<void> {
    const clock = this.options.clock;
    for (;;) {
      const next = this.state.nextDue();
      if (!next || next.due > until) return;
      if (clock.kind === 'manual') clock.set?.(new Date(next.due));
      const pending: Pending = { receipts: [] };
      const at = new Date(Math.max(next.due, clock.now().getTime()));
      try {
        await this.runEvent(next.id, next.event, at, pending);
      } catch (e) {
        // An event that fails would fail again: it is dropped rather than stop the timeline, and
        // its document is answered 100 with the DXP layer's 3001, so that nothing waits for ever.
        pending.receipts.length = 0;
        pending.notes = undefined;
        this.failed(next.id, next.event, at, e, pending);
      }
      this.notify(pending);
    }
  }

  /** Starts the timer of a real clock (events that fell due while the emulator was down run first). */
  start(): void {
    this.releaseDropped();
    this.arm();
  }

  /**
   * A state written before an inventory kept its `releaseDue` dropped the release that fell due while its cancel was
   * under way: it stayed at 120 for ever, also once the cancel was refused. Such a release (none pending, none kept)
   * fell due by now: made now when the cancel ended refused, kept as due while it is under way, as a release that falls
   * due meanwhile is.
   */
  private releaseDropped(): void {
    const now = this.now();
    this.state.transaction(() => {
      for (const invt of this.state.releasesDropped()) {
        if (!HELD.has(invt.status)) continue;
        if (this.cancelUnderWay(invt)) {
          invt.releaseDue = now.toISOString();
          this.state.putDoc(invt);
        } else this.later(invt, now.getTime(), 'status', { status: '800' });
      }
    });
  }

  private failed(id: number, ev: TimelineEvent, now: Date, e: unknown, pending: Pending): void {
    const info = returnInfo('3001', `emulator failure: ${messageOf(e)}`);
    // A cancel this failure ends refused: its 100 (3001) is what tells the platform so.
    let cancelEnds = false;
    try {
      this.state.transaction(() => {
        this.state.done(id);
        const d = this.state.getDoc(ev.kind, ev.key);
        if (d && ev.action !== 'tax-bill' && !isRejected(d.status)) {
          cancelEnds = d.kind === 'cancel';
          this.emit(d, '100', info, now, pending);
        }
      });
      return;
    } catch {
      // Its answer could not be written either (the state refused it, or the receipt could not be made). A cancel
      // still ends refused: else it held its inventory for ever, at 120, the release that fell due meanwhile
      // (releaseDue) never made. Other documents keep their last status, as before.
      pending.receipts.length = 0;
      pending.notes = undefined;
      try {
        this.state.transaction(() => {
          this.state.done(id);
          const d = this.state.getDoc(ev.kind, ev.key);
          if (d?.kind === 'cancel' && !isRejected(d.status)) {
            cancelEnds = true;
            d.status = '100';
            this.state.putDoc(d);
            this.cancelRefused(d, now);
          }
        });
      } catch {
        this.state.done(id);
      }
    }
    if (!cancelEnds) return;
    // Its 100 written once more, on its own, now that the cancel has ended: without it the platform's last receipt of
    // the cancel stayed 120 while the inventory's 800 followed. A refusal that lasts leaves it unsent, as before.
    try {
      this.state.transaction(() => {
        const d = this.state.getDoc(ev.kind, ev.key);
        if (d?.kind === 'cancel' && d.status === '100') this.emit(d, '100', info, now, pending, false);
      });
    } catch {
      pending.receipts.length = 0;
    }
  }

  /** With a real clock, a timer wakes the engine when the next event falls due. */
  private arm(): void {
    if (this.closed || this.options.clock.kind !== 'real') return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.state.nextDue();
    if (!next) return;
    const wait = Math.max(0, Math.min(next.due - Date.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.serial(() => this.runDue(this.now().getTime()))
        .catch(() => {})
        .finally(() => this.arm());
    }, wait);
    this.timer.unref?.();
  }

  private notify(pending: Pending): void {
    for (const r of pending.receipts)
      for (const l of this.listeners) {
        try {
          l(r);
        } catch {
          // A listener's failure is its own; the receipt is in the outbox either way.
        }
      }
    for (const n of pending.notes ?? [])
      for (const l of this.noteListeners) {
        try {
          l(n);
        } catch {
          // Likewise: the note is on the received message either way.
        }
      }
  }

  /** Adds a note to the message that brought `d` in (kept there, and told to the note listeners once stored). */
  private noteOn(d: StoredDoc, note: string, now: Date, pending: Pending): void {
    if (d.receivedSeq === undefined) return;
    this.state.noteReceived(d.receivedSeq, note);
    const ebpCode = platformOf(d);
    (pending.notes ??= []).push({
      at: beijingIso(now.getTime()),
      seq: d.receivedSeq,
      ...(d.orderNo !== undefined && { orderNo: d.orderNo }),
      ...(ebpCode !== undefined && { ebpCode }),
      note,
    });
  }

  /**
   * When a step `d` after `from` falls due: at the end of time at the latest. A delay of the settings past it (a
   * `timing.released` of 99999999d, to keep inventories from release) gave past JavaScript's last date NaN, which the
   * SQLite state refused as an emulator failure (the inventory answered 100, 3001) and the memory state ordered anywhere.
   */
  private at(from: Date, d: ParsedDuration): number {
    return dueAfter(from, d);
  }

  // ── reading a message ──────────────────────────────────────────────────────

  /** Lists a message as received: when, by which transport, what it was and what became of it. */
  private listReceived(
    now: Date,
    via: { transport: 'http' | 'folder' | 'api'; name?: string },
    xml: string,
    m: {
      messageType?: string | undefined;
      wrap?: { copMsgId: string } | undefined;
      orderNo?: string | undefined;
      accepted: boolean;
      reason?: string | undefined;
    },
  ): void {
    this.state.addReceived({
      at: beijingIso(now.getTime()),
      transport: via.transport,
      ...(via.name !== undefined && { name: via.name }),
      ...(m.messageType !== undefined && { messageType: m.messageType }),
      ...(m.wrap && { copMsgId: m.wrap.copMsgId }),
      ...(m.orderNo !== undefined && { orderNo: m.orderNo }),
      accepted: m.accepted,
      ...(m.reason !== undefined && { reason: m.reason }),
      xml,
    });
  }

  private accept(
    input: string | Uint8Array,
    via: { transport: 'http' | 'folder' | 'api'; name?: string },
    pending: Pending,
  ): Acknowledgement {
    /** Refuses a message that cannot be read as a CEB message: 0001 (报文格式错误) in a CEB900. */
    const malformed = (desc: string, httpStatus = 400, wrap?: { senderId: string; copMsgId: string }) =>
      this.unreadable(input, via, pending, '0001', desc, httpStatus, wrap);
    // Customs takes UTF-8 only: a message declared GB2312/GBK/GB18030, which sandan reads from old receipt folders,
    // is refused as before (0001 报文格式错误), and never read as UTF-8 text further on.
    const gb = gbDeclared(input);
    if (gb !== undefined)
      return malformed(`the XML declares encoding ${gb}; messages sent to customs are UTF-8 (convert the file first)`);
    let parsed: ParsedXml;
    try {
      parsed = parseCebXml(input);
    } catch (e) {
      const tooLarge = isSandanError(e) && e.code === 'XML_TOO_LARGE';
      return malformed(messageOf(e), tooLarge ? 413 : 400);
    }
    const dxp = parsed.kind === 'dxp' ? parsed : undefined;
    const msg: CebMessage | undefined = parsed.kind === 'dxp' ? parsed.message : parsed;
    const wrap = dxp && { senderId: dxp.transInfo.senderId, copMsgId: dxp.transInfo.copMsgId };
    // The same for the message in a DxpMsg's Data, which the parser decodes as its declaration says.
    const gbInData = dxp?.payload === undefined ? undefined : gbDeclared(dxp.payload);
    if (gbInData !== undefined)
      return malformed(
        `the message in the DxpMsg's Data declares encoding ${gbInData}; messages sent to customs are UTF-8 (convert it before wrapping it)`,
        400,
        wrap,
      );
    if (!msg || (dxp !== undefined && dxp.payload === undefined)) {
      // Why, when the reader said (Data not base64, not UTF-8 text, another DxpMsg): the sender's fix depends on it.
      const why = dxp?.issues[0];
      const desc = `the DxpMsg carries no CEB message${why ? `: ${why.message.en}` : ''}`;
      return malformed(desc, 400, wrap);
    }
    /** Refuses the message read as a whole, in a CEB900 that names its type and holds the CEB message it carried. */
    const refuse = (code: string, desc: string, httpStatus: number) =>
      this.unreadable(input, via, pending, code, desc, httpStatus, wrap, msg.messageType, dxp?.payload);
    const structure = [...(dxp?.issues ?? []), ...msg.issues].filter(refusedByFormatCheck);
    if (structure.length > 0) {
      const first = structure[0] as Issue;
      return refuse('0002', `${codeText('0002')}：${first.path} ${first.message.zh}`, 400);
    }
    // A DxpMsg addressed to another node (the export system's DXPEDCCEB0000003, say) never reaches this one: the
    // transport's 2001 (指定的接收方不存在, the catalogue's fix naming the import and export receivers).
    const node = this.options.customsDxpId ?? DEFAULT_CUSTOMS_DXP_ID;
    if (dxp && !dxp.transInfo.receiverIds.includes(node))
      return refuse(
        '2001',
        `${codeText('2001')}：ReceiverId ${dxp.transInfo.receiverIds.join(', ')}; this node is ${node}`,
        200,
      );
    const handled = HANDLED[msg.messageType];
    if (!handled)
      return refuse(
        '0001',
        `the emulator does not take ${msg.messageType} (it takes ${Object.keys(HANDLED).join(', ')})`,
        400,
      );
    const now = this.now();
    // A message holds 1 to 100 documents (the XSD), each declared on its own: each is taken and
    // answered in receipts of its own, none left out.
    const docs = (msg.documents.length > 0 ? msg.documents : [{}]).map(
      (d) => toJsonValue(d) as Record<string, unknown>,
    );
    // No source says how customs answers a delete, nor what it may delete: refused as something the
    // emulator does not take, rather than taken as a change (which would declare the document again).
    if (docs.some((d) => str(d.appType) === '3'))
      return refuse('0001', 'the emulator does not take deletions (appType 3); cancel an inventory with a CEB623', 400);
    const orderNo = str(docs[0]?.orderNo);
    const text = dxp
      ? (dxp.payload as string)
      : typeof input === 'string'
        ? input
        : Buffer.from(input).toString('utf8');

    // The signature, where the XSD makes it mandatory or where there is one: it covers the whole
    // message, so every document of it is refused with it.
    const required =
      this.requireSignature &&
      (BUILDABLE as Record<string, { signatureRequired: boolean }>)[msg.messageType]?.signatureRequired;
    if (required || msg.signature) {
      // Customs checks the certificate's dates on arrival (the transport's 1002, 数字签名过期): on the emulator's clock.
      const v = verifyMessage(text, {
        trustedCertificates: this.trust,
        diagnose: false,
        ...(this.options.certificateDates !== 'ignore' && { at: now }),
      });
      const reason: VerifyFailureReason | undefined = !v.valid
        ? v.reason
        : v.trusted
          ? undefined
          : 'certificate-untrusted';
      if (reason) {
        const code = signatureCode(msg.messageType, reason);
        // A DXP security code (1001, 1004): the message stops at the transport and never reaches customs, so
        // it is answered with a CEB900, not with a customs 100 on each document.
        if (!code.startsWith('-')) return refuse(code, codeText(code), 200);
        return this.state.transaction(() => {
          this.listReceived(now, via, textOf(input), {
            messageType: msg.messageType,
            wrap,
            orderNo,
            accepted: false,
            reason: `signature: ${reason}`,
          });
          for (const doc of docs) {
            const stored = this.newDoc(handled, doc, msg.messageType, wrap, now);
            this.identify(stored, now);
            const r = rejection(code, codeText(code));
            this.emit(stored, r.status, r.info, now, pending, false);
          }
          return {
            accepted: false,
            httpStatus: 200,
            body: pending.first ?? '',
            messageType: msg.messageType,
            ...(wrap && { copMsgId: wrap.copMsgId }),
            reason: `signature: ${reason}`,
          };
        });
      }
    }
    return this.state.transaction(() => {
      // An inventory remembers the message it came in, where a tax bill it cannot be sent is noted (runEvent).
      const receivedSeq = handled === 'inventory' ? this.state.nextReceivedSeq() : undefined;
      // (in the message's order: a document may be a duplicate of one before it in the same message)
      const refusals = docs.map((doc) => {
        const stored = this.newDoc(handled, doc, msg.messageType, wrap, now);
        if (receivedSeq !== undefined) stored.receivedSeq = receivedSeq;
        const refused = this.take(stored, now, pending);
        return refused === undefined || docs.length === 1 ? refused : `${stored.key}: ${refused}`;
      });
      const refused = refusals.filter((r) => r !== undefined);
      // Taken when any of its documents was; the others' refusals are in their receipts and here.
      const accepted = refused.length < docs.length;
      const reason = refused.length > 0 ? refused.join('; ') : undefined;
      this.listReceived(now, via, textOf(input), { messageType: msg.messageType, wrap, orderNo, accepted, reason });
      return {
        accepted,
        ...(reason !== undefined && { reason }),
        httpStatus: 200,
        body: pending.first ?? '',
        messageType: msg.messageType,
        ...(wrap && { copMsgId: wrap.copMsgId }),
      };
    });
  }

  /** A message the emulator cannot read: a CEB900 (returnStatus below 0) in the answer and the outbox. */
  private unreadable(
    input: string | Uint8Array,
    via: { transport: 'http' | 'folder' | 'api'; name?: string },
    pending: Pending,
    code: string,
    desc: string,
    httpStatus: number,
    wrap?: { senderId: string; copMsgId: string },
    messageType?: string,
    business?: string,
  ): Acknowledgement {
    const now = this.now();
    const xmlText =
      typeof input === 'string'
        ? input
        : Buffer.from(input.subarray(0, Math.min(input.byteLength, ORIGINAL_LIMIT))).toString('utf8');
    return this.state.transaction(() => {
      this.listReceived(now, via, xmlText.length > ORIGINAL_LIMIT ? xmlText.slice(0, ORIGINAL_LIMIT) : xmlText, {
        messageType,
        wrap,
        accepted: false,
        reason: `${code}: ${desc}`,
      });
      const guid = this.guid();
      const info = returnInfo(code, desc.slice(0, 4900));
      const doc: ReceiptDoc = {
        guid,
        returnStatus: '-1',
        returnInfo: info,
        returnTime: beijingDateTime17(now),
        oriCopMsgId: wrap?.copMsgId ?? '',
        oriMessageType: messageType ? `${messageType}Message` : 'Unknown',
        // The message refused, as the specification has it (原始报文内容): the CEB message a DxpMsg carried, else the input.
        oriBizMessage: originalText(business ?? xmlText),
      };
      let xml = renderReceipt('CEB900', doc, guid, this.env(now));
      if (wrap) xml = this.wrap(xml, wrap.senderId, now);
      const r = this.state.addReceipt({
        type: 'CEB900',
        returnStatus: '-1',
        returnInfo: info,
        xml,
        at: beijingIso(now.getTime()),
        guid,
      });
      pending.receipts.push(r);
      return {
        accepted: false,
        httpStatus,
        body: xml,
        ...(messageType !== undefined && { messageType }),
        ...(wrap && { copMsgId: wrap.copMsgId }),
        reason: `${code}: ${desc}`,
      };
    });
  }

  private env(now: Date): { now(): Date; newId(): string } {
    return { now: () => now, newId: () => this.guid() };
  }

  private guid(): string {
    return this.newId().toUpperCase();
  }

  private wrap(xml: string, receiver: string, now: Date): string {
    // A SenderId the XSD refuses (over 16 characters) is what the 0002 wrapped here answers: it goes to the default
    // receiver, as when there is none, rather than failing the refusal itself (3001 emulator failure, HTTP 500).
    const to = receiver.length <= 16 && receiver;
    return wrapDxp(xml, {
      senderId: this.options.customsDxpId ?? DEFAULT_CUSTOMS_DXP_ID,
      receiverIds: [to || this.options.enterpriseDxpId || DEFAULT_ENTERPRISE_DXP_ID],
      now: () => now,
      newId: () => this.guid(),
    });
  }

  // ── documents ──────────────────────────────────────────────────────────────

  private keyOf(kind: DocKind, doc: Record<string, unknown>): string {
    switch (kind) {
      case 'logistics':
        return `${str(doc.logisticsCode) ?? ''}|${str(doc.logisticsNo) ?? ''}`;
      case 'cancel':
      case 'refund':
      case 'delivery':
        return str(doc.guid) ?? this.guid();
      default:
        return `${str(doc.ebpCode) ?? ''}|${str(doc.orderNo) ?? ''}`;
    }
  }

  private newDoc(
    kind: DocKind,
    doc: Record<string, unknown>,
    messageType: string,
    wrap: { senderId: string; copMsgId: string } | undefined,
    now: Date,
  ): StoredDoc {
    return {
      kind,
      key: this.keyOf(kind, doc),
      orderNo: str(doc.orderNo),
      invtNo: str(doc.invtNo),
      copNo: str(doc.copNo),
      doc,
      messageType,
      status: '',
      dxp: wrap,
      at: beijingIso(now.getTime()),
    };
  }

  /** Answers an E-Port refusal with `code` (the document is not kept) and returns it as `code: text`. */
  private refusedAtPort(stored: StoredDoc, code: string, now: Date, pending: Pending, desc = codeText(code)): string {
    this.emit(stored, code, desc, now, pending, false);
    return `${code}: ${desc}`;
  }

  /** Takes an accepted document: keeps it, answers 2 (or a rejection) and schedules what follows. */
  private take(stored: StoredDoc, now: Date, pending: Pending): string | undefined {
    const s = this.state;
    switch (stored.kind) {
      case 'order':
      case 'payment':
      case 'logistics':
      case 'inventory': {
        const before = s.getDoc(stored.kind, stored.key);
        const appType = str(stored.doc.appType) ?? '1';
        if (before === undefined && appType === '2') {
          // A change of a document nobody declared: the E-Port finds nothing to change.
          return this.refusedAtPort(stored, KINDS[stored.kind].nothingToChange as string, now, pending);
        }
        if (before) stored.version = (before.version ?? 0) + 1;
        // The reservation of the declaration it replaces, given back when this one is checked.
        if (before && stored.kind === 'inventory') stored.quotaKey = before.quotaKey ?? before.orderNo;
        const same =
          before !== undefined &&
          !isRejected(before.status) &&
          before.status !== 'cancelled' &&
          before.status !== TEMP_SAVED;
        // An inventory declared anew is numbered by customs (invtNo, 海关审结标识: customs code, year, I, serial,
        // given with its 120): a number the declaration carries is not customs' number.
        if (!same && stored.kind === 'inventory') stored.invtNo = undefined;
        // The numbers customs gave the order's earlier inventories (kept by customs: a cancel naming one finds it).
        if (before && stored.kind === 'inventory') {
          const former = [...(before.formerInvtNos ?? []), ...(!same && before.invtNo ? [before.invtNo] : [])];
          stored.formerInvtNos = former.length > 0 ? former : undefined;
        }
        if (same) {
          // The same declaration: its numbers stay (a rejected or cancelled one is declared anew).
          stored.preNo = before.preNo;
          stored.invtNo = before.invtNo;
          const released = before.status === '800' || before.status === '399';
          const invt = stored.kind === 'inventory' ? before : this.inventoryOf(stored);
          // A document whose inventory customs holds (taken in and not released): a change would leave that
          // inventory to be released on the document as it was, or change it under customs' review. An order's
          // is refused (-301011, 该订单已向海关申报清单); a payment's, waybill's or the inventory's own by
          // default (-401008, -504016, -621012).
          const held =
            invt !== undefined &&
            HELD.has(invt.status) &&
            (stored.kind === 'order' || this.options.heldDocumentChange !== 'take');
          // The inventory's own change while its cancel is under way, whatever heldDocumentChange says: taken, it
          // was a new version the cancel no longer held, released while the cancel ran and then cancelled (an 800,
          // its quota committed, and a 399 after it).
          const cancelling = stored.kind === 'inventory' && this.cancelUnderWay(before);
          if (appType === '1' || released || (invt !== undefined && invt.status === '800') || held || cancelling) {
            // A second new document under a key in use, or a change its state does not allow (after release, or
            // held): an E-Port code, never a customs 100 on an inventory already final.
            const code = (appType === '1' ? KINDS[stored.kind].duplicate : KINDS[stored.kind].changeRefused) as string;
            return this.refusedAtPort(stored, code, now, pending);
          }
          if (tempSaved(stored)) {
            // A change kept as a draft at the E-Port: the declaration customs has stands until one is declared.
            this.emit(stored, TEMP_SAVED, statusText(TEMP_SAVED), now, pending, false);
            return;
          }
          // A change (appType 2) replaces the document and starts again (its old events no longer apply).
        }
        // A draft declared now keeps the pre-entry number the E-Port gave it.
        if (before?.status === TEMP_SAVED) stored.preNo = before.preNo;
        const intake = stored.kind === 'inventory' && !tempSaved(stored) ? this.intakeRefusal(stored) : undefined;
        if (intake !== undefined) {
          // Refused by the E-Port before it reaches customs: not kept (a change leaves the declaration it would
          // have replaced as it was), answered with the code instead of 2.
          return this.refusedAtPort(stored, intake.code, now, pending, intake.desc);
        }
        if (stored.kind === 'inventory') stored.waiting = false;
        this.identify(stored, now);
        s.putDoc(stored);
        if (tempSaved(stored)) this.statusNow(stored, TEMP_SAVED, statusText(TEMP_SAVED), now, pending);
        else this.declared(stored, now, pending);
        return;
      }
      case 'cancel':
      case 'refund': {
        const invt = this.identify(stored, now);
        if (this.heldAgain(stored)) {
          // The same cancel or return declared again: the E-Port's codes for it (spec table 7-2); it is not applied twice.
          return this.refusedAtPort(stored, KINDS[stored.kind].again as string, now, pending);
        }
        if (tempSaved(stored)) {
          // Saved, not declared: nothing is checked or applied for until it is declared.
          this.statusNow(stored, TEMP_SAVED, statusText(TEMP_SAVED), now, pending);
          return;
        }
        const refusal =
          stored.kind === 'cancel' ? this.cancelRefusal(stored, invt) : this.refundRefusal(stored, invt, now);
        if (refusal?.status.startsWith('-')) {
          // The E-Port's own refusal: at once, the application never reaches customs.
          s.putDoc(stored);
          this.emit(stored, refusal.status, refusal.info, now, pending);
          return `${refusal.status}: ${refusal.info}`;
        }
        if (refusal) {
          // Customs' refusal (100) is customs' answer: the E-Port takes the application in (2) and sends it on (3),
          // and the 100 comes where its 120 would have. Decided now, against the state it was applied for in; it
          // never counts as a return in force nor holds the inventory as a cancel under way.
          stored.refusal = refusal;
          s.putDoc(stored);
          this.declared(stored, now, pending);
          return;
        }
        s.putDoc(stored);
        if (stored.kind === 'cancel' && invt) {
          // Applied for: the inventory is not released while its cancel is under way.
          invt.cancelling = stored.key;
          s.putDoc(invt);
        }
        this.declared(stored, now, pending);
        return;
      }
      case 'delivery': {
        const held = this.heldAgain(stored);
        if (held) {
          stored.preNo = held.preNo;
          return this.refusedAtPort(stored, KINDS.delivery.again as string, now, pending);
        }
        s.putDoc(stored);
        if (tempSaved(stored)) this.statusNow(stored, TEMP_SAVED, statusText(TEMP_SAVED), now, pending);
        else this.declared(stored, now, pending);
        return;
      }
    }
  }

  /**
   * A cancel, return or delivery note (kept by its guid) sent again while the first is held — not
   * rejected, not a draft: the one held, which the resend must not replace (its sequence is under
   * way or done).
   */
  private heldAgain(d: StoredDoc): StoredDoc | undefined {
    const held = this.state.getDoc(d.kind, d.key);
    return held !== undefined && !isRejected(held.status) && held.status !== TEMP_SAVED ? held : undefined;
  }

  /**
   * The E-Port's intake check of an inventory on its own ({@link INTAKE_CODES}): the first such error
   * the rules find in it, with the catalogue's text, or undefined.
   */
  private intakeRefusal(invt: StoredDoc): { code: string; desc: string } | undefined {
    this.intakeValidator ??= createValidator(this.validateOptions);
    // (quota.date appTime: the policy of the inventory's appTime, as the check of the four documents takes the order's)
    const day = this.quotaDate === 'appTime' ? isoDateOfCeb(invt.doc.appTime) : undefined;
    const issue = this.intakeValidator({ inventory: invt.doc }, day).issues.find(
      (i) => i.severity === 'error' && INTAKE_CODES.has(i.code),
    );
    return issue && this.verdictOf(issue);
  }

  /**
   * Gives an inventory its E-Port pre-entry number (B + date + 9 digits); a cancel or refund takes
   * the numbers of the inventory it refers to, which it returns.
   */
  private identify(d: StoredDoc, now: Date): StoredDoc | undefined {
    const preNo = () => {
      const day = beijingDate8(now);
      return `B${day}${String(this.state.nextSerial(`preNo:${day}`)).padStart(9, '0')}`;
    };
    if (d.kind === 'inventory') {
      d.preNo ??= preNo();
      return d;
    }
    if (d.kind !== 'cancel' && d.kind !== 'refund') return undefined;
    const invt = this.inventoryOf(d);
    if (invt) {
      d.invtNo = invt.invtNo;
      d.preNo = invt.preNo;
      d.orderNo = invt.orderNo;
      d.copNo ??= invt.copNo;
    }
    // (one for an inventory nobody declared too: E-Port numbers every declaration it takes in)
    d.preNo ??= preNo();
    return invt;
  }

  /**
   * The inventory a cancel, refund or other document refers to: by invtNo, else by ebpCode and
   * orderNo; a waybill's, by its logisticsCode and logisticsNo (it names no platform, and an orderNo
   * is unique only within one).
   */
  private inventoryOf(d: StoredDoc): StoredDoc | undefined {
    const invtNo = str(d.doc.invtNo);
    if (invtNo !== undefined) {
      const found = this.state.findDocs('inventory', { invtNo });
      if (found.length > 0) return found[0];
      if (d.kind === 'cancel' || d.kind === 'refund') return undefined;
    }
    const ebp = str(d.doc.ebpCode);
    const orderNo = str(d.doc.orderNo);
    if (orderNo === undefined) return undefined;
    if (d.kind === 'logistics')
      return this.state
        .findDocs('inventory', { orderNo })
        .find(
          (i) =>
            str(i.doc.logisticsCode) === str(d.doc.logisticsCode) && str(i.doc.logisticsNo) === str(d.doc.logisticsNo),
        );
    if (ebp !== undefined) return this.state.getDoc('inventory', `${ebp}|${orderNo}`);
    return this.state.findDocs('inventory', { orderNo })[0];
  }

  /**
   * The E-Port's check of a cancel: its invtNo is an inventory customs holds and has not released (the catalogue: after
   * release, a return). An invtNo the order's inventory had before it was declared anew (after a cancel) is an
   * inventory customs keeps, cancelled: its state allows no cancel (-623005), it is not unknown (-623003).
   */
  private cancelRefusal(cancel: StoredDoc, invt: StoredDoc | undefined): { status: string; info: string } | undefined {
    if (!invt && this.formerInventory(cancel)) return { status: '-623005', info: codeText('-623005') };
    if (!invt || invt.invtNo === undefined) return { status: '-623003', info: codeText('-623003') };
    const other = otherInventory(cancel, invt);
    if (other) return other;
    if (!HELD.has(invt.status) || this.cancelUnderWay(invt)) return { status: '-623005', info: codeText('-623005') };
    return undefined;
  }

  /**
   * The inventory of the order a cancel or return names (ebpCode and orderNo) when its invtNo is one that inventory had
   * before it was declared anew: customs' record of that number stays, cancelled (or refused), under the new one.
   */
  private formerInventory(d: StoredDoc): StoredDoc | undefined {
    const invtNo = str(d.doc.invtNo);
    const invt = this.state.getDoc('inventory', this.keyOf('inventory', d.doc));
    return invtNo !== undefined && invt?.formerInvtNos?.includes(invtNo) ? invt : undefined;
  }

  /**
   * The inventory's cancel is under way: applied for and not refused. One that ended refused (an emulator failure
   * answers it 100, 3001) no longer holds the inventory, which goes on to its release and may be cancelled again.
   */
  private cancelUnderWay(invt: StoredDoc): boolean {
    if (invt.cancelling === undefined) return false;
    const cancel = this.state.getDoc('cancel', invt.cancelling);
    return cancel !== undefined && !isRejected(cancel.status);
  }

  /**
   * A cancel under way ended refused (customs' 100, or the emulator's failure answering it 100, 3001): its
   * inventory's release, if it fell due meanwhile, is due now (at once, not when it would have been).
   */
  private cancelRefused(cancel: StoredDoc, now: Date): void {
    const invt = this.inventoryOf(cancel);
    if (invt?.cancelling !== cancel.key || invt.releaseDue === undefined) return;
    const due = Math.max(Date.parse(invt.releaseDue), now.getTime());
    invt.releaseDue = undefined;
    this.state.putDoc(invt);
    this.later(invt, due, 'status', { status: '800' });
  }

  /** A return is for a released inventory, within the return window of its release, of lines it had. */
  private refundRefusal(
    refund: StoredDoc,
    invt: StoredDoc | undefined,
    now: Date,
  ): { status: string; info: string } | undefined {
    if (!invt && this.formerInventory(refund))
      return manualRefusal('清单已撤销，不能退货 / the inventory was cancelled, it is not released');
    if (!invt || invt.invtNo === undefined) return manualRefusal('清单编号不存在 / invtNo not found');
    const other = otherInventory(refund, invt);
    if (other) return other;
    if (invt.status !== '800' || invt.releasedAt === undefined)
      return manualRefusal(`清单未放行，不能退货 / the inventory is not released (status ${invt.status})`);
    const original = new Map(lines(invt.doc).map((l) => [Number(l.gnum), l]));
    // What the inventory's other returns (in force: not refused, not drafts) took back already, line by line
    // (kept on the inventory): all the returns of a line together cannot exceed what was declared.
    const returned = new Map<number, Decimal>(
      Object.entries(this.returnedOf(invt, refund).inForce).map(([gnum, qty]) => [Number(gnum), new Decimal(qty)]),
    );
    const count = (l: Record<string, unknown>) =>
      returned.set(Number(l.gnum), (returned.get(Number(l.gnum)) ?? new Decimal(0)).plus(String(l.qty ?? 0)));
    for (const l of lines(refund.doc)) {
      const o = original.get(Number(l.gnum));
      // The line returned is the line declared: its gnum, commodity code and unit (gname is not kept
      // once the order is final; an inventory compacted before gcode and unit were kept is not compared).
      const differs = (f: 'gcode' | 'unit') => o?.[f] !== undefined && str(l[f]) !== str(o[f]);
      if (!o || differs('gcode') || differs('unit')) return { status: '-625209', info: codeText('-625209') };
      // (the XSD's decimal takes -5: such a line was approved, and let a later return take back more than declared)
      if (!new Decimal(String(l.qty ?? 0)).gt(0))
        return manualRefusal(
          `退货数量须大于0（项号 ${String(l.gnum)}，申报 ${String(l.qty ?? '')}）/ the quantity returned on line ${String(l.gnum)} must be above 0, got ${String(l.qty ?? '')}`,
        );
      const before = returned.get(Number(l.gnum)) ?? new Decimal(0);
      count(l);
      if ((returned.get(Number(l.gnum)) as Decimal).gt(new Decimal(String(o.qty ?? 0))))
        return manualRefusal(
          `退货数量超过原清单数量（项号 ${String(l.gnum)}，已退 ${before.toFixed()}）/ more returned than declared on line ${String(l.gnum)} (${before.toFixed()} returned before)`,
        );
    }
    const released = new Date(invt.releasedAt);
    const window = this.policy(beijingIsoDate(released)).returnWindow;
    const appliedAt = now;
    if (window) {
      const check = checkReturnWindow(released, window, appliedAt);
      if (!check.within)
        return manualRefusal(
          `超过退货申请期限（放行后${window.applyDays}日，截至 ${beijingIsoDate(check.applyBy)}）/ applied for after the return window (${window.applyDays} days from release)`,
        );
    }
    return undefined;
  }

  /**
   * What the returns of an inventory took back so far, line by line, leaving out return `but` (what it counts by its
   * status now): kept on the inventory; in a state written before it was kept, worked out from its returns.
   */
  private returnedOf(invt: StoredDoc, but: StoredDoc): ReturnedQty {
    const out: ReturnedQty = { inForce: {} };
    if (invt.returned) {
      Object.assign(out.inForce, invt.returned.inForce);
      addReturned(out, but, but.status, -1);
    } else
      for (const r of this.state.findDocs('refund', { invtNo: invt.invtNo ?? '' }))
        if (r.key !== but.key) addReturned(out, r, r.status, 1);
    return out;
  }

  /**
   * A return's status changes to `to`: its inventory's totals take it in as it enters force, and
   * leave it out once it is refused (a scenario's rejection, an emulator failure), in the same step.
   */
  private returnMoves(d: StoredDoc, to: string): void {
    if (d.kind !== 'refund' || d.refusal) return;
    if (returnInForce(d.status) === returnInForce(to)) return;
    const invt = this.inventoryOf(d);
    // (the returns the totals count are those under the inventory's invtNo, as a return finds its inventory)
    if (!invt || invt.invtNo === undefined || d.invtNo !== invt.invtNo) return;
    const totals = this.returnedOf(invt, d);
    addReturned(totals, d, to, 1);
    invt.returned = totals;
    this.state.putDoc(invt);
  }

  // ── receipts ───────────────────────────────────────────────────────────────

  /** Receipt 2 at once, as the acknowledgement, and 3 (发送海关成功) after `timing.sent`. */
  private declared(d: StoredDoc, now: Date, pending: Pending): void {
    this.statusNow(d, '2', declaredText(d), now, pending);
    this.later(d, this.at(now, this.timing.sent), 'status', { status: '3' });
  }

  /** Schedules `action` on the document at its version now (an event for an older version is passed over). */
  private later(d: StoredDoc, due: number, action: TimelineEvent['action'], more?: Partial<TimelineEvent>): void {
    this.state.schedule(due, { action, kind: d.kind, key: d.key, v: d.version ?? 0, ...more });
  }

  private statusNow(d: StoredDoc, status: string, info: string, now: Date, pending: Pending): void {
    this.returnMoves(d, status);
    d.status = status;
    this.state.putDoc(d);
    this.emit(d, status, info, now, pending, false);
  }

  /** Writes one receipt of a document into the outbox (unless the scenario drops it). */
  private emit(d: StoredDoc, status: string, info: string, now: Date, pending: Pending, record = true): void {
    if (record && d.status !== status) {
      this.returnMoves(d, status);
      const ended = d.kind === 'cancel' && isRejected(status) && !isRejected(d.status);
      d.status = status;
      this.state.putDoc(d);
      if (ended) this.cancelRefused(d, now);
    }
    const type = KINDS[d.kind].receipt;
    const scenario = this.scenarioOf(d);
    if (scenario && 'drop' in scenario && scenario.drop.receipt === type && (scenario.drop.status ?? status) === status)
      return;
    const guid = this.guid();
    const r = this.deliver(d, type, this.receiptDoc(d, status, info, now), guid, now, pending, status, info);
    pending.first ??= r.xml;
  }

  /**
   * Writes a receipt about document `d` into the outbox: back in a DxpMsg when `d` came in one, listed under `d`'s
   * order, platform and invtNo (a tax bill names no platform itself; its inventory does).
   */
  private deliver(
    d: StoredDoc,
    type: EmulatorReceiptType,
    doc: ReceiptDoc,
    guid: string,
    now: Date,
    pending: Pending,
    returnStatus?: string,
    returnInfo?: string,
  ): OutgoingReceipt {
    let xml = renderReceipt(type, doc, guid, this.env(now));
    if (d.dxp) xml = this.wrap(xml, d.dxp.senderId, now);
    const ebpCode = platformOf(d);
    const r = this.state.addReceipt({
      type,
      ...(d.orderNo !== undefined && { orderNo: d.orderNo }),
      ...(ebpCode !== undefined && { ebpCode }),
      ...(d.invtNo !== undefined && { invtNo: d.invtNo }),
      ...(returnStatus !== undefined && { returnStatus }),
      ...(returnInfo !== undefined && { returnInfo }),
      xml,
      at: beijingIso(now.getTime()),
      guid,
    });
    pending.receipts.push(r);
    return r;
  }

  private receiptDoc(d: StoredDoc, status: string, info: string, now: Date): ReceiptDoc {
    const x = d.doc;
    const base = {
      guid: str(x.guid) ?? this.guid(),
      returnStatus: status,
      returnTime: beijingDateTime17(now),
      returnInfo: info,
    };
    switch (d.kind) {
      case 'order':
        return { ...base, ebpCode: x.ebpCode, ebcCode: x.ebcCode, orderNo: x.orderNo };
      case 'payment':
        return { ...base, payCode: x.payCode, payTransactionId: x.payTransactionId };
      case 'logistics':
        return { ...base, logisticsCode: x.logisticsCode, logisticsNo: x.logisticsNo };
      case 'delivery':
        return { ...base, customsCode: x.customsCode, operatorCode: x.operatorCode, copNo: x.copNo, preNo: d.preNo };
      default:
        return {
          ...base,
          customsCode: x.customsCode,
          ebpCode: x.ebpCode,
          ebcCode: x.ebcCode,
          agentCode: x.agentCode,
          copNo: d.copNo ?? x.copNo ?? '',
          preNo: d.preNo ?? '',
          invtNo: d.invtNo,
        };
    }
  }

  // ── the timeline's events ──────────────────────────────────────────────────

  private async runEvent(id: number, ev: TimelineEvent, now: Date, pending: Pending): Promise<void> {
    const s = this.state;
    const d = s.getDoc(ev.kind, ev.key);
    if (!d) {
      s.done(id);
      return;
    }
    if (ev.action === 'tax-bill') {
      const found = d.status === '800' ? this.documentsOf(d) : undefined;
      const docs =
        found && !found.order.compact && !found.payment.compact && !found.logistics.compact ? found : undefined;
      const tax = docs && this.tax(this.declarationOf(d, docs));
      s.transaction(() => {
        s.done(id);
        // A computation that left lines out (no rate for them) would bill only the others: no bill rather than a
        // wrong one (validation warned of the missing rate; the rate table is the user's to give), said on the
        // message that declared the inventory (received(), /admin/received) rather than left to be wondered at.
        if (tax?.ok && tax.result.complete) this.emitBill(d, tax.result, now, pending);
        else if (tax) this.noteOn(d, noBillNote(d, tax), now, pending);
        if (docs) this.compact(d, docs);
      });
      return;
    }
    if (ev.action === 'check') {
      if (
        d.kind !== 'inventory' ||
        !d.waiting ||
        d.status !== '3' ||
        (ev.v !== undefined && ev.v !== (d.version ?? 0))
      ) {
        s.done(id);
        return;
      }
      return this.checkInventory(id, d, now, pending);
    }
    // A document already rejected, cancelled or concluded gets no more of its old sequence.
    const status = ev.status as string;
    // An event of a document since replaced (appType 2) is not the new one's.
    if (ev.v !== undefined && ev.v !== (d.version ?? 0)) {
      s.done(id);
      return;
    }
    if (isRejected(d.status) || d.status === 'cancelled') {
      s.done(id);
      return;
    }
    if (status === '800' && d.cancelling !== undefined) {
      if (this.cancelUnderWay(d)) {
        // Not released while its cancel is under way, but kept as due rather than dropped: a cancel that ends refused
        // leaves the inventory to be released then (it stayed at 120 for ever), one approved cancels it. Not asked
        // again later either: with a timing.concluded of 0, or at the end of time, that event fell due at the same
        // instant over and over and advance() never returned.
        s.transaction(() => {
          s.done(id);
          d.releaseDue = now.toISOString();
          s.putDoc(d);
        });
        return;
      }
      d.cancelling = undefined;
      d.releaseDue = undefined;
    }
    // Effects on the quota come first (each is idempotent), then the step is written whole.
    if (d.kind === 'inventory' && status === '800') await this.ledger.commit(quotaKeyOf(d), { now });
    if ((d.kind === 'cancel' || d.kind === 'refund') && status === '399') {
      const invt = this.inventoryOf(d);
      if (invt?.orderNo !== undefined) {
        if (d.kind === 'cancel') await this.ledger.release(quotaKeyOf(invt), { now, reason: 'cancelled' });
        else await this.refundQuota(d, invt, now);
      }
    }
    s.transaction(() => {
      s.done(id);
      const scenario = this.scenarioOf(d);
      switch (status) {
        case '3':
          this.emit(d, '3', statusText('3'), now, pending);
          if (d.kind === 'inventory') {
            d.waiting = true;
            s.putDoc(d);
            this.later(d, this.at(now, this.timing.entered), 'check');
          } else {
            const reject =
              scenario && 'reject' in scenario && scenario.reject.at === d.kind ? scenario.reject : undefined;
            this.later(d, this.at(now, this.timing.entered), 'status', {
              status: reject ? '100' : '120',
              ...(reject && { code: reject.code, ...(reject.desc !== undefined && { desc: reject.desc }) }),
            });
          }
          return;
        case '100': {
          const r = rejection(ev.code ?? '1300', ev.desc ?? codeText(ev.code ?? '1300'));
          this.emit(d, r.status, r.info, now, pending);
          return;
        }
        case '120': {
          if (d.refusal) {
            // A cancel or return customs refuses: its 100 in place of the 120.
            this.emit(d, d.refusal.status, d.refusal.info, now, pending);
            return;
          }
          this.emit(d, '120', returnInfo('1800', codeText('1800')), now, pending);
          if (d.kind === 'cancel' || d.kind === 'refund')
            this.later(d, this.at(now, this.timing.concluded), 'status', { status: '399' });
          if (d.kind === 'order' || d.kind === 'payment' || d.kind === 'logistics') this.wake(d, now);
          return;
        }
        case '500':
        case '600':
          this.emit(d, status, statusText(status), now, pending);
          return;
        case '800':
          d.releasedAt = now.toISOString();
          this.emit(d, '800', returnInfo('2600', codeText('2600')), now, pending);
          s.putDoc(d);
          this.later(d, this.at(now, this.timing.taxBill), 'tax-bill');
          return;
        case '399': {
          this.emit(d, '399', returnInfo('2300', codeText('2300')), now, pending);
          const invt = this.inventoryOf(d);
          if (d.kind === 'cancel' && invt) {
            invt.status = 'cancelled';
            invt.waiting = false;
            invt.cancelling = undefined;
            invt.releaseDue = undefined;
            s.putDoc(invt);
          }
          return;
        }
      }
    });
  }

  /**
   * A document reached 120: inventories waiting for it are checked now. Every waiting inventory of
   * the orderNo is woken, of any platform: a check is cheap, one whose documents are not all in
   * keeps waiting, and a payment of another ebpCode may be the one an inventory takes (documentsOf).
   */
  private wake(d: StoredDoc, now: Date): void {
    const orderNo = str(d.doc.orderNo);
    if (orderNo === undefined) return;
    for (const invt of this.state.findDocs('inventory', { orderNo })) {
      if (!invt.waiting) continue;
      this.later(invt, now.getTime(), 'check');
    }
  }

  /** The order, payment and waybill of an inventory, once each is in (120). */
  private documentsOf(invt: StoredDoc): { order: StoredDoc; payment: StoredDoc; logistics: StoredDoc } | undefined {
    const x = invt.doc;
    const key = this.keyOf('order', x);
    const order = this.state.getDoc('order', key);
    // A payment declared under another ebpCode (the payment company's slip) is still found by its
    // orderNo, so that the rules name the ebpCode that differs instead of the inventory waiting for
    // ever; but only one no order of its own platform claims: another platform's payment of the
    // same orderNo belongs to that platform's order (an orderNo is unique only within a platform).
    const payment =
      this.state.getDoc('payment', key) ??
      this.state
        .findDocs('payment', { orderNo: str(x.orderNo) ?? '' })
        .find((p) => p.status === '120' && this.state.getDoc('order', p.key) === undefined);
    const logistics = this.state.getDoc('logistics', this.keyOf('logistics', x));
    if (order?.status !== '120' || payment?.status !== '120' || logistics?.status !== '120') return undefined;
    return { order, payment, logistics };
  }

  private declarationOf(invt: StoredDoc, docs: { order: StoredDoc; payment: StoredDoc; logistics: StoredDoc }) {
    return { order: docs.order.doc, payment: docs.payment.doc, logistics: docs.logistics.doc, inventory: invt.doc };
  }

  /** The inventory check: the four documents through the rules, with the buyer's quota; then 120 or 100. */
  private async checkInventory(id: number, invt: StoredDoc, now: Date, pending: Pending): Promise<void> {
    const s = this.state;
    const docs = this.documentsOf(invt);
    if (!docs) {
      s.done(id); // keeps waiting; a document reaching 120 wakes it
      return;
    }
    const orderNo = invt.orderNo as string;
    const scenario = this.scenarioOf(invt);
    const decl = this.declarationOf(invt, docs);
    let verdict: { code: string; desc: string } | undefined;
    const forced = scenario && 'reject' in scenario && (scenario.reject.at ?? 'inventory') === 'inventory';
    if (forced) verdict = { code: scenario.reject.code, desc: scenario.reject.desc ?? codeText(scenario.reject.code) };
    // A document of an order already released and billed (its key reused by this inventory):
    // kept compact, it cannot be matched again, and a document is not declared twice.
    const reused = [docs.order, docs.payment, docs.logistics].find((x) => x.compact);
    if (!verdict && reused)
      verdict = {
        code: this.unmappedCode,
        desc: `${reused.messageType} ${reused.key} 已用于已放行的订单 ${reused.orderNo ?? ''} / already used by the released order ${reused.orderNo ?? ''}`,
      };
    // Option duplicateCopNo: refuse: a copNo its declaring enterprise already gave another inventory in force.
    const twin = !verdict && this.options.duplicateCopNo === 'refuse' ? this.copNoTwin(invt) : undefined;
    if (twin)
      verdict = {
        code: this.unmappedCode,
        desc: `企业内部编号 ${invt.copNo ?? ''} 已用于订单 ${twin.orderNo ?? ''} 的清单 / copNo ${invt.copNo ?? ''} is already that of the inventory of order ${twin.orderNo ?? ''}`,
      };
    // Each declaration of the order has an entry of its own in the ledger (it keeps an order's entry
    // once, with one amount): the one this replaces gives its reservation back first, so that it is
    // not counted twice, nor left taken when this one is rejected. The entries are the platform's
    // (ebpCode): another platform's order of the same orderNo is another order, counted on its own.
    const quotaKey = (invt.version ?? 0) === 0 ? orderNo : `${invt.preNo ?? orderNo}#${invt.version}`;
    if (invt.quotaKey !== undefined && invt.quotaKey !== quotaKey) {
      const replaced = quotaKeyOf(invt);
      if ((await this.ledger.find(replaced))?.status === 'reserved')
        await this.ledger.release(replaced, { now, reason: 'cancelled' });
    }
    // The day that places the transaction in a quota year (option quota.date), the same for the rules' check
    // and the reservation (the reservation was made on the order's appTime while the rules checked the
    // declaration date's year: a declaration across New Year was checked against one year and counted in the other).
    const orderDay = isoDateOfCeb(docs.order.doc.appTime);
    const orderAt = orderTime(str(docs.order.doc.appTime));
    const quotaDay = this.quotaDate === 'appTime' ? orderDay : declarationDate(decl);
    // On the order's own day, its time; on another (the declaration's), the start of that day.
    const quotaAt =
      this.quotaDate === 'appTime'
        ? orderAt
        : quotaDay === orderDay
          ? (orderAt ?? parseBeijingTime(quotaDay))
          : parseBeijingTime(quotaDay);
    if (!verdict) {
      const result = await validateWithQuota(decl, this.ledger, {
        ...this.validateOptions,
        // (appTime: the rules in force on the order's day, whose year the quota is counted in)
        ...(this.quotaDate === 'appTime' && quotaDay !== undefined && { at: quotaDay }),
      });
      // A taxBill scenario: customs takes the tax withheld as declared and bills its own figures (tax/total's
      // tax-mismatch, a 1300 otherwise, decides nothing), so that month end has a mismatch to find.
      const billed = scenario !== undefined && 'taxBill' in scenario;
      const error = result.issues.find((i) => i.severity === 'error' && !(billed && i.code === 'tax-mismatch'));
      if (error) verdict = this.verdictOf(error);
    }
    if (!verdict) {
      const tax = this.tax(decl);
      const buyer = str(invt.doc.buyerIdNumber) ?? str(docs.order.doc.buyerIdNumber);
      if (tax.ok && buyer !== undefined) {
        try {
          const r = await this.ledger.reserve(
            quotaKeyOf(invt, quotaKey),
            buyer,
            { dutiableValue: tax.result.dutiableValue, actualPaid: String(docs.order.doc.acturalPaid ?? '0') },
            quotaAt ?? now,
            { ...(invt.copNo !== undefined && { copNo: invt.copNo }), now },
          );
          if (r.ok) invt.quotaKey = quotaKey;
          else verdict = { code: '1313', desc: codeText('1313') };
        } catch (e) {
          // The ledger refuses what it cannot key (a malformed ID number): customs would not take it either.
          verdict = {
            code: this.unmappedCode,
            desc: messageOf(e).slice(0, 900),
          };
        }
      }
    }
    s.transaction(() => {
      s.done(id);
      invt.waiting = false;
      if (verdict) {
        const r = rejection(verdict.code, verdict.desc);
        this.emit(invt, r.status, r.info, now, pending);
        return;
      }
      invt.invtNo ??= `${str(invt.doc.customsCode) ?? '0000'}${beijingYear(now)}I${String(s.nextSerial(`invtNo:${beijingYear(now)}`)).padStart(9, '0')}`;
      s.putDoc(invt);
      this.emit(invt, '120', returnInfo('1800', codeText('1800')), now, pending);
      const hold = scenario && 'hold' in scenario ? scenario.hold : undefined;
      let releaseAt = this.at(now, this.timing.released);
      if (hold) {
        this.later(invt, releaseAt, 'status', { status: hold.status });
        // (at the end of time at the latest: a hold set long before its inventory came could reach past it)
        releaseAt = this.at(new Date(releaseAt), parseDuration(hold.for, 'hold.for'));
      }
      this.later(invt, releaseAt, 'status', { status: '800' });
    });
  }

  /**
   * Another inventory in force (declared, not rejected, cancelled or a draft) with this inventory's
   * copNo from the same declaring enterprise (agentCode), whose internal number it is. (A scan of
   * the inventories: only with `duplicateCopNo: 'refuse'`.)
   */
  private copNoTwin(invt: StoredDoc): StoredDoc | undefined {
    if (invt.copNo === undefined) return undefined;
    const agent = str(invt.doc.agentCode);
    return this.state
      .findDocs('inventory', { copNo: invt.copNo })
      .find(
        (o) =>
          o.key !== invt.key &&
          str(o.doc.agentCode) === agent &&
          o.status !== '' &&
          o.status !== TEMP_SAVED &&
          o.status !== 'cancelled' &&
          !isRejected(o.status),
      );
  }

  /** The customs code of a rule's finding: the issue code when the catalogue has it, else the entry that lists it. */
  private verdictOf(issue: Issue): { code: string; desc: string } {
    const help = catalogueHelp(issue.code);
    if (help) return { code: help.code, desc: help.receipt.zh };
    const code = this.unmappedCode;
    return { code, desc: descWithCode(issue.message.zh, issue.code) };
  }

  /**
   * A concluded return gives back its share of what the order counted, as the quota ledger values a return
   * application it recorded (`recordReturn`, then `refund` naming it: `returnQuotaShare` over its lines and those of
   * the inventory's approved returns, less what those gave, so that returns of the whole order give back all it
   * counted). The application is recorded under the return's key (its guid), not its copNo: the returns of an
   * inventory may carry one copNo (the inventory's, when they give none), and the ledger keeps one application per
   * copNo. A return without lines gives back all that still counts.
   */
  private async refundQuota(refund: StoredDoc, invt: StoredDoc, now: Date): Promise<boolean> {
    const order = quotaKeyOf(invt);
    const items = lines(refund.doc).map((l) => ({ gnum: Number(l.gnum), qty: String(l.qty ?? 0) }));
    const appliedAt = new Date(refund.at);
    if (items.length > 0) {
      const inventory = lines(invt.doc).map((l) => ({
        gnum: Number(l.gnum),
        qty: String(l.qty ?? 1),
        totalPrice: String(l.totalPrice ?? 0),
      }));
      const recorded = await this.ledger.recordReturn(
        order,
        { copNo: refund.key, items, inventory, appliedAt },
        { now },
      );
      if (!recorded.ok) return false;
    }
    const r = await this.ledger.refund(order, undefined, {
      now,
      key: refund.key,
      appliedAt,
      ...(items.length > 0 && { returnCopNo: refund.key }),
      ...(invt.releasedAt !== undefined && { releasedAt: new Date(invt.releasedAt) }),
      outsideReturnWindow: 'allow',
    });
    return r.ok;
  }

  /**
   * An order released and billed is final: its four documents keep what later messages are
   * checked against — the keys and numbers (a duplicate, a change after release), the status, and
   * the inventory's lines (gnum, gcode, unit, qty, totalPrice) for a return and its quota refund — and drop the
   * rest of the messages, so that the state grows by little per order.
   */
  private compact(invt: StoredDoc, docs: { order: StoredDoc; payment: StoredDoc; logistics: StoredDoc }): void {
    const pick = (x: Record<string, unknown>, fields: readonly string[]) =>
      Object.fromEntries(fields.filter((f) => x[f] !== undefined).map((f) => [f, x[f]]));
    const keys = [
      'ebpCode',
      'ebcCode',
      'agentCode',
      'orderNo',
      'invtNo',
      'logisticsCode',
      'logisticsNo',
      'payCode',
      'payTransactionId',
    ];
    for (const d of [docs.order, docs.payment, docs.logistics]) {
      if (d.compact) continue;
      d.doc = pick(d.doc, keys);
      d.compact = true;
      this.state.putDoc(d);
    }
    invt.doc = {
      ...pick(invt.doc, keys),
      items: lines(invt.doc).map((l) => pick(l, ['gnum', 'gcode', 'unit', 'qty', 'totalPrice'])),
    };
    invt.compact = true;
    this.state.putDoc(invt);
  }

  // ── the tax bill ───────────────────────────────────────────────────────────

  private emitBill(invt: StoredDoc, tax: TaxFigures, now: Date, pending: Pending): void {
    const x = invt.doc;
    // Customs has made the bill, whether or not a scenario keeps its CEB816 from being sent (stored with the
    // inventory when the tax-bill event compacts it, in the same transaction).
    // The invtNo and `_0`, as the tax bills seen number them (docs/emulator.md).
    invt.taxNo = `${invt.invtNo ?? ''}_0`.slice(0, 36);
    const scenario = this.scenarioOf(invt);
    if (scenario && 'drop' in scenario && scenario.drop.receipt === 'CEB816') return;
    const guid = this.guid();
    const bill = scenario && 'taxBill' in scenario ? customsFigures(tax, scenario.taxBill) : { ...tax, unknown: [] };
    if (bill.unknown.length > 0)
      this.noteOn(
        invt,
        `the taxBill scenario names line ${bill.unknown.join(', ')}, which inventory ${invt.invtNo ?? invt.key} does not have: its bill is as computed there`,
        now,
        pending,
      );
    const doc: ReceiptDoc = {
      guid,
      returnTime: beijingDateTime17(now),
      invtNo: invt.invtNo,
      taxNo: invt.taxNo,
      customsTax: bill.customsTax.toFixed(2),
      valueAddedTax: bill.valueAddedTax.toFixed(2),
      consumptionTax: bill.consumptionTax.toFixed(2),
      status: '1',
      assureCode: x.assureCode,
      ebcCode: x.ebcCode,
      logisticsCode: x.logisticsCode,
      agentCode: x.agentCode,
      customsCode: x.customsCode,
      // (no orderNo or logisticsNo: real bills often carry them, but beyond the XSD; invtNo links the bill)
      items: bill.lines.map((l) => ({
        gnum: l.gnum,
        gcode: l.gcode,
        taxPrice: l.dutiableValue.toFixed(2),
        customsTax: l.customsTax.toFixed(2),
        valueAddedTax: l.valueAddedTax.toFixed(2),
        consumptionTax: l.consumptionTax.toFixed(2),
      })),
    };
    this.deliver(invt, 'CEB816', doc, guid, now, pending);
  }

  requestPaymentData(orderNo: string, options?: { ebpCode?: string; sessionID?: string }): PaymentDataRequest {
    return this.paymentDesk.request(orderNo, options);
  }

  uploadPaymentData(payExInfoStr: string): PaymentDataAnswer {
    return this.paymentDesk.upload(payExInfoStr);
  }

  paymentDataUploads(after = 0): PaymentDataUpload[] {
    checkArgument(after, 'number', 'paymentDataUploads', 'after');
    return this.paymentDesk.uploads(after);
  }

  taxBillStatus(invtNo: string, status: '2' | '3'): Promise<OutgoingReceipt> {
    if (typeof invtNo !== 'string' || invtNo === '')
      return Promise.reject(new SandanError('INVALID_OPTION', 'taxBillStatus: invtNo must be a non-empty string'));
    if (status !== '2' && status !== '3')
      return Promise.reject(
        new SandanError(
          'INVALID_OPTION',
          `taxBillStatus: status must be '2' (已汇总, summarised) or '3' (作废, void), got ${describeInput(status)}`,
        ),
      );
    return this.serial(async () => {
      const now = this.now();
      const pending: Pending = { receipts: [] };
      this.state.transaction(() => {
        const invt = this.state.findDocs('inventory', { invtNo }).find((d) => d.taxNo !== undefined);
        if (invt === undefined)
          throw new SandanError(
            'INVALID_OPTION',
            // (a released one too: no bill is sent when the rates leave a line out, and "after its release" alone
            // sent the user looking for a release that came)
            `taxBillStatus: inventory ${JSON.stringify(invtNo)} has no tax bill (customs bills an inventory after its release; the emulator sends none when its rates leave a line without a rate, rate-missing: give it yours, --rates)`,
          );
        // A void bill is no longer the inventory's tax: nothing follows it (the emulator's choice; the spec is silent).
        if (invt.taxBillStatus === '3')
          throw new SandanError('INVALID_OPTION', `taxBillStatus: the tax bill ${invt.taxNo} is void already`);
        invt.taxBillStatus = status;
        this.state.putDoc(invt);
        const guid = this.guid();
        const doc: ReceiptDoc = { guid, returnTime: beijingDateTime17(now), invtNo, taxNo: invt.taxNo, status };
        this.deliver(invt, 'CEB818', doc, guid, now, pending);
      });
      this.notify(pending);
      return pending.receipts[0]!;
    });
  }
}

/**
 * The bill's figures under a taxBill scenario: the lines it names carry its taxes, the others the computed ones, and
 * the head's taxes are the sums of the lines. `unknown`: the gnums it names that the inventory has not.
 */
function customsFigures(
  tax: TaxFigures,
  scenario: TaxBillScenario,
): Pick<TaxFigures, 'lines' | (typeof BILL_TAXES)[number]> & { unknown: number[] } {
  const given = new Map((scenario.items ?? []).map((l) => [l.gnum, l]));
  const lines = tax.lines.map((l) => {
    const g = given.get(l.gnum);
    if (g === undefined) return l;
    const line = { ...l };
    for (const k of BILL_TAXES) if (g[k] !== undefined) line[k] = new Decimal(g[k]);
    return line;
  });
  const sum = (k: (typeof BILL_TAXES)[number]) =>
    tax[k].plus(lines.reduce((a, l, i) => a.plus(l[k]).minus(tax.lines[i]![k]), new Decimal(0)));
  const known = new Set(tax.lines.map((l) => l.gnum));
  return {
    lines,
    customsTax: sum('customsTax'),
    valueAddedTax: sum('valueAddedTax'),
    consumptionTax: sum('consumptionTax'),
    unknown: [...given.keys()].filter((g) => !known.has(g)),
  };
}

/** What names the inventory a cancel or return is for, besides its invtNo: they must be the inventory's. */
const INVENTORY_KEYS = ['orderNo', 'ebpCode', 'ebcCode', 'logisticsCode', 'logisticsNo'] as const;

/**
 * A cancel or return whose order, platform, e-commerce enterprise or waybill is not that of the
 * inventory its invtNo names (the spec's InvtCancel and InvtRefundHead repeat the inventory's
 * orderNo, ebpCode, ebcCode, logisticsCode and logisticsNo): refused, so that nobody cancels or
 * returns another's inventory by its number. (A key a compact
 * inventory did not keep, ebcCode before it was kept, is not compared.)
 */
function otherInventory(d: StoredDoc, invt: StoredDoc): { status: string; info: string } | undefined {
  const f = INVENTORY_KEYS.find((k) => invt.doc[k] !== undefined && str(d.doc[k]) !== str(invt.doc[k]));
  if (f === undefined) return undefined;
  const x = str(d.doc[f]) ?? '';
  const y = str(invt.doc[f]) ?? '';
  return manualRefusal(
    `${f} ${x} 与清单 ${invt.invtNo ?? ''} 的 ${y} 不一致 / ${f} ${x} is not that of inventory ${invt.invtNo ?? ''} (${y})`,
  );
}

/** A return counts against its inventory's lines from its declaration until it is refused. */
function returnInForce(status: string): boolean {
  return status !== '' && status !== TEMP_SAVED && !isRejected(status);
}

/** Adds (`sign` 1) or takes away (-1) the lines of return `r` at `status` to or from `totals`. */
function addReturned(totals: ReturnedQty, r: StoredDoc, status: string, sign: 1 | -1): void {
  const add = (to: Record<string, string>) => {
    for (const l of lines(r.doc)) {
      const gnum = String(Number(l.gnum));
      const qty = new Decimal(to[gnum] ?? 0).plus(new Decimal(String(l.qty ?? 0)).times(sign));
      if (qty.isZero()) delete to[gnum];
      else to[gnum] = qty.toFixed();
    }
  };
  if (r.refusal === undefined && returnInForce(status)) add(totals.inForce);
}

/** A refusal no catalogue code describes: 100 with 1300 (人工退单) and why. */
function manualRefusal(desc: string): { status: string; info: string } {
  return { status: '100', info: returnInfo('1300', desc) };
}

/**
 * An inventory's entry in the quota ledger: its platform's, under its quota key (the one given,
 * which a new declaration is about to store; else its own; an inventory reserved before keys
 * were kept: its orderNo). An entry written before the ledger kept platforms
 * is found under it too (the ledger takes it for the platform's while the platform has none).
 */
function quotaKeyOf(
  invt: StoredDoc,
  quotaKey: string = invt.quotaKey ?? (invt.orderNo as string),
): { ebpCode: string; orderNo: string } {
  return { ebpCode: str(invt.doc.ebpCode) ?? '', orderNo: quotaKey };
}

/** An order's appTime (yyyyMMddHHmmss, Beijing) as an instant. */
function orderTime(t: string | undefined): Date | undefined {
  return t === undefined ? undefined : parseBeijingTime(t);
}

/** The XSD's bounds on an order's numbers (OrderHead: 订单编号长度不能超过60位, ebpCode 18), read from the descriptors. */
const ORDER_HEAD = CEB_IMPORT_ELEMENTS.OrderHead!.children;
const ORDER_NO_MAX = ORDER_HEAD.find((c) => c.name === 'orderNo')!.type!.maxLength!;
const EBP_CODE_MAX = ORDER_HEAD.find((c) => c.name === 'ebpCode')!.type!.maxLength!;

/** The receipts a `drop` scenario can name (the compiler holds this to EmulatorReceiptType): not a CEB818, sent only when asked. */
const RECEIPT_TYPES: Record<Exclude<EmulatorReceiptType, 'CEB818'>, true> = {
  CEB312: true,
  CEB412: true,
  CEB512: true,
  CEB622: true,
  CEB624: true,
  CEB626: true,
  CEB712: true,
  CEB816: true,
  CEB900: true,
};

/**
 * Refuses a scenario that would do nothing or write what no receipt can hold: a `drop` of a
 * receipt type the emulator never sends (a typo would silently drop nothing), a description or
 * status that is not text.
 */
/**
 * The platform a document names (ebpCode): an order's, payment's, inventory's, cancel's or
 * return's. A waybill names none (nor a CEB711), though its orderNo is a platform's.
 */
function platformOf(d: StoredDoc): string | undefined {
  return d.kind === 'logistics' ? undefined : str(d.doc.ebpCode);
}

function checkScenario(s: Scenario, now: Date): void {
  const bad = (why: string) => new SandanError('INVALID_OPTION', `scenario: ${why}`);
  if (s === null || typeof s !== 'object') throw bad('expected { reject } | { hold } | { drop } | { taxBill }');
  // (the first kind was done and the others passed over without a word)
  const kinds = ['reject', 'hold', 'drop', 'taxBill'].filter((k) => k in s);
  if (kinds.length > 1) throw bad(`one of reject, hold, drop or taxBill, not ${kinds.join(' and ')} together`);
  if ('reject' in s) {
    if (typeof s.reject?.code !== 'string' || !/^-?\d+$/.test(s.reject.code))
      throw bad('reject.code must be a code such as 1332');
    if (s.reject.desc !== undefined && typeof s.reject.desc !== 'string')
      throw bad('reject.desc must be text, the description the receipt gives');
    if (s.reject.at !== undefined && !['order', 'payment', 'logistics', 'inventory'].includes(s.reject.at))
      throw bad('reject.at must be order, payment, logistics or inventory');
  } else if ('hold' in s) {
    if (s.hold?.status !== '500' && s.hold?.status !== '600') throw bad("hold.status must be '500' or '600'");
    // (a hold that ends past the end of time was scheduled at Invalid Date: the inventory stopped at 120, for ever)
    if (!(addDuration(now, parseDuration(s.hold.for, 'hold.for')).getTime() <= LATEST_TIME))
      throw bad(
        `hold.for ${JSON.stringify(s.hold.for)} would end past 9999-12-31 23:59:59 Beijing time, the latest time a CEB message can carry`,
      );
  } else if ('drop' in s) {
    const receipt = s.drop?.receipt;
    if (typeof receipt !== 'string' || !Object.hasOwn(RECEIPT_TYPES, receipt))
      throw bad(`drop.receipt must be a receipt type the emulator sends: ${Object.keys(RECEIPT_TYPES).join(', ')}`);
    if (s.drop.status !== undefined && (typeof s.drop.status !== 'string' || !/^-?\d+$/.test(s.drop.status)))
      throw bad("drop.status must be a returnStatus such as '800'");
  } else if ('taxBill' in s) checkTaxBillScenario(s.taxBill, bad);
  else throw bad('expected { reject } | { hold } | { drop } | { taxBill }');
}

const BILL_TAXES = ['customsTax', 'valueAddedTax', 'consumptionTax'] as const;

/** A taxBill scenario whose lines each name a gnum once and give at least one tax, to the fen (as a bill has it). */
function checkTaxBillScenario(t: unknown, bad: (why: string) => SandanError): void {
  if (!isRecord(t)) throw bad('taxBill must be an object, e.g. { "items": [{ "gnum": 1, "valueAddedTax": "36.23" }] }');
  const extra = Object.keys(t).filter((k) => k !== 'items');
  if (extra.length) throw bad(`taxBill has no ${extra.join(', ')}: only items`);
  if (t.items === undefined) return;
  if (!Array.isArray(t.items))
    throw bad('taxBill.items must be a list of { gnum, customsTax?, valueAddedTax?, consumptionTax? }');
  const seen = new Set<number>();
  for (const [i, l] of t.items.entries()) {
    const at = `taxBill.items[${i}]`;
    if (!isRecord(l) || !Number.isInteger(l.gnum) || (l.gnum as number) < 1)
      throw bad(`${at}.gnum must be the number of a line of the inventory (1, 2, …)`);
    if (seen.has(l.gnum as number)) throw bad(`${at}.gnum ${l.gnum} is named twice`);
    seen.add(l.gnum as number);
    const unknown = Object.keys(l).filter((k) => k !== 'gnum' && !(BILL_TAXES as readonly string[]).includes(k));
    if (unknown.length)
      throw bad(`${at} has no ${unknown.join(', ')}: give customsTax, valueAddedTax or consumptionTax`);
    if (!BILL_TAXES.some((k) => l[k] !== undefined))
      throw bad(`${at} gives no tax: customsTax, valueAddedTax or consumptionTax`);
    for (const k of BILL_TAXES)
      if (l[k] !== undefined && (typeof l[k] !== 'string' || !/^\d{1,14}(\.\d{1,2})?$/.test(l[k] as string)))
        throw bad(`${at}.${k} must be an amount to the fen as text, such as "36.23", got ${describeInput(l[k])}`);
  }
}

// (a misspelt `orderNO` listed every order's receipts as if they were that order's)
const RECEIPT_FILTER_NAMES = optionNames<ReceiptFilter>({ orderNo: true, ebpCode: true });

// (any other key is misuse: a misspelt requireSignature or certificateDates ran the engine on the other setting)
export const ENGINE_OPTION_NAMES = optionNames<EngineOptions>({
  store: true,
  clock: true,
  trust: true,
  requireSignature: true,
  validate: true,
  rates: true,
  quota: true,
  timing: true,
  customsDxpId: true,
  enterpriseDxpId: true,
  unmappedCode: true,
  heldDocumentChange: true,
  duplicateCopNo: true,
  certificateDates: true,
  history: true,
  maxBatch: true,
  maxScenarios: true,
  paymentDataWindow: true,
  newId: true,
});

/** The keys of each options object nested in {@link EngineOptions}: a misspelt `timing.relased` kept the default. */
const NESTED_ENGINE_OPTION_NAMES = {
  store: optionNames<Exclude<EngineOptions['store'], 'memory'>>({ sqlite: true, synchronous: true }),
  trust: optionNames<NonNullable<EngineOptions['trust']>>({ certificates: true }),
  validate: optionNames<NonNullable<EngineOptions['validate']>>({
    district: true,
    ruleset: true,
    registry: true,
    codes: true,
    goodsRecords: true,
    positiveLists: true,
  }),
  quota: optionNames<NonNullable<EngineOptions['quota']>>({
    secret: true,
    annualLimit: true,
    policy: true,
    date: true,
  }),
  timing: optionNames<Timing>({ sent: true, entered: true, released: true, taxBill: true, concluded: true }),
} as const;

/** The nested options that are only ever an object: another value (`timing: 30000`) was spread in and ignored, unsaid. */
const OBJECT_ONLY_OPTIONS: ReadonlySet<string> = new Set(['timing', 'quota', 'validate']);

/**
 * Refuses an unknown key inside the options objects nested in the engine's options (`timing.relased`), naming its
 * path; `fn` names the caller (createEngine, createCustomsEmulator). `timing`, `quota` and `validate` must be objects
 * when given (`fn: timing must be an object, got 30000`); another value of the store (`'memory'`) or the trust (a bare
 * certificate) is left to the checks that read it.
 */
export function checkNestedEngineOptions(
  options: Partial<Pick<EngineOptions, keyof typeof NESTED_ENGINE_OPTION_NAMES>>,
  fn: string,
): void {
  for (const [name, names] of Object.entries(NESTED_ENGINE_OPTION_NAMES)) {
    const nested = options[name as keyof typeof NESTED_ENGINE_OPTION_NAMES];
    if (nested !== undefined && OBJECT_ONLY_OPTIONS.has(name)) checkArgument(nested, 'object', fn, name);
    if (isRecord(nested)) knownOptions(nested, fn, names, 'INVALID_OPTION', name);
  }
}

/** Opens the state and the quota ledger and starts an engine. */
export async function createEngine(options: EngineOptions): Promise<EmulatorEngine> {
  // (null or a non-object is refused here, naming the function; undefined by the check below)
  checkNestedEngineOptions(knownOptions(options, 'createEngine', ENGINE_OPTION_NAMES), 'createEngine');
  if (!options || typeof options.clock?.now !== 'function')
    throw new SandanError('INVALID_OPTION', 'createEngine needs { store, clock }');
  const base = options.quota?.policy ?? defaultQuotaPolicy();
  const limit = options.quota?.annualLimit;
  const policy: QuotaPolicyLookup =
    limit === undefined ? base : (date) => ({ ...base(date), annualLimit: new Decimal(String(limit)) });
  const history = { history: historyOf(options) };
  let state: EmulatorState;
  let store: QuotaStore;
  if (options.store === 'memory') {
    state = memoryState(history);
    store = new MemoryQuotaStore();
  } else if (options.store && typeof options.store === 'object' && typeof options.store.sqlite === 'string') {
    const synchronous = options.store.synchronous ?? 'NORMAL';
    oneOf('store.synchronous', synchronous, ['NORMAL', 'FULL']);
    state = await openSqliteState(options.store.sqlite, { ...history, synchronous });
    try {
      const { openSqliteQuotaStore } = await import('../quota/sqlite.js');
      store = await openSqliteQuotaStore(options.store.sqlite, { synchronous });
    } catch (e) {
      state.close();
      throw e;
    }
  } else throw new SandanError('INVALID_OPTION', "store must be 'memory' or { sqlite: path }");
  const ledger = new QuotaLedger({
    store,
    secret: options.quota?.secret ?? DEFAULT_QUOTA_SECRET,
    policy,
    clock: () => options.clock.now(),
  });
  let engine: Engine;
  try {
    engine = new Engine(options, state, ledger, policy);
  } catch (e) {
    state.close();
    await ledger.close();
    throw e;
  }
  // Events that fell due while the emulator was down run now (real clock) or at the next advance.
  engine.start();
  return engine;
}

/** Why an inventory released gets no tax bill (CEB816): the lines without a rate, or why its tax was not computed. */
function noBillNote(invt: StoredDoc, tax: TaxCalculation<TaxFigures>): string {
  const why = tax.ok
    ? `the emulator's rates leave ${tax.result.omittedLines.map((l) => `line ${l.gnum} (${l.gcode}, ${l.reason})`).join(', ') || 'no line'} without a figure, and customs bills an inventory whole; give it your rate table (rates, --rates)`
    : `its tax could not be computed: ${tax.issues
        .filter((i) => i.severity === 'error')
        .map((i) => `${i.code}: ${i.message.en}`)
        .join('; ')}`;
  return `no tax bill (CEB816) for inventory ${invt.invtNo ?? invt.key}: ${why}`;
}

/** A message's text as received (bytes read as UTF-8). */
function textOf(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}
