import type { Decimal } from 'decimal.js';
import type { SandanError } from '../errors.js';
import type { TaxCalculation } from '../rules/tax-calculator.js';
import type { TaxFigures } from '../tax/compute.js';
import { untilAborted } from './abort.js';
import type { Join, ReconcileExecutor, ScanStep } from './driver.js';
import { declarationFacts, joinRequest, type DeclarationFacts } from './facts.js';
import { fileRecords, readBatch, type DeclarationBatch } from './jobs.js';
import { declarationRowBatch, type RowBatch } from './rows.js';

/** The executor that does all the work in this thread, one unit after the other. */
export class InThreadExecutor implements ReconcileExecutor {
  constructor(
    private readonly calculate: (input: unknown) => TaxCalculation<TaxFigures>,
    private readonly tolerance: Decimal.Value = 0,
    private readonly signal?: AbortSignal,
  ) {}

  async *scan(files: readonly string[]): AsyncGenerator<ScanStep> {
    for (const [file, path] of files.entries()) {
      this.signal?.throwIfAborted();
      let error: SandanError | undefined;
      try {
        for await (const records of fileRecords(path)) yield { file, chunk: { records } };
      } catch (e) {
        error = e as SandanError; // fileRecords throws the file's SandanError
      }
      yield { file, done: true, error };
    }
  }

  async *rows(batches: AsyncIterable<DeclarationBatch>, join: Join): AsyncGenerator<RowBatch> {
    let line = 1;
    for await (const batch of untilAborted(batches, this.signal)) {
      // Batches count their lines from 1; taken in order here, they are numbered here.
      const { records: facts, breaks } = readBatch(batch, line, (r) => declarationFacts(r, this.calculate));
      line += breaks;
      yield this.decide(facts, join);
    }
  }

  /** The rows of a batch of declaration facts, looked up with `join`. */
  decide(facts: readonly DeclarationFacts[], join: Join): RowBatch {
    return declarationRowBatch(facts, join(facts.map(joinRequest)), this.tolerance);
  }

  async close(): Promise<void> {}
}
