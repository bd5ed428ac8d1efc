/** Runs async tasks one at a time, in the order they asked (a FIFO lock within one process). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` when every earlier task has settled; resolves with its result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A backoff delay for retry `attempt` (0-based): exponential with full jitter, capped. */
export function backoff(attempt: number, baseMs = 5, capMs = 250): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}
