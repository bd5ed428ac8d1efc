// An order whose inventory customs rejected (CEB622 100 退单) and that was not declared again and accepted is
// `rejected`, as `sandan status` says of the same receipts: before, reconciliation reported it `unlinked` (it never got
// an invtNo) and counted the tax withheld from the buyer as a bill missing. Receipts are real XML: the dandingtest
// inventory receipts (test/fixtures/outside/README.md) with the status, time, preNo and text changed, scanned as
// `sandan reconcile --receipts` scans them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCebXml, status, type StatusReceipt, type StatusReceiptType } from '../../src/index.js';
import {
  MemoryStore,
  openSqliteStore,
  reconcile,
  reconcileBalanced,
  renderReconcileHtml,
  reportJsonChunks,
  reportTextChunks,
  scanCebText,
  type ReconcileReport,
  type ReconcileStore,
  type ScannedDocument,
} from '../../src/reconcile/index.js';
import { runCli } from '../helpers/cli.js';
import { RATES } from './generator.js';
import { calculate, memoryData, reconcileArgs } from './helpers.js';

const DIR = fileURLToPath(new URL('../fixtures/outside/dandingtest/', import.meta.url));
const RELEASED = readFileSync(`${DIR}CEB622-released.xml`, 'utf8');
const DECLARED = readFileSync(`${DIR}CEB622-declared.xml`, 'utf8');
const COP_NO = '124183351885';
const INVT_NO = '29242020I439440284';
const FIRST_PRE_NO = 'B20200615494000227';
const SECOND_PRE_NO = 'B20200615494000301';

/** The dandingtest inventory receipt with another status, time, text and preNo (and without invtNo when `numbered` is false). */
function inventory(returnStatus: string, returnTime: string, returnInfo: string, preNo: string, numbered = true) {
  const xml = RELEASED.replace('<returnStatus>800</returnStatus>', `<returnStatus>${returnStatus}</returnStatus>`)
    .replace('<returnTime>20200615171556654</returnTime>', `<returnTime>${returnTime}</returnTime>`)
    .replace('<returnInfo>[Code:2600;Desc:放行]</returnInfo>', `<returnInfo>${returnInfo}</returnInfo>`)
    .replace(`<preNo>${FIRST_PRE_NO}</preNo>`, `<preNo>${preNo}</preNo>`);
  return numbered ? xml : xml.replace(`<invtNo>${INVT_NO}</invtNo>`, '');
}

/** Taken in by the E-Port (2), then customs' 退单 (100) before numbering the inventory: no invtNo. */
const REJECTED = [
  DECLARED,
  inventory('100', '20200615171600000', '[Code:1332;Desc:支付单支付金额与订单支付金额不一致]', FIRST_PRE_NO, false),
];
/** The same copNo declared again an hour later under a new preNo, taken in (120) and released (800). */
const DECLARED_AGAIN = [
  DECLARED.replace(FIRST_PRE_NO, SECOND_PRE_NO).replace('20200615171550734', '20200615181550734'),
  inventory('120', '20200615181556605', '[Code:1800;Desc:逻辑校验通过]', SECOND_PRE_NO),
  inventory('800', '20200615181556654', '[Code:2600;Desc:放行]', SECOND_PRE_NO),
];
/** Customs took the inventory in (120); the next day the E-Port refused a later message (-621017): not rejected. */
const EPORT_REFUSAL_AFTER_120 = [
  DECLARED,
  inventory('120', '20200615171556605', '[Code:1800;Desc:逻辑校验通过]', FIRST_PRE_NO),
  inventory('-621017', '20200616090000000', '系统发生异常', FIRST_PRE_NO, false),
];
/** Taken in (120) and numbered, then customs' 退单 (100) before the release: rejected, with an invtNo a bill can name. */
const TAKEN_IN_THEN_100 = [
  DECLARED,
  inventory('120', '20200615171556605', '[Code:1800;Desc:逻辑校验通过]', FIRST_PRE_NO),
  inventory('100', '20200615171600000', '[Code:1332;Desc:支付单支付金额与订单支付金额不一致]', FIRST_PRE_NO),
];
/**
 * Released, then a 100 (退单) a day later: a released inventory allows no change (the catalogue's -621012), so the 100
 * answers a later message and the release stands.
 */
