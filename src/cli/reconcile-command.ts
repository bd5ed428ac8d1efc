import { open, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { Option, type Command, type OptionValueSource } from 'commander';
import { SandanError, counted, hasEdgeSpace, isSandanError, oneLine } from '../errors.js';
import {
  defaultReconcileWorkers,
  expandPaths,
  MemoryStore,
  openSqliteStore,
  reconcileBalanced,
  reconcileFiles,
  renderReconcileHtml,
  reportCsvChunks,
  reportJsonChunks,
  reportTextChunks,
  statusInputsOfDeclaration,
  statusInputsOfMessage,
  summaryToJSON,
  writeReportXlsx,
  type OrderStatus,
  type ReconcileProgress,
  type ReconcileReport,
  type ReconcileReportJSON,
  type ReconcileStore,
  type SentDocument,
  type StatusReceipt,
} from '../reconcile/index.js';
import { beijingIso, beijingMillisOf, beijingTimeOption } from '../time/beijing.js';
import { isAmountText } from '../model/guards.js';
import { type CommandContext, REFUSED_XML_CODES } from './command.js';
import { AtomicFile, appendChunksTo, refuseOutputOverInput, writeChunksTo } from './atomic-file.js';
import { processCleanup } from './cleanup.js';
import { createProgress } from './progress.js';
import { parseRateTable } from '../tax/rates.js';
import { readJsonFile } from './json-file.js';
import { openInput, readAhead, readRecords } from './input.js';
import { parseCebOrDxpRep } from './xml-message.js';
import { filesNamedBy, readInputFile, statInputFile } from '../io/walk.js';
import { DEFAULT_MAX_XML_BYTES, type DxpResponse, type ParsedXml } from '../xml/index.js';
import { xmlTooLarge } from '../xml/safety.js';
import { codeBesideStatus, relatedMessage } from '../reconcile/status/detectors.js';
import { statusHtmlChunksOf, statusJsonChunksOf } from '../reconcile/status/html.js';
import { statusPlan } from '../reconcile/status/status.js';
import type { Issue } from '../model/index.js';

type ReportFormat = 'text' | 'json' | 'csv' | 'html' | 'xlsx';

/** The format of each file of several --out, by its extension (case aside). */
const FORMAT_OF_EXTENSION: Readonly<Record<string, ReportFormat>> = {
  '.json': 'json',
  '.csv': 'csv',
  '.html': 'html',
  '.xlsx': 'xlsx',
  '.txt': 'text',
};

/** One output of the run: a file (or standard output, without a path) and its format. */
interface ReportOutput {
  path?: string;
  format: ReportFormat;
}

/** A key naming the file a path writes, through links and `..`, whether the file exists yet or not. */
async function fileKey(path: string): Promise<string> {
  const full = resolve(path);
  const existing = await realpath(full).catch(() => undefined);
  if (existing !== undefined) return existing;
  const folder = await realpath(dirname(full)).catch(() => dirname(full));
  return join(folder, basename(full));
}

/**
 * The outputs the options ask for. None or one --out: as ever, `--format` (default text) to that file or standard
 * output. Several: each file's format by its extension, and `--format` is refused (it could name only one of them);
 * so is an extension that names no format, or two --out naming one file (the last would silently replace the first).
 */
async function outputsOf(
  opts: ReconcileCliOptions,
  formatSource: OptionValueSource | undefined,
): Promise<ReportOutput[]> {
  const outs = opts.out ?? [];
  if (outs.length === 0) return [{ format: opts.format }];
  if (outs.length === 1) return [{ path: outs[0]!, format: opts.format }];
  if (formatSource === 'cli')
    throw new SandanError(
      'INVALID_OPTION',
      `--format ${opts.format} with ${outs.length} --out files: with several, each file's format comes from its extension (${Object.keys(FORMAT_OF_EXTENSION).join(' ')}); leave out --format`,
    );
  const seen = new Map<string, string>();
  const outputs: ReportOutput[] = [];
  for (const path of outs) {
    const format = FORMAT_OF_EXTENSION[extname(path).toLowerCase()];
    if (format === undefined)
      throw new SandanError(
        'INVALID_OPTION',
        `--out ${path}: with several --out files each one's format comes from its extension, and ${extname(path) || 'no extension'} names none: use ${Object.keys(FORMAT_OF_EXTENSION).join(' ')}`,
      );
    const key = await fileKey(path);
    const before = seen.get(key);
    if (before !== undefined)
      throw new SandanError(
        'INVALID_OPTION',
        `--out ${path} names the same file as --out ${before}: the second would replace the first; give each output its own file`,
      );
    seen.set(key, path);
    outputs.push({ path, format });
  }
  return outputs;
}

interface ReconcileCliOptions {
  declarations: string;
  taxBills: string[];
  receipts?: string[];
  rates?: string;
  format: ReportFormat;
  /** Each --out given, in order (the option may be repeated). */
  out?: string[];
  quiet?: boolean;
  index: 'auto' | 'memory' | 'sqlite';
  tolerance?: string;
  workers?: string;
}

async function openStore(kind: ReconcileCliOptions['index']): Promise<ReconcileStore> {
  if (kind === 'memory') return new MemoryStore();
  try {
    return await openSqliteStore();
  } catch (e) {
    if (kind === 'auto' && isSandanError(e) && e.code === 'RECONCILE_INDEX') return new MemoryStore();
    throw e;
  }
}

/** Writes chunks to the output file (whole or not at all) or standard output, waiting when the destination is full. */
async function writeChunks(chunks: Iterable<string>, out: AtomicFile | undefined, ctx: CommandContext): Promise<void> {
  if (out !== undefined) return writeChunksTo(out, chunks);
  let pending = '';
  const flush = async () => {
    if (pending === '') return;
    ctx.io.stdout(pending);
    pending = '';
    if (ctx.io.drain) await ctx.io.drain();
  };
  for (const c of chunks) {
    pending += c;
    if (pending.length >= 1 << 16) await flush();
  }
  await flush();
}

/** Writes the workbook to the output file (whole or not at all). */
async function writeXlsxTo(report: ReconcileReport, out: AtomicFile): Promise<void> {
  try {
    await fillXlsx(report, out);
    await out.commit();
  } finally {
    await out.abort();
  }
}

/** Writes the workbook to the output file without committing it. */
async function fillXlsx(report: ReconcileReport, out: AtomicFile): Promise<void> {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.write(chunk).then(() => done(), done);
    },
  });
  await writeReportXlsx(report, stream);
}

