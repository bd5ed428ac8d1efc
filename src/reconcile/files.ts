import { createReadStream } from 'node:fs';
import { SandanError, isSandanError } from '../errors.js';
import { describeInput, checkArgument } from '../model/guards.js';
import { knownOptions, optionNames } from '../model/options.js';
import { notGb18030Error, notUtf8Error, xmlBytesDecoder } from '../xml/safety.js';
import { filesNamedBy, unreadableFile } from '../io/walk.js';
import { CebScanner, type ScannedDocument } from './scan.js';
import { TEXT_PIECE_BYTES } from './text-piece.js';

/*
 * The file edge of reconciliation: expanding paths (a file or a folder of files) and streaming
 * XML files through the scanner. Everything else in src/reconcile is free of I/O.
 */

/**
 * The text of an XML file in chunks of {@link TEXT_PIECE_BYTES}, decoded strictly: bytes that are not UTF-8 make the
 * file malformed (XML_MALFORMED), as they do for parseCebXml, instead of becoming U+FFFD. A BOM
 * is kept for the scanner, which drops exactly one. A file whose declaration names GB2312, GBK or GB18030 (older
 * E-Port clients wrote them) is decoded as GB18030: the first chunk, which holds the declaration, decides.
 */
export async function* xmlFileText(file: string): AsyncGenerator<string> {
  let decoder: ReturnType<typeof xmlBytesDecoder> | undefined;
  let before = 0;
  let previous: Buffer | undefined;
  const decode = (bytes?: Buffer) => {
    decoder ??= xmlBytesDecoder(bytes ?? Buffer.alloc(0));
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch (e) {
      if (decoder.encoding === 'gb18030') throw notGb18030In(previous, bytes, before, e);
      throw notUtf8In(previous, bytes, before, e);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: TEXT_PIECE_BYTES }) as AsyncIterable<Buffer>) {
    const text = decode(chunk);
    if (text) yield text;
    before += chunk.length;
    previous = chunk;
  }
  const rest = decode();
  if (rest) yield rest;
}

/**
 * The error of a piece of a GB18030 file that does not decode, located from the last `>` of the piece before (a `>`
 * is always a whole character in GB18030: no byte of a longer one is 0x3E), else from the piece's start.
 */
function notGb18030In(previous: Buffer | undefined, bytes: Buffer | undefined, before: number, cause: unknown) {
  const cut = previous ? previous.lastIndexOf(0x3e) : -1;
  const from = cut === -1 ? 0 : previous!.length - cut;
  const both = Buffer.concat([from ? previous!.subarray(cut) : Buffer.alloc(0), bytes ?? Buffer.alloc(0)]);
  return notGb18030Error(both, cause, before - from);
}

/**
 * The error of a piece of a file that is not UTF-8 (`bytes`; none at the end of the file), located
 * in it and the piece before, which decoded: from that piece's first whole character, since it may
 * begin inside one from the piece before it. `before`: the bytes of the file before `bytes`.
 */
function notUtf8In(previous: Buffer | undefined, bytes: Buffer | undefined, before: number, cause: unknown) {
  let skip = 0;
  while (previous && skip < 3 && (previous[skip]! & 0xc0) === 0x80) skip++;
  const start = previous ? before - previous.length + skip : before;
  const both = Buffer.concat([previous?.subarray(skip) ?? Buffer.alloc(0), bytes ?? Buffer.alloc(0)]);
  return notUtf8Error(both, cause, start === 0 ? undefined : start);
}

/**
 * Expands files and folders (recursively, symbolic links followed) into a sorted list of files; in
 * folders only those ending in one of `extensions` (default `*.xml`). A file named twice (the same
 * path given twice, or a folder and a folder or file inside it) is listed once, where it came
 * first: a customs inbox given as both bills and receipts would else count every bill twice. What a
 * folder's walk cannot read (a broken link, a link loop, a folder that cannot be listed) goes to
 * `onUnreadable` when given, else its `FILE_UNREADABLE` error is thrown: never left out silently.
 */
export async function expandPaths(
  paths: readonly string[],
  extensions: readonly string[] = ['.xml'],
  onUnreadable?: (path: string, error: SandanError) => void,
): Promise<string[]> {
  checkArgument(paths, 'list', 'expandPaths', 'paths');
  const files = await filesNamedBy(paths, {
    wanted: (p) => extensions.some((x) => p.toLowerCase().endsWith(x)),
    ...(onUnreadable && { unreadable: onUnreadable }),
  });
  return files.map((f) => f.path);
}

