/*
 * The inventory cancel (CEB623, 撤销申请单) and the return (CEB625, 退货申请单) of a declared inventory. Both repeat
 * the inventory's head under the same names (海关总署, 海关跨境电商统一版系统企业对接报文规范（202205版）, InvtCancel
 * and InvtRefundHead; its 2022-05 import XSD, 海关跨境进口业务节点报文定义202205.xsd), and customs compares them with
 * the inventory its invtNo names. So the fields are taken from the message's own schema (BUILDABLE), not listed
 * again here: every field of the cancel or return that the inventory has, but those that are the application's own.
 * The documents go through buildMessage and the signers like any other.
 */
import { Decimal } from 'decimal.js';
import { SandanError } from '../errors.js';
import type { Issue } from '../model/issue.js';
import { checkArgument, describeInput, isRecord, ownValue } from '../model/guards.js';
import { toDecimal } from '../model/primitives.js';
import type { InvtCancel, InvtRefund, InvtRefundItem } from '../model/generated/other-documents.js';
import { XML_BUILD_RULE_ID } from './issues.js';
import { BUILDABLE } from './messages.js';
import { catalogueHelp } from './receipts.js';

/**
 * Fields of a cancel or return that are the application's own, never the inventory's: its envelope (a new guid,
 * appTime, appType and appStatus of its own), its enterprise number (copNo: CEB624 and CEB626 echo it as the
 * application's), its E-Port pre-entry number (preNo, given in their receipts) and its note.
 */
const OWN = new Set(['guid', 'appType', 'appTime', 'appStatus', 'copNo', 'preNo', 'note', 'reason', 'items']);

/** What only the caller knows of a cancel (CEB623) or a return (CEB625). */
export interface InvtCancelFill {
  /** 撤单原因 / 退货原因 (C..1000, required). */
  reason: string;
  /**
   * The inventory's number (清单编号), from customs' CEB622 (120 or later): required unless the inventory given
   * carries it.
   */
  invtNo?: string | undefined;
  /** The application's own enterprise number (企业内部编号, C..20), which its CEB624 or CEB626 names. */
  copNo?: string | undefined;
  /** The application's guid (36 characters); default a new one when the message is built. */
  guid?: string | undefined;
  /** 报送时间, yyyyMMddHHmmss in Beijing time; default the build's `appTime` or `now()`. */
  appTime?: string | undefined;
  /** 1 temp-save, 2 declare (default at build: 2). */
  appStatus?: '1' | '2' | undefined;
  note?: string | undefined;
}

/** One line of a return: the inventory line's gnum and how much of it comes back. */
export interface InvtRefundLine {
  /** 商品序号 of the inventory line (InventoryList gnum). */
  gnum: number;
  /** 数量 returned, in the line's unit: above 0 and at most the line's declared qty. */
  qty: Decimal | string | number;
  note?: string | undefined;
}

/** What only the caller knows of a return (CEB625): the application's fields and the lines returned. */
export interface InvtRefundFill extends InvtCancelFill {
  /** The lines returned; default every line of the inventory, whole (a full return). */
  items?: readonly InvtRefundLine[] | undefined;
}

type InventoryLike = Record<string, unknown> & { items?: unknown };

/** The inventory of a declaration, or the CEB621 inventory given itself. */
function inventoryOf(from: unknown, fn: string): InventoryLike {
  checkArgument(from, 'object', fn, 'the declaration (or its inventory)');
  const x = from as Record<string, unknown>;
  // A declaration holds its documents under their keys; an inventory holds none of them.
  if ('order' in x || 'inventory' in x) {
    const inventory = ownValue(x, 'inventory');
    if (!isRecord(inventory))
      throw new SandanError(
        'INVALID_OPTION',
        `${fn}: the declaration has no inventory (CEB621): a cancel or a return names the inventory customs took`,
      );
    return inventory as InventoryLike;
  }
  return x as InventoryLike;
}