/** True when the path is a terminal (e.g. --out /dev/tty), where a binary workbook must not go. */
async function isTerminal(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  // Only a character device is opened to ask: opening a FIFO could wait for a writer.
  if (!st?.isCharacterDevice()) return false;
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return false;
  try {
    return isatty(file.fd);
  } finally {
    await file.close();
  }
}

/** Names of the reconcile phases on the progress bar. */
const PHASES: Record<ReconcileProgress['phase'], string> = {
  documents: 'reading bills and receipts',
  declarations: 'reconciling declarations',
  'bills-without-declaration': 'bills without declaration',
};

/** The ECharts build the HTML report inlines, from the installed package. */
async function readEcharts(): Promise<string> {
  try {
    return await readFile(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  } catch (e) {
    throw new SandanError('FILE_UNREADABLE', `Cannot read the ECharts build (the echarts package): ${String(e)}`, {
      cause: e,
    });
  }
}

/** The report object `--format json` prints, without the rows (the page does not list every order). */
function reportJsonObject(report: ReconcileReport): ReconcileReportJSON {
  return {
    summary: { ...summaryToJSON(report.summary), problems: report.problems, mismatches: [...report.mismatches()] },
  };
}

/** The rows not computed whose notes hold `issue:rate-missing`, read as text: no row is parsed. */
function rateMissingRows(report: ReconcileReport): number {
  let n = 0;
  for (const row of report.rowTexts())
    if (row.includes('"status":"not-computed"') && row.includes('"issue:rate-missing"')) n++;
  return n;
}

/** `sandan reconcile`: declared and computed tax against the customs tax bills. */
async function reconcileCommand(
  opts: ReconcileCliOptions,
  ctx: CommandContext,
  formatSource?: OptionValueSource,
): Promise<number> {
  const { io } = ctx;
  if (opts.tolerance !== undefined && !isAmountText(opts.tolerance)) {
    throw new SandanError(
      'INVALID_OPTION',
      `--tolerance must be a non-negative amount such as 0.01, got ${opts.tolerance}`,
    );
  }
  const outputs = await outputsOf(opts, formatSource);
  for (const o of outputs)
    if (o.format === 'xlsx' && (o.path === undefined || (await isTerminal(o.path))))
      throw new SandanError('INVALID_OPTION', '--format xlsx writes a workbook: give it a file with --out FILE.xlsx');
  const workers = opts.workers === undefined ? defaultReconcileWorkers() : Number(opts.workers);
  if (!/^\d{1,2}$/.test(opts.workers ?? '0') || workers > 64)
    throw new SandanError('INVALID_OPTION', `--workers must be a whole number from 0 to 64, got ${opts.workers}`);
  // The rate table is checked here (a bad one exits 2) and handed to the worker threads as JSON.
  const rateTables =
    opts.rates === undefined ? [] : [{ data: await readJsonFile(opts.rates, 'rate table'), source: opts.rates }];
  for (const t of rateTables) parseRateTable(t.data, t.source);
  const fileErrors: string[] = [];
  // A broken link or a link loop in a folder is skipped and told, as an unreadable file is.
  const files = await expandPaths([...opts.taxBills, ...(opts.receipts ?? [])], undefined, (_p, e) =>
    fileErrors.push(e.message),
  );
  // The files found in the bill and receipt folders count as inputs too.
  for (const { path } of outputs)
    if (path !== undefined)
      await refuseOutputOverInput(path, [
        ['--declarations', opts.declarations],
        ['--rates', opts.rates],
        ...files.map((p) => ['--tax-bills or --receipts', p] as const),
      ]);
  // A file is read by path (its name tells NDJSON, it is read in batches straight from it), - as a stream.
  const declarations =
    opts.declarations === '-'
      ? ((await openInput('-', io.stdin)) as AsyncIterable<Uint8Array>)
      : (await statInputFile(opts.declarations), opts.declarations);
  // A regular file's size gives the declarations' progress bar its total.
  const declarationsSize =
    opts.declarations === '-'
      ? undefined
      : await stat(opts.declarations).then((s) => (s.isFile() ? s.size : undefined));
  const bar = createProgress(io, { quiet: opts.quiet === true });
  let phase: ReconcileProgress['phase'] | undefined;
  const progress = (p: ReconcileProgress) => {
    if (p.phase !== phase) bar.phase(PHASES[p.phase], p.total, p.unit);
    phase = p.phase;
    bar.update(p.done);
  };
  // Created (each as a temporary file beside it) before the long run: a bad --out fails at once.
  const outFiles: (AtomicFile | undefined)[] = [];
  let store: ReconcileStore | undefined;
  let forget = () => {};
  try {
    for (const o of outputs) outFiles.push(o.path === undefined ? undefined : await AtomicFile.open(o.path));
    const index = await openStore(opts.index);
    store = index;
    // The index holds order numbers and amounts: a signal removes it too.
    forget = processCleanup.add(() => index.close());
    const report = await reconcileFiles({
      declarations,
      documents: files,
      rateTables,
      store,
      workers,
      signal: processCleanup.signal,
      onFileError: (_f, e) => void fileErrors.push(e.message),
      ...(opts.tolerance !== undefined && { tolerance: opts.tolerance }),
      declarationsSize,
      onProgress: progress,
      progressEvery: 1000,
    });
    bar.stop();
    for (const e of fileErrors) io.stderr(`sandan reconcile: skipped ${oneLine(e)}\n`);
    // The usual first-run miss: without a table of one's own only the small bundled seed table is consulted.
    // Only the orders a rate was missing for: others (an unreadable line, an order not admissible) a table does not help.
    const noRate = report.summary.notComputed > 0 && opts.rates === undefined ? rateMissingRows(report) : 0;
    if (noRate > 0)
      io.stderr(
        `sandan reconcile: note: ${noRate} order${noRate === 1 ? '' : 's'} not computed for want of a rate (issue:rate-missing in the row's notes); without --rates only sandan's seed table was consulted: pass your rate table with --rates FILE\n`,
      );
    // Each output is rendered from the one report (its rows are read back from the index once per output).
    const chunksOf = async (format: ReportFormat): Promise<Iterable<string> | undefined> =>
      format === 'xlsx'
        ? undefined
        : format === 'html'
          ? [renderReconcileHtml(reportJsonObject(report), { echarts: await readEcharts() })]
          : format === 'json'
            ? reportJsonChunks(report)
            : format === 'csv'
              ? reportCsvChunks(report)
              : reportTextChunks(report);
    if (outputs.length === 1) {
      // One output, as it always was: written and committed (or to standard output).
      const output = outFiles[0];
      const chunks = await chunksOf(outputs[0]!.format);
      if (chunks) await writeChunks(chunks, output, ctx);
      else await writeXlsxTo(report, output!);
    } else {
      // Several: every file written in full before any replaces its target, so a failure (a full disk) part-way
      // leaves all the targets as they were rather than some new and some old.
      for (const [i, o] of outputs.entries()) {
        const file = outFiles[i]!;
        const chunks = await chunksOf(o.format);
        if (chunks) await appendChunksTo(file, chunks);
        else await fillXlsx(report, file);
      }
      for (const file of outFiles) await file!.commit();
    }
    return reconcileBalanced(report.summary) && fileErrors.length === 0 ? 0 : 1;
  } finally {
    bar.stop();
    forget();
    store?.close();
    for (const file of outFiles) await file?.abort();
  }
}

/** Registers `sandan reconcile`. */
export function registerReconcileCommand(program: Command, ctx: CommandContext): void {
  program
    .command('reconcile')
    .description(
      'Reconcile the tax declared and computed for each order with the customs electronic tax bills (CEB816/818), linking through inventory receipts (CEB622/624/626). Exit 0 when everything matches, 1 when anything does not, 2 on errors.',
    )
    .requiredOption(
      '--declarations <file>',
      'declarations as NDJSON (one per line) or one declaration as JSON; - for standard input',
    )
    .requiredOption(
      '--tax-bills <paths...>',
      'CEB816 tax bill and CEB818 status files, or folders of them (symbolic links followed)',
    )
    .option('--receipts <paths...>', 'CEB622/624/626 receipt files, or folders of them (symbolic links followed)')
    .option('--rates <file>', 'a rate table (JSON) used before the bundled one')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'csv', 'html', 'xlsx']).default('text'),
    )
    .option(
      '--out <file>',
      'write the output to this file instead of standard output (required for xlsx); repeat it to write several files from one reconciliation, each in the format of its extension (.json .csv .html .xlsx .txt; then without --format)',
      (file: string, before: string[] | undefined) => [...(before ?? []), file],
    )
    .option('--quiet', 'no progress bar on standard error')
    .addOption(
      new Option('--index <kind>', 'where the join index lives: a temporary SQLite file, or memory')
        .choices(['auto', 'memory', 'sqlite'])
        .default('auto'),
    )
    .option('--tolerance <amount>', 'a difference up to this amount per tax kind still matches (default 0)')
    .option(
      '--workers <n>',
      'worker threads for scanning, parsing and tax computation (default: one per core, at most 8; 0 = none)',
    )
    .action(async (opts: ReconcileCliOptions, cmd: Command) =>
      ctx.setExit(await reconcileCommand(opts, ctx, cmd.getOptionValueSource('format'))),
    );
}

