/*
 * A misspelt option from JavaScript (`createValidator({ rate })`) was silently ignored, its default taken instead.
 * Every public entry point that takes an options object refuses a key it does not know, through one helper
 * (knownOptions), and names the option it likely meant.
 */
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  buildMessageTree,
  createTaxCalculator,
  createValidator,
  reconcile,
  reconcileFiles,
  signMessage,
  taxStream,
  validate,
  validateStream,
} from '../src/index.js';
import { MemoryQuotaStore, QuotaLedger } from '../src/quota/index.js';
import { renderReconcileHtml, renderStatusHtml, summaryToJSON } from '../src/reconcile/index.js';
import type { Signer } from '../src/sign/index.js';

const SENDER = { copCode: '3301980BRK', copName: 'x', dxpId: 'DXPENT0000012345' };
const SECRET = 'a-quota-secret-of-32-characters!';

/** What the call throws, as code and message (a SandanError). */
async function thrown(call: () => unknown): Promise<[string, string]> {
  try {
    await call();
  } catch (e) {
    const err = e as { name: string; code: string; message: string };
    expect(err.name).toBe('SandanError');
    return [err.code, err.message];
  }
  throw new Error('did not throw');
}

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items);
}

describe('an unknown option key is misuse, named with the option it likely meant', () => {
  it('createValidator({ rate }) names rates; validate and validateStream alike', async () => {
    const [code, message] = await thrown(() => createValidator({ rate: [] } as never));
    expect(code).toBe('INVALID_OPTION');
    expect(message).toMatch(
      /^createValidator: unknown option "rate" \(did you mean "rates"\?\); its options are district, /,
    );
    expect((await thrown(() => validate({}, { Distrct: 'x' } as never)))[1]).toMatch(
      /^validate: unknown option "Distrct" \(did you mean "district"\?\)/,
    );
    expect((await thrown(() => drain(validateStream([], { onProgres: () => {} } as never))))[1]).toMatch(
      /^validateStream: unknown option "onProgres" \(did you mean "onProgress"\?\)/,
    );
    // Far from every name: no guess. A key set to undefined is a misspelling all the same.
    expect((await thrown(() => createValidator({ zzzzzz: 1 } as never)))[1]).toMatch(
      /^createValidator: unknown option "zzzzzz"; its options are /,
    );
    expect((await thrown(() => createValidator({ rate: undefined } as never)))[1]).toMatch(/"rate"/);
    // The known ones still pass, an empty object and none at all too.
    expect(typeof createValidator({ district: undefined, rates: [] })).toBe('function');
    expect(typeof createValidator()).toBe('function');
  });

  it('createTaxCalculator and taxStream take the tax options only', async () => {
    expect(await thrown(() => createTaxCalculator({ explian: false } as never))).toEqual([
      'INVALID_OPTION',
      expect.stringMatching(/^createTaxCalculator: unknown option "explian" \(did you mean "explain"\?\)/),
    ]);
    // goodsRecords is a validator's option, not the calculator's: it read none of it.
    expect((await thrown(() => createTaxCalculator({ goodsRecords: {} } as never)))[1]).toMatch(/"goodsRecords"/);
    expect((await thrown(() => drain(taxStream([], { rate: [] } as never))))[1]).toMatch(
      /^taxStream: unknown option "rate" \(did you mean "rates"\?\)/,
    );
  });

  it('QuotaLedger (QUOTA_INVALID), reconcile and reconcileFiles', async () => {
    expect(
      await thrown(
        () => new QuotaLedger({ store: new MemoryQuotaStore(), secret: SECRET, reservationTTLMs: 1000 } as never),
      ),
    ).toEqual([
      'QUOTA_INVALID',
      expect.stringMatching(/^QuotaLedger: unknown option "reservationTTLMs" \(did you mean "reservationTtlMs"\?\)/),
    ]);
    const calculate = createTaxCalculator();
    expect(
      (
        await thrown(() => reconcile({ declarations: [], documents: [] }, { calculate, tolerence: '0.01' } as never))
      )[1],
    ).toMatch(/^reconcile: unknown option "tolerence" \(did you mean "tolerance"\?\)/);
    expect((await thrown(() => reconcileFiles({ declarations: 'x', documents: [], worker: 0 } as never)))[1]).toMatch(
      /^reconcileFiles: unknown option "worker" \(did you mean "workers"\?\)/,
    );
  });

  it('the pages, signMessage, buildMessage and buildMessageTree', async () => {
    const done = await reconcile({ declarations: [], documents: [] }, { calculate: createTaxCalculator() });
    const REPORT = { summary: { ...summaryToJSON(done.summary), mismatches: [] } };
    expect(
      (await thrown(() => renderReconcileHtml(REPORT as never, { echarts: '' }, { titel: 'x' } as never)))[1],
    ).toMatch(
      /^renderReconcileHtml: unknown option "titel" \(did you mean "title"\?\); its options are maxMismatchRows, title$/,
    );
    expect(
      (
        await thrown(() => renderStatusHtml({ now: '2026-12-01T00:00:00.000Z', orders: [] }, { Title: 'x' } as never))
      )[1],
    ).toMatch(/^renderStatusHtml: unknown option "Title" \(did you mean "title"\?\)/);
    const signer = {} as Signer;
    expect((await thrown(() => signMessage('<a/>', signer, { certificateNo: '1' } as never)))[1]).toMatch(
      /^signMessage: unknown option "certificateNo"/,
    );
    for (const build of [buildMessage, buildMessageTree])
      expect((await thrown(() => build('CEB311', [], { sender: SENDER, guld: 'x' } as never)))[1]).toMatch(
        new RegExp(`^${build.name}: unknown option "guld" \\(did you mean "guid"\\?\\)`),
      );
  });
});
