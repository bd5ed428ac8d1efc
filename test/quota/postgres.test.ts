import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applyReceipts, QuotaLedger, type QuotaStore } from '../../src/quota/index.js';
import { openPostgresQuotaStore } from '../../src/quota/postgres.js';
import { hasTool, needTool, requiredTool } from '../helpers/tools.js';
import { BUYER, hammerOrder, quotaContract, SECRET, type HammerResult } from './contract.js';
import { checkOldRows, checkUpgraded, OLD_ENTRIES, OLD_EVENTS, OLD_META } from './migration.js';

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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
          for (const t of ['sandan_quota_entry', 'sandan_quota_event', 'sandan_quota_meta', 'sandan_quota_return'])
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

  it('two services with different secrets starting at once on a fresh schema: one claims it, the other is refused', async () => {
    // Unordered, as services start: without the claim lock both secrets passed in about 7 rounds of 10.
    for (let round = 0; round < 5; round++) {
      const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
      const stores = await Promise.all([0, 1].map(() => openPostgresQuotaStore(URL_!, { schema, poolSize: 2 })));
      try {
        const results = await Promise.allSettled(
          stores.map((store, i) =>
            new QuotaLedger({ store, secret: `service-${i}-secret-0123456789` }).reserve(
              `S-${i}`,
              BUYER,
              '1',
              '2026-03-01',
            ),
          ),
        );
        expect(results.map((r) => r.status).sort(), `round ${round}`).toEqual(['fulfilled', 'rejected']);
        expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'QUOTA_STORE' } });
      } finally {
        for (const s of stores) await s.close();
        await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      }
    }
  });
});

describe.skipIf(SKIP !== undefined)('postgres store when the server drops its connections', () => {
  it('goes on with new connections after the server ends the idle ones (restart, failover, idle_session_timeout)', async () => {
    const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
    const app = `sandan_drop_${randomBytes(4).toString('hex')}`;
    const store = await openPostgresQuotaStore(`${URL_!}${URL_!.includes('?') ? '&' : '?'}application_name=${app}`, {
      schema,
      poolSize: 2,
    });
    try {
      const l = new QuotaLedger({ store, secret: SECRET });
      await l.reserve('D-1', BUYER, '100', '2026-01-01');
      // The pool's idle connection is ended by the server: pg emits 'error' on the pool, which
      // ended the whole process (an unhandled 'error' event) before the store listened for it.
      const ended = await admin((c) =>
        c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]),
      );
      expect(ended.rowCount).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('100');

      // Ended while a transaction holds it, between two queries: that transaction fails with
      // QUOTA_STORE (an unheard 'error' on the client ended the process), and the next works.
      const inside = store.transaction(async (tx) => {
        await tx.getEntry('', 'D-1');
        await admin((c) =>
          c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [app]),
        );
        await new Promise((r) => setTimeout(r, 300));
        return tx.getEntry('', 'D-1');
      });
      await expect(inside).rejects.toMatchObject({ name: 'SandanError', code: 'QUOTA_STORE' });
      expect((await l.remaining(BUYER, 2026)).used.toFixed()).toBe('100');
    } finally {
      await store.close();
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });
});