interface StatusCliOptions {
  order?: string;
  format: 'text' | 'json' | 'html';
  now?: string;
  ackHours: string;
  deliveryDays: string;
}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new SandanError('INVALID_OPTION', `${name} must be a positive number, got ${value}`);
  return n;
}

/** A readable timeline of one order; with `platform`, its heading names the platforms (ebpCode) it is of. */
export function formatStatusText(o: OrderStatus, options: { platform?: boolean } = {}): string {
  const platform = options.platform && o.keys.ebpCode.length > 0 ? ` (ebpCode ${o.keys.ebpCode.join(', ')})` : '';
  // (an order key with white space at an end, a copNo ending in a tab, is quoted: shown raw, the tab did not show)
  const out = [`${hasEdgeSpace(o.order) ? JSON.stringify(o.order) : o.order}${platform}  state: ${o.state}`];
  if (o.returnWindow)
    out.push(`  return window: apply by ${o.returnWindow.applyBy}, back by ${o.returnWindow.arriveBy}`);
  for (const n of o.timeline) {
    const bill = n.taxBill;
    const what =
      n.event === 'sent'
        ? 'sent'
        : bill
          ? [
              bill.status,
              n.meaning?.zh,
              bill.taxNo && `taxNo ${bill.taxNo}`,
              bill.customsTax && `duty ${bill.customsTax}`,
              bill.valueAddedTax && `VAT ${bill.valueAddedTax}`,
              bill.consumptionTax && `consumption ${bill.consumptionTax}`,
            ]
              .filter(Boolean)
              .join(' ')
          : `${n.returnStatus ?? ''} ${n.meaning?.zh ?? ''}`.trim();
    // A returnInfo that only restates the status (电子口岸申报中 beside 2 电子口岸申报中) is not shown twice.
    const code = codeBesideStatus(n);
    const desc = code === undefined && n.desc === n.meaning?.zh ? undefined : n.desc;
    const why = code !== undefined ? ` [Code:${code}] ${desc ?? ''}` : desc ? ` ${desc}` : '';
    out.push(
      `  ${(n.time || '(no time)').padEnd(29)}  ${n.messageType}  ${n.document.padEnd(15)} ${what}${why}`.trimEnd(),
    );
  }
  for (const r of o.relatedGroups ?? []) {
    const m = relatedMessage(r);
    out.push(`  related: ${m.zh} / ${m.en}`);
  }
  for (const a of o.anomalies) {
    out.push(`  ! ${a.kind}${a.rule ? ` (${a.rule})` : ''}: ${a.message.zh} / ${a.message.en}`);
    if (a.fix) out.push(`    fix: ${a.fix.zh} / ${a.fix.en}`);
  }
  // (numbers and returnInfo from the receipts, each line on one line: a line break or an escape in one forged lines)
  return out.map(oneLine).join('\n');
}

