import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { SandanError } from '../errors.js';
import { DEFAULT_MAX_XML_BYTES } from '../xml/safety.js';
import type { EmulatorEngine, OutgoingReceipt } from './types.js';

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
 * The atomic write is this module's own and not src/cli/atomic-file.ts: the emulator may not
 * import the CLI, that helper's temporary name (`<target>.<random>.tmp`) would lie in the
 * receive folder under a name a reader matching `*.xml*` could take, and it registers with the
 * CLI process's signal clean-up, which a library must not touch.
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

/** `dir/name`, or `dir/stem-2.ext`, … when that is taken. */
async function freeName(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = join(dir, n === 1 ? name : `${stem}-${n}${ext}`);
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
export async function writeFileInto(dir: string, name: string, data: string, sync = true): Promise<void> {
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const h = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    await h.writeFile(data, 'utf8');
    if (sync) await h.sync();
  } catch (e) {
    await h.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw e;
  }
  await h.close();
  try {
    await rename(temp, join(dir, name));
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw e;
  }
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

interface Cursor {
  seq: number;
  name: string;
}

/** Starts the folder transport in front of `engine`: creates the folders, finishes what a crash left, and starts polling. */
export async function startFolderTransport(
  engine: EmulatorEngine,
  options: FolderTransportOptions,
): Promise<FolderTransport> {
  const send = resolve(options.send);
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
  for (const d of [send, receive, processed, failed, inflight]) await mkdir(d, { recursive: true });

  // ── receipts out ─────────────────────────────────────────────────────────
  let cursor = await readCursor();
  /** Receipts waiting to be written, in sequence order; `queuedTo` is the last seq queued. */
  const queue: OutgoingReceipt[] = [];
  let queuedTo = cursor.seq;
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
    // A cursor of another state (a memory engine, a new SQLite file): start from the beginning.
    if (c.seq > 0 && engine.receipts(c.seq - 1)[0]?.name !== c.name) c = { seq: 0, name: '' };
    return c;
  }

  function enqueue(r: OutgoingReceipt): void {
    if (r.seq <= queuedTo) return;
    queuedTo = r.seq;
    queue.push(r);
    kick();
  }

  /** Starts the writer unless it runs; it runs until the queue is empty (also for receipts queued as it ends). */
  function kick(): void {
    if (writing) return;
    writing = drain().finally(() => {
      writing = undefined;
      if (queue.length > 0) kick();
    });
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0);
      for (const r of batch) {
        try {
          await writeFileInto(receive, r.name, r.xml);
        } catch (e) {
          onError(e);
        }
        cursor = { seq: r.seq, name: r.name };
      }
      await syncDir(receive);
      try {
        await writeFileInto(own, 'receive-cursor.json', `${JSON.stringify(cursor)}\n`);
      } catch (e) {
        onError(e);
      }
    }
  }

  // Listen first, then catch up: a receipt produced between the two is queued once (by seq).
  const unsubscribe = engine.onReceipt(enqueue);
  for (const r of engine.receipts(cursor.seq)) enqueue(r);

  // ── messages in ──────────────────────────────────────────────────────────
  /** What each candidate file looked like at the last poll. */
  let seen = new Map<string, string>();

  async function finish(file: string, name: string, accepted: boolean, reason: string | undefined): Promise<void> {
    const target = await freeName(accepted ? processed : failed, name);
    if (!accepted)
      await writeFileInto(failed, `${basename(target)}.reason.txt`, `${reason ?? 'not accepted'}\n`, false);
    await move(file, target);
  }

  /** Submits a file that is in flight (under its unique name) and moves it out. */
  async function take(file: string, token: string, name: string): Promise<void> {
    const size = (await stat(file)).size;
    if (size > maxBytes) {
      await finish(file, name, false, `too large: ${size} bytes, the limit is ${maxBytes}`);
      return;
    }
    const bytes = await readFile(file);
    let accepted = false;
    let reason: string | undefined;
    try {
      const ack = await engine.submit(bytes, { transport: 'folder', name: token });
      accepted = ack.accepted;
      reason = ack.accepted ? undefined : `${ack.reason ?? `refused (HTTP status ${ack.httpStatus})`}\n\n${ack.body}`;
    } catch (e) {
      // The engine promises not to throw on input; if it does, the file is not taken again and again.
      reason = `the emulator failed on this file: ${e instanceof Error ? e.message : String(e)}`;
    }
    await finish(file, name, accepted, reason);
  }

  /** The original file name of an in-flight file (`<time>-<random>-<name>`). */
  const originalName = (token: string) => token.replace(/^[0-9a-z]+-[0-9a-f]{8}-/, '');

  async function recover(): Promise<void> {
    const tokens = (await readdir(inflight)).sort();
    if (tokens.length === 0) return;
    const known = new Map(
      engine
        .received()
        .filter((m) => m.transport === 'folder' && m.name !== undefined)
        .map((m) => [m.name!, m] as const),
    );
    for (const token of tokens) {
      const file = join(inflight, token);
      const m = known.get(token);
      if (m) await finish(file, originalName(token), m.accepted, m.reason);
      else await take(file, token, originalName(token));
    }
  }

  async function pass(): Promise<void> {
    const entries = await readdir(send, { withFileTypes: true });
    const now = new Map<string, string>();
    const ready: Array<{ name: string; mtime: number }> = [];
    for (const e of entries) {
      if (!e.isFile() || isIgnoredName(e.name)) continue;
      let s: Awaited<ReturnType<typeof stat>>;
      try {
        s = await stat(join(send, e.name));
      } catch {
        continue; // gone since readdir
      }
      const look = `${s.size}:${s.mtimeMs}:${s.ino}`;
      now.set(e.name, look);
      if (seen.get(e.name) === look) ready.push({ name: e.name, mtime: s.mtimeMs });
    }
    seen = now;
    // In the order they were written (then by name): the order an enterprise sent them in.
    ready.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name } of ready) {
      if (stopping) break;
      const token = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}-${name}`;
      const file = join(inflight, token);
      try {
        await rename(join(send, name), file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') onError(e);
        continue;
      }
      seen.delete(name);
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