/** The head of a cancel or return: the schema's fields the inventory has, then what the caller gave. */
function headOf(
  schema: { shape: Record<string, unknown> },
  inventory: InventoryLike,
  fill: InvtCancelFill,
  fn: string,
): Record<string, unknown> {
  checkArgument(fill, 'object', fn, 'the fill ({ reason, invtNo?, copNo?, … })');
  // (a reason that is no text is the caller's code; an empty one is the buyer's words, an issue: reasonIssues)
  if (typeof fill.reason !== 'string')
    throw new SandanError(
      'INVALID_OPTION',
      `${fn}: reason (撤单原因 / 退货原因) must be text, got ${describeInput(fill.reason)}`,
    );
  const head: Record<string, unknown> = {};
  for (const field of Object.keys(schema.shape)) {
    if (OWN.has(field)) continue;
    const v = ownValue(inventory, field);
    if (v !== undefined && v !== null && v !== '') head[field] = v;
  }
  const invtNo = fill.invtNo ?? head.invtNo;
  if (typeof invtNo !== 'string' || invtNo === '')
    throw new SandanError(
      'INVALID_OPTION',
      `${fn}: invtNo is needed: the inventory carries none; give the 清单编号 customs sent in its CEB622 (120 or later)`,
    );
  head.invtNo = invtNo;
  for (const k of ['guid', 'appTime', 'appStatus', 'copNo', 'note'] as const)
    if (fill[k] !== undefined) head[k] = fill[k];
  head.reason = fill.reason;
  return head;
}

/**
 * The inventory cancel (CEB623 撤销申请单, InvtCancel) of a declaration's inventory, or of the CEB621 inventory given,
 * as a result: customsCode, orderNo, the platform, the e-commerce enterprise, the waybill, the buyer and the declaring
 * agent as the inventory has them, the invtNo, and what the caller gives (reason, copNo, appTime, guid). Build it with
 * `buildMessage('CEB623', doc, options)` and sign it (the XSD requires ds:Signature). A field the inventory lacks is
 * left out, and the build reports it. The reason is the buyer's words, data: one empty or white space only is an
 * issue (`cancel-no-reason`, path `reason`). Misuse throws `INVALID_OPTION`: no inventory, a reason that is not text,
 * no invtNo.
 */
export function tryInvtCancelOf(from: unknown, fill: InvtCancelFill): InvtCancelResult {
  return cancelOf(from, fill, 'tryInvtCancelOf');
}

/**
 * The inventory cancel (CEB623) of a declaration's inventory, as {@link tryInvtCancelOf} makes it, for a reason known
 * to be given. Throws `INVALID_OPTION` without a reason (empty or white space: tryInvtCancelOf's issue, its path as
 * `details.field`) or an invtNo: for a buyer's request, use tryInvtCancelOf and answer with its issues.
 */
export function invtCancelOf(from: unknown, fill: InvtCancelFill): InvtCancel {
  const fn = 'invtCancelOf';
  return orThrow(cancelOf(from, fill, fn), fn);
}

function cancelOf(from: unknown, fill: InvtCancelFill, fn: string): InvtCancelResult {
  const inventory = inventoryOf(from, fn);
  const head = headOf(BUILDABLE.CEB623.documentSchema as never, inventory, fill, fn);
  const issues = reasonIssues(fill.reason, 'cancel');
  return issues.length > 0 ? { ok: false, issues } : { ok: true, data: head as InvtCancel, issues: [] };
}

/** The document of a result, or its first issue thrown as `INVALID_OPTION` (its path as `details.field`). */
function orThrow<T>(r: { ok: true; data: T } | { ok: false; issues: Issue[] }, fn: string): T {
  if (r.ok) return r.data;
  const [first] = r.issues as [Issue];
  throw new SandanError('INVALID_OPTION', `${fn}: ${first.message.en}`, { details: { field: first.path } });
}

/** The application a reason is of: its issue code and its name in the two languages. */
const REASON_OF = {
  cancel: { code: 'cancel-no-reason', zh: '撤单', en: 'cancel' },
  return: { code: 'return-no-reason', zh: '退货', en: 'return' },
} as const;

/** The issue of a reason that says nothing (empty, or white space only): the buyer's words are required (C..1000). */
function reasonIssues(reason: string, kind: keyof typeof REASON_OF): Issue[] {
  if (reason.trim() !== '') return [];
  const { code, zh, en } = REASON_OF[kind];
  return [
    applicationIssue(
      code,
      'reason',
      `${zh}原因（reason）为空，实为 ${describeInput(reason)}；请填写买家${zh}的原因`,
      `reason (${zh}原因) is empty, got ${describeInput(reason)}; give the buyer's reason for the ${en}`,
    ),
  ];
}