/** The text report of the orders, an order at a time (as the JSON one): the whole report is never one string. */
function* statusTextChunks(orders: Iterable<OrderStatus>, shared: ReadonlySet<string>): Generator<string> {
  let first = true;
  for (const o of orders) {
    yield `${first ? '' : '\n\n'}${formatStatusText(o, { platform: shared.has(o.order) })}`;
    first = false;
  }
  yield '\n';
}

/**
 * What `sandan status` reads of its files: the receipts (only what status reads of each), the sent documents, and
 * whether a file or record could not be read. Each problem is named on standard error and kept in `problems`, for the
 * JSON and HTML reports.
 */
export async function readStatusInputs(
  files: readonly string[],
  ctx: CommandContext,
): Promise<{ receipts: StatusReceipt[]; sent: SentDocument[]; unread: boolean; problems: string[] }> {
  const receipts: StatusReceipt[] = [];
  const sent: SentDocument[] = [];
  const problems: string[] = [];
  // A declaration or XML file it could not read may hide an order's anomaly: never exit 0 after one. Each is named on
  // standard error and the others are still reported (one bad file in a folder of receipts used to stop the report).
  let unread = false;
  const note = (line: string) => {
    problems.push(line);
    ctx.io.stderr(`sandan status: ${oneLine(line)}\n`);
  };
  // Each issue named; true when one is an error (a document status will not see whole).
  const tell = (where: string, issues: readonly Issue[]): boolean => {
    for (const i of issues) note(`${where}: ${i.message.en}`);
    return issues.some((i) => i.severity === 'error');
  };
  // One copy of each text for the whole folder: a platform code, a status, a returnInfo, an order's keys recur in many
  // receipts and sent documents, each read from a file of its own, and every one was kept (session 54: the inputs of
  // 25,000 parcels took 75 MB instead of 124 MB). The table is let go once the folder is read.
  const texts = new Map<string, string>();
  const shared = <T extends object>(o: T): T => {
    const r = o as Record<string, unknown>;
    for (const k in r) {
      const v = r[k];
      if (typeof v !== 'string') continue;
      const kept = texts.get(v);
      if (kept === undefined) texts.set(v, v);
      else r[k] = kept;
    }
    return o;
  };
  const isDeclarations = (file: string) => /\.(json|ndjson|jsonl)$/i.test(file);
  // (XML files read ahead: a folder of 100,000 receipts spent half its time waiting on each file in turn)
  for await (const { item: file, bytes } of readAhead(files, (f) => (isDeclarations(f) ? undefined : f))) {
    if (isDeclarations(file)) {
      // Read as validate reads them: a .ndjson or .jsonl file is NDJSON by its name.
      const ndjson = /\.(ndjson|jsonl)$/i.test(file);
      for await (const rec of readRecords(await openInput(file, ctx.io.stdin), { ndjson })) {
        if (rec.issue) {
          unread = true;
          note(`${file}:${rec.line}: ${rec.issue.message.en}`);
          continue;
        }
        // A JSON file that is no declaration (a configuration file, say) is named, not read as no documents;
        // a document it cannot read, or an appTime that is no time, is named as well.
        const where = rec.mode === 'ndjson' ? `${file}:${rec.line}` : file;
        const got = statusInputsOfDeclaration(rec.value);
        if (tell(where, got.issues)) unread = true;
        for (const s of got.sent) sent.push(shared(s));
      }
      continue;
    }
    // (a file too large to read ahead is read no further than the parser's limit: /dev/zero has no end)
    const text = (await bytes) ?? (await readInputFile(file, undefined, DEFAULT_MAX_XML_BYTES));
    let parsed: ParsedXml | DxpResponse;
    try {
      if (text === undefined) throw xmlTooLarge(DEFAULT_MAX_XML_BYTES);
      parsed = parseCebOrDxpRep(text);
    } catch (e) {
      if (!isSandanError(e)) throw e;
      if (!REFUSED_XML_CODES.has(e.code)) throw new SandanError(e.code, `${file}: ${e.message}`, { cause: e });
      unread = true;
      note(`${file}: ${e.message}; skipped`);
      continue;
    }
    // (only what status reads: the parsed message and its file's text are not kept for the whole folder)
    const got = statusInputsOfMessage(parsed);
    if (tell(file, got.issues)) unread = true;
    // (one at a time: a spread of a message's 130,000 documents overflowed the stack)
    for (const r of got.receipts) {
      shared(r.fields);
      receipts.push(r);
    }
    for (const s of got.sent) sent.push(shared(s));
  }
  texts.clear();
  return { receipts, sent, unread, problems };
}

