// Quota ledger throughput: reservations per second for SQLite (one process, one file) and
// PostgreSQL (16 concurrent clients sharing one pool; skipped unless SANDAN_TEST_PG_URL is set).
// Loads ../dist (after the quota/sqlite and quota/postgres tsup entries exist); otherwise, when
// run with `npx tsx bench/quota.mjs`, loads the sources.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECRET = 'bench-secret-0123456789abcdef';
const MS = Number(process.env.SANDAN_BENCH_MS ?? 3000);
const AT = '2026-06-01T10:00:00+08:00';

async function load() {
  const dist = (p) => new URL(`../dist/${p}.js`, import.meta.url);
  if (['index', 'quota/sqlite', 'quota/postgres'].every((p) => existsSync(dist(p)))) {
    const lib = await import(dist('index'));
    return {
      from: 'dist',
      lib,
      idCheckCharacter: lib.idCheckCharacter,
      sqlite: await import(dist('quota/sqlite')),
      postgres: await import(dist('quota/postgres')),
    };
  }
  try {
    const src = (p) => new URL(`../src/${p}.ts`, import.meta.url).href;
    return {
      from: 'src (tsx)',
      lib: await import(src('quota/index')),
      idCheckCharacter: (await import(src('rules/id-number'))).idCheckCharacter,
      sqlite: await import(src('quota/sqlite')),
      postgres: await import(src('quota/postgres')),
    };
  } catch {
    return undefined;
  }
}

/**
 * Buyer IDs: each buyer takes 10 orders of 10 CNY (a busy buyer's year), far below the limit, so nothing is refused.
 * The ledger takes resident ID card numbers only (17 digits and the GB 11643 check character): an area code, then the
 * buyer's number in the other 11 digits.
 */
function buyerIds(idCheckCharacter) {
  return (n) => {
    const first17 = `110105${String(Math.floor(n / 10)).padStart(11, '0')}`;
    return first17 + idCheckCharacter(first17);
  };
}

async function measure(workers, reserveOne) {
  let done = 0;
  const start = performance.now();
  const end = start + MS;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const r = await reserveOne(w, i);
        if (!r.ok) throw new Error(`bench reservation refused: ${r.message}`);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const loaded = await load();
if (!loaded) {
  console.log(
    JSON.stringify({
      name: 'quota reserve',
      skipped:
        'dist/quota/sqlite.js and dist/quota/postgres.js are not built (add the tsup entries) and the sources need tsx: npx tsx bench/quota.mjs',
    }),
  );
} else {
  const { lib, sqlite, postgres, from } = loaded;
  const buyer = buyerIds(loaded.idCheckCharacter);

  // SQLite: one process, one ledger, reservations one after another (each its own transaction).
  const dir = mkdtempSync(join(tmpdir(), 'sandan-bench-quota-'));
  try {
    for (const synchronous of ['FULL', 'NORMAL']) {
      const store = await sqlite.openSqliteQuotaStore(join(dir, `q-${synchronous}.sqlite`), { synchronous });
      const ledger = new lib.QuotaLedger({ store, secret: SECRET });
      let n = 0;
      const value = await measure(1, () => {
        const k = n++;
        return ledger.reserve(`S-${k}`, buyer(k), '10.00', AT);
      });
      await ledger.close();
      console.log(
        JSON.stringify({
          name: `quota reserve, SQLite (1 process, synchronous=${synchronous})`,
          unit: 'reservations/s',
          value: Math.round(value),
          from,
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // PostgreSQL: 16 clients (one pool of 16 connections), each reserving for its own buyers.
  const url = process.env.SANDAN_TEST_PG_URL;
  if (!url) {
    console.log(
      JSON.stringify({
        name: 'quota reserve, PostgreSQL (16 clients)',
        skipped: 'SANDAN_TEST_PG_URL is not set (eval "$(scripts/ci-postgres.sh)")',
      }),
    );
  } else {
    const schema = `sandan_bench_${process.pid}`;
    const store = await postgres.openPostgresQuotaStore(url, { schema, poolSize: 16 });
    const ledger = new lib.QuotaLedger({ store, secret: SECRET });
    try {
      const value = await measure(16, (w, i) => ledger.reserve(`P-${w}-${i}`, buyer(w * 1_000_000 + i), '10.00', AT));
      console.log(
        JSON.stringify({
          name: 'quota reserve, PostgreSQL (16 clients)',
          unit: 'reservations/s',
          value: Math.round(value),
          from,
        }),
      );
    } finally {
      const pg = (await import('pg')).default;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
      await ledger.close();
    }
  }
}
