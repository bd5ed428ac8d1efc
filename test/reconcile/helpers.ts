import { join } from 'node:path';
import { Dec } from '../../src/model/primitives.js';
import {
  type ReconcileRow,
  type ReconcileTotals,
  scanCebText,
  type ScannedDocument,
  type TaxBill,
} from '../../src/reconcile/index.js';
import { toBillRecord } from '../../src/reconcile/records.js';
import { addToTotals, emptyTotals, type TotalsAccumulator } from '../../src/reconcile/totals.js';
import { createTaxCalculator } from '../../src/rules/tax-calculator.js';
import { parseRateTable } from '../../src/tax/rates.js';
import { generate, memorySink, RATES, type Calculate, type Expected } from './generator.js';

/** The calculator every reconciliation test uses: the example rate table before the bundled one. */
export const calculate = createTaxCalculator({ rates: parseRateTable(RATES, 'rates.json') });

/** A generated data set held in memory. */
export interface MemoryData {
  expected: Expected;
  files: Map<string, string>;
  declarations: unknown[];
  documents: ScannedDocument[];
}

/** Generates `orders` orders in memory and scans their XML files. */
export function memoryData(orders: number, billsPerFile = 7): MemoryData {
  const sink = memorySink();
  const expected = generate('/data', sink, { orders, calculate: calculate as unknown as Calculate, billsPerFile });
  const declarations = (sink.files.get('/data/declarations.ndjson') ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
  const documents: ScannedDocument[] = [];
  for (const [name, text] of [...sink.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.endsWith('.xml')) documents.push(...scanCebText(text).documents);
  }
  return { expected, files: sink.files, declarations, documents };
}

/** `sandan reconcile` arguments for a folder written by generate(): its declarations, bills, receipts and rates. */
export function reconcileArgs(dir: string): string[] {
  return [
    'reconcile',
    '--declarations',
    join(dir, 'declarations.ndjson'),
    '--tax-bills',
    join(dir, 'bills'),
    '--receipts',
    join(dir, 'receipts'),
    '--rates',
    join(dir, 'rates.json'),
  ];
}

/** A CEB816 `TaxHeadRd` as a {@link TaxBill} value, as a caller of reconcile() would give it; undefined when unusable. */
export function taxBillOf(head: Record<string, unknown>): TaxBill | undefined {
  const c = toBillRecord(head);
  if (!c.ok) return undefined;
  const b = c.value;
  return {
    ...b,
    customsTax: new Dec(b.customsTax),
    valueAddedTax: new Dec(b.valueAddedTax),
    consumptionTax: new Dec(b.consumptionTax),
  };
}

/** Totals the plain way, one row at a time (what CellTotals must agree with). */
export function totalsOfRows(rows: Iterable<ReconcileRow>): TotalsAccumulator {
  const acc: TotalsAccumulator = { all: emptyTotals(), byMonth: new Map(), byDistrict: new Map() };
  const totalsIn = (map: Map<string, ReconcileTotals>, key: string): ReconcileTotals => {
    if (!map.has(key)) map.set(key, emptyTotals());
    return map.get(key)!;
  };
  for (const row of rows) {
    addToTotals(acc.all, row);
    addToTotals(totalsIn(acc.byMonth, row.month), row);
    addToTotals(totalsIn(acc.byDistrict, row.district), row);
  }
  return acc;
}
