import { Option, type Command } from 'commander';
import type { Decimal } from 'decimal.js';
import { oneLine, SandanError } from '../errors.js';
import { beijingYear, orderLabel, parseInstant, type QuotaBalance, type QuotaResult } from '../quota/core.js';
import { checkQuotaSecret, QuotaLedger } from '../quota/ledger.js';
import { readInputFile, tooLargeFile } from '../io/walk.js';
import { isRecord } from '../model/guards.js';
import { parseCebXml } from '../xml/index.js';
import { jsonOfFileText, MAX_DATA_FILE_BYTES } from './json-file.js';
import type { ReturnWindowCheck } from '../quota/return-window.js';
import { beijingIso, beijingXsDateTime } from '../time/beijing.js';
import type { CommitStage, QuotaEvent, QuotaOrderRef, QuotaStore } from '../quota/types.js';
import type { CommandContext } from './command.js';
import type { CliIo } from './io.js';

/** Actions of `sandan quota`. */
type QuotaAction = 'remaining' | 'reserve' | 'commit' | 'release' | 'refund' | 'history' | 'record-return';

/** Options of `sandan quota <action>`. */
interface QuotaCommandOptions {
  db?: string;
  buyerId?: string;
  order?: string;
  ebpCode?: string;
  amount?: string;
  at?: string;
  year?: string;
  ttl?: string;
  copNo?: string;
  invtNo?: string;
  key?: string;
  appliedAt?: string;
  arrivedAt?: string;
  releasedAt?: string;
  stage?: CommitStage;
  outsideReturnWindow?: 'refuse' | 'allow';
  ifCommitted?: 'refuse' | 'release';
  busyTimeout?: string;
  application?: string;
  inventory?: string;
  returnCopNo?: string;
  format: 'text' | 'json';
}

/** The exit codes of `sandan quota`: done, refused by the ledger, error, ledger busy past the busy timeout (main maps `QUOTA_BUSY`). */
const QUOTA_EXIT = { ok: 0, refused: 1, error: 2, busy: 75 } as const;

/**
 * The ledger's HMAC secret from SANDAN_QUOTA_SECRET, checked (at least 16 bytes) before a store is opened, for
 * `sandan quota` (`--db`) and `validate --quota-db`. None is misuse; `details.secret` gives main its hint.
 */
export function quotaSecret(io: CliIo, flag: '--db' | '--quota-db'): string {
  const secret = io.env.SANDAN_QUOTA_SECRET;
  if (secret === undefined || secret === '')
    throw new SandanError(
      'INVALID_OPTION',
      `${flag} needs the ledger's secret (at least 16 bytes) in the environment variable SANDAN_QUOTA_SECRET: buyers are stored under an HMAC of their ID number keyed with it`,
      { details: { secret: true } },
    );
  checkQuotaSecret(secret);
  return secret;
}

/**
 * Opens the store a `--db` value names: a `postgres://` or `postgresql://` URL, else a SQLite
 * file. The store module (and its driver) is loaded only then. `readOnly`: for commands that
 * only read; they never take the write lock, create or migrate anything. `busyTimeoutMs`: the
 * most a SQLite transaction waits for another process's write lock (default 5000).
 */
export async function openQuotaStore(
  db: string,
  options: { readOnly?: boolean; busyTimeoutMs?: number } = {},
): Promise<QuotaStore> {
  const readOnly = options.readOnly === true;
  if (/^postgres(ql)?:\/\//i.test(db)) {
    const { openPostgresQuotaStore } = await import('../quota/postgres.js');
    return openPostgresQuotaStore(db, { poolSize: 2, readOnly });
  }
  const { openSqliteQuotaStore } = await import('../quota/sqlite.js');
  return openSqliteQuotaStore(db, {
    readOnly,
    ...(options.busyTimeoutMs !== undefined && { busyTimeoutMs: options.busyTimeoutMs }),
  });
}

function need<T>(value: T | undefined, flag: string, action: QuotaAction): T {
  if (value === undefined || value === '')
    throw new SandanError('INVALID_OPTION', `sandan quota ${action} needs ${flag}`);
  return value;
}