describe.skipIf(SKIP !== undefined)('postgres store options', () => {
  it('reads an explicit undefined as left out: a pool config with max undefined still takes poolSize', async () => {
    // `{ max: poolSize, ...config }` let the config's max: undefined (a value from process.env) undo poolSize, and pg
    // fell back to its own 10 connections.
    const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
    const app = `sandan_max_${randomBytes(4).toString('hex')}`;
    const url = `${URL_!}${URL_!.includes('?') ? '&' : '?'}application_name=${app}`;
    const store = await openPostgresQuotaStore(
      { connectionString: url, host: undefined, max: undefined },
      { schema, poolSize: 2, readOnly: undefined, maxRetries: undefined },
    );
    try {
      expect(store.readOnly).toBe(false);
      // Six transactions at once, each holding its connection for a while: the pool opens no more than two.
      await Promise.all(
        Array.from({ length: 6 }, () =>
          store.transaction(async (tx) => tx.getEntry('', 'none').then(() => sleep(100))),
        ),
      );
      const count = await admin(
        async (c) =>
          (await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0]
            .n as number,
      );
      expect(count).toBe(2);
    } finally {
      await store.close();
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });
});

describe.skipIf(SKIP !== undefined)('postgres store of an older sandan', () => {
  it('opens version 2 tables from before return applications: read as having none, and given their table for writing', async () => {
    const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
    const hasTable = () =>
      admin(
        async (c) =>
          (
            await c.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
              `"${schema}".sandan_quota_return`,
            ])
          ).rows[0]?.ok,
      );
    const order = { ebpCode: 'E', orderNo: 'V2-1' };
    try {
      const first = new QuotaLedger({ store: await openPostgresQuotaStore(URL_!, { schema }), secret: SECRET });
      await first.reserve(order, BUYER, '610', '2026-05-01');
      await first.commit(order, { now: '2026-05-02' });
      await first.link(order, { invtNo: 'INVT-V2-1' });
      await first.close();
      // The tables as the sandan before left them: version 2 without the table of applications.
      await admin((c) => c.query(`DROP TABLE "${schema}".sandan_quota_return`));
      expect(await hasTable()).toBe(false);
      const reader = new QuotaLedger({
        store: await openPostgresQuotaStore(URL_!, { schema, readOnly: true }),
        secret: SECRET,
      });
      expect(await reader.findReturn({ copNo: 'RET-V2' })).toBeUndefined();
      expect((await reader.find(order))?.amount.toFixed()).toBe('610');
      await reader.close();
      expect(await hasTable()).toBe(false);
      // For writing: the table is made; line 2 of 200 of the goods' 600 → 610 × 200 / 600 = 203.333… → 203.33.
      const l = new QuotaLedger({ store: await openPostgresQuotaStore(URL_!, { schema }), secret: SECRET });
      expect(await hasTable()).toBe(true);
      const inventory = [
        { gnum: 1, qty: '1', totalPrice: '100' },
        { gnum: 2, qty: '1', totalPrice: '200' },
        { gnum: 3, qty: '1', totalPrice: '300' },
      ];
      await l.recordReturn(order, { copNo: 'RET-V2', items: [{ gnum: 2, qty: '1' }], inventory });
      const [o] = await applyReceipts(l, [
        { kind: 'CEB626', copNo: 'RET-V2', invtNo: 'INVT-V2-1', returnStatus: '399', returnTime: '20260506100000000' },
      ]);
      expect(o?.result?.ok && [o.result.refundBasis, o.result.entry.refunded.toFixed()]).toEqual([
        'application',
        '203.33',
      ]);
      await l.close();
    } finally {
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  });

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

/** The DDL of schema version 1 as an older sandan wrote it: orders keyed by orderNo alone. */
const V1_DDL = (s: string, withQuantities: boolean) => `
CREATE SCHEMA ${s};
CREATE TABLE ${s}.sandan_quota_entry (
  order_no text PRIMARY KEY,
  buyer_key text NOT NULL,
  year integer NOT NULL,
  amount numeric(19,5) NOT NULL CHECK (amount >= 0),
  refunded numeric(19,5) NOT NULL CHECK (refunded >= 0 AND refunded <= amount),
  status text NOT NULL CHECK (status IN ('reserved', 'committed', 'released')),
  release_reason text CHECK (release_reason IN ('cancelled', 'expired')),
  order_at timestamptz NOT NULL,
  expires_at timestamptz,
  updated_at timestamptz NOT NULL,
  cop_no text,
  invt_no text${withQuantities ? ',\n  quantities text' : ''}
);
CREATE INDEX sandan_quota_entry_buyer ON ${s}.sandan_quota_entry (buyer_key, year);
CREATE INDEX sandan_quota_entry_cop ON ${s}.sandan_quota_entry (cop_no) WHERE cop_no IS NOT NULL;
CREATE INDEX sandan_quota_entry_invt ON ${s}.sandan_quota_entry (invt_no) WHERE invt_no IS NOT NULL;
CREATE TABLE ${s}.sandan_quota_event (
  seq bigserial PRIMARY KEY,
  order_no text NOT NULL,
  buyer_key text NOT NULL,
  year integer NOT NULL,
  type text NOT NULL CHECK (type IN ('reserve', 'commit', 'release', 'expire', 'refund')),
  amount numeric(19,5) NOT NULL,
  at timestamptz NOT NULL,
  key text
);
CREATE INDEX sandan_quota_event_buyer ON ${s}.sandan_quota_event (buyer_key, year, seq);
CREATE INDEX sandan_quota_event_order ON ${s}.sandan_quota_event (order_no, seq);
CREATE UNIQUE INDEX sandan_quota_event_key ON ${s}.sandan_quota_event (order_no, key) WHERE key IS NOT NULL;
CREATE TABLE ${s}.sandan_quota_meta (key text PRIMARY KEY, value text NOT NULL);
`;

describe.skipIf(SKIP !== undefined)('postgres store of schema version 1', () => {
  it.each([
    ['with quantities', true],
    ['from before quantities', false],
  ])(
    'upgrades version 1 tables (%s) to orders keyed by platform and orderNo, once, with services starting together',
    async (_, withQuantities) => {
      const schema = `sandan_test_${randomBytes(6).toString('hex')}`;
      const q = `"${schema}"`;
      await admin(async (c) => {
        await c.query(V1_DDL(q, withQuantities));
        for (const e of OLD_ENTRIES)
          await c.query(
            `INSERT INTO ${q}.sandan_quota_entry (order_no, buyer_key, year, amount, refunded, status, order_at, updated_at, cop_no, invt_no${withQuantities ? ', quantities' : ''}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10${withQuantities ? ', $11' : ''})`,
            [
              e.order_no,
              e.buyer_key,
              e.year,
              e.amount,
              e.refunded,
              e.status,
              e.order_at,
              e.updated_at,
              e.cop_no,
              e.invt_no,
              ...(withQuantities ? [e.quantities] : []),
            ],
          );
        for (const e of OLD_EVENTS)
          await c.query(
            `INSERT INTO ${q}.sandan_quota_event (order_no, buyer_key, year, type, amount, at, key) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [e.order_no, e.buyer_key, e.year, e.type, e.amount, e.at, e.key],
          );
        for (const [k, v] of OLD_META)
          await c.query(`INSERT INTO ${q}.sandan_quota_meta (key, value) VALUES ($1, $2)`, [k, v]);
      });
      const look = () =>
        admin(async (c) => {
          const columns = async (index: string) =>
            (
              await c.query<{ name: string }>(
                `SELECT a.attname AS name FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                 WHERE i.indexrelid = to_regclass($1) ORDER BY k.n`,
                [index],
              )
            ).rows.map((r) => r.name);
          const key = await c.query<{ conname: string }>(
            "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'",
            [`${q}.sandan_quota_entry`],
          );
          return {
            version: (await c.query(`SELECT value FROM ${q}.sandan_quota_meta WHERE key = 'schema-version'`)).rows[0]
              ?.value,
            key: await columns(`${q}."${key.rows[0]?.conname}"`),
            eventKey: await columns(`${q}.sandan_quota_event_key`),
            eventOrder: await columns(`${q}.sandan_quota_event_order`),
            entries: Number((await c.query(`SELECT count(*) AS n FROM ${q}.sandan_quota_entry`)).rows[0]?.n),
          };
        });
      const stores: QuotaStore[] = [];
      try {
        // Read-only: read as it is (every order of no platform stated), and left as it was.
        const reader = await openPostgresQuotaStore(URL_!, { schema, readOnly: true });
        stores.push(reader);
        await checkOldRows(new QuotaLedger({ store: reader, secret: SECRET }), withQuantities);
        expect(await look()).toEqual({
          version: '1',
          key: ['order_no'],
          eventKey: ['order_no', 'key'],
          eventOrder: ['order_no', 'seq'],
          entries: 2,
        });
        // Four services open it for writing at once: one upgrades it, under the schema lock.
        const writers = await Promise.all(
          Array.from({ length: 4 }, () => openPostgresQuotaStore(URL_!, { schema, poolSize: 1 })),
        );
        stores.push(...writers);
        const upgraded = {
          version: '2',
          key: ['order_no', 'ebp_code'],
          eventKey: ['order_no', 'ebp_code', 'key'],
          eventOrder: ['order_no', 'ebp_code', 'seq'],
          entries: 2,
        };
        expect(await look()).toEqual(upgraded);
        await checkUpgraded(new QuotaLedger({ store: writers[0]!, secret: SECRET }), withQuantities);
        // Again: nothing to do; the rows written since (two more entries) are kept.
        const again = await openPostgresQuotaStore(URL_!, { schema });
        stores.push(again);
        expect(await look()).toEqual({ ...upgraded, entries: 4 });
        expect((await new QuotaLedger({ store: again, secret: SECRET }).remaining(BUYER, 2026)).used.toFixed()).toBe(
          '1400',
        );
      } finally {
        for (const st of stores) await st.close();
        await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${q} CASCADE`));
      }
    },
  );
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
