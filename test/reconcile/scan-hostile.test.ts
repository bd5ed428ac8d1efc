import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CebScanner, scanCebText, type ScannedDocument } from '../../src/reconcile/index.js';
import { parseCebXml, type CebMessage } from '../../src/xml/parse.js';
import { runCli } from '../helpers/cli.js';

/*
 * Hostile input: the scanner sees exactly the documents parseCebXml sees (nothing in comments or
 * CDATA sections), refuses what it refuses, and gives none of a file that is not well-formed.
 */

const read = (name: string) => readFileSync(`test/fixtures/hostile/${name}`, 'utf8');

/** Each fixture's verdict: the taxNo of the bills read, or the parser's complaint (scanner: same code, same words). */
const FIXTURES: Record<string, string[] | RegExp> = {
  'bill-in-comment.xml': ['29242026I00000000101'],
  'bill-in-cdata.xml': ['29242026I00000000101'],
  'mismatched-end-tag.xml': /<\/invtNo> closes <orderNo>/,
  'trailing-garbage.xml': /closing tag <\/Tax> without a start tag/,
  'two-roots.xml': /more than one root element/,
  'undefined-entity.xml': /an '&' that starts no XML entity or character reference/,
  'truncated-after-bill.xml': /<CEB816Message> is never closed/,
  'truncated-inside-bill.xml': /<taxNo> is never closed/,
};

/** The scanner's answer when fed in chunks of `size` characters (whole text when omitted). */
function scan(text: string, size = text.length): ScannedDocument[] | Error {
  const s = new CebScanner();
  try {
    const out: ScannedDocument[] = [];
    for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
    return [...out, ...s.end()];
  } catch (e) {
    return e as Error;
  }
}

function parse(text: string): CebMessage | Error {
  try {
    return parseCebXml(text) as CebMessage;
  } catch (e) {
    return e as Error;
  }
}

describe('scanner on hostile fixtures, against parseCebXml', () => {
  it.each(Object.entries(FIXTURES))('%s', (name, verdict) => {
    const text = read(name);
    const parsed = parse(text);
    const whole = scan(text);
    if (verdict instanceof RegExp) {
      expect(parsed).toBeInstanceOf(Error);
      expect((parsed as Error).message).toMatch(verdict);
      expect(whole).toMatchObject({ code: 'XML_MALFORMED', message: expect.stringMatching(verdict) });
      expect(parsed).toMatchObject({ code: 'XML_MALFORMED' });
    } else {
      expect(parsed).not.toBeInstanceOf(Error);
      const docs = whole as ScannedDocument[];
      expect(docs.map((d) => d.fields.taxNo)).toEqual(verdict);
      expect((parsed as CebMessage).documents.map((d) => d.taxNo)).toEqual(verdict);
      expect(docs.map((d) => d.fields.orderNo)).toEqual(
        (parsed as CebMessage).documents.map((d) => d.orderNo as string),
      );
    }
    // Chunk boundaries anywhere (every `-->`, `]]>`, `</`, `&` split) give the same answer.
    for (const size of [1, 7]) expect(scan(text, size), `chunks of ${size}`).toEqual(whole);
  });

  it('gives no document before the end, and none at all of a truncated file', () => {
    const text = read('truncated-after-bill.xml');
    const s = new CebScanner();
    expect(s.push(text)).toEqual([]);
    expect(() => s.end()).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    // The same bills with the root closed are read.
    expect(scanCebText(`${text}</CEB816Message>`).documents.map((d) => d.fields.taxNo)).toEqual([
      '29242026I00000000101',
    ]);
  });

  it('skips comments, CDATA and PIs inside a bill, and `-->`/`]]>` look-alikes', () => {
    const text = read('bill-in-comment.xml')
      .replace('<orderNo>SD202611200001</orderNo>', '<!-- <orderNo>X</orderNo> --><orderNo>SD202611200001</orderNo>')
      .replace('<status>1</status>', '<?pi <status>9</status> ?><status><![CDATA[1]]></status>')
      .replace('<entDutyNo>DUTY0001</entDutyNo>', '<entDutyNo><![CDATA[<a>--> ]] >]]>&amp;-&gt;</entDutyNo>');
    const docs = scan(text) as ScannedDocument[];
    expect(docs).toHaveLength(1);
    expect(docs[0]!.fields).toMatchObject({ orderNo: 'SD202611200001', status: '1', entDutyNo: '<a>--> ]] >&->' });
    const parsed = parseCebXml(text) as CebMessage;
    expect([parsed.documents[0]!.orderNo, parsed.documents[0]!.status, parsed.documents[0]!.entDutyNo]).toEqual([
      'SD202611200001',
      '1',
      '<a>--> ]] >&->',
    ]);
    for (const size of [1, 7]) expect(scan(text, size)).toEqual(docs);
  });

  it('refuses an unclosed comment, CDATA section or PI, and a stray `<`', () => {
    const base = read('bill-in-comment.xml');
    for (const bad of [
      base.replace('</CEB816Message>', '<!-- never closed </CEB816Message>'),
      base.replace('</CEB816Message>', '<![CDATA[ never closed </CEB816Message>'),
      base.replace('<status>1</status>', '<status>1 < 2</status>'),
    ]) {
      expect(parse(bad)).toMatchObject({ code: 'XML_MALFORMED' });
      for (const size of [bad.length, 1, 7]) expect(scan(bad, size)).toMatchObject({ code: 'XML_MALFORMED' });
    }
  });
});

