// Opening the PostgreSQL ledger beside a writer: the open reads the schema and runs no DDL when it
// is in place (CREATE INDEX IF NOT EXISTS would queue behind the writer's row locks), and a
// read-only store never creates anything and refuses writes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaLedger } from '../../src/quota/index.js';
import { openPostgresQuotaStore } from '../../src/quota/postgres.js';
import { hasTool } from '../helpers/tools.js';
import { BUYER, SECRET } from './contract.js';

/** Runs against SANDAN_TEST_PG_URL (scripts/ci-postgres.sh); postgres.test.ts reports a required server that is missing. */
const URL_ = process.env.SANDAN_TEST_PG_URL;
const SKIP = !hasTool('postgres');
const PROMPT_MS = 2000;

describe.skipIf(SKIP)('postgres ledger while another connection writes', () => {
  const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
  let writer: pg.Client;

  beforeAll(async () => {
    const l = new QuotaLedger({ store: await openPostgresQuotaStore(URL_!, { schema, poolSize: 2 }), secret: SECRET });
    expect(await l.reserve('R-1', BUYER, '1000', '2026-03-01')).toMatchObject({ ok: true });
    await l.close();
    // An open write transaction: it holds ROW EXCLUSIVE on the entry table until it ends.
    writer = new pg.Client({ connectionString: URL_ });
    await writer.connect();
    await writer.query('BEGIN');
    await writer.query(
      `INSERT INTO "${schema}".sandan_quota_entry (order_no, buyer_key, year, amount, refunded, status, order_at, updated_at)
       SELECT 'HELD-' || order_no, buyer_key, year, 5000, 0, 'reserved', order_at, updated_at FROM "${schema}".sandan_quota_entry`,
    );
  }, 60_000);

  afterAll(async () => {
    if (!writer) return;
    await writer.query('ROLLBACK');
    await writer.query(`DROP SCHEMA "${schema}" CASCADE`);
    await writer.end();
  });

  it('the premise: the schema DDL would wait for the writer', async () => {
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    try {
      await c.query("SET lock_timeout = '200ms'");
      await expect(
        c.query(
          `CREATE INDEX IF NOT EXISTS sandan_quota_entry_buyer ON "${schema}".sandan_quota_entry (buyer_key, year)`,
        ),
      ).rejects.toMatchObject({ code: '55P03' });
    } finally {
      await c.end();
    }
  });

  for (const readOnly of [true, false]) {
    it(`${readOnly ? 'a read-only' : 'a read-write'} store opens and reads the committed figures at once`, async () => {
      const started = Date.now();
      const store = await openPostgresQuotaStore(URL_!, { schema, poolSize: 2, readOnly });
      const l = new QuotaLedger({ store, secret: SECRET });
      try {
        const b = await l.remaining(BUYER, 2026, { at: '2026-06-01' });
        expect([b.used.toFixed(), b.orders]).toEqual(['1000', 1]);
        expect(Date.now() - started).toBeLessThan(PROMPT_MS);
        expect(store.readOnly).toBe(readOnly);
        if (readOnly)
          await expect(l.reserve('R-2', BUYER, '1', '2026-03-02')).rejects.toMatchObject({ code: 'QUOTA_INVALID' });
      } finally {
        await l.close();
      }
    });
  }

  it('a read-only open of a schema without a ledger creates nothing', async () => {
    const missing = `sandan_test_${randomBytes(6).toString('hex')}`;
    await expect(openPostgresQuotaStore(URL_!, { schema: missing, poolSize: 1, readOnly: true })).rejects.toMatchObject(
      { code: 'QUOTA_STORE', message: expect.stringContaining('a read-only open does not create one') },
    );
    const c = new pg.Client({ connectionString: URL_ });
    await c.connect();
    try {
      const r = await c.query('SELECT to_regnamespace($1) AS ns', [missing]);
      expect(r.rows[0].ns).toBeNull();
    } finally {
      await c.end();
    }
  });
});
