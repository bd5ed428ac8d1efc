import { randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { copyFile, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { SandanError, messageOf, oneLine } from '../errors.js';
import { isAtomicTempName, makeFolder, writeFileAtomic } from '../io/atomic-file.js';
import { readPlainFileUpTo } from '../io/walk.js';
import { DEFAULT_MAX_XML_BYTES } from '../xml/safety.js';
import { checkEngine, type EmulatorEngine, type OutgoingReceipt } from './types.js';
import { compareCodeUnits, checkArgument } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';

/*
 * The folder transport: the emulator as the DXP client (电子口岸 数据交换客户端) shows itself to an
 * enterprise. A message file dropped into `send` is picked up, handed to the engine and moved
 * to `send/processed/` (or `send/failed/`, with a `.reason.txt` beside it); every receipt the
 * engine produces appears in `receive`, whole: it is written under a hidden temporary name,
 * synced and renamed in.
 *
 * The send folder is polled, not watched: fs.watch misses or merges events on network shares,
 * Docker bind mounts and some platforms, and says nothing about whether the writer has finished,
 * so a poll is needed anyway. A file is taken once it has been seen twice with the same size and
 * modification time (one poll interval apart); a file renamed in whole is taken the same way.
 * Names starting with a dot or `~`, and temporary names (`.tmp`, `.part`, `.partial`,
 * `.crdownload`, `.swp`, a trailing `~`) are left alone, so a writer may build its file there
 * and rename it.
 *
 * Exactly once, also across a crash: a file is first renamed into `send/.sandan/inflight/` under
 * a unique name, then submitted under that name, then moved out. On start, a file found in
 * flight whose name the engine has among what it received (recorded in the same transaction as
 * its effects) is only moved; one the engine does not know is submitted again.
 *
 * Receipts are written in sequence order; the sequence number of the last one written is kept
 * in `send/.sandan/receive-cursor.json`, so a restart on the same (SQLite) state writes the
 * receipts produced while the emulator was down and none twice — except a receipt written in
 * the instant before a crash, which may be written again under the same name (at least once,
 * as with the DXP client: readers go by the name or the receipt's guid).
 *
 * Receipts are written with src/io/atomic-file.ts (the CLI's writer too) under a hidden
 * temporary name (`.<name>.<random>.tmp`, which a reader matching `*.xml*` does not take) and
 * without signal handlers (a library must not touch the process's). A kill -9 in the middle of
 * a write can leave such a temporary file: on start, those of this transport's own names (a
 * receipt's, the cursor's, a reason file's) are removed from `receive`, `send/failed` and
 * `send/.sandan`; nothing else there is touched.
 */

/** Options of {@link startFolderTransport}. */
export interface FolderTransportOptions {
  /** The folder messages are dropped into. Created when missing. */
  send: string;
  /** The folder receipts appear in. Created when missing; must not be the send folder. */
  receive: string;
  /** Time between two looks at the send folder, ms; default 500. A file is taken on its second sighting. */
  intervalMs?: number;
  /** Largest message file taken, bytes; default `DEFAULT_MAX_XML_BYTES` (50 MiB). Larger ones go to `failed/`. */
  maxFileBytes?: number;
  /** Told about file-system failures the transport carries on after (default: none). */
  onError?: (error: unknown) => void;
}

/** The names of {@link FolderTransportOptions} (a misspelt maxFileBytes kept the default). */
export const FOLDER_TRANSPORT_OPTION_NAMES = optionNames<FolderTransportOptions>({
  send: true,
  receive: true,
  intervalMs: true,
  maxFileBytes: true,
  onError: true,
});

/** A running folder transport. */
export interface FolderTransport {
  readonly send: string;
  readonly receive: string;
  /** Looks at the send folder now (a file still needs two sightings); resolves when the pass is done. */
  poll(): Promise<void>;
  /** Resolves once every receipt produced so far is in the receive folder. */
  flush(): Promise<void>;
  /** Stops polling, finishes the file in hand and the receipts produced so far. The engine is not closed. */
  close(): Promise<void>;
}

/** What is left alone in the send folder: hidden files and the temporary names of editors and downloaders. */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.startsWith('~') ||
    name.endsWith('~') ||
    /\.(tmp|temp|part|partial|crdownload|swp)$/i.test(name)
  );
}

