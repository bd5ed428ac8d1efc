import { join } from 'node:path';
import { scanCebText, type ScannedDocument } from '../../src/reconcile/index.js';
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
