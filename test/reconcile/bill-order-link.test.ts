import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCebText, MemoryStore } from '../../src/reconcile/index.js';
import { toBillRecord } from '../../src/reconcile/records.js';
import { parseCebXml, type CebMessage } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';

// The fixture bill of the Hangzhou example, with the orderNo and logisticsNo real bills carry in TaxHeadRd.
const BILL = readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8').replace(
  '<invtNo>29242026I000000001</invtNo>',
  '<invtNo>29242026I000000001</invtNo>\n      <orderNo>SD202611200001</orderNo>\n      <logisticsNo>ZT7700012345678</logisticsNo>',
);

const dir = mkdtempSync(join(tmpdir(), 'sandan-billlink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'CEB816.xml'), BILL);
writeFileSync(
  join(dir, 'decl.ndjson'),
  `${JSON.stringify(JSON.parse(readFileSync('examples/hangzhou-1210.json', 'utf8')))}\n`,
);

describe('CEB816 orderNo and logisticsNo (beyond the 2022 XSD)', () => {
  it('parse keeps them, with a beyond-xsd note and no issue', () => {
    const m = parseCebXml(BILL) as CebMessage;
    expect(m.issues).toEqual([]);
    expect(m.documents[0]!.orderNo).toBe('SD202611200001');
    expect(m.documents[0]!.logisticsNo).toBe('ZT7700012345678');
    expect(m.notes?.map((n) => [n.code, n.path])).toEqual([
      ['beyond-xsd', 'documents[0].TaxHeadRd.orderNo'],
      ['beyond-xsd', 'documents[0].TaxHeadRd.logisticsNo'],
    ]);
  });

  it('the scanner reads them as parse does; the bill record keeps the orderNo', () => {
    const [doc] = scanCebText(BILL).documents;
    expect(doc!.fields.orderNo).toBe('SD202611200001');
    expect(doc!.fields.logisticsNo).toBe('ZT7700012345678');
    const rec = toBillRecord(doc!.fields);
    expect(rec.ok && rec.value.orderNo).toBe('SD202611200001');
  });

  it('MemoryStore: a declaration without invtNo and without receipts reaches the bill by its orderNo', () => {
    const store = new MemoryStore();
    const rec = toBillRecord(scanCebText(BILL).documents[0]!.fields);
    if (!rec.ok) throw new Error(rec.problem);
    store.addBills([rec.value], 1);
    const [a] = store.join([{ orderNo: 'SD202611200001', copNo: 'INV202611200001' }]);
    expect([a!.invtNo, a!.linkedBy, a!.bills.map((b) => b.taxNo)]).toEqual([
      '29242026I000000001',
      'orderNo',
      ['29242026I00000000101'],
    ]);
    // A receipt link by copNo still comes first.
    store.addLinks([{ kind: 'copNo', key: 'INV-OTHER', invtNo: '29242026I000000099' }]);
    const [b] = store.join([{ orderNo: 'SD-2', copNo: 'INV-OTHER' }]);
    expect([b!.invtNo, b!.linkedBy]).toEqual(['29242026I000000099', 'copNo']);
  });

  it.each([
    ['memory', '0'],
    ['sqlite', '0'],
    ['sqlite', '2'],
    ['memory', '2'],
  ])(
    'sandan reconcile (%s index, %s workers): no CEB622, the bill is linked by orderNo → matched',
    async (index, workers) => {
      const r = await runCli([
        'reconcile',
        '--declarations',
        join(dir, 'decl.ndjson'),
        '--tax-bills',
        join(dir, 'CEB816.xml'),
        '--rates',
        'examples/rates.example.json',
        '--format',
        'json',
        '--index',
        index,
        '--workers',
        workers,
      ]);
      expect(r.stderr).toBe('');
      const j = JSON.parse(r.stdout);
      expect(j.orders.map((o: Record<string, unknown>) => [o.orderNo, o.status, o.linkedBy, o.invtNo])).toEqual([
        ['SD202611200001', 'matched', 'orderNo', '29242026I000000001'],
      ]);
      expect(r.code).toBe(0);
    },
    30_000,
  );

  it('without the orderNo the same order stays unlinked', async () => {
    writeFileSync(join(dir, 'plain.xml'), readFileSync('test/fixtures/xml/CEB816Message.xml', 'utf8'));
    const r = await runCli([
      'reconcile',
      '--declarations',
      join(dir, 'decl.ndjson'),
      '--tax-bills',
      join(dir, 'plain.xml'),
      '--rates',
      'examples/rates.example.json',
      '--format',
      'json',
      '--workers',
      '0',
    ]);
    const j = JSON.parse(r.stdout);
    expect(j.orders.find((o: Record<string, unknown>) => o.orderNo === 'SD202611200001').status).toBe('unlinked');
  });
});