/** The longest file name, in bytes, on the systems the emulator runs on (Linux, macOS; NAME_MAX). */
const NAME_MAX = 255;

/**
 * `stem + suffix + ext` of `name`, its stem cut (by whole characters) so that the result leaves `room` bytes of a
 * file name free: a name that fits in the send folder may not once it is given a prefix, a `-2` or `.reason.txt`.
 */
function fittedName(name: string, room: number, suffix = ''): string {
  let ext = extname(name);
  if (Buffer.byteLength(ext) > 32) ext = '';
  const limit = NAME_MAX - room - Buffer.byteLength(suffix + ext);
  const chars = [...name.slice(0, name.length - ext.length)];
  let bytes = Buffer.byteLength(chars.join(''));
  while (bytes > limit && chars.length > 0) bytes -= Buffer.byteLength(chars.pop()!);
  return `${chars.join('')}${suffix}${ext}`;
}

/** `dir/name`, or `dir/stem-2.ext`, … when that is taken; the stem shortened when it would leave less than `room` bytes. */
async function freeName(dir: string, name: string, room = 0): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = join(dir, fittedName(name, room, n === 1 ? '' : `-${n}`));
    try {
      await stat(candidate);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return candidate;
      throw e;
    }
  }
}

/** Makes a rename durable (best effort: some systems cannot sync a directory). */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Windows cannot open a directory; the rename is then as durable as the system makes it.
  }
}

/** Writes `data` to `dir/name` whole or not at all: a hidden temporary file, synced, then renamed in. */
function writeFileInto(dir: string, name: string, data: string, sync = true): Promise<void> {
  return writeFileAtomic(join(dir, name), data, { hiddenTemp: true, sync });
}

/** The temporary files this transport's writes leave after a kill -9, by folder: a receipt's, the cursor's, a reason file's. */
const OWN_TEMP = {
  receive: /^\.\d{6,}-CEB\d{3}-[^/\\]+\.xml\.[0-9a-f]{12}\.tmp$/,
  failed: /^\..+\.reason\.txt\.[0-9a-f]{12}\.tmp$/,
  own: /^\.receive-cursor\.json\.[0-9a-f]{12}\.tmp$/,
};

/** Removes from `dir` the temporary files of this transport's own writes (nothing else). */
async function sweepTemp(dir: string, own: RegExp): Promise<void> {
  for (const name of await readdir(dir))
    if (own.test(name) && isAtomicTempName(name, { hidden: true })) await rm(join(dir, name), { force: true });
}

/** Moves a file, across file systems too (rename, else copy and remove). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to, constants.COPYFILE_EXCL);
    await unlink(from);
  }
}

/** What a refused file's reason file adds to its name. */
const REASON = '.reason.txt';
/** What the hidden temporary name a file is written under adds to its name (`.<name>.<12 hex>.tmp`, io/atomic-file.ts). */
const TEMP_ROOM = 18;

/**
 * The most receipts, and characters of their text, the writer holds in memory while they wait; more wait in the
 * engine (a CEB900 may hold 1 Mi characters of the message it refuses).
 */
const QUEUE_RECEIPTS = 1000;
const QUEUE_CHARS = 16 * 1024 * 1024;

interface Cursor {
  seq: number;
  name: string;
}

