import { z } from 'zod';
import data from '../../rulesets/receipts.json';
import { SandanError } from '../errors.js';
import { checkSourceRefs, SourceRefSchema, SourcesSchema } from '../model/sources.js';
import { isApprovedReturn, receiptStatusText, checkArgument } from '../model/guards.js';
import type { IssueHelp, Message } from '../model/issue.js';
import { RECEIPT_DOCUMENTS } from '../model/generated/receipt-documents.js';
import { docsUrl } from '../model/docs-url.js';
import { ISSUE_CODES } from './generated/issue-codes.js';
import { EMULATOR_FINDING_CODE, parseReturnInfo } from './return-info.js';

/*
 * What receipts mean and what to do about them, as data (rulesets/receipts.json, each entry
 * with its source). docs/receipts.md is generated from the same file.
 */

const bilingual = z.object({ zh: z.string().min(1), en: z.string().min(1) });

/** One returnStatus value. `<0` stands for every negative (E-Port error) status. */
export const ReceiptStatusSchema = z.object({
  status: z.string().regex(/^(-?\d+|<0)$/),
  ...bilingual.shape,
  outcome: z.enum(['pending', 'accepted', 'rejected', 'failed', 'held', 'final']),
  receipts: z.array(z.string()).min(1),
  fix: bilingual,
  /** The id (or ids) of entries of the catalogue's `sources`. */
  source: SourceRefSchema,
});

/** One known code: customs `[Code:…]`, DXP transport, negative E-Port or local port platform code. */
export const ReceiptCodeSchema = z.object({
  code: z.string().regex(/^-?\d+$/),
  /** `port`: a local port platform's own result code (e.g. Zhejiang e-port `jkfResult`), not the national system's. */
  layer: z.enum(['customs', 'dxp', 'eport', 'port']),
  ...bilingual.shape,
  /** Other `Desc` texts seen with the same code. */
  aliases: z.array(z.string().min(1)).optional(),
  /** Why the receipt comes: what in the declaration customs found wrong. */
  cause: bilingual.optional(),
  fix: bilingual,
  /** sandan issue codes that catch the same problem before declaring (besides an issue with this very code). */
  issueCodes: z.array(z.string().min(1)).optional(),
  /**
   * The code refuses only the message that carries it — a second new declaration under a number in use, or a change
   * its state does not allow — and the declaration before it stands: not the document's state.
   */
  declarationStands: z.literal(true).optional(),
  /**
   * The message reached customs and the code reports only the E-Port's failure to record that (table 7-2: 发送海关成功，
   * 更新状态时发生错误): the document is sent and waits for customs' answer (`outcome` pending), it is not refused.
   */
  reachedCustoms: z.literal(true).optional(),
  /**
   * The same code sent with another text that means something else (table 7-2 gives -621027 for a duplicate gnum
   * and for a failed save): when the receipt's returnInfo contains `desc`, its meaning, cause and fix are given instead.
   * Validation help stays the entry's own.
   */
  variants: z
    .array(z.strictObject({ desc: z.string().min(1), ...bilingual.shape, cause: bilingual.optional(), fix: bilingual }))
    .optional(),
  /** The id (or ids) of entries of the catalogue's `sources`. */
  source: SourceRefSchema,
});

/** One value of a tax bill's `status` (CEB816 TaxHeadRd, CEB818 TaxHeadStatus): not a returnStatus. */
export const TaxBillStatusEntrySchema = z.object({
  status: z.string().regex(/^\d+$/),
  ...bilingual.shape,
  /**
   * `live`: the bill stands and charges its figures (generated, then summarised: a bill passes
   * through both); `void`: the bill is cancelled and charges nothing.
   */
  outcome: z.enum(['live', 'void']),
  source: SourceRefSchema,
});

/** The receipt catalogue file. */
export const ReceiptCatalogueSchema = z
  .object({
    $comment: z.string().optional(),
    /** The documents the catalogue relies on; every entry's `source` names them by id. */
    sources: SourcesSchema,
    statuses: z.array(ReceiptStatusSchema),
    taxBillStatuses: z.array(TaxBillStatusEntrySchema),
    codes: z.array(ReceiptCodeSchema),
  })
  .superRefine((c, ctx) => checkSourceRefs(c, c.sources, ctx));

/** One returnStatus entry of the catalogue. */
export type ReceiptStatus = z.output<typeof ReceiptStatusSchema>;
/** One tax bill status entry of the catalogue. */
export type TaxBillStatusEntry = z.output<typeof TaxBillStatusEntrySchema>;
/** One code entry of the catalogue. */
export type ReceiptCode = z.output<typeof ReceiptCodeSchema>;
/** The whole receipt catalogue. */
export type ReceiptCatalogue = z.output<typeof ReceiptCatalogueSchema>;

