/**
 * The quota ledger's and its stores' options under `exactOptionalPropertyTypes` (which `tsc --init` turns on): a value read from an
 * optional field of the model (`string | undefined`) goes straight into an option, as `copNo:
 * d.data.inventory!.copNo` does, and the ledger reads an explicit `undefined` as the option left out. The types are
 * checked the way test/docs-snippets.test.ts checks the docs: a throwaway consumer project (test/helpers/consumer.ts)
 * that imports the built `sandan` by name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyReceipt, MemoryQuotaStore, QuotaLedger } from '../../src/quota/index.js';
import { openSqliteQuotaStore } from '../../src/quota/sqlite.js';
import { createConsumer, diagnosticsByFile, NEW_PROJECT_COMPILER_OPTIONS } from '../helpers/consumer.js';

const USE = `
import { parseDeclaration } from 'sandan';
import { applyReceipt, MemoryQuotaStore, QuotaLedger, type QuotaReceipt } from 'sandan/quota';
import { openSqliteQuotaStore } from 'sandan/quota/sqlite';
import { openPostgresQuotaStore } from 'sandan/quota/postgres';

declare const json: unknown;
declare const text: string | undefined;
declare const when: Date | undefined;
declare const receipt: QuotaReceipt;

export async function use(): Promise<void> {
  const d = parseDeclaration(json);
  if (!d.success) return;
  const ledger = new QuotaLedger({
    store: new MemoryQuotaStore(),
    secret: 'a secret of sixteen+ chars',
    policy: undefined,
    reservationTtlMs: undefined,
    clock: undefined,
  });
  await ledger.reserve('SD1', '330106199003071519', '1', '2026-11-20', {
    copNo: d.data.inventory!.copNo,
    invtNo: d.data.inventory!.invtNo,
    quantities: undefined,
    ttlMs: undefined,
    now: when,
  });
  await ledger.commit('SD1', { now: when, stage: undefined });
  await ledger.release('SD1', { now: when, reason: undefined });
  await ledger.refund('SD1', undefined, {
    now: when,
    key: text,
    appliedAt: when,
    arrivedAt: when,
    releasedAt: when,
    outsideReturnWindow: undefined,
  });
  await ledger.remaining('330106199003071519', 2026, { at: when, excludeOrder: text, excludeOrderNo: undefined });
  await ledger.usedQuantities('330106199003071519', 2026, { excludeOrder: undefined, excludeOrderNo: text });
  await ledger.usedQuantity('330106199003071519', 2026, '17019910', '035', { excludeOrder: text });
  await applyReceipt(ledger, receipt, { outsideReturnWindow: undefined });
  // The stores' options, as from a service's configuration (process.env gives string | undefined).
  const env: Record<string, string | undefined> = {};
  const timeout = env.QUOTA_BUSY_MS === undefined ? undefined : Number(env.QUOTA_BUSY_MS);
  await openSqliteQuotaStore('quota.db', {
    readOnly: undefined,
    busyTimeoutMs: timeout,
    maxRetries: undefined,
    synchronous: undefined,
  });
  await openPostgresQuotaStore(
    { connectionString: env.DATABASE_URL, host: env.PGHOST, password: env.PGPASSWORD, max: undefined },
    { readOnly: undefined, schema: env.QUOTA_SCHEMA, maxRetries: undefined, poolSize: undefined },
  );
}
`;

let work: string;
let diagnostics: Map<string, string[]>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sandan-exact-optional-'));
  createConsumer(work, {
    type: 'module',
    sandan: 'link',
    compilerOptions: NEW_PROJECT_COMPILER_OPTIONS,
    files: { 'src/use.ts': USE },
  });
  diagnostics = diagnosticsByFile(work);
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('quota ledger and store options with an explicit undefined', () => {
  it('type-check under exactOptionalPropertyTypes', () => {
    expect(Object.fromEntries(diagnostics)).toEqual({});
  });

  it('are read as left out', async () => {
    const ledger = new QuotaLedger({
      store: new MemoryQuotaStore(),
      secret: 'a'.repeat(32),
      policy: undefined,
      reservationTtlMs: undefined,
      clock: undefined,
    });
    const buyer = '330106199003071519';
    const at = '2026-11-20T10:15:00+08:00';
    const none = { copNo: undefined, invtNo: undefined, quantities: undefined, ttlMs: undefined, now: undefined };
    expect(await ledger.reserve('SD1', buyer, '100', at, none)).toMatchObject({ ok: true });
    expect(await ledger.find({ orderNo: 'SD1' })).toMatchObject({
      copNo: undefined,
      invtNo: undefined,
      expiresAt: undefined,
    });
    expect(
      await ledger.usedQuantities(buyer, 2026, { excludeOrder: undefined, excludeOrderNo: undefined }),
    ).toMatchObject({
      unstated: 1,
    });
    expect(await ledger.commit('SD1', { now: undefined, stage: undefined })).toMatchObject({ ok: true });
    const refund = {
      now: undefined,
      key: undefined,
      appliedAt: undefined,
      arrivedAt: undefined,
      releasedAt: undefined,
    };
    expect(await ledger.refund('SD1', '40', { ...refund, outsideReturnWindow: undefined })).toMatchObject({ ok: true });
    // 100 committed, 40 of it refunded.
    expect((await ledger.remaining(buyer, 2026, { at: undefined, excludeOrder: undefined })).used.toFixed(2)).toBe(
      '60.00',
    );
    expect(await ledger.reserve('SD2', buyer, '10', at)).toMatchObject({ ok: true });
    expect(await ledger.release('SD2', { now: undefined, reason: undefined })).toMatchObject({ ok: true });
    const outcome = await applyReceipt(
      ledger,
      { kind: 'CEB624', returnStatus: '399', orderNo: 'SD2' },
      {
        outsideReturnWindow: undefined,
      },
    );
    expect(outcome.status).toBe('duplicate');
  });

  it('are read as left out by the SQLite store', async () => {
    const store = await openSqliteQuotaStore(':memory:', {
      readOnly: undefined,
      busyTimeoutMs: undefined,
      maxRetries: undefined,
      synchronous: undefined,
    });
    try {
      expect(store.readOnly).toBe(false);
      const ledger = new QuotaLedger({ store, secret: 'a'.repeat(32) });
      expect(await ledger.reserve('SD1', '330106199003071519', '100', '2026-11-20')).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });
});
