import { differenceInMinutes } from 'date-fns/differenceInMinutes';
import { parseISO } from 'date-fns/parseISO';
import { z } from 'zod';
import type { Message } from '../../model/issue.js';
import { beijingIso } from '../../time/beijing.js';
import { isVoidTaxBillStatus } from '../../xml/receipts.js';
import { codeBesideStatus, outcomeOf, relatedMessage } from './detectors.js';
import { labelIn, type Label } from '../output.js';
import { checkShape, escapeHtml, escapeHtmlLine, htmlPageChunks, label, pageOptions } from '../report-html.js';
import {
  type AnomalyKind,
  type DocumentKind,
  ORDER_KEY_NAMES,
  type OrderState,
  type OrderStatus,
  type TaxBillFacts,
  type TimelineNode,
} from './types.js';
import { checkArgument } from '../../model/guards.js';
import { describeInput, SandanError } from '../../errors.js';

/*
 * `sandan status --format html`: each order's timeline for the support team that answers
 * "where is my parcel" (包裹在哪儿). A plain HTML/CSS timeline rather than a chart: a lookup
 * may cover thousands of orders, which a list renders at once and a chart per order does not;
 * the page stays searchable (Ctrl+F on an order or waybill number), printable and copyable,
 * and needs no script at all (its CSP allows none). Gaps show as the elapsed time between
 * events, which is what the question turns on ("sent 3 days ago, no receipt since").
 */

/*
 * The check of the orders given to the page, often read back from a file: every text the page writes must be a text. A
 * kind, state, event or document sandan does not know is drawn under its own name. Typed as OrderStatus, so the compiler holds
 * the two to the same keys.
 */
const textJSON = z.string();
const known = <T extends string>() => z.custom<T>((v) => typeof v === 'string', { error: 'must be a text' });
const messageJSON = z.object({ zh: textJSON, en: textJSON });
const OrderStatusSchema: z.ZodType<OrderStatus> = z.object({
  order: textJSON,
  keys: z.object(
    Object.fromEntries(ORDER_KEY_NAMES.map((k) => [k, z.array(textJSON)])) as Record<
      keyof OrderStatus['keys'],
      z.ZodArray<typeof textJSON>
    >,
  ),
  state: known<OrderState>(),
  documents: z.record(
    known<DocumentKind>(),
    z.object({ returnStatus: textJSON, time: textJSON, outcome: textJSON.optional() }).optional(),
  ),
  returnWindow: z.object({ releasedAt: textJSON, applyBy: textJSON, arriveBy: textJSON }).optional(),
  timeline: z.array(
    z.object({
      time: textJSON,
      event: known<TimelineNode['event']>(),
      messageType: textJSON,
      document: known<DocumentKind>(),
      returnStatus: textJSON.optional(),
      meaning: messageJSON.optional(),
      code: textJSON.optional(),
      desc: textJSON.optional(),
      logisticsStatus: textJSON.optional(),
      taxBill: z
        .looseObject({
          taxNo: textJSON.optional(),
          status: textJSON,
          customsTax: textJSON.optional(),
          valueAddedTax: textJSON.optional(),
          consumptionTax: textJSON.optional(),
        })
        .optional(),
    }),
  ),
  anomalies: z.array(
    z.object({
      kind: known<AnomalyKind>(),
      document: known<DocumentKind>(),
      rule: textJSON.optional(),
      code: textJSON.optional(),
      message: messageJSON,
      fix: messageJSON.optional(),
      since: textJSON.optional(),
    }),
  ),
  relatedGroups: z
    .array(
      z.object({
        order: textJSON,
        ebpCode: z.array(textJSON),
        state: known<OrderState>(),
        shared: z.object({ value: textJSON, here: known<'orderNo' | 'copNo'>(), there: known<'orderNo' | 'copNo'>() }),
      }),
    )
    .optional(),
});

/** What `sandan status --format json` prints. */
export interface StatusReportJSON {
  /** The instant the status was computed for (ISO 8601). */
  now: string;
  /**
   * What the inputs could not give, one line each beginning with where (a file, or `file:line`): a receipt that names no
   * order (it may be a rejection), a time that is no time, a file that could not be read ({@link statusInputsOfMessage}'s
   * issues). `sandan status` always writes it, `[]` when there were none.
   */
  problems?: string[];
  orders: OrderStatus[];
}

