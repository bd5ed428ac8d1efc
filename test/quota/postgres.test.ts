import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { QuotaLedger, type QuotaStore } from '../../src/quota/index.js';
import { openPostgresQuotaStore } from '../../src/quota/postgres.js';
import { hasTool, needTool, requiredTool } from '../helpers/tools.js';
import { BUYER, hammerOrder, quotaContract, SECRET, type HammerResult } from './contract.js';

/**
 * Runs against a real server named by SANDAN_TEST_PG_URL (scripts/ci-postgres.sh starts one).
 * Without it the server tests skip, or fail when SANDAN_TEST_REQUIRE_TOOLS names postgres (test/helpers/tools.ts).
 */
const URL_ = process.env.SANDAN_TEST_PG_URL;
const SKIP = hasTool('postgres') ? undefined : 'no PostgreSQL server (SANDAN_TEST_PG_URL)';

describe.runIf(SKIP !== undefined && requiredTool('postgres'))('postgres quota store where required', () => {
  it('needs a PostgreSQL server', () => needTool('postgres'));
});

const CLIENTS = 8;

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

quotaContract({
  name: `postgres (${CLIENTS} pools of 4 connections for concurrency)`,
  skip: SKIP,
  async setup() {
    const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
    const stores: QuotaStore[] = [];
    const open = async () => {
      const s = await openPostgresQuotaStore(URL_!, { schema, poolSize: 4 });
      stores.push(s);
      return s;
    };
    return {
      open,
      async hammer(calls, buyer, at) {
        // Eight order services, each with its own pool, all calls at once.
        const ledgers = await Promise.all(
          Array.from({ length: CLIENTS }, async () => new QuotaLedger({ store: await open(), secret: SECRET })),
        );
        return Promise.all(
          calls.map(async (c, i): Promise<HammerResult> => {
            const r = await ledgers[i % CLIENTS]!.reserve(hammerOrder(c), buyer, c.amount, at);
            return r.ok
              ? { ebpCode: r.ebpCode, orderNo: c.orderNo, ok: true, duplicate: r.duplicate }
              : { ebpCode: r.ebpCode, orderNo: c.orderNo, ok: false, reason: r.reason };
          }),
        );
      },
      dump: () =>
        admin(async (c) => {
          const parts: unknown[] = [];
          for (const t of ['sandan_quota_entry', 'sandan_quota_event', 'sandan_quota_meta'])
            parts.push((await c.query(`SELECT * FROM "${schema}".${t}`)).rows);
          return JSON.stringify(parts);
        }),
      async drop() {
        for (const s of stores.splice(0)) await s.close();
        await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      },
    };
  },
});

describe.skipIf(SKIP !== undefined)('postgres store', () => {
  it('keeps amounts as NUMERIC and creates its schema once when many services start together', async () => {
    const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => openPostgresQuotaStore(URL_!, { schema, poolSize: 1 })),
    );
    try {
      const l = new QuotaLedger({ store: stores[0]!, secret: SECRET });
      await l.reserve('N-1', BUYER, '1234.56789', '2026-01-01');
      const types = await admin((c) =>
        c.query(
          `SELECT column_name, data_type, numeric_scale FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'sandan_quota_entry' AND column_name IN ('amount', 'refunded') ORDER BY column_name`,
          [schema],
        ),
      );
      expect(types.rows).toEqual([
        { column_name: 'amount', data_type: 'numeric', numeric_scale: 5 },
        { column_name: 'refunded', data_type: 'numeric', numeric_scale: 5 },
      ]);
      expect((await new QuotaLedger({ store: stores[5]!, secret: SECRET }).remaining(BUYER, 2026)).used.toFixed()).toBe(
        '1234.56789',
      );
    } finally {
      for (const s of stores) await s.close();
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });
});

describe.skipIf(SKIP !== undefined)('postgres store of an older sandan', () => {
  it('adds the quantities column to tables made before it, once, and keeps their rows', async () => {
    const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
    const column = () =>
      admin(
        async (c) =>
          (
            await c.query(
              "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'sandan_quota_entry' AND column_name = 'quantities'",
              [schema],
            )
          ).rowCount,
      );
    try {
      const first = new QuotaLedger({ store: await openPostgresQuotaStore(URL_!, { schema }), secret: SECRET });
      await first.reserve('OLD-1', BUYER, '100', '2026-02-01');
      await first.close();
      // The tables as an older sandan left them: no quantities column.
      await admin((c) => c.query(`ALTER TABLE "${schema}".sandan_quota_entry DROP COLUMN quantities`));
      expect(await column()).toBe(0);
      for (let i = 0; i < 2; i++) {
        const l = new QuotaLedger({ store: await openPostgresQuotaStore(URL_!, { schema }), secret: SECRET });
        expect(await column()).toBe(1);
        // The old row stated no quantities: unknown, while its money still counts.
        expect(await l.usedQuantity(BUYER, 2026, '17019910', '035')).toBeUndefined();
        // 100 of OLD-1, plus 1 of each NEW-… reserved by an earlier round.
        expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe(i === 0 ? '100' : '101');
        await l.reserve(`NEW-${i}`, BUYER, '1', '2026-02-02', {
          quantities: [{ hs8: '17019910', unit: '035', qty: '0.5' }],
        });
        expect((await l.usedQuantity(BUYER, 2026, '17019910', '035', { excludeOrderNo: 'OLD-1' }))?.toFixed()).toBe(
          i === 0 ? '0.5' : '1',
        );
        await l.close();
      }
    } finally {
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });
});

describe('postgres store without a server', () => {
  it('reports an unreachable server as QUOTA_STORE without the password', async () => {
    const err = await openPostgresQuotaStore('postgres://u:secretpw@127.0.0.1:1/x', { schema: 'public' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'QUOTA_STORE' });
    expect(String((err as Error).message)).not.toContain('secretpw');
  });
});
