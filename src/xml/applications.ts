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
import { checkArgument, describeInput, isRecord, ownValue } from '../model/guards.js';
import { toDecimal } from '../model/primitives.js';
import type { InvtCancel, InvtRefund, InvtRefundItem } from '../model/generated/other-documents.js';
import { BUILDABLE } from './messages.js';

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
  if (typeof fill.reason !== 'string' || fill.reason.trim() === '')
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
 * The inventory cancel (CEB623 撤销申请单, InvtCancel) of a declaration's inventory, or of the CEB621 inventory given:
 * customsCode, orderNo, the platform, the e-commerce enterprise, the waybill, the buyer and the declaring agent as the
 * inventory has them, the invtNo, and what the caller gives (reason, copNo, appTime, guid). Build it with
 * `buildMessage('CEB623', doc, options)` and sign it (the XSD requires ds:Signature). A field the inventory lacks is
 * left out, and the build reports it. Throws `INVALID_OPTION` without a reason or an invtNo.
 */
export function invtCancelOf(from: unknown, fill: InvtCancelFill): InvtCancel {
  const inventory = inventoryOf(from, 'invtCancelOf');
  return headOf(BUILDABLE.CEB623.documentSchema as never, inventory, fill, 'invtCancelOf') as InvtCancel;
}

/**
 * The return (CEB625 退货申请单, InvtRefundHead and InvtRefundList) of a declaration's inventory, or of the CEB621
 * inventory given: its head as {@link invtCancelOf} makes it, and a line for each line returned, with the gnum,
 * gcode, gname and unit of the inventory line (customs matches them: -625209) and the quantity returned. Without
 * `items`, every line comes back whole. Throws `INVALID_OPTION` for a line the inventory does not have, one given
 * twice, or a quantity of 0 or above the line's declared qty.
 */
export function invtRefundOf(from: unknown, fill: InvtRefundFill): InvtRefund {
  const fn = 'invtRefundOf';
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
  if (wanted.length === 0) throw new SandanError('INVALID_OPTION', `${fn}: a return needs at least one line`);
  const seen = new Set<number>();
  const itemFields = Object.keys(schema.shape.items.element.shape).filter((f) => f !== 'qty' && f !== 'note');
  const items: InvtRefundItem[] = wanted.map((w, i) => {
    if (!isRecord(w)) throw new SandanError('INVALID_OPTION', `${fn}: items[${i}] must be { gnum, qty }`);
    const line = byGnum.get(Number(w.gnum));
    if (line === undefined || seen.has(Number(w.gnum)))
      throw new SandanError(
        'INVALID_OPTION',
        line === undefined
          ? `${fn}: items[${i}].gnum ${describeInput(w.gnum)} is no line of the inventory (its gnums: ${[...byGnum.keys()].join(', ')})`
          : `${fn}: items[${i}].gnum ${w.gnum} is returned twice; give each line once, with the whole quantity`,
        { details: { field: `items[${i}].gnum` } },
      );
    seen.add(Number(w.gnum));
    const qty = toDecimal(w.qty);
    const declared = toDecimal(line.qty);
    if (qty === undefined || qty.lte(0) || (declared !== undefined && qty.gt(declared)))
      throw new SandanError(
        'INVALID_OPTION',
        `${fn}: items[${i}].qty must be above 0 and at most the ${declared?.toFixed() ?? '?'} the inventory declared of line ${w.gnum}, got ${describeInput(w.qty)}`,
        { details: { field: `items[${i}].qty` } },
      );
    const item: Record<string, unknown> = {};
    for (const f of itemFields) if (line[f] !== undefined) item[f] = line[f];
    item.gnum = Number(w.gnum);
    item.qty = new Decimal(qty);
    if (w.note !== undefined) item.note = w.note;
    return item as unknown as InvtRefundItem;
  });
  return { ...head, items } as InvtRefund;
}