/** What an issue code of {@link RETURN_ISSUE_CODES} means, in both languages. */
export interface ReturnIssueCodeInfo {
  readonly zh: string;
  readonly en: string;
}

/**
 * Every code {@link tryInvtRefundOf} reports for lines of a return that cannot be returned (rule id `xml/build`,
 * severity error, the path into the fill: `items[1].qty`). The codes are stable: added, never renamed. docs/xml.md
 * lists them; a test holds the list to this table.
 */
export const RETURN_ISSUE_CODES = {
  '-625209': {
    zh: '退货表体在原清单中不存在：gnum 不是原清单的商品序号（电子口岸以此退回）',
    en: 'A gnum that is no line of the inventory (the E-Port refuses the return with it)',
  },
  'return-line-twice': {
    zh: '同一商品序号退货两次；每行只给一次，数量为该行退货的总数',
    en: 'A gnum given twice; give each line once, with the whole quantity returned',
  },
  'return-qty-not-positive': {
    zh: '退货数量不是大于 0 的数（N19,5：至多 5 位小数）',
    en: 'A quantity returned that is not a number above 0 (N19,5: at most 5 decimal places)',
  },
  'return-qty-over': {
    zh: '退货数量超过原清单该行的申报数量',
    en: "A quantity returned above the line's declared qty",
  },
  'return-no-lines': {
    zh: '退货申请单没有表体（items 为空）',
    en: 'A return without lines (items is empty)',
  },
  'return-no-reason': {
    zh: '退货原因为空（reason 为空或只有空白）',
    en: 'A return without a reason (reason is empty or white space only)',
  },
} as const satisfies Readonly<Record<string, ReturnIssueCodeInfo>>;

/** A code of {@link RETURN_ISSUE_CODES}. */
export type ReturnIssueCode = keyof typeof RETURN_ISSUE_CODES;

/**
 * Every code {@link tryInvtCancelOf} reports for a cancel that cannot be applied for (rule id `xml/build`, severity
 * error, the path into the fill). The codes are stable: added, never renamed. docs/xml.md lists them; a test holds
 * the list to this table.
 */
export const CANCEL_ISSUE_CODES = {
  'cancel-no-reason': {
    zh: '撤单原因为空（reason 为空或只有空白）',
    en: 'A cancel without a reason (reason is empty or white space only)',
  },
} as const satisfies Readonly<Record<string, ReturnIssueCodeInfo>>;

/** A code of {@link CANCEL_ISSUE_CODES}. */
export type CancelIssueCode = keyof typeof CANCEL_ISSUE_CODES;

/** What {@link tryInvtCancelOf} gives: the cancel, or why it cannot be applied for. */
export type InvtCancelResult =
  | { ok: true; data: InvtCancel; issues: Issue[] }
  | { ok: false; data?: undefined; issues: Issue[] };

/** What {@link tryInvtRefundOf} gives: the return, or why the lines asked for cannot be returned. */
export type InvtRefundResult =
  | { ok: true; data: InvtRefund; issues: Issue[] }
  | { ok: false; data?: undefined; issues: Issue[] };

function applicationIssue(code: ReturnIssueCode | CancelIssueCode, path: string, zh: string, en: string): Issue {
  const issue: Issue = { code, severity: 'error', path, ruleId: XML_BUILD_RULE_ID, message: { zh, en } };
  const help = catalogueHelp(code);
  if (help) issue.help = help;
  return issue;
}

/**
 * The return (CEB625 退货申请单, InvtRefundHead and InvtRefundList) of a declaration's inventory, or of the CEB621
 * inventory given, as a result: its head as {@link invtCancelOf} makes it, and a line for each line returned, with
 * the gnum, gcode, gname and unit of the inventory line (customs matches them: -625209) and the quantity returned.
 * Without `items`, every line comes back whole. The lines are the buyer's request, data: a line the inventory does
 * not have (`-625209`), one given twice (`return-line-twice`), a quantity not above 0 (`return-qty-not-positive`)
 * or above the line's declared qty (`return-qty-over`), an empty list (`return-no-lines`), and a reason that is
 * empty or white space (`return-no-reason`, path `reason`: the buyer's own words, as the lines are) are issues, every
 * one found, each with its path in the fill (`items[1].qty`). Misuse throws `INVALID_OPTION`: no inventory, a reason
 * that is not text, no invtNo, `items` not a list or a line not an object.
 */
