import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OrderStatus,
  renderStatusHtml,
  statusHtmlChunks,
  statusHtmlChunksOf,
  type StatusReportJSON,
} from '../../src/reconcile/index.js';
import { elapsed } from '../../src/reconcile/status/html.js';
import { runCli } from '../helpers/cli.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { type BrowserGlobals, type DomElement, launchChromium, openPage } from './html-browser.js';

const HOSTILE = '</script><script>alert(1)</script><!--';

function receipt(type: string, doc: string, fields: Record<string, string>): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = Object.entries(fields)
    .map(([k, v]) => `<${k}>${esc(v)}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${type}Message xmlns="http://www.chinaport.gov.cn/ceb" guid="5E0BAFD2-0000-4000-8000-000000000001" version="1.0"><${doc}>${body}</${doc}></${type}Message>`;
}

const dir = mkdtempSync(join(tmpdir(), 'sandan-status-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// SD202611200001: sent (the example declaration), order rejected with Code 1332, inventory released
// and, by --now, 10 days without a delivery status. A second order has a hostile number.
copyFileSync('examples/hangzhou-1210.json', join(dir, 'declaration.json'));
copyFileSync('test/fixtures/xml/CEB312-rejected.xml', join(dir, 'CEB312-rejected.xml'));
writeFileSync(
  join(dir, 'CEB622-release.xml'),
  receipt('CEB622', 'InventoryReturn', {
    guid: 'G1',
    customsCode: '2924',
    copNo: 'INV202611200001',
    preNo: 'B20261120000000001',
    invtNo: '29242026I000000001',
    returnStatus: '800',
    returnTime: '20261120120000000',
    returnInfo: '[Code:2600;Desc:放行]',
  }),
);
// Its tax bill: shown in the timeline with its number and amounts, no returnStatus of its own.
writeFileSync(
  join(dir, 'CEB816-bill.xml'),
  receipt('CEB816', 'Tax', {}).replace(
    '<Tax></Tax>',
    '<Tax><TaxHeadRd><guid>G3</guid><returnTime>20261120130000000</returnTime><invtNo>29242026I000000001</invtNo><taxNo>29242026I00000000101</taxNo><customsTax>0</customsTax><valueAddedTax>31.76</valueAddedTax><consumptionTax>0</consumptionTax><status>1</status><entDutyNo>D1</entDutyNo><assureCode>3301964J31</assureCode><ebcCode>3301964J31</ebcCode><logisticsCode>3301980ZT1</logisticsCode><agentCode>3301980BRK</agentCode><customsCode>2924</customsCode></TaxHeadRd><TaxListRd><gnum>1</gnum><gcode>1901101000</gcode><taxPrice>199</taxPrice><customsTax>0</customsTax><valueAddedTax>31.76</valueAddedTax><consumptionTax>0</consumptionTax></TaxListRd></Tax>',
  ),
);
writeFileSync(
  join(dir, 'CEB312-hostile.xml'),
  receipt('CEB312', 'OrderReturn', {
    guid: 'G2',
    ebpCode: '3301964J31',
    ebcCode: '3301964J31',
    orderNo: HOSTILE,
    returnStatus: '2',
    returnTime: '20261121090000000',
    returnInfo: '[Code:0;Desc:<b>ok</b>]',
  }),
);
const args = ['status', dir, '--now', '2026-11-30T12:00:00'];

/** U+202E RIGHT-TO-LEFT OVERRIDE: shows everything after it right to left, until its paragraph (block) ends. */
const RLO = '\u202e';

/**
 * Whether `needle`, in a text node under the first `selector`, reads left to right on the screen: its first character's
 * box is left of its last one's (reversed by an override, the first is drawn rightmost).
 */
function readsLeftToRight(page: Page, selector: string, needle: string): Promise<boolean | string> {
  return page.$eval(
    selector,
    (root, needle) => {
      interface TextNode {
        data: string;
      }
      interface Doc {
        createTreeWalker(root: unknown, show: number): { nextNode(): TextNode | null };
        createRange(): {
          setStart(n: TextNode, at: number): void;
          setEnd(n: TextNode, at: number): void;
          getBoundingClientRect(): { left: number };
        };
      }
      const doc = (globalThis as unknown as { document: Doc }).document;
      const texts = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
      for (let t = texts.nextNode(); t; t = texts.nextNode()) {
        const node = t;
        const at = node.data.indexOf(needle);
        if (at < 0) continue;
        const left = (i: number) => {
          const r = doc.createRange();
          r.setStart(node, i);
          r.setEnd(node, i + 1);
          return r.getBoundingClientRect().left;
        };
        return left(at) < left(at + needle.length - 1);
      }
      return `no text under ${selector} holds ${needle}`;
    },
    needle,
  );
}

describe('renderStatusHtml (string)', () => {
  it('writes elapsed time between events in both languages', () => {
    expect(elapsed('2026-11-20T10:15:00+08:00', '2026-11-20T10:17:00.001+08:00')).toEqual(['+2分', '+2 min']);
    // 10:17 on the 20th to 12:00 on the 23rd: 3 days, 1 hour 43 minutes.
    expect(elapsed('2026-11-20T10:17:00+08:00', '2026-11-23T12:00:00+08:00')).toEqual(['+3天1小时', '+3 d 1 h']);
    expect(elapsed('', '2026-11-23T12:00:00+08:00')).toBeUndefined();
  });

  it('has no script and keeps hostile text as text', async () => {
    const r = await runCli([...args, '--format', 'json']);
    const html = renderStatusHtml(JSON.parse(r.stdout));
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("script-src 'none'");
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--');
    expect(html).not.toContain('<b>ok</b>');
  });

  it('refuses a title that is no text as misuse (SandanError), not a TypeError from escaping it', () => {
    const report: StatusReportJSON = { now: '2026-11-30T04:00:00.000Z', orders: [] };
    const misuse = (caller: string) =>
      expect.objectContaining({
        name: 'SandanError',
        code: 'INVALID_OPTION',
        message: `${caller}: options.title must be text (a string), got 5`,
      });
    const title = 5 as unknown as string;
    expect(() => renderStatusHtml(report, { title })).toThrow(misuse('renderStatusHtml'));
    expect(() => [...statusHtmlChunks(report, { title })]).toThrow(misuse('statusHtmlChunks'));
    expect(() => [...statusHtmlChunksOf(report, [], { orders: 0, anomalous: 0 }, { title })]).toThrow(
      misuse('statusHtmlChunksOf'),
    );
  });

  it("keeps a report's timeline event as text in its attributes (a report made by another tool)", async () => {
    const report: StatusReportJSON = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
    const node = report.orders[0]!.timeline[0]!;
    (node as { event: string }).event = 'sent" onmouseover="alert(1)';
    const html = renderStatusHtml(report);
    expect(html).not.toContain('onmouseover="alert(1)');
    expect(html).toContain('data-event="sent&quot; onmouseover=&quot;alert(1)"');
  });

  it('is written an order at a time, as the one string has it', async () => {
    const report: StatusReportJSON = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
    expect(report.orders.length).toBeGreaterThan(1);
    for (const r of [report, { ...report, orders: [] }]) {
      const chunks = [...statusHtmlChunks(r, { title: 'T' })];
      expect(chunks.join('')).toBe(renderStatusHtml(r, { title: 'T' }));
      // head, heading, summary, the no-orders line (empty when there are orders), each order, tail
      expect(chunks.length).toBe(r.orders.length + 5);
      expect(chunks[0]).toMatch(/<body>\n$/);
      expect(chunks.at(-1)).toMatch(/^\n\n<\/body>\n<\/html>\n$/);
    }
    // The CLI writes the same page.
    expect((await runCli([...args, '--format', 'html'])).stdout).toBe(renderStatusHtml(report));
    // Misuse throws at the call, not when the first part is asked for.
    expect(() => statusHtmlChunks(null as unknown as StatusReportJSON)).toThrow(/statusHtmlChunks/);
  });

  it('names the first part of a report read back from a file that is not an order status (it was a TypeError)', async () => {
    const report: StatusReportJSON = JSON.parse((await runCli([...args, '--format', 'json'])).stdout);
    const broken = (change: (o: Record<string, unknown>) => void, at = 1) => {
      const copy = structuredClone(report) as unknown as { orders: Array<Record<string, unknown>> };
      change(copy.orders[at]!);
      return copy as unknown as StatusReportJSON;
    };
    const cases: Array<[StatusReportJSON, RegExp]> = [
      [
        { ...report, orders: [null as unknown as OrderStatus] },
        /^statusHtmlChunks: report\.orders\[0\]: .*expected object/,
      ],
      [broken((o) => delete o.anomalies), /^statusHtmlChunks: report\.orders\[1\]\.anomalies: .*expected array/],
      [
        broken((o) => ((o.keys as Record<string, unknown>).orderNo = 'SD1')),
        /^statusHtmlChunks: report\.orders\[1\]\.keys\.orderNo: /,
      ],
      [
        broken((o) => ((o.timeline as Array<Record<string, unknown>>)[0]!.time = 20261130)),
        /^statusHtmlChunks: report\.orders\[1\]\.timeline\[0\]\.time: .*expected string/,
      ],
      [
        broken((o) => (o.anomalies as unknown[]).push({ kind: 'rejected', document: 'order', message: 'no' })),
        /^statusHtmlChunks: report\.orders\[1\]\.anomalies\[\d+\]\.message: .*expected object/,
      ],
    ];
    for (const [bad, message] of cases) {
      expect(() => statusHtmlChunks(bad)).toThrow(
        expect.objectContaining({ name: 'SandanError', code: 'INVALID_OPTION' }),
      );
      expect(() => statusHtmlChunks(bad)).toThrow(message);
      expect(() => renderStatusHtml(bad)).toThrow(
        new RegExp(message.source.replace('statusHtmlChunks', 'renderStatusHtml')),
      );
    }
  });
});

describe.skipIf(skipWithout('chromium'))('the status page in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    needTool('chromium');
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('draws each order’s timeline, anomalies and fixes as the JSON has them, offline and with no error', async () => {
    const j = await runCli([...args, '--format', 'json']);
    const h = await runCli([...args, '--format', 'html']);
    expect(h.stderr).toBe('');
    expect(h.code).toBe(j.code);
    expect(h.code).toBe(1);
    const report = JSON.parse(j.stdout) as StatusReportJSON;
    // The fixture's story, so the comparisons below compare something.
    const main = report.orders.find((o) => o.order === 'SD202611200001')!;
    expect(main.anomalies.map((a) => a.kind).sort()).toEqual(['no-delivery-status', 'rejected']);
    expect(main.timeline.filter((n) => n.event === 'receipt')).toHaveLength(2);
    expect(main.timeline.filter((n) => n.event === 'tax-bill').map((n) => n.taxBill?.valueAddedTax)).toEqual(['31.76']);
    expect(report.orders.map((o) => o.order)).toContain(HOSTILE);

    const file = join(dir, 'status.html');
    writeFileSync(file, h.stdout);
    const p = await openPage(browser, file);
    try {
      const orders = await p.page.$$eval('section.order', (sections) =>
        (sections as unknown as DomElement[]).map((s) => ({
          order: s.getAttribute('data-order'),
          orderText: s.querySelector('.order-no')?.textContent,
          state: s.getAttribute('data-state'),
          events: Array.from(s.querySelectorAll('ol.timeline > li.event')).map((li) => {
            const box = li.getBoundingClientRect();
            const dot = (globalThis as unknown as BrowserGlobals).getComputedStyle(li, '::before');
            return {
              event: li.getAttribute('data-event'),
              document: li.getAttribute('data-document'),
              time: li.querySelector('time')?.textContent ?? '',
              text: li.textContent,
              flagged: li.classList.contains('flagged'),
              drawn: box.width > 0 && box.height > 0 && dot.width !== 'auto' && parseFloat(dot.width) > 0,
            };
          }),
          anomalies: Array.from(s.querySelectorAll('li.anomaly')).map((li) => ({
            kind: li.getAttribute('data-kind'),
            message: li.querySelector('.message')?.textContent,
            fix: li.querySelector('.fix')?.textContent ?? null,
            visible: li.getBoundingClientRect().height > 0,
          })),
        })),
      );
      expect(orders.map((o) => o.order)).toEqual(report.orders.map((o) => o.order));
      report.orders.forEach((o: OrderStatus, i) => {
        const shown = orders[i]!;
        expect(shown.orderText).toBe(o.order);
        expect(shown.state).toBe(o.state);
        expect(shown.events.map((e) => [e.event, e.document, e.time])).toEqual(
          o.timeline.map((n) => [n.event, n.document, n.time]),
        );
        for (const [k, e] of shown.events.entries()) {
          expect(e.drawn, `${o.order} event ${k}`).toBe(true);
          const n = o.timeline[k]!;
          if (n.meaning) expect(e.text).toContain(n.meaning.zh), expect(e.text).toContain(n.meaning.en);
          if (n.code) expect(e.text).toContain(`[Code:${n.code}]`);
          if (n.taxBill)
            for (const v of [
              n.taxBill.status,
              `税单号 taxNo ${n.taxBill.taxNo}`,
              '关税 duty 0',
              '增值税 VAT 31.76',
              '消费税 consumption tax 0',
            ])
              expect(e.text).toContain(v);
        }
        expect(shown.anomalies.map((a) => a.kind)).toEqual(o.anomalies.map((a) => a.kind));
        o.anomalies.forEach((a, k) => {
          const s = shown.anomalies[k]!;
          expect(s.visible).toBe(true);
          expect(s.message).toContain(a.message.zh);
          expect(s.message).toContain(a.message.en);
          if (a.fix) {
            expect(s.fix).toContain(a.fix.zh);
            expect(s.fix).toContain(a.fix.en);
          }
        });
      });
      // The rejected order receipt is the one highlighted: it carries the anomaly's code.
      const mainShown = orders.find((o) => o.order === 'SD202611200001')!;
      expect(mainShown.events.filter((e) => e.flagged).map((e) => e.document)).toEqual(['order']);
      expect(await p.page.$$eval('script', (s) => s.length)).toBe(0);
      expect(p.consoleErrors).toEqual([]);
      expect(p.pageErrors).toEqual([]);
      expect(p.dialogs).toEqual([]);
      expect(p.offPageRequests).toEqual([]);
    } finally {
      await p.close();
    }
  }, 60_000);

  it('shows an override (U+202E) or a line break in a problem or an anomaly as its escape, so the text after it reads in order', async () => {
    // A DxpRep in the inbox, named with an override and saying one in its ResponseInfo: its warning, a problem, quotes
    // both in the middle of its text; each ran on to the end of the list item, showing the rest of the warning reversed.
    const inbox = join(dir, 'inbox-bidi');
    mkdirSync(inbox);
    copyFileSync('examples/hangzhou-1210.json', join(inbox, 'declaration.json'));
    writeFileSync(
      join(inbox, `rep${RLO}.xml`),
      readFileSync('test/fixtures/xml/DxpRep.xml', 'utf8').replace('received', `rec${RLO}eived&#10;FORGED`),
    );
    const h = await runCli(['status', inbox, '--now', '2026-11-30T12:00:00', '--format', 'html']);
    expect(h.stderr).toContain("the exchange's response (DxpRep)");
    const page = join(dir, 'problems-bidi.html');
    writeFileSync(page, h.stdout);
    // A tax bill's number with an override, quoted in the middle of its anomaly's message (made by another tool).
    const bill = `T1${RLO}`;
    const o = {
      order: 'SD1',
      keys: { orderNo: ['SD1'], ebpCode: [], payTransactionId: [], logisticsNo: [], copNo: [], preNo: [], invtNo: [] },
      state: 'released',
      documents: {},
      timeline: [],
      anomalies: [
        {
          kind: 'unknown-status',
          document: 'taxBill',
          message: {
            zh: `CEB816 税单 ${bill} 的状态 9 不在税单状态表中`,
            en: `CEB816 tax bill ${bill} has status 9, none of a tax bill's`,
          },
        },
      ],
    } as unknown as OrderStatus;
    const anomalies = join(dir, 'anomaly-bidi.html');
    writeFileSync(anomalies, renderStatusHtml({ now: '2026-11-30T04:00:00.000Z', orders: [o] }));
    let p = await openPage(browser, page);
    try {
      expect(await readsLeftToRight(p.page, '.problems li', 'does not read it')).toBe(true);
      const text = await p.page.$eval('.problems li', (e) => e.textContent ?? '');
      // As on standard error: the override and the line break written as their escapes, on one line.
      expect(text).toContain('rep\\u202e.xml');
      expect(text).toContain('rec\\u202eeived\\nFORGED');
      expect(text).not.toMatch(/[\u202e\n]/);
    } finally {
      await p.close();
    }
    p = await openPage(browser, anomalies);
    try {
      expect(await readsLeftToRight(p.page, '.anomaly .message', "none of a tax bill's")).toBe(true);
      expect(await p.page.$eval('.anomaly .message', (e) => e.textContent)).toContain('T1\\u202e has status 9');
    } finally {
      await p.close();
    }
  }, 60_000);

  it('keeps an override in receipt text (U+202E) to itself: the state, the next number and the English read in order', async () => {
    // A copNo `C<b>1` + U+202E, a waybill number ending in one, an Arabic returnInfo ending in one: each was written raw
    // inline, and the override ran on to the end of its block, showing what followed it reversed.
    const order = `C<b>1${RLO}`;
    const desc = `تم رفض الطلب${RLO}`;
    const keys = {
      orderNo: [],
      ebpCode: [],
      payTransactionId: [],
      logisticsNo: [`LN1${RLO}`, 'LN2XYZ'],
      copNo: [order],
    };
    const o = {
      order,
      keys: { ...keys, preNo: [], invtNo: [] },
      state: 'rejected',
      documents: { logistics: { returnStatus: '-301010', time: '2026-11-20T12:00:00+08:00', outcome: 'rejected' } },
      timeline: [
        {
          time: '2026-11-20T12:00:00+08:00',
          event: 'receipt',
          messageType: 'CEB512',
          document: 'logistics',
          returnStatus: `-301010${RLO}`,
          meaning: { zh: '拒绝', en: 'refused' },
          code: `1332${RLO}`,
          desc,
          logisticsStatus: 'OK',
        },
      ],
      anomalies: [
        {
          kind: 'rejected',
          document: 'logistics',
          message: { zh: `CEB512 回执状态 -301010：${desc}`, en: `CEB512 receipt status -301010: ${desc}` },
        },
      ],
    } as OrderStatus;
    const file = join(dir, 'bidi.html');
    writeFileSync(file, renderStatusHtml({ now: '2026-11-30T04:00:00.000Z', orders: [o] }));
    const p = await openPage(browser, file);
    try {
      // The order number and its state share the heading; the state is drawn after (right of) the number.
      expect(await readsLeftToRight(p.page, 'section.order h2', 'rejected')).toBe(true);
      expect(await p.page.$eval('.order-no', (e) => e.textContent)).toBe(order);
      // Two waybill numbers in one <dd>, and the copNo's in the next.
      expect(await readsLeftToRight(p.page, '.keys', 'LN2XYZ')).toBe(true);
      // The status, then its meaning; the code, the Arabic returnInfo, then the logistics status.
      expect(await readsLeftToRight(p.page, '.what', 'refused')).toBe(true);
      expect(await readsLeftToRight(p.page, '.why', 'logistics status')).toBe(true);
      // The anomaly's message quotes the returnInfo in Chinese, then says it in English.
      expect(await readsLeftToRight(p.page, '.anomaly .message', 'receipt status')).toBe(true);
      // The Arabic itself still reads right to left.
      expect(await readsLeftToRight(p.page, '.why', 'تم رفض')).toBe(false);
      expect(p.consoleErrors).toEqual([]);
    } finally {
      await p.close();
    }
  }, 60_000);
});
