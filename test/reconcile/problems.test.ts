import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CebScanner,
  MemoryStore,
  readCebDocuments,
  reconcile,
  reconcileFiles,
  scanCebText,
} from '../../src/reconcile/index.js';
import { parseCebXml } from '../../src/xml/index.js';
import { runCli } from '../helpers/cli.js';
import { calculate } from './helpers.js';

// Documents customs sent that reconciliation cannot use: each is counted, and the report names the
// first 100 of them by file, number in the file and key, so that finance can find them.
const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-problems-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DECLARATIONS = join(dir, 'declarations.ndjson');
writeFileSync(DECLARATIONS, readFileSync('examples/finance/2026-11/declarations.ndjson', 'utf8').split('\n')[0]!);

const ns = 'xmlns="http://www.chinaport.gov.cn/ceb"';
/** A CEB816 head without invtNo (taxNo T001…), or with one when `withInvtNo`. */
const bill = (i: number, withInvtNo = false) =>
  `<Tax><TaxHeadRd><guid>G${i}</guid><returnTime>20261201000001000</returnTime>${withInvtNo ? `<invtNo>I${i}</invtNo>` : ''}` +
  `<taxNo>T${String(i).padStart(3, '0')}</taxNo><customsTax>0</customsTax><valueAddedTax>1</valueAddedTax>` +
  '<consumptionTax>0</consumptionTax><status>1</status></TaxHeadRd></Tax>';

// 103 bills without invtNo in one file, the second of them after a good bill; then a receipt with no returnStatus.
const BILLS = join(dir, 'CEB816-bad.xml');
writeFileSync(
  BILLS,
  `<CEB816Message ${ns}>${bill(1)}${bill(900, true)}${Array.from({ length: 102 }, (_, k) => bill(k + 2)).join('')}</CEB816Message>`,
);
const RECEIPT = join(dir, 'CEB622-bad.xml');
writeFileSync(
  RECEIPT,
  `<CEB622Message ${ns}><InventoryReturn><guid>G1</guid><copNo>C7</copNo><returnTime>20261201000001000</returnTime></InventoryReturn></CEB622Message>`,
);