const RELEASED_THEN_100 = [
  RELEASED,
  inventory('100', '20200616171556654', '[Code:1332;Desc:支付单支付金额与订单支付金额不一致]', FIRST_PRE_NO),
];

const scanned = (xml: readonly string[]): ScannedDocument[] => xml.flatMap((x) => scanCebText(x).documents);

const data = memoryData(20);
/** A generated order without a defect (matched by its one bill: VAT 2.25 + 13.65 = 15.90, withheld 15.90). */
const A = data.declarations[10] as Record<string, any>;
const BILL_OF_A = data.documents.filter((d) => d.messageType === 'CEB816' && d.fields.invtNo === A.inventory.invtNo);

/** Order A as declared under the dandingtest copNo, without an invtNo (customs had not numbered it). */
function declaredByCopNo(orderNo: string): Record<string, any> {
  const d = structuredClone(A);
  d.order.orderNo = d.inventory.orderNo = d.payment.orderNo = d.logistics.orderNo = orderNo;
  d.inventory.copNo = COP_NO;
  delete d.inventory.invtNo;
  delete d.inventory.preNo;
  return d;
}
/** A's bill, issued for the dandingtest inventory. */
const billOfDandingtest = (): ScannedDocument[] =>
  BILL_OF_A.map((b) => ({ ...b, fields: { ...b.fields, invtNo: INVT_NO } }));

const stores: Array<[string, () => Promise<ReconcileStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['SQLite', () => openSqliteStore()],
];

async function run(open: () => Promise<ReconcileStore>, declarations: unknown[], documents: ScannedDocument[]) {
  const store = await open();
  const report = await reconcile({ declarations, documents }, { calculate, store });
  return { report, rows: [...report.rows()], store };
}

const notes = (n: readonly string[]) => n.filter((x) => !x.startsWith('line:'));

