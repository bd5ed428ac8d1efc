/**
 * The items of `source`, failing with the signal's reason as soon as it is aborted: an async
 * source (standard input, a pipe) may wait for its next item indefinitely, and cancelling must
 * not wait with it. Sync sources are checked before each item.
 */
export async function* untilAborted<T>(
  source: Iterable<T> | AsyncIterable<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T> {
  signal?.throwIfAborted();
  if (!signal || !(Symbol.asyncIterator in source)) {
    for await (const item of source) {
      signal?.throwIfAborted();
      yield item;
    }
    return;
  }
  const it = source[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      signal.throwIfAborted();
      const r = await raced(it.next(), signal);
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    // Lets the source release what it holds (a file handle) once its pending read is over; not awaited, as that read may never end.
    if (!done) void it.return?.()?.catch(() => {});
  }
}

/** The promise's outcome, or the signal's reason if it is aborted first. A listener per call, not one promise raced again and again (which would keep a reaction per item). */
export function raced<R>(p: Promise<R>, signal: AbortSignal): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