describe('documents that cannot be used', () => {
  it.each([0, 2])('with %i workers: all counted, the first 100 named by file, number and key', async (workers) => {
    const report = await reconcileFiles({
      declarations: DECLARATIONS,
      documents: [BILLS, RECEIPT],
      workers,
      store: new MemoryStore(),
    });
    // 103 bills + 1 receipt unreadable; the one good bill is read.
    expect(report.summary.inputs).toMatchObject({ bills: 1, receipts: 0, unreadableDocuments: 104 });
    // The first 100 are listed; one closing line says how many more of their kind were left out.
    expect(report.problems).toHaveLength(101);
    expect(report.problems[0]).toBe(`${BILLS}, document 1: CEB816: tax bill without invtNo (taxNo T001)`);
    // Document 2 is the good bill: the second problem is document 3, taxNo T002.
    expect(report.problems[1]).toBe(`${BILLS}, document 3: CEB816: tax bill without invtNo (taxNo T002)`);
    // Problem 100 is the bill of taxNo T100 (document 101); T101…T103 and the receipt are counted only.
    expect(report.problems[99]).toBe(`${BILLS}, document 101: CEB816: tax bill without invtNo (taxNo T100)`);
    expect(report.problems.join('\n')).not.toContain(RECEIPT);
    // T101…T103 and the receipt: 4.
    expect(report.problems[100]).toBe(
      '4 more documents that could not be used are not listed (summary.inputs counts them all)',
    );
  });

  it.each([0, 2])(
    'with %i workers: broken declaration lines do not hide unusable documents or a void without its bill',
    async (workers) => {
      // 150 broken lines, then the good declaration; 103 unusable bills; a void (CEB818 status 3) of a bill not here.
      const lines = join(dir, `broken-${workers}.ndjson`);
      writeFileSync(lines, `${'{"order":\n'.repeat(150)}${readFileSync(DECLARATIONS, 'utf8')}\n`);
      const voidFile = join(dir, `CEB818-void-${workers}.xml`);
      writeFileSync(
        voidFile,
        `<CEB818Message ${ns}><Tax><TaxHeadStatus><guid>V1</guid><returnTime>20261201090000000</returnTime>` +
          '<invtNo>I777</invtNo><taxNo>T777</taxNo><status>3</status></TaxHeadStatus></Tax></CEB818Message>',
      );
      const report = await reconcileFiles({
        declarations: lines,
        documents: [BILLS, voidFile],
        workers,
        store: new MemoryStore(),
      });
      const p = report.problems;
      // 100 lines + 100 documents + the void, then the two closing lines; before, the 100 lines were all there was.
      expect(p.filter((x) => x.startsWith(`${lines}, line `))).toHaveLength(100);
      expect(p.filter((x) => x.startsWith(`${BILLS}, document `))).toHaveLength(100);
      expect(p).toContain(
        "tax bill T777 is void (a CEB818 status 3), but no CEB816 of that taxNo is among the bills: if it is a bill of another month, take it out of that month's billed total",
      );
      expect(p.slice(-2)).toEqual([
        '3 more documents that could not be used are not listed (summary.inputs counts them all)',
        '50 more declaration lines that could not be read are not listed',
      ]);
      expect(p).toHaveLength(203);
    },
  );

  it('a receipt is named the same way, and reconcile() over readCebDocuments says what reconcileFiles says', async () => {
    const inFiles = await reconcileFiles({
      declarations: DECLARATIONS,
      documents: [RECEIPT],
      workers: 0,
      store: new MemoryStore(),
    });
    const expected = `${RECEIPT}, document 1: CEB622 receipt without returnStatus or any of copNo, preNo, invtNo (copNo C7)`;
    expect(inFiles.problems).toEqual([expected]);
    const inMemory = await reconcile(
      { declarations: [], documents: readCebDocuments([RECEIPT]) },
      { calculate, store: new MemoryStore() },
    );
    // reconcile() was given no declaration, and says so after the receipt's problem.
    expect(inMemory.problems).toEqual([
      expected,
      'No declaration was read (the declarations input is empty, or could not be used): nothing was compared with the bills',
    ]);
    expect(inMemory.summary.inputs.unreadableDocuments).toBe(1);
  });

  it('documents given without a file are named by their index in inputs.documents', async () => {
    const report = await reconcile(
      {
        declarations: [],
        documents: [
          {
            messageType: 'CEB816',
            fields: { invtNo: 'I1', taxNo: 'T1', customsTax: '0', valueAddedTax: '1', consumptionTax: '0' },
          },
          { messageType: 'CEB818', fields: { invtNo: 'I1', status: '2' } },
        ],
      },
      { calculate, store: new MemoryStore() },
    );
    expect(report.problems).toEqual([
      'inputs.documents[1]: CEB818: tax bill status without invtNo, taxNo or status (invtNo I1)',
      'No declaration was read (the declarations input is empty, or could not be used): nothing was compared with the bills',
    ]);
  });
});

describe('declarations that cannot be read', () => {
  it('reconcile() names each by its line, or by its place in inputs.declarations without one', async () => {
    const issue = (en: string) => ({ code: 'json-syntax', severity: 'error', path: '', message: { zh: en, en } });
    const good = JSON.parse(readFileSync(DECLARATIONS, 'utf8'));
    const report = await reconcile(
      {
        declarations: [
          { line: 1, value: good },
          { line: 3, issue: issue('The input is not valid JSON (line 3, column 2): bad') },
          { mode: 'single', issue: issue('The input is not valid JSON: bad') },
        ],
      },
      { calculate, store: new MemoryStore() },
    );
    expect(report.problems).toEqual([
      'inputs.declarations, line 3: The input is not valid JSON (line 3, column 2): bad',
      'inputs.declarations[2]: The input is not valid JSON: bad',
    ]);
    // Rows of their own (not computed), as before; a problem is told, not counted as an unreadable document.
    expect(report.summary).toMatchObject({ notComputed: 2, inputs: { declarations: 3, unreadableDocuments: 0 } });
  });
});