/**
 * What a scanned file held besides its documents, as one entry without fields: a message of the CEB specification
 * the scanner does not read (`messageType` CEB900, CEB712…: a customs inbox holds them beside the bills), or
 * elements under the root that are not the message's documents (`strayElements`, see CebScanner.strayElements;
 * `messageType` is the file's), which may be bills not read. reconcile() counts the first as skipped, the second as
 * an unreadable document named in its problems, as reconcileFiles() does.
 */
export interface UnreadEntry {
  /** Which of the two (a document has no such field: `'unread' in entry` tells them apart). */
  unread: 'other-message' | 'stray-elements';
  messageType: string;
  fields: Record<string, string>;
  items: Array<Record<string, string>>;
  strayElements?: { count: number; names: readonly string[] } | undefined;
}

/** The {@link UnreadEntry} of a file the scanner has read to its end; undefined when it held only documents. */
function unreadEntry(scanner: CebScanner): UnreadEntry | undefined {
  const other = scanner.otherMessageType;
  if (other !== undefined) return { unread: 'other-message', messageType: other, fields: {}, items: [] };
  const { count, names } = scanner.strayElements;
  if (count === 0) return undefined;
  const messageType = scanner.messageType ?? '';
  return { unread: 'stray-elements', messageType, fields: {}, items: [], strayElements: { count, names } };
}

/** A scanned document, or after a file's documents its {@link UnreadEntry}, with the file it came from. */
export type FileDocument = (ScannedDocument | UnreadEntry) & { file: string };

// (any other key is misuse: a misspelt onFileError threw at the first unreadable file instead of reporting it)
const READ_CEB_DOCUMENTS_OPTION_NAMES = optionNames<NonNullable<Parameters<typeof readCebDocuments>[1]>>({
  onFileError: true,
});

/**
 * Streams the documents of CEB816/818/312/412/512/514/622/624/626 files through the scanner,
 * one file at a time in chunks of {@link TEXT_PIECE_BYTES}; after a file's documents, its
 * {@link UnreadEntry} when it held another message or elements that are not its documents (so
 * that reconcile() over these counts and names what reconcileFiles() does). A file that cannot
 * be read (unsafe, malformed, unknown root, truncated) goes to `onFileError` when given (and
 * none of its documents is used), else the SandanError is thrown.
 */
export async function* readCebDocuments(
  files: readonly string[],
  options?: { onFileError?: (file: string, error: SandanError) => void },
): AsyncGenerator<FileDocument> {
  const opts = knownOptions(options, 'readCebDocuments', READ_CEB_DOCUMENTS_OPTION_NAMES);
  // (a string is iterable: its characters would be read as paths, '/' first)
  if (!Array.isArray(files))
    throw new SandanError(
      'INVALID_OPTION',
      `readCebDocuments takes a list of paths, got ${describeInput(files)}; put one in [ ]`,
    );
  for (const file of files) {
    try {
      for await (const docs of scanFile(file)) for (const d of docs) yield { ...d, file };
    } catch (e) {
      // scanFile throws the file's SandanError.
      if (!opts.onFileError) throw e;
      opts.onFileError(file, e as SandanError);
    }
  }
}

/**
 * The documents of one XML file streamed through the scanner in chunks of {@link TEXT_PIECE_BYTES}, a chunk's at a
 * time, then its {@link UnreadEntry} when it has one. Throws the file's SandanError (see fileError).
 */
export async function* scanFile(
  file: string,
  scanner = new CebScanner(),
): AsyncGenerator<Array<ScannedDocument | UnreadEntry>> {
  try {
    for await (const chunk of xmlFileText(file)) {
      const docs = scanner.push(chunk);
      if (docs.length) yield docs;
    }
    const docs = scanner.end();
    if (docs.length) yield docs;
  } catch (e) {
    throw fileError(file, e);
  }
  const unread = unreadEntry(scanner);
  if (unread) yield [unread];
}

/** A SandanError about one file (its code kept, the file named). */
function fileError(file: string, e: unknown): SandanError {
  return isSandanError(e)
    ? new SandanError(e.code, `${file}: ${e.message}`, { cause: e, details: { file } })
    : unreadableFile(file, e);
}