/**
 * The report as `JSON.stringify(report, null, 2)` writes it (and a line end), an order at a time: a month's report was
 * one string as large as the output (twice that in memory, as it holds Chinese), made while every order was still held.
 */
export function statusJsonChunks(report: StatusReportJSON): Generator<string> {
  checkArgument(report, 'object', 'statusJsonChunks', 'the report');
  checkArgument(report.orders, 'list', 'statusJsonChunks', 'report.orders');
  return jsonChunks(report);
}

function* jsonChunks(report: StatusReportJSON): Generator<string> {
  if (report.orders.length === 0) {
    yield `${JSON.stringify(report, null, 2)}\n`;
    return;
  }
  yield* chunksOf(report, report.orders);
}

/**
 * {@link statusJsonChunks} of the report whose orders are `orders`, taken one at a time as they are written (`sandan
 * status` makes each order only then): the same text. `report.orders` is not read.
 */
export function statusJsonChunksOf(report: StatusReportJSON, orders: Iterable<OrderStatus>): Generator<string> {
  checkArgument(report, 'object', 'statusJsonChunksOf', 'the report');
  checkOrders(orders, 'statusJsonChunksOf');
  return chunksOf(report, orders);
}

/** Refuses `orders` that are no iterable (or a string): they are read with a plain for-of, where an async iterable is no use. */
function checkOrders(orders: Iterable<OrderStatus>, caller: string): void {
  if (
    typeof (orders as Partial<Iterable<OrderStatus>> | null)?.[Symbol.iterator] !== 'function' ||
    typeof orders === 'string'
  )
    throw new SandanError('INVALID_OPTION', `${caller}: the orders must be an iterable, got ${describeInput(orders)}`);
}

function* chunksOf(report: StatusReportJSON, orders: Iterable<OrderStatus>): Generator<string> {
  // Every key but the orders as JSON.stringify writes them, in the report's own key order; the orders' place is the
  // top level's key (two spaces in: a key deeper in is further in, and a string holds no line end).
  const head = JSON.stringify({ ...report, orders: [] }, null, 2);
  const it = orders[Symbol.iterator]();
  let next = it.next();
  if (next.done) {
    yield `${head}\n`;
    return;
  }
  const key = '\n  "orders": []';
  const at = head.indexOf(key);
  yield `${head.slice(0, at)}\n  "orders": [\n`;
  // (an order two levels in: each of its lines four spaces more)
  for (let first = true; !next.done; next = it.next(), first = false)
    yield `${first ? '' : ',\n'}    ${JSON.stringify(next.value, null, 2).replaceAll('\n', '\n    ')}`;
  yield `\n  ]${head.slice(at + key.length)}\n`;
}

const DOCUMENT_LABELS: Record<DocumentKind, Label> = {
  order: ['订单', 'order'],
  payment: ['支付单', 'payment'],
  logistics: ['运单', 'waybill'],
  logisticsStatus: ['运单状态', 'waybill status'],
  inventory: ['清单', 'inventory'],
  cancel: ['撤销申请', 'cancel'],
  refund: ['退货申请', 'refund'],
  taxBill: ['电子税单', 'tax bill'],
};

const STATE_LABELS: Record<OrderState, Label> = {
  cancelled: ['已撤单', 'cancelled'],
  refunded: ['已退货', 'refunded'],
  rejected: ['被退单', 'rejected'],
  delivered: ['已妥投', 'delivered'],
  released: ['已放行', 'released'],
  returned: ['已退运', 'shipped back'],
  // (held is 扣留 501–599 or 挂起 600; 查验 500 is pending, inspection under way)
  held: ['扣留/挂起', 'held'],
  accepted: ['已受理', 'accepted'],
  pending: ['处理中', 'pending'],
  sent: ['已发送', 'sent'],
};

