/*
 * bench/quota.mjs ran on made-up buyer ids (BENCH000…), which the ledger refuses since it takes resident ID card
 * numbers only: the bench crashed on its first reservation. It runs here at its smallest (the SQLite part; the
 * PostgreSQL part skips without SANDAN_TEST_PG_URL), so that it cannot rot unseen again.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench/quota.mjs', () => {
  it('reserves for valid resident ID numbers and reports each SQLite figure', { timeout: 60_000 }, () => {
    const { SANDAN_TEST_PG_URL: _, ...env } = process.env;
    const r = spawnSync(process.execPath, [new URL('../../bench/quota.mjs', import.meta.url).pathname], {
      encoding: 'utf8',
      env: { ...env, SANDAN_BENCH_MS: '50' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const results = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(results.map((x) => x.name)).toEqual([
      'quota reserve, SQLite (1 process, synchronous=FULL)',
      'quota reserve, SQLite (1 process, synchronous=NORMAL)',
      'quota reserve, PostgreSQL (16 clients)',
    ]);
    for (const x of results.slice(0, 2)) expect(x.value).toBeGreaterThan(0);
    expect(results[2].skipped).toMatch(/SANDAN_TEST_PG_URL/);
  });
});
