import { writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** What the CLI touches of the outside world; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: Readable;
  stderrIsTTY: boolean;
  /** Whether standard input is a terminal (validate and tax then read it only when `-` names it); absent: not one. */
  stdinIsTTY?: boolean;
  /** Whether standard output is a terminal (colour in text output); absent: not one. */
  stdoutIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when standard output can take more (backpressure for long streams). */
  drain?(): Promise<void>;
  /** True once the reader of standard output or standard error has gone (EPIPE). */
  closed?(): boolean;
}

/**
 * Exit status when the reader of our output went away (`sandan … | head`): 128 + SIGPIPE (13),
 * what a shell reports for a Unix tool that SIGPIPE ended. Node ignores SIGPIPE, so we exit with it.
 */
export const EXIT_PIPE = 141;

/**
 * Thrown by a write once standard output or standard error is closed, so that the command stops
 * where it is (its `finally` blocks still run) and `main` returns {@link EXIT_PIPE} without a word.
 */
export class OutputClosedError extends Error {
  constructor(readonly stream: 'stdout' | 'stderr') {
    super(`${stream} was closed by its reader`);
    this.name = 'OutputClosedError';
  }
}

/**
 * Exit status when a write to standard output or standard error failed for another reason than a
 * reader that went away (a full disk, ENOSPC; an I/O error, EIO): the command could not do its job.
 */
const EXIT_WRITE_FAILED = 2;

/** Which of the process's streams its reader closed first; process-wide, like the streams. */
let closedStream: 'stdout' | 'stderr' | undefined;
/** The first write that failed otherwise (the output is then cut short; it is told once, at exit). */
let failedWrite: { stream: 'stdout' | 'stderr'; error: NodeJS.ErrnoException } | undefined;
let watching = false;

const isClosedReader = (e: NodeJS.ErrnoException) => e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';

/** A failed write of `name`: the reader went away, or the write itself failed (ENOSPC, EIO). */
function writeFailed(name: 'stdout' | 'stderr', e: NodeJS.ErrnoException): void {
  if (!isClosedReader(e)) failedWrite ??= { stream: name, error: e };
  closedStream ??= name;
}

/**
 * Write errors arrive as an 'error' event after the write that hit them; without a listener Node
 * crashes with a stack trace. Both kinds stop the command at its next write ({@link OutputClosedError});
 * a closed reader ends it quietly with {@link EXIT_PIPE}, any other failure is told on standard
 * error (when that still works) and ends it with {@link EXIT_WRITE_FAILED}.
 */
function watchProcessStreams(): void {
  if (watching) return;
  watching = true;
  for (const name of ['stdout', 'stderr'] as const)
    process[name].on('error', (e: NodeJS.ErrnoException) => writeFailed(name, e));
  // The error may come after `main` has returned its code and bin/ has set it; the last word is here.
  process.on('exit', () => {
    flushStdout();
    // At exit the 'error' event of that last write will not come: the stream has it already.
    const late = process.stdout.errored as NodeJS.ErrnoException | null;
    if (late) writeFailed('stdout', late);
    if (failedWrite) {
      process.exitCode = EXIT_WRITE_FAILED;
      if (failedWrite.stream === 'stdout' && !process.stderr.errored)
        try {
          writeSync(2, `sandan: cannot write to standard output: ${failedWrite.error.message}\n`);
        } catch {
          // Standard error failed too: the exit status is all that is left.
        }
    } else if (closedStream) process.exitCode = EXIT_PIPE;
  });
}

/*
 * Standard output that is not a terminal gets what one turn of the event loop writes as one write:
 * a write per declaration was a system call each, 8 % of `sandan validate` over a file of NDJSON.
 * What is held goes out when it reaches STDOUT_PIECE characters, when the turn ends (so a program
 * that sends one declaration and waits for its answer gets it), before anything goes to standard
 * error (so the two keep their order) and when the process exits.
 */
const STDOUT_PIECE = 16 * 1024;
let held: string[] = [];
let heldSize = 0;
let flushQueued = false;

function flushStdout(): void {
  flushQueued = false;
  if (heldSize === 0) return;
  const text = held.length === 1 ? held[0]! : held.join('');
  held = [];
  heldSize = 0;
  if (!closedStream) process.stdout.write(text);
}

function writer(name: 'stdout' | 'stderr'): (text: string) => void {
  const buffered = name === 'stdout' && !process.stdout.isTTY;
  return (text) => {
    if (closedStream) throw new OutputClosedError(closedStream);
    if (!buffered) {
      if (name === 'stderr') flushStdout();
      process[name].write(text);
      return;
    }
    held.push(text);
    heldSize += text.length;
    if (heldSize >= STDOUT_PIECE) flushStdout();
    else if (!flushQueued) {
      flushQueued = true;
      setImmediate(flushStdout);
    }
  };
}

/** Waits for 'drain'; rejects when the stream closes instead, which it does after EPIPE. */
function drainStdout(): Promise<void> {
  if (closedStream) return Promise.reject(new OutputClosedError(closedStream));
  const out = process.stdout;
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      if (closedStream || out.destroyed) reject(new OutputClosedError(closedStream ?? 'stdout'));
      else resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** The process's own streams. */
export function processIo(): CliIo {
  watchProcessStreams();
  return {
    stdout: writer('stdout'),
    stderr: writer('stderr'),
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    drain: drainStdout,
    closed: () => closedStream !== undefined,
  };
}