/** What status reads in a folder: XML messages and declarations. */
const STATUS_FILE = /\.(xml|json|ndjson|jsonl)$/i;

/** `sandan status`: each order's timeline, state and anomalies from its receipts. */
async function statusCommand(paths: string[], opts: StatusCliOptions, ctx: CommandContext): Promise<number> {
  const now = opts.now === undefined ? new Date() : beijingTimeOption(opts.now, '--now', 'INVALID_OPTION');
  const ackHours = positive(opts.ackHours, '--ack-hours');
  const deliveryDays = positive(opts.deliveryDays, '--delivery-days');
  // As validate reads its arguments (filesNamedBy): a folder with nothing to read is an error, not an answer of "no
  // receipts"; a file is read once however often the paths name it.
  const files = (
    await filesNamedBy(paths, {
      wanted: (f) => STATUS_FILE.test(f),
      // As validate walks a folder: the emulator's folders hold its bookkeeping in send/.sandan (a JSON cursor that is
      // no declaration, made status exit 1; messages in flight, read twice), and hidden files are no one's receipts.
      skip: (name) => name.startsWith('.') || name === 'node_modules',
      refuseEmpty: '.xml, .json or .ndjson files',
    })
  ).map((f) => f.path);
  const read = await readStatusInputs(files, ctx);
  const { unread } = read;
  // (the orders are made one at a time as the report is written: a month's were 5 KB each, all held at once)
  const plan = statusPlan(read.receipts, { now, sent: read.sent, ackHours, deliveryDays });
  const sentGiven = read.sent.length > 0;
  // (read: not held while the report is written; the plan keeps what it reads of each receipt)
  read.receipts.length = 0;
  read.sent.length = 0;
  let orders = plan.orders;
  // An order none of the inputs names is not "no anomaly": as grep finds no line, exit 1 and say so.
  let missing = false;
  if (opts.order !== undefined) {
    const want = opts.order;
    // (by the order's own numbers: a platform code is not an order)
    orders = orders.filter(
      (o) => o.order === want || Object.entries(o.keys).some(([name, ks]) => name !== 'ebpCode' && ks.includes(want)),
    );
    missing = orders.length === 0;
  }
  // A time before the orders shown is a report as of then, but its waits and deadlines count from before their
  // receipts: said, among the problems (it was taken silently).
  let latest = '';
  for (const o of orders) {
    const time = plan.latestTime(o);
    if (time > latest) latest = time;
  }
  if (latest !== '' && beijingMillisOf(latest) > now.getTime()) {
    const line = `${opts.now === undefined ? 'the current time' : '--now'} ${beijingIso(now.getTime())} is earlier than the latest receipt or message (${latest}): waits and deadlines are counted from it`;
    read.problems.push(line);
    ctx.io.stderr(`sandan status: ${line}\n`);
  }
  // Receipts alone: only the order's CEB312 carries its orderNo, so asking by it found nothing with no word of why.
  const none = `no receipt, message or declaration in ${counted(files.length, 'file')} names ${opts.order} (as orderNo, copNo, preNo, invtNo, logisticsNo or payTransactionId)${sentGiven ? '' : '; no declaration or sent message was given, and the receipts of the inventory (CEB622/624/626), payment (CEB412) and waybill (CEB512) do not carry the orderNo: give the declarations or the messages sent as well, which tie them to it, or ask by copNo, invtNo, payTransactionId or logisticsNo'}`;
  // (the JSON and HTML reports show no order: standard error says why)
  if (missing && opts.format !== 'text') ctx.io.stderr(`sandan status: ${oneLine(none)}\n`);
  // In Beijing time, as every time of the report is.
  const asOf = beijingIso(now.getTime());
  const { problems } = read;
  let anomalous = 0;
  function* made(): Generator<OrderStatus> {
    for (const o of orders) {
      const made = plan.build(o);
      if (made.anomalies.length > 0) anomalous++;
      yield made;
    }
  }
  if (opts.format === 'json')
    await writeChunks(statusJsonChunksOf({ now: asOf, problems, orders: [] }, made()), undefined, ctx);
  else if (opts.format === 'html') {
    // The page counts the orders with anomalies at its head: each order is made once to count it and let go, then made
    // again as it is written (all of them were held until the page was written).
    let withAnomalies = 0;
    for (const o of orders) if (plan.hasAnomalies(o)) withAnomalies++;
    const counts = { orders: orders.length, anomalous: withAnomalies };
    await writeChunks(statusHtmlChunksOf({ now: asOf, problems, orders: [] }, made(), counts), undefined, ctx);
  } else {
    // An orderNo two platforms used heads two orders: each says its platform.
    const seen = new Set<string>();
    const shared = new Set(orders.filter((o) => seen.has(o.order) || !seen.add(o.order)).map((o) => o.order));
    if (orders.length) await writeChunks(statusTextChunks(made(), shared), undefined, ctx);
    else ctx.io.stdout(missing ? `${oneLine(none)}\n` : 'no receipts\n');
    ctx.io.stdout(`\n${counted(orders.length, 'order')}, ${anomalous} with anomalies\n`);
  }
  return unread || missing || anomalous > 0 ? 1 : 0;
}

/** Registers `sandan status`. */
export function registerStatusCommand(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description(
      'Where is each parcel and why: group receipts (CEB312/412/512/514/622/624/626, CEB900) and tax bills (CEB816/818) by order, with the timeline in Beijing time, the current state and anomalies with suggested fixes. Exit 1 when an order has an anomaly.',
    )
    .argument(
      '<paths...>',
      'receipt files, sent messages (CEB311/411/511/513/621/623/625) and declarations (.json/.ndjson), or folders of them (symbolic links followed)',
    )
    .option('--order <no>', 'only this order (orderNo, or any copNo/preNo/invtNo/logisticsNo/payTransactionId)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'html']).default('text'))
    .option('--now <time>', 'the current time, ISO 8601 (without an offset: Beijing time; default: the real time)')
    .option('--ack-hours <n>', 'a sent document without a receipt after this many hours is an anomaly', '24')
    .option(
      '--delivery-days <n>',
      'a released inventory without a delivery status after this many days is an anomaly',
      '7',
    )
    .action(async (paths: string[], opts: StatusCliOptions) => ctx.setExit(await statusCommand(paths, opts, ctx)));
}
