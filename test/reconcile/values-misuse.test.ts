import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dec } from '../../src/model/index.js';
import { reconcile, type TaxBill } from '../../src/reconcile/index.js';
import { calculate } from './helpers.js';

// reconcile() called from JavaScript with inputs of the wrong kind: each is misuse, a SandanError naming the input,
// never a verdict on something else nor a TypeError from inside.

// Order 1 of the example month: inventory 31052026I000000001, VAT 31.76.
const DECLARATION = JSON.parse(readFileSync('examples/finance/2026-11/declarations.ndjson', 'utf8').split('\n')[1]!);
const bill = (amount: (text: string) => unknown): TaxBill =>
  ({
    invtNo: '31052026I000000001',
    taxNo: 'T-1',
    returnTime: '20261120120000000',
    status: '1',
    customsCode: '3105',
    customsTax: amount('0'),
    consumptionTax: amount('0'),
    valueAddedTax: amount('31.76'),
  }) as TaxBill;

describe('reconcile() given values of the wrong kind', () => {
  it('the right bill, with Decimal amounts, matches (the cases below differ from it only in their mistake)', async () => {
    const report = await reconcile({ declarations: [DECLARATION], bills: [bill((t) => new Dec(t))] }, { calculate });
    expect([...report.rows()].map((r) => r.status)).toEqual(['matched']);
  });

  it('refuses a bill whose amounts are numbers: 31.76 was read as 32 (toFixed() of a number rounds to a whole one)', async () => {
    await expect(
      reconcile({ declarations: [DECLARATION], bills: [bill(Number)] }, { calculate }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message:
        "reconcile: inputs.bills[0].customsTax must be a Decimal (e.g. new Dec('12.5')), got 0 (bills read from XML have them: pass readCebDocuments(files) as inputs.documents)",
    });
  });

  it('refuses a bill whose amounts are text, and a bill that is no object, naming its place', async () => {
    await expect(
      reconcile({ declarations: [], bills: [bill((t) => new Dec(t)), bill(String)] }, { calculate }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^reconcile: inputs\.bills\[1\]\.customsTax must be a Decimal/),
    });
    await expect(reconcile({ declarations: [], bills: [null as never] }, { calculate })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/^reconcile: inputs\.bills\[0\] must be an object, got null/),
    });
  });

  it('refuses inputs given as text (a file read whole), which were read one declaration or bill per character', async () => {
    const text = readFileSync('examples/finance/2026-11/declarations.ndjson', 'utf8');
    for (const key of ['declarations', 'documents', 'bills', 'billStatuses', 'receipts'] as const)
      await expect(
        reconcile({ declarations: [], ...{ [key]: text } } as never, { calculate }),
        key,
      ).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(
          new RegExp(`^reconcile: inputs\\.${key} must be an iterable \\(e\\.g\\. an array\\), not a string`),
        ),
      });
  });
});
