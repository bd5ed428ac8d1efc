import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MismatchEntryJSON,
  type ReconcileHtmlOptions,
  type ReconcileReportJSON,
  renderReconcileHtml,
  type WaterfallJSON,
} from '../../src/reconcile/index.js';
import { mismatchHistogram, waterfallSteps } from '../../src/reconcile/report-html.js';
import { runCli } from '../helpers/cli.js';
import { needTool, skipWithout } from '../helpers/tools.js';
import { fileSink, generate, type Calculate } from './generator.js';
import { calculate, reconcileArgs } from './helpers.js';
import {
  type BrowserGlobals,
  chartsReady,
  type DomElement,
  launchChromium,
  openPage,
  tableRows,
} from './html-browser.js';

const ECHARTS = readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'sandan-reconcile-html-'));
generate(dir, fileSink(), { orders: 300, calculate: calculate as unknown as Calculate, billsPerFile: 50 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = reconcileArgs(dir);

/**
 * A waterfall of the shape the summary carries, made by hand from the report's own totals: the
 * declared mismatches (billed − declared) as `mismatch`, and whatever else separates withheld
 * from billed as `other`, so that withheld + Σ causes = billed exactly.
 */
function handWaterfall(t: { declaredTaxTotal: string; billedTaxTotal: string; mismatched: number }, mismatch: string) {
  const other = new Decimal(t.billedTaxTotal).minus(t.declaredTaxTotal).minus(mismatch);
  const w: WaterfallJSON = {
    withheld: t.declaredTaxTotal,
    billed: t.billedTaxTotal,
    difference: new Decimal(t.billedTaxTotal).minus(t.declaredTaxTotal).toFixed(2),
    causes: [
      { cause: 'mismatch', orders: t.mismatched, amount: new Decimal(mismatch).toFixed(2) },
      { cause: 'other', orders: 0, amount: other.toFixed(2) },
    ],
  };
  return w;
}

function withWaterfall(j: ReconcileReportJSON): ReconcileReportJSON {
  const declared = j.summary.mismatches
    .filter((m) => m.kind === 'declared')
    .reduce((a, m) => a.plus(m.amount), new Decimal(0));
  const copy = structuredClone(j);
  copy.summary.waterfall = handWaterfall(copy.summary, declared.toFixed(2));
  // Per group the split is not known from the summary alone: everything goes to `other` but the total still holds.
  for (const g of [copy.summary.byMonth, copy.summary.byDistrict])
    for (const t of Object.values(g)) t.waterfall = handWaterfall(t, '0');
  return copy;
}

describe('renderReconcileHtml (string)', () => {
  const hostile = '</script><script>alert(1)</script><!--';
  const report: ReconcileReportJSON = {
    summary: {
      orders: 1,
      matched: 0,
      mismatched: 1,
      billMissing: 0,
      billWithoutDeclaration: 0,
      cancelled: 0,
      refunded: 0,
      billVoid: 0,
      unlinked: 0,
      notComputed: 0,
      duplicateDeclarations: 0,
      dutiableValue: '100.00',
      declaredTaxTotal: '9.10',
      computedTaxTotal: '9.10',
      billedTaxTotal: '9.11',
      difference: '0.01',
      computed: { customsTax: '0.00', consumptionTax: '0.00', valueAddedTax: '9.10', taxTotal: '9.10' },
      billed: { customsTax: '0.00', consumptionTax: '0.00', valueAddedTax: '9.11', taxTotal: '9.11' },
      byMonth: {},
      byDistrict: {},
      inputs: {
        declarations: 1,
        bills: 1,
        duplicateBills: 0,
        conflictingBills: 0,
        billStatuses: 0,
        receipts: 0,
        skippedDocuments: 0,
        unreadableDocuments: 0,
      },
      problems: [`bill ${hostile}`],
      mismatches: [{ orderNo: hostile, invtNo: `"><img src=x onerror=alert(2)>`, kind: 'declared', amount: '0.01' }],
    },
  };

  it('keeps script-breaking order numbers as text, in the tables and in the embedded JSON', () => {
    const html = renderReconcileHtml(report, { echarts: 'window.echarts = {};' });
    // The JSON block, ECharts and the start script: no other element can start or end.
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    expect(html.match(/<!--/g)).toBeNull();
    expect(html.match(/<img/gi)).toBeNull();
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--');
    const json = /<script type="application\/json" id="sandan-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json).charts).toHaveProperty('chart-histogram');
  });

  it('writes an override (U+202E) or a line break in a problem as its escape, as standard error does', () => {
    // A file name quoted in a problem: the override showed the rest of the problem reversed.
    const problems = ['Cannot read bills/a\u202e.xml: not well-formed\nFORGED'];
    const html = renderReconcileHtml({ ...report, summary: { ...report.summary, problems } }, { echarts: '' });
    expect(html).toContain('<li>Cannot read bills/a\\u202e.xml: not well-formed\\nFORGED</li>');
    expect(html).not.toMatch(/[\u202e]/);
  });

  it('refuses a title that is no text, or a row count that is no whole number ≥ 0 (nor Infinity), as misuse (SandanError)', () => {
    const options = [
      [{ title: 5 }, 'renderReconcileHtml: options.title must be text (a string), got 5'],
      ...[`'10'`, 'NaN', '-1', '1.5', '-Infinity'].map((shown) => [
        { maxMismatchRows: shown === `'10'` ? '10' : Number(shown) },
        `renderReconcileHtml: options.maxMismatchRows must be a non-negative whole number or Infinity (all), got ${shown === `'10'` ? '"10"' : shown}`,
      ]),
    ] as const;
    for (const [o, message] of options)
      expect(() => renderReconcileHtml(report, { echarts: '' }, o as unknown as ReconcileHtmlOptions)).toThrow(
        expect.objectContaining({ name: 'SandanError', code: 'INVALID_OPTION', message }),
      );
  });

  it('lists every mismatch for maxMismatchRows Infinity, none for 0', () => {
    const many = {
      ...report,
      summary: {
        ...report.summary,
        mismatches: ['SD1', 'SD2', 'SD3'].map((orderNo) => ({
          orderNo,
          invtNo: null,
          kind: 'declared' as const,
          amount: '0.01',
        })),
      },
    };
    const rows = (html: string) => html.match(/<td data-col="orderNo">SD\d<\/td>/g)?.length ?? 0;
    expect(rows(renderReconcileHtml(many, { echarts: '' }, { maxMismatchRows: Number.POSITIVE_INFINITY }))).toBe(3);
    expect(rows(renderReconcileHtml(many, { echarts: '' }, { maxMismatchRows: 2 }))).toBe(2);
    expect(rows(renderReconcileHtml(many, { echarts: '' }, { maxMismatchRows: 0 }))).toBe(0);
  });

  it('labels a mismatch kind named like an Object property (toString, constructor) with its own name', () => {
    const kinds = ['toString', 'constructor'];
    const odd = {
      ...report,
      summary: {
        ...report.summary,
        mismatches: kinds.map((kind) => ({ orderNo: 'SD1', invtNo: null, kind, amount: '0.01' })),
      },
    } as unknown as ReconcileReportJSON;
    const html = renderReconcileHtml(odd, { echarts: 'window.echarts = {};' });
    for (const k of kinds)
      expect(html).toContain(`<span lang="zh-CN">${k}</span> <span lang="en" class="en">${k}</span>`);
  });

  it('allows only its own inline scripts (by hash) and nothing from the network', () => {
    const html = renderReconcileHtml(report, { echarts: 'window.echarts = {};' });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1]!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'unsafe-inline';/);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });

  it('refuses a library that would end its own script element', () => {
    expect(() => renderReconcileHtml(report, { echarts: 'var s = "</script>";' })).toThrow(/cannot be inlined/);
  });

  it('draws no waterfall, and says so, when the report has none', () => {
    const html = renderReconcileHtml(report, { echarts: 'window.echarts = {};' });
    expect(html).not.toContain('chart-waterfall');
    expect(html).toContain('This report carries no waterfall of the difference.');
  });

  it('lays the waterfall steps on a running total (withheld 100.00, +3.50, −1.25 → billed 102.25)', () => {
    const steps = waterfallSteps({
      withheld: '100.00',
      billed: '102.25',
      difference: '2.25',
      causes: [
        { cause: 'mismatch', orders: 2, amount: '3.50' },
        { cause: 'refunded', orders: 1, amount: '-1.25' },
      ],
    });
    expect(steps.map((s) => [s.type, s.base, s.height, s.running])).toEqual([
      ['total', '0', '100.00', '100.00'],
      ['step', '100.00', '3.50', '103.50'], // from 100.00 up to 103.50
      ['step', '102.25', '1.25', '102.25'], // from 103.50 down to 102.25
      ['total', '0', '102.25', '102.25'],
    ]);
    // In the words of the workbook and the summary (one table of labels).
    expect(steps.map((s) => s.label)).toEqual([
      ['代扣税款', 'withheld'],
      ['不符', 'mismatch'],
      ['已退货', 'refunded'],
      ['税单税款', 'billed'],
    ]);
  });

  it('draws a step that takes the running total to zero or below from zero (withheld 0.60, −0.60, −0.40, +1.00 → billed 0.60)', () => {
    const steps = waterfallSteps({
      withheld: '0.60',
      billed: '0.60',
      difference: '0.00',
      causes: [
        { cause: 'refunded', orders: 1, amount: '-0.60' },
        { cause: 'cancelled', orders: 1, amount: '-0.40' },
        { cause: 'mismatch', orders: 1, amount: '1.00' },
      ],
    });
    expect(steps.map((s) => [s.base, s.height, s.running])).toEqual([
      ['0', '0.60', '0.60'],
      ['0.00', '0.60', '0.00'], // from 0.60 down to 0: base min(0.60, 0) = 0, height 0.60 − 0
      ['0.00', '0.00', '-0.40'], // from 0 down to −0.40: both ends clamp to 0, nothing drawn
      ['0.00', '0.60', '0.60'], // from −0.40 up to 0.60: drawn from 0, height max(−0.40, 0.60, 0) − 0 = 0.60
      ['0', '0.60', '0.60'],
    ]);
  });

  it('bins mismatch amounts by value with a 1-2-5 width', () => {
    // −0.30 … 4.70 spans 5.00: 5.00 / 20 = 0.25 → width 0.5 gives floor(4.7/0.5) − floor(−0.3/0.5) + 1 = 9 − (−1) + 1 = 11 bins.
    const bins = mismatchHistogram([
      { orderNo: 'a', invtNo: null, kind: 'declared', amount: '-0.30' },
      { orderNo: 'b', invtNo: null, kind: 'valueAddedTax', amount: '0.01' },
      { orderNo: 'c', invtNo: null, kind: 'declared', amount: '0.49' },
      { orderNo: 'd', invtNo: null, kind: 'declared', amount: '4.70' },
    ]);
    expect(bins).toHaveLength(11);
    expect(bins[0]).toMatchObject({ from: '-0.50', to: '0.00', total: 1, sum: '-0.30', counts: { declared: 1 } });
    expect(bins[1]).toMatchObject({ from: '0.00', to: '0.50', total: 2, sum: '0.50' });
    expect(bins[1]!.counts).toEqual({ valueAddedTax: 1, declared: 1 });
    expect(bins[10]).toMatchObject({ from: '4.50', to: '5.00', total: 1, sum: '4.70' });
  });

  it('bins a month of 200,000 mismatches (their extremes were spread into Dec.min: a stack overflow)', () => {
    const entries = Array.from({ length: 200_000 }, (_, i) => ({
      orderNo: `o${i}`,
      invtNo: null,
      kind: 'declared' as const,
      amount: (i % 2 ? i : -i).toString(),
    }));
    const bins = mismatchHistogram(entries);
    expect([bins[0]!.from, bins.at(-1)!.to]).toEqual(['-200000.00', '200000.00']);
    expect(bins.reduce((n, b) => n + b.total, 0)).toBe(200_000);
  });

  // (they were counted on a plain object: __proto__ was lost, constructor counted "function Object() { [native code] }1",
  // and the page's table showed Object.prototype's functions in every bin)
  it('counts kinds named like the properties of every object as any other', () => {
    const kinds = ['__proto__', 'constructor', 'toString', 'declared'];
    // (as a report read back from JSON may hold them)
    const entries = kinds.map((kind, i) => ({
      orderNo: `o${i}`,
      invtNo: null,
      kind,
      amount: i === 3 ? '0.90' : '0.01',
    })) as unknown as MismatchEntryJSON[];
    const bins = mismatchHistogram(entries);
    const last = bins.length - 1;
    expect(last).toBeGreaterThan(0);
    expect(Object.entries(bins[0]!.counts)).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
      ['toString', 1],
    ]);
    expect(Object.entries(bins[last]!.counts)).toEqual([['declared', 1]]);
    const odd = { ...report, summary: { ...report.summary, mismatches: entries } } as unknown as ReconcileReportJSON;
    const html = renderReconcileHtml(odd, { echarts: 'window.echarts = {};' });
    expect(html).not.toContain('native code');
    const data = JSON.parse(/<script[^>]*id="sandan-data"[^>]*>([^<]*)<\/script>/.exec(html)![1]!);
    expect(
      data.charts['chart-histogram'].series.map((s: { name: string; data: unknown[] }) => [
        s.name,
        s.data.filter((n) => typeof n !== 'number').length,
        (s.data as number[]).reduce((a, b) => a + b, 0),
      ]),
    ).toEqual([
      ['代扣税款 withheld', 0, 1],
      ['__proto__ __proto__', 0, 1],
      ['constructor constructor', 0, 1],
      ['toString toString', 0, 1],
    ]);
  });

  describe('renderReconcileHtml given a report that is not one (read back from a file by a JavaScript caller)', () => {
    const page = (r: unknown) => renderReconcileHtml(r as ReconcileReportJSON, { echarts: 'window.echarts = {};' });
    const summary = (change: Record<string, unknown>) => ({ summary: { ...report.summary, ...change } });
    // (each threw a TypeError from deep in the drawing, or drew "undefined", before the report was checked)
    it.each([
      ['an empty summary', { summary: {} }, /^renderReconcileHtml: report\.summary\.orders: .*expected number/],
      [
        'a count as text',
        summary({ matched: '0' }),
        /^renderReconcileHtml: report\.summary\.matched: .*expected number/,
      ],
      [
        'a month without its totals',
        summary({ byMonth: { '2026-11': { orders: 1 } } }),
        /^renderReconcileHtml: report\.summary\.byMonth\.2026-11\.matched: /,
      ],
      [
        'an amount that is no decimal',
        summary({ mismatches: [{ orderNo: 'SD1', invtNo: null, kind: 'declared', amount: '1e3' }] }),
        /^renderReconcileHtml: report\.summary\.mismatches\[0\]\.amount: must be a decimal string$/,
      ],
      [
        'a mismatch entry that is null',
        summary({ mismatches: [null] }),
        /^renderReconcileHtml: report\.summary\.mismatches\[0\]: .*expected object/,
      ],
      [
        'a waterfall cause sandan does not know',
        summary({
          waterfall: {
            withheld: '1.00',
            billed: '1.00',
            difference: '0.00',
            causes: [{ cause: 'x', orders: 0, amount: '0' }],
          },
        }),
        /^renderReconcileHtml: report\.summary\.waterfall\.causes\[0\]\.cause: /,
      ],
      [
        'inputs missing',
        summary({ inputs: undefined }),
        /^renderReconcileHtml: report\.summary\.inputs: .*expected object/,
      ],
    ])('%s: a SandanError naming the path', (_, bad, message) => {
      expect(() => page(bad)).toThrow(expect.objectContaining({ name: 'SandanError', code: 'INVALID_OPTION' }));
      expect(() => page(bad)).toThrow(message);
    });

    it('draws a report written before the waterfall and conflictingBills were counted', () => {
      const { conflictingBills: _, ...inputs } = report.summary.inputs;
      const html = page(summary({ inputs }));
      expect(html).toContain('This report carries no waterfall of the difference.');
      expect(html).not.toContain('conflicting');
    });
  });
});

