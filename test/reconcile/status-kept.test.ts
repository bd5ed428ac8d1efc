import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readStatusInputs } from '../../src/cli/reconcile-command.js';
import { status, isStatusReceiptType, statusJsonChunks, type StatusReceipt } from '../../src/reconcile/index.js';
import { statusReceipt, unplacedReceipt } from '../../src/reconcile/status/status.js';
import { parseCebXml } from '../../src/xml/parse.js';
import { statusReceipt as publicStatusReceipt } from '../../src/index.js';
import { escapeText } from '../../src/xml/serialize.js';

const dir = mkdtempSync(join(tmpdir(), 'sandan-status-kept-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every XML file of the fixtures, recursively. */
function xmlFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const p = join(root, name);
    return statSync(p).isDirectory() ? xmlFiles(p) : p.endsWith('.xml') ? [p] : [];
  });
}

describe('what sandan status keeps of each receipt', () => {
  it('keeps only the fields status reads, not the parsed document (no returnInfoParsed, codes of companies or tax lines)', async () => {
    copyFileSync('test/fixtures/xml/CEB622-release.xml', join(dir, 'CEB622.xml'));
    copyFileSync('test/fixtures/xml/CEB816Message.xml', join(dir, 'CEB816.xml'));
    let stderr = '';
    const io = {
      stdout: () => {},
      stderr: (t: string) => void (stderr += t),
      stdin: Readable.from([]),
      stderrIsTTY: false,
      env: {},
    };
    const { receipts: kept, unread } = await readStatusInputs([join(dir, 'CEB622.xml'), join(dir, 'CEB816.xml')], {
      io,
      setExit: () => {},
    });
    expect([stderr, unread]).toEqual(['', false]);
    expect(kept.map((x) => x.messageType)).toEqual(['CEB622', 'CEB816']);
    const inventory = kept.find((x) => x.messageType === 'CEB622')!;
    expect(Object.keys(inventory.fields).sort()).toEqual(
      ['copNo', 'ebpCode', 'guid', 'invtNo', 'preNo', 'returnInfo', 'returnStatus', 'returnTime'].sort(),
    );
    const bill = kept.find((x) => x.messageType === 'CEB816')!;
    // (not its lines, its entDutyNo or the codes of the companies)
    expect(Object.keys(bill.fields).sort()).toEqual(
      ['consumptionTax', 'customsTax', 'guid', 'invtNo', 'returnTime', 'status', 'taxNo', 'valueAddedTax'].sort(),
    );
  });

  it('gives status the same answer from the kept fields as from the whole parsed documents, for every receipt of the fixtures', () => {
    const full: StatusReceipt[] = [];
    for (const file of xmlFiles('test/fixtures')) {
      let parsed: ReturnType<typeof parseCebXml>;
      try {
        parsed = parseCebXml(readFileSync(file));
      } catch {
        continue;
      }
      const msg = parsed.kind === 'dxp' ? parsed.message : parsed;
      if (!msg || !isStatusReceiptType(msg.messageType)) continue;
      for (const d of msg.documents) full.push({ messageType: msg.messageType, fields: d });
    }
    // A CEB900 refusing a message that can be read (the fixture's cannot): its documents are placed by the original's keys.
    const original = readFileSync('test/fixtures/ceb-spec/samples-202205/import/CEB311Message.xml', 'utf8');
    const formatCheck = parseCebXml(
      readFileSync('test/fixtures/xml/CEB900Message.xml', 'utf8').replace(
        /<oriBizMessage>.*<\/oriBizMessage>/s,
        `<oriBizMessage>${escapeText(original)}</oriBizMessage>`,
      ),
    );
    if (formatCheck.kind !== 'ceb') throw new Error('not a CEB message');
    full.push({ messageType: 'CEB900', fields: formatCheck.documents[0]! });
    // (the fixtures hold every receipt type status reads, CEB900 and tax bills included)
    expect(new Set(full.map((x) => x.messageType)).size).toBeGreaterThanOrEqual(10);
    const now = new Date('2026-12-10T04:00:00Z');
    const reduced = full.map((x) => statusReceipt(x.messageType, x.fields));
    const orders = status(full, { now });
    expect(orders.some((o) => o.timeline.some((n) => n.messageType === 'CEB900'))).toBe(true);
    expect(status(reduced, { now })).toEqual(orders);
    // (what sandan status says of a receipt it cannot place, a CEB900 of a message that cannot be read among them)
    expect(reduced.map(unplacedReceipt)).toEqual(full.map(unplacedReceipt));
    expect(full.map(unplacedReceipt).filter((u) => u?.en.includes('oriCopMsgId 00000000-')).length).toBeGreaterThan(0);

    // The JSON report, written an order at a time, is what one JSON.stringify of it wrote (a reason over two lines too).
    const twoLines: StatusReceipt = {
      messageType: 'CEB312',
      fields: {
        orderNo: 'SD1',
        returnStatus: '100',
        returnTime: '20261120101700001',
        returnInfo: '[Code:1332;Desc:a\nb]',
      },
    };
    const asOf = '2026-12-10T12:00:00.000+08:00';
    const problems = ['a.xml: CEB622 800 names no copNo, preNo or invtNo: it names no order; skipped', 'b "c"\nd'];
    for (const list of [[], status([twoLines], { now }), orders])
      for (const report of [
        { now: asOf, orders: list },
        { now: asOf, problems: [], orders: list },
        { now: asOf, problems, orders: list },
        // (the keys in the report's own order, the orders not last; a key deeper in of the same name)
        { orders: list, now: asOf, problems },
        { extra: { orders: [] }, now: asOf, orders: list },
      ]) {
        const chunks = [...statusJsonChunks(report)];
        expect(chunks.join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
        expect(chunks.length).toBe(list.length === 0 ? 1 : list.length + 2);
      }
  });

  it('statusReceipt is public: a library caller keeps the compact receipt, and status answers the same from it', () => {
    const receipts = ['CEB622-release.xml', 'CEB816Message.xml', 'CEB312-rejected.xml'].flatMap((name) => {
      const msg = parseCebXml(readFileSync(join('test/fixtures/xml', name), 'utf8'));
      if (msg.kind !== 'ceb' || !isStatusReceiptType(msg.messageType)) throw new Error(`${name} is no receipt`);
      return msg.documents.map((d) => ({ messageType: msg.messageType as StatusReceipt['messageType'], fields: d }));
    });
    const compact = receipts.map((r) => publicStatusReceipt(r.messageType, r.fields));
    expect(Object.keys(compact[0]!.fields).sort()).toEqual(
      ['copNo', 'ebpCode', 'guid', 'invtNo', 'preNo', 'returnInfo', 'returnStatus', 'returnTime'].sort(),
    );
    const now = new Date('2026-12-10T04:00:00Z');
    expect(status(compact, { now })).toEqual(status(receipts, { now }));
    // Misuse throws, as status() does for a receipt it does not read.
    for (const [type, doc] of [
      ['CEB712', {}],
      ['CEB622', null],
      ['CEB622', 'text'],
    ] as const)
      expect(() => publicStatusReceipt(type as StatusReceipt['messageType'], doc as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
  });
});