describe('files that hold no bill the scanner reads', () => {
  const sub = join(dir, 'inbox');
  mkdirSync(sub, { recursive: true });
  // A customs inbox: the format-check receipt and a CEB712 beside the bills. They are messages of the
  // specification that reconciliation does not use: skipped, as the docs say (before: each an unknown root,
  // unreadable, and the month never balanced).
  writeFileSync(
    join(sub, 'CEB712.xml'),
    readFileSync('test/fixtures/ceb-spec/samples-202205/import/CEB712Message.xml'),
  );
  writeFileSync(
    join(sub, 'CEB900.xml'),
    `<CEB900Message ${ns} guid="G9" version="1.0"><ReturnHead><guid>G9</guid></ReturnHead></CEB900Message>`,
  );
  // Bills where the documents stand but not as documents: a <Tax> in no namespace (a hand export), and
  // <Tax> wrapped in a <TaxList>. Before, they were dropped without a word.
  writeFileSync(
    join(sub, 'bare.xml'),
    `<c:CEB816Message xmlns:c="http://www.chinaport.gov.cn/ceb"><Tax/></c:CEB816Message>`,
  );
  writeFileSync(
    join(sub, 'wrapped.xml'),
    `<CEB816Message ${ns}><TaxList>${bill(7, true)}${bill(8, true)}</TaxList></CEB816Message>`,
  );

  const files = ['CEB712.xml', 'CEB900.xml', 'bare.xml', 'wrapped.xml'].map((f) => join(sub, f));
  const problems = [
    `${join(sub, 'bare.xml')}: 1 element under the root is not a CEB816 document and was not read (<Tax>); a document is a child of the root in namespace http://www.chinaport.gov.cn/ceb`,
    `${join(sub, 'wrapped.xml')}: 1 element under the root is not a CEB816 document and was not read (<TaxList (http://www.chinaport.gov.cn/ceb)>); a document is a child of the root in namespace http://www.chinaport.gov.cn/ceb`,
  ];

  it.each([0, 2])('with %i workers: other messages skipped, stray elements unreadable and named', async (workers) => {
    const report = await reconcileFiles({
      declarations: DECLARATIONS,
      documents: files,
      workers,
      store: new MemoryStore(),
    });
    expect(report.summary.inputs).toMatchObject({ bills: 0, skippedDocuments: 2, unreadableDocuments: 2 });
    expect(report.problems).toEqual(problems);
  });

  it('reconcile() over readCebDocuments counts and names them as reconcileFiles() does', async () => {
    // Before, readCebDocuments gave nothing for these files: the month balanced with its bills unread.
    const entries = [];
    for await (const d of readCebDocuments(files)) entries.push(d);
    expect(entries).toEqual([
      { file: files[0], unread: 'other-message', messageType: 'CEB712', fields: {}, items: [] },
      { file: files[1], unread: 'other-message', messageType: 'CEB900', fields: {}, items: [] },
      {
        file: files[2],
        unread: 'stray-elements',
        messageType: 'CEB816',
        fields: {},
        items: [],
        strayElements: { count: 1, names: ['Tax'] },
      },
      {
        file: files[3],
        unread: 'stray-elements',
        messageType: 'CEB816',
        fields: {},
        items: [],
        strayElements: { count: 1, names: ['TaxList (http://www.chinaport.gov.cn/ceb)'] },
      },
    ]);
    const declarations = [JSON.parse(readFileSync(DECLARATIONS, 'utf8'))];
    const report = await reconcile(
      { declarations, documents: readCebDocuments(files) },
      { calculate, store: new MemoryStore() },
    );
    expect(report.summary.inputs).toMatchObject({ bills: 0, skippedDocuments: 2, unreadableDocuments: 2 });
    expect(report.problems).toEqual(problems);
    // An entry without a file is named by its place in inputs.documents.
    const { file: _file, ...bare } = entries[2]!;
    const alone = await reconcile({ declarations, documents: [bare] }, { calculate, store: new MemoryStore() });
    expect(alone.problems).toEqual([problems[0]!.replace(files[2]!, 'inputs.documents[0]')]);
  });

  it('the scanner reads another message to its end without documents; a broken one is still malformed', () => {
    const s = new CebScanner();
    s.push(readFileSync(join(sub, 'CEB900.xml'), 'utf8'));
    expect([s.end(), s.otherMessageType, s.messageType]).toEqual([[], 'CEB900', undefined]);
    // scanCebText keeps its contract: the types it reads, else XML_UNKNOWN_ROOT.
    expect(() => scanCebText(readFileSync(join(sub, 'CEB900.xml'), 'utf8'))).toThrow(
      expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' }),
    );
    const broken = new CebScanner();
    broken.push(`<CEB900Message ${ns}><ReturnHead>`);
    expect(() => broken.end()).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    // The stray <Tax>: the parser reads no document from it either, and says why.
    const parsed = parseCebXml(readFileSync(join(sub, 'bare.xml'), 'utf8'));
    expect(parsed.kind === 'ceb' && parsed.documents).toEqual([]);
    expect(parsed.issues.map((i) => i.code)).toContain('xml-unknown-element');
  });
});