const ANOMALY_LABELS: Record<AnomalyKind, Label> = {
  rejected: ['被退回', 'rejected'],
  'resend-refused': ['重发被拒', 'resend refused'],
  'unknown-status': ['未知回执状态', 'unknown receipt status'],
  'no-delivery-status': ['放行后无妥投', 'no delivery status'],
  'not-acknowledged': ['无回执', 'not acknowledged'],
  inconsistent: ['回执矛盾', 'inconsistent receipts'],
  'late-return': ['退货超期', 'late return'],
};

const KEY_LABELS: Record<keyof OrderStatus['keys'], Label> = {
  orderNo: ['订单编号', 'orderNo'],
  ebpCode: ['电商平台代码', 'ebpCode'],
  payTransactionId: ['支付交易编号', 'payTransactionId'],
  logisticsNo: ['运单编号', 'logisticsNo'],
  copNo: ['企业内部编号', 'copNo'],
  preNo: ['预录入编号', 'preNo'],
  invtNo: ['清单编号', 'invtNo'],
};

/*
 * Text from the input (receipts, declarations, bills) set inline is isolated in a <bdi>: a bidi control in it (a copNo
 * ending in U+202E RIGHT-TO-LEFT OVERRIDE) otherwise runs on to the end of the block and shows what follows it
 * reversed (the order's state, the next number, the English of a message). <bdi> rather than CSS `unicode-bidi:
 * isolate` on classes: the isolation is the element's own (HTML's rendering rules), so it holds where the page's style
 * does not (a mail client that strips <style>, a reader view) and no class can be left out of a list; its dir="auto"
 * gives an Arabic returnInfo its own direction. A value alone in a block (a table cell, a problem's <li>) needs none: a
 * block is its own bidi paragraph, which ends any override.
 */
const bdi = (s: string) => `<bdi>${escapeHtml(s)}</bdi>`;

/** sandan's message in both languages, each isolated: it quotes the input (a returnInfo, an order number). */
const message = (m: Message) =>
  `<bdi lang="zh-CN" dir="ltr">${escapeHtmlLine(m.zh)}</bdi> <bdi lang="en" class="en" dir="ltr">${escapeHtmlLine(m.en)}</bdi>`;

/** Elapsed time between two ISO instants, e.g. `+2天3小时 / +2 d 3 h`; empty when either is missing. */
export function elapsed(from: string, to: string): Label | undefined {
  if (!from || !to) return undefined;
  const min = differenceInMinutes(parseISO(to), parseISO(from));
  if (!Number.isFinite(min)) return undefined;
  const d = Math.floor(Math.abs(min) / 1440);
  const h = Math.floor((Math.abs(min) % 1440) / 60);
  const m = Math.abs(min) % 60;
  const sign = min < 0 ? '−' : '+';
  const zh = d ? `${d}天${h}小时` : h ? `${h}小时${m}分` : `${m}分`;
  const en = d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
  return [`${sign}${zh}`, `${sign}${en}`];
}

function nodeOutcome(n: TimelineNode): string {
  if (n.event === 'sent') return 'sent';
  if (n.event === 'tax-bill') return isVoidTaxBillStatus(n.taxBill?.status) ? 'void' : 'tax-bill';
  return (n.returnStatus !== undefined && outcomeOf(n)) || 'unknown';
}

/** A tax bill's number and amounts, as the bill writes them. */
function taxBillFacts(b: TaxBillFacts): string {
  const amounts: Array<[Label, string | undefined]> = [
    [['关税', 'duty'], b.customsTax],
    [['增值税', 'VAT'], b.valueAddedTax],
    [['消费税', 'consumption tax'], b.consumptionTax],
  ];
  const parts = [
    b.taxNo ? `<span class="desc">${label(['税单号', 'taxNo'])} ${bdi(b.taxNo)}</span>` : '',
    ...amounts.map(([l, v]) => (v === undefined ? '' : `<span class="desc">${label(l)} ${bdi(v)}</span>`)),
  ];
  return ` ${parts.filter(Boolean).join(' ')}`;
}

