// A big DxpRep (the XSD bounds not its Response count): parseDxpRep reads each Response as it closes instead of
// holding a tree of them all (session 58; 1.1 GB resident for 50 MB before). What it answers is what it answers for
// each Response read alone, and its memory is bounded by a multiple of the file, checked in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dxpRepText } from '../../bench/generate-dxprep.mjs';
import { parseDxpRep } from '../../src/xml/index.js';

const RESPONSE = /<Response>[\s\S]*?<\/Response>\n/g;
// Every 50th response broken in one of four ways (order, unknown element, bad value, missing element).
const broken = (n: number) => {
  let i = 0;
  return dxpRepText(n).replace(RESPONSE, (r) => {
    const k = i++;
    if (k % 50 !== 1) return r;
    const way = ((k / 50) % 4) | 0;
    if (way === 0)
      return r
        .replace('<NoticeTime>2026-11-20</NoticeTime>', '')
        .replace('<Results>', '<NoticeTime>2026-11-20</NoticeTime><Results>');
    if (way === 1) return r.replace('<ResponseCode>', '<Bogus/><ResponseCode>');
    if (way === 2) return r.replace('<NodeId>00000002</NodeId>', `<NodeId>${'9'.repeat(40)}</NodeId>`);
    return r.replace(/<OriHead>[\s\S]*<\/OriHead>/, '');
  });
};

describe('a big DxpRep', () => {
  it('reads as its responses read one at a time', () => {
    const text = broken(600);
    const whole = parseDxpRep(text);
    const head = text.slice(0, text.indexOf('  <Response>'));
    const alone = (text.match(RESPONSE) ?? []).map((r) => parseDxpRep(`${head}${r}</DxpRep>`));
    expect(whole.responses).toHaveLength(600);
    expect(whole.responses).toEqual(alone.map((a) => a.responses[0]));
    // A Response read alone is Response[0] in its paths and messages.
    const renumbered = alone.flatMap((a, i) =>
      a.issues.map((x) => JSON.parse(JSON.stringify(x).replaceAll('Response[0]', `Response[${i}]`))),
    );
    expect(whole.issues.length).toBeGreaterThanOrEqual(12);
    expect(whole.issues).toEqual(renumbered);
    expect(whole.recevierId).toBe('DXPENT0000012345');
  });

  it('keeps its heap within ten times the file', { timeout: 60_000 }, () => {
    // 8,000 responses, 4.7 MB, in a heap capped at 48 MB: the tree of them all ran out of 64 MB.
    const dist = new URL('../../dist/index.js', import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), 'sandan-dxprep-'));
    const file = join(dir, 'rep.xml');
    writeFileSync(file, dxpRepText(8000));
    const script = `
      const { parseDxpRep } = await import('${dist}');
      const bytes = (await import('node:fs')).readFileSync('${file}');
      const r = parseDxpRep(bytes);
      console.log(JSON.stringify([bytes.length, r.responses.length, r.issues.length, r.responses[7999].oriHead.copMsgId]));`;
    let r: { stdout: string; stderr: string };
    try {
      r = spawnSync(process.execPath, ['--max-old-space-size=48', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(r.stderr).toBe('');
    const [size, ...read] = JSON.parse(r.stdout);
    expect(size).toBeGreaterThan(4_500_000);
    expect(read).toEqual([8000, 0, 'M0000007999']);
  });
});