const str = (d: Decimal | undefined) => (d === undefined ? null : d.toFixed());

function balanceJson(b: QuotaBalance) {
  return {
    year: b.year,
    limit: str(b.limit),
    used: str(b.used),
    reserved: str(b.reserved),
    committed: str(b.committed),
    remaining: str(b.remaining),
    orders: b.orders,
  };
}

/** `ebpCode` in JSON output when the platform is stated (a ledger of one platform's orders writes none). */
const platformJson = (ebpCode: string) => (ebpCode === '' ? {} : { ebpCode });

function eventJson(e: QuotaEvent) {
  return {
    seq: e.seq ?? null,
    ...platformJson(e.ebpCode),
    orderNo: e.orderNo,
    type: e.type,
    amount: e.amount.toFixed(),
    at: beijingIso(e.at.getTime()),
    ...(e.key !== undefined && { key: e.key }),
  };
}

const DONE: Record<Exclude<QuotaAction, 'remaining' | 'history'>, string> = {
  reserve: 'reserved',
  commit: 'committed',
  release: 'released',
  refund: 'refunded',
  'record-return': 'return recorded',
};

function windowJson(w: ReturnWindowCheck | undefined) {
  if (!w) return {};
  const t = (d: Date | undefined) => (d === undefined ? null : beijingIso(d.getTime()));
  return {
    returnWindow: {
      releasedAt: t(w.releasedAt),
      applyBy: t(w.applyBy),
      arriveBy: t(w.arriveBy),
      appliedAt: t(w.appliedAt),
      arrivedAt: t(w.arrivedAt),
      within: w.within,
    },
  };
}

function windowText(w: ReturnWindowCheck | undefined): string {
  if (!w) return '';
  const t = (d: Date) => beijingXsDateTime(d).replace('T', ' ');
  return `return window: released ${t(w.releasedAt)}, apply by ${t(w.applyBy)}, back by ${t(w.arriveBy)} (Beijing)${w.within ? '' : ' — outside'}\n`;
}

function resultText(action: Exclude<QuotaAction, 'remaining' | 'history'>, r: QuotaResult): string {
  if (!r.ok)
    return `refused (${r.reason}): ${oneLine(r.message)}${r.remaining !== undefined ? `\nremaining: ${r.remaining.toFixed()} CNY` : ''}\n${windowText(r.returnWindow)}`;
  const head = r.duplicate
    ? `order ${oneLine(orderLabel(r))}: already ${DONE[action]}, nothing changed`
    : `order ${oneLine(orderLabel(r))}: ${DONE[action]} (${r.entry.amount.toFixed()} CNY${r.entry.refunded.isZero() ? '' : `, ${r.entry.refunded.toFixed()} refunded`})`;
  const warning = r.warning ? `warning (${r.warning.code}): ${oneLine(r.warning.message.en)}\n` : '';
  return `${head}\nremaining in ${r.balance.year}: ${r.remaining.toFixed()} of ${r.balance.limit.toFixed()} CNY (used ${r.balance.used.toFixed()})\n${windowText(r.returnWindow)}${warning}`;
}

function resultJson(action: QuotaAction, r: QuotaResult) {
  if (!r.ok)
    return {
      ok: false,
      action,
      ...platformJson(r.ebpCode),
      orderNo: r.orderNo,
      reason: r.reason,
      message: r.message,
      remaining: str(r.remaining),
      ...(r.balance && { balance: balanceJson(r.balance) }),
      ...windowJson(r.returnWindow),
    };
  return {
    ok: true,
    action,
    ...platformJson(r.ebpCode),
    orderNo: r.orderNo,
    duplicate: r.duplicate,
    status: r.entry.status,
    amount: r.entry.amount.toFixed(),
    refunded: r.entry.refunded.toFixed(),
    remaining: str(r.remaining),
    balance: balanceJson(r.balance),
    ...windowJson(r.returnWindow),
    ...(r.warning && { warning: r.warning }),
  };
}