let catalogue: ReceiptCatalogue | undefined;
/** The bundled receipt catalogue, checked against its schema at first use. */
export function receiptCatalogue(): ReceiptCatalogue {
  if (catalogue) return catalogue;
  const r = ReceiptCatalogueSchema.safeParse(data);
  if (!r.success)
    throw new SandanError(
      'RULESET_INVALID',
      `rulesets/receipts.json: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  catalogue = r.data;
  return catalogue;
}

/**
 * The receipts with a returnStatus that an entry's `all` stands for: the business receipts of the import message
 * specification (OrderReturn … DeliveryReturn, CEB312 … CEB712), not the tax bills (their `status` is another list) nor
 * the CEB900 (format check), which an entry names where it belongs.
 */
const STATUS_RECEIPTS: readonly string[] = Object.keys(RECEIPT_DOCUMENTS).filter(
  (t) => t !== 'CEB816' && t !== 'CEB818' && t !== 'CEB900',
);

/** Whether a catalogue entry's status is one of the receipt type's (its `receipts`, `all` standing for {@link STATUS_RECEIPTS}). */
function isStatusOf(entry: ReceiptStatus, receiptType: string): boolean {
  return (
    entry.receipts.includes(receiptType) || (entry.receipts.includes('all') && STATUS_RECEIPTS.includes(receiptType))
  );
}

/** The receipt types an entry's status belongs to, `all` spelled out. */
function receiptsOfStatus(entry: ReceiptStatus): string[] {
  return [...new Set(entry.receipts.flatMap((r) => (r === 'all' ? STATUS_RECEIPTS : [r])))];
}

/**
 * The catalogue entry of a returnStatus (negative values map to `<0`), or undefined. With a receipt type the catalogue
 * knows (CEB312, 412, 512, 514, 622, 624, 626, 712 or CEB900), only an entry whose status that receipt can carry: the message
 * specification lists the statuses of each receipt, and 800 放行 on an order receipt (CEB312) is no status customs gives
 * it. Another receipt type (an export receipt, a pilot-edition root) is not checked.
 */
export function explainStatus(status: string | number, receiptType?: string): ReceiptStatus | undefined {
  const s = receiptStatusText(status);
  const key = /^-\d+$/.test(s) ? '<0' : s;
  const entry = receiptCatalogue().statuses.find((e) => e.status === key);
  if (entry === undefined || receiptType === undefined || !isCheckedReceipt(receiptType)) return entry;
  return isStatusOf(entry, receiptType) ? entry : undefined;
}

/** Whether {@link explainStatus} checks a status against the receipt type's list. */
function isCheckedReceipt(receiptType: string): boolean {
  return receiptType === 'CEB900' || STATUS_RECEIPTS.includes(receiptType);
}

/** The catalogue entry of a tax bill's status (`1` generated, `2` summarised, `3` void), or undefined. */
export function explainTaxBillStatus(status: string | number): TaxBillStatusEntry | undefined {
  const s = receiptStatusText(status);
  return receiptCatalogue().taxBillStatuses.find((e) => e.status === s);
}

/** The outcome of each tax bill status in the catalogue, made once: reconciliation asks for every bill. */
let outcomes: ReadonlyMap<string, TaxBillStatusEntry['outcome']> | undefined;
function hasOutcome(status: string | number | undefined, outcome: TaxBillStatusEntry['outcome']): boolean {
  outcomes ??= new Map(receiptCatalogue().taxBillStatuses.map((e) => [e.status, e.outcome]));
  return outcomes.get(receiptStatusText(status)) === outcome;
}

/** Whether a tax bill status voids the bill (3 作废; the catalogue's `outcome: void`). */
export function isVoidTaxBillStatus(status: string | number | undefined): boolean {
  return hasOutcome(status, 'void');
}

/** Whether a tax bill status is one a standing bill passes through (1 已生成, 2 已汇总; `outcome: live`). */
export function isLiveTaxBillStatus(status: string | number | undefined): boolean {
  return hasOutcome(status, 'live');
}

/**
 * Whether a return receipt's (CEB626) status is customs' yes to the return: 399 海关审结, or 800 放行 as the E-Port's
 * own records give a released return (PEER-REFUND-RELEASE). The quota ledger refunds on it, reconcile counts the order
 * refunded and status shows it so (the ledger giving back the share of a return application it recorded); a service
 * that gives back a partial return's share itself (returnQuotaShare) reads its CEB626 the same way. 120 (入库) is not yet a yes, nor anything else.
 */
export function isApprovedReturnStatus(status: string | number | undefined): boolean {
  return isApprovedReturn(receiptStatusText(status));
}

/** The catalogue entry of a code (`1332`, `-621027`, `0002`), or undefined. */
export function explainCode(code: string | number): ReceiptCode | undefined {
  const c = receiptStatusText(code);
  return receiptCatalogue().codes.find((e) => e.code === c);
}

/** A receipt read for people: status and code meaning and the suggested fix. */
export interface ReceiptExplanation {
  status: string;
  statusMeaning?: Message;
  outcome?: ReceiptStatus['outcome'];
  /**
   * Set when the receipt type was given and the status is not one of its, but of other receipts: what it means there
   * and which they are. `statusMeaning`, `outcome` and the status's fix are then left out (it tells nothing of this one).
   */
  otherReceipts?: { receipts: string[]; meaning: Message };
  code?: string;
  codeMeaning?: Message;
  /** Why such a receipt comes, when the catalogue knows. */
  cause?: Message;
  fix?: Message;
  /**
   * Set when the receipt is the sandan emulator's refusal of a finding of sandan's rules (its Desc ends in the issue
   * code in full-width brackets, `…（positive-list）`): the issue code, the rule that reports it, what it means and
   * the rule's documentation. `codeMeaning`, `cause` and `fix` then speak of that finding, not of the code's entry
   * (1300 人工退单 is no officer's refusal here).
   */
  issue?: { code: string; rule: string; meaning: Message; docs: string };
}

/**
 * The text in full-width brackets at the end of a returnInfo, before the `]` of its code group: `tax-mismatch` of
 * `[Code:1300;Desc:…（cbec）（tax-mismatch）]`. (Read without a regular expression: `\s*\]?\s*$` is polynomial.)
 */
function bracketedAtEnd(returnInfo: string): string | undefined {
  let end = returnInfo.trimEnd();
  if (end.endsWith(']')) end = end.slice(0, -1).trimEnd();
  const open = end.lastIndexOf('（');
  return end.endsWith('）') && open >= 0 ? end.slice(open + 1, -1) : undefined;
}

/**
 * The finding of sandan's rules an emulator refusal names at the end of its returnInfo, when the code is one of the
 * rule registry's (src/xml/generated/issue-codes.ts).
 */
function emulatorIssueOf(returnInfo: string): ReceiptExplanation['issue'] {
  const code = bracketedAtEnd(returnInfo);
  const known = code !== undefined && Object.hasOwn(ISSUE_CODES, code) ? ISSUE_CODES[code] : undefined;
  if (code === undefined || known === undefined) return undefined;
  return {
    code,
    rule: known.rule,
    meaning: { zh: known.zh, en: known.en },
    docs: docsUrl(`rules.md#${known.anchor}`),
  };
}

