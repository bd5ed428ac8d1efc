import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-status-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RECEIPT = readFileSync('test/fixtures/xml/CEB312-rejected.xml', 'utf8');

describe('sandan status: a receipt whose returnTime is no time', () => {
  it('is named on standard error, shown without a time, and the exit is 1', async () => {
    const file = join(dir, 'CEB312-bad-time.xml');
    writeFileSync(
      file,
      RECEIPT.replace('<returnTime>20261120101700001</returnTime>', '<returnTime>2026-11-20 10:17</returnTime>'),
    );
    const r = await runCli(['status', file, '--now', '2026-11-20T03:00:00Z']);
    expect(r.stderr).toBe(
      `sandan status: ${file}: CEB312 returnTime is not a time as yyyyMMddHHmmssSSS (got "2026-11-20 10:17"); shown without a time\n`,
    );
    expect(r.stdout).toMatch(/\(no time\) +CEB312 {2}order {11}100 海关退单/);
    expect(r.code).toBe(1);
  });

  it('makes the exit 1 on its own: the same receipt accepted (120) exits 0 with a time, 1 without', async () => {
    const accepted = RECEIPT.replace('<returnStatus>100</returnStatus>', '<returnStatus>120</returnStatus>');
    const good = join(dir, 'CEB312-accepted.xml');
    const bad = join(dir, 'CEB312-accepted-bad-time.xml');
    writeFileSync(good, accepted);
    writeFileSync(bad, accepted.replace('20261120101700001', '2026-11-20 10:17'));
    const g = await runCli(['status', good, '--now', '2026-11-20T03:00:00Z']);
    expect([g.code, g.stderr]).toEqual([0, '']);
    expect(g.stdout).toContain('1 order, 0 with anomalies');
    const b = await runCli(['status', bad, '--now', '2026-11-20T03:00:00Z']);
    expect([b.code, b.stdout.endsWith('1 order, 0 with anomalies\n')]).toEqual([1, true]);
  });

  it('a declaration with a problem that is still read (an appTime that is no time) makes the exit 1 too', async () => {
    const declaration = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    const good = join(dir, 'declaration.json');
    const bad = join(dir, 'declaration-bad-time.json');
    writeFileSync(good, JSON.stringify(declaration));
    writeFileSync(bad, JSON.stringify({ ...declaration, order: { ...declaration.order, appTime: '2026-11-20' } }));
    const g = await runCli(['status', good, '--now', '2026-11-20T03:00:00Z']);
    const b = await runCli(['status', bad, '--now', '2026-11-20T03:00:00Z']);
    expect([g.stderr, b.stdout.split('\n').at(-2)]).toEqual(['', g.stdout.split('\n').at(-2)]);
    expect([g.code, b.code]).toEqual([0, 1]);
    expect(b.stderr).toBe(
      `sandan status: ${bad}: order.appTime is not a time as yyyyMMddHHmmss (got "2026-11-20"); shown without a time\n`,
    );
  });

  it('a 14-digit returnTime and an absent one are not named (the first is a time, the second says nothing)', async () => {
    const short = join(dir, 'CEB312-short.xml');
    writeFileSync(short, RECEIPT.replace('20261120101700001', '20261120101700'));
    const s = await runCli(['status', short, '--now', '2026-11-20T03:00:00Z']);
    expect(s.stderr).toBe('');
    expect(s.stdout).toContain('2026-11-20T10:17:00.000+08:00  CEB312');
  });
});

describe('sandan status --format json: the time of the report', () => {
  it('is in Beijing time with +08:00, as every time inside it (03:00Z is 11:00 in Beijing)', async () => {
    const file = join(dir, 'CEB312-for-now.xml');
    writeFileSync(file, RECEIPT);
    const r = await runCli(['status', file, '--now', '2026-11-20T03:00:00Z', '--format', 'json']);
    const report = JSON.parse(r.stdout) as { now: string; orders: { timeline: { time: string }[] }[] };
    expect(report.now).toBe('2026-11-20T11:00:00.000+08:00');
    expect(report.orders[0]!.timeline[0]!.time).toBe('2026-11-20T10:17:00.001+08:00');
  });
});