/** What `record-return` adds to a result: the application as the ledger keeps it, and what it would give back now. */
function returnJson(r: QuotaResult) {
  if (!r.ok || r.returnApplication === undefined) return {};
  const a = r.returnApplication;
  return {
    returnApplication: {
      copNo: a.copNo,
      items: a.items.map((l) => ({ gnum: l.gnum, qty: l.qty.toFixed() })),
      appliedAt: beijingIso(a.appliedAt.getTime()),
      approved: a.refunded !== undefined,
    },
    returnShare:
      r.returnShare === undefined ? null : { amount: r.returnShare.amount.toFixed(), whole: r.returnShare.whole },
  };
}

function returnText(r: QuotaResult): string {
  if (!r.ok || r.returnApplication === undefined) return '';
  const a = r.returnApplication;
  const lines = a.items.map((l) => `line ${l.gnum} × ${l.qty.toFixed()}`).join(', ');
  const share =
    a.refunded !== undefined
      ? `approved, gave back ${a.refunded.toFixed()} CNY`
      : r.returnShare === undefined
        ? 'with the approved returns it takes back more than is left: customs will refuse it (100)'
        : `gives back ${r.returnShare.amount.toFixed()} CNY when its CEB626 approves it${r.returnShare.whole ? ' (all the order still counts)' : ''}`;
  return `return application ${oneLine(a.copNo)}: ${lines}; ${share}\n`;
}

/**
 * A file given as a CEB message (XML, alone or in a DxpMsg: its documents) or as JSON (its value), read once, within
 * the limit of a JSON data file (an XML file past its own, smaller limit is refused by the parser).
 */