describe.each(stores)('an order whose inventory customs rejected (%s index)', (_name, open) => {
  it('is rejected, not unlinked, and its withheld tax is owed back, not a bill missing', async () => {
    const { report, rows, store } = await run(
      open,
      [declaredByCopNo('SDREJ000000001'), A],
      [...scanned(REJECTED), ...BILL_OF_A],
    );
    expect(rows.map((r) => [r.orderNo, r.invtNo, r.status, r.taxNos, notes(r.notes)])).toEqual([
      ['SDREJ000000001', null, 'rejected', [], []],
      [A.order.orderNo, A.inventory.invtNo, 'matched', [BILL_OF_A[0]!.fields.taxNo], []],
    ]);
    expect(rows[0]!.declaredTaxTotal).toBe('15.90');
    const s = report.summary;
    // Two orders: the rejected one withheld 15.90, the matched one 15.90 and was billed 15.90.
    expect([s.orders, s.matched, s.rejected, s.unlinked, s.billMissing]).toEqual([2, 1, 1, 0, 0]);
    expect(s.declaredTaxTotal.toFixed(2)).toBe('31.80'); // 15.90 + 15.90
    expect(s.billedTaxTotal.toFixed(2)).toBe('15.90');
    expect(s.rejectedTaxTotal.toFixed(2)).toBe('15.90'); // owed back to the buyer
    expect(s.difference.toFixed(2)).toBe('-15.90'); // 15.90 − 31.80
    // The difference by cause: matched 15.90 − 15.90 = 0.00, rejected 0 − 15.90 = −15.90, nothing missing.
    const causes = Object.fromEntries(s.waterfall.causes.map((c) => [c.cause, [c.orders, c.amount.toFixed(2)]]));
    expect(causes.rounding).toEqual([1, '0.00']);
    expect(causes.rejected).toEqual([1, '-15.90']);
    expect(causes['bill-missing']).toEqual([0, '0.00']);
    // By month and district too (both orders declared in one month, one district).
    const [month] = Object.values(s.byMonth);
    expect([month!.rejected, month!.rejectedTaxTotal.toFixed(2)]).toEqual([1, '15.90']);
    const [district] = Object.values(s.byDistrict);
    expect([district!.rejected, district!.rejectedTaxTotal.toFixed(2)]).toEqual([1, '15.90']);
    // A rejected order is an outcome, as a cancel is: the month balances.
    expect(reconcileBalanced(s)).toBe(true);
    store.close();
  });

  it('declared again and released: its bill decides (matched), and 0.01 more billed is a mismatch', async () => {
    const receipts = scanned([...REJECTED, ...DECLARED_AGAIN]);
    const decl = declaredByCopNo('SDREJ000000002');
    const ok = await run(open, [decl], [...receipts, ...billOfDandingtest()]);
    expect(ok.rows.map((r) => [r.status, r.invtNo, r.linkedBy])).toEqual([['matched', INVT_NO, 'copNo']]);
    expect(ok.report.summary.rejectedTaxTotal.toFixed(2)).toBe('0.00');
    ok.store.close();
    const bumped = billOfDandingtest().map((b) => ({ ...b, fields: { ...b.fields, valueAddedTax: '15.91' } }));
    const off = await run(open, [decl], [...receipts, ...bumped]);
    expect(off.rows.map((r) => [r.status, r.mismatches])).toEqual([
      [
        'mismatch',
        [
          { kind: 'valueAddedTax', amount: '0.01' },
          { kind: 'declared', amount: '0.01' },
        ],
      ],
    ]);
    off.store.close();
  });

  it("an E-Port refusal after customs' 120 refuses only that message: not rejected", async () => {
    const { rows, store } = await run(
      open,
      [declaredByCopNo('SDREJ000000003')],
      [...scanned(EPORT_REFUSAL_AFTER_120), ...billOfDandingtest()],
    );
    expect(rows.map((r) => [r.status, r.invtNo])).toEqual([['matched', INVT_NO]]);
    store.close();
  });

  it('released, then a 100 a day later: the release stands, and its bill decides (matched)', async () => {
    const { report, rows, store } = await run(
      open,
      [declaredByCopNo('SDREJ000000007')],
      [...scanned(RELEASED_THEN_100), ...billOfDandingtest()],
    );
    expect(rows.map((r) => [r.status, r.invtNo, notes(r.notes)])).toEqual([['matched', INVT_NO, []]]);
    expect(report.summary.rejectedTaxTotal.toFixed(2)).toBe('0.00');
    store.close();
  });

  it('a bill for a rejected order stays on the row and in the billed total, is named, and the month does not balance', async () => {
    const { report, rows, store } = await run(
      open,
      [declaredByCopNo('SDREJ000000004')],
      [...scanned(TAKEN_IN_THEN_100), ...billOfDandingtest()],
    );
    const taxNo = BILL_OF_A[0]!.fields.taxNo as string;
    expect(rows.map((r) => [r.status, r.invtNo, r.taxNos, notes(r.notes), r.billed?.taxTotal])).toEqual([
      ['rejected', INVT_NO, [taxNo], [`bill-of-rejected:${taxNo}`], '15.90'],
    ]);
    const s = report.summary;
    expect([s.billedTaxTotal.toFixed(2), s.rejectedTaxTotal.toFixed(2), s.difference.toFixed(2)]).toEqual([
      '15.90',
      '15.90',
      '0.00', // 15.90 billed − 15.90 withheld
    ]);
    expect(reconcileBalanced(s)).toBe(false);
    store.close();
  });
});

function statusReceipts(xml: readonly string[]): StatusReceipt[] {
  return xml.flatMap((x) => {
    const m = parseCebXml(x);
    if (m.kind !== 'ceb') throw new Error('not a CEB message');
    return m.documents.map((d) => ({ messageType: m.messageType as StatusReceiptType, fields: d }));
  });
}

