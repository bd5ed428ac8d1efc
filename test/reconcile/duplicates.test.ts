import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCebText, sentFromDeclaration, status, type StatusReceipt } from '../../src/reconcile/index.js';
import { parseCebXml, wrapDxp, type CebMessage } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';

// The release receipt of the Hangzhou example's inventory, as customs sends it (default namespace, no prefix).
const RELEASE = readFileSync('test/fixtures/xml/CEB622-release.xml', 'utf8');
const WRAPPED = wrapDxp(RELEASE, {
  senderId: 'DXPEDCCEB0000002',
  receiverIds: ['DXPENT0000012345'],
  copMsgId: 'RCPT-0001',
  now: () => new Date('2026-11-20T04:00:01Z'),
  newId: () => 'unused',
});

const dir = mkdtempSync(join(tmpdir(), 'sandan-dup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'CEB622-raw.xml'), RELEASE);
writeFileSync(join(dir, 'CEB622-dxp.xml'), WRAPPED);

function receiptsOf(xml: string): StatusReceipt[] {
  const p = parseCebXml(xml);
  const msg = (p.kind === 'dxp' ? p.message : p) as CebMessage;
  return msg.documents.map((d) => ({ messageType: msg.messageType as StatusReceipt['messageType'], fields: d }));
}

describe('one receipt seen twice (raw and inside its DxpMsg) is one receipt', () => {
  it('status(): the 800 release is listed once', () => {
    const decl = JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8'));
    const [o, ...rest] = status([...receiptsOf(RELEASE), ...receiptsOf(WRAPPED)], {
      now: new Date('2026-11-21T00:00:00Z'),
      sent: sentFromDeclaration(decl),
    });
    expect(rest).toEqual([]);
    expect(
      o!.timeline.filter((n) => n.event === 'receipt').map((n) => `${n.messageType} ${n.returnStatus} ${n.time}`),
    ).toEqual(['CEB622 800 2026-11-20T12:00:00.000+08:00']);
    expect(o!.state).toBe('released');
  });

  it('status(): two receipts that differ in time stay two', () => {
    const later = RELEASE.replace('20261120120000000', '20261120130000000');
    const [o] = status([...receiptsOf(RELEASE), ...receiptsOf(later)], { now: new Date('2026-11-21T00:00:00Z') });
    expect(o!.timeline.filter((n) => n.event === 'receipt')).toHaveLength(2);
  });

  it('the reconciliation scanner reads the receipt inside a DxpMsg as the bare one', () => {
    const bare = scanCebText(RELEASE);
    const wrapped = scanCebText(WRAPPED);
    expect(wrapped).toEqual(bare);
    expect(bare.documents).toHaveLength(1);
    expect(bare.documents[0]!.fields.invtNo).toBe('29242026I000000001');
  });

  it('sandan status: the folder with both files lists the release once', async () => {
    const r = await runCli([
      'status',
      dir,
      'examples/hangzhou-1210.json',
      '--format',
      'json',
      '--now',
      '2026-11-21T00:00:00Z',
    ]);
    const j = JSON.parse(r.stdout);
    expect(j.orders).toHaveLength(1);
    const events = j.orders[0].timeline.filter((n: { event: string }) => n.event === 'receipt');
    expect(events.map((n: { returnStatus: string }) => n.returnStatus)).toEqual(['800']);
  });

  it.each(['memory', 'sqlite'])(
    'sandan reconcile (%s index): both files link the order once; matched by copNo',
    async (index) => {
      const ndjson = join(dir, 'decl.ndjson');
      writeFileSync(ndjson, `${JSON.stringify(JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8')))}\n`);
      const r = await runCli([
        'reconcile',
        '--declarations',
        ndjson,
        '--tax-bills',
        'test/fixtures/xml/CEB816Message.xml',
        '--receipts',
        dir,
        '--rates',
        'examples/rates.example.json',
        '--format',
        'json',
        '--index',
        index,
        '--workers',
        '0',
      ]);
      expect(r.stderr).toBe('');
      const j = JSON.parse(r.stdout);
      expect(j.orders.map((o: Record<string, unknown>) => [o.orderNo, o.status, o.linkedBy, o.invtNo])).toEqual([
        ['SD202611200001', 'matched', 'copNo', '29242026I000000001'],
      ]);
      expect(r.code).toBe(0);
    },
  );
});
