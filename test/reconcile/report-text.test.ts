import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  expandPaths,
  MemoryStore,
  reconcileFiles,
  reportJsonChunks,
  reportTextChunks,
} from '../../src/reconcile/index.js';

// The bundled month (examples/finance/2026-11) reconciled in this thread, its text report compared with a
// golden file: the columns, the labels and which lines appear. After an intended change:
// UPDATE_GOLDEN=1 npx vitest run test/reconcile/report-text.test.ts
const MONTH = 'examples/finance/2026-11';
const GOLDEN = new URL('../golden/reconcile-finance-2026-11.txt', import.meta.url);

describe('the text report of sandan reconcile', () => {
  it('of the bundled month is the golden file, and its figures are the JSON report’s', async () => {
    const report = await reconcileFiles({
      declarations: `${MONTH}/declarations.ndjson`,
      documents: await expandPaths([`${MONTH}/bills`, `${MONTH}/receipts`]),
      rateTables: [{ data: JSON.parse(readFileSync(`${MONTH}/rates.json`, 'utf8')), source: `${MONTH}/rates.json` }],
      workers: 0,
      store: new MemoryStore(),
    });
    const text = [...reportTextChunks(report)].join('');
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
    // The text and the JSON say the same totals.
    const json = JSON.parse([...reportJsonChunks(report)].join(''));
    for (const amount of [json.summary.declaredTaxTotal, json.summary.billedTaxTotal]) expect(text).toContain(amount);
  });
});
