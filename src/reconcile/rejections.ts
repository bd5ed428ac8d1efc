import { mayRefuse } from './status/detectors.js';
import { status } from './status/status.js';
import type { StatusReceipt } from './status/types.js';
import type { FinalRecord, InventoryKeyLists, InventoryReceiptRecord, ReconcileStore } from './store.js';

/*
 * Which inventories customs rejected, as `sandan status` decides it: one rule, in one place. The index keeps every
 * CEB622 receipt (without an index on it); the keys of those that may refuse (100 退单, an E-Port refusal) are kept
 * here, and once the documents are in, the receipts sharing a key with them (and with those, …) are read back and
 * given to `status()`. An order whose state there is `rejected` is recorded under each of its inventory keys, as an
 * approved cancel is, so that the join finds it with the cancels and refunds it already looks up: a month without a
 * refusal reads nothing back, and no declaration pays for any of this.
 */

/**
 * Rounds of reading back receipts that share a key with those read: a rejected inventory declared again under its
 * copNo is reached in one, its later receipts naming only the new preNo or invtNo in two. Past this, a chain of keys
 * is cut (status would join further); no such chain is known from customs' receipts.
 */
const ROUNDS = 6;

/** The keys of CEB622 receipts that may refuse their inventory, gathered while the documents are read. */
export class RejectionSeeds {
  readonly copNo = new Set<string>();
  readonly preNo = new Set<string>();
  readonly invtNo = new Set<string>();

  /** Notes the keys of a CEB622 receipt when its status may refuse the inventory. */
  add(r: InventoryReceiptRecord): void {
    if (!mayRefuse(r.returnStatus, 'CEB622')) return;
    if (r.copNo) this.copNo.add(r.copNo);
    if (r.preNo) this.preNo.add(r.preNo);
    if (r.invtNo) this.invtNo.add(r.invtNo);
  }

  get size(): number {
    return this.copNo.size + this.preNo.size + this.invtNo.size;
  }
}

/** A kept receipt as `status()` reads a CEB622 document. */
function statusReceiptOf(r: InventoryReceiptRecord): StatusReceipt {
  return {
    messageType: 'CEB622',
    fields: {
      copNo: r.copNo,
      preNo: r.preNo,
      invtNo: r.invtNo,
      returnStatus: r.returnStatus,
      returnTime: r.returnTime,
      returnInfo: r.returnInfo,
    },
  };
}

/** The time status() is given: only its anomalies (acknowledgement, delivery) read the clock, and none is used here. */
const NO_CLOCK = new Date(0);

/**
 * The rejections to record: one `reject` record per key of each order `status()` finds `rejected` among the CEB622
 * receipts connected to `seeds`. None when no receipt may refuse, or the store keeps no receipts.
 */
export function rejectionFinals(store: ReconcileStore, seeds: RejectionSeeds): FinalRecord[] {
  if (seeds.size === 0 || !store.inventoryReceiptsOf) return [];
  const keys = { copNo: new Set(seeds.copNo), preNo: new Set(seeds.preNo), invtNo: new Set(seeds.invtNo) };
  const lists = (): InventoryKeyLists => ({ copNo: [...keys.copNo], preNo: [...keys.preNo], invtNo: [...keys.invtNo] });
  let receipts = store.inventoryReceiptsOf(lists());
  for (let round = 1; round < ROUNDS; round++) {
    const before = keys.copNo.size + keys.preNo.size + keys.invtNo.size;
    for (const r of receipts) {
      if (r.copNo) keys.copNo.add(r.copNo);
      if (r.preNo) keys.preNo.add(r.preNo);
      if (r.invtNo) keys.invtNo.add(r.invtNo);
    }
    if (keys.copNo.size + keys.preNo.size + keys.invtNo.size === before) break;
    receipts = store.inventoryReceiptsOf(lists());
  }
  const out: FinalRecord[] = [];
  for (const order of status(receipts.map(statusReceiptOf), { now: NO_CLOCK })) {
    if (order.state !== 'rejected') continue;
    for (const copNo of order.keys.copNo) out.push({ kind: 'reject', keys: { copNo } });
    for (const preNo of order.keys.preNo) out.push({ kind: 'reject', keys: { preNo } });
    for (const invtNo of order.keys.invtNo) out.push({ kind: 'reject', keys: { invtNo } });
  }
  return out;
}
