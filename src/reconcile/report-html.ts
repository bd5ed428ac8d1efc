import { createHash } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { describeInput, oneLine, SandanError } from '../errors.js';
import { Dec } from '../model/primitives.js';
import { formatPath } from '../model/issue.js';
import type { MismatchEntryJSON, ReconcileSummaryJSON, ReconcileTotalsJSON, WaterfallJSON } from './json.js';
import {
  AMOUNT_LABELS,
  COUNT_LABELS,
  GROUP_LABELS,
  inputsPhrase,
  KIND_LABELS,
  type Label,
  labelIn,
  WATERFALL_LABELS,
} from './output.js';
import { WATERFALL_CAUSES, type Mismatch } from './types.js';
import { checkArgument, isDecimalText } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';

/*
 * The reconciliation report as one self-contained HTML page (关税对账报告): ECharts and a small
 * start script inlined, the data embedded as JSON, nothing fetched, so it opens from disk or
 * an e-mail attachment. It is drawn from the same JSON object `--format json` prints, so the
 * page cannot disagree with it; every figure a chart shows is computed here with Decimal and
 * shown exactly in the table under the chart (the charts only draw them).
 */

/** Totals that may carry a waterfall and rejected orders (reports written before they existed do not). */
type ReportTotalsJSON = Omit<ReconcileTotalsJSON, 'waterfall' | 'rejected' | 'rejectedTaxTotal'> & {
  waterfall?: WaterfallJSON | undefined;
  rejected?: number | undefined;
  rejectedTaxTotal?: string | undefined;
};

/** The `--format json` report object; `orders` is not needed to draw the page. */
export interface ReconcileReportJSON {
  summary: ReportTotalsJSON & {
    byMonth: Record<string, ReportTotalsJSON>;
    byDistrict: Record<string, ReportTotalsJSON>;
    /** `conflictingBills`: absent from reports written before it was counted. */
    inputs: Omit<ReconcileSummaryJSON['inputs'], 'conflictingBills'> & { conflictingBills?: number | undefined };
    problems?: string[] | undefined;
    mismatches: MismatchEntryJSON[];
  };
  orders?: unknown[] | undefined;
}

/*
 * The check of a report given to the page, often read back from a file: a count that is no number or an amount that is
 * no decimal is named with its path, instead of failing deep in the drawing. Typed as the interface above, so the
 * compiler holds the two to the same keys; what the writers put in a report passes it (the CLI draws its own reports).
 */
const amountJSON = z.string().refine(isDecimalText, { error: 'must be a decimal string' });
const countJSON = z.number().int().nonnegative();
const taxSplitJSON = z.object({
  customsTax: amountJSON,
  consumptionTax: amountJSON,
  valueAddedTax: amountJSON,
  taxTotal: amountJSON,
});
/** The same check for each labelled key. */
const each = <K extends string, S>(labels: ReadonlyArray<readonly [K, Label]>, schema: S) =>
  Object.fromEntries(labels.map(([k]) => [k, schema])) as Record<K, S>;
const totalsJSON = z.object({
  ...each(COUNT_LABELS, countJSON),
  dutiableValue: amountJSON,
  ...each(AMOUNT_LABELS, amountJSON),
  // (a report of an earlier version has no rejected orders: shown as none)
  rejected: countJSON.optional(),
  rejectedTaxTotal: amountJSON.optional(),
  computed: taxSplitJSON,
  billed: taxSplitJSON,
  waterfall: z
    .looseObject({
      withheld: amountJSON,
      billed: amountJSON,
      difference: amountJSON,
      causes: z.array(z.object({ cause: z.enum(WATERFALL_CAUSES), orders: countJSON, amount: amountJSON })),
    })
    .optional(),
});
// (a kind sandan does not know yet is drawn under its own name)
const mismatchKindJSON = z.custom<Mismatch['kind']>((v) => typeof v === 'string', { error: 'must be a text' });
const ReportJSONSchema: z.ZodType<ReconcileReportJSON> = z.object({
  summary: z.object({
    ...totalsJSON.shape,
    byMonth: z.record(z.string(), totalsJSON),
    byDistrict: z.record(z.string(), totalsJSON),
    inputs: z.object({
      declarations: countJSON,
      bills: countJSON,
      duplicateBills: countJSON,
      conflictingBills: countJSON.optional(),
      billStatuses: countJSON,
      receipts: countJSON,
      skippedDocuments: countJSON,
      unreadableDocuments: countJSON,
    }),
    problems: z.array(z.string()).optional(),
    mismatches: z.array(
      z.object({ orderNo: z.string(), invtNo: z.string().nullable(), kind: mismatchKindJSON, amount: amountJSON }),
    ),
  }),
  orders: z.array(z.unknown()).optional(),
});