describe('sandan reconcile on hostile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandan-hostile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  cpSync('examples/finance/2026-11', dir, { recursive: true });
  const bills = join(dir, 'bills');
  const run = (workers: string) =>
    runCli([
      'reconcile',
      '--declarations',
      join(dir, 'declarations.ndjson'),
      '--tax-bills',
      bills,
      '--receipts',
      join(dir, 'receipts'),
      '--rates',
      join(dir, 'rates.json'),
      '--format',
      'json',
      '--workers',
      workers,
    ]);
  const INVT = /<(?:ceb:)?invtNo>([^<]*)</;
  type Order = { orderNo: string; invtNo?: string; status: string };
  const statuses = (stdout: string) =>
    new Map((JSON.parse(stdout).orders as Order[]).map((o) => [o.invtNo ?? o.orderNo, o.status]));

  it.each(['0', '2'])(
    'a commented-out bill leaves its order bill-missing; a truncated file is reported and unused (%s workers)',
    async (workers) => {
      const first = join(bills, 'CEB816-000001.xml');
      const second = join(bills, 'CEB816-000002.xml');
      const original = [readFileSync(first, 'utf8'), readFileSync(second, 'utf8')] as const;
      const before = await run(workers);
      expect(before.stderr).toBe('');
      const was = statuses(before.stdout);
      try {
        // Comment out the first bill of file 1 whose order is matched.
        const blocks = original[0].match(/<(?:ceb:)?Tax>[\s\S]*?<\/(?:ceb:)?Tax>/g)!;
        const voided = blocks.find((b) => was.get(INVT.exec(b)![1]!) === 'matched')!;
        const voidedInvt = INVT.exec(voided)![1]!;
        writeFileSync(first, original[0].replace(voided, `<!-- voided ${voided} -->`));
        // Cut file 2 right after one of its bills: every bill in it is then unused.
        const endTag = /<\/(?:ceb:)?Tax>/g;
        endTag.lastIndex = original[1].length >> 1;
        endTag.exec(original[1]);
        const cut = endTag.lastIndex;
        expect(original[1].slice(0, cut)).toMatch(/<\/(?:ceb:)?Tax>$/);
        writeFileSync(second, original[1].slice(0, cut));
        const others = ['CEB816-000001.xml', 'CEB816-000003.xml']
          .map((f) => readFileSync(join(bills, f), 'utf8'))
          .join('');
        // The orders billed in file 2 only (an invtNo also billed in another file, a duplicate, keeps that bill).
        const inSecond = [...original[1].matchAll(/<(?:ceb:)?invtNo>([^<]*)</g)]
          .map((m) => m[1]!)
          .filter((i) => was.has(i) && !others.includes(i));
        expect(inSecond.filter((i) => was.get(i) === 'matched').length).toBeGreaterThan(10);

        const after = await run(workers);
        expect(after.stderr, after.stderr).toMatch(/CEB816-000002\.xml.*<(?:ceb:)?CEB816Message> is never closed/);
        const now = statuses(after.stdout);
        expect(now.get(voidedInvt)).toBe('bill-missing');
        for (const i of inSecond) expect(now.get(i), i).toBe('bill-missing');
        // Every other order keeps its status.
        for (const [k, v] of was) if (k !== voidedInvt && !inSecond.includes(k)) expect(now.get(k), k).toBe(v);
      } finally {
        writeFileSync(first, original[0]);
        writeFileSync(second, original[1]);
      }
    },
    60_000,
  );
});