describe('reconcile and status read the same receipts alike', () => {
  const cases: Array<[string, string[]]> = [
    ['rejected', REJECTED],
    ['rejected, then declared again and released', [...REJECTED, ...DECLARED_AGAIN]],
    ["an E-Port refusal after customs' 120", EPORT_REFUSAL_AFTER_120],
    ['released, then a 100', RELEASED_THEN_100],
    ['taken in, then a 100', TAKEN_IN_THEN_100],
    // (files read in another order: the same answer)
    ['declared again and released, read first', [...DECLARED_AGAIN, ...REJECTED]],
  ];
  it.each(cases)('%s', async (_name, xml) => {
    const [order] = status(statusReceipts(xml), { now: new Date('2020-06-20T00:00:00Z') });
    const answers: string[] = [];
    for (const [, open] of stores) {
      const { rows, store } = await run(open, [declaredByCopNo('SDREJ000000005')], scanned(xml));
      answers.push(rows[0]!.status);
      store.close();
    }
    const rejected = order!.state === 'rejected';
    expect(answers.map((a) => a === 'rejected')).toEqual([rejected, rejected]);
    expect(answers[0]).toBe(answers[1]);
  });
});

describe('every output shows the rejected orders and the tax owed back', () => {
  let report: ReconcileReport;
  it('text, JSON and the HTML page', async () => {
    ({ report } = await run(
      async () => new MemoryStore(),
      [declaredByCopNo('SDREJ000000006'), A],
      [...scanned(REJECTED), ...BILL_OF_A],
    ));
    const text = [...reportTextChunks(report)].join('');
    expect(text).toMatch(/\n {2}rejected {27}1\n/);
    expect(text).toContain(
      '  withheld on rejected orders            15.90   (customs rejected the inventory: owed back to buyers)',
    );
    expect(text).toMatch(/\n {4}rejected +1 +-15\.90\n/);
    const json = JSON.parse([...reportJsonChunks(report)].join(''));
    expect([json.summary.rejected, json.summary.rejectedTaxTotal]).toEqual([1, '15.90']);
    const month = Object.values(json.summary.byMonth)[0] as Record<string, unknown>;
    expect([month.rejected, month.rejectedTaxTotal]).toEqual([1, '15.90']);
    expect(json.orders[0].status).toBe('rejected');
    const html = renderReconcileHtml(json, { echarts: 'window.echarts = {};' });
    expect(html).toContain('海关退单');
    expect(html).toContain('退单代扣税款（应退还买家）');
    expect(html).toContain('withheld on rejected orders (owed back to buyers)');
  });
});

describe('sandan reconcile --receipts: a rejected order, through worker threads and both indexes', () => {
  it.each([
    ['memory', '0'],
    ['sqlite', '0'],
    ['sqlite', '2'],
  ])(
    '%s index, %s workers: rejected, 15.90 owed back, exit 0 (was unlinked, a bill missing, exit 1)',
    async (index, workers) => {
      const dir = mkdtempSync(join(tmpdir(), 'sandan-rejected-'));
      try {
        mkdirSync(join(dir, 'receipts'));
        mkdirSync(join(dir, 'bills'));
        for (const [i, xml] of REJECTED.entries()) writeFileSync(join(dir, 'receipts', `CEB622-${i + 1}.xml`), xml);
        writeFileSync(join(dir, 'declarations.ndjson'), `${JSON.stringify(declaredByCopNo('SDREJ000000007'))}\n`);
        writeFileSync(join(dir, 'rates.json'), JSON.stringify(RATES));
        const r = await runCli([...reconcileArgs(dir), '--format', 'json', '--index', index, '--workers', workers]);
        expect(r.stderr).toBe('');
        const j = JSON.parse(r.stdout);
        expect(j.orders.map((o: Record<string, any>) => [o.orderNo, o.invtNo, o.status, o.declaredTaxTotal])).toEqual([
          ['SDREJ000000007', null, 'rejected', '15.90'],
        ]);
        expect([j.summary.rejected, j.summary.unlinked, j.summary.rejectedTaxTotal, j.summary.difference]).toEqual([
          1,
          0,
          '15.90',
          '-15.90',
        ]);
        expect(r.code).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
