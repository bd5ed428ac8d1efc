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

describe('the words of a mismatch kind', () => {
  it('are the labels of the one table (KIND_LABELS), and declared is named as the withheld total is', async () => {
    const output = await import('../../src/reconcile/output.js');
    const withheld = output.AMOUNT_LABELS.find(([k]) => k === 'declaredTaxTotal')![1];
    // CEB311 OrderHead taxTotal is 代扣税款 (XSD); CEB816 bills carry no total, only 应征关税/消费税/增值税.
    expect(output.KIND_LABELS.declared).toEqual(withheld);
    expect(output.KIND_LABELS.declared[0]).toBe('代扣税款');
  });

  it('STATUS_LABELS and NO_ORDER_LABEL are not exported (nothing outside output.ts reads them)', async () => {
    const output: Record<string, unknown> = await import('../../src/reconcile/output.js');
    expect(Object.keys(output)).not.toContain('STATUS_LABELS');
    expect(Object.keys(output)).not.toContain('NO_ORDER_LABEL');
  });

  it('the waterfall causes that are statuses read as their counts (COUNT_LABELS), in WATERFALL_CAUSES order', async () => {
    const { WATERFALL_LABELS, COUNT_LABELS } = await import('../../src/reconcile/output.js');
    const { WATERFALL_CAUSES } = await import('../../src/reconcile/types.js');
    expect(Object.keys(WATERFALL_LABELS)).toEqual([...WATERFALL_CAUSES]);
    const count = (k: string) => COUNT_LABELS.find(([c]) => c === k)![1];
    expect(WATERFALL_LABELS.mismatch).toEqual(count('mismatched'));
    expect(WATERFALL_LABELS['bill-missing']).toEqual(count('billMissing'));
    expect(WATERFALL_LABELS['not-computed']).toEqual(count('notComputed'));
    expect(WATERFALL_LABELS.rounding).toEqual(['相符（分位舍入）', 'matched (rounding)']);
  });
});
