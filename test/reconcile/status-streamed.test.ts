import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nationalReturnWindow } from '../../src/quota/return-window.js';
import {
  renderStatusHtml,
  status,
  statusHtmlChunks,
  statusHtmlChunksOf,
  statusInputsOfDeclaration,
  statusInputsOfMessage,
  statusJsonChunks,
  statusJsonChunksOf,
  statusPlan,
} from '../../src/reconcile/index.js';
import type { OrderStatus, SentDocument, StatusReceipt } from '../../src/reconcile/status/types.js';
import { parseCebXml } from '../../src/xml/parse.js';
import { runCli } from '../helpers/cli.js';

/*
 * `sandan status` makes each order only as its report is written (statusPlan), no longer every order at once inside
 * status(). The reports must be the same bytes: the SHA-256 below are of the outputs of the build before the change
 * (commit 6c19db6) on the month this file generates, in each format.
 */

const NS = 'http://www.chinaport.gov.cn/ceb';
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const guid = (i: number, kind: number, n = 0) => `6F0D2C8E-1B7A-${pad(n, 4)}-${pad(kind, 4)}-${pad(i, 12)}`;
/** Beijing time as a receipt writes it: day 1 to 28 of 2026-11, then `minutes` later. */
function time17(i: number, minutes: number): string {
  const ms = Date.UTC(2026, 10, 1 + (i % 28), 1, 0, 0) + (i % 600) * 60_000 + minutes * 60_000;
  return new Date(ms).toISOString().replace(/\D/g, '').slice(0, 17);
}
function receipt(type: string, element: string, id: string, fields: Record<string, string | undefined>): string {
  const body = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `    <${k}>${v}</${k}>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${type}Message guid="${id}" version="1.0" xmlns="${NS}">\n  <${element}>\n${body}\n  </${element}>\n</${type}Message>\n`;
}

const PARCELS = 420;
const EXAMPLE = readFileSync('examples/hangzhou-1210.json', 'utf8');
const T = JSON.parse(EXAMPLE) as {
  order: { appTime: string };
  inventory: { orderNo: string; copNo: string; logisticsNo: string };
  payment: { payTransactionId: string };
};

/**
 * A month of `PARCELS` parcels as files: receipts of every document, refusals (100 with customs' reason) and the
 * inventory declared again and released, a change refused after the release (a resend refused), approved returns (some
 * late) and cancels, deliveries, tax bills, an untimed delivery status, receipts kept twice, parcels without a
 * declaration whose copNo is their orderNo (related groups), a payment number spelled in lower case (a near miss), an
 * orderNo two platforms used; the declarations of four parcels in five.
 */
