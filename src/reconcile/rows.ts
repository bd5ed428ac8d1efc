import type { Decimal } from 'decimal.js';
import { Dec } from '../model/primitives.js';
import { declarationRow, type DeclarationFacts, type JoinAnswer } from './facts.js';
import { money, rowJSON } from './json.js';
import type { StoredMismatch } from './store.js';
import type { ReconcileTotalsJSON } from './json.js';
import { CellTotals } from './totals.js';
import type { ReconcileRow } from './types.js';

/** Rows of a batch as they are spooled: JSON texts, mismatch entries, and the batch's totals per month and district. */
export interface RowBatch {
  rows: string[];
  mismatches: Array<{ entry: StoredMismatch; sortKey: number }>;
  cells: Array<{ month: string; district: string; totals: ReconcileTotalsJSON }>;
  /** Declarations that could not be read (a broken NDJSON line): their row in the batch, line and issue message. */
  unreadable?: Array<{ row: number; line?: number | undefined; message: string }>;
}

/** Sort key of a mismatch: absolute amount in units of 0.00001 (exact for amounts below 9e10). */
function sortKey(amount: Decimal): number {
  return amount.abs().times(100000).round().toNumber();
}

/** Spool form of decided rows (pure). */
export function rowBatchOf(rows: readonly ReconcileRow[]): RowBatch {
  const cells = new CellTotals();
  const texts: string[] = new Array(rows.length);
  const mismatches: RowBatch['mismatches'] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    cells.add(row);
    texts[i] = JSON.stringify(rowJSON(row));
    for (const m of row.mismatches)
      mismatches.push({
        entry: { orderNo: row.orderNo ?? '', invtNo: row.invtNo, kind: m.kind, amount: money(m.amount) },
        sortKey: sortKey(m.amount),
      });
  }
  return { rows: texts, mismatches, cells: cells.data() };
}

/** Decides the rows of a batch of declarations from their facts and the index's answers (pure; worker threads run it). */
export function declarationRowBatch(
  facts: readonly DeclarationFacts[],
  answers: ReadonlyArray<JoinAnswer | undefined>,
  tolerance: Decimal.Value = 0,
): RowBatch {
  const tol = new Dec(tolerance);
  const rows: ReconcileRow[] = new Array(facts.length);
  const unreadable: NonNullable<RowBatch['unreadable']> = [];
  for (let i = 0; i < facts.length; i++) {
    const f = facts[i]!;
    rows[i] = declarationRow(f, answers[i], tol);
    if (f.unreadable !== undefined) unreadable.push({ row: i, line: f.line, message: f.problem ?? f.unreadable });
  }
  const batch = rowBatchOf(rows);
  if (unreadable.length) batch.unreadable = unreadable;
  return batch;
}
