import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecords } from '../../src/cli/input.js';
import {
  MemoryStore,
  openSqliteStore,
  readCebDocuments,
  reconcile,
  reconcileBalanced,
  reconcileFiles,
  reportJsonChunks,
  reportTextChunks,
  type ReconcileReport,
  type ReconcileStore,
  type TaxBill,
} from '../../src/reconcile/index.js';
import { runCli } from '../helpers/cli.js';
import { RATES as GENERATED_RATES } from './generator.js';
import { calculate, taxBillOf } from './helpers.js';

// Customs delivered the tax bill of one taxNo twice, and the copies disagree: the second says
// VAT 21.37 (status 2) where the first said 21.73 (status 1). The first copy matches the order, so
// the month read as balanced while finance held two contradictory bills. The other taxNo comes
// again too, its amounts written with other zeros (0, 31.760, 0.0): the same bill, a quiet duplicate.
const FIXTURES = 'test/fixtures/conflicting-bills/bills';
const FIRST = join(FIXTURES, 'CEB816-1-first.xml');
const AGAIN = join(FIXTURES, 'CEB816-2-again.xml');
const RATES = 'examples/finance/2026-11/rates.json';

const dir = mkdtempSync(join(tmpdir(), 'sandan-conflicting-bills-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Orders 1 and 2 of the example month: inventories 31052026I000000001 (VAT 31.76) and 22442026I000000002 (VAT 21.73).
const DECLARATIONS = join(dir, 'declarations.ndjson');
const lines = readFileSync('examples/finance/2026-11/declarations.ndjson', 'utf8').split('\n');
writeFileSync(DECLARATIONS, `${lines[1]}\n${lines[2]}\n`);

/** The problem for the fixtures read as `first`, then `again` (the taxNo is the second bill of each file). */
const problem = (first: string, again: string, differences: string) =>
  `CEB816 taxNo 22442026I00000000201 came twice with different content: first in ${first}, bill 2, ` +
  `again in ${again}, bill 2; ${differences}; the report uses the first copy`;
const PROBLEM = problem(FIRST, AGAIN, 'valueAddedTax 21.73 then 21.37');
/** The quiet duplicate (bill 1 of each file, its amounts written with other zeros), named after the conflict. */
const repeat = (first: string, again: string) =>
  `CEB816 taxNo 31052026I00000000101 came twice: first in ${first}, bill 1, again in ${again}, bill 1; ` +
  'the copies agree (inventory, order, amounts), counted once';
const REPEAT = repeat(FIRST, AGAIN);

const workerUrl = new URL('../../dist/reconcile/worker.js', import.meta.url);
// The example rate table, which the helpers' calculator reads too (the month's rates.json is a copy of it).
const rateTables = [{ data: GENERATED_RATES, source: RATES }];

async function files(
  documents: string[],
  workers: number,
  store: ReconcileStore,
): Promise<{ report: ReconcileReport; json: string; text: string }> {
  try {
    const report = await reconcileFiles({
      declarations: DECLARATIONS,
      documents,
      rateTables,
      workers,
      workerUrl,
      store,
    });
    return { report, json: [...reportJsonChunks(report)].join(''), text: [...reportTextChunks(report)].join('') };
  } finally {
    store.close();
  }
}

const stores: Array<[string, () => Promise<ReconcileStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['sqlite', () => openSqliteStore()],
];

describe.each(stores)('a taxNo billed twice with different content (%s index)', (_, open) => {
  it.each([0, 2])('with %i workers: named in problems, counted, and the month is not balanced', async (workers) => {
    const { report, json, text } = await files([FIRST, AGAIN], workers, await open());
    const s = report.summary;
    // The figures are the first copy's: both orders matched, billed 31.76 + 21.73 = 53.49.
    expect([s.matched, s.orders, s.billedTaxTotal.toFixed(2)]).toEqual([2, 2, '53.49']);
    expect(s.inputs).toMatchObject({ bills: 4, duplicateBills: 2, conflictingBills: 1, unreadableDocuments: 0 });
    expect(report.problems).toEqual([PROBLEM, REPEAT]);
    expect(reconcileBalanced(s)).toBe(false);
    const j = JSON.parse(json) as { summary: { inputs: { conflictingBills: number }; problems: string[] } };
    expect(j.summary.inputs.conflictingBills).toBe(1);
    expect(j.summary.problems).toEqual([PROBLEM, REPEAT]);
    expect(text).toContain('4 bills (2 duplicates, 1 of them conflicting)');
    expect(text).toContain(`problems in the inputs:\n  ${PROBLEM}\n  ${REPEAT}\n`);
  });
});

describe('conflicting copies of a taxNo', () => {
  it('the first file alone balances (the fixtures are otherwise a balanced month)', async () => {
    const { report, text } = await files([FIRST], 0, new MemoryStore());
    expect(report.problems).toEqual([]);
    expect(report.summary.inputs.conflictingBills).toBe(0);
    expect(reconcileBalanced(report.summary)).toBe(true);
    expect(text).toContain('2 bills (0 duplicates), 0 bill statuses, 0 receipts');
  });

  it('read the other way round, the other copy is first: its figures are used and the problem says so', async () => {
    const { report } = await files([AGAIN, FIRST], 2, await openSqliteStore());
    expect(report.problems).toEqual([problem(AGAIN, FIRST, 'valueAddedTax 21.37 then 21.73'), repeat(AGAIN, FIRST)]);
    // Order 2 now reads the bill of 21.37 against 21.73 withheld.
    expect([report.summary.matched, report.summary.mismatched]).toEqual([1, 1]);
  });

  it('reconcile() over readCebDocuments names the files as reconcileFiles() does, and writes the same JSON', async () => {
    const declarations = readRecords(Readable.from([readFileSync(DECLARATIONS)]), { ndjson: true });
    const store = new MemoryStore();
    try {
      const report = await reconcile(
        { declarations, documents: readCebDocuments([FIRST, AGAIN]) },
        { calculate, store },
      );
      expect(report.problems).toEqual([PROBLEM, REPEAT]);
      const want = await files([FIRST, AGAIN], 2, await openSqliteStore());
      expect([...reportJsonChunks(report)].join('')).toBe(want.json);
    } finally {
      store.close();
    }
  });

  it('reconcile() over bills given as values names their place in inputs.bills', async () => {
    const bills: TaxBill[] = [];
    for await (const d of readCebDocuments([FIRST, AGAIN])) {
      const b = taxBillOf(d.fields);
      if (b) bills.push(b);
    }
    const report = await reconcile({ declarations: [], bills }, { calculate });
    expect(report.problems).toEqual([
      // With no declaration, nothing was compared: said first, before the conflicts.
      'No declaration was read (the declarations input is empty, or could not be used): nothing was compared with the bills',
      PROBLEM.replace(`${FIRST}, bill 2`, 'inputs.bills, bill 2').replace(`${AGAIN}, bill 2`, 'inputs.bills, bill 4'),
      REPEAT.replace(`${FIRST}, bill 1`, 'inputs.bills, bill 1').replace(`${AGAIN}, bill 1`, 'inputs.bills, bill 3'),
    ]);
    expect(reconcileBalanced(report.summary)).toBe(false);
  });
});

describe('sandan reconcile: conflicting copies of a taxNo', () => {
  const args = ['reconcile', '--declarations', DECLARATIONS, '--tax-bills', FIXTURES, '--rates', RATES, '--quiet'];
  it.each([
    ['json', 'memory', '0'],
    ['text', 'sqlite', '2'],
    ['html', 'sqlite', '0'],
  ])(
    '--format %s --index %s --workers %s: the problem is in the report and the exit code is 1',
    async (format, index, workers) => {
      const r = await runCli([...args, '--format', format, '--index', index, '--workers', workers]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      if (format === 'json') {
        const j = JSON.parse(r.stdout) as { summary: { inputs: { conflictingBills: number }; problems: string[] } };
        expect(j.summary.inputs.conflictingBills).toBe(1);
        expect(j.summary.problems).toEqual([PROBLEM, REPEAT]);
      } else if (format === 'text') expect(r.stdout).toContain(`problems in the inputs:\n  ${PROBLEM}\n  ${REPEAT}\n`);
      else {
        expect(r.stdout).toContain(`<li>${PROBLEM}</li><li>${REPEAT}</li>`);
        expect(r.stdout).toContain('4 bills (2 duplicates, 1 of them conflicting)');
      }
    },
  );
});