export function tryInvtRefundOf(from: unknown, fill: InvtRefundFill): InvtRefundResult {
  return refundOf(from, fill, 'tryInvtRefundOf');
}

/**
 * The return (CEB625) of a declaration's inventory, as {@link tryInvtRefundOf} makes it, for lines known to be
 * returnable. Throws `INVALID_OPTION` where tryInvtRefundOf reports an issue (its first, with its path as
 * `details.field`): for a buyer's request, use tryInvtRefundOf and answer with its issues.
 */
export function invtRefundOf(from: unknown, fill: InvtRefundFill): InvtRefund {
  const fn = 'invtRefundOf';
  return orThrow(refundOf(from, fill, fn), fn);
}

function refundOf(from: unknown, fill: InvtRefundFill, fn: string): InvtRefundResult {
  const inventory = inventoryOf(from, fn);
  const schema = BUILDABLE.CEB625.documentSchema as unknown as {
    shape: Record<string, unknown> & { items: { element: { shape: Record<string, unknown> } } };
  };
  const head = headOf(schema, inventory, fill, fn);
  const lines = Array.isArray(inventory.items) ? (inventory.items as Array<Record<string, unknown>>) : [];
  const byGnum = new Map(lines.filter(isRecord).map((l) => [Number(l.gnum), l]));
  if (fill.items !== undefined) checkArgument(fill.items, 'list', fn, 'items');
  const wanted: readonly InvtRefundLine[] =
    fill.items ?? lines.filter(isRecord).map((l) => ({ gnum: Number(l.gnum), qty: l.qty as string }));
  // A line that is no object is the caller's code, not the buyer's data.
  wanted.forEach((w, i) => {
    if (!isRecord(w)) throw new SandanError('INVALID_OPTION', `${fn}: items[${i}] must be { gnum, qty }`);
  });
  const issues = reasonIssues(fill.reason, 'return');
  if (wanted.length === 0) {
    issues.push(
      applicationIssue('return-no-lines', 'items', '退货申请单至少需要一行表体', 'a return needs at least one line'),
    );
    return { ok: false, issues };
  }
  const seen = new Set<number>();
  const itemFields = Object.keys(schema.shape.items.element.shape).filter((f) => f !== 'qty' && f !== 'note');
  const items: InvtRefundItem[] = [];
  for (const [i, w] of wanted.entries()) {
    const gnum = Number(w.gnum);
    const line = byGnum.get(gnum);
    if (line === undefined) {
      const gnums = [...byGnum.keys()].join(', ');
      issues.push(
        applicationIssue(
          '-625209',
          `items[${i}].gnum`,
          `商品序号 ${describeInput(w.gnum)} 不是原清单的表体（其商品序号：${gnums}）`,
          `items[${i}].gnum ${describeInput(w.gnum)} is no line of the inventory (its gnums: ${gnums})`,
        ),
      );
      continue;
    }
    if (seen.has(gnum)) {
      issues.push(
        applicationIssue(
          'return-line-twice',
          `items[${i}].gnum`,
          `商品序号 ${gnum} 退货两次；每行只给一次，数量为该行退货的总数`,
          `items[${i}].gnum ${gnum} is returned twice; give each line once, with the whole quantity`,
        ),
      );
      continue;
    }
    seen.add(gnum);
    const qty = toDecimal(w.qty);
    const declared = toDecimal(line.qty);
    const over = qty !== undefined && declared !== undefined && qty.gt(declared);
    if (qty === undefined || qty.lte(0) || over) {
      issues.push(
        applicationIssue(
          over ? 'return-qty-over' : 'return-qty-not-positive',
          `items[${i}].qty`,
          `退货数量须大于 0 且不超过原清单第 ${gnum} 项申报的 ${declared?.toFixed() ?? '?'}，实为 ${describeInput(w.qty)}`,
          `items[${i}].qty must be above 0 and at most the ${declared?.toFixed() ?? '?'} the inventory declared of line ${gnum}, got ${describeInput(w.qty)}`,
        ),
      );
      continue;
    }
    const item: Record<string, unknown> = {};
    for (const f of itemFields) if (line[f] !== undefined) item[f] = line[f];
    item.gnum = gnum;
    item.qty = new Decimal(qty);
    if (w.note !== undefined) item.note = w.note;
    items.push(item as unknown as InvtRefundItem);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, data: { ...head, items } as InvtRefund, issues: [] };
}