/**
 * Whether a receipt's code is one the emulator refuses a finding with: 1300, or a code the catalogue does not know
 * (an `unmappedCode` of the user's choosing). A code the catalogue gives its own meaning (1313, 2600) is not.
 */
function emulatorFindingCode(code: string, entry: ReceiptCode | undefined): boolean {
  return code === EMULATOR_FINDING_CODE || entry === undefined;
}

/** What the emulator's refusal of a finding means, why it came and what to do, from the finding's issue. */
function emulatorRefusal(issue: NonNullable<ReceiptExplanation['issue']>): {
  meaning: Message;
  cause: Message;
  fix: Message;
} {
  return {
    meaning: { zh: `模拟器退单：${issue.meaning.zh}`, en: `Refused by the sandan emulator: ${issue.meaning.en}` },
    cause: {
      zh: `Desc 以（${issue.code}）结尾：这是 sandan 模拟器按 sandan 规则 ${issue.rule} 的发现（${issue.code}）作出的退单，不是海关人工审核的退单；Desc 其余部分是该规则的说明`,
      en: `A Desc ending in （${issue.code}） is the sandan emulator's refusal for a finding of sandan's rule ${issue.rule} (${issue.code}), not a customs officer's manual refusal; the rest of Desc is the rule's message`,
    },
    fix: {
      zh: `按 Desc 修正申报数据，申报前运行 sandan validate（${issue.code}）确认已无此问题，再重新申报；规则说明见 ${issue.docs}`,
      en: `Correct the declaration as Desc says, run sandan validate until it no longer reports ${issue.code}, then declare again; the rule is described at ${issue.docs}`,
    },
  };
}

/**
 * What the receipt catalogue says about a validation issue that mirrors a customs or E-Port code
 * (e.g. `1327` for `payer-not-buyer`): what an issue carries as its `help`.
 */
export interface CatalogueHelp extends IssueHelp {}