describe("the exchange's response to a DxpMsg (DxpRep) beside the receipts", () => {
  // A platform's inbox holds the exchange's responses beside customs' receipts: reconciliation has no use for one, and
  // skips it as it skips a CEB900 (before: an unknown root, an unreadable file, the month never balanced).
  const sub = join(dir, 'dxp-inbox');
  mkdirSync(sub, { recursive: true });
  const REP =
    '<?xml version="1.0" encoding="UTF-8"?>\n<DxpRep xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><RecevierId>DXPENT0000012345</RecevierId><Response><ResponseCode>1</ResponseCode><ResponseInfo>报文格式错误</ResponseInfo><NoticeTime>2026-11-20</NoticeTime><OriHead><CopMsgId>M1</CopMsgId><SenderId>DXPENT0000012345</SenderId><ReceiverIds><ReceiverId>DXPEDCCEB0000002</ReceiverId></ReceiverIds><CreatTime>2026-11-20T12:00:01</CreatTime><MsgType>CEB311Message</MsgType></OriHead></Response></DxpRep>\n';
  const rep = join(sub, 'DxpRep.xml');
  writeFileSync(rep, REP);
  const receipt = join(sub, 'CEB622.xml');
  writeFileSync(receipt, readFileSync('test/fixtures/xml/CEB622-release.xml'));
  const files = [rep, receipt];

  it.each([0, 2])('with %i workers: counted as skipped, no problem, the receipt read', async (workers) => {
    const report = await reconcileFiles({
      declarations: DECLARATIONS,
      documents: files,
      workers,
      store: new MemoryStore(),
    });
    expect(report.summary.inputs).toMatchObject({ receipts: 1, skippedDocuments: 1, unreadableDocuments: 0 });
    expect(report.problems).toEqual([]);
  });

  it('sandan reconcile: one more skipped document, nothing on standard error, the report and exit code as without it', async () => {
    const run = (path: string) =>
      runCli([
        'reconcile',
        '--declarations',
        DECLARATIONS,
        '--receipts',
        path,
        '--tax-bills',
        path,
        '--format',
        'json',
      ]);
    const [without, withRep] = [await run(receipt), await run(sub)];
    expect([withRep.stderr, withRep.code]).toEqual([without.stderr, without.code]);
    const [a, b] = [JSON.parse(without.stdout), JSON.parse(withRep.stdout)];
    expect(b.summary.inputs).toEqual({ ...a.summary.inputs, skippedDocuments: a.summary.inputs.skippedDocuments + 1 });
    expect({ ...b, summary: { ...b.summary, inputs: a.summary.inputs } }).toEqual(a);
  });

  it('readCebDocuments gives it as another message; scanCebText still refuses its root; a broken one is malformed', async () => {
    const entries = [];
    for await (const d of readCebDocuments([rep])) entries.push(d);
    expect(entries).toEqual([{ file: rep, unread: 'other-message', messageType: 'DxpRep', fields: {}, items: [] }]);
    expect(() => scanCebText(REP)).toThrow(
      expect.objectContaining({
        code: 'XML_UNKNOWN_ROOT',
        message: expect.stringMatching(
          /^Unknown root element DxpRep in namespace http:\/\/www\.chinaport\.gov\.cn\/dxp;/,
        ),
        details: { root: 'DxpRep', namespace: 'http://www.chinaport.gov.cn/dxp' },
      }),
    );
    const broken = new CebScanner();
    broken.push(REP.replace('</DxpRep>', ''));
    expect(() => broken.end()).toThrow(expect.objectContaining({ code: 'XML_MALFORMED' }));
    // In a DxpMsg's Data it is no CEB message: refused as before (the parser does not unwrap one either).
    const data = Buffer.from(REP).toString('base64');
    const inDxp = new CebScanner();
    inDxp.push(
      `<DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><TransInfo><CopMsgId>M2</CopMsgId></TransInfo><Data>${data}</Data></DxpMsg>`,
    );
    expect(() => inDxp.end()).toThrow(expect.objectContaining({ code: 'XML_UNKNOWN_ROOT' }));
  });
});