describe('sandan reconcile --format html', () => {
  it('prints the same page from the built CLI (which finds ECharts beside its bundle) as from the source', async () => {
    const built = spawnSync('node', ['bin/sandan.js', ...base, '--format', 'html'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(1);
    const source = await runCli([...base, '--format', 'html']);
    expect(built.stdout.length).toBeGreaterThan(ECHARTS.length);
    expect(built.stdout).toBe(source.stdout);
    expect(built.stdout).toContain(ECHARTS);
  }, 60_000);
});

describe.skipIf(skipWithout('chromium'))('the HTML report in Chromium', () => {
  let browser: Browser;
  let json: ReconcileReportJSON;
  beforeAll(async () => {
    needTool('chromium');
    browser = await launchChromium();
    const r = await runCli([...base, '--format', 'json']);
    expect(r.code).toBe(1);
    json = JSON.parse(r.stdout);
  }, 60_000);
  afterAll(async () => browser?.close());

  /** Opens the page and checks it against the report it was drawn from, to the fen. */
  async function check(file: string, report: ReconcileReportJSON) {
    const p = await openPage(browser, file);
    try {
      const { page } = p;
      await chartsReady(page);
      const s = report.summary;
      const expectedCharts = ['chart-month', 'chart-district'];
      if (s.waterfall) expectedCharts.unshift('chart-waterfall');
      if (s.mismatches.length) expectedCharts.push('chart-histogram');
      const charts = await page.$$eval('.chart', (els) =>
        (els as unknown as DomElement[]).map((el) => {
          const canvas = el.querySelector('canvas');
          const box = canvas?.getBoundingClientRect();
          const inst = (globalThis as unknown as BrowserGlobals).echarts.getInstanceByDom(el);
          return {
            id: el.id,
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            series: inst
              ? inst.getOption().series.map((x) => ({
                  name: x.name,
                  data: x.data.map((d) => (typeof d === 'object' && d !== null ? (d as { value: unknown }).value : d)),
                }))
              : null,
          };
        }),
      );
      expect(charts.map((c) => c.id)).toEqual(expectedCharts);
      for (const c of charts) {
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.height, c.id).toBeGreaterThan(100);
        expect(c.series?.length, c.id).toBeGreaterThan(0);
      }
      const chart = (id: string) => charts.find((c) => c.id === id)!;
      const months = Object.keys(s.byMonth);
      expect(chart('chart-month').series![0]!.data).toEqual(months.map((m) => Number(s.byMonth[m]!.declaredTaxTotal)));
      expect(chart('chart-month').series![1]!.data).toEqual(months.map((m) => Number(s.byMonth[m]!.billedTaxTotal)));
      const districts = Object.keys(s.byDistrict);
      expect(chart('chart-district').series![1]!.data).toEqual(
        districts.map((d) => Number(s.byDistrict[d]!.billedTaxTotal)),
      );

      // Tables: the very strings of the JSON report.
      const counts = await tableRows(page, 'totals-counts');
      expect(counts.orders!.value).toBe(String(s.orders));
      expect(counts.mismatched!.value).toBe(String(s.mismatched));
      const amounts = await tableRows(page, 'totals-amounts');
      expect(amounts.declaredTaxTotal!.total).toBe(s.declaredTaxTotal);
      expect(amounts.billedTaxTotal!.total).toBe(s.billedTaxTotal);
      expect(amounts.billedTaxTotal!.valueAddedTax).toBe(s.billed.valueAddedTax);
      expect(amounts.computedTaxTotal!.customsTax).toBe(s.computed.customsTax);
      expect(amounts.difference!.total).toBe(s.difference);
      for (const [id, groups] of [
        ['table-month', s.byMonth],
        ['table-district', s.byDistrict],
      ] as const) {
        const rows = await tableRows(page, id);
        expect(Object.keys(rows)).toEqual(Object.keys(groups));
        for (const [k, t] of Object.entries(groups))
          expect(rows[k]).toEqual({
            key: k,
            orders: String(t.orders),
            matched: String(t.matched),
            mismatched: String(t.mismatched),
            declaredTaxTotal: t.declaredTaxTotal,
            computedTaxTotal: t.computedTaxTotal,
            billedTaxTotal: t.billedTaxTotal,
            difference: t.difference,
            rejectedTaxTotal: t.rejectedTaxTotal,
          });
      }
      if (s.waterfall) {
        const bars = chart('chart-waterfall').series![1]!.data;
        expect(bars[0]).toBe(Number(s.waterfall.withheld));
        expect(bars.at(-1)).toBe(Number(s.waterfall.billed));
        expect(bars.slice(1, -1)).toEqual(s.waterfall.causes.map((c) => Math.abs(Number(c.amount))));
        const w = await tableRows(page, 'table-waterfall');
        expect(w.withheld!.amount).toBe(s.waterfall.withheld);
        expect(w.billed!.amount).toBe(s.waterfall.billed);
        s.waterfall.causes.forEach((c, i) => {
          expect(w[`cause:${i}`]!.amount).toBe(c.amount);
          expect(w[`cause:${i}`]!.orders).toBe(String(c.orders));
        });
        // The running total reaches the billed figure: withheld + Σ causes = billed, to the fen.
        expect(w[`cause:${s.waterfall.causes.length - 1}`]!.running).toBe(new Decimal(s.waterfall.billed).toFixed(2));
      }
      for (const [part, groups] of [
        ['month', s.byMonth],
        ['district', s.byDistrict],
      ] as const)
        for (const [k, t] of Object.entries(groups)) {
          if (!t.waterfall) continue;
          const rows = Object.values(await tableRows(page, `table-waterfall-${part}-${k.replace(/[^\w-]/g, '_')}`));
          expect(rows.map((r) => r.amount)).toEqual([
            t.waterfall.withheld,
            ...t.waterfall.causes.map((c) => c.amount),
            t.waterfall.billed,
          ]);
          expect(rows.at(-2)!.running, `${part} ${k}`).toBe(new Decimal(t.waterfall.billed).toFixed(2));
        }
      if (s.mismatches.length) {
        // Each mismatch counted in the bin [from, to) that holds it, by the test's own reading of the bins.
        const bins = await tableRows(page, 'table-histogram');
        const hist = Object.values(bins);
        const counted = hist.map(() => 0);
        let sum = new Decimal(0);
        for (const m of s.mismatches) {
          const a = new Decimal(m.amount);
          sum = sum.plus(a);
          const i = hist.findIndex((b) => {
            const [from, to] = b.bin!.slice(1, -1).split(', ');
            return a.gte(from!) && a.lt(to!);
          });
          expect(i, m.amount).toBeGreaterThanOrEqual(0);
          counted[i]!++;
        }
        expect(hist.map((b) => Number(b.total))).toEqual(counted);
        expect(hist.reduce((a, b) => a.plus(b.sum!), new Decimal(0)).toFixed(2)).toBe(sum.toFixed(2));
        const shown = await tableRows(page, 'table-mismatches');
        expect(Object.values(shown).map((r) => [r.orderNo, r.amount])).toEqual(
          s.mismatches.slice(0, 200).map((m) => [m.orderNo, m.amount]),
        );
      }
      expect(p.consoleErrors).toEqual([]);
      expect(p.pageErrors).toEqual([]);
      expect(p.dialogs).toEqual([]);
      expect(p.offPageRequests).toEqual([]);
      return p;
    } finally {
      await p.close();
    }
  }

  it('writes a page with --format html --out that matches the JSON report, and opens offline with no error', async () => {
    const out = join(dir, 'report.html');
    const r = await runCli([...base, '--format', 'html', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // The page is drawn from the same report object the JSON prints.
    const { orders: _orders, ...summaryOnly } = json;
    expect(json.summary.waterfall, 'the summary carries its waterfall').toBeDefined();
    await check(out, summaryOnly as ReconcileReportJSON);
  }, 60_000);

  it('draws the waterfall from the summary, overall and per month and district', async () => {
    const report = withWaterfall(json);
    const out = join(dir, 'waterfall.html');
    writeFileSync(out, renderReconcileHtml(report, { echarts: ECHARTS }));
    await check(out, report);
  }, 60_000);

  it('keeps hostile order numbers as text in the browser: nothing runs, the cell reads the same', async () => {
    const report = withWaterfall(json);
    const hostile = '</script><script>alert(1)</script><!--';
    report.summary.mismatches[0] = { ...report.summary.mismatches[0]!, orderNo: hostile };
    const out = join(dir, 'hostile.html');
    writeFileSync(out, renderReconcileHtml(report, { echarts: ECHARTS }));
    const p = await openPage(browser, out);
    try {
      await chartsReady(p.page);
      const cell = await p.page.textContent('#table-mismatches tbody tr td[data-col="orderNo"]');
      expect(cell).toBe(hostile);
      expect(await p.page.$$eval('script', (s) => s.length)).toBe(3);
      expect(p.dialogs).toEqual([]);
      expect(p.consoleErrors).toEqual([]);
      expect(p.pageErrors).toEqual([]);
    } finally {
      await p.close();
    }
  }, 60_000);
});
