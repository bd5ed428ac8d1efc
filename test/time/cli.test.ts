import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { BUYER, SECRET } from '../quota/contract.js';

// Impossible dates on the command line are usage errors (exit 2, as for any bad option), named
// in the message, and change nothing; before, 2026-02-30 rolled over to 2026-03-02.
const HZ = 'examples/hangzhou-1210.json';
const env = { SANDAN_QUOTA_SECRET: SECRET };

describe('impossible dates on the command line', () => {
  let dir: string;
  let db: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandan-time-cli-'));
    db = join(dir, 'quota.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('quota reserve --at 2026-02-30T10:00:00+08:00 exits 2 and books nothing', async () => {
    const base = ['--db', db, '--buyer-id', BUYER];
    // A leap day is a real day: 2024-02-29 10:00 Beijing books in 2024 (and creates the ledger).
    let r = await runCli(
      ['quota', 'reserve', ...base, '--order', 'T-0', '--amount', '100', '--at', '2024-02-29T10:00:00+08:00'],
      '',
      env,
    );
    expect(r.code).toBe(0);

    r = await runCli(
      ['quota', 'reserve', ...base, '--order', 'T-1', '--amount', '100', '--at', '2026-02-30T10:00:00+08:00'],
      '',
      env,
    );
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'sandan: --at: "2026-02-30T10:00:00+08:00" is not a real date and time\nhint: Check --buyer-id, --order, --amount and --at; see `sandan quota --help`.\n',
    );
    for (const at of ['20250229120000', '2026-02-28T24:00:00', '2100-02-29']) {
      r = await runCli(['quota', 'reserve', ...base, '--order', 'T-1', '--amount', '100', '--at', at], '', env);
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, `sandan: --at: "${at}" is not a real date and time`]);
    }

    for (const year of ['2025', '2026']) {
      r = await runCli(['quota', 'history', ...base, '--year', year, '--format', 'json'], '', env);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ remaining: '26000', events: [] });
    }
    // The leap-day order counts in 2024, the year of its --at.
    r = await runCli(['quota', 'history', ...base, '--year', '2024', '--format', 'json'], '', env);
    expect(JSON.parse(r.stdout)).toMatchObject({ remaining: '25900', events: [{ type: 'reserve', orderNo: 'T-0' }] });
  });

  it('quota refund --applied-at 2026-02-30 exits 2', async () => {
    const r = await runCli(['quota', 'refund', '--db', db, '--order', 'X', '--applied-at', '2026-02-30'], '', env);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      'sandan: --applied-at: "2026-02-30" is not a real date and time',
    ]);
  });

  it('validate and tax --at 2026-02-30 exit 2', async () => {
    for (const cmd of ['validate', 'tax']) {
      const r = await runCli([cmd, HZ, '--at', '2026-02-30']);
      expect([r.code, r.stdout], cmd).toEqual([2, '']);
      expect(r.stderr, cmd).toBe(
        `sandan: --at: "2026-02-30" is not a real date (YYYY-MM-DD)\nhint: See \`sandan ${cmd} --help\`.\n`,
      );
    }
    const r = await runCli(['validate', HZ, '--at', '2024-02-29', '--format', 'json']);
    expect(r.code).toBe(0);
  });

  it('status --now 2026-02-30T10:00:00 exits 2; a real --now without offset is Beijing time', async () => {
    let r = await runCli(['status', dir, '--now', '2026-02-30T10:00:00']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr.split('\n')[0]).toBe('sandan: --now: "2026-02-30T10:00:00" is not a real date and time');
    r = await runCli(['status', dir, '--now', 'soon']);
    expect(r.stderr.split('\n')[0]).toBe(
      'sandan: --now must be an ISO 8601 date-time, YYYY-MM-DD or yyyyMMddHHmmss (Beijing time), got "soon"',
    );
    // (an approved cancel, no anomaly: a folder with nothing in it is an error of its own, exit 2)
    r = await runCli([
      'status',
      'examples/finance/2026-11/receipts/CEB624-000001.xml',
      '--now',
      '2026-03-01T08:00:00',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).now).toBe('2026-03-01T08:00:00.000+08:00');
  });

  it('status --now before the receipts says so, on standard error and among the problems (was silent)', async () => {
    // The cancel receipt's returnTime is 2026-12-04 10:00 Beijing time.
    const receipt = 'examples/finance/2026-11/receipts/CEB624-000001.xml';
    const note =
      '--now 2026-03-01T08:00:00.000+08:00 is earlier than the latest receipt or message (2026-12-04T10:00:00.000+08:00): waits and deadlines are counted from it';
    let r = await runCli(['status', receipt, '--now', '2026-03-01T08:00:00', '--format', 'json']);
    expect([r.code, r.stderr, JSON.parse(r.stdout).problems]).toEqual([0, `sandan status: ${note}\n`, [note]]);
    r = await runCli(['status', receipt, '--now', '2026-03-01T08:00:00']);
    expect([r.code, r.stderr]).toEqual([0, `sandan status: ${note}\n`]);
    // At the receipt's time or after it, nothing is said.
    for (const now of ['2026-12-04T10:00:00', '2026-12-05']) {
      r = await runCli(['status', receipt, '--now', now, '--format', 'json']);
      expect([r.code, r.stderr, JSON.parse(r.stdout).problems], now).toEqual([0, '', []]);
    }
  });
});