async function documentsOrJson(
  path: string,
  flag: string,
  type: string,
): Promise<{ documents: unknown[] } | { json: unknown }> {
  const bytes = await readInputFile(path, flag, MAX_DATA_FILE_BYTES);
  if (bytes === undefined) throw tooLargeFile(path, MAX_DATA_FILE_BYTES, flag);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (!text.trimStart().startsWith('<')) return { json: jsonOfFileText(path, text, flag) };
  let parsed: ReturnType<typeof parseCebXml>;
  try {
    parsed = parseCebXml(bytes);
  } catch (e) {
    // (which of the two files: the parser's message names no file)
    if (e instanceof SandanError) throw new SandanError(e.code, `${flag} ${path}: ${e.message}`, { cause: e });
    throw e;
  }
  const message = parsed.kind === 'dxp' ? parsed.message : parsed;
  if (message?.messageType !== type)
    throw new SandanError(
      'INVALID_OPTION',
      `${flag} ${path}: expected a ${type} message, got ${message === undefined ? 'a DxpMsg without a CEB message' : message.messageType}`,
    );
  return { documents: message.documents };
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The return application (CEB625 InvtRefund) of `--application`: its XML, or its document as JSON. */
async function returnApplicationOf(path: string): Promise<Record<string, unknown>> {
  const read = await documentsOrJson(path, '--application', 'CEB625');
  const documents = 'json' in read ? [read.json] : read.documents;
  if (documents.length !== 1 || !isRecord(documents[0]) || !Array.isArray(documents[0].items))
    throw new SandanError(
      'INVALID_OPTION',
      `--application ${path}: expected one return application (CEB625 InvtRefund, with its items), got ${documents.length === 1 ? 'no such document' : `${documents.length} documents`}; record them one file at a time`,
    );
  return documents[0];
}

/**
 * The inventory of `--inventory` the return names: of a CEB621 message, or a declaration (or a list of them, or an
 * inventory) as JSON; the one whose invtNo, orderNo and ebpCode are the application's, where both give them.
 */
async function inventoryOfReturn(path: string, app: Record<string, unknown>): Promise<Record<string, unknown>> {
  const given = await documentsOrJson(path, '--inventory', 'CEB621');
  const read = 'json' in given ? [given.json].flat() : given.documents;
  const inventories = read.map((d) => (isRecord(d) && isRecord(d.inventory) ? d.inventory : d)).filter(isRecord);
  const same = (inv: Record<string, unknown>, k: string) =>
    text(inv[k]) === undefined || text(app[k]) === undefined || text(inv[k]) === text(app[k]);
  const found = inventories.filter(
    (inv) => Array.isArray(inv.items) && same(inv, 'invtNo') && same(inv, 'orderNo') && same(inv, 'ebpCode'),
  );
  if (found.length === 1) return found[0]!;
  const which = ['orderNo', 'invtNo']
    .filter((k) => text(app[k]) !== undefined)
    .map((k) => `${k} ${JSON.stringify(text(app[k]))}`)
    .join(', ');
  throw new SandanError(
    'INVALID_OPTION',
    `--inventory ${path}: ${found.length === 0 ? 'holds no inventory' : `holds ${found.length} inventories`} of the return's order (${which || 'none named'}): give the declaration or the CEB621 of its order`,
  );
}

/**
 * `--ttl` in milliseconds, checked here so that errors name the flag (the ledger names its option
 * ttlMs): a positive whole number of minutes, whose expiry, counted from when the reservation is
 * made (`--at`, else now), is a time a Date holds and is still to come. A back-dated reservation
 * already past its expiry would print "reserved" yet hold no quota from the start, so it is
 * refused before anything is written (a library caller with its own clock may still make one).
 */
function ttlOption(text: string | undefined, at: Date | undefined): number | undefined {
  if (text === undefined) return undefined;
  const minutes = /^\d+$/.test(text) ? Number(text) : 0;
  if (minutes === 0)
    throw new SandanError(
      'INVALID_OPTION',
      `--ttl must be a positive whole number of minutes, got ${JSON.stringify(text)}`,
    );
  const ms = minutes * 60_000;
  const expiry = (at ?? new Date()).getTime() + ms;
  if (Number.isNaN(new Date(expiry).getTime()))
    throw new SandanError(
      'INVALID_OPTION',
      `--ttl ${text} is too long: the reservation would expire after the year 275760, the last sandan can keep; leave --ttl out for a reservation that does not expire`,
    );
  if (at !== undefined && expiry <= Date.now()) {
    const t = (time: number) => `${beijingXsDateTime(new Date(time)).replace('T', ' ')} Beijing`;
    throw new SandanError(
      'INVALID_OPTION',
      `--ttl ${text} from --at ${t(at.getTime())} ends at ${t(expiry)}, which has passed: the reservation would be expired as it is made and hold no quota. To record an order placed in the past, leave --ttl out (and commit or release it when customs answers)`,
    );
  }
  return ms;
}

/** Runs one `sandan quota` action; returns the exit code. Misuse throws a SandanError (exit 2 in main). */
async function quotaCommand(action: QuotaAction, opts: QuotaCommandOptions, io: CliIo): Promise<number> {
  const db = need(opts.db, '--db FILE.sqlite | postgres://…', action);
  // Before the store is opened: a refused secret must not leave a new, empty ledger file behind.
  const secret = quotaSecret(io, '--db');
  const at = opts.at === undefined ? undefined : parseInstant(opts.at, '--at');
  const num = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v))
      throw new SandanError('INVALID_OPTION', `${flag} must be a whole number, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const year = num(opts.year, '--year');
  const ttlMs = ttlOption(opts.ttl, at);
  const busyTimeoutMs = num(opts.busyTimeout, '--busy-timeout');
  // Check everything the action needs before opening the store.
  const buyer =
    action === 'remaining' || action === 'reserve' || action === 'history'
      ? need(opts.buyerId, '--buyer-id ID', action)
      : undefined;
  // record-return reads its application and inventory first: its order is theirs unless --order names it.
  const returned =
    action === 'record-return'
      ? await returnApplicationOf(need(opts.application, '--application FILE', action))
      : undefined;
  const returnedInventory =
    returned === undefined
      ? undefined
      : await inventoryOfReturn(need(opts.inventory, '--inventory FILE', action), returned);
  const orderNo =
    action === 'remaining' || action === 'history'
      ? undefined
      : need(opts.order ?? text(returned?.orderNo), '--order NO', action);
  const ebpCode = opts.ebpCode ?? text(returned?.ebpCode);
  // --ebp-code names the platform whose order it is (an orderNo is unique only within one platform).
  const order: QuotaOrderRef | undefined =
    orderNo === undefined || ebpCode === undefined ? orderNo : { ebpCode, orderNo };
  const amount = action === 'reserve' ? need(opts.amount, '--amount N', action) : opts.amount;
  // remaining and history only read: they never wait for (or take) the write lock.
  const readOnly = action === 'remaining' || action === 'history';
  const store = await openQuotaStore(db, { readOnly, ...(busyTimeoutMs !== undefined && { busyTimeoutMs }) });
  const ledger = new QuotaLedger({ store, secret });
  const json = opts.format === 'json';
  const out = (value: unknown, text: string) => io.stdout(json ? `${JSON.stringify(value)}\n` : text);
  try {
    const y = year ?? beijingYear(at ?? new Date());
    switch (action) {
      case 'remaining': {
        const b = await ledger.remaining(buyer!, y, at ? { at } : {});
        out(
          { ok: true, ...balanceJson(b) },
          `remaining in ${b.year}: ${b.remaining.toFixed()} of ${b.limit.toFixed()} CNY (used ${b.used.toFixed()}: reserved ${b.reserved.toFixed()}, committed ${b.committed.toFixed()}; ${b.orders} order${b.orders === 1 ? '' : 's'})\n`,
        );
        return QUOTA_EXIT.ok;
      }
      case 'history': {
        const events = await ledger.history(buyer!, y);
        const b = await ledger.remaining(buyer!, y, at ? { at } : {});
        const lines = events.map(
          // (an orderNo an order service took from its data, on one line: it may hold a line break or an escape)
          (e) => `${beijingIso(e.at.getTime())}  ${e.type.padEnd(7)}  ${oneLine(orderLabel(e))}  ${e.amount.toFixed()}`,
        );
        out(
          { ok: true, ...balanceJson(b), events: events.map(eventJson) },
          `${lines.length ? `${lines.join('\n')}\n` : `no quota changes in ${y}\n`}remaining in ${y}: ${b.remaining.toFixed()} of ${b.limit.toFixed()} CNY\n`,
        );
        return QUOTA_EXIT.ok;
      }
      case 'reserve': {
        // --at is the order date and the time of the change, as for commit, release and refund.
        const r = await ledger.reserve(order!, buyer!, amount!, at ?? new Date(), {
          ...(at !== undefined && { now: at }),
          ...(opts.copNo !== undefined && { copNo: opts.copNo }),
          ...(opts.invtNo !== undefined && { invtNo: opts.invtNo }),
          ...(ttlMs !== undefined && { ttlMs }),
        });
        out(resultJson(action, r), resultText(action, r));
        return r.ok ? QUOTA_EXIT.ok : QUOTA_EXIT.refused;
      }
      case 'record-return': {
        const appliedAt = opts.appliedAt ?? text(returned!.appTime);
        let r: QuotaResult;
        try {
          r = await ledger.recordReturn(
            order!,
            {
              copNo: text(returned!.copNo) ?? '',
              items: returned!.items as never,
              inventory: returnedInventory!.items as never,
              ...(appliedAt !== undefined && {
                appliedAt: parseInstant(appliedAt, opts.appliedAt ? '--applied-at' : "the application's appTime"),
              }),
            },
            at ? { now: at } : {},
          );
        } catch (e) {
          // Lines the inventory has not, or other lines under an approved application's copNo: the files' doing.
          if (e instanceof SandanError && (e.code === 'QUOTA_INVALID' || e.code === 'QUOTA_CONFLICT'))
            throw new SandanError(e.code, `${opts.application}: ${e.message}`, {
              cause: e,
              details: { ...e.details, returnApplication: true },
            });
          throw e;
        }
        out({ ...resultJson(action, r), ...returnJson(r) }, `${resultText(action, r)}${returnText(r)}`);
        return r.ok ? QUOTA_EXIT.ok : QUOTA_EXIT.refused;
      }
      case 'commit':
      case 'release':
      case 'refund': {
        const now = at ? { now: at } : {};
        const r =
          action === 'commit'
            ? await ledger.commit(order!, { ...now, ...(opts.stage !== undefined && { stage: opts.stage }) })
            : action === 'release'
              ? await ledger.release(order!, {
                  ...now,
                  ...(opts.ifCommitted !== undefined && { ifCommitted: opts.ifCommitted }),
                })
              : await ledger.refund(order!, amount, {
                  ...now,
                  ...(opts.key !== undefined && { key: opts.key }),
                  ...(opts.returnCopNo !== undefined && { returnCopNo: opts.returnCopNo }),
                  ...(opts.appliedAt !== undefined && { appliedAt: parseInstant(opts.appliedAt, '--applied-at') }),
                  ...(opts.arrivedAt !== undefined && { arrivedAt: parseInstant(opts.arrivedAt, '--arrived-at') }),
                  ...(opts.releasedAt !== undefined && { releasedAt: parseInstant(opts.releasedAt, '--released-at') }),
                  ...(opts.outsideReturnWindow !== undefined && { outsideReturnWindow: opts.outsideReturnWindow }),
                });
        out(
          { ...resultJson(action, r), ...(r.refundBasis !== undefined && { refundBasis: r.refundBasis }) },
          resultText(action, r),
        );
        return r.ok ? QUOTA_EXIT.ok : QUOTA_EXIT.refused;
      }
    }
  } finally {
    await ledger.close();
  }
}

/** The options of `sandan quota` that only some subcommands use, made afresh for each subcommand. */
const OPTIONS = {
  buyerId: () => new Option('--buyer-id <id>', 'buyer ID number (订购人证件号码); stored only as a keyed hash'),
  order: () => new Option('--order <no>', 'order number (orderNo)'),
  ebpCode: () =>
    new Option(
      '--ebp-code <code>',
      "the e-commerce platform whose order it is (ebpCode): orders of two platforms may share an orderNo; without it, the orderNo alone, while it names one platform's order",
    ),
  amount: () => new Option('--amount <n>', 'amount in CNY that counts toward the quota (decimal)'),
  refundAmount: () =>
    new Option('--amount <n>', 'amount in CNY to give back (decimal; default: all that still counts)'),
  at: () =>
    new Option(
      '--at <date>',
      'order date or time of the change: YYYY-MM-DD, yyyyMMddHHmmss (Beijing) or ISO 8601 (default: now)',
    ),
  // remaining and history change nothing: their --at is only the day whose year and limit they show.
  atDay: () =>
    new Option(
      '--at <date>',
      'a day of the year to show: its year (unless --year) and the annual limit in force on it: YYYY-MM-DD, yyyyMMddHHmmss (Beijing) or ISO 8601 (default: now)',
    ),
  year: () => new Option('--year <yyyy>', 'calendar year (default: the year of --at)'),
  ttl: () =>
    new Option(
      '--ttl <minutes>',
      'the reservation expires unless committed within this many minutes of --at (default: now); an expiry already past is refused',
    ),
  copNo: () => new Option('--cop-no <copNo>', 'the inventory copNo, to match receipts'),
  invtNo: () => new Option('--invt-no <invtNo>', 'the inventory invtNo, to match receipts'),
  key: () => new Option('--key <key>', 'idempotency key, so that a partial refund applies once'),
  appliedAt: () => new Option('--applied-at <date>', 'when the return was applied for (CEB625 appTime; default: --at)'),
  appliedAtOfReturn: () =>
    new Option(
      '--applied-at <date>',
      "when the return was applied for (default: the application's appTime, else --at, else now)",
    ),
  application: () =>
    new Option(
      '--application <file>',
      'the return application sent (CEB625): its XML, alone or in a DxpMsg, or its InvtRefund document as JSON (as tryInvtRefundOf makes it)',
    ),
  inventory: () =>
    new Option(
      '--inventory <file>',
      "the inventory it returns goods of: the order's declaration (JSON, one or a list) or its CEB621 XML; the one whose orderNo, invtNo and ebpCode are the application's",
    ),
  returnCopNo: () =>
    new Option(
      '--return-cop-no <copNo>',
      'the copNo of the return application (CEB625) its CEB626 approved: recorded by record-return, a refund without --amount gives back the share of its lines',
    ),
  orderOfReturn: () => new Option('--order <no>', "order number (orderNo; default: the application's)"),
  arrivedAt: () => new Option('--arrived-at <date>', 'when the goods were back in the original site, zone or centre'),
  releasedAt: () =>
    new Option(
      '--released-at <date>',
      'when the inventory was released (default: the commit of the 800, else the commit)',
    ),
  stage: () =>
    new Option(
      '--stage <stage>',
      'what customs said: concluded (CEB622 399), released (800; dates the return window) or closed (899)',
    )
      .choices(['concluded', 'released', 'closed'])
      .default('released'),
  outsideReturnWindow: () =>
    new Option(
      '--outside-return-window <what>',
      'a return outside the return window is refused (default) or applied anyway',
    ).choices(['refuse', 'allow']),
  ifCommitted: () =>
    new Option(
      '--if-committed <what>',
      'an order customs concluded or released is refused (default: it still counts) or released: customs approved its cancel (CEB624 399)',
    ).choices(['refuse', 'release']),
} as const;

/**
 * Each subcommand with the options it uses: any other option is a usage error (exit 2), so that
 * e.g. `release --amount 5` is not taken for a partial release.
 */
const ACTIONS: Array<{ name: QuotaAction; description: string; options: Array<keyof typeof OPTIONS> }> = [
  {
    name: 'remaining',
    description: "show a buyer's used and remaining annual quota (--buyer-id, optional --year or --at)",
    options: ['buyerId', 'atDay', 'year'],
  },
  {
    name: 'reserve',
    description:
      'reserve quota for an order at checkout (--order, --buyer-id, --amount, --at order date); exit 1 when it would pass the annual limit',
    options: ['order', 'ebpCode', 'buyerId', 'amount', 'at', 'ttl', 'copNo', 'invtNo'],
  },
  {
    name: 'commit',
    description:
      'customs concluded or released the inventory: the reservation counts for good (--order; a later --stage released dates the return window)',
    options: ['order', 'ebpCode', 'at', 'stage'],
  },
  {
    name: 'release',
    description:
      'the order was cancelled: give its quota back (--order); exit 1 when customs has counted it (committed) and --if-committed release is not given',
    options: ['order', 'ebpCode', 'at', 'ifCommitted'],
  },
  {
    name: 'refund',
    description:
      'an approved return: give back --amount, or all that still counts (--order); exit 1 when it was applied for (or came back) after the return window of the release',
    options: [
      'order',
      'ebpCode',
      'refundAmount',
      'at',
      'key',
      'returnCopNo',
      'appliedAt',
      'arrivedAt',
      'releasedAt',
      'outsideReturnWindow',
    ],
  },
  {
    name: 'record-return',
    description:
      "a return application was sent (CEB625): record its copNo and lines against the inventory's (--application, --inventory), so that its CEB626 gives back the share of the lines returned, not all the order counts",
    options: ['application', 'inventory', 'orderOfReturn', 'ebpCode', 'appliedAtOfReturn', 'at'],
  },
  {
    name: 'history',
    description: "list every change to a buyer's quota in a year (--buyer-id, optional --year)",
    options: ['buyerId', 'atDay', 'year'],
  },
];

/** Registers `sandan quota remaining|reserve|commit|release|refund|record-return|history` on the program. */
export function registerQuotaCommand(program: Command, { io, setExit }: CommandContext): void {
  const quota = program
    .command('quota')
    .description(
      "Keep each buyer's annual CBEC quota in a ledger (SQLite file or PostgreSQL). The HMAC secret comes from SANDAN_QUOTA_SECRET. Exit 0 done, 1 refused, 2 error, 75 the ledger stayed busy (another process writing).",
    );
  for (const { name, description, options } of ACTIONS) {
    const command = quota
      .command(name)
      .description(description)
      .requiredOption(
        '--db <file|url>',
        'SQLite file (created by the first write; remaining and history open it read-only) or postgres:// URL',
      );
    for (const option of options) command.addOption(OPTIONS[option]());
    command
      .option(
        '--busy-timeout <ms>',
        'SQLite: the most to wait for another process holding the write lock, then exit 75 (default: 5000)',
      )
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .action(async (opts: QuotaCommandOptions) => {
        setExit(await quotaCommand(name, opts, io));
      });
  }
}