function timelineItem(n: TimelineNode, previous: TimelineNode | undefined, flagged: boolean): string {
  const outcome = nodeOutcome(n);
  const gap = previous ? elapsed(previous.time, n.time) : undefined;
  const what =
    n.event === 'sent'
      ? label(['发送', 'sent'])
      : `<span class="status">${bdi(n.returnStatus ?? n.taxBill?.status ?? '')}</span> ${n.meaning ? message(n.meaning) : ''}${n.taxBill ? taxBillFacts(n.taxBill) : ''}`;
  const code = codeBesideStatus(n);
  const why = [
    code !== undefined ? `<span class="code">[Code:${bdi(code)}]</span>` : '',
    // (a returnInfo that only restates the status is not shown twice)
    n.desc && (code !== undefined || n.desc !== n.meaning?.zh) ? `<span class="desc">${bdi(n.desc)}</span>` : '',
    n.logisticsStatus
      ? `<span class="desc">${label(['物流状态', 'logistics status'])} ${bdi(n.logisticsStatus)}</span>`
      : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `<li class="event ${escapeHtml(n.event)} outcome-${escapeHtml(outcome)}${flagged ? ' flagged' : ''}" data-event="${escapeHtml(n.event)}" data-document="${escapeHtml(n.document)}">
<div class="when">${n.time ? `<time>${bdi(n.time)}</time>` : `<span class="no-time">${label(['无时间', 'no time'])}</span>`}${gap ? `<span class="gap">${label(gap)}</span>` : ''}</div>
<div class="what"><span class="doc">${label(labelIn(DOCUMENT_LABELS, n.document))}</span> <span class="type">${bdi(n.messageType)}</span> ${what}${why ? `<div class="why">${why}</div>` : ''}</div>
</li>`;
}

function orderSection(o: OrderStatus, index: number): string {
  const keys = (Object.keys(KEY_LABELS) as Array<keyof OrderStatus['keys']>)
    .filter((k) => o.keys[k]?.length)
    .map((k) => `<dt>${label(KEY_LABELS[k])}</dt><dd>${o.keys[k].map(bdi).join(', ')}</dd>`)
    .join('');
  const docs = (
    Object.entries(o.documents) as Array<[DocumentKind, NonNullable<OrderStatus['documents'][DocumentKind]>]>
  )
    .map(
      ([k, d]) =>
        `<tr data-document="${escapeHtml(k)}"><td>${label(labelIn(DOCUMENT_LABELS, k))}</td><td class="status">${escapeHtml(d.returnStatus)}</td><td>${escapeHtml(d.outcome ?? '')}</td><td><time>${escapeHtml(d.time)}</time></td></tr>`,
    )
    .join('');
  // A receipt is flagged when an anomaly names its document and code (a rejection and its reason).
  const flagged = (n: TimelineNode) =>
    n.event === 'receipt' &&
    o.anomalies.some((a) => a.document === n.document && a.code !== undefined && a.code === n.code);
  const items = o.timeline.map((n, i) => timelineItem(n, o.timeline[i - 1], flagged(n))).join('\n');
  const anomalies = o.anomalies
    .map(
      (a) => `<li class="anomaly" data-kind="${escapeHtml(a.kind)}">
<div class="kind">${label(labelIn(ANOMALY_LABELS, a.kind))} · ${label(labelIn(DOCUMENT_LABELS, a.document))}${a.rule ? ` <code>${bdi(a.rule)}</code>` : ''}${a.code ? ` <span class="code">[Code:${bdi(a.code)}]</span>` : ''}${a.since ? ` <time>${bdi(a.since)}</time>` : ''}</div>
<div class="message">${message(a.message)}</div>
${a.fix ? `<div class="fix"><strong>${label(['处理建议', 'Fix'])}</strong> ${message(a.fix)}</div>` : ''}
</li>`,
    )
    .join('\n');
  const related = (o.relatedGroups ?? [])
    .map(
      (r) =>
        `<li data-order="${escapeHtml(r.order)}" data-state="${escapeHtml(r.state)}">${message(relatedMessage(r))}</li>`,
    )
    .join('');
  const state = labelIn(STATE_LABELS, o.state);
  const win = o.returnWindow
    ? `<p class="window">${label(['退货期限', 'Return window'])}: ${message({
        zh: `${o.returnWindow.applyBy} 前申请，${o.returnWindow.arriveBy} 前退回`,
        en: `apply by ${o.returnWindow.applyBy}, back by ${o.returnWindow.arriveBy}`,
      })}</p>`
    : '';
  return `<section class="order${o.anomalies.length ? ' has-anomalies' : ''}" id="order-${index}" data-order="${escapeHtml(o.order)}" data-state="${escapeHtml(o.state)}">
<h2><span class="order-no">${bdi(o.order)}</span> <span class="state state-${escapeHtml(o.state)}">${label(state)}</span></h2>
${keys ? `<dl class="keys">${keys}</dl>` : ''}
${win}
${o.anomalies.length ? `<ul class="anomalies">${anomalies}</ul>` : ''}
${related ? `<ul class="related">${related}</ul>` : ''}
${docs ? `<table class="documents"><caption>${label(['各单证最新状态', 'Latest status of each document'])}</caption><thead><tr><th>${label(['单证', 'document'])}</th><th>${label(['回执状态', 'returnStatus'])}</th><th>${label(['结果', 'outcome'])}</th><th>${label(['时间', 'time'])}</th></tr></thead><tbody>${docs}</tbody></table>` : ''}
<ol class="timeline">
${items}
</ol>
</section>`;
}

const STYLE = `
.timeline { list-style: none; margin: .5rem 0 1rem; padding: 0 0 0 1.2rem; border-left: 3px solid #bbb; }
.event { position: relative; margin: 0 0 .6rem; padding-left: .8rem; display: flex; gap: 1rem; flex-wrap: wrap; }
.event::before { content: ""; position: absolute; left: -1.75rem; top: .25rem; width: .8rem; height: .8rem; border-radius: 50%; background: #888; border: 2px solid #fff; }
.event.sent::before { background: #fff; border-color: #5470c6; }
.outcome-accepted::before, .outcome-final::before { background: #3ba272; }
.outcome-rejected::before, .outcome-failed::before { background: #d9342b; }
.outcome-held::before { background: #e6a23c; }
.outcome-pending::before { background: #5470c6; }
.event.flagged .what { background: #fdecea; }
.when { min-width: 17rem; font-variant-numeric: tabular-nums; }
.gap { display: block; color: #888; font-size: .8rem; }
.type, .status, .code { font-family: ui-monospace, monospace; }
.why { color: #444; font-size: .9rem; }
.anomalies { list-style: none; padding: 0; }
.anomaly { border: 1px solid #d9342b; border-left-width: 5px; background: #fff6f5; padding: .4rem .6rem; margin: .4rem 0; }
.anomaly .fix { background: #eef8f0; border-left: 4px solid #3ba272; padding: .3rem .5rem; margin-top: .3rem; }
.state { font-size: .85rem; padding: .1rem .4rem; border-radius: 3px; background: #eee; }
.state-rejected, .state-held, .state-returned { background: #fdecea; } .state-delivered, .state-released { background: #eef8f0; }
.keys { display: grid; grid-template-columns: max-content auto; gap: .1rem .8rem; font-size: .9rem; }
.keys dt { color: #666; } .keys dd { margin: 0; font-family: ui-monospace, monospace; }
section.order { border-top: 1px solid #ddd; padding-top: .5rem; }
`;

/**
 * The order status as a self-contained HTML page: per order its keys, return window, anomalies
 * with their fixes, the latest status of each document and the timeline of sent documents and
 * receipts in Beijing time, in Chinese and English. Pure and script-free.
 */
export function renderStatusHtml(report: StatusReportJSON, options: { title?: string } = {}): string {
  return [...pageChunks(report, options, 'renderStatusHtml')].join('');
}

/**
 * {@link renderStatusHtml} an order at a time, as `sandan status --format html` writes it: the page of a month's
 * orders is as large as the report, and need not be held whole to be written (20,000 parcels: 1,404 MB peak as one
 * string, 625 MB in parts).
 */
export function statusHtmlChunks(report: StatusReportJSON, options: { title?: string } = {}): Generator<string> {
  return pageChunks(report, options, 'statusHtmlChunks');
}

/**
 * {@link statusHtmlChunks} of the report whose orders are `orders`, taken one at a time as they are written (`sandan
 * status` makes each order only then): the same page. Its head counts the orders and those with anomalies before the
 * first is written, so `counts` gives them (`sandan status` asks its plan, `StatusPlan.hasAnomalies`); orders that
 * do not add up to them are refused when the last is written, each order's shape as it comes. `report.orders` is not
 * read.
 */
export function statusHtmlChunksOf(
  report: StatusReportJSON,
  orders: Iterable<OrderStatus>,
  counts: { orders: number; anomalous: number },
  options: { title?: string } = {},
): Generator<string> {
  const caller = 'statusHtmlChunksOf';
  checkArgument(report, 'object', caller, 'the report');
  if (report.problems !== undefined) checkArgument(report.problems, 'list', caller, 'report.problems');
  checkOrders(orders, caller);
  checkArgument(counts, 'object', caller, 'counts');
  for (const k of ['orders', 'anomalous'] as const)
    if (!Number.isSafeInteger(counts[k]) || counts[k] < 0)
      throw new SandanError(
        'INVALID_OPTION',
        `${caller}: counts.${k} is a number of orders (a whole number, 0 or more), got ${describeInput(counts[k])}`,
      );
  options = pageOptions(options, caller);
  const { orders: total, anomalous } = counts;
  function* checked(): Generator<OrderStatus> {
    let i = 0;
    let n = 0;
    for (const o of orders) {
      checkShape(OrderStatusSchema, o, caller, ['orders', i]);
      if (o.anomalies.length > 0) n++;
      i++;
      yield o;
    }
    if (i !== total || n !== anomalous)
      throw new SandanError(
        'INVALID_OPTION',
        `${caller}: counts says ${total} orders, ${anomalous} with anomalies; the orders were ${i}, ${n} with anomalies`,
      );
  }
  return pageOf(report, checked(), total, anomalous, options);
}

function pageChunks(report: StatusReportJSON, options: { title?: string }, caller: string): Generator<string> {
  // (checked here, not when the first part is asked for: misuse throws at the call)
  checkArgument(report, 'object', caller, 'the report');
  checkArgument(report.orders, 'list', caller, 'report.orders');
  if (report.problems !== undefined) checkArgument(report.problems, 'list', caller, 'report.problems');
  for (let i = 0; i < report.orders.length; i++)
    checkShape(OrderStatusSchema, report.orders[i], caller, ['report', 'orders', i]);
  options = pageOptions(options, caller);
  const { orders } = report;
  return pageOf(report, orders, orders.length, orders.filter((o) => o.anomalies.length).length, options);
}

/** The page of `total` orders, `anomalous` of them with anomalies, writing each of `orders` as it comes. */
function pageOf(
  report: StatusReportJSON,
  orders: Iterable<OrderStatus>,
  total: number,
  anomalous: number,
  options: { title?: string },
): Generator<string> {
  const title = options.title ?? '订单状态 Order status';
  // In Beijing time, like the timeline (the JSON carries the instant in UTC).
  const now = beijingIso(Date.parse(report.now)) || report.now;
  function* body(): Generator<string> {
    yield `<h1>${label(['订单状态查询', 'Where is my parcel: order status'])}</h1>`;
    yield `\n<p class="summary">${message({
      zh: `${total} 个订单，${anomalous} 个有异常；截至 ${now}`,
      en: `${total} orders, ${anomalous} with anomalies; as of ${now}`,
    })}</p>`;
    const problems = report.problems ?? [];
    if (problems.length > 0)
      yield `\n<section class="problems"><h2>${label(['输入中未能读取的内容', 'Problems in the inputs'])}</h2><ul>${problems.map((p) => `<li>${escapeHtmlLine(String(p))}</li>`).join('')}</ul></section>`;
    yield `\n${total === 0 ? `<p>${label(['没有回执或单证。', 'No receipts or documents.'])}</p>` : ''}`;
    let i = 0;
    for (const o of orders) yield `\n${orderSection(o, i++)}`;
  }
  return htmlPageChunks({ title, body: body(), scripts: [], style: STYLE });
}