/** Starts the folder transport in front of `engine`: creates the folders, finishes what a crash left, and starts polling. */
export async function startFolderTransport(
  engine: EmulatorEngine,
  options: FolderTransportOptions,
): Promise<FolderTransport> {
  checkEngine(engine, 'startFolderTransport');
  checkArgument(options, 'object', 'startFolderTransport', 'the options');
  knownOptions(options, 'startFolderTransport', FOLDER_TRANSPORT_OPTION_NAMES);
  const send = resolve(options.send);
  const sendPrefix = Buffer.from(join(send, '/'));
  const receive = resolve(options.receive);
  if (send === receive)
    throw new SandanError('INVALID_OPTION', `the send and receive folders must differ (both are ${send})`);
  const interval = options.intervalMs ?? 500;
  if (!Number.isInteger(interval) || interval < 1)
    throw new SandanError('INVALID_OPTION', `intervalMs must be a whole number of ms ≥ 1, got ${interval}`);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_XML_BYTES;
  const onError = options.onError ?? (() => {});
  const processed = join(send, 'processed');
  const failed = join(send, 'failed');
  const own = join(send, '.sandan');
  const inflight = join(own, 'inflight');
  const cursorFile = join(own, 'receive-cursor.json');
  for (const d of [send, receive, processed, failed, inflight]) await makeFolder(d);
  // What a kill -9 in the middle of a write left (the file itself is written again, or was not needed).
  await sweepTemp(receive, OWN_TEMP.receive);
  await sweepTemp(failed, OWN_TEMP.failed);
  await sweepTemp(own, OWN_TEMP.own);

  // ── receipts out ─────────────────────────────────────────────────────────
  /** At most `limit` receipts above `after` from the engine, also beyond its history where its state keeps them. */
  const deliverable = (after: number, limit: number): OutgoingReceipt[] =>
    engine.receiptsToDeliver ? engine.receiptsToDeliver(after, limit) : engine.receipts(after).slice(0, limit);
  let cursor = await readCursor();
  /**
   * Receipts waiting to be written, in sequence order; `queuedTo` is the last seq queued. The queue is bounded: while
   * the receive folder cannot be written (removed, a full disk) for hours, every receipt was held here and memory
   * grew without bound. A receipt that finds the queue full is not queued (`behind`): once the queue has room it is
   * read again from the engine, whose SQLite state keeps every receipt in its file.
   */
  const queue: OutgoingReceipt[] = [];
  let queuedChars = 0;
  let queuedTo = cursor.seq;
  /** Receipts above `queuedTo` are waiting in the engine, not in the queue (at start: those written while down). */
  let behind = true;
  let writing: Promise<void> | undefined;

  async function readCursor(): Promise<Cursor> {
    let c: Cursor = { seq: 0, name: '' };
    try {
      const v = JSON.parse(await readFile(cursorFile, 'utf8')) as Partial<Cursor>;
      if (Number.isInteger(v.seq) && (v.seq as number) > 0 && typeof v.name === 'string')
        c = { seq: v.seq as number, name: v.name };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError(e);
    }
    // A cursor of another state (a memory engine, a new SQLite file): start from the beginning. (Its receipt no
    // longer kept, a memory state's beyond the history limit: taken as it is; what is missing after it is said.)
    const at = deliverable(c.seq - 1, 1)[0];
    if (c.seq > 0 && (at === undefined || (at.seq === c.seq && at.name !== c.name))) c = { seq: 0, name: '' };
    return c;
  }

  /** Whether the queue takes `r` now: below both bounds, or empty (a receipt larger than the bound goes alone). */
  const fits = (r: OutgoingReceipt) =>
    queue.length === 0 || (queue.length < QUEUE_RECEIPTS && queuedChars + r.xml.length <= QUEUE_CHARS);

  function push(r: OutgoingReceipt): void {
    queue.push(r);
    queuedChars += r.xml.length;
    queuedTo = r.seq;
  }

  function enqueue(r: OutgoingReceipt): void {
    if (r.seq <= queuedTo) return;
    if (!behind && fits(r)) push(r);
    else behind = true;
    kick();
  }

  /** Queues what waits in the engine, up to the bounds; `behind` ends once the engine has no more. */
  function refill(): void {
    const more = deliverable(queuedTo, QUEUE_RECEIPTS);
    const first = more[0]?.seq ?? engine.historyStart().nextReceipt;
    if (first > queuedTo + 1) {
      // Dropped by the history limit of a memory state before they could be written: said, not hidden.
      onError(
        new SandanError(
          'INVALID_OPTION',
          `receipts ${queuedTo + 1} to ${first - 1} were never written to ${receive} and are no longer kept (history limit); writing on from ${first}`,
        ),
      );
      queuedTo = first - 1;
    }
    for (const r of more) {
      if (!fits(r)) return;
      push(r);
    }
    if (more.length < QUEUE_RECEIPTS) behind = false;
  }

  /** Whether the last write of a receipt failed: the next poll tries it again, and the failure was said once. */
  let failing = false;

  /**
   * Starts the writer unless it runs; it runs until no receipt waits (also for receipts produced as it ends), or until
   * a receipt cannot be written: that one and those after it wait, and each poll tries again.
   */
  function kick(): void {
    if (writing) return;
    writing = drain().finally(() => {
      writing = undefined;
      if ((queue.length > 0 || behind) && !failing) kick();
    });
  }

  async function drain(): Promise<void> {
    for (;;) {
      if (queue.length === 0 && behind) refill();
      if (queue.length === 0) return;
      const written = cursor.seq;
      // A receipt that could not be written (the receive folder gone, a full disk) is not passed over: the cursor
      // stays before it, so that it is written once the folder takes it, or after a restart on the same state.
      while (queue.length > 0) {
        const r = queue[0]!;
        try {
          await writeFileInto(receive, r.name, r.xml);
        } catch (e) {
          if (!failing) onError(e);
          failing = true;
          break;
        }
        failing = false;
        queue.shift();
        queuedChars -= r.xml.length;
        cursor = { seq: r.seq, name: r.name };
      }
      if (cursor.seq === written) return;
      await syncDir(receive);
      try {
        await writeFileInto(own, 'receive-cursor.json', `${JSON.stringify(cursor)}\n`);
      } catch (e) {
        onError(e);
      }
      if (failing) return;
    }
  }

  // Listen first, then catch up from the engine: a receipt produced between the two is queued once (by seq).
  const unsubscribe = engine.onReceipt(enqueue);
  kick();

  // ── messages in ──────────────────────────────────────────────────────────
  /** What each candidate file looked like at the last poll. */
  let seen = new Map<string, string>();

  async function finish(file: string, name: string, accepted: boolean, reason: string | undefined): Promise<void> {
    // (made again when removed while the emulator runs: the file stayed in flight, hidden, until the next start)
    await makeFolder(accepted ? processed : failed);
    // (in failed/, with room for the name of the reason file beside it, and of its temporary file)
    const target = await freeName(accepted ? processed : failed, name, accepted ? 0 : REASON.length + TEMP_ROOM);
    if (!accepted) await writeFileInto(failed, `${basename(target)}${REASON}`, `${reason ?? 'not accepted'}\n`, false);
    await move(file, target);
  }

  /** Submits a file that is in flight (under its unique name) and moves it out. */
  async function take(file: string, token: string, name: string): Promise<void> {
    const size = (await stat(file)).size;
    if (size > maxBytes) {
      await finish(file, name, false, `too large: ${size} bytes, the limit is ${maxBytes}`);
      return;
    }
    let bytes: Buffer | undefined;
    try {
      // (read no further than the limit: a writer may still be appending to it; a FIFO or a device swapped in for the
      // file since the folder was read is refused, not waited on)
      bytes = await readPlainFileUpTo(file, 'message file', maxBytes);
    } catch (e) {
      await finish(file, name, false, `unreadable: ${messageOf(e)}`);
      return;
    }
    if (bytes === undefined) {
      await finish(file, name, false, `too large: it grew past the limit of ${maxBytes} bytes as it was read`);
      return;
    }
    let accepted = false;
    let reason: string | undefined;
    try {
      const ack = await engine.submit(bytes, { transport: 'folder', name: token });
      accepted = ack.accepted;
      reason = ack.accepted ? undefined : `${ack.reason ?? `refused (HTTP status ${ack.httpStatus})`}\n\n${ack.body}`;
    } catch (e) {
      // The engine promises not to throw on input; if it does, the file is not taken again and again.
      reason = `the emulator failed on this file: ${messageOf(e)}`;
    }
    await finish(file, name, accepted, reason);
  }

  /** The original file name of an in-flight file (`<time>-<random>-<name>`). */
  const originalName = (token: string) => token.replace(/^[0-9a-z]+-[0-9a-f]{8}-/, '');

  async function recover(): Promise<void> {
    const tokens = (await readdir(inflight)).sort();
    if (tokens.length === 0) return;
    for (const token of tokens) {
      const file = join(inflight, token);
      const found = engine.findReceived(token);
      const m = found?.transport === 'folder' ? found : undefined;
      // (one file that cannot be finished does not hold back the others)
      try {
        if (m) await finish(file, originalName(token), m.accepted, m.reason);
        else await take(file, token, originalName(token));
      } catch (e) {
        onError(e);
      }
    }
  }

  /**
   * What is left in the send folder because it is not a plain file: a link is not followed (out of the folder, or
   * to a FIFO or a device), a FIFO not opened (it could block the poll), a sub-folder not looked into. Each is said
   * once through onError, not on every poll, and again only if it goes and comes back.
   */
  let leftAlone = new Set<string>();
  function notPlain(e: Dirent<Buffer>, name: string): string | undefined {
    if (e.isFile() || isIgnoredName(name) || name === 'processed' || name === 'failed') return undefined;
    if (e.isSymbolicLink())
      return 'a symbolic link, which the emulator does not follow: copy or move the message file itself in';
    if (e.isDirectory()) return `a folder, which the emulator does not look into: put message files in ${send} itself`;
    if (e.isFIFO()) return 'a FIFO, which the emulator does not open: write the message to a file';
    return 'not a plain file: write the message to a file';
  }

  async function pass(): Promise<void> {
    // (receipts a failed write left queued: tried again)
    if (failing) kick();
    // Names as bytes: one that is not UTF-8 (GBK, from Windows) read as text has U+FFFD for its bytes and names no
    // file, so it stayed in the folder for ever, unsaid. It is opened by its bytes and moved out under the text.
    const entries = await readdir(send, { withFileTypes: true, encoding: 'buffer' });
    const now = new Map<string, string>();
    const ready: Array<{ name: string; path: Buffer; key: string; mtime: number }> = [];
    const left = new Set<string>();
    for (const e of entries) {
      const name = e.name.toString('utf8');
      const why = notPlain(e, name);
      if (why !== undefined) {
        const key = `${name}\0${why}`;
        left.add(key);
        if (!leftAlone.has(key))
          onError(
            // (on one line: the CLI writes it to standard error, and a name may hold a line break or an escape)
            new SandanError('FILE_UNREADABLE', `${oneLine(join(send, name))} is left where it is: ${why}`, {
              details: { file: join(send, name) },
            }),
          );
      }
      if (!e.isFile() || isIgnoredName(name)) continue;
      const path = Buffer.concat([sendPrefix, e.name]);
      let s: Awaited<ReturnType<typeof stat>>;
      try {
        s = await stat(path);
      } catch {
        continue; // gone since readdir
      }
      const look = `${s.size}:${s.mtimeMs}:${s.ino}`;
      // (by the bytes: two names that differ only in bytes that are not UTF-8 read as one text)
      const key = e.name.toString('latin1');
      now.set(key, look);
      if (seen.get(key) === look) ready.push({ name, path, key, mtime: s.mtimeMs });
    }
    seen = now;
    leftAlone = left;
    // In the order they were written (then by name): the order an enterprise sent them in.
    ready.sort((a, b) => a.mtime - b.mtime || compareCodeUnits(a.name, b.name));
    // (.sandan removed while the emulator runs: the rename into it failed ENOENT, read as a file gone, on every poll)
    if (ready.length > 0) await makeFolder(inflight);
    for (const { name, path, key } of ready) {
      if (stopping) break;
      const prefix = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-`;
      // (a name near the system's limit is shortened in flight; it is moved out under its own name)
      const token = `${prefix}${fittedName(name, prefix.length)}`;
      const file = join(inflight, token);
      try {
        await rename(path, file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError(e);
        continue;
      }
      seen.delete(key);
      try {
        await take(file, token, name);
      } catch (e) {
        onError(e);
      }
    }
  }

  let stopping = false;
  let running: Promise<void> = recover().catch(onError);
  let timer: NodeJS.Timeout | undefined;

  /** One pass after whatever is running; passes never overlap. */
  function poll(): Promise<void> {
    running = running.then(() => (stopping ? undefined : pass().catch(onError)));
    return running;
  }

  function schedule(): void {
    if (stopping) return;
    timer = setTimeout(() => void poll().then(schedule), interval);
  }
  void running.then(schedule);

  async function flush(): Promise<void> {
    while (writing) await writing;
  }

  let closed: Promise<void> | undefined;
  return {
    send,
    receive,
    poll,
    flush,
    close() {
      closed ??= (async () => {
        stopping = true;
        clearTimeout(timer);
        await running;
        unsubscribe();
        await flush();
      })();
      return closed;
    },
  };
}