/** Checks what a caller gives a page against its schema: the first problem is a SandanError naming its path. */
export function checkShape(schema: z.ZodType, value: unknown, fn: string, path: readonly PropertyKey[]): void {
  const checked = schema.safeParse(value);
  if (checked.success) return;
  const issue = checked.error.issues[0]!;
  throw new SandanError('INVALID_OPTION', `${fn}: ${formatPath([...path, ...issue.path])}: ${issue.message}`);
}

/** What the page inlines: the ECharts build (`echarts/dist/echarts.min.js`) as text. */
export interface ReportHtmlAssets {
  echarts: string;
}

/** Options of {@link renderReconcileHtml}. */
export interface ReconcileHtmlOptions {
  /**
   * How many of the largest mismatches the page lists: a non-negative whole number, or `Infinity` for all of them
   * (default 200; the histogram counts all).
   */
  maxMismatchRows?: number;
  /** Page title (default 关税对账 Tax reconciliation). */
  title?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A page's options, checked at the call (the status and reconciliation pages): a title that is no text was a TypeError
 * once the page was written.
 */
export function pageOptions<T extends { title?: string }>(
  options: T | undefined,
  caller: string,
  names: readonly string[] = ['title'],
): T {
  const checked = knownOptions(options, caller, names);
  if (checked.title !== undefined) checkArgument(checked.title, 'text', caller, 'options.title');
  return checked;
}

/**
 * A sentence that quotes values (a problem, an anomaly's message) for HTML content: its markup escaped, and its line
 * breaks, control characters and bidi controls written as their escapes, as on standard error. An override (U+202E)
 * in a quoted file name or value ran on to the end of the sentence's block, showing the rest of it reversed.
 */
export function escapeHtmlLine(s: string): string {
  return escapeHtml(oneLine(s));
}

/**
 * JSON that is safe inside a `<script>` element: no `<`, `>` or `&` (so neither `</script>`
 * nor `<!--` can end or change the element), nor the line separators old parsers reject.
 */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A `<script>` body must not contain its end tag; the inlined library is checked, not trusted. */
function scriptBody(js: string, what: string): string {
  if (/<\/script|<!--/i.test(js)) throw new Error(`${what} cannot be inlined: it contains </script or <!--`);
  return js;
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** A bilingual label as HTML: each language in its own span. */
export function label([zh, en]: Label): string {
  return `<span lang="zh-CN">${escapeHtml(zh)}</span> <span lang="en" class="en">${escapeHtml(en)}</span>`;
}
const plain = ([zh, en]: Label) => `${zh} ${en}`;

const causeLabel = (c: string) => labelIn(WATERFALL_LABELS, c);
/** A count or total as the page shows it: one a report of an earlier version lacks (rejected orders) is none. */
const shown = (t: ReportTotalsJSON, k: keyof ReportTotalsJSON): string => {
  const v = t[k] as string | number | undefined;
  return v === undefined ? (k === 'rejected' ? '0' : '0.00') : String(v);
};

const kindLabel = (k: string) => labelIn<string>(KIND_LABELS, k);

/** One step of the waterfall as drawn: a transparent base and a visible bar of |amount|. */
interface WaterfallStep {
  label: Label;
  /** `total` bars start at zero; `step` bars float from the running total. */
  type: 'total' | 'step';
  orders?: number;
  amount: string;
  /** The running total after this step. */
  running: string;
  base: string;
  height: string;
}

/**
 * The waterfall's bars: withheld, one step per cause (in the report's order), billed. The
 * transparent base is min(before, after) of each step, so a negative cause hangs down from the
 * running total. Amounts that take the running total below zero draw from zero (not expected
 * for tax totals; the table still shows the exact figures).
 */
export function waterfallSteps(w: WaterfallJSON): WaterfallStep[] {
  const total = (name: Label, amount: string): WaterfallStep => ({
    label: name,
    type: 'total',
    amount,
    running: amount,
    base: '0',
    height: amount,
  });
  const steps = [total(AMOUNT_LABELS[0][1], w.withheld)];
  let run = new Dec(w.withheld);
  for (const c of w.causes) {
    const amount = new Dec(c.amount);
    const after = run.plus(amount);
    const low = Dec.max(Dec.min(run, after), 0);
    const high = Dec.max(run, after, 0);
    steps.push({
      label: causeLabel(c.cause),
      type: 'step',
      orders: c.orders,
      amount: c.amount,
      running: after.toFixed(2),
      base: low.toFixed(2),
      height: high.minus(low).toFixed(2),
    });
    run = after;
  }
  steps.push(total(AMOUNT_LABELS[2][1], w.billed));
  return steps;
}

/** One bin of the mismatch histogram: [from, to), entries counted by kind. */
interface HistogramBin {
  from: string;
  to: string;
  counts: Record<string, number>;
  total: number;
  sum: string;
}

/** A bin width of 1, 2 or 5 × 10ⁿ giving at most `maxBins` bins over [min, max]. */
function binWidth(min: Decimal, max: Decimal, maxBins: number): Decimal {
  const span = max.minus(min);
  if (span.isZero()) return new Dec('0.01');
  let w = new Dec(10).pow(Math.floor(Math.log10(span.div(maxBins).toNumber())));
  for (;;) {
    for (const m of [1, 2, 5]) {
      const c = w.times(m);
      if (c.gte('0.01') && max.div(c).floor().minus(min.div(c).floor()).plus(1).lte(maxBins)) return c;
    }
    w = w.times(10);
  }
}

/** Distribution of the mismatch amounts (billed − computed or − declared): every entry, binned by value. */
export function mismatchHistogram(mismatches: readonly MismatchEntryJSON[], maxBins = 20): HistogramBin[] {
  if (mismatches.length === 0) return [];
  const amounts = mismatches.map((m) => new Dec(m.amount));
  // (by a loop: Dec.min(...amounts) of a month's 130,000 mismatches overflowed the stack)
  let min = amounts[0]!;
  let max = min;
  for (const a of amounts) {
    if (a.lt(min)) min = a;
    if (a.gt(max)) max = a;
  }
  const width = binWidth(min, max, maxBins);
  const first = min.div(width).floor();
  const n = max.div(width).floor().minus(first).toNumber() + 1;
  const bins: Array<{ counts: Record<string, number>; total: number; sum: Decimal }> = Array.from(
    { length: n },
    // (no prototype: a kind is the report's, and __proto__ or constructor is counted as any other, not Object's)
    () => ({ counts: Object.create(null) as Record<string, number>, total: 0, sum: new Dec(0) }),
  );
  mismatches.forEach((m, i) => {
    const a = amounts[i]!;
    const b = bins[a.div(width).floor().minus(first).toNumber()]!;
    b.counts[m.kind] = (b.counts[m.kind] ?? 0) + 1;
    b.total++;
    b.sum = b.sum.plus(a);
  });
  return bins.map((b, i) => ({
    from: first.plus(i).times(width).toFixed(2),
    to: first
      .plus(i + 1)
      .times(width)
      .toFixed(2),
    counts: b.counts,
    total: b.total,
    sum: b.sum.toFixed(2),
  }));
}

/** A table column: the `data-col` of its cells, its heading, and whether it holds numbers (right-aligned). */
type Column = readonly [col: string, head: Label, numeric?: boolean];

/** A table whose rows have one cell per column. */
function table(
  id: string,
  caption: Label,
  columns: readonly Column[],
  rows: Array<{ key: string; cells: string[] }>,
): string {
  const th = columns.map(([, h]) => `<th scope="col">${label(h)}</th>`).join('');
  const td = (text: string, i: number) => {
    const [col, , numeric] = columns[i]!;
    return `<td data-col="${escapeHtml(col)}"${numeric ? ' class="num"' : ''}>${escapeHtml(text)}</td>`;
  };
  const body = rows.map((r) => `<tr data-key="${escapeHtml(r.key)}">${r.cells.map(td).join('')}</tr>`).join('\n');
  return `<table id="${id}"><caption>${label(caption)}</caption><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function groupTable(id: string, caption: Label, keyLabel: Label, groups: Record<string, ReportTotalsJSON>): string {
  return table(
    id,
    caption,
    [['key', keyLabel], ...GROUP_LABELS.map(([c, l]): Column => [c, l, true])],
    Object.entries(groups).map(([k, t]) => ({ key: k, cells: [k, ...GROUP_LABELS.map(([c]) => shown(t, c))] })),
  );
}

function waterfallTable(id: string, caption: Label, steps: WaterfallStep[]): string {
  return table(
    id,
    caption,
    [
      ['step', ['项目', 'step']],
      ['orders', ['订单', 'orders'], true],
      ['amount', ['金额', 'amount'], true],
      ['running', ['累计', 'running total'], true],
    ],
    steps.map((s, i) => ({
      key: i === 0 ? 'withheld' : i === steps.length - 1 ? 'billed' : `cause:${i - 1}`,
      cells: [plain(s.label), s.orders === undefined ? '' : String(s.orders), s.amount, s.running],
    })),
  );
}

function waterfallOption(steps: WaterfallStep[], title: string) {
  return {
    title: {
      text: title,
      subtext: '纵轴不从零起 the axis does not start at zero',
      left: 'center',
      textStyle: { fontSize: 14 },
    },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 80, right: 20, bottom: 60, top: 60 },
    xAxis: { type: 'category', data: steps.map((s) => plain(s.label)), axisLabel: { interval: 0, rotate: 20 } },
    // Not from zero: the steps are small beside the totals, which run off the bottom instead.
    yAxis: { type: 'value', scale: true },
    series: [
      {
        name: 'base',
        type: 'bar',
        stack: 'w',
        silent: true,
        itemStyle: { color: 'transparent', borderColor: 'transparent' },
        emphasis: { disabled: true },
        tooltip: { show: false },
        data: steps.map((s) => (s.type === 'total' ? '-' : Number(s.base))),
      },
      {
        name: '金额 amount',
        type: 'bar',
        stack: 'w',
        label: { show: true, position: 'top' },
        data: steps.map((s) => ({
          value: Number(s.height),
          label: { formatter: s.amount },
          itemStyle: {
            color: s.type === 'total' ? '#5470c6' : new Dec(s.amount).isNegative() ? '#91cc75' : '#ee6666',
          },
        })),
      },
    ],
  };
}

function groupOption(groups: Record<string, ReportTotalsJSON>, title: string) {
  const keys = Object.keys(groups);
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 24 },
    grid: { left: 80, right: 20, bottom: 40, top: 60 },
    xAxis: { type: 'category', data: keys },
    yAxis: { type: 'value' },
    series: [
      { name: '代扣 withheld', type: 'bar', data: keys.map((k) => Number(groups[k]!.declaredTaxTotal)) },
      { name: '税单 billed', type: 'bar', data: keys.map((k) => Number(groups[k]!.billedTaxTotal)) },
    ],
  };
}

function histogramOption(bins: HistogramBin[], kinds: string[], title: string) {
  return {
    title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 24 },
    grid: { left: 60, right: 20, bottom: 60, top: 60 },
    xAxis: { type: 'category', data: bins.map((b) => `[${b.from}, ${b.to})`), axisLabel: { rotate: 20 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: kinds.map((k) => ({
      name: plain(kindLabel(k)),
      type: 'bar',
      stack: 'h',
      data: bins.map((b) => b.counts[k] ?? 0),
    })),
  };
}

// Draws each chart from its option; the page has no other behaviour.
const INIT_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('sandan-data').textContent);
  var charts = [];
  Object.keys(data.charts).forEach(function (id) {
    var el = document.getElementById(id);
    var chart = echarts.init(el);
    chart.setOption(data.charts[id]);
    charts.push(chart);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute('data-charts-ready', String(charts.length));
})();`;

const STYLE = `
body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.en { color: #555; }
.chart { width: 100%; max-width: 1100px; height: 380px; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.note { color: #666; font-size: .85rem; }
@media print { .chart { break-inside: avoid; } }
`;

/**
 * The page's shell a part at a time: the head (CSP: inline scripts by hash, inline styles, nothing fetched; style),
 * each part of the body as it is made, then the data and scripts. A page of thousands of orders is never one string.
 */
export function* htmlPageChunks(page: {
  title: string;
  body: string | Iterable<string>;
  scripts: Array<{ js: string; what: string }>;
  data?: unknown;
  style?: string;
}): Generator<string> {
  const { title, body, scripts, data } = page;
  const bodies = scripts.map((s) => scriptBody(s.js, s.what));
  const scriptSrc = bodies.length ? bodies.map(sha256).join(' ') : "'none'";
  // Only base64 hashes and keywords: nothing to escape in the attribute.
  const csp = `default-src 'none'; script-src ${scriptSrc}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  yield `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sandan">
<title>${escapeHtml(title)}</title>
<style>${STYLE}${page.style ?? ''}</style>
</head>
<body>
`;
  if (typeof body === 'string') yield body;
  else yield* body;
  yield `
${data === undefined ? '' : `<script type="application/json" id="sandan-data">${jsonForScript(data)}</script>\n`}${bodies.map((b) => `<script>${b}</script>`).join('\n')}
</body>
</html>
`;
}

/**
 * The reconciliation report as a self-contained HTML page: the waterfall of the difference
 * (when the report has one), withheld against billed tax by month and by district, the
 * distribution of mismatch amounts, and the tables behind each chart, in Chinese and English.
 * Pure: the caller reads the ECharts build and writes the page.
 */
export function renderReconcileHtml(
  report: ReconcileReportJSON,
  assets: ReportHtmlAssets,
  options: ReconcileHtmlOptions = {},
): string {
  checkArgument(report, 'object', 'renderReconcileHtml', 'the report');
  checkArgument(report.summary, 'object', 'renderReconcileHtml', 'report.summary');
  checkShape(ReportJSONSchema, report, 'renderReconcileHtml', ['report']);
  checkArgument(assets, 'object', 'renderReconcileHtml', 'assets');
  options = pageOptions(
    options,
    'renderReconcileHtml',
    optionNames<ReconcileHtmlOptions>({ maxMismatchRows: true, title: true }),
  );
  // (a row count that is no number showed no rows; NaN none, -1 all but the last, 1.5 one)
  const m = options.maxMismatchRows;
  if (m !== undefined && !(m === Number.POSITIVE_INFINITY || (Number.isSafeInteger(m) && m >= 0)))
    throw new SandanError(
      'INVALID_OPTION',
      `renderReconcileHtml: options.maxMismatchRows must be a non-negative whole number or Infinity (all), got ${describeInput(m)}`,
    );
  const s = report.summary;
  const title = options.title ?? '关税对账 Tax reconciliation';
  const maxRows = options.maxMismatchRows ?? 200;
  const charts: Record<string, unknown> = {};
  const parts: string[] = [`<h1>${label(['关税对账报告', 'Tax reconciliation report'])}</h1>`];

  parts.push(
    `<h2>${label(['总计', 'Totals'])}</h2>`,
    table(
      'totals-counts',
      ['订单数', 'Order counts'],
      [
        ['label', ['状态', 'status']],
        ['value', ['订单', 'orders'], true],
      ],
      COUNT_LABELS.map(([k, l]) => ({ key: k, cells: [plain(l), shown(s, k)] })),
    ),
    table(
      'totals-amounts',
      ['税额合计', 'Tax totals'],
      [
        ['label', ['项目', 'item']],
        ['total', ['合计', 'total'], true],
        ['customsTax', ['关税', 'duty'], true],
        ['consumptionTax', ['消费税', 'consumption'], true],
        ['valueAddedTax', ['增值税', 'VAT'], true],
      ],
      AMOUNT_LABELS.map(([k, l]) => {
        const split = k === 'computedTaxTotal' ? s.computed : k === 'billedTaxTotal' ? s.billed : undefined;
        const taxes = [split?.customsTax ?? '', split?.consumptionTax ?? '', split?.valueAddedTax ?? ''];
        return { key: k, cells: [plain(l), shown(s, k), ...taxes] };
      }),
    ),
  );

  parts.push(`<h2>${label(['差额瀑布图', 'Waterfall of the difference'])}</h2>`);
  if (s.waterfall) {
    const steps = waterfallSteps(s.waterfall);
    charts['chart-waterfall'] = waterfallOption(steps, '代扣税款 → 税单税款 withheld → billed');
    parts.push(
      '<div class="chart" id="chart-waterfall"></div>',
      waterfallTable('table-waterfall', ['差额构成', 'Where the difference comes from'], steps),
    );
    const groupWaterfalls = (title: Label, idPart: string, groups: Record<string, ReportTotalsJSON>) => {
      for (const [k, t] of Object.entries(groups))
        if (t.waterfall)
          parts.push(
            waterfallTable(
              `table-waterfall-${idPart}-${k.replace(/[^\w-]/g, '_')}`,
              [`${title[0]} ${k}`, `${title[1]} ${k}`],
              waterfallSteps(t.waterfall),
            ),
          );
    };
    parts.push('<details><summary>', label(['按月、按关区的差额构成', 'By month and by district']), '</summary>');
    groupWaterfalls(['差额构成 月份', 'Difference, month'], 'month', s.byMonth);
    groupWaterfalls(['差额构成 关区', 'Difference, district'], 'district', s.byDistrict);
    parts.push('</details>');
  } else {
    parts.push(
      `<p class="note">${label(['此报告没有差额构成数据。', 'This report carries no waterfall of the difference.'])}</p>`,
    );
  }

  charts['chart-month'] = groupOption(s.byMonth, '按月 by month (Beijing time)');
  parts.push(
    `<h2>${label(['按月汇总', 'Totals by month'])}</h2>`,
    '<div class="chart" id="chart-month"></div>',
    groupTable('table-month', ['按月（北京时间）', 'By month (Beijing time)'], ['月份', 'month'], s.byMonth),
  );
  charts['chart-district'] = groupOption(s.byDistrict, '按关区 by district');
  parts.push(
    `<h2>${label(['按关区汇总', 'Totals by district'])}</h2>`,
    '<div class="chart" id="chart-district"></div>',
    groupTable('table-district', ['按关区', 'By district'], ['关区', 'district'], s.byDistrict),
  );

  const bins = mismatchHistogram(s.mismatches);
  const kinds = ['customsTax', 'consumptionTax', 'valueAddedTax', 'declared'].filter((k) =>
    bins.some((b) => b.counts[k]),
  );
  for (const m of s.mismatches) if (!kinds.includes(m.kind)) kinds.push(m.kind);
  parts.push(`<h2>${label(['不符金额分布', 'Distribution of mismatch amounts'])}</h2>`);
  if (bins.length) {
    charts['chart-histogram'] = histogramOption(bins, kinds, '不符金额 mismatch amount (billed − computed / declared)');
    parts.push(
      '<div class="chart" id="chart-histogram"></div>',
      table(
        'table-histogram',
        ['不符金额分布', 'Mismatch amounts by bin'],
        [
          ['bin', ['区间', 'bin']],
          ...kinds.map((k): Column => [k, kindLabel(k), true]),
          ['total', ['合计', 'entries'], true],
          ['sum', ['金额合计', 'sum'], true],
        ],
        bins.map((b) => ({
          key: `${b.from}`,
          cells: [`[${b.from}, ${b.to})`, ...kinds.map((k) => String(b.counts[k] ?? 0)), String(b.total), b.sum],
        })),
      ),
    );
  } else {
    parts.push(`<p class="note">${label(['没有不符。', 'No mismatches.'])}</p>`);
  }

  if (s.mismatches.length) {
    const shown = s.mismatches.slice(0, maxRows);
    parts.push(
      table(
        'table-mismatches',
        ['最大的不符（按绝对值）', 'Largest mismatches (by absolute amount)'],
        [
          ['orderNo', ['订单编号', 'orderNo']],
          ['invtNo', ['清单编号', 'invtNo']],
          ['kind', ['项目', 'kind']],
          ['amount', ['金额（税单 − 计算/申报）', 'amount (billed − computed/declared)'], true],
        ],
        shown.map((m, i) => ({
          key: String(i),
          cells: [m.orderNo, m.invtNo ?? '', plain(kindLabel(m.kind)), m.amount],
        })),
      ),
    );
    if (s.mismatches.length > shown.length)
      parts.push(
        `<p class="note">${label([
          `另有 ${s.mismatches.length - shown.length} 条，见 JSON/CSV 报告。`,
          `… and ${s.mismatches.length - shown.length} more: see the JSON or CSV report.`,
        ])}</p>`,
      );
  }

  parts.push(`<h2>${label(['输入', 'Inputs'])}</h2>`, `<p>${label(inputsPhrase(s.inputs, true))}</p>`);
  if (s.problems?.length)
    parts.push(
      `<h3>${label(['输入问题', 'Problems in the inputs'])}</h3><ul id="problems">${s.problems
        .map((p) => `<li>${escapeHtmlLine(p)}</li>`)
        .join('')}</ul>`,
    );

  const scripts = Object.keys(charts).length
    ? [
        { js: assets.echarts, what: 'The ECharts build' },
        { js: INIT_SCRIPT, what: 'The start script' },
      ]
    : [];
  return [...htmlPageChunks({ title, body: parts.join('\n'), scripts, data: { charts } })].join('');
}