function writeMonth(dir: string): void {
  const declarations: string[] = [];
  for (let i = 0; i < PARCELS; i++) {
    const files: Array<[string, string]> = [];
    const declared = i % 5 !== 4;
    // (a parcel without a declaration numbers its inventory as its order: the two groups name each other)
    const orderNo = i % 37 === 12 ? `SD${pad(i - 1, 12)}` : `SD${pad(i, 12)}`;
    const ebpCode = i % 37 === 12 ? '3301964J32' : '3301964J31';
    const copNo = declared ? `INV${pad(i, 12)}` : orderNo;
    const preNo = `B20261101${pad(i, 9)}`;
    const invtNo = `29242026I${pad(i, 9)}`;
    const logisticsNo = `ZT${pad(i, 13)}`;
    const payTransactionId = `PAY${pad(i, 14)}`;
    if (declared) {
      let text = EXAMPLE;
      for (const [from, to] of [
        [T.inventory.orderNo, orderNo],
        [T.inventory.copNo, copNo],
        [T.inventory.logisticsNo, logisticsNo],
        [T.payment.payTransactionId, payTransactionId],
        [T.order.appTime, time17(i, 0).slice(0, 14)],
      ] as const)
        text = text.split(from).join(to);
      const json = JSON.parse(text) as { order: { ebpCode: string }; inventory: { ebpCode: string } };
      json.order.ebpCode = ebpCode;
      json.inventory.ebpCode = ebpCode;
      declarations.push(JSON.stringify(json));
    }
    const ok = (n: number) => `[Code:2600;Desc:新增申报成功 ${guid(i, n)}]`;
    files.push([
      'CEB312',
      receipt('CEB312', 'OrderReturn', guid(i, 312), {
        guid: guid(i, 312),
        ebpCode,
        ebcCode: ebpCode,
        orderNo,
        returnStatus: '120',
        returnTime: time17(i, 1),
        returnInfo: ok(312),
      }),
    ]);
    files.push([
      'CEB412',
      receipt('CEB412', 'PaymentReturn', guid(i, 412), {
        guid: guid(i, 412),
        payCode: '312228034T',
        // (one in 23 spelled in lower case by the payment company: a near miss of its declaration's)
        payTransactionId: i % 23 === 7 ? payTransactionId.toLowerCase() : payTransactionId,
        returnStatus: '120',
        returnTime: time17(i, 2),
        returnInfo: ok(412),
      }),
    ]);
    if (i % 11 !== 5)
      files.push([
        'CEB512',
        receipt('CEB512', 'LogisticsReturn', guid(i, 512), {
          guid: guid(i, 512),
          logisticsCode: '3301980ZT1',
          logisticsNo,
          returnStatus: '120',
          returnTime: time17(i, 3),
          returnInfo: ok(512),
        }),
      ]);
    let n = 0;
    const inventory = (returnStatus: string, minutes: number, returnInfo: string) =>
      files.push([
        `CEB622-${++n}`,
        receipt('CEB622', 'InventoryReturn', guid(i, 622, n), {
          guid: guid(i, 622, n),
          customsCode: '2924',
          ebpCode,
          ebcCode: ebpCode,
          agentCode: '3301980BRK',
          copNo,
          preNo,
          invtNo,
          returnStatus,
          returnTime: time17(i, minutes),
          returnInfo,
        }),
      ]);
    inventory('120', 4, '[Code:2600;Desc:逻辑校验通过]');
    const refused = i % 7 === 3;
    const resent = refused && i % 14 === 3;
    if (refused)
      inventory('100', 30, '[Code:1332;Desc:支付单支付金额与订单支付金额不一致],[OrderHead.acturalPaid:597.87]');
    if (resent) inventory('120', 40, '[Code:2600;Desc:逻辑校验通过]');
    const released = !refused || resent;
    if (released) inventory('800', 60, '[Code:2600;Desc:放行]');
    // (a change sent after the release, refused: the release stands)
    if (released && i % 13 === 6) inventory('100', 90, '[Code:-621012;Desc:已放行的清单不能改单]');
    if (released && i % 2 === 0)
      files.push([
        'CEB514',
        receipt('CEB514', 'LogisticsStatusReturn', guid(i, 514), {
          guid: guid(i, 514),
          logisticsCode: '3301980ZT1',
          logisticsNo,
          logisticsStatus: 'S',
          returnStatus: '2',
          // (one without a time)
          returnTime: i % 17 === 8 ? undefined : time17(i, 60 * 24 * 2),
          returnInfo: '[Code:2600;Desc:签收]',
        }),
      ]);
    if (released && i % 6 === 1) {
      // A return: in time, or (one in two) applied for after the window.
      const late = i % 12 === 7 ? 60 * 24 * 40 : 60 * 24 * 5;
      for (const [k, st] of [
        [1, '120'],
        [2, '399'],
      ] as const)
        files.push([
          `CEB626-${k}`,
          receipt('CEB626', 'InvtRefundReturn', guid(i, 626, k), {
            guid: guid(i, 626, k),
            customsCode: '2924',
            agentCode: '3301980BRK',
            ebpCode,
            ebcCode: ebpCode,
            copNo,
            preNo,
            invtNo,
            returnStatus: st,
            returnTime: time17(i, late + k * 60),
            returnInfo: '[Code:2600;Desc:审核通过]',
          }),
        ]);
    }
    if (i % 9 === 2)
      files.push([
        'CEB624',
        receipt('CEB624', 'InvtCancelReturn', guid(i, 624), {
          guid: guid(i, 624),
          customsCode: '2924',
          agentCode: '3301980BRK',
          ebpCode,
          ebcCode: ebpCode,
          copNo,
          preNo,
          invtNo,
          returnStatus: '399',
          returnTime: time17(i, 60 * 24),
          returnInfo: '[Code:2600;Desc:审核通过]',
        }),
      ]);
    if (released && i % 4 === 0)
      files.push([
        'CEB816',
        `<?xml version="1.0" encoding="UTF-8"?>\n<CEB816Message guid="${guid(i, 816)}" version="1.0" xmlns="${NS}">\n  <Tax>\n    <TaxHeadRd>\n      <guid>${guid(i, 816)}</guid>\n      <returnTime>${time17(i, 61)}</returnTime>\n      <invtNo>${invtNo}</invtNo>\n      <taxNo>${invtNo}01</taxNo>\n      <customsTax>0</customsTax>\n      <valueAddedTax>49.87</valueAddedTax>\n      <consumptionTax>0</consumptionTax>\n      <status>1</status>\n      <entDutyNo>DUTY0001</entDutyNo>\n      <assureCode>3301964J31</assureCode>\n      <ebcCode>3301964J31</ebcCode>\n      <logisticsCode>3301980ZT1</logisticsCode>\n      <agentCode>3301980BRK</agentCode>\n      <customsCode>2924</customsCode>\n    </TaxHeadRd>\n  </Tax>\n</CEB816Message>\n`,
      ]);
    const sub = join(dir, pad(Math.floor(i / 100), 2));
    mkdirSync(sub, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(sub, `${name}-${pad(i, 5)}.xml`), text);
    // (kept twice, as an archive keeps a receipt: one event)
    if (i % 19 === 0) writeFileSync(join(sub, `again-CEB312-${pad(i, 5)}.xml`), files[0]![1]);
  }
  writeFileSync(join(dir, 'declarations.ndjson'), `${declarations.join('\n')}\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'sandan-status-streamed-'));
writeMonth(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = ['--now', '2026-12-10T12:00:00'];
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

const STDERR =
  'sandan status: --now 2026-12-10T12:00:00.000+08:00 is earlier than the latest receipt or message (2027-01-07T09:31:00.000+08:00): waits and deadlines are counted from it\n';

/** The outputs of commit 6c19db6 (every order made inside status()) on this month, `sandan status DIR --format F`. */
const BEFORE = {
  json: 'f99d94518050496319e3441075423c061a8eb0b6ed5d060fa92ef11979691da3',
  text: '49a19d54478b67ae311f9a2cfb17e3ba10d60935e04b059864e4500d710aa4eb',
  html: '11a9c9b092cf140c7aa0e5ef106a762ef23db0f0ba21697ad99a98e5b2992e6d',
  // (exit code and SHA-256)
  order: '1 848437e189ce41218f236fa11f6ec835b9baf9e2beeea60725dd6d498feb7ed5',
};

describe('sandan status writes each order as it makes it, the same bytes as before', () => {
  it.each(['json', 'text', 'html'] as const)('--format %s', async (format) => {
    const r = await runCli(['status', dir, '--format', format, ...NOW]);
    // (the month has anomalies, exit 1; its late returns come after --now, which standard error and the problems say)
    expect([r.code, r.stderr]).toEqual([1, STDERR]);
    expect(sha(r.stdout)).toBe(BEFORE[format]);
  });

  it('--order: one order of a related pair, the same bytes as before', async () => {
    const r = await runCli(['status', dir, '--order', `SD${pad(4, 12)}`, '--format', 'json', ...NOW]);
    expect(`${r.code} ${sha(r.stdout)}`).toBe(BEFORE.order);
  });
});

/** The month's receipts and sent documents, as the CLI reads them. */
function inputs(): { receipts: StatusReceipt[]; sent: SentDocument[] } {
  const receipts: StatusReceipt[] = [];
  const sent: SentDocument[] = [];
  for (const line of readFileSync(join(dir, 'declarations.ndjson'), 'utf8').trim().split('\n'))
    sent.push(...statusInputsOfDeclaration(JSON.parse(line)).sent);
  for (let i = 0; i < PARCELS; i++) {
    const sub = join(dir, pad(Math.floor(i / 100), 2));
    for (const name of ['CEB312', 'CEB412', 'CEB622-1', 'CEB622-2', 'CEB626-1']) {
      let text: string;
      try {
        text = readFileSync(join(sub, `${name}-${pad(i, 5)}.xml`), 'utf8');
      } catch {
        continue;
      }
      receipts.push(...statusInputsOfMessage(parseCebXml(text)).receipts);
    }
  }
  return { receipts, sent };
}

describe('statusPlan', () => {
  it('makes an order only when asked, and each order as status() gives it', () => {
    const { receipts, sent } = inputs();
    const now = new Date('2026-12-10T04:00:00Z');
    const whole = status(receipts, { now, sent });
    // The return window is read once for each released order that is made: counted, it tells which were made.
    const national = nationalReturnWindow();
    let made = 0;
    const returnWindow = (date: string) => {
      made++;
      return national(date);
    };
    const plan = statusPlan(receipts, { now, sent, returnWindow });
    const related = whole.filter((o) => o.relatedGroups !== undefined).length;
    // (only the orders another names are made first, for their state)
    expect(related).toBeGreaterThan(0);
    const before = made;
    expect(before).toBeLessThan(whole.length / 4);
    expect(plan.orders.map((o) => o.order)).toEqual(whole.map((o) => o.order));
    const first = whole.findIndex((o) => o.returnWindow !== undefined);
    expect(plan.build(plan.orders[first]!)).toEqual(whole[first]);
    expect(made).toBe(before + 1);
    expect(plan.orders.map((o) => (o === plan.orders[first] ? whole[first]! : plan.build(o)))).toEqual(whole);
    // (each order is made once: its documents are let go)
    expect(() => plan.build(plan.orders[0]!)).toThrow(/made once/);
  });
});

describe('statusPlan keeps of each receipt only what its node is made of', () => {
  it("holds its own copy: the caller's receipts changed or let go after planning change no order", () => {
    const { receipts, sent } = inputs();
    const now = new Date('2026-12-10T04:00:00Z');
    const whole = status(receipts, { now, sent });
    const plan = statusPlan(receipts, { now, sent });
    // (the plan held each receipt as given until its order was made: 500 bytes of which 230 were its guid and keys)
    for (const r of receipts) {
      r.fields.returnStatus = '100';
      r.fields.returnInfo = '[Code:1332;Desc:changed after planning]';
      r.fields.returnTime = '20200101000000000';
      r.fields.invtNo = 'changed';
    }
    receipts.length = 0;
    expect(plan.orders.map((o) => plan.build(o))).toEqual(whole);
  });
});

describe('statusJsonChunksOf', () => {
  it("writes a report from a plan's orders made one at a time, the same text as statusJsonChunks of them all", () => {
    const { receipts, sent } = inputs();
    const now = new Date('2026-12-10T04:00:00Z');
    const whole = status(receipts, { now, sent });
    const report = { now: '2026-12-10T12:00:00.000+08:00', problems: ['a.xml: no order'], orders: whole };
    const plan = statusPlan(receipts, { now, sent });
    const streamed = [
      ...statusJsonChunksOf(
        { ...report, orders: [] },
        plan.orders.map((o) => plan.build(o)),
      ),
    ].join('');
    expect(streamed).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(streamed).toBe([...statusJsonChunks(report)].join(''));
    // (no orders: the report as JSON.stringify writes it)
    expect([...statusJsonChunksOf({ now: report.now, orders: [] }, [])].join('')).toBe(
      `${JSON.stringify({ now: report.now, orders: [] }, null, 2)}\n`,
    );
  });

  it('refuses what is no report or no iterable of orders (an async iterable too) with a SandanError', () => {
    const report = { now: '2026-12-10T12:00:00.000+08:00', orders: [] };
    expect(() => statusJsonChunksOf(null as never, [])).toThrow(/statusJsonChunksOf: the report must be/);
    expect(() => statusJsonChunksOf(report, null as never)).toThrow(/the orders must be an iterable, got null/);
    const asyncOrders = (async function* () {})();
    expect(() => statusJsonChunksOf(report, asyncOrders as never)).toThrow(/the orders must be an iterable/);
  });
});

describe('statusHtmlChunksOf', () => {
  const now = new Date('2026-12-10T04:00:00Z');
  const head = { now: '2026-12-10T12:00:00.000+08:00', problems: ['a.xml: no order', 'b.xml: <b>not read</b>'] };

  it("writes the page of a plan's orders made one at a time, the same bytes as renderStatusHtml of them all", () => {
    const { receipts, sent } = inputs();
    const whole = status(receipts, { now, sent });
    const anomalous = whole.filter((o) => o.anomalies.length > 0).length;
    // (the month has orders of both kinds: a count that is all or none would not tell)
    expect(anomalous).toBeGreaterThan(0);
    expect(anomalous).toBeLessThan(whole.length);
    const plan = statusPlan(receipts, { now, sent });
    // hasAnomalies makes each order and keeps its documents: build still makes it, as status() does
    const flags = plan.orders.map((o) => plan.hasAnomalies(o));
    expect(flags).toEqual(whole.map((o) => o.anomalies.length > 0));
    const counts = { orders: plan.orders.length, anomalous: flags.filter(Boolean).length };
    for (const title of [undefined, 'T <1>']) {
      const options = title === undefined ? {} : { title };
      const fresh = title === undefined ? plan : statusPlan(receipts, { now, sent });
      const streamed = [
        ...statusHtmlChunksOf(
          { ...head, orders: [] },
          fresh.orders.map((o) => fresh.build(o)),
          counts,
          options,
        ),
      ].join('');
      const page = renderStatusHtml({ ...head, orders: whole }, options);
      expect(streamed).toBe(page);
      expect(sha(streamed)).toBe(sha([...statusHtmlChunks({ ...head, orders: whole }, options)].join('')));
    }
    // (no orders, no problems: the page says so)
    expect([...statusHtmlChunksOf({ now: head.now, orders: [] }, [], { orders: 0, anomalous: 0 })].join('')).toBe(
      renderStatusHtml({ now: head.now, orders: [] }),
    );
  });

  it('asks for each order only as it writes it: one order held at a time', () => {
    const { receipts, sent } = inputs();
    const plan = statusPlan(receipts, { now, sent });
    const anomalous = plan.orders.filter((o) => plan.hasAnomalies(o)).length;
    let made = 0;
    function* orders(): Generator<OrderStatus> {
      for (const o of plan.orders) {
        made++;
        yield plan.build(o);
      }
    }
    const it = statusHtmlChunksOf({ ...head, orders: [] }, orders(), { orders: plan.orders.length, anomalous });
    // head, heading, summary, problems, the no-orders line: no order made yet
    for (let i = 0; i < 5; i++) it.next();
    expect(made).toBe(0);
    for (let k = 1; k <= 3; k++) {
      const part = it.next().value as string;
      expect(part).toContain(`id="order-${k - 1}"`);
      expect(made).toBe(k);
    }
  });

  it('refuses counts the orders do not add up to, and what is no report, iterable or counts, with a SandanError', () => {
    const { receipts, sent } = inputs();
    const whole = status(receipts, { now, sent });
    const anomalous = whole.filter((o) => o.anomalies.length > 0).length;
    const page = (counts: { orders: number; anomalous: number }) => () => [
      ...statusHtmlChunksOf({ ...head, orders: [] }, whole, counts),
    ];
    expect(page({ orders: whole.length, anomalous: anomalous - 1 })).toThrow(
      `statusHtmlChunksOf: counts says ${whole.length} orders, ${anomalous - 1} with anomalies; the orders were ${whole.length}, ${anomalous} with anomalies`,
    );
    expect(page({ orders: whole.length + 1, anomalous })).toThrow(/counts says/);
    expect(page({ orders: 1.5, anomalous })).toThrow(/counts.orders is a number of orders/);
    expect(() => statusHtmlChunksOf(null as never, [], { orders: 0, anomalous: 0 })).toThrow(
      /statusHtmlChunksOf: the report must be/,
    );
    expect(() => statusHtmlChunksOf(head as never, null as never, { orders: 0, anomalous: 0 })).toThrow(
      /the orders must be an iterable, got null/,
    );
    expect(() => statusHtmlChunksOf(head as never, [], undefined as never)).toThrow(/statusHtmlChunksOf: counts/);
    // An order read back from a file that is no order status is named where it is, as renderStatusHtml names it.
    const broken = [whole[0]!, { ...whole[1]!, timeline: 'x' }] as OrderStatus[];
    expect(() => [...statusHtmlChunksOf(head as never, broken, { orders: 2, anomalous: 0 })]).toThrow(
      /statusHtmlChunksOf: orders\[1\]\.timeline/,
    );
  });
});
