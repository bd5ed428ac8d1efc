import { constants } from 'node:os';
import { releaseWaitingReads } from '../io/walk.js';

/*
 * What a command must undo if it stops early: temporary output files, the temporary
 * reconciliation index (order numbers and amounts), worker threads. Each registers an undo
 * while it exists and unregisters once it is finished with. On SIGINT, SIGTERM or SIGHUP the
 * undos run synchronously and the process exits with 128 + the signal's number, the status a
 * shell reports for a command a signal ended; they also run when the process exits any other
 * way. A command that ends normally or throws cleans up in its own `finally` blocks.
 */

/** The signals after which sandan cleans up and exits. */
export const CLEANUP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type CleanupSignal = (typeof CLEANUP_SIGNALS)[number];

/** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP. */
export function signalExitCode(signal: CleanupSignal): number {
  return 128 + constants.signals[signal];
}

/** Why a run was cancelled: the reason of {@link CleanupRegistry.signal} after a signal. */
class InterruptedError extends Error {
  constructor(readonly signal: CleanupSignal) {
    super(`interrupted by ${signal}`);
    this.name = 'AbortError';
  }
}

/** Undo actions of whatever is in progress, newest first. */
export class CleanupRegistry {
  private readonly entries = new Set<() => void>();
  private readonly controller = new AbortController();

  /** Aborted when a signal arrives: long-running work (worker pools) stops on it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Registers a synchronous undo; the returned function unregisters it (call it once the thing is finished with). */
  add(undo: () => void): () => void {
    // A wrapper of our own, so that one function registered twice is two entries.
    const entry = () => undo();
    this.entries.add(entry);
    return () => void this.entries.delete(entry);
  }

  /** Runs and forgets every registered undo, newest first; one that throws does not stop the others. */
  run(): void {
    for (const undo of [...this.entries].reverse()) {
      this.entries.delete(undo);
      try {
        undo();
      } catch {
        // Best effort: the process is stopping, and the other undos must still run.
      }
    }
  }

  /** After a signal: aborts {@link signal}, runs the undos and returns the exit status. */
  interrupt(signal: CleanupSignal): number {
    if (!this.controller.signal.aborted) this.controller.abort(new InterruptedError(signal));
    this.run();
    return signalExitCode(signal);
  }
}

/** The process's registry (the CLI's files, index and workers). */
export const processCleanup = new CleanupRegistry();

let installed = false;

/**
 * Makes SIGINT, SIGTERM and SIGHUP clean up and exit with 128 + the signal's number, and
 * process exit run what is still registered. Only for the CLI's own process: a library must
 * not take over signals.
 */
export function installSignalCleanup(): void {
  if (installed) return;
  installed = true;
  for (const s of CLEANUP_SIGNALS)
    process.on(s, () => {
      const code = processCleanup.interrupt(s);
      releaseWaitingReads();
      process.exit(code);
    });
  process.on('exit', () => processCleanup.run());
}