/**
 * The catalogue entry behind a validation issue code: the entry with that code (customs, E-Port
 * or port layer; transport codes are not about declarations), else the entry that lists it in
 * `issueCodes`. Undefined when the catalogue says nothing about it.
 */
export function catalogueHelp(issueCode: string): CatalogueHelp | undefined {
  const e = helpEntryOf(issueCode);
  if (!e) return undefined;
  return { code: e.code, receipt: { zh: e.zh, en: e.en }, ...(e.cause && { cause: e.cause }), fix: e.fix };
}

/**
 * The entry behind each issue code, made once: validate asks for every issue it renders, and scanning the catalogue
 * each time cost it several per cent, more with each code catalogued (docs/performance.md, session 51). An entry's own
 * code wins over an entry listing it in `issueCodes`, and of several the first, as the scan in order found them.
 */
let helpEntries: ReadonlyMap<string, ReceiptCode> | undefined;
function helpEntryOf(issueCode: string): ReceiptCode | undefined {
  if (!helpEntries) {
    const codes = receiptCatalogue().codes.filter((e) => e.layer !== 'dxp');
    const byCode = new Map<string, ReceiptCode>();
    for (const e of codes) if (!byCode.has(e.code)) byCode.set(e.code, e);
    for (const e of codes) for (const c of e.issueCodes ?? []) if (!byCode.has(c)) byCode.set(c, e);
    helpEntries = byCode;
  }
  return helpEntries.get(issueCode);
}

/**
 * Explains one receipt document (anything with returnStatus/returnInfo). The code comes from
 * `[Code:…]` in returnInfo, else from a negative returnStatus; the code's fix wins over the status's. Given the receipt
 * type (`CEB312`…), a status that is not one of that receipt's is not explained as if it were (see `otherReceipts`).
 */
export function explainReceipt(
  doc: { returnStatus?: unknown; returnInfo?: unknown },
  receiptType?: string,
): ReceiptExplanation {
  checkArgument(doc, 'object', 'explainReceipt', 'the receipt');
  const status = receiptStatusText(doc.returnStatus);
  const st = explainStatus(status, receiptType);
  const anywhere = st === undefined && receiptType !== undefined ? explainStatus(status) : undefined;
  const info = typeof doc.returnInfo === 'string' ? parseReturnInfo(doc.returnInfo) : undefined;
  const code = info?.code ?? (/^-\d+$/.test(status) ? status : undefined);
  const entry = code === undefined ? undefined : explainCode(code);
  const text = typeof doc.returnInfo === 'string' ? doc.returnInfo : '';
  const variant = entry?.variants?.find((v) => text.includes(v.desc));
  // A variant's specific words win (the tax mismatch's what to do); another finding the emulator refused reads as that.
  // Only under a code the emulator gives such a refusal: a receipt of another code (1313, 2600) whose Desc happens to
  // end in an issue code in brackets is that code's.
  const issue = code !== undefined && emulatorFindingCode(code, entry) ? emulatorIssueOf(text) : undefined;
  const refusal = issue && !variant ? emulatorRefusal(issue) : undefined;
  const ce = variant ?? (refusal && { ...refusal.meaning, cause: refusal.cause, fix: refusal.fix }) ?? entry;
  const out: ReceiptExplanation = { status };
  if (st) {
    out.statusMeaning = { zh: st.zh, en: st.en };
    // (only as the E-Port's negative status, as status reads it: customs' own 100 naming such a code stays rejected)
    out.outcome = entry?.reachedCustoms && status.startsWith('-') ? 'pending' : st.outcome;
  }
  if (anywhere)
    out.otherReceipts = { receipts: receiptsOfStatus(anywhere), meaning: { zh: anywhere.zh, en: anywhere.en } };
  if (code !== undefined) out.code = code;
  if (ce) out.codeMeaning = { zh: ce.zh, en: ce.en };
  if (ce?.cause) out.cause = ce.cause;
  // A status of other receipts: what its code advises presumes that status, so the advice is to check the receipt.
  const fix = anywhere
    ? {
        zh: `核对该回执是否为海关对此单据发出的原始回执（回执类型与状态是否被另一系统改写或混用）；向申报地海关或数据中心核实；在弄清之前，不要把该单据当作${anywhere.zh}处理`,
        en: `Check that this is the receipt customs sent for this document (not a status another system copied into it or a receipt of another kind); ask the declaring customs office or the data centre; until then do not treat the document as ${anywhere.en.toLowerCase()}`,
      }
    : (ce?.fix ?? st?.fix);
  if (fix) out.fix = fix;
  if (issue) out.issue = issue;
  return out;
}
